//! `proforma export --kind statement` (issue 12 item 4): what a billing group's customer
//! receives, in CSV, Markdown and HTML; footed as `report` shows it; never AWS cost, margin or
//! pricing plan / rule names; CSV safe against formula injection; drafts and closed periods;
//! numbers; `--all`; every issue recorded and listed on the History tab.

mod common;

use common::{bin, snapshot};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// A private copy of the demo workspace (exports record what they issue).
fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    common::tui::demo_copy()
}

fn export(ws: &Path, args: &[&str]) -> String {
    let out = bin()
        .arg("export")
        .arg(ws)
        .args(["--kind", "statement"])
        .args(args)
        .assert()
        .success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

fn stdout(args: &[&str], ws: &Path, rest: &[&str]) -> String {
    let out = bin().args(args).arg(ws).args(rest).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

/// CSV records as maps of header -> cell.
fn csv_records(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// `report --format csv` of the period (billing group list), by group name.
fn report_groups(ws: &Path, period: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let text = stdout(&["report"], ws, &["--period", period, "--format", "csv"]);
    csv_records(&text)
        .into_iter()
        .map(|r| (r["Name"].clone(), r))
        .collect()
}

/// Every decimal number written in `text` (`1,234.56`, `-150.00`, `0.53`), and its absolute
/// value: digits with thousands separators (a comma before exactly three digits), a point and
/// decimals. A comma followed by anything else ends the number (CSV cells stay apart).
fn numbers_in(text: &str) -> BTreeSet<Decimal> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < b.len() {
        if !digit(i) || (i > 0 && (digit(i - 1) || b[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let start = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
        let mut j = i;
        while digit(j) {
            j += 1;
        }
        while b.get(j) == Some(&b',')
            && digit(j + 1)
            && digit(j + 2)
            && digit(j + 3)
            && !digit(j + 4)
        {
            j += 4;
        }
        if b.get(j) == Some(&b'.') && digit(j + 1) {
            j += 1;
            while digit(j) {
                j += 1;
            }
            let t = text[start..j].replace(',', "");
            let v = Decimal::from_str(&t).unwrap();
            out.insert(v);
            out.insert(v.abs());
        }
        i = j.max(i + 1);
    }
    out
}

/// The names of every pricing plan and rule of the demo configuration.
fn plan_and_rule_names(ws: &Path) -> Vec<String> {
    let toml = stdout(&["config", "export"], ws, &["--period", "2026-10"]);
    let v: toml::Value = toml::from_str(&toml).unwrap();
    let mut names = vec!["BasicPricingPlan".to_string(), "Passthrough".to_string()];
    for key in ["pricing_plan", "pricing_rule"] {
        for x in v.get(key).and_then(|x| x.as_array()).unwrap() {
            names.push(x["name"].as_str().unwrap().to_string());
        }
    }
    names
}

#[test]
fn every_format_of_every_demo_group_hides_aws_cost_margin_and_rule_names() {
    let (dir, ws) = demo_copy();
    let groups = report_groups(&ws, "2026-10");
    // The demo payer's five groups and Globex's transfer group.
    assert_eq!(groups.len(), 6);
    let secret_names = plan_and_rule_names(&ws);
    assert!(secret_names.iter().any(|n| n == "global-markup-10"));
    for (name, row) in &groups {
        // What must never show: the group's AWS cost and margin, and per service and per
        // account their AWS cost and margin. Amounts that are also a pro forma the report
        // shows (a service whose pro forma equals its AWS cost, a custom line item whose
        // margin is its amount) are no secret.
        let mut secret: BTreeSet<Decimal> = BTreeSet::new();
        let mut proforma: BTreeSet<Decimal> = BTreeSet::new();
        let mut add = |r: &BTreeMap<String, String>| {
            secret.insert(d(&r["AWSCost"]));
            secret.insert(d(&r["Margin"]).abs());
            proforma.insert(d(&r["ProformaCost"]).abs());
        };
        add(row);
        for by in ["SERVICE_CODE", "LINKED_ACCOUNT"] {
            let text = stdout(
                &["report"],
                &ws,
                &[
                    "--period",
                    "2026-10",
                    "--group",
                    name,
                    "--group-by",
                    by,
                    "--format",
                    "csv",
                ],
            );
            for r in &csv_records(&text) {
                add(r);
            }
        }
        let mut secret: BTreeSet<Decimal> = secret.difference(&proforma).copied().collect();
        assert!(secret.contains(&d(&row["AWSCost"])), "{name}");
        secret.remove(&Decimal::ZERO);
        for format in ["csv", "md", "html"] {
            let out = dir.path().join(format!("{name}.{format}"));
            export(
                &ws,
                &[
                    "--period",
                    "2026-10",
                    "--group",
                    name,
                    "--format",
                    format,
                    "--out",
                    out.to_str().unwrap(),
                ],
            );
            let text = std::fs::read_to_string(&out).unwrap();
            // The statement's own amounts (HTML: outside its stylesheet's lengths): the
            // group's pro forma is there.
            let body = match (text.find("<style>"), text.find("</style>")) {
                (Some(a), Some(b)) => format!("{}{}", &text[..a], &text[b..]),
                _ => text.clone(),
            };
            let shown = numbers_in(&body);
            assert!(
                shown.contains(&d(&row["ProformaCost"])),
                "{name} {format}: no pro forma {}",
                row["ProformaCost"]
            );
            let leaked: Vec<&Decimal> = secret.intersection(&shown).collect();
            assert!(
                leaked.is_empty(),
                "{name} {format} shows AWS cost or margin amounts {leaked:?}:\n{text}"
            );
            for n in &secret_names {
                assert!(
                    !text.contains(n.as_str()),
                    "{name} {format} names plan or rule {n}:\n{text}"
                );
            }
            for word in ["AWS cost", "AWSCost", "Margin", "Billable", "billable"] {
                assert!(!text.contains(word), "{name} {format} says {word}");
            }
        }
    }
}

#[test]
fn amounts_foot_to_the_reported_pro_forma_and_tax_is_a_line_only_when_passed_on() {
    let (dir, ws) = demo_copy();
    let groups = report_groups(&ws, "2026-10");
    for (name, row) in &groups {
        let out = dir.path().join(format!("{name}.csv"));
        export(
            &ws,
            &[
                "--period",
                "2026-10",
                "--group",
                name,
                "--out",
                out.to_str().unwrap(),
                "--with-tax",
            ],
        );
        let recs = csv_records(&std::fs::read_to_string(&out).unwrap());
        let section = |s: &str| -> Vec<&BTreeMap<String, String>> {
            recs.iter().filter(|r| r["Section"] == s).collect()
        };
        let one = |s: &str| d(&section(s)[0]["Amount"]);
        let pf = d(&row["ProformaCost"]);
        assert_eq!(one("Subtotal"), pf, "{name}");
        assert_eq!(one("Tax"), d(&row["Tax"]), "{name}");
        assert_eq!(one("Total"), pf + d(&row["Tax"]), "{name}");
        let lines: Decimal = ["Service", "Fee", "Credit"]
            .iter()
            .flat_map(|s| section(s))
            .map(|r| d(&r["Amount"]))
            .sum();
        assert_eq!(lines, pf, "{name}: the lines add up to the subtotal");
        let accounts = section("Account");
        assert!(accounts.len() > 1, "{name}: every demo group has accounts");
        let by_account: Decimal = accounts.iter().map(|r| d(&r["Amount"])).sum();
        assert_eq!(
            by_account, pf,
            "{name}: the accounts add up to the subtotal"
        );
        for r in &recs {
            assert_eq!(r["Currency"], "USD");
            assert_eq!(r["BillingGroup"], *name);
            assert_eq!(r["BillingPeriod"], "2026-10");
            // Every amount is written to the cent.
            assert_eq!(d(&r["Amount"]).scale(), 2, "{r:?}");
        }
        // Each service line is the report's service row within a cent (both footed).
        let report = csv_records(&stdout(
            &["report"],
            &ws,
            &[
                "--period",
                "2026-10",
                "--group",
                name,
                "--group-by",
                "SERVICE_CODE",
                "--format",
                "csv",
            ],
        ));
        for s in section("Service") {
            let r = report
                .iter()
                .find(|r| r["SERVICE_CODE"] == s["Code"])
                .unwrap_or_else(|| panic!("{name}: no report row for {}", s["Code"]));
            assert!(
                (d(&r["ProformaCost"]) - d(&s["Amount"])).abs() <= d("0.01"),
                "{name} {}: {} vs {}",
                s["Code"],
                r["ProformaCost"],
                s["Amount"]
            );
        }
    }
    // Without --with-tax there is no tax line, and the total is the pro forma.
    let out = dir.path().join("media-no-tax.csv");
    export(
        &ws,
        &[
            "--period",
            "2026-10",
            "--group",
            "media",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let recs = csv_records(&std::fs::read_to_string(&out).unwrap());
    assert!(recs.iter().all(|r| r["Section"] != "Tax"));
    let total = recs.iter().find(|r| r["Section"] == "Total").unwrap();
    assert_eq!(d(&total["Amount"]), d(&groups["media"]["ProformaCost"]));
    // media's October credit is its own line: its description, negative, a plain number.
    let credit = recs.iter().find(|r| r["Section"] == "Credit").unwrap();
    assert_eq!(credit["Description"], "October commitment credit");
    assert_eq!(credit["Amount"], "-150.00");
    assert!(
        !std::fs::read_to_string(&out)
            .unwrap()
            .contains("media-commit-credit"),
        "the item's internal name is not shown"
    );
}

/// A workspace whose names and descriptions try formula and markup injection.
fn hostile_workspace(dir: &Path) -> PathBuf {
    let ws = dir.join("ws.proforma");
    bin().arg("init").arg(&ws).assert().success();
    let p = "999999999999";
    let start = "2026-10-01T00:00:00Z";
    let cur = common::cur_csv(&[
        (p, "111111111111", start, "Usage", "AmazonEC2", "100.00"),
        (p, "222222222222", start, "Usage", "AmazonS3", "50.005"),
        (p, "333333333333", start, "Usage", "AmazonEC2", "10.00"),
    ]);
    let f = dir.join("cur.csv");
    std::fs::write(&f, cur).unwrap();
    let accounts = dir.join("accounts.csv");
    std::fs::write(
        &accounts,
        "account_id,name\n111111111111,\"+cmd|' /C calc'!A0\"\n222222222222,-2+3\n",
    )
    .unwrap();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&f)
        .arg(&accounts)
        .assert()
        .success();
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        r#"
[[billing_group]]
name = "=HYPERLINK"
primary_account = "111111111111"
accounts = ["111111111111", "222222222222"]
plan = "BasicPricingPlan"

[[billing_group]]
name = "@SUM"
primary_account = "333333333333"
accounts = ["333333333333"]
plan = "BasicPricingPlan"

[[custom_line_item]]
name = "=evil"
description = "=HYPERLINK(\"http://evil.example\",\"click\")"
group = "=HYPERLINK"
type = "FEE"
flat = 10
start = "2026-10"

[[custom_line_item]]
name = "@credit"
description = "@SUM(A1:A9) <script>alert(1)</script> | *x*"
group = "=HYPERLINK"
type = "CREDIT"
flat = 3.5
start = "2026-10"

[[custom_line_item]]
name = "minus"
description = "-1+1"
group = "@SUM"
type = "FEE"
flat = 1
start = "2026-10"
"#,
    )
    .unwrap();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&cfg)
        .args(["--from-period", "2026-10"])
        .assert()
        .success();
    ws
}

#[test]
fn csv_cells_that_could_be_formulas_are_escaped_and_amounts_stay_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let ws = hostile_workspace(dir.path());
    let out = dir.path().join("out");
    export(
        &ws,
        &[
            "--period",
            "2026-10",
            "--all",
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    // Safe slugs of the names.
    assert_eq!(files, ["hyperlink-2026-10.csv", "sum-2026-10.csv"]);
    let mut descriptions = BTreeSet::new();
    let mut amounts = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        // "Charges by account" only for the group with several accounts.
        let accounts = csv_records(&text)
            .iter()
            .filter(|r| r["Section"] == "Account")
            .count();
        assert_eq!(accounts, if f.starts_with("sum") { 0 } else { 2 }, "{f}");
        for r in csv_records(&text) {
            for (k, v) in &r {
                if k == "Amount" {
                    // Written by proforma: a plain number, a credit negative and unquoted.
                    d(v);
                    amounts.push((r["Section"].clone(), v.clone()));
                    continue;
                }
                assert!(
                    !v.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{f}: cell {k} = {v:?} could run as a formula"
                );
            }
            descriptions.insert(r["Description"].clone());
            if r["Section"] == "Account" {
                descriptions.insert(r["AccountName"].clone());
            }
            assert!(r["BillingGroup"] == "'=HYPERLINK" || r["BillingGroup"] == "'@SUM");
        }
    }
    for want in [
        "'=HYPERLINK(\"http://evil.example\",\"click\")",
        "'@SUM(A1:A9) <script>alert(1)</script> | *x*",
        "'-1+1",
        "'+cmd|' /C calc'!A0",
        "'-2+3",
    ] {
        assert!(descriptions.contains(want), "{want} in {descriptions:?}");
    }
    assert!(
        amounts.contains(&("Credit".into(), "-3.50".into())),
        "{amounts:?}"
    );
    // 100.00 + 50.005 (50.01 shown) + 10.00 fee - 3.50 credit = 156.51 (156.505 rounded).
    assert!(
        amounts.contains(&("Subtotal".into(), "156.51".into())),
        "{amounts:?}"
    );

    // HTML and Markdown show the same text as text, never as markup.
    let html = dir.path().join("h.html");
    export(
        &ws,
        &[
            "--period",
            "2026-10",
            "--group",
            "=HYPERLINK",
            "--out",
            html.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(!text.contains("<script>"), "{text}");
    assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!text.contains("http-equiv") && !text.contains("src=") && !text.contains("href="));
    let md = dir.path().join("h.md");
    export(
        &ws,
        &[
            "--period",
            "2026-10",
            "--group",
            "=HYPERLINK",
            "--out",
            md.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("@SUM(A1:A9) \\<script\\>alert(1)\\</script\\> \\| \\*x\\*"),
        "{text}"
    );
    // Every table row of the Markdown keeps its three cells.
    for l in text
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("2026"))
    {
        let bars = l.matches('|').count() - l.matches("\\|").count();
        assert!(bars == 3 || bars == 4, "{l}");
    }
}

fn issued(ws: &Path) -> Vec<(String, String, String, String, bool)> {
    let ws = proforma::store::Workspace::open(ws).unwrap();
    ws.issued_statements(100)
        .unwrap()
        .into_iter()
        .rev()
        .map(|x| (x.number, x.group_name, x.format, x.sha256, x.draft))
        .collect()
}

#[test]
fn drafts_say_so_closed_periods_reproduce_byte_for_byte_and_numbers_are_stable() {
    let (dir, ws) = demo_copy();
    let p = |n: &str| dir.path().join(n);
    let path = |n: &str| p(n).to_str().unwrap().to_string();
    let args = |group: &str, out: &str| {
        vec![
            "--period".to_string(),
            "2026-10".into(),
            "--group".into(),
            group.into(),
            "--out".into(),
            path(out),
        ]
    };
    let run = |group: &str, out: &str| {
        let a = args(group, out);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        export(&ws, &a)
    };
    // Open period: every format says draft.
    for f in ["d.csv", "d.md", "d.html"] {
        let said = run("retail", f);
        assert!(said.contains("draft"), "{said}");
        let text = std::fs::read_to_string(p(f)).unwrap();
        assert!(text.contains("DRAFT – period not closed"), "{f}:\n{text}");
        assert!(text.contains("2026-10-0001"), "{f}");
    }
    // Another group takes the next number; retail keeps its own.
    run("media", "m.md");
    assert!(
        std::fs::read_to_string(p("m.md"))
            .unwrap()
            .contains("2026-10-0002")
    );
    bin()
        .args(["close"])
        .arg(&ws)
        .args(["--period", "2026-10", "--note", "October done"])
        .assert()
        .success();
    run("retail", "c1.html");
    run("retail", "c2.html");
    let (a, b) = (
        std::fs::read(p("c1.html")).unwrap(),
        std::fs::read(p("c2.html")).unwrap(),
    );
    assert_eq!(
        a, b,
        "a closed period's statement is reproducible byte for byte"
    );
    let text = String::from_utf8(a.clone()).unwrap();
    assert!(!text.contains("DRAFT"));
    assert!(text.contains("Final – period closed"));
    assert!(text.contains("2026-10-0001"));
    // Closing changed nothing in the configuration: same version as the draft's.
    let version = |t: &str| {
        t.lines()
            .find(|l| l.contains("Configuration version"))
            .map(|l| l.replace("<tr><th>Configuration version</th><td>", ""))
            .unwrap()
    };
    assert_eq!(
        version(&text),
        version(&std::fs::read_to_string(p("d.html")).unwrap())
    );
    // Every issue recorded: number, group, format, SHA-256 of the bytes, draft or not.
    let rec = issued(&ws);
    assert_eq!(rec.len(), 6);
    let sha = |bytes: &[u8]| {
        use sha2::Digest;
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(
        rec[4],
        (
            "2026-10-0001".into(),
            "retail".into(),
            "html".into(),
            sha(&b),
            false
        )
    );
    assert_eq!(rec[4], rec[5]);
    assert_eq!(
        (rec[0].0.as_str(), rec[0].2.as_str(), rec[0].4),
        ("2026-10-0001", "csv", true)
    );
    assert_eq!(rec[0].3, sha(&std::fs::read(p("d.csv")).unwrap()));
    assert_eq!(
        (rec[3].0.as_str(), rec[3].1.as_str()),
        ("2026-10-0002", "media")
    );
    // An accounts file renaming retail's primary account after the close changes nothing in
    // the closed period's statement (the names at the close are kept)...
    let primary = "304857112600";
    assert!(text.contains(primary), "{text}");
    std::fs::write(
        p("rename.json"),
        format!(
            r#"{{"Accounts":[{{"Id":"{primary}","Name":"retail-RENAMED","Status":"ACTIVE"}}]}}"#
        ),
    )
    .unwrap();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(p("rename.json"))
        .assert()
        .success();
    run("retail", "c3.html");
    assert_eq!(std::fs::read(p("c3.html")).unwrap(), b);
    // ... and after a reopen the statement shows the current name.
    bin()
        .args(["reopen"])
        .arg(&ws)
        .args(["--period", "2026-10", "--reason", "renamed"])
        .assert()
        .success();
    run("retail", "c4.html");
    assert!(
        std::fs::read_to_string(p("c4.html"))
            .unwrap()
            .contains("retail-RENAMED")
    );
}

#[test]
fn all_writes_one_file_per_group_and_refuses_to_overwrite_unless_forced() {
    let (dir, ws) = demo_copy();
    let out = dir.path().join("statements");
    let outs = out.to_str().unwrap();
    let said = export(
        &ws,
        &[
            "--period", "2026-09", "--all", "--format", "md", "--out", outs,
        ],
    );
    // Every group this workspace bills: Initech's (a level-2 transfer) is Globex's to bill.
    assert_eq!(said.lines().count(), 6, "{said}");
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "fintech-2026-09.md",
            "globex-2026-09.md",
            "labs-2026-09.md",
            "logistics-2026-09.md",
            "media-2026-09.md",
            "retail-2026-09.md"
        ]
    );
    let numbers: BTreeSet<String> = issued(&ws).into_iter().map(|x| x.0).collect();
    assert_eq!(numbers.len(), 6);
    assert!(numbers.iter().all(|n| n.starts_with("2026-09-00")));
    // Again: the first target exists, so nothing is written or recorded.
    let before = snapshot(&ws);
    std::fs::remove_file(out.join("media-2026-09.md")).unwrap();
    bin()
        .arg("export")
        .arg(&ws)
        .args(["--kind", "statement", "--period", "2026-09", "--all"])
        .args(["--format", "md", "--out", outs])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("exists; nothing was written"));
    assert_eq!(snapshot(&ws), before);
    assert!(!out.join("media-2026-09.md").exists(), "nothing written");
    // --force replaces them, same numbers.
    std::fs::write(out.join("retail-2026-09.md"), "old").unwrap();
    export(
        &ws,
        &[
            "--period", "2026-09", "--all", "--format", "md", "--out", outs, "--force",
        ],
    );
    let text = std::fs::read_to_string(out.join("retail-2026-09.md")).unwrap();
    assert!(text.starts_with("# Statement 2026-09-000"), "{text}");
    assert!(out.join("media-2026-09.md").exists());
    let after: BTreeSet<String> = issued(&ws).into_iter().map(|x| x.0).collect();
    assert_eq!(after, numbers);
    // Only the statements: no temporary or replaced file is left.
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 6);
    // One group into an existing directory: its file name there, byte for byte the file
    // --all wrote.
    let one = dir.path().join("one");
    std::fs::create_dir(&one).unwrap();
    export(
        &ws,
        &[
            "--period",
            "2026-09",
            "--group",
            "labs",
            "--format",
            "md",
            "--out",
            one.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read(one.join("labs-2026-09.md")).unwrap(),
        std::fs::read(out.join("labs-2026-09.md")).unwrap()
    );
}

#[test]
fn refusals_write_nothing() {
    let (dir, ws) = demo_copy();
    let before = snapshot(&ws);
    let out = dir.path().join("x.html");
    let o = out.to_str().unwrap();
    for (args, message) in [
        (
            vec!["--period", "2026-10", "--group", "nope", "--out", o],
            "no billing group 'nope'",
        ),
        (
            vec!["--period", "2031-01", "--group", "retail", "--out", o],
            "no cost data for period 2031-01",
        ),
        (
            vec![
                "--period",
                "2026-10",
                "--group",
                "retail",
                "--out",
                o,
                "--audience",
                "internal",
            ],
            "--audience internal does not apply",
        ),
        (
            vec![
                "--period",
                "2026-10",
                "--group",
                "retail",
                "--out",
                "/nonexistent-dir/x.html",
            ],
            "does not exist",
        ),
    ] {
        bin()
            .arg("export")
            .arg(&ws)
            .args(["--kind", "statement"])
            .args(&args)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(message));
        assert_eq!(snapshot(&ws), before, "{args:?}");
        assert!(!out.exists());
    }
}

#[test]
fn the_history_tab_lists_issued_statements() {
    use common::tui;
    let (dir, ws) = demo_copy();
    let out = dir.path().join("retail.html");
    export(
        &ws,
        &[
            "--period",
            "2026-10",
            "--group",
            "retail",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let sha = issued(&ws)[0].3.clone();
    let mut s = tui::open(&ws);
    tui::keys(&mut s, "9");
    let screen = tui::render(&mut s, 160, 40);
    assert!(screen.contains("issue statement"), "{screen}");
    assert!(
        screen.contains("statement 2026-10-0001 retail (html, draft)"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("sha256 {}", &sha[..12])),
        "{screen}"
    );
    // The newest entry is selected: its details show below.
    assert!(screen.contains("statement 2026-10-0001 issued"), "{screen}");
    assert!(screen.contains(&sha), "{screen}");
}

#[test]
fn an_out_file_whose_extension_is_not_the_format_is_refused() {
    let (dir, ws) = demo_copy();
    for (out, format, why) in [
        ("r.csv.gz", None, ".gz is not a statement format"),
        ("r.pdf", None, ".pdf is not a statement format"),
        ("n.csv", Some("html"), "--format html but --out"),
    ] {
        let target = dir.path().join(out);
        let mut cmd = bin();
        cmd.arg("export")
            .arg(&ws)
            .args([
                "--period",
                "2026-10",
                "--kind",
                "statement",
                "--group",
                "retail",
                "--out",
            ])
            .arg(&target);
        if let Some(f) = format {
            cmd.args(["--format", f]);
        }
        cmd.assert().code(1).stderr(predicates::str::contains(why));
        assert!(!target.exists(), "{out} written");
    }
}
