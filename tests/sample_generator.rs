//! The sample generator: deterministic, committed output current, every line item type of
//! SPEC 4.2 present, and import totals equal to totals computed here, independently, from the
//! CSV text.

mod common;

use proforma::cur::Source;
use proforma::import::{Quiet, import};
use proforma::sample::{self, SampleSpec};
use proforma::store::Workspace;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn committed_sample_is_the_generators_output() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let spec = SampleSpec::default();
    let mut period = spec.first_period;
    for _ in 0..spec.months {
        let mut fresh = Vec::new();
        sample::write_month(&spec, period, &mut fresh).unwrap();
        let committed = gunzip(&dir.join(format!("cur-{period}.csv.gz")));
        assert!(
            fresh == committed,
            "sample-data/cur-{period}.csv.gz is stale: run `proforma generate-sample --out sample-data`"
        );
        period = period.next();
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("accounts.json")).unwrap(),
        sample::accounts_json()
    );
}

#[test]
fn committed_transfer_organisations_are_the_generators_output() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let spec = SampleSpec::default();
    let mut period = spec.first_period;
    for _ in 0..spec.months {
        let mut fresh = Vec::new();
        sample::write_transfer_orgs_month(period, &mut fresh).unwrap();
        let committed = gunzip(&dir.join(format!("transfers-{period}.csv.gz")));
        assert!(
            fresh == committed,
            "sample-data/transfers-{period}.csv.gz is stale: run `proforma generate-sample --out sample-data --with-transfers`"
        );
        // Two organisations, each its own payer and invoice; no id of the demo payer's.
        let text = String::from_utf8(fresh).unwrap();
        assert!(!text.contains(sample::PAYER));
        assert!(text.contains("410000000000") && text.contains("420000000000"));
        period = period.next();
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("transfer-accounts.json")).unwrap(),
        sample::transfer_accounts_json()
    );
}

#[test]
fn generator_is_deterministic_and_seeded() {
    let spec = SampleSpec {
        lines_per_month: 500,
        ..SampleSpec::default()
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    sample::write_month(&spec, spec.first_period, &mut a).unwrap();
    sample::write_month(&spec, spec.first_period, &mut b).unwrap();
    assert_eq!(a, b);
    let mut c = Vec::new();
    sample::write_month(
        &SampleSpec {
            seed: 7,
            ..spec.clone()
        },
        spec.first_period,
        &mut c,
    )
    .unwrap();
    assert_ne!(a, c);
}

/// Totals per (period, account, line item type) straight from the CSV text.
#[derive(Default, Debug, PartialEq)]
struct Totals {
    rows: u64,
    by_account: BTreeMap<String, Decimal>,
    by_type: BTreeMap<String, Decimal>,
    tax: Decimal,
    billable: Decimal,
}

fn independent_totals(csv_bytes: &[u8]) -> Totals {
    let mut rdr = csv::Reader::from_reader(csv_bytes);
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (cost, account, kind) = (
        col("lineItem/UnblendedCost"),
        col("lineItem/UsageAccountId"),
        col("lineItem/LineItemType"),
    );
    let mut t = Totals::default();
    for r in rdr.records() {
        let r = r.unwrap();
        // Scientific notation appears on purpose; expand it without going through floats.
        let text = &r[cost];
        let value = match text.split_once(['E', 'e']) {
            Some((m, e)) => {
                let mut v = Decimal::from_str(m).unwrap();
                let e: i32 = e.parse().unwrap();
                for _ in 0..e.abs() {
                    v = if e < 0 {
                        v / Decimal::TEN
                    } else {
                        v * Decimal::TEN
                    };
                }
                v
            }
            None => Decimal::from_str(text).unwrap(),
        };
        t.rows += 1;
        *t.by_account.entry(r[account].to_string()).or_default() += value;
        *t.by_type.entry(r[kind].to_string()).or_default() += value;
        if &r[kind] == "Tax" {
            t.tax += value;
        } else {
            t.billable += value;
        }
    }
    t
}

#[test]
fn generated_totals_match_the_import() {
    let spec = SampleSpec {
        lines_per_month: 3000,
        ..SampleSpec::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::create(&dir.path().join("w.proforma")).unwrap();
    let mut period = spec.first_period;
    for _ in 0..spec.months {
        let mut bytes = Vec::new();
        sample::write_month(&spec, period, &mut bytes).unwrap();
        let expected = independent_totals(&bytes);
        let file = dir.path().join(format!("cur-{period}.csv"));
        std::fs::write(&file, &bytes).unwrap();
        let report = import(&mut ws, &[Source::File(file)], &Quiet).unwrap();
        let d = &report.deliveries[0];
        assert_eq!((d.payer.as_str(), d.period), (sample::PAYER, period));
        assert_eq!(d.rows, expected.rows);
        assert_eq!(d.billable, expected.billable);
        assert_eq!(d.tax, expected.tax);

        let lines = ws.lines(period, None).unwrap();
        let mut by_account: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut by_type: BTreeMap<String, Decimal> = BTreeMap::new();
        for l in &lines {
            *by_account.entry(l.key.account.to_string()).or_default() += l.sums.unblended_cost;
            *by_type.entry(l.key.line_item_type.to_string()).or_default() += l.sums.unblended_cost;
        }
        assert_eq!(by_account, expected.by_account);
        assert_eq!(by_type, expected.by_type);

        // Every line item type of SPEC 4.2, Marketplace, free tier, commitments and labels.
        let types: BTreeSet<&str> = by_type.keys().map(String::as_str).collect();
        for t in [
            "Usage",
            "DiscountedUsage",
            "RIFee",
            "SavingsPlanCoveredUsage",
            "SavingsPlanNegation",
            "SavingsPlanRecurringFee",
            "Credit",
            "Refund",
            "Tax",
            "EdpDiscount",
            "Fee",
        ] {
            assert!(types.contains(t), "{t} missing from the sample");
        }
        assert!(
            lines
                .iter()
                .any(|l| l.key.billing_entity == "AWS Marketplace")
        );
        assert!(
            lines
                .iter()
                .any(|l| l.key.billing_entity == "AWS Marketplace"
                    && l.sums.no_public_price_rows > 0)
        );
        assert!(
            lines
                .iter()
                .any(|l| l.key.free_on_bill && !l.sums.public_cost.is_zero())
        );
        assert!(
            lines
                .iter()
                .any(|l| l.key.product_code.starts_with("AWSSupport"))
        );
        let owners: BTreeSet<&str> = lines
            .iter()
            .filter(|l| {
                l.key.line_item_type == proforma::cur::LineItemType::DiscountedUsage
                    || l.key.line_item_type == proforma::cur::LineItemType::SavingsPlanCoveredUsage
            })
            .map(|l| l.key.owner.as_str())
            .collect();
        assert!(
            owners.contains(sample::PAYER),
            "a commitment owned by the payer (outside every team)"
        );
        assert!(
            owners.len() >= 4,
            "owners inside and outside the teams: {owners:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.key.labels.iter().any(|t| t.key == "user:team"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.key.labels.iter().any(|t| t.key == "BusinessUnit"))
        );
        period = period.next();
    }
    let accounts = ws.accounts().unwrap();
    assert!(accounts.len() > 20 && accounts.len() <= 61);
}

#[test]
fn demo_builds_once_then_reuses_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("nested/demo.proforma");
    let first = common::bin()
        .args(["demo", "--workspace"])
        .arg(&ws)
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let text = String::from_utf8(first.stdout).unwrap();
    assert!(text.contains("built from the embedded sample"), "{text}");
    assert!(
        text.contains("2026-09") && text.contains("2026-10"),
        "{text}"
    );
    let before = common::snapshot(&ws);
    let second = common::bin()
        .args(["demo", "--workspace"])
        .arg(&ws)
        .output()
        .unwrap();
    assert!(
        String::from_utf8(second.stdout)
            .unwrap()
            .contains("already built")
    );
    assert_eq!(common::snapshot(&ws), before);
    assert!(!dir.path().join("nested/demo.building").exists());
}
