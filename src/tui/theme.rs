//! Colours, from `assets/theme.toml` (embedded) and the user's overrides.

use ratatui::style::{Color, Modifier, Style};
use std::collections::BTreeMap;
use std::str::FromStr;

pub const DEFAULT: &str = include_str!("../../assets/theme.toml");

#[derive(Debug, Clone)]
pub struct Theme {
    colors: BTreeMap<String, Color>,
}

impl Theme {
    pub fn load(user: Option<(&str, &str)>) -> (Theme, Vec<String>) {
        let mut warnings = Vec::new();
        let mut colors = BTreeMap::new();
        read(
            DEFAULT,
            "assets/theme.toml",
            &mut colors,
            &mut warnings,
            None,
        );
        let known: Vec<String> = colors.keys().cloned().collect();
        if let Some((origin, text)) = user {
            read(text, origin, &mut colors, &mut warnings, Some(&known));
        }
        (Theme { colors }, warnings)
    }

    pub fn color(&self, name: &str) -> Color {
        self.colors.get(name).copied().unwrap_or(Color::Reset)
    }

    pub fn fg(&self, name: &str) -> Style {
        Style::default().fg(self.color(name))
    }

    pub fn pair(&self, fg: &str, bg: &str) -> Style {
        Style::default().fg(self.color(fg)).bg(self.color(bg))
    }

    pub fn bold(&self, name: &str) -> Style {
        self.fg(name).add_modifier(Modifier::BOLD)
    }
}

fn read(
    text: &str,
    origin: &str,
    colors: &mut BTreeMap<String, Color>,
    warnings: &mut Vec<String>,
    known: Option<&[String]>,
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
        if known.is_some_and(|k| !k.contains(&name)) {
            warnings.push(format!("{origin}: unknown colour '{name}' ignored"));
            continue;
        }
        match value.as_str().map(Color::from_str) {
            Some(Ok(c)) => {
                colors.insert(name, c);
            }
            _ => warnings.push(format!("{origin}: {name}: '{value}' is not a colour")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_overrides_warn() {
        let (t, w) = Theme::load(None);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(t.color("negative"), Color::LightRed);
        let (t, w) = Theme::load(Some((
            "theme.toml",
            "negative = \"#ff0000\"\nsparkles = \"red\"\nborder = \"plaid\"\n",
        )));
        assert_eq!(t.color("negative"), Color::Rgb(255, 0, 0));
        assert!(
            w.iter().any(|x| x.contains("unknown colour 'sparkles'")),
            "{w:?}"
        );
        assert!(
            w.iter()
                .any(|x| x.contains("'\"plaid\"' is not a colour") || x.contains("plaid")),
            "{w:?}"
        );
    }
}
