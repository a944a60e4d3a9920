//! The real CUR samples in ../shared/data import with exactly the totals in its SOURCES.md.

mod common;

use proforma::cur::Source;
use proforma::import::{Quiet, import};
use proforma::store::{StoredLine, Workspace};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn load(file: &str, period: &str) -> Option<Vec<StoredLine>> {
    let path = common::shared_data(file)?;
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::create(&dir.path().join("w.proforma")).unwrap();
    import(&mut ws, &[Source::File(path)], &Quiet).unwrap();
    Some(ws.lines(period.parse().unwrap(), None).unwrap())
}

fn sum(lines: &[StoredLine], f: impl Fn(&StoredLine) -> Option<Decimal>) -> Decimal {
    lines.iter().filter_map(f).sum()
}

#[test]
fn csv_sample_totals() {
    let Some(lines) = load("sample-anonymous-aws-export-dataset.csv", "2023-11") else {
        return;
    };
    assert_eq!(lines.iter().map(|l| l.sums.rows).sum::<u64>(), 1281);
    assert_eq!(
        sum(&lines, |l| Some(l.sums.unblended_cost)),
        d("1.68230869740")
    );
    let by_type = |t: &str| {
        sum(&lines, |l| {
            (l.key.line_item_type == proforma::cur::LineItemType::parse(t))
                .then_some(l.sums.unblended_cost)
        })
    };
    assert_eq!(by_type("Usage"), d("1.6023086974"));
    assert_eq!(by_type("Tax"), d("0.08"));
}

#[test]
fn csv_sample_public_cost_is_exact() {
    let Some(path) = common::shared_data("sample-anonymous-aws-export-dataset.csv") else {
        return;
    };
    // Independently: the public cost column as written, row by row.
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = h
        .iter()
        .position(|c| c == "pricing/publicOnDemandCost")
        .unwrap();
    let cost = h
        .iter()
        .position(|c| c == "lineItem/UnblendedCost")
        .unwrap();
    let mut expected = Decimal::ZERO;
    let mut fallback = Decimal::ZERO;
    for r in rdr.records() {
        let r = r.unwrap();
        match proforma::money::parse_decimal(&r[col]).unwrap() {
            Some(v) => expected += v,
            None => fallback += proforma::money::parse_decimal(&r[cost]).unwrap().unwrap(),
        }
    }
    assert_eq!(expected, d("3.3561726949"));
    let lines = load("sample-anonymous-aws-export-dataset.csv", "2023-11").unwrap();
    assert_eq!(
        sum(&lines, |l| Some(l.sums.public_cost)),
        expected + fallback
    );
}

#[test]
fn parquet_sample_totals() {
    let Some(lines) = load("Oct2018-WorkshopCUR-00001.snappy.parquet", "2018-10") else {
        return;
    };
    assert_eq!(lines.iter().map(|l| l.sums.rows).sum::<u64>(), 119_307);
    let total = sum(&lines, |l| Some(l.sums.unblended_cost));
    assert_eq!(total.round_dp(6), d("4064.483132"));
    let account = |a: &str| {
        sum(&lines, |l| {
            (l.key.account == a).then_some(l.sums.unblended_cost)
        })
        .round_dp(2)
    };
    assert_eq!(account("836060457634"), d("3993.03"));
    assert_eq!(account("011254002932"), d("71.46"));
    let rifee = sum(&lines, |l| {
        (l.key.line_item_type == proforma::cur::LineItemType::RIFee)
            .then_some(l.sums.unblended_cost)
    });
    assert_eq!(rifee.round_dp(6), d("149.775379"));
    // Every row of this sample carries a public cost, so the fallback never applies.
    assert!(lines.iter().all(|l| l.sums.no_public_price_rows == 0
        || l.key.line_item_type == proforma::cur::LineItemType::RIFee));
    let public = sum(&lines, |l| {
        (l.sums.no_public_price_rows == 0).then_some(l.sums.public_cost)
    });
    assert_eq!(public.round_dp(6), d("4237.681735"));
    // RI owners come out of the reservation ARN; tags are kept.
    assert!(lines.iter().any(|l| l.key.line_item_type
        == proforma::cur::LineItemType::DiscountedUsage
        && l.key.owner == "836060457634"));
    assert!(
        lines
            .iter()
            .any(|l| l.key.labels.iter().any(|t| t.key == "user_cost_center"))
    );
}

#[test]
fn parquet_report_by_account_matches_sources() {
    let Some(path) = common::shared_data("Oct2018-WorkshopCUR-00001.snappy.parquet") else {
        return;
    };
    let (_dir, ws) = common::workspace();
    common::bin()
        .arg("import")
        .arg(&ws)
        .arg(&path)
        .assert()
        .success();
    let out = common::bin()
        .args(["report"])
        .arg(&ws)
        .args([
            "--period",
            "2018-10",
            "--view",
            "primary",
            "--group-by",
            "LINKED_ACCOUNT",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    // Exact: 3,993.0273261102 and 71.4558054277, total 4,064.4831315379 shown 4,064.48. The
    // rows foot to it (SPEC 5, largest remainder): rounded down to 3,993.02 and 71.45, the
    // missing cent goes to the larger remainder (0.0073 against 0.0058).
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "LINKED_ACCOUNT,Billable,Tax,Currency\n836060457634,3993.03,0.00,USD\n011254002932,71.45,0.00,USD\n"
    );
}
