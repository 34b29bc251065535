//! Fuzzes the first look at an update (`sentinel::glance`), which every update from
//! `getUpdates` meets before anything else. Input: the update's JSON text.
//!
//! - the look never panics, whatever the text;
//! - an update it decides on has the id that the text's `update_id` holds, and one it cannot
//!   read has no integer `update_id` at all (the polling loop skips only those).
#![no_main]

use arcana::sentinel::{Glance, glance};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let look = glance(text, "arcana_bot");
    let id = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|value| value.get("update_id").and_then(serde_json::Value::as_i64));
    match look {
        Glance::Decided(inbound) => assert_eq!(Some(inbound.update_id), id, "{text}"),
        Glance::Unsure(update_id) => assert_eq!(Some(update_id), id, "{text}"),
        Glance::Unreadable => assert!(id.is_none(), "an id was there: {text}"),
    }
});
