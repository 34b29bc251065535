//! What the bot says: fixed texts in Telegram HTML. User-supplied values are escaped where they
//! are inserted; nothing here reveals internals.

/// The welcome for registered users.
pub(crate) const WELCOME: &str = "🔮 <b>Welcome to arcana</b>, a tarot reading bot.\n\n\
Each reading draws from a full 78-card deck. Try /draw for one card, or \
<code>/draw three What should I focus on?</code> — and /help for everything else.";

/// The command list.
pub(crate) const HELP: &str = "<b>Commands</b>\n\
/start — welcome and what this bot does\n\
/help — this list\n\
/privacy — what arcana stores about you, and why\n\
/sessions — your active sessions\n\
/logout_all — end all your sessions\n\
/2fa — set up two-factor authentication\n\
/verify CODE — confirm a sensitive action with a fresh code\n\
/export — everything arcana stores about you\n\
/delete_me — delete everything arcana stores about you";

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
