//! Command-line arguments (clap).

use std::{path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand};

use crate::layout::DataDir;

use super::Env;

/// arcana — a tarot-reading Telegram bot with a security layer and encrypted storage.
#[derive(Debug, Parser)]
#[command(name = "arcana", version, about, long_about = None)]
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
