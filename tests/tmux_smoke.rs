//! The real binary in a real terminal (tmux): it starts, draws, navigates, quits with exit 0
//! and leaves the terminal as it found it. Skips when tmux is missing, unless
//! PROFORMA_REQUIRE_TMUX is set (as `.ci/run` does).

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> std::process::Output {
    Command::new("tmux").args(args).output().expect("tmux runs")
}

#[test]
fn tui_starts_navigates_and_quits_cleanly() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("PROFORMA_REQUIRE_TMUX").is_none(),
            "tmux is required here but missing"
        );
        eprintln!("skipping: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.proforma");
    common::bin()
        .args(["demo", "--workspace"])
        .arg(&ws)
        .assert()
        .success();
    let bin = assert_cmd::cargo::cargo_bin("proforma");
    let done = dir.path().join("done");
    let session = format!("proforma-smoke-{}", std::process::id());
    // After the TUI exits the pane's shell records the exit code and the terminal mode.
    let script = format!(
        "{} {}; echo \"EXIT=$?\" > {}; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon' >> {}; echo SHELL-BACK; sleep 30",
        bin.display(),
        ws.display(),
        done.display(),
        done.display()
    );
    let socket = dir.path().join("tmux.sock");
    let socket = socket.to_str().unwrap();
    let t = |args: &[&str]| {
        let mut all = vec!["-S", socket];
        all.extend_from_slice(args);
        tmux(&all)
    };
    let capture =
        || String::from_utf8_lossy(&t(&["capture-pane", "-t", &session, "-p"]).stdout).into_owned();
    let wait = |text: &str| {
        let start = Instant::now();
        loop {
            let screen = capture();
            if screen.contains(text) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(20) {
                let sessions = t(&["list-sessions"]);
                panic!(
                    "'{text}' never appeared:\n{screen}\nsessions: {} {}",
                    String::from_utf8_lossy(&sessions.stdout),
                    String::from_utf8_lossy(&sessions.stderr)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let out = t(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "120",
        "-y",
        "40",
        "sh",
        "-c",
        &script,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = wait("Billing groups, 2026-10");
    assert!(
        first.contains("retail") && first.contains("Invoice total"),
        "{first}"
    );
    for (keys, expect) in [
        (vec!["2"], "Billing groups, 2026-10"),
        (vec!["End", "Enter"], "retail by service"),
        (vec!["x"], "Explain: billing group 'retail'"),
        // One Esc at a time: tmux writes two in one go, which terminals read as Alt-Esc.
        (vec!["Escape"], "retail by service"),
        (vec!["Escape"], "Billing groups, 2026-10"),
        (vec!["["], "period 2026-09"),
        (vec!["v"], "Billing view (Enter choose"),
        (vec!["Escape"], "period 2026-09"),
        (vec!["7"], "Primary View (PRIMARY) by service"),
        (vec!["?"], "Keys (j/k scroll, any other key closes"),
        (vec!["Escape"], "Primary View (PRIMARY) by service"),
    ] {
        let mut args = vec!["send-keys", "-t", session.as_str()];
        args.extend(keys.iter().copied());
        t(&args);
        wait(expect);
    }
    t(&["send-keys", "-t", &session, "q"]);
    let after = wait("SHELL-BACK");
    assert!(
        !after.contains("Billing groups"),
        "the alternate screen was left:\n{after}"
    );
    let record = std::fs::read_to_string(&done).unwrap();
    t(&["kill-server"]);
    assert!(record.contains("EXIT=0"), "{record}");
    assert!(
        record.lines().any(|l| l == "icanon"),
        "the terminal was left in raw mode: {record}"
    );
}
