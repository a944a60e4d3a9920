//! `proforma export --kind proforma-cur` (issue 12 item 5): a billing group's pro forma CUR,
//! written by [`crate::month_end::proforma_cur`] (README "Pro forma CUR").

use super::export::{Args, Audience, ExportFormat};
use super::progress::TermProgress;
use crate::analysis::Analysis;
use crate::import::{Progress, Quiet};
use crate::money::fmt_plain;
use crate::month_end::proforma_cur::{export, file_name, group_payers};
use crate::store::Workspace;
use color_eyre::eyre::{bail, eyre};
use std::path::{Path, PathBuf};

/// Runs the export: one group to `--out`, or with `--all` every group of the period to
/// `--out/proforma-cur-GROUP-PERIOD.csv.gz`. Every file is checked and written before any is
/// put in place.
///
/// # Errors
/// An unknown period or group, `--format` other than csv, a source file that is missing or
/// changed since its import, a delivery without raw rows (a cube, FOCUS), an output that
/// cannot be written ([`crate::month_end::proforma_cur::ExportError`]).
pub fn run(path: &Path, args: &Args<'_>) -> color_eyre::Result<()> {
    if let Some(f) = args.format
        && f != ExportFormat::Csv
    {
        let f = match f {
            ExportFormat::Md => "md",
            _ => "html",
        };
        bail!(
            "--format {f} is for statements: the pro forma CUR is CSV (gzip when --out ends in .gz)"
        );
    }
    let ws = Workspace::open_for_reading(path)?;
    let period = args.period;
    if !ws.deliveries()?.iter().any(|d| d.period == period) {
        bail!(
            "no cost data for period {period} in {}: import the month's CUR first",
            path.display()
        );
    }
    let analysis = Analysis::load(&ws, period)?;
    let groups: Vec<usize> = if args.all {
        if analysis.config.groups.is_empty() {
            bail!("no billing groups in {period}: there is nothing to export");
        }
        // Level-2 transfer groups are the downstream seller's to bill.
        (0..analysis.config.groups.len())
            .filter(|&g| analysis.listed_group(g))
            .collect()
    } else {
        let key = args
            .group
            .ok_or_else(|| eyre!("--group or --all is required"))?;
        let g = analysis.group_index(key)?;
        analysis.refuse_level_two(g)?;
        vec![g]
    };
    let targets: Vec<PathBuf> = if args.all {
        if args.out.exists() && !args.out.is_dir() {
            bail!(
                "{} is not a directory: with --all, --out names the directory to write one file per group into",
                args.out.display()
            );
        }
        let names: Vec<&str> = groups
            .iter()
            .map(|&g| analysis.config.groups[g].name.as_str())
            .collect();
        crate::month_end::statement::unique_slugs(&names)
            .into_iter()
            .map(|slug| args.out.join(file_name(&slug, period)))
            .collect()
    } else {
        if args.out.is_dir() {
            bail!(
                "{} is a directory: --out names the file to write (a directory only with --all)",
                args.out.display()
            );
        }
        vec![args.out.to_path_buf()]
    };

    // Existing files are replaced only with --force, and checked before anything is read.
    crate::month_end::proforma_cur::check_targets(&targets, args.force, args.all)?;
    let term = TermProgress::for_stderr();
    let progress: &dyn Progress = match &term {
        Some(t) => t,
        None => &Quiet,
    };
    // A directory made here is removed again when nothing could be written into it.
    let made = args.all && !args.out.exists();
    if made {
        std::fs::create_dir_all(args.out)
            .map_err(|e| eyre!("{}: cannot create the directory: {e}", args.out.display()))?;
    }
    let pairs: Vec<(usize, PathBuf)> = groups.iter().copied().zip(targets).collect();
    let summaries = export(
        &ws,
        &analysis,
        &pairs,
        args.audience == Some(Audience::Customer),
        &crate::sample_data::embedded,
        progress,
    )
    .inspect_err(|_| {
        if made {
            let _ = std::fs::remove_dir(args.out);
        }
    })?;
    for (s, (g, out)) in summaries.into_iter().zip(&pairs) {
        let (g, out) = (*g, out.as_path());
        let group = &analysis.config.groups[g];
        // The report shows the group's pro forma footed to the groups' total (SPEC 5): it may
        // differ from the file's sum rounded by a cent, which is said.
        let shown = analysis
            .shown_invoice()
            .groups
            .get(g)
            .and_then(|r| r.proforma)
            .unwrap_or_default();
        let rounded = crate::money::round2(s.total);
        let report = if rounded == shown {
            "as the report shows it".to_string()
        } else {
            format!(
                "the report shows {}, footed so the groups add up to its total",
                fmt_plain(shown)
            )
        };
        let currency = group_payers(&analysis, g)
            .first()
            .map_or("USD", |p| analysis.payer_currency(p))
            .to_string();
        let left: Vec<String> = s.left_out.iter().map(|(t, n)| format!("{n} {t}")).collect();
        super::table::print_safe(
            &format!(
                "wrote {}: billing group {} {period}, {} {} rows and {} custom line item rows; pro forma {} {currency} ({}){}\n",
                out.display(),
                group.name,
                s.rows,
                s.layout,
                s.item_rows,
                fmt_plain(s.total),
                report,
                if left.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; left out (not part of pro forma): {} rows",
                        left.join(", ")
                    )
                }
            ),
            false,
        )?;
    }
    Ok(())
}
