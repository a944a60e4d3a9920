//! Legacy CUR CSV, streamed in one pass. The calling thread reads blocks and cuts them at
//! record boundaries (a newline outside quotes); worker threads parse and fold the blocks.
//! Memory stays bounded by a few blocks, whatever the file size.

use super::columns::ColumnMap;
use super::fold::{CostExtract, Folder};
use super::source::Compression;
use super::{CurError, Source};
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

const BLOCK: usize = 4 << 20;
/// A header longer than this without a line break means the file is not a CSV.
const MAX_HEADER: usize = 64 << 20;

struct Chunk {
    data: Vec<u8>,
    /// 1-based line number of the chunk's first byte in the file.
    first_line: u64,
}

/// Tracks where records end: a newline is a boundary when an even number of quotes precede it
/// (an escaped quote `""` counts twice, so parity alone decides).
#[derive(Default)]
struct Boundaries {
    scanned: usize,
    in_quotes: bool,
    last: usize,
}

impl Boundaries {
    fn scan(&mut self, buf: &[u8]) {
        for i in memchr::memchr2_iter(b'"', b'\n', &buf[self.scanned..]) {
            let at = self.scanned + i;
            if buf[at] == b'"' {
                self.in_quotes = !self.in_quotes;
            } else if !self.in_quotes {
                self.last = at + 1;
            }
        }
        self.scanned = buf.len();
    }

    /// End of the first record (just past its newline), if the buffer holds a whole one.
    fn first_record_end(buf: &[u8]) -> Option<usize> {
        let mut in_quotes = false;
        for at in memchr::memchr2_iter(b'"', b'\n', buf) {
            if buf[at] == b'"' {
                in_quotes = !in_quotes;
            } else if !in_quotes {
                return Some(at + 1);
            }
        }
        None
    }

    /// Forgets the first `n` bytes, which were cut off into a chunk.
    fn shift(&mut self, n: usize) {
        self.scanned -= n;
        self.last -= n;
    }
}

pub(super) fn read(
    source: &Source,
    compression: Compression,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(CostExtract, String), CurError> {
    let path = source.display_path();
    source.with_reader(compression, |r| {
        read_stream(&path, source, compression, r, progress, BLOCK)
    })
}

fn fill(
    r: &mut dyn Read,
    buf: &mut Vec<u8>,
    want: usize,
    source: &Source,
    compression: Compression,
) -> Result<bool, CurError> {
    let target = buf.len() + want;
    buf.reserve(want);
    while buf.len() < target {
        let n = r
            .take((target - buf.len()) as u64)
            .read_to_end(buf)
            .map_err(|e| match compression {
                Compression::None => CurError::Io {
                    path: source.display_path(),
                    source: e,
                },
                _ => source.corrupt(compression, e),
            })?;
        if n == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

fn read_stream(
    path: &Path,
    source: &Source,
    compression: Compression,
    r: &mut dyn Read,
    progress: &(dyn Fn(u64) + Sync),
    block: usize,
) -> Result<CostExtract, CurError> {
    let mut buf = Vec::with_capacity(block * 2);
    let mut eof = fill(r, &mut buf, block, source, compression)?;
    if buf.starts_with(b"\xEF\xBB\xBF") {
        buf.drain(..3);
    }
    let mut header_end = Boundaries::first_record_end(&buf);
    while header_end.is_none() && !eof {
        if buf.len() > MAX_HEADER {
            return Err(CurError::NotCostData {
                path: path.to_path_buf(),
                reason: "no line break in its first 64 MB".into(),
            });
        }
        eof = fill(r, &mut buf, block, source, compression)?;
        header_end = Boundaries::first_record_end(&buf);
    }
    // The header is the first record; without any boundary the file is a header alone.
    let header_end = header_end.unwrap_or(buf.len());
    let header = parse_header(path, &buf[..header_end])?;
    let map = ColumnMap::from_header(path, &header)?;
    let mut next_line = 1 + memchr::memchr_iter(b'\n', &buf[..header_end]).count() as u64;
    buf.drain(..header_end);
    let mut bounds = Boundaries::default();
    bounds.scan(&buf);
    let mut total_read = header_end as u64;

    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let (tx, rx) = mpsc::sync_channel::<Chunk>(workers * 2);
    let rx = Mutex::new(rx);
    let failed = AtomicBool::new(false);
    let ncols = header.len();

    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| parse_chunks(path, &map, ncols, &rx, &failed)))
            .collect();

        let send = |data: Vec<u8>, next_line: &mut u64| -> bool {
            let lines = memchr::memchr_iter(b'\n', &data).count() as u64;
            let chunk = Chunk {
                data,
                first_line: *next_line,
            };
            *next_line += lines;
            tx.send(chunk).is_ok()
        };
        let reader_result = (|| -> Result<(), CurError> {
            loop {
                if failed.load(Ordering::Relaxed) {
                    return Ok(());
                }
                if buf.len() >= block && bounds.last > 0 {
                    let cut = bounds.last;
                    let rest = buf.split_off(cut);
                    let data = std::mem::replace(&mut buf, rest);
                    bounds.shift(cut);
                    total_read += data.len() as u64;
                    progress(total_read);
                    if !send(data, &mut next_line) {
                        return Ok(());
                    }
                    continue;
                }
                if eof {
                    break;
                }
                eof = fill(r, &mut buf, block, source, compression)?;
                bounds.scan(&buf);
            }
            if bounds.in_quotes {
                return Err(CurError::Corrupt {
                    path: path.to_path_buf(),
                    format: "CSV",
                    detail: format!(
                        "the file ends inside a quoted field opened after line {next_line}"
                    ),
                });
            }
            if buf.iter().any(|b| !b.is_ascii_whitespace()) {
                total_read += buf.len() as u64;
                let data = std::mem::take(&mut buf);
                send(data, &mut next_line);
            }
            progress(total_read);
            Ok(())
        })();
        drop(tx);
        if reader_result.is_err() {
            failed.store(true, Ordering::Relaxed);
        }

        let mut first: Option<Folder> = None;
        let mut errors: Vec<CurError> = Vec::new();
        for h in handles {
            match h.join() {
                Ok(Ok(folder)) => match first.as_mut() {
                    None => first = Some(folder),
                    Some(f) => {
                        if let Err(e) = f.merge(folder) {
                            errors.push(e);
                        }
                    }
                },
                Ok(Err(e)) => errors.push(e),
                Err(_) => errors.push(CurError::Internal {
                    path: path.to_path_buf(),
                    detail: "a parser thread stopped unexpectedly".into(),
                }),
            }
        }
        reader_result?;
        // The earliest line is the error a user fixes first.
        if let Some(e) = errors
            .into_iter()
            .min_by_key(|e| e.line().unwrap_or(u64::MAX))
        {
            return Err(e);
        }
        match first {
            Some(f) => f.finish(),
            None => Ok(CostExtract::default()),
        }
    })
}

fn parse_header(path: &Path, bytes: &[u8]) -> Result<Vec<String>, CurError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rec = csv::ByteRecord::new();
    let not_csv = |reason: &str| CurError::NotCostData {
        path: path.to_path_buf(),
        reason: reason.into(),
    };
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => {
            return Err(CurError::Empty {
                path: path.to_path_buf(),
            });
        }
        Err(_) => return Err(not_csv("its first line is not a CSV header")),
    }
    rec.iter()
        .map(|c| {
            std::str::from_utf8(c)
                .map(|s| s.trim().to_string())
                .map_err(|_| not_csv("its header is not valid UTF-8"))
        })
        .collect()
}

fn parse_chunks<'m>(
    path: &'m Path,
    map: &'m ColumnMap,
    ncols: usize,
    rx: &Mutex<mpsc::Receiver<Chunk>>,
    failed: &AtomicBool,
) -> Result<Folder<'m>, CurError> {
    let mut folder = Folder::new(map, path);
    let mut result = Ok(());
    let mut rec = csv::ByteRecord::new();
    loop {
        // A poisoned lock means another worker panicked; stop like on any other failure.
        let next = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => break,
        };
        let Ok(chunk) = next else { break };
        // After a failure keep draining, so the reader never blocks on a full channel.
        if result.is_err() || failed.load(Ordering::Relaxed) {
            continue;
        }
        result = parse_chunk(path, ncols, &chunk, &mut folder, &mut rec);
        if result.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
    }
    result.map(|_| folder)
}

fn parse_chunk(
    path: &Path,
    ncols: usize,
    chunk: &Chunk,
    folder: &mut Folder<'_>,
    rec: &mut csv::ByteRecord,
) -> Result<(), CurError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&chunk.data[..]);
    loop {
        let more = rdr.read_byte_record(rec).map_err(|e| CurError::Corrupt {
            path: path.to_path_buf(),
            format: "CSV",
            detail: e.to_string(),
        })?;
        if !more {
            return Ok(());
        }
        // The csv crate's line count skips newlines inside quoted fields, so count them here;
        // only errors need the line, so rows pass their byte offset and errors are mapped back.
        let offset = rec.position().map_or(0, |p| p.byte());
        let line_of = |offset: u64| {
            // After a CRLF the reported start can sit on its line feed; records never start
            // with a line break, so step over any.
            let mut end = (offset as usize).min(chunk.data.len());
            while end < chunk.data.len() && matches!(chunk.data[end], b'\r' | b'\n') {
                end += 1;
            }
            chunk.first_line + memchr::memchr_iter(b'\n', &chunk.data[..end]).count() as u64
        };
        if rec.len() != ncols {
            if rec.len() == 1 && rec[0].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Err(CurError::FieldCount {
                path: path.to_path_buf(),
                line: line_of(offset),
                expected: ncols,
                found: rec.len(),
            });
        }
        folder.fold(rec, offset).map_err(|e| e.map_line(line_of))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "bill/PayerAccountId,lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,lineItem/ProductCode,lineItem/UnblendedCost,lineItem/LineItemDescription,lineItem/UsageStartDate\r\n\
111111111111,222222222222,2026-10-01T00:00:00Z,Usage,AmazonEC2,1.5,\"plain, with comma\",2026-10-02T00:00:00Z\r\n\
111111111111,222222222222,2026-10-01T00:00:00Z,Usage,AmazonEC2,2.25,\"multi\nline \"\"quoted\"\"\ntext\",2026-10-03T00:00:00Z\r\n\
111111111111,333333333333,2026-10-01T00:00:00Z,Tax,AmazonEC2,8.85E-8,,2026-10-01 00:00:00\n\
111111111111,333333333333,2026-10-01T00:00:00.000Z,Usage,AmazonS3,\"3\",\"\"\"\",\n\
\n";

    fn read_with_block(text: &str, block: usize) -> Result<CostExtract, CurError> {
        let source = Source::Embedded { name: "t.csv".into(), bytes: Box::leak(text.as_bytes().to_vec().into_boxed_slice()) };
        let mut r = text.as_bytes();
        read_stream(Path::new("t.csv"), &source, Compression::None, &mut r, &|_| {}, block)
    }

    fn summary(e: &CostExtract) -> (u64, Vec<(String, String, String)>) {
        let mut v: Vec<_> = e
            .lines
            .iter()
            .map(|(k, s)| (k.account.clone(), k.line_item_type.clone(), s.unblended_cost.to_string()))
            .collect();
        v.sort();
        (e.rows, v)
    }

    #[test]
    fn every_block_size_reads_the_same_rows() {
        let whole = summary(&read_with_block(CSV, 1 << 20).unwrap());
        assert_eq!(whole.0, 4);
        for block in 1..CSV.len() + 2 {
            assert_eq!(summary(&read_with_block(CSV, block).unwrap()), whole, "block size {block}");
        }
    }

    #[test]
    fn errors_name_the_line_after_quoted_newlines() {
        let bad = CSV.replace("8.85E-8", "1.2.3");
        for block in [7, 64, 1 << 20] {
            match read_with_block(&bad, block) {
                Err(CurError::BadCell { line, column, value, .. }) => {
                    assert_eq!((line, column, value.as_str()), (6, 6, "1.2.3"), "block {block}");
                }
                other => panic!("expected a cell error, got {other:?}"),
            }
        }
    }

    #[test]
    fn unterminated_quote_is_reported() {
        let bad = format!("{CSV}111111111111,2,2026-10-01,Usage,X,1,\"open");
        assert!(matches!(read_with_block(&bad, 16), Err(CurError::Corrupt { .. })));
    }
}
