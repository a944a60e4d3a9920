//! Incremental re-pricing (issue 10 item 4) gives exactly what pricing everything again gives:
//! random data, random configurations and random sequences of edits (rules, plans, membership,
//! groups created, deleted and renamed, custom line items), compared after every edit, every
//! group and every line, to the last digit (stronger than to the cent).

use proforma::analysis::Analysis;
use proforma::engine::price;
use proforma::engine::reprice::affected_groups;
use proforma::model::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

#[path = "common/random_config.rs"]
mod random_config;
use random_config::*;

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
