//! Fuzzes `tarot::question` and `tarot::render_html`: sanitising never panics and gives a clean,
//! bounded, idempotent line; the rendered one-card reading fits in a Telegram message and the
//! question never smuggles a tag or a stray `&` into the HTML.
#![no_main]

use arcana::sanitize::is_clean;
use arcana::tarot::{
    DECK_SIZE, Drawn, MESSAGE_MAX_CHARS, QUESTION_MAX_CHARS, Reading, Spread, deck, escape, question, render_html,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let q = question(&raw);
    if let Some(q) = &q {
        assert!(!q.is_empty());
        assert!(q.chars().count() <= QUESTION_MAX_CHARS);
        assert!(is_clean(q));
        assert!(!q.contains(['\n', '\r']));
        assert_eq!(question(q).as_deref(), Some(q.as_str()));
    }

    let id = usize::from(data.first().copied().unwrap_or(0)) % DECK_SIZE;
    let reading = Reading {
        spread: Spread::One,
        question: q.clone(),
        cards: vec![Drawn { card: &deck()[id], reversed: data.len() % 2 == 1 }],
    };
    let html = render_html(&reading);
    assert!(html.len() <= MESSAGE_MAX_CHARS);
    if let Some(q) = &q {
        assert!(html.contains(&format!("<i>{}</i>", escape(q))));
    }

    // Only the renderer's own tags may remain, and every `&` must start one of our entities.
    let text = html.replace("<b>", "").replace("</b>", "").replace("<i>", "").replace("</i>", "");
    assert!(!text.contains(['<', '>']), "unescaped markup in {html:?}");
    for (at, _) in text.match_indices('&') {
        let rest = &text[at..];
        assert!(
            rest.starts_with("&amp;") || rest.starts_with("&lt;") || rest.starts_with("&gt;"),
            "stray & in {html:?}"
        );
    }
});
