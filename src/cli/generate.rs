use crate::sample::{self, ConfigSpec, SampleSpec};
use color_eyre::eyre::{WrapErr, eyre};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes the sample into `out`: per month one CSV per payer (`cur-YYYY-MM.csv[.gz]` for one
/// payer, `cur-YYYY-MM-<payer id>.csv[.gz]` for several), `accounts.json`, and with `config`
/// a `config.toml`. Bad counts fail before anything is written.
pub fn run(
    out: &Path,
    spec: &SampleSpec,
    config: Option<&ConfigSpec>,
    gzip: bool,
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
            let stem = if spec.payers == 1 {
                format!("cur-{period}")
            } else {
                format!("cur-{period}-{}", sample::payer_id(payer))
            };
            let name = format!("{stem}.csv{}", if gzip { ".gz" } else { "" });
            let path = out.join(&name);
            let file = BufWriter::with_capacity(
                1 << 20,
                File::create(&path).wrap_err_with(|| format!("creating {}", path.display()))?,
            );
            let rows = if gzip {
                let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::new(9));
                let rows = sample::write_payer_month(spec, payer, period, &mut gz)?;
                gz.finish()?.flush()?;
                rows
            } else {
                let mut file = file;
                let rows = sample::write_payer_month(spec, payer, period, &mut file)?;
                file.flush()?;
                rows
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
