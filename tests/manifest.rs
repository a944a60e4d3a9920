//! `proforma import WS manifest.json`: legacy CUR and Data Exports manifests (issue 11 item 2).

mod common;

use common::{bin, cur_csv, snapshot, workspace};
use std::path::Path;

fn gz(path: &Path, text: &str) {
    use std::io::Write;
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let mut g = flate2::write::GzEncoder::new(
        std::fs::File::create(path).expect("create"),
        flate2::Compression::default(),
    );
    g.write_all(text.as_bytes()).expect("write");
    g.finish().expect("finish");
}

const P: &str = "111111111111";
const START: &str = "2026-10-01T00:00:00Z";

/// A legacy "keep previous versions" layout: the period-level manifest, its parts in the
/// assembly folder.
fn legacy_layout(root: &Path, part2_payer: &str) -> std::path::PathBuf {
    let period = root.join("cur/report/20261001-20261101");
    let asm = period.join("0f1e2d3c-aaaa-bbbb-cccc-000000000001");
    gz(
        &asm.join("report-1.csv.gz"),
        &cur_csv(&[
            (P, "222222222222", START, "Usage", "AmazonEC2", "1.25"),
            (P, "222222222222", START, "Usage", "AmazonS3", "0.75"),
        ]),
    );
    gz(
        &asm.join("report-2.csv.gz"),
        &cur_csv(&[(
            part2_payer,
            "333333333333",
            START,
            "Usage",
            "AmazonEC2",
            "3.00",
        )]),
    );
    let manifest = period.join("report-Manifest.json");
    std::fs::write(
        &manifest,
        format!(
            r#"{{"assemblyId":"0f1e2d3c-aaaa-bbbb-cccc-000000000001","account":"{P}",
"columns":[{{"category":"bill","name":"PayerAccountId","type":"String"}}],
"charset":"UTF-8","compression":"GZIP","contentType":"text/csv","reportName":"report",
"billingPeriod":{{"start":"20261001T000000.000Z","end":"20261101T000000.000Z"}},
"bucket":"my-bucket",
"reportKeys":["cur/report/20261001-20261101/0f1e2d3c-aaaa-bbbb-cccc-000000000001/report-1.csv.gz",
"cur/report/20261001-20261101/0f1e2d3c-aaaa-bbbb-cccc-000000000001/report-2.csv.gz"],
"additionalArtifactKeys":[]}}"#
        ),
    )
    .expect("manifest");
    manifest
}

#[test]
fn legacy_manifest_imports_its_parts_as_one_delivery() {
    let (dir, ws) = workspace();
    let manifest = legacy_layout(dir.path(), P);
    let out = bin()
        .arg("import")
        .arg(&ws)
        .arg(&manifest)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("period 2026-10").count(), 1, "{text}");
    assert!(
        text.contains("payer 111111111111 period 2026-10: imported, 3 rows, billable 5.00 USD"),
        "{text}"
    );
}

#[test]
fn a_part_of_another_payer_is_refused_and_nothing_is_written() {
    let (dir, ws) = workspace();
    let manifest = legacy_layout(dir.path(), "999999999999");
    let before = snapshot(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&manifest)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("report-Manifest.json"))
        .stderr(predicates::str::contains(
            "report-2.csv.gz holds rows of payer 999999999999, period 2026-10, but the legacy \
             CUR manifest is the delivery of payer 111111111111, period 2026-10",
        ));
    assert_eq!(before, snapshot(&ws));
}

#[test]
fn a_missing_part_is_named_and_nothing_is_written() {
    let (dir, ws) = workspace();
    let manifest = legacy_layout(dir.path(), P);
    let part = manifest
        .parent()
        .expect("dir")
        .join("0f1e2d3c-aaaa-bbbb-cccc-000000000001/report-2.csv.gz");
    std::fs::remove_file(part).expect("remove");
    let before = snapshot(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&manifest)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "a part of the delivery is missing: cur/report/20261001-20261101/\
             0f1e2d3c-aaaa-bbbb-cccc-000000000001/report-2.csv.gz",
        ));
    assert_eq!(before, snapshot(&ws));
}

/// Data Exports: `metadata/BILLING_PERIOD=.../` beside `data/BILLING_PERIOD=.../`, s3:// keys,
/// CUR 2.0 parts; the payer from `exportArn`, the period from the keys; sizes checked.
#[test]
fn data_exports_manifest_with_sizes() {
    let (dir, ws) = workspace();
    let root = dir.path().join("exports/my-export");
    let header = "bill_payer_account_id,line_item_usage_account_id,bill_billing_period_start_date,\
line_item_line_item_type,line_item_product_code,line_item_unblended_cost,product,resource_tags";
    let row = |acct: &str, cost: &str| {
        format!(
            "{P},{acct},{START},Usage,AmazonEC2,{cost},\"{{\"\"product_name\"\":\"\"Amazon Elastic Compute Cloud\"\"}}\",\"{{}}\"\n"
        )
    };
    let data = root.join("data/BILLING_PERIOD=2026-10");
    gz(
        &data.join("my-export-00001.csv.gz"),
        &format!("{header}\n{}", row("222222222222", "2.00")),
    );
    gz(
        &data.join("my-export-00002.csv.gz"),
        &format!("{header}\n{}", row("333333333333", "0.50")),
    );
    let size = |n: &str| std::fs::metadata(data.join(n)).expect("size").len();
    let meta = root.join("metadata/BILLING_PERIOD=2026-10");
    std::fs::create_dir_all(&meta).expect("mkdir");
    let manifest = meta.join("my-export-Manifest.json");
    let write_manifest = || {
        std::fs::write(
            &manifest,
            format!(
                r#"{{"executionId":"e-1","exportArn":"arn:aws:bcm-data-exports:us-east-1:{P}:export/my-export-1",
"schema":"2","columns":[{{"name":"bill_payer_account_id","type":"string"}}],
"dataFiles":[{{"key":"s3://bucket/exports/my-export/data/BILLING_PERIOD=2026-10/my-export-00001.csv.gz","size":{}}},
"s3://bucket/exports/my-export/data/BILLING_PERIOD=2026-10/my-export-00002.csv.gz"],
"finalized":true}}"#,
                size("my-export-00001.csv.gz")
            ),
        )
        .expect("manifest");
    };
    write_manifest();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&manifest)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "payer 111111111111 period 2026-10: imported, 2 rows, billable 2.50 USD",
        ));
    assert!(snapshot(&ws).join("\n").contains("CUR 2.0 CSV (gzip)"));

    // A size that differs: refused, nothing written.
    let (_d2, ws2) = workspace();
    let text = std::fs::read_to_string(&manifest).expect("read");
    let wrong = text.replace(
        &format!("\"size\":{}", size("my-export-00001.csv.gz")),
        "\"size\":12",
    );
    std::fs::write(&manifest, wrong).expect("write");
    let before = snapshot(&ws2);
    bin()
        .arg("import")
        .arg(&ws2)
        .arg(&manifest)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("where the manifest says 12"));
    assert_eq!(before, snapshot(&ws2));
}

#[test]
fn a_json_that_is_not_a_manifest_is_still_refused_as_before() {
    let (dir, ws) = workspace();
    let p = dir.path().join("x.json");
    std::fs::write(&p, r#"{"reportName":"r"}"#).expect("write");
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("neither an account list"));
    let p = dir.path().join("m.json");
    std::fs::write(&p, r#"{"reportKeys":[]}"#).expect("write");
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("`reportKeys` lists no data file"));
}
