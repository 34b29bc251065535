//! Web API latency through the release binary: 100 concurrent clients (one signed-in user each,
//! one keep-alive connection each, the way a Mini App talks) first draw readings, then page
//! through their history. Prints p50 / p99 / max of each request as the client measures it, and
//! the throughput.
//!
//! `cargo bench --bench web` (`WEB_CLIENTS`, `WEB_DRAWS`, `WEB_PAGES` change the load).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ring::hmac;
use serde_json::{Value, json};

#[path = "../tests/support/mod.rs"]
mod support;

use support::bot_process::{BotProcess, TEST_TOKEN};
use support::fake_telegram::FakeTelegram;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default).max(1)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("web bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let (clients, draws, pages) = (env_or("WEB_CLIENTS", 100), env_or("WEB_DRAWS", 10), env_or("WEB_PAGES", 50));
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let dir = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("arcana.toml"), config(port)).map_err(|e| e.to_string())?;
    let tg = FakeTelegram::start();
    let bot = BotProcess::builder(dir.path(), &tg.url()).env("ARCANA_LOG", "warn").spawn();
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_mins(1);
    while TcpStream::connect(&addr).is_err() {
        if Instant::now() > deadline {
            return Err(format!("the web side never listened; stderr:\n{}", bot.stderr_text()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs();
    let mut tokens = Vec::new();
    for client in 0..clients {
        let user = 700_000 + i64::try_from(client).unwrap_or(0);
        let mut conn = Conn::open(&addr)?;
        let (status, body) = conn.send(
            "POST",
            "/api/v1/session",
            None,
            &json!({ "init_data": init_data(user, now), "launch": { "platform": "android", "via": "webview" } }),
        )?;
        if status != 200 {
            return Err(format!("session for {user}: {status} {body}"));
        }
        let token: Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
        tokens.push(token["token"].as_str().unwrap_or_default().to_owned());
    }
    let started = Instant::now();
    let draw_times = phase(&addr, &tokens, draws, |conn, token| {
        conn.send("POST", "/api/v1/draw", Some(token), &json!({ "spread": "three", "question": "How is the week?" }))
    })?;
    let draw_wall = started.elapsed();
    let started = Instant::now();
    let page_times = phase(&addr, &tokens, pages, |conn, token| {
        conn.send("GET", "/api/v1/readings?page=0", Some(token), &Value::Null)
    })?;
    let page_wall = started.elapsed();
    println!("web API through the release binary, {clients} concurrent clients on keep-alive connections:");
    report("draw (POST /api/v1/draw, three cards)", &mut draw_times.clone(), draw_wall);
    report("history page (GET /api/v1/readings, 5 readings)", &mut page_times.clone(), page_wall);
    drop(bot);
    Ok(())
}

type Request = fn(&mut Conn, &str) -> Result<(u16, String), String>;

/// Each client sends `count` requests one after another; all clients at once.
fn phase(addr: &str, tokens: &[String], count: usize, request: Request) -> Result<Vec<Duration>, String> {
    let handles: Vec<_> = tokens
        .iter()
        .cloned()
        .map(|token| {
            let addr = addr.to_owned();
            std::thread::spawn(move || -> Result<Vec<Duration>, String> {
                let mut conn = Conn::open(&addr)?;
                let mut times = Vec::with_capacity(count);
                for _ in 0..count {
                    let sent = Instant::now();
                    let (status, body) = request(&mut conn, &token)?;
                    times.push(sent.elapsed());
                    if status != 200 {
                        return Err(format!("status {status}: {body}"));
                    }
                }
                Ok(times)
            })
        })
        .collect();
    let mut all = Vec::new();
    for handle in handles {
        all.extend(handle.join().map_err(|_| String::from("a client panicked"))??);
    }
    Ok(all)
}

fn report(what: &str, times: &mut [Duration], wall: Duration) {
    times.sort_unstable();
    // Nearest-rank percentile: the `percent`-th of 100 equal slices.
    let at = |percent: usize| times[((times.len() - 1) * percent / 100).min(times.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  {what}: {} requests, p50 {:.1} ms / p99 {:.1} ms / max {:.1} ms; {:.0} requests/s",
        times.len(),
        ms(at(50)),
        ms(at(99)),
        ms(at(100)),
        f64::from(u32::try_from(times.len()).unwrap_or(u32::MAX)) / wall.as_secs_f64()
    );
}

fn config(port: u16) -> String {
    format!(
        r#"[accounts]
require_registration = false
default_tier = "free"

[tiers.free]
commands = ["start", "help", "draw", "history", "credits"]
daily_readings = "unlimited"

[tiers.premium]
commands = ["start", "help", "draw", "history", "credits"]

[http]
listen = "127.0.0.1:{port}"
per_user = {{ limit = 100000, per = "1m" }}
per_address = {{ limit = 1000000, per = "1m" }}
connections_per_address = 512
"#
    )
}

/// `initData` signed as Telegram documents it.
fn init_data(user: i64, auth_date: u64) -> String {
    let user_json = json!({ "id": user, "first_name": "Bench" }).to_string();
    let date = auth_date.to_string();
    let fields = [("auth_date", date.as_str()), ("user", user_json.as_str())];
    let check: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let secret = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, b"WebAppData"), TEST_TOKEN.as_bytes());
    let hash = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret.as_ref()), check.join("\n").as_bytes());
    let hex = hash.as_ref().iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    });
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        query.append_pair(k, v);
    }
    query.append_pair("hash", &hex);
    query.finish()
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    reader: BufReader<TcpStream>,
    addr: String,
}

impl Conn {
    fn open(addr: &str) -> Result<Conn, String> {
        let stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
        stream.set_read_timeout(Some(Duration::from_mins(1))).map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        Ok(Conn { reader: BufReader::new(stream), addr: addr.to_owned() })
    }

    fn send(&mut self, method: &str, path: &str, token: Option<&str>, body: &Value) -> Result<(u16, String), String> {
        let body = if body.is_null() { String::new() } else { body.to_string() };
        let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        self.reader.get_mut().write_all(request.as_bytes()).map_err(|e| e.to_string())?;
        let mut line = String::new();
        self.reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("no status line")?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).map_err(|e| e.to_string())?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().map_err(|_| "bad content-length")?;
            }
        }
        let mut body = vec![0u8; length];
        self.reader.read_exact(&mut body).map_err(|e| e.to_string())?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}
