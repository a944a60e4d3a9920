//! `proforma export --kind proforma-cur` (issue 12 item 5): a billing group's pro forma CUR,
//! re-read from the delivery's recorded files, whose cost columns tie to the group's
//! ProformaCost; a missing or changed source file is refused and nothing is written.

mod common;

use common::{bin, demo_workspace, snapshot};
use proforma::analysis::Analysis;
use proforma::engine::price::Basis;
use proforma::model::{Charge, Computation};
use proforma::period::BillingPeriod;
use proforma::store::Workspace;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn round(x: Decimal, dp: u32) -> Decimal {
    x.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

fn period(p: &str) -> BillingPeriod {
    p.parse().unwrap()
}

/// A workspace built from `generate-sample` files (the demo's months) and the demo
/// configuration, as `proforma demo` builds it, but from files on disk.
fn sample_workspace(dir: &Path, extra: &[&str]) -> PathBuf {
    let samples = dir.join("samples");
    bin()
        .args(["generate-sample", "--with-transfers", "--out"])
        .arg(&samples)
        .args(extra)
        .assert()
        .success();
    let ws = dir.join("ws.proforma");
    bin().arg("init").arg(&ws).assert().success();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&samples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    bin().arg("import").arg(&ws).args(&files).assert().success();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/config.toml"))
        .args(["--from-period", "2026-09", "--yes"])
        .assert()
        .success();
    ws
}

/// The rows of a CSV (gzip when the name ends in .gz) by column name.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn read(path: &Path) -> Csv {
        let mut text = String::new();
        let file = std::fs::File::open(path).unwrap();
        if path.extension().is_some_and(|e| e == "gz") {
            flate2::read::GzDecoder::new(file)
                .read_to_string(&mut text)
                .unwrap();
        } else {
            std::io::BufReader::new(file)
                .read_to_string(&mut text)
                .unwrap();
        }
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header = r.headers().unwrap().iter().map(String::from).collect();
        let rows = r
            .records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect())
            .collect();
        Csv { header, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    fn sum(&self, name: &str, keep: impl Fn(&[String]) -> bool) -> Decimal {
        let c = self.col(name);
        self.rows.iter().filter(|r| keep(r)).map(|r| d(&r[c])).sum()
    }
}

/// `report --format json`'s ProformaCost per group ARN (shown amounts, footed: SPEC 5).
fn report_proforma(ws: &Path, p: &str) -> HashMap<String, Decimal> {
    let out = bin()
        .arg("report")
        .arg(ws)
        .args(["--period", p, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    json["BillingGroupCostReports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["Arn"].as_str().unwrap().to_string(),
                d(g["ProformaCost"].as_str().unwrap()),
            )
        })
        .collect()
}

fn export(ws: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = bin();
    cmd.arg("export")
        .arg(ws)
        .args(["--kind", "proforma-cur"])
        .args(args);
    cmd
}

/// Every group of both demo months: the cost columns add up to the group's ProformaCost (the
/// engine's exact amount to 1e-8, so to the cent; the report's footed amount within the cent
/// footing may move it), every row of the group is there (rows left out of pro forma aside),
/// `bill/InvoiceId` is empty, custom line items are Fee/Credit rows (the ITEMIZED one split
/// over its base lines, the CONSOLIDATED ones one row each), and the tiered S3 storage rows
/// carry their lines' tiered pro forma.
#[test]
fn every_group_ties_to_its_proforma_cost() {
    let dir = tempfile::tempdir().unwrap();
    let ws = sample_workspace(dir.path(), &[]);
    let mut itemized_seen = 0;
    let mut consolidated_seen = 0;
    let mut tiered_seen = 0;
    for p in ["2026-09", "2026-10"] {
        let out = dir.path().join(format!("out-{p}"));
        export(&ws, &["--period", p, "--all", "--out"])
            .arg(&out)
            .assert()
            .success();
        let shown = report_proforma(&ws, p);
        let store = Workspace::open_for_reading(&ws).unwrap();
        let a = Analysis::load(&store, period(p)).unwrap();
        // Five groups of the demo payer, Globex's transfer group (level 1) and Initech's
        // (level 2: the downstream seller's to bill, so no file here).
        assert_eq!(a.config.groups.len(), 7);
        for (g, group) in a.config.groups.iter().enumerate() {
            // File names are the groups' names in lower case (slugs).
            let file = out.join(format!(
                "proforma-cur-{}-{p}.csv.gz",
                group.name.to_lowercase()
            ));
            if !a.listed_group(g) {
                assert_eq!(group.name, "Initech");
                assert!(!file.exists());
                continue;
            }
            let csv = Csv::read(&file);
            let exact = a.pricing.groups[g].proforma();
            let total = csv.sum("lineItem/UnblendedCost", |_| true);
            assert!(
                (total - exact).abs() < d("0.00000001"),
                "{} {p}: file {total}, engine {exact}",
                group.name
            );
            assert_eq!(round(total, 2), round(exact, 2), "{} {p}", group.name);
            assert!((round(total, 2) - shown[&group.arn]).abs() <= d("0.01"));
            assert_eq!(
                csv.sum("lineItem/BlendedCost", |_| true),
                total,
                "{}",
                group.name
            );
            // Decimals: at most 10.
            let cost = csv.col("lineItem/UnblendedCost");
            assert!(csv.rows.iter().all(|r| d(&r[cost]).scale() <= 10));
            let invoice = csv.col("bill/InvoiceId");
            assert!(csv.rows.iter().all(|r| r[invoice].is_empty()));

            // Rows: every CUR row of the group but those left out of pro forma.
            let id = csv.col("identity/LineItemId");
            let kind = csv.col("lineItem/LineItemType");
            let is_item = |r: &[String]| r[id].starts_with("proforma-");
            let lines = a.pricing.group_lines.of(Some(g));
            let expected_rows: u64 = lines
                .iter()
                .filter(|&&i| !matches!(a.pricing.line_price[i].basis, Basis::Excluded(_)))
                .map(|&i| a.lines[i].sums.rows)
                .sum();
            let cur_rows = csv.rows.iter().filter(|r| !is_item(r)).count() as u64;
            assert_eq!(cur_rows, expected_rows, "{} {p}", group.name);

            // Row by row: a row of a line priced at public cost carries its own public cost
            // times the line's rule factor (a line's spread is proportional to it; the
            // cumulative rounding moves a row by at most 1e-10).
            let mut factors: HashMap<[String; 5], Decimal> = HashMap::new();
            for &i in lines {
                let price = &a.pricing.line_price[i];
                if matches!(price.basis, Basis::PublicCost | Basis::FreeTierOff) {
                    let k = &a.lines[i].key;
                    factors.insert(
                        [
                            k.account.to_string(),
                            k.line_item_type.as_str().to_string(),
                            k.product_code.to_string(),
                            k.usage_type.to_string(),
                            k.operation.to_string(),
                        ],
                        price.factor,
                    );
                }
            }
            let cols = [
                "lineItem/UsageAccountId",
                "lineItem/LineItemType",
                "lineItem/ProductCode",
                "lineItem/UsageType",
                "lineItem/Operation",
            ]
            .map(|c| csv.col(c));
            let public = csv.col("pricing/publicOnDemandCost");
            let mut checked = 0;
            for r in csv.rows.iter().filter(|r| !r[public].is_empty()) {
                let Some(factor) = factors.get(&cols.map(|c| r[c].clone())) else {
                    continue;
                };
                let want = d(&r[public]) * factor;
                assert!((d(&r[cost]) - want).abs() <= d("0.0000000002"), "{r:?}");
                checked += 1;
            }
            assert!(checked > 300, "{} {p}: {checked} rows", group.name);
            // Custom line items: their amounts, as Fee / Credit rows.
            for amount in a.pricing.items.iter().filter(|x| x.group == g) {
                let item = &a.config.items[amount.item];
                let prefix = item_prefix(&item.arn);
                // The item's internal name is never written (a customer reads this file).
                assert!(
                    !csv.rows.iter().flatten().any(|c| c.contains(&item.name)),
                    "{} written",
                    item.name
                );
                let mine = |r: &[String]| r[id].starts_with(&prefix);
                let rows: Vec<&Vec<String>> = csv.rows.iter().filter(|r| mine(r)).collect();
                let want = if amount.amount < Decimal::ZERO {
                    "Credit"
                } else {
                    "Fee"
                };
                assert!(rows.iter().all(|r| r[kind] == want), "{}", item.name);
                assert_eq!(
                    csv.sum("lineItem/UnblendedCost", mine),
                    round(amount.amount, 10),
                    "{} {p}",
                    item.name
                );
                let itemized = item.computation == Computation::Itemized
                    && matches!(item.charge, Charge::Percentage { .. });
                if itemized {
                    // One row per base line with a pro forma, each with that line's service.
                    assert!(rows.len() > 10, "{}: {} rows", item.name, rows.len());
                    itemized_seen += 1;
                } else {
                    assert_eq!(rows.len(), 1, "{}", item.name);
                    consolidated_seen += 1;
                }
            }

            // Custom tiers: the S3 storage rows carry their lines' tiered pro forma.
            let tiered: Decimal = lines
                .iter()
                .filter(|&&i| a.pricing.line_price[i].basis == Basis::CustomTiers)
                .map(|&i| round(a.pricing.line_price[i].proforma, 10))
                .sum();
            if !tiered.is_zero() {
                let code = csv.col("lineItem/ProductCode");
                let usage = csv.col("lineItem/UsageType");
                let op = csv.col("lineItem/Operation");
                let in_file = csv.sum("lineItem/UnblendedCost", |r| {
                    !is_item(r)
                        && r[code] == "AmazonS3"
                        && r[usage] == "TimedStorage-ByteHrs"
                        && r[op] == "PutObject"
                        && r[kind] == "Usage"
                });
                assert_eq!(in_file, tiered, "{} {p}", group.name);
                tiered_seen += 1;
            }
        }
    }
    assert!(
        itemized_seen >= 2,
        "the demo's ITEMIZED item in both months"
    );
    assert!(consolidated_seen >= 4);
    assert!(tiered_seen >= 2, "the demo's tiered S3 storage rule");
}

/// A changed source file (size, or content at the same size) and a missing one are refused,
/// naming the file and saying to re-import; exit 1; nothing is written, and no temporary file
/// is left beside the target.
#[test]
fn a_changed_or_missing_source_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let ws = sample_workspace(dir.path(), &["--months", "1", "--first-period", "2026-10"]);
    let source = dir.path().join("samples/cur-2026-10.csv.gz");
    let original = std::fs::read(&source).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("retail.csv");
    let before = snapshot(&ws);
    let refused = |what: &str| {
        export(&ws, &["--period", "2026-10", "--group", "retail", "--out"])
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(source.display().to_string()))
            .stderr(predicates::str::contains(what))
            .stderr(predicates::str::contains("re-import"));
        assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 0);
    };

    let mut longer = original.clone();
    longer.push(b'\n');
    std::fs::write(&source, &longer).unwrap();
    refused(&format!(
        "{} bytes now, {} then",
        original.len() + 1,
        original.len()
    ));

    let mut other = original.clone();
    let at = other.len() / 2;
    other[at] ^= 0x55;
    std::fs::write(&source, &other).unwrap();
    refused("same size, other content");

    std::fs::remove_file(&source).unwrap();
    refused("the file is missing");
    // --all makes no directory when nothing can be written.
    let all = dir.path().join("all");
    export(&ws, &["--period", "2026-10", "--all", "--out"])
        .arg(&all)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("the file is missing"));
    assert!(!all.exists());
    assert_eq!(snapshot(&ws), before);

    // Put back, the same file exports.
    std::fs::write(&source, &original).unwrap();
    export(&ws, &["--period", "2026-10", "--group", "retail", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("billing group retail 2026-10"));
    assert!(out.exists());
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 1);
    // The usual permissions of a new file, not a temporary file's private ones.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), mode(&plain));
    }
}

/// The demo workspace's deliveries come from the sample built into the binary: they export
/// too, and the plain CSV's total is the report's.
#[test]
fn the_demo_exports_from_its_embedded_sample() {
    let ws = demo_workspace();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("media.csv");
    export(&ws, &["--period", "2026-10", "--group", "media", "--out"])
        .arg(&out)
        .assert()
        .success();
    let csv = Csv::read(&out);
    let store = Workspace::open_for_reading(&ws).unwrap();
    let a = Analysis::load(&store, period("2026-10")).unwrap();
    let g = a.group_index("media").unwrap();
    let total = csv.sum("lineItem/UnblendedCost", |_| true);
    assert_eq!(round(total, 2), round(a.pricing.groups[g].proforma(), 2));
    // The October commitment credit, one Credit row of -150.
    let kind = csv.col("lineItem/LineItemType");
    let credits: Vec<&Vec<String>> = csv
        .rows
        .iter()
        .filter(|r| {
            r[kind] == "Credit" && r[csv.col("identity/LineItemId")].starts_with("proforma-")
        })
        .collect();
    assert_eq!(credits.len(), 1);
    assert_eq!(d(&credits[0][csv.col("lineItem/UnblendedCost")]), d("-150"));
}

/// `--audience customer`: the commitment amounts of the real bill (reservation and Savings
/// Plans costs, fees, rates) are emptied; the pro forma is the same.
#[test]
fn a_customer_file_leaves_out_what_commitments_cost_on_the_bill() {
    let ws = demo_workspace();
    let dir = tempfile::tempdir().unwrap();
    let read = |audience: &str| {
        let out = dir.path().join(format!("{audience}.csv"));
        export(&ws, &["--period", "2026-10", "--group", "media"])
            .args(["--audience", audience, "--out"])
            .arg(&out)
            .assert()
            .success();
        Csv::read(&out)
    };
    let (internal, customer) = (read("internal"), read("customer"));
    assert_eq!(internal.header, customer.header);
    let filled = |csv: &Csv, name: &str| {
        let c = csv.col(name);
        csv.rows.iter().filter(|r| !r[c].is_empty()).count()
    };
    assert!(filled(&internal, "reservation/EffectiveCost") > 0);
    assert_eq!(filled(&customer, "reservation/EffectiveCost"), 0);
    assert_eq!(
        filled(&customer, "reservation/ReservationARN"),
        filled(&internal, "reservation/ReservationARN")
    );
    assert_eq!(
        customer.sum("lineItem/UnblendedCost", |_| true),
        internal.sum("lineItem/UnblendedCost", |_| true)
    );
}

/// CUR 2.0 Parquet: the file keeps the source's own (snake_case) columns, map columns as JSON,
/// and ties out.
#[test]
fn cur2_parquet_keeps_its_layout_and_ties_out() {
    let dir = tempfile::tempdir().unwrap();
    let ws = sample_workspace(
        dir.path(),
        &[
            "--months",
            "1",
            "--first-period",
            "2026-10",
            "--format",
            "cur2-parquet",
            "--lines-per-month",
            "3000",
        ],
    );
    let out = dir.path().join("retail.csv.gz");
    export(&ws, &["--period", "2026-10", "--group", "retail", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("CUR 2.0 rows"));
    let csv = Csv::read(&out);
    assert_eq!(csv.header[0], "identity_line_item_id");
    assert!(csv.header.iter().any(|h| h == "resource_tags"));
    let store = Workspace::open_for_reading(&ws).unwrap();
    let a = Analysis::load(&store, period("2026-10")).unwrap();
    let g = a.group_index("retail").unwrap();
    let total = csv.sum("line_item_unblended_cost", |_| true);
    assert!((total - a.pricing.groups[g].proforma()).abs() < d("0.00000001"));
    let invoice = csv.col("bill_invoice_id");
    assert!(csv.rows.iter().all(|r| r[invoice].is_empty()));
}

/// FOCUS deliveries are not CUR rows: refused, saying why.
#[test]
fn a_focus_delivery_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = sample_workspace(
        dir.path(),
        &[
            "--months",
            "1",
            "--first-period",
            "2026-10",
            "--format",
            "focus-csv",
            "--lines-per-month",
            "2000",
        ],
    );
    let out = dir.path().join("retail.csv");
    export(&ws, &["--period", "2026-10", "--group", "retail", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("imported from FOCUS"))
        .stderr(predicates::str::contains("focus-2026-10"));
    assert!(!out.exists());
}

/// A delivery imported from a `cube-sql` cube holds sums, not rows: refused, saying so.
#[test]
fn a_cube_delivery_is_refused() {
    let (dir, ws) = common::workspace();
    let values: [(&str, &str); 19] = [
        ("proforma_cube", "1"),
        ("record", "line"),
        ("billing_period", "2026-10"),
        ("payer_account_id", "999900001111"),
        ("usage_account_id", "111100002222"),
        ("currency", "USD"),
        ("billing_entity", "AWS"),
        ("product_code", "AmazonEC2"),
        ("usage_type", "BoxUsage:t3.micro"),
        ("operation", "RunInstances"),
        ("line_item_type", "Usage"),
        ("free_on_bill", "false"),
        ("row_count", "5"),
        ("usage_amount", "10"),
        ("unblended_cost", "1.04"),
        ("public_cost", "1.04"),
        ("no_public_price_rows", "0"),
        ("savings_plan_effective_cost", "0"),
        ("reservation_effective_cost", "0"),
    ];
    let columns = proforma::cur::cube::COLUMNS;
    let row: Vec<&str> = columns
        .iter()
        .map(|c| values.iter().find(|(k, _)| k == c).map_or("", |(_, v)| *v))
        .collect();
    let cube = dir.path().join("cube.csv");
    std::fs::write(&cube, format!("{}\n{}\n", columns.join(","), row.join(","))).unwrap();
    bin().arg("import").arg(&ws).arg(&cube).assert().success();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        "[[billing_group]]\nname = \"g\"\nprimary_account = \"111100002222\"\n\
         accounts = [\"111100002222\"]\nplan = \"BasicPricingPlan\"\n",
    )
    .unwrap();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&config)
        .args(["--from-period", "2026-10"])
        .assert()
        .success();
    let out = dir.path().join("g.csv");
    export(&ws, &["--period", "2026-10", "--group", "g", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("imported from a proforma cube"))
        .stderr(predicates::str::contains("cube.csv"))
        .stderr(predicates::str::contains("no rows to write"));
    assert!(!out.exists());
}

/// Usage errors: a statement format, an unknown group, a period without data.
#[test]
fn bad_arguments_are_refused() {
    let ws = demo_workspace();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "--period", "2026-10", "--group", "media", "--format", "html",
            ],
            "the pro forma CUR is CSV",
        ),
        (
            &["--period", "2026-10", "--group", "nope"],
            "no billing group 'nope'",
        ),
        (
            &["--period", "2027-01", "--group", "media"],
            "no cost data for period 2027-01",
        ),
    ];
    for (args, message) in cases {
        export(&ws, args)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicates::str::contains(message));
        assert!(!out.exists());
    }
}

/// The real legacy Parquet sample (AWS Well-Architected labs, 119,307 rows; skipped when
/// absent): its rows keep their snake_case layout, and the file ties to the group's pro forma
/// under a plan of two rules and an ITEMIZED percentage item.
#[test]
fn the_real_parquet_sample_ties_out() {
    let Some(sample) = common::shared_data("Oct2018-WorkshopCUR-00001.snappy.parquet") else {
        return;
    };
    let (dir, ws) = common::workspace();
    bin().arg("import").arg(&ws).arg(&sample).assert().success();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/proforma_cur_workshop.toml"))
        .args(["--from-period", "2018-10", "--yes"])
        .assert()
        .success();
    let out = dir.path().join("workshop.csv.gz");
    export(
        &ws,
        &["--period", "2018-10", "--group", "workshop", "--out"],
    )
    .arg(&out)
    .assert()
    .success();
    let csv = Csv::read(&out);
    assert_eq!(csv.header[0], "identity_line_item_id");
    let store = Workspace::open_for_reading(&ws).unwrap();
    let a = Analysis::load(&store, period("2018-10")).unwrap();
    let g = a.group_index("workshop").unwrap();
    let total = csv.sum("line_item_unblended_cost", |_| true);
    assert!((total - a.pricing.groups[g].proforma()).abs() < d("0.00000001"));
    let item = a.pricing.items.iter().find(|x| x.group == g).unwrap();
    let id = csv.col("identity_line_item_id");
    let prefix = item_prefix(&a.config.items.iter().find(|i| i.name == "ops").unwrap().arn);
    let items: Vec<&Vec<String>> = csv
        .rows
        .iter()
        .filter(|r| r[id].starts_with(&prefix))
        .collect();
    assert!(items.len() > 10);
    assert_eq!(
        csv.sum("line_item_unblended_cost", |r| r[id].starts_with(&prefix)),
        round(item.amount, 10)
    );
    let rows: u64 = a
        .pricing
        .group_lines
        .of(Some(g))
        .iter()
        .filter(|&&i| !matches!(a.pricing.line_price[i].basis, Basis::Excluded(_)))
        .map(|&i| a.lines[i].sums.rows)
        .sum();
    assert_eq!((csv.rows.len() - items.len()) as u64, rows);
}

/// The line item id prefix of a custom line item's rows: a hash of its ARN (its internal
/// name is never written).
fn item_prefix(arn: &str) -> String {
    format!(
        "proforma-{:016x}-",
        xxhash_rust::xxh3::xxh3_64(arn.as_bytes())
    )
}

/// An existing file is never replaced without `--force` (tester finding 1), and nothing is
/// read or written then; with `--force` it is replaced.
#[test]
fn an_existing_file_is_refused_unless_forced() {
    let ws = common::demo_workspace();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labs.csv");
    std::fs::write(&out, "precious").unwrap();
    let export = |force: bool| {
        let mut cmd = common::bin();
        cmd.arg("export")
            .arg(&ws)
            .args([
                "--period",
                "2026-10",
                "--group",
                "labs",
                "--kind",
                "proforma-cur",
                "--out",
            ])
            .arg(&out);
        if force {
            cmd.arg("--force");
        }
        cmd.assert()
    };
    export(false).code(1).stderr(predicates::str::contains(
        "exists (pass --force to replace it)",
    ));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious");
    export(true).success();
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("identity/LineItemId")
    );
}
