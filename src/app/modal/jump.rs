//! Jump to a row by typing the start of its name: the selection follows each keystroke (a
//! list of thousands of groups or accounts is reached in a few keys); Enter stays there, Esc
//! goes back to where it was.

use super::{Choice, Hint, ModalView, Size, Step, Styled};
use crate::app::Action;

/// The text typed so far and the row selected before the jump (Esc goes back to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jump {
    pub text: String,
    pub origin: usize,
}

impl Jump {
    pub fn new(origin: usize) -> Jump {
        Jump {
            text: String::new(),
            origin,
        }
    }

    /// Characters extend the name, Backspace shortens it (the state then selects the first
    /// row whose name starts with it); Enter keeps the row; anything else goes back.
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
            Action::Open | Action::Save => Step::close(),
            _ => Step {
                close: true,
                pick: Some(Choice::Row(self.origin)),
                ..Step::default()
            },
        }
    }

    pub fn view(&self) -> ModalView {
        ModalView {
            title: " Jump to ".into(),
            lines: vec![vec![Styled::plain(format!("> {}▏", self.text))]],
            // At the bottom: the rows the selection moves through stay in view.
            size: Size::Bottom,
            wrap: false,
            scroll: 0,
            cursor: None,
        }
    }
}

pub fn hints() -> Vec<Hint> {
    vec![
        Hint::new(Action::Open, "stay here"),
        Hint::new(Action::Back, "back"),
    ]
}
