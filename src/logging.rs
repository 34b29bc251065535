//! Structured logging to stderr with `tracing`, scrubbing secrets from every line; audit events
//! also go to the audit tap ([`crate::audit_tap`]) whatever the log level.
//!
//! Three shapes: plain text with a timestamp (a terminal, a file); under journald (systemd's
//! `JOURNAL_STREAM` names stderr) text without the timestamp journald adds itself and with a
//! `<N>` syslog priority prefix, so `journalctl -p warning` works; and one JSON object a line
//! (`log.format = "json"`) for log shippers. Never ANSI colours.
//!
//! Redaction is defence in depth: arcana never formats anything holding the token, but a
//! dependency might (teloxide's `Bot` derives `Debug`; HTTP errors carry request URLs). Every
//! formatted line passes through [`RedactingWriter`], which replaces each secret with `[redacted]`.

use std::io::{self, Write};
use std::sync::Arc;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::{
    Layer,
    filter::{LevelFilter, Targets},
    fmt::{
        FmtContext, FormatEvent, FormatFields, MakeWriter,
        format::{self, Writer},
    },
    layer::SubscriberExt,
    registry::LookupSpan,
    util::SubscriberInitExt,
};

const REDACTED: &[u8] = b"[redacted]";

/// Why logging could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("ARCANA_LOG: invalid filter {0:?} (use e.g. \"info\" or \"arcana=debug,warn\")")]
pub struct LogFilterError(String);

/// Builds the log filter from `ARCANA_LOG` (if given) or the configured level.
pub fn filter(env_filter: Option<&str>, level: &str) -> Result<Targets, LogFilterError> {
    match env_filter {
        Some(text) if !text.trim().is_empty() => text.parse::<Targets>().map_err(|_| LogFilterError(text.to_owned())),
        _ => {
            let level: LevelFilter = level.parse().map_err(|_| LogFilterError(level.to_owned()))?;
            Ok(Targets::new()
                .with_default(level)
                .with_target("hyper", LevelFilter::WARN)
                .with_target("hyper_util", LevelFilter::WARN)
                .with_target("reqwest", LevelFilter::WARN)
                .with_target("sled", LevelFilter::WARN))
        }
    }
}

/// The shape of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Text lines.
    #[default]
    Text,
    /// One JSON object a line.
    Json,
}

/// How lines are written: the format, and whether stderr is journald's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Text or JSON.
    pub format: Format,
    /// Under journald: text lines get a `<N>` priority prefix and no timestamp.
    pub journal: bool,
}

/// Installs the global subscriber writing to stderr, scrubbing every string in `secrets`.
/// Calling it twice is harmless (the second call is ignored).
pub fn init(filter: Targets, secrets: Vec<String>, style: Style) {
    let writer = RedactingMakeWriter::new(secrets, io::stderr);
    let _ = tracing_subscriber::registry()
        .with(layer(style, writer).with_filter(filter))
        .with(crate::audit_tap::layer())
        .try_init();
}

/// Installs only the audit tap (no log output): for admin commands, whose audit events must
/// reach the trail while their output stays what they print.
pub fn init_audit_only() {
    let _ = tracing_subscriber::registry().with(crate::audit_tap::layer()).try_init();
}

/// The formatting layer for `style`, writing through `writer`.
fn layer<S, W>(style: Style, writer: W) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let base = tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(false).with_target(true);
    match style {
        Style { format: Format::Json, .. } => {
            Box::new(base.json().with_current_span(false).with_span_list(false).flatten_event(true))
        }
        Style { format: Format::Text, journal: true } => {
            Box::new(base.event_format(JournalPriority(format::format().without_time().with_ansi(false))))
        }
        Style { format: Format::Text, journal: false } => Box::new(base),
    }
}

/// Prefixes each line with its syslog priority (`<3>` error … `<7>` debug), which journald
/// reads (`SyslogLevelPrefix=`, on by default) and strips.
struct JournalPriority<F>(F);

impl<S, N, F> FormatEvent<S, N> for JournalPriority<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> std::fmt::Result {
        let priority = match *event.metadata().level() {
            Level::ERROR => 3,
            Level::WARN => 4,
            Level::INFO => 6,
            _ => 7,
        };
        write!(writer, "<{priority}>")?;
        self.0.format_event(ctx, writer, event)
    }
}

/// A [`MakeWriter`] whose writers scrub secrets before writing to the inner writer.
#[derive(Clone)]
pub struct RedactingMakeWriter<F> {
    secrets: Arc<Vec<Vec<u8>>>,
    make_inner: F,
}

impl<F> RedactingMakeWriter<F> {
    /// Scrubs each non-empty string of `secrets` from what `make_inner`'s writers receive.
    pub fn new(secrets: Vec<String>, make_inner: F) -> Self {
        let secrets = secrets.into_iter().filter(|s| !s.is_empty()).map(String::into_bytes).collect();
        RedactingMakeWriter { secrets: Arc::new(secrets), make_inner }
    }
}

impl<'a, F, W> MakeWriter<'a> for RedactingMakeWriter<F>
where
    F: Fn() -> W + 'static,
    W: Write,
{
    type Writer = RedactingWriter<W>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter { secrets: Arc::clone(&self.secrets), inner: (self.make_inner)() }
    }
}

/// Writes each buffer with every secret replaced by `[redacted]`.
pub struct RedactingWriter<W> {
    secrets: Arc<Vec<Vec<u8>>>,
    inner: W,
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write_all(&redact(buf, &self.secrets))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Returns `buf` with every occurrence of every secret replaced by `[redacted]`.
#[must_use]
pub fn redact(buf: &[u8], secrets: &[Vec<u8>]) -> Vec<u8> {
    let mut out = buf.to_vec();
    for secret in secrets {
        out = replace_all(&out, secret);
    }
    out
}

fn replace_all(haystack: &[u8], needle: &[u8]) -> Vec<u8> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(REDACTED);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_scrubbed_everywhere_in_a_line() {
        let s = vec![b"123:SECRET".to_vec()];
        let out = redact(b"GET /bot123:SECRET/GetMe failed; token=123:SECRET", &s);
        assert_eq!(out, b"GET /bot[redacted]/GetMe failed; token=[redacted]".to_vec());
    }

    #[test]
    fn lines_without_secrets_pass_unchanged() {
        let s = vec![b"123:SECRET".to_vec()];
        assert_eq!(redact(b"hello 123:SECRE", &s), b"hello 123:SECRE".to_vec());
    }

    #[test]
    fn writer_scrubs_what_tracing_writes() {
        let sink = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink2 = Arc::clone(&sink);
        let make = RedactingMakeWriter::new(vec!["tok:en".into()], move || SinkWriter(Arc::clone(&sink2)));
        let mut w = make.make_writer();
        w.write_all(b"a tok:en b").expect("write");
        assert_eq!(&*sink.lock().expect("lock"), b"a [redacted] b");
    }

    struct SinkWriter(Arc<std::sync::Mutex<Vec<u8>>>);
    impl Write for SinkWriter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn captured(style: Style) -> String {
        use tracing_subscriber::layer::SubscriberExt;
        let sink = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink2 = Arc::clone(&sink);
        let make = RedactingMakeWriter::new(vec!["123:SECRET".into()], move || SinkWriter(Arc::clone(&sink2)));
        let subscriber = tracing_subscriber::registry().with(layer(style, make));
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(user = 5, token = "123:SECRET", "limit reached");
        });
        String::from_utf8(sink.lock().expect("lock").clone()).expect("utf-8")
    }

    #[test]
    fn text_lines_carry_a_timestamp_and_no_colour() {
        let line = captured(Style::default());
        assert!(line.contains("WARN"), "{line}");
        assert!(line.contains("limit reached"), "{line}");
        assert!(line.starts_with(|c: char| c.is_ascii_digit()), "a timestamp first: {line}");
        assert!(!line.contains('\u{1b}'), "no ANSI escapes: {line:?}");
        assert!(line.contains("[redacted]") && !line.contains("SECRET"), "{line}");
    }

    #[test]
    fn journald_lines_have_a_priority_and_no_timestamp() {
        let line = captured(Style { format: Format::Text, journal: true });
        assert!(line.starts_with("<4> WARN arcana::logging::tests: limit reached"), "{line}");
        assert!(!line.contains('\u{1b}'), "no ANSI escapes: {line:?}");
        assert!(line.contains("[redacted]") && !line.contains("SECRET"), "{line}");
    }

    #[test]
    fn json_lines_are_one_object_each() {
        let text = captured(Style { format: Format::Json, journal: false });
        let value: serde_json::Value = serde_json::from_str(text.trim()).expect("one JSON object");
        assert_eq!(value["level"], "WARN");
        assert_eq!(value["message"], "limit reached");
        assert_eq!(value["user"], 5);
        assert_eq!(value["token"], "[redacted]");
        assert!(value["timestamp"].is_string());
    }

    #[test]
    fn filter_parses_env_and_levels() {
        assert!(filter(Some("arcana=debug,warn"), "info").is_ok());
        assert!(filter(None, "debug").is_ok());
        assert!(filter(None, "loud").is_err());
    }
}
