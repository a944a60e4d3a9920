//! Account names and emails (SPEC 1.3): `aws organizations list-accounts` JSON, or a CSV
//! with `account_id,name[,email]`.

use super::CurError;
use super::columns::normalize_name;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub status: Option<String>,
}

/// The largest accounts file read (decompressed): 64 MB, some twenty times the list-accounts
/// output of an organization at AWS's default quota of 10,000 accounts.
pub const MAX_BYTES: u64 = 64 << 20;

fn valid_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

fn bad(path: &Path, reason: String) -> CurError {
    CurError::NotCostData {
        path: path.to_path_buf(),
        reason,
    }
}

pub fn parse_json(path: &Path, bytes: &[u8]) -> Result<Vec<AccountInfo>, CurError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| CurError::Corrupt {
            path: path.to_path_buf(),
            format: "JSON",
            detail: e.to_string(),
        })?;
    let list = value
        .get("Accounts")
        .and_then(|a| a.as_array())
        .ok_or_else(|| {
            bad(
                path,
                "expected {\"Accounts\": [...]} as printed by `aws organizations list-accounts`"
                    .into(),
            )
        })?;
    list.iter()
        .enumerate()
        .map(|(i, a)| {
            let text = |k: &str| a.get(k).and_then(|v| v.as_str()).map(str::to_string);
            let id = text("Id").ok_or_else(|| {
                bad(
                    path,
                    format!("$.Accounts[{i}].Id is missing or not a string"),
                )
            })?;
            if !valid_id(&id) {
                return Err(bad(
                    path,
                    format!("$.Accounts[{i}].Id: '{id}' is not a 12-digit account id"),
                ));
            }
            Ok(AccountInfo {
                id,
                name: text("Name"),
                email: text("Email"),
                status: text("Status"),
            })
        })
        .collect()
}

pub fn parse_csv(path: &Path, bytes: &[u8]) -> Result<Vec<AccountInfo>, CurError> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| bad(path, format!("unreadable header: {e}")))?
        .iter()
        .map(normalize_name)
        .collect();
    for (i, h) in header.iter().enumerate() {
        if let Some(first) = header[..i].iter().position(|x| x == h) {
            return Err(CurError::DuplicateColumn {
                path: path.to_path_buf(),
                name: h.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
    }
    let col = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let id_col =
        col(&["account_id", "id"]).ok_or_else(|| bad(path, "no account_id column".into()))?;
    let name_col = col(&["name", "account_name"]);
    let email_col = col(&["email"]);
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| CurError::Corrupt {
            path: path.to_path_buf(),
            format: "CSV",
            detail: e.to_string(),
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let Some(id) = get(Some(id_col)) else {
            continue;
        };
        if !valid_id(&id) {
            return Err(CurError::BadCell {
                path: path.to_path_buf(),
                line,
                column: id_col + 1,
                name: "account_id".into(),
                value: id,
                reason: "is not a 12-digit account id".into(),
            });
        }
        out.push(AccountInfo {
            id,
            name: get(name_col),
            email: get(email_col),
            status: None,
        });
    }
    Ok(out)
}
