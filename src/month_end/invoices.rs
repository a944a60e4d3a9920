//! The invoices the user enters for `proforma reconcile --invoices FILE`: a CSV file with a
//! header row, one invoice per line.
//!
//! Columns (matched without regard to case, spaces, `_` or `/`; others are ignored):
//! - `InvoiceId` (required): the invoice number as AWS prints it; unique in the file;
//! - `InvoicingEntity` (optional; `Entity` also read): `Amazon Web Services, Inc.`, ...;
//! - `PayerAccountId` (optional; `Payer` also read): the payer the invoice is for; required on
//!   every line when the period has several payers;
//! - `Amount` (required): the invoice total, tax included, a plain decimal with at most 2
//!   decimals (`1234.56`, `-12.00` for a credit memo; no thousands separators or symbols);
//! - `Currency` (required): the ISO 4217 code (`USD`).
//!
//! A file that breaks any of this is refused whole, naming the file, line, column and reason.
//!
//! When the payer's CUR carries invoice ids, each line is matched by `InvoiceId` with the
//! CUR's `bill/InvoiceId` and, when given, by `InvoicingEntity` with `bill/InvoicingEntity`
//! (letter case ignored); otherwise the payer's lines are added up (see [`super`], check 1).

use rust_decimal::Decimal;
use std::path::Path;

/// The largest invoices file read (an invoice list is a few lines; this bounds memory).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One invoice of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    /// The file's line number (1 is the header).
    pub line: u64,
    pub invoice_id: String,
    pub entity: Option<String>,
    pub payer: Option<String>,
    /// Invoice total, tax included, in `currency`.
    pub amount: Decimal,
    pub currency: String,
}

/// Why an invoices file was refused.
#[derive(Debug, thiserror::Error)]
pub enum InvoiceFileError {
    #[error("{path}: cannot read the invoices file: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("{path}: line {line}, column {column} ({name}): {reason}")]
    Cell {
        path: String,
        line: u64,
        column: usize,
        name: String,
        reason: String,
    },
    #[error("{path}: line {line}: {reason}")]
    Line {
        path: String,
        line: u64,
        reason: String,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Entity,
    Payer,
    Amount,
    Currency,
}

fn field_of(header: &str) -> Option<Field> {
    let key: String = header
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '/' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    match key.as_str() {
        "invoiceid" | "billinvoiceid" => Some(Field::Id),
        "invoicingentity" | "entity" | "billinvoicingentity" => Some(Field::Entity),
        "payeraccountid" | "payer" | "billpayeraccountid" => Some(Field::Payer),
        "amount" => Some(Field::Amount),
        "currency" | "currencycode" => Some(Field::Currency),
        _ => None,
    }
}

const NAMES: [(Field, &str); 5] = [
    (Field::Id, "InvoiceId"),
    (Field::Entity, "InvoicingEntity"),
    (Field::Payer, "PayerAccountId"),
    (Field::Amount, "Amount"),
    (Field::Currency, "Currency"),
];

fn name(f: Field) -> &'static str {
    NAMES.iter().find(|(x, _)| *x == f).map_or("?", |(_, n)| *n)
}

/// Parses an entered amount: a plain decimal with at most 2 decimals.
///
/// # Errors
/// The reason, when it is not one.
pub fn parse_amount(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("the amount is empty".into());
    }
    let ok = t
        .strip_prefix('-')
        .unwrap_or(t)
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.');
    let d = if ok {
        Decimal::from_str_exact(t).ok()
    } else {
        None
    }
    .ok_or_else(|| {
        format!(
            "'{t}' is not an amount (a plain decimal such as 1234.56, no separators or symbols)"
        )
    })?;
    if d.normalize().scale() > 2 {
        return Err(format!(
            "'{t}' has more than 2 decimals (an invoice is in cents)"
        ));
    }
    Ok(d)
}

/// Reads an invoices file (see the module doc).
///
/// # Errors
/// [`InvoiceFileError`] naming the file, and the line and column where one is at fault.
pub fn read(path: &Path) -> Result<Vec<InvoiceLine>, InvoiceFileError> {
    let shown = path.display().to_string();
    let io = |source| InvoiceFileError::Io {
        path: shown.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(InvoiceFileError::File {
            path: shown,
            reason: format!(
                "{size} bytes is larger than an invoices file can be ({MAX_FILE_BYTES} bytes)"
            ),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    parse(&shown, &bytes)
}

/// Parses the bytes of an invoices file called `path` (see [`read`]).
///
/// # Errors
/// As [`read`].
pub fn parse(path: &str, bytes: &[u8]) -> Result<Vec<InvoiceLine>, InvoiceFileError> {
    let file = |reason: String| InvoiceFileError::File {
        path: path.to_string(),
        reason,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(bytes);
    let mut records = rdr.byte_records();
    let header = match records.next() {
        None => {
            return Err(file(
                "the file is empty (a header row and one invoice per line)".into(),
            ));
        }
        Some(r) => r.map_err(|e| csv_error(path, bytes, &e))?,
    };
    let mut columns: Vec<Option<Field>> = Vec::new();
    for (i, cell) in header.iter().enumerate() {
        let text = std::str::from_utf8(cell).map_err(|_| InvoiceFileError::Cell {
            path: path.to_string(),
            line: 1,
            column: i + 1,
            name: "header".into(),
            reason: "not UTF-8 text".into(),
        })?;
        let f = field_of(text);
        if let Some(f) = f
            && columns.contains(&Some(f))
        {
            return Err(InvoiceFileError::Cell {
                path: path.to_string(),
                line: 1,
                column: i + 1,
                name: text.to_string(),
                reason: format!("a second {} column", name(f)),
            });
        }
        columns.push(f);
    }
    for required in [Field::Id, Field::Amount, Field::Currency] {
        if !columns.contains(&Some(required)) {
            return Err(file(format!(
                "line 1: no {} column (the header needs InvoiceId, Amount and Currency; \
                 InvoicingEntity and PayerAccountId are optional)",
                name(required)
            )));
        }
    }
    let mut out: Vec<InvoiceLine> = Vec::new();
    // Line numbers counted from the bytes (the csv reader does not count blank lines).
    let mut lines = LineCounter::default();
    for record in records {
        let record = record.map_err(|e| csv_error(path, bytes, &e))?;
        let line = record
            .position()
            .map_or(0, |p| lines.line_at(bytes, p.byte()));
        if record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let mut inv = InvoiceLine {
            line,
            invoice_id: String::new(),
            entity: None,
            payer: None,
            amount: Decimal::ZERO,
            currency: String::new(),
        };
        for (i, (cell, f)) in record.iter().zip(&columns).enumerate() {
            let Some(f) = *f else { continue };
            let bad = |reason: String| InvoiceFileError::Cell {
                path: path.to_string(),
                line,
                column: i + 1,
                name: name(f).into(),
                reason,
            };
            let text = std::str::from_utf8(cell)
                .map_err(|_| bad("not UTF-8 text".into()))?
                .trim();
            match f {
                Field::Id if text.is_empty() => return Err(bad("the invoice id is empty".into())),
                Field::Id => inv.invoice_id = text.to_string(),
                Field::Entity => inv.entity = (!text.is_empty()).then(|| text.to_string()),
                Field::Payer if text.is_empty() => {}
                Field::Payer if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) => {
                    inv.payer = Some(text.to_string());
                }
                Field::Payer => {
                    return Err(bad(format!(
                        "'{text}' is not an AWS account id (12 digits)"
                    )));
                }
                Field::Amount => inv.amount = parse_amount(text).map_err(bad)?,
                Field::Currency
                    if text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase()) =>
                {
                    inv.currency = text.to_string();
                }
                Field::Currency => {
                    return Err(bad(format!(
                        "'{text}' is not an ISO 4217 currency code (three capital letters, such as USD)"
                    )));
                }
            }
        }
        if let Some(first) = out.iter().find(|x| x.invoice_id == inv.invoice_id) {
            return Err(InvoiceFileError::Line {
                path: path.to_string(),
                line,
                reason: format!(
                    "invoice '{}' is already on line {}",
                    inv.invoice_id, first.line
                ),
            });
        }
        out.push(inv);
    }
    if out.is_empty() {
        return Err(file(
            "no invoices: the header is followed by no invoice line".into(),
        ));
    }
    Ok(out)
}

/// The 1-based line of byte offsets, read forward (offsets asked in increasing order).
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: u64,
}

impl LineCounter {
    fn line_at(&mut self, bytes: &[u8], offset: u64) -> u64 {
        let mut offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        // A record's position is where the reader started on it, blank lines before it
        // included: its line is the first one with content.
        while offset < bytes.len() && matches!(bytes[offset], b'\n' | b'\r') {
            offset += 1;
        }
        if offset < self.offset {
            *self = LineCounter::default();
        }
        self.line += bytes[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = offset;
        self.line + 1
    }
}

fn csv_error(path: &str, bytes: &[u8], e: &csv::Error) -> InvoiceFileError {
    let line = e
        .position()
        .map_or(0, |p| LineCounter::default().line_at(bytes, p.byte()));
    let reason = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        _ => e.to_string(),
    };
    InvoiceFileError::Line {
        path: path.to_string(),
        line,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn reads_invoices_with_any_header_spelling() {
        let text = "invoice_id,Invoicing Entity,Amount,currency,Note\n\
                    INV-1,\"Amazon Web Services, Inc.\",1234.50,USD,x\n\
                    \n\
                    INV-2,,-12,USD,\n";
        let v = parse("f.csv", text.as_bytes()).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].line, 2);
        assert_eq!(v[0].entity.as_deref(), Some("Amazon Web Services, Inc."));
        assert_eq!(v[0].amount, Decimal::from_str("1234.50").unwrap());
        assert_eq!(v[1].line, 4);
        assert_eq!(v[1].entity, None);
        assert_eq!(v[1].amount, Decimal::from_str("-12").unwrap());
    }

    #[test]
    fn refuses_bad_cells_naming_line_and_column() {
        let cases = [
            (
                "InvoiceId,Amount,Currency\nA,1.234,USD\n",
                "line 2, column 2 (Amount): '1.234' has more than 2 decimals",
            ),
            (
                "InvoiceId,Amount,Currency\nA,\"1,000.00\",USD\n",
                "line 2, column 2 (Amount): '1,000.00' is not an amount",
            ),
            (
                "InvoiceId,Amount,Currency\nA,1e3,USD\n",
                "line 2, column 2 (Amount)",
            ),
            (
                "InvoiceId,Amount,Currency\nA,10,usd\n",
                "line 2, column 3 (Currency): 'usd' is not an ISO 4217",
            ),
            (
                "InvoiceId,Amount,Currency\n,10,USD\n",
                "line 2, column 1 (InvoiceId): the invoice id is empty",
            ),
            (
                "InvoiceId,Amount,Currency\nA,10,USD\nA,11,USD\n",
                "line 3: invoice 'A' is already on line 2",
            ),
            (
                "InvoiceId,Amount,Currency\nA,10\n",
                "line 2: 2 fields where the header has 3",
            ),
            ("InvoiceId,Amount\nA,10\n", "line 1: no Currency column"),
            ("InvoiceId,Amount,Currency\n", "no invoices"),
            ("", "the file is empty"),
            (
                "InvoiceId,Payer,Amount,Currency\nA,123,1,USD\n",
                "line 2, column 2 (PayerAccountId): '123' is not an AWS account id",
            ),
            (
                "InvoiceId,Amount,Amount,Currency\nA,1,1,USD\n",
                "line 1, column 3 (Amount): a second Amount column",
            ),
        ];
        for (text, want) in cases {
            let e = parse("inv.csv", text.as_bytes()).unwrap_err().to_string();
            assert!(e.starts_with("inv.csv: "), "{e}");
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }
}
