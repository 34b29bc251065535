//! Everyday paths through the binary: `/delete_me` asks first (what would be lost, a button that
//! expires and works once, a way to keep everything), an unknown command points to `/help`,
//! free text in a private chat is offered as a reading's question, and in a group a reading
//! replies to the message that asked for it while a newcomer is sent to the private chat by a
//! deep link instead of being shown the privacy notice there.

use serde_json::{Value, json};

use crate::accounts::Running;
use crate::harness::{DELETE_BUTTON, buttons, cli_ok, path_arg, press_on, said_to, wait_polled_past};
use crate::support::fake_telegram::Call;
use crate::support::updates::{self, BOT_USERNAME};

/// The default tiers and products, one admin; no debouncing and a generous rate limit, so
/// repeated commands reach the handlers. `extra` goes under `[accounts]`.
fn config(accounts: &str) -> String {
    format!(
        "admins = [1]\n\n[sentinel]\ndebounce = \"0s\"\ndefault = {{ limit = 200, per = \"1m\" }}\n\n[accounts]\n{accounts}\n"
    )
}

/// Pushes `update`, waits until the bot has finished it; returns the calls it made meanwhile
/// (polling excluded).
fn push(run: &mut Running, update: Value) -> Vec<Call> {
    let before = run.tg.calls().len();
    let id = run.tg.push_update(update);
    wait_polled_past(&run.tg, &mut run.bot, id);
    run.tg.calls().split_off(before).into_iter().filter(|c| c.method != "getUpdates").collect()
}

/// The `sendMessage` calls to `chat` among `calls`.
fn sent_to(calls: &[Call], chat: i64) -> Vec<&Call> {
    calls.iter().filter(|c| c.method == "sendMessage" && c.int("chat_id") == Some(chat)).collect()
}

/// The one answer to a press among `calls`: its text ("" for none).
fn answer(calls: &[Call]) -> String {
    let answers: Vec<&Call> = calls.iter().filter(|c| c.method == "answerCallbackQuery").collect();
    assert_eq!(answers.len(), 1, "a press is answered once: {calls:#?}");
    answers[0].str("text").unwrap_or_default()
}

/// The message id a `sendMessage` replies to, if it is a reply.
fn replies_to(call: &Call) -> Option<i64> {
    call.json("reply_parameters").and_then(|p| p["message_id"].as_i64())
}

/// The `user_deleted` events in the audit trail (read after the bot stopped).
fn deletions_in_audit(dir: &std::path::Path) -> usize {
    cli_ok(&["audit", "--event", "user_deleted", "--dir", path_arg(dir)])
        .lines()
        .filter(|l| l.contains("user_deleted"))
        .count()
}

/// Buys `kind` with Stars: `/buy KIND` for the invoice, then Telegram's `successful_payment`.
fn buy(run: &mut Running, user: i64, kind: &str, stars: i64, charge: &str) {
    let calls = push(run, updates::command(user, &format!("/buy {kind}")));
    let invoice = calls.iter().find(|c| c.method == "sendInvoice").unwrap_or_else(|| panic!("{calls:#?}"));
    let payload = invoice.str("payload").expect("a payload");
    let receipt = said_to(&push(run, updates::successful_payment(user, &payload, stars, charge)), user);
    assert!(receipt.contains("Thank you"), "{receipt}");
}

#[test]
fn delete_me_shows_what_would_be_lost_and_deletes_only_once_confirmed() {
    let mut run = Running::start(&config(""));
    let (user, mallory) = (61_001, 61_002);
    run.register(user);
    run.register(mallory);
    for question in ["/draw Where next?", "/draw three What now?"] {
        assert!(run.say(user, question).contains("🔮"), "a reading");
    }
    buy(&mut run, user, "credits", 50, "charge-c");
    buy(&mut run, user, "premium", 250, "charge-p");

    // One tap deletes nothing: it shows what would be lost, with two buttons.
    let calls = push(&mut run, updates::command(user, "/delete_me"));
    let ask = *sent_to(&calls, user).last().unwrap_or_else(|| panic!("{calls:#?}"));
    let text = ask.str("text").unwrap_or_default();
    for lost in
        ["2 readings in your history", "10 paid credits not yet used", "premium, with 30 days left", "5 minutes"]
    {
        assert!(text.contains(lost), "{lost:?} in {text:?}");
    }
    let labels: Vec<String> = buttons(ask).into_iter().map(|(label, _)| label).collect();
    assert_eq!(labels, [DELETE_BUTTON, "Keep my data"]);
    let (_, confirm_data) = buttons(ask).into_iter().next().expect("the confirming button");
    assert!(confirm_data.len() <= 64, "{confirm_data}");

    // "Keep my data" keeps everything.
    let kept = push(&mut run, press_on(user, ask, "Keep my data"));
    assert_eq!(answer(&kept), "Nothing was deleted.");
    assert!(said_to(&kept, user).contains("Nothing was deleted"), "{kept:#?}");
    assert!(run.say(user, "/credits").contains("Credits: 10"), "still there after keeping");

    // Another user cannot use it.
    let forged = push(&mut run, updates::button_press(mallory, "Delete everything?", DELETE_BUTTON, &confirm_data));
    assert!(answer(&forged).contains("not for you"), "{forged:#?}");
    assert!(run.say(user, "/credits").contains("Credits: 10"), "a foreign press deletes nothing");

    // The owner's press deletes, through the existing path.
    let deleted = push(&mut run, press_on(user, ask, DELETE_BUTTON));
    assert_eq!(answer(&deleted), "");
    let edit = deleted.iter().find(|c| c.method == "editMessageText").unwrap_or_else(|| panic!("{deleted:#?}"));
    assert!(edit.str("text").unwrap_or_default().contains("stored about you is deleted"), "{edit:#?}");
    assert_eq!(edit.int("message_id"), ask.result.as_ref().and_then(|r| r["message_id"].as_i64()));
    assert!(buttons(edit).is_empty(), "the buttons go with the edit");

    // Pressed again — before and after the user came back — it deletes nothing and says so.
    let replayed = push(&mut run, press_on(user, ask, DELETE_BUTTON));
    assert!(answer(&replayed).contains("no longer valid; nothing was deleted"), "{replayed:#?}");
    run.register(user);
    assert!(run.say(user, "/draw Am I back?").contains("Am I back?"));
    let replayed = push(&mut run, press_on(user, ask, DELETE_BUTTON));
    assert!(answer(&replayed).contains("no longer valid"), "{replayed:#?}");
    assert!(said_to(&replayed, user).contains("no longer valid, so nothing was deleted"), "{replayed:#?}");
    let history = run.say(user, "/history");
    assert!(history.contains("1 kept") && history.contains("Am I back?"), "the new account stays: {history}");

    let (dir, _tg) = run.stop();
    assert_eq!(deletions_in_audit(dir.path()), 1, "one deletion, one audit event");
}

#[test]
fn an_expired_confirmation_deletes_nothing() {
    let mut run = Running::start(&config("delete_confirm_for = \"1s\""));
    let user = 62_001;
    run.register(user);
    assert!(run.say(user, "/draw Still here?").contains("Still here?"));
    let calls = push(&mut run, updates::command(user, "/delete_me"));
    let ask = *sent_to(&calls, user).last().unwrap_or_else(|| panic!("{calls:#?}"));
    assert!(ask.str("text").unwrap_or_default().contains("1 second"), "{ask:#?}");
    // Well past the button's second (expiry is checked against the wall clock, in seconds).
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    let late = push(&mut run, press_on(user, ask, DELETE_BUTTON));
    assert_eq!(answer(&late), "That confirmation has expired; nothing was deleted.");
    assert!(said_to(&late, user).contains("Send /delete_me to start again"), "{late:#?}");
    let history = run.say(user, "/history");
    assert!(history.contains("1 kept") && history.contains("Still here?"), "nothing deleted: {history}");
    let (dir, _tg) = run.stop();
    assert_eq!(deletions_in_audit(dir.path()), 0);
}

#[test]
fn an_unknown_command_points_to_help_and_a_real_denial_still_names_the_plan() {
    // The premium tier has no /draw here, and the free tier neither: a real tier denial.
    let toml = crate::accounts::config(true, r#""start", "help", "privacy""#);
    let mut run = Running::start(&toml);
    let (user, newcomer, group) = (63_001, 63_002, -100_630);
    run.register(user);
    for who in [user, newcomer] {
        let said = run.say(who, "/frobnicate now");
        assert!(said.contains("I don't know /frobnicate") && said.contains("/help"), "{said}");
        assert!(!said.contains("not part of your plan") && !said.contains("I agree"), "{said}");
    }
    assert!(run.say(user, "/draw").contains("This is not part of your plan"), "a real denial keeps its words");
    // In a group, a bare unknown command may be another bot's: silence. Addressed to us: a pointer.
    let bare = push(&mut run, updates::message(user, group, "/frobnicate"));
    assert!(sent_to(&bare, group).is_empty(), "{bare:#?}");
    let addressed = push(&mut run, updates::message(user, group, &format!("/frobnicate@{BOT_USERNAME}")));
    assert!(said_to(&addressed, group).contains("Send /help"), "{addressed:#?}");
    // In Spanish for a newcomer whose Telegram is Spanish (a member is spoken to in the language
    // stored in their profile).
    let mut spanish = updates::command(newcomer, "/frobnicate");
    spanish["message"]["from"]["language_code"] = json!("es-ES");
    let said = said_to(&push(&mut run, spanish), newcomer);
    assert!(said.contains("No conozco /frobnicate"), "{said}");
    run.stop();
}

#[test]
fn free_text_in_a_private_chat_is_offered_as_a_question() {
    let mut run = Running::start(&config(""));
    let (user, mallory, newcomer, group) = (64_001, 64_002, 64_003, -100_640);
    run.register(user);
    run.register(mallory);

    let question = updates::message(user, user, "Will the new job suit me?");
    let hint_calls = push(&mut run, question.clone());
    let hint = *sent_to(&hint_calls, user).last().unwrap_or_else(|| panic!("{hint_calls:#?}"));
    let text = hint.str("text").unwrap_or_default();
    assert!(text.contains("Will the new job suit me?") && text.contains("/draw three"), "{text}");
    let asked_id = question["message"]["message_id"].as_i64();
    assert_eq!(replies_to(hint), asked_id, "the hint replies to the question");
    let (label, data) = buttons(hint).into_iter().next().expect("a button");
    assert_eq!(label, "🔮 Draw a card");
    assert!(data.len() <= 64 && !data.contains("job"), "a reference, not the text: {data}");

    // The press comes back with the hint, which replies to the question: one card for it.
    let mut press = press_on(user, hint, &label);
    press["callback_query"]["message"]["reply_to_message"] = question["message"].clone();
    let drawn = push(&mut run, press.clone());
    assert_eq!(answer(&drawn), "");
    let reading = *sent_to(&drawn, user).last().unwrap_or_else(|| panic!("{drawn:#?}"));
    let reading_text = reading.str("text").unwrap_or_default();
    assert!(reading_text.contains("One card") && reading_text.contains("Will the new job suit me?"), "{reading_text}");
    assert_eq!(replies_to(reading), asked_id, "the reading replies to the question");
    assert!(run.say(user, "/history").contains("Will the new job suit me?"), "kept like any reading");

    // The question deleted: the press says how to ask instead.
    let mut gone = press_on(user, hint, &label);
    gone["callback_query"]["message"].as_object_mut().expect("message").remove("reply_to_message");
    let calls = push(&mut run, gone);
    assert!(answer(&calls).contains("send /draw with it"), "{calls:#?}");
    assert!(sent_to(&calls, user).is_empty(), "no reading without the question: {calls:#?}");
    // Somebody else's press draws nothing.
    let mut foreign = press.clone();
    foreign["callback_query"]["from"] = updates::user(mallory);
    let calls = push(&mut run, foreign);
    assert!(answer(&calls).contains("not for you"), "{calls:#?}");

    // In Russian for a member who joined from a Russian Telegram; a newcomer gets the privacy
    // notice; a group, nothing.
    let russian_user = 64_004;
    run.register_in(russian_user, "ru");
    let mut russian = updates::message(russian_user, russian_user, "Что ждёт меня весной?");
    russian["message"]["from"]["language_code"] = json!("ru");
    let said = said_to(&push(&mut run, russian), russian_user);
    assert!(said.contains("Вытянуть карту на этот вопрос?") && said.contains("Что ждёт меня весной?"), "{said}");
    let notice = said_to(&push(&mut run, updates::message(newcomer, newcomer, "hello")), newcomer);
    assert!(notice.contains("I agree"), "{notice}");
    let chatter = push(&mut run, updates::message(user, group, "Will the new job suit me?"));
    assert!(sent_to(&chatter, group).is_empty(), "{chatter:#?}");
    run.stop();
}

#[test]
fn in_a_group_a_reading_replies_and_a_newcomer_is_sent_to_the_private_chat() {
    let mut run = Running::start(&config(""));
    let (member, newcomer, group) = (65_001, 65_002, -100_650);
    run.register(member);

    let asked = updates::message(member, group, "/draw three Our team?");
    let calls = push(&mut run, asked.clone());
    let reading = *sent_to(&calls, group).last().unwrap_or_else(|| panic!("{calls:#?}"));
    assert!(reading.str("text").unwrap_or_default().contains("Our team?"));
    assert_eq!(replies_to(reading), asked["message"]["message_id"].as_i64(), "{reading:#?}");

    // A newcomer's /draw in the group: one line with a deep link, not the notice.
    let asked = updates::message(newcomer, group, "/draw");
    let calls = push(&mut run, asked.clone());
    let to_group = sent_to(&calls, group);
    assert_eq!(to_group.len(), 1, "{calls:#?}");
    let line = to_group[0].str("text").unwrap_or_default();
    assert!(line.contains(&format!("https://t.me/{BOT_USERNAME}?start=privacy")), "{line}");
    assert!(!line.contains("stores your Telegram id") && buttons(to_group[0]).is_empty(), "{line}");
    assert_eq!(replies_to(to_group[0]), asked["message"]["message_id"].as_i64());
    let started = said_to(&push(&mut run, updates::message(newcomer, group, "/start")), group);
    assert!(started.contains("?start=privacy") && !started.contains("I agree"), "{started}");

    // The deep link opens the private chat with `/start privacy`: the notice, with its button.
    let notice = push(&mut run, updates::command(newcomer, "/start privacy"));
    let text = said_to(&notice, newcomer);
    assert!(text.contains("stores your Telegram id") && text.contains("I agree"), "{text}");
    // A member following it sees the notice too; a plain /start is still the welcome.
    assert!(run.say(member, "/start privacy").contains("stores your Telegram id"));
    assert!(run.say(member, "/start").contains("Welcome"));
    run.stop();
}
