//! The SQLite workspace: schema and migrations, deliveries of cost data, accounts, audit log.
//! Every write is one transaction; readers get exact decimals back.

pub mod config;
mod deliveries;
pub mod periods;
mod queries;
pub mod scenarios;
pub mod schema;
pub mod session;

pub use deliveries::{
    CommitReport, Delivery, DeliveryOutcome, DeliveryStatus, FileRecord, ImportBatch,
};
pub use queries::{AccountRow, AuditRow, DailyRow, DeliveryRow, StoredLine};

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: a file already exists there; proforma init does not overwrite", .0.display())]
    Exists(PathBuf),
    #[error("{}: no workspace there (create one with `proforma init {}`)", .0.display(), .0.display())]
    NotFound(PathBuf),
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
    #[error("workspace database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "{0} is closed: its data is frozen (reopen it with a reason before importing a new delivery)"
    )]
    ClosedPeriod(crate::period::BillingPeriod),
    #[error("workspace holds a value that is not a number: {0}")]
    BadStoredNumber(String),
}

pub struct Workspace {
    conn: Connection,
    path: PathBuf,
    /// Who this connection writes as in the audit log (undo is per session; multi-process).
    session: session::Session,
}

impl Workspace {
    /// Creates an empty workspace; refuses if anything exists at `path`.
    pub fn create(path: &Path) -> Result<Self, StoreError> {
        if path.exists() {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.pragma_update(None, "application_id", schema::APPLICATION_ID)?;
        Self::prepare(conn, path)
    }

    /// Opens an existing workspace, bringing its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::NotFound(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Check before any pragma writes, so a foreign file is left exactly as it was.
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
        Self::prepare(conn, path)
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
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            session: session::Session::start(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
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
