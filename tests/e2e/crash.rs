//! A kill at any moment: the stores reopen, and what was acknowledged as saved is still there.

use crate::harness::{REPLY_TIMEOUT, cli_ok, path_arg, stop_cleanly, wait_replies};
use crate::support::bot_process::BotProcess;
use crate::support::fake_telegram::FakeTelegram;
use crate::support::updates;

#[test]
fn acknowledged_changes_survive_a_kill_9() {
    let dir = crate::support::private_tempdir();
    std::fs::write(dir.path().join("arcana.toml"), "[accounts]\nrequire_registration = false\n").expect("config");
    let d = path_arg(dir.path());
    let tg = FakeTelegram::start();
    tg.push_update(updates::command(7001, "/start"));
    tg.push_update(updates::command(7002, "/start"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    wait_replies(&tg, &mut bot, 7001, 1, REPLY_TIMEOUT);
    wait_replies(&tg, &mut bot, 7002, 1, REPLY_TIMEOUT);

    // Acknowledged through the running bot, then the process is killed without warning.
    assert!(cli_ok(&["block", "7001", "--reason", "spam", "--dir", d]).contains("blocked user 7001"));
    assert!(cli_ok(&["user", "delete", "7002", "--dir", d]).contains("deleted user 7002"));
    assert!(cli_ok(&["keys", "rotate", "--dir", d]).contains("generation key 2 is now active"));
    bot.kill9();

    // Everything reopens; the block, the deletion and the rotation are all still there.
    let blocked = cli_ok(&["blocked", "--dir", d]);
    assert!(blocked.contains("7001\tblocked by an admin until unblocked (reason: spam)"), "{blocked}");
    let status = cli_ok(&["keys", "status", "--dir", d]);
    assert!(status.contains("generation 2\tActive"), "{status}");
    let deleted_again = cli_ok(&["user", "delete", "7002", "--dir", d]);
    assert!(deleted_again.contains("had no stored data"), "the deleted user's key stayed destroyed: {deleted_again}");

    // And the bot runs again: the blocked user is ignored, others are answered.
    let tg = FakeTelegram::start();
    tg.push_update_with_id(100, updates::command(7001, "/start"));
    tg.push_update_with_id(101, updates::command(7003, "/start"));
    let mut bot = BotProcess::start(dir.path(), &tg.url());
    wait_replies(&tg, &mut bot, 7003, 1, REPLY_TIMEOUT);
    assert!(tg.sent_messages_to(7001).is_empty(), "the block survived the kill: {}", bot.stderr_text());
    stop_cleanly(bot);
}
