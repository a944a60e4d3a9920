//! What a replaced delivery changed (issue 12 item 2): when a (payer, period) is imported
//! again with different files (AWS restated the month, or a late delivery completed it), the
//! old and new billable and tax per (usage account, service code) are kept beside the audit
//! entry of the import, before the old rows are deleted. `reconcile`'s delivery check and the
//! Reconcile tab list the largest changes.

use super::chunks::{CHUNK_FORMAT, ChunkId, decode};
use super::{StoreError, Workspace};
use crate::cur::{PackedAccount, StoredLine};
use crate::period::BillingPeriod;
use rusqlite::{Transaction, params};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use ustr::Ustr;

/// One (account, service code) whose amounts a replacement changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestatedLine {
    /// When the replacing delivery was imported (UTC, RFC 3339).
    pub replaced_at: String,
    pub account: String,
    /// `lineItem/ProductCode`.
    pub service: String,
    /// Billable (SPEC 4.5: unblended cost of every line item type but `Tax`) before / after.
    pub billable_before: Decimal,
    pub billable_after: Decimal,
    /// `Tax` lines' unblended cost before / after.
    pub tax_before: Decimal,
    pub tax_after: Decimal,
}

impl RestatedLine {
    /// After minus before, billable and tax together.
    pub fn change(&self) -> Decimal {
        (self.billable_after + self.tax_after) - (self.billable_before + self.tax_before)
    }
}

/// (billable, tax) per (account, service code).
type Totals = BTreeMap<(String, String), (Decimal, Decimal)>;

fn add_lines(lines: &[StoredLine], into: &mut Totals) {
    for l in lines {
        let (b, t) = l.key.line_item_type.billable_and_tax(l.sums.unblended_cost);
        let e = into
            .entry((l.key.account.to_string(), l.key.product_code.to_string()))
            .or_default();
        e.0 += b;
        e.1 += t;
    }
}

/// Records what replacing the delivery of (`payer`, `period`) by `new` changes, per (account,
/// service code), in the import's transaction (before the old rows are deleted). Only pairs
/// whose billable or tax changed are kept.
///
/// # Errors
/// The store's; a chunk that does not decode.
pub(crate) fn record<'a>(
    tx: &Transaction<'_>,
    payer: &str,
    period: BillingPeriod,
    now: &str,
    new: impl Iterator<Item = (&'a Ustr, &'a PackedAccount)>,
) -> Result<usize, StoreError> {
    let payer_u = Ustr::from(payer);
    let mut before = Totals::new();
    let mut lines = Vec::new();
    {
        let mut stmt = tx.prepare(
            "SELECT account_id, format, data FROM cost_chunks WHERE payer_id = ?1 AND period = ?2",
        )?;
        let mut rows = stmt.query(params![payer, period.to_string()])?;
        while let Some(r) = rows.next()? {
            let account: String = r.get(0)?;
            let format: i64 = r.get(1)?;
            let data = r.get_ref(2)?.as_blob().map_err(rusqlite::Error::from)?;
            lines.clear();
            decode(
                ChunkId {
                    period,
                    payer: payer_u,
                    account: Ustr::from(&account),
                    format,
                    data,
                },
                &mut lines,
            )?;
            add_lines(&lines, &mut before);
        }
    }
    let mut after = Totals::new();
    for (account, packed) in new {
        lines.clear();
        decode(
            ChunkId {
                period,
                payer: payer_u,
                account: *account,
                format: CHUNK_FORMAT,
                data: &packed.data,
            },
            &mut lines,
        )?;
        add_lines(&lines, &mut after);
    }
    let mut keys: Vec<&(String, String)> = before.keys().chain(after.keys()).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut insert = tx.prepare_cached(
        "INSERT INTO restatements (payer_id, period, replaced_at, account_id, product_code,
                                   billable_before, billable_after, tax_before, tax_after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut n = 0;
    for k in keys {
        let b = before.get(k).copied().unwrap_or_default();
        let a = after.get(k).copied().unwrap_or_default();
        if a == b {
            continue;
        }
        insert.execute(params![
            payer,
            period.to_string(),
            now,
            k.0,
            k.1,
            b.0.to_string(),
            a.0.to_string(),
            b.1.to_string(),
            a.1.to_string()
        ])?;
        n += 1;
    }
    Ok(n)
}

impl Workspace {
    /// What the import of the delivery in force of (`payer`, `period`) changed when it
    /// replaced the one before, per (account, service code), largest |change| first. Empty
    /// when that import replaced nothing, changed no billable or tax amount, or was made
    /// before this was recorded (never an earlier replacement's changes).
    ///
    /// # Errors
    /// The store's; an amount that is not a decimal.
    pub fn restatements(
        &self,
        payer: &str,
        period: BillingPeriod,
    ) -> Result<Vec<RestatedLine>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT r.replaced_at, r.account_id, r.product_code, r.billable_before,
                    r.billable_after, r.tax_before, r.tax_after
             FROM restatements r
             JOIN deliveries d ON d.payer_id = r.payer_id AND d.period = r.period
                              AND d.imported_at = r.replaced_at
             WHERE r.payer_id = ?1 AND r.period = ?2",
        )?;
        let dec = |s: String| {
            s.parse::<Decimal>().map_err(|_| {
                StoreError::BadChunk(format!("restated amount '{s}' is not a decimal"))
            })
        };
        let rows = stmt
            .query_map(params![payer, period.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (at, account, service, bb, ba, tb, ta) in rows {
            out.push(RestatedLine {
                replaced_at: at,
                account,
                service,
                billable_before: dec(bb)?,
                billable_after: dec(ba)?,
                tax_before: dec(tb)?,
                tax_after: dec(ta)?,
            });
        }
        out.sort_by(|a, b| {
            b.change()
                .abs()
                .cmp(&a.change().abs())
                .then_with(|| a.account.cmp(&b.account))
                .then_with(|| a.service.cmp(&b.service))
        });
        Ok(out)
    }
}
