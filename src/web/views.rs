//! The JSON the API answers with: readings laid out card by card, and where a user stands.

use serde_json::{Value, json};

use crate::{
    readings::{Coverage, ReadingId, Standing},
    tarot::{Reading, Spread, StoredReading},
};

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

/// One reading, its cards in position order.
#[must_use]
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

/// A stored reading, or `None` when it no longer decodes (a spread this version lost).
#[must_use]
pub fn stored_reading(id: &ReadingId, stored: &StoredReading) -> Option<Value> {
    stored.to_reading().ok().map(|r| reading(Some(id), &r, stored.at_ms))
}

/// What paid for a draw.
#[must_use]
pub fn coverage(coverage: Coverage) -> Value {
    match coverage {
        Coverage::Allowance { left } => json!({ "kind": "allowance", "left": left }),
        Coverage::Credit { left } => json!({ "kind": "credit", "left": left }),
        Coverage::Unlimited => json!({ "kind": "unlimited" }),
    }
}

/// The `me` document: plan, today's allowance, credits, premium, the next reset, the spreads.
#[must_use]
pub fn me(
    user: i64,
    first_name: Option<&str>,
    standing: &Standing,
    zone: &str,
    two_factor: bool,
    payments: bool,
) -> Value {
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
        "payments": payments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
