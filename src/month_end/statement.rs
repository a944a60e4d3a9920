//! Statements (issue 12 item 4): what the customer of a billing group receives for a period,
//! built from the same priced period as `proforma report` ([`Analysis`]) and rendered as CSV,
//! Markdown or self-contained HTML (which a browser prints to PDF).
//!
//! What a statement holds (README "Statements"):
//! - the billing group's name, its primary account (id and name), the period, the currency,
//!   the statement number and the workspace's configuration version ([`config_version`]);
//! - "Charges by service": one line per service (SERVICE_CODE) of the group's rows, labelled
//!   with the service's product name (PRODUCT_NAME, as the report shows it) and its code beside
//!   it; services whose pro forma is exactly zero are left out; then every active custom line
//!   item of the group as its own line, labelled with its description (the customer-facing
//!   text, never its internal name), typed `Fee` or `Credit` (a credit is negative);
//! - the subtotal (the group's ProformaCost as `report` shows it), the tax of the group's rows
//!   as its own line only when the user passes it on, and the total;
//! - "Charges by account" when the group has several accounts: each account's pro forma
//!   (its rows and the custom line items charged to it), adding up to the same subtotal.
//!
//! It never holds AWS cost (billable), margin, or pricing plan or rule names.
//!
//! Amounts foot as displayed (SPEC 5, [`crate::footing`]): the subtotal and the tax are the
//! group's shown pro forma and tax of the billing group list, the lines of each table are
//! rounded with the largest remainder so they add up to the subtotal, and the total is the
//! shown subtotal plus the shown tax.
//!
//! A statement holds no wall-clock time: the same workspace state gives the same bytes (a
//! closed period's statement is reproducible byte for byte).

use crate::analysis::{Analysis, ReportError};
use crate::model::ItemType;
use crate::money::{fmt_grouped, fmt_plain};
use crate::period::BillingPeriod;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

/// The words a statement of an open period carries, in every format.
pub const DRAFT_LABEL: &str = "DRAFT – period not closed";
/// The status of a statement of a closed period.
pub const FINAL_LABEL: &str = "Final – period closed";

/// The file format of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Csv,
    Md,
    Html,
}

impl Format {
    /// `csv`, `md`, `html`: the file extension, and the name stored with an issue.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Md => "md",
            Format::Html => "html",
        }
    }
}

/// What a statement line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// The group's rows of one service.
    Service,
    /// A custom line item of type FEE (positive).
    Fee,
    /// A custom line item of type CREDIT (negative).
    Credit,
}

impl LineKind {
    /// `Service`, `Fee`, `Credit`.
    pub fn label(self) -> &'static str {
        match self {
            LineKind::Service => "Service",
            LineKind::Fee => "Fee",
            LineKind::Credit => "Credit",
        }
    }
}

/// One line of "Charges by service".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub kind: LineKind,
    /// The service's product name, or the custom line item's description.
    pub label: String,
    /// The service code; for a custom line item its type (`Fee` / `Credit`).
    pub code: String,
    /// Shown amount (2 decimals, footed to the subtotal); a credit is negative.
    pub amount: Decimal,
}

/// One line of "Charges by account".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLine {
    pub account: String,
    /// The account's name from the accounts file or the CUR, when known.
    pub name: Option<String>,
    /// Shown amount, footed to the subtotal.
    pub amount: Decimal,
}

/// A billing group's statement for one period, amounts as shown (2 decimals, footed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `2026-10-0007`: stable per (group, period), assigned at first issue.
    pub number: String,
    pub group_name: String,
    pub group_arn: String,
    pub primary_account: String,
    pub primary_account_name: Option<String>,
    pub period: BillingPeriod,
    /// ISO 4217 code of every amount (SPEC 5).
    pub currency: String,
    /// See [`config_version`].
    pub config_version: String,
    /// The period is not closed: every format says [`DRAFT_LABEL`].
    pub draft: bool,
    /// Services (largest first), then custom line items (by name).
    pub lines: Vec<StatementLine>,
    /// Per account (by id); empty when the group has one account.
    pub accounts: Vec<AccountLine>,
    /// The group's pro forma as `report` shows it (ProformaCost).
    pub subtotal: Decimal,
    /// The tax of the group's rows, when passed on (`--with-tax`).
    pub tax: Option<Decimal>,
    /// `subtotal + tax`.
    pub total: Decimal,
}

/// What the workspace decides about a statement beside its numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub number: String,
    pub config_version: String,
    pub draft: bool,
    /// Pass the tax of the group's rows on as its own line.
    pub with_tax: bool,
}

/// The workspace's configuration version for a period: the first 12 hex digits of the
/// xxh3-128 of the configuration in force, exported as the project's TOML
/// ([`crate::interop::toml_config::export`], the text `config export --period P` prints).
/// Stable while nothing in the period's configuration changes (a closed period's never does);
/// any change to a group, plan, rule, item or view in force changes it.
pub fn config_version(config: &crate::model::Config) -> String {
    let text = crate::interop::toml_config::export(config);
    let h = xxhash_rust::xxh3::xxh3_128(text.as_bytes());
    format!("{h:032x}").chars().take(12).collect()
}

/// Builds group `g`'s statement from a priced period.
///
/// `names`: account names by id (the accounts file, CUR 2.0 names).
///
/// # Errors
/// [`ReportError::MixedCurrencies`] when the period's amounts are in several currencies
/// (never added up, as `report` refuses).
pub fn build(
    analysis: &Analysis,
    g: usize,
    header: &Header,
    names: &HashMap<String, String>,
) -> Result<Statement, ReportError> {
    let currency = analysis.currency()?.to_string();
    let group = &analysis.config.groups[g];
    let pricing = &analysis.pricing;
    let product_names = &pricing.product_names;
    // The group's row of the billing group list, as shown: subtotal and tax.
    let shown = analysis.shown_invoice().groups.get(g).copied();
    let subtotal = shown.and_then(|r| r.proforma).unwrap_or_default();
    let tax = header
        .with_tax
        .then(|| shown.map(|r| r.tax).unwrap_or_default());

    // Exact pro forma per service code and per account, from the group's lines.
    let mut by_service: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut by_account: BTreeMap<String, Decimal> = BTreeMap::new();
    for (i, line) in analysis.lines.iter().enumerate() {
        if pricing.line_group.get(i).copied().flatten() != Some(g) {
            continue;
        }
        let p = pricing.line_price[i].proforma;
        *by_service
            .entry(line.key.product_code.to_string())
            .or_default() += p;
        *by_account.entry(line.key.account.to_string()).or_default() += p;
    }
    let mut services: Vec<(String, String, Decimal)> = by_service
        .into_iter()
        .filter(|(_, p)| !p.is_zero())
        .map(|(code, p)| {
            // The product name `report` shows for the code (PRODUCT_NAME), else the code.
            let label = product_names.shown(&code, "").to_string();
            (label, code, p)
        })
        .collect();
    services.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));

    // Custom line items of the group, one line each (an ITEMIZED item's parts summed).
    let mut items: BTreeMap<usize, Decimal> = BTreeMap::new();
    for a in pricing.items.iter().filter(|a| a.group == g) {
        *items.entry(a.item).or_default() += a.amount;
        *by_account.entry(a.account.clone()).or_default() += a.amount;
    }
    let mut exact: Vec<Decimal> = services.iter().map(|s| s.2).collect();
    let mut kinds: Vec<(LineKind, String, String)> = services
        .into_iter()
        .map(|(label, code, _)| (LineKind::Service, label, code))
        .collect();
    // Config items are sorted by name: this is the items' order too.
    for (&item, &amount) in &items {
        let Some(it) = analysis.pricing.item(&analysis.config, item) else {
            continue;
        };
        let kind = match it.item_type {
            ItemType::Fee => LineKind::Fee,
            ItemType::Credit => LineKind::Credit,
        };
        exact.push(amount);
        kinds.push((kind, it.description.clone(), kind.label().to_string()));
    }
    let amounts = crate::footing::distribute(&exact, subtotal);
    let lines = kinds
        .into_iter()
        .zip(amounts)
        .map(|((kind, label, code), amount)| StatementLine {
            kind,
            label,
            code,
            amount,
        })
        .collect();

    // Accounts: the group's members in the period, and any account its lines or items name.
    let mut members: BTreeSet<String> = group.accounts.iter().cloned().collect();
    members.extend(by_account.keys().cloned());
    let accounts = if members.len() > 1 {
        let ids: Vec<String> = members.into_iter().collect();
        let exact: Vec<Decimal> = ids
            .iter()
            .map(|a| by_account.get(a).copied().unwrap_or_default())
            .collect();
        ids.into_iter()
            .zip(crate::footing::distribute(&exact, subtotal))
            .map(|(account, amount)| AccountLine {
                name: names.get(&account).cloned(),
                account,
                amount,
            })
            .collect()
    } else {
        Vec::new()
    };

    Ok(Statement {
        number: header.number.clone(),
        group_name: group.name.clone(),
        group_arn: group.arn.clone(),
        primary_account: group.primary_account.clone(),
        primary_account_name: names.get(&group.primary_account).cloned(),
        period: analysis.period,
        currency,
        config_version: header.config_version.clone(),
        draft: header.draft,
        lines,
        accounts,
        subtotal,
        tax,
        total: subtotal + tax.unwrap_or_default(),
    })
}

/// `October 2026`.
pub fn period_label(p: BillingPeriod) -> String {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = usize::from(p.month()).clamp(1, 12);
    format!("{} {}", NAMES[month - 1], p.year())
}

/// A data string made one harmless line: control and reordering characters shown escaped
/// ([`crate::text::escape`]), so no file format's structure can be broken by them.
fn one_line(s: &str) -> String {
    crate::text::escape(s, crate::text::Keep::Nothing).into_owned()
}

/// A text cell of a statement CSV, safe to open in a spreadsheet: a cell that starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return (which a spreadsheet may read as a formula)
/// gets a `'` in front. Amounts are never passed here: they are written by proforma as
/// `-?digits.digits` (a credit stays a negative number a spreadsheet can add up).
pub fn csv_text(s: &str) -> String {
    let s = one_line(s);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

/// Markdown text: characters that mean something in Markdown (and inline HTML) escaped with
/// a backslash, so a name shows as written and cannot add links, emphasis or table cells.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// HTML text: `&`, `<`, `>`, `"` and `'` as entities.
fn html_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

impl Statement {
    /// `304857112600 (retail-web-prod)`, or the id alone.
    fn primary_label(&self) -> String {
        match &self.primary_account_name {
            Some(n) => format!("{} ({n})", self.primary_account),
            None => self.primary_account.clone(),
        }
    }

    fn status(&self) -> &'static str {
        if self.draft { DRAFT_LABEL } else { FINAL_LABEL }
    }

    /// The statement as bytes of `format`.
    ///
    /// # Errors
    /// Only the CSV writer's (writing to memory does not fail).
    pub fn render(&self, format: Format) -> Result<Vec<u8>, csv::Error> {
        Ok(match format {
            Format::Csv => self.csv()?,
            Format::Md => self.markdown().into_bytes(),
            Format::Html => self.html().into_bytes(),
        })
    }

    /// One record per line, every record with the statement's fields, so the file filters and
    /// sums in a spreadsheet: `Section` is `Service`, `Fee`, `Credit`, `Subtotal`, `Tax`,
    /// `Total` or `Account`; the service, fee and credit lines add up to `Subtotal`, and so do
    /// the `Account` lines. Text cells are escaped with [`csv_text`]; amounts are plain
    /// numbers (`-150.00`).
    fn csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "StatementNumber",
            "Status",
            "BillingGroup",
            "PrimaryAccount",
            "BillingPeriod",
            "ConfigurationVersion",
            "Section",
            "Description",
            "Code",
            "AccountId",
            "AccountName",
            "Amount",
            "Currency",
        ])?;
        let head = [
            csv_text(&self.number),
            csv_text(self.status()),
            csv_text(&self.group_name),
            csv_text(&self.primary_account),
            csv_text(&self.period.to_string()),
            csv_text(&self.config_version),
        ];
        let mut row = |section: &str,
                       description: &str,
                       code: &str,
                       account: &str,
                       name: &str,
                       amount: Decimal|
         -> Result<(), csv::Error> {
            let mut rec: Vec<String> = head.to_vec();
            rec.extend([
                csv_text(section),
                csv_text(description),
                csv_text(code),
                csv_text(account),
                csv_text(name),
                fmt_plain(amount),
                csv_text(&self.currency),
            ]);
            w.write_record(&rec)
        };
        for l in &self.lines {
            row(l.kind.label(), &l.label, &l.code, "", "", l.amount)?;
        }
        row("Subtotal", "Subtotal", "", "", "", self.subtotal)?;
        if let Some(t) = self.tax {
            row("Tax", "Tax", "", "", "", t)?;
        }
        row("Total", "Total", "", "", "", self.total)?;
        for a in &self.accounts {
            row(
                "Account",
                "",
                "",
                &a.account,
                a.name.as_deref().unwrap_or(""),
                a.amount,
            )?;
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }

    /// Markdown: a title, the statement's fields, the charges by service with subtotal, tax
    /// and total, and the charges by account.
    fn markdown(&self) -> String {
        let cur = md_text(&self.currency);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# Statement {} — {}\n",
            md_text(&self.number),
            md_text(&self.group_name)
        );
        if self.draft {
            let _ = writeln!(s, "**{}**\n", md_text(DRAFT_LABEL));
        }
        s.push_str("| | |\n|---|---|\n");
        for (k, v) in self.fields() {
            let _ = writeln!(s, "| {k} | {} |", md_text(&v));
        }
        let _ = writeln!(
            s,
            "\n## Charges by service\n\n| Description | Service code / type | Amount ({cur}) |\n|---|---|---:|"
        );
        for l in &self.lines {
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                md_text(&l.label),
                md_text(&l.code),
                fmt_grouped(l.amount)
            );
        }
        let _ = writeln!(s, "| **Subtotal** | | **{}** |", fmt_grouped(self.subtotal));
        if let Some(t) = self.tax {
            let _ = writeln!(s, "| Tax | | {} |", fmt_grouped(t));
        }
        let _ = writeln!(
            s,
            "| **Total ({cur})** | | **{}** |",
            fmt_grouped(self.total)
        );
        if !self.accounts.is_empty() {
            let _ = writeln!(
                s,
                "\n## Charges by account\n\n| Account | Name | Amount ({cur}) |\n|---|---|---:|"
            );
            for a in &self.accounts {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} |",
                    md_text(&a.account),
                    md_text(a.name.as_deref().unwrap_or("")),
                    fmt_grouped(a.amount)
                );
            }
            let _ = writeln!(s, "| **Subtotal** | | **{}** |", fmt_grouped(self.subtotal));
        }
        let _ = writeln!(s, "\n{}", md_text(&self.footnote()));
        s
    }

    /// The statement's fields as (label, value), in every format's order.
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Statement number", self.number.clone()),
            ("Status", self.status().to_string()),
            ("Billing group", self.group_name.clone()),
            ("Primary account", self.primary_label()),
            (
                "Billing period",
                format!("{} ({})", period_label(self.period), self.period),
            ),
            ("Currency", self.currency.clone()),
            ("Configuration version", self.config_version.clone()),
        ]
    }

    fn footnote(&self) -> String {
        let tax = if self.tax.is_some() {
            "Tax is shown as charged on the group's usage."
        } else {
            "Amounts exclude tax."
        };
        format!(
            "Amounts in {}, rounded to the cent; the lines add up to the totals. {tax}",
            self.currency
        )
    }

    /// Self-contained HTML (inline CSS, no external resources) with a print stylesheet: A4,
    /// no page break inside a row or the totals, table headers repeated on each page.
    fn html(&self) -> String {
        let cur = html_text(&self.currency);
        let mut s = String::new();
        s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        let _ = writeln!(
            s,
            "<title>Statement {} — {} — {}</title>",
            html_text(&self.number),
            html_text(&self.group_name),
            self.period
        );
        s.push_str(STYLE);
        s.push_str("</head>\n<body>\n");
        if self.draft {
            let _ = writeln!(s, "<p class=\"draft\">{}</p>", html_text(DRAFT_LABEL));
        }
        let _ = writeln!(
            s,
            "<h1>Statement {}</h1>\n<table class=\"fields keep\">",
            html_text(&self.number)
        );
        for (k, v) in self.fields() {
            let _ = writeln!(s, "<tr><th>{k}</th><td>{}</td></tr>", html_text(&v));
        }
        s.push_str("</table>\n<h2>Charges by service</h2>\n<table class=\"lines\">\n");
        let _ = writeln!(
            s,
            "<thead><tr><th>Description</th><th>Service code / type</th><th class=\"num\">Amount ({cur})</th></tr></thead>\n<tbody>"
        );
        for l in &self.lines {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                html_text(&l.label),
                html_text(&l.code),
                fmt_grouped(l.amount)
            );
        }
        s.push_str("</tbody>\n<tbody class=\"totals\">\n");
        let _ = writeln!(
            s,
            "<tr class=\"sub\"><th colspan=\"2\">Subtotal</th><td class=\"num\">{}</td></tr>",
            fmt_grouped(self.subtotal)
        );
        if let Some(t) = self.tax {
            let _ = writeln!(
                s,
                "<tr><th colspan=\"2\">Tax</th><td class=\"num\">{}</td></tr>",
                fmt_grouped(t)
            );
        }
        let _ = writeln!(
            s,
            "<tr class=\"total\"><th colspan=\"2\">Total ({cur})</th><td class=\"num\">{}</td></tr>",
            fmt_grouped(self.total)
        );
        s.push_str("</tbody>\n</table>\n");
        if !self.accounts.is_empty() {
            let _ = writeln!(
                s,
                "<h2>Charges by account</h2>\n<table class=\"lines\">\n<thead><tr><th>Account</th><th>Name</th><th class=\"num\">Amount ({cur})</th></tr></thead>\n<tbody>"
            );
            for a in &self.accounts {
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                    html_text(&a.account),
                    html_text(a.name.as_deref().unwrap_or("")),
                    fmt_grouped(a.amount)
                );
            }
            let _ = writeln!(
                s,
                "</tbody>\n<tbody class=\"totals\">\n<tr class=\"total\"><th colspan=\"2\">Subtotal</th><td class=\"num\">{}</td></tr>\n</tbody>\n</table>",
                fmt_grouped(self.subtotal)
            );
        }
        let _ = writeln!(
            s,
            "<p class=\"note\">{}</p>\n</body>\n</html>",
            html_text(&self.footnote())
        );
        s
    }
}

/// The HTML statement's stylesheet: screen and print (A4; rows, the fields and the totals are
/// never split across pages; table headers repeat on every page; black on white).
const STYLE: &str = r#"<style>
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 11pt; color: #000; background: #fff; margin: 2em auto; max-width: 52em; }
h1 { font-size: 18pt; margin: 0 0 0.5em; }
h2 { font-size: 13pt; margin: 1.5em 0 0.5em; break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.25em 0.5em; border-bottom: 1px solid #999; vertical-align: top; }
.fields { width: auto; }
.fields th { padding-right: 2em; font-weight: normal; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.totals th, .totals td { font-weight: bold; }
.total th, .total td { border-top: 2px solid #000; border-bottom: 2px solid #000; }
.draft { font-weight: bold; font-size: 14pt; border: 2px solid #000; padding: 0.4em; text-align: center; }
.note { font-size: 9pt; margin-top: 2em; }
@media print {
  @page { size: A4; margin: 18mm 15mm; }
  body { margin: 0; max-width: none; font-size: 10pt; }
  thead { display: table-header-group; }
  tr, .keep, .totals, .draft { break-inside: avoid; page-break-inside: avoid; }
  .totals { break-before: avoid; page-break-before: avoid; }
}
</style>
"#;

/// A file-name-safe slug of a group name: ASCII letters and digits kept (lower-cased), `.`,
/// `_` and `-` kept inside, everything else `-`; leading and trailing separators dropped;
/// `group` when nothing is left.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(['-', '.', '_']);
    if trimmed.is_empty() {
        "group".to_string()
    } else {
        trimmed.to_string()
    }
}

/// One file-name slug per group, in the given order, unique without regard to case: a group
/// whose name is its own slug keeps the plain slug (so an existing customer's file name does
/// not change when another group with a similar name is added); the others get `-2`, `-3`...
/// in the given order.
pub fn unique_slugs(groups: &[&str]) -> Vec<String> {
    let slugs: Vec<String> = groups.iter().map(|g| slug(g)).collect();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut out: Vec<Option<String>> = vec![None; groups.len()];
    // First the groups named exactly as their slug, then the rest.
    let exact = |i: usize| groups[i] == slugs[i];
    let order: Vec<usize> = (0..groups.len())
        .filter(|&i| exact(i))
        .chain((0..groups.len()).filter(|&i| !exact(i)))
        .collect();
    for i in order {
        let base = &slugs[i];
        let mut name = base.clone();
        let mut n = 2;
        while !taken.insert(name.to_ascii_lowercase()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        out[i] = Some(name);
    }
    out.into_iter().map(Option::unwrap_or_default).collect()
}

/// The file names of `--all`, one per group in the given order: `<slug>-<period>.<ext>`,
/// unique as [`unique_slugs`] makes them.
pub fn file_names(groups: &[&str], period: BillingPeriod, format: Format) -> Vec<String> {
    unique_slugs(groups)
        .into_iter()
        .map(|name| format!("{name}-{period}.{}", format.extension()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_named_as_its_slug_keeps_its_file_name() {
        assert_eq!(unique_slugs(&["RETAIL", "retail"]), ["retail-2", "retail"]);
        assert_eq!(unique_slugs(&["retail", "RETAIL"]), ["retail", "retail-2"]);
        assert_eq!(
            unique_slugs(&["a b", "a/b", "a-b"]),
            ["a-b-2", "a-b-3", "a-b"]
        );
    }

    #[test]
    fn csv_text_escapes_formula_starts_only() {
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("+1"), "'+1");
        assert_eq!(csv_text("-1"), "'-1");
        // A tab is shown escaped first (one line), so the cell starts with a backslash.
        assert_eq!(csv_text("\tx"), "\\tx");
        assert_eq!(csv_text("retail"), "retail");
        assert_eq!(csv_text("a=b"), "a=b");
    }

    #[test]
    fn markup_cannot_be_injected() {
        assert_eq!(html_text("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(md_text("a|b*c[x](y)"), "a\\|b\\*c\\[x\\](y)");
        assert_eq!(md_text("line\nbreak"), "line\\\\nbreak");
    }

    #[test]
    fn slugs_are_safe_and_unique() {
        assert_eq!(slug("=HYPERLINK"), "hyperlink");
        assert_eq!(slug("@@@"), "group");
        assert_eq!(slug("Retail.EU"), "retail.eu");
        let p = BillingPeriod::new(2026, 10).unwrap();
        assert_eq!(
            file_names(&["Retail", "retail", "a+b", "a=b"], p, Format::Html),
            [
                "retail-2-2026-10.html",
                "retail-2026-10.html",
                "a-b-2026-10.html",
                "a-b-2-2026-10.html"
            ]
        );
    }

    #[test]
    fn period_labels() {
        assert_eq!(
            period_label(BillingPeriod::new(2026, 10).unwrap()),
            "October 2026"
        );
    }
}
