//! The footer's hints: the modal on top owns its own; on the screens they follow the tab.

use super::modal::{Hint, HintKeys};
use super::{Action, State, Tab};

impl State {
    /// What the footer offers now, in order of importance (a narrow footer keeps the first).
    pub fn hints(&self) -> Vec<Hint> {
        if let Some(h) = self.mode.hints() {
            return h;
        }
        let h = Hint::new;
        // A stepped percentage (sensitivity, `stepping.rs`): its own keys only.
        if self.sensitivity.draft.is_some() {
            return vec![
                h(Action::StepUp, "step up"),
                h(Action::StepDown, "step down"),
                h(Action::StepSize, "step size"),
                h(Action::Open, "apply"),
                h(Action::Back, "drop"),
                h(Action::Quit, "quit"),
            ];
        }
        let mut v = vec![
            h(Action::Quit, "quit"),
            h(Action::Help, "help"),
            Hint {
                keys: HintKeys::Literal("1-9"),
                label: "tabs",
            },
            Hint {
                keys: HintKeys::Pair(Action::PrevPeriod, Action::NextPeriod),
                label: "period",
            },
        ];
        match self.tab {
            Tab::Overview => {
                v.extend([h(Action::Open, "open group"), h(Action::Explain, "explain")])
            }
            Tab::Groups => {
                v.extend([h(Action::Open, "drill down"), h(Action::Explain, "explain")]);
                if self.group_path.len() > 1 {
                    v.push(h(Action::Back, "back"));
                }
            }
            Tab::Plans => v.push(h(Action::Open, "rules")),
            Tab::Rules if self.plan_rules.is_some() => v.push(h(Action::Back, "all plans")),
            Tab::Views => v.extend([
                h(Action::ViewPicker, "choose view"),
                h(Action::NextGrouping, "group by"),
                h(Action::Explain, "explain"),
                h(Action::NewTransfer, "new transfer"),
            ]),
            Tab::Reconcile => v.extend([
                h(Action::Open, "do the step"),
                h(Action::ClosePeriod, "close period"),
                h(Action::ReopenPeriod, "reopen"),
            ]),
            Tab::Accounts => v.extend([
                h(Action::Mark, "mark"),
                h(Action::Assign, "assign to group"),
            ]),
            _ => {}
        }
        // n / e / d where they work (on the overview Enter opens the group instead).
        if self.form_kind().is_some() && self.tab != Tab::Overview {
            v.extend([
                h(Action::New, "new"),
                h(Action::Edit, "edit"),
                h(Action::Delete, "delete"),
            ]);
        }
        // Exports: a group's statement or pro forma CUR; every group's statements.
        if matches!(self.tab, Tab::Groups | Tab::Reconcile) {
            v.push(h(Action::Export, "export"));
        }
        // Undo acts on the baseline's history: not offered inside a scenario.
        if self.scenario.is_none() {
            v.push(h(Action::Undo, "undo"));
        }
        // The view picker is listed once (the Views tab names it "choose view" above).
        if self.tab != Tab::Views {
            v.push(h(Action::ViewPicker, "view"));
        }
        v.extend([h(Action::Filter, "filter"), h(Action::Sort, "sort")]);
        // Scenarios open from every tab (last: a narrow footer keeps / and s first).
        v.push(h(Action::Scenarios, "scenarios"));
        // Jump to a row by name: last, so a narrow footer drops it first (help lists it).
        v.push(h(Action::Jump, "jump"));
        v
    }
}
