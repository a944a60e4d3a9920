//! Aligned plain-text tables for terminal output: text left, money right, a rule above totals.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct Table {
    headers: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
    totals: Option<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Self {
            headers: columns.iter().map(|(h, _)| h.to_string()).collect(),
            align: columns.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
            totals: None,
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn totals(&mut self, cells: Vec<String>) {
        self.totals = Some(cells);
    }

    pub fn render(&self) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in self.rows.iter().chain(self.totals.iter()) {
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
        out.push_str(&line(&self.headers));
        out.push('\n');
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        out.push_str(&rule.join("  "));
        out.push('\n');
        for r in &self.rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        if let Some(t) = &self.totals {
            out.push_str(&rule.join("  "));
            out.push('\n');
            out.push_str(&line(t));
            out.push('\n');
        }
        out
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
}
