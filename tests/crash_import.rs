//! Issue 8 "Tests and figures": `kill -9` a real `proforma import` process at random moments.
//! After each kill the workspace passes `PRAGMA integrity_check` and `report --format json`
//! prints, byte for byte, either the report from before the import or (when the import had
//! committed) the report after an uninterrupted import. A few rounds by default; set
//! `PROFORMA_CRASH_ROUNDS=N` for more and `PROFORMA_CRASH_SEED=S` to replay a run.

mod common;

use common::bin;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EXE: &str = env!("CARGO_BIN_EXE_proforma");

fn run_ok(args: &[&std::ffi::OsStr]) -> Vec<u8> {
    let out = Command::new(EXE).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn report(ws: &Path) -> Vec<u8> {
    run_ok(&[
        "report".as_ref(),
        ws.as_os_str(),
        "--period".as_ref(),
        "2026-09".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ])
}

fn integrity_ok(ws: &Path) {
    let conn = rusqlite::Connection::open(ws).unwrap();
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(result, "ok", "integrity check of {}", ws.display());
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0, "foreign key violations in {}", ws.display());
}

/// Copies a workspace (folded into one file beforehand) to a fresh path.
fn copy_of(base: &Path, dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::copy(base, &p).unwrap();
    p
}

/// xorshift64*: enough randomness for kill moments, reproducible from the seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[test]
fn kill_9_during_import_never_damages_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Two deliveries of the same (payer, period), different content: the import replaces.
    for (seed, out) in [("1", "a"), ("2", "b")] {
        bin()
            .args([
                "generate-sample",
                "--lines-per-month",
                "40000",
                "--months",
                "1",
                "--plain",
                "--seed",
                seed,
                "--out",
            ])
            .arg(d.join(out))
            .assert()
            .success();
    }
    let first = d.join("a/cur-2026-09.csv");
    let second = d.join("b/cur-2026-09.csv");
    let base = d.join("base.proforma");
    bin().arg("init").arg(&base).assert().success();
    bin()
        .arg("import")
        .arg(&base)
        .arg(&first)
        .arg(d.join("a/accounts.json"))
        .assert()
        .success();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/config.toml");
    bin()
        .args(["config", "import"])
        .arg(&base)
        .arg(&config)
        .assert()
        .success();
    {
        // Fold the WAL in, so copying the one file copies the workspace.
        let conn = rusqlite::Connection::open(&base).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    let before = report(&base);

    // The uninterrupted import, timed: kill moments are spread over its length.
    let done = copy_of(&base, d, "done.proforma");
    let start = Instant::now();
    run_ok(&["import".as_ref(), done.as_os_str(), second.as_os_str()]);
    let full = start.elapsed();
    let after = report(&done);
    assert_ne!(before, after, "the second delivery must change the report");

    let rounds: u64 = std::env::var("PROFORMA_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let seed = std::env::var("PROFORMA_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |t| t.as_nanos() as u64)
                | 1
        });
    eprintln!("crash test: {rounds} rounds, seed {seed}, full import {full:?}");
    let mut rng = Rng(seed);
    let (mut killed, mut finished, mut killed_after_commit) = (0, 0, 0);
    for round in 0..rounds {
        let ws = copy_of(&base, d, &format!("round-{round}.proforma"));
        // Half the rounds anywhere in the import, half in its last third (the commit).
        let span = full.as_micros() as u64 * 21 / 20;
        let at = if round % 2 == 0 {
            rng.below(span)
        } else {
            span * 2 / 3 + rng.below(span / 3)
        };
        let mut child = Command::new(EXE)
            .arg("import")
            .arg(&ws)
            .arg(&second)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(at));
        let exited = child.try_wait().unwrap();
        if exited.is_none() {
            // SIGKILL on Unix: no destructor, no rollback, no checkpoint.
            child.kill().unwrap();
        }
        let status = child.wait().unwrap();
        integrity_ok(&ws);
        let now = report(&ws);
        if status.success() {
            finished += 1;
            assert!(
                now == after,
                "round {round} (seed {seed}): a finished import must show the new delivery"
            );
        } else {
            killed += 1;
            killed_after_commit += u64::from(now == after);
            assert!(
                now == before || now == after,
                "round {round} (seed {seed}, killed after {at} µs): the report is neither the one \
                 before the import nor the one after it"
            );
        }
        if round == 0 {
            // The workspace stays usable: the same import run to its end gives the same report.
            run_ok(&["import".as_ref(), ws.as_os_str(), second.as_os_str()]);
            assert_eq!(report(&ws), after);
            integrity_ok(&ws);
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", ws.display()));
        }
    }
    eprintln!(
        "crash test: {killed} killed ({killed_after_commit} after the commit), {finished} finished"
    );
    assert_eq!(killed + finished, rounds);
}
