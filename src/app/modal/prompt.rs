//! A one-line text prompt: a closing note, a reopening reason, a scenario name, an invoice
//! total.

use super::{Hint, ModalView, Size, Step, Styled, ViewContext};
use crate::app::Action;
use crate::app::effect::Effect;

/// What the text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptFor {
    Close,
    Reopen,
    ScenarioName,
    /// AWS's invoice total of the period, for the tie-out (Reconcile tab).
    InvoiceTotal,
    /// Where an export is written (`State::pending_export` says what).
    ExportPath,
    /// The name of a copy of the scenario with this id.
    ScenarioCopy(i64),
    /// A margin or pro forma target to solve (`ask` says for what).
    SolveTarget,
}

/// The prompt and the text typed so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub what: PromptFor,
    pub text: String,
    /// The question, when it depends on more than `what` (an export's target).
    pub ask: String,
    /// Why the text was refused (shown under it until the next try).
    pub error: String,
}

impl Prompt {
    pub fn new(what: PromptFor) -> Prompt {
        Prompt {
            what,
            text: String::new(),
            ask: String::new(),
            error: String::new(),
        }
    }

    /// Characters edit the text; Enter (or save) hands it to the controller; anything else
    /// cancels.
    pub fn event(&mut self, action: Action) -> Step {
        match action {
            Action::Input(c) => {
                self.text.push(c);
                Step::stay()
            }
            Action::Backspace => {
                self.text.pop();
                Step::stay()
            }
            Action::Open | Action::Save => {
                let text = self.text.clone();
                // A required text left empty: say so and keep the prompt (what is typed next
                // must go into it, not run as commands).
                let missing = match self.what {
                    PromptFor::ScenarioName => Some("a scenario needs a name"),
                    PromptFor::Reopen => Some("reopening a period needs a reason"),
                    PromptFor::Close | PromptFor::InvoiceTotal => None,
                    PromptFor::ExportPath => Some("an export needs a file or directory"),
                    PromptFor::ScenarioCopy(_) => Some("a scenario needs a name"),
                    PromptFor::SolveTarget => Some("type a target: a margin % or =pro forma"),
                };
                if let Some(m) = missing.filter(|_| text.trim().is_empty()) {
                    return Step::stay().say(m);
                }
                Step::then(match self.what {
                    PromptFor::Close => Effect::ClosePeriod { note: text },
                    PromptFor::Reopen => Effect::ReopenPeriod { reason: text },
                    PromptFor::ScenarioName => Effect::CreateScenario { name: text },
                    PromptFor::InvoiceTotal => Effect::InvoiceTotal { text },
                    PromptFor::ExportPath => Effect::Export { path: text },
                    PromptFor::ScenarioCopy(from) => Effect::CopyScenario { from, name: text },
                    PromptFor::SolveTarget => Effect::SolveTarget { text },
                })
            }
            _ => Step::close().say("cancelled"),
        }
    }

    pub fn view(&self, ctx: &ViewContext) -> ModalView {
        let p = ctx.period;
        let (title, ask) = match self.what {
            PromptFor::Close => (
                " Close the period ",
                format!("Close {p}: note (Enter closes, Esc cancels)"),
            ),
            PromptFor::ScenarioName => (
                " New scenario ",
                format!("Scenario of {p}: name (Enter creates it from the baseline, Esc cancels)"),
            ),
            PromptFor::Reopen => (
                " Reopen the period ",
                format!("Reopen {p}: reason, required (Enter reopens, Esc cancels)"),
            ),
            PromptFor::ExportPath => (
                " Export ",
                format!("{} (Enter writes it, Esc cancels)", self.ask),
            ),
            PromptFor::ScenarioCopy(_) => (
                " Copy the scenario ",
                format!(
                    "Copy of {}: name of the new scenario of {p} (Enter creates and opens it, Esc cancels)",
                    if self.ask.is_empty() {
                        "the scenario"
                    } else {
                        self.ask.as_str()
                    }
                ),
            ),
            PromptFor::SolveTarget => (
                " Solve a margin target ",
                format!(
                    "{} (Enter solves it into a scenario, Esc cancels)",
                    self.ask
                ),
            ),
            PromptFor::InvoiceTotal => (
                " Tie out to the invoice ",
                format!(
                    "AWS's invoice total of {p}, tax included, to the cent (Enter checks it, empty clears it, Esc cancels){}",
                    if self.ask.is_empty() {
                        String::new()
                    } else {
                        format!("; {}", self.ask)
                    }
                ),
            ),
        };
        ModalView {
            title: title.into(),
            lines: {
                let mut lines = vec![
                    vec![Styled::plain(ask)],
                    vec![Styled::plain(format!("> {}▏", self.text))],
                ];
                if !self.error.is_empty() {
                    lines.push(vec![Styled::plain(format!("✗ {}", self.error))]);
                }
                lines
            },
            size: Size::Question,
            wrap: true,
            scroll: 0,
            cursor: None,
        }
    }
}

pub fn hints() -> Vec<Hint> {
    vec![
        Hint::new(Action::Open, "done"),
        Hint::new(Action::Back, "cancel"),
    ]
}
