//! `proforma import`: read every input, then commit them all in one transaction, so a bad
//! file anywhere leaves the workspace untouched.
//!
//! Inputs must be regular files: a file is read more than once (its format is detected from
//! its first bytes, then it is read and hashed), so standard input (`-`, `/dev/stdin` on a
//! pipe), pipes, FIFOs, devices and directories are refused before anything is read. The same
//! file given twice (twice by name, through a link, by overlapping globs, or a copy with the
//! same content) is read and counted once, with a warning; so is a cost file holding exactly
//! the rows of another (the same data compressed differently).

use crate::cur::{self, CurError, Source};
use crate::store::{CommitReport, ImportBatch, StoreError, Workspace};
use std::path::{Path, PathBuf};

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

/// Refuses what cannot be read more than once; returns the file's identity (device, inode)
/// for spotting the same file given twice.
fn check_regular(path: &Path) -> Result<(u64, u64), CurError> {
    let unsupported = |detail: String| CurError::Unsupported {
        path: path.to_path_buf(),
        detail,
    };
    if path.as_os_str() == "-" {
        return Err(unsupported(
            "reading from standard input is not supported: proforma import reads a file more \
             than once (to detect its format, then to read and hash it); save the data to a \
             file and import that file"
                .into(),
        ));
    }
    let meta = std::fs::metadata(path).map_err(|e| CurError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a pipe, FIFO, socket or device, such as standard input)"
        };
        return Err(unsupported(format!(
            "{kind}: proforma import reads a file more than once (to detect its format, then \
             to read and hash it), so it takes regular files only; save the data to a file \
             and import that file"
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        // Without inodes, the content hash still catches the same file given twice.
        let _ = meta;
        Ok((0, 0))
    }
}

/// True when two cost files hold the same decompressed content: the same data given twice in
/// another form (`cur.csv` and `cur.csv.gz`). Equal totals are not enough: genuine parts of one
/// delivery can hold rows that aggregate alike (other line item ids, other resources).
/// Reads every source and commits them as one transaction (README "Deliveries replace, never
/// add"). Returns what changed; `CommitReport::warnings` says which inputs were the same file
/// given twice (counted once) and which held no data rows. On any error nothing is written.
pub fn import(
    ws: &mut Workspace,
    sources: &[Source],
    progress: &dyn Progress,
) -> Result<CommitReport, ImportError> {
    let mut warnings = Vec::new();
    // A manifest stands for the files it lists (cur::manifest), which must hold its delivery.
    let mut expanded: Vec<Source> = Vec::with_capacity(sources.len());
    let mut listed: Vec<(PathBuf, std::rc::Rc<cur::manifest::Manifest>)> = Vec::new();
    for source in sources {
        if let Source::File(path) = source {
            check_regular(path)?;
            if let Some(m) = cur::manifest::sniff(path)? {
                let m = std::rc::Rc::new(m);
                for part in &m.parts {
                    expanded.push(Source::File(part.path.clone()));
                    listed.push((part.path.clone(), m.clone()));
                }
                continue;
            }
        }
        expanded.push(source.clone());
    }
    let sources = &expanded;
    // Refuse every unreadable input before reading any, so a pipe never blocks the command.
    let mut unique: Vec<&Source> = Vec::with_capacity(sources.len());
    let mut seen_ids: Vec<((u64, u64), PathBuf)> = Vec::new();
    for source in sources {
        if let Source::File(path) = source {
            let id = check_regular(path)?;
            #[cfg(unix)]
            if let Some((_, first)) = seen_ids.iter().find(|(i, _)| *i == id) {
                warnings.push(format!(
                    "{} is the same file as {}: read and counted once",
                    path.display(),
                    first.display()
                ));
                continue;
            }
            seen_ids.push((id, path.clone()));
        }
        unique.push(source);
    }

    // Each file joins the batch as soon as it is read (its lines packed), so a many-file
    // import holds one file's aggregate at a time; what the duplicate checks need of the
    // earlier files is kept beside it.
    let mut batch = ImportBatch::default();
    let mut read: Vec<(String, u64, String, Option<String>)> = Vec::with_capacity(unique.len());
    let mut formats: Vec<DeliveryFormat> = Vec::new();
    for source in unique {
        progress.start(source);
        let result = cur::read_input_packed(
            source,
            &|b| progress.advance(b),
            Some(&crate::store::pack_lines),
        );
        progress.finish();
        let (meta, input) = result?;
        if let Source::File(path) = source
            && let Some((_, m)) = listed.iter().find(|(p, _)| p == path)
        {
            check_manifest_delivery(m, path, &input)?;
        }
        if let Some((first, ..)) = read
            .iter()
            .find(|(_, size, hash, _)| *hash == meta.hash && *size == meta.size)
        {
            warnings.push(format!(
                "{} has the same content as {} (same size and xxh3-128 hash): counted once",
                source.display_path().display(),
                first
            ));
            continue;
        }
        let content = match &input {
            cur::Input::Cost(extract) if extract.rows > 0 => extract.content_hash.clone(),
            _ => None,
        };
        if let Some(hash) = &content
            && let Some((first, ..)) = read.iter().find(|(.., c)| c.as_ref() == Some(hash))
        {
            warnings.push(format!(
                "{} holds the same data as {} (the same content, compressed differently): \
                 counted once",
                source.display_path().display(),
                first
            ));
            continue;
        }
        let empty = match &input {
            cur::Input::Cost(extract) => (extract.rows == 0).then_some("a header only"),
            cur::Input::Accounts(list) => list.is_empty().then_some("no accounts"),
        };
        if let Some(what) = empty {
            warnings.push(format!(
                "{}: no data rows (the file holds {what}); nothing imported from it",
                source.display_path().display()
            ));
        }
        if let cur::Input::Cost(extract) = &input {
            check_one_format(&mut formats, &meta, extract)?;
        }
        let is_cost = matches!(input, cur::Input::Cost(_));
        read.push((
            meta.path.clone(),
            meta.size,
            meta.hash.clone(),
            content.filter(|_| is_cost),
        ));
        batch.add(meta, input)?;
    }
    let batch = batch.finish();
    let mut report = ws.commit_import(&batch)?;
    report.warnings = warnings;
    // Freeing a large aggregate takes a noticeable moment; nobody needs to wait for it.
    std::thread::spawn(move || drop(batch));
    Ok(report)
}

/// The format one delivery (payer, period) of an import was read in, and from which file.
struct DeliveryFormat {
    period: crate::period::BillingPeriod,
    payer: String,
    family: String,
    format: String,
    path: String,
}

/// A format without its compression and FOCUS version: the parts of one export share it.
fn format_family(format: &str) -> String {
    let base = format.split(" (").next().unwrap_or(format);
    match base.strip_prefix("FOCUS ") {
        Some(rest) => {
            let kind = rest.rsplit(' ').next().unwrap_or(rest);
            format!("FOCUS {kind}")
        }
        None => base.to_string(),
    }
}

/// Refuses one delivery read from files of two formats: the parts of one export share a
/// format, so a legacy CUR beside a CUR 2.0 or FOCUS export of the same month is the same
/// charges twice (a bucket holding both is common while moving to Data Exports), and summing
/// them would double the bill. Compression does not count (a `.csv` beside its `.csv.gz` is
/// caught as the same content).
fn check_one_format(
    seen: &mut Vec<DeliveryFormat>,
    meta: &cur::SourceMeta,
    extract: &cur::CostExtract,
) -> Result<(), CurError> {
    let family = format_family(&meta.format);
    // A cube beside a CUR of its delivery has its own refusal (the batch's, more precise).
    if family.contains("cube") {
        return Ok(());
    }
    let mut mine: Vec<(crate::period::BillingPeriod, &str)> = extract
        .lines
        .iter()
        .map(|a| (a.period, a.payer.as_str()))
        .collect();
    mine.dedup();
    for (period, payer) in mine {
        match seen.iter().find(|d| d.period == period && d.payer == payer) {
            Some(d) if d.family != family => {
                return Err(CurError::Unsupported {
                    path: PathBuf::from(&meta.path),
                    detail: format!(
                        "holds payer {payer}'s {period} as {}, and {} holds the same delivery as {}: \
                         one delivery is one export in one format, so these are the same \
                         charges twice; import one of them (a later import of the other \
                         replaces it, SPEC 1.2). Nothing was imported",
                        meta.format, d.path, d.format
                    ),
                });
            }
            Some(_) => {}
            None => seen.push(DeliveryFormat {
                period,
                payer: payer.to_string(),
                family: family.clone(),
                format: meta.format.clone(),
                path: meta.path.clone(),
            }),
        }
    }
    Ok(())
}

/// A file a manifest lists must hold cost rows of the manifest's payer and period only.
fn check_manifest_delivery(
    m: &cur::manifest::Manifest,
    file: &Path,
    input: &cur::Input,
) -> Result<(), CurError> {
    let fail = |detail: String| CurError::Manifest {
        path: m.path.clone(),
        detail,
    };
    let cur::Input::Cost(extract) = input else {
        return Err(fail(format!(
            "{} ({}) is an account list, not cost data",
            file.display(),
            m.kind.name()
        )));
    };
    for lines in &extract.lines {
        let payer_ok = m.payer.as_deref().is_none_or(|p| p == lines.payer.as_str());
        let period_ok = m.period.is_none_or(|p| p == lines.period);
        if !payer_ok || !period_ok {
            return Err(fail(format!(
                "{} holds rows of payer {}, period {}, but the {} is the delivery of payer {}, \
                 period {}",
                file.display(),
                lines.payer,
                lines.period,
                m.kind.name(),
                m.payer.as_deref().unwrap_or("(any)"),
                m.period.map_or("(any)".to_string(), |p| p.to_string()),
            )));
        }
    }
    Ok(())
}
