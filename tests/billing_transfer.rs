//! Billing transfer (issue 13, SPEC 2.6): the four published examples, each party's view, and
//! transfers as configuration (TOML, AWS bundle, validation).

mod common;

use common::bin;
use serde_json::Value;
use std::path::Path;

const A: &str = "111111111111"; // pays AWS: the distributor / the conglomerate
const B: &str = "222222222222"; // the downstream seller / the subsidiary
const C: &str = "333333333333"; // the end customer / the business unit

/// One Usage row per (payer, unblended, public cost), each payer's management account.
fn cur(rows: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "bill/PayerAccountId,lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,lineItem/ProductCode,lineItem/UsageType,lineItem/Operation,lineItem/UnblendedCost,pricing/publicOnDemandCost,lineItem/UsageStartDate\n",
    );
    for (payer, cost, public) in rows {
        s.push_str(&format!(
            "{payer},{payer},2026-10-01T00:00:00Z,Usage,AmazonEC2,BoxUsage:m5.large,RunInstances,{cost},{public},2026-10-01T00:00:00Z\n"
        ));
    }
    s
}

/// A workspace with `cur` imported and `toml` in force.
fn setup(dir: &Path, cur_text: &str, toml: &str) -> std::path::PathBuf {
    let ws = dir.join("ws.proforma");
    std::fs::write(dir.join("cur.csv"), cur_text).unwrap();
    std::fs::write(dir.join("config.toml"), toml).unwrap();
    bin().arg("init").arg(&ws).assert().success();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(dir.join("cur.csv"))
        .assert()
        .success();
    if !toml.is_empty() {
        bin()
            .args(["config", "import"])
            .arg(&ws)
            .arg(dir.join("config.toml"))
            .assert()
            .success();
    }
    ws
}

fn view(ws: &Path, spec: &str, group_by: Option<&str>) -> Value {
    let mut cmd = bin();
    cmd.arg("report")
        .arg(ws)
        .args(["--period", "2026-10", "--view", spec, "--format", "json"]);
    if let Some(g) = group_by {
        cmd.args(["--group-by", g]);
    }
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

/// (Billable, Proforma) of a view's totals.
fn totals(ws: &Path, spec: &str) -> (String, Option<String>) {
    let v = view(ws, spec, None);
    let t = &v["Totals"];
    (
        t["Billable"].as_str().unwrap().to_string(),
        t["Proforma"].as_str().map(str::to_string),
    )
}

fn transfer(name: &str, source: &str, target: &str, plan: &str) -> String {
    format!(
        "[[billing_transfer]]\nname = \"{name}\"\nsource_account = \"{source}\"\ntransfer_account = \"{target}\"\nstart = \"2026-10-01\"\nplan = \"{plan}\"\n\n"
    )
}

fn some(s: &str) -> (String, Option<String>) {
    (s.to_string(), Some(s.to_string()))
}

#[test]
fn a_passthrough_one_level_everyone_sees_the_invoice() {
    let dir = tempfile::tempdir().unwrap();
    // AWS invoices 98 for usage whose public price is 100.
    let ws = setup(
        dir.path(),
        &cur(&[(C, "98", "100")]),
        &transfer("Customer", C, A, "Passthrough"),
    );
    assert_eq!(totals(&ws, &format!("transfer:{C}")), some("98.00"));
    assert_eq!(
        totals(&ws, &format!("showback:{C}")),
        ("98.00".into(), None)
    );
    // The customer's own (primary) view: pro forma only.
    assert_eq!(totals(&ws, &format!("primary:{C}")), ("98.00".into(), None));
    assert_eq!(totals(&ws, "transfer:Customer"), some("98.00"));
}

#[test]
fn b_seller_basic_distributor_passthrough() {
    let dir = tempfile::tempdir().unwrap();
    let toml = transfer("Seller", B, A, "Passthrough")
        + &transfer("End customer", C, B, "BasicPricingPlan");
    let ws = setup(dir.path(), &cur(&[(C, "98", "100")]), &toml);
    // The downstream seller's "my view" of its customer: what it pays, 98.
    let (billable, proforma) = totals(&ws, &format!("transfer:{C}"));
    assert_eq!(
        (billable.as_str(), proforma.as_deref()),
        ("98.00", Some("100.00"))
    );
    // The end customer sees the seller's Basic plan: 100.
    assert_eq!(
        totals(&ws, &format!("showback:{C}")),
        ("100.00".into(), None)
    );
    assert_eq!(
        totals(&ws, &format!("primary:{C}")),
        ("100.00".into(), None)
    );
    // The distributor passes AWS's price through to the seller.
    assert_eq!(totals(&ws, &format!("transfer:{B}")), some("98.00"));
    // The distributor has no CUR rows of its own: its primary view is what AWS invoices it
    // for its sources (`primary` names it: the one account that pays AWS).
    assert_eq!(totals(&ws, &format!("primary:{A}")), some("98.00"));
    assert_eq!(totals(&ws, "primary"), some("98.00"));
    assert_eq!(totals(&ws, &format!("primary:{B}")), ("98.00".into(), None));
}

#[test]
fn c_distributor_basic_seller_passthrough() {
    let dir = tempfile::tempdir().unwrap();
    let toml = transfer("Seller", B, A, "BasicPricingPlan")
        + &transfer("End customer", C, B, "Passthrough");
    let ws = setup(dir.path(), &cur(&[(C, "98", "100")]), &toml);
    // The seller pays the distributor's 100 and passes it through: both see 100.
    assert_eq!(totals(&ws, &format!("transfer:{C}")), some("100.00"));
    assert_eq!(
        totals(&ws, &format!("showback:{C}")),
        ("100.00".into(), None)
    );
    assert_eq!(
        totals(&ws, &format!("primary:{B}")),
        ("100.00".into(), None)
    );
    // The distributor pays AWS 98 for it.
    let (billable, proforma) = totals(&ws, &format!("transfer:{B}"));
    assert_eq!(
        (billable.as_str(), proforma.as_deref()),
        ("98.00", Some("100.00"))
    );
}

#[test]
fn d_conglomerate_subsidiary_business_unit() {
    let dir = tempfile::tempdir().unwrap();
    // Usage: the business unit 15, the subsidiary 30, the conglomerate itself 10; public
    // prices 17.50 and 36.25, which the conglomerate's 20% discount turns into 14 and 29.
    let toml = format!(
        "[[pricing_rule]]\nname = \"group-discount\"\nscope = \"GLOBAL\"\ntype = \"DISCOUNT\"\npercent = 20\n\n\
         [[pricing_plan]]\nname = \"conglomerate\"\nrules = [\"group-discount\"]\n\n{}{}\
         [[custom_line_item]]\nname = \"bu-credit\"\ndescription = \"Internal credit\"\ngroup = \"Business-unit\"\ntype = \"CREDIT\"\nflat = 0.50\nstart = \"2026-10\"\n",
        transfer("Subsidiary", B, A, "conglomerate"),
        transfer("Business unit", C, B, "Passthrough"),
    );
    let ws = setup(
        dir.path(),
        &cur(&[(A, "10", "10"), (B, "30", "36.25"), (C, "15", "17.50")]),
        &toml,
    );
    // The conglomerate pays AWS 55.
    assert_eq!(totals(&ws, &format!("primary:{A}")).0, "55.00");
    // It charges the subsidiary 14 + 29 = 43 for the 45 it pays.
    let (billable, proforma) = totals(&ws, &format!("transfer:{B}"));
    assert_eq!(
        (billable.as_str(), proforma.as_deref()),
        ("45.00", Some("43.00"))
    );
    assert_eq!(
        totals(&ws, &format!("showback:{B}")),
        ("43.00".into(), None)
    );
    assert_eq!(totals(&ws, &format!("primary:{B}")), ("43.00".into(), None));
    let by_account = view(&ws, &format!("showback:{B}"), Some("LINKED_ACCOUNT"));
    let rows: Vec<(String, String)> = by_account["Rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Attributes"][0]["Value"].as_str().unwrap().to_string(),
                r["Billable"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (B.to_string(), "29.00".to_string()),
            (C.to_string(), "14.00".to_string())
        ]
    );
    // The subsidiary pays 14 for the business unit and charges it 13.50.
    let (billable, proforma) = totals(&ws, &format!("transfer:{C}"));
    assert_eq!(
        (billable.as_str(), proforma.as_deref()),
        ("14.00", Some("13.50"))
    );
    assert_eq!(
        totals(&ws, &format!("showback:{C}")),
        ("13.50".into(), None)
    );
    assert_eq!(totals(&ws, &format!("primary:{C}")), ("13.50".into(), None));
    // explain: the business unit's 13.50, in the subsidiary's computation.
    for spec in [format!("showback:{C}"), format!("transfer:{C}")] {
        let out = bin()
            .arg("explain")
            .arg(&ws)
            .args(["--period", "2026-10", "--view", &spec])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("billable 14.00, pro forma 13.50, margin -0.50"),
            "{text}"
        );
        assert!(text.contains("bu-credit"), "{text}");
    }
    // The group list is the conglomerate's: its invoice, the level-2 group pointed to.
    let out = bin()
        .arg("report")
        .arg(&ws)
        .args(["--period", "2026-10"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("Invoice total (all payers): 55.00"), "{text}");
    // The subsidiary's group holds both organisations' accounts, also when the list comes
    // from the totals kept by the run before.
    for _ in 0..2 {
        let out = bin()
            .arg("report")
            .arg(&ws)
            .args(["--period", "2026-10"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        let row = text
            .lines()
            .find(|l| l.starts_with("Subsidiary"))
            .unwrap_or_else(|| panic!("{text}"));
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells[2], "2", "{row}");
    }
    assert!(text.contains(&format!("--view transfer:{C}")), "{text}");
}

#[test]
fn transfers_round_trip_through_toml_and_the_aws_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let toml = transfer("Seller", B, A, "Passthrough")
        + &transfer("End customer", C, B, "BasicPricingPlan");
    let ws = setup(dir.path(), &cur(&[(C, "98", "100")]), &toml);
    for (format, file) in [("toml", "out.toml"), ("aws-json", "out.json")] {
        let path = dir.path().join(file);
        let out = bin()
            .args(["config", "export"])
            .arg(&ws)
            .args(["--period", "2026-10", "--format", format])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        std::fs::write(&path, &out).unwrap();
        let text = String::from_utf8(out).unwrap();
        if format == "aws-json" {
            let v: Value = serde_json::from_str(&text).unwrap();
            let t = &v["BillingTransfers"][0];
            assert_eq!(t["Type"], "BILLING");
            assert_eq!(t["StartTimestamp"], "2026-10-01T00:00:00Z");
            assert!(v["BillingGroups"].as_array().unwrap().iter().all(|g| {
                g["AccountGrouping"]["ResponsibilityTransferArn"]
                    .as_str()
                    .is_some_and(|a| a.contains(":transfer/o-"))
            }));
        } else {
            assert!(text.contains("[[billing_transfer]]"), "{text}");
        }
        // Importing the export into a fresh workspace gives the same numbers.
        let dir2 = tempfile::tempdir().unwrap();
        let ws2 = dir2.path().join("ws.proforma");
        bin().arg("init").arg(&ws2).assert().success();
        bin()
            .arg("import")
            .arg(&ws2)
            .arg(dir.path().join("cur.csv"))
            .assert()
            .success();
        bin()
            .args(["config", "import"])
            .arg(&ws2)
            .arg(&path)
            .assert()
            .success();
        assert_eq!(
            totals(&ws2, &format!("transfer:{C}")),
            totals(&ws, &format!("transfer:{C}"))
        );
        assert_eq!(
            totals(&ws2, &format!("showback:{C}")),
            ("100.00".into(), None)
        );
    }
}

#[test]
fn invalid_transfers_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let ws = setup(dir.path(), &cur(&[(C, "98", "100")]), "");
    let refuse = |toml: &str, expect: &str| {
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, toml).unwrap();
        let out = bin()
            .args(["config", "import"])
            .arg(&ws)
            .arg(&path)
            .assert()
            .code(1)
            .get_output()
            .stderr
            .clone();
        let err = String::from_utf8(out).unwrap();
        assert!(err.contains(expect), "expected '{expect}' in: {err}");
    };
    refuse(
        &transfer("X", C, A, "Passthrough").replace("2026-10-01", "2026-10-15"),
        "billing_transfer[0].start: a billing transfer starts on the 1st of a month",
    );
    refuse(
        &(transfer("X", C, A, "Passthrough") + "end = \"2026-12-15\"\n"),
        "ends at the end of a month",
    );
    let d = "444444444444";
    refuse(
        &(transfer("one", C, B, "Passthrough")
            + &transfer("two", B, A, "Passthrough")
            + &transfer("three", A, d, "Passthrough")),
        "up to two levels",
    );
    refuse(
        &(transfer("one", C, B, "Passthrough") + &transfer("back", B, C, "Passthrough")),
        "form a loop",
    );
    refuse(
        &(transfer("one", C, A, "Passthrough") + &transfer("again", C, B, "Passthrough")),
        "already transfers its bill through 'again'",
    );
    // A bundle transfer in force without its group is refused (TOML creates one).
    refuse(
        r#"{"BillingTransfers": [{"Arn": "arn:aws:organizations::111111111111:transfer/o-abcdefghij/billing/inbound/rt-abcdefgh", "Name": "X", "Source": {"ManagementAccountId": "333333333333"}, "Target": {"ManagementAccountId": "111111111111"}, "StartTimestamp": "2026-10-01T00:00:00Z"}]}"#,
        "needs its TRANSFER_BILLING billing group",
    );
    refuse(
        r#"{"BillingTransfers": [{"Arn": "arn:aws:organizations::111111111111:transfer/o-abcdefghij/billing/inbound/rt-abcdefgh", "Name": "X", "Source": {"ManagementAccountId": "333333333333"}, "Target": {"ManagementAccountId": "111111111111"}, "StartTimestamp": 1790812800.5}]}"#,
        "starts on the 1st of a month at 00:00 UTC",
    );
    // Without a plan, a transfer's group is on BasicPricingPlan (SPEC 2.6).
    let path = dir.path().join("basic.toml");
    std::fs::write(
        &path,
        "[[billing_transfer]]\nname = \"X\"\nsource_account = \"333333333333\"\ntransfer_account = \"111111111111\"\nstart = \"2026-10\"\n",
    )
    .unwrap();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&path)
        .assert()
        .success();
    assert_eq!(
        totals(&ws, &format!("showback:{C}")),
        ("100.00".into(), None)
    );
    // Not in force: a view names the months it covers.
    let path = dir.path().join("later.toml");
    std::fs::write(
        &path,
        transfer("Later", C, A, "Passthrough").replace("2026-10-01", "2026-11-01"),
    )
    .unwrap();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&path)
        .assert()
        .success();
    let out = bin()
        .arg("report")
        .arg(&ws)
        .args(["--period", "2026-10", "--view", &format!("showback:{C}")])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8(out)
            .unwrap()
            .contains("is not in force in 2026-10"),
        "not in force"
    );
}
