//! Issue 11 item 4: AWS's pro forma CUR of a billing group imported with `--proforma-of`,
//! shown beside proforma's own per service (report table/JSON/CSV, explain, TUI), never as
//! billable data.
//!
//! The AWS file is written here from proforma's own per-service report of the demo's `retail`
//! group (the numbers AWS would compute with the same model), as a legacy CUR CSV with
//! `bill/InvoiceId` empty; then one service is changed by 1.23.

mod common;

use common::{bin, fails, snapshot};
use std::path::{Path, PathBuf};

const PERIOD: &str = "2026-10";
const PAYER: &str = "210987654321";
/// A member of the demo's `retail` group, and one of `fintech`.
const RETAIL_ACCOUNT: &str = "304857112600";
const FINTECH_ACCOUNT: &str = "304975903855";

fn run(ws: &Path, args: &[&str]) -> String {
    let out = bin()
        .args(&args[..1])
        .arg(ws)
        .args(&args[1..])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn report_json(ws: &Path, group: &str, by: Option<&str>) -> String {
    let mut args = vec!["report", "--period", PERIOD, "--group", group];
    if let Some(by) = by {
        args.extend(["--group-by", by]);
    }
    args.extend(["--format", "json"]);
    run(ws, &args)
}

/// `(service code, pro forma)` of a group as proforma reports it (2 decimals).
fn services(ws: &Path, group: &str) -> Vec<(String, String)> {
    let v: serde_json::Value =
        serde_json::from_str(&report_json(ws, group, Some("SERVICE_CODE"))).unwrap();
    v["BillingGroupCostReportResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Attributes"][0]["Value"].as_str().unwrap().to_string(),
                r["ProformaCost"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A legacy pro forma CUR: one row per service, `bill/InvoiceId` empty (`invoice` fills it),
/// all on `account`; `adjust` changes one service's amount.
fn pro_forma_csv(
    dir: &Path,
    name: &str,
    rows: &[(String, String)],
    account: &str,
    invoice: &str,
    adjust: Option<(&str, rust_decimal::Decimal)>,
) -> PathBuf {
    let mut s = String::from(
        "identity/LineItemId,bill/InvoiceId,bill/PayerAccountId,lineItem/UsageAccountId,\
         bill/BillingPeriodStartDate,lineItem/LineItemType,lineItem/ProductCode,\
         lineItem/UnblendedCost,lineItem/UsageStartDate,lineItem/CurrencyCode\n",
    );
    for (i, (code, amount)) in rows.iter().enumerate() {
        let mut amount: rust_decimal::Decimal = amount.parse().unwrap();
        if let Some((c, by)) = adjust
            && c == code
        {
            amount += by;
        }
        // Custom line items show as Fee lines under the Billing Conductor service.
        let kind = if code == "AWSBillingConductor" {
            "Fee"
        } else {
            "Usage"
        };
        s.push_str(&format!(
            "li{i},{invoice},{PAYER},{account},2026-10-01T00:00:00Z,{kind},{code},{amount},2026-10-01T00:00:00Z,USD\n"
        ));
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

fn copy_demo() -> (tempfile::TempDir, PathBuf) {
    common::tui::demo_copy()
}

fn comparison(ws: &Path) -> serde_json::Value {
    let v: serde_json::Value =
        serde_json::from_str(&report_json(ws, "retail", Some("SERVICE_CODE"))).unwrap();
    v["AWSProformaComparison"].clone()
}

fn differences(c: &serde_json::Value) -> Vec<(String, String)> {
    c["Services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Attributes"][0]["Value"].as_str().unwrap().to_string(),
                r["Difference"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn aws_pro_forma_equal_to_proformas_differs_by_nothing() {
    let (dir, ws) = copy_demo();
    let rows = services(&ws, "retail");
    assert!(rows.len() > 5, "{rows:?}");
    let fintech_before = report_json(&ws, "fintech", Some("SERVICE_CODE"));
    let retail_before = report_json(&ws, "retail", None);
    let file = pro_forma_csv(dir.path(), "pf.csv", &rows, RETAIL_ACCOUNT, "", None);
    let out = run(
        &ws,
        &["import", file.to_str().unwrap(), "--proforma-of", "retail"],
    );
    assert!(
        out.contains("AWS pro forma of billing group 'retail' period 2026-10: imported"),
        "{out}"
    );
    let c = comparison(&ws);
    assert_eq!(c["BillingPeriod"], "2026-10");
    assert_eq!(c["Currency"], "USD");
    let diffs = differences(&c);
    assert_eq!(diffs.len(), rows.len());
    assert!(diffs.iter().all(|(_, d)| d == "0.00"), "{diffs:?}");
    assert_eq!(c["Totals"]["Difference"], "0.00");
    // The totals are the group's: AWS's is Σ of the file, proforma's the group's ProformaCost.
    let group: serde_json::Value = serde_json::from_str(&report_json(&ws, "retail", None)).unwrap();
    let proforma = group["BillingGroupCostReportResults"][0]["ProformaCost"].clone();
    assert_eq!(c["Totals"]["ProformaCost"], proforma);
    assert_eq!(c["Totals"]["AWSProformaCost"], proforma);
    // Per service, AWS's amount is the file's.
    for r in c["Services"].as_array().unwrap() {
        let code = r["Attributes"][0]["Value"].as_str().unwrap();
        let want = rows.iter().find(|(c, _)| c == code).unwrap();
        assert_eq!(r["AWSProformaCost"].as_str().unwrap(), want.1, "{code}");
    }
    // Another group's report is byte-identical; this group's billing numbers too (only the
    // comparison is added).
    assert_eq!(
        report_json(&ws, "fintech", Some("SERVICE_CODE")),
        fintech_before
    );
    let retail_after: serde_json::Value =
        serde_json::from_str(&report_json(&ws, "retail", None)).unwrap();
    let before: serde_json::Value = serde_json::from_str(&retail_before).unwrap();
    assert_eq!(
        retail_after["BillingGroupCostReportResults"],
        before["BillingGroupCostReportResults"]
    );
    assert!(before.get("AWSProformaComparison").is_none());
    // The table says it matches.
    let table = run(&ws, &["report", "--period", PERIOD, "--group", "retail"]);
    assert!(
        table.contains("AWS pro forma of retail beside proforma's"),
        "{table}"
    );
    assert!(table.contains("matches AWS's to the cent"), "{table}");
}

#[test]
fn a_service_changed_by_1_23_shows_exactly_that_difference() {
    let (dir, ws) = copy_demo();
    let rows = services(&ws, "retail");
    let plus: rust_decimal::Decimal = "1.23".parse().unwrap();
    let first = pro_forma_csv(dir.path(), "pf.csv", &rows, RETAIL_ACCOUNT, "", None);
    run(
        &ws,
        &["import", first.to_str().unwrap(), "--proforma-of", "retail"],
    );
    // AWS computed 1.23 more for S3: proforma's is 1.23 below it.
    let file = pro_forma_csv(
        dir.path(),
        "pf-more.csv",
        &rows,
        RETAIL_ACCOUNT,
        "",
        Some(("AmazonS3", plus)),
    );
    let arn = {
        let v: serde_json::Value = serde_json::from_str(&report_json(&ws, "retail", None)).unwrap();
        v["BillingGroupCostReportResults"][0]["Arn"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // By ARN this time; the re-import replaces the first.
    let out = run(
        &ws,
        &["import", file.to_str().unwrap(), "--proforma-of", &arn],
    );
    assert!(out.contains("replaced"), "{out}");
    let c = comparison(&ws);
    for (code, d) in differences(&c) {
        let want = if code == "AmazonS3" { "-1.23" } else { "0.00" };
        assert_eq!(d, want, "{code}");
    }
    assert_eq!(c["Totals"]["Difference"], "-1.23");
    // Table: the S3 line and the total.
    let table = run(&ws, &["report", "--period", PERIOD, "--group", "retail"]);
    let s3 = table
        .lines()
        .find(|l| l.starts_with("AmazonS3 "))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(s3.trim_end().ends_with("-1.23"), "{s3}");
    let total = table.lines().rfind(|l| l.starts_with("Total")).unwrap();
    assert!(total.trim_end().ends_with("-1.23"), "{total}");
    assert!(table.contains("differs from AWS's"), "{table}");
    // CSV by service code: the two columns.
    let csv = run(
        &ws,
        &[
            "report",
            "--period",
            PERIOD,
            "--group",
            "retail",
            "--group-by",
            "SERVICE_CODE",
            "--format",
            "csv",
        ],
    );
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (code, diff) = (col("SERVICE_CODE"), col("DifferenceVsAWS"));
    let aws = col("AWSProformaCost");
    for rec in r.records() {
        let rec = rec.unwrap();
        let want = if &rec[code] == "AmazonS3" {
            "-1.23"
        } else {
            "0.00"
        };
        assert_eq!(&rec[diff], want, "{rec:?}");
        let ours: rust_decimal::Decimal = rec[col("ProformaCost")].parse().unwrap();
        let theirs: rust_decimal::Decimal = rec[aws].parse().unwrap();
        assert_eq!(
            ours - theirs,
            rec[diff].parse::<rust_decimal::Decimal>().unwrap()
        );
    }
    // explain: the whole group, and one service.
    let e = run(&ws, &["explain", "--period", PERIOD, "--group", "retail"]);
    assert!(
        e.contains("AWS pro forma of retail beside proforma's"),
        "{e}"
    );
    let e = run(
        &ws,
        &[
            "explain",
            "--period",
            PERIOD,
            "--group",
            "retail",
            "--group-by",
            "SERVICE_CODE",
            "--value",
            "AmazonS3",
        ],
    );
    assert!(e.contains("Δ vs AWS: -1.23 USD"), "{e}");

    // AWS computed 1.23 less: +1.23.
    let less = pro_forma_csv(
        dir.path(),
        "pf-less.csv",
        &rows,
        RETAIL_ACCOUNT,
        "",
        Some(("AmazonS3", -plus)),
    );
    run(
        &ws,
        &["import", less.to_str().unwrap(), "--proforma-of", "retail"],
    );
    let c = comparison(&ws);
    let s3 = differences(&c)
        .into_iter()
        .find(|(c, _)| c == "AmazonS3")
        .unwrap();
    assert_eq!(s3.1, "1.23");
    assert_eq!(c["Totals"]["Difference"], "1.23");
}

#[test]
fn the_same_file_again_changes_nothing() {
    let (dir, ws) = copy_demo();
    let rows = services(&ws, "retail");
    let file = pro_forma_csv(dir.path(), "pf.csv", &rows, RETAIL_ACCOUNT, "", None);
    let args = ["import", file.to_str().unwrap(), "--proforma-of", "retail"];
    run(&ws, &args);
    let before = snapshot(&ws);
    let out = run(&ws, &args);
    assert!(out.contains("unchanged"), "{out}");
    assert_eq!(snapshot(&ws), before);
}

/// An AWS pro forma import is not billable data: deliveries, cost data and the per-group
/// totals kept ready stay as they were (their fingerprint does not change, so a one-group
/// report still reads them).
#[test]
fn billable_data_and_kept_totals_are_untouched() {
    let (dir, ws) = copy_demo();
    let rows = services(&ws, "retail");
    // A full report keeps the totals ready.
    run(&ws, &["report", "--period", PERIOD]);
    let billing = |ws: &Path| -> Vec<String> {
        snapshot(ws)
            .into_iter()
            .filter(|l| !l.starts_with("aws_proforma") && !l.starts_with("user_version"))
            .collect()
    };
    let before = billing(&ws);
    assert!(before.iter().any(|l| l.starts_with("group_totals: ")));
    let file = pro_forma_csv(
        dir.path(),
        "pf.csv",
        &rows,
        RETAIL_ACCOUNT,
        "",
        Some(("AmazonEC2", "5".parse().unwrap())),
    );
    run(
        &ws,
        &["import", file.to_str().unwrap(), "--proforma-of", "retail"],
    );
    assert_eq!(billing(&ws), before, "only the aws_proforma tables change");
    assert!(
        snapshot(&ws)
            .iter()
            .any(|l| l.starts_with("aws_proforma_lines: ") && l.contains("AmazonEC2"))
    );
    // Reports after it write nothing either: the kept totals are still current.
    run(&ws, &["report", "--period", PERIOD]);
    run(&ws, &["report", "--period", PERIOD, "--group", "retail"]);
    assert_eq!(billing(&ws), before);
}

#[test]
fn refusals_name_the_problem_and_write_nothing() {
    let (dir, ws) = copy_demo();
    let rows = services(&ws, "retail");
    let before = snapshot(&ws);
    // A fintech account on line 3 of a retail pro forma.
    let good = pro_forma_csv(dir.path(), "pf.csv", &rows, RETAIL_ACCOUNT, "", None);
    let text = std::fs::read_to_string(&good).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[2] = lines[2].replace(RETAIL_ACCOUNT, FINTECH_ACCOUNT);
    let wrong = dir.path().join("wrong-member.csv");
    std::fs::write(&wrong, lines.join("\n") + "\n").unwrap();
    let w = wrong.to_str().unwrap();
    fails(
        &["import"],
        &ws,
        &[w, "--proforma-of", "retail"],
        "wrong-member.csv: line 3: account 304975903855 is not a member of billing group 'retail' in 2026-10, it is in billing group 'fintech'",
    );
    // A billable CUR: every row has an invoice id.
    let billable = pro_forma_csv(
        dir.path(),
        "billable.csv",
        &rows,
        RETAIL_ACCOUNT,
        "EUINUS26-1",
        None,
    );
    fails(
        &["import"],
        &ws,
        &[billable.to_str().unwrap(), "--proforma-of", "retail"],
        "billable.csv: line 2: the invoice id (bill/InvoiceId, bill_invoice_id) is 'EUINUS26-1', and every row has an invoice id: this is a billable CUR, not AWS's pro forma",
    );
    // Unknown group.
    fails(
        &["import"],
        &ws,
        &[good.to_str().unwrap(), "--proforma-of", "warehouse"],
        "no billing group 'warehouse' in 2026-10 (groups: Globex, Initech, fintech, labs, logistics, media, retail)",
    );
    // Rows of two periods.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[3] = lines[3].replacen("2026-10-01T00:00:00Z", "2026-09-01T00:00:00Z", 1);
    let two = dir.path().join("two-periods.csv");
    std::fs::write(&two, lines.join("\n") + "\n").unwrap();
    fails(
        &["import"],
        &ws,
        &[two.to_str().unwrap(), "--proforma-of", "retail"],
        "two-periods.csv: rows of several billing periods (2026-09 (1 row in",
    );
    assert_eq!(snapshot(&ws), before, "nothing written by a refused import");
}

#[test]
fn tui_shows_aws_pro_forma_beside_proformas() {
    use common::tui::{keys, open, render, select};
    let (dir, ws) = copy_demo();
    let rows = services(&ws, "retail");
    let file = pro_forma_csv(
        dir.path(),
        "pf.csv",
        &rows,
        RETAIL_ACCOUNT,
        "",
        Some(("AmazonS3", "1.23".parse().unwrap())),
    );
    run(
        &ws,
        &["import", file.to_str().unwrap(), "--proforma-of", "retail"],
    );
    let mut s = open(&ws);
    // The overview marks the group whose difference is not zero, and no other.
    let overview = render(&mut s, 120, 40);
    assert!(overview.contains("retail ≠AWS"), "{overview}");
    assert_eq!(overview.matches("≠AWS").count(), 1, "{overview}");
    keys(&mut s, "2");
    select(&mut s, "retail");
    keys(&mut s, "Enter");
    let wide = render(&mut s, 120, 40);
    assert!(wide.contains("AWS pro forma"), "{wide}");
    assert!(wide.contains("Δ vs AWS"), "{wide}");
    let s3 = wide
        .lines()
        .find(|l| l.contains("Amazon Simple Storage Service"))
        .unwrap();
    assert!(
        s3.trim_end()
            .trim_end_matches('│')
            .trim_end()
            .ends_with("-1.23"),
        "{s3}"
    );
    let screen = render(&mut s, 80, 24);
    assert!(screen.contains("Δ vs AWS"), "{screen}");
    insta::assert_snapshot!("aws_proforma_group_services_80x24", screen);
    // A group without the import: no such column.
    keys(&mut s, "Esc");
    select(&mut s, "fintech");
    keys(&mut s, "Enter");
    let other = render(&mut s, 120, 40);
    assert!(!other.contains("AWS pro forma"), "{other}");
}

/// An open window picks up AWS's pro forma imported by another process (not an audited
/// change): the column appears on the next check.
#[test]
fn an_open_window_shows_an_import_by_another_process() {
    use common::tui::{keys, open, render, select};
    let (dir, ws) = copy_demo();
    let rows = services(&ws, "retail");
    let mut s = open(&ws);
    keys(&mut s, "2");
    select(&mut s, "retail");
    keys(&mut s, "Enter");
    assert!(!render(&mut s, 120, 40).contains("AWS pro forma"));
    let file = pro_forma_csv(dir.path(), "pf.csv", &rows, RETAIL_ACCOUNT, "", None);
    run(
        &ws,
        &["import", file.to_str().unwrap(), "--proforma-of", "retail"],
    );
    assert!(s.app.check_outside());
    let screen = render(&mut s, 120, 40);
    assert!(screen.contains("AWS pro forma"), "{screen}");
    assert!(screen.contains("Δ vs AWS"), "{screen}");
    // Equal amounts: the overview marks nothing.
    keys(&mut s, "1");
    assert!(!render(&mut s, 120, 40).contains("≠AWS"));
}

#[path = "support/parquet_cur.rs"]
mod parquet_cur;

/// A Parquet pro forma CUR: read as any Parquet CUR; a non-member is named with its row.
#[test]
fn parquet_pro_forma_is_read_and_checked_the_same_way() {
    let (dir, ws) = copy_demo();
    let rows = services(&ws, "retail");
    let parsed: Vec<(String, f64)> = rows
        .iter()
        .map(|(c, a)| (c.clone(), a.parse().unwrap()))
        .collect();
    let to_rows = |account_of_second: &'static str| -> Vec<u8> {
        let r: Vec<parquet_cur::Row<'_>> = parsed
            .iter()
            .enumerate()
            .map(|(i, (c, a))| {
                let kind = if c == "AWSBillingConductor" {
                    "Fee"
                } else {
                    "Usage"
                };
                let account = if i == 1 {
                    account_of_second
                } else {
                    RETAIL_ACCOUNT
                };
                (PAYER, account, PERIOD, kind, c.as_str(), *a, "USD")
            })
            .collect();
        parquet_cur::cur_parquet(&r)
    };
    let bad = dir.path().join("wrong.parquet");
    std::fs::write(&bad, to_rows(FINTECH_ACCOUNT)).unwrap();
    let before = snapshot(&ws);
    fails(
        &["import"],
        &ws,
        &[bad.to_str().unwrap(), "--proforma-of", "retail"],
        "wrong.parquet: line 2: account 304975903855 is not a member of billing group 'retail'",
    );
    assert_eq!(snapshot(&ws), before);
    let good = dir.path().join("retail.parquet");
    std::fs::write(&good, to_rows(RETAIL_ACCOUNT)).unwrap();
    run(
        &ws,
        &["import", good.to_str().unwrap(), "--proforma-of", "retail"],
    );
    let c = comparison(&ws);
    assert!(differences(&c).iter().all(|(_, d)| d == "0.00"), "{c:#}");
    assert_eq!(c["Totals"]["Difference"], "0.00");
}

/// Same rule as deliveries: a closed period refuses a change.
#[test]
fn a_closed_period_refuses_it() {
    let (dir, ws) = copy_demo();
    let rows = services(&ws, "retail");
    {
        let mut w = proforma::store::Workspace::open(&ws).unwrap();
        w.close_period(PERIOD.parse().unwrap(), "month end")
            .unwrap();
    }
    let before = snapshot(&ws);
    let file = pro_forma_csv(dir.path(), "pf.csv", &rows, RETAIL_ACCOUNT, "", None);
    let out = bin()
        .arg("import")
        .arg(&ws)
        .args([file.to_str().unwrap(), "--proforma-of", "retail"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2026-10"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(snapshot(&ws), before);
}

/// A workspace of the schema before the AWS pro forma tables (9) upgrades on open: its
/// reports are unchanged and it takes an AWS pro forma.
#[test]
fn a_workspace_of_the_previous_schema_upgrades() {
    let (dir, ws) = copy_demo();
    let rows = services(&ws, "retail");
    let before = report_json(&ws, "retail", Some("SERVICE_CODE"));
    {
        let conn = rusqlite::Connection::open(&ws).unwrap();
        conn.execute_batch(
            "DROP TABLE aws_proforma_lines; DROP TABLE aws_proforma; PRAGMA user_version = 9;",
        )
        .unwrap();
    }
    let file = pro_forma_csv(dir.path(), "pf.csv", &rows, RETAIL_ACCOUNT, "", None);
    run(
        &ws,
        &["import", file.to_str().unwrap(), "--proforma-of", "retail"],
    );
    assert!(snapshot(&ws).contains(&format!(
        "user_version {}",
        proforma::store::schema::latest_version()
    )));
    let after: serde_json::Value =
        serde_json::from_str(&report_json(&ws, "retail", Some("SERVICE_CODE"))).unwrap();
    let before: serde_json::Value = serde_json::from_str(&before).unwrap();
    assert_eq!(
        after["BillingGroupCostReportResults"],
        before["BillingGroupCostReportResults"]
    );
    assert_eq!(
        after["AWSProformaComparison"]["Totals"]["Difference"],
        "0.00"
    );
}

/// A billing-group view's Data Export comes with a manifest: `--proforma-of` takes the
/// manifest and reads the parts it lists, as a billable import does.
#[test]
fn a_manifest_stands_for_its_parts() {
    let (dir, ws) = copy_demo();
    let rows = services(&ws, "retail");
    let folder = dir.path().join("export");
    std::fs::create_dir_all(&folder).unwrap();
    pro_forma_csv(&folder, "pf-1.csv", &rows, RETAIL_ACCOUNT, "", None);
    let manifest = folder.join("pf-Manifest.json");
    std::fs::write(
        &manifest,
        format!(r#"{{"account":"{PAYER}","billingPeriod":"2026-10","dataFiles":["pf-1.csv"]}}"#),
    )
    .unwrap();
    let out = run(
        &ws,
        &[
            "import",
            manifest.to_str().unwrap(),
            "--proforma-of",
            "retail",
        ],
    );
    assert!(
        out.contains("AWS pro forma of billing group 'retail' period 2026-10: imported"),
        "{out}"
    );
    assert!(
        differences(&comparison(&ws))
            .iter()
            .all(|(_, d)| d == "0.00")
    );
}

/// A service only AWS's pro forma charged: `explain` of that service says proforma has none
/// of it and shows AWS's amount and the difference (not "no such service").
#[test]
fn a_service_only_aws_charged_is_explained() {
    let (dir, ws) = copy_demo();
    let mut rows = services(&ws, "retail");
    rows.push(("AmazonNewThing".to_string(), "7.50".to_string()));
    let file = pro_forma_csv(dir.path(), "pf.csv", &rows, RETAIL_ACCOUNT, "", None);
    run(
        &ws,
        &["import", file.to_str().unwrap(), "--proforma-of", "retail"],
    );
    let e = run(
        &ws,
        &[
            "explain",
            "--period",
            PERIOD,
            "--group",
            "retail",
            "--group-by",
            "SERVICE_CODE",
            "--value",
            "AmazonNewThing",
        ],
    );
    assert!(
        e.contains("proforma has no lines of SERVICE_CODE 'AmazonNewThing'"),
        "{e}"
    );
    assert!(
        e.contains(
            "AWS pro forma of AmazonNewThing: 7.50 USD; proforma's: 0.00 USD; Δ vs AWS: -7.50 USD"
        ),
        "{e}"
    );
}
