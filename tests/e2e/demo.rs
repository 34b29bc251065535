//! `arcana demo`: a person chats with the real bot in the terminal — typed lines in, replies out,
//! buttons pressed by number — in a temporary directory that is gone when they quit; `--web`
//! serves the Mini App on 127.0.0.1, signed in as them in an ordinary browser.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{REPLY_TIMEOUT, assert_no_panic};
use crate::support::bot_process::command;
use crate::web_client::{get, post};

/// What a stream has printed so far.
#[derive(Default)]
struct Printed {
    text: Mutex<String>,
    grew: Condvar,
}

/// `arcana demo` running with its stdin and stdout in the test's hands.
struct Demo {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Printed>,
    stderr: Arc<Printed>,
    /// Where the stdout read so far ends: each expectation looks past the previous one.
    seen: usize,
    /// `TMPDIR` of the demo: what it leaves behind would be here.
    tmp: tempfile::TempDir,
}

impl Demo {
    /// Starts `arcana demo ARGS` in a terminal whose language is `lang`.
    fn start(args: &[&str], lang: &str) -> Demo {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut child = command()
            .arg("demo")
            .args(args)
            .env("TMPDIR", tmp.path())
            .env("LANG", lang)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn arcana demo");
        let stdout = drain(child.stdout.take().expect("stdout"));
        let stderr = drain(child.stderr.take().expect("stderr"));
        Demo { stdin: child.stdin.take(), child, stdout, stderr, seen: 0, tmp }
    }

    /// Types a line.
    fn say(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").and_then(|()| stdin.flush()).expect("type a line");
    }

    /// Waits until stdout shows `needle` after what was seen before; returns the text from the
    /// previous expectation up to and including this one.
    fn expect(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + REPLY_TIMEOUT;
        let mut text = self.stdout.text.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(at) = text.get(self.seen..).and_then(|rest| rest.find(needle)) {
                let end = self.seen + at + needle.len();
                let shown = text[self.seen..end].to_owned();
                self.seen = end;
                return shown;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "the demo did not show {needle:?} within {REPLY_TIMEOUT:?}; stdout:\n{}\nstderr:\n{}",
                text.as_str(),
                self.stderr.text.lock().unwrap_or_else(PoisonError::into_inner).as_str()
            );
            text = self.stdout.grew.wait_timeout(text, left).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// The rest of the line on stdout after `prefix` (waiting for it).
    fn line_after(&mut self, prefix: &str) -> String {
        self.expect(prefix);
        self.expect("\n").trim().to_owned()
    }

    /// Waits for the demo to exit (after `/quit` or the end of input); its status and output.
    fn wait(mut self) -> (ExitStatus, String, String, tempfile::TempDir) {
        drop(self.stdin.take());
        let deadline = Instant::now() + REPLY_TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the demo did not exit; stdout:\n{}", self.stdout.text.lock().expect("out"));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        // The readers reach the end of the streams once the process is gone.
        std::thread::sleep(Duration::from_millis(200));
        let out = self.stdout.text.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let err = self.stderr.text.lock().unwrap_or_else(PoisonError::into_inner).clone();
        (status, out, err, self.tmp)
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> Arc<Printed> {
    let printed = Arc::new(Printed::default());
    let sink = Arc::clone(&printed);
    std::thread::spawn(move || {
        let mut chunk = [0_u8; 8192];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            sink.text.lock().unwrap_or_else(PoisonError::into_inner).push_str(&String::from_utf8_lossy(&chunk[..n]));
            sink.grew.notify_all();
        }
    });
    printed
}

/// Asserts the demo ended well: exit 0, no panic, and nothing left in its `TMPDIR` (the data
/// directory it named existed while it ran, so this is not vacuous).
fn assert_clean_exit(status: ExitStatus, stdout: &str, stderr: &str, tmp: &tempfile::TempDir, data: &Path) {
    assert_eq!(status.code(), Some(0), "exit 0; stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_no_panic("stderr", stderr);
    assert!(!data.exists(), "{} is removed", data.display());
    let left: Vec<_> = std::fs::read_dir(tmp.path()).expect("tmp").collect();
    assert!(left.is_empty(), "the demo left {left:?} behind");
    assert!(stdout.contains(&format!("{} removed", data.display())), "it says so:\n{stdout}");
}

/// The demo's data directory, from its greeting (checked to exist and lie in its `TMPDIR`).
fn data_dir(demo: &mut Demo) -> PathBuf {
    let line = demo.line_after("Its data: ");
    let path = PathBuf::from(line.split(" (").next().expect("a path"));
    assert!(path.starts_with(demo.tmp.path()) && path.join("db").is_dir(), "{}", path.display());
    path
}

#[test]
fn a_person_chats_with_the_real_bot_in_the_terminal() {
    let mut demo = Demo::start(&[], "en_GB.UTF-8");
    let data = data_dir(&mut demo);

    // The privacy notice first, its button numbered; typing the number presses it.
    demo.say("/start");
    demo.expect("Privacy");
    demo.expect("[1] I agree");
    demo.say("1");
    demo.expect("(you pressed “I agree”)");
    demo.expect("Welcome to arcana");

    // A reading, as plain text.
    demo.say("/draw three Where next?");
    let reading = demo.expect("readings left today");
    for part in ["Three cards", "❓ Where next?", "1. Past: ", "2. Present: ", "3. Future: "] {
        assert!(reading.contains(part), "{part:?} in the reading:\n{reading}");
    }
    assert!(!reading.contains("<b>") && !reading.contains("&amp;"), "HTML is made plain:\n{reading}");

    // A button under the history opens the reading: the message is edited in place.
    demo.say("/history");
    demo.expect("[1] 🔎 1");
    demo.say("1");
    let opened = demo.expect("arcana (edited):");
    assert!(opened.contains("(you pressed “🔎 1”)"), "{opened}");
    let opened = demo.expect("[1] ‹ ");
    assert!(opened.contains("❓ Where next?") && opened.contains("1. Past: "), "the reading again:\n{opened}");
    demo.say("7");
    demo.expect("(there is no button [7] on the last keyboard)");

    demo.say("/quit");
    let (status, stdout, stderr, tmp) = demo.wait();
    assert_clean_exit(status, &stdout, &stderr, &tmp, &data);
}

#[test]
fn the_bot_speaks_the_terminals_language_and_ctrl_d_ends_the_demo() {
    let mut demo = Demo::start(&[], "ru_RU.UTF-8");
    let data = data_dir(&mut demo);
    demo.say("/start");
    demo.expect("Конфиденциальность");
    demo.expect("[1] Принимаю");
    demo.say("1");
    demo.expect("Добро пожаловать в arcana");
    // Ctrl-D: the end of input.
    let (status, stdout, stderr, tmp) = demo.wait();
    assert_clean_exit(status, &stdout, &stderr, &tmp, &data);
}

/// Opens `url` in headless Chromium (an ordinary browser: no Telegram client around the page) and
/// returns the DOM once the page has settled.
fn browse(url: &str) -> String {
    let chromium = std::env::var("ARCANA_CHROMIUM").unwrap_or_else(|_| String::from("chromium"));
    let profile = tempfile::tempdir().expect("profile dir");
    let output = std::process::Command::new(&chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--window-size=390,1400", "--virtual-time-budget=15000"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap_or_else(|e| panic!("the browser test needs Chromium ({chromium}: {e}); or set ARCANA_CHROMIUM"));
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn with_web_the_mini_app_opens_in_a_browser_signed_in_as_the_demo_user() {
    let mut demo = Demo::start(&["--web"], "en_US.UTF-8");
    let data = data_dir(&mut demo);
    demo.expect("valid for an hour):\n");
    let url = demo.expect("\n").trim().to_owned();
    let addr = url.strip_prefix("http://").and_then(|rest| rest.split_once("/app#")).map(|(addr, _)| addr.to_owned());
    let addr = addr.unwrap_or_else(|| panic!("a local Mini App address: {url}"));
    assert!(addr.starts_with("127.0.0.1:"), "served on 127.0.0.1 only: {url}");

    demo.say("/start");
    demo.expect("[1] I agree");
    demo.say("1");
    demo.expect("Welcome to arcana");
    demo.say("/draw three Where next?");
    demo.expect("readings left today");

    // Over HTTP: the page is the Mini App, marked as the demo's.
    let page = get(&addr, "/app", None);
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("name=\"arcana-launch\" content=\"demo\""), "{}", page.body);

    // In a browser: the page signs in with the printed address and shows the reading drawn in the
    // terminal, under the demo user's name.
    let dom = browse(&url);
    let who = dom.find("id=\"who-name\"").map(|at| &dom[at..(at + 80).min(dom.len())]).unwrap_or_default();
    assert!(who.contains(">Guest<"), "signed in as the demo user: {who}\n{dom}");
    assert!(dom.contains("Where next?") && dom.contains("data-card="), "the reading from the chat:\n{dom}");

    // The printed sign-in was used once; replayed, it opens nothing.
    let init = url::form_urlencoded::parse(url.split_once('#').map(|(_, f)| f).unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "tgWebAppData")
        .map(|(_, value)| value.into_owned())
        .expect("tgWebAppData");
    let replay = post(
        &addr,
        "/api/v1/session",
        None,
        &json!({ "init_data": init, "launch": { "platform": "demo", "via": "demo" } }),
    );
    assert_eq!(replay.status, 401, "{replay:?}");

    demo.say("/quit");
    let (status, stdout, stderr, tmp) = demo.wait();
    assert_clean_exit(status, &stdout, &stderr, &tmp, &data);
}
