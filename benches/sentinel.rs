//! Sentinel decision time for an allowed update with 100,000 users warm.
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

criterion_group!(benches, decision);
criterion_main!(benches);
