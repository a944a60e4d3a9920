//! Closing and reopening billing periods (SPEC 3): a closed period's configuration and data are
//! frozen; reopening needs a reason. Both are audited.

use super::config::ConfigError;
use super::{StoreError, Workspace, now_utc};
use crate::period::BillingPeriod;
use rusqlite::{OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodStatus {
    pub period: BillingPeriod,
    pub closed: bool,
    pub note: Option<String>,
    pub changed_at: Option<String>,
}

impl Workspace {
    pub fn period_status(&self, p: BillingPeriod) -> Result<PeriodStatus, StoreError> {
        let row: Option<(bool, Option<String>, String)> = self
            .conn()
            .query_row(
                "SELECT closed, note, changed_at FROM periods WHERE period = ?1",
                [p.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(match row {
            Some((closed, note, at)) => PeriodStatus {
                period: p,
                closed,
                note,
                changed_at: Some(at),
            },
            None => PeriodStatus {
                period: p,
                closed: false,
                note: None,
                changed_at: None,
            },
        })
    }

    pub fn is_closed(&self, p: BillingPeriod) -> Result<bool, StoreError> {
        Ok(self.period_status(p)?.closed)
    }

    /// Closes a period with a note.
    pub fn close_period(&mut self, p: BillingPeriod, note: &str) -> Result<(), ConfigError> {
        if self.is_closed(p)? {
            return Err(ConfigError::Nothing(format!("{p} is already closed")));
        }
        self.set_closed(p, true, note, "close")
    }

    /// Reopens a closed period; the reason is required and audited.
    pub fn reopen_period(&mut self, p: BillingPeriod, reason: &str) -> Result<(), ConfigError> {
        if reason.trim().is_empty() {
            return Err(ConfigError::Nothing(
                "reopening a period needs a reason".into(),
            ));
        }
        if !self.is_closed(p)? {
            return Err(ConfigError::Nothing(format!("{p} is not closed")));
        }
        self.set_closed(p, false, reason, "reopen")
    }

    fn set_closed(
        &mut self,
        p: BillingPeriod,
        closed: bool,
        text: &str,
        action: &str,
    ) -> Result<(), ConfigError> {
        let now = now_utc();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO periods (period, closed, note, changed_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (period) DO UPDATE SET closed = excluded.closed, note = excluded.note, changed_at = excluded.changed_at",
            params![p.to_string(), closed, text, now],
        )?;
        tx.execute(
            "INSERT INTO audit_log (at, period, action, object, reason, session, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![now, p.to_string(), action, format!("period {p}"), text, self.session.id, self.session.origin],
        )?;
        tx.commit()?;
        Ok(())
    }
}
