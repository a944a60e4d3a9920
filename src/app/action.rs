//! Everything a user can do, declared once: the variant, its name in `keymap.toml` (and in
//! serde), and what it does (the help overlay shows that text). Keys and mouse map onto these;
//! the modes decide what each one means where it is pressed.

use super::Tab;

/// Declares [`Action`]: each named variant with its doc comment and keymap name, and the
/// lookups derived from that one list (`ALL`, `name`, `doc`, `FromStr`).
macro_rules! actions {
    ($( #[doc = $doc:literal] $variant:ident = $name:literal, )*) => {
        /// A user command. The named variants are what keymap files bind keys to (their names
        /// are the serde names); `Input` and `Select` carry a typed character and a clicked row.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
        )]
        pub enum Action {
            $( #[doc = $doc] #[serde(rename = $name)] $variant, )*
            /// A character typed into a text field, a prompt, the filter or a question.
            #[serde(skip)]
            Input(char),
            /// A visible row selected by the mouse, by position in the visible list.
            #[serde(skip)]
            Select(usize),
        }

        impl Action {
            /// Every named action, in the order the help overlay lists them.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The keymap name (`"page_down"`); empty for `Input` and `Select`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                    Action::Input(_) | Action::Select(_) => "",
                }
            }

            /// What the action does, from its doc comment.
            pub fn doc(self) -> &'static str {
                match self {
                    $(Action::$variant => $doc.trim_ascii(),)*
                    Action::Input(_) => "type a character",
                    Action::Select(_) => "select a row",
                }
            }
        }
    };
}

actions! {
    /// quit
    Quit = "quit",
    /// this help
    Help = "help",
    /// tab 1: overview
    Overview = "overview",
    /// tab 2: billing groups
    BillingGroups = "billing_groups",
    /// tab 3: pricing plans
    PricingPlans = "pricing_plans",
    /// tab 4: pricing rules
    PricingRules = "pricing_rules",
    /// tab 5: custom line items
    CustomLineItems = "custom_line_items",
    /// tab 6: accounts
    Accounts = "accounts",
    /// tab 7: billing views
    BillingViews = "billing_views",
    /// tab 8: reconcile
    Reconcile = "reconcile",
    /// tab 9: history
    History = "history",
    /// next tab
    NextTab = "next_tab",
    /// previous tab
    PrevTab = "prev_tab",
    /// move up
    Up = "up",
    /// move down
    Down = "down",
    /// page up
    PageUp = "page_up",
    /// page down
    PageDown = "page_down",
    /// first row
    Top = "top",
    /// last row
    Bottom = "bottom",
    /// open / drill down (a pricing plan: its rules)
    Open = "open",
    /// back / close / clear filter
    Back = "back",
    /// previous billing period
    PrevPeriod = "prev_period",
    /// next billing period
    NextPeriod = "next_period",
    /// choose the billing view
    ViewPicker = "view_picker",
    /// filter rows
    Filter = "filter",
    /// jump to a row by typing the start of its name
    Jump = "jump",
    /// sort by the next column
    Sort = "sort",
    /// explain the selected number
    Explain = "explain",
    /// billing views: group rows by service / account / usage type / line item type
    NextGrouping = "next_grouping",
    /// new billing group / plan / rule / custom line item
    New = "new",
    /// edit the selected object
    Edit = "edit",
    /// delete the selected object (asks first)
    Delete = "delete",
    /// save the form (Enter too)
    Save = "save",
    /// undo the last change
    Undo = "undo",
    /// redo what was undone
    Redo = "redo",
    /// accounts: mark or unmark the account
    Mark = "mark",
    /// accounts: assign the marked accounts to a billing group
    Assign = "assign",
    /// scenarios: new, open, copy, compare, promote, discard
    Scenarios = "scenarios",
    /// customer presentation on/off: pro forma only, nothing internal on screen
    Presentation = "presentation",
    /// billing groups / reconcile: export a statement or the pro forma CUR
    Export = "export",
    /// reconcile: close the period (with a note)
    ClosePeriod = "close_period",
    /// billing views: new billing transfer (and its TRANSFER_BILLING group)
    NewTransfer = "new_transfer",
    /// reconcile: reopen the period (with a reason)
    ReopenPeriod = "reopen_period",
    /// forms: next field
    NextField = "next_field",
    /// forms: previous field
    PrevField = "prev_field",
    /// forms: previous choice
    ChoiceLeft = "choice_left",
    /// forms: next choice (on text: take the suggestion)
    ChoiceRight = "choice_right",
    /// text: delete the character before the cursor
    Backspace = "backspace",
    /// redraw the screen
    Redraw = "redraw",
    /// sensitivity: step the selected percentage (rule or percentage item) up
    StepUp = "step_up",
    /// sensitivity: step the selected percentage down
    StepDown = "step_down",
    /// sensitivity: next step size (0.1 / 0.5 / 1 / 5 points)
    StepSize = "step_size",
    /// solve a margin target (a rule's percentage, or a flat credit/fee on a group) into a scenario
    SolveTarget = "solve_target",
}

impl Action {
    /// The tab an action switches to (`overview` → Overview …).
    pub fn tab(self) -> Option<Tab> {
        Some(match self {
            Action::Overview => Tab::Overview,
            Action::BillingGroups => Tab::Groups,
            Action::PricingPlans => Tab::Plans,
            Action::PricingRules => Tab::Rules,
            Action::CustomLineItems => Tab::Items,
            Action::Accounts => Tab::Accounts,
            Action::BillingViews => Tab::Views,
            Action::Reconcile => Tab::Reconcile,
            Action::History => Tab::History,
            _ => return None,
        })
    }

    /// The action that switches to `tab` (the inverse of [`Action::tab`]).
    pub fn of_tab(tab: Tab) -> Action {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.tab() == Some(tab))
            .unwrap_or(Action::Overview)
    }

    /// Moves within lists and scrolled text (up, down, pages, first, last).
    pub fn is_movement(self) -> bool {
        matches!(
            self,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
                | Action::Select(_)
        )
    }
}

/// The keys the user's keymap gives each action, for messages that name them ("Esc again
/// discards them"): screens and pickers (`list`), and where characters are typed (`text`).
/// Filled by the TUI from the keymap; an action without a key is named by its keymap name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyNames {
    pub list: std::collections::HashMap<Action, String>,
    pub text: std::collections::HashMap<Action, String>,
}

impl KeyNames {
    /// The first key of `a` on the screens.
    pub fn list(&self, a: Action) -> String {
        self.list
            .get(&a)
            .filter(|k| !k.is_empty())
            .cloned()
            .unwrap_or_else(|| a.name().to_string())
    }

    /// The first key of `a` where characters are typed (forms, prompts).
    pub fn text(&self, a: Action) -> String {
        self.text
            .get(&a)
            .filter(|k| !k.is_empty())
            .cloned()
            .unwrap_or_else(|| a.name().to_string())
    }
}

impl std::str::FromStr for Action {
    type Err = String;

    /// A keymap name; the error names the unknown action.
    fn from_str(s: &str) -> Result<Action, String> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.name() == s)
            .ok_or_else(|| format!("unknown action '{s}'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_docs_and_tabs_are_declared_once_and_agree() {
        for a in Action::ALL {
            assert_eq!(a.name().parse::<Action>(), Ok(*a));
            assert!(!a.doc().is_empty() && !a.doc().starts_with(' '), "{a:?}");
            let json = serde_json::to_string(a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.name()));
        }
        for t in Tab::ALL {
            assert_eq!(Action::of_tab(t).tab(), Some(t));
        }
        assert!("fly".parse::<Action>().is_err());
        assert_eq!(Action::PageDown.doc(), "page down");
    }
}
