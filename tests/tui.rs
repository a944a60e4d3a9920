//! The TUI on a TestBackend: snapshots of every screen at 80x24 and 120x40, scripted key
//! stories, and the numbers on screen against `proforma report`.

mod common;

use proforma::app::Tab;
use proforma::tui::Session;
use std::path::PathBuf;

fn demo_path() -> PathBuf {
    common::demo_workspace()
}

fn session() -> Session {
    common::tui::open(&demo_path())
}

use common::tui::render;

fn press(s: &mut Session, keys: &str) {
    common::tui::keys(s, keys);
}

fn snap(name: &str, keys: &str) {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut s = session();
        press(&mut s, keys);
        // Render once so paging knows the table height, then again for the snapshot.
        render(&mut s, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(&mut s, w, h));
    }
}

#[test]
fn screen_overview() {
    snap("overview", "");
}

#[test]
fn screen_groups_list() {
    snap("groups", "2");
}

#[test]
fn screen_group_services() {
    snap("group_services", "2 End Enter");
}

#[test]
fn screen_group_usage_types() {
    snap("group_usage_types", "2 End Enter Enter");
}

#[test]
fn screen_group_accounts() {
    snap("group_accounts", "2 End Enter Enter Enter");
}

#[test]
fn screen_plans() {
    snap("plans", "3");
}

#[test]
fn screen_rules() {
    snap("rules", "4");
}

#[test]
fn screen_items() {
    snap("items", "5");
}

#[test]
fn screen_accounts() {
    snap("accounts", "6");
}

#[test]
fn screen_views() {
    snap("views", "7");
}

#[test]
fn screen_views_by_account() {
    snap("views_by_account", "7 g");
}

#[test]
fn screen_reconcile() {
    snap("reconcile", "8");
}

#[test]
fn screen_history() {
    snap("history", "9");
}

#[test]
fn overlay_help() {
    snap("help", "?");
}

#[test]
fn overlay_explain() {
    snap("explain", "x");
}

#[test]
fn overlay_view_picker() {
    snap("view_picker", "v");
}

#[test]
fn story_switch_period_and_back() {
    let mut s = session();
    assert!(render(&mut s, 120, 40).contains("period 2026-10 (2/2)"));
    press(&mut s, "]");
    assert!(render(&mut s, 120, 40).contains("no later period with data"));
    press(&mut s, "[");
    let screen = render(&mut s, 120, 40);
    assert!(screen.contains("period 2026-09 (1/2)"), "{screen}");
    assert!(screen.contains("Billing groups, 2026-09"), "{screen}");
    // September has the labs launch credit, October does not.
    press(&mut s, "5");
    let items = render(&mut s, 120, 40);
    let labs_line = items
        .lines()
        .find(|l| l.contains("labs-ec2-credit"))
        .unwrap()
        .to_string();
    assert!(
        labs_line
            .trim_end_matches(['│', ' '])
            .ends_with(|c: char| c.is_ascii_digit()),
        "{labs_line}"
    );
    press(&mut s, "]");
    let items = render(&mut s, 120, 40);
    let labs_line = items
        .lines()
        .find(|l| l.contains("labs-ec2-credit"))
        .unwrap()
        .to_string();
    assert!(labs_line.contains('–'), "inactive in October: {labs_line}");
}

#[test]
fn story_switch_view() {
    let mut s = session();
    press(&mut s, "v");
    let picker = render(&mut s, 120, 40);
    assert!(picker.contains(" Billing view "), "{picker}");
    assert!(
        picker.contains("Enter choose"),
        "the footer says how: {picker}"
    );
    // The primary views, the groups, the custom views and the transfers' views: pick the
    // first custom view.
    common::tui::choose(&mut s, "Commerce  (CUSTOM)");
    assert_eq!(s.app.tab, Tab::Views);
    assert_eq!(s.app.view, "custom:Commerce");
    let screen = render(&mut s, 120, 40);
    assert!(screen.contains("Commerce (CUSTOM) by service"), "{screen}");
    press(&mut s, "g");
    assert!(render(&mut s, 120, 40).contains("by account"));
}

#[test]
fn story_drill_down_explain_and_back() {
    let mut s = session();
    press(&mut s, "2");
    let list = render(&mut s, 120, 40);
    assert!(list.contains("retail"));
    press(&mut s, "End Enter");
    assert!(render(&mut s, 120, 40).contains("retail by service"));
    press(&mut s, "Enter");
    let usage = render(&mut s, 120, 40);
    assert!(usage.contains("retail › "), "{usage}");
    press(&mut s, "x");
    let explain = render(&mut s, 120, 40);
    assert!(
        explain.contains("Explain: billing group 'retail', PRODUCT_NAME = "),
        "{explain}"
    );
    assert!(explain.contains("base x factor = result"), "{explain}");
    press(&mut s, "Esc");
    assert!(matches!(s.app.mode, proforma::app::Mode::Normal));
    press(&mut s, "Esc Esc");
    assert!(render(&mut s, 120, 40).contains("Billing groups, 2026-10"));
    press(&mut s, "Esc");
    assert_eq!(s.app.group_path.len(), 1, "Esc at the top stays there");
}

#[test]
fn story_filter_and_sort() {
    let mut s = session();
    press(&mut s, "6 / r e t a i l");
    let screen = render(&mut s, 120, 40);
    assert!(screen.contains("filter: retail"), "{screen}");
    assert_eq!(s.app.visible.len(), 8, "the eight retail accounts");
    press(&mut s, "Enter");
    assert!(!s.app.filtering());
    press(&mut s, "Esc");
    assert!(s.app.visible.len() > 30, "Esc clears the filter");
    press(&mut s, "1 s s s s");
    let screen = render(&mut s, 120, 40);
    assert!(screen.contains("sorted by AWS cost"), "{screen}");
    // Largest AWS cost first among groups; unmonitored and tax stay last.
    let first = s.app.model.rows[s.app.visible[0]][0].clone();
    assert_eq!(first, "retail");
    assert_eq!(s.app.model.rows[*s.app.visible.last().unwrap()][0], "Tax");
}

#[test]
fn story_help_and_quit() {
    let mut s = session();
    press(&mut s, "F1");
    let help = render(&mut s, 120, 40);
    assert!(help.contains("explain the selected number"), "{help}");
    press(&mut s, "j");
    assert!(
        matches!(s.app.mode, proforma::app::Mode::Help(_)),
        "j scrolls the help"
    );
    press(&mut s, "Esc");
    assert!(
        matches!(s.app.mode, proforma::app::Mode::Normal),
        "any other key closes help"
    );
    press(&mut s, "q");
    assert!(s.app.quit);
}

#[test]
fn story_mouse() {
    use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut s = session();
    render(&mut s, 120, 40);
    let (x, _, _) = s.hits.tabs[2];
    s.mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x + 1,
        row: s.hits.tab_row,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(s.app.tab, Tab::Plans);
    press(&mut s, "1");
    render(&mut s, 120, 40);
    let body = s.hits.body;
    s.mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: body.x + 2,
        row: body.y,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(s.app.selection(), 1);
    s.mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: body.x + 2,
        row: body.y + 4,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(s.app.selection(), 4);
    // A second click on the selected row opens it.
    s.mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: body.x + 2,
        row: body.y + 4,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(s.app.tab, Tab::Groups);
}

#[test]
fn resize_keeps_the_selection_visible() {
    let mut s = session();
    press(&mut s, "6 End");
    let big = render(&mut s, 120, 40);
    let small = render(&mut s, 80, 12);
    let selected = s.app.model.rows[s.app.selected_row().unwrap()][0].clone();
    assert!(
        big.contains(&selected) && small.contains(&selected),
        "{small}"
    );
}

/// The numbers on screen are the numbers `proforma report` prints.
#[test]
fn screen_numbers_equal_the_report() {
    let out = common::bin()
        .arg("report")
        .arg(demo_path())
        .args(["--period", "2026-10", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut s = session();
    let screen = render(&mut s, 120, 40);
    let mut checked = 0;
    for rec in csv.lines().skip(1) {
        let f: Vec<&str> = rec.split(',').collect();
        let (name, aws, proforma, margin) = (f[1], f[2], f[3], f[4]);
        let fmt = |v: &str| proforma::money::fmt_grouped(v.parse().unwrap());
        let line = screen
            .lines()
            .find(|l| l.starts_with(&format!("│{name} ")))
            .unwrap_or_else(|| panic!("{name} not on screen:\n{screen}"));
        for v in [aws, proforma, margin] {
            assert!(line.contains(&fmt(v)), "{name}: {} not in {line}", fmt(v));
        }
        checked += 1;
    }
    assert_eq!(checked, 6);
    // And a drilled-down group equals its report by PRODUCT_NAME.
    let out = common::bin()
        .arg("report")
        .arg(demo_path())
        .args([
            "--period",
            "2026-10",
            "--group",
            "media",
            "--group-by",
            "PRODUCT_NAME",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    press(&mut s, "2");
    common::tui::select(&mut s, "media");
    press(&mut s, "Enter");
    let screen = render(&mut s, 120, 60);
    assert!(screen.contains("media by service"), "{screen}");
    for rec in csv::Reader::from_reader(csv.as_bytes()).records() {
        let rec = rec.unwrap();
        let fmt = |v: &str| proforma::money::fmt_grouped(v.parse().unwrap());
        let line = screen
            .lines()
            .find(|l| l.starts_with(&format!("│{} ", &rec[2])))
            .unwrap_or_else(|| panic!("{} missing", &rec[2]));
        assert!(
            line.contains(&fmt(&rec[3])) && line.contains(&fmt(&rec[4])),
            "{line}"
        );
    }
}

/// No screen, overlay or form panics on tiny or odd terminal sizes.
#[test]
fn tiny_terminals_never_panic() {
    for (w, h) in [(1u16, 1u16), (5, 2), (12, 4), (30, 8), (45, 12), (250, 3)] {
        for keys in [
            "",
            "2 Enter",
            "2 Enter Enter Enter",
            "3",
            "4 e",
            "5 n",
            "6 Space a",
            "7",
            "8 c",
            "9",
            "?",
            "x",
            "v",
            "w",
            "3 d",
        ] {
            let mut s = session();
            press(&mut s, keys);
            render(&mut s, w, h);
            press(&mut s, "j");
            render(&mut s, w, h);
        }
    }
}

/// A refusal is shown whole, wrapped in a box (not cut in the footer), and goes at the next key.
#[test]
fn story_refusals_are_shown_whole_in_a_box() {
    let (_d, path) = common::tui::demo_copy();
    let mut s = common::tui::open(&path);
    common::tui::press(&mut s, &["8", "c", "\"month end\"", "Enter", "2", "n"]);
    let screen = render(&mut s, 80, 24);
    assert!(screen.contains("Not done"), "{screen}");
    // The box's lines, without borders, read as the whole message.
    let boxed: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("Not done"))
        .collect();
    let text = boxed
        .join(" ")
        .replace(['│', '└', '┘', '─'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("is closed: reopen it on the Reconcile tab to edit"),
        "{screen}"
    );
    press(&mut s, "j");
    assert!(!render(&mut s, 80, 24).contains("Not done"));
}

/// Enter on a pricing plan lists its rules; Esc goes back to the plans.
#[test]
fn story_enter_on_a_plan_opens_its_rules() {
    let mut s = session();
    press(&mut s, "3");
    common::tui::select(&mut s, "media-delivery");
    press(&mut s, "Enter");
    let screen = render(&mut s, 120, 40);
    assert!(
        screen.contains("Pricing rules of plan media-delivery"),
        "{screen}"
    );
    assert_eq!(s.app.visible.len(), 2, "its two rules");
    press(&mut s, "Esc");
    assert_eq!(s.app.tab, Tab::Plans);
}

/// `s` offers only the columns on screen: a column an 80-column screen drops is not sorted by.
#[test]
fn story_sort_offers_only_the_columns_on_screen() {
    let mut s = session();
    press(&mut s, "4");
    let shown = |s: &mut Session| {
        let text = render(s, 80, 24);
        text.lines().nth(3).unwrap_or_default().to_string()
    };
    let header = shown(&mut s);
    let mut sorted_by = Vec::new();
    for _ in 0..s.app.model.columns.len() + 1 {
        press(&mut s, "s");
        let status = s.app.status.0.clone().unwrap_or_default();
        if let Some(c) = status.strip_prefix("sorted by ") {
            sorted_by.push(c.to_string());
        }
        shown(&mut s);
    }
    assert!(!sorted_by.is_empty());
    for c in &sorted_by {
        assert!(
            header.contains(c.as_str()),
            "sorted by {c}, not on screen: {header}"
        );
    }
}
