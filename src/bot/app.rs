//! What every handler and the polling loop share: the sending client, the store, the config,
//! the bot's own username, and the update tracker.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Notify, Semaphore};

use crate::{config::Config, control::Services, sentinel::sanitize::CallbackSigner, store::TypedTree};

use super::{
    client::Sender,
    offset::{self, PollPosition, Tracker},
};

/// Shared state of a running bot.
pub(crate) struct App {
    /// The throttled client for everything that sends.
    pub sender: Sender,
    /// The sentinel, vault, profiles, accounts and store.
    pub services: Arc<Services>,
    /// Signs and checks inline-button data (bound to user and chat).
    pub signer: CallbackSigner,
    /// The configuration.
    pub config: Config,
    /// The bot's username (from `getMe`), for `/cmd@username` in groups.
    pub username: String,
    tracker: Mutex<Tracker>,
    positions: TypedTree<PollPosition>,
    /// Signalled whenever an update or a notice finishes.
    pub finished: Notify,
    /// Bounds notices and callback answers for denied updates in flight; beyond it they are
    /// skipped, so a flood can never queue unbounded outgoing work.
    pub notices: Arc<Semaphore>,
}

/// Notices and callback answers for denied updates that may be in flight at once.
pub(crate) const MAX_NOTICES_IN_FLIGHT: usize = 1024;

impl App {
    /// Shared state starting from the persisted polling position.
    pub(crate) fn new(
        sender: Sender,
        services: Arc<Services>,
        config: Config,
        username: String,
    ) -> Result<App, crate::store::StoreError> {
        let positions = services.data.tree::<PollPosition>()?;
        let floor = offset::load(&positions)?;
        let signer = CallbackSigner::new(&services.vault.subkey("callback/v1"));
        Ok(App {
            sender,
            signer,
            services,
            config,
            username,
            tracker: Mutex::new(Tracker::new(floor)),
            positions,
            finished: Notify::new(),
            notices: Arc::new(Semaphore::new(MAX_NOTICES_IN_FLIGHT)),
        })
    }

    fn tracker(&self) -> std::sync::MutexGuard<'_, Tracker> {
        self.tracker.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The offset for the next `getUpdates`.
    pub(crate) fn request_offset(&self) -> i64 {
        self.tracker().request_offset()
    }

    /// Whether update `id` is new; if so it is now in flight.
    pub(crate) fn admit(&self, id: i64) -> bool {
        self.tracker().admit(id)
    }

    /// Marks update `id` handled and persists the polling position if it moved.
    pub(crate) fn finish(&self, id: i64) {
        let moved = self.tracker().finish(id);
        if let Some(next) = moved
            && let Err(e) = offset::save(&self.positions, next)
        {
            tracing::error!(error = %e, "cannot persist the polling position");
        }
        self.finished.notify_waiters();
    }

    /// Updates dispatched but not finished, plus notices not yet sent.
    pub(crate) fn in_flight(&self) -> usize {
        self.tracker().in_flight() + (MAX_NOTICES_IN_FLIGHT - self.notices.available_permits())
    }

    /// Persists the current position (on shutdown).
    pub(crate) fn save_position(&self) -> Result<(), crate::store::StoreError> {
        offset::save(&self.positions, self.request_offset())
    }
}
