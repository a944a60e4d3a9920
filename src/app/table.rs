//! A screen's table as plain data: formatted cells, values to sort by, keys to drill with.
//! Screens build one when their data changes; the renderer only draws the visible rows.

use rust_decimal::Decimal;
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A column: its title, alignment, wanted width (characters), how early it is dropped on a
/// narrow screen, and what its numbers are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub title: String,
    pub align: Align,
    /// Width the column wants (the widest cell, capped).
    pub width: u16,
    /// 0: always shown; higher numbers are dropped first when the screen is narrow.
    pub priority: u8,
    /// What the column's numbers are, for comparisons (a scenario beside the baseline).
    pub measure: Option<Measure>,
}

/// The numbers a column holds, so that comparisons find them by meaning, not by title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Pro forma cost (SPEC 3).
    ProForma,
    /// Pro forma minus the billable it is compared with (SPEC 3).
    Margin,
    /// Margin as a percentage of the pro forma (SPEC 3).
    MarginPercent,
    /// A scenario's pro forma beside the baseline's, and the difference of the two.
    ScenarioProForma,
    ProFormaDelta,
}

/// What a cell sorts by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Num(Option<Decimal>),
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowKind {
    #[default]
    Normal,
    /// Not a billing group (unmonitored, tax): shown dimmed.
    Aside,
}

/// A screen's table as plain data: columns, rows of formatted cells beside the values they
/// sort by (amounts as exact decimals), a key per row (what Enter and x act on), row kinds
/// and a totals line. Built by `screens` from an analysis whenever the state changes; the
/// renderer only draws the visible rows and never builds one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableModel {
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    pub sort_values: Vec<Vec<SortValue>>,
    /// What Enter or x acts on for each row (a group name, an attribute value...).
    pub keys: Vec<String>,
    pub kinds: Vec<RowKind>,
    pub totals: Option<Vec<String>>,
    /// The totals' values (numbers for money columns), beside their text.
    pub total_values: Vec<SortValue>,
    /// Shown instead of an empty table.
    pub empty: String,
}

impl TableModel {
    pub fn new(title: impl Into<String>, columns: &[(&str, Align)]) -> Self {
        Self {
            title: title.into(),
            columns: columns
                .iter()
                .map(|(t, a)| Column {
                    title: (*t).to_string(),
                    align: *a,
                    width: t.chars().count() as u16,
                    priority: 0,
                    measure: None,
                })
                .collect(),
            ..Default::default()
        }
    }

    pub fn push(&mut self, key: impl Into<String>, cells: Vec<(String, SortValue)>, kind: RowKind) {
        let (text, sort): (Vec<String>, Vec<SortValue>) = cells.into_iter().unzip();
        for (c, t) in self.columns.iter_mut().zip(&text) {
            c.width = c.width.max(t.chars().count().min(60) as u16);
        }
        self.rows.push(text);
        self.sort_values.push(sort);
        self.keys.push(key.into());
        self.kinds.push(kind);
    }

    /// Marks columns that may be dropped on narrow screens (higher: dropped first).
    pub fn optional(mut self, priorities: &[(usize, u8)]) -> Self {
        for (c, p) in priorities {
            if let Some(col) = self.columns.get_mut(*c) {
                col.priority = *p;
            }
        }
        self
    }

    /// Marks the columns holding pro forma, margin and margin % (by index).
    pub fn measures(mut self, measures: &[(usize, Measure)]) -> Self {
        for (c, m) in measures {
            if let Some(col) = self.columns.get_mut(*c) {
                col.measure = Some(*m);
            }
        }
        self
    }

    /// Puts the rows in natural order of their first cell (group2 before group10, case
    /// aside), keeping rows that are not billing groups (aside) after the others in their
    /// order: the natural order of a configuration list.
    pub fn sort_naturally(&mut self) {
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        order.sort_by(|&a, &b| {
            let aside = |i: usize| self.kinds[i] == RowKind::Aside;
            aside(a).cmp(&aside(b)).then_with(|| {
                if aside(a) {
                    a.cmp(&b)
                } else {
                    let name = |i: usize| {
                        self.rows[i]
                            .first()
                            .map_or(String::new(), |c| c.to_lowercase())
                    };
                    alphanumeric_sort::compare_str(name(a), name(b))
                }
            })
        });
        reorder(&mut self.rows, &order);
        reorder(&mut self.sort_values, &order);
        reorder(&mut self.keys, &order);
        reorder(&mut self.kinds, &order);
    }

    /// Moves rows that are not billing groups (aside) after the others, each part in its
    /// order.
    pub fn sort_aside_last(&mut self) {
        self.order_by_rank(|_| 0);
    }

    /// Orders the rows by `rank` of their key (stable: equal ranks keep their order), rows
    /// that are not billing groups (aside) after the others.
    pub fn order_by_rank(&mut self, rank: impl Fn(&str) -> usize) {
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        order.sort_by_key(|&i| {
            (
                self.kinds[i] == RowKind::Aside,
                if self.kinds[i] == RowKind::Aside {
                    0
                } else {
                    rank(&self.keys[i])
                },
            )
        });
        reorder(&mut self.rows, &order);
        reorder(&mut self.sort_values, &order);
        reorder(&mut self.keys, &order);
        reorder(&mut self.kinds, &order);
    }

    /// The table as a customer may see it (issue 13 item 5, the TUI's customer
    /// presentation): the names (left-aligned text, but plans and payers) and the pro forma
    /// columns only, the
    /// rows of billing groups only (no unmonitored or tax lines); None when the table holds
    /// no pro forma (it is internal as a whole). Pro forma cells are the shown ones, so the
    /// column still foots to its total.
    pub fn customer_only(&self) -> Option<TableModel> {
        self.column_of(Measure::ProForma)?;
        // Names (left-aligned text) stay, but for the pricing plan, the payer account and
        // anything about AWS's side.
        const INTERNAL: [&str; 2] = ["Plan", "Payer"];
        let keep: Vec<usize> = (0..self.columns.len())
            .filter(|&c| {
                let col = &self.columns[c];
                match col.measure {
                    Some(
                        Measure::ProForma | Measure::ScenarioProForma | Measure::ProFormaDelta,
                    ) => true,
                    Some(_) => false,
                    // A text column about AWS's side (the daily AWS cost sparkline) is internal.
                    None => {
                        col.align == Align::Left
                            && !INTERNAL.contains(&col.title.as_str())
                            && !col.title.contains("AWS")
                    }
                }
            })
            .collect();
        let pick = |cells: &[String]| -> Vec<String> {
            keep.iter()
                .map(|&c| cells.get(c).cloned().unwrap_or_default())
                .collect()
        };
        let mut out = TableModel {
            title: format!("{} — customer presentation (pro forma only)", self.title),
            columns: keep.iter().map(|&c| self.columns[c].clone()).collect(),
            empty: self.empty.clone(),
            ..TableModel::default()
        };
        for r in (0..self.rows.len()).filter(|&r| self.kinds[r] == RowKind::Normal) {
            out.rows.push(pick(&self.rows[r]));
            out.sort_values.push(
                keep.iter()
                    .map(|&c| {
                        self.sort_values[r]
                            .get(c)
                            .cloned()
                            .unwrap_or(SortValue::Num(None))
                    })
                    .collect(),
            );
            out.keys.push(self.keys[r].clone());
            out.kinds.push(RowKind::Normal);
        }
        if let Some(t) = &self.totals {
            out.totals = Some(pick(t));
            out.total_values = keep
                .iter()
                .map(|&c| {
                    self.total_values
                        .get(c)
                        .cloned()
                        .unwrap_or(SortValue::Num(None))
                })
                .collect();
        }
        Some(out)
    }

    /// The index of the column holding `m`.
    pub fn column_of(&self, m: Measure) -> Option<usize> {
        self.columns.iter().position(|c| c.measure == Some(m))
    }

    /// The totals line as text only (its values are unknown to comparisons).
    pub fn set_totals(&mut self, cells: Vec<String>) {
        self.set_totals_typed(
            cells
                .into_iter()
                .map(|c| (c, SortValue::Num(None)))
                .collect(),
        );
    }

    /// The totals line, each cell with its value (as built by `money`, `text`...).
    pub fn set_totals_typed(&mut self, cells: Vec<(String, SortValue)>) {
        let (text, values): (Vec<String>, Vec<SortValue>) = cells.into_iter().unzip();
        for (c, t) in self.columns.iter_mut().zip(&text) {
            c.width = c.width.max(t.chars().count().min(60) as u16);
        }
        self.totals = Some(text);
        self.total_values = values;
    }

    /// The number in a cell (None for text or an empty amount).
    pub fn number(&self, row: usize, col: usize) -> Option<Decimal> {
        match self.sort_values.get(row)?.get(col)? {
            SortValue::Num(v) => *v,
            SortValue::Text(_) => None,
        }
    }

    /// The number in a totals cell.
    pub fn total_number(&self, col: usize) -> Option<Decimal> {
        match self.total_values.get(col)? {
            SortValue::Num(v) => *v,
            SortValue::Text(_) => None,
        }
    }

    /// Row indexes to show: matching the filter (case-insensitive, any cell), in sort order.
    /// Rows that are not billing groups stay at the end, as in a bill.
    pub fn visible(&self, filter: &str, sort: Option<usize>) -> Vec<usize> {
        let needle = filter.to_lowercase();
        let mut idx: Vec<usize> = (0..self.rows.len())
            .filter(|&i| {
                needle.is_empty()
                    || self.rows[i]
                        .iter()
                        .any(|c| c.to_lowercase().contains(&needle))
            })
            .collect();
        if let Some(col) = sort {
            idx.sort_by(|&a, &b| {
                let aside = |i: usize| self.kinds[i] == RowKind::Aside;
                // Rows that are not billing groups (unmonitored, tax) stay in their order,
                // after the others, as in a bill.
                if aside(a) && aside(b) {
                    return a.cmp(&b);
                }
                aside(a).cmp(&aside(b)).then_with(|| {
                    match (&self.sort_values[a].get(col), &self.sort_values[b].get(col)) {
                        // Numbers: largest first; empty cells last.
                        (Some(SortValue::Num(x)), Some(SortValue::Num(y))) => match (x, y) {
                            (Some(x), Some(y)) => y.cmp(x),
                            (Some(_), None) => Ordering::Less,
                            (None, Some(_)) => Ordering::Greater,
                            (None, None) => Ordering::Equal,
                        },
                        // Names sort naturally: group2 before group10, case aside.
                        (Some(SortValue::Text(x)), Some(SortValue::Text(y))) => {
                            alphanumeric_sort::compare_str(x.to_lowercase(), y.to_lowercase())
                        }
                        _ => Ordering::Equal,
                    }
                })
            });
        }
        idx
    }
}

/// Puts `v` in `order` (a permutation of its indexes).
fn reorder<T>(v: &mut Vec<T>, order: &[usize]) {
    let mut old: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    *v = order.iter().filter_map(|&i| old[i].take()).collect();
}

/// Helpers for cells.
pub fn text(s: impl Into<String>) -> (String, SortValue) {
    let s = s.into();
    (s.clone(), SortValue::Text(s))
}

pub fn money(d: Decimal) -> (String, SortValue) {
    (crate::money::fmt_grouped(d), SortValue::Num(Some(d)))
}

pub fn money_opt(d: Option<Decimal>) -> (String, SortValue) {
    (
        d.map_or("–".to_string(), crate::money::fmt_grouped),
        SortValue::Num(d),
    )
}

pub fn percent(d: Option<Decimal>) -> (String, SortValue) {
    (
        d.map_or("–".to_string(), |p| {
            format!("{}%", crate::money::fmt_plain(p))
        }),
        SortValue::Num(d),
    )
}

pub fn count(n: usize) -> (String, SortValue) {
    (n.to_string(), SortValue::Num(Some(Decimal::from(n as u64))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_naturally() {
        let mut t = TableModel::new("t", &[("Name", Align::Left)]);
        for n in ["group10", "Group2", "group1"] {
            t.push(n, vec![text(n)], RowKind::Normal);
        }
        let order: Vec<&str> = t
            .visible("", Some(0))
            .into_iter()
            .map(|i| t.keys[i].as_str())
            .collect();
        assert_eq!(order, ["group1", "Group2", "group10"]);
    }
}
