//! Running under systemd, through the real binary: the `sd_notify` protocol (`READY=1` once
//! polling, `WATCHDOG=1` pings, `STOPPING=1` on SIGTERM), the token from a `LoadCredential=`
//! directory, journald-style and JSON log lines, `--version`, and `service install --print`.

use std::{
    io::Read,
    os::unix::{fs::MetadataExt, net::UnixDatagram},
    process::Stdio,
};

use crate::harness::{REPLY_TIMEOUT, dir_with_config, path_arg, stop_cleanly, streams};
use crate::support::bot_process::{self, BotProcess, TEST_TOKEN, run_cli};
use crate::support::fake_telegram::FakeTelegram;

/// Receives notifications until `last` arrives (or the socket has been silent for `REPLY_TIMEOUT`).
fn notifications_until(socket: &UnixDatagram, last: &str) -> Vec<String> {
    socket.set_read_timeout(Some(REPLY_TIMEOUT)).expect("read timeout");
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while let Ok(n) = socket.recv(&mut buf) {
        let message = String::from_utf8_lossy(&buf[..n]).into_owned();
        let done = message.lines().any(|line| line == last);
        seen.push(message);
        if done {
            break;
        }
    }
    seen
}

fn has(messages: &[String], line: &str) -> Option<usize> {
    messages.iter().position(|m| m.lines().any(|l| l == line))
}

#[test]
fn systemd_hears_ready_once_polling_then_watchdog_pings_then_stopping() {
    let dir = crate::support::private_tempdir();
    let sockets = tempfile::tempdir().expect("tempdir");
    let path = sockets.path().join("notify");
    let socket = UnixDatagram::bind(&path).expect("bind the notify socket");
    let tg = FakeTelegram::start();
    let bot = BotProcess::builder(dir.path(), &tg.url())
        .env("NOTIFY_SOCKET", path_arg(&path))
        .env("WATCHDOG_USEC", "2000000")
        .spawn();

    let started = notifications_until(&socket, "WATCHDOG=1");
    let ready = has(&started, "READY=1").unwrap_or_else(|| panic!("no READY=1: {started:?}\n{}", bot.stderr_text()));
    let ping = has(&started, "WATCHDOG=1").unwrap_or_else(|| panic!("no WATCHDOG=1: {started:?}"));
    assert!(ready < ping, "READY=1 comes before the first ping: {started:?}");
    // The line is logged before READY=1 is sent, but the pipe carrying it may be read after the
    // datagram arrives (seen once under qemu with the other smoke tests running).
    let deadline = std::time::Instant::now() + REPLY_TIMEOUT;
    while !bot.stderr_text().contains("polling for updates") {
        assert!(std::time::Instant::now() < deadline, "READY=1 is sent once polling starts:\n{}", bot.stderr_text());
    }
    tg.wait_for(REPLY_TIMEOUT, "the bot to poll getUpdates", |calls| calls.iter().any(|c| c.method == "getUpdates"));

    let output = bot.terminate_output();
    assert_eq!(output.status.code(), Some(0), "exit 0 after SIGTERM; stderr:\n{}", streams(&output).1);
    let stopped = notifications_until(&socket, "STOPPING=1");
    assert!(has(&stopped, "STOPPING=1").is_some(), "no STOPPING=1 after SIGTERM: {stopped:?}");
}

#[test]
fn the_token_comes_from_the_systemd_credential() {
    let dir = crate::support::private_tempdir();
    let credentials = tempfile::tempdir().expect("tempdir");
    std::fs::write(credentials.path().join("bot-token"), format!("{TEST_TOKEN}\n")).expect("write credential");
    let tg = FakeTelegram::start();
    let bot = BotProcess::builder(dir.path(), &tg.url())
        .without_token()
        .env("CREDENTIALS_DIRECTORY", path_arg(credentials.path()))
        .spawn();
    tg.wait_for(REPLY_TIMEOUT, "the bot to poll getUpdates", |calls| calls.iter().any(|c| c.method == "getUpdates"));
    assert!(tg.calls().iter().all(|c| c.token == TEST_TOKEN), "every call uses the credential's token");
    stop_cleanly(bot);
}

#[test]
fn under_journald_lines_carry_a_priority_and_no_timestamp() {
    let dir = crate::support::private_tempdir();
    let logs = tempfile::tempdir().expect("tempdir");
    let log_path = logs.path().join("stderr");
    let log = std::fs::File::create(&log_path).expect("create the log file");
    let meta = log.metadata().expect("stat the log file");
    let tg = FakeTelegram::start();
    let mut command = bot_process::command();
    command
        .args(["run", "--dir", path_arg(dir.path())])
        .env("ARCANA_TELEGRAM_API_URL", tg.url())
        .env("BOT_TOKEN", TEST_TOKEN)
        .env("JOURNAL_STREAM", format!("{}:{}", meta.dev(), meta.ino()))
        .stdout(Stdio::null())
        .stderr(log);
    let mut child = command.spawn().expect("spawn arcana");
    tg.wait_for(REPLY_TIMEOUT, "the bot to poll getUpdates", |calls| calls.iter().any(|c| c.method == "getUpdates"));
    let _ = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let status = child.wait().expect("wait for arcana");
    let mut text = String::new();
    std::fs::File::open(&log_path).expect("open log").read_to_string(&mut text).expect("read log");
    assert_eq!(status.code(), Some(0), "exit 0 after SIGTERM:\n{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("<6> INFO ") || l.starts_with("<6>INFO ")), "info lines:\n{text}");
    for line in &lines {
        assert!(line.starts_with('<'), "a priority prefix on every line: {line:?}");
        assert!(!line.contains("Z "), "no timestamp under journald: {line:?}");
        assert!(!line.contains('\u{1b}'), "no ANSI colours: {line:?}");
    }
}

#[test]
fn json_logs_are_one_object_a_line() {
    let dir = dir_with_config("[log]\nformat = \"json\"\n");
    let tg = FakeTelegram::start();
    let bot = BotProcess::start(dir.path(), &tg.url());
    tg.wait_for(REPLY_TIMEOUT, "the bot to poll getUpdates", |calls| calls.iter().any(|c| c.method == "getUpdates"));
    let stderr = stop_cleanly(bot);
    let mut messages = Vec::new();
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}\n{stderr}"));
        assert!(value["timestamp"].is_string() && value["level"].is_string(), "{line}");
        messages.push(value["message"].as_str().unwrap_or_default().to_owned());
    }
    assert!(messages.iter().any(|m| m == "polling for updates"), "{messages:?}");
}

#[test]
fn version_names_the_commit() {
    let output = run_cli(&["--version"], &[]);
    let (stdout, _) = streams(&output);
    assert!(output.status.success(), "{stdout}");
    let expected = format!("arcana {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(stdout.starts_with(&expected), "{stdout:?}");
    let head = std::process::Command::new("git").args(["rev-parse", "--short=12", "HEAD"]).output();
    if let Ok(head) = head
        && head.status.success()
    {
        let head = String::from_utf8_lossy(&head.stdout).trim().to_owned();
        assert!(stdout.contains(&format!("(commit {head})")), "{stdout:?} is not HEAD {head}");
    }
}

#[test]
fn service_install_print_shows_a_hardened_unit_and_changes_nothing() {
    let output = run_cli(&["service", "install", "--print", "--dir", "/srv/tarot", "--user", "tarot"], &[]);
    let (stdout, stderr) = streams(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for line in [
        "Type=notify",
        "ExecStart=/usr/local/bin/arcana run --dir /srv/tarot",
        "User=tarot",
        "LoadCredential=bot-token:/etc/arcana/bot-token",
        "Restart=always",
        "ReadWritePaths=/srv/tarot",
        "ProtectSystem=strict",
    ] {
        assert!(stdout.lines().any(|l| l == line), "missing {line:?}:\n{stdout}");
    }
    assert!(!std::path::Path::new("/srv/tarot").exists(), "--print created the data directory");
}

#[test]
fn service_install_refuses_a_relative_directory_in_one_line() {
    let output = run_cli(&["service", "install", "--print", "--dir", "data"], &[]);
    let (_, stderr) = streams(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("data directory \"data\""), "{stderr}");
}

/// A `NOTIFY_SOCKET` nobody listens on (systemd gone, the variable left behind) is logged once
/// and does not stop the bot.
#[test]
fn a_notify_socket_that_is_gone_does_not_stop_the_bot() {
    let dir = crate::support::private_tempdir();
    let sockets = tempfile::tempdir().expect("tempdir");
    let tg = FakeTelegram::start();
    let bot = BotProcess::builder(dir.path(), &tg.url())
        .env("NOTIFY_SOCKET", path_arg(&sockets.path().join("absent")))
        .env("WATCHDOG_USEC", "1000000")
        .spawn();
    tg.wait_for(REPLY_TIMEOUT, "the bot to poll getUpdates", |calls| calls.iter().any(|c| c.method == "getUpdates"));
    stop_cleanly(bot);
}
