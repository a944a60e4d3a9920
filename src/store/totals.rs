//! Per-group totals kept ready (ARCHITECTURE "Data that stays lean at reseller scale"): the
//! totals of every billing group of a period's state, stored after a full pricing, so one
//! group's report reads only its accounts' lines and still foots against the whole invoice.
//!
//! A stored snapshot is only a shortcut: it carries the fingerprint of everything its numbers
//! depend on (the build, the configuration priced, the deliveries in force), and a reader uses
//! it only when the fingerprint it computes now is the same.

use super::{StoreError, Workspace};
use crate::period::BillingPeriod;
use rusqlite::{OptionalExtension, params};

impl Workspace {
    /// The stored snapshot of a period's state (`baseline` or `scenario:<id>`) when its
    /// fingerprint is `fingerprint`; None when there is none or it is stale.
    pub fn ready_totals(
        &self,
        period: BillingPeriod,
        state: &str,
        fingerprint: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT body FROM group_totals WHERE period = ?1 AND state = ?2 AND fingerprint = ?3",
                params![period.to_string(), state, fingerprint],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Stores a snapshot, replacing the state's previous one. Best effort: a workspace that
    /// is read-only here, or busy with another process's write for more than a moment, keeps
    /// what it has (the next full pricing stores it); returns whether it was stored.
    pub fn keep_totals(
        &self,
        period: BillingPeriod,
        state: &str,
        fingerprint: &str,
        body: &str,
    ) -> bool {
        if self.is_read_only() {
            return false;
        }
        let conn = self.conn();
        // A report never waits long behind an import for a shortcut.
        if conn
            .busy_timeout(std::time::Duration::from_millis(50))
            .is_err()
        {
            return false;
        }
        let stored = conn.execute(
            "INSERT OR REPLACE INTO group_totals (period, state, fingerprint, body)
             VALUES (?1, ?2, ?3, ?4)",
            params![period.to_string(), state, fingerprint, body],
        );
        let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
        match stored {
            Ok(_) => true,
            Err(e) => {
                tracing::debug!("per-group totals not kept: {e}");
                false
            }
        }
    }

    /// What a period's numbers depend on in the store, as text for a fingerprint: each
    /// payer's delivery in force (its files' fingerprint, import time and currency).
    pub fn deliveries_stamp(&self, period: BillingPeriod) -> Result<String, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT payer_id, fingerprint, imported_at, currency FROM deliveries
             WHERE period = ?1 ORDER BY payer_id",
        )?;
        let rows = stmt.query_map([period.to_string()], |r| {
            Ok(format!(
                "{}:{}:{}:{}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?
            ))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?.join(";"))
    }

    /// A hash of every scenario and its drafted objects: what other processes change without
    /// an audit entry (the TUI compares it to tell a real change from a cache write).
    pub fn drafts_stamp(&self) -> Result<u128, StoreError> {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let mut stmt = self.conn().prepare_cached(
            "SELECT s.scenario_id, s.name, s.period, o.kind, o.arn, o.body, o.base_audit
             FROM scenarios s LEFT JOIN scenario_objects o ON o.scenario_id = s.scenario_id
             ORDER BY s.scenario_id, o.kind, o.arn",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            for i in 0..7 {
                let v = format!("{:?}", r.get_ref(i)?);
                h.update(&(v.len() as u64).to_le_bytes());
                h.update(v.as_bytes());
            }
        }
        Ok(h.digest128())
    }
}
