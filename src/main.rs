use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Usage errors exit with 2 inside clap's own parse.
    let cli = proforma::cli::Cli::parse();
    match proforma::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<proforma::cli::UsageError>().is_some() => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            // The chain, outermost first, on one line each: the what, then the where and why.
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
