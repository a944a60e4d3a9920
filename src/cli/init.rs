use crate::store::Workspace;
use std::path::Path;

pub fn run(path: &Path) -> color_eyre::Result<()> {
    Workspace::create(path)?;
    let shown = path.display().to_string();
    super::table::print_safe(&format!("created workspace {shown}\n"), false)?;
    Ok(())
}
