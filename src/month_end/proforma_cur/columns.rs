//! Which column of a pro forma CUR carries what (README "Pro forma CUR", cost columns).

use crate::cur::columns::normalize_name;

/// What a column of the output carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// Copied from the source row.
    Copy,
    /// The row's pro forma (`UnblendedCost`, `BlendedCost`, `NetUnblendedCost`).
    Cost,
    /// The row's pro forma per unit of usage (`UnblendedRate`, `BlendedRate`,
    /// `NetUnblendedRate`); empty when the usage amount is 0.
    Rate,
    /// Emptied: `bill/InvoiceId` (no invoice exists for pro forma) and the `discount/*`
    /// columns (non-public discounts are not part of pro forma).
    Empty,
}

/// A column's role; `customer`: also empties what commitments cost on the bill (see
/// [`commitment_money`]).
pub(super) fn role(name: &str, customer: bool) -> Role {
    let n = normalize_name(name);
    if customer && commitment_money(&n) {
        return Role::Empty;
    }
    match n.as_str() {
        "line_item_unblended_cost" | "line_item_blended_cost" | "line_item_net_unblended_cost" => {
            Role::Cost
        }
        "line_item_unblended_rate" | "line_item_blended_rate" | "line_item_net_unblended_rate" => {
            Role::Rate
        }
        "bill_invoice_id" | "discount" => Role::Empty,
        n if n.starts_with("discount_") => Role::Empty,
        _ => Role::Copy,
    }
}

/// A `reservation/*` or `savingsPlan/*` amount (effective cost, fees, rates, commitments,
/// upfront value): what the payer's reservations and Savings Plans cost on the real bill.
/// A customer's file (`--audience customer`) leaves them empty: it shows pro forma only
/// (ARCHITECTURE "Every output has an audience").
pub(super) fn commitment_money(normalized: &str) -> bool {
    (normalized.starts_with("reservation_") || normalized.starts_with("savings_plan_"))
        && ["cost", "fee", "rate", "commitment", "value"]
            .iter()
            .any(|w| normalized.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_by_role() {
        for customer in [false, true] {
            assert_eq!(role("lineItem/UnblendedCost", customer), Role::Cost);
            assert_eq!(role("line_item_net_unblended_cost", customer), Role::Cost);
            assert_eq!(role("lineItem/BlendedRate", customer), Role::Rate);
            assert_eq!(role("bill/InvoiceId", customer), Role::Empty);
            assert_eq!(role("discount/EdpDiscount", customer), Role::Empty);
            assert_eq!(role("discount", customer), Role::Empty);
            assert_eq!(role("pricing/publicOnDemandCost", customer), Role::Copy);
            assert_eq!(role("lineItem/UsageAmount", customer), Role::Copy);
            assert_eq!(role("reservation/ReservationARN", customer), Role::Copy);
            assert_eq!(role("savingsPlan/SavingsPlanARN", customer), Role::Copy);
        }
        for money in [
            "reservation/EffectiveCost",
            "reservation/UnusedRecurringFee",
            "reservation/UpfrontValue",
            "savingsPlan/SavingsPlanEffectiveCost",
            "savings_plan_savings_plan_rate",
            "savingsPlan/TotalCommitmentToDate",
        ] {
            assert_eq!(role(money, false), Role::Copy, "{money}");
            assert_eq!(role(money, true), Role::Empty, "{money}");
        }
    }
}
