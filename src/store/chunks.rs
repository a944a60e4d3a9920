//! The aggregate as stored: one chunk per (period, payer, usage account) holding that
//! account's aggregate lines in columns (ARCHITECTURE "Data that stays lean at reseller scale").
//!
//! Why chunks and not one SQL row per line: at reseller scale a month has millions of lines, and
//! reading them as rows of ten text columns cost seconds and a `String` per value; a chunk is
//! one blob read, its dimension values are stored once (a dictionary) and the lines refer to
//! them by index, and a billing group reads only its own accounts' chunks.
//!
//! Encoding: [`postcard`] of [`Chunk`] (varint integers, length-prefixed strings). Money stays
//! exact: a `Decimal` is stored as its 96-bit mantissa and scale and comes back bit for bit;
//! a blob that does not decode, or decodes to an impossible amount, is an error naming the
//! chunk, never a wrong number.

use super::StoreError;
use crate::cur::columns::LabelKind;
use crate::cur::{Label, LineItemType, LineKey, LineSums, StoredLine};
use crate::period::BillingPeriod;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use ustr::Ustr;

/// Version of the [`Chunk`] encoding, stored beside each blob.
pub const CHUNK_FORMAT: i64 = 1;

/// An exact amount: `mantissa x 10^-scale`, as `Decimal` holds it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Amount(i128, u32);

impl From<Decimal> for Amount {
    fn from(d: Decimal) -> Self {
        Amount(d.mantissa(), d.scale())
    }
}

impl Amount {
    fn decimal(self) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(self.0, self.1).ok()
    }
}

/// One account's aggregate lines of one (period, payer), column by column. Every `Vec` of a
/// column has one entry per line; string columns index `strings`, `label_set` indexes
/// `label_sets` (0 is the empty set).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Chunk {
    strings: Vec<String>,
    /// (kind: 0 tag, 1 cost category; key; value), keys and values indexing `strings`.
    label_sets: Vec<Vec<(u8, u32, u32)>>,
    billing_entity: Vec<u32>,
    product_code: Vec<u32>,
    product_name: Vec<u32>,
    usage_type: Vec<u32>,
    operation: Vec<u32>,
    line_item_type: Vec<u32>,
    region: Vec<u32>,
    owner: Vec<u32>,
    free_on_bill: Vec<bool>,
    label_set: Vec<u32>,
    rows: Vec<u64>,
    no_public_price_rows: Vec<u64>,
    usage_amount: Vec<Amount>,
    unblended_cost: Vec<Amount>,
    public_cost: Vec<Amount>,
    sp_effective_cost: Vec<Amount>,
    ri_effective_cost: Vec<Amount>,
}

/// Builds one chunk: dictionaries filled as lines are added.
#[derive(Default)]
pub(crate) struct ChunkWriter {
    chunk: Chunk,
    strings: FxHashMap<Ustr, u32>,
    label_sets: FxHashMap<Arc<[Label]>, u32>,
    /// The few line item types of the chunk, with their string ids (no interning per line).
    types: Vec<(LineItemType, u32)>,
}

impl ChunkWriter {
    pub(crate) fn new() -> Self {
        let mut w = Self::default();
        w.chunk.label_sets.push(Vec::new());
        w
    }

    fn string(&mut self, s: Ustr) -> u32 {
        let strings = &mut self.chunk.strings;
        *self.strings.entry(s).or_insert_with(|| {
            strings.push(s.to_string());
            (strings.len() - 1) as u32
        })
    }

    fn type_id(&mut self, t: LineItemType) -> u32 {
        if let Some((_, id)) = self.types.iter().find(|(have, _)| *have == t) {
            return *id;
        }
        let id = self.string(ustr::ustr(t.as_str()));
        self.types.push((t, id));
        id
    }

    fn label_set(&mut self, labels: &Arc<[Label]>) -> u32 {
        if labels.is_empty() {
            return 0;
        }
        if let Some(i) = self.label_sets.get(labels) {
            return *i;
        }
        let set = labels
            .iter()
            .map(|l| {
                let kind = match l.kind {
                    LabelKind::Tag => 0,
                    LabelKind::CostCategory => 1,
                };
                (kind, self.string(l.key), self.string(l.value))
            })
            .collect();
        self.chunk.label_sets.push(set);
        let i = (self.chunk.label_sets.len() - 1) as u32;
        self.label_sets.insert(labels.clone(), i);
        i
    }

    /// Adds one line (its period, payer and account are the chunk's).
    pub(crate) fn push(&mut self, k: &LineKey, v: &LineSums) {
        let ids = [
            self.string(k.billing_entity),
            self.string(k.product_code),
            self.string(k.product_name),
            self.string(k.usage_type),
            self.string(k.operation),
            self.type_id(k.line_item_type),
            self.string(k.region),
            self.string(k.owner),
        ];
        let set = self.label_set(&k.labels);
        let c = &mut self.chunk;
        for (column, id) in [
            &mut c.billing_entity,
            &mut c.product_code,
            &mut c.product_name,
            &mut c.usage_type,
            &mut c.operation,
            &mut c.line_item_type,
            &mut c.region,
            &mut c.owner,
        ]
        .into_iter()
        .zip(ids)
        {
            column.push(id);
        }
        c.free_on_bill.push(k.free_on_bill);
        c.label_set.push(set);
        c.rows.push(v.rows);
        c.no_public_price_rows.push(v.no_public_price_rows);
        c.usage_amount.push(v.usage_amount.into());
        c.unblended_cost.push(v.unblended_cost.into());
        c.public_cost.push(v.public_cost.into());
        c.sp_effective_cost.push(v.sp_effective_cost.into());
        c.ri_effective_cost.push(v.ri_effective_cost.into());
    }

    /// How many lines were added.
    pub(crate) fn len(&self) -> usize {
        self.chunk.rows.len()
    }

    /// The encoded blob.
    pub(crate) fn finish(self) -> Result<Vec<u8>, StoreError> {
        postcard::to_allocvec(&self.chunk)
            .map_err(|e| StoreError::BadChunk(format!("cannot encode an aggregate chunk: {e}")))
    }
}

/// Where a chunk came from, for decoding and for errors.
pub(crate) struct ChunkId<'a> {
    pub period: BillingPeriod,
    pub payer: Ustr,
    pub account: Ustr,
    pub format: i64,
    pub data: &'a [u8],
}

/// Decodes one chunk into its lines, appended to `out`.
pub(crate) fn decode(id: ChunkId<'_>, out: &mut Vec<StoredLine>) -> Result<(), StoreError> {
    let bad = |why: &str| {
        StoreError::BadChunk(format!(
            "the aggregate of account {} (payer {}, {}) {why}; re-import the period",
            id.account, id.payer, id.period
        ))
    };
    if id.format != CHUNK_FORMAT {
        return Err(bad(&format!(
            "has encoding {} where this build reads {CHUNK_FORMAT}",
            id.format
        )));
    }
    let c: Chunk = postcard::from_bytes(id.data).map_err(|_| bad("cannot be decoded"))?;
    let n = c.rows.len();
    let columns_agree = [
        c.billing_entity.len(),
        c.product_code.len(),
        c.product_name.len(),
        c.usage_type.len(),
        c.operation.len(),
        c.line_item_type.len(),
        c.region.len(),
        c.owner.len(),
        c.free_on_bill.len(),
        c.label_set.len(),
        c.no_public_price_rows.len(),
        c.usage_amount.len(),
        c.unblended_cost.len(),
        c.public_cost.len(),
        c.sp_effective_cost.len(),
        c.ri_effective_cost.len(),
    ]
    .iter()
    .all(|&len| len == n);
    if !columns_agree {
        return Err(bad("has columns of different lengths"));
    }
    let strings: Vec<Ustr> = c.strings.iter().map(|s| ustr::ustr(s)).collect();
    // Only the values the line item type column refers to are types (a few per chunk).
    let mut types: Vec<Option<LineItemType>> = vec![None; strings.len()];
    for &i in &c.line_item_type {
        if let Some(slot @ None) = types.get_mut(i as usize) {
            *slot = Some(LineItemType::parse(&strings[i as usize]));
        }
    }
    let string = |i: u32| {
        strings
            .get(i as usize)
            .copied()
            .ok_or_else(|| bad("refers to a value it does not hold"))
    };
    let mut sets: Vec<Arc<[Label]>> = Vec::with_capacity(c.label_sets.len());
    for set in &c.label_sets {
        let labels = set
            .iter()
            .map(|&(kind, key, value)| {
                Ok(Label {
                    kind: if kind == 0 {
                        LabelKind::Tag
                    } else {
                        LabelKind::CostCategory
                    },
                    key: string(key)?,
                    value: string(value)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        sets.push(labels.into());
    }
    let amount = |a: Amount| a.decimal().ok_or_else(|| bad("holds an impossible amount"));
    out.reserve(n);
    for i in 0..n {
        out.push(StoredLine {
            key: LineKey {
                period: id.period,
                payer: id.payer,
                account: id.account,
                billing_entity: string(c.billing_entity[i])?,
                product_code: string(c.product_code[i])?,
                product_name: string(c.product_name[i])?,
                usage_type: string(c.usage_type[i])?,
                operation: string(c.operation[i])?,
                line_item_type: types
                    .get(c.line_item_type[i] as usize)
                    .copied()
                    .flatten()
                    .ok_or_else(|| bad("refers to a value it does not hold"))?,
                region: string(c.region[i])?,
                owner: string(c.owner[i])?,
                free_on_bill: c.free_on_bill[i],
                labels: sets
                    .get(c.label_set[i] as usize)
                    .cloned()
                    .ok_or_else(|| bad("refers to a label set it does not hold"))?,
            },
            sums: LineSums {
                rows: c.rows[i],
                usage_amount: amount(c.usage_amount[i])?,
                unblended_cost: amount(c.unblended_cost[i])?,
                public_cost: amount(c.public_cost[i])?,
                no_public_price_rows: c.no_public_price_rows[i],
                sp_effective_cost: amount(c.sp_effective_cost[i])?,
                ri_effective_cost: amount(c.ri_effective_cost[i])?,
            },
        });
    }
    Ok(())
}

/// A text column borrowed from a row (no copy).
pub(crate) fn text_at<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str, StoreError> {
    r.get_ref(i)?.as_str().map_err(|e| {
        StoreError::BadChunk(format!(
            "the workspace holds a value that is not text where text belongs (column {i}): {e}"
        ))
    })
}

/// Writes one account's encoded chunk of `lines` lines (replacing any chunk it had).
pub(crate) fn insert_chunk(
    tx: &rusqlite::Transaction<'_>,
    period: &str,
    payer: &str,
    account: &str,
    lines: usize,
    data: &[u8],
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO cost_chunks (period, account_id, payer_id, lines, format, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(rusqlite::params![
        period,
        account,
        payer,
        lines as i64,
        CHUNK_FORMAT,
        data
    ])?;
    Ok(())
}

/// Encodes a chunk and writes it.
fn write_chunk(
    tx: &rusqlite::Transaction<'_>,
    period: &str,
    payer: &str,
    account: &str,
    chunk: ChunkWriter,
) -> Result<(), StoreError> {
    let lines = chunk.len();
    insert_chunk(tx, period, payer, account, lines, &chunk.finish()?)
}

/// Migration 8: moves the aggregate of a workspace written before chunks (one `cost_lines`
/// row per line, labels in `label_sets`) into `cost_chunks`, then drops the old tables. Runs
/// inside the migration's transaction, so a workspace is converted whole or not at all.
pub(crate) fn convert_cost_lines(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    let mut labels: FxHashMap<i64, Vec<Label>> = FxHashMap::default();
    {
        let mut stmt = tx.prepare(
            "SELECT label_set_id, kind, key, value FROM label_set_items
             ORDER BY label_set_id, kind, key",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let kind = match text_at(r, 1)? {
                "tag" => LabelKind::Tag,
                _ => LabelKind::CostCategory,
            };
            labels.entry(r.get(0)?).or_default().push(Label {
                kind,
                key: ustr::ustr(text_at(r, 2)?),
                value: ustr::ustr(text_at(r, 3)?),
            });
        }
    }
    let labels: FxHashMap<i64, Arc<[Label]>> =
        labels.into_iter().map(|(k, v)| (k, v.into())).collect();
    let mut stmt = tx.prepare(
        "SELECT period, payer_id, account_id, billing_entity, product_code, product_name,
                usage_type, operation, line_item_type, region, owner_account_id, free_on_bill,
                label_set_id, rows, usage_amount, unblended_cost, public_cost,
                no_public_price_rows, sp_effective_cost, ri_effective_cost
         FROM cost_lines ORDER BY period, account_id, payer_id",
    )?;
    let mut rows = stmt.query([])?;
    let mut current: Option<(String, String, String, ChunkWriter)> = None;
    while let Some(r) = rows.next()? {
        let text = |i: usize| -> Result<String, StoreError> { Ok(r.get::<_, String>(i)?) };
        let sym = |i: usize| -> Result<Ustr, StoreError> { Ok(ustr::ustr(text_at(r, i)?)) };
        let num = |i: usize| super::decimal(text_at(r, i)?);
        let (period, payer, account) = (text(0)?, text(1)?, text(2)?);
        let same = current
            .as_ref()
            .is_some_and(|(p, y, a, _)| *p == period && *y == payer && *a == account);
        if !same {
            if let Some((p, y, a, w)) = current.take() {
                write_chunk(tx, &p, &y, &a, w)?;
            }
            current = Some((
                period.clone(),
                payer.clone(),
                account.clone(),
                ChunkWriter::new(),
            ));
        }
        let period_value: BillingPeriod = period
            .parse()
            .map_err(|_| StoreError::BadStoredNumber(period.clone()))?;
        let key = LineKey {
            period: period_value,
            payer: ustr::ustr(&payer),
            account: ustr::ustr(&account),
            billing_entity: sym(3)?,
            product_code: sym(4)?,
            product_name: sym(5)?,
            usage_type: sym(6)?,
            operation: sym(7)?,
            line_item_type: LineItemType::parse(text_at(r, 8)?),
            region: sym(9)?,
            owner: sym(10)?,
            free_on_bill: r.get(11)?,
            labels: r
                .get::<_, Option<i64>>(12)?
                .and_then(|s| labels.get(&s).cloned())
                .unwrap_or_else(|| Arc::from([])),
        };
        let sums = LineSums {
            rows: r.get::<_, i64>(13)? as u64,
            usage_amount: num(14)?,
            unblended_cost: num(15)?,
            public_cost: num(16)?,
            no_public_price_rows: r.get::<_, i64>(17)? as u64,
            sp_effective_cost: num(18)?,
            ri_effective_cost: num(19)?,
        };
        if let Some((_, _, _, w)) = current.as_mut() {
            w.push(&key, &sums);
        }
    }
    if let Some((p, y, a, w)) = current.take() {
        write_chunk(tx, &p, &y, &a, w)?;
    }
    drop(rows);
    drop(stmt);
    tx.execute_batch(
        "DROP TABLE cost_lines;
         DROP TABLE label_set_items;
         DROP TABLE label_sets;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(account: &str, cost: &str, tag: Option<&str>) -> StoredLine {
        StoredLine {
            key: LineKey {
                period: "2026-10".parse().unwrap(),
                payer: "111111111111".into(),
                account: account.into(),
                billing_entity: "AWS".into(),
                product_code: "AmazonEC2".into(),
                product_name: "Amazon Elastic Compute Cloud".into(),
                usage_type: "BoxUsage:m5.large".into(),
                operation: "RunInstances".into(),
                line_item_type: LineItemType::parse("Usage"),
                region: "us-east-1".into(),
                owner: "".into(),
                free_on_bill: false,
                labels: tag
                    .map(|t| {
                        vec![Label {
                            kind: LabelKind::Tag,
                            key: "user:team".into(),
                            value: t.into(),
                        }]
                    })
                    .unwrap_or_default()
                    .into(),
            },
            sums: LineSums {
                rows: 3,
                usage_amount: "12.5".parse().unwrap(),
                unblended_cost: cost.parse().unwrap(),
                public_cost: "-0.0000000001".parse().unwrap(),
                no_public_price_rows: 1,
                sp_effective_cost: Decimal::ZERO,
                ri_effective_cost: "79228162514264337593543950335".parse().unwrap(),
            },
        }
    }

    #[test]
    fn lines_come_back_exactly() {
        let lines = [
            line("222222222222", "1.2345678901", Some("web")),
            line("222222222222", "0.00", None),
            line("222222222222", "-3.10", Some("web")),
        ];
        let mut w = ChunkWriter::new();
        for l in &lines {
            w.push(&l.key, &l.sums);
        }
        assert_eq!(w.len(), 3);
        let blob = w.finish().unwrap();
        let mut out = Vec::new();
        decode(
            ChunkId {
                period: "2026-10".parse().unwrap(),
                payer: "111111111111".into(),
                account: "222222222222".into(),
                format: CHUNK_FORMAT,
                data: &blob,
            },
            &mut out,
        )
        .unwrap();
        assert_eq!(out, lines);
        // Scale survives: 0.00 is not 0.
        assert_eq!(out[1].sums.unblended_cost.to_string(), "0.00");
    }

    #[test]
    fn a_damaged_chunk_is_an_error_not_a_number() {
        let mut w = ChunkWriter::new();
        let l = line("222222222222", "1.5", None);
        w.push(&l.key, &l.sums);
        let blob = w.finish().unwrap();
        for cut in [0, 1, blob.len() / 2, blob.len() - 1] {
            let mut out = Vec::new();
            let err = decode(
                ChunkId {
                    period: "2026-10".parse().unwrap(),
                    payer: "111111111111".into(),
                    account: "222222222222".into(),
                    format: CHUNK_FORMAT,
                    data: &blob[..cut],
                },
                &mut out,
            )
            .unwrap_err();
            assert!(err.to_string().contains("account 222222222222"), "{err}");
        }
    }
}
