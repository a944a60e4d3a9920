//! AWS's pro forma beside proforma's (issue 11 item 4).
//!
//! A user of AWS Billing Conductor can export the pro forma CUR of one billing group (legacy
//! CUR "pro forma" data view, or a Data Exports billing-group view): the same columns as the
//! billable CUR, only the group's member accounts, `bill/InvoiceId` never filled, and the pro
//! forma cost in `lineItem/UnblendedCost` (`../shared/reference/cur_formats.md` §4). Importing
//! it with `proforma import WS FILE --proforma-of GROUP` keeps its amounts per service and line
//! item type as that group's AWS pro forma for the period ([`import`]); reports, `explain` and
//! the TUI then show, per service, AWS's amount beside proforma's and the difference
//! ([`compare`]). It never becomes billable data: deliveries, the engine's numbers and the
//! totals kept ready are untouched by it.
//!
//! The files are read by the same readers as any cost file (`cur::read_input`); a light second
//! pass over the file ([`scan`]) finds what the aggregate does not keep: the invoice ids and the
//! line of an account that should not be there.

use crate::analysis::Analysis;
use crate::cur::{self, CurError, Format, Source};
use crate::engine::GroupBy;
use crate::engine::price::Membership;
use crate::footing::foot;
use crate::money::round2;
use crate::period::BillingPeriod;
use crate::store::aws_proforma::{AwsProforma, AwsProformaLine, AwsProformaStatus};
use crate::store::{StoreError, Workspace};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Why an AWS pro forma import was refused (nothing is written).
#[derive(Debug, thiserror::Error)]
pub enum AwsProformaError {
    #[error(transparent)]
    Read(#[from] CurError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file is readable but cannot be this group's pro forma; the message names the file,
    /// the line and what is wrong.
    #[error("{0}")]
    Refused(String),
}

/// What one import did.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub group_name: String,
    pub group_arn: String,
    pub period: BillingPeriod,
    pub status: AwsProformaStatus,
    /// CUR rows read.
    pub rows: u64,
    /// Σ of every line item type except `Tax`: what is compared with proforma's ProformaCost.
    pub proforma: Decimal,
    /// Σ of the `Tax` lines (not compared: ProformaCost excludes tax, SPEC 4.5).
    pub tax: Decimal,
    pub currency: String,
    pub files: Vec<String>,
    /// Things worth knowing that do not refuse the file (some rows carrying an invoice id).
    pub warnings: Vec<String>,
}

/// What the second pass over a file found: rows, rows with an invoice id (and the first of
/// them), and the first line of each account asked about.
#[derive(Debug, Default)]
struct Scan {
    rows: u64,
    invoiced: u64,
    first_invoice: Option<(u64, String)>,
    lines: BTreeMap<String, u64>,
    /// False when the format has no row-by-row pass here (then no line is named).
    done: bool,
}

/// The column positions the second pass reads: the invoice id and the usage account (legacy
/// CUR, Athena/CUR 2.0 snake_case, FOCUS).
fn scan_columns(header: &[String]) -> (Option<usize>, Option<usize>) {
    let norm: Vec<String> = header
        .iter()
        .map(|h| cur::columns::normalize_name(h))
        .collect();
    let find = |names: &[&str]| norm.iter().position(|n| names.contains(&n.as_str()));
    (
        find(&["bill_invoice_id", "invoice_id"]),
        find(&["line_item_usage_account_id", "sub_account_id"]),
    )
}

impl Scan {
    fn row(&mut self, line: u64, invoice: Option<&str>, account: Option<&str>) {
        self.rows += 1;
        if let Some(inv) = invoice.filter(|v| !crate::money::is_null(v)) {
            self.invoiced += 1;
            if self.first_invoice.is_none() {
                self.first_invoice = Some((line, inv.trim().to_string()));
            }
        }
        if let Some(a) = account
            && let Some(first) = self.lines.get_mut(a.trim())
            && *first == 0
        {
            *first = line;
        }
    }
}

/// The second pass: CSV of any compression the reader takes, and Parquet. `accounts`: the
/// accounts whose first line is wanted.
fn scan(source: &Source, accounts: &BTreeSet<String>) -> Result<Scan, CurError> {
    let mut s = Scan {
        lines: accounts.iter().map(|a| (a.clone(), 0)).collect(),
        ..Scan::default()
    };
    let path = source.display_path();
    match cur::detect::detect(source)? {
        // CUR 2.0 CSV: its invoice id and usage account are plain columns too.
        Format::CurCsv(compression)
        | Format::Cur2Csv(compression)
        | Format::FocusCsv(compression, _) => {
            source.with_reader(compression, |r| {
                // CRLF line ends are read as LF: the csv crate counts a CRLF file's lines one
                // short per line (an export's own pro forma CUR is CRLF).
                let mut csv = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(LfLines {
                        inner: std::io::BufReader::new(r),
                        cr: false,
                    });
                let bad = |e: csv::Error| CurError::Corrupt {
                    path: path.clone(),
                    format: "CSV",
                    detail: e.to_string(),
                };
                let mut rec = csv::StringRecord::new();
                if !csv.read_record(&mut rec).map_err(bad)? {
                    return Ok(());
                }
                let header: Vec<String> = rec.iter().map(str::to_string).collect();
                let (inv, acct) = scan_columns(&header);
                while csv.read_record(&mut rec).map_err(bad)? {
                    let line = rec.position().map_or(0, |p| p.line());
                    s.row(
                        line,
                        inv.and_then(|i| rec.get(i)),
                        acct.and_then(|i| rec.get(i)),
                    );
                }
                Ok(())
            })?;
            s.done = true;
        }
        // (Every Parquet file: detection used to call them all CurParquet.)
        Format::CurParquet
        | Format::Cur2Parquet
        | Format::CubeParquet
        | Format::FocusParquet(_) => {
            scan_parquet(&path, &mut s)?;
            s.done = true;
        }
        _ => {}
    }
    Ok(s)
}

/// A text read with each CRLF as LF (a lone CR stays), so that the csv crate numbers lines
/// right: it does not count the line ends of a CRLF file (`csv` 1.x: the record after a
/// `\r\n` keeps the previous line's number). A cell's own CRLF becomes LF too.
struct LfLines<R> {
    inner: R,
    /// A CR read last, not yet written: dropped when an LF follows.
    cr: bool,
}

impl<R: std::io::BufRead> std::io::Read for LfLines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut w = 0;
        while w < out.len() {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                if std::mem::take(&mut self.cr) {
                    out[w] = b'\r';
                    w += 1;
                }
                break;
            }
            let mut used = 0;
            for &b in buf {
                if w == out.len() {
                    break;
                }
                if std::mem::take(&mut self.cr) && b != b'\n' {
                    out[w] = b'\r';
                    w += 1;
                    if w == out.len() {
                        break;
                    }
                }
                used += 1;
                if b == b'\r' {
                    self.cr = true;
                } else {
                    out[w] = b;
                    w += 1;
                }
            }
            self.inner.consume(used);
            if w > 0 {
                break;
            }
        }
        Ok(w)
    }
}

/// The Parquet pass: only the two columns, rows numbered from 1 (as the reader's errors
/// number them).
fn scan_parquet(path: &Path, s: &mut Scan) -> Result<(), CurError> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::schema::types::Type;
    let corrupt = |e: parquet::errors::ParquetError| CurError::Corrupt {
        path: path.to_path_buf(),
        format: "Parquet",
        detail: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(|e| CurError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let reader = SerializedFileReader::new(file).map_err(corrupt)?;
    let root = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .root_schema()
        .clone();
    let fields = root.get_fields().to_vec();
    let header: Vec<String> = fields.iter().map(|f| f.name().to_string()).collect();
    let (inv, acct) = scan_columns(&header);
    let wanted: Vec<usize> = [inv, acct]
        .into_iter()
        .flatten()
        .filter(|&i| fields[i].is_primitive())
        .collect();
    let projection = Type::group_type_builder(root.name())
        .with_fields(wanted.iter().map(|&i| fields[i].clone()).collect())
        .build()
        .map_err(corrupt)?;
    let text = |f: &parquet::record::Field| match f {
        parquet::record::Field::Null => String::new(),
        parquet::record::Field::Str(s) => s.clone(),
        other => other.to_string(),
    };
    let iter = reader.get_row_iter(Some(projection)).map_err(corrupt)?;
    for (n, row) in iter.enumerate() {
        let row = row.map_err(corrupt)?;
        let mut invoice = None;
        let mut account = None;
        for (name, field) in row.get_column_iter() {
            if inv.is_some_and(|i| header[i] == *name) {
                invoice = Some(text(field));
            } else if acct.is_some_and(|i| header[i] == *name) {
                account = Some(text(field));
            }
        }
        s.row(n as u64 + 1, invoice.as_deref(), account.as_deref());
    }
    Ok(())
}

/// Imports `files` (the parts of one pro forma export, read as any cost file) as the AWS pro
/// forma of billing group `group` (name or ARN, in the configuration of the files' period).
///
/// # Errors
/// Nothing is written on any error. [`AwsProformaError::Refused`] for: an accounts file or a
/// proforma cube; rows of several periods; an unknown group; a row of an account that is not
/// the group's member in the period (naming the account and its first line); every row
/// carrying an invoice id (a billable CUR); parts in different currencies. Read and store
/// errors otherwise.
pub fn import(
    ws: &mut Workspace,
    files: &[PathBuf],
    group: &str,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportOutcome, AwsProformaError> {
    let refuse = |m: String| Err(AwsProformaError::Refused(m));
    let mut parts = Vec::with_capacity(files.len());
    for f in files {
        let meta = std::fs::metadata(f).map_err(|e| CurError::Io {
            path: f.clone(),
            source: e,
        })?;
        if !meta.is_file() {
            return refuse(format!(
                "{}: not a regular file; --proforma-of reads a saved pro forma CUR file",
                f.display()
            ));
        }
        let source = Source::File(f.clone());
        let (meta, input) = cur::read_input(&source, progress)?;
        let extract = match input {
            cur::Input::Cost(e) => e,
            cur::Input::Accounts(_) => {
                return refuse(format!(
                    "{}: an accounts file, not a pro forma CUR; import it without --proforma-of",
                    f.display()
                ));
            }
        };
        if meta.format.contains("cube") {
            return refuse(format!(
                "{}: a proforma cube (proforma's own aggregate), not AWS's pro forma CUR: \
                 --proforma-of takes the CUR that Billing Conductor exports for a billing group",
                f.display()
            ));
        }
        if let Some((first, ..)) = parts
            .iter()
            .find(|(_, m, _): &&(PathBuf, cur::SourceMeta, cur::CostExtract)| m.hash == meta.hash)
        {
            return refuse(format!(
                "{}: the same content as {}: give each part of the export once",
                f.display(),
                first.display()
            ));
        }
        parts.push((f.clone(), meta, extract));
    }
    // One period across every part.
    let mut periods: BTreeMap<BillingPeriod, (PathBuf, u64)> = BTreeMap::new();
    for (f, _, e) in &parts {
        for a in &e.lines {
            let rows: u64 = a.lines.iter().map(|l| l.sums.rows).sum();
            periods.entry(a.period).or_insert((f.clone(), 0)).1 += rows;
        }
    }
    let period = match (periods.keys().next(), periods.len()) {
        (None, _) => {
            return refuse(format!(
                "{}: no data rows: nothing to compare",
                files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        (Some(p), 1) => *p,
        _ => {
            let list: Vec<String> = periods
                .iter()
                .map(|(p, (f, n))| {
                    format!("{p} ({} in {})", crate::text::count(*n, "row"), f.display())
                })
                .collect();
            return refuse(format!(
                "{}: rows of several billing periods ({}); AWS's pro forma of a group is \
                 exported per period: import each period's file on its own",
                files
                    .first()
                    .map(|f| f.display().to_string())
                    .unwrap_or_default(),
                list.join(", ")
            ));
        }
    };
    let config = ws.config_at(period)?;
    let Some(g) = config
        .groups
        .iter()
        .position(|x| x.name == group || x.arn == group)
    else {
        let names: Vec<String> = config.groups.iter().map(|g| g.name.clone()).collect();
        return refuse(format!(
            "no billing group '{group}' in {period} (groups: {})",
            if names.is_empty() {
                "none; import a configuration first".to_string()
            } else {
                crate::text::list_some(&names, 10)
            }
        ));
    };
    let target = &config.groups[g];
    let membership = Membership::new(&config, period);
    let mut warnings = Vec::new();
    let mut sums: BTreeMap<(String, String, String), (u64, Decimal)> = BTreeMap::new();
    let mut currency: Option<(String, PathBuf)> = None;
    let mut rows = 0u64;
    for (f, _, e) in &parts {
        let outsiders: BTreeSet<String> = e
            .lines
            .iter()
            .filter(|a| membership.group_of(&a.payer, &a.account) != Some(g))
            .map(|a| a.account.to_string())
            .collect();
        let source = Source::File(f.clone());
        let s = scan(&source, &outsiders)?;
        if let Some(first) = outsiders.iter().next() {
            let line = s.lines.get(first).copied().filter(|l| *l > 0);
            let payer = e
                .lines
                .iter()
                .find(|a| a.account.as_str() == first)
                .map(|a| a.payer.to_string())
                .unwrap_or_default();
            let elsewhere = match membership.group_of(&payer, first) {
                Some(h) => format!(", it is in billing group '{}'", config.groups[h].name),
                None => ", it is in no billing group".to_string(),
            };
            let more = if outsiders.len() > 1 {
                format!(
                    " (and {} other non-member account{}: {})",
                    outsiders.len() - 1,
                    if outsiders.len() == 2 { "" } else { "s" },
                    crate::text::list_some(
                        &outsiders.iter().skip(1).cloned().collect::<Vec<_>>(),
                        5
                    )
                )
            } else {
                String::new()
            };
            return refuse(format!(
                "{}{}: account {first} is not a member of billing group '{}' in {period}{elsewhere}{more}; \
                 AWS's pro forma of a group holds only its member accounts: is this the export \
                 of another group, or is the configuration of {period} not the one AWS computed?",
                f.display(),
                line.map(|l| format!(": line {l}")).unwrap_or_default(),
                target.name
            ));
        }
        if s.done && s.rows > 0 && s.invoiced == s.rows {
            let (line, id) = s.first_invoice.clone().unwrap_or_default();
            return refuse(format!(
                "{}: line {line}: the invoice id (bill/InvoiceId, bill_invoice_id) is '{id}', and every row has an invoice id: \
                 this is a billable CUR, not AWS's pro forma (a pro forma CUR never has an \
                 invoice id); import it without --proforma-of",
                f.display()
            ));
        }
        if s.invoiced > 0 {
            let (line, id) = s.first_invoice.clone().unwrap_or_default();
            warnings.push(format!(
                "{}: {} of {} carry an invoice id (first: line {line}, '{id}'); a pro forma \
                 CUR has none: check that this is the pro forma export",
                f.display(),
                crate::text::count(s.invoiced, "row"),
                s.rows
            ));
        }
        for a in &e.lines {
            let code = e.currency(a.period, &a.payer).to_string();
            match &currency {
                None => currency = Some((code, f.clone())),
                Some((c, first)) if *c != code => {
                    return refuse(format!(
                        "{}: amounts in {code} where {} states {c}; proforma never adds amounts \
                         of different currencies",
                        f.display(),
                        first.display()
                    ));
                }
                Some(_) => {}
            }
        }
        for l in e.iter_lines() {
            let k = &l.key;
            let entry = sums
                .entry((
                    k.product_code.to_string(),
                    k.product_name.to_string(),
                    k.line_item_type.to_string(),
                ))
                .or_default();
            entry.0 += l.sums.rows;
            entry.1 += l.sums.unblended_cost;
            rows += l.sums.rows;
        }
    }
    let lines: Vec<AwsProformaLine> = sums
        .into_iter()
        .map(
            |((product_code, product_name, line_item_type), (n, amount))| AwsProformaLine {
                product_code,
                product_name,
                line_item_type,
                rows: n,
                amount,
            },
        )
        .collect();
    let (tax, proforma) = lines.iter().fold((Decimal::ZERO, Decimal::ZERO), |acc, l| {
        if cur::LineItemType::parse(&l.line_item_type).is_tax() {
            (acc.0 + l.amount, acc.1)
        } else {
            (acc.0, acc.1 + l.amount)
        }
    });
    let currency = currency.map_or_else(|| cur::DEFAULT_CURRENCY.to_string(), |(c, _)| c);
    let (first_meta, size) = match parts.as_slice() {
        [(_, m, _)] => (m.clone(), m.size),
        _ => {
            let mut m = parts[0].1.clone();
            m.path = parts
                .iter()
                .map(|(_, m, _)| m.path.as_str())
                .collect::<Vec<_>>()
                .join(" + ");
            m.hash = parts
                .iter()
                .map(|(_, m, _)| m.hash.as_str())
                .collect::<Vec<_>>()
                .join("+");
            let size = parts.iter().map(|(_, m, _)| m.size).sum();
            (m, size)
        }
    };
    let record = AwsProforma {
        group_arn: target.arn.clone(),
        period,
        imported_at: String::new(),
        source_path: first_meta.path.clone(),
        size,
        hash: first_meta.hash.clone(),
        format: first_meta.format.clone(),
        rows,
        currency: currency.clone(),
        lines,
    };
    let outcome = ImportOutcome {
        group_name: target.name.clone(),
        group_arn: target.arn.clone(),
        period,
        status: AwsProformaStatus::New,
        rows,
        proforma,
        tax,
        currency,
        files: parts.iter().map(|(_, m, _)| m.path.clone()).collect(),
        warnings,
    };
    let status = ws.put_aws_proforma(&record)?;
    Ok(ImportOutcome { status, ..outcome })
}

/// One service in the comparison: AWS's pro forma and proforma's, exact and as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceComparison {
    /// The service: its code (`AmazonEC2`) when compared by service code, its product name as
    /// proforma shows it when compared by product name.
    pub key: String,
    /// The product name shown beside a service code (the period's name for the code, else
    /// the one AWS's file states, else the code).
    pub product_name: String,
    /// Exact Σ of AWS's pro forma lines (tax excluded), and proforma's pro forma.
    pub aws_exact: Decimal,
    pub ours_exact: Decimal,
    /// Shown (SPEC 5: footed to the shown totals) amounts and their difference
    /// `ours - aws` (positive: proforma charges more than AWS computed).
    pub aws: Decimal,
    pub ours: Decimal,
    pub difference: Decimal,
}

/// AWS's pro forma of one group and period beside proforma's, per service, with the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub group: usize,
    pub by: GroupBy,
    pub rows: Vec<ServiceComparison>,
    /// Shown totals: AWS's (its exact sum rounded), proforma's (the group's shown
    /// ProformaCost) and their difference.
    pub aws: Decimal,
    pub ours: Decimal,
    pub difference: Decimal,
    /// AWS's `Tax` lines, shown apart (ProformaCost excludes tax, SPEC 4.5).
    pub aws_tax: Decimal,
    pub currency: String,
    pub imported_at: String,
    pub source: String,
}

impl Comparison {
    /// True when some shown difference (a service's or the total) is not zero.
    pub fn differs(&self) -> bool {
        !self.difference.is_zero() || self.rows.iter().any(|r| !r.difference.is_zero())
    }

    /// The row of a service key, if either side has it.
    pub fn row(&self, key: &str) -> Option<&ServiceComparison> {
        self.rows.iter().find(|r| r.key == key)
    }
}

/// Group `g`'s AWS pro forma beside proforma's, by `by` (`ServiceCode` or `ProductName`;
/// anything else compares by service code), or None when no AWS pro forma of the group is
/// stored for the analysis's period. Proforma's side is the group's breakdown as `report`
/// shows it (footed to the group's shown ProformaCost); AWS's side is its exact sums footed
/// to their rounded total; a shown difference is the difference of the shown numbers.
pub fn compare(analysis: &Analysis, g: usize, by: GroupBy) -> Option<Comparison> {
    let group = analysis.config.groups.get(g)?;
    let aws = analysis.aws_proforma.get(&group.arn)?;
    let by = match by {
        GroupBy::ProductName => GroupBy::ProductName,
        _ => GroupBy::ServiceCode,
    };
    let names = &analysis.pricing.product_names;
    let (rows, shown) = analysis.shown_breakdown(g, by, &[]);
    // key -> (product name, aws exact, ours exact, ours shown)
    let mut table: BTreeMap<String, (String, Decimal, Decimal, Decimal)> = BTreeMap::new();
    for (r, s) in rows.iter().zip(&shown.rows) {
        let key = r
            .attributes
            .first()
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let e = table.entry(key.clone()).or_default();
        e.2 += r.proforma;
        e.3 += s.proforma.unwrap_or_default();
        if e.0.is_empty() {
            e.0 = match by {
                GroupBy::ServiceCode => names.shown(&key, "").to_string(),
                _ => key.clone(),
            };
        }
    }
    let mut aws_tax = Decimal::ZERO;
    for l in &aws.lines {
        if crate::cur::LineItemType::parse(&l.line_item_type).is_tax() {
            aws_tax += l.amount;
            continue;
        }
        let shown_name = names.shown(&l.product_code, &l.product_name).to_string();
        let key = match by {
            GroupBy::ServiceCode => l.product_code.clone(),
            _ => shown_name.clone(),
        };
        let e = table.entry(key).or_default();
        e.1 += l.amount;
        if e.0.is_empty() || e.0 == l.product_code {
            e.0 = shown_name;
        }
    }
    let keys: Vec<String> = table.keys().cloned().collect();
    let aws_exact: Vec<Decimal> = table.values().map(|v| v.1).collect();
    let (aws_shown, aws_total) = foot(&aws_exact);
    let ours_total = shown.total.proforma.unwrap_or_default();
    let mut out: Vec<ServiceComparison> = keys
        .into_iter()
        .zip(table.into_values())
        .zip(aws_shown)
        .map(|((key, (name, a, o, os)), a_shown)| ServiceComparison {
            key,
            product_name: name,
            aws_exact: a,
            ours_exact: o,
            aws: a_shown,
            ours: os,
            difference: os - a_shown,
        })
        .collect();
    out.sort_by(|a, b| {
        b.aws_exact
            .max(b.ours_exact)
            .cmp(&a.aws_exact.max(a.ours_exact))
            .then_with(|| a.key.cmp(&b.key))
    });
    Some(Comparison {
        group: g,
        by,
        rows: out,
        aws: aws_total,
        ours: ours_total,
        difference: ours_total - aws_total,
        aws_tax: round2(aws_tax),
        currency: aws.currency.clone(),
        imported_at: aws.imported_at.clone(),
        source: aws.source_path.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRLF reads as LF, a lone CR stays, whatever the read sizes; the csv crate then numbers
    /// a CRLF file's records by their lines.
    #[test]
    fn crlf_reads_as_lf_and_lines_are_numbered() {
        use std::io::Read as _;
        let text = b"h1,h2\r\na,\"x\r\ny\"\r\nc,d\re\r\n\r";
        for cap in [1, 2, 3, 64] {
            let mut r = LfLines {
                inner: std::io::BufReader::with_capacity(cap, &text[..]),
                cr: false,
            };
            let mut got = Vec::new();
            let mut chunk = vec![0u8; cap];
            loop {
                let n = r.read(&mut chunk).expect("read");
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&chunk[..n]);
            }
            assert_eq!(got, b"h1,h2\na,\"x\ny\"\nc,d\re\n\r", "capacity {cap}");
        }
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(LfLines {
                inner: std::io::BufReader::new(&b"h\r\na\r\nb\r\n"[..]),
                cr: false,
            });
        let mut rec = csv::StringRecord::new();
        let mut lines = Vec::new();
        while csv.read_record(&mut rec).expect("record") {
            lines.push(rec.position().map_or(0, |p| p.line()));
        }
        assert_eq!(lines, [1, 2, 3]);
    }
}
