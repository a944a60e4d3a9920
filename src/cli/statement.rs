//! `proforma export --kind statement` (issue 12 item 4): a billing group's statement for a
//! period as CSV, Markdown or HTML ([`crate::month_end::statement`]), one file, or one per
//! group with `--all`; each issue recorded in the workspace ([`crate::store::statements`]).
//!
//! Files are written all or nothing ([`statement_files::issue`]).

use super::export::{Args, Audience, ExportFormat};
use crate::month_end::statement::Format;
use crate::month_end::statement_files;
use crate::store::Workspace;
use color_eyre::eyre::bail;
use std::path::Path;

/// The statement format asked for: `--format`, else the extension of `--out` (one file),
/// else HTML.
fn format_of(args: &Args<'_>) -> Format {
    let from_ext = || {
        let ext = args.out.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "md" | "markdown" => Some(Format::Md),
            "html" | "htm" => Some(Format::Html),
            _ => None,
        }
    };
    match args.format {
        Some(ExportFormat::Csv) => Format::Csv,
        Some(ExportFormat::Md) => Format::Md,
        Some(ExportFormat::Html) => Format::Html,
        None if !args.all => from_ext().unwrap_or(Format::Html),
        None => Format::Html,
    }
}

/// Runs the export.
///
/// # Errors
/// No data for the period, an unknown group, `--audience internal`, a target that exists
/// (without `--force`) or cannot be written, amounts in several currencies; the store's.
/// Nothing is written then.
pub fn run(path: &Path, args: &Args<'_>) -> color_eyre::Result<()> {
    if args.audience == Some(Audience::Internal) {
        bail!(
            "a statement is what a billing group's customer receives (pro forma only): --audience internal does not apply to --kind statement"
        );
    }
    let mut ws = Workspace::open(path)?;
    let issued = statement_files::issue(
        &mut ws,
        &statement_files::Request {
            period: args.period,
            group: args.group,
            all: args.all,
            out: args.out,
            format: format_of(args),
            with_tax: args.with_tax,
            force: args.force,
        },
    )?;
    let period = args.period;
    for f in issued {
        println!(
            "statement {} {} {period}{} -> {} (sha256 {})",
            f.number,
            crate::text::escape(&f.group_name, crate::text::Keep::Nothing),
            if f.draft {
                " (draft: period not closed)"
            } else {
                ""
            },
            crate::text::escape(&f.path.display().to_string(), crate::text::Keep::Nothing),
            &f.sha256[..12]
        );
    }
    Ok(())
}
