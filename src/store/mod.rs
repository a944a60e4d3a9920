//! The SQLite workspace: schema and migrations, deliveries of cost data, accounts, audit log.
//! Every write is one transaction; readers get exact decimals back.

pub mod aws_proforma;
mod chunks;
pub mod close_log;
pub mod config;
mod deliveries;
pub mod invoices;
pub mod periods;
mod queries;
pub mod restatements;
pub mod scenarios;
pub mod schema;
pub mod session;
pub mod source_files;
pub mod statements;
mod totals;

pub use deliveries::{
    CommitReport, Delivery, DeliveryOutcome, DeliveryStatus, FileRecord, ImportBatch, pack_lines,
};
pub use queries::{AccountRow, AuditRow, DailyRow, DeliveryRow, StoredLine};

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// Why the workspace could not be created, opened, read or written. Each message names the
/// workspace file and says what to do; nothing is half-written when one is returned (every
/// write is one transaction).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `init` on a path where something exists.
    #[error("{}: a file already exists there; proforma init does not overwrite", .0.display())]
    Exists(PathBuf),
    /// No file at the workspace path.
    #[error("{}: no workspace there (create one with `proforma init {}`)", .0.display(), .0.display())]
    NotFound(PathBuf),
    /// A file that is not an SQLite database with proforma's schema.
    #[error("{}: not a proforma workspace{}", path.display(), detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    NotWorkspace {
        path: PathBuf,
        detail: Option<String>,
    },
    #[error(
        "{}: the workspace was written by a newer proforma (schema {found}, this build knows {supported}); open it with that version",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// A read-only workspace (file or directory not writable) of an older schema: upgrading
    /// it means writing.
    #[error(
        "{}: the workspace has schema {found} and this build needs {needed}; it is read-only here, so it cannot be upgraded: open it once with write access (a writable file in a writable directory) to upgrade it",
        path.display()
    )]
    NeedsUpgrade {
        path: PathBuf,
        found: i64,
        needed: i64,
    },
    /// A read-only workspace whose `-wal` holds changes that cannot be read without creating
    /// the `-shm` index beside it.
    #[error(
        "{}: {}-wal holds changes not yet folded into the workspace, and its directory is read-only so they cannot be read safely; open the workspace once where its directory is writable",
        .0.display(), .0.display()
    )]
    ReadOnlyWal(PathBuf),
    /// The workspace file exists but this user may not read it.
    #[error("{}: cannot read the workspace: {cause}", path.display())]
    Unreadable {
        path: PathBuf,
        /// Not `source`: the message already says it, and the error chain would repeat it.
        cause: std::io::Error,
    },
    #[error("{}: cannot create the workspace: {source}", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A command that writes, on a workspace that is not writable here (see
    /// [`Workspace::open_for_reading`] for how that is decided).
    #[error(
        "{}: the workspace is read-only here (the file or its directory is not writable); nothing was saved",
        .0.display()
    )]
    ReadOnly(PathBuf),
    /// The file at the workspace's path is no longer the one this process opened (deleted,
    /// or another file renamed over it): writing would go to an unlinked file (SPEC 6:
    /// nothing is written by a command that fails).
    #[error(
        "the workspace file was deleted or replaced since it was opened: {}; nothing was saved",
        .0.display()
    )]
    Replaced(PathBuf),
    /// SQLITE_FULL (the disk, or a size limit, is full; SQLite maps ENOSPC to it).
    #[error("disk full while writing {}; nothing was saved", .0.display())]
    DiskFull(PathBuf),
    /// Another process held the write lock past the busy timeout (5 s); the write was not
    /// made (issue 8 item 5: never "database is locked").
    #[error(
        "the workspace is busy: another process has been writing to it for more than 5 s; nothing was changed, try again"
    )]
    Busy,
    #[error("workspace database: {0}")]
    Sqlite(rusqlite::Error),
    #[error(
        "{0} is closed: its data is frozen (reopen it with a reason before importing a new delivery)"
    )]
    ClosedPeriod(crate::period::BillingPeriod),
    #[error("workspace holds a value that is not a number: {0}")]
    BadStoredNumber(String),
    /// A stored aggregate chunk that cannot be encoded or decoded (store/chunks.rs).
    #[error("{0}")]
    BadChunk(String),
}

thread_local! {
    /// The workspace this thread last opened or committed to, for naming it in errors that
    /// SQLite reports without a path (a refused commit, a full disk).
    static LAST_PATH: std::cell::RefCell<Option<PathBuf>> = const { std::cell::RefCell::new(None) };
}

fn set_last_path(path: &Path) {
    LAST_PATH.with(|p| *p.borrow_mut() = Some(path.to_path_buf()));
}

/// A stored configuration object that does not read back (SPEC 2 JSON of an unknown kind or
/// shape): the workspace holds a value it cannot use.
impl From<crate::model::ObjectError> for StoreError {
    fn from(e: crate::model::ObjectError) -> Self {
        StoreError::BadStoredNumber(e.0)
    }
}

impl From<rusqlite::Error> for StoreError {
    /// Names the failures a user can act on: a commit refused because the workspace file was
    /// deleted or replaced (the commit hook's rollback), a full disk, a read-only workspace.
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            )
        {
            return StoreError::Busy;
        }
        let path = LAST_PATH.with(|p| p.borrow().clone());
        if let (rusqlite::Error::SqliteFailure(f, _), Some(path)) = (&e, path) {
            // SQLite's own refusal to write a moved database (rollback journal) means the same.
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_COMMITHOOK
                || f.extended_code == rusqlite::ffi::SQLITE_READONLY_DBMOVED
            {
                return StoreError::Replaced(path);
            }
            if f.code == rusqlite::ErrorCode::DiskFull {
                return StoreError::DiskFull(path);
            }
            // A write on a workspace opened read-only (`open_for_reading`).
            if f.code == rusqlite::ErrorCode::ReadOnly {
                return StoreError::ReadOnly(path);
            }
        }
        StoreError::Sqlite(e)
    }
}

/// Which file a path names: (device, inode).
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Whether this process may write `path` (a file or a directory). Chosen from the mode bits
/// (a file or directory with no write bit counts as read-only even for root, who `access(2)`
/// would let write) and from `access(2)` (another owner's file, a read-only mount).
fn writable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    !meta.permissions().readonly() && rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok()
}

/// `path` with `suffix` appended (`-wal`, `-shm`).
fn side_path(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_os_string();
    p.push(suffix);
    PathBuf::from(p)
}

/// The directory holding `path` ("." for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// `file:` URI of `path` for SQLite, every byte outside the unreserved set percent-encoded.
fn file_uri(path: &Path, query: &str) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push('?');
    uri.push_str(query);
    uri
}

/// A proforma workspace: one SQLite file holding the imported deliveries (aggregated lines
/// and daily series per payer and period), the configuration's versions by period, the
/// audit log (undo/redo per session), scenarios and period closes. Opened by one process
/// per connection; every write is one transaction, and a write that would overwrite another
/// process's change since it was read is refused (`ConfigError::Stale`). Errors are
/// [`StoreError`]s naming the file.
pub struct Workspace {
    conn: Connection,
    path: PathBuf,
    /// Who this connection writes as in the audit log (undo is per session; multi-process).
    session: session::Session,
    read_only: bool,
    /// (device, inode) of the file at `path` when it was opened.
    identity: Option<(u64, u64)>,
    /// (device, inode) of the `-wal` and `-shm` files this connection uses (writable
    /// workspaces), to remove them if the workspace was deleted or replaced (see `Drop`).
    side_files: Vec<(PathBuf, (u64, u64))>,
}

impl Workspace {
    /// Creates an empty workspace; refuses if anything exists at `path`. The file (and the
    /// `-wal`/`-shm` SQLite creates beside it with the same mode) is readable and writable by
    /// the owner only (0600), whatever the umask: it holds billing data.
    /// A workspace that cannot be created completely (a full disk, say) is removed again, so a
    /// failed `init` leaves nothing behind.
    pub fn create(path: &Path) -> Result<Self, StoreError> {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if path.exists() {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        // A -wal left by a deleted workspace would be replayed into the new one: refuse.
        for suffix in ["-wal", "-shm", "-journal"] {
            let p = side_path(path, suffix);
            if p.exists() {
                return Err(StoreError::Exists(p));
            }
        }
        // create_new: never overwrite, even a file that appeared since the check above.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => StoreError::Exists(path.to_path_buf()),
                std::io::ErrorKind::StorageFull => StoreError::DiskFull(path.to_path_buf()),
                _ => StoreError::Create {
                    path: path.to_path_buf(),
                    source: e,
                },
            })?;
        let made = (|| {
            // The umask only narrows the mode given at creation; set it exactly.
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(
                |e| StoreError::Create {
                    path: path.to_path_buf(),
                    source: e,
                },
            )?;
            set_last_path(path);
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            conn.pragma_update(None, "application_id", schema::APPLICATION_ID)?;
            Self::prepare(conn, path)
        })();
        if made.is_err() {
            // Ours alone: created above with create_new; the connection is closed by now.
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(side_path(path, suffix));
            }
        }
        made
    }

    /// Opens an existing workspace for reading and writing, bringing its schema up to date.
    /// Refuses ([`StoreError::ReadOnly`]) a workspace that is not writable here, decided as
    /// in [`Workspace::open_for_reading`] (so a 0444 file is not written, by root either).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::NotFound(path.to_path_buf()));
        }
        if !(writable(path) && writable(parent_dir(path))) {
            return Err(StoreError::ReadOnly(path.to_path_buf()));
        }
        Self::open_writable(path)
    }

    fn open_writable(path: &Path) -> Result<Self, StoreError> {
        set_last_path(path);
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Self::check_application_id(&conn, path)?;
        Self::prepare(conn, path)
    }

    /// Opens a workspace for a command that only reads (`report`, `explain`, `config
    /// export`). A writable workspace opens as [`Workspace::open`] does. One that is not
    /// writable here (the file has no write bit or cannot be opened for writing, or its
    /// directory is not writable, so no `-wal`/`-shm` can be created) opens read-only:
    /// no migration, no pragma that writes. Without a `-wal` holding changes it is opened
    /// `immutable=1` (SQLite reads the main file alone, without locks, creating nothing);
    /// with one, read-only through the WAL, which uses the `-shm` index beside it (created
    /// if missing and the directory allows it). Errors: [`StoreError::NeedsUpgrade`] for an older schema,
    /// [`StoreError::ReadOnlyWal`] when the WAL cannot be read.
    pub fn open_for_reading(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::NotFound(path.to_path_buf()));
        }
        // A file this user may not read gets a plain message, not SQLite's about its URI.
        if let Err(cause) = std::fs::File::open(path) {
            return Err(StoreError::Unreadable {
                path: path.to_path_buf(),
                cause,
            });
        }
        let dir_writable = writable(parent_dir(path));
        if writable(path) && dir_writable {
            return Self::open_writable(path);
        }
        set_last_path(path);
        let wal_has_changes = std::fs::metadata(side_path(path, "-wal")).is_ok_and(|m| m.len() > 0);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        // Reading through the WAL fails when its -shm index can neither be opened nor created.
        let wal_unreadable = wal_has_changes && !dir_writable;
        let conn = if wal_has_changes {
            Connection::open_with_flags(file_uri(path, "mode=ro"), flags)
        } else {
            Connection::open_with_flags(file_uri(path, "mode=ro&immutable=1"), flags)
        }
        .map_err(|e| match wal_unreadable {
            true => StoreError::ReadOnlyWal(path.to_path_buf()),
            false => e.into(),
        })?;
        match Self::check_application_id(&conn, path) {
            Err(StoreError::NotWorkspace {
                detail: Some(_), ..
            }) if wal_unreadable => {
                return Err(StoreError::ReadOnlyWal(path.to_path_buf()));
            }
            other => other?,
        }
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > schema::latest_version() {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found,
                supported: schema::latest_version(),
            });
        }
        if found < schema::latest_version() {
            return Err(StoreError::NeedsUpgrade {
                path: path.to_path_buf(),
                found,
                needed: schema::latest_version(),
            });
        }
        // Connection settings only, nothing written to the file.
        conn.pragma_update(None, "query_only", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            session: session::Session::start(),
            read_only: true,
            identity: identity(path),
            side_files: Vec::new(),
        })
    }

    /// Reads the application id (a read, never a write), so a foreign file is left exactly as
    /// it was.
    fn check_application_id(conn: &Connection, path: &Path) -> Result<(), StoreError> {
        let app_id: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(|e| StoreError::NotWorkspace {
                path: path.to_path_buf(),
                detail: Some(e.to_string()),
            })?;
        if app_id != schema::APPLICATION_ID {
            return Err(StoreError::NotWorkspace {
                path: path.to_path_buf(),
                detail: None,
            });
        }
        Ok(())
    }

    fn prepare(mut conn: Connection, path: &Path) -> Result<Self, StoreError> {
        // The busy timeout first: switching the journal mode needs a lock, and another
        // process's write must make this open wait, not fail with "database is locked".
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        schema::migrate(&mut conn).map_err(|e| match e {
            StoreError::TooNew {
                found, supported, ..
            } => StoreError::TooNew {
                path: path.to_path_buf(),
                found,
                supported,
            },
            other => other,
        })?;
        let opened = Self::guard_writes(&mut conn, path)?;
        // The WAL files exist from the first read on (the migration check above).
        let side_files = ["-wal", "-shm"]
            .into_iter()
            .filter_map(|suffix| {
                let p = side_path(path, suffix);
                identity(&p).map(|id| (p, id))
            })
            .collect();
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            session: session::Session::start(),
            read_only: false,
            identity: Some(opened),
            side_files,
        })
    }

    /// Every write transaction of this connection, whichever code path began it, checks
    /// before it commits that `path` still names the file opened here (same device and
    /// inode); if the file was deleted or another was renamed over it, the commit becomes a
    /// rollback and the write fails with [`StoreError::Replaced`].
    fn guard_writes(conn: &mut Connection, path: &Path) -> Result<(u64, u64), StoreError> {
        let opened = identity(path).ok_or_else(|| StoreError::Replaced(path.to_path_buf()))?;
        let path = path.to_path_buf();
        conn.commit_hook(Some(move || {
            set_last_path(&path);
            identity(&path) != Some(opened)
        }))?;
        Ok(opened)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when opened by [`Workspace::open_for_reading`] in read-only mode.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// `Ok` while the workspace path still names the file opened here;
    /// [`StoreError::Replaced`] once it was deleted or another file was renamed over it.
    pub fn check_still_there(&self) -> Result<(), StoreError> {
        match identity(&self.path) {
            Some(now) if Some(now) == self.identity => Ok(()),
            _ => Err(StoreError::Replaced(self.path.clone())),
        }
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

impl Drop for Workspace {
    /// SQLite does not fold the `-wal` of a moved or unlinked database into it on close, and
    /// leaves the `-wal` and `-shm` at the old names: the next process opening whatever now
    /// lives at the path would replay this workspace's pages into it. So when the workspace
    /// was deleted or replaced, its own `-wal` and `-shm` (same inodes as at open) are removed
    /// once the connection is closed.
    fn drop(&mut self) {
        if self.side_files.is_empty() || self.check_still_there().is_ok() {
            return;
        }
        // Close first: swap in a connection to nothing, dropping the real one here.
        if let Ok(memory) = Connection::open_in_memory() {
            drop(std::mem::replace(&mut self.conn, memory));
            for (p, id) in &self.side_files {
                if identity(p) == Some(*id) {
                    let _ = std::fs::remove_file(p);
                }
            }
        }
    }
}

pub(crate) fn now_utc() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

pub(crate) fn decimal(text: &str) -> Result<rust_decimal::Decimal, StoreError> {
    text.parse()
        .map_err(|_| StoreError::BadStoredNumber(text.to_string()))
}

impl Workspace {
    /// Folds the WAL into the main file, so the workspace is one self-contained file
    /// (before it is moved or copied).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLITE_FULL (here from a page limit, as a full disk gives it) is named as a full disk
    /// with the workspace's path, and the refused write leaves nothing behind.
    #[test]
    fn sqlite_full_is_a_full_disk_naming_the_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.proforma");
        let mut ws = Workspace::create(&path).unwrap();
        let pages: i64 = ws
            .conn
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .unwrap();
        ws.conn
            .pragma_update(None, "max_page_count", pages)
            .unwrap();
        let period: crate::period::BillingPeriod = "2026-10".parse().unwrap();
        let long = "x".repeat(3000);
        let mut made = 0;
        let err = loop {
            match ws.create_scenario(&format!("{made}{long}"), period) {
                Ok(_) => made += 1,
                Err(e) => break e,
            }
            assert!(made < 1000, "the page limit never hit");
        };
        assert_eq!(
            err.to_string(),
            format!(
                "disk full while writing {}; nothing was saved",
                path.display()
            )
        );
        assert_eq!(ws.scenarios().unwrap().len(), made);
    }
}
