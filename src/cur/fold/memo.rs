//! Rows folded by the ids of their key cells (issue 11 item 6).
//!
//! A column-wise reader can name each cell of a row by a small id, equal for equal bytes
//! (a Parquet dictionary index, mapped to an id per worker). Everything the fold reads of a
//! row is either a *value cell* ([`ColumnMap::value_columns`]: costs, amounts, the usage
//! day) or a *key cell*, whose bytes alone decide the row's aggregate line, its account and
//! whether it is a tax or usage row. So a row whose key cells have the ids of an earlier,
//! successfully folded row goes to the same line: only its value cells are read
//! ([`FoldWorker::parse_values`], the same code and errors as for any row), and the key is
//! neither built nor looked up. The one part of the key a value cell decides, the
//! free-on-bill flag (a usage row of zero cost), picks one of two remembered lines.
//!
//! A line remembered in a shard that was spilled since (its positions start again) is
//! found by its key instead. The memo holds at most [`MAX_ENTRIES`] signatures per worker,
//! and stops itself when fewer than half of the rows of a window find their line in it (a
//! file of mostly distinct keys then costs one failed lookup per row of one window).

use super::{Cells, CurError, Effective, FoldWorker, Placed, Target};

/// Signatures one worker remembers at most (about 150 bytes each).
const MAX_ENTRIES: usize = 1 << 17;

/// Rows per window of the hit-rate check.
const WINDOW: u64 = 1 << 16;

/// A line not known yet for one value of the free-on-bill flag.
const UNKNOWN: u32 = u32::MAX;

/// The line a signature's rows go to.
#[derive(Debug, Clone, Copy)]
struct Known {
    /// The signature's hash (the table's, for growing it).
    hash: u64,
    shard: u32,
    generation: u32,
    account_slot: u32,
    /// The line's position in its shard, by the free-on-bill flag (`UNKNOWN`: none yet).
    at: [u32; 2],
    is_tax: bool,
    usage_line: bool,
    effective: Effective,
}

/// One worker's signatures and the lines they went to. Signatures of one file all have the
/// same width; they are kept back to back, entry `i`'s at `i * width`.
#[derive(Default)]
pub(crate) struct Memo {
    table: hashbrown::HashTable<u32>,
    signatures: Vec<u32>,
    known: Vec<Known>,
    /// Rows looked up and found in the current window.
    looked: u64,
    found: u64,
    /// Stopped: every row is folded by its key.
    off: bool,
}

impl Memo {
    fn find(&self, signature: &[u32], hash: u64) -> Option<usize> {
        let w = signature.len();
        self.table
            .find(hash, |&i| {
                let i = i as usize;
                self.signatures.get(i * w..(i + 1) * w) == Some(signature)
            })
            .map(|&i| i as usize)
    }

    fn remember(&mut self, signature: &[u32], hash: u64, p: Placed, effective: Effective) {
        let (Ok(shard), Ok(at), Ok(account_slot)) = (
            u32::try_from(p.shard),
            u32::try_from(p.at),
            u32::try_from(p.account_slot),
        ) else {
            return;
        };
        if at == UNKNOWN {
            return;
        }
        let mut fresh = Known {
            hash,
            shard,
            generation: p.generation,
            account_slot,
            at: [UNKNOWN; 2],
            is_tax: p.is_tax,
            usage_line: p.usage_line,
            effective,
        };
        let free = usize::from(p.free);
        fresh.at[free] = at;
        if let Some(i) = self.find(signature, hash) {
            let k = &mut self.known[i];
            if k.shard == shard && k.generation == p.generation {
                k.at[free] = at;
            } else {
                // The shard was spilled since: the other flag's line is void too.
                *k = fresh;
            }
            return;
        }
        if self.known.len() >= MAX_ENTRIES {
            return;
        }
        let i = self.known.len() as u32;
        self.signatures.extend_from_slice(signature);
        self.known.push(fresh);
        let known = &self.known;
        self.table
            .insert_unique(hash, i, |&j| known[j as usize].hash);
    }

    /// Ends a window: stops the memo when fewer than half its rows were found.
    fn review(&mut self) {
        if self.looked < WINDOW {
            return;
        }
        if self.found * 2 < self.looked {
            self.off = true;
            self.table = hashbrown::HashTable::new();
            self.signatures = Vec::new();
            self.known = Vec::new();
        }
        self.looked = 0;
        self.found = 0;
    }
}

impl FoldWorker<'_, '_> {
    /// Folds one row as [`FoldWorker::fold`] does, given its signature: the ids of its key
    /// cells (every cell the reader shows but [`ColumnMap::value_columns`]), equal for equal
    /// bytes and never reused for other bytes within this worker, and a hash of those ids
    /// (any function of them; every signature of a file has the same width). A row whose signature an
    /// earlier row had goes to that row's line (see the module docs); the totals, counts and
    /// errors are those of [`FoldWorker::fold`].
    ///
    /// # Errors
    /// As [`FoldWorker::fold`].
    pub fn fold_signed<R: Cells>(
        &mut self,
        row: &R,
        line: u64,
        signature: &[u32],
        hash: u64,
    ) -> Result<(), CurError> {
        if self.memo.off {
            return self.fold(row, line);
        }
        self.memo.looked += 1;
        if let Some(k) = self.memo.find(signature, hash).map(|i| self.memo.known[i]) {
            let m = self.map;
            let landed = match &m.focus {
                Some(f) => super::super::focus::with_values(f, row, k.effective, |r| {
                    self.fold_known(r, line, &k)
                })?,
                None => self.fold_known(row, line, &k)?,
            };
            if landed {
                self.memo.found += 1;
                self.memo.review();
                return Ok(());
            }
        }
        if let Some((placed, effective)) = self.fold_placed(row, line)? {
            self.memo.remember(signature, hash, placed, effective);
        }
        self.memo.review();
        Ok(())
    }

    /// Adds a row's values to the line its signature knows; false when that line is not
    /// known for the row's free-on-bill flag, or its shard was spilled since (nothing added).
    fn fold_known<R: Cells>(&mut self, row: &R, line: u64, k: &Known) -> Result<bool, CurError> {
        let values = self.parse_values(row, line, None, k.usage_line)?;
        let at = k.at[usize::from(values.free)];
        if at == UNKNOWN {
            return Ok(false);
        }
        let target = Target::Known {
            shard: k.shard as usize,
            generation: k.generation,
            at: at as usize,
            account_slot: k.account_slot as usize,
        };
        Ok(self
            .add_row(target, &values, k.is_tax, row, line)?
            .is_some())
    }
}
