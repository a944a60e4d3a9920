//! Reading a configuration file safely: bounded in size, read once (so `-`, `/dev/stdin`,
//! pipes and FIFOs work), refused at once when it cannot be a configuration (a terminal, a
//! directory, binary data such as `/dev/zero`), and the format told from the content.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest configuration file read: 64 MiB. Real configurations are kilobytes; the limit
/// only stops endless or huge inputs (`/dev/zero`, a wrong file) before they fill memory.
pub const MAX_CONFIG_BYTES: u64 = 64 * 1024 * 1024;

/// The most values (counted as the characters that start or separate one: `{ [ , = :`) a
/// configuration file may hold. Parsed values take far more memory than their text (an empty
/// JSON object is 3 bytes of text and about 100 bytes parsed), so this, not the size limit,
/// bounds the memory a hostile file can make the parsers use. A configuration of 50,000
/// linked accounts counts about 250,000.
pub const MAX_CONFIG_VALUES: usize = 1_000_000;

/// Why a configuration file could not be read. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{}: cannot read: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: larger than the {} MiB limit for a configuration file", .path.display(), .limit / (1024 * 1024))]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{}: is a directory, not a configuration file", .path.display())]
    Directory { path: PathBuf },
    #[error("{}: is a terminal; give a file, or pipe the configuration into `-`", .path.display())]
    Terminal { path: PathBuf },
    #[error("{}: holds a NUL byte at byte {offset}: binary data, not a TOML or JSON configuration", .path.display())]
    Binary { path: PathBuf, offset: u64 },
    #[error("{}: holds more than {limit} values (counted as {{ [ , = : characters); not a configuration proforma reads", .path.display())]
    TooManyValues { path: PathBuf, limit: usize },
    #[error("{}: line {line}, column {column}: not valid UTF-8 text", .path.display())]
    NotUtf8 {
        path: PathBuf,
        line: usize,
        column: usize,
    },
}

/// How a configuration file is written, told from its first non-space character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSyntax {
    /// Starts with `{` or `[`: JSON (an AWS bundle; an array is refused with a JSON message).
    Json,
    /// Anything else: the project's TOML format.
    Toml,
}

/// Detects the format from the first character other than white space (and a UTF-8 byte
/// order mark): `{` is JSON; `[` is JSON too unless its line is a TOML table header such as
/// `[[billing_group]]` or `[table]` (a bare key starting with a letter or `_`), so a JSON
/// array gets a JSON message; anything else is TOML.
pub fn detect(text: &str) -> ConfigSyntax {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.starts_with('{') {
        return ConfigSyntax::Json;
    }
    if !t.starts_with('[') {
        return ConfigSyntax::Toml;
    }
    let line = t.lines().next().unwrap_or_default();
    let line = line.split_once('#').map_or(line, |(l, _)| l).trim_end();
    let inner = line
        .strip_prefix("[[")
        .and_then(|l| l.strip_suffix("]]"))
        .or_else(|| line.strip_prefix('[').and_then(|l| l.strip_suffix(']')))
        .map(str::trim);
    let toml_header = inner.is_some_and(|k| {
        k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
    });
    if toml_header {
        ConfigSyntax::Toml
    } else {
        ConfigSyntax::Json
    }
}

/// Reads a configuration file as text, at most `MAX_CONFIG_BYTES`. `-` is standard input.
pub fn read_config(path: &Path) -> Result<String, InputError> {
    read_config_limited(path, MAX_CONFIG_BYTES)
}

/// `read_config` with another limit (tests use small ones).
pub fn read_config_limited(path: &Path, limit: u64) -> Result<String, InputError> {
    use std::io::IsTerminal;
    let io = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    if path == Path::new("-") {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            return Err(InputError::Terminal {
                path: path.to_path_buf(),
            });
        }
        return read_stream(path, stdin.lock(), limit, None);
    }
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(InputError::Directory {
            path: path.to_path_buf(),
        });
    }
    let file = open(path, &meta).map_err(io)?;
    if file.is_terminal() {
        return Err(InputError::Terminal {
            path: path.to_path_buf(),
        });
    }
    let grace = is_fifo(&meta).then_some(FIFO_WRITER_WAIT);
    read_stream(path, file, limit, grace)
}

/// How long a FIFO nobody writes to is waited for before it is read as empty.
pub const FIFO_WRITER_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

#[cfg(unix)]
fn is_fifo(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_fifo(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Opens the file. A FIFO is opened without blocking, so one nobody writes to reads as empty
/// at once instead of waiting forever for a writer; the reads then wait for data as usual.
#[cfg(unix)]
fn open(path: &Path, meta: &std::fs::Metadata) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    if meta.file_type().is_fifo() {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
    } else {
        std::fs::File::open(path)
    }
}

#[cfg(not(unix))]
fn open(path: &Path, _meta: &std::fs::Metadata) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(test)]
fn read_bounded(path: &Path, reader: impl Read, limit: u64) -> Result<String, InputError> {
    read_stream(path, reader, limit, None)
}

/// Reads at most `limit + 1` bytes (one more tells "too large"), refusing a NUL byte as soon as
/// it arrives. A non-blocking FIFO's "no data yet" is waited for in short sleeps; its end ends
/// the read, except that before any byte arrived a FIFO without a writer is waited on for
/// `fifo_grace` (the writer may start after proforma).
fn read_stream(
    path: &Path,
    reader: impl Read,
    limit: u64,
    fifo_grace: Option<std::time::Duration>,
) -> Result<String, InputError> {
    let started = std::time::Instant::now();
    let mut bytes = Vec::new();
    let mut reader = reader.take(limit.saturating_add(1));
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) if bytes.is_empty() && fifo_grace.is_some_and(|g| started.elapsed() < g) => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Ok(0) => break,
            Ok(n) => {
                let chunk = &buf[..n];
                if let Some(i) = memchr::memchr(0, chunk) {
                    return Err(InputError::Binary {
                        path: path.to_path_buf(),
                        offset: (bytes.len() + i) as u64,
                    });
                }
                bytes.extend_from_slice(chunk);
                if bytes.len() as u64 > limit {
                    return Err(InputError::TooLarge {
                        path: path.to_path_buf(),
                        limit,
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) => {
                return Err(InputError::Io {
                    path: path.to_path_buf(),
                    source: e,
                });
            }
        }
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // The prefix is valid UTF-8 by construction.
        let column = std::str::from_utf8(&good[line_start..]).map_or(1, |s| s.chars().count() + 1);
        InputError::NotUtf8 {
            path: path.to_path_buf(),
            line,
            column,
        }
    })?;
    let values = text
        .bytes()
        .filter(|b| matches!(b, b'{' | b'[' | b',' | b'=' | b':'))
        .count();
    if values > MAX_CONFIG_VALUES {
        return Err(InputError::TooManyValues {
            path: path.to_path_buf(),
            limit: MAX_CONFIG_VALUES,
        });
    }
    // A UTF-8 byte order mark is not part of the content (neither TOML nor JSON allows it).
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_json_by_first_character() {
        assert_eq!(detect("  \n{}"), ConfigSyntax::Json);
        assert_eq!(detect("\u{feff}[1]"), ConfigSyntax::Json);
        assert_eq!(detect("# comment\n[[billing_group]]"), ConfigSyntax::Toml);
        assert_eq!(detect("[[billing_group]]\nname = 1"), ConfigSyntax::Toml);
        assert_eq!(detect(" [pricing_plan] # x\n"), ConfigSyntax::Toml);
        assert_eq!(detect("[[1, 2]]"), ConfigSyntax::Json);
        assert_eq!(detect("[]"), ConfigSyntax::Json);
        assert_eq!(detect("[\n  {\"a\": 1}\n]"), ConfigSyntax::Json);
        assert_eq!(detect("[\"BillingGroups\"]"), ConfigSyntax::Json);
        assert_eq!(detect(""), ConfigSyntax::Toml);
    }

    #[test]
    fn bounded_read_refuses_large_binary_and_bad_utf8() {
        let p = Path::new("x.toml");
        assert!(matches!(
            read_bounded(p, &b"abcdef"[..], 5),
            Err(InputError::TooLarge { limit: 5, .. })
        ));
        assert_eq!(read_bounded(p, &b"abcde"[..], 5).unwrap(), "abcde");
        assert!(matches!(
            read_bounded(p, &b"ab\0"[..], 5),
            Err(InputError::Binary { offset: 2, .. })
        ));
        let e = read_bounded(p, &b"a = 1\nb\xff"[..], 50).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.toml: line 2, column 2: not valid UTF-8 text"
        );
    }
}
