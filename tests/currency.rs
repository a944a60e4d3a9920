//! Issue 8 item 4: amounts are in the rows' own currency (`lineItem/CurrencyCode`), shown in
//! the import line, report headers, JSON and CSV; a (payer, period) in several currencies is
//! refused, never summed. Inputs: tests/data/currency (copied from ../shared/cases/currency).

mod common;

use common::{bin, workspace};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/currency")
        .join(name)
}

/// The workspace's bytes (and whether a WAL is beside it): equal means nothing was written.
fn bytes_of(ws: &Path) -> (Vec<u8>, Option<Vec<u8>>) {
    let wal = PathBuf::from(format!("{}-wal", ws.display()));
    (
        std::fs::read(ws).unwrap(),
        std::fs::read(&wal).ok().filter(|w| !w.is_empty()),
    )
}

fn stdout(args: &[&str], ws: &Path, rest: &[&str]) -> String {
    let out = bin().args(args).arg(ws).args(rest).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn cny_rows_are_shown_in_cny_everywhere() {
    let (_d, ws) = workspace();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(data("cny.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "payer 111122223333 period 2024-03: imported, 1 row, billable 100.00 CNY, tax 0.00 CNY",
        ))
        .stdout(predicate::str::contains("USD").not());

    let table = stdout(
        &["report"],
        &ws,
        &["--period", "2024-03", "--view", "primary"],
    );
    let title = table.lines().next().unwrap();
    assert!(title.ends_with("2024-03, CNY"), "{table}");
    assert!(table.contains("100.00"), "{table}");
    assert!(!table.contains("USD"), "{table}");

    let json: serde_json::Value = serde_json::from_str(&stdout(
        &["report"],
        &ws,
        &[
            "--period", "2024-03", "--view", "primary", "--format", "json",
        ],
    ))
    .unwrap();
    assert_eq!(json["Currency"], "CNY");
    assert_eq!(json["Totals"]["Billable"], "100.00");

    let csv = stdout(
        &["report"],
        &ws,
        &[
            "--period",
            "2024-03",
            "--view",
            "primary:111122223333",
            "--format",
            "csv",
        ],
    );
    assert_eq!(csv, "Billable,Tax,Currency\n100.00,0.00,CNY\n");
}

#[test]
fn china_partition_payer_reports_in_cny() {
    let (_d, ws) = workspace();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(data("cur-cn.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "billable 165.00 CNY, tax 0.00 CNY",
        ));
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(data("bundle-cn.json"))
        .assert()
        .success();

    let json: serde_json::Value = serde_json::from_str(&stdout(
        &["report"],
        &ws,
        &["--period", "2024-03", "--format", "json"],
    ))
    .unwrap();
    let g = &json["BillingGroupCostReports"][0];
    assert_eq!(g["ProformaCost"], "201.00", "{json}");
    assert_eq!(g["AWSCost"], "125.00", "{json}");
    assert_eq!(g["Margin"], "76.00", "{json}");
    assert_eq!(g["MarginPercentage"], "60.80", "{json}");
    assert_eq!(g["Currency"], "CNY", "{json}");

    let table = stdout(&["report"], &ws, &["--period", "2024-03"]);
    assert!(
        table.starts_with("Billing groups 2024-03, CNY\n"),
        "{table}"
    );
    assert!(
        table.contains("Unmonitored accounts: billable 40.00"),
        "{table}"
    );
    assert!(
        table.contains("Invoice total (all payers): 165.00"),
        "{table}"
    );
    assert!(!table.contains("USD"), "{table}");

    let csv = stdout(
        &["report"],
        &ws,
        &["--period", "2024-03", "--format", "csv"],
    );
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(",Tax,Currency"), "{csv}");
    let row = lines.next().unwrap();
    assert!(row.contains(",125.00,201.00,76.00,60.80,"), "{csv}");
    assert!(row.ends_with(",CNY"), "{csv}");

    // A group's attribute report carries the same currency.
    let json: serde_json::Value = serde_json::from_str(&stdout(
        &["report"],
        &ws,
        &[
            "--period",
            "2024-03",
            "--group",
            "cn-apps",
            "--group-by",
            "LINE_ITEM_TYPE",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    let rows = json["BillingGroupCostReportResults"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["Currency"] == "CNY"), "{json}");
}

#[test]
fn mixed_currencies_in_one_payer_and_period_are_refused() {
    let (_d, ws) = workspace();
    let before = bytes_of(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(data("mixed.csv"))
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("mixed.csv"))
        .stderr(predicate::str::contains(
            "payer 111122223333, period 2024-04",
        ))
        .stderr(predicate::str::contains("USD (line 2) and EUR (line 3)"));
    assert_eq!(
        bytes_of(&ws),
        before,
        "a refused import wrote to the workspace"
    );
}

#[test]
fn mixed_currencies_across_the_parts_of_one_delivery_are_refused() {
    let (dir, ws) = workspace();
    let header = "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/ProductCode,lineItem/UnblendedCost,lineItem/CurrencyCode\n";
    let usd = dir.path().join("part-1.csv");
    let eur = dir.path().join("part-2.csv");
    std::fs::write(
        &usd,
        format!("{header}111122223333,2024-04-01T00:00:00Z,444455556666,Usage,AmazonEC2,1,USD\n111122223333,2024-04-01T00:00:00Z,444455556666,Usage,AmazonS3,2,USD\n"),
    )
    .unwrap();
    std::fs::write(
        &eur,
        format!("{header}111122223333,2024-04-01T00:00:00Z,444455556666,Usage,AmazonEC2,1,USD\n111122223333,2024-04-01T00:00:00Z,444455556666,Usage,AmazonS3,2,EUR\n"),
    )
    .unwrap();
    let before = bytes_of(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&usd)
        .arg(&eur)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("EUR (line 3)"))
        .stderr(predicate::str::contains("USD (line 2)"));
    assert_eq!(bytes_of(&ws), before);

    // Across files: each file is in one currency, but together they mix.
    std::fs::write(
        &eur,
        format!("{header}111122223333,2024-04-01T00:00:00Z,444455556666,Usage,AmazonEC2,1,EUR\n"),
    )
    .unwrap();
    let out = bin()
        .arg("import")
        .arg(&ws)
        .arg(&usd)
        .arg(&eur)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("part-1.csv line 2"), "{err}");
    assert!(err.contains("part-2.csv line 2"), "{err}");
    assert!(err.contains("USD") && err.contains("EUR"), "{err}");
    assert_eq!(bytes_of(&ws), before);
}

#[test]
fn a_bad_currency_code_is_refused_and_rows_without_one_are_usd() {
    let (dir, ws) = workspace();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/ProductCode,lineItem/UnblendedCost,lineItem/CurrencyCode\n111122223333,2024-04-01T00:00:00Z,444455556666,Usage,AmazonEC2,1,dollars\n",
    )
    .unwrap();
    common::fails(
        &["import"],
        &ws,
        &[bad.to_str().unwrap()],
        "bad.csv: line 2, column 7 (lineItem/CurrencyCode): 'dollars' is not a currency code",
    );
    // No currency column at all: USD (README decision).
    let plain = dir.path().join("plain.csv");
    std::fs::write(
        &plain,
        common::cur_csv(&[(
            "111122223333",
            "444455556666",
            "2024-04-01T00:00:00Z",
            "Usage",
            "AmazonEC2",
            "2.5",
        )]),
    )
    .unwrap();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&plain)
        .assert()
        .success()
        .stdout(predicate::str::contains("billable 2.50 USD"));
}

#[test]
fn payers_in_different_currencies_are_never_added_up() {
    let (dir, ws) = workspace();
    let usd = dir.path().join("usd.csv");
    std::fs::write(
        &usd,
        "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/ProductCode,lineItem/UnblendedCost,lineItem/CurrencyCode\n999988887777,2024-03-01T00:00:00Z,999988887777,Usage,AmazonEC2,7,USD\n",
    )
    .unwrap();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(data("cny.csv"))
        .arg(&usd)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "payer 111122223333 period 2024-03: imported, 1 row, billable 100.00 CNY",
        ))
        .stdout(predicate::str::contains(
            "payer 999988887777 period 2024-03: imported, 1 row, billable 7.00 USD",
        ));
    common::fails(
        &["report"],
        &ws,
        &["--period", "2024-03", "--format", "json"],
        "payer 111122223333 in CNY, payer 999988887777 in USD",
    );
    let cny = stdout(
        &["report"],
        &ws,
        &[
            "--period",
            "2024-03",
            "--view",
            "primary:111122223333",
            "--format",
            "json",
        ],
    );
    assert!(cny.contains("\"Currency\": \"CNY\""), "{cny}");
    let usd = stdout(
        &["report"],
        &ws,
        &[
            "--period",
            "2024-03",
            "--view",
            "primary:999988887777",
            "--format",
            "json",
        ],
    );
    assert!(usd.contains("\"Currency\": \"USD\""), "{usd}");
}

#[test]
fn reimporting_the_same_cny_file_changes_nothing() {
    let (_d, ws) = workspace();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(data("cny.csv"))
        .assert()
        .success();
    let before = common::snapshot(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(data("cny.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "unchanged, 1 row, billable 100.00 CNY",
        ));
    assert_eq!(common::snapshot(&ws), before);
}

/// The TUI's top bar names the currency of the amounts on screen, from the same `Analysis`
/// the CLI reports from.
#[test]
fn the_tui_top_bar_names_the_currency() {
    let (_d, ws) = workspace();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(data("cur-cn.csv"))
        .assert()
        .success();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(data("bundle-cn.json"))
        .assert()
        .success();
    let mut s = common::tui::open_as(&ws, "cn.proforma");
    assert_eq!(s.app.current().currency().unwrap(), "CNY");
    for (w, h) in [(120, 30), (80, 24)] {
        let screen = common::tui::screen_at(&mut s, w, h);
        let top = screen.lines().next().unwrap_or_default();
        assert!(top.contains("2024-03 (1/1) CNY"), "{top}");
        assert!(
            screen.contains("201.00"),
            "the group's pro forma is on screen"
        );
    }
}

#[path = "support/parquet_cur.rs"]
mod parquet_cur;

/// Parquet rows carry their currency in `line_item_currency_code`.
#[test]
fn parquet_rows_carry_their_currency() {
    let (dir, ws) = workspace();
    let f = dir.path().join("cn.parquet");
    std::fs::write(
        &f,
        parquet_cur::cur_parquet(&[
            (
                "111122223333",
                "444455556666",
                "2024-03",
                "Usage",
                "AmazonEC2",
                60.5,
                "CNY",
            ),
            (
                "111122223333",
                "444455556667",
                "2024-03",
                "Usage",
                "AmazonS3",
                0.1,
                "CNY",
            ),
        ]),
    )
    .unwrap();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&f)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "payer 111122223333 period 2024-03: imported, 2 rows, billable 60.60 CNY",
        ));
    let mixed = dir.path().join("mixed.parquet");
    std::fs::write(
        &mixed,
        parquet_cur::cur_parquet(&[
            (
                "111122223333",
                "444455556666",
                "2024-04",
                "Usage",
                "AmazonEC2",
                1.0,
                "CNY",
            ),
            (
                "111122223333",
                "444455556666",
                "2024-04",
                "Usage",
                "AmazonEC2",
                1.0,
                "CNY",
            ),
            (
                "111122223333",
                "444455556667",
                "2024-04",
                "Usage",
                "AmazonS3",
                1.0,
                "USD",
            ),
        ]),
    )
    .unwrap();
    let before = bytes_of(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&mixed)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "mixed.parquet: payer 111122223333, period 2024-04 mixes currencies: CNY (line 1) and USD (line 3)",
        ));
    assert_eq!(bytes_of(&ws), before);
}

/// A row with an empty currency cell states none: it follows the other rows of its
/// (payer, period) instead of being taken for USD and mixed in.
#[test]
fn an_empty_currency_cell_follows_the_other_rows() {
    let (dir, ws) = workspace();
    let f = dir.path().join("gaps.csv");
    std::fs::write(
        &f,
        "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/ProductCode,lineItem/UnblendedCost,lineItem/CurrencyCode\n\
111122223333,2024-03-01T00:00:00Z,444455556666,Usage,AmazonEC2,1,\n\
111122223333,2024-03-01T00:00:00Z,444455556666,Usage,AmazonEC2,2,CNY\n\
111122223333,2024-03-01T00:00:00Z,444455556666,Usage,AmazonS3,3,\\N\n",
    )
    .unwrap();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&f)
        .assert()
        .success()
        .stdout(predicate::str::contains("3 rows, billable 6.00 CNY"));
}

/// A flat custom line item charged in USD on a group billed in CNY would add dollars to yuan:
/// reports refuse, naming the item, its currency and the period's; the same item in CNY is
/// added. The bundle is the China case's with one flat fee (ARNs in the aws-cn partition).
#[test]
fn a_flat_item_in_another_currency_is_never_added_up() {
    let bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("bundle-cn.json")).unwrap()).unwrap();
    let with_fee = |currency: &str| {
        let mut b = bundle.clone();
        b["CustomLineItems"] = serde_json::json!([{
            "Name": "support-fee",
            "Arn": "arn:aws-cn:billingconductor::111122223333:customlineitem/CNITEM0001",
            "Description": "support",
            "BillingGroupArn": "arn:aws-cn:billingconductor::111122223333:billinggroup/CNGROUP001",
            "CurrencyCode": currency,
            "ChargeDetails": {"Type": "FEE", "Flat": {"ChargeValue": 10}},
            "BillingPeriodRange": {"InclusiveStartBillingPeriod": "2024-03"}
        }]);
        b.to_string()
    };
    let (d, ws) = workspace();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(data("cur-cn.csv"))
        .assert()
        .success();
    let usd = d.path().join("usd.json");
    std::fs::write(&usd, with_fee("USD")).unwrap();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&usd)
        .args(["--from-period", "2024-03"])
        .assert()
        .success();
    let before = bytes_of(&ws);
    bin()
        .arg("report")
        .arg(&ws)
        .args(["--period", "2024-03", "--format", "json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "custom line item 'support-fee' of billing group 'cn-apps' charges 10.00 USD, but 2024-03 is billed in CNY",
        ))
        .stdout(predicate::str::is_empty());
    assert_eq!(bytes_of(&ws), before, "a refused report writes nothing");

    let cny = d.path().join("cny.json");
    std::fs::write(&cny, with_fee("CNY")).unwrap();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&cny)
        .args(["--from-period", "2024-03"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&stdout(
        &["report"],
        &ws,
        &["--period", "2024-03", "--format", "json"],
    ))
    .unwrap();
    let g = &json["BillingGroupCostReports"][0];
    // 201.00 (the China case's pro forma) + the 10.00 fee.
    assert_eq!(g["ProformaCost"], "211.00");
    assert_eq!(g["Currency"], "CNY");
}

/// `explain` names the amounts' currency in its title (CNY for the China-partition payer).
#[test]
fn explain_names_the_currency() {
    let (_d, ws) = workspace();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(data("cur-cn.csv"))
        .assert()
        .success();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(data("bundle-cn.json"))
        .assert()
        .success();
    let text = stdout(
        &["explain"],
        &ws,
        &["--period", "2024-03", "--group", "cn-apps"],
    );
    assert!(
        text.lines().next().unwrap().ends_with("2024-03, CNY"),
        "{text}"
    );
}

/// The import summary counts in words: one of a kind is singular ("1 billing group").
#[test]
fn config_import_counts_read_as_english() {
    let (_d, ws) = workspace();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(data("cur-cn.csv"))
        .assert()
        .success();
    let out = bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(data("bundle-cn.json"))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("1 billing group,"), "{text}");
    assert!(!text.contains("1 billing groups"), "{text}");
}
