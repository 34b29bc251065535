//! `[readings]` and `[payments]`: reading history, the daily allowance reset, the spread picture,
//! and what Telegram Stars buy.

use std::{num::NonZeroU32, time::Duration};

use serde::{Deserialize, Deserializer, de::Error as _};

use super::duration::within;

/// `[readings]`: history retention, paging, the allowance reset and the spread picture.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ReadingsConfig {
    /// Readings older than this are removed from history (1 s to 10 years).
    #[serde(deserialize_with = "within::<1_000, 315_360_000_000, _>")]
    pub retention: Duration,
    /// Readings per `/history` page and per page of the web API's history (1 to 10).
    #[serde(deserialize_with = "page_size")]
    pub history_page_size: NonZeroU32,
    /// The time zone whose midnight resets daily allowances: `UTC`, an IANA name such as
    /// `Europe/Berlin`, or a fixed offset such as `+02:00`.
    #[serde(deserialize_with = "time_zone")]
    pub reset_time_zone: String,
    /// Whether a reading in the chat also comes as one picture of the spread laid out (a PNG
    /// drawn by arcana).
    pub spread_picture: bool,
}

impl Default for ReadingsConfig {
    fn default() -> Self {
        ReadingsConfig {
            retention: Duration::from_hours(24 * 90),
            history_page_size: NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN),
            reset_time_zone: String::from("UTC"),
            spread_picture: true,
        }
    }
}

/// `[payments]`: products sold for Telegram Stars (`XTR`). Telegram handles the payment; arcana
/// never sees card data.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct PaymentsConfig {
    /// Whether `/buy` sells anything.
    pub enabled: bool,
    /// Readings in one credit pack; a credit pays for one reading beyond the daily allowance,
    /// any spread.
    pub credit_pack_size: NonZeroU32,
    /// Price of a credit pack in Stars.
    pub credit_pack_price: NonZeroU32,
    /// The tier a premium purchase grants.
    pub premium_tier: String,
    /// How long one premium purchase lasts (1 day to 1 year); purchases add up.
    #[serde(deserialize_with = "within::<86_400_000, 31_536_000_000, _>")]
    pub premium_period: Duration,
    /// Price of one premium period in Stars.
    pub premium_price: NonZeroU32,
    /// How long the accounting record of a payment (charge id, amount, what it bought, when; no
    /// user id) is kept, also after the user is deleted (1 day to 20 years).
    #[serde(deserialize_with = "within::<86_400_000, 631_152_000_000, _>")]
    pub accounting_retention: Duration,
}

impl Default for PaymentsConfig {
    fn default() -> Self {
        PaymentsConfig {
            enabled: true,
            credit_pack_size: NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
            credit_pack_price: NonZeroU32::new(50).unwrap_or(NonZeroU32::MIN),
            premium_tier: String::from("premium"),
            premium_period: Duration::from_hours(24 * 30),
            premium_price: NonZeroU32::new(250).unwrap_or(NonZeroU32::MIN),
            accounting_retention: Duration::from_hours(24 * 3_650),
        }
    }
}

fn page_size<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NonZeroU32, D::Error> {
    let n = u32::deserialize(deserializer)?;
    NonZeroU32::new(n).filter(|n| n.get() <= 10).ok_or_else(|| D::Error::custom(format!("{n} is not between 1 and 10")))
}

fn time_zone<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let name = String::deserialize(deserializer)?;
    resolve_time_zone(&name).map_err(D::Error::custom)?;
    Ok(name)
}

/// Resolves a `reset_time_zone` value: `UTC`, an IANA name, or a fixed offset `±HH:MM`.
pub fn resolve_time_zone(name: &str) -> Result<jiff::tz::TimeZone, String> {
    let name = name.trim();
    if name.eq_ignore_ascii_case("utc") {
        return Ok(jiff::tz::TimeZone::UTC);
    }
    if name.starts_with(['+', '-']) {
        return fixed_offset(name)
            .map(jiff::tz::TimeZone::fixed)
            .ok_or_else(|| format!("invalid offset {name:?}: expected +HH:MM or -HH:MM"));
    }
    crate::zones::get(name).ok_or_else(|| format!("unknown time zone {name:?}"))
}

fn fixed_offset(text: &str) -> Option<jiff::tz::Offset> {
    let sign: i32 = if text.starts_with('-') { -1 } else { 1 };
    let (hours, minutes) = text.get(1..)?.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    if hours > 14 || minutes > 59 {
        return None;
    }
    jiff::tz::Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_resolve() {
        assert_eq!(resolve_time_zone("UTC").expect("utc"), jiff::tz::TimeZone::UTC);
        assert!(resolve_time_zone("Europe/Berlin").is_ok());
        assert!(resolve_time_zone("+05:30").is_ok());
        assert!(resolve_time_zone("-03:00").is_ok());
        for bad in ["Mars/Olympus", "+5", "+15:00", "+05:60", "", "UTC+1"] {
            assert!(resolve_time_zone(bad).is_err(), "{bad:?}");
        }
    }
}
