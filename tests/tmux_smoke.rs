//! The real binary in a real terminal (tmux): it starts, draws, navigates, quits with exit 0
//! and leaves the terminal as it found it. Skips when tmux is missing, unless
//! PROFORMA_REQUIRE_TMUX is set (as `.ci/run` does).

mod common;

#[test]
fn tui_starts_navigates_and_quits_cleanly() {
    if !common::tmux::available() {
        return;
    }
    // A private copy of the demo workspace (built once for all tests).
    let (dir, ws) = common::tui::demo_copy();
    let bin = assert_cmd::cargo::cargo_bin("proforma");
    let done = dir.path().join("done");
    // After the TUI exits the pane's shell records the exit code and the terminal mode.
    let script = format!(
        "{} {}; echo \"EXIT=$?\" > {}; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon' >> {}; echo SHELL-BACK; sleep 30",
        bin.display(),
        ws.display(),
        done.display(),
        done.display()
    );
    let tmux = common::tmux::Tmux::new(dir.path(), "smoke");
    tmux.start(120, 40, &[], &script);
    let wait = |text: &str| tmux.wait(text);
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
        (vec!["v"], "Primary View  (PRIMARY, payer"),
        (vec!["Escape"], "period 2026-09"),
        (vec!["7"], "Primary View (PRIMARY) by service"),
        (vec!["?"], "Keys (j/k scroll, any other key closes"),
        (vec!["Escape"], "Primary View (PRIMARY) by service"),
    ] {
        tmux.keys(&keys);
        wait(expect);
    }
    tmux.keys(&["q"]);
    let after = wait("SHELL-BACK");
    assert!(
        !after.contains("Billing groups"),
        "the alternate screen was left:\n{after}"
    );
    let record = std::fs::read_to_string(&done).unwrap();
    tmux.kill();
    assert!(record.contains("EXIT=0"), "{record}");
    assert!(
        record.lines().any(|l| l == "icanon"),
        "the terminal was left in raw mode: {record}"
    );
}
