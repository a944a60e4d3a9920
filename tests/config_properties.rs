//! No configuration file makes `config import` panic, hang or write when it refuses: arbitrary
//! bytes and mangled TOML and AWS bundle files go through format detection and both parsers
//! (in-process, many cases), the import planner on a real workspace, and the real binary on a
//! copy of the demo workspace (exit 0 or 1, never a panic; time-bounded; after a refusal the
//! workspace file is byte-identical). `PROPTEST_CASES=N` runs more.

mod common;

use proforma::interop::input::{ConfigSyntax, detect};
use proforma::interop::{aws_bundle, toml_config};
use proforma::store::Workspace;
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The demo's configuration exported in both formats (the valid inputs that get mangled).
fn exports() -> &'static (String, String) {
    static E: OnceLock<(String, String)> = OnceLock::new();
    E.get_or_init(|| {
        let ws = common::demo_workspace();
        let get = |format: &str| {
            let out = common::bin()
                .args(["config", "export"])
                .arg(&ws)
                .args(["--format", format])
                .output()
                .unwrap();
            assert!(out.status.success());
            String::from_utf8(out.stdout).unwrap()
        };
        (get("toml"), get("aws-json"))
    })
}

/// `PROPTEST_CASES` when set, else the default of the test.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Import periods around the demo's data (2026-09 and 2026-10): before, on and after it.
const PERIODS: [&str; 4] = ["2026-08", "2026-09", "2026-10", "2026-11"];

const NUMBERS: [&str; 10] = [
    "1e400",
    "99999999999999999999999999999999",
    "-5",
    "0.123456789012345678901234567890",
    "NaN",
    "\"x\"",
    "10.125",
    "",
    "1e-400",
    "0",
];

/// One edit of a file: (kind, position, length, bytes).
type Edit = (u8, usize, usize, Vec<u8>);

fn mangle(base: &str, edits: &[Edit]) -> Vec<u8> {
    let mut b = base.as_bytes().to_vec();
    for (op, pos, len, bytes) in edits {
        let n = b.len().max(1);
        let at = pos % n;
        let end = (at + len % 64).min(b.len());
        match op % 6 {
            0 => b.truncate(at),
            1 => {
                b.drain(at.min(b.len())..end);
            }
            2 => {
                let at = at.min(b.len());
                b.splice(at..at, bytes.iter().copied());
            }
            3 => {
                // Replace the number starting at or after `at` with a hostile one.
                if let Some(s) = b[at.min(b.len())..].iter().position(u8::is_ascii_digit) {
                    let s = at + s;
                    let e = s + b[s..]
                        .iter()
                        .position(|c| !(c.is_ascii_digit() || *c == b'.'))
                        .unwrap_or(b.len() - s);
                    let with = NUMBERS[len % NUMBERS.len()].as_bytes();
                    b.splice(s..e, with.iter().copied());
                }
            }
            4 => {
                // Duplicate a range (duplicate names, keys and objects).
                let chunk = b[at.min(b.len())..end].to_vec();
                b.splice(end..end, chunk);
            }
            _ => {
                // Swap two lines.
                let mut lines: Vec<&[u8]> = b.split(|c| *c == b'\n').collect();
                let k = lines.len();
                if k > 1 {
                    lines.swap(at % k, len % k);
                }
                b = lines.join(&b'\n');
            }
        }
    }
    b
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        (
            any::<u8>(),
            any::<usize>(),
            any::<usize>(),
            prop::collection::vec(any::<u8>(), 0..12),
        ),
        // No edit at all sometimes: valid files must get through the planner too.
        0..4,
    )
}

/// Detection and both parsers on one input: no panic, and quickly.
fn parse_any(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let payers: BTreeSet<String> = ["210987654321".to_string()].into();
    let start = Instant::now();
    match detect(&text) {
        ConfigSyntax::Json => {
            let _ = aws_bundle::parse(&text, "2026-10".parse().unwrap());
        }
        ConfigSyntax::Toml => {
            let _ = toml_config::parse(&text, &payers);
        }
    }
    // Both parsers, whatever the detection said.
    let _ = aws_bundle::parse(&text, "2026-10".parse().unwrap());
    let _ = toml_config::parse(&text, &payers);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "parsing took {:?}",
        start.elapsed()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn arbitrary_bytes_never_panic_the_parsers(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        parse_any(&bytes);
    }

    #[test]
    fn arbitrary_json_and_toml_shaped_text_never_panics(
        body in "[\\[\\]{}\":,=a-zA-Z0-9_.\\- \n#]{0,400}",
        json in any::<bool>(),
    ) {
        let text = if json { format!("{{{body}") } else { body };
        parse_any(text.as_bytes());
    }

    #[test]
    fn mangled_exports_never_panic_the_parsers(edits in edits(), json in any::<bool>()) {
        let (toml, bundle) = exports();
        parse_any(&mangle(if json { bundle } else { toml }, &edits));
    }
}

/// A private copy of the demo workspace.
fn demo_copy(dir: &Path) -> PathBuf {
    let ws = dir.join("demo.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    ws
}

/// Every file of the workspace (main file, and -wal/-shm if any): byte-identical means unchanged.
fn files(ws: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for suffix in ["", "-wal", "-journal"] {
        let p = PathBuf::from(format!("{}{suffix}", ws.display()));
        if let Ok(b) = std::fs::read(&p) {
            out.push((suffix.to_string(), b));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    /// The planner on a real workspace (what `config import` runs before writing): no panic,
    /// and the workspace is byte-identical afterwards, since a plan is rolled back.
    #[test]
    fn planning_a_mangled_import_writes_nothing(
        edits in edits(),
        json in any::<bool>(),
        period in prop::sample::select(PERIODS.to_vec()),
        backdate in any::<bool>(),
    ) {
        let (toml, bundle) = exports();
        let bytes = mangle(if json { bundle } else { toml }, &edits);
        let text = String::from_utf8_lossy(&bytes);
        let dir = tempfile::tempdir().unwrap();
        let path = demo_copy(dir.path());
        let before = files(&path);
        {
            let mut ws = Workspace::open(&path).unwrap();
            let p = period.parse().unwrap();
            let payers = ws.validation_context().unwrap().payers;
            let config = match detect(&text) {
                ConfigSyntax::Json => aws_bundle::parse(&text, p).ok().map(|x| x.config),
                ConfigSyntax::Toml => toml_config::parse(&text, &payers).ok().map(|x| x.config),
            };
            if let Some(config) = config {
                let _ = ws.plan_config_import(p, &config, backdate);
            }
        }
        prop_assert!(files(&path) == before, "planning changed the workspace");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(24)))]

    /// The real binary: exit 0 or 1 (never a panic's 101 or a signal), within 30 s, and after a
    /// refusal the workspace is byte-identical.
    #[test]
    fn the_binary_refuses_mangled_files_cleanly(
        edits in edits(),
        json in any::<bool>(),
        raw in any::<bool>(),
        junk in prop::collection::vec(any::<u8>(), 0..256),
        period in prop::sample::select(PERIODS.to_vec()),
        yes in any::<bool>(),
    ) {
        let (toml, bundle) = exports();
        let bytes = if raw { junk } else { mangle(if json { bundle } else { toml }, &edits) };
        let dir = tempfile::tempdir().unwrap();
        let ws = demo_copy(dir.path());
        let file = dir.path().join("input.cfg");
        std::fs::write(&file, &bytes).unwrap();
        let before = files(&ws);
        let out = common::bin()
            .args(["config", "import"])
            .arg(&ws)
            .arg(&file)
            .args(["--from-period", period])
            .args(yes.then_some("--yes"))
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(code == Some(0) || code == Some(1), "exit {code:?}: {stderr}");
        if code == Some(1) {
            prop_assert!(!stderr.contains("panicked"), "{stderr}");
            prop_assert!(files(&ws) == before, "a refused import changed the workspace: {stderr}");
        }
    }
}
