//! Writing statements to files and recording their issue (issue 12 item 4): what
//! `proforma export --kind statement` and the TUI's month-end checklist both do.
//!
//! Files are written all or nothing: every target is checked first (an existing file is
//! refused unless `force`), each file is written to a temporary file beside its target and
//! renamed over it, and the issues are recorded in one transaction afterwards; when anything
//! fails, the files written so far are removed (and files `force` replaced are put back).

use super::statement::{self, Format, Header};
use crate::analysis::Analysis;
use crate::period::BillingPeriod;
use crate::store::Workspace;
use crate::store::statements::Issue;
use sha2::Digest;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why statements were not issued (nothing was written, nothing recorded).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct IssueError(pub String);

impl From<crate::store::StoreError> for IssueError {
    fn from(e: crate::store::StoreError) -> Self {
        IssueError(e.to_string())
    }
}

impl From<crate::analysis::ReportError> for IssueError {
    fn from(e: crate::analysis::ReportError) -> Self {
        IssueError(e.to_string())
    }
}

macro_rules! refuse {
    ($($t:tt)*) => { return Err(IssueError(format!($($t)*))) };
}

/// What to issue.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub period: BillingPeriod,
    /// One billing group (name or ARN); None: every group of the period.
    pub group: Option<&'a str>,
    /// One file per group into the directory `out`.
    pub all: bool,
    /// The file (one group), or the directory (`all`, or an existing directory).
    pub out: &'a Path,
    pub format: Format,
    /// Pass the group's tax on as a line of its own.
    pub with_tax: bool,
    /// Replace existing files.
    pub force: bool,
}

/// A statement written and recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedFile {
    pub number: String,
    pub group_name: String,
    /// Where it was written (absolute).
    pub path: PathBuf,
    pub sha256: String,
    /// The period was open: the statement says DRAFT.
    pub draft: bool,
}

/// One file written, and the file it replaced (moved aside until the issue is recorded).
struct Written {
    target: PathBuf,
    backup: Option<PathBuf>,
}

/// Removes what was written and puts replaced files back, newest first (best effort: this
/// runs on a failure already being reported).
fn roll_back(written: &[Written], made_dir: Option<&Path>) {
    for w in written.iter().rev() {
        let _ = std::fs::remove_file(&w.target);
        if let Some(b) = &w.backup {
            let _ = std::fs::rename(b, &w.target);
        }
    }
    if let Some(d) = made_dir {
        let _ = std::fs::remove_dir(d);
    }
}

/// Writes `bytes` to `target` through a temporary file in the same directory, renamed over
/// it (`force`: an existing file is first moved aside, see [`Written`]).
fn write_one(target: &Path, bytes: &[u8], force: bool) -> Result<Written, IssueError> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let what = |e: std::io::Error| IssueError(format!("cannot write {}: {e}", target.display()));
    let mut tmp = tempfile::Builder::new()
        .prefix(".statement-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(what)?;
    tmp.write_all(bytes).map_err(what)?;
    tmp.as_file().sync_all().map_err(what)?;
    let mut backup = None;
    if force && target.exists() {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let b = dir.join(format!(".{name}.{}.replaced", std::process::id()));
        std::fs::rename(target, &b).map_err(what)?;
        backup = Some(b);
    }
    // Never over a file that appeared since the targets were checked.
    if let Err(e) = tmp.persist_noclobber(target) {
        if let Some(b) = &backup {
            let _ = std::fs::rename(b, target);
        }
        return Err(what(e.error));
    }
    Ok(Written {
        target: target.to_path_buf(),
        backup,
    })
}

/// SHA-256 of `bytes`, lower-case hex.
fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes the statements `req` asks for and records their issue; returns what was issued.
///
/// # Errors
/// No data for the period, an unknown group, no groups, a target that exists (without
/// `force`) or cannot be written, amounts in several currencies; the store's. Nothing is
/// written then.
pub fn issue(ws: &mut Workspace, req: &Request<'_>) -> Result<Vec<IssuedFile>, IssueError> {
    let format = req.format;
    let period = req.period;
    let deliveries = ws.deliveries()?;
    if !deliveries.iter().any(|d| d.period == period) {
        refuse!(
            "no cost data for period {period} in {}",
            ws.path().display()
        );
    }
    let analysis = match req.group {
        Some(g) => Analysis::load_group(ws, period, None, g)?,
        None => Analysis::load_state(ws, period, None)?,
    };
    // A level-2 transfer's group is the downstream seller's to bill: not this workspace's.
    let groups: Vec<usize> = match req.group {
        Some(g) => {
            let g = analysis.group_index(g)?;
            analysis.refuse_level_two(g)?;
            vec![g]
        }
        None => (0..analysis.config.groups.len())
            .filter(|&g| analysis.listed_group(g))
            .collect(),
    };
    if groups.is_empty() {
        refuse!(
            "no billing groups in {period}: there is no statement to export (import a configuration with `proforma config import`)"
        );
    }
    // Refused before anything is written: amounts in several currencies are never added.
    analysis.currency()?;
    // A closed period shows the names at its close (byte-for-byte reproducible).
    let names: HashMap<String, String> = ws.account_names_at(period)?;
    let group_names: Vec<&str> = groups
        .iter()
        .map(|&g| analysis.config.groups[g].name.as_str())
        .collect();

    // The targets, all checked before anything is written.
    let (targets, make_dir): (Vec<PathBuf>, Option<&Path>) = if req.all {
        if req.out.exists() && !req.out.is_dir() {
            refuse!(
                "--out {} is a file: with --all it names a directory (one file per group is written into it)",
                req.out.display()
            );
        }
        let files = statement::file_names(&group_names, period, format);
        let dir_missing = !req.out.exists();
        (
            files.iter().map(|f| req.out.join(f)).collect(),
            dir_missing.then_some(req.out),
        )
    } else if req.out.is_dir() {
        let files = statement::file_names(&group_names, period, format);
        (files.iter().map(|f| req.out.join(f)).collect(), None)
    } else {
        (vec![req.out.to_path_buf()], None)
    };
    for t in &targets {
        if t.exists() && !req.force {
            refuse!(
                "{} exists; nothing was written (pass --force to replace it)",
                t.display()
            );
        }
        if t.is_dir() {
            refuse!("{} is a directory; nothing was written", t.display());
        }
        if make_dir.is_none() {
            let parent = t.parent().filter(|p| !p.as_os_str().is_empty());
            if let Some(p) = parent
                && !p.is_dir()
            {
                refuse!(
                    "cannot write {}: the directory {} does not exist",
                    t.display(),
                    p.display()
                );
            }
        }
    }

    let draft = !ws.is_closed(period)?;
    let config_version = statement::config_version(&analysis.config);
    let arns: Vec<&str> = groups
        .iter()
        .map(|&g| analysis.config.groups[g].arn.as_str())
        .collect();
    let mut written: Vec<Written> = Vec::new();
    let mut issued: Vec<IssuedFile> = Vec::new();
    let made_dir = match make_dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| {
                IssueError(format!("cannot create the directory {}: {e}", d.display()))
            })?;
            Some(d)
        }
        None => None,
    };
    let result = ws.issue_statements(period, &arns, |numbers| {
        let mut issues = Vec::new();
        for ((&g, target), number) in groups.iter().zip(&targets).zip(numbers) {
            let header = Header {
                number: number.clone(),
                config_version: config_version.clone(),
                draft,
                with_tax: req.with_tax,
            };
            let st = statement::build(&analysis, g, &header, &names)?;
            let bytes = st.render(format).map_err(|e| {
                IssueError(format!(
                    "cannot render the statement of {}: {e}",
                    st.group_name
                ))
            })?;
            written.push(write_one(target, &bytes, req.force)?);
            let sha256 = sha256_hex(&bytes);
            let shown = std::path::absolute(target).unwrap_or_else(|_| target.clone());
            issued.push(IssuedFile {
                number: number.clone(),
                group_name: st.group_name.clone(),
                path: shown.clone(),
                sha256: sha256.clone(),
                draft,
            });
            issues.push(Issue {
                number: number.clone(),
                group_arn: st.group_arn.clone(),
                group_name: st.group_name.clone(),
                format: format.extension().to_string(),
                sha256,
                config_version: config_version.clone(),
                draft,
                path: shown.display().to_string(),
            });
        }
        Ok::<_, IssueError>(issues)
    });
    if let Err(e) = result {
        roll_back(&written, made_dir);
        return Err(e);
    }
    for w in &written {
        if let Some(b) = &w.backup {
            let _ = std::fs::remove_file(b);
        }
    }
    Ok(issued)
}
