//! The commented configuration file written by `arcana init` and on first start.

/// The default `arcana.toml`: every key, its default, and what it does. The tiers' command
/// lists come from the command table ([`crate::command`]), so a new command needs no edit here.
#[must_use]
pub fn default_config_toml() -> String {
    let commands: Vec<String> = crate::command::tier_commands().map(|name| format!("{name:?}")).collect();
    TEMPLATE.replace("TIER_COMMANDS", &format!("[{}]", commands.join(", ")))
}

/// The file, with `TIER_COMMANDS` standing for the tiers' command lists.
const TEMPLATE: &str = r#"# arcana configuration. Durations are humantime strings: "500ms", "30s", "5m", "1h".
# Environment overrides: BOT_TOKEN (the bot token), ARCANA_TELEGRAM_API_URL, ARCANA_LOG.

# Telegram user ids with admin rights.
admins = []

[telegram]
# Base URL of the Telegram Bot API.
api_url = "https://api.telegram.org"
# A file holding the bot token, read when BOT_TOKEN is not set (keep it mode 0600).
# token_file = "/etc/arcana/token"
# How long one getUpdates long poll waits (1s to 50s).
poll_timeout = "25s"

[store]
# sled page cache in MiB (each of the two stores); keep it small on a Raspberry Pi: with 4 the
# bot serves a flood inside MemoryMax=32M, with 16 it does not.
cache_capacity_mib = 4
# Background flush interval for non-critical writes.
flush_every = "500ms"
# A store operation hanging longer than this aborts the process so a supervisor restarts it.
watchdog_timeout = "30s"

[bot]
# Handlers working at once: a handler gives its place back when it waits for a send slot
# (Telegram's rate), so waiting handlers never keep another chat's update from starting; as many
# may wait as work. Each holds its update and reply (about 24 KiB under a flood), but fewer
# leave a normal user's update waiting for a permit behind a flood's handlers.
max_in_flight = 256
# Admitted updates kept in the durable inbox until handled, at most this many and this many
# bytes (of their JSON; 64 KiB to 64 GiB). When either is reached, updates from the chats holding
# most of the inbox are refused (dropped, counted, audited) while other chats still get in;
# polling pauses only an eighth beyond a bound.
inbox_capacity = 50000
inbox_max_bytes = 268435456
# Updates one chat may have waiting; beyond it that chat's updates are dropped (and audited).
chat_backlog = 50
# Time given to in-flight updates on SIGINT/SIGTERM.
shutdown_grace = "10s"
# A handler taking longer than this is abandoned (and logged).
handler_timeout = "60s"
# How long a batch of updates may run (when nothing else waits) before what is left of it is
# written to the inbox: an update finished by then costs the disk no inbox entry and no removal
# (0s to 30s; longer spares an SD card more, but a slow handler delays the next poll as much).
write_unfinished_after = "250ms"
# Sync each removal of an update from the inbox at once (true), or leave it to the inbox log's
# next synced write (false): fewer writes under load, but after a power cut the updates finished
# since the last sync run again (a kill loses nothing).
flush_removals = true

[sentinel]
# Identical events (same user, same bucket, same content) within this window are dropped ("0s" disables).
debounce = "2s"
# Admins skip rate limits.
exempt_admins = true
# "At most `limit` events in any window of `per`". scope: user, user_in_chat, chat or global.
default = { limit = 20, per = "1m", scope = "user" }

# Commands and inline-button actions with limits of their own (each its own bucket), e.g.
# [sentinel.commands]
# draw = { limit = 2, per = "1m" }
# [sentinel.callbacks]
# page = { limit = 30, per = "1m" }

[sentinel.penalty]
# A user denied `strikes` times within `strike_window` is muted for `base`, doubling each time up
# to `cap`; each quiet `decay_after` lowers the next mute one step.
strikes = 10
strike_window = "1m"
base = "1m"
cap = "1h"
decay_after = "1h"

[accounts]
# Until a user agrees to the privacy notice, only /start, /help and /privacy work.
require_registration = true
# Raise to ask everyone to agree again after the notice changes.
notice_version = 1
# A session ends after this long unused, or this long after it started.
session_idle = "30m"
session_lifetime = "7d"
# Sessions an account may hold at once (the oldest ends first).
max_sessions = 3
# A fresh two-factor code unlocks sensitive actions (export, deletion, admin blocks) this long.
step_up_for = "10m"
# /delete_me asks first: its "Delete everything" button works this long (1s to 1h).
delete_confirm_for = "5m"
# The tier of a new account (one of [tiers.*]).
default_tier = "free"
# Messages showing a secret (the two-factor key and QR code, backup codes, an export) are
# deleted from the chat this long after they are sent (the key also once enrolment is confirmed).
secret_message_lifetime = "10m"
# Retention: a user who blocked the bot is deleted this long after (unless they come back), and
# a user who has not used the bot this long is deleted (10s to 10 years each). Shown in /privacy.
retention_after_block = "30d"
inactive_retention = "730d"

[accounts.two_factor]
# Wrong codes within failure_window before a lockout; lockouts double each time (up to a day).
max_failures = 5
failure_window = "5m"
lockout = "5m"
# Wrong codes per minute across all accounts that raise an alert in the audit log.
alert_per_minute = 5

# Subscription tiers: the commands each may use (/start, /help, /privacy, /export, /delete_me, /verify
# always work, whatever a tier lists; admins may use everything). Optional per-tier limits:
# [tiers.free.limits] draw = { limit = 5, per = "1h" } (not on /privacy, /export, /delete_me, /verify)
# daily_readings: readings a day the tier includes, or "unlimited"; spreads: the spreads the daily
# allowance covers (one, three, celtic_cross, love, career, decision, yes_no). Left out, free and
# premium keep the values below and other tiers have no limit and all spreads. Bought credits pay
# for any spread.
[tiers.free]
commands = TIER_COMMANDS
daily_readings = 3
spreads = ["one", "three"]

[tiers.premium]
commands = TIER_COMMANDS
daily_readings = 30

[readings]
# Readings older than this are deleted from history by a background sweep.
retention = "90d"
# Readings per /history page, and per page of the web API's history (1 to 10).
history_page_size = 5
# Daily allowances reset at midnight here: "UTC", an IANA zone such as "Europe/Berlin", or "+02:00".
reset_time_zone = "UTC"
# A reading in the chat also comes as one picture of the spread laid out (drawn by arcana).
spread_picture = true

[payments]
# /buy sells credits and premium for Telegram Stars (XTR). No card data ever reaches arcana.
enabled = true
# One pack: this many readings beyond the daily allowance (any spread), for this many Stars.
credit_pack_size = 10
credit_pack_price = 50
# Premium: this tier for this long (purchases add up), for this many Stars.
premium_tier = "premium"
premium_period = "30d"
premium_price = 250
# The accounting record of a payment (Telegram's charge id, the amount, what it bought, when; no
# user id) is kept this long, also after the user is deleted (1 day to 20 years).
accounting_retention = "3650d"

[backup]
# The running bot writes a backup this often ("off" for never). Each is one encrypted file that
# restores on a new machine with master.key (or the passphrase) alone: copy them off this machine.
every = "1d"
# Where backups go; a relative path is inside the data directory.
dir = "backups"
# How many of the newest scheduled backups are kept. A deleted user stays readable in backups
# taken before the deletion until they age out: keep x every is how long that is.
keep = 7

[audit]
# Security events are kept in a MAC-chained trail (`arcana audit`, `arcana audit verify`) this
# long; older entries are dropped and what is kept stays verifiable.
retention = "180d"

[alerts]
# Alerts go to each admin's private chat, and to this chat too if set (e.g. an operators' group).
# chat = -1001234567890
# After an alert, more of the same kind within this window are counted into the next one.
quiet_for = "10m"
# Thresholds: limited or penalised updates a minute (a flood), new users a minute, users blocking
# the bot an hour, forged buttons a minute. 2FA failures: accounts.two_factor.alert_per_minute.
flood_per_minute = 600
new_users_per_minute = 60
bot_blocked_per_hour = 20
forged_per_minute = 10

[daily]
# /daily: one card each morning, at the hour each user picks in their own time zone. Sent in the
# background (never ahead of a reply), at most once a day per user. Off: no card is sent and /daily
# says so; the users' choices are kept.
enabled = true

[metrics]
# Serve Prometheus metrics at /metrics and a health check at /healthz here; off when unset.
# listen = "127.0.0.1:9464"

[http]
# The web side: the Telegram Mini App (/app), the JSON API (/api/v1) and the Telegram Login page
# (/login). Off unless `listen` is set.
# listen = "127.0.0.1:8080"
# The HTTPS address users reach (a reverse proxy, a tunnel, or arcana's own TLS below); with it
# set the bot's menu button opens the Mini App.
# public_url = "https://tarot.example.org"
# Serve TLS 1.3 here instead of behind a proxy (PEM files, readable by arcana only).
# tls_cert = "/etc/arcana/fullchain.pem"
# tls_key = "/etc/arcana/privkey.pem"
init_data_max_age = "1h"
login_max_age = "10m"
token_lifetime = "24h"
# Behind a reverse proxy that sets X-Forwarded-For: limit per the address it reports.
trust_forwarded_for = false
# Other sites allowed to call the API from a browser (CORS), e.g. ["https://app.example.org"].
cors_origins = []
per_user = { limit = 120, per = "1m" }
per_address = { limit = 240, per = "1m" }
# Connections one client address (an IPv6 /64) may hold open at once. Behind a proxy
# (trust_forwarded_for): requests in flight per forwarded address; the proxy itself is held only
# to the server's 512 connections.
connections_per_address = 16

[log]
# error, warn, info, debug or trace (ARCANA_LOG overrides, e.g. "arcana=debug,info").
level = "info"
# "text" (under systemd, without timestamps: journald adds its own) or "json" (one object a line).
format = "text"
"#;
