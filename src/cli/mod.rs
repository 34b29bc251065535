//! The `arcana` command line: the one place that reads the environment and prints.
//!
//! Commands: `run` (the bot), `init` (create the data directory), `doctor` (check it).

mod args;
mod doctor;
mod env;
mod init;
mod run;
mod settings;

use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command};
pub use env::Env;

use crate::Error;

/// Entry point of the binary: parses arguments, runs the command, maps errors to exit codes
/// with a one-line message on stderr.
#[must_use]
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let env = Env::from_process();
    match execute(cli, &env) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("arcana: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Runs a parsed command with the given environment.
pub fn execute(cli: Cli, env: &Env) -> Result<(), Error> {
    match cli.command {
        Command::Run(dir) => run::run(&dir.resolve(env), env),
        Command::Init(dir) => init::init(&dir.resolve(env)),
        Command::Doctor(dir) => doctor::doctor(&dir.resolve(env), env),
    }
}
