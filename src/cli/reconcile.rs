//! `proforma reconcile`: the month-end checks of a period ([`crate::month_end`]) as a table
//! (one line per check, its details indented under it) or JSON; exit 1 when a check fails.
//!
//! JSON shape (stable; money as strings with 2 decimals, counts as numbers):
//! ```text
//! {"BillingPeriod": "2026-10", "ComparedTo": "2026-09", "Currency": "USD", "Closed": false,
//!  "Status": "warn",
//!  "Summary": {"Pass": 9, "Warn": 4, "Fail": 0},
//!  "Checks": [{"Name": "invoice-tie-out", "Key": "210987654321", "Status": "pass",
//!              "Title": "...", "Detail": ["..."],
//!              "Numbers": {"CurTotal": "28424.39", "CurBillable": "26372.00", ...}}]}
//! ```
//! `Key` is absent for checks that are not per payer or group.

use crate::money::fmt_plain;
use crate::month_end::{self, Entered, MonthEndCheck, Number, Reconciliation, Status};
use crate::period::BillingPeriod;
use crate::store::Workspace;
use color_eyre::eyre::bail;
use rust_decimal::Decimal;
use serde::Serialize;
use std::path::Path;

/// Reconcile's output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReconcileFormat {
    Table,
    Json,
}

/// What `reconcile` was given.
pub struct Args<'a> {
    pub period: BillingPeriod,
    pub invoice_total: Option<Decimal>,
    pub invoices: Option<&'a Path>,
    pub options: month_end::Options,
    pub format: ReconcileFormat,
}

/// clap's parser of an entered amount (a usage error when it is not one).
pub fn amount_arg(text: &str) -> Result<Decimal, String> {
    month_end::invoices::parse_amount(text)
}

/// clap's parser of a non-negative amount or percentage.
pub fn non_negative_arg(text: &str) -> Result<Decimal, String> {
    let d: Decimal = text
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("'{text}' is not a number"))?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(format!("'{text}' is negative"));
    }
    Ok(d)
}

/// Runs `reconcile`: prints the checks; a failing check is an error (exit 1) after printing.
///
/// # Errors
/// The workspace or invoices file cannot be read or is refused; the period has no data;
/// a check failed.
pub fn run(path: &Path, args: &Args<'_>) -> color_eyre::Result<()> {
    let entered = match (args.invoice_total, args.invoices) {
        (Some(t), _) => Entered::Total(t),
        (None, Some(file)) => {
            Entered::Invoices(file.display().to_string(), month_end::invoices::read(file)?)
        }
        (None, None) => Entered::Nothing,
    };
    let ws = Workspace::open_for_reading(path)?;
    let r = month_end::reconcile(&ws, args.period, &entered, &args.options)?;
    let out = match args.format {
        ReconcileFormat::Table => table(&r),
        ReconcileFormat::Json => super::report::json_pretty(&Json::of(&r))?,
    };
    super::table::print_safe(&out, args.format == ReconcileFormat::Json)?;
    let failed = r.count(Status::Fail);
    if failed > 0 {
        bail!(
            "{failed} month-end check{} of {} failed (see FAIL above)",
            if failed == 1 { "" } else { "s" },
            r.period
        );
    }
    Ok(())
}

/// The checks as text: a title line, one line per check (`PASS`/`WARN`/`FAIL` and its
/// outcome), its details indented under it, and a summary line.
pub fn table(r: &Reconciliation) -> String {
    let mut out = format!(
        "Month-end checks {} ({}), {}; compared with {}\n",
        r.period,
        if r.closed { "closed" } else { "open" },
        r.currency,
        r.previous
    );
    for c in &r.checks {
        out.push_str(&format!("{}  {}\n", c.status.label(), c.title));
        for d in &c.detail {
            out.push_str(&format!("        {d}\n"));
        }
    }
    out.push_str(&format!(
        "Result: {}: {} failed, {} to look at, {} passed\n",
        r.status().label(),
        r.count(Status::Fail),
        r.count(Status::Warn),
        r.count(Status::Pass)
    ));
    out
}

#[derive(Serialize)]
struct Json<'a> {
    #[serde(rename = "BillingPeriod")]
    period: String,
    #[serde(rename = "ComparedTo")]
    compared_to: String,
    #[serde(rename = "Currency")]
    currency: &'a str,
    #[serde(rename = "Closed")]
    closed: bool,
    #[serde(rename = "Status")]
    status: Status,
    #[serde(rename = "Summary")]
    summary: Summary,
    #[serde(rename = "Checks")]
    checks: Vec<JsonCheck<'a>>,
}

#[derive(Serialize)]
struct Summary {
    #[serde(rename = "Pass")]
    pass: usize,
    #[serde(rename = "Warn")]
    warn: usize,
    #[serde(rename = "Fail")]
    fail: usize,
}

#[derive(Serialize)]
struct JsonCheck<'a> {
    #[serde(rename = "Name")]
    name: &'a str,
    #[serde(rename = "Key", skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    #[serde(rename = "Status")]
    status: Status,
    #[serde(rename = "Title")]
    title: &'a str,
    #[serde(rename = "Detail")]
    detail: &'a [String],
    #[serde(rename = "Numbers")]
    numbers: Numbers<'a>,
}

/// The numbers as a JSON object in the check's order.
struct Numbers<'a>(&'a [(&'static str, Number)]);

impl Serialize for Numbers<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            match v {
                Number::Money(d) | Number::Percent(d) => m.serialize_entry(k, &fmt_plain(*d))?,
                Number::Count(n) => m.serialize_entry(k, n)?,
                Number::Text(t) => m.serialize_entry(k, t)?,
            }
        }
        m.end()
    }
}

impl<'a> Json<'a> {
    fn of(r: &'a Reconciliation) -> Self {
        Json {
            period: r.period.to_string(),
            compared_to: r.previous.to_string(),
            currency: &r.currency,
            closed: r.closed,
            status: r.status(),
            summary: Summary {
                pass: r.count(Status::Pass),
                warn: r.count(Status::Warn),
                fail: r.count(Status::Fail),
            },
            checks: r.checks.iter().map(JsonCheck::of).collect(),
        }
    }
}

impl<'a> JsonCheck<'a> {
    fn of(c: &'a MonthEndCheck) -> Self {
        JsonCheck {
            name: c.name,
            key: c.key.as_deref(),
            status: c.status,
            title: &c.title,
            detail: &c.detail,
            numbers: Numbers(&c.numbers),
        }
    }
}
