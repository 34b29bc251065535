//! The accounts cases with a fake clock: consent, tiers, sessions, two-factor step-up.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use crate::{
    clock::{Clock, FakeClock},
    config::{AccountsConfig, TierConfig, default_tiers},
};

use super::{Accounts, Decision, TwoFactorError, totp};

struct Fixture {
    _tmp: tempfile::TempDir,
    clock: FakeClock,
    accounts: Accounts,
}

fn fixture(tiers: BTreeMap<String, TierConfig>) -> Fixture {
    let crate::vault::testing::TempVault { tmp, data, vault } = crate::vault::testing::temp_vault();
    let clock = FakeClock::new();
    let accounts =
        Accounts::new(&data, vault, AccountsConfig::default(), tiers, Arc::new(clock.clone())).expect("accounts");
    Fixture { _tmp: tmp, clock, accounts }
}

fn premium_only(command: &str) -> BTreeMap<String, TierConfig> {
    let mut tiers = default_tiers();
    if let Some(free) = tiers.get_mut("free") {
        free.commands.retain(|c| c != command);
    }
    if let Some(premium) = tiers.get_mut("premium") {
        premium.commands.push(command.to_owned());
    }
    tiers
}

#[test]
fn consent_gates_everything_but_start_help_and_privacy() {
    let f = fixture(default_tiers());
    let a = f.accounts.get(7).expect("account");
    assert_eq!(f.accounts.authorize(7, &a, false, "sessions"), Decision::NeedsConsent);
    for open in ["start", "help", "privacy"] {
        assert_eq!(f.accounts.authorize(7, &a, false, open), Decision::Allowed);
    }
    assert!(!f.accounts.agree(7, 2).expect("agree"), "an old or unknown notice version is refused");
    assert!(f.accounts.agree(7, 1).expect("agree"));
    let a = f.accounts.get(7).expect("account");
    assert_eq!(f.accounts.authorize(7, &a, false, "sessions"), Decision::Allowed);
}

#[test]
fn tiers_and_roles() {
    let f = fixture(premium_only("draw"));
    f.accounts.agree(7, 1).expect("agree");
    let a = f.accounts.get(7).expect("account");
    assert_eq!(f.accounts.authorize(7, &a, false, "draw"), Decision::NeedsTier(Some("premium".into())));
    for right in ["export", "delete_me", "privacy"] {
        assert_eq!(f.accounts.authorize(7, &a, false, right), Decision::Allowed, "{right} is every user's right");
    }
    assert_eq!(f.accounts.authorize(7, &a, false, "block"), Decision::AdminOnly);
    assert_eq!(f.accounts.authorize(7, &a, true, "block"), Decision::Allowed);
    assert!(f.accounts.set_tier(7, "gold").is_err(), "unknown tier");
    f.accounts.set_tier(7, "premium").expect("tier");
    let a = f.accounts.get(7).expect("account");
    assert_eq!(f.accounts.authorize(7, &a, false, "draw"), Decision::Allowed);
}

#[test]
fn sessions_expire_and_end_on_security_events() {
    let f = fixture(default_tiers());
    let first = f.accounts.touch_session(7, &f.accounts.get(7).expect("account")).expect("session");
    f.clock.advance(Duration::from_mins(29));
    assert_eq!(
        f.accounts.touch_session(7, &f.accounts.get(7).expect("account")).expect("session").id,
        first.id,
        "kept alive"
    );
    f.clock.advance(Duration::from_mins(31));
    let second = f.accounts.touch_session(7, &f.accounts.get(7).expect("account")).expect("session");
    assert_ne!(second.id, first.id, "idle expiry starts a new session");
    for _ in 0..5 {
        f.accounts.open_session(7).expect("open");
    }
    assert_eq!(f.accounts.sessions(7).expect("list").len(), 3, "the concurrent limit");
    assert_eq!(f.accounts.end_sessions(7, "test").expect("end"), 3);
    assert!(f.accounts.sessions(7).expect("list").is_empty());
}

fn now_code(f: &Fixture, secret: &[u8]) -> String {
    totp::format_code(totp::code_at(secret, f.clock.unix_ms() / 1000))
}

#[test]
fn two_factor_enrolment_step_up_replay_and_backup_codes() {
    let f = fixture(default_tiers());
    let secret = f.accounts.begin_two_factor(7).expect("begin").expect("a secret");
    let code = now_code(&f, secret.as_bytes());
    let backup = f.accounts.confirm_two_factor(7, &code).expect("confirm");
    assert_eq!(backup.len(), 10);
    assert!(matches!(f.accounts.step_up(7, &code), Err(TwoFactorError::Replayed)), "the enrolment code is spent");
    f.clock.advance(Duration::from_secs(30));
    let fresh = now_code(&f, secret.as_bytes());
    f.accounts.step_up(7, &fresh).expect("step up");
    assert!(f.accounts.is_elevated(&f.accounts.get(7).expect("account")));
    assert!(matches!(f.accounts.step_up(7, &fresh), Err(TwoFactorError::Replayed)));
    f.accounts.step_up(7, backup[0].as_str()).expect("a backup code works");
    assert!(matches!(f.accounts.step_up(7, backup[0].as_str()), Err(TwoFactorError::Invalid)), "once");
    f.clock.advance(Duration::from_mins(11));
    assert!(!f.accounts.is_elevated(&f.accounts.get(7).expect("account")), "elevation ends");
}

#[test]
fn wrong_codes_lock_out_with_escalation() {
    let f = fixture(default_tiers());
    let secret = f.accounts.begin_two_factor(7).expect("begin").expect("a secret");
    f.accounts.confirm_two_factor(7, &now_code(&f, secret.as_bytes())).expect("confirm");
    f.clock.advance(Duration::from_mins(1));
    let right = now_code(&f, secret.as_bytes());
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert!(matches!(f.accounts.step_up(7, wrong), Err(TwoFactorError::Invalid)));
    }
    let Err(TwoFactorError::Locked { retry_after_ms }) = f.accounts.step_up(7, &right) else {
        panic!("locked out after 5 wrong codes")
    };
    assert_eq!(retry_after_ms, 5 * 60_000);
    f.clock.advance(Duration::from_mins(5));
    for _ in 0..5 {
        let _ = f.accounts.step_up(7, wrong);
    }
    let Err(TwoFactorError::Locked { retry_after_ms }) = f.accounts.step_up(7, "123456") else { panic!("locked") };
    assert_eq!(retry_after_ms, 10 * 60_000, "the second lockout doubles");
}

#[test]
fn last_use_is_recorded_at_most_once_a_minute() {
    let f = fixture(default_tiers());
    let first = f.accounts.touch_session(7, &f.accounts.get(7).expect("account")).expect("session");
    f.clock.advance(Duration::from_secs(30));
    let again = f.accounts.touch_session(7, &f.accounts.get(7).expect("account")).expect("session");
    assert_eq!((again.id.as_str(), again.last_seen_ms), (first.id.as_str(), first.last_seen_ms), "not rewritten");
    f.clock.advance(Duration::from_secs(31));
    let later = f.accounts.touch_session(7, &f.accounts.get(7).expect("account")).expect("session");
    assert_eq!(later.id, first.id);
    assert_eq!(later.last_seen_ms, first.last_seen_ms + 61_000, "recorded after a minute");
}
