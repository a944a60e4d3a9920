//! Writing imports: a delivery replaces everything the workspace held for its (payer, period)
//! in the same transaction (SPEC 1.2); an identical delivery changes nothing at all.

use super::{StoreError, Workspace, now_utc};
use crate::cur::{AccountInfo, CostExtract, Input, PackedAccount, SourceMeta};
use crate::period::BillingPeriod;
use rusqlite::{OptionalExtension, Transaction, params};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// One file of an import command.
#[derive(Debug, Clone)]
pub struct FileRecord {
    pub meta: SourceMeta,
    pub kind: &'static str,
    pub rows: u64,
}

/// The rows of one (payer, period) across the files of one import command.
#[derive(Debug)]
pub struct Delivery {
    pub payer: String,
    pub period: BillingPeriod,
    /// The delivery's daily series and currencies (its `lines` are moved into `packed` as
    /// each file is read).
    pub extract: CostExtract,
    /// The aggregate lines, packed as they will be stored.
    pub packed: PackedLines,
    /// The first file of each kind that holds the delivery: (a proforma cube, a CUR).
    kinds: (Option<String>, Option<String>),
    /// Indexes into `ImportBatch::files`, with the rows each contributed.
    pub files: Vec<(usize, u64)>,
}

impl Delivery {
    /// The currency of the delivery's amounts: the one its rows state (`lineItem/CurrencyCode`,
    /// `line_item_currency_code`), else USD (SPEC 5).
    pub fn currency(&self) -> &str {
        self.extract.currency(self.period, &self.payer)
    }

    /// A hash of the files it came from: equal fingerprints mean an identical delivery.
    fn fingerprint(&self, files: &[FileRecord]) -> String {
        let mut hashes: Vec<&str> = self
            .files
            .iter()
            .map(|(i, _)| files[*i].meta.hash.as_str())
            .collect();
        hashes.sort_unstable();
        format!(
            "{:032x}",
            xxhash_rust::xxh3::xxh3_128(hashes.join(",").as_bytes())
        )
    }
}

/// Everything one `proforma import` command writes, committed as one transaction.
#[derive(Debug, Default)]
pub struct ImportBatch {
    pub files: Vec<FileRecord>,
    pub deliveries: Vec<Delivery>,
    /// Account details with the index of the file they came from.
    pub accounts: Vec<(usize, AccountInfo)>,
    /// Deliveries being assembled by [`ImportBatch::add`], moved to `deliveries` by
    /// [`ImportBatch::finish`].
    pending: BTreeMap<(String, BillingPeriod), Delivery>,
}

impl ImportBatch {
    /// Splits what each file read into deliveries per (payer, period). Files of one command
    /// that hold the same (payer, period) are parts of one delivery (a multi-part CUR).
    pub fn from_inputs(inputs: Vec<(SourceMeta, Input)>) -> Result<Self, crate::cur::CurError> {
        let mut batch = ImportBatch::default();
        for (meta, input) in inputs {
            batch.add(meta, input)?;
        }
        Ok(batch.finish())
    }

    /// The deliveries assembled, in (payer, period) order, ready to commit.
    pub fn finish(mut self) -> Self {
        self.deliveries = std::mem::take(&mut self.pending).into_values().collect();
        self
    }

    /// Adds what one file read: its lines are packed at once (about 50 bytes a line instead
    /// of a map entry of a few hundred), so an import of many large files holds one file's
    /// aggregate at a time.
    pub fn add(&mut self, meta: SourceMeta, input: Input) -> Result<(), crate::cur::CurError> {
        let index = self.files.len();
        let ImportBatch {
            files,
            accounts,
            pending: by_key,
            ..
        } = self;
        {
            let path = std::path::PathBuf::from(&meta.path);
            let is_cube = meta.format.starts_with("proforma cube");
            match input {
                Input::Cost(extract) => {
                    files.push(FileRecord {
                        meta,
                        kind: "cost",
                        rows: extract.rows,
                    });
                    let mut pairs = extract.lines.iter().map(|a| (&a.payer, a.period));
                    let first = pairs.next().map(|(p, period)| (p.to_string(), period));
                    if let Some((payer, period)) =
                        first.filter(|f| pairs.all(|(p, q)| *p == f.0 && q == f.1))
                    {
                        // The usual case, one (payer, period) per file: nothing to split.
                        let rows = extract.rows;
                        add_part(
                            by_key,
                            payer,
                            period,
                            extract,
                            (index, rows, is_cube),
                            &path,
                        )?;
                        return Ok(());
                    }
                    let mut parts: rustc_hash::FxHashMap<(String, BillingPeriod), CostExtract> =
                        Default::default();
                    for account in extract.lines {
                        let part = parts
                            .entry((account.payer.to_string(), account.period))
                            .or_default();
                        part.rows += match &account.packed {
                            Some(p) => p.rows,
                            None => account.lines.iter().map(|l| l.sums.rows).sum::<u64>(),
                        };
                        part.lines.push(account);
                    }
                    for (k, seen) in extract.currencies {
                        parts
                            .entry((k.1.clone(), k.0))
                            .or_default()
                            .currencies
                            .insert(k, seen);
                    }
                    for (k, v) in extract.daily {
                        parts
                            .entry((k.payer.to_string(), k.period))
                            .or_default()
                            .daily
                            .insert(k, v);
                    }
                    for (k, v) in extract.invoices {
                        parts
                            .entry((k.payer.to_string(), k.period))
                            .or_default()
                            .invoices
                            .insert(k, v);
                    }
                    for ((payer, period), part) in parts {
                        let rows = part.rows;
                        add_part(by_key, payer, period, part, (index, rows, is_cube), &path)?;
                    }
                }
                Input::Accounts(list) => {
                    files.push(FileRecord {
                        meta,
                        kind: "accounts",
                        rows: list.len() as u64,
                    });
                    accounts.extend(list.into_iter().map(|a| (index, a)));
                }
            }
        }
        Ok(())
    }
}

fn add_part(
    by_key: &mut BTreeMap<(String, BillingPeriod), Delivery>,
    payer: String,
    period: BillingPeriod,
    mut part: CostExtract,
    (file, rows, is_cube): (usize, u64, bool),
    path: &std::path::Path,
) -> Result<(), crate::cur::CurError> {
    let lines = std::mem::take(&mut part.lines);
    let d = match by_key.entry((payer.clone(), period)) {
        std::collections::btree_map::Entry::Vacant(v) => v.insert(Delivery {
            payer,
            period,
            extract: part,
            packed: PackedLines::default(),
            kinds: (None, None),
            files: vec![(file, rows)],
        }),
        std::collections::btree_map::Entry::Occupied(o) => {
            let d = o.into_mut();
            d.extract.absorb(part, path)?;
            d.files.push((file, rows));
            d
        }
    };
    let shown = path.display().to_string();
    let (mine, theirs) = if is_cube {
        (&mut d.kinds.0, &d.kinds.1)
    } else {
        (&mut d.kinds.1, &d.kinds.0)
    };
    if let Some(other) = theirs {
        return Err(crate::cur::CurError::CubeWithCur {
            path: path.to_path_buf(),
            payer: d.payer.clone(),
            period: d.period.to_string(),
            other: other.clone(),
        });
    }
    mine.get_or_insert(shown);
    d.packed
        .add(period, &d.payer, lines)
        .map_err(|e| crate::cur::CurError::Internal {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })
}

/// A delivery's aggregate lines packed as they will be stored (store/chunks.rs): one
/// encoded chunk per usage account, with its line and row counts and invoice sums.
#[derive(Debug, Default)]
pub struct PackedLines {
    chunks: BTreeMap<ustr::Ustr, PackedAccount>,
}

impl PackedLines {
    /// The delivery's rows, billable and tax (SPEC 4.5): the sums of its accounts' chunks.
    fn totals(&self) -> (u64, Decimal, Decimal) {
        self.chunks
            .values()
            .fold((0, Decimal::ZERO, Decimal::ZERO), |(r, b, t), p| {
                // Sums were overflow-checked per delivery while folding; saturate, never panic.
                (
                    r + p.rows,
                    b.saturating_add(p.billable),
                    t.saturating_add(p.tax),
                )
            })
    }

    /// Adds lines of the delivery (another part's lines of an account already packed are
    /// merged into its chunk, key by key). Accounts are packed on every core.
    fn add(
        &mut self,
        period: BillingPeriod,
        payer: &str,
        accounts: Vec<crate::cur::AccountLines>,
    ) -> Result<(), StoreError> {
        // Gather each account's parts: the chunk packed before, and every list of this call.
        let mut work: BTreeMap<ustr::Ustr, (Option<Vec<u8>>, Vec<crate::cur::AccountLines>)> =
            BTreeMap::new();
        for a in accounts {
            let e = work.entry(a.account).or_insert_with(|| (None, Vec::new()));
            e.1.push(a);
        }
        for (account, e) in work.iter_mut() {
            e.0 = self.chunks.remove(account).map(|p| p.data);
        }
        let payer = ustr::ustr(payer);
        let packed: Vec<(ustr::Ustr, Result<PackedAccount, StoreError>)> = {
            use rayon::prelude::*;
            work.into_par_iter()
                .map(|(account, (old, parts))| {
                    (account, merge_account(period, payer, account, old, parts))
                })
                .collect()
        };
        for (account, result) in packed {
            self.chunks.insert(account, result?);
        }
        Ok(())
    }
}

/// Packs one account's finished lines into its chunk (the [`crate::cur::Packer`] the importer
/// gives the readers, so each file's lines are packed as its fold finishes).
pub fn pack_lines(a: &crate::cur::AccountLines) -> Result<PackedAccount, String> {
    let mut out = PackedAccount {
        lines: 0,
        rows: 0,
        billable: Decimal::ZERO,
        tax: Decimal::ZERO,
        data: Vec::new(),
    };
    let mut chunk = super::chunks::ChunkWriter::new();
    for l in &a.lines {
        out.rows += l.sums.rows;
        let (b, t) = l.key.line_item_type.billable_and_tax(l.sums.unblended_cost);
        // Sums were overflow-checked per delivery while folding; saturate rather than panic.
        out.billable = out.billable.saturating_add(b);
        out.tax = out.tax.saturating_add(t);
        chunk.push(&l.key, &l.sums);
    }
    out.lines = chunk.len();
    out.data = chunk.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// One account's chunk from its parts: the usual single packed part as it is; otherwise the
/// chunk an earlier part of the same delivery packed and every part of this import, decoded
/// and added up key by key.
fn merge_account(
    period: BillingPeriod,
    payer: ustr::Ustr,
    account: ustr::Ustr,
    old: Option<Vec<u8>>,
    mut parts: Vec<crate::cur::AccountLines>,
) -> Result<PackedAccount, StoreError> {
    if old.is_none() && parts.len() == 1 {
        if let Some(p) = parts[0].packed.take() {
            return Ok(p);
        }
        return pack_lines(&parts[0]).map_err(StoreError::BadChunk);
    }
    let decode = |data: &[u8], out: &mut Vec<crate::cur::StoredLine>| {
        super::chunks::decode(
            super::chunks::ChunkId {
                period,
                payer,
                account,
                format: super::chunks::CHUNK_FORMAT,
                data,
            },
            out,
        )
    };
    let mut lines = Vec::new();
    if let Some(data) = &old {
        decode(data, &mut lines)?;
    }
    for part in parts {
        match &part.packed {
            Some(p) => decode(&p.data, &mut lines)?,
            None => lines.extend(part.lines),
        }
    }
    let mut merged: BTreeMap<crate::cur::LineKey, crate::cur::LineSums> = BTreeMap::new();
    for l in lines {
        let e = merged.entry(l.key).or_default();
        crate::cur::fold::add_line(e, &l.sums)
            .map_err(|_| StoreError::BadChunk(format!("the sums of account {account} overflow")))?;
    }
    // Key order, so the same data packs to the same bytes.
    let merged = crate::cur::AccountLines {
        period,
        payer,
        account,
        lines: merged
            .into_iter()
            .map(|(key, sums)| crate::cur::StoredLine { key, sums })
            .collect(),
        packed: None,
    };
    pack_lines(&merged).map_err(StoreError::BadChunk)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    New,
    Replaced,
    Unchanged,
}

/// The one-line summary of a (payer, period) after an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryOutcome {
    pub payer: String,
    pub period: BillingPeriod,
    pub status: DeliveryStatus,
    pub rows: u64,
    pub billable: Decimal,
    pub tax: Decimal,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    /// ISO 4217 code of the amounts (SPEC 5).
    pub currency: String,
}

fn summarize(d: &Delivery, status: DeliveryStatus) -> DeliveryOutcome {
    let (rows, billable, tax) = d.packed.totals();
    let days = d.extract.daily.keys().map(|k| k.day.as_str());
    DeliveryOutcome {
        payer: d.payer.clone(),
        period: d.period,
        status,
        rows,
        billable,
        tax,
        first_day: days.clone().min().map(str::to_string),
        last_day: days.max().map(str::to_string),
        currency: d.currency().to_string(),
    }
}

/// What an import command changed.
#[derive(Debug, Default)]
pub struct CommitReport {
    pub deliveries: Vec<DeliveryOutcome>,
    pub accounts_changed: usize,
    /// What the user should know but that did not stop the import (the same file given
    /// twice, a file without data rows); printed on stderr by the CLI.
    pub warnings: Vec<String>,
}

impl Workspace {
    /// Writes a whole import in one transaction: on any error nothing is written.
    pub fn commit_import(&mut self, batch: &ImportBatch) -> Result<CommitReport, StoreError> {
        let now = now_utc();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut report = CommitReport::default();
        let mut import_ids: HashMap<usize, i64> = HashMap::new();

        for d in &batch.deliveries {
            let closed: bool = tx
                .query_row(
                    "SELECT closed FROM periods WHERE period = ?1",
                    [d.period.to_string()],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(false);
            let fingerprint = d.fingerprint(&batch.files);
            let old: Option<(String, String, String)> = tx
                .query_row(
                    "SELECT fingerprint, json_object('rows', rows, 'billable', billable, 'tax', tax,
                            'first_day', first_day, 'last_day', last_day, 'imported_at', imported_at,
                            'currency', currency),
                            currency
                     FROM deliveries WHERE payer_id = ?1 AND period = ?2",
                    params![d.payer, d.period.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            // A delivery imported before currencies were recorded reads USD; the same files
            // stating another currency replace it, so the recorded currency is corrected.
            let status = match &old {
                Some((f, _, c)) if *f == fingerprint && c == d.currency() => {
                    DeliveryStatus::Unchanged
                }
                Some(_) => DeliveryStatus::Replaced,
                None => DeliveryStatus::New,
            };
            if closed && status != DeliveryStatus::Unchanged {
                return Err(StoreError::ClosedPeriod(d.period));
            }
            let outcome = summarize(d, status);
            if status == DeliveryStatus::Replaced {
                super::restatements::record(&tx, &d.payer, d.period, &now, d.packed.chunks.iter())?;
            }
            if status == DeliveryStatus::Unchanged {
                // Imported before invoices were recorded (migration 13): record them now.
                super::invoices::backfill(&tx, d, &outcome)?;
            }
            if status != DeliveryStatus::Unchanged {
                for (index, _) in &d.files {
                    record_file(&tx, &batch.files, *index, &now, &mut import_ids)?;
                }
                write_delivery(&tx, d, &outcome, &fingerprint, &now, &import_ids)?;
                let after = serde_json::json!({
                    "rows": outcome.rows,
                    "billable": outcome.billable.to_string(),
                    "tax": outcome.tax.to_string(),
                    "first_day": outcome.first_day,
                    "last_day": outcome.last_day,
                    "currency": outcome.currency,
                    "files": d.files.iter().map(|(i, _)| &batch.files[*i].meta.path).collect::<Vec<_>>(),
                });
                tx.execute(
                    "INSERT INTO audit_log (at, period, action, object, before, after, session, origin)
                     VALUES (?1, ?2, 'import', ?3, ?4, ?5, ?6, ?7)",
                    params![
                        now,
                        d.period.to_string(),
                        format!("delivery {} {}", d.payer, d.period),
                        old.map(|(_, summary, _)| summary),
                        after.to_string(),
                        self.session.id,
                        self.session.origin
                    ],
                )?;
            }
            report.deliveries.push(outcome);
        }

        for (index, info) in &batch.accounts {
            if upsert_account_details(&tx, info)? {
                report.accounts_changed += 1;
                record_file(&tx, &batch.files, *index, &now, &mut import_ids)?;
            }
        }
        if report.accounts_changed > 0 {
            tx.execute(
                "INSERT INTO audit_log (at, action, object, after, session, origin) VALUES (?1, 'import', 'accounts', ?2, ?3, ?4)",
                params![now, serde_json::json!({ "accounts_changed": report.accounts_changed }).to_string(), self.session.id, self.session.origin],
            )?;
        }
        tx.commit()?;
        Ok(report)
    }
}

fn record_file(
    tx: &Transaction<'_>,
    files: &[FileRecord],
    index: usize,
    now: &str,
    ids: &mut HashMap<usize, i64>,
) -> Result<i64, StoreError> {
    if let Some(id) = ids.get(&index) {
        return Ok(*id);
    }
    let f = &files[index];
    tx.execute(
        "INSERT INTO imports (imported_at, source_path, size, hash, format, kind, rows)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            now,
            f.meta.path,
            f.meta.size as i64,
            f.meta.hash,
            f.meta.format,
            f.kind,
            f.rows as i64
        ],
    )?;
    let id = tx.last_insert_rowid();
    ids.insert(index, id);
    Ok(id)
}

fn write_delivery(
    tx: &Transaction<'_>,
    d: &Delivery,
    s: &DeliveryOutcome,
    fingerprint: &str,
    now: &str,
    import_ids: &HashMap<usize, i64>,
) -> Result<(), StoreError> {
    let period = d.period.to_string();
    tx.execute(
        "INSERT OR IGNORE INTO payers (payer_id) VALUES (?1)",
        [&d.payer],
    )?;
    for table in [
        "cost_chunks",
        "daily_costs",
        "delivery_files",
        "invoice_totals",
        "deliveries",
    ] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE payer_id = ?1 AND period = ?2"),
            params![d.payer, period],
        )?;
    }
    tx.execute(
        "INSERT INTO deliveries (payer_id, period, fingerprint, imported_at, rows, billable, tax, first_day, last_day, currency)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            d.payer,
            period,
            fingerprint,
            now,
            s.rows as i64,
            s.billable.to_string(),
            s.tax.to_string(),
            s.first_day,
            s.last_day,
            s.currency
        ],
    )?;
    for (index, rows) in &d.files {
        tx.execute(
            "INSERT INTO delivery_files (payer_id, period, import_id, rows) VALUES (?1, ?2, ?3, ?4)",
            params![d.payer, period, import_ids.get(index).copied(), *rows as i64],
        )?;
    }

    let mut account_stmt = tx.prepare_cached(
        "INSERT INTO accounts (account_id, payer_id) VALUES (?1, ?2)
                           ON CONFLICT (account_id) DO UPDATE SET payer_id = excluded.payer_id
                           WHERE accounts.payer_id IS NULL",
    )?;
    account_stmt.execute(params![d.payer, d.payer])?;
    for (account, p) in &d.packed.chunks {
        account_stmt.execute(params![account.as_str(), d.payer])?;
        super::chunks::insert_chunk(tx, &period, &d.payer, account, p.lines, &p.data)?;
    }
    let mut insert_day = tx.prepare_cached(
        "INSERT INTO daily_costs (period, payer_id, account_id, day, rows, billable, tax, public_cost)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    // In key order: SQLite appends to the table's B-tree instead of splitting pages at random.
    let mut days: Vec<_> = d.extract.daily.iter().collect();
    days.sort_unstable_by(|a, b| {
        (a.0.account.as_str(), a.0.day.as_str()).cmp(&(b.0.account.as_str(), b.0.day.as_str()))
    });
    for (k, v) in days {
        insert_day.execute(params![
            period,
            k.payer.as_str(),
            k.account.as_str(),
            k.day,
            v.rows as i64,
            v.billable.to_string(),
            v.tax.to_string(),
            v.public_cost.to_string()
        ])?;
    }
    super::invoices::write(tx, d, s)?;
    Ok(())
}

/// Applies names, emails and status from an accounts file; true when anything changed.
fn upsert_account_details(tx: &Transaction<'_>, a: &AccountInfo) -> Result<bool, StoreError> {
    let current: Option<(Option<String>, Option<String>, Option<String>)> = tx
        .query_row(
            "SELECT name, email, status FROM accounts WHERE account_id = ?1",
            [&a.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let merged = |new: &Option<String>, old: Option<String>| new.clone().or(old);
    match current {
        None => {
            tx.execute(
                "INSERT INTO accounts (account_id, name, email, status) VALUES (?1, ?2, ?3, ?4)",
                params![a.id, a.name, a.email, a.status],
            )?;
            Ok(true)
        }
        Some((name, email, status)) => {
            let next = (
                merged(&a.name, name.clone()),
                merged(&a.email, email.clone()),
                merged(&a.status, status.clone()),
            );
            if next == (name, email, status) {
                return Ok(false);
            }
            tx.execute(
                "UPDATE accounts SET name = ?2, email = ?3, status = ?4 WHERE account_id = ?1",
                params![a.id, next.0, next.1, next.2],
            )?;
            Ok(true)
        }
    }
}
