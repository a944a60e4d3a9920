//! Pick lists: the billing view, the group marked accounts go to, the scenario menu.

use super::{Hint, ModalView, Size, Step, Styled, Tone, move_in_list};
use crate::app::Action;

/// What choosing a line does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Show a billing view (`primary:<payer>`, `group:<name>`, `custom:<name>`).
    View(String),
    /// Assign the marked accounts to a group ("" for no group).
    Group(String),
    /// A scenario operation.
    Scenario(ScenarioOp),
    /// Back to a row of the table (by position among the visible rows).
    Row(usize),
    /// Export this (then ask where).
    Export(crate::app::export::ExportTarget),
}

/// The scenario menu's operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioOp {
    New,
    Open(i64),
    Baseline,
    Promote(i64),
    Discard(i64),
    /// Ask for a name, then start a scenario as a copy of this one (issue 14 item 1).
    Copy(i64),
    /// Choose what the open scenario is compared with (the baseline or another scenario).
    CompareWith,
    /// Compare the open scenario with this scenario (None: with the baseline).
    CompareBase(Option<i64>),
}

/// A titled list of labelled choices and the selected line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub title: String,
    pub options: Vec<(String, Choice)>,
    pub selected: usize,
    /// Box size in percent of the screen (width, height).
    pub size: (u16, u16),
}

impl Picker {
    /// Movement moves; Enter chooses; q quits; any other key cancels.
    pub fn event(&mut self, action: Action) -> Step {
        if move_in_list(&mut self.selected, self.options.len(), action) {
            return Step::stay();
        }
        Step {
            close: true,
            pick: (action == Action::Open)
                .then(|| self.chosen().cloned())
                .flatten(),
            ..Step::default()
        }
    }

    /// The choice under the cursor.
    pub fn chosen(&self) -> Option<&Choice> {
        self.options.get(self.selected).map(|(_, c)| c)
    }

    pub fn view(&self) -> ModalView {
        ModalView {
            // Enter and Esc are in the footer: the title stays short enough to read whole.
            title: format!(" {} ", self.title),
            lines: self
                .options
                .iter()
                .enumerate()
                .map(|(i, (label, _))| {
                    let tone = if i == self.selected {
                        Tone::Selected
                    } else {
                        Tone::Plain
                    };
                    vec![Styled::new(format!(" {label} "), tone)]
                })
                .collect(),
            size: Size::Centered {
                width: self.size.0,
                height: self.size.1,
            },
            wrap: false,
            scroll: 0,
            cursor: Some(self.selected),
        }
    }
}

pub fn hints() -> Vec<Hint> {
    vec![
        Hint::new(Action::Open, "choose"),
        Hint::new(Action::Back, "cancel"),
    ]
}
