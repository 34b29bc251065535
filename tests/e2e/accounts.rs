//! Accounts seen from outside: registration by consent (a signed `I agree` button), what
//! unregistered users may do, tiers and admin-only commands, sessions and their revocation, and
//! two-factor authentication (enrolment by QR code, step-up for sensitive commands, replayed and
//! one-time codes, lockout after wrong codes).
//!
//! Each exchange pushes one update, waits for the bot's reply to that user and for the bot to poll
//! past the update (so everything it sent in reply is recorded), then asserts on what the user saw.
//! The tests' TOTP codes come from `support::totp`, computed independently of the bot.

use std::path::Path;

use serde_json::{Value, json};
use tempfile::TempDir;

use crate::harness::{
    REPLY_TIMEOUT, assert_clean_output, buttons, cli_ok, dir_with_config, lines, path_arg, stop_cleanly, streams,
    wait_polled_past,
};
use crate::support::bot_process::{BotProcess, run_cli};
use crate::support::fake_telegram::{Call, FakeTelegram};
use crate::support::totp;
use crate::support::updates;

/// The admin named in every configuration here.
const ADMIN: i64 = 1;

/// Every command the accounts feature knows, as a TOML array body.
const ALL_COMMANDS: &str =
    r#""start", "help", "privacy", "sessions", "logout_all", "2fa", "verify", "export", "delete_me""#;

/// The free tier without `/sessions` (nor `/export` and `/delete_me`, which every user keeps), so
/// the premium tier has something to offer.
const FREE_WITHOUT_SESSIONS: &str = r#""start", "help", "privacy", "logout_all", "2fa", "verify""#;

/// The consent prompt's button text (and part of the prompt's text).
const I_AGREE: &str = "I agree";

/// An `arcana.toml` with the accounts settings of the contract: registration as given, the free
/// tier allowing `free_commands`, the premium tier everything. Debouncing is off and the rate limit
/// generous, so repeated codes reach the bot and no exchange meets a rate-limit notice.
pub(crate) fn config(require_registration: bool, free_commands: &str) -> String {
    format!(
        r#"admins = [{ADMIN}]

[sentinel]
debounce = "0s"
default = {{ limit = 200, per = "1m" }}

[accounts]
require_registration = {require_registration}
notice_version = 1
session_idle = "30m"
session_lifetime = "7d"
max_sessions = 3
step_up_for = "10m"
default_tier = "free"

[accounts.two_factor]
max_failures = 5
failure_window = "5m"
lockout = "5m"
alert_per_minute = 5

[tiers.free]
commands = [{free_commands}]

[tiers.premium]
commands = [{ALL_COMMANDS}]
"#
    )
}

/// The contract's configuration: registration required, both tiers allowing every command.
fn default_config() -> String {
    config(true, ALL_COMMANDS)
}

/// The delivered `sendMessage` and `sendPhoto` calls to `chat`, in order.
pub(crate) fn to_chat(calls: &[Call], chat: i64) -> Vec<Call> {
    calls
        .iter()
        .filter(|c| matches!(c.method.as_str(), "sendMessage" | "sendPhoto") && c.answered)
        .filter(|c| c.int("chat_id") == Some(chat))
        .cloned()
        .collect()
}

/// The texts of the `sendMessage` calls and the photos' captions among `calls`, joined by blank lines.
pub(crate) fn texts(calls: &[Call]) -> String {
    calls
        .iter()
        .filter(|c| c.method == "sendMessage" || (c.method == "sendPhoto" && c.str("caption").is_some()))
        .map(|c| c.str("text").or_else(|| c.str("caption")).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The `callback_data` of the consent button among `calls`: exactly one message carries a
/// keyboard, it holds exactly one button, and that button reads `I agree`.
pub(crate) fn consent_data(calls: &[Call]) -> String {
    let prompts: Vec<&Call> = calls.iter().filter(|c| !buttons(c).is_empty()).collect();
    assert_eq!(prompts.len(), 1, "one message with a keyboard: {calls:#?}");
    let prompt = prompts[0];
    let text = prompt.str("text").unwrap_or_default();
    assert!(text.contains(I_AGREE), "the prompt asks for agreement: {text:?}");
    let keyboard = buttons(prompt);
    assert_eq!(keyboard.len(), 1, "one button: {keyboard:?}");
    let (label, data) = keyboard.into_iter().next().expect("one button");
    assert_eq!(label, I_AGREE, "the button's text");
    assert!(!data.is_empty(), "the button carries data");
    data
}

/// The 11-character `xxxxx-xxxxx` tokens in `text`, in order.
pub(crate) fn backup_codes(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|token| {
            token.len() == 11
                && token.char_indices().all(|(i, c)| if i == 5 { c == '-' } else { c.is_ascii_alphanumeric() })
        })
        .map(str::to_owned)
        .collect()
}

/// The base32 `secret` of the first `otpauth://totp/` URI in `text` (HTML entities and percent
/// encoding undone, padding dropped).
pub(crate) fn otpauth_secret(text: &str) -> String {
    let start = text.find("otpauth://totp/").unwrap_or_else(|| panic!("no otpauth://totp/ URI in {text:?}"));
    let uri: String =
        text[start..].chars().take_while(|c| !c.is_whitespace() && !matches!(c, '<' | '>' | '"' | '\'')).collect();
    let uri = uri.replace("&amp;", "&");
    let (_, query) = uri.split_once('?').unwrap_or_else(|| panic!("no query in {uri:?}"));
    let secret = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("secret="))
        .unwrap_or_else(|| panic!("no secret= in {uri:?}"));
    secret.replace("%3D", "=").replace("%3d", "=").trim_end_matches('=').to_owned()
}

/// A six-digit code that is not the code of any step near now: surely wrong.
pub(crate) fn wrong_code(secret: &[u8]) -> String {
    let now = totp::current_step();
    let near: Vec<String> = (now - 3..=now + 3).map(|step| totp::code_at_step(secret, step)).collect();
    let mut code: Vec<u8> = totp::current_code(secret).into_bytes();
    loop {
        code[0] = b'0' + (code[0] - b'0' + 1) % 10;
        let candidate = String::from_utf8(code.clone()).expect("digits");
        if !near.contains(&candidate) {
            return candidate;
        }
    }
}

/// What a user learnt by enrolling in two-factor authentication.
pub(crate) struct Enrolment {
    /// The decoded TOTP secret.
    pub(crate) secret: Vec<u8>,
    /// The secret as the bot showed it (base32).
    pub(crate) secret_text: String,
    /// The step whose code switched two-factor authentication on.
    pub(crate) step: u64,
    /// The ten backup codes.
    pub(crate) backup: Vec<String>,
}

impl Enrolment {
    /// A TOTP code the bot has not seen yet: the current step's, or — while the current step is
    /// still the one used to enrol — the next step's, which a verifier allowing RFC 6238's one
    /// step of clock drift accepts. Returns the code and its step.
    pub(crate) fn unused_code(&self, last_used: u64) -> (String, u64) {
        let step = totp::current_step().max(last_used + 1);
        (totp::code_at_step(&self.secret, step), step)
    }
}

/// A data directory, the fake Telegram server and the bot running on them.
pub(crate) struct Running {
    pub(crate) dir: TempDir,
    pub(crate) tg: FakeTelegram,
    pub(crate) bot: BotProcess,
}

impl Running {
    /// Writes `toml` as the configuration of a fresh data directory and starts the bot.
    pub(crate) fn start(toml: &str) -> Self {
        let dir = dir_with_config(toml);
        let tg = FakeTelegram::start();
        Self::resume(dir, tg)
    }

    /// Starts the bot again on a directory and server kept from [`Running::stop`].
    pub(crate) fn resume(dir: TempDir, tg: FakeTelegram) -> Self {
        let bot = BotProcess::start(dir.path(), &tg.url());
        Self { dir, tg, bot }
    }

    /// Stops the bot cleanly (exit 0, no token, no panic); keeps the directory and the server.
    pub(crate) fn stop(self) -> (TempDir, FakeTelegram) {
        let Self { dir, tg, bot } = self;
        stop_cleanly(bot);
        (dir, tg)
    }

    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Panics with the calls so far and the bot's stderr.
    pub(crate) fn fail(&mut self, what: &str) -> ! {
        let state = if self.bot.is_running() { "running" } else { "exited" };
        panic!(
            "timed out after {REPLY_TIMEOUT:?} waiting for {what}; bot {state}\ncalls:\n{}bot stderr:\n{}",
            self.tg.dump(&self.tg.calls()),
            self.bot.stderr_text()
        )
    }

    /// Waits until `done` holds for the messages and photos sent to `user` after the first
    /// `before` of them.
    pub(crate) fn wait_sent(&mut self, user: i64, before: usize, what: &str, done: impl Fn(&[Call]) -> bool) {
        let waited = self.tg.try_wait_for(REPLY_TIMEOUT, |calls| {
            let sent = to_chat(calls, user);
            sent.len() > before && done(&sent[before..])
        });
        if waited.is_err() {
            self.fail(what);
        }
    }

    /// Waits until the bot polled past update `id` (it finished it, replies included).
    pub(crate) fn wait_finished(&mut self, id: i64) {
        wait_polled_past(&self.tg, &mut self.bot, id);
    }

    /// Pushes `update` from `user`, waits until `done` holds for what was sent to them since, and
    /// until the update is finished; returns the messages and photos sent to them since.
    pub(crate) fn push_until(
        &mut self,
        user: i64,
        update: Value,
        what: &str,
        done: impl Fn(&[Call]) -> bool,
    ) -> Vec<Call> {
        let before = to_chat(&self.tg.calls(), user).len();
        let id = self.tg.push_update(update);
        self.wait_sent(user, before, what, done);
        self.wait_finished(id);
        to_chat(&self.tg.calls(), user).split_off(before)
    }

    /// `user` sends `text`; returns what the bot sent back (at least one message or photo).
    pub(crate) fn send(&mut self, user: i64, text: &str) -> Vec<Call> {
        self.push_until(user, updates::command(user, text), &format!("a reply to {text:?} from {user}"), |_| true)
    }

    /// `user` sends `text`; returns the texts of the messages sent back.
    pub(crate) fn say(&mut self, user: i64, text: &str) -> String {
        texts(&self.send(user, text))
    }

    /// `user` presses a consent button carrying `data`: waits for the query's answer and for the
    /// update to be finished; returns the messages and photos sent to `user` meanwhile.
    pub(crate) fn press(&mut self, user: i64, data: &str) -> Vec<Call> {
        self.press_in(user, None, data)
    }

    /// [`Running::press`] by a user whose Telegram speaks `language` (none: not said).
    fn press_in(&mut self, user: i64, language: Option<&str>, data: &str) -> Vec<Call> {
        let mut update = updates::button_press(user, "Privacy notice", I_AGREE, data);
        if let Some(language) = language {
            update["callback_query"]["from"]["language_code"] = json!(language);
        }
        let query = update["callback_query"]["id"].as_str().expect("query id").to_owned();
        let before = to_chat(&self.tg.calls(), user).len();
        let id = self.tg.push_update(update);
        let answered = self.tg.try_wait_for(REPLY_TIMEOUT, |calls| answers_to(calls, &query) > 0);
        if answered.is_err() {
            self.fail(&format!("an answerCallbackQuery for {query}"));
        }
        self.wait_finished(id);
        let calls = self.tg.calls();
        assert_eq!(answers_to(&calls, &query), 1, "the press is answered once:\n{}", self.tg.dump(&calls));
        to_chat(&calls, user).split_off(before)
    }

    /// `/start`, then presses the `I agree` button it offers; asserts the welcome.
    pub(crate) fn register(&mut self, user: i64) {
        let prompt = self.send(user, "/start");
        let data = consent_data(&prompt);
        let before = to_chat(&self.tg.calls(), user).len();
        self.press(user, &data);
        self.wait_sent(user, before, &format!("the welcome of {user}"), |sent| texts(sent).contains("Welcome"));
    }

    /// [`Running::register`] from a Telegram that speaks `language`: the profile keeps that
    /// language, so the bot and the Mini App speak it to the user from then on.
    pub(crate) fn register_in(&mut self, user: i64, language: &str) {
        let mut start = updates::command(user, "/start");
        start["message"]["from"]["language_code"] = json!(language);
        let prompt = self.push_until(user, start, &format!("the privacy notice for {user}"), |_| true);
        let keyboard: Vec<(String, String)> = prompt.iter().flat_map(buttons).collect();
        let [(_, data)] = &keyboard[..] else { panic!("one consent button: {prompt:#?}") };
        let data = data.clone();
        let before = to_chat(&self.tg.calls(), user).len();
        self.press_in(user, Some(language), &data);
        self.wait_sent(user, before, &format!("the welcome of {user}"), |sent| !sent.is_empty());
    }

    /// `/2fa`, then `/2fa CODE` with the current code of the secret it showed.
    pub(crate) fn enrol(&mut self, user: i64) -> Enrolment {
        let offer = self.push_until(user, updates::command(user, "/2fa"), "a QR code and an otpauth URI", |sent| {
            sent.iter().any(|c| c.method == "sendPhoto") && texts(sent).contains("otpauth://totp/")
        });
        let photos: Vec<&Call> = offer.iter().filter(|c| c.method == "sendPhoto").collect();
        assert_eq!(photos.len(), 1, "one QR code: {offer:#?}");
        let upload = photos[0].upload("photo").unwrap_or_default();
        let uploaded_bytes = upload.get("len").and_then(Value::as_u64).unwrap_or_default();
        assert!(uploaded_bytes > 0, "the QR code is an uploaded image: {:?}", photos[0].params);

        let secret_text = otpauth_secret(&texts(&offer));
        let secret = totp::base32_decode(&secret_text)
            .unwrap_or_else(|| panic!("the secret is not RFC 4648 base32: {secret_text:?}"));
        assert!(secret.len() >= 16, "a secret of at least 128 bits (RFC 4226): {} bytes", secret.len());

        let step = totp::current_step();
        let reply = self.say(user, &format!("/2fa {}", totp::code_at_step(&secret, step)));
        assert!(reply.contains("Two-factor authentication is on"), "enrolment confirmed: {reply:?}");
        let backup = backup_codes(&reply);
        assert_eq!(backup.len(), 10, "ten backup codes: {reply:?}");
        let mut distinct = backup.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 10, "the backup codes differ: {backup:?}");
        Enrolment { secret, secret_text, step, backup }
    }

    /// `arcana ARGS --dir DIR`, asserting success and clean output; returns stdout.
    pub(crate) fn cli(&self, args: &[&str]) -> String {
        let mut args = args.to_vec();
        args.extend(["--dir", path_arg(self.dir())]);
        cli_ok(&args)
    }
}

/// How many `answerCallbackQuery` calls answer `query`.
fn answers_to(calls: &[Call], query: &str) -> usize {
    calls
        .iter()
        .filter(|c| c.method == "answerCallbackQuery" && c.str("callback_query_id").as_deref() == Some(query))
        .count()
}

/// Index of the first call satisfying `pred`.
fn position(calls: &[Call], pred: impl Fn(&Call) -> bool) -> Option<usize> {
    calls.iter().position(pred)
}

/// Whether `text` is `ended N sessions of user USER` (or `session` for one); returns N.
fn ended_sessions(text: &str, user: i64) -> Option<u64> {
    let rest = text.trim().strip_prefix("ended ")?;
    let (count, rest) = rest.split_once(' ')?;
    let rest = rest.strip_prefix("sessions").or_else(|| rest.strip_prefix("session"))?;
    (rest == format!(" of user {user}")).then_some(())?;
    count.parse().ok()
}

#[test]
fn totp_support_matches_rfc_6238() {
    let secret = totp::base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").expect("base32");
    assert_eq!(secret, b"12345678901234567890");
    // RFC 6238 appendix B (SHA-1), last six of the eight digits.
    for (time, code) in [(59, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924")] {
        assert_eq!(totp::code_at_step(&secret, time / totp::STEP_SECS), code, "at {time}");
    }
    assert_eq!(backup_codes("<code>abcde-12345</code>\nfghij-klmno, toolong-abcde"), ["abcde-12345", "fghij-klmno"]);
    assert_eq!(otpauth_secret("<a>otpauth://totp/arcana:u?secret=JBSWY3DP&amp;issuer=arcana</a>"), "JBSWY3DP");
}

// ---- consent and registration ----

#[test]
fn consent_button_registers_the_user_and_welcomes_them() {
    let mut run = Running::start(&default_config());
    let user = 11_001;
    let prompt = run.send(user, "/start");
    let data = consent_data(&prompt);
    let notice = texts(&prompt);
    for topic in ["/export", "/delete_me"] {
        assert!(notice.contains(topic), "the privacy notice mentions {topic}: {notice:?}");
    }

    let before = run.tg.calls().len();
    run.press(user, &data);
    run.wait_sent(user, to_chat(&run.tg.calls()[..before], user).len(), "the welcome", |sent| {
        texts(sent).contains("Welcome")
    });
    let calls = run.tg.calls()[before..].to_vec();
    let answer = position(&calls, |c| c.method == "answerCallbackQuery").expect("answered");
    let welcome = position(&calls, |c| {
        c.method == "sendMessage"
            && c.int("chat_id") == Some(user)
            && c.str("text").is_some_and(|t| t.contains("Welcome"))
    })
    .expect("welcomed");
    assert!(answer < welcome, "the press is answered before the welcome:\n{}", run.tg.dump(&calls));

    let sessions = run.say(user, "/sessions");
    assert!(!sessions.contains(I_AGREE), "a registered user is not asked again: {sessions:?}");
    assert!(sessions.to_lowercase().contains("session"), "/sessions works: {sessions:?}");
    run.stop();
}

#[test]
fn unregistered_users_get_start_help_and_privacy_and_otherwise_the_prompt() {
    let mut run = Running::start(&default_config());
    let user = 12_001;
    for command in ["/sessions", "/export", "/2fa", "/delete_me"] {
        let reply = run.send(user, command);
        consent_data(&reply);
    }
    let help = run.say(user, "/help");
    assert!(help.contains("/help") && !help.contains(I_AGREE), "/help works unregistered: {help:?}");
    let privacy = run.say(user, "/privacy");
    assert!(privacy.contains("/delete_me"), "/privacy works unregistered: {privacy:?}");
    run.stop();
}

#[test]
fn without_required_registration_there_is_no_prompt() {
    let mut run = Running::start(&config(false, ALL_COMMANDS));
    let user = 12_101;
    let welcome = run.send(user, "/start");
    let text = texts(&welcome);
    assert!(!text.contains(I_AGREE) && welcome.iter().all(|c| buttons(c).is_empty()), "no prompt: {welcome:#?}");
    let sessions = run.say(user, "/sessions");
    assert!(!sessions.contains(I_AGREE) && sessions.to_lowercase().contains("session"), "{sessions:?}");
    run.stop();
}

#[test]
fn account_commands_work_only_in_a_private_chat_and_help_lists_the_commands() {
    let mut run = Running::start(&config(false, ALL_COMMANDS));
    let (user, group) = (12_201, -100_777);
    for command in ["/sessions", "/2fa", "/export", "/delete_me", "/history"] {
        let before = to_chat(&run.tg.calls(), group).len();
        let id = run.tg.push_update(updates::message(user, group, command));
        run.wait_finished(id);
        let said = texts(&to_chat(&run.tg.calls(), group)[before..]);
        assert!(said.contains("in a private chat"), "{command} in a group: {said:?}");
        assert!(!said.contains("otpauth") && !said.contains("Your data"), "{command} leaked into the group: {said:?}");
    }
    assert!(run.say(user, "/sessions").to_lowercase().contains("session"), "in private it works");
    let help = run.say(user, "/help");
    for listed in ["/draw", "/history", "/credits", "/buy", "/2fa", "/verify CODE", "/delete_me"] {
        assert!(help.contains(listed), "{listed} in {help:?}");
    }
    assert!(!help.contains("/refund"), "admin commands are not listed: {help:?}");
    run.stop();
}

#[test]
fn forged_or_foreign_consent_buttons_register_nobody() {
    let mut run = Running::start(&default_config());
    let (owner, other) = (13_001, 13_002);
    let owner_data = consent_data(&run.send(owner, "/start"));
    let other_data = consent_data(&run.send(other, "/start"));

    // Someone else's button, and one's own with its data altered.
    let mut forged = other_data.clone().into_bytes();
    let last = forged.len() - 1;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).expect("ASCII data");
    for data in [owner_data.as_str(), forged.as_str(), "consent:13002", "agree"] {
        let sent = run.press(other, data);
        assert!(!texts(&sent).contains("Welcome"), "a press with {data:?} registered {other}: {sent:#?}");
    }
    for user in [other, owner] {
        let reply = run.send(user, "/sessions");
        assert!(texts(&reply).contains(I_AGREE), "{user} is still unregistered: {reply:#?}");
    }

    // The user's own, untouched button still works.
    let before = to_chat(&run.tg.calls(), other).len();
    run.press(other, &other_data);
    run.wait_sent(other, before, "the welcome after the genuine press", |sent| texts(sent).contains("Welcome"));
    run.stop();
}

// ---- roles and tiers ----

#[test]
fn tiers_refuse_commands_until_the_user_is_moved_up() {
    let mut run = Running::start(&config(true, FREE_WITHOUT_SESSIONS));
    let user = 14_001;
    let u = user.to_string();
    run.register(user);
    let refusal = run.say(user, "/sessions");
    assert!(refusal.contains("This needs premium"), "the free tier lacks /sessions: {refusal:?}");
    let export = run.say(user, "/export");
    assert!(export.contains("Your data"), "a tier cannot take /export away: {export:?}");

    // Through the running bot's control socket.
    assert_eq!(run.cli(&["user", "tier", &u, "premium"]).trim(), format!("user {user} is now on tier premium"));
    let sessions = run.say(user, "/sessions");
    assert!(sessions.to_lowercase().contains("session"), "premium allows /sessions: {sessions:?}");

    let unknown = run_cli(&["user", "tier", &u, "platinum", "--dir", path_arg(run.dir())], &[]);
    assert_clean_output(&unknown);
    let (stdout, stderr) = streams(&unknown);
    assert!(!unknown.status.success(), "an unknown tier is refused: {stdout}{stderr}");
    assert!(format!("{stdout}{stderr}").contains("platinum"), "the error names the tier: {stdout}{stderr}");

    // With the bot stopped, on the store directly; the change outlives the restart.
    let (dir, tg) = run.stop();
    let offline = cli_ok(&["user", "tier", &u, "free", "--dir", path_arg(dir.path())]);
    assert_eq!(offline.trim(), format!("user {user} is now on tier free"));
    let mut run = Running::resume(dir, tg);
    let refusal = run.say(user, "/sessions");
    assert!(refusal.contains("This needs premium"), "back on free after the restart: {refusal:?}");
    run.stop();
}

#[test]
fn admin_only_commands_refuse_other_users() {
    let mut run = Running::start(&default_config());
    let user = 15_001;
    run.register(user);
    for command in ["/block 5", "/unblock 5"] {
        let reply = run.say(user, command);
        assert!(reply.contains("admins only"), "{command} from a non-admin: {reply:?}");
    }
    assert_eq!(run.cli(&["blocked"]).trim(), "no blocked users");
    run.stop();
}

// ---- sessions ----

#[test]
fn sessions_are_listed_ended_by_the_user_and_revoked_by_the_operator() {
    let mut run = Running::start(&default_config());
    let user = 16_001;
    run.register(user);
    let listing = run.say(user, "/sessions");
    assert!(listing.to_lowercase().contains("session"), "{listing:?}");
    assert!(lines(&listing).len() >= 2, "a heading and at least one session: {listing:?}");

    let ended = run.say(user, "/logout_all");
    assert!(ended.contains("All your sessions have ended"), "{ended:?}");

    // Using the bot again starts a new session, which the operator can end.
    let listing = run.say(user, "/sessions");
    assert!(listing.to_lowercase().contains("session") && !listing.contains(I_AGREE), "{listing:?}");
    let revoked = run.cli(&["user", "revoke", &user.to_string()]);
    let count = ended_sessions(&revoked, user).unwrap_or_else(|| panic!("printed {revoked:?}"));
    assert!(count >= 1, "the new session was ended: {revoked:?}");
    let again = run.cli(&["user", "revoke", &user.to_string()]);
    assert_eq!(ended_sessions(&again, user), Some(0), "nothing left to end: {again:?}");
    run.stop();
}

#[test]
fn blocking_a_user_ends_their_sessions() {
    let mut run = Running::start(&default_config());
    let user = 17_001;
    let u = user.to_string();
    run.register(user);
    let listing = run.say(user, "/sessions");
    assert!(listing.to_lowercase().contains("session"), "{listing:?}");

    assert_eq!(run.cli(&["block", &u]).trim(), format!("blocked user {user} until unblocked"));
    let revoked = run.cli(&["user", "revoke", &u]);
    assert_eq!(ended_sessions(&revoked, user), Some(0), "the block already ended the session: {revoked:?}");
    assert_eq!(run.cli(&["unblock", &u]).trim(), format!("unblocked user {user}"));
    let listing = run.say(user, "/sessions");
    assert!(listing.to_lowercase().contains("session") && !listing.contains(I_AGREE), "still registered: {listing:?}");
    run.stop();
}

// ---- two-factor authentication ----

#[test]
fn two_factor_enrolment_step_up_replay_and_single_use_backup_codes() {
    let mut run = Running::start(&default_config());
    let user = 18_001;
    run.register(user);
    let enrolment = run.enrol(user);

    for command in ["/export", "/delete_me", "/2fa off"] {
        let reply = run.say(user, command);
        assert!(reply.contains("This needs a fresh code"), "{command} without a fresh code: {reply:?}");
    }

    let (code, step) = enrolment.unused_code(enrolment.step);
    let verified = run.say(user, &format!("/verify {code}"));
    assert!(verified.contains("Verified"), "a fresh TOTP code (step {step}) verifies: {verified:?}");
    let export = run.say(user, "/export");
    assert!(export.contains("Your data"), "/export after the step-up: {export:?}");
    assert!(!export.contains(&enrolment.secret_text), "the export shows the TOTP secret: {export:?}");

    let replay = run.say(user, &format!("/verify {code}"));
    assert!(replay.contains("already used"), "a replayed TOTP code is refused: {replay:?}");

    let backup = &enrolment.backup[0];
    let first = run.say(user, &format!("/verify {backup}"));
    assert!(first.contains("Verified"), "a backup code verifies: {first:?}");
    let second = run.say(user, &format!("/verify {backup}"));
    assert!(second.contains("not valid"), "a backup code works once: {second:?}");
    run.stop();
}

#[test]
fn wrong_codes_lock_two_factor_checks() {
    let mut run = Running::start(&default_config());
    let user = 19_001;
    run.register(user);
    let enrolment = run.enrol(user);

    let wrong = wrong_code(&enrolment.secret);
    for attempt in 1..=5 {
        let reply = run.say(user, &format!("/verify {wrong}"));
        assert!(!reply.contains("Verified"), "wrong code {attempt} verified: {reply:?}");
        if attempt < 5 {
            assert!(!reply.contains("Too many wrong codes"), "locked after {attempt} wrong codes: {reply:?}");
        }
    }
    let (code, _) = enrolment.unused_code(enrolment.step);
    let locked = run.say(user, &format!("/verify {code}"));
    assert!(locked.contains("Too many wrong codes"), "even a right code is refused while locked: {locked:?}");
    let export = run.say(user, "/export");
    assert!(export.contains("This needs a fresh code"), "no step-up while locked: {export:?}");
    run.stop();
}
