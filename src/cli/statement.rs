//! `proforma export --kind statement`: not built yet (issue 12).

use super::export::Args;
use std::path::Path;

/// Runs the export.
///
/// # Errors
/// Always, until it is built.
pub fn run(_path: &Path, args: &Args<'_>) -> color_eyre::Result<()> {
    Err(color_eyre::eyre::eyre!("export --kind {:?} is not built yet", args.kind))
}
