//! Spreading an aggregate line's pro forma over its rows, to 10 decimals, exactly (README
//! "Pro forma CUR", allocation).

use super::DECIMALS;
use rust_decimal::{Decimal, RoundingStrategy};

/// Which amount of a row its line's pro forma is spread by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Weight {
    Public,
    Usage,
    Unblended,
}

/// One aggregate line of the group, and how much of its pro forma its rows have received.
pub(super) struct LineState {
    /// The line's pro forma, exact; `None`: left out of pro forma (its rows are not written).
    pub(super) proforma: Option<Decimal>,
    pub(super) weight: Weight,
    /// Σ of the weights of the line's rows (from the aggregate).
    pub(super) total: Decimal,
    /// Rows the line sums (from the aggregate).
    pub(super) rows: u64,
    pub(super) seen: u64,
    pub(super) cum: Decimal,
    pub(super) given: Decimal,
    pub(super) line: usize,
}

pub(super) fn round10(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(DECIMALS, RoundingStrategy::MidpointAwayFromZero)
}

/// A decimal as CUR writes it: plain digits, no trailing zeros, `0` for zero.
pub(super) fn text(d: Decimal) -> String {
    if d.is_zero() {
        "0".into()
    } else {
        d.normalize().to_string()
    }
}

impl LineState {
    /// The next row's share (`w`: its weight); None on overflow.
    pub(super) fn next(&mut self, w: Decimal) -> Option<Decimal> {
        let p = self.proforma?;
        self.seen += 1;
        self.cum = self.cum.checked_add(w)?;
        let target = if self.seen >= self.rows {
            round10(p)
        } else if self.total.is_zero() {
            let share = Decimal::from(self.seen).checked_div(Decimal::from(self.rows))?;
            round10(p.checked_mul(share)?)
        } else {
            round10(p.checked_mul(self.cum.checked_div(self.total)?)?)
        };
        let value = target - self.given;
        self.given = target;
        Some(value)
    }
}

/// Spreads `amount` over `weights` (cumulative rounding to 10 decimals, the last the rest);
/// equally when they add up to zero.
pub(super) fn spread10(amount: Decimal, weights: &[Decimal]) -> Option<Vec<Decimal>> {
    let mut state = LineState {
        proforma: Some(amount),
        weight: Weight::Unblended,
        total: weights
            .iter()
            .copied()
            .try_fold(Decimal::ZERO, |a, w| a.checked_add(w))?,
        rows: weights.len() as u64,
        seen: 0,
        cum: Decimal::ZERO,
        given: Decimal::ZERO,
        line: 0,
    };
    weights.iter().map(|w| state.next(*w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn shares_add_up_exactly_to_the_rounded_pro_forma() {
        let p = d("10.123456789012345");
        let v = spread10(p, &[d("1"), d("2"), d("3.3333"), d("0.0001")]).unwrap();
        assert_eq!(v.iter().copied().sum::<Decimal>(), round10(p));
        assert!(v.iter().all(|x| x.scale() <= DECIMALS));
        // Proportional (checked with Python's decimal module, half up at 10 places).
        assert_eq!(
            v,
            vec![
                d("1.5984237201"),
                d("3.1968474403"),
                d("5.3280257862"),
                d("0.0001598424")
            ]
        );
        // Zero weights: equal shares.
        let v = spread10(d("1"), &[d("0"), d("0"), d("0")]).unwrap();
        assert_eq!(
            v,
            vec![d("0.3333333333"), d("0.3333333334"), d("0.3333333333")]
        );
        // Mixed signs still add up.
        let v = spread10(d("-7.8"), &[d("5"), d("-2"), d("1")]).unwrap();
        assert_eq!(v.iter().copied().sum::<Decimal>(), d("-7.8"));
        assert_eq!(v, vec![d("-9.75"), d("3.9"), d("-1.95")]);
    }

    #[test]
    fn decimals_are_written_plainly() {
        assert_eq!(text(d("1.2300000000")), "1.23");
        assert_eq!(text(d("-0.0000000000")), "0");
        assert_eq!(text(d("1E-10")), "0.0000000001");
    }
}
