//! The benchmark workspace: the sample generator's month at a given size with the demo
//! configuration, built once under target/bench-data.

use proforma::cur::Source;
use proforma::import::{Quiet, import};
use proforma::interop::toml_config;
use proforma::period::BillingPeriod;
use proforma::sample::{self, SampleSpec};
use proforma::store::Workspace;
use std::path::{Path, PathBuf};

/// Lines of the benchmark month (`PROFORMA_BENCH_LINES`, default 1,000,000).
pub fn lines() -> u64 {
    std::env::var("PROFORMA_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

pub fn workspace(lines: u64) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("bench-{lines}.proforma"));
    if path.exists() {
        return path;
    }
    eprintln!("building {} (once)...", path.display());
    let period: BillingPeriod = "2026-10".parse().unwrap();
    let spec = SampleSpec {
        lines_per_month: lines.saturating_sub(900),
        first_period: period,
        months: 1,
        ..SampleSpec::default()
    };
    let csv = dir.join(format!("cur-{lines}.csv"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
    sample::write_month(&spec, period, &mut out).unwrap();
    drop(out);
    let tmp = dir.join(format!("bench-{lines}.building"));
    let _ = std::fs::remove_file(&tmp);
    {
        let mut ws = Workspace::create(&tmp).unwrap();
        import(&mut ws, &[Source::File(csv.clone())], &Quiet).unwrap();
        let config = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/config.toml"),
        )
        .unwrap();
        let parsed = toml_config::parse(&config, &ws.validation_context().unwrap().payers).unwrap();
        ws.replace_config(period, &parsed.config, None).unwrap();
        ws.checkpoint().unwrap();
    }
    std::fs::remove_file(&csv).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    path
}
