//! `proforma init` / `import` / `report` end to end: bad input is refused with a clear message,
//! exit 1 and an untouched workspace; deliveries replace, never add.

mod common;

use common::{bin, cur_csv, snapshot, workspace};
use predicates::prelude::*;
use std::io::Write;
use std::path::Path;

const P: &str = "999900001111";
const A: &str = "111100002222";
const B: &str = "111100003333";
const OCT: &str = "2026-10-01T00:00:00Z";
const NOV: &str = "2026-11-01T00:00:00.000Z";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zip_of(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(bytes).unwrap();
    w.finish().unwrap().into_inner()
}

fn report_json(ws: &Path, period: &str) -> serde_json::Value {
    let out = bin()
        .arg("report")
        .arg(ws)
        .args(["--period", period, "--view", "primary", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn good_csv() -> String {
    cur_csv(&[
        (P, A, OCT, "Usage", "AmazonEC2", "100.25"),
        (P, B, OCT, "Usage", "AmazonS3", "8.85E-8"),
        (P, A, OCT, "Tax", "AmazonEC2", "7"),
    ])
}

#[test]
fn init_refuses_to_overwrite() {
    let (_d, ws) = workspace();
    let before = snapshot(&ws);
    bin()
        .arg("init")
        .arg(&ws)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(snapshot(&ws), before);
}

#[test]
fn commands_on_a_missing_workspace_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("nope.proforma");
    bin()
        .arg("import")
        .arg(&ws)
        .arg("x.csv")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("proforma init"));
    assert!(
        !ws.exists(),
        "a failed command must not create the workspace"
    );
    let other = write(dir.path(), "other.db", b"just text");
    bin()
        .arg("report")
        .arg(&other)
        .args(["--period", "2026-10"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a proforma workspace"));
    assert_eq!(std::fs::read(&other).unwrap(), b"just text");
}

#[test]
fn usage_errors_exit_2() {
    bin().arg("report").assert().code(2);
    bin()
        .args(["report", "w", "--period", "2026-13"])
        .assert()
        .code(2);
    bin()
        .args(["report", "w", "--period", "2026-10", "--group-by", "COLOUR"])
        .assert()
        .code(2);
    bin().arg("frobnicate").assert().code(2);
}

#[test]
fn imports_plain_gzip_and_zip_with_the_same_result() {
    let csv = good_csv();
    let dir = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for (name, bytes) in [
        ("cur.csv", csv.as_bytes().to_vec()),
        // Detected by content, not by name: a gzip called .csv and a zip called .dat.
        ("cur-gz.csv", gzip(csv.as_bytes())),
        ("cur.dat", zip_of("report-00001.csv", csv.as_bytes())),
    ] {
        let (_d, ws) = workspace();
        let f = write(dir.path(), name, &bytes);
        bin()
            .arg("import")
            .arg(&ws)
            .arg(&f)
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "payer 999900001111 period 2026-10: imported, 3 rows, billable 100.25 USD, tax 7.00 USD, usage 2026-10-01 to 2026-10-01",
            ));
        results.push(report_json(&ws, "2026-10"));
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0], results[2]);
    assert_eq!(results[0]["Totals"]["Billable"], "100.25");
    assert_eq!(results[0]["Totals"]["Tax"], "7.00");
    assert!(results[0]["Totals"].get("Proforma").is_none());
}

#[test]
fn importing_the_same_file_twice_changes_nothing() {
    let (d, ws) = workspace();
    let f = write(d.path(), "cur.csv", good_csv().as_bytes());
    bin().arg("import").arg(&ws).arg(&f).assert().success();
    let once = snapshot(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&f)
        .assert()
        .success()
        .stdout(predicate::str::contains("unchanged"));
    assert_eq!(snapshot(&ws), once);
}

#[test]
fn a_restated_month_replaces_the_old_one() {
    let (d, ws) = workspace();
    let v1 = write(d.path(), "v1.csv", good_csv().as_bytes());
    let nov = write(
        d.path(),
        "nov.csv",
        cur_csv(&[(P, A, NOV, "Usage", "AmazonEC2", "5")]).as_bytes(),
    );
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&v1)
        .arg(&nov)
        .assert()
        .success();
    let v2 = write(
        d.path(),
        "v2.csv",
        cur_csv(&[
            (P, A, OCT, "Usage", "AmazonEC2", "90"),
            (P, A, OCT, "Credit", "AmazonEC2", "-10"),
        ])
        .as_bytes(),
    );
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&v2)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2026-10: replaced, 2 rows, billable 80.00 USD",
        ));
    let oct = report_json(&ws, "2026-10");
    assert_eq!(oct["Totals"]["Billable"], "80.00");
    assert_eq!(oct["Totals"]["Tax"], "0.00");
    // The other month is untouched.
    assert_eq!(report_json(&ws, "2026-11")["Totals"]["Billable"], "5.00");
}

#[test]
fn parts_of_one_delivery_add_up() {
    let (d, ws) = workspace();
    let p1 = write(
        d.path(),
        "part-1.csv",
        cur_csv(&[(P, A, OCT, "Usage", "AmazonEC2", "1.5")]).as_bytes(),
    );
    let p2 = write(
        d.path(),
        "part-2.csv.gz",
        &gzip(cur_csv(&[(P, B, OCT, "Usage", "AmazonEC2", "2.25")]).as_bytes()),
    );
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p1)
        .arg(&p2)
        .assert()
        .success()
        .stdout(predicate::str::contains("2 rows, billable 3.75 USD"));
}

#[test]
fn accounts_files_name_accounts() {
    let (d, ws) = workspace();
    let cur = write(d.path(), "cur.csv", good_csv().as_bytes());
    let json = write(
        d.path(),
        "accounts.json",
        br#"{"Accounts":[{"Id":"111100002222","Arn":"arn:aws:organizations::999900001111:account/o-x/111100002222","Email":"a@example.com","Name":"team-a","Status":"ACTIVE"}]}"#,
    );
    let csv = write(
        d.path(),
        "names.csv",
        b"account_id,name,email\n111100003333,team-b,b@example.com\n",
    );
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&cur)
        .arg(&json)
        .arg(&csv)
        .assert()
        .success()
        .stdout(predicate::str::contains("accounts: 2 updated"));
    let table = bin()
        .arg("report")
        .arg(&ws)
        .args([
            "--period",
            "2026-10",
            "--view",
            "primary",
            "--group-by",
            "LINKED_ACCOUNT",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("111100002222    team-a"), "{text}");
    assert!(text.contains("team-b"), "{text}");
    let once = snapshot(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&json)
        .arg(&csv)
        .assert()
        .success();
    assert_eq!(
        snapshot(&ws),
        once,
        "re-importing the same accounts changes nothing"
    );
}

/// Each bad input: exit 1, a message naming the problem, and the workspace exactly as before.
fn refused(ws: &Path, file: &Path, expect: &[&str]) {
    let before = snapshot(ws);
    let out = bin().arg("import").arg(ws).arg(file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    for e in expect {
        assert!(stderr.contains(e), "expected '{e}' in: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        snapshot(ws),
        before,
        "the workspace changed after a refused import"
    );
}

#[test]
fn bad_inputs_are_refused_without_writing() {
    let (d, ws) = workspace();
    // Some data already in place, which must survive every refusal.
    let good = write(d.path(), "good.csv", good_csv().as_bytes());
    bin().arg("import").arg(&ws).arg(&good).assert().success();
    let dir = d.path();

    let missing = write(dir, "missing.csv", b"bill/PayerAccountId,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/ProductCode\n1,2,Usage,X\n");
    refused(
        &ws,
        &missing,
        &[
            "missing.csv",
            "missing required columns",
            "bill/BillingPeriodStartDate",
            "lineItem/UnblendedCost",
        ],
    );

    let bad_number = cur_csv(&[
        (P, A, OCT, "Usage", "AmazonEC2", "1"),
        (P, A, OCT, "Usage", "AmazonEC2", "12.5.1"),
    ]);
    let f = write(dir, "bad-number.csv", bad_number.as_bytes());
    refused(
        &ws,
        &f,
        &[
            "bad-number.csv",
            "line 3",
            "column 6",
            "lineItem/UnblendedCost",
            "'12.5.1'",
            "not a number",
        ],
    );

    let bad_date = cur_csv(&[(P, A, "10/01/2026", "Usage", "AmazonEC2", "1")]);
    let f = write(dir, "bad-date.csv", bad_date.as_bytes());
    refused(
        &ws,
        &f,
        &[
            "line 2",
            "column 3",
            "bill/BillingPeriodStartDate",
            "'10/01/2026'",
            "not a date",
        ],
    );

    let mut big = good_csv();
    for _ in 0..2000 {
        big.push_str(&format!("{P},{A},{OCT},Usage,AmazonEC2,1.25,{OCT}\n"));
    }
    let gz = gzip(big.as_bytes());
    let f = write(dir, "truncated.csv.gz", &gz[..gz.len() / 2]);
    refused(
        &ws,
        &f,
        &["truncated.csv.gz", "gzip is corrupt or truncated"],
    );

    let z = zip_of("cur.csv", big.as_bytes());
    let mut broken = z.clone();
    let mid = broken.len() / 2;
    broken.truncate(mid);
    let f = write(dir, "broken.zip", &broken);
    refused(&ws, &f, &["broken.zip", "zip is corrupt or truncated"]);

    let f = write(dir, "bad.parquet", b"PAR1 this is not really parquet PAR1");
    refused(&ws, &f, &["bad.parquet", "Parquet is corrupt or truncated"]);

    let f = write(dir, "empty.csv", b"");
    refused(&ws, &f, &["empty.csv", "empty"]);

    let f = write(
        dir,
        "notes.txt",
        b"Dear team,\nplease find the bill attached.\n",
    );
    refused(&ws, &f, &["notes.txt", "not cost data"]);

    let f = write(dir, "other.json", br#"{"hello": "world"}"#);
    refused(&ws, &f, &["other.json", "not cost data"]);

    let f = write(dir, "bytes.bin", &[0u8, 159, 146, 150, 0, 1, 2, 3]);
    refused(&ws, &f, &["bytes.bin"]);

    let ragged = format!("{}{P},{A}\n", good_csv());
    let f = write(dir, "ragged.csv", ragged.as_bytes());
    refused(
        &ws,
        &f,
        &["ragged.csv", "line 5", "2 fields where the header has 7"],
    );

    // A good file beside a bad one: the good one is not written either.
    let other_month = write(
        dir,
        "nov.csv",
        cur_csv(&[(P, A, NOV, "Usage", "AmazonEC2", "5")]).as_bytes(),
    );
    let before = snapshot(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&other_month)
        .arg(&missing)
        .assert()
        .code(1);
    assert_eq!(snapshot(&ws), before);

    bin()
        .arg("import")
        .arg(&ws)
        .arg(dir.join("does-not-exist.csv"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does-not-exist.csv"));
}

#[test]
fn truncated_real_parquet_is_refused() {
    let Some(path) = common::shared_data("Oct2018-WorkshopCUR-00001.snappy.parquet") else {
        return;
    };
    let (d, ws) = workspace();
    let bytes = std::fs::read(path).unwrap();
    for (name, cut) in [
        ("head.parquet", &bytes[..bytes.len() / 2]),
        ("tail.parquet", &bytes[bytes.len() / 2..]),
    ] {
        let f = write(d.path(), name, cut);
        refused(&ws, &f, &[name]);
    }
    // Keep the footer, break the pages: the damage shows while reading rows.
    let mut damaged = bytes.clone();
    for b in damaged.iter_mut().skip(1000).take(200_000) {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    let f = write(d.path(), "damaged.parquet", &damaged);
    refused(&ws, &f, &["damaged.parquet"]);
}

#[test]
fn report_explains_missing_data_and_views() {
    let (d, ws) = workspace();
    common::fails(
        &["report"],
        &ws,
        &["--period", "2026-10"],
        "import a CUR first",
    );
    let f = write(d.path(), "cur.csv", good_csv().as_bytes());
    bin().arg("import").arg(&ws).arg(&f).assert().success();
    common::fails(
        &["report"],
        &ws,
        &["--period", "2026-09"],
        "periods with data: 2026-10",
    );
    common::fails(
        &["report"],
        &ws,
        &["--period", "2026-10", "--view", "sideways"],
        "unknown billing view",
    );
    common::fails(
        &["report"],
        &ws,
        &["--period", "2026-10", "--view", "primary:123456789012"],
        "no payer 123456789012",
    );
    bin()
        .arg("report")
        .arg(&ws)
        .args(["--period", "2026-10", "--format", "json"])
        .assert()
        .success()
        .stdout("{\n    \"BillingGroupCostReports\": []\n}\n");
}

#[test]
fn view_report_formats() {
    let (d, ws) = workspace();
    let f = write(
        d.path(),
        "cur.csv",
        cur_csv(&[
            (P, A, OCT, "Usage", "AmazonEC2", "1234567.891"),
            (P, B, OCT, "Usage", "AmazonS3", "0.005"),
            (P, B, OCT, "Credit", "AmazonS3", "-2"),
            (P, A, OCT, "Tax", "AmazonEC2", "100"),
        ])
        .as_bytes(),
    );
    bin().arg("import").arg(&ws).arg(&f).assert().success();
    let run = |format: &str| {
        let out = bin()
            .arg("report")
            .arg(&ws)
            .args([
                "--period",
                "2026-10",
                "--view",
                "primary",
                "--group-by",
                "SERVICE_CODE",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    // The total 1,234,565.896 rounds half away from zero to 1,234,565.90; the rows foot to it
    // (SPEC 5, largest remainder): -1.995 has the larger remainder and shows -1.99.
    assert_eq!(
        run("csv"),
        "SERVICE_CODE,Billable,Tax,Currency\nAmazonEC2,1234567.89,100.00,USD\nAmazonS3,-1.99,0.00,USD\n"
    );
    let table = run("table");
    assert!(
        table.contains("AmazonEC2     1,234,567.89  100.00"),
        "{table}"
    );
    assert!(
        table.contains("AmazonS3             -1.99    0.00"),
        "{table}"
    );
    assert!(
        table.contains("Total         1,234,565.90  100.00"),
        "{table}"
    );
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["BillingView"]["Type"], "PRIMARY");
    assert_eq!(
        json["BillingView"]["Arn"],
        "arn:aws:billing::999900001111:billingview/primary"
    );
    assert_eq!(json["BillingPeriod"], "2026-10");
    assert_eq!(json["Rows"][0]["Attributes"][0]["Key"], "SERVICE_CODE");
    assert_eq!(json["Rows"][0]["Attributes"][0]["Value"], "AmazonEC2");
    assert_eq!(json["Totals"]["Billable"], "1234565.90");
}
