//! Scenarios (SPEC 3): a named draft of one period's configuration, stored as the objects that
//! differ from the baseline. Editing a scenario never touches the baseline; promoting applies
//! its differences to the baseline as one audited change; discarding drops it.

use super::config::{Change, ConfigError, Object, Seen, Stale};
use super::{StoreError, Workspace, now_utc};
use crate::model::{Config, Kind, ValidationContext, validate};
use crate::period::BillingPeriod;
use rusqlite::{OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub id: i64,
    pub name: String,
    pub period: BillingPeriod,
    /// How many objects differ from the baseline.
    pub changes: usize,
}

fn kind_text(k: Kind) -> &'static str {
    k.arn_type()
}

impl Workspace {
    pub fn scenarios(&self) -> Result<Vec<Scenario>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT s.scenario_id, s.name, s.period, COUNT(o.arn) FROM scenarios s
             LEFT JOIN scenario_objects o ON o.scenario_id = s.scenario_id
             GROUP BY s.scenario_id ORDER BY s.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, period, n) = row?;
            let period = period
                .parse()
                .map_err(|_| StoreError::BadStoredNumber(period.clone()))?;
            out.push(Scenario {
                id,
                name,
                period,
                changes: n as usize,
            });
        }
        Ok(out)
    }

    /// A new, empty scenario over the baseline of `period`.
    pub fn create_scenario(
        &mut self,
        name: &str,
        period: BillingPeriod,
    ) -> Result<Scenario, ConfigError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ConfigError::Nothing("a scenario needs a name".into()));
        }
        let exists: Option<i64> = self
            .conn()
            .query_row(
                "SELECT scenario_id FROM scenarios WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Err(ConfigError::Nothing(format!(
                "RESOURCE_NAME_CONFLICT: a scenario named '{name}' exists"
            )));
        }
        self.conn().execute(
            "INSERT INTO scenarios (name, period, created_at) VALUES (?1, ?2, ?3)",
            params![name, period.to_string(), now_utc()],
        )?;
        Ok(Scenario {
            id: self.conn().last_insert_rowid(),
            name: name.to_string(),
            period,
            changes: 0,
        })
    }

    /// A new scenario named `name` that starts as a copy of scenario `from` (issue 14 item 1):
    /// the same period and the same differences from the baseline (each with the baseline it
    /// was drafted against, so promoting the copy checks as promoting the original would).
    /// From then on the two change independently. One transaction: the copy is whole or
    /// absent.
    ///
    /// # Errors
    /// An empty name, a name taken (`RESOURCE_NAME_CONFLICT`), no scenario `from`; the store's.
    pub fn copy_scenario(&mut self, from: i64, name: &str) -> Result<Scenario, ConfigError> {
        let Some(source) = self.scenarios()?.into_iter().find(|s| s.id == from) else {
            return Err(ConfigError::Nothing(
                "no such scenario to copy (it may have been promoted or discarded)".into(),
            ));
        };
        let conn = self.conn();
        conn.execute_batch("SAVEPOINT copy_scenario")?;
        let result = (|| {
            let copy = self.create_scenario(name, source.period)?;
            self.conn().execute(
                "INSERT INTO scenario_objects (scenario_id, kind, arn, body, base_audit)
                 SELECT ?1, kind, arn, body, base_audit FROM scenario_objects
                 WHERE scenario_id = ?2",
                params![copy.id, from],
            )?;
            Ok(Scenario {
                changes: source.changes,
                ..copy
            })
        })();
        match result {
            Ok(copy) => {
                self.conn().execute_batch("RELEASE copy_scenario")?;
                Ok(copy)
            }
            Err(e) => {
                // The error is what matters; a failed rollback leaves nothing written either.
                let _ = self
                    .conn()
                    .execute_batch("ROLLBACK TO copy_scenario; RELEASE copy_scenario");
                Err(e)
            }
        }
    }

    /// The scenario's configuration: the baseline of its period with its differences applied.
    pub fn scenario_config(&self, id: i64) -> Result<Config, StoreError> {
        let period: String = self.conn().query_row(
            "SELECT period FROM scenarios WHERE scenario_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        let period: BillingPeriod = period
            .parse()
            .map_err(|_| StoreError::BadStoredNumber(period.clone()))?;
        let mut config = self.config_at(period)?;
        let mut stmt = self
            .conn()
            .prepare("SELECT kind, arn, body FROM scenario_objects WHERE scenario_id = ?1")?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        for row in rows {
            let (kind, arn, body) = row?;
            match body {
                Some(body) => config.put(Object::from_stored(&kind, &body)?),
                None => {
                    if let Ok(k) = kind.parse() {
                        config.remove(k, &arn);
                    }
                }
            }
        }
        config.canonicalize();
        Ok(config)
    }

    /// Changes a scenario (never the baseline), after checking the scenario's configuration.
    pub fn scenario_change(&mut self, id: i64, change: &Change) -> Result<(), ConfigError> {
        self.scenario_changes(id, std::slice::from_ref(change))
    }

    /// Several changes to a scenario as one: checked together (the configuration after all of
    /// them must be valid) and written in one transaction, or none is (a bulk account
    /// assignment moves accounts out of some groups and into another).
    pub fn scenario_changes(&mut self, id: i64, changes: &[Change]) -> Result<(), ConfigError> {
        let mut config = self.scenario_config(id)?;
        // The same change rules as the baseline (delete conflicts, locked fields).
        super::config::check_changes(&config, changes)?;
        for change in changes {
            config.apply(change);
        }
        let ctx = ValidationContext {
            allow_missing_sources: true,
            ..self.validation_context()?
        };
        validate(&config, &ctx).map_err(ConfigError::Invalid)?;
        // The baseline as of now is what this draft of the object is based on (a promote
        // refuses if the baseline object changed after it).
        let base_audit = self.last_audit_id()?;
        // A savepoint: one write whether or not a transaction is already open (a save
        // checked against what the form saw runs inside one).
        let conn = self.conn();
        conn.execute_batch("SAVEPOINT scenario_changes")?;
        let written = changes.iter().try_for_each(|change| {
            let (kind, arn, body) = match change {
                Change::Put(o) => (o.kind(), o.arn().to_string(), Some(o.body_json())),
                Change::Delete { kind, arn } => (*kind, arn.clone(), None),
            };
            conn.execute(
                "INSERT INTO scenario_objects (scenario_id, kind, arn, body, base_audit)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (scenario_id, kind, arn)
                 DO UPDATE SET body = excluded.body, base_audit = excluded.base_audit",
                params![id, kind_text(kind), arn, body, base_audit],
            )
            .map(|_| ())
        });
        match written {
            Ok(()) => conn.execute_batch("RELEASE scenario_changes")?,
            Err(e) => {
                // The error is what matters; a failed rollback leaves nothing written either.
                let _ =
                    conn.execute_batch("ROLLBACK TO scenario_changes; RELEASE scenario_changes");
                return Err(StoreError::from(e).into());
            }
        }
        Ok(())
    }

    /// What a form editing scenario `id` sees of an object: its body in the scenario (the
    /// baseline with the scenario's differences), as JSON in `Seen::versions` (`null`: absent).
    pub fn scenario_seen(&self, id: i64, kind: Kind, arn: &str) -> Result<Seen, StoreError> {
        let config = self.scenario_config(id)?;
        let body = Object::all(&config)
            .into_iter()
            .find(|o| o.kind() == kind && o.arn() == arn)
            .map_or_else(|| "null".to_string(), |o| o.body_json());
        Ok(Seen {
            kind,
            arn: arn.to_string(),
            versions: body,
            audit_id: self.last_audit_id()?,
        })
    }

    /// `scenario_change`, refusing with `ConfigError::Stale` (nothing written) when the
    /// object differs from what `seen` (from `scenario_seen`) saw: another window changed the
    /// scenario, or the baseline under it. Check and write are one IMMEDIATE transaction.
    pub fn scenario_change_seen(
        &mut self,
        id: i64,
        change: &Change,
        seen: Option<&Seen>,
    ) -> Result<(), ConfigError> {
        self.conn().execute_batch("BEGIN IMMEDIATE")?;
        let result = (|| {
            if let Some(seen) = seen {
                let now = self.scenario_seen(id, seen.kind, &seen.arn)?;
                if now.versions != seen.versions {
                    let current = match now.versions.as_str() {
                        "null" => None,
                        body => Some(Object::from_stored(seen.kind.arn_type(), body)?),
                    };
                    let by = self.last_change_by_others(seen.kind, &seen.arn, seen.audit_id)?;
                    return Err(ConfigError::Stale(Box::new(Stale {
                        kind: seen.kind,
                        arn: seen.arn.clone(),
                        current,
                        by,
                        seen_now: now,
                    })));
                }
            }
            self.scenario_change(id, change)
        })();
        match result {
            Ok(()) => {
                self.conn().execute_batch("COMMIT")?;
                Ok(())
            }
            Err(e) => {
                // The error is what matters; a failed rollback leaves nothing written either.
                let _ = self.conn().execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Applies the scenario's differences to the baseline from its period on (one audited
    /// batch), then removes the scenario.
    pub fn promote_scenario(&mut self, id: i64) -> Result<usize, ConfigError> {
        let s = self
            .scenarios()?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| ConfigError::Nothing("no such scenario".into()))?;
        let target = self.scenario_config(id)?;
        let base = self.config_at(s.period)?;
        let mut changes = Vec::new();
        let target_objects = Object::all(&target);
        for o in Object::all(&base) {
            if !target_objects
                .iter()
                .any(|t| t.kind() == o.kind() && t.arn() == o.arn())
            {
                changes.push(Change::Delete {
                    kind: o.kind(),
                    arn: o.arn().to_string(),
                });
            }
        }
        let base_objects = Object::all(&base);
        for o in target_objects {
            if !base_objects.contains(&o) {
                changes.push(Change::Put(o));
            }
        }
        // The baseline change and the scenario's removal commit together; first, in the same
        // transaction, a baseline object the scenario changed must not have changed since the
        // scenario drafted it: promoting would silently write over that change (issue 8 item 5).
        let name = s.name.clone();
        self.apply_changes_checked_and(
            s.period,
            &changes,
            Some(&format!("promote scenario '{}'", s.name)),
            |tx| baseline_unchanged_since_drafted(tx, id, &name),
            |tx| {
                tx.execute("DELETE FROM scenarios WHERE scenario_id = ?1", [id])?;
                Ok(())
            },
        )
    }

    pub fn discard_scenario(&mut self, id: i64) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM scenarios WHERE scenario_id = ?1", [id])?;
        Ok(())
    }
}

/// Refuses (`ConfigError::Refused`, naming the object, who and when) when a baseline object
/// that scenario `id` changed was changed in the baseline after the scenario's change to it.
fn baseline_unchanged_since_drafted(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    scenario: &str,
) -> Result<(), ConfigError> {
    let mut stmt = tx.prepare(
        "SELECT a.audit_id, a.at, a.action, a.object, a.period, a.origin, a.session
         FROM scenario_objects s
         JOIN audit_log a ON a.kind = s.kind AND a.arn = s.arn AND a.audit_id > s.base_audit
         WHERE s.scenario_id = ?1 AND s.base_audit IS NOT NULL
         ORDER BY a.audit_id DESC LIMIT 1",
    )?;
    let found = stmt.query_row([id], super::session::outside).optional()?;
    match found {
        None => Ok(()),
        Some(o) => Err(ConfigError::Refused(format!(
            "not promoted, nothing was changed: {} was changed in the baseline ({}, by {}) after scenario '{scenario}' changed it; promoting would write over that change. Open the scenario, look at the object again and save it there, then promote",
            o.object,
            o.action,
            o.who_when()
        ))),
    }
}
