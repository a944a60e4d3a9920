//! Configuration files in and out: the AWS bundle (the AWS CLI's list outputs in one JSON
//! object, SPEC 6) and the project's own TOML format.

pub mod aws_bundle;
pub mod input;
pub mod toml_config;

use crate::model::{Kind, Violation, Violations};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The most problems one file reports: the first ones say what is wrong, thousands more only
/// cost memory (a hostile file can hold millions).
pub const MAX_PROBLEMS: usize = 200;

/// Adds a problem unless `MAX_PROBLEMS` are already there; at the limit a last line says that
/// more were left out.
pub(crate) fn push_capped(problems: &mut Vec<Problem>, p: Problem) {
    match problems.len().cmp(&MAX_PROBLEMS) {
        std::cmp::Ordering::Less => problems.push(p),
        std::cmp::Ordering::Equal => problems.push(Problem {
            reason: None,
            path: "...".into(),
            message: format!("more problems left out (the first {MAX_PROBLEMS} are shown)"),
        }),
        std::cmp::Ordering::Greater => {}
    }
}

/// Why a configuration file was refused: each problem with its reason code (when it is a
/// validation rule) and where in the file it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct ConfigFileError {
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub reason: Option<String>,
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.reason {
            Some(r) => write!(f, "{r} at {}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl ConfigFileError {
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            problems: vec![Problem {
                reason: None,
                path: path.into(),
                message: message.into(),
            }],
        }
    }

    /// Validation violations, with each object's field mapped to where it sits in the file.
    pub fn from_violations(v: &Violations, locations: &BTreeMap<(Kind, String), String>) -> Self {
        let all =
            v.0.iter()
                .map(|x: &Violation| {
                    let mut path = x.field.clone();
                    for ((kind, name), loc) in locations {
                        let prefix = format!("{} '{name}'", kind.label());
                        if let Some(rest) = x.field.strip_prefix(&prefix) {
                            path = format!("{loc}{rest}");
                            break;
                        }
                    }
                    Problem {
                        reason: Some(x.reason.code().to_string()),
                        path,
                        message: x.message.clone(),
                    }
                })
                .collect::<Vec<_>>();
        let mut problems = Vec::new();
        for p in all {
            push_capped(&mut problems, p);
        }
        Self { problems }
    }
}

/// A JSON or TOML number as an exact decimal, through its shortest round-trip text.
pub fn decimal_of_f64(x: f64) -> Option<Decimal> {
    crate::money::decimal_from_f64(x).ok()
}

/// Why a number in a configuration file cannot be held exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Inexact {
    #[error("'{0}' is not a number")]
    NotANumber(String),
    #[error("{0} is out of range (proforma holds amounts up to about 7.9e28 exactly)")]
    OutOfRange(String),
    #[error(
        "{0} has more digits than proforma holds exactly (28 significant digits); it would be rounded, so it is refused"
    )]
    TooPrecise(String),
}

/// Reads a JSON (or TOML) number's text exactly: plain decimals and scientific notation
/// (`1.5e3`), never through f64. A value that cannot be held exactly by `rust_decimal` (more
/// than 28 significant digits or decimals, or beyond its range) is refused, never rounded.
pub fn exact_decimal(text: &str) -> Result<Decimal, Inexact> {
    let t = text.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let bad = || Inexact::NotANumber(text.to_string());
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let digits = mantissa.strip_prefix('-').unwrap_or(mantissa);
    let int_digits = digits.split('.').next().unwrap_or_default();
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || digits.bytes().filter(|&b| b == b'.').count() > 1
        || !digits.bytes().any(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let mut d = match Decimal::from_str_exact(mantissa) {
        Ok(d) => d,
        // Decimal refuses too many integer digits as overflow, too many decimals as underflow.
        Err(_) if int_digits.trim_start_matches('0').len() > 28 => {
            return Err(Inexact::OutOfRange(text.to_string()));
        }
        Err(_) => return Err(Inexact::TooPrecise(text.to_string())),
    };
    d = d.normalize();
    let Some(exp) = exp else {
        return Ok(d);
    };
    let exp: i64 = match exp.strip_prefix('+').unwrap_or(exp).parse() {
        Ok(e) => e,
        // Exponents too long for i64 are out of range whichever their sign.
        Err(_)
            if {
                let e = exp.strip_prefix(['+', '-']).unwrap_or(exp);
                !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
            } =>
        {
            if d.is_zero() {
                return Ok(Decimal::ZERO);
            }
            return Err(if exp.starts_with('-') {
                Inexact::TooPrecise(text.to_string())
            } else {
                Inexact::OutOfRange(text.to_string())
            });
        }
        Err(_) => return Err(bad()),
    };
    if d.is_zero() {
        return Ok(Decimal::ZERO);
    }
    if exp > 0 {
        for _ in 0..exp.min(40) {
            d = d
                .checked_mul(Decimal::TEN)
                .ok_or_else(|| Inexact::OutOfRange(text.to_string()))?;
        }
        if exp > 40 {
            return Err(Inexact::OutOfRange(text.to_string()));
        }
        Ok(d)
    } else {
        let scale = i64::from(d.scale()) - exp;
        if scale > 28 {
            return Err(Inexact::TooPrecise(text.to_string()));
        }
        // A scale of at most 28 is always accepted.
        d.set_scale(scale as u32)
            .map_err(|_| Inexact::TooPrecise(text.to_string()))?;
        Ok(d.normalize())
    }
}

/// Refuses a value with more decimals than a field keeps (`places`), instead of rounding it.
pub fn at_most_decimals(d: Decimal, places: u32) -> Result<Decimal, String> {
    let n = d.normalize();
    if n.scale() > places {
        Err(format!(
            "{n} has {} decimals; this field keeps {places} (ABC rounds it, proforma refuses rather than change the value: write {} or {})",
            n.scale(),
            n.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::ToZero),
            n.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::AwayFromZero)
        ))
    } else {
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn exact_decimals_whatever_their_length() {
        assert_eq!(exact_decimal("10").unwrap(), d("10"));
        assert_eq!(
            exact_decimal("0.1234567890123456789012345678").unwrap(),
            d("0.1234567890123456789012345678")
        );
        assert_eq!(
            exact_decimal("12345678901234567890.12345678").unwrap(),
            d("12345678901234567890.12345678")
        );
        assert_eq!(exact_decimal("1.5e3").unwrap(), d("1500"));
        assert_eq!(exact_decimal("25E-3").unwrap(), d("0.025"));
        assert_eq!(exact_decimal("-0.0").unwrap(), Decimal::ZERO);
        assert_eq!(
            exact_decimal("0e999999999999999999999").unwrap(),
            Decimal::ZERO
        );
        assert!(matches!(
            exact_decimal("0.12345678901234567890123456789"),
            Err(Inexact::TooPrecise(_))
        ));
        assert!(matches!(
            exact_decimal("1e400"),
            Err(Inexact::OutOfRange(_))
        ));
        assert!(matches!(
            exact_decimal("1e-400"),
            Err(Inexact::TooPrecise(_))
        ));
        assert!(matches!(
            exact_decimal("123456789012345678901234567890"),
            Err(Inexact::OutOfRange(_))
        ));
        assert!(matches!(exact_decimal("abc"), Err(Inexact::NotANumber(_))));
        assert!(matches!(exact_decimal("1e"), Err(Inexact::NotANumber(_))));
        assert!(matches!(exact_decimal("."), Err(Inexact::NotANumber(_))));
    }

    #[test]
    fn decimals_beyond_the_field_are_refused() {
        assert_eq!(at_most_decimals(d("10.500"), 2).unwrap(), d("10.5"));
        let e = at_most_decimals(d("10.125"), 2).unwrap_err();
        assert!(e.contains("10.12 or 10.13"), "{e}");
    }
}
