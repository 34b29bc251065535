//! `arcana run` basics: first start creates the layout and answers `/start` and `/help`;
//! SIGTERM exits 0; a restarted bot resumes after the last update it handled.

use crate::harness::{REPLY_TIMEOUT, assert_layout, stop_cleanly, wait_replies};
use crate::support::bot_process::{BotProcess, TEST_TOKEN};
use crate::support::fake_telegram::FakeTelegram;
use crate::support::updates;

#[test]
fn run_answers_start_and_creates_layout() {
    let dir = crate::support::private_tempdir();
    let tg = FakeTelegram::start();
    let user = 1001;
    tg.push_update(updates::command(user, "/start"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());

    let replies = wait_replies(&tg, &mut bot, user, 1, REPLY_TIMEOUT);
    assert!(!replies[0].trim().is_empty(), "empty /start reply");
    assert_layout(dir.path());
    assert!(tg.calls().iter().all(|c| c.token == TEST_TOKEN), "every call uses BOT_TOKEN");
    stop_cleanly(bot);
}

#[test]
fn run_answers_help() {
    let dir = crate::support::private_tempdir();
    let tg = FakeTelegram::start();
    let user = 1002;
    tg.push_update(updates::command(user, "/help"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());

    let replies = wait_replies(&tg, &mut bot, user, 1, REPLY_TIMEOUT);
    assert!(replies[0].contains("/help"), "the /help reply lists /help: {:?}", replies[0]);
    stop_cleanly(bot);
}

#[test]
fn sigterm_exits_zero_while_polling() {
    let dir = crate::support::private_tempdir();
    let tg = FakeTelegram::start();
    let bot = BotProcess::start(dir.path(), &tg.url());
    tg.wait_for(REPLY_TIMEOUT, "the bot to poll getUpdates", |calls| calls.iter().any(|c| c.method == "getUpdates"));
    stop_cleanly(bot);
}

#[test]
fn restart_does_not_reanswer_a_handled_update() {
    let dir = crate::support::private_tempdir();
    let user = 1003;
    let start = updates::command(user, "/start");

    // Run 1 handles update 1.
    let first = FakeTelegram::start();
    assert_eq!(first.push_update(start.clone()), 1);
    let mut bot = BotProcess::start(dir.path(), &first.url());
    wait_replies(&first, &mut bot, user, 1, REPLY_TIMEOUT);
    stop_cleanly(bot);

    // Run 2: Telegram redelivers update 1 (as if never confirmed), then update 2 arrives.
    let second = FakeTelegram::start();
    second.push_update_with_id(1, start);
    let help_id = second.push_update(updates::command(user, "/help"));
    assert_eq!(help_id, 2);
    let mut bot = BotProcess::start(dir.path(), &second.url());

    let replies = wait_replies(&second, &mut bot, user, 1, REPLY_TIMEOUT);
    assert!(replies[0].contains("/help"), "run 2 answered /help first: {replies:?}");
    // Once it polls past update 2, everything it will ever answer from this queue is answered.
    second.wait_for(REPLY_TIMEOUT, "a getUpdates with offset 3", |calls| {
        calls.iter().any(|c| c.method == "getUpdates" && c.int("offset") >= Some(3))
    });
    assert_eq!(second.sent_messages_to(user).len(), 1, "update 1 was answered again");
    let first_poll = second.calls_to("getUpdates").into_iter().next().expect("a getUpdates");
    assert_eq!(first_poll.int("offset"), Some(2), "run 2 resumes after the handled update");
    stop_cleanly(bot);
}

#[test]
fn every_button_press_is_answered_so_the_spinner_stops() {
    let dir = crate::support::private_tempdir();
    let tg = FakeTelegram::start();
    let press = updates::callback_query(1004, "page:2");
    let query_id = press["callback_query"]["id"].as_str().expect("query id").to_owned();
    tg.push_update(press);
    let bot = BotProcess::start(dir.path(), &tg.url());
    tg.wait_for(REPLY_TIMEOUT, "an answerCallbackQuery for the press", |calls| {
        calls.iter().any(|c| {
            c.method == "answerCallbackQuery" && c.str("callback_query_id").as_deref() == Some(query_id.as_str())
        })
    });
    stop_cleanly(bot);
}
