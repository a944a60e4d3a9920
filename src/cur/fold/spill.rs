//! A shard of the fold table written to an unnamed temporary file (deleted by the system when
//! closed) and read back: how an import stays within its memory budget whatever the number of
//! distinct keys. The format is private to one process run: little-endian counts, length-
//! prefixed keys and `Decimal`s in their 16-byte serialized form, so sums round-trip exactly.

use super::{DailySums, InvoiceSums, KeyTable, LineSums, Shard};
use crate::cur::CurError;
use rust_decimal::Decimal;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

const MAGIC: &[u8; 8] = b"PFSPILL2";

/// The import error for a spill file that could not be written or read back: about the
/// temporary directory, not the input.
pub(super) fn error(detail: String) -> CurError {
    CurError::Spill {
        dir: std::env::temp_dir(),
        detail,
    }
}

fn put_u64(w: &mut impl Write, v: u64) -> std::io::Result<()> {
    w.write_all(&v.to_le_bytes())
}

fn put_bytes(w: &mut impl Write, b: &[u8]) -> std::io::Result<()> {
    put_u64(w, b.len() as u64)?;
    w.write_all(b)
}

fn put_decimal(w: &mut impl Write, d: &Decimal) -> std::io::Result<()> {
    w.write_all(&d.serialize())
}

/// Appends a shard to its spill file (created on the first spill), so a shard spilled many
/// times holds one file descriptor.
pub(super) fn write(file: &mut Option<File>, shard: &Shard) -> std::io::Result<()> {
    let f = match file {
        Some(f) => f,
        None => file.insert(tempfile::tempfile()?),
    };
    f.seek(SeekFrom::End(0))?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    w.write_all(MAGIC)?;
    put_u64(&mut w, shard.accounts.len() as u64)?;
    for ((k, _), d) in shard.accounts.iter().zip(&shard.account_delivery) {
        put_bytes(&mut w, k)?;
        put_u64(&mut w, *d as u64)?;
    }
    put_u64(&mut w, shard.deliveries.len() as u64)?;
    for ((k, _), c) in shard.deliveries.iter().zip(&shard.delivery_currency) {
        put_bytes(&mut w, k)?;
        put_u64(&mut w, c.len() as u64)?;
        for (code, line) in c {
            put_bytes(&mut w, code)?;
            put_u64(&mut w, *line)?;
        }
    }
    put_u64(&mut w, shard.lines.len() as u64)?;
    for ((k, s), slot) in shard.lines.iter().zip(&shard.line_account) {
        put_bytes(&mut w, k)?;
        put_u64(&mut w, *slot as u64)?;
        put_u64(&mut w, s.rows)?;
        put_u64(&mut w, s.no_public_price_rows)?;
        for d in [
            &s.usage_amount,
            &s.unblended_cost,
            &s.public_cost,
            &s.sp_effective_cost,
            &s.ri_effective_cost,
        ] {
            put_decimal(&mut w, d)?;
        }
    }
    put_u64(&mut w, shard.daily.len() as u64)?;
    for ((slot, day), s) in &shard.daily {
        put_u64(&mut w, *slot as u64)?;
        put_u64(&mut w, u64::from(*day))?;
        put_u64(&mut w, s.rows)?;
        for d in [&s.billable, &s.tax, &s.public_cost] {
            put_decimal(&mut w, d)?;
        }
    }
    put_u64(&mut w, shard.invoices.len() as u64)?;
    for (k, s) in shard.invoices.iter() {
        put_bytes(&mut w, k)?;
        put_u64(&mut w, s.rows)?;
        put_decimal(&mut w, &s.billable)?;
        put_decimal(&mut w, &s.tax)?;
    }
    put_u64(&mut w, shard.held as u64)?;
    w.flush()
}

struct In<R> {
    r: R,
}

fn damaged() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "a spill file does not read back as written",
    )
}

impl<R: Read> In<R> {
    fn u64(&mut self) -> std::io::Result<u64> {
        let mut b = [0u8; 8];
        self.r.read_exact(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn usize(&mut self) -> std::io::Result<usize> {
        usize::try_from(self.u64()?).map_err(|_| damaged())
    }
    fn bytes(&mut self) -> std::io::Result<Box<[u8]>> {
        let n = self.usize()?;
        // A key holds the cells of one record (at most 64 MB, csv_reader's limit) with their
        // lengths; anything beyond that is not what was written.
        if n > 1 << 31 {
            return Err(damaged());
        }
        let mut v = vec![0u8; n];
        self.r.read_exact(&mut v)?;
        Ok(v.into_boxed_slice())
    }
    fn decimal(&mut self) -> std::io::Result<Decimal> {
        let mut b = [0u8; 16];
        self.r.read_exact(&mut b)?;
        Ok(Decimal::deserialize(b))
    }
}

/// Reads back every shard written to a spill file by [`write`], in order.
pub(super) fn read_all(
    mut file: File,
    mut each: impl FnMut(Shard) -> Result<(), CurError>,
) -> Result<(), CurError> {
    let io = |e: std::io::Error| error(e.to_string());
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut r = In {
        r: BufReader::with_capacity(1 << 20, file),
    };
    loop {
        let mut magic = [0u8; 8];
        let n = r.r.read(&mut magic[..1]).map_err(io)?;
        if n == 0 {
            return Ok(());
        }
        r.r.read_exact(&mut magic[1..]).map_err(io)?;
        if &magic != MAGIC {
            return Err(io(damaged()));
        }
        let shard = read(&mut r).map_err(io)?;
        each(shard)?;
    }
}

/// Reads one shard after its magic.
fn read<R: Read>(r: &mut In<R>) -> std::io::Result<Shard> {
    let mut shard = Shard::default();
    let fresh = |table: &mut KeyTable<_>, key: &[u8]| -> std::io::Result<()> {
        let n = table.len();
        if table.position(key) != n {
            return Err(damaged());
        }
        Ok(())
    };
    for _ in 0..r.u64()? {
        let k = r.bytes()?;
        fresh(&mut shard.accounts, &k)?;
        shard.account_delivery.push(r.usize()?);
    }
    for _ in 0..r.u64()? {
        let k = r.bytes()?;
        let n = shard.deliveries.len();
        if shard.deliveries.position(&k) != n {
            return Err(damaged());
        }
        let mut seen = Vec::new();
        for _ in 0..r.u64()? {
            seen.push((r.bytes()?, r.u64()?));
        }
        shard.delivery_currency.push(seen);
    }
    let accounts = shard.accounts.len();
    let deliveries = shard.deliveries.len();
    if shard.account_delivery.iter().any(|d| *d >= deliveries) {
        return Err(damaged());
    }
    for _ in 0..r.u64()? {
        let k = r.bytes()?;
        let n = shard.lines.len();
        if shard.lines.position(&k) != n {
            return Err(damaged());
        }
        let slot = r.usize()?;
        if slot >= accounts {
            return Err(damaged());
        }
        shard.line_account.push(slot);
        let sums = LineSums {
            rows: r.u64()?,
            no_public_price_rows: r.u64()?,
            usage_amount: r.decimal()?,
            unblended_cost: r.decimal()?,
            public_cost: r.decimal()?,
            sp_effective_cost: r.decimal()?,
            ri_effective_cost: r.decimal()?,
        };
        *shard.lines.value_mut(n) = sums;
    }
    for _ in 0..r.u64()? {
        let slot = r.usize()?;
        let day = u32::try_from(r.u64()?).map_err(|_| damaged())?;
        if slot >= accounts {
            return Err(damaged());
        }
        let sums = DailySums {
            rows: r.u64()?,
            billable: r.decimal()?,
            tax: r.decimal()?,
            public_cost: r.decimal()?,
        };
        shard.daily.insert((slot, day), sums);
    }
    for _ in 0..r.u64()? {
        let k = r.bytes()?;
        let slot = super::invoice_key_parts(&k).ok_or_else(damaged)?.0;
        if slot >= deliveries {
            return Err(damaged());
        }
        let n = shard.invoices.len();
        if shard.invoices.position(&k) != n {
            return Err(damaged());
        }
        *shard.invoices.value_mut(n) = InvoiceSums {
            rows: r.u64()?,
            billable: r.decimal()?,
            tax: r.decimal()?,
        };
    }
    shard.held = r.usize()?;
    Ok(shard)
}
