//! Keys to actions, from `assets/keymap.toml` (embedded) and the user's overrides. Unknown
//! actions or keys give warnings, not silence.

use crate::app::{Action, Tab};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

pub const DEFAULT: &str = include_str!("../../assets/keymap.toml");

/// Action names in the keymap file, with what they do (the help overlay lists them in order).
pub const ACTIONS: [(&str, &str); 40] = [
    ("quit", "quit"),
    ("help", "this help"),
    ("overview", "tab 1: overview"),
    ("billing_groups", "tab 2: billing groups"),
    ("pricing_plans", "tab 3: pricing plans"),
    ("pricing_rules", "tab 4: pricing rules"),
    ("custom_line_items", "tab 5: custom line items"),
    ("accounts", "tab 6: accounts"),
    ("billing_views", "tab 7: billing views"),
    ("reconcile", "tab 8: reconcile"),
    ("history", "tab 9: history"),
    ("next_tab", "next tab"),
    ("prev_tab", "previous tab"),
    ("up", "move up"),
    ("down", "move down"),
    ("page_up", "page up"),
    ("page_down", "page down"),
    ("top", "first row"),
    ("bottom", "last row"),
    ("open", "open / drill down"),
    ("back", "back / close / clear filter"),
    ("prev_period", "previous billing period"),
    ("next_period", "next billing period"),
    ("view_picker", "choose the billing view"),
    ("filter", "filter rows"),
    ("sort", "sort by the next column"),
    ("explain", "explain the selected number"),
    (
        "next_grouping",
        "billing views: group rows by service / account / usage type / line item type",
    ),
    ("new", "new billing group / plan / rule / custom line item"),
    ("edit", "edit the selected object"),
    ("delete", "delete the selected object (asks first)"),
    ("save", "save the form (Enter too)"),
    ("undo", "undo the last change"),
    ("redo", "redo what was undone"),
    ("mark", "accounts: mark or unmark the account"),
    (
        "assign",
        "accounts: assign the marked accounts to a billing group",
    ),
    ("scenarios", "scenarios: new, open, promote, discard"),
    ("close_period", "reconcile: close the period (with a note)"),
    (
        "reopen_period",
        "reconcile: reopen the period (with a reason)",
    ),
    ("redraw", "redraw the screen"),
];

fn action_of(name: &str) -> Option<Action> {
    Some(match name {
        "quit" => Action::Quit,
        "help" => Action::Help,
        "overview" => Action::Tab(Tab::Overview),
        "billing_groups" => Action::Tab(Tab::Groups),
        "pricing_plans" => Action::Tab(Tab::Plans),
        "pricing_rules" => Action::Tab(Tab::Rules),
        "custom_line_items" => Action::Tab(Tab::Items),
        "accounts" => Action::Tab(Tab::Accounts),
        "billing_views" => Action::Tab(Tab::Views),
        "reconcile" => Action::Tab(Tab::Reconcile),
        "history" => Action::Tab(Tab::History),
        "next_tab" => Action::NextTab,
        "prev_tab" => Action::PrevTab,
        "up" => Action::Up,
        "down" => Action::Down,
        "page_up" => Action::PageUp,
        "page_down" => Action::PageDown,
        "top" => Action::Top,
        "bottom" => Action::Bottom,
        "open" => Action::Open,
        "back" => Action::Back,
        "prev_period" => Action::PrevPeriod,
        "next_period" => Action::NextPeriod,
        "view_picker" => Action::ViewPicker,
        "filter" => Action::Filter,
        "sort" => Action::Sort,
        "explain" => Action::Explain,
        "next_grouping" => Action::NextGrouping,
        "redraw" => Action::Redraw,
        "new" => Action::New,
        "edit" => Action::Edit,
        "delete" => Action::Delete,
        "save" => Action::Save,
        "undo" => Action::Undo,
        "redo" => Action::Redo,
        "close_period" => Action::ClosePeriod,
        "mark" => Action::Mark,
        "scenarios" => Action::Scenarios,
        "assign" => Action::Assign,
        "reopen_period" => Action::ReopenPeriod,
        _ => return None,
    })
}

/// A key as written in the keymap file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(u8),
}

const NAMED: [(&str, KeyCode); 14] = [
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Tab", KeyCode::Tab),
    ("BackTab", KeyCode::BackTab),
    ("Backspace", KeyCode::Backspace),
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("Delete", KeyCode::Delete),
];

impl Key {
    pub fn parse(text: &str) -> Option<Key> {
        let (ctrl, rest) = match text.strip_prefix("Ctrl-") {
            Some(r) => (true, r),
            None => (false, text),
        };
        let mut chars = rest.chars();
        if rest == "Space" {
            return Some(Key {
                code: KeyCodeOrd::Char(' '),
                ctrl,
            });
        }
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            _ => {
                if let Some(n) = rest
                    .strip_prefix('F')
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=12).contains(n))
                {
                    KeyCodeOrd::F(n)
                } else {
                    KeyCodeOrd::Named(NAMED.iter().position(|(name, _)| *name == rest)? as u8)
                }
            }
        };
        Some(Key { code, ctrl })
    }

    /// Shift is part of the character and Alt is ignored: terminals report two quick Esc
    /// presses as Alt-Esc.
    pub fn of_event(e: &KeyEvent) -> Option<Key> {
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        let code = match e.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            other => KeyCodeOrd::Named(NAMED.iter().position(|(_, k)| *k == other)? as u8),
        };
        Some(Key { code, ctrl })
    }

    /// The key event this key stands for (tests and scripted stories press keys by name).
    pub fn event(&self) -> KeyEvent {
        let code = match self.code {
            KeyCodeOrd::Char(c) => KeyCode::Char(c),
            KeyCodeOrd::F(n) => KeyCode::F(n),
            KeyCodeOrd::Named(i) => NAMED[usize::from(i)].1,
        };
        KeyEvent::new(
            code,
            if self.ctrl {
                KeyModifiers::CONTROL
            } else {
                KeyModifiers::NONE
            },
        )
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCodeOrd::Char(' ') => "Space".to_string(),
            KeyCodeOrd::Char(c) => c.to_string(),
            KeyCodeOrd::F(n) => format!("F{n}"),
            KeyCodeOrd::Named(i) => NAMED[usize::from(i)].0.to_string(),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

/// Bindings from action names to keys, and the reverse lookup.
#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: BTreeMap<String, Vec<Key>>,
    by_key: BTreeMap<Key, String>,
}

impl Keymap {
    /// The defaults, then the overrides in `user` (if any). Returns warnings for what was ignored.
    pub fn load(user: Option<(&str, &str)>) -> (Keymap, Vec<String>) {
        let mut warnings = Vec::new();
        let mut bindings = BTreeMap::new();
        parse_into(DEFAULT, "assets/keymap.toml", &mut bindings, &mut warnings);
        if let Some((origin, text)) = user {
            parse_into(text, origin, &mut bindings, &mut warnings);
        }
        let mut by_key = BTreeMap::new();
        for (action, keys) in &bindings {
            for k in keys {
                if let Some(previous) = by_key.insert(*k, action.clone()) {
                    warnings.push(format!(
                        "key {} is bound to both {previous} and {action}; {action} wins",
                        k.label()
                    ));
                }
            }
        }
        (Keymap { bindings, by_key }, warnings)
    }

    pub fn action(&self, e: &KeyEvent) -> Option<Action> {
        let key = Key::of_event(e)?;
        self.by_key.get(&key).and_then(|a| action_of(a))
    }

    /// The first key of an action, for the footer.
    pub fn first_key(&self, action: &str) -> String {
        self.bindings
            .get(action)
            .and_then(|ks| ks.first())
            .map(Key::label)
            .unwrap_or_default()
    }

    /// The keys of an action, joined for display (`j/Down`).
    pub fn keys_of(&self, action: &str) -> String {
        self.bindings
            .get(action)
            .map(|ks| ks.iter().map(Key::label).collect::<Vec<_>>().join("/"))
            .unwrap_or_default()
    }
}

fn parse_into(
    text: &str,
    origin: &str,
    bindings: &mut BTreeMap<String, Vec<Key>>,
    warnings: &mut Vec<String>,
) {
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            warnings.push(format!(
                "{origin}: not valid TOML, ignored: {}",
                e.message()
            ));
            return;
        }
    };
    for (name, value) in table {
        if action_of(&name).is_none() {
            warnings.push(format!("{origin}: unknown action '{name}' ignored"));
            continue;
        }
        let list: Vec<&str> = match &value {
            toml::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
            toml::Value::String(s) => vec![s.as_str()],
            _ => {
                warnings.push(format!("{origin}: {name}: expected a list of keys"));
                continue;
            }
        };
        let mut keys = Vec::new();
        for k in list {
            match Key::parse(k) {
                Some(key) => keys.push(key),
                None => warnings.push(format!("{origin}: {name}: unknown key '{k}' ignored")),
            }
        }
        bindings.insert(name, keys);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_cover_every_action_without_warnings() {
        let (map, warnings) = Keymap::load(None);
        assert!(warnings.is_empty(), "{warnings:?}");
        for (name, _) in ACTIONS.iter().filter(|(n, _)| *n != "redraw") {
            assert!(!map.keys_of(name).is_empty(), "{name} has no key");
        }
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.action(&q), Some(Action::Quit));
        let f1 = KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE);
        assert_eq!(map.action(&f1), Some(Action::Help));
        let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(map.action(&ctrl_d), Some(Action::PageDown));
    }

    #[test]
    fn overrides_replace_and_unknowns_warn() {
        let user = "quit = [\"Q\"]\nfly = [\"f\"]\nhelp = [\"Hyper-x\"]\n";
        let (map, warnings) = Keymap::load(Some(("keymap.toml", user)));
        assert_eq!(map.keys_of("quit"), "Q");
        assert!(
            warnings.iter().any(|w| w.contains("unknown action 'fly'")),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().any(|w| w.contains("unknown key 'Hyper-x'")),
            "{warnings:?}"
        );
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.action(&q), None);
    }
}
