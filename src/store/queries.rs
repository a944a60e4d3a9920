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
            "SELECT payer_id, account_id, format, data FROM cost_chunks
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
            "SELECT payer_id, account_id, format, data FROM cost_chunks
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
        while let Some(r) = rows.next()? {
            out.push(DailyRow {
                payer: ustr::ustr(super::chunks::text_at(r, 0)?),
                account: ustr::ustr(super::chunks::text_at(r, 1)?),
                day: r.get(2)?,
                billable: decimal(super::chunks::text_at(r, 3)?)?,
            });
        }
        Ok(out)
    }
}

/// A `cost_chunks` row copied out of SQLite: (payer, account, format, data).
struct OwnedChunk(ustr::Ustr, ustr::Ustr, i64, Vec<u8>);

impl OwnedChunk {
    fn from_row(r: &rusqlite::Row<'_>) -> Result<Self, StoreError> {
        Ok(Self(
            ustr::ustr(super::chunks::text_at(r, 0)?),
            ustr::ustr(super::chunks::text_at(r, 1)?),
            r.get(2)?,
            r.get(3)?,
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
/// thousands of chunks and millions of lines).
fn decode_all(period: BillingPeriod, chunks: &[OwnedChunk]) -> Result<Vec<StoredLine>, StoreError> {
    let bytes: usize = chunks.iter().map(|c| c.3.len()).sum();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if workers < 2 || bytes < (4 << 20) {
        let mut out = Vec::new();
        for c in chunks {
            c.decode(period, &mut out)?;
        }
        return Ok(out);
    }
    // Contiguous parts of about equal bytes, so the order of lines is the order of chunks.
    let per = bytes.div_ceil(workers);
    let mut parts: Vec<&[OwnedChunk]> = Vec::with_capacity(workers);
    let (mut start, mut acc) = (0, 0);
    for (i, c) in chunks.iter().enumerate() {
        acc += c.3.len();
        if acc >= per {
            parts.push(&chunks[start..=i]);
            (start, acc) = (i + 1, 0);
        }
    }
    parts.push(&chunks[start..]);
    let decoded: Vec<Result<Vec<StoredLine>, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for c in *part {
                        c.decode(period, &mut out)?;
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(StoreError::BadChunk(
                        "a decoding thread stopped unexpectedly".into(),
                    ))
                })
            })
            .collect()
    });
    let mut out = Vec::new();
    for part in decoded {
        let part = part?;
        if out.is_empty() {
            out = part;
        } else {
            out.extend(part);
        }
    }
    Ok(out)
}
