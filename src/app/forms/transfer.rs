//! The billing transfer form (SPEC 2.6): the bill source's management account, the
//! bill-transfer account, the months it covers, its status, and the pricing plan of its
//! `TRANSFER_BILLING` group (created with the transfer when it has none).

use super::{Field, FormContext, KindForm, Parse};
use crate::model::{BillingTransfer, Object, TransferStatus, transfer_arn};

/// The billing transfer kind's fields and parse.
pub(super) struct TransferForm;

impl KindForm for TransferForm {
    fn fields(&self, ctx: &FormContext, object: Option<&Object>) -> Vec<Field> {
        let t = match object {
            Some(Object::Transfer(t)) => Some(t),
            _ => None,
        };
        let account = |a: &str| ctx.names.get(a).cloned().unwrap_or_else(|| a.to_string());
        vec![
            Field::name(t.map(|t| t.name.clone()).unwrap_or_default()),
            Field::text(
                "source",
                "Bill source (management account of the organisation transferring its bill)",
                t.map(|t| account(&t.source_account)).unwrap_or_default(),
                &["Source.ManagementAccountId"],
            ),
            Field::text(
                "target",
                "Bill-transfer account (pays the source's invoice)",
                t.map(|t| account(&t.transfer_account))
                    .or_else(|| ctx.payers.iter().next().cloned())
                    .unwrap_or_default(),
                &["Target.ManagementAccountId"],
            ),
            Field::text(
                "start",
                "First month (YYYY-MM: it starts on the 1st)",
                t.map_or(ctx.period.to_string(), |t| t.start.to_string()),
                &["StartTimestamp"],
            ),
            Field::text(
                "end",
                "Last month (YYYY-MM, empty: open-ended; it ends at the end of it)",
                t.and_then(|t| t.end)
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
                &["EndTimestamp"],
            ),
            Field::choice(
                "status",
                "Status",
                t.map_or(TransferStatus::Accepted, |t| t.status).code(),
                &TransferStatus::codes(),
                &["Status"],
            ),
        ]
    }

    fn parse(&self, p: &mut Parse) -> Object {
        let account = |p: &mut Parse, key: &str| {
            let text = p.text(key);
            match p.ctx.account_id(&text) {
                Some(id) => id,
                None => {
                    if !text.is_empty() {
                        p.error(key, format!("'{text}' is not a 12-digit account id"));
                    }
                    text
                }
            }
        };
        let source = account(p, "source");
        let target = account(p, "target");
        let start = p.period("start");
        if start.is_none() && !p.errors.contains_key("start") {
            p.error("start", "the first month is required".into());
        }
        let end = p.period("end");
        let status = match TransferStatus::from_code(&p.text("status")) {
            Ok(s) => s,
            Err(e) => {
                p.error("status", e.to_string());
                TransferStatus::Accepted
            }
        };
        let name = p.text("name");
        let arn = p
            .form
            .editing
            .clone()
            .unwrap_or_else(|| transfer_arn(&target, &source, &name));
        Object::Transfer(BillingTransfer {
            arn,
            name,
            source_account: source,
            transfer_account: target,
            start: start.unwrap_or(p.ctx.period),
            end,
            status,
        })
    }
}
