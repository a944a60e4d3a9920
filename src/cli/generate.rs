use crate::sample::{self, SampleSpec};
use color_eyre::eyre::WrapErr;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

pub fn run(out: &Path, spec: &SampleSpec, gzip: bool) -> color_eyre::Result<()> {
    std::fs::create_dir_all(out).wrap_err_with(|| format!("creating {}", out.display()))?;
    let mut period = spec.first_period;
    for _ in 0..spec.months {
        let name = format!("cur-{period}.csv{}", if gzip { ".gz" } else { "" });
        let path = out.join(&name);
        let file = BufWriter::with_capacity(
            1 << 20,
            File::create(&path).wrap_err_with(|| format!("creating {}", path.display()))?,
        );
        let rows = if gzip {
            let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::new(9));
            let rows = sample::write_month(spec, period, &mut gz)?;
            gz.finish()?.flush()?;
            rows
        } else {
            let mut file = file;
            let rows = sample::write_month(spec, period, &mut file)?;
            file.flush()?;
            rows
        };
        println!("wrote {} ({rows} rows)", path.display());
        period = period.next();
    }
    let accounts = out.join("accounts.json");
    std::fs::write(&accounts, sample::accounts_json())
        .wrap_err_with(|| format!("writing {}", accounts.display()))?;
    println!("wrote {}", accounts.display());
    Ok(())
}
