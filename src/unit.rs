//! The systemd unit that `arcana service install` writes: `arcana run` under `Type=notify`
//! with a watchdog, restarted always (the store watchdog aborts a hung store and relies on it),
//! the token as a credential (`LoadCredential=`, never in the environment), and a sandbox that
//! leaves the bot its data directory, outbound TCP, its Unix sockets and nothing else.
//!
//! Rendering is pure (no file system, no environment) so tests read the exact text;
//! `systemd-analyze verify` and `systemd-analyze security --offline=yes` check it in CI
//! (`.ci/service-check`).

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
};

/// The unit's file name.
pub const UNIT_NAME: &str = "arcana.service";

/// Where the unit runs arcana from, by default.
pub const DEFAULT_BINARY: &str = "/usr/local/bin/arcana";

/// The data directory, by default.
pub const DEFAULT_DIR: &str = "/var/lib/arcana";

/// The service user, by default.
pub const DEFAULT_USER: &str = "arcana";

/// Where the token file lives, read by systemd (as root) and handed to the service.
pub const DEFAULT_TOKEN_FILE: &str = "/etc/arcana/bot-token";

/// `MemoryMax=`: the flood bench peaks below it (see the README's benchmarks).
pub const MEMORY_MAX_MIB: u32 = 64;

/// What the unit is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSpec {
    /// The arcana binary the unit runs.
    pub binary: PathBuf,
    /// The data directory (`--dir`).
    pub dir: PathBuf,
    /// The user and group the service runs as.
    pub user: String,
    /// The token file systemd loads as the credential `credential`.
    pub token_file: PathBuf,
    /// The credential's name, as arcana looks for it in `$CREDENTIALS_DIRECTORY`.
    pub credential: String,
}

/// Why a unit cannot be written for these settings.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UnitError {
    /// A path systemd would not read as one absolute path.
    #[error("{what} {path:?} must be an absolute path without spaces, quotes, '%', '$' or '\\'")]
    Path {
        /// Which path.
        what: &'static str,
        /// The path as given.
        path: String,
    },
    /// A user name `useradd` and systemd would refuse.
    #[error("user name {0:?} must be 1-31 of a-z, 0-9, '_' or '-', starting with a letter or '_'")]
    User(String),
}

impl UnitSpec {
    /// Checks every part before rendering: systemd would read a path with a space as two words,
    /// and `%` or `$` as a specifier or a variable.
    pub fn validate(&self) -> Result<(), UnitError> {
        check_path("binary", &self.binary)?;
        check_path("data directory", &self.dir)?;
        check_path("token file", &self.token_file)?;
        if !valid_user(&self.user) {
            return Err(UnitError::User(self.user.clone()));
        }
        Ok(())
    }

    /// The unit file's text.
    pub fn render(&self) -> Result<String, UnitError> {
        self.validate()?;
        let (binary, dir, token) = (self.binary.display(), self.dir.display(), self.token_file.display());
        let mut unit = String::new();
        let mut line = |text: &str| {
            unit.push_str(text);
            unit.push('\n');
        };
        line("# Written by `arcana service install`. Put the bot token in the file named by");
        line("# LoadCredential= (mode 0600, owned by root), then: systemctl enable --now arcana");
        line("[Unit]");
        line("Description=arcana, a tarot-reading Telegram bot");
        line("Wants=network-online.target");
        line("After=network-online.target");
        line("");
        line("[Service]");
        line("Type=notify");
        line("NotifyAccess=main");
        line(&format!("ExecStart={binary} run --dir {dir}"));
        line(&format!("User={}", self.user));
        line(&format!("Group={}", self.user));
        line(&format!("LoadCredential={}:{token}", self.credential));
        line("# The store watchdog aborts a hung store; systemd brings the bot back.");
        line("Restart=always");
        line("RestartSec=5s");
        line("# Pinged from the polling loop; must exceed the longest poll plus a 30 s backoff.");
        line("WatchdogSec=2min");
        line("TimeoutStopSec=30s");
        line(&format!("MemoryMax={MEMORY_MAX_MIB}M"));
        line("UMask=0077");
        line(&format!("ReadWritePaths={dir}"));
        line("ProtectSystem=strict");
        line("ProtectHome=yes");
        line("PrivateTmp=yes");
        line("PrivateDevices=yes");
        line("PrivateUsers=yes");
        line("PrivateIPC=yes");
        line("PrivateMounts=yes");
        line("NoNewPrivileges=yes");
        line("CapabilityBoundingSet=");
        line("AmbientCapabilities=");
        line("# Outbound TCP to the Bot API, DNS, and Unix sockets (control socket, sd_notify).");
        line("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6");
        line("SystemCallFilter=@system-service");
        line("SystemCallFilter=~@privileged @resources");
        line("SystemCallErrorNumber=EPERM");
        line("SystemCallArchitectures=native");
        line("ProtectKernelTunables=yes");
        line("ProtectKernelModules=yes");
        line("ProtectKernelLogs=yes");
        line("ProtectControlGroups=yes");
        line("ProtectClock=yes");
        line("ProtectHostname=yes");
        line("ProtectProc=invisible");
        line("ProcSubset=pid");
        line("RestrictNamespaces=yes");
        line("RestrictRealtime=yes");
        line("RestrictSUIDSGID=yes");
        line("LockPersonality=yes");
        line("MemoryDenyWriteExecute=yes");
        line("RemoveIPC=yes");
        line("KeyringMode=private");
        line("DevicePolicy=closed");
        line("");
        line("[Install]");
        line("WantedBy=multi-user.target");
        Ok(unit)
    }
}

fn check_path(what: &'static str, path: &Path) -> Result<(), UnitError> {
    let text = path.to_string_lossy();
    let bad = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '%' | '$' | '\\' | ';');
    if !path.is_absolute() || text.contains(bad) || text != path.display().to_string() {
        return Err(UnitError::Path { what, path: text.into_owned() });
    }
    Ok(())
}

/// A name both `useradd` (Debian's default pattern) and systemd's `User=` accept.
#[must_use]
pub fn valid_user(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    first_ok
        && name.len() <= 31
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'))
}

/// What an install did, one line each, for the operator to read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    lines: Vec<String>,
}

impl Report {
    /// Records one step.
    pub fn did(&mut self, step: impl Into<String>) {
        self.lines.push(step.into());
    }

    /// The steps, then the commands to run next.
    #[must_use]
    pub fn render(&self, spec: &UnitSpec) -> String {
        let mut out = String::new();
        for step in &self.lines {
            let _ = writeln!(out, "  {step}");
        }
        let token = spec.token_file.display();
        let parent = spec.token_file.parent().map_or_else(|| "/".to_owned(), |p| p.display().to_string());
        let _ = writeln!(out, "next:");
        let _ = writeln!(
            out,
            "  install -d -m 700 {parent} && (umask 077; cat > {token})   # paste the token from @BotFather, then Ctrl-D"
        );
        let _ = writeln!(out, "  systemctl daemon-reload && systemctl enable --now arcana");
        let _ = writeln!(out, "  journalctl -u arcana -f");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> UnitSpec {
        UnitSpec {
            binary: PathBuf::from(DEFAULT_BINARY),
            dir: PathBuf::from(DEFAULT_DIR),
            user: DEFAULT_USER.into(),
            token_file: PathBuf::from(DEFAULT_TOKEN_FILE),
            credential: "bot-token".into(),
        }
    }

    #[test]
    fn the_unit_runs_the_bot_supervised_with_the_token_as_a_credential() {
        let unit = spec().render().expect("renders");
        for line in [
            "Type=notify",
            "ExecStart=/usr/local/bin/arcana run --dir /var/lib/arcana",
            "User=arcana",
            "LoadCredential=bot-token:/etc/arcana/bot-token",
            "Restart=always",
            "WatchdogSec=2min",
            "ReadWritePaths=/var/lib/arcana",
        ] {
            assert!(unit.lines().any(|l| l == line), "missing {line:?} in\n{unit}");
        }
        assert!(!unit.contains("BOT_TOKEN"), "the token never goes through the environment");
        assert!(!unit.contains("Environment="), "no environment at all");
    }

    #[test]
    fn the_unit_carries_the_hardening_the_issue_lists() {
        let unit = spec().render().expect("renders");
        for line in [
            "ProtectSystem=strict",
            "ProtectHome=yes",
            "PrivateTmp=yes",
            "PrivateDevices=yes",
            "NoNewPrivileges=yes",
            "CapabilityBoundingSet=",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
            "SystemCallFilter=@system-service",
            "MemoryMax=64M",
            "UMask=0077",
        ] {
            assert!(unit.lines().any(|l| l == line), "missing {line:?} in\n{unit}");
        }
    }

    #[test]
    fn paths_systemd_would_misread_are_refused() {
        for bad in ["relative/arcana", "/opt/my bots/arcana", "/opt/%i/arcana", "/opt/$HOME", "/opt/a\"b"] {
            let mut s = spec();
            s.dir = PathBuf::from(bad);
            assert!(matches!(s.render(), Err(UnitError::Path { what: "data directory", .. })), "{bad}");
        }
    }

    #[test]
    fn user_names_are_checked() {
        assert!(valid_user("arcana"));
        assert!(valid_user("_bot-2"));
        for bad in ["", "Arcana", "1bot", "a b", "root;x", "a_very_long_user_name_over_31_chars"] {
            assert!(!valid_user(bad), "{bad}");
            let mut s = spec();
            s.user = bad.into();
            assert_eq!(s.render(), Err(UnitError::User(bad.into())));
        }
    }

    #[test]
    fn the_report_ends_with_the_next_commands() {
        let mut report = Report::default();
        report.did("wrote /etc/systemd/system/arcana.service");
        let text = report.render(&spec());
        assert!(text.starts_with("  wrote /etc/systemd/system/arcana.service\nnext:\n"), "{text}");
        assert!(text.contains("cat > /etc/arcana/bot-token"), "{text}");
        assert!(text.contains("systemctl enable --now arcana"), "{text}");
    }
}
