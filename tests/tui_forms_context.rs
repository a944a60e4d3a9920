//! Forms work in the configuration being edited: inside a scenario, names the form offers and
//! resolves come from the scenario's configuration, not the baseline's.

mod common;

use common::tui::{demo_copy, open, press};
use proforma::app::forms::Input;
use proforma::tui::Session;

/// The choices the open form offers in field `key`.
fn choices(s: &Session, key: &str) -> Vec<String> {
    let form = s.app.form().expect("a form is open");
    match &form
        .fields
        .iter()
        .find(|f| f.key == key)
        .expect("the field")
        .input
    {
        Input::Choice(options) => options.clone(),
        Input::Text => panic!("{key} is not a choice"),
    }
}

#[test]
fn a_plan_created_in_a_scenario_is_offered_to_groups_in_that_scenario_only() {
    let (_d, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["w", "Enter", "\"draft\"", "Enter"]);
    assert_eq!(
        s.app.scenario.as_ref().map(|x| x.name.as_str()),
        Some("draft")
    );
    press(&mut s, &["3", "n", "\"draft-plan\"", "Enter"]);
    let status = s.app.status.0.clone().unwrap_or_default();
    assert!(
        status.contains("pricing plan 'draft-plan' created in scenario 'draft'"),
        "{status}"
    );
    // A new group in the scenario can use the scenario's plan, and saving resolves it.
    press(&mut s, &["2", "n"]);
    assert!(
        choices(&s, "plan").contains(&"draft-plan".to_string()),
        "{:?}",
        choices(&s, "plan")
    );
    press(&mut s, &["Esc"]);
    // The baseline has no such plan: its forms do not offer it.
    s.app.open_scenario(None);
    press(&mut s, &["2", "n"]);
    assert!(
        !choices(&s, "plan").contains(&"draft-plan".to_string()),
        "{:?}",
        choices(&s, "plan")
    );
}
