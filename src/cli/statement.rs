//! `proforma export --kind statement` (issue 12 item 4): a billing group's statement for a
//! period as CSV, Markdown or HTML ([`crate::month_end::statement`]), one file, or one per
//! group with `--all`; each issue recorded in the workspace ([`crate::store::statements`]).
//!
//! Files are written all or nothing ([`statement_files::issue`]).

use super::export::{Args, Audience};
use crate::month_end::statement::Format;
use crate::month_end::statement_files;
use crate::store::Workspace;
use color_eyre::eyre::bail;
use std::path::Path;

/// The statement format asked for ([`super::export::file_format`]); `--all` (a directory)
/// takes no extension.
fn format_of(args: &Args<'_>) -> color_eyre::Result<Format> {
    super::export::file_format(args, args.all || args.out.is_dir(), "statement")
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
