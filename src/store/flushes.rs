//! Flushes that share one disk sync: callers that ask while a flush runs wait for the next one,
//! which covers all of them, and only one blocking thread per store flushes at a time.
//!
//! Before, every `Store::flush` took a blocking thread of its own, and flushes asked for at
//! once each waited for sled's in turn on their own thread, each syncing the disk. Now the
//! threads and syncs are bounded by the store, not by how many handlers flush at once: a flush
//! that starts after a caller asked makes that caller's earlier writes durable, so one flush can
//! answer every caller that asked before it started (group commit). Measured in the flood
//! bench's third phase (300 accounts registering and drawing at once): peak RSS 37.7–37.9 MiB
//! against 40.1–42.3 MiB without it (README: Benchmarks).

use std::sync::atomic::{AtomicU64, Ordering};

use super::StoreError;

/// The flush requests of one store, numbered, and how far the last successful flush reached.
#[derive(Debug, Default)]
pub(super) struct Flushes {
    /// Requests so far; a request's number is its position in this count.
    requested: AtomicU64,
    /// Held by the one flush in progress; holds the highest request number a successful flush
    /// has covered. Tokio's mutex queues waiters in order.
    covered: tokio::sync::Mutex<u64>,
}

impl Flushes {
    /// Makes every write made before this call durable by running `flush` on a blocking
    /// thread — or by waiting for a flush that started after this call, if one succeeds.
    pub(super) async fn flush<F>(&self, flush: F) -> Result<(), StoreError>
    where
        F: FnOnce() -> Result<(), StoreError> + Send + 'static,
    {
        // SeqCst: the caller's writes come before its number, and a flush that reads a count
        // including that number starts after them.
        let ticket = self.requested.fetch_add(1, Ordering::SeqCst) + 1;
        let mut covered = self.covered.lock().await;
        if *covered >= ticket {
            return Ok(());
        }
        let reaches = self.requested.load(Ordering::SeqCst);
        tokio::task::spawn_blocking(flush).await.map_err(|e| StoreError::Task(e.to_string()))??;
        *covered = reaches;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_waiting_for_a_flush_share_the_next_one() {
        let flushes = Arc::new(Flushes::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let callers: Vec<_> = (0..50)
            .map(|_| {
                let flushes = Arc::clone(&flushes);
                let runs = Arc::clone(&runs);
                tokio::spawn(async move {
                    flushes
                        .flush(move || {
                            runs.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            Ok(())
                        })
                        .await
                })
            })
            .collect();
        for caller in callers {
            caller.await.expect("caller").expect("flush");
        }
        let runs = runs.load(Ordering::SeqCst);
        assert!((1..50).contains(&runs), "50 callers, {runs} flushes: they should have shared");
    }

    #[tokio::test]
    async fn a_flush_after_the_last_one_runs_again() {
        let flushes = Flushes::default();
        let runs = Arc::new(AtomicUsize::new(0));
        for _ in 0..3 {
            let runs = Arc::clone(&runs);
            flushes
                .flush(move || {
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                })
                .await
                .expect("flush");
        }
        assert_eq!(runs.load(Ordering::SeqCst), 3, "a request after a finished flush is not covered by it");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_flush_covers_no_one() {
        let flushes = Arc::new(Flushes::default());
        // The first flush fails only once a second caller has asked, so that caller's request
        // is among those the failed flush would have covered.
        let first = {
            let flushes = Arc::clone(&flushes);
            let waiting_for = Arc::clone(&flushes);
            tokio::spawn(async move {
                flushes
                    .flush(move || {
                        while waiting_for.requested.load(Ordering::SeqCst) < 2 {
                            std::thread::sleep(std::time::Duration::from_millis(1));
                        }
                        Err(StoreError::Task(String::from("disk")))
                    })
                    .await
            })
        };
        while flushes.requested.load(Ordering::SeqCst) < 1 {
            tokio::task::yield_now().await;
        }
        let ran = Arc::new(AtomicUsize::new(0));
        let r = Arc::clone(&ran);
        flushes
            .flush(move || {
                r.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
            .await
            .expect("flush");
        let failed = first.await.expect("first caller");
        assert!(matches!(failed, Err(StoreError::Task(ref m)) if m == "disk"), "{failed:?}");
        assert_eq!(ran.load(Ordering::SeqCst), 1, "the next caller flushes itself");
    }
}
