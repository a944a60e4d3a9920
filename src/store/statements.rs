//! Statements issued (issue 12 item 4): their numbers, and what was handed out (number, group,
//! period, format, SHA-256 of the bytes, time, configuration version, draft or final, file).
//!
//! Numbers: `<period>-<NNNN>` (`2026-10-0007`), one per (billing group ARN, period), assigned
//! at the first issue of that pair (draft or final, any format) as one more than the highest
//! number of the period, and reused by every later issue of the pair.

use super::{StoreError, Workspace, now_utc};
use crate::period::BillingPeriod;
use rusqlite::{OptionalExtension, Transaction, params};

/// One file issued, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedStatement {
    pub id: i64,
    pub number: String,
    pub group_arn: String,
    /// The group's name when issued.
    pub group_name: String,
    pub period: String,
    /// `csv`, `md` or `html`.
    pub format: String,
    /// SHA-256 of the file's bytes, lower-case hex (what `sha256sum FILE` prints).
    pub sha256: String,
    /// UTC, RFC 3339 with milliseconds.
    pub issued_at: String,
    pub config_version: String,
    /// The period was open: the statement says it is a draft.
    pub draft: bool,
    /// The file written (as given on the command line, made absolute).
    pub path: String,
}

/// What one written file records (the rest is filled in by [`Workspace::issue_statements`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub number: String,
    pub group_arn: String,
    pub group_name: String,
    pub format: String,
    pub sha256: String,
    pub config_version: String,
    pub draft: bool,
    pub path: String,
}

/// The number of (`group_arn`, `period`) already issued, if any.
fn number_of(
    tx: &rusqlite::Connection,
    group_arn: &str,
    period: BillingPeriod,
) -> Result<Option<String>, StoreError> {
    Ok(tx
        .query_row(
            "SELECT number FROM statements WHERE group_arn = ?1 AND period = ?2
             ORDER BY issue_id LIMIT 1",
            params![group_arn, period.to_string()],
            |r| r.get(0),
        )
        .optional()?)
}

/// The highest sequence number of `period`'s statements (0: none yet).
fn highest(tx: &rusqlite::Connection, period: BillingPeriod) -> Result<u32, StoreError> {
    let mut stmt = tx.prepare("SELECT DISTINCT number FROM statements WHERE period = ?1")?;
    let numbers = stmt.query_map([period.to_string()], |r| r.get::<_, String>(0))?;
    let mut max = 0;
    for n in numbers {
        let n = n?;
        let seq = n
            .rsplit('-')
            .next()
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(0);
        max = max.max(seq);
    }
    Ok(max)
}

fn insert(tx: &Transaction<'_>, period: BillingPeriod, i: &Issue) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO statements (number, group_arn, group_name, period, format, sha256,
                                 issued_at, config_version, draft, path)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            i.number,
            i.group_arn,
            i.group_name,
            period.to_string(),
            i.format,
            i.sha256,
            now_utc(),
            i.config_version,
            i.draft,
            i.path
        ],
    )?;
    Ok(())
}

impl Workspace {
    /// The numbers the statements of `group_arns` in `period` carry: the number already
    /// issued for a (group, period), else the next free one of the period. Reads only; what
    /// [`Workspace::issue_statements`] will assign when nothing is issued in between.
    ///
    /// # Errors
    /// The store's.
    pub fn statement_numbers(
        &self,
        period: BillingPeriod,
        group_arns: &[&str],
    ) -> Result<Vec<String>, StoreError> {
        assign(self.conn(), period, group_arns)
    }

    /// Issues statements in one write transaction: assigns their numbers (see the module),
    /// calls `write` with them, which writes the files and returns what each records, and
    /// records them. The write lock is held from the numbers to the records, so two processes
    /// never hand out one number twice. When `write` fails nothing is recorded; when recording
    /// fails the error is returned (the caller removes the files it wrote).
    ///
    /// # Errors
    /// `write`'s, or the store's.
    pub fn issue_statements<E: From<StoreError>>(
        &mut self,
        period: BillingPeriod,
        group_arns: &[&str],
        write: impl FnOnce(&[String]) -> Result<Vec<Issue>, E>,
    ) -> Result<(), E> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let numbers = assign(&tx, period, group_arns)?;
        let issues = write(&numbers)?;
        for i in &issues {
            insert(&tx, period, i)?;
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }

    /// How many billing groups have a final statement issued for `period` (issued while the
    /// period was closed), and how many have drafts only.
    ///
    /// # Errors
    /// The store's.
    pub fn groups_with_statements(
        &self,
        period: BillingPeriod,
    ) -> Result<(usize, usize), StoreError> {
        let (f, d): (i64, i64) = self.conn().query_row(
            "SELECT count(DISTINCT CASE WHEN draft = 0 THEN group_arn END),
                    count(DISTINCT CASE WHEN draft <> 0 THEN group_arn END)
             FROM statements WHERE period = ?1",
            [period.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((
            usize::try_from(f).unwrap_or(0),
            usize::try_from(d).unwrap_or(0),
        ))
    }

    /// The statements issued, newest first: at most `limit`.
    ///
    /// # Errors
    /// The store's.
    pub fn issued_statements(&self, limit: usize) -> Result<Vec<IssuedStatement>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT issue_id, number, group_arn, group_name, period, format, sha256, issued_at,
                    config_version, draft, path
             FROM statements ORDER BY issue_id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok(IssuedStatement {
                id: r.get(0)?,
                number: r.get(1)?,
                group_arn: r.get(2)?,
                group_name: r.get(3)?,
                period: r.get(4)?,
                format: r.get(5)?,
                sha256: r.get(6)?,
                issued_at: r.get(7)?,
                config_version: r.get(8)?,
                draft: r.get(9)?,
                path: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Numbers for `group_arns` (see [`Workspace::statement_numbers`]); a group named twice
/// gets one number.
fn assign(
    conn: &rusqlite::Connection,
    period: BillingPeriod,
    group_arns: &[&str],
) -> Result<Vec<String>, StoreError> {
    let mut next = highest(conn, period)?;
    let mut new: std::collections::HashMap<&str, String> = Default::default();
    let mut out = Vec::with_capacity(group_arns.len());
    for &arn in group_arns {
        let n = match number_of(conn, arn, period)? {
            Some(n) => n,
            None => new
                .entry(arn)
                .or_insert_with(|| {
                    next += 1;
                    format!("{period}-{next:04}")
                })
                .clone(),
        };
        out.push(n);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(number: &str, arn: &str, format: &str) -> Issue {
        Issue {
            number: number.into(),
            group_arn: arn.into(),
            group_name: arn.into(),
            format: format.into(),
            sha256: "00".into(),
            config_version: "v".into(),
            draft: true,
            path: "/tmp/x".into(),
        }
    }

    #[test]
    fn numbers_are_assigned_once_per_group_and_period() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::create(&dir.path().join("w.proforma")).unwrap();
        let oct: BillingPeriod = "2026-10".parse().unwrap();
        let nov: BillingPeriod = "2026-11".parse().unwrap();
        assert_eq!(
            ws.statement_numbers(oct, &["a", "b", "a"]).unwrap(),
            ["2026-10-0001", "2026-10-0002", "2026-10-0001"]
        );
        ws.issue_statements::<StoreError>(oct, &["b"], |n| {
            assert_eq!(n, ["2026-10-0001"]);
            Ok(vec![issue(&n[0], "b", "csv")])
        })
        .unwrap();
        // b keeps its number; a takes the next one; November counts on its own.
        assert_eq!(
            ws.statement_numbers(oct, &["a", "b"]).unwrap(),
            ["2026-10-0002", "2026-10-0001"]
        );
        assert_eq!(ws.statement_numbers(nov, &["b"]).unwrap(), ["2026-11-0001"]);
        // A failed write records nothing.
        let err = ws.issue_statements::<StoreError>(oct, &["a"], |_| {
            Err(StoreError::BadChunk("disk".into()))
        });
        assert!(err.is_err());
        assert_eq!(ws.issued_statements(10).unwrap().len(), 1);
        ws.issue_statements::<StoreError>(oct, &["b"], |n| Ok(vec![issue(&n[0], "b", "html")]))
            .unwrap();
        let all = ws.issued_statements(10).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].format, "html");
        assert_eq!(all[0].number, "2026-10-0001");
        assert!(all[0].draft);
    }
}
