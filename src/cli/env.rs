//! The environment variables arcana reads, captured once at start-up.

use std::{path::PathBuf, time::Duration};

use zeroize::Zeroizing;

use crate::supervisor::NotifySettings;

/// Settings that come from the environment.
#[derive(Default, Clone)]
pub struct Env {
    /// `BOT_TOKEN`.
    pub bot_token: Option<String>,
    /// `ARCANA_TELEGRAM_API_URL`.
    pub api_url: Option<String>,
    /// `ARCANA_DIR`.
    pub dir: Option<PathBuf>,
    /// `ARCANA_LOG`.
    pub log: Option<String>,
    /// `ARCANA_PASSPHRASE`: derive the KEK from a passphrase instead of `DIR/master.key`.
    pub passphrase: Option<Zeroizing<String>>,
    /// `ARCANA_NEW_PASSPHRASE`: the new passphrase for `arcana keys rotate --master`.
    pub new_passphrase: Option<Zeroizing<String>>,
    /// `CREDENTIALS_DIRECTORY`: where systemd put the unit's `LoadCredential=` files.
    pub credentials: Option<PathBuf>,
    /// `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`: systemd's `Type=notify` protocol.
    pub notify: NotifySettings,
    /// The language of the terminal: `LC_ALL`, else `LC_MESSAGES`, else `LANG` (`ru_RU.UTF-8`).
    pub locale: Option<String>,
    /// `JOURNAL_STREAM` names the device and inode of stderr: logs go to journald.
    pub journal: bool,
    /// `ARCANA_TEST_CLOCK`: a file holding the time (Unix ms) the card of the day's schedule
    /// reads. Honoured only by debug builds (the end-to-end tests); a release build never reads
    /// the variable, so a production binary cannot be put on a made-up clock by accident.
    pub test_clock: Option<PathBuf>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("bot_token", &self.bot_token.as_ref().map(|_| "[redacted]"))
            .field("api_url", &self.api_url)
            .field("dir", &self.dir)
            .field("log", &self.log)
            .field("passphrase", &self.passphrase.as_ref().map(|_| "[redacted]"))
            .field("new_passphrase", &self.new_passphrase.as_ref().map(|_| "[redacted]"))
            .field("credentials", &self.credentials)
            .field("notify", &self.notify)
            .field("locale", &self.locale)
            .field("journal", &self.journal)
            .field("test_clock", &self.test_clock)
            .finish()
    }
}

impl Env {
    /// Reads the process environment (empty values count as unset).
    #[must_use]
    pub fn from_process() -> Env {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Env {
            bot_token: var("BOT_TOKEN"),
            api_url: var("ARCANA_TELEGRAM_API_URL"),
            dir: var("ARCANA_DIR").map(PathBuf::from),
            log: var("ARCANA_LOG"),
            passphrase: std::env::var("ARCANA_PASSPHRASE").ok().filter(|v| !v.is_empty()).map(Zeroizing::new),
            new_passphrase: std::env::var("ARCANA_NEW_PASSPHRASE").ok().filter(|v| !v.is_empty()).map(Zeroizing::new),
            credentials: var("CREDENTIALS_DIRECTORY").map(PathBuf::from),
            notify: NotifySettings {
                socket: var("NOTIFY_SOCKET"),
                watchdog: watchdog(var("WATCHDOG_USEC").as_deref(), var("WATCHDOG_PID").as_deref(), std::process::id()),
            },
            locale: var("LC_ALL").or_else(|| var("LC_MESSAGES")).or_else(|| var("LANG")),
            journal: var("JOURNAL_STREAM").is_some_and(|stream| stderr_is(&stream)),
            test_clock: if cfg!(debug_assertions) { var("ARCANA_TEST_CLOCK").map(PathBuf::from) } else { None },
        }
    }
}

/// systemd's watchdog interval, when it is meant for process `pid` (`WATCHDOG_PID` unset or
/// equal to it).
fn watchdog(usec: Option<&str>, for_pid: Option<&str>, pid: u32) -> Option<Duration> {
    let usec: u64 = usec?.trim().parse().ok()?;
    match for_pid.map(|p| p.trim().parse::<u32>()) {
        None => {}
        Some(Ok(p)) if p == pid => {}
        Some(_) => return None,
    }
    (usec > 0).then(|| Duration::from_micros(usec))
}

/// Whether stderr is the stream `JOURNAL_STREAM` (`DEVICE:INODE`) names, as `systemd.exec(5)`
/// asks: a child that inherited the variable but writes elsewhere keeps timestamps.
fn stderr_is(stream: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Some((device, inode)) = stream.split_once(':') else { return false };
    let (Ok(device), Ok(inode)) = (device.parse::<u64>(), inode.parse::<u64>()) else { return false };
    std::fs::metadata("/proc/self/fd/2").is_ok_and(|meta| meta.dev() == device && meta.ino() == inode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watchdog_interval_is_taken_only_for_this_process() {
        assert_eq!(watchdog(Some("120000000"), None, 7), Some(Duration::from_mins(2)));
        assert_eq!(watchdog(Some("120000000"), Some("7"), 7), Some(Duration::from_mins(2)));
        assert_eq!(watchdog(Some("120000000"), Some("8"), 7), None);
        assert_eq!(watchdog(Some("0"), None, 7), None);
        assert_eq!(watchdog(Some("soon"), None, 7), None);
        assert_eq!(watchdog(None, Some("7"), 7), None);
    }

    #[test]
    fn a_journal_stream_that_is_not_stderr_is_ignored() {
        assert!(!stderr_is("0:0"));
        assert!(!stderr_is("garbage"));
    }
}
