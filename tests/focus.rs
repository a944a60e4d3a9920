//! FOCUS 1.x input (issue 11 items 3 and 5): detection and format names, the sample's legacy
//! and FOCUS renderings giving the same reports where FOCUS carries the same information,
//! other clouds' billing accounts priced in billing groups, and bad input.

mod common;

use common::{bin, snapshot, workspace};
use std::io::Read;
use std::path::{Path, PathBuf};

fn stdout_of(args: &[&str], ws: &Path) -> String {
    let out = bin().args(args).arg(ws).output().expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// The legacy sample with what FOCUS cannot carry taken out, as FOCUS (and AWS's FOCUS
/// export) shows the same charges: Savings Plan negation rows left out and the covered usage
/// billed at 0 (its on-demand cost stays the public cost), every discount type a `Credit`.
fn legacy_as_focus_carries_it(gz: &Path, out: &Path) -> (usize, usize) {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(gz).expect("open"))
        .read_to_string(&mut text)
        .expect("gunzip");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().expect("header").clone();
    let col = |n: &str| header.iter().position(|h| h == n).expect(n);
    let (lit, cost) = (col("lineItem/LineItemType"), col("lineItem/UnblendedCost"));
    let mut w = csv::Writer::from_path(out).expect("create");
    w.write_record(&header).expect("write");
    let (mut negations, mut discounts) = (0, 0);
    for rec in rdr.records() {
        let rec = rec.expect("row");
        let mut cells: Vec<String> = rec.iter().map(String::from).collect();
        match &cells[lit][..] {
            "SavingsPlanNegation" => {
                negations += 1;
                continue;
            }
            "SavingsPlanCoveredUsage" => cells[cost] = "0".into(),
            t if t.ends_with("Discount") => {
                discounts += 1;
                cells[lit] = "Credit".into();
            }
            _ => {}
        }
        w.write_record(&cells).expect("write");
    }
    w.flush().expect("flush");
    (negations, discounts)
}

/// Every report the comparison looks at: per group, and the primary view and two custom views
/// (by tag, by cost category; FOCUS keeps the keys as the CUR writes them) by every grouping.
fn reports(ws: &Path) -> Vec<String> {
    let mut out = vec![stdout_of(
        &["report", "--period", "2026-09", "--format", "json"],
        ws,
    )];
    for view in ["primary", "custom:teams", "custom:units"] {
        for by in [
            "LINKED_ACCOUNT",
            "PRODUCT_NAME",
            "SERVICE_CODE",
            "USAGE_TYPE",
            "LINE_ITEM_TYPE",
        ] {
            out.push(stdout_of(
                &[
                    "report",
                    "--period",
                    "2026-09",
                    "--view",
                    view,
                    "--group-by",
                    by,
                    "--format",
                    "json",
                ],
                ws,
            ));
        }
    }
    out
}

fn import_with_config(ws: &Path, data: &Path, out: &Path, env: Option<(&str, &str)>) -> String {
    bin().arg("init").arg(ws).assert().success();
    let mut cmd = bin();
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    let done = cmd
        .arg("import")
        .arg(ws)
        .arg(data)
        .arg(out.join("accounts.json"))
        .output()
        .expect("import");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let mut config = std::fs::read_to_string(out.join("config.toml")).expect("config");
    config.push_str(
        "\n[[billing_view]]\nname = \"teams\"\nsources = [\"primary\"]\n\
         filter = { tag = \"user:team\", values = [\"retail\", \"media\"] }\n\
         \n[[billing_view]]\nname = \"units\"\nsources = [\"primary\"]\n\
         filter = { cost_category = \"BusinessUnit\", values = [\"Commerce\"] }\n",
    );
    let path = ws.with_extension("toml");
    std::fs::write(&path, config).expect("write config");
    bin()
        .args(["config", "import"])
        .arg(ws)
        .arg(&path)
        .assert()
        .success();
    String::from_utf8_lossy(&done.stdout).into_owned()
}

fn generate(dir: &Path, format: &str) -> PathBuf {
    let out = dir.join(format);
    bin()
        .args([
            "generate-sample",
            "--months",
            "1",
            "--lines-per-month",
            "2500",
        ])
        .args(["--config-groups", "3", "--format", format, "--out"])
        .arg(&out)
        .assert()
        .success();
    out
}

fn field_values(json: &str, field: &str) -> Vec<String> {
    json.split(&format!("\"{field}\": \""))
        .skip(1)
        .filter_map(|p| p.split('"').next().map(String::from))
        .collect()
}

/// The generated sample as legacy CUR, FOCUS 1.2 CSV and FOCUS 1.2 Parquet (both Parquet
/// readers), same configuration: every report of the FOCUS renderings is identical to the
/// cent to the legacy rows' reports once what FOCUS cannot carry is taken out of them (SP
/// negations, discount types); against the untouched legacy rows the billable side (AWSCost)
/// of every group is identical, and only the pro forma of a group that owns a Savings Plan
/// its accounts use differs (legacy nets covered usage with its negation to zero there).
#[test]
fn legacy_and_focus_renderings_give_the_same_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let legacy = generate(dir.path(), "legacy");
    let focus_csv = generate(dir.path(), "focus-csv");
    let focus_parquet = generate(dir.path(), "focus-parquet");
    for d in [&focus_csv, &focus_parquet] {
        assert_eq!(
            std::fs::read_to_string(legacy.join("config.toml")).expect("config"),
            std::fs::read_to_string(d.join("config.toml")).expect("config"),
            "the same configuration"
        );
    }
    let gz = legacy.join("cur-2026-09.csv.gz");
    let reduced = dir.path().join("legacy-as-focus.csv");
    let (negations, discounts) = legacy_as_focus_carries_it(&gz, &reduced);
    assert!(negations > 10 && discounts > 5, "{negations} {discounts}");

    let ws = |n: &str| dir.path().join(format!("{n}.proforma"));
    import_with_config(&ws("legacy"), &gz, &legacy, None);
    import_with_config(&ws("reduced"), &reduced, &legacy, None);
    let said = import_with_config(
        &ws("focus-csv"),
        &focus_csv.join("focus-2026-09.csv.gz"),
        &focus_csv,
        None,
    );
    assert!(said.contains("FOCUS 1.2 CSV (gzip)"), "{said}");
    let parquet = focus_parquet.join("focus-2026-09.parquet");
    let said = import_with_config(&ws("focus-parquet"), &parquet, &focus_parquet, None);
    assert!(said.contains("FOCUS 1.2 Parquet"), "{said}");
    import_with_config(
        &ws("focus-parquet-rows"),
        &parquet,
        &focus_parquet,
        Some(("PROFORMA_PARQUET_ROWS", "1")),
    );
    assert!(
        snapshot(&ws("focus-csv"))
            .join("\n")
            .contains("FOCUS 1.2 CSV (gzip)")
    );

    let reduced_reports = reports(&ws("reduced"));
    // The reports are real: three groups, product names, tag and category views that hold a
    // part of the bill.
    assert_eq!(field_values(&reduced_reports[0], "ProformaCost").len(), 3);
    assert!(
        reduced_reports
            .iter()
            .any(|r| r.contains("Amazon Elastic Compute Cloud"))
    );
    for n in ["focus-csv", "focus-parquet", "focus-parquet-rows"] {
        for (i, (a, b)) in reduced_reports.iter().zip(reports(&ws(n))).enumerate() {
            assert_eq!(
                a, &b,
                "{n}: report {i} differs from the legacy rows FOCUS carries"
            );
        }
    }

    // Against the untouched legacy rows: the billable side is the same in every group, the
    // pro forma differs exactly in the groups where Savings Plan negations net covered usage.
    let legacy_groups = stdout_of(
        &["report", "--period", "2026-09", "--format", "json"],
        &ws("legacy"),
    );
    let focus_groups = &reports(&ws("focus-csv"))[0];
    assert_eq!(
        field_values(&legacy_groups, "AWSCost"),
        field_values(focus_groups, "AWSCost")
    );
    let (a, b) = (
        field_values(&legacy_groups, "ProformaCost"),
        field_values(focus_groups, "ProformaCost"),
    );
    let differ = a.iter().zip(&b).filter(|(x, y)| x != y).count();
    assert!(
        differ >= 1,
        "the sample has SP owners inside groups: {a:?} {b:?}"
    );
    // And the legacy rows with only the negations taken out give those same pro formas.
    assert_eq!(b, field_values(&reduced_reports[0], "ProformaCost"));
}

const AZURE_PAYER: &str =
    "a7f4c2d1-5b3e-4c9a-8e21-0f6d9b7c3a11:2b8e9d70-6c1f-4a3e-9d52-7e4f1a0c8b66_2019-05-31";
const AZURE_SUB: &str = "3f1c2b9a-8d7e-4c6b-a5f4-0e1d2c3b4a59";

const MULTI_HEADER: &str = "ProviderName,PublisherName,InvoiceIssuerName,BillingAccountId,\
SubAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargeCategory,ChargeClass,\
ChargeFrequency,CommitmentDiscountId,CommitmentDiscountType,CommitmentDiscountStatus,BilledCost,\
ListCost,EffectiveCost,BillingCurrency,ServiceName,x_ServiceCode,x_UsageType,x_Operation,\
RegionId,ConsumedQuantity,Tags";

/// AWS, Azure and Google Cloud rows in one file (`NULL` cells as the FOCUS sandbox writes
/// them, `8.85E-8`).
fn multi_rows() -> Vec<String> {
    let aws =
        "AWS,\"Amazon Web Services, Inc.\",\"Amazon Web Services, Inc.\",111111111111,222222222222";
    let az = format!("Microsoft,Microsoft,Microsoft,{AZURE_PAYER},{AZURE_SUB}");
    let gcp = "Google Cloud,Google,Google,012345-6789AB-CDEF01,acme-analytics-prod";
    let p = "2026-09-01T00:00:00Z,2026-10-01T00:00:00Z";
    vec![
        format!(
            "{aws},{p},2026-09-02T00:00:00Z,Usage,NULL,Usage-Based,NULL,NULL,NULL,10.00,12.00,10.00,USD,Amazon Elastic Compute Cloud,AmazonEC2,BoxUsage:m5.large,RunInstances,us-east-1,100,\"{{\"\"user:team\"\":\"\"web\"\"}}\""
        ),
        format!(
            "{aws},{p},2026-09-02T00:00:00Z,Usage,NULL,Usage-Based,arn:aws:savingsplans::111111111111:savingsplan/abc,Savings Plan,Used,0,5.00,3.60,USD,Amazon Elastic Compute Cloud,AmazonEC2,BoxUsage:m5.large,RunInstances,us-east-1,50,NULL"
        ),
        format!(
            "{aws},{p},2026-09-01T00:00:00Z,Tax,NULL,One-Time,NULL,NULL,NULL,0.80,NULL,0.80,USD,Amazon Elastic Compute Cloud,AmazonEC2,NULL,NULL,NULL,NULL,NULL"
        ),
        format!(
            "{az},{p},2026-09-03T00:00:00Z,Usage,NULL,Usage-Based,NULL,NULL,NULL,20.00,25.00,20.00,USD,Virtual Machines,NULL,NULL,NULL,eastus,720,\"{{\"\"team\"\":\"\"data\"\"}}\""
        ),
        format!(
            "{az},{p},2026-09-03T00:00:00Z,Usage,NULL,Usage-Based,NULL,NULL,NULL,5.00,5.00,5.00,USD,Storage,NULL,NULL,NULL,eastus,NULL,NULL"
        ),
        format!(
            "{az},{p},2026-09-01T00:00:00Z,Credit,NULL,One-Time,NULL,NULL,NULL,-2.00,NULL,-2.00,USD,Virtual Machines,NULL,NULL,NULL,NULL,NULL,NULL"
        ),
        format!(
            "{az},{p},2026-09-01T00:00:00Z,Tax,NULL,One-Time,NULL,NULL,NULL,1.60,NULL,1.60,USD,Virtual Machines,NULL,NULL,NULL,NULL,NULL,NULL"
        ),
        format!(
            "{gcp},{p},2026-09-04T00:00:00Z,Usage,NULL,Usage-Based,NULL,NULL,NULL,30.00,30.00,30.00,USD,Compute Engine,NULL,NULL,NULL,us-central1,8.85E-8,\"{{\"\"env\"\":\"\"prod\"\"}}\""
        ),
        format!(
            "{gcp},{p},2026-09-04T00:00:00Z,Usage,NULL,Usage-Based,NULL,NULL,NULL,8.85E-8,NULL,8.85E-8,USD,Cloud Storage,NULL,NULL,NULL,us-central1,NULL,NULL"
        ),
    ]
}

const MULTI_CONFIG: &str = r#"
[[billing_group]]
name = "azure-data"
primary_account = "3f1c2b9a-8d7e-4c6b-a5f4-0e1d2c3b4a59"
accounts = ["3f1c2b9a-8d7e-4c6b-a5f4-0e1d2c3b4a59"]
plan = "multicloud"

[[billing_group]]
name = "gcp-analytics"
primary_account = "acme-analytics-prod"
accounts = ["acme-analytics-prod"]
plan = "multicloud"

[[billing_group]]
name = "aws-web"
primary_account = "222222222222"
accounts = ["222222222222"]
plan = "multicloud"

[[pricing_plan]]
name = "multicloud"
rules = ["everything", "vms"]

[[pricing_rule]]
name = "everything"
scope = "GLOBAL"
type = "MARKUP"
percent = 10

[[pricing_rule]]
name = "vms"
scope = "SERVICE"
service = "VirtualMachines"
type = "DISCOUNT"
percent = 20
"#;

/// One FOCUS file with an AWS payer, an Azure billing account (MCA id, subscription GUID) and
/// a Google Cloud billing account (project id): one delivery per billing account, the right
/// totals per account, and billing groups of their accounts priced by a global and a service
/// rule (Azure's service code is `ServiceName` without spaces).
#[test]
fn other_clouds_import_as_their_own_accounts_and_are_priced() {
    let (dir, ws) = workspace();
    let text = format!("{MULTI_HEADER}\n{}\n", multi_rows().join("\n"));
    let p = write(dir.path(), "multi.csv", &text);
    let done = bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .output()
        .expect("import");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let said = String::from_utf8_lossy(&done.stdout);
    // One delivery per billing account, as a legacy file with several payers.
    for line in [
        "payer 012345-6789AB-CDEF01 period 2026-09: imported, 2 rows, billable 30.00 USD, tax 0.00 USD",
        "payer 111111111111 period 2026-09: imported, 3 rows, billable 10.00 USD, tax 0.80 USD",
        &format!(
            "payer {AZURE_PAYER} period 2026-09: imported, 4 rows, billable 23.00 USD, tax 1.60 USD"
        ),
        "read ",
    ] {
        assert!(said.contains(line), "{line}\n{said}");
    }
    assert!(said.contains("multi.csv: FOCUS CSV"), "{said}");
    // Per account, per provider (billing entity).
    let azure = stdout_of(
        &[
            "report",
            "--period",
            "2026-09",
            "--view",
            &format!("primary:{AZURE_PAYER}"),
            "--group-by",
            "LINKED_ACCOUNT",
            "--format",
            "csv",
        ],
        &ws,
    );
    assert!(
        azure.contains(&format!("{AZURE_SUB},23.00,1.60,USD")),
        "{azure}"
    );
    let gcp = stdout_of(
        &[
            "report",
            "--period",
            "2026-09",
            "--view",
            "primary:012345-6789AB-CDEF01",
            "--group-by",
            "SERVICE_CODE",
            "--format",
            "csv",
        ],
        &ws,
    );
    assert!(gcp.contains("ComputeEngine,30.00"), "{gcp}");
    assert!(gcp.contains("CloudStorage,0.00"), "{gcp}");

    // Billing groups of Azure, Google Cloud and AWS accounts, one plan.
    let cfg = write(dir.path(), "multi.toml", MULTI_CONFIG);
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&cfg)
        .assert()
        .success();
    let groups = stdout_of(&["report", "--period", "2026-09", "--format", "csv"], &ws);
    // Azure: VMs list 25 at the service rule's -20 % = 20, storage 5 at the global +10 % =
    // 5.50, credit and tax left out: 25.50 against 23.00 billable.
    assert!(
        groups.contains(",azure-data,23.00,25.50,2.50,10.87,1.60,USD"),
        "{groups}"
    );
    // Google Cloud: 30 at +10 %; the 8.85E-8 row without a list cost is its billed cost.
    assert!(
        groups.contains(",gcp-analytics,30.00,33.00,3.00,10.00,0.00,USD"),
        "{groups}"
    );
    // AWS: usage list 12 and SP-covered list 5 at +10 % (FOCUS bills covered usage at 0).
    assert!(
        groups.contains(",aws-web,10.00,18.70,8.70,87.00,0.80,USD"),
        "{groups}"
    );
    // A typo'd id (not in the data) is still refused.
    let bad = write(
        dir.path(),
        "typo.toml",
        &MULTI_CONFIG.replace("\"acme-analytics-prod\"]", "\"acme-analytcs-prod\"]"),
    );
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("acme-analytcs-prod"));
}

/// The parts of one FOCUS export period, given together, are one delivery per billing
/// account; plain and gzip parts alike.
#[test]
fn parts_of_one_period_import_as_one_delivery() {
    let (dir, ws) = workspace();
    let rows = multi_rows();
    let a = write(
        dir.path(),
        "part-00001.csv",
        &format!("{MULTI_HEADER}\n{}\n", rows[..4].join("\n")),
    );
    let b = dir.path().join("part-00002.csv.gz");
    {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&b).expect("create"),
            flate2::Compression::default(),
        );
        gz.write_all(format!("{MULTI_HEADER}\n{}\n", rows[4..].join("\n")).as_bytes())
            .expect("gzip");
        gz.finish().expect("gzip");
    }
    let done = bin()
        .arg("import")
        .arg(&ws)
        .arg(&a)
        .arg(&b)
        .output()
        .expect("import");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(
        said.contains("part-00002.csv.gz: FOCUS CSV (gzip)"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "payer {AZURE_PAYER} period 2026-09: imported, 4 rows, billable 23.00 USD, tax 1.60 USD"
        )),
        "{said}"
    );
}

/// A FOCUS file without `BilledCost` (or another required column): exit 1 naming the file
/// and the column, nothing written.
#[test]
fn a_missing_required_column_is_named() {
    let (dir, ws) = workspace();
    let before = snapshot(&ws);
    // No BillingPeriodStart: told FOCUS by its other columns, the missing one named.
    let header = MULTI_HEADER.replace("BillingPeriodStart,", "Start,");
    let p = write(
        dir.path(),
        "noperiod.csv",
        &format!("{header}\n{}\n", multi_rows()[0]),
    );
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "noperiod.csv: missing required column BillingPeriodStart",
        ));
    // No BilledCost.
    let header = MULTI_HEADER.replace("BilledCost,", "Cost,");
    let p = write(
        dir.path(),
        "nocost.csv",
        &format!("{header}\n{}\n", multi_rows()[0]),
    );
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "nocost.csv: missing required column BilledCost",
        ));
    assert_eq!(before, snapshot(&ws), "nothing may be written");
}

/// A `Tags` cell that is not JSON, and an AWS row whose account is not 12 digits: exit 1,
/// file, line, column and reason, nothing written.
#[test]
fn bad_cells_are_refused_with_their_place() {
    let (dir, ws) = workspace();
    let before = snapshot(&ws);
    let rows = multi_rows();
    let bad = rows[0].replace("\"{\"\"user:team\"\":\"\"web\"\"}\"", "\"{user:team\"");
    assert_ne!(bad, rows[0]);
    let p = write(
        dir.path(),
        "tags.csv",
        &format!("{MULTI_HEADER}\n{}\n{}\n{bad}\n", rows[3], rows[4]),
    );
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "tags.csv: line 4, column 25 (Tags)",
        ))
        .stderr(predicates::str::contains("is not valid JSON"));
    let bad = rows[0].replace(",222222222222,", ",2222,");
    let p = write(dir.path(), "id.csv", &format!("{MULTI_HEADER}\n{bad}\n"));
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "id.csv: line 2, column 5 (SubAccountId)",
        ))
        .stderr(predicates::str::contains("12-digit"));
    // Another cloud's account id is checked where the usage account is derived: named by the
    // column it was read from, not by the derived cell's place after the header.
    let azure = rows
        .iter()
        .find(|r| r.starts_with("Microsoft,"))
        .expect("an Azure row");
    let bad = azure.replace(AZURE_SUB, "sub with space");
    assert_ne!(&bad, azure);
    let p = write(dir.path(), "sub.csv", &format!("{MULTI_HEADER}\n{bad}\n"));
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&p)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "sub.csv: line 2, column 5 (SubAccountId (usage account)): 'sub with space'",
        ));
    assert_eq!(before, snapshot(&ws), "nothing may be written");
}

/// The AWS/Azure/Google Cloud rows as a FOCUS Parquet file of another writer's shape: text
/// columns, DOUBLE costs with nulls, `Tags` as JSON text (not a MAP): detected as FOCUS,
/// read by the column-wise reader and by the row reader, the same reports as the CSV.
#[test]
fn focus_parquet_with_text_tags_reads_as_the_csv() {
    use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let (dir, ws_csv) = workspace();
    let text = format!("{MULTI_HEADER}\n{}\n", multi_rows().join("\n"));
    let csv_path = write(dir.path(), "multi.csv", &text);
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    let numbers = [
        "BilledCost",
        "ListCost",
        "EffectiveCost",
        "ConsumedQuantity",
    ];
    let columns: Vec<(String, ArrayRef)> = header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let cell = |r: &csv::StringRecord| Some(r[i].to_string()).filter(|v| v != "NULL");
            let array: ArrayRef = if numbers.contains(&name.as_str()) {
                Arc::new(Float64Array::from(
                    rows.iter()
                        .map(|r| cell(r).map(|v| v.parse::<f64>().expect("number")))
                        .collect::<Vec<_>>(),
                ))
            } else {
                Arc::new(StringArray::from(rows.iter().map(cell).collect::<Vec<_>>()))
            };
            (name.clone(), array)
        })
        .collect();
    let batch = RecordBatch::try_from_iter(columns).expect("batch");
    let pq = dir.path().join("multi.parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&pq).expect("create"),
        batch.schema(),
        None,
    )
    .expect("writer");
    w.write(&batch).expect("write");
    w.close().expect("close");

    let cfg = write(dir.path(), "multi.toml", MULTI_CONFIG);
    let mut outputs = Vec::new();
    for (ws, file, rows_env) in [
        (ws_csv.clone(), &csv_path, false),
        (dir.path().join("pq.proforma"), &pq, false),
        (dir.path().join("pq-rows.proforma"), &pq, true),
    ] {
        if !ws.exists() {
            bin().arg("init").arg(&ws).assert().success();
        }
        let mut cmd = bin();
        if rows_env {
            cmd.env("PROFORMA_PARQUET_ROWS", "1");
        }
        let done = cmd
            .arg("import")
            .arg(&ws)
            .arg(file)
            .output()
            .expect("import");
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        if file == &pq {
            assert!(
                String::from_utf8_lossy(&done.stdout).contains("multi.parquet: FOCUS Parquet"),
                "{}",
                String::from_utf8_lossy(&done.stdout)
            );
        }
        bin()
            .args(["config", "import"])
            .arg(&ws)
            .arg(&cfg)
            .assert()
            .success();
        let mut reports = vec![stdout_of(
            &["report", "--period", "2026-09", "--format", "json"],
            &ws,
        )];
        for payer in ["111111111111", "012345-6789AB-CDEF01", AZURE_PAYER] {
            reports.push(stdout_of(
                &[
                    "report",
                    "--period",
                    "2026-09",
                    "--view",
                    &format!("primary:{payer}"),
                    "--group-by",
                    "SERVICE_CODE",
                    "--format",
                    "json",
                ],
                &ws,
            ));
        }
        outputs.push(reports);
    }
    assert!(
        outputs[0][0].contains("\"ProformaCost\": \"25.50\""),
        "{}",
        outputs[0][0]
    );
    assert_eq!(outputs[0], outputs[1], "column-wise Parquet reader");
    assert_eq!(outputs[0], outputs[2], "row Parquet reader");
}
