//! Acting on a sentinel verdict other than `Allow`: at most one short notice per limited period,
//! sent after the chat's replies and dropped once the wait it announces is over; callback and
//! pre-checkout queries always answered at once (so the client's spinner stops); silence for
//! blocked users. Notices never carry internal details.

use std::{borrow::Cow, time::Duration};

use serde::Deserialize;
use teloxide::{
    payloads::{AnswerCallbackQuerySetters, AnswerPreCheckoutQuerySetters},
    prelude::Requester,
    types::{ChatId, Update, UpdateKind},
};

use crate::{
    i18n,
    locale::Locale,
    sentinel::{Inbound, InboundKind, Verdict},
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
#[derive(Debug, PartialEq, Eq)]
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

    /// The same notice for an update the sentinel's first look read whole (`inbound`), from its
    /// JSON as Telegram sent it: the chat is the look's, the language read by a second look at
    /// the one field it needs. A flood's denials need this notice by the thousand, and
    /// teloxide's full decode of each cost the polling loop about a twentieth of its time.
    pub(crate) fn of_inbound(verdict: Verdict, inbound: &Inbound, json: &str) -> ChatNotice {
        let look = serde_json::from_str::<LanguageLook<'_>>(json).ok();
        let code = look.as_ref().and_then(LanguageLook::code).unwrap_or_default();
        ChatNotice { verdict, chat: inbound.chat, locale: Locale::from_language_code(code) }
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

/// The sender's language in the JSON of an update that can carry a notice (the kinds with a
/// chat); everything else in it is skipped unread.
#[derive(Deserialize)]
struct LanguageLook<'a> {
    #[serde(borrow)]
    message: Option<SenderLook<'a>>,
    #[serde(borrow)]
    edited_message: Option<SenderLook<'a>>,
    #[serde(borrow)]
    my_chat_member: Option<SenderLook<'a>>,
}

#[derive(Deserialize)]
struct SenderLook<'a> {
    #[serde(borrow)]
    from: Option<UserLook<'a>>,
}

#[derive(Deserialize)]
struct UserLook<'a> {
    #[serde(borrow)]
    language_code: Option<Cow<'a, str>>,
}

impl LanguageLook<'_> {
    /// As `Update::from` reads it: the message's sender, else the edited message's, else the
    /// member update's.
    fn code(&self) -> Option<&str> {
        [&self.message, &self.edited_message, &self.my_chat_member]
            .into_iter()
            .find_map(|sender| sender.as_ref())
            .and_then(|sender| sender.from.as_ref())
            .and_then(|user| user.language_code.as_deref())
    }
}

fn notice_text(verdict: Verdict, wait: Duration, locale: Locale) -> String {
    let wait = i18n::wait(locale, wait);
    match verdict {
        Verdict::Penalised { .. } => i18n::format(locale, "notice_penalised", &[("wait", &wait)]),
        _ => i18n::format(locale, "notice_limited", &[("wait", &wait)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentinel::{Glance, glance};

    #[test]
    fn a_notice_from_the_first_look_is_the_one_the_decoded_update_gives() {
        let verdict = Verdict::Limited { retry_after: Duration::from_secs(30), notify: true };
        let chat = r#""chat":{"id":42,"type":"private","first_name":"Ann"}"#;
        let samples = [
            format!(
                r#"{{"update_id":1,"message":{{"message_id":1,"date":1,{chat},"from":{{"id":42,"is_bot":false,"first_name":"Ann","language_code":"ru"}},"text":"/help"}}}}"#
            ),
            format!(
                r#"{{"update_id":2,"message":{{"message_id":1,"date":1,{chat},"from":{{"id":42,"is_bot":false,"first_name":"Ann","language_code":"es-MX"}},"text":"hola"}}}}"#
            ),
            format!(
                r#"{{"update_id":3,"edited_message":{{"message_id":1,"date":1,"edit_date":2,{chat},"from":{{"id":42,"is_bot":false,"first_name":"Ann","language_code":"\u0072u"}},"text":"x"}}}}"#
            ),
            format!(
                r#"{{"update_id":4,"message":{{"message_id":1,"date":1,{chat},"from":{{"id":42,"is_bot":false,"first_name":"Ann"}},"text":"no language"}}}}"#
            ),
            format!(r#"{{"update_id":5,"message":{{"message_id":1,"date":1,{chat},"text":"no sender"}}}}"#),
        ];
        let mut locales = Vec::new();
        for json in &samples {
            let update: Update = serde_json::from_str(json).expect(json);
            let Glance::Decided(inbound) = glance(json, "arcana_bot") else { panic!("the look reads {json}") };
            let lean = ChatNotice::of_inbound(verdict, &inbound, json);
            assert_eq!(lean, ChatNotice::of(verdict, &update), "{json}");
            locales.push(lean.locale);
        }
        // The samples reach more than one language, so the look is not reading a default.
        assert_eq!(locales[0], Locale::from_language_code("ru"));
        assert_eq!(locales[2], Locale::from_language_code("ru"));
        assert_ne!(locales[0], locales[3]);
    }
}
