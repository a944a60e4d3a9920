//! Billing transfers in the TUI (issue 13 item 1-2): `T` creates one with its group in one
//! change, its views are in the picker and show the same numbers as the CLI, `e` edits it,
//! `u` undoes it whole.

mod common;

use common::tui::{choose, demo_copy, open, press};

#[test]
fn a_transfer_is_created_viewed_edited_and_undone() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    let before = s.app.data.config.transfers.len();
    // A new transfer: name, the source (Globex's customer Initech's sibling: a new
    // organisation), the transfer account prefilled, the first month prefilled, Passthrough.
    press(
        &mut s,
        &[
            "7",
            "T",
            "\"Hooli\"",
            "Tab",
            "\"430000000000\"",
            "Tab",
            "Tab",
            "Tab",
            "Tab",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "Backspace",
            "\"Passthrough\"",
            "Enter",
        ],
    );
    let screen = common::tui::screen_at(&mut s, 140, 45);
    assert!(s.app.form().is_none(), "{screen}");
    let cfg = &s.app.data.config;
    assert_eq!(cfg.transfers.len(), before + 1);
    let t = cfg.transfers.iter().find(|t| t.name == "Hooli").unwrap();
    assert_eq!(t.source_account, "430000000000");
    assert_eq!(t.transfer_account, "210987654321");
    let g = cfg
        .transfer_group(t)
        .expect("its group was created with it");
    assert_eq!(cfg.groups[g].name, "Hooli");
    assert_eq!(cfg.plan_name(&cfg.groups[g].plan), "Passthrough");
    // The demo's transfer views are in the picker; Initech's showback shows what the CLI shows.
    press(&mut s, &["v"]);
    choose(&mut s, "Initech  (BILLING_TRANSFER_SHOWBACK)");
    assert_eq!(s.app.view, "showback:420000000000");
    let shown = common::tui::screen_at(&mut s, 140, 45);
    let report = s
        .app
        .data
        .view_report("showback:420000000000", None)
        .unwrap();
    let total = proforma::money::fmt_grouped(s.app.data.shown_view(&report).total.aws);
    assert!(shown.contains(&total), "{total} not on screen:\n{shown}");
    // The customer presentation keeps what the source is charged.
    press(&mut s, &["P"]);
    let customer = common::tui::screen_at(&mut s, 140, 45);
    assert!(
        customer.contains("customer presentation") && customer.contains(&total),
        "{customer}"
    );
    press(&mut s, &["P"]);
    // e on a transfer view edits the transfer.
    press(&mut s, &["e"]);
    let form = s.app.form().expect("the transfer form");
    assert_eq!(form.kind, proforma::model::Kind::BillingTransfer);
    press(&mut s, &["Esc"]);
    // u takes the new transfer back with its group.
    press(&mut s, &["u", "y"]);
    let after_undo = common::tui::screen_at(&mut s, 140, 45);
    let cfg = &s.app.data.config;
    assert_eq!(cfg.transfers.len(), before, "{after_undo}");
    assert_eq!(cfg.transfers.len(), before);
    assert!(cfg.groups.iter().all(|g| g.name != "Hooli"));
}
