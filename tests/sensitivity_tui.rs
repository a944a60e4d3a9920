//! Sensitivity stepping and the margin target prompt in the TUI (issue 14 items 2 and 3),
//! through the harness: keys in, the screen's table and the workspace checked. Expected
//! numbers come from a separate computation: the period priced from scratch
//! (`Analysis::new`) under the configuration with the stepped value, footed as every table
//! shows it (SPEC 5).

mod common;

use common::tui::{demo_copy, keys, open, press, render, select};
use proforma::analysis::Analysis;
use proforma::model::Object;
use proforma::money::{fmt_grouped, round2};
use proforma::store::Workspace;
use rust_decimal::Decimal;

/// The cell of `column` in the row of `group` on the table on screen.
fn cell(s: &proforma::tui::Session, group: &str, column: &str) -> String {
    let m = &s.app.model;
    let c = m
        .columns
        .iter()
        .position(|x| x.title == column)
        .unwrap_or_else(|| panic!("no column {column} in {:?}", m.title));
    let r = m
        .keys
        .iter()
        .position(|k| k == group)
        .unwrap_or_else(|| panic!("no row {group}"));
    m.rows[r][c].clone()
}

/// Group `group`'s pro forma as tables show it (footed, SPEC 5), with rule `rule` at `m` %:
/// the period priced from scratch under that configuration.
fn expected(a: &Analysis, rule: &str, m: &str, group: &str) -> String {
    let mut c = a.config.clone();
    let r = c.rules.iter_mut().find(|r| r.name == rule).unwrap();
    r.modifier = Some(m.parse().unwrap());
    shown(a, c, group)
}

/// Group `group`'s footed pro forma when `config` is priced from scratch over `a`'s lines.
fn shown(a: &Analysis, config: proforma::model::Config, group: &str) -> String {
    let fresh = Analysis::new(a.period, a.lines.to_vec(), config);
    let g = fresh
        .config
        .groups
        .iter()
        .position(|g| g.name == group)
        .unwrap();
    fmt_grouped(fresh.shown_invoice().groups[g].proforma.unwrap())
}

#[test]
fn stepping_a_rule_moves_every_groups_numbers_on_each_key_and_esc_restores() {
    let (_dir, path) = demo_copy();
    let a = Analysis::load(
        &Workspace::open_for_reading(&path).unwrap(),
        "2026-10".parse().unwrap(),
    )
    .unwrap();
    let mut s = open(&path);
    keys(&mut s, "4");
    select(&mut s, "global-markup-10");
    let rules_screen = render(&mut s, 160, 40);
    let before = common::snapshot(&path);
    // Each keypress: the stepped pro forma of retail and logistics (whose plan holds the
    // rule) is what the engine gives for the stepped value; fintech does not move.
    let mut shown = Vec::new();
    for (k, m) in [
        ("+", "10.1"),
        ("+", "10.2"),
        ("%", "10.2"),
        ("+", "10.7"),
        ("-", "10.2"),
        ("-", "9.7"),
    ] {
        keys(&mut s, k);
        assert!(
            s.app.model.title.contains(&format!("→ {m} %")),
            "{k}: {}",
            s.app.model.title
        );
        for g in ["retail", "logistics"] {
            assert_eq!(
                cell(&s, g, "Stepped"),
                expected(&a, "global-markup-10", m, g),
                "{g} at {m}"
            );
            assert_eq!(
                cell(&s, g, "Pro forma"),
                expected(&a, "global-markup-10", "10", g)
            );
        }
        assert_eq!(
            cell(&s, "fintech", "Stepped"),
            cell(&s, "fintech", "Pro forma")
        );
        assert_eq!(cell(&s, "fintech", "Δ"), "0.00");
        shown.push(cell(&s, "retail", "Stepped"));
    }
    // The numbers changed on every key that changed the value (not on the step size key).
    assert_ne!(shown[0], shown[1]);
    assert_eq!(shown[1], shown[2]);
    assert_ne!(shown[2], shown[3]);
    assert_ne!(shown[4], shown[5]);
    let screen = render(&mut s, 160, 40);
    assert!(
        screen.contains("Sensitivity: MARKUP 'global-markup-10' 10 % → 9.7 %"),
        "{screen}"
    );
    // The footer offers the stepping keys.
    let footer = screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    assert!(
        footer.contains("apply") && footer.contains("drop"),
        "{footer}"
    );
    // Other commands wait until the draft is applied or dropped.
    keys(&mut s, "e");
    assert!(s.app.refusal, "{:?}", s.app.status);
    // Esc drops it: the rules list is back as it was, nothing written.
    keys(&mut s, "Esc");
    assert!(s.app.sensitivity.draft.is_none());
    assert_eq!(
        render(&mut s, 160, 40).lines().nth(3),
        rules_screen.lines().nth(3)
    );
    assert!(!s.app.model.title.contains("Sensitivity"));
    assert!(common::snapshot(&path) == before, "stepping writes nothing");
}

#[test]
fn enter_applies_the_stepped_value_as_an_audited_edit() {
    let (_dir, path) = demo_copy();
    let mut s = open(&path);
    keys(&mut s, "4");
    select(&mut s, "ec2-markup-15");
    keys(&mut s, "% % + + Enter");
    assert!(s.app.sensitivity.draft.is_none());
    let status = s.app.status.0.clone().unwrap_or_default();
    assert!(status.contains("'ec2-markup-15' set to 17 %"), "{status}");
    let ws = Workspace::open_for_reading(&path).unwrap();
    let c = ws.config_at("2026-10".parse().unwrap()).unwrap();
    let r = c.rules.iter().find(|r| r.name == "ec2-markup-15").unwrap();
    assert_eq!(r.modifier, Some(Decimal::from(17)));
    // A normal edit: in the history, and undo takes it back.
    keys(&mut s, "u");
    let c = ws.config_at("2026-10".parse().unwrap()).unwrap();
    let r = c.rules.iter().find(|r| r.name == "ec2-markup-15").unwrap();
    assert_eq!(r.modifier, Some(Decimal::from(15)));
}

#[test]
fn stepping_a_percentage_item_and_refusing_what_has_no_percentage() {
    let (_dir, path) = demo_copy();
    let a = Analysis::load(
        &Workspace::open_for_reading(&path).unwrap(),
        "2026-10".parse().unwrap(),
    )
    .unwrap();
    let item = a
        .config
        .items
        .iter()
        .find(|i| matches!(i.charge, proforma::model::Charge::Percentage { .. }))
        .expect("the demo has a percentage item")
        .clone();
    let group = a
        .config
        .groups
        .iter()
        .find(|g| g.arn == item.group)
        .unwrap()
        .name
        .clone();
    let mut s = open(&path);
    keys(&mut s, "5");
    select(&mut s, &item.name);
    keys(&mut s, "% % +");
    let mut c = a.config.clone();
    let mut stepped = item.clone();
    if let proforma::model::Charge::Percentage { percent, .. } = &mut stepped.charge {
        *percent += Decimal::ONE;
    }
    c.put(Object::Item(stepped));
    assert_eq!(cell(&s, &group, "Stepped"), shown(&a, c, &group));
    assert_ne!(cell(&s, &group, "Δ"), "0.00");
    keys(&mut s, "Esc");
    // A TIERING rule has no percentage: refused, no draft.
    keys(&mut s, "4");
    select(&mut s, "s3-storage-tiers");
    keys(&mut s, "+");
    assert!(s.app.sensitivity.draft.is_none());
    assert!(s.app.refusal);
}

#[test]
fn the_margin_target_prompt_solves_into_a_scenario() {
    let (_dir, path) = demo_copy();
    let mut s = open(&path);
    keys(&mut s, "4");
    select(&mut s, "global-markup-10");
    press(&mut s, &["t", "\"retail 25\"", "Enter"]);
    let status = s.app.status.0.clone().unwrap_or_default();
    assert!(
        status.contains("rule 'global-markup-10' MARKUP 2.57 %"),
        "{status}"
    );
    assert_eq!(
        s.app.scenario.as_ref().map(|x| x.name.as_str()),
        Some("target-retail")
    );
    // The scenario holds it; the baseline does not.
    let ws = Workspace::open_for_reading(&path).unwrap();
    let sc = ws.scenarios().unwrap();
    let c = ws.scenario_config(sc[0].id).unwrap();
    let r = c
        .rules
        .iter()
        .find(|r| r.name == "global-markup-10")
        .unwrap();
    assert_eq!(r.modifier, Some("2.57".parse().unwrap()));
    let base = ws.config_at("2026-10".parse().unwrap()).unwrap();
    let r = base
        .rules
        .iter()
        .find(|r| r.name == "global-markup-10")
        .unwrap();
    assert_eq!(r.modifier, Some(Decimal::from(10)));
    // The scenario's retail margin is 25 % to 2 decimals.
    let scen = s.app.scenario_data.as_ref().unwrap();
    let g = scen
        .config
        .groups
        .iter()
        .position(|g| g.name == "retail")
        .unwrap();
    let m = scen.pricing.groups[g].margin_percentage().unwrap();
    assert_eq!(m.round_dp(2), Decimal::from(25));
    let credit = round2(scen.pricing.groups[g].proforma() - Decimal::from(5900));
    // On a billing group: a flat credit (the target is below its pro forma) or fee, into the
    // scenario still open.
    keys(&mut s, "1");
    select(&mut s, "retail");
    press(&mut s, &["t", "\"=5900\"", "Enter"]);
    let status = s.app.status.0.clone().unwrap_or_default();
    assert!(
        status.contains(&format!("a flat CREDIT of {credit}"))
            && status.contains("reaches pro forma 5,900.00"),
        "{status}"
    );
    assert_eq!(ws.scenarios().unwrap().len(), 1, "into the open scenario");
    // No value reaches it: said, nothing written.
    keys(&mut s, "4");
    select(&mut s, "s3-storage-tiers");
    press(&mut s, &["t", "\"retail 25\"", "Enter"]);
    assert!(s.app.refusal);
    assert!(
        s.app
            .status
            .0
            .clone()
            .unwrap_or_default()
            .contains("TIERING")
    );
}

/// A reseller's price list moves only the downstream seller's computation (billing transfers
/// at level 2): stepping Globex's markup shows Initech's charge moving, and the value applied
/// gives Initech's showback the stepped number.
#[test]
fn stepping_a_resellers_price_list_moves_its_customers_charge() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    keys(&mut s, "4");
    select(&mut s, "globex-markup-8");
    keys(&mut s, "+ + + + +");
    let before = cell(&s, "Initech (level 2)", "Pro forma");
    let stepped = cell(&s, "Initech (level 2)", "Stepped");
    assert_ne!(before, stepped, "{}", render(&mut s, 140, 40));
    keys(&mut s, "Enter");
    let report = s
        .app
        .data
        .view_report("showback:420000000000", None)
        .unwrap();
    let shown = s.app.data.shown_view(&report);
    assert_eq!(fmt_grouped(shown.total.aws), stepped);
}
