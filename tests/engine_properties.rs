//! Properties of the pro forma computation that must hold for any data and configuration.

use proforma::analysis::Analysis;
use proforma::cur::{LineKey, LineSums};
use proforma::model::*;
use proforma::period::BillingPeriod;
use proforma::store::StoredLine;
use proptest::prelude::*;
use rust_decimal::Decimal;

const PAYER: &str = "999900001111";
const ACCOUNTS: [&str; 6] = [
    "111100000001",
    "111100000002",
    "111100000003",
    "111100000004",
    "111100000005",
    "111100000006",
];
const SERVICES: [&str; 3] = ["AmazonEC2", "AmazonS3", "AWSLambda"];
const TYPES: [&str; 10] = [
    "Usage",
    "Usage",
    "DiscountedUsage",
    "SavingsPlanCoveredUsage",
    "SavingsPlanNegation",
    "RIFee",
    "Fee",
    "Credit",
    "Tax",
    "EdpDiscount",
];

fn period() -> BillingPeriod {
    "2026-10".parse().unwrap()
}

fn money() -> impl Strategy<Value = Decimal> {
    (0i64..1_000_000, 0u32..5).prop_map(|(m, s)| Decimal::new(m, s))
}

#[derive(Debug, Clone)]
struct LineSpec {
    account: usize,
    service: usize,
    kind: usize,
    owner: usize,
    free: bool,
    unblended: Decimal,
    public: Decimal,
    usage: Decimal,
}

fn line_spec() -> impl Strategy<Value = LineSpec> {
    (
        0..6usize,
        0..3usize,
        0..TYPES.len(),
        0..6usize,
        any::<bool>(),
        money(),
        money(),
        money(),
    )
        .prop_map(
            |(account, service, kind, owner, free, unblended, public, usage)| LineSpec {
                account,
                service,
                kind,
                owner,
                free,
                unblended,
                public,
                usage,
            },
        )
}

fn line(s: &LineSpec) -> StoredLine {
    let kind = TYPES[s.kind];
    let commitment = matches!(
        kind,
        "DiscountedUsage" | "SavingsPlanCoveredUsage" | "SavingsPlanNegation" | "RIFee"
    );
    let free = kind == "Usage" && s.free;
    let sign = if matches!(kind, "Credit" | "EdpDiscount" | "SavingsPlanNegation") {
        -Decimal::ONE
    } else {
        Decimal::ONE
    };
    StoredLine {
        key: LineKey {
            period: period(),
            payer: PAYER.into(),
            account: ACCOUNTS[s.account].into(),
            billing_entity: "AWS".into(),
            product_code: SERVICES[s.service].into(),
            product_name: SERVICES[s.service].into(),
            usage_type: "Usage".into(),
            operation: "Op".into(),
            line_item_type: kind.into(),
            region: "us-east-1".into(),
            owner: if commitment {
                ACCOUNTS[s.owner].into()
            } else {
                "".into()
            },
            free_on_bill: free,
            labels: Default::default(),
        },
        sums: LineSums {
            rows: 1,
            usage_amount: s.usage,
            unblended_cost: if free {
                Decimal::ZERO
            } else {
                sign * s.unblended
            },
            public_cost: s.public,
            no_public_price_rows: 0,
            sp_effective_cost: Decimal::ZERO,
            ri_effective_cost: Decimal::ZERO,
        },
    }
}

fn arn(kind: &str, id: &str) -> String {
    format!("arn:aws:billingconductor::{PAYER}:{kind}/{id:0>10}")
}

#[derive(Debug, Clone)]
struct ConfigSpec {
    /// Group of each account: 0 = none, 1 or 2.
    membership: [u8; 6],
    markup: Decimal,
    service_discount: Decimal,
    service: usize,
    free_tier_off: bool,
    flat_fee: Decimal,
    percent: Decimal,
}

fn config_spec() -> impl Strategy<Value = ConfigSpec> {
    (
        proptest::array::uniform6(0u8..3),
        0i64..5000,
        0i64..10000,
        0..3usize,
        any::<bool>(),
        money(),
        0i64..2000,
    )
        .prop_map(
            |(membership, markup, discount, service, free_tier_off, flat_fee, percent)| {
                ConfigSpec {
                    membership,
                    markup: Decimal::new(markup, 2),
                    service_discount: Decimal::new(discount, 2),
                    service,
                    free_tier_off,
                    flat_fee: flat_fee.min(Decimal::from(1_000_000)),
                    percent: Decimal::new(percent, 1),
                }
            },
        )
}

fn rule(name: &str, scope: Scope, rule_type: RuleType, modifier: Option<Decimal>) -> PricingRule {
    PricingRule {
        arn: arn("pricingrule", name),
        name: name.into(),
        description: String::new(),
        scope,
        rule_type,
        modifier,
        service: None,
        billing_entity: None,
        usage_type: None,
        operation: None,
        free_tier: None,
        tiers: vec![],
    }
}

fn config(spec: &ConfigSpec, with_rules: bool, with_items: bool) -> Config {
    let mut c = Config::default();
    let markup = rule("markup", Scope::Global, RuleType::Markup, Some(spec.markup));
    let mut discount = rule(
        "discount",
        Scope::Service,
        RuleType::Discount,
        Some(spec.service_discount),
    );
    discount.service = Some(SERVICES[spec.service].into());
    let mut free = rule("free", Scope::Global, RuleType::Tiering, None);
    free.free_tier = Some(!spec.free_tier_off);
    let plan = PricingPlan {
        arn: arn("pricingplan", "plan"),
        name: "plan".into(),
        description: String::new(),
        rules: if with_rules {
            vec![markup.arn.clone(), discount.arn.clone(), free.arn.clone()]
        } else {
            vec![]
        },
    };
    c.rules = vec![markup, discount, free];
    c.plans = vec![plan];
    for g in 1..=2u8 {
        let accounts: std::collections::BTreeSet<String> = (0..6)
            .filter(|&i| spec.membership[i] == g)
            .map(|i| ACCOUNTS[i].to_string())
            .collect();
        let Some(primary) = accounts.iter().next().cloned() else {
            continue;
        };
        c.groups.push(BillingGroup {
            arn: arn("billinggroup", &format!("group{g}")),
            name: format!("group{g}"),
            description: String::new(),
            primary_account: primary,
            accounts,
            plan: arn("pricingplan", "plan"),
            auto_associate: false,
            group_type: GroupType::Standard,
            responsibility_transfer_arn: None,
        });
    }
    if with_items {
        if let Some(g) = c.groups.first().cloned() {
            let flat = CustomLineItem {
                arn: arn("customlineitem", "flat"),
                name: "flat".into(),
                description: "flat".into(),
                group: g.arn.clone(),
                account: None,
                item_type: ItemType::Fee,
                charge: Charge::Flat {
                    value: spec.flat_fee,
                },
                filter: None,
                computation: Computation::Consolidated,
                presentation_service: DEFAULT_PRESENTATION_SERVICE.into(),
                start: period(),
                end: None,
                currency: "USD".into(),
            };
            let pct = CustomLineItem {
                arn: arn("customlineitem", "pct"),
                name: "pct".into(),
                item_type: ItemType::Credit,
                charge: Charge::Percentage {
                    percent: spec.percent,
                    associated: c
                        .groups
                        .iter()
                        .map(|g| g.arn.clone())
                        .chain([flat.arn.clone()])
                        .collect(),
                },
                filter: Some(LineItemFilter::ExcludeSavingsPlanNegation),
                ..flat.clone()
            };
            c.items = vec![flat, pct];
        }
    }
    validate(&c, &ValidationContext::default()).expect("generated configurations are valid");
    c
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    /// An empty plan and no custom line items: pro forma = Σ public cost of the non-free rows.
    #[test]
    fn empty_plan_prices_at_public_cost(specs in proptest::collection::vec(line_spec(), 0..40), cfg in config_spec()) {
        let lines: Vec<StoredLine> = specs.iter().map(|s| LineSpec { kind: 0, ..s.clone() }).map(|s| line(&s)).collect();
        let c = config(&cfg, false, false);
        let a = Analysis::new(period(), lines, c);
        for (g, totals) in a.pricing.groups.iter().enumerate() {
            let expected: Decimal = a.lines.iter().enumerate()
                .filter(|(i, l)| a.pricing.line_group[*i] == Some(g) && !l.key.free_on_bill)
                .map(|(_, l)| l.sums.public_cost)
                .sum();
            prop_assert_eq!(totals.proforma(), expected);
        }
    }

    /// The payer's invoice total = Σ AWSCost over groups + unmonitored billable + tax.
    #[test]
    fn invoice_total_ties_out(specs in proptest::collection::vec(line_spec(), 0..60), cfg in config_spec()) {
        let lines: Vec<StoredLine> = specs.iter().map(line).collect();
        let invoice: Decimal = lines.iter().map(|l| l.sums.unblended_cost).sum();
        let a = Analysis::new(period(), lines, config(&cfg, true, true));
        let groups: Decimal = a.pricing.groups.iter().map(|g| g.aws_cost + g.tax).sum();
        prop_assert_eq!(invoice, groups + a.pricing.unmonitored.aws_cost + a.pricing.unmonitored.tax);
        // The primary view shows the same billable total, and the groups' pro forma.
        if a.lines.is_empty() {
            return Ok(());
        }
        let view = a.view_report("primary", None).unwrap();
        let tax: Decimal = a.lines.iter().filter(|l| l.key.line_item_type == proforma::cur::LineItemType::Tax).map(|l| l.sums.unblended_cost).sum();
        prop_assert_eq!(view.totals.billable + view.totals.tax, invoice);
        prop_assert_eq!(view.totals.tax, tax);
        if !a.config.groups.is_empty() && a.pricing.line_group.iter().any(Option::is_some) {
            let proforma: Decimal = a.pricing.groups.iter().map(|g| g.proforma()).sum();
            prop_assert_eq!(view.totals.proforma.unwrap_or_default(), proforma);
        }
    }

    /// Moving an account between groups conserves the total AWS cost.
    #[test]
    fn moving_an_account_conserves_aws_cost(specs in proptest::collection::vec(line_spec(), 1..60), cfg in config_spec(), who in 0..6usize) {
        let lines: Vec<StoredLine> = specs.iter().map(line).collect();
        let total = |c: &Config| {
            let a = Analysis::new(period(), lines.clone(), c.clone());
            a.pricing.groups.iter().map(|g| g.aws_cost).sum::<Decimal>() + a.pricing.unmonitored.aws_cost
        };
        let before = total(&config(&cfg, true, true));
        let mut moved = cfg.clone();
        moved.membership[who] = (moved.membership[who] + 1) % 3;
        prop_assert_eq!(total(&config(&moved, true, true)), before);
    }

    /// Explanations add up to the numbers they explain, and each ruled part is base x factor.
    #[test]
    fn explanations_add_up(specs in proptest::collection::vec(line_spec(), 0..60), cfg in config_spec()) {
        let lines: Vec<StoredLine> = specs.iter().map(line).collect();
        let a = Analysis::new(period(), lines, config(&cfg, true, true));
        for g in 0..a.config.groups.len() {
            let e = a.explain(g, &[]);
            prop_assert_eq!(e.proforma, a.pricing.groups[g].proforma());
            prop_assert_eq!(e.aws_cost, a.pricing.groups[g].aws_cost);
            for part in &e.parts {
                if let Some(f) = part.factor {
                    prop_assert_eq!(part.base * f, part.result);
                }
            }
            // And per attribute value: the slices add up to the whole.
            let by = proforma::engine::GroupBy::ServiceCode;
            let rows = a.group_breakdown(g, by);
            let sum: Decimal = rows.iter().map(|r| r.proforma).sum();
            prop_assert_eq!(sum, a.pricing.groups[g].proforma());
            for r in rows {
                let slice = a.explain(g, &[(by, r.attributes[0].1.as_str())]);
                prop_assert_eq!(slice.proforma, r.proforma);
            }
        }
    }

    /// Savings Plans covered usage and its negation cancel when the plan is owned in the group,
    /// at any factor (SPEC 7 example 4).
    #[test]
    fn owned_savings_plans_cancel(amount in money(), public in money(), cfg in config_spec()) {
        let mut cfg = cfg;
        cfg.membership = [1, 1, 0, 0, 0, 0];
        let covered = LineSpec { account: 0, service: 0, kind: 3, owner: 1, free: false, unblended: amount, public, usage: Decimal::ONE };
        let negation = LineSpec { kind: 4, ..covered.clone() };
        let a = Analysis::new(period(), vec![line(&covered), line(&negation)], config(&cfg, true, false));
        prop_assert_eq!(a.pricing.groups[0].priced, Decimal::ZERO);
    }
}

#[test]
fn unknown_line_item_types_keep_their_cost_and_are_reported() {
    let spec = LineSpec {
        account: 0,
        service: 0,
        kind: 0,
        owner: 0,
        free: false,
        unblended: Decimal::from(7),
        public: Decimal::from(9),
        usage: Decimal::ONE,
    };
    let mut odd = line(&spec);
    odd.key.line_item_type = "BrandNewType".into();
    let cfg = ConfigSpec {
        membership: [1, 0, 0, 0, 0, 0],
        markup: Decimal::from(50),
        service_discount: Decimal::ZERO,
        service: 1,
        free_tier_off: false,
        flat_fee: Decimal::ZERO,
        percent: Decimal::ZERO,
    };
    let a = Analysis::new(period(), vec![odd], config(&cfg, true, false));
    assert_eq!(
        a.pricing.groups[0].priced,
        Decimal::from(7),
        "no rule applies to an unknown type"
    );
    assert_eq!(
        a.pricing.diagnostics.unknown_types.get("BrandNewType"),
        Some(&(1, Decimal::from(7)))
    );
}
