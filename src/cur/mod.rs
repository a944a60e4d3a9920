//! Readers for cost and account files. Every format is normalised to one vocabulary
//! (`columns`) and folded into one aggregate (`fold`); nothing here touches the workspace.

pub mod accounts;
pub mod columns;
mod csv_reader;
pub mod cube;
pub mod cur2;
pub mod detect;
pub mod focus;
pub mod fold;
pub mod line_item_type;
pub mod manifest;
mod parquet_columns;
mod parquet_reader;
pub mod product_names;
pub mod rows;
pub mod source;

pub use accounts::AccountInfo;
pub use detect::Format;
pub use fold::{
    AccountLines, CostExtract, CurrencySeen, DEFAULT_CURRENCY, DailyKey, DailySums, InvoiceKey,
    InvoiceSums, Label, LineKey, LineSums, PackedAccount, Packer, RowAmounts, RowKeys, StoredLine,
    import_budget,
};
pub use line_item_type::{LineItemType, PricingClass};
pub use product_names::ProductNames;
pub use source::{Source, SourceMeta};

use std::path::PathBuf;

/// Why a file could not be read. Every variant names the file; cell errors also name the line
/// (or Parquet row), the column and the value.
#[derive(Debug, thiserror::Error)]
pub enum CurError {
    #[error("{}: cannot be read", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: the file is empty", path.display())]
    Empty { path: PathBuf },
    #[error("{}: not cost data: {reason}", path.display())]
    NotCostData { path: PathBuf, reason: String },
    #[error("{}: missing required column{} {}", path.display(), if columns.len() == 1 { "" } else { "s" }, columns.join(", "))]
    MissingColumns { path: PathBuf, columns: Vec<String> },
    #[error("{}: line {line}, column {column} ({name}): '{value}' {reason}", path.display())]
    BadCell {
        path: PathBuf,
        line: u64,
        column: usize,
        name: String,
        value: String,
        reason: String,
    },
    #[error("{}: line {line}: {found} fields where the header has {expected}", path.display())]
    FieldCount {
        path: PathBuf,
        line: u64,
        expected: usize,
        found: usize,
    },
    #[error("{}: {format} is corrupt or truncated: {detail}", path.display())]
    Corrupt {
        path: PathBuf,
        format: &'static str,
        detail: String,
    },
    #[error("{}: a sum cannot be held exactly (beyond about 7.9e28, or more than 28 significant digits: amounts far apart in size); nothing is rounded", path.display())]
    Overflow { path: PathBuf },
    #[error("{}: line 1, column {second} ({name}): the header names this column twice (also column {first}); which one holds the values cannot be told", path.display())]
    DuplicateColumn {
        path: PathBuf,
        name: String,
        first: usize,
        second: usize,
    },
    /// One (payer, period) whose rows name several currencies (SPEC 5: amounts are never
    /// summed across currencies).
    #[error(transparent)]
    MixedCurrency(Box<MixedCurrency>),
    /// A proforma cube and CUR files holding the same (payer, period) in one import: a cube
    /// is the whole delivery already, so adding the CUR to it would count it twice.
    #[error("{}: a proforma cube and a CUR for the same payer {payer} and period {period} in one import ({other}); a cube already holds the whole delivery, so they would be counted twice: import one or the other", path.display())]
    CubeWithCur {
        path: PathBuf,
        payer: String,
        period: String,
        other: String,
    },
    #[error("{}: {what} is larger than {limit_mb} MB; {hint}", path.display())]
    TooLarge {
        path: PathBuf,
        what: &'static str,
        limit_mb: u64,
        hint: &'static str,
    },
    #[error("{}: {detail}", path.display())]
    Unsupported { path: PathBuf, detail: String },
    /// A delivery manifest that cannot be followed (`cur::manifest`): a missing part, a size
    /// that differs, rows of another payer or period.
    #[error("{}: {detail}", path.display())]
    Manifest { path: PathBuf, detail: String },
    #[error("{}: internal error: {detail}", path.display())]
    Internal { path: PathBuf, detail: String },
    /// The aggregate outgrew the import's memory budget and the temporary directory could not
    /// hold (or give back) the part spilled to it.
    #[error("the import's aggregate outgrew its memory budget (PROFORMA_IMPORT_BUDGET_MB) and the temporary directory {} could not take the part spilled to it: {detail}; free space there, point TMPDIR at a directory with room, or raise PROFORMA_IMPORT_BUDGET_MB", dir.display())]
    Spill { dir: PathBuf, detail: String },
}

impl CurError {
    /// The line (or Parquet row) the error points at, for picking the first of many.
    pub fn line(&self) -> Option<u64> {
        match self {
            CurError::BadCell { line, .. } | CurError::FieldCount { line, .. } => Some(*line),
            CurError::MixedCurrency(m) => Some(m.line),
            _ => None,
        }
    }
}

/// Rows of one (payer, period) in two currencies. `first_at`/`second_at` read "line 2", or
/// "FILE line 2" when the two are in different files of one import.
#[derive(Debug, thiserror::Error)]
#[error("{}: payer {payer}, period {period} mixes currencies: {first_code} ({first_at}) and {second_code} ({second_at}); a payer's bill for a period is in one currency, and proforma never adds amounts of different currencies", path.display())]
pub struct MixedCurrency {
    pub path: PathBuf,
    pub payer: String,
    pub period: String,
    pub first_code: String,
    pub first_at: String,
    pub second_code: String,
    pub second_at: String,
    /// The line of the second currency, for picking the first error of many.
    pub line: u64,
}

/// What one input file turned out to hold.
#[derive(Debug)]
pub enum Input {
    Cost(CostExtract),
    Accounts(Vec<AccountInfo>),
}

/// Reads one input of any supported format, detected from its content.
/// `progress` receives bytes of the source read so far.
pub fn read_input(
    source: &Source,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(SourceMeta, Input), CurError> {
    read_input_packed(source, progress, None)
}

/// [`read_input`], with each account's lines of a cost file packed by `packer` as they are
/// finished (the importer's way to hold a file's aggregate compactly, whatever its size).
pub fn read_input_packed(
    source: &Source,
    progress: &(dyn Fn(u64) + Sync),
    packer: Option<Packer<'_>>,
) -> Result<(SourceMeta, Input), CurError> {
    let format = detect::detect(source)?;
    let path = source.display_path();
    match format {
        Format::CurCsv(compression)
        | Format::Cur2Csv(compression)
        | Format::CubeCsv(compression)
        | Format::FocusCsv(compression, _) => {
            let (extract, hash) = csv_reader::read(source, compression, progress, packer)?;
            if matches!(format, Format::CubeCsv(_)) {
                cube::check_days_have_lines(&path, &extract)?;
            }
            Ok((source.meta(format, hash)?, Input::Cost(extract)))
        }
        Format::CurParquet
        | Format::Cur2Parquet
        | Format::CubeParquet
        | Format::FocusParquet(_) => {
            let (extract, format) = parquet_reader::read(source, packer)?;
            if format == Format::CubeParquet {
                cube::check_days_have_lines(&path, &extract)?;
            }
            let hash = source.hash()?;
            Ok((source.meta(format, hash)?, Input::Cost(extract)))
        }
        Format::AccountsJson(compression) | Format::AccountsCsv(compression) => {
            let bytes = source.read_decompressed_limited(
                compression,
                accounts::MAX_BYTES,
                "the accounts file (decompressed)",
                "an account list of 10,000 accounts is about 3 MB: is this the right file?",
            )?;
            let accounts = if matches!(format, Format::AccountsJson(_)) {
                accounts::parse_json(&path, &bytes)?
            } else {
                accounts::parse_csv(&path, &bytes)?
            };
            let hash = source.hash()?;
            Ok((source.meta(format, hash)?, Input::Accounts(accounts)))
        }
    }
}
