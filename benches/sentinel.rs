//! Sentinel decision time for an allowed update with 100,000 users warm; and the whole cost of
//! one update of a `getUpdates` answer up to its verdict, the way the polling loop pays it: the
//! first look (`sentinel::glance`, the few fields the sentinel reads) and the decision, plus
//! teloxide's full decode for an admitted update — beside the old path (full decode of every
//! update, then `Inbound::from_update`) for a denied update (a flooder past its limit) and an
//! admitted one (issue 27: a denial should cost only what deciding needs).
//!
//! Run: `cargo bench --bench sentinel`

#![allow(missing_docs)]

use std::{hint::black_box, num::NonZeroU32, sync::Arc, time::Duration};

use arcana::{
    clock::SystemClock,
    config::{LimitRule, LimitScope, SentinelConfig},
    sentinel::{Glance, Inbound, InboundKind, Sentinel, glance},
    store::Store,
};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

const USERS: i64 = 100_000;

fn message(user: i64, text: String) -> Inbound {
    Inbound {
        update_id: 0,
        kind: InboundKind::Message,
        user: Some(user),
        from_bot: false,
        chat: Some(user),
        command: None,
        callback_action: None,
        content: Some(text),
        membership: None,
    }
}

fn sentinel(store: &Store, debounce: Duration) -> Sentinel {
    let config = SentinelConfig {
        debounce,
        // Generous enough that the bench never hits the limit: it measures the allowed path.
        default: LimitRule {
            limit: NonZeroU32::new(1_000).expect("nonzero"),
            per: Duration::from_secs(1),
            scope: LimitScope::User,
        },
        ..SentinelConfig::default()
    };
    let sentinel = Sentinel::new(&config, &[], store, &[7; 32], Arc::new(SystemClock::default())).expect("sentinel");
    for user in 0..USERS {
        assert!(sentinel.check(&message(user, format!("warm {user}"))).is_allowed());
    }
    sentinel
}

fn decision(c: &mut Criterion) {
    let tmp = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .expect("tempdir");
    let store = Store::open_temporary(tmp.path()).expect("store");
    let mut group = c.benchmark_group("sentinel");
    for (name, debounce) in
        [("allowed update, debounce on", Duration::from_secs(2)), ("allowed update, debounce off", Duration::ZERO)]
    {
        let sentinel = sentinel(&store, debounce);
        let mut n: i64 = 0;
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                || {
                    n += 1;
                    message(n % USERS, format!("message {n}"))
                },
                |inbound| black_box(sentinel.check(inbound)),
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

/// A private-chat text message as `getUpdates` carries it (about 400 bytes).
fn update_json(id: i64, user: i64, text: &str) -> String {
    serde_json::json!({
        "update_id": id,
        "message": {
            "message_id": id, "date": 1_700_000_000, "text": text,
            "from": {"id": user, "is_bot": false, "first_name": "Ann", "last_name": "Example",
                "username": "ann_example", "language_code": "en"},
            "chat": {"id": user, "type": "private", "first_name": "Ann", "last_name": "Example",
                "username": "ann_example"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}]
        }
    })
    .to_string()
}

fn update_path(c: &mut Criterion) {
    let tmp = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .expect("tempdir");
    let store = Store::open_temporary(tmp.path()).expect("store");
    let config = SentinelConfig {
        debounce: Duration::ZERO,
        default: LimitRule {
            limit: NonZeroU32::new(1_000_000).expect("nonzero"),
            per: Duration::from_secs(1),
            scope: LimitScope::User,
        },
        ..SentinelConfig::default()
    };
    let open = Sentinel::new(&config, &[], &store, &[7; 32], Arc::new(SystemClock::default())).expect("sentinel");
    let strict = SentinelConfig {
        default: LimitRule { limit: NonZeroU32::MIN, per: Duration::from_hours(1), scope: LimitScope::User },
        ..config.clone()
    };
    let closed = Sentinel::new(&strict, &[], &store, &[9; 32], Arc::new(SystemClock::default())).expect("sentinel");
    let flooder = 77;
    assert!(closed.check(&message(flooder, "first".into())).is_allowed());
    let json = update_json(1, flooder, "/help flood");
    // The old path: every update decoded fully, then reduced.
    let decode_then_decide = |sentinel: &Sentinel, json: &str| {
        let update: teloxide::types::Update = serde_json::from_str(json).expect("an update");
        sentinel.check(&Inbound::from_update(&update, "arcana_bot"))
    };
    // The polling loop's path: the first look decides; only an admitted update is decoded.
    let look_then_decide = |sentinel: &Sentinel, json: &str| {
        let Glance::Decided(inbound) = glance(json, "arcana_bot") else { panic!("a message is decided on sight") };
        let verdict = sentinel.check(&inbound);
        let update =
            verdict.is_allowed().then(|| serde_json::from_str::<teloxide::types::Update>(json).expect("an update"));
        (verdict, update)
    };
    assert!(!decode_then_decide(&closed, &json).is_allowed(), "the flooder is denied");
    assert!(decode_then_decide(&open, &json).is_allowed(), "an ordinary user is admitted");
    assert!(look_then_decide(&closed, &json).1.is_none(), "a denial is not decoded");
    assert!(look_then_decide(&open, &json).1.is_some(), "an admitted update is decoded");
    let mut group = c.benchmark_group("update");
    group.bench_function("denied: first look + sentinel", |b| b.iter(|| black_box(look_then_decide(&closed, &json))));
    group.bench_function("admitted: first look + sentinel + teloxide decode", |b| {
        b.iter(|| black_box(look_then_decide(&open, &json)));
    });
    group.bench_function("denied, before: teloxide decode + sentinel", |b| {
        b.iter(|| black_box(decode_then_decide(&closed, &json)));
    });
    group.bench_function("admitted, before: teloxide decode + sentinel", |b| {
        b.iter(|| black_box(decode_then_decide(&open, &json)));
    });
    group.bench_function("first look only", |b| b.iter(|| black_box(glance(&json, "arcana_bot"))));
    group.finish();
}

criterion_group!(benches, decision, update_path);
criterion_main!(benches);
