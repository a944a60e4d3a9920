//! The Reconcile tab as the month-end checklist (issue 12 item 3): each step's status from the
//! month-end checks, Enter opens the screen where the step is done, and closing shows
//! everywhere.

mod common;

use common::tui::{demo_copy, open, press, select, single_payer_copy};
use proforma::app::{Mode, Tab};
use proforma::tui::Session;
use rust_decimal::Decimal;
use std::path::Path;

fn screen(s: &mut Session) -> String {
    common::tui::screen_at(s, 140, 50)
}

/// The step's row on the checklist: its cells.
fn step_row(s: &Session, key: &str) -> Vec<String> {
    let i = s
        .app
        .model
        .keys
        .iter()
        .position(|k| k == key)
        .unwrap_or_else(|| panic!("no step {key}: {:?}", s.app.model.keys));
    s.app.model.rows[i].clone()
}

/// AWS's invoice of the period as the CLI reports it: billable + tax of the primary view.
fn invoice_total(ws: &Path, period: &str) -> Decimal {
    let out = common::bin()
        .args(["report"])
        .arg(ws)
        .args(["--period", period, "--view", "primary", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = |k: &str| -> Decimal { v["Totals"][k].as_str().unwrap().parse().unwrap() };
    d("Billable") + d("Tax")
}

#[test]
fn the_checklist_walks_a_month_end_from_tie_out_to_close() {
    // One payer: the invoice prompt takes one total (several payers: reconcile --invoices).
    let (_d, path) = single_payer_copy();
    let total = invoice_total(&path, "2026-10");
    let mut s = open(&path);
    press(&mut s, &["8"]);
    assert_eq!(s.app.tab, Tab::Reconcile);
    let text = screen(&mut s);
    assert!(text.contains("Month-end close, 2026-10"), "{text}");
    // Nothing entered: the tie-out warns.
    assert_eq!(step_row(&s, "step:tie-out")[1], "WARN");
    assert!(step_row(&s, "step:tie-out")[3].contains("not entered"));

    // A wrong total fails, naming both amounts.
    select(&mut s, "step:tie-out");
    press(&mut s, &["Enter"]);
    assert!(matches!(s.app.mode, Mode::Prompt(_)), "{:?}", s.app.mode);
    let off = (total + Decimal::new(1, 2)).to_string();
    press(&mut s, &[&format!("\"{off}\""), "Enter"]);
    let row = step_row(&s, "step:tie-out");
    assert_eq!(row[1], "FAIL", "{row:?}");
    // The detail under the checklist is the tie-out's check, with its numbers.
    let detail = s.app.detail.clone().expect("the step's checks");
    assert!(
        detail.rows.iter().any(|r| r[0] == "FAIL"),
        "{:?}",
        detail.rows
    );
    // Not a number: said, and the prompt stays with the text.
    press(&mut s, &["Enter", "\"27,314.37\"", "Enter"]);
    assert!(matches!(s.app.mode, Mode::Prompt(_)));
    // The reason is shown in the prompt, under the text.
    let text = screen(&mut s);
    assert!(text.contains("✗ ") && text.contains("27,314.37"), "{text}");
    press(&mut s, &["Esc"]);
    // The right total passes.
    select(&mut s, "step:tie-out");
    press(&mut s, &["Enter"]);
    for _ in 0..off.len() {
        press(&mut s, &["Backspace"]);
    }
    press(&mut s, &[&format!("\"{total}\""), "Enter"]);
    assert_eq!(step_row(&s, "step:tie-out")[1], "PASS");

    // Movers: month over month with its bar chart, per group.
    select(&mut s, "step:movers");
    press(&mut s, &["Enter"]);
    let text = screen(&mut s);
    assert!(
        text.contains("Month over month") && text.contains("Biggest movers"),
        "{text}"
    );
    for g in ["fintech", "retail", "Total"] {
        assert!(text.contains(g), "{g} missing: {text}");
    }
    press(&mut s, &["Esc"]);

    // Configuration changes: the History tab, and back.
    select(&mut s, "step:config");
    press(&mut s, &["Enter"]);
    assert_eq!(s.app.tab, Tab::History);
    press(&mut s, &["8"]);
    assert_eq!(s.app.tab, Tab::Reconcile);

    // Close from the checklist: the step is done and the top bar says closed on every tab.
    assert_eq!(step_row(&s, "step:close")[1], "TODO");
    select(&mut s, "step:close");
    press(&mut s, &["Enter", "\"tied out\"", "Enter"]);
    let row = step_row(&s, "step:close");
    assert_eq!(row[1], "DONE", "{row:?}");
    assert!(row[3].contains("tied out"), "{row:?}");
    for tab in ["1", "2", "6", "9"] {
        press(&mut s, &[tab]);
        assert!(screen(&mut s).contains("(2/2) closed"), "tab {tab}");
        // ... as a badge: the word in reverse video.
        let buf = common::tui::buffer_at(&mut s, 140, 50);
        let top: String = (0..140u16)
            .map(|x| buf[(x, 0)].symbol().to_string())
            .collect();
        let at = top[..top.find("closed").unwrap()].chars().count() as u16;
        assert!(
            buf[(at, 0)]
                .modifier
                .contains(ratatui::style::Modifier::REVERSED),
            "tab {tab}"
        );
    }
    // The closed period is in the workspace (another process sees it).
    let ws = proforma::store::Workspace::open(&path).unwrap();
    assert!(ws.is_closed("2026-10".parse().unwrap()).unwrap());
}

#[test]
fn the_checks_step_lists_every_check_and_the_steps_follow_the_period() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["8"]);
    select(&mut s, "step:checks");
    press(&mut s, &["Enter"]);
    let text = screen(&mut s);
    assert!(text.contains("Month-end checks"), "{text}");
    assert!(text.contains("explanation adds up"), "{text}");
    press(&mut s, &["Esc"]);
    // The first month has nothing before it: the movers step says so.
    press(&mut s, &["["]);
    assert!(screen(&mut s).contains("Month-end close, 2026-09"));
    select(&mut s, "step:movers");
    press(&mut s, &["Enter"]);
    let text = screen(&mut s);
    assert!(text.contains("2026-08 has no data"), "{text}");
}

#[test]
fn statements_are_exported_from_a_group_and_for_every_group_from_the_checklist() {
    let (dir, path) = demo_copy();
    let mut s = open(&path);
    // One group's statement, from the Billing groups tab: the file is offered beside the
    // workspace and written there.
    press(&mut s, &["2"]);
    select(&mut s, "retail");
    press(&mut s, &["E"]);
    assert!(matches!(s.app.mode, Mode::Picker(_)), "{:?}", s.app.mode);
    let text = screen(&mut s);
    assert!(
        text.contains("Statement, HTML") && text.contains("Pro forma CUR"),
        "{text}"
    );
    press(&mut s, &["Enter"]);
    let Mode::Prompt(p) = &s.app.mode else {
        panic!("{:?}", s.app.mode)
    };
    let file = std::path::PathBuf::from(&p.text);
    assert_eq!(file.parent(), path.parent());
    assert_eq!(file.extension().and_then(|e| e.to_str()), Some("html"));
    press(&mut s, &["Enter"]);
    let said = s.app.status.0.clone().unwrap_or_default();
    assert!(
        said.contains("of retail written to") && said.contains("DRAFT"),
        "{said}"
    );
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains("retail") && html.contains("DRAFT"));
    // The same file again is refused (nothing overwritten) and the prompt stays.
    press(&mut s, &["E", "Enter", "Enter"]);
    assert!(matches!(s.app.mode, Mode::Prompt(_)));
    assert!(s.app.status.0.as_deref().unwrap_or("").contains("exists"));
    press(&mut s, &["Esc"]);

    // Every group's statement from the checklist's Export step, as CSV into a directory.
    press(&mut s, &["8"]);
    let row = step_row(&s, "step:export");
    assert!(
        // The demo payer's five groups and Globex's transfer group (Initech's is Globex's
        // to bill: a level-2 transfer).
        row[3].contains("final statements for 0 of 6 billing groups (drafts only: 1"),
        "{row:?}"
    );
    select(&mut s, "step:export");
    press(&mut s, &["Enter", "Down", "Enter"]);
    let Mode::Prompt(p) = &s.app.mode else {
        panic!("{:?}", s.app.mode)
    };
    assert!(p.text.ends_with("statements-2026-10"), "{}", p.text);
    press(&mut s, &["Enter"]);
    let out = dir.path().join("statements-2026-10");
    let files: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(files.len(), 6, "{files:?}");
    // Drafts of an open period do not finish the step; final statements of the closed one do.
    let row = step_row(&s, "step:export");
    assert_eq!(row[1], "TODO", "{row:?}");
    select(&mut s, "step:close");
    press(&mut s, &["Enter", "\"done\"", "Enter"]);
    select(&mut s, "step:export");
    press(&mut s, &["Enter", "Down", "Enter"]);
    let Mode::Prompt(p) = &s.app.mode else {
        panic!("{:?}", s.app.mode)
    };
    let dir2 = format!("{}-final", p.text);
    for _ in 0..p.text.chars().count() {
        press(&mut s, &["Backspace"]);
    }
    press(&mut s, &[&format!("\"{dir2}\""), "Enter"]);
    let row = step_row(&s, "step:export");
    assert_eq!(row[1], "DONE", "{row:?}");
    // The History tab lists what was issued.
    press(&mut s, &["9"]);
    assert!(screen(&mut s).contains("2026-10-0001"));
}

/// Σ of a pro forma CUR's `lineItem/UnblendedCost` column (gzip CSV).
fn cur_total(file: &Path) -> Decimal {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(file).unwrap());
    let mut r = csv::Reader::from_reader(gz);
    let col = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "lineItem/UnblendedCost")
        .expect("cost column");
    r.records()
        .map(|rec| rec.unwrap()[col].parse::<Decimal>().unwrap())
        .sum()
}

#[test]
fn a_groups_pro_forma_cur_is_exported_from_the_group_screen_and_ties_to_its_pro_forma() {
    let (_dir, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["2"]);
    select(&mut s, "fintech");
    // From inside the group (its services) as from the list.
    press(&mut s, &["Enter", "E", "End", "Enter"]);
    let Mode::Prompt(p) = &s.app.mode else {
        panic!("{:?}", s.app.mode)
    };
    let file = std::path::PathBuf::from(&p.text);
    assert!(
        p.text.ends_with("fintech-2026-10-proforma-cur.csv.gz"),
        "{}",
        p.text
    );
    press(&mut s, &["Enter"]);
    let said = s.app.status.0.clone().unwrap_or_default();
    assert!(
        said.contains("pro forma CUR of fintech written to"),
        "{said}"
    );
    let g = s.app.data.group_index("fintech").unwrap();
    let exact = s.app.data.pricing.groups[g].proforma();
    let total = cur_total(&file);
    assert!(
        (total - exact).abs() < Decimal::new(1, 8),
        "{total} vs {exact}"
    );
}

#[test]
fn the_customer_presentation_shows_pro_forma_only() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    // The internal overview's AWS cost and margin of retail, as shown.
    let col = |s: &Session, title: &str| s.app.model.columns.iter().position(|c| c.title == title);
    let retail = s.app.model.keys.iter().position(|k| k == "retail").unwrap();
    let aws = s.app.model.rows[retail][col(&s, "AWS cost").unwrap()].clone();
    let margin = s.app.model.rows[retail][col(&s, "Margin").unwrap()].clone();
    let proforma = s.app.model.rows[retail][col(&s, "Pro forma").unwrap()].clone();
    let total = s.app.model.totals.clone().unwrap()[col(&s, "Pro forma").unwrap()].clone();
    press(&mut s, &["P"]);
    assert!(s.app.customer);
    let text = screen(&mut s);
    assert!(text.contains("customer"), "{text}");
    for hidden in [aws.as_str(), margin.as_str()] {
        assert!(!text.contains(hidden), "{hidden} shown:\n{text}");
    }
    let titles: Vec<&str> = s
        .app
        .model
        .columns
        .iter()
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(titles, ["Billing group", "Pro forma"]);
    assert!(
        !s.app
            .model
            .keys
            .iter()
            .any(|k| k.contains("unmonitored") || k.contains("tax")),
        "{:?}",
        s.app.model.keys
    );
    assert!(text.contains(&proforma) && text.contains(&total), "{text}");
    // Groups drill down the same way; internal tabs show nothing; explain is refused.
    press(&mut s, &["2"]);
    select(&mut s, "retail");
    press(&mut s, &["Enter"]);
    let text = screen(&mut s);
    assert!(
        !text.contains("Billable") && !text.contains("Margin"),
        "{text}"
    );
    assert!(s.app.detail.is_none());
    press(&mut s, &["x"]);
    assert!(
        s.app
            .status
            .0
            .as_deref()
            .unwrap_or("")
            .contains("customer presentation")
    );
    press(&mut s, &["6"]);
    let titles: Vec<&str> = s
        .app
        .model
        .columns
        .iter()
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(
        titles,
        ["", "Account", "Name", "Billing group", "Pro forma"]
    );
    for tab in ["3", "4", "8", "9"] {
        press(&mut s, &[tab]);
        assert!(
            s.app.model.rows.is_empty(),
            "tab {tab}: {:?}",
            s.app.model.rows
        );
        assert!(screen(&mut s).contains("hidden in the customer presentation"));
    }
    // P again: everything is back.
    press(&mut s, &["P", "1"]);
    assert!(screen(&mut s).contains("AWS cost"));
}

/// One invoice total for several payers (the demo pays the invoices of two more
/// organisations): the checklist says why the checks cannot run and how to tie out instead.
#[test]
fn one_total_for_several_payers_says_why_on_the_checklist() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["8"]);
    select(&mut s, "step:tie-out");
    press(&mut s, &["Enter", "\"100\"", "Enter"]);
    let row = step_row(&s, "step:tie-out");
    assert_eq!(row[1], "FAIL", "{row:?}");
    assert!(
        row[3].contains("could not run") && row[3].contains("3 payers"),
        "{row:?}"
    );
}
