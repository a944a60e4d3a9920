//! Issue 9: a billing view that holds monitored and unmonitored accounts reads straight across
//! (the monitored accounts' billable beside their pro forma and margin, the unmonitored
//! accounts' billable on a line of its own), and one service is one row whether or not its
//! lines carry a product name. The input (tests/data/views_split): account 111100002222 in
//! group "web" (GLOBAL MARKUP 10%) with Route 53 usage 100.00 (public 100.00), an EDP
//! discount -10.00 whose name column holds only the code, tax 8.00 with no name and
//! CloudWatch usage 5.00 (no name anywhere); account 111100003333 in no group with Route 53
//! usage 20.00, EC2 usage 50.00 and tax 4.00.
//!
//! Expected by hand: Route 53 monitored billable 100 - 10 = 90.00, pro forma 110.00 (the
//! discount is left out, SPEC 4.2), margin 20.00; CloudWatch 5.00 -> 5.50; monitored total
//! 95.00 / 115.50 / 20.50, tax 8.00; unmonitored 20 + 50 = 70.00, tax 4.00; total 165.00,
//! tax 12.00.

mod common;

use common::tui::{open, press, screen_at, select};
use std::path::{Path, PathBuf};

fn data(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/views_split")
        .join(file)
}

fn split_workspace() -> (tempfile::TempDir, PathBuf) {
    let (dir, ws) = common::workspace();
    common::bin()
        .arg("import")
        .arg(&ws)
        .arg(data("cur.csv"))
        .assert()
        .success();
    common::bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(data("config.toml"))
        .args(["--from-period", "2026-10"])
        .assert()
        .success();
    (dir, ws)
}

fn report(ws: &Path, args: &[&str]) -> String {
    let out = common::bin()
        .arg("report")
        .arg(ws)
        .args(["--period", "2026-10"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The lines of a table from its header on, with runs of spaces collapsed to one.
fn squeezed(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn a_mixed_view_table_reads_straight_across() {
    let (_d, ws) = split_workspace();
    for view in ["primary", "custom:Everything"] {
        let out = report(&ws, &["--view", view, "--group-by", "PRODUCT_NAME"]);
        let lines = squeezed(&out);
        let after_header: Vec<&str> = lines.iter().skip(3).map(String::as_str).collect();
        assert_eq!(
            after_header,
            [
                "Amazon Route 53 90.00 110.00 20.00 22.22 8.00",
                "AmazonCloudWatch 5.00 5.50 0.50 10.00 0.00",
                "------------------------------------ -------- --------- ------ -------- -----",
                "Monitored accounts 95.00 115.50 20.50 21.58 8.00",
                "Unmonitored accounts (billable only) 70.00 – – – 4.00",
                "Total 165.00 – – – 12.00",
            ],
            "{view}:\n{out}"
        );
        // The unmonitored accounts' own rows (EC2) are in their line, not beside a margin.
        assert!(!out.contains("Amazon Elastic Compute Cloud"), "{out}");
    }
    // Without --group-by: the same three labelled lines.
    let out = report(&ws, &["--view", "primary"]);
    let lines = squeezed(&out);
    assert_eq!(
        lines[3..],
        [
            "Monitored accounts 95.00 115.50 20.50 21.58 8.00",
            "Unmonitored accounts (billable only) 70.00 – – – 4.00",
            "Total 165.00 – – – 12.00",
        ],
        "{out}"
    );
}

#[test]
fn mixed_view_json_and_csv_carry_the_parts() {
    let (_d, ws) = split_workspace();
    let json: serde_json::Value = serde_json::from_str(&report(
        &ws,
        &[
            "--view",
            "primary",
            "--group-by",
            "PRODUCT_NAME",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    let t = &json["Totals"];
    let field = |o: &serde_json::Value, k: &str| o[k].as_str().map(String::from);
    let expect = [
        ("Billable", "165.00"),
        ("Proforma", "115.50"),
        ("Margin", "20.50"),
        ("Tax", "12.00"),
        ("MonitoredBillable", "95.00"),
        ("MonitoredTax", "8.00"),
        ("UnmonitoredBillable", "70.00"),
        ("UnmonitoredTax", "4.00"),
    ];
    for (k, v) in expect {
        assert_eq!(field(t, k).as_deref(), Some(v), "Totals.{k}");
    }
    let rows = json["Rows"].as_array().unwrap();
    let route53 = rows
        .iter()
        .find(|r| r["Attributes"][0]["Value"] == "Amazon Route 53")
        .unwrap();
    for (k, v) in [
        ("Billable", "110.00"),
        ("MonitoredBillable", "90.00"),
        ("Proforma", "110.00"),
        ("Margin", "20.00"),
        ("UnmonitoredBillable", "20.00"),
        ("Tax", "8.00"),
        ("MonitoredTax", "8.00"),
        ("UnmonitoredTax", "0.00"),
    ] {
        assert_eq!(field(route53, k).as_deref(), Some(v), "Route 53 {k}");
    }
    // A row of unmonitored accounts only: no pro forma, all of it unmonitored.
    let ec2 = rows
        .iter()
        .find(|r| r["Attributes"][0]["Value"] == "Amazon Elastic Compute Cloud")
        .unwrap();
    assert_eq!(ec2.get("Proforma"), None);
    assert_eq!(field(ec2, "UnmonitoredBillable").as_deref(), Some("50.00"));
    assert_eq!(field(ec2, "MonitoredBillable").as_deref(), Some("0.00"));
    // One service, one row: no row keyed by the bare code.
    assert!(
        rows.iter()
            .all(|r| r["Attributes"][0]["Value"] != "AmazonRoute53"),
        "{json}"
    );

    let csv = report(
        &ws,
        &[
            "--view",
            "primary",
            "--group-by",
            "PRODUCT_NAME",
            "--format",
            "csv",
        ],
    );
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "PRODUCT_NAME,Billable,MonitoredBillable,Proforma,Margin,Tax,MonitoredTax,UnmonitoredBillable,UnmonitoredTax,Currency"
        )
    );
    assert!(
        csv.contains("Amazon Route 53,110.00,90.00,110.00,20.00,8.00,8.00,20.00,0.00,USD"),
        "{csv}"
    );
    assert!(
        csv.contains("Amazon Elastic Compute Cloud,50.00,0.00,,,4.00,0.00,50.00,4.00,USD"),
        "{csv}"
    );
}

#[test]
fn a_view_of_monitored_accounts_only_keeps_its_shape() {
    let (_d, ws) = split_workspace();
    let out = report(&ws, &["--view", "group:web", "--group-by", "PRODUCT_NAME"]);
    let lines = squeezed(&out);
    assert_eq!(
        lines[1], "Product name Billable Pro forma Margin Margin % Tax",
        "{out}"
    );
    assert_eq!(lines.last().unwrap(), "Total 95.00 115.50 20.50 21.58 8.00");
    assert!(!out.contains("Unmonitored"), "{out}");
    let json = report(&ws, &["--view", "group:web", "--format", "json"]);
    assert!(!json.contains("MonitoredBillable"), "{json}");
}

#[test]
fn explaining_a_mixed_row_reads_straight_across() {
    let (_d, ws) = split_workspace();
    let out = common::bin()
        .arg("explain")
        .arg(&ws)
        .args(["--period", "2026-10", "--view", "primary"])
        .args(["--group-by", "PRODUCT_NAME", "--value", "Amazon Route 53"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "monitored accounts: billable 90.00, pro forma 110.00, margin 20.00, tax 8.00\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("unmonitored accounts (billable only): billable 20.00, tax 0.00\n"),
        "{text}"
    );
    assert!(
        text.contains("total: billable 110.00, tax 8.00\n"),
        "{text}"
    );
    // The Route 53 lines without a product name are in the row: the tax and the discount.
    assert!(text.contains("EdpDiscount"), "{text}");
    assert!(text.contains("Tax (tax is reported separately"), "{text}");
}

#[test]
fn one_service_is_one_row_in_group_reports() {
    let (_d, ws) = split_workspace();
    let out = report(&ws, &["--group", "web", "--group-by", "PRODUCT_NAME"]);
    let lines = squeezed(&out);
    assert!(
        lines.contains(&"web Amazon Route 53 90.00 110.00 20.00 22.22 8.00".to_string()),
        "{out}"
    );
    assert!(!out.contains("AmazonRoute53"), "{out}");
    // A code no line names stays as its code.
    assert!(out.contains("AmazonCloudWatch"), "{out}");
    // Grouped by service code, the code is the value.
    let out = report(&ws, &["--group", "web", "--group-by", "SERVICE_CODE"]);
    assert!(
        squeezed(&out).contains(&"web AmazonRoute53 90.00 110.00 20.00 22.22 8.00".to_string())
    );
}

#[test]
fn the_tui_views_tab_and_group_drill_read_the_same() {
    let (_d, ws) = split_workspace();
    let mut s = open(&ws);
    press(&mut s, &["7"]);
    let screen = screen_at(&mut s, 120, 30);
    let lines = squeezed(&screen);
    let has = |want: &str| lines.iter().any(|l| l.contains(want));
    assert!(
        has("│Amazon Route 53 90.00 110.00 20.00 22.22% 8.00"),
        "{screen}"
    );
    assert!(
        has("│Monitored accounts 95.00 115.50 20.50 21.58% 8.00"),
        "{screen}"
    );
    assert!(
        has("│Unmonitored accounts (billable only) 70.00 – – – 4.00"),
        "{screen}"
    );
    assert!(has("│Total 165.00 – – – 12.00"), "{screen}");
    assert!(!screen.contains("AmazonRoute53"), "{screen}");
    assert!(!screen.contains("Amazon Elastic Compute Cloud"), "{screen}");

    // The group's services drill: one Route 53 row, tax and discount included.
    press(&mut s, &["2"]);
    select(&mut s, "web");
    press(&mut s, &["Enter"]);
    let screen = screen_at(&mut s, 120, 30);
    let lines = squeezed(&screen);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("│Amazon Route 53 90.00 110.00 20.00 22.22%")),
        "{screen}"
    );
    assert!(!screen.contains("AmazonRoute53"), "{screen}");
}

/// With a scenario open, the "Monitored accounts" line is matched with the scenario's (its
/// pro forma, Δ and the scenario's margin), and `x` on it explains the whole view in the
/// scenario's numbers. Scenario: the markup is 20 % instead of 10 %: Route 53 100.00 -> 120.00,
/// CloudWatch 5.00 -> 6.00, pro forma 126.00 (Δ 10.50), margin 126.00 - 95.00 = 31.00.
#[test]
fn a_scenario_compares_the_monitored_line_and_explains_it() {
    use proforma::model::{Change, Object};
    use proforma::store::Workspace;
    let (_d, path) = split_workspace();
    let period = "2026-10".parse().unwrap();
    let scenario = {
        let mut ws = Workspace::open(&path).unwrap();
        let mut rule = ws
            .config_at(period)
            .unwrap()
            .rules
            .iter()
            .find(|r| r.name == "global-markup-10")
            .unwrap()
            .clone();
        rule.modifier = Some(rust_decimal::Decimal::from(20));
        let s = ws.create_scenario("what-if", period).unwrap();
        ws.scenario_change(s.id, &Change::Put(Object::Rule(rule)))
            .unwrap();
        ws.scenarios()
            .unwrap()
            .into_iter()
            .find(|x| x.id == s.id)
            .unwrap()
    };
    let mut s = open(&path);
    s.app.open_scenario(Some(scenario));
    press(&mut s, &["7"]);
    let screen = screen_at(&mut s, 140, 30);
    let lines = squeezed(&screen);
    let has = |want: &str| lines.iter().any(|l| l.contains(want));
    // Billable | Pro forma | Scenario | Δ | Margin (the scenario's) | Margin % | Tax.
    assert!(
        has("│Monitored accounts 95.00 115.50 126.00 10.50 31.00"),
        "{screen}"
    );
    assert!(
        has("│Amazon Route 53 90.00 110.00 120.00 10.00 30.00"),
        "{screen}"
    );
    assert!(
        has("│Unmonitored accounts (billable only) 70.00 – – –"),
        "{screen}"
    );
    select(&mut s, proforma::app::screens::VIEW_MONITORED_KEY);
    press(&mut s, &["x"]);
    let screen = screen_at(&mut s, 140, 40);
    assert!(
        squeezed(&screen).iter().any(|l| l.contains(
            "monitored accounts: billable 95.00, pro forma 126.00, margin 31.00, tax 8.00"
        )),
        "{screen}"
    );
}
