//! The billing transfer form (SPEC 2.6): the bill source's management account, the
//! bill-transfer account, the months it covers, its status, and the pricing plan of its
//! `TRANSFER_BILLING` group (created with the transfer when it has none).

use super::{Field, Form, FormContext, KindForm, Parse};
use crate::model::{
    BASIC_PLAN_ARN, BillingGroup, BillingTransfer, GroupType, Kind, Object, PASSTHROUGH_PLAN_ARN,
    TransferStatus, new_arn, transfer_arn, transfer_group_name,
};

/// The plan ARN a plan field names: a managed plan or a plan of the configuration.
fn plan_arn(ctx: &FormContext, name: &str) -> Option<String> {
    match name {
        "" | "BasicPricingPlan" => Some(BASIC_PLAN_ARN.to_string()),
        "Passthrough" => Some(PASSTHROUGH_PLAN_ARN.to_string()),
        _ => ctx
            .config
            .plans
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.arn.clone()),
    }
}

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
            Field::text(
                "plan",
                "Pricing plan of its TRANSFER_BILLING group (BasicPricingPlan, Passthrough or a plan)",
                t.and_then(|t| ctx.config.transfer_group(t))
                    .map_or("BasicPricingPlan".to_string(), |g| {
                        ctx.config.plan_name(&ctx.config.groups[g].plan)
                    }),
                &["BillingGroup"],
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
        let plan = p.text("plan");
        if plan_arn(p.ctx, &plan).is_none() {
            p.error(
                "plan",
                format!("MISSING_PRICINGPLAN: no pricing plan '{plan}'"),
            );
        }
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

    /// The transfer's `TRANSFER_BILLING` group on the form's plan: created with a new
    /// transfer (SPEC 2.6: each transfer has one), its plan changed with an edit.
    fn companions(&self, ctx: &FormContext, form: &Form, object: &Object) -> Vec<Object> {
        let Object::Transfer(t) = object else {
            return Vec::new();
        };
        let plan =
            plan_arn(ctx, form.field("plan").trim()).unwrap_or_else(|| BASIC_PLAN_ARN.to_string());
        match ctx.config.transfer_group(t) {
            Some(g) => {
                let group = &ctx.config.groups[g];
                if group.plan == plan {
                    return Vec::new();
                }
                vec![Object::Group(BillingGroup {
                    plan,
                    ..group.clone()
                })]
            }
            None => {
                let name = transfer_group_name(&t.name);
                vec![Object::Group(BillingGroup {
                    arn: new_arn(
                        Kind::BillingGroup,
                        &t.transfer_account,
                        &name,
                        super::now_salt(),
                    ),
                    name,
                    description: format!("Billing transfer '{}'", t.name),
                    primary_account: t.source_account.clone(),
                    accounts: [t.source_account.clone()].into(),
                    plan,
                    auto_associate: false,
                    group_type: GroupType::TransferBilling,
                    responsibility_transfer_arn: Some(t.arn.clone()),
                })]
            }
        }
    }
}
