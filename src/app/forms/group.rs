//! The billing group form (SPEC 2.1): name, description, primary account, accounts (ids or
//! names), pricing plan (by name, managed plans included), type and auto-association.

use super::{Field, FormContext, KindForm, Parse};
use crate::model::{BASIC_PLAN_ARN, BillingGroup, GroupType, Kind, Object, PASSTHROUGH_PLAN_ARN};
use std::collections::BTreeSet;

/// The billing group kind's fields and parse.
pub(super) struct GroupForm;

impl KindForm for GroupForm {
    fn fields(&self, ctx: &FormContext, object: Option<&Object>) -> Vec<Field> {
        let g = match object {
            Some(Object::Group(g)) => Some(g),
            _ => None,
        };
        let mut plans: Vec<String> = ctx.config.plans.iter().map(|p| p.name.clone()).collect();
        plans.extend(["BasicPricingPlan".to_string(), "Passthrough".to_string()]);
        let plan_refs: Vec<&str> = plans.iter().map(String::as_str).collect();
        vec![
            Field::name(g.map(|g| g.name.clone()).unwrap_or_default()),
            Field::description(g.map(|g| g.description.clone()).unwrap_or_default()),
            Field::text(
                "primary",
                "Primary account",
                g.map(|g| g.primary_account.clone()).unwrap_or_default(),
                &["PrimaryAccountId"],
            ),
            Field::text(
                "accounts",
                "Accounts (ids or names, comma separated)",
                g.map(|g| g.accounts.iter().cloned().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default(),
                &["Accounts"],
            ),
            Field::choice(
                "plan",
                "Pricing plan",
                g.map_or_else(
                    || plans.first().cloned().unwrap_or_default(),
                    |g| ctx.config.plan_name(&g.plan),
                ),
                &plan_refs,
                &["ComputationPreference.PricingPlanArn"],
            ),
            Field::choice(
                "group_type",
                "Type",
                g.map_or(GroupType::Standard, |g| g.group_type).code(),
                &GroupType::codes(),
                &["BillingGroupType"],
            ),
            Field::choice(
                "auto",
                "Auto-associate",
                if g.is_some_and(|g| g.auto_associate) {
                    "yes"
                } else {
                    "no"
                },
                &["no", "yes"],
                &["AccountGrouping.AutoAssociate"],
            ),
        ]
    }

    fn parse(&self, p: &mut Parse) -> Object {
        let mut accounts = BTreeSet::new();
        for part in p.list("accounts") {
            match p.ctx.account_id(&part) {
                Some(id) => {
                    accounts.insert(id);
                }
                None => p.error(
                    "accounts",
                    format!(
                        "ILLEGAL_ACCOUNT_ID: '{part}' is neither a 12-digit account id nor an account name"
                    ),
                ),
            }
        }
        // An unknown plan name leaves the ARN empty: validation names the field.
        let plan = match p.text("plan").as_str() {
            "BasicPricingPlan" => BASIC_PLAN_ARN.to_string(),
            "Passthrough" => PASSTHROUGH_PLAN_ARN.to_string(),
            name => p
                .ctx
                .config
                .plans
                .iter()
                .find(|x| x.name == name)
                .map(|x| x.arn.clone())
                .unwrap_or_default(),
        };
        let primary = p.text("primary");
        Object::Group(BillingGroup {
            arn: p.arn(Kind::BillingGroup),
            name: p.text("name"),
            description: p.text("description"),
            primary_account: p.ctx.account_id(&primary).unwrap_or(primary),
            accounts,
            plan,
            auto_associate: p.text("auto") == "yes",
            group_type: p.text("group_type").parse().unwrap_or_default(),
            // The transfer a group prices is set with the transfer (SPEC 2.6); an edit keeps it.
            responsibility_transfer_arn: p
                .form
                .editing
                .as_deref()
                .and_then(|arn| p.ctx.config.group(arn))
                .and_then(|g| g.responsibility_transfer_arn.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ctx_data, set};
    use super::super::{Form, FormContext};
    use crate::model::{BASIC_PLAN_ARN, GroupType, Kind, Object};

    #[test]
    fn fields_become_a_billing_group_with_names_resolved() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::BillingGroup, &ctx);
        set(&mut form, "name", " team-a ");
        set(&mut form, "description", "Team A");
        set(&mut form, "primary", "alpha");
        set(&mut form, "accounts", "alpha, 222222222222,, beta ");
        set(&mut form, "plan", "BasicPricingPlan");
        set(&mut form, "group_type", "TRANSFER_BILLING");
        set(&mut form, "auto", "yes");
        let Ok(Object::Group(g)) = form.to_object(&ctx) else {
            panic!("not a group: {:?}", form.to_object(&ctx));
        };
        assert_eq!(g.name, "team-a");
        assert_eq!(g.description, "Team A");
        assert_eq!(g.primary_account, "111111111111");
        assert_eq!(
            g.accounts.iter().map(String::as_str).collect::<Vec<_>>(),
            ["111111111111", "222222222222", "333333333333"]
        );
        assert_eq!(g.plan, BASIC_PLAN_ARN);
        assert_eq!(g.group_type, GroupType::TransferBilling);
        assert!(g.auto_associate);
        assert!(
            g.arn
                .starts_with("arn:aws:billingconductor::999999999999:billinggroup/")
        );
    }

    #[test]
    fn an_unknown_account_is_an_error_under_accounts() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::BillingGroup, &ctx);
        set(&mut form, "name", "g");
        set(&mut form, "accounts", "alpha, nobody");
        let errors = form.to_object(&ctx).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors["accounts"],
            "ILLEGAL_ACCOUNT_ID: 'nobody' is neither a 12-digit account id nor an account name"
        );
    }

    #[test]
    fn an_edit_shows_the_stored_group_and_keeps_its_arn() {
        let data = ctx_data();
        let ctx: FormContext = data.ctx();
        let stored = ctx.config.groups[0].clone();
        let form = Form::for_object(&ctx, &Object::Group(stored.clone()));
        assert_eq!(form.field("plan"), "plan-a");
        assert_eq!(form.field("accounts"), "111111111111");
        assert_eq!(form.to_object(&ctx), Ok(Object::Group(stored)));
    }
}
