//! What is shown foots and cross-foots to the cent (SPEC 5). The one place that turns exact
//! amounts into shown ones for every output (TUI, table, CSV, JSON, explanations, previews).
//!
//! The rule:
//! - a top-level total is its exact value rounded to 2 decimals, half away from zero
//!   ([`crate::money::round2`]);
//! - the rows under a total are rounded so that they add up to it, by the largest remainder
//!   method: every row is first rounded down to the cent, then the cents still missing go, one
//!   each, to the rows with the largest remainders; ties go to the row with the larger absolute
//!   exact amount, then to the row listed first (deterministic);
//! - a shown Margin is the shown pro forma minus the shown AWS cost (so margins foot too);
//! - a margin percentage is computed from exact values;
//! - a shown difference (a scenario's Δ, a form preview) is the difference of the shown numbers.
//!
//! Every shown row differs from its exact value by less than one cent.

use crate::money::round2;
use rust_decimal::Decimal;

/// One cent.
pub const CENT: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// Rounds `exact` rows to cents so that they add up to `shown_total` (largest remainder,
/// ties to the larger absolute amount, then to the earlier row).
///
/// `shown_total` should be within a cent per row of `Σ exact` (a rounded total always is);
/// when it is further away the missing (or surplus) cents are still spread evenly over the
/// rows, the odd ones in the same order, so the rows always add up to it. `shown_total` is rounded to
/// cents first. An empty input gives an empty output whatever the total.
pub fn distribute(exact: &[Decimal], shown_total: Decimal) -> Vec<Decimal> {
    if exact.is_empty() {
        return Vec::new();
    }
    let target = round2(shown_total);
    // Round every row down to the cent; the remainder is in [0, 0.01).
    let floors: Vec<Decimal> = exact
        .iter()
        .map(|x| x.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToNegativeInfinity))
        .collect();
    let mut shown = floors.clone();
    let floor_sum: Decimal = floors.iter().sum();
    // Whole cents to hand out (negative: to take back); exact, since both sides are cents.
    let cents = ((target - floor_sum) / CENT).trunc();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - floors[a], exact[b] - floors[b]);
        rb.cmp(&ra)
            .then_with(|| exact[b].abs().cmp(&exact[a].abs()))
            .then(a.cmp(&b))
    });
    // Every row takes `each` cents, and the first `extra` rows in that order one more (when
    // taking back, the last rows give first): O(rows) whatever the number of cents.
    let n = Decimal::from(order.len());
    let each = (cents / n).trunc();
    let extra = cents - each * n;
    let extra = usize::try_from(extra.abs().mantissa() / 10i128.pow(extra.scale()))
        .unwrap_or(0)
        .min(order.len());
    for v in shown.iter_mut() {
        *v += each * CENT;
    }
    let taking_back = cents.is_sign_negative();
    let step = if taking_back { -CENT } else { CENT };
    let picked: Vec<usize> = if taking_back {
        order.iter().rev().take(extra).copied().collect()
    } else {
        order.iter().take(extra).copied().collect()
    };
    for i in picked {
        shown[i] += step;
    }
    shown
}

/// Rows footed to their exact sum rounded: `(shown rows, shown total)`.
pub fn foot(exact: &[Decimal]) -> (Vec<Decimal>, Decimal) {
    let total = round2(exact.iter().sum());
    (distribute(exact, total), total)
}

/// The exact amounts of one report row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExactRow {
    /// AWS cost (billable, tax excepted).
    pub aws: Decimal,
    /// The part of `aws` the pro forma is compared with (the monitored accounts' billable).
    /// Equal to `aws` for billing group reports.
    pub monitored_aws: Decimal,
    /// None when the row has no pro forma (only unmonitored accounts).
    pub proforma: Option<Decimal>,
    pub tax: Decimal,
    /// The part of `tax` of the monitored accounts. Equal to `tax` for billing group reports.
    pub monitored_tax: Decimal,
}

impl ExactRow {
    /// A billing group's row: all of its AWS cost is compared with its pro forma.
    pub fn group(aws: Decimal, proforma: Decimal, tax: Decimal) -> Self {
        Self {
            aws,
            monitored_aws: aws,
            proforma: Some(proforma),
            tax,
            monitored_tax: tax,
        }
    }

    /// Margin / monitored AWS cost x 100 from exact values; none when the base is 0 or there
    /// is no pro forma (SPEC 4.5).
    pub fn margin_percentage(&self) -> Option<Decimal> {
        let p = self.proforma?;
        (!self.monitored_aws.is_zero())
            .then(|| (p - self.monitored_aws) / self.monitored_aws * Decimal::ONE_HUNDRED)
    }
}

/// The shown (rounded, footed) amounts of one report row, or of a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShownRow {
    pub aws: Decimal,
    /// The shown AWS cost of the monitored accounts: what the shown margin is taken against.
    /// Equal to `aws` when the row has no unmonitored account.
    pub monitored_aws: Decimal,
    pub proforma: Option<Decimal>,
    /// Shown pro forma minus shown (monitored) AWS cost.
    pub margin: Option<Decimal>,
    /// From exact values (not rounded here; display rounds it).
    pub margin_percentage: Option<Decimal>,
    pub tax: Decimal,
    /// The shown tax of the monitored accounts. Equal to `tax` when the row has no
    /// unmonitored account.
    pub monitored_tax: Decimal,
}

impl ShownRow {
    /// The shown AWS cost of the accounts in no billing group (billable only):
    /// `aws - monitored_aws`, so the two parts add up to the shown AWS cost.
    pub fn unmonitored_aws(&self) -> Decimal {
        self.aws - self.monitored_aws
    }

    /// The shown tax of the accounts in no billing group: `tax - monitored_tax`.
    pub fn unmonitored_tax(&self) -> Decimal {
        self.tax - self.monitored_tax
    }

    /// The monitored accounts' part of the row, read straight across: AWS cost and tax are the
    /// monitored accounts', beside the pro forma and margin (which are theirs already).
    pub fn monitored(&self) -> ShownRow {
        ShownRow {
            aws: self.monitored_aws,
            tax: self.monitored_tax,
            ..*self
        }
    }

    /// The unmonitored accounts' part of the row: AWS cost and tax only, no pro forma.
    pub fn unmonitored(&self) -> ShownRow {
        ShownRow {
            aws: self.unmonitored_aws(),
            tax: self.unmonitored_tax(),
            ..Default::default()
        }
    }

    /// The whole row's AWS cost and tax without pro forma or margin (a total over monitored
    /// and unmonitored accounts, which has no single base for a margin).
    pub fn billable_only(&self) -> ShownRow {
        ShownRow {
            aws: self.aws,
            tax: self.tax,
            ..Default::default()
        }
    }

    /// Whether some of the row's AWS cost or tax is of accounts in no billing group.
    pub fn has_unmonitored(&self) -> bool {
        self.aws != self.monitored_aws || self.tax != self.monitored_tax
    }
}

/// Shown totals a table's rows must add up to (from a parent table's shown row); `None`
/// columns use their exact sum rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Targets {
    pub aws: Option<Decimal>,
    pub proforma: Option<Decimal>,
    pub tax: Option<Decimal>,
}

impl Targets {
    /// The shown row of a parent table as the totals of the rows under it.
    pub fn of(parent: &ShownRow) -> Self {
        Self {
            aws: Some(parent.aws),
            proforma: parent.proforma,
            tax: Some(parent.tax),
        }
    }
}

/// A footed table: its shown rows (same order as the exact rows) and its shown total.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShownTable {
    pub rows: Vec<ShownRow>,
    pub total: ShownRow,
}

/// Foots every money column of a table: AWS cost, pro forma (rows without one are left out
/// of its column) and tax, each to its target (default: the exact column sum rounded); then
/// margins are the shown pro forma minus the shown monitored AWS cost, per row and in the
/// total, and margin percentages come from the exact values.
///
/// Monitored AWS cost (view reports, where a row can hold unmonitored accounts): the AWS
/// cost column is footed in two parts, the monitored accounts' (to its exact total rounded)
/// and the rest (to the AWS cost total less that), and each row's AWS cost is the sum of its
/// two shown parts. So the monitored total, and with it the margin total, is the same however
/// the view is grouped (a total is its exact value rounded), and every row still adds up.
pub fn foot_rows(rows: &[ExactRow], targets: Targets) -> ShownTable {
    let col = |f: &dyn Fn(&ExactRow) -> Decimal| rows.iter().map(f).collect::<Vec<_>>();
    let aws_exact = col(&|r| r.aws);
    let aws_total = targets
        .aws
        .map_or_else(|| round2(aws_exact.iter().sum()), round2);
    let mut aws = distribute(&aws_exact, aws_total);
    let tax_exact = col(&|r| r.tax);
    let tax_total = targets
        .tax
        .map_or_else(|| round2(tax_exact.iter().sum()), round2);
    let mut tax = distribute(&tax_exact, tax_total);

    let with_pf: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].proforma.is_some())
        .collect();
    let pf_exact: Vec<Decimal> = with_pf
        .iter()
        .map(|&i| rows[i].proforma.unwrap_or_default())
        .collect();
    let pf_total = (!with_pf.is_empty()).then(|| {
        targets
            .proforma
            .map_or_else(|| round2(pf_exact.iter().sum()), round2)
    });
    let mut proforma = vec![None; rows.len()];
    for (&i, v) in with_pf
        .iter()
        .zip(distribute(&pf_exact, pf_total.unwrap_or_default()))
    {
        proforma[i] = Some(v);
    }

    // Monitored AWS cost and tax, shown (see above).
    let (monitored, monitored_aws_total) =
        split_monitored(rows, &with_pf, &mut aws, aws_total, |r| {
            (r.aws, r.monitored_aws)
        });
    let (monitored_tax, monitored_tax_total) =
        split_monitored(rows, &with_pf, &mut tax, tax_total, |r| {
            (r.tax, r.monitored_tax)
        });

    let shown: Vec<ShownRow> = (0..rows.len())
        .map(|i| ShownRow {
            aws: aws[i],
            monitored_aws: monitored[i],
            proforma: proforma[i],
            margin: proforma[i].map(|p| p - monitored[i]),
            margin_percentage: rows[i].margin_percentage(),
            tax: tax[i],
            monitored_tax: monitored_tax[i],
        })
        .collect();
    let exact_total = ExactRow {
        aws: aws_exact.iter().sum(),
        monitored_aws: rows.iter().map(|r| r.monitored_aws).sum(),
        proforma: pf_total.map(|_| pf_exact.iter().sum()),
        tax: tax_exact.iter().sum(),
        monitored_tax: rows.iter().map(|r| r.monitored_tax).sum(),
    };
    let total = ShownRow {
        aws: aws_total,
        monitored_aws: monitored_aws_total,
        proforma: pf_total,
        margin: pf_total.map(|p| p - monitored_aws_total),
        margin_percentage: exact_total.margin_percentage(),
        tax: tax_total,
        monitored_tax: monitored_tax_total,
    };
    ShownTable { rows: shown, total }
}

/// Splits a footed column (`shown`, adding up to `total`) into the monitored accounts' part
/// and the rest, each footed on its own: the monitored part over the rows with pro forma
/// (`with_pf`; others have none) to its exact total rounded, the rest to `total` less that.
/// Rewrites `shown` as the sum of the two parts per row (still adding up to `total`) and
/// returns the monitored part per row and its total. Without unmonitored amounts the column
/// is its own monitored part, unchanged.
fn split_monitored(
    rows: &[ExactRow],
    with_pf: &[usize],
    shown: &mut Vec<Decimal>,
    total: Decimal,
    parts: impl Fn(&ExactRow) -> (Decimal, Decimal),
) -> (Vec<Decimal>, Decimal) {
    if rows.iter().all(|r| {
        let (all, monitored) = parts(r);
        all == monitored
    }) {
        return (shown.clone(), total);
    }
    let m_exact: Vec<Decimal> = with_pf.iter().map(|&i| parts(&rows[i]).1).collect();
    let m_total = round2(m_exact.iter().sum());
    let mut monitored = vec![Decimal::ZERO; rows.len()];
    for (&i, v) in with_pf.iter().zip(distribute(&m_exact, m_total)) {
        monitored[i] = v;
    }
    let rest_exact: Vec<Decimal> = rows
        .iter()
        .map(|r| {
            let (all, m) = parts(r);
            all - m
        })
        .collect();
    let rest = distribute(&rest_exact, total - m_total);
    *shown = monitored.iter().zip(&rest).map(|(m, r)| m + r).collect();
    (monitored, m_total)
}

/// The period's invoice as shown: every billing group, the unmonitored accounts, the tax and
/// the invoice total (all payers).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShownInvoice {
    /// One per billing group, in the order given.
    pub groups: Vec<ShownRow>,
    /// The billing groups together: AWS cost and tax are the sums of the shown group rows,
    /// pro forma is the exact groups' pro forma rounded (the group rows foot to it).
    pub groups_total: ShownRow,
    /// Unmonitored accounts: AWS cost and tax only.
    pub unmonitored_aws: Decimal,
    pub unmonitored_tax: Decimal,
    /// All tax (groups and unmonitored).
    pub tax: Decimal,
    /// The payer invoice total (AWS cost of groups and unmonitored accounts, plus tax): its
    /// exact value rounded.
    pub invoice: Decimal,
}

/// Foots the invoice (decision, SPEC 5): the invoice total is its exact value rounded, and
/// every AWS cost and tax amount under it (each group's, the unmonitored accounts') is a row
/// of it; the billing groups' pro forma total is its exact value rounded and each group's pro
/// forma a row of it. So the groups' rows add up to the "Billing groups" line, and that line,
/// the unmonitored accounts and the tax add up to the invoice total.
pub fn foot_invoice(
    groups: &[ExactRow],
    unmonitored_aws: Decimal,
    unmonitored_tax: Decimal,
) -> ShownInvoice {
    let n = groups.len();
    let mut leaves: Vec<Decimal> = groups.iter().map(|g| g.aws).collect();
    leaves.push(unmonitored_aws);
    leaves.extend(groups.iter().map(|g| g.tax));
    leaves.push(unmonitored_tax);
    let (shown, invoice) = foot(&leaves);
    let (aws, rest) = shown.split_at(n);
    let (u_aws, rest) = rest.split_at(1);
    let (tax, u_tax) = rest.split_at(n);
    let pf_exact: Vec<Decimal> = groups
        .iter()
        .map(|g| g.proforma.unwrap_or_default())
        .collect();
    let (pf, pf_total) = foot(&pf_exact);
    let rows: Vec<ShownRow> = (0..n)
        .map(|i| ShownRow {
            aws: aws[i],
            monitored_aws: aws[i],
            proforma: Some(pf[i]),
            margin: Some(pf[i] - aws[i]),
            margin_percentage: groups[i].margin_percentage(),
            tax: tax[i],
            monitored_tax: tax[i],
        })
        .collect();
    let groups_aws: Decimal = aws.iter().sum();
    let exact = ExactRow::group(
        groups.iter().map(|g| g.aws).sum(),
        pf_exact.iter().sum(),
        Decimal::ZERO,
    );
    let groups_tax: Decimal = tax.iter().sum();
    ShownInvoice {
        groups: rows,
        groups_total: ShownRow {
            aws: groups_aws,
            monitored_aws: groups_aws,
            proforma: Some(pf_total),
            margin: Some(pf_total - groups_aws),
            margin_percentage: exact.margin_percentage(),
            tax: groups_tax,
            monitored_tax: groups_tax,
        },
        unmonitored_aws: u_aws[0],
        unmonitored_tax: u_tax[0],
        tax: groups_tax + u_tax[0],
        invoice,
    }
}

/// A shown difference: `after - before` of two shown numbers (a missing side counts as 0).
pub fn shown_delta(before: Option<Decimal>, after: Option<Decimal>) -> Option<Decimal> {
    match (before, after) {
        (None, None) => None,
        (b, a) => Some(a.unwrap_or_default() - b.unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn ds(v: &[&str]) -> Vec<Decimal> {
        v.iter().map(|s| d(s)).collect()
    }

    #[test]
    fn thirds_foot_to_the_rounded_total() {
        let (rows, total) = foot(&ds(&["0.333333", "0.333333", "0.333334"]));
        assert_eq!(total, d("1.00"));
        // Largest remainder: the third row (0.003334) gets the missing cent.
        assert_eq!(rows, ds(&["0.33", "0.33", "0.34"]));
    }

    #[test]
    fn ties_go_to_the_larger_row_then_the_first() {
        // 0.005 + 0.005 + 1.005 = 1.015 -> 1.02; one cent missing after floors (1.00).
        let (rows, total) = foot(&ds(&["0.005", "1.005", "0.005"]));
        assert_eq!(total, d("1.02"));
        assert_eq!(rows, ds(&["0.01", "1.01", "0.00"]));
        // Equal amounts: the first row wins.
        let (rows, _) = foot(&ds(&["0.005", "0.005"]));
        assert_eq!(rows, ds(&["0.01", "0.00"]));
    }

    #[test]
    fn negative_rows_foot_too() {
        let (rows, total) = foot(&ds(&["-0.333333", "-0.333333", "-0.333334"]));
        assert_eq!(total, d("-1.00"));
        assert_eq!(rows.iter().sum::<Decimal>(), total);
        assert_eq!(rows, ds(&["-0.33", "-0.33", "-0.34"]));
        let (rows, total) = foot(&ds(&["10.004", "-3.006"]));
        assert_eq!(total, d("7.00"));
        // Equal remainders (0.004 each): the larger row takes the cent.
        assert_eq!(rows, ds(&["10.01", "-3.01"]));
    }

    #[test]
    fn whole_cents_never_move() {
        let (rows, total) = foot(&ds(&["1.10", "2.20", "0.004", "0.004"]));
        assert_eq!(total, d("3.31"));
        assert_eq!(rows, ds(&["1.10", "2.20", "0.01", "0.00"]));
    }

    #[test]
    fn a_far_target_is_still_met() {
        let rows = distribute(&ds(&["1", "2"]), d("3.05"));
        assert_eq!(rows.iter().sum::<Decimal>(), d("3.05"));
        let rows = distribute(&ds(&["1", "2"]), d("2.95"));
        assert_eq!(rows.iter().sum::<Decimal>(), d("2.95"));
        assert!(distribute(&[], d("5")).is_empty());
    }

    #[test]
    fn margins_cross_foot() {
        // AWS cost 1,561.735 shows 1,561.74 and the pro forma 2,252.05: the margin shows
        // 690.31 (= 2,252.05 - 1,561.74), not the exact 690.315 rounded (690.32).
        let t = foot_rows(
            &[ExactRow::group(d("1561.735"), d("2252.05"), d("0"))],
            Targets::default(),
        );
        let r = &t.rows[0];
        assert_eq!(r.aws, d("1561.74"));
        assert_eq!(r.proforma, Some(d("2252.05")));
        assert_eq!(r.margin, Some(d("690.31")));
        assert_eq!(r.margin, r.proforma.map(|p| p - r.aws));
        // The percentage is from exact values: 690.315 / 1561.735.
        assert_eq!(
            r.margin_percentage,
            Some(d("690.315") / d("1561.735") * Decimal::ONE_HUNDRED)
        );
    }

    #[test]
    fn mixed_rows_take_margins_against_their_monitored_part() {
        let rows = [
            ExactRow {
                aws: d("100.004"),
                monitored_aws: d("60.004"),
                proforma: Some(d("70.004")),
                tax: d("1"),
                monitored_tax: d("1"),
            },
            ExactRow {
                aws: d("50.004"),
                monitored_aws: d("50.004"),
                proforma: Some(d("55.004")),
                tax: d("0"),
                monitored_tax: d("0"),
            },
            ExactRow {
                aws: d("9.999"),
                monitored_aws: d("0"),
                proforma: None,
                tax: d("0"),
                monitored_tax: d("0"),
            },
        ];
        let t = foot_rows(&rows, Targets::default());
        let sum = |f: &dyn Fn(&ShownRow) -> Decimal| t.rows.iter().map(f).sum::<Decimal>();
        assert_eq!(sum(&|r| r.aws), t.total.aws);
        assert_eq!(
            sum(&|r| r.proforma.unwrap_or_default()),
            t.total.proforma.unwrap()
        );
        assert_eq!(
            sum(&|r| r.margin.unwrap_or_default()),
            t.total.margin.unwrap()
        );
        assert_eq!(
            t.rows[1].margin,
            Some(t.rows[1].proforma.unwrap() - t.rows[1].aws)
        );
        assert_eq!(t.rows[2].margin, None);
    }

    #[test]
    fn monitored_and_unmonitored_parts_each_foot_and_add_up() {
        // Two mixed rows and one unmonitored-only row, with sub-cent amounts in every part.
        let rows = [
            ExactRow {
                aws: d("10.005"),
                monitored_aws: d("6.003"),
                proforma: Some(d("7.004")),
                tax: d("1.005"),
                monitored_tax: d("0.603"),
            },
            ExactRow {
                aws: d("5.005"),
                monitored_aws: d("5.005"),
                proforma: Some(d("5.506")),
                tax: d("0.505"),
                monitored_tax: d("0.505"),
            },
            ExactRow {
                aws: d("2.004"),
                monitored_aws: d("0"),
                proforma: None,
                tax: d("0.204"),
                monitored_tax: d("0"),
            },
        ];
        let t = foot_rows(&rows, Targets::default());
        // Totals: each its exact value rounded.
        assert_eq!(t.total.aws, d("17.01")); // 17.014
        assert_eq!(t.total.monitored_aws, d("11.01")); // 11.008
        assert_eq!(t.total.tax, d("1.71")); // 1.714
        assert_eq!(t.total.monitored_tax, d("1.11")); // 1.108
        assert_eq!(t.total.unmonitored_aws(), d("6.00"));
        assert_eq!(t.total.unmonitored_tax(), d("0.60"));
        let sum = |f: &dyn Fn(&ShownRow) -> Decimal| t.rows.iter().map(f).sum::<Decimal>();
        assert_eq!(sum(&|r| r.monitored_aws), t.total.monitored_aws);
        assert_eq!(sum(&|r| r.monitored_tax), t.total.monitored_tax);
        assert_eq!(sum(&|r| r.unmonitored_aws()), t.total.unmonitored_aws());
        assert_eq!(sum(&|r| r.unmonitored_tax()), t.total.unmonitored_tax());
        assert_eq!(sum(&|r| r.tax), t.total.tax);
        for (r, x) in t.rows.iter().zip(&rows) {
            assert!((r.monitored_tax - x.monitored_tax).abs() < CENT);
            assert!((r.unmonitored_tax() - (x.tax - x.monitored_tax)).abs() < CENT);
            assert_eq!(r.margin, r.proforma.map(|p| p - r.monitored_aws));
        }
        // The unmonitored-only row has no monitored part, and its parts read as such.
        assert_eq!(t.rows[2].monitored_aws, Decimal::ZERO);
        assert_eq!(t.rows[2].monitored_tax, Decimal::ZERO);
        let m = t.total.monitored();
        assert_eq!(
            (m.aws, m.tax, m.margin),
            (d("11.01"), d("1.11"), t.total.margin)
        );
        let u = t.total.unmonitored();
        assert_eq!((u.aws, u.proforma, u.margin), (d("6.00"), None, None));
        assert!(t.total.has_unmonitored());
        assert!(!t.rows[1].has_unmonitored());
    }

    #[test]
    fn the_invoice_foots_at_every_level() {
        let groups = [
            ExactRow::group(d("1.005"), d("2.005"), d("0.105")),
            ExactRow::group(d("2.005"), d("1.005"), d("0.105")),
        ];
        let inv = foot_invoice(&groups, d("0.005"), d("0.005"));
        // 1.005 + 2.005 + 0.005 + 0.105 + 0.105 + 0.005 = 3.23 exactly.
        assert_eq!(inv.invoice, d("3.23"));
        assert_eq!(
            inv.groups_total.aws + inv.unmonitored_aws + inv.tax,
            inv.invoice
        );
        assert_eq!(
            inv.groups.iter().map(|g| g.aws).sum::<Decimal>(),
            inv.groups_total.aws
        );
        assert_eq!(inv.groups_total.proforma, Some(d("3.01")));
        let pf: Decimal = inv.groups.iter().filter_map(|g| g.proforma).sum();
        assert_eq!(Some(pf), inv.groups_total.proforma);
        let margins: Decimal = inv.groups.iter().filter_map(|g| g.margin).sum();
        assert_eq!(Some(margins), inv.groups_total.margin);
        for g in &inv.groups {
            assert_eq!(g.margin, g.proforma.map(|p| p - g.aws));
        }
    }

    proptest::proptest! {
        /// Any rows: they add up to the rounded total, each within a cent of its exact value;
        /// and any target is met.
        #[test]
        fn rows_always_foot(
            rows in proptest::collection::vec((-10_000_000i64..10_000_000, 0u32..6), 0..30),
            off in -500i64..500,
        ) {
            let exact: Vec<Decimal> = rows.iter().map(|(m, s)| Decimal::new(*m, *s)).collect();
            let (shown, total) = foot(&exact);
            proptest::prop_assert_eq!(shown.iter().sum::<Decimal>(), if exact.is_empty() { shown.iter().sum() } else { total });
            for (x, v) in exact.iter().zip(&shown) {
                proptest::prop_assert!((x - v).abs() < CENT, "{} shown {}", x, v);
                proptest::prop_assert_eq!(v.round_dp(2), *v);
            }
            let target = total + Decimal::new(off, 2);
            let far = distribute(&exact, target);
            if !exact.is_empty() {
                proptest::prop_assert_eq!(far.iter().sum::<Decimal>(), target);
            }
        }
    }

    #[test]
    fn targets_from_a_parent_row() {
        let parent = ShownRow {
            aws: d("10.01"),
            monitored_aws: d("10.01"),
            proforma: Some(d("12.00")),
            margin: Some(d("1.99")),
            margin_percentage: None,
            tax: d("0"),
            monitored_tax: d("0"),
        };
        let t = foot_rows(
            &[
                ExactRow::group(d("5.0049"), d("6.004"), d("0")),
                ExactRow::group(d("5.0049"), d("5.996"), d("0")),
            ],
            Targets::of(&parent),
        );
        assert_eq!(t.total.aws, d("10.01"));
        assert_eq!(t.rows[0].aws + t.rows[1].aws, d("10.01"));
        assert_eq!(t.total.margin, parent.margin);
    }
}
