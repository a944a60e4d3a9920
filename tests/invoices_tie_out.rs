//! The invoice tie-out per invoice id and invoicing entity (issue 12 item 1): the import
//! records billable and tax per (`bill/InvoiceId`, `bill/InvoicingEntity`) of each delivery in
//! every layout that carries them (legacy CSV, CUR 2.0 CSV and Parquet, FOCUS CSV and
//! Parquet), and `reconcile --invoices FILE` compares them invoice by invoice.

mod common;

use common::{bin, shared_data, snapshot, workspace};
use proforma::store::Workspace;
use proforma::store::invoices::InvoiceTotal;
use rust_decimal::Decimal;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::str::FromStr;

const PAYER: &str = "111111111111";
const AWS: &str = "Amazon Web Services, Inc.";
const EMEA: &str = "Amazon Web Services EMEA SARL";

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A legacy CUR of 2026-10 for one payer: invoice INV-A from Amazon Web Services, Inc. (two
/// accounts' usage and tax), INV-B from Amazon Web Services EMEA SARL (usage and tax), and one
/// row without an invoice id (not yet invoiced), of less than a cent. `extra` rows are
/// (invoice id, entity, account, type, cost).
fn legacy_cur(extra: &[(&str, &str, &str, &str, &str)]) -> String {
    let mut s = String::from(
        "identity/LineItemId,bill/InvoiceId,bill/InvoicingEntity,bill/BillingEntity,bill/BillType,\
         bill/PayerAccountId,bill/BillingPeriodStartDate,bill/BillingPeriodEndDate,\
         lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,\
         lineItem/UsageEndDate,lineItem/ProductCode,lineItem/UsageType,lineItem/Operation,\
         lineItem/UsageAmount,lineItem/CurrencyCode,lineItem/UnblendedRate,\
         lineItem/UnblendedCost,lineItem/LineItemDescription,lineItem/LegalEntity,\
         product/ProductName,product/region,pricing/publicOnDemandCost,\
         pricing/publicOnDemandRate\n",
    );
    let mut rows: Vec<(&str, &str, &str, &str, &str)> = vec![
        ("INV-A", AWS, "222222222222", "Usage", "100.004"),
        ("INV-A", AWS, "333333333333", "Usage", "50.001"),
        ("INV-A", AWS, "222222222222", "Tax", "10.00"),
        ("INV-B", EMEA, "444444444444", "Usage", "20.005"),
        ("INV-B", EMEA, "444444444444", "Tax", "4.00"),
        ("", AWS, "333333333333", "Usage", "0.004"),
    ];
    rows.extend_from_slice(extra);
    for (i, (id, entity, account, kind, cost)) in rows.iter().enumerate() {
        let (product, rate) = if *kind == "Tax" {
            ("AmazonEC2", "")
        } else {
            ("AmazonEC2", "0.1")
        };
        s.push_str(&format!(
            "line{i},{id},\"{entity}\",AWS,Anniversary,{PAYER},2026-10-01T00:00:00Z,\
             2026-11-01T00:00:00Z,{account},{kind},2026-10-0{day}T00:00:00Z,\
             2026-10-0{next}T00:00:00Z,{product},EU-BoxUsage,RunInstances,1,USD,{rate},{cost},\
             row {i},\"{entity}\",Amazon Elastic Compute Cloud,eu-west-1,{cost},{rate}\n",
            day = i % 5 + 1,
            next = i % 5 + 2,
        ));
    }
    s
}

/// The invoices the legacy CUR above holds (id, entity, rows, billable, tax).
fn expected() -> Vec<(&'static str, &'static str, u64, Decimal, Decimal)> {
    vec![
        ("", AWS, 1, d("0.004"), d("0")),
        ("INV-A", AWS, 3, d("150.005"), d("10.00")),
        ("INV-B", EMEA, 2, d("20.005"), d("4.00")),
    ]
}

fn recorded(ws: &Path, payer: &str, period: &str) -> Vec<InvoiceTotal> {
    Workspace::open_for_reading(ws)
        .unwrap()
        .invoice_totals(payer, period.parse().unwrap())
        .unwrap()
}

fn assert_recorded(ws: &Path, what: &str) {
    let got = recorded(ws, PAYER, "2026-10");
    let got: Vec<(&str, &str, u64, Decimal, Decimal)> = got
        .iter()
        .map(|i| {
            (
                i.invoice_id.as_str(),
                i.entity.as_str(),
                i.rows,
                i.billable,
                i.tax,
            )
        })
        .collect();
    assert_eq!(got, expected(), "{what}");
}

/// Writes `legacy` as `format` into `dir`; the file to import.
fn render(dir: &Path, legacy: &str, format: &str) -> PathBuf {
    let name = match format {
        "legacy" => "cur.csv",
        "cur2-csv" => "cur2.csv",
        "cur2-parquet" => "cur2.parquet",
        "focus-csv" => "focus.csv",
        "focus-parquet" => "focus.parquet",
        other => panic!("{other}"),
    };
    let path = dir.join(name);
    let input = legacy.as_bytes();
    match format {
        "legacy" => std::fs::write(&path, legacy).unwrap(),
        "cur2-csv" => {
            proforma::sample_cur2::legacy_to_cur2_csv(input, std::fs::File::create(&path).unwrap())
                .unwrap();
        }
        "cur2-parquet" => {
            proforma::sample_cur2::legacy_to_cur2_parquet(
                input,
                std::fs::File::create(&path).unwrap(),
                4,
            )
            .unwrap();
        }
        "focus-csv" => {
            proforma::sample_focus::legacy_to_focus_csv(
                input,
                std::fs::File::create(&path).unwrap(),
            )
            .unwrap();
        }
        _ => {
            proforma::sample_focus::legacy_to_focus_parquet(
                input,
                std::fs::File::create(&path).unwrap(),
                4,
            )
            .unwrap();
        }
    }
    path
}

fn import(ws: &Path, file: &Path) {
    bin().arg("import").arg(ws).arg(file).assert().success();
}

/// Runs reconcile with JSON output: (exit code, the invoice-tie-out checks, stderr).
fn tie_out(ws: &Path, period: &str, invoices: &str) -> (i32, Vec<Value>, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("invoices.csv");
    std::fs::write(&file, invoices).unwrap();
    let out = bin()
        .arg("reconcile")
        .arg(ws)
        .args(["--period", period, "--invoices"])
        .arg(&file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let checks = json["Checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["Name"] == "invoice-tie-out")
        .cloned()
        .collect();
    (
        out.status.code().unwrap(),
        checks,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn one(checks: &[Value]) -> &Value {
    assert_eq!(checks.len(), 1, "{checks:#?}");
    &checks[0]
}

fn detail(c: &Value) -> Vec<String> {
    c["Detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// INV-A: 150.005 + 10.00 = 160.005 -> 160.01; INV-B: 20.005 + 4.00 = 24.005 -> 24.01 (half
/// away from zero, SPEC 5); the row without an id (0.004) is on no invoice and under a cent.
const MATCHING: &str = "InvoiceId,InvoicingEntity,Amount,Currency\n\
                        INV-A,\"Amazon Web Services, Inc.\",160.01,USD\n\
                        INV-B,Amazon Web Services EMEA SARL,24.01,USD\n";

#[test]
fn every_layout_records_the_sums_per_invoice_and_ties_out_invoice_by_invoice() {
    let legacy = legacy_cur(&[]);
    for format in [
        "legacy",
        "cur2-csv",
        "cur2-parquet",
        "focus-csv",
        "focus-parquet",
    ] {
        let (dir, ws) = workspace();
        let file = render(dir.path(), &legacy, format);
        import(&ws, &file);
        assert_recorded(&ws, format);

        // A file that matches passes, invoice by invoice.
        let (code, checks, err) = tie_out(&ws, "2026-10", MATCHING);
        let c = one(&checks);
        assert_eq!(c["Status"], "pass", "{format}: {c:#}");
        assert_eq!(code, 0, "{format}: {err}");
        assert_eq!(c["Key"], PAYER);
        assert_eq!(c["Numbers"]["TieOut"], "per invoice", "{format}");
        assert_eq!(c["Numbers"]["InvoicesTied"], 2, "{format}");
        assert_eq!(c["Numbers"]["Entered"], "184.02", "{format}");
        // Each invoice rounds on its own: 160.01 + 24.01 (+ 0.00 on no invoice), while the
        // payer's total rounds once: 184.014 -> 184.01.
        assert_eq!(c["Numbers"]["CurInvoicesTotal"], "184.02", "{format}");
        assert_eq!(c["Numbers"]["Difference"], "0.00", "{format}");
        assert_eq!(c["Numbers"]["CurTotal"], "184.01", "{format}");
        let lines = detail(c);
        assert!(
            lines.iter().any(|l| l
                .starts_with("PASS invoice INV-A (Amazon Web Services, Inc.): entered 160.01 USD")
                && l.contains("CUR 160.01 = billable 150.01 + tax 10.00")),
            "{format}: {lines:#?}"
        );

        // One invoice a cent off fails, naming it.
        let off = MATCHING.replace("24.01", "24.00");
        let (code, checks, err) = tie_out(&ws, "2026-10", &off);
        let c = one(&checks);
        assert_eq!(code, 1, "{format}");
        assert!(err.contains("1 month-end check of 2026-10 failed"), "{err}");
        assert_eq!(c["Status"], "fail");
        assert_eq!(c["Numbers"]["InvoicesFailed"], 1);
        let title = c["Title"].as_str().unwrap();
        assert!(
            title.contains("INV-B differs by -0.01"),
            "{format}: {title}"
        );
        assert!(!title.contains("INV-A"), "{title}");
        assert!(
            detail(c).iter().any(|l| l.starts_with(
                "FAIL invoice INV-B (Amazon Web Services EMEA SARL): entered 24.00 USD"
            ) && l.ends_with("difference -0.01 (entered - CUR)")),
            "{format}: {c:#}"
        );

        // An invoice of the CUR missing from the file fails, naming it.
        let missing = "InvoiceId,Amount,Currency\nINV-A,160.01,USD\n";
        let (code, checks, _) = tie_out(&ws, "2026-10", missing);
        let c = one(&checks);
        assert_eq!(code, 1);
        assert_eq!(c["Status"], "fail");
        let title = c["Title"].as_str().unwrap();
        assert!(title.contains("INV-B not in "), "{format}: {title}");
        assert!(
            detail(c).iter().any(|l| l.starts_with(
                "FAIL invoice INV-B (Amazon Web Services EMEA SARL): in the CUR (24.01 USD) but not in"
            )),
            "{format}: {c:#}"
        );
    }
}

#[test]
fn an_unknown_invoice_or_another_entity_fails_and_entities_are_optional_in_the_file() {
    let (dir, ws) = workspace();
    import(&ws, &render(dir.path(), &legacy_cur(&[]), "legacy"));
    let before = snapshot(&ws);
    // An invoice the CUR does not have.
    let (code, checks, _) = tie_out(&ws, "2026-10", &format!("{MATCHING}INV-C,,5.00,USD\n"));
    let c = one(&checks);
    assert_eq!(code, 1);
    assert!(
        c["Title"]
            .as_str()
            .unwrap()
            .contains("INV-C not in the CUR"),
        "{c:#}"
    );
    assert!(
        detail(c)
            .iter()
            .any(|l| l.starts_with("FAIL invoice INV-C: entered 5.00 USD (")
                && l.ends_with("invoices.csv line 4), but the CUR has no such bill/InvoiceId")),
        "{c:#}"
    );
    // The right invoice id under another entity than the CUR's.
    let (code, checks, _) = tie_out(
        &ws,
        "2026-10",
        "InvoiceId,InvoicingEntity,Amount,Currency\n\
         INV-A,Amazon Web Services EMEA SARL,160.01,USD\n\
         INV-B,Amazon Web Services EMEA SARL,24.01,USD\n",
    );
    let c = one(&checks);
    assert_eq!(code, 1);
    assert!(
        c["Title"]
            .as_str()
            .unwrap()
            .contains("INV-A entity differs"),
        "{c:#}"
    );
    // No entity in the file: the id alone decides (and letter case of an entity does not).
    let (code, checks, _) = tie_out(
        &ws,
        "2026-10",
        "InvoiceId,InvoicingEntity,Amount,Currency\n\
         INV-A,,160.01,USD\n\
         INV-B,amazon web services emea sarl,24.01,USD\n",
    );
    assert_eq!(one(&checks)["Status"], "pass", "{checks:#?}");
    assert_eq!(code, 0);
    // reconcile writes nothing.
    assert_eq!(snapshot(&ws), before);
}

#[test]
fn rows_without_an_invoice_id_worth_a_cent_fail_when_others_carry_one() {
    let (dir, ws) = workspace();
    let cur = legacy_cur(&[("", AWS, "222222222222", "Usage", "5.00")]);
    import(&ws, &render(dir.path(), &cur, "legacy"));
    let got = recorded(&ws, PAYER, "2026-10");
    assert_eq!(got[0].invoice_id, "");
    assert_eq!(got[0].billable, d("5.004"));
    assert_eq!(got[0].rows, 2);
    let (code, checks, _) = tie_out(&ws, "2026-10", MATCHING);
    let c = one(&checks);
    assert_eq!(code, 1);
    assert!(
        c["Title"]
            .as_str()
            .unwrap()
            .contains("rows without an invoice id"),
        "{c:#}"
    );
    assert!(
        detail(c).iter().any(|l| l.starts_with(
            "FAIL rows without an invoice id (Amazon Web Services, Inc.): 5.00 USD in the CUR on no invoice"
        )),
        "{c:#}"
    );
}

/// A CUR without invoice columns (or an open month whose ids are all empty) ties out per
/// payer, as before, and says so; its delivery records one row with its totals.
#[test]
fn without_invoice_ids_the_tie_out_stays_per_payer_and_says_why() {
    let (dir, ws) = workspace();
    let f = dir.path().join("cur.csv");
    std::fs::write(
        &f,
        common::cur_csv(&[
            (
                PAYER,
                "222222222222",
                "2026-10-01T00:00:00Z",
                "Usage",
                "AmazonEC2",
                "10.00",
            ),
            (
                PAYER,
                "222222222222",
                "2026-10-01T00:00:00Z",
                "Tax",
                "AmazonEC2",
                "1.50",
            ),
        ]),
    )
    .unwrap();
    import(&ws, &f);
    let got = recorded(&ws, PAYER, "2026-10");
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].invoice_id.as_str(), got[0].entity.as_str()),
        ("", "")
    );
    assert_eq!(
        (got[0].rows, got[0].billable, got[0].tax),
        (2, d("10.00"), d("1.50"))
    );
    // Two invoices summed per payer: 5.00 + 6.50 = 11.50 ties out.
    let (code, checks, _) = tie_out(
        &ws,
        "2026-10",
        "InvoiceId,Amount,Currency\nX-1,5.00,USD\nX-2,6.50,USD\n",
    );
    let c = one(&checks);
    assert_eq!(code, 0, "{c:#}");
    assert_eq!(c["Status"], "pass");
    assert_eq!(c["Numbers"]["TieOut"], "per payer");
    assert!(
        detail(c)
            .iter()
            .any(|l| l.starts_with("per payer: the CUR carries no invoice id")),
        "{c:#}"
    );
    let (code, _, _) = tie_out(
        &ws,
        "2026-10",
        "InvoiceId,Amount,Currency\nX-1,5.00,USD\nX-2,6.49,USD\n",
    );
    assert_eq!(code, 1);
}

/// A new delivery of the same (payer, period) replaces the invoices of the old one; the same
/// files again change nothing; a delivery imported before invoices were recorded gets them when
/// its files are imported again.
#[test]
fn invoices_are_replaced_with_their_delivery_and_filled_in_for_older_ones() {
    let (dir, ws) = workspace();
    let first = render(dir.path(), &legacy_cur(&[]), "legacy");
    import(&ws, &first);
    let f2 = dir.path().join("restated.csv");
    let restated = legacy_cur(&[]).replace("INV-B", "INV-C");
    std::fs::write(&f2, &restated).unwrap();
    import(&ws, &f2);
    let ids: Vec<String> = recorded(&ws, PAYER, "2026-10")
        .into_iter()
        .map(|i| i.invoice_id)
        .collect();
    assert_eq!(ids, ["", "INV-A", "INV-C"]);
    let before = snapshot(&ws);
    import(&ws, &f2);
    assert_eq!(snapshot(&ws), before);

    // As a workspace of schema 12 would hold it: the delivery, no invoice rows.
    {
        let conn = rusqlite::Connection::open(&ws).unwrap();
        conn.execute("DELETE FROM invoice_totals", []).unwrap();
    }
    let (code, checks, _) = tie_out(&ws, "2026-10", MATCHING);
    let c = one(&checks);
    assert_eq!(c["Numbers"]["TieOut"], "per payer");
    assert!(
        detail(c)
            .iter()
            .any(|l| l.contains("imported before invoices were recorded")),
        "{c:#}"
    );
    // Per payer, the invoices (each rounded, 184.02) are held against the payer's total
    // rounded once (184.014 -> 184.01): the cent of rounding fails, as it did before.
    assert_eq!(code, 1, "{c:#}");
    assert_eq!(c["Numbers"]["Difference"], "0.01");
    import(&ws, &f2);
    let ids: Vec<String> = recorded(&ws, PAYER, "2026-10")
        .into_iter()
        .map(|i| i.invoice_id)
        .collect();
    assert_eq!(ids, ["", "INV-A", "INV-C"]);
}

/// Under a memory budget of 0 every shard is spilled to disk and read back: the invoice sums
/// survive the round trip exactly.
#[test]
fn invoice_sums_survive_spilling_to_disk() {
    let (dir, ws) = workspace();
    let file = render(dir.path(), &legacy_cur(&[]), "legacy");
    bin()
        .env("PROFORMA_IMPORT_BUDGET_MB", "0")
        .arg("import")
        .arg(&ws)
        .arg(&file)
        .assert()
        .success();
    assert_recorded(&ws, "spilled");
}

/// The real samples in ../shared/data: the CSV's month is open (its `bill/InvoiceId` cells are
/// empty), so it ties out per payer and records its entity; the Parquet carries invoice id
/// 156090591 (no entity column) and ties out per invoice.
#[test]
fn shared_samples_tie_out_per_payer_or_per_invoice() {
    let (Some(csv), Some(parquet)) = (
        shared_data("sample-anonymous-aws-export-dataset.csv"),
        shared_data("Oct2018-WorkshopCUR-00001.snappy.parquet"),
    ) else {
        return;
    };
    let (_dir, ws) = workspace();
    import(&ws, &csv);
    import(&ws, &parquet);
    let got = recorded(&ws, "123412340534", "2023-11");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].invoice_id, "");
    assert_eq!(got[0].entity, "Amazon Web Services Canada, Inc.");
    // SOURCES.md: Usage 1.6023086974, Tax 0.08.
    assert_eq!(
        (got[0].billable, got[0].tax),
        (d("1.6023086974"), d("0.08"))
    );
    assert_eq!(got[0].rows, 1281);
    let (code, checks, _) = tie_out(&ws, "2023-11", "InvoiceId,Amount,Currency\nX,1.68,USD\n");
    let c = one(&checks);
    assert_eq!(c["Numbers"]["TieOut"], "per payer", "{c:#}");
    assert_eq!(c["Status"], "pass", "{c:#}");
    assert_eq!(code, 0);

    let got = recorded(&ws, "836060457634", "2018-10");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].invoice_id, "156090591");
    assert_eq!(got[0].entity, "");
    assert_eq!(got[0].rows, 119_307);
    // SOURCES.md: Σ line_item_unblended_cost = 4064.483132 (6 dp).
    assert_eq!(got[0].total().round_dp(6), d("4064.483132"));
    let (_, checks, _) = tie_out(
        &ws,
        "2018-10",
        "InvoiceId,Amount,Currency\n156090591,4064.48,USD\n",
    );
    let c = one(&checks);
    assert_eq!(c["Status"], "pass", "{c:#}");
    assert_eq!(c["Numbers"]["TieOut"], "per invoice");
    let (code, checks, _) = tie_out(
        &ws,
        "2018-10",
        "InvoiceId,Amount,Currency\n156090591,4064.49,USD\n",
    );
    assert_eq!(code, 1);
    assert!(
        one(&checks)["Title"]
            .as_str()
            .unwrap()
            .contains("156090591 differs by +0.01"),
        "{checks:#?}"
    );
}

/// A proforma cube (`cube-sql`'s result) carries no invoice columns: its delivery records its
/// totals under an empty invoice id and ties out per payer, saying so.
#[test]
fn a_cube_ties_out_per_payer() {
    let (dir, ws) = workspace();
    let columns = proforma::cur::cube::COLUMNS;
    let value = |c: &str| match c {
        "proforma_cube" => "1",
        "record" => "line",
        "billing_period" => "2026-10",
        "payer_account_id" => PAYER,
        "usage_account_id" => "222222222222",
        "currency" => "USD",
        "billing_entity" => "AWS",
        "product_code" => "AmazonEC2",
        "line_item_type" => "Usage",
        "free_on_bill" => "false",
        "row_count" => "5",
        "usage_amount" => "10",
        "unblended_cost" => "1.04",
        "public_cost" => "1.04",
        "no_public_price_rows" => "0",
        "savings_plan_effective_cost" | "reservation_effective_cost" => "0",
        _ => "",
    };
    let cube = format!(
        "{}\n{}\n",
        columns.join(","),
        columns
            .iter()
            .map(|c| value(c))
            .collect::<Vec<_>>()
            .join(",")
    );
    let file = dir.path().join("cube.csv");
    std::fs::write(&file, cube).unwrap();
    import(&ws, &file);
    let got = recorded(&ws, PAYER, "2026-10");
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].invoice_id.as_str(), got[0].entity.as_str()),
        ("", "")
    );
    assert_eq!(
        (got[0].rows, got[0].billable, got[0].tax),
        (5, d("1.04"), d("0"))
    );
    let (code, checks, _) = tie_out(&ws, "2026-10", "InvoiceId,Amount,Currency\nX,1.04,USD\n");
    let c = one(&checks);
    assert_eq!(code, 0, "{c:#}");
    assert_eq!(c["Numbers"]["TieOut"], "per payer");
    assert!(
        detail(c)
            .iter()
            .any(|l| l.contains("a proforma cube carries none")),
        "{c:#}"
    );
}

/// The `restatement` check of `period` (reconcile JSON).
fn restatement_check(ws: &Path, period: &str) -> Value {
    let out = bin()
        .arg("reconcile")
        .arg(ws)
        .args(["--period", period, "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    json["Checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["Name"] == "restatement")
        .cloned()
        .unwrap()
}

/// A month is final when every row carries its invoice id, not final while some rows carry
/// none beside invoiced ones (issue 12 item 1: "a delivery marked as not final").
#[test]
fn the_restatement_check_reads_the_invoice_ids() {
    let (dir, ws) = workspace();
    let cur = legacy_cur(&[("", AWS, "222222222222", "Usage", "5.00")]);
    import(&ws, &render(dir.path(), &cur, "legacy"));
    let c = restatement_check(&ws, "2026-10");
    assert_eq!(c["Status"], "warn", "{c:#}");
    assert!(
        c["Title"]
            .as_str()
            .unwrap()
            .starts_with("2026-10 is not final: 2 rows carry no invoice id beside 2 invoices"),
        "{c:#}"
    );
    // Every row invoiced: final.
    let cur = legacy_cur(&[]).replace("line5,,", "line5,INV-A,");
    import(&ws, &render(dir.path(), &cur, "legacy"));
    let c = restatement_check(&ws, "2026-10");
    assert_eq!(c["Status"], "pass", "{c:#}");
    assert!(
        c["Title"].as_str().unwrap().starts_with("2026-10 is final"),
        "{c:#}"
    );
}
