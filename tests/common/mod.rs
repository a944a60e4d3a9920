//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod tmux;
pub mod tui;

use std::path::{Path, PathBuf};

pub fn bin() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("proforma").expect("binary builds")
}

/// `../shared` beside the repository, when present.
pub fn shared_data(file: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(file);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

pub fn shared_example(dir: &str, file: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/examples")
        .join(dir)
        .join(file);
    p.exists().then_some(p)
}

/// A new empty workspace in a temporary directory.
pub fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path().join("ws.proforma");
    bin().arg("init").arg(&ws).assert().success();
    (dir, ws)
}

/// Every row of every table, sorted: equal snapshots mean an unchanged workspace.
pub fn snapshot(ws: &Path) -> Vec<String> {
    let conn =
        rusqlite::Connection::open_with_flags(ws, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
        let n = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                    .collect();
                Ok(format!("{t}: {}", cells.join(" | ")))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        out.extend(rows);
    }
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    out.push(format!("user_version {version}"));
    out
}

/// A small legacy CUR CSV with the given rows (payer, account, period start, type, product, cost).
pub fn cur_csv(rows: &[(&str, &str, &str, &str, &str, &str)]) -> String {
    let mut s = String::from(
        "bill/PayerAccountId,lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,lineItem/ProductCode,lineItem/UnblendedCost,lineItem/UsageStartDate\n",
    );
    for (payer, account, start, kind, product, cost) in rows {
        s.push_str(&format!(
            "{payer},{account},{start},{kind},{product},{cost},{start}\n"
        ));
    }
    s
}

/// The demo workspace, built once per test binary (read-only use; copy it to edit).
pub fn demo_workspace() -> PathBuf {
    static BUILT: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, p) = BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("demo.proforma");
        bin()
            .args(["demo", "--workspace"])
            .arg(&p)
            .assert()
            .success();
        (dir, p)
    });
    p.clone()
}

/// The demo payer alone: the demo's sample files and configuration without the data of the
/// organisations whose bills it pays (billing transfers), built once per test binary
/// (read-only use; copy it to edit). For checks that are one payer's: one invoice, one total.
pub fn single_payer_demo() -> PathBuf {
    static BUILT: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, p) = BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("demo.proforma");
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
        bin().arg("init").arg(&p).assert().success();
        bin()
            .arg("import")
            .arg(&p)
            .arg(sample.join("accounts.json"))
            .arg(sample.join("cur-2026-09.csv.gz"))
            .arg(sample.join("cur-2026-10.csv.gz"))
            .assert()
            .success();
        bin()
            .args(["config", "import"])
            .arg(&p)
            .arg(sample.join("config.toml"))
            .args(["--from-period", "2026-09"])
            .assert()
            .success();
        (dir, p)
    });
    p.clone()
}

/// Runs the binary and expects a refusal: exit 1 and `message` on stderr.
pub fn fails(args: &[&str], ws: &Path, rest: &[&str], message: &str) {
    let mut cmd = bin();
    cmd.args(args)
        .arg(ws)
        .args(rest)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(message));
}

/// Turns a current workspace back into schema 7 (before aggregate chunks): the lines move
/// into `cost_lines` rows with their labels in `label_sets`, as proforma wrote them then.
pub fn downgrade_to_schema_7(path: &Path) {
    let ws = proforma::store::Workspace::open(path).expect("open");
    let periods: Vec<proforma::period::BillingPeriod> = {
        let mut p: Vec<_> = ws.deliveries().unwrap().iter().map(|d| d.period).collect();
        p.dedup();
        p
    };
    let lines: Vec<_> = periods
        .iter()
        .flat_map(|p| ws.lines(*p, None).unwrap())
        .collect();
    drop(ws);
    let mut conn = rusqlite::Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    tx.execute_batch(
        "CREATE TABLE label_sets (
            label_set_id INTEGER PRIMARY KEY,
            fingerprint  TEXT NOT NULL UNIQUE
         );
         CREATE TABLE label_set_items (
            label_set_id INTEGER NOT NULL REFERENCES label_sets(label_set_id) ON DELETE CASCADE,
            kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (label_set_id, kind, key)
         );
         CREATE TABLE cost_lines (
            period TEXT NOT NULL, payer_id TEXT NOT NULL, account_id TEXT NOT NULL,
            billing_entity TEXT NOT NULL, product_code TEXT NOT NULL, product_name TEXT NOT NULL,
            usage_type TEXT NOT NULL, operation TEXT NOT NULL, line_item_type TEXT NOT NULL,
            region TEXT NOT NULL, owner_account_id TEXT NOT NULL, free_on_bill INTEGER NOT NULL,
            label_set_id INTEGER REFERENCES label_sets(label_set_id), rows INTEGER NOT NULL,
            usage_amount TEXT NOT NULL, unblended_cost TEXT NOT NULL, public_cost TEXT NOT NULL,
            no_public_price_rows INTEGER NOT NULL, sp_effective_cost TEXT NOT NULL,
            ri_effective_cost TEXT NOT NULL,
            FOREIGN KEY (payer_id, period) REFERENCES deliveries(payer_id, period) ON DELETE CASCADE
         );
         CREATE INDEX cost_lines_by_delivery ON cost_lines(payer_id, period);
         DROP TABLE cost_chunks;
         DROP TABLE group_totals;
         DROP TABLE aws_proforma_lines;
         DROP TABLE aws_proforma;",
    )
    .unwrap();
    let mut sets: std::collections::HashMap<String, i64> = Default::default();
    for l in &lines {
        let k = &l.key;
        let set = if k.labels.is_empty() {
            None
        } else {
            let fp = k
                .labels
                .iter()
                .map(|l| format!("{}={}={}", l.kind.as_str(), l.key, l.value))
                .collect::<Vec<_>>()
                .join(";");
            let next = sets.len() as i64 + 1;
            let id = *sets.entry(fp.clone()).or_insert(next);
            if id == next {
                tx.execute(
                    "INSERT INTO label_sets (label_set_id, fingerprint) VALUES (?1, ?2)",
                    rusqlite::params![id, fp],
                )
                .unwrap();
                for lb in k.labels.iter() {
                    tx.execute(
                        "INSERT INTO label_set_items VALUES (?1, ?2, ?3, ?4)",
                        rusqlite::params![id, lb.kind.as_str(), lb.key.as_str(), lb.value.as_str()],
                    )
                    .unwrap();
                }
            }
            Some(id)
        };
        let s = &l.sums;
        tx.execute(
            "INSERT INTO cost_lines VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                                            ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
            rusqlite::params![
                k.period.to_string(),
                k.payer.as_str(),
                k.account.as_str(),
                k.billing_entity.as_str(),
                k.product_code.as_str(),
                k.product_name.as_str(),
                k.usage_type.as_str(),
                k.operation.as_str(),
                k.line_item_type.as_str(),
                k.region.as_str(),
                k.owner.as_str(),
                k.free_on_bill,
                set,
                s.rows as i64,
                s.usage_amount.to_string(),
                s.unblended_cost.to_string(),
                s.public_cost.to_string(),
                s.no_public_price_rows as i64,
                s.sp_effective_cost.to_string(),
                s.ri_effective_cost.to_string()
            ],
        )
        .unwrap();
    }
    tx.pragma_update(None, "user_version", 7).unwrap();
    tx.commit().unwrap();
}
