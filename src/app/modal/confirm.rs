//! A yes/no question before something Esc cannot take back (a delete, a scenario discard).

use super::{Hint, HintKeys, ModalView, Size, Step, Styled, ViewContext};
use crate::app::Action;
use crate::app::effect::Effect;

/// The question asked, with what the answer acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    Delete {
        kind: crate::model::Kind,
        arn: String,
        label: String,
        /// The object when the question was asked: a change since by another process
        /// refuses the delete.
        seen: Option<crate::store::config::Seen>,
    },
    /// Discarding a scenario drops its changes for good.
    DiscardScenario { id: i64, name: String },
    /// Promoting a scenario writes its changes into the baseline.
    Promote { id: i64, name: String, changes: u64 },
    /// Undoing (redoing) a change of several objects at once (an import of a configuration,
    /// a promoted scenario): what it touches, said before.
    Undo {
        undo: bool,
        objects: Vec<String>,
        period: crate::period::BillingPeriod,
    },
}

impl Confirm {
    /// `y` does it; any other key keeps things as they are.
    pub fn event(&self, action: Action) -> Step {
        let yes = matches!(action, Action::Input('y') | Action::Input('Y'));
        match (self, yes) {
            (
                Confirm::Delete {
                    kind,
                    arn,
                    label,
                    seen,
                },
                true,
            ) => Step::then(Effect::Delete {
                kind: *kind,
                arn: arn.clone(),
                label: label.clone(),
                seen: seen.clone(),
            }),
            (Confirm::Delete { .. }, false) => Step::then(Effect::Refresh).say("nothing deleted"),
            (Confirm::DiscardScenario { id, .. }, true) => {
                Step::then(Effect::DiscardScenario { id: *id })
            }
            (Confirm::DiscardScenario { .. }, false) => {
                Step::then(Effect::Refresh).say("scenario kept")
            }
            (Confirm::Promote { id, .. }, true) => Step::then(Effect::PromoteNow { id: *id }),
            (Confirm::Promote { .. }, false) => {
                Step::then(Effect::Refresh).say("not promoted; the scenario stays open")
            }
            (Confirm::Undo { undo, .. }, true) => Step::then(Effect::UndoNow { undo: *undo }),
            (Confirm::Undo { undo, .. }, false) => Step::then(Effect::Refresh).say(if *undo {
                "nothing undone"
            } else {
                "nothing redone"
            }),
        }
    }

    pub fn view(&self, ctx: &ViewContext) -> ModalView {
        let (title, text) = match self {
            Confirm::Delete { label, .. } => (
                " Delete ",
                format!(
                    "Delete {label} from {} on?  y deletes, any other key keeps it",
                    ctx.period
                ),
            ),
            Confirm::DiscardScenario { name, .. } => (
                " Discard scenario ",
                format!(
                    "Discard scenario '{name}' and its changes? They cannot be had back.  y discards, any other key keeps it"
                ),
            ),
            Confirm::Promote { name, changes, .. } => (
                " Promote ",
                format!(
                    "Promote scenario '{name}': apply its {} to the baseline from {} on?  y promotes, any other key keeps the scenario open",
                    crate::text::count(*changes, "change"),
                    ctx.period
                ),
            ),
            Confirm::Undo {
                undo,
                objects,
                period,
            } => (
                if *undo { " Undo " } else { " Redo " },
                format!(
                    "{} {} from {period} on: {}?  y {}, any other key keeps things as they are",
                    if *undo { "Undo" } else { "Redo" },
                    crate::text::count(objects.len() as u64, "change"),
                    crate::text::list_some(objects, 4),
                    if *undo { "undoes" } else { "redoes" },
                ),
            ),
        };
        ModalView {
            title: title.into(),
            lines: vec![vec![Styled::plain(text)]],
            size: Size::Question,
            wrap: true,
            scroll: 0,
            cursor: None,
        }
    }
}

pub fn hints() -> Vec<Hint> {
    vec![Hint {
        keys: HintKeys::Literal("y"),
        label: "yes, any other key: no",
    }]
}
