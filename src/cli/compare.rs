//! `proforma report --compare-to S0|P0` (SPEC 6, issue 12 item 2, issue 14 item 1): a period
//! (or a scenario of it) beside an earlier period, the period's baseline or another scenario
//! of it, per billing group and per group x service code, as a table, CSV, JSON or Markdown.
//! Amounts follow SPEC 5 ([`crate::month_end::compare`]); rows are sorted by |Δ pro forma|; a
//! change in percent of a zero base prints as `new`; Δ is the reported state minus the
//! `--compare-to` state, which is shown first ("Before").
//!
//! CSV: one record per row, `Level` `group`, `service` or `total`, columns `Level, Arn, Name,
//! ServiceCode, AWSCostBefore, AWSCost, AWSCostDelta, AWSCostChangePercent, ProformaCostBefore,
//! ProformaCost, ProformaCostDelta, ProformaCostChangePercent, MarginBefore, Margin,
//! MarginDelta, MarginPercentageBefore, MarginPercentage, MarginPercentageDelta, Currency`,
//! "Before" being the `--compare-to` side; a margin percentage is empty when the AWS cost is
//! zero, its delta is in percentage points. Names starting like a spreadsheet formula get a
//! `'` in front.
//!
//! JSON: `{"Current", "ComparedTo", "Currency", "Groups": [{"Arn", "Name", "Before",
//! "After", "Delta" (each {"AWSCost", "ProformaCost", "Margin", "MarginPercentage"}),
//! "AWSCostChangePercent", "ProformaCostChangePercent", "Services": [{"ServiceCode",
//! ...same...}]}], "Totals": {...}}`; a change in percent is a string with 2 decimals, `"new"`
//! on a zero base, absent when both sides are zero; `MarginPercentage` is absent when the AWS
//! cost is zero (in `Delta`: when either side has none).
//!
//! The same comparison is written to files by [`super::comparison_export`].

use super::OutputFormat;
use super::table::{Align, Table};
use crate::analysis::Analysis;
use crate::money::{fmt_grouped, fmt_plain};
use crate::month_end::compare::{self, Amounts, Change, MonthOverMonth, Movement};
use crate::period::BillingPeriod;
use crate::store::Workspace;
use color_eyre::eyre::{bail, eyre};
use rust_decimal::Decimal;
use serde::Serialize;
use std::path::Path;

/// Runs `report --compare-to`.
///
/// # Errors
/// An unknown scenario or group, a period without data, the same state on both sides,
/// different currencies.
pub fn run(
    path: &Path,
    period: BillingPeriod,
    scenario: Option<&str>,
    compare_to: &str,
    group: Option<&str>,
    format: OutputFormat,
) -> color_eyre::Result<()> {
    let m = load(path, period, scenario, compare_to, group)?;
    let out = match format {
        OutputFormat::Table => table(&m),
        OutputFormat::Md => markdown(&m, Layout::Internal, "# Comparison"),
        OutputFormat::Csv => csv_text(&m, Layout::Internal)?,
        OutputFormat::Json => super::report::json_pretty(&JsonComparison::of(&m))?,
    };
    super::table::print_safe(&out, format == OutputFormat::Json)?;
    Ok(())
}

/// The comparison `report --compare-to` prints and `export --kind comparison` writes: the
/// reported state (`period`'s baseline, or its scenario `scenario`) against `compare_to` (a
/// period `YYYY-MM`, `baseline`, or a scenario of `period` by name), optionally one group's
/// rows only. Δ is the reported state minus the `compare_to` state.
///
/// # Errors
/// An unknown scenario or group, a period without data, the same state on both sides,
/// different currencies.
pub fn load(
    path: &Path,
    period: BillingPeriod,
    scenario: Option<&str>,
    compare_to: &str,
    group: Option<&str>,
) -> color_eyre::Result<MonthOverMonth> {
    let ws = Workspace::open_for_reading(path)?;
    let deliveries = ws.deliveries()?;
    let has_data = |p: BillingPeriod| deliveries.iter().any(|d| d.period == p);
    let known = || {
        let mut v: Vec<String> = deliveries.iter().map(|d| d.period.to_string()).collect();
        v.dedup();
        if v.is_empty() {
            "none yet: import a CUR first".to_string()
        } else {
            v.join(", ")
        }
    };
    if !has_data(period) {
        bail!(
            "no cost data for period {period} in {} (periods with data: {})",
            path.display(),
            known()
        );
    }
    // The period is read from the store once; each state of it is that data re-priced.
    let loaded = Analysis::load_state(&ws, period, None)?;
    let current = match scenario {
        Some(s) => loaded.clone().into_scenario(&ws, s)?,
        None => loaded.clone(),
    };
    let (base, base_label) = match compare_to.parse::<BillingPeriod>() {
        Ok(p0) => {
            if p0 == period && scenario.is_none() {
                bail!(
                    "--compare-to {p0} is the period reported: compare with another period, \
                     `baseline` or a scenario"
                );
            }
            if !has_data(p0) {
                bail!(
                    "--compare-to {p0}: no cost data for period {p0} in {} (periods with data: {})",
                    path.display(),
                    known()
                );
            }
            (Analysis::load_state(&ws, p0, None)?, p0.to_string())
        }
        Err(_) if compare_to == "baseline" => {
            if scenario.is_none() {
                bail!(
                    "--compare-to baseline compares a scenario with the baseline: add --scenario"
                );
            }
            (loaded, format!("{period} baseline"))
        }
        Err(_) => {
            if scenario == Some(compare_to) {
                bail!("--compare-to '{compare_to}' is the scenario reported");
            }
            (
                loaded.into_scenario(&ws, compare_to)?,
                format!("{period} scenario '{compare_to}'"),
            )
        }
    };
    let current_label = match scenario {
        Some(s) => format!("{period} scenario '{s}'"),
        None => period.to_string(),
    };
    let mut m = compare::compare(&current, &base, current_label, base_label)?;
    if let Some(g) = group {
        let arn = current
            .group_index(g)
            .map(|i| current.config.groups[i].arn.clone())
            .or_else(|e| {
                base.group_index(g)
                    .map(|i| base.config.groups[i].arn.clone())
                    .map_err(|_| e)
            })?;
        m.groups.retain(|x| x.arn == arn);
        m.services.retain(|x| x.arn == arn);
        let Some(row) = m.groups.first() else {
            bail!("no billing group '{g}' in either state");
        };
        m.total = Movement {
            name: "Total".into(),
            ..row.clone()
        };
    }
    Ok(m)
}

fn short(label: &str) -> &str {
    // "2026-10 scenario 'x'" -> "scenario 'x'": the period is in the title.
    label.split_once(' ').map_or(label, |(_, rest)| rest)
}

/// Who a comparison is laid out for: `Internal` shows AWS cost, pro forma, margin and margin %
/// of both sides; `Customer` pro forma only (issue 14 item 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Internal,
    Customer,
}

/// The two sides' short names for column heads: the periods (month over month), else the
/// states without their period (`baseline`, `scenario 'x'`).
pub fn side_names(m: &MonthOverMonth) -> (String, String) {
    if m.base_label.len() == 7 && m.current_label.len() == 7 {
        (m.base_label.clone(), m.current_label.clone())
    } else {
        (
            short(&m.base_label).to_string(),
            short(&m.current_label).to_string(),
        )
    }
}

/// A comparison laid out as cells: the column heads after the key column(s), and per row
/// the amounts' cells (money through `money`, percentages to 2 decimals). Every format
/// (table, Markdown, HTML) prints these cells, so they carry the same numbers.
pub struct Grid {
    /// Heads of the amount columns.
    pub heads: Vec<String>,
    /// One per billing group: name, then the amount cells.
    pub groups: Vec<(String, Vec<String>)>,
    /// One per group x service code: group name, service code, amount cells.
    pub services: Vec<(String, String, Vec<String>)>,
    /// The total's amount cells.
    pub total: Vec<String>,
}

fn pct_text(p: Option<Decimal>) -> String {
    p.map_or_else(|| "–".to_string(), fmt_plain)
}

impl Grid {
    /// The rows of the billing group table: name, then the amount cells.
    pub fn group_rows(&self) -> Vec<Vec<String>> {
        self.groups
            .iter()
            .map(|(n, c)| {
                std::iter::once(n.clone())
                    .chain(c.iter().cloned())
                    .collect()
            })
            .collect()
    }

    /// The rows of the group x service table: group, service code, then the amount cells.
    pub fn service_rows(&self) -> Vec<Vec<String>> {
        self.services
            .iter()
            .map(|(n, s, c)| {
                [n.clone(), s.clone()]
                    .into_iter()
                    .chain(c.iter().cloned())
                    .collect()
            })
            .collect()
    }

    /// Lays `m` out for `layout`, formatting money with `money` (`fmt_grouped` for people,
    /// `fmt_plain` for machines).
    pub fn of(m: &MonthOverMonth, layout: Layout, money: fn(Decimal) -> String) -> Grid {
        let (b, c) = side_names(m);
        let heads: Vec<String> = match layout {
            Layout::Internal => vec![
                format!("AWS {b}"),
                format!("AWS {c}"),
                "Δ AWS".to_string(),
                "Δ% AWS".to_string(),
                format!("Pro forma {b}"),
                format!("Pro forma {c}"),
                "Δ pro forma".to_string(),
                "Δ% pro forma".to_string(),
                format!("Margin {b}"),
                format!("Margin {c}"),
                "Δ margin".to_string(),
                format!("Margin % {b}"),
                format!("Margin % {c}"),
                "Δ margin % (points)".to_string(),
            ],
            Layout::Customer => vec![
                format!("Pro forma {b}"),
                format!("Pro forma {c}"),
                "Δ pro forma".to_string(),
                "Δ% pro forma".to_string(),
            ],
        };
        let cells = |r: &Movement| -> Vec<String> {
            let d = r.delta();
            match layout {
                Layout::Internal => vec![
                    money(r.base.aws),
                    money(r.current.aws),
                    money(d.aws),
                    r.aws_change().label(),
                    money(r.base.proforma),
                    money(r.current.proforma),
                    money(d.proforma),
                    r.proforma_change().label(),
                    money(r.base.margin),
                    money(r.current.margin),
                    money(d.margin),
                    pct_text(r.base.margin_pct),
                    pct_text(r.current.margin_pct),
                    pct_text(d.margin_pct),
                ],
                Layout::Customer => vec![
                    money(r.base.proforma),
                    money(r.current.proforma),
                    money(d.proforma),
                    r.proforma_change().label(),
                ],
            }
        };
        Grid {
            heads,
            groups: m
                .groups
                .iter()
                .map(|r| (r.name.clone(), cells(r)))
                .collect(),
            services: m
                .services
                .iter()
                .map(|r| {
                    (
                        r.name.clone(),
                        r.service.clone().unwrap_or_default(),
                        cells(r),
                    )
                })
                .collect(),
            total: cells(&m.total),
        }
    }
}

/// The title line of a comparison: month over month, or two states of one period.
pub fn title(m: &MonthOverMonth) -> String {
    if m.base_label.len() == 7 && m.current_label.len() == 7 {
        format!(
            "Month over month: {} against {}, {} (sorted by |Δ pro forma|; Δ% of a zero base: new)",
            m.current_label, m.base_label, m.currency
        )
    } else {
        format!(
            "Comparison: {} against {}, {} (Δ = {} minus {}; sorted by |Δ pro forma|; Δ% of a zero base: new)",
            m.current_label,
            m.base_label,
            m.currency,
            short(&m.current_label),
            short(&m.base_label)
        )
    }
}

/// The comparison as two terminal tables: per billing group, then per group x service code,
/// each sorted by |Δ pro forma| with the groups' total under it. Internal: AWS cost, pro
/// forma, margin and margin % of both sides and their differences.
pub fn table(m: &MonthOverMonth) -> String {
    let grid = Grid::of(m, Layout::Internal, fmt_grouped);
    let render = |first: &[&str], rows: Vec<Vec<String>>| {
        let mut cols: Vec<(&str, Align)> = first.iter().map(|h| (*h, Align::Left)).collect();
        cols.extend(grid.heads.iter().map(|h| (h.as_str(), Align::Right)));
        let mut t = Table::new(&cols);
        for r in rows {
            t.row(r);
        }
        let mut totals = vec!["Total".to_string()];
        if first.len() > 1 {
            totals.push(String::new());
        }
        totals.extend(grid.total.iter().cloned());
        t.totals(totals);
        t.render()
    };
    let mut out = title(m);
    out.push('\n');
    out.push_str(&render(&["Billing group"], grid.group_rows()));
    out.push_str("\nBy billing group and service code\n");
    out.push_str(&render(
        &["Billing group", "Service code"],
        grid.service_rows(),
    ));
    out
}

/// A Markdown table cell: one line, `|` and markup characters escaped, so a name from the
/// data cannot break the table or inject markup.
pub fn md_cell(s: &str) -> String {
    let one = crate::text::escape(s, crate::text::Keep::Nothing);
    let mut out = String::with_capacity(one.len());
    for ch in one.chars() {
        if matches!(
            ch,
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '~'
        ) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The comparison as Markdown: a title, then the billing group table and the group x
/// service code table, each with its total (`layout` decides the columns).
pub fn markdown(m: &MonthOverMonth, layout: Layout, heading: &str) -> String {
    let grid = Grid::of(m, layout, fmt_grouped);
    let mut out = format!("{heading}\n\n{}\n\n", md_cell(&title(m)));
    let table = |out: &mut String, first: &[&str], rows: Vec<Vec<String>>| {
        let heads: Vec<String> = first
            .iter()
            .map(|h| (*h).to_string())
            .chain(grid.heads.iter().cloned())
            .collect();
        out.push_str(&format!(
            "| {} |\n",
            heads
                .iter()
                .map(|h| md_cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        let rule: Vec<&str> = heads
            .iter()
            .enumerate()
            .map(|(i, _)| if i < first.len() { "---" } else { "---:" })
            .collect();
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
        for r in rows {
            out.push_str(&format!(
                "| {} |\n",
                r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
            ));
        }
        let mut total = vec!["**Total**".to_string()];
        if first.len() > 1 {
            total.push(String::new());
        }
        total.extend(grid.total.iter().map(|c| format!("**{}**", md_cell(c))));
        out.push_str(&format!("| {} |\n", total.join(" | ")));
    };
    out.push_str("## By billing group\n\n");
    table(&mut out, &["Billing group"], grid.group_rows());
    out.push_str("\n## By billing group and service code\n\n");
    table(
        &mut out,
        &["Billing group", "Service code"],
        grid.service_rows(),
    );
    out
}

fn change_text(c: Change) -> String {
    match c {
        Change::None => String::new(),
        other => other.label(),
    }
}

/// The comparison as CSV: one record per row, `Level` `group`, `service` or `total` (see the
/// module doc for the columns). `Customer`: `Level, Name, ServiceCode, ProformaCostBefore,
/// ProformaCost, ProformaCostDelta, ProformaCostChangePercent, Currency` only.
pub fn csv_text(m: &MonthOverMonth, layout: Layout) -> color_eyre::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let internal = layout == Layout::Internal;
    let header: &[&str] = if internal {
        &[
            "Level",
            "Arn",
            "Name",
            "ServiceCode",
            "AWSCostBefore",
            "AWSCost",
            "AWSCostDelta",
            "AWSCostChangePercent",
            "ProformaCostBefore",
            "ProformaCost",
            "ProformaCostDelta",
            "ProformaCostChangePercent",
            "MarginBefore",
            "Margin",
            "MarginDelta",
            "MarginPercentageBefore",
            "MarginPercentage",
            "MarginPercentageDelta",
            "Currency",
        ]
    } else {
        &[
            "Level",
            "Name",
            "ServiceCode",
            "ProformaCostBefore",
            "ProformaCost",
            "ProformaCostDelta",
            "ProformaCostChangePercent",
            "Currency",
        ]
    };
    w.write_record(header)?;
    let rows = m
        .groups
        .iter()
        .map(|r| ("group", r))
        .chain(m.services.iter().map(|r| ("service", r)))
        .chain(std::iter::once(("total", &m.total)));
    let pct = |p: Option<Decimal>| p.map(fmt_plain).unwrap_or_default();
    for (level, r) in rows {
        let d = r.delta();
        // Names come from the data: a cell starting like a formula is quoted for
        // spreadsheets, as statements do.
        let name = crate::month_end::statement::csv_text(&r.name);
        let service = crate::month_end::statement::csv_text(&r.service.clone().unwrap_or_default());
        let record: Vec<String> = if internal {
            vec![
                level.to_string(),
                r.arn.clone(),
                name,
                service,
                fmt_plain(r.base.aws),
                fmt_plain(r.current.aws),
                fmt_plain(d.aws),
                change_text(r.aws_change()),
                fmt_plain(r.base.proforma),
                fmt_plain(r.current.proforma),
                fmt_plain(d.proforma),
                change_text(r.proforma_change()),
                fmt_plain(r.base.margin),
                fmt_plain(r.current.margin),
                fmt_plain(d.margin),
                pct(r.base.margin_pct),
                pct(r.current.margin_pct),
                pct(d.margin_pct),
                m.currency.clone(),
            ]
        } else {
            vec![
                level.to_string(),
                name,
                service,
                fmt_plain(r.base.proforma),
                fmt_plain(r.current.proforma),
                fmt_plain(d.proforma),
                change_text(r.proforma_change()),
                m.currency.clone(),
            ]
        };
        w.write_record(&record)?;
    }
    Ok(String::from_utf8(
        w.into_inner().map_err(|e| eyre!("{e}"))?,
    )?)
}

#[derive(Serialize)]
struct JsonAmounts {
    #[serde(rename = "AWSCost")]
    aws: String,
    #[serde(rename = "ProformaCost")]
    proforma: String,
    #[serde(rename = "Margin")]
    margin: String,
    #[serde(rename = "MarginPercentage", skip_serializing_if = "Option::is_none")]
    margin_pct: Option<String>,
}

impl JsonAmounts {
    fn of(a: &Amounts) -> Self {
        JsonAmounts {
            aws: fmt_plain(a.aws),
            proforma: fmt_plain(a.proforma),
            margin: fmt_plain(a.margin),
            margin_pct: a.margin_pct.map(fmt_plain),
        }
    }
}

#[derive(Serialize)]
struct JsonRow {
    #[serde(rename = "Arn", skip_serializing_if = "Option::is_none")]
    arn: Option<String>,
    #[serde(rename = "Name", skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(rename = "ServiceCode", skip_serializing_if = "Option::is_none")]
    service: Option<String>,
    #[serde(rename = "Before")]
    before: JsonAmounts,
    #[serde(rename = "After")]
    after: JsonAmounts,
    #[serde(rename = "Delta")]
    delta: JsonAmounts,
    #[serde(
        rename = "AWSCostChangePercent",
        skip_serializing_if = "Option::is_none"
    )]
    aws_change: Option<String>,
    #[serde(
        rename = "ProformaCostChangePercent",
        skip_serializing_if = "Option::is_none"
    )]
    proforma_change: Option<String>,
    #[serde(rename = "Services", skip_serializing_if = "Option::is_none")]
    services: Option<Vec<JsonRow>>,
}

impl JsonRow {
    fn of(r: &Movement, group: bool, services: Option<Vec<JsonRow>>) -> Self {
        let opt = |c: Change| (c != Change::None).then(|| c.label());
        JsonRow {
            arn: group.then(|| r.arn.clone()),
            name: group.then(|| r.name.clone()),
            service: r.service.clone(),
            before: JsonAmounts::of(&r.base),
            after: JsonAmounts::of(&r.current),
            delta: JsonAmounts::of(&r.delta()),
            aws_change: opt(r.aws_change()),
            proforma_change: opt(r.proforma_change()),
            services,
        }
    }
}

#[derive(Serialize)]
struct JsonComparison {
    #[serde(rename = "Current")]
    current: String,
    #[serde(rename = "ComparedTo")]
    compared_to: String,
    #[serde(rename = "Currency")]
    currency: String,
    #[serde(rename = "Groups")]
    groups: Vec<JsonRow>,
    #[serde(rename = "Totals")]
    totals: JsonRow,
}

impl JsonComparison {
    fn of(m: &MonthOverMonth) -> Self {
        JsonComparison {
            current: m.current_label.clone(),
            compared_to: m.base_label.clone(),
            currency: m.currency.clone(),
            groups: m
                .groups
                .iter()
                .map(|g| {
                    let services = m
                        .services
                        .iter()
                        .filter(|s| s.arn == g.arn)
                        .map(|s| JsonRow::of(s, false, None))
                        .collect();
                    JsonRow::of(g, true, Some(services))
                })
                .collect(),
            totals: JsonRow::of(&m.total, false, None),
        }
    }
}
