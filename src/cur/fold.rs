//! Folds normalised rows into the aggregate the engine reads (ARCHITECTURE "Data flow"):
//! one entry per distinct pricing key, with exact sums. Keys are built in a reused byte buffer
//! so the hot path allocates only when it meets a new key.

use super::CurError;
use super::columns::{ColumnMap, LabelKind};
use super::line_item_type::LineItemType;
use crate::money::{self, NotANumber};
use crate::period::{self, BillingPeriod};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use ustr::Ustr;

/// Pre-summed rows of a proforma cube (`cube-sql`'s result), folded here.
mod cube;
/// Rows folded by their key cells' ids: the line an earlier row of the same cells went to.
pub(super) mod memo;
/// Shards written to temporary files when a file's aggregate outgrows the memory budget.
mod spill;

use super::focus::Effective;

/// One cell source: a CSV record or a converted Parquet row, addressed by header position.
pub trait Cells {
    fn cell(&self, index: usize) -> &[u8];

    /// The cell as text, None when it is not UTF-8. A source that validated its bytes once
    /// (a CSV block) answers without validating each cell again.
    fn text(&self, index: usize) -> Option<&str> {
        std::str::from_utf8(self.cell(index)).ok()
    }

    /// The cell's number when the source holds it as one and converted it already (a Parquet
    /// DOUBLE: `money::decimal_from_f64_digits`, the same value and scale as parsing the
    /// cell's text); None when the cell's text is to be parsed (text sources, null or
    /// non-finite numbers, whose text gives the answer or the error).
    fn decimal(&self, index: usize) -> Option<Decimal> {
        let _ = index;
        None
    }

    /// The cell as one canonical label-set cell ([`encode_label_set`]) when the source built
    /// it from a map already (a Parquet MAP column); None when the cell is text (a JSON
    /// object) to be read.
    fn label_set(&self, index: usize) -> Option<&[u8]> {
        let _ = index;
        None
    }
}

impl Cells for csv::ByteRecord {
    fn cell(&self, index: usize) -> &[u8] {
        self.get(index).unwrap_or(b"")
    }
}

impl Cells for Vec<String> {
    fn cell(&self, index: usize) -> &[u8] {
        self.get(index).map(|s| s.as_bytes()).unwrap_or(b"")
    }
}

/// A tag or cost category value carried by an aggregate line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label {
    pub kind: LabelKind,
    pub key: Ustr,
    pub value: Ustr,
}

/// What pricing, billing views and reports group by (ARCHITECTURE "Data flow").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineKey {
    pub period: BillingPeriod,
    pub payer: Ustr,
    pub account: Ustr,
    pub billing_entity: Ustr,
    pub product_code: Ustr,
    pub product_name: Ustr,
    pub usage_type: Ustr,
    pub operation: Ustr,
    /// `lineItem/LineItemType`: decides how the line is priced (SPEC 4.2).
    pub line_item_type: LineItemType,
    pub region: Ustr,
    /// Account id inside the reservation or savings plan ARN; empty when neither is set.
    pub owner: Ustr,
    /// `Usage` row with unblended cost 0 and unblended rate 0 or empty (SPEC 4.2).
    pub free_on_bill: bool,
    /// Non-empty labels, sorted by kind then key.
    /// Shared: many lines carry the same labels, and reports copy keys around.
    pub labels: std::sync::Arc<[Label]>,
}

/// Exact sums over the rows of one key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineSums {
    pub rows: u64,
    pub usage_amount: Decimal,
    pub unblended_cost: Decimal,
    /// SPEC 4.2 public cost: public on-demand cost, else amount x rate, else unblended cost.
    pub public_cost: Decimal,
    /// Rows whose public cost fell back to the unblended cost.
    pub no_public_price_rows: u64,
    pub sp_effective_cost: Decimal,
    pub ri_effective_cost: Decimal,
}

/// Per account and usage day, for first/last usage day and daily series.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DailyKey {
    pub period: BillingPeriod,
    pub payer: Ustr,
    pub account: Ustr,
    pub day: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DailySums {
    pub rows: u64,
    /// Unblended cost of every line item type except `Tax` (SPEC 4.5 AWSCost).
    pub billable: Decimal,
    pub tax: Decimal,
    pub public_cost: Decimal,
}

/// One invoice of a (period, payer): what the month-end tie-out compares with the invoices
/// AWS issued (issue 12 item 1; cur_formats.md 1.1 `bill/InvoiceId`, `bill/InvoicingEntity`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvoiceKey {
    pub period: BillingPeriod,
    pub payer: Ustr,
    /// `bill/InvoiceId` (FOCUS `InvoiceId`), trimmed; empty for rows without one (an open
    /// month's estimate: AWS fills it when it finalises the month).
    pub invoice_id: String,
    /// `bill/InvoicingEntity` (FOCUS `InvoiceIssuerName`), trimmed; empty when not stated.
    pub entity: String,
}

/// Exact sums over the rows of one invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceSums {
    pub rows: u64,
    /// Unblended cost of every line item type except `Tax` (SPEC 4.5 AWSCost).
    pub billable: Decimal,
    /// Unblended cost of `Tax` rows.
    pub tax: Decimal,
}

/// Adds one invoice's sums to another's; an amount beyond what `Decimal` holds is refused.
pub(crate) fn add_invoice(a: &mut InvoiceSums, b: &InvoiceSums) -> Result<(), NotANumber> {
    a.rows += b.rows;
    add(&mut a.billable, b.billable)?;
    add(&mut a.tax, b.tax)
}

/// The currency a (payer, period)'s rows state, and where it was first seen (SPEC 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencySeen {
    /// ISO 4217 code as written in the rows (`USD`, `CNY`).
    pub code: String,
    /// The file and line (Parquet: row) where it was first seen.
    pub path: PathBuf,
    pub line: u64,
}

/// The currency assumed for rows that state none (no currency column, or empty cells).
pub const DEFAULT_CURRENCY: &str = "USD";

/// One line of the aggregate the engine prices (SPEC 4): what pricing needs of a group of CUR
/// rows (the key) and their sums. The store reads them back per period; the engine and the
/// analysis take them as input, so the type lives with the readers, below both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLine {
    pub key: LineKey,
    pub sums: LineSums,
}

/// The aggregate lines of one usage account in one (period, payer), sorted by key, each key
/// once; or, when the reader was given a [`Packer`], those lines packed (`lines` empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLines {
    pub period: BillingPeriod,
    pub payer: Ustr,
    pub account: Ustr,
    pub lines: Vec<StoredLine>,
    pub packed: Option<PackedAccount>,
}

/// One account's lines in the form the importer keeps them (the store's encoded chunk), with
/// what they add to the delivery's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedAccount {
    /// Aggregate lines in the chunk.
    pub lines: usize,
    /// CUR rows they sum.
    pub rows: u64,
    /// Unblended cost of every line item type but `Tax` (SPEC 4.5), and of `Tax`.
    pub billable: Decimal,
    pub tax: Decimal,
    /// The encoded chunk.
    pub data: Vec<u8>,
}

/// Packs one account's finished lines (the store's chunk encoder; an error is a message).
/// Given to the readers by the importer, so a file's lines are packed shard by shard as the
/// fold finishes and its decoded lines are never all held at once, whatever their number.
pub type Packer<'p> = &'p (dyn Fn(&AccountLines) -> Result<PackedAccount, String> + Sync);

/// Everything one cost file contributes, decoded from the byte keys.
#[derive(Debug, Default, Clone)]
pub struct CostExtract {
    /// The aggregate lines by usage account, in (period, payer, account) order. An account
    /// appears once per file; [`CostExtract::absorb`] may append a second part's.
    pub lines: Vec<AccountLines>,
    pub daily: FxHashMap<DailyKey, DailySums>,
    /// Billable and tax per invoice, when the file has an invoice id or invoicing entity
    /// column ([`ColumnMap::invoice_id`]); empty otherwise (and for a proforma cube).
    pub invoices: FxHashMap<InvoiceKey, InvoiceSums>,
    pub rows: u64,
    /// The currency each (period, payer) states; absent when its rows state none, which
    /// means `DEFAULT_CURRENCY`. Rows of one (period, payer) in two currencies are refused
    /// while reading, so there is at most one.
    pub currencies: std::collections::BTreeMap<(BillingPeriod, String), CurrencySeen>,
    /// xxh3-128 of the decompressed content read (CSV inputs): equal for the same data
    /// however compressed (`cur.csv` and `cur.csv.gz`). None where not computed (Parquet).
    pub content_hash: Option<String>,
}

impl CostExtract {
    /// Every aggregate line.
    pub fn iter_lines(&self) -> impl Iterator<Item = &StoredLine> {
        self.lines.iter().flat_map(|a| a.lines.iter())
    }

    /// How many aggregate lines (keys) the extract holds.
    pub fn line_count(&self) -> usize {
        self.lines.iter().map(|a| a.lines.len()).sum()
    }

    /// The currency of a (period, payer): the one its rows state, else `DEFAULT_CURRENCY`.
    pub fn currency(&self, period: BillingPeriod, payer: &str) -> &str {
        self.currencies
            .get(&(period, payer.to_string()))
            .map_or(DEFAULT_CURRENCY, |c| c.code.as_str())
    }
}

/// Combines where two parts of one (period, payer) state their currency: the same code keeps
/// the earlier place; two codes are refused, naming both places.
pub fn merge_currency(
    into: &mut std::collections::BTreeMap<(BillingPeriod, String), CurrencySeen>,
    key: (BillingPeriod, String),
    seen: CurrencySeen,
) -> Result<(), CurError> {
    match into.get_mut(&key) {
        None => {
            into.insert(key, seen);
            Ok(())
        }
        Some(have) if have.code == seen.code => {
            if have.path == seen.path && seen.line < have.line {
                have.line = seen.line;
            }
            Ok(())
        }
        Some(have) => {
            let (first, second) = if have.path == seen.path && seen.line < have.line {
                (&seen, &*have)
            } else {
                (&*have, &seen)
            };
            let at = |c: &CurrencySeen| {
                if first.path == second.path {
                    format!("line {}", c.line)
                } else {
                    format!("{} line {}", c.path.display(), c.line)
                }
            };
            Err(CurError::MixedCurrency(Box::new(super::MixedCurrency {
                path: second.path.clone(),
                payer: key.1.clone(),
                period: key.0.to_string(),
                first_code: first.code.clone(),
                first_at: at(first),
                second_code: second.code.clone(),
                second_at: at(second),
                line: second.line,
            })))
        }
    }
}

/// A 12-digit AWS account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// A three-letter upper-case ISO 4217 code.
fn is_currency_code(code: &[u8]) -> bool {
    code.len() == 3 && code.iter().all(u8::is_ascii_uppercase)
}

/// Why a number cell was refused: a well-formed number beyond what `Decimal` holds exactly is
/// "out of range", anything else "not a number".
fn number_reason(text: &str) -> &'static str {
    let t = text.trim();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let digits_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (digits_ok(a) || a.is_empty())
                && (digits_ok(b) || b.is_empty())
                && !(a.is_empty() && b.is_empty())
        }
        None => digits_ok(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits_ok(e.strip_prefix(['+', '-']).unwrap_or(e)));
    if mantissa_ok && exponent_ok {
        "is out of range: proforma holds amounts up to about 7.9e28 (digits past the 28th decimal place are rounded)"
    } else {
        "is not a number"
    }
}

impl CostExtract {
    /// Adds another extract (another part of the same delivery) into this one.
    pub fn absorb(&mut self, other: CostExtract, path: &Path) -> Result<(), CurError> {
        for (k, seen) in other.currencies {
            merge_currency(&mut self.currencies, k, seen)?;
        }
        self.rows += other.rows;
        // The same account in both parts is added up key by key when packed (store).
        self.lines.extend(other.lines);
        for (k, v) in other.daily {
            let e = self.daily.entry(k).or_default();
            add_daily(e, &v).map_err(|_| overflow(path))?;
        }
        for (k, v) in other.invoices {
            let e = self.invoices.entry(k).or_default();
            add_invoice(e, &v).map_err(|_| overflow(path))?;
        }
        Ok(())
    }
}

fn overflow(path: &Path) -> CurError {
    CurError::Overflow {
        path: path.to_path_buf(),
    }
}

/// Adds exactly or not at all: a sum beyond `Decimal`'s range is refused, and so is one that
/// needs more than its 28-29 digits at the operands' scale (`Decimal` would round it, e.g.
/// 1e27 + 0.01).
fn add(a: &mut Decimal, b: Decimal) -> Result<(), NotANumber> {
    let scale = a.scale().max(b.scale());
    let mut sum = a.checked_add(b).ok_or(NotANumber)?;
    if sum.scale() < scale {
        if !a.is_zero() && !b.is_zero() {
            return Err(NotANumber);
        }
        // A zero operand gives the other back with its own scale: the sum's scale would then
        // depend on the order rows are met (`48.582178` or `48.5821780000`). Keep the larger,
        // when the digits allow (they always hold the value itself).
        let mut widened = sum;
        widened.rescale(scale);
        if widened == sum && widened.scale() == scale {
            sum = widened;
        }
    }
    *a = sum;
    Ok(())
}

/// Adds one line's sums to another's (rows and exact amounts); an amount beyond what
/// `Decimal` holds is refused, never wrapped.
pub(crate) fn add_line(a: &mut LineSums, b: &LineSums) -> Result<(), NotANumber> {
    a.rows += b.rows;
    a.no_public_price_rows += b.no_public_price_rows;
    add(&mut a.usage_amount, b.usage_amount)?;
    add(&mut a.unblended_cost, b.unblended_cost)?;
    add(&mut a.public_cost, b.public_cost)?;
    add(&mut a.sp_effective_cost, b.sp_effective_cost)?;
    add(&mut a.ri_effective_cost, b.ri_effective_cost)
}

fn add_daily(a: &mut DailySums, b: &DailySums) -> Result<(), NotANumber> {
    a.rows += b.rows;
    add(&mut a.billable, b.billable)?;
    add(&mut a.tax, b.tax)?;
    add(&mut a.public_cost, b.public_cost)
}

/// Byte keys to sums, looked up by a 128-bit hash of the key (cheap to hash and compare,
/// unlike the ~150-byte keys themselves). A hit is confirmed against the stored bytes, and the
/// astronomically rare collision goes to a plain map, so sums are never mixed up.
struct KeyTable<V> {
    index: FxHashMap<u128, usize>,
    collided: std::collections::HashMap<Box<[u8]>, usize>,
    /// Every entry's key, back to back (no allocation per key); entry `i`'s key ends at
    /// `ends[i]` and starts where entry `i - 1`'s ends.
    keys: Vec<u8>,
    ends: Vec<usize>,
    values: Vec<V>,
}

impl<V> Default for KeyTable<V> {
    fn default() -> Self {
        Self {
            index: FxHashMap::default(),
            collided: Default::default(),
            keys: Vec::new(),
            ends: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<V> KeyTable<V> {
    /// Number of entries.
    fn len(&self) -> usize {
        self.values.len()
    }

    /// Entry `i`'s key.
    fn key(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.keys[start..self.ends[i]]
    }

    /// Entry `i`'s value.
    fn value_mut(&mut self, i: usize) -> &mut V {
        &mut self.values[i]
    }

    /// Every (key, value), in the order the entries were created.
    fn iter(&self) -> impl Iterator<Item = (&[u8], &V)> {
        (0..self.len()).map(|i| (self.key(i), &self.values[i]))
    }
}

impl<V: Default> KeyTable<V> {
    fn push(&mut self, key: &[u8]) -> usize {
        self.keys.extend_from_slice(key);
        self.ends.push(self.keys.len());
        self.values.push(V::default());
        self.values.len() - 1
    }

    /// The position of `key`'s entry, created empty if new.
    fn position(&mut self, key: &[u8]) -> usize {
        let hash = xxhash_rust::xxh3::xxh3_128(key);
        let next = self.values.len();
        let i = *self.index.entry(hash).or_insert(next);
        if i == next {
            return self.push(key);
        }
        if self.key(i) == key {
            return i;
        }
        if let Some(&i) = self.collided.get(key) {
            return i;
        }
        let i = self.push(key);
        self.collided.insert(key.into(), i);
        i
    }
}

/// Sums per (period, payer, account) slot and usage day. Each aggregate line remembers its
/// account slot, so a row costs a lookup by a small fixed-size key.
type DailyTable = FxHashMap<(usize, u32), DailySums>;

/// `2026-10-05` -> 20261005.
fn day_code(day: &str) -> u32 {
    day.bytes().filter(u8::is_ascii_digit).fold(0u32, |acc, b| {
        acc.wrapping_mul(10).wrapping_add(u32::from(b - b'0'))
    })
}

fn day_text(code: u32) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        code / 10_000,
        code / 100 % 100,
        code % 100
    )
}

/// How many parts a file's fold table is cut into, by usage account. Every row of an account
/// lands in the same shard, so the shards never share a key: workers fold into them under a
/// per-shard lock (two workers rarely want the same one of 64), nothing is merged at the end,
/// the shards are finished in parallel, and one shard at a time can be spilled to disk.
const SHARDS: usize = 64;

/// The memory the fold tables of one file may hold before shards are spilled to temporary
/// files, unless `PROFORMA_IMPORT_BUDGET_MB` says otherwise (README "Importing").
pub const DEFAULT_BUDGET_MB: usize = 512;

/// Approximate bytes of table entry besides its key: sums, index slot, slot vectors, growth.
const LINE_OVERHEAD: usize = 200;
const DAY_OVERHEAD: usize = 100;
const INVOICE_OVERHEAD: usize = 120;
const ACCOUNT_OVERHEAD: usize = 80;

/// How much of its new entries a worker counts before it adds them to the table's total.
const HELD_BATCH: usize = 1 << 20;

/// One shard of a file's aggregate: the lines, accounts and days of the usage accounts
/// whose id hashes to it.
#[derive(Default)]
struct Shard {
    lines: KeyTable<LineSums>,
    /// The account slot of each line, by line position.
    line_account: Vec<usize>,
    /// (period, payer, account) keys.
    accounts: KeyTable<()>,
    /// The (period, payer) slot of each account slot.
    account_delivery: Vec<usize>,
    /// (period, payer) keys.
    deliveries: KeyTable<()>,
    /// The currency each (period, payer) slot states, with the line it was first seen on.
    /// Every currency each (period, payer) slot's rows state, with its earliest line. Two
    /// are refused when the file is finished, naming each one's earliest line, whichever
    /// worker met which row first.
    delivery_currency: Vec<Vec<(Box<[u8]>, u64)>>,
    daily: DailyTable,
    /// Invoice sums keyed by the (period, payer) slot (4 bytes, little-endian) followed by
    /// the length-prefixed invoice id and invoicing entity ([`FoldWorker::invoice_key`]).
    invoices: KeyTable<InvoiceSums>,
    /// The invoice entry the last row went to: a delivery's rows mostly share one invoice,
    /// so most rows find theirs by one comparison instead of a hash lookup.
    last_invoice: Option<usize>,
    /// Approximate bytes held, for the memory budget.
    held: usize,
    /// How many times the shard was spilled (emptied): line positions remembered from an
    /// earlier generation ([`memo`]) are void.
    generation: u32,
}

impl Shard {
    /// The slot of a (period, payer, account) key prefix, created (with its (period, payer)
    /// slot) if new.
    fn account_slot(&mut self, prefix: &[u8]) -> usize {
        let slot = self.accounts.position(prefix);
        if slot == self.account_delivery.len() {
            let d = self.deliveries.position(key_prefix(prefix, 2));
            if d == self.delivery_currency.len() {
                self.delivery_currency.push(Vec::new());
            }
            self.account_delivery.push(d);
            self.held += prefix.len() + ACCOUNT_OVERHEAD;
        }
        slot
    }

    /// The (period, payer, account) of an account slot, as text.
    fn account_text(&self, slot: usize) -> (String, String, String) {
        let mut r = KeyReader {
            buf: self.accounts.key(slot),
        };
        (
            r.field().unwrap_or_default(),
            r.field().unwrap_or_default(),
            r.field().unwrap_or_default(),
        )
    }
}

/// Which shard holds a usage account's rows.
fn shard_of(account: &[u8]) -> usize {
    (xxhash_rust::xxh3::xxh3_64(account) % SHARDS as u64) as usize
}

/// The fold table of one file: shards shared by the workers that parse it, with the spill
/// files of shards that outgrew the memory budget.
pub struct Folder<'m> {
    map: &'m ColumnMap,
    path: &'m Path,
    shards: Box<[Mutex<Shard>]>,
    /// The spill file of each shard: earlier partial aggregates, folded back in by `finish`.
    spilled: Box<[Mutex<Option<std::fs::File>>]>,
    /// Bytes held across shards (approximate, counted in batches by the workers).
    held: AtomicUsize,
    budget: usize,
    /// How many bytes of new entries a worker counts before adding them to `held`.
    held_batch: usize,
    /// A spill that failed: reported by `finish`.
    spill_error: Mutex<Option<String>>,
    rows: u64,
    /// For [`Folder::fold`], the single-threaded entry point.
    key: Vec<u8>,
    invoice: Vec<u8>,
    pending: usize,
    packer: Option<Packer<'m>>,
}

/// One worker's handle on a [`Folder`]: its own key buffer and row count; the table is
/// shared.
pub struct FoldWorker<'f, 'm> {
    table: &'f Folder<'m>,
    map: &'m ColumnMap,
    path: &'m Path,
    key: Vec<u8>,
    /// The row's invoice key (slot placeholder, id, entity), reused from row to row.
    invoice: Vec<u8>,
    rows: u64,
    /// Bytes of new entries not yet added to the table's total.
    pending: usize,
    /// The lines earlier rows went to, by their key cells' ids ([`FoldWorker::fold_signed`]).
    memo: memo::Memo,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A worker that panicked while holding a shard poisons it; the panic is reported as a
    // stopped thread, and the half-updated shard is never committed (the import fails).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn push_field(buf: &mut Vec<u8>, value: &[u8]) {
    // Length-prefixed, so no value can be mistaken for a separator.
    buf.extend_from_slice(&(value.len() as u32).to_le_bytes());
    buf.extend_from_slice(value);
}

/// Writes a row's labels of one kind (a map column's entries, `(key, value)` as byte ranges
/// of `text`) into `out` as one canonical cell for [`ColumnMap::label_sets`]: sorted by key,
/// the first entry of a repeated key, no empty key or value (an empty value carries nothing,
/// as an empty legacy label column), each pair length-prefixed. Rows with the same labels
/// give the same bytes whatever order their map lists them in. `pairs` is reordered.
pub(crate) fn encode_label_set(
    text: &[u8],
    pairs: &mut [(std::ops::Range<usize>, std::ops::Range<usize>)],
    out: &mut Vec<u8>,
) {
    // Stable: of a repeated key, the first entry stays first.
    pairs.sort_by(|a, b| text[a.0.clone()].cmp(&text[b.0.clone()]));
    let mut last: Option<&[u8]> = None;
    for (k, v) in pairs.iter() {
        let (k, v) = (&text[k.clone()], &text[v.clone()]);
        if k.is_empty() || v.is_empty() || last == Some(k) {
            continue;
        }
        last = Some(k);
        push_field(out, k);
        push_field(out, v);
    }
}

/// Owner account id from `arn:aws:ec2:us-east-1:OWNER:reserved-instances/...` or
/// `arn:aws:savingsplans::OWNER:savingsplan/...`.
fn arn_owner(arn: &[u8]) -> &[u8] {
    arn.split(|&b| b == b':').nth(4).unwrap_or(b"")
}

/// The import's memory budget in bytes: `PROFORMA_IMPORT_BUDGET_MB` (whole megabytes, 0
/// spills all the time) or [`DEFAULT_BUDGET_MB`]. Errors: the variable is set to something
/// else than a whole number (the message names it and what it holds).
pub fn import_budget() -> Result<usize, String> {
    match std::env::var("PROFORMA_IMPORT_BUDGET_MB") {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_BUDGET_MB << 20),
        Ok(v) => v
            .trim()
            .parse::<usize>()
            .map(|mb| mb.saturating_mul(1 << 20))
            .map_err(|_| {
                format!(
                    "PROFORMA_IMPORT_BUDGET_MB is '{v}': it takes a whole number of megabytes \
                     (default {DEFAULT_BUDGET_MB})"
                )
            }),
        Err(std::env::VarError::NotUnicode(_)) => Err(
            "PROFORMA_IMPORT_BUDGET_MB is not text: it takes a whole number of megabytes".into(),
        ),
    }
}

/// [`import_budget`], the default where the variable is unusable (the CLI refuses that first).
pub(super) fn budget_from_env() -> usize {
    import_budget().unwrap_or(DEFAULT_BUDGET_MB << 20)
}

impl<'m> Folder<'m> {
    /// A fold table for one file, with the memory budget of `PROFORMA_IMPORT_BUDGET_MB`
    /// (default [`DEFAULT_BUDGET_MB`]).
    pub fn new(map: &'m ColumnMap, path: &'m Path) -> Self {
        Self::with_budget(map, path, budget_from_env())
    }

    /// A fold table that spills shards to temporary files once it holds about `budget` bytes.
    pub fn with_budget(map: &'m ColumnMap, path: &'m Path, budget: usize) -> Self {
        Self {
            map,
            path,
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            spilled: (0..SHARDS).map(|_| Mutex::default()).collect(),
            held: AtomicUsize::new(0),
            budget,
            held_batch: (budget / 8).clamp(1, HELD_BATCH),
            spill_error: Mutex::new(None),
            rows: 0,
            key: Vec::with_capacity(256),
            invoice: Vec::with_capacity(64),
            pending: 0,
            packer: None,
        }
    }

    /// Packs each account's lines with `packer` as the table is finished (None: keep them
    /// decoded in [`AccountLines::lines`]).
    pub fn with_packer(mut self, packer: Option<Packer<'m>>) -> Self {
        self.packer = packer;
        self
    }

    /// A handle for one worker thread; give its [`FoldWorker::done`] count back with
    /// [`Folder::add_rows`].
    pub fn worker(&self) -> FoldWorker<'_, 'm> {
        FoldWorker {
            table: self,
            map: self.map,
            path: self.path,
            key: Vec::with_capacity(256),
            invoice: Vec::with_capacity(64),
            rows: 0,
            pending: 0,
            memo: memo::Memo::default(),
        }
    }

    /// Adds the rows a worker folded.
    pub fn add_rows(&mut self, rows: u64) {
        self.rows += rows;
    }

    /// Folds one row on the calling thread; `line` is its 1-based line (CSV) or row number
    /// (Parquet) for errors.
    pub fn fold<R: Cells>(&mut self, row: &R, line: u64) -> Result<(), CurError> {
        let key = std::mem::take(&mut self.key);
        let invoice = std::mem::take(&mut self.invoice);
        let (rows, pending) = (self.rows, self.pending);
        let mut w = FoldWorker {
            table: self,
            map: self.map,
            path: self.path,
            key,
            invoice,
            rows,
            pending,
            memo: memo::Memo::default(),
        };
        let result = w.fold(row, line);
        let FoldWorker {
            key,
            invoice,
            rows,
            pending,
            ..
        } = w;
        self.key = key;
        self.invoice = invoice;
        self.rows = rows;
        self.pending = pending;
        result
    }

    /// Adds another folder's table (same file, same columns) into this one, shard by shard.
    pub fn merge(&mut self, other: Folder<'_>) -> Result<(), CurError> {
        if let Some(e) = other
            .spill_error
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
        {
            return Err(spill::error(e));
        }
        self.rows += other.rows;
        for (i, (shard, spilled)) in other
            .shards
            .into_vec()
            .into_iter()
            .zip(other.spilled.into_vec())
            .enumerate()
        {
            let from = shard.into_inner().unwrap_or_else(|e| e.into_inner());
            let mine = self.shards[i].get_mut().unwrap_or_else(|e| e.into_inner());
            merge_shard(mine, from, self.path)?;
            if let Some(file) = spilled.into_inner().unwrap_or_else(|e| e.into_inner()) {
                spill::read_all(file, |from| merge_shard(mine, from, self.path))?;
            }
        }
        Ok(())
    }

    /// Spills the largest shard to a temporary file (when the table holds more than its
    /// budget). A failure is kept and reported by `finish`, so the import stops cleanly.
    fn spill_largest(&self) {
        let mut largest = (0, 0);
        for (i, s) in self.shards.iter().enumerate() {
            let held = lock(s).held;
            if held > largest.1 {
                largest = (i, held);
            }
        }
        if largest.1 == 0 {
            return;
        }
        let shard = {
            let mut held = lock(&self.shards[largest.0]);
            let shard = std::mem::take(&mut *held);
            held.generation = shard.generation.wrapping_add(1);
            shard
        };
        // (`fetch_update` cannot fail with a closure that always returns Some.)
        let _ = self
            .held
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |h| {
                Some(h.saturating_sub(shard.held))
            });
        if let Err(e) = spill::write(&mut lock(&self.spilled[largest.0]), &shard) {
            lock(&self.spill_error).get_or_insert(e.to_string());
        }
    }

    /// Decodes the byte keys into typed keys, shard by shard on every core (spilled parts
    /// folded back in first), grouped by usage account.
    pub fn finish(self) -> Result<CostExtract, CurError> {
        let Folder {
            map,
            path,
            shards,
            spilled,
            spill_error,
            rows,
            packer,
            ..
        } = self;
        if let Some(e) = spill_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(spill::error(e));
        }
        let names: Vec<Ustr> = map.labels.iter().map(|(_, _, n)| ustr::ustr(n)).collect();
        let work: Vec<(Shard, Option<std::fs::File>)> = shards
            .into_vec()
            .into_iter()
            .zip(spilled.into_vec())
            .map(|(s, f)| {
                (
                    s.into_inner().unwrap_or_else(|e| e.into_inner()),
                    f.into_inner().unwrap_or_else(|e| e.into_inner()),
                )
            })
            .collect();
        let finish_one = |(mut shard, file): (Shard, Option<std::fs::File>)| {
            if let Some(file) = file {
                spill::read_all(file, |from| merge_shard(&mut shard, from, path))?;
            }
            finish_shard(shard, map, path, &names, packer)
        };
        let results: Vec<Result<ShardOut, CurError>> = {
            use rayon::prelude::*;
            work.into_par_iter().map(finish_one).collect()
        };
        let mut out = CostExtract {
            rows,
            ..Default::default()
        };
        let mut currencies = Vec::new();
        for part in results {
            let part = part?;
            out.lines.extend(part.accounts);
            out.daily.extend(part.daily);
            for (k, v) in part.invoices {
                // A (period, payer) spans shards: its invoices are added up across them.
                let e = out.invoices.entry(k).or_default();
                add_invoice(e, &v).map_err(|_| overflow(path))?;
            }
            currencies.extend(part.currencies);
        }
        // The earliest line first, so a second currency is reported where it appears.
        currencies.sort_by_key(|(_, seen)| seen.line);
        for (key, seen) in currencies {
            merge_currency(&mut out.currencies, key, seen)?;
        }
        out.lines.sort_unstable_by(|a, b| {
            (a.period, a.payer, a.account).cmp(&(b.period, b.payer, b.account))
        });
        Ok(out)
    }
}

/// What one shard contributes to a file's extract.
struct ShardOut {
    accounts: Vec<AccountLines>,
    daily: Vec<(DailyKey, DailySums)>,
    invoices: Vec<(InvoiceKey, InvoiceSums)>,
    currencies: Vec<((BillingPeriod, String), CurrencySeen)>,
}

fn finish_shard(
    shard: Shard,
    map: &ColumnMap,
    path: &Path,
    names: &[Ustr],
    packer: Option<Packer<'_>>,
) -> Result<ShardOut, CurError> {
    if map.cube.is_some() {
        check_cube_adds_up(&shard, path)?;
    }
    let accounts = shard
        .accounts
        .iter()
        .map(|(k, _)| {
            let mut r = KeyReader { buf: k };
            Some((
                BillingPeriod::from_timestamp(&r.field()?)?,
                ustr::ustr(&r.field()?),
                ustr::ustr(&r.field()?),
            ))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| corrupt_key(path))?;
    let mut decoder = KeyDecoder::default();
    let mut by_account: Vec<Vec<StoredLine>> = vec![Vec::new(); accounts.len()];
    for ((k, v), slot) in shard.lines.iter().zip(&shard.line_account) {
        let key = decode_line_key(k, map, names, &mut decoder).ok_or_else(|| corrupt_key(path))?;
        by_account[*slot].push(StoredLine {
            key,
            sums: v.clone(),
        });
    }
    let mut out = ShardOut {
        accounts: Vec::with_capacity(accounts.len()),
        daily: Vec::with_capacity(shard.daily.len()),
        invoices: Vec::with_capacity(shard.invoices.len()),
        currencies: Vec::new(),
    };
    for ((period, payer, account), mut lines) in accounts.iter().zip(by_account) {
        if lines.is_empty() {
            continue;
        }
        // Distinct byte keys can decode to one key (invalid UTF-8 replaced): add them up.
        lines.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        let mut merged: Vec<StoredLine> = Vec::with_capacity(lines.len());
        for l in lines {
            match merged.last_mut() {
                Some(last) if last.key == l.key => {
                    add_line(&mut last.sums, &l.sums).map_err(|_| overflow(path))?;
                }
                _ => merged.push(l),
            }
        }
        let mut lines = AccountLines {
            period: *period,
            payer: *payer,
            account: *account,
            lines: merged,
            packed: None,
        };
        if let Some(pack) = packer {
            let packed = pack(&lines).map_err(|detail| CurError::Internal {
                path: path.to_path_buf(),
                detail,
            })?;
            lines.lines = Vec::new();
            lines.packed = Some(packed);
        }
        out.accounts.push(lines);
    }
    for (d, (k, _)) in shard.deliveries.iter().enumerate() {
        for (code, line) in &shard.delivery_currency[d] {
            let mut r = KeyReader { buf: k };
            let key = (|| Some((BillingPeriod::from_timestamp(&r.field()?)?, r.field()?)))()
                .ok_or_else(|| corrupt_key(path))?;
            out.currencies.push((
                key,
                CurrencySeen {
                    code: String::from_utf8_lossy(code).into_owned(),
                    path: path.to_path_buf(),
                    line: *line,
                },
            ));
        }
    }
    for (k, v) in shard.invoices.iter() {
        let (slot, id, entity) = invoice_key_parts(k).ok_or_else(|| corrupt_key(path))?;
        let mut r = KeyReader {
            buf: shard.deliveries.key(slot),
        };
        let (period, payer) =
            (|| Some((BillingPeriod::from_timestamp(&r.field()?)?, r.field()?)))()
                .ok_or_else(|| corrupt_key(path))?;
        out.invoices.push((
            InvoiceKey {
                period,
                payer: ustr::ustr(&payer),
                invoice_id: String::from_utf8_lossy(id).into_owned(),
                entity: String::from_utf8_lossy(entity).into_owned(),
            },
            v.clone(),
        ));
    }
    for ((slot, day), v) in shard.daily {
        let (period, payer, account) = &accounts[slot];
        let key = DailyKey {
            period: *period,
            payer: *payer,
            account: *account,
            day: day_text(day),
        };
        out.daily.push((key, v));
    }
    Ok(out)
}

/// Adds one shard into another (the same accounts' partial sums, from another worker's
/// table or a spill file).
fn merge_shard(into: &mut Shard, from: Shard, path: &Path) -> Result<(), CurError> {
    let slots: Vec<usize> = from
        .accounts
        .iter()
        .map(|(k, _)| into.account_slot(k))
        .collect();
    let mut delivery_slots = Vec::with_capacity(from.deliveries.len());
    for (d, (k, _)) in from.deliveries.iter().enumerate() {
        let mine = into.deliveries.position(k);
        if mine == into.delivery_currency.len() {
            into.delivery_currency.push(Vec::new());
        }
        delivery_slots.push(mine);
        for (code, at) in &from.delivery_currency[d] {
            note(&mut into.delivery_currency[mine], code, *at);
        }
    }
    for ((k, v), their_slot) in from.lines.iter().zip(&from.line_account) {
        let i = into.lines.position(k);
        if i == into.line_account.len() {
            into.line_account.push(slots[*their_slot]);
            into.held += k.len() + LINE_OVERHEAD;
        }
        add_line(into.lines.value_mut(i), v).map_err(|_| overflow(path))?;
    }
    let days = into.daily.len();
    for ((slot, day), v) in from.daily {
        let e = into.daily.entry((slots[slot], day)).or_default();
        add_daily(e, &v).map_err(|_| overflow(path))?;
    }
    into.held += (into.daily.len() - days) * DAY_OVERHEAD;
    let mut key = Vec::new();
    for (k, v) in from.invoices.iter() {
        let slot = invoice_key_parts(k)
            .and_then(|(slot, _, _)| delivery_slots.get(slot))
            .ok_or_else(|| corrupt_key(path))?;
        key.clear();
        key.extend_from_slice(k);
        key[..4].copy_from_slice(&(*slot as u32).to_le_bytes());
        let n = into.invoices.len();
        let i = into.invoices.position(&key);
        if i == n {
            into.held += key.len() + INVOICE_OVERHEAD;
        }
        add_invoice(into.invoices.value_mut(i), v).map_err(|_| overflow(path))?;
    }
    into.last_invoice = None;
    Ok(())
}

/// The (period, payer) slot, invoice id and invoicing entity of a shard's invoice key.
fn invoice_key_parts(key: &[u8]) -> Option<(usize, &[u8], &[u8])> {
    let slot = u32::from_le_bytes(key.get(..4)?.try_into().ok()?) as usize;
    let mut r = KeyReader { buf: &key[4..] };
    Some((slot, r.bytes()?, r.bytes()?))
}

/// Records that `code` appears at `line`: its earliest line is kept.
fn note(seen: &mut Vec<(Box<[u8]>, u64)>, code: &[u8], line: u64) {
    match seen.iter_mut().find(|(c, _)| **c == *code) {
        Some((_, first)) => *first = (*first).min(line),
        None => seen.push((code.into(), line)),
    }
}

impl<'m> FoldWorker<'_, 'm> {
    /// The rows this worker folded (for [`Folder::add_rows`]).
    pub fn done(mut self) -> u64 {
        self.flush_held();
        self.rows
    }

    /// The header name of a column (empty when out of range).
    pub fn column_name(&self, col: usize) -> String {
        self.map.names.get(col).cloned().unwrap_or_default()
    }

    /// Adds the bytes of the entries this worker created to the table's total, and spills
    /// when the total is over the budget.
    fn flush_held(&mut self) {
        let table = self.table;
        let total = table.held.fetch_add(self.pending, Ordering::Relaxed) + self.pending;
        self.pending = 0;
        if total > table.budget {
            table.spill_largest();
        }
    }

    fn bad(&self, line: u64, col: usize, value: &[u8], reason: &str) -> CurError {
        // A FOCUS derived cell is named by the column it was read from.
        let column = self
            .map
            .focus
            .as_deref()
            .and_then(|f| f.source_of(col))
            .unwrap_or(col);
        CurError::BadCell {
            path: self.path.to_path_buf(),
            line,
            column: column + 1,
            name: self.map.names.get(col).cloned().unwrap_or_default(),
            value: String::from_utf8_lossy(value).chars().take(80).collect(),
            reason: reason.to_string(),
        }
    }

    fn text<'r, R: Cells>(&self, row: &'r R, col: usize, line: u64) -> Result<&'r str, CurError> {
        row.text(col)
            .ok_or_else(|| self.bad(line, col, row.cell(col), "is not valid UTF-8"))
    }

    fn required<'r, R: Cells>(
        &self,
        row: &'r R,
        col: usize,
        line: u64,
    ) -> Result<&'r str, CurError> {
        let t = self.text(row, col, line)?;
        if money::is_null(t) {
            return Err(self.bad(
                line,
                col,
                t.as_bytes(),
                "is empty or null: a value is required here",
            ));
        }
        Ok(t)
    }

    fn number<R: Cells>(
        &self,
        row: &R,
        col: Option<usize>,
        line: u64,
    ) -> Result<Option<Decimal>, CurError> {
        let Some(col) = col else { return Ok(None) };
        if let Some(d) = row.decimal(col) {
            return Ok(Some(if self.map.cube.is_some() {
                d.normalize()
            } else {
                d
            }));
        }
        let t = self.text(row, col, line)?;
        let n = money::parse_decimal(t)
            .map_err(|_| self.bad(line, col, t.as_bytes(), number_reason(t)))?;
        // A cube's sums carry the query's full scale (`1.50000000000000000000`).
        Ok(if self.map.cube.is_some() {
            n.map(|d| d.normalize())
        } else {
            n
        })
    }

    fn account_id<'r, R: Cells>(
        &self,
        row: &'r R,
        col: usize,
        line: u64,
    ) -> Result<&'r str, CurError> {
        let t = self.required(row, col, line)?;
        // FOCUS rows of other clouds carry their own ids (AWS rows were checked by
        // cur::focus::with_row).
        let other = self.map.focus.is_some() && super::focus::is_other_account_id(t);
        if !is_account_id(t) && !other {
            let why = if self.map.focus.is_some() {
                "is not an account id: 12 digits for AWS, and for another cloud 1 to 256 \
                 printable characters without spaces, quotes, commas or backslashes"
            } else {
                "is not a 12-digit account id"
            };
            return Err(self.bad(line, col, t.as_bytes(), why));
        }
        Ok(t)
    }

    /// Records the currency a row states, with its line (a second currency for the same
    /// (period, payer) is refused when the file is finished, naming each one's earliest line).
    fn note_currency(
        &self,
        shard: &mut Shard,
        delivery: usize,
        code: &[u8],
        col: usize,
        line: u64,
    ) -> Result<(), CurError> {
        let seen = &mut shard.delivery_currency[delivery];
        match seen.first_mut() {
            // The usual case, one currency: no search.
            Some((have, first)) if **have == *code => {
                *first = (*first).min(line);
                Ok(())
            }
            _ if !is_currency_code(code) => Err(self.bad(
                line,
                col,
                code,
                "is not a currency code (three capital letters, such as USD or CNY)",
            )),
            _ => {
                note(seen, code, line);
                Ok(())
            }
        }
    }

    fn opt_bytes<R: Cells>(row: &R, col: Option<usize>) -> &[u8] {
        match col {
            Some(c) => {
                let v = row.cell(c);
                if v == b"\\N" || v.eq_ignore_ascii_case(b"null") {
                    b""
                } else {
                    v
                }
            }
            None => b"",
        }
    }

    /// Folds one row; `line` is its 1-based line (CSV) or row number (Parquet) for errors.
    pub fn fold<R: Cells>(&mut self, row: &R, line: u64) -> Result<(), CurError> {
        self.fold_placed(row, line).map(|_| ())
    }

    /// As [`FoldWorker::fold`]; returns where the row's sums went and, for a FOCUS row,
    /// which effective cost its line item type takes (None for a cube's day record).
    fn fold_placed<R: Cells>(
        &mut self,
        row: &R,
        line: u64,
    ) -> Result<Option<(Placed, Effective)>, CurError> {
        let m = self.map;
        // CUR 2.0: the map cells are parsed once and shown as derived cells (cur/cur2.rs).
        if let Some(c) = &m.cur2 {
            return super::cur2::with_row(c, self.path, &m.names, row, line, |r| {
                self.fold_row(r, line)
            })
            .map(|p| p.map(|p| (p, Effective::None)));
        }
        // FOCUS: derived cells computed from several columns (cur/focus.rs).
        if let Some(f) = &m.focus {
            return super::focus::with_row(f, self.path, &m.names, row, line, |r| {
                let effective = r.effective();
                self.fold_row(r, line).map(|p| p.map(|p| (p, effective)))
            });
        }
        self.fold_row(row, line)
            .map(|p| p.map(|p| (p, Effective::None)))
    }

    /// Reads one row's aggregate key into `key` (the bytes the fold table is keyed by) and
    /// the amounts it adds: the one place a row's key is made, for the fold and for the
    /// line-level readers ([`RowKeys`]).
    fn parse_row<'r, R: Cells>(
        &self,
        row: &'r R,
        line: u64,
        cube: Option<&cube::Line>,
        key: &mut Vec<u8>,
    ) -> Result<Parsed<'r>, CurError> {
        let m = self.map;
        let payer = self.account_id(row, m.payer, line)?;
        let account = self.account_id(row, m.account, line)?;
        let start = self.required(row, m.period_start, line)?;
        let period = BillingPeriod::from_timestamp(start)
            .ok_or_else(|| self.bad(line, m.period_start, start.as_bytes(), "is not a date"))?;
        let lit = self.required(row, m.line_item_type, line)?;
        let product_code = Self::opt_bytes(row, Some(m.product_code));
        let usage_line = LineItemType::Usage.is_spelled(lit.as_bytes());
        let values = self.parse_values(row, line, cube, usage_line)?;
        let mut owner = arn_owner(Self::opt_bytes(row, m.reservation_arn));
        if owner.is_empty() {
            owner = arn_owner(Self::opt_bytes(row, m.savings_plan_arn));
        }
        if let Some(c) = cube {
            owner = Self::opt_bytes(row, Some(c.owner));
        }

        // from_timestamp accepted it, so the trimmed text starts with `YYYY-MM`.
        // The period as `YYYY-MM` (of the UTC instant when the text carries an offset),
        // written without an allocation per row.
        let (y, mo) = (period.year(), period.month());
        let digit = |v: u16| b'0' + (v % 10) as u8;
        let period_text = [
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(u16::from(mo) / 10),
            digit(u16::from(mo)),
        ];
        key.clear();
        push_field(key, &period_text);
        push_field(key, payer.as_bytes());
        push_field(key, account.as_bytes());
        let prefix_len = key.len();
        push_field(key, Self::opt_bytes(row, m.billing_entity));
        push_field(key, product_code);
        push_field(key, Self::opt_bytes(row, m.product_name));
        push_field(key, Self::opt_bytes(row, m.usage_type));
        push_field(key, Self::opt_bytes(row, m.operation));
        push_field(key, lit.as_bytes());
        push_field(key, Self::opt_bytes(row, m.region));
        push_field(key, owner);
        key.push(u8::from(values.free));
        for (col, _, _) in &m.labels {
            push_field(key, Self::opt_bytes(row, Some(*col)));
        }
        for (col, _) in &m.label_sets {
            push_field(key, Self::opt_bytes(row, Some(*col)));
        }
        Ok(Parsed {
            account,
            prefix_len,
            is_tax: LineItemType::Tax.is_spelled(lit.as_bytes()),
            usage_line,
            values,
        })
    }

    /// Reads what a row adds to its aggregate line besides its key: the cells
    /// [`ColumnMap::value_columns`] names (amounts, costs, usage day), and whether it is a
    /// free-on-bill usage row (`usage_line`: its line item type is `Usage`). The rest of
    /// the row is its key ([`FoldWorker::parse_row`]), so two rows that differ only in these
    /// cells fold into the same line, or into one of two lines told apart by `free`.
    fn parse_values<'r, R: Cells>(
        &self,
        row: &'r R,
        line: u64,
        cube: Option<&cube::Line>,
        usage_line: bool,
    ) -> Result<Values<'r>, CurError> {
        let m = self.map;
        let unblended = self
            .number(row, Some(m.unblended_cost), line)?
            .ok_or_else(|| {
                self.bad(
                    line,
                    m.unblended_cost,
                    row.cell(m.unblended_cost),
                    "is empty or null: a value is required here",
                )
            })?;
        let usage_amount = self.number(row, m.usage_amount, line)?.unwrap_or_default();
        let (public_cost, no_public) = match self.number(row, m.public_cost, line)? {
            Some(p) => (p, false),
            None => match self.number(row, m.public_rate, line)? {
                Some(rate) => {
                    let col = m.public_rate.unwrap_or(0);
                    let p = usage_amount
                        .checked_mul(rate)
                        .ok_or_else(|| self.bad(line, col, b"", "usage amount x rate overflows"))?;
                    (p, false)
                }
                None => (unblended, true),
            },
        };
        let free = match cube {
            Some(c) => c.free_on_bill,
            None => {
                usage_line
                    && unblended.is_zero()
                    && self
                        .number(row, m.unblended_rate, line)?
                        .is_none_or(|r| r.is_zero())
            }
        };
        let sp_eff = self
            .number(row, m.sp_effective_cost, line)?
            .unwrap_or_default();
        let ri_eff = self
            .number(row, m.ri_effective_cost, line)?
            .unwrap_or_default();
        // CUR rows count one each; a cube row the rows it sums.
        let (weight, no_public_rows) = match cube {
            Some(c) => (c.rows, c.no_public_price_rows),
            None => (1, u64::from(no_public)),
        };
        let day = match m.usage_start {
            None => None,
            Some(c) => {
                let text = self.text(row, c, line)?;
                match period::utc_day_of(text) {
                    Some(day) => Some(day_code(&day)),
                    // An empty cell has no day; anything else must be one.
                    None if money::is_null(text) => None,
                    None => return Err(self.bad(line, c, text.as_bytes(), "is not a date")),
                }
            }
        };
        let currency = m.currency.and_then(|col| {
            let code = Self::opt_bytes(row, Some(col)).trim_ascii();
            (!code.is_empty()).then_some((col, code))
        });
        Ok(Values {
            weight,
            no_public_rows,
            usage_amount,
            unblended,
            public_cost,
            sp_eff,
            ri_eff,
            free,
            day,
            currency,
        })
    }

    /// Folds one (adapted) row; returns where its sums went, None for a cube's day record.
    fn fold_row<R: Cells>(&mut self, row: &R, line: u64) -> Result<Option<Placed>, CurError> {
        let m = self.map;
        // A cube row is pre-summed: a day record feeds the daily series alone, a line record
        // brings its counts, free-on-bill flag and owner as columns (fold/cube.rs).
        let cube = match &m.cube {
            Some(c) => match self.cube_record(c, row, line)? {
                cube::Record::Day => return self.fold_cube_day(c, row, line).map(|()| None),
                cube::Record::Line(l) => Some(l),
            },
            None => None,
        };
        let mut key = std::mem::take(&mut self.key);
        let result = match self.parse_row(row, line, cube.as_ref(), &mut key) {
            Ok(p) => {
                let target = Target::Key {
                    key: &key,
                    prefix_len: p.prefix_len,
                    shard: shard_of(p.account.as_bytes()),
                };
                self.add_row(target, &p.values, p.is_tax, row, line)
                    .map(|placed| {
                        placed.map(|(shard, generation, at, account_slot)| Placed {
                            shard,
                            generation,
                            at,
                            account_slot,
                            is_tax: p.is_tax,
                            usage_line: p.usage_line,
                            free: p.values.free,
                        })
                    })
            }
            Err(e) => Err(e),
        };
        self.key = key;
        result
    }

    /// Adds a row's values to its aggregate line (found by key, or known from an earlier row
    /// of the same key: [`memo`]), its account's day and its invoice. Returns the line's
    /// (shard, shard generation, position, account slot); None when a known line's shard
    /// was spilled since (its positions start again: the caller folds by key).
    fn add_row<R: Cells>(
        &mut self,
        target: Target<'_>,
        v: &Values<'_>,
        is_tax: bool,
        row: &R,
        line: u64,
    ) -> Result<Option<(usize, u32, usize, usize)>, CurError> {
        let m = self.map;
        // The row's invoice: the (period, payer) slot is filled in under the shard's lock.
        let mut invoice = std::mem::take(&mut self.invoice);
        let has_invoice = m.invoice_id.is_some() || m.invoicing_entity.is_some();
        if has_invoice {
            invoice.clear();
            invoice.extend_from_slice(&[0; 4]);
            push_field(
                &mut invoice,
                Self::opt_bytes(row, m.invoice_id).trim_ascii(),
            );
            push_field(
                &mut invoice,
                Self::opt_bytes(row, m.invoicing_entity).trim_ascii(),
            );
        }
        let result = (|| {
            let shard_at = match target {
                Target::Key { shard, .. } | Target::Known { shard, .. } => shard,
            };
            let mut shard = lock(&self.table.shards[shard_at]);
            let shard = &mut *shard;
            let before = shard.held;
            let (at, account_slot) = match target {
                Target::Key {
                    key, prefix_len, ..
                } => {
                    let at = shard.lines.position(key);
                    if at == shard.line_account.len() {
                        // A new line: find its account slot once (the key starts with period,
                        // payer, account).
                        let slot = shard.account_slot(&key[..prefix_len]);
                        shard.line_account.push(slot);
                        shard.held += key.len() + LINE_OVERHEAD;
                    }
                    (at, shard.line_account[at])
                }
                Target::Known {
                    generation,
                    at,
                    account_slot,
                    ..
                } => {
                    if shard.generation != generation {
                        return Ok(None);
                    }
                    (at, account_slot)
                }
            };
            if let Some((col, code)) = v.currency {
                let delivery = shard.account_delivery[account_slot];
                self.note_currency(shard, delivery, code, col, line)?;
            }
            let sums = shard.lines.value_mut(at);
            sums.rows += v.weight;
            sums.no_public_price_rows += v.no_public_rows;
            let sum_ok = add(&mut sums.usage_amount, v.usage_amount)
                .and_then(|_| add(&mut sums.unblended_cost, v.unblended))
                .and_then(|_| add(&mut sums.public_cost, v.public_cost))
                .and_then(|_| add(&mut sums.sp_effective_cost, v.sp_eff))
                .and_then(|_| add(&mut sums.ri_effective_cost, v.ri_eff));
            if sum_ok.is_err() {
                return Err(overflow(self.path));
            }
            let (billable, tax) = if is_tax {
                (Decimal::ZERO, v.unblended)
            } else {
                (v.unblended, Decimal::ZERO)
            };
            if has_invoice {
                let delivery = shard.account_delivery[account_slot] as u32;
                invoice[..4].copy_from_slice(&delivery.to_le_bytes());
                let i = match shard.last_invoice {
                    Some(i) if shard.invoices.key(i) == invoice.as_slice() => i,
                    _ => {
                        let n = shard.invoices.len();
                        let i = shard.invoices.position(&invoice);
                        if i == n {
                            shard.held += invoice.len() + INVOICE_OVERHEAD;
                        }
                        shard.last_invoice = Some(i);
                        i
                    }
                };
                let e = shard.invoices.value_mut(i);
                e.rows += v.weight;
                // Only the part the row adds to (adding a zero changes no sum).
                let part = if is_tax { &mut e.tax } else { &mut e.billable };
                if add(part, v.unblended).is_err() {
                    return Err(overflow(self.path));
                }
            }
            if let Some(day) = v.day {
                let days = shard.daily.len();
                let d = shard.daily.entry((account_slot, day)).or_default();
                d.rows += v.weight;
                let ok = add(&mut d.billable, billable)
                    .and_then(|_| add(&mut d.tax, tax))
                    .and_then(|_| add(&mut d.public_cost, v.public_cost));
                if ok.is_err() {
                    return Err(overflow(self.path));
                }
                if shard.daily.len() > days {
                    shard.held += DAY_OVERHEAD;
                }
            }
            Ok(Some((
                shard.held - before,
                (shard_at, shard.generation, at, account_slot),
            )))
        })();
        self.invoice = invoice;
        let Some((held, placed)) = result? else {
            return Ok(None);
        };
        self.pending += held;
        self.rows += v.weight;
        if self.pending >= self.table.held_batch {
            self.flush_held();
        }
        Ok(Some(placed))
    }
}

/// Which aggregate line a row adds to.
enum Target<'k> {
    /// Found (or created) by the row's key bytes in the usage account's shard.
    Key {
        key: &'k [u8],
        prefix_len: usize,
        shard: usize,
    },
    /// Known from an earlier row with the same key cells ([`memo`]).
    Known {
        shard: usize,
        generation: u32,
        at: usize,
        account_slot: usize,
    },
}

/// Where a folded row's sums went, and what of its key the values of the next row of the
/// same key cells depend on ([`memo`]).
#[derive(Debug, Clone, Copy)]
struct Placed {
    shard: usize,
    generation: u32,
    at: usize,
    account_slot: usize,
    is_tax: bool,
    usage_line: bool,
    free: bool,
}

/// What [`FoldWorker::parse_row`] reads of one row besides its key.
struct Parsed<'r> {
    account: &'r str,
    /// Bytes of the key that are (period, payer, account).
    prefix_len: usize,
    is_tax: bool,
    /// The line item type is `Usage` (a free-on-bill row is one).
    usage_line: bool,
    values: Values<'r>,
}

/// What a row adds to its aggregate line ([`FoldWorker::parse_values`]).
struct Values<'r> {
    /// CUR rows the row stands for (a cube row sums several).
    weight: u64,
    no_public_rows: u64,
    usage_amount: Decimal,
    unblended: Decimal,
    public_cost: Decimal,
    sp_eff: Decimal,
    ri_eff: Decimal,
    /// A free-on-bill usage row (part of the line's key).
    free: bool,
    day: Option<u32>,
    currency: Option<(usize, &'r [u8])>,
}

/// One raw row's amounts as the fold adds them into its aggregate line: usage amount,
/// unblended cost and SPEC 4.2 public cost (public on-demand cost, else amount x public rate,
/// else the unblended cost).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowAmounts {
    pub usage_amount: Decimal,
    pub unblended_cost: Decimal,
    pub public_cost: Decimal,
}

/// Tells which aggregate line each raw row of a file folds into, through the import's own
/// row reading ([`Folder::fold`]'s key and amounts, CUR 2.0 and FOCUS adapters included),
/// without folding anything: for line-level exports that re-read a delivery's rows
/// (`month_end::proforma_cur`). Proforma cubes hold no raw rows and are refused.
pub struct RowKeys<'m> {
    folder: Folder<'m>,
    names: Vec<Ustr>,
}

impl<'m> RowKeys<'m> {
    /// Row keys of a file whose header `map` describes.
    ///
    /// # Errors
    /// `CurError::Unsupported` for a proforma cube (pre-summed rows, no raw rows).
    pub fn new(map: &'m ColumnMap, path: &'m Path) -> Result<Self, CurError> {
        if map.cube.is_some() {
            return Err(CurError::Unsupported {
                path: path.to_path_buf(),
                detail: "a proforma cube holds pre-summed lines, not the CUR's rows".into(),
            });
        }
        Ok(Self {
            folder: Folder::with_budget(map, path, usize::MAX),
            names: map.labels.iter().map(|(_, _, n)| ustr::ustr(n)).collect(),
        })
    }

    /// Reads one row (`line`: its 1-based line, or Parquet row, for errors): its key is then
    /// [`RowKeys::last_key`]; returns its amounts.
    ///
    /// # Errors
    /// A cell the import would refuse, named as the import names it.
    pub fn read<R: Cells>(&mut self, row: &R, line: u64) -> Result<RowAmounts, CurError> {
        let mut key = std::mem::take(&mut self.folder.key);
        let result = {
            let w = self.folder.worker();
            let m = w.map;
            let amounts = |p: Parsed<'_>| RowAmounts {
                usage_amount: p.values.usage_amount,
                unblended_cost: p.values.unblended,
                public_cost: p.values.public_cost,
            };
            if let Some(c) = &m.cur2 {
                super::cur2::with_row(c, w.path, &m.names, row, line, |r| {
                    w.parse_row(r, line, None, &mut key).map(amounts)
                })
            } else if let Some(f) = &m.focus {
                super::focus::with_row(f, w.path, &m.names, row, line, |r| {
                    w.parse_row(r, line, None, &mut key).map(amounts)
                })
            } else {
                w.parse_row(row, line, None, &mut key).map(amounts)
            }
        };
        self.folder.key = key;
        result
    }

    /// The key of the row last given to [`RowKeys::read`] (the fold table's bytes).
    pub fn last_key(&self) -> &[u8] {
        &self.folder.key
    }

    /// The aggregate line key some key bytes stand for, as the import stores it.
    ///
    /// # Errors
    /// `CurError::Internal` for bytes that are not a key of this file's layout.
    pub fn decode(&self, key: &[u8]) -> Result<LineKey, CurError> {
        let mut decoder = KeyDecoder::default();
        decode_line_key(key, self.folder.map, &self.names, &mut decoder)
            .ok_or_else(|| corrupt_key(self.folder.path))
    }
}

/// A cube's line records and day records are two groupings of the same CUR rows: for an
/// account whose rows all carry a usage date, both give the same row count, billable and
/// tax. A cube whose line records were edited (or that holds more day rows than line rows)
/// is refused, naming the account; an account with undated rows (fewer day rows) cannot be
/// checked this way. (Every row of an account is in one shard, so a shard is checked alone.)
fn check_cube_adds_up(shard: &Shard, path: &Path) -> Result<(), CurError> {
    let mut lines: FxHashMap<usize, (u64, Decimal, Decimal)> = FxHashMap::default();
    for ((key, sums), slot) in shard.lines.iter().zip(&shard.line_account) {
        let mut r = KeyReader { buf: key };
        for _ in 0..8 {
            r.bytes().ok_or_else(|| corrupt_key(path))?;
        }
        let lit = r.bytes().ok_or_else(|| corrupt_key(path))?;
        let e = lines.entry(*slot).or_default();
        e.0 += sums.rows;
        let cost = sums.unblended_cost;
        let part = if LineItemType::Tax.is_spelled(lit) {
            &mut e.2
        } else {
            &mut e.1
        };
        add(part, cost).map_err(|_| overflow(path))?;
    }
    let mut days: FxHashMap<usize, (u64, Decimal, Decimal)> = FxHashMap::default();
    for ((slot, _), d) in &shard.daily {
        let e = days.entry(*slot).or_default();
        e.0 += d.rows;
        add(&mut e.1, d.billable).map_err(|_| overflow(path))?;
        add(&mut e.2, d.tax).map_err(|_| overflow(path))?;
    }
    let mut slots: Vec<&usize> = days.keys().collect();
    slots.sort_unstable();
    for slot in slots {
        let day = days[slot];
        let line = lines.get(slot).copied().unwrap_or_default();
        // (Day records of an account without line records are refused later, by name.)
        let differs = line.0 > 0
            && (day.0 > line.0 || (day.0 == line.0 && (day.1 != line.1 || day.2 != line.2)));
        if !differs {
            continue;
        }
        let (period, payer, account) = shard.account_text(*slot);
        return Err(CurError::Corrupt {
            path: path.to_path_buf(),
            format: "proforma cube",
            detail: format!(
                "account {account} (payer {payer}, {period}) does not add up: its line \
                 records hold {} rows, billable {}, tax {}, its day records {} rows, \
                 billable {}, tax {}; a cube printed by `proforma cube-sql` always adds up \
                 (were records edited or repeated?)",
                line.0, line.1, line.2, day.0, day.1, day.2
            ),
        });
    }
    Ok(())
}

/// The first `n` length-prefixed fields of a key.
fn key_prefix(key: &[u8], n: usize) -> &[u8] {
    let mut at = 0;
    for _ in 0..n {
        let Some(len) = key
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
        else {
            return key;
        };
        at = (at + 4 + len as usize).min(key.len());
    }
    &key[..at]
}

fn corrupt_key(path: &Path) -> CurError {
    CurError::Internal {
        path: PathBuf::from(path),
        detail: "an aggregate key could not be decoded".into(),
    }
}

struct KeyReader<'a> {
    buf: &'a [u8],
}

impl<'a> KeyReader<'a> {
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = u32::from_le_bytes(self.buf.get(..4)?.try_into().ok()?) as usize;
        let v = self.buf.get(4..4 + len)?;
        self.buf = &self.buf[4 + len..];
        Some(v)
    }
    fn field(&mut self) -> Option<String> {
        self.bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }
    fn byte(&mut self) -> Option<u8> {
        let (b, rest) = self.buf.split_first()?;
        self.buf = rest;
        Some(*b)
    }
}

/// Turns key bytes into interned values through a local map first: the global `ustr` cache
/// takes a lock, and one delivery repeats the same few thousand values millions of times.
#[derive(Default)]
pub(crate) struct KeyDecoder<'a> {
    values: FxHashMap<&'a [u8], Ustr>,
    label_sets: FxHashMap<Vec<Label>, std::sync::Arc<[Label]>>,
}

impl<'a> KeyDecoder<'a> {
    /// The interned value of some key bytes (invalid UTF-8 replaced, as everywhere in keys).
    pub(crate) fn value(&mut self, bytes: &'a [u8]) -> Ustr {
        *self
            .values
            .entry(bytes)
            .or_insert_with(|| ustr::ustr(&String::from_utf8_lossy(bytes)))
    }

    /// One shared copy of each distinct label set: many lines carry the same labels.
    pub(crate) fn labels(&mut self, mut labels: Vec<Label>) -> std::sync::Arc<[Label]> {
        labels.sort();
        labels.dedup_by(|a, b| a.kind == b.kind && a.key == b.key);
        if labels.is_empty() {
            return std::sync::Arc::from([]);
        }
        if let Some(shared) = self.label_sets.get(&labels) {
            return shared.clone();
        }
        let shared: std::sync::Arc<[Label]> = labels.clone().into();
        self.label_sets.insert(labels, shared.clone());
        shared
    }
}

fn decode_line_key<'a>(
    k: &'a [u8],
    map: &ColumnMap,
    names: &[Ustr],
    d: &mut KeyDecoder<'a>,
) -> Option<LineKey> {
    let mut r = KeyReader { buf: k };
    let mut sym = |r: &mut KeyReader<'a>| r.bytes().map(|b| d.value(b));
    let period = BillingPeriod::from_timestamp(&r.field()?)?;
    let payer = sym(&mut r)?;
    let account = sym(&mut r)?;
    let billing_entity = sym(&mut r)?;
    let product_code = sym(&mut r)?;
    let product_name = sym(&mut r)?;
    let usage_type = sym(&mut r)?;
    let operation = sym(&mut r)?;
    let line_item_type = LineItemType::parse(&String::from_utf8_lossy(r.bytes()?));
    let region = sym(&mut r)?;
    let owner = sym(&mut r)?;
    let free_on_bill = r.byte()? == 1;
    let mut labels = Vec::new();
    for ((_, kind, _), name) in map.labels.iter().zip(names) {
        let value = sym(&mut r)?;
        if !value.is_empty() {
            labels.push(Label {
                kind: *kind,
                key: *name,
                value,
            });
        }
    }
    for (_, kind) in &map.label_sets {
        let mut set = KeyReader { buf: r.bytes()? };
        while !set.buf.is_empty() {
            let (key, value) = (set.bytes()?, set.bytes()?);
            labels.push(Label {
                kind: *kind,
                key: d.value(key),
                value: d.value(value),
            });
        }
    }
    Some(LineKey {
        period,
        payer,
        account,
        billing_entity,
        product_code,
        product_name,
        usage_type,
        operation,
        line_item_type,
        region,
        owner,
        free_on_bill,
        labels: d.labels(labels),
    })
}

#[cfg(test)]
mod add_tests {
    use super::*;

    fn sum(values: &[&str]) -> Result<String, NotANumber> {
        let mut total = Decimal::ZERO;
        for v in values {
            add(&mut total, v.parse().unwrap())?;
        }
        Ok(total.to_string())
    }

    /// A sum's text does not depend on the order its amounts are met (a zero amount used to
    /// hand the other back with its own, smaller scale); a sum Decimal would round is refused.
    #[test]
    fn sums_are_exact_and_the_same_in_any_order() {
        let orders: [&[&str]; 4] = [
            &["48.582178", "0.0000000000", "1.5"],
            &["0.0000000000", "48.582178", "1.5"],
            &["1.5", "0.0000000000", "48.582178"],
            &["0", "0.0000000000", "48.582178", "1.5"],
        ];
        for o in orders {
            assert_eq!(sum(o).unwrap(), "50.0821780000", "{o:?}");
        }
        assert!(sum(&["102343.68", "1000000000000000000000000000"]).is_err());
        assert_eq!(sum(&["1.10", "2.2"]).unwrap(), "3.30");
    }
}
