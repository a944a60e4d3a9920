//! One name per service: the product name a period's lines of a service code carry, for the
//! lines of that code that carry none (tax, credits, some fees) and for custom line items
//! presented under a service code. So "Amazon Route 53" and "AmazonRoute53" are one row.

use super::StoredLine;
use rustc_hash::FxHashMap;

/// Service code -> the product name its lines carry in one period (decision: where lines of
/// one code carry several names, the name of the most CUR rows, ties to the name that sorts
/// first). Codes whose lines carry no name anywhere are absent: they show as their code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductNames {
    names: FxHashMap<String, String>,
}

impl ProductNames {
    /// The names the lines carry (one pass; allocates once per distinct (code, name)).
    pub fn from_lines(lines: &[StoredLine]) -> Self {
        let mut rows: FxHashMap<(&str, &str), u64> = FxHashMap::default();
        for l in lines {
            let k = &l.key;
            if !names_a_product(&k.product_code, &k.product_name) {
                continue;
            }
            *rows
                .entry((k.product_code.as_str(), k.product_name.as_str()))
                .or_default() += l.sums.rows;
        }
        let mut best: FxHashMap<&str, (&str, u64)> = FxHashMap::default();
        for ((code, name), n) in rows {
            let e = best.entry(code).or_insert((name, n));
            if n > e.1 || (n == e.1 && name < e.0) {
                *e = (name, n);
            }
        }
        Self {
            names: best
                .into_iter()
                .map(|(c, (n, _))| (c.to_string(), n.to_string()))
                .collect(),
        }
    }

    /// Every (service code, product name) pair, in no particular order (what a stored
    /// snapshot of the period keeps).
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.names.iter().map(|(c, n)| (c.as_str(), n.as_str()))
    }

    /// The names of a stored snapshot (see [`ProductNames::pairs`]).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            names: pairs.into_iter().collect(),
        }
    }

    /// The product name of service code `code`, if any line of the period names it.
    pub fn name_of(&self, code: &str) -> Option<&str> {
        self.names.get(code).map(String::as_str)
    }

    /// What a line shows as its product name: its own name, else (no name, or only its
    /// code in the name column, as tax and discount rows carry) its service's name in the
    /// period, else its service code.
    pub fn shown<'a>(&'a self, code: &'a str, own_name: &'a str) -> &'a str {
        if names_a_product(code, own_name) {
            own_name
        } else {
            self.name_of(code).unwrap_or(code)
        }
    }
}

/// Whether a line's product name column names its product: not empty, and not just the
/// service code repeated (tax and discount rows of real and sample CURs carry the code there).
fn names_a_product(code: &str, name: &str) -> bool {
    !code.is_empty() && !name.is_empty() && name != code
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cur::{LineItemType, LineKey, LineSums};

    fn line(code: &str, name: &str, t: LineItemType, rows: u64) -> StoredLine {
        StoredLine {
            key: LineKey {
                period: "2026-10".parse().unwrap(),
                payer: "111111111111".into(),
                account: "222222222222".into(),
                billing_entity: "AWS".into(),
                product_code: code.into(),
                product_name: name.into(),
                usage_type: "".into(),
                operation: "".into(),
                line_item_type: t,
                region: "".into(),
                owner: "".into(),
                free_on_bill: false,
                labels: Default::default(),
            },
            sums: LineSums {
                rows,
                ..Default::default()
            },
        }
    }

    #[test]
    fn unnamed_lines_take_their_services_name() {
        let lines = [
            line("AmazonRoute53", "Amazon Route 53", LineItemType::Usage, 3),
            line("AmazonRoute53", "", LineItemType::Tax, 1),
            line(
                "AmazonRoute53",
                "AmazonRoute53",
                LineItemType::EdpDiscount,
                9,
            ),
            line("AWSBillingConductor", "", LineItemType::Fee, 1),
        ];
        let n = ProductNames::from_lines(&lines);
        assert_eq!(n.shown("AmazonRoute53", ""), "Amazon Route 53");
        assert_eq!(n.shown("AmazonRoute53", "AmazonRoute53"), "Amazon Route 53");
        assert_eq!(n.shown("AmazonRoute53", "Own"), "Own");
        // A code no line names stays as its code.
        assert_eq!(n.shown("AWSBillingConductor", ""), "AWSBillingConductor");
        assert_eq!(n.name_of("AWSBillingConductor"), None);
    }

    #[test]
    fn several_names_for_one_code_pick_the_most_rows_then_the_first_name() {
        let lines = [
            line("X", "Beta", LineItemType::Usage, 2),
            line("X", "Alpha", LineItemType::Usage, 5),
            line("Y", "Zed", LineItemType::Usage, 4),
            line("Y", "Ann", LineItemType::Usage, 4),
        ];
        let n = ProductNames::from_lines(&lines);
        assert_eq!(n.name_of("X"), Some("Alpha"));
        assert_eq!(n.name_of("Y"), Some("Ann"));
    }
}
