//! Incremental re-pricing (issue 10): an edit re-prices only the billing groups it can affect,
//! and the result is the same, to the last digit, as pricing everything again.
//!
//! Which groups an edit can affect ([`affected_groups`]):
//! - a pricing rule: the groups whose pricing plans hold it (before or after the edit);
//! - a pricing plan: the groups on it;
//! - a billing group: itself when its plan or primary account changes; a membership change
//!   (accounts, auto-associate, type, transfer payer) re-prices every group an account with
//!   data (or a commitment owner named by the data) leaves or joins, and the unmonitored
//!   accounts when one leaves or joins them;
//! - a custom line item or a billing view: no line is re-priced. Custom line items are
//!   recomputed after the lines ([`delta`]): an item that changed, an item of a re-priced
//!   group, and a percentage item whose base holds a re-priced group or a flat item that
//!   changed; the others keep their amounts.
//! - what cannot be bounded re-prices every group, and says why ([`Affected::all`]): two
//!   objects of one kind with the same ARN (which one an edit touches is ambiguous), or a
//!   state that was not priced from the same lines.
//!
//! A group's lines are found through per-group line lists ([`GroupLines`]), built from
//! per-account line lists ([`LineIndex`], once per period) whenever the membership changes,
//! never by scanning every line.
//!
//! The work splits in two so that it can run off the UI thread: [`delta`] reads a priced
//! state and computes what changes (a [`Delta`]: the re-priced groups' lines and every total),
//! and [`Pricing::apply`] writes it into that state (cheap: only the re-priced lines).

use crate::cur::StoredLine;
use crate::engine::price::{
    CompiledPlan, Diagnostics, GroupTotals, ItemAmount, LinePrice, Membership, Pricing,
    filter_matches, price_every_line, price_group, rule_positions, unmonitored_totals,
};
use crate::model::{Charge, Config, CustomLineItem};
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

static REVISIONS: AtomicU64 = AtomicU64::new(1);

/// A fresh, process-unique pricing revision.
pub fn next_revision() -> u64 {
    REVISIONS.fetch_add(1, Ordering::Relaxed)
}

/// The lines of one (payer, usage account).
#[derive(Debug, Clone)]
pub struct AccountLines {
    pub payer: String,
    pub account: String,
    /// Positions in the period's lines, ascending.
    pub lines: Vec<usize>,
}

/// The period's lines by (payer, usage account), and the commitment owners they name: built
/// once per period's lines, it is what membership decides on.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// Each distinct (payer, usage account), in the order of its first line.
    pub accounts: Vec<AccountLines>,
    /// Each distinct (payer, commitment owner) the lines name (owner not empty), sorted.
    pub owners: Vec<(String, String)>,
    /// How many lines were indexed.
    pub lines: usize,
}

impl LineIndex {
    /// Indexes `lines` in one pass.
    pub fn new(lines: &[StoredLine]) -> Self {
        let mut slots: FxHashMap<(&str, &str), usize> = FxHashMap::default();
        let mut owners: FxHashSet<(&str, &str)> = FxHashSet::default();
        let mut accounts: Vec<AccountLines> = Vec::new();
        // Lines come grouped by account: most lines are the previous line's account.
        let mut last: Option<(&str, &str, usize)> = None;
        let mut last_owner: Option<(&str, &str)> = None;
        for (i, l) in lines.iter().enumerate() {
            let (payer, account) = (&*l.key.payer, &*l.key.account);
            let slot = match last {
                Some((p, a, s)) if p == payer && a == account => s,
                _ => {
                    let s = *slots.entry((payer, account)).or_insert_with(|| {
                        accounts.push(AccountLines {
                            payer: payer.to_string(),
                            account: account.to_string(),
                            lines: Vec::new(),
                        });
                        accounts.len() - 1
                    });
                    last = Some((payer, account, s));
                    s
                }
            };
            accounts[slot].lines.push(i);
            let owner = &*l.key.owner;
            if !owner.is_empty() && last_owner != Some((payer, owner)) {
                owners.insert((payer, owner));
                last_owner = Some((payer, owner));
            }
        }
        let mut owners: Vec<(String, String)> = owners
            .into_iter()
            .map(|(p, o)| (p.to_string(), o.to_string()))
            .collect();
        owners.sort();
        LineIndex {
            accounts,
            owners,
            lines: lines.len(),
        }
    }
}

/// The lines of each billing group (and of no group) under one membership: positions in the
/// period's lines, ascending.
#[derive(Debug, Clone, Default)]
pub struct GroupLines {
    /// Per group, in `Config::groups` order.
    pub groups: Vec<Vec<usize>>,
    /// Lines of accounts in no group.
    pub unmonitored: Vec<usize>,
}

impl GroupLines {
    /// Each group's lines under `members`, from the per-account lists (no line is scanned).
    pub fn new(index: &LineIndex, members: &Membership<'_>, groups: usize) -> Self {
        let mut parts: Vec<Vec<usize>> = vec![Vec::new(); groups];
        let mut none = Vec::new();
        for (n, a) in index.accounts.iter().enumerate() {
            match members.group_of(&a.payer, &a.account) {
                Some(g) if g < groups => parts[g].push(n),
                _ => none.push(n),
            }
        }
        let join = |entries: &[usize]| -> Vec<usize> {
            let mut out =
                Vec::with_capacity(entries.iter().map(|&n| index.accounts[n].lines.len()).sum());
            // Accounts were recorded in the order of their first line: when their lines do not
            // interleave, the concatenation is already ascending.
            for &n in entries {
                out.extend_from_slice(&index.accounts[n].lines);
            }
            if !out.is_sorted() {
                out.sort_unstable();
            }
            out
        };
        GroupLines {
            groups: parts.iter().map(|p| join(p)).collect(),
            unmonitored: join(&none),
        }
    }

    /// The lines of group `g` (None: of no group); empty for a group this does not know.
    pub fn of(&self, g: Option<usize>) -> &[usize] {
        match g {
            Some(g) => self.groups.get(g).map_or(&[], Vec::as_slice),
            None => &self.unmonitored,
        }
    }
}

/// Which billing groups an edit can affect (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Affected {
    /// Every group is re-priced, for this reason.
    pub all: Option<String>,
    /// Groups (positions in the new configuration) whose lines are re-priced.
    pub groups: BTreeSet<usize>,
    /// Whether lines of unmonitored accounts change (accounts leave or join a group).
    pub unmonitored: bool,
    /// Whether any account with data (or commitment owner) changes group.
    pub membership: bool,
}

impl Affected {
    /// Every group, for `reason`.
    pub fn everything(reason: impl Into<String>) -> Self {
        Affected {
            all: Some(reason.into()),
            ..Default::default()
        }
    }

    /// Whether group `g` (a position in the new configuration) is re-priced.
    pub fn has(&self, g: usize) -> bool {
        self.all.is_some() || self.groups.contains(&g)
    }

    /// How many of `n` groups are re-priced.
    pub fn count(&self, n: usize) -> usize {
        if self.all.is_some() {
            n
        } else {
            self.groups.len()
        }
    }
}

/// The first ARN held by two objects of one kind, if any.
fn duplicate_arn(config: &Config) -> Option<String> {
    let mut seen = FxHashSet::default();
    let arns = config
        .groups
        .iter()
        .map(|g| ("billing group", &g.arn))
        .chain(config.plans.iter().map(|p| ("pricing plan", &p.arn)))
        .chain(config.rules.iter().map(|r| ("pricing rule", &r.arn)))
        .chain(config.items.iter().map(|i| ("custom line item", &i.arn)));
    for (kind, arn) in arns {
        if !seen.insert((kind, arn.as_str())) {
            return Some(format!("two {kind}s share the ARN {arn}"));
        }
    }
    None
}

/// The billing groups whose lines an edit from `old` to `new` can re-price, for the period
/// whose lines `index` indexes (see the module documentation for the rules). Positions are in
/// `new.groups`.
pub fn affected_groups(
    old: &Config,
    new: &Config,
    index: &LineIndex,
    period: crate::period::BillingPeriod,
) -> Affected {
    if let Some(why) = duplicate_arn(old).or_else(|| duplicate_arn(new)) {
        return Affected::everything(why);
    }
    if old.transfers != new.transfers {
        return Affected::everything("billing transfers changed");
    }
    let mut out = Affected::default();
    let new_pos: FxHashMap<&str, usize> = new
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.arn.as_str(), i))
        .collect();
    let old_pos: FxHashMap<&str, usize> = old
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.arn.as_str(), i))
        .collect();

    // Membership: every account with data, and every commitment owner the data names.
    let (om, nm) = (Membership::new(old, period), Membership::new(new, period));
    let pairs = index
        .accounts
        .iter()
        .map(|a| (a.payer.as_str(), a.account.as_str(), true))
        .chain(
            index
                .owners
                .iter()
                .map(|(p, o)| (p.as_str(), o.as_str(), false)),
        );
    for (payer, account, has_lines) in pairs {
        let was = om
            .group_of(payer, account)
            .map(|g| old.groups[g].arn.as_str());
        let is = nm
            .group_of(payer, account)
            .map(|g| new.groups[g].arn.as_str());
        if was == is {
            continue;
        }
        out.membership = true;
        for arn in [was, is].into_iter().flatten() {
            if let Some(&g) = new_pos.get(arn) {
                out.groups.insert(g);
            }
        }
        if has_lines && (was.is_none() || is.is_none()) {
            out.unmonitored = true;
        }
    }

    // Groups: new ones, and a changed plan or primary account (custom line items default to it).
    for (g, group) in new.groups.iter().enumerate() {
        match old_pos.get(group.arn.as_str()) {
            None => {
                out.groups.insert(g);
            }
            Some(&o) => {
                let before = &old.groups[o];
                if before.plan != group.plan || before.primary_account != group.primary_account {
                    out.groups.insert(g);
                }
            }
        }
    }

    // Plans whose rules changed: the plan itself, or a rule it holds (before or after).
    let old_rules: FxHashMap<&str, _> = old.rules.iter().map(|r| (r.arn.as_str(), r)).collect();
    let new_rules: FxHashMap<&str, _> = new.rules.iter().map(|r| (r.arn.as_str(), r)).collect();
    let rule_changed = |arn: &str| old_rules.get(arn) != new_rules.get(arn);
    let old_plans: FxHashMap<&str, _> = old.plans.iter().map(|p| (p.arn.as_str(), p)).collect();
    let new_plans: FxHashMap<&str, _> = new.plans.iter().map(|p| (p.arn.as_str(), p)).collect();
    let mut plans_changed: FxHashSet<&str> = FxHashSet::default();
    for arn in old_plans.keys().chain(new_plans.keys()) {
        let (before, after) = (old_plans.get(arn), new_plans.get(arn));
        let changed = before != after
            || before
                .into_iter()
                .chain(after)
                .any(|p| p.rules.iter().any(|r| rule_changed(r)));
        if changed {
            plans_changed.insert(arn);
        }
    }
    for (g, group) in new.groups.iter().enumerate() {
        if plans_changed.contains(group.plan.as_str()) {
            out.groups.insert(g);
        }
    }
    out
}

/// What an edit changes in a priced state: computed by [`delta`] from the state (read only,
/// so it can run on a worker while the screen keeps showing the state), written by
/// [`Pricing::apply`].
#[derive(Debug, Clone)]
pub struct Delta {
    /// The revision of the state it was computed against: it applies to that state only.
    pub base_revision: u64,
    /// Which groups were re-priced.
    pub affected: Affected,
    /// Every group's totals under the new configuration (`Config::groups` order).
    pub groups: Vec<GroupTotals>,
    pub group_diagnostics: Vec<Diagnostics>,
    pub diagnostics: Diagnostics,
    pub unmonitored: GroupTotals,
    /// Every active custom line item's amount under the new configuration.
    pub items: Vec<ItemAmount>,
    /// How many of `items` were computed again (the others kept their amounts).
    pub items_recomputed: usize,
    /// The allocations' splits and custom line items (always computed again: they read
    /// every group's totals).
    pub allocated: crate::engine::allocate::Allocated,
    /// The lines of each group under the new membership.
    pub group_lines: Arc<GroupLines>,
    /// The re-priced groups' lines: (group, prices in the order of its lines).
    priced: Vec<(usize, Vec<LinePrice>)>,
    /// Every line's group and price, when every group was re-priced.
    whole: Option<(Vec<Option<usize>>, Vec<LinePrice>)>,
    /// Whether the unmonitored lines are written again.
    unmonitored_lines: bool,
    /// Old group position -> new one, when groups moved (created, deleted, renamed).
    group_map: Option<Vec<Option<usize>>>,
    /// Old rule position -> new one, when rules moved.
    rule_map: Option<Vec<Option<usize>>>,
}

impl Delta {
    /// Whether accounts change group or groups change positions: what is grouped by
    /// membership (daily series per group) must be grouped again.
    pub fn moves_accounts(&self) -> bool {
        self.affected.all.is_some() || self.affected.membership || self.group_map.is_some()
    }
}

/// Old position -> new position of objects by ARN; None when nothing moved.
fn position_map<'a>(
    old: impl Iterator<Item = &'a str>,
    new: impl Iterator<Item = &'a str>,
) -> Option<Vec<Option<usize>>> {
    let new_pos: FxHashMap<&str, usize> = new.enumerate().map(|(i, a)| (a, i)).collect();
    let map: Vec<Option<usize>> = old.map(|a| new_pos.get(a).copied()).collect();
    let moved = map.len() != new_pos.len() || map.iter().enumerate().any(|(i, m)| *m != Some(i));
    moved.then_some(map)
}

/// What changes when the state `base` (priced under `old`, from `lines`) is re-priced under
/// `new`: only the groups [`affected_groups`] names are re-priced.
pub fn delta(base: &Pricing, old: &Config, new: &Config, lines: &[StoredLine]) -> Delta {
    let affected = if base.index.lines != lines.len() || base.line_price.len() != lines.len() {
        Affected::everything("the state was priced from other lines")
    } else {
        affected_groups(old, new, &base.index, base.period)
    };
    delta_for(base, old, new, lines, affected)
}

/// [`delta`] for the groups `affected` names (every group when it says so).
pub fn delta_for(
    base: &Pricing,
    old: &Config,
    new: &Config,
    lines: &[StoredLine],
    affected: Affected,
) -> Delta {
    let all = affected.all.is_some();
    let n = new.groups.len();
    let index = if base.index.lines == lines.len() {
        base.index.clone()
    } else {
        Arc::new(LineIndex::new(lines))
    };
    let group_map = position_map(
        old.groups.iter().map(|g| g.arn.as_str()),
        new.groups.iter().map(|g| g.arn.as_str()),
    );
    let rule_map = position_map(
        old.rules.iter().map(|r| r.arn.as_str()),
        new.rules.iter().map(|r| r.arn.as_str()),
    );
    let members = Membership::new(new, base.period);
    let group_lines = if all
        || affected.membership
        || group_map.is_some()
        || base.group_lines.groups.len() != n
    {
        Arc::new(GroupLines::new(&index, &members, n))
    } else {
        base.group_lines.clone()
    };

    // The re-priced groups, each plan compiled once.
    let rules = rule_positions(new);
    let mut plans: FxHashMap<&str, CompiledPlan<'_>> = FxHashMap::default();
    let mut priced: Vec<(usize, Vec<LinePrice>)> = Vec::new();
    let mut groups: Vec<GroupTotals> = Vec::with_capacity(n);
    let mut group_diagnostics: Vec<Diagnostics> = Vec::with_capacity(n);
    let mut whole = None;
    if all {
        // Every group: one pass over the lines in their order (what the group lists would
        // read in a scattered order when lines do not come grouped by account).
        for g in &new.groups {
            plans
                .entry(g.plan.as_str())
                .or_insert_with(|| CompiledPlan::new(new, &rules, &g.plan));
        }
        let by_group: Vec<&CompiledPlan<'_>> = new
            .groups
            .iter()
            .filter_map(|g| plans.get(g.plan.as_str()))
            .collect();
        let (line_group, prices, totals, diagnostics) =
            price_every_line(lines, new, &by_group, &members, &group_lines);
        groups = totals;
        group_diagnostics = diagnostics;
        whole = Some((line_group, prices));
    }
    // New position -> old position, for the groups kept as they were.
    let old_of: Vec<Option<usize>> = match &group_map {
        None => (0..n).map(Some).collect(),
        Some(map) => {
            let mut v = vec![None; n];
            for (o, m) in map.iter().enumerate() {
                if let Some(g) = m {
                    v[*g] = Some(o);
                }
            }
            v
        }
    };
    for (g, group) in new.groups.iter().enumerate().filter(|_| !all) {
        let kept = old_of[g].filter(|&o| {
            !affected.has(g) && o < base.groups.len() && o < base.group_diagnostics.len()
        });
        match kept {
            Some(o) => {
                let mut t = base.groups[o].clone();
                t.items = Decimal::ZERO;
                groups.push(t);
                group_diagnostics.push(base.group_diagnostics[o].clone());
            }
            None => {
                let plan = plans
                    .entry(group.plan.as_str())
                    .or_insert_with(|| CompiledPlan::new(new, &rules, &group.plan));
                let p = price_group(g, group_lines.of(Some(g)), lines, new, plan, &members);
                groups.push(p.totals);
                group_diagnostics.push(p.diagnostics);
                priced.push((g, p.prices));
            }
        }
    }
    let repriced: FxHashMap<usize, usize> = priced
        .iter()
        .enumerate()
        .map(|(k, (g, _))| (*g, k))
        .collect();
    let unmonitored_lines = all || affected.unmonitored;
    let unmonitored = if unmonitored_lines {
        unmonitored_totals(&group_lines.unmonitored, lines)
    } else {
        base.unmonitored.clone()
    };
    let mut diagnostics = Diagnostics::default();
    for d in &group_diagnostics {
        diagnostics.add(d);
    }

    // Custom line items (SPEC 4.4).
    let line_proforma = |g: usize, pos: usize, i: usize| -> Decimal {
        match (&whole, repriced.get(&g)) {
            (Some((_, prices)), _) => prices[i].proforma,
            (None, Some(&k)) => priced[k].1[pos].proforma,
            (None, None) => base.line_price[i].proforma,
        }
    };
    let (items, items_recomputed) = custom_line_items(&ItemInputs {
        base,
        old,
        new,
        lines,
        affected: &affected,
        groups: &groups,
        group_lines: &group_lines,
        line_proforma: &line_proforma,
    });
    // Shared-cost allocations (issue 14 item 4): after the items, from the rule-priced
    // totals (custom line items are not in `groups` yet), before the totals.
    let mut items = items;
    let allocated =
        crate::engine::allocate::allocate(new, base.period, lines, &groups, &group_lines);
    items.extend(allocated.amounts.iter().cloned());
    for a in &items {
        groups[a.group].items += a.amount;
    }
    Delta {
        base_revision: base.revision,
        affected,
        groups,
        group_diagnostics,
        diagnostics,
        unmonitored,
        items,
        items_recomputed,
        allocated,
        group_lines,
        priced,
        whole,
        unmonitored_lines,
        group_map,
        rule_map,
    }
}

/// What the custom line items are computed from.
struct ItemInputs<'a> {
    base: &'a Pricing,
    old: &'a Config,
    new: &'a Config,
    lines: &'a [StoredLine],
    affected: &'a Affected,
    /// The new group totals (rule-priced; `items` not yet added).
    groups: &'a [GroupTotals],
    group_lines: &'a GroupLines,
    /// Pro forma of a line: (group, position among the group's lines, line).
    line_proforma: &'a dyn Fn(usize, usize, usize) -> Decimal,
}

/// Every active item's amount under the new configuration: recomputed when it changed, when
/// its group was re-priced, or when its base holds a re-priced group or a changed flat item;
/// else as it was. Also returns how many were computed.
fn custom_line_items(x: &ItemInputs<'_>) -> (Vec<ItemAmount>, usize) {
    let p = x.base.period;
    let all = x.affected.all.is_some();
    let group_index: FxHashMap<&str, usize> = x
        .new
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.arn.as_str(), i))
        .collect();
    let old_groups: FxHashSet<&str> = x.old.groups.iter().map(|g| g.arn.as_str()).collect();
    let old_items: FxHashMap<&str, &CustomLineItem> =
        x.old.items.iter().map(|i| (i.arn.as_str(), i)).collect();
    let old_amounts: FxHashMap<&str, &ItemAmount> = x
        .base
        .items
        .iter()
        .filter_map(|a| x.old.items.get(a.item).map(|i| (i.arn.as_str(), a)))
        .collect();
    // Flat items added, removed or changed: percentage items may hold them in their base.
    let is_flat = |i: &CustomLineItem| matches!(i.charge, Charge::Flat { .. });
    let new_items: FxHashMap<&str, &CustomLineItem> =
        x.new.items.iter().map(|i| (i.arn.as_str(), i)).collect();
    let changed_flat: FxHashSet<&str> = old_items
        .keys()
        .chain(new_items.keys())
        .copied()
        .filter(|a| {
            let (o, n) = (old_items.get(a), new_items.get(a));
            o != n && o.into_iter().chain(n).any(|i| is_flat(i))
        })
        .collect();
    // Flat items first: percentage items may take them into their base.
    let flat: FxHashMap<&str, Decimal> = x
        .new
        .items
        .iter()
        .filter(|i| i.active_in(p))
        .filter_map(|i| match i.charge {
            Charge::Flat { value } => Some((i.arn.as_str(), i.sign() * value)),
            Charge::Percentage { .. } => None,
        })
        .collect();
    let group_base = |g: usize, item: &CustomLineItem| -> Decimal {
        if item.filter.is_none() {
            return x.groups[g].priced;
        }
        let mut sum = Decimal::ZERO;
        for (pos, &i) in x.group_lines.of(Some(g)).iter().enumerate() {
            if filter_matches(item.filter.as_ref(), &x.lines[i].key) {
                sum += (x.line_proforma)(g, pos, i);
            }
        }
        sum
    };
    // Level-2 transfer groups are the downstream seller's: their items are charged in its
    // computation (crate::engine::transfer), not in this one.
    let level_two: FxHashSet<usize> = x
        .new
        .transfer_levels(p)
        .iter()
        .filter(|l| l.level == 2)
        .filter_map(|l| l.group)
        .collect();
    let mut out = Vec::new();
    let mut computed = 0;
    for (n, item) in x.new.items.iter().enumerate() {
        let Some(&g) = group_index.get(item.group.as_str()) else {
            continue;
        };
        if level_two.contains(&g) {
            continue;
        }
        if !item.active_in(p) {
            continue;
        }
        let depends_unchanged = |a: &String| match group_index.get(a.as_str()) {
            Some(&ag) => !x.affected.has(ag),
            None => !changed_flat.contains(a.as_str()) && !old_groups.contains(a.as_str()),
        };
        let unchanged = !all
            && old_items.get(item.arn.as_str()) == Some(&item)
            && !x.affected.has(g)
            && match &item.charge {
                Charge::Flat { .. } => true,
                Charge::Percentage { associated, .. } => associated.iter().all(depends_unchanged),
            };
        if let Some(before) = unchanged
            .then(|| old_amounts.get(item.arn.as_str()))
            .flatten()
        {
            out.push(ItemAmount {
                item: n,
                group: g,
                account: before.account.clone(),
                base: before.base,
                amount: before.amount,
            });
            continue;
        }
        computed += 1;
        let (base, amount) = match &item.charge {
            Charge::Flat { value } => (*value, item.sign() * *value),
            Charge::Percentage {
                percent,
                associated,
            } => {
                let mut base = Decimal::ZERO;
                for a in associated {
                    if let Some(&ag) = group_index.get(a.as_str()) {
                        base += group_base(ag, item);
                    } else if let Some(v) = flat.get(a.as_str()) {
                        base += *v;
                    }
                }
                (base, item.sign() * base * *percent / Decimal::ONE_HUNDRED)
            }
        };
        let account = item
            .account
            .clone()
            .unwrap_or_else(|| x.new.groups[g].primary_account.clone());
        out.push(ItemAmount {
            item: n,
            group: g,
            account,
            base,
            amount,
        });
    }
    (out, computed)
}

impl Pricing {
    /// Writes a re-pricing computed against this state ([`delta`]) into it: the re-priced
    /// groups' lines, every total, and the new group and rule positions of the other lines.
    /// Returns false, changing nothing, when the delta was computed against another state.
    pub fn apply(&mut self, d: Delta) -> bool {
        if d.base_revision != self.revision {
            return false;
        }
        if let Some((line_group, line_price)) = d.whole {
            // Every line was priced again: the new lines replace the old ones whole.
            self.line_group = line_group;
            self.line_price = line_price;
        } else {
            self.write_lines(
                d.group_map,
                d.rule_map,
                d.priced,
                d.unmonitored_lines,
                &d.group_lines,
            );
        }
        self.groups = d.groups;
        self.group_diagnostics = d.group_diagnostics;
        self.diagnostics = d.diagnostics;
        self.unmonitored = d.unmonitored;
        self.items = d.items;
        self.allocated = d.allocated;
        self.group_lines = d.group_lines;
        self.revision = next_revision();
        true
    }

    /// The re-priced groups' lines, and the new group and rule positions of the others.
    fn write_lines(
        &mut self,
        group_map: Option<Vec<Option<usize>>>,
        rule_map: Option<Vec<Option<usize>>>,
        priced: Vec<(usize, Vec<LinePrice>)>,
        unmonitored_lines: bool,
        group_lines: &GroupLines,
    ) {
        if let Some(map) = &group_map {
            for lg in &mut self.line_group {
                *lg = lg.and_then(|g| map.get(g).copied().flatten());
            }
        }
        if let Some(map) = &rule_map {
            for p in &mut self.line_price {
                p.rule = p.rule.and_then(|r| map.get(r).copied().flatten());
            }
        }
        for (g, prices) in priced {
            for (&i, p) in group_lines.of(Some(g)).iter().zip(prices) {
                self.line_price[i] = p;
                self.line_group[i] = Some(g);
            }
        }
        if unmonitored_lines {
            let free = LinePrice {
                base: Decimal::ZERO,
                basis: crate::engine::price::Basis::Unmonitored,
                rule: None,
                factor: Decimal::ONE,
                proforma: Decimal::ZERO,
            };
            for &i in &group_lines.unmonitored {
                self.line_price[i] = free;
                self.line_group[i] = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cur::{LineKey, LineSums};
    use crate::model::{
        BillingGroup, Computation, GroupType, ItemType, PricingPlan, PricingRule, RuleType, Scope,
    };

    const PAYER: &str = "999900001111";

    fn line(account: &str, owner: &str) -> StoredLine {
        StoredLine {
            key: LineKey {
                period: "2026-10".parse().unwrap(),
                payer: PAYER.into(),
                account: account.into(),
                billing_entity: "AWS".into(),
                product_code: "AmazonEC2".into(),
                product_name: "Amazon EC2".into(),
                usage_type: "BoxUsage".into(),
                operation: "RunInstances".into(),
                line_item_type: if owner.is_empty() {
                    "Usage"
                } else {
                    "DiscountedUsage"
                }
                .into(),
                region: "us-east-1".into(),
                owner: owner.into(),
                free_on_bill: false,
                labels: Default::default(),
            },
            sums: LineSums {
                rows: 1,
                unblended_cost: Decimal::ONE,
                public_cost: Decimal::TWO,
                ..Default::default()
            },
        }
    }

    fn rule(name: &str) -> PricingRule {
        PricingRule {
            arn: format!("arn:rule/{name}"),
            name: name.into(),
            description: String::new(),
            scope: Scope::Global,
            rule_type: RuleType::Markup,
            modifier: Some(Decimal::TEN),
            service: None,
            billing_entity: None,
            usage_type: None,
            operation: None,
            free_tier: None,
            tiers: vec![],
        }
    }

    fn group(name: &str, accounts: &[&str], plan: &str) -> BillingGroup {
        BillingGroup {
            arn: format!("arn:group/{name}"),
            name: name.into(),
            description: String::new(),
            primary_account: accounts[0].into(),
            accounts: accounts.iter().map(|a| a.to_string()).collect(),
            plan: format!("arn:plan/{plan}"),
            auto_associate: false,
            group_type: GroupType::Standard,
            responsibility_transfer_arn: None,
        }
    }

    /// Groups a (accounts 1, 2), b (3) on plan p (rules r1, r2), c (4) on plan q (rule r2);
    /// account 5 is in no group; account 4's usage is covered by an RI owned by account 1.
    fn setup() -> (Config, LineIndex) {
        let c = Config {
            rules: vec![rule("r1"), rule("r2"), rule("r3")],
            plans: vec![
                PricingPlan {
                    arn: "arn:plan/p".into(),
                    name: "p".into(),
                    description: String::new(),
                    rules: vec!["arn:rule/r1".into()],
                },
                PricingPlan {
                    arn: "arn:plan/q".into(),
                    name: "q".into(),
                    description: String::new(),
                    rules: vec!["arn:rule/r2".into()],
                },
            ],
            groups: vec![
                group("a", &["1", "2"], "p"),
                group("b", &["3"], "p"),
                group("c", &["4"], "q"),
            ],
            items: vec![CustomLineItem {
                arn: "arn:item/fee".into(),
                name: "fee".into(),
                description: "fee".into(),
                group: "arn:group/a".into(),
                account: None,
                item_type: ItemType::Fee,
                charge: Charge::Flat {
                    value: Decimal::TEN,
                },
                filter: None,
                computation: Computation::Consolidated,
                presentation_service: "AWSBillingConductor".into(),
                start: "2026-10".parse().unwrap(),
                end: None,
                currency: "USD".into(),
            }],
            views: vec![],
            transfers: vec![],
            allocations: vec![],
        };
        let lines = vec![
            line("1", ""),
            line("2", ""),
            line("3", ""),
            line("4", "1"),
            line("5", ""),
        ];
        (c, LineIndex::new(&lines))
    }

    fn groups(a: &Affected) -> Vec<usize> {
        assert_eq!(a.all, None);
        a.groups.iter().copied().collect()
    }

    #[test]
    fn a_rule_edit_affects_the_groups_whose_plans_hold_it() {
        let (old, ix) = setup();
        let mut new = old.clone();
        new.rules[0].modifier = Some(Decimal::ONE);
        assert_eq!(
            groups(&affected_groups(
                &old,
                &new,
                &ix,
                "2026-10".parse().unwrap()
            )),
            vec![0, 1]
        );
        let mut new = old.clone();
        new.rules[1].modifier = Some(Decimal::ONE);
        assert_eq!(
            groups(&affected_groups(
                &old,
                &new,
                &ix,
                "2026-10".parse().unwrap()
            )),
            vec![2]
        );
        // A rule in no plan affects no group.
        let mut new = old.clone();
        new.rules[2].modifier = Some(Decimal::ONE);
        assert_eq!(
            groups(&affected_groups(
                &old,
                &new,
                &ix,
                "2026-10".parse().unwrap()
            )),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn a_plan_edit_affects_its_groups() {
        let (old, ix) = setup();
        let mut new = old.clone();
        new.plans[1].rules.push("arn:rule/r3".into());
        assert_eq!(
            groups(&affected_groups(
                &old,
                &new,
                &ix,
                "2026-10".parse().unwrap()
            )),
            vec![2]
        );
        // A group moved to another plan: that group.
        let mut new = old.clone();
        new.groups[1].plan = "arn:plan/q".into();
        assert_eq!(
            groups(&affected_groups(
                &old,
                &new,
                &ix,
                "2026-10".parse().unwrap()
            )),
            vec![1]
        );
    }

    #[test]
    fn custom_line_items_and_views_reprice_no_lines() {
        let (old, ix) = setup();
        let mut new = old.clone();
        new.items[0].charge = Charge::Flat {
            value: Decimal::ONE,
        };
        let a = affected_groups(&old, &new, &ix, "2026-10".parse().unwrap());
        assert_eq!(groups(&a), Vec::<usize>::new());
        assert!(!a.unmonitored && !a.membership);
    }

    #[test]
    fn a_membership_change_affects_the_groups_left_and_joined() {
        let (old, ix) = setup();
        // Account 3 moves from b to c.
        let mut new = old.clone();
        new.groups[1].accounts.clear();
        new.groups[1].primary_account = String::new();
        new.groups[2].accounts.insert("3".into());
        let a = affected_groups(&old, &new, &ix, "2026-10".parse().unwrap());
        assert_eq!(groups(&a), vec![1, 2]);
        assert!(a.membership && !a.unmonitored);
        // Account 5 (unmonitored) joins b: b and the unmonitored accounts.
        let mut new = old.clone();
        new.groups[1].accounts.insert("5".into());
        let a = affected_groups(&old, &new, &ix, "2026-10".parse().unwrap());
        assert_eq!(groups(&a), vec![1]);
        assert!(a.unmonitored);
        // Account 1 owns the RI covering account 4's usage in c: moving the owner into c
        // re-prices c too (the RI benefit now holds there), beside a, which it leaves.
        let mut new = old.clone();
        new.groups[0].accounts.remove("1");
        new.groups[0].primary_account = "2".into();
        new.groups[2].accounts.insert("1".into());
        assert_eq!(
            groups(&affected_groups(
                &old,
                &new,
                &ix,
                "2026-10".parse().unwrap()
            )),
            vec![0, 2]
        );
        // Auto-associate on b: the unmonitored account 5 joins it.
        let mut new = old.clone();
        new.groups[1].auto_associate = true;
        let a = affected_groups(&old, &new, &ix, "2026-10".parse().unwrap());
        assert_eq!(groups(&a), vec![1]);
        assert!(a.unmonitored);
        // An account without data moving changes nothing.
        let mut new = old.clone();
        new.groups[1].accounts.insert("777".into());
        assert_eq!(
            groups(&affected_groups(
                &old,
                &new,
                &ix,
                "2026-10".parse().unwrap()
            )),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn new_groups_and_renames_are_bounded() {
        let (old, ix) = setup();
        let mut new = old.clone();
        new.groups.insert(0, group("0new", &["5"], "p"));
        let a = affected_groups(&old, &new, &ix, "2026-10".parse().unwrap());
        assert_eq!(groups(&a), vec![0]);
        assert!(a.unmonitored);
        // A deleted group: its accounts become unmonitored; no remaining group re-prices.
        let mut new = old.clone();
        new.groups.remove(1);
        let a = affected_groups(&old, &new, &ix, "2026-10".parse().unwrap());
        assert_eq!(groups(&a), Vec::<usize>::new());
        assert!(a.unmonitored && a.membership);
    }

    #[test]
    fn an_item_edit_recomputes_the_item_and_the_items_whose_base_holds_it() {
        let (mut old, _) = setup();
        // A percentage item on c whose base holds the flat fee, and one on b based on group b.
        let mut pct = old.items[0].clone();
        pct.arn = "arn:item/pct".into();
        pct.name = "pct".into();
        pct.group = "arn:group/c".into();
        pct.charge = Charge::Percentage {
            percent: Decimal::TEN,
            associated: vec!["arn:item/fee".into()],
        };
        let mut on_b = pct.clone();
        on_b.arn = "arn:item/onb".into();
        on_b.name = "onb".into();
        on_b.group = "arn:group/b".into();
        on_b.charge = Charge::Percentage {
            percent: Decimal::TEN,
            associated: vec!["arn:group/b".into()],
        };
        old.items.extend([pct, on_b]);
        let lines = vec![line("1", ""), line("3", ""), line("4", "1")];
        let base = crate::engine::price("2026-10".parse().unwrap(), &lines, &old);
        let amount = |p: &[ItemAmount], c: &Config, name: &str| {
            p.iter()
                .find(|a| c.items[a.item].name == name)
                .map(|a| a.amount)
        };
        // The flat fee: it and the item whose base holds it; no line re-priced.
        let mut new = old.clone();
        new.items[0].charge = Charge::Flat {
            value: Decimal::from(20),
        };
        let d = delta(&base, &old, &new, &lines);
        assert_eq!(d.affected.groups.len(), 0);
        assert_eq!(d.items_recomputed, 2);
        assert_eq!(amount(&d.items, &new, "pct"), Some(Decimal::TWO));
        // A rule of b's plan: b's lines, and the items of b and based on b.
        let mut new = old.clone();
        new.rules[0].modifier = Some(Decimal::from(50));
        let d = delta(&base, &old, &new, &lines);
        assert_eq!(groups(&d.affected), vec![0, 1]);
        // fee (group a) and onb (group b, based on b); pct (on c, based on the fee) is kept.
        assert_eq!(d.items_recomputed, 2);
        // 10% of b's pro forma: public cost 2 at a 50% markup.
        assert_eq!(amount(&d.items, &new, "onb"), Some(Decimal::new(3, 1)));
    }

    #[test]
    fn what_cannot_be_bounded_reprices_everything_and_says_why() {
        let (old, ix) = setup();
        let mut new = old.clone();
        new.rules[2].arn = "arn:rule/r1".into();
        let a = affected_groups(&old, &new, &ix, "2026-10".parse().unwrap());
        assert_eq!(
            a.all.as_deref(),
            Some("two pricing rules share the ARN arn:rule/r1")
        );
        assert_eq!(a.count(3), 3);
    }
}
