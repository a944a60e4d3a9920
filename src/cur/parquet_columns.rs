//! Column-wise Parquet reading (issue 11 item 6): the columns the fold reads are decoded batch
//! by batch into typed arrays (parquet's `arrow` reader, projected), and each row is shown to
//! the fold as byte cells borrowed from those arrays. Text is never copied per row; numbers and
//! timestamps are written once per batch into one buffer. Row groups are shared between two
//! workers that fold into one table.
//!
//! Value rules are the row reader's (SPEC 1.1): DOUBLE through its shortest round-trip text
//! (Rust's `{}` of an `f64`, as before), DECIMAL from its integer and scale (exact),
//! TIMESTAMP as ISO 8601 UTC, DATE as `YYYY-MM-DD`. CUR 2.0 map columns are read in place:
//! `product['product_name']`, `product['region']` (else `product_region_code`) and every tag
//! and cost-category key become derived cells at the positions `cur::cur2` gives them.

use super::columns::ColumnMap;
use super::cur2::Cur2Columns;
use super::fold::{Cells, Folder};
use super::{CurError, Format};
use arrow_array::{Array, ArrayRef, MapArray, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

const BATCH: usize = 16 * 1024;

fn corrupt(path: &Path, e: impl std::fmt::Display) -> CurError {
    CurError::Corrupt {
        path: path.to_path_buf(),
        format: "Parquet",
        detail: e.to_string(),
    }
}

/// A text column of any of the arrow string layouts.
enum Text<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
    Binary(&'a arrow_array::BinaryArray),
    Dict32(&'a arrow_array::Int32Array, Box<Text<'a>>),
}

impl<'a> Text<'a> {
    fn of(a: &'a dyn Array) -> Option<Self> {
        let any = a.as_any();
        Some(match a.data_type() {
            DataType::Utf8 => Text::Utf8(any.downcast_ref()?),
            DataType::LargeUtf8 => Text::Large(any.downcast_ref()?),
            DataType::Utf8View => Text::View(any.downcast_ref()?),
            DataType::Binary => Text::Binary(any.downcast_ref()?),
            DataType::Dictionary(k, _) if **k == DataType::Int32 => {
                let d: &arrow_array::DictionaryArray<arrow_array::types::Int32Type> =
                    any.downcast_ref()?;
                Text::Dict32(d.keys(), Box::new(Text::of(d.values().as_ref())?))
            }
            _ => return None,
        })
    }

    fn get(&self, i: usize) -> &'a [u8] {
        match self {
            Text::Utf8(a) if a.is_valid(i) => a.value(i).as_bytes(),
            Text::Large(a) if a.is_valid(i) => a.value(i).as_bytes(),
            Text::View(a) if a.is_valid(i) => a.value(i).as_bytes(),
            Text::Binary(a) if a.is_valid(i) => a.value(i),
            Text::Dict32(k, v) if k.is_valid(i) => {
                usize::try_from(k.value(i)).map_or(b"", |j| v.get(j))
            }
            _ => b"",
        }
    }
}

/// A map column (string keys and values).
struct Map<'a> {
    array: &'a MapArray,
    keys: Text<'a>,
    values: Text<'a>,
}

impl<'a> Map<'a> {
    fn of(a: &'a dyn Array) -> Option<Self> {
        let array: &MapArray = a.as_any().downcast_ref()?;
        Some(Map {
            keys: Text::of(array.keys().as_ref())?,
            values: Text::of(array.values().as_ref())?,
            array,
        })
    }

    fn get(&self, row: usize, key: &[u8]) -> &'a [u8] {
        if !self.array.is_valid(row) {
            return b"";
        }
        let offsets = self.array.value_offsets();
        let (from, to) = (offsets[row] as usize, offsets[row + 1] as usize);
        (from..to)
            .find(|&j| self.keys.get(j) == key)
            .map_or(b"", |j| self.values.get(j))
    }
}

/// Where one cell of a row comes from.
enum Cell<'a> {
    Absent,
    Text(Text<'a>),
    /// Numbers, timestamps: written once per batch into `Batch::arena`, one span per row.
    Written(Vec<(u32, u32)>),
    MapKey(&'a Map<'a>, &'a [u8]),
    /// A map key, else another cell (the region code).
    MapKeyOr(&'a Map<'a>, &'a [u8], usize),
}

/// One decoded batch, seen row by row.
struct BatchRow<'b, 'a> {
    cells: &'b [Cell<'a>],
    arena: &'b [u8],
    row: usize,
}

impl Cells for BatchRow<'_, '_> {
    fn cell(&self, index: usize) -> &[u8] {
        match self.cells.get(index) {
            Some(Cell::Text(t)) => t.get(self.row),
            Some(Cell::Written(spans)) => spans
                .get(self.row)
                .and_then(|&(a, b)| self.arena.get(a as usize..b as usize))
                .unwrap_or(b""),
            Some(Cell::MapKey(m, k)) => m.get(self.row, k),
            Some(Cell::MapKeyOr(m, k, other)) => {
                let v = m.get(self.row, k);
                if v.is_empty() { self.cell(*other) } else { v }
            }
            Some(Cell::Absent) | None => b"",
        }
    }
}

/// Writes a non-text column's values as text into `arena`; `None` for a type proforma does not
/// read as a cell.
fn write_column(a: &ArrayRef, arena: &mut Vec<u8>) -> Option<Vec<(u32, u32)>> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    let n = a.len();
    let mut spans = Vec::with_capacity(n);
    let mut s = String::new();
    let mut each = |f: &mut dyn FnMut(usize, &mut String)| {
        for i in 0..n {
            s.clear();
            if a.is_valid(i) {
                f(i, &mut s);
            }
            let from = arena.len() as u32;
            arena.extend_from_slice(s.as_bytes());
            spans.push((from, arena.len() as u32));
        }
    };
    let ts = |s: &mut String, t: Option<chrono::DateTime<chrono::Utc>>| match t {
        Some(t) => {
            let _ = write!(s, "{}", t.format("%Y-%m-%dT%H:%M:%SZ"));
        }
        None => s.push_str("invalid timestamp"),
    };
    match a.data_type() {
        DataType::Float64 => {
            let v = a.as_primitive::<Float64Type>();
            each(&mut |i, s| {
                let _ = write!(s, "{}", v.value(i));
            });
        }
        DataType::Float32 => {
            let v = a.as_primitive::<Float32Type>();
            each(&mut |i, s| {
                let _ = write!(s, "{}", v.value(i));
            });
        }
        DataType::Int64 => {
            let v = a.as_primitive::<Int64Type>();
            each(&mut |i, s| {
                let _ = write!(s, "{}", v.value(i));
            });
        }
        DataType::Int32 => {
            let v = a.as_primitive::<Int32Type>();
            each(&mut |i, s| {
                let _ = write!(s, "{}", v.value(i));
            });
        }
        DataType::Int16
        | DataType::Int8
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => {
            let v = arrow_cast_i64(a)?;
            each(&mut |i, s| {
                let _ = write!(s, "{}", v[i]);
            });
        }
        DataType::Boolean => {
            let v = a.as_boolean();
            each(&mut |i, s| {
                let _ = write!(s, "{}", v.value(i));
            });
        }
        DataType::Decimal128(_, scale) => {
            let v = a.as_primitive::<Decimal128Type>();
            let scale = (*scale).max(0) as u32;
            each(
                &mut |i, s| match rust_decimal::Decimal::try_from_i128_with_scale(v.value(i), scale)
                {
                    Ok(d) => {
                        let _ = write!(s, "{d}");
                    }
                    Err(_) => s.push_str("invalid decimal"),
                },
            );
        }
        DataType::Timestamp(unit, _) => {
            let unit = *unit;
            let raw: &[i64] = match unit {
                TimeUnit::Second => a.as_primitive::<TimestampSecondType>().values(),
                TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().values(),
                TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().values(),
                TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().values(),
            };
            // Neighbouring rows mostly share their timestamps (the period start, the usage
            // hour): the last text is reused instead of formatted again.
            let mut last: Option<(i64, String)> = None;
            each(&mut |i, s| {
                let x = raw[i];
                if let Some((lx, text)) = &last
                    && *lx == x
                {
                    s.push_str(text);
                    return;
                }
                let t = match unit {
                    TimeUnit::Second => chrono::DateTime::from_timestamp(x, 0),
                    TimeUnit::Millisecond => chrono::DateTime::from_timestamp_millis(x),
                    TimeUnit::Microsecond => chrono::DateTime::from_timestamp_micros(x),
                    TimeUnit::Nanosecond => Some(chrono::DateTime::from_timestamp_nanos(x)),
                };
                ts(s, t);
                last = Some((x, s.clone()));
            });
        }
        DataType::Date32 => {
            let v = a.as_primitive::<Date32Type>();
            each(&mut |i, s| {
                let d = v.value(i);
                match chrono::DateTime::from_timestamp(i64::from(d) * 86_400, 0) {
                    Some(d) => {
                        let _ = write!(s, "{}", d.format("%Y-%m-%d"));
                    }
                    None => {
                        let _ = write!(s, "invalid date {d}");
                    }
                }
            });
        }
        _ => return None,
    }
    Some(spans)
}

/// Small integer columns as i64 (rare in CUR files).
fn arrow_cast_i64(a: &ArrayRef) -> Option<Vec<i64>> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    let n = a.len();
    Some(match a.data_type() {
        DataType::Int8 => (0..n)
            .map(|i| i64::from(a.as_primitive::<Int8Type>().value(i)))
            .collect(),
        DataType::Int16 => (0..n)
            .map(|i| i64::from(a.as_primitive::<Int16Type>().value(i)))
            .collect(),
        DataType::UInt8 => (0..n)
            .map(|i| i64::from(a.as_primitive::<UInt8Type>().value(i)))
            .collect(),
        DataType::UInt16 => (0..n)
            .map(|i| i64::from(a.as_primitive::<UInt16Type>().value(i)))
            .collect(),
        DataType::UInt32 => (0..n)
            .map(|i| i64::from(a.as_primitive::<UInt32Type>().value(i)))
            .collect(),
        DataType::UInt64 => (0..n)
            .map(|i| i64::try_from(a.as_primitive::<UInt64Type>().value(i)).unwrap_or(i64::MAX))
            .collect(),
        _ => return None,
    })
}

/// Reads a Parquet file column-wise; returns the extract and what the file held.
pub(super) fn read_file(
    path: &Path,
    file: std::fs::File,
    packer: Option<super::Packer<'_>>,
) -> Result<(super::CostExtract, Format), CurError> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| corrupt(path, e))?;
    let root = builder.parquet_schema().root_schema().clone();
    let header: Vec<String> = root
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let mut map = ColumnMap::from_header(path, &header)?;
    let (cur2, format) = super::parquet_reader::kind(&map, &header);
    // FOCUS: a first pass over its tag columns finds their keys (cur/focus.rs).
    map = super::focus::complete_parquet(map, path)?;
    let groups: Vec<(usize, u64)> = {
        let mut first = 0u64;
        builder
            .metadata()
            .row_groups()
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let at = first;
                first += g.num_rows().max(0) as u64;
                (i, at)
            })
            .collect()
    };
    let reader_for = |cols: &[usize], row_groups: Vec<usize>| {
        // Its own open file per reader: clones of one handle share the read position, which
        // two workers would move under each other.
        let b =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).map_err(|e| {
                CurError::Io {
                    path: path.to_path_buf(),
                    source: e,
                }
            })?)
            .map_err(|e| corrupt(path, e))?;
        let mask = ProjectionMask::roots(b.parquet_schema(), cols.iter().copied());
        b.with_projection(mask)
            .with_row_groups(row_groups)
            .with_batch_size(BATCH)
            .build()
            .map_err(|e| corrupt(path, e))
    };

    let mut cur2_cols = None;
    if let Some(c) = cur2 {
        // First pass: the keys of the label maps (their key columns alone).
        let label_cols: Vec<usize> = [c.tags, c.cost_category].into_iter().flatten().collect();
        let mut keys = super::cur2::MapKeys::default();
        if !label_cols.is_empty() {
            let reader = reader_for(&label_cols, groups.iter().map(|g| g.0).collect())?;
            for batch in reader {
                let batch = batch.map_err(|e| corrupt(path, e))?;
                for (pos, &col) in label_cols.iter().enumerate() {
                    let Some(m) = Map::of(batch.column(pos).as_ref()) else {
                        return Err(not_a_map(path, &header, col));
                    };
                    let set = if Some(col) == c.tags {
                        &mut keys.tags
                    } else {
                        &mut keys.cost_categories
                    };
                    collect(&m, set);
                }
            }
        }
        map = c.apply(map, keys);
        // The derived cells are built here, from the maps in place: not by the fold's adapter.
        cur2_cols = map.cur2.take();
    }
    // Nested columns other than CUR 2.0's maps (lists, structs) are not CUR columns.
    let fields = root.get_fields();
    let mut projected: Vec<usize> = map
        .used_columns()
        .into_iter()
        .filter(|&i| i < header.len() && fields[i].is_primitive())
        .collect();
    if let Some(c) = &cur2_cols {
        projected.extend(c.sources());
        projected.sort_unstable();
        projected.dedup();
    }
    if let Some(f) = map.focus.as_deref() {
        // FOCUS tags may be Parquet MAPs: read as JSON text (fold_batch).
        projected.extend([f.tags, f.cost_categories].into_iter().flatten());
        projected.sort_unstable();
        projected.dedup();
    }
    let ncells = map.names.len();
    let folder = Folder::new(&map, path).with_packer(packer);
    let workers = if groups.len() > 1 { 2 } else { 1 };
    let table = &folder;
    let results: Vec<Result<u64, CurError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                // Contiguous halves: a worker's rows are consecutive rows of the file, so
                // a row's number (for errors) is the half's first row plus its index.
                let half = groups.len().div_ceil(workers);
                let mine: Vec<(usize, u64)> =
                    groups.iter().copied().skip(w * half).take(half).collect();
                let projected = &projected;
                let header = &header;
                let cur2 = cur2_cols.as_deref();
                let reader_for = &reader_for;
                scope.spawn(move || -> Result<u64, CurError> {
                    let mut fold = table.worker();
                    let Some(&(_, first_row)) = mine.first() else {
                        return Ok(0);
                    };
                    let reader = reader_for(projected, mine.iter().map(|g| g.0).collect())?;
                    let mut line = first_row;
                    for batch in reader {
                        let batch = batch.map_err(|e| corrupt(path, e))?;
                        fold_batch(
                            path,
                            header,
                            &batch,
                            projected,
                            cur2,
                            ncells,
                            &mut line,
                            &mut |row, l| fold.fold(row, l),
                        )?;
                    }
                    Ok(fold.done())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(CurError::Corrupt {
                        path: path.to_path_buf(),
                        format: "Parquet",
                        detail: "the file's structure could not be decoded".into(),
                    })
                })
            })
            .collect()
    });
    let mut folder = folder;
    let mut first_err: Option<CurError> = None;
    for r in results {
        match r {
            Ok(n) => folder.add_rows(n),
            Err(e) => {
                let earlier = match &first_err {
                    None => true,
                    Some(f) => e.line().unwrap_or(u64::MAX) < f.line().unwrap_or(u64::MAX),
                };
                if earlier {
                    first_err = Some(e);
                }
            }
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    Ok((folder.finish()?, format))
}

fn not_a_map(path: &Path, header: &[String], col: usize) -> CurError {
    CurError::Unsupported {
        path: path.to_path_buf(),
        detail: format!(
            "column {} ({}) is not a map of strings, as a CUR 2.0 map column is",
            col + 1,
            header.get(col).map_or("", String::as_str)
        ),
    }
}

fn collect(m: &Map<'_>, set: &mut BTreeSet<String>) {
    let offsets = m.array.value_offsets();
    let (from, to) = (
        offsets.first().copied().unwrap_or(0) as usize,
        offsets.last().copied().unwrap_or(0) as usize,
    );
    let mut last: &[u8] = b"";
    for j in from..to {
        let k = m.keys.get(j);
        if k.is_empty() || k == last || m.values.get(j).is_empty() {
            continue;
        }
        last = k;
        if let Ok(k) = std::str::from_utf8(k)
            && !set.contains(k)
        {
            set.insert(k.to_string());
        }
    }
}

/// Folds one batch: builds the cell sources once, then shows each row to `fold`.
#[allow(clippy::too_many_arguments)]
fn fold_batch(
    path: &Path,
    header: &[String],
    batch: &RecordBatch,
    projected: &[usize],
    cur2: Option<&Cur2Columns>,
    ncells: usize,
    line: &mut u64,
    fold: &mut dyn FnMut(&BatchRow<'_, '_>, u64) -> Result<(), CurError>,
) -> Result<(), CurError> {
    let mut arena = Vec::new();
    let mut maps: Vec<(usize, Map<'_>)> = Vec::new();
    let mut cells: Vec<Cell<'_>> = (0..ncells).map(|_| Cell::Absent).collect();
    for (pos, &col) in projected.iter().enumerate() {
        let a = batch.column(pos);
        if cur2.is_none() && matches!(a.data_type(), DataType::Map(..)) {
            // Not CUR 2.0: a FOCUS tag map, shown as the JSON object a FOCUS CSV holds.
            cells[col] = match super::focus::json_spans(a.as_ref(), &mut arena) {
                Some(spans) => Cell::Written(spans),
                None => return Err(not_a_map(path, header, col)),
            };
            continue;
        }
        if matches!(a.data_type(), DataType::Map(..)) {
            match Map::of(a.as_ref()) {
                Some(m) => maps.push((col, m)),
                None => return Err(not_a_map(path, header, col)),
            }
            continue;
        }
        cells[col] = match Text::of(a.as_ref()) {
            Some(t) => Cell::Text(t),
            None => match write_column(a, &mut arena) {
                Some(spans) => Cell::Written(spans),
                None => {
                    return Err(CurError::Unsupported {
                        path: path.to_path_buf(),
                        detail: format!(
                            "column {} ({}) has Parquet type {}, which proforma does not read",
                            col + 1,
                            header[col],
                            a.data_type()
                        ),
                    });
                }
            },
        };
    }
    if let Some(c) = cur2 {
        let find = |col: Option<usize>| {
            col.and_then(|col| maps.iter().find(|(c, _)| *c == col).map(|(_, m)| m))
        };
        if let Some(product) = find(c.product) {
            cells[c.base] = Cell::MapKey(product, b"product_name");
            cells[c.base + 1] = match c.region_code {
                Some(rc) => Cell::MapKeyOr(product, b"region", rc),
                None => Cell::MapKey(product, b"region"),
            };
        } else if let Some(rc) = c.region_code {
            // No product map: the region code alone.
            region_only(&mut cells, c.base + 1, rc);
        }
        let mut at = c.base + 2;
        for (col, keys) in [
            (c.tags, &c.tag_keys),
            (c.cost_category, &c.cost_category_keys),
        ] {
            let m = find(col);
            for k in keys {
                if let Some(m) = m {
                    cells[at] = Cell::MapKey(m, k.as_bytes());
                }
                at += 1;
            }
        }
    }
    for row in 0..batch.num_rows() {
        *line += 1;
        fold(
            &BatchRow {
                cells: &cells,
                arena: &arena,
                row,
            },
            *line,
        )?;
    }
    Ok(())
}

/// Points cell `at` at cell `source` (a copy of its text view or spans).
fn region_only(cells: &mut [Cell<'_>], at: usize, source: usize) {
    let copy = match &cells[source] {
        Cell::Text(t) => Some(Cell::Text(match t {
            Text::Utf8(a) => Text::Utf8(a),
            Text::Large(a) => Text::Large(a),
            Text::View(a) => Text::View(a),
            Text::Binary(a) => Text::Binary(a),
            Text::Dict32(..) => return,
        })),
        Cell::Written(s) => Some(Cell::Written(s.clone())),
        _ => None,
    };
    if let Some(c) = copy {
        cells[at] = c;
    }
}
