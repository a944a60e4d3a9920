//! `proforma export` (SPEC 6, issue 12 items 4 and 5), and `close` / `reopen` (SPEC 3): the
//! files a month end hands out, and the period lock that makes them reproducible.
//!
//! The kinds live in their own modules: [`super::statement`] (what a billing group's customer
//! receives), [`super::proforma_cur`] (the group's rows in AWS's pro forma CUR layout) and
//! [`super::comparison_export`] (two states of a period side by side).

use crate::period::BillingPeriod;
use crate::store::Workspace;
use clap::ValueEnum;
use color_eyre::eyre::eyre;
use std::path::Path;

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportKind {
    /// A billing group's statement: pro forma by service (and account), custom line items,
    /// tax, total; customer output
    Statement,
    /// The group's rows in the legacy CUR layout with the pro forma in the cost columns, as
    /// Billing Conductor's pro forma CUR
    ProformaCur,
    /// Two states of the period side by side (`--scenario A --compare-to B|baseline`), as
    /// `report --compare-to` shows them; customer (pro forma only, one group) or internal
    Comparison,
}

/// The file format of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Md,
    Html,
}

/// Who receives an output (issue 13 item 5): a customer sees only pro forma.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Audience {
    Customer,
    Internal,
}

/// The arguments of one `export` command.
#[derive(Debug, Clone, Copy)]
pub struct Args<'a> {
    pub period: BillingPeriod,
    /// One group (name or ARN); None with `all`.
    pub group: Option<&'a str>,
    pub all: bool,
    pub kind: ExportKind,
    pub out: &'a Path,
    pub format: Option<ExportFormat>,
    pub audience: Option<Audience>,
    /// Statements: pass the tax of the group's rows on as its own line.
    pub with_tax: bool,
    /// Replace existing files at the target paths.
    pub force: bool,
    /// Comparisons: the state reported (a scenario of the period; None: its baseline).
    pub scenario: Option<&'a str>,
    /// Comparisons: what it is compared with (`baseline`, a scenario, a period).
    pub compare_to: Option<&'a str>,
}

/// Runs `export`.
///
/// # Errors
/// What the kind reports: an unknown group or period, a file that cannot be written, a source
/// file that changed since its import.
pub fn run(path: &Path, args: &Args<'_>) -> color_eyre::Result<()> {
    if args.kind != ExportKind::Comparison && (args.scenario.is_some() || args.compare_to.is_some())
    {
        color_eyre::eyre::bail!(
            "--scenario and --compare-to are for --kind comparison; nothing was written"
        );
    }
    match args.kind {
        ExportKind::Statement => super::statement::run(path, args),
        ExportKind::ProformaCur => super::proforma_cur::run(path, args),
        ExportKind::Comparison => super::comparison_export::run(path, args),
    }
}

/// Runs `close`: closes the period with a note (SPEC 3), audited.
///
/// # Errors
/// A period already closed, or one without data; the store's.
pub fn close(path: &Path, period: BillingPeriod, note: &str) -> color_eyre::Result<()> {
    let mut ws = Workspace::open(path)?;
    if !ws.deliveries()?.iter().any(|d| d.period == period) {
        return Err(eyre!(
            "no cost data for period {period} in {}: there is nothing to close",
            path.display()
        ));
    }
    ws.close_period(period, note.trim())?;
    println!("closed {period}");
    Ok(())
}

/// Runs `reopen`: reopens a closed period; the reason is required and audited (SPEC 3).
///
/// # Errors
/// A period that is not closed, an empty reason; the store's.
pub fn reopen(path: &Path, period: BillingPeriod, reason: &str) -> color_eyre::Result<()> {
    let mut ws = Workspace::open(path)?;
    ws.reopen_period(period, reason.trim())?;
    println!("reopened {period}");
    Ok(())
}

/// The format of a file export (statements, comparisons): `--format`, else the extension of
/// `--out` (unless `directory`: `--all` writes a directory), else HTML. An extension that is
/// not one of the formats (`.gz`, `.pdf`), or one that contradicts `--format`, is refused: the
/// file would not hold what its name says. `what` names the kind in the message.
pub(super) fn file_format(
    args: &Args<'_>,
    directory: bool,
    what: &str,
) -> color_eyre::Result<crate::month_end::statement::Format> {
    use crate::month_end::statement::Format;
    let ext = if directory {
        None
    } else {
        args.out
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
    };
    let from_ext = match ext.as_deref() {
        None => None,
        Some("csv") => Some(Format::Csv),
        Some("md" | "markdown") => Some(Format::Md),
        Some("html" | "htm") => Some(Format::Html),
        Some(other) => color_eyre::eyre::bail!(
            "--out {}: .{other} is not a {what} format (.csv, .md or .html); nothing was written",
            args.out.display()
        ),
    };
    let asked = args.format.map(|f| match f {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Md => Format::Md,
        ExportFormat::Html => Format::Html,
    });
    match (asked, from_ext) {
        (Some(a), Some(e)) if a != e => color_eyre::eyre::bail!(
            "--format {} but --out {} names a .{} file; nothing was written",
            a.extension(),
            args.out.display(),
            e.extension()
        ),
        (Some(a), _) => Ok(a),
        (None, Some(e)) => Ok(e),
        (None, None) => Ok(Format::Html),
    }
}
