//! The sample rows as CUR 2.0 (Data Exports): the legacy sample CSV (src/sample.rs) rewritten
//! row by row, so the legacy and CUR 2.0 renderings hold the same rows (issue 11 item 5).
//!
//! Mapping (cur_formats.md section 2): every column gets its Athena snake_case name; product
//! attributes outside CUR 2.0's static set go into the `product` map (`product/ProductName` ->
//! `product['product_name']`, `product/region` -> `product['region']`); `resourceTags/user:team`
//! -> `resource_tags['user_team']`; `costCategory/BusinessUnit` ->
//! `cost_category['business_unit']`; other `discount/*` columns into the `discount` map. Empty
//! cells are left out of the maps. In CSV a map is a JSON object; in Parquet a MAP of strings,
//! amounts are DOUBLE and dates TIMESTAMP (milliseconds, UTC), as Data Exports writes them.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::Arc;

/// Product columns CUR 2.0 keeps at top level (cur_formats.md section 2), by Athena name.
const STATIC_PRODUCT: [&str; 19] = [
    "product_comment",
    "product_fee_code",
    "product_fee_description",
    "product_from_location",
    "product_from_location_type",
    "product_from_region_code",
    "product_instance_family",
    "product_instance_type",
    "product_instance_s_k_u",
    "product_location",
    "product_location_type",
    "product_operation",
    "product_product_family",
    "product_region_code",
    "product_servicecode",
    "product_sku",
    "product_to_location",
    "product_to_location_type",
    "product_to_region_code",
];

/// Where a legacy column goes in CUR 2.0.
#[derive(Debug, Clone)]
enum Target {
    /// A static column (index into the CUR 2.0 static columns).
    Static(usize),
    /// An entry of a map column (0 product, 1 resource_tags, 2 cost_category, 3 discount).
    Map(usize, String),
}

/// How a legacy header becomes CUR 2.0's.
struct Layout {
    statics: Vec<String>,
    targets: Vec<Target>,
}

fn layout(legacy: &[String]) -> Layout {
    use crate::cur::columns::normalize_name;
    let mut statics = Vec::new();
    let mut targets = Vec::new();
    for raw in legacy {
        let norm = normalize_name(raw);
        let target = if let Some(k) = raw.strip_prefix("resourceTags/") {
            Target::Map(1, normalize_name(k))
        } else if let Some(k) = raw.strip_prefix("costCategory/") {
            Target::Map(2, normalize_name(k))
        } else if let Some(k) = raw.strip_prefix("discount/") {
            let n = normalize_name(k);
            if n == "bundled_discount" || n == "total_discount" {
                statics.push(norm);
                Target::Static(statics.len() - 1)
            } else {
                Target::Map(3, n)
            }
        } else if let Some(k) = raw.strip_prefix("product/")
            && !STATIC_PRODUCT.contains(&norm.as_str())
        {
            Target::Map(0, normalize_name(k))
        } else {
            statics.push(norm);
            Target::Static(statics.len() - 1)
        };
        targets.push(target);
    }
    Layout { statics, targets }
}

/// One converted row: static cells and the four maps.
struct Cur2Row {
    statics: Vec<String>,
    maps: [BTreeMap<String, String>; 4],
}

fn convert(l: &Layout, rec: &csv::StringRecord) -> Cur2Row {
    let mut row = Cur2Row {
        statics: vec![String::new(); l.statics.len()],
        maps: Default::default(),
    };
    for (t, v) in l.targets.iter().zip(rec.iter()) {
        match t {
            Target::Static(i) => row.statics[*i] = v.to_string(),
            Target::Map(m, k) if !v.is_empty() => {
                row.maps[*m].insert(k.clone(), v.to_string());
            }
            Target::Map(..) => {}
        }
    }
    row
}

const MAPS: [&str; 4] = ["product", "resource_tags", "cost_category", "discount"];

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// Rewrites a legacy CUR CSV as a CUR 2.0 CSV (map cells as JSON objects). Returns the rows.
///
/// # Errors
/// Unreadable input CSV, or a write error.
pub fn legacy_to_cur2_csv(input: impl Read, out: impl Write) -> io::Result<u64> {
    let mut rdr = csv::Reader::from_reader(input);
    let header: Vec<String> = rdr
        .headers()
        .map_err(invalid)?
        .iter()
        .map(String::from)
        .collect();
    let l = layout(&header);
    let mut w = csv::Writer::from_writer(out);
    let mut names = l.statics.clone();
    names.extend(MAPS.iter().map(|s| s.to_string()));
    w.write_record(&names).map_err(invalid)?;
    let mut rows = 0;
    let mut rec = csv::StringRecord::new();
    while rdr.read_record(&mut rec).map_err(invalid)? {
        let r = convert(&l, &rec);
        let mut cells = r.statics;
        for m in &r.maps {
            cells.push(serde_json::to_string(m).map_err(invalid)?);
        }
        w.write_record(&cells).map_err(invalid)?;
        rows += 1;
    }
    w.flush()?;
    Ok(rows)
}

/// The Parquet type of a static column: amounts DOUBLE, dates TIMESTAMP, the rest strings.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Double,
    Time,
}

fn kind(name: &str) -> Kind {
    const NUMBERS: [&str; 7] = [
        "line_item_usage_amount",
        "line_item_unblended_rate",
        "line_item_unblended_cost",
        "pricing_public_on_demand_cost",
        "pricing_public_on_demand_rate",
        "savings_plan_savings_plan_effective_cost",
        "reservation_effective_cost",
    ];
    if NUMBERS.contains(&name) {
        Kind::Double
    } else if name.ends_with("_date") {
        Kind::Time
    } else {
        Kind::Text
    }
}

/// Rewrites a legacy CUR CSV as a CUR 2.0 Parquet file (snappy; maps as Parquet MAPs of
/// strings), `group_rows` rows per row group. Returns the rows.
///
/// # Errors
/// Unreadable input CSV, an amount or date that does not parse, or a write error.
pub fn legacy_to_cur2_parquet(
    input: impl Read,
    out: std::fs::File,
    group_rows: usize,
) -> io::Result<u64> {
    let group_rows = group_rows.max(1);
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    let mut rdr = csv::Reader::from_reader(input);
    let header: Vec<String> = rdr
        .headers()
        .map_err(invalid)?
        .iter()
        .map(String::from)
        .collect();
    let l = layout(&header);
    let kinds: Vec<Kind> = l.statics.iter().map(|n| kind(n)).collect();
    let mut schema = String::from("message cur2 {\n");
    for (n, k) in l.statics.iter().zip(&kinds) {
        let t = match k {
            Kind::Text => "binary",
            Kind::Double => "double",
            Kind::Time => "int64",
        };
        let ann = match k {
            Kind::Text => " (UTF8)",
            Kind::Double => "",
            Kind::Time => " (TIMESTAMP(MILLIS,true))",
        };
        schema.push_str(&format!("  optional {t} {n}{ann};\n"));
    }
    for m in MAPS {
        schema.push_str(&format!(
            "  optional group {m} (MAP) {{\n    repeated group key_value {{\n      \
             required binary key (UTF8);\n      optional binary value (UTF8);\n    }}\n  }}\n"
        ));
    }
    schema.push('}');
    let schema = Arc::new(parquet::schema::parser::parse_message_type(&schema).map_err(invalid)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    let mut writer = SerializedFileWriter::new(out, schema, props).map_err(invalid)?;
    let mut rows = 0u64;
    let mut group: Vec<Cur2Row> = Vec::with_capacity(group_rows.min(1 << 20));
    let mut rec = csv::StringRecord::new();
    loop {
        let more = rdr.read_record(&mut rec).map_err(invalid)?;
        if more {
            group.push(convert(&l, &rec));
            rows += 1;
        }
        if group.len() >= group_rows || (!more && !group.is_empty()) {
            write_group(&mut writer, &kinds, &group)?;
            group.clear();
        }
        if !more {
            break;
        }
    }
    writer.close().map_err(invalid)?;
    Ok(rows)
}

fn write_group(
    writer: &mut parquet::file::writer::SerializedFileWriter<std::fs::File>,
    kinds: &[Kind],
    group: &[Cur2Row],
) -> io::Result<()> {
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
    let mut rg = writer.next_row_group().map_err(invalid)?;
    // Leaves in schema order: the static columns, then key and value of each map.
    let mut leaf = 0usize;
    while let Some(mut col) = rg.next_column().map_err(invalid)? {
        if leaf < kinds.len() {
            let i = leaf;
            let mut defs = Vec::with_capacity(group.len());
            match kinds[i] {
                Kind::Text => {
                    let mut vals = Vec::new();
                    for r in group {
                        let v = &r.statics[i];
                        defs.push(i16::from(!v.is_empty()));
                        if !v.is_empty() {
                            vals.push(ByteArray::from(v.as_bytes().to_vec()));
                        }
                    }
                    col.typed::<ByteArrayType>()
                        .write_batch(&vals, Some(&defs), None)
                        .map_err(invalid)?;
                }
                Kind::Double => {
                    let mut vals = Vec::new();
                    for r in group {
                        let v = r.statics[i].trim();
                        defs.push(i16::from(!v.is_empty()));
                        if !v.is_empty() {
                            vals.push(v.parse::<f64>().map_err(|e| invalid(format!("{v}: {e}")))?);
                        }
                    }
                    col.typed::<DoubleType>()
                        .write_batch(&vals, Some(&defs), None)
                        .map_err(invalid)?;
                }
                Kind::Time => {
                    let mut vals = Vec::new();
                    for r in group {
                        let v = r.statics[i].trim();
                        defs.push(i16::from(!v.is_empty()));
                        if !v.is_empty() {
                            let t = chrono::DateTime::parse_from_rfc3339(v)
                                .map_err(|e| invalid(format!("{v}: {e}")))?;
                            vals.push(t.timestamp_millis());
                        }
                    }
                    col.typed::<Int64Type>()
                        .write_batch(&vals, Some(&defs), None)
                        .map_err(invalid)?;
                }
            }
        } else {
            let m = (leaf - kinds.len()) / 2;
            let is_key = (leaf - kinds.len()) % 2 == 0;
            let (mut vals, mut defs, mut reps) = (Vec::new(), Vec::new(), Vec::new());
            for r in group {
                let map = &r.maps[m];
                if map.is_empty() {
                    // A present, empty map.
                    defs.push(1);
                    reps.push(0);
                }
                for (j, (k, v)) in map.iter().enumerate() {
                    reps.push(i16::from(j > 0));
                    defs.push(if is_key { 2 } else { 3 });
                    let text = if is_key { k } else { v };
                    vals.push(ByteArray::from(text.as_bytes().to_vec()));
                }
            }
            col.typed::<ByteArrayType>()
                .write_batch(&vals, Some(&defs), Some(&reps))
                .map_err(invalid)?;
        }
        col.close().map_err(invalid)?;
        leaf += 1;
    }
    rg.close().map_err(invalid)?;
    Ok(())
}
