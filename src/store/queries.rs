//! Reading the workspace back: deliveries, accounts and the aggregate, as exact decimals.

use super::{StoreError, Workspace, decimal};
use crate::period::BillingPeriod;
use rusqlite::params;

pub use crate::cur::StoredLine;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: String,
    pub payer: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// A delivery in force, as summarised at import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub payer: String,
    pub period: BillingPeriod,
    pub rows: u64,
    pub billable: rust_decimal::Decimal,
    pub tax: rust_decimal::Decimal,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    pub imported_at: String,
    /// ISO 4217 code of the amounts (SPEC 5).
    pub currency: String,
}

fn period_of(text: String) -> Result<BillingPeriod, StoreError> {
    text.parse().map_err(|_| StoreError::BadStoredNumber(text))
}

impl Workspace {
    pub fn deliveries(&self) -> Result<Vec<DeliveryRow>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT payer_id, period, rows, billable, tax, first_day, last_day, imported_at, currency
             FROM deliveries ORDER BY period, payer_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        rows.map(|row| {
            let (payer, period, n, billable, tax, first_day, last_day, imported_at, currency) =
                row?;
            Ok(DeliveryRow {
                payer,
                period: period_of(period)?,
                rows: n as u64,
                billable: decimal(&billable)?,
                tax: decimal(&tax)?,
                first_day,
                last_day,
                imported_at,
                currency,
            })
        })
        .collect()
    }

    /// The currency of each payer's delivery in a period (SPEC 5), by payer.
    pub fn currencies(
        &self,
        period: BillingPeriod,
    ) -> Result<std::collections::BTreeMap<String, String>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT payer_id, currency FROM deliveries WHERE period = ?1")?;
        let rows = stmt.query_map([period.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT account_id, payer_id, name, email FROM accounts ORDER BY account_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AccountRow {
                id: r.get(0)?,
                payer: r.get(1)?,
                name: r.get(2)?,
                email: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every aggregate line of a period, for one payer or all, in (account, payer) order.
    pub fn lines(
        &self,
        period: BillingPeriod,
        payer: Option<&str>,
    ) -> Result<Vec<StoredLine>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT payer_id, account_id, format, data, lines FROM cost_chunks
             WHERE period = ?1 AND (?2 IS NULL OR payer_id = ?2)
             ORDER BY period, account_id, payer_id",
        )?;
        let mut rows = stmt.query(params![period.to_string(), payer])?;
        let mut chunks = Vec::new();
        while let Some(r) = rows.next()? {
            chunks.push(OwnedChunk::from_row(r)?);
        }
        decode_all(period, &chunks)
    }

    /// The aggregate lines of some usage accounts in a period (a billing group's, for one
    /// group's report or explanation): only their chunks are read. Accounts without lines
    /// contribute nothing; the order is the order of `accounts`, then payer.
    pub fn lines_of_accounts<'a>(
        &self,
        period: BillingPeriod,
        accounts: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<StoredLine>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT payer_id, account_id, format, data, lines FROM cost_chunks
             WHERE period = ?1 AND account_id = ?2 ORDER BY payer_id",
        )?;
        let period_text = period.to_string();
        let mut chunks = Vec::new();
        for account in accounts {
            let mut rows = stmt.query(params![period_text, account])?;
            while let Some(r) = rows.next()? {
                chunks.push(OwnedChunk::from_row(r)?);
            }
        }
        decode_all(period, &chunks)
    }

    /// How many aggregate lines a period holds (without decoding them).
    pub fn line_count(&self, period: BillingPeriod) -> Result<u64, StoreError> {
        Ok(self.conn().query_row(
            "SELECT coalesce(sum(lines), 0) FROM cost_chunks WHERE period = ?1",
            [period.to_string()],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// How many audit entries exist (tests and the History tab read it).
    pub fn audit_len(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM audit_log", [], |r| r.get::<_, i64>(0))?
            as u64)
    }
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub period: Option<String>,
    pub action: String,
    pub object: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
    /// The object's kind as its ARN resource type (`pricingrule`), when the entry is about one
    /// configuration object.
    pub kind: Option<String>,
    /// The object's ARN, when the entry is about one configuration object.
    pub arn: Option<String>,
}

/// Billable of one account on one usage day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyRow {
    /// Interned, like the aggregate's keys: a reseller's month has hundreds of thousands of
    /// (account, day) rows over a few thousand accounts.
    pub payer: ustr::Ustr,
    pub account: ustr::Ustr,
    pub day: String,
    pub billable: rust_decimal::Decimal,
}

impl Workspace {
    /// The newest audit entries first.
    pub fn audit(&self, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT audit_id, at, period, action, object, before, after, reason, kind, arn
             FROM audit_log ORDER BY audit_id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(AuditRow {
                id: r.get(0)?,
                at: r.get(1)?,
                period: r.get(2)?,
                action: r.get(3)?,
                object: r.get(4)?,
                before: r.get(5)?,
                after: r.get(6)?,
                reason: r.get(7)?,
                kind: r.get(8)?,
                arn: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Daily billable per account of a period, in no particular order (callers sum it
    /// into per-group series).
    pub fn daily(&self, period: BillingPeriod) -> Result<Vec<DailyRow>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT payer_id, account_id, day, billable FROM daily_costs WHERE period = ?1",
        )?;
        let mut rows = stmt.query([period.to_string()])?;
        let mut out = Vec::new();
        // Rows come in key order, an account's days together: intern each account once, not
        // once per day (the interner takes a global lock).
        let mut last = (ustr::ustr(""), ustr::ustr(""));
        while let Some(r) = rows.next()? {
            let (payer, account) = (super::chunks::text_at(r, 0)?, super::chunks::text_at(r, 1)?);
            if last.0.as_str() != payer {
                last.0 = ustr::ustr(payer);
            }
            if last.1.as_str() != account {
                last.1 = ustr::ustr(account);
            }
            out.push(DailyRow {
                payer: last.0,
                account: last.1,
                day: r.get(2)?,
                billable: decimal(super::chunks::text_at(r, 3)?)?,
            });
        }
        Ok(out)
    }
}

/// A `cost_chunks` row copied out of SQLite: (payer, account, format, data, lines).
struct OwnedChunk(ustr::Ustr, ustr::Ustr, i64, Vec<u8>, usize);

impl OwnedChunk {
    fn from_row(r: &rusqlite::Row<'_>) -> Result<Self, StoreError> {
        let lines: i64 = r.get(4)?;
        Ok(Self(
            ustr::ustr(super::chunks::text_at(r, 0)?),
            ustr::ustr(super::chunks::text_at(r, 1)?),
            r.get(2)?,
            r.get(3)?,
            usize::try_from(lines)
                .map_err(|_| StoreError::BadChunk(format!("a chunk records {lines} lines")))?,
        ))
    }

    fn decode(&self, period: BillingPeriod, out: &mut Vec<StoredLine>) -> Result<(), StoreError> {
        super::chunks::decode(
            super::chunks::ChunkId {
                period,
                payer: self.0,
                account: self.1,
                format: self.2,
                data: &self.3,
            },
            out,
        )
    }
}

/// Decodes chunks in order, on every core when there are many (a reseller's month is
/// thousands of chunks and millions of lines). Each worker writes its lines straight into
/// their place in the result, which is allocated once from the chunks' recorded line counts:
/// no part is copied after decoding, and the pages are first touched by the workers.
fn decode_all(period: BillingPeriod, chunks: &[OwnedChunk]) -> Result<Vec<StoredLine>, StoreError> {
    decode_all_from(period, chunks, 4 << 20)
}

/// [`decode_all`], on every core when the chunks hold at least `parallel_bytes`.
fn decode_all_from(
    period: BillingPeriod,
    chunks: &[OwnedChunk],
    parallel_bytes: usize,
) -> Result<Vec<StoredLine>, StoreError> {
    use rayon::prelude::*;
    let bytes: usize = chunks.iter().map(|c| c.3.len()).sum();
    if rayon::current_num_threads() < 2 || bytes < parallel_bytes {
        let mut out = Vec::new();
        for c in chunks {
            c.decode(period, &mut out)?;
        }
        return Ok(out);
    }
    // Where each chunk's lines start in the result.
    let mut starts = Vec::with_capacity(chunks.len());
    let mut total = 0usize;
    for c in chunks {
        starts.push(total);
        total = total
            .checked_add(c.4)
            .ok_or_else(|| StoreError::BadChunk("the chunks record too many lines".into()))?;
    }
    let failed: std::sync::Mutex<Option<StoreError>> = std::sync::Mutex::new(None);
    let fail = |e: StoreError| {
        let mut slot = failed.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(e);
    };
    // What a failed position holds until the error is returned (never seen by a caller).
    let placeholder = StoredLine {
        key: crate::cur::LineKey {
            period,
            payer: ustr::ustr(""),
            account: ustr::ustr(""),
            billing_entity: ustr::ustr(""),
            product_code: ustr::ustr(""),
            product_name: ustr::ustr(""),
            usage_type: ustr::ustr(""),
            operation: ustr::ustr(""),
            line_item_type: crate::cur::LineItemType::Usage,
            region: ustr::ustr(""),
            owner: ustr::ustr(""),
            free_on_bill: false,
            labels: std::sync::Arc::from([]),
        },
        sums: crate::cur::LineSums::default(),
    };
    /// The chunk a worker is handing out: its lines from position `next` on.
    struct Cursor {
        next: usize,
        lines: std::vec::IntoIter<StoredLine>,
    }
    let seek = |i: usize| -> Result<Cursor, StoreError> {
        // The last chunk starting at or before `i` (empty chunks share the next one's start).
        let k = starts.partition_point(|&s| s <= i).saturating_sub(1);
        let c = &chunks[k];
        let mut lines = Vec::with_capacity(c.4);
        c.decode(period, &mut lines)?;
        if lines.len() != c.4 {
            return Err(StoreError::BadChunk(format!(
                "the aggregate of account {} (payer {}, {period}) holds {} lines where {} were \
                 recorded; re-import the period",
                c.1,
                c.0,
                lines.len(),
                c.4
            )));
        }
        let mut lines = lines.into_iter();
        let skip = i - starts[k];
        if skip > 0 {
            lines.nth(skip - 1);
        }
        Ok(Cursor { next: i, lines })
    };
    let mut out = Vec::new();
    (0..total)
        .into_par_iter()
        .with_min_len(1 << 14)
        .map_init(
            || None::<Cursor>,
            |cursor, i| {
                let line = match cursor.as_mut().filter(|c| c.next == i) {
                    Some(c) => c.lines.next(),
                    None => None,
                };
                let line = match line {
                    Some(l) => Some(l),
                    // A new job, or the end of a chunk: find the chunk holding `i`.
                    None => match seek(i) {
                        Ok(mut c) => {
                            let l = c.lines.next();
                            if l.is_none() {
                                fail(StoreError::BadChunk(format!(
                                    "line {i} of {period} is in no chunk; re-import the period"
                                )));
                            }
                            *cursor = Some(c);
                            l
                        }
                        Err(e) => {
                            fail(e);
                            None
                        }
                    },
                };
                if let Some(c) = cursor.as_mut() {
                    c.next = i + 1;
                }
                line.unwrap_or_else(|| placeholder.clone())
            },
        )
        .collect_into_vec(&mut out);
    match failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cur::{LineItemType, LineKey, LineSums};

    fn chunk(account: usize, n: usize) -> (OwnedChunk, Vec<StoredLine>) {
        let period: BillingPeriod = "2026-10".parse().unwrap();
        let account = ustr::ustr(&format!("{:012}", 100_000 + account));
        let lines: Vec<StoredLine> = (0..n)
            .map(|i| StoredLine {
                key: LineKey {
                    period,
                    payer: ustr::ustr("111111111111"),
                    account,
                    billing_entity: ustr::ustr("AWS"),
                    product_code: ustr::ustr("AmazonEC2"),
                    product_name: ustr::ustr("Amazon Elastic Compute Cloud"),
                    usage_type: ustr::ustr(&format!("BoxUsage:{i}")),
                    operation: ustr::ustr("RunInstances"),
                    line_item_type: LineItemType::Usage,
                    region: ustr::ustr("us-east-1"),
                    owner: ustr::ustr(""),
                    free_on_bill: false,
                    labels: std::sync::Arc::from([]),
                },
                sums: LineSums {
                    rows: 1,
                    unblended_cost: rust_decimal::Decimal::new(i as i64 * 7 + 1, 3),
                    ..Default::default()
                },
            })
            .collect();
        let mut w = super::super::chunks::ChunkWriter::new();
        for l in &lines {
            w.push(&l.key, &l.sums);
        }
        let data = w.finish().unwrap();
        let owned = OwnedChunk(
            ustr::ustr("111111111111"),
            account,
            super::super::chunks::CHUNK_FORMAT,
            data,
            n,
        );
        (owned, lines)
    }

    /// Chunks of every size (empty ones too) decoded on every core come back in order, each
    /// line in its place, as one thread decodes them; a chunk whose recorded line count is
    /// wrong is an error naming its account, never a shifted or missing line.
    #[test]
    fn parallel_decoding_puts_every_line_in_its_place() {
        let period: BillingPeriod = "2026-10".parse().unwrap();
        let (mut chunks, mut want) = (Vec::new(), Vec::new());
        for a in 0..600 {
            let (c, lines) = chunk(a, (a * 37) % 211);
            chunks.push(c);
            want.extend(lines);
        }
        assert!(want.len() > 3 << 14, "{}", want.len());
        let sequential = decode_all_from(period, &chunks, usize::MAX).unwrap();
        assert_eq!(sequential, want);
        let parallel = decode_all_from(period, &chunks, 0).unwrap();
        assert_eq!(parallel.len(), want.len());
        assert!(parallel == want, "the parallel decode differs");

        chunks[123].4 += 1;
        let err = decode_all_from(period, &chunks, 0).unwrap_err().to_string();
        assert!(err.contains("000000100123"), "{err}");
        chunks[123].4 -= 2;
        assert!(decode_all_from(period, &chunks, 0).is_err());
    }
}
