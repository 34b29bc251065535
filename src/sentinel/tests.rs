//! The sentinel's required cases, with a fake clock (no sleeping).

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use crate::{
    config::{LimitRule, LimitScope, SentinelConfig},
    store::Store,
};

use crate::clock::FakeClock;

use super::{Inbound, InboundKind, Membership, Sentinel, Verdict};

struct Fixture {
    _tmp: tempfile::TempDir,
    store: Store,
    clock: FakeClock,
    sentinel: Sentinel,
}

fn rule(limit: u32, per_secs: u64) -> LimitRule {
    LimitRule {
        limit: NonZeroU32::new(limit).expect("nonzero"),
        per: Duration::from_secs(per_secs),
        scope: LimitScope::User,
    }
}

fn config(limit: u32, per_secs: u64, debounce_ms: u64) -> SentinelConfig {
    let mut c = SentinelConfig {
        default: rule(limit, per_secs),
        debounce: Duration::from_millis(debounce_ms),
        ..SentinelConfig::default()
    };
    c.penalty.strikes = NonZeroU32::new(1000).expect("nonzero");
    c
}

fn fixture(config: &SentinelConfig) -> Fixture {
    let tmp = crate::layout::private_tempdir();
    let store = Store::open_temporary(tmp.path()).expect("store");
    let clock = FakeClock::new();
    let sentinel = Sentinel::new(config, &[99], &store, &[3; 32], Arc::new(clock.clone())).expect("sentinel");
    Fixture { _tmp: tmp, store, clock, sentinel }
}

fn msg(user: i64, text: &str) -> Inbound {
    Inbound {
        update_id: 0,
        kind: InboundKind::Message,
        user: Some(user),
        from_bot: false,
        chat: Some(user),
        command: text.strip_prefix('/').map(|c| c.split_whitespace().next().unwrap_or_default().to_owned()),
        callback_action: None,
        content: Some(text.to_owned()),
        membership: None,
    }
}

impl Fixture {
    /// Checks `inbound` at `secs` after the start (millisecond precision).
    fn at(&self, secs: f64, inbound: &Inbound) -> Verdict {
        let ms = format!("{:.0}", secs * 1000.0).parse::<u64>().expect("a non-negative time");
        self.clock.set_ms(ms);
        self.sentinel.check(inbound)
    }
}

#[test]
fn three_per_ten_seconds_with_the_boundary_documented() {
    let f = fixture(&config(3, 10, 0));
    let v: Vec<Verdict> = [0.0, 1.0, 2.0, 3.0, 9.99, 10.0, 10.5, 11.0]
        .iter()
        .enumerate()
        .map(|(i, t)| f.at(*t, &msg(1, &format!("m{i}"))))
        .collect();
    assert!(v[0].is_allowed() && v[1].is_allowed() && v[2].is_allowed());
    assert!(matches!(v[3], Verdict::Limited { .. }) && matches!(v[4], Verdict::Limited { .. }));
    assert!(v[5].is_allowed(), "an event exactly W after the first passes: the first has aged out");
    assert!(matches!(v[6], Verdict::Limited { .. }), "window now holds 1, 2, 10");
    assert!(v[7].is_allowed(), "after the second aged out");
}

#[test]
fn retry_after_is_the_real_remaining_time_and_hammering_does_not_extend_it() {
    let f = fixture(&config(3, 10, 0));
    for t in [0.0, 1.0, 2.0] {
        assert!(f.at(t, &msg(1, &format!("{t}"))).is_allowed());
    }
    assert_eq!(f.at(3.0, &msg(1, "a")), Verdict::Limited { retry_after: Duration::from_secs(7), notify: true });
    for i in 0..50 {
        let v = f.at(3.0 + f64::from(i) * 0.1, &msg(1, &format!("h{i}")));
        assert!(matches!(v, Verdict::Limited { notify: false, .. }), "one notice only: {v:?}");
    }
    assert!(f.at(10.0, &msg(1, "z")).is_allowed(), "hammering did not extend the limit");
}

#[test]
fn a_command_with_its_own_limit_is_its_own_bucket() {
    let mut c = config(20, 60, 0);
    c.commands.insert("draw".into(), rule(2, 60));
    let f = fixture(&c);
    assert!(f.at(0.0, &msg(1, "/draw one")).is_allowed());
    assert!(f.at(1.0, &msg(1, "/draw three")).is_allowed());
    assert!(matches!(f.at(2.0, &msg(1, "/draw celtic")), Verdict::Limited { .. }));
    assert!(f.at(3.0, &msg(1, "/help")).is_allowed(), "/help still works");
}

#[test]
fn debounce_counts_from_the_first_occurrence() {
    let f = fixture(&config(100, 60, 2_000));
    assert!(f.at(0.0, &msg(1, "hello")).is_allowed());
    assert_eq!(f.at(1.0, &msg(1, "hello")), Verdict::Debounced);
    assert_eq!(f.at(1.99, &msg(1, "hello")), Verdict::Debounced);
    assert!(f.at(1.5, &msg(2, "hello")).is_allowed(), "another user is unaffected");
    assert!(f.at(2.0, &msg(1, "hello")).is_allowed(), "passes at 2.0 and re-arms");
    assert_eq!(f.at(3.0, &msg(1, "hello")), Verdict::Debounced);
}

#[test]
fn duplicates_use_no_rate_budget() {
    let f = fixture(&config(5, 60, 2_000));
    let mut handled = 0;
    for i in 0..10 {
        handled += usize::from(f.at(f64::from(i) * 0.1, &msg(1, "same")).is_allowed());
    }
    for i in 0..6 {
        handled += usize::from(f.at(1.0 + f64::from(i) * 0.1, &msg(1, &format!("distinct {i}"))).is_allowed());
    }
    assert_eq!(handled, 5);
    let stats = f.sentinel.stats();
    assert_eq!((stats.allowed, stats.debounced, stats.limited), (5, 9, 2));
}

#[test]
fn media_without_caption_is_debounced_by_file_id() {
    let f = fixture(&config(100, 60, 2_000));
    let mut sticker = msg(1, "");
    sticker.content = Some("file:U1".into());
    assert!(f.at(0.0, &sticker).is_allowed());
    assert_eq!(f.at(0.5, &sticker), Verdict::Debounced);
}

#[test]
fn blocked_users_are_dropped_for_every_kind_and_membership_is_tracked() {
    let f = fixture(&config(100, 60, 0));
    f.sentinel.blocklist().block(1, None, Some("spam"), Some(99), 0).expect("block");
    for kind in [InboundKind::Message, InboundKind::CallbackQuery, InboundKind::EditedMessage, InboundKind::InlineQuery]
    {
        let mut i = msg(1, "/start");
        i.kind = kind;
        assert_eq!(f.at(0.0, &i), Verdict::Blocked, "{kind:?}");
    }
    let mut left = msg(2, "");
    left.kind = InboundKind::MyChatMember;
    left.content = None;
    left.membership = Some(Membership::BlockedBot);
    let _ = f.at(1.0, &left);
    assert!(f.sentinel.blocklist().get(2).is_some_and(|r| r.blocked_bot_since_ms.is_some()));
    assert_eq!(f.at(2.0, &msg(2, "hi")), Verdict::Blocked);
    left.membership = Some(Membership::Returned);
    assert!(f.at(3.0, &left).is_allowed());
    assert!(f.sentinel.blocklist().get(2).is_none());
    assert!(f.at(4.0, &msg(2, "hi again")).is_allowed());
}

#[test]
fn a_blocked_user_keeps_the_buttons_confirming_a_deletion_and_no_other() {
    let f = fixture(&config(100, 60, 0));
    f.sentinel.blocklist().block(1, None, None, Some(99), 0).expect("block");
    let press = |action: &str| Inbound {
        kind: InboundKind::CallbackQuery,
        command: None,
        callback_action: Some(action.to_owned()),
        content: Some(format!("{action}:1.AAAAAAAAAAAAAAAA")),
        ..msg(1, "")
    };
    for action in crate::command::DELETE_BUTTONS {
        assert!(f.at(0.0, &press(action)).is_allowed(), "{action}");
    }
    for action in ["hist", "buy", "consent", "ask_draw"] {
        assert_eq!(f.at(0.0, &press(action)), Verdict::Blocked, "{action}");
    }
}

#[test]
fn repeat_offenders_are_muted_and_it_survives_a_restart() {
    let mut c = config(1, 60, 0);
    c.penalty.strikes = NonZeroU32::new(3).expect("nonzero");
    let f = fixture(&c);
    assert!(f.at(0.0, &msg(1, "a")).is_allowed());
    assert!(matches!(f.at(0.1, &msg(1, "b")), Verdict::Limited { notify: true, .. }));
    assert!(matches!(f.at(0.2, &msg(1, "c")), Verdict::Limited { notify: false, .. }));
    assert_eq!(f.at(0.3, &msg(1, "d")), Verdict::Penalised { retry_after: Duration::from_mins(1), notify: true });
    assert!(matches!(f.at(0.4, &msg(1, "e")), Verdict::Penalised { notify: false, .. }));
    f.sentinel.blocklist().block(2, None, None, None, f.clock_unix()).expect("block");

    let restarted = Sentinel::new(&c, &[], &f.store, &[3; 32], Arc::new(f.clock.clone())).expect("restart");
    f.clock.set_ms(30_000);
    assert!(matches!(restarted.check(&msg(1, "f")), Verdict::Penalised { .. }), "the penalty still applies");
    assert_eq!(restarted.check(&msg(2, "g")), Verdict::Blocked, "the block still applies");
    f.clock.set_ms(61_000);
    assert!(restarted.check(&msg(1, "h")).is_allowed(), "the mute ended");
}

impl Fixture {
    fn clock_unix(&self) -> u64 {
        use crate::clock::Clock;
        self.clock.unix_ms()
    }
}

#[test]
fn memory_for_quiet_users_is_reclaimed() {
    let f = fixture(&config(5, 10, 2_000));
    for user in 1_000..11_000 {
        assert!(f.at(0.0, &msg(user, "hello")).is_allowed());
    }
    assert_eq!(f.sentinel.tracked_keys(), 20_000, "a window and a fingerprint per user");
    f.clock.set_ms(5_000);
    f.sentinel.sweep();
    assert_eq!(f.sentinel.tracked_keys(), 10_000, "fingerprints went after the debounce window");
    f.clock.set_ms(10_000);
    f.sentinel.sweep();
    assert_eq!(f.sentinel.tracked_keys(), 0);
}

#[test]
fn userless_updates_are_limited_per_chat() {
    let f = fixture(&config(1, 60, 0));
    let post =
        |chat: i64, text: &str| Inbound { user: None, chat: Some(chat), kind: InboundKind::Other, ..msg(0, text) };
    assert!(f.at(0.0, &post(-100, "a")).is_allowed());
    assert!(f.at(0.0, &post(-200, "a")).is_allowed(), "another chat has its own bucket");
    assert!(matches!(f.at(0.1, &post(-100, "b")), Verdict::Limited { .. }));
    let nothing = Inbound { user: None, chat: None, ..msg(0, "x") };
    assert_eq!(f.at(0.2, &nothing), Verdict::Ignored);
}

#[test]
fn admins_are_exempt_and_bots_are_ignored() {
    let f = fixture(&config(1, 60, 0));
    for i in 0..10 {
        assert!(f.at(0.0, &msg(99, &format!("{i}"))).is_allowed());
    }
    let bot = Inbound { from_bot: true, ..msg(5, "hi") };
    assert_eq!(f.at(0.0, &bot), Verdict::Ignored);
}

#[test]
fn user_in_chat_and_global_scopes() {
    let mut c = config(1, 60, 0);
    c.default.scope = LimitScope::UserInChat;
    let f = fixture(&c);
    let in_chat = |chat: i64, text: &str| Inbound { chat: Some(chat), ..msg(1, text) };
    assert!(f.at(0.0, &in_chat(-1, "a")).is_allowed());
    assert!(f.at(0.0, &in_chat(-2, "b")).is_allowed());
    assert!(matches!(f.at(0.0, &in_chat(-1, "c")), Verdict::Limited { .. }));
    c.default.scope = LimitScope::Global;
    let g = fixture(&c);
    assert!(g.at(0.0, &msg(1, "a")).is_allowed());
    assert!(matches!(g.at(0.0, &msg(2, "b")), Verdict::Limited { .. }));
}

#[test]
fn a_library_user_rule_refuses_senders() {
    let f = fixture(&config(100, 60, 0));
    let Fixture { sentinel, clock, .. } = f;
    let sentinel = sentinel.with_user_rule(Box::new(|inbound: &Inbound| inbound.user != Some(13)));
    clock.set_ms(0);
    assert_eq!(sentinel.check(&msg(13, "hi")), Verdict::Ignored);
    assert!(sentinel.check(&msg(14, "hi")).is_allowed());
}

#[test]
fn payments_pass_even_for_blocked_muted_and_limited_users() {
    let f = fixture(&config(1, 60, 0));
    f.sentinel.blocklist().block(1, None, None, Some(99), 0).expect("block");
    let payment = |user| Inbound { kind: InboundKind::Payment, content: None, command: None, ..msg(user, "") };
    assert_eq!(f.at(0.0, &payment(1)), Verdict::Allow);
    assert_eq!(f.at(0.0, &msg(2, "a")), Verdict::Allow);
    assert!(matches!(f.at(0.1, &msg(2, "b")), Verdict::Limited { .. }));
    assert_eq!(f.at(0.2, &payment(2)), Verdict::Allow);
    assert_eq!(f.at(0.3, &payment(2)), Verdict::Allow);
}

#[test]
fn unmute_and_reset_limits_apply_at_once() {
    let mut c = config(1, 60, 0);
    c.penalty.strikes = NonZeroU32::new(2).expect("nonzero");
    let f = fixture(&c);
    assert!(f.at(0.0, &msg(1, "a")).is_allowed());
    assert!(matches!(f.at(0.1, &msg(1, "b")), Verdict::Limited { .. }));
    assert!(matches!(f.at(0.2, &msg(1, "c")), Verdict::Penalised { .. }));
    assert!(matches!(f.at(0.3, &msg(1, "d")), Verdict::Penalised { .. }), "muted");
    assert!(f.sentinel.unmute(1).expect("unmute"), "a mute was in force");
    // Unmuted, but the rate window still holds the first message.
    assert!(matches!(f.at(0.4, &msg(1, "e")), Verdict::Limited { .. }));
    assert!(f.at(0.5, &msg(2, "x")).is_allowed());
    let (mutes, windows) = f.sentinel.reset_limits(Some(1)).expect("reset");
    assert_eq!((mutes, windows), (0, 1), "only user 1's window");
    assert!(f.at(0.6, &msg(1, "f")).is_allowed(), "through at once");
    assert!(matches!(f.at(0.7, &msg(2, "y")), Verdict::Limited { .. }), "user 2's window is untouched");
    let (_, windows) = f.sentinel.reset_limits(None).expect("reset all");
    assert_eq!(windows, 2);
    assert!(f.at(0.8, &msg(2, "z")).is_allowed());
}
