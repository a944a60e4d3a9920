//! Delivery manifests (cur_formats.md section 1.1 and section 2): the legacy CUR
//! `<report>-Manifest.json` (`reportKeys`, `billingPeriod`, `account`, `columns`) and the Data
//! Exports `<export>-Manifest.json` (`dataFiles`, `exportArn`, `billingPeriod` when present).
//! A manifest names the files of one delivery; `proforma import WS manifest.json` imports
//! exactly those files, as the manifest's (payer, period).
//!
//! Keys to local paths: a key is an S3 key (`prefix/report/20261001-20261101/<assembly>/
//! report-1.csv.gz`) or URI (`s3://bucket/prefix/export/data/BILLING_PERIOD=2026-10/
//! export-00001.csv.gz`); the bucket of a URI is dropped. The file is looked for at the key's
//! trailing components, longest first, down to the file name alone, under the manifest's
//! directory, then its parent, then its grandparent (so a copy of the bucket's layout works,
//! with the Data Exports manifest in `metadata/BILLING_PERIOD=.../` beside `data/`, and so
//! does a folder holding the manifest and its files side by side). The first regular file
//! found is the part.

use super::CurError;
use crate::period::BillingPeriod;
use std::path::{Path, PathBuf};

/// Larger than this, a JSON file is not a manifest (real ones are tens of kilobytes).
const MAX_BYTES: u64 = 16 << 20;

/// Which kind of manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestKind {
    /// Legacy CUR (`reportKeys`).
    LegacyCur,
    /// Data Exports (CUR 2.0, `dataFiles`).
    DataExports,
}

impl ManifestKind {
    /// How the kind is named in messages.
    pub fn name(self) -> &'static str {
        match self {
            ManifestKind::LegacyCur => "legacy CUR manifest",
            ManifestKind::DataExports => "Data Exports manifest",
        }
    }
}

/// One file a manifest lists, found on disk.
#[derive(Debug, Clone)]
pub struct ManifestPart {
    /// The key as the manifest writes it.
    pub key: String,
    /// Where it was found.
    pub path: PathBuf,
    /// Its size in bytes, when the manifest gives it (checked against the file).
    pub size: Option<u64>,
}

/// A parsed manifest with its parts resolved to local files.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub path: PathBuf,
    pub kind: ManifestKind,
    /// The payer account (`account`, or the account of `exportArn`), when given.
    pub payer: Option<String>,
    /// The billing period (`billingPeriod.start`, or `BILLING_PERIOD=YYYY-MM` in the keys).
    pub period: Option<BillingPeriod>,
    pub parts: Vec<ManifestPart>,
}

fn err(path: &Path, detail: String) -> CurError {
    CurError::Manifest {
        path: path.to_path_buf(),
        detail,
    }
}

/// Reads `path` as a manifest if it is one: a JSON object with `reportKeys` or `dataFiles`.
/// Returns `None` for anything else (left to the other readers).
///
/// # Errors
/// A manifest whose fields are malformed, a listed file that is missing or whose size differs
/// from the manifest's, or an unreadable file.
pub fn sniff(path: &Path) -> Result<Option<Manifest>, CurError> {
    let io = |e| CurError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return Ok(None);
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if text.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Ok(None);
    }
    let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice::<serde_json::Value>(text)
    else {
        return Ok(None);
    };
    let (kind, list) = if let Some(v) = obj.get("reportKeys") {
        (ManifestKind::LegacyCur, v)
    } else if let Some(v) = obj.get("dataFiles") {
        (ManifestKind::DataExports, v)
    } else {
        return Ok(None);
    };
    let field = if kind == ManifestKind::LegacyCur {
        "reportKeys"
    } else {
        "dataFiles"
    };
    let serde_json::Value::Array(items) = list else {
        return Err(err(path, format!("`{field}` is not a list of file keys")));
    };
    if items.is_empty() {
        return Err(err(path, format!("`{field}` lists no data file")));
    }
    let mut entries: Vec<(String, Option<u64>)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let entry = match item {
            serde_json::Value::String(s) => Some((s.clone(), None)),
            // Accepted too: `{ "key": ..., "size": ... }` (or `s3Key`/`path`, `sizeBytes`).
            serde_json::Value::Object(o) => ["key", "s3Key", "path"]
                .iter()
                .find_map(|k| o.get(*k).and_then(|v| v.as_str()))
                .map(|k| {
                    let size = ["size", "sizeBytes", "contentLength"]
                        .iter()
                        .find_map(|s| o.get(*s).and_then(size_of));
                    (k.to_string(), size)
                }),
            _ => None,
        };
        match entry {
            Some((k, size)) if !k.trim().is_empty() => entries.push((k, size)),
            _ => {
                return Err(err(
                    path,
                    format!("`{field}` item {} is not a file key", i + 1),
                ));
            }
        }
    }
    let payer = obj
        .get("account")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .or_else(|| {
            ["exportArn", "exportARN"]
                .iter()
                .find_map(|k| obj.get(*k).and_then(|v| v.as_str()))
                .and_then(|arn| arn.split(':').nth(4))
                .filter(|a| !a.is_empty())
                .map(str::to_string)
        });
    let period = match obj.get("billingPeriod") {
        Some(v) => Some(period_of(v).ok_or_else(|| {
            err(
                path,
                format!("`billingPeriod` {v} is not a period (expected {{\"start\": \"20261001T000000.000Z\", ...}} or \"2026-10\")"),
            )
        })?),
        None => entries
            .iter()
            .find_map(|(k, _)| k.split("BILLING_PERIOD=").nth(1))
            .and_then(|rest| rest.get(..7))
            .and_then(|p| p.parse().ok()),
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut parts = Vec::with_capacity(entries.len());
    for (key, size) in entries {
        let found = locate(dir, &key).ok_or_else(|| {
            let name = key.rsplit('/').next().unwrap_or(&key);
            err(
                path,
                format!(
                    "a part of the delivery is missing: {key} (looked for {} and its folders \
                     under {}, its parent and grandparent)",
                    name,
                    dir.display()
                ),
            )
        })?;
        if let Some(want) = size {
            let have = std::fs::metadata(&found).map_err(io)?.len();
            if have != want {
                return Err(err(
                    path,
                    format!(
                        "{} is {have} bytes where the manifest says {want} for {key}: an \
                         incomplete or different file",
                        found.display()
                    ),
                ));
            }
        }
        parts.push(ManifestPart {
            key,
            path: found,
            size,
        });
    }
    Ok(Some(Manifest {
        path: path.to_path_buf(),
        kind,
        payer,
        period,
        parts,
    }))
}

fn size_of(v: &serde_json::Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// `{"start": "20261001T000000.000Z", "end": ...}`, `"2026-10"` or an ISO timestamp.
fn period_of(v: &serde_json::Value) -> Option<BillingPeriod> {
    let text = match v {
        serde_json::Value::Object(o) => o.get("start")?.as_str()?,
        serde_json::Value::String(s) => s.as_str(),
        _ => return None,
    };
    let t = text.trim();
    if let Some(p) = BillingPeriod::from_timestamp(t) {
        return Some(p);
    }
    // Compact: 20261001T000000.000Z.
    let (y, m) = (t.get(..4)?.parse().ok()?, t.get(4..6)?.parse().ok()?);
    BillingPeriod::new(y, m)
}

/// The local file a key names (module docs: trailing components, longest first, under the
/// manifest's folder, its parent and its grandparent).
fn locate(dir: &Path, key: &str) -> Option<PathBuf> {
    let key = key
        .strip_prefix("s3://")
        .map_or(key, |rest| rest.split_once('/').map_or(rest, |(_, k)| k));
    let parts: Vec<&str> = key
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .collect();
    let bases: Vec<&Path> = [Some(dir), dir.parent(), dir.parent().and_then(Path::parent)]
        .into_iter()
        .flatten()
        .collect();
    for from in 0..parts.len() {
        for base in &bases {
            let mut p = base.to_path_buf();
            p.extend(&parts[from..]);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_in_every_spelling() {
        let p = |s: &str| period_of(&serde_json::json!(s)).map(|p| p.to_string());
        assert_eq!(p("2026-10"), Some("2026-10".into()));
        assert_eq!(p("20261001T000000.000Z"), Some("2026-10".into()));
        assert_eq!(
            period_of(&serde_json::json!({"start": "20191201T000000.000Z"})).map(|p| p.to_string()),
            Some("2019-12".into())
        );
        assert_eq!(p("soon"), None);
    }

    #[test]
    fn keys_resolve_by_trailing_components() {
        let d = tempfile::tempdir().expect("tempdir");
        let root = d.path().join("export");
        let meta = root.join("metadata/BILLING_PERIOD=2026-10");
        let data = root.join("data/BILLING_PERIOD=2026-10");
        std::fs::create_dir_all(&meta).expect("mkdir");
        std::fs::create_dir_all(&data).expect("mkdir");
        std::fs::write(data.join("x-00001.csv.gz"), b"x").expect("write");
        let got = locate(
            &meta,
            "s3://bucket/prefix/export/data/BILLING_PERIOD=2026-10/x-00001.csv.gz",
        );
        assert_eq!(got, Some(data.join("x-00001.csv.gz")));
        assert_eq!(locate(&meta, "prefix/export/data/x-00002.csv.gz"), None);
        // Side by side.
        std::fs::write(meta.join("y.csv"), b"y").expect("write");
        assert_eq!(locate(&meta, "a/b/c/y.csv"), Some(meta.join("y.csv")));
    }
}
