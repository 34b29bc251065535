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
    /// Try arcana without a token: chat with the real bot in this terminal, on this machine only.
    ///
    /// The real bot (pipeline, sentinel, vault, store) runs against a stand-in of the Telegram Bot
    /// API on 127.0.0.1, and you are its one user, in your terminal's language: type what you
    /// would send in Telegram (/start, /draw three Where next?); a number presses that button of
    /// the last message; /quit or Ctrl-D ends. Its data lives in a temporary directory, removed at
    /// the end. You are an ordinary user, not an admin.
    Demo(DemoArgs),
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
    /// Read the audit trail of security events (works whether the bot is running or not);
    /// `arcana audit verify` checks its chain.
    Audit(AuditArgs),
    /// List the accounting record of every payment (charge id, Stars, what it bought, when,
    /// refunded when; no user ids): what stays for the books after users are deleted.
    Accounting(DirArg),
    /// Manage encryption keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// List accounts (id, tier, registered, two-factor, blocked, muted), filtered; no secrets.
    Users(UsersArgs),
    /// Refund a Telegram Stars payment and take back what it bought (needs the running bot).
    Refund(RefundArgs),
    /// Write an encrypted, integrity-checked backup of both stores (safe while the bot runs); with
    /// `--verify`, check a backup fully without restoring it.
    Backup(BackupArgs),
    /// Restore a backup into a data directory without `db/` and `keys/`: it needs only the
    /// `master.key` (or `ARCANA_PASSPHRASE`) in use when the backup was taken.
    Restore(FileArgs),
    /// Incident control: serve only admins and registered users (registrations and purchases
    /// pause); survives a restart.
    #[command(subcommand)]
    Lockdown(LockdownCommand),
    /// Lift a user's mute (penalty) at once.
    Unmute(UserArgs),
    /// Lift penalties and empty the rate windows of a user, or of everyone.
    ResetLimits(ResetLimitsArgs),
    /// Send a message to every registered user who has not blocked the bot (needs the running
    /// bot; at most once per user, resumed after a restart).
    Broadcast(BroadcastArgs),
    /// Run arcana as a hardened systemd service.
    #[command(subcommand)]
    Service(ServiceCommand),
    /// The web side (Mini App, API, login).
    #[command(subcommand)]
    Web(WebCommand),
}

/// `arcana demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Also serve the Mini App on 127.0.0.1 and print an address that opens it in a browser,
    /// signed in as you (the way Telegram signs the Mini App in; valid for an hour).
    #[arg(long)]
    pub web: bool,
}

/// `arcana broadcast`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["text", "file", "status", "cancel"])))]
pub struct BroadcastArgs {
    /// The message (plain text).
    #[arg(value_name = "TEXT", conflicts_with = "file")]
    pub text: Option<String>,
    /// Read the message from a file (UTF-8 plain text).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Only count who would get it; send nothing.
    #[arg(long, conflicts_with_all = ["status", "cancel"])]
    pub dry_run: bool,
    /// Show the progress of the current (or last) broadcast.
    #[arg(long, conflicts_with_all = ["text", "file", "cancel"])]
    pub status: bool,
    /// Stop the running broadcast.
    #[arg(long, conflicts_with_all = ["text", "file"])]
    pub cancel: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dir: DirArg,
}

/// `arcana lockdown ...`.
#[derive(Debug, Subcommand)]
pub enum LockdownCommand {
    /// Switch lockdown on.
    On(LockdownOnArgs),
    /// Switch lockdown off.
    Off(DirArg),
    /// Show whether lockdown is on.
    Status(DirArg),
}

/// `arcana web ...`.
#[derive(Debug, Subcommand)]
pub enum WebCommand {
    /// Rotate the token signing key: every token issued before is refused at once (users open
    /// the Mini App or log in again).
    RotateKey(DirArg),
}

/// `arcana lockdown on`.
#[derive(Debug, Args)]
pub struct LockdownOnArgs {
    /// Why (kept for the audit trail and shown in `arcana status`).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dir: DirArg,
}

/// `arcana reset-limits`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("whom").required(true).args(["user", "all"])))]
pub struct ResetLimitsArgs {
    /// Telegram user id.
    #[arg(value_name = "USER", value_parser = clap::value_parser!(i64).range(1..))]
    pub user: Option<i64>,
    /// Everyone's limits.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dir: DirArg,
}

/// `arcana audit`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    /// `verify`: check the chain instead of listing entries.
    #[command(subcommand)]
    pub action: Option<AuditAction>,
    /// Entries since a duration ago ("1h", "7d") or a time ("2026-12-01T00:00:00Z").
    #[arg(long, value_name = "DURATION|TIME", value_parser = parse_since)]
    pub since: Option<Since>,
    /// Entries about this user (found by keyed hash: a deleted user's too).
    #[arg(long, value_name = "USER", value_parser = clap::value_parser!(i64).range(1..))]
    pub user: Option<i64>,
    /// Entries of this event (e.g. `block`, `2fa_failure`).
    #[arg(long, value_name = "NAME")]
    pub event: Option<String>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Only the newest N matching entries (0 for all).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub limit: usize,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dir: DirArg,
}

/// `arcana audit verify`.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Check that no entry was changed, removed, reordered or inserted, and that the trail was not
    /// cut short; exit 1 if it was.
    Verify(DirArg),
}

/// `--since`: a duration back from now, or a point in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// This long ago.
    Ago(Duration),
    /// At this time (Unix ms).
    At(u64),
}

impl Since {
    /// The time it names (Unix ms), given the time now.
    #[must_use]
    pub fn unix_ms(self, now_ms: u64) -> u64 {
        match self {
            Since::Ago(d) => now_ms.saturating_sub(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            Since::At(ms) => ms,
        }
    }
}

fn parse_since(text: &str) -> Result<Since, String> {
    if let Ok(d) = humantime::parse_duration(text) {
        return Ok(Since::Ago(d));
    }
    text.parse::<jiff::Timestamp>()
        .map(|t| Since::At(u64::try_from(t.as_millisecond()).unwrap_or(0)))
        .map_err(|_| String::from("use a duration (\"1h\", \"7d\") or an RFC 3339 time (\"2026-12-01T00:00:00Z\")"))
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
    /// Write everything stored about a user (as `/export` shows it) to a new file, mode 0600;
    /// audited.
    Export(ExportArgs),
    /// A user's standing: tier, premium, consent, two-factor on or off, sessions, credits,
    /// readings kept, blocked or muted and why (no secrets); audited.
    Show(UserShowArgs),
}

/// `arcana user show`.
#[derive(Debug, Args)]
pub struct UserShowArgs {
    /// One line of JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub user: UserArgs,
}

/// `arcana users`.
#[derive(Debug, Args)]
pub struct UsersArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub filter: UsersFilterArgs,
    /// One line of JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub dir: DirArg,
}

/// The filters of `arcana users`.
#[derive(Debug, Args)]
pub struct UsersFilterArgs {
    /// Only this tier (the effective one: premium while it lasts).
    #[arg(long, value_name = "TIER")]
    pub tier: Option<String>,
    /// Only users blocked by an admin or who blocked the bot.
    #[arg(long)]
    pub blocked: bool,
    /// Only users muted now.
    #[arg(long)]
    pub muted: bool,
    /// Only users with two-factor authentication on.
    #[arg(long = "2fa")]
    pub two_factor: bool,
}

/// `arcana user export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub user: UserArgs,
    /// The file to write (must not exist).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
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
