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

use crate::sentinel::Verdict;

use super::send::{Sender, send_notice};

/// Whether acting on `verdict` for `update` needs any request at all.
pub(crate) fn needs_action(verdict: Verdict, update: &Update) -> bool {
    match verdict {
        Verdict::Allow | Verdict::Blocked | Verdict::Ignored => false,
        Verdict::Debounced | Verdict::Limited { .. } | Verdict::Penalised { .. } => {
            verdict.notice().is_some()
                || matches!(update.kind, UpdateKind::CallbackQuery(_) | UpdateKind::PreCheckoutQuery(_))
        }
    }
}

/// Sends what `verdict` calls for: a callback answer (with the notice as its text, if any) or a
/// notice message in the update's chat.
pub(crate) async fn act(sender: &Sender, verdict: Verdict, update: &Update) {
    let notice = verdict.notice().map(|wait| notice_text(verdict, wait));
    if let UpdateKind::PreCheckoutQuery(query) = &update.kind {
        // A checkout must be answered (within 10 s) or the user waits on a spinner; "no" charges
        // nothing.
        let message = notice.unwrap_or_else(|| String::from("⏳ Too many requests; please try again shortly."));
        let answer = sender.bot().answer_pre_checkout_query(query.id.clone(), false).error_message(message);
        if let Err(e) = answer.await {
            tracing::debug!(error = %e, "cannot answer a pre-checkout query");
        }
        return;
    }
    if let UpdateKind::CallbackQuery(query) = &update.kind {
        let mut answer = sender.bot().answer_callback_query(query.id.clone());
        if let Some(text) = &notice {
            answer = answer.text(text.clone());
        }
        if let Err(e) = answer.await {
            tracing::debug!(error = %e, "cannot answer a callback query");
        }
        return;
    }
    if let (Some(text), Some(chat), Some(wait)) = (notice, update.chat(), verdict.notice()) {
        send_notice(sender, ChatId(chat.id.0), &text, std::time::Instant::now() + wait).await;
    }
}

fn notice_text(verdict: Verdict, wait: Duration) -> String {
    let wait = human_wait(wait);
    match verdict {
        Verdict::Penalised { .. } => format!("⏳ Too many requests. Please wait {wait} before trying again."),
        _ => format!("⏳ Please wait {wait} before sending more."),
    }
}

/// A short, rounded-up wait: "7 s", "2 min", "1 h".
#[must_use]
pub(crate) fn human_wait(wait: Duration) -> String {
    let secs = wait.as_millis().div_ceil(1000).max(1);
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min", secs.div_ceil(60)),
        _ => format!("{} h", secs.div_ceil(3600)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_rounded_up() {
        assert_eq!(human_wait(Duration::from_millis(6_001)), "7 s");
        assert_eq!(human_wait(Duration::from_millis(10)), "1 s");
        assert_eq!(human_wait(Duration::from_secs(61)), "2 min");
        assert_eq!(human_wait(Duration::from_hours(1)), "1 h");
    }
}
