//! CUR 2.0 (Data Exports) input: CSV (plain, gzip, parts) and Parquet, map columns, errors,
//! and the same rows in the legacy and CUR 2.0 layouts giving the same reports (issue 11).

mod common;

use common::{bin, snapshot, workspace};
use std::path::{Path, PathBuf};

const HEADER: &str = "bill_payer_account_id,line_item_usage_account_id,bill_billing_period_start_date,\
line_item_line_item_type,line_item_product_code,line_item_unblended_cost,line_item_usage_start_date,\
product_region_code,product,resource_tags,cost_category,discount";

fn row(account: &str, cost: &str, product: &str, tags: &str) -> String {
    format!(
        "111111111111,{account},2026-10-01T00:00:00Z,Usage,AmazonEC2,{cost},2026-10-02T00:00:00Z,\
         eu-west-1,\"{}\",\"{}\",\"{{\"\"business_unit\"\":\"\"Retail\"\"}}\",\"{{}}\"\n",
        product.replace('"', "\"\""),
        tags.replace('"', "\"\"")
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn gzip(path: &Path, text: &str) {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(path).expect("create"),
        flate2::Compression::default(),
    );
    gz.write_all(text.as_bytes()).expect("gzip");
    gz.finish().expect("gzip");
}

fn stdout_of(args: &[&str], ws: &Path) -> String {
    let out = bin().args(args).arg(ws).output().expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The generated sample in three layouts, imported into three workspaces with the same
/// configuration: every report is identical to the cent.
#[test]
fn legacy_cur2_csv_and_cur2_parquet_give_the_same_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut outputs: Vec<(String, Vec<String>)> = Vec::new();
    for format in ["legacy", "cur2-csv", "cur2-parquet"] {
        let out = dir.path().join(format);
        bin()
            .args([
                "generate-sample",
                "--months",
                "1",
                "--lines-per-month",
                "2500",
            ])
            .args(["--config-groups", "3", "--format", format, "--out"])
            .arg(&out)
            .assert()
            .success();
        let data = if format == "cur2-parquet" {
            out.join("cur-2026-09.parquet")
        } else {
            out.join("cur-2026-09.csv.gz")
        };
        let head = std::fs::read(&data).expect("data file");
        if format == "cur2-parquet" {
            assert!(head.starts_with(b"PAR1"));
        }
        let ws = dir.path().join(format!("{format}.proforma"));
        bin().arg("init").arg(&ws).assert().success();
        bin()
            .arg("import")
            .arg(&ws)
            .arg(&data)
            .arg(out.join("accounts.json"))
            .assert()
            .success();
        // Views by tag and by cost category, each keyed as its layout spells the key.
        let (tag, category) = if format == "legacy" {
            ("user:team", "BusinessUnit")
        } else {
            ("user_team", "business_unit")
        };
        let mut config = std::fs::read_to_string(out.join("config.toml")).expect("config");
        config.push_str(&format!(
            "\n[[billing_view]]\nname = \"teams\"\nsources = [\"primary\"]\n\
             filter = {{ tag = \"{tag}\", values = [\"retail\", \"media\"] }}\n\
             \n[[billing_view]]\nname = \"units\"\nsources = [\"primary\"]\n\
             filter = {{ cost_category = \"{category}\", values = [\"Commerce\"] }}\n"
        ));
        let config_path = out.join("config-views.toml");
        std::fs::write(&config_path, config).expect("write config");
        bin()
            .args(["config", "import"])
            .arg(&ws)
            .arg(&config_path)
            .assert()
            .success();
        let view = |name: &str| {
            stdout_of(
                &[
                    "report", "--period", "2026-09", "--view", name, "--format", "json",
                ],
                &ws,
            )
        };
        let reports = vec![
            view("custom:teams"),
            view("custom:units"),
            stdout_of(&["report", "--period", "2026-09", "--format", "json"], &ws),
            stdout_of(
                &[
                    "report",
                    "--period",
                    "2026-09",
                    "--view",
                    "primary",
                    "--group-by",
                    "PRODUCT_NAME",
                    "--format",
                    "json",
                ],
                &ws,
            ),
            stdout_of(
                &[
                    "report",
                    "--period",
                    "2026-09",
                    "--view",
                    "primary",
                    "--group-by",
                    "USAGE_TYPE",
                    "--format",
                    "json",
                ],
                &ws,
            ),
        ];
        outputs.push((format.to_string(), reports));
    }
    let (_, legacy) = &outputs[0];
    // The legacy report is real: three groups with amounts, and product names (not codes),
    // which in CUR 2.0 come from the `product` map alone.
    assert_eq!(
        legacy[2].matches("\"ProformaCost\"").count(),
        3,
        "{}",
        legacy[2]
    );
    assert!(
        legacy[3].contains("Amazon Elastic Compute Cloud"),
        "{}",
        legacy[3]
    );
    // The tag and cost-category views hold a part of the bill, not all or nothing.
    let total = |t: &str| -> f64 {
        t.split("\"Billable\": \"")
            .skip(1)
            .filter_map(|p| p.split('"').next()?.parse::<f64>().ok())
            .sum()
    };
    let all = total(&stdout_of(
        &[
            "report", "--period", "2026-09", "--view", "primary", "--format", "json",
        ],
        &dir.path().join("legacy.proforma"),
    ));
    for part in [&legacy[0], &legacy[1]] {
        let t = total(part);
        assert!(t > 0.0 && t < all, "{t} of {all}: {part}");
    }
    for (format, reports) in &outputs[1..] {
        for (a, b) in legacy.iter().zip(reports) {
            assert_eq!(a, b, "{format} differs from legacy");
        }
    }
}

/// Tags and cost categories come from the maps with their CUR 2.0 keys; product name and
/// region from the `product` map (region falling back to `product_region_code`); the import
/// names the format.
#[test]
fn cur2_csv_maps_reach_the_aggregate() {
    let (dir, ws) = workspace();
    let text = format!(
        "{HEADER}\n{}{}",
        row(
            "222222222222",
            "1.25",
            r#"{"product_name":"Amazon Elastic Compute Cloud","region":"us-east-1"}"#,
            r#"{"user_team":"web","user_env":"prod"}"#
        ),
        row(
            "333333333333",
            "2.50",
            r#"{"product_name":"Amazon Elastic Compute Cloud"}"#,
            r#"{"user_team":"db"}"#
        ),
    );
    let path = dir.path().join("export-00001.csv.gz");
    gzip(&path, &text);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&path)
        .assert()
        .success()
        .stdout(predicates::str::contains("2 rows, billable 3.75 USD"));
    assert!(
        snapshot(&ws).join("\n").contains("CUR 2.0 CSV (gzip)"),
        "format not recorded"
    );
    views(
        &ws,
        dir.path(),
        &[
            ("tag", "user_team", "web", "1.25"),
            ("tag", "user_team", "db", "2.50"),
            ("tag", "user_env", "prod", "1.25"),
            ("cost_category", "business_unit", "Retail", "3.75"),
        ],
    );
    let by_product = stdout_of(
        &[
            "report",
            "--period",
            "2026-10",
            "--view",
            "primary",
            "--group-by",
            "PRODUCT_NAME",
            "--format",
            "csv",
        ],
        &ws,
    );
    assert!(
        by_product.contains("Amazon Elastic Compute Cloud") && by_product.contains("3.75"),
        "{by_product}"
    );
}

/// A map cell that is not JSON: exit 1, file, line, column and reason, nothing written.
#[test]
fn bad_map_json_is_refused_with_its_place() {
    let (dir, ws) = workspace();
    let good = row(
        "222222222222",
        "1",
        r#"{"product_name":"EC2"}"#,
        r#"{"user_team":"web"}"#,
    );
    let bad = row("222222222222", "1", r#"{"product_name":"EC2""#, "{}");
    let before = snapshot(&ws);
    let p = write(dir.path(), "bad.csv", &format!("{HEADER}\n{good}{bad}"));
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "bad.csv: line 3, column 9 (product)",
        ))
        .stderr(predicates::str::contains("is not valid JSON"));
    // In a label map (read by the first pass too) and as a non-object.
    let bad_tags = row("222222222222", "1", "{}", r#"["web"]"#);
    let p = write(dir.path(), "tags.csv", &format!("{HEADER}\n{bad_tags}"));
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "tags.csv: line 2, column 10 (resource_tags)",
        ))
        .stderr(predicates::str::contains("is not a map"));
    // The discount map is not read into the aggregate, but it is checked like the others.
    let bad_discount = row("222222222222", "1", "{}", "{}").replace(",\"{}\"\n", ",\"[1]\"\n");
    assert!(bad_discount.ends_with(",\"[1]\"\n"), "{bad_discount}");
    let p = write(
        dir.path(),
        "discount.csv",
        &format!("{HEADER}\n{bad_discount}"),
    );
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "discount.csv: line 2, column 12 (discount)",
        ))
        .stderr(predicates::str::contains("is not a map"));
    assert_eq!(before, snapshot(&ws), "nothing may be written");
}

/// The same month of one payer in two formats (a legacy CUR beside its CUR 2.0 or FOCUS
/// export, as a bucket holds while moving to Data Exports) is the same charges twice: refused
/// naming both files and formats, nothing written. Parts of one format still add up.
#[test]
fn one_delivery_in_two_formats_is_refused() {
    let (dir, ws) = workspace();
    let legacy = write(
        dir.path(),
        "legacy.csv",
        "bill/PayerAccountId,lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,\
         lineItem/ProductCode,lineItem/UnblendedCost\n\
         111111111111,222222222222,2026-10-01T00:00:00Z,Usage,AmazonEC2,5.00\n",
    );
    let cur2 = write(
        dir.path(),
        "cur2.csv",
        &format!("{HEADER}\n{}", row("222222222222", "5.00", "{}", "{}")),
    );
    let focus = write(
        dir.path(),
        "focus.csv",
        "BillingAccountId,SubAccountId,BillingPeriodStart,ChargeCategory,BilledCost,ServiceName,\
         x_ServiceCode,ProviderName\n\
         111111111111,222222222222,2026-10-01T00:00:00Z,Usage,5.00,Amazon EC2,AmazonEC2,AWS\n",
    );
    let before = snapshot(&ws);
    for (a, b, fa, fb) in [
        (&legacy, &cur2, "legacy CUR CSV", "CUR 2.0 CSV"),
        (&cur2, &focus, "CUR 2.0 CSV", "FOCUS"),
        (&focus, &legacy, "FOCUS", "legacy CUR CSV"),
    ] {
        bin()
            .arg("import")
            .arg(&ws)
            .arg(a)
            .arg(b)
            .assert()
            .code(1)
            .stderr(predicates::str::contains("payer 111111111111's 2026-10"))
            .stderr(predicates::str::contains(fa))
            .stderr(predicates::str::contains(fb))
            .stderr(predicates::str::contains("the same charges twice"));
        assert_eq!(before, snapshot(&ws), "nothing may be written");
    }
    // Two parts of one CUR 2.0 export, one of them compressed: one delivery, summed.
    let part2 = dir.path().join("cur2-2.csv.gz");
    gzip(
        &part2,
        &format!("{HEADER}\n{}", row("333333333333", "2.50", "{}", "{}")),
    );
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&cur2)
        .arg(&part2)
        .assert()
        .success()
        .stdout(predicates::str::contains("billable 7.50 USD"));
}

/// A CUR 2.0 export whose SQL left out required columns names them; optional ones (here every
/// map but `product`, and the region code) may be absent.
#[test]
fn required_columns_are_named_and_optional_ones_degrade() {
    let (dir, ws) = workspace();
    let p = write(
        dir.path(),
        "nocost.csv",
        "bill_payer_account_id,line_item_usage_account_id,bill_billing_period_start_date,\
         line_item_line_item_type,line_item_product_code,product\n\
         111111111111,222222222222,2026-10-01T00:00:00Z,Usage,AmazonEC2,{}\n",
    );
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "nocost.csv: missing required column line_item_unblended_cost",
        ));
    let p = write(
        dir.path(),
        "subset.csv",
        "bill_payer_account_id,line_item_usage_account_id,bill_billing_period_start_date,\
         line_item_line_item_type,line_item_product_code,line_item_unblended_cost,product\n\
         111111111111,222222222222,2026-10-01T00:00:00Z,Usage,AmazonEC2,4.5,\"{\"\"region\"\":\"\"us-west-2\"\"}\"\n",
    );
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .assert()
        .success()
        .stdout(predicates::str::contains("1 row, billable 4.50 USD"));
    assert!(snapshot(&ws).join("\n").contains("CUR 2.0 CSV"));
}

/// The parts of one export period, given together, are one delivery.
#[test]
fn parts_of_one_period_import_as_one_delivery() {
    let (dir, ws) = workspace();
    let a = write(
        dir.path(),
        "part-00001.csv",
        &format!(
            "{HEADER}\n{}",
            row("222222222222", "1.10", r#"{"product_name":"EC2"}"#, "{}")
        ),
    );
    let b = dir.path().join("part-00002.csv.gz");
    gzip(
        &b,
        &format!(
            "{HEADER}\n{}{}",
            row("333333333333", "2.20", r#"{"product_name":"EC2"}"#, "{}"),
            row("333333333333", "3.30", r#"{"product_name":"EC2"}"#, "{}")
        ),
    );
    let out = bin()
        .arg("import")
        .arg(&ws)
        .arg(&a)
        .arg(&b)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.matches("payer 111111111111 period 2026-10").count(),
        1,
        "{text}"
    );
    assert!(text.contains("3 rows, billable 6.60 USD"), "{text}");
}

/// CUR 2.0 Parquet with Parquet MAP columns: tags, cost categories and product name arrive,
/// and a tag key is spelled as CUR 2.0 spells it.
#[test]
fn cur2_parquet_maps_reach_the_aggregate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("g");
    bin()
        .args([
            "generate-sample",
            "--months",
            "1",
            "--lines-per-month",
            "300",
        ])
        .args(["--format", "cur2-parquet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let ws = dir.path().join("ws.proforma");
    bin().arg("init").arg(&ws).assert().success();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(out.join("cur-2026-09.parquet"))
        .assert()
        .success();
    assert!(snapshot(&ws).join("\n").contains("CUR 2.0 Parquet"));
    // The views by the CUR 2.0 keys hold the tagged part of the bill (the legacy rendering
    // gives the same amounts: legacy_cur2_csv_and_cur2_parquet_give_the_same_reports); the
    // legacy spelling of the key matches nothing.
    let total = |t: &str| -> String {
        t.split("\"Billable\": \"")
            .nth(1)
            .and_then(|p| p.split('"').next())
            .unwrap_or("")
            .to_string()
    };
    let primary = total(&stdout_of(
        &[
            "report", "--period", "2026-09", "--view", "primary", "--format", "json",
        ],
        &ws,
    ));
    assert!(!primary.is_empty());
    let teams = [
        "retail",
        "media",
        "fintech",
        "health",
        "labs",
        "sandbox",
        "logistics",
        "platform",
    ];
    let got = view_totals(
        &ws,
        dir.path(),
        &[
            ("tag", "user_team", &teams),
            ("tag", "user:team", &teams),
            (
                "cost_category",
                "business_unit",
                &["Commerce", "Media", "Regulated", "Innovation", "Platform"],
            ),
        ],
    );
    let amount = |t: &str| t.parse::<f64>().unwrap_or(0.0);
    let primary = amount(&primary);
    for (i, what) in [
        (0, "tag view by user_team"),
        (2, "cost category view by business_unit"),
    ] {
        let v = amount(&got[i]);
        assert!(
            v > primary / 4.0 && v <= primary,
            "{what}: {v} of {primary}"
        );
    }
    assert_eq!(got[1], "0.00", "the legacy spelling is not a CUR 2.0 key");
}

/// Writes one batch as a Parquet file.
fn write_parquet(file: &Path, batch: &arrow_array::RecordBatch) {
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(file).expect("create"),
        batch.schema(),
        None,
    )
    .expect("writer");
    w.write(batch).expect("write");
    w.close().expect("close");
}

/// Imports `file` into two new workspaces in `dir`: by the column-wise Parquet reader, then
/// by the row reader (`PROFORMA_PARQUET_ROWS`).
fn import_by_both_readers(dir: &Path, file: &Path) -> [PathBuf; 2] {
    [false, true].map(|rows| {
        let ws = dir.join(format!("ws-{rows}.proforma"));
        bin().arg("init").arg(&ws).assert().success();
        let mut cmd = bin();
        if rows {
            cmd.env("PROFORMA_PARQUET_ROWS", "1");
        }
        cmd.arg("import").arg(&ws).arg(file).assert().success();
        ws
    })
}

/// Imports views (kind, key, one value, expected Billable) and checks each.
fn views(ws: &Path, dir: &Path, cases: &[(&str, &str, &str, &str)]) {
    let specs: Vec<(&str, &str, Vec<&str>)> = cases
        .iter()
        .map(|(k, key, v, _)| (*k, *key, vec![*v]))
        .collect();
    let specs: Vec<(&str, &str, &[&str])> = specs
        .iter()
        .map(|(k, key, v)| (*k, *key, v.as_slice()))
        .collect();
    let got = view_totals(ws, dir, &specs);
    for (case, got) in cases.iter().zip(got) {
        assert_eq!(got, case.3, "view {case:?}");
    }
}

/// The Billable total of one custom view per (kind, key, values).
fn view_totals(ws: &Path, dir: &Path, specs: &[(&str, &str, &[&str])]) -> Vec<String> {
    let mut config = String::new();
    for (i, (kind, key, values)) in specs.iter().enumerate() {
        let values: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
        config.push_str(&format!(
            "[[billing_view]]\nname = \"v{i}\"\nsources = [\"primary\"]\n\
             filter = {{ {kind} = \"{key}\", values = [{}] }}\n\n",
            values.join(", ")
        ));
    }
    let path = dir.join("views.toml");
    std::fs::write(&path, config).expect("write");
    bin()
        .args(["config", "import"])
        .arg(ws)
        .arg(&path)
        .assert()
        .success();
    (0..specs.len())
        .map(|i| {
            let out = bin()
                .args([
                    "report",
                    "--period",
                    &period_of(ws),
                    "--view",
                    &format!("custom:v{i}"),
                    "--format",
                    "json",
                ])
                .arg(ws)
                .output()
                .expect("run");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            text.split("\"Billable\": \"")
                .nth(1)
                .and_then(|p| p.split('"').next())
                .unwrap_or("0.00")
                .to_string()
        })
        .collect()
}

/// The (first) period of the workspace's deliveries.
fn period_of(ws: &Path) -> String {
    let conn = rusqlite::Connection::open(ws).expect("open");
    conn.query_row(
        "SELECT period FROM deliveries ORDER BY period LIMIT 1",
        [],
        |r| r.get(0),
    )
    .expect("a delivery")
}

/// The column-wise Parquet reader gives the same aggregate as the row reader it replaced
/// (kept behind `PROFORMA_PARQUET_ROWS` for this comparison): the legacy workshop sample
/// (DOUBLE costs) and a CUR 2.0 Parquet (maps; three row groups, so both workers fold),
/// compared by the workspace's every row except
/// the import record's time.
#[test]
fn column_wise_parquet_reads_what_the_row_reader_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("g");
    bin()
        .args([
            "generate-sample",
            "--months",
            "1",
            "--lines-per-month",
            "20000",
        ])
        .args(["--format", "cur2-parquet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut files = vec![out.join("cur-2026-09.parquet")];
    files.extend(common::shared_data(
        "Oct2018-WorkshopCUR-00001.snappy.parquet",
    ));
    for (n, file) in files.iter().enumerate() {
        let mut snaps = Vec::new();
        for rows in [false, true] {
            let ws = dir.path().join(format!("ws-{n}-{rows}.proforma"));
            bin().arg("init").arg(&ws).assert().success();
            let mut cmd = bin();
            if rows {
                cmd.env("PROFORMA_PARQUET_ROWS", "1");
            }
            cmd.arg("import").arg(&ws).arg(file).assert().success();
            let by_account = stdout_of(
                &[
                    "report",
                    "--period",
                    &period_of(&ws),
                    "--view",
                    "primary",
                    "--group-by",
                    "LINKED_ACCOUNT",
                    "--format",
                    "json",
                ],
                &ws,
            );
            let snap: Vec<String> = snapshot(&ws)
                .into_iter()
                .filter(|r| r.starts_with("cost_chunks") || r.starts_with("daily_costs"))
                .collect();
            assert!(!snap.is_empty());
            snaps.push((snap, by_account));
        }
        assert_eq!(snaps[0], snaps[1], "{}", file.display());
    }
}

/// The import names the format it read each input as.
#[test]
fn import_names_the_format() {
    let (dir, ws) = workspace();
    let text = format!(
        "{HEADER}\n{}",
        row("222222222222", "1", r#"{"product_name":"EC2"}"#, "{}")
    );
    let path = dir.path().join("export-00001.csv.gz");
    gzip(&path, &text);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&path)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "export-00001.csv.gz: CUR 2.0 CSV (gzip)",
        ));
}

/// A CUR 2.0 Parquet whose SQL left out the `product` map: the region comes from
/// `product_region_code` (a dictionary column as the column-wise reader asks for it), the same
/// as the row reader gives, and the tags from the `resource_tags` map.
#[test]
fn parquet_without_a_product_map_takes_the_region_code() {
    use arrow_array::builder::{MapBuilder, StringBuilder};
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("no-product.parquet");
    let text = |v: &[&str]| -> ArrayRef { Arc::new(StringArray::from(v.to_vec())) };
    let mut tags = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
    for team in ["web", "", "data"] {
        if !team.is_empty() {
            tags.keys().append_value("user_team");
            tags.values().append_value(team);
        }
        tags.append(true).expect("map row");
    }
    let batch = RecordBatch::try_from_iter([
        ("bill_payer_account_id", text(&["111111111111"; 3])),
        (
            "line_item_usage_account_id",
            text(&["222222222222", "222222222222", "333333333333"]),
        ),
        (
            "bill_billing_period_start_date",
            text(&["2026-10-01T00:00:00Z"; 3]),
        ),
        ("line_item_line_item_type", text(&["Usage"; 3])),
        ("line_item_product_code", text(&["AmazonEC2"; 3])),
        ("line_item_unblended_cost", text(&["1.25", "2.50", "4.00"])),
        (
            "product_region_code",
            text(&["eu-west-1", "us-east-1", "eu-west-1"]),
        ),
        ("resource_tags", Arc::new(tags.finish()) as ArrayRef),
    ])
    .expect("batch");
    write_parquet(&file, &batch);
    let mut snaps = Vec::new();
    for ws in import_by_both_readers(dir.path(), &file) {
        snaps.push(
            snapshot(&ws)
                .into_iter()
                .filter(|r| r.starts_with("cost_chunks"))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(snaps[0], snaps[1]);
    // The chunks' blobs hold the region and tag texts as written.
    let chunks: String = snaps[0]
        .iter()
        .filter_map(|r| r.split("Blob([").nth(1))
        .map(|b| {
            let bytes: Vec<u8> = b
                .trim_end_matches("])")
                .split(", ")
                .filter_map(|n| n.parse().ok())
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .collect();
    for text in ["eu-west-1", "us-east-1", "user_team", "web", "data"] {
        assert!(chunks.contains(text), "{text} not stored: {chunks}");
    }
}

/// A CUR 2.0 Parquet whose `product` map was written as JSON text (a user's own SQL) is
/// refused naming the column, never read as an empty map.
#[test]
fn a_parquet_map_column_written_as_text_is_refused() {
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use std::sync::Arc;
    let (dir, ws) = workspace();
    let file = dir.path().join("text-product.parquet");
    let text = |v: &str| -> ArrayRef { Arc::new(StringArray::from(vec![v])) };
    let batch = RecordBatch::try_from_iter([
        ("bill_payer_account_id", text("111111111111")),
        ("line_item_usage_account_id", text("222222222222")),
        (
            "bill_billing_period_start_date",
            text("2026-10-01T00:00:00Z"),
        ),
        ("line_item_line_item_type", text("Usage")),
        ("line_item_product_code", text("AmazonEC2")),
        ("line_item_unblended_cost", text("1.00")),
        ("product", text(r#"{"product_name":"From JSON text"}"#)),
    ])
    .expect("batch");
    write_parquet(&file, &batch);
    let before = snapshot(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("column 7 (product)"))
        .stderr(predicates::str::contains("is not a map of strings"));
    assert_eq!(before, snapshot(&ws), "nothing may be written");
}

/// Rows of a CUR 2.0 Parquet that differ only in a map cell keep their own lines when the
/// column-wise reader folds repeated rows by their signature (`fold::memo`): the product map's
/// name, its region (present, empty, absent: then the region code), entry order and a
/// repeated key (the first counts, in Parquet as in a CSV's JSON object), the tag and cost-category sets (order of entries does not
/// matter, one value does), a null map. Every variant comes back four times, interleaved, so
/// the later rows are found by signature; the aggregate equals the row reader's.
#[test]
fn rows_that_differ_only_in_a_map_cell_keep_their_own_lines() {
    use arrow_array::builder::{MapBuilder, StringBuilder};
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use std::sync::Arc;
    type Entries = Option<&'static [(&'static str, &'static str)]>;
    // (product map, region code, tags, cost categories)
    type Variant = (Entries, &'static str, Entries, Entries);
    let variants: &[Variant] = &[
        (
            Some(&[("product_name", "A"), ("region", "us-east-1")]),
            "eu-west-1",
            Some(&[("user_team", "web")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[("product_name", "B"), ("region", "us-east-1")]),
            "eu-west-1",
            Some(&[("user_team", "web")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[("product_name", "A"), ("region", "eu-west-1")]),
            "eu-west-1",
            Some(&[("user_team", "web")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[("product_name", "A")]),
            "eu-west-1",
            Some(&[("user_team", "web")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[("product_name", "A")]),
            "us-west-2",
            Some(&[("user_team", "web")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[("product_name", "A"), ("region", "")]),
            "ap-south-1",
            Some(&[("user_team", "web")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[("region", "us-east-1"), ("product_name", "A")]),
            "eu-west-1",
            Some(&[("user_team", "web")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[
                ("product_name", "C"),
                ("product_name", "A"),
                ("region", "us-east-1"),
            ]),
            "eu-west-1",
            Some(&[("user_team", "web")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            None,
            "eu-west-1",
            Some(&[("user_team", "web")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[("product_name", "A"), ("region", "us-east-1")]),
            "eu-west-1",
            Some(&[("user_team", "data")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[("product_name", "A"), ("region", "us-east-1")]),
            "eu-west-1",
            Some(&[("user_team", "web"), ("user_env", "prod")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[("product_name", "A"), ("region", "us-east-1")]),
            "eu-west-1",
            Some(&[("user_env", "prod"), ("user_team", "web")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[("product_name", "A"), ("region", "us-east-1")]),
            "eu-west-1",
            Some(&[("user_env", "web"), ("user_team", "prod")]),
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[("product_name", "A"), ("region", "us-east-1")]),
            "eu-west-1",
            None,
            Some(&[("bu", "Retail")]),
        ),
        (
            Some(&[("product_name", "A"), ("region", "us-east-1")]),
            "eu-west-1",
            Some(&[]),
            Some(&[("bu", "Media")]),
        ),
        (
            Some(&[("product_name", "A"), ("region", "us-east-1")]),
            "eu-west-1",
            Some(&[("user_team", "web")]),
            None,
        ),
    ];
    let rows: Vec<_> = (0..4).flat_map(|_| variants.iter()).collect();
    let n = rows.len();
    let map = |pick: &dyn Fn(&Variant) -> Entries| -> ArrayRef {
        let mut b = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
        for r in &rows {
            if let Some(entries) = pick(r) {
                for (k, v) in entries {
                    b.keys().append_value(k);
                    b.values().append_value(v);
                }
            }
            b.append(pick(r).is_some()).expect("map row");
        }
        Arc::new(b.finish())
    };
    let text = |v: Vec<&str>| -> ArrayRef { Arc::new(StringArray::from(v)) };
    let costs: Vec<String> = (0..n)
        .map(|i| format!("{}.{:02}", i + 1, i % 100))
        .collect();
    let batch = RecordBatch::try_from_iter([
        ("bill_payer_account_id", text(vec!["111111111111"; n])),
        ("line_item_usage_account_id", text(vec!["222222222222"; n])),
        (
            "bill_billing_period_start_date",
            text(vec!["2026-10-01T00:00:00Z"; n]),
        ),
        ("line_item_line_item_type", text(vec!["Usage"; n])),
        ("line_item_product_code", text(vec!["AmazonEC2"; n])),
        (
            "line_item_unblended_cost",
            text(costs.iter().map(String::as_str).collect()),
        ),
        (
            "line_item_usage_start_date",
            text(vec!["2026-10-02T00:00:00Z"; n]),
        ),
        (
            "product_region_code",
            text(rows.iter().map(|r| r.1).collect()),
        ),
        ("product", map(&|r| r.0)),
        ("resource_tags", map(&|r| r.2)),
        ("cost_category", map(&|r| r.3)),
    ])
    .expect("batch");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("maps.parquet");
    write_parquet(&file, &batch);
    let mut snaps = Vec::new();
    for ws in import_by_both_readers(dir.path(), &file) {
        let by_region = stdout_of(
            &[
                "report",
                "--period",
                "2026-10",
                "--view",
                "primary",
                "--group-by",
                "PRODUCT_NAME",
                "--format",
                "json",
            ],
            &ws,
        );
        snaps.push((
            snapshot(&ws)
                .into_iter()
                .filter(|r| r.starts_with("cost_chunks"))
                .collect::<Vec<_>>(),
            by_region,
        ));
    }
    assert_eq!(snaps[0], snaps[1]);
    // The repeated `product_name` key: its first entry (C), as a CSV's JSON object has it.
    assert!(snaps[0].1.contains("\"Value\": \"C\""), "{}", snaps[0].1);
}
