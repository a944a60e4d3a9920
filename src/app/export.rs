//! Exports from the TUI (issue 12 items 4 and 5): `E` on a billing group (the Billing groups
//! tab, a drilled group, the overview) offers its statement in each format and its pro forma
//! CUR; on the Reconcile tab (and the checklist's Export step) the statements of every group.
//! A picker chooses the kind, a prompt the file (or directory), prefilled beside the
//! workspace; the controller writes it with the same library calls as `proforma export`.

use super::modal::{Choice, Mode, Picker, Prompt, PromptFor};
use super::{GroupLevel, State, Tab};
use crate::month_end::statement::{self, Format};
use std::path::{Path, PathBuf};

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Statement(Format),
    /// The group's rows in the pro forma CUR layout (gzip CSV).
    ProformaCur,
}

/// An export being asked for: of one group (by name) or of every group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportTarget {
    pub group: Option<String>,
    pub kind: ExportKind,
}

impl ExportTarget {
    /// The file (one group) or directory (every group) offered in the prompt: beside the
    /// workspace, named as `proforma export --all` names its files.
    pub fn default_path(&self, st: &State) -> PathBuf {
        let dir = st.ws_dir.as_path();
        let period = st.period();
        match (&self.group, self.kind) {
            (None, _) => dir.join(format!("statements-{period}")),
            (Some(g), ExportKind::Statement(f)) => {
                let names = statement::file_names(&[g.as_str()], period, f);
                dir.join(names.first().cloned().unwrap_or_default())
            }
            (Some(g), ExportKind::ProformaCur) => dir.join(format!(
                "{}-{period}-proforma-cur.csv.gz",
                statement::slug(g)
            )),
        }
    }

    /// What the prompt asks.
    pub fn question(&self) -> String {
        match (&self.group, self.kind) {
            (None, ExportKind::Statement(f)) => {
                format!("Directory for every group's statement ({})", f.extension())
            }
            (None, ExportKind::ProformaCur) => "Directory for the pro forma CURs".into(),
            (Some(g), ExportKind::Statement(f)) => {
                format!("File for the statement of {g} ({})", f.extension())
            }
            (Some(g), ExportKind::ProformaCur) => format!("File for the pro forma CUR of {g}"),
        }
    }
}

/// The group an export of the current screen is about: the drilled group, or the group under
/// the cursor on the Billing groups list or the overview.
fn group_on_screen(st: &State) -> Option<String> {
    let cfg = &st.data.config;
    if let Some(g) = st.group_path.last().and_then(GroupLevel::group) {
        return cfg.groups.get(g).map(|g| g.name.clone());
    }
    let key = st.selected_key()?;
    cfg.groups
        .iter()
        .find(|g| g.name == key)
        .map(|g| g.name.clone())
}

const FORMATS: [(Format, &str); 3] = [
    (Format::Html, "HTML (prints to PDF)"),
    (Format::Csv, "CSV"),
    (Format::Md, "Markdown"),
];

/// `E`: the export picker for what is on screen, or why there is none.
pub fn open_picker(st: &mut State) {
    let on_group = matches!(st.tab, Tab::Groups | Tab::Overview);
    let (title, options): (String, Vec<(String, Choice)>) = if on_group {
        let Some(group) = group_on_screen(st) else {
            st.refuse("E exports a billing group: select one first");
            return;
        };
        let mut options: Vec<(String, Choice)> = FORMATS
            .iter()
            .map(|(f, label)| {
                (
                    format!("Statement, {label}"),
                    Choice::Export(ExportTarget {
                        group: Some(group.clone()),
                        kind: ExportKind::Statement(*f),
                    }),
                )
            })
            .collect();
        options.push((
            "Pro forma CUR (legacy CUR layout, .csv.gz)".into(),
            Choice::Export(ExportTarget {
                group: Some(group.clone()),
                kind: ExportKind::ProformaCur,
            }),
        ));
        (format!("Export {group}, {}", st.period()), options)
    } else if st.tab == Tab::Reconcile {
        let options = FORMATS
            .iter()
            .map(|(f, label)| {
                (
                    format!("Every group's statement, {label}"),
                    Choice::Export(ExportTarget {
                        group: None,
                        kind: ExportKind::Statement(*f),
                    }),
                )
            })
            .collect();
        (format!("Export statements, {}", st.period()), options)
    } else {
        st.refuse(
            "E exports from the Billing groups tab (one group) or the Reconcile tab (every group's statement)",
        );
        return;
    };
    st.mode = Mode::Picker(Picker {
        title,
        options,
        selected: 0,
        size: (60, 40),
    });
}

/// A kind was picked: ask where to write it.
pub fn ask_path(st: &mut State, target: ExportTarget) {
    let mut p = Prompt::new(PromptFor::ExportPath);
    p.text = target.default_path(st).display().to_string();
    st.pending_export = Some(target);
    st.mode = Mode::Prompt(p);
}

/// The path typed, relative paths taken from the workspace's directory.
pub fn resolve(st: &State, typed: &str) -> PathBuf {
    let p = Path::new(typed.trim());
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        st.ws_dir.join(p)
    }
}
