//! The Reconcile tab as the month-end checklist (issue 12 item 3): import the new month → tie
//! out to the invoice → review new accounts and movers → review configuration changes → run
//! the checks → close → export. Each step shows the status of the month-end checks behind it
//! ([`crate::month_end`]) and the key that opens the screen where it is done; the step's
//! checks, with their detail, are the table under it.
//!
//! The checks are run by the controller when the tab shows and whenever what they read moved
//! (period, audit log, another process's commit, an entered invoice total); drawing never
//! queries the store.

use super::table::{Align, RowKind, TableModel, text};
use super::{Action, State};
use crate::month_end::{Entered, MonthEndCheck, Reconciliation, Status};
use crate::period::BillingPeriod;
use rust_decimal::Decimal;

/// One step of the month end, in the order they are done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Import,
    TieOut,
    Accounts,
    Movers,
    Config,
    Checks,
    Close,
    Export,
}

impl StepKind {
    /// The steps in checklist order.
    pub const ALL: [StepKind; 8] = [
        StepKind::Import,
        StepKind::TieOut,
        StepKind::Accounts,
        StepKind::Movers,
        StepKind::Config,
        StepKind::Checks,
        StepKind::Close,
        StepKind::Export,
    ];

    /// The row key of the step on the Reconcile tab.
    pub fn key(self) -> &'static str {
        match self {
            StepKind::Import => "step:import",
            StepKind::TieOut => "step:tie-out",
            StepKind::Accounts => "step:accounts",
            StepKind::Movers => "step:movers",
            StepKind::Config => "step:config",
            StepKind::Checks => "step:checks",
            StepKind::Close => "step:close",
            StepKind::Export => "step:export",
        }
    }

    /// The step a row key names.
    pub fn of_key(key: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|s| s.key() == key)
    }

    fn label(self) -> &'static str {
        match self {
            StepKind::Import => "Import the month",
            StepKind::TieOut => "Tie out to invoice",
            StepKind::Accounts => "Review accounts",
            StepKind::Movers => "Review movers",
            StepKind::Config => "Review changes",
            StepKind::Checks => "Run the checks",
            StepKind::Close => "Close the period",
            StepKind::Export => "Export",
        }
    }

    /// The month-end checks (by name) that make the step's status.
    fn checks(self) -> &'static [&'static str] {
        match self {
            StepKind::Import => &["delivery", "restatement"],
            StepKind::TieOut => &["invoice-tie-out"],
            StepKind::Accounts => &["accounts-grouped", "new-accounts"],
            StepKind::Movers => &["movements"],
            StepKind::Config => &["config-changes"],
            StepKind::Checks => &[
                "engine-totals",
                "explanation",
                "no-public-price",
                "unknown-types",
                "item-currency",
            ],
            StepKind::Close | StepKind::Export => &[],
        }
    }
}

/// What the checks were run against: when any of it moves, they run again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub period: BillingPeriod,
    /// The newest audit entry (this window's changes: edits, imports, close, reopen).
    pub audit_id: i64,
    /// SQLite's `data_version` (other processes' commits).
    pub data_version: i64,
    /// The invoice total entered for the period, if any.
    pub entered: Option<Decimal>,
}

/// The month-end checks of the period on screen, as last run.
#[derive(Debug, Clone)]
pub struct Checklist {
    pub stamp: Stamp,
    /// The checks, or why they could not run (a period without data, mixed currencies).
    pub result: Result<Reconciliation, String>,
}

impl Checklist {
    /// The checks of one step.
    fn of(&self, step: StepKind) -> Vec<&MonthEndCheck> {
        match &self.result {
            Ok(r) => r
                .checks
                .iter()
                .filter(|c| step.checks().contains(&c.name))
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// What the user entered to tie out the period on screen.
pub fn entered(st: &State) -> Entered {
    match st.invoice_entered.get(&st.period()) {
        Some(total) => Entered::Total(*total),
        None => Entered::Nothing,
    }
}

fn worst(checks: &[&MonthEndCheck]) -> Option<Status> {
    checks.iter().map(|c| c.status).max()
}

/// The checklist table: one row per step, its status, what was found and the key that does it.
pub fn table(st: &State) -> TableModel {
    let mut t = TableModel::new(
        format!("Month-end close, {}", st.period()),
        &[
            ("Step", Align::Left),
            ("Status", Align::Left),
            ("Do it", Align::Left),
            ("Found", Align::Left),
        ],
    );
    let closed = st.closed();
    let keys = &st.keys;
    let list = &st.checklist;
    // The groups this workspace bills (level-2 transfer groups are the seller's).
    let listed = (0..st.data.config.groups.len())
        .filter(|&g| st.data.listed_group(g))
        .count();
    if let Some(Err(e)) = list.as_ref().map(|l| &l.result) {
        t.empty = format!("the month-end checks could not run: {e}");
    }
    for (i, step) in StepKind::ALL.into_iter().enumerate() {
        let checks = list.as_ref().map(|l| l.of(step)).unwrap_or_default();
        let (status, found) = match step {
            StepKind::Close => (
                if closed { "DONE" } else { "TODO" }.to_string(),
                match &st.period_status {
                    Some(s) if s.closed => format!(
                        "closed {}{}",
                        s.changed_at
                            .as_deref()
                            .map(|at| at.get(..10).unwrap_or(at))
                            .unwrap_or_default(),
                        s.note
                            .as_deref()
                            .filter(|n| !n.is_empty())
                            .map(|n| format!(": {n}"))
                            .unwrap_or_default()
                    ),
                    _ => "open: edits still change the numbers".into(),
                },
            ),
            StepKind::Export => (
                if st.statements_issued > 0 && st.statements_issued >= listed {
                    "DONE"
                } else {
                    "TODO"
                }
                .to_string(),
                format!(
                    "final statements for {} of {} billing groups{}",
                    st.statements_issued,
                    listed,
                    match st.statement_drafts {
                        0 => String::new(),
                        n => format!(" (drafts only: {n}; close the period, then export)"),
                    }
                ),
            ),
            _ => match (worst(&checks), list) {
                (Some(s), _) => (s.label().to_string(), summary(step, &checks)),
                (None, None) => ("…".into(), "checking".into()),
                // The checks did not run (an invoice total for several payers, ...): say why.
                (None, Some(l)) if l.result.is_err() => (
                    "FAIL".into(),
                    format!(
                        "the checks could not run: {}",
                        l.result
                            .as_ref()
                            .err()
                            .map_or(String::new(), |e| e.to_string())
                    ),
                ),
                (None, Some(_)) => ("–".into(), "nothing to check".into()),
            },
        };
        let enter = keys.list(Action::Open);
        let doit = match step {
            StepKind::Import => "CLI: proforma import".to_string(),
            StepKind::TieOut => format!("{enter}: invoice total"),
            StepKind::Accounts => format!("{enter}: Accounts tab"),
            StepKind::Movers => format!("{enter}: month over month"),
            StepKind::Config => format!("{enter}: History tab"),
            StepKind::Checks => format!("{enter}: every check"),
            StepKind::Close if closed => format!("{}: reopen", keys.list(Action::ReopenPeriod)),
            StepKind::Close => format!("{}: close", keys.list(Action::ClosePeriod)),
            StepKind::Export => format!("{enter}: statements"),
        };
        t.push(
            step.key(),
            vec![
                text(format!("{}. {}", i + 1, step.label())),
                text(status),
                text(doit),
                text(found),
            ],
            RowKind::Normal,
        );
    }
    widen_last(&mut t);
    t
}

/// The last column (the checks' text) may take the whole width of the screen: tables cap a
/// column at 60 characters, which would cut every line of detail short.
fn widen_last(t: &mut TableModel) {
    let widest = t
        .rows
        .iter()
        .filter_map(|r| r.last())
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0);
    if let Some(c) = t.columns.last_mut() {
        c.width = c.width.max(u16::try_from(widest.min(400)).unwrap_or(400));
    }
}

/// One line saying what a step's checks found.
fn summary(step: StepKind, checks: &[&MonthEndCheck]) -> String {
    let failing: Vec<&&MonthEndCheck> =
        checks.iter().filter(|c| c.status != Status::Pass).collect();
    match (step, failing.as_slice()) {
        (_, []) if checks.len() == 1 => checks[0].title.clone(),
        (_, []) => format!("{} checks pass", checks.len()),
        (_, [one]) => one.title.clone(),
        (_, many) => format!(
            "{} of {} checks need a look: {}",
            many.len(),
            checks.len(),
            many[0].title
        ),
    }
}

/// The table under the checklist: the selected step's checks, each with its detail lines.
pub fn detail(st: &State, key: Option<&str>) -> Option<TableModel> {
    let step = StepKind::of_key(key?)?;
    let list = st.checklist.as_ref()?;
    let mut t = TableModel::new(
        format!("{}: the checks behind it", step.label()),
        &[("Status", Align::Left), ("Check", Align::Left)],
    );
    for (i, c) in list.of(step).into_iter().enumerate() {
        t.push(
            format!("{i}"),
            vec![text(c.status.label()), text(&c.title)],
            RowKind::Normal,
        );
        for (j, d) in c.detail.iter().enumerate() {
            t.push(
                format!("{i}.{j}"),
                vec![text(""), text(format!("  {d}"))],
                RowKind::Aside,
            );
        }
    }
    widen_last(&mut t);
    t.empty = match step {
        StepKind::Close | StepKind::Export => "nothing checked: this step is an action".into(),
        _ => "no checks".into(),
    };
    Some(t)
}

/// Every check of the period as text: the Checks step's popup.
pub fn all_checks_text(list: &Checklist) -> String {
    let mut out = String::new();
    match &list.result {
        Err(e) => out.push_str(e),
        Ok(r) => {
            out.push_str(&format!(
                "{} month-end checks of {} ({}): {} pass, {} warn, {} fail\n\n",
                r.checks.len(),
                r.period,
                r.currency,
                r.count(Status::Pass),
                r.count(Status::Warn),
                r.count(Status::Fail)
            ));
            for c in &r.checks {
                out.push_str(&format!("{}  {}\n", c.status.label(), c.title));
                for d in &c.detail {
                    out.push_str(&format!("      {d}\n"));
                }
            }
        }
    }
    out
}

/// Month over month as a table and a bar chart of the biggest movers (issue 12 item 2): the
/// Movers step's popup. Amounts are the shown (footed) ones; Δ is the difference of the shown
/// numbers (SPEC 5).
pub fn movers_text(list: &Checklist) -> String {
    use crate::money::fmt_grouped;
    let r = match &list.result {
        Err(e) => return e.clone(),
        Ok(r) => r,
    };
    let Some(m) = &r.movements else {
        return format!(
            "{} has no data: there is nothing to compare {} with",
            r.previous, r.period
        );
    };
    let mut out = format!(
        "Pro forma by billing group, {} against {} ({}), largest change first\n\n",
        m.current_label, m.base_label, m.currency
    );
    let name_w = m
        .groups
        .iter()
        .map(|g| g.name.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 32);
    let row = |name: &str, a: &str, b: &str, d: &str, p: &str| {
        let name: String = name.chars().take(name_w).collect();
        format!("{name:<name_w$}  {a:>14}  {b:>14}  {d:>14}  {p:>8}\n")
    };
    out.push_str(&row(
        "Group",
        &m.base_label,
        &m.current_label,
        "Δ pro forma",
        "Δ%",
    ));
    for g in &m.groups {
        out.push_str(&row(
            &g.name,
            &fmt_grouped(g.base.proforma),
            &fmt_grouped(g.current.proforma),
            &fmt_grouped(g.delta().proforma),
            &g.proforma_change().label(),
        ));
    }
    out.push_str(&row(
        "Total",
        &fmt_grouped(m.total.base.proforma),
        &fmt_grouped(m.total.current.proforma),
        &fmt_grouped(m.total.delta().proforma),
        &m.total.proforma_change().label(),
    ));
    // The bar chart: the ten largest |Δ pro forma|, scaled to the largest.
    const WIDTH: usize = 40;
    let top: Vec<_> = m
        .groups
        .iter()
        .filter(|g| !g.delta().proforma.is_zero())
        .take(10)
        .collect();
    out.push_str("\nBiggest movers (Δ pro forma; █ up, ░ down)\n\n");
    if top.is_empty() {
        out.push_str("no group's pro forma moved\n");
    }
    let max = top
        .iter()
        .map(|g| g.delta().proforma.abs())
        .max()
        .unwrap_or(Decimal::ONE);
    for g in top {
        let d = g.delta().proforma;
        // Whole characters of the bar, at least one for any change.
        let len = (d.abs() * Decimal::from(WIDTH) / max)
            .round()
            .to_string()
            .parse::<usize>()
            .unwrap_or(WIDTH)
            .clamp(1, WIDTH);
        let bar: String =
            std::iter::repeat_n(if d.is_sign_negative() { '░' } else { '█' }, len).collect();
        let name: String = g.name.chars().take(name_w).collect();
        out.push_str(&format!(
            "{name:<name_w$}  {bar:<WIDTH$}  {:>14}\n",
            fmt_grouped(d)
        ));
    }
    let services: Vec<_> = m
        .services
        .iter()
        .filter(|s| !s.delta().proforma.is_zero())
        .take(10)
        .collect();
    if !services.is_empty() {
        out.push_str("\nBiggest movers by group x service\n\n");
        for s in services {
            out.push_str(&format!(
                "{}  {}: {} → {} ({})\n",
                s.name,
                s.service.as_deref().unwrap_or(""),
                fmt_grouped(s.base.proforma),
                fmt_grouped(s.current.proforma),
                fmt_grouped(s.delta().proforma)
            ));
        }
    }
    out
}
