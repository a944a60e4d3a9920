//! Two processes on one workspace (issue 8, item 5): an open TUI notices other processes'
//! changes within a second and reloads, saying so; a form is never saved over a change made
//! since it opened (it shows what changed and the user chooses); undo acts on this window's own
//! changes and refuses, with who and when, over someone else's; a save during another
//! process's write waits instead of failing with "database is locked".
//!
//! The other side is a real `proforma` process (import, config import), another window on a
//! second connection, or this test binary run again as a helper holding the write lock.

mod common;

use common::tui::{demo_copy, open, press, select};

fn screen(s: &mut Session) -> String {
    common::tui::screen_at(s, 160, 50)
}

use proforma::period::BillingPeriod;
use proforma::store::Workspace;
use proforma::tui::Session;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PAYER: &str = "210987654321";

fn selected_key(s: &Session) -> String {
    s.app.model.keys[s.app.selected_row().unwrap()].clone()
}

fn status(s: &Session) -> String {
    s.app.status.0.clone().unwrap_or_default()
}

fn p(text: &str) -> BillingPeriod {
    text.parse().unwrap()
}

/// The stored percentage of a pricing rule in force in October, read on a fresh connection.
fn stored_percent(path: &Path, rule: &str) -> Option<Decimal> {
    Workspace::open(path)
        .unwrap()
        .config_at(p("2026-10"))
        .unwrap()
        .rules
        .iter()
        .find(|r| r.name == rule)
        .and_then(|r| r.modifier)
}

fn stored_group_description(path: &Path, group: &str) -> Option<String> {
    Workspace::open(path)
        .unwrap()
        .config_at(p("2026-10"))
        .unwrap()
        .groups
        .iter()
        .find(|g| g.name == group)
        .map(|g| g.description.clone())
}

fn stored_item_description(path: &Path, item: &str) -> Option<String> {
    Workspace::open(path)
        .unwrap()
        .config_at(p("2026-10"))
        .unwrap()
        .items
        .iter()
        .find(|i| i.name == item)
        .map(|i| i.description.clone())
}

/// Waits (up to a second) for the open window to notice another process's change.
fn notices_within_a_second(s: &mut Session) {
    let start = Instant::now();
    while !s.app.poll_outside() {
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "the change was not noticed within a second"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A real `proforma config import` that sets one pricing rule's percentage from October on:
/// the configuration in force is exported by the CLI, changed in the text, imported again.
fn cli_set_percent(path: &Path, rule: &str, from: u32, to: u32) {
    let out = common::bin()
        .args(["config", "export"])
        .arg(path)
        .args(["--period", "2026-10", "--format", "toml"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let old =
        format!("name = \"{rule}\"\nscope = \"GLOBAL\"\ntype = \"MARKUP\"\npercent = {from}\n");
    assert!(text.contains(&old), "{rule} at {from}% not in the export");
    let new = old.replace(&format!("percent = {from}"), &format!("percent = {to}"));
    let file = path.with_extension("toml");
    std::fs::write(&file, text.replace(&old, &new)).unwrap();
    common::bin()
        .args(["config", "import"])
        .arg(path)
        .arg(&file)
        .args(["--from-period", "2026-10"])
        .assert()
        .success();
}

/// Edits a pricing rule's percentage in a window's form and saves it.
fn edit_percent(s: &mut Session, rule: &str, percent: &str) {
    press(s, &["4"]);
    select(s, rule);
    press(
        s,
        &[
            "e",
            "Tab",
            "Tab",
            "Tab",
            "Tab",
            "Backspace",
            "Backspace",
            "Backspace",
        ],
    );
    press(s, &[&format!("\"{percent}\""), "Ctrl-s"]);
    assert!(s.app.form().is_none(), "not saved: {}", status(s));
}

#[test]
fn an_open_window_reloads_after_a_cli_import_and_a_config_import() {
    let (dir, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["4"]);
    select(&mut s, "global-markup-10");
    let retail_before =
        s.app.data.pricing.groups[s.app.data.group_index("retail").unwrap()].proforma();
    assert!(
        !s.app.poll_outside() && !s.app.check_outside(),
        "nothing changed yet"
    );

    // A real process imports a new month.
    let csv = dir.path().join("nov.csv");
    std::fs::write(
        &csv,
        common::cur_csv(&[(
            PAYER,
            "304857112600",
            "2026-11-01T00:00:00Z",
            "Usage",
            "AmazonEC2",
            "5",
        )]),
    )
    .unwrap();
    common::bin()
        .arg("import")
        .arg(&path)
        .arg(&csv)
        .assert()
        .success();
    notices_within_a_second(&mut s);
    let msg = status(&s);
    assert!(
        msg.contains("workspace changed by another process: reloaded")
            && msg.contains(&format!("import: delivery {PAYER} 2026-11"))
            && msg.contains("by the CLI (pid "),
        "{msg}"
    );
    assert!(s.app.periods.contains(&p("2026-11")), "{:?}", s.app.periods);
    assert_eq!(selected_key(&s), "global-markup-10", "selection kept");
    assert!(
        screen(&mut s).contains("workspace changed by another process: reloaded"),
        "said on screen"
    );
    assert!(!s.app.check_outside(), "reported once");

    // A real process imports a configuration raising the rule.
    cli_set_percent(&path, "global-markup-10", 10, 12);
    notices_within_a_second(&mut s);
    let msg = status(&s);
    assert!(
        msg.contains("configuration: edit pricing rule global-markup-10"),
        "{msg}"
    );
    assert_eq!(selected_key(&s), "global-markup-10", "selection kept");
    let retail_after =
        s.app.data.pricing.groups[s.app.data.group_index("retail").unwrap()].proforma();
    assert!(
        retail_after > retail_before,
        "the window shows the new configuration: {retail_after} vs {retail_before}"
    );
    assert_eq!(
        s.app
            .data
            .config
            .rules
            .iter()
            .find(|r| r.name == "global-markup-10")
            .unwrap()
            .modifier,
        Some(Decimal::from(12))
    );
}

#[test]
fn a_form_is_not_saved_over_a_cli_change_it_shows_what_changed_and_the_user_chooses() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["4"]);
    select(&mut s, "global-markup-10");
    press(
        &mut s,
        &[
            "e",
            "Tab",
            "Tab",
            "Tab",
            "Tab",
            "Backspace",
            "Backspace",
            "\"15\"",
        ],
    );
    cli_set_percent(&path, "global-markup-10", 10, 12);
    notices_within_a_second(&mut s);
    assert!(s.app.form().is_some(), "an open form stays open");
    assert!(
        status(&s).contains("the object in this form changed too"),
        "{}",
        status(&s)
    );
    // The form's preview now starts from the reloaded numbers (their 12 %), not the old ones.
    s.app.settle();
    let retail = s.app.data.pricing.groups[s.app.data.group_index("retail").unwrap()].proforma();
    let from = format!(
        "retail: pro forma {} →",
        proforma::money::fmt_grouped(retail)
    );
    let preview = s.app.form().unwrap().preview.join("\n");
    assert!(preview.contains(&from), "{preview} should contain {from}");

    press(&mut s, &["Ctrl-s"]);
    assert!(s.app.form().is_some(), "not saved over the other change");
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(12.into()));
    let text = screen(&mut s);
    assert!(
        text.contains("Not saved: pricing rule 'global-markup-10' was changed by the CLI (pid ")
            && text.contains("Percentage: was '10' · theirs '12' · yours '15'")
            && text.contains("o overwrite with yours · t take theirs"),
        "{text}"
    );
    // Fields nobody changed are not listed.
    assert!(!text.contains("Scope: was"), "{text}");

    // Esc keeps editing; saving again asks again.
    press(&mut s, &["Esc"]);
    assert!(s.app.form().is_some_and(|f| f.conflict.is_none()));
    press(&mut s, &["Ctrl-s"]);
    assert!(s.app.form().is_some_and(|f| f.conflict.is_some()));
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(12.into()));

    // o: overwrite knowingly.
    press(&mut s, &["o"]);
    assert!(s.app.form().is_none(), "{}", status(&s));
    assert!(
        status(&s).contains("saved from 2026-10 on"),
        "{}",
        status(&s)
    );
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(15.into()));
}

#[test]
fn take_theirs_discards_mine_and_a_delete_by_another_window_is_named() {
    let (_d, path) = demo_copy();
    let mut a = open(&path);
    let mut b = open(&path);

    // Both windows edit logistics' description; B saves first.
    for s in [&mut a, &mut b] {
        press(s, &["2"]);
        select(s, "logistics");
        press(s, &["e", "Tab"]);
        for _ in 0.."Tracking and routing".len() {
            press(s, &["Backspace"]);
        }
    }
    press(&mut a, &["\"from A\""]);
    press(&mut b, &["\"from B\"", "Ctrl-s"]);
    assert!(b.app.form().is_none(), "{}", status(&b));

    // Another TUI's save is noticed like a CLI's.
    notices_within_a_second(&mut a);
    assert!(
        status(&a).contains("configuration: edit billing group logistics")
            && status(&a).contains("by another TUI window (pid "),
        "{}",
        status(&a)
    );
    press(&mut a, &["Ctrl-s"]);
    let text = screen(&mut a);
    assert!(
        text.contains("Description: was 'Tracking and routing' · theirs 'from B' · yours 'from A'"),
        "{text}"
    );
    press(&mut a, &["t"]);
    assert!(a.app.form().is_none());
    assert!(status(&a).contains("kept the version saved by the other process"));
    assert_eq!(
        stored_group_description(&path, "logistics").as_deref(),
        Some("from B")
    );
    assert_eq!(
        a.app
            .data
            .config
            .groups
            .iter()
            .find(|g| g.name == "logistics")
            .unwrap()
            .description,
        "from B",
        "the window shows theirs"
    );

    // A edits a custom line item while B deletes it.
    press(&mut a, &["5"]);
    select(&mut a, "logistics-onboarding");
    press(&mut a, &["e", "Tab", "\" (A)\""]);
    b.app.check_outside();
    press(&mut b, &["5"]);
    select(&mut b, "logistics-onboarding");
    press(&mut b, &["d", "y"]);
    assert!(
        status(&b).contains("deleted custom line item 'logistics-onboarding'"),
        "{}",
        status(&b)
    );
    press(&mut a, &["Ctrl-s"]);
    let text = screen(&mut a);
    assert!(
        text.contains("Not saved: this custom line item was deleted by another TUI window (pid ")
            && text.contains("It no longer exists in 2026-10"),
        "{text}"
    );
    assert_eq!(stored_item_description(&path, "logistics-onboarding"), None);
    // o recreates it with A's values.
    press(&mut a, &["o"]);
    assert!(a.app.form().is_none(), "{}", status(&a));
    assert_eq!(
        stored_item_description(&path, "logistics-onboarding").as_deref(),
        Some("One-off onboarding (A)")
    );
}

#[test]
fn a_delete_is_refused_when_another_window_changed_the_object_since_it_asked() {
    let (_d, path) = demo_copy();
    let mut a = open(&path);
    let mut b = open(&path);
    press(&mut a, &["2"]);
    select(&mut a, "logistics");
    press(&mut a, &["d"]);
    press(&mut b, &["2"]);
    select(&mut b, "logistics");
    press(&mut b, &["e", "Tab", "\" (B)\"", "Ctrl-s"]);
    assert!(b.app.form().is_none());
    press(&mut a, &["y"]);
    assert!(
        status(&a)
            .contains("not deleted: billing group 'logistics' was changed by another TUI window"),
        "{}",
        status(&a)
    );
    assert_eq!(
        stored_group_description(&path, "logistics").as_deref(),
        Some("Tracking and routing (B)")
    );
}

#[test]
fn undo_takes_this_windows_own_change_and_refuses_over_someone_elses() {
    let (_d, path) = demo_copy();
    let mut a = open(&path);
    let mut b = open(&path);
    edit_percent(&mut a, "global-markup-10", "11");
    b.app.check_outside();
    edit_percent(&mut b, "global-markup-6", "7");

    // B's change is newer, but A's u undoes A's own.
    a.app.check_outside();
    press(&mut a, &["u"]);
    assert!(
        status(&a).contains("undid pricing rule global-markup-10"),
        "{}",
        status(&a)
    );
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(10.into()));
    assert_eq!(stored_percent(&path, "global-markup-6"), Some(7.into()));
    press(&mut a, &["Ctrl-r"]);
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(11.into()));

    // B changes the same rule after A: A's undo would overwrite it, so it is refused.
    b.app.check_outside();
    edit_percent(&mut b, "global-markup-10", "13");
    a.app.check_outside();
    press(&mut a, &["u"]);
    let msg = status(&a);
    assert!(
        msg.contains("not undone: the change to undo (edit of pricing rule global-markup-10, ")
            && msg.contains("is older than a change to pricing rule global-markup-10 by another TUI window (pid ")
            && msg.contains("Nothing was changed"),
        "{msg}"
    );
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(13.into()));

    // A real CLI process changes B's other rule: B's undo of its newest change (the 13) works,
    // the next one (the 7, since changed by the CLI) is refused naming the CLI.
    cli_set_percent(&path, "global-markup-6", 7, 8);
    notices_within_a_second(&mut b);
    press(&mut b, &["u"]);
    assert!(
        status(&b).contains("undid pricing rule global-markup-10"),
        "{}",
        status(&b)
    );
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(11.into()));
    press(&mut b, &["u"]);
    let msg = status(&b);
    assert!(
        msg.contains("not undone: the change to undo (edit of pricing rule global-markup-6, ")
            && msg.contains("by the CLI (pid "),
        "{msg}"
    );
    assert_eq!(stored_percent(&path, "global-markup-6"), Some(8.into()));
    // Redo likewise: B redoes its own undo.
    press(&mut b, &["Ctrl-r"]);
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(13.into()));
}

#[test]
fn a_window_with_no_change_of_its_own_does_not_undo_another_open_windows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.proforma");
    drop(Workspace::create(&path).unwrap());
    let rule = proforma::model::PricingRule {
        arn: format!("arn:aws:billingconductor::{PAYER}:pricingrule/RuleAAAAAA"),
        name: "markup".into(),
        description: String::new(),
        scope: proforma::model::Scope::Global,
        rule_type: proforma::model::RuleType::Markup,
        modifier: Some(Decimal::from(10)),
        service: None,
        billing_entity: None,
        usage_type: None,
        operation: None,
        free_tier: None,
        tiers: vec![],
    };
    let mut a = Workspace::open(&path).unwrap();
    let mut b = Workspace::open(&path).unwrap();
    a.apply_changes(
        p("2026-10"),
        &[proforma::store::config::Change::Put(
            proforma::store::config::Object::Rule(rule),
        )],
        None,
    )
    .unwrap();
    let before = common::snapshot(&path);
    match b.undo() {
        Err(proforma::store::config::ConfigError::Nothing(m)) => {
            assert!(m.contains("another window that is still open"), "{m}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(common::snapshot(&path), before, "nothing written");
    // Once that window has closed, its change can be undone from here (a restart).
    drop(a);
    b.undo().unwrap();
    assert!(b.config_at(p("2026-10")).unwrap().rules.is_empty());
    // Redo likewise: what b undid, only b redoes while it is open.
    let mut c = Workspace::open(&path).unwrap();
    let before = common::snapshot(&path);
    match c.redo() {
        Err(proforma::store::config::ConfigError::Nothing(m)) => {
            assert!(
                m.contains("undone in another window that is still open"),
                "{m}"
            )
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(common::snapshot(&path), before, "nothing written");
    b.redo().unwrap();
    assert_eq!(c.config_at(p("2026-10")).unwrap().rules.len(), 1);
}

/// Run as a separate process by `a_save_waits_for_another_process_write_lock`: holds the
/// workspace's write lock (BEGIN IMMEDIATE) for two seconds, like a long CLI import commit.
#[test]
#[ignore = "helper process, run by a_save_waits_for_another_process_write_lock"]
fn hold_write_lock_helper() {
    let Some(path) = std::env::var_os("PROFORMA_TEST_HOLD_LOCK") else {
        return;
    };
    let path = PathBuf::from(path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    std::fs::write(path.with_extension("locked"), "").unwrap();
    let secs = std::env::var("PROFORMA_TEST_HOLD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    std::thread::sleep(Duration::from_secs(secs));
    conn.execute_batch("COMMIT").unwrap();
}

/// Starts the helper process holding the write lock for `secs`; returns once it holds it.
fn hold_write_lock(path: &Path, secs: u64) -> std::process::Child {
    let helper = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "hold_write_lock_helper",
            "--exact",
            "--ignored",
            "--test-threads=1",
        ])
        .env("PROFORMA_TEST_HOLD_LOCK", path)
        .env("PROFORMA_TEST_HOLD_SECS", secs.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let ready = path.with_extension("locked");
    let start = Instant::now();
    while !ready.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "helper never locked"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::remove_file(&ready).unwrap();
    helper
}

/// Opens global-markup-10's form with the percentage typed as 14 (not saved yet).
fn type_percent_14(s: &mut Session) {
    press(s, &["4"]);
    select(s, "global-markup-10");
    press(
        s,
        &[
            "e",
            "Tab",
            "Tab",
            "Tab",
            "Tab",
            "Backspace",
            "Backspace",
            "\"14\"",
        ],
    );
}

#[test]
fn a_save_waits_for_another_process_write_lock() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    type_percent_14(&mut s);
    let mut helper = hold_write_lock(&path, 2);
    let locked_at = Instant::now();
    press(&mut s, &["Ctrl-s"]);
    let waited = locked_at.elapsed();
    assert!(s.app.form().is_none(), "not saved: {}", status(&s));
    assert!(
        status(&s).contains("saved from 2026-10 on"),
        "{}",
        status(&s)
    );
    assert!(
        waited >= Duration::from_millis(1000),
        "the save should have waited for the lock, took {waited:?}"
    );
    assert!(helper.wait().unwrap().success());
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(14.into()));
}

/// The real TUI binary in tmux notices a real CLI config import on its own (its event loop
/// polls) and says so. Skips when tmux is missing, unless PROFORMA_REQUIRE_TMUX is set.
#[test]
fn the_real_tui_notices_a_cli_config_import_in_its_event_loop() {
    if !common::tmux::available() {
        return;
    }
    let (dir, path) = demo_copy();
    let bin = assert_cmd::cargo::cargo_bin("proforma");
    let tmux = common::tmux::Tmux::new(dir.path(), "multi");
    let command = format!("{} {}; sleep 30", bin.display(), path.display());
    tmux.start(160, 40, &[], &command);
    let wait = |text: &str, limit: Duration| tmux.wait_for(text, limit).1;
    wait("Billing groups, 2026-10", Duration::from_secs(20));
    cli_set_percent(&path, "global-markup-10", 10, 12);
    // Polled every 250 ms; the margin is for capture-pane on a loaded machine.
    let took = wait(
        "workspace changed by another process: reloaded",
        Duration::from_secs(2),
    );
    tmux.keys(&["q"]);
    tmux.kill();
    eprintln!("noticed after {took:?}");
}

#[test]
fn a_save_behind_a_lock_held_past_the_busy_timeout_says_so_and_writes_nothing() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    type_percent_14(&mut s);
    let mut helper = hold_write_lock(&path, 7);
    press(&mut s, &["Ctrl-s"]);
    assert!(s.app.form().is_some(), "not saved");
    let text = screen(&mut s);
    assert!(
        text.contains("the workspace is busy: another process has been writing to it for more"),
        "{text}"
    );
    assert!(helper.wait().unwrap().success());
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(10.into()));
    // Once the other process is done, the same form saves.
    press(&mut s, &["Ctrl-s"]);
    assert!(s.app.form().is_none(), "{}", status(&s));
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(14.into()));
}

/// The percentage of a rule in the (only) scenario, read on a fresh connection.
fn scenario_percent(path: &Path, rule: &str) -> Option<Decimal> {
    let ws = Workspace::open(path).unwrap();
    let id = ws.scenarios().unwrap()[0].id;
    ws.scenario_config(id)
        .unwrap()
        .rules
        .iter()
        .find(|r| r.name == rule)
        .and_then(|r| r.modifier)
}

#[test]
fn two_windows_on_one_scenario_do_not_save_over_each_other() {
    let (_d, path) = demo_copy();
    let mut a = open(&path);
    let mut b = open(&path);
    press(&mut a, &["w", "Enter", "\"draft\"", "Enter"]);
    assert!(a.app.scenario.is_some());
    b.app.check_outside();
    press(&mut b, &["w"]);
    let pos = match b.app.picker() {
        Some(proforma::app::Picker { options, .. }) => options
            .iter()
            .position(|(l, _)| l.starts_with("open 'draft'"))
            .unwrap(),
        other => panic!("{other:?}"),
    };
    for _ in 0..pos {
        press(&mut b, &["j"]);
    }
    press(&mut b, &["Enter"]);
    assert!(b.app.scenario.is_some());

    press(&mut a, &["4"]);
    select(&mut a, "global-markup-10");
    press(
        &mut a,
        &[
            "e",
            "Tab",
            "Tab",
            "Tab",
            "Tab",
            "Backspace",
            "Backspace",
            "\"15\"",
        ],
    );
    edit_percent(&mut b, "global-markup-10", "13");
    assert_eq!(scenario_percent(&path, "global-markup-10"), Some(13.into()));
    press(&mut a, &["Ctrl-s"]);
    let text = screen(&mut a);
    assert!(
        text.contains("Percentage: was '10' · theirs '13' · yours '15'"),
        "{text}"
    );
    assert_eq!(scenario_percent(&path, "global-markup-10"), Some(13.into()));
    press(&mut a, &["o"]);
    assert!(a.app.form().is_none(), "{}", status(&a));
    assert_eq!(scenario_percent(&path, "global-markup-10"), Some(15.into()));
    assert_eq!(
        stored_percent(&path, "global-markup-10"),
        Some(10.into()),
        "the baseline is untouched"
    );
}

#[test]
fn a_workspace_of_the_previous_schema_gets_sessions_and_its_changes_stay_undoable() {
    let (_d, path) = demo_copy();
    // Back to schema 5: no session columns; every change recorded without a session.
    common::downgrade_to_schema_7(&path);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP INDEX audit_log_by_object;
             ALTER TABLE audit_log DROP COLUMN session;
             ALTER TABLE audit_log DROP COLUMN origin;
             ALTER TABLE audit_log DROP COLUMN undone_by;
             ALTER TABLE scenario_objects DROP COLUMN base_audit;
             PRAGMA user_version = 5;",
        )
        .unwrap();
    }
    let entries = common::snapshot(&path)
        .iter()
        .filter(|l| l.starts_with("audit_log:"))
        .count();
    let mut s = open(&path);
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, proforma::store::schema::latest_version());
    assert_eq!(
        common::snapshot(&path)
            .iter()
            .filter(|l| l.starts_with("audit_log:"))
            .count(),
        entries,
        "the history is kept"
    );
    // Changes from before sessions belong to no open window: undo takes them (the newest is
    // the demo configuration's batch, which created every object: many objects, so it asks).
    press(&mut s, &["u", "y"]);
    assert!(status(&s).starts_with("undid "), "{}", status(&s));
    assert!(
        Workspace::open(&path)
            .unwrap()
            .config_at(p("2026-10"))
            .unwrap()
            .groups
            .is_empty()
    );
    press(&mut s, &["Ctrl-r", "y"]);
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(10.into()));
}

/// Opens the Accounts tab and returns the first account listed there that is in no group.
fn an_unmonitored_account(s: &mut Session, config: &proforma::model::Config) -> String {
    let grouped: Vec<String> = config
        .groups
        .iter()
        .flat_map(|g| g.accounts.iter().cloned())
        .collect();
    press(s, &["6"]);
    s.app
        .visible
        .iter()
        .map(|&r| s.app.model.keys[r].clone())
        .find(|k| !grouped.contains(k))
        .expect("an unmonitored account")
}

#[test]
fn a_bulk_assignment_builds_on_another_windows_change_instead_of_overwriting_it() {
    let (_d, path) = demo_copy();
    let mut a = open(&path);
    let mut b = open(&path);
    let config = Workspace::open(&path)
        .unwrap()
        .config_at(p("2026-10"))
        .unwrap();
    let account = an_unmonitored_account(&mut a, &config);
    // B changes retail; A has not looked since.
    press(&mut b, &["2"]);
    select(&mut b, "retail");
    press(&mut b, &["e", "Tab", "\" (B)\"", "Ctrl-s"]);
    assert!(b.app.form().is_none(), "{}", status(&b));
    select(&mut a, &account);
    press(&mut a, &["Space", "a"]);
    let pos = match a.app.picker() {
        Some(proforma::app::Picker { options, .. }) => {
            options.iter().position(|(o, _)| o == "retail").unwrap()
        }
        other => panic!("{other:?}"),
    };
    for _ in 0..pos {
        press(&mut a, &["j"]);
    }
    press(&mut a, &["Enter"]);
    assert!(
        status(&a).contains("1 account now in 'retail'"),
        "{}",
        status(&a)
    );
    let retail = Workspace::open(&path)
        .unwrap()
        .config_at(p("2026-10"))
        .unwrap()
        .groups
        .into_iter()
        .find(|g| g.name == "retail")
        .unwrap();
    assert_eq!(
        retail.description, "Retail storefront and data platform (B)",
        "B's change kept"
    );
    assert!(retail.accounts.contains(&account), "A's assignment made");
}

/// The CLI's writes behind a lock held past the busy timeout say the workspace is busy (never
/// SQLite's "database is locked"), name the workspace, exit 1 and write nothing.
#[test]
fn cli_writes_behind_a_lock_held_past_the_busy_timeout_say_so() {
    let (d, path) = demo_copy();
    let toml = d.path().join("c.toml");
    let out = assert_cmd::Command::cargo_bin("proforma")
        .unwrap()
        .args(["config", "export"])
        .arg(&path)
        .output()
        .unwrap();
    std::fs::write(&toml, &out.stdout).unwrap();
    let cur = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/cur-2026-10.csv.gz");
    let before = common::snapshot(&path);
    let mut helper = hold_write_lock(&path, 7);
    // Both at once, so both wait out their 5 s within the 7 s the lock is held.
    let children: Vec<_> = [
        vec!["config".into(), "import".into(), path.clone(), toml.clone()],
        vec!["import".into(), path.clone(), cur.clone()],
    ]
    .into_iter()
    .map(|args: Vec<PathBuf>| {
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("proforma"))
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        (args, child)
    })
    .collect();
    for (args, child) in children {
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("the workspace is busy: another process has been writing to it"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("database is locked"), "{args:?}: {err}");
    }
    assert!(helper.wait().unwrap().success());
    assert_eq!(common::snapshot(&path), before, "nothing written");
}

/// A promote never writes silently over a baseline change made after the scenario drafted the
/// object: another window (or the CLI) changed the rule in the baseline, so the promote is
/// refused, naming the object and who changed it, and the baseline keeps their value. A
/// scenario whose objects are untouched in the baseline still promotes.
#[test]
fn a_promote_does_not_write_over_a_baseline_change_made_since_the_draft() {
    use proforma::store::config::{Change, ConfigError, Object};
    let (_d, path) = demo_copy();
    let period = p("2026-10");
    let mut a = Workspace::open(&path).unwrap();
    let mut b = Workspace::open(&path).unwrap();
    let rule_at = |ws: &Workspace, percent: i64| {
        let mut r = ws
            .config_at(period)
            .unwrap()
            .rules
            .into_iter()
            .find(|r| r.name == "global-markup-10")
            .unwrap();
        r.modifier = Some(percent.into());
        Change::Put(Object::Rule(r))
    };
    let s = a.create_scenario("what-if", period).unwrap();
    a.scenario_change(s.id, &rule_at(&a, 12)).unwrap();
    // Another window changes the same rule in the baseline, after the draft.
    b.apply_changes(period, &[rule_at(&b, 11)], None).unwrap();
    let before = common::snapshot(&path);
    match a.promote_scenario(s.id) {
        Err(ConfigError::Refused(why)) => {
            assert!(why.contains("global-markup-10"), "{why}");
            assert!(why.contains("after scenario 'what-if' changed it"), "{why}");
        }
        other => panic!("promoted over another window's change: {other:?}"),
    }
    assert_eq!(common::snapshot(&path), before, "nothing written");
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(11.into()));
    // Saved again in the scenario (now drafted against 11), the promote goes through.
    a.scenario_change(s.id, &rule_at(&a, 12)).unwrap();
    a.promote_scenario(s.id).unwrap();
    assert_eq!(stored_percent(&path, "global-markup-10"), Some(12.into()));
}

/// The group picked for a bulk assignment was deleted by another process while the picker was
/// open: the assignment is refused, saying so, and nothing is written (it used to report
/// "1 account now in 'labs'" having written nothing, so a trusting `u` then undid the other
/// process's change). The delete is named by the group's name in the audit log.
#[test]
fn a_bulk_assignment_to_a_group_deleted_meanwhile_is_refused() {
    use proforma::store::config::{Change, Object};
    let (_d, path) = demo_copy();
    let mut a = open(&path);
    let config = Workspace::open(&path)
        .unwrap()
        .config_at(p("2026-10"))
        .unwrap();
    let account = an_unmonitored_account(&mut a, &config);
    select(&mut a, &account);
    press(&mut a, &["Space", "a"]);
    let pos = match a.app.picker() {
        Some(proforma::app::Picker { options, .. }) => {
            options.iter().position(|(o, _)| o == "labs").unwrap()
        }
        other => panic!("{other:?}"),
    };
    // Another process removes labs (and the custom line item that charges it).
    {
        let mut other = Workspace::open(&path).unwrap();
        let mut changes = Vec::new();
        for i in config.items.iter().filter(|i| {
            config
                .groups
                .iter()
                .any(|g| g.name == "labs" && g.arn == i.group)
        }) {
            changes.push(Change::Delete {
                kind: proforma::model::Kind::CustomLineItem,
                arn: i.arn.clone(),
            });
        }
        let labs = config.groups.iter().find(|g| g.name == "labs").unwrap();
        changes.push(Change::Delete {
            kind: Object::Group(labs.clone()).kind(),
            arn: labs.arn.clone(),
        });
        other.apply_changes(p("2026-10"), &changes, None).unwrap();
    }
    let before = common::snapshot(&path);
    for _ in 0..pos {
        press(&mut a, &["j"]);
    }
    press(&mut a, &["Enter"]);
    let msg = status(&a);
    assert!(
        msg.contains("not assigned: billing group 'labs' no longer exists"),
        "{msg}"
    );
    assert_eq!(common::snapshot(&path), before, "nothing written");
    let audit = Workspace::open(&path).unwrap().audit(5).unwrap();
    assert!(
        audit.iter().any(|r| r.object == "billing group labs"),
        "{:?}",
        audit.iter().map(|r| r.object.clone()).collect::<Vec<_>>()
    );
}

/// The billing view on screen deleted by another process: the window falls back to the primary
/// view and says so, instead of a top bar naming a view that no longer exists.
#[test]
fn a_view_deleted_elsewhere_falls_back_to_the_primary_view() {
    use proforma::store::config::Change;
    let (_d, path) = demo_copy();
    let mut a = open(&path);
    press(&mut a, &["7"]);
    a.app.view = "custom:Commerce".into();
    a.app.rebuild();
    assert!(screen(&mut a).contains("Commerce"));
    let commerce = Workspace::open(&path)
        .unwrap()
        .config_at(p("2026-10"))
        .unwrap()
        .views
        .into_iter()
        .find(|v| v.name == "Commerce")
        .unwrap();
    // Views sourcing Commerce become unhealthy, which a delete allows.
    Workspace::open(&path)
        .unwrap()
        .apply_changes(
            p("2026-10"),
            &[Change::Delete {
                kind: proforma::model::Kind::BillingView,
                arn: commerce.arn.clone(),
            }],
            None,
        )
        .unwrap();
    a.app.check_outside();
    assert!(a.app.view.starts_with("primary"), "{}", a.app.view);
    assert!(
        status(&a).contains("billing view 'custom:Commerce' no longer exists"),
        "{}",
        status(&a)
    );
}
