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
