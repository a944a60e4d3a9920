use clap::Parser;
use proforma::text::{Keep, escape};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Usage errors exit with 2, as clap's own parse does; their message quotes the arguments,
    // so it is printed escaped like every other message (help and version as clap prints them).
    let cli = match proforma::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
                || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            {
                e.exit();
            }
            eprint!("{}", escape(&e.render().to_string(), Keep::LinesAndTabs));
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let result = match proforma::cli::run(cli) {
        Ok(proforma::cli::Next::OpenTui(path)) => proforma::tui::run(&path),
        other => other.map(|_| ()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<proforma::cli::UsageError>().is_some() => {
            eprintln!("error: {}", escape(&e.to_string(), Keep::LinesAndTabs));
            ExitCode::from(2)
        }
        // The TUI was stopped by a signal: the terminal is restored; exit as the shell expects
        // of a process ended by that signal (128 + its number).
        Err(e) if e.downcast_ref::<proforma::tui::Stopped>().is_some() => {
            let code = e
                .downcast_ref::<proforma::tui::Stopped>()
                .map_or(1, proforma::tui::Stopped::exit_code);
            eprintln!("{e}");
            ExitCode::from(code)
        }
        Err(e) => {
            // The chain, outermost first, on one line each: the what, then the where and why.
            // Messages quote data (values, names, file names): their control characters and
            // escape sequences are shown escaped, never sent to the terminal raw.
            eprintln!("error: {}", escape(&e.to_string(), Keep::LinesAndTabs));
            for cause in e.chain().skip(1) {
                eprintln!(
                    "  caused by: {}",
                    escape(&cause.to_string(), Keep::LinesAndTabs)
                );
            }
            let disk_full = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull)
            });
            if disk_full {
                eprintln!("  the disk is full: free some space and try again");
            }
            ExitCode::FAILURE
        }
    }
}
