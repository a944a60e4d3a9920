//! `proforma report --compare-to S0|P0` (SPEC 6, issue 12 item 2): a period (or a scenario
//! of it) beside an earlier period, the period's baseline or another scenario of it, per
//! billing group and per group x service code, as a table, CSV or JSON. Amounts follow SPEC 5
//! ([`crate::month_end::compare`]); rows are sorted by |Δ pro forma|; a change in percent of
//! a zero base prints as `new`.
//!
//! CSV: one record per row, `Level` `group`, `service` or `total`, columns `Level, Arn, Name,
//! ServiceCode, AWSCostBefore, AWSCost, AWSCostDelta, AWSCostChangePercent, ProformaCostBefore,
//! ProformaCost, ProformaCostDelta, ProformaCostChangePercent, MarginBefore, Margin,
//! MarginDelta, Currency`, "Before" being the `--compare-to` side.
//!
//! JSON: `{"Current", "ComparedTo", "Currency", "Groups": [{"Arn", "Name", "Before",
//! "After", "Delta" (each {"AWSCost", "ProformaCost", "Margin"}), "AWSCostChangePercent",
//! "ProformaCostChangePercent", "Services": [{"ServiceCode", ...same...}]}], "Totals": {...}}`;
//! a change in percent is a string with 2 decimals, `"new"` on a zero base, absent when both
//! sides are zero.

use super::OutputFormat;
use super::table::{Align, Table};
use crate::analysis::Analysis;
use crate::money::{fmt_grouped, fmt_plain};
use crate::month_end::compare::{self, Amounts, Change, MonthOverMonth, Movement};
use crate::period::BillingPeriod;
use crate::store::Workspace;
use color_eyre::eyre::{bail, eyre};
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
    let current = Analysis::load_state(&ws, period, scenario)?;
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
            (
                Analysis::load_state(&ws, period, None)?,
                format!("{period} baseline"),
            )
        }
        Err(_) => {
            if scenario == Some(compare_to) {
                bail!("--compare-to '{compare_to}' is the scenario reported");
            }
            (
                Analysis::load_state(&ws, period, Some(compare_to))?,
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
    let out = match format {
        OutputFormat::Table => table(&m),
        OutputFormat::Csv => csv_text(&m)?,
        OutputFormat::Json => super::report::json_pretty(&JsonComparison::of(&m))?,
    };
    super::table::print_safe(&out, format == OutputFormat::Json)?;
    Ok(())
}

fn short(label: &str) -> &str {
    // "2026-10 scenario 'x'" -> "scenario 'x'": the period is in the title.
    label.split_once(' ').map_or(label, |(_, rest)| rest)
}

/// The comparison as two terminal tables: per billing group, then per group x service code,
/// each sorted by |Δ pro forma| with the groups' total under it.
pub fn table(m: &MonthOverMonth) -> String {
    let (b, c) = if m.base_label.len() == 7 && m.current_label.len() == 7 {
        (m.base_label.as_str(), m.current_label.as_str())
    } else {
        (short(&m.base_label), short(&m.current_label))
    };
    let heads = [
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
    ];
    let render = |first: &[&str], rows: &[Movement]| {
        let mut cols: Vec<(&str, Align)> = first.iter().map(|h| (*h, Align::Left)).collect();
        cols.extend(heads.iter().map(|h| (h.as_str(), Align::Right)));
        let mut t = Table::new(&cols);
        for r in rows {
            let mut cells = vec![r.name.clone()];
            if first.len() > 1 {
                cells.push(r.service.clone().unwrap_or_default());
            }
            cells.extend(cells_of(r));
            t.row(cells);
        }
        let mut totals = vec!["Total".to_string()];
        if first.len() > 1 {
            totals.push(String::new());
        }
        totals.extend(cells_of(&m.total));
        t.totals(totals);
        t.render()
    };
    let mut out = format!(
        "Month over month: {} against {}, {} (sorted by |Δ pro forma|; Δ% of a zero base: new)\n",
        m.current_label, m.base_label, m.currency
    );
    out.push_str(&render(&["Billing group"], &m.groups));
    out.push_str("\nBy billing group and service code\n");
    out.push_str(&render(&["Billing group", "Service code"], &m.services));
    out
}

fn cells_of(r: &Movement) -> Vec<String> {
    let d = r.delta();
    vec![
        fmt_grouped(r.base.aws),
        fmt_grouped(r.current.aws),
        fmt_grouped(d.aws),
        r.aws_change().label(),
        fmt_grouped(r.base.proforma),
        fmt_grouped(r.current.proforma),
        fmt_grouped(d.proforma),
        r.proforma_change().label(),
        fmt_grouped(r.base.margin),
        fmt_grouped(r.current.margin),
        fmt_grouped(d.margin),
    ]
}

fn change_text(c: Change) -> String {
    match c {
        Change::None => String::new(),
        other => other.label(),
    }
}

fn csv_text(m: &MonthOverMonth) -> color_eyre::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
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
        "Currency",
    ])?;
    let rows = m
        .groups
        .iter()
        .map(|r| ("group", r))
        .chain(m.services.iter().map(|r| ("service", r)))
        .chain(std::iter::once(("total", &m.total)));
    for (level, r) in rows {
        let d = r.delta();
        w.write_record([
            level.to_string(),
            r.arn.clone(),
            r.name.clone(),
            r.service.clone().unwrap_or_default(),
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
            m.currency.clone(),
        ])?;
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
}

impl JsonAmounts {
    fn of(a: &Amounts) -> Self {
        JsonAmounts {
            aws: fmt_plain(a.aws),
            proforma: fmt_plain(a.proforma),
            margin: fmt_plain(a.margin),
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
