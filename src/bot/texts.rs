//! What the bot says: fixed texts in Telegram HTML. User-supplied values are escaped where they
//! are inserted; nothing here reveals internals.

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
pub(crate) const PRIVACY: &str = "🔒 <b>Privacy</b>\n\n\
arcana stores your Telegram id, your name, username and language, your readings and the \
questions you ask — encrypted, under a key of your own — only to give you readings and your \
history. Readings are deleted after the retention period. Payments are handled by Telegram: \
arcana keeps only the charge id, the amount and what it bought — never card details. Nothing is \
shared.\n\n\
You can get everything arcana stores about you with /export, and delete it for good with \
/delete_me, at any time (encrypted backups taken before a deletion keep it until they are \
rotated out).";

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
