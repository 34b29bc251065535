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
//! Waiting handlers stay bounded all the same: a permit is *parked* — traded for one of a fixed
//! number of waiting places — and kept when every place is taken ([`StartPermit::park`]). The
//! gate implements the trait, so this module needs nothing from it (the pipeline sits above
//! `send/`). A task-local, not a parameter, because every send
//! helper would otherwise carry it through every handler's signature.
//!
//! [`Sender::slot`]: super::Sender::slot

use std::{cell::RefCell, future::Future};

/// A start permit that can be traded for a place among the handlers waiting to send.
pub(crate) trait StartPermit: Send {
    /// Whether the permit went to quiet work (a chat with nothing else waiting, a press): its
    /// handler's messages are then sent as a quiet chat's.
    fn quiet(&self) -> bool;

    /// Gives the permit back to the gate if a place among waiting handlers is free, and returns
    /// that place (held until the handler ends); with every place taken, returns the permit
    /// itself, still held — so handlers waiting to send stay bounded, and work still starts.
    fn park(self: Box<Self>) -> Box<dyn Send>;
}

/// What the running handler holds.
enum Held {
    /// Its start permit: it has not waited to send yet.
    Working(Box<dyn StartPermit>),
    /// What parking gave: a waiting place, or the permit kept when none was free (held only to
    /// be dropped when the handler ends).
    Parked(#[expect(dead_code, reason = "held for its drop")] Box<dyn Send>),
    /// Nothing: the parking is being done.
    Nothing,
}

/// What the running handler holds, and whether its permit went to quiet work.
struct Holding {
    held: Held,
    quiet: bool,
}

tokio::task_local! {
    static HELD: RefCell<Holding>;
}

/// Runs `work` holding `permit`; the permit is parked at `work`'s first wait for a send slot;
/// whatever is held goes back when `work` ends.
///
/// Not an `async fn`: one would keep `work` twice, as its argument and inside the scope it is
/// moved into (the task holding it would be twice the handler's size).
pub(crate) fn holding<F: Future>(permit: Box<dyn StartPermit>, work: F) -> impl Future<Output = F::Output> {
    let quiet = permit.quiet();
    HELD.scope(RefCell::new(Holding { held: Held::Working(permit), quiet }), work)
}

/// Whether the current task is a handler whose permit went to quiet work (`None` outside
/// [`holding`]).
pub(crate) fn started_quiet() -> Option<bool> {
    HELD.try_with(|holding| holding.borrow().quiet).ok()
}

/// Parks the current task's start permit, if it holds one not parked yet (outside [`holding`]:
/// nothing).
pub(crate) fn give_back() {
    let _ = HELD.try_with(|holding| {
        let taken = std::mem::replace(&mut holding.borrow_mut().held, Held::Nothing);
        let next = match taken {
            Held::Working(permit) => Held::Parked(permit.park()),
            other => other,
        };
        holding.borrow_mut().held = next;
    });
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

    /// Parks into a place (a second flag) when `room`, else keeps itself.
    struct Permit {
        #[expect(dead_code, reason = "held for its drop")]
        flag: Flag,
        place: Option<Flag>,
    }

    impl StartPermit for Permit {
        fn quiet(&self) -> bool {
            self.place.is_some()
        }

        fn park(mut self: Box<Self>) -> Box<dyn Send> {
            match self.place.take() {
                Some(place) => Box::new(place),
                None => self,
            }
        }
    }

    fn permit(room: bool) -> (Box<Permit>, Arc<AtomicBool>, Arc<AtomicBool>) {
        let (permit, place) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let held = Permit { flag: Flag(Arc::clone(&permit)), place: room.then(|| Flag(Arc::clone(&place))) };
        (Box::new(held), permit, place)
    }

    #[tokio::test]
    async fn the_permit_goes_back_at_the_first_wait_and_the_place_when_the_handler_ends() {
        let (held, permit, place) = permit(true);
        let (seen_permit, seen_place) = (Arc::clone(&permit), Arc::clone(&place));
        assert_eq!(started_quiet(), None, "outside a handler");
        holding(held, async move {
            assert_eq!(started_quiet(), Some(true), "the permit went to quiet work");
            assert!(!seen_permit.load(Ordering::SeqCst), "held while working");
            give_back();
            assert!(seen_permit.load(Ordering::SeqCst), "given back when waiting to send");
            give_back();
            assert!(!seen_place.load(Ordering::SeqCst), "the waiting place is kept");
        })
        .await;
        assert!(place.load(Ordering::SeqCst), "and given back at the end");
    }

    #[tokio::test]
    async fn with_no_place_free_the_permit_is_kept_until_the_end() {
        let (held, permit, _) = permit(false);
        let seen = Arc::clone(&permit);
        holding(held, async move {
            assert_eq!(started_quiet(), Some(false));
            give_back();
            assert!(!seen.load(Ordering::SeqCst), "kept: no waiting place was free");
        })
        .await;
        assert!(permit.load(Ordering::SeqCst));
        give_back();
    }
}
