//! The `modelsign` command: a thin layer over the `modelsign` library.
//!
//! Exit codes (documented in `--help`): 0 success; 1 any failure of signing, verification
//! or hashing, including missing, unreadable or malformed input files; 2 command-line
//! errors only (unknown command or flag, missing or conflicting arguments, a value of the
//! wrong form). A closed stdout (`modelsign … | head`) is not an error: exit 0.

mod args;
mod atomic;
mod commands;
mod logging;
mod output;
mod progress;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, SignCommand, VerifyCommand};
use crate::output::Printer;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    let default_log = match &cli.command {
        Command::Tsa(_) => logging::DefaultLevel::ServerActivity,
        _ => logging::DefaultLevel::Warnings,
    };
    // Flushes the server's queued log lines when main returns.
    let _log_guard = logging::init(default_log);
    let printer = Printer {
        format: cli.output,
        quiet: cli.quiet,
    };
    let result = match &cli.command {
        Command::Sign(SignCommand::Key(a)) => commands::sign::sign_key(a, printer),
        Command::Sign(SignCommand::Certificate(a)) => commands::sign::sign_certificate(a, printer),
        Command::Verify(VerifyCommand::Key(a)) => commands::verify::verify_key(a, printer),
        Command::Verify(VerifyCommand::Certificate(a)) => {
            commands::verify::verify_certificate(a, printer)
        }
        Command::Hash(a) => commands::hash::hash(a, printer),
        Command::Demo(a) => commands::demo::demo(a, printer),
        Command::Timestamp(c) => commands::timestamp::run(c, printer),
        Command::Tsa(a) => commands::tsa::run(a, printer),
        Command::Inspect(a) => commands::inspect::inspect(a, printer),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            if let Some(clap_error) = e.downcast_ref::<clap::Error>() {
                return clap_exit(clap_error);
            }
            if is_broken_pipe(&e) {
                // The reader went away (`| head`): what we had to say was not wanted.
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", output::render_error(&e));
            ExitCode::FAILURE
        }
    }
}

/// clap's own exit: 0 for `--help`/`--version`, 2 for usage errors.
fn clap_exit(e: &clap::Error) -> ExitCode {
    // Printing help to a closed pipe is not worth reporting.
    let _ = e.print();
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
