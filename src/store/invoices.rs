//! Billable and tax per invoice of each delivery in force (issue 12 item 1): what the month-end
//! tie-out (`reconcile --invoices FILE`, [`crate::month_end`]) compares with the invoices AWS
//! issued. One row per (payer, period, `bill/InvoiceId`, `bill/InvoicingEntity`) in table
//! `invoice_totals` (migration 13), written with the delivery and deleted with it when a new
//! delivery replaces it (`deliveries.rs`).
//!
//! What a delivery records:
//! - a file with an invoice id or invoicing entity column (legacy CSV / Parquet
//!   `bill/InvoiceId`, `bill/InvoicingEntity`; CUR 2.0 `bill_invoice_id`,
//!   `bill_invoicing_entity`; FOCUS `InvoiceId`, `InvoiceIssuerName`): its rows summed per
//!   (id, entity) as the import folds them; rows with an empty id (an open month, which AWS
//!   has not invoiced yet) under the id `''`, an absent entity as `''`;
//! - any other delivery (no such column, or a proforma cube from `cube-sql`, which carries
//!   none): one row with id and entity `''` holding the delivery's totals.
//!
//! So every delivery imported since migration 13 has at least one row; one imported before
//! has none until the same files are imported again ([`backfill`]).

use super::deliveries::{Delivery, DeliveryOutcome};
use super::{StoreError, Workspace};
use crate::period::BillingPeriod;
use rusqlite::{Transaction, params};
use rust_decimal::Decimal;

/// The CUR's sums for one invoice of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceTotal {
    /// `bill/InvoiceId`; empty for rows without one (not invoiced yet, or no such column).
    pub invoice_id: String,
    /// `bill/InvoicingEntity` (`Amazon Web Services, Inc.`); empty when not stated.
    pub entity: String,
    /// CUR rows summed.
    pub rows: u64,
    /// Unblended cost of every line item type except `Tax` (SPEC 4.5 AWSCost).
    pub billable: Decimal,
    /// Unblended cost of `Tax` rows.
    pub tax: Decimal,
}

impl InvoiceTotal {
    /// Billable + tax: the invoice's total, exact.
    pub fn total(&self) -> Decimal {
        self.billable + self.tax
    }
}

/// Writes the invoice rows of `d` (its delivery row is `s`) in the import's transaction; the
/// caller deleted the old ones.
pub(super) fn write(
    tx: &Transaction<'_>,
    d: &Delivery,
    s: &DeliveryOutcome,
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO invoice_totals (payer_id, period, invoice_id, entity, rows, billable, tax)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let period = d.period.to_string();
    let mut rows: Vec<_> = d
        .extract
        .invoices
        .iter()
        .filter(|(k, _)| k.period == d.period && k.payer == d.payer.as_str())
        .collect();
    if rows.is_empty() {
        insert.execute(params![
            d.payer,
            period,
            "",
            "",
            s.rows as i64,
            s.billable.to_string(),
            s.tax.to_string()
        ])?;
        return Ok(());
    }
    rows.sort_unstable_by(|a, b| {
        (&a.0.invoice_id, &a.0.entity).cmp(&(&b.0.invoice_id, &b.0.entity))
    });
    for (k, v) in rows {
        insert.execute(params![
            d.payer,
            period,
            k.invoice_id,
            k.entity,
            v.rows as i64,
            v.billable.to_string(),
            v.tax.to_string()
        ])?;
    }
    Ok(())
}

/// Writes the invoice rows of an unchanged delivery that has none (imported before they were
/// recorded): importing the same files again fills them in.
pub(super) fn backfill(
    tx: &Transaction<'_>,
    d: &Delivery,
    s: &DeliveryOutcome,
) -> Result<(), StoreError> {
    let have: i64 = tx.query_row(
        "SELECT count(*) FROM invoice_totals WHERE payer_id = ?1 AND period = ?2",
        params![d.payer, d.period.to_string()],
        |r| r.get(0),
    )?;
    if have == 0 {
        write(tx, d, s)?;
    }
    Ok(())
}

impl Workspace {
    /// The invoices of (`payer`, `period`)'s delivery in force, by invoice id then entity;
    /// empty when it has no delivery or was imported before invoices were recorded.
    ///
    /// # Errors
    /// The store's; an amount that is not a decimal.
    pub fn invoice_totals(
        &self,
        payer: &str,
        period: BillingPeriod,
    ) -> Result<Vec<InvoiceTotal>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT invoice_id, entity, rows, billable, tax FROM invoice_totals
             WHERE payer_id = ?1 AND period = ?2 ORDER BY invoice_id, entity",
        )?;
        let rows = stmt
            .query_map(params![payer, period.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(invoice_id, entity, n, b, t)| {
                Ok(InvoiceTotal {
                    invoice_id,
                    entity,
                    rows: u64::try_from(n).unwrap_or(0),
                    billable: super::decimal(&b)?,
                    tax: super::decimal(&t)?,
                })
            })
            .collect()
    }
}
