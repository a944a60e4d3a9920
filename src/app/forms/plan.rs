//! The pricing plan form (SPEC 2.2): name, description and its rules by name.

use super::{Field, FormContext, KindForm, Parse};
use crate::model::{Kind, Object, PricingPlan};

/// The pricing plan kind's fields and parse.
pub(super) struct PlanForm;

impl KindForm for PlanForm {
    fn fields(&self, ctx: &FormContext, object: Option<&Object>) -> Vec<Field> {
        let p = match object {
            Some(Object::Plan(p)) => Some(p),
            _ => None,
        };
        let rules = p
            .map(|p| {
                p.rules
                    .iter()
                    .filter_map(|a| ctx.config.rule(a))
                    .map(|r| r.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        vec![
            Field::name(p.map(|p| p.name.clone()).unwrap_or_default()),
            Field::description(p.map(|p| p.description.clone()).unwrap_or_default()),
            Field::text(
                "rules",
                "Rules (names, comma separated)",
                rules,
                &["PricingRuleArns"],
            ),
        ]
    }

    fn parse(&self, p: &mut Parse) -> Object {
        let mut rules = Vec::new();
        for name in p.list("rules") {
            match p.ctx.config.rules.iter().find(|r| r.name == name) {
                Some(r) => rules.push(r.arn.clone()),
                None => p.error(
                    "rules",
                    format!("PRICINGRULES_NOT_EXIST: no pricing rule named '{name}'"),
                ),
            }
        }
        Object::Plan(PricingPlan {
            arn: p.arn(Kind::PricingPlan),
            name: p.text("name"),
            description: p.text("description"),
            rules,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Form;
    use super::super::test_support::{ctx_data, set};
    use crate::model::{Kind, Object};

    #[test]
    fn fields_become_a_plan_with_rule_arns() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::PricingPlan, &ctx);
        set(&mut form, "name", "plan-b");
        set(&mut form, "rules", "rule-a, ");
        let Ok(Object::Plan(plan)) = form.to_object(&ctx) else {
            panic!("not a plan: {:?}", form.to_object(&ctx));
        };
        assert_eq!(plan.name, "plan-b");
        assert_eq!(plan.rules, vec![ctx.config.rules[0].arn.clone()]);
        assert!(plan.arn.contains(":pricingplan/"));
    }

    #[test]
    fn an_unknown_rule_is_an_error_under_rules() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::PricingPlan, &ctx);
        set(&mut form, "name", "plan-b");
        set(&mut form, "rules", "rule-a, rule-z");
        let errors = form.to_object(&ctx).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors["rules"],
            "PRICINGRULES_NOT_EXIST: no pricing rule named 'rule-z'"
        );
    }

    #[test]
    fn an_edit_lists_rules_by_name_and_parses_back_to_the_plan() {
        let data = ctx_data();
        let ctx = data.ctx();
        let stored = Object::Plan(ctx.config.plans[0].clone());
        let form = Form::for_object(&ctx, &stored);
        assert_eq!(form.field("rules"), "rule-a");
        assert_eq!(form.to_object(&ctx), Ok(stored));
    }
}
