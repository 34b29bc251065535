//! Command-line arguments (clap).

use std::path::PathBuf;

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
