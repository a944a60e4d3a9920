//! The reseller profile of `proforma generate-sample` (issue 10 item 1): several payers, any
//! number of accounts, a chosen tag cardinality and a generated configuration, on small
//! profiles; the defaults still write the committed demo sample.

mod common;

use common::bin;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn generate(out: &Path, extra: &[&str]) -> String {
    let mut cmd = bin();
    cmd.arg("generate-sample").arg("--out").arg(out).args(extra);
    let done = cmd.assert().success();
    String::from_utf8(done.get_output().stdout.clone()).unwrap()
}

/// (payer id, linked account id -> payer id, names) from accounts.json.
struct Org {
    payers: Vec<String>,
    payer_of: BTreeMap<String, String>,
    names: Vec<String>,
}

fn org(dir: &Path) -> Org {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("accounts.json")).unwrap()).unwrap();
    let mut o = Org {
        payers: Vec::new(),
        payer_of: BTreeMap::new(),
        names: Vec::new(),
    };
    for a in doc["Accounts"].as_array().unwrap() {
        let id = a["Id"].as_str().unwrap().to_string();
        // arn:aws:organizations::<payer>:account/o-example123/<id>
        let arn = a["Arn"].as_str().unwrap();
        let payer = arn.split(':').nth(4).unwrap().to_string();
        assert!(arn.ends_with(&format!("/{id}")), "{arn}");
        o.names.push(a["Name"].as_str().unwrap().to_string());
        if a["JoinedMethod"] == "CREATED" {
            assert_eq!(payer, id, "a management account is its own payer");
            o.payers.push(id);
        } else {
            o.payer_of.insert(id, payer);
        }
    }
    o
}

/// Column values of a CSV file, by header name, one map per row.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn default_flags_still_write_the_committed_sample() {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path(), &[]);
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    for month in ["2026-09", "2026-10"] {
        let name = format!("cur-{month}.csv.gz");
        assert!(
            gunzip(&tmp.path().join(&name)) == gunzip(&committed.join(&name)),
            "{name} differs from sample-data"
        );
    }
    assert_eq!(
        std::fs::read(tmp.path().join("accounts.json")).unwrap(),
        std::fs::read(committed.join("accounts.json")).unwrap()
    );
    let files: BTreeSet<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        files,
        BTreeSet::from(
            ["cur-2026-09.csv.gz", "cur-2026-10.csv.gz", "accounts.json"].map(String::from)
        ),
        "no config.toml without --config-groups"
    );
}

const SMALL: [&str; 14] = [
    "--payers",
    "3",
    "--accounts",
    "12",
    "--tag-values",
    "5",
    "--lines-per-month",
    "300",
    "--months",
    "2",
    "--first-period",
    "2026-09",
    "--plain",
    "--seed=11",
];

#[test]
fn several_payers_write_one_delivery_each_over_their_own_accounts() {
    let tmp = tempfile::tempdir().unwrap();
    let stdout = generate(tmp.path(), &SMALL);
    let o = org(tmp.path());
    assert_eq!(o.payers.len(), 3);
    assert_eq!(o.payers[0], proforma::sample::PAYER);
    assert_eq!(o.payer_of.len(), 12);
    assert_eq!(
        o.names.iter().collect::<BTreeSet<_>>().len(),
        15,
        "account names are unique"
    );
    // Contiguous blocks of four accounts per payer.
    for (p, payer) in o.payers.iter().enumerate() {
        let mine: Vec<&String> = o
            .payer_of
            .iter()
            .filter(|(_, of)| *of == payer)
            .map(|(id, _)| id)
            .collect();
        let expect: Vec<String> = (4 * p..4 * p + 4)
            .map(proforma::sample::account_id)
            .collect();
        assert_eq!(mine, expect.iter().collect::<Vec<_>>(), "payer {payer}");
    }

    let mut usage_rows = 0usize;
    let mut centers = BTreeSet::new();
    for month in ["2026-09", "2026-10"] {
        assert!(!tmp.path().join(format!("cur-{month}.csv")).exists());
        for payer in &o.payers {
            let path = tmp.path().join(format!("cur-{month}-{payer}.csv"));
            let rows = rows(&path);
            assert!(
                stdout.contains(&format!("{} ({} rows)", path.display(), rows.len())),
                "{stdout}"
            );
            let mut accounts = BTreeSet::new();
            for r in &rows {
                assert_eq!(&r["bill/PayerAccountId"], payer, "{}", path.display());
                assert!(r["bill/BillingPeriodStartDate"].starts_with(month));
                let account = &r["lineItem/UsageAccountId"];
                if account != payer {
                    assert_eq!(
                        o.payer_of.get(account),
                        Some(payer),
                        "{account} in {} is not {payer}'s",
                        path.display()
                    );
                    accounts.insert(account.clone());
                }
                if let Some(c) = r
                    .get("resourceTags/user:cost-center")
                    .filter(|c| !c.is_empty())
                {
                    centers.insert(c.clone());
                }
                usage_rows += usize::from(
                    r["lineItem/LineItemType"] != "Tax"
                        && r["lineItem/UsageStartDate"] != format!("{month}-01T00:00:00Z"),
                );
            }
            assert_eq!(accounts.len(), 4, "every account of {payer} has lines");
        }
    }
    // 300 usage lines a month in all, split among the payers (covered usage comes in pairs
    // with its negation, and month-end rows are dated the 1st; so at least this many).
    assert!(usage_rows >= 2 * 250, "{usage_rows}");
    assert_eq!(
        centers,
        (100..105).map(|c| format!("CC-{c}")).collect(),
        "--tag-values 5: exactly five cost centers"
    );
}

#[test]
fn the_profile_is_deterministic_and_seeded() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let with_config = [&SMALL[..], &["--config-groups", "4"]].concat();
    generate(a.path(), &with_config);
    generate(b.path(), &with_config);
    let mut other = with_config.clone();
    other[13] = "--seed=12";
    generate(c.path(), &other);
    let names = [
        "cur-2026-10-210988654324.csv",
        "accounts.json",
        "config.toml",
    ];
    for name in names {
        assert_eq!(
            std::fs::read(a.path().join(name)).unwrap(),
            std::fs::read(b.path().join(name)).unwrap(),
            "{name}"
        );
    }
    assert_ne!(
        std::fs::read(a.path().join(names[0])).unwrap(),
        std::fs::read(c.path().join(names[0])).unwrap()
    );
}

#[test]
fn the_generated_configuration_is_accepted_and_covers_the_accounts() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    generate(
        &data,
        &[
            "--payers",
            "3",
            "--accounts",
            "30",
            "--lines-per-month",
            "600",
            "--months",
            "1",
            "--first-period",
            "2026-10",
            "--config-groups",
            "6",
            "--config-rules",
            "60",
            "--config-items",
            "18",
        ],
    );
    let o = org(&data);
    let text = std::fs::read_to_string(data.join("config.toml")).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let groups = doc["billing_group"].as_array().unwrap();
    assert_eq!(groups.len(), 6);
    assert_eq!(doc["pricing_rule"].as_array().unwrap().len(), 60);
    assert_eq!(doc["pricing_plan"].as_array().unwrap().len(), 3);
    assert_eq!(doc["custom_line_item"].as_array().unwrap().len(), 18);
    let mut grouped = BTreeSet::new();
    for g in groups {
        let accounts: Vec<&str> = g["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        // Runs of five accounts, the last left out: four members, one payer per group.
        assert_eq!(accounts.len(), 4, "{g}");
        assert_eq!(g["primary_account"].as_str().unwrap(), accounts[0]);
        let payers: BTreeSet<&String> = accounts.iter().map(|a| &o.payer_of[*a]).collect();
        assert_eq!(payers.len(), 1, "{g}");
        grouped.extend(accounts);
    }
    assert_eq!(grouped.len(), 24, "six accounts stay unmonitored");

    let ws = tmp.path().join("w.proforma");
    bin().arg("init").arg(&ws).assert().success();
    let mut import = bin();
    import.arg("import").arg(&ws);
    for payer in &o.payers {
        import.arg(data.join(format!("cur-2026-10-{payer}.csv.gz")));
    }
    import.arg(data.join("accounts.json")).assert().success();
    let done = bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(data.join("config.toml"))
        .assert()
        .success();
    let out = String::from_utf8_lossy(&done.get_output().stdout).to_string();
    assert!(
        out.contains("6 billing groups, 3 pricing plans, 60 pricing rules, 18 custom line items"),
        "{out}"
    );
    let done = bin()
        .arg("report")
        .arg(&ws)
        .args(["--period", "2026-10", "--format", "json"])
        .assert()
        .success();
    let report: serde_json::Value = serde_json::from_slice(&done.get_output().stdout).unwrap();
    let rows = report["BillingGroupCostReports"].as_array().unwrap();
    assert_eq!(rows.len(), 6, "{report}");
    let done = bin()
        .arg("report")
        .arg(&ws)
        .args(["--period", "2026-10", "--format", "csv"])
        .assert()
        .success();
    let table = String::from_utf8_lossy(&done.get_output().stdout).to_string();
    for g in 1..=6 {
        assert!(
            table.contains(&format!("bg-000{g},")),
            "bg-000{g} in {table}"
        );
    }
}

#[test]
fn bad_counts_are_refused_before_anything_is_written() {
    for (args, message) in [
        (vec!["--payers", "0"], "--payers must be at least 1"),
        (
            vec!["--payers", "3", "--accounts", "2"],
            "--accounts 2 is fewer than --payers 3",
        ),
        (vec!["--tag-values", "0"], "--tag-values must be at least 1"),
        (
            vec!["--config-groups", "41"],
            "--config-groups 41 is more than --accounts 40",
        ),
        (
            vec!["--config-groups", "0", "--config-rules", "5"],
            "--config-groups must be at least 1",
        ),
        // Alone too: `config import` would refuse the empty configuration.
        (
            vec!["--config-groups", "0"],
            "--config-groups must be at least 1",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("never");
        bin()
            .arg("generate-sample")
            .arg("--out")
            .arg(&out)
            .args(&args)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(message));
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}
