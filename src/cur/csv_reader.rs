//! Legacy CUR CSV, streamed in one pass. The calling thread reads blocks and cuts them at
//! record boundaries (a newline outside quotes); worker threads parse and fold the blocks.
//! Memory stays bounded by a few blocks, whatever the file size.

use super::columns::ColumnMap;
use super::fold::{Cells, CostExtract, FoldWorker, Folder};
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
/// A record longer than this (no line break outside quotes) is refused: memory stays bounded
/// even when a quote is never closed. Real CUR records are a few kilobytes.
const MAX_RECORD: usize = 64 << 20;

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
    packer: Option<super::Packer<'_>>,
) -> Result<(CostExtract, String), CurError> {
    let path = source.display_path();
    let (mut extract, hash, content) = source.with_reader_hashed(compression, |r| {
        let budget = super::fold::budget_from_env();
        read_stream(
            &path,
            source,
            compression,
            r,
            progress,
            (BLOCK, budget),
            packer,
        )
    })?;
    extract.content_hash = Some(content);
    Ok((extract, hash))
}

fn fill(
    r: &mut dyn Read,
    buf: &mut Vec<u8>,
    want: usize,
    source: &Source,
    compression: Compression,
) -> Result<bool, CurError> {
    let target = buf.len() + want;
    // Slack beyond `want`, so read_to_end's end-of-file probe never reallocates (and copies)
    // the block.
    buf.reserve(want + (64 << 10));
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
    (block, budget): (usize, usize),
    packer: Option<super::Packer<'_>>,
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
    // CUR 2.0: its map columns become derived cells.
    let map = super::cur2::complete_csv(map);
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
    // One table shared by the workers (sharded by usage account), so no key is held twice
    // and nothing is merged after the last block.
    let mut folder = Folder::with_budget(&map, path, budget).with_packer(packer);
    let table = &folder;

    let rows = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| parse_chunks(path, table, ncols, &rx, &failed)))
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
                if bounds.last == 0 && buf.len() > MAX_RECORD {
                    return Err(CurError::Corrupt {
                        path: path.to_path_buf(),
                        format: "CSV",
                        detail: format!(
                            "line {next_line}: a record longer than {} MB{}",
                            MAX_RECORD >> 20,
                            if bounds.in_quotes {
                                " (a quoted field that is never closed?)"
                            } else {
                                ""
                            }
                        ),
                    });
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

        let mut rows = 0u64;
        let mut errors: Vec<CurError> = Vec::new();
        for h in handles {
            match h.join() {
                Ok(Ok(n)) => rows += n,
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
        Ok(rows)
    })?;
    folder.add_rows(rows);
    folder.finish()
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
    header_cells(path, &rec)
}

/// A CSV header record's cells, trimmed, as the import reads them (the export re-reading a
/// delivery's files reads them the same way).
///
/// # Errors
/// [`CurError::BadCell`] naming the first cell that is not valid UTF-8.
pub(crate) fn header_cells(path: &Path, rec: &csv::ByteRecord) -> Result<Vec<String>, CurError> {
    rec.iter()
        .enumerate()
        .map(|(i, c)| {
            std::str::from_utf8(c)
                .map(|s| s.trim().to_string())
                .map_err(|_| CurError::BadCell {
                    path: path.to_path_buf(),
                    line: 1,
                    column: i + 1,
                    name: "header".into(),
                    value: String::from_utf8_lossy(c).chars().take(80).collect(),
                    reason: "is not valid UTF-8 (invalid bytes shown as \u{FFFD})".into(),
                })
        })
        .collect()
}

/// One worker: parses and folds blocks until the channel closes; returns the rows folded.
fn parse_chunks(
    path: &Path,
    table: &Folder<'_>,
    ncols: usize,
    rx: &Mutex<mpsc::Receiver<Chunk>>,
    failed: &AtomicBool,
) -> Result<u64, CurError> {
    let mut folder = table.worker();
    let mut result = Ok(());
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
        result = parse_chunk(path, ncols, &chunk, &mut folder);
        if result.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
    }
    result.map(|_| folder.done())
}

/// Where a field's bytes are: in the chunk, or (for quoted fields) in the record's arena.
#[derive(Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
    in_arena: bool,
}

/// One record of a chunk, split in place: fields point into the chunk; only quoted fields are
/// copied out, unquoted and unescaped. Splitting alone (instead of a general CSV reader that
/// copies every field) is what keeps import at the speed of the disk.
struct SplitRecord<'a> {
    data: &'a [u8],
    /// `data` as text, when the whole block is UTF-8 (checked once per block).
    text: Option<&'a str>,
    spans: Vec<Span>,
    arena: Vec<u8>,
}

impl Cells for SplitRecord<'_> {
    fn cell(&self, index: usize) -> &[u8] {
        match self.spans.get(index) {
            Some(s) if s.in_arena => self
                .arena
                .get(s.start as usize..s.end as usize)
                .unwrap_or(b""),
            Some(s) => self
                .data
                .get(s.start as usize..s.end as usize)
                .unwrap_or(b""),
            None => b"",
        }
    }

    fn text(&self, index: usize) -> Option<&str> {
        // Fields start and end at ASCII separators, so a valid block's field is a valid str.
        let in_block = match (self.spans.get(index), self.text) {
            (Some(s), Some(text)) if !s.in_arena => text.get(s.start as usize..s.end as usize),
            _ => None,
        };
        in_block.or_else(|| std::str::from_utf8(self.cell(index)).ok())
    }
}

impl SplitRecord<'_> {
    /// Rewrites the spans of quoted fields (`"a ""b"", c"` -> `a "b", c`). Quotes in other
    /// places are kept as written, as lenient CSV readers do.
    #[cold]
    fn unquote(&mut self) {
        for span in self.spans.iter_mut().filter(|s| s.in_arena) {
            let raw = &self.data[span.start as usize..span.end as usize];
            if raw.len() >= 2 && raw[0] == b'"' && raw[raw.len() - 1] == b'"' {
                let inner = &raw[1..raw.len() - 1];
                if memchr::memchr(b'"', inner).is_none() {
                    // Quoted without escapes (`"Amazon Web Services, Inc."`): strip the quotes.
                    *span = Span {
                        start: span.start + 1,
                        end: span.end - 1,
                        in_arena: false,
                    };
                    continue;
                }
                let from = self.arena.len();
                let mut i = 0;
                while i < inner.len() {
                    self.arena.push(inner[i]);
                    i += if inner[i] == b'"' && inner.get(i + 1) == Some(&b'"') {
                        2
                    } else {
                        1
                    };
                }
                *span = Span {
                    start: from as u32,
                    end: self.arena.len() as u32,
                    in_arena: true,
                };
            } else {
                span.in_arena = false;
            }
        }
    }
}

/// Bytes examined per step of the separator scan.
const STRIDE: usize = 16;

/// One bit per byte of the next 16 (fewer at the end): set where the byte is `,`, `"` or `\n`.
#[cfg(target_arch = "x86_64")]
fn structural_mask(data: &[u8]) -> u32 {
    // SAFETY: SSE2 is part of the x86_64 baseline, so every x86_64 CPU runs this.
    unsafe { structural_mask_sse2(data) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn structural_mask_sse2(data: &[u8]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
    };
    let mut block = [b' '; 16];
    let n = data.len().min(16);
    block[..n].copy_from_slice(&data[..n]);
    let (mut lo, mut hi) = ([0u8; 8], [0u8; 8]);
    lo.copy_from_slice(&block[..8]);
    hi.copy_from_slice(&block[8..]);
    let v = _mm_set_epi64x(i64::from_le_bytes(hi), i64::from_le_bytes(lo));
    let hits = _mm_or_si128(
        _mm_or_si128(
            _mm_cmpeq_epi8(v, _mm_set1_epi8(b',' as i8)),
            _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
        ),
        _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
    );
    _mm_movemask_epi8(hits) as u32
}

/// Portable fallback: two eight-byte words, each scanned with bit tricks.
#[cfg(not(target_arch = "x86_64"))]
fn structural_mask(data: &[u8]) -> u32 {
    let mut block = [b' '; 16];
    let n = data.len().min(16);
    block[..n].copy_from_slice(&data[..n]);
    let mut mask = 0u32;
    for half in 0..2 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&block[half * 8..half * 8 + 8]);
        let mut hits = structural(u64::from_le_bytes(w));
        while hits != 0 {
            mask |= 1 << (half * 8 + hits.trailing_zeros() as usize / 8);
            hits &= hits - 1;
        }
    }
    mask
}

/// High bit set in each byte of `x` that is zero, and only there (no false positives).
fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !((x & LOW7).wrapping_add(LOW7) | x | LOW7)
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// Bit mask (high bit of each byte) of the `,`, `"` and newline bytes in 8 bytes.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn structural(w: u64) -> u64 {
    zero_bytes(w ^ (ONES * u64::from(b',')))
        | zero_bytes(w ^ (ONES * u64::from(b'"')))
        | zero_bytes(w ^ (ONES * u64::from(b'\n')))
}

/// Splits a chunk (whole records) into fields and folds each record. Separators are found
/// sixteen bytes at a time: they are dense in CUR files (a field every ~8 bytes), where a
/// memchr per field spends more time starting than searching.
fn parse_chunk(
    path: &Path,
    ncols: usize,
    chunk: &Chunk,
    folder: &mut FoldWorker<'_, '_>,
) -> Result<(), CurError> {
    let data = &chunk.data[..];
    // Where the chunk stops being UTF-8 (chunks end at record boundaries, so no character
    // straddles two chunks); the record holding that byte is refused.
    let valid = std::str::from_utf8(data);
    let bad_utf8 = valid.as_ref().err().map(|e| e.valid_up_to());
    let mut rec = SplitRecord {
        data,
        text: valid.ok(),
        spans: Vec::with_capacity(ncols + 1),
        arena: Vec::new(),
    };
    // Line numbers are counted as the scan meets line breaks, quoted ones included.
    let mut line = chunk.first_line;
    let mut record_line = line;
    let mut record_start = 0usize;
    let mut field_start = 0usize;
    let mut in_quotes = false;
    let mut quoted = false;
    let mut any_quoted = false;
    let mut i = 0usize;
    while i < data.len() {
        let mut hits = structural_mask(&data[i..]);
        while hits != 0 {
            let at = i + hits.trailing_zeros() as usize;
            hits &= hits - 1;
            match data[at] {
                b'"' => {
                    in_quotes = !in_quotes;
                    quoted = true;
                }
                b'\n' if in_quotes => line += 1,
                _ if in_quotes => {}
                b',' => {
                    rec.spans.push(Span {
                        start: field_start as u32,
                        end: at as u32,
                        in_arena: quoted,
                    });
                    any_quoted |= quoted;
                    field_start = at + 1;
                    quoted = false;
                }
                _ => {
                    let end = if at > field_start && data[at - 1] == b'\r' {
                        at - 1
                    } else {
                        at
                    };
                    rec.spans.push(Span {
                        start: field_start as u32,
                        end: end as u32,
                        in_arena: quoted,
                    });
                    any_quoted |= quoted;
                    let bad = bad_utf8.filter(|&b| (record_start..at).contains(&b));
                    finish_record(path, ncols, folder, &mut rec, record_line, any_quoted, bad)?;
                    line += 1;
                    record_line = line;
                    field_start = at + 1;
                    record_start = at + 1;
                    quoted = false;
                    any_quoted = false;
                }
            }
        }
        i += STRIDE;
    }
    if record_start < data.len() {
        let end = if data.last() == Some(&b'\r') {
            data.len() - 1
        } else {
            data.len()
        };
        rec.spans.push(Span {
            start: field_start as u32,
            end: end.max(field_start) as u32,
            in_arena: quoted,
        });
        let bad = bad_utf8.filter(|&b| b >= record_start);
        finish_record(
            path,
            ncols,
            folder,
            &mut rec,
            record_line,
            any_quoted || quoted,
            bad,
        )?;
    }
    Ok(())
}

/// Checks and folds one split record. `line` is the record's first line in the file;
/// `bad_utf8` the chunk offset of its first byte that is not UTF-8, if any.
fn finish_record(
    path: &Path,
    ncols: usize,
    folder: &mut FoldWorker<'_, '_>,
    rec: &mut SplitRecord<'_>,
    line: u64,
    any_quoted: bool,
    bad_utf8: Option<usize>,
) -> Result<(), CurError> {
    if let Some(at) = bad_utf8 {
        let column = rec
            .spans
            .iter()
            .position(|s| (s.start as usize..=s.end as usize).contains(&at))
            .unwrap_or(rec.spans.len().saturating_sub(1));
        let raw = rec
            .spans
            .get(column)
            .and_then(|s| rec.data.get(s.start as usize..s.end as usize))
            .unwrap_or(b"");
        let value: String = String::from_utf8_lossy(raw).chars().take(80).collect();
        return Err(CurError::BadCell {
            path: path.to_path_buf(),
            line,
            column: column + 1,
            name: folder.column_name(column),
            value,
            reason: "is not valid UTF-8 (invalid bytes shown as \u{FFFD})".into(),
        });
    }
    if any_quoted {
        rec.unquote();
    }
    let blank = rec.spans.len() == 1 && rec.cell(0).iter().all(u8::is_ascii_whitespace);
    let result = if blank {
        Ok(())
    } else if rec.spans.len() != ncols {
        Err(CurError::FieldCount {
            path: path.to_path_buf(),
            line,
            expected: ncols,
            found: rec.spans.len(),
        })
    } else {
        folder.fold(rec, line)
    };
    rec.spans.clear();
    rec.arena.clear();
    result
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
        read_with(text, block, usize::MAX)
    }

    fn read_with(text: &str, block: usize, budget: usize) -> Result<CostExtract, CurError> {
        let source = Source::Embedded {
            name: "t.csv".into(),
            bytes: Box::leak(text.as_bytes().to_vec().into_boxed_slice()),
        };
        let mut r = text.as_bytes();
        read_stream(
            Path::new("t.csv"),
            &source,
            Compression::None,
            &mut r,
            &|_| {},
            (block, budget),
            None,
        )
    }

    /// A budget far below the aggregate spills shards to temporary files again and again; the
    /// extract read back is the same to the last digit, day and currency line.
    #[test]
    fn spilling_under_a_small_budget_reads_the_same_extract() {
        let spec = crate::sample::SampleSpec {
            lines_per_month: 6_000,
            accounts: 200,
            tag_values: Some(50),
            ..Default::default()
        };
        let mut csv = Vec::new();
        crate::sample::write_month(&spec, spec.first_period, &mut csv).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let whole = read_with(&text, 64 << 10, usize::MAX).unwrap();
        assert!(whole.line_count() > 1_000, "{}", whole.line_count());
        assert!(!whole.currencies.is_empty() || !whole.daily.is_empty());
        // The sample's one invoice holds every row (billable and tax).
        assert_eq!(whole.invoices.len(), 1);
        let inv = whole.invoices.values().next().unwrap();
        assert_eq!(inv.rows, whole.rows);
        assert!(!inv.tax.is_zero() && !inv.billable.is_zero());
        for budget in [0, 1, 50_000, 400_000] {
            let spilled = read_with(&text, 64 << 10, budget).unwrap();
            assert_eq!(spilled.rows, whole.rows, "budget {budget}");
            assert_eq!(spilled.lines, whole.lines, "budget {budget}");
            assert_eq!(spilled.daily, whole.daily, "budget {budget}");
            assert_eq!(spilled.currencies, whole.currencies, "budget {budget}");
            assert_eq!(spilled.invoices, whole.invoices, "budget {budget}");
        }
    }

    fn summary(e: &CostExtract) -> (u64, Vec<(String, String, String)>) {
        let mut v: Vec<_> = e
            .iter_lines()
            .map(|l| {
                (
                    l.key.account.to_string(),
                    l.key.line_item_type.to_string(),
                    l.sums.unblended_cost.to_string(),
                )
            })
            .collect();
        v.sort();
        (e.rows, v)
    }

    #[test]
    fn structural_scan_finds_every_separator() {
        let data = b"ab,\"c\"\nxyz,,,\n\"\"\"1234567,89\n\n";
        let mut found = Vec::new();
        for (i, chunk) in data.chunks(8).enumerate() {
            let mut w = [b' '; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            let mut hits = structural(u64::from_le_bytes(w));
            while hits != 0 {
                found.push(i * 8 + hits.trailing_zeros() as usize / 8);
                hits &= hits - 1;
            }
        }
        let expected: Vec<usize> = data
            .iter()
            .enumerate()
            .filter(|(_, b)| matches!(b, b',' | b'"' | b'\n'))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(found, expected);
        let mut simd = Vec::new();
        for i in (0..data.len()).step_by(STRIDE) {
            let mut hits = structural_mask(&data[i..]);
            while hits != 0 {
                simd.push(i + hits.trailing_zeros() as usize);
                hits &= hits - 1;
            }
        }
        assert_eq!(simd, expected);
        // Bytes with the high bit set must not look like separators.
        let high: Vec<u8> = (0u8..=255).collect();
        let n: u32 = high
            .chunks(8)
            .map(|c| structural(u64::from_le_bytes(c.try_into().unwrap())).count_ones())
            .sum();
        assert_eq!(n, 3);
    }

    #[test]
    fn every_block_size_reads_the_same_rows() {
        let whole = summary(&read_with_block(CSV, 1 << 20).unwrap());
        assert_eq!(whole.0, 4);
        for block in 1..CSV.len() + 2 {
            assert_eq!(
                summary(&read_with_block(CSV, block).unwrap()),
                whole,
                "block size {block}"
            );
        }
    }

    #[test]
    fn errors_name_the_line_after_quoted_newlines() {
        let bad = CSV.replace("8.85E-8", "1.2.3");
        for block in [7, 64, 1 << 20] {
            match read_with_block(&bad, block) {
                Err(CurError::BadCell {
                    line,
                    column,
                    value,
                    ..
                }) => {
                    assert_eq!(
                        (line, column, value.as_str()),
                        (6, 6, "1.2.3"),
                        "block {block}"
                    );
                }
                other => panic!("expected a cell error, got {other:?}"),
            }
        }
    }

    #[test]
    fn mixed_currencies_are_found_whichever_worker_reads_them() {
        let mut text = String::from(
            "bill/PayerAccountId,lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/LineItemType,lineItem/ProductCode,lineItem/UnblendedCost,lineItem/CurrencyCode\n",
        );
        for i in 0..40 {
            let code = if i == 31 { "EUR" } else { "USD" };
            text.push_str(&format!(
                "111111111111,22222222222{},2026-10-01T00:00:00Z,Usage,AmazonEC2,1,{code}\n",
                i % 10
            ));
        }
        // Each currency at its earliest line (USD at line 2, in another account than the EUR
        // row), whichever worker meets which row first, whatever is spilled.
        for block in [40, 100, 333, 1 << 20] {
            for budget in [0, 1, usize::MAX] {
                match read_with(&text, block, budget) {
                    Err(CurError::MixedCurrency(m)) => {
                        assert_eq!(m.payer, "111111111111");
                        assert_eq!(m.period, "2026-10");
                        let got = (
                            m.first_code.as_str(),
                            m.first_at.as_str(),
                            m.second_code.as_str(),
                            m.second_at.as_str(),
                        );
                        assert_eq!(
                            got,
                            ("USD", "line 2", "EUR", "line 33"),
                            "block {block} budget {budget}"
                        );
                    }
                    other => panic!("block {block}: expected mixed currencies, got {other:?}"),
                }
            }
        }
        // One currency throughout, read in many blocks: recorded once, at its first line.
        let usd = text.replace("EUR", "USD");
        for block in [40, 100, 1 << 20] {
            let e = read_with_block(&usd, block).unwrap();
            let seen: Vec<_> = e.currencies.values().collect();
            assert_eq!(seen.len(), 1);
            assert_eq!(
                (seen[0].code.as_str(), seen[0].line),
                ("USD", 2),
                "block {block}"
            );
        }
    }

    #[test]
    fn a_cube_reads_the_same_in_every_block_size() {
        use crate::cur::cube::COLUMNS;
        let mut text = COLUMNS.join(",") + ",tag/user%3aenv\n";
        let line = |account: &str, lit: &str, rows: &str, cost: &str| {
            let mut cells = vec![""; COLUMNS.len() + 1];
            for (name, v) in [
                ("proforma_cube", "1"),
                ("record", "line"),
                ("billing_period", "2026-10"),
                ("payer_account_id", "111111111111"),
                ("usage_account_id", account),
                ("line_item_type", lit),
                ("product_code", "AmazonEC2"),
                ("free_on_bill", "false"),
                ("row_count", rows),
                ("usage_amount", "1.00000000000000000000"),
                ("unblended_cost", cost),
                ("public_cost", cost),
                ("no_public_price_rows", "0"),
                ("savings_plan_effective_cost", "0"),
                ("reservation_effective_cost", "0"),
            ] {
                cells[COLUMNS.iter().position(|c| *c == name).unwrap()] = v;
            }
            cells[COLUMNS.len()] = "prod";
            cells.join(",") + "\n"
        };
        let day = |account: &str, date: &str, rows: &str, billable: &str, tax: &str| {
            let mut cells = vec![""; COLUMNS.len() + 1];
            for (name, v) in [
                ("proforma_cube", "1"),
                ("record", "day"),
                ("billing_period", "2026-10"),
                ("payer_account_id", "111111111111"),
                ("usage_account_id", account),
                ("usage_date", date),
                ("row_count", rows),
                ("usage_amount", "1"),
                ("public_cost", billable),
                ("billable_cost", billable),
                ("tax_cost", tax),
            ] {
                cells[COLUMNS.iter().position(|c| *c == name).unwrap()] = v;
            }
            cells.join(",") + "\n"
        };
        for i in 0..6 {
            let account = format!("22222222222{i}");
            text += &line(&account, "Usage", "3", "1.50000000000000000000");
            // The day records add up to the line records (rows, billable, tax).
            text += &day(&account, "2026-10-02", "2", "1.0", "0");
            text += &line(&account, "Tax", "1", "0.25");
            text += &day(&account, "2026-10-03", "2", "0.5", "0.25");
        }
        let whole = read_with_block(&text, 1 << 20).unwrap();
        assert_eq!(whole.rows, 24);
        assert_eq!(whole.line_count(), 12);
        assert_eq!(whole.daily.len(), 12);
        assert!(
            whole
                .iter_lines()
                .all(|l| l.sums.rows == 3 || l.sums.rows == 1)
        );
        let days = |e: &CostExtract| {
            let mut v: Vec<String> = e
                .daily
                .iter()
                .map(|(k, s)| format!("{} {} {} {}", k.account, k.day, s.rows, s.billable))
                .collect();
            v.sort();
            v
        };
        for block in [7, 64, 333, 1000, text.len() / 3] {
            let e = read_with_block(&text, block).unwrap();
            assert_eq!(summary(&e), summary(&whole), "block size {block}");
            assert_eq!(days(&e), days(&whole), "block size {block}");
        }
    }

    #[test]
    fn unterminated_quote_is_reported() {
        let bad = format!("{CSV}111111111111,2,2026-10-01,Usage,X,1,\"open");
        assert!(matches!(
            read_with_block(&bad, 16),
            Err(CurError::Corrupt { .. })
        ));
    }
}
