//! Where an input's bytes come from (a file, or data embedded in the binary) and how they are
//! decompressed. Compression is decided by `detect`, from the bytes, never by the file name.

use super::{CurError, Format};
use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::path::PathBuf;
use xxhash_rust::xxh3::Xxh3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zip,
}

#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    /// Bytes shipped inside the binary (the demo sample), with the name they are recorded under.
    Embedded {
        name: String,
        bytes: &'static [u8],
    },
}

/// What the workspace records about an imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMeta {
    pub path: String,
    pub size: u64,
    /// xxh3-128 of the file's bytes as stored (compressed files are hashed compressed).
    pub hash: String,
    pub format: String,
}

pub(crate) enum Raw {
    File(File),
    Mem(Cursor<&'static [u8]>),
}

impl Read for Raw {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Raw::File(f) => f.read(buf),
            Raw::Mem(c) => c.read(buf),
        }
    }
}

impl Seek for Raw {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            Raw::File(f) => f.seek(pos),
            Raw::Mem(c) => c.seek(pos),
        }
    }
}

/// Hashes everything read through it, so a streamed file is hashed in the same pass.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Xxh3,
    pub bytes: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

impl<R> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Xxh3::new(),
            bytes: 0,
        }
    }
    pub fn hex(&self) -> String {
        format!("{:032x}", self.hasher.digest128())
    }
}

impl Source {
    pub fn display_path(&self) -> PathBuf {
        match self {
            Source::File(p) => p.clone(),
            Source::Embedded { name, .. } => PathBuf::from(name),
        }
    }

    fn io_err(&self, source: io::Error) -> CurError {
        CurError::Io {
            path: self.display_path(),
            source,
        }
    }

    pub(crate) fn open_raw(&self) -> Result<Raw, CurError> {
        match self {
            Source::File(p) => File::open(p).map(Raw::File).map_err(|e| self.io_err(e)),
            Source::Embedded { bytes, .. } => Ok(Raw::Mem(Cursor::new(bytes))),
        }
    }

    pub fn size(&self) -> Result<u64, CurError> {
        match self {
            Source::File(p) => std::fs::metadata(p)
                .map(|m| m.len())
                .map_err(|e| self.io_err(e)),
            Source::Embedded { bytes, .. } => Ok(bytes.len() as u64),
        }
    }

    /// Hashes the whole file in a separate pass (for readers that cannot stream it).
    pub fn hash(&self) -> Result<String, CurError> {
        let mut r = HashingReader::new(self.open_raw()?);
        io::copy(&mut r, &mut io::sink()).map_err(|e| self.io_err(e))?;
        Ok(r.hex())
    }

    pub fn meta(&self, format: Format, hash: String) -> Result<SourceMeta, CurError> {
        Ok(SourceMeta {
            path: match self {
                Source::File(p) => std::path::absolute(p)
                    .unwrap_or_else(|_| p.clone())
                    .display()
                    .to_string(),
                Source::Embedded { name, .. } => format!("embedded:{name}"),
            },
            size: self.size()?,
            hash,
            format: format.name().to_string(),
        })
    }

    pub(crate) fn corrupt(&self, compression: Compression, e: impl std::fmt::Display) -> CurError {
        CurError::Corrupt {
            path: self.display_path(),
            format: match compression {
                Compression::None => "file",
                Compression::Gzip => "gzip",
                Compression::Zip => "zip",
            },
            detail: e.to_string(),
        }
    }

    /// Runs `f` on the decompressed content. Returns `f`'s result and the hash of the file.
    pub(crate) fn with_reader<T>(
        &self,
        compression: Compression,
        f: impl FnOnce(&mut dyn Read) -> Result<T, CurError>,
    ) -> Result<(T, String), CurError> {
        self.with_reader_hashed(compression, f)
            .map(|(out, file, _)| (out, file))
    }

    /// Like [`Source::with_reader`], and also returns the xxh3-128 of the decompressed
    /// content `f` read (for a plain file, the file's own hash): two files with the same
    /// content hash hold the same data, however each is compressed.
    pub(crate) fn with_reader_hashed<T>(
        &self,
        compression: Compression,
        f: impl FnOnce(&mut dyn Read) -> Result<T, CurError>,
    ) -> Result<(T, String, String), CurError> {
        match compression {
            Compression::None => {
                let mut r = HashingReader::new(self.open_raw()?);
                let out = f(&mut r)?;
                let hash = r.hex();
                Ok((out, hash.clone(), hash))
            }
            Compression::Gzip => {
                let mut r = HashingReader::new(self.open_raw()?);
                let (out, content) = {
                    let mut gz = HashingReader::new(flate2::read::MultiGzDecoder::new(&mut r));
                    let out = f(&mut gz)?;
                    (out, gz.hex())
                };
                // A gzip stream can end before the file does; hash what is left too.
                io::copy(&mut r, &mut io::sink()).map_err(|e| self.io_err(e))?;
                Ok((out, r.hex(), content))
            }
            Compression::Zip => {
                let mut archive = zip::ZipArchive::new(self.open_raw()?)
                    .map_err(|e| self.corrupt(compression, e))?;
                let index = zip_entry(&mut archive).map_err(|d| CurError::Unsupported {
                    path: self.display_path(),
                    detail: d,
                })?;
                let (out, content) = {
                    let entry = archive
                        .by_index(index)
                        .map_err(|e| self.corrupt(compression, e))?;
                    let mut entry = HashingReader::new(entry);
                    let out = f(&mut entry)?;
                    (out, entry.hex())
                };
                Ok((out, self.hash()?, content))
            }
        }
    }

    /// Up to `limit` bytes from the start of the decompressed content, for detection. A stream
    /// that breaks after its first bytes is reported later, by the full read.
    pub(crate) fn peek_decompressed(
        &self,
        compression: Compression,
        limit: usize,
    ) -> Result<Vec<u8>, CurError> {
        let mut raw = self.open_raw()?;
        let fill = |r: &mut dyn Read| -> Result<Vec<u8>, CurError> {
            let mut buf = Vec::with_capacity(limit);
            let mut chunk = [0u8; 8192];
            while buf.len() < limit {
                match r.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    Err(e) if buf.is_empty() => return Err(self.corrupt(compression, e)),
                    Err(_) => break,
                }
            }
            Ok(buf)
        };
        match compression {
            Compression::None => fill(&mut raw),
            Compression::Gzip => fill(&mut flate2::read::MultiGzDecoder::new(raw)),
            Compression::Zip => {
                let mut archive =
                    zip::ZipArchive::new(raw).map_err(|e| self.corrupt(compression, e))?;
                let index = zip_entry(&mut archive).map_err(|d| CurError::Unsupported {
                    path: self.display_path(),
                    detail: d,
                })?;
                let mut entry = archive
                    .by_index(index)
                    .map_err(|e| self.corrupt(compression, e))?;
                fill(&mut entry)
            }
        }
    }

    /// The whole decompressed content, for small inputs (account lists); refused with
    /// `CurError::TooLarge` (naming `what` and `hint`) beyond `limit` bytes, so a huge or
    /// endless input never grows memory without bound.
    pub fn read_decompressed_limited(
        &self,
        compression: Compression,
        limit: u64,
        what: &'static str,
        hint: &'static str,
    ) -> Result<Vec<u8>, CurError> {
        let (bytes, _) = self.with_reader(compression, |r| {
            let mut v = Vec::new();
            r.take(limit + 1)
                .read_to_end(&mut v)
                .map_err(|e| self.corrupt(compression, e))?;
            if v.len() as u64 > limit {
                return Err(CurError::TooLarge {
                    path: self.display_path(),
                    what,
                    limit_mb: limit >> 20,
                    hint,
                });
            }
            Ok(v)
        })?;
        Ok(bytes)
    }
}

/// The one data file inside a zip: the only file, or the only `.csv` among several.
fn zip_entry<R: Read + Seek>(archive: &mut zip::ZipArchive<R>) -> Result<usize, String> {
    let files: Vec<(usize, String)> = (0..archive.len())
        .filter_map(|i| {
            let e = archive.by_index_raw(i).ok()?;
            (!e.is_dir()).then(|| (i, e.name().map(|n| n.to_string()).unwrap_or_default()))
        })
        .collect();
    match files.as_slice() {
        [] => Err("the zip archive holds no file".into()),
        [(i, _)] => Ok(*i),
        many => {
            let csvs: Vec<_> = many
                .iter()
                .filter(|(_, n)| n.to_ascii_lowercase().ends_with(".csv"))
                .collect();
            match csvs.as_slice() {
                [(i, _)] => Ok(*i),
                _ => Err(format!(
                    "the zip archive holds {} files; expected one CSV (found: {})",
                    many.len(),
                    many.iter()
                        .map(|(_, n)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
    }
}
