//! Per-chat ordered dispatch: updates of one chat run one after another, in arrival order;
//! different chats run concurrently. A worker task exists only while its chat has work.

use std::{
    collections::{HashMap, VecDeque},
    future::Future,
    sync::{Arc, Mutex, PoisonError},
};

/// A unit of work for one chat.
pub(crate) type Job = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// The queues, keyed by chat (or by user or update for chat-less updates).
#[derive(Clone, Default)]
pub(crate) struct ChatQueues {
    queues: Arc<Mutex<HashMap<i64, VecDeque<Job>>>>,
}

impl ChatQueues {
    /// Runs `job` after the jobs already queued for `key`.
    pub(crate) fn dispatch(&self, key: i64, job: Job) {
        let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(queue) = queues.get_mut(&key) {
            queue.push_back(job);
            return;
        }
        queues.insert(key, VecDeque::new());
        drop(queues);
        let this = self.clone();
        tokio::spawn(async move {
            job.await;
            while let Some(next) = this.next_job(key) {
                next.await;
            }
        });
    }

    /// Pops the next job, removing the queue (and ending its worker) when it is empty.
    fn next_job(&self, key: i64) -> Option<Job> {
        let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        let next = queues.get_mut(&key).and_then(VecDeque::pop_front);
        if next.is_none() {
            queues.remove(&key);
        }
        next
    }

    /// Number of chats with work queued or running.
    #[cfg(test)]
    pub(crate) fn active(&self) -> usize {
        self.queues.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc;

    #[tokio::test]
    async fn jobs_of_one_chat_run_in_order_and_workers_end() {
        let queues = ChatQueues::default();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (gate_tx, gate_rx) = tokio::sync::oneshot::channel::<()>();
        let first_tx = tx.clone();
        queues.dispatch(
            1,
            Box::pin(async move {
                let _ = gate_rx.await;
                let _ = first_tx.send(1);
            }),
        );
        for n in 2..=4 {
            let tx = tx.clone();
            queues.dispatch(
                1,
                Box::pin(async move {
                    let _ = tx.send(n);
                }),
            );
        }
        let other = tx.clone();
        queues.dispatch(
            2,
            Box::pin(async move {
                let _ = other.send(100);
            }),
        );
        assert_eq!(rx.recv().await, Some(100), "another chat is not held up");
        let _ = gate_tx.send(());
        let order: Vec<i32> =
            vec![rx.recv().await, rx.recv().await, rx.recv().await, rx.recv().await].into_iter().flatten().collect();
        assert_eq!(order, [1, 2, 3, 4]);
        tokio::task::yield_now().await;
        for _ in 0..100 {
            if queues.active() == 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(queues.active(), 0);
    }
}
