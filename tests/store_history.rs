//! Undo and redo from the audit log (across restarts), closed periods, versions across periods.

mod common;

use proforma::model::*;
use proforma::period::BillingPeriod;
use proforma::store::Workspace;
use proforma::store::config::{Change, ConfigError, Object};
use rust_decimal::Decimal;

const PAYER: &str = "999900001111";

fn p(s: &str) -> BillingPeriod {
    s.parse().unwrap()
}

fn rule(percent: i64) -> PricingRule {
    PricingRule {
        arn: format!("arn:aws:billingconductor::{PAYER}:pricingrule/RuleAAAAAA"),
        name: "markup".into(),
        description: String::new(),
        scope: Scope::Global,
        rule_type: RuleType::Markup,
        modifier: Some(Decimal::from(percent)),
        service: None,
        billing_entity: None,
        usage_type: None,
        operation: None,
        free_tier: None,
        tiers: vec![],
    }
}

fn modifier(ws: &Workspace, period: &str) -> Option<Decimal> {
    ws.config_at(p(period))
        .unwrap()
        .rules
        .first()
        .and_then(|r| r.modifier)
}

fn put(ws: &mut Workspace, period: &str, percent: i64) {
    ws.apply_changes(p(period), &[Change::Put(Object::Rule(rule(percent)))], None)
        .unwrap();
}

#[test]
fn versions_undo_and_redo_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.proforma");
    let mut ws = Workspace::create(&path).unwrap();
    put(&mut ws, "2026-09", 10);
    put(&mut ws, "2026-11", 12);
    put(&mut ws, "2026-10", 11);
    // The October change applies from October on, replacing November's version.
    assert_eq!(modifier(&ws, "2026-09"), Some(Decimal::from(10)));
    assert_eq!(modifier(&ws, "2026-10"), Some(Decimal::from(11)));
    assert_eq!(modifier(&ws, "2026-12"), Some(Decimal::from(11)));
    drop(ws);

    let mut ws = Workspace::open(&path).unwrap();
    let undone = ws.undo().unwrap();
    assert_eq!(undone.period, p("2026-10"));
    // Undo restores the exact history, November's own version included.
    assert_eq!(modifier(&ws, "2026-10"), Some(Decimal::from(10)));
    assert_eq!(modifier(&ws, "2026-11"), Some(Decimal::from(12)));
    ws.undo().unwrap();
    assert_eq!(modifier(&ws, "2026-11"), Some(Decimal::from(10)));
    drop(ws);

    let mut ws = Workspace::open(&path).unwrap();
    ws.redo().unwrap();
    assert_eq!(modifier(&ws, "2026-11"), Some(Decimal::from(12)));
    ws.redo().unwrap();
    assert_eq!(modifier(&ws, "2026-10"), Some(Decimal::from(11)));
    assert!(matches!(ws.redo(), Err(ConfigError::Nothing(_))));
    ws.undo().unwrap();
    ws.undo().unwrap();
    ws.undo().unwrap();
    assert_eq!(modifier(&ws, "2026-09"), None, "the creation is undone too");
    assert!(matches!(ws.undo(), Err(ConfigError::Nothing(_))));
    // A new change after undoing ends the redo chain.
    ws.redo().unwrap();
    put(&mut ws, "2026-09", 20);
    assert!(matches!(ws.redo(), Err(ConfigError::Nothing(_))));
    let history = ws.audit(100).unwrap();
    assert!(
        history.iter().any(|h| h.action == "undo") && history.iter().any(|h| h.action == "redo")
    );
}

#[test]
fn closed_periods_refuse_edits_imports_and_undo() {
    let (dir, path) = common::workspace();
    let csv = dir.path().join("oct.csv");
    std::fs::write(
        &csv,
        common::cur_csv(&[(
            PAYER,
            "111100002222",
            "2026-10-01T00:00:00Z",
            "Usage",
            "AmazonEC2",
            "5",
        )]),
    )
    .unwrap();
    common::bin()
        .arg("import")
        .arg(&path)
        .arg(&csv)
        .assert()
        .success();
    let mut ws = Workspace::open(&path).unwrap();
    put(&mut ws, "2026-09", 10);
    ws.close_period(p("2026-10"), "October invoiced").unwrap();
    assert!(ws.is_closed(p("2026-10")).unwrap());

    // Edits from October, or from before it (they would reach October), are refused.
    for from in ["2026-10", "2026-09"] {
        let before = common::snapshot(&path);
        match ws.apply_changes(p(from), &[Change::Put(Object::Rule(rule(50)))], None) {
            Err(ConfigError::Closed(c)) => assert_eq!(c, p("2026-10")),
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(common::snapshot(&path), before);
    }
    // November is open.
    put(&mut ws, "2026-11", 30);
    assert!(ws.undo().is_ok(), "undoing the November change is fine");
    put(&mut ws, "2026-11", 30);

    // A new delivery for October is refused; the same file again is not a change.
    std::fs::write(
        &csv,
        common::cur_csv(&[(
            PAYER,
            "111100002222",
            "2026-10-01T00:00:00Z",
            "Usage",
            "AmazonEC2",
            "6",
        )]),
    )
    .unwrap();
    common::bin()
        .arg("import")
        .arg(&path)
        .arg(&csv)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("2026-10 is closed"));

    assert!(
        ws.reopen_period(p("2026-10"), " ").is_err(),
        "a reason is required"
    );
    ws.reopen_period(p("2026-10"), "credit note received")
        .unwrap();
    put(&mut ws, "2026-10", 40);
    common::bin()
        .arg("import")
        .arg(&path)
        .arg(&csv)
        .assert()
        .success();
    let audit = ws.audit(100).unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "close" && a.reason.as_deref() == Some("October invoiced"))
    );
    assert!(
        audit
            .iter()
            .any(|a| a.action == "reopen" && a.reason.as_deref() == Some("credit note received"))
    );
}

#[test]
fn scenarios_follow_the_same_change_rules() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::create(&dir.path().join("w.proforma")).unwrap();
    put(&mut ws, "2026-10", 10);
    let plan = PricingPlan {
        arn: format!("arn:aws:billingconductor::{PAYER}:pricingplan/PlanAAAAAA"),
        name: "plan".into(),
        description: String::new(),
        rules: vec![rule(10).arn],
    };
    ws.apply_changes(p("2026-10"), &[Change::Put(Object::Plan(plan))], None)
        .unwrap();
    let s = ws.create_scenario("what-if", p("2026-10")).unwrap();
    match ws.scenario_change(
        s.id,
        &Change::Delete {
            kind: Kind::PricingRule,
            arn: rule(10).arn,
        },
    ) {
        Err(ConfigError::Invalid(v)) => assert!(
            v.has(Reason::PricingRuleAttachedToPricingPlanDeleteConflict),
            "{v}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    ws.scenario_change(s.id, &Change::Put(Object::Rule(rule(15))))
        .unwrap();
    assert_eq!(
        modifier(&ws, "2026-10"),
        Some(Decimal::from(10)),
        "the baseline is untouched"
    );
    assert_eq!(
        ws.scenario_config(s.id).unwrap().rules[0].modifier,
        Some(Decimal::from(15))
    );
    ws.promote_scenario(s.id).unwrap();
    assert_eq!(modifier(&ws, "2026-10"), Some(Decimal::from(15)));
    assert!(
        ws.scenarios().unwrap().is_empty(),
        "a promoted scenario is gone"
    );
}
