//! Parquet input. The import reads column-wise (`parquet_columns`); this module keeps the
//! entry point (panic containment, file opening) and the earlier row-wise reader, which turns
//! each row into text cells through the parquet crate's row API. The row reader is used only
//! when `PROFORMA_PARQUET_ROWS` is set: tests compare the two readers' aggregates with it
//! (tests/cur2.rs), so the column-wise reader is held to the values the row reader produced.
//! Legacy CUR "Athena integration" Parquet: snake_case columns, DOUBLE costs, TIMESTAMP dates;
//! CUR 2.0 Parquet: the same plus MAP columns (written as JSON text for `cur::cur2`).

use super::Format;
use super::columns::ColumnMap;
use super::cur2::Cur2Columns;
use super::fold::{CostExtract, Folder};
use super::{CurError, Source};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use parquet::schema::types::Type;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

/// Reads the file; returns what it held: legacy CUR, CUR 2.0 or a proforma cube (`cur::cube`).
pub(super) fn read(
    source: &Source,
    packer: Option<super::Packer<'_>>,
) -> Result<(CostExtract, Format), CurError> {
    let path = source.display_path();
    let file = match source {
        Source::File(p) => std::fs::File::open(p).map_err(|e| CurError::Io {
            path: path.clone(),
            source: e,
        })?,
        Source::Embedded { .. } => {
            return Err(CurError::Unsupported {
                path,
                detail: "embedded Parquet data is not supported; import it from a file".into(),
            });
        }
    };
    // The parquet crate can panic on some malformed files; a bad file must stay a clean error,
    // without a panic message on the terminal. Reading happens on the importing thread alone.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if std::env::var_os("PROFORMA_PARQUET_ROWS").is_some() {
            read_file(&path, file, packer)
        } else {
            super::parquet_columns::read_file(&path, file, packer)
        }
    }));
    std::panic::set_hook(hook);
    outcome.unwrap_or_else(|_| {
        Err(CurError::Corrupt {
            path: path.clone(),
            format: "Parquet",
            detail: "the file's structure could not be decoded".into(),
        })
    })
}

/// The column map of a Parquet file's header (CUR 2.0 map columns applied), its format, and
/// the indexes of the map columns read as text beside the primitive ones: nested columns
/// (lists, structs) are not CUR columns, but CUR 2.0 maps and FOCUS `Tags` / cost category
/// maps are read (as JSON text). What the import and the export's row reader both read.
///
/// # Errors
/// The header's ([`ColumnMap::from_header`]).
fn column_map(path: &Path, header: &[String]) -> Result<(ColumnMap, Format, Vec<usize>), CurError> {
    let mut map = ColumnMap::from_header(path, header)?;
    let (cur2, format) = kind(&map, header);
    if let Some(c) = cur2 {
        map = c.apply(map);
    }
    let mut map_cols: Vec<usize> = map
        .cur2
        .as_deref()
        .map(|c| c.sources().collect())
        .unwrap_or_default();
    if let Some(f) = map.focus.as_deref() {
        map_cols.extend([f.tags, f.cost_categories].into_iter().flatten());
    }
    Ok((map, format, map_cols))
}

/// What a Parquet file's header says it is (a proforma cube, CUR 2.0 with its map columns,
/// or legacy CUR), with CUR 2.0's map columns located: both Parquet readers ask.
pub(super) fn kind(map: &ColumnMap, header: &[String]) -> (Option<Cur2Columns>, Format) {
    let cur2 = if map.cube.is_none() {
        Cur2Columns::locate(header)
    } else {
        None
    };
    if let Some(f) = &map.focus {
        return (None, Format::FocusParquet(f.version));
    }
    let format = match (&map.cube, &cur2) {
        (Some(_), _) => Format::CubeParquet,
        (None, Some(_)) => Format::Cur2Parquet,
        (None, None) => Format::CurParquet,
    };
    (cur2, format)
}

fn corrupt(path: &Path, e: impl std::fmt::Display) -> CurError {
    CurError::Corrupt {
        path: path.to_path_buf(),
        format: "Parquet",
        detail: e.to_string(),
    }
}

fn read_file(
    path: &Path,
    file: std::fs::File,
    packer: Option<super::Packer<'_>>,
) -> Result<(CostExtract, Format), CurError> {
    let reader = SerializedFileReader::new(file).map_err(|e| corrupt(path, e))?;
    let root = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .root_schema()
        .clone();
    let fields: Vec<Arc<Type>> = root.get_fields().to_vec();
    let header: Vec<String> = fields.iter().map(|f| f.name().to_string()).collect();
    let (map, format, map_cols) = column_map(path, &header)?;
    let used = map.used_columns();
    let projected: Vec<usize> = used
        .into_iter()
        .filter(|&i| i < fields.len() && (fields[i].is_primitive() || map_cols.contains(&i)))
        .collect();
    let mut folder = Folder::new(&map, path).with_packer(packer);
    let mut cells: Vec<String> = vec![String::new(); header.len()];
    for_each_row(
        path,
        &reader,
        &root,
        &fields,
        &projected,
        &mut cells,
        |cells, line| folder.fold(cells, line),
    )?;
    Ok((folder.finish()?, format))
}

/// Calls `f` with each row's projected columns written as text into `cells` (other cells keep
/// their last value, and are not read).
fn for_each_row(
    path: &Path,
    reader: &SerializedFileReader<std::fs::File>,
    root: &Type,
    fields: &[Arc<Type>],
    projected: &[usize],
    cells: &mut Vec<String>,
    mut f: impl FnMut(&Vec<String>, u64) -> Result<(), CurError>,
) -> Result<(), CurError> {
    let projection = Type::group_type_builder(root.name())
        .with_fields(projected.iter().map(|&i| fields[i].clone()).collect())
        .build()
        .map_err(|e| corrupt(path, e))?;
    let rows = reader
        .get_row_iter(Some(projection))
        .map_err(|e| corrupt(path, e))?;
    for (n, row) in rows.enumerate() {
        let row = row.map_err(|e| corrupt(path, e))?;
        let line = n as u64 + 1;
        for (pos, (_, field)) in row.get_column_iter().enumerate() {
            let Some(&col) = projected.get(pos) else {
                break;
            };
            let cell = &mut cells[col];
            cell.clear();
            write_field(cell, field);
        }
        f(cells, line)?;
    }
    Ok(())
}

/// Text of a Parquet value as a CUR CSV would spell it. Doubles go through their shortest
/// round-trip text (SPEC 1.1), timestamps become ISO 8601 UTC.
fn write_field(out: &mut String, field: &Field) {
    // Writing to a String cannot fail.
    let _ = match field {
        Field::Null => Ok(()),
        Field::Str(s) => {
            out.push_str(s);
            Ok(())
        }
        // As the column-wise reader writes them (halfway doubles included).
        Field::Double(x) if x.is_finite() => {
            out.push_str(&crate::money::f64_text(*x, &mut zmij::Buffer::new()));
            Ok(())
        }
        Field::Double(x) => write!(out, "{x}"),
        Field::Float(x) => write!(out, "{x}"),
        Field::Int(x) => write!(out, "{x}"),
        Field::Long(x) => write!(out, "{x}"),
        Field::Short(x) => write!(out, "{x}"),
        Field::Byte(x) => write!(out, "{x}"),
        Field::UInt(x) => write!(out, "{x}"),
        Field::ULong(x) => write!(out, "{x}"),
        Field::UShort(x) => write!(out, "{x}"),
        Field::UByte(x) => write!(out, "{x}"),
        Field::Bool(x) => write!(out, "{x}"),
        Field::Decimal(d) => write!(out, "{}", decimal_text(d)),
        Field::TimestampMillis(ms) => {
            write_timestamp(out, chrono::DateTime::from_timestamp_millis(*ms))
        }
        Field::TimestampMicros(us) => {
            write_timestamp(out, chrono::DateTime::from_timestamp_micros(*us))
        }
        Field::Date(days) => {
            let d = chrono::DateTime::from_timestamp(i64::from(*days) * 86_400, 0);
            match d {
                Some(d) => write!(out, "{}", d.format("%Y-%m-%d")),
                None => write!(out, "invalid date {days}"),
            }
        }
        Field::Bytes(b) => {
            out.push_str(&String::from_utf8_lossy(b.data()));
            Ok(())
        }
        Field::MapInternal(m) => {
            write_map(out, m);
            Ok(())
        }
        other => write!(out, "{other}"),
    };
}

/// A Parquet MAP as the JSON object a CUR 2.0 CSV holds in the same cell (`cur::cur2`): keys
/// and values as text, null values as JSON null, a repeated key once (its first value).
fn write_map(out: &mut String, m: &parquet::record::Map) {
    let mut obj = serde_json::Map::new();
    let mut text = String::new();
    for (k, v) in m.entries() {
        text.clear();
        write_field(&mut text, k);
        let value = match v {
            Field::Null => serde_json::Value::Null,
            v => {
                let mut t = String::new();
                write_field(&mut t, v);
                serde_json::Value::String(t)
            }
        };
        // A repeated key (invalid in a Parquet MAP): its first entry counts, as the
        // column-wise reader and a CSV's JSON object have it.
        obj.entry(text.clone()).or_insert(value);
    }
    out.push_str(&serde_json::Value::Object(obj).to_string());
}

fn write_timestamp(out: &mut String, t: Option<chrono::DateTime<chrono::Utc>>) -> std::fmt::Result {
    match t {
        Some(t) => write!(out, "{}", t.format("%Y-%m-%dT%H:%M:%SZ")),
        None => write!(out, "invalid timestamp"),
    }
}

/// Parquet DECIMAL (unscaled big-endian integer and a scale) as plain text.
fn decimal_text(d: &parquet::data_type::Decimal) -> String {
    let bytes = d.data();
    if bytes.is_empty() || bytes.len() > 16 {
        return "invalid decimal".into();
    }
    let negative = bytes[0] & 0x80 != 0;
    let mut buf = [if negative { 0xff } else { 0 }; 16];
    buf[16 - bytes.len()..].copy_from_slice(bytes);
    let unscaled = i128::from_be_bytes(buf);
    match rust_decimal::Decimal::try_from_i128_with_scale(unscaled, d.scale().max(0) as u32) {
        Ok(v) => v.to_string(),
        Err(_) => "invalid decimal".into(),
    }
}

/// A Parquet cost file opened to read its raw rows (every column the row API can write as
/// text: primitive columns and CUR 2.0 maps), for line-level exports (`cur::rows`).
pub(super) struct ParquetRows {
    reader: SerializedFileReader<std::fs::File>,
    root: Type,
    fields: Vec<Arc<Type>>,
    /// The file's own column names.
    pub header: Vec<String>,
    /// The header mapped as the import maps it (CUR 2.0 map columns located).
    pub map: ColumnMap,
    projected: Vec<usize>,
    /// Rows in the file (from its footer).
    pub rows: u64,
}

/// Opens `source` for [`ParquetRows::for_each_row`].
pub(super) fn open_rows(source: &Source) -> Result<ParquetRows, CurError> {
    let path = source.display_path();
    let Source::File(p) = source else {
        return Err(CurError::Unsupported {
            path,
            detail: "embedded Parquet data is not supported; import it from a file".into(),
        });
    };
    let file = std::fs::File::open(p).map_err(|e| CurError::Io {
        path: path.clone(),
        source: e,
    })?;
    let reader = SerializedFileReader::new(file).map_err(|e| corrupt(&path, e))?;
    let meta = reader.metadata().file_metadata();
    let rows = u64::try_from(meta.num_rows()).unwrap_or(0);
    let root = meta.schema_descr().root_schema().clone();
    let fields: Vec<Arc<Type>> = root.get_fields().to_vec();
    let header: Vec<String> = fields.iter().map(|f| f.name().to_string()).collect();
    let (map, _, map_cols) = column_map(&path, &header)?;
    let projected: Vec<usize> = (0..fields.len())
        .filter(|&i| fields[i].is_primitive() || map_cols.contains(&i))
        .collect();
    Ok(ParquetRows {
        reader,
        root,
        fields,
        header,
        map,
        projected,
        rows,
    })
}

impl ParquetRows {
    /// Calls `f` with each row's cells as text (columns that are neither primitive nor a CUR
    /// 2.0 map stay empty) and its 1-based row number.
    pub(super) fn for_each_row(
        &self,
        path: &Path,
        f: impl FnMut(&Vec<String>, u64) -> Result<(), CurError>,
    ) -> Result<(), CurError> {
        let mut cells: Vec<String> = vec![String::new(); self.header.len()];
        for_each_row(
            path,
            &self.reader,
            &self.root,
            &self.fields,
            &self.projected,
            &mut cells,
            f,
        )
    }
}
