//! The proforma cube: proforma's aggregate computed where a large CUR lives (Athena, Trino,
//! Spark, DuckDB) by the SQL `proforma cube-sql` prints, and imported back as a delivery
//! (issue 10 item 6). This module owns the cube's columns: the SQL that writes them and the
//! header reader that maps them onto a [`ColumnMap`], so the rows feed the same fold as a CUR
//! (`fold/cube.rs` takes counts and sums from the columns).
//!
//! A cube holds two kinds of record, told by the `record` column:
//! - `line`: one aggregate line (the key of [`super::LineKey`] plus the currency) with its
//!   sums: `row_count` CUR rows, `usage_amount`, `unblended_cost`, `public_cost` (SPEC 4.2,
//!   with its fallback), `no_public_price_rows`, Savings Plans and RI effective cost;
//! - `day`: one (period, payer, usage account, usage day) of the daily series with its rows,
//!   `billable_cost` (unblended cost of every line item type but `Tax`), `tax_cost` and public
//!   cost.
//!
//! Public cost: a row's public cost is its `pricing/publicOnDemandCost`, else usage amount x
//! `pricing/publicOnDemandRate`, else its unblended cost. The SQL never multiplies (decimal
//! multiplication types differ between engines and can round silently in Spark): rows that need
//! amount x rate are grouped by that rate (`public_rate`), their `public_cost` cell is left
//! empty, and the import multiplies the summed amount by the rate, exactly as it does per row.

use super::CurError;
use super::columns::{ColumnMap, LabelKind, normalize_name};
use std::path::Path;

/// The header column whose presence makes a file a proforma cube; its value is [`VERSION`].
pub const MARKER: &str = "proforma_cube";
/// The cube layout this proforma writes and reads.
pub const VERSION: &str = "1";
/// The decimal type every amount is summed in (see README "Running the aggregation on Athena").
pub const DECIMAL: &str = "DECIMAL(38, 20)";
/// Prefix of a tag column: `tag/` and the tag key, percent-encoded (see [`encode_key`]).
pub const TAG_PREFIX: &str = "tag/";
/// Prefix of a cost category column: `cost_category/` and the name, percent-encoded.
pub const COST_CATEGORY_PREFIX: &str = "cost_category/";

/// The fixed columns of a cube, in the order the SQL writes them.
pub const COLUMNS: [&str; 26] = [
    MARKER,
    "record",
    "billing_period",
    "payer_account_id",
    "usage_account_id",
    "usage_date",
    "currency",
    "billing_entity",
    "product_code",
    "product_name",
    "usage_type",
    "operation",
    "line_item_type",
    "region",
    "commitment_owner",
    "free_on_bill",
    "public_rate",
    "row_count",
    "usage_amount",
    "unblended_cost",
    "public_cost",
    "no_public_price_rows",
    "savings_plan_effective_cost",
    "reservation_effective_cost",
    "billable_cost",
    "tax_cost",
];

/// Where the cube-only columns sit in a cube's header (the others map onto [`ColumnMap`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CubeColumns {
    pub version: usize,
    pub record: usize,
    pub rows: usize,
    pub no_public_price_rows: usize,
    pub owner: usize,
    pub free_on_bill: usize,
    pub billable: usize,
    pub tax: usize,
}

/// Writes a tag key or cost category name into a column name that survives any engine:
/// bytes other than `a-z 0-9 _ . -` become `%` and two lower-case hex digits, so an engine
/// that lower-cases result column names (Trino may) cannot change the key.
pub fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 8);
    for b in key.bytes() {
        if b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

/// Reads back [`encode_key`] (hex digits in either case). None when malformed or not UTF-8.
pub fn decode_key(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i].to_ascii_lowercase());
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|s| !s.is_empty())
}

/// True when a header (as read, in its own spelling) is a proforma cube's.
pub fn is_cube_header<S: AsRef<str>>(header: &[S]) -> bool {
    header
        .iter()
        .any(|h| h.as_ref().trim().eq_ignore_ascii_case(MARKER))
}

/// Locates a cube's columns: every fixed column must be there once, every other column must
/// be a tag or cost category column. Errors name the file and the column.
pub fn column_map(path: &Path, header: &[String]) -> Result<ColumnMap, CurError> {
    let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let mut labels = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    for (i, raw) in names.iter().enumerate() {
        let lower = raw.to_ascii_lowercase();
        if let Some(first) = seen.insert(lower.clone(), i) {
            return Err(CurError::DuplicateColumn {
                path: path.to_path_buf(),
                name: raw.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
        if COLUMNS.contains(&lower.as_str()) {
            continue;
        }
        let label = if let Some(k) = lower.strip_prefix(TAG_PREFIX) {
            Some((LabelKind::Tag, k))
        } else {
            lower
                .strip_prefix(COST_CATEGORY_PREFIX)
                .map(|k| (LabelKind::CostCategory, k))
        };
        let Some((kind, encoded)) = label else {
            return Err(CurError::BadCell {
                path: path.to_path_buf(),
                line: 1,
                column: i + 1,
                name: "header".into(),
                value: raw.chars().take(80).collect(),
                reason: format!(
                    "is not a proforma cube column (cube version {VERSION}: {}, and \
                     {TAG_PREFIX}KEY or {COST_CATEGORY_PREFIX}NAME columns)",
                    COLUMNS.join(", ")
                ),
            });
        };
        let key = decode_key(encoded).ok_or_else(|| CurError::BadCell {
            path: path.to_path_buf(),
            line: 1,
            column: i + 1,
            name: "header".into(),
            value: raw.chars().take(80).collect(),
            reason: "is not a readable tag or cost category column (the key is written with \
                     %XX escapes for bytes other than a-z, 0-9, _, . and -)"
                .into(),
        })?;
        labels.push((i, kind, key));
    }
    let find = |n: &str| names.iter().position(|x| x.eq_ignore_ascii_case(n));
    let missing: Vec<String> = COLUMNS
        .iter()
        .filter(|c| find(c).is_none())
        .map(|c| (*c).to_string())
        .collect();
    if !missing.is_empty() {
        return Err(CurError::MissingColumns {
            path: path.to_path_buf(),
            columns: missing,
        });
    }
    // Every fixed column was found just above.
    let at = |n: &str| find(n).unwrap_or(usize::MAX);
    Ok(ColumnMap {
        payer: at("payer_account_id"),
        account: at("usage_account_id"),
        period_start: at("billing_period"),
        line_item_type: at("line_item_type"),
        product_code: at("product_code"),
        unblended_cost: at("unblended_cost"),
        billing_entity: Some(at("billing_entity")),
        usage_type: Some(at("usage_type")),
        operation: Some(at("operation")),
        usage_amount: Some(at("usage_amount")),
        // The free-on-bill flag and the owner come computed (`free_on_bill`,
        // `commitment_owner`); the rate and the ARNs are not in a cube.
        unblended_rate: None,
        public_cost: Some(at("public_cost")),
        public_rate: Some(at("public_rate")),
        product_name: Some(at("product_name")),
        region: Some(at("region")),
        reservation_arn: None,
        savings_plan_arn: None,
        sp_effective_cost: Some(at("savings_plan_effective_cost")),
        ri_effective_cost: Some(at("reservation_effective_cost")),
        usage_start: Some(at("usage_date")),
        currency: Some(at("currency")),
        // A cube holds no invoice columns: its deliveries tie out per payer (README
        // "Month-end close").
        invoice_id: None,
        invoicing_entity: None,
        labels,
        label_sets: Vec::new(),
        cur2: None,
        focus: None,
        cube: Some(CubeColumns {
            version: at(MARKER),
            record: at("record"),
            rows: at("row_count"),
            no_public_price_rows: at("no_public_price_rows"),
            owner: at("commitment_owner"),
            free_on_bill: at("free_on_bill"),
            billable: at("billable_cost"),
            tax: at("tax_cost"),
        }),
        names,
    })
}

/// Refuses a cube whose day records name a (period, payer, usage account) that no line record
/// has: every CUR row is in a line, so such a file was not written by the SQL, and its days
/// would land in a delivery they do not belong to.
pub fn check_days_have_lines(path: &Path, extract: &super::CostExtract) -> Result<(), CurError> {
    let accounts: std::collections::HashSet<(crate::period::BillingPeriod, &str, &str)> = extract
        .lines
        .iter()
        .map(|a| (a.period, &*a.payer, &*a.account))
        .collect();
    let mut orphans: Vec<String> = extract
        .daily
        .keys()
        .filter(|d| !accounts.contains(&(d.period, &*d.payer, &*d.account)))
        .map(|d| format!("{} payer {} account {}", d.period, d.payer, d.account))
        .collect();
    if orphans.is_empty() {
        return Ok(());
    }
    orphans.sort();
    orphans.dedup();
    Err(CurError::NotCostData {
        path: path.to_path_buf(),
        reason: format!(
            "a proforma cube whose day records name accounts no line record has ({}): it was \
             not written by `proforma cube-sql`'s query, or lost records",
            crate::text::list_some(&orphans, 3)
        ),
    })
}

/// The query engine the SQL is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Amazon Athena (engine version 3, Trino SQL).
    Athena,
    Trino,
    /// Spark SQL 3.3 or later (Databricks, EMR, Glue).
    Spark,
    DuckDb,
}

/// The table the SQL reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// Legacy CUR with Athena column names (`line_item_unblended_cost`,
    /// `resource_tags_user_team`): the Athena integration's table.
    Legacy,
    /// CUR 2.0 (Data Exports): the same static columns, product name and region in the
    /// `product` map, tags in `resource_tags`, cost categories in `cost_category`.
    Cur2,
}

/// What `cube-sql` was asked for.
#[derive(Debug, Clone)]
pub struct SqlSpec {
    pub dialect: Dialect,
    pub format: SourceFormat,
    /// Table name, optionally qualified (`db.table`); each part is quoted.
    pub table: String,
    /// Tag keys to carry, spelled as the workspace's configuration spells them (`user:team`).
    pub tags: Vec<String>,
    /// Cost category names to carry (`BusinessUnit`).
    pub cost_categories: Vec<String>,
    /// Optional source columns the table lacks (a legacy CUR table has only the columns its
    /// report had): read as NULL, as the import reads a CSV without them. Athena names
    /// (`savings_plan_savings_plan_a_r_n`, `resource_tags_user_team`).
    pub absent: Vec<String>,
}

/// The source columns the import requires (SPEC 1.1): never absent.
const REQUIRED_SOURCE: [&str; 6] = [
    "bill_payer_account_id",
    "line_item_usage_account_id",
    "bill_billing_period_start_date",
    "line_item_line_item_type",
    "line_item_product_code",
    "line_item_unblended_cost",
];

/// The source columns read when present.
const OPTIONAL_SOURCE: [&str; 15] = [
    "bill_billing_entity",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_usage_amount",
    "line_item_unblended_rate",
    "pricing_public_on_demand_cost",
    "pricing_public_on_demand_rate",
    "product_product_name",
    "product_region",
    "reservation_reservation_a_r_n",
    "savings_plan_savings_plan_a_r_n",
    "savings_plan_savings_plan_effective_cost",
    "reservation_effective_cost",
    "line_item_usage_start_date",
    "line_item_currency_code",
];

/// Why no SQL could be written.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    #[error("--table '{0}': a table name needs a non-empty name in each dotted part")]
    BadTable(String),
    #[error("an empty {0} key cannot be carried")]
    EmptyKey(&'static str),
    #[error("--absent {0}: this column is required (it may be empty, but it must be there)")]
    RequiredAbsent(String),
    #[error("--absent {name}: not a column the SQL reads; it reads {known}")]
    UnknownAbsent { name: String, known: String },
    #[error(
        "{kind} '{key}' gives the column name '{column}' that {other} '{other_key}' gives too; the two cannot be told apart in the CUR table"
    )]
    KeyClash {
        kind: &'static str,
        key: String,
        column: String,
        other: &'static str,
        other_key: String,
    },
}

impl Dialect {
    fn text_type(self) -> &'static str {
        match self {
            Dialect::Spark => "STRING",
            _ => "VARCHAR",
        }
    }

    fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A string literal. Spark reads backslash escapes in literals, the others do not.
    fn lit(self, s: &str) -> String {
        match self {
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// True when `expr` matches the regular expression (searched, not anchored).
    fn matches(self, expr: &str, pattern: &str) -> String {
        let p = self.lit(pattern);
        match self {
            Dialect::Athena | Dialect::Trino => format!("regexp_like({expr}, {p})"),
            Dialect::DuckDb => format!("regexp_matches({expr}, {p})"),
            Dialect::Spark => format!("({expr} RLIKE {p})"),
        }
    }

    /// A map's value for a key, NULL when the key is absent.
    fn map_get(self, map: &str, key: &str) -> String {
        let m = self.ident(map);
        let k = self.lit(key);
        match self {
            Dialect::Athena | Dialect::Trino => format!("element_at({m}, {k})"),
            Dialect::DuckDb => format!("map_extract_value({m}, {k})"),
            Dialect::Spark => format!("try_element_at({m}, {k})"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Dialect::Athena => "Amazon Athena (engine version 3)",
            Dialect::Trino => "Trino",
            Dialect::Spark => "Spark SQL 3.3 or later",
            Dialect::DuckDb => "DuckDB",
        }
    }
}

/// One source column of the CUR table: its expression in the table's format.
fn source(spec: &SqlSpec, legacy: &str, cur2_product_key: Option<&str>) -> String {
    if spec.absent.iter().any(|a| a == legacy) {
        return "NULL".into();
    }
    match (spec.format, cur2_product_key) {
        (SourceFormat::Cur2, Some(key)) => spec.dialect.map_get("product", key),
        _ => spec.dialect.ident(legacy),
    }
}

/// The SQL that computes the cube from a CUR table. The result's header is the cube's
/// ([`COLUMNS`] and one column per tag and cost category); every value is text, every amount
/// an exact [`DECIMAL`] sum printed as text, so nothing passes through a double.
///
/// # Errors
/// An unusable table name, an empty key, two keys that name the same CUR column, or an
/// `absent` column that is required or not read.
pub fn sql(spec: &SqlSpec) -> Result<String, SqlError> {
    let d = spec.dialect;
    let parts: Vec<&str> = spec.table.split('.').collect();
    if parts.iter().any(|p| p.trim().is_empty()) {
        return Err(SqlError::BadTable(spec.table.clone()));
    }
    let table = parts
        .iter()
        .map(|p| d.ident(p.trim()))
        .collect::<Vec<_>>()
        .join(".");

    // (kind, key as carried, expression, cube column, source column).
    let mut labels: Vec<(&'static str, String, String, String, String)> = Vec::new();
    let mut keys: Vec<(LabelKind, &String)> = Vec::new();
    keys.extend(spec.tags.iter().map(|k| (LabelKind::Tag, k)));
    keys.extend(
        spec.cost_categories
            .iter()
            .map(|k| (LabelKind::CostCategory, k)),
    );
    for (kind, key) in keys {
        let kind_name = match kind {
            LabelKind::Tag => "tag",
            LabelKind::CostCategory => "cost category",
        };
        if key.trim().is_empty() {
            return Err(SqlError::EmptyKey(kind_name));
        }
        let norm = normalize_name(key);
        let (column, expr, cube_col) = match (kind, spec.format) {
            (LabelKind::Tag, SourceFormat::Legacy) => {
                let c = format!("resource_tags_{norm}");
                (
                    c.clone(),
                    d.ident(&c),
                    format!("{TAG_PREFIX}{}", encode_key(key)),
                )
            }
            (LabelKind::CostCategory, SourceFormat::Legacy) => {
                let c = format!("cost_category_{norm}");
                (
                    c.clone(),
                    d.ident(&c),
                    format!("{COST_CATEGORY_PREFIX}{}", encode_key(key)),
                )
            }
            (LabelKind::Tag, SourceFormat::Cur2) => (
                format!("resource_tags['{norm}']"),
                d.map_get("resource_tags", &norm),
                format!("{TAG_PREFIX}{}", encode_key(key)),
            ),
            (LabelKind::CostCategory, SourceFormat::Cur2) => (
                format!("cost_category['{norm}']"),
                d.map_get("cost_category", &norm),
                format!("{COST_CATEGORY_PREFIX}{}", encode_key(key)),
            ),
        };
        if let Some(other) = labels.iter().find(|l| l.4 == column) {
            if other.1 == *key && other.0 == kind_name {
                continue; // the same key given twice
            }
            return Err(SqlError::KeyClash {
                kind: kind_name,
                key: key.clone(),
                column,
                other: other.0,
                other_key: other.1.clone(),
            });
        }
        let expr = if spec.absent.contains(&column) {
            "NULL".to_string()
        } else {
            expr
        };
        labels.push((kind_name, key.clone(), expr, cube_col, column));
    }
    for name in &spec.absent {
        if REQUIRED_SOURCE.contains(&name.as_str()) {
            return Err(SqlError::RequiredAbsent(name.clone()));
        }
        if !OPTIONAL_SOURCE.contains(&name.as_str()) && !labels.iter().any(|l| l.4 == *name) {
            let mut known: Vec<&str> = OPTIONAL_SOURCE.to_vec();
            known.extend(labels.iter().map(|l| l.4.as_str()));
            return Err(SqlError::UnknownAbsent {
                name: name.clone(),
                known: known.join(", "),
            });
        }
    }

    let text = d.text_type();
    let as_text = |e: &str| format!("CAST({e} AS {text})");
    let null_spellings = format!(
        "({{v}} IS NULL OR {{v}} = {} OR lower({{v}}) = {})",
        d.lit("\\N"),
        d.lit("null")
    );
    let is_null = |v: &str| null_spellings.replace("{v}", v);
    // Key text: NULL, `\N` and `null` (any case) read as empty, everything else as written.
    let key_text = |v: &str| format!("CASE WHEN {} THEN '' ELSE {v} END", is_null(v));
    // A number cell: empty, blank, `\N` or `null` is NULL, anything else must be a number.
    let num = |v: &str| {
        format!(
            "CASE WHEN {v} IS NULL OR trim({v}) IN ('', {}) OR lower(trim({v})) = {} THEN NULL \
             ELSE CAST(trim({v}) AS {DECIMAL}) END",
            d.lit("\\N"),
            d.lit("null")
        )
    };
    let zero = format!("CAST(0 AS {DECIMAL})");
    let usage = d.lit("Usage");
    let tax = d.lit("Tax");

    let mut s = String::new();
    let w = |s: &mut String, line: &str| {
        s.push_str(line);
        s.push('\n');
    };
    w(
        &mut s,
        &format!(
            "-- proforma cube version {VERSION}: proforma's aggregate of a {} table, for {}.",
            match spec.format {
                SourceFormat::Legacy => "legacy CUR (Athena column names)",
                SourceFormat::Cur2 => "CUR 2.0 (Data Exports)",
            },
            d.name()
        ),
    );
    w(
        &mut s,
        "-- Save the result as CSV (or Parquet) and import it: proforma import WORKSPACE FILE",
    );
    w(
        &mut s,
        &format!("-- Amounts are summed as {DECIMAL} and written as text: exact, never a double."),
    );
    if d == Dialect::Spark {
        w(
            &mut s,
            "-- Run with spark.sql.ansi.enabled=true (the default from Spark 4.0), so that a \
             number cell that is not a number, or a sum that overflows, fails the query.",
        );
    }
    if labels.is_empty() {
        w(&mut s, "-- Tags and cost categories carried: none.");
    } else {
        let list: Vec<String> = labels
            .iter()
            .map(|l| format!("{} {}", l.0, l.1.replace(['\n', '\r'], " ")))
            .collect();
        w(
            &mut s,
            &format!("-- Tags and cost categories carried: {}.", list.join(", ")),
        );
    }
    w(&mut s, "WITH src AS (");
    w(&mut s, "  SELECT");
    let raw_cols: [(&str, String); 21] = [
        (
            "period",
            source(spec, "bill_billing_period_start_date", None),
        ),
        ("payer", source(spec, "bill_payer_account_id", None)),
        ("account", source(spec, "line_item_usage_account_id", None)),
        ("lit", source(spec, "line_item_line_item_type", None)),
        ("product_code", source(spec, "line_item_product_code", None)),
        ("unblended", source(spec, "line_item_unblended_cost", None)),
        ("billing_entity", source(spec, "bill_billing_entity", None)),
        ("usage_type", source(spec, "line_item_usage_type", None)),
        ("operation", source(spec, "line_item_operation", None)),
        ("amount", source(spec, "line_item_usage_amount", None)),
        (
            "unblended_rate",
            source(spec, "line_item_unblended_rate", None),
        ),
        ("poc", source(spec, "pricing_public_on_demand_cost", None)),
        ("prate", source(spec, "pricing_public_on_demand_rate", None)),
        (
            "product_name",
            source(spec, "product_product_name", Some("product_name")),
        ),
        ("region", source(spec, "product_region", Some("region"))),
        (
            "ri_arn",
            source(spec, "reservation_reservation_a_r_n", None),
        ),
        (
            "sp_arn",
            source(spec, "savings_plan_savings_plan_a_r_n", None),
        ),
        (
            "sp_eff",
            source(spec, "savings_plan_savings_plan_effective_cost", None),
        ),
        ("ri_eff", source(spec, "reservation_effective_cost", None)),
        (
            "usage_start",
            source(spec, "line_item_usage_start_date", None),
        ),
        ("currency", source(spec, "line_item_currency_code", None)),
    ];
    let mut select: Vec<String> = raw_cols
        .iter()
        .map(|(name, e)| format!("    {} AS r_{name}", as_text(e)))
        .collect();
    for (i, l) in labels.iter().enumerate() {
        select.push(format!("    {} AS r_label_{i}", as_text(&l.2)));
    }
    w(&mut s, &select.join(",\n"));
    w(&mut s, &format!("  FROM {table}"));
    w(
        &mut s,
        "  -- One month only: add a WHERE on the table's partition columns here.",
    );
    w(&mut s, "), norm AS (");
    w(&mut s, "  SELECT");
    let day_pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]|$)";
    let owner_of = |arn: &str| format!("COALESCE(split_part({}, ':', 5), '')", key_text(arn));
    let mut norm: Vec<String> = vec![
        "substr(trim(r_period), 1, 7) AS k_period".into(),
        "r_payer AS k_payer".into(),
        "r_account AS k_account".into(),
        format!(
            "CASE WHEN {} THEN substr(trim(r_usage_start), 1, 10) END AS k_usage_date",
            d.matches("trim(r_usage_start)", day_pattern)
        ),
        format!("{} AS k_currency", key_text("r_currency")),
        format!("{} AS k_billing_entity", key_text("r_billing_entity")),
        format!("{} AS k_product_code", key_text("r_product_code")),
        format!("{} AS k_product_name", key_text("r_product_name")),
        format!("{} AS k_usage_type", key_text("r_usage_type")),
        format!("{} AS k_operation", key_text("r_operation")),
        "r_lit AS k_lit".into(),
        format!("{} AS k_region", key_text("r_region")),
        format!("{} AS k_ri_owner", owner_of("r_ri_arn")),
        format!("{} AS k_sp_owner", owner_of("r_sp_arn")),
        format!("{} AS n_unblended", num("r_unblended")),
        format!("{} AS n_unblended_rate", num("r_unblended_rate")),
        format!("{} AS n_amount", num("r_amount")),
        format!("{} AS n_poc", num("r_poc")),
        format!("{} AS n_prate", num("r_prate")),
        format!("{} AS n_sp_eff", num("r_sp_eff")),
        format!("{} AS n_ri_eff", num("r_ri_eff")),
    ];
    for i in 0..labels.len() {
        norm.push(format!(
            "{} AS k_label_{i}",
            key_text(&format!("r_label_{i}"))
        ));
    }
    w(&mut s, &format!("    {}", norm.join(",\n    ")));
    w(&mut s, "  FROM src");
    w(&mut s, "), priced AS (");
    w(&mut s, "  SELECT");
    let priced = [
        "*".to_string(),
        "CASE WHEN k_ri_owner <> '' THEN k_ri_owner ELSE k_sp_owner END AS k_owner".into(),
        format!(
            "CASE WHEN k_lit = {usage} AND n_unblended = 0 AND (n_unblended_rate IS NULL OR \
             n_unblended_rate = 0) THEN 'true' ELSE 'false' END AS k_free"
        ),
        "CASE WHEN n_poc IS NULL THEN n_prate END AS k_public_rate".into(),
        "CASE WHEN n_poc IS NOT NULL THEN n_poc WHEN n_prate IS NULL THEN n_unblended END \
         AS v_public"
            .into(),
        "CASE WHEN n_poc IS NULL AND n_prate IS NULL THEN 1 ELSE 0 END AS v_no_public".into(),
        format!("CASE WHEN k_lit = {tax} THEN {zero} ELSE n_unblended END AS v_billable"),
        format!("CASE WHEN k_lit = {tax} THEN n_unblended ELSE {zero} END AS v_tax"),
    ];
    w(&mut s, &format!("    {}", priced.join(",\n    ")));
    w(&mut s, "  FROM norm");
    w(&mut s, "), agg AS (");
    w(&mut s, "  SELECT");
    let is_day = "grouping(k_usage_date) = 0";
    let line_only = |e: String| format!("CASE WHEN {is_day} THEN NULL ELSE {e} END");
    let day_only = |e: String| format!("CASE WHEN {is_day} THEN {e} END");
    let mut out: Vec<String> = vec![
        format!("{} AS {}", d.lit(VERSION), d.ident(MARKER)),
        format!("CASE WHEN {is_day} THEN 'day' ELSE 'line' END AS record"),
        "k_period AS billing_period".into(),
        "k_payer AS payer_account_id".into(),
        "k_account AS usage_account_id".into(),
        "k_usage_date AS usage_date".into(),
        "k_currency AS currency".into(),
        "k_billing_entity AS billing_entity".into(),
        "k_product_code AS product_code".into(),
        "k_product_name AS product_name".into(),
        "k_usage_type AS usage_type".into(),
        "k_operation AS operation".into(),
        "k_lit AS line_item_type".into(),
        "k_region AS region".into(),
        "k_owner AS commitment_owner".into(),
        "k_free AS free_on_bill".into(),
        format!("{} AS public_rate", as_text("k_public_rate")),
        format!("{} AS row_count", as_text("COUNT(*)")),
        format!(
            "{} AS usage_amount",
            as_text(&format!("SUM(COALESCE(n_amount, {zero}))"))
        ),
        // NULL (an empty cell, refused by the import) when a row has no unblended cost.
        format!(
            "{} AS unblended_cost",
            line_only(as_text(
                "CASE WHEN COUNT(n_unblended) = COUNT(*) THEN SUM(n_unblended) END"
            ))
        ),
        format!("{} AS public_cost", as_text("SUM(v_public)")),
        format!(
            "{} AS no_public_price_rows",
            line_only(as_text("SUM(v_no_public)"))
        ),
        format!(
            "{} AS savings_plan_effective_cost",
            line_only(as_text(&format!("SUM(COALESCE(n_sp_eff, {zero}))")))
        ),
        format!(
            "{} AS reservation_effective_cost",
            line_only(as_text(&format!("SUM(COALESCE(n_ri_eff, {zero}))")))
        ),
        format!("{} AS billable_cost", day_only(as_text("SUM(v_billable)"))),
        format!("{} AS tax_cost", day_only(as_text("SUM(v_tax)"))),
    ];
    for (i, l) in labels.iter().enumerate() {
        out.push(format!("k_label_{i} AS {}", d.ident(&l.3)));
    }
    w(&mut s, &format!("    {}", out.join(",\n    ")));
    w(&mut s, "  FROM priced");
    w(&mut s, "  GROUP BY GROUPING SETS (");
    let mut line_key: Vec<String> = [
        "k_period",
        "k_payer",
        "k_account",
        "k_currency",
        "k_billing_entity",
        "k_product_code",
        "k_product_name",
        "k_usage_type",
        "k_operation",
        "k_lit",
        "k_region",
        "k_owner",
        "k_free",
        "k_public_rate",
    ]
    .iter()
    .map(|k| (*k).to_string())
    .collect();
    line_key.extend((0..labels.len()).map(|i| format!("k_label_{i}")));
    w(&mut s, &format!("    ({}),", line_key.join(", ")));
    w(
        &mut s,
        "    (k_period, k_payer, k_account, k_usage_date, k_public_rate)",
    );
    w(&mut s, "  )");
    w(&mut s, ")");
    w(&mut s, "SELECT * FROM agg");
    w(
        &mut s,
        "-- Rows without a usage day count in their line, not in the daily series.",
    );
    w(&mut s, "WHERE record = 'line' OR usage_date IS NOT NULL;");
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_survive_encoding_and_lower_casing() {
        for key in ["user:team", "user:Team", "BusinessUnit", "a b/c%d", "ünï"] {
            let enc = encode_key(key);
            assert!(
                enc.bytes().all(|b| !b.is_ascii_uppercase()),
                "{enc} has capitals"
            );
            assert_eq!(decode_key(&enc).as_deref(), Some(key));
            assert_eq!(decode_key(&enc.to_ascii_uppercase()).as_deref(), Some(key));
        }
        assert_eq!(decode_key("user%3ateam").as_deref(), Some("user:team"));
        assert_eq!(decode_key("user%3Ateam").as_deref(), Some("user:team"));
        assert_eq!(decode_key("bad%zz"), None);
        assert_eq!(decode_key(""), None);
    }
}
