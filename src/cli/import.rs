use super::progress::TermProgress;
use crate::cur::Source;
use crate::import::{self, Quiet};
use crate::money::fmt_grouped;
use crate::store::{CommitReport, DeliveryStatus, Workspace};
use std::path::{Path, PathBuf};

pub fn run(path: &Path, files: &[PathBuf]) -> color_eyre::Result<()> {
    let mut ws = Workspace::open(path)?;
    let sources: Vec<Source> = files.iter().map(|f| Source::File(f.clone())).collect();
    let report = match TermProgress::for_stderr() {
        Some(p) => import::import(&mut ws, &sources, &p)?,
        None => import::import(&mut ws, &sources, &Quiet)?,
    };
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    print_summary(&report);
    Ok(())
}

/// One line per (payer, period): rows, billable total and tax in the delivery's own currency
/// (SPEC 5), first and last usage day.
pub fn print_summary(report: &CommitReport) {
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
        println!(
            "payer {} period {}: {status}, {} rows, billable {} {cur}, tax {} {cur}, {days}",
            d.payer,
            d.period,
            d.rows,
            fmt_grouped(d.billable),
            fmt_grouped(d.tax),
            cur = d.currency,
        );
    }
    if report.accounts_changed > 0 {
        println!("accounts: {} updated", report.accounts_changed);
    }
}
