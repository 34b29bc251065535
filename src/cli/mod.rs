//! The `arcana` command line: the one place that reads the environment and prints.
//!
//! Commands: `run` (the bot), `init` (create the data directory), `doctor` (check it), and the
//! admin tools `block`, `unblock`, `blocked`, `status`, `keys`, `user`, `backup`, `restore`, and
//! `service install` (the systemd unit).

mod admin;
mod args;
mod doctor;
mod env;
mod init;
mod keys;
mod restore;
mod run;
mod service;
mod settings;

use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command, KeysCommand, ServiceCommand, UserCommand};
pub use env::Env;

use crate::{Error, control::Request};

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
        Command::Init(dir) => init::init(&dir.resolve(env), env),
        Command::Doctor(dir) => doctor::doctor(&dir.resolve(env), env),
        Command::Block(args) => admin::run(
            &args.dir.resolve(env),
            env,
            &Request::Block {
                user: args.user,
                for_ms: args.duration.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                reason: args.reason,
                by: None,
            },
        ),
        Command::Unblock(args) => admin::run(&args.dir.resolve(env), env, &Request::Unblock { user: args.user }),
        Command::Blocked(dir) => admin::run(&dir.resolve(env), env, &Request::Blocked),
        Command::Status(dir) => admin::run(&dir.resolve(env), env, &Request::Status),
        Command::Keys(KeysCommand::Rotate(args)) if args.master => keys::rotate_master(&args.dir.resolve(env), env),
        Command::Keys(KeysCommand::Rotate(args)) => admin::run(&args.dir.resolve(env), env, &Request::KeysRotate),
        Command::Keys(KeysCommand::Status(dir)) => admin::run(&dir.resolve(env), env, &Request::KeysStatus),
        Command::User(UserCommand::Delete(args)) => {
            admin::run(&args.dir.resolve(env), env, &Request::DeleteUser { user: args.user })
        }
        Command::User(UserCommand::Tier(args)) => {
            admin::run(&args.dir.resolve(env), env, &Request::SetTier { user: args.user, tier: args.tier })
        }
        Command::User(UserCommand::Revoke(args)) => {
            admin::run(&args.dir.resolve(env), env, &Request::Revoke { user: args.user })
        }
        Command::Refund(args) => {
            admin::run(&args.dir.resolve(env), env, &Request::Refund { charge_id: args.charge_id, user: args.user })
        }
        Command::Backup(args) if args.verify => restore::verify(&args.file.dir.resolve(env), env, &args.file.file),
        Command::Backup(args) => {
            let file = &args.file.file;
            let path = std::path::absolute(file).map_err(|e| Error::Control(format!("{}: {e}", file.display())))?;
            admin::run(&args.file.dir.resolve(env), env, &Request::Backup { path: path.display().to_string() })
        }
        Command::Restore(args) => restore::restore(&args.dir.resolve(env), env, &args.file),
        Command::Service(ServiceCommand::Install(args)) => service::install(&service::InstallOptions {
            dir: args.dir,
            user: args.user,
            binary: args.binary,
            token_file: args.token_file,
            print: args.print,
        }),
    }
}
