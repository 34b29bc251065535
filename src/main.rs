//! The `arcana` binary: parse the command line, run the command, map the outcome to an exit code.

#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    arcana::cli::main()
}
