//! The `arcana` command line: the one place that reads the environment and prints.
//!
//! Commands: `demo` (the bot against a stand-in of Telegram, in the terminal), `run` (the bot), `init` (create the data directory), `doctor` (check it), and the
//! admin tools `block`, `unblock`, `blocked`, `status`, `keys`, `user`, `backup`, `restore`,
//! `lockdown`, `unmute`, `reset-limits`, `broadcast`, `users`, `audit`, `accounting`, and
//! `service install` (the systemd unit).

mod admin;
mod args;
mod demo;
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

pub use args::{
    AuditAction, Cli, Command, DemoArgs, KeysCommand, LockdownCommand, ServiceCommand, UserCommand, WebCommand,
};
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
    // Everything arcana creates — stores, sockets, backups, staging directories — is private to
    // its user from the moment it exists, whatever umask it was started with.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
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
        Command::Demo(args) => demo::demo(&args, env),
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
        Command::Audit(args) => match args.action {
            Some(AuditAction::Verify(dir)) => admin::run(&dir.resolve(env), env, &Request::AuditVerify),
            None => {
                let now = crate::clock::unix_ms(std::time::SystemTime::now());
                let request = Request::Audit {
                    since_ms: args.since.map(|s| s.unix_ms(now)),
                    user: args.user,
                    event: args.event,
                    json: args.json,
                    limit: (args.limit > 0).then_some(args.limit),
                };
                admin::run(&args.dir.resolve(env), env, &request)
            }
        },
        Command::Accounting(dir) => admin::run(&dir.resolve(env), env, &Request::Accounting),
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
        Command::User(UserCommand::Export(args)) => {
            admin::export_user(&args.user.dir.resolve(env), env, args.user.user, &args.file)
        }
        Command::User(UserCommand::Show(args)) => {
            admin::run(&args.user.dir.resolve(env), env, &Request::UserShow { user: args.user.user, json: args.json })
        }
        Command::Users(args) => {
            let f = args.filter;
            let filter = crate::control::UserFilter {
                tier: f.tier,
                blocked: f.blocked,
                muted: f.muted,
                two_factor: f.two_factor,
            };
            admin::run(&args.dir.resolve(env), env, &Request::Users { filter, json: args.json })
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
        Command::Lockdown(LockdownCommand::On(args)) => {
            admin::run(&args.dir.resolve(env), env, &Request::Lockdown { on: true, reason: args.reason, by: None })
        }
        Command::Lockdown(LockdownCommand::Off(dir)) => {
            admin::run(&dir.resolve(env), env, &Request::Lockdown { on: false, reason: None, by: None })
        }
        Command::Lockdown(LockdownCommand::Status(dir)) => admin::run(&dir.resolve(env), env, &Request::LockdownStatus),
        Command::Web(WebCommand::RotateKey(dir)) => admin::run(&dir.resolve(env), env, &Request::WebRotateKey),
        Command::Broadcast(args) => admin::broadcast(args, env),
        Command::Unmute(args) => {
            admin::run(&args.dir.resolve(env), env, &Request::Unmute { user: args.user, by: None })
        }
        Command::ResetLimits(args) => {
            admin::run(&args.dir.resolve(env), env, &Request::ResetLimits { user: args.user, by: None })
        }
        Command::Service(ServiceCommand::Install(args)) => service::install(&service::InstallOptions {
            dir: args.dir,
            user: args.user,
            binary: args.binary,
            token_file: args.token_file,
            print: args.print,
        }),
    }
}
