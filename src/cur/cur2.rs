//! CUR 2.0 (AWS Data Exports, table `COST_AND_USAGE_REPORT`): the legacy Athena column names
//! plus four map columns, `product`, `resource_tags`, `cost_category` and `discount`
//! (cur_formats.md section 2). In CSV a map cell is a JSON object (`{"product_name":"Amazon
//! Elastic Compute Cloud","region":"us-east-1"}`); in Parquet it is a Parquet MAP, which the
//! Parquet reader hands over as the same JSON text.
//!
//! The static columns are located by [`ColumnMap::from_header`] like any legacy Athena header.
//! The values that live in maps are presented to the fold as *derived cells*: [`Cur2Row`]
//! parses a row's map cells once and shows the extracted values at column positions past the
//! header (`names.len()` onwards), where the [`ColumnMap`] points. The fold itself does not know
//! about maps.
//!
//! Derived cells, in order from `base = header.len()`:
//! - `base`: `product['product_name']` (the legacy `product/ProductName`);
//! - `base + 1`: `product['region']`, or the static `product_region_code` when the row's map
//!   has no `region` (as a legacy header without `product/region` falls back to
//!   `product/regionCode`);
//! - `base + 2`: the row's `resource_tags` entries, `base + 3`: its `cost_category` entries,
//!   each as one label-set cell ([`ColumnMap::label_sets`], encoded by
//!   `fold::encode_label_set`): a map's keys are not in the header and vary by row, so the
//!   cell carries keys and values together and the file is read once.
//!
//! Tag and cost-category keys are carried as AWS spells them in the map (`user_team`,
//! `business_unit`: the Athena-normalised form, the same key a legacy Parquet column
//! `resource_tags_user_team` carries; a legacy CSV carries `user:team`).

use super::CurError;
use super::columns::{ColumnMap, LabelKind, normalize_name};
use super::fold::Cells;
use std::cell::RefCell;
use std::path::Path;

/// The names of the CUR 2.0 map columns.
pub const MAP_COLUMNS: [&str; 4] = ["product", "resource_tags", "cost_category", "discount"];

/// True when a header (any spelling) is CUR 2.0: it holds at least one of the map columns by
/// its exact snake_case name, beside the CUR's own columns. (An export whose SQL selects no
/// map column reads like a legacy Athena table, and is read as one.)
pub fn is_cur2_header<S: AsRef<str>>(header: &[S]) -> bool {
    let has_map = header
        .iter()
        .any(|h| MAP_COLUMNS.contains(&h.as_ref().trim()));
    let has_cur = header.iter().any(|h| {
        matches!(
            h.as_ref().trim(),
            "bill_payer_account_id" | "line_item_unblended_cost" | "line_item_usage_account_id"
        )
    });
    has_map && has_cur
}

/// Where a CUR 2.0 file's map columns are, and the derived cells built from them.
#[derive(Debug, Clone)]
pub struct Cur2Columns {
    /// Columns of the file's header; derived cells start here.
    pub base: usize,
    /// The `product` map column.
    pub product: Option<usize>,
    /// The `resource_tags` map column.
    pub tags: Option<usize>,
    /// The `cost_category` map column.
    pub cost_category: Option<usize>,
    /// The `discount` map column: not read into the aggregate, but checked like the others
    /// (a cell that is not a JSON object is refused).
    pub discount: Option<usize>,
    /// The static `product_region_code` column (fallback for `product['region']`).
    pub region_code: Option<usize>,
}

/// Derived cells after the header: product name, region, tags, cost categories.
const DERIVED: usize = 4;

impl Cur2Columns {
    /// The map columns of a header, if it is CUR 2.0.
    pub fn locate(header: &[String]) -> Option<Self> {
        if !is_cur2_header(header) {
            return None;
        }
        let find = |n: &str| header.iter().position(|h| h.trim() == n);
        Some(Self {
            base: header.len(),
            product: find("product"),
            tags: find("resource_tags"),
            cost_category: find("cost_category"),
            discount: find("discount"),
            region_code: header
                .iter()
                .position(|h| normalize_name(h) == "product_region_code"),
        })
    }

    /// The header columns the derived cells are read from (for readers that project).
    pub fn sources(&self) -> impl Iterator<Item = usize> + '_ {
        [
            self.product,
            self.tags,
            self.cost_category,
            self.discount,
            self.region_code,
        ]
        .into_iter()
        .flatten()
    }

    /// The positions of the derived cells (product name, region, tag and cost-category label
    /// sets): what a row's map columns show the fold.
    pub fn derived_cells(&self) -> std::ops::Range<usize> {
        self.base..self.base + DERIVED
    }

    /// Points `map` at the derived cells: product name, region, and the label sets of the
    /// tag and cost-category maps.
    pub fn apply(self, mut map: ColumnMap) -> ColumnMap {
        let base = self.base;
        map.names.truncate(base);
        map.names.push("product['product_name']".into());
        map.names.push("product['region']".into());
        map.names.push("resource_tags".into());
        map.names.push("cost_category".into());
        map.product_name = Some(base);
        map.region = Some(base + 1);
        // Flattened map columns (`resource_tags_user_team`) are not expected beside the map,
        // but if a user's SQL aliases some, they keep working as plain labels.
        if self.tags.is_some() {
            map.label_sets.push((base + 2, LabelKind::Tag));
        }
        if self.cost_category.is_some() {
            map.label_sets.push((base + 3, LabelKind::CostCategory));
        }
        map.cur2 = Some(Box::new(self));
        map
    }
}

/// A row with its derived cells: header cells from the reader's row, derived ones from the
/// maps parsed once.
pub struct Cur2Row<'a, R> {
    row: &'a R,
    base: usize,
    extra: &'a [Vec<u8>],
}

impl<R: Cells> Cells for Cur2Row<'_, R> {
    fn cell(&self, index: usize) -> &[u8] {
        if index < self.base {
            self.row.cell(index)
        } else {
            self.extra
                .get(index - self.base)
                .map(Vec::as_slice)
                .unwrap_or(b"")
        }
    }

    fn text(&self, index: usize) -> Option<&str> {
        // The reader's own cells as it answers them (validated once per block or array).
        if index < self.base {
            self.row.text(index)
        } else {
            std::str::from_utf8(self.cell(index)).ok()
        }
    }

    fn decimal(&self, index: usize) -> Option<rust_decimal::Decimal> {
        // The derived cells are text (map entries, a label set): never numbers.
        if index < self.base {
            self.row.decimal(index)
        } else {
            None
        }
    }
}

/// Per-thread scratch, reused row after row: the derived cells, and a map's entries as byte
/// ranges of a text buffer (for [`crate::cur::fold::encode_label_set`]).
#[derive(Default)]
struct Scratch {
    cells: Vec<Vec<u8>>,
    text: Vec<u8>,
    pairs: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

fn bad_json(
    path: &Path,
    names: &[String],
    line: u64,
    col: usize,
    raw: &[u8],
    reason: String,
) -> CurError {
    CurError::BadCell {
        path: path.to_path_buf(),
        line,
        column: col + 1,
        name: names.get(col).cloned().unwrap_or_default(),
        value: String::from_utf8_lossy(raw).chars().take(80).collect(),
        reason,
    }
}

/// A map cell's entries. An empty cell, `\N` or `null` is an empty map; anything else must be
/// a JSON object. Values that are strings are taken as written, numbers and booleans as their
/// JSON text, `null` as empty, nested objects and arrays as their JSON text.
fn parse_map(
    path: &Path,
    names: &[String],
    line: u64,
    col: usize,
    raw: &[u8],
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, CurError> {
    let trimmed = raw.trim_ascii();
    if trimmed.is_empty() || trimmed == b"\\N" || trimmed.eq_ignore_ascii_case(b"null") {
        return Ok(None);
    }
    match serde_json::from_slice::<serde_json::Value>(trimmed) {
        Ok(serde_json::Value::Object(m)) => Ok(Some(m)),
        Ok(_) => Err(bad_json(
            path,
            names,
            line,
            col,
            raw,
            "is not a map: a CUR 2.0 map column holds a JSON object ({\"key\": \"value\", ...})"
                .into(),
        )),
        Err(e) => Err(bad_json(
            path,
            names,
            line,
            col,
            raw,
            format!("is not valid JSON ({e}); a CUR 2.0 map column holds a JSON object"),
        )),
    }
}

fn put_value(out: &mut Vec<u8>, v: &serde_json::Value) {
    out.clear();
    match v {
        serde_json::Value::Null => {}
        serde_json::Value::String(s) => out.extend_from_slice(s.as_bytes()),
        other => out.extend_from_slice(other.to_string().as_bytes()),
    }
}

/// A flat JSON object of plain strings (`{"k":"v","k2":null}`, no escapes), the form AWS
/// writes, parsed in place; `None` for anything else (then serde_json decides).
pub(super) fn fast_entries(t: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    let mut out = Vec::with_capacity(8);
    let mut i = 0;
    let ws = |i: &mut usize| {
        while *i < t.len() && t[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let string = |i: &mut usize| -> Option<&[u8]> {
        if t.get(*i) != Some(&b'"') {
            return None;
        }
        let from = *i + 1;
        let len = memchr::memchr2(b'"', b'\\', &t[from..])?;
        if t[from + len] != b'"' {
            return None;
        }
        *i = from + len + 1;
        Some(&t[from..from + len])
    };
    ws(&mut i);
    if t.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    ws(&mut i);
    if t.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            ws(&mut i);
            let k = string(&mut i)?;
            ws(&mut i);
            if t.get(i) != Some(&b':') {
                return None;
            }
            i += 1;
            ws(&mut i);
            let v: &[u8] = if t[i..].starts_with(b"null") {
                i += 4;
                b""
            } else {
                string(&mut i)?
            };
            out.push((k, v));
            ws(&mut i);
            match t.get(i) {
                Some(b',') => i += 1,
                Some(b'}') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    ws(&mut i);
    (i == t.len()).then_some(out)
}

/// Calls `f(key, value)` for each entry of a map cell (value text; empty for JSON null).
fn visit_map(
    path: &Path,
    names: &[String],
    line: u64,
    col: usize,
    raw: &[u8],
    mut f: impl FnMut(&[u8], &[u8]),
) -> Result<(), CurError> {
    let t = raw.trim_ascii();
    if t.is_empty() || t == b"\\N" || t.eq_ignore_ascii_case(b"null") {
        return Ok(());
    }
    if let Some(entries) = fast_entries(t) {
        for (k, v) in entries {
            f(k, v);
        }
        return Ok(());
    }
    if let Some(m) = parse_map(path, names, line, col, raw)? {
        let mut text = Vec::new();
        for (k, v) in &m {
            put_value(&mut text, v);
            f(k.as_bytes(), &text);
        }
    }
    Ok(())
}

/// Builds the derived cells of `row` and calls `f` with the row that shows them.
///
/// # Errors
/// A map cell that is not a JSON object (named by file, line, column and reason), or what `f`
/// returns.
pub fn with_row<R: Cells, T>(
    c: &Cur2Columns,
    path: &Path,
    names: &[String],
    row: &R,
    line: u64,
    f: impl FnOnce(&Cur2Row<'_, R>) -> Result<T, CurError>,
) -> Result<T, CurError> {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let Scratch { cells, text, pairs } = &mut *scratch;
        cells.resize_with(DERIVED, Vec::new);
        for cell in cells.iter_mut() {
            cell.clear();
        }
        let mut have_region = false;
        if let Some(col) = c.product {
            // A repeated key: its first entry counts, as in the label maps
            // (`fold::encode_label_set`) and a Parquet MAP (`parquet_columns`).
            let mut seen = [false; 2];
            visit_map(path, names, line, col, row.cell(col), |k, v| {
                let at = match k {
                    b"product_name" => 0,
                    b"region" => 1,
                    _ => return,
                };
                if std::mem::replace(&mut seen[at], true) {
                    return;
                }
                cells[at].clear();
                cells[at].extend_from_slice(v);
                if at == 1 {
                    have_region = !v.is_empty();
                }
            })?;
        }
        if !have_region && let Some(col) = c.region_code {
            cells[1].clear();
            cells[1].extend_from_slice(row.cell(col));
        }
        if let Some(col) = c.discount {
            visit_map(path, names, line, col, row.cell(col), |_, _| {})?;
        }
        for (col, at) in [(c.tags, 2), (c.cost_category, 3)] {
            let Some(col) = col else { continue };
            text.clear();
            pairs.clear();
            visit_map(path, names, line, col, row.cell(col), |k, v| {
                let k_at = text.len();
                text.extend_from_slice(k);
                let v_at = text.len();
                text.extend_from_slice(v);
                pairs.push((k_at..v_at, v_at..text.len()));
            })?;
            crate::cur::fold::encode_label_set(text, pairs, &mut cells[at]);
        }
        let adapted = Cur2Row {
            row,
            base: c.base,
            extra: cells,
        };
        f(&adapted)
    })
}

/// Completes a CSV header's column map: for CUR 2.0, points the map at the derived cells;
/// any other header is returned as is.
pub(super) fn complete_csv(map: ColumnMap) -> ColumnMap {
    if map.cube.is_some() {
        return map;
    }
    match Cur2Columns::locate(&map.names) {
        Some(c) => c.apply(map),
        None => map,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<String> {
        [
            "bill_payer_account_id",
            "line_item_usage_account_id",
            "bill_billing_period_start_date",
            "line_item_line_item_type",
            "line_item_product_code",
            "line_item_unblended_cost",
            "product_region_code",
            "product",
            "resource_tags",
            "cost_category",
        ]
        .map(String::from)
        .to_vec()
    }

    fn row(product: &str, tags: &str) -> Vec<String> {
        let mut r: Vec<String> = [
            "111111111111",
            "222222222222",
            "2026-10-01T00:00:00Z",
            "Usage",
            "AmazonEC2",
            "1.5",
            "eu-west-1",
        ]
        .map(String::from)
        .to_vec();
        r.push(product.into());
        r.push(tags.into());
        r.push(r#"{"business_unit":"Retail"}"#.into());
        r
    }

    fn map_for() -> ColumnMap {
        let h = header();
        let c = Cur2Columns::locate(&h).expect("a CUR 2.0 header");
        let map = ColumnMap::from_header(Path::new("x.csv"), &h).expect("columns");
        c.apply(map)
    }

    /// A label-set cell's pairs, decoded.
    fn pairs(mut cell: &[u8]) -> Vec<(String, String)> {
        let mut items = Vec::new();
        while !cell.is_empty() {
            let n = u32::from_le_bytes(cell[..4].try_into().unwrap()) as usize;
            items.push(String::from_utf8_lossy(&cell[4..4 + n]).to_string());
            cell = &cell[4 + n..];
        }
        items
            .chunks(2)
            .map(|kv| (kv[0].clone(), kv[1].clone()))
            .collect()
    }

    #[test]
    fn derived_cells_carry_product_name_region_and_labels() {
        let rows = [
            row(
                r#"{"product_name":"Amazon Elastic Compute Cloud","region":"us-east-1"}"#,
                r#"{"user_team":"web","user_env":null,"app":"shop","user_team":"second"}"#,
            ),
            row(r#"{"product_name":"Amazon S3"}"#, ""),
        ];
        let map = map_for();
        let c = map.cur2.as_deref().expect("cur2");
        assert_eq!(
            map.label_sets,
            vec![
                (c.base + 2, LabelKind::Tag),
                (c.base + 3, LabelKind::CostCategory)
            ]
        );
        let got = |r: &Vec<String>| {
            with_row(c, Path::new("x.csv"), &map.names, r, 2, |a| {
                Ok((
                    String::from_utf8_lossy(a.cell(map.product_name.unwrap_or(0))).to_string(),
                    String::from_utf8_lossy(a.cell(map.region.unwrap_or(0))).to_string(),
                    map.label_sets
                        .iter()
                        .map(|(i, _)| pairs(a.cell(*i)))
                        .collect::<Vec<_>>(),
                    String::from_utf8_lossy(a.cell(5)).to_string(),
                ))
            })
            .expect("row")
        };
        let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
        // Sorted by key, the first of a repeated key, no null value.
        assert_eq!(
            got(&rows[0]),
            (
                "Amazon Elastic Compute Cloud".into(),
                "us-east-1".into(),
                vec![
                    vec![kv("app", "shop"), kv("user_team", "web")],
                    vec![kv("business_unit", "Retail")]
                ],
                "1.5".into()
            )
        );
        // No region in the map: the static region code; no tags: an empty set.
        assert_eq!(
            got(&rows[1]),
            (
                "Amazon S3".into(),
                "eu-west-1".into(),
                vec![vec![], vec![kv("business_unit", "Retail")]],
                "1.5".into()
            )
        );
    }

    /// The same labels in another order, or written with escapes, are the same cell bytes: the
    /// same aggregate line.
    #[test]
    fn a_label_set_is_canonical() {
        let map = map_for();
        let c = map.cur2.as_deref().expect("cur2");
        let cell = |tags: &str| {
            let r = row("{}", tags);
            with_row(c, Path::new("x.csv"), &map.names, &r, 2, |a| {
                Ok(a.cell(c.base + 2).to_vec())
            })
            .expect("row")
        };
        let one = cell(r#"{"user_team":"web","app":"shop"}"#);
        assert_eq!(one, cell(r#"{"app":"shop","user_team":"web","x":""}"#));
        assert_eq!(one, cell(r#"{"app":"sh\u006fp","user_team":"web"}"#));
        assert_ne!(one, cell(r#"{"app":"shop"}"#));
        assert_eq!(cell(""), cell("{}"));
    }

    #[test]
    fn a_map_cell_that_is_not_json_names_line_column_and_reason() {
        let rows = [row(r#"{"product_name":"#, "")];
        let h = header();
        let c = Cur2Columns::locate(&h).expect("cur2");
        let e =
            with_row(&c, Path::new("x.csv"), &h, &rows[0], 7, |_| Ok(())).expect_err("bad JSON");
        let text = e.to_string();
        assert!(text.contains("x.csv: line 7, column 8 (product)"), "{text}");
        assert!(text.contains("not valid JSON"), "{text}");
        let rows = [row(r#"["a"]"#, "")];
        let e = with_row(&c, Path::new("x.csv"), &h, &rows[0], 3, |_| Ok(()))
            .expect_err("not an object");
        assert!(e.to_string().contains("is not a map"), "{e}");
    }

    #[test]
    fn the_fast_path_reads_what_serde_json_reads() {
        let cases: [&[u8]; 6] = [
            br#"{"a":"1","b":null}"#,
            br#" { "a" : "x, y" , "c":"" } "#,
            br#"{}"#,
            br#"{"a":"q\"uote"}"#,
            br#"{"n":1.50,"t":true}"#,
            br#"{"a":"1"} trailing"#,
        ];
        for raw in cases {
            let fast = fast_entries(raw.trim_ascii());
            let slow = serde_json::from_slice::<serde_json::Value>(raw.trim_ascii());
            match (fast, slow) {
                (Some(f), Ok(serde_json::Value::Object(m))) => {
                    let mut text = Vec::new();
                    let slow: Vec<(Vec<u8>, Vec<u8>)> = m
                        .iter()
                        .map(|(k, v)| {
                            put_value(&mut text, v);
                            (k.as_bytes().to_vec(), text.clone())
                        })
                        .collect();
                    let f: Vec<(Vec<u8>, Vec<u8>)> = f
                        .into_iter()
                        .map(|(k, v)| (k.to_vec(), v.to_vec()))
                        .collect();
                    assert_eq!(f, slow, "{}", String::from_utf8_lossy(raw));
                }
                // Escapes, numbers, booleans: left to serde_json; so is bad JSON.
                (None, _) => {}
                (Some(_), Err(e)) => panic!("fast path took bad JSON: {e}"),
                (Some(_), Ok(_)) => panic!("fast path took a non-object"),
            }
        }
        assert!(fast_entries(br#"{"a":"1"} trailing"#).is_none());
        assert_eq!(
            fast_entries(br#"{"a":"1","b":null}"#).map(|v| v.len()),
            Some(2)
        );
    }

    #[test]
    fn detection_needs_a_map_column_beside_cur_columns() {
        assert!(is_cur2_header(&header()));
        assert!(!is_cur2_header(&["product", "resource_tags"]));
        assert!(!is_cur2_header(&[
            "bill_payer_account_id",
            "line_item_unblended_cost"
        ]));
    }
}
