//! The scenario menu and what it does: open, price beside the baseline, promote, discard.

use super::App;
use super::modal::{Choice, Confirm, Mode, Picker, Prompt, PromptFor, ScenarioOp};

impl App {
    /// Promotes a scenario (asked and answered): its changes go to the baseline from its
    /// period on, as one change that undo takes back.
    pub(super) fn promote(&mut self, id: i64) {
        match self.ws.promote_scenario(id) {
            Ok(n) => {
                self.open_scenario(None);
                self.reload();
                self.state.status.0 = Some(format!(
                    "scenario promoted: {} applied to the baseline from {} on ({} undoes)",
                    crate::text::count(n as u64, "change"),
                    self.state.period(),
                    self.state.keys.list(super::Action::Undo)
                ));
            }
            Err(e) => self.state.refuse(format!("not promoted: {e}")),
        }
    }

    /// Opens a scenario (None: back to the baseline) and prices it beside the baseline.
    /// Opening one waits for its pricing (there is no previous state of it to show); the
    /// re-pricing after a save in it does not (see `refresh_scenario`).
    pub fn open_scenario(&mut self, s: Option<crate::store::scenarios::Scenario>) {
        self.state.scenario = s;
        self.refresh_scenario();
        self.settle_saves();
    }

    /// Re-prices the open scenario from its stored draft, on the worker: against the
    /// scenario's state on screen when it is the same scenario (only the groups the change
    /// can affect), else against the baseline. Until the result arrives the screen keeps the
    /// scenario's previous state (none when another scenario was opened), marked as stale.
    pub(super) fn refresh_scenario(&mut self) {
        use super::worker::Lane;
        // This window's own draft changes are not another process's.
        if let Ok(stamp) = self.ws.drafts_stamp() {
            self.state.outside.drafts = stamp;
        }
        let Some(s) = self.state.scenario.clone() else {
            self.state.scenario_data = None;
            self.worker.forget(Lane::Scenario);
            return;
        };
        match self.ws.scenario_config(s.id) {
            Ok(config) => {
                let same = self.state.scenario_data.as_ref().is_some_and(|d| {
                    d.scenario.as_deref() == Some(s.name.as_str())
                        && std::sync::Arc::ptr_eq(&d.lines, &self.state.data.lines)
                });
                if !same {
                    self.state.scenario_data = None;
                }
                let base = self
                    .state
                    .scenario_data
                    .as_ref()
                    .unwrap_or(&self.state.data);
                self.worker.request(
                    Lane::Scenario,
                    base.lines.clone(),
                    base.pricing.clone(),
                    &base.config,
                    config,
                );
                self.state.repricing = true;
                self.state.scenario = self
                    .ws
                    .scenarios()
                    .ok()
                    .and_then(|all| all.into_iter().find(|x| x.id == s.id));
            }
            Err(e) => {
                self.state.scenario_data = None;
                self.worker.forget(Lane::Scenario);
                self.state.refuse(format!("scenario: {e}"));
                self.state.scenario = None;
            }
        }
    }

    /// The scenarios of the period and what can be done with them.
    pub(super) fn scenario_menu(&mut self) {
        let mut options: Vec<(String, Choice)> =
            vec![("new scenario…".into(), Choice::Scenario(ScenarioOp::New))];
        let period = self.state.period();
        for s in self
            .ws
            .scenarios()
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.period == period)
        {
            options.push((
                format!(
                    "open '{}' ({})",
                    crate::text::middle_ellipsis(&s.name, 36),
                    crate::text::count(s.changes as u64, "change")
                ),
                Choice::Scenario(ScenarioOp::Open(s.id)),
            ));
        }
        if let Some(s) = &self.state.scenario {
            let name = crate::text::middle_ellipsis(&s.name, 36);
            options.push((
                format!("promote '{name}' into the baseline"),
                Choice::Scenario(ScenarioOp::Promote(s.id)),
            ));
            options.push((
                format!("discard '{name}'"),
                Choice::Scenario(ScenarioOp::Discard(s.id)),
            ));
            options.push((
                "back to the baseline".into(),
                Choice::Scenario(ScenarioOp::Baseline),
            ));
        }
        self.state.mode = Mode::Picker(Picker {
            title: format!("Scenarios of {period}"),
            options,
            selected: 0,
            size: (80, 50),
        });
    }

    pub(super) fn scenario_op(&mut self, op: ScenarioOp) {
        match op {
            ScenarioOp::New => self.state.mode = Mode::Prompt(Prompt::new(PromptFor::ScenarioName)),
            ScenarioOp::Open(id) => {
                let s = self
                    .ws
                    .scenarios()
                    .unwrap_or_default()
                    .into_iter()
                    .find(|s| s.id == id);
                self.open_scenario(s);
                if let Some(s) = &self.state.scenario {
                    self.state.status.0 = Some(format!(
                        "scenario '{}' open: edits go to it, not to the baseline",
                        s.name
                    ));
                }
            }
            ScenarioOp::Baseline => {
                self.open_scenario(None);
                self.state.status.0 = Some("baseline".into());
            }
            ScenarioOp::Promote(id) => {
                // Promoting writes the baseline: say how much, and ask (y).
                let scenario = self
                    .ws
                    .scenarios()
                    .ok()
                    .and_then(|all| all.into_iter().find(|s| s.id == id));
                match scenario {
                    Some(s) if s.changes == 0 => self.state.refuse(format!(
                        "nothing to promote: scenario '{}' has no changes",
                        s.name
                    )),
                    Some(s) => {
                        self.state.mode = Mode::Confirm(Confirm::Promote {
                            id,
                            name: s.name,
                            changes: s.changes as u64,
                        })
                    }
                    None => self
                        .state
                        .refuse("not promoted: the scenario no longer exists"),
                }
            }
            ScenarioOp::Discard(id) => {
                // A scenario's changes cannot be had back: ask first.
                let name = self
                    .ws
                    .scenarios()
                    .ok()
                    .and_then(|all| all.into_iter().find(|s| s.id == id))
                    .map_or_else(String::new, |s| s.name);
                self.state.mode = Mode::Confirm(Confirm::DiscardScenario { id, name });
            }
        }
    }
}
