//! The checks of a priced period that the Reconcile tab shows (and month-end builds on): each
//! compares an expected number with the one found, exactly. Computed from an [`Analysis`]
//! alone; screens and reports only format them.

use crate::analysis::Analysis;
use rust_decimal::Decimal;

/// A number a check compares: an amount (None: not applicable) or a count of rows or items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measured {
    Money(Option<Decimal>),
    Count(u64),
}

/// One check: what it checks, the expected and found numbers, whether they agree, and a note
/// (what stood in, which types, which items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Stable key: a payer id, a group name, or the check's name.
    pub key: String,
    pub what: String,
    pub expected: Measured,
    pub found: Measured,
    pub ok: bool,
    /// Shown instead of "ok"/"MISMATCH" when there is more to say.
    pub note: Option<String>,
}

/// Every check of `data`, in order: the invoice tie-out per payer, rows without a public
/// price, unknown line item types, custom line items in another currency, and per group that
/// its explanation adds up to its pro forma (SPEC 4, 5).
pub fn period_checks(data: &Analysis) -> Vec<Check> {
    let p = &data.pricing;
    let mut out = Vec::new();
    // The invoice as summarised at import (an independent path) against the engine's totals.
    let single_payer = data.payers.len() == 1;
    for payer in &data.payers {
        let invoice = data.invoices.get(payer).copied().unwrap_or_default();
        let parts: Decimal = if single_payer {
            p.groups.iter().map(|g| g.aws_cost + g.tax).sum::<Decimal>()
                + p.unmonitored.aws_cost
                + p.unmonitored.tax
        } else {
            data.lines
                .iter()
                .filter(|l| l.key.payer == *payer)
                .map(|l| l.sums.unblended_cost)
                .sum()
        };
        out.push(Check {
            key: payer.clone(),
            // Groups + unmonitored + tax against the invoice summarised at import.
            what: format!("payer {payer} invoice ties out"),
            expected: Measured::Money(Some(invoice)),
            found: Measured::Money(Some(parts)),
            ok: invoice == parts,
            note: None,
        });
    }
    let d = &p.diagnostics;
    out.push(Check {
        key: "no-public-price".into(),
        what: "rows without a public price".into(),
        expected: Measured::Count(0),
        found: Measured::Count(d.no_public_price_rows),
        ok: d.no_public_price_rows == 0,
        note: (d.no_public_price_rows > 0).then(|| {
            format!(
                "unblended {} stood in",
                crate::money::fmt_grouped(d.no_public_price_cost)
            )
        }),
    });
    let unknown: u64 = d.unknown_types.values().map(|(n, _)| *n).sum();
    out.push(Check {
        key: "unknown-types".into(),
        what: "unknown line item types".into(),
        expected: Measured::Count(0),
        found: Measured::Count(unknown),
        ok: unknown == 0,
        note: (unknown > 0).then(|| {
            d.unknown_types
                .keys()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }),
    });
    // Flat custom line items charged in another currency than the period's are never added
    // to its amounts (SPEC 5): reports refuse them; this says which.
    let problems = data.item_currency_problems();
    out.push(Check {
        key: "item-currency".into(),
        what: "custom line items in another currency".into(),
        expected: Measured::Count(0),
        found: Measured::Count(problems.len() as u64),
        ok: problems.is_empty(),
        note: (!problems.is_empty()).then(|| problems.join("; ")),
    });
    // Exact equality decides; the numbers shown are the group's pro forma as the other tabs
    // show it and the sum of the explanation's parts as the explanation shows them.
    let shown = data.shown_invoice();
    for (g, group) in data.config.groups.iter().enumerate() {
        // A level-2 transfer's group holds nothing in this computation: nothing to check.
        if !data.listed_group(g) {
            continue;
        }
        let e = data.explain(g, &[]);
        let ok = e.sum_of_parts() == p.groups[g].proforma();
        let row = shown.groups[g];
        let parts = e.shown(row.aws, row.proforma.unwrap_or_default());
        let found: Decimal = parts.parts.iter().chain(&parts.items).sum();
        out.push(Check {
            key: group.name.clone(),
            what: format!("{}: explanation adds up", group.name),
            expected: Measured::Money(row.proforma),
            found: Measured::Money(Some(if ok { found } else { e.sum_of_parts() })),
            ok,
            note: None,
        });
    }
    out
}
