use super::progress::TermProgress;
use crate::cur::Source;
use crate::import::{self, ImportError, Quiet};
use crate::money::fmt_grouped;
use crate::store::{CommitReport, DeliveryStatus, StoreError, Workspace};
use color_eyre::eyre::eyre;
use std::path::{Path, PathBuf};

/// Names the workspace in store errors that do not name it themselves (issue 8 item 11:
/// every error names the file it is about).
fn in_workspace(path: &Path, e: StoreError) -> color_eyre::Report {
    match e {
        e @ (StoreError::Sqlite(_)
        | StoreError::Busy
        | StoreError::ClosedPeriod(_)
        | StoreError::BadStoredNumber(_)) => eyre!("{}: {e}", path.display()),
        other => other.into(),
    }
}

pub fn run(path: &Path, files: &[PathBuf]) -> color_eyre::Result<()> {
    // A mistyped budget is refused before anything is read, not replaced by the default.
    crate::cur::import_budget().map_err(|e| eyre!(e))?;
    let mut ws = Workspace::open(path).map_err(|e| in_workspace(path, e))?;
    let sources: Vec<Source> = files.iter().map(|f| Source::File(f.clone())).collect();
    let result = match TermProgress::for_stderr() {
        Some(p) => import::import(&mut ws, &sources, &p),
        None => import::import(&mut ws, &sources, &Quiet),
    };
    let report = result.map_err(|e| match e {
        ImportError::Store(s) => in_workspace(path, s),
        ImportError::Read(r) => r.into(),
    })?;
    for w in &report.warnings {
        // File names may hold anything (issue 8 item 10): shown escaped.
        let line = format!("warning: {w}");
        eprintln!(
            "{}",
            crate::text::escape(&line, crate::text::Keep::LinesAndTabs)
        );
    }
    print_summary(&report)?;
    // What each input was read as, when the import brought anything (a header-only file
    // prints nothing on stdout).
    if !report.deliveries.is_empty() || report.accounts_changed > 0 {
        print_formats(files)?;
    }
    Ok(())
}
/// `import --proforma-of GROUP`: the files are AWS's pro forma CUR of one billing group; they
/// are kept as its AWS pro forma for their period ([`crate::aws_proforma::import`]). Prints
/// one line: what was stored (or replaced), its rows and totals, and where it shows.
pub fn run_proforma_of(path: &Path, files: &[PathBuf], group: &str) -> color_eyre::Result<()> {
    use crate::aws_proforma::AwsProformaError;
    use crate::store::aws_proforma::AwsProformaStatus;
    let mut ws = Workspace::open(path).map_err(|e| in_workspace(path, e))?;
    // A manifest (a billing-group view's Data Export comes with one) stands for its parts.
    let mut parts: Vec<PathBuf> = Vec::with_capacity(files.len());
    for f in files {
        match crate::cur::manifest::sniff(f)? {
            Some(m) => parts.extend(m.parts.iter().map(|p| p.path.clone())),
            None => parts.push(f.clone()),
        }
    }
    let outcome =
        crate::aws_proforma::import(&mut ws, &parts, group, &|_| {}).map_err(|e| match e {
            AwsProformaError::Store(s) => in_workspace(path, s),
            AwsProformaError::Read(r) => r.into(),
            AwsProformaError::Refused(m) => eyre!("{m}"),
        })?;
    for w in &outcome.warnings {
        let line = format!("warning: {w}");
        eprintln!(
            "{}",
            crate::text::escape(&line, crate::text::Keep::LinesAndTabs)
        );
    }
    let status = match outcome.status {
        AwsProformaStatus::New => "imported",
        AwsProformaStatus::Replaced => "replaced the one imported before",
        AwsProformaStatus::Unchanged => "unchanged (the same amounts were imported before)",
    };
    let out = format!(
        "AWS pro forma of billing group '{}' period {}: {status}, {}, pro forma {} {cur}, tax {} {cur}; \
         not billable data: shown beside proforma's in `report --group` and `explain`\n",
        outcome.group_name,
        outcome.period,
        crate::text::count(outcome.rows, "row"),
        fmt_grouped(outcome.proforma),
        fmt_grouped(outcome.tax),
        cur = outcome.currency,
    );
    super::table::print_safe(&out, false)?;
    Ok(())
}

/// One line per input naming what it was read as ("CUR 2.0 CSV (gzip)", a manifest and its
/// parts), from the detection the import used; printed terminal-safe.
fn print_formats(files: &[PathBuf]) -> std::io::Result<()> {
    use std::fmt::Write;
    let mut out = String::new();
    let name = |p: &Path| -> String {
        match crate::cur::detect::detect(&Source::File(p.to_path_buf())) {
            Ok(f) => f.name().to_string(),
            Err(_) => "unknown".to_string(),
        }
    };
    for f in files {
        match crate::cur::manifest::sniff(f) {
            Ok(Some(m)) => {
                let _ = writeln!(
                    out,
                    "read {}: {}, {}",
                    f.display(),
                    m.kind.name(),
                    crate::text::count(m.parts.len() as u64, "part")
                );
                for part in &m.parts {
                    let _ = writeln!(out, "  {}: {}", part.path.display(), name(&part.path));
                }
            }
            _ => {
                let _ = writeln!(out, "read {}: {}", f.display(), name(f));
            }
        }
    }
    super::table::print_safe(&out, false)
}
/// One line per (payer, period): rows, billable total and tax in the delivery's own currency
/// (SPEC 5), first and last usage day; printed terminal-safe.
///
/// Errors: writing to stdout failed (a closed pipe is not an error).
pub fn print_summary(report: &CommitReport) -> std::io::Result<()> {
    use std::fmt::Write;
    let mut out = String::new();
    for d in &report.deliveries {
        let status = match d.status {
            DeliveryStatus::New => "imported",
            DeliveryStatus::Replaced => "replaced",
            DeliveryStatus::Unchanged => "unchanged",
        };
        let days = match (&d.first_day, &d.last_day) {
            (Some(a), Some(b)) => format!("usage {a} to {b}"),
            _ => "no usage dates".to_string(),
        };
        let _ = writeln!(
            out,
            "payer {} period {}: {status}, {}, billable {} {cur}, tax {} {cur}, {days}",
            d.payer,
            d.period,
            crate::text::count(d.rows, "row"),
            fmt_grouped(d.billable),
            fmt_grouped(d.tax),
            cur = d.currency,
        );
    }
    if report.accounts_changed > 0 {
        let _ = writeln!(out, "accounts: {} updated", report.accounts_changed);
    }
    super::table::print_safe(&out, false)
}
