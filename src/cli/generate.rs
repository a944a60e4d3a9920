use crate::sample::{self, ConfigSpec, SampleSpec};
use color_eyre::eyre::{WrapErr, eyre};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// The layout `generate-sample` writes the cost files in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleFormat {
    /// Legacy CUR CSV (`lineItem/UnblendedCost`, ...)
    Legacy,
    /// CUR 2.0 (Data Exports) CSV, map columns as JSON objects
    Cur2Csv,
    /// CUR 2.0 (Data Exports) Parquet, map columns as Parquet maps
    Cur2Parquet,
    /// FOCUS 1.2 with AWS's x_ columns, CSV (Tags and x_CostCategories as JSON objects)
    FocusCsv,
    /// FOCUS 1.2 with AWS's x_ columns, Parquet (Tags and x_CostCategories as Parquet maps)
    FocusParquet,
}

/// Writes the sample into `out`: per month one CSV per payer (`cur-YYYY-MM.csv[.gz]` for one
/// payer, `cur-YYYY-MM-<payer id>.csv[.gz]` for several), `accounts.json`, and with `config`
/// a `config.toml`. Bad counts fail before anything is written.
pub fn run(
    out: &Path,
    spec: &SampleSpec,
    config: Option<&ConfigSpec>,
    gzip: bool,
    format: SampleFormat,
) -> color_eyre::Result<()> {
    spec.check().map_err(|e| eyre!("generate-sample: {e}"))?;
    let config_text = config
        .map(|c| sample::config_toml(spec, c, spec.first_period))
        .transpose()
        .map_err(|e| eyre!("generate-sample: {e}"))?;
    std::fs::create_dir_all(out).wrap_err_with(|| format!("creating {}", out.display()))?;
    let mut period = spec.first_period;
    for _ in 0..spec.months {
        for payer in 0..spec.payers {
            let prefix = match format {
                SampleFormat::FocusCsv | SampleFormat::FocusParquet => "focus",
                _ => "cur",
            };
            let stem = if spec.payers == 1 {
                format!("{prefix}-{period}")
            } else {
                format!("{prefix}-{period}-{}", sample::payer_id(payer))
            };
            let name = match format {
                SampleFormat::Cur2Parquet | SampleFormat::FocusParquet => {
                    format!("{stem}.parquet")
                }
                _ => format!("{stem}.csv{}", if gzip { ".gz" } else { "" }),
            };
            let path = out.join(&name);
            let rows = if format == SampleFormat::Legacy {
                write_csv(&path, gzip, |w| {
                    sample::write_payer_month(spec, payer, period, w)
                })?
            } else {
                // The legacy rows first (a temporary file), then rewritten as CUR 2.0 or FOCUS:
                // the same rows in each layout.
                let mut legacy = tempfile::tempfile().wrap_err("creating a temporary file")?;
                {
                    let mut w = BufWriter::with_capacity(1 << 20, &mut legacy);
                    sample::write_payer_month(spec, payer, period, &mut w)?;
                    w.flush()?;
                }
                use std::io::Seek;
                legacy.seek(std::io::SeekFrom::Start(0))?;
                let input = std::io::BufReader::with_capacity(1 << 20, legacy);
                // About eight row groups a file (at least 8,192 rows each), so readers that
                // share row groups among workers have some to share.
                let group_rows = usize::try_from(spec.lines_per_month / 8)
                    .unwrap_or(usize::MAX)
                    .max(8192);
                let create =
                    || File::create(&path).wrap_err_with(|| format!("creating {}", path.display()));
                match format {
                    SampleFormat::Cur2Parquet => {
                        crate::sample_cur2::legacy_to_cur2_parquet(input, create()?, group_rows)?
                    }
                    SampleFormat::FocusParquet => {
                        crate::sample_focus::legacy_to_focus_parquet(input, create()?, group_rows)?
                    }
                    SampleFormat::FocusCsv => write_csv(&path, gzip, |w| {
                        crate::sample_focus::legacy_to_focus_csv(input, w)
                    })?,
                    _ => write_csv(&path, gzip, |w| {
                        crate::sample_cur2::legacy_to_cur2_csv(input, w)
                    })?,
                }
            };
            println!("wrote {} ({rows} rows)", path.display());
        }
        period = period.next();
    }
    let accounts = out.join("accounts.json");
    std::fs::write(&accounts, sample::accounts_json_for(spec))
        .wrap_err_with(|| format!("writing {}", accounts.display()))?;
    println!("wrote {}", accounts.display());
    if let Some(text) = config_text {
        let path = out.join("config.toml");
        std::fs::write(&path, text).wrap_err_with(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// Writes the demo's billing transfer organisations ([`sample::TRANSFER_ORGS`]) for the
/// spec's months: `transfers-YYYY-MM.csv[.gz]` and `transfer-accounts.json`.
pub fn transfers(out: &Path, spec: &SampleSpec, gzip: bool) -> color_eyre::Result<()> {
    let mut period = spec.first_period;
    for _ in 0..spec.months {
        let path = out.join(format!(
            "transfers-{period}.csv{}",
            if gzip { ".gz" } else { "" }
        ));
        let rows = write_csv(&path, gzip, |w| {
            sample::write_transfer_orgs_month(period, w)
        })?;
        println!("wrote {} ({rows} rows)", path.display());
        period = period.next();
    }
    let accounts = out.join("transfer-accounts.json");
    std::fs::write(&accounts, sample::transfer_accounts_json())
        .wrap_err_with(|| format!("writing {}", accounts.display()))?;
    println!("wrote {}", accounts.display());
    Ok(())
}

/// Creates `path` and lets `f` write CSV into it, gzip-compressed when `gzip`.
fn write_csv(
    path: &Path,
    gzip: bool,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<u64>,
) -> color_eyre::Result<u64> {
    let mut file = BufWriter::with_capacity(
        1 << 20,
        File::create(path).wrap_err_with(|| format!("creating {}", path.display()))?,
    );
    let rows = if gzip {
        let mut gz = flate2::write::GzEncoder::new(&mut file, flate2::Compression::new(9));
        let rows = f(&mut gz)?;
        gz.finish()?;
        rows
    } else {
        f(&mut file)?
    };
    file.flush()?;
    Ok(rows)
}
