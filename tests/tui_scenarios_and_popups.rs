//! What a new user found after the restructure (issue 9), each now a story: scenario edits stay
//! in the scenario, prompts keep what is typed, popups close on q, a many-object undo asks,
//! an explanation scrolls to its last line on a small screen.

mod common;

use common::tui::{choose, demo_copy, open, press, screen_at, select};
use proforma::app::Mode;
use proforma::store::Workspace;

fn groups_of(path: &std::path::Path) -> Vec<(String, usize)> {
    let ws = Workspace::open(path).unwrap();
    let p = "2026-10".parse().unwrap();
    ws.config_at(p)
        .unwrap()
        .groups
        .into_iter()
        .map(|g| (g.name, g.accounts.len()))
        .collect()
}

#[test]
fn assigning_accounts_in_a_scenario_leaves_the_baseline_alone() {
    let (_d, path) = demo_copy();
    let before = groups_of(&path);
    let mut s = open(&path);
    press(&mut s, &["w"]);
    choose(&mut s, "new scenario");
    press(&mut s, &["\"raise labs\"", "Enter"]);
    assert!(s.app.scenario.is_some());
    press(&mut s, &["6"]);
    // An account in no group.
    let unmonitored = s
        .app
        .visible
        .iter()
        .map(|&r| s.app.model.keys[r].clone())
        .find(|id| {
            !s.app
                .data
                .config
                .groups
                .iter()
                .any(|g| g.accounts.contains(id))
        })
        .expect("an unmonitored account");
    select(&mut s, &unmonitored);
    press(&mut s, &["Space", "a"]);
    choose(&mut s, "labs");
    let status = s.app.status.0.clone().unwrap_or_default();
    assert!(status.contains("in scenario 'raise labs'"), "{status}");
    assert_eq!(groups_of(&path), before, "the baseline is unchanged");
    let scenario = s.app.scenario_data.as_ref().unwrap();
    let labs = scenario
        .config
        .groups
        .iter()
        .find(|g| g.name == "labs")
        .unwrap();
    assert!(labs.accounts.contains(&unmonitored), "the scenario has it");
    assert_eq!(
        s.app.scenario.as_ref().unwrap().changes,
        1,
        "one group changed in the scenario"
    );
}

#[test]
fn the_scenarios_plan_shows_beside_the_scenarios_numbers() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["w"]);
    choose(&mut s, "new scenario");
    press(&mut s, &["\"re-plan\"", "Enter", "2"]);
    select(&mut s, "fintech");
    press(&mut s, &["e"]);
    let form = s.app.form().unwrap();
    let plan = form.fields.iter().position(|f| f.key == "plan").unwrap();
    while s.app.form().unwrap().focus != plan {
        press(&mut s, &["Tab"]);
    }
    while s.app.form().unwrap().field("plan") != "standard-markup" {
        press(&mut s, &["Right"]);
    }
    press(&mut s, &["Ctrl-s"]);
    assert!(s.app.form().is_none(), "{:?}", s.app.status);
    let m = &s.app.model;
    let plan_col = m.columns.iter().position(|c| c.title == "Plan").unwrap();
    let row = m.keys.iter().position(|k| k == "fintech").unwrap();
    assert_eq!(
        m.rows[row][plan_col], "standard-markup",
        "{:?}",
        m.rows[row]
    );
}

#[test]
fn an_empty_scenario_name_keeps_the_prompt_and_what_is_typed_next() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["w"]);
    choose(&mut s, "new scenario");
    press(&mut s, &["Enter"]);
    assert!(
        matches!(s.app.mode, Mode::Prompt(_)),
        "still asking: {:?}",
        s.app.mode
    );
    assert_eq!(s.app.status.0.as_deref(), Some("a scenario needs a name"));
    // The name typed now is the scenario's, not commands (s would sort, e would edit).
    press(&mut s, &["\"se\"", "Enter"]);
    assert_eq!(s.app.scenario.as_ref().map(|x| x.name.as_str()), Some("se"));
    // A name that exists is refused and the prompt stays with it.
    press(&mut s, &["w"]);
    choose(&mut s, "new scenario");
    press(&mut s, &["\"se\"", "Enter"]);
    assert!(s.app.refusal, "{:?}", s.app.status);
    assert!(matches!(&s.app.mode, Mode::Prompt(p) if p.text == "se"));
}

#[test]
fn q_closes_help_explain_and_pickers_instead_of_quitting() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    for keys in [&["?"][..], &["x"], &["v"], &["w"]] {
        press(&mut s, keys);
        assert!(!matches!(s.app.mode, Mode::Normal), "{keys:?} opens");
        press(&mut s, &["q"]);
        assert!(!s.app.quit, "q closed {keys:?}, did not quit");
        assert!(matches!(s.app.mode, Mode::Normal));
    }
    press(&mut s, &["q"]);
    assert!(s.app.quit);
}

#[test]
fn undoing_a_change_of_many_objects_asks_first() {
    let (_d, path) = demo_copy();
    // The demo's configuration import is 33 objects, made by a session that has ended.
    let mut s = open(&path);
    press(&mut s, &["u"]);
    let text = screen_at(&mut s, 100, 30);
    assert!(
        matches!(s.app.mode, Mode::Confirm(_)),
        "asks: {:?}",
        s.app.mode
    );
    assert!(text.contains("Undo 33 changes"), "{text}");
    let before = groups_of(&path);
    press(&mut s, &["n"]);
    assert_eq!(groups_of(&path), before, "n keeps everything");
    assert_eq!(s.app.status.0.as_deref(), Some("nothing undone"));
    press(&mut s, &["u", "y"]);
    assert!(groups_of(&path).is_empty(), "y undoes the import");
    let status = s.app.status.0.clone().unwrap_or_default();
    assert!(status.starts_with("undid 33 changes"), "{status}");
}

#[test]
fn an_explanation_scrolls_to_its_last_line_at_80x24() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["1"]);
    select(&mut s, "retail");
    press(&mut s, &["x"]);
    let Mode::Explain(e) = &s.app.mode else {
        panic!("{:?}", s.app.mode)
    };
    let last = e
        .text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap()
        .trim()
        .to_string();
    // Draw once (the painter measures the wrapped text), then End.
    screen_at(&mut s, 80, 24);
    press(&mut s, &["End"]);
    let text = screen_at(&mut s, 80, 24);
    let tail: String = last.chars().take(30).collect();
    assert!(
        text.contains(&tail),
        "'{tail}' not on the last page:\n{text}"
    );
    // And back up by one line at once.
    press(&mut s, &["k"]);
    assert!(matches!(&s.app.mode, Mode::Explain(e) if e.scroll > 0));
}

#[test]
fn the_top_bar_keeps_the_scenario_and_its_count_whole_at_80_columns() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["w"]);
    choose(&mut s, "new scenario");
    press(
        &mut s,
        &["\"what-if-retail-gets-a-bigger-markup\"", "Enter"],
    );
    let top = |s: &mut proforma::tui::Session, width: u16| {
        let text = screen_at(s, width, 24);
        let top = text.lines().next().unwrap().trim_end().to_string();
        assert!(top.chars().count() <= usize::from(width), "{top}");
        top
    };
    let wide = top(&mut s, 140);
    assert!(
        wide.contains("scenario: what-if-retail-gets-a-bigger-markup (0 changes)"),
        "{wide}"
    );
    // Narrow: the names give way with an ellipsis; the count of changes stays whole.
    let narrow = top(&mut s, 80);
    assert!(narrow.ends_with("… (0 changes)"), "{narrow}");
    assert!(narrow.contains("what-if"), "{narrow}");
}

/// Opens a new scenario named `name`.
fn new_scenario(s: &mut proforma::tui::Session, name: &str) {
    press(s, &["w"]);
    choose(s, "new scenario");
    press(s, &[&format!("\"{name}\""), "Enter"]);
    assert!(s.app.scenario.is_some(), "{:?}", s.app.status);
}

#[test]
fn u_in_a_scenario_never_undoes_the_baseline() {
    let (_d, path) = demo_copy();
    let before = groups_of(&path);
    let mut s = open(&path);
    new_scenario(&mut s, "draft");
    let footer = screen_at(&mut s, 160, 30);
    assert!(
        !footer.lines().last().unwrap_or_default().contains("u undo"),
        "not offered in a scenario: {footer}"
    );
    press(&mut s, &["u"]);
    assert!(s.app.refusal, "{:?}", s.app.status);
    assert!(
        matches!(s.app.mode, Mode::Normal),
        "no question: nothing to undo here"
    );
    assert_eq!(groups_of(&path), before, "the baseline is untouched");
}

#[test]
fn a_scenarios_overview_unmonitored_line_is_the_scenarios() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    new_scenario(&mut s, "move");
    // Move one unmonitored account into labs, in the scenario.
    press(&mut s, &["6"]);
    let grouped: Vec<String> = s
        .app
        .data
        .config
        .groups
        .iter()
        .flat_map(|g| g.accounts.iter().cloned())
        .collect();
    let account = s
        .app
        .visible
        .iter()
        .map(|&r| s.app.model.keys[r].clone())
        .find(|k| !grouped.contains(k))
        .unwrap();
    select(&mut s, &account);
    press(&mut s, &["Space", "a"]);
    choose(&mut s, "labs");
    press(&mut s, &["1"]);
    let scenario = s.app.scenario_data.as_ref().unwrap();
    let shown = scenario.shown_invoice();
    let m = &s.app.model;
    let aws = m
        .columns
        .iter()
        .position(|c| c.title == "AWS cost")
        .unwrap();
    let row = m.rows.iter().find(|r| r[0] == "Unmonitored").unwrap();
    assert_eq!(
        row[aws],
        proforma::money::fmt_grouped(shown.unmonitored_aws),
        "the scenario's unmonitored spend"
    );
}

#[test]
fn a_view_made_in_a_scenario_can_be_chosen_there() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    new_scenario(&mut s, "views");
    press(&mut s, &["7", "n"]);
    press(&mut s, &["\"Customer demo view\"", "Ctrl-s"]);
    assert!(s.app.form().is_none(), "{:?}", s.app.status);
    press(&mut s, &["v"]);
    choose(&mut s, "Customer demo view");
    assert_eq!(s.app.view, "custom:Customer demo view");
}

#[test]
fn promote_asks_and_an_empty_scenario_has_nothing_to_promote() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    new_scenario(&mut s, "empty");
    press(&mut s, &["w"]);
    choose(&mut s, "promote");
    assert!(s.app.refusal, "{:?}", s.app.status);
    assert!(
        s.app
            .status
            .0
            .as_deref()
            .unwrap()
            .contains("nothing to promote")
    );
    assert!(s.app.scenario.is_some(), "still open");
}

#[test]
fn long_scenario_names_stay_apart_in_the_menu() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    let base = "Q4 pricing proposal for ACME Corporation with retail discount and new fees";
    new_scenario(&mut s, base);
    new_scenario(&mut s, &format!("{base} v2"));
    press(&mut s, &["w"]);
    let labels: Vec<String> = s
        .app
        .picker()
        .unwrap()
        .options
        .iter()
        .map(|(l, _)| l.clone())
        .filter(|l| l.starts_with("open "))
        .collect();
    assert_eq!(labels.len(), 2);
    assert_ne!(labels[0], labels[1], "{labels:?}");
    assert!(
        labels.iter().any(|l| l.contains("v2' (0 changes)")),
        "{labels:?}"
    );
    let text = screen_at(&mut s, 80, 24);
    for l in &labels {
        assert!(text.contains(l.as_str()), "'{l}' whole on screen:\n{text}");
    }
}

#[test]
fn f_jumps_to_a_row_by_typing_its_name_and_esc_goes_back() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["6"]);
    let start = s.app.selection();
    press(&mut s, &["f", "\"legacy\""]);
    let key = s.app.selected_key().unwrap();
    let row = s.app.model.keys.iter().position(|k| *k == key).unwrap();
    let name = s.app.model.rows[row].join(" ");
    assert!(name.contains("legacy"), "{name}");
    press(&mut s, &["Esc"]);
    assert_eq!(s.app.selection(), start, "Esc goes back");
    press(&mut s, &["f", "\"legacy\"", "Enter"]);
    assert!(matches!(s.app.mode, Mode::Normal));
    assert_ne!(s.app.selection(), start, "Enter stays on the row found");
}
