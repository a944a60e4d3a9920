//! Tells what an input holds from its bytes: compression by magic number, then the content
//! by its first bytes and header (SPEC 1.1: detected by content, not by file name).

use super::columns::normalize_name;
use super::source::Compression;
use super::{CurError, Source};
use std::io::Read;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CurCsv(Compression),
    /// CUR 2.0 (Data Exports) CSV: snake_case columns and JSON map cells (`cur::cur2`).
    Cur2Csv(Compression),
    /// A proforma cube (the result of `cube-sql`'s query) as CSV.
    CubeCsv(Compression),
    CurParquet,
    /// CUR 2.0 Parquet (told from its map columns after reading the schema).
    Cur2Parquet,
    /// A proforma cube as Parquet (told from its columns after reading).
    CubeParquet,
    /// FOCUS 1.x CSV: PascalCase columns (`BilledCost`, `ChargeCategory`, ...; `cur::focus`).
    FocusCsv(Compression, super::focus::FocusVersion),
    /// FOCUS 1.x Parquet (told from its columns after reading the schema).
    FocusParquet(super::focus::FocusVersion),
    AccountsJson(Compression),
    AccountsCsv(Compression),
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::CurCsv(Compression::None) => "legacy CUR CSV",
            Format::CurCsv(Compression::Gzip) => "legacy CUR CSV (gzip)",
            Format::CurCsv(Compression::Zip) => "legacy CUR CSV (zip)",
            Format::Cur2Csv(Compression::None) => "CUR 2.0 CSV",
            Format::Cur2Csv(Compression::Gzip) => "CUR 2.0 CSV (gzip)",
            Format::Cur2Csv(Compression::Zip) => "CUR 2.0 CSV (zip)",
            Format::Cur2Parquet => "CUR 2.0 Parquet",
            Format::CubeCsv(Compression::None) => "proforma cube CSV",
            Format::CubeCsv(Compression::Gzip) => "proforma cube CSV (gzip)",
            Format::CubeCsv(Compression::Zip) => "proforma cube CSV (zip)",
            Format::CurParquet => "legacy CUR Parquet",
            Format::CubeParquet => "proforma cube Parquet",
            Format::FocusCsv(c, v) => super::focus::format_name(v, Some(c)),
            Format::FocusParquet(v) => super::focus::format_name(v, None),
            Format::AccountsJson(_) => "accounts JSON (organizations list-accounts)",
            Format::AccountsCsv(_) => "accounts CSV",
        }
    }
}

const HEAD: usize = 64 * 1024;

fn read_head(r: &mut dyn Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(HEAD);
    r.take(HEAD as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

pub fn detect(source: &Source) -> Result<Format, CurError> {
    let path = source.display_path();
    let mut raw = source.open_raw()?;
    let head = read_head(&mut raw).map_err(|e| CurError::Io {
        path: path.clone(),
        source: e,
    })?;
    if head.is_empty() {
        return Err(CurError::Empty { path });
    }
    let compression = if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Compression::Zip
    } else if head.starts_with(b"PAR1") {
        return Ok(parquet_kind(source).unwrap_or(Format::CurParquet));
    } else {
        Compression::None
    };
    let content = if compression == Compression::None {
        head
    } else {
        let content = source.peek_decompressed(compression, HEAD)?;
        if content.is_empty() {
            return Err(CurError::Empty { path });
        }
        content
    };
    classify(&path, &content, compression)
}

/// What a Parquet file's schema says it is (FOCUS, CUR 2.0, cube, else legacy CUR), from its
/// footer alone; `None` when the footer cannot be read (the reader then reports why).
fn parquet_kind(source: &Source) -> Option<Format> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let Source::File(p) = source else {
        return None;
    };
    let file = std::fs::File::open(p).ok()?;
    // The parquet crate can panic on malformed footers: contained, and silent, as in the
    // readers (this runs on the importing thread).
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let names = std::panic::catch_unwind(move || -> Option<Vec<String>> {
        let reader = SerializedFileReader::new(file).ok()?;
        let root = reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .root_schema()
            .clone();
        Some(
            root.get_fields()
                .iter()
                .map(|f| f.name().to_string())
                .collect(),
        )
    });
    std::panic::set_hook(hook);
    let names = names.ok()??;
    Some(if super::focus::is_focus_header(&names) {
        Format::FocusParquet(super::focus::FocusVersion::of(&names))
    } else if super::cube::is_cube_header(&names) {
        Format::CubeParquet
    } else if super::cur2::is_cur2_header(&names) {
        Format::Cur2Parquet
    } else {
        Format::CurParquet
    })
}

fn classify(
    path: &std::path::Path,
    content: &[u8],
    compression: Compression,
) -> Result<Format, CurError> {
    let text = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    let not_cost = |reason: &str| CurError::NotCostData {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    match first {
        None => {
            return Err(CurError::Empty {
                path: path.to_path_buf(),
            });
        }
        Some(b'{') | Some(b'[') => {
            let s = String::from_utf8_lossy(text);
            return if s.contains("\"Accounts\"") {
                Ok(Format::AccountsJson(compression))
            } else {
                Err(not_cost(
                    "a JSON file that is neither an account list (the output of \
                     `aws organizations list-accounts`) nor a CUR or Data Exports manifest \
                     (`reportKeys` / `dataFiles`; a manifest that is not valid JSON cannot be \
                     told)",
                ))
            };
        }
        Some(_) => {}
    }
    if text.iter().take(4096).any(|&b| b == 0) {
        return Err(not_cost(
            "binary content that is not CSV, Parquet, JSON, gzip or zip",
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    // Bytes, not text: a header that is not UTF-8 is still recognised here, and refused by the
    // reader with the column that is not.
    let mut header = csv::ByteRecord::new();
    match rdr.read_byte_record(&mut header) {
        Ok(true) => {}
        _ => return Err(not_cost("no CSV header")),
    }
    let names: Vec<String> = header
        .iter()
        .map(|h| normalize_name(&String::from_utf8_lossy(h)))
        .collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    let cur_markers = [
        "bill_payer_account_id",
        "line_item_usage_account_id",
        "line_item_unblended_cost",
        "line_item_line_item_type",
        "bill_billing_period_start_date",
        "line_item_product_code",
    ];
    let raw: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    if has(super::cube::MARKER) {
        Ok(Format::CubeCsv(compression))
    } else if super::focus::is_focus_header(&raw) {
        Ok(Format::FocusCsv(
            compression,
            super::focus::FocusVersion::of(&raw),
        ))
    } else if super::cur2::is_cur2_header(&raw) {
        Ok(Format::Cur2Csv(compression))
    } else if cur_markers.iter().any(|m| has(m)) {
        Ok(Format::CurCsv(compression))
    } else if has("account_id") || has("id") && has("name") {
        Ok(Format::AccountsCsv(compression))
    } else {
        Err(not_cost(
            "its header has no Cost and Usage Report columns (lineItem/UnblendedCost, \
             bill/PayerAccountId, ...) and no account_id column",
        ))
    }
}
