//! `proforma demo`: the sample workspace, built once from the sample data embedded in the
//! binary (so it works from any directory), then shown.

use super::import::print_summary;
use crate::cur::Source;
use crate::import::{self, Quiet};
use crate::interop::toml_config;
use crate::money::fmt_grouped;
use crate::period::BillingPeriod;
use crate::store::Workspace;
use color_eyre::eyre::{WrapErr, eyre};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The demo configuration (five groups, plans using every rule scope and type, custom line
/// items, custom views), in force from the first sample month.
pub const SAMPLE_CONFIG: &str = include_str!("../../sample-data/config.toml");
const SAMPLE_FIRST_PERIOD: &str = "2026-09";

use crate::sample_data::SAMPLE_FILES;

/// `$XDG_DATA_HOME/proforma/demo.proforma`, else `~/.local/share/proforma/demo.proforma`.
pub fn default_path() -> color_eyre::Result<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| eyre!("neither XDG_DATA_HOME nor HOME is set; pass --workspace PATH"))?;
    Ok(base.join("proforma").join("demo.proforma"))
}

/// `println!` that treats a reader gone away (`demo | head`) as done, not as a panic.
macro_rules! say {
    ($($t:tt)*) => {
        super::table::emit(&format!("{}\n", format_args!($($t)*)))?
    };
}

/// `reset`: rebuild the demo workspace from the embedded sample even when it exists (a clean
/// state before a customer demo; edits made in it are gone).
pub fn run(workspace: Option<PathBuf>, reset: bool) -> color_eyre::Result<super::Next> {
    // A mistyped import budget is refused as `import` refuses it, before anything is built.
    crate::cur::import_budget().map_err(|e| eyre!(e))?;
    let path = match workspace {
        Some(p) => p,
        None => default_path()?,
    };
    if reset && path.exists() {
        build(&path)?;
        say!(
            "demo workspace: {} (rebuilt from the embedded sample: earlier edits are gone)",
            path.display()
        );
    } else if path.exists() {
        say!("demo workspace: {} (already built)", path.display());
    } else {
        build(&path)?;
        say!(
            "demo workspace: {} (built from the embedded sample)",
            path.display()
        );
    }
    // A terminal gets the TUI; pipes and tests get the summary below.
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok(super::Next::OpenTui(path));
    }
    let ws = Workspace::open(&path)?;
    for d in ws.deliveries()? {
        say!(
            "  payer {} {}: {} rows, billable {} {cur}, tax {} {cur}, usage {} to {}",
            d.payer,
            d.period,
            d.rows,
            fmt_grouped(d.billable),
            fmt_grouped(d.tax),
            d.first_day.as_deref().unwrap_or("?"),
            d.last_day.as_deref().unwrap_or("?"),
            cur = d.currency,
        );
    }
    let accounts = ws.accounts()?;
    say!(
        "  {} accounts, {} with names",
        accounts.len(),
        accounts.iter().filter(|a| a.name.is_some()).count()
    );
    let latest = ws.deliveries()?.into_iter().map(|d| d.period).max();
    if let Some(p) = latest {
        let analysis = crate::analysis::Analysis::load(&ws, p)?;
        // The first one-group report reads only that group's lines.
        analysis.keep_ready(&ws);
        say!("\nbilling groups, {p}:");
        // As the TUI and `report` show them (footed, SPEC 5).
        let shown = analysis.shown_invoice();
        for (r, a) in analysis
            .group_reports()
            .iter()
            .zip(&shown.groups)
            .filter(|(r, _)| analysis.listed_group(r.group))
        {
            say!(
                "  {:<10} AWS cost {:>12}  pro forma {:>12}  margin {:>10}",
                r.name,
                fmt_grouped(a.aws),
                fmt_grouped(a.proforma.unwrap_or_default()),
                fmt_grouped(a.margin.unwrap_or_default())
            );
        }
    }
    if let Some(p) = latest {
        let analysis = crate::analysis::Analysis::load(&ws, p)?;
        let levels = analysis.config.transfer_levels(p);
        if !levels.is_empty() {
            say!(
                "\nbilling transfers, {p} (what the bill-transfer account pays / what the source sees):"
            );
        }
        for l in levels {
            let t = &analysis.config.transfers[l.transfer];
            let mine = analysis.transfer_view_report(
                crate::analysis::TransferView::MyView,
                &t.source_account,
                None,
            )?;
            let seen = analysis.transfer_view_report(
                crate::analysis::TransferView::Showback,
                &t.source_account,
                None,
            )?;
            let (mine, seen) = (analysis.shown_view(&mine), analysis.shown_view(&seen));
            say!(
                "  {:<10} level {}, paid by {}: {:>12} / {:>12}",
                t.name,
                l.level,
                t.transfer_account,
                fmt_grouped(mine.total.aws),
                fmt_grouped(seen.total.aws)
            );
        }
    }
    let ws_path = path.display();
    say!("\ntry: proforma report {ws_path} --period 2026-10");
    say!("     proforma report {ws_path} --period 2026-10 --group retail --group-by PRODUCT_NAME");
    say!(
        "     proforma report {ws_path} --period 2026-10 --view custom:Commerce --group-by LINKED_ACCOUNT"
    );
    say!("     proforma explain {ws_path} --period 2026-10 --group retail");
    say!("     proforma report {ws_path} --period 2026-10 --view showback:420000000000");
    Ok(super::Next::Exit)
}

/// Builds into a temporary file and renames it into place, so an interrupted build never
/// leaves a half-filled demo workspace behind.
fn build(path: &Path) -> color_eyre::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Directories made here are the owner's only (0700), whatever the umask: the
        // workspace inside holds billing data and nobody else may replace it or plant a
        // `-wal` beside it (issue 8 item 14).
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .wrap_err_with(|| format!("creating {}", dir.display()))?;
    }
    let tmp = path.with_extension("building");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
    }
    // A build that fails leaves nothing behind (README: a command that fails writes nothing).
    let built = (|| -> color_eyre::Result<()> {
        let mut ws = Workspace::create(&tmp)?;
        let sources: Vec<Source> = SAMPLE_FILES
            .iter()
            .map(|(name, bytes)| Source::Embedded {
                name: (*name).to_string(),
                bytes,
            })
            .collect();
        let report = import::import(&mut ws, &sources, &Quiet)?;
        print_summary(&report)?;
        let payers = ws.validation_context()?.payers;
        let parsed = toml_config::parse(SAMPLE_CONFIG, &payers)
            .map_err(|e| eyre!("sample-data/config.toml: {e}"))?;
        let from: BillingPeriod = SAMPLE_FIRST_PERIOD.parse()?;
        ws.replace_config(from, &parsed.config, Some("demo configuration"))
            .map_err(|e| eyre!("sample-data/config.toml: {e}"))?;
        ws.checkpoint()?;
        Ok(())
    })();
    if let Err(e) = built {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        }
        return Err(e);
    }
    // Replacing an earlier demo: its -wal and -shm must not outlive it, or the next open
    // would replay the old workspace's pages into the new file.
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::remove_file(&side).wrap_err_with(|| format!("removing {}", side.display()))?;
        }
    }
    std::fs::rename(&tmp, path)
        .wrap_err_with(|| format!("moving the demo workspace to {}", path.display()))?;
    Ok(())
}
