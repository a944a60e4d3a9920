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
/// else HTML (`--all`, or `--out` without an extension). An extension that is not a
/// statement format (`.gz`, `.pdf`), or one that contradicts `--format`, is refused: the
/// file would not hold what its name says.
fn format_of(args: &Args<'_>) -> color_eyre::Result<Format> {
    let ext = if args.all || args.out.is_dir() {
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
        Some(other) => bail!(
            "--out {}: .{other} is not a statement format (.csv, .md or .html); nothing was written",
            args.out.display()
        ),
    };
    let asked = args.format.map(|f| match f {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Md => Format::Md,
        ExportFormat::Html => Format::Html,
    });
    match (asked, from_ext) {
        (Some(a), Some(e)) if a != e => bail!(
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
            format: format_of(args)?,
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
