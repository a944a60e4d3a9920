//! Issue 9 screen defects on a TestBackend: History's field-by-field before/after with names
//! instead of ARNs, the custom line item end month, NO_COLOR, and 80x24 (the name column
//! shrinks last, numbers are never cut, the tab bar fits whole labels, the footer keeps `/`
//! and `s`).

mod common;

use common::tui::{demo_copy, open, press, screen_at};
use proforma::model::{Change, Object};
use proforma::store::Workspace;
use proforma::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// Audit times change with every run: a fixed placeholder in snapshots.
fn redact_times(s: &str) -> String {
    s.lines()
        .map(|l| {
            let chars: Vec<char> = l.chars().collect();
            let mut out = String::new();
            let mut i = 0;
            while i < chars.len() {
                let window: String = chars[i..chars.len().min(i + 19)].iter().collect();
                let is_time = window.len() == 19
                    && window.chars().enumerate().all(|(k, c)| match k {
                        4 | 7 => c == '-',
                        10 => c == ' ',
                        13 | 16 => c == ':',
                        _ => c.is_ascii_digit(),
                    });
                if is_time {
                    out.push_str("YYYY-MM-DD hh:mm:ss");
                    i += 19;
                } else {
                    out.push(chars[i]);
                    i += 1;
                }
            }
            out.trim_end().to_string() + "\n"
        })
        .collect()
}

use common::tui::buffer_at;

fn line(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect()
}

/// Edits the demo's `standard-markup` plan from 2026-10: one rule out, one in, a description.
fn edit_a_plan(path: &std::path::Path) {
    let mut ws = Workspace::open(path).unwrap();
    let p = "2026-10".parse().unwrap();
    let config = ws.config_at(p).unwrap();
    let mut plan = config
        .plans
        .iter()
        .find(|x| x.name == "standard-markup")
        .unwrap()
        .clone();
    let s3 = config
        .rules
        .iter()
        .find(|r| r.name == "s3-storage-tiers")
        .unwrap();
    let cloudfront = config
        .rules
        .iter()
        .find(|r| r.name == "cloudfront-markup-20")
        .unwrap();
    plan.rules.retain(|r| *r != s3.arn);
    plan.rules.push(cloudfront.arn.clone());
    plan.description = "Standard markup, CDN included".into();
    ws.apply_changes(p, &[Change::Put(Object::Plan(plan))], Some("CDN markup"))
        .unwrap();
}

#[test]
fn history_shows_an_edit_field_by_field_with_names_and_marks() {
    let (_dir, path) = demo_copy();
    edit_a_plan(&path);
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut s = open(&path);
        press(&mut s, &["9"]);
        screen_at(&mut s, w, h);
        let screen = redact_times(&screen_at(&mut s, w, h));
        assert!(
            screen.contains("edit pricing plan standard-markup, 2026-10 on"),
            "{screen}"
        );
        // The changed fields are marked; the unchanged name is not.
        assert!(screen.contains("* Rules"), "{screen}");
        assert!(screen.contains("* Description"), "{screen}");
        assert!(screen.contains("  Name "), "{screen}");
        assert!(!screen.contains("* Name"), "{screen}");
        // Rule names, not ARNs; what left and what came.
        assert!(screen.contains("- s3-storage-tiers"), "{screen}");
        assert!(screen.contains("+ cloudfront-markup-20"), "{screen}");
        assert!(!screen.contains("arn:"), "{screen}");
        insta::assert_snapshot!(format!("history_edit_{w}x{h}"), screen);
    }
}

#[test]
fn history_shows_a_created_group_with_its_plan_and_accounts_named() {
    let (_dir, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["9"]);
    let pos = s
        .app
        .visible
        .iter()
        .position(|&r| s.app.model.rows[r][3] == "billing group retail")
        .expect("the demo's creation of retail is in the history");
    s.app.update(proforma::app::Action::Select(pos));
    let screen = screen_at(&mut s, 120, 40);
    assert!(screen.contains("created"), "{screen}");
    assert!(
        screen.contains("Pricing plan     standard-markup"),
        "{screen}"
    );
    assert!(
        screen.contains("304857112600 (retail-web-prod)"),
        "{screen}"
    );
    assert!(!screen.contains("arn:"), "{screen}");
}

#[test]
fn custom_line_items_say_their_end_month_is_exclusive() {
    let (_dir, path) = demo_copy();
    let mut s = open(&path);
    press(&mut s, &["5"]);
    let screen = screen_at(&mut s, 160, 30);
    assert!(screen.contains("To (exclusive)"), "{screen}");
    // The demo's items have no end: recurring, said in words.
    assert!(screen.contains("recurring"), "{screen}");
    assert!(!screen.contains("Until"), "{screen}");
}

#[test]
fn no_color_draws_without_colours_and_keeps_selection_and_tab_visible() {
    let (_dir, path) = demo_copy();
    let mut s = open(&path);
    s.theme = Theme::load_with(None, true).0;
    for tab in ["1", "2", "4"] {
        press(&mut s, &[tab]);
        let buf = buffer_at(&mut s, 80, 24);
        for y in 0..24 {
            for x in 0..80 {
                let c = &buf[(x, y)];
                assert_eq!((c.fg, c.bg), (Color::Reset, Color::Reset), "({x},{y})");
            }
        }
        // The active tab: marked > and in reverse video and bold.
        let tabs = line(&buf, 1);
        let at = tabs
            .find(&format!(">{tab} "))
            .unwrap_or_else(|| panic!("no marker in {tabs}"));
        let x = tabs[..at].chars().count() as u16;
        let m = buf[(x + 1, 1)].modifier;
        assert!(
            m.contains(Modifier::REVERSED) && m.contains(Modifier::BOLD),
            "{m:?}"
        );
        assert_eq!(tabs.matches('>').count(), 1, "{tabs}");
        // The selected row (the first, under the header) in reverse video; the next not.
        assert!(buf[(5, 4)].modifier.contains(Modifier::REVERSED));
        assert!(!buf[(5, 5)].modifier.contains(Modifier::REVERSED));
    }
    // A picker's selection too.
    press(&mut s, &["v"]);
    let buf = buffer_at(&mut s, 80, 24);
    let y = (0..24)
        .find(|&y| line(&buf, y).contains("Primary View  (PRIMARY"))
        .expect("the view picker lists the primary view");
    let x = line(&buf, y).find("Primary View").unwrap();
    let x = line(&buf, y)[..x].chars().count() as u16;
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
    assert!(!buf[(x, y + 1)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn with_colour_the_active_tab_has_no_marker() {
    let (_dir, path) = demo_copy();
    let mut s = open(&path);
    let buf = buffer_at(&mut s, 80, 24);
    assert!(!line(&buf, 1).contains('>'));
    assert_ne!(buf[(2, 1)].bg, Color::Reset, "the active tab has a colour");
}

#[test]
fn at_80x24_labels_are_whole_and_the_footer_keeps_filter_and_sort() {
    let (_dir, path) = demo_copy();
    let mut s = open(&path);
    for tab in ["1", "2", "3", "4", "5", "6", "7", "8", "9"] {
        press(&mut s, &[tab]);
        let screen = screen_at(&mut s, 80, 24);
        let lines: Vec<&str> = screen.lines().collect();
        let tabs = lines[1].trim_end();
        for label in [
            "1 Overview",
            "2 Groups",
            "3 Plans",
            "4 Rules",
            "5 Items",
            "6 Accts",
            "7 Views",
            "8 Recon",
            "9 History",
        ] {
            assert!(tabs.contains(label), "tab {tab}: {tabs}");
        }
        let footer = lines[23];
        for hint in ["? help", "/ filter", "s sort"] {
            assert!(footer.contains(hint), "tab {tab}: {footer}");
        }
    }
    // Narrower still: whole numbers, no cut label.
    let screen = screen_at(&mut s, 40, 24);
    let tabs = screen.lines().nth(1).unwrap().trim_end().to_string();
    assert!(tabs.contains("9 History"), "{tabs}");
    for n in 1..=8 {
        assert!(tabs.contains(&n.to_string()), "{tabs}");
    }
}

#[test]
fn at_80_columns_names_and_numbers_are_whole() {
    let (_dir, path) = demo_copy();
    let mut s = open(&path);
    // Rules: every rule name whole.
    press(&mut s, &["4"]);
    let screen = screen_at(&mut s, 80, 24);
    for r in &s.app.data.config.rules {
        assert!(screen.contains(&r.name), "{} cut:\n{screen}", r.name);
    }
    // Overview and billing groups: every number of the wide screen's table, whole.
    for tab in ["1", "2"] {
        press(&mut s, &[tab]);
        let wide = screen_at(&mut s, 160, 40);
        let narrow = screen_at(&mut s, 80, 24);
        let numbers = |t: &str| -> Vec<String> {
            t.split(|c: char| c.is_whitespace() || c == '│')
                .filter(|w| w.contains('.') && w.chars().any(|c| c.is_ascii_digit()))
                .filter(|w| w.chars().all(|c| c.is_ascii_digit() || ",.-%".contains(c)))
                .map(str::to_string)
                .collect()
        };
        let table_rows = |t: &str| -> String {
            t.lines()
                .skip(3)
                .take_while(|l| !l.starts_with('└'))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let want = numbers(&table_rows(&wide));
        assert!(!want.is_empty());
        let got = numbers(&table_rows(&narrow));
        for n in &want {
            assert!(got.contains(n), "tab {tab}: {n} missing at 80:\n{narrow}");
        }
        // Every group of the list (a level-2 transfer's group is in its views instead).
        let listed: Vec<&String> = (0..s.app.data.config.groups.len())
            .filter(|&g| s.app.data.listed_group(g))
            .map(|g| &s.app.data.config.groups[g].name)
            .collect();
        for name in listed {
            assert!(narrow.contains(&format!("│{name} ")), "{name}:\n{narrow}");
        }
    }
}

#[test]
fn an_edited_group_keeps_its_changed_plan_in_view_at_80x24() {
    let (_dir, path) = demo_copy();
    {
        let mut ws = Workspace::open(&path).unwrap();
        let p = "2026-10".parse().unwrap();
        let config = ws.config_at(p).unwrap();
        let partner = config
            .plans
            .iter()
            .find(|x| x.name == "partner-discount")
            .unwrap()
            .arn
            .clone();
        let mut g = config
            .groups
            .iter()
            .find(|g| g.name == "retail")
            .unwrap()
            .clone();
        g.plan = partner;
        ws.apply_changes(p, &[Change::Put(Object::Group(g))], None)
            .unwrap();
    }
    let mut s = open(&path);
    press(&mut s, &["9"]);
    screen_at(&mut s, 80, 24);
    let screen = screen_at(&mut s, 80, 24);
    // Eight accounts, unchanged: one line; the plan that changed, by name, in view.
    assert!(screen.contains("  Accounts "), "{screen}");
    assert!(screen.contains("* Pricing plan"), "{screen}");
    assert!(screen.contains("standard-markup"), "{screen}");
    assert!(screen.contains("partner-discount"), "{screen}");
    assert!(!screen.contains("arn:"), "{screen}");
}

#[test]
fn narrower_than_80_numbers_are_dropped_whole_never_cut() {
    let (_dir, path) = demo_copy();
    let mut s = open(&path);
    for width in [70u16, 60, 50, 40] {
        // The tabs of money tables (names there hold no digits to be confused with numbers).
        for tab in ["1", "2", "7"] {
            press(&mut s, &[tab]);
            let wide: Vec<String> = screen_at(&mut s, 200, 40)
                .split(|c: char| c.is_whitespace() || c == '│')
                .map(str::to_string)
                .collect();
            let screen = screen_at(&mut s, width, 24);
            // Every number shown is one of the wide screen's, whole (not cut at the edge).
            for token in screen
                .lines()
                .skip(3)
                .take(18)
                .flat_map(|l| l.split(|c: char| c.is_whitespace() || c == '│'))
                .filter(|t| {
                    t.contains('.') && t.chars().all(|c| c.is_ascii_digit() || ",.-%".contains(c))
                })
            {
                assert!(
                    wide.iter().any(|w| w == token),
                    "{token} is not a whole number at {width} columns, tab {tab}:\n{screen}"
                );
            }
            for l in screen.lines().skip(3).take(18) {
                let chars: Vec<char> = l.chars().collect();
                for w in chars.windows(2) {
                    assert!(
                        !(w[0].is_ascii_digit() && w[1] == '…'),
                        "a number cut at {width} columns, tab {tab}:\n{screen}"
                    );
                }
            }
        }
        // The rules' names keep 16 characters at least.
        press(&mut s, &["4"]);
        let screen = screen_at(&mut s, width, 24);
        for r in &s.app.data.config.rules {
            let shown: String = r.name.chars().take(15).collect();
            assert!(screen.contains(&shown), "{} at {width}:\n{screen}", r.name);
        }
    }
}
