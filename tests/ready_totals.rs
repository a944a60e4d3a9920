//! Issue 10 items 2 and 3: the aggregate stored as per-account chunks (a workspace of the
//! previous schema converts with the same numbers), and one group's report read from its own
//! accounts' lines with the other groups' totals kept ready, never from a stale snapshot.

mod common;

use common::{bin, tui::demo_copy};
use proforma::analysis::Analysis;
use proforma::store::Workspace;
use std::path::Path;

const PERIOD: &str = "2026-10";
const GROUPS: [&str; 5] = ["retail", "media", "fintech", "labs", "logistics"];

fn out(ws: &Path, args: &[&str]) -> String {
    let o = bin()
        .args(args)
        .arg(ws)
        .args(["--period", PERIOD])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Everything a user reads about the period: the group list, each group by service, a view,
/// an explanation.
fn readings(ws: &Path) -> Vec<String> {
    let mut v = vec![
        out(ws, &["report", "--format", "json"]),
        out(ws, &["report", "--format", "table"]),
        out(
            ws,
            &[
                "report",
                "--view",
                "primary",
                "--group-by",
                "PRODUCT_NAME",
                "--format",
                "csv",
            ],
        ),
    ];
    for g in GROUPS {
        v.push(out(ws, &["report", "--group", g, "--format", "json"]));
        v.push(out(
            ws,
            &[
                "report",
                "--group",
                g,
                "--group-by",
                "PRODUCT_NAME",
                "--format",
                "table",
            ],
        ));
        v.push(out(ws, &["explain", "--group", g]));
    }
    v
}

fn tables(ws: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(ws).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_workspace_of_the_previous_schema_converts_to_chunks_with_the_same_numbers() {
    let (_d, ws) = demo_copy();
    let before = readings(&ws);
    common::downgrade_to_schema_7(&ws);
    assert!(tables(&ws).contains(&"cost_lines".to_string()));
    let after = readings(&ws);
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(a, b);
    }
    let t = tables(&ws);
    assert!(t.contains(&"cost_chunks".to_string()), "{t:?}");
    assert!(!t.contains(&"cost_lines".to_string()), "{t:?}");
    assert!(!t.contains(&"label_sets".to_string()), "{t:?}");
}

#[test]
fn one_groups_report_reads_only_its_accounts_and_equals_the_full_pricing() {
    let (_d, ws) = demo_copy();
    let period = PERIOD.parse().unwrap();
    let w = Workspace::open(&ws).unwrap();
    // A full pricing keeps the totals ready.
    let full = Analysis::load(&w, period).unwrap();
    full.keep_ready(&w);
    let shown_full = full.shown_invoice();
    for g in GROUPS {
        let part = Analysis::load_group(&w, period, None, g).unwrap();
        assert!(part.partial, "{g}: read from the totals kept ready");
        let i = part.group_index(g).unwrap();
        assert!(
            part.lines.len() < full.lines.len() && !part.lines.is_empty(),
            "{g}: {} of {} lines read",
            part.lines.len(),
            full.lines.len()
        );
        let accounts = &full.config.groups[i].accounts;
        assert!(
            part.lines
                .iter()
                .all(|l| accounts.iter().any(|a| *a == l.key.account))
        );
        assert_eq!(
            part.shown_invoice(),
            shown_full,
            "{g}: the invoice foots the same"
        );
        assert_eq!(part.pricing.groups[i], full.pricing.groups[i], "{g}");
        for by in [
            proforma::engine::GroupBy::ProductName,
            proforma::engine::GroupBy::LinkedAccount,
        ] {
            assert_eq!(
                part.shown_breakdown(i, by, &[]),
                full.shown_breakdown(i, by, &[]),
                "{g} {by:?}"
            );
        }
        assert_eq!(
            part.explain(i, &[]).render(),
            full.explain(i, &[]).render(),
            "{g}: the same explanation"
        );
    }
}

#[test]
fn kept_totals_are_never_used_after_a_change() {
    let (dir, ws) = demo_copy();
    let period = PERIOD.parse().unwrap();
    // Warm: a full report keeps the totals.
    out(&ws, &["report", "--format", "json"]);
    let before = out(&ws, &["report", "--group", "retail", "--format", "json"]);
    // A configuration change that moves another group's numbers, made by the CLI.
    let toml = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/config.toml"),
    )
    .unwrap();
    let changed = toml.replacen("percent = 10\n", "percent = 40\n", 1);
    assert_ne!(changed, toml, "the sample has a 10 % rule to change");
    let path = dir.path().join("changed.toml");
    std::fs::write(&path, changed).unwrap();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&path)
        .assert()
        .success();
    let w = Workspace::open(&ws).unwrap();
    for g in GROUPS {
        // The one-group path before any full pricing of the new state: what it shows must be
        // the new state's numbers, whichever path it took.
        let part = Analysis::load_group(&w, period, None, g).unwrap();
        let full = Analysis::load(&w, period).unwrap();
        assert_eq!(part.shown_invoice(), full.shown_invoice(), "{g}");
    }
    let after = out(&ws, &["report", "--group", "retail", "--format", "json"]);
    assert_ne!(before, after, "the change moved retail's numbers");
}

#[test]
fn a_scenario_keeps_its_own_totals() {
    let (_d, ws) = demo_copy();
    let period = PERIOD.parse().unwrap();
    let mut w = Workspace::open(&ws).unwrap();
    let id = w.create_scenario("what-if", period).unwrap().id;
    let mut cfg = w.scenario_config(id).unwrap();
    let rule = cfg
        .rules
        .iter_mut()
        .find(|r| r.name == "global-markup-10")
        .unwrap();
    rule.modifier = Some(rust_decimal::Decimal::from(25));
    let rule = rule.clone();
    w.scenario_change(
        id,
        &proforma::model::Change::Put(proforma::model::Object::Rule(rule)),
    )
    .unwrap();
    let full = Analysis::load_state(&w, period, Some("what-if")).unwrap();
    full.keep_ready(&w);
    let base = Analysis::load(&w, period).unwrap();
    assert_ne!(full.shown_invoice(), base.shown_invoice());
    for g in GROUPS {
        let part = Analysis::load_group(&w, period, Some("what-if"), g).unwrap();
        assert!(part.partial, "{g}: read from the scenario's own totals");
        assert_eq!(part.scenario.as_deref(), Some("what-if"));
        assert_eq!(part.shown_invoice(), full.shown_invoice(), "{g}");
    }
}

#[test]
fn a_report_of_one_group_with_totals_ready_writes_nothing() {
    let (_d, ws) = demo_copy();
    // `demo` priced the period and kept its totals.
    let before = common::snapshot(&ws);
    assert!(before.iter().any(|l| l.starts_with("group_totals:")));
    let one = out(&ws, &["report", "--group", "media", "--format", "json"]);
    assert!(one.contains("ProformaCost"), "{one}");
    assert_eq!(common::snapshot(&ws), before, "nothing written");
}

#[test]
fn a_damaged_chunk_is_a_clear_error_never_a_wrong_number() {
    let (_d, ws) = demo_copy();
    {
        let conn = rusqlite::Connection::open(&ws).unwrap();
        let (account, data): (String, Vec<u8>) = conn
            .query_row(
                "SELECT account_id, data FROM cost_chunks WHERE period = ?1 ORDER BY account_id LIMIT 1",
                [PERIOD],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        conn.execute(
            "UPDATE cost_chunks SET data = ?1 WHERE period = ?2 AND account_id = ?3",
            rusqlite::params![&data[..data.len() / 2], PERIOD, account],
        )
        .unwrap();
        conn.execute("DELETE FROM group_totals", []).unwrap();
    }
    let o = bin()
        .arg("report")
        .arg(&ws)
        .args(["--period", PERIOD])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot be decoded") && err.contains("re-import"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn the_group_list_comes_from_kept_totals_the_same_to_the_cent() {
    let (_d, ws) = demo_copy();
    // In this process (another build than the binary's, so its totals are its own).
    let w = Workspace::open(&ws).unwrap();
    let period = PERIOD.parse().unwrap();
    let full = Analysis::load(&w, period).unwrap();
    full.keep_ready(&w);
    let overview = Analysis::load_overview(&w, period, None).unwrap();
    assert!(
        overview.partial && overview.lines.is_empty(),
        "read no line"
    );
    assert_eq!(overview.shown_invoice(), full.shown_invoice());
    assert_eq!(overview.pricing.diagnostics, full.pricing.diagnostics);
    assert_eq!(overview.pricing.items, full.pricing.items);
    drop(w);
    // The binary: cold (the totals kept are another build's: the period is priced, and the
    // binary's totals kept), then warm; the same bytes.
    let forms = [
        vec!["report", "--format", "json"],
        vec!["report", "--format", "table"],
        vec!["report", "--format", "csv"],
    ];
    let cold: Vec<String> = forms.iter().map(|f| out(&ws, f)).collect();
    let kept = common::snapshot(&ws);
    let warm: Vec<String> = forms.iter().map(|f| out(&ws, f)).collect();
    assert_eq!(cold, warm);
    assert_eq!(common::snapshot(&ws), kept, "warm reports rewrite nothing");
}

#[test]
fn a_report_keeping_totals_does_not_make_an_open_window_reload() {
    let (_d, ws) = demo_copy();
    let mut s = common::tui::open(&ws);
    assert!(!s.app.check_outside(), "nothing changed yet");
    // Another build's totals are kept: the binary's report prices the period and keeps its own.
    let before = common::snapshot(&ws)
        .into_iter()
        .filter(|l| l.starts_with("group_totals:"))
        .collect::<Vec<_>>();
    out(&ws, &["report", "--format", "json"]);
    let after = common::snapshot(&ws)
        .into_iter()
        .filter(|l| l.starts_with("group_totals:"))
        .collect::<Vec<_>>();
    assert_ne!(before, after, "the report kept its totals (a commit)");
    assert!(
        !s.app.check_outside(),
        "a cache write is not a change to show"
    );
    // A real change still is.
    let toml = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/config.toml"),
    )
    .unwrap();
    let path = ws.with_extension("toml");
    std::fs::write(&path, toml.replacen("percent = 10\n", "percent = 12\n", 1)).unwrap();
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&path)
        .assert()
        .success();
    assert!(s.app.check_outside());
}

/// Issue 10 item 3: with every group's totals kept, the TUI opens on the overview drawn from
/// them, without reading a line, and loads the period's lines behind it; the overview is the
/// same to the character before and after they arrive, and a key that needs them (opening a
/// group) waits for them and shows what a window opened the slow way shows.
#[test]
fn the_tui_opens_on_kept_totals_and_loads_the_lines_behind_them() {
    let (_d, ws) = demo_copy();
    // Without kept totals (the binary's are another build's): the period is priced at open,
    // and this build's totals are kept by it.
    let mut slow = common::tui::open(&ws);
    assert!(!slow.app.state.data.partial && slow.app.lines_loading.is_none());
    let slow_overview = common::tui::render(&mut slow, 140, 40);
    common::tui::press(&mut slow, &["Enter"]);
    let slow_group = common::tui::render(&mut slow, 140, 40);
    drop(slow);

    let mut fast = common::tui::open(&ws);
    assert!(
        fast.app.state.data.partial && fast.app.state.data.lines.is_empty(),
        "opened from the kept totals"
    );
    assert!(fast.app.lines_loading.is_some());
    assert_eq!(common::tui::render(&mut fast, 140, 40), slow_overview);
    // Moving around does not wait for the lines.
    common::tui::press(&mut fast, &["Down", "Up"]);
    assert_eq!(common::tui::render(&mut fast, 140, 40), slow_overview);
    // Opening a group needs them: it waits, then shows the group as the slow window did.
    common::tui::press(&mut fast, &["Enter"]);
    assert!(!fast.app.state.data.partial && fast.app.lines_loading.is_none());
    assert!(!fast.app.state.data.lines.is_empty());
    assert_eq!(common::tui::render(&mut fast, 140, 40), slow_group);

    // The lines arriving on their own (the event loop's poll) change nothing on screen.
    let mut polled = common::tui::open(&ws);
    assert!(polled.app.state.data.partial);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while polled.app.state.data.partial {
        assert!(
            std::time::Instant::now() < deadline,
            "the lines never arrived"
        );
        polled.app.poll_worker();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(common::tui::render(&mut polled, 140, 40), slow_overview);
}

/// Issue 10: `config import` prices the period under the new configuration (to show each
/// group's change), so it keeps that state's totals; the first report after it reads them
/// (writes nothing), and they are the numbers a full pricing gives.
#[test]
fn a_config_import_keeps_the_totals_the_next_report_reads() {
    let (dir, ws) = demo_copy();
    let toml = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/config.toml"),
    )
    .unwrap();
    let changed = toml.replacen("percent = 10\n", "percent = 40\n", 1);
    assert_ne!(changed, toml, "the sample has a 10 % rule to change");
    let path = dir.path().join("changed.toml");
    std::fs::write(&path, changed).unwrap();
    let before_import = out(&ws, &["report", "--format", "json"]);
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&path)
        .assert()
        .success();
    let kept = common::snapshot(&ws);
    let report = out(&ws, &["report", "--format", "json"]);
    assert_eq!(
        common::snapshot(&ws),
        kept,
        "the report read the totals the import kept (it wrote none of its own)"
    );
    assert_ne!(report, before_import, "the import changed the numbers");
    // Without any kept totals, the period is priced from its lines: the same report.
    let conn = rusqlite::Connection::open(&ws).unwrap();
    conn.execute("DELETE FROM group_totals", []).unwrap();
    drop(conn);
    assert_eq!(out(&ws, &["report", "--format", "json"]), report);
    for g in GROUPS {
        let one = out(&ws, &["report", "--group", g, "--format", "json"]);
        assert!(one.contains("ProformaCost"), "{g}: {one}");
    }
}
