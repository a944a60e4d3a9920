//! Issue 8 item 10: control characters and escape sequences from data never reach the terminal
//! raw (CLI table, CSV, JSON, TOML, error messages); SIGTERM, SIGHUP and SIGINT restore the
//! terminal like `q` does.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/escapes")
        .join(name)
}

/// Raw control characters that a terminal acts on (ESC, BEL, CSI in C1, and the rest of C0
/// other than the line feed and tab that plain output uses).
fn raw_controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| proforma::text::is_unsafe(*c) && !matches!(c, '\n' | '\t'))
        .collect()
}

/// A copy of the demo workspace with `escape_seq.csv` imported over its October delivery (same
/// payer and period): product names and usage types that carry ESC sequences (clear screen,
/// OSC 52 clipboard write, window title) and a tag with SQL and blink.
fn hostile_workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    let out = common::bin()
        .arg("import")
        .arg(&ws)
        .arg(data("escape_seq.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, ws)
}

fn run(args: &[&str], ws: &Path, rest: &[&str]) -> (String, String) {
    let out = common::bin()
        .args(args)
        .arg(ws)
        .args(rest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} {rest:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn table_and_csv_reports_show_escape_sequences_escaped() {
    let (_dir, ws) = hostile_workspace();
    for by in ["PRODUCT_NAME", "USAGE_TYPE"] {
        for format in ["table", "csv"] {
            let (out, err) = run(
                &["report"],
                &ws,
                &[
                    "--period",
                    "2026-10",
                    "--group",
                    "retail",
                    "--group-by",
                    by,
                    "--format",
                    format,
                ],
            );
            assert!(raw_controls(&out).is_empty(), "{by} {format}: {out:?}");
            assert!(raw_controls(&err).is_empty(), "{by} {format}: {err:?}");
            let expected = match by {
                "PRODUCT_NAME" => {
                    "Amazon\\x1b[2J\\x1b[31mRED\\x1b]52;c;UFdORUQ=\\x07\\x1b]0;PWNED-TITLE\\x07End"
                }
                _ => "BoxUsage:m5.large\\x1b[2J",
            };
            assert!(out.contains(expected), "{by} {format}: {out}");
        }
    }
    // The primary view grouped by product: same rows, same escaping.
    let (out, _) = run(
        &["report"],
        &ws,
        &[
            "--period",
            "2026-10",
            "--view",
            "primary",
            "--group-by",
            "PRODUCT_NAME",
        ],
    );
    assert!(raw_controls(&out).is_empty(), "{out:?}");
    assert!(out.contains("Amazon\\x1b[2J\\x1b[31mRED"), "{out}");
}

#[test]
fn csv_report_stays_csv_with_the_escaped_values() {
    let (_dir, ws) = hostile_workspace();
    let (out, _) = run(
        &["report"],
        &ws,
        &[
            "--period",
            "2026-10",
            "--group",
            "retail",
            "--group-by",
            "PRODUCT_NAME",
            "--format",
            "csv",
        ],
    );
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = header.iter().position(|h| h == "PRODUCT_NAME").unwrap();
    let values: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[column].to_string())
        .collect();
    assert!(
        values.contains(
            &"Amazon\\x1b[2J\\x1b[31mRED\\x1b]52;c;UFdORUQ=\\x07\\x1b]0;PWNED-TITLE\\x07End"
                .to_string()
        ),
        "{values:?}"
    );
    assert_eq!(values.len(), 2, "{values:?}");
}

#[test]
fn json_report_keeps_the_exact_value_and_no_raw_control() {
    let (_dir, ws) = hostile_workspace();
    let (out, _) = run(
        &["report"],
        &ws,
        &[
            "--period",
            "2026-10",
            "--group",
            "retail",
            "--group-by",
            "PRODUCT_NAME",
            "--format",
            "json",
        ],
    );
    assert!(raw_controls(&out).is_empty(), "{out:?}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let values: Vec<String> = v["BillingGroupCostReportResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Attributes"][0]["Value"].as_str().unwrap().to_string())
        .collect();
    assert!(
        values.contains(
            &"Amazon\u{1b}[2J\u{1b}[31mRED\u{1b}]52;c;UFdORUQ=\u{7}\u{1b}]0;PWNED-TITLE\u{7}End"
                .to_string()
        ),
        "{values:?}"
    );
}

/// C1 controls (8-bit CSI U+009B) and bidirectional overrides in a product name: escaped in
/// table and CSV as `\u{9b}`, `\u{202e}`; JSON escapes them as `\u009b` and parses back exactly.
#[test]
fn c1_controls_and_bidi_overrides_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    let text = std::fs::read_to_string(data("escape_seq.csv"))
        .unwrap()
        .replace(
            "Amazon\u{1b}[2J\u{1b}[31mRED\u{1b}]52;c;UFdORUQ=\u{7}\u{1b}]0;PWNED-TITLE\u{7}End",
            "C1\u{9b}2Jx\u{202e}gnp.exe",
        );
    let csv_path = dir.path().join("c1.csv");
    std::fs::write(&csv_path, text).unwrap();
    common::bin()
        .arg("import")
        .arg(&ws)
        .arg(&csv_path)
        .assert()
        .success();
    let args = [
        "--period",
        "2026-10",
        "--group",
        "retail",
        "--group-by",
        "PRODUCT_NAME",
        "--format",
    ];
    for format in ["table", "csv"] {
        let mut rest = args.to_vec();
        rest.push(format);
        let (out, _) = run(&["report"], &ws, &rest);
        assert!(raw_controls(&out).is_empty(), "{format}: {out:?}");
        assert!(
            out.contains("C1\\u{9b}2Jx\\u{202e}gnp.exe"),
            "{format}: {out}"
        );
    }
    let mut rest = args.to_vec();
    rest.push("json");
    let (out, _) = run(&["report"], &ws, &rest);
    assert!(raw_controls(&out).is_empty(), "{out:?}");
    assert!(out.contains("C1\\u009b2Jx\\u202egnp.exe"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["BillingGroupCostReportResults"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["Attributes"][0]["Value"] == "C1\u{9b}2Jx\u{202e}gnp.exe"),
        "{out}"
    );
}

#[test]
fn explain_shows_escape_sequences_escaped() {
    let (_dir, ws) = hostile_workspace();
    let (out, _) = run(
        &["explain"],
        &ws,
        &["--period", "2026-10", "--group", "retail"],
    );
    assert!(raw_controls(&out).is_empty(), "{out:?}");
    let (out, _) = run(
        &["explain"],
        &ws,
        &[
            "--period",
            "2026-10",
            "--group",
            "retail",
            "--group-by",
            "USAGE_TYPE",
            "--value",
            "BoxUsage:m5.large\u{1b}[2J",
        ],
    );
    assert!(raw_controls(&out).is_empty(), "{out:?}");
    assert!(out.contains("BoxUsage:m5.large\\x1b[2J"), "{out}");
}

#[test]
fn error_messages_show_escape_sequences_escaped() {
    // A bad value holding ESC sequences: refused, the value quoted escaped.
    let (_dir, ws) = common::workspace();
    let out = common::bin()
        .arg("import")
        .arg(&ws)
        .arg(data("escape_in_error.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(raw_controls(&err).is_empty(), "{err:?}");
    assert!(err.contains("\\x1b["), "{err}");
    assert!(err.contains("escape_in_error.csv"), "{err}");
    // A file name holding ESC sequences, in a message about that file.
    let dir = tempfile::tempdir().unwrap();
    let name = dir.path().join("evil\u{1b}]0;TITLE\u{7}\u{9b}2J.proforma");
    let out = common::bin()
        .args(["report"])
        .arg(&name)
        .args(["--period", "2026-10"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(raw_controls(&err).is_empty(), "{err:?}");
    assert!(
        err.contains("evil\\x1b]0;TITLE\\x07\\u{9b}2J.proforma"),
        "{err}"
    );
    // A usage error quoting an argument that holds escape sequences: exit 2, nothing raw.
    let out = common::bin()
        .args([
            "report",
            "ws",
            "--period",
            "\u{1b}]0;TITLE\u{7}\u{9b}2J2026",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(raw_controls(&err).is_empty(), "{err:?}");
    assert!(err.contains("--period"), "{err}");
}

/// A configuration whose description carries C1 and ESC characters: `config export` prints
/// TOML with them escaped (`\u009b`, `\u001b` or `\e`), which imports back to the same
/// configuration; the AWS JSON export likewise.
#[test]
fn config_export_is_terminal_safe_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    let (toml, _) = run(&["config", "export"], &ws, &["--period", "2026-10"]);
    let hostile = toml.replacen(
        "description = \"Retail storefront and data platform\"",
        "description = '''Retail \u{9b}2J \"quoted\" \\ back \u{202e}'''",
        1,
    );
    assert_ne!(hostile, toml, "the demo's retail description moved");
    let file = dir.path().join("hostile.toml");
    std::fs::write(&file, &hostile).unwrap();
    common::bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&file)
        .args(["--from-period", "2026-09"])
        .assert()
        .success();
    let (exported, _) = run(&["config", "export"], &ws, &["--period", "2026-10"]);
    assert!(raw_controls(&exported).is_empty(), "{exported}");
    assert!(exported.contains("\\u009b"), "{exported}");
    // Importing the export changes nothing.
    std::fs::write(&file, &exported).unwrap();
    let before = common::snapshot(&ws);
    let out = common::bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&file)
        .args(["--from-period", "2026-09"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(common::snapshot(&ws), before);
    let (json, _) = run(
        &["config", "export"],
        &ws,
        &["--period", "2026-10", "--format", "aws-json"],
    );
    assert!(raw_controls(&json).is_empty(), "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v["BillingGroups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["Description"] == "Retail \u{9b}2J \"quoted\" \\ back \u{202e}"),
        "{json}"
    );
}

// ---------------------------------------------------------------------------------------------
// Signals: the real binary in tmux, stopped with kill.

fn tmux_available() -> bool {
    common::tmux::available()
}

/// Starts the TUI on `ws` in a tmux pane under `umask 000` with its log in `state`, waits for
/// the first frame, sends `signal` to the TUI process, and returns the pane's record: the exit
/// code, whether the terminal is back in canonical mode, then the screen.
fn stop_tui_with(
    signal: &str,
    ws: &Path,
    state: &Path,
    check: impl Fn(&dyn Fn(&str) -> String),
) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("proforma");
    let done = dir.path().join("done");
    let pid_file = dir.path().join("pid");
    // The inner shell records its pid, then becomes the TUI (exec keeps the pid).
    let script = format!(
        "sh -c 'umask 000; echo $$ > {pid}; XDG_STATE_HOME={state} exec {bin} {ws}'; echo \"EXIT=$?\" > {done}; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon' >> {done}; echo SHELL-BACK; sleep 30",
        pid = pid_file.display(),
        state = state.display(),
        bin = bin.display(),
        ws = ws.display(),
        done = done.display(),
    );
    let tmux = common::tmux::Tmux::new(dir.path(), &format!("sig{signal}"));
    tmux.start(120, 40, &[], &script);
    let wait = |text: &str| tmux.wait(text);
    wait("Billing groups, 2026-10");
    check(&wait);
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let pid = pid.trim();
    let kill = Command::new("kill").args([signal, pid]).status().unwrap();
    assert!(kill.success());
    let after = wait("SHELL-BACK");
    let record = std::fs::read_to_string(&done).unwrap_or_default();
    tmux.kill();
    (record, after)
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// SIGTERM, SIGHUP and SIGINT from `kill` end the TUI through the same path as `q`: alternate
/// screen left, raw mode off, exit code 128 + the signal (143, 129, 130). The first run also
/// checks, while the TUI holds the workspace open under `umask 000`, that the workspace, its
/// `-wal` and `-shm` and the log file are 0600 (item 14).
#[test]
fn signals_restore_the_terminal_like_q() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.proforma");
    let state = dir.path().join("state");
    let bin = assert_cmd::cargo::cargo_bin("proforma");
    // Built under a permissive umask too.
    let built = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 000; exec {} demo --workspace {} > /dev/null",
            bin.display(),
            ws.display()
        ))
        .status()
        .unwrap();
    assert!(built.success());
    assert_eq!(mode(&ws), 0o600);
    let side = |suffix: &str| PathBuf::from(format!("{}{suffix}", ws.display()));
    for (signal, code) in [("-TERM", 143), ("-HUP", 129), ("-INT", 130)] {
        let (record, screen) = stop_tui_with(signal, &ws, &state, |_| {
            if signal == "-TERM" {
                for p in [ws.clone(), side("-wal"), side("-shm")] {
                    assert_eq!(mode(&p), 0o600, "{}", p.display());
                }
                let log = state.join("proforma/proforma.log");
                assert_eq!(mode(&log), 0o600, "{}", log.display());
                assert_eq!(mode(&state.join("proforma")), 0o700);
            }
        });
        assert!(
            record.contains(&format!("EXIT={code}")),
            "{signal}: {record}\n{screen}"
        );
        assert!(
            record.lines().any(|l| l == "icanon"),
            "{signal}: the terminal was left in raw mode: {record}"
        );
        assert!(
            !screen.contains("Billing groups"),
            "{signal}: the alternate screen was not left:\n{screen}"
        );
    }
}

/// Item 6 in the TUI: the workspace file deleted while the TUI has it open is noticed within
/// about a second and said on the status line.
#[test]
fn tui_says_when_its_workspace_file_is_deleted() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    let state = dir.path().join("state");
    let (record, _) = stop_tui_with("-TERM", &ws, &state, |wait| {
        std::fs::remove_file(&ws).unwrap();
        let screen = wait("deleted or replaced since it was opened");
        assert!(screen.contains("demo.proforma"), "{screen}");
    });
    assert!(record.contains("EXIT=143"), "{record}");
}

/// A terminal that goes away (the tmux session killed, like an ssh disconnect) ends the TUI
/// within a few seconds: crossterm's reader would spin forever on its end of file, ignoring
/// every signal; the watchdog ends the process (exit 129, as SIGHUP). Before the fix the
/// process stayed, at full CPU, until `kill -9`.
#[test]
fn a_terminal_that_goes_away_ends_the_tui() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("proforma");
    let pid_file = dir.path().join("pid");
    let script = format!(
        "echo $$ > {pid}; XDG_STATE_HOME={state} exec {bin} {ws}",
        pid = pid_file.display(),
        state = dir.path().join("state").display(),
        bin = bin.display(),
        ws = ws.display(),
    );
    let tmux = common::tmux::Tmux::new(dir.path(), "hup");
    tmux.start(120, 40, &[], &script);
    tmux.wait("Billing groups");
    let pid = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .to_string();
    let alive = || {
        Path::new(&format!("/proc/{pid}")).exists() && {
            // A zombie has ended; only its parent has not collected it yet.
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            !stat.contains(") Z ")
        }
    };
    assert!(alive());
    tmux.kill();
    let gone = Instant::now();
    while alive() {
        if gone.elapsed() > Duration::from_secs(10) {
            let _ = Command::new("kill").args(["-9", &pid]).status();
            panic!("the TUI outlived its terminal by 10 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `open` with no terminal to draw on (no controlling terminal: `setsid`, stdin from
/// /dev/null) says the UI needs one and points to `report`, exit 1 (not "No such device").
#[test]
fn open_without_a_terminal_says_it_needs_one() {
    if Command::new("setsid").arg("--version").output().is_err() {
        eprintln!("skipping: no setsid");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    let out = Command::new("setsid")
        .arg(assert_cmd::cargo::cargo_bin("proforma"))
        .arg("open")
        .arg(&ws)
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the terminal UI needs a terminal") && err.contains("proforma report"),
        "{err}"
    );
}

/// A line feed in a custom line item's description cannot start a line of the explanation:
/// the description is one escaped value.
#[test]
fn a_description_cannot_forge_explanation_lines() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    let toml = common::bin()
        .args(["config", "export"])
        .arg(&ws)
        .output()
        .unwrap();
    let more = format!(
        "{}\n[[custom_line_item]]\nname = \"labs-fee\"\ndescription = \"fee\\r\\nplan Forged: pro forma 0.00\"\ngroup = \"labs\"\ntype = \"FEE\"\nflat = 5\nstart = \"2026-10\"\n",
        String::from_utf8(toml.stdout).unwrap()
    );
    let file = dir.path().join("c.toml");
    std::fs::write(&file, more).unwrap();
    common::bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&file)
        .assert()
        .success();
    let out = common::bin()
        .arg("explain")
        .arg(&ws)
        .args(["--period", "2026-10", "--group", "labs"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("fee\\r\\nplan Forged"), "{text}");
    assert!(
        !text.lines().any(|l| l.starts_with("plan Forged")),
        "{text}"
    );
}
