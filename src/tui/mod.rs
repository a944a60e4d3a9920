//! The terminal UI: a guard that always restores the terminal, the event loop, and the mapping
//! of keys and mouse to application actions. Logs go to a file while the TUI owns the screen.

pub mod draw;
mod fit;
pub mod keymap;
mod popup;
pub mod theme;

use crate::app::{Action, App};
use draw::Hits;
use keymap::{Context, Keymap};
use ratatui::crossterm::event::{
    self, Event, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::crossterm::{execute, terminal};
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use theme::Theme;

/// The application and everything drawing it needs.
pub struct Session {
    pub app: App,
    pub keymap: Keymap,
    pub theme: Theme,
    pub hits: Hits,
    /// Scroll offset per screen, so the window moves only when the selection leaves it.
    pub offsets: HashMap<String, usize>,
    /// Keymap or theme warnings, shown until the first action.
    pub startup_warning: Option<String>,
}

fn config_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|d| d.join("proforma"))
}

fn read_user(name: &str) -> Option<(String, String)> {
    let path = config_dir()?.join(name);
    let text = std::fs::read_to_string(&path).ok()?;
    Some((path.display().to_string(), text))
}

/// The first key of every action, for the application's messages.
fn key_names(keymap: &Keymap) -> crate::app::action::KeyNames {
    let mut names = crate::app::action::KeyNames::default();
    for a in Action::ALL {
        names.list.insert(*a, keymap.first_key(*a, Context::List));
        names.text.insert(*a, keymap.first_key(*a, Context::Text));
    }
    names
}

impl Session {
    /// A session with the default keymap and theme plus the user's overrides.
    pub fn new(app: App) -> Session {
        let user_keys = read_user("keymap.toml");
        let user_theme = read_user("theme.toml");
        let (keymap, mut warnings) =
            Keymap::load(user_keys.as_ref().map(|(p, t)| (p.as_str(), t.as_str())));
        // NO_COLOR (https://no-color.org): no colours; selection and active tab by reverse video.
        let (theme, w) = Theme::load_with(
            user_theme.as_ref().map(|(p, t)| (p.as_str(), t.as_str())),
            theme::no_color_requested(),
        );
        warnings.extend(w);
        for w in &warnings {
            tracing::warn!("{w}");
        }
        let startup_warning = warnings.first().map(|w| {
            format!(
                "warning: {w}{}",
                if warnings.len() > 1 {
                    " (more in the log)"
                } else {
                    ""
                }
            )
        });
        let mut app = app;
        // Shown like any message until the first key: whole, in a box when it is long.
        if let Some(w) = &startup_warning {
            app.status.0 = Some(w.clone());
        }
        app.keys = key_names(&keymap);
        app.rebuild();
        Session {
            app,
            keymap,
            theme,
            hits: Hits::default(),
            offsets: HashMap::new(),
            startup_warning,
        }
    }

    /// With only the built-in keymap and theme (tests, reproducible screenshots).
    pub fn with_defaults(mut app: App) -> Session {
        let keymap = Keymap::load(None).0;
        app.keys = key_names(&keymap);
        app.rebuild();
        Session {
            app,
            keymap,
            theme: Theme::load(None).0,
            hits: Hits::default(),
            offsets: HashMap::new(),
            startup_warning: None,
        }
    }

    pub fn key(&mut self, e: KeyEvent) {
        if e.kind == KeyEventKind::Release {
            return;
        }
        self.startup_warning = None;
        // Every key goes through the keymap: the `[text]` table where characters are text
        // (forms, prompts, questions, the filter), the main table elsewhere.
        let action = if self.app.mode.takes_text() {
            match self.keymap.action(&e, Context::Text) {
                Some(a) => Some(a),
                // Keys the filter line does not take still move through the rows.
                None if self.app.filtering() => self
                    .keymap
                    .action(&e, Context::List)
                    .filter(|a| a.is_movement()),
                None => None,
            }
        } else {
            self.keymap.action(&e, Context::List)
        };
        if let Some(a) = action {
            tracing::debug!(?a, "key");
            // Paging moves by the rows the table showed in the last frame.
            self.app.page = self.hits.page.max(1);
            self.app.modal_extent = self.hits.modal;
            self.app.shown_columns.clone_from(&self.hits.columns);
            self.app.update(a);
        }
    }

    pub fn mouse(&mut self, m: MouseEvent) {
        match m.kind {
            MouseEventKind::ScrollDown => self.app.update(Action::Down),
            MouseEventKind::ScrollUp => self.app.update(Action::Up),
            MouseEventKind::Down(MouseButton::Left) => {
                if m.row == self.hits.tab_row {
                    if let Some((_, _, t)) = self
                        .hits
                        .tabs
                        .iter()
                        .find(|(a, b, _)| (*a..*b).contains(&m.column))
                    {
                        self.app.update(Action::of_tab(*t));
                    }
                } else {
                    let b = self.hits.body;
                    if b.height > 0
                        && (b.y..b.y + b.height).contains(&m.row)
                        && (b.x..b.x + b.width).contains(&m.column)
                    {
                        let i = self.hits.offset + usize::from(m.row - b.y);
                        if self.app.selection() == i {
                            self.app.update(Action::Open);
                        } else {
                            self.app.update(Action::Select(i));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Puts the terminal back: raw mode off, main screen, no mouse capture, cursor shown.
fn restore() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        event::DisableMouseCapture,
        terminal::LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
}

/// Restores the terminal when dropped, whichever way the TUI ends.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        // On panic, restore before the message prints, so it is readable.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        terminal::enable_raw_mode()?;
        let guard = TerminalGuard;
        execute!(
            io::stdout(),
            terminal::EnterAlternateScreen,
            event::EnableMouseCapture,
            ratatui::crossterm::cursor::Hide
        )?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Where the log goes while the TUI owns the screen.
pub fn log_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("proforma").join("proforma.log"))
}

/// Opens the log for appending, readable by the owner only (0600, directory 0700 when
/// created), whatever the umask: it may quote billing data.
fn open_log(path: &Path) -> Option<std::fs::File> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path.parent()?)
        .ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .ok()?;
    // Also narrows a log created by an older build with the umask's mode.
    let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
    Some(file)
}

fn init_logging() -> Option<PathBuf> {
    let path = log_path()?;
    let file = open_log(&path)?;
    let level = if std::env::var_os("PROFORMA_DEBUG").is_some() {
        tracing::Level::DEBUG
    } else {
        tracing::Level::INFO
    };
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .finish();
    tracing::subscriber::set_global_default(subscriber).ok()?;
    Some(path)
}

/// The TUI was ended by SIGTERM, SIGHUP or SIGINT: it left through the same path as `q`
/// (terminal restored, log closed); the process exits with 128 + the signal's number.
#[derive(Debug, thiserror::Error)]
#[error("proforma: stopped by {}; the terminal was restored", signal_name(*.signal))]
pub struct Stopped {
    pub signal: i32,
}

impl Stopped {
    /// 128 + the signal number: 129 (SIGHUP), 130 (SIGINT), 143 (SIGTERM).
    pub fn exit_code(&self) -> u8 {
        u8::try_from(128 + self.signal).unwrap_or(1)
    }
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        signal_hook::consts::SIGTERM => "SIGTERM",
        signal_hook::consts::SIGHUP => "SIGHUP",
        signal_hook::consts::SIGINT => "SIGINT",
        _ => "a signal",
    }
}

/// While alive, SIGTERM, SIGHUP and SIGINT only record which arrived (no default action), so
/// the event loop can quit and restore the terminal; dropped, the default actions return.
struct StopSignals {
    received: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    ids: Vec<signal_hook::SigId>,
}

impl StopSignals {
    fn register() -> io::Result<StopSignals> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut ids = Vec::new();
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            // Signal numbers are small positive integers.
            let value = usize::try_from(sig).unwrap_or(usize::MAX);
            ids.push(signal_hook::flag::register_usize(
                sig,
                received.clone(),
                value,
            )?);
        }
        Ok(StopSignals { received, ids })
    }

    /// The signal that arrived, if any.
    fn received(&self) -> Option<i32> {
        match self.received.load(std::sync::atomic::Ordering::SeqCst) {
            0 => None,
            n => i32::try_from(n).ok(),
        }
    }
}

/// Ends the process when the event loop cannot: crossterm's reader spins forever on a
/// terminal that went away (a closed tmux pane or ssh session: every read returns end of
/// file, and its inner loop never returns), so the loop never sees the SIGHUP that came with
/// it, nor a later SIGTERM. This thread notices a stop signal, or a hung-up terminal (poll
/// reports POLLHUP on it), marks the stop for the loop (a hang-up counts as SIGHUP), and if the
/// loop has not finished a second later, restores the terminal as far as it still can and
/// exits with 128 + the signal. Nothing saved is lost: every save is a committed transaction
/// (the workspace's WAL is folded in by the next open).
struct Watchdog {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Watchdog {
    fn start(signals: &StopSignals) -> Watchdog {
        use std::sync::atomic::Ordering::SeqCst;
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let received = signals.received.clone();
        let finished = done.clone();
        let spawned = std::thread::Builder::new()
            .name("tui-watchdog".into())
            .spawn(move || {
                let tick = std::time::Duration::from_millis(100);
                let mut since: Option<std::time::Instant> = None;
                loop {
                    std::thread::sleep(tick);
                    if finished.load(SeqCst) {
                        return;
                    }
                    if received.load(SeqCst) == 0 && terminal_hung_up() {
                        let hup = usize::try_from(signal_hook::consts::SIGHUP).unwrap_or(1);
                        let _ = received.compare_exchange(0, hup, SeqCst, SeqCst);
                    }
                    let signal = received.load(SeqCst);
                    if signal == 0 {
                        continue;
                    }
                    let first = *since.get_or_insert_with(std::time::Instant::now);
                    if first.elapsed() < std::time::Duration::from_secs(1) {
                        continue;
                    }
                    if finished.load(SeqCst) {
                        return;
                    }
                    tracing::warn!(
                        signal,
                        "the event loop did not stop; exiting from the watchdog"
                    );
                    restore();
                    let code = 128 + i32::try_from(signal).unwrap_or(1);
                    std::process::exit(code);
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("no watchdog thread: {e}");
        }
        Watchdog { done }
    }

    /// The event loop has ended: the watchdog stands down.
    fn stand_down(&self) {
        self.done.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Whether the terminal the TUI reads from was hung up (its pane or session closed). Reads
/// the terminal crossterm reads: standard input when it is a terminal, else `/dev/tty`.
fn terminal_hung_up() -> bool {
    use rustix::event::{PollFd, PollFlags, poll};
    use std::io::IsTerminal;
    use std::os::fd::AsFd;
    let check = |fd: std::os::fd::BorrowedFd<'_>| {
        let mut fds = [PollFd::new(&fd, PollFlags::empty())];
        let zero = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        match poll(&mut fds, Some(&zero)) {
            Ok(_) => fds[0]
                .revents()
                .intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL),
            Err(_) => false,
        }
    };
    let stdin = io::stdin();
    if stdin.is_terminal() {
        return check(stdin.as_fd());
    }
    // The controlling terminal is gone when it can no longer be opened.
    match std::fs::File::open("/dev/tty") {
        Ok(tty) => check(tty.as_fd()),
        Err(_) => true,
    }
}

impl Drop for StopSignals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Checks about once a second that the workspace path still names the file the TUI opened,
/// and says so on the status line (once) when it was deleted or replaced: its saves are
/// refused from then on (see `Workspace::check_still_there`).
#[derive(Default)]
struct FileCheck {
    last: Option<std::time::Instant>,
    warned: bool,
}

impl FileCheck {
    /// True when it just put the warning on the status line (the screen needs drawing).
    fn warn(&mut self, app: &mut App) -> bool {
        if self.warned || self.last.is_some_and(|t| t.elapsed().as_millis() < 1000) {
            return false;
        }
        self.last = Some(std::time::Instant::now());
        match app.ws.check_still_there() {
            Ok(()) => false,
            Err(e) => {
                tracing::warn!("{e}");
                self.warned = true;
                app.status.0 = Some(format!(
                    "the workspace file was deleted or replaced since it was opened: {}; changes can no longer be saved (quit, then open the file again)",
                    app.ws.path().display()
                ));
                true
            }
        }
    }
}

/// Opens the TUI on a workspace until the user quits (or a signal asks it to stop, see
/// [`Stopped`]).
pub fn run(path: &Path) -> color_eyre::Result<()> {
    let log = init_logging();
    let started = std::time::Instant::now();
    // A read-only workspace opens for browsing; its saves are refused with the reason.
    let ws = crate::store::Workspace::open_for_reading(path)?;
    let label = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let app = App::load(ws, label)?;
    let mut session = Session::new(app);
    tracing::info!(workspace = %path.display(), log = ?log, "opening");

    let signals = StopSignals::register()?;
    let guard = TerminalGuard::enter().map_err(|e| {
        color_eyre::eyre::eyre!(
            "the terminal UI needs a terminal, and none can be used here ({e}); for text output use `proforma report {}`",
            path.display()
        )
    })?;
    let mut term = ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))?;
    term.clear()?;
    let mut first = true;
    let mut file_check = FileCheck::default();
    let watchdog = Watchdog::start(&signals);
    let result = (|| -> color_eyre::Result<()> {
        loop {
            term.draw(|f| draw::draw(f, &mut session))?;
            if first {
                tracing::info!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "first frame"
                );
                first = false;
            }
            if session.app.quit || signals.received().is_some() {
                return Ok(());
            }
            // Wake up now and then for the recompute worker's results, for signals, for a
            // deleted or replaced workspace file, and to notice other processes' changes to
            // the workspace (every 250 ms, see App::poll_outside).
            let mut changed = false;
            while !event::poll(std::time::Duration::from_millis(25))? {
                if signals.received().is_some() {
                    return Ok(());
                }
                if session.app.poll_worker()
                    | session.app.poll_outside()
                    | file_check.warn(&mut session.app)
                {
                    changed = true;
                    break;
                }
            }
            // Keys arriving without pause must not hide other processes' changes either.
            if !changed && session.app.poll_outside() {
                continue;
            }
            if !event::poll(std::time::Duration::ZERO)? {
                continue;
            }
            match event::read()? {
                Event::Key(k) => session.key(k),
                Event::Mouse(m) => session.mouse(m),
                Event::Resize(_, _) => session.app.update(Action::Redraw),
                _ => {}
            }
        }
    })();
    watchdog.stand_down();
    drop(term);
    drop(guard);
    let stopped_by = signals.received();
    drop(signals);
    tracing::info!(ok = result.is_ok(), signal = ?stopped_by, "closed");
    match stopped_by {
        // A poll interrupted by the signal is not a failure: the signal asked to stop.
        Some(signal) => Err(Stopped { signal }.into()),
        None => result,
    }
}
