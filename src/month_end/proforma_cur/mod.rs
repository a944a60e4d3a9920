//! The pro forma CUR of a billing group (issue 12 item 5; README "Pro forma CUR"): the
//! group's CUR rows of a period, re-read from the files its delivery was imported from, in the
//! source's own column layout, with proforma's pro forma in the cost columns, as Billing
//! Conductor's pro forma CUR shows a billing group's rows (`bill/InvoiceId` empty: no invoice
//! exists for pro forma data; reference/cur_formats.md section 4), and the group's custom line
//! items as `Fee` / `Credit` rows.
//!
//! How a row's pro forma is made: the engine prices aggregate lines (SPEC 4; custom tiers and
//! Savings Plans negations make a line's pro forma depend on all its rows), so rows are never
//! priced one by one. Each aggregate line's pro forma `P` is spread over the raw rows that
//! fold into it ([`crate::cur::RowKeys`]: the import's own row-to-key path) in proportion to
//! the row's share of the amount the line was priced from (public cost for lines priced at
//! public cost; usage amount for custom tiers; unblended cost otherwise), or equally when that
//! amount is zero, rounded to 10 decimals cumulatively: row k of a line gets
//! `round(P * cum_k / C) - round(P * cum_(k-1) / C)` and the line's last row `round(P)` minus
//! what the others got, so each line's rows add up exactly to its pro forma rounded to 10
//! decimals, and the file's cost column to the group's ProformaCost within 0.5e-10 per
//! aggregate line and custom line item row (a million lines: 0.00005, below the cent).
//!
//! Streams: one row at a time is held, with per aggregate line of the group a few numbers.
//! Checks first: every recorded file must be there with the size and xxh3-128 hash it had
//! when imported; the file is written to a temporary file beside the target and renamed into
//! place at the end, so a failure leaves nothing.

mod allocate;
mod columns;
mod items;

use crate::analysis::Analysis;
use crate::cur::columns::normalize_name;
use crate::cur::rows::{self, RawRow};
use crate::cur::{CurError, LineKey, RowAmounts, Source};
use crate::engine::price::Basis;
use crate::period::BillingPeriod;
use crate::store::source_files::RecordedFile;
use crate::store::{StoreError, Workspace};
use allocate::{LineState, Weight, round10, text};
use columns::{Role, role};
use items::{item_cells, item_rows};
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Decimals kept in the cost columns (SPEC 5: line-level exports keep up to 10, as CUR does).
pub const DECIMALS: u32 = 10;

/// Why a pro forma CUR cannot be written. Each names the file, group or line concerned.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Read(#[from] CurError),
    /// A recorded source file is gone or differs from what was imported.
    #[error(
        "{path}: {what}; the pro forma CUR re-reads the rows of payer {payer}'s {period} delivery from the files it was imported from: put the file back as it was, or re-import the delivery (proforma import WS FILE...) and export again. Nothing was written"
    )]
    SourceChanged {
        path: String,
        payer: String,
        period: BillingPeriod,
        what: String,
    },
    /// The delivery came from a `cube-sql` cube: it holds sums, not rows.
    #[error(
        "payer {payer}'s {period} delivery was imported from a proforma cube ({path}): a cube holds the aggregate computed where the CUR lives, not the CUR's rows, so there are no rows to write; import the CUR files themselves (or their manifest) to export a pro forma CUR. Nothing was written"
    )]
    Cube {
        path: String,
        payer: String,
        period: BillingPeriod,
    },
    /// FOCUS deliveries are refused (README "Pro forma CUR").
    #[error(
        "payer {payer}'s {period} delivery was imported from FOCUS ({path}): the pro forma CUR is written in the CUR layout of its source, and FOCUS rows are not CUR rows (their cost columns mean other things: BilledCost, EffectiveCost, ListCost, ContractedCost); import the legacy CUR or CUR 2.0 export of the month to export a pro forma CUR. Nothing was written"
    )]
    Focus {
        path: String,
        payer: String,
        period: BillingPeriod,
    },
    /// The group's payers delivered in two layouts (legacy CUR and CUR 2.0).
    #[error(
        "billing group {group}'s rows of {period} come in two layouts: {first} ({first_path}) and {second} ({second_path}); one file has one layout: import the payers' deliveries in one layout (legacy CUR or CUR 2.0). Nothing was written"
    )]
    MixedLayouts {
        group: String,
        period: BillingPeriod,
        first: String,
        first_path: String,
        second: String,
        second_path: String,
    },
    /// A delivery without recorded files (imported before they were recorded).
    #[error(
        "payer {payer}'s {period} delivery names no source file: re-import it to export a pro forma CUR. Nothing was written"
    )]
    NoSources {
        payer: String,
        period: BillingPeriod,
    },
    /// The files do not give the rows the workspace's aggregate holds.
    #[error("{path}: {detail}; re-import the delivery and export again. Nothing was written")]
    Mismatch { path: String, detail: String },
    /// An amount beyond what a decimal holds exactly.
    #[error(
        "{path}: line {line}: the row's share of its line's pro forma cannot be computed exactly (amounts beyond about 7.9e28). Nothing was written"
    )]
    Overflow { path: String, line: u64 },
    /// A target that exists (and `force` was not given), is a directory, or whose directory
    /// does not exist.
    #[error("{}: {why}; nothing was written", path.display())]
    Target { path: PathBuf, why: String },
    #[error("{}: cannot be written: {source}. Nothing was written", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// CUR rows of the group written (custom line item rows not counted).
    pub rows: u64,
    /// Rows of the group left out, by line item type: those the engine leaves out of pro
    /// forma (tax, credits, refunds, non-public discounts, support fees, negations of Savings
    /// Plans owned outside the group).
    pub left_out: BTreeMap<String, u64>,
    /// Custom line item rows written.
    pub item_rows: u64,
    /// Σ of the file's `UnblendedCost` column (rows and custom line items), exact.
    pub total: Decimal,
    /// The files the rows were read from.
    pub sources: Vec<String>,
    /// The layout written (the sources' format family: `legacy CUR` or `CUR 2.0`).
    pub layout: String,
}

/// One checked source file of a delivery.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub source: Source,
    pub recorded: RecordedFile,
    pub payer: String,
}

/// Finds the bytes of data shipped in the binary (`embedded:NAME` paths), for the demo.
pub type Embedded<'e> = &'e dyn Fn(&str) -> Option<Source>;

/// Checks the recorded files of the deliveries in force of `payers` in `period` (size, then
/// xxh3-128 hash, computed as the import computes `SourceMeta::hash`: the file's bytes as
/// stored) and that they hold CUR rows (not a cube, not FOCUS). A file recorded for several
/// payers is listed once.
///
/// # Errors
/// [`ExportError::SourceChanged`] for a missing or changed file, `Cube`, `Focus`,
/// `NoSources`; the store's.
pub fn check_sources(
    ws: &Workspace,
    period: BillingPeriod,
    payers: &[String],
    embedded: Embedded<'_>,
) -> Result<Vec<CheckedFile>, ExportError> {
    let mut out: Vec<CheckedFile> = Vec::new();
    for payer in payers {
        let files = ws.delivery_files(payer, period)?;
        if files.is_empty() {
            return Err(ExportError::NoSources {
                payer: payer.clone(),
                period,
            });
        }
        for f in files {
            if out.iter().any(|c| c.recorded.path == f.path) {
                continue;
            }
            let changed = |what: String| ExportError::SourceChanged {
                path: f.path.clone(),
                payer: payer.clone(),
                period,
                what,
            };
            if f.format.contains("cube") {
                return Err(ExportError::Cube {
                    path: f.path.clone(),
                    payer: payer.clone(),
                    period,
                });
            }
            if f.format.starts_with("FOCUS") {
                return Err(ExportError::Focus {
                    path: f.path.clone(),
                    payer: payer.clone(),
                    period,
                });
            }
            let source = match f.path.strip_prefix("embedded:") {
                Some(name) => embedded(name).ok_or_else(|| {
                    changed("the data was built into another proforma binary".into())
                })?,
                None => Source::File(PathBuf::from(&f.path)),
            };
            let size = match source.size() {
                Ok(s) => s,
                Err(CurError::Io { source: e, .. }) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(changed("the file is missing".into()));
                }
                Err(CurError::Io { source: e, .. }) => {
                    return Err(changed(format!("the file cannot be read ({e})")));
                }
                Err(e) => return Err(e.into()),
            };
            if size != f.size {
                return Err(changed(format!(
                    "the file changed since it was imported: {size} bytes now, {} then",
                    f.size
                )));
            }
            let hash = source
                .hash()
                .map_err(|e| changed(format!("the file cannot be read ({e})")))?;
            if hash != f.hash {
                return Err(changed(format!(
                    "the file changed since it was imported: same size, other content (xxh3-128 {hash} now, {} then)",
                    f.hash
                )));
            }
            out.push(CheckedFile {
                source,
                recorded: f,
                payer: payer.clone(),
            });
        }
    }
    Ok(out)
}

/// The layout family of a recorded format: `legacy CUR` or `CUR 2.0`.
fn family(format: &str) -> &'static str {
    if format.starts_with("CUR 2.0") {
        "CUR 2.0"
    } else {
        "legacy CUR"
    }
}

/// The payers whose deliveries hold group `g`'s rows in the analysis' period, sorted.
pub fn group_payers(analysis: &Analysis, g: usize) -> Vec<String> {
    let lines = &analysis.lines;
    let mut payers: Vec<String> = analysis
        .pricing
        .group_lines
        .of(Some(g))
        .iter()
        .map(|&i| lines[i].key.payer.to_string())
        .collect::<FxHashSet<_>>()
        .into_iter()
        .collect();
    payers.sort();
    payers
}

/// The account field of a row key (fields: period, payer, account, ...; each a 4-byte
/// little-endian length and the bytes).
fn key_fields(key: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let mut at = 0usize;
    let mut field = || {
        let len = u32::from_le_bytes(key.get(at..at + 4)?.try_into().ok()?) as usize;
        let v = key.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some(v)
    };
    Some((field()?, field()?, field()?))
}

/// A pro forma CUR written to a temporary file beside its target; [`Written::persist`] puts it
/// in place. Dropped without persisting, the temporary file is removed.
pub struct Written {
    temp: tempfile::TempPath,
    pub summary: Summary,
}

impl Written {
    /// Renames the file into place (replacing a file there).
    ///
    /// # Errors
    /// [`ExportError::Write`] when it cannot be renamed.
    pub fn persist(self, out: &Path) -> Result<Summary, ExportError> {
        self.temp.persist(out).map_err(|e| ExportError::Write {
            path: out.to_path_buf(),
            source: e.error,
        })?;
        Ok(self.summary)
    }
}

/// Output of one export: CSV, gzip-compressed when the target's name ends in `.gz`.
enum Sink {
    Plain(std::io::BufWriter<std::fs::File>),
    Gzip(Box<flate2::write::GzEncoder<std::io::BufWriter<std::fs::File>>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
        }
    }
}

impl Sink {
    fn finish(self) -> std::io::Result<()> {
        let mut file = match self {
            Sink::Plain(w) => w.into_inner().map_err(|e| e.into_error())?,
            Sink::Gzip(w) => (*w).finish()?.into_inner().map_err(|e| e.into_error())?,
        };
        file.flush()?;
        file.sync_all()
    }
}

/// One file to write: group `group`'s pro forma CUR to `out`, from the files `files` (indexes
/// into the checked files given to [`write_groups`]: those of the group's payers).
#[derive(Debug, Clone)]
pub struct Target {
    pub group: usize,
    pub files: Vec<usize>,
    pub out: PathBuf,
}

/// One target being written.
struct GroupOut {
    group: usize,
    header: Vec<String>,
    roles: Vec<Role>,
    by_name: FxHashMap<String, usize>,
    states: Vec<LineState>,
    csv: csv::Writer<Sink>,
    temp: tempfile::TempPath,
    out: PathBuf,
    /// The payer of the target's first file: custom line items of an account without rows
    /// are written under it.
    payer: Option<String>,
    summary: Summary,
    /// For the file being read: each output column's position in it.
    columns: Option<Vec<Option<usize>>>,
}

fn write_error(out: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |e| ExportError::Write {
        path: out.to_path_buf(),
        source: e,
    }
}

fn csv_error(out: &Path, e: csv::Error) -> ExportError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => write_error(out)(e),
        other => write_error(out)(std::io::Error::other(format!("{other:?}"))),
    }
}

impl GroupOut {
    /// The layout of the target's files, its lines' states, and its temporary file with the
    /// header written.
    fn open(
        analysis: &Analysis,
        t: &Target,
        files: &[CheckedFile],
        customer: bool,
    ) -> Result<Self, ExportError> {
        let period = analysis.period;
        let group = &analysis.config.groups[t.group];
        // The layout: one family, the columns of every file in order of first appearance.
        let mut header: Vec<String> = Vec::new();
        let mut layout: Option<(&'static str, &CheckedFile)> = None;
        for f in t.files.iter().map(|&i| &files[i]) {
            let fam = family(&f.recorded.format);
            match layout {
                None => layout = Some((fam, f)),
                Some((have, first)) if have != fam => {
                    return Err(ExportError::MixedLayouts {
                        group: group.name.clone(),
                        period,
                        first: first.recorded.format.clone(),
                        first_path: first.recorded.path.clone(),
                        second: f.recorded.format.clone(),
                        second_path: f.recorded.path.clone(),
                    });
                }
                Some(_) => {}
            }
            let (_, names) = rows::header(&f.source)?;
            for n in names {
                if !header.contains(&n) {
                    header.push(n);
                }
            }
        }
        let roles: Vec<Role> = header.iter().map(|n| role(n, customer)).collect();
        let by_name: FxHashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, n)| (normalize_name(n), i))
            .collect();

        // Per aggregate line of the group: its pro forma and how it is spread.
        let (lines, pricing) = (&analysis.lines, &analysis.pricing);
        let idx = pricing.group_lines.of(Some(t.group));
        let mut states: Vec<LineState> = Vec::with_capacity(idx.len());
        for &i in idx {
            let l = &lines[i];
            let price = &pricing.line_price[i];
            let weight = match price.basis {
                Basis::PublicCost | Basis::FreeTierOff => Weight::Public,
                Basis::CustomTiers => Weight::Usage,
                _ => Weight::Unblended,
            };
            let total = match weight {
                Weight::Public => l.sums.public_cost,
                Weight::Usage => l.sums.usage_amount,
                Weight::Unblended => l.sums.unblended_cost,
            };
            states.push(LineState {
                proforma: (!matches!(price.basis, Basis::Excluded(_))).then_some(price.proforma),
                weight,
                total,
                rows: l.sums.rows,
                seen: 0,
                cum: Decimal::ZERO,
                given: Decimal::ZERO,
                line: i,
            });
        }

        let out = &t.out;
        let dir = match out.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".proforma-cur-").suffix(".tmp");
        // The file a user asked for gets the usual permissions (0666 less the umask), not
        // a temporary file's private 0600.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder.tempfile_in(&dir).map_err(write_error(out))?;
        let (file, temp) = temp.into_parts();
        let buffered = std::io::BufWriter::with_capacity(1 << 20, file);
        let gzip = out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        let sink = if gzip {
            Sink::Gzip(Box::new(flate2::write::GzEncoder::new(
                buffered,
                flate2::Compression::default(),
            )))
        } else {
            Sink::Plain(buffered)
        };
        let mut csv = csv::WriterBuilder::new().from_writer(sink);
        csv.write_record(&header).map_err(|e| csv_error(out, e))?;
        Ok(GroupOut {
            group: t.group,
            header,
            roles,
            by_name,
            states,
            csv,
            temp,
            out: out.clone(),
            payer: t.files.first().map(|&i| files[i].payer.clone()),
            summary: Summary {
                layout: layout.map_or("legacy CUR", |l| l.0).to_string(),
                sources: t
                    .files
                    .iter()
                    .map(|&i| files[i].recorded.path.clone())
                    .collect(),
                ..Summary::default()
            },
            columns: None,
        })
    }

    /// Writes one CUR row of the group with `value` as its pro forma.
    fn write_row(
        &mut self,
        names: &[String],
        row: &RawRow<'_>,
        value: Decimal,
        cell: &mut String,
    ) -> Result<(), ExportError> {
        let header = &self.header;
        let cols = self.columns.get_or_insert_with(|| {
            header
                .iter()
                .map(|h| names.iter().position(|n| n == h))
                .collect()
        });
        let usage = row.amounts.usage_amount;
        let value_text = text(value);
        for (j, c) in cols.iter().enumerate() {
            let written: &[u8] = match self.roles[j] {
                Role::Cost => value_text.as_bytes(),
                Role::Rate if usage.is_zero() => b"",
                Role::Rate => {
                    cell.clear();
                    if let Some(rate) = value.checked_div(usage) {
                        cell.push_str(&text(round10(rate)));
                    }
                    cell.as_bytes()
                }
                Role::Empty => b"",
                Role::Copy => c.map_or(&b""[..], |c| row.cells.cell(c)),
            };
            self.csv
                .write_field(written)
                .map_err(|e| csv_error(&self.out, e))?;
        }
        self.csv
            .write_record(None::<&[u8]>)
            .map_err(|e| csv_error(&self.out, e))?;
        self.summary.total += value;
        self.summary.rows += 1;
        Ok(())
    }

    /// After the last file: checks every line met all its rows, writes the custom line items,
    /// and closes the file.
    fn finish(mut self, analysis: &Analysis) -> Result<Written, ExportError> {
        let period = analysis.period;
        let lines = &analysis.lines;
        // Every row of every line met: the files are the delivery the workspace holds.
        if let Some(s) = self.states.iter().find(|s| s.seen != s.rows) {
            let k = &lines[s.line].key;
            return Err(ExportError::Mismatch {
                path: self.summary.sources.join(", "),
                detail: format!(
                    "the files hold {} rows of account {} {} {} {}, the workspace's delivery of {period} {}",
                    s.seen,
                    k.account,
                    k.line_item_type.as_str(),
                    k.product_code,
                    k.usage_type,
                    s.rows
                ),
            });
        }
        // Custom line items charged to the group.
        for amount in analysis
            .pricing
            .items
            .iter()
            .filter(|a| a.group == self.group)
        {
            let Some(item) = analysis.pricing.item(&analysis.config, amount.item) else {
                continue;
            };
            for row in item_rows(analysis, item, amount.amount) {
                let Some(row) = row else {
                    return Err(ExportError::Overflow {
                        path: self.out.display().to_string(),
                        line: 0,
                    });
                };
                let payer = analysis
                    .account_payer
                    .get(&amount.account)
                    .cloned()
                    .or_else(|| self.payer.clone())
                    .unwrap_or_default();
                let cells = item_cells(
                    &self.header,
                    &self.by_name,
                    &self.roles,
                    period,
                    item,
                    &amount.account,
                    &payer,
                    self.summary.item_rows,
                    &row,
                );
                self.csv
                    .write_record(&cells)
                    .map_err(|e| csv_error(&self.out, e))?;
                self.summary.total += row.value;
                self.summary.item_rows += 1;
            }
        }
        let sink = self
            .csv
            .into_inner()
            .map_err(|e| write_error(&self.out)(e.into_error()))?;
        sink.finish().map_err(write_error(&self.out))?;
        Ok(Written {
            temp: self.temp,
            summary: self.summary,
        })
    }
}

/// Writes the pro forma CURs of `targets` (their groups in the analysis' period), each to a
/// temporary file beside its `out` (persist them with [`Written::persist`]), reading each of
/// `files` (the groups' payers' checked source files, [`check_sources`]) once for all of
/// them. `customer`: the files are for the groups' customers (commitment amounts of the real
/// bill emptied, `columns::commitment_money`); `progress` receives each file's reading.
///
/// # Errors
/// [`ExportError`]: a file that cannot be read, rows that do not match the workspace's
/// aggregate, two layouts for one group, an output that cannot be written.
pub fn write_groups(
    analysis: &Analysis,
    targets: &[Target],
    files: &[CheckedFile],
    customer: bool,
    progress: &dyn crate::import::Progress,
) -> Result<Vec<Written>, ExportError> {
    let period = analysis.period;
    let lines = &analysis.lines;
    let mut outs: Vec<GroupOut> = targets
        .iter()
        .map(|t| GroupOut::open(analysis, t, files, customer))
        .collect::<Result<_, _>>()?;
    // Line key -> (target, line slot); usage account -> target.
    let mut slots: FxHashMap<&LineKey, (usize, usize)> = FxHashMap::default();
    let mut accounts: FxHashMap<&str, usize> = FxHashMap::default();
    for (t, o) in outs.iter().enumerate() {
        for (slot, s) in o.states.iter().enumerate() {
            let k = &lines[s.line].key;
            slots.insert(k, (t, slot));
            accounts.insert(k.account.as_str(), t);
        }
    }
    let period_text = period.to_string();
    let mut wanted: Vec<usize> = targets.iter().flat_map(|t| t.files.clone()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    // Row key bytes -> (target, line slot).
    let mut cache: FxHashMap<Box<[u8]>, (usize, usize)> = FxHashMap::default();
    let mut cell = String::new();
    for f in wanted.iter().map(|&i| &files[i]) {
        progress.start(&f.source);
        let path = &f.recorded.path;
        for o in &mut outs {
            o.columns = None;
        }
        let mut stop: Option<ExportError> = None;
        let result = rows::for_each_row(
            &f.source,
            &|b| progress.advance(b),
            |names, row: RawRow<'_>| {
                let key = row.keys.last_key();
                let Some((p, _, account)) = key_fields(key) else {
                    return Err(CurError::Internal {
                        path: PathBuf::from(path),
                        detail: "a row key could not be read".into(),
                    });
                };
                if p != period_text.as_bytes() {
                    return Ok(());
                }
                let Some(&t) = std::str::from_utf8(account)
                    .ok()
                    .and_then(|a| accounts.get(a))
                else {
                    return Ok(());
                };
                let (t, slot) = match cache.get(key) {
                    Some(&s) => s,
                    None => {
                        let decoded = row.keys.decode(key)?;
                        let Some(&s) = slots.get(&decoded) else {
                            stop = Some(ExportError::Mismatch {
                                path: path.clone(),
                                detail: format!(
                                    "line {}: the row (account {}, {} {} {}) has no line in billing group {}'s part of the workspace's delivery of {period}",
                                    row.line,
                                    decoded.account,
                                    decoded.line_item_type.as_str(),
                                    decoded.product_code,
                                    decoded.usage_type,
                                    analysis.config.groups[outs[t].group].name
                                ),
                            });
                            return Err(stopped(path));
                        };
                        cache.insert(key.into(), s);
                        s
                    }
                };
                let o = &mut outs[t];
                let state = &mut o.states[slot];
                if state.proforma.is_none() {
                    state.seen += 1;
                    let kind = lines[state.line].key.line_item_type.as_str().to_string();
                    *o.summary.left_out.entry(kind).or_default() += 1;
                    return Ok(());
                }
                let RowAmounts {
                    usage_amount,
                    unblended_cost,
                    public_cost,
                } = row.amounts;
                let w = match state.weight {
                    Weight::Public => public_cost,
                    Weight::Usage => usage_amount,
                    Weight::Unblended => unblended_cost,
                };
                let Some(value) = state.next(w) else {
                    stop = Some(ExportError::Overflow {
                        path: path.clone(),
                        line: row.line,
                    });
                    return Err(stopped(path));
                };
                if let Err(e) = o.write_row(names, &row, value, &mut cell) {
                    stop = Some(e);
                    return Err(stopped(path));
                }
                Ok(())
            },
        );
        progress.finish();
        if let Some(e) = stop {
            return Err(e);
        }
        let (_, _, hash) = result?;
        if hash != f.recorded.hash {
            return Err(ExportError::SourceChanged {
                path: path.clone(),
                payer: f.payer.clone(),
                period,
                what: "the file changed while it was read".into(),
            });
        }
    }
    outs.into_iter().map(|o| o.finish(analysis)).collect()
}

/// The marker error that stops reading after the callback set the real one.
fn stopped(path: &str) -> CurError {
    CurError::Internal {
        path: PathBuf::from(path),
        detail: "stopped".into(),
    }
}

/// The name `export --all` gives group `group`'s file of `period`:
/// `proforma-cur-GROUP-PERIOD.csv.gz` (group names hold no path separator, SPEC 2).
pub fn file_name(group: &str, period: BillingPeriod) -> String {
    format!("proforma-cur-{group}-{period}.csv.gz")
}

/// Checks the files an export will write, before anything is read: none is a directory,
/// their directory exists (`dir_made`: the caller creates it, for `--all`), and none exists
/// unless `force` (then it is replaced).
///
/// # Errors
/// [`ExportError::Target`] naming the first target refused.
pub fn check_targets(targets: &[PathBuf], force: bool, dir_made: bool) -> Result<(), ExportError> {
    let refuse = |t: &Path, why: String| ExportError::Target {
        path: t.to_path_buf(),
        why,
    };
    for t in targets {
        if t.is_dir() {
            return Err(refuse(t, "is a directory: name the file to write".into()));
        }
        if t.exists() && !force {
            return Err(refuse(t, "exists (pass --force to replace it)".into()));
        }
        if !dir_made
            && let Some(p) = t.parent().filter(|p| !p.as_os_str().is_empty())
            && !p.is_dir()
        {
            return Err(refuse(t, format!("{} is not a directory", p.display())));
        }
    }
    Ok(())
}

/// Exports the pro forma CURs of `targets` (group index in the analysis' configuration, and
/// the file to write): checks every source file of their payers first ([`check_sources`]),
/// reads each once for all groups ([`write_groups`]), and puts the files in place only when
/// every one was written. A group without rows in the period gets a file with its custom line
/// items, in the layout of the period's first delivery. The one call the CLI (and a screen)
/// makes; `customer` and `progress` as in [`write_groups`].
///
/// # Errors
/// [`ExportError`]; nothing is put in place (a rename failing after others succeeded aside).
pub fn export(
    ws: &Workspace,
    analysis: &Analysis,
    targets: &[(usize, PathBuf)],
    customer: bool,
    embedded: Embedded<'_>,
    progress: &dyn crate::import::Progress,
) -> Result<Vec<Summary>, ExportError> {
    let payers_of: Vec<Vec<String>> = targets
        .iter()
        .map(|(g, _)| group_payers(analysis, *g))
        .collect();
    let fallback: Vec<String> = analysis.payers.iter().take(1).cloned().collect();
    let mut payers: Vec<String> = payers_of.iter().flatten().cloned().collect();
    if payers_of.iter().any(Vec::is_empty) {
        payers.extend(fallback.iter().cloned());
    }
    payers.sort();
    payers.dedup();
    let checked = check_sources(ws, analysis.period, &payers, embedded)?;
    let targets: Vec<Target> = targets
        .iter()
        .zip(&payers_of)
        .map(|((g, out), mine)| {
            let mine = if mine.is_empty() { &fallback } else { mine };
            Target {
                group: *g,
                files: (0..checked.len())
                    .filter(|&i| mine.contains(&checked[i].payer))
                    .collect(),
                out: out.clone(),
            }
        })
        .collect();
    let written = write_groups(analysis, &targets, &checked, customer, progress)?;
    written
        .into_iter()
        .zip(&targets)
        .map(|(w, t)| w.persist(&t.out))
        .collect()
}
