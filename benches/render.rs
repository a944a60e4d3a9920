//! TUI speed on the 1,000,000-line workspace (issue 4): opening it up to the first frame, and
//! drawing one frame at 200x60 on the busiest screens (only visible rows are drawn).

mod common;

use common::workspace;
use criterion::{Criterion, criterion_group, criterion_main};
use proforma::app::App;
use proforma::store::Workspace;
use proforma::tui::Session;
use proforma::tui::keymap::Key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn press(s: &mut Session, keys: &str) {
    for k in keys.split_whitespace() {
        s.key(Key::parse(k).expect("valid key").event());
    }
}

fn render(c: &mut Criterion) {
    let path = workspace(common::lines());
    let mut term = Terminal::new(TestBackend::new(200, 60)).expect("test backend");
    c.bench_function("open the workspace and draw the first screen", |b| {
        b.iter(|| {
            let app = App::load(Workspace::open(&path).expect("workspace"), "bench".into())
                .expect("load");
            let mut s = Session::with_defaults(app);
            term.draw(|f| proforma::tui::draw::draw(f, &mut s))
                .expect("draw");
            black_box(s.app.model.rows.len())
        })
    });
    let app = App::load(Workspace::open(&path).expect("workspace"), "bench".into()).expect("load");
    let mut s = Session::with_defaults(app);
    for (name, keys) in [
        ("frame 200x60: overview", "1"),
        ("frame 200x60: group usage types", "2 End Enter j Enter"),
        ("frame 200x60: accounts", "6"),
        ("frame 200x60: billing view by usage type", "7 g g"),
    ] {
        press(&mut s, "Esc Esc Esc 1");
        press(&mut s, keys);
        c.bench_function(name, |b| {
            b.iter(|| {
                // A cursor move and a redraw: what each keypress costs on an unchanged screen.
                press(&mut s, "j");
                term.draw(|f| proforma::tui::draw::draw(f, &mut s))
                    .expect("draw");
            })
        });
    }
}

/// Keypress to updated numbers while editing (issue 5): a digit typed into a rule's
/// percentage re-prices every group for the preview; Ctrl-s saves and re-prices the screen.
fn edit(c: &mut Criterion) {
    let built = workspace(common::lines());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("edit.proforma");
    std::fs::copy(&built, &path).expect("copy");
    let app = App::load(Workspace::open(&path).expect("workspace"), "bench".into()).expect("load");
    let mut s = Session::with_defaults(app);
    let mut term = Terminal::new(TestBackend::new(200, 60)).expect("test backend");
    press(&mut s, "4 e Tab Tab Tab Tab");
    let mut digit = 0u8;
    c.bench_function("edit: keypress in a percentage to previewed totals", |b| {
        b.iter(|| {
            digit = (digit + 1) % 10;
            press(&mut s, "Backspace");
            press(&mut s, &(digit.to_string()));
            s.app.settle();
            term.draw(|f| proforma::tui::draw::draw(f, &mut s))
                .expect("draw");
            black_box(s.app.form().map(|f| f.preview.len()))
        })
    });
    press(&mut s, "Esc Esc");
    c.bench_function("edit: Ctrl-s to saved and re-priced screen", |b| {
        b.iter(|| {
            digit = (digit + 1) % 10;
            press(&mut s, "e Tab Tab Tab Tab Backspace");
            press(&mut s, &(digit.to_string()));
            press(&mut s, "Ctrl-s");
            term.draw(|f| proforma::tui::draw::draw(f, &mut s))
                .expect("draw");
            black_box(s.app.form().is_none())
        })
    });
}

criterion_group!(benches, render, edit);
criterion_main!(benches);
