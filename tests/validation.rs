//! One test per reason code proforma uses: a valid configuration, one change that breaks one
//! rule, and the refusal naming the code and the field.

use proforma::model::*;
use proforma::period::BillingPeriod;
use proforma::store::Workspace;
use proforma::store::config::{Change, ConfigError, Object};
use rust_decimal::Decimal;

const PAYER: &str = "999900001111";

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn arn(kind: &str, id: &str) -> String {
    format!("arn:aws:billingconductor::{PAYER}:{kind}/{id:0>10}")
}

fn rule(name: &str) -> PricingRule {
    PricingRule {
        arn: arn("pricingrule", name),
        name: name.into(),
        description: String::new(),
        scope: Scope::Global,
        rule_type: RuleType::Markup,
        modifier: Some(d("10")),
        service: None,
        billing_entity: None,
        usage_type: None,
        operation: None,
        free_tier: None,
        tiers: vec![],
    }
}

/// A valid configuration touching every kind of object.
fn base() -> Config {
    let global = rule("global");
    let mut ec2 = rule("ec2");
    ec2.scope = Scope::Service;
    ec2.service = Some("AmazonEC2".into());
    let mut tiers = rule("tiers");
    tiers.scope = Scope::Sku;
    tiers.rule_type = RuleType::Tiering;
    tiers.modifier = None;
    tiers.service = Some("AmazonS3".into());
    tiers.usage_type = Some("TimedStorage-ByteHrs".into());
    tiers.operation = Some("PutObject".into());
    tiers.tiers = vec![
        Tier {
            begin: d("0"),
            end: Some(d("100")),
            rate: d("0.02"),
        },
        Tier {
            begin: d("100"),
            end: None,
            rate: d("0.01"),
        },
    ];
    let mut free = rule("free");
    free.rule_type = RuleType::Tiering;
    free.modifier = None;
    free.free_tier = Some(false);
    let plan = PricingPlan {
        arn: arn("pricingplan", "plan"),
        name: "plan".into(),
        description: String::new(),
        rules: vec![
            global.arn.clone(),
            ec2.arn.clone(),
            tiers.arn.clone(),
            free.arn.clone(),
        ],
    };
    let group = BillingGroup {
        arn: arn("billinggroup", "retail"),
        name: "retail".into(),
        description: String::new(),
        primary_account: "111100002222".into(),
        accounts: ["111100002222".to_string(), "111100003333".to_string()].into(),
        plan: plan.arn.clone(),
        auto_associate: true,
        group_type: GroupType::Standard,
        responsibility_transfer_arn: None,
    };
    let flat = CustomLineItem {
        arn: arn("customlineitem", "flat"),
        name: "flat".into(),
        description: "a flat fee".into(),
        group: group.arn.clone(),
        account: None,
        item_type: ItemType::Fee,
        charge: Charge::Flat { value: d("10") },
        filter: None,
        computation: Computation::Consolidated,
        presentation_service: DEFAULT_PRESENTATION_SERVICE.into(),
        start: "2026-10".parse().unwrap(),
        end: None,
        currency: "USD".into(),
    };
    let pct = CustomLineItem {
        arn: arn("customlineitem", "pct"),
        name: "pct".into(),
        charge: Charge::Percentage {
            percent: d("5"),
            associated: vec![group.arn.clone(), flat.arn.clone()],
        },
        filter: Some(LineItemFilter::ExcludeSavingsPlanNegation),
        computation: Computation::Itemized,
        ..flat.clone()
    };
    let view = CustomView {
        arn: format!("arn:aws:billing::{PAYER}:billingview/custom-aaaaaaaaaa"),
        name: "team view".into(),
        description: String::new(),
        sources: vec![primary_view_arn(PAYER)],
        filter: ViewFilter::Tag {
            key: "user:team".into(),
            values: ["web".to_string()].into(),
        },
    };
    Config {
        groups: vec![group],
        plans: vec![plan],
        rules: vec![global, ec2, tiers, free],
        items: vec![flat, pct],
        views: vec![view],
        transfers: vec![],
        allocations: vec![],
    }
}

fn ctx() -> ValidationContext {
    ValidationContext {
        payers: [PAYER.to_string()].into(),
        allow_missing_sources: false,
        ..Default::default()
    }
}

#[test]
fn the_base_configuration_is_valid() {
    validate(&base(), &ctx()).unwrap();
}

fn refused(change: impl FnOnce(&mut Config), reason: Reason, field: &str) {
    let mut c = base();
    change(&mut c);
    let v = validate(&c, &ctx()).expect_err("the change should be refused");
    assert!(
        v.0.iter()
            .any(|x| x.reason == reason && x.field.contains(field)),
        "expected {reason} at {field}, got:\n{v}"
    );
}

macro_rules! refusal {
    ($name:ident, $reason:ident, $field:expr, $change:expr) => {
        #[test]
        fn $name() {
            refused($change, Reason::$reason, $field);
        }
    };
}

refusal!(
    field_validation_failed,
    FieldValidationFailed,
    "Name",
    |c: &mut Config| c.groups[0].name = "has space".into()
);
refusal!(
    resource_name_conflict,
    ResourceNameConflict,
    "rule 'global'.Name",
    |c: &mut Config| c.rules[1].name = "global".into()
);
refusal!(invalid_arn, InvalidArn, "Arn", |c: &mut Config| c.rules
    [1]
.arn =
    c.rules[0].arn.clone());
refusal!(
    accounts_already_associated,
    AccountsAlreadyAssociated,
    "Accounts",
    |c: &mut Config| {
        let mut other = c.groups[0].clone();
        other.arn = arn("billinggroup", "media");
        other.name = "media".into();
        other.auto_associate = false;
        c.groups.push(other);
    }
);
refusal!(
    illegal_account_id,
    IllegalAccountId,
    "Accounts",
    |c: &mut Config| {
        c.groups[0].accounts.insert("12345".into());
    }
);
refusal!(
    primary_not_associated,
    PrimaryNotAssociated,
    "PrimaryAccountId",
    |c: &mut Config| c.groups[0].primary_account = "111100004444".into()
);
refusal!(
    illegal_primary_account,
    IllegalPrimaryAccount,
    "PrimaryAccountId",
    |c: &mut Config| {
        c.groups[0].accounts.insert(PAYER.into());
        c.groups[0].primary_account = PAYER.into();
    }
);
refusal!(
    illegal_billing_group_pricing_plan,
    IllegalBillingGroupPricingPlan,
    "PricingPlanArn",
    |c: &mut Config| c.groups[0].plan = PASSTHROUGH_PLAN_ARN.into()
);
refusal!(
    missing_pricingplan,
    MissingPricingplan,
    "PricingPlanArn",
    |c: &mut Config| c.groups[0].plan = arn("pricingplan", "nope")
);
refusal!(
    too_many_auto_associate,
    TooManyAutoAssociateBillingGroups,
    "AutoAssociate",
    |c: &mut Config| {
        let mut other = c.groups[0].clone();
        other.arn = arn("billinggroup", "media");
        other.name = "media".into();
        other.primary_account = "111100005555".into();
        other.accounts = ["111100005555".to_string()].into();
        c.groups.push(other);
    }
);
refusal!(illegal_scope, IllegalScope, "Service", |c: &mut Config| c
    .rules[0]
    .service =
    Some("AmazonEC2".into()));
refusal!(
    invalid_sku_combo,
    InvalidSkuCombo,
    "Scope",
    |c: &mut Config| c.rules[2].operation = None
);
refusal!(
    illegal_service,
    IllegalService,
    "Service",
    |c: &mut Config| c.rules[1].service = Some("Amazon EC2!".into())
);
refusal!(
    illegal_usage_type,
    IllegalUsageType,
    "UsageType",
    |c: &mut Config| c.rules[2].usage_type = Some("has space".into())
);
refusal!(
    illegal_operation,
    IllegalOperation,
    "Operation",
    |c: &mut Config| c.rules[2].operation = Some("a b".into())
);
refusal!(
    illegal_billing_entity,
    IllegalBillingEntity,
    "BillingEntity",
    |c: &mut Config| {
        c.rules[1].scope = Scope::BillingEntity;
        c.rules[1].service = None;
        c.rules[1].billing_entity = Some("Amazon".into());
    }
);
refusal!(
    illegal_modifier_percentage,
    IllegalModifierPercentage,
    "ModifierPercentage",
    |c: &mut Config| c.rules[0].modifier = Some(d("-1"))
);
refusal!(
    illegal_tiering_input,
    IllegalTieringInput,
    "Tiering.Tiers",
    |c: &mut Config| c.rules[2].tiers[1].begin = d("150")
);
refusal!(
    duplicate_pricingrule_arns,
    DuplicatePricingruleArns,
    "PricingRuleArns",
    |c: &mut Config| {
        let first = c.plans[0].rules[0].clone();
        c.plans[0].rules.push(first);
    }
);
refusal!(
    pricingrules_not_exist,
    PricingrulesNotExist,
    "PricingRuleArns",
    |c: &mut Config| c.plans[0].rules.push(arn("pricingrule", "ghost"))
);
refusal!(
    pricing_rule_in_pricing_plan_conflict,
    PricingRuleInPricingPlanConflict,
    "PricingRuleArns",
    |c: &mut Config| {
        let mut again = rule("ec2-again");
        again.scope = Scope::Service;
        again.service = Some("AmazonEC2".into());
        c.plans[0].rules.push(again.arn.clone());
        c.rules.push(again);
    }
);
refusal!(
    missing_billinggroup,
    MissingBillinggroup,
    "BillingGroupArn",
    |c: &mut Config| c.items[0].group = arn("billinggroup", "ghost")
);
refusal!(
    accounts_not_associated,
    AccountsNotAssociated,
    "AccountId",
    |c: &mut Config| c.items[0].account = Some("111100009999".into())
);
refusal!(
    illegal_charge_details,
    IllegalChargeDetails,
    "ChargeValue",
    |c: &mut Config| c.items[0].charge = Charge::Flat {
        value: d("1000000.01")
    }
);
refusal!(
    illegal_line_item_filter,
    IllegalLineItemFilter,
    "LineItemFilters",
    |c: &mut Config| c.items[0].filter = Some(LineItemFilter::ExcludeSavingsPlanNegation)
);
refusal!(
    illegal_computation_rule,
    IllegalComputationRule,
    "ComputationRule",
    |c: &mut Config| c.items[0].computation = Computation::Itemized
);
refusal!(
    illegal_child_associate_resource,
    IllegalChildAssociateResource,
    "AssociatedValues",
    |c: &mut Config| {
        let own = c.items[1].arn.clone();
        if let Charge::Percentage { associated, .. } = &mut c.items[1].charge {
            associated.push(own);
        }
    }
);
refusal!(
    illegal_resource_arns,
    IllegalResourceArns,
    "AssociatedValues",
    |c: &mut Config| {
        if let Charge::Percentage { associated, .. } = &mut c.items[1].charge {
            associated.push(arn("billinggroup", "ghost"));
        }
    }
);
refusal!(
    illegal_billing_period_range,
    IllegalBillingPeriodRange,
    "BillingPeriodRange",
    |c: &mut Config| c.items[0].end = Some("2026-10".parse().unwrap())
);
refusal!(
    source_view_not_found,
    SourceViewNotFound,
    "SourceViews",
    |c: &mut Config| c.views[0].sources = vec![format!(
        "arn:aws:billing::{PAYER}:billingview/custom-zzzzzzzzzz"
    )]
);
refusal!(
    invalid_filter,
    InvalidFilter,
    "DataFilterExpression",
    |c: &mut Config| c.views[0].filter = ViewFilter::Accounts {
        accounts: Default::default()
    }
);
refusal!(
    cyclic_dependency,
    CyclicDependency,
    "SourceViews",
    |c: &mut Config| {
        let own = c.views[0].arn.clone();
        c.views[0].sources.push(own);
    }
);

/// Reason codes about changes rather than states, through the store.
fn store_with_base() -> (tempfile::TempDir, Workspace, BillingPeriod) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::create(&dir.path().join("w.proforma")).unwrap();
    let p: BillingPeriod = "2026-10".parse().unwrap();
    ws.replace_config(p, &base(), None).unwrap();
    (dir, ws, p)
}

fn change_refused(ws: &mut Workspace, p: BillingPeriod, change: Change, reason: Reason) {
    let before = ws.config_at(p).unwrap();
    let audit = ws.audit_len().unwrap();
    match ws.apply_changes(p, &[change], None) {
        Err(ConfigError::Invalid(v)) => assert!(v.has(reason), "expected {reason}, got {v}"),
        other => panic!("expected {reason}, got {other:?}"),
    }
    assert_eq!(
        ws.config_at(p).unwrap(),
        before,
        "a refused change wrote something"
    );
    assert_eq!(ws.audit_len().unwrap(), audit);
}

#[test]
fn pricing_plan_attached_to_billing_group_delete_conflict() {
    let (_d, mut ws, p) = store_with_base();
    change_refused(
        &mut ws,
        p,
        Change::Delete {
            kind: Kind::PricingPlan,
            arn: arn("pricingplan", "plan"),
        },
        Reason::PricingPlanAttachedToBillingGroupDeleteConflict,
    );
}

#[test]
fn pricing_rule_attached_to_pricing_plan_delete_conflict() {
    let (_d, mut ws, p) = store_with_base();
    change_refused(
        &mut ws,
        p,
        Change::Delete {
            kind: Kind::PricingRule,
            arn: arn("pricingrule", "global"),
        },
        Reason::PricingRuleAttachedToPricingPlanDeleteConflict,
    );
}

#[test]
fn illegal_customlineitem_update() {
    let (_d, mut ws, p) = store_with_base();
    let mut item = base().items[0].clone();
    item.item_type = ItemType::Credit;
    change_refused(
        &mut ws,
        p,
        Change::Put(Object::Item(item)),
        Reason::IllegalCustomlineitemUpdate,
    );
}

#[test]
fn primary_cannot_disassociate() {
    let (_d, mut ws, p) = store_with_base();
    let mut g = base().groups[0].clone();
    g.accounts.remove("111100002222");
    change_refused(
        &mut ws,
        p,
        Change::Put(Object::Group(g)),
        Reason::PrimaryCannotDisassociate,
    );
}

#[test]
fn a_change_that_breaks_a_later_period_is_refused() {
    let (_d, mut ws, p) = store_with_base();
    // November gets its own version of the plan without the EC2 rule...
    let nov = p.next();
    let mut plan = base().plans[0].clone();
    plan.rules.retain(|r| !r.ends_with("0000000ec2"));
    ws.apply_changes(nov, &[Change::Put(Object::Plan(plan))], None)
        .unwrap();
    // ...deleting the EC2 rule from November on is fine, from October on it is not.
    ws.apply_changes(
        nov,
        &[Change::Delete {
            kind: Kind::PricingRule,
            arn: arn("pricingrule", "ec2"),
        }],
        None,
    )
    .unwrap();
    assert!(
        ws.config_at(p)
            .unwrap()
            .rule(&arn("pricingrule", "ec2"))
            .is_some()
    );
    assert!(
        ws.config_at(nov)
            .unwrap()
            .rule(&arn("pricingrule", "ec2"))
            .is_none()
    );
}

#[test]
fn deleting_a_source_view_leaves_dependent_views_unhealthy() {
    use proforma::analysis::{Analysis, ReportError};
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::create(&dir.path().join("w.proforma")).unwrap();
    let p: BillingPeriod = "2026-10".parse().unwrap();
    let mut config = base();
    let mut derived = config.views[0].clone();
    derived.arn = format!("arn:aws:billing::{PAYER}:billingview/custom-bbbbbbbbbb");
    derived.name = "derived".into();
    derived.sources = vec![config.views[0].arn.clone()];
    derived.filter = ViewFilter::None;
    config.views.push(derived);
    ws.replace_config(p, &config, None).unwrap();
    let audit = ws.audit_len().unwrap();
    ws.apply_changes(
        p,
        &[Change::Delete {
            kind: Kind::BillingView,
            arn: config.views[0].arn.clone(),
        }],
        Some("cleanup"),
    )
    .unwrap();
    assert_eq!(
        ws.audit_len().unwrap(),
        audit + 1,
        "every change is audited"
    );
    let a = Analysis::new(p, vec![], ws.config_at(p).unwrap());
    match a.view_report("custom:derived", None) {
        Err(ReportError::Unhealthy(h)) => {
            assert!(h.to_string().contains("SOURCE_VIEW_NOT_FOUND"), "{h}")
        }
        other => panic!("expected an unhealthy view, got {other:?}"),
    }
}
