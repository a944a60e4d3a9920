//! Raw rows of a cost file, one at a time, each with the aggregate key the import folded it
//! into ([`RowKeys`]): what line-level exports re-read from a delivery's recorded files
//! (`month_end::proforma_cur`). Streams: one record (CSV) or one row group (Parquet) is held
//! at a time, whatever the file's size.
//!
//! Readable: legacy CUR and CUR 2.0, as CSV (plain, gzip, zip) or Parquet; FOCUS rows too
//! (the caller decides what to do with them). A proforma cube holds no raw rows and is refused.

use super::columns::ColumnMap;
use super::fold::{Cells, RowAmounts, RowKeys};
use super::source::Compression;
use super::{CurError, Format, Source};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Reports read progress: bytes of the file's content read so far.
pub type ReadProgress<'p> = &'p dyn Fn(u64);

/// What [`for_each_row`] calls for each row: the file's header and the row.
type RowFn<'f> = &'f mut dyn FnMut(&[String], RawRow<'_>) -> Result<(), CurError>;

/// What [`for_each_row`] hands the caller for each row.
pub struct RawRow<'a> {
    /// The row's cells by header position (the file's own columns, as text; a Parquet value is
    /// written as the import reads it: doubles by their shortest round-trip text, timestamps
    /// as ISO 8601 UTC, CUR 2.0 maps as JSON objects).
    pub cells: &'a dyn Cells,
    /// 1-based line of the record (CSV) or row number (Parquet), for messages.
    pub line: u64,
    /// The row's amounts as the fold adds them.
    pub amounts: RowAmounts,
    /// The row's key; [`RowKeys::last_key`] gives its bytes and [`RowKeys::decode`] the key.
    pub keys: &'a RowKeys<'a>,
}

/// The format and header (the file's own column names, in order) of a cost file.
///
/// # Errors
/// The file cannot be read, is not cost data, or is a proforma cube.
pub fn header(source: &Source) -> Result<(Format, Vec<String>), CurError> {
    let format = super::detect::detect(source)?;
    let path = source.display_path();
    let header = match format {
        Format::CurCsv(c) | Format::Cur2Csv(c) | Format::FocusCsv(c, _) => {
            source
                .with_reader(c, |r| Ok(csv_header(&path, BufReader::new(r))?.1))?
                .0
        }
        Format::CurParquet | Format::Cur2Parquet | Format::FocusParquet(_) => {
            contained(&path, || parquet_header(source))?
        }
        _ => return Err(no_rows(&path, format)),
    };
    Ok((format, header))
}

fn no_rows(path: &Path, format: Format) -> CurError {
    CurError::Unsupported {
        path: path.to_path_buf(),
        detail: format!("{} holds no CUR rows to re-read", format.name()),
    }
}

/// Calls `f` with every data row of the file, in file order, each with its aggregate key;
/// returns the file's format, header and the xxh3-128 hash of the bytes read (the file as
/// stored, as `SourceMeta::hash`), so a caller can tell the file did not change while it was
/// read. A row the import would refuse is refused here with the import's message.
///
/// # Errors
/// The file's ([`CurError`]), or `f`'s.
pub fn for_each_row(
    source: &Source,
    progress: ReadProgress<'_>,
    mut f: impl FnMut(&[String], RawRow<'_>) -> Result<(), CurError>,
) -> Result<(Format, Vec<String>, String), CurError> {
    let format = super::detect::detect(source)?;
    let path = source.display_path();
    match format {
        Format::CurCsv(c) | Format::Cur2Csv(c) | Format::FocusCsv(c, _) => {
            let (header, hash) =
                source.with_reader(c, |r| read_csv(source, c, &path, r, progress, &mut f))?;
            Ok((format, header, hash))
        }
        Format::CurParquet | Format::Cur2Parquet | Format::FocusParquet(_) => {
            let header = contained(&path, || read_parquet(source, &path, progress, &mut f))?;
            // Parquet is read through its footer, not front to back: hashed after.
            Ok((format, header, source.hash()?))
        }
        _ => Err(no_rows(&path, format)),
    }
}

/// A CSV reader over `r` (a UTF-8 byte order mark skipped) and the file's header record
/// (cells trimmed, as the import reads it).
fn csv_header<R: BufRead>(
    path: &Path,
    mut r: R,
) -> Result<(csv::Reader<R>, Vec<String>), CurError> {
    skip_bom(path, &mut r)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(r);
    let mut rec = csv::ByteRecord::new();
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => {
            return Err(CurError::Empty {
                path: path.to_path_buf(),
            });
        }
        Err(e) => {
            return Err(CurError::NotCostData {
                path: path.to_path_buf(),
                reason: format!("its first line is not a CSV header ({e})"),
            });
        }
    }
    let header = super::csv_reader::header_cells(path, &rec)?;
    Ok((rdr, header))
}

fn skip_bom(path: &Path, r: &mut dyn BufRead) -> Result<(), CurError> {
    let head = r.fill_buf().map_err(|e| CurError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        r.consume(3);
    }
    Ok(())
}

/// Counts the bytes read through it, for progress.
struct Counting<'r> {
    inner: &'r mut dyn Read,
    bytes: u64,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

fn read_csv(
    source: &Source,
    compression: Compression,
    path: &Path,
    r: &mut dyn Read,
    progress: ReadProgress<'_>,
    f: RowFn<'_>,
) -> Result<Vec<String>, CurError> {
    let mut counting = Counting { inner: r, bytes: 0 };
    let buffered = BufReader::with_capacity(1 << 20, &mut counting);
    let (mut rdr, header) = csv_header(path, buffered)?;
    let map = ColumnMap::from_header(path, &header)?;
    let map = super::cur2::complete_csv(map);
    let mut keys = RowKeys::new(&map, path)?;
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u64;
    loop {
        let more = rdr.read_byte_record(&mut rec).map_err(|e| {
            let at = e
                .position()
                .map_or(String::new(), |p| format!("line {}: ", p.line()));
            source.corrupt(compression, format!("{at}{e}"))
        })?;
        if !more {
            break;
        }
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() == 1 && rec.get(0).is_some_and(|c| c.trim_ascii().is_empty()) {
            continue;
        }
        if rec.len() != header.len() {
            return Err(CurError::FieldCount {
                path: path.to_path_buf(),
                line,
                expected: header.len(),
                found: rec.len(),
            });
        }
        let amounts = keys.read(&rec, line)?;
        f(
            &header,
            RawRow {
                cells: &rec,
                line,
                amounts,
                keys: &keys,
            },
        )?;
        rows += 1;
        if rows % 4096 == 0 {
            progress(rdr.get_ref().get_ref().bytes);
        }
    }
    progress(rdr.get_ref().get_ref().bytes);
    Ok(header)
}

/// Runs a Parquet step with the parquet crate's panics on malformed files turned into a
/// clean error (as the import does).
fn contained<T>(path: &Path, run: impl FnOnce() -> Result<T, CurError>) -> Result<T, CurError> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run));
    std::panic::set_hook(hook);
    outcome.unwrap_or_else(|_| {
        Err(CurError::Corrupt {
            path: path.to_path_buf(),
            format: "Parquet",
            detail: "the file's structure could not be decoded".into(),
        })
    })
}

fn parquet_header(source: &Source) -> Result<Vec<String>, CurError> {
    Ok(super::parquet_reader::open_rows(source)?.header)
}

fn read_parquet(
    source: &Source,
    path: &Path,
    progress: ReadProgress<'_>,
    f: RowFn<'_>,
) -> Result<Vec<String>, CurError> {
    let file = super::parquet_reader::open_rows(source)?;
    let keys = std::cell::RefCell::new(RowKeys::new(&file.map, path)?);
    let size = source.size().unwrap_or(0);
    let total = file.rows.max(1);
    file.for_each_row(path, |cells, line| {
        let amounts = keys.borrow_mut().read(cells, line)?;
        let keys = keys.borrow();
        f(
            &file.header,
            RawRow {
                cells,
                line,
                amounts,
                keys: &keys,
            },
        )?;
        if line % 4096 == 0 {
            progress(size.saturating_mul(line) / total);
        }
        Ok(())
    })?;
    progress(size);
    Ok(file.header.clone())
}
