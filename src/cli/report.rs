//! `proforma report`: the billing group cost report, one group by an attribute, or a billing
//! view report (SPEC 5), as a table, CSV or the AWS-shaped JSON.

use super::OutputFormat;
use super::table::{Align, Table};
use crate::analysis::Analysis;
use crate::aws_proforma::Comparison;
use crate::engine::view_report::{MONITORED_LINE, UNMONITORED_LINE};
use crate::engine::{GroupBy, GroupCostRow, ViewReport};
use crate::footing::{ShownRow, ShownTable};
use crate::money::{fmt_grouped, fmt_plain};
use crate::period::BillingPeriod;
use crate::store::Workspace;
use color_eyre::eyre::{bail, eyre};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// What one `proforma report` command asks for.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub period: BillingPeriod,
    pub group: Option<&'a str>,
    pub view: Option<&'a str>,
    pub group_by: Option<GroupBy>,
    pub scenario: Option<&'a str>,
    pub format: OutputFormat,
    pub audience: super::export::Audience,
}

/// Runs `report`.
///
/// # Errors
/// A period without data, an unknown group, view or scenario, amounts in several currencies.
pub fn run(path: &Path, req: &Request<'_>) -> color_eyre::Result<()> {
    let Request {
        period,
        group,
        view,
        group_by,
        scenario,
        format,
        audience,
    } = *req;
    let ws = Workspace::open_for_reading(path)?;
    let deliveries = ws.deliveries()?;
    if !deliveries.iter().any(|d| d.period == period) {
        let mut periods: Vec<String> = deliveries.iter().map(|d| d.period.to_string()).collect();
        periods.dedup();
        let known = if periods.is_empty() {
            "none yet: import a CUR first".to_string()
        } else {
            periods.join(", ")
        };
        bail!(
            "no cost data for period {period} in {} (periods with data: {known})",
            path.display()
        );
    }
    // One group's report reads only its accounts' lines when the per-group totals kept
    // ready match (ready_totals.rs); a view or the group list needs the whole period.
    let analysis = match (group, view, group_by) {
        (Some(g), None, _) => Analysis::load_group(&ws, period, scenario, g)?,
        (None, None, None) => Analysis::load_overview(&ws, period, scenario)?,
        _ => Analysis::load_state(&ws, period, scenario)?,
    };
    let names: HashMap<String, String> = ws
        .accounts()?
        .into_iter()
        .filter_map(|a| a.name.map(|n| (a.id, n)))
        .collect();
    let mut out = match audience {
        super::export::Audience::Internal => {
            render(&analysis, group, view, group_by, format, &names)?
        }
        super::export::Audience::Customer => {
            super::customer::render(&analysis, group, view, group_by, format, &names)?
        }
    };
    // A scenario's numbers never pass for the baseline's: the table says so above its title;
    // CSV and JSON keep their shapes (AWS's, for JSON) and the note goes to stderr.
    if let Some(name) = &analysis.scenario {
        let note = format!("Scenario '{name}' of {period}: a draft, not the baseline\n");
        if format == OutputFormat::Table {
            out.insert_str(0, &note);
        } else {
            eprint!(
                "{}",
                crate::text::escape(&format!("note: {note}"), crate::text::Keep::LinesAndTabs)
            );
        }
    }
    super::table::print_safe(&out, format == OutputFormat::Json)?;
    analysis.keep_ready(&ws);
    Ok(())
}

/// The report of a loaded (and priced) period, as `proforma report` prints it: the billing
/// group list, one group (by an attribute), or a billing view, in the given format, labelled
/// with the rows' own currency (SPEC 5; a payer's primary view is in that payer's currency,
/// and payers billed in different currencies are refused elsewhere). Every amount is shown
/// footed (SPEC 5, [`crate::footing`]).
pub fn render(
    analysis: &Analysis,
    group: Option<&str>,
    view: Option<&str>,
    group_by: Option<GroupBy>,
    format: OutputFormat,
    names: &HashMap<String, String>,
) -> color_eyre::Result<String> {
    let currency = currency_of(analysis, view)?;
    Ok(match (view, group) {
        (Some(v), _) => {
            let report = analysis.view_report(v, group_by)?;
            let shown = analysis.shown_view(&report);
            render_view(&report, &shown, format, names, &currency)?
        }
        (None, Some(g)) => {
            let g = analysis.group_index(g)?;
            analysis.refuse_level_two(g)?;
            let (rows, shown) = match group_by {
                Some(by) => analysis.shown_breakdown(g, by, &[]),
                None => {
                    let row = analysis.shown_invoice().groups[g];
                    let rows = analysis
                        .group_reports()
                        .into_iter()
                        .filter(|r| r.group == g)
                        .collect();
                    (
                        rows,
                        ShownTable {
                            rows: vec![row],
                            total: row,
                        },
                    )
                }
            };
            let cmp =
                crate::aws_proforma::compare(analysis, g, group_by.unwrap_or(GroupBy::ServiceCode));
            render_group_rows(
                &rows,
                &shown,
                format,
                true,
                group_by,
                analysis,
                names,
                cmp.as_ref(),
            )?
        }
        (None, None) => {
            let inv = analysis.shown_invoice();
            // The list is the computation of the payer that pays AWS: the groups of level-2
            // transfers (the downstream seller's) are named under it, not listed.
            let (rows, shown_rows): (Vec<_>, Vec<_>) = analysis
                .group_reports()
                .into_iter()
                .zip(inv.groups.iter().copied())
                .filter(|(r, _)| analysis.listed_group(r.group))
                .unzip();
            let shown = ShownTable {
                rows: shown_rows,
                total: inv.groups_total,
            };
            render_group_rows(&rows, &shown, format, false, None, analysis, names, None)?
        }
    })
}

/// The currency a report's amounts are labelled with (SPEC 5): a payer's primary view is in
/// that payer's currency, anything else in the period's only currency.
///
/// # Errors
/// [`crate::analysis::ReportError::MixedCurrencies`] when the period has several.
pub fn currency_of(analysis: &Analysis, view: Option<&str>) -> color_eyre::Result<String> {
    Ok(match view.and_then(|v| v.strip_prefix("primary:")) {
        Some(payer) => analysis.payer_currency(payer),
        None => analysis.currency()?,
    }
    .to_string())
}

/// `proforma explain`: how a billing group's pro forma (or a billing view's, or one attribute
/// value of either) was made, in the baseline or a scenario, with the numbers as `report`
/// shows them: the parts add up to the shown number.
pub fn explain(
    path: &Path,
    period: BillingPeriod,
    group: Option<&str>,
    view: Option<&str>,
    scenario: Option<&str>,
    slice: Option<(GroupBy, &str)>,
) -> color_eyre::Result<()> {
    let ws = Workspace::open_for_reading(path)?;
    let analysis = match (group, view) {
        (Some(g), None) => Analysis::load_group(&ws, period, scenario, g)?,
        _ => Analysis::load_state(&ws, period, scenario)?,
    };
    let text = match (view, group) {
        (Some(v), _) => {
            let (e, shown) = analysis.explain_view(v, slice)?;
            e.render_shown(&shown)
        }
        (None, Some(g)) => {
            let g = analysis.group_index(g)?;
            analysis.refuse_level_two(g)?;
            let slice: Vec<(GroupBy, &str)> = slice.into_iter().collect();
            let e = analysis.explain(g, &slice);
            let Some(row) = analysis.shown_group_row(g, &slice) else {
                let (by, value) = slice.first().copied().unwrap_or((GroupBy::ProductName, ""));
                // A service only AWS's own pro forma charged: proforma has nothing of it to
                // explain, and the comparison says so with AWS's amount.
                if matches!(by, GroupBy::ServiceCode | GroupBy::ProductName)
                    && let Some(c) = crate::aws_proforma::compare(&analysis, g, by)
                    && c.row(value).is_some()
                {
                    let text = format!(
                        "proforma has no lines of {} '{value}' in billing group '{}' in {period}: \
                         its pro forma is 0.00\n\n{}",
                        by.key(),
                        analysis.config.groups[g].name,
                        explain_comparison(&c, &analysis, Some(value))
                    );
                    super::table::print_safe(&text, false)?;
                    analysis.keep_ready(&ws);
                    return Ok(());
                }
                bail!(
                    "no {} '{value}' in billing group '{}' in {period}",
                    by.key(),
                    analysis.config.groups[g].name
                );
            };
            let mut text = e.render_shown(&e.shown(row.aws, row.proforma.unwrap_or_default()));
            // The whole group (or one service of it) beside AWS's own pro forma, when imported.
            let by = match slice.first() {
                Some((GroupBy::ProductName, _)) => Some(GroupBy::ProductName),
                Some((GroupBy::ServiceCode, _)) | None => Some(GroupBy::ServiceCode),
                Some(_) => None,
            };
            if let Some(c) = by.and_then(|by| crate::aws_proforma::compare(&analysis, g, by)) {
                text.push('\n');
                text.push_str(&explain_comparison(
                    &c,
                    &analysis,
                    slice.first().map(|(_, v)| *v),
                ));
            }
            text
        }
        (None, None) => bail!("explain needs --group or --view"),
    };
    super::table::print_safe(&text, false)?;
    analysis.keep_ready(&ws);
    Ok(())
}

#[derive(Serialize)]
struct JsonView<'a> {
    #[serde(rename = "BillingView")]
    view: JsonViewInfo<'a>,
    #[serde(rename = "BillingPeriod")]
    period: String,
    #[serde(rename = "Currency")]
    currency: &'a str,
    #[serde(rename = "Rows")]
    rows: Vec<JsonRow>,
    #[serde(rename = "Totals")]
    totals: JsonAmounts,
}

#[derive(Serialize)]
struct JsonViewInfo<'a> {
    #[serde(rename = "Name")]
    name: &'a str,
    #[serde(rename = "Type")]
    view_type: &'a str,
    #[serde(rename = "Arn")]
    arn: &'a str,
}

#[derive(Serialize)]
struct JsonAttribute {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value")]
    value: String,
}

fn attributes(a: &[(String, String)]) -> Vec<JsonAttribute> {
    a.iter()
        .map(|(k, v)| JsonAttribute {
            key: k.clone(),
            value: v.clone(),
        })
        .collect()
}

#[derive(Serialize)]
struct JsonRow {
    #[serde(rename = "Attributes")]
    attributes: Vec<JsonAttribute>,
    #[serde(flatten)]
    amounts: JsonAmounts,
}

/// A view report row's (or the totals') amounts. `Billable` and `Tax` are the row's whole
/// billable and tax (SPEC 5); `Proforma` and `Margin` are the monitored accounts' (the margin
/// is `Proforma - MonitoredBillable`). When the view holds accounts in no billing group beside
/// monitored ones, the parts are added: `MonitoredBillable` and `MonitoredTax` (read straight
/// across with `Proforma` and `Margin`) and `UnmonitoredBillable` and `UnmonitoredTax`
/// (billable only); each part adds up to the whole on every row and in the totals.
#[derive(Serialize)]
struct JsonAmounts {
    #[serde(rename = "Billable")]
    billable: String,
    #[serde(rename = "Proforma", skip_serializing_if = "Option::is_none")]
    proforma: Option<String>,
    #[serde(rename = "Margin", skip_serializing_if = "Option::is_none")]
    margin: Option<String>,
    #[serde(rename = "Tax")]
    tax: String,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    parts: Option<JsonParts>,
}

/// The monitored and unmonitored parts of a row's billable and tax (see [`JsonAmounts`]).
#[derive(Serialize)]
struct JsonParts {
    #[serde(rename = "MonitoredBillable")]
    monitored_billable: String,
    #[serde(rename = "MonitoredTax")]
    monitored_tax: String,
    #[serde(rename = "UnmonitoredBillable")]
    unmonitored_billable: String,
    #[serde(rename = "UnmonitoredTax")]
    unmonitored_tax: String,
}

impl JsonAmounts {
    fn of(a: &ShownRow, with_parts: bool) -> Self {
        JsonAmounts {
            billable: fmt_plain(a.aws),
            proforma: a.proforma.map(fmt_plain),
            margin: a.margin.map(fmt_plain),
            tax: fmt_plain(a.tax),
            parts: with_parts.then(|| JsonParts {
                monitored_billable: fmt_plain(a.monitored_aws),
                monitored_tax: fmt_plain(a.monitored_tax),
                unmonitored_billable: fmt_plain(a.unmonitored_aws()),
                unmonitored_tax: fmt_plain(a.unmonitored_tax()),
            }),
        }
    }
}

fn pct(d: Option<Decimal>) -> String {
    d.map_or("–".to_string(), fmt_plain)
}

/// `currency` is the ISO 4217 code of the amounts (SPEC 5), shown in the table title, the
/// JSON `Currency` field and a CSV `Currency` column.
///
/// A view holding accounts in no billing group beside monitored ones reads straight across
/// ([`ViewReport::splits_unmonitored`]): the table shows per row the monitored accounts'
/// billable and tax beside their pro forma and margin, then a "Monitored accounts" line, an
/// "Unmonitored accounts (billable only)" line and the total billable and tax; CSV and JSON
/// keep one record per row with `Billable` and `Tax` whole and add `MonitoredBillable`,
/// `MonitoredTax`, `UnmonitoredBillable` and `UnmonitoredTax`.
pub fn render_view(
    r: &ViewReport,
    shown: &ShownTable,
    format: OutputFormat,
    names: &HashMap<String, String>,
    currency: &str,
) -> color_eyre::Result<String> {
    let has_proforma = r.totals.proforma.is_some();
    let split = r.splits_unmonitored();
    // Shown numbers foot and cross-foot (SPEC 5): `shown` is `Analysis::shown_view`'s.
    match format {
        OutputFormat::Json => json_pretty(&JsonView {
            view: JsonViewInfo {
                name: &r.view.name,
                view_type: &r.view.view_type,
                arn: &r.view.arn,
            },
            period: r.period.to_string(),
            currency,
            rows: r
                .rows
                .iter()
                .zip(&shown.rows)
                .map(|(row, a)| JsonRow {
                    attributes: attributes(&row.attributes),
                    amounts: JsonAmounts::of(a, split),
                })
                .collect(),
            totals: JsonAmounts::of(&shown.total, split),
        }),
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header: Vec<String> = r
                .group_by
                .map(|g| vec![g.key().to_string()])
                .unwrap_or_default();
            header.push("Billable".into());
            if split {
                header.push("MonitoredBillable".into());
            }
            if has_proforma {
                header.extend(["Proforma".into(), "Margin".into()]);
            }
            header.push("Tax".into());
            if split {
                header.extend(
                    ["MonitoredTax", "UnmonitoredBillable", "UnmonitoredTax"].map(String::from),
                );
            }
            header.push("Currency".into());
            w.write_record(&header)?;
            for (row, a) in r.rows.iter().zip(&shown.rows) {
                let mut rec: Vec<String> = row.attributes.iter().map(|(_, v)| v.clone()).collect();
                rec.push(fmt_plain(a.aws));
                if split {
                    rec.push(fmt_plain(a.monitored_aws));
                }
                if has_proforma {
                    rec.push(a.proforma.map(fmt_plain).unwrap_or_default());
                    rec.push(a.margin.map(fmt_plain).unwrap_or_default());
                }
                rec.push(fmt_plain(a.tax));
                if split {
                    rec.extend([
                        fmt_plain(a.monitored_tax),
                        fmt_plain(a.unmonitored_aws()),
                        fmt_plain(a.unmonitored_tax()),
                    ]);
                }
                rec.push(currency.to_string());
                w.write_record(&rec)?;
            }
            Ok(String::from_utf8(
                w.into_inner().map_err(|e| eyre!("{e}"))?,
            )?)
        }
        // Md is refused before a report is built (cli::run): it reads as the table.
        OutputFormat::Table | OutputFormat::Md => {
            let mut cols: Vec<(&str, Align)> = Vec::new();
            let by_account = r.group_by == Some(GroupBy::LinkedAccount);
            if let Some(g) = r.group_by {
                cols.push((g.label(), Align::Left));
                if by_account {
                    cols.push(("Name", Align::Left));
                }
            } else if split {
                cols.push(("Accounts", Align::Left));
            }
            cols.push(("Billable", Align::Right));
            if has_proforma {
                cols.extend([
                    ("Pro forma", Align::Right),
                    ("Margin", Align::Right),
                    ("Margin %", Align::Right),
                ]);
            }
            cols.push(("Tax", Align::Right));
            let mut t = Table::new(&cols);
            let money = |d: Option<Decimal>| d.map_or("–".to_string(), fmt_grouped);
            let line = |first: Vec<String>, a: &ShownRow| {
                let mut cells = first;
                cells.push(fmt_grouped(a.aws));
                if has_proforma {
                    cells.push(money(a.proforma));
                    cells.push(money(a.margin));
                    cells.push(pct(a.margin_percentage));
                }
                cells.push(fmt_grouped(a.tax));
                cells
            };
            // A label in the first column (and a blank under Name).
            let label = |text: &str| {
                let mut first = vec![text.to_string()];
                if by_account {
                    first.push(String::new());
                }
                first
            };
            // Without --group-by the one row is the total: printed once (below).
            let rows = if r.group_by.is_some() {
                r.rows.len()
            } else {
                0
            };
            for i in r.table_rows(shown).into_iter().take(rows) {
                let row = &r.rows[i];
                // Split: the rows are the monitored accounts' parts (a row of unmonitored
                // accounts only is in the unmonitored line).
                let a = if split {
                    shown.rows[i].monitored()
                } else {
                    shown.rows[i]
                };
                let mut first: Vec<String> =
                    row.attributes.iter().map(|(_, v)| v.clone()).collect();
                if by_account {
                    first.push(
                        first
                            .first()
                            .and_then(|id| names.get(id))
                            .cloned()
                            .unwrap_or_default(),
                    );
                }
                t.row(line(first, &a));
            }
            let total = &shown.total;
            if split {
                // One base per line (as the overview): the monitored accounts with their pro
                // forma and margin, the unmonitored ones billable only, then the whole.
                let lines = [
                    line(label(MONITORED_LINE), &total.monitored()),
                    line(label(UNMONITORED_LINE), &total.unmonitored()),
                    line(label("Total"), &total.billable_only()),
                ];
                for l in lines {
                    if r.group_by.is_some() {
                        t.totals(l);
                    } else {
                        t.row(l);
                    }
                }
            } else {
                let first = if r.group_by.is_some() {
                    label("Total")
                } else {
                    Vec::new()
                };
                let totals = line(first, total);
                if r.group_by.is_some() {
                    t.totals(totals);
                } else {
                    t.row(totals);
                }
            }
            Ok(format!(
                "{} ({}) {}, {currency}\n{}",
                r.view.name,
                r.view.arn,
                r.period,
                t.render()
            ))
        }
    }
}

#[derive(Serialize)]
struct JsonGroupRow {
    #[serde(rename = "Arn")]
    arn: String,
    #[serde(rename = "AWSCost")]
    aws_cost: String,
    #[serde(rename = "ProformaCost")]
    proforma: String,
    #[serde(rename = "Margin")]
    margin: String,
    #[serde(rename = "MarginPercentage", skip_serializing_if = "Option::is_none")]
    margin_percentage: Option<String>,
    #[serde(rename = "Currency")]
    currency: String,
    #[serde(rename = "Attributes", skip_serializing_if = "Option::is_none")]
    attributes: Option<Vec<JsonAttribute>>,
}

#[allow(clippy::too_many_arguments)]
fn render_group_rows(
    rows: &[GroupCostRow],
    shown: &ShownTable,
    format: OutputFormat,
    results_shape: bool,
    group_by: Option<GroupBy>,
    analysis: &Analysis,
    names: &HashMap<String, String>,
    cmp: Option<&Comparison>,
) -> color_eyre::Result<String> {
    // SPEC 5: labelled with the rows' own currency; payers in different currencies are refused.
    let currency = analysis.currency()?;
    // The CSV columns of the AWS pro forma comparison: on the group's own row, or on rows of
    // the key it is compared by.
    let csv_cmp = cmp.filter(|c| group_by.is_none() || group_by == Some(c.by));
    match format {
        OutputFormat::Json => {
            let list: Vec<JsonGroupRow> = rows
                .iter()
                .zip(&shown.rows)
                .map(|(r, a)| JsonGroupRow {
                    arn: r.arn.clone(),
                    aws_cost: fmt_plain(a.aws),
                    proforma: fmt_plain(a.proforma.unwrap_or_default()),
                    margin: fmt_plain(a.margin.unwrap_or_default()),
                    margin_percentage: a.margin_percentage.map(fmt_plain),
                    currency: currency.to_string(),
                    attributes: results_shape.then(|| attributes(&r.attributes)),
                })
                .collect();
            // Structs, not serde_json::Value, so keys keep the AWS CLI's order.
            #[derive(Serialize)]
            struct Reports {
                #[serde(rename = "BillingGroupCostReports")]
                list: Vec<JsonGroupRow>,
            }
            #[derive(Serialize)]
            struct Results {
                #[serde(rename = "BillingGroupCostReportResults")]
                list: Vec<JsonGroupRow>,
                #[serde(
                    rename = "AWSProformaComparison",
                    skip_serializing_if = "Option::is_none"
                )]
                comparison: Option<JsonComparison>,
            }
            if results_shape {
                json_pretty(&Results {
                    list,
                    comparison: cmp.map(|c| JsonComparison::of(c, analysis)),
                })
            } else {
                json_pretty(&Reports { list })
            }
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header = vec!["Arn".to_string(), "Name".into()];
            header.extend(group_by.map(|g| g.key().to_string()));
            header.extend(
                [
                    "AWSCost",
                    "ProformaCost",
                    "Margin",
                    "MarginPercentage",
                    "Tax",
                    "Currency",
                ]
                .map(String::from),
            );
            if csv_cmp.is_some() {
                header.extend(["AWSProformaCost", "DifferenceVsAWS"].map(String::from));
            }
            w.write_record(&header)?;
            for (r, a) in rows.iter().zip(&shown.rows) {
                let mut rec = vec![r.arn.clone(), r.name.clone()];
                rec.extend(r.attributes.iter().map(|(_, v)| v.clone()));
                rec.extend([
                    fmt_plain(a.aws),
                    fmt_plain(a.proforma.unwrap_or_default()),
                    fmt_plain(a.margin.unwrap_or_default()),
                    a.margin_percentage.map(fmt_plain).unwrap_or_default(),
                    fmt_plain(a.tax),
                    currency.to_string(),
                ]);
                if let Some(c) = csv_cmp {
                    let (aws, diff) = match r.attributes.first() {
                        None => (c.aws, c.difference),
                        Some((_, key)) => c
                            .row(key)
                            .map_or((Decimal::ZERO, Decimal::ZERO), |x| (x.aws, x.difference)),
                    };
                    rec.extend([fmt_plain(aws), fmt_plain(diff)]);
                }
                w.write_record(&rec)?;
            }
            Ok(String::from_utf8(
                w.into_inner().map_err(|e| eyre!("{e}"))?,
            )?)
        }
        // Md is refused before a report is built (cli::run): it reads as the table.
        OutputFormat::Table | OutputFormat::Md => {
            let mut cols: Vec<(&str, Align)> = vec![("Billing group", Align::Left)];
            if let Some(g) = group_by {
                cols.push((g.label(), Align::Left));
            } else {
                cols.extend([("Plan", Align::Left), ("Accounts", Align::Right)]);
            }
            cols.extend([
                ("AWS cost", Align::Right),
                ("Pro forma", Align::Right),
                ("Margin", Align::Right),
                ("Margin %", Align::Right),
                ("Tax", Align::Right),
            ]);
            let mut t = Table::new(&cols);
            let cfg = &analysis.config;
            for (r, a) in rows.iter().zip(&shown.rows) {
                let mut cells = vec![r.name.clone()];
                match group_by {
                    Some(GroupBy::LinkedAccount) => {
                        let id = r
                            .attributes
                            .first()
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default();
                        cells.push(names.get(&id).map_or(id.clone(), |n| format!("{id} {n}")));
                    }
                    Some(_) => cells.push(
                        r.attributes
                            .first()
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default(),
                    ),
                    None => {
                        let g = &cfg.groups[r.group];
                        cells.push(cfg.plan_name(&g.plan));
                        cells.push(analysis.group_account_count(r.group).to_string());
                    }
                }
                cells.extend(shown_cells(a));
                t.row(cells);
            }
            let blanks = if group_by.is_some() { 1 } else { 2 };
            let mut totals = vec!["Total".to_string()];
            totals.extend(std::iter::repeat_n(String::new(), blanks));
            totals.extend(shown_cells(&shown.total));
            t.totals(totals);
            let mut out = format!(
                "Billing groups {}, {currency}\n{}",
                analysis.period,
                t.render()
            );
            if group_by.is_none() && !results_shape {
                let inv = analysis.shown_invoice();
                out.push_str(&format!(
                    "\nUnmonitored accounts: billable {}, tax {}\nInvoice total (all payers): {} = groups {} + unmonitored {} + tax {}\n",
                    fmt_grouped(inv.unmonitored_aws),
                    fmt_grouped(inv.unmonitored_tax),
                    fmt_grouped(inv.invoice),
                    fmt_grouped(inv.groups_total.aws),
                    fmt_grouped(inv.unmonitored_aws),
                    fmt_grouped(inv.tax),
                ));
                out.push_str(&diagnostics(&analysis.pricing.diagnostics));
                for (g, name, source) in analysis.level_two_groups() {
                    out.push_str(&format!(
                        "{} (billing transfer '{name}', level 2) is priced by the downstream seller, not listed: its source's lines are in the level above's group; see --view transfer:{source} and --view showback:{source}\n",
                        analysis.config.groups[g].name
                    ));
                }
            }
            if let Some(c) = cmp {
                out.push('\n');
                out.push_str(&comparison_table(c, analysis));
            }
            if rows.is_empty() {
                out = format!(
                    "no billing groups in {} (import a configuration with `proforma config import`)\n",
                    analysis.period
                );
            }
            Ok(out)
        }
    }
}

/// The AWS pro forma comparison in report JSON (README "Checking proforma against AWS's pro
/// forma"): per service AWS's amount, proforma's and `Difference` = proforma's − AWS's, all
/// as shown (2 decimals, footed), then the totals.
#[derive(Serialize)]
struct JsonComparison {
    #[serde(rename = "Arn")]
    arn: String,
    #[serde(rename = "BillingPeriod")]
    period: String,
    #[serde(rename = "Currency")]
    currency: String,
    #[serde(rename = "Source")]
    source: String,
    #[serde(rename = "ImportedAt")]
    imported_at: String,
    #[serde(rename = "Services")]
    services: Vec<JsonComparisonRow>,
    #[serde(rename = "Totals")]
    totals: JsonComparisonTotals,
}

#[derive(Serialize)]
struct JsonComparisonRow {
    #[serde(rename = "Attributes")]
    attributes: Vec<JsonAttribute>,
    #[serde(rename = "ProductName")]
    product_name: String,
    #[serde(rename = "AWSProformaCost")]
    aws: String,
    #[serde(rename = "ProformaCost")]
    ours: String,
    #[serde(rename = "Difference")]
    difference: String,
}

#[derive(Serialize)]
struct JsonComparisonTotals {
    #[serde(rename = "AWSProformaCost")]
    aws: String,
    #[serde(rename = "ProformaCost")]
    ours: String,
    #[serde(rename = "Difference")]
    difference: String,
    #[serde(rename = "AWSProformaTax")]
    aws_tax: String,
}

impl JsonComparison {
    fn of(c: &Comparison, analysis: &Analysis) -> Self {
        JsonComparison {
            arn: analysis.config.groups[c.group].arn.clone(),
            period: analysis.period.to_string(),
            currency: c.currency.clone(),
            source: c.source.clone(),
            imported_at: c.imported_at.clone(),
            services: c
                .rows
                .iter()
                .map(|r| JsonComparisonRow {
                    attributes: vec![JsonAttribute {
                        key: c.by.key().to_string(),
                        value: r.key.clone(),
                    }],
                    product_name: r.product_name.clone(),
                    aws: fmt_plain(r.aws),
                    ours: fmt_plain(r.ours),
                    difference: fmt_plain(r.difference),
                })
                .collect(),
            totals: JsonComparisonTotals {
                aws: fmt_plain(c.aws),
                ours: fmt_plain(c.ours),
                difference: fmt_plain(c.difference),
                aws_tax: fmt_plain(c.aws_tax),
            },
        }
    }
}

/// The comparison as a terminal table: per service AWS's pro forma, proforma's and
/// "Δ vs AWS" (proforma's − AWS's), then the total; AWS's tax apart when it has any.
pub fn comparison_table(c: &Comparison, analysis: &Analysis) -> String {
    let by_code = c.by == GroupBy::ServiceCode;
    let mut cols: Vec<(&str, Align)> = vec![(c.by.label(), Align::Left)];
    if by_code {
        cols.push(("Product name", Align::Left));
    }
    cols.extend([
        ("AWS pro forma", Align::Right),
        ("Pro forma", Align::Right),
        ("Δ vs AWS", Align::Right),
    ]);
    let mut t = Table::new(&cols);
    for r in &c.rows {
        let mut cells = vec![r.key.clone()];
        if by_code {
            cells.push(r.product_name.clone());
        }
        cells.extend([
            fmt_grouped(r.aws),
            fmt_grouped(r.ours),
            fmt_grouped(r.difference),
        ]);
        t.row(cells);
    }
    let mut totals = vec!["Total".to_string()];
    if by_code {
        totals.push(String::new());
    }
    totals.extend([
        fmt_grouped(c.aws),
        fmt_grouped(c.ours),
        fmt_grouped(c.difference),
    ]);
    t.totals(totals);
    let mut out = format!(
        "AWS pro forma of {} beside proforma's, {}, {} (imported {} from {})\n{}",
        analysis.config.groups[c.group].name,
        analysis.period,
        c.currency,
        c.imported_at,
        c.source,
        t.render()
    );
    if !c.aws_tax.is_zero() {
        out.push_str(&format!(
            "AWS pro forma tax (not compared: ProformaCost excludes tax): {}\n",
            fmt_grouped(c.aws_tax)
        ));
    }
    out.push_str(if c.differs() {
        "note: proforma's pro forma differs from AWS's (Δ vs AWS = proforma's − AWS's)\n"
    } else {
        "proforma's pro forma matches AWS's to the cent\n"
    });
    out
}

/// `explain`'s part on AWS's pro forma: the whole comparison table, or for one service the
/// two amounts and their difference.
fn explain_comparison(c: &Comparison, analysis: &Analysis, value: Option<&str>) -> String {
    match value {
        None => comparison_table(c, analysis),
        Some(v) => match c.row(v) {
            Some(r) => format!(
                "AWS pro forma of {v}: {} {cur}; proforma's: {} {cur}; Δ vs AWS: {} {cur} (imported {} from {})\n",
                fmt_grouped(r.aws),
                fmt_grouped(r.ours),
                fmt_grouped(r.difference),
                c.imported_at,
                c.source,
                cur = c.currency,
            ),
            None => format!(
                "AWS pro forma of {v}: none (AWS's pro forma of the group, imported {} from {}, has no such service)\n",
                c.imported_at, c.source
            ),
        },
    }
}

/// AWS cost, pro forma, margin, margin % and tax of a shown row, for terminal tables.
fn shown_cells(a: &ShownRow) -> [String; 5] {
    [
        fmt_grouped(a.aws),
        a.proforma.map_or("–".into(), fmt_grouped),
        a.margin.map_or("–".into(), fmt_grouped),
        pct(a.margin_percentage),
        fmt_grouped(a.tax),
    ]
}

/// What the engine noticed in the data, as note lines (empty when nothing).
pub fn diagnostics(d: &crate::engine::price::Diagnostics) -> String {
    let mut out = String::new();
    if d.no_public_price_rows > 0 {
        out.push_str(&format!(
            "note: {} rows priced at public cost had no public price; their unblended cost ({}) stood in\n",
            d.no_public_price_rows,
            fmt_grouped(d.no_public_price_cost)
        ));
    }
    for (t, (rows, cost)) in &d.unknown_types {
        out.push_str(&format!(
            "note: unknown line item type '{t}': {rows} rows, {} kept at unblended cost\n",
            fmt_grouped(*cost)
        ));
    }
    out
}

/// JSON indented with four spaces, as the AWS CLI prints it.
pub fn json_pretty<T: Serialize>(value: &T) -> color_eyre::Result<String> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    value.serialize(&mut ser)?;
    out.push(b'\n');
    Ok(String::from_utf8(out)?)
}
