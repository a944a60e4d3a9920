//! What month-end reads from the audit log and the delivery records (issue 12): the last
//! close of a period, the changes made since, and where a delivery in force came from.

use super::{AuditRow, StoreError, Workspace};
use crate::period::BillingPeriod;
use rusqlite::{OptionalExtension, params};

/// The newest `close` entry of a period in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseEntry {
    /// The entry's audit id: changes with a larger id came after the close.
    pub audit_id: i64,
    /// When it was closed (UTC, RFC 3339).
    pub at: String,
    /// The note given when closing.
    pub note: Option<String>,
}

/// A file a delivery in force was read from, as recorded at import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverySource {
    pub path: String,
    pub imported_at: String,
    /// Rows of the file that belong to this delivery.
    pub rows: u64,
}

fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        id: r.get(0)?,
        at: r.get(1)?,
        period: r.get(2)?,
        action: r.get(3)?,
        object: r.get(4)?,
        before: r.get(5)?,
        after: r.get(6)?,
        reason: r.get(7)?,
        kind: r.get(8)?,
        arn: r.get(9)?,
    })
}

impl Workspace {
    /// The newest `close` entry of period `p` (None: never closed).
    ///
    /// # Errors
    /// The store's, when the log cannot be read.
    pub fn last_close(&self, p: BillingPeriod) -> Result<Option<CloseEntry>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT audit_id, at, reason FROM audit_log
                 WHERE action = 'close' AND period = ?1 ORDER BY audit_id DESC LIMIT 1",
                [p.to_string()],
                |r| {
                    Ok(CloseEntry {
                        audit_id: r.get(0)?,
                        at: r.get(1)?,
                        note: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Changes to the configuration (and closes and reopens) logged after audit id `after`
    /// that reach period `upto` (made in it or an earlier period, SPEC 3: an edit made in P
    /// takes effect from P on; or tied to no period), oldest first: at most `limit` of them,
    /// and how many there are in all. Imports of deliveries and accounts are not changes to
    /// the configuration and are left out.
    ///
    /// # Errors
    /// The store's, when the log cannot be read.
    pub fn changes_since(
        &self,
        after: i64,
        upto: BillingPeriod,
        limit: usize,
    ) -> Result<(Vec<AuditRow>, u64), StoreError> {
        const WHERE: &str =
            "audit_id > ?1 AND action <> 'import' AND (period IS NULL OR period <= ?2)";
        let conn = self.conn();
        let total: i64 = conn.query_row(
            &format!("SELECT count(*) FROM audit_log WHERE {WHERE}"),
            params![after, upto.to_string()],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare(&format!(
            "SELECT audit_id, at, period, action, object, before, after, reason, kind, arn
             FROM audit_log WHERE {WHERE} ORDER BY audit_id LIMIT ?3"
        ))?;
        let rows = stmt.query_map(
            params![
                after,
                upto.to_string(),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            audit_row,
        )?;
        Ok((
            rows.collect::<Result<_, _>>()?,
            u64::try_from(total).unwrap_or(0),
        ))
    }

    /// Every import entry of the delivery of (`payer`, `period`), newest first: the first is
    /// the import that put the delivery in force; an entry with `before` replaced an earlier
    /// delivery (whose summary `before` holds as JSON: rows, billable, tax, days, time).
    ///
    /// # Errors
    /// The store's, when the log cannot be read.
    pub fn delivery_imports(
        &self,
        payer: &str,
        period: BillingPeriod,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT audit_id, at, period, action, object, before, after, reason, kind, arn
             FROM audit_log WHERE action = 'import' AND period = ?1 AND object = ?2
             ORDER BY audit_id DESC",
        )?;
        let rows = stmt.query_map(
            params![period.to_string(), format!("delivery {payer} {period}")],
            audit_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The files the delivery in force of (`payer`, `period`) was read from.
    ///
    /// # Errors
    /// The store's, when the records cannot be read.
    pub fn delivery_sources(
        &self,
        payer: &str,
        period: BillingPeriod,
    ) -> Result<Vec<DeliverySource>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT i.source_path, i.imported_at, f.rows FROM delivery_files f
             JOIN imports i ON i.import_id = f.import_id
             WHERE f.payer_id = ?1 AND f.period = ?2 ORDER BY i.source_path",
        )?;
        let rows = stmt.query_map(params![payer, period.to_string()], |r| {
            Ok(DeliverySource {
                path: r.get(0)?,
                imported_at: r.get(1)?,
                rows: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
