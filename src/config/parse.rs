//! Reading the configuration text, with one-line errors that name the offending key.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{key_path::key_path, model::Config};

/// Why a configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error, in words.
        reason: String,
    },
    /// The TOML is not well-formed.
    #[error("config {path}: line {line}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// What the parser said, on one line.
        message: String,
    },
    /// A key has a wrong type or value, or is unknown.
    #[error("config {path}: key `{key}`: {message}")]
    Key {
        /// The file.
        path: PathBuf,
        /// Dotted key path, e.g. `telegram.poll_timeout`.
        key: String,
        /// What is wrong, on one line.
        message: String,
    },
    /// A setting given through the environment is invalid.
    #[error("{variable}: {message}")]
    Env {
        /// The environment variable.
        variable: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Parses the text of `arcana.toml`; `path` is used only in error messages.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let deserializer = toml::Deserializer::parse(text).map_err(|e| ConfigError::Syntax {
            path: path.to_path_buf(),
            line: line_of(text, e.span().map_or(0, |s| s.start)),
            message: one_line(e.message()),
        })?;
        let mut config = Config::deserialize(deserializer).map_err(|e| {
            let key = printable(&e.span().map_or_else(|| String::from("."), |span| key_path(text, &span, e.message())));
            let message = one_line(e.message());
            match e.span() {
                Some(span) if key == "." => {
                    ConfigError::Syntax { path: path.to_path_buf(), line: line_of(text, span.start), message }
                }
                _ => {
                    ConfigError::Key { path: path.to_path_buf(), key: key.trim_start_matches('.').to_owned(), message }
                }
            }
        })?;
        for (name, tier) in &mut config.tiers {
            tier.fill_builtin(name);
        }
        config.check(path)?;
        Ok(config)
    }

    /// Checks what types alone cannot: the default tier exists, tiers list only commands a tier
    /// may hold (see [`crate::command`]).
    fn check(&self, path: &Path) -> Result<(), ConfigError> {
        let listable = |c: &String| {
            crate::command::tier_commands()
                .chain(crate::command::rights())
                .chain(crate::command::always_allowed())
                .any(|known| known == *c)
        };
        for (name, tier) in &self.tiers {
            if let Some(right) = tier.limits.keys().find(|c| crate::command::rights().any(|r| r == *c)) {
                return Err(ConfigError::Key {
                    path: path.to_path_buf(),
                    key: format!("tiers.{name}.limits.{right}"),
                    message: format!(
                        "/{right} is every user's right over their own data and cannot be limited or removed by a tier (the sentinel's rate limits still apply)"
                    ),
                });
            }
            if let Some(unknown) = tier.commands.iter().chain(tier.limits.keys()).find(|c| !listable(c)) {
                return Err(ConfigError::Key {
                    path: path.to_path_buf(),
                    key: format!("tiers.{name}.commands"),
                    message: format!(
                        "{:?} is not a command a tier can list ({})",
                        printable(unknown),
                        crate::command::tier_commands().collect::<Vec<_>>().join(", ")
                    ),
                });
            }
        }
        if self.http.tls_cert.is_some() != self.http.tls_key.is_some() {
            let key = if self.http.tls_cert.is_some() { "http.tls_key" } else { "http.tls_cert" };
            return Err(ConfigError::Key {
                path: path.to_path_buf(),
                key: key.to_owned(),
                message: String::from("set both http.tls_cert and http.tls_key (PEM files), or neither"),
            });
        }
        if self.http.trust_forwarded_for && self.http.tls().is_some() {
            return Err(ConfigError::Key {
                path: path.to_path_buf(),
                key: String::from("http.trust_forwarded_for"),
                message: String::from(
                    "arcana serves TLS itself, so no proxy sits in front to set X-Forwarded-For: clients would choose their own address",
                ),
            });
        }
        if !self.tiers.contains_key(&self.accounts.default_tier) {
            return Err(ConfigError::Key {
                path: path.to_path_buf(),
                key: String::from("accounts.default_tier"),
                message: format!("no tier named {:?} in [tiers]", self.accounts.default_tier),
            });
        }
        if self.payments.enabled && !self.tiers.contains_key(&self.payments.premium_tier) {
            return Err(ConfigError::Key {
                path: path.to_path_buf(),
                key: String::from("payments.premium_tier"),
                message: format!("no tier named {:?} in [tiers]", self.payments.premium_tier),
            });
        }
        Ok(())
    }

    /// Reads and parses the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::Read { path: path.to_path_buf(), reason: e.kind().to_string() })?;
        Config::from_toml_str(&text, path)
    }

    /// Applies an API URL given through `ARCANA_TELEGRAM_API_URL`.
    pub fn override_api_url(&mut self, text: &str) -> Result<(), ConfigError> {
        self.telegram.api_url = super::model::parse_api_url(text)
            .map_err(|message| ConfigError::Env { variable: "ARCANA_TELEGRAM_API_URL", message })?;
        Ok(())
    }
}

fn line_of(text: &str, byte_offset: usize) -> usize {
    let end = byte_offset.min(text.len());
    text.get(..end).unwrap_or(text).matches('\n').count() + 1
}

/// A parser's message on one line, with whatever it echoes from the file made printable.
pub(crate) fn one_line(message: &str) -> String {
    printable(message).split(' ').filter(|word| !word.is_empty()).collect::<Vec<_>>().join(" ")
}

/// `text` with every control or invisible character written as an escape (`\n`, `\u{202e}`),
/// so text echoed from the file can neither break the error onto a second line (forging a log
/// line) nor hide or reorder what the reader sees. Quotes and backslashes are kept as they are.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '"' | '\'' | '\\' | ' ') {
            out.push(c);
        } else {
            out.extend(c.escape_debug());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::default_config_toml;
    use std::time::Duration;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml_str(text, Path::new("arcana.toml"))
    }

    #[test]
    fn built_in_tiers_keep_their_allowances_unless_told_otherwise() {
        use crate::config::DailyReadings;
        let c = parse("[tiers.free]\ncommands = [\"draw\"]\n[tiers.premium]\ncommands = [\"draw\"]\ndaily_readings = \"unlimited\"\n[tiers.gold]\ncommands = [\"draw\"]\ndaily_readings = 5\n").expect("parses");
        assert_eq!(c.tiers["free"].daily_limit(), Some(3));
        assert_eq!(c.tiers["free"].spreads, Some(vec![String::from("one"), String::from("three")]));
        assert_eq!(c.tiers["premium"].daily_readings, Some(DailyReadings::Unlimited));
        assert_eq!(c.tiers["gold"].daily_limit(), Some(5));
        assert_eq!(c.tiers["gold"].spreads, None);
        let e = parse("[tiers.free]\ncommands = []\ndaily_readings = \"lots\"\n").expect_err("bad").to_string();
        assert!(e.contains("tiers.free.daily_readings") && e.contains("unlimited"), "{e}");
    }

    #[test]
    fn tiers_cannot_limit_a_right_but_may_still_name_it() {
        let e = parse("[tiers.free]\ncommands = [\"draw\"]\n[tiers.free.limits.delete_me]\nlimit = 1\nper = \"1d\"\n")
            .expect_err("a right limited")
            .to_string();
        assert!(e.contains("tiers.free.limits.delete_me") && e.contains("right"), "{e}");
        let c =
            parse("[tiers.free]\ncommands = [\"draw\", \"export\", \"delete_me\"]\n[tiers.premium]\ncommands = []\n")
                .expect("older lists parse");
        assert_eq!(c.tiers["free"].commands.len(), 3);
    }

    #[test]
    fn tiers_list_only_commands_from_the_table() {
        let e = parse("[tiers.free]\ncommands = [\"draw\", \"drwa\"]\n").expect_err("a typo").to_string();
        assert!(e.contains("key `tiers.free.commands`") && e.contains("\"drwa\""), "{e}");
        let e = parse("[tiers.free]\ncommands = [\"refund\"]\n").expect_err("admin only").to_string();
        assert!(e.contains("tiers.free.commands"), "{e}");
        // The template lists exactly the table's tier commands.
        let listed = format!(
            "commands = [{}]",
            crate::command::tier_commands().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ")
        );
        assert_eq!(default_config_toml().matches(&listed).count(), 2, "both tiers in the template: {listed}");
    }

    /// The parser as it was with `serde_path_to_error` wrapping every config type: the oracle
    /// for the key paths found from spans ([`super::key_path`]).
    fn parse_with_path_to_error(text: &str) -> Result<Config, String> {
        let path = Path::new("arcana.toml");
        let deserializer = toml::Deserializer::parse(text).map_err(|e| e.to_string())?;
        let mut config: Config = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let key = printable(&e.path().to_string());
            let inner = e.into_inner();
            let message = one_line(inner.message());
            match inner.span() {
                Some(span) if key == "." => {
                    ConfigError::Syntax { path: path.to_path_buf(), line: line_of(text, span.start), message }
                }
                _ => {
                    ConfigError::Key { path: path.to_path_buf(), key: key.trim_start_matches('.').to_owned(), message }
                }
            }
            .to_string()
        })?;
        for (name, tier) in &mut config.tiers {
            tier.fill_builtin(name);
        }
        config.check(path).map_err(|e| e.to_string())?;
        Ok(config)
    }

    /// Every value of the default file replaced by values of every wrong kind, an unknown key
    /// in every table, and the fuzzer's seed corpus: the errors are exactly the old ones.
    #[test]
    fn key_paths_are_those_serde_path_to_error_gave() {
        let template = default_config_toml();
        let lines: Vec<&str> = template.lines().collect();
        let bad = [
            "\"zzz\"",
            "-1",
            "0",
            "1.5",
            "true",
            "[1, \"a\"]",
            "[]",
            "{ x = 1 }",
            "{}",
            "\"0s\"",
            "\"9999d\"",
            "1979-05-27",
            "[{ limit = 0 }]",
            "{ limit = 0, per = \"1m\" }",
            "{ limit = 1, per = \"x\", scope = \"moon\" }",
        ];
        let mut texts = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if let Some((key, _)) = line.split_once(" = ").filter(|_| !line.starts_with('#')) {
                for value in bad {
                    let mut edited = lines.clone();
                    let replaced = format!("{key} = {value}");
                    edited[i] = &replaced;
                    texts.push(edited.join("\n"));
                }
            }
            if line.starts_with('[') {
                let mut edited = lines.clone();
                edited.insert(i + 1, "bogus = 1");
                texts.push(edited.join("\n"));
            }
        }
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/config_parse");
        for entry in std::fs::read_dir(seeds).expect("seed corpus") {
            let bytes = std::fs::read(entry.expect("seed").path()).expect("seed");
            texts.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        let mut errors = 0;
        let mut differ = Vec::new();
        for text in &texts {
            let old = parse_with_path_to_error(text);
            let Ok(deserializer) = toml::Deserializer::parse(text) else { continue };
            drop(deserializer);
            let new = parse(text).map_err(|e| e.to_string());
            errors += usize::from(new.is_err());
            // The one known difference: a table written as an array whose element a field
            // refuses after reading it (`default = [1, "a"]`, `http.per_user = [1, "a"]`) names
            // the array, not `[1]`.
            if new != old && !(text.contains(" = [1, \"a\"]") && old.as_ref().is_err_and(|e| e.contains("[1]`"))) {
                differ.push(format!("{new:?}\n  was {old:?}"));
            }
        }
        assert!(differ.is_empty(), "{} differ:\n{}", differ.len(), differ.join("\n"));
        assert!(errors > 500, "the cases reach the parser's errors: {errors}");
    }

    #[test]
    fn the_default_file_parses_to_the_defaults() {
        assert_eq!(parse(&default_config_toml()).expect("default parses"), Config::default());
    }

    #[test]
    fn empty_file_is_all_defaults() {
        assert_eq!(parse("").expect("empty parses"), Config::default());
    }

    #[test]
    fn durations_are_humantime() {
        let c = parse("[telegram]\npoll_timeout = \"5s\"\n[bot]\nshutdown_grace = \"1m\"").expect("parses");
        assert_eq!(c.telegram.poll_timeout, Duration::from_secs(5));
        assert_eq!(c.bot.shutdown_grace, Duration::from_mins(1));
    }

    #[test]
    fn a_bad_duration_names_its_key_on_one_line() {
        let e = parse("[telegram]\npoll_timeout = \"forever\"").expect_err("must fail").to_string();
        assert!(e.contains("telegram.poll_timeout"), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn out_of_range_duration_is_refused() {
        let e = parse("[telegram]\npoll_timeout = \"2h\"").expect_err("must fail").to_string();
        assert!(e.contains("telegram.poll_timeout") && e.contains("out of range"), "{e}");
    }

    #[test]
    fn the_inbox_byte_bound_is_checked() {
        let e = parse("[bot]\ninbox_max_bytes = 1000").expect_err("must fail").to_string();
        assert!(e.contains("key `bot.inbox_max_bytes`") && e.contains("out of range"), "{e}");
        assert_eq!(parse("[bot]\ninbox_max_bytes = 1048576").expect("parses").bot.inbox_max_bytes, 1_048_576);
        assert_eq!(parse("").expect("parses").bot.inbox_max_bytes, 256 * 1024 * 1024);
    }

    #[test]
    fn the_card_of_the_day_is_on_unless_turned_off_and_a_bad_switch_names_its_key() {
        assert!(parse("").expect("parses").daily.enabled);
        assert!(!parse("[daily]\nenabled = false").expect("parses").daily.enabled);
        let e = parse("[daily]\nenabled = \"sometimes\"").expect_err("must fail").to_string();
        assert!(e.contains("daily.enabled") && !e.contains('\n'), "{e}");
        // The test clock is never read from the file.
        let e = parse("[daily]\ntest_clock = \"/tmp/clock\"").expect_err("must fail").to_string();
        assert!(e.contains("test_clock"), "{e}");
    }

    #[test]
    fn a_wrong_type_names_its_key() {
        let e = parse("[store]\ncache_capacity_mib = \"big\"").expect_err("must fail").to_string();
        assert!(e.contains("store.cache_capacity_mib"), "{e}");
        let e = parse("[store]\ncache_capacity_mib = 0").expect_err("must fail").to_string();
        assert!(e.contains("store.cache_capacity_mib"), "{e}");
        let e = parse("[bot]\nflush_removals = \"yes\"").expect_err("must fail").to_string();
        assert!(e.contains("key `bot.flush_removals`") && !e.contains('\n'), "{e}");
        assert!(!parse("[bot]\nflush_removals = false").expect("parses").bot.flush_removals);
        let e = parse("[bot]\nwrite_unfinished_after = \"31s\"").expect_err("must fail").to_string();
        assert!(e.contains("key `bot.write_unfinished_after`") && !e.contains('\n'), "{e}");
        let c = parse("[bot]\nwrite_unfinished_after = \"0s\"").expect("parses");
        assert_eq!(c.bot.write_unfinished_after, Duration::ZERO);
    }

    #[test]
    fn an_unknown_key_is_named() {
        let e = parse("[telegram]\nbogus = 1").expect_err("must fail").to_string();
        assert!(e.contains("bogus") && e.contains("telegram"), "{e}");
        let e = parse("surprise = true").expect_err("must fail").to_string();
        assert!(e.contains("surprise"), "{e}");
    }

    /// Found by `config_parse` after ~120,000 executions: a quoted key holding an escaped newline
    /// broke the error onto two lines and echoed the raw key.
    #[test]
    fn a_key_with_a_newline_is_escaped_on_one_line() {
        let e = parse("\"\\nadmin_override\" = 1\n").expect_err("unknown key").to_string();
        assert!(!e.contains('\n'), "{e}");
        assert!(e.contains("key `\\nadmin_override`"), "{e}");
        let e = parse("\"\\n\\u00b3\\u00f4\"=\"\\n\\u00b3\\u00f4\"").expect_err("unknown key").to_string();
        assert!(!e.chars().any(char::is_control), "{e}");
        let e = parse("[telegram]\n\"poll\\u202etimeout\" = 1").expect_err("unknown key").to_string();
        assert!(e.contains("\\u{202e}") && !e.contains('\u{202e}'), "{e}");
    }

    #[test]
    fn syntax_errors_give_a_line() {
        let e = parse("admins = []\n[telegram\n").expect_err("must fail").to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn api_url_must_be_http_with_a_host() {
        for bad in ["mailto:x@y", "ftp://x", "not a url", "http://h/?q=1", "data:text/plain,x"] {
            let text = format!("[telegram]\napi_url = {bad:?}");
            let e = parse(&text).expect_err(bad).to_string();
            assert!(e.contains("telegram.api_url"), "{e}");
        }
        let c = parse("[telegram]\napi_url = \"http://127.0.0.1:8081\"").expect("parses");
        assert_eq!(c.telegram.api_url.as_str(), "http://127.0.0.1:8081/");
    }

    #[test]
    fn env_override_of_api_url_is_checked() {
        let mut c = Config::default();
        let e = c.override_api_url("gopher").expect_err("must fail").to_string();
        assert!(e.contains("ARCANA_TELEGRAM_API_URL"), "{e}");
        c.override_api_url("http://localhost:1234").expect("valid");
        assert_eq!(c.telegram.api_url.port(), Some(1234));
    }
}
