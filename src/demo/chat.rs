//! The conversation in the terminal: each line the person types becomes a message update from
//! them (a `/command` marked as Telegram marks it); a number presses that button of the latest
//! keyboard (a callback query carrying the button's data, on the message that holds it); `/quit`
//! or the end of input ends it. Whatever the bot sends is printed as it arrives — text plain,
//! buttons numbered, pictures and files saved under the demo's directory and named.

use std::{
    collections::HashMap,
    fmt::Write as _,
    io::{self, Write},
    path::{Path, PathBuf},
};

use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{
    render::{self, Action, Button},
    standin::{Outgoing, StandIn},
};

/// The person at the terminal, as Telegram would describe them to the bot.
#[derive(Debug, Clone)]
pub struct Person {
    /// Their user id (also their private chat's).
    pub id: i64,
    /// Their first name.
    pub first_name: String,
    /// Their client's language (`en`, `ru`, `es`, …).
    pub language_code: String,
}

impl Person {
    /// As a Telegram `User`.
    #[must_use]
    pub fn user(&self) -> Value {
        json!({ "id": self.id, "is_bot": false, "first_name": self.first_name, "language_code": self.language_code })
    }

    fn chat(&self) -> Value {
        json!({ "id": self.id, "type": "private", "first_name": self.first_name })
    }
}

/// A button on screen: what it says and does, and the message holding it.
struct Shown {
    button: Button,
    message_id: i64,
}

/// The conversation's state.
struct Chat<'a, W: Write> {
    standin: &'a StandIn,
    person: &'a Person,
    files: PathBuf,
    out: W,
    /// The latest keyboard's buttons, numbered from 1.
    keyboard: Vec<Shown>,
    /// The bot's messages as they are now (after edits), by id: a press carries its message.
    messages: HashMap<i64, Value>,
    presses: u64,
}

/// Runs the conversation until `/quit`, the end of `lines`, or `stop`. Pictures and files the bot
/// sends are saved in `files` (created when the first arrives).
pub async fn converse<W: Write>(
    standin: &StandIn,
    person: &Person,
    files: &Path,
    mut lines: mpsc::Receiver<String>,
    mut sent: mpsc::UnboundedReceiver<Outgoing>,
    out: W,
    stop: &CancellationToken,
) -> io::Result<()> {
    let mut chat = Chat {
        standin,
        person,
        files: files.to_path_buf(),
        out,
        keyboard: Vec::new(),
        messages: HashMap::new(),
        presses: 0,
    };
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => return Ok(()),
            Some(outgoing) = sent.recv() => chat.show(&outgoing)?,
            line = lines.recv() => match line {
                Some(line) if !chat.said(&line)? => return Ok(()),
                Some(_) => {}
                None => return Ok(()),
            },
        }
    }
}

impl<W: Write> Chat<'_, W> {
    /// Handles a typed line; `false` when it ends the conversation.
    fn said(&mut self, line: &str) -> io::Result<bool> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(true);
        }
        if matches!(line, "/quit" | "/exit") {
            return Ok(false);
        }
        if let Ok(number) = line.parse::<usize>() {
            self.press(number)?;
            return Ok(true);
        }
        let mut message = json!({
            "message_id": self.standin.next_message_id(),
            "from": self.person.user(),
            "chat": self.person.chat(),
            "date": now_s(),
            "text": line,
        });
        if line.starts_with('/') {
            let command = line.split_whitespace().next().unwrap_or(line);
            message["entities"] =
                json!([{ "type": "bot_command", "offset": 0, "length": command.encode_utf16().count() }]);
        }
        self.standin.push_update(json!({ "message": message }));
        Ok(true)
    }

    fn press(&mut self, number: usize) -> io::Result<()> {
        let Some(shown) = number.checked_sub(1).and_then(|i| self.keyboard.get(i)) else {
            return writeln!(self.out, "(there is no button [{number}] on the last keyboard)");
        };
        match &shown.button.action {
            Action::Callback(data) => {
                self.presses += 1;
                let message = self.messages.get(&shown.message_id).cloned().unwrap_or_else(|| {
                    json!({
                        "message_id": shown.message_id, "chat": self.person.chat(), "date": now_s(),
                    })
                });
                let query = json!({ "callback_query": {
                    "id": format!("demo{}", self.presses),
                    "from": self.person.user(),
                    "message": message,
                    "chat_instance": "arcana-demo",
                    "data": data,
                }});
                let text = shown.button.text.clone();
                self.standin.push_update(query);
                writeln!(self.out, "(you pressed “{text}”)")
            }
            Action::Open(url) => writeln!(self.out, "(this button opens {url})"),
            Action::TelegramOnly => writeln!(self.out, "(this button works only in a Telegram app)"),
        }
    }

    /// Prints what the bot sent.
    fn show(&mut self, outgoing: &Outgoing) -> io::Result<()> {
        let params = &outgoing.params;
        let text_of = |key: &str| params.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
        let html = text_of("parse_mode").eq_ignore_ascii_case("html");
        match outgoing.method.as_str() {
            "sendMessage" | "editMessageText" | "sendPhoto" | "sendDocument" | "sendInvoice" => {
                let edited = outgoing.method.starts_with("edit");
                let message_id = outgoing.message.as_ref().and_then(|m| m.get("message_id")).and_then(Value::as_i64);
                if let (Some(id), Some(message)) = (message_id, &outgoing.message) {
                    self.messages.insert(id, message.clone());
                }
                writeln!(self.out)?;
                writeln!(self.out, "{}", if edited { "arcana (edited):" } else { "arcana:" })?;
                if let Some(upload) = &outgoing.upload {
                    let kind = if outgoing.method == "sendPhoto" { "picture" } else { "file" };
                    let saved = self.save(message_id.unwrap_or(0), &upload.name, &upload.bytes);
                    let size = render::size(upload.bytes.len());
                    match saved {
                        Ok(path) => {
                            writeln!(self.out, "  ({kind}: {}, {size}, saved to {})", upload.name, path.display())?;
                        }
                        Err(e) => writeln!(self.out, "  ({kind}: {}, {size}; not saved: {e})", upload.name)?,
                    }
                }
                let body = [text_of("text"), text_of("caption"), text_of("title"), text_of("description")].join("\n");
                for line in render::plain(body.trim(), html).lines() {
                    if line.trim().is_empty() {
                        writeln!(self.out)?;
                    } else {
                        writeln!(self.out, "  {line}")?;
                    }
                }
                let rows = render::keyboard(params.get("reply_markup"));
                if rows.is_empty() {
                    if edited && self.keyboard.first().map(|s| s.message_id) == message_id {
                        self.keyboard.clear();
                    }
                } else {
                    self.set_keyboard(rows, message_id.unwrap_or(0))?;
                }
                self.out.flush()
            }
            "answerCallbackQuery" => {
                let text = text_of("text");
                if !text.is_empty() {
                    let alert = params.get("show_alert").is_some_and(|v| v == &json!(true) || v == "true");
                    writeln!(self.out, "({}{text})", if alert { "alert: " } else { "" })?;
                }
                self.out.flush()
            }
            "deleteMessage" => {
                writeln!(self.out, "(arcana deleted one of its messages)")?;
                self.out.flush()
            }
            _ => Ok(()),
        }
    }

    fn set_keyboard(&mut self, rows: Vec<Vec<Button>>, message_id: i64) -> io::Result<()> {
        self.keyboard.clear();
        for row in rows {
            let mut line = String::from(" ");
            for button in row {
                self.keyboard.push(Shown { button, message_id });
                let number = self.keyboard.len();
                let _ = write!(line, " [{number}] {}", self.keyboard[number - 1].button.text);
            }
            writeln!(self.out, "{line}")?;
        }
        Ok(())
    }

    /// Saves an upload as `files/<message id>-<name>` (the name reduced to safe characters).
    fn save(&self, message_id: i64, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&self.files)?;
        let safe: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
            .take(64)
            .collect();
        let safe = safe.trim_start_matches('.');
        let path = self.files.join(format!("{message_id}-{}", if safe.is_empty() { "file" } else { safe }));
        std::fs::write(&path, bytes)?;
        Ok(path)
    }
}

fn now_s() -> u64 {
    crate::clock::unix_ms(std::time::SystemTime::now()) / 1000
}
