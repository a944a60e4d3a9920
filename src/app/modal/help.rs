//! Every key binding, one per line, scrollable (fits any screen, columns never collide).

use super::{Extent, Hint, ModalView, Size, Step, Styled, Tone, ViewContext, scroll_text};
use crate::app::Action;

/// The help overlay and how far it is scrolled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Help {
    pub scroll: u16,
}

impl Help {
    /// Movement scrolls (to the last page as drawn, `extent`); any other key closes.
    pub fn event(&mut self, action: Action, extent: Extent) -> Step {
        // Before a first frame: at most two lines per action (screens and text fields).
        if scroll_text(
            &mut self.scroll,
            extent.last_top(2 * Action::ALL.len()),
            action,
        ) {
            return Step::stay();
        }
        Step::close()
    }

    pub fn view(&self, ctx: &ViewContext) -> ModalView {
        let kw = ctx
            .bindings
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(4);
        ModalView {
            title: " Keys (j/k scroll, any other key closes) ".into(),
            lines: ctx
                .bindings
                .iter()
                .map(|(k, what)| {
                    vec![
                        Styled::new(format!("{k:<kw$}  "), Tone::Bold("footer_key")),
                        Styled::plain(*what),
                    ]
                })
                .chain([
                    Vec::new(),
                    vec![Styled::new(
                        "Your keys: keymap.toml in $XDG_CONFIG_HOME/proforma (else ~/.config/proforma); its [text] table: forms and prompts",
                        Tone::Fg("aside"),
                    )],
                ])
                .collect(),
            size: Size::Centered {
                width: 96,
                height: 94,
            },
            // Long descriptions wrap rather than being cut on a narrow screen.
            wrap: true,
            scroll: self.scroll,
            cursor: None,
        }
    }
}

pub fn hints() -> Vec<Hint> {
    vec![
        Hint::new(Action::Down, "scroll"),
        Hint::new(Action::Back, "close"),
    ]
}
