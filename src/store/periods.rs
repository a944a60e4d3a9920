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

    /// Account id → name as period `p` shows them: the names at its close while it is
    /// closed, else the current ones.
    ///
    /// # Errors
    /// The store's.
    pub fn account_names_at(
        &self,
        p: BillingPeriod,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let mut names: std::collections::HashMap<String, String> = self
            .accounts()?
            .into_iter()
            .filter_map(|a| a.name.map(|n| (a.id, n)))
            .collect();
        if self.is_closed(p)? {
            let mut stmt = self
                .conn()
                .prepare("SELECT account_id, name FROM closed_names WHERE period = ?1")?;
            let kept = stmt
                .query_map([p.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<(String, String)>, _>>()?;
            // A period closed before names were kept shows the current ones.
            if !kept.is_empty() {
                names = kept.into_iter().collect();
            }
        }
        Ok(names)
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
        // The names a closed period's statements show are the names at its close.
        tx.execute(
            "DELETE FROM closed_names WHERE period = ?1",
            [p.to_string()],
        )?;
        if closed {
            tx.execute(
                "INSERT INTO closed_names (period, account_id, name)
                 SELECT ?1, account_id, name FROM accounts WHERE name IS NOT NULL",
                [p.to_string()],
            )?;
        }
        tx.execute(
            "INSERT INTO audit_log (at, period, action, object, reason, session, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![now, p.to_string(), action, format!("period {p}"), text, self.session.id, self.session.origin],
        )?;
        tx.commit()?;
        Ok(())
    }
}
