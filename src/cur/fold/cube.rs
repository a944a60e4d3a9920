//! Folding a proforma cube (`cur::cube`): its rows are pre-summed by the query engine, so a
//! row brings its counts and sums instead of one CUR row's values. A `line` record goes
//! through [`Folder::fold`] like a CUR row (counts, owner and free-on-bill flag from columns);
//! a `day` record adds to the daily series alone. Every cell is checked here first, so bad
//! input gets the file, line, column and value like any CUR cell.

use super::{Cells, DAY_OVERHEAD, FoldWorker, add, day_code, lock, overflow, push_field, shard_of};
use crate::cur::CurError;
use crate::cur::cube::{CubeColumns, VERSION};
use crate::money;
use crate::period::{self, BillingPeriod};
use rust_decimal::Decimal;

/// The most CUR rows one cube file may claim (10^15, beyond any CUR), so that no sum of
/// counts can overflow, whatever a file says.
const MAX_ROWS: u64 = 1_000_000_000_000_000;

/// What [`Folder::cube_record`] found.
pub(super) enum Record {
    Day,
    Line(Line),
}

/// A line record's cube-only values.
pub(super) struct Line {
    /// CUR rows it sums (1 or more).
    pub rows: u64,
    pub no_public_price_rows: u64,
    pub free_on_bill: bool,
    /// The `commitment_owner` column.
    pub owner: usize,
}

const PUBLIC_REQUIRED: &str = "a value is required here (public_cost, or public_rate when the \
                               rows' public cost is usage amount x public on-demand rate)";

impl FoldWorker<'_, '_> {
    /// A row count cell: a whole number, `min` or more.
    fn cube_count<R: Cells>(
        &self,
        row: &R,
        col: usize,
        line: u64,
        min: u64,
    ) -> Result<u64, CurError> {
        let t = self.text(row, col, line)?;
        if money::is_null(t) {
            return Err(self.bad(line, col, b"", "a value is required here"));
        }
        let v = t.trim();
        v.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| v.parse::<u64>().ok())
            .flatten()
            .filter(|n| (min..=MAX_ROWS).contains(n))
            .ok_or_else(|| {
                self.bad(
                    line,
                    col,
                    t.as_bytes(),
                    &format!("is not a row count (a whole number from {min} to 10^15)"),
                )
            })
    }

    /// A number cell that must hold a value (a cube leaves no sum empty).
    fn cube_number<R: Cells>(
        &self,
        row: &R,
        col: Option<usize>,
        line: u64,
    ) -> Result<Decimal, CurError> {
        let col = col.ok_or_else(|| self.cube_internal())?;
        self.number(row, Some(col), line)?
            .ok_or_else(|| self.bad(line, col, b"", "a value is required here"))
    }

    fn cube_internal(&self) -> CurError {
        CurError::Internal {
            path: self.path.to_path_buf(),
            detail: "a proforma cube column is not mapped".into(),
        }
    }

    /// Checks a cube row's version and record type; for a line record, its counts, flag and
    /// sums (the sums' values are read by the fold, which names any that is not a number).
    pub(super) fn cube_record<R: Cells>(
        &self,
        c: &CubeColumns,
        row: &R,
        line: u64,
    ) -> Result<Record, CurError> {
        let version = self.text(row, c.version, line)?;
        if version.trim() != VERSION {
            return Err(self.bad(
                line,
                c.version,
                version.as_bytes(),
                &format!(
                    "is not a proforma cube version this proforma reads (it reads version \
                     {VERSION}: print the SQL again with `proforma cube-sql` and re-run it)"
                ),
            ));
        }
        let record = self.text(row, c.record, line)?;
        let m = self.map;
        // The SQL writes each measure on one kind of record only; a value on the other kind
        // was written by hand, and would be silently ignored.
        let set_on = |cols: &[Option<usize>], why: &str| -> Result<(), CurError> {
            for col in cols.iter().flatten() {
                let t = self.text(row, *col, line)?;
                if !money::is_null(t) {
                    return Err(self.bad(line, *col, t.as_bytes(), why));
                }
            }
            Ok(())
        };
        match record.trim() {
            "day" => {
                set_on(
                    &[
                        Some(m.unblended_cost),
                        Some(c.no_public_price_rows),
                        m.sp_effective_cost,
                        m.ri_effective_cost,
                    ],
                    "is set on a day record (a day record carries billable_cost and tax_cost;                      this column belongs to line records)",
                )?;
                Ok(Record::Day)
            }
            "line" => {
                set_on(
                    &[Some(c.billable), Some(c.tax)],
                    "is set on a line record (billable_cost and tax_cost belong to day                      records)",
                )?;
                let rows = self.cube_count(row, c.rows, line, 1)?;
                if self.rows.saturating_add(rows) > MAX_ROWS {
                    return Err(self.bad(
                        line,
                        c.rows,
                        rows.to_string().as_bytes(),
                        "brings the cube's rows to more than 10^15, more than any CUR holds",
                    ));
                }
                let no_public = self.cube_count(row, c.no_public_price_rows, line, 0)?;
                if no_public > rows {
                    return Err(self.bad(
                        line,
                        c.no_public_price_rows,
                        no_public.to_string().as_bytes(),
                        "is more than the record's row_count",
                    ));
                }
                let date_col = m.usage_start.ok_or_else(|| self.cube_internal())?;
                let date = self.text(row, date_col, line)?;
                if !money::is_null(date) {
                    return Err(self.bad(
                        line,
                        date_col,
                        date.as_bytes(),
                        "is set on a line record (usage days are in day records)",
                    ));
                }
                let flag = self.text(row, c.free_on_bill, line)?;
                let free_on_bill = match flag.trim() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(self.bad(
                            line,
                            c.free_on_bill,
                            flag.as_bytes(),
                            "is not true or false",
                        ));
                    }
                };
                for col in [m.usage_amount, m.sp_effective_cost, m.ri_effective_cost] {
                    self.cube_number(row, col, line)?;
                }
                let public_col = m.public_cost.ok_or_else(|| self.cube_internal())?;
                let rate_col = m.public_rate.ok_or_else(|| self.cube_internal())?;
                let public = self.text(row, public_col, line)?;
                let rate = self.text(row, rate_col, line)?;
                match (money::is_null(public), money::is_null(rate)) {
                    (true, true) => {
                        return Err(self.bad(line, public_col, b"", PUBLIC_REQUIRED));
                    }
                    (false, false) => {
                        return Err(self.bad(
                            line,
                            rate_col,
                            rate.as_bytes(),
                            "is set on a record that has a public_cost (a record carries one \
                             or the other)",
                        ));
                    }
                    _ => {}
                }
                Ok(Record::Line(Line {
                    rows,
                    no_public_price_rows: no_public,
                    free_on_bill,
                    owner: c.owner,
                }))
            }
            _ => Err(self.bad(
                line,
                c.record,
                record.as_bytes(),
                "is not a cube record type (line or day)",
            )),
        }
    }

    /// Adds a day record to the daily series of its (period, payer, account).
    pub(super) fn fold_cube_day<R: Cells>(
        &mut self,
        c: &CubeColumns,
        row: &R,
        line: u64,
    ) -> Result<(), CurError> {
        let m = self.map;
        let payer = self.account_id(row, m.payer, line)?;
        let account = self.account_id(row, m.account, line)?;
        let start = self.required(row, m.period_start, line)?;
        BillingPeriod::from_timestamp(start)
            .ok_or_else(|| self.bad(line, m.period_start, start.as_bytes(), "is not a date"))?;
        let date_col = m.usage_start.ok_or_else(|| self.cube_internal())?;
        let date = self.required(row, date_col, line)?;
        let day = period::day_of(date)
            .filter(|d| *d == date.trim())
            .ok_or_else(|| {
                self.bad(
                    line,
                    date_col,
                    date.as_bytes(),
                    "is not a usage day (YYYY-MM-DD)",
                )
            })?;
        let rows = self.cube_count(row, c.rows, line, 1)?;
        let billable = self.cube_number(row, Some(c.billable), line)?;
        let tax = self.cube_number(row, Some(c.tax), line)?;
        let public = match self.number(row, m.public_cost, line)? {
            Some(p) => p,
            None => {
                let rate_col = m.public_rate.ok_or_else(|| self.cube_internal())?;
                let public_col = m.public_cost.ok_or_else(|| self.cube_internal())?;
                let rate = self
                    .number(row, Some(rate_col), line)?
                    .ok_or_else(|| self.bad(line, public_col, b"", PUBLIC_REQUIRED))?;
                let amount = self.cube_number(row, m.usage_amount, line)?;
                amount
                    .checked_mul(rate)
                    .ok_or_else(|| self.bad(line, rate_col, b"", "usage amount x rate overflows"))?
            }
        };

        // from_timestamp accepted it, so the trimmed text starts with `YYYY-MM`.
        let period_text = start.trim().get(..7).unwrap_or_default();
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        push_field(&mut key, period_text.as_bytes());
        push_field(&mut key, payer.as_bytes());
        push_field(&mut key, account.as_bytes());
        let result = (|| {
            let mut shard = lock(&self.table.shards[shard_of(account.as_bytes())]);
            let shard = &mut *shard;
            let before = shard.held;
            let slot = shard.account_slot(&key);
            let days = shard.daily.len();
            let d = shard.daily.entry((slot, day_code(day))).or_default();
            let counted = d.rows.checked_add(rows).filter(|n| *n <= MAX_ROWS);
            let ok = add(&mut d.billable, billable)
                .and_then(|_| add(&mut d.tax, tax))
                .and_then(|_| add(&mut d.public_cost, public));
            match counted {
                Some(n) if ok.is_ok() => d.rows = n,
                _ => return Err(overflow(self.path)),
            }
            if shard.daily.len() > days {
                shard.held += DAY_OVERHEAD;
            }
            Ok(shard.held - before)
        })();
        self.key = key;
        self.pending += result?;
        if self.pending >= self.table.held_batch {
            self.flush_held();
        }
        Ok(())
    }
}
