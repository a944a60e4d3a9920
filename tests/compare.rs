//! `proforma report --compare-to` (issue 12 item 2): month over month per group and per
//! group x service, footed (SPEC 5), sorted by |Δ pro forma|, in table, CSV and JSON.

mod common;

use common::{bin, demo_workspace, snapshot};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

fn d(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("{v}"))).unwrap()
}

fn run(ws: &Path, args: &[&str]) -> String {
    let out = bin().arg("report").arg(ws).args(args).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

fn json(ws: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&run(ws, &[args, &["--format", "json"]].concat())).unwrap()
}

/// The billing group list of a period as `report` prints it: ARN -> (AWSCost, ProformaCost,
/// Margin).
fn report(ws: &Path, period: &str) -> BTreeMap<String, [Decimal; 3]> {
    json(ws, &["--period", period])["BillingGroupCostReports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Arn"].as_str().unwrap().to_string(),
                [d(&r["AWSCost"]), d(&r["ProformaCost"]), d(&r["Margin"])],
            )
        })
        .collect()
}

fn amounts(v: &Value) -> [Decimal; 3] {
    [d(&v["AWSCost"]), d(&v["ProformaCost"]), d(&v["Margin"])]
}

fn minus(a: [Decimal; 3], b: [Decimal; 3]) -> [Decimal; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn plus(a: [Decimal; 3], b: [Decimal; 3]) -> [Decimal; 3] {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

#[test]
fn month_over_month_json_matches_both_reports_and_foots() {
    let ws = demo_workspace();
    let before = snapshot(&ws);
    let m = json(&ws, &["--period", "2026-10", "--compare-to", "2026-09"]);
    assert_eq!(snapshot(&ws), before, "compare writes nothing");
    assert_eq!(m["Current"], "2026-10");
    assert_eq!(m["ComparedTo"], "2026-09");
    assert_eq!(m["Currency"], "USD");
    let (sep, oct) = (report(&ws, "2026-09"), report(&ws, "2026-10"));
    let groups = m["Groups"].as_array().unwrap();
    assert_eq!(groups.len(), oct.len());
    let mut sum = [Decimal::ZERO; 3];
    let mut last = None;
    for g in groups {
        let arn = g["Arn"].as_str().unwrap();
        // Each side is the group's row of that period's report, as shown.
        assert_eq!(amounts(&g["Before"]), sep[arn], "{arn}");
        assert_eq!(amounts(&g["After"]), oct[arn], "{arn}");
        let delta = amounts(&g["Delta"]);
        assert_eq!(delta, minus(oct[arn], sep[arn]));
        sum = plus(sum, delta);
        // Sorted by |Δ pro forma|, largest first.
        if let Some(prev) = last {
            assert!(prev >= delta[1].abs(), "{m:#}");
        }
        last = Some(delta[1].abs());
        // Δ% from exact values: within a rounding of the shown numbers' ratio.
        let pct = d(&g["ProformaCostChangePercent"]);
        let shown = delta[1] / sep[arn][1].abs() * Decimal::ONE_HUNDRED;
        assert!(
            (pct - shown).abs() < Decimal::from_str("0.01").unwrap(),
            "{pct} {shown}"
        );
        // The group's services add up to it on both sides and in the difference.
        let services = g["Services"].as_array().unwrap();
        assert!(!services.is_empty());
        for (side, want) in [("Before", sep[arn]), ("After", oct[arn])] {
            let mut s = [Decimal::ZERO; 3];
            for x in services {
                s = plus(s, amounts(&x[side]));
            }
            assert_eq!(s, want, "{arn} {side}");
        }
    }
    // The total is the reports' totals; the group differences add up to its difference.
    let total = |r: &BTreeMap<String, [Decimal; 3]>| {
        r.values().fold([Decimal::ZERO; 3], |a, x| {
            [a[0] + x[0], a[1] + x[1], a[2] + x[2]]
        })
    };
    assert_eq!(amounts(&m["Totals"]["Before"]), total(&sep));
    assert_eq!(amounts(&m["Totals"]["After"]), total(&oct));
    assert_eq!(amounts(&m["Totals"]["Delta"]), sum);
}

#[test]
fn a_zero_base_reads_new_and_service_rows_match_the_group_breakdown() {
    let ws = demo_workspace();
    let m = json(&ws, &["--period", "2026-10", "--compare-to", "2026-09"]);
    // The breakdown report by service code of one group, per period.
    let by_service = |period: &str, group: &str| -> BTreeMap<String, Decimal> {
        json(
            &ws,
            &[
                "--period",
                period,
                "--group",
                group,
                "--group-by",
                "SERVICE_CODE",
            ],
        )["BillingGroupCostReportResults"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["Attributes"][0]["Value"].as_str().unwrap().to_string(),
                    d(&r["ProformaCost"]),
                )
            })
            .collect()
    };
    let mut news = 0;
    for g in m["Groups"].as_array().unwrap() {
        let name = g["Name"].as_str().unwrap();
        let (sep, oct) = (by_service("2026-09", name), by_service("2026-10", name));
        for s in g["Services"].as_array().unwrap() {
            let code = s["ServiceCode"].as_str().unwrap();
            let b = sep.get(code).copied().unwrap_or_default();
            let a = oct.get(code).copied().unwrap_or_default();
            assert_eq!(d(&s["Before"]["ProformaCost"]), b, "{name} {code}");
            assert_eq!(d(&s["After"]["ProformaCost"]), a, "{name} {code}");
            if !sep.contains_key(code) && !a.is_zero() {
                assert_eq!(s["ProformaCostChangePercent"], "new", "{s}");
                news += 1;
            }
            if b.is_zero() && a.is_zero() {
                assert!(s.get("ProformaCostChangePercent").is_none(), "{s}");
            }
        }
    }
    // The demo's October has a one-off onboarding fee (a custom line item) September lacks.
    assert!(news > 0, "{m:#}");
}

#[test]
fn csv_and_table_carry_the_same_numbers() {
    let ws = demo_workspace();
    let m = json(&ws, &["--period", "2026-10", "--compare-to", "2026-09"]);
    let csv_text = run(
        &ws,
        &[
            "--period",
            "2026-10",
            "--compare-to",
            "2026-09",
            "--format",
            "csv",
        ],
    );
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..4], ["Level", "Arn", "Name", "ServiceCode"]);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let groups = m["Groups"].as_array().unwrap();
    let services: usize = groups
        .iter()
        .map(|g| g["Services"].as_array().unwrap().len())
        .sum();
    assert_eq!(recs.len(), groups.len() + services + 1);
    for (rec, g) in recs.iter().zip(groups) {
        assert_eq!(&rec[col("Level")], "group");
        assert_eq!(&rec[col("Arn")], g["Arn"].as_str().unwrap());
        assert_eq!(
            &rec[col("ProformaCostDelta")],
            g["Delta"]["ProformaCost"].as_str().unwrap()
        );
        assert_eq!(
            &rec[col("MarginBefore")],
            g["Before"]["Margin"].as_str().unwrap()
        );
        assert_eq!(
            &rec[col("ProformaCostChangePercent")],
            g["ProformaCostChangePercent"].as_str().unwrap()
        );
    }
    let total = recs.last().unwrap();
    assert_eq!(&total[col("Level")], "total");
    assert_eq!(
        &total[col("AWSCost")],
        m["Totals"]["After"]["AWSCost"].as_str().unwrap()
    );
    assert!(
        recs.iter()
            .any(|x| &x[col("ProformaCostChangePercent")] == "new")
    );

    let table = run(&ws, &["--period", "2026-10", "--compare-to", "2026-09"]);
    assert!(
        table.starts_with("Month over month: 2026-10 against 2026-09, USD"),
        "{table}"
    );
    let fmt = |v: &Value| proforma::money::fmt_grouped(d(v));
    let totals: Vec<&str> = table.lines().filter(|l| l.starts_with("Total")).collect();
    assert_eq!(totals.len(), 2, "{table}");
    for line in totals {
        for v in [
            &m["Totals"]["Before"]["ProformaCost"],
            &m["Totals"]["After"]["ProformaCost"],
            &m["Totals"]["Delta"]["Margin"],
        ] {
            assert!(line.contains(&fmt(v)), "{line}");
        }
    }
    let first = groups[0]["Name"].as_str().unwrap();
    assert!(table.lines().nth(3).unwrap().starts_with(first), "{table}");
    assert!(table.contains(" new "), "{table}");
}

#[test]
fn one_group_and_scenarios_and_refusals() {
    let ws = demo_workspace();
    let m = json(
        &ws,
        &[
            "--period",
            "2026-10",
            "--compare-to",
            "2026-09",
            "--group",
            "retail",
        ],
    );
    let groups = m["Groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["Name"], "retail");
    assert_eq!(m["Totals"]["Delta"], groups[0]["Delta"]);

    for (args, code, message) in [
        (
            vec!["--compare-to", "2026-08"],
            1,
            "--compare-to 2026-08: no cost data for period 2026-08",
        ),
        (vec!["--compare-to", "2026-10"], 1, "is the period reported"),
        (vec!["--compare-to", "nosuch"], 1, "no scenario 'nosuch'"),
        (vec!["--compare-to", "baseline"], 1, "add --scenario"),
        (
            vec!["--compare-to", "2026-09", "--view", "primary"],
            2,
            "cannot be used with",
        ),
        (
            vec!["--compare-to", "2026-09", "--group", "nosuch"],
            1,
            "no billing group 'nosuch'",
        ),
    ] {
        bin()
            .arg("report")
            .arg(&ws)
            .args(["--period", "2026-10"])
            .args(&args)
            .assert()
            .code(code)
            .stderr(predicates::str::contains(message));
    }

    // A scenario against its baseline: an empty draft changes nothing.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("demo.proforma");
    std::fs::copy(&ws, &copy).unwrap();
    proforma::store::Workspace::open(&copy)
        .unwrap()
        .create_scenario("draft", "2026-10".parse().unwrap())
        .unwrap();
    let m = json(
        &copy,
        &[
            "--period",
            "2026-10",
            "--scenario",
            "draft",
            "--compare-to",
            "baseline",
        ],
    );
    assert_eq!(m["Current"], "2026-10 scenario 'draft'");
    assert_eq!(m["ComparedTo"], "2026-10 baseline");
    for g in m["Groups"].as_array().unwrap() {
        assert_eq!(amounts(&g["Delta"]), [Decimal::ZERO; 3]);
        assert_eq!(g["Before"], g["After"]);
    }
}
