//! `proforma export --kind comparison` (issue 14 item 1): the comparison `report --scenario A
//! --compare-to B|baseline` prints, written to one file as CSV, Markdown or self-contained
//! HTML (inline CSS, no external resources; a browser prints it to PDF), for a customer or
//! for internal use.
//!
//! - `--audience customer` (the default: a file is what gets handed out): pro forma only, of
//!   both states and their difference (B | A | Δ | Δ%), per billing group and per group x
//!   service code. Never AWS cost, margin, margin %, ARNs, pricing plan, rule or custom line
//!   item names. It is one billing group's (`--group G` is required): the other groups' pro
//!   forma is not that customer's.
//! - `--audience internal`: AWS cost, pro forma, margin and margin % of both states and
//!   their differences, as `report --compare-to` shows them; one group (`--group`) or every
//!   group (no `--group`, or `--all`).
//!
//! Amounts are the report's, shown as SPEC 5 says (footed; a Δ is the difference of the shown
//! numbers; percentages from exact values). The file is written all or nothing: an existing
//! target is refused unless `--force`, and the text goes to a temporary file beside the
//! target that is renamed over it. Like a statement, it holds no wall-clock time.

use super::compare::{self, Grid, Layout};
use super::export::{Args, Audience};
use crate::money::fmt_grouped;
use crate::month_end::compare::MonthOverMonth;
use crate::month_end::statement::Format;
use color_eyre::eyre::{WrapErr, bail};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// The comparison format asked for ([`super::export::file_format`]).
fn format_of(args: &Args<'_>) -> color_eyre::Result<Format> {
    super::export::file_format(args, false, "comparison")
}

/// Runs `export --kind comparison`.
///
/// # Errors
/// No `--compare-to`, a customer comparison without `--group`, an unknown scenario or group,
/// a period without data, the same state on both sides, a target that exists (without
/// `--force`) or cannot be written. Nothing is written then.
pub fn run(path: &Path, args: &Args<'_>) -> color_eyre::Result<()> {
    let Some(compare_to) = args.compare_to else {
        bail!(
            "--kind comparison needs --compare-to (baseline, a scenario of the period, or a period) and usually --scenario A; nothing was written"
        );
    };
    let audience = args.audience.unwrap_or(Audience::Customer);
    let group = if args.all { None } else { args.group };
    if audience == Audience::Customer && group.is_none() {
        bail!(
            "a customer comparison is one billing group's (add --group G): the other groups' pro forma is not that customer's; for every group use --audience internal. Nothing was written"
        );
    }
    let format = format_of(args)?;
    if args.out.is_dir() {
        bail!(
            "--out {} is a directory: a comparison is one file; nothing was written",
            args.out.display()
        );
    }
    if args.out.exists() && !args.force {
        bail!(
            "{} exists: not replaced (--force replaces it); nothing was written",
            args.out.display()
        );
    }
    let mut m = compare::load(path, args.period, args.scenario, compare_to, group)?;
    let layout = match audience {
        Audience::Customer => Layout::Customer,
        Audience::Internal => Layout::Internal,
    };
    // Scenario names are the analyst's (`price-rise`, `target-media`): a customer reads the
    // two options, not what they were called inside.
    if layout == Layout::Customer {
        for (label, neutral) in [
            (&mut m.current_label, "option A"),
            (&mut m.base_label, "option B"),
        ] {
            let start = label.find("scenario '");
            let end = start.and_then(|i| label[i + 10..].find('\'').map(|e| i + 10 + e + 1));
            if let (Some(i), Some(e)) = (start, end) {
                label.replace_range(i..e, neutral);
            }
        }
    }
    let text = render(&m, layout, format)?;
    write_atomically(args.out, text.as_bytes())?;
    println!(
        "comparison ({}, {}) -> {}",
        match audience {
            Audience::Customer => "customer: pro forma only",
            Audience::Internal => "internal",
        },
        format.extension(),
        crate::text::escape(&args.out.display().to_string(), crate::text::Keep::Nothing)
    );
    Ok(())
}

/// The comparison as the file's text.
///
/// # Errors
/// CSV writing (in memory; does not fail in practice).
pub fn render(m: &MonthOverMonth, layout: Layout, format: Format) -> color_eyre::Result<String> {
    Ok(match format {
        Format::Csv => compare::csv_text(m, layout)?,
        Format::Md => {
            let mut s = compare::markdown(m, layout, "# Pro forma comparison");
            let _ = write!(s, "\n{}\n", compare::md_cell(&footnote(m, layout)));
            s
        }
        Format::Html => html(m, layout),
    })
}

/// What the numbers are, under the tables.
fn footnote(m: &MonthOverMonth, layout: Layout) -> String {
    let what = match layout {
        Layout::Customer => "Pro forma amounts",
        Layout::Internal => {
            "AWS cost (billable, tax excluded), pro forma, margin (pro forma minus AWS cost) and margin % (of AWS cost, from exact amounts; its Δ in percentage points)"
        }
    };
    format!(
        "{what} in {}, rounded to the cent; the rows add up to the totals and every Δ is the difference of the amounts shown. Δ% is the change in percent of the amount compared with; `new` where that amount is zero.",
        m.currency
    )
}

fn html_text(s: &str) -> String {
    let one = crate::text::escape(s, crate::text::Keep::Nothing);
    let mut out = String::with_capacity(one.len());
    for c in one.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html(m: &MonthOverMonth, layout: Layout) -> String {
    let grid = Grid::of(m, layout, fmt_grouped);
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(s, "<title>{}</title>", html_text(&compare::title(m)));
    s.push_str(STYLE);
    s.push_str("</head>\n<body>\n<h1>Pro forma comparison</h1>\n");
    let _ = writeln!(s, "<p>{}</p>", html_text(&compare::title(m)));
    let table = |s: &mut String, first: &[&str], rows: Vec<Vec<String>>| {
        s.push_str("<table>\n<thead><tr>");
        for h in first {
            let _ = write!(s, "<th>{}</th>", html_text(h));
        }
        for h in &grid.heads {
            let _ = write!(s, "<th class=\"num\">{}</th>", html_text(h));
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for r in rows {
            s.push_str("<tr>");
            for (i, c) in r.iter().enumerate() {
                if i < first.len() {
                    let _ = write!(s, "<td>{}</td>", html_text(c));
                } else {
                    let _ = write!(s, "<td class=\"num\">{}</td>", html_text(c));
                }
            }
            s.push_str("</tr>\n");
        }
        let _ = write!(
            s,
            "</tbody>\n<tbody class=\"totals\">\n<tr class=\"total\"><th colspan=\"{}\">Total</th>",
            first.len()
        );
        for c in &grid.total {
            let _ = write!(s, "<td class=\"num\">{}</td>", html_text(c));
        }
        s.push_str("</tr>\n</tbody>\n</table>\n");
    };
    s.push_str("<h2>By billing group</h2>\n");
    table(&mut s, &["Billing group"], grid.group_rows());
    s.push_str("<h2>By billing group and service code</h2>\n");
    table(
        &mut s,
        &["Billing group", "Service code"],
        grid.service_rows(),
    );
    let _ = writeln!(
        s,
        "<p class=\"note\">{}</p>\n</body>\n</html>",
        html_text(&footnote(m, layout))
    );
    s
}

/// Inline stylesheet: screen and print (A4 landscape: the internal table is wide).
const STYLE: &str = r#"<style>
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 10pt; color: #000; background: #fff; margin: 2em auto; max-width: 80em; }
h1 { font-size: 18pt; margin: 0 0 0.5em; }
h2 { font-size: 13pt; margin: 1.5em 0 0.5em; break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.25em 0.5em; border-bottom: 1px solid #999; vertical-align: top; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.totals th, .totals td { font-weight: bold; }
.total th, .total td { border-top: 2px solid #000; border-bottom: 2px solid #000; }
.note { font-size: 9pt; margin-top: 2em; }
@media print {
  @page { size: A4 landscape; margin: 15mm 12mm; }
  body { margin: 0; max-width: none; font-size: 8pt; }
  thead { display: table-header-group; }
  tr, .totals { break-inside: avoid; page-break-inside: avoid; }
}
</style>
"#;

/// Writes `bytes` to a temporary file beside `target` and renames it over the target, so the
/// target is either the whole new file or untouched.
fn write_atomically(target: &Path, bytes: &[u8]) -> color_eyre::Result<()> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .wrap_err_with(|| format!("cannot write into {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.flush())
        .wrap_err_with(|| format!("cannot write {}", target.display()))?;
    tmp.persist(target)
        .map_err(|e| e.error)
        .wrap_err_with(|| format!("cannot write {}", target.display()))?;
    Ok(())
}
