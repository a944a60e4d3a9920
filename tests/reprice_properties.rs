//! Incremental re-pricing (issue 10 item 4) gives exactly what pricing everything again gives:
//! random data, random configurations and random sequences of edits (rules, plans, membership,
//! groups created, deleted and renamed, custom line items), compared after every edit, every
//! group and every line, to the last digit (stronger than to the cent).

use proforma::analysis::Analysis;
use proforma::cur::{LineKey, LineSums};
use proforma::engine::price;
use proforma::engine::reprice::affected_groups;
use proforma::model::*;
use proforma::period::BillingPeriod;
use proforma::store::StoredLine;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

const PAYERS: [&str; 2] = ["999900001111", "999900002222"];
/// Accounts 0-5 belong to the first payer, 6-7 to the second.
const ACCOUNTS: [&str; 8] = [
    "111100000001",
    "111100000002",
    "111100000003",
    "111100000004",
    "111100000005",
    "111100000006",
    "222200000007",
    "222200000008",
];
const SERVICES: [&str; 3] = ["AmazonEC2", "AmazonS3", "AWSLambda"];
const USAGE_TYPES: [&str; 2] = ["BoxUsage", "Requests"];
const TYPES: [&str; 11] = [
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

fn period() -> BillingPeriod {
    "2026-10".parse().unwrap()
}

fn money() -> impl Strategy<Value = Decimal> {
    (0i64..1_000_000, 0u32..5).prop_map(|(m, s)| Decimal::new(m, s))
}

fn payer_of(account: usize) -> &'static str {
    PAYERS[usize::from(account >= 6)]
}

fn line() -> impl Strategy<Value = StoredLine> {
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

fn arn(kind: &str, id: &str) -> String {
    format!("arn:aws:billingconductor::{}:{kind}/{id}", PAYERS[0])
}

/// A rule of one of nine shapes (scope x type), targeting service `s` and usage type `u`.
fn make_rule(id: usize, shape: usize, s: usize, u: usize, m: Decimal) -> PricingRule {
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

fn plan_arn(p: usize) -> String {
    match p {
        3 => BASIC_PLAN_ARN.to_string(),
        4 => PASSTHROUGH_PLAN_ARN.to_string(),
        p => arn("pricingplan", &format!("plan{p}")),
    }
}

fn make_group(name: &str, accounts: BTreeSet<String>, plan: usize) -> BillingGroup {
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

fn make_item(id: usize, group: &str, flat: bool, value: Decimal) -> CustomLineItem {
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
struct Start {
    /// Per rule: shape, service, usage type, modifier.
    rules: Vec<(usize, usize, usize, Decimal)>,
    /// Per plan (three): which rules it holds (bit mask).
    plans: [u16; 3],
    /// Per account: group 0 (none) or 1-3.
    membership: [u8; 8],
    /// Per group: plan 0-4 (3 Basic, 4 Passthrough).
    group_plans: [usize; 3],
    /// Per item: flat?, group, value, associated mask (groups 0-2, items 0-3), filter 0-3.
    items: Vec<(bool, usize, Decimal, u8, u8)>,
}

fn start() -> impl Strategy<Value = Start> {
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

fn filter(f: u8) -> Option<LineItemFilter> {
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

fn build(s: &Start) -> Config {
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

/// One edit, with indexes taken modulo the lists they pick from.
#[derive(Debug, Clone)]
enum Edit {
    RuleModifier(usize, Decimal),
    RuleRetarget(usize, usize),
    PlanToggleRule(usize, usize),
    GroupPlan(usize, usize),
    MoveAccount(usize, usize),
    ToggleAuto(usize),
    ToggleTransfer(usize),
    AddGroup(usize, usize),
    DeleteGroup(usize),
    RenameGroup(usize, usize),
    AddRule(usize, usize, Decimal),
    DeleteRule(usize),
    ItemValue(usize, Decimal),
    ItemFilter(usize, u8),
    ItemToggleAssociated(usize, usize),
    ItemGroup(usize, usize),
    ItemAccount(usize, usize),
    AddItem(usize, bool, Decimal),
    DeleteItem(usize),
    ItemEnds(usize),
    RenameItem(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let i = 0..16usize;
    prop_oneof![
        (i.clone(), money()).prop_map(|(r, m)| Edit::RuleModifier(r, m)),
        (i.clone(), i.clone()).prop_map(|(r, s)| Edit::RuleRetarget(r, s)),
        (i.clone(), i.clone()).prop_map(|(p, r)| Edit::PlanToggleRule(p, r)),
        (i.clone(), 0..5usize).prop_map(|(g, p)| Edit::GroupPlan(g, p)),
        (0..8usize, i.clone()).prop_map(|(a, g)| Edit::MoveAccount(a, g)),
        i.clone().prop_map(Edit::ToggleAuto),
        i.clone().prop_map(Edit::ToggleTransfer),
        (i.clone(), 0..5usize).prop_map(|(n, p)| Edit::AddGroup(n, p)),
        i.clone().prop_map(Edit::DeleteGroup),
        (i.clone(), i.clone()).prop_map(|(g, n)| Edit::RenameGroup(g, n)),
        (i.clone(), 0..9usize, money()).prop_map(|(n, s, m)| Edit::AddRule(n, s, m)),
        i.clone().prop_map(Edit::DeleteRule),
        (i.clone(), money()).prop_map(|(n, v)| Edit::ItemValue(n, v)),
        (i.clone(), 0u8..4).prop_map(|(n, f)| Edit::ItemFilter(n, f)),
        (i.clone(), i.clone()).prop_map(|(n, a)| Edit::ItemToggleAssociated(n, a)),
        (i.clone(), i.clone()).prop_map(|(n, g)| Edit::ItemGroup(n, g)),
        (i.clone(), 0..8usize).prop_map(|(n, a)| Edit::ItemAccount(n, a)),
        (i.clone(), any::<bool>(), money()).prop_map(|(n, f, v)| Edit::AddItem(n, f, v)),
        i.clone().prop_map(Edit::DeleteItem),
        i.clone().prop_map(Edit::ItemEnds),
        (i.clone(), i).prop_map(|(n, m)| Edit::RenameItem(n, m)),
    ]
}

fn pick<T>(v: &mut [T], i: usize) -> Option<&mut T> {
    let n = v.len();
    (n > 0).then(|| &mut v[i % n])
}

fn apply(c: &mut Config, e: &Edit) {
    match e {
        Edit::RuleModifier(r, m) => {
            if let Some(r) = pick(&mut c.rules, *r) {
                if r.modifier.is_some() {
                    r.modifier = Some(*m / Decimal::from(10_000));
                } else if let Some(t) = r.tiers.last_mut() {
                    t.rate = *m / Decimal::from(1_000);
                } else {
                    r.free_tier = r.free_tier.map(|f| !f);
                }
            }
        }
        Edit::RuleRetarget(r, s) => {
            if let Some(r) = pick(&mut c.rules, *r) {
                if r.service.is_some() {
                    r.service = Some(SERVICES[s % 3].into());
                }
                if r.usage_type.is_some() {
                    r.usage_type = Some(USAGE_TYPES[s % 2].into());
                }
            }
        }
        Edit::PlanToggleRule(p, r) => {
            let Some(rule) = (!c.rules.is_empty()).then(|| c.rules[r % c.rules.len()].arn.clone())
            else {
                return;
            };
            if let Some(p) = pick(&mut c.plans, *p) {
                if let Some(at) = p.rules.iter().position(|x| *x == rule) {
                    p.rules.remove(at);
                } else {
                    p.rules.push(rule);
                }
            }
        }
        Edit::GroupPlan(g, p) => {
            if let Some(g) = pick(&mut c.groups, *g) {
                g.plan = plan_arn(*p);
            }
        }
        Edit::MoveAccount(a, g) => {
            let account = ACCOUNTS[*a].to_string();
            let n = c.groups.len();
            for x in &mut c.groups {
                x.accounts.remove(&account);
                if x.primary_account == account {
                    x.primary_account = x.accounts.iter().next().cloned().unwrap_or_default();
                }
            }
            // One more than the groups: no group.
            if g % (n + 1) < n {
                let x = &mut c.groups[g % (n + 1)];
                x.accounts.insert(account.clone());
                if x.primary_account.is_empty() {
                    x.primary_account = account;
                }
            }
        }
        Edit::ToggleAuto(g) => {
            if let Some(g) = pick(&mut c.groups, *g) {
                g.auto_associate = !g.auto_associate;
            }
        }
        Edit::ToggleTransfer(g) => {
            if let Some(g) = pick(&mut c.groups, *g) {
                if g.group_type == GroupType::Standard {
                    g.group_type = GroupType::TransferBilling;
                    g.primary_account = PAYERS[1].into();
                } else {
                    g.group_type = GroupType::Standard;
                    g.primary_account = g.accounts.iter().next().cloned().unwrap_or_default();
                }
            }
        }
        Edit::AddGroup(n, p) => {
            let name = format!("g{n:02}new");
            if !c.groups.iter().any(|g| g.name == name) {
                c.groups.push(make_group(&name, BTreeSet::new(), *p));
            }
        }
        Edit::DeleteGroup(g) => {
            if !c.groups.is_empty() {
                let n = c.groups.len();
                c.groups.remove(g % n);
            }
        }
        Edit::RenameGroup(g, n) => {
            if let Some(g) = pick(&mut c.groups, *g) {
                g.name = format!("{n:02}{}", g.name);
            }
        }
        Edit::AddRule(n, shape, m) => {
            let r = make_rule(20 + n, *shape, n % 3, n % 2, *m / Decimal::from(10_000));
            if !c.rules.iter().any(|x| x.arn == r.arn) {
                c.rules.push(r);
            }
        }
        Edit::DeleteRule(r) => {
            if !c.rules.is_empty() {
                let n = c.rules.len();
                let gone = c.rules.remove(r % n);
                for p in &mut c.plans {
                    p.rules.retain(|x| *x != gone.arn);
                }
            }
        }
        Edit::ItemValue(n, v) => {
            if let Some(i) = pick(&mut c.items, *n) {
                match &mut i.charge {
                    Charge::Flat { value } => *value = *v,
                    Charge::Percentage { percent, .. } => *percent = *v / Decimal::from(100),
                }
            }
        }
        Edit::ItemFilter(n, f) => {
            if let Some(i) = pick(&mut c.items, *n) {
                if matches!(i.charge, Charge::Percentage { .. }) {
                    i.filter = filter(*f);
                }
            }
        }
        Edit::ItemToggleAssociated(n, a) => {
            let targets: Vec<String> = c
                .groups
                .iter()
                .map(|g| g.arn.clone())
                .chain(c.items.iter().map(|i| i.arn.clone()))
                .collect();
            let Some(target) = (!targets.is_empty()).then(|| targets[a % targets.len()].clone())
            else {
                return;
            };
            if let Some(i) = pick(&mut c.items, *n) {
                if let Charge::Percentage { associated, .. } = &mut i.charge {
                    if let Some(at) = associated.iter().position(|x| *x == target) {
                        associated.remove(at);
                    } else {
                        associated.push(target);
                    }
                }
            }
        }
        Edit::ItemGroup(n, g) => {
            let Some(group) =
                (!c.groups.is_empty()).then(|| c.groups[g % c.groups.len()].arn.clone())
            else {
                return;
            };
            if let Some(i) = pick(&mut c.items, *n) {
                i.group = group;
            }
        }
        Edit::ItemAccount(n, a) => {
            if let Some(i) = pick(&mut c.items, *n) {
                i.account = if i.account.is_some() {
                    None
                } else {
                    Some(ACCOUNTS[*a].into())
                };
            }
        }
        Edit::AddItem(n, flat, v) => {
            let Some(group) = c.groups.first().map(|g| g.arn.clone()) else {
                return;
            };
            let mut item = make_item(20 + n, &group, *flat, *v);
            if let Charge::Percentage { associated, .. } = &mut item.charge {
                associated.extend(c.groups.iter().map(|g| g.arn.clone()));
            }
            if !c.items.iter().any(|x| x.arn == item.arn) {
                c.items.push(item);
            }
        }
        Edit::DeleteItem(n) => {
            if !c.items.is_empty() {
                let len = c.items.len();
                c.items.remove(n % len);
            }
        }
        Edit::ItemEnds(n) => {
            if let Some(i) = pick(&mut c.items, *n) {
                i.end = if i.end.is_some() {
                    None
                } else {
                    Some(period())
                };
            }
        }
        Edit::RenameItem(n, m) => {
            if let Some(i) = pick(&mut c.items, *n) {
                i.name = format!("{m:02}{}", i.name);
            }
        }
    }
    c.canonicalize();
}

/// Everything the two pricings say, compared: per line its group and price, per group its
/// totals and diagnostics, the custom line items, the unmonitored accounts.
fn assert_same(incremental: &price::Pricing, full: &price::Pricing, step: usize) {
    assert_eq!(
        incremental.line_group, full.line_group,
        "line groups, edit {step}"
    );
    for (i, (a, b)) in incremental
        .line_price
        .iter()
        .zip(&full.line_price)
        .enumerate()
    {
        assert_eq!(a, b, "line {i}, edit {step}");
    }
    assert_eq!(incremental.line_price.len(), full.line_price.len());
    assert_eq!(incremental.groups, full.groups, "group totals, edit {step}");
    assert_eq!(
        incremental.items, full.items,
        "custom line items, edit {step}"
    );
    assert_eq!(
        incremental.unmonitored, full.unmonitored,
        "unmonitored, edit {step}"
    );
    assert_eq!(
        incremental.diagnostics, full.diagnostics,
        "diagnostics, edit {step}"
    );
    assert_eq!(
        incremental.group_diagnostics, full.group_diagnostics,
        "group diagnostics, edit {step}"
    );
    assert_eq!(
        incremental.group_lines.groups, full.group_lines.groups,
        "group line lists, edit {step}"
    );
    assert_eq!(
        incremental.group_lines.unmonitored, full.group_lines.unmonitored,
        "unmonitored line list, edit {step}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// After every edit of a random sequence, the incrementally re-priced state equals a
    /// pricing from scratch of the same configuration.
    #[test]
    fn incremental_equals_full(
        lines in proptest::collection::vec(line(), 0..60),
        s in start(),
        edits in proptest::collection::vec(edit(), 1..12),
    ) {
        let mut config = build(&s);
        let mut analysis = Analysis::new(period(), lines.clone(), config.clone());
        assert_same(&analysis.pricing, &price::price(period(), &lines, &config), 0);
        for (step, e) in edits.iter().enumerate() {
            apply(&mut config, e);
            analysis.reprice(config.clone());
            let full = price::price(period(), &lines, &config);
            assert_same(&analysis.pricing, &full, step + 1);
            prop_assert_eq!(&analysis.config, &config);
        }
    }

    /// Groups the edit is not said to affect keep their rule-priced totals and every line's
    /// price: the "which groups" function never leaves out a group whose lines change.
    #[test]
    fn unaffected_groups_keep_their_lines(
        lines in proptest::collection::vec(line(), 0..60),
        s in start(),
        e in edit(),
    ) {
        let before = build(&s);
        let mut after = before.clone();
        apply(&mut after, &e);
        let old = price::price(period(), &lines, &before);
        let new = price::price(period(), &lines, &after);
        let affected = affected_groups(&before, &after, &old.index, old.period);
        prop_assume!(affected.all.is_none());
        for (g, group) in after.groups.iter().enumerate() {
            if affected.has(g) {
                continue;
            }
            let o = before.groups.iter().position(|x| x.arn == group.arn)
                .expect("a group that is not new is affected only when it changes");
            prop_assert_eq!(old.groups[o].priced, new.groups[g].priced, "group {}", group.name);
            prop_assert_eq!(old.groups[o].aws_cost, new.groups[g].aws_cost);
            prop_assert_eq!(&old.group_lines.groups[o], &new.group_lines.groups[g]);
            for &i in &new.group_lines.groups[g] {
                let (a, b) = (old.line_price[i], new.line_price[i]);
                prop_assert_eq!((a.base, a.basis, a.factor, a.proforma), (b.base, b.basis, b.factor, b.proforma));
            }
        }
        if !affected.unmonitored {
            prop_assert_eq!(&old.group_lines.unmonitored, &new.group_lines.unmonitored);
            prop_assert_eq!(&old.unmonitored, &new.unmonitored);
        }
    }
}
