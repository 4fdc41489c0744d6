//! `baomi`: the command line. Parses flags, runs the command, turns the outcome into an exit code.
//! Everything that decides what is found lives in the library crates; this crate only talks to people.

mod checks_cmd;
mod cli;
mod html;
mod html_artifacts;
mod i18n;
mod scan_cmd;
mod server_cmd;
mod table;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = <cli::Cli as clap::Parser>::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`baomi scan … | head`) is the reader's choice, not a failure.
            let broken_pipe = err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .map(std::io::Error::kind)
                    .or_else(|| {
                        e.downcast_ref::<serde_json::Error>()
                            .and_then(serde_json::Error::io_error_kind)
                    })
                    == Some(std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("baomi: {err:#}");
            ExitCode::from(2)
        }
    }
}
