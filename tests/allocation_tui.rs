//! Cost allocations in the TUI (issue 14 item 4): created from the custom line items tab with
//! its own form, saved, listed with the amount it split, charged in the group drill-down and
//! explained; edited from its row.

mod common;

use common::tui::{demo_copy, open, press, select};
use proforma::store::Workspace;
use rust_decimal::Decimal;

fn screen(s: &mut proforma::tui::Session) -> String {
    common::tui::screen_at(s, 140, 50)
}

#[test]
fn an_allocation_is_created_listed_charged_and_explained() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["5"]);
    select(&mut s, "alloc:");
    press(&mut s, &["n"]);
    let text = screen(&mut s);
    assert!(
        text.contains("New cost allocation — applies from 2026-10 onward"),
        "{text}"
    );
    // Name, description, source (FIXED), amount, key, targets.
    press(
        &mut s,
        &["\"office\"", "Tab", "Tab", "Tab", "\"90\"", "Tab"],
    );
    // AWS_COST -> PRO_FORMA -> SERVICE_COST -> EVEN.
    press(
        &mut s,
        &["Right", "Right", "Right", "Tab", "\"retail, nobody\""],
    );
    press(&mut s, &["Ctrl-s"]);
    assert!(s.app.form().is_some(), "an unknown group is not saved");
    assert!(
        screen(&mut s).contains("no billing group named 'nobody'"),
        "{}",
        screen(&mut s)
    );
    for _ in 0.."nobody".len() {
        press(&mut s, &["Backspace"]);
    }
    press(&mut s, &["\"labs\"", "Ctrl-s"]);
    assert!(s.app.form().is_none(), "{}", screen(&mut s));
    // Saved in the workspace, for 2026-10 on.
    let ws = Workspace::open(&path).unwrap();
    let c = ws.config_at("2026-10".parse().unwrap()).unwrap();
    assert_eq!(c.allocations.len(), 1);
    assert_eq!(c.allocations[0].targets.len(), 2);
    drop(ws);
    // The numbers on screen: 45.00 to each group, listed on the tab.
    let parts: Vec<Decimal> = s.app.data.pricing.allocated.splits[0]
        .parts
        .iter()
        .map(|p| p.amount)
        .collect();
    assert_eq!(parts, vec![Decimal::from(45), Decimal::from(45)]);
    let text = screen(&mut s);
    assert!(
        text.contains("office") && text.contains("allocation, EVEN") && text.contains("90.00"),
        "{text}"
    );
    // The History tab lists the change, field by field.
    press(&mut s, &["9"]);
    let text = screen(&mut s);
    assert!(text.contains("cost allocation office"), "{text}");
    assert!(
        text.contains("Target groups") && text.contains("evenly"),
        "{text}"
    );
    press(&mut s, &["5"]);
    // Edited from its row: the form opens on it.
    select(&mut s, "alloc:office");
    press(&mut s, &["e"]);
    let text = screen(&mut s);
    assert!(text.contains("Edit cost allocation"), "{text}");
    press(&mut s, &["Esc"]);
    // Explained from the group list: the amount, the key and each group's share.
    press(&mut s, &["2"]);
    select(&mut s, "labs");
    press(&mut s, &["x"]);
    let text = screen(&mut s);
    assert!(
        text.contains("allocation 'office': fixed amount 90 = 90.00")
            && text.contains("split evenly"),
        "{text}"
    );
    assert!(
        text.contains("labs: weight 1.00 of 2.00 (50%) = 45.00"),
        "{text}"
    );
    // The group drill-down lists the part among its custom line items.
    press(&mut s, &["Esc", "Enter"]);
    let text = screen(&mut s);
    assert!(
        text.lines()
            .any(|l| l.contains("office") && l.contains("FEE") && l.contains("45.00")),
        "{text}"
    );
}
