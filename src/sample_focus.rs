//! The sample rows as FOCUS 1.2 with AWS's `x_` columns (the Data Exports table
//! `FOCUS_1_2_AWS`): the legacy sample CSV (src/sample.rs) rewritten row by row, so the legacy
//! and FOCUS renderings hold the same charges (issue 11 item 5).
//!
//! Mapping (cur_formats.md 3.3, as AWS's export shows it): `BillingAccountId` =
//! `bill/PayerAccountId`, `SubAccountId` = `lineItem/UsageAccountId`, `BilledCost` =
//! `lineItem/UnblendedCost` except Savings Plan covered usage, which FOCUS bills at 0 (its
//! `ListCost` keeps the on-demand cost) while the CUR's `SavingsPlanNegation` rows, which have
//! no FOCUS counterpart, are left out; `ListCost` = `pricing/publicOnDemandCost`;
//! `EffectiveCost` = the reservation or Savings Plan effective cost on covered usage, else the
//! unblended cost; `ServiceName` = `product/ProductName`, `x_ServiceCode` =
//! `lineItem/ProductCode`; `ChargeCategory`, `ChargeFrequency` and the `CommitmentDiscount*`
//! columns from the line item type (the inverse of `cur::focus::line_item_type`; every
//! discount type becomes a `Credit`, as FOCUS has no discount category); `Tags` =
//! `resourceTags/*` keyed as the CUR writes them (`user:team`); `x_CostCategories` =
//! `costCategory/*`. In CSV, `Tags` and `x_CostCategories` are JSON objects and null cells are
//! empty; in Parquet they are MAPs of strings, amounts DOUBLE and dates TIMESTAMP (UTC).

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read, Write};
use std::sync::Arc;

/// The FOCUS columns written, in order; `Tags` and `x_CostCategories` last.
pub const HEADER: [&str; 46] = [
    "BillingAccountId",
    "BillingAccountName",
    "BillingAccountType",
    "SubAccountId",
    "SubAccountName",
    "SubAccountType",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BillingCurrency",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ListUnitPrice",
    "ContractedCost",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "CommitmentDiscountId",
    "CommitmentDiscountType",
    "CommitmentDiscountCategory",
    "CommitmentDiscountStatus",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ProviderName",
    "PublisherName",
    "InvoiceIssuerName",
    "InvoiceId",
    "RegionId",
    "RegionName",
    "AvailabilityZone",
    "ResourceId",
    "ServiceName",
    "ServiceCategory",
    "SkuId",
    "SkuPriceId",
    "x_Operation",
    "x_ServiceCode",
    "x_UsageType",
    "Tags",
    "x_CostCategories",
];

/// Columns written as numbers (DOUBLE in Parquet).
const NUMBERS: [&str; 8] = [
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ListUnitPrice",
    "ContractedCost",
    "PricingQuantity",
    "ConsumedQuantity",
    "ContractedUnitPrice",
];

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// One FOCUS row: the plain cells (all of `HEADER` but the last two) and the two objects.
struct FocusRow {
    cells: Vec<String>,
    tags: BTreeMap<String, String>,
    cost_categories: BTreeMap<String, String>,
}

/// Reads the legacy columns of one row by name.
struct Legacy {
    at: HashMap<String, usize>,
    tags: Vec<(usize, String)>,
    categories: Vec<(usize, String)>,
}

impl Legacy {
    fn new(header: &[String]) -> Self {
        let mut tags = Vec::new();
        let mut categories = Vec::new();
        for (i, h) in header.iter().enumerate() {
            if let Some(k) = h.strip_prefix("resourceTags/") {
                tags.push((i, k.to_string()));
            } else if let Some(k) = h.strip_prefix("costCategory/") {
                categories.push((i, k.to_string()));
            }
        }
        Self {
            at: header
                .iter()
                .enumerate()
                .map(|(i, h)| (h.clone(), i))
                .collect(),
            tags,
            categories,
        }
    }

    fn get<'r>(&self, rec: &'r csv::StringRecord, name: &str) -> &'r str {
        self.at
            .get(name)
            .and_then(|&i| rec.get(i))
            .unwrap_or("")
            .trim()
    }
}

/// What FOCUS says of a CUR line item type: ChargeCategory, ChargeFrequency, commitment type
/// ("" for none), CommitmentDiscountStatus, PricingCategory.
fn charge_of(
    lit: &str,
    has_reservation: bool,
) -> (&str, &'static str, &'static str, &'static str, &'static str) {
    match lit {
        "Usage" => ("Usage", "Usage-Based", "", "", "Standard"),
        "DiscountedUsage" => (
            "Usage",
            "Usage-Based",
            "Reserved Instance",
            "Used",
            "Committed",
        ),
        "SavingsPlanCoveredUsage" => ("Usage", "Usage-Based", "Savings Plan", "Used", "Committed"),
        "RIFee" => (
            "Purchase",
            "Recurring",
            "Reserved Instance",
            "",
            "Committed",
        ),
        "SavingsPlanRecurringFee" => ("Purchase", "Recurring", "Savings Plan", "", "Committed"),
        "SavingsPlanUpfrontFee" => ("Purchase", "One-Time", "Savings Plan", "", "Committed"),
        "Fee" if has_reservation => ("Purchase", "One-Time", "Reserved Instance", "", "Committed"),
        "Fee" => ("Purchase", "One-Time", "", "", "Standard"),
        "Tax" => ("Tax", "One-Time", "", "", "Other"),
        "Credit" => ("Credit", "One-Time", "", "", "Other"),
        "Refund" => ("Adjustment", "One-Time", "", "", "Other"),
        t if t.ends_with("Discount") => ("Credit", "One-Time", "", "", "Other"),
        // Any other type is kept as its category (read back as the same unknown type).
        t => (t, "", "", "", "Other"),
    }
}

/// The FOCUS row of a legacy row; `None` for a `SavingsPlanNegation` (no FOCUS counterpart).
fn convert(l: &Legacy, rec: &csv::StringRecord) -> Option<FocusRow> {
    let g = |n: &str| l.get(rec, n);
    let lit = g("lineItem/LineItemType");
    if lit == "SavingsPlanNegation" {
        return None;
    }
    let ri_arn = g("reservation/ReservationARN");
    let sp_arn = g("savingsPlan/SavingsPlanARN");
    let (category, frequency, ctype, status, pricing) = charge_of(lit, !ri_arn.is_empty());
    let unblended = g("lineItem/UnblendedCost");
    let billed = if lit == "SavingsPlanCoveredUsage" {
        "0"
    } else {
        unblended
    };
    let effective = match lit {
        "DiscountedUsage" => g("reservation/EffectiveCost"),
        "SavingsPlanCoveredUsage" => g("savingsPlan/SavingsPlanEffectiveCost"),
        "SavingsPlanUpfrontFee" => "0",
        _ => unblended,
    };
    let commitment_id = match ctype {
        "Savings Plan" => sp_arn,
        "Reserved Instance" => ri_arn,
        _ => "",
    };
    let legal = g("lineItem/LegalEntity");
    let publisher = if g("bill/BillingEntity") == "AWS Marketplace" && legal.starts_with("Amazon") {
        "AWS Marketplace"
    } else if legal.is_empty() {
        "Amazon Web Services, Inc."
    } else {
        legal
    };
    let region = if g("product/region").is_empty() {
        g("product/regionCode")
    } else {
        g("product/region")
    };
    let region_name = if region.is_empty() {
        ""
    } else {
        g("product/location")
    };
    let usage = g("lineItem/UsageAmount");
    let unit = g("pricing/unit");
    let payer = g("bill/PayerAccountId");
    let account = g("lineItem/UsageAccountId");
    let cells: Vec<String> = [
        payer,
        "",
        "Billing Account",
        account,
        "",
        "Linked Account",
        g("bill/BillingPeriodStartDate"),
        g("bill/BillingPeriodEndDate"),
        g("lineItem/UsageStartDate"),
        g("lineItem/UsageEndDate"),
        g("lineItem/CurrencyCode"),
        billed,
        effective,
        g("pricing/publicOnDemandCost"),
        g("pricing/publicOnDemandRate"),
        "",
        category,
        "",
        g("lineItem/LineItemDescription"),
        frequency,
        commitment_id,
        ctype,
        match ctype {
            "Savings Plan" => "Spend",
            "" => "",
            _ => "Usage",
        },
        status,
        pricing,
        usage,
        unit,
        usage,
        unit,
        "AWS",
        publisher,
        g("bill/InvoicingEntity"),
        g("bill/InvoiceId"),
        region,
        region_name,
        g("lineItem/AvailabilityZone"),
        g("lineItem/ResourceId"),
        g("product/ProductName"),
        "",
        g("product/sku"),
        g("pricing/RateCode"),
        g("lineItem/Operation"),
        g("lineItem/ProductCode"),
        g("lineItem/UsageType"),
    ]
    .map(String::from)
    .to_vec();
    let object = |cols: &[(usize, String)]| -> BTreeMap<String, String> {
        cols.iter()
            .filter_map(|(i, k)| {
                let v = rec.get(*i)?.trim();
                (!v.is_empty()).then(|| (k.clone(), v.to_string()))
            })
            .collect()
    };
    Some(FocusRow {
        cells,
        tags: object(&l.tags),
        cost_categories: object(&l.categories),
    })
}

fn read_legacy(input: impl Read) -> io::Result<(csv::Reader<impl Read>, Legacy)> {
    let mut rdr = csv::Reader::from_reader(input);
    let header: Vec<String> = rdr
        .headers()
        .map_err(invalid)?
        .iter()
        .map(String::from)
        .collect();
    let l = Legacy::new(&header);
    Ok((rdr, l))
}

/// Rewrites a legacy CUR CSV as a FOCUS 1.2 CSV (`Tags`, `x_CostCategories` as JSON objects).
/// Returns the rows written (negation rows are left out).
///
/// # Errors
/// Unreadable input CSV, or a write error.
pub fn legacy_to_focus_csv(input: impl Read, out: impl Write) -> io::Result<u64> {
    let (mut rdr, l) = read_legacy(input)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER).map_err(invalid)?;
    let mut rows = 0;
    let mut rec = csv::StringRecord::new();
    while rdr.read_record(&mut rec).map_err(invalid)? {
        let Some(r) = convert(&l, &rec) else { continue };
        let mut cells = r.cells;
        for m in [&r.tags, &r.cost_categories] {
            cells.push(if m.is_empty() {
                String::new()
            } else {
                serde_json::to_string(m).map_err(invalid)?
            });
        }
        w.write_record(&cells).map_err(invalid)?;
        rows += 1;
    }
    w.flush()?;
    Ok(rows)
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Double,
    Time,
}

fn kind(name: &str) -> Kind {
    if NUMBERS.contains(&name) {
        Kind::Double
    } else if name.ends_with("PeriodStart") || name.ends_with("PeriodEnd") {
        Kind::Time
    } else {
        Kind::Text
    }
}

/// Rewrites a legacy CUR CSV as a FOCUS 1.2 Parquet file (snappy; `Tags` and
/// `x_CostCategories` as MAPs of strings), `group_rows` rows per row group. Returns the rows.
///
/// # Errors
/// Unreadable input CSV, an amount or date that does not parse, or a write error.
pub fn legacy_to_focus_parquet(
    input: impl Read,
    out: std::fs::File,
    group_rows: usize,
) -> io::Result<u64> {
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    let group_rows = group_rows.max(1);
    let (mut rdr, l) = read_legacy(input)?;
    let plain = &HEADER[..HEADER.len() - 2];
    let kinds: Vec<Kind> = plain.iter().map(|n| kind(n)).collect();
    let mut schema = String::from("message focus {\n");
    for (n, k) in plain.iter().zip(&kinds) {
        let (t, ann) = match k {
            Kind::Text => ("binary", " (UTF8)"),
            Kind::Double => ("double", ""),
            Kind::Time => ("int64", " (TIMESTAMP(MILLIS,true))"),
        };
        schema.push_str(&format!("  optional {t} {n}{ann};\n"));
    }
    for m in &HEADER[HEADER.len() - 2..] {
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
    let mut group: Vec<FocusRow> = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        let more = rdr.read_record(&mut rec).map_err(invalid)?;
        if more && let Some(r) = convert(&l, &rec) {
            group.push(r);
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
    group: &[FocusRow],
) -> io::Result<()> {
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
    let mut rg = writer.next_row_group().map_err(invalid)?;
    let mut leaf = 0usize;
    while let Some(mut col) = rg.next_column().map_err(invalid)? {
        if let Some(&k) = kinds.get(leaf) {
            let mut defs = Vec::with_capacity(group.len());
            let values = group.iter().map(|r| r.cells[leaf].as_str());
            match k {
                Kind::Text => {
                    let mut vals = Vec::new();
                    for v in values {
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
                    for v in values {
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
                    for v in values {
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
            // Key then value leaf of `Tags`, then of `x_CostCategories`.
            let at = leaf - kinds.len();
            let is_key = at % 2 == 0;
            let (mut vals, mut defs, mut reps) = (Vec::new(), Vec::new(), Vec::new());
            for r in group {
                let m = if at < 2 { &r.tags } else { &r.cost_categories };
                if m.is_empty() {
                    // A null map.
                    defs.push(0);
                    reps.push(0);
                }
                for (j, (k, v)) in m.iter().enumerate() {
                    reps.push(i16::from(j > 0));
                    defs.push(if is_key { 2 } else { 3 });
                    vals.push(ByteArray::from(
                        if is_key { k } else { v }.as_bytes().to_vec(),
                    ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negation_rows_are_left_out_and_covered_usage_bills_zero() {
        let legacy = "bill/PayerAccountId,lineItem/UsageAccountId,lineItem/LineItemType,\
lineItem/UnblendedCost,pricing/publicOnDemandCost,savingsPlan/SavingsPlanARN,\
savingsPlan/SavingsPlanEffectiveCost,lineItem/ProductCode,resourceTags/user:team\n\
111111111111,222222222222,SavingsPlanCoveredUsage,2.5,2.5,arn:aws:savingsplans::3:savingsplan/x,1.8,AmazonEC2,web\n\
111111111111,222222222222,SavingsPlanNegation,-2.5,2.5,arn:aws:savingsplans::3:savingsplan/x,,AmazonEC2,web\n\
111111111111,222222222222,EdpDiscount,-0.3,,,,AmazonEC2,\n";
        let mut out = Vec::new();
        let rows = legacy_to_focus_csv(legacy.as_bytes(), &mut out).expect("convert");
        assert_eq!(rows, 2);
        let text = String::from_utf8(out).expect("utf-8");
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let h = rdr.headers().expect("header").clone();
        let col = |n: &str| h.iter().position(|x| x == n).expect(n);
        let recs: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
        let r = &recs[0];
        assert_eq!(&r[col("BilledCost")], "0");
        assert_eq!(&r[col("ListCost")], "2.5");
        assert_eq!(&r[col("EffectiveCost")], "1.8");
        assert_eq!(&r[col("CommitmentDiscountType")], "Savings Plan");
        assert_eq!(&r[col("CommitmentDiscountStatus")], "Used");
        assert_eq!(&r[col("Tags")], r#"{"user:team":"web"}"#);
        assert_eq!(&recs[1][col("ChargeCategory")], "Credit");
        assert_eq!(&recs[1][col("BilledCost")], "-0.3");
    }
}
