//! The vault's envelope against raw ring AES-256-GCM, sealed-record store throughput, and a
//! reading's path: draw and render, seal into history, read a history page.
//!
//! Run: `cargo bench --bench vault`

#![allow(missing_docs)]

use std::{hint::black_box, sync::Arc};

use arcana::{
    layout::DataDir,
    store::Store,
    vault::{KekInput, Sealed, SealedTree, Vault},
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Reading {
    text: String,
}

impl Sealed for Reading {
    const TREE: &'static str = "bench_readings";
    const VERSION: u8 = 1;
}

/// A data store and an unlocked vault in `tmp`.
fn open_vault(tmp: &tempfile::TempDir) -> (Store, Arc<Vault>) {
    let dir = DataDir::new(tmp.path());
    dir.ensure().expect("layout");
    let data = Store::open_temporary(&dir.db_path()).expect("db");
    let keys = Store::open_temporary(&dir.keys_path()).expect("keys");
    let input = KekInput::File(dir.read_master_key().expect("key"));
    let vault = Arc::new(Vault::load(&data, keys, &input, 0).expect("vault"));
    (data, vault)
}

fn envelope(c: &mut Criterion) {
    let tmp = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .expect("tempdir");
    let (data, vault) = open_vault(&tmp);
    let record = [7u8; 200];

    let mut group = c.benchmark_group("vault");
    let raw = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[9; 32]).expect("key"));
    let mut counter: u64 = 0;
    group.bench_function("ring AES-256-GCM seal+open 200 B", |b| {
        b.iter(|| {
            counter += 1;
            let mut nonce = [0u8; 12];
            nonce[4..].copy_from_slice(&counter.to_be_bytes());
            let mut buf = record.to_vec();
            raw.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(b"profiles\0key"), &mut buf)
                .expect("seal");
            let plain = raw
                .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(b"profiles\0key"), &mut buf)
                .expect("open");
            black_box(plain.len());
        });
    });
    vault.seal(1, "profiles", b"key", b"warm").expect("warm the data key");
    group.bench_function("envelope seal+open 200 B", |b| {
        b.iter(|| {
            let sealed = vault.seal(1, "profiles", b"key", black_box(&record)).expect("seal");
            black_box(vault.open(1, "profiles", b"key", &sealed).expect("open"));
        });
    });

    let tree = SealedTree::<Reading>::new(&data, Arc::clone(&vault)).expect("tree");
    let reading = Reading { text: "x".repeat(200) };
    group.throughput(Throughput::Elements(1));
    let mut n: i64 = 0;
    group.bench_function("sealed store write 200 B", |b| {
        b.iter(|| {
            n = (n + 1) % 10_000;
            tree.put(n % 100, &n.to_be_bytes(), &reading).expect("put");
        });
    });
    let mut m: i64 = 0;
    group.bench_function("sealed store read 200 B", |b| {
        b.iter(|| {
            m = (m + 1) % n.max(1);
            black_box(tree.get(m % 100, &m.to_be_bytes()).expect("get"));
        });
    });
    group.finish();
}

fn readings(c: &mut Criterion) {
    use arcana::{
        readings::History,
        tarot::{Reading, Spread, render_html},
    };
    let tmp = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .expect("tempdir");
    let (data, vault) = open_vault(&tmp);
    let history = History::new(&data, vault, std::time::Duration::from_hours(24 * 90)).expect("history");
    let rng = ring::rand::SystemRandom::new();
    let now =
        u64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis())
            .expect("ms");

    let mut group = c.benchmark_group("readings");
    group.bench_function("draw + render three cards", |b| {
        b.iter(|| {
            let reading = Reading::draw(Spread::Three, Some("What should I focus on?"), &rng).expect("draw");
            black_box(render_html(&reading));
        });
    });
    group.bench_function("draw + render Celtic Cross", |b| {
        b.iter(|| {
            let reading = Reading::draw(Spread::CelticCross, None, &rng).expect("draw");
            black_box(render_html(&reading));
        });
    });
    let stored = Reading::draw(Spread::Three, Some("What should I focus on?"), &rng).expect("draw").to_stored(now);
    let mut user: i64 = 0;
    group.bench_function("seal a reading into history", |b| {
        b.iter(|| {
            user = (user + 1) % 1_000;
            history.append(user, &stored).expect("append");
        });
    });
    for _ in 0..200 {
        history.append(5_000, &stored).expect("append");
    }
    group.bench_function("history page of 5 out of 200", |b| {
        b.iter(|| black_box(history.page(5_000, 3, 5, now).expect("page")));
    });
    group.finish();
}

/// The audit trail: one event appended (HMAC chain link, keyed user hash, index entry, sled
/// insert), batched like the bot's writer does; and a checkpoint (flush + head in the key store).
fn audit(c: &mut Criterion) {
    use arcana::{audit::AuditTrail, audit_tap::AuditRecord};
    let tmp = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .expect("tempdir");
    let (data, vault) = open_vault(&tmp);
    let trail = AuditTrail::open(&data, &vault).expect("trail");
    let record = |i: u64| AuditRecord {
        at_ms: 1_700_000_000_000 + i,
        event: String::from("penalty"),
        fields: vec![
            (String::from("user"), (1_000_000 + i % 1_000).to_string()),
            (String::from("level"), String::from("2")),
            (String::from("mute_secs"), String::from("120")),
            (String::from("message"), String::from("user muted for repeatedly hitting limits")),
        ],
    };
    let mut group = c.benchmark_group("audit");
    group.throughput(Throughput::Elements(1_000));
    let mut i = 0;
    group.bench_function("append a batch of 1,000 events", |b| {
        b.iter(|| {
            let batch: Vec<AuditRecord> = (0..1_000)
                .map(|_| {
                    i += 1;
                    record(i)
                })
                .collect();
            black_box(trail.append(batch).expect("append"));
        });
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("checkpoint (flush + head)", |b| {
        b.iter(|| {
            i += 1;
            trail.append(vec![record(i)]).expect("append");
            trail.checkpoint().expect("checkpoint").expect("intact");
        });
    });
    group.finish();
}

criterion_group!(benches, envelope, readings, audit);
criterion_main!(benches);
