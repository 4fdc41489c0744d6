//! `baomi`: the command line. Parses flags, runs the command, turns the outcome into an exit code.
//! Everything that decides what is found lives in the library crates; this crate only talks to people.

mod cli;
mod html;
mod i18n;
mod scan_cmd;
mod table;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = <cli::Cli as clap::Parser>::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`baomi scan … | head`) is the reader's choice, not a failure.
            if let Some(io) = err.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("baomi: {err:#}");
            ExitCode::from(2)
        }
    }
}
