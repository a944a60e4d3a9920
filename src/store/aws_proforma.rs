//! AWS's own pro forma of a billing group (issue 11 item 4): the amounts of the pro forma CUR
//! Billing Conductor exports for one group and period, kept beside proforma's computation so
//! the two can be compared. It is reference data, never billable data: nothing here is read by
//! the engine, the deliveries or the per-group totals kept ready.
//!
//! One record per (group ARN, period); importing again replaces it whole, as a delivery is
//! replaced (SPEC 1.2): the same amounts leave it unchanged (not even re-dated), other amounts
//! replace it, and a closed period refuses any change.

use super::{StoreError, Workspace, decimal, now_utc};
use crate::period::BillingPeriod;
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The amount of one (service, line item type) in AWS's pro forma: Σ `lineItem/UnblendedCost`
/// of its rows (in a pro forma CUR that column holds the pro forma cost).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsProformaLine {
    /// `lineItem/ProductCode` (`AmazonEC2`).
    pub product_code: String,
    /// `product/ProductName` as the file states it (may be empty: fees, credits).
    pub product_name: String,
    /// `lineItem/LineItemType` as the file spells it (`Usage`, `Fee`, `Tax`...).
    pub line_item_type: String,
    /// CUR rows summed.
    pub rows: u64,
    /// Exact sum, in `AwsProforma::currency`.
    pub amount: Decimal,
}

/// AWS's pro forma of one billing group for one period, as imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsProforma {
    pub group_arn: String,
    pub period: BillingPeriod,
    /// When it was imported (UTC, ISO 8601); set by the store.
    pub imported_at: String,
    /// The file it came from (absolute path), its size in bytes, xxh3-128 hash and format.
    pub source_path: String,
    pub size: u64,
    pub hash: String,
    pub format: String,
    /// CUR rows read.
    pub rows: u64,
    /// ISO 4217 code of the amounts (`lineItem/CurrencyCode`, USD when absent).
    pub currency: String,
    /// By (product code, product name, line item type), sorted, each key once.
    pub lines: Vec<AwsProformaLine>,
}

impl AwsProforma {
    /// What decides whether a re-import changes anything: the amounts and the currency (not
    /// the file's name or date), as a hex xxh3-128.
    pub fn fingerprint(&self) -> String {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let mut part = |s: &str| {
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        part(&self.currency);
        part(&self.rows.to_string());
        for l in &self.lines {
            part(&l.product_code);
            part(&l.product_name);
            part(&l.line_item_type);
            part(&l.rows.to_string());
            part(&l.amount.normalize().to_string());
        }
        format!("{:032x}", h.digest128())
    }
}

/// What an AWS pro forma import did to the stored record of its (group, period).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsProformaStatus {
    /// None was stored.
    New,
    /// One with other amounts was stored; it is replaced whole.
    Replaced,
    /// The same amounts were stored already; nothing was written.
    Unchanged,
}

impl Workspace {
    /// Stores `p` as its group's AWS pro forma for its period, replacing the one stored, in
    /// one transaction.
    ///
    /// # Errors
    /// [`StoreError::ClosedPeriod`] when the period is closed and `p` would change it (same
    /// rule as deliveries, SPEC 1.2); SQLite errors.
    pub fn put_aws_proforma(&mut self, p: &AwsProforma) -> Result<AwsProformaStatus, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let period = p.period.to_string();
        let fingerprint = p.fingerprint();
        let old: Option<String> = tx
            .query_row(
                "SELECT fingerprint FROM aws_proforma WHERE group_arn = ?1 AND period = ?2",
                params![p.group_arn, period],
                |r| r.get(0),
            )
            .optional()?;
        let status = match old {
            Some(f) if f == fingerprint => return Ok(AwsProformaStatus::Unchanged),
            Some(_) => AwsProformaStatus::Replaced,
            None => AwsProformaStatus::New,
        };
        let closed: bool = tx
            .query_row(
                "SELECT closed FROM periods WHERE period = ?1",
                [&period],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false);
        if closed {
            return Err(StoreError::ClosedPeriod(p.period));
        }
        tx.execute(
            "DELETE FROM aws_proforma_lines WHERE group_arn = ?1 AND period = ?2",
            params![p.group_arn, period],
        )?;
        tx.execute(
            "DELETE FROM aws_proforma WHERE group_arn = ?1 AND period = ?2",
            params![p.group_arn, period],
        )?;
        tx.execute(
            "INSERT INTO aws_proforma (group_arn, period, fingerprint, imported_at, source_path,
                 size, hash, format, rows, currency)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                p.group_arn,
                period,
                fingerprint,
                now_utc(),
                p.source_path,
                p.size as i64,
                p.hash,
                p.format,
                p.rows as i64,
                p.currency
            ],
        )?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO aws_proforma_lines (group_arn, period, product_code, product_name,
                     line_item_type, rows, amount)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for l in &p.lines {
                stmt.execute(params![
                    p.group_arn,
                    period,
                    l.product_code,
                    l.product_name,
                    l.line_item_type,
                    l.rows as i64,
                    l.amount.to_string()
                ])?;
            }
        }
        tx.commit()?;
        Ok(status)
    }

    /// Every group's AWS pro forma stored for `period`, by group ARN.
    ///
    /// # Errors
    /// SQLite errors; [`StoreError::BadStoredNumber`] for an amount that is not a decimal.
    pub fn aws_proforma(
        &self,
        period: BillingPeriod,
    ) -> Result<BTreeMap<String, AwsProforma>, StoreError> {
        let p = period.to_string();
        let mut out: BTreeMap<String, AwsProforma> = BTreeMap::new();
        let mut stmt = self.conn().prepare_cached(
            "SELECT group_arn, imported_at, source_path, size, hash, format, rows, currency
             FROM aws_proforma WHERE period = ?1 ORDER BY group_arn",
        )?;
        let heads = stmt.query_map([&p], |r| {
            Ok(AwsProforma {
                group_arn: r.get(0)?,
                period,
                imported_at: r.get(1)?,
                source_path: r.get(2)?,
                size: r.get::<_, i64>(3)?.max(0) as u64,
                hash: r.get(4)?,
                format: r.get(5)?,
                rows: r.get::<_, i64>(6)?.max(0) as u64,
                currency: r.get(7)?,
                lines: Vec::new(),
            })
        })?;
        for h in heads {
            let h = h?;
            out.insert(h.group_arn.clone(), h);
        }
        if out.is_empty() {
            return Ok(out);
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT group_arn, product_code, product_name, line_item_type, rows, amount
             FROM aws_proforma_lines WHERE period = ?1
             ORDER BY group_arn, product_code, product_name, line_item_type",
        )?;
        let rows = stmt.query_map([&p], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        for row in rows {
            let (arn, code, name, lit, n, amount) = row?;
            if let Some(head) = out.get_mut(&arn) {
                head.lines.push(AwsProformaLine {
                    product_code: code,
                    product_name: name,
                    line_item_type: lit,
                    rows: n.max(0) as u64,
                    amount: decimal(&amount)?,
                });
            }
        }
        Ok(out)
    }
}
