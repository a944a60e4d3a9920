//! Configuration files in and out: the AWS bundle (the AWS CLI's list outputs in one JSON
//! object, SPEC 6) and the project's own TOML format.

pub mod aws_bundle;
pub mod toml_config;

use crate::model::{Kind, Violation, Violations};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

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
        let problems =
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
                .collect();
        Self { problems }
    }
}

/// A JSON or TOML number as an exact decimal, through its shortest round-trip text.
pub fn decimal_of_f64(x: f64) -> Option<Decimal> {
    crate::money::decimal_from_f64(x).ok()
}
