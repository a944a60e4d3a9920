//! `proforma cube-sql` and importing its result (issue 10 item 6).
//!
//! The SQL of every dialect and format is snapshotted, checked for shape and parsed with
//! sqlglot's grammar of its engine (python3 + `sqlglot`, skipped without it unless
//! PROFORMA_REQUIRE_SQLGLOT=1); the proof is
//! running the DuckDB SQL with DuckDB (python3 + the `duckdb` module) on a generated CUR, as
//! legacy CSV and as a CUR 2.0 table (maps, DOUBLE costs, TIMESTAMP dates), importing the
//! result, and finding the same aggregate, daily series and reports as a direct import. Those
//! tests skip, saying so, when python3 or duckdb is missing, unless PROFORMA_REQUIRE_DUCKDB=1
//! (`.ci/run`) makes them fail instead. Bad cube files are refused with file, line, column and
//! reason, exit 1, nothing written.

mod common;

use common::{bin, snapshot, workspace};
use predicates::prelude::*;
use proforma::cur::columns::normalize_name;
use proforma::cur::cube::COLUMNS;
use proforma::period::BillingPeriod;
use std::path::{Path, PathBuf};
use std::process::Command;

const DIALECTS: [&str; 4] = ["athena", "trino", "spark", "duckdb"];
const FORMATS: [&str; 2] = ["legacy", "cur2"];
const PERIODS: [&str; 2] = ["2026-09", "2026-10"];

fn cube_sql(args: &[&str]) -> String {
    let out = bin().arg("cube-sql").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "cube-sql {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Parentheses balance outside string literals and quoted identifiers; one statement.
fn check_shape(sql: &str, dialect: &str) {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    let mut semicolons = 0;
    for line in sql.lines() {
        let code = if quote.is_none() && line.trim_start().starts_with("--") {
            ""
        } else {
            line
        };
        for c in code.chars() {
            match quote {
                Some(q) if c == q && !(dialect == "spark" && prev == '\\') => quote = None,
                Some(_) => {}
                None => match c {
                    '\'' | '"' | '`' => quote = Some(c),
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    ';' => semicolons += 1,
                    _ => {}
                },
            }
            assert!(depth >= 0, "{dialect}: ')' before its '('");
            prev = c;
        }
    }
    assert_eq!(quote, None, "{dialect}: a quote is never closed");
    assert_eq!(depth, 0, "{dialect}: unbalanced parentheses");
    assert_eq!(semicolons, 1, "{dialect}: one statement");
    assert!(sql.trim_end().ends_with(';'));
    if dialect == "spark" {
        assert!(
            !sql.contains('"'),
            "spark quotes identifiers with backticks"
        );
    } else {
        assert!(
            !sql.contains('`'),
            "{dialect} quotes identifiers with double quotes"
        );
    }
    for c in COLUMNS {
        assert!(
            sql.contains(&format!(" AS {c},"))
                || sql.contains(&format!(" AS {c}\n"))
                || sql.contains(&format!("AS \"{c}\""))
                || sql.contains(&format!("AS `{c}`")),
            "{dialect}: no column {c}"
        );
    }
}

#[test]
fn the_sql_of_every_dialect_and_format_is_snapshotted_and_well_formed() {
    for dialect in DIALECTS {
        for format in FORMATS {
            let sql = cube_sql(&[
                "--dialect",
                dialect,
                "--format",
                format,
                "--table",
                "billing.cur",
                "--tag",
                "user:env",
                "--tag",
                "user:Team",
                "--cost-category",
                "BusinessUnit",
            ]);
            check_shape(&sql, dialect);
            assert!(sql.contains("DECIMAL(38, 20)"));
            // Tag columns survive an engine that lower-cases result names.
            assert!(sql.contains("tag/user%3a%54eam"), "{dialect} {format}");
            insta::assert_snapshot!(format!("{dialect}_{format}"), sql);
        }
    }
    // Spark reads backslash escapes in literals: `\N` is written `\\N` there.
    let spark = cube_sql(&["--dialect", "spark"]);
    assert!(spark.contains(r"'\\N'") && !spark.contains(r"= '\N'"));
    let trino = cube_sql(&["--dialect", "trino"]);
    assert!(trino.contains(r"= '\N'"));
    // CUR 2.0 reads product name, region and labels from its maps.
    let cur2 = cube_sql(&[
        "--dialect",
        "athena",
        "--format",
        "cur2",
        "--tag",
        "user:team",
    ]);
    assert!(cur2.contains("element_at(\"product\", 'product_name')"));
    assert!(cur2.contains("element_at(\"resource_tags\", 'user_team')"));
    let legacy = cube_sql(&["--dialect", "athena", "--tag", "user:team"]);
    assert!(legacy.contains("\"resource_tags_user_team\""));
}

/// Parses SQL with sqlglot's grammar of each engine (python3 + the `sqlglot` module): prints
/// "ok" or the parse error. Skips (None) when sqlglot is missing, unless
/// PROFORMA_REQUIRE_SQLGLOT=1 (`.ci/run`) makes that a failure.
fn sqlglot_parse(dir: &Path, dialect: &str, sql: &str) -> Option<String> {
    const PARSE: &str = r#"
import sys
import sqlglot
sql = open(sys.argv[2]).read()
try:
    statements = sqlglot.parse(sql, read=sys.argv[1], error_level=sqlglot.ErrorLevel.RAISE)
    print("ok" if len([s for s in statements if s is not None]) == 1 else "not one statement")
except Exception as e:
    print("error:", e)
"#;
    let have = Command::new("python3")
        .args(["-c", "import sqlglot"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var("PROFORMA_REQUIRE_SQLGLOT").as_deref() != Ok("1"),
            "python3 with the sqlglot module is required here (pip install sqlglot) but missing"
        );
        eprintln!("skipping the grammar check: python3 with the sqlglot module is missing");
        return None;
    }
    let script = dir.join("parse.py");
    std::fs::write(&script, PARSE).unwrap();
    let file = dir.join(format!("{dialect}.sql"));
    std::fs::write(&file, sql).unwrap();
    let out = Command::new("python3")
        .arg(&script)
        .arg(dialect)
        .arg(&file)
        .output()
        .unwrap();
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn the_sql_parses_in_the_grammar_of_each_engine() {
    let d = tempfile::tempdir().unwrap();
    for dialect in DIALECTS {
        for format in FORMATS {
            let sql = cube_sql(&[
                "--dialect",
                dialect,
                "--format",
                format,
                "--table",
                "billing.cur",
                "--tag",
                "user:Team",
                "--cost-category",
                "BusinessUnit",
            ]);
            let Some(verdict) = sqlglot_parse(d.path(), dialect, &sql) else {
                return;
            };
            assert_eq!(verdict, "ok", "{dialect} {format}");
            // The check can fail: the same SQL with one parenthesis missing does not parse.
            let broken = sql.replacen("GROUPING SETS (", "GROUPING SETS ", 1);
            let verdict = sqlglot_parse(d.path(), dialect, &broken).unwrap_or_default();
            assert!(
                verdict.starts_with("error"),
                "{dialect} {format}: {verdict}"
            );
        }
    }
}

#[test]
fn keys_come_from_the_workspace_views_and_the_flags() {
    let (_d, ws) = workspace();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    bin()
        .arg("import")
        .arg(&ws)
        .arg(sample.join("cur-2026-10.csv.gz"))
        .assert()
        .success();
    let config = sample.join("config.toml");
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&config)
        .assert()
        .success();
    let sql = cube_sql(&[
        ws.to_str().unwrap(),
        "--dialect",
        "trino",
        "--tag",
        "user:team",
    ]);
    // The sample's views filter on tag user:env and cost category BusinessUnit.
    assert!(sql.contains(
        "-- Tags and cost categories carried: tag user:env, tag user:team, cost category \
         BusinessUnit."
    ));
    assert!(sql.contains("\"tag/user%3aenv\""));
    assert!(sql.contains("\"cost_category/%42usiness%55nit\""));
    // Two keys that name one CUR column, and unusable names, are refused.
    bin()
        .args(["cube-sql", "--dialect", "trino", "--tag", "user:team"])
        .args(["--tag", "user_team"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("resource_tags_user_team"));
    bin()
        .args(["cube-sql", "--dialect", "trino", "--table", "db..cur"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--table 'db..cur'"));
    bin()
        .args(["cube-sql", "--dialect", "trino", "--tag", "a\u{1b}[2Jb"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a\\x1b[2Jb"));
    bin()
        .args(["cube-sql", "--dialect", "oracle"])
        .assert()
        .code(2);
}

// ---- hand-made cubes: the fold's reading of them, and bad input ----

/// A cube CSV: the header (with a `tag/user%3aenv` column) and records given as
/// (column, value) overrides of a valid line record.
fn cube_csv(drop: Option<&str>, records: &[&[(&str, &str)]]) -> String {
    let mut header: Vec<&str> = COLUMNS.to_vec();
    header.push("tag/user%3aenv");
    let base: Vec<(&str, &str)> = vec![
        ("proforma_cube", "1"),
        ("record", "line"),
        ("billing_period", "2026-10"),
        ("payer_account_id", "999900001111"),
        ("usage_account_id", "111100002222"),
        ("currency", "USD"),
        ("billing_entity", "AWS"),
        ("product_code", "AmazonEC2"),
        ("product_name", "Amazon Elastic Compute Cloud"),
        ("usage_type", "BoxUsage:t3.micro"),
        ("operation", "RunInstances"),
        ("line_item_type", "Usage"),
        ("region", "us-east-1"),
        ("free_on_bill", "false"),
        ("row_count", "5"),
        ("usage_amount", "10.00000000000000000000"),
        ("unblended_cost", "1.04000000000000000000"),
        ("public_cost", "1.04000000000000000000"),
        ("no_public_price_rows", "0"),
        ("savings_plan_effective_cost", "0.00000000000000000000"),
        ("reservation_effective_cost", "0E-20"),
        ("tag/user%3aenv", "prod"),
    ];
    let keep: Vec<&str> = header
        .iter()
        .copied()
        .filter(|h| Some(*h) != drop)
        .collect();
    let mut out = keep.join(",") + "\n";
    for rec in records {
        let cells: Vec<String> = keep
            .iter()
            .map(|h| {
                let v = rec
                    .iter()
                    .find(|(k, _)| k == h)
                    .or_else(|| {
                        // Day records carry no line fields unless given.
                        if rec.contains(&("record", "day")) {
                            None
                        } else {
                            base.iter().find(|(k, _)| k == h)
                        }
                    })
                    .map_or("", |(_, v)| *v);
                let v = match *h {
                    "proforma_cube" | "billing_period" | "payer_account_id"
                    | "usage_account_id"
                        if v.is_empty() =>
                    {
                        base.iter().find(|(k, _)| k == h).map_or("", |(_, v)| *v)
                    }
                    _ => v,
                };
                if v.contains(',') {
                    format!("\"{v}\"")
                } else {
                    v.to_string()
                }
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn column(name: &str) -> usize {
    COLUMNS.iter().position(|c| *c == name).unwrap() + 1
}

#[test]
fn a_cube_brings_its_counts_sums_flags_and_days() {
    let (d, ws) = workspace();
    let cube = d.path().join("cube.csv");
    std::fs::write(
        &cube,
        cube_csv(
            None,
            &[
                &[],
                // Public cost from the summed amount x the rate (rows without public cost).
                &[
                    ("usage_type", "BoxUsage:t3.small"),
                    ("row_count", "3"),
                    ("usage_amount", "7.5"),
                    ("unblended_cost", "0.3"),
                    ("public_cost", ""),
                    ("public_rate", "0.0208"),
                ],
                // A free row, owned by a savings plan account, two rows without public price.
                &[
                    ("usage_type", "BoxUsage:t3.nano"),
                    ("row_count", "2"),
                    ("unblended_cost", "0"),
                    ("public_cost", "0.5"),
                    ("no_public_price_rows", "2"),
                    ("free_on_bill", "true"),
                    ("commitment_owner", "123456789012"),
                ],
                &[
                    ("record", "day"),
                    ("usage_date", "2026-10-03"),
                    ("row_count", "6"),
                    ("usage_amount", "7.5"),
                    ("public_rate", "0.0208"),
                    ("billable_cost", "0.3"),
                    ("tax_cost", "0.00000000000000000000"),
                ],
                // Day records add up to the line records (rows, billable, tax), as the query's.
                &[
                    ("record", "day"),
                    ("usage_date", "2026-10-05"),
                    ("row_count", "4"),
                    ("usage_amount", "10"),
                    ("public_cost", "1.54"),
                    ("billable_cost", "1.04"),
                    ("tax_cost", "0"),
                ],
            ],
        ),
    )
    .unwrap();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&cube)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "payer 999900001111 period 2026-10: imported, 10 rows, billable 1.34 USD, tax 0.00 \
             USD, usage 2026-10-03 to 2026-10-05",
        ));
    // The same cube gzip-compressed imports alike into another workspace (told by content).
    let (_d2, ws2) = workspace();
    let gz = d.path().join("cube.csv.gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut e, &std::fs::read(&cube).unwrap()).unwrap();
    std::fs::write(&gz, e.finish().unwrap()).unwrap();
    bin()
        .arg("import")
        .arg(&ws2)
        .arg(&gz)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "imported, 10 rows, billable 1.34 USD",
        ));
    assert_same(
        &aggregate_of(&ws2, "2026-10"),
        &aggregate_of(&ws, "2026-10"),
        "gzip",
    );

    let w = proforma::store::Workspace::open_for_reading(&ws).unwrap();
    let period: BillingPeriod = "2026-10".parse().unwrap();
    let mut lines = w.lines(period, None).unwrap();
    lines.sort_by_key(|l| l.sums.rows);
    assert_eq!(lines.len(), 3);
    let (free, rated, plain) = (&lines[0], &lines[1], &lines[2]);
    assert_eq!(plain.sums.rows, 5);
    assert_eq!(plain.sums.unblended_cost.to_string(), "1.04");
    assert_eq!(plain.sums.usage_amount.to_string(), "10");
    assert!(!plain.key.free_on_bill);
    assert_eq!(&*plain.key.labels[0].key, "user:env");
    assert_eq!(&*plain.key.labels[0].value, "prod");
    assert_eq!(rated.sums.rows, 3);
    assert_eq!(rated.sums.public_cost.normalize().to_string(), "0.156");
    assert_eq!(rated.sums.no_public_price_rows, 0);
    assert!(free.key.free_on_bill);
    assert_eq!(&*free.key.owner, "123456789012");
    assert_eq!(free.sums.no_public_price_rows, 2);
    let daily = w.daily(period).unwrap();
    let mut days: Vec<(String, String)> = daily
        .iter()
        .map(|r| (r.day.to_string(), r.billable.normalize().to_string()))
        .collect();
    days.sort();
    assert_eq!(
        days,
        [
            ("2026-10-03".to_string(), "0.3".to_string()),
            ("2026-10-05".to_string(), "1.04".to_string())
        ]
    );
    // An edited line record no longer adds up with the day records: refused, naming the
    // account, nothing written (a fresh tester's edited cube imported silently).
    let text = std::fs::read_to_string(&cube).unwrap();
    let edited = d.path().join("edited.csv");
    std::fs::write(
        &edited,
        text.replacen(",1.04000000000000000000,", ",99999.5,", 1),
    )
    .unwrap();
    assert_ne!(
        std::fs::read_to_string(&edited).unwrap(),
        text,
        "one cost edited"
    );
    let (_d3, ws3) = workspace();
    let before = snapshot(&ws3);
    bin()
        .arg("import")
        .arg(&ws3)
        .arg(&edited)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "account 111100002222 (payer 999900001111, 2026-10) does not add up",
        ));
    assert_eq!(snapshot(&ws3), before);
}

#[test]
fn bad_cubes_are_refused_with_line_column_and_reason_and_nothing_written() {
    let (d, ws) = workspace();
    let good = d.path().join("good.csv");
    std::fs::write(&good, cube_csv(None, &[&[]])).unwrap();
    bin().arg("import").arg(&ws).arg(&good).assert().success();
    let before = snapshot(&ws);
    let cases: Vec<(String, String)> = vec![
        (
            cube_csv(None, &[&[], &[("unblended_cost", "12.x")]]),
            format!(
                "line 3, column {} (unblended_cost): '12.x' is not a number",
                column("unblended_cost")
            ),
        ),
        (
            cube_csv(None, &[&[("row_count", "-3")]]),
            format!(
                "line 2, column {} (row_count): '-3' is not a row count",
                column("row_count")
            ),
        ),
        (
            cube_csv(None, &[&[("row_count", "0")]]),
            "(row_count): '0' is not a row count".into(),
        ),
        (
            cube_csv(Some("row_count"), &[&[]]),
            "missing required column row_count".into(),
        ),
        (
            cube_csv(None, &[&[("usage_amount", "")]]),
            format!(
                "line 2, column {} (usage_amount): '' a value is required here",
                column("usage_amount")
            ),
        ),
        (
            cube_csv(None, &[&[("public_cost", "")]]),
            "(public_cost): '' a value is required here (public_cost, or public_rate".into(),
        ),
        (
            cube_csv(None, &[&[("no_public_price_rows", "6")]]),
            "'6' is more than the record's row_count".into(),
        ),
        (
            cube_csv(None, &[&[("record", "total")]]),
            "'total' is not a cube record type (line or day)".into(),
        ),
        (
            cube_csv(None, &[&[("proforma_cube", "2")]]),
            "'2' is not a proforma cube version this proforma reads".into(),
        ),
        (
            cube_csv(None, &[&[("free_on_bill", "maybe")]]),
            "'maybe' is not true or false".into(),
        ),
        (
            cube_csv(None, &[&[("usage_date", "2026-10-01")]]),
            "is set on a line record".into(),
        ),
        (
            cube_csv(None, &[&[("tax_cost", "1.00")]]),
            format!(
                "line 2, column {} (tax_cost): '1.00' is set on a line record",
                column("tax_cost")
            ),
        ),
        (
            cube_csv(
                None,
                &[
                    &[],
                    &[
                        ("record", "day"),
                        ("usage_date", "2026-10-01"),
                        ("row_count", "5"),
                        ("usage_amount", "10"),
                        ("public_cost", "1.04"),
                        ("billable_cost", "1.04"),
                        ("tax_cost", "0"),
                        ("unblended_cost", "1.04"),
                    ],
                ],
            ),
            format!(
                "line 3, column {} (unblended_cost): '1.04' is set on a day record",
                column("unblended_cost")
            ),
        ),
        (
            cube_csv(
                None,
                &[&[
                    ("record", "day"),
                    ("usage_date", "10/01/2026"),
                    ("row_count", "1"),
                    ("usage_amount", "1"),
                    ("public_cost", "1"),
                    ("billable_cost", "1"),
                    ("tax_cost", "0"),
                ]],
            ),
            "'10/01/2026' is not a usage day".into(),
        ),
        (
            cube_csv(
                None,
                &[&[
                    ("record", "day"),
                    ("usage_date", "2026-10-01"),
                    ("row_count", "1"),
                    ("usage_amount", "1"),
                    ("public_cost", "1"),
                    ("billable_cost", "1"),
                ]],
            ),
            format!(
                "line 2, column {} (tax_cost): '' a value is required here",
                column("tax_cost")
            ),
        ),
        (
            cube_csv(
                None,
                &[
                    &[],
                    &[
                        ("record", "day"),
                        ("usage_account_id", "111100009999"),
                        ("usage_date", "2026-10-01"),
                        ("row_count", "1"),
                        ("usage_amount", "1"),
                        ("public_cost", "1"),
                        ("billable_cost", "1"),
                        ("tax_cost", "0"),
                    ],
                ],
            ),
            "day records name accounts no line record has (2026-10 payer 999900001111 account \
             111100009999)"
                .into(),
        ),
        (
            cube_csv(None, &[&[("payer_account_id", "12345")]]),
            "'12345' is not a 12-digit account id".into(),
        ),
        (
            cube_csv(None, &[&[]]).replace("tag/user%3aenv", "tag_user_env"),
            "line 1, column 27 (header): 'tag_user_env' is not a proforma cube column".into(),
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let f = d.path().join(format!("bad-{i}.csv"));
        std::fs::write(&f, text).unwrap();
        bin()
            .arg("import")
            .arg(&ws)
            .arg(&good)
            .arg(&f)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(f.display().to_string()))
            .stderr(predicate::str::contains(expected.as_str()));
        assert_eq!(snapshot(&ws), before, "case {i} wrote to the workspace");
    }
}

// ---- the proof: DuckDB runs the printed SQL ----

/// Runs DuckDB from Python on a spec (files, column names, setup statements, SQL, output).
const RUNNER: &str = r#"
import json, sys
import duckdb
spec = json.load(open(sys.argv[1]))
con = duckdb.connect()
con.execute("SET threads = 1")
def strings(xs):
    return "[" + ", ".join("'" + x.replace("'", "''") + "'" for x in xs) + "]"
con.execute(
    f"CREATE VIEW cur AS SELECT * FROM read_csv({strings(spec['files'])}, all_varchar = true, "
    f"header = true, names = {strings(spec['names'])})"
)
for stmt in spec["setup"]:
    con.execute(stmt)
sql = open(spec["sql"]).read().strip().rstrip(";")
for out, fmt in spec["outputs"]:
    options = "FORMAT csv, HEADER" if fmt == "csv" else "FORMAT parquet"
    con.execute(f"COPY ({sql}) TO '{out}' ({options})")
"#;

/// True when python3 with duckdb is there; otherwise skips (false), or fails when
/// PROFORMA_REQUIRE_DUCKDB=1 says it must be there.
fn duckdb_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("PROFORMA_REQUIRE_DUCKDB").as_deref() != Ok("1"),
            "python3 with the duckdb module is required here (pip install duckdb) but missing"
        );
        eprintln!(
            "skipping: python3 with the duckdb module is missing (pip install duckdb==2.0.0); \
             set PROFORMA_REQUIRE_DUCKDB=1 to make this a failure"
        );
    }
    ok
}

/// The generated sample (plain CSV), edited so that every public cost rule, null spelling and
/// the free-on-bill rule are met: some rows lose their public cost (amount x rate), some their
/// rate as well (unblended, counted), some become free, some lose their usage day, and
/// optional cells are written `\N`, `NULL` or `null`.
fn sample_cur(dir: &Path, drop: &[&str]) -> (Vec<PathBuf>, Vec<String>) {
    let generated = dir.join("gen");
    bin()
        .args(["generate-sample", "--plain", "--out"])
        .arg(&generated)
        .assert()
        .success();
    let mut files = Vec::new();
    let mut names = Vec::new();
    for period in PERIODS {
        let path = generated.join(format!("cur-{period}.csv"));
        let mut rdr = csv::Reader::from_path(&path).unwrap();
        let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
        let at = |n: &str| header.iter().position(|h| h == n).unwrap();
        let (lit, poc, prate, urate, ucost) = (
            at("lineItem/LineItemType"),
            at("pricing/publicOnDemandCost"),
            at("pricing/publicOnDemandRate"),
            at("lineItem/UnblendedRate"),
            at("lineItem/UnblendedCost"),
        );
        let (start, region, team, op) = (
            at("lineItem/UsageStartDate"),
            at("product/region"),
            at("resourceTags/user:team"),
            at("lineItem/Operation"),
        );
        let edited = dir.join(format!("cur-{period}.csv"));
        let keep: Vec<usize> = (0..header.len())
            .filter(|&i| !drop.contains(&header[i].as_str()))
            .collect();
        let pick = |r: &[String]| -> Vec<String> { keep.iter().map(|&i| r[i].clone()).collect() };
        let mut w = csv::Writer::from_path(&edited).unwrap();
        w.write_record(pick(&header)).unwrap();
        let mut n = 0usize;
        for rec in rdr.records() {
            let mut r: Vec<String> = rec.unwrap().iter().map(String::from).collect();
            n += 1;
            if r[lit] == "Usage" {
                match n % 13 {
                    0 => r[poc].clear(),
                    5 => {
                        r[poc] = "\\N".into();
                        r[prate] = "NULL".into();
                    }
                    9 => {
                        r[ucost] = "0".into();
                        r[urate] = if n % 2 == 0 {
                            String::new()
                        } else {
                            "0.0".into()
                        };
                    }
                    _ => {}
                }
            }
            match n % 17 {
                3 => r[start].clear(),
                7 => r[region] = "\\N".into(),
                11 => r[team] = "null".into(),
                13 => r[op] = "NULL".into(),
                _ => {}
            }
            w.write_record(pick(&r)).unwrap();
        }
        w.flush().unwrap();
        names = pick(&header).iter().map(|h| normalize_name(h)).collect();
        files.push(edited);
    }
    (files, names)
}

fn run_duckdb(
    dir: &Path,
    files: &[PathBuf],
    names: &[String],
    setup: &[String],
    sql: &str,
    outputs: &[(&Path, &str)],
) {
    let runner = dir.join("run_cube.py");
    std::fs::write(&runner, RUNNER).unwrap();
    let sql_path = dir.join("cube.sql");
    std::fs::write(&sql_path, sql).unwrap();
    let spec = serde_json::json!({
        "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "names": names,
        "setup": setup,
        "sql": sql_path.display().to_string(),
        "outputs": outputs.iter().map(|(p, f)| (p.display().to_string(), *f)).collect::<Vec<_>>(),
    });
    let spec_path = dir.join("spec.json");
    std::fs::write(&spec_path, spec.to_string()).unwrap();
    let out = Command::new("python3")
        .arg(&runner)
        .arg(&spec_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "duckdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Equal lists, or the first difference (whole lists are too long to read in a failure).
fn assert_same(got: &[String], want: &[String], what: &str) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(g == w, "{what}: item {i} differs:\n got: {g}\nwant: {w}");
    }
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
}

/// A workspace with the files and the sample's accounts and configuration imported.
fn build(dir: &Path, name: &str, files: &[&Path]) -> PathBuf {
    let ws = dir.join(name);
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    bin().arg("init").arg(&ws).assert().success();
    bin()
        .arg("import")
        .arg(&ws)
        .args(files)
        .arg(dir.join("gen/accounts.json"))
        .assert()
        .success();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(sample.join("config.toml"))
        .args(["--from-period", PERIODS[0]])
        .assert()
        .success();
    ws
}

fn report(ws: &Path, period: &str, args: &[&str], format: &str) -> String {
    let out = bin()
        .arg("report")
        .arg(ws)
        .args(["--period", period, "--format", format])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every report the test compares: all groups (JSON and the table with its notes), the
/// billing views the sample defines (a cost category and a tag filter), the primary view by
/// account, one group's breakdown.
fn reports(ws: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for period in PERIODS {
        out.push(report(ws, period, &[], "json"));
        out.push(report(ws, period, &[], "table"));
        for view in ["custom:Commerce", "custom:Production", "custom:Retail web"] {
            out.push(report(ws, period, &["--view", view], "json"));
        }
        out.push(report(
            ws,
            period,
            &["--view", "primary", "--group-by", "LINKED_ACCOUNT"],
            "json",
        ));
        out.push(report(
            ws,
            period,
            &["--group", "retail", "--group-by", "USAGE_TYPE"],
            "json",
        ));
    }
    out
}

/// The stored aggregate and daily series, values normalised (a cube's sums carry the query's
/// scale), sorted.
fn aggregate(ws: &Path) -> Vec<String> {
    let mut out: Vec<String> = PERIODS.iter().flat_map(|p| aggregate_of(ws, p)).collect();
    out.sort();
    out
}

fn aggregate_of(ws: &Path, period: &str) -> Vec<String> {
    let w = proforma::store::Workspace::open_for_reading(ws).unwrap();
    let mut out = Vec::new();
    let p: BillingPeriod = period.parse().unwrap();
    for l in w.lines(p, None).unwrap() {
        let s = &l.sums;
        out.push(format!(
            "{:?} rows {} amount {} unblended {} public {} no-public {} sp {} ri {}",
            l.key,
            s.rows,
            s.usage_amount.normalize(),
            s.unblended_cost.normalize(),
            s.public_cost.normalize(),
            s.no_public_price_rows,
            s.sp_effective_cost.normalize(),
            s.ri_effective_cost.normalize()
        ));
    }
    for d in w.daily(p).unwrap() {
        out.push(format!(
            "{period} {} {} {} {}",
            d.payer,
            d.account,
            d.day,
            d.billable.normalize()
        ));
    }
    out.sort();
    out
}

#[test]
fn the_duckdb_cube_of_a_legacy_cur_imports_to_the_same_numbers_as_the_cur() {
    if !duckdb_available() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let (files, names) = sample_cur(dir, &[]);
    let file_refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let direct = build(dir, "direct.proforma", &file_refs);

    // Every tag and cost category of the CUR: the aggregate itself must be identical.
    let sql = cube_sql(&[
        "--dialect",
        "duckdb",
        "--tag",
        "user:team",
        "--tag",
        "user:env",
        "--tag",
        "user:cost-center",
        "--cost-category",
        "BusinessUnit",
    ]);
    let (csv, parquet) = (dir.join("cube.csv"), dir.join("cube.parquet"));
    run_duckdb(
        dir,
        &files,
        &names,
        &[],
        &sql,
        &[(&csv, "csv"), (&parquet, "parquet")],
    );
    let from_csv = build(dir, "cube-csv.proforma", &[&csv]);
    let from_parquet = build(dir, "cube-parquet.proforma", &[&parquet]);
    let recorded = |ws: &Path, format: &str| {
        snapshot(ws)
            .iter()
            .any(|r| r.starts_with("imports:") && r.contains(format))
    };
    assert!(recorded(&from_csv, "proforma cube CSV"));
    assert!(recorded(&from_parquet, "proforma cube Parquet"));
    let want_aggregate = aggregate(&direct);
    assert!(want_aggregate.len() > 1000);
    assert_same(
        &aggregate(&from_csv),
        &want_aggregate,
        "aggregate of from_csv",
    );
    assert_same(
        &aggregate(&from_parquet),
        &want_aggregate,
        "aggregate of from_parquet",
    );
    let want = reports(&direct);
    assert!(
        want[1].contains("no public price"),
        "the edits reach the notes: {}",
        want[1]
    );
    assert_same(&reports(&from_csv), &want, "reports of from_csv");
    assert_same(&reports(&from_parquet), &want, "reports of from_parquet");

    // The keys the workspace's views filter on are enough for its reports.
    let sql = cube_sql(&[direct.to_str().unwrap(), "--dialect", "duckdb"]);
    let small = dir.join("small.csv");
    run_duckdb(dir, &files, &names, &[], &sql, &[(&small, "csv")]);
    let from_small = build(dir, "cube-small.proforma", &[&small]);
    // With fewer labels, lines that mix rows with and without a public price merge
    // differently; the engine's diagnostic counts a line's whole unblended cost as "stood in"
    // when any of its rows had no public price, so only that note's amount may differ.
    let note_count = |v: Vec<String>| -> Vec<String> {
        v.into_iter()
            .map(|r| {
                r.lines()
                    .map(|l| l.split("; their unblended cost").next().unwrap_or(l))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect()
    };
    assert_same(
        &note_count(reports(&from_small)),
        &note_count(want.clone()),
        "reports of from_small",
    );

    // Deliveries replace by (payer, period), as a CUR does: the cube over the direct import
    // replaces both months, the same cube again changes nothing.
    bin()
        .arg("import")
        .arg(&direct)
        .arg(&small)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "period 2026-09: replaced, 12895 rows",
        ))
        .stdout(predicate::str::contains(
            "period 2026-10: replaced, 12890 rows",
        ));
    assert_same(
        &note_count(reports(&direct)),
        &note_count(want.clone()),
        "reports of direct",
    );
    let once = snapshot(&direct);
    bin()
        .arg("import")
        .arg(&direct)
        .arg(&small)
        .assert()
        .success()
        .stdout(predicate::str::contains("unchanged"));
    assert_eq!(snapshot(&direct), once);
}

#[test]
fn the_duckdb_cube_of_a_cur2_table_imports_to_the_same_numbers_as_the_cur() {
    if !duckdb_available() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let (files, names) = sample_cur(dir, &[]);
    let file_refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let direct = build(dir, "direct.proforma", &file_refs);
    // CUR 2.0 as Data Exports writes it: product name and region in the `product` map, tags
    // and cost categories in maps under normalised keys, costs DOUBLE, dates TIMESTAMP.
    let double = |c: &str| format!("CAST({c} AS DOUBLE) AS {c}");
    let timestamp = |c: &str| format!("CAST({c} AS TIMESTAMP) AS {c}");
    let cur2 = format!(
        "CREATE TABLE cur2 AS SELECT bill_payer_account_id, line_item_usage_account_id, {}, \
         line_item_line_item_type, line_item_product_code, {}, bill_billing_entity, \
         line_item_usage_type, line_item_operation, {}, line_item_unblended_rate, {}, \
         pricing_public_on_demand_rate, reservation_reservation_a_r_n, \
         savings_plan_savings_plan_a_r_n, {}, {}, {}, line_item_currency_code, \
         MAP {{'product_name': product_product_name, 'region': product_region}} AS product, \
         MAP {{'user_team': resource_tags_user_team, 'user_env': resource_tags_user_env, \
         'user_cost_center': resource_tags_user_cost_center}} AS resource_tags, \
         MAP {{'business_unit': cost_category_business_unit}} AS cost_category FROM cur",
        timestamp("bill_billing_period_start_date"),
        double("line_item_unblended_cost"),
        double("line_item_usage_amount"),
        double("pricing_public_on_demand_cost"),
        double("savings_plan_savings_plan_effective_cost"),
        double("reservation_effective_cost"),
        timestamp("line_item_usage_start_date"),
    );
    // The CUR 2.0 table reads NULL where the legacy file says `\N` or `NULL` in a number.
    let setup = vec![
        "CREATE TABLE cur_clean AS SELECT * FROM cur".to_string(),
        "UPDATE cur_clean SET pricing_public_on_demand_cost = NULL WHERE \
         pricing_public_on_demand_cost IN ('\\N', 'NULL')"
            .to_string(),
        cur2.replace("FROM cur", "FROM cur_clean"),
    ];
    let sql = cube_sql(&[
        "--dialect",
        "duckdb",
        "--format",
        "cur2",
        "--table",
        "cur2",
        "--tag",
        "user:team",
        "--tag",
        "user:env",
        "--tag",
        "user:cost-center",
        "--cost-category",
        "BusinessUnit",
    ]);
    let csv = dir.join("cube2.csv");
    run_duckdb(dir, &files, &names, &setup, &sql, &[(&csv, "csv")]);
    let from_cube = build(dir, "cube2.proforma", &[&csv]);
    assert_same(
        &aggregate(&from_cube),
        &aggregate(&direct),
        "aggregate of from_cube",
    );
    assert_same(
        &reports(&from_cube),
        &reports(&direct),
        "reports of from_cube",
    );
}

#[test]
fn columns_the_table_lacks_are_read_as_empty_with_absent() {
    if !duckdb_available() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    // A legacy CUR without Savings Plans columns (a report that never had them) and without
    // the user:team tag column.
    let drop = [
        "savingsPlan/SavingsPlanARN",
        "savingsPlan/SavingsPlanEffectiveCost",
        "resourceTags/user:team",
    ];
    let (files, names) = sample_cur(dir, &drop);
    let file_refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let direct = build(dir, "direct.proforma", &file_refs);
    let mut args = vec![
        "--dialect",
        "duckdb",
        "--tag",
        "user:team",
        "--tag",
        "user:env",
    ];
    args.extend([
        "--cost-category",
        "BusinessUnit",
        "--tag",
        "user:cost-center",
    ]);
    // Without --absent the engine stops at the missing column.
    let sql = cube_sql(&args);
    let runner_out = dir.join("never.csv");
    let failed = std::panic::catch_unwind(|| {
        run_duckdb(dir, &files, &names, &[], &sql, &[(&runner_out, "csv")])
    });
    assert!(
        failed.is_err(),
        "DuckDB ran SQL that reads a missing column"
    );
    args.extend([
        "--absent",
        "savings_plan_savings_plan_a_r_n",
        "--absent",
        "savings_plan_savings_plan_effective_cost",
        "--absent",
        "resource_tags_user_team",
    ]);
    let sql = cube_sql(&args);
    assert!(sql.contains("CAST(NULL AS VARCHAR) AS r_sp_arn"));
    let csv = dir.join("cube.csv");
    run_duckdb(dir, &files, &names, &[], &sql, &[(&csv, "csv")]);
    let from_cube = build(dir, "cube.proforma", &[&csv]);
    // The direct import has no user:team label at all; the cube carries it empty: the same.
    assert_same(&aggregate(&from_cube), &aggregate(&direct), "aggregate");
    assert_same(&reports(&from_cube), &reports(&direct), "reports");
    // Required and unknown columns are refused.
    bin()
        .args([
            "cube-sql",
            "--dialect",
            "athena",
            "--absent",
            "line_item_unblended_cost",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "--absent line_item_unblended_cost: this column is required",
        ));
    bin()
        .args([
            "cube-sql",
            "--dialect",
            "athena",
            "--absent",
            "line_item_blended_cost",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "--absent line_item_blended_cost: not a column the SQL reads",
        ));
}

#[test]
fn a_cube_and_a_cur_of_the_same_delivery_in_one_import_are_refused() {
    let (d, ws) = workspace();
    let cube = d.path().join("cube.csv");
    std::fs::write(
        &cube,
        cube_csv(
            None,
            &[
                &[],
                &[
                    ("record", "day"),
                    ("usage_date", "2026-10-03"),
                    ("row_count", "5"),
                    ("usage_amount", "10"),
                    ("public_cost", "1.04"),
                    ("billable_cost", "1.04"),
                    ("tax_cost", "0"),
                ],
            ],
        ),
    )
    .unwrap();
    let row = |payer| {
        common::cur_csv(&[(
            payer,
            "111100002222",
            "2026-10-01T00:00:00Z",
            "Usage",
            "AmazonEC2",
            "1.04",
        )])
    };
    let same = d.path().join("same.csv");
    std::fs::write(&same, row("999900001111")).unwrap();
    let before = common::snapshot(&ws);
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&cube)
        .arg(&same)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "a proforma cube and a CUR for the same payer 999900001111 and period 2026-10 in one import",
        ));
    assert_eq!(common::snapshot(&ws), before, "nothing written");
    // Another payer's CUR beside the cube is another delivery.
    let other = d.path().join("other.csv");
    std::fs::write(&other, row("999900003333")).unwrap();
    bin()
        .arg("import")
        .arg(&ws)
        .arg(&cube)
        .arg(&other)
        .assert()
        .success();
}
