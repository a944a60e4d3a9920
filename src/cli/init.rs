use crate::store::Workspace;
use std::path::Path;

pub fn run(path: &Path) -> color_eyre::Result<()> {
    Workspace::create(path)?;
    println!("created workspace {}", path.display());
    Ok(())
}
