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

/// A private copy of the single-payer demo ([`super::single_payer_demo`]).
pub fn single_payer_copy() -> (tempfile::TempDir, PathBuf) {
    let built = super::single_payer_demo();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("demo.proforma");
    std::fs::copy(&built, &p).unwrap();
    (dir, p)
}

/// A TUI session (its own connection and audit session) on the workspace at `path`.
pub fn open(path: &Path) -> Session {
    open_as(path, "demo.proforma")
}

/// A TUI session on `path` whose top bar names the workspace `label`.
pub fn open_as(path: &Path, label: &str) -> Session {
    Session::with_defaults(App::load(Workspace::open(path).unwrap(), label.into()).unwrap())
}

/// The screen as a snapshot shows it: lines without trailing blanks, audit times redacted.
pub fn render(s: &mut Session, width: u16, height: u16) -> String {
    let text: String = screen_at(s, width, height)
        .lines()
        .map(|l| l.trim_end().to_string() + "\n")
        .collect();
    redact_times(&text)
}

/// Audit times change with every run; snapshots show them as a fixed placeholder.
pub fn redact_times(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    // Shown times, and the start of RFC 3339 times (import times in the month-end checks).
    let shapes: [(&[u8], &str); 2] = [
        (b"dddd-dd-dd dd:dd:dd", "YYYY-MM-DD hh:mm:ss"),
        (b"dddd-dd-ddT", "YYYY-MM-DDThh:mm:ssZ"),
    ];
    while i < b.len() {
        let hit = shapes.iter().find(|(shape, _)| {
            i + shape.len() <= b.len()
                && shape.iter().zip(&b[i..i + shape.len()]).all(|(p, c)| {
                    if *p == b'd' {
                        c.is_ascii_digit()
                    } else {
                        p == c
                    }
                })
        });
        if let Some((shape, placeholder)) = hit {
            out.push_str(placeholder);
            i += shape.len();
            // An RFC 3339 time runs on (and may be cut short by the column): all of it goes.
            if shape.ends_with(b"T") {
                while i < b.len() && (b[i].is_ascii_digit() || b":.Z".contains(&b[i])) {
                    i += 1;
                }
            }
        } else {
            let ch = s[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Keys by name, separated by spaces (`"2 Enter x"`).
pub fn keys(s: &mut Session, names: &str) {
    let list: Vec<&str> = names.split_whitespace().collect();
    press(s, &list);
}

/// The screen drawn at `width` x `height` on a TestBackend: every cell with its style.
pub fn buffer_at(s: &mut Session, width: u16, height: u16) -> ratatui::buffer::Buffer {
    s.app.settle();
    let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
    term.draw(|f| proforma::tui::draw::draw(f, s)).unwrap();
    term.backend().buffer().clone()
}

/// The screen drawn at `width` x `height`, as text (one line per row).
pub fn screen_at(s: &mut Session, width: u16, height: u16) -> String {
    let buf = buffer_at(s, width, height);
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

/// Keys by name; `"text"` types its characters. After each key, a save's re-pricing (on the
/// worker) is waited for and taken, as the event loop takes it before the next key arrives.
pub fn press(s: &mut Session, keys: &[&str]) {
    for k in keys {
        press_one(s, k);
        s.app.settle_saves();
    }
}

fn press_one(s: &mut Session, k: &str) {
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

/// Chooses the open picker's line starting with `prefix` (the scenario menu, the view or
/// group picker).
pub fn choose(s: &mut Session, prefix: &str) {
    let pos = match s.app.picker() {
        Some(p) => p
            .options
            .iter()
            .position(|(l, _)| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no option '{prefix}' in {:?}", p.options)),
        None => panic!("no picker open: {:?}", s.app.mode),
    };
    s.app.update(proforma::app::Action::Top);
    for _ in 0..pos {
        s.app.update(proforma::app::Action::Down);
    }
    s.app.update(proforma::app::Action::Open);
    s.app.settle_saves();
}
