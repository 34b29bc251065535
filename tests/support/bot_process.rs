//! The real `arcana` binary as a child process: started with a data dir and a fake API URL,
//! its stdout/stderr drained into buffers tests can read (or wait on), stopped with SIGTERM or
//! SIGKILL. Also [`run_cli`] for one-shot commands (`init`, `doctor`, config errors).
//!
//! The child never inherits `BOT_TOKEN` or any `ARCANA_*` variable from the test environment.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The bot token the tests use (its id part matches the fake server's default bot id).
pub const TEST_TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

/// How long a stopped bot may take to exit after SIGTERM.
const TERM_GRACE: Duration = Duration::from_secs(20);
/// How long a one-shot command may run.
const CLI_TIMEOUT: Duration = Duration::from_mins(1);

/// Output of a child stream, growing as the child writes.
#[derive(Default)]
struct Captured {
    bytes: Mutex<Vec<u8>>,
    grew: Condvar,
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes_now()).into_owned()
    }

    fn bytes_now(&self) -> Vec<u8> {
        self.bytes.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// Options for starting the bot; see [`BotProcess::builder`].
pub struct BotBuilder {
    dir: PathBuf,
    api_url: String,
    token: Option<String>,
    env: Vec<(String, String)>,
    args: Vec<String>,
}

impl BotBuilder {
    /// Starts without `BOT_TOKEN` in the environment.
    #[must_use]
    pub fn without_token(mut self) -> Self {
        self.token = None;
        self
    }

    /// Uses another `BOT_TOKEN`.
    #[must_use]
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// Sets an environment variable (overrides the defaults, e.g. `ARCANA_LOG`).
    #[must_use]
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Appends an argument after `run --dir DIR`.
    #[must_use]
    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_owned());
        self
    }

    /// Spawns `arcana run --dir DIR [args]`.
    pub fn spawn(self) -> BotProcess {
        let mut command = base_command();
        command
            .arg("run")
            .arg("--dir")
            .arg(&self.dir)
            .args(&self.args)
            .env("ARCANA_TELEGRAM_API_URL", &self.api_url)
            .env("ARCANA_LOG", "debug");
        if let Some(token) = &self.token {
            command.env("BOT_TOKEN", token);
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        let (child, stdout, stderr, readers) = spawn_captured(&mut command);
        BotProcess { child: Some(child), stdout, stderr, readers, dir: self.dir }
    }
}

/// A running `arcana run`. Dropping it kills the child if it is still running.
pub struct BotProcess {
    child: Option<Child>,
    stdout: Arc<Captured>,
    stderr: Arc<Captured>,
    readers: Vec<JoinHandle<()>>,
    dir: PathBuf,
}

impl BotProcess {
    /// The running bot's `arcana status` figures, read over its control socket: name → value.
    /// `None` while the socket does not answer (starting, stopped).
    pub fn status(&self) -> Option<std::collections::HashMap<String, u64>> {
        use std::io::{BufRead, BufReader, Write};
        let mut stream = std::os::unix::net::UnixStream::connect(self.dir.join("control.sock")).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        stream.write_all(b"{\"op\":\"status\"}\n").ok()?;
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).ok()?;
        let response: serde_json::Value = serde_json::from_str(&line).ok()?;
        let lines = response.get("lines")?.as_array()?;
        Some(
            lines
                .iter()
                .filter_map(|l| l.as_str()?.split_once('\t'))
                .filter_map(|(k, v)| Some((k.to_owned(), v.parse().ok()?)))
                .collect(),
        )
    }

    /// Waits until the bot has nothing in hand: its inbox, send queue and pending notices are
    /// empty (everything admitted so far is handled and every reply sent). False on timeout.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let idle = self
                .status()
                .is_some_and(|s| ["inbox", "send_queue", "notices_pending"].iter().all(|k| s.get(*k) == Some(&0)));
            if idle {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// `arcana run --dir DIR` with `BOT_TOKEN=TEST_TOKEN`, `ARCANA_TELEGRAM_API_URL=api_url`
    /// and `ARCANA_LOG=debug`.
    pub fn start(dir: &Path, api_url: &str) -> Self {
        Self::builder(dir, api_url).spawn()
    }

    /// The same defaults as [`BotProcess::start`], adjustable before [`BotBuilder::spawn`].
    pub fn builder(dir: &Path, api_url: &str) -> BotBuilder {
        BotBuilder {
            dir: dir.to_owned(),
            api_url: api_url.to_owned(),
            token: Some(TEST_TOKEN.to_owned()),
            env: Vec::new(),
            args: Vec::new(),
        }
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Whether the child has not exited yet.
    pub fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Everything the child wrote to stderr so far.
    pub fn stderr_text(&self) -> String {
        self.stderr.text()
    }

    /// Everything the child wrote to stdout so far.
    pub fn stdout_text(&self) -> String {
        self.stdout.text()
    }

    /// Blocks until stderr contains `needle`; returns stderr. Panics after `timeout`.
    pub fn wait_for_stderr(&self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut bytes = self.stderr.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if text.contains(needle) {
                return text;
            }
            let now = Instant::now();
            assert!(now < deadline, "timed out after {timeout:?} waiting for {needle:?} on stderr:\n{text}");
            bytes = self.stderr.grew.wait_timeout(bytes, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// Sends SIGTERM and waits (up to 20 s) for the exit; returns the status and all stderr.
    /// Panics, after a SIGKILL, if the child does not exit in time.
    pub fn terminate(self) -> (ExitStatus, String) {
        let output = self.terminate_output();
        (output.status, String::from_utf8_lossy(&output.stderr).into_owned())
    }

    /// [`BotProcess::terminate`], returning stdout as well.
    pub fn terminate_output(mut self) -> Output {
        let child = self.child.take().expect("child present until terminate/kill9");
        let pid = child.id().to_string();
        let waited = wait_in_background(child);
        // If the child already exited, `kill` fails harmlessly; the wait below reports it.
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        if let Ok(status) = waited.recv_timeout(TERM_GRACE) {
            return self.finish_output(status);
        }
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
        let status = waited.recv().ok();
        self.join_readers();
        panic!(
            "arcana did not exit within {TERM_GRACE:?} of SIGTERM (killed: {status:?}); stderr:\n{}",
            self.stderr_text()
        );
    }

    /// Sends SIGKILL and waits for the exit; returns the status and all stderr.
    pub fn kill9(mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("child present until terminate/kill9");
        let _ = child.kill();
        let status = child.wait().expect("wait for killed arcana");
        let output = self.finish_output(status);
        (output.status, String::from_utf8_lossy(&output.stderr).into_owned())
    }

    /// Joins the reader threads (the pipes close when the child exits) and collects the output.
    fn finish_output(&mut self, status: ExitStatus) -> Output {
        self.join_readers();
        Output { status, stdout: self.stdout.bytes_now(), stderr: self.stderr.bytes_now() }
    }

    fn join_readers(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs `arcana ARGS` to completion (at most 60 s) with only the given extra environment
/// (never the test's `BOT_TOKEN`/`ARCANA_*`).
pub fn run_cli(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = base_command();
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let (child, stdout, stderr, readers) = spawn_captured(&mut command);
    let pid = child.id().to_string();
    let waited = wait_in_background(child);
    let status = waited.recv_timeout(CLI_TIMEOUT).ok();
    if status.is_none() {
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
        let _ = waited.recv();
    }
    for reader in readers {
        let _ = reader.join();
    }
    let Some(status) = status else {
        panic!("`arcana {}` did not finish within {CLI_TIMEOUT:?}; stderr:\n{}", args.join(" "), stderr.text());
    };
    Output { status, stdout: stdout.bytes_now(), stderr: stderr.bytes_now() }
}

/// The binary under test as a [`Command`] (through `ARCANA_RUNNER`, environment scrubbed, output
/// piped), for tests that need to set up its streams themselves.
pub fn command() -> Command {
    base_command()
}

/// The binary with a scrubbed environment: no `BOT_TOKEN`, no `ARCANA_*`, no systemd variables.
/// The binary under test: `ARCANA_BIN` if set (e.g. a cross-built one), else the one cargo
/// built; run through `ARCANA_RUNNER` if set (e.g. `qemu-aarch64`, or `valgrind --tool=massif`).
fn base_command() -> Command {
    let bin = std::env::var_os("ARCANA_BIN").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_arcana")), PathBuf::from);
    let runner = std::env::var("ARCANA_RUNNER").unwrap_or_default();
    let mut runner = runner.split_whitespace();
    let mut command = match runner.next() {
        Some(program) => {
            let mut command = Command::new(program);
            command.args(runner).arg(&bin);
            command
        }
        None => Command::new(&bin),
    };
    command.env_remove("BOT_TOKEN");
    // systemd's variables: a test run under a service manager must not reach it.
    for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "CREDENTIALS_DIRECTORY"] {
        command.env_remove(key);
    }
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("ARCANA_") {
            command.env_remove(key);
        }
    }
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

fn spawn_captured(command: &mut Command) -> (Child, Arc<Captured>, Arc<Captured>, Vec<JoinHandle<()>>) {
    let mut child = command.spawn().expect("spawn the arcana binary");
    let stdout = Arc::new(Captured::default());
    let stderr = Arc::new(Captured::default());
    let readers = vec![
        drain(child.stdout.take().expect("piped stdout"), Arc::clone(&stdout)),
        drain(child.stderr.take().expect("piped stderr"), Arc::clone(&stderr)),
    ];
    (child, stdout, stderr, readers)
}

fn drain(mut pipe: impl Read + Send + 'static, sink: Arc<Captured>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut chunk = [0_u8; 8192];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            sink.bytes.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(&chunk[..n]);
            sink.grew.notify_all();
        }
    })
}

/// Waits for the child on a thread, so callers can wait with a timeout without polling.
fn wait_in_background(mut child: Child) -> mpsc::Receiver<ExitStatus> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        if let Ok(status) = child.wait() {
            let _ = tx.send(status);
        }
    });
    rx
}
