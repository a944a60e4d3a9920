//! What `update` asks of the outside world: every write to the workspace, every read of it,
//! and every re-pricing happen here, in one controller (`App::run`), never in `update`.

use super::modal::ScenarioOp;
use crate::model::Kind;
use crate::store::config::Seen;

/// One thing for the controller to do after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Load the previous (false) or next (true) period with data.
    SwitchPeriod {
        forward: bool,
    },
    /// Open a form on the current tab: a new object, or the selected one (`name`).
    OpenForm {
        new: bool,
        name: String,
    },
    /// A key in the open form: refresh its suggestions and, when a value `changed`, check
    /// it and ask the worker for a preview.
    FormEdited {
        changed: bool,
    },
    /// Open the form for a new billing transfer (any tab).
    OpenTransferForm,
    /// Save the open form (against the version in `Form::seen`).
    SaveForm,
    /// Drop the form's edits and show what another process saved.
    TakeTheirs {
        deleted: bool,
    },
    /// Ask before deleting the selected object (reads the version it is deleted against).
    AskDelete {
        kind: Kind,
        name: String,
    },
    /// Delete an object (asked and answered).
    Delete {
        kind: Kind,
        arn: String,
        label: String,
        seen: Option<Seen>,
    },
    /// Undo (redo) this window's latest change (redone change); one that touches several
    /// objects asks first.
    Undo,
    Redo,
    /// Undo (`undo`) or redo, asked and answered.
    UndoNow {
        undo: bool,
    },
    ClosePeriod {
        note: String,
    },
    ReopenPeriod {
        reason: String,
    },
    /// Write the export of `State::pending_export` to this path, as typed.
    Export {
        path: String,
    },
    /// The AWS invoice total of the period on screen, as typed (empty: clear it).
    InvoiceTotal {
        text: String,
    },
    CreateScenario {
        name: String,
    },
    /// Open the scenario menu (reads the period's scenarios).
    ScenarioMenu,
    Scenario(ScenarioOp),
    DiscardScenario {
        id: i64,
    },
    /// Promote a scenario (asked and answered).
    PromoteNow {
        id: i64,
    },
    /// Move the marked accounts into a group (empty name: no group).
    Assign {
        group: String,
    },
    /// Read the workspace again for what the screen shows (History's entries, period status).
    Refresh,
    /// Start scenario `name` as a copy of scenario `from`, and open it.
    CopyScenario {
        from: i64,
        name: String,
    },
    /// Write a stepped percentage (sensitivity): into the open scenario, else the baseline.
    ApplyStep {
        object: crate::model::Object,
    },
    /// Solve the margin target typed into the prompt (`stepping.rs`), into a scenario.
    SolveTarget {
        text: String,
    },
}
