//! `report --audience customer` (issue 13 item 5, pricing data protection): what a billing
//! group's customer may see of a report — its pro forma only. Built up from the allowed
//! fields (never by removing fields from the internal report), so nothing internal can leak:
//! no AWS cost (billable), no margin, no tax AWS charged, no pricing plan or rule names, no
//! diagnostics, no comparison with AWS's own pro forma.
//!
//! Shapes (money as strings with 2 decimals, footed as in the internal report, SPEC 5):
//! - group list, JSON: `{"BillingGroupCostReports": [{"Arn", "ProformaCost", "Currency"}]}`;
//!   CSV `Arn,Name,ProformaCost,Currency`; the table: billing group, pro forma, total.
//! - one group (`--group`, optionally `--group-by`), JSON: `{"BillingGroupCostReportResults":
//!   [{"Arn", "ProformaCost", "Currency", "Attributes"}]}`; CSV `Arn,Name[,KEY],ProformaCost,
//!   Currency`.
//! - a billing view, JSON: `{"BillingView": {"Name", "Type", "Arn"}, "BillingPeriod",
//!   "Currency", "Rows": [{"Attributes", "Proforma"}], "Totals": {"Proforma"}}`; rows of
//!   accounts in no billing group (no pro forma) are left out.

use super::OutputFormat;
use super::table::{Align, Table};
use crate::analysis::Analysis;
use crate::engine::GroupBy;
use crate::footing::ShownRow;
use crate::money::{fmt_grouped, fmt_plain};
use color_eyre::eyre::eyre;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize)]
struct Attribute {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value")]
    value: String,
}

#[derive(Serialize)]
struct GroupRow {
    #[serde(rename = "Arn")]
    arn: String,
    #[serde(rename = "ProformaCost")]
    proforma: String,
    #[serde(rename = "Currency")]
    currency: String,
    #[serde(rename = "Attributes", skip_serializing_if = "Option::is_none")]
    attributes: Option<Vec<Attribute>>,
}

/// One row as a customer sees it: its name, its attribute (if any) and its pro forma.
struct Row {
    arn: String,
    name: String,
    attributes: Vec<(String, String)>,
    proforma: rust_decimal::Decimal,
}

fn attributes(a: &[(String, String)]) -> Vec<Attribute> {
    a.iter()
        .map(|(k, v)| Attribute {
            key: k.clone(),
            value: v.clone(),
        })
        .collect()
}

fn proforma(a: &ShownRow) -> rust_decimal::Decimal {
    a.proforma.unwrap_or_default()
}

/// The report for a customer; see the module doc for the shapes.
///
/// # Errors
/// An unknown group or view, amounts in several currencies.
pub fn render(
    analysis: &Analysis,
    group: Option<&str>,
    view: Option<&str>,
    group_by: Option<GroupBy>,
    format: OutputFormat,
    names: &HashMap<String, String>,
) -> color_eyre::Result<String> {
    if let Some(v) = view {
        return render_view(analysis, v, group_by, format, names);
    }
    let currency = analysis.currency()?.to_string();
    let results = group.is_some();
    let (rows, total) = match group {
        Some(g) => {
            let g = analysis.group_index(g)?;
            analysis.refuse_level_two(g)?;
            let group = &analysis.config.groups[g];
            match group_by {
                Some(by) => {
                    let (rows, shown) = analysis.shown_breakdown(g, by, &[]);
                    let rows = rows
                        .iter()
                        .zip(&shown.rows)
                        .map(|(r, a)| Row {
                            arn: group.arn.clone(),
                            name: group.name.clone(),
                            attributes: r.attributes.clone(),
                            proforma: proforma(a),
                        })
                        .collect();
                    (rows, proforma(&shown.total))
                }
                None => {
                    let row = analysis.shown_invoice().groups[g];
                    let one = Row {
                        arn: group.arn.clone(),
                        name: group.name.clone(),
                        attributes: Vec::new(),
                        proforma: proforma(&row),
                    };
                    (vec![one], proforma(&row))
                }
            }
        }
        None => {
            let inv = analysis.shown_invoice();
            let rows = analysis
                .config
                .groups
                .iter()
                .zip(&inv.groups)
                .enumerate()
                .filter(|(i, _)| analysis.listed_group(*i))
                .map(|(_, (g, a))| Row {
                    arn: g.arn.clone(),
                    name: g.name.clone(),
                    attributes: Vec::new(),
                    proforma: proforma(a),
                })
                .collect();
            (rows, proforma(&inv.groups_total))
        }
    };
    match format {
        OutputFormat::Json => {
            let list: Vec<GroupRow> = rows
                .iter()
                .map(|r| GroupRow {
                    arn: r.arn.clone(),
                    proforma: fmt_plain(r.proforma),
                    currency: currency.clone(),
                    attributes: results.then(|| attributes(&r.attributes)),
                })
                .collect();
            #[derive(Serialize)]
            struct Reports {
                #[serde(rename = "BillingGroupCostReports")]
                list: Vec<GroupRow>,
            }
            #[derive(Serialize)]
            struct Results {
                #[serde(rename = "BillingGroupCostReportResults")]
                list: Vec<GroupRow>,
            }
            if results {
                super::report::json_pretty(&Results { list })
            } else {
                super::report::json_pretty(&Reports { list })
            }
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header = vec!["Arn".to_string(), "Name".into()];
            header.extend(group_by.filter(|_| results).map(|g| g.key().to_string()));
            header.extend(["ProformaCost", "Currency"].map(String::from));
            w.write_record(&header)?;
            for r in &rows {
                let mut rec = vec![r.arn.clone(), r.name.clone()];
                rec.extend(r.attributes.iter().map(|(_, v)| v.clone()));
                rec.extend([fmt_plain(r.proforma), currency.clone()]);
                w.write_record(&rec)?;
            }
            Ok(String::from_utf8(
                w.into_inner().map_err(|e| eyre!("{e}"))?,
            )?)
        }
        // Md is refused before a report is built (cli::run): it reads as the table.
        OutputFormat::Table | OutputFormat::Md => {
            let mut cols: Vec<(&str, Align)> = vec![("Billing group", Align::Left)];
            if let Some(by) = group_by.filter(|_| results) {
                cols.push((by.label(), Align::Left));
            }
            cols.push(("Pro forma", Align::Right));
            let mut t = Table::new(&cols);
            for r in &rows {
                let mut cells = vec![r.name.clone()];
                if group_by.is_some() && results {
                    let v = r
                        .attributes
                        .first()
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default();
                    cells.push(match (group_by, names.get(&v)) {
                        (Some(GroupBy::LinkedAccount), Some(n)) => format!("{v} {n}"),
                        _ => v,
                    });
                }
                cells.push(fmt_grouped(r.proforma));
                t.row(cells);
            }
            let mut totals = vec!["Total".to_string()];
            if group_by.is_some() && results {
                totals.push(String::new());
            }
            totals.push(fmt_grouped(total));
            t.totals(totals);
            Ok(format!(
                "Billing groups {}, {currency} (pro forma)\n{}",
                analysis.period,
                t.render()
            ))
        }
    }
}

fn render_view(
    analysis: &Analysis,
    view: &str,
    group_by: Option<GroupBy>,
    format: OutputFormat,
    names: &HashMap<String, String>,
) -> color_eyre::Result<String> {
    let currency = super::report::currency_of(analysis, Some(view))?;
    let report = analysis.view_report(view, group_by)?;
    let shown = analysis.shown_view_of(view, &report);
    let mut rows: Vec<(&[(String, String)], rust_decimal::Decimal)> = report
        .rows
        .iter()
        .zip(&shown.rows)
        .filter_map(|(r, a)| a.proforma.map(|p| (r.attributes.as_slice(), p)))
        .collect();
    // Largest charge first: the report's own order (by AWS cost) would tell the ranking of
    // what AWS bills.
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let total = proforma(&shown.total);
    match format {
        OutputFormat::Json => {
            #[derive(Serialize)]
            struct Info<'a> {
                #[serde(rename = "Name")]
                name: &'a str,
                #[serde(rename = "Type")]
                view_type: &'a str,
                #[serde(rename = "Arn")]
                arn: &'a str,
            }
            #[derive(Serialize)]
            struct Amount {
                #[serde(rename = "Proforma")]
                proforma: String,
            }
            #[derive(Serialize)]
            struct ViewRow {
                #[serde(rename = "Attributes")]
                attributes: Vec<Attribute>,
                #[serde(rename = "Proforma")]
                proforma: String,
            }
            #[derive(Serialize)]
            struct View<'a> {
                #[serde(rename = "BillingView")]
                view: Info<'a>,
                #[serde(rename = "BillingPeriod")]
                period: String,
                #[serde(rename = "Currency")]
                currency: &'a str,
                #[serde(rename = "Rows")]
                rows: Vec<ViewRow>,
                #[serde(rename = "Totals")]
                totals: Amount,
            }
            super::report::json_pretty(&View {
                view: Info {
                    name: &report.view.name,
                    view_type: &report.view.view_type,
                    arn: &report.view.arn,
                },
                period: report.period.to_string(),
                currency: &currency,
                rows: rows
                    .iter()
                    .map(|(a, p)| ViewRow {
                        attributes: attributes(a),
                        proforma: fmt_plain(*p),
                    })
                    .collect(),
                totals: Amount {
                    proforma: fmt_plain(total),
                },
            })
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header: Vec<String> = group_by
                .map(|g| vec![g.key().to_string()])
                .unwrap_or_default();
            header.extend(["Proforma", "Currency"].map(String::from));
            w.write_record(&header)?;
            for (a, p) in &rows {
                let mut rec: Vec<String> = a.iter().map(|(_, v)| v.clone()).collect();
                rec.extend([fmt_plain(*p), currency.clone()]);
                w.write_record(&rec)?;
            }
            Ok(String::from_utf8(
                w.into_inner().map_err(|e| eyre!("{e}"))?,
            )?)
        }
        // Md is refused before a report is built (cli::run): it reads as the table.
        OutputFormat::Table | OutputFormat::Md => {
            let mut cols: Vec<(&str, Align)> = Vec::new();
            if let Some(g) = group_by {
                cols.push((g.label(), Align::Left));
            }
            cols.push(("Pro forma", Align::Right));
            let mut t = Table::new(&cols);
            for (a, p) in &rows {
                let mut cells = Vec::new();
                if group_by.is_some() {
                    let v = a.first().map(|(_, v)| v.clone()).unwrap_or_default();
                    cells.push(match (group_by, names.get(&v)) {
                        (Some(GroupBy::LinkedAccount), Some(n)) => format!("{v} {n}"),
                        _ => v,
                    });
                }
                cells.push(fmt_grouped(*p));
                t.row(cells);
            }
            let mut totals = Vec::new();
            if group_by.is_some() {
                totals.push("Total".to_string());
            }
            totals.push(fmt_grouped(total));
            t.totals(totals);
            Ok(format!(
                "{} {}, {currency} (pro forma)\n{}",
                report.view.name,
                report.period,
                t.render()
            ))
        }
    }
}
