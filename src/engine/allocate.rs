//! Shared-cost allocations (issue 14 item 4): each active [`CostAllocation`] takes its amount
//! (a fixed amount, or the billable cost of the period's lines its source names), splits it
//! over its target groups by its key, rounds the parts to cents so that they add up exactly to
//! the amount rounded to cents, and charges each part to its group as a custom line item (FEE;
//! CREDIT when negative) named after the allocation.
//!
//! It runs after the groups' lines are priced and the custom line items are computed, and
//! before the totals: the keys read the groups' rule-priced totals. The `PRO_FORMA` key reads
//! the pro forma before custom line items and allocations, so an allocation never depends on
//! itself or on another allocation (decision).

use crate::cur::StoredLine;
use crate::engine::price::{GroupTotals, ItemAmount};
use crate::engine::reprice::GroupLines;
use crate::model::{
    AllocationKey, AllocationSource, Charge, Computation, Config, CostAllocation, CustomLineItem,
    ItemType,
};
use crate::period::BillingPeriod;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

/// One target group's part of an allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPart {
    /// Index into `Config::groups`.
    pub group: usize,
    /// The group's value of the key (AWS cost, pro forma, service cost, 1, or its weight),
    /// negative values counted as 0.
    pub weight: Decimal,
    /// The part charged, in cents; the parts add up to [`AllocationSplit::rounded`].
    pub amount: Decimal,
}

/// How one allocation was split in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationSplit {
    /// Index into `Config::allocations`.
    pub allocation: usize,
    /// The source amount, exact.
    pub amount: Decimal,
    /// The amount rounded to cents (half away from zero): what the parts add up to.
    pub rounded: Decimal,
    /// Aggregate lines of the period that made a cost source's amount (0 for a fixed one).
    pub source_lines: usize,
    /// One per target group that exists, in the allocation's order.
    pub parts: Vec<SplitPart>,
    /// What the analyst should know: no rows for the source, a key that is zero everywhere
    /// (split evenly instead), negative key values (counted as 0).
    pub warnings: Vec<String>,
}

impl Allocated {
    /// The split that charged the `k`-th of [`Allocated::items`].
    pub fn split_of(&self, k: usize) -> Option<&AllocationSplit> {
        let mut first = 0;
        for s in &self.splits {
            if k < first + s.parts.len() {
                return Some(s);
            }
            first += s.parts.len();
        }
        None
    }
}

impl AllocationSplit {
    /// Σ weights of the parts.
    pub fn total_weight(&self) -> Decimal {
        self.parts.iter().map(|p| p.weight).sum()
    }
}

/// What the allocations of a period produce: their splits, the custom line items charged
/// (one per split part, in split order) and their amounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allocated {
    pub splits: Vec<AllocationSplit>,
    /// The custom line items charged; an [`ItemAmount`] of one has `item` =
    /// `Config::items.len()` + its position here.
    pub items: Vec<CustomLineItem>,
    pub amounts: Vec<ItemAmount>,
}

/// Splits `amount` rounded to cents over `weights` (≥ 0, some above 0) by largest remainder:
/// each part is its exact share (amount × weight / Σ weights) rounded down to cents, and the
/// cents left go one each to the largest remainders, ties to the larger weight and then to the
/// earlier `tie_names` entry ordering (names ascending). Negative amounts split their absolute
/// value and are negated. The parts add up exactly to the rounded amount and each is within
/// one cent of its exact share. All weights zero: an even split.
pub fn split_cents(amount: Decimal, weights: &[Decimal], tie_names: &[&str]) -> Vec<Decimal> {
    let n = weights.len();
    if n == 0 {
        return Vec::new();
    }
    let rounded = crate::money::round2(amount);
    let negative = rounded.is_sign_negative();
    let total_cents = rounded.abs() * Decimal::ONE_HUNDRED;
    let clean: Vec<Decimal> = weights
        .iter()
        .map(|w| {
            if w.is_sign_negative() {
                Decimal::ZERO
            } else {
                *w
            }
        })
        .collect();
    let sum = clean
        .iter()
        .try_fold(Decimal::ZERO, |s, w| s.checked_add(*w))
        .unwrap_or(Decimal::ZERO);
    let even = sum.is_zero();
    // Exact shares in cents: the product first, then the division, so that a share that is
    // exactly half a cent is exactly that (7.77 x 10/60 = 129.5 cents, not the 129.50..026 a
    // rounded ratio gives) and ties go by the rule, to the larger weight. Only when the
    // product overflows, the ratio first (≤ 1).
    let share = |i: usize| -> Decimal {
        let (w, of) = if even {
            (Decimal::ONE, Decimal::from(n as u64))
        } else {
            (clean[i], sum)
        };
        total_cents
            .checked_mul(w)
            .and_then(|p| p.checked_div(of))
            .or_else(|| {
                w.checked_div(of)
                    .and_then(|ratio| total_cents.checked_mul(ratio))
            })
            .unwrap_or(Decimal::ZERO)
    };
    let exact: Vec<Decimal> = (0..n).map(share).collect();
    let mut cents: Vec<Decimal> = exact.iter().map(|e| e.floor()).collect();
    let given: Decimal = cents.iter().copied().sum();
    let mut left = total_cents - given;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - cents[a], exact[b] - cents[b]);
        rb.cmp(&ra)
            .then(clean[b].cmp(&clean[a]))
            .then(tie_names.get(a).cmp(&tie_names.get(b)))
            .then(a.cmp(&b))
    });
    // `left` is below n but for the last digit of the ratios; cycling keeps it exact anyway.
    let mut k = 0;
    while left > Decimal::ZERO {
        cents[order[k % n]] += Decimal::ONE;
        left -= Decimal::ONE;
        k += 1;
    }
    cents
        .into_iter()
        .map(|c| {
            let part = c / Decimal::ONE_HUNDRED;
            if negative { -part } else { part }
        })
        .collect()
}

/// The billable cost of `lines` a cost source names, and how many lines matched.
fn source_amount(source: &AllocationSource, lines: &[StoredLine]) -> (Decimal, usize) {
    match source {
        AllocationSource::Fixed { amount } => (*amount, 0),
        AllocationSource::Cost { .. } => {
            let mut sum = Decimal::ZERO;
            let mut n = 0;
            for l in lines {
                let k = &l.key;
                let kind = k.line_item_type.as_str();
                if source.matches(&k.account, &k.product_code, kind, k.line_item_type.is_tax()) {
                    sum += l.sums.unblended_cost;
                    n += 1;
                }
            }
            (sum, n)
        }
    }
}

/// Every active allocation of `config` in `period`, split over its targets: `groups` are the
/// groups' rule-priced totals (custom line items not counted), `group_lines` their lines.
pub fn allocate(
    config: &Config,
    period: BillingPeriod,
    lines: &[StoredLine],
    groups: &[GroupTotals],
    group_lines: &GroupLines,
) -> Allocated {
    let mut out = Allocated::default();
    if config.allocations.is_empty() {
        return out;
    }
    let index: FxHashMap<&str, usize> = config
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.arn.as_str(), i))
        .collect();
    // Groups of level-2 billing transfers: the downstream seller's, empty here.
    let level_two: Vec<usize> = config
        .transfer_levels(period)
        .iter()
        .filter(|l| l.level == 2)
        .filter_map(|l| l.group)
        .collect();
    for (n, a) in config.allocations.iter().enumerate() {
        if !a.active_in(period) {
            continue;
        }
        let mut split = split_one(n, a, config, lines, groups, group_lines, &index);
        for &g in &level_two {
            if split.parts.iter().any(|p| p.group == g) {
                split.warnings.push(format!(
                    "billing group '{}' prices a level-2 billing transfer: it holds nothing in this computation, so its key is 0",
                    config.groups[g].name
                ));
            }
        }
        for part in &split.parts {
            let group = &config.groups[part.group];
            let item_type = if part.amount.is_sign_negative() && !part.amount.is_zero() {
                ItemType::Credit
            } else {
                ItemType::Fee
            };
            out.amounts.push(ItemAmount {
                item: config.items.len() + out.items.len(),
                group: part.group,
                account: group.primary_account.clone(),
                base: split.rounded,
                amount: part.amount,
            });
            out.items.push(CustomLineItem {
                arn: a.item_arn(&group.arn),
                name: a.name.clone(),
                description: if a.description.is_empty() {
                    format!("share of {}", a.source.describe())
                } else {
                    a.description.clone()
                },
                group: group.arn.clone(),
                account: None,
                item_type,
                charge: Charge::Flat {
                    value: part.amount.abs(),
                },
                filter: None,
                computation: Computation::Consolidated,
                presentation_service: a.presentation_service.clone(),
                start: a.start,
                end: a.end,
                currency: "USD".into(),
            });
        }
        out.splits.push(split);
    }
    out
}

fn split_one(
    n: usize,
    a: &CostAllocation,
    config: &Config,
    lines: &[StoredLine],
    groups: &[GroupTotals],
    group_lines: &GroupLines,
    index: &FxHashMap<&str, usize>,
) -> AllocationSplit {
    let mut warnings = Vec::new();
    let (amount, source_lines) = source_amount(&a.source, lines);
    if matches!(a.source, AllocationSource::Cost { .. }) && source_lines == 0 {
        warnings.push(format!(
            "no line of the period matches the source ({}): nothing to split",
            a.source.describe()
        ));
    }
    let targets: Vec<(usize, Option<Decimal>)> = a
        .targets
        .iter()
        .filter_map(|t| index.get(t.group.as_str()).map(|&g| (g, t.weight)))
        .collect();
    let key_of = |g: usize, weight: Option<Decimal>| -> Decimal {
        let totals = groups.get(g).cloned().unwrap_or_default();
        match &a.key {
            AllocationKey::AwsCost => totals.aws_cost,
            AllocationKey::Proforma => totals.priced,
            AllocationKey::ServiceCost { service } => group_lines
                .of(Some(g))
                .iter()
                .filter_map(|&i| lines.get(i))
                .filter(|l| l.key.product_code == *service && !l.key.line_item_type.is_tax())
                .map(|l| l.sums.unblended_cost)
                .sum(),
            AllocationKey::Even => Decimal::ONE,
            AllocationKey::Weights => weight.unwrap_or_default(),
        }
    };
    let mut weights = Vec::with_capacity(targets.len());
    for &(g, w) in &targets {
        let v = key_of(g, w);
        if v.is_sign_negative() && !v.is_zero() {
            warnings.push(format!(
                "billing group '{}' has a negative key value ({}): counted as 0",
                config.groups[g].name,
                crate::money::fmt_grouped(v)
            ));
            weights.push(Decimal::ZERO);
        } else {
            weights.push(v);
        }
    }
    if !targets.is_empty() && weights.iter().all(Decimal::is_zero) {
        warnings.push(format!(
            "the key ({}) is zero for every target: split evenly",
            a.key.describe()
        ));
    }
    let names: Vec<&str> = targets
        .iter()
        .map(|&(g, _)| config.groups[g].name.as_str())
        .collect();
    let amounts = split_cents(amount, &weights, &names);
    let parts = targets
        .iter()
        .zip(weights)
        .zip(amounts)
        .map(|((&(group, _), weight), amount)| SplitPart {
            group,
            weight,
            amount,
        })
        .collect();
    AllocationSplit {
        allocation: n,
        amount,
        rounded: crate::money::round2(amount),
        source_lines,
        parts,
        warnings,
    }
}

/// The split in words, one line per target: `team-a: weight 300.00 of 1,000.00 (30%) =
/// 360.00`.
pub fn describe_split(config: &Config, split: &AllocationSplit) -> Vec<String> {
    let total = split.total_weight();
    split
        .parts
        .iter()
        .map(|p| {
            let pct = if total.is_zero() {
                Decimal::ONE_HUNDRED / Decimal::from(split.parts.len().max(1) as u64)
            } else {
                p.weight / total * Decimal::ONE_HUNDRED
            };
            format!(
                "{}: weight {} of {} ({}%) = {}",
                config.groups.get(p.group).map_or("?", |g| g.name.as_str()),
                crate::money::fmt_grouped(p.weight),
                crate::money::fmt_grouped(total),
                pct.round_dp(2).normalize(),
                crate::money::fmt_grouped(p.amount)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn largest_remainder_adds_up_and_breaks_ties_by_weight_then_name() {
        // 100 / 3: 33.33 each, one cent left: the tie goes to the first name.
        let p = split_cents(d("100"), &[d("1"), d("1"), d("1")], &["c", "a", "b"]);
        assert_eq!(p, vec![d("33.33"), d("33.34"), d("33.33")]);
        // 0.05 by 1:1: 0.025 each, the cent left to the name first.
        let p = split_cents(d("0.05"), &[d("1"), d("1")], &["b", "a"]);
        assert_eq!(p, vec![d("0.02"), d("0.03")]);
        // The larger remainder first: 0.10 by 1:2 is 3.33 and 6.67 cents.
        let p = split_cents(d("0.10"), &[d("1"), d("2")], &["a", "b"]);
        assert_eq!(p, vec![d("0.03"), d("0.07")]);
        // Equal remainders, the larger weight wins: 0.02 by 1:3 is 0.5 and 1.5 cents.
        let p = split_cents(d("0.02"), &[d("1"), d("3")], &["a", "b"]);
        assert_eq!(p, vec![d("0.00"), d("0.02")]);
        // Exact half cents are ties, whatever the ratio's last digit: 7.77 by 10:20:30 is
        // 129.5, 259 and 388.5 cents; the cent goes to the larger weight.
        let p = split_cents(d("7.77"), &[d("10"), d("20"), d("30")], &["a", "b", "c"]);
        assert_eq!(p, vec![d("1.29"), d("2.59"), d("3.89")]);
        let p = split_cents(d("0.03"), &[d("1"), d("5")], &["a", "c"]);
        assert_eq!(p, vec![d("0.00"), d("0.03")]);
        // Negative amounts split their absolute value.
        let p = split_cents(d("-10.005"), &[d("1"), d("1")], &["a", "b"]);
        assert_eq!(p, vec![d("-5.01"), d("-5.00")]);
        // All zero: even.
        let p = split_cents(d("1"), &[d("0"), d("0"), d("0")], &["a", "b", "c"]);
        assert_eq!(p, vec![d("0.34"), d("0.33"), d("0.33")]);
        assert_eq!(split_cents(d("5"), &[], &[]), Vec::<Decimal>::new());
    }
}
