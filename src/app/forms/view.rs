//! The custom billing view form (SPEC 2.5): source views (`primary`, `primary:<payer>` or
//! view names) and one filter (accounts by id or name, a tag or a cost category).

use super::{Field, Form, FormContext, KindForm, Parse};
use crate::model::{CustomView, Kind, Object, ViewFilter, primary_view_arn, primary_view_payer};
use std::collections::BTreeSet;

/// The billing view kind's fields and parse.
pub(super) struct ViewForm;

fn joined(values: &BTreeSet<String>) -> String {
    values.iter().cloned().collect::<Vec<_>>().join(", ")
}

impl KindForm for ViewForm {
    fn fields(&self, ctx: &FormContext, object: Option<&Object>) -> Vec<Field> {
        let v = match object {
            Some(Object::View(v)) => Some(v),
            _ => None,
        };
        let sources = v
            .map(|v| {
                v.sources
                    .iter()
                    .map(|s| match primary_view_payer(s) {
                        Some(p) if ctx.payers.len() == 1 && ctx.payers.contains(p) => {
                            "primary".to_string()
                        }
                        Some(p) => format!("primary:{p}"),
                        None => ctx
                            .config
                            .view(s)
                            .map_or_else(|| s.clone(), |x| x.name.clone()),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "primary".into());
        let (filter, key, values) = match v.map(|v| &v.filter) {
            None | Some(ViewFilter::None) => ("none", String::new(), String::new()),
            Some(ViewFilter::Accounts { accounts }) => {
                ("accounts", String::new(), joined(accounts))
            }
            Some(ViewFilter::Tag { key, values }) => ("tag", key.clone(), joined(values)),
            Some(ViewFilter::CostCategory { key, values }) => {
                ("cost category", key.clone(), joined(values))
            }
        };
        vec![
            Field::name(v.map(|v| v.name.clone()).unwrap_or_default()),
            Field::description(v.map(|v| v.description.clone()).unwrap_or_default()),
            Field::text(
                "sources",
                "Source views (primary or view names)",
                sources,
                &["SourceViews"],
            ),
            Field::choice(
                "filter",
                "Filter",
                filter,
                &["none", "accounts", "tag", "cost category"],
                &["DataFilterExpression"],
            ),
            Field::text("filter_key", "Tag or cost category key", key, &[]),
            Field::text(
                "values",
                "Values (accounts: ids or names; tag or cost category: its values)",
                values,
                &[],
            ),
        ]
    }

    fn applies(&self, form: &Form, key: &str) -> bool {
        let filter = form.field("filter");
        match key {
            "filter_key" => filter == "tag" || filter == "cost category",
            "values" => filter != "none",
            _ => true,
        }
    }

    fn parse(&self, p: &mut Parse) -> Object {
        let mut sources = Vec::new();
        for s in p.list("sources") {
            let arn = match s.split_once(':') {
                _ if s == "primary" => p.ctx.payers.iter().next().map(|x| primary_view_arn(x)),
                Some(("primary", payer)) => Some(primary_view_arn(payer)),
                _ => p
                    .ctx
                    .config
                    .views
                    .iter()
                    .find(|v| v.name == s)
                    .map(|v| v.arn.clone()),
            };
            match arn {
                Some(a) => sources.push(a),
                None => p.error(
                    "sources",
                    format!("SOURCE_VIEW_NOT_FOUND: no billing view '{s}'"),
                ),
            }
        }
        let values: BTreeSet<String> = p.list("values").into_iter().collect();
        let filter = match p.text("filter").as_str() {
            "accounts" => ViewFilter::Accounts {
                accounts: values
                    .iter()
                    .map(|v| p.ctx.account_id(v).unwrap_or_else(|| v.clone()))
                    .collect(),
            },
            "tag" => ViewFilter::Tag {
                key: p.text("filter_key"),
                values,
            },
            "cost category" => ViewFilter::CostCategory {
                key: p.text("filter_key"),
                values,
            },
            _ => ViewFilter::None,
        };
        Object::View(CustomView {
            arn: p.arn(Kind::BillingView),
            name: p.text("name"),
            description: p.text("description"),
            sources,
            filter,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Form;
    use super::super::test_support::{ctx_data, set};
    use crate::model::{Kind, Object, ViewFilter, primary_view_arn};

    #[test]
    fn sources_and_an_account_filter_resolve_names() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::BillingView, &ctx);
        assert_eq!(form.field("sources"), "primary");
        set(&mut form, "name", "finance");
        set(
            &mut form,
            "sources",
            "primary, primary:444444444444, view-a",
        );
        set(&mut form, "filter", "accounts");
        set(&mut form, "values", "alpha, 222222222222");
        let Ok(Object::View(v)) = form.to_object(&ctx) else {
            panic!("not a view: {:?}", form.to_object(&ctx));
        };
        assert_eq!(
            v.sources,
            vec![
                primary_view_arn("999999999999"),
                primary_view_arn("444444444444"),
                ctx.config.views[0].arn.clone()
            ]
        );
        assert_eq!(
            v.filter,
            ViewFilter::Accounts {
                accounts: ["111111111111", "222222222222"].map(String::from).into()
            }
        );
        assert!(v.arn.contains(":billingview/custom-"));
    }

    #[test]
    fn a_tag_filter_keeps_its_key_and_values() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::BillingView, &ctx);
        set(&mut form, "name", "by-tag");
        set(&mut form, "filter", "tag");
        set(&mut form, "filter_key", " team ");
        set(&mut form, "values", "blue, red");
        let Ok(Object::View(v)) = form.to_object(&ctx) else {
            panic!("not a view");
        };
        assert_eq!(
            v.filter,
            ViewFilter::Tag {
                key: "team".into(),
                values: ["blue", "red"].map(String::from).into()
            }
        );
    }

    #[test]
    fn an_unknown_source_is_an_error_under_sources() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::BillingView, &ctx);
        set(&mut form, "name", "v");
        set(&mut form, "sources", "primary, nowhere");
        let errors = form.to_object(&ctx).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors["sources"],
            "SOURCE_VIEW_NOT_FOUND: no billing view 'nowhere'"
        );
    }

    #[test]
    fn an_edit_shows_primary_and_view_names_and_parses_back() {
        let data = ctx_data();
        let ctx = data.ctx();
        let stored = Object::View(ctx.config.views[1].clone());
        let form = Form::for_object(&ctx, &stored);
        assert_eq!(form.field("sources"), "primary, view-a");
        assert_eq!(form.field("filter"), "cost category");
        assert_eq!(form.to_object(&ctx), Ok(stored));
    }
}
