//! Random data and configurations for the property tests (incremental re-pricing, margin
//! targets): two payers, eight accounts, three services, every pricing class, and
//! configurations of rules, plans, groups and custom line items built from a `Start`.
//! Included by path (`#[path = "common/random_config.rs"] mod random_config;`) by the tests
//! that use it, not by every test binary.
#![allow(dead_code)]

use proforma::cur::{LineKey, LineSums};
use proforma::model::*;
use proforma::period::BillingPeriod;
use proforma::store::StoredLine;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

pub const PAYERS: [&str; 2] = ["999900001111", "999900002222"];
/// Accounts 0-5 belong to the first payer, 6-7 to the second.
pub const ACCOUNTS: [&str; 8] = [
    "111100000001",
    "111100000002",
    "111100000003",
    "111100000004",
    "111100000005",
    "111100000006",
    "222200000007",
    "222200000008",
];
pub const SERVICES: [&str; 3] = ["AmazonEC2", "AmazonS3", "AWSLambda"];
pub const USAGE_TYPES: [&str; 2] = ["BoxUsage", "Requests"];
pub const TYPES: [&str; 11] = [
    "Usage",
    "Usage",
    "Usage",
    "DiscountedUsage",
    "SavingsPlanCoveredUsage",
    "SavingsPlanNegation",
    "RIFee",
    "Fee",
    "Credit",
    "Tax",
    "SomethingNew",
];

pub fn period() -> BillingPeriod {
    "2026-10".parse().unwrap()
}

pub fn money() -> impl Strategy<Value = Decimal> {
    (0i64..1_000_000, 0u32..5).prop_map(|(m, s)| Decimal::new(m, s))
}

pub fn payer_of(account: usize) -> &'static str {
    PAYERS[usize::from(account >= 6)]
}

pub fn line() -> impl Strategy<Value = StoredLine> {
    (
        (0..8usize, 0..3usize, 0..2usize, 0..TYPES.len(), 0..8usize),
        (any::<bool>(), money(), money(), money(), 0u64..2),
    )
        .prop_map(
            |(
                (account, service, usage_type, kind, owner),
                (free, unblended, public, usage, no_public),
            )| {
                let kind = TYPES[kind];
                let commitment = matches!(
                    kind,
                    "DiscountedUsage" | "SavingsPlanCoveredUsage" | "SavingsPlanNegation" | "RIFee"
                );
                let free = kind == "Usage" && free;
                let sign = if matches!(kind, "Credit" | "SavingsPlanNegation") {
                    -Decimal::ONE
                } else {
                    Decimal::ONE
                };
                StoredLine {
                    key: LineKey {
                        period: period(),
                        payer: payer_of(account).into(),
                        account: ACCOUNTS[account].into(),
                        billing_entity: if service == 2 {
                            "AWS Marketplace"
                        } else {
                            "AWS"
                        }
                        .into(),
                        product_code: SERVICES[service].into(),
                        product_name: SERVICES[service].into(),
                        usage_type: USAGE_TYPES[usage_type].into(),
                        operation: "Op".into(),
                        line_item_type: kind.into(),
                        region: "us-east-1".into(),
                        owner: if commitment { ACCOUNTS[owner] } else { "" }.into(),
                        free_on_bill: free,
                        labels: Default::default(),
                    },
                    sums: LineSums {
                        rows: 1,
                        usage_amount: usage,
                        unblended_cost: if free {
                            Decimal::ZERO
                        } else {
                            sign * unblended
                        },
                        public_cost: public,
                        no_public_price_rows: no_public,
                        sp_effective_cost: Decimal::ZERO,
                        ri_effective_cost: Decimal::ZERO,
                    },
                }
            },
        )
}

pub fn arn(kind: &str, id: &str) -> String {
    format!("arn:aws:billingconductor::{}:{kind}/{id}", PAYERS[0])
}

/// A rule of one of nine shapes (scope x type), targeting service `s` and usage type `u`.
pub fn make_rule(id: usize, shape: usize, s: usize, u: usize, m: Decimal) -> PricingRule {
    let (scope, rule_type) = match shape % 9 {
        0 => (Scope::Global, RuleType::Markup),
        1 => (Scope::Global, RuleType::Discount),
        2 => (Scope::Service, RuleType::Markup),
        3 => (Scope::Service, RuleType::Discount),
        4 => (Scope::BillingEntity, RuleType::Markup),
        5 => (Scope::Sku, RuleType::Markup),
        6 => (Scope::Sku, RuleType::Tiering),
        7 => (Scope::Global, RuleType::Tiering),
        _ => (Scope::Service, RuleType::Tiering),
    };
    let name = format!("rule{id:02}");
    let mut r = PricingRule {
        arn: arn("pricingrule", &name),
        name,
        description: String::new(),
        scope,
        rule_type,
        modifier: (rule_type != RuleType::Tiering).then_some(m),
        service: None,
        billing_entity: None,
        usage_type: None,
        operation: None,
        free_tier: None,
        tiers: vec![],
    };
    match scope {
        Scope::Service => r.service = Some(SERVICES[s].into()),
        Scope::BillingEntity => r.billing_entity = Some("AWS".into()),
        Scope::Sku => {
            r.service = Some(SERVICES[s].into());
            r.usage_type = Some(USAGE_TYPES[u].into());
            r.operation = Some("Op".into());
        }
        Scope::Global => {}
    }
    if rule_type == RuleType::Tiering {
        if scope == Scope::Sku {
            r.tiers = vec![
                Tier {
                    begin: Decimal::ZERO,
                    end: Some(Decimal::from(500)),
                    rate: Decimal::new(12, 2),
                },
                Tier {
                    begin: Decimal::from(500),
                    end: None,
                    rate: m / Decimal::from(1000),
                },
            ];
        } else {
            r.free_tier = Some(m > Decimal::from(50));
        }
    }
    r
}

pub fn plan_arn(p: usize) -> String {
    match p {
        3 => BASIC_PLAN_ARN.to_string(),
        4 => PASSTHROUGH_PLAN_ARN.to_string(),
        p => arn("pricingplan", &format!("plan{p}")),
    }
}

pub fn make_group(name: &str, accounts: BTreeSet<String>, plan: usize) -> BillingGroup {
    BillingGroup {
        arn: arn("billinggroup", name),
        name: name.into(),
        description: String::new(),
        primary_account: accounts.iter().next().cloned().unwrap_or_default(),
        accounts,
        plan: plan_arn(plan),
        auto_associate: false,
        group_type: GroupType::Standard,
        responsibility_transfer_arn: None,
    }
}

pub fn make_item(id: usize, group: &str, flat: bool, value: Decimal) -> CustomLineItem {
    let name = format!("item{id:02}");
    CustomLineItem {
        arn: arn("customlineitem", &name),
        name: name.clone(),
        description: name,
        group: group.into(),
        account: None,
        item_type: if value.is_sign_negative() || id % 2 == 1 {
            ItemType::Credit
        } else {
            ItemType::Fee
        },
        charge: if flat {
            Charge::Flat { value: value.abs() }
        } else {
            Charge::Percentage {
                percent: value.abs() / Decimal::from(100),
                associated: vec![],
            }
        },
        filter: None,
        computation: Computation::Consolidated,
        presentation_service: DEFAULT_PRESENTATION_SERVICE.into(),
        start: period(),
        end: None,
        currency: "USD".into(),
    }
}

#[derive(Debug, Clone)]
pub struct Start {
    /// Per rule: shape, service, usage type, modifier.
    pub rules: Vec<(usize, usize, usize, Decimal)>,
    /// Per plan (three): which rules it holds (bit mask).
    pub plans: [u16; 3],
    /// Per account: group 0 (none) or 1-3.
    pub membership: [u8; 8],
    /// Per group: plan 0-4 (3 Basic, 4 Passthrough).
    pub group_plans: [usize; 3],
    /// Per item: flat?, group, value, associated mask (groups 0-2, items 0-3), filter 0-3.
    pub items: Vec<(bool, usize, Decimal, u8, u8)>,
}

pub fn start() -> impl Strategy<Value = Start> {
    (
        proptest::collection::vec((0..9usize, 0..3usize, 0..2usize, money()), 1..8),
        proptest::array::uniform3(any::<u16>()),
        proptest::array::uniform8(0u8..4),
        proptest::array::uniform3(0..5usize),
        proptest::collection::vec(
            (any::<bool>(), 0..3usize, money(), any::<u8>(), 0u8..4),
            0..5,
        ),
    )
        .prop_map(|(rules, plans, membership, group_plans, items)| Start {
            rules,
            plans,
            membership,
            group_plans,
            items,
        })
}

pub fn filter(f: u8) -> Option<LineItemFilter> {
    match f {
        0 => None,
        1 => Some(LineItemFilter::ExcludeSavingsPlanNegation),
        2 => Some(LineItemFilter::Service {
            equal: true,
            service: SERVICES[0].into(),
        }),
        _ => Some(LineItemFilter::Service {
            equal: false,
            service: SERVICES[1].into(),
        }),
    }
}

pub fn build(s: &Start) -> Config {
    let mut c = Config {
        rules: s
            .rules
            .iter()
            .enumerate()
            .map(|(i, &(shape, sv, u, m))| make_rule(i, shape, sv, u, m / Decimal::from(10_000)))
            .collect(),
        ..Default::default()
    };
    for (p, mask) in s.plans.iter().enumerate() {
        c.plans.push(PricingPlan {
            arn: plan_arn(p),
            name: format!("plan{p}"),
            description: String::new(),
            rules: c
                .rules
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, r)| r.arn.clone())
                .collect(),
        });
    }
    for g in 0..3 {
        let accounts = (0..8)
            .filter(|&a| usize::from(s.membership[a]) == g + 1)
            .map(|a| ACCOUNTS[a].to_string())
            .collect();
        c.groups
            .push(make_group(&format!("group{g}"), accounts, s.group_plans[g]));
    }
    let group_arns: Vec<String> = c.groups.iter().map(|g| g.arn.clone()).collect();
    for (i, &(flat, g, value, _, f)) in s.items.iter().enumerate() {
        let mut item = make_item(i, &group_arns[g], flat, value);
        if !flat {
            item.filter = filter(f);
        }
        c.items.push(item);
    }
    // Associations once every item exists.
    let item_arns: Vec<String> = c.items.iter().map(|i| i.arn.clone()).collect();
    for (i, &(_, _, _, mask, _)) in s.items.iter().enumerate() {
        if let Charge::Percentage { associated, .. } = &mut c.items[i].charge {
            for (b, a) in group_arns.iter().chain(&item_arns).enumerate().take(8) {
                if mask & (1 << b) != 0 {
                    associated.push(a.clone());
                }
            }
        }
    }
    c.canonicalize();
    c
}
