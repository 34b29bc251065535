//! What every handler and the pipeline share: the sending client, the services, the config, the
//! bot's own username, and the inbox.

use std::sync::Arc;

use tokio::sync::{Notify, Semaphore};

use crate::{accounts::Profile, config::Config, control::Services, locale::Locale, sanitize::CallbackSigner};

use super::{inbox_bound::InboxBound, send::Sender};
use crate::inbox::Inbox;

/// Shared state of a running bot.
pub(crate) struct App {
    /// The client for everything that sends.
    pub sender: Sender,
    /// The sentinel, vault, profiles, accounts, store and pipeline gauges.
    pub services: Arc<Services>,
    /// Signs and checks inline-button data (bound to user and chat).
    pub signer: CallbackSigner,
    /// The configuration.
    pub config: Config,
    /// The bot's username (from `getMe`), for `/cmd@username` in groups.
    pub username: String,
    /// The durable inbox of admitted, unfinished updates.
    pub inbox: Arc<Inbox>,
    /// What waits in the inbox, against `bot.inbox_capacity` and `bot.inbox_max_bytes`.
    pub inbox_bound: InboxBound,
    /// Signalled whenever inbox entries are removed or a notice is sent.
    pub drained: Notify,
    /// Bounds notices for denied updates waiting to be sent; beyond it they are skipped, so a
    /// flood can never queue unbounded outgoing work.
    pub notices: Arc<Semaphore>,
    /// Bounds answers to denied callback and pre-checkout queries in flight (they are sent at
    /// once, so this only fills under a flood of presses faster than Telegram answers).
    pub answers: Arc<Semaphore>,
}

/// Notices for denied updates that may wait at once.
pub(crate) const MAX_NOTICES_IN_FLIGHT: usize = 1024;
/// Query answers for denied updates that may be in flight at once.
pub(crate) const MAX_ANSWERS_IN_FLIGHT: usize = 256;

impl App {
    /// Shared state over the opened inbox.
    pub(crate) fn new(
        sender: Sender,
        services: Arc<Services>,
        config: Config,
        username: String,
        inbox: Arc<Inbox>,
    ) -> App {
        let signer = CallbackSigner::new(&services.vault.subkey("callback/v1"));
        let inbox_bound = InboxBound::new(u64::from(config.bot.inbox_capacity.get()), config.bot.inbox_max_bytes);
        App {
            sender,
            signer,
            services,
            config,
            username,
            inbox,
            inbox_bound,
            drained: Notify::new(),
            notices: Arc::new(Semaphore::new(MAX_NOTICES_IN_FLIGHT)),
            answers: Arc::new(Semaphore::new(MAX_ANSWERS_IN_FLIGHT)),
        }
    }

    /// Makes everything written so far durable, before the user is told it is done (consent,
    /// two-factor changes, codes used, sessions ended). A failure is logged: the update's inbox
    /// entry then stays until a later flush, so a crash replays it rather than losing it.
    pub(crate) async fn make_durable(&self) {
        if let Err(e) = self.services.data.flush().await {
            tracing::error!(error = %e, "cannot flush the store before acknowledging");
        }
    }

    /// Update `id` left the inbox: the bound and its gauge follow.
    pub(crate) fn inbox_finished(&self, id: i64) {
        self.inbox_bound.finish(id);
        crate::control::PipelineStats::set(&self.services.pipeline.inbox_bytes, self.inbox_bound.bytes());
    }

    /// The language to speak to `user` in: the locale stored in their profile, else the one of
    /// Telegram's `language_code` (`code`; an unregistered user has no profile), else English.
    pub(crate) fn locale(&self, user: i64, code: Option<&str>) -> Locale {
        match self.services.profiles.get(user) {
            Ok(Some(Profile { locale: Some(locale), .. })) => locale,
            Ok(_) => Locale::from_language_code(code.unwrap_or_default()),
            Err(e) => {
                tracing::warn!(error = %e, "cannot open a profile for its locale");
                Locale::from_language_code(code.unwrap_or_default())
            }
        }
    }

    /// Admitted updates not yet finished, plus notices not yet sent.
    pub(crate) fn in_flight(&self) -> u64 {
        let pipeline = &self.services.pipeline;
        crate::control::PipelineStats::get(&pipeline.inbox) + crate::control::PipelineStats::get(&pipeline.notices)
    }
}
