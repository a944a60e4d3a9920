//! The TUI harness shared by the story tests: a private demo copy, a session on it, keys by
//! name, the screen as text.

use proforma::app::App;
use proforma::store::Workspace;
use proforma::tui::Session;
use proforma::tui::keymap::Key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::{Path, PathBuf};

/// A private copy of the demo workspace per test: edits must not leak between tests.
pub fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let built = super::demo_workspace();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("demo.proforma");
    std::fs::copy(&built, &p).unwrap();
    (dir, p)
}

/// A TUI session (its own connection and audit session) on the workspace at `path`.
pub fn open(path: &Path) -> Session {
    Session::with_defaults(
        App::load(Workspace::open(path).unwrap(), "demo.proforma".into()).unwrap(),
    )
}

/// The screen drawn at `width` x `height`, as text (one line per row).
pub fn screen_at(s: &mut Session, width: u16, height: u16) -> String {
    s.app.settle();
    let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
    term.draw(|f| proforma::tui::draw::draw(f, s)).unwrap();
    let buf = term.backend().buffer().clone();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

/// Keys by name; `"text"` types its characters.
pub fn press(s: &mut Session, keys: &[&str]) {
    for k in keys {
        if let Some(text) = k.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            for c in text.chars() {
                s.key(Key::parse(&c.to_string()).unwrap().event());
            }
        } else {
            s.key(
                Key::parse(k)
                    .unwrap_or_else(|| panic!("bad key {k}"))
                    .event(),
            );
        }
    }
}

/// Moves the selection to the row keyed `name` on the current screen.
pub fn select(s: &mut Session, name: &str) {
    let pos = s
        .app
        .visible
        .iter()
        .position(|&r| s.app.model.keys[r] == name)
        .unwrap_or_else(|| panic!("{name} not listed"));
    s.app.update(proforma::app::Action::Select(pos));
}
