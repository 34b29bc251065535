//! Start-up benchmark: from spawning `arcana run` to its first `getUpdates`, on a fresh data
//! directory (config, master key, both stores and the first scheduled backup written) and on
//! one that exists, against the fake Telegram server. Honours `ARCANA_BIN` and `ARCANA_RUNNER`
//! like the end-to-end tests, so the same figure is taken for a cross-built binary under
//! emulation: `ARCANA_BIN=target/static/arcana-aarch64-unknown-linux-musl
//! ARCANA_RUNNER=qemu-aarch64 cargo bench --bench startup`.
//!
//! Prints the minimum, median and maximum of `STARTUP_RUNS` (default 5) runs of each.

use std::process::ExitCode;
use std::time::{Duration, Instant};

#[path = "../tests/support/mod.rs"]
mod support;

use support::bot_process::BotProcess;
use support::fake_telegram::FakeTelegram;

const GIVE_UP_AFTER: Duration = Duration::from_mins(2);

fn main() -> ExitCode {
    let runs = std::env::var("STARTUP_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5_usize).max(1);
    let binary = std::env::var("ARCANA_BIN").unwrap_or_else(|_| "the release build".into());
    let runner = std::env::var("ARCANA_RUNNER").unwrap_or_default();
    let mut fresh = Vec::new();
    let mut existing = Vec::new();
    for _ in 0..runs {
        let dir =
            match tempfile::Builder::new().permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700)).tempdir() {
                Ok(dir) => dir,
                Err(e) => {
                    eprintln!("startup bench: tempdir: {e}");
                    return ExitCode::FAILURE;
                }
            };
        for times in [&mut fresh, &mut existing] {
            match first_poll(dir.path()) {
                Ok(took) => times.push(took),
                Err(e) => {
                    eprintln!("startup bench: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    let runner = if runner.is_empty() { String::new() } else { format!(" under `{runner}`") };
    println!("start of `arcana run` to its first getUpdates, {binary}{runner} ({runs} runs, min / median / max):");
    println!("  fresh data directory:    {}", summary(&mut fresh));
    println!("  existing data directory: {}", summary(&mut existing));
    ExitCode::SUCCESS
}

/// Spawns the bot on `dir`, waits for its first `getUpdates`, stops it; returns the time taken.
fn first_poll(dir: &std::path::Path) -> Result<Duration, String> {
    let tg = FakeTelegram::start();
    let spawned = Instant::now();
    let bot = BotProcess::builder(dir, &tg.url()).env("ARCANA_LOG", "warn").spawn();
    if tg.try_wait_for(GIVE_UP_AFTER, |calls| calls.iter().any(|c| c.method == "getUpdates")).is_err() {
        return Err(format!("no getUpdates within {GIVE_UP_AFTER:?}; stderr:\n{}", bot.stderr_text()));
    }
    let took = tg.calls().iter().find(|c| c.method == "getUpdates").map_or(Duration::ZERO, |c| c.at - spawned);
    let output = bot.terminate_output();
    if output.status.code() != Some(0) {
        return Err(format!("exit {:?} after SIGTERM", output.status));
    }
    Ok(took)
}

fn summary(times: &mut [Duration]) -> String {
    times.sort();
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    format!("{} / {} / {}", ms(times[0]), ms(times[times.len() / 2]), ms(times[times.len() - 1]))
}
