//! The files a delivery in force was read from, with what the import recorded of each (size,
//! xxh3-128 hash, format): what a line-level export re-reads and checks first (issue 12 item 5).

use super::{StoreError, Workspace};
use crate::period::BillingPeriod;
use rusqlite::params;

/// A file of a delivery in force, as recorded when it was imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedFile {
    /// The absolute path it was read from, or `embedded:NAME` for data shipped in the binary
    /// (the demo sample).
    pub path: String,
    /// Bytes of the file as stored (compressed files: compressed).
    pub size: u64,
    /// xxh3-128 of the file's bytes as stored, 32 hex digits (`cur::SourceMeta::hash`).
    pub hash: String,
    /// The format the import read it as (`cur::Format::name`).
    pub format: String,
    /// Rows of the file that belong to this delivery.
    pub rows: u64,
}

impl Workspace {
    /// The files of the delivery in force of (`payer`, `period`), by path.
    ///
    /// # Errors
    /// The store's, when the records cannot be read.
    pub fn delivery_files(
        &self,
        payer: &str,
        period: BillingPeriod,
    ) -> Result<Vec<RecordedFile>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT i.source_path, i.size, i.hash, i.format, f.rows FROM delivery_files f
             JOIN imports i ON i.import_id = f.import_id
             WHERE f.payer_id = ?1 AND f.period = ?2 ORDER BY i.source_path",
        )?;
        let rows = stmt.query_map(params![payer, period.to_string()], |r| {
            Ok(RecordedFile {
                path: r.get(0)?,
                size: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                hash: r.get(2)?,
                format: r.get(3)?,
                rows: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
