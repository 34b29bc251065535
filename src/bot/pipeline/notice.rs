//! Acting on a sentinel verdict other than `Allow`: at most one short notice per limited period,
//! sent after the chat's replies and dropped once the wait it announces is over; callback and
//! pre-checkout queries always answered at once (so the client's spinner stops); silence for
//! blocked users. Notices never carry internal details.

use std::time::Duration;

use teloxide::{
    payloads::{AnswerCallbackQuerySetters, AnswerPreCheckoutQuerySetters},
    prelude::Requester,
    types::{ChatId, Update, UpdateKind},
};

use crate::{
    i18n,
    locale::Locale,
    sentinel::{InboundKind, Verdict},
};

use crate::bot::send::{Redacted, Sender, send_notice};

/// Whether acting on `verdict` for an update of `kind` needs any request at all.
pub(crate) fn needs_action(verdict: Verdict, kind: InboundKind) -> bool {
    match verdict {
        Verdict::Allow | Verdict::Blocked | Verdict::Ignored => false,
        Verdict::Debounced | Verdict::Limited { .. } | Verdict::Penalised { .. } => {
            verdict.notice().is_some() || matches!(kind, InboundKind::CallbackQuery | InboundKind::PreCheckoutQuery)
        }
    }
}

/// Sends what `verdict` calls for: a callback answer (with the notice as its text, if any) or a
/// notice message in the update's chat, in the sender's Telegram language (a limited update is
/// answered without opening anything stored about its sender).
pub(crate) async fn act(sender: &Sender, verdict: Verdict, update: &Update) {
    let chat_notice = ChatNotice::of(verdict, update);
    let locale = chat_notice.locale;
    let notice = chat_notice.text();
    if let UpdateKind::PreCheckoutQuery(query) = &update.kind {
        // A checkout must be answered (within 10 s) or the user waits on a spinner; "no" charges
        // nothing.
        let message = notice.unwrap_or_else(|| i18n::text(locale, "checkout_too_many").to_owned());
        let answer = sender.bot().answer_pre_checkout_query(query.id.clone(), false).error_message(message);
        if let Err(e) = answer.await {
            tracing::debug!(error = %Redacted(&e), "cannot answer a pre-checkout query");
        }
        return;
    }
    if let UpdateKind::CallbackQuery(query) = &update.kind {
        let mut answer = sender.bot().answer_callback_query(query.id.clone());
        if let Some(text) = &notice {
            answer = answer.text(text.clone());
        }
        if let Err(e) = answer.await {
            tracing::debug!(error = %Redacted(&e), "cannot answer a callback query");
        }
        return;
    }
    chat_notice.send(sender).await;
}

/// A notice for a denied message, reduced to what sending it needs: it waits in its chat's lane
/// behind the replies, and a flood keeps many waiting.
pub(crate) struct ChatNotice {
    verdict: Verdict,
    chat: Option<i64>,
    locale: Locale,
}

impl ChatNotice {
    /// The notice `verdict` calls for in the chat of `update`, in its sender's language.
    pub(crate) fn of(verdict: Verdict, update: &Update) -> ChatNotice {
        let code = update.from().and_then(|from| from.language_code.as_deref()).unwrap_or_default();
        ChatNotice { verdict, chat: update.chat().map(|chat| chat.id.0), locale: Locale::from_language_code(code) }
    }

    /// Its words, if the verdict calls for a notice.
    fn text(&self) -> Option<String> {
        self.verdict.notice().map(|wait| notice_text(self.verdict, wait, self.locale))
    }

    /// Sends it (after the chat's replies; dropped once the wait it announces is over).
    pub(crate) async fn send(self, sender: &Sender) {
        if let (Some(chat), Some(text), Some(wait)) = (self.chat, self.text(), self.verdict.notice()) {
            send_notice(sender, ChatId(chat), &text, std::time::Instant::now() + wait).await;
        }
    }
}

fn notice_text(verdict: Verdict, wait: Duration, locale: Locale) -> String {
    let wait = i18n::wait(locale, wait);
    match verdict {
        Verdict::Penalised { .. } => i18n::format(locale, "notice_penalised", &[("wait", &wait)]),
        _ => i18n::format(locale, "notice_limited", &[("wait", &wait)]),
    }
}
