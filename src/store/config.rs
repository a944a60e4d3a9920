//! Configuration versioned by billing period (SPEC 3). A change made for period P applies from
//! P onward (replacing whatever later versions said) and leaves earlier periods as they were;
//! every change is validated against the whole configuration and audited, in one transaction.

use super::{StoreError, Workspace, now_utc};
use crate::model::{
    Charge, Config, Kind, ObjectError, Reason, ValidationContext, Violation, Violations, validate,
};
use crate::period::BillingPeriod;
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::BTreeSet;

// Objects and changes are the model's (SPEC 2); the store persists them.
pub use crate::model::{Change, Object};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the configuration was not changed:\n{0}")]
    Invalid(Violations),
    #[error(
        "{0} is closed: its configuration and results are frozen (reopen it with a reason first)"
    )]
    Closed(BillingPeriod),
    #[error("{0}")]
    Nothing(String),
    /// Undo or redo refused: another session changed the object since, or the result would
    /// not be a valid configuration. Nothing was changed.
    #[error("{0}")]
    Refused(String),
    /// A form's object was changed (or deleted) by another session since the form opened;
    /// nothing was saved.
    #[error("{0}")]
    Stale(Box<Stale>),
    #[error(
        "the workspace changed while the import was being checked; nothing was written, run it again"
    )]
    Changed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ObjectError> for ConfigError {
    fn from(e: ObjectError) -> Self {
        ConfigError::Store(e.into())
    }
}

impl ConfigError {
    /// The message for people: a write that waited out the busy timeout (5 s) behind another
    /// process's write says so instead of SQLite's "database is locked".
    pub fn explain(&self) -> String {
        // StoreError::Busy says it in people's words already.
        self.to_string()
    }
}

/// What a form saw of its object when it opened: the object's whole version history, as the
/// audit log stores it, and the newest audit entry then. Saving with it refuses to write over a
/// change made since by another session (issue 8, item 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub kind: Kind,
    pub arn: String,
    /// The version history as JSON (`[[valid_from, valid_to, body], ...]`; `[]`: no object).
    pub versions: String,
    pub audit_id: i64,
}

/// The object as another session left it, when it differs from what a form saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub kind: Kind,
    pub arn: String,
    /// The object in force in the form's period now; None: deleted (from that period on).
    pub current: Option<Object>,
    /// The newest change to it by another session (who and when), if the log names one.
    pub by: Option<super::session::Outside>,
    /// The object's history now: saving with this as `Seen` overwrites knowingly.
    pub seen_now: Seen,
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match &self.current {
            Some(o) => format!("{} '{}' was changed", self.kind.label(), o.name()),
            None => format!("this {} was deleted", self.kind.label()),
        };
        match &self.by {
            Some(b) => write!(f, "{what} by {} since this window read it", b.who_when()),
            None => write!(f, "{what} by another session since this window read it"),
        }
    }
}

impl From<rusqlite::Error> for ConfigError {
    fn from(e: rusqlite::Error) -> Self {
        ConfigError::Store(e.into())
    }
}

fn kind_of(text: &str) -> Option<Kind> {
    text.parse().ok()
}

fn load_at(tx: &rusqlite::Connection, p: BillingPeriod) -> Result<Config, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT kind, body FROM config_versions
         WHERE valid_from <= ?1 AND (valid_to IS NULL OR valid_to > ?1)
         ORDER BY kind, arn",
    )?;
    let mut rows = stmt.query([p.to_string()])?;
    let mut config = Config::default();
    while let Some(r) = rows.next()? {
        let kind: String = r.get(0)?;
        let body: String = r.get(1)?;
        config.push(Object::from_stored(&kind, &body)?);
    }
    config.canonicalize();
    Ok(config)
}

impl Workspace {
    /// The configuration in force for period `p`.
    pub fn config_at(&self, p: BillingPeriod) -> Result<Config, StoreError> {
        load_at(self.conn(), p)
    }

    /// Payers with data: validation needs them (ILLEGAL_PRIMARY_ACCOUNT, primary view sources).
    pub fn validation_context(&self) -> Result<ValidationContext, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT DISTINCT payer_id FROM deliveries")?;
        let payers = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<BTreeSet<_>, _>>()?;
        // Ids of other clouds' accounts (FOCUS data): billing groups may hold them.
        let mut stmt = self.conn().prepare_cached(
            "SELECT account_id FROM accounts WHERE NOT (length(account_id) = 12 \
             AND account_id NOT GLOB '*[^0-9]*')",
        )?;
        let other_accounts = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<BTreeSet<_>, _>>()?;
        Ok(ValidationContext {
            payers,
            allow_missing_sources: false,
            other_accounts,
        })
    }

    /// Applies changes from period `p` onward, in one transaction, after checking them and the
    /// resulting configuration in every period they reach.
    pub fn apply_changes(
        &mut self,
        p: BillingPeriod,
        changes: &[Change],
        reason: Option<&str>,
    ) -> Result<usize, ConfigError> {
        self.apply_changes_and(p, changes, reason, |_| Ok(()))
    }

    /// `apply_changes`, with more writes (`also`) in the same transaction.
    pub(crate) fn apply_changes_and(
        &mut self,
        p: BillingPeriod,
        changes: &[Change],
        reason: Option<&str>,
        also: impl FnOnce(&Transaction<'_>) -> Result<(), StoreError>,
    ) -> Result<usize, ConfigError> {
        self.apply_changes_inner(p, changes, reason, &[], |_| Ok(()), also)
    }

    /// `apply_changes_and`, with `check` run first inside the same IMMEDIATE transaction: its
    /// error refuses the whole change (nothing written).
    pub(crate) fn apply_changes_checked_and(
        &mut self,
        p: BillingPeriod,
        changes: &[Change],
        reason: Option<&str>,
        check: impl FnOnce(&Transaction<'_>) -> Result<(), ConfigError>,
        also: impl FnOnce(&Transaction<'_>) -> Result<(), StoreError>,
    ) -> Result<usize, ConfigError> {
        self.apply_changes_inner(p, changes, reason, &[], check, also)
    }

    /// `apply_changes`, refusing with `ConfigError::Stale` (and writing nothing) when an
    /// object in `seen` has changed since it was seen: the check and the write are one
    /// IMMEDIATE transaction, so no other process can slip in between.
    pub fn apply_changes_seen(
        &mut self,
        p: BillingPeriod,
        changes: &[Change],
        reason: Option<&str>,
        seen: &[Seen],
    ) -> Result<usize, ConfigError> {
        self.apply_changes_inner(p, changes, reason, seen, |_| Ok(()), |_| Ok(()))
    }

    /// What a form sees of an object now (see `Seen`).
    pub fn seen(&self, kind: Kind, arn: &str) -> Result<Seen, StoreError> {
        seen(self.conn(), kind, arn)
    }

    fn apply_changes_inner(
        &mut self,
        p: BillingPeriod,
        changes: &[Change],
        reason: Option<&str>,
        expected: &[Seen],
        check: impl FnOnce(&Transaction<'_>) -> Result<(), ConfigError>,
        also: impl FnOnce(&Transaction<'_>) -> Result<(), StoreError>,
    ) -> Result<usize, ConfigError> {
        let ctx = ValidationContext {
            allow_missing_sources: true,
            ..self.validation_context()?
        };
        // IMMEDIATE: the write lock first, so a concurrent writer makes this wait (busy
        // timeout) instead of failing with "database is locked" after reading.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        check(&tx)?;
        for e in expected {
            let now = seen(&tx, e.kind, &e.arn)?;
            if now.versions != e.versions {
                let h: History = serde_json::from_str(&now.versions).unwrap_or_default();
                let current = in_force(&h, p)
                    .map(|body| Object::from_stored(e.kind.arn_type(), body))
                    .transpose()?;
                let by = super::session::last_change_by_others(
                    &tx,
                    &self.session.id,
                    e.kind.arn_type(),
                    &e.arn,
                    e.audit_id,
                )?;
                return Err(ConfigError::Stale(Box::new(Stale {
                    kind: e.kind,
                    arn: e.arn.clone(),
                    current,
                    by,
                    seen_now: now,
                })));
            }
        }
        check_open(&tx, p)?;
        let before = load_at(&tx, p)?;
        check_changes(&before, changes)?;
        let n = write_changes(&tx, p, changes, reason, &self.session)?;
        validate_from(&tx, p, &ctx)?;
        also(&tx)?;
        tx.commit()?;
        Ok(n)
    }

    /// Makes `config` the configuration from `p` onward: objects it lacks are removed from `p`
    /// on, changed and new ones are written, identical ones are left alone (so importing the
    /// same configuration twice changes nothing). All or nothing. Custom line items that start
    /// before `p` are written from `p` like everything else (see `plan_config_import` for
    /// the import that honours their start).
    pub fn replace_config(
        &mut self,
        p: BillingPeriod,
        config: &Config,
        reason: Option<&str>,
    ) -> Result<usize, ConfigError> {
        Ok(self
            .validated_import(p, config, false, reason, true)?
            .changes)
    }

    /// What importing `config` from `p` would do (SPEC 3), computed in a transaction that is
    /// rolled back: nothing is written. With `backdate`, a custom line item that starts before
    /// `p` and is not in force in the first period with cost data from its start on is written
    /// from that period (touching periods before `p`); without it, everything is written from
    /// `p`.
    ///
    /// Errors: `Invalid` (SPEC 2 violations, in any period the import reaches), `Closed` (the
    /// import would change a closed period, or write at or before one).
    pub fn plan_config_import(
        &mut self,
        p: BillingPeriod,
        config: &Config,
        backdate: bool,
    ) -> Result<ImportPlan, ConfigError> {
        self.validated_import(p, config, backdate, None, false)
    }

    /// Validates `config` (SPEC 2), stages it as the configuration from `p` in one IMMEDIATE
    /// transaction, and commits it (`commit`) or rolls it back (a plan).
    fn validated_import(
        &mut self,
        p: BillingPeriod,
        config: &Config,
        backdate: bool,
        reason: Option<&str>,
        commit: bool,
    ) -> Result<ImportPlan, ConfigError> {
        let ctx = self.validation_context()?;
        if let Err(v) = validate(config, &ctx) {
            return Err(ConfigError::Invalid(v));
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let staged = stage_import(&tx, p, config, backdate, reason, &ctx, &self.session)?;
        if commit {
            tx.commit()?;
        } else {
            tx.rollback()?;
        }
        Ok(staged)
    }

    /// Carries out an import planned with `plan_config_import`, in one transaction; refuses
    /// (`ConfigError::Changed`, nothing written) when the workspace changed since the plan so
    /// that the import would now do something else than what was shown.
    pub fn commit_config_import(
        &mut self,
        plan: &ImportPlan,
        config: &Config,
        reason: Option<&str>,
    ) -> Result<usize, ConfigError> {
        let ctx = self.validation_context()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let staged = stage_import(
            &tx,
            plan.period,
            config,
            plan.backdate,
            reason,
            &ctx,
            &self.session,
        )?;
        if staged.periods != plan.periods {
            return Err(ConfigError::Changed);
        }
        tx.commit()?;
        Ok(staged.changes)
    }
}

/// What a configuration import does: the periods whose configuration it changes, each with
/// the objects added, changed and removed there and the configuration before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    /// The period the import is for (`--from-period`, or its default).
    pub period: BillingPeriod,
    /// Whether custom line items starting before `period` are written from their start.
    pub backdate: bool,
    /// How many object changes are written (0: the import changes nothing).
    pub changes: usize,
    /// Every period, in order, whose configuration in force changes; only periods with cost
    /// data, a closed period, `period` itself and periods where some version starts or ends
    /// are considered (the configuration is constant between those).
    pub periods: Vec<PeriodChange>,
}

/// How one period's configuration changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodChange {
    pub period: BillingPeriod,
    /// Objects (kind, name) new in the period.
    pub added: Vec<(Kind, String)>,
    /// Objects (kind, name) whose content changes.
    pub changed: Vec<(Kind, String)>,
    /// Objects (kind, name) no longer in force.
    pub removed: Vec<(Kind, String)>,
    pub before: Config,
    pub after: Config,
    pub closed: bool,
}

impl ImportPlan {
    /// The change of the import's own period, if any.
    pub fn at_period(&self) -> Option<&PeriodChange> {
        self.periods.iter().find(|c| c.period == self.period)
    }
}

/// Periods where the configuration can differ from the month before, plus the periods with
/// data and the closed ones: comparing these is enough to see every change.
fn candidate_periods(
    tx: &Transaction<'_>,
    extra: &[BillingPeriod],
) -> Result<BTreeSet<BillingPeriod>, StoreError> {
    let mut out: BTreeSet<BillingPeriod> = extra.iter().copied().collect();
    let mut stmt = tx.prepare_cached(
        "SELECT period FROM deliveries
         UNION SELECT period FROM periods WHERE closed = 1
         UNION SELECT valid_from FROM config_versions
         UNION SELECT valid_to FROM config_versions WHERE valid_to IS NOT NULL",
    )?;
    for text in stmt.query_map([], |r| r.get::<_, String>(0))? {
        if let Ok(q) = text?.parse::<BillingPeriod>() {
            out.insert(q);
        }
    }
    Ok(out)
}

fn diff_configs(before: &Config, after: &Config) -> PeriodChangeLists {
    let old = Object::all(before);
    let new = Object::all(after);
    let mut lists = PeriodChangeLists::default();
    for o in &new {
        match old
            .iter()
            .find(|x| x.kind() == o.kind() && x.arn() == o.arn())
        {
            None => lists.added.push((o.kind(), o.name().to_string())),
            Some(x) if x != o => lists.changed.push((o.kind(), o.name().to_string())),
            Some(_) => {}
        }
    }
    for x in &old {
        if !new
            .iter()
            .any(|o| o.kind() == x.kind() && o.arn() == x.arn())
        {
            lists.removed.push((x.kind(), x.name().to_string()));
        }
    }
    lists
}

#[derive(Default)]
struct PeriodChangeLists {
    added: Vec<(Kind, String)>,
    changed: Vec<(Kind, String)>,
    removed: Vec<(Kind, String)>,
}

/// Writes `config` as the configuration from `p` on inside `tx` (not committed) and returns
/// what that changed in every period.
fn stage_import(
    tx: &Transaction<'_>,
    p: BillingPeriod,
    config: &Config,
    backdate: bool,
    reason: Option<&str>,
    ctx: &ValidationContext,
    session: &super::session::Session,
) -> Result<ImportPlan, ConfigError> {
    let candidates = candidate_periods(tx, &[p])?;
    let data_periods: BTreeSet<BillingPeriod> = {
        let mut stmt = tx.prepare_cached("SELECT DISTINCT period FROM deliveries")?;
        stmt.query_map([], |r| r.get::<_, String>(0))?
            .filter_map(|t| t.ok().and_then(|t| t.parse().ok()))
            .collect()
    };
    let mut before_at = Vec::with_capacity(candidates.len());
    for q in &candidates {
        before_at.push((*q, load_at(tx, *q)?));
    }
    let before = load_at(tx, p)?;
    let mut changes = Vec::new();
    let new_objects = Object::all(config);
    let new_arns: BTreeSet<(Kind, &str)> =
        new_objects.iter().map(|o| (o.kind(), o.arn())).collect();
    for old in Object::all(&before) {
        if !new_arns.contains(&(old.kind(), old.arn())) {
            changes.push(Change::Delete {
                kind: old.kind(),
                arn: old.arn().to_string(),
            });
        }
    }
    let old_objects = Object::all(&before);
    // Custom line items whose billing period range starts before p and that are not in force
    // at their start: with `backdate` they are written from their start.
    let mut early: Vec<(BillingPeriod, Change)> = Vec::new();
    for o in new_objects {
        if let (true, Object::Item(item)) = (backdate, &o) {
            // From the first period with data it reaches before p: earlier months have no
            // pro forma to change.
            // (`range` panics on a reversed range, hence the guard.)
            let first = (item.start < p)
                .then(|| data_periods.range(item.start..p).next())
                .flatten();
            if let Some(&q) = first {
                if load_at(tx, q)?.item(&item.arn).is_none() {
                    early.push((q, Change::Put(o)));
                    continue;
                }
            }
        }
        if !old_objects.contains(&o) || has_later_versions(tx, &o, p)? {
            changes.push(Change::Put(o));
        }
    }
    let first = early.iter().map(|(s, _)| *s).min().unwrap_or(p).min(p);
    if !changes.is_empty() || !early.is_empty() {
        check_open(tx, first)?;
    }
    let batch = next_batch(tx)?;
    let mut n = write_changes_in(tx, p, &changes, reason, batch, session)?;
    for (s, c) in &early {
        n += write_changes_in(tx, *s, std::slice::from_ref(c), reason, batch, session)?;
    }
    validate_from(tx, first, ctx)?;
    let closed: BTreeSet<String> = {
        let mut stmt = tx.prepare_cached("SELECT period FROM periods WHERE closed = 1")?;
        stmt.query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<_, _>>()?
    };
    let mut periods = Vec::new();
    for (q, old) in before_at {
        let new = load_at(tx, q)?;
        if new != old {
            let lists = diff_configs(&old, &new);
            periods.push(PeriodChange {
                period: q,
                added: lists.added,
                changed: lists.changed,
                removed: lists.removed,
                before: old,
                after: new,
                closed: closed.contains(&q.to_string()),
            });
        }
    }
    if let Some(c) = periods.iter().find(|c| c.closed) {
        return Err(ConfigError::Closed(c.period));
    }
    Ok(ImportPlan {
        period: p,
        backdate,
        changes: n,
        periods,
    })
}

fn has_later_versions(
    tx: &Transaction<'_>,
    o: &Object,
    p: BillingPeriod,
) -> Result<bool, StoreError> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM config_versions WHERE kind = ?1 AND arn = ?2 AND valid_from > ?3 LIMIT 1",
            params![o.kind().arn_type(), o.arn(), p.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Rules about a change itself rather than the resulting state (SPEC 2.3, 2.4).
pub(crate) fn check_changes(before: &Config, changes: &[Change]) -> Result<(), ConfigError> {
    let mut out = Vec::new();
    let deleting: BTreeSet<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Delete { arn, .. } => Some(arn.as_str()),
            Change::Put(_) => None,
        })
        .collect();
    for c in changes {
        match c {
            Change::Delete {
                kind: Kind::PricingPlan,
                arn,
            } => {
                for g in before
                    .groups
                    .iter()
                    .filter(|g| g.plan == *arn && !deleting.contains(g.arn.as_str()))
                {
                    out.push(Violation {
                        reason: Reason::PricingPlanAttachedToBillingGroupDeleteConflict,
                        field: format!("pricing plan '{}'", before.plan_name(arn)),
                        message: format!("billing group '{}' uses it", g.name),
                    });
                }
            }
            Change::Delete {
                kind: Kind::PricingRule,
                arn,
            } => {
                for p in before
                    .plans
                    .iter()
                    .filter(|p| p.rules.contains(arn) && !deleting.contains(p.arn.as_str()))
                {
                    out.push(Violation {
                        reason: Reason::PricingRuleAttachedToPricingPlanDeleteConflict,
                        field: format!(
                            "pricing rule '{}'",
                            before.rule(arn).map_or(arn.as_str(), |r| r.name.as_str())
                        ),
                        message: format!("pricing plan '{}' holds it", p.name),
                    });
                }
            }
            Change::Put(Object::Item(new)) => {
                if let Some(old) = before.item(&new.arn) {
                    let same_kind = matches!(
                        (&old.charge, &new.charge),
                        (Charge::Flat { .. }, Charge::Flat { .. })
                            | (Charge::Percentage { .. }, Charge::Percentage { .. })
                    );
                    if old.item_type != new.item_type || !same_kind {
                        out.push(Violation {
                            reason: Reason::IllegalCustomlineitemUpdate,
                            field: format!("custom line item '{}'.ChargeDetails", new.name),
                            message: "the type (FEE/CREDIT) and the charge kind (flat/percentage) cannot change".into(),
                        });
                    }
                }
            }
            Change::Put(Object::Group(new)) => {
                if let Some(old) = before.group(&new.arn) {
                    if old.primary_account == new.primary_account
                        && !new.accounts.contains(&new.primary_account)
                    {
                        out.push(Violation {
                            reason: Reason::PrimaryCannotDisassociate,
                            field: format!("billing group '{}'.Accounts", new.name),
                            message: format!(
                                "the primary account {} cannot be removed",
                                new.primary_account
                            ),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::Invalid(Violations(out)))
    }
}

/// All versions of one object: (valid_from, valid_to, body), oldest first.
type History = Vec<(String, Option<String>, String)>;

fn history(
    tx: &rusqlite::Connection,
    kind: impl AsRef<str>,
    arn: &str,
) -> Result<History, StoreError> {
    let kind = kind.as_ref();
    let mut stmt = tx.prepare_cached(
        "SELECT valid_from, valid_to, body FROM config_versions WHERE kind = ?1 AND arn = ?2 ORDER BY valid_from",
    )?;
    let rows = stmt.query_map(params![kind, arn], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn seen(conn: &rusqlite::Connection, kind: Kind, arn: &str) -> Result<Seen, StoreError> {
    Ok(Seen {
        kind,
        arn: arn.to_string(),
        versions: history_json(&history(conn, kind.arn_type(), arn)?),
        audit_id: conn.query_row(
            "SELECT COALESCE(MAX(audit_id), 0) FROM audit_log",
            [],
            |r| r.get(0),
        )?,
    })
}

/// The body in force in period `p`, from a version history.
fn in_force(h: &History, p: BillingPeriod) -> Option<&String> {
    let p = p.to_string();
    h.iter()
        .find(|(from, to, _)| *from <= p && to.as_ref().is_none_or(|t| *t > p))
        .map(|(_, _, body)| body)
}

fn set_history(tx: &Transaction<'_>, kind: &str, arn: &str, h: &History) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM config_versions WHERE kind = ?1 AND arn = ?2",
        params![kind, arn],
    )?;
    for (from, to, body) in h {
        tx.execute(
            "INSERT INTO config_versions (kind, arn, valid_from, valid_to, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![kind, arn, from, to, body],
        )?;
    }
    Ok(())
}

fn history_json(h: &History) -> String {
    serde_json::to_string(h).unwrap_or_default()
}

/// Refuses changes that would reach a closed period: `p` itself or any later one.
fn check_open(tx: &Transaction<'_>, p: BillingPeriod) -> Result<(), ConfigError> {
    let closed: Option<String> = tx
        .query_row(
            "SELECT period FROM periods WHERE closed = 1 AND period >= ?1 ORDER BY period LIMIT 1",
            [p.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    match closed.and_then(|c| c.parse().ok()) {
        Some(c) => Err(ConfigError::Closed(c)),
        None => Ok(()),
    }
}

/// Writes changes from `p` onward as one batch and audits each with the object's version
/// history before and after (what undo and redo restore); returns how many were written.
fn write_changes(
    tx: &Transaction<'_>,
    p: BillingPeriod,
    changes: &[Change],
    reason: Option<&str>,
    session: &super::session::Session,
) -> Result<usize, StoreError> {
    if changes.is_empty() {
        return Ok(0);
    }
    let batch = next_batch(tx)?;
    write_changes_in(tx, p, changes, reason, batch, session)
}

/// The number of the next audit batch (one undo step).
fn next_batch(tx: &Transaction<'_>) -> Result<i64, StoreError> {
    Ok(tx.query_row(
        "SELECT COALESCE(MAX(batch), 0) + 1 FROM audit_log",
        [],
        |r| r.get(0),
    )?)
}

/// `write_changes` into a given audit batch (an import writing at several periods is still
/// one undo step), as `session`.
fn write_changes_in(
    tx: &Transaction<'_>,
    p: BillingPeriod,
    changes: &[Change],
    reason: Option<&str>,
    batch: i64,
    session: &super::session::Session,
) -> Result<usize, StoreError> {
    if changes.is_empty() {
        return Ok(0);
    }
    let period = p.to_string();
    let now = now_utc();
    // A new change ends the chance to redo what this session undid before it (and what
    // sessions that have ended undid: it would have adopted those); another open window keeps
    // its own redo. (Idempotent: a batch written at several periods runs it more than once.)
    for (b, undoer, _) in undone(tx)? {
        if undoer.as_deref() == Some(session.id.as_str())
            || !super::session::is_open(undoer.as_deref())
        {
            tx.execute(
                "UPDATE audit_log SET undo_state = 2 WHERE batch = ?1 AND undo_state = 1",
                [b],
            )?;
        }
    }
    for c in changes {
        let (kind, arn, object_label) = match c {
            Change::Put(o) => (
                o.kind(),
                o.arn().to_string(),
                format!("{} {}", o.kind().label(), o.name()),
            ),
            Change::Delete { kind, arn } => (*kind, arn.clone(), String::new()),
        };
        let before: Option<String> = tx
            .query_row(
                "SELECT body FROM config_versions WHERE kind = ?1 AND arn = ?2
                 AND valid_from <= ?3 AND (valid_to IS NULL OR valid_to > ?3)",
                params![kind.arn_type(), arn, period],
                |r| r.get(0),
            )
            .optional()?;
        // A deleted object is named as people know it (its name in force), not by ARN.
        let object_label = if object_label.is_empty() {
            let name = before
                .as_deref()
                .and_then(|b| Object::from_stored(kind.arn_type(), b).ok())
                .map(|o| o.name().to_string());
            match name {
                Some(n) => format!("{} {n}", kind.label()),
                None => format!("{} {arn}", kind.label()),
            }
        } else {
            object_label
        };
        let versions_before = history(tx, kind.arn_type(), &arn)?;
        // From p on, this change decides: drop later versions, end the one in force before p.
        tx.execute(
            "DELETE FROM config_versions WHERE kind = ?1 AND arn = ?2 AND valid_from >= ?3",
            params![kind.arn_type(), arn, period],
        )?;
        tx.execute(
            "UPDATE config_versions SET valid_to = ?3
             WHERE kind = ?1 AND arn = ?2 AND valid_from < ?3 AND (valid_to IS NULL OR valid_to > ?3)",
            params![kind.arn_type(), arn, period],
        )?;
        let (action, after) = match c {
            Change::Put(o) => {
                let body = o.body_json();
                tx.execute(
                    "INSERT INTO config_versions (kind, arn, valid_from, valid_to, body) VALUES (?1, ?2, ?3, NULL, ?4)",
                    params![kind.arn_type(), arn, period, body],
                )?;
                (if before.is_some() { "edit" } else { "create" }, Some(body))
            }
            Change::Delete { .. } => ("delete", None),
        };
        let versions_after = history(tx, kind.arn_type(), &arn)?;
        tx.execute(
            "INSERT INTO audit_log (at, period, action, object, before, after, reason, kind, arn, batch, versions_before, versions_after, session, origin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                now,
                period,
                action,
                object_label,
                before,
                after,
                reason,
                kind.arn_type(),
                arn,
                batch,
                history_json(&versions_before),
                history_json(&versions_after),
                session.id,
                session.origin
            ],
        )?;
    }
    Ok(changes.len())
}

/// What an undo or redo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoOutcome {
    pub period: BillingPeriod,
    /// The audit labels of the changes undone or redone.
    pub objects: Vec<String>,
}

impl Workspace {
    /// Undoes the latest batch of configuration changes still applied.
    pub fn undo(&mut self) -> Result<UndoOutcome, ConfigError> {
        self.undo_redo(true)
    }

    /// Redoes the batch undone last, unless a new change came after it.
    pub fn redo(&mut self) -> Result<UndoOutcome, ConfigError> {
        self.undo_redo(false)
    }

    /// What `undo` (true) or `redo` would change now, changing nothing: the batch's objects
    /// and its first period; None when there is nothing this session could undo (redo), in
    /// which case `undo` (`redo`) says why.
    pub fn undo_preview(&self, undo: bool) -> Result<Option<UndoOutcome>, ConfigError> {
        let me = self.session.id.clone();
        let tx = self.conn.unchecked_transaction()?;
        let picked = if undo {
            pick_undo(&tx, &me)?
        } else {
            pick_redo(&tx, &me)?
        };
        let Pick::Batch(batch, _) = picked else {
            return Ok(None);
        };
        let mut stmt =
            tx.prepare("SELECT period, object FROM audit_log WHERE batch = ?1 ORDER BY audit_id")?;
        let rows: Vec<(String, String)> = stmt
            .query_map([batch], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let Some(period) = rows.iter().filter_map(|(p, _)| p.parse().ok()).min() else {
            return Ok(None);
        };
        Ok(Some(UndoOutcome {
            period,
            objects: rows.into_iter().map(|(_, o)| o).collect(),
        }))
    }

    fn undo_redo(&mut self, undo: bool) -> Result<UndoOutcome, ConfigError> {
        let ctx = ValidationContext {
            allow_missing_sources: true,
            ..self.validation_context()?
        };
        let me = self.session.id.clone();
        let origin = self.session.origin.clone();
        let verb = if undo { "undo" } else { "redo" };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let picked = if undo {
            pick_undo(&tx, &me)?
        } else {
            pick_redo(&tx, &me)?
        };
        let (batch, since) = match picked {
            Pick::Batch(b, since) => (b, since),
            Pick::Nothing => return Err(ConfigError::Nothing(format!("nothing to {verb}"))),
            Pick::OthersOnly => {
                return Err(ConfigError::Nothing(if undo {
                    "nothing to undo in this window: the latest changes were made in another \
                     window that is still open (undo them there)"
                        .to_string()
                } else {
                    "nothing to redo in this window: the changes to redo were undone in another \
                     window that is still open (redo them there)"
                        .to_string()
                }));
            }
        };
        type Entry = (i64, String, String, String, String, String, String);
        let entries: Vec<Entry> = {
            let mut stmt = tx.prepare(
                "SELECT audit_id, period, kind, arn, object, versions_before, versions_after
                 FROM audit_log WHERE batch = ?1 ORDER BY audit_id",
            )?;
            let rows = stmt.query_map([batch], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let period: BillingPeriod = entries
            .iter()
            .filter_map(|e| e.1.parse().ok())
            .min()
            .ok_or_else(|| ConfigError::Nothing("the change has no period".into()))?;
        check_open(&tx, period)?;
        // Each object must be exactly as this change left it (undo) or found it (redo):
        // otherwise someone changed it since, and restoring would silently overwrite that.
        let mut checked: BTreeSet<(&str, &str)> = BTreeSet::new();
        let ordered: Vec<&Entry> = if undo {
            entries.iter().rev().collect()
        } else {
            entries.iter().collect()
        };
        for (_, _, kind, arn, object, before, after) in &ordered {
            if !checked.insert((kind.as_str(), arn.as_str())) {
                continue;
            }
            let expected = if undo { after } else { before };
            if history_json(&history(&tx, kind, arn)?) != *expected {
                let by = super::session::last_change_by_others(&tx, &me, kind, arn, since)?;
                let who = by.map_or_else(
                    || "another session".to_string(),
                    |b| format!("{} ({})", b.who_when(), b.action),
                );
                // Name the change that was to be undone, so the refusal says which one.
                let (action, at): (String, String) = tx.query_row(
                    "SELECT action, at FROM audit_log WHERE batch = ?1 ORDER BY audit_id LIMIT 1",
                    [batch],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                return Err(ConfigError::Refused(format!(
                    "not {}: the change to {} ({action} of {object}, {} UTC) is older than a change \
                     to {object} by {who}; {} would overwrite that. Nothing was changed.",
                    if undo { "undone" } else { "redone" },
                    if undo { "undo" } else { "redo" },
                    at.replace('T', " ").trim_end_matches('Z'),
                    if undo { "undoing" } else { "redoing" }
                )));
            }
        }
        let bad = |e: serde_json::Error| StoreError::BadStoredNumber(format!("audit history: {e}"));
        for (_, _, kind, arn, _, before, after) in &ordered {
            let h: History =
                serde_json::from_str(if undo { before } else { after }).map_err(bad)?;
            set_history(&tx, kind, arn, &h)?;
        }
        // Other sessions' changes to other objects may rely on what this one made.
        match validate_from(&tx, period, &ctx) {
            Ok(()) => {}
            Err(ConfigError::Invalid(v)) => {
                return Err(ConfigError::Refused(format!(
                    "not {}: the configuration would not be valid afterwards (changed since by \
                     another session?); nothing was changed:\n{v}",
                    if undo { "undone" } else { "redone" }
                )));
            }
            Err(e) => return Err(e),
        }
        let now = now_utc();
        let objects: Vec<String> = entries.iter().map(|e| e.4.clone()).collect();
        // One object: the undo entry names it, so another window's refusal can say who.
        let (one_kind, one_arn) = match checked.iter().next() {
            Some((k, a)) if checked.len() == 1 => (Some(k.to_string()), Some(a.to_string())),
            _ => (None, None),
        };
        // One change undone or redone: its entry shows the object before and after, as the
        // change's own entry does (the History tab's before/after panel).
        let (shown_before, shown_after): (Option<String>, Option<String>) = match entries.as_slice()
        {
            [(audit_id, ..)] => {
                let (b, a): (Option<String>, Option<String>) = tx.query_row(
                    "SELECT before, after FROM audit_log WHERE audit_id = ?1",
                    [audit_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                if undo { (a, b) } else { (b, a) }
            }
            _ => (None, None),
        };
        tx.execute(
            "INSERT INTO audit_log (at, period, action, object, kind, arn, session, origin, before, after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                now,
                period.to_string(),
                verb,
                objects.join(", "),
                one_kind,
                one_arn,
                me,
                origin,
                shown_before,
                shown_after
            ],
        )?;
        let entry = tx.last_insert_rowid();
        if undo {
            tx.execute(
                "UPDATE audit_log SET undo_state = 1, undone_by = ?2 WHERE batch = ?1",
                params![batch, entry],
            )?;
        } else {
            // A redone change belongs to the window that redid it.
            tx.execute(
                "UPDATE audit_log SET undo_state = 0, undone_by = NULL, session = ?2, origin = ?3
                 WHERE batch = ?1",
                params![batch, me, origin],
            )?;
        }
        tx.commit()?;
        Ok(UndoOutcome { period, objects })
    }
}

/// Which batch an undo or redo takes.
enum Pick {
    /// The batch, and the audit id after which other sessions' changes to it count.
    Batch(i64, i64),
    Nothing,
    /// Only batches of other windows still open.
    OthersOnly,
}

/// Undo takes this session's newest applied change; when it has none, the newest change of a
/// session that has ended (a closed window, a finished CLI command: undo works after a
/// restart); never a change of another window still open.
fn pick_undo(tx: &Transaction<'_>, me: &str) -> Result<Pick, StoreError> {
    let mut stmt = tx.prepare(
        "SELECT batch, session, MAX(audit_id) FROM audit_log
         WHERE batch IS NOT NULL AND undo_state = 0 GROUP BY batch ORDER BY batch DESC",
    )?;
    let rows: Vec<(i64, Option<String>, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(pick(&rows, me))
}

/// Redo takes the change this session undid last; when it has none, one undone by a session
/// that has ended.
fn pick_redo(tx: &Transaction<'_>, me: &str) -> Result<Pick, StoreError> {
    let rows: Vec<(i64, Option<String>, i64)> = undone(tx)?
        .into_iter()
        .map(|(b, s, by)| (b, s, by.unwrap_or(0)))
        .collect();
    Ok(pick(&rows, me))
}

fn pick(rows: &[(i64, Option<String>, i64)], me: &str) -> Pick {
    if let Some((b, _, since)) = rows.iter().find(|r| r.1.as_deref() == Some(me)) {
        return Pick::Batch(*b, *since);
    }
    let mut open: std::collections::HashMap<Option<&str>, bool> = Default::default();
    for (b, s, since) in rows {
        let is_open = *open
            .entry(s.as_deref())
            .or_insert_with(|| super::session::is_open(s.as_deref()));
        if !is_open {
            return Pick::Batch(*b, *since);
        }
    }
    if rows.is_empty() {
        Pick::Nothing
    } else {
        Pick::OthersOnly
    }
}

/// (batch, session that undid it, audit id of the undo entry).
type Undone = (i64, Option<String>, Option<i64>);

/// Undone batches, the most recently undone first: (batch, session that undid it, audit id of
/// the undo entry). Entries from before sessions were recorded come last, oldest batch first.
fn undone(tx: &rusqlite::Connection) -> Result<Vec<Undone>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT a.batch, u.session, MAX(a.undone_by) FROM audit_log a
         LEFT JOIN audit_log u ON u.audit_id = a.undone_by
         WHERE a.batch IS NOT NULL AND a.undo_state = 1
         GROUP BY a.batch ORDER BY COALESCE(MAX(a.undone_by), 0) DESC, a.batch ASC",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Validates the configuration in `p` and in every later period where some version starts or
/// ends, since a change from `p` onward meets those versions.
fn validate_from(
    tx: &Transaction<'_>,
    p: BillingPeriod,
    ctx: &ValidationContext,
) -> Result<(), ConfigError> {
    let mut periods = vec![p];
    let mut stmt = tx.prepare_cached(
        "SELECT valid_from FROM config_versions WHERE valid_from > ?1
         UNION SELECT valid_to FROM config_versions WHERE valid_to > ?1",
    )?;
    for text in stmt.query_map([p.to_string()], |r| r.get::<_, String>(0))? {
        if let Ok(q) = text?.parse::<BillingPeriod>() {
            periods.push(q);
        }
    }
    for q in periods {
        if let Err(mut v) = validate(&load_at(tx, q)?, ctx) {
            if q != p {
                for x in &mut v.0 {
                    x.message = format!("{} (in {q})", x.message);
                }
            }
            return Err(ConfigError::Invalid(v));
        }
    }
    Ok(())
}

/// Kind from its ARN resource type (for callers holding only text).
pub fn parse_kind(text: &str) -> Option<Kind> {
    kind_of(text)
}
