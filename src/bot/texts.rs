//! What the bot says: every user-facing text of the Telegram side, in one place, ready for
//! translation. Fixed texts are constants; texts with values are small functions keeping their
//! `format!` templates. Texts are Telegram HTML unless noted (callback answers, pre-checkout
//! error messages, button labels and captions are plain). User-supplied values are escaped by
//! the callers, where they are inserted: a parameter ending in `_html` is already escaped.
//! Nothing here reveals internals.

use std::time::Duration;

// ---- Registration, help and access ----

/// The welcome for registered users.
pub(crate) const WELCOME: &str = "🔮 <b>Welcome to arcana</b>, a tarot reading bot.\n\n\
Each reading draws from a full 78-card deck. Try /draw for one card, or \
<code>/draw three What should I focus on?</code> — and /help for everything else.";

/// The command list for `/help`, from the command table (admin commands left out).
pub(crate) fn help() -> String {
    let mut text = String::from("<b>Commands</b>");
    for spec in crate::command::TABLE.iter().filter(|s| s.access != crate::command::Access::Admin) {
        text.push('\n');
        text.push_str(&crate::command::help_line(spec));
    }
    text
}

/// The refusal of a private-chat-only command in a group.
pub(crate) fn private_only(command: crate::command::Command) -> String {
    format!("🔒 For your privacy, send /{} in a private chat with me.", command.name())
}

/// The privacy notice.
pub(crate) fn privacy(after_block: &str, inactive: &str) -> String {
    format!(
        "🔒 <b>Privacy</b>\n\n\
arcana stores your Telegram id, your name, username and language, your readings and the \
questions you ask — encrypted, under a key of your own — only to give you readings and your \
history. Readings are deleted after the retention period. Payments are handled by Telegram: \
arcana keeps only the charge id, the amount and what it bought — never card details. Nothing is \
shared.\n\n\
If you block the bot, everything about you is deleted {after_block} later (unless you come back); \
if you do not use it for {inactive}, too. Messages showing a secret (a two-factor key, backup \
codes, an export) are deleted from this chat after a few minutes.\n\n\
You can get everything arcana stores about you with /export, and delete it for good with \
/delete_me, at any time — even if you were blocked (encrypted backups taken before a deletion \
keep it until they are rotated out)."
    )
}

/// Asking for agreement.
pub(crate) const AGREE_PROMPT: &str = "\n\nTap <b>I agree</b> to continue.";

/// The consent button's label.
pub(crate) const AGREE_BUTTON: &str = "I agree";

/// A command for admins only.
pub(crate) const ADMINS_ONLY: &str = "⛔ This command is for admins only.";

/// A sensitive action without a fresh code.
pub(crate) const NEEDS_FRESH_CODE: &str = "🔐 This needs a fresh code: send /verify CODE (from your authenticator app, or a backup code), then repeat the command.";

/// A storage failure, without details.
pub(crate) const TRY_AGAIN: &str = "⚠️ Something went wrong; please try again.";

/// A wrong code.
pub(crate) const CODE_INVALID: &str = "❌ That code is not valid.";

/// A replayed code.
pub(crate) const CODE_REPLAYED: &str = "❌ That code was already used; wait for the next one.";

// ---- Waits ----

/// A configured period, for the privacy notice and secret messages: "10 minutes", "30 days",
/// "2 years".
#[must_use]
pub(crate) fn human_period(period: Duration) -> String {
    let secs = period.as_secs();
    let days = secs / 86_400;
    match secs {
        0..120 => format!("{secs} seconds"),
        120..7_200 => format!("{} minutes", secs / 60),
        7_200..172_800 => format!("{} hours", secs / 3_600),
        _ if days.is_multiple_of(365) => format!("{} years", days / 365),
        _ => format!("{days} days"),
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

// ---- Access refusals (`handlers::router`) ----

/// A command that needs another tier (its name already escaped).
pub(crate) fn needs_tier(tier_html: &str) -> String {
    format!("⭐ This needs {tier_html}.")
}

/// A command outside the user's plan.
pub(crate) const NOT_IN_PLAN: &str = "⭐ This is not part of your plan.";

/// A command the plan allows again later.
pub(crate) fn tier_limited(wait: &str) -> String {
    format!("⏳ Your plan allows this again in {wait}.")
}

// ---- Limit notices (`pipeline::notice`; callback answers and pre-checkout errors are plain) ----

/// Refusing a checkout under a limit without a notice of its own.
pub(crate) const CHECKOUT_TOO_MANY: &str = "⏳ Too many requests; please try again shortly.";

/// The notice for a penalised user.
pub(crate) fn notice_penalised(wait: &str) -> String {
    format!("⏳ Too many requests. Please wait {wait} before trying again.")
}

/// The notice for a limited user.
pub(crate) fn notice_limited(wait: &str) -> String {
    format!("⏳ Please wait {wait} before sending more.")
}

// ---- Consent button answers (`handlers::consent`; plain) ----

/// Consent recorded.
pub(crate) const CONSENT_THANKS: &str = "Thank you!";

/// Consent to an outdated notice.
pub(crate) const CONSENT_NOTICE_CHANGED: &str = "This notice has changed; send /start to see the current one.";

/// A storage failure, in a callback answer.
pub(crate) const TRY_AGAIN_PLAIN: &str = "Something went wrong; please try again.";

// ---- Button answers (`handlers::callbacks`; plain) ----

/// A button with an unknown action.
pub(crate) const BUTTON_GONE: &str = "This button no longer works.";

/// A button signed for someone else, or forged.
pub(crate) const BUTTON_NOT_YOURS: &str = "This button is not for you.";

/// A button pressed before registering.
pub(crate) const BUTTON_START_FIRST: &str = "Send /start first.";

/// A button whose command the user's plan no longer allows.
pub(crate) const BUTTON_NOT_IN_PLAN: &str = "This is not part of your plan.";

// ---- Admin commands (`handlers::admin`) ----

/// `/block` or `/unblock` without a valid user.
pub(crate) const BLOCK_USAGE: &str =
    "Usage: /block USER_ID|@username [DURATION] [REASON] or /unblock USER_ID|@username";

/// An unknown `@username`.
pub(crate) const USERNAME_UNKNOWN: &str = "No user with that username has used this bot.";

/// A failed username lookup.
pub(crate) const LOOKUP_FAILED: &str = "⚠️ Lookup failed; try again.";

/// `/lockdown` without `on` or `off`.
pub(crate) const LOCKDOWN_USAGE: &str = "Usage: /lockdown on [REASON] or /lockdown off";

/// `/unmute` without a valid user.
pub(crate) const UNMUTE_USAGE: &str = "Usage: /unmute USER_ID|@username";

/// `/reset_limits` without a valid user or `all`.
pub(crate) const RESET_LIMITS_USAGE: &str = "Usage: /reset_limits USER_ID|@username|all";

/// `/broadcast` without a text.
pub(crate) const BROADCAST_USAGE: &str =
    "Usage: /broadcast TEXT (to every registered user who has not blocked the bot)";

// ---- Lockdown (`handlers`: `router`, `callbacks`, `payments`) ----

/// The one notice a user who is not registered gets while lockdown is on.
pub(crate) const LOCKDOWN_NOTICE: &str = "🔒 arcana is not taking new users right now. Please try again later.";

/// The same, as a button answer (plain text).
pub(crate) const LOCKDOWN_BUTTON: &str = "arcana is not taking new users right now. Please try again later.";

/// `/buy` while lockdown is on.
pub(crate) const PURCHASES_LOCKED: &str = "🔒 Purchases are paused for a while. Please try again later.";

/// The same, as a button or checkout answer (plain text).
pub(crate) const PURCHASES_LOCKED_PLAIN: &str = "Purchases are paused for a while. Please try again later.";

/// A block or unblock that could not be saved (escaped by the caller with the other replies).
pub(crate) const NOT_SAVED: &str = "⚠️ Not saved; try again.";

// ---- Account commands (`handlers::accounts`) ----

/// `/sessions`: the heading.
pub(crate) fn sessions_heading(count: usize) -> String {
    format!("<b>Your sessions</b> ({count}):")
}

/// `/sessions`: the marker of the current session.
pub(crate) const SESSION_CURRENT: &str = " (this one)";

/// `/sessions`: one session's line.
pub(crate) fn session_line(id: &str, started: &str, last_active: &str, marker: &str) -> String {
    format!("\n• session {id} — started {started}, last active {last_active}{marker}")
}

/// `/logout_all` done.
pub(crate) const SESSIONS_ENDED: &str = "All your sessions have ended.";

/// `/2fa off` done.
pub(crate) const TWO_FACTOR_OFF: &str = "Two-factor authentication is off. All your sessions have ended.";

/// `/2fa off` when it was off.
pub(crate) const TWO_FACTOR_WAS_OFF: &str = "Two-factor authentication was not on.";

/// `/2fa CODE` confirmed, with the backup codes (already HTML).
pub(crate) fn two_factor_on(codes_html: &str, lifetime: &str) -> String {
    format!(
        "✅ Two-factor authentication is on. All your sessions have ended.\n\n\
         Your backup codes — each works once; write them down somewhere safe now: this message is \
         deleted in {lifetime}.\n{codes_html}"
    )
}

/// One backup code in the `/2fa` confirmation.
pub(crate) fn backup_code(code: &str) -> String {
    format!("<code>{code}</code>")
}

/// `/2fa CODE` before `/2fa`.
pub(crate) const TWO_FACTOR_ENROL_FIRST: &str = "Send /2fa first to get your key.";

/// `/2fa` when it is on.
pub(crate) const TWO_FACTOR_ALREADY_ON: &str =
    "Two-factor authentication is already on. To turn it off: /verify CODE, then /2fa off.";

/// The QR code's caption (plain).
pub(crate) const TWO_FACTOR_QR_CAPTION: &str = "Scan with your authenticator app";

/// `/2fa`: the key to add (the `otpauth` URI, already escaped).
pub(crate) fn two_factor_key(uri_html: &str, lifetime: &str) -> String {
    format!(
        "🔐 Scan the QR code with your authenticator app, or add this key by hand:\n<code>{uri_html}</code>\n\n\
         Then send <code>/2fa 123456</code> with the code it shows. The key and the QR code are \
         deleted from this chat once you confirm, or in {lifetime}."
    )
}

/// `/verify` done.
pub(crate) fn verified_for(wait: &str) -> String {
    format!("🔓 Verified for {wait}.")
}

/// `/verify` without two-factor authentication.
pub(crate) const VERIFY_NOT_ON: &str = "Two-factor authentication is not on; set it up with /2fa.";

/// Too many wrong codes.
pub(crate) fn code_locked(wait: &str) -> String {
    format!("🔒 Too many wrong codes. Try again in {wait}.")
}

/// A code without two-factor authentication.
pub(crate) const TWO_FACTOR_NOT_ON: &str = "Two-factor authentication is not on.";

/// `/export` as a message (the JSON already escaped).
pub(crate) fn export_inline(json_html: &str, lifetime: &str) -> String {
    format!("📦 <b>Your data</b> (deleted from this chat in {lifetime}: save it now)\n<pre>{json_html}</pre>")
}

/// `/export` as a file: its caption (plain).
pub(crate) fn export_caption(lifetime: &str) -> String {
    format!("📦 Your data (deleted from this chat in {lifetime}: save it now)")
}

/// A message showing a secret (`what`: "your two-factor key", …) may be in the chat and arcana
/// cannot delete it: the send was cut short (a restart) or its answer was lost.
pub(crate) fn secret_left_behind(what: &str) -> String {
    format!(
        "⚠️ A message above showing {what} may still be in this chat: arcana was interrupted while \
         sending it and cannot delete it. Please delete it yourself."
    )
}

/// `/delete_me` done.
pub(crate) const DELETED: &str = "🗑 Everything arcana stored about you is deleted. Send /start to begin again.";

// ---- Readings (`handlers::readings`) ----

/// After a draw: the allowance used up.
pub(crate) const DRAW_LAST_TODAY: &str = "\n🎟 That was today's last reading.";

/// After a draw: one left.
pub(crate) const DRAW_ONE_LEFT: &str = "\n🎟 1 reading left today.";

/// After a draw: some left.
pub(crate) fn draw_left(left: u32) -> String {
    format!("\n🎟 {left} readings left today.")
}

/// After a draw paid with a credit.
pub(crate) fn draw_paid_credit(left: u32) -> String {
    format!("\n💳 Paid with a credit; {left} left.")
}

/// The daily limit reached (`reset` as from [`reset_time`]).
pub(crate) fn daily_limit(allowance: u32, reset: &str) -> String {
    let readings = if allowance == 1 { "reading" } else { "readings" };
    format!(
        "🌙 You have used today's {allowance} {readings}. Your allowance resets at {reset}.\n\
         /buy credits for more readings now."
    )
}

/// A spread outside the plan (its name already escaped).
pub(crate) fn spread_not_included(spread_html: &str) -> String {
    format!("✨ The {spread_html} is not part of your plan. Use a credit (/buy credits) or /buy premium.")
}

/// "2026-11-24 00:00 UTC (in 5 h)" (the zone label already escaped).
pub(crate) fn reset_time(local_minute: &str, zone_html: &str, wait: &str) -> String {
    format!("{local_minute} {zone_html} (in {wait})")
}

/// `/credits`: the heading and plan (already escaped).
pub(crate) fn credits_heading(tier_html: &str) -> String {
    format!("🎟 <b>Your readings</b>\nPlan: {tier_html}\n")
}

/// `/credits`: today's allowance.
pub(crate) fn credits_today(left: u32, allowance: u32, reset: &str) -> String {
    format!("Today: {left} of {allowance} left — resets at {reset}\n")
}

/// `/credits`: no daily limit.
pub(crate) const CREDITS_NO_LIMIT: &str = "Today: no daily limit\n";

/// `/credits`: the spreads included (already escaped).
pub(crate) fn credits_spreads(spreads_html: &str) -> String {
    format!("Spreads included: {spreads_html}\n")
}

/// `/credits`: the credits.
pub(crate) fn credits_credits(credits: u32) -> String {
    format!("Credits: {credits} (one reading each, any spread)\n")
}

/// `/credits`: premium.
pub(crate) fn credits_premium(until: &str) -> String {
    format!("Premium until {until}\n")
}

/// `/credits`: the way to buy.
pub(crate) const CREDITS_BUY_HINT: &str = "\n/buy — more readings or premium, with Telegram Stars";

// ---- History (`handlers::history`) ----

/// A reading gone from the history.
pub(crate) const READING_GONE: &str = "This reading is no longer in your history.";

/// The button back to the listing.
pub(crate) const BACK_TO_HISTORY: &str = "‹ Back to history";

/// One reading's heading: when (the zone label already escaped).
pub(crate) fn reading_when(local_minute: &str, zone_html: &str) -> String {
    format!("🗓 {local_minute} {zone_html}\n")
}

/// A stored reading this version's deck cannot show (after [`reading_when`]).
pub(crate) fn reading_unshowable(when: &str) -> String {
    format!("{when}This reading cannot be shown.")
}

/// An empty history.
pub(crate) const NO_READINGS: &str = "📜 You have no readings yet. Send /draw for your first.";

/// A history page's heading.
pub(crate) fn history_heading(page: usize, pages: usize, total: usize, retention: &str) -> String {
    format!("📜 <b>Your readings</b> — page {page} of {pages} ({total} kept, each for {retention})\n")
}

/// A history page cut short.
pub(crate) const HISTORY_MORE: &str = "\n…";

/// The button opening entry `number`.
pub(crate) fn view_button(number: usize) -> String {
    format!("🔎 {number}")
}

/// The button to newer readings.
pub(crate) const NEWER: &str = "‹ Newer";

/// The button to older readings.
pub(crate) const OLDER: &str = "Older ›";

/// A listing entry's first line, up to the spread (`when` already escaped).
pub(crate) fn entry_heading(number: usize, when_html: &str) -> String {
    format!("\n<b>{number}.</b> {when_html} · ")
}

/// A listing entry this version's deck cannot show.
pub(crate) const ENTRY_UNSHOWABLE: &str = "(cannot be shown)\n";

/// A listing entry's question preview (already escaped).
pub(crate) fn entry_question(preview_html: &str) -> String {
    format!("❓ <i>{preview_html}</i>\n")
}

/// A reversed card's name in a listing.
pub(crate) fn reversed(name: &str) -> String {
    format!("{name} (reversed)")
}

/// Between card names in a listing.
pub(crate) const CARD_SEPARATOR: &str = " · ";

/// A listing entry's cards (already escaped), and what is left out.
pub(crate) fn entry_cards(cards_html: &str, tail: &str) -> String {
    format!("{cards_html}{tail}\n")
}

/// The cards a listing leaves out.
pub(crate) fn and_more(more: usize) -> String {
    format!(" and {more} more")
}

// ---- Payments (`handlers::payments`; pre-checkout errors are plain) ----

/// Purchases switched off.
pub(crate) const PURCHASES_DISABLED: &str = "Purchases are not available on this bot.";

/// `/buy` with an unknown product.
pub(crate) const BUY_USAGE: &str = "Send <code>/buy credits</code> or <code>/buy premium</code>.";

/// `/buy`: the offers (titles and descriptions already escaped).
pub(crate) fn buy_menu(
    credits_title_html: &str,
    credits_stars: u32,
    credits_description_html: &str,
    premium_title_html: &str,
    premium_stars: u32,
    premium_description_html: &str,
) -> String {
    format!(
        "⭐ <b>Buy with Telegram Stars</b>\n\n\
         • <b>{credits_title_html}</b> — {credits_stars} ⭐\n  {credits_description_html}\n\
         • <b>{premium_title_html}</b> — {premium_stars} ⭐\n  {premium_description_html}\n\n\
         Telegram handles the payment; arcana never sees card details.",
    )
}

/// A `/buy` button's label (plain).
pub(crate) fn buy_button(title: &str, stars: u32) -> String {
    format!("{title} · {stars} ⭐")
}

/// Checkout refused: purchases paused.
pub(crate) const CHECKOUT_PAUSED: &str = "Purchases are paused. Nothing was charged.";

/// Checkout refused: not registered.
pub(crate) const CHECKOUT_START_FIRST: &str = "Send /start to the bot first. Nothing was charged.";

/// Checkout refused: a storage failure.
pub(crate) const CHECKOUT_FAILED: &str = "Something went wrong. Nothing was charged; please try again.";

/// Checkout refused: someone else's invoice.
pub(crate) const CHECKOUT_FORGED: &str = "This invoice was not issued to you; send /buy for your own.";

/// Checkout refused: the price does not match.
pub(crate) const CHECKOUT_MISMATCH: &str = "This invoice does not match its price; send /buy for a new one.";

/// Checkout refused: expired.
pub(crate) const CHECKOUT_EXPIRED: &str = "This invoice has expired; send /buy for a new one.";

/// A payment that could not be recorded.
pub(crate) const PAYMENT_NOT_RECORDED: &str =
    "⚠️ Your payment arrived but could not be recorded yet; an admin has been alerted.";

/// The receipt line (the charge id already escaped).
pub(crate) fn receipt(charge_html: &str) -> String {
    format!("\nReceipt: <code>{charge_html}</code>")
}

/// Credits bought.
pub(crate) fn paid_credits(n: u32, credits: u32, receipt: &str) -> String {
    format!("✅ Thank you! {n} readings added; you have {credits} credits.{receipt}")
}

/// Premium bought.
pub(crate) fn paid_premium(until: &str, receipt: &str) -> String {
    format!("✅ Thank you! Premium is yours until {until}.{receipt}")
}

/// A payment for an invoice that could not be matched.
pub(crate) fn paid_unmatched(receipt: &str) -> String {
    format!("⚠️ Your payment arrived, but its invoice could not be matched. An admin can refund it.{receipt}")
}

// ---- Refunds (`handlers::refunds`; also the control socket's replies) ----

/// A refund made, for the admin (plain; escaped by the Telegram caller).
pub(crate) fn refunded_summary(stars: u32, owner: i64, taken_back: &str) -> String {
    format!("↩️ Refunded {stars} ⭐ to user {owner}; {taken_back}.")
}

/// Credits taken back by a refund.
pub(crate) fn credits_taken_back(n: u32) -> String {
    format!("{n} credits taken back")
}

/// Premium taken back by a refund.
pub(crate) const PREMIUM_REMOVED: &str = "premium time removed";

/// A refund of an unrecognised purchase.
pub(crate) const NOTHING_TAKEN_BACK: &str = "nothing to take back";

/// The refund, for the payer (what was taken back already escaped).
pub(crate) fn refunded_to_payer(stars: u32, taken_back_html: &str) -> String {
    format!("↩️ Your payment of {stars} ⭐ was refunded; {taken_back_html}.")
}

/// `RefundError::Usage`.
pub(crate) const REFUND_USAGE: &str = "usage: refund [USER] CHARGE_ID (the charge id is on the user's receipt)";

/// `RefundError::NotFound`.
pub(crate) const REFUND_NOT_FOUND: &str = "no payment with that charge id";

/// `RefundError::OtherUser`.
pub(crate) const REFUND_OTHER_USER: &str = "that charge id belongs to another user";

/// `RefundError::AlreadyRefunded`.
pub(crate) const REFUND_ALREADY: &str = "that payment was already refunded";

/// `RefundError::Telegram`, with Telegram's reason.
pub(crate) fn refund_refused(reason: &str) -> String {
    format!("Telegram refused the refund: {reason}; nothing changed")
}

/// Telegram's reason when it could not be reached.
pub(crate) const TELEGRAM_UNREACHABLE: &str = "Telegram could not be reached";

/// `RefundError::NotReversed`.
pub(crate) const REFUND_NOT_REVERSED: &str = "refunded by Telegram, but the credit could not be reversed; see the log";

/// `RefundError::Store`.
pub(crate) const REFUND_STORE: &str = "something went wrong; nothing changed";

// ---- Alerts to the admins (`jobs::alerts`) ----

/// An alert: its kind, what happened (fixed text and numbers), since when, and the command to
/// look closer.
pub(crate) fn alert(kind: &str, what: &str, since: &str, command: &str) -> String {
    format!("🚨 <b>arcana alert</b> ({kind})\n{what}, since {since}.\nLook closer: <code>{command}</code>")
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
