//! Issue 8 items 6, 12 and 14: the workspace file itself. Writes to a workspace deleted or
//! replaced while open are refused; `report`, `explain` and `config export` work on a
//! read-only workspace and in a read-only directory; a full disk is named; workspace files
//! are created 0600 whatever the umask.

mod common;

use proforma::app::{Action, App, Tab};
use proforma::period::BillingPeriod;
use proforma::store::{StoreError, Workspace};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn period(p: &str) -> BillingPeriod {
    p.parse().unwrap()
}

fn side(ws: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", ws.display()))
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn chmod(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

const GONE: &str = "the workspace file was deleted or replaced since it was opened";

// --- item 6 -----------------------------------------------------------------------------------

#[test]
fn writes_to_a_deleted_workspace_are_refused_and_nothing_appears() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.proforma");
    let mut ws = Workspace::create(&path).unwrap();
    ws.create_scenario("before", period("2026-10")).unwrap();
    assert!(ws.check_still_there().is_ok());
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(
        ws.check_still_there(),
        Err(StoreError::Replaced(_))
    ));
    // A single autocommit statement and a multi-statement transaction, both refused.
    let e = ws.create_scenario("after", period("2026-10")).unwrap_err();
    assert!(e.to_string().contains(GONE), "{e}");
    assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    assert!(e.to_string().contains("nothing was saved"), "{e}");
    let e = ws.close_period(period("2026-10"), "month end").unwrap_err();
    assert!(e.to_string().contains(GONE), "{e}");
    assert!(!path.exists(), "a write recreated the deleted workspace");
    // The refused writes did not land in the unlinked file either.
    assert_eq!(ws.scenarios().unwrap().len(), 1);
    assert!(!ws.is_closed(period("2026-10")).unwrap());
    // Closing leaves no stale -wal/-shm that a new workspace at the path would replay.
    drop(ws);
    assert!(!side(&path, "-wal").exists() && !side(&path, "-shm").exists());
    common::bin().arg("init").arg(&path).assert().success();
}

#[test]
fn writes_to_a_replaced_workspace_are_refused_and_the_new_file_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.proforma");
    let other = dir.path().join("other.proforma");
    let mut ws = Workspace::create(&path).unwrap();
    {
        let mut o = Workspace::create(&other).unwrap();
        o.create_scenario("theirs", period("2026-10")).unwrap();
        o.checkpoint().unwrap();
    }
    // Another file renamed over the open workspace (what an editor or a copy tool does).
    std::fs::rename(&other, &path).unwrap();
    let before = common::snapshot(&path);
    let e = ws.create_scenario("mine", period("2026-10")).unwrap_err();
    assert!(e.to_string().contains(GONE), "{e}");
    let e = ws.close_period(period("2026-10"), "note").unwrap_err();
    assert!(e.to_string().contains(GONE), "{e}");
    assert_eq!(common::snapshot(&path), before);
    // The replacing workspace opens and writes normally.
    let mut fresh = Workspace::open(&path).unwrap();
    fresh.close_period(period("2026-10"), "note").unwrap();
}

/// After a rename over an open workspace and the old connection's refused write, closing the
/// old connection leaves the new file exactly as it was (its `-wal` went into the unlinked
/// file), and the new file then reads and writes normally.
#[test]
fn closing_a_replaced_workspace_leaves_the_new_file_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.proforma");
    let other = dir.path().join("other.proforma");
    let mut old = Workspace::create(&path).unwrap();
    old.create_scenario("old-1", period("2026-10")).unwrap();
    std::fs::copy(common::demo_workspace(), &other).unwrap();
    let demo = common::snapshot(&other);
    std::fs::rename(&other, &path).unwrap();
    old.create_scenario("old-2", period("2026-10")).unwrap_err();
    drop(old);
    assert_eq!(common::snapshot(&path), demo);
    let mut new = Workspace::open(&path).unwrap();
    new.close_period(period("2026-10"), "second").unwrap();
    drop(new);
    let seen = common::snapshot(&path);
    assert!(seen.iter().any(|r| r.contains("\"second\"")), "{seen:?}");
    assert!(!seen.iter().any(|r| r.contains("old-")));
}

/// The TUI's save path: closing a period on the Reconcile tab after the file was deleted
/// shows the refusal in the status line, never "closed".
#[test]
fn tui_save_on_a_deleted_workspace_says_nothing_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.proforma");
    std::fs::copy(common::demo_workspace(), &path).unwrap();
    let mut app = App::load(Workspace::open(&path).unwrap(), "demo.proforma".into()).unwrap();
    std::fs::remove_file(&path).unwrap();
    app.update(Action::of_tab(Tab::Reconcile));
    app.update(Action::ClosePeriod);
    for c in "month end".chars() {
        app.update(Action::Input(c));
    }
    app.update(Action::Open);
    let status = app.status.0.clone().unwrap_or_default();
    assert!(status.contains(GONE), "{status}");
    assert!(!path.exists());
}

// --- item 12 ----------------------------------------------------------------------------------

/// Runs report, explain and config export on `ws`; each must succeed with the same output as
/// on the writable original.
fn reads_work(ws: &Path, expected: &[String; 3]) {
    let commands: [&[&str]; 3] = [
        &["report", "--period", "2026-10"],
        &["explain", "--period", "2026-10", "--group", "retail"],
        &["config", "export", "--period", "2026-10"],
    ];
    for (args, want) in commands.iter().zip(expected) {
        let (cmd, rest) = if args[0] == "config" {
            (&args[..2], &args[2..])
        } else {
            (&args[..1], &args[1..])
        };
        let out = common::bin().args(cmd).arg(ws).args(rest).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(&String::from_utf8(out.stdout).unwrap(), want, "{args:?}");
    }
}

fn expected_reads(ws: &Path) -> [String; 3] {
    let run = |cmd: &[&str], rest: &[&str]| {
        let out = common::bin().args(cmd).arg(ws).args(rest).output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    [
        run(&["report"], &["--period", "2026-10"]),
        run(&["explain"], &["--period", "2026-10", "--group", "retail"]),
        run(&["config", "export"], &["--period", "2026-10"]),
    ]
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn read_only_workspace_file_is_read_without_writing() {
    let expected = expected_reads(&common::demo_workspace());
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    chmod(&ws, 0o444);
    let bytes = std::fs::read(&ws).unwrap();
    // The mode bits decide, also for root (whom access(2) would let write).
    assert!(Workspace::open_for_reading(&ws).unwrap().is_read_only());
    reads_work(&ws, &expected);
    assert_eq!(std::fs::read(&ws).unwrap(), bytes, "the workspace changed");
    assert_eq!(
        files_in(dir.path()),
        vec!["w.proforma"],
        "files created beside it"
    );
    // Writes refuse, naming the file.
    let out = common::bin()
        .arg("import")
        .arg(&ws)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/escapes/escape_seq.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}: the workspace is read-only here",
            ws.display()
        )),
        "{err}"
    );
    assert_eq!(std::fs::read(&ws).unwrap(), bytes);
    assert_eq!(files_in(dir.path()), vec!["w.proforma"]);
}

#[test]
fn workspace_in_a_read_only_directory_is_read_without_writing() {
    let expected = expected_reads(&common::demo_workspace());
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("ro");
    std::fs::create_dir(&sub).unwrap();
    let ws = sub.join("w.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    let bytes = std::fs::read(&ws).unwrap();
    chmod(&sub, 0o555);
    assert!(Workspace::open_for_reading(&ws).unwrap().is_read_only());
    reads_work(&ws, &expected);
    let refused = common::bin()
        .arg("import")
        .arg(&ws)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/escapes/escape_seq.csv"))
        .output()
        .unwrap();
    chmod(&sub, 0o755);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(std::fs::read(&ws).unwrap(), bytes, "the workspace changed");
    assert_eq!(
        files_in(&sub),
        vec!["w.proforma"],
        "files created beside it"
    );
}

/// A real read-only mount (EROFS even for root); skips when bind mounts are not permitted.
#[test]
fn workspace_on_a_read_only_mount_is_read() {
    let expected = expected_reads(&common::demo_workspace());
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&src).unwrap();
    std::fs::create_dir(&mnt).unwrap();
    std::fs::copy(common::demo_workspace(), src.join("w.proforma")).unwrap();
    let mounted = Command::new("mount")
        .args(["--bind", "-o", "ro"])
        .arg(&src)
        .arg(&mnt)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipping: read-only bind mounts are not permitted here");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    if std::fs::write(mnt.join("probe"), b"x").is_ok() {
        eprintln!("skipping: the bind mount is writable");
        return;
    }
    reads_work(&mnt.join("w.proforma"), &expected);
}

/// A workspace whose `-wal` holds committed changes, read-only: the changes are read (with
/// the `-shm` present), or a clear message when the `-shm` cannot be created.
#[test]
fn read_only_workspace_with_changes_in_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.proforma");
    std::fs::copy(common::demo_workspace(), &live).unwrap();
    // Keep a writer open that never checkpoints, so the change (an account renamed) lives
    // only in the WAL while copying.
    let writer = rusqlite::Connection::open(&live).unwrap();
    writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    let renamed = writer
        .execute(
            "UPDATE accounts SET name = 'renamed-in-wal' WHERE account_id = '304857112600'",
            [],
        )
        .unwrap();
    assert_eq!(renamed, 1);
    let report = |ws: &Path| {
        common::bin()
            .arg("report")
            .arg(ws)
            .args([
                "--period",
                "2026-10",
                "--group",
                "retail",
                "--group-by",
                "LINKED_ACCOUNT",
            ])
            .output()
            .unwrap()
    };
    let expected = String::from_utf8(report(&live).stdout).unwrap();
    assert!(expected.contains("renamed-in-wal"), "{expected}");
    let copy = |with_shm: bool, name: &str| {
        let sub = dir.path().join(name);
        std::fs::create_dir(&sub).unwrap();
        let ws = sub.join("w.proforma");
        std::fs::copy(&live, &ws).unwrap();
        std::fs::copy(side(&live, "-wal"), side(&ws, "-wal")).unwrap();
        if with_shm {
            std::fs::copy(side(&live, "-shm"), side(&ws, "-shm")).unwrap();
        }
        chmod(&sub, 0o555);
        (sub, ws)
    };
    let (sub, with_shm) = copy(true, "with-shm");
    assert!(std::fs::metadata(side(&with_shm, "-wal")).unwrap().len() > 0);
    let out = report(&with_shm);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    chmod(&sub, 0o755);
    let (sub, without_shm) = copy(false, "without-shm");
    let out = report(&without_shm);
    chmod(&sub, 0o755);
    let err = String::from_utf8_lossy(&out.stderr);
    eprintln!("without -shm: {err}");
    if out.status.success() {
        // This SQLite read the WAL without a -shm: it must have seen its content.
        assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    } else {
        assert_eq!(out.status.code(), Some(1));
        assert!(err.contains("-wal holds changes"), "{err}");
    }
    drop(writer);
}

#[test]
fn read_only_workspace_of_an_older_schema_says_it_needs_write_access() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    {
        let conn = rusqlite::Connection::open(&ws).unwrap();
        conn.pragma_update(None, "user_version", 3).unwrap();
    }
    chmod(&ws, 0o444);
    let bytes = std::fs::read(&ws).unwrap();
    let out = common::bin()
        .arg("report")
        .arg(&ws)
        .args(["--period", "2026-10"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot be upgraded"), "{err}");
    assert!(err.contains("schema 3"), "{err}");
    assert!(err.contains(&ws.display().to_string()), "{err}");
    assert_eq!(std::fs::read(&ws).unwrap(), bytes);
}

/// The TUI on a read-only workspace: it opens for browsing, and a save says why nothing was
/// saved.
#[test]
fn tui_on_a_read_only_workspace_browses_and_refuses_saves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.proforma");
    std::fs::copy(common::demo_workspace(), &path).unwrap();
    chmod(&path, 0o444);
    let bytes = std::fs::read(&path).unwrap();
    let ws = Workspace::open_for_reading(&path).unwrap();
    assert!(ws.is_read_only());
    let mut app = App::load(ws, "demo.proforma".into()).unwrap();
    app.update(Action::of_tab(Tab::Reconcile));
    app.update(Action::ClosePeriod);
    for c in "month end".chars() {
        app.update(Action::Input(c));
    }
    app.update(Action::Open);
    let status = app.status.0.clone().unwrap_or_default();
    assert!(
        status.contains("the workspace is read-only here") && status.contains("nothing was saved"),
        "{status}"
    );
    drop(app);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert_eq!(files_in(dir.path()), vec!["demo.proforma"]);
}

// --- item 12: full disk -----------------------------------------------------------------------

/// An import into a workspace on a nearly full file system (a 320 KiB tmpfs): "disk full
/// while writing PATH; nothing was saved", exit 1, the workspace as it was. Skips when tmpfs
/// cannot be mounted.
#[test]
fn full_disk_is_reported_as_a_full_disk() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=320k", "tmpfs"])
        .arg(&mnt)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipping: tmpfs cannot be mounted here");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    let ws = mnt.join("w.proforma");
    common::bin().arg("init").arg(&ws).assert().success();
    let before = common::snapshot(&ws);
    let cur = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/cur-2026-10.csv.gz");
    let out = common::bin()
        .arg("import")
        .arg(&ws)
        .arg(&cur)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    eprintln!("{err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "disk full while writing {}; nothing was saved",
            ws.display()
        )),
        "{err}"
    );
    assert_eq!(common::snapshot(&ws), before);
}

/// `init` on a file system too full for the new workspace: "disk full", and nothing is left
/// behind (a retry after freeing space is not refused as "already exists").
#[test]
fn init_on_a_full_disk_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("tiny");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8k", "tmpfs"])
        .arg(&mnt)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipping: tmpfs cannot be mounted here");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    let ws = mnt.join("w.proforma");
    let out = common::bin().arg("init").arg(&ws).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("disk full while writing {}", ws.display())),
        "{err}"
    );
    assert!(files_in(&mnt).is_empty(), "{:?}", files_in(&mnt));
}

/// A `-wal` left beside the path by a deleted workspace would be replayed into a new one:
/// `init` refuses, naming it.
#[test]
fn init_refuses_a_leftover_wal() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.proforma");
    std::fs::write(side(&ws, "-wal"), b"stale").unwrap();
    common::fails(
        &["init"],
        &ws,
        &[],
        "w.proforma-wal: a file already exists there",
    );
    assert!(!ws.exists());
}

// --- item 14 ----------------------------------------------------------------------------------

#[test]
fn workspace_is_created_owner_only_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.proforma");
    let bin = assert_cmd::cargo::cargo_bin("proforma");
    let cur = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/cur-2026-10.csv.gz");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 000 && {bin} init {ws} && {bin} import {ws} {cur} && touch {dir}/probe",
            bin = bin.display(),
            ws = ws.display(),
            cur = cur.display(),
            dir = dir.path().display()
        ))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    // The umask really was permissive.
    assert_eq!(mode(&dir.path().join("probe")), 0o666);
    assert_eq!(mode(&ws), 0o600);
    // SQLite gives the -wal and -shm the main file's mode: checked while a process holds them
    // (the TUI under umask 000 in terminal_safety.rs); here from this process, whose umask
    // is the test runner's.
    let _held = Workspace::open(&ws).unwrap();
    assert_eq!(mode(&side(&ws, "-wal")), 0o600);
    assert_eq!(mode(&side(&ws, "-shm")), 0o600);
}

/// A workspace this user may not read (root's 0600 file, read by `nobody`): a plain
/// "cannot read the workspace: Permission denied" naming the path, not SQLite's message about
/// its internal URI. Skips where the tests do not run as root or `su` is missing.
#[test]
fn an_unreadable_workspace_says_permission_denied() {
    let uid = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if uid != "0"
        || std::process::Command::new("su")
            .arg("--version")
            .output()
            .is_err()
    {
        eprintln!("skipping: needs root and su");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    let ws = dir.path().join("r.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    chmod(&ws, 0o600);
    let bin = assert_cmd::cargo::cargo_bin("proforma");
    let out = std::process::Command::new("su")
        .args(["-s", "/bin/sh", "nobody", "-c"])
        .arg(format!(
            "{} report {} --period 2026-10",
            bin.display(),
            ws.display()
        ))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("No such file") && !err.contains("r.proforma") {
        eprintln!("skipping: nobody cannot reach the binary: {err}");
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "{}: cannot read the workspace: Permission denied",
            ws.display()
        )),
        "{err}"
    );
    assert!(!err.contains("file:"), "{err}");
}

/// `demo --reset` rebuilds the demo workspace from the embedded sample: an edit made in it is
/// gone, and no -wal of the old file is left beside the new one.
#[test]
fn demo_reset_rebuilds_the_demo_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("d.proforma");
    let demo = |reset: bool| {
        let mut c = common::bin();
        c.args(["demo", "--workspace"]).arg(&ws);
        if reset {
            c.arg("--reset");
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let export = || {
        let out = common::bin()
            .args(["config", "export"])
            .arg(&ws)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    demo(false);
    let original = export();
    let changed = original.replacen("percent = 10\n", "percent = 11\n", 1);
    assert_ne!(changed, original);
    let file = dir.path().join("c.toml");
    std::fs::write(&file, &changed).unwrap();
    common::bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&file)
        .assert()
        .success();
    assert!(demo(false).contains("(already built)"));
    assert_eq!(export(), changed, "without --reset the edit stays");
    assert!(demo(true).contains("rebuilt from the embedded sample"));
    assert_eq!(export(), original, "--reset brings the sample back");
    assert!(
        !side(&ws, "-wal").exists() || std::fs::metadata(side(&ws, "-wal")).unwrap().len() == 0
    );
}
