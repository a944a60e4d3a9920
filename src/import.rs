//! `proforma import`: read every input, then commit them all in one transaction, so a bad
//! file anywhere leaves the workspace untouched.

use crate::cur::{self, CurError, Source};
use crate::store::{CommitReport, ImportBatch, StoreError, Workspace};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Read(#[from] CurError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reports reading progress: the source being read and the bytes read of it so far.
pub trait Progress: Sync {
    fn start(&self, _source: &Source) {}
    fn advance(&self, _bytes: u64) {}
    fn finish(&self) {}
}

/// No progress display (tests, non-terminal stderr).
pub struct Quiet;
impl Progress for Quiet {}

pub fn import(
    ws: &mut Workspace,
    sources: &[Source],
    progress: &dyn Progress,
) -> Result<CommitReport, ImportError> {
    let mut inputs = Vec::with_capacity(sources.len());
    for source in sources {
        progress.start(source);
        let read = cur::read_input(source, &|b| progress.advance(b));
        progress.finish();
        inputs.push(read?);
    }
    let batch = ImportBatch::from_inputs(inputs)?;
    let report = ws.commit_import(&batch)?;
    // Freeing a large aggregate takes a noticeable moment; nobody needs to wait for it.
    std::thread::spawn(move || drop(batch));
    Ok(report)
}
