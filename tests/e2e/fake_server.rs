//! Self-tests of the fake Telegram server, over raw TCP and through teloxide's own client:
//! response shapes, `getUpdates` semantics, long polling, body encodings, fault injection.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use teloxide::prelude::*;
use teloxide::types::{InputFile, Me, Message, Update, UpdateKind};

use crate::raw_http::{RawConn, post_json};
use crate::support::bot_process::TEST_TOKEN;
use crate::support::fake_telegram::{FakeTelegram, Fault};
use crate::support::updates;

fn update_ids(response: &Value) -> Vec<i64> {
    response["result"]
        .as_array()
        .expect("result array")
        .iter()
        .map(|u| u["update_id"].as_i64().expect("update_id"))
        .collect()
}

fn get_updates(tg: &FakeTelegram, params: &Value) -> Value {
    post_json(&tg.url(), TEST_TOKEN, "getUpdates", params).expect("an answer").json()
}

#[test]
fn fake_server_get_me_has_full_me_shape() {
    let tg = FakeTelegram::start();
    let response = post_json(&tg.url(), TEST_TOKEN, "GetMe", &json!({})).expect("an answer");
    assert_eq!(response.status, 200);
    let body = response.json();
    assert_eq!(body["ok"], json!(true));
    let me: Me = serde_json::from_value(body["result"].clone()).expect("teloxide parses Me");
    assert_eq!(me.id.0, 123_456_789);
    assert_eq!(me.username(), "arcana_test_bot");
    let calls = tg.calls_to("getMe");
    assert_eq!(calls.len(), 1, "GetMe is recorded as getMe");
    assert_eq!(calls[0].token, TEST_TOKEN);
    assert!(calls[0].fault.is_none() && calls[0].answered);
}

#[test]
fn fake_server_get_updates_confirms_below_offset() {
    let tg = FakeTelegram::start();
    let ids: Vec<i64> = (0..3).map(|i| tg.push_update(updates::command(500 + i, "/start"))).collect();
    assert_eq!(ids, [1, 2, 3]);

    let all = get_updates(&tg, &json!({}));
    assert_eq!(update_ids(&all), [1, 2, 3], "no offset: nothing confirmed");
    for update in all["result"].as_array().expect("array") {
        let parsed: Update = serde_json::from_str(&update.to_string()).expect("teloxide parses");
        assert!(matches!(parsed.kind, UpdateKind::Message(_)));
    }
    assert_eq!(tg.pending_updates(), 3);

    let limited = get_updates(&tg, &json!({ "offset": 2, "limit": 1 }));
    assert_eq!(update_ids(&limited), [2], "limit 1 from offset 2");
    assert_eq!(tg.pending_updates(), 2, "update 1 confirmed");
    assert_eq!(tg.last_offset(), Some(2));

    let rest = get_updates(&tg, &json!({ "offset": "3", "limit": 0 }));
    assert_eq!(update_ids(&rest), [3], "string offset; limit clamps to 1");

    let none = get_updates(&tg, &json!({ "offset": 4, "timeout": 0 }));
    assert_eq!(update_ids(&none), Vec::<i64>::new());
    assert_eq!(tg.pending_updates(), 0);
    assert_eq!(tg.last_offset(), Some(4));

    tg.push_update_with_id(10, updates::command(600, "/help"));
    assert_eq!(tg.push_update(updates::command(601, "/help")), 11, "ids continue after 10");
}

#[test]
fn fake_server_long_poll_times_out_with_empty_result() {
    let tg = FakeTelegram::start();
    let started = Instant::now();
    let response = get_updates(&tg, &json!({ "timeout": 1 }));
    assert_eq!(response["result"], json!([]));
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(900), "answered after only {waited:?}");
    assert!(waited < Duration::from_secs(10), "answered after {waited:?}");
}

#[test]
fn fake_server_long_poll_wakes_on_push() {
    let tg = FakeTelegram::start();
    let url = tg.url();
    let started = Instant::now();
    let poller = std::thread::spawn(move || {
        post_json(&url, TEST_TOKEN, "getUpdates", &json!({ "offset": 0, "timeout": 25 })).expect("an answer").json()
    });
    tg.wait_for(Duration::from_secs(10), "the long poll to arrive", |calls| {
        calls.iter().any(|c| c.method == "getUpdates")
    });
    let id = tg.push_update(updates::command(700, "/start"));
    let response = poller.join().expect("poller thread");
    assert_eq!(update_ids(&response), [id]);
    assert!(started.elapsed() < Duration::from_secs(20), "the push did not wake the poll");
}

#[test]
fn fake_server_faults_are_consumed_in_order() {
    let tg = FakeTelegram::start();
    tg.push_fault("getMe", Fault::Status(502));
    tg.push_fault("*", Fault::RetryAfter(3));
    tg.push_fault("GetMe", Fault::Malformed);
    tg.push_fault("getMe", Fault::Drop);
    tg.push_fault("sendMessage", Fault::Delay(Duration::from_millis(300)));
    let url = tg.url();

    let first = post_json(&url, TEST_TOKEN, "getMe", &json!({})).expect("an answer");
    assert_eq!(first.status, 502);
    assert_eq!(first.json()["error_code"], json!(502));
    assert_eq!(first.json()["ok"], json!(false));

    let second = post_json(&url, TEST_TOKEN, "deleteWebhook", &json!({})).expect("an answer");
    assert_eq!(second.status, 429, "`*` applies to any method");
    assert_eq!(second.json()["parameters"]["retry_after"], json!(3));

    let third = post_json(&url, TEST_TOKEN, "getMe", &json!({})).expect("an answer");
    assert_eq!((third.status, third.body.as_str()), (200, r#"{"ok":tru"#));

    assert!(post_json(&url, TEST_TOKEN, "getMe", &json!({})).is_none(), "dropped");

    let fine = post_json(&url, TEST_TOKEN, "getMe", &json!({})).expect("an answer");
    assert_eq!(fine.json()["ok"], json!(true));

    let started = Instant::now();
    let delayed = post_json(&url, TEST_TOKEN, "sendMessage", &json!({"chat_id": 5, "text": "hi"})).expect("an answer");
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(delayed.json()["result"]["text"], json!("hi"));

    assert_eq!(tg.pending_faults(), 0);
    let faults: Vec<Option<String>> = tg.calls().into_iter().map(|c| c.fault).collect();
    assert_eq!(
        faults,
        [
            Some("status 502".to_owned()),
            Some("retry_after 3".to_owned()),
            Some("malformed".to_owned()),
            Some("drop".to_owned()),
            None,
            Some("delay 300ms".to_owned()),
        ]
    );
    assert_eq!(tg.sent_messages_to(5), ["hi"], "a delayed message is still delivered");
}

#[test]
fn fake_server_failed_sends_are_not_delivered() {
    let tg = FakeTelegram::start();
    tg.push_fault("sendMessage", Fault::Status(500));
    let url = tg.url();
    for text in ["lost", "kept"] {
        post_json(&url, TEST_TOKEN, "sendMessage", &json!({"chat_id": 9, "text": text}));
    }
    assert_eq!(tg.sent_messages_to(9), ["kept"]);
    assert_eq!(tg.calls_to("sendMessage").len(), 2, "the failed call is still recorded");
}

#[test]
fn fake_server_decodes_form_query_chunked_and_multipart_on_one_connection() {
    let tg = FakeTelegram::start();
    let mut conn = RawConn::connect(&tg.url());
    let t = TEST_TOKEN;

    let form = "chat_id=42&text=hi+there%21";
    let request = format!(
        "POST /bot{t}/sendMessage HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    let response = conn.exchange(request.as_bytes()).expect("form answer");
    let msg: Message = serde_json::from_value(response.json()["result"].clone()).expect("teloxide parses");
    assert_eq!(msg.text(), Some("hi there!"));
    assert_eq!(msg.chat.id.0, 42);

    let request = format!("GET /bot{t}/SendMessage?chat_id=42&text=q HTTP/1.1\r\nHost: x\r\n\r\n");
    conn.exchange(request.as_bytes()).expect("query answer");

    let request = format!(
        "POST /bot{t}/sendMessage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nE\r\n{{\"chat_id\":42,\r\n11\r\n\"text\":\"chunked\"}}\r\n0\r\n\r\n"
    );
    conn.exchange(request.as_bytes()).expect("chunked answer");

    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"card.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\x01\x02\x03\x04\r\n--XyZ--\r\n";
    let request = format!(
        "POST /bot{t}/sendPhoto HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let response = conn.exchange(request.as_bytes()).expect("multipart answer");
    let msg: Message = serde_json::from_value(response.json()["result"].clone()).expect("teloxide parses");
    assert!(msg.photo().is_some_and(|sizes| !sizes.is_empty()));

    assert_eq!(tg.sent_messages_to(42), ["hi there!", "q", "chunked"]);
    let photo = tg.calls_to("sendPhoto").pop().expect("sendPhoto recorded");
    assert_eq!(photo.params["photo"], json!({ "file": "card.jpg", "len": 4, "head": "01020304" }));
    assert_eq!(photo.int("chat_id"), Some(42));
}

#[test]
fn fake_server_unknown_path_is_404() {
    let tg = FakeTelegram::start();
    let mut conn = RawConn::connect(&tg.url());
    let response = conn.exchange(b"GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n").expect("an answer");
    assert_eq!(response.status, 404);
    assert_eq!(response.json(), json!({ "ok": false, "error_code": 404, "description": "Not Found" }));
    assert!(tg.calls().is_empty(), "a 404 is not a Bot API call");
}

#[test]
fn fake_server_serves_teloxide_client() {
    let tg = FakeTelegram::start();
    tg.push_update(updates::command(800, "/start"));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let bot = Bot::new(TEST_TOKEN).set_api_url(tg.url().parse().expect("url"));

        let me = bot.get_me().await.expect("getMe");
        assert_eq!(me.username(), "arcana_test_bot");
        bot.delete_webhook().await.expect("deleteWebhook");

        let batch = bot.get_updates().offset(0).timeout(1).await.expect("getUpdates");
        assert_eq!(batch.len(), 1);
        let msg = bot.send_message(ChatId(800), "hello").await.expect("sendMessage");
        assert_eq!(msg.text(), Some("hello"));
        let edited = bot.edit_message_text(ChatId(800), msg.id, "edited").await.expect("editMessageText");
        assert_eq!(edited.text(), Some("edited"));
        let photo = bot
            .send_photo(ChatId(800), InputFile::memory(vec![1_u8, 2, 3]).file_name("c.png"))
            .caption("The Tower")
            .await
            .expect("sendPhoto (multipart)");
        assert_eq!(photo.caption(), Some("The Tower"));

        // (Not a 5xx here: teloxide sleeps 10 s before returning a server error.)
        tg.push_fault("getMe", Fault::Status(403));
        assert!(bot.get_me().await.is_err(), "a 403 is an error");
        tg.push_fault("getMe", Fault::Malformed);
        assert!(bot.get_me().await.is_err(), "a truncated body is an error");
        tg.push_fault("getMe", Fault::RetryAfter(7));
        let err = bot.get_me().await.expect_err("a 429 is an error");
        assert!(matches!(err, teloxide::RequestError::RetryAfter(s) if s.seconds() == 7), "got {err:?}");
    });
    let methods: Vec<String> = tg.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(
        methods,
        [
            "getMe",
            "deleteWebhook",
            "getUpdates",
            "sendMessage",
            "editMessageText",
            "sendPhoto",
            "getMe",
            "getMe",
            "getMe"
        ]
    );
    assert_eq!(tg.sent_messages_to(800), ["hello"]);
}
