//! Editing from the TUI: every form (create, invalid input and its message, fix, save, numbers
//! change, restart, still there), delete refusals, undo/redo, closed periods.

mod common;

use common::tui::{demo_copy, open, press, select};

fn screen(s: &mut Session) -> String {
    common::tui::screen_at(s, 140, 50)
}

use proforma::app::Tab;
use proforma::store::Workspace;
use proforma::tui::Session;

/// Picks the scenario menu entry starting with `prefix`.
fn choose_scenario_option(s: &mut Session, prefix: &str) {
    common::tui::choose(s, prefix);
}

fn proforma_of(s: &Session, group: &str) -> rust_decimal::Decimal {
    let g = s.app.data.group_index(group).unwrap();
    s.app.data.pricing.groups[g].proforma()
}

#[test]
fn rule_form_validates_previews_saves_and_survives_a_restart() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    let before = proforma_of(&s, "retail");
    press(&mut s, &["4"]);
    select(&mut s, "global-markup-10");
    press(&mut s, &["e"]);
    assert!(screen(&mut s).contains("Edit pricing rule — applies from 2026-10 onward"));
    // To the percentage: name, description, scope, type, percentage.
    press(
        &mut s,
        &[
            "Tab",
            "Tab",
            "Tab",
            "Tab",
            "Backspace",
            "Backspace",
            "\"-5\"",
        ],
    );
    let text = screen(&mut s);
    assert!(text.contains("ILLEGAL_MODIFIER_PERCENTAGE"), "{text}");
    press(&mut s, &["Ctrl-s"]);
    assert!(s.app.form().is_some(), "an invalid form is not saved");
    // More than 2 decimals: refused, never rounded (the configuration files' rule).
    press(&mut s, &["Backspace", "Backspace", "\"10.125\""]);
    let text = screen(&mut s);
    assert!(
        text.contains("ILLEGAL_MODIFIER_PERCENTAGE") && text.contains("10.12 or 10.13"),
        "{text}"
    );
    press(&mut s, &["Ctrl-s"]);
    assert!(
        s.app.form().is_some(),
        "a percentage with 3 decimals is not saved"
    );
    for _ in 0..6 {
        press(&mut s, &["Backspace"]);
    }
    press(&mut s, &["\"20\""]);
    let text = screen(&mut s);
    assert!(
        text.contains("preview, 2026-10:") && text.contains("retail: pro forma"),
        "{text}"
    );
    press(&mut s, &["Ctrl-s"]);
    assert!(s.app.form().is_none());
    assert!(
        s.app
            .status
            .0
            .as_deref()
            .unwrap_or("")
            .contains("saved from 2026-10 on"),
        "{:?}",
        s.app.status
    );
    let after = proforma_of(&s, "retail");
    assert!(after > before, "{after} should exceed {before}");
    // September keeps the old rule.
    drop(s);
    let mut s = open(&path);
    assert_eq!(
        proforma_of(&s, "retail"),
        after,
        "still there after a restart"
    );
    press(&mut s, &["["]);
    let sept = Workspace::open(&path)
        .unwrap()
        .config_at("2026-09".parse().unwrap())
        .unwrap();
    assert_eq!(
        sept.rules
            .iter()
            .find(|r| r.name == "global-markup-10")
            .unwrap()
            .modifier,
        Some(10.into())
    );
    // Undo from the TUI, then redo.
    press(&mut s, &["]", "u"]);
    assert_eq!(proforma_of(&s, "retail"), before);
    press(&mut s, &["Ctrl-r"]);
    assert_eq!(proforma_of(&s, "retail"), after);
}

#[test]
fn group_form_creates_a_group_from_account_names() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    let unmonitored = s.app.data.pricing.unmonitored.aws_cost;
    press(
        &mut s,
        &[
            "2",
            "n",
            "\"health\"",
            "Tab",
            "\"Health records\"",
            "Tab",
            "\"health-portal\"",
            "Tab",
            "\"health-records, health-dev\"",
        ],
    );
    press(&mut s, &["Enter"]);
    let text = screen(&mut s);
    assert!(text.contains("PRIMARY_NOT_ASSOCIATED"), "{text}");
    assert!(s.app.form().is_some());
    press(
        &mut s,
        &[
            "\", health-portal, health-imaging\"",
            "Tab",
            "Right",
            "Enter",
        ],
    );
    assert!(s.app.form().is_none(), "{}", screen(&mut s));
    assert!(s.app.data.group_index("health").is_ok());
    assert!(
        s.app.data.pricing.unmonitored.aws_cost < unmonitored,
        "the health accounts are no longer unmonitored"
    );
    let mut s = open(&path);
    assert!(
        screen(&mut s).contains("health"),
        "still there after a restart"
    );
}

#[test]
fn item_form_rejects_bad_numbers_then_adds_a_fee() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    let labs = proforma_of(&s, "labs");
    press(
        &mut s,
        &[
            "5",
            "n",
            "\"labs-support\"",
            "Tab",
            "\"Labs support\"",
            "Tab",
        ],
    );
    // Billing group: cycle to labs.
    while s.app.form().unwrap().field("group") != "labs" {
        press(&mut s, &["Right"]);
    }
    press(&mut s, &["Tab", "Tab", "Tab", "Tab", "\"abc\"", "Enter"]);
    assert!(screen(&mut s).contains("'abc' is not a number"));
    press(
        &mut s,
        &["Backspace", "Backspace", "Backspace", "\"100\"", "Enter"],
    );
    assert!(s.app.form().is_none(), "{}", screen(&mut s));
    assert_eq!(
        proforma_of(&s, "labs"),
        labs + rust_decimal::Decimal::from(100)
    );
    // Type and charge kind cannot change afterwards.
    press(&mut s, &["5"]);
    select(&mut s, "labs-support");
    press(&mut s, &["e"]);
    for _ in 0..4 {
        press(&mut s, &["Tab"]);
    }
    press(&mut s, &["Right"]);
    assert_eq!(s.app.form().unwrap().field("item_type"), "FEE");
    assert!(
        s.app
            .status
            .0
            .as_deref()
            .unwrap_or("")
            .contains("cannot change")
    );
    // Esc on an unchanged form closes it at once.
    press(&mut s, &["Esc"]);
    assert!(s.app.form().is_none());
}

#[test]
fn plan_form_adds_a_rule_and_numbers_move() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    let media = proforma_of(&s, "media");
    press(&mut s, &["3"]);
    select(&mut s, "media-delivery");
    press(&mut s, &["e", "Tab", "Tab", "\", ec2-markup-15\"", "Enter"]);
    assert!(s.app.form().is_none(), "{}", screen(&mut s));
    assert!(proforma_of(&s, "media") > media);
    // A rule that does not exist is refused with its code.
    select(&mut s, "media-delivery");
    press(&mut s, &["e", "Tab", "Tab", "\", nope\"", "Enter"]);
    assert!(screen(&mut s).contains("PRICINGRULES_NOT_EXIST"));
    // Esc on a changed form asks first.
    press(&mut s, &["Esc"]);
    assert!(s.app.form().is_some());
    press(&mut s, &["Esc"]);
    assert!(s.app.form().is_none());
}

#[test]
fn deletes_ask_first_and_refuse_what_spec_forbids() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["3"]);
    select(&mut s, "standard-markup");
    press(&mut s, &["d"]);
    assert!(screen(&mut s).contains("Delete pricing plan 'standard-markup' from 2026-10 on?"));
    press(&mut s, &["y"]);
    assert!(
        s.app
            .status
            .0
            .as_deref()
            .unwrap_or("")
            .contains("PRICING_PLAN_ATTACHED_TO_BILLING_GROUP_DELETE_CONFLICT"),
        "{:?}",
        s.app.status
    );
    press(&mut s, &["4"]);
    select(&mut s, "global-markup-10");
    press(&mut s, &["d", "y"]);
    assert!(
        s.app
            .status
            .0
            .as_deref()
            .unwrap_or("")
            .contains("PRICING_RULE_ATTACHED_TO_PRICING_PLAN_DELETE_CONFLICT")
    );
    press(&mut s, &["5"]);
    select(&mut s, "logistics-onboarding");
    press(&mut s, &["d", "n"]);
    assert!(
        s.app
            .data
            .config
            .items
            .iter()
            .any(|i| i.name == "logistics-onboarding"),
        "n keeps it"
    );
    select(&mut s, "logistics-onboarding");
    press(&mut s, &["d", "y"]);
    assert!(
        !s.app
            .data
            .config
            .items
            .iter()
            .any(|i| i.name == "logistics-onboarding")
    );
    press(&mut s, &["u"]);
    assert!(
        s.app
            .data
            .config
            .items
            .iter()
            .any(|i| i.name == "logistics-onboarding"),
        "undo brings it back"
    );
}

#[test]
fn closed_periods_refuse_edits_until_reopened() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["8", "c", "\"invoiced\"", "Enter"]);
    assert!(
        s.app
            .status
            .0
            .as_deref()
            .unwrap_or("")
            .contains("2026-10 closed")
    );
    // The state shows where the user is: the top bar and the Reconcile tab (with the note).
    let text = screen(&mut s);
    assert!(text.contains("(2/2) closed"), "{text}");
    assert!(
        text.contains("o: reopen") && text.contains("invoiced"),
        "{text}"
    );
    press(&mut s, &["4", "e"]);
    assert!(s.app.form().is_none());
    assert!(
        s.app
            .status
            .0
            .as_deref()
            .unwrap_or("")
            .contains("is closed"),
        "{:?}",
        s.app.status
    );
    press(&mut s, &["8", "o", "Enter"]);
    assert!(
        s.app
            .status
            .0
            .as_deref()
            .unwrap_or("")
            .contains("needs a reason")
    );
    press(&mut s, &["o", "\"late credit\"", "Enter"]);
    assert!(s.app.status.0.as_deref().unwrap_or("").contains("reopened"));
    let text = screen(&mut s);
    assert!(
        !text.contains("(2/2) closed") && text.contains("c: close"),
        "{text}"
    );
    press(&mut s, &["4", "e"]);
    assert!(s.app.form().is_some());
    assert_eq!(s.app.tab, Tab::Rules);
}

#[test]
fn view_form_creates_a_custom_view() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(
        &mut s,
        &[
            "7",
            "n",
            "\"Staging\"",
            "Tab",
            "Tab",
            "Tab",
            "Right",
            "Right",
            "Tab",
            "\"user:env\"",
            "Tab",
            "\"staging\"",
            "Enter",
        ],
    );
    assert!(s.app.form().is_none(), "{}", screen(&mut s));
    press(&mut s, &["v"]);
    let text = screen(&mut s);
    assert!(text.contains("Staging  (CUSTOM)"), "{text}");
    common::tui::choose(&mut s, "Staging  (CUSTOM)");
    assert_eq!(s.app.view, "custom:Staging");
    assert!(screen(&mut s).contains("Staging (CUSTOM) by service"));
    // A source that does not exist is refused with its code.
    press(&mut s, &["e", "Tab", "Tab", "\", Nowhere\"", "Enter"]);
    assert!(screen(&mut s).contains("SOURCE_VIEW_NOT_FOUND"));
}

#[test]
fn accounts_are_assigned_in_bulk_and_primaries_stay() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    let labs_accounts = s
        .app
        .data
        .config
        .groups
        .iter()
        .find(|g| g.name == "labs")
        .unwrap()
        .accounts
        .len();
    press(
        &mut s,
        &["6", "/", "\"sandbox\"", "Enter", "Home", "Space", "Space"],
    );
    assert_eq!(s.app.marked.len(), 2);
    assert!(screen(&mut s).contains("●"));
    press(&mut s, &["a"]);
    assert!(screen(&mut s).contains("Assign 2 accounts to"));
    // fintech, labs, ...: move to labs.
    press(&mut s, &["j", "Enter"]);
    assert!(
        s.app
            .status
            .0
            .as_deref()
            .unwrap_or("")
            .contains("2 accounts now in 'labs'"),
        "{:?}",
        s.app.status
    );
    let labs = s
        .app
        .data
        .config
        .groups
        .iter()
        .find(|g| g.name == "labs")
        .unwrap();
    assert_eq!(labs.accounts.len(), labs_accounts + 2);
    // Moving retail's primary account out of retail is refused.
    press(
        &mut s,
        &[
            "Esc",
            "/",
            "\"retail-web-prod\"",
            "Enter",
            "Home",
            "a",
            "j",
            "j",
            "j",
            "Enter",
        ],
    );
    assert!(
        s.app
            .status
            .0
            .as_deref()
            .unwrap_or("")
            .contains("PRIMARY_CANNOT_DISASSOCIATE"),
        "{:?}",
        s.app.status
    );
}

#[test]
fn history_shows_before_and_after() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["4"]);
    select(&mut s, "global-markup-6");
    press(
        &mut s,
        &[
            "e",
            "Tab",
            "Tab",
            "Tab",
            "Tab",
            "Backspace",
            "\"7\"",
            "Enter",
            "9",
        ],
    );
    let text = screen(&mut s);
    assert!(text.contains("Before → after"), "{text}");
    // Field by field (issue 9): the modifier marked as changed, 6% before, 7% after.
    let modifier = |text: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|l| l.contains("* Modifier"))
            .unwrap_or_else(|| panic!("no changed modifier:\n{text}"));
        line.split_whitespace()
            .filter(|w| w.ends_with('%'))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(modifier(&text), ["6%", "7%"], "{text}");
    // The undo's own entry (the newest, selected first) shows the object before and after
    // the undo: 7 then 6, not "(nothing)".
    press(&mut s, &["u", "9", "Home"]);
    let text = screen(&mut s);
    assert!(!text.contains("(nothing)"), "{text}");
    assert_eq!(modifier(&text), ["7%", "6%"], "{text}");
}

#[test]
fn scenarios_draft_compare_promote_and_discard() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    let base = proforma_of(&s, "retail");
    press(&mut s, &["w", "Enter", "\"price-rise\"", "Enter"]);
    assert_eq!(
        s.app.scenario.as_ref().map(|x| x.name.as_str()),
        Some("price-rise")
    );
    assert!(screen(&mut s).contains("scenario: price-rise (0 changes)"));
    // Edit in the same form: the change goes to the scenario only.
    press(&mut s, &["4"]);
    select(&mut s, "global-markup-10");
    press(
        &mut s,
        &[
            "e",
            "Tab",
            "Tab",
            "Tab",
            "Tab",
            "Backspace",
            "Backspace",
            "\"25\"",
            "Enter",
        ],
    );
    assert!(
        s.app
            .status
            .0
            .as_deref()
            .unwrap_or("")
            .contains("in scenario 'price-rise'"),
        "{:?}",
        s.app.status
    );
    assert_eq!(proforma_of(&s, "retail"), base, "the baseline is unchanged");
    // The rules tab lists the configuration being edited: the scenario's 25 %, not 10 %.
    let text = screen(&mut s);
    let line = text
        .lines()
        .find(|l| l.contains("global-markup-10"))
        .unwrap_or_default()
        .to_string();
    assert!(text.contains("— scenario"), "{text}");
    assert!(line.contains("25"), "{line}");
    // A form opened inside the scenario says where its change goes.
    press(&mut s, &["e"]);
    let text = screen(&mut s);
    assert!(
        text.contains("Edit pricing rule — in scenario 'price-rise' (2026-10)"),
        "{text}"
    );
    press(&mut s, &["Esc"]);
    assert!(s.app.form().is_none());
    press(&mut s, &["1"]);
    let text = screen(&mut s);
    assert!(
        text.contains("baseline | scenario | Δ") && text.contains("Scenario"),
        "{text}"
    );
    let retail =
        s.app.model.rows[s.app.model.keys.iter().position(|k| k == "retail").unwrap()].clone();
    let scen: rust_decimal::Decimal = retail[5].replace(',', "").parse().unwrap();
    assert!(scen > base, "scenario {scen} vs baseline {base}");
    // It persists: a restart finds it.
    drop(s);
    let mut s = open(&path);
    press(&mut s, &["w"]);
    assert!(screen(&mut s).contains("open 'price-rise' (1 change)"));
    press(&mut s, &["j", "Enter"]);
    assert!(s.app.scenario.is_some());
    // Promote: the baseline takes the change, audited, and u undoes it.
    press(&mut s, &["w"]);
    choose_scenario_option(&mut s, "promote");
    // It says what it will write, and asks.
    assert!(screen(&mut s).contains("apply its 1 change to the baseline"));
    press(&mut s, &["y"]);
    assert!(s.app.scenario.is_none());
    assert!(proforma_of(&s, "retail") > base);
    assert!(
        Workspace::open(&path)
            .unwrap()
            .audit(10)
            .unwrap()
            .iter()
            .any(|a| a.reason.as_deref() == Some("promote scenario 'price-rise'"))
    );
    press(&mut s, &["u"]);
    assert_eq!(proforma_of(&s, "retail"), base);
    // Discard leaves the baseline alone.
    press(&mut s, &["w", "Enter", "\"throwaway\"", "Enter", "4"]);
    select(&mut s, "global-markup-10");
    press(&mut s, &["d", "y", "w"]);
    choose_scenario_option(&mut s, "discard");
    // Discarding asks first: any key but y keeps the scenario.
    let text = screen(&mut s);
    assert!(text.contains("Discard scenario 'throwaway'"), "{text}");
    press(&mut s, &["n"]);
    assert!(s.app.scenario.is_some(), "kept");
    assert_eq!(s.app.ws.scenarios().unwrap().len(), 1);
    press(&mut s, &["w"]);
    choose_scenario_option(&mut s, "discard");
    press(&mut s, &["y"]);
    assert!(s.app.scenario.is_none());
    assert!(s.app.ws.scenarios().unwrap().is_empty());
    assert!(
        s.app
            .data
            .config
            .rules
            .iter()
            .any(|r| r.name == "global-markup-10")
    );
    assert_eq!(proforma_of(&s, "retail"), base);
}

#[test]
fn fields_suggest_from_the_workspace_and_complete() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    // Accounts: type part of a name, → takes the first match for the last entry.
    press(
        &mut s,
        &["2", "n", "Tab", "Tab", "Tab", "\"health-portal, rec\""],
    );
    assert!(
        screen(&mut s).contains("→ health-records"),
        "{}",
        screen(&mut s)
    );
    press(&mut s, &["Right"]);
    assert_eq!(
        s.app.form().unwrap().field("accounts"),
        "health-portal, health-records"
    );
    press(&mut s, &["Esc", "Esc"]);
    // Rules: service codes and usage types come from the data.
    press(
        &mut s,
        &[
            "4",
            "n",
            "Tab",
            "Tab",
            "Right",
            "Tab",
            "Tab",
            "Tab",
            "\"AmazonCl\"",
        ],
    );
    press(&mut s, &["Right"]);
    assert_eq!(s.app.form().unwrap().field("service"), "AmazonCloudFront");
}

/// Home and End (and PageUp/PageDown) work in popups too: the group picker jumps to its first
/// and last option, and the explanation to its last page.
#[test]
fn home_and_end_work_in_popups() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["6", "Space", "a", "End"]);
    let (len, at) = match s.app.picker() {
        Some(proforma::app::Picker {
            options, selected, ..
        }) => (options.len(), *selected),
        other => panic!("{other:?}"),
    };
    assert!(len > 1);
    assert_eq!(at, len - 1);
    press(&mut s, &["Home"]);
    match s.app.picker() {
        Some(proforma::app::Picker { selected, .. }) => assert_eq!(*selected, 0),
        other => panic!("{other:?}"),
    }
    press(&mut s, &["Esc", "1", "x", "End"]);
    let last = match s.app.explanation() {
        Some(proforma::app::modal::Explain { text, .. }) => text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap()
            .trim()
            .to_string(),
        other => panic!("{other:?}"),
    };
    let shown = screen(&mut s);
    assert!(
        shown.contains(&last[..last.len().min(60)]),
        "{last}\n{shown}"
    );
}
