//! Aligned plain-text tables for terminal output: text left, money right, a rule above totals.
//! Every cell is shown through [`crate::text::escape`]: control characters and escape sequences
//! from data print escaped and visible, never raw (a cell is always one line).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct Table {
    headers: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
    /// Lines under the rule (a total; or subtotals, then the total).
    totals: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Self {
            headers: columns.iter().map(|(h, _)| h.to_string()).collect(),
            align: columns.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
            totals: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Adds a line under the rule; lines added later come below.
    pub fn totals(&mut self, cells: Vec<String>) {
        self.totals.push(cells);
    }

    /// The table as lines of text, each ending in `\n`; cells escaped (see the module doc).
    pub fn render(&self) -> String {
        let safe = |cells: &[String]| -> Vec<String> {
            cells
                .iter()
                .map(|c| crate::text::escape(c, crate::text::Keep::Nothing).into_owned())
                .collect()
        };
        let headers = safe(&self.headers);
        let rows: Vec<Vec<String>> = self.rows.iter().map(|r| safe(r)).collect();
        let totals: Vec<Vec<String>> = self.totals.iter().map(|r| safe(r)).collect();
        let n = headers.len();
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for r in rows.iter().chain(totals.iter()) {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let line = |cells: &[String]| -> String {
            let parts: Vec<String> = (0..n)
                .map(|i| {
                    let c = cells.get(i).map_or("", String::as_str);
                    match self.align[i] {
                        Align::Left => format!("{c:<w$}", w = widths[i]),
                        Align::Right => format!("{c:>w$}", w = widths[i]),
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_string()
        };
        let mut out = String::new();
        out.push_str(&line(&headers));
        out.push('\n');
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        out.push_str(&rule.join("  "));
        out.push('\n');
        for r in &rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        if !totals.is_empty() {
            out.push_str(&rule.join("  "));
            out.push('\n');
        }
        for t in &totals {
            out.push_str(&line(t));
            out.push('\n');
        }
        out
    }
}

/// Prints a command's whole output to stdout, terminal-safe: text and CSV through
/// [`crate::text::escape`] keeping line feeds and tabs (so CSV stays CSV and every record
/// keeps its value apart from escaped control characters), JSON through
/// [`crate::text::escape_json_output`] (the parsed value is unchanged).
///
/// Errors: writing to stdout failed (a reader that went away is not an error, see [`emit`]).
pub fn print_safe(out: &str, json: bool) -> std::io::Result<()> {
    if json {
        emit(&crate::text::escape_json_output(out))
    } else {
        emit(&crate::text::escape(out, crate::text::Keep::LinesAndTabs))
    }
}

/// Prints a TOML document to stdout, terminal-safe and still parsing to the same values (see
/// [`crate::text::escape_toml_output`]).
pub fn print_safe_toml(out: &str) -> std::io::Result<()> {
    emit(&crate::text::escape_toml_output(out))
}

/// Writes already-safe text to stdout. A reader that went away (`| head`) is not an error:
/// what was asked is done, and a panic on a closed pipe would look like a failed command.
pub fn emit(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns() {
        let mut t = Table::new(&[("Account", Align::Left), ("Billable", Align::Right)]);
        t.row(vec!["a".into(), "1,000.00".into()]);
        t.row(vec!["bbbbbbbbbb".into(), "5.00".into()]);
        t.totals(vec!["Total".into(), "1,005.00".into()]);
        let s = t.render();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "Account     Billable");
        assert_eq!(lines[2], "a           1,000.00");
        assert_eq!(lines[3], "bbbbbbbbbb      5.00");
        assert_eq!(lines[5], "Total       1,005.00");
    }

    #[test]
    fn cells_are_escaped_and_aligned_by_their_escaped_width() {
        let mut t = Table::new(&[("Product", Align::Left), ("Cost", Align::Right)]);
        t.row(vec!["A\u{1b}[2J\nB".into(), "1.00".into()]);
        t.row(vec!["x".into(), "2.00".into()]);
        let s = t.render();
        assert!(!s.contains('\u{1b}'), "{s:?}");
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[2], "A\\x1b[2J\\nB  1.00");
        assert_eq!(lines[3], "x            2.00");
    }
}
