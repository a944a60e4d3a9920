//! The import's memory budget (issue 10 item 2): an aggregate larger than
//! `PROFORMA_IMPORT_BUDGET_MB` is spilled to temporary files shard by shard and read back;
//! what the workspace holds is the same as without a budget, to the last digit.

mod common;

use common::{bin, snapshot};
use std::path::Path;

fn import(ws: &Path, files: &[&Path], budget_mb: &str) {
    bin().arg("init").arg(ws).assert().success();
    bin()
        .env("PROFORMA_IMPORT_BUDGET_MB", budget_mb)
        .arg("import")
        .arg(ws)
        .args(files)
        .assert()
        .success();
}

fn report(ws: &Path, period: &str) -> String {
    let out = bin()
        .args(["report"])
        .arg(ws)
        .args(["--period", period, "--format", "json"])
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn a_budget_of_zero_spills_and_stores_the_same_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sample");
    bin()
        .arg("generate-sample")
        .arg("--out")
        .arg(&out)
        .args([
            "--lines-per-month",
            "20000",
            "--months",
            "1",
            "--first-period",
            "2026-10",
        ])
        .args([
            "--payers",
            "2",
            "--accounts",
            "300",
            "--tag-values",
            "40",
            "--plain",
        ])
        .assert()
        .success();
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let files: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();

    let plain = dir.path().join("plain.proforma");
    let spilled = dir.path().join("spilled.proforma");
    import(&plain, &files, "512");
    // 0 MB: every new entry goes over the budget, so shards are spilled all the time.
    import(&spilled, &files, "0");
    // The stored aggregate (chunks packed byte for byte) and daily series; the import times
    // in the other tables differ.
    let stored = |ws: &Path| -> Vec<String> {
        snapshot(ws)
            .into_iter()
            .filter(|r| r.starts_with("cost_chunks:") || r.starts_with("daily_costs:"))
            .collect()
    };
    let (a, b) = (stored(&spilled), stored(&plain));
    assert!(b.len() > 300, "{} rows", b.len());
    assert!(a == b, "the spilled import stored other chunks or days");
    assert_eq!(report(&spilled, "2026-10"), report(&plain, "2026-10"));
}

#[test]
fn a_budget_that_is_not_a_number_is_refused_naming_the_variable() {
    let (_d, ws) = common::workspace();
    let before = snapshot(&ws);
    let out = bin()
        .env("PROFORMA_IMPORT_BUDGET_MB", "lots")
        .arg("import")
        .arg(&ws)
        .arg("/nonexistent.csv")
        .assert()
        .code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("PROFORMA_IMPORT_BUDGET_MB is 'lots': it takes a whole number of megabytes"),
        "{err}"
    );
    assert_eq!(snapshot(&ws), before);
}

fn csv_with(rows: &[(&str, &str)]) -> String {
    let mut out = String::from(
        "bill/PayerAccountId,lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,lineItem/ProductCode,lineItem/UsageType,lineItem/UnblendedCost\n",
    );
    for (usage_type, cost) in rows {
        out.push_str(&format!(
            "111122223333,444455556666,2026-10-01T00:00:00Z,Usage,AmazonEC2,{usage_type},{cost}\n"
        ));
    }
    out
}

/// A key longer than 16 MiB (a 17-million-character usage type) spills and reads back like
/// any other: the same workspace at every budget.
#[test]
fn a_very_long_key_spills_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(17_000_000);
    let file = dir.path().join("long.csv");
    std::fs::write(
        &file,
        csv_with(&[("a", "1.25"), (&long, "2.50"), ("b", "3")]),
    )
    .unwrap();
    let (plain, spilled) = (dir.path().join("a.proforma"), dir.path().join("b.proforma"));
    import(&plain, &[&file], "512");
    import(&spilled, &[&file], "0");
    assert_eq!(report(&spilled, "2026-10"), report(&plain, "2026-10"));
}

/// A spill the temporary directory cannot take stops the import naming that directory and
/// the way out, with nothing written.
#[test]
fn a_temporary_directory_that_cannot_take_the_spill_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cur.csv");
    std::fs::write(&file, csv_with(&[("a", "1.25"), ("b", "2.50")])).unwrap();
    let (_d, ws) = common::workspace();
    let before = snapshot(&ws);
    let missing = dir.path().join("no-such-dir");
    let out = bin()
        .env("PROFORMA_IMPORT_BUDGET_MB", "0")
        .env("TMPDIR", &missing)
        .arg("import")
        .arg(&ws)
        .arg(&file)
        .assert()
        .code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("raise PROFORMA_IMPORT_BUDGET_MB"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
    assert_eq!(snapshot(&ws), before);
}

/// Amounts so far apart that their sum needs more than Decimal's 28 digits are refused, never
/// rounded (1e27 + 102,343.68 would lose the cents), at every budget.
#[test]
fn a_sum_that_cannot_be_held_exactly_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cur.csv");
    std::fs::write(
        &file,
        csv_with(&[
            ("a", "102343.68"),
            ("a", "1000000000000000000000000000"),
            ("a", "-1000000000000000000000000000"),
        ]),
    )
    .unwrap();
    for budget in ["0", "512"] {
        let (_d, ws) = common::workspace();
        let out = bin()
            .env("PROFORMA_IMPORT_BUDGET_MB", budget)
            .arg("import")
            .arg(&ws)
            .arg(&file)
            .assert()
            .code(1);
        let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(err.contains("a sum cannot be held exactly"), "{err}");
    }
}

/// The column-wise Parquet reader folds rows whose key cells repeat by the line an earlier
/// row went to (`fold::memo`); a spill empties a shard under it. FOCUS and CUR 2.0 Parquet
/// at a budget that spills all the time store what they store without a budget, and what the
/// row-by-row Parquet reader (no memo) stores.
#[test]
fn parquet_folded_by_key_cells_stores_the_same_at_every_budget() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["focus-parquet", "cur2-parquet"] {
        let out = dir.path().join(format);
        bin()
            .arg("generate-sample")
            .arg("--out")
            .arg(&out)
            .args(["--lines-per-month", "20000", "--months", "1"])
            .args(["--first-period", "2026-10", "--accounts", "300"])
            .args(["--format", format])
            .assert()
            .success();
        let file = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "parquet"))
            .expect("a Parquet file");
        let stored = |ws: &Path| -> Vec<String> {
            snapshot(ws)
                .into_iter()
                .filter(|r| r.starts_with("cost_chunks:") || r.starts_with("daily_costs:"))
                .collect()
        };
        let plain = dir.path().join(format!("{format}-plain.proforma"));
        let spilled = dir.path().join(format!("{format}-spilled.proforma"));
        let rows = dir.path().join(format!("{format}-rows.proforma"));
        import(&plain, &[&file], "512");
        import(&spilled, &[&file], "0");
        bin().arg("init").arg(&rows).assert().success();
        bin()
            .env("PROFORMA_PARQUET_ROWS", "1")
            .arg("import")
            .arg(&rows)
            .arg(&file)
            .assert()
            .success();
        let want = stored(&plain);
        assert!(want.len() > 300, "{format}: {} rows", want.len());
        assert!(
            stored(&spilled) == want,
            "{format}: the spilled import differs"
        );
        assert!(
            stored(&rows) == want,
            "{format}: the row reader's import differs"
        );
        assert_eq!(report(&spilled, "2026-10"), report(&plain, "2026-10"));
    }
}
