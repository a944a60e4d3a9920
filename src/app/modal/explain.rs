//! The explanation of a number: scrollable text, any other key closes it.

use super::{Extent, Hint, ModalView, Size, Step, Styled, scroll_text};
use crate::app::Action;

/// An explanation as shown: its title, its text and how far it is scrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explain {
    pub title: String,
    pub text: String,
    pub scroll: u16,
}

impl Explain {
    /// Movement scrolls (to the last page as drawn, `extent`); any other key closes.
    pub fn event(&mut self, action: Action, extent: Extent) -> Step {
        let fallback = self.text.lines().count().saturating_sub(1);
        if scroll_text(&mut self.scroll, extent.last_top(fallback), action) {
            return Step::stay();
        }
        Step::close()
    }

    pub fn view(&self) -> ModalView {
        ModalView {
            title: format!(" {} (j/k scroll, any other key closes) ", self.title),
            lines: self.text.lines().map(|l| vec![Styled::plain(l)]).collect(),
            size: Size::Centered {
                width: 96,
                height: 92,
            },
            wrap: true,
            scroll: self.scroll,
            cursor: None,
        }
    }
}

pub fn hints() -> Vec<Hint> {
    vec![
        Hint::new(Action::Down, "scroll"),
        Hint::new(Action::Bottom, "end"),
        Hint::new(Action::Back, "close"),
    ]
}
