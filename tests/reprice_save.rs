//! A save re-prices off the UI thread (issue 10 item 4): right after Ctrl-s the screen still
//! shows the previous configuration with its own numbers, marked as re-pricing, never a mix;
//! when the worker's result is taken, configuration and numbers change together and equal a
//! full re-price of the saved configuration.

mod common;

use common::tui::{demo_copy, open, press, select};
use proforma::engine::price;
use proforma::tui::Session;
use proforma::tui::keymap::Key;

fn key(s: &mut Session, name: &str) {
    s.key(Key::parse(name).unwrap().event());
}

/// The state on screen is one configuration priced: its numbers are a full pricing of its
/// configuration, group by group.
fn assert_consistent(s: &Session) {
    let d = &s.app.data;
    let full = price(d.period, &d.lines, &d.config);
    assert_eq!(d.pricing.groups, full.groups);
    assert_eq!(d.pricing.items, full.items);
    assert_eq!(d.pricing.unmonitored, full.unmonitored);
    assert_eq!(d.pricing.line_price, full.line_price);
}

fn markup(s: &Session) -> Option<rust_decimal::Decimal> {
    s.app
        .data
        .config
        .rules
        .iter()
        .find(|r| r.name == "global-markup-10")
        .and_then(|r| r.modifier)
}

#[test]
fn a_save_reprices_on_the_worker_and_the_screen_never_mixes_states() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    let before_markup = markup(&s);
    let retail = s.app.data.group_index("retail").unwrap();
    let before = s.app.data.pricing.groups[retail].proforma();
    press(&mut s, &["4"]);
    select(&mut s, "global-markup-10");
    press(&mut s, &["e", "Tab", "Tab", "Tab", "Tab"]);
    for _ in 0..6 {
        press(&mut s, &["Backspace"]);
    }
    press(&mut s, &["\"20\""]);
    // Ctrl-s alone, without waiting for the worker.
    key(&mut s, "Ctrl-s");
    assert!(s.app.form().is_none(), "saved: {:?}", s.app.status);
    // Written to the workspace at once ...
    let ws = proforma::store::Workspace::open(&path).unwrap();
    let stored = ws.config_at(s.app.data.period).unwrap();
    let stored_markup = stored
        .rules
        .iter()
        .find(|r| r.name == "global-markup-10")
        .and_then(|r| r.modifier);
    assert_eq!(stored_markup, Some(rust_decimal::Decimal::from(20)));
    // ... while the screen keeps the previous state whole (if the worker has not answered
    // yet, which is what this test looks at; the result is taken only by a poll).
    assert_eq!(markup(&s), before_markup);
    assert_eq!(s.app.data.pricing.groups[retail].proforma(), before);
    assert!(s.app.repricing, "the numbers are marked as being re-priced");
    assert!(
        s.app.model.title.ends_with("(re-pricing…)"),
        "{}",
        s.app.model.title
    );
    assert_consistent(&s);
    // The result arrives: configuration and numbers change together.
    s.app.settle();
    assert!(!s.app.repricing);
    assert!(!s.app.model.title.contains("re-pricing"));
    assert_eq!(markup(&s), Some(rust_decimal::Decimal::from(20)));
    assert!(s.app.data.pricing.groups[retail].proforma() > before);
    assert_consistent(&s);
}

#[test]
fn undo_and_a_second_save_each_land_whole() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    let before = s.app.data.pricing.groups.clone();
    press(&mut s, &["4"]);
    select(&mut s, "global-markup-10");
    press(&mut s, &["e", "Tab", "Tab", "Tab", "Tab"]);
    for _ in 0..6 {
        press(&mut s, &["Backspace"]);
    }
    press(&mut s, &["\"30\""]);
    key(&mut s, "Ctrl-s");
    // Undo right away: the save's re-pricing is taken first, then the undo's.
    key(&mut s, "u");
    s.app.settle();
    assert_consistent(&s);
    assert_eq!(
        s.app.data.pricing.groups, before,
        "undo restores every group"
    );
    assert!(!s.app.repricing);
}
