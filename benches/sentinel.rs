//! Sentinel decision time for an allowed update with 100,000 users warm; and the whole cost of
//! one update of a `getUpdates` answer up to its verdict — decoding its JSON into teloxide's
//! `Update`, reading what the sentinel needs, deciding — for a denied update (a flooder past its
//! limit) and an admitted one, beside what decoding only the fields the sentinel reads would
//! cost (issue 27: a denial should cost only what deciding needs).
//!
//! Run: `cargo bench --bench sentinel`

#![allow(missing_docs)]

use std::{hint::black_box, num::NonZeroU32, sync::Arc, time::Duration};

use arcana::{
    clock::SystemClock,
    config::{LimitRule, LimitScope, SentinelConfig},
    sentinel::{Inbound, InboundKind, Sentinel},
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

/// The few fields the sentinel reads of a message update: what a lean first pass would decode.
#[derive(serde::Deserialize)]
struct Lean<'a> {
    update_id: i64,
    #[serde(borrow)]
    message: Option<LeanMessage<'a>>,
}

#[derive(serde::Deserialize)]
struct LeanMessage<'a> {
    from: Option<LeanUser>,
    chat: LeanChat,
    #[serde(borrow)]
    text: Option<std::borrow::Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
struct LeanUser {
    id: i64,
    is_bot: bool,
}

#[derive(serde::Deserialize)]
struct LeanChat {
    id: i64,
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
    let decide = |sentinel: &Sentinel, json: &str| {
        let update: teloxide::types::Update = serde_json::from_str(json).expect("an update");
        sentinel.check(&Inbound::from_update(&update, "arcana_bot"))
    };
    assert!(!decide(&closed, &json).is_allowed(), "the flooder is denied");
    assert!(decide(&open, &json).is_allowed(), "an ordinary user is admitted");
    let mut group = c.benchmark_group("update");
    group.bench_function("denied: teloxide decode + sentinel", |b| b.iter(|| black_box(decide(&closed, &json))));
    group.bench_function("admitted: teloxide decode + sentinel", |b| b.iter(|| black_box(decide(&open, &json))));
    group.bench_function("teloxide decode only", |b| {
        b.iter(|| black_box(serde_json::from_str::<teloxide::types::Update>(&json).expect("an update")));
    });
    group.bench_function("lean decode only (the sentinel's fields)", |b| {
        b.iter(|| {
            let lean: Lean<'_> = serde_json::from_str(&json).expect("lean");
            black_box((lean.update_id, lean.message.map(|m| (m.from.map(|u| (u.id, u.is_bot)), m.chat.id, m.text))))
        });
    });
    group.finish();
}

criterion_group!(benches, decision, update_path);
criterion_main!(benches);
