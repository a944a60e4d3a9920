//! Who writes: every open workspace (one TUI window, one CLI command) is a session with its own
//! id, recorded with each audited change, so undo and redo act on this window's own changes and
//! never silently on those of another window still open (issue 8, item 5).
//!
//! A session id is `<pid>.<nanoseconds at start>.<counter>`. A session has ended when its
//! process is gone, or, for a session of this very process, when its workspace was dropped.
//! (SQLite's WAL mode needs shared memory, so every process on one workspace runs on one host
//! and a process id is meaningful to all of them.)

use super::StoreError;
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Sessions of this process whose workspace is still open.
static LIVE: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// One open workspace's identity in the audit log.
#[derive(Debug)]
pub struct Session {
    /// Unique id, `<pid>.<start nanoseconds>.<counter>`.
    pub id: String,
    /// Who this is for people: `CLI` (the default) or `TUI`.
    pub origin: String,
}

impl Session {
    /// A new session of this process, registered as live until dropped.
    pub fn start() -> Session {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}.{nanos}.{n}", std::process::id());
        if let Ok(mut live) = LIVE.lock() {
            live.insert(id.clone());
        }
        Session {
            id,
            origin: "CLI".into(),
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(mut live) = LIVE.lock() {
            live.remove(&self.id);
        }
    }
}

/// Whether the session `id` may still be open: its workspace is open in this process, or its
/// process still runs. Unknown ids (older workspaces recorded none) count as ended.
pub fn is_open(id: Option<&str>) -> bool {
    let Some(id) = id else { return false };
    let Some(pid) = id.split('.').next().and_then(|p| p.parse::<u32>().ok()) else {
        return false;
    };
    if pid == std::process::id() {
        return LIVE.lock().map(|live| live.contains(id)).unwrap_or(true);
    }
    process_runs(pid)
}

#[cfg(target_os = "linux")]
fn process_runs(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(all(unix, not(target_os = "linux")))]
fn process_runs(pid: u32) -> bool {
    // `kill -0` checks that the process exists without signalling it.
    std::process::Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_or(true, |s| s.success())
}

#[cfg(not(unix))]
fn process_runs(_pid: u32) -> bool {
    // No cheap check: assume it runs (undo then keeps to this window's own changes).
    true
}

/// The pid part of a session id, for messages.
pub fn pid_of(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

/// A change recorded in the audit log, with who made it: what another process did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outside {
    pub audit_id: i64,
    /// UTC time, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub at: String,
    /// `import`, `create`, `edit`, `delete`, `undo`, `redo`, `close`, `reopen`.
    pub action: String,
    pub object: String,
    pub period: Option<String>,
    /// `CLI` or `TUI`; None for changes recorded before sessions were.
    pub origin: Option<String>,
    pub session: Option<String>,
}

impl Outside {
    /// "the CLI (pid 123) at 2026-11-30 11:20:01 UTC", for messages.
    pub fn who_when(&self) -> String {
        let who = match (&self.origin, &self.session) {
            (Some(o), Some(s)) => format!(
                "{} (pid {})",
                if o == "TUI" {
                    "another TUI window".to_string()
                } else {
                    format!("the {o}")
                },
                pid_of(s)
            ),
            _ => "another session".to_string(),
        };
        let at = self.at.replace('T', " ");
        let at = at.split('.').next().unwrap_or(&at);
        format!("{who} at {at} UTC")
    }
}

impl super::Workspace {
    /// This workspace's session id (recorded with each change it makes).
    pub fn session_id(&self) -> &str {
        &self.session.id
    }

    /// Names who this session is in the audit log and in other windows' messages (`TUI`,
    /// `CLI`).
    pub fn set_origin(&mut self, origin: &str) {
        self.session.origin = origin.to_string();
    }

    /// SQLite's `PRAGMA data_version`: changes whenever another connection (another process or
    /// window) commits to the workspace; never for this connection's own commits. Cheap: no
    /// table is read.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn()
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// The newest audit entry's id (0 when there is none).
    pub fn last_audit_id(&self) -> Result<i64, StoreError> {
        Ok(self.conn().query_row(
            "SELECT COALESCE(MAX(audit_id), 0) FROM audit_log",
            [],
            |r| r.get(0),
        )?)
    }

    /// Audit entries after `audit_id` made by other sessions, oldest first.
    pub fn changes_by_others_since(&self, audit_id: i64) -> Result<Vec<Outside>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT audit_id, at, action, object, period, origin, session FROM audit_log
             WHERE audit_id > ?1 AND (session IS NULL OR session != ?2) ORDER BY audit_id",
        )?;
        let rows = stmt.query_map(params![audit_id, self.session.id], outside)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest change to one configuration object by another session, after `audit_id`.
    pub fn last_change_by_others(
        &self,
        kind: crate::model::Kind,
        arn: &str,
        audit_id: i64,
    ) -> Result<Option<Outside>, StoreError> {
        last_change_by_others(
            self.conn(),
            &self.session.id,
            kind.arn_type(),
            arn,
            audit_id,
        )
    }
}

/// An `Outside` from a row of `audit_id, at, action, object, period, origin, session`.
pub(crate) fn outside(r: &rusqlite::Row<'_>) -> rusqlite::Result<Outside> {
    Ok(Outside {
        audit_id: r.get(0)?,
        at: r.get(1)?,
        action: r.get(2)?,
        object: r.get(3)?,
        period: r.get(4)?,
        origin: r.get(5)?,
        session: r.get(6)?,
    })
}

/// The newest audit entry about (kind, arn) after `audit_id` not made by `me`.
pub(crate) fn last_change_by_others(
    conn: &rusqlite::Connection,
    me: &str,
    kind: &str,
    arn: &str,
    audit_id: i64,
) -> Result<Option<Outside>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT audit_id, at, action, object, period, origin, session FROM audit_log
             WHERE kind = ?1 AND arn = ?2 AND audit_id > ?3 AND (session IS NULL OR session != ?4)
             ORDER BY audit_id DESC LIMIT 1",
            params![kind, arn, audit_id, me],
            outside,
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_open_until_dropped() {
        let s = Session::start();
        let id = s.id.clone();
        assert!(is_open(Some(&id)));
        drop(s);
        assert!(!is_open(Some(&id)));
        assert!(!is_open(None));
        // A process that does not run (pid far above any default pid_max).
        assert!(!is_open(Some("4294967294.1.0")));
    }
}
