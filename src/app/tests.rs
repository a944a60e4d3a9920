//! `State::update` per mode, and the scenario comparison, on a small in-code workspace: no
//! store, no terminal. Each test checks the state the action leaves and the effects it asks
//! the controller for.

use super::modal::{Choice, Mode, PromptFor};
use super::*;
use crate::cur::{LineKey, LineSums, StoredLine};
use rust_decimal::Decimal;
use std::str::FromStr;

const PAYER: &str = "111111111111";

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// One usage line of `cost` (public cost the same) for an account and service.
fn line(account: &str, service: &str, cost: &str) -> StoredLine {
    StoredLine {
        key: LineKey {
            period: "2026-10".parse().unwrap(),
            payer: PAYER.into(),
            account: account.into(),
            billing_entity: "AWS".into(),
            product_code: service.into(),
            product_name: format!("Amazon {service}").into(),
            usage_type: "Usage".into(),
            operation: "Run".into(),
            line_item_type: "Usage".into(),
            region: "us-east-1".into(),
            owner: "".into(),
            free_on_bill: false,
            labels: Default::default(),
        },
        sums: LineSums {
            rows: 1,
            usage_amount: dec("1"),
            unblended_cost: dec(cost),
            public_cost: dec(cost),
            ..LineSums::default()
        },
    }
}

/// Two groups on one payer: alpha (10 % markup), beta (20 % markup), one unmonitored account.
fn config(alpha_percent: u32) -> crate::model::Config {
    config_with(alpha_percent, "")
}

/// `config` with `extra` TOML appended (another group...).
fn config_with(alpha_percent: u32, extra: &str) -> crate::model::Config {
    let text = format!(
        r#"{extra}

[[billing_group]]
name = "alpha"
primary_account = "222222222222"
accounts = ["222222222222"]
plan = "alpha-plan"

[[billing_group]]
name = "beta"
primary_account = "333333333333"
accounts = ["333333333333"]
plan = "beta-plan"

[[pricing_plan]]
name = "alpha-plan"
rules = ["alpha-markup"]

[[pricing_plan]]
name = "beta-plan"
rules = ["beta-markup", "beta-ec2"]

[[pricing_rule]]
name = "alpha-markup"
scope = "GLOBAL"
type = "MARKUP"
percent = {alpha_percent}

[[pricing_rule]]
name = "beta-markup"
scope = "GLOBAL"
type = "MARKUP"
percent = 20

[[pricing_rule]]
name = "beta-ec2"
scope = "SERVICE"
type = "DISCOUNT"
percent = 5
service = "EC2"
"#
    );
    let payers = [PAYER.to_string()].into_iter().collect();
    crate::interop::toml_config::parse(&text, &payers)
        .unwrap()
        .config
}

fn analysis(alpha_percent: u32) -> Analysis {
    analysis_of(config(alpha_percent))
}

fn analysis_of(config: crate::model::Config) -> Analysis {
    let lines = vec![
        line("222222222222", "EC2", "100.00"),
        line("222222222222", "S3", "50.00"),
        line("333333333333", "EC2", "200.00"),
        line("444444444444", "EC2", "7.00"),
    ];
    Analysis::new("2026-10".parse().unwrap(), lines, config)
}

fn state() -> State {
    let data = analysis(10);
    let periods = vec![data.period];
    State::new("test".into(), periods, data, HashMap::new())
}

/// Selects the row keyed `key` on the screen.
fn select(st: &mut State, key: &str) {
    let pos = st
        .visible
        .iter()
        .position(|&r| st.model.keys[r] == key)
        .unwrap_or_else(|| panic!("{key} not on screen"));
    assert!(st.update(Action::Select(pos)).is_empty());
}

fn cell(st: &State, key: &str, column: &str) -> String {
    let c = st
        .model
        .columns
        .iter()
        .position(|c| c.title == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let r = st.model.keys.iter().position(|k| k == key).unwrap();
    st.model.rows[r][c].clone()
}

#[test]
fn normal_keys_move_switch_tabs_and_ask_for_a_refresh() {
    let mut st = state();
    assert_eq!(st.tab, Tab::Overview);
    assert_eq!(st.selected_key().as_deref(), Some("alpha"));
    assert!(st.update(Action::Down).is_empty());
    assert_eq!(st.selected_key().as_deref(), Some("beta"));
    assert_eq!(st.update(Action::PricingRules), vec![Effect::Refresh]);
    assert_eq!(st.tab, Tab::Rules);
    assert_eq!(
        st.update(Action::NextPeriod),
        vec![Effect::SwitchPeriod { forward: true }]
    );
    assert_eq!(st.update(Action::Undo), vec![Effect::Undo]);
    assert_eq!(st.update(Action::Scenarios), vec![Effect::ScenarioMenu]);
    assert!(st.update(Action::Quit).is_empty());
    assert!(st.quit);
}

#[test]
fn the_filter_takes_characters_keeps_on_enter_and_clears_on_esc() {
    let mut st = state();
    st.update(Action::Filter);
    assert!(st.mode.takes_text());
    for c in "bet".chars() {
        st.update(Action::Input(c));
    }
    assert_eq!(st.filter, "bet");
    assert_eq!(st.visible.len(), 1, "only beta matches");
    st.update(Action::Open);
    assert!(matches!(st.mode, Mode::Normal));
    assert_eq!(st.filter, "bet", "Enter keeps the filter");
    st.update(Action::Back);
    assert!(st.filter.is_empty());
    assert!(st.visible.len() > 1);
}

#[test]
fn enter_drills_into_a_group_and_on_a_plan_shows_its_rules() {
    let mut st = state();
    select(&mut st, "beta");
    st.update(Action::Open);
    assert_eq!(st.tab, Tab::Groups);
    assert_eq!(st.group_path.len(), 2);
    assert!(
        st.detail.is_some(),
        "the group's custom line items under it"
    );
    st.update(Action::Back);
    assert_eq!(st.group_path, vec![GroupLevel::List]);

    st.update(Action::PricingPlans);
    select(&mut st, "beta-plan");
    assert_eq!(
        st.detail.as_ref().map(|d| d.rows.len()),
        Some(2),
        "the plan's rules under the list"
    );
    st.update(Action::Open);
    assert_eq!(st.tab, Tab::Rules);
    let shown: Vec<&str> = st
        .visible
        .iter()
        .map(|&r| st.model.keys[r].as_str())
        .collect();
    assert_eq!(shown, ["beta-ec2", "beta-markup"]);
    st.update(Action::Back);
    assert_eq!(st.tab, Tab::Plans, "Esc goes back to the plans");
    st.update(Action::PricingRules);
    assert_eq!(st.visible.len(), 3, "the tab itself lists every rule");
}

#[test]
fn the_view_picker_chooses_a_view_without_effects() {
    let mut st = state();
    st.update(Action::ViewPicker);
    let Mode::Picker(p) = &st.mode else {
        panic!("{:?}", st.mode)
    };
    let beta = p
        .options
        .iter()
        .position(|(_, c)| *c == Choice::View("group:beta".into()))
        .unwrap();
    for _ in 0..beta {
        st.update(Action::Down);
    }
    assert!(st.update(Action::Open).is_empty());
    assert!(matches!(st.mode, Mode::Normal));
    assert_eq!(st.view, "group:beta");
    assert_eq!(st.tab, Tab::Views);
}

#[test]
fn explain_opens_scrolls_and_closes_on_any_other_key() {
    let mut st = state();
    select(&mut st, "alpha");
    st.update(Action::Explain);
    let Mode::Explain(e) = &st.mode else {
        panic!("{:?} {:?}", st.mode, st.status)
    };
    assert!(e.title.contains("alpha"), "{}", e.title);
    st.update(Action::Down);
    assert!(matches!(&st.mode, Mode::Explain(e) if e.scroll == 1));
    st.update(Action::Bottom);
    st.update(Action::Top);
    assert!(matches!(&st.mode, Mode::Explain(e) if e.scroll == 0));
    assert!(
        st.update(Action::Edit).is_empty(),
        "closing does nothing else"
    );
    assert!(matches!(st.mode, Mode::Normal));
}

#[test]
fn prompts_hand_their_text_to_the_controller() {
    let mut st = state();
    st.update(Action::Reconcile);
    st.update(Action::ClosePeriod);
    assert!(matches!(&st.mode, Mode::Prompt(p) if p.what == PromptFor::Close));
    for c in "ok".chars() {
        st.update(Action::Input(c));
    }
    st.update(Action::Backspace);
    assert_eq!(
        st.update(Action::Open),
        vec![Effect::ClosePeriod { note: "o".into() }]
    );
    assert!(matches!(st.mode, Mode::Normal));
    st.update(Action::ReopenPeriod);
    assert!(st.update(Action::Back).is_empty(), "Esc cancels");
    assert_eq!(st.status.0.as_deref(), Some("cancelled"));
}

#[test]
fn delete_asks_and_only_y_deletes() {
    let mut st = state();
    st.update(Action::BillingGroups);
    select(&mut st, "beta");
    assert_eq!(
        st.update(Action::Delete),
        vec![Effect::AskDelete {
            kind: crate::model::Kind::BillingGroup,
            name: "beta".into()
        }]
    );
    let question = Confirm::Delete {
        kind: crate::model::Kind::BillingGroup,
        arn: "arn:beta".into(),
        label: "billing group 'beta'".into(),
        seen: None,
    };
    st.mode = Mode::Confirm(question.clone());
    assert!(st.mode.takes_text(), "y is typed, not a command");
    assert_eq!(st.update(Action::Input('n')), vec![Effect::Refresh]);
    assert_eq!(st.status.0.as_deref(), Some("nothing deleted"));
    st.mode = Mode::Confirm(question);
    assert!(matches!(
        st.update(Action::Input('y')).as_slice(),
        [Effect::Delete { label, .. }] if label == "billing group 'beta'"
    ));
}

#[test]
fn a_form_edits_previews_and_asks_before_dropping_edits() {
    let mut st = state();
    st.update(Action::PricingRules);
    let ctx = forms::FormContext::new(&st.data, &st.names);
    st.mode = Mode::Form(Box::new(forms::Form::new(
        crate::model::Kind::PricingRule,
        &ctx,
    )));
    assert_eq!(
        st.update(Action::Input('r')),
        vec![Effect::FormEdited { changed: true }]
    );
    assert_eq!(
        st.update(Action::NextField),
        vec![Effect::FormEdited { changed: false }]
    );
    assert_eq!(
        st.update(Action::Back),
        vec![Effect::FormEdited { changed: false }]
    );
    assert!(st.form().is_some(), "unsaved changes: Esc asks first");
    assert!(st.status.0.as_deref().unwrap().contains("again discards"));
    st.update(Action::Back);
    assert!(matches!(st.mode, Mode::Normal));
    assert_eq!(st.status.0.as_deref(), Some("form closed, nothing saved"));
}

#[test]
fn a_closed_period_refuses_edits_in_a_dialog_without_effects() {
    let mut st = state();
    st.period_status = Some(crate::store::periods::PeriodStatus {
        period: st.period(),
        closed: true,
        note: Some("closed".into()),
        changed_at: None,
    });
    st.update(Action::BillingGroups);
    assert!(st.update(Action::New).is_empty());
    assert!(st.refusal, "a refusal is shown whole, in a box");
    assert!(st.status.0.as_deref().unwrap().contains("is closed"));
    st.update(Action::Down);
    assert!(!st.refusal, "gone at the next key");
}

#[test]
fn the_scenario_comparison_is_the_difference_of_two_priced_states() {
    let mut st = state();
    let mut scenario = analysis(30);
    scenario.scenario = Some("what-if".into());
    st.scenario_data = Some(scenario);
    st.rebuild();
    // alpha: 150.00 of cost; 10 % → 165.00, 30 % → 195.00. beta unchanged.
    assert_eq!(cell(&st, "alpha", "Pro forma"), "165.00");
    assert_eq!(cell(&st, "alpha", "Scenario"), "195.00");
    assert_eq!(cell(&st, "alpha", "Δ"), "30.00");
    assert_eq!(cell(&st, "beta", "Δ"), "0.00");
    // Margins are the scenario's: 195.00 - 150.00.
    assert_eq!(cell(&st, "alpha", "Margin"), "45.00");
    // Drilled into alpha's services, the totals compare too (typed, not re-parsed).
    select(&mut st, "alpha");
    st.update(Action::Open);
    let m = &st.model;
    let col = |t: &str| m.columns.iter().position(|c| c.title == t).unwrap();
    let totals = m.totals.as_ref().unwrap();
    assert_eq!(totals[col("Pro forma")], "165.00");
    assert_eq!(totals[col("Scenario")], "195.00");
    assert_eq!(totals[col("Δ")], "30.00");
    assert_eq!(m.total_number(col("Δ")), Some(dec("30.00")));
}

#[test]
fn messages_name_the_users_keys() {
    let mut st = state();
    st.keys.text.insert(Action::Back, "Ctrl-g".into());
    st.keys.text.insert(Action::Save, "Ctrl-x".into());
    st.keys.list.insert(Action::Assign, "A".into());
    st.update(Action::PricingRules);
    let ctx = forms::FormContext::new(&st.data, &st.names);
    st.mode = Mode::Form(Box::new(forms::Form::new(
        crate::model::Kind::PricingRule,
        &ctx,
    )));
    st.update(Action::Input('r'));
    st.update(Action::Back);
    assert_eq!(
        st.status.0.as_deref(),
        Some("unsaved changes: Ctrl-g again discards them, Ctrl-x saves")
    );
    st.update(Action::Back);
    st.update(Action::Accounts);
    st.update(Action::Mark);
    assert!(
        st.status.0.as_deref().unwrap().contains("(A assigns them"),
        "{:?}",
        st.status
    );
}

#[test]
fn a_group_only_the_scenario_has_is_listed_with_the_groups() {
    let mut st = state();
    let gamma = r#"
[[billing_group]]
name = "gamma"
primary_account = "444444444444"
accounts = ["444444444444"]
plan = "beta-plan"
"#;
    let mut scenario = analysis_of(config_with(10, gamma));
    scenario.scenario = Some("grow".into());
    st.scenario_data = Some(scenario);
    st.rebuild();
    let names: Vec<&str> = st.model.rows.iter().map(|r| r[0].as_str()).collect();
    let gamma = names.iter().position(|n| n.starts_with("gamma")).unwrap();
    let unmonitored = names.iter().position(|n| *n == "Unmonitored").unwrap();
    assert!(gamma < unmonitored, "{names:?}");
    // The scenario has no unmonitored spend left: its line says so, not the baseline's 7.00.
    let aws = st
        .model
        .columns
        .iter()
        .position(|c| c.title == "AWS cost")
        .unwrap();
    assert_eq!(
        st.model.rows[unmonitored][aws], "0.00",
        "{:?}",
        st.model.rows
    );
}
