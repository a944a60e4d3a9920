//! Month over month (issue 12 item 2, SPEC 6 `report --compare-to`): two priced states (a
//! period and the one before, or a period's baseline and a scenario) side by side per billing
//! group and per group x service code, with AWS cost, pro forma and margin of each, their
//! differences and the differences in percent.
//!
//! Shown numbers follow SPEC 5 on both sides: each side's group rows are its billing group
//! list as `report` shows it (footed to the side's total), its service rows are footed to its
//! group's shown row, and every shown difference is the difference of the shown numbers, so
//! differences add up the way the amounts do. A difference in percent is computed from exact
//! values (as a margin percentage is); on a zero base it is [`Change::New`], never a division.

use crate::analysis::{Analysis, ReportError};
use crate::engine::GroupBy;
use crate::footing::ShownRow;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// AWS cost (billable, tax excluded), pro forma and margin of one row on one side, as shown
/// (2 decimals, footed); the margin is the shown pro forma minus the shown AWS cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Amounts {
    /// AWSCost (SPEC 4.5): billable, tax excluded.
    pub aws: Decimal,
    /// ProformaCost (SPEC 4.5), custom line items included.
    pub proforma: Decimal,
    /// Shown pro forma minus shown AWS cost.
    pub margin: Decimal,
    /// MarginPercentage (SPEC 4.5) from exact values, unrounded (display rounds it to 2
    /// decimals); None when the AWS cost is zero or the row is not in this state. In a
    /// difference ([`Amounts::minus`]) it is the difference of the two shown (rounded)
    /// percentages, in percentage points; None when either side has none.
    pub margin_pct: Option<Decimal>,
}

impl Amounts {
    fn of(row: &ShownRow) -> Self {
        let proforma = row.proforma.unwrap_or_default();
        Self {
            aws: row.aws,
            proforma,
            margin: row.margin.unwrap_or(proforma - row.aws),
            margin_pct: row.margin_percentage,
        }
    }

    /// `self - base`, amount by amount (a shown difference: of shown numbers; the margin
    /// percentage's in points, of the percentages as shown to 2 decimals).
    pub fn minus(&self, base: &Amounts) -> Amounts {
        let shown = |p: Decimal| crate::money::round2(p);
        Amounts {
            aws: self.aws - base.aws,
            proforma: self.proforma - base.proforma,
            margin: self.margin - base.margin,
            margin_pct: self
                .margin_pct
                .zip(base.margin_pct)
                .map(|(a, b)| shown(a) - shown(b)),
        }
    }
}

/// A change in percent of the base, from exact values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Both sides are zero.
    None,
    /// The base is zero and the current side is not: printed "new".
    New,
    /// (current - base) / |base| x 100, unrounded (display rounds it to 2 decimals).
    Percent(Decimal),
}

impl Change {
    /// The change from `base` to `current` (exact amounts).
    pub fn between(base: Decimal, current: Decimal) -> Self {
        if base.is_zero() {
            if current.is_zero() {
                Change::None
            } else {
                Change::New
            }
        } else {
            Change::Percent((current - base) / base.abs() * Decimal::ONE_HUNDRED)
        }
    }

    /// "12.34", "new" or "–" (both zero).
    pub fn label(&self) -> String {
        match self {
            Change::None => "–".into(),
            Change::New => "new".into(),
            Change::Percent(p) => crate::money::fmt_plain(*p),
        }
    }
}

/// One row of the comparison: a billing group, or one service code of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    /// The billing group's ARN (groups are matched across the two states by ARN).
    pub arn: String,
    /// The group's name in the current state (in the base when it is gone).
    pub name: String,
    /// None for a group's row; the service code (`lineItem/ProductCode`, or a custom line
    /// item's) for a group x service row.
    pub service: Option<String>,
    /// Shown amounts in the base state (zero when the row is not in it).
    pub base: Amounts,
    /// Shown amounts in the current state (zero when the row is not in it).
    pub current: Amounts,
    /// Exact AWS cost and pro forma in the base, for the changes in percent.
    pub base_exact: (Decimal, Decimal),
    /// Exact AWS cost and pro forma in the current state.
    pub current_exact: (Decimal, Decimal),
}

impl Movement {
    /// Current minus base, of the shown amounts.
    pub fn delta(&self) -> Amounts {
        self.current.minus(&self.base)
    }
    /// AWS cost's change in percent (exact values).
    pub fn aws_change(&self) -> Change {
        Change::between(self.base_exact.0, self.current_exact.0)
    }
    /// Pro forma's change in percent (exact values).
    pub fn proforma_change(&self) -> Change {
        Change::between(self.base_exact.1, self.current_exact.1)
    }
    /// The sort order: largest |Δ pro forma| first, then largest |Δ AWS cost|, then by name
    /// and service.
    fn order(&self, other: &Self) -> std::cmp::Ordering {
        let (a, b) = (self.delta(), other.delta());
        b.proforma
            .abs()
            .cmp(&a.proforma.abs())
            .then_with(|| b.aws.abs().cmp(&a.aws.abs()))
            .then_with(|| self.name.cmp(&other.name))
            .then_with(|| self.service.cmp(&other.service))
    }
}

/// Two states compared: per group and per group x service, sorted by |Δ pro forma|, and the
/// total of the groups.
#[derive(Debug, Clone)]
pub struct MonthOverMonth {
    /// What the current side is (`2026-10`, or `2026-10, scenario 'x'`).
    pub current_label: String,
    /// What it is compared with (`2026-09`, or `2026-10 baseline`).
    pub base_label: String,
    /// ISO 4217 code of both sides' amounts.
    pub currency: String,
    /// One row per billing group of either state, largest |Δ pro forma| first.
    pub groups: Vec<Movement>,
    /// One row per (group, service code) of either state, largest |Δ pro forma| first. The
    /// rows of one group add up to the group's row on each side.
    pub services: Vec<Movement>,
    /// The billing groups' total on each side (the `Total` line of `report`).
    pub total: Movement,
}

/// Per group: its index, shown row and exact (AWS cost, pro forma).
type GroupSide = (usize, Amounts, (Decimal, Decimal));

fn sides(a: &Analysis) -> (Vec<(String, String)>, HashMap<String, GroupSide>, Amounts) {
    let shown = a.shown_invoice();
    let mut order = Vec::new();
    let mut by_arn = HashMap::new();
    // The groups of the group list: level-2 transfer groups are another computation's.
    for r in a
        .group_reports()
        .into_iter()
        .filter(|r| a.listed_group(r.group))
    {
        let row = shown.groups.get(r.group).copied().unwrap_or_default();
        order.push((r.arn.clone(), r.name.clone()));
        by_arn.insert(
            r.arn,
            (r.group, Amounts::of(&row), (r.aws_cost, r.proforma)),
        );
    }
    (order, by_arn, Amounts::of(&shown.groups_total))
}

/// A group's services on one side: service code -> (shown, exact), footed to its shown row.
fn services(a: &Analysis, g: usize) -> BTreeMap<String, (Amounts, (Decimal, Decimal))> {
    let (rows, table) = a.shown_breakdown(g, GroupBy::ServiceCode, &[]);
    rows.iter()
        .zip(&table.rows)
        .map(|(r, shown)| {
            let code = r
                .attributes
                .first()
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            (code, (Amounts::of(shown), (r.aws_cost, r.proforma)))
        })
        .collect()
}

/// Compares `current` with `base` (both fully loaded states: [`Analysis::load_state`]).
///
/// # Errors
/// [`ReportError::MixedCurrencies`] when either side mixes currencies or the two sides are in
/// different currencies (amounts in different currencies are never subtracted).
pub fn compare(
    current: &Analysis,
    base: &Analysis,
    current_label: String,
    base_label: String,
) -> Result<MonthOverMonth, ReportError> {
    let currency = current.currency()?.to_string();
    let base_currency = base.currency()?;
    // A base without data has no currency of its own: the default, whatever the other side's.
    if base_currency != currency && !base.currencies.is_empty() && !current.currencies.is_empty() {
        return Err(ReportError::MixedCurrencies(format!(
            "{current_label} is billed in {currency} and {base_label} in {base_currency}; \
             amounts in different currencies are never compared"
        )));
    }
    let (cur_order, cur_groups, cur_total) = sides(current);
    let (base_order, base_groups, base_total) = sides(base);
    let mut arns: Vec<(String, String)> = cur_order;
    arns.extend(
        base_order
            .into_iter()
            .filter(|(arn, _)| !cur_groups.contains_key(arn)),
    );
    let mut groups = Vec::new();
    let mut all_services = Vec::new();
    let zero = (Decimal::ZERO, Decimal::ZERO);
    for (arn, name) in arns {
        let c = cur_groups.get(&arn);
        let b = base_groups.get(&arn);
        groups.push(Movement {
            arn: arn.clone(),
            name: name.clone(),
            service: None,
            base: b.map(|x| x.1).unwrap_or_default(),
            current: c.map(|x| x.1).unwrap_or_default(),
            base_exact: b.map_or(zero, |x| x.2),
            current_exact: c.map_or(zero, |x| x.2),
        });
        let cs = c.map(|x| services(current, x.0)).unwrap_or_default();
        let bs = b.map(|x| services(base, x.0)).unwrap_or_default();
        let mut codes: Vec<&String> = cs.keys().chain(bs.keys()).collect();
        codes.sort();
        codes.dedup();
        for code in codes {
            let (c, b) = (cs.get(code), bs.get(code));
            all_services.push(Movement {
                arn: arn.clone(),
                name: name.clone(),
                service: Some(code.clone()),
                base: b.map(|x| x.0).unwrap_or_default(),
                current: c.map(|x| x.0).unwrap_or_default(),
                base_exact: b.map_or(zero, |x| x.1),
                current_exact: c.map_or(zero, |x| x.1),
            });
        }
    }
    let sum = |v: &HashMap<String, GroupSide>| {
        v.values()
            .fold(zero, |(a, p), x| (a + (x.2).0, p + (x.2).1))
    };
    let total = Movement {
        arn: String::new(),
        name: "Total".into(),
        service: None,
        base: base_total,
        current: cur_total,
        base_exact: sum(&base_groups),
        current_exact: sum(&cur_groups),
    };
    groups.sort_by(Movement::order);
    all_services.sort_by(Movement::order);
    Ok(MonthOverMonth {
        current_label,
        base_label,
        currency,
        groups,
        services: all_services,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn change_of_a_zero_base_is_new_and_of_two_zeros_none() {
        assert_eq!(Change::between(d("0"), d("5")), Change::New);
        assert_eq!(Change::between(d("0"), d("0")), Change::None);
        assert_eq!(Change::New.label(), "new");
        assert_eq!(Change::None.label(), "–");
        assert_eq!(
            Change::between(d("200"), d("250")),
            Change::Percent(d("25"))
        );
        // A negative base (a credit) still reads as a rise when the amount grows.
        assert_eq!(
            Change::between(d("-100"), d("-50")),
            Change::Percent(d("50"))
        );
        assert_eq!(Change::between(d("3"), d("1")).label(), "-66.67");
    }

    #[test]
    fn a_margin_percentage_difference_is_of_the_shown_percentages_in_points() {
        let a = |pct: Option<&str>| Amounts {
            aws: d("100"),
            proforma: d("110"),
            margin: d("10"),
            margin_pct: pct.map(d),
        };
        // 12.345 shows as 12.35 and 10.004 as 10.00: the difference shown is 2.35.
        let delta = a(Some("12.345")).minus(&a(Some("10.004")));
        assert_eq!(delta.margin_pct, Some(d("2.35")));
        assert_eq!(delta.margin, Decimal::ZERO);
        // No margin percentage on one side (AWS cost zero): no difference either.
        assert_eq!(a(None).minus(&a(Some("5"))).margin_pct, None);
        assert_eq!(a(Some("5")).minus(&a(None)).margin_pct, None);
    }
}
