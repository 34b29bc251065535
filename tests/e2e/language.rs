//! The bot in the user's language: the locale taken from Telegram's `language_code` at first
//! contact (an unknown language reads English), kept in the sealed profile, changed with
//! `/language`'s buttons; readings, `/card` and its suggestions, themed spreads and draws
//! without reversed cards; the command menu published per language at start-up.

use serde_json::{Value, json};

use crate::harness::{buttons, dir_with_config, wait_polled_past};
use crate::support::bot_process::BotProcess;
use crate::support::fake_telegram::{Call, FakeTelegram};
use crate::support::updates;

/// The admin (no daily limit, every spread).
const ADMIN: i64 = 1;

fn config() -> String {
    format!("admins = [{ADMIN}]\n\n[sentinel]\ndebounce = \"0s\"\ndefault = {{ limit = 200, per = \"1m\" }}\n")
}

struct Chat {
    _dir: tempfile::TempDir,
    tg: FakeTelegram,
    bot: BotProcess,
}

impl Chat {
    fn start() -> Self {
        let dir = dir_with_config(&config());
        let tg = FakeTelegram::start();
        let bot = BotProcess::start(dir.path(), &tg.url());
        Chat { _dir: dir, tg, bot }
    }

    /// Pushes `update`, waits until the bot has finished it; returns the calls it made.
    fn push(&mut self, update: Value) -> Vec<Call> {
        let before = self.tg.calls().len();
        let id = self.tg.push_update(update);
        wait_polled_past(&self.tg, &mut self.bot, id);
        self.tg.calls().split_off(before).into_iter().filter(|c| c.method != "getUpdates").collect()
    }

    /// `user`, whose Telegram speaks `language`, sends `text` in their private chat.
    fn send(&mut self, user: i64, language: &str, text: &str) -> Vec<Call> {
        let mut update = updates::command(user, text);
        update["message"]["from"]["language_code"] = json!(language);
        self.push(update)
    }

    /// The texts sent or edited to `user` in reply to `text`.
    fn say(&mut self, user: i64, language: &str, text: &str) -> String {
        texts_to(&self.send(user, language, text), user)
    }

    /// `user` presses a button carrying `data`; returns the calls and the press's answer text.
    fn press(&mut self, user: i64, language: &str, data: &str) -> (Vec<Call>, String) {
        let mut update = updates::button_press(user, "a message", "a button", data);
        update["callback_query"]["from"]["language_code"] = json!(language);
        let calls = self.push(update);
        let answers: Vec<&Call> = calls.iter().filter(|c| c.method == "answerCallbackQuery").collect();
        assert_eq!(answers.len(), 1, "every press is answered once: {calls:#?}");
        let answer = answers[0].str("text").unwrap_or_default();
        (calls, answer)
    }

    /// `/start` and the consent button, whatever its label; returns the privacy notice and the
    /// welcome.
    fn register(&mut self, user: i64, language: &str) -> (String, String) {
        let calls = self.send(user, language, "/start");
        let notice = texts_to(&calls, user);
        let (_, data) = calls.iter().flat_map(buttons).next().unwrap_or_else(|| panic!("a consent button: {calls:#?}"));
        let (calls, _) = self.press(user, language, &data);
        (notice, texts_to(&calls, user))
    }
}

fn texts_to(calls: &[Call], chat: i64) -> String {
    calls
        .iter()
        .filter(|c| c.int("chat_id") == Some(chat))
        .filter_map(|c| c.str("text"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The buttons of the calls, as (label, data).
fn all_buttons(calls: &[Call]) -> Vec<(String, String)> {
    calls.iter().flat_map(buttons).collect()
}

fn button(calls: &[Call], label: &str) -> String {
    all_buttons(calls)
        .into_iter()
        .find(|(text, _)| text == label)
        .map_or_else(|| panic!("a button {label:?}: {calls:#?}"), |(_, data)| data)
}

#[test]
fn each_user_is_spoken_to_in_their_telegram_language_and_can_change_it() {
    let mut chat = Chat::start();

    // The menu: English for every language, then Russian and Spanish lists of their own.
    chat.tg.wait_for(crate::harness::REPLY_TIMEOUT, "three setMyCommands", |calls| {
        calls.iter().filter(|c| c.method == "setMyCommands").count() >= 3
    });
    let menus = chat.tg.calls_to("setMyCommands");
    let languages: Vec<Option<String>> = menus.iter().map(|c| c.str("language_code")).collect();
    assert_eq!(languages, [None, Some("ru".to_owned()), Some("es".to_owned())], "{menus:#?}");
    let described = |call: &Call, name: &str| -> String {
        let commands = call.json("commands").expect("commands");
        let entry = commands.as_array().expect("a list").iter().find(|c| c["command"] == name).cloned();
        entry.and_then(|c| c["description"].as_str().map(str::to_owned)).unwrap_or_default()
    };
    assert_eq!(described(&menus[0], "help"), "list the commands");
    assert_eq!(described(&menus[1], "help"), "список команд");
    assert_eq!(described(&menus[2], "language"), "idioma y cartas invertidas");

    // Russian (with a region), Spanish (Latin America), and a language the bot does not speak.
    let (notice, welcome) = chat.register(2, "ru-RU");
    assert!(notice.contains("<b>Конфиденциальность</b>") && notice.contains("Принимаю"), "{notice}");
    assert!(welcome.contains("Добро пожаловать"), "{welcome}");
    let (notice, welcome) = chat.register(3, "es-419");
    assert!(
        notice.contains("<b>Privacidad</b>") && notice.contains("30 días") && notice.contains("2 años"),
        "{notice}"
    );
    assert!(welcome.contains("Te damos la bienvenida"), "{welcome}");
    let (notice, welcome) = chat.register(4, "de");
    assert!(notice.contains("<b>Privacy</b>"), "{notice}");
    assert!(welcome.contains("Welcome to arcana"), "{welcome}");

    // Everything the Russian user reads is Russian: help, a refusal, a reading.
    let help = chat.say(2, "ru", "/help");
    assert!(help.starts_with("<b>Команды</b>"), "{help}");
    assert!(help.contains("/card НАЗВАНИЕ — всё о карте"), "{help}");
    assert!(help.contains("/language — язык бота"), "{help}");
    let refused = chat.say(2, "ru", "/draw любовь Что меня ждёт?");
    assert!(refused.contains("Любовь") && refused.contains("не входит в твой тариф"), "{refused}");
    let reading = chat.say(2, "ru", "/draw три Что мне важно понять?");
    assert!(reading.starts_with("🔮 <b>Три карты</b>"), "{reading}");
    assert!(reading.contains("<b>1. Прошлое</b>") && reading.contains("<b>Общая картина</b>"), "{reading}");
    assert!(reading.contains("осталось"), "the allowance footer: {reading}");

    // Settings: the language buttons, the current one ticked; a press switches to English at
    // once (the answer, the screen and everything after), and it is kept.
    let calls = chat.send(2, "ru", "/language");
    let screen = texts_to(&calls, 2);
    assert!(screen.contains("Твои настройки") && screen.contains("Язык: <b>Русский</b>"), "{screen}");
    let labels: Vec<String> = all_buttons(&calls).into_iter().map(|(label, _)| label).collect();
    assert_eq!(labels, ["English", "✓ Русский", "Español", "Без перевёрнутых карт"]);
    let (calls, answer) = chat.press(2, "ru", &button(&calls, "English"));
    assert_eq!(answer, "From now on, I speak English.");
    let screen = texts_to(&calls, 2);
    assert!(screen.contains("Your settings") && screen.contains("Language: <b>English</b>"), "{screen}");
    let help = chat.say(2, "ru", "/help");
    assert!(help.starts_with("<b>Commands</b>"), "Telegram is still Russian, the choice stands: {help}");
    assert!(help.contains("/card NAME — a card's full entry"), "{help}");

    // A press signed for someone else changes nothing.
    let calls = chat.send(3, "es", "/language");
    let spanish_screen = texts_to(&calls, 3);
    assert!(spanish_screen.contains("Tus ajustes") && spanish_screen.contains("Idioma: <b>Español</b>"));
    let (_, answer) = chat.press(2, "ru", &button(&calls, "Русский"));
    assert_eq!(answer, "This button is not for you.");
    assert!(chat.say(3, "es", "/help").starts_with("<b>Comandos</b>"));
}

#[test]
fn cards_are_found_in_any_language_and_readings_follow_the_readers_settings() {
    let mut chat = Chat::start();
    chat.register(ADMIN, "es");

    // A card by its name in another language, with a typo: the page is in the reader's language.
    let page = chat.say(ADMIN, "es", "/card Звзда");
    assert!(page.starts_with("🃏 <b>La Estrella</b>"), "{page}");
    let usage = chat.say(ADMIN, "es", "/card");
    assert!(usage.contains("¿Qué carta?"), "{usage}");
    let nothing = chat.say(ADMIN, "es", "/card xyzzy <b>");
    assert!(nothing.contains("Ninguna carta se llama «xyzzy &lt;b&gt;»"), "escaped: {nothing}");

    // An ambiguous name: the closest cards as buttons; one opens its page in place.
    let calls = chat.send(ADMIN, "es", "/card reina");
    assert!(texts_to(&calls, ADMIN).contains("¿Quizá buscas una de estas?"), "{calls:#?}");
    let labels: Vec<String> = all_buttons(&calls).into_iter().map(|(label, _)| label).collect();
    assert!(labels.contains(&"🃏 Reina de Copas".to_owned()), "{labels:?}");
    let (pressed, _) = chat.press(ADMIN, "es", &button(&calls, "🃏 Reina de Copas"));
    let edit = pressed.iter().find(|c| c.method == "editMessageText").expect("the page replaces the suggestions");
    assert!(edit.str("text").is_some_and(|t| t.starts_with("🃏 <b>Reina de Copas</b>")), "{edit:#?}");

    // A themed spread by its Spanish word, read in Spanish with its positions and summary.
    let reading = chat.say(ADMIN, "es", "/draw amor ¿Qué nos une?");
    assert!(reading.starts_with("🔮 <b>Amor</b>\n❓ <i>¿Qué nos une?</i>"), "{reading}");
    assert_eq!(reading.matches("</b>: ").count(), 5, "five positions: {reading}");
    assert!(reading.contains("<b>En conjunto</b>"), "{reading}");

    // Without reversed cards: ten Celtic Cross cards, none reversed; the choice is kept.
    let calls = chat.send(ADMIN, "es", "/language");
    let (calls, answer) = chat.press(ADMIN, "es", &button(&calls, "Sin cartas invertidas"));
    assert_eq!(answer, "A partir de ahora, todas las cartas salen al derecho.");
    assert!(texts_to(&calls, ADMIN).contains("Cartas invertidas: <b>no, todas las cartas salen al derecho</b>"));
    for _ in 0..2 {
        let reading = chat.say(ADMIN, "es", "/draw celta");
        assert_eq!(reading.matches("</b>: ").count(), 10, "{reading}");
        assert!(!reading.contains("(al revés)"), "a reversed card after choosing none: {reading}");
    }
    let labels: Vec<String> =
        all_buttons(&chat.send(ADMIN, "es", "/language")).into_iter().map(|(label, _)| label).collect();
    assert_eq!(labels.last().map(String::as_str), Some("Con cartas invertidas"));
}
