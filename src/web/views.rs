//! What the API answers with, built from the services' records: readings laid out card by card
//! and where a user stands, in the user's language (card names, positions, meanings and spread
//! names from [`crate::tarot`]).

use crate::{
    locale::Locale,
    readings::{Coverage, ReadingId, Standing},
    tarot::{Reading, Spread, StoredReading},
};

use super::responses::{CardView, CoverageView, Me, ReadingView, SpreadChoice};

/// A reading id as 24 hex digits.
#[must_use]
pub fn reading_id(id: &ReadingId) -> String {
    crate::sanitize::hex_id(id)
}

/// Parses 24 lower-case hex digits (as [`reading_id`] writes them) back into a reading id.
#[must_use]
pub fn parse_reading_id(text: &str) -> Option<ReadingId> {
    let mut id = [0u8; 12];
    crate::sanitize::parse_lower_hex(text, &mut id).then_some(id)
}

/// One reading in `locale`, its cards in position order.
#[must_use]
pub fn reading(id: Option<&ReadingId>, reading: &Reading, at_ms: u64, locale: Locale) -> ReadingView {
    let positions = reading.spread.positions_in(locale);
    let cards = reading
        .cards
        .iter()
        .zip(positions)
        .map(|(drawn, position)| CardView {
            card: drawn.card.id,
            major: drawn.card.is_major(),
            meaning: drawn.meaning_in(locale),
            name: drawn.card.name_in(locale),
            position,
            reversed: drawn.reversed,
        })
        .collect();
    ReadingView {
        at: at_ms,
        cards,
        id: id.map(reading_id),
        question: reading.question.clone(),
        spread: reading.spread.key(),
        spread_name: reading.spread.name_in(locale),
    }
}

/// A stored reading in `locale`, or `None` when it no longer decodes (a spread this version
/// lost).
#[must_use]
pub fn stored_reading(id: &ReadingId, stored: &StoredReading, locale: Locale) -> Option<ReadingView> {
    stored.to_reading().ok().map(|r| reading(Some(id), &r, stored.at_ms, locale))
}

/// What paid for a draw.
#[must_use]
pub const fn coverage(coverage: Coverage) -> CoverageView {
    match coverage {
        Coverage::Allowance { left } => CoverageView::Allowance { left },
        Coverage::Credit { left } => CoverageView::Credit { left },
        Coverage::Unlimited => CoverageView::Unlimited,
    }
}

/// Who is asking, for [`me`].
#[derive(Debug, Clone, Copy)]
pub struct Asker<'a> {
    /// Their Telegram id.
    pub user: i64,
    /// The name Telegram signed for this session.
    pub first_name: Option<&'a str>,
    /// The language to answer in.
    pub locale: Locale,
    /// Whether two-factor authentication is on.
    pub two_factor: bool,
}

/// The `me` document: plan, today's allowance, credits, premium, the next reset, the spreads
/// (named in the asker's language).
#[must_use]
pub fn me(asker: Asker<'_>, standing: &Standing, zone: &str, payments: bool) -> Me {
    let spreads = Spread::ALL
        .iter()
        .map(|s| SpreadChoice {
            cards: s.card_count(),
            included: standing.spreads.as_ref().is_none_or(|list| list.iter().any(|k| k == s.key())),
            key: s.key(),
            name: s.name_in(asker.locale),
        })
        .collect();
    Me {
        allowance: standing.allowance,
        credits: standing.credits,
        first_name: asker.first_name.map(str::to_owned),
        locale: asker.locale,
        payments,
        premium_until: standing.premium_until_ms,
        reset_zone: zone.to_owned(),
        resets_at: standing.resets_at_ms,
        spreads,
        tier: standing.tier.clone(),
        two_factor: asker.two_factor,
        used_today: standing.used,
        user_id: asker.user,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// The answers as the API built them before they had types (`json!`, keys sorted).
    mod before {
        use super::*;

        pub fn reading(id: Option<&ReadingId>, reading: &Reading, at_ms: u64) -> Value {
            let positions = reading.spread.positions();
            let cards: Vec<Value> = reading
                .cards
                .iter()
                .zip(positions)
                .map(|(drawn, position)| {
                    json!({
                        "position": position,
                        "card": drawn.card.id,
                        "name": drawn.card.name(),
                        "reversed": drawn.reversed,
                        "meaning": drawn.meaning(),
                        "major": drawn.card.is_major(),
                    })
                })
                .collect();
            json!({
                "id": id.map(reading_id),
                "at": at_ms,
                "spread": reading.spread.key(),
                "spread_name": reading.spread.name(),
                "question": reading.question,
                "cards": cards,
            })
        }

        pub fn coverage(coverage: Coverage) -> Value {
            match coverage {
                Coverage::Allowance { left } => json!({ "kind": "allowance", "left": left }),
                Coverage::Credit { left } => json!({ "kind": "credit", "left": left }),
                Coverage::Unlimited => json!({ "kind": "unlimited" }),
            }
        }

        pub fn me(user: i64, first_name: Option<&str>, standing: &Standing, zone: &str, two_factor: bool) -> Value {
            let spreads: Vec<Value> = Spread::ALL
                .iter()
                .map(|s| {
                    let included = standing.spreads.as_ref().is_none_or(|list| list.iter().any(|k| k == s.key()));
                    json!({ "key": s.key(), "name": s.name(), "cards": s.card_count(), "included": included })
                })
                .collect();
            json!({
                "user_id": user,
                "first_name": first_name,
                "tier": standing.tier,
                "two_factor": two_factor,
                "allowance": standing.allowance,
                "used_today": standing.used,
                "credits": standing.credits,
                "premium_until": standing.premium_until_ms,
                "resets_at": standing.resets_at_ms,
                "reset_zone": zone,
                "spreads": spreads,
                "payments": true,
            })
        }
    }

    fn text(value: &impl serde::Serialize) -> String {
        serde_json::to_string(value).expect("serialises")
    }

    fn a_reading(spread: Spread, question: Option<&str>) -> Reading {
        Reading::draw(spread, question, &ring::rand::SystemRandom::new()).expect("a draw")
    }

    #[test]
    fn english_answers_are_byte_for_byte_what_they_were() {
        let id: ReadingId = [9; 12];
        for (spread, question) in [(Spread::CelticCross, Some("Where \"next\"?")), (Spread::One, None)] {
            let drawn = a_reading(spread, question);
            for id in [Some(&id), None] {
                let typed = reading(id, &drawn, 1_700_000_000_123, Locale::En);
                assert_eq!(text(&typed), before::reading(id, &drawn, 1_700_000_000_123).to_string());
            }
        }
        for paid in [Coverage::Allowance { left: 2 }, Coverage::Credit { left: 0 }, Coverage::Unlimited] {
            assert_eq!(text(&coverage(paid)), before::coverage(paid).to_string());
        }
        for (name, standing) in [
            (
                Some("Ann"),
                Standing {
                    tier: String::from("free"),
                    allowance: Some(3),
                    used: 1,
                    spreads: Some(vec![String::from("one"), String::from("three")]),
                    credits: 4,
                    premium_until_ms: Some(1_800_000_000_000),
                    resets_at_ms: 1_700_003_600_000,
                },
            ),
            (
                None,
                Standing {
                    tier: String::from("premium"),
                    allowance: None,
                    used: 0,
                    spreads: None,
                    credits: 0,
                    premium_until_ms: None,
                    resets_at_ms: 5,
                },
            ),
        ] {
            let asker = Asker { user: 42, first_name: name, locale: Locale::En, two_factor: name.is_some() };
            let mut old = before::me(42, name, &standing, "Europe/Berlin", name.is_some());
            // The one field added since.
            old["locale"] = json!("en");
            assert_eq!(text(&me(asker, &standing, "Europe/Berlin", true)), old.to_string());
        }
    }

    #[test]
    fn a_reading_is_told_in_the_askers_language() {
        let drawn = a_reading(Spread::Three, None);
        for locale in [Locale::Ru, Locale::Es] {
            let view = reading(None, &drawn, 1, locale);
            assert_eq!(view.spread_name, Spread::Three.name_in(locale));
            assert_ne!(view.spread_name, Spread::Three.name(), "{locale:?}");
            for ((card, drawn), position) in view.cards.iter().zip(&drawn.cards).zip(Spread::Three.positions_in(locale))
            {
                assert_eq!((card.name, card.position), (drawn.card.name_in(locale), *position));
                assert_eq!(card.meaning, drawn.meaning_in(locale));
                assert_ne!(card.meaning, drawn.meaning(), "{locale:?}: {}", card.name);
            }
        }
    }

    #[test]
    fn reading_ids_round_trip_and_junk_is_refused() {
        let id: ReadingId = [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255];
        assert_eq!(parse_reading_id(&reading_id(&id)), Some(id));
        for bad in [
            "",
            "zz0102030405fafbfcfdfeff",
            "000102030405fafbfcfdfe",
            "+00102030405fafbfcfdfeff",
            "000102030405FAFBFCFDFEFF",
        ] {
            assert_eq!(parse_reading_id(bad), None, "{bad}");
        }
    }
}
