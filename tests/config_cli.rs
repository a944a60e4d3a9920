//! `proforma config import/export` and the group and view reports, end to end.

mod common;

use common::{bin, snapshot, workspace};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn demo_workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.proforma");
    bin()
        .args(["demo", "--workspace"])
        .arg(&ws)
        .assert()
        .success();
    (dir, ws)
}

fn stdout(args: &[&str], ws: &Path) -> String {
    let mut cmd = bin();
    cmd.arg(args[0]);
    let mut rest = &args[1..];
    if args[0] == "config" {
        cmd.arg(args[1]);
        rest = &args[2..];
    }
    let out = cmd.arg(ws).args(rest).output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn toml_and_aws_exports_round_trip() {
    let (dir, ws) = demo_workspace();
    for format in ["toml", "aws-json"] {
        let first = stdout(
            &[
                "config", "export", "--period", "2026-10", "--format", format,
            ],
            &ws,
        );
        let file = dir.path().join(format!("config.{format}"));
        std::fs::write(&file, &first).unwrap();
        // Into a fresh workspace with the same data, then out again: identical.
        let (_d2, other) = workspace();
        for f in [
            "cur-2026-09.csv.gz",
            "cur-2026-10.csv.gz",
            "transfers-2026-09.csv.gz",
            "transfers-2026-10.csv.gz",
        ] {
            bin()
                .arg("import")
                .arg(&other)
                .arg(
                    Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("sample-data")
                        .join(f),
                )
                .assert()
                .success();
        }
        bin()
            .args(["config", "import"])
            .arg(&other)
            .arg(&file)
            .args(["--from-period", "2026-09"])
            .assert()
            .success();
        let second = stdout(
            &[
                "config", "export", "--period", "2026-10", "--format", format,
            ],
            &other,
        );
        assert_eq!(first, second, "{format} export -> import -> export changed");
        // Same numbers from the re-imported configuration.
        let a = stdout(&["report", "--period", "2026-10", "--format", "json"], &ws);
        let b = stdout(
            &["report", "--period", "2026-10", "--format", "json"],
            &other,
        );
        assert_eq!(a, b);
    }
}

#[test]
fn importing_the_same_configuration_twice_changes_nothing() {
    let (dir, ws) = demo_workspace();
    let toml = stdout(&["config", "export", "--period", "2026-09"], &ws);
    let file = dir.path().join("c.toml");
    std::fs::write(&file, toml).unwrap();
    let before = snapshot(&ws);
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&file)
        .args(["--from-period", "2026-09"])
        .assert()
        .success()
        .stdout(predicate::str::contains("unchanged"));
    assert_eq!(snapshot(&ws), before);
}

fn refused(ws: &Path, file: &Path, expect: &[&str]) {
    let before = snapshot(ws);
    let out = bin()
        .args(["config", "import"])
        .arg(ws)
        .arg(file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for e in expect {
        assert!(stderr.contains(e), "expected '{e}' in: {stderr}");
    }
    assert_eq!(
        snapshot(ws),
        before,
        "a refused configuration changed the workspace"
    );
}

#[test]
fn invalid_configurations_are_refused_with_reason_and_path() {
    let Some(bundle) = common::shared_example("1-markup-flat-and-percentage", "bundle.json") else {
        return;
    };
    let (dir, ws) = demo_workspace();
    let text = std::fs::read_to_string(bundle).unwrap();
    let bad = text
        .replace(
            "\"ModifierPercentage\": 10.0",
            "\"ModifierPercentage\": 10.0, \"Service\": \"AmazonEC2\"",
        )
        .replace("\"ChargeValue\": 10.0", "\"ChargeValue\": 2000000");
    let f = dir.path().join("bad.json");
    std::fs::write(&f, bad).unwrap();
    refused(
        &ws,
        &f,
        &[
            "bad.json",
            "nothing was changed",
            "ILLEGAL_SCOPE at $.PricingRules[0].Service",
            "ILLEGAL_CHARGE_DETAILS at $.CustomLineItems[0].ChargeDetails.Flat.ChargeValue",
        ],
    );

    let f = dir.path().join("broken.json");
    std::fs::write(&f, "{\"BillingGroups\": [}").unwrap();
    refused(
        &ws,
        &f,
        &["broken.json", "line 1, column", "not valid JSON"],
    );

    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "[[custom_line_item]]\nname = \"x\"\ndescription = \"d\"\ngroup = \"nobody\"\ntype = \"FEE\"\nflat = 1\nstart = \"2026-10\"\n").unwrap();
    refused(
        &ws,
        &f,
        &[
            "MISSING_BILLINGGROUP at custom_line_item[0].group",
            "no billing group named 'nobody'",
        ],
    );

    let f = dir.path().join("syntax.toml");
    std::fs::write(
        &f,
        "[[billing_group]]\nname = \"a\"\nprimary_account = 12\n",
    )
    .unwrap();
    refused(&ws, &f, &["syntax.toml", "line 3"]);

    let f = dir.path().join("discount.toml");
    std::fs::write(&f, "[[pricing_rule]]\nname = \"big\"\nscope = \"GLOBAL\"\ntype = \"DISCOUNT\"\npercent = 150\n").unwrap();
    refused(
        &ws,
        &f,
        &["ILLEGAL_MODIFIER_PERCENTAGE at pricing_rule[0].ModifierPercentage"],
    );
}

#[test]
fn unknown_bundle_keys_warn() {
    let Some(bundle) = common::shared_example("2-precedence-no-stacking", "bundle.json") else {
        return;
    };
    let (dir, ws) = workspace();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(bundle.parent().unwrap().join("cur.csv"))
        .assert()
        .success();
    let text = std::fs::read_to_string(&bundle)
        .unwrap()
        .replacen('{', "{\"Tags\": {},", 1);
    let f = dir.path().join("b.json");
    std::fs::write(&f, text).unwrap();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&f)
        .assert()
        .success()
        .stderr(predicate::str::contains("$.Tags: unknown key, ignored"));
}

#[test]
fn group_reports_in_every_shape() {
    let (_d, ws) = demo_workspace();
    let json: serde_json::Value = serde_json::from_str(&stdout(
        &[
            "report",
            "--period",
            "2026-10",
            "--group",
            "retail",
            "--group-by",
            "PRODUCT_NAME",
            "--format",
            "json",
        ],
        &ws,
    ))
    .unwrap();
    let results = json["BillingGroupCostReportResults"].as_array().unwrap();
    assert!(results.len() > 5);
    let first = results[0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    // serde_json sorts object keys when parsed; check the raw text keeps the AWS order instead.
    assert!(keys.contains(&"Attributes") && keys.contains(&"MarginPercentage"));
    let raw = stdout(
        &[
            "report",
            "--period",
            "2026-10",
            "--group",
            "retail",
            "--group-by",
            "PRODUCT_NAME",
            "--format",
            "json",
        ],
        &ws,
    );
    let order: Vec<usize> = [
        "\"Arn\"",
        "\"AWSCost\"",
        "\"ProformaCost\"",
        "\"Margin\"",
        "\"Currency\"",
        "\"Attributes\"",
    ]
    .iter()
    .map(|k| raw.find(k).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{raw}");
    assert!(raw.contains("\"Key\": \"PRODUCT_NAME\""));
    assert!(
        raw.contains("\"Value\": \"AWSBillingConductor\""),
        "custom line items show under their presentation service"
    );

    let all: serde_json::Value = serde_json::from_str(&stdout(
        &["report", "--period", "2026-10", "--format", "json"],
        &ws,
    ))
    .unwrap();
    let groups = all["BillingGroupCostReports"].as_array().unwrap();
    // The demo payer's five groups and Globex's transfer group (Initech's is at level 2).
    assert_eq!(groups.len(), 6);
    // The group's breakdown adds up to its line in the list.
    let retail = groups
        .iter()
        .find(|g| g["Arn"] == results[0]["Arn"])
        .unwrap();
    let sum: rust_decimal::Decimal = results
        .iter()
        .map(|r| {
            r["ProformaCost"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    let whole: rust_decimal::Decimal = retail["ProformaCost"].as_str().unwrap().parse().unwrap();
    assert!(
        (sum - whole).abs()
            <= rust_decimal::Decimal::new(1, 2) * rust_decimal::Decimal::from(results.len() as i64),
        "rounded parts {sum} vs {whole}"
    );

    let table = stdout(&["report", "--period", "2026-10"], &ws);
    assert!(table.contains("Invoice total (all payers)"), "{table}");
    let csv = stdout(&["report", "--period", "2026-10", "--format", "csv"], &ws);
    assert!(
        csv.starts_with("Arn,Name,AWSCost,ProformaCost,Margin,MarginPercentage,Tax,Currency\n"),
        "{csv}"
    );
}

#[test]
fn view_reports_for_groups_and_custom_views() {
    let (_d, ws) = demo_workspace();
    let group: serde_json::Value = serde_json::from_str(&stdout(
        &[
            "report",
            "--period",
            "2026-10",
            "--view",
            "group:media",
            "--format",
            "json",
        ],
        &ws,
    ))
    .unwrap();
    assert_eq!(group["BillingView"]["Type"], "BILLING_GROUP");
    assert!(group["Totals"]["Proforma"].is_string());
    let custom: serde_json::Value = serde_json::from_str(&stdout(
        &[
            "report",
            "--period",
            "2026-10",
            "--view",
            "custom:Retail web",
            "--group-by",
            "LINKED_ACCOUNT",
            "--format",
            "json",
        ],
        &ws,
    ))
    .unwrap();
    assert_eq!(custom["BillingView"]["Type"], "CUSTOM");
    let accounts: Vec<&str> = custom["Rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Attributes"][0]["Value"].as_str().unwrap())
        .collect();
    assert!(
        !accounts.is_empty()
            && accounts
                .iter()
                .all(|a| ["304857112600", "304865032017"].contains(a)),
        "{accounts:?}"
    );
    // The primary view: unmonitored accounts show billable only.
    let primary: serde_json::Value = serde_json::from_str(&stdout(
        &[
            "report",
            "--period",
            "2026-10",
            "--view",
            "primary",
            "--group-by",
            "LINKED_ACCOUNT",
            "--format",
            "json",
        ],
        &ws,
    ))
    .unwrap();
    let sandbox = primary["Rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["Attributes"][0]["Value"] == "305141211612")
        .cloned();
    if let Some(row) = sandbox {
        assert!(row.get("Proforma").is_none());
    }
    common::fails(
        &["report"],
        &ws,
        &["--period", "2026-10", "--view", "custom:nope"],
        "no custom billing view 'nope'",
    );
    common::fails(
        &["report"],
        &ws,
        &["--period", "2026-10", "--group", "nope"],
        "no billing group 'nope'",
    );
    bin()
        .arg("report")
        .arg(&ws)
        .args([
            "--period", "2026-10", "--group", "retail", "--view", "primary",
        ])
        .assert()
        .code(2);
}

#[test]
fn explain_adds_up() {
    let (_d, ws) = demo_workspace();
    let text = stdout(
        &["explain", "--period", "2026-10", "--group", "fintech"],
        &ws,
    );
    assert!(text.contains("rule 'm5-large-discount-10'"), "{text}");
    assert!(text.contains("'fintech-managed-services'"), "{text}");
    assert!(text.contains("left out of pro forma"), "{text}");
}
