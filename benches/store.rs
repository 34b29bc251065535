//! Store throughput: typed record writes and reads through sled (msgpack with a version header),
//! and the pause a backup's consistent copy imposes on writers: `Store::snapshot` of a store of
//! 10,000 and 100,000 200-byte records (writers wait for the whole copy; sealing and writing
//! the file happen after it, without the pause).
//!
//! Run: `cargo bench --bench store`

#![allow(missing_docs)]

use std::hint::black_box;

use arcana::store::{Record, Store};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Sample {
    user: i64,
    text: String,
}

impl Record for Sample {
    const TREE: &'static str = "bench";
    const VERSION: u8 = 1;
}

fn store_throughput(c: &mut Criterion) {
    let tmp = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .expect("tempdir");
    let store = Store::open_temporary(tmp.path()).expect("open");
    let tree = store.tree::<Sample>().expect("tree");
    let record = Sample { user: 42, text: "x".repeat(200) };
    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(1));
    let mut n: u64 = 0;
    group.bench_function("insert 200-byte record", |b| {
        b.iter(|| {
            n = (n + 1) % 100_000;
            tree.insert(&n.to_be_bytes(), black_box(&record)).expect("insert");
        });
    });
    let mut m: u64 = 0;
    group.bench_function("get 200-byte record", |b| {
        b.iter(|| {
            m = (m + 1) % n.max(1);
            black_box(tree.get(&m.to_be_bytes()).expect("get"));
        });
    });
    group.finish();
}

fn snapshot_pause(c: &mut Criterion) {
    let mut group = c.benchmark_group("backup");
    group.sample_size(10);
    for records in [10_000u64, 100_000] {
        let tmp = tempfile::Builder::new()
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .tempdir()
            .expect("tempdir");
        let store = Store::open_temporary(tmp.path()).expect("open");
        let tree = store.tree::<Sample>().expect("tree");
        let record = Sample { user: 42, text: "x".repeat(200) };
        for n in 0..records {
            tree.insert(&n.to_be_bytes(), &record).expect("insert");
        }
        group.bench_function(format!("snapshot pause, {records} records"), |b| {
            b.iter(|| black_box(store.snapshot().expect("snapshot")));
        });
    }
    group.finish();
}

criterion_group!(benches, store_throughput, snapshot_pause);
criterion_main!(benches);
