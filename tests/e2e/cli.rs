//! One-shot commands: `arcana init`, `arcana doctor`, and configuration errors at startup
//! (exit code 2, one line on stderr naming the offending key, no panic, no token).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use crate::harness::{assert_clean_output, assert_layout, lines, streams};
use crate::support::bot_process::{TEST_TOKEN, run_cli};
use crate::support::fake_telegram::FakeTelegram;

fn path_arg(dir: &Path) -> &str {
    dir.to_str().expect("UTF-8 temp path")
}

fn init(dir: &Path) -> Output {
    let output = run_cli(&["init", "--dir", path_arg(dir)], &[]);
    assert_clean_output(&output);
    output
}

fn doctor(dir: &Path, env: &[(&str, &str)]) -> Output {
    let output = run_cli(&["doctor", "--dir", path_arg(dir)], env);
    assert_clean_output(&output);
    output
}

/// `arcana run` expected to fail on configuration; returns its single stderr line.
fn run_config_error(dir: &Path, env: &[(&str, &str)]) -> String {
    let output = run_cli(&["run", "--dir", path_arg(dir)], env);
    assert_clean_output(&output);
    let (_, stderr) = streams(&output);
    assert_eq!(output.status.code(), Some(2), "config errors exit 2; stderr:\n{stderr}");
    let stderr_lines = lines(&stderr);
    assert_eq!(stderr_lines.len(), 1, "one line on stderr, got:\n{stderr}");
    stderr_lines[0].to_owned()
}

fn with_config(toml: &str) -> tempfile::TempDir {
    let dir = crate::support::private_tempdir();
    std::fs::write(dir.path().join("arcana.toml"), toml).expect("write arcana.toml");
    dir
}

#[test]
fn init_creates_layout_then_refuses_to_overwrite() {
    let dir = crate::support::private_tempdir();
    let first = init(dir.path());
    assert!(first.status.success(), "init failed: {:?}", streams(&first));
    assert_layout(dir.path());
    let key = std::fs::read(dir.path().join("master.key")).expect("read master.key");

    let second = init(dir.path());
    assert!(!second.status.success(), "a second init must refuse");
    let key_after = std::fs::read(dir.path().join("master.key")).expect("read master.key");
    assert!(key == key_after, "the second init changed master.key");
}

#[test]
fn doctor_passes_after_init() {
    let dir = crate::support::private_tempdir();
    assert!(init(dir.path()).status.success());
    let tg = FakeTelegram::start();
    let url = tg.url();
    let output = doctor(dir.path(), &[("BOT_TOKEN", TEST_TOKEN), ("ARCANA_TELEGRAM_API_URL", &url)]);
    let (stdout, stderr) = streams(&output);
    assert!(output.status.success(), "doctor failed:\n{stdout}\n{stderr}");
    assert!(lines(&stdout).len() >= 2, "doctor prints each check:\n{stdout}");
}

#[test]
fn doctor_fails_without_token() {
    let dir = crate::support::private_tempdir();
    assert!(init(dir.path()).status.success());
    let tg = FakeTelegram::start();
    let output = doctor(dir.path(), &[("ARCANA_TELEGRAM_API_URL", &tg.url())]);
    let (stdout, stderr) = streams(&output);
    assert!(!output.status.success(), "doctor passed without a token:\n{stdout}");
    assert!(
        format!("{stdout}{stderr}").to_lowercase().contains("token"),
        "the failing check names the token:\n{stdout}\n{stderr}"
    );
}

#[test]
fn doctor_fails_on_world_readable_master_key() {
    let dir = crate::support::private_tempdir();
    assert!(init(dir.path()).status.success());
    let key = dir.path().join("master.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let tg = FakeTelegram::start();
    let url = tg.url();
    let output = doctor(dir.path(), &[("BOT_TOKEN", TEST_TOKEN), ("ARCANA_TELEGRAM_API_URL", &url)]);
    let (stdout, stderr) = streams(&output);
    assert!(!output.status.success(), "doctor accepted a 0644 master.key:\n{stdout}");
    let all = format!("{stdout}{stderr}");
    assert!(all.lines().any(|line| line.contains("master.key")), "the failing check names master.key:\n{all}");
}

#[test]
fn config_error_bad_duration_names_the_key() {
    let dir = with_config("[telegram]\npoll_timeout = \"forever\"\n");
    let tg = FakeTelegram::start();
    let url = tg.url();
    let line = run_config_error(dir.path(), &[("BOT_TOKEN", TEST_TOKEN), ("ARCANA_TELEGRAM_API_URL", &url)]);
    assert!(line.contains("telegram.poll_timeout"), "names the key: {line}");
    assert!(tg.calls().is_empty(), "a misconfigured bot must not call Telegram");
}

#[test]
fn config_error_unknown_key_names_the_key() {
    let dir = with_config("[telegram]\nbogus = 1\n");
    let tg = FakeTelegram::start();
    let url = tg.url();
    let line = run_config_error(dir.path(), &[("BOT_TOKEN", TEST_TOKEN), ("ARCANA_TELEGRAM_API_URL", &url)]);
    assert!(line.contains("bogus"), "names the key: {line}");
}

#[test]
fn config_errors_of_readings_and_payments_name_the_key() {
    let cases = [
        ("[readings]\nreset_time_zone = \"Mars/Olympus\"\n", "readings.reset_time_zone"),
        ("[readings]\nretention = \"0s\"\n", "readings.retention"),
        ("[readings]\nhistory_page_size = 50\n", "readings.history_page_size"),
        ("[tiers.free]\ncommands = [\"draw\"]\nspreads = [\"five\"]\n", "tiers.free.spreads"),
        ("[payments]\npremium_tier = \"gold\"\n", "payments.premium_tier"),
        ("[payments]\ncredit_pack_price = 0\n", "payments.credit_pack_price"),
    ];
    for (toml, key) in cases {
        let dir = with_config(toml);
        let line = run_config_error(dir.path(), &[("BOT_TOKEN", TEST_TOKEN)]);
        assert!(line.contains(key), "{toml:?}: names {key}: {line}");
    }
}

#[test]
fn missing_token_is_a_config_error() {
    let dir = crate::support::private_tempdir();
    let tg = FakeTelegram::start();
    let line = run_config_error(dir.path(), &[("ARCANA_TELEGRAM_API_URL", &tg.url())]);
    assert!(line.contains("BOT_TOKEN"), "names BOT_TOKEN: {line}");
    assert!(tg.calls().is_empty(), "a bot without a token must not call Telegram");
}

#[test]
fn a_refused_start_over_the_config_is_in_the_audit_trail() {
    let dir = crate::support::private_tempdir();
    assert!(init(dir.path()).status.success());
    std::fs::write(dir.path().join("arcana.toml"), "[telegram]\npoll_timeout = \"forever\"\n").expect("write");
    let line = run_config_error(dir.path(), &[("BOT_TOKEN", TEST_TOKEN)]);
    assert!(line.contains("telegram.poll_timeout"), "{line}");
    std::fs::write(dir.path().join("arcana.toml"), "").expect("fix the config");
    let trail = crate::harness::cli_ok(&["audit", "--event", "config_error", "--dir", path_arg(dir.path())]);
    assert_eq!(trail.lines().count(), 1, "{trail}");
    assert!(trail.contains("telegram.poll_timeout"), "the entry names the key: {trail}");
    assert!(crate::harness::cli_ok(&["audit", "verify", "--dir", path_arg(dir.path())]).contains("intact"));
}
