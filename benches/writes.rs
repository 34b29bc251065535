//! SD-card wear: bytes the release binary writes to storage (`write_bytes` of `/proc/PID/io`)
//! per 1,000 ordinary updates — 50 registered users sending `/draw`, `/history`, `/credits` and
//! `/help` one update at a time, each finished before the next arrives (a quiet bot, the
//! opposite of the flood bench's batches) — with the default settings, then with
//! `bot.write_unfinished_after = "0s"` (every update written to the inbox and removed, as before
//! issue 27), with and without `bot.flush_removals`, to show what each write path costs.
//! `WRITES_ROWS=default` measures the first row only.
//!
//! Run: `cargo bench --bench writes`. Honours `ARCANA_BIN` and `ARCANA_RUNNER`.

use std::process::ExitCode;
use std::time::Duration;

#[path = "../tests/support/mod.rs"]
mod support;

use support::bot_process::BotProcess;
use support::fake_telegram::FakeTelegram;
use support::updates;

const USERS: i64 = 50;
const UPDATES: usize = 1_000;
const FIRST_USER: i64 = 5_000_000;
const TEXTS: [&str; 4] = ["/draw", "/history", "/credits", "/help"];
const WAIT: Duration = Duration::from_mins(1);

/// The settings measured: a label and the `[bot]` lines.
const ROWS: [(&str, &str); 3] = [
    ("default (staged; written only if unfinished after 250 ms)", ""),
    ("write_unfinished_after = \"0s\" (every update written + removal flushed)", "write_unfinished_after = \"0s\"\n"),
    (
        "write_unfinished_after = \"0s\", flush_removals = false",
        "write_unfinished_after = \"0s\"\nflush_removals = false\n",
    ),
];

fn main() -> ExitCode {
    let only_default = std::env::var("WRITES_ROWS").is_ok_and(|v| v == "default");
    let mut rows = Vec::new();
    for (label, bot) in ROWS.iter().take(if only_default { 1 } else { ROWS.len() }) {
        match measure(bot) {
            Ok(bytes) => rows.push((label, bytes)),
            Err(e) => {
                eprintln!("writes bench: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("bytes written to storage per {UPDATES} ordinary updates, one at a time ({USERS} users):");
    for (label, bytes) in rows {
        println!("  {label:<75} {:>6} KiB", bytes / 1024);
    }
    ExitCode::SUCCESS
}

fn measure(bot_lines: &str) -> Result<u64, String> {
    let dir = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .map_err(|e| format!("tempdir: {e}"))?;
    let config =
        format!("[sentinel]\ndebounce = \"0s\"\ndefault = {{ limit = 1000, per = \"1m\" }}\n\n[bot]\n{bot_lines}");
    std::fs::write(dir.path().join("arcana.toml"), config).map_err(|e| format!("write arcana.toml: {e}"))?;
    let tg = FakeTelegram::start();
    let mut bot = BotProcess::builder(dir.path(), &tg.url()).env("ARCANA_LOG", "warn").spawn();
    for user in FIRST_USER..FIRST_USER + USERS {
        one(&tg, &mut bot, updates::command(user, "/start"))?;
        let data = tg
            .calls()
            .iter()
            .rev()
            .filter(|c| c.method == "sendMessage" && c.int("chat_id") == Some(user))
            .find_map(consent_button)
            .ok_or_else(|| format!("no consent button for user {user}"))?;
        one(&tg, &mut bot, updates::button_press(user, "privacy", "I agree", &data))?;
    }
    // Let the registrations' background flush pass, then count from here.
    std::thread::sleep(Duration::from_secs(2));
    let before = write_bytes(bot.pid()).ok_or("cannot read /proc/PID/io")?;
    if let Ok(marker) = std::env::var("WRITES_MARK") {
        // For an strace of the run: the measured part starts here.
        let _ = std::fs::write(marker, "start");
    }
    for i in 0..UPDATES {
        let user = FIRST_USER + i64::try_from(i).unwrap_or(0) % USERS;
        one(&tg, &mut bot, updates::command(user, TEXTS[i % TEXTS.len()]))?;
    }
    // The last background flush is part of the cost.
    std::thread::sleep(Duration::from_secs(6));
    let after = write_bytes(bot.pid()).ok_or("cannot read /proc/PID/io")?;
    let output = bot.terminate_output();
    if output.status.code() != Some(0) {
        return Err(format!("exit {:?} after SIGTERM", output.status));
    }
    Ok(after.saturating_sub(before))
}

/// Pushes `update` and waits until the bot has finished it.
fn one(tg: &FakeTelegram, bot: &mut BotProcess, update: serde_json::Value) -> Result<(), String> {
    let id = tg.push_update(update);
    let polled_past = |calls: &[support::fake_telegram::Call]| {
        calls.iter().any(|c| c.method == "getUpdates" && c.int("offset") > Some(id))
    };
    tg.try_wait_for(WAIT, polled_past).map_err(|_| format!("no getUpdates past update {id}"))?;
    if !bot.wait_idle(WAIT) {
        return Err(format!("update {id} not finished within {WAIT:?}"));
    }
    Ok(())
}

/// The callback data of the "I agree" button under a sent message.
fn consent_button(call: &support::fake_telegram::Call) -> Option<String> {
    let markup = call.json("reply_markup")?;
    markup["inline_keyboard"].as_array()?.iter().filter_map(|row| row.as_array()).flatten().find_map(|button| {
        (button["text"].as_str()? == "I agree").then(|| button["callback_data"].as_str().map(str::to_owned))?
    })
}

/// Bytes the process caused to be written to storage (`write_bytes` of `/proc/PID/io`).
fn write_bytes(pid: u32) -> Option<u64> {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
    io.lines().find_map(|l| l.strip_prefix("write_bytes:")).and_then(|v| v.trim().parse().ok())
}
