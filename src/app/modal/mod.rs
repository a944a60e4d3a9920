//! What the keys act on now, and the modals that take them: each modal file owns its state, its
//! key handling (`event`), what it shows (`view`, a terminal-free description the TUI paints)
//! and its footer hints (`hints`), as gitui's popups implement `event`, `draw` and `commands`.

pub mod confirm;
pub mod explain;
pub mod form;
pub mod help;
pub mod jump;
pub mod picker;
pub mod prompt;

pub use confirm::Confirm;
pub use explain::Explain;
pub use help::Help;
pub use jump::Jump;
pub use picker::{Choice, Picker, ScenarioOp};
pub use prompt::{Prompt, PromptFor};

use super::Action;
use super::effect::Effect;
use crate::period::BillingPeriod;

/// What the keys act on. `Normal` is the tables and tabs; every other mode is one modal (or
/// the filter line) on top of them.
#[derive(Debug, Clone, Default)]
pub enum Mode {
    #[default]
    Normal,
    /// Typing the filter (its text is `State::filter`, which stays after Enter).
    Filter,
    Form(Box<crate::app::forms::Form>),
    Prompt(Prompt),
    Confirm(Confirm),
    Picker(Picker),
    Explain(Explain),
    Help(Help),
    /// Typing the start of a row's name to move to it.
    Jump(Jump),
}

impl Mode {
    /// Whether plain characters are text here (forms, prompts, questions, the filter): keys
    /// are then looked up in the keymap's `[text]` table.
    pub fn takes_text(&self) -> bool {
        matches!(
            self,
            Mode::Filter | Mode::Form(_) | Mode::Prompt(_) | Mode::Confirm(_) | Mode::Jump(_)
        )
    }

    /// What the modal shows, or None for the screens themselves (and the filter line).
    pub fn view(&self, ctx: &ViewContext) -> Option<ModalView> {
        match self {
            Mode::Normal | Mode::Filter => None,
            Mode::Form(f) => Some(form::view(f, ctx)),
            Mode::Prompt(p) => Some(p.view(ctx)),
            Mode::Confirm(c) => Some(c.view(ctx)),
            Mode::Picker(p) => Some(p.view()),
            Mode::Explain(e) => Some(e.view()),
            Mode::Help(h) => Some(h.view(ctx)),
            Mode::Jump(j) => Some(j.view()),
        }
    }

    /// The footer hints of the modal on top (None: the screen's own hints).
    pub fn hints(&self) -> Option<Vec<Hint>> {
        match self {
            Mode::Normal => None,
            Mode::Filter => Some(vec![
                Hint::new(Action::Open, "keep"),
                Hint::new(Action::Back, "clear"),
            ]),
            Mode::Form(f) => Some(form::hints(f)),
            Mode::Prompt(_) => Some(prompt::hints()),
            Mode::Confirm(_) => Some(confirm::hints()),
            Mode::Picker(_) => Some(picker::hints()),
            Mode::Explain(_) => Some(explain::hints()),
            Mode::Help(_) => Some(help::hints()),
            Mode::Jump(_) => Some(jump::hints()),
        }
    }
}

/// The last page of a scrolled popup, as drawn: `lines` after wrapping, `page` of them in
/// view. The TUI measures it when it paints and hands it over before the next key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extent {
    pub lines: usize,
    pub page: usize,
}

impl Extent {
    /// The first line of the last page; with nothing measured yet, `fallback`.
    pub fn last_top(self, fallback: usize) -> usize {
        if self.page == 0 {
            fallback
        } else {
            self.lines.saturating_sub(self.page)
        }
    }
}

/// What a modal needs from the application to describe itself.
#[derive(Debug, Clone)]
pub struct ViewContext {
    pub period: BillingPeriod,
    /// The open scenario's name, if any (forms say where a save goes).
    pub scenario: Option<String>,
    /// Help lines: (keys, what the action does), in the keymap's order. Filled by the TUI,
    /// which knows the bindings.
    pub bindings: Vec<(String, &'static str)>,
}

/// The result of a key in a modal: whether it closes, what the controller must do, and what
/// the status line says.
#[derive(Debug, Default)]
pub struct Step {
    pub close: bool,
    pub effect: Option<Effect>,
    pub status: Option<String>,
    /// A picker's chosen line.
    pub pick: Option<Choice>,
}

impl Step {
    /// The key was handled; the modal stays.
    pub fn stay() -> Step {
        Step::default()
    }

    /// The modal closes.
    pub fn close() -> Step {
        Step {
            close: true,
            ..Step::default()
        }
    }

    /// The modal closes and the controller carries out `effect`.
    pub fn then(effect: Effect) -> Step {
        Step {
            close: true,
            effect: Some(effect),
            ..Step::default()
        }
    }

    /// The modal stays and the controller carries out `effect`.
    pub fn stay_then(effect: Effect) -> Step {
        Step {
            effect: Some(effect),
            ..Step::default()
        }
    }

    /// Adds a status line message.
    pub fn say(mut self, message: impl Into<String>) -> Step {
        self.status = Some(message.into());
        self
    }
}

/// A footer hint: the keys of an action (or a literal key text) and what it does there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: HintKeys,
    pub label: &'static str,
}

/// Which keys a hint shows: looked up in the keymap, so overrides show their own keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HintKeys {
    Action(Action),
    /// Two actions' first keys side by side (`[]` for the periods).
    Pair(Action, Action),
    /// A fixed text (`1-9` for the tabs).
    Literal(&'static str),
}

impl Hint {
    pub fn new(action: Action, label: &'static str) -> Hint {
        Hint {
            keys: HintKeys::Action(action),
            label,
        }
    }
}

/// A modal as the TUI paints it: a bordered box with a title and styled lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModalView {
    pub title: String,
    pub lines: Vec<Vec<Styled>>,
    pub size: Size,
    /// Long lines wrap (text) or are cut (lists).
    pub wrap: bool,
    /// First line shown; the painter keeps the last page in view when scrolled past the end.
    pub scroll: u16,
    /// A list's selected line: the painter scrolls so that it stays in view.
    pub cursor: Option<usize>,
}

/// How large the box is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Percentages of the screen's width and height, centred.
    Centered { width: u16, height: u16 },
    /// A short question: 80 % wide, as tall as its text, a third of the way down.
    Question,
    /// One line at the bottom, above the footer, leaving the table in view (the jump).
    Bottom,
}

/// A piece of text and its tone (the theme decides colours; NO_COLOR keeps emphasis).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Styled {
    pub text: String,
    pub tone: Tone,
}

/// How a piece of text is emphasised, by theme role name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// The theme colour of a role (`"aside"`, `"negative"`...).
    Fg(&'static str),
    /// The theme colour of a role, bold.
    Bold(&'static str),
    /// The selected line or focused value.
    Selected,
}

impl Styled {
    pub fn plain(text: impl Into<String>) -> Styled {
        Styled {
            text: text.into(),
            tone: Tone::Plain,
        }
    }

    pub fn new(text: impl Into<String>, tone: Tone) -> Styled {
        Styled {
            text: text.into(),
            tone,
        }
    }
}

/// Moves a list's selection (one row, a page of 10, the first or the last row) within `len`
/// options; false (and nothing moved) for any other action.
pub fn move_in_list(selected: &mut usize, len: usize, action: Action) -> bool {
    let last = len.saturating_sub(1);
    *selected = match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (*selected + 1).min(last),
        Action::PageUp => selected.saturating_sub(10),
        Action::PageDown => (*selected + 10).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return false,
    };
    true
}

/// Scrolls text whose last page starts at line `last_top`; false for any other action.
pub fn scroll_text(scroll: &mut u16, last_top: usize, action: Action) -> bool {
    let last = u16::try_from(last_top).unwrap_or(u16::MAX);
    *scroll = match action {
        Action::Down => scroll.saturating_add(1).min(last),
        Action::Up => scroll.saturating_sub(1),
        Action::PageDown => scroll.saturating_add(10).min(last),
        Action::PageUp => scroll.saturating_sub(10),
        Action::Top => 0,
        // The last page.
        Action::Bottom => last,
        _ => return false,
    };
    true
}
