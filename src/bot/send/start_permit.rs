//! The start permit a running handler holds, given back the moment it waits for a send slot.
//!
//! A permit bounds the handlers *working* at once (`bot.max_in_flight`); a handler waiting for
//! its turn to send does no work, so it must not keep one: when every permit sat with handlers
//! waiting on Telegram's 30 messages a second, nobody else's update could start (300 accounts
//! pressing buttons within their limits held every permit and a normal user's `/help` waited
//! half a minute). The dispatcher runs each handler inside [`holding`]; [`Sender::slot`] calls
//! [`give_back`] before it waits. The permit is not taken again afterwards: what is left of a
//! handler after its first send is sending, which the schedule already orders.
//!
//! The permit is held as `Box<dyn Send>` so this module needs nothing from the gate that made
//! it (the pipeline sits above `send/`). A task-local, not a parameter, because every send
//! helper would otherwise carry it through every handler's signature.
//!
//! [`Sender::slot`]: super::Sender::slot

use std::{cell::RefCell, future::Future};

tokio::task_local! {
    static HELD: RefCell<Option<Box<dyn Send>>>;
}

/// Runs `work` holding `permit`; the permit is dropped at `work`'s first wait for a send slot,
/// or when `work` ends.
pub(crate) async fn holding<F: Future>(permit: Box<dyn Send>, work: F) -> F::Output {
    HELD.scope(RefCell::new(Some(permit)), work).await
}

/// Drops the current task's start permit, if it holds one (outside [`holding`]: nothing).
pub(crate) fn give_back() {
    let permit = HELD.try_with(|held| held.borrow_mut().take()).ok().flatten();
    drop(permit);
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    };

    use super::*;

    struct Flag(Arc<AtomicBool>);

    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[tokio::test]
    async fn the_permit_goes_back_at_the_first_wait_and_not_before() {
        let dropped = Arc::new(AtomicBool::new(false));
        let seen = Arc::clone(&dropped);
        holding(Box::new(Flag(Arc::clone(&dropped))), async move {
            assert!(!seen.load(Ordering::SeqCst), "held while working");
            give_back();
            assert!(seen.load(Ordering::SeqCst), "given back when waiting to send");
            give_back();
        })
        .await;
    }

    #[tokio::test]
    async fn a_handler_that_never_sends_returns_it_when_it_ends() {
        let dropped = Arc::new(AtomicBool::new(false));
        holding(Box::new(Flag(Arc::clone(&dropped))), async {}).await;
        assert!(dropped.load(Ordering::SeqCst));
        give_back();
    }
}
