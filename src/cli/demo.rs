//! `arcana demo`: the real bot in a throw-away data directory, against the in-process
//! [stand-in](crate::demo::standin) of the Bot API on 127.0.0.1, with the person at the terminal
//! as its one user (their language from `LC_ALL`/`LC_MESSAGES`/`LANG`). `--web` also serves the
//! Mini App on 127.0.0.1 and prints an address signed for that user.
//!
//! The demo user is an ordinary user, not an admin: the demo shows what a user of the bot meets
//! (the admin commands are for `arcana run` with `admins` in the config). The directory is
//! removed on every way out — `/quit`, Ctrl-D, Ctrl-C, SIGTERM, an error.

use std::{
    io::{BufRead, Write},
    net::{Ipv4Addr, SocketAddr},
    os::unix::fs::DirBuilderExt,
    path::{Path, PathBuf},
    sync::Arc,
};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::{
    Error,
    bot::{self, RunContext},
    config::Config,
    demo::{self, chat::Person, standin::StandIn},
    layout::DataDir,
    logging,
    secret::BotToken,
    shutdown,
    supervisor::Notifier,
};

use super::{
    DemoArgs, Env,
    settings::{Opened, open_all},
};

/// The demo user's id (the one private chat's too).
const PERSON_ID: i64 = 100_000_001;

/// A directory removed with everything in it when dropped.
struct Scratch(PathBuf);

impl Scratch {
    /// A new private directory `arcana-demo-<pid>-<random>` under the system's temporary one.
    fn create() -> Result<Scratch, Error> {
        let mut random = [0u8; 6];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random)
            .map_err(|_| Error::Runtime("demo: no randomness for the directory's name".into()))?;
        let name = format!("arcana-demo-{}-{}", std::process::id(), crate::sanitize::hex_id(&random));
        let path = std::env::temp_dir().join(name);
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .map_err(|e| Error::Runtime(format!("demo: cannot create {}: {e}", path.display())))?;
        Ok(Scratch(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the demo until `/quit`, the end of input, or a signal.
pub fn demo(args: &DemoArgs, env: &Env) -> Result<(), Error> {
    let scratch = Scratch::create()?;
    let outcome = run_in(&scratch.0, args, env);
    let root = scratch.0.clone();
    drop(scratch);
    let mut out = std::io::stdout();
    let _ = writeln!(out, "\narcana demo: stopped; {} removed.", root.display());
    outcome
}

fn run_in(root: &Path, args: &DemoArgs, env: &Env) -> Result<(), Error> {
    // The demo's own directory and key, whatever ARCANA_DIR, BOT_TOKEN or ARCANA_PASSPHRASE say.
    let own = Env { log: env.log.clone(), ..Env::default() };
    let dir = DataDir::new(root);
    dir.ensure_with(true)?;
    let mut config = Config::load(&dir.config_path())?;
    let filter = logging::filter(env.log.as_deref(), "warn").map_err(|e| crate::config::ConfigError::Env {
        variable: "ARCANA_LOG",
        message: crate::config::one_line(&e.to_string()),
    })?;
    logging::init(filter, vec![demo::TOKEN.to_owned()], logging::Style::default());
    let token = BotToken::parse(demo::TOKEN, "the demo token")?;
    let person =
        Person { id: PERSON_ID, first_name: "Guest".to_owned(), language_code: language(env.locale.as_deref()) };

    let api = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(io("bind 127.0.0.1"))?;
    api.set_nonblocking(true).map_err(io("bind 127.0.0.1"))?;
    config.override_api_url(&format!("http://{}", api.local_addr().map_err(io("bind 127.0.0.1"))?))?;
    if args.web {
        // A free port for the web side, which binds it itself when the bot starts.
        let free = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(io("bind 127.0.0.1"))?;
        config.http.listen = Some(free.local_addr().map_err(io("bind 127.0.0.1"))?);
        config.http.demo = true;
    }
    let web = config.http.listen;
    let Opened { data: store, vault } = open_all(&dir, &own, &config)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("arcana")
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))?;
    let outcome = runtime.block_on(async move {
        let stop = CancellationToken::new();
        shutdown::cancel_on_signals(stop.clone()).map_err(|e| Error::Runtime(e.to_string()))?;
        let stand_in_stop = CancellationToken::new();
        let (stand_in, sent) = StandIn::new(demo::TOKEN, demo::BOT_USERNAME, stand_in_stop.clone());
        let stand_in = Arc::new(stand_in);
        let listener = tokio::net::TcpListener::from_std(api).map_err(io("listen on 127.0.0.1"))?;
        let serving = tokio::spawn({
            let stand_in = Arc::clone(&stand_in);
            async move { stand_in.serve(listener).await }
        });
        let context = RunContext { config, token, store, vault, dir: dir.clone(), notifier: Notifier::default() };
        // On a worker thread, as `arcana run` does (see there).
        let bot = tokio::spawn(bot::run(context, stop.clone()));

        greet(root, web, &person).map_err(io("write to the terminal"))?;
        let files = root.join("files");
        let talked =
            demo::chat::converse(&stand_in, &person, &files, read_lines(), sent, std::io::stdout(), &stop).await;
        stop.cancel();
        let stopped = bot.await.map_err(|e| Error::Runtime(format!("the bot task failed: {e}")))?;
        stand_in_stop.cancel();
        let _ = serving.await;
        talked.map_err(io("write to the terminal"))?;
        stopped.map_err(Error::from)
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    outcome
}

/// What the person sees first: what this is, where its data is, how to talk, and the Mini App's
/// address with `--web`.
fn greet(root: &Path, web: Option<SocketAddr>, person: &Person) -> std::io::Result<()> {
    let mut out = std::io::stdout();
    writeln!(out, "arcana demo: the real bot, on this machine only, with you as its one user.")?;
    writeln!(out, "Its data: {} (removed when you quit).", root.display())?;
    writeln!(out, "Type as you would in Telegram: /start, /help, /draw three Where next?")?;
    writeln!(out, "A number presses that button of the last message; /quit or Ctrl-D ends.")?;
    if let Some(addr) = web {
        let now_s = crate::clock::unix_ms(std::time::SystemTime::now()) / 1000;
        writeln!(out, "Mini App, once you have accepted the privacy notice (open in a browser; valid for an hour):")?;
        writeln!(out, "{}", demo::app_url(&format!("http://{addr}"), person, now_s))?;
    }
    out.flush()
}

/// The terminal's lines, read on a thread of their own (reading stdin blocks); the channel
/// closes at the end of input.
fn read_lines() -> mpsc::Receiver<String> {
    let (lines, received) = mpsc::channel(16);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if lines.blocking_send(line).is_err() {
                break;
            }
        }
    });
    received
}

/// The language code of a locale name (`ru_RU.UTF-8` → `ru`); English for none, `C` or `POSIX`.
fn language(locale: Option<&str>) -> String {
    let code: String = locale
        .unwrap_or_default()
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if (2..=3).contains(&code.len()) && code != "c" { code } else { "en".to_owned() }
}

fn io(what: &'static str) -> impl Fn(std::io::Error) -> Error {
    move |e| Error::Runtime(format!("demo: {what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terminal_language_becomes_the_users() {
        assert_eq!(language(Some("ru_RU.UTF-8")), "ru");
        assert_eq!(language(Some("es_ES")), "es");
        assert_eq!(language(Some("de")), "de");
        assert_eq!(language(Some("C.UTF-8")), "en");
        assert_eq!(language(Some("POSIX")), "en");
        assert_eq!(language(None), "en");
    }
}
