//! Column-wise Parquet reading (issue 11 item 6): the columns the fold reads are decoded batch
//! by batch into typed arrays (parquet's `arrow` reader, projected), and each row is shown to
//! the fold as byte cells borrowed from those arrays. Text is never copied per row; timestamps
//! are written once per batch into one buffer, doubles converted once per batch to Decimals
//! (their text written only when read). Rows whose key cells repeat are folded by the ids of
//! those cells ([`Signer`], `fold::memo`). Row groups are handed out one at a
//! time to two workers that fold into one table.
//!
//! Value rules are the row reader's (SPEC 1.1): DOUBLE through its shortest round-trip text
//! (`money::f64_text`: Rust's `{}` text but on an exact halfway double), DECIMAL from its
//! integer and scale (exact), TIMESTAMP as ISO 8601 UTC, DATE as `YYYY-MM-DD`. Text columns
//! are asked for as dictionaries. CUR 2.0 map columns are read in place:
//! `product['product_name']` and `product['region']` (else `product_region_code`) become
//! derived cells at the positions `cur::cur2` gives them, and each row's `resource_tags` and
//! `cost_category` entries one label-set cell each (`fold::encode_label_set`).

use super::columns::ColumnMap;
use super::cur2::Cur2Columns;
use super::fold::{Cells, Folder};
use super::{CurError, Format};
use arrow_array::{Array, ArrayRef, MapArray, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fmt::Write as _;
use std::path::Path;

/// Rows per decoded batch. Each row reads every projected column of its batch, so a batch's
/// arrays, written numbers and label sets should stay in the CPU's cache, while parquet
/// re-packs each column's dictionary once per batch. Paired runs (issue 11 item 6), CPU time
/// on the CUR 2.0 / FOCUS Parquet samples, before the fold memo: 4,096 rows 0.86 / 0.88 of
/// 16,384's, 2,048 0.91 / 0.96 of 4,096's; with the memo (fewer per-row reads), FOCUS: 8,192
/// rows 0.97 of 2,048's and 0.98 of 4,096's, peak memory 56 MB against 46 MB.
const BATCH: usize = 8 * 1024;

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

    /// Number of values.
    fn len(&self) -> usize {
        match self {
            Text::Utf8(a) => a.len(),
            Text::Large(a) => a.len(),
            Text::View(a) => a.len(),
            Text::Binary(a) => a.len(),
            Text::Dict32(k, _) => k.len(),
        }
    }

    /// Another view of the same arrays.
    fn view(&self) -> Text<'a> {
        match self {
            Text::Utf8(a) => Text::Utf8(a),
            Text::Large(a) => Text::Large(a),
            Text::View(a) => Text::View(a),
            Text::Binary(a) => Text::Binary(a),
            Text::Dict32(k, v) => Text::Dict32(k, Box::new(v.view())),
        }
    }

    /// As [`Text::get`], as text: the arrow string layouts hold valid UTF-8 already (checked
    /// when decoded), so only binary cells are checked. None when not UTF-8.
    fn text(&self, i: usize) -> Option<&'a str> {
        match self {
            Text::Utf8(a) if a.is_valid(i) => Some(a.value(i)),
            Text::Large(a) if a.is_valid(i) => Some(a.value(i)),
            Text::View(a) if a.is_valid(i) => Some(a.value(i)),
            Text::Binary(a) if a.is_valid(i) => std::str::from_utf8(a.value(i)).ok(),
            Text::Dict32(k, v) if k.is_valid(i) => {
                usize::try_from(k.value(i)).map_or(Some(""), |j| v.text(j))
            }
            _ => Some(""),
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

    /// The value of row `row`'s first entry under `key`, empty when none: as the JSON object
    /// of a CUR 2.0 CSV is read (`cur2::with_row`: a repeated key's first value counts).
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

    /// The map's keys and values as dictionary indices and dictionaries, when both are
    /// dictionary-encoded (asked for so: `as_dictionary`).
    fn dict(&self) -> Option<MapDict<'_, 'a>> {
        match (&self.keys, &self.values) {
            (Text::Dict32(ki, kd), Text::Dict32(vi, vd)) => Some(MapDict {
                keys: EntryIds::new(ki, kd),
                values: EntryIds::new(vi, vd),
            }),
            _ => None,
        }
    }

    /// Entry positions of row `row` (none for a null row).
    fn entries(&self, row: usize) -> std::ops::Range<usize> {
        if !self.array.is_valid(row) {
            return 0..0;
        }
        let offsets = self.array.value_offsets();
        offsets[row] as usize..offsets[row + 1] as usize
    }

    /// As [`Map::get`], as text (see [`Text::text`]).
    fn text(&self, row: usize, key: &[u8]) -> Option<&'a str> {
        if !self.array.is_valid(row) {
            return Some("");
        }
        let offsets = self.array.value_offsets();
        let (from, to) = (offsets[row] as usize, offsets[row + 1] as usize);
        (from..to)
            .find(|&j| self.keys.get(j) == key)
            .map_or(Some(""), |j| self.values.text(j))
    }
}

/// Where one cell of a row comes from.
enum Cell<'a> {
    Absent,
    Text(Text<'a>),
    /// Numbers, timestamps: written once per batch into `Batch::arena`, one span per row.
    Written(Vec<(u32, u32)>),
    /// A DOUBLE column: each finite value as the exact Decimal of its shortest round-trip
    /// text (`money::shortest_text_decimal`), None when null or not finite. The text itself
    /// is written only when a cell is read as text (a null, a NaN, an error message): the
    /// fold reads these numbers as Decimals.
    Double(
        &'a arrow_array::Float64Array,
        Vec<Option<rust_decimal::Decimal>>,
        std::cell::OnceCell<DoubleText>,
    ),
    MapKey(&'a Map<'a>, &'a [u8]),
    /// A map key, else another cell (the region code).
    MapKeyOr(&'a Map<'a>, &'a [u8], usize),
    /// A label map's entries, one label-set cell per row in `Batch::sets`
    /// (`fold::encode_label_set`).
    Set(Vec<(u32, u32)>),
    /// A dictionary-encoded label map, its label-set cell built only for a row that reads
    /// it (a row folded by its signature never does), into the row's slot `.1` of
    /// [`BatchRow::made`].
    LazySet(&'a Map<'a>, usize),
}

/// Label-set cells a batch builds lazily at most (CUR 2.0's tags and cost categories, FOCUS's
/// tags and cost categories); a further one is built for every row.
const LAZY_SETS: usize = 4;

/// One decoded batch, seen row by row.
struct BatchRow<'b, 'a> {
    cells: &'b [Cell<'a>],
    arena: &'b [u8],
    /// `arena` as text when it is UTF-8 (it always is: proforma wrote it), checked once per
    /// batch instead of once per cell.
    arena_text: Option<&'b str>,
    /// The label-set cells' bytes (binary: kept apart from `arena`, which is text).
    sets: &'b [u8],
    row: usize,
    /// This row's lazily built label-set cells ([`Cell::LazySet`]).
    made: [std::cell::OnceCell<Vec<u8>>; LAZY_SETS],
}

impl<'b> BatchRow<'b, '_> {
    /// [`Cells::cell`], borrowed from the batch rather than from this row.
    fn bytes(&self, index: usize) -> &'b [u8] {
        match self.cells.get(index) {
            Some(Cell::Text(t)) => t.get(self.row),
            Some(Cell::Written(spans)) => spans
                .get(self.row)
                .and_then(|&(a, b)| self.arena.get(a as usize..b as usize))
                .unwrap_or(b""),
            // A null is empty: its column's text is written only for a value read as text.
            Some(Cell::Double(v, _, _)) if v.is_null(self.row) => b"",
            Some(Cell::Double(v, _, text)) => text.get_or_init(|| DoubleText::of(v)).get(self.row),
            Some(Cell::MapKey(m, k)) => m.get(self.row, k),
            Some(Cell::MapKeyOr(m, k, other)) => {
                let v = m.get(self.row, k);
                if v.is_empty() { self.bytes(*other) } else { v }
            }
            Some(Cell::Set(spans)) => spans
                .get(self.row)
                .and_then(|&(a, b)| self.sets.get(a as usize..b as usize))
                .unwrap_or(b""),
            // Built per row, so borrowed from the row: `Cells::cell` answers for it, and the
            // signer reads its map itself.
            Some(Cell::LazySet(..)) | Some(Cell::Absent) | None => b"",
        }
    }

    /// A [`Cell::LazySet`]'s label-set cell for this row, built on first read.
    fn made_set(&self, m: &Map<'_>, slot: usize) -> &[u8] {
        self.made[slot].get_or_init(|| {
            let mut out = Vec::new();
            label_set_of(m, self.row, &mut Vec::new(), &mut Vec::new(), &mut out);
            out
        })
    }
}

impl Cells for BatchRow<'_, '_> {
    fn cell(&self, index: usize) -> &[u8] {
        match self.cells.get(index) {
            Some(Cell::LazySet(m, slot)) => self.made_set(m, *slot),
            _ => self.bytes(index),
        }
    }

    fn text(&self, index: usize) -> Option<&str> {
        match self.cells.get(index) {
            Some(Cell::Text(t)) => t.text(self.row),
            Some(Cell::Double(v, _, _)) if v.is_null(self.row) => Some(""),
            Some(Cell::Double(..)) => std::str::from_utf8(self.cell(index)).ok(),
            Some(Cell::Written(spans)) => match self.arena_text {
                // Every span is one whole written value: on character boundaries.
                Some(arena) => spans
                    .get(self.row)
                    .map_or(Some(""), |&(a, b)| arena.get(a as usize..b as usize)),
                None => std::str::from_utf8(self.cell(index)).ok(),
            },
            Some(Cell::MapKey(m, k)) => m.text(self.row, k),
            Some(Cell::MapKeyOr(m, k, other)) => match m.text(self.row, k) {
                Some("") => self.text(*other),
                v => v,
            },
            Some(Cell::Set(_) | Cell::LazySet(..)) => std::str::from_utf8(self.cell(index)).ok(),
            Some(Cell::Absent) | None => Some(""),
        }
    }

    fn decimal(&self, index: usize) -> Option<rust_decimal::Decimal> {
        match self.cells.get(index) {
            Some(Cell::Double(_, values, _)) => values.get(self.row).copied().flatten(),
            _ => None,
        }
    }

    fn label_set(&self, index: usize) -> Option<&[u8]> {
        match self.cells.get(index) {
            Some(Cell::Set(_) | Cell::LazySet(..)) => Some(self.cell(index)),
            _ => None,
        }
    }
}

/// A DOUBLE column's values as exact Decimals, from the digits of their shortest
/// round-trip text (`money::f64_text`, read by `money::shortest_text_decimal`); None when null
/// or not finite.
///
/// A column's values repeat (rates, hourly costs of the same usage): each value's Decimal is
/// kept in a small table by its bits, so a repeated value is converted once.
fn double_values(v: &arrow_array::Float64Array) -> Vec<Option<rust_decimal::Decimal>> {
    const SLOTS: usize = 1 << 10;
    let mut buf = zmij::Buffer::new();
    // Slot by bits; an entry holds the bits it was converted from, so a slot shared by two
    // values only ever answers for its own.
    let mut seen: Vec<Option<(u64, Option<rust_decimal::Decimal>)>> = vec![None; SLOTS];
    (0..v.len())
        .map(|i| {
            let x = v.value(i);
            if !(v.is_valid(i) && x.is_finite()) {
                return None;
            }
            let bits = x.to_bits();
            let slot = (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize % SLOTS;
            match seen[slot] {
                Some((b, d)) if b == bits => d,
                _ => {
                    let d =
                        crate::money::shortest_text_decimal(&crate::money::f64_text(x, &mut buf))
                            .ok();
                    seen[slot] = Some((bits, d));
                    d
                }
            }
        })
        .collect()
}

/// A DOUBLE column's values as text (`money::f64_text`; NaN and infinities as `{}` writes
/// them, which the fold refuses; null empty), one span per row.
pub(super) struct DoubleText {
    text: Vec<u8>,
    spans: Vec<(u32, u32)>,
}

impl DoubleText {
    fn of(v: &arrow_array::Float64Array) -> Self {
        let mut text = Vec::new();
        let mut buf = zmij::Buffer::new();
        let spans = (0..v.len())
            .map(|i| {
                let from = text.len() as u32;
                if v.is_valid(i) {
                    let x = v.value(i);
                    if x.is_finite() {
                        text.extend_from_slice(crate::money::f64_text(x, &mut buf).as_bytes());
                    } else {
                        let _ = write!(DisplayInto(&mut text), "{x}");
                    }
                }
                (from, text.len() as u32)
            })
            .collect();
        DoubleText { text, spans }
    }

    fn get(&self, row: usize) -> &[u8] {
        self.spans
            .get(row)
            .and_then(|&(a, b)| self.text.get(a as usize..b as usize))
            .unwrap_or(b"")
    }
}

/// `fmt::Write` into a byte buffer.
struct DisplayInto<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for DisplayInto<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
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
            let mut buf = zmij::Buffer::new();
            each(&mut |i, s| {
                let x = v.value(i);
                if x.is_finite() {
                    s.push_str(&crate::money::f64_text(x, &mut buf));
                } else {
                    // NaN, inf: the fold refuses them by this text.
                    let _ = write!(s, "{x}");
                }
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

/// The type a column is asked for in: text as a dictionary of it, and a map's text keys
/// and values too (CUR 2.0's `product` map repeats a few hundred entries over millions of
/// rows); anything else as it is.
fn as_dictionary(t: &DataType) -> DataType {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 => {
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(t.clone()))
        }
        DataType::Map(entries, sorted) => match entries.data_type() {
            DataType::Struct(fields) => {
                let fields: arrow_schema::Fields = fields
                    .iter()
                    .map(|f| {
                        f.as_ref()
                            .clone()
                            .with_data_type(as_dictionary(f.data_type()))
                    })
                    .collect();
                DataType::Map(
                    std::sync::Arc::new(
                        entries
                            .as_ref()
                            .clone()
                            .with_data_type(DataType::Struct(fields)),
                    ),
                    *sorted,
                )
            }
            _ => t.clone(),
        },
        _ => t.clone(),
    }
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
    // The footer is decoded once; every reader (one per row group and worker) shares it.
    let metadata = builder.metadata().clone();
    // Text columns are asked for as dictionaries: a CUR's strings repeat (a few hundred
    // services, usage types, accounts over millions of rows) and are stored dictionary-encoded,
    // so each row then reads an index into a small table instead of a copied string.
    let hinted: Vec<arrow_schema::FieldRef> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| {
            std::sync::Arc::new(
                f.as_ref()
                    .clone()
                    .with_data_type(as_dictionary(f.data_type())),
            )
        })
        .collect();
    let options =
        parquet::arrow::arrow_reader::ArrowReaderOptions::new().with_schema(std::sync::Arc::new(
            arrow_schema::Schema::new_with_metadata(hinted, builder.schema().metadata().clone()),
        ));
    let metadata = parquet::arrow::arrow_reader::ArrowReaderMetadata::try_new(metadata, options)
        .map_err(|e| corrupt(path, e))?;
    let reader_for = |cols: &[usize], row_groups: Vec<usize>| {
        // Its own open file per reader: clones of one handle share the read position, which
        // two workers would move under each other.
        let file = std::fs::File::open(path).map_err(|e| CurError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let b = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata.clone());
        let mask = ProjectionMask::roots(b.parquet_schema(), cols.iter().copied());
        b.with_projection(mask)
            .with_row_groups(row_groups)
            .with_batch_size(BATCH)
            .build()
            .map_err(|e| corrupt(path, e))
    };

    let mut cur2_cols = None;
    if let Some(c) = cur2 {
        map = c.apply(map);
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
    let workers = groups.len().clamp(1, 2);
    let table = &folder;
    let table_map = &map;
    // Row groups are handed out one at a time, in file order, to whichever worker is free (row
    // groups differ in size: fixed halves left one worker idle at the end). A worker that
    // meets an error stops everyone taking more: every earlier row group has been taken by
    // then, so the first error of the file is still among those met.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let results: Vec<Result<u64, CurError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (projected, header, groups) = (&projected, &header, &groups);
                let cur2 = cur2_cols.as_deref();
                let (reader_for, next, stop) = (&reader_for, &next, &stop);
                scope.spawn(move || -> Result<u64, CurError> {
                    use std::sync::atomic::Ordering;
                    let mut fold = table.worker();
                    let mut signer = Signer::new(table_map, cur2, projected);
                    let mut run = || -> Result<(), CurError> {
                        while !stop.load(Ordering::Relaxed) {
                            let Some(&(group, first_row)) =
                                groups.get(next.fetch_add(1, Ordering::Relaxed))
                            else {
                                break;
                            };
                            // A row's number (for errors) is its group's first row plus its
                            // index.
                            let mut line = first_row;
                            for batch in reader_for(projected, vec![group])? {
                                let batch = batch.map_err(|e| corrupt(path, e))?;
                                fold_batch(
                                    path,
                                    header,
                                    &batch,
                                    projected,
                                    cur2,
                                    ncells,
                                    &mut line,
                                    signer.as_mut(),
                                    &mut |row, l, signature| match signature {
                                        Some((s, hash)) => fold.fold_signed(row, l, s, hash),
                                        None => fold.fold(row, l),
                                    },
                                )?;
                            }
                        }
                        Ok(())
                    };
                    let done = run();
                    if done.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    done.map(|()| fold.done())
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

/// The cell of a label map: built per row on demand when its keys and values are
/// dictionaries (the signer then reads its entries by id) and a slot is free, else built for
/// every row of the batch now.
fn label_cell<'a>(m: &'a Map<'a>, lazy: &mut usize, sets: &mut Vec<u8>) -> Cell<'a> {
    if *lazy < LAZY_SETS && m.dict().is_some() {
        *lazy += 1;
        Cell::LazySet(m, *lazy - 1)
    } else {
        Cell::Set(label_sets(m, sets))
    }
}

/// Each row's entries of a label map as one label-set cell (`fold::encode_label_set`),
/// written into `sets`; one span per row.
fn label_sets(m: &Map<'_>, sets: &mut Vec<u8>) -> Vec<(u32, u32)> {
    let mut text = Vec::new();
    let mut pairs = Vec::new();
    (0..m.array.len())
        .map(|row| {
            let from = sets.len() as u32;
            label_set_of(m, row, &mut text, &mut pairs, sets);
            (from, sets.len() as u32)
        })
        .collect()
}

/// Row `row`'s entries of a label map as one label-set cell, appended to `out` (`text` and
/// `pairs` are scratch).
fn label_set_of(
    m: &Map<'_>,
    row: usize,
    text: &mut Vec<u8>,
    pairs: &mut Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
    out: &mut Vec<u8>,
) {
    text.clear();
    pairs.clear();
    for j in m.entries(row) {
        let k_at = text.len();
        text.extend_from_slice(m.keys.get(j));
        let v_at = text.len();
        text.extend_from_slice(m.values.get(j));
        pairs.push((k_at..v_at, v_at..text.len()));
    }
    crate::cur::fold::encode_label_set(text, pairs, out);
}

/// A row's key-cell ids and their hash ([`Signer`]).
type Signature<'s> = (&'s [u32], u64);

/// What folds one row of a batch (with its line number, and its signature when signed).
type RowFold<'f> =
    dyn FnMut(&BatchRow<'_, '_>, u64, Option<Signature<'_>>) -> Result<(), CurError> + 'f;

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
    signer: Option<&mut Signer>,
    fold: &mut RowFold<'_>,
) -> Result<(), CurError> {
    let mut arena = Vec::new();
    let mut sets = Vec::new();
    let mut maps: Vec<(usize, Map<'_>)> = Vec::new();
    let mut focus_sets: Vec<(usize, Map<'_>)> = Vec::new();
    let mut cells: Vec<Cell<'_>> = (0..ncells).map(|_| Cell::Absent).collect();
    for (pos, &col) in projected.iter().enumerate() {
        let a = batch.column(pos);
        if cur2.is_none() && matches!(a.data_type(), DataType::Map(..)) {
            // Not CUR 2.0: a FOCUS tag map, handed over as the label-set cell the FOCUS row
            // adapter would build from the JSON object a FOCUS CSV holds (`Cells::label_set`).
            let strings = match a.data_type() {
                DataType::Map(entries, _) => match entries.data_type() {
                    DataType::Struct(f) if f.len() == 2 => f.iter().all(|f| match f.data_type() {
                        // Asked for as dictionaries (`as_dictionary`).
                        DataType::Dictionary(_, v) => super::focus::is_string_type(v),
                        t => super::focus::is_string_type(t),
                    }),
                    _ => false,
                },
                _ => false,
            };
            match Map::of(a.as_ref()).filter(|_| strings) {
                Some(m) => focus_sets.push((col, m)),
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
        if let Some(v) = a.as_any().downcast_ref::<arrow_array::Float64Array>() {
            cells[col] = Cell::Double(v, double_values(v), std::cell::OnceCell::new());
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
    // Label-set cells built lazily so far (slots of `BatchRow::made`).
    let mut lazy = 0;
    if let Some(c) = cur2 {
        // A map column written as something else (JSON text from a user's own SQL) is refused,
        // never read as empty.
        for col in [c.product, c.tags, c.cost_category, c.discount]
            .into_iter()
            .flatten()
        {
            if !maps.iter().any(|(m, _)| *m == col) {
                return Err(not_a_map(path, header, col));
            }
        }
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
        for (col, at) in [(c.tags, c.base + 2), (c.cost_category, c.base + 3)] {
            if let Some(m) = find(col) {
                cells[at] = label_cell(m, &mut lazy, &mut sets);
            }
        }
    }
    for (col, m) in &focus_sets {
        cells[*col] = label_cell(m, &mut lazy, &mut sets);
    }
    let arena_text = std::str::from_utf8(&arena).ok();
    let row_at = |row| BatchRow {
        cells: &cells,
        arena: &arena,
        arena_text,
        sets: &sets,
        row,
        made: Default::default(),
    };
    let rows = batch.num_rows();
    let signatures = signer.and_then(|s| s.sign(&cells, rows, &row_at));
    for row in 0..rows {
        *line += 1;
        let signature = signatures
            .as_ref()
            .map(|(ids, hashes, width)| (&ids[row * width..(row + 1) * width], hashes[row]));
        fold(&row_at(row), *line, signature)?;
    }
    Ok(())
}

/// The ids one worker's [`Signer`] gave the distinct values of one signature column.
type ValueIds = std::collections::HashMap<Box<[u8]>, u32, xxhash_rust::xxh3::Xxh3Builder>;

/// One dictionary-encoded text array of a batch (a column, or a map's keys or values): each
/// dictionary entry's id in a [`ValueIds`], looked up the first time a position uses it.
struct EntryIds<'t, 'a> {
    indices: &'a arrow_array::Int32Array,
    dictionary: &'t Text<'a>,
    of_entry: Vec<u32>,
    /// The id of an empty value (a null, or an index outside the dictionary).
    empty: Option<u32>,
}

impl<'t, 'a> EntryIds<'t, 'a> {
    fn new(indices: &'a arrow_array::Int32Array, dictionary: &'t Text<'a>) -> Self {
        EntryIds {
            indices,
            dictionary,
            of_entry: Vec::new(),
            empty: None,
        }
    }

    /// The dictionary entry at position `i`; None for a null or an index outside the
    /// dictionary (whose value [`Text::get`] reads as empty).
    fn entry(&self, i: usize) -> Option<usize> {
        self.indices
            .is_valid(i)
            .then(|| usize::try_from(self.indices.value(i)).ok())
            .flatten()
            .filter(|&k| k < self.dictionary.len())
    }

    /// The id of the value at position `i`: equal for equal bytes ([`Text::get`]).
    fn id(&mut self, i: usize, ids: &mut ValueIds, bytes: &mut usize) -> u32 {
        match self.entry(i) {
            Some(k) => {
                if self.of_entry.len() <= k {
                    self.of_entry.resize(self.dictionary.len(), u32::MAX);
                }
                if self.of_entry[k] == u32::MAX {
                    self.of_entry[k] = Signer::intern(ids, bytes, self.dictionary.get(k));
                }
                self.of_entry[k]
            }
            None => *self
                .empty
                .get_or_insert_with(|| Signer::intern(ids, bytes, b"")),
        }
    }
}

/// A dictionary-encoded map's keys and values ([`Map::dict`]).
struct MapDict<'t, 'a> {
    keys: EntryIds<'t, 'a>,
    values: EntryIds<'t, 'a>,
}

/// Ids of sequences of ids (a label map's entries, row by row): equal for equal sequences.
#[derive(Default)]
struct Sequences {
    table: hashbrown::HashTable<u32>,
    /// Sequence `i` is `ids[spans[i].0..spans[i].1]`, its hash `hashes[i]`.
    ids: Vec<u32>,
    spans: Vec<(u32, u32)>,
    hashes: Vec<u64>,
}

impl Sequences {
    fn id(&mut self, seq: &[u32], bytes: &mut usize) -> u32 {
        let hash = seq.iter().fold(seq.len() as u64, |h, &id| {
            (h.rotate_left(21) ^ u64::from(id)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        });
        let hash = hash ^ (hash >> 29);
        let (ids, spans, hashes) = (&mut self.ids, &mut self.spans, &self.hashes);
        if let Some(&i) = self.table.find(hash, |&i| {
            let (a, b) = spans[i as usize];
            hashes[i as usize] == hash && ids[a as usize..b as usize] == *seq
        }) {
            return i;
        }
        let i = spans.len() as u32;
        let from = ids.len() as u32;
        ids.extend_from_slice(seq);
        spans.push((from, ids.len() as u32));
        self.hashes.push(hash);
        *bytes += seq.len() * 4 + 32;
        let hashes = &self.hashes;
        self.table.insert_unique(hash, i, |&j| hashes[j as usize]);
        i
    }
}

/// Bytes of distinct key-cell values one worker's [`Signer`] keeps at most (its ids must
/// stay unique for the worker's whole file, so it stops rather than forgets).
const SIGNER_BYTES: usize = 32 << 20;

/// One worker's ids of key-cell values (`fold::memo`): each signature column's distinct
/// values get ids 0, 1, …, equal for equal bytes. A dictionary column's ids are found once
/// per dictionary entry of a batch, not per row.
pub(super) struct Signer {
    /// The header columns of a row's signature: every projected column but the value
    /// columns (`ColumnMap::value_columns`).
    columns: Vec<usize>,
    ids: Vec<ValueIds>,
    /// A label map's entry sequences, per column (used by [`Cell::LazySet`] columns only).
    sequences: Vec<Sequences>,
    bytes: usize,
    off: bool,
}

impl Signer {
    /// A signer for a file read with `projected`; None for pre-summed records (cubes). A CUR
    /// 2.0 file's map columns are signed by what the fold reads of them, the derived cells
    /// (product name, region, label sets).
    fn new(map: &ColumnMap, cur2: Option<&Cur2Columns>, projected: &[usize]) -> Option<Self> {
        if map.cube.is_some() || map.cur2.is_some() {
            return None;
        }
        let values = map.value_columns();
        let maps: Vec<usize> = cur2
            .map(|c| {
                [c.product, c.tags, c.cost_category, c.discount]
                    .into_iter()
                    .flatten()
                    .collect()
            })
            .unwrap_or_default();
        let mut columns: Vec<usize> = projected
            .iter()
            .copied()
            .filter(|c| !values.contains(c) && !maps.contains(c))
            .collect();
        if let Some(c) = cur2 {
            columns.extend(c.derived_cells());
        }
        Some(Signer {
            ids: columns.iter().map(|_| Default::default()).collect(),
            sequences: columns.iter().map(|_| Default::default()).collect(),
            columns,
            bytes: 0,
            off: false,
        })
    }

    fn intern(ids: &mut ValueIds, bytes: &mut usize, value: &[u8]) -> u32 {
        if let Some(&id) = ids.get(value) {
            return id;
        }
        let id = ids.len() as u32;
        *bytes += value.len() + 32;
        ids.insert(value.into(), id);
        id
    }

    /// Each row's signature, row after row (`rows` × width), each row's hash of it, and the
    /// width; None when the signer stopped.
    fn sign<'b, 'a: 'b>(
        &mut self,
        cells: &[Cell<'a>],
        rows: usize,
        row_at: &dyn Fn(usize) -> BatchRow<'b, 'a>,
    ) -> Option<(Vec<u32>, Vec<u64>, usize)> {
        if self.off {
            return None;
        }
        if self.bytes > SIGNER_BYTES {
            self.off = true;
            self.ids = Vec::new();
            self.sequences = Vec::new();
            return None;
        }
        let width = self.columns.len();
        let mut out = vec![0u32; rows * width];
        let mut seq = Vec::new();
        let mut unsigned = false;
        for (j, &col) in self.columns.iter().enumerate() {
            let ids = &mut self.ids[j];
            let bytes = &mut self.bytes;
            // A map value with a fallback (the region code) is signed by the map's own value
            // when the fallback cell is signed itself: the empty value's id then means "the
            // fallback cell's value".
            let map_value = match cells.get(col) {
                Some(Cell::MapKey(m, key)) => Some((*m, *key)),
                Some(Cell::MapKeyOr(m, key, other)) if self.columns.contains(other) => {
                    Some((*m, *key))
                }
                _ => None,
            };
            if let Some((m, key)) = map_value
                && sign_map_value(m, key, rows, &mut out[j..], width, ids, bytes)
            {
                continue;
            }
            match cells.get(col) {
                Some(Cell::Text(Text::Dict32(keys, values))) => {
                    let mut e = EntryIds::new(keys, values);
                    for row in 0..rows {
                        out[row * width + j] = e.id(row, ids, bytes);
                    }
                }
                Some(Cell::LazySet(m, _)) => {
                    // The row's entries as a sequence of (key id, value id): equal sequences
                    // give equal label sets. Keys and values share one id space.
                    let Some(MapDict {
                        keys: mut k,
                        values: mut v,
                    }) = m.dict()
                    else {
                        // `label_cell` makes a lazy cell of a dictionary map only.
                        unsigned = true;
                        break;
                    };
                    let sequences = &mut self.sequences[j];
                    for row in 0..rows {
                        seq.clear();
                        for e in m.entries(row) {
                            seq.push(k.id(e, ids, bytes));
                            seq.push(v.id(e, ids, bytes));
                        }
                        out[row * width + j] = sequences.id(&seq, bytes);
                    }
                }
                _ => {
                    // Cell by cell; a run of equal cells (a period, an empty column) is
                    // looked up once.
                    let mut last: Option<(&[u8], u32)> = None;
                    for row in 0..rows {
                        let cell = row_at(row).bytes(col);
                        let id = match last {
                            Some((v, id)) if v == cell => id,
                            _ => Self::intern(ids, bytes, cell),
                        };
                        out[row * width + j] = id;
                        last = Some((cell, id));
                    }
                }
            }
        }
        if unsigned {
            self.off = true;
            return None;
        }
        // Column by column into each row's hash, then mixed so both ends of it vary (the
        // table reads its low bits for the bucket and its high ones for the tag).
        let mut hashes = vec![0u64; rows];
        for j in 0..width {
            for (row, h) in hashes.iter_mut().enumerate() {
                *h = (h.rotate_left(21) ^ u64::from(out[row * width + j]))
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15);
            }
        }
        for h in &mut hashes {
            *h ^= *h >> 31;
            *h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            *h ^= *h >> 29;
        }
        Some((out, hashes, width))
    }
}

/// Signs a map value cell (`Map::get`: the value of a row's first entry under `key`) by the
/// map's entry ids: `out[row * width]` gets row `row`'s id, the empty value's id when it has
/// no such entry. False (nothing written) when the map is not dictionary-encoded: its cells
/// are then signed by their bytes.
fn sign_map_value(
    m: &Map<'_>,
    key: &[u8],
    rows: usize,
    out: &mut [u32],
    width: usize,
    ids: &mut ValueIds,
    bytes: &mut usize,
) -> bool {
    let Some(MapDict { keys, mut values }) = m.dict() else {
        return false;
    };
    // Per key dictionary entry: is it `key`? (0 not known yet, 1 no, 2 yes)
    let mut is_key = vec![0u8; keys.dictionary.len()];
    let mut empty = None;
    for row in 0..rows {
        let at = m.entries(row).find(|&e| match keys.entry(e) {
            Some(d) => {
                if is_key[d] == 0 {
                    is_key[d] = if keys.dictionary.get(d) == key { 2 } else { 1 };
                }
                is_key[d] == 2
            }
            // A null key reads as empty (`Text::get`).
            None => key.is_empty(),
        });
        out[row * width] = match at {
            Some(e) => values.id(e, ids, bytes),
            None => *empty.get_or_insert_with(|| Signer::intern(ids, bytes, b"")),
        };
    }
    true
}

/// Points cell `at` at cell `source` (a copy of its text view or spans).
fn region_only(cells: &mut [Cell<'_>], at: usize, source: usize) {
    let copy = match &cells[source] {
        Cell::Text(t) => Some(Cell::Text(t.view())),
        Cell::Written(s) => Some(Cell::Written(s.clone())),
        Cell::Double(v, values, _) => {
            Some(Cell::Double(v, values.clone(), std::cell::OnceCell::new()))
        }
        _ => None,
    };
    if let Some(c) = copy {
        cells[at] = c;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FOCUS `Tags` MAP handed over as a label set is the set the FOCUS adapter builds from
    /// the JSON object of the same map (as a FOCUS CSV holds it): escapes, a null and an empty
    /// value, a repeated key, unsorted keys, an empty map and a null row.
    #[test]
    fn a_tag_map_gives_the_label_set_of_its_json_object() {
        use arrow_array::builder::{MapBuilder, StringBuilder};
        let mut b = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
        let rows: [&[(&str, Option<&str>)]; 2] = [
            &[
                ("user:team", Some("we\"b\\")),
                ("env", None),
                ("a", Some("")),
                ("Zed", Some("z\u{e9}")),
            ],
            // A repeated key (plain text): the first entry, as a JSON object read in place.
            &[
                ("k", Some("first")),
                ("j", Some("v")),
                ("k", Some("second")),
            ],
        ];
        for row in rows {
            for &(k, v) in row {
                b.keys().append_value(k);
                match v {
                    Some(v) => b.values().append_value(v),
                    None => b.values().append_null(),
                }
            }
            b.append(true).expect("row");
        }
        b.append(true).expect("empty map");
        b.append(false).expect("null row");
        let a = b.finish();
        let m = Map::of(&a).expect("a map of strings");
        let mut sets = Vec::new();
        let spans = label_sets(&m, &mut sets);
        assert_eq!(spans.len(), 4);
        let names = vec!["Tags".to_string()];
        let path = Path::new("f.parquet");
        for (row, &(from, to)) in spans.iter().enumerate() {
            let mut json = String::new();
            assert!(super::super::focus::json_text(&a, row, &mut json));
            let (mut text, mut pairs, mut want) = (Vec::new(), Vec::new(), Vec::new());
            super::super::focus::object_label_set(
                path,
                &names,
                1,
                0,
                json.as_bytes(),
                &mut text,
                &mut pairs,
                &mut want,
            )
            .expect("valid JSON");
            assert_eq!(
                &sets[from as usize..to as usize],
                want.as_slice(),
                "row {row}"
            );
        }
        let set = |i: usize| &sets[spans[i].0 as usize..spans[i].1 as usize];
        let mut want = Vec::new();
        for (k, v) in [("Zed", "z\u{e9}"), ("user:team", "we\"b\\")] {
            for f in [k, v] {
                want.extend_from_slice(&(f.len() as u32).to_le_bytes());
                want.extend_from_slice(f.as_bytes());
            }
        }
        assert_eq!(set(0), want.as_slice());
        assert!(set(1).windows(5).any(|w| w == b"first"));
        assert!(!set(1).windows(6).any(|w| w == b"second"));
        assert!(set(2).is_empty() && set(3).is_empty());
    }

    /// A DOUBLE column's Decimals are those of each value's own text, however its values
    /// repeat or share a slot of the table of converted values: 20,000 values from a few
    /// hundred distinct ones (so slots are shared), nulls, NaN and infinities.
    #[test]
    fn repeated_doubles_convert_as_each_value_alone() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let distinct: Vec<f64> = (0..3000)
            .map(|i| match i % 3 {
                0 => (next() % 1_000_000) as f64 / 1000.0,
                1 => f64::from_bits(next() >> 2),
                _ => (next() % 10_000) as f64 * 0.0001,
            })
            .collect();
        let values: Vec<Option<f64>> = (0..20_000)
            .map(|i| match i % 97 {
                0 => None,
                1 => Some(f64::NAN),
                2 => Some(f64::NEG_INFINITY),
                _ => Some(distinct[(next() % distinct.len() as u64) as usize]),
            })
            .collect();
        let a = arrow_array::Float64Array::from(values.clone());
        let got = double_values(&a);
        let mut buf = zmij::Buffer::new();
        for (i, v) in values.iter().enumerate() {
            let want = v.filter(|x| x.is_finite()).and_then(|x| {
                crate::money::shortest_text_decimal(&crate::money::f64_text(x, &mut buf)).ok()
            });
            assert_eq!(got[i], want, "value {i}: {v:?}");
        }
    }
}
