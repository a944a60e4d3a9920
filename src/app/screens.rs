//! The table of each screen, built from the priced period.

pub mod history;

use super::table::{
    Align, Measure, RowKind, SortValue, TableModel, count, money, money_opt, percent, text,
};
use super::{GroupLevel, State, Tab};
use crate::analysis::Analysis;
use crate::engine::GroupBy;
use crate::engine::price::Membership;
use crate::model::{Charge, Computation, LineItemFilter};
use rust_decimal::Decimal;

const L: Align = Align::Left;
const R: Align = Align::Right;

/// What a screen's table is built from: the state on screen, the priced state the table
/// shows (the baseline, or the open scenario for its twin table) and the drill path into it.
pub struct Screen<'a> {
    pub st: &'a State,
    pub data: &'a Analysis,
    pub group_path: &'a [GroupLevel],
}

impl std::ops::Deref for Screen<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        self.st
    }
}

/// The current tab's table of `data` (the baseline or a scenario) under the drill path `path`.
pub fn build(st: &State, data: &Analysis, path: &[GroupLevel]) -> TableModel {
    let app = &Screen {
        st,
        data,
        group_path: path,
    };
    match st.tab {
        Tab::Overview => overview(app),
        Tab::Groups => groups(app),
        Tab::Plans => plans(app),
        Tab::Rules => rules(app),
        Tab::Items => items(app),
        Tab::Accounts => accounts(app),
        Tab::Views => view(app),
        Tab::Reconcile => reconcile(app),
        Tab::History => history(app),
    }
}

/// The read-only table under the main one: a drilled group's custom line items, or the rules
/// of the pricing plan under the cursor (`key`).
pub fn detail(
    st: &State,
    data: &Analysis,
    path: &[GroupLevel],
    key: Option<&str>,
) -> Option<TableModel> {
    let app = &Screen {
        st,
        data,
        group_path: path,
    };
    match (st.tab, path.last()) {
        (Tab::Groups, Some(GroupLevel::Services { group })) => Some(group_items(app, *group)),
        (Tab::Plans, _) => Some(plan_detail(app, key.unwrap_or_default())),
        (Tab::Reconcile, _) => super::checklist::detail(st, key),
        _ => None,
    }
}

/// The rules of one pricing plan.
fn plan_detail(app: &Screen<'_>, key: &str) -> TableModel {
    let cfg = &app.data.config;
    let mut t = TableModel::new(
        format!("Rules of {key}"),
        &[
            ("Rule", L),
            ("Scope", L),
            ("Type", L),
            ("Target / setting", L),
        ],
    );
    if let Some(plan) = cfg.plans.iter().find(|p| p.name == key) {
        for r in plan.rules.iter().filter_map(|a| cfg.rule(a)) {
            let setting = match (&r.modifier, r.free_tier) {
                (Some(m), _) => format!("{} {}%", r.target(), m.normalize()),
                (None, Some(on)) => format!(
                    "{}: free tier {}",
                    r.target(),
                    if on { "on" } else { "off" }
                ),
                _ => format!("{}: {} custom tiers", r.target(), r.tiers.len()),
            };
            t.push(
                r.name.clone(),
                vec![
                    text(&r.name),
                    text(r.scope.code()),
                    text(r.rule_type.code()),
                    text(setting),
                ],
                RowKind::Normal,
            );
        }
        t.empty = "no rules: public on-demand prices".into();
    } else {
        t.empty = "managed plan: no rules to show".into();
    }
    t
}

/// A series as block characters, scaled to its own maximum.
pub fn sparkline(values: &[Decimal]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().fold(Decimal::ZERO, Decimal::max);
    values
        .iter()
        .map(|v| {
            if max <= Decimal::ZERO || *v <= Decimal::ZERO {
                ' '
            } else {
                let level = (*v * Decimal::from(7) / max).round();
                BARS[usize::try_from(level.mantissa().max(0) as u64 / 10u64.pow(level.scale()))
                    .unwrap_or(0)
                    .min(7)]
            }
        })
        .collect()
}

/// The columns of a billing group list (the overview adds the daily series).
const GROUP_COLUMNS: [(&str, Align); 7] = [
    ("Billing group", L),
    ("Plan", L),
    ("Accounts", R),
    ("AWS cost", R),
    ("Pro forma", R),
    ("Margin", R),
    ("Margin %", R),
];

/// Where a group list's pro forma, margin and margin % are.
const GROUP_MEASURES: [(usize, Measure); 3] = [
    (4, Measure::ProForma),
    (5, Measure::Margin),
    (6, Measure::MarginPercent),
];

/// The billing groups as shown (footed with the whole invoice, SPEC 5).
fn group_rows(app: &Screen<'_>, t: &mut TableModel, with_daily: bool) {
    let cfg = &app.data.config;
    let shown = app.data.shown_invoice();
    // Level-2 transfer groups are the downstream seller's: their views show them.
    for (r, a) in app.data.group_reports().iter().zip(&shown.groups) {
        if !app.data.listed_group(r.group) {
            continue;
        }
        let g = &cfg.groups[r.group];
        // A group whose AWS pro forma (imported) differs from proforma's is marked.
        let differs = crate::aws_proforma::compare(app.data, r.group, GroupBy::ServiceCode)
            .is_some_and(|c| c.differs());
        let mut cells = vec![
            if differs {
                (format!("{} ≠AWS", g.name), SortValue::Text(g.name.clone()))
            } else {
                text(&g.name)
            },
            text(cfg.plan_name(&g.plan)),
            count(app.data.group_account_count(r.group)),
            money(a.aws),
            money_opt(a.proforma),
            money_opt(a.margin),
            percent(a.margin_percentage),
        ];
        if with_daily {
            cells.push((
                sparkline(
                    app.daily_of(app.data)
                        .get(r.group)
                        .map_or(&[][..], Vec::as_slice),
                ),
                SortValue::Text(String::new()),
            ));
        }
        t.push(g.name.clone(), cells, RowKind::Normal);
    }
    t.sort_naturally();
}

/// Key of a billing view's "Monitored accounts" line (no attribute value is spelled so), so a
/// scenario's twin table matches it and shows its Δ, and `x` on it explains the whole view.
pub const VIEW_MONITORED_KEY: &str = "*monitored-accounts*";

/// Key of a billing view's "Unmonitored accounts (billable only)" line: a scenario's twin
/// table matches it (its own billable), and it has no pro forma to explain.
pub const VIEW_UNMONITORED_KEY: &str = "*unmonitored-accounts*";

/// Keys of the overview's "Unmonitored" and "Tax" lines, so a scenario's twin table shows
/// the scenario's (accounts it moved into or out of groups change them).
pub const UNMONITORED_KEY: &str = "*unmonitored*";
pub const TAX_KEY: &str = "*tax*";

/// Key of the overview's "Billing groups" line (no group name can hold `*`), so a scenario's
/// twin table matches it and shows its Δ.
pub const GROUPS_TOTAL_KEY: &str = "*billing-groups*";

/// The overview: one line per billing group, then one base per line, each labelled: the
/// billing groups together (AWS cost, pro forma, margin, margin %), the unmonitored accounts
/// (AWS cost only), the tax, and the invoice total (AWS cost only). Every amount is footed
/// with the invoice (SPEC 5), so the lines add up to the invoice total.
fn overview(app: &Screen<'_>) -> TableModel {
    let mut t = TableModel::new(
        format!("Billing groups, {}", app.period()),
        &[GROUP_COLUMNS.as_slice(), &[("Daily AWS cost", L)]].concat(),
    )
    .optional(&[(7, 3), (1, 2), (2, 1)])
    .measures(&GROUP_MEASURES);
    group_rows(app, &mut t, true);
    let p = &app.data.pricing;
    let unmonitored_accounts = {
        let mut set: Vec<&str> = app
            .data
            .lines
            .iter()
            .zip(&p.line_group)
            .filter(|(_, g)| g.is_none())
            .map(|(l, _)| l.key.account.as_str())
            .collect();
        set.sort_unstable();
        set.dedup();
        set.len()
    };
    let inv = app.data.shown_invoice();
    let accounts: usize = (0..app.data.config.groups.len())
        .filter(|&g| app.data.listed_group(g))
        .map(|g| app.data.group_account_count(g))
        .sum();
    let g = &inv.groups_total;
    t.push(
        GROUPS_TOTAL_KEY,
        vec![
            text("Billing groups"),
            text(""),
            count(accounts),
            money(g.aws),
            money_opt(g.proforma),
            money_opt(g.margin),
            percent(g.margin_percentage),
            text(""),
        ],
        RowKind::Aside,
    );
    let aws_only = |label: &str, accounts: (String, SortValue), amount: Decimal| {
        vec![
            text(label),
            text(""),
            accounts,
            money(amount),
            text(""),
            text(""),
            text(""),
            text(""),
        ]
    };
    t.push(
        UNMONITORED_KEY,
        aws_only(
            "Unmonitored",
            count(unmonitored_accounts),
            inv.unmonitored_aws,
        ),
        RowKind::Aside,
    );
    t.push(TAX_KEY, aws_only("Tax", text(""), inv.tax), RowKind::Aside);
    t.set_totals(vec![
        "Invoice total".into(),
        String::new(),
        String::new(),
        crate::money::fmt_grouped(inv.invoice),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]);
    t.empty = "no cost data: import a CUR with `proforma import`".into();
    t
}

/// A row's attribute value, and how it is shown (accounts with their names).
fn attribute_cells(
    app: &Screen<'_>,
    attributes: &[(String, String)],
    by: GroupBy,
) -> (String, String) {
    let value = attributes
        .first()
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let shown = match by {
        GroupBy::LinkedAccount => app
            .names
            .get(&value)
            .map_or(value.clone(), |n| format!("{value} {n}")),
        _ => value.clone(),
    };
    (value, shown)
}

/// A group broken down by `by` within a drill path, footed to the row it breaks down.
fn breakdown(
    app: &Screen<'_>,
    t: &mut TableModel,
    g: usize,
    by: GroupBy,
    path: &[(GroupBy, &str)],
    aws: Option<&crate::aws_proforma::Comparison>,
) {
    let (rows, shown) = app.data.shown_breakdown(g, by, path);
    for (r, a) in rows.iter().zip(&shown.rows) {
        let (value, label) = attribute_cells(app, &r.attributes, by);
        let mut cells = vec![
            text(label),
            money(a.aws),
            money_opt(a.proforma),
            money_opt(a.margin),
            percent(a.margin_percentage),
        ];
        if let Some(c) = aws {
            let (x, d) = c
                .row(&value)
                .map_or((Decimal::ZERO, Decimal::ZERO), |x| (x.aws, x.difference));
            cells.extend([money(x), money(d)]);
        }
        t.push(value, cells, RowKind::Normal);
    }
    // Services only AWS's pro forma has: proforma charges nothing for them.
    if let Some(c) = aws {
        for x in c.rows.iter().filter(|x| {
            !rows
                .iter()
                .any(|r| r.attributes.first().is_some_and(|(_, v)| *v == x.key))
        }) {
            t.push(
                x.key.clone(),
                vec![
                    text(&x.key),
                    text("–"),
                    text("–"),
                    text("–"),
                    text("–"),
                    money(x.aws),
                    money(x.difference),
                ],
                RowKind::Normal,
            );
        }
    }
    let a = &shown.total;
    let mut totals = vec![
        text("Total"),
        money(a.aws),
        money_opt(a.proforma),
        money_opt(a.margin),
        percent(a.margin_percentage),
    ];
    if let Some(c) = aws {
        totals.extend([money(c.aws), money(c.difference)]);
    }
    t.set_totals_typed(totals);
}

/// The columns of AWS's pro forma beside proforma's (issue 11 item 4), added to a group's
/// by-service table when AWS's pro forma of the group is imported; on a narrow screen
/// Margin % and then Margin give way to them.
fn with_aws_columns(mut t: TableModel) -> TableModel {
    for title in ["AWS pro forma", "Δ vs AWS"] {
        t.columns.push(super::table::Column {
            title: title.into(),
            align: R,
            width: title.chars().count() as u16,
            priority: 0,
            measure: None,
        });
    }
    t.optional(&[(4, 2), (3, 1)])
}

fn groups(app: &Screen<'_>) -> TableModel {
    let cfg = &app.data.config;
    let cols = |first: &str| {
        [
            (first.to_string(), L),
            ("Billable".into(), R),
            ("Pro forma".into(), R),
            ("Margin".into(), R),
            ("Margin %".into(), R),
        ]
    };
    let make = |title: String, first: &str| {
        let c = cols(first);
        let refs: Vec<(&str, Align)> = c.iter().map(|(s, a)| (s.as_str(), *a)).collect();
        TableModel::new(title, &refs).measures(&[
            (2, Measure::ProForma),
            (3, Measure::Margin),
            (4, Measure::MarginPercent),
        ])
    };
    match app.group_path.last().cloned().unwrap_or(GroupLevel::List) {
        GroupLevel::List => {
            let mut t =
                TableModel::new(format!("Billing groups, {}", app.period()), &GROUP_COLUMNS)
                    .optional(&[(1, 2), (2, 1)])
                    .measures(&GROUP_MEASURES);
            group_rows(app, &mut t, false);
            t.empty =
                "no billing groups: import a configuration with `proforma config import`".into();
            t
        }
        GroupLevel::Services { group } => {
            let name = &cfg.groups[group].name;
            let mut t = make(format!("{name} by service, {}", app.period()), "Service");
            let aws = crate::aws_proforma::compare(app.data, group, GroupBy::ProductName);
            if aws.is_some() {
                t = with_aws_columns(t);
                t.title = format!("{name} by service beside AWS's pro forma, {}", app.period());
            }
            breakdown(app, &mut t, group, GroupBy::ProductName, &[], aws.as_ref());
            t
        }
        GroupLevel::UsageTypes { group, service } => {
            let name = &cfg.groups[group].name;
            let mut t = make(
                format!("{name} › {service} by usage type, {}", app.period()),
                "Usage type",
            );
            breakdown(
                app,
                &mut t,
                group,
                GroupBy::UsageType,
                &[(GroupBy::ProductName, &service)],
                None,
            );
            t
        }
        GroupLevel::Accounts {
            group,
            service,
            usage_type,
        } => {
            let name = &cfg.groups[group].name;
            let mut t = make(
                format!(
                    "{name} › {service} › {usage_type} by account, {}",
                    app.period()
                ),
                "Account",
            );
            breakdown(
                app,
                &mut t,
                group,
                GroupBy::LinkedAccount,
                &[
                    (GroupBy::ProductName, &service),
                    (GroupBy::UsageType, &usage_type),
                ],
                None,
            );
            t
        }
    }
}

/// The selected group's custom line items with their amounts (shown under its services).
pub fn group_items(app: &Screen<'_>, group: usize) -> TableModel {
    let cfg = &app.data.config;
    let mut t = TableModel::new(
        "Custom line items",
        &[
            ("Item", L),
            ("Type", L),
            ("Charge", L),
            ("Account", L),
            ("Amount", R),
        ],
    );
    for a in app.data.pricing.items.iter().filter(|a| a.group == group) {
        let Some(item) = app.data.pricing.item(cfg, a.item) else {
            continue;
        };
        t.push(
            item.name.clone(),
            vec![
                text(&item.name),
                text(item.item_type.code()),
                text(charge_text(app, item)),
                text(&a.account),
                money(a.amount),
            ],
            RowKind::Normal,
        );
    }
    t.empty = "no custom line items active this period".into();
    t
}

fn charge_text(app: &Screen<'_>, item: &crate::model::CustomLineItem) -> String {
    let cfg = &app.data.config;
    match &item.charge {
        Charge::Flat { value } => format!("flat {}", crate::money::fmt_grouped(*value)),
        Charge::Percentage {
            percent,
            associated,
        } => {
            let names: Vec<String> = associated
                .iter()
                .map(|a| {
                    cfg.group(a)
                        .map(|g| g.name.clone())
                        .or_else(|| cfg.item(a).map(|i| i.name.clone()))
                        .unwrap_or_else(|| a.clone())
                })
                .collect();
            let filter = match &item.filter {
                None => String::new(),
                Some(LineItemFilter::ExcludeSavingsPlanNegation) => " excl. SP negation".into(),
                Some(LineItemFilter::Service {
                    equal: true,
                    service,
                }) => format!(" only {service}"),
                Some(LineItemFilter::Service {
                    equal: false,
                    service,
                }) => format!(" excl. {service}"),
            };
            let itemized = if item.computation == Computation::Itemized {
                ", itemized"
            } else {
                ""
            };
            format!(
                "{}% of {}{filter}{itemized}",
                percent.normalize(),
                names.join(" + ")
            )
        }
    }
}

fn plans(app: &Screen<'_>) -> TableModel {
    let cfg = &app.data.config;
    let mut t = TableModel::new(
        format!("Pricing plans, {}", app.period()),
        &[("Plan", L), ("Rules", L), ("Billing groups", L)],
    );
    let users = |arn: &str| {
        cfg.groups
            .iter()
            .filter(|g| g.plan == arn)
            .map(|g| g.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Rules by ARN, found once (thousands of rules listed by hundreds of plans).
    let mut rule_names: std::collections::HashMap<&str, &str> = Default::default();
    for r in &cfg.rules {
        rule_names.entry(r.arn.as_str()).or_insert(r.name.as_str());
    }
    for p in &cfg.plans {
        let rules: Vec<&str> = p
            .rules
            .iter()
            .filter_map(|r| rule_names.get(r.as_str()).copied())
            .collect();
        t.push(
            p.name.clone(),
            vec![text(&p.name), text(rules.join(", ")), text(users(&p.arn))],
            RowKind::Normal,
        );
    }
    for (arn, name, what) in [
        (
            crate::model::BASIC_PLAN_ARN,
            "BasicPricingPlan",
            "managed: public on-demand rates, no rules",
        ),
        (
            crate::model::PASSTHROUGH_PLAN_ARN,
            "Passthrough",
            "managed: pro forma equals billable",
        ),
    ] {
        let used: Vec<String> = cfg
            .groups
            .iter()
            .filter(|g| crate::model::managed_plan(&g.plan) == crate::model::managed_plan(arn))
            .map(|g| g.name.clone())
            .collect();
        t.push(
            name,
            vec![text(name), text(what), text(used.join(", "))],
            RowKind::Aside,
        );
    }
    // Names in natural order (rule2 before rule10), as every list.
    t.sort_naturally();
    t
}

fn rules(app: &Screen<'_>) -> TableModel {
    let cfg = &app.data.config;
    // Enter on a pricing plan shows only its rules.
    let plan = app
        .plan_rules
        .as_ref()
        .and_then(|name| cfg.plans.iter().find(|p| &p.name == name));
    let mut t = TableModel::new(
        match plan {
            Some(p) => format!(
                "Pricing rules of plan {}, {} ({}: all plans)",
                p.name,
                app.period(),
                app.keys.list(crate::app::Action::Back)
            ),
            None => format!("Pricing rules, {}", app.period()),
        },
        &[
            ("Rule", L),
            ("Scope", L),
            ("Type", L),
            ("Target", L),
            ("Modifier", L),
            ("Plans", L),
        ],
    )
    // Narrow screens: the plans (the Plans tab lists them) go before the rule's own settings.
    .optional(&[(5, 1)]);
    // Each rule's plans, found once: a reseller has thousands of rules in hundreds of plans.
    let mut plans_of: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    for p in &cfg.plans {
        for arn in &p.rules {
            plans_of
                .entry(arn.as_str())
                .or_default()
                .push(p.name.as_str());
        }
    }
    for r in cfg
        .rules
        .iter()
        .filter(|r| plan.is_none_or(|p| p.rules.contains(&r.arn)))
    {
        let modifier = match (&r.modifier, r.free_tier, r.tiers.is_empty()) {
            (Some(m), _, _) => format!("{}%", m.normalize()),
            (None, Some(on), _) => format!("free tier {}", if on { "on" } else { "off" }),
            (None, None, false) => r
                .tiers
                .iter()
                .map(|x| {
                    format!(
                        "{}-{}: {}",
                        x.begin.normalize(),
                        x.end.map_or("∞".into(), |e| e.normalize().to_string()),
                        x.rate.normalize()
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        };
        let plans: &[&str] = plans_of.get(r.arn.as_str()).map_or(&[], Vec::as_slice);
        let target = r.target();
        let target = target
            .split_once(' ')
            .map_or(String::new(), |(_, t)| t.to_string());
        t.push(
            r.name.clone(),
            vec![
                text(&r.name),
                text(r.scope.code()),
                text(r.rule_type.code()),
                text(target),
                text(modifier),
                text(plans.join(", ")),
            ],
            RowKind::Normal,
        );
    }
    t.empty = "no pricing rules".into();
    // Names in natural order (rule2 before rule10), as every list.
    t.sort_naturally();
    t
}

fn items(app: &Screen<'_>) -> TableModel {
    let cfg = &app.data.config;
    let mut t = TableModel::new(
        format!("Custom line items, {}", app.period()),
        &[
            ("Item", L),
            ("Billing group", L),
            ("Type", L),
            ("Charge", L),
            ("From", L),
            // AWS's end month is exclusive (ExclusiveEndBillingPeriod), as stored and as the
            // form and configuration files take it: the header says so (README).
            ("To (exclusive)", L),
            ("Amount", R),
        ],
    )
    .optional(&[(5, 2), (4, 1)]);
    for item in &cfg.items {
        let amount = app
            .data
            .pricing
            .items
            .iter()
            .find(|a| cfg.items.get(a.item).is_some_and(|i| i.arn == item.arn))
            .map(|a| a.amount);
        let group = cfg
            .group(&item.group)
            .map_or(item.group.clone(), |g| g.name.clone());
        t.push(
            item.name.clone(),
            vec![
                text(&item.name),
                text(group),
                text(item.item_type.code()),
                text(charge_text(app, item)),
                text(item.start.to_string()),
                text(item.end.map_or("recurring".into(), |e| e.to_string())),
                money_opt(amount),
            ],
            if amount.is_some() {
                RowKind::Normal
            } else {
                RowKind::Aside
            },
        );
    }
    allocation_rows(app, &mut t);
    t.empty = "no custom line items".into();
    // Names in natural order (rule2 before rule10), as every list.
    t.sort_naturally();
    t
}

/// Cost allocations on the custom line items tab (issue 14 item 4): one row each, keyed
/// `alloc:<name>` (`e` and `d` act on the allocation), with the sum of the parts it charged in
/// the period, and a last row `alloc:` where `n` creates one.
fn allocation_rows(app: &Screen<'_>, t: &mut TableModel) {
    let cfg = &app.data.config;
    for (n, a) in cfg.allocations.iter().enumerate() {
        let split = app
            .data
            .pricing
            .allocated
            .splits
            .iter()
            .find(|s| s.allocation == n);
        let groups: Vec<String> = a
            .targets
            .iter()
            .map(|x| {
                cfg.group(&x.group)
                    .map_or(x.group.clone(), |g| g.name.clone())
            })
            .collect();
        t.push(
            format!("alloc:{}", a.name),
            vec![
                text(&a.name),
                text(groups.join(", ")),
                text("FEE"),
                text(format!("allocation, {}", a.key.code())),
                text(a.start.to_string()),
                text(a.end.map_or("recurring".into(), |e| e.to_string())),
                money_opt(split.map(|s| s.rounded)),
            ],
            if split.is_some() {
                RowKind::Normal
            } else {
                RowKind::Aside
            },
        );
    }
    t.push(
        "alloc:".to_string(),
        vec![
            text("+ allocation (n)"),
            text(""),
            text(""),
            text(""),
            text(""),
            text(""),
            money_opt(None),
        ],
        RowKind::Aside,
    );
}

fn accounts(app: &Screen<'_>) -> TableModel {
    let mut t = TableModel::new(
        format!("Accounts, {}", app.period()),
        &[
            ("", L),
            ("Account", L),
            ("Name", L),
            ("Payer", L),
            ("Billing group", L),
            ("Billable", R),
            ("Pro forma", R),
            ("Margin", R),
        ],
    )
    .optional(&[(3, 2), (2, 1)])
    .measures(&[(6, Measure::ProForma), (7, Measure::Margin)]);
    let members = Membership::new(&app.data.config, app.data.period);
    for payer in &app.data.payers {
        let Ok(report) = app
            .data
            .view_report(&format!("primary:{payer}"), Some(GroupBy::LinkedAccount))
        else {
            continue;
        };
        let shown = app.data.shown_view(&report);
        for (row, a) in report.rows.iter().zip(&shown.rows) {
            let id = row
                .attributes
                .first()
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let group = members
                .group_of(payer, &id)
                .map(|g| app.data.config.groups[g].name.clone());
            let kind = if group.is_some() {
                RowKind::Normal
            } else {
                RowKind::Aside
            };
            t.push(
                id.clone(),
                vec![
                    text(if app.marked.contains(&id) { "●" } else { "" }),
                    text(&id),
                    text(app.names.get(&id).cloned().unwrap_or_default()),
                    text(payer),
                    text(group.unwrap_or_else(|| "(unmonitored)".into())),
                    money(a.aws),
                    money_opt(a.proforma),
                    money_opt(a.margin),
                ],
                kind,
            );
        }
    }
    t.empty = "no accounts with data this period".into();
    t
}

fn view(app: &Screen<'_>) -> TableModel {
    let by = app.view_grouping;
    let title_by = match by {
        GroupBy::ProductName => "service",
        GroupBy::LinkedAccount => "account",
        GroupBy::UsageType => "usage type",
        _ => "line item type",
    };
    match app.data.view_report(&app.view, Some(by)) {
        Ok(r) => {
            // A view holding accounts in no billing group reads straight across: its rows are
            // the monitored accounts' parts, then one line for the unmonitored accounts
            // (billable only), as `proforma report --view` prints it.
            let split = r.splits_unmonitored();
            let cols = [
                (by.label(), L),
                ("Billable", R),
                ("Pro forma", R),
                ("Margin", R),
                ("Margin %", R),
                ("Tax", R),
            ];
            let n = cols.len();
            let pf = n - 4;
            let mut t = TableModel::new(
                format!(
                    "{} ({}) by {title_by}, {}",
                    r.view.name, r.view.view_type, r.period
                ),
                &cols,
            )
            .optional(&[(n - 1, 1)])
            .measures(&[
                (pf, Measure::ProForma),
                (pf + 1, Measure::Margin),
                (pf + 2, Measure::MarginPercent),
            ]);
            let shown = app.data.shown_view_of(&app.view, &r);
            let cells = |first: (String, SortValue), a: &crate::footing::ShownRow| {
                vec![
                    first,
                    money(a.aws),
                    money_opt(a.proforma),
                    money_opt(a.margin),
                    percent(a.margin_percentage),
                    money(a.tax),
                ]
            };
            for i in r.table_rows(&shown) {
                let a = if split {
                    shown.rows[i].monitored()
                } else {
                    shown.rows[i]
                };
                let (value, label) = attribute_cells(app, &r.rows[i].attributes, by);
                t.push(value, cells(text(label), &a), RowKind::Normal);
            }
            let total = &shown.total;
            if split {
                use crate::engine::view_report::{MONITORED_LINE, UNMONITORED_LINE};
                t.push(
                    VIEW_MONITORED_KEY,
                    cells(text(MONITORED_LINE), &total.monitored()),
                    RowKind::Aside,
                );
                t.push(
                    VIEW_UNMONITORED_KEY,
                    cells(text(UNMONITORED_LINE), &total.unmonitored()),
                    RowKind::Aside,
                );
            }
            let total = if split { total.billable_only() } else { *total };
            t.set_totals_typed(cells(text("Total"), &total));
            t
        }
        Err(e) => {
            let mut t = TableModel::new(format!("Billing view {}", app.view), &[("", L)]);
            t.empty = e.to_string();
            t
        }
    }
}

fn reconcile(app: &Screen<'_>) -> TableModel {
    super::checklist::table(app.st)
}

fn history(app: &Screen<'_>) -> TableModel {
    let mut t = TableModel::new(
        "History (newest first)",
        &[
            ("Time", L),
            ("Period", L),
            ("Action", L),
            ("Object", L),
            ("Reason", L),
        ],
    );
    let time = |at: &str| text(at.get(..19).unwrap_or(at).replace('T', " "));
    // Statements issued sit among the changes by time (both are UTC RFC 3339, so their text
    // sorts as time does); each is one row: number, group, format, hash prefix.
    let mut statements = app.statements.iter().peekable();
    let mut push_statements_after = |t: &mut TableModel, at: Option<&str>| {
        while let Some(x) = statements.next_if(|x| at.is_none_or(|at| x.issued_at.as_str() >= at)) {
            t.push(
                format!("statement-{}", x.id),
                vec![
                    time(&x.issued_at),
                    text(x.period.clone()),
                    text("issue statement"),
                    text(format!(
                        "statement {} {} ({}{})",
                        x.number,
                        x.group_name,
                        x.format,
                        if x.draft { ", draft" } else { "" }
                    )),
                    text(format!(
                        "sha256 {}",
                        x.sha256.get(..12).unwrap_or(&x.sha256)
                    )),
                ],
                RowKind::Normal,
            );
        }
    };
    match &app.audit {
        Ok(rows) => {
            for r in rows.iter().cloned() {
                push_statements_after(&mut t, Some(&r.at));
                t.push(
                    r.id.to_string(),
                    vec![
                        time(&r.at),
                        text(r.period.unwrap_or_default()),
                        text(r.action),
                        text(r.object),
                        text(r.reason.unwrap_or_default()),
                    ],
                    RowKind::Normal,
                );
            }
            push_statements_after(&mut t, None);
            t.empty = "no changes recorded yet".into();
        }
        Err(e) => t.empty = format!("could not read the audit log: {e}"),
    }
    t
}

/// A table beside its scenario twin, compared on decimals: after the pro forma column, the
/// scenario's pro forma and the difference (rows matched by key; rows only in the scenario are
/// added); margins are the scenario's (SPEC 3: margins describe the state being looked at).
/// Columns are found by their [`Measure`], never by title.
/// [`with_scenario`] against another scenario (issue 14 item 1): the base table is scenario
/// `base_name`'s, the title and the columns say so (`B | A | Δ`, Δ = A minus B).
pub fn with_scenario_named(
    base: TableModel,
    scen: &TableModel,
    base_name: &str,
    scen_name: &str,
) -> TableModel {
    let plain = base.title.clone();
    let col = base.column_of(Measure::ProForma);
    let mut out = with_scenario(base, scen);
    if out.column_of(Measure::ScenarioProForma).is_none() {
        return out;
    }
    let short = |s: &str| crate::text::middle_ellipsis(s, 14);
    out.title = format!(
        "{plain} — scenario '{}' | scenario '{}' | Δ, margins of '{}'",
        short(base_name),
        short(scen_name),
        short(scen_name)
    );
    if let Some(c) = col.and_then(|c| out.columns.get_mut(c)) {
        c.title = format!("'{}'", short(base_name));
    }
    if let Some(c) = out
        .column_of(Measure::ScenarioProForma)
        .and_then(|c| out.columns.get_mut(c))
    {
        c.title = format!("'{}'", short(scen_name));
    }
    out
}

pub fn with_scenario(base: TableModel, scen: &TableModel) -> TableModel {
    let (Some(col), Some(scol)) = (
        base.column_of(Measure::ProForma),
        scen.column_of(Measure::ProForma),
    ) else {
        return base;
    };
    let num = |m: &TableModel, r: usize, c: usize| m.number(r, c);
    let mut out = TableModel {
        title: format!(
            "{} — baseline | scenario | Δ, margins of the scenario",
            base.title
        ),
        empty: base.empty.clone(),
        ..TableModel::default()
    };
    out.columns = base.columns.clone();
    out.columns.insert(
        col + 1,
        super::table::Column {
            title: "Scenario".into(),
            align: R,
            width: 9,
            priority: 0,
            measure: Some(Measure::ScenarioProForma),
        },
    );
    out.columns.insert(
        col + 2,
        super::table::Column {
            title: "Δ".into(),
            align: R,
            width: 8,
            priority: 0,
            measure: Some(Measure::ProFormaDelta),
        },
    );
    let index: std::collections::HashMap<&str, usize> = scen
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let cells_for = |b: Option<Decimal>, s: Option<Decimal>| -> Vec<(String, SortValue)> {
        let delta = match (b, s) {
            (Some(b), Some(s)) => Some(s - b),
            (None, Some(s)) => Some(s),
            (Some(b), None) => Some(-b),
            (None, None) => None,
        };
        vec![money_opt(s), money_opt(delta)]
    };
    // (base column, scenario column) of the margin columns both tables have.
    let margin_cols: Vec<(usize, usize)> = [Measure::Margin, Measure::MarginPercent]
        .iter()
        .filter_map(|m| Some((base.column_of(*m)?, scen.column_of(*m)?)))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for r in 0..base.rows.len() {
        let key = base.keys[r].as_str();
        let srow = if key.is_empty() {
            None
        } else {
            index.get(key).copied()
        };
        if let Some(s) = srow {
            seen.insert(s);
        }
        let same_shape = base.columns.len() == scen.columns.len();
        // The row as the scenario has it (its plan, its accounts, its margins: the state
        // being looked at), with the baseline's pro forma beside the scenario's.
        let mut cells: Vec<(String, SortValue)> = match srow {
            Some(sr) if same_shape && !key.is_empty() => {
                let mut c: Vec<(String, SortValue)> = scen.rows[sr]
                    .iter()
                    .cloned()
                    .zip(scen.sort_values[sr].iter().cloned())
                    .collect();
                c[col] = (base.rows[r][col].clone(), base.sort_values[r][col].clone());
                c
            }
            _ => base.rows[r]
                .iter()
                .cloned()
                .zip(base.sort_values[r].iter().cloned())
                .collect(),
        };
        let extra = if key.is_empty() {
            vec![
                (String::new(), SortValue::Num(None)),
                (String::new(), SortValue::Num(None)),
            ]
        } else {
            cells_for(num(&base, r, col), srow.and_then(|s| num(scen, s, scol)))
        };
        // Margins describe the state being looked at: the scenario's (SPEC 3, issue 9).
        for &(b_col, s_col) in &margin_cols {
            cells[b_col] = match srow {
                Some(sr) if !key.is_empty() => (
                    scen.rows[sr][s_col].clone(),
                    scen.sort_values[sr][s_col].clone(),
                ),
                _ if key.is_empty() => cells[b_col].clone(),
                _ => (String::new(), SortValue::Num(None)),
            };
        }
        for (i, c) in extra.into_iter().enumerate() {
            cells.insert(col + 1 + i, c);
        }
        out.push(key.to_string(), cells, base.kinds[r]);
    }
    for s in (0..scen.rows.len()).filter(|s| !seen.contains(s) && !scen.keys[*s].is_empty()) {
        // A row only the scenario has (a new group): its own cells, no baseline pro forma.
        let mut cells: Vec<(String, SortValue)> = scen.rows[s]
            .iter()
            .cloned()
            .zip(scen.sort_values[s].iter().cloned())
            .collect();
        if let Some(c) = cells.get_mut(scol) {
            *c = (String::new(), SortValue::Num(None));
        }
        cells[0] = (
            format!("{} (scenario)", scen.rows[s][0]),
            SortValue::Text(scen.rows[s][0].clone()),
        );
        cells.truncate(base.columns.len());
        while cells.len() < base.columns.len() {
            cells.push((String::new(), SortValue::Num(None)));
        }
        for (i, c) in cells_for(None, num(scen, s, scol)).into_iter().enumerate() {
            cells.insert(col + 1 + i, c);
        }
        out.push(scen.keys[s].clone(), cells, RowKind::Normal);
    }
    // The rows in the scenario's order (a breakdown ranks by the scenario's amounts), rows
    // only the baseline has after them, and the lines that are not groups (unmonitored, tax)
    // last: in a bill's order.
    out.order_by_rank(|key| index.get(key).copied().unwrap_or(usize::MAX));
    if let (Some(bt), Some(st)) = (&base.totals, &scen.totals) {
        let b = base.total_number(col);
        let s = scen.total_number(scol);
        let cell = |m: &TableModel, texts: &Vec<String>, c: usize| {
            (
                texts.get(c).cloned().unwrap_or_default(),
                m.total_values
                    .get(c)
                    .cloned()
                    .unwrap_or(SortValue::Num(None)),
            )
        };
        let mut t: Vec<(String, SortValue)> = (0..bt.len()).map(|c| cell(&base, bt, c)).collect();
        for &(b_col, s_col) in &margin_cols {
            if let Some(slot) = t.get_mut(b_col) {
                *slot = cell(scen, st, s_col);
            }
        }
        let extra = if b.is_none() && s.is_none() {
            vec![text(""), text("")]
        } else {
            cells_for(b, s)
        };
        for (i, c) in extra.into_iter().enumerate() {
            t.insert(col + 1 + i, c);
        }
        out.set_totals_typed(t);
    }
    out
}
