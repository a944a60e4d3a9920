//! `proforma report`: the billing group cost report or a billing view report (SPEC 5), as a
//! table, CSV or the AWS-shaped JSON.

use super::OutputFormat;
use super::table::{Align, Table};
use crate::engine::{GroupBy, ViewInfo, ViewReport, view_report};
use crate::money::{fmt_grouped, fmt_plain};
use crate::period::BillingPeriod;
use crate::store::Workspace;
use color_eyre::eyre::{bail, eyre};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

pub fn run(
    path: &Path,
    period: BillingPeriod,
    group: Option<&str>,
    view: Option<&str>,
    group_by: Option<GroupBy>,
    format: OutputFormat,
) -> color_eyre::Result<()> {
    let ws = Workspace::open(path)?;
    let deliveries = ws.deliveries()?;
    let payers: Vec<&str> = deliveries
        .iter()
        .filter(|d| d.period == period)
        .map(|d| d.payer.as_str())
        .collect();
    if payers.is_empty() {
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
    match (view, group) {
        (Some(v), _) => {
            let report = view_report_for(&ws, period, v, &payers, group_by)?;
            let names: HashMap<String, String> = ws
                .accounts()?
                .into_iter()
                .filter_map(|a| a.name.map(|n| (a.id, n)))
                .collect();
            print!("{}", render_view(&report, format, &names)?);
        }
        (None, Some(g)) => {
            bail!(
                "no billing group '{g}' in {} (it has no billing groups yet)",
                path.display()
            )
        }
        (None, None) => print!("{}", render_group_reports(format)?),
    }
    Ok(())
}

fn view_report_for(
    ws: &Workspace,
    period: BillingPeriod,
    view: &str,
    payers: &[&str],
    group_by: Option<GroupBy>,
) -> color_eyre::Result<ViewReport> {
    let (kind, arg) = view
        .split_once(':')
        .map_or((view, None), |(k, a)| (k, Some(a)));
    match kind {
        "primary" => {
            let payer = match (arg, payers) {
                (Some(p), _) if payers.contains(&p) => p,
                (Some(p), _) => bail!(
                    "no payer {p} in period {period} (payers with data: {})",
                    payers.join(", ")
                ),
                (None, [only]) => *only,
                (None, many) => bail!(
                    "period {period} has {} payers; choose one with --view primary:<payer id> ({})",
                    many.len(),
                    many.join(", ")
                ),
            };
            let lines = ws.lines(period, Some(payer))?;
            Ok(view_report::build(
                ViewInfo::primary(payer),
                period,
                &lines,
                group_by,
            ))
        }
        "group" | "custom" | "transfer" | "showback" => Err(eyre!(
            "no {kind} view '{}' in this workspace (it has no billing configuration yet)",
            arg.unwrap_or_default()
        )),
        other => bail!(
            "unknown billing view '{other}' (expected primary, primary:<payer id>, group:<name>, custom:<name>, transfer:<name> or showback:<name>)"
        ),
    }
}

#[derive(Serialize)]
struct JsonView<'a> {
    #[serde(rename = "BillingView")]
    view: JsonViewInfo<'a>,
    #[serde(rename = "BillingPeriod")]
    period: String,
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

#[derive(Serialize)]
struct JsonRow {
    #[serde(rename = "Attributes")]
    attributes: Vec<JsonAttribute>,
    #[serde(flatten)]
    amounts: JsonAmounts,
}

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
}

fn amounts(
    billable: Decimal,
    proforma: Option<Decimal>,
    margin: Option<Decimal>,
    tax: Decimal,
) -> JsonAmounts {
    JsonAmounts {
        billable: fmt_plain(billable),
        proforma: proforma.map(fmt_plain),
        margin: margin.map(fmt_plain),
        tax: fmt_plain(tax),
    }
}

pub fn render_view(
    r: &ViewReport,
    format: OutputFormat,
    names: &HashMap<String, String>,
) -> color_eyre::Result<String> {
    let has_proforma = r.totals.proforma.is_some();
    match format {
        OutputFormat::Json => {
            let doc = JsonView {
                view: JsonViewInfo {
                    name: &r.view.name,
                    view_type: &r.view.view_type,
                    arn: &r.view.arn,
                },
                period: r.period.to_string(),
                rows: r
                    .rows
                    .iter()
                    .map(|row| JsonRow {
                        attributes: row
                            .attributes
                            .iter()
                            .map(|(k, v)| JsonAttribute {
                                key: k.clone(),
                                value: v.clone(),
                            })
                            .collect(),
                        amounts: amounts(row.billable, row.proforma, row.margin(), row.tax),
                    })
                    .collect(),
                totals: amounts(
                    r.totals.billable,
                    r.totals.proforma,
                    r.totals.margin(),
                    r.totals.tax,
                ),
            };
            Ok(json_pretty(&doc)?)
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header: Vec<String> = r
                .group_by
                .map(|g| vec![g.key().to_string()])
                .unwrap_or_default();
            header.push("Billable".into());
            if has_proforma {
                header.extend(["Proforma".into(), "Margin".into()]);
            }
            header.push("Tax".into());
            w.write_record(&header)?;
            for row in &r.rows {
                let mut rec: Vec<String> = row.attributes.iter().map(|(_, v)| v.clone()).collect();
                rec.push(fmt_plain(row.billable));
                if has_proforma {
                    rec.push(row.proforma.map(fmt_plain).unwrap_or_default());
                    rec.push(row.margin().map(fmt_plain).unwrap_or_default());
                }
                rec.push(fmt_plain(row.tax));
                w.write_record(&rec)?;
            }
            Ok(String::from_utf8(
                w.into_inner().map_err(|e| eyre!("{e}"))?,
            )?)
        }
        OutputFormat::Table => {
            let mut cols: Vec<(&str, Align)> = Vec::new();
            if let Some(g) = r.group_by {
                cols.push((g.key(), Align::Left));
                if g == GroupBy::LinkedAccount {
                    cols.push(("Name", Align::Left));
                }
            }
            cols.push(("Billable", Align::Right));
            if has_proforma {
                cols.extend([("Pro forma", Align::Right), ("Margin", Align::Right)]);
            }
            cols.push(("Tax", Align::Right));
            let mut t = Table::new(&cols);
            let money = |d: Option<Decimal>| d.map_or("–".to_string(), fmt_grouped);
            let line = |first: Vec<String>, billable, proforma, margin, tax| {
                let mut cells = first;
                cells.push(fmt_grouped(billable));
                if has_proforma {
                    cells.push(money(proforma));
                    cells.push(money(margin));
                }
                cells.push(fmt_grouped(tax));
                cells
            };
            for row in &r.rows {
                let mut first: Vec<String> =
                    row.attributes.iter().map(|(_, v)| v.clone()).collect();
                if r.group_by == Some(GroupBy::LinkedAccount) {
                    first.push(
                        first
                            .first()
                            .and_then(|id| names.get(id))
                            .cloned()
                            .unwrap_or_default(),
                    );
                }
                t.row(line(
                    first,
                    row.billable,
                    row.proforma,
                    row.margin(),
                    row.tax,
                ));
            }
            let mut first = Vec::new();
            if r.group_by.is_some() {
                first.push("Total".to_string());
                if r.group_by == Some(GroupBy::LinkedAccount) {
                    first.push(String::new());
                }
            }
            let totals = line(
                first,
                r.totals.billable,
                r.totals.proforma,
                r.totals.margin(),
                r.totals.tax,
            );
            let title = format!("{} ({}) {}, USD\n", r.view.name, r.view.arn, r.period);
            if r.group_by.is_some() {
                t.totals(totals);
            } else {
                t.row(totals);
            }
            Ok(title + &t.render())
        }
    }
}

/// The billing group cost report (`list-billing-group-cost-reports` shape). Groups come with
/// the configuration; a workspace without any lists none.
fn render_group_reports(format: OutputFormat) -> color_eyre::Result<String> {
    Ok(match format {
        OutputFormat::Json => "{\n    \"BillingGroupCostReports\": []\n}\n".to_string(),
        OutputFormat::Csv => {
            "Arn,AWSCost,ProformaCost,Margin,MarginPercentage,Currency\n".to_string()
        }
        OutputFormat::Table => "no billing groups in this workspace\n".to_string(),
    })
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
