//! Explanations follow the state on screen (issue 8, item 1): with a scenario open, `x`
//! explains the scenario's numbers, and `report`/`explain` take `--scenario`; `x` works on a
//! billing view's rows, and a view's pro forma is tied to its billing groups, with the custom
//! line items it includes or leaves out and why. Every explanation's parts add up to the
//! number shown; previews and scenario deltas are differences of shown numbers.

mod common;

use proforma::app::{Action, Tab};
use proforma::model::{CustomView, ViewFilter};
use proforma::store::Workspace;
use proforma::store::config::{Change, Object};
use proforma::tui::Session;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

const P: &str = "2026-10";

fn d(s: &str) -> Decimal {
    Decimal::from_str(&s.trim().replace(',', "")).unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// A private copy of the demo workspace with a scenario `what-if` for 2026-10 in which the
/// rule `global-markup-10` marks up 25 %, and a custom view `Retail accounts` (account filter:
/// retail's primary account, where retail's custom line items are charged).
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("demo.proforma");
    std::fs::copy(common::demo_workspace(), &p).unwrap();
    let mut ws = Workspace::open(&p).unwrap();
    let period = P.parse().unwrap();
    let config = ws.config_at(period).unwrap();
    let view = CustomView {
        arn: "arn:aws:billing::210987654321:billingview/custom-retailacct".into(),
        name: "Retail-accounts".into(),
        description: String::new(),
        sources: vec![proforma::model::primary_view_arn("210987654321")],
        filter: ViewFilter::Accounts {
            accounts: ["304857112600".to_string()].into_iter().collect(),
        },
    };
    ws.apply_changes(period, &[Change::Put(Object::View(view))], None)
        .unwrap();
    let mut rule = config
        .rules
        .iter()
        .find(|r| r.name == "global-markup-10")
        .unwrap()
        .clone();
    rule.modifier = Some(Decimal::from(25));
    let s = ws.create_scenario("what-if", period).unwrap();
    ws.scenario_change(s.id, &Change::Put(Object::Rule(rule)))
        .unwrap();
    (dir, p)
}

fn run(ws: &Path, args: &[&str]) -> String {
    let out = common::bin()
        .arg(args[0])
        .arg(ws)
        .args(&args[1..])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn proforma_cost(json: &str, arn_of: &str) -> Decimal {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let e = v["BillingGroupCostReports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["Arn"].as_str().unwrap().ends_with(arn_of))
        .unwrap()
        .clone();
    d(e["ProformaCost"].as_str().unwrap())
}

/// `pro forma X = priced lines Y + custom line items Z`: checks Y + Z = X and that the
/// printed part lines add up to Y and Z; returns X.
fn check_sum_line(text: &str) -> Decimal {
    let line = text
        .lines()
        .find(|l| l.starts_with("pro forma ") && l.contains(" = priced lines "))
        .unwrap_or_else(|| panic!("no sum line in\n{text}"));
    let nums: Vec<Decimal> = line
        .split(['=', '+'])
        .map(|p| d(p.split_whitespace().last().unwrap()))
        .collect();
    assert_eq!(nums[0], nums[1] + nums[2], "{line}");
    // The printed parts: "  base x factor = result  ..." and the items' amounts.
    let mut parts = Decimal::ZERO;
    let mut items = Decimal::ZERO;
    let mut section = "";
    for l in text.lines() {
        if l.starts_with("priced lines") {
            section = "parts";
        } else if l.starts_with("custom line items:") {
            section = "items";
        } else if l.is_empty() || !l.starts_with("  ") {
            section = "";
        } else if section == "parts" && l.contains(" = ") {
            let after = l.split(" = ").nth(1).unwrap();
            parts += d(after.split("  ").find(|c| !c.trim().is_empty()).unwrap());
        } else if section == "items" && !l.trim_start().starts_with("included:") {
            items += d(l.trim_start().split("  ").next().unwrap());
        }
    }
    assert_eq!((parts, items), (nums[1], nums[2]), "{text}");
    nums[0]
}

#[test]
fn report_and_explain_take_a_scenario() {
    let (_d, ws) = workspace();
    let base = run(&ws, &["report", "--period", P, "--format", "json"]);
    let scen = run(
        &ws,
        &[
            "report",
            "--period",
            P,
            "--scenario",
            "what-if",
            "--format",
            "json",
        ],
    );
    let retail_arn = {
        let w = Workspace::open(&ws).unwrap();
        let c = w.config_at(P.parse().unwrap()).unwrap();
        c.groups
            .iter()
            .find(|g| g.name == "retail")
            .unwrap()
            .arn
            .clone()
    };
    let (b, s) = (
        proforma_cost(&base, &retail_arn),
        proforma_cost(&scen, &retail_arn),
    );
    assert!(s > b, "the scenario's markup is higher: {s} vs {b}");
    let text = run(
        &ws,
        &[
            "explain",
            "--period",
            P,
            "--group",
            "retail",
            "--scenario",
            "what-if",
        ],
    );
    assert!(text.contains("scenario 'what-if'"), "{text}");
    assert!(text.contains("MARKUP 25%"), "{text}");
    assert_eq!(
        check_sum_line(&text),
        s,
        "explain shows the scenario's report number"
    );
    let text = run(&ws, &["explain", "--period", P, "--group", "retail"]);
    assert!(
        text.contains("MARKUP 10%") && !text.contains("scenario"),
        "{text}"
    );
    assert_eq!(check_sum_line(&text), b);
    // A scenario's report never passes for the baseline's: the table says so first; CSV and
    // JSON keep their shapes and say it on stderr.
    let table = run(&ws, &["report", "--period", P, "--scenario", "what-if"]);
    assert!(
        table.starts_with(&format!(
            "Scenario 'what-if' of {P}: a draft, not the baseline\n"
        )),
        "{table}"
    );
    let base_table = run(&ws, &["report", "--period", P]);
    assert!(!base_table.contains("Scenario"), "{base_table}");
    let out = common::bin()
        .args(["report"])
        .arg(&ws)
        .args(["--period", P, "--scenario", "what-if", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("note: Scenario 'what-if'"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unknown_scenario_is_refused_naming_the_known_ones() {
    let (_d, ws) = workspace();
    let before = common::snapshot(&ws);
    for cmd in [
        &["report", "--period", P, "--scenario", "nope"][..],
        &[
            "explain",
            "--period",
            P,
            "--group",
            "retail",
            "--scenario",
            "nope",
        ][..],
    ] {
        common::fails(&cmd[..1], &ws, &cmd[1..], "no scenario 'nope'");
        common::fails(&cmd[..1], &ws, &cmd[1..], "'what-if' (2026-10)");
    }
    common::fails(
        &["report"],
        &ws,
        &["--period", "2026-09", "--scenario", "what-if"],
        "scenario 'what-if' drafts period 2026-10, not 2026-09",
    );
    assert_eq!(common::snapshot(&ws), before, "nothing written");
}

#[test]
fn every_explanation_adds_up_to_the_reported_number() {
    let ws = common::demo_workspace();
    let json = run(&ws, &["report", "--period", P, "--format", "json"]);
    let w = Workspace::open(&ws).unwrap();
    let config = w.config_at(P.parse().unwrap()).unwrap();
    // Every group of the list (Initech's, a level-2 transfer's, is explained in its views).
    for g in config.groups.iter().filter(|g| json.contains(&g.arn)) {
        let text = run(&ws, &["explain", "--period", P, "--group", &g.name]);
        assert_eq!(
            check_sum_line(&text),
            proforma_cost(&json, &g.arn),
            "{}",
            g.name
        );
    }
    // A slice: the number shown in the group's report by service.
    let csv = run(
        &ws,
        &[
            "report",
            "--period",
            P,
            "--group",
            "media",
            "--group-by",
            "PRODUCT_NAME",
            "--format",
            "csv",
        ],
    );
    for rec in csv::Reader::from_reader(csv.as_bytes()).records().take(4) {
        let rec = rec.unwrap();
        let text = run(
            &ws,
            &[
                "explain",
                "--period",
                P,
                "--group",
                "media",
                "--group-by",
                "PRODUCT_NAME",
                "--value",
                &rec[2],
            ],
        );
        assert_eq!(check_sum_line(&text), d(&rec[4]), "{}", &rec[2]);
    }
}

/// The `pro forma by billing group` block: (group lines' sum, the stated view total).
fn view_groups_block(text: &str) -> (Decimal, Decimal) {
    let mut sum = Decimal::ZERO;
    let mut in_block = false;
    for l in text.lines() {
        if l.starts_with("pro forma by billing group") {
            in_block = true;
        } else if in_block && l.contains("= the view's pro forma") {
            return (sum, d(l.split("  =").next().unwrap()));
        } else if in_block {
            sum += d(l.trim_start().split("  ").next().unwrap());
        }
    }
    panic!("no group block in\n{text}");
}

#[test]
fn a_custom_view_says_which_custom_line_items_it_includes_or_leaves_out() {
    let (_d, ws) = workspace();
    let text = run(
        &ws,
        &["explain", "--period", P, "--view", "custom:Retail-accounts"],
    );
    assert!(
        text.contains(
            "included: account 304857112600 is in the account filter of view 'Retail-accounts'"
        ),
        "{text}"
    );
    assert!(text.contains("'retail-platform-fee'"), "{text}");
    assert!(
        text.contains("'media-commit-credit' (group media, account 304920467936): account 304920467936 is not in the account filter of view 'Retail-accounts'"),
        "{text}"
    );
    // The view's pro forma is the sum of its groups' and equals the view report's.
    let report = run(
        &ws,
        &[
            "report",
            "--period",
            P,
            "--view",
            "custom:Retail-accounts",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    let total = d(v["Totals"]["Proforma"].as_str().unwrap());
    let (sum, stated) = view_groups_block(&text);
    assert_eq!((sum, stated), (total, total), "{text}");
    // And the group explained inside adds up to its share.
    assert_eq!(
        check_sum_line(&text),
        total,
        "one group: its share is the view's total"
    );

    // A cost category view leaves every item out, saying why.
    let text = run(
        &ws,
        &["explain", "--period", P, "--view", "custom:Commerce"],
    );
    assert!(
        text.contains("view 'Commerce' filters by cost category 'BusinessUnit', and custom line items carry no cost categories"),
        "{text}"
    );
    let report = run(
        &ws,
        &[
            "report",
            "--period",
            P,
            "--view",
            "custom:Commerce",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    let (sum, stated) = view_groups_block(&text);
    assert_eq!(sum, stated);
    assert_eq!(stated, d(v["Totals"]["Proforma"].as_str().unwrap()));
}

fn session(ws: &Path) -> Session {
    common::tui::open_as(ws, "demo")
}

fn press(s: &mut Session, keys: &str) {
    common::tui::keys(s, keys);
}

use common::tui::select;

fn explain_text(s: &Session) -> (String, String) {
    match s.app.explanation() {
        Some(e) => (e.title.clone(), e.text.clone()),
        None => panic!(
            "no explanation: {:?} (status {:?})",
            s.app.mode, s.app.status
        ),
    }
}

fn cell(s: &Session, key: &str, column: &str) -> String {
    let m = &s.app.model;
    let c = m.columns.iter().position(|c| c.title == column).unwrap();
    let r = m.keys.iter().position(|k| k == key).unwrap();
    m.rows[r][c].clone()
}

#[test]
fn x_explains_the_open_scenario() {
    let (_d, ws) = workspace();
    let mut s = session(&ws);
    let scenario = s
        .app
        .ws
        .scenarios()
        .unwrap()
        .into_iter()
        .find(|x| x.name == "what-if");
    s.app.open_scenario(scenario);
    press(&mut s, "2");
    select(&mut s, "retail");
    let (baseline, scen) = (
        cell(&s, "retail", "Pro forma"),
        cell(&s, "retail", "Scenario"),
    );
    assert_ne!(baseline, scen);
    press(&mut s, "x");
    let (title, text) = explain_text(&s);
    assert!(title.contains("scenario 'what-if'"), "{title}");
    assert!(text.contains("MARKUP 25%"), "{text}");
    assert_eq!(
        check_sum_line(&text),
        d(&scen),
        "the scenario column's number"
    );
    // Drilled down, still the scenario's numbers.
    press(&mut s, "Esc Enter");
    let first = s.app.model.keys[s.app.visible[0]].clone();
    let scen_row = cell(&s, &first, "Scenario");
    press(&mut s, "x");
    let (title, text) = explain_text(&s);
    assert!(title.contains("scenario 'what-if'"), "{title}");
    assert_eq!(check_sum_line(&text), d(&scen_row), "{text}");
    // Back to the baseline: the baseline's numbers.
    press(&mut s, "Esc");
    s.app.open_scenario(None);
    press(&mut s, "Esc 1");
    select(&mut s, "retail");
    press(&mut s, "x");
    let (title, text) = explain_text(&s);
    assert!(!title.contains("scenario"), "{title}");
    assert_eq!(check_sum_line(&text), d(&baseline));
}

#[test]
fn scenario_deltas_are_differences_of_shown_numbers() {
    let (_d, ws) = workspace();
    let mut s = session(&ws);
    let scenario = s.app.ws.scenarios().unwrap().into_iter().next();
    s.app.open_scenario(scenario);
    press(&mut s, "1");
    let m = s.app.model.clone();
    let col = |t: &str| m.columns.iter().position(|c| c.title == t).unwrap();
    let (b, sc, delta) = (col("Pro forma"), col("Scenario"), col("Δ"));
    let mut checked = 0;
    for r in m
        .rows
        .iter()
        .filter(|r| !r[delta].is_empty() && r[delta] != "–")
    {
        assert_eq!(d(&r[delta]), d(&r[sc]) - d(&r[b]), "{r:?}");
        checked += 1;
    }
    assert!(checked >= 6, "five groups and the Billing groups line");
    // Margins describe the scenario: each row's margin is its scenario pro forma minus its
    // AWS cost (the AWS cost does not change in a scenario).
    let (aws, margin) = (col("AWS cost"), col("Margin"));
    let mut margins = 0;
    for r in m
        .rows
        .iter()
        .filter(|r| !r[margin].is_empty() && r[margin] != "–" && !r[sc].is_empty() && r[sc] != "–")
    {
        assert_eq!(d(&r[margin]), d(&r[sc]) - d(&r[aws]), "{r:?}");
        margins += 1;
    }
    assert!(margins >= 5, "{margins}");
}

#[test]
fn x_explains_a_billing_view_row() {
    let (_d, ws) = workspace();
    let mut s = session(&ws);
    press(&mut s, "7");
    assert_eq!(s.app.tab, Tab::Views);
    let key = s.app.model.keys[s.app.visible[0]].clone();
    let shown = cell(&s, &key, "Pro forma");
    press(&mut s, "x");
    let (title, text) = explain_text(&s);
    assert!(
        title.contains("billing view 'Primary View' (PRIMARY), PRODUCT_NAME = "),
        "{title}"
    );
    let (sum, stated) = view_groups_block(&text);
    assert_eq!((sum, stated), (d(&shown), d(&shown)), "{text}");
    // Each group explained inside adds up to its line.
    assert!(text.contains("── billing group '"), "{text}");

    // A custom view's row names the items it leaves out.
    s.app.view = "custom:Retail-accounts".into();
    press(&mut s, "Esc 7");
    let row = s
        .app
        .model
        .keys
        .iter()
        .position(|k| k == "AWSBillingConductor")
        .expect("the view shows retail's custom line items under their service");
    let pos = s.app.visible.iter().position(|&r| r == row).unwrap();
    s.app.update(Action::Select(pos));
    let shown = cell(&s, "AWSBillingConductor", "Pro forma");
    press(&mut s, "x");
    let (_, text) = explain_text(&s);
    assert!(
        text.contains("custom line items left out of this view:"),
        "{text}"
    );
    assert!(text.contains("included: account 304857112600"), "{text}");
    assert_eq!(view_groups_block(&text).0, d(&shown), "{text}");
}

#[test]
fn form_preview_differences_are_differences_of_shown_numbers() {
    let (_d, ws) = workspace();
    let mut s = session(&ws);
    press(&mut s, "2");
    // The groups of the list (a level-2 transfer's group is in its views instead).
    let names: Vec<String> = s
        .app
        .data
        .config
        .groups
        .iter()
        .enumerate()
        .filter(|(i, _)| s.app.data.listed_group(*i))
        .map(|(_, g)| g.name.clone())
        .collect();
    let shown_before: Vec<(String, String)> = names
        .into_iter()
        .map(|g| {
            let v = cell(&s, &g, "Pro forma");
            (g, v)
        })
        .collect();
    press(&mut s, "4");
    select(&mut s, "global-markup-10");
    // To the percentage: name, description, scope, type, percentage; 10 -> 10.01.
    press(&mut s, "e Tab Tab Tab Tab");
    for k in [".", "0", "1"] {
        press(&mut s, k);
    }
    s.app.settle();
    let preview = s.app.form().unwrap().preview.clone();
    let mut checked = 0;
    for line in &preview {
        let Some((name, rest)) = line.split_once(": pro forma ") else {
            continue;
        };
        let (before, rest) = rest.split_once(" → ").unwrap();
        let (after, delta) = rest.split_once(" (").unwrap();
        let delta = delta.trim_end_matches(')');
        assert_eq!(d(delta), d(after) - d(before), "{line}");
        let shown = &shown_before.iter().find(|(g, _)| g == name).unwrap().1;
        assert_eq!(before, shown, "before is the number on screen: {line}");
        checked += 1;
    }
    assert!(checked >= 2, "{preview:?}");
}

/// A scenario that deletes a group shifts the others' places: a drill-down with the scenario
/// open still compares (and explains) the same group by name.
#[test]
fn drill_downs_follow_the_group_in_a_scenario_that_deletes_another() {
    let (_d, ws) = workspace();
    let id = {
        let mut w = Workspace::open(&ws).unwrap();
        let c = w.config_at(P.parse().unwrap()).unwrap();
        let labs = c
            .groups
            .iter()
            .find(|g| g.name == "labs")
            .unwrap()
            .arn
            .clone();
        let id = w.create_scenario("no-labs", P.parse().unwrap()).unwrap().id;
        // Its custom line items first, then the group.
        for item in c.items.iter().filter(|i| i.group == labs) {
            let delete = Change::Delete {
                kind: proforma::model::Kind::CustomLineItem,
                arn: item.arn.clone(),
            };
            w.scenario_change(id, &delete).unwrap();
        }
        let delete = Change::Delete {
            kind: proforma::model::Kind::BillingGroup,
            arn: labs,
        };
        w.scenario_change(id, &delete).unwrap();
        id
    };
    let mut s = session(&ws);
    let scenario = s
        .app
        .ws
        .scenarios()
        .unwrap()
        .into_iter()
        .find(|x| x.id == id);
    s.app.open_scenario(scenario);
    press(&mut s, "2");
    select(&mut s, "retail");
    press(&mut s, "Enter");
    assert!(
        s.app.model.title.starts_with("retail by service"),
        "{}",
        s.app.model.title
    );
    // Nothing changed for retail: every service shows a zero difference.
    let m = s.app.model.clone();
    let col = |t: &str| m.columns.iter().position(|c| c.title == t).unwrap();
    for r in &m.rows {
        assert_eq!(r[col("Scenario")], r[col("Pro forma")], "{r:?}");
        assert_eq!(d(&r[col("Δ")]), Decimal::ZERO, "{r:?}");
    }
    press(&mut s, "x");
    let (title, _) = explain_text(&s);
    assert!(
        title.contains("billing group 'retail'") && title.contains("scenario 'no-labs'"),
        "{title}"
    );
}

/// A line no factor changes reads as true arithmetic: its base shows as its result (before,
/// labs read "2,231.40 x - = 2,231.39", the result footed and the base rounded apart).
#[test]
fn a_base_no_rule_changes_shows_as_its_result() {
    let ws = common::demo_workspace();
    for group in ["labs", "retail", "logistics", "fintech", "media"] {
        let out = common::bin()
            .arg("explain")
            .arg(&ws)
            .args(["--period", P, "--group", group])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        for line in text.lines().filter(|l| l.contains(" x -      = ")) {
            let (base, rest) = line.split_once(" x -      = ").unwrap();
            let result = rest.split_whitespace().next().unwrap();
            assert_eq!(base.trim(), result, "{group}: {line}");
        }
    }
}
