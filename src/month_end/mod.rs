//! Month-end close (issue 12): the checks `proforma reconcile` runs on a priced period, and
//! the month-over-month comparison ([`compare`]) that `report --compare-to` prints and the
//! movements check reads.
//!
//! Each check has a status: `pass`, `warn` (needs a look, does not stop the close) or `fail`
//! (a number does not tie out). It is computed from the workspace alone and writes nothing.
//! The checks, in order (README "Month-end close" documents them for users):
//!
//! 1. `invoice-tie-out`, one per payer: the CUR's billable + tax of the payer's delivery in
//!    force against what the user entered (one total, or invoices from a file, [`invoices`]).
//!    Exact to the cent: any difference fails and is stated. Nothing entered: `warn` "not
//!    entered" (the CUR is never compared with itself).
//!    - Per invoice id when the delivery's CUR carries `bill/InvoiceId` and a file is given: the
//!      import recorded billable and tax per (`bill/InvoiceId`, `bill/InvoicingEntity`)
//!      ([`crate::store::invoices`]); each file invoice is held against the CUR's rows of its id
//!      (and of its entity when the file names one), rounded on its own; a file invoice the CUR
//!      lacks, a CUR invoice the file lacks, a cent of difference, or CUR rows without an id
//!      worth a cent beside invoiced ones fail, naming the invoice.
//!    - Per payer otherwise (`--invoice-total`, no invoice id in the CUR: an open month, a file
//!      without the column, a proforma cube; or a delivery imported before invoices were
//!      recorded): the payer's total rounded to the cent against the sum entered, and the
//!      detail says why; the CUR's amounts per invoice and per `bill/BillingEntity` are listed.
//! 2. `engine-totals` per payer, `no-public-price`, `unknown-types`, `item-currency` and per
//!    group `explanation`: the checks of the Reconcile tab ([`crate::checks`]); rows without a
//!    public price and unknown line item types warn, the others fail.
//! 3. `accounts-grouped`: every account with cost in the period is in a billing group, or
//!    knowingly left unmonitored: named with `--unmonitored`, or unmonitored in the previous
//!    period when that period is closed (reviewed at its close). Others warn.
//! 4. `new-accounts`: accounts with cost this period and none the period before; `warn` when
//!    one of them is in no billing group.
//! 5. `delivery`, per payer: the delivery in force is the latest imported (the audit log's
//!    newest import of it); `warn` when its usage stops before the month's last day. A delivery
//!    that replaced an earlier one shows the earlier totals.
//! 6. `restatement`: AWS finalises a month's invoice after the month ends and may restate the
//!    month's CUR afterwards. From the invoice ids the import recorded (`bill/InvoiceId`):
//!    rows without one beside invoiced rows warn "not final"; every row invoiced passes
//!    "final". A CUR without invoice ids (an estimate, or no such column) is judged from the
//!    data: `warn` "may still be restated" when the period is the newest month with data in
//!    the workspace or the one before it; `pass` when two or more later months have data.
//! 7. `config-changes`: configuration changes since the last close of the previous period
//!    that reach this period (audit entries, listed); `warn` when there are any, or when the
//!    previous period was never closed or was reopened.
//! 8. `movements`: billing groups whose pro forma moved by at least the threshold percent and
//!    the minimum amount since the previous period (a group that was zero counts as "new").

pub mod compare;
pub mod invoices;
pub mod proforma_cur;
pub mod statement;
pub mod statement_files;

use crate::analysis::{Analysis, ReportError};
use crate::money::{fmt_grouped, round2};
use crate::period::BillingPeriod;
use crate::store::invoices::InvoiceTotal;
use crate::store::{StoreError, Workspace};
use compare::{Change, MonthOverMonth};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The numbers agree, or there is nothing to look at.
    Pass,
    /// Needs a look (something to review, or nothing entered); does not stop the close.
    Warn,
    /// A number does not tie out: `reconcile` exits 1.
    Fail,
}

impl Status {
    /// `PASS`, `WARN`, `FAIL`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        }
    }
}

/// A number behind a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Number {
    /// An amount in the period's currency, shown to the cent.
    Money(Decimal),
    /// A count of rows, accounts, entries.
    Count(u64),
    /// A percentage (shown to 2 decimals).
    Percent(Decimal),
    Text(String),
}

impl Number {
    /// As the terminal shows it.
    pub fn shown(&self) -> String {
        match self {
            Number::Money(d) => fmt_grouped(*d),
            Number::Count(n) => n.to_string(),
            Number::Percent(p) => format!("{}%", crate::money::fmt_plain(*p)),
            Number::Text(t) => t.clone(),
        }
    }
}

/// One month-end check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthEndCheck {
    /// Stable name (see the module doc): `invoice-tie-out`, `accounts-grouped`, ...
    pub name: &'static str,
    /// What it is about when a check runs per payer or group (payer id, group name).
    pub key: Option<String>,
    pub status: Status,
    /// One line: what was checked and the outcome with its numbers.
    pub title: String,
    /// Further lines: the items behind it (accounts, invoices, changes, groups).
    pub detail: Vec<String>,
    /// The numbers, by name, in a fixed order per check.
    pub numbers: Vec<(&'static str, Number)>,
}

/// What the user entered to tie the CUR out with.
#[derive(Debug, Clone, Default)]
pub enum Entered {
    /// Nothing: the tie-out warns "not entered".
    #[default]
    Nothing,
    /// One invoice total (tax included) for the period's only payer.
    Total(Decimal),
    /// Invoices read from a file ([`invoices::read`]); `String` is the file's name.
    Invoices(String, Vec<invoices::InvoiceLine>),
}

/// Reconcile's settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// A group's pro forma moving by at least this percent (and `min_change`) is listed.
    pub threshold_pct: Decimal,
    /// ... and by at least this amount (absolute, in the period's currency).
    pub min_change: Decimal,
    /// Accounts knowingly left in no billing group.
    pub unmonitored: BTreeSet<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            threshold_pct: Decimal::from(20),
            min_change: Decimal::from(100),
            unmonitored: BTreeSet::new(),
        }
    }
}

/// All checks of a period.
#[derive(Debug, Clone)]
pub struct Reconciliation {
    pub period: BillingPeriod,
    /// The period compared with (the calendar month before).
    pub previous: BillingPeriod,
    /// ISO 4217 code of the period's amounts.
    pub currency: String,
    /// Whether the period is closed.
    pub closed: bool,
    pub checks: Vec<MonthEndCheck>,
    /// The comparison with the previous period (None: it has no data).
    pub movements: Option<MonthOverMonth>,
}

impl Reconciliation {
    /// The worst status of all checks.
    pub fn status(&self) -> Status {
        self.checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(Status::Pass)
    }
    /// How many checks have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }
}

/// Why reconcile could not run (not a failing check: those are in the result).
#[derive(Debug, thiserror::Error)]
pub enum MonthEndError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("{0}")]
    Input(String),
}

/// An amount with its sign: `+12.30`, `-4.00`.
fn signed(d: Decimal) -> String {
    if d.is_sign_negative() && !d.is_zero() {
        fmt_grouped(d)
    } else {
        format!("+{}", fmt_grouped(d))
    }
}

/// Lists the first `max` items; the rest are counted.
fn listed_at_most(items: Vec<String>, max: usize, out: &mut Vec<String>) {
    let n = items.len();
    out.extend(items.into_iter().take(max));
    if n > max {
        out.push(format!("  ... and {} more", n - max));
    }
}

/// Items listed in a check's detail at most; the rest are counted.
const MAX_LISTED: usize = 50;

fn listed(items: Vec<String>, out: &mut Vec<String>) {
    let n = items.len();
    out.extend(items.into_iter().take(MAX_LISTED));
    if n > MAX_LISTED {
        out.push(format!("... and {} more", n - MAX_LISTED));
    }
}

/// Runs every month-end check on `period` of `ws` (see the module doc).
///
/// # Errors
/// The period has no data; the workspace cannot be read; the period's payers are billed in
/// different currencies; an invoice total is entered for a period of several payers, or an
/// invoice of a file names no payer when the period has several (naming its line).
pub fn reconcile(
    ws: &Workspace,
    period: BillingPeriod,
    entered: &Entered,
    opts: &Options,
) -> Result<Reconciliation, MonthEndError> {
    reconcile_loaded(ws, period, None, entered, opts)
}

/// [`reconcile`] with the period's baseline already read and priced (the TUI's): `loaded` is
/// used when it is the baseline of `period` with all its lines, else the period is read.
///
/// # Errors
/// As [`reconcile`].
pub fn reconcile_loaded(
    ws: &Workspace,
    period: BillingPeriod,
    loaded: Option<&Analysis>,
    entered: &Entered,
    opts: &Options,
) -> Result<Reconciliation, MonthEndError> {
    let deliveries = ws.deliveries()?;
    let ours: Vec<&crate::store::DeliveryRow> =
        deliveries.iter().filter(|d| d.period == period).collect();
    if ours.is_empty() {
        let mut known: Vec<String> = deliveries.iter().map(|d| d.period.to_string()).collect();
        known.dedup();
        return Err(MonthEndError::Input(format!(
            "no cost data for period {period} (periods with data: {})",
            if known.is_empty() {
                "none yet: import a CUR first".into()
            } else {
                known.join(", ")
            }
        )));
    }
    let read;
    let data: &Analysis =
        match loaded.filter(|a| a.period == period && !a.partial && a.scenario.is_none()) {
            Some(a) => a,
            None => {
                read = Analysis::load(ws, period)?;
                &read
            }
        };
    // The payers' currency: a custom line item in another currency is the `item-currency`
    // check's to report, not a reason to stop.
    let currency = data.payers_currency()?.to_string();
    let previous = period.prev();
    let base = deliveries
        .iter()
        .any(|d| d.period == previous)
        .then(|| Analysis::load(ws, previous))
        .transpose()?;
    let names: HashMap<String, String> = ws
        .accounts()?
        .into_iter()
        .filter_map(|a| a.name.map(|n| (a.id, n)))
        .collect();
    let named = |id: &str| match names.get(id) {
        Some(n) => format!("{id} {n}"),
        None => id.to_string(),
    };

    let mut invoiced: BTreeMap<String, Vec<InvoiceTotal>> = BTreeMap::new();
    for d in &ours {
        invoiced.insert(d.payer.clone(), ws.invoice_totals(&d.payer, period)?);
    }
    let mut checks = tie_out(data, &ours, &invoiced, entered)?;
    checks.extend(tab_checks(data));
    let prev_closed = ws.is_closed(previous)?;
    checks.extend(accounts(data, base.as_ref(), prev_closed, opts, &named));
    for d in &ours {
        checks.push(delivery(ws, d)?);
    }
    checks.push(restatement(ws, &deliveries, period)?);
    checks.push(config_changes(ws, period)?);
    // Months that cannot be compared (different currencies) make the movements check warn
    // with the reason; the other checks still run.
    let (movements, unmatched) = match base
        .as_ref()
        .map(|b| compare::compare(data, b, period.to_string(), previous.to_string()))
    {
        None => (None, None),
        Some(Ok(m)) => (Some(m), None),
        Some(Err(e)) => (None, Some(e.to_string())),
    };
    checks.push(movement_check(
        movements.as_ref(),
        unmatched,
        previous,
        opts,
    ));
    Ok(Reconciliation {
        period,
        previous,
        currency,
        closed: ws.is_closed(period)?,
        checks,
        movements,
    })
}

/// The invoice tie-out of every payer (check 1).
fn tie_out(
    data: &Analysis,
    ours: &[&crate::store::DeliveryRow],
    invoiced: &BTreeMap<String, Vec<InvoiceTotal>>,
    entered: &Entered,
) -> Result<Vec<MonthEndCheck>, MonthEndError> {
    let payers: Vec<&str> = ours.iter().map(|d| d.payer.as_str()).collect();
    // Invoices per payer (each with its file line), and invoices for payers without data.
    let mut by_payer: BTreeMap<String, Vec<&invoices::InvoiceLine>> = BTreeMap::new();
    let mut source = String::new();
    let mut total: Option<Decimal> = None;
    match entered {
        Entered::Nothing => {}
        Entered::Total(t) => {
            if payers.len() > 1 {
                return Err(MonthEndError::Input(format!(
                    "--invoice-total is one amount, but {} has {} payers ({}): enter one \
                     invoice per payer with --invoices FILE (columns InvoiceId, \
                     PayerAccountId, Amount, Currency)",
                    data.period,
                    payers.len(),
                    payers.join(", ")
                )));
            }
            total = Some(*t);
        }
        Entered::Invoices(file, lines) => {
            source = file.clone();
            for inv in lines {
                let payer = match (&inv.payer, payers.as_slice()) {
                    (Some(p), _) => p.clone(),
                    (None, [only]) => (*only).to_string(),
                    (None, _) => {
                        return Err(MonthEndError::Input(format!(
                            "{file}: line {}: invoice '{}' names no PayerAccountId, and {} has \
                             {} payers ({}): add a PayerAccountId column",
                            inv.line,
                            inv.invoice_id,
                            data.period,
                            payers.len(),
                            payers.join(", ")
                        )));
                    }
                };
                by_payer.entry(payer).or_default().push(inv);
            }
        }
    }
    let mut out = Vec::new();
    for d in ours {
        let exact = d.billable + d.tax;
        let cur = round2(exact);
        let parts = crate::footing::distribute(&[d.billable, d.tax], cur);
        let (billable, tax) = (parts[0], parts[1]);
        let payer_currency = data.payer_currency(&d.payer).to_string();
        let mut detail = entities(data, &d.payer);
        // A bill source's invoice is one of the transfer account's: say whose (issue 13).
        if let Some(l) = data
            .config
            .transfer_levels(data.period)
            .into_iter()
            .find(|l| data.config.transfers[l.transfer].source_account == d.payer)
        {
            let t = &data.config.transfers[l.transfer];
            detail.insert(
                0,
                format!(
                    "bill source of billing transfer '{}' (level {}): its invoice is paid by {}, its tax with its own invoicing entity",
                    t.name, l.level, t.transfer_account
                ),
            );
        }
        let cur_invoices = invoiced.get(&d.payer).map_or(&[][..], Vec::as_slice);
        let with_ids = cur_invoices.iter().any(|i| !i.invoice_id.is_empty());
        let mut numbers = vec![
            ("CurTotal", Number::Money(cur)),
            ("CurBillable", Number::Money(billable)),
            ("CurTax", Number::Money(tax)),
        ];
        let cur_text = format!(
            "CUR {} = billable {} + tax {} {payer_currency}",
            fmt_grouped(cur),
            fmt_grouped(billable),
            fmt_grouped(tax)
        );
        let invoices = by_payer.remove(&d.payer);
        if !(with_ids && total.is_none() && invoices.is_some()) {
            // Per payer: say why, and what the CUR holds per invoice.
            numbers.push(("TieOut", Number::Text("per payer".into())));
            detail.extend(per_payer_notes(cur_invoices, with_ids, total.is_some()));
        }
        let entered_amount = match (&total, &invoices) {
            (Some(t), _) => Some(*t),
            (None, Some(list)) => {
                let other: Vec<String> = list
                    .iter()
                    .filter(|i| i.currency != payer_currency)
                    .map(|i| {
                        format!(
                            "invoice '{}' (line {}) is in {}, the CUR in {payer_currency}",
                            i.invoice_id, i.line, i.currency
                        )
                    })
                    .collect();
                if other.is_empty() && with_ids {
                    out.push(per_invoice(
                        d,
                        cur_invoices,
                        list,
                        &source,
                        &payer_currency,
                        &cur_text,
                        detail,
                        numbers,
                    ));
                    continue;
                }
                for i in list {
                    detail.push(format!(
                        "invoice {}{}: {} {} ({source} line {})",
                        i.invoice_id,
                        i.entity
                            .as_ref()
                            .map_or(String::new(), |e| format!(" ({e})")),
                        fmt_grouped(i.amount),
                        i.currency,
                        i.line
                    ));
                }
                if !other.is_empty() {
                    out.push(MonthEndCheck {
                        name: "invoice-tie-out",
                        key: Some(d.payer.clone()),
                        status: Status::Fail,
                        title: format!(
                            "invoice tie-out, payer {}: invoices in another currency ({cur_text})",
                            d.payer
                        ),
                        detail: other.into_iter().chain(detail).collect(),
                        numbers,
                    });
                    continue;
                }
                Some(list.iter().map(|i| i.amount).sum())
            }
            (None, None) => None,
        };
        let check = match entered_amount {
            None => MonthEndCheck {
                name: "invoice-tie-out",
                key: Some(d.payer.clone()),
                status: Status::Warn,
                title: format!(
                    "invoice tie-out, payer {}: not entered ({cur_text}); enter AWS's invoice \
                     with --invoice-total or --invoices",
                    d.payer
                ),
                detail,
                numbers,
            },
            Some(amount) => {
                let diff = amount - cur;
                numbers.push(("Entered", Number::Money(amount)));
                numbers.push(("Difference", Number::Money(diff)));
                let ok = diff.is_zero();
                MonthEndCheck {
                    name: "invoice-tie-out",
                    key: Some(d.payer.clone()),
                    status: if ok { Status::Pass } else { Status::Fail },
                    title: format!(
                        "invoice tie-out, payer {}: entered {} {payer_currency}, {cur_text}; {}",
                        d.payer,
                        fmt_grouped(amount),
                        if ok {
                            "ties out to the cent".to_string()
                        } else {
                            format!("difference {} (entered - CUR)", fmt_grouped(diff))
                        }
                    ),
                    detail,
                    numbers,
                }
            }
        };
        out.push(check);
    }
    // Invoices for payers with no data in the period: nothing to tie them to.
    for (payer, list) in by_payer {
        let amount: Decimal = list.iter().map(|i| i.amount).sum();
        out.push(MonthEndCheck {
            name: "invoice-tie-out",
            key: Some(payer.clone()),
            status: Status::Fail,
            title: format!(
                "invoice tie-out, payer {payer}: entered {} but {} has no CUR data for this payer",
                fmt_grouped(amount),
                data.period
            ),
            detail: list
                .iter()
                .map(|i| format!("invoice {} ({source} line {})", i.invoice_id, i.line))
                .collect(),
            numbers: vec![
                ("CurTotal", Number::Money(Decimal::ZERO)),
                ("Entered", Number::Money(amount)),
                ("Difference", Number::Money(amount)),
            ],
        });
    }
    Ok(out)
}

/// Why a payer ties out per payer, and the CUR's amounts per invoice (or per invoicing entity)
/// to enter, as detail lines.
fn per_payer_notes(cur: &[InvoiceTotal], with_ids: bool, total_entered: bool) -> Vec<String> {
    let mut out = Vec::new();
    if cur.is_empty() {
        out.push(
            "per payer: this delivery was imported before invoices were recorded; import its \
             files again to tie out per invoice id"
                .into(),
        );
        return out;
    }
    if with_ids && total_entered {
        out.push(
            "per payer: --invoice-total is one amount for the payer; enter AWS's invoices with \
             --invoices FILE to tie out per invoice id"
                .into(),
        );
    } else if !with_ids {
        out.push(
            "per payer: the CUR carries no invoice id (bill/InvoiceId is empty until AWS \
             finalises the month, and a proforma cube carries none), so the invoices are summed \
             per payer"
                .into(),
        );
    }
    let listed_entities = cur.iter().filter(|i| !i.entity.is_empty()).count();
    if with_ids || listed_entities > 1 {
        let (shown, _) =
            crate::footing::foot(&cur.iter().map(InvoiceTotal::total).collect::<Vec<_>>());
        for (i, s) in cur.iter().zip(shown) {
            out.push(format!(
                "CUR {}: {}",
                invoice_name(&i.invoice_id, &i.entity),
                fmt_grouped(s)
            ));
        }
    }
    out
}

/// `invoice 123 (Amazon Web Services, Inc.)`, `rows without an invoice id (...)`,
/// `invoicing entity ...`.
fn invoice_name(id: &str, entity: &str) -> String {
    let entity = if entity.is_empty() {
        String::new()
    } else {
        format!(" ({entity})")
    };
    if id.is_empty() {
        format!("rows without an invoice id{entity}")
    } else {
        format!("invoice {id}{entity}")
    }
}

/// One CUR invoice id's amounts: its entities and their exact totals.
struct CurInvoice<'a> {
    parts: Vec<&'a InvoiceTotal>,
    matched: bool,
}

impl CurInvoice<'_> {
    fn total(&self) -> Decimal {
        self.parts.iter().map(|i| i.total()).sum()
    }
    fn billable(&self) -> Decimal {
        self.parts.iter().map(|i| i.billable).sum()
    }
    fn tax(&self) -> Decimal {
        self.parts.iter().map(|i| i.tax).sum()
    }
    fn entities(&self) -> String {
        let v: Vec<&str> = self
            .parts
            .iter()
            .map(|i| i.entity.as_str())
            .filter(|e| !e.is_empty())
            .collect();
        v.join(", ")
    }
}

/// The invoice tie-out of a payer whose CUR carries invoice ids, with the invoices of a file
/// (all in the payer's currency): each file invoice against the CUR's rows of the same
/// `bill/InvoiceId` (and `bill/InvoicingEntity` when the file names one), to the cent; a file
/// invoice the CUR lacks, a CUR invoice the file lacks, and CUR rows without an invoice id
/// that amount to a cent or more all fail, naming the invoice.
#[allow(clippy::too_many_arguments)]
fn per_invoice(
    d: &crate::store::DeliveryRow,
    cur: &[InvoiceTotal],
    list: &[&invoices::InvoiceLine],
    source: &str,
    currency: &str,
    cur_text: &str,
    mut detail: Vec<String>,
    mut numbers: Vec<(&'static str, Number)>,
) -> MonthEndCheck {
    let mut by_id: BTreeMap<&str, CurInvoice<'_>> = BTreeMap::new();
    for i in cur {
        by_id
            .entry(i.invoice_id.as_str())
            .or_insert_with(|| CurInvoice {
                parts: Vec::new(),
                matched: false,
            })
            .parts
            .push(i);
    }
    let unbilled = by_id.remove("");
    let mut failed: Vec<String> = Vec::new();
    let mut tied = 0u64;
    for inv in list {
        let at = format!("{source} line {}", inv.line);
        let Some(c) = by_id.get_mut(inv.invoice_id.as_str()) else {
            failed.push(format!("{} not in the CUR", inv.invoice_id));
            detail.push(format!(
                "FAIL {}: entered {} {} ({at}), but the CUR has no such bill/InvoiceId",
                invoice_name(&inv.invoice_id, inv.entity.as_deref().unwrap_or("")),
                fmt_grouped(inv.amount),
                inv.currency
            ));
            continue;
        };
        c.matched = true;
        // The file names an entity: only the CUR's rows of that entity count.
        let parts: Vec<&InvoiceTotal> = match &inv.entity {
            None => c.parts.clone(),
            Some(e) => c
                .parts
                .iter()
                .copied()
                .filter(|p| p.entity.trim().eq_ignore_ascii_case(e.trim()))
                .collect(),
        };
        if parts.is_empty() {
            failed.push(format!("{} entity differs", inv.invoice_id));
            detail.push(format!(
                "FAIL {}: entered {} {} ({at}), but the CUR bills invoice {} from {}",
                invoice_name(&inv.invoice_id, inv.entity.as_deref().unwrap_or("")),
                fmt_grouped(inv.amount),
                inv.currency,
                inv.invoice_id,
                c.entities()
            ));
            continue;
        }
        let one = CurInvoice {
            parts,
            matched: true,
        };
        let exact = one.total();
        let shown = round2(exact);
        let bt = crate::footing::distribute(&[one.billable(), one.tax()], shown);
        let diff = inv.amount - shown;
        let name = invoice_name(&inv.invoice_id, &one.entities());
        let what = format!(
            "{name}: entered {} {} ({at}), CUR {} = billable {} + tax {}",
            fmt_grouped(inv.amount),
            inv.currency,
            fmt_grouped(shown),
            fmt_grouped(bt[0]),
            fmt_grouped(bt[1])
        );
        if diff.is_zero() {
            tied += 1;
            detail.push(format!("PASS {what}: ties out to the cent"));
        } else {
            failed.push(format!("{} differs by {}", inv.invoice_id, signed(diff)));
            detail.push(format!(
                "FAIL {what}: difference {} (entered - CUR)",
                signed(diff)
            ));
        }
    }
    for (id, c) in by_id.iter().filter(|(_, c)| !c.matched) {
        failed.push(format!("{id} not in {source}"));
        detail.push(format!(
            "FAIL {}: in the CUR ({} {currency}) but not in {source}",
            invoice_name(id, &c.entities()),
            fmt_grouped(round2(c.total()))
        ));
    }
    if let Some(u) = unbilled {
        let shown = round2(u.total());
        if !shown.is_zero() {
            failed.push("rows without an invoice id".into());
            detail.push(format!(
                "FAIL {}: {} {currency} in the CUR on no invoice (bill/InvoiceId empty: the \
                 month may not be final)",
                invoice_name("", &u.entities()),
                fmt_grouped(shown)
            ));
        }
    }
    let entered: Decimal = list.iter().map(|i| i.amount).sum();
    // Each invoice is rounded to the cent on its own (as AWS issues them), so their sum can
    // differ from the payer's total rounded once (`CurTotal`) by a few cents.
    let per_invoice_total: Decimal = {
        let mut ids: BTreeMap<&str, Decimal> = BTreeMap::new();
        for i in cur {
            *ids.entry(i.invoice_id.as_str()).or_default() += i.total();
        }
        ids.values().map(|t| round2(*t)).sum()
    };
    numbers.push(("Entered", Number::Money(entered)));
    numbers.push(("Difference", Number::Money(entered - per_invoice_total)));
    numbers.push(("CurInvoicesTotal", Number::Money(per_invoice_total)));
    numbers.push(("TieOut", Number::Text("per invoice".into())));
    numbers.push(("Invoices", Number::Count(list.len() as u64)));
    numbers.push(("InvoicesTied", Number::Count(tied)));
    numbers.push(("InvoicesFailed", Number::Count(failed.len() as u64)));
    let ok = failed.is_empty();
    let mut named: Vec<String> = failed.iter().take(3).cloned().collect();
    if failed.len() > 3 {
        named.push(format!("{} more", failed.len() - 3));
    }
    MonthEndCheck {
        name: "invoice-tie-out",
        key: Some(d.payer.clone()),
        status: if ok { Status::Pass } else { Status::Fail },
        title: format!(
            "invoice tie-out, payer {}, per invoice id: entered {} {currency} on {} invoice{}, \
             {cur_text}; {}",
            d.payer,
            fmt_grouped(entered),
            list.len(),
            if list.len() == 1 { "" } else { "s" },
            if ok {
                "every invoice ties out to the cent".to_string()
            } else {
                format!("does not tie out: {}", named.join("; "))
            }
        ),
        detail,
        numbers,
    }
}

/// The payer's CUR amounts (billable + tax) per `bill/BillingEntity` when it has several
/// (AWS invoices Marketplace separately), as detail lines.
fn entities(data: &Analysis, payer: &str) -> Vec<String> {
    let mut by: BTreeMap<&str, Decimal> = BTreeMap::new();
    for l in data.lines.iter().filter(|l| l.key.payer == payer) {
        *by.entry(l.key.billing_entity.as_str()).or_default() += l.sums.unblended_cost;
    }
    if by.len() < 2 {
        return Vec::new();
    }
    let exact: Vec<Decimal> = by.values().copied().collect();
    let (shown, _) = crate::footing::foot(&exact);
    by.keys()
        .zip(shown)
        .map(|(e, s)| {
            format!(
                "CUR billing entity {}: {}",
                if e.is_empty() { "(none)" } else { e },
                fmt_grouped(s)
            )
        })
        .collect()
}

/// The Reconcile tab's checks (check 2), each with its expected and found numbers.
fn tab_checks(data: &Analysis) -> Vec<MonthEndCheck> {
    use crate::checks::Measured;
    let money = |m: Measured| match m {
        Measured::Money(Some(d)) => Number::Money(d),
        Measured::Money(None) => Number::Text("–".into()),
        Measured::Count(n) => Number::Count(n),
    };
    crate::checks::period_checks(data)
        .into_iter()
        .map(|c| {
            let (name, key, soft) = match c.key.as_str() {
                "no-public-price" => ("no-public-price", None, true),
                "unknown-types" => ("unknown-types", None, true),
                "item-currency" => ("item-currency", None, false),
                k if data.payers.contains(k) => ("engine-totals", Some(c.key.clone()), false),
                _ => ("explanation", Some(c.key.clone()), false),
            };
            let what = if name == "engine-totals" {
                format!(
                    "payer {}: groups + unmonitored + tax equal the delivery summarised at import",
                    c.key
                )
            } else {
                c.what.clone()
            };
            let status = match (c.ok, soft) {
                (true, _) => Status::Pass,
                (false, true) => Status::Warn,
                (false, false) => Status::Fail,
            };
            let (e, f) = (money(c.expected), money(c.found));
            MonthEndCheck {
                name,
                key,
                status,
                title: format!("{what}: expected {}, found {}", e.shown(), f.shown()),
                detail: c.note.into_iter().collect(),
                numbers: vec![("Expected", e), ("Found", f)],
            }
        })
        .collect()
}

/// Per account: billable (tax excluded) and whether any line is in a billing group.
fn account_costs(data: &Analysis) -> BTreeMap<String, (Decimal, Option<usize>)> {
    let mut out: BTreeMap<String, (Decimal, Option<usize>)> = BTreeMap::new();
    for (i, l) in data.lines.iter().enumerate() {
        let e = out.entry(l.key.account.to_string()).or_default();
        if !l.key.line_item_type.is_tax() {
            e.0 += l.sums.unblended_cost;
        }
        if let Some(g) = data.pricing.line_group.get(i).copied().flatten() {
            e.1 = Some(g);
        }
    }
    out
}

/// Checks 3 and 4: accounts in no group, and accounts new this period.
fn accounts(
    data: &Analysis,
    base: Option<&Analysis>,
    prev_closed: bool,
    opts: &Options,
    named: &dyn Fn(&str) -> String,
) -> Vec<MonthEndCheck> {
    let now = account_costs(data);
    let before = base.map(account_costs);
    let reviewed: BTreeSet<&str> = match (&before, prev_closed) {
        (Some(b), true) => b
            .iter()
            .filter(|(_, (_, g))| g.is_none())
            .map(|(a, _)| a.as_str())
            .collect(),
        _ => BTreeSet::new(),
    };
    let mut loose: Vec<(&String, Decimal)> = Vec::new();
    let mut known: Vec<(&String, Decimal, &str)> = Vec::new();
    for (a, (billable, g)) in &now {
        if g.is_some() {
            continue;
        }
        if opts.unmonitored.contains(a) {
            known.push((a, *billable, "--unmonitored"));
        } else if reviewed.contains(a.as_str()) {
            known.push((
                a,
                *billable,
                "unmonitored at the close of the previous period",
            ));
        } else {
            loose.push((a, *billable));
        }
    }
    loose.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    // Accounts named as left out on purpose that have no cost this period: said, not an error
    // (an account may be idle for a month).
    let idle: Vec<&String> = opts
        .unmonitored
        .iter()
        .filter(|a| !now.contains_key(*a))
        .collect();
    let grouped = now.values().filter(|(_, g)| g.is_some()).count();
    let loose_total: Decimal = loose.iter().map(|x| x.1).sum();
    let known_total: Decimal = known.iter().map(|x| x.1).sum();
    let mut detail = Vec::new();
    listed(
        loose
            .iter()
            .map(|(a, b)| {
                format!(
                    "in no billing group: {} (billable {})",
                    named(a),
                    fmt_grouped(*b)
                )
            })
            .collect(),
        &mut detail,
    );
    listed(
        known
            .iter()
            .map(|(a, b, why)| {
                format!(
                    "knowingly unmonitored: {} (billable {}; {why})",
                    named(a),
                    fmt_grouped(*b)
                )
            })
            .collect(),
        &mut detail,
    );
    listed(
        idle.iter()
            .map(|a| {
                format!(
                    "named with --unmonitored but without cost in {}: {}",
                    data.period,
                    named(a)
                )
            })
            .collect(),
        &mut detail,
    );
    let mut out = vec![MonthEndCheck {
        name: "accounts-grouped",
        key: None,
        status: if loose.is_empty() {
            Status::Pass
        } else {
            Status::Warn
        },
        title: if loose.is_empty() {
            format!(
                "accounts: {} in billing groups, {} knowingly unmonitored",
                grouped,
                known.len()
            )
        } else {
            format!(
                "accounts: {} in no billing group (billable {}); name those left out on purpose \
                 with --unmonitored",
                loose.len(),
                fmt_grouped(loose_total)
            )
        },
        detail,
        numbers: vec![
            ("Accounts", Number::Count(now.len() as u64)),
            ("Grouped", Number::Count(grouped as u64)),
            ("Unmonitored", Number::Count(loose.len() as u64)),
            ("UnmonitoredBillable", Number::Money(loose_total)),
            ("KnowinglyUnmonitored", Number::Count(known.len() as u64)),
            ("KnowinglyUnmonitoredBillable", Number::Money(known_total)),
        ],
    }];
    let previous = data.period.prev();
    out.push(match &before {
        None => MonthEndCheck {
            name: "new-accounts",
            key: None,
            status: Status::Warn,
            title: format!("new accounts: {previous} has no data to tell them by"),
            detail: Vec::new(),
            numbers: vec![],
        },
        Some(b) => {
            let new: Vec<(&String, &(Decimal, Option<usize>))> =
                now.iter().filter(|(a, _)| !b.contains_key(*a)).collect();
            let ungrouped = new.iter().filter(|(_, (_, g))| g.is_none()).count();
            let mut detail = Vec::new();
            listed(
                new.iter()
                    .map(|(a, (bill, g))| {
                        format!(
                            "new: {} in {} (billable {})",
                            named(a),
                            g.and_then(|g| data.config.groups.get(g))
                                .map_or("no billing group".to_string(), |g| {
                                    format!("billing group {}", g.name)
                                }),
                            fmt_grouped(*bill)
                        )
                    })
                    .collect(),
                &mut detail,
            );
            MonthEndCheck {
                name: "new-accounts",
                key: None,
                status: if ungrouped == 0 {
                    Status::Pass
                } else {
                    Status::Warn
                },
                title: format!(
                    "new accounts since {previous}: {}{}",
                    new.len(),
                    if ungrouped > 0 {
                        format!(", {ungrouped} in no billing group")
                    } else {
                        String::new()
                    }
                ),
                detail,
                numbers: vec![
                    ("New", Number::Count(new.len() as u64)),
                    ("NewUngrouped", Number::Count(ungrouped as u64)),
                ],
            }
        }
    });
    out
}

/// Check 5 for one payer's delivery.
fn delivery(ws: &Workspace, d: &crate::store::DeliveryRow) -> Result<MonthEndCheck, StoreError> {
    let imports = ws.delivery_imports(&d.payer, d.period)?;
    let sources = ws.delivery_sources(&d.payer, d.period)?;
    let mut detail: Vec<String> = sources
        .iter()
        .map(|s| {
            format!(
                "from {} ({} rows, imported {})",
                s.path, s.rows, s.imported_at
            )
        })
        .collect();
    let newest = imports.first();
    let latest = newest.is_none_or(|e| e.at == d.imported_at);
    if let Some(e) = newest
        && !latest
    {
        detail.push(format!(
            "the newest import of this delivery ({}) is not the one in force ({})",
            e.at, d.imported_at
        ));
    }
    let replaced = imports.iter().filter(|e| e.before.is_some()).count();
    if let Some(before) = newest.and_then(|e| e.before.as_deref()) {
        let v: serde_json::Value = serde_json::from_str(before).unwrap_or_default();
        let amount = |k: &str| {
            v.get(k)
                .and_then(serde_json::Value::as_str)
                .and_then(|s| s.parse::<Decimal>().ok())
        };
        if let (Some(b), Some(t)) = (amount("billable"), amount("tax")) {
            detail.push(format!(
                "replaced the delivery imported {}: billable {} -> {}, tax {} -> {}",
                v.get("imported_at")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("?"),
                fmt_grouped(b),
                fmt_grouped(d.billable),
                fmt_grouped(t),
                fmt_grouped(d.tax)
            ));
        }
    }
    // What the newest replacement changed, per account and service (largest first).
    let restated = ws.restatements(&d.payer, d.period)?;
    let replaced_now = newest.is_some_and(|e| e.before.is_some());
    if replaced_now && restated.is_empty() {
        detail.push(
            "the replacement changed no billable or tax amount of any (account, service); prices or usage may still differ (report --compare-to shows pro forma)".into(),
        );
    }
    if !restated.is_empty() {
        detail.push(format!(
            "the replacement changed {} (account, service) {}; largest first, billable + tax before -> after:",
            restated.len(),
            if restated.len() == 1 { "pair" } else { "pairs" }
        ));
        let shown: Vec<String> = restated
            .iter()
            .map(|r| {
                format!(
                    "  account {} {}: {} -> {} ({})",
                    r.account,
                    if r.service.is_empty() {
                        "(no service)"
                    } else {
                        &r.service
                    },
                    fmt_grouped(r.billable_before + r.tax_before),
                    fmt_grouped(r.billable_after + r.tax_after),
                    signed(r.change())
                )
            })
            .collect();
        listed_at_most(shown, 10, &mut detail);
    }
    let last_day = format!("{}-{:02}", d.period, d.period.days());
    let complete = d
        .last_day
        .as_deref()
        .is_some_and(|l| l >= last_day.as_str());
    let status = if !latest {
        Status::Fail
    } else if complete {
        Status::Pass
    } else {
        Status::Warn
    };
    let usage = format!(
        "usage {} to {}",
        d.first_day.as_deref().unwrap_or("?"),
        d.last_day.as_deref().unwrap_or("?")
    );
    Ok(MonthEndCheck {
        name: "delivery",
        key: Some(d.payer.clone()),
        status,
        title: format!(
            "delivery in force, payer {}: imported {}, {} rows, {usage}{}{}",
            d.payer,
            d.imported_at,
            d.rows,
            if complete {
                String::new()
            } else {
                format!("; the month runs to {last_day}: not the whole month")
            },
            if latest {
                ", the latest imported"
            } else {
                ", NOT the latest imported"
            }
        ),
        detail,
        numbers: vec![
            ("Rows", Number::Count(d.rows)),
            ("Billable", Number::Money(d.billable)),
            ("Tax", Number::Money(d.tax)),
            ("ImportedAt", Number::Text(d.imported_at.clone())),
            (
                "LastDay",
                Number::Text(d.last_day.clone().unwrap_or_default()),
            ),
            ("Replaced", Number::Count(replaced as u64)),
        ],
    })
}

/// Check 6.
fn restatement(
    ws: &Workspace,
    deliveries: &[crate::store::DeliveryRow],
    period: BillingPeriod,
) -> Result<MonthEndCheck, StoreError> {
    let newest = deliveries.iter().map(|d| d.period).max().unwrap_or(period);
    let later: BTreeSet<BillingPeriod> = deliveries
        .iter()
        .map(|d| d.period)
        .filter(|p| *p > period)
        .collect();
    let may = period >= newest.prev();
    // What the CUR itself says: rows carry `bill/InvoiceId` once AWS issued the invoice; rows
    // without one beside invoiced rows are not final yet.
    let (mut invoiced, mut open_rows, mut invoices) = (0u64, 0u64, BTreeSet::new());
    for d in deliveries.iter().filter(|d| d.period == period) {
        for i in ws.invoice_totals(&d.payer, period)? {
            if i.invoice_id.is_empty() {
                if !i.total().is_zero() {
                    open_rows += i.rows;
                }
            } else {
                invoiced += i.rows;
                invoices.insert(i.invoice_id);
            }
        }
    }
    let (status, title) = if invoiced > 0 && open_rows > 0 {
        (
            Status::Warn,
            format!(
                "{period} is not final: {open_rows} rows carry no invoice id beside {} invoiced (bill/InvoiceId); AWS has not invoiced all of the month",
                crate::text::count(invoices.len() as u64, "invoice")
            ),
        )
    } else if invoiced > 0 {
        (
            Status::Pass,
            format!(
                "{period} is final: every row carries its invoice id ({}); AWS may still issue credits or adjustments in a later month",
                crate::text::count(invoices.len() as u64, "invoice")
            ),
        )
    } else if may {
        (
            Status::Warn,
            format!(
                "{period} may still be restated: the newest month with data is {newest}, and its \
                 rows carry no invoice id (bill/InvoiceId: an estimate, or a CUR without the \
                 column); AWS finalises a month's invoice after it ends and can restate its CUR"
            ),
        )
    } else {
        (
            Status::Pass,
            format!(
                "{period} is unlikely to be restated: {} later months have data (newest {newest})",
                later.len()
            ),
        )
    };
    Ok(MonthEndCheck {
        name: "restatement",
        key: None,
        status,
        title,
        detail: Vec::new(),
        numbers: vec![
            ("NewestPeriod", Number::Text(newest.to_string())),
            ("LaterPeriods", Number::Count(later.len() as u64)),
            ("InvoicedRows", Number::Count(invoiced)),
            ("RowsWithoutInvoice", Number::Count(open_rows)),
        ],
    })
}

/// Check 7.
fn config_changes(ws: &Workspace, period: BillingPeriod) -> Result<MonthEndCheck, StoreError> {
    let previous = period.prev();
    let close = ws.last_close(previous)?;
    let closed_now = ws.is_closed(previous)?;
    let after = close.as_ref().map_or(0, |c| c.audit_id);
    let (rows, total) = ws.changes_since(after, period, MAX_LISTED)?;
    let mut detail: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {}: {}{}",
                r.at,
                r.period.as_deref().unwrap_or("-"),
                r.action,
                r.object,
                r.reason
                    .as_ref()
                    .map_or(String::new(), |x| format!(" ({x})"))
            )
        })
        .collect();
    if total > rows.len() as u64 {
        detail.push(format!("... and {} more", total - rows.len() as u64));
    }
    let since = match &close {
        Some(c) if closed_now => format!("since {previous} was closed ({})", c.at),
        Some(c) => format!(
            "since {previous} was closed ({}); it has been reopened since",
            c.at
        ),
        None => format!("in all ({previous} was never closed)"),
    };
    let status = if total == 0 && close.is_some() && closed_now {
        Status::Pass
    } else {
        Status::Warn
    };
    Ok(MonthEndCheck {
        name: "config-changes",
        key: None,
        status,
        title: format!("configuration changes reaching {period} {since}: {total}"),
        detail,
        numbers: vec![
            ("Changes", Number::Count(total)),
            (
                "PreviousClosedAt",
                Number::Text(close.map(|c| c.at).unwrap_or_default()),
            ),
        ],
    })
}

/// Check 8.
fn movement_check(
    m: Option<&MonthOverMonth>,
    unmatched: Option<String>,
    previous: BillingPeriod,
    opts: &Options,
) -> MonthEndCheck {
    let Some(m) = m else {
        return MonthEndCheck {
            name: "movements",
            key: None,
            status: Status::Warn,
            title: match unmatched {
                Some(why) => format!("month over month: not compared with {previous}: {why}"),
                None => format!("month over month: {previous} has no data to compare with"),
            },
            detail: Vec::new(),
            numbers: vec![],
        };
    };
    let flagged: Vec<&compare::Movement> = m
        .groups
        .iter()
        .filter(|g| {
            let d = g.delta().proforma.abs();
            d >= opts.min_change
                && d > Decimal::ZERO
                && match g.proforma_change() {
                    Change::New => true,
                    Change::None => false,
                    Change::Percent(p) => p.abs() >= opts.threshold_pct,
                }
        })
        .collect();
    let detail = flagged
        .iter()
        .map(|g| {
            let change = g.proforma_change();
            format!(
                "{}: pro forma {} -> {} ({}{}{})",
                g.name,
                fmt_grouped(g.base.proforma),
                fmt_grouped(g.current.proforma),
                if g.delta().proforma.is_sign_negative() {
                    ""
                } else {
                    "+"
                },
                fmt_grouped(g.delta().proforma),
                match change {
                    Change::Percent(_) => format!(", {}%", change.label()),
                    _ => format!(", {}", change.label()),
                }
            )
        })
        .collect();
    let t = &m.total;
    MonthEndCheck {
        name: "movements",
        key: None,
        status: if flagged.is_empty() {
            Status::Pass
        } else {
            Status::Warn
        },
        title: format!(
            "month over month vs {previous}: {} of {} billing groups moved by {}% and {} or more \
             (pro forma {} -> {}, {})",
            flagged.len(),
            m.groups.len(),
            crate::money::fmt_plain(opts.threshold_pct),
            fmt_grouped(opts.min_change),
            fmt_grouped(t.base.proforma),
            fmt_grouped(t.current.proforma),
            match t.proforma_change() {
                Change::Percent(p) => format!("{}%", crate::money::fmt_plain(p)),
                other => other.label(),
            }
        ),
        detail,
        numbers: vec![
            ("Flagged", Number::Count(flagged.len() as u64)),
            ("Groups", Number::Count(m.groups.len() as u64)),
            ("ThresholdPercent", Number::Percent(opts.threshold_pct)),
            ("MinChange", Number::Money(opts.min_change)),
            ("ProformaBefore", Number::Money(t.base.proforma)),
            ("Proforma", Number::Money(t.current.proforma)),
            ("ProformaDelta", Number::Money(t.delta().proforma)),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(period: &str) -> crate::store::DeliveryRow {
        crate::store::DeliveryRow {
            payer: "111111111111".into(),
            period: period.parse().unwrap(),
            rows: 1,
            billable: Decimal::ONE,
            tax: Decimal::ZERO,
            first_day: None,
            last_day: None,
            imported_at: String::new(),
            currency: "USD".into(),
        }
    }

    #[test]
    fn the_newest_month_and_the_one_before_may_be_restated() {
        let d: Vec<_> = ["2026-07", "2026-08", "2026-10"]
            .into_iter()
            .map(delivery)
            .collect();
        // An empty workspace: no invoice ids recorded, so the months are judged by the data.
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("w.proforma")).unwrap();
        let status = |p: &str| restatement(&ws, &d, p.parse().unwrap()).unwrap().status;
        assert_eq!(status("2026-10"), Status::Warn);
        // The month before the newest, even without data of its own in between.
        assert_eq!(status("2026-09"), Status::Warn);
        assert_eq!(status("2026-08"), Status::Pass);
        assert_eq!(status("2026-07"), Status::Pass);
        assert_eq!(
            restatement(&ws, &d, "2026-08".parse().unwrap())
                .unwrap()
                .numbers[1],
            ("LaterPeriods", Number::Count(1))
        );
    }

    #[test]
    fn the_worst_status_wins_and_long_lists_are_cut() {
        assert!(Status::Fail > Status::Warn && Status::Warn > Status::Pass);
        let mut out = Vec::new();
        listed(
            (0..MAX_LISTED + 3).map(|i| i.to_string()).collect(),
            &mut out,
        );
        assert_eq!(out.len(), MAX_LISTED + 1);
        assert_eq!(out.last().unwrap(), "... and 3 more");
    }
}
