//! `proforma report`: the billing group cost report, one group by an attribute, or a billing
//! view report (SPEC 5), as a table, CSV or the AWS-shaped JSON.

use super::OutputFormat;
use super::table::{Align, Table};
use crate::analysis::Analysis;
use crate::engine::{Amounts, GroupBy, GroupCostRow, ViewReport};
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
    let analysis = Analysis::load(&ws, period)?;
    let names: HashMap<String, String> = ws
        .accounts()?
        .into_iter()
        .filter_map(|a| a.name.map(|n| (a.id, n)))
        .collect();
    // SPEC 5: the rows' own currency; a payer's primary view is in that payer's currency.
    let currency = match view.and_then(|v| v.strip_prefix("primary:")) {
        Some(payer) => analysis.payer_currency(payer),
        None => analysis.currency()?,
    }
    .to_string();
    let out = match (view, group) {
        (Some(v), _) => render_view(
            &analysis.view_report(v, group_by)?,
            format,
            &names,
            &currency,
        )?,
        (None, Some(g)) => {
            let g = analysis.group_index(g)?;
            let rows = match group_by {
                Some(by) => analysis.group_breakdown(g, by),
                None => analysis
                    .group_reports()
                    .into_iter()
                    .filter(|r| r.group == g)
                    .collect(),
            };
            render_group_rows(&rows, format, true, group_by, &analysis, &names)?
        }
        (None, None) => render_group_rows(
            &analysis.group_reports(),
            format,
            false,
            None,
            &analysis,
            &names,
        )?,
    };
    super::table::print_safe(&out, format == OutputFormat::Json);
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

impl From<&Amounts> for JsonAmounts {
    fn from(a: &Amounts) -> Self {
        JsonAmounts {
            billable: fmt_plain(a.billable),
            proforma: a.proforma.map(fmt_plain),
            margin: a.margin().map(fmt_plain),
            tax: fmt_plain(a.tax),
        }
    }
}

fn pct(d: Option<Decimal>) -> String {
    d.map_or("–".to_string(), fmt_plain)
}

/// `currency` is the ISO 4217 code of the amounts (SPEC 5), shown in the table title, the
/// JSON `Currency` field and a CSV `Currency` column.
pub fn render_view(
    r: &ViewReport,
    format: OutputFormat,
    names: &HashMap<String, String>,
    currency: &str,
) -> color_eyre::Result<String> {
    let has_proforma = r.totals.proforma.is_some();
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
                .map(|row| JsonRow {
                    attributes: attributes(&row.attributes),
                    amounts: (&row.amounts).into(),
                })
                .collect(),
            totals: (&r.totals).into(),
        }),
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
            header.push("Currency".into());
            w.write_record(&header)?;
            for row in &r.rows {
                let mut rec: Vec<String> = row.attributes.iter().map(|(_, v)| v.clone()).collect();
                rec.push(fmt_plain(row.amounts.billable));
                if has_proforma {
                    rec.push(row.amounts.proforma.map(fmt_plain).unwrap_or_default());
                    rec.push(row.amounts.margin().map(fmt_plain).unwrap_or_default());
                }
                rec.push(fmt_plain(row.amounts.tax));
                rec.push(currency.to_string());
                w.write_record(&rec)?;
            }
            Ok(String::from_utf8(
                w.into_inner().map_err(|e| eyre!("{e}"))?,
            )?)
        }
        OutputFormat::Table => {
            let mut cols: Vec<(&str, Align)> = Vec::new();
            let by_account = r.group_by == Some(GroupBy::LinkedAccount);
            if let Some(g) = r.group_by {
                cols.push((g.key(), Align::Left));
                if by_account {
                    cols.push(("Name", Align::Left));
                }
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
            let line = |first: Vec<String>, a: &Amounts| {
                let mut cells = first;
                cells.push(fmt_grouped(a.billable));
                if has_proforma {
                    cells.push(money(a.proforma));
                    cells.push(money(a.margin()));
                    cells.push(pct(a.margin_percentage()));
                }
                cells.push(fmt_grouped(a.tax));
                cells
            };
            for row in &r.rows {
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
                t.row(line(first, &row.amounts));
            }
            let mut first = Vec::new();
            if r.group_by.is_some() {
                first.push("Total".to_string());
                if by_account {
                    first.push(String::new());
                }
            }
            let totals = line(first, &r.totals);
            if r.group_by.is_some() {
                t.totals(totals);
            } else {
                t.row(totals);
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

fn render_group_rows(
    rows: &[GroupCostRow],
    format: OutputFormat,
    results_shape: bool,
    group_by: Option<GroupBy>,
    analysis: &Analysis,
    names: &HashMap<String, String>,
) -> color_eyre::Result<String> {
    // SPEC 5: labelled with the rows' own currency; payers in different currencies are refused.
    let currency = analysis.currency()?;
    match format {
        OutputFormat::Json => {
            let list: Vec<JsonGroupRow> = rows
                .iter()
                .map(|r| JsonGroupRow {
                    arn: r.arn.clone(),
                    aws_cost: fmt_plain(r.aws_cost),
                    proforma: fmt_plain(r.proforma),
                    margin: fmt_plain(r.margin()),
                    margin_percentage: r.margin_percentage().map(fmt_plain),
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
            }
            if results_shape {
                json_pretty(&Results { list })
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
            w.write_record(&header)?;
            for r in rows {
                let mut rec = vec![r.arn.clone(), r.name.clone()];
                rec.extend(r.attributes.iter().map(|(_, v)| v.clone()));
                rec.extend([
                    fmt_plain(r.aws_cost),
                    fmt_plain(r.proforma),
                    fmt_plain(r.margin()),
                    r.margin_percentage().map(fmt_plain).unwrap_or_default(),
                    fmt_plain(r.tax),
                    currency.to_string(),
                ]);
                w.write_record(&rec)?;
            }
            Ok(String::from_utf8(
                w.into_inner().map_err(|e| eyre!("{e}"))?,
            )?)
        }
        OutputFormat::Table => {
            let mut cols: Vec<(&str, Align)> = vec![("Billing group", Align::Left)];
            if let Some(g) = group_by {
                cols.push((g.key(), Align::Left));
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
            for r in rows {
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
                        cells.push(g.accounts.len().to_string());
                    }
                }
                cells.extend([
                    fmt_grouped(r.aws_cost),
                    fmt_grouped(r.proforma),
                    fmt_grouped(r.margin()),
                    pct(r.margin_percentage()),
                    fmt_grouped(r.tax),
                ]);
                t.row(cells);
            }
            let sum = |f: fn(&GroupCostRow) -> Decimal| rows.iter().map(f).sum::<Decimal>();
            let (aws, proforma, tax) = (sum(|r| r.aws_cost), sum(|r| r.proforma), sum(|r| r.tax));
            let margin = proforma - aws;
            let margin_pct = (!aws.is_zero()).then(|| margin / aws * Decimal::ONE_HUNDRED);
            let blanks = if group_by.is_some() { 1 } else { 2 };
            let mut totals = vec!["Total".to_string()];
            totals.extend(std::iter::repeat_n(String::new(), blanks));
            totals.extend([
                fmt_grouped(aws),
                fmt_grouped(proforma),
                fmt_grouped(margin),
                pct(margin_pct),
                fmt_grouped(tax),
            ]);
            t.totals(totals);
            let mut out = format!(
                "Billing groups {}, {currency}\n{}",
                analysis.period,
                t.render()
            );
            if group_by.is_none() && !results_shape {
                let u = &analysis.pricing.unmonitored;
                let invoice = aws + tax + u.aws_cost + u.tax;
                out.push_str(&format!(
                    "\nUnmonitored accounts: billable {}, tax {}\nInvoice total (all payers): {} = groups {} + unmonitored {} + tax {}\n",
                    fmt_grouped(u.aws_cost),
                    fmt_grouped(u.tax),
                    fmt_grouped(invoice),
                    fmt_grouped(aws),
                    fmt_grouped(u.aws_cost),
                    fmt_grouped(tax + u.tax),
                ));
                out.push_str(&diagnostics(&analysis.pricing.diagnostics));
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
