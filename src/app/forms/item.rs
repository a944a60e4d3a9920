//! The custom line item form (SPEC 2.4): group, account, type and charge (both fixed after
//! creation), a flat amount or a percentage of groups and flat items with its filter and
//! computation, presentation service, and the periods it applies to.

use super::{Field, Form, FormContext, KindForm, Parse, dec};
use crate::model::{
    Charge, Computation, CustomLineItem, DEFAULT_PRESENTATION_SERVICE, ItemType, Kind,
    LineItemFilter, Object,
};

/// The custom line item kind's fields and parse.
pub(super) struct ItemForm;

impl KindForm for ItemForm {
    fn fields(&self, ctx: &FormContext, object: Option<&Object>) -> Vec<Field> {
        let i = match object {
            Some(Object::Item(i)) => Some(i),
            _ => None,
        };
        let cfg = ctx.config;
        let groups: Vec<String> = cfg.groups.iter().map(|g| g.name.clone()).collect();
        let group_refs: Vec<&str> = groups.iter().map(String::as_str).collect();
        let name_of = |arn: &str| {
            cfg.group(arn)
                .map(|g| g.name.clone())
                .or_else(|| cfg.item(arn).map(|x| x.name.clone()))
                .unwrap_or_else(|| arn.to_string())
        };
        let (charge, value, associated) = match i.map(|i| &i.charge) {
            Some(Charge::Flat { value }) => ("FLAT", dec(Some(*value)), String::new()),
            Some(Charge::Percentage {
                percent,
                associated,
            }) => (
                "PERCENTAGE",
                dec(Some(*percent)),
                associated
                    .iter()
                    .map(|a| name_of(a))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            None => ("FLAT", String::new(), String::new()),
        };
        let (filter, filter_service) = match i.and_then(|i| i.filter.clone()) {
            None => ("none", String::new()),
            Some(LineItemFilter::ExcludeSavingsPlanNegation) => {
                ("exclude SP negation", String::new())
            }
            Some(LineItemFilter::Service {
                equal: true,
                service,
            }) => ("SERVICE EQUAL", service),
            Some(LineItemFilter::Service {
                equal: false,
                service,
            }) => ("SERVICE NOT_EQUAL", service),
        };
        let mut fields = vec![
            Field::name(i.map(|i| i.name.clone()).unwrap_or_default()),
            Field::description(i.map(|i| i.description.clone()).unwrap_or_default()),
            Field::choice(
                "group",
                "Billing group",
                i.and_then(|i| cfg.group(&i.group)).map_or_else(
                    || groups.first().cloned().unwrap_or_default(),
                    |g| g.name.clone(),
                ),
                &group_refs,
                &["BillingGroupArn"],
            ),
            Field::text(
                "account",
                "Account (default: the primary)",
                i.and_then(|i| i.account.clone()).unwrap_or_default(),
                &["AccountId"],
            ),
            Field::choice(
                "item_type",
                "Type",
                i.map_or(ItemType::Fee, |i| i.item_type).code(),
                &ItemType::codes(),
                &["Type"],
            ),
            Field::choice(
                "charge",
                "Charge",
                charge,
                &["FLAT", "PERCENTAGE"],
                &["ChargeDetails"],
            ),
            Field::text(
                "value",
                "Amount or percentage",
                value,
                &[
                    "ChargeDetails.Flat.ChargeValue",
                    "ChargeDetails.Percentage.PercentageValue",
                ],
            ),
            Field::text(
                "associated",
                "Percentage of (groups and flat items)",
                associated,
                &["ChargeDetails.Percentage.AssociatedValues"],
            ),
            Field::choice(
                "filter",
                "Line item filter",
                filter,
                &[
                    "none",
                    "exclude SP negation",
                    "SERVICE EQUAL",
                    "SERVICE NOT_EQUAL",
                ],
                &["ChargeDetails.LineItemFilters"],
            ),
            Field::text("filter_service", "Filter service code", filter_service, &[]),
            Field::choice(
                "computation",
                "Computation",
                i.map_or(Computation::Consolidated, |i| i.computation)
                    .code(),
                &Computation::codes(),
                &["ComputationRule"],
            ),
            Field::text(
                "presentation",
                "Presentation service",
                i.map_or_else(
                    || DEFAULT_PRESENTATION_SERVICE.to_string(),
                    |i| i.presentation_service.clone(),
                ),
                &["PresentationDetails.Service"],
            ),
            Field::text(
                "start",
                "From period (inclusive)",
                i.map_or_else(|| ctx.period.to_string(), |i| i.start.to_string()),
                &["BillingPeriodRange"],
            ),
            Field::text(
                "end",
                "Until period (exclusive, optional)",
                i.and_then(|i| i.end)
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
                &[],
            ),
        ];
        if i.is_some() {
            for f in fields
                .iter_mut()
                .filter(|f| f.key == "item_type" || f.key == "charge")
            {
                f.locked = true;
            }
        }
        fields
    }

    fn applies(&self, form: &Form, key: &str) -> bool {
        let percentage = form.field("charge") == "PERCENTAGE";
        match key {
            "associated" | "filter" | "computation" => percentage,
            "filter_service" => percentage && form.field("filter").starts_with("SERVICE"),
            _ => true,
        }
    }

    fn parse(&self, p: &mut Parse) -> Object {
        let cfg = p.ctx.config;
        // An unknown group name leaves the ARN empty: validation names the field.
        let group = cfg
            .groups
            .iter()
            .find(|g| g.name == p.text("group"))
            .map(|g| g.arn.clone())
            .unwrap_or_default();
        let value = p.number("value").unwrap_or_default();
        let charge = if p.text("charge") == "PERCENTAGE" {
            let mut associated = Vec::new();
            for name in p.list("associated") {
                let arn = cfg
                    .groups
                    .iter()
                    .find(|g| g.name == name)
                    .map(|g| g.arn.clone())
                    .or_else(|| {
                        cfg.items
                            .iter()
                            .find(|i| i.name == name)
                            .map(|i| i.arn.clone())
                    });
                match arn {
                    Some(a) => associated.push(a),
                    None => p.error(
                        "associated",
                        format!("ILLEGAL_RESOURCE_ARNS: no billing group or item named '{name}'"),
                    ),
                }
            }
            Charge::Percentage {
                percent: value,
                associated,
            }
        } else {
            Charge::Flat { value }
        };
        let filter = if p.shown("filter") {
            match p.text("filter").as_str() {
                "exclude SP negation" => Some(LineItemFilter::ExcludeSavingsPlanNegation),
                "SERVICE EQUAL" => Some(LineItemFilter::Service {
                    equal: true,
                    service: p.text("filter_service"),
                }),
                "SERVICE NOT_EQUAL" => Some(LineItemFilter::Service {
                    equal: false,
                    service: p.text("filter_service"),
                }),
                _ => None,
            }
        } else {
            None
        };
        let start = p.period("start").unwrap_or(p.ctx.period);
        let end = p.period("end");
        let account = p.opt("account").map(|a| p.ctx.account_id(&a).unwrap_or(a));
        // An edit keeps the item's currency; a new item is charged in the period's currency
        // (SPEC 2.4: USD, or CNY for China-partition payers).
        let currency = p
            .form
            .editing
            .as_ref()
            .and_then(|a| cfg.item(a))
            .map_or_else(|| p.ctx.item_currency.to_string(), |i| i.currency.clone());
        Object::Item(CustomLineItem {
            arn: p.arn(Kind::CustomLineItem),
            name: p.text("name"),
            description: p.text("description"),
            group,
            account,
            item_type: p.text("item_type").parse().unwrap_or(ItemType::Fee),
            charge,
            filter,
            computation: if p.shown("computation")
                && p.text("computation").parse() == Ok(Computation::Itemized)
            {
                Computation::Itemized
            } else {
                Computation::Consolidated
            },
            presentation_service: p
                .opt("presentation")
                .unwrap_or_else(|| DEFAULT_PRESENTATION_SERVICE.into()),
            start,
            end,
            currency,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Form;
    use super::super::test_support::{ctx_data, set};
    use crate::model::{Charge, Computation, ItemType, Kind, LineItemFilter, Object};
    use rust_decimal::Decimal;

    #[test]
    fn a_percentage_credit_with_a_filter_and_periods() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::CustomLineItem, &ctx);
        assert_eq!(form.field("start"), "2026-03");
        set(&mut form, "name", "support");
        set(&mut form, "group", "team-a");
        set(&mut form, "account", "beta");
        set(&mut form, "item_type", "CREDIT");
        set(&mut form, "charge", "PERCENTAGE");
        set(&mut form, "value", "2.5");
        set(&mut form, "associated", "team-a, fee-a");
        set(&mut form, "filter", "SERVICE NOT_EQUAL");
        set(&mut form, "filter_service", "AmazonEC2");
        set(&mut form, "computation", "ITEMIZED");
        set(&mut form, "start", "2026-01");
        set(&mut form, "end", "2026-10");
        let Ok(Object::Item(i)) = form.to_object(&ctx) else {
            panic!("not an item: {:?}", form.to_object(&ctx));
        };
        assert_eq!(i.group, ctx.config.groups[0].arn);
        assert_eq!(i.account.as_deref(), Some("333333333333"));
        assert_eq!(i.item_type, ItemType::Credit);
        assert_eq!(
            i.charge,
            Charge::Percentage {
                percent: Decimal::new(25, 1),
                associated: vec![
                    ctx.config.groups[0].arn.clone(),
                    ctx.config.items[0].arn.clone()
                ],
            }
        );
        assert_eq!(
            i.filter,
            Some(LineItemFilter::Service {
                equal: false,
                service: "AmazonEC2".into()
            })
        );
        assert_eq!(i.computation, Computation::Itemized);
        assert_eq!(i.start.to_string(), "2026-01");
        assert_eq!(i.end.map(|e| e.to_string()).as_deref(), Some("2026-10"));
        assert_eq!(i.currency, "USD");
    }

    #[test]
    fn a_flat_fee_ignores_the_percentage_only_fields() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::CustomLineItem, &ctx);
        set(&mut form, "name", "fee");
        set(&mut form, "value", "100.10");
        set(&mut form, "filter", "exclude SP negation");
        set(&mut form, "computation", "ITEMIZED");
        let Ok(Object::Item(i)) = form.to_object(&ctx) else {
            panic!("not an item: {:?}", form.to_object(&ctx));
        };
        assert_eq!(
            i.charge,
            Charge::Flat {
                value: Decimal::new(10010, 2)
            }
        );
        assert_eq!(i.filter, None);
        assert_eq!(i.computation, Computation::Consolidated);
        assert_eq!(i.start, ctx.period);
        assert_eq!(i.end, None);
    }

    #[test]
    fn bad_values_are_errors_under_their_fields() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::CustomLineItem, &ctx);
        set(&mut form, "name", "fee");
        set(&mut form, "value", "12,50");
        set(&mut form, "end", "2026-13");
        let errors = form.to_object(&ctx).unwrap_err();
        assert_eq!(errors["value"], "'12,50' is not a number");
        assert!(errors.contains_key("end"), "{errors:?}");
        assert_eq!(errors.len(), 2);
        set(&mut form, "value", "1");
        set(&mut form, "end", "");
        set(&mut form, "charge", "PERCENTAGE");
        set(&mut form, "associated", "nobody");
        assert_eq!(
            form.to_object(&ctx).unwrap_err()["associated"],
            "ILLEGAL_RESOURCE_ARNS: no billing group or item named 'nobody'"
        );
    }

    #[test]
    fn an_edit_locks_type_and_charge_and_keeps_the_currency() {
        let data = ctx_data();
        let ctx = data.ctx();
        let stored = Object::Item(ctx.config.items[0].clone());
        let form = Form::for_object(&ctx, &stored);
        let locked: Vec<&str> = form
            .fields
            .iter()
            .filter(|f| f.locked)
            .map(|f| f.key)
            .collect();
        assert_eq!(locked, ["item_type", "charge"]);
        assert_eq!(form.to_object(&ctx), Ok(stored));
    }

    #[test]
    fn a_new_item_takes_the_period_currency() {
        let data = ctx_data();
        let mut ctx = data.ctx();
        ctx.item_currency = "CNY";
        let mut form = Form::new(Kind::CustomLineItem, &ctx);
        set(&mut form, "name", "fee-cny");
        set(&mut form, "value", "1");
        let Ok(Object::Item(i)) = form.to_object(&ctx) else {
            panic!("not an item");
        };
        assert_eq!(i.currency, "CNY");
    }
}
