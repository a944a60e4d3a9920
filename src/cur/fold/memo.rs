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
#[cfg(doc)]
use crate::cur::columns::ColumnMap;

/// Signatures one worker remembers at most (about 150 bytes each).
const MAX_ENTRIES: usize = 1 << 17;

/// Rows per window of the hit-rate check.
const WINDOW: u64 = 1 << 16;

/// A line not known yet for one value of the free-on-bill flag.
const UNKNOWN: u32 = u32::MAX;

/// The line a signature's rows go to. Kept in the table itself, so a lookup reads the
/// table's control bytes, this entry and the signature: one cache miss fewer per row than an
/// index into a separate list (the entries of a large file do not fit the CPU's cache).
#[derive(Debug, Clone, Copy)]
struct Known {
    /// The signature's hash (the table's, for growing it).
    hash: u64,
    /// The signature's number: it is `Memo::signatures[signature * width..][..width]`.
    signature: u32,
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
/// same width; they are kept back to back, the `i`th at `i * width`.
#[derive(Default)]
pub(crate) struct Memo {
    table: hashbrown::HashTable<Known>,
    signatures: Vec<u32>,
    /// Rows looked up and found in the current window.
    looked: u64,
    found: u64,
    /// Stopped: every row is folded by its key.
    off: bool,
}

impl Memo {
    /// Whether entry `k` is the one of `signature`: the whole hash first (the table's tag
    /// is 7 bits of it), then the ids.
    fn is(signatures: &[u32], k: &Known, signature: &[u32], hash: u64) -> bool {
        let (w, i) = (signature.len(), k.signature as usize);
        k.hash == hash && signatures.get(i * w..(i + 1) * w) == Some(signature)
    }

    fn find(&self, signature: &[u32], hash: u64) -> Option<&Known> {
        self.table
            .find(hash, |k| Self::is(&self.signatures, k, signature, hash))
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
            signature: 0,
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
        let signatures = &self.signatures;
        if let Some(k) = self
            .table
            .find_mut(hash, |k| Self::is(signatures, k, signature, hash))
        {
            if k.shard == shard && k.generation == p.generation {
                k.at[free] = at;
            } else {
                // The shard was spilled since: the other flag's line is void too.
                fresh.signature = k.signature;
                *k = fresh;
            }
            return;
        }
        if self.table.len() >= MAX_ENTRIES {
            return;
        }
        fresh.signature = self.table.len() as u32;
        self.signatures.extend_from_slice(signature);
        self.table.insert_unique(hash, fresh, |k| k.hash);
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
        }
        self.looked = 0;
        self.found = 0;
    }
}

impl FoldWorker<'_, '_> {
    /// Folds one row as [`FoldWorker::fold`] does, given its signature: the ids of its key
    /// cells (every cell the reader shows but [`ColumnMap::value_columns`]), equal for equal
    /// bytes and never reused for other bytes within this worker, and a hash of those ids
    /// (any function of them; every signature of a file has the same width). A row whose
    /// signature an earlier row had goes to that row's line (see the module docs); the totals, counts and
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
        if let Some(k) = self.memo.find(signature, hash).copied() {
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

#[cfg(test)]
mod tests {
    use super::super::{ColumnMap, CostExtract, Folder};
    use std::path::Path;

    const HEADER: &str = "bill/PayerAccountId,lineItem/UsageAccountId,bill/BillingPeriodStartDate,\
        lineItem/LineItemType,lineItem/ProductCode,lineItem/UsageType,lineItem/UnblendedCost,\
        lineItem/UnblendedRate,lineItem/UsageAmount,pricing/publicOnDemandCost,\
        lineItem/UsageStartDate,lineItem/CurrencyCode,resourceTags/user:team";

    /// Rows of a few keys met again and again: usage of zero cost (free on bill) and of a
    /// cost under the same key cells, tax, another account, a team tag.
    fn rows() -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for i in 0..600u32 {
            let account = ["111111111111", "222222222222", "333333333333"][(i % 3) as usize];
            let (kind, cost) = match i % 7 {
                0 => ("Usage", "0"),
                1 => ("Tax", "0.17"),
                _ => ("Usage", "1.25"),
            };
            let day = 1 + i % 28;
            let row = [
                "999999999999",
                account,
                "2026-10-01T00:00:00Z",
                kind,
                "AmazonEC2",
                ["BoxUsage", "DataTransfer"][(i % 2) as usize],
                cost,
                if cost == "0" { "0" } else { "0.125" },
                "10",
                "1.50",
                &format!("2026-10-{day:02}T00:00:00Z"),
                "USD",
                ["web", "", "data"][(i % 3) as usize],
            ];
            out.push(row.iter().map(|s| s.to_string()).collect());
        }
        out
    }

    fn map() -> ColumnMap {
        let header: Vec<String> = HEADER.split(',').map(|h| h.trim().to_string()).collect();
        ColumnMap::from_header(Path::new("t.csv"), &header).expect("map")
    }

    /// Signatures as a column-wise reader gives them: per key column, an id per distinct
    /// value; the hash any function of the ids.
    fn signatures(map: &ColumnMap, rows: &[Vec<String>]) -> Vec<(Vec<u32>, u64)> {
        let values = map.value_columns();
        let keys: Vec<usize> = (0..rows[0].len()).filter(|c| !values.contains(c)).collect();
        let mut ids: Vec<std::collections::HashMap<String, u32>> =
            keys.iter().map(|_| Default::default()).collect();
        rows.iter()
            .map(|r| {
                let sig: Vec<u32> = keys
                    .iter()
                    .zip(ids.iter_mut())
                    .map(|(&c, m)| {
                        let n = m.len() as u32;
                        *m.entry(r[c].clone()).or_insert(n)
                    })
                    .collect();
                let hash = sig.iter().fold(7u64, |h, &id| {
                    (h ^ u64::from(id)).wrapping_mul(0x100_0000_01b3)
                });
                (sig, hash)
            })
            .collect()
    }

    /// Everything the extract holds, in a fixed order.
    fn canonical(e: &CostExtract) -> Vec<String> {
        let mut out: Vec<String> = e.iter_lines().map(|l| format!("{l:?}")).collect();
        out.extend(e.daily.iter().map(|d| format!("{d:?}")));
        out.extend(e.invoices.iter().map(|d| format!("{d:?}")));
        out.sort();
        out.push(format!("{} {:?}", e.rows, e.currencies));
        out
    }

    /// Folded by signature or by key, at a budget that never spills and at one that spills
    /// all the time (every remembered line then belongs to an older shard generation): the
    /// same extract, and most rows found their line in the memo.
    #[test]
    fn rows_by_signature_fold_as_rows_by_key() {
        let map = map();
        let path = Path::new("t.csv");
        let rows = rows();
        let sigs = signatures(&map, &rows);
        let mut plain = Folder::new(&map, path);
        for (i, r) in rows.iter().enumerate() {
            plain.fold(r, i as u64 + 2).expect("fold");
        }
        let want = canonical(&plain.finish().expect("finish"));
        assert!(want.len() > 20, "{want:?}");
        for budget in [usize::MAX, 0] {
            let folder = Folder::with_budget(&map, path, budget);
            let mut w = folder.worker();
            for (i, (r, (sig, hash))) in rows.iter().zip(&sigs).enumerate() {
                w.fold_signed(r, i as u64 + 2, sig, *hash).expect("fold");
            }
            let found = w.memo.found;
            let n = w.done();
            let mut folder = folder;
            folder.add_rows(n);
            assert_eq!(
                canonical(&folder.finish().expect("finish")),
                want,
                "budget {budget}"
            );
            if budget == usize::MAX {
                assert!(found > 500, "{found} of 600 rows found their line");
            }
        }
    }

    /// A bad value in a row whose key cells an earlier row had is refused as by key: the same
    /// file, line, column and reason.
    #[test]
    fn a_bad_value_after_its_key_is_named_as_without_the_memo() {
        let map = map();
        let path = Path::new("t.csv");
        let mut rows = rows();
        rows.truncate(20);
        rows[15][6] = "1.2.3".into();
        let sigs = signatures(&map, &rows);
        let mut plain = Folder::new(&map, path);
        let by_key = rows
            .iter()
            .enumerate()
            .try_for_each(|(i, r)| plain.fold(r, i as u64 + 2))
            .expect_err("refused")
            .to_string();
        let folder = Folder::new(&map, path);
        let mut w = folder.worker();
        let by_signature = rows
            .iter()
            .zip(&sigs)
            .enumerate()
            .try_for_each(|(i, (r, (sig, hash)))| w.fold_signed(r, i as u64 + 2, sig, *hash))
            .expect_err("refused")
            .to_string();
        assert!(w.memo.found > 0);
        assert_eq!(by_signature, by_key);
        assert!(by_key.contains("line 17"), "{by_key}");
    }
}
