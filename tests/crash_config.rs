//! A `config import` killed with SIGKILL at a random moment leaves the workspace whole: SQLite's
//! `integrity_check` is ok, and every report is byte-identical either to the one before the
//! import or, if the import had committed, to the one after it. A few rounds by default;
//! `PROFORMA_CRASH_ROUNDS=N` runs more, `PROFORMA_CRASH_SEED=S` repeats a run.

#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn reports(ws: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for period in ["2026-09", "2026-10"] {
        let out = common::bin()
            .arg("report")
            .arg(ws)
            .args(["--period", period, "--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "report after a kill failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        all.extend(out.stdout);
    }
    all
}

fn integrity(ws: &Path) -> String {
    let conn = rusqlite::Connection::open(ws).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn copy_demo(dir: &Path, name: &str) -> PathBuf {
    let ws = dir.join(name);
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    ws
}

/// A small deterministic generator (xorshift), so a failing run can be repeated by its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn a_killed_config_import_leaves_the_workspace_whole() {
    let rounds: u32 = std::env::var("PROFORMA_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let seed: u64 = std::env::var("PROFORMA_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    eprintln!("crash_config: {rounds} rounds, PROFORMA_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();

    // A configuration that changes both periods: every rule's percentage and a new flat fee.
    let base = copy_demo(dir.path(), "base.proforma");
    let before = reports(&base);
    let out = common::bin()
        .args(["config", "export"])
        .arg(&base)
        .output()
        .unwrap();
    let toml = String::from_utf8(out.stdout)
        .unwrap()
        .replace("percent = 10\n", "percent = 13\n")
        .replace("percent = 6\n", "percent = 8\n");
    let file = dir.path().join("changed.toml");
    std::fs::write(&file, toml).unwrap();
    let args = |ws: &Path| {
        let mut c = Command::new(common::bin().get_program());
        c.args(["config", "import"])
            .arg(ws)
            .arg(&file)
            .args(["--from-period", "2026-09"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    // The state after a completed import, and how long one takes.
    let done = copy_demo(dir.path(), "done.proforma");
    let t = Instant::now();
    assert!(args(&done).status().unwrap().success());
    let took = t.elapsed();
    let after = reports(&done);
    assert_ne!(before, after, "the import must change the reports");

    let (mut killed_before, mut committed) = (0, 0);
    for round in 0..rounds {
        let ws = copy_demo(dir.path(), &format!("round{round}.proforma"));
        // Kill anywhere from the start to a little after the usual end, one random moment in
        // each of `rounds` equal slices, so a few rounds already cover the whole import.
        let limit = took.as_micros() as u64 * 12 / 10 + 1;
        let slice = limit / u64::from(rounds) + 1;
        let delay = Duration::from_micros(u64::from(round) * slice + rng.next() % slice);
        let mut child = args(&ws).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert_eq!(integrity(&ws), "ok", "round {round} (delay {delay:?})");
        let now = reports(&ws);
        if now == before {
            killed_before += 1;
        } else if now == after {
            committed += 1;
        } else {
            panic!(
                "round {round} (delay {delay:?}, seed {seed}): reports match neither the state before nor after the import"
            );
        }
        let _ = std::fs::remove_file(&ws);
    }
    eprintln!(
        "crash_config: {killed_before} rounds left the workspace as before, {committed} as after"
    );
}
