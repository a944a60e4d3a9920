//! Writes small legacy CUR Parquet files (Athena snake_case columns, DOUBLE costs,
//! TIMESTAMP_MILLIS dates) for tests that need Parquet without the shared real sample.
#![allow(dead_code)]

use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::sync::Arc;

/// One row: payer, usage account, period (`YYYY-MM`), line item type, product code,
/// unblended cost, currency code.
pub type Row<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, f64, &'a str);

fn millis(period: &str) -> i64 {
    let d = chrono::NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").unwrap();
    d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis()
}

pub fn cur_parquet(rows: &[Row<'_>]) -> Vec<u8> {
    let schema = Arc::new(
        parse_message_type(
            "message schema {
                REQUIRED BYTE_ARRAY bill_payer_account_id (UTF8);
                REQUIRED BYTE_ARRAY line_item_usage_account_id (UTF8);
                REQUIRED INT64 bill_billing_period_start_date (TIMESTAMP_MILLIS);
                REQUIRED BYTE_ARRAY line_item_line_item_type (UTF8);
                REQUIRED BYTE_ARRAY line_item_product_code (UTF8);
                REQUIRED DOUBLE line_item_unblended_cost;
                REQUIRED BYTE_ARRAY line_item_currency_code (UTF8);
            }",
        )
        .unwrap(),
    );
    let mut out = Vec::new();
    let mut w = SerializedFileWriter::new(
        &mut out,
        schema,
        Arc::new(WriterProperties::builder().build()),
    )
    .unwrap();
    let mut rg = w.next_row_group().unwrap();
    fn text<'a>(rows: &[Row<'a>], f: fn(&Row<'a>) -> &'a str) -> Vec<ByteArray> {
        rows.iter().map(|r| ByteArray::from(f(r))).collect()
    }
    let mut index = 0;
    while let Some(mut col) = rg.next_column().unwrap() {
        match index {
            2 => {
                let v: Vec<i64> = rows.iter().map(|r| millis(r.2)).collect();
                col.typed::<Int64Type>()
                    .write_batch(&v, None, None)
                    .unwrap();
            }
            5 => {
                let v: Vec<f64> = rows.iter().map(|r| r.5).collect();
                col.typed::<DoubleType>()
                    .write_batch(&v, None, None)
                    .unwrap();
            }
            i => {
                let v = match i {
                    0 => text(rows, |r| r.0),
                    1 => text(rows, |r| r.1),
                    3 => text(rows, |r| r.3),
                    4 => text(rows, |r| r.4),
                    _ => text(rows, |r| r.6),
                };
                col.typed::<ByteArrayType>()
                    .write_batch(&v, None, None)
                    .unwrap();
            }
        }
        col.close().unwrap();
        index += 1;
    }
    rg.close().unwrap();
    w.close().unwrap();
    out
}
