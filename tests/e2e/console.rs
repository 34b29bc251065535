//! User management from the operator's console: `arcana user show USER` and `arcana users` with
//! its filters, through the running bot and offline, never showing a secret.

use serde_json::Value;

use crate::accounts::{Running, config};
use crate::harness::{cli_ok, path_arg, streams};
use crate::support::bot_process::run_cli;
use crate::support::updates;

const ALL: &str = r#""start", "help", "privacy", "sessions", "logout_all", "2fa", "verify", "export", "delete_me""#;

/// `config(true, ALL)` with `/help` limited to one a minute and a mute after two denials.
fn console_config() -> String {
    config(true, ALL).replace(
        "\n[accounts]\n",
        "commands = { help = { limit = 1, per = \"1m\" } }\n\n[sentinel.penalty]\nstrikes = 2\nbase = \"1h\"\n\n[accounts]\n",
    )
}

/// The `value` of the `name<TAB>value` line of `text`.
fn field<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix('\t')))
        .unwrap_or_else(|| panic!("no {name} line in {text}"))
}

/// The user ids of the rows of `arcana users` output.
fn listed(text: &str) -> Vec<i64> {
    text.lines().filter_map(|l| l.split('\t').next()?.parse().ok()).collect()
}

#[test]
fn user_show_and_users_describe_standing_without_secrets() {
    let mut run = Running::start(&console_config());
    let (blocked, enrolled, premium, muted) = (43_001, 43_002, 43_003, 43_004);
    for user in [blocked, enrolled, premium, muted] {
        run.register(user);
    }
    let enrolment = run.enrol(enrolled);
    run.cli(&["user", "tier", &premium.to_string(), "premium"]);
    run.cli(&["block", &blocked.to_string(), "--reason", "spam links"]);
    run.say(muted, "/help one");
    run.push_until(muted, updates::command(muted, "/help two"), "the limit notice", |_| true);
    run.push_until(muted, updates::command(muted, "/help three"), "the mute notice", |_| true);

    let shown = run.cli(&["user", "show", &enrolled.to_string()]);
    assert_eq!(field(&shown, "two_factor"), "on");
    assert_eq!(field(&shown, "registered"), "yes");
    assert_eq!(field(&shown, "tier"), "free");
    assert!(field(&shown, "consent").starts_with("version 1 at "), "{shown}");
    assert_eq!(field(&shown, "sessions"), "0", "a two-factor change ends the sessions: {shown}");
    assert_eq!(field(&shown, "blocked"), "no");
    assert_eq!(field(&shown, "muted"), "no");
    assert!(!shown.contains(&enrolment.secret_text), "no TOTP secret: {shown}");
    assert!(enrolment.backup.iter().all(|code| !shown.contains(code.as_str())), "no backup code: {shown}");

    let shown = run.cli(&["user", "show", &blocked.to_string()]);
    let why = field(&shown, "blocked");
    assert!(why.starts_with("by an admin since ") && why.ends_with("(reason: spam links)"), "{why}");
    let shown = run.cli(&["user", "show", &muted.to_string()]);
    assert!(field(&shown, "muted").contains("repeatedly hitting rate limits (level 1)"), "{shown}");
    assert_eq!(field(&shown, "sessions"), "1", "{shown}");
    let json: Value =
        serde_json::from_str(run.cli(&["user", "show", &premium.to_string(), "--json"]).trim()).expect("JSON");
    assert_eq!(json["tier"], "premium");
    assert_eq!(json["two_factor"], false);
    assert_eq!(json["readings"], 0);

    let all = run.cli(&["users"]);
    assert_eq!(listed(&all), [blocked, enrolled, premium, muted], "{all}");
    assert!(all.lines().last().is_some_and(|l| l == "4 of 4 accounts listed"), "{all}");
    assert_eq!(listed(&run.cli(&["users", "--2fa"])), [enrolled]);
    assert_eq!(listed(&run.cli(&["users", "--blocked"])), [blocked]);
    assert_eq!(listed(&run.cli(&["users", "--muted"])), [muted]);
    assert_eq!(listed(&run.cli(&["users", "--tier", "premium"])), [premium]);
    let json: Value = serde_json::from_str(run.cli(&["users", "--json", "--tier", "free"]).trim()).expect("JSON");
    let ids: Vec<i64> = json["users"].as_array().expect("users").iter().filter_map(|u| u["user"].as_i64()).collect();
    assert_eq!(ids, [blocked, enrolled, muted], "{json}");

    let (dir, _tg) = run.stop();
    let d = path_arg(dir.path());
    // Offline too (the mute is in the store).
    assert_eq!(listed(&cli_ok(&["users", "--muted", "--dir", d])), [muted]);
    let missing = run_cli(&["user", "show", "99999", "--dir", d], &[]);
    let (_, stderr) = streams(&missing);
    assert_eq!(missing.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("user 99999 has no account"), "{stderr}");
    for args in [&["user", "show", "abc"][..], &["users", "--tier"][..], &["reset-limits"][..]] {
        let out = run_cli(&[args, &["--dir", d][..]].concat(), &[]);
        assert_eq!(out.status.code(), Some(2), "`arcana {}` is a usage error", args.join(" "));
    }
}
