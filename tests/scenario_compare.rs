//! Comparing two states of a period (issue 14 item 1): `report --scenario A --compare-to
//! B|baseline` equals the difference of two separately computed reports, group by group and
//! service by service, to the cent, with margin and margin % on both sides; the comparison's
//! export for a customer holds pro forma only; `scenario copy` starts a scenario as an
//! identical copy of another that then changes independently.

mod common;

use common::{bin, demo_workspace, snapshot};
use proforma::model::Object;
use proforma::store::Workspace;
use proforma::store::config::Change;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

const P: &str = "2026-10";

fn d(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("not an amount: {v}"))).unwrap()
}

fn run(args: &[&str], ws: &Path, rest: &[&str]) -> String {
    let out = bin().args(args).arg(ws).args(rest).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?} {rest:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn report_json(ws: &Path, rest: &[&str]) -> Value {
    let mut args = vec!["--period", P];
    args.extend(rest);
    args.extend(["--format", "json"]);
    serde_json::from_str(&run(&["report"], ws, &args)).unwrap()
}

/// Sets a pricing rule's percentage inside scenario `scenario` (library: editing a scenario
/// is the TUI's).
fn set_rule(ws: &Path, scenario: &str, rule: &str, percent: i64) {
    let mut w = Workspace::open(ws).unwrap();
    let s = w
        .scenarios()
        .unwrap()
        .into_iter()
        .find(|s| s.name == scenario)
        .unwrap();
    let config = w.scenario_config(s.id).unwrap();
    let mut r = config
        .rules
        .iter()
        .find(|r| r.name == rule)
        .unwrap()
        .clone();
    r.modifier = Some(Decimal::from(percent));
    w.scenario_change(s.id, &Change::Put(Object::Rule(r)))
        .unwrap();
}

/// A copy of the demo with scenario `a` (global markup 10 % -> 12 %) and `b`, started as a
/// copy of `a` with the CLI, then the EC2 markup 15 % -> 25 % on top.
fn two_scenarios() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.proforma");
    std::fs::copy(demo_workspace(), &ws).unwrap();
    run(&["scenario", "new"], &ws, &["--period", P, "a"]);
    set_rule(&ws, "a", "global-markup-10", 12);
    let out = run(&["scenario", "copy"], &ws, &["--period", P, "a", "b"]);
    assert!(out.contains("copy of 'a' (1 change)"), "{out}");
    set_rule(&ws, "b", "ec2-markup-15", 25);
    (dir, ws)
}

/// A report's billing groups: ARN -> [AWSCost, ProformaCost, Margin] and MarginPercentage.
type Groups = BTreeMap<String, ([Decimal; 3], Option<Decimal>)>;

fn groups(v: &Value) -> Groups {
    v["BillingGroupCostReports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Arn"].as_str().unwrap().to_string(),
                (
                    [d(&r["AWSCost"]), d(&r["ProformaCost"]), d(&r["Margin"])],
                    r.get("MarginPercentage").map(d),
                ),
            )
        })
        .collect()
}

fn side(v: &Value) -> ([Decimal; 3], Option<Decimal>) {
    (
        [d(&v["AWSCost"]), d(&v["ProformaCost"]), d(&v["Margin"])],
        v.get("MarginPercentage").map(d),
    )
}

/// A group's services in `report --group G --group-by SERVICE_CODE`: code -> amounts.
fn services(ws: &Path, scenario: Option<&str>, arn: &str) -> BTreeMap<String, [Decimal; 3]> {
    let mut args = vec!["--group", arn, "--group-by", "SERVICE_CODE"];
    if let Some(s) = scenario {
        args.extend(["--scenario", s]);
    }
    report_json(ws, &args)["BillingGroupCostReportResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let code = r["Attributes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["Key"] == "SERVICE_CODE")
                .unwrap()["Value"]
                .as_str()
                .unwrap()
                .to_string();
            (
                code,
                [d(&r["AWSCost"]), d(&r["ProformaCost"]), d(&r["Margin"])],
            )
        })
        .collect()
}

#[test]
fn a_comparison_is_the_difference_of_the_two_reports_group_by_group_and_service_by_service() {
    let (_dir, ws) = two_scenarios();
    // (reported state, compared with): A | B, B | A, A | baseline, and the baseline against B.
    let pairs = [
        (Some("a"), "b"),
        (Some("b"), "a"),
        (Some("a"), "baseline"),
        (None, "b"),
    ];
    let before = snapshot(&ws);
    let compared: Vec<Value> = pairs
        .iter()
        .map(|(a, b)| {
            let mut args = vec![];
            if let Some(a) = a {
                args.extend(["--scenario", *a]);
            }
            args.extend(["--compare-to", *b]);
            report_json(&ws, &args)
        })
        .collect();
    assert_eq!(snapshot(&ws), before, "comparing writes nothing");
    for ((a, b), m) in pairs.into_iter().zip(compared) {
        let ra = groups(&report_json(
            &ws,
            &a.map(|s| vec!["--scenario", s]).unwrap_or_default(),
        ));
        let rb = groups(&report_json(
            &ws,
            &if b == "baseline" {
                vec![]
            } else {
                vec!["--scenario", b]
            },
        ));
        let ctx = format!("{a:?} against {b}");
        let rows = m["Groups"].as_array().unwrap();
        assert_eq!(rows.len(), ra.len(), "{ctx}");
        let mut moved = 0;
        let mut sum = [Decimal::ZERO; 3];
        for g in rows {
            let arn = g["Arn"].as_str().unwrap();
            // Each side is that state's own report, to the cent, margin % included.
            assert_eq!(side(&g["After"]), ra[arn], "{ctx} {arn}");
            assert_eq!(side(&g["Before"]), rb[arn], "{ctx} {arn}");
            // Δ = A − B of the shown numbers; the margin % in points, of the shown ones.
            let (delta, delta_pct) = side(&g["Delta"]);
            for i in 0..3 {
                assert_eq!(delta[i], ra[arn].0[i] - rb[arn].0[i], "{ctx} {arn} {i}");
                sum[i] += delta[i];
            }
            let pct = |x: Option<Decimal>| x.map(|p| p.round_dp(2));
            assert_eq!(
                delta_pct,
                pct(ra[arn].1).zip(pct(rb[arn].1)).map(|(x, y)| x - y),
                "{ctx} {arn}"
            );
            // Cross-footing: on each side and in Δ, margin = pro forma − AWS cost.
            for part in ["Before", "After", "Delta"] {
                let (x, _) = side(&g[part]);
                assert_eq!(x[2], x[1] - x[0], "{ctx} {arn} {part}");
            }
            if !delta[1].is_zero() {
                moved += 1;
            }
        }
        assert!(
            moved >= 2,
            "{ctx}: the scenarios move several groups\n{m:#}"
        );
        // The groups' differences add up to the total's.
        let (total_delta, _) = side(&m["Totals"]["Delta"]);
        assert_eq!(sum, total_delta, "{ctx}");
        // Sorted by |Δ pro forma|, largest first.
        let deltas: Vec<Decimal> = rows.iter().map(|g| side(&g["Delta"]).0[1].abs()).collect();
        assert!(deltas.windows(2).all(|w| w[0] >= w[1]), "{ctx} {deltas:?}");
    }
    // Group x service: each side is the group's own SERVICE_CODE breakdown, for the groups
    // the change moves the most.
    let m = report_json(&ws, &["--scenario", "a", "--compare-to", "b"]);
    for g in m["Groups"].as_array().unwrap().iter().take(2) {
        let arn = g["Arn"].as_str().unwrap();
        let sa = services(&ws, Some("a"), arn);
        let sb = services(&ws, Some("b"), arn);
        let rows = g["Services"].as_array().unwrap();
        assert!(!rows.is_empty());
        let mut sum = [Decimal::ZERO; 3];
        let mut sum_after = [Decimal::ZERO; 3];
        for s in rows {
            let code = s["ServiceCode"].as_str().unwrap();
            for (i, v) in side(&s["After"]).0.into_iter().enumerate() {
                sum_after[i] += v;
            }
            let zero = [Decimal::ZERO; 3];
            let (after, before) = (side(&s["After"]).0, side(&s["Before"]).0);
            assert_eq!(after, *sa.get(code).unwrap_or(&zero), "{arn} {code}");
            assert_eq!(before, *sb.get(code).unwrap_or(&zero), "{arn} {code}");
            let delta = side(&s["Delta"]).0;
            for i in 0..3 {
                assert_eq!(delta[i], after[i] - before[i]);
                sum[i] += delta[i];
            }
        }
        assert_eq!(
            sum,
            side(&g["Delta"]).0,
            "{arn}: services foot to the group"
        );
        assert_eq!(
            sum_after,
            side(&g["After"]).0,
            "{arn}: the same on A's side"
        );
    }
}

#[test]
fn table_csv_and_markdown_carry_the_json_numbers_with_margin_percent() {
    let (_dir, ws) = two_scenarios();
    let base = ["--period", P, "--scenario", "a", "--compare-to", "b"];
    let m = report_json(&ws, &["--scenario", "a", "--compare-to", "b"]);
    let csv_text = run(
        &["report"],
        &ws,
        &[&base[..], &["--format", "csv"]].concat(),
    );
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    for (rec, g) in recs.iter().zip(m["Groups"].as_array().unwrap()) {
        assert_eq!(&rec[col("Arn")], g["Arn"].as_str().unwrap());
        assert_eq!(
            &rec[col("MarginPercentage")],
            g["After"]["MarginPercentage"].as_str().unwrap()
        );
        assert_eq!(
            &rec[col("MarginPercentageBefore")],
            g["Before"]["MarginPercentage"].as_str().unwrap()
        );
        assert_eq!(
            &rec[col("MarginPercentageDelta")],
            g["Delta"]["MarginPercentage"].as_str().unwrap()
        );
        assert_eq!(
            &rec[col("ProformaCostDelta")],
            g["Delta"]["ProformaCost"].as_str().unwrap()
        );
    }
    let fmt = |v: &Value| proforma::money::fmt_grouped(d(v));
    let table = run(&["report"], &ws, &base);
    assert!(
        table.starts_with("Comparison: 2026-10 scenario 'a' against 2026-10 scenario 'b', USD"),
        "{table}"
    );
    for head in [
        "Margin % scenario 'b'",
        "Margin % scenario 'a'",
        "Δ margin %",
    ] {
        assert!(table.contains(head), "{head}:\n{table}");
    }
    let md = run(&["report"], &ws, &[&base[..], &["--format", "md"]].concat());
    let first = &m["Groups"][0];
    for out in [&table, &md] {
        let line = out
            .lines()
            .find(|l| {
                l.trim_start_matches("| ")
                    .starts_with(first["Name"].as_str().unwrap())
            })
            .unwrap();
        for v in [
            &first["Before"]["ProformaCost"],
            &first["After"]["ProformaCost"],
            &first["Delta"]["ProformaCost"],
            &first["After"]["MarginPercentage"],
            &first["Delta"]["Margin"],
        ] {
            assert!(line.contains(&fmt(v)), "{v} not in {line}");
        }
    }
    assert!(md.contains("| **Total** |"), "{md}");
    // Markdown is for comparisons only.
    bin()
        .arg("report")
        .arg(&ws)
        .args(["--period", P, "--format", "md"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--format md is for comparisons"));
}

/// Every string value of `keys` anywhere in a JSON document.
fn collect(v: &Value, keys: &[&str], out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if keys.contains(&k.as_str()) {
                    if let Some(s) = x.as_str() {
                        out.insert(s.to_string());
                    }
                }
                collect(x, keys, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, keys, out)),
        _ => {}
    }
}

fn export(ws: &Path, rest: &[&str]) -> std::process::Output {
    bin()
        .arg("export")
        .arg(ws)
        .args(["--period", P, "--kind", "comparison"])
        .args(rest)
        .output()
        .unwrap()
}

#[test]
fn a_customer_comparison_export_holds_pro_forma_only() {
    let (dir, ws) = two_scenarios();
    let internal = report_json(
        &ws,
        &["--scenario", "a", "--compare-to", "b", "--group", "retail"],
    );
    let g = &internal["Groups"][0];
    assert_eq!(g["Name"], "retail");
    assert!(!d(&g["Delta"]["ProformaCost"]).is_zero(), "{g:#}");
    // What a customer may see: pro forma of either side and its differences.
    let mut allowed = BTreeSet::new();
    collect(&internal, &["ProformaCost"], &mut allowed);
    let mut forbidden = BTreeSet::new();
    collect(
        &internal,
        &["AWSCost", "Margin", "MarginPercentage"],
        &mut forbidden,
    );
    let forbidden: Vec<String> = forbidden
        .into_iter()
        .filter(|a| !allowed.contains(a) && a.trim_start_matches('-') != "0.00")
        .collect();
    assert!(forbidden.len() > 5, "{forbidden:?}");
    let config = Workspace::open(&ws)
        .unwrap()
        .config_at(P.parse().unwrap())
        .unwrap();
    let mut names: Vec<String> = config.plans.iter().map(|p| p.name.clone()).collect();
    names.extend(config.rules.iter().map(|r| r.name.clone()));
    names.extend(config.items.iter().map(|i| i.name.clone()));
    names.retain(|n| n != "BasicPricingPlan" && n != "Passthrough");
    assert!(names.len() >= 5, "{names:?}");
    let arns: Vec<String> = config.groups.iter().map(|g| g.arn.clone()).collect();
    for format in ["csv", "md", "html"] {
        let out = dir.path().join(format!("retail.{format}"));
        let o = export(
            &ws,
            &[
                "--scenario",
                "a",
                "--compare-to",
                "b",
                "--group",
                "retail",
                "--audience",
                "customer",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = std::fs::read_to_string(&out).unwrap();
        // What a reader sees: the HTML's stylesheet says `margin` of the page.
        let text = match text.split_once("</style>") {
            Some((_, body)) => body.to_string(),
            None => text,
        };
        for word in [
            "AWS cost", "AWSCost", "AWS ", "Margin", "margin", "Billable",
        ] {
            assert!(!text.contains(word), "{word} in {format}:\n{text}");
        }
        for a in &forbidden {
            let shown = proforma::money::fmt_grouped(Decimal::from_str(a).unwrap());
            assert!(
                !text.contains(a.as_str()) && !text.contains(&shown),
                "internal amount {a} in {format}:\n{text}"
            );
        }
        for n in names.iter().chain(&arns) {
            assert!(!text.contains(n.as_str()), "{n} in {format}:\n{text}");
        }
        // Its pro forma is the report's: both sides and the difference.
        for v in [
            &g["Before"]["ProformaCost"],
            &g["After"]["ProformaCost"],
            &g["Delta"]["ProformaCost"],
        ] {
            let shown = if format == "csv" {
                v.as_str().unwrap().to_string()
            } else {
                proforma::money::fmt_grouped(d(v))
            };
            assert!(text.contains(&shown), "{shown} not in {format}:\n{text}");
        }
        assert!(
            !text.contains("fintech"),
            "another group's rows in {format}"
        );
        if format == "html" {
            assert!(
                std::fs::read_to_string(&out)
                    .unwrap()
                    .starts_with("<!DOCTYPE html>")
            );
            for external in ["<script", "<link", "src=", "http://", "https://"] {
                assert!(!text.contains(external), "{external}: not self-contained");
            }
        }
    }
    // The default audience is the customer's, which is one group's: refused for all groups.
    let out = dir.path().join("all.html");
    let o = export(
        &ws,
        &[
            "--scenario",
            "a",
            "--compare-to",
            "b",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("a customer comparison is one billing group's"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!out.exists());
    // Internal: every group, with AWS cost, margin and margin %.
    let o = export(
        &ws,
        &[
            "--scenario",
            "a",
            "--compare-to",
            "baseline",
            "--audience",
            "internal",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(&out).unwrap();
    for word in [
        "AWS baseline",
        "Margin % scenario &#39;a&#39;",
        "fintech",
        "retail",
    ] {
        assert!(html.contains(word), "{word}:\n{html}");
    }
    // An existing file is not replaced without --force; nothing is written.
    let o = export(
        &ws,
        &[
            "--scenario",
            "a",
            "--compare-to",
            "b",
            "--group",
            "retail",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), html);
    // --scenario / --compare-to belong to the comparison.
    let o = bin()
        .arg("export")
        .arg(&ws)
        .args(["--period", P, "--kind", "statement", "--group", "retail"])
        .args(["--compare-to", "b", "--out"])
        .arg(dir.path().join("s.html"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(!dir.path().join("s.html").exists());
}

#[test]
fn a_copy_starts_identical_and_then_changes_independently() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.proforma");
    std::fs::copy(demo_workspace(), &ws).unwrap();
    run(&["scenario", "new"], &ws, &["--period", P, "a"]);
    set_rule(&ws, "a", "global-markup-10", 14);
    run(&["scenario", "copy"], &ws, &["a", "a2"]);
    let list = run(&["scenario", "list"], &ws, &[]);
    assert!(
        list.lines()
            .filter(|l| l.starts_with("a ") || l.starts_with("a2 "))
            .all(|l| l.contains(P) && l.trim_end().ends_with('1')),
        "{list}"
    );
    let a = report_json(&ws, &["--scenario", "a"]);
    assert_eq!(report_json(&ws, &["--scenario", "a2"]), a);
    assert_ne!(report_json(&ws, &[]), a, "the scenario changes something");
    // The copy diverges; the original stays.
    set_rule(&ws, "a2", "global-markup-10", 30);
    assert_eq!(report_json(&ws, &["--scenario", "a"]), a);
    let a2 = report_json(&ws, &["--scenario", "a2"]);
    assert_ne!(a2, a);
    // The original changes; the copy stays; discarding the original keeps the copy.
    set_rule(&ws, "a", "ec2-markup-15", 40);
    assert_eq!(report_json(&ws, &["--scenario", "a2"]), a2);
    let mut w = Workspace::open(&ws).unwrap();
    let id = w
        .scenarios()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "a")
        .unwrap()
        .id;
    w.discard_scenario(id).unwrap();
    drop(w);
    assert_eq!(report_json(&ws, &["--scenario", "a2"]), a2);
    // Refusals write nothing.
    let before = snapshot(&ws);
    for (rest, message) in [
        (vec!["a2", "a2"], "a scenario named 'a2' exists"),
        (vec!["nosuch", "x"], "no scenario 'nosuch'"),
        (
            vec!["--period", "2026-09", "a2", "x"],
            "drafts period 2026-10",
        ),
        (vec!["a2", " "], "a scenario needs a name"),
    ] {
        bin()
            .args(["scenario", "copy"])
            .arg(&ws)
            .args(&rest)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(message));
    }
    assert_eq!(snapshot(&ws), before);
}

#[test]
fn names_from_the_user_cannot_inject_markup_into_an_export() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.proforma");
    std::fs::copy(demo_workspace(), &ws).unwrap();
    let evil = "<script>x|y</script>";
    run(&["scenario", "new"], &ws, &["--period", P, evil]);
    set_rule(&ws, evil, "global-markup-10", 11);
    for (format, raw, escaped) in [
        ("html", "<script>", "&lt;script&gt;x|y&lt;/script&gt;"),
        ("md", "<script>", "\\<script\\>x\\|y\\</script\\>"),
    ] {
        let out = dir.path().join(format!("c.{format}"));
        let o = export(
            &ws,
            &[
                "--scenario",
                evil,
                "--compare-to",
                "baseline",
                "--audience",
                "internal",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(!text.contains(raw), "{format}:\n{text}");
        assert!(text.contains(escaped), "{escaped} not in {format}:\n{text}");
    }
    // A scenario drafts a period with data.
    bin()
        .args(["scenario", "new"])
        .arg(&ws)
        .args(["--period", "2030-01", "x"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no cost data for period 2030-01"));
}
