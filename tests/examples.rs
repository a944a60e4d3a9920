//! SPEC section 7: every worked example, end to end through the binary (the folders in
//! ../shared/examples) or through the library (examples 3 and 7).

mod common;

use common::{bin, workspace};
use proforma::analysis::Analysis;
use proforma::model::*;
use proforma::period::BillingPeriod;
use proforma::store::Workspace;
use proforma::store::config::{Change, Object};
use rust_decimal::Decimal;

fn run_example(dir: &str) {
    let Some(cur) = common::shared_example(dir, "cur.csv") else {
        eprintln!("skipping {dir}: ../shared/examples is absent");
        return;
    };
    let folder = cur.parent().unwrap().to_path_buf();
    let (_d, ws) = workspace();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(folder.join("cur.csv"))
        .assert()
        .success();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(folder.join("bundle.json"))
        .assert()
        .success();
    let out = bin()
        .arg("report")
        .arg(&ws)
        .args(["--period", "2026-10", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = std::fs::read_to_string(folder.join("expected-report.json")).unwrap();
    // Byte for byte, but the final newline the file lacks.
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim_end(),
        expected.trim_end(),
        "{dir}"
    );
}

#[test]
fn example_1_markup_flat_and_percentage() {
    run_example("1-markup-flat-and-percentage");
}

#[test]
fn example_2_precedence_no_stacking() {
    run_example("2-precedence-no-stacking");
}

#[test]
fn example_4a_savings_plan_owner_inside() {
    run_example("4a-savings-plan-owner-inside");
}

#[test]
fn example_4b_savings_plan_owner_outside() {
    run_example("4b-savings-plan-owner-outside");
}

#[test]
fn example_5a_reserved_instance_owner_outside() {
    run_example("5a-reserved-instance-owner-outside");
}

#[test]
fn example_5b_reserved_instance_owner_inside() {
    run_example("5b-reserved-instance-owner-inside");
}

#[test]
fn example_6_exclusions() {
    run_example("6-exclusions");
}

#[test]
fn example_8_free_tier_and_percentage_filter() {
    run_example("8-free-tier-and-percentage-filter");
}

const PAYER: &str = "999900001111";

fn account(n: u8) -> String {
    format!("1111000000{n:02}")
}

fn group(name: &str, members: &[u8]) -> BillingGroup {
    BillingGroup {
        arn: format!("arn:aws:billingconductor::{PAYER}:billinggroup/{name}00000000"),
        name: name.into(),
        description: String::new(),
        primary_account: account(members[0]),
        accounts: members.iter().map(|m| account(*m)).collect(),
        plan: BASIC_PLAN_ARN.into(),
        auto_associate: false,
        group_type: GroupType::Standard,
        responsibility_transfer_arn: None,
    }
}

fn cur_for(period: &str) -> String {
    let mut rows = Vec::new();
    for n in 1..=6u8 {
        rows.push((
            PAYER.to_string(),
            account(n),
            format!("{period}-01T00:00:00Z"),
            "Usage",
            "AmazonEC2",
            "200",
        ));
    }
    let refs: Vec<(&str, &str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|(a, b, c, d, e, f)| (a.as_str(), b.as_str(), c.as_str(), *d, *e, *f))
        .collect();
    common::cur_csv(&refs)
}

fn aws_cost(ws: &Workspace, period: &str, name: &str) -> Decimal {
    let a = Analysis::load(ws, period.parse().unwrap()).unwrap();
    let g = a.group_index(name).unwrap();
    a.pricing.groups[g].aws_cost
}

/// Example 3: accounts 1-3 in A, 4-6 in B, $200 each; account 3 moves to B in October and
/// counts in B for all of October, while September keeps the old membership.
#[test]
fn example_3_membership_is_per_period() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.proforma");
    let mut ws = Workspace::create(&path).unwrap();
    for (p, name) in [("2026-09", "sep.csv"), ("2026-10", "oct.csv")] {
        let f = dir.path().join(name);
        std::fs::write(&f, cur_for(p)).unwrap();
        proforma::import::import(
            &mut ws,
            &[proforma::cur::Source::File(f)],
            &proforma::import::Quiet,
        )
        .unwrap();
    }
    let sep: BillingPeriod = "2026-09".parse().unwrap();
    let oct: BillingPeriod = "2026-10".parse().unwrap();
    let config = Config {
        groups: vec![group("A", &[1, 2, 3]), group("B", &[4, 5, 6])],
        ..Default::default()
    };
    ws.replace_config(sep, &config, None).unwrap();
    assert_eq!(aws_cost(&ws, "2026-10", "A"), Decimal::from(600));

    ws.apply_changes(
        oct,
        &[
            Change::Put(Object::Group(group("A", &[1, 2]))),
            Change::Put(Object::Group(group("B", &[4, 5, 6, 3]))),
        ],
        Some("account 3 moves to B"),
    )
    .unwrap();
    assert_eq!(aws_cost(&ws, "2026-10", "A"), Decimal::from(400));
    assert_eq!(aws_cost(&ws, "2026-10", "B"), Decimal::from(800));
    assert_eq!(
        aws_cost(&ws, "2026-09", "A"),
        Decimal::from(600),
        "September keeps its configuration"
    );
    assert_eq!(aws_cost(&ws, "2026-09", "B"), Decimal::from(600));
}

fn rule(name: &str, scope: Scope, rule_type: RuleType, modifier: Option<&str>) -> PricingRule {
    PricingRule {
        arn: format!("arn:aws:billingconductor::{PAYER}:pricingrule/{name:0>10}"),
        name: name.into(),
        description: String::new(),
        scope,
        rule_type,
        modifier: modifier.map(|m| m.parse().unwrap()),
        service: None,
        billing_entity: None,
        usage_type: None,
        operation: None,
        free_tier: None,
        tiers: vec![],
    }
}

/// Example 7: a DISCOUNT of 100.01 %, a SKU rule with only a service code, and a second GLOBAL
/// MARKUP in one plan are refused with their reason codes.
#[test]
fn example_7_invalid_rules_are_refused() {
    let discount = rule(
        "too-much",
        Scope::Global,
        RuleType::Discount,
        Some("100.01"),
    );
    let mut sku = rule("half-sku", Scope::Sku, RuleType::Markup, Some("5"));
    sku.service = Some("AmazonEC2".into());
    let m1 = rule("markup-a", Scope::Global, RuleType::Markup, Some("10"));
    let m2 = rule("markup-b", Scope::Global, RuleType::Markup, Some("12"));
    let plan = PricingPlan {
        arn: format!("arn:aws:billingconductor::{PAYER}:pricingplan/PlanAAAAAA"),
        name: "plan".into(),
        description: String::new(),
        rules: vec![m1.arn.clone(), m2.arn.clone()],
    };
    let config = Config {
        rules: vec![discount, sku, m1, m2],
        plans: vec![plan],
        ..Default::default()
    };
    let v = validate(&config, &ValidationContext::default()).unwrap_err();
    assert!(v.has(Reason::IllegalModifierPercentage), "{v}");
    assert!(v.has(Reason::InvalidSkuCombo), "{v}");
    assert!(v.has(Reason::PricingRuleInPricingPlanConflict), "{v}");
    let text = v.to_string();
    assert!(
        text.contains("pricing rule 'too-much'.ModifierPercentage"),
        "{text}"
    );
    assert!(
        text.contains("pricing plan 'plan'.PricingRuleArns"),
        "{text}"
    );
}
