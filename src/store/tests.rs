//! A soak test of the write patterns arcana uses, concurrently: hot-key inserts, expiring
//! inserts, removes, expiry sweeps, snapshots and flushes. sled 0.34.7 can deadlock under some
//! mixes (see the design notes); this test would catch a hang through the watchdog instead of
//! hanging the test run.

use std::{
    sync::{Arc, Mutex, mpsc},
    time::{Duration, SystemTime},
};

use serde::{Deserialize, Serialize};

use super::{Record, Store, Watchdog};
use crate::config::StoreConfig;

#[derive(Serialize, Deserialize)]
struct Counter(u64);

impl Record for Counter {
    const TREE: &'static str = "soak";
    const VERSION: u8 = 1;
}

#[test]
fn concurrent_store_traffic_does_not_hang() {
    let tmp = crate::layout::private_tempdir();
    let hangs = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&hangs);
    let watchdog = Watchdog::new(
        Duration::from_secs(20),
        Arc::new(move |op, elapsed| seen.lock().expect("lock").push((op, elapsed))),
    )
    .expect("watchdog");
    let store = Store::open_with(tmp.path(), &StoreConfig::default(), watchdog).expect("store");
    let (done, finished) = mpsc::channel();
    let workers: Vec<_> = (0..4u64)
        .map(|worker| {
            let (store, done) = (store.clone(), done.clone());
            std::thread::spawn(move || {
                let tree = store.tree::<Counter>().expect("tree");
                let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
                for i in 0..20_000u64 {
                    let hot = (i % 8).to_be_bytes();
                    match (worker + i) % 6 {
                        0 | 1 => tree.insert(&hot, &Counter(i)).expect("insert"),
                        2 => tree.insert_expiring(&i.to_be_bytes(), &Counter(i), now).expect("insert_expiring"),
                        3 => {
                            tree.remove(&hot).expect("remove");
                        }
                        4 if i % 100 == 4 => {
                            store.sweep_expired(now + Duration::from_secs(1)).expect("sweep");
                        }
                        5 if i % 500 == 5 => {
                            store.snapshot().expect("snapshot");
                            store.flush_blocking().expect("flush");
                        }
                        _ => {
                            tree.get(&hot).expect("get");
                        }
                    }
                }
                done.send(worker).expect("report");
            })
        })
        .collect();
    drop(done);
    for _ in 0..4 {
        finished.recv_timeout(Duration::from_mins(2)).expect("a worker hung: store traffic did not finish");
    }
    for worker in workers {
        worker.join().expect("worker");
    }
    assert!(hangs.lock().expect("lock").is_empty(), "the watchdog saw hung operations: {:?}", hangs.lock());
}
