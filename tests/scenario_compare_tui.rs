//! The scenario menu (`w`) compares the open scenario with another one (issue 14 item 1):
//! the tables show B | A | Δ with the numbers `report --scenario A --compare-to B` prints;
//! "copy" starts a new scenario as a copy of the open one.

mod common;

use common::tui::{choose, demo_copy, open, press, screen_at};
use proforma::app::table::Measure;
use proforma::model::Object;
use proforma::store::Workspace;
use proforma::store::config::Change;
use rust_decimal::Decimal;
use serde_json::Value;
use std::path::Path;
use std::str::FromStr;

const P: &str = "2026-10";

/// Scenario `name` of the period with `rule`'s percentage set to `percent`.
fn scenario(ws: &Path, name: &str, rule: &str, percent: i64) {
    let mut w = Workspace::open(ws).unwrap();
    let s = w.create_scenario(name, P.parse().unwrap()).unwrap();
    let mut r = w
        .config_at(P.parse().unwrap())
        .unwrap()
        .rules
        .into_iter()
        .find(|r| r.name == rule)
        .unwrap();
    r.modifier = Some(Decimal::from(percent));
    w.scenario_change(s.id, &Change::Put(Object::Rule(r)))
        .unwrap();
}

/// `report --scenario a --compare-to b --format json`.
fn cli_comparison(ws: &Path, a: &str, b: &str) -> Value {
    let out = common::bin()
        .arg("report")
        .arg(ws)
        .args(["--period", P, "--scenario", a, "--compare-to", b])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn d(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap()).unwrap()
}

#[test]
fn comparing_two_scenarios_shows_b_a_and_delta_as_the_report_does() {
    let (_d, path) = demo_copy();
    scenario(&path, "a", "global-markup-10", 12);
    scenario(&path, "b", "ec2-markup-15", 25);
    let expected = cli_comparison(&path, "a", "b");
    let mut s = open(&path);
    press(&mut s, &["2"]);
    press(&mut s, &["w"]);
    choose(&mut s, "open 'a'");
    assert!(s.app.model.title.contains("baseline | scenario | Δ"));
    press(&mut s, &["w"]);
    choose(&mut s, "compare 'a' with");
    choose(&mut s, "scenario 'b'");
    let title = s.app.model.title.clone();
    assert!(
        title.contains("scenario 'b' | scenario 'a' | Δ"),
        "{title}\n{}",
        screen_at(&mut s, 160, 40)
    );
    let m = &s.app.model;
    let (b_col, a_col, d_col) = (
        m.column_of(Measure::ProForma).unwrap(),
        m.column_of(Measure::ScenarioProForma).unwrap(),
        m.column_of(Measure::ProFormaDelta).unwrap(),
    );
    assert_eq!(m.columns[b_col].title, "'b'");
    assert_eq!(m.columns[a_col].title, "'a'");
    let mut checked = 0;
    let mut moved = 0;
    for g in expected["Groups"].as_array().unwrap() {
        let name = g["Name"].as_str().unwrap();
        let r = (0..m.rows.len())
            .find(|&r| m.rows[r][0] == name)
            .unwrap_or_else(|| panic!("{name} not on screen"));
        assert_eq!(
            m.number(r, b_col),
            Some(d(&g["Before"]["ProformaCost"])),
            "{name}"
        );
        assert_eq!(
            m.number(r, a_col),
            Some(d(&g["After"]["ProformaCost"])),
            "{name}"
        );
        assert_eq!(
            m.number(r, d_col),
            Some(d(&g["Delta"]["ProformaCost"])),
            "{name}"
        );
        checked += 1;
        if !d(&g["Delta"]["ProformaCost"]).is_zero() {
            moved += 1;
        }
    }
    assert!(
        checked >= 5 && moved >= 2,
        "{checked} groups, {moved} moved"
    );
    // The screen says it too.
    let screen = screen_at(&mut s, 160, 40);
    assert!(screen.contains("'b'") && screen.contains("'a'"), "{screen}");
    let top = screen.lines().next().unwrap();
    assert!(top.contains("scenario: a (1 change, against 'b')"), "{top}");
    // Another process changes B's draft: the base follows, the open scenario stays.
    {
        let mut w = Workspace::open(&path).unwrap();
        let b = w
            .scenarios()
            .unwrap()
            .into_iter()
            .find(|x| x.name == "b")
            .unwrap();
        let mut r = w
            .scenario_config(b.id)
            .unwrap()
            .rules
            .into_iter()
            .find(|r| r.name == "ec2-markup-15")
            .unwrap();
        r.modifier = Some(Decimal::from(40));
        w.scenario_change(b.id, &Change::Put(Object::Rule(r)))
            .unwrap();
    }
    assert!(s.app.check_outside());
    s.app.settle_saves();
    let now = cli_comparison(&path, "a", "b");
    assert_ne!(now, expected);
    let m = &s.app.model;
    for g in now["Groups"].as_array().unwrap() {
        let name = g["Name"].as_str().unwrap();
        let r = (0..m.rows.len()).find(|&r| m.rows[r][0] == name).unwrap();
        assert_eq!(
            m.number(r, b_col),
            Some(d(&g["Before"]["ProformaCost"])),
            "{name}"
        );
        assert_eq!(
            m.number(r, a_col),
            Some(d(&g["After"]["ProformaCost"])),
            "{name}"
        );
        assert_eq!(
            m.number(r, d_col),
            Some(d(&g["Delta"]["ProformaCost"])),
            "{name}"
        );
    }
    // The menu names the base; back to the baseline as the base.
    press(&mut s, &["w"]);
    choose(&mut s, "compare 'a' with… (now: scenario 'b')");
    choose(&mut s, "the baseline");
    assert!(
        s.app.model.title.contains("baseline | scenario | Δ"),
        "{}",
        s.app.model.title
    );
    assert!(s.app.compare_base.is_none());
    // Opening another scenario drops the base chosen for this one.
    press(&mut s, &["w"]);
    choose(&mut s, "compare 'a' with");
    choose(&mut s, "scenario 'b'");
    assert!(s.app.compare_base.is_some());
    press(&mut s, &["w"]);
    choose(&mut s, "open 'b'");
    assert!(s.app.compare_base.is_none());
    assert!(s.app.model.title.contains("baseline | scenario | Δ"));
}

#[test]
fn copy_in_the_scenario_menu_starts_an_identical_scenario_and_opens_it() {
    let (_d, path) = demo_copy();
    scenario(&path, "a", "global-markup-10", 12);
    let mut s = open(&path);
    press(&mut s, &["w"]);
    choose(&mut s, "open 'a'");
    press(&mut s, &["w"]);
    choose(&mut s, "copy 'a'");
    // A name taken is refused, and the prompt keeps what was typed.
    press(&mut s, &["\"a\"", "Enter"]);
    assert!(s.app.refusal, "{:?}", s.app.status.0);
    assert!(matches!(&s.app.mode, proforma::app::Mode::Prompt(p) if p.text == "a"));
    press(&mut s, &["\"2\"", "Enter"]);
    let open_now = s.app.scenario.clone().expect("the copy is open");
    assert_eq!(open_now.name, "a2");
    assert_eq!(open_now.changes, 1);
    let status = s.app.status.0.clone().unwrap_or_default();
    assert!(status.contains("a copy of 'a'"), "{status}");
    let w = Workspace::open(&path).unwrap();
    let all = w.scenarios().unwrap();
    let id = |n: &str| all.iter().find(|s| s.name == n).unwrap().id;
    assert_eq!(
        w.scenario_config(id("a")).unwrap(),
        w.scenario_config(id("a2")).unwrap()
    );
    // The copy's numbers are the original's.
    let a = {
        let mut x = s.app.data.clone();
        x.reprice(w.scenario_config(id("a")).unwrap());
        x.shown_invoice().groups_total
    };
    let on_screen = s.app.scenario_data.as_ref().unwrap().shown_invoice();
    assert_eq!(on_screen.groups_total, a);
}
