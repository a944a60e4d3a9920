//! Custom line items as rows of a pro forma CUR (README "Pro forma CUR", custom line items).

use super::allocate::{round10, spread10, text};
use super::columns::Role;
use crate::analysis::Analysis;
use crate::engine::price::filter_matches;
use crate::model::{Charge, Computation, CustomLineItem, ItemType};
use crate::period::BillingPeriod;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

/// One custom line item row: its amount, and what it is itemized over.
pub(super) struct ItemRow {
    pub(super) value: Decimal,
    /// (product code, product name, usage type, operation, region) of the base line an
    /// ITEMIZED row is for; None: the item's own presentation service.
    pub(super) base: Option<[String; 5]>,
    /// What the row's share is of (for the description).
    pub(super) of: Option<String>,
}

/// The rows of one custom line item: one for a flat or CONSOLIDATED item; for an ITEMIZED
/// percentage item one per base line with a pro forma (the associated groups' rule-priced
/// lines under the item's filter, and associated flat items), its amount spread over them in
/// proportion (SPEC 2.4, 4.4), adding up to the amount rounded to 10 decimals. None: an
/// amount beyond exact decimals.
pub(super) fn item_rows(
    analysis: &Analysis,
    item: &CustomLineItem,
    amount: Decimal,
) -> Vec<Option<ItemRow>> {
    let one = || {
        vec![Some(ItemRow {
            value: round10(amount),
            base: None,
            of: None,
        })]
    };
    let Charge::Percentage { associated, .. } = &item.charge else {
        return one();
    };
    if item.computation != Computation::Itemized {
        return one();
    }
    let p = analysis.period;
    let mut parts: Vec<(Decimal, Option<[String; 5]>, String)> = Vec::new();
    for a in associated {
        if let Some(ag) = analysis.config.groups.iter().position(|gr| gr.arn == *a) {
            for &i in analysis.pricing.group_lines.of(Some(ag)) {
                let k = &analysis.lines[i].key;
                let pf = analysis.pricing.line_price[i].proforma;
                if pf.is_zero() || !filter_matches(item.filter.as_ref(), k) {
                    continue;
                }
                let of = format!("{} {} {}", k.account, k.product_code, k.usage_type);
                parts.push((
                    pf,
                    Some([
                        k.product_code.to_string(),
                        k.product_name.to_string(),
                        k.usage_type.to_string(),
                        k.operation.to_string(),
                        k.region.to_string(),
                    ]),
                    of,
                ));
            }
        } else if let Some(flat) = analysis
            .config
            .items
            .iter()
            .find(|i| i.arn == *a && i.active_in(p))
            && let Charge::Flat { value } = flat.charge
        {
            parts.push((flat.sign() * value, None, flat.name.clone()));
        }
    }
    if parts.iter().all(|(w, ..)| w.is_zero()) {
        return one();
    }
    let weights: Vec<Decimal> = parts.iter().map(|(w, ..)| *w).collect();
    let Some(values) = spread10(amount, &weights) else {
        return vec![None];
    };
    parts
        .into_iter()
        .zip(values)
        .map(|((_, base, of), value)| {
            Some(ItemRow {
                value,
                base,
                of: Some(of),
            })
        })
        .collect()
}

/// `2026-10-01T00:00:00Z`.
pub(super) fn month_start(p: BillingPeriod) -> String {
    format!("{:04}-{:02}-01T00:00:00Z", p.year(), p.month())
}

/// The cells of a custom line item row in the output layout.
#[allow(clippy::too_many_arguments)]
pub(super) fn item_cells(
    header: &[String],
    by_name: &FxHashMap<String, usize>,
    roles: &[Role],
    period: BillingPeriod,
    item: &CustomLineItem,
    account: &str,
    payer: &str,
    n: u64,
    row: &ItemRow,
) -> Vec<String> {
    let mut cells = vec![String::new(); header.len()];
    let value = text(row.value);
    for (j, r) in roles.iter().enumerate() {
        if *r == Role::Cost {
            cells[j] = value.clone();
        }
    }
    let start = month_start(period);
    let end = month_start(period.next());
    let (product_code, product_name, usage_type, operation, region) = match &row.base {
        Some([c, n, u, o, r]) => (c.clone(), n.clone(), u.clone(), o.clone(), r.clone()),
        None => (
            item.presentation_service.clone(),
            item.presentation_service.clone(),
            String::new(),
            String::new(),
            String::new(),
        ),
    };
    // What a customer reads: the item's description (never its internal name, as on a
    // statement), control characters shown escaped (visible, harmless).
    let description = crate::text::escape(&item.description, crate::text::Keep::Nothing);
    let description = match &row.of {
        Some(of) => format!(
            "{description} (share of {})",
            crate::text::escape(of, crate::text::Keep::Nothing)
        ),
        None => description.into_owned(),
    };
    let kind = match item.item_type {
        ItemType::Fee => "Fee",
        ItemType::Credit => "Credit",
    };
    let set: [(&str, String); 18] = [
        (
            "identity_line_item_id",
            // Stable per item without naming it: a hash of its ARN.
            format!(
                "proforma-{:016x}-{n}",
                xxhash_rust::xxh3::xxh3_64(item.arn.as_bytes())
            ),
        ),
        ("identity_time_interval", format!("{start}/{end}")),
        ("bill_billing_entity", "AWS".into()),
        ("bill_bill_type", "Anniversary".into()),
        ("bill_payer_account_id", payer.to_string()),
        ("bill_billing_period_start_date", start.clone()),
        ("bill_billing_period_end_date", end.clone()),
        ("line_item_usage_account_id", account.to_string()),
        ("line_item_line_item_type", kind.into()),
        ("line_item_usage_start_date", start.clone()),
        ("line_item_usage_end_date", end.clone()),
        ("line_item_product_code", product_code),
        ("line_item_usage_type", usage_type),
        ("line_item_operation", operation),
        ("line_item_currency_code", item.currency.clone()),
        ("line_item_line_item_description", description),
        ("product_product_name", product_name),
        ("product_region", region),
    ];
    for (name, v) in set {
        if let Some(&j) = by_name.get(name) {
            cells[j] = v;
        }
    }
    cells
}
