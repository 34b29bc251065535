//! Command-line arguments (clap).

use std::{path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand};

use crate::layout::DataDir;

use super::Env;

/// `arcana --version`: the package version and the git commit it was built from.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("ARCANA_COMMIT"), ")");

/// arcana — a tarot-reading Telegram bot with a security layer and encrypted storage.
#[derive(Debug, Parser)]
#[command(name = "arcana", version = VERSION, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bot (long polling) until SIGINT or SIGTERM.
    Run(DirArg),
    /// Create the data directory (config, master key, store) without running.
    Init(DirArg),
    /// Check the config, key file, store and token; exit non-zero if any check fails.
    Doctor(DirArg),
    /// Block a user (works whether the bot is running or not).
    Block(BlockArgs),
    /// Lift an admin block.
    Unblock(UserArgs),
    /// List blocked users.
    Blocked(DirArg),
    /// Show the running bot's sentinel counters.
    Status(DirArg),
    /// Manage encryption keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Refund a Telegram Stars payment and take back what it bought (needs the running bot).
    Refund(RefundArgs),
    /// Write an encrypted, integrity-checked backup of both stores (safe while the bot runs); with
    /// `--verify`, check a backup fully without restoring it.
    Backup(BackupArgs),
    /// Restore a backup into a data directory without `db/` and `keys/`: it needs only the
    /// `master.key` (or `ARCANA_PASSPHRASE`) in use when the backup was taken.
    Restore(FileArgs),
    /// Run arcana as a hardened systemd service.
    #[command(subcommand)]
    Service(ServiceCommand),
}

/// `arcana service ...`.
#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Write the systemd unit, create the service user and data directory (as root), and print
    /// what was done and the next commands; `--print` only shows the unit.
    Install(ServiceArgs),
}

/// `arcana service install`.
#[derive(Debug, Args)]
pub struct ServiceArgs {
    /// Data directory of the service.
    #[arg(long, value_name = "DIR", default_value = crate::unit::DEFAULT_DIR)]
    pub dir: PathBuf,
    /// User (and group) the service runs as; created as a system user if missing.
    #[arg(long, value_name = "NAME", default_value = crate::unit::DEFAULT_USER)]
    pub user: String,
    /// Where the unit runs arcana from (this binary is copied there).
    #[arg(long = "bin", value_name = "PATH", default_value = crate::unit::DEFAULT_BINARY)]
    pub binary: PathBuf,
    /// The token file, loaded by systemd as the credential `bot-token`.
    #[arg(long, value_name = "FILE", default_value = crate::unit::DEFAULT_TOKEN_FILE)]
    pub token_file: PathBuf,
    /// Print the unit and change nothing.
    #[arg(long)]
    pub print: bool,
}

/// `arcana refund`.
#[derive(Debug, Args)]
pub struct RefundArgs {
    /// Telegram's charge id, from the user's receipt.
    pub charge_id: String,
    /// The payer (numeric id or @username), checked against the payment.
    #[arg(long)]
    pub user: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dir: DirArg,
}

/// `arcana keys ...`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new active generation key (older ones are re-wrapped, then retired); with
    /// `--master`, rotate the master key instead (bot stopped).
    Rotate(RotateArgs),
    /// Show the keys, their state, and how many data keys each still wraps.
    Status(DirArg),
}

/// `arcana keys rotate`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Rotate the master key (KEK): a new `master.key`, or `ARCANA_NEW_PASSPHRASE`.
    #[arg(long)]
    pub master: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dir: DirArg,
}

/// `arcana user ...`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Delete a user: destroy their data key (crypto-shredding) and remove their records.
    Delete(UserArgs),
    /// Move a user to a subscription tier (one of `[tiers.*]` in the config).
    Tier(TierArgs),
    /// End all of a user's sessions.
    Revoke(UserArgs),
}

/// `arcana user tier`.
#[derive(Debug, Args)]
pub struct TierArgs {
    /// Telegram user id.
    #[arg(value_name = "USER", value_parser = clap::value_parser!(i64).range(1..))]
    pub user: i64,
    /// Tier name.
    #[arg(value_name = "TIER")]
    pub tier: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dir: DirArg,
}

/// A command taking a file.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// The backup file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dir: DirArg,
}

/// `arcana backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Check FILE (every chunk, every sealed record) instead of writing it.
    #[arg(long)]
    pub verify: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub file: FileArgs,
}

/// `arcana block`.
#[derive(Debug, Args)]
pub struct BlockArgs {
    /// Telegram user id.
    #[arg(value_name = "USER", value_parser = clap::value_parser!(i64).range(1..))]
    pub user: i64,
    /// How long, e.g. "30m", "7d" [default: until unblocked]
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Why (kept for the audit trail).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dir: DirArg,
}

/// A command taking one user id.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// Telegram user id.
    #[arg(value_name = "USER", value_parser = clap::value_parser!(i64).range(1..))]
    pub user: i64,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dir: DirArg,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d > Duration::ZERO => Ok(d),
        Ok(_) => Err("must be longer than 0s".into()),
        Err(e) => Err(format!("{e} (use e.g. \"30m\" or \"7d\")")),
    }
}

/// The data directory option shared by all commands.
#[derive(Debug, Args)]
pub struct DirArg {
    /// Data directory [default: `$ARCANA_DIR`, else `./arcana-data`]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

impl DirArg {
    /// `--dir`, else `$ARCANA_DIR`, else `./arcana-data`.
    #[must_use]
    pub fn resolve(&self, env: &Env) -> DataDir {
        let path = self.dir.clone().or_else(|| env.dir.clone()).unwrap_or_else(|| PathBuf::from("arcana-data"));
        DataDir::new(path)
    }
}
