//! The card of the day (`/daily`): a user's choice — their time zone and the hour — and the
//! local day of the last card sent, sealed under the user's own data key like their profile.
//!
//! **At most once a day.** [`DailyPlans::claim`] writes "sent for day D" before the card goes
//! out (the caller flushes it first); a kill between the write and Telegram's answer loses that
//! day's card, never sends it twice. Every change of a plan is a read-modify-write under one
//! lock, so `/daily` changing the hour and the morning round claiming a day never undo each
//! other.
//!
//! Time zones are IANA names from jiff's bundled database (daylight saving included) or fixed
//! offsets (the buttons); a typed city is matched against the database's city names and a small
//! table of Russian and Spanish names (hand-written: no crate maps city names to zones offline).

use std::sync::{Arc, Mutex, PoisonError};

use jiff::{
    Timestamp,
    civil::Date,
    tz::{Offset, TimeZone},
};
use serde::{Deserialize, Serialize};

use crate::{
    store::Store,
    vault::{Sealed, SealedTree, Vault, VaultError},
    zones,
};

/// Serialises every read-modify-write of a plan (handlers and the morning round).
static PLAN_WRITE: Mutex<()> = Mutex::new(());

/// The most a fixed offset may be east or west of UTC, in minutes (UTC−12 to UTC+14).
const MIN_OFFSET: i32 = -12 * 60;
const MAX_OFFSET: i32 = 14 * 60;

/// A user's time zone for the card of the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DailyZone {
    /// A fixed offset from UTC, in minutes.
    Fixed(i32),
    /// An IANA name (daylight saving follows it).
    Named(String),
}

impl DailyZone {
    /// A fixed offset of `minutes` east of UTC, if it is one the world uses (UTC−12 to UTC+14).
    #[must_use]
    pub fn fixed(minutes: i32) -> Option<DailyZone> {
        (MIN_OFFSET..=MAX_OFFSET).contains(&minutes).then_some(DailyZone::Fixed(minutes))
    }

    /// The zone a user typed: `UTC`, an offset (`+3`, `UTC-05:30`, `GMT+1`), an IANA name
    /// (`Europe/Lisbon`) or a city (`Lisbon`, `new york`, `Москва`, `Ciudad de México`).
    #[must_use]
    pub fn parse(text: &str) -> Option<DailyZone> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 64 {
            return None;
        }
        let lower = text.to_lowercase();
        if matches!(lower.as_str(), "utc" | "gmt" | "z") {
            return Some(DailyZone::Fixed(0));
        }
        if let Some(minutes) = parse_offset(&lower) {
            return DailyZone::fixed(minutes);
        }
        if text.contains('/')
            && let Some(zone) = zones::get(text)
            && let Some(name) = zone.iana_name()
        {
            return Some(DailyZone::Named(name.to_owned()));
        }
        let city = city_key(&lower);
        if let Some(&(_, name)) = ALIASES.iter().find(|(alias, _)| city_key(alias) == city) {
            return Some(DailyZone::Named(name.to_owned()));
        }
        zones::names()
            .find(|name| {
                name.contains('/')
                    && !name.starts_with("Etc/")
                    && name.rsplit('/').next().is_some_and(|last| city_key(&last.to_lowercase()) == city)
            })
            .map(|name| DailyZone::Named(name.to_owned()))
    }

    /// The zone a button names: `o` and minutes for a fixed offset, `n` and the name's
    /// token (a hash of it, see [`DailyZone::button_args`]) for an IANA name.
    #[must_use]
    pub fn from_button(kind: &str, value: &str) -> Option<DailyZone> {
        match kind {
            "o" => value.parse().ok().and_then(DailyZone::fixed),
            "n" => zones::names().find(|name| token_of(name) == value).map(|name| DailyZone::Named(name.to_owned())),
            _ => None,
        }
    }

    /// The two button arguments naming this zone (see [`DailyZone::from_button`]); each fits a
    /// signed button's 16-character argument.
    #[must_use]
    pub fn button_args(&self) -> [String; 2] {
        match self {
            DailyZone::Fixed(minutes) => [String::from("o"), minutes.to_string()],
            DailyZone::Named(name) => [String::from("n"), token_of(name)],
        }
    }

    /// The zone as people read it: `UTC`, `UTC+03:00`, `UTC−05:30`, `Europe/Lisbon`.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            DailyZone::Fixed(0) => String::from("UTC"),
            DailyZone::Fixed(minutes) => {
                let sign = if *minutes < 0 { '−' } else { '+' };
                let abs = minutes.unsigned_abs();
                format!("UTC{sign}{:02}:{:02}", abs / 60, abs % 60)
            }
            DailyZone::Named(name) => name.clone(),
        }
    }

    fn time_zone(&self) -> TimeZone {
        match self {
            DailyZone::Fixed(minutes) => {
                Offset::from_seconds(minutes.saturating_mul(60)).map_or(TimeZone::UTC, TimeZone::fixed)
            }
            // A name the database no longer knows reads as UTC rather than stopping the card.
            DailyZone::Named(name) => zones::get(name).unwrap_or(TimeZone::UTC),
        }
    }

    /// The local time at `unix_ms` in this zone, `HH:MM`.
    #[must_use]
    pub fn local_time(&self, unix_ms: u64) -> String {
        let ts = Timestamp::from_millisecond(i64::try_from(unix_ms).unwrap_or(i64::MAX)).unwrap_or(Timestamp::MAX);
        ts.to_zoned_datetime(self.time_zone()).strftime("%H:%M").to_string()
    }

    /// The local day (days since 1970-01-01) and hour at `unix_ms` in this zone.
    #[must_use]
    pub fn local_day_hour(&self, unix_ms: u64) -> (i32, u8) {
        let ts = Timestamp::from_millisecond(i64::try_from(unix_ms).unwrap_or(i64::MAX)).unwrap_or(Timestamp::MAX);
        let local = ts.to_zoned_datetime(self.time_zone());
        let day = local.date().since(Date::constant(1970, 1, 1)).map_or(0, |span| span.get_days());
        (day, u8::try_from(local.hour()).unwrap_or(0))
    }
}

/// `+3`, `-05:30`, `utc+3`, `gmt-5`, `+0530`, `−3` as minutes east of UTC.
fn parse_offset(lower: &str) -> Option<i32> {
    let rest = lower.strip_prefix("utc").or_else(|| lower.strip_prefix("gmt")).unwrap_or(lower).trim();
    let (sign, digits) = match rest.chars().next()? {
        '+' => (1, &rest[1..]),
        '-' => (-1, &rest[1..]),
        '−' => (-1, &rest['−'.len_utf8()..]),
        _ => return None,
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    if hours.is_empty() || hours.len() > 2 || minutes.len() > 2 {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (matches!(minutes, 0 | 15 | 30 | 45) && hours <= 14).then_some(sign * (hours * 60 + minutes))
}

/// A city name compared loosely: lower case, accents dropped, spaces and hyphens as `_`.
fn city_key(lower: &str) -> String {
    lower
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            'ё' => 'е',
            other => other,
        })
        .collect()
}

/// A stable 16-hex-digit name of an IANA zone for button data (FNV-1a, 64 bits: a few lines,
/// not worth a crate; collisions among the ~600 names are checked by a test).
fn token_of(name: &str) -> String {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

/// Cities whose Russian or Spanish name differs from the database's (English) one.
const ALIASES: [(&str, &str); 30] = [
    ("москва", "Europe/Moscow"),
    ("санкт-петербург", "Europe/Moscow"),
    ("петербург", "Europe/Moscow"),
    ("питер", "Europe/Moscow"),
    ("киев", "Europe/Kyiv"),
    ("kiev", "Europe/Kyiv"),
    ("київ", "Europe/Kyiv"),
    ("минск", "Europe/Minsk"),
    ("калининград", "Europe/Kaliningrad"),
    ("самара", "Europe/Samara"),
    ("екатеринбург", "Asia/Yekaterinburg"),
    ("новосибирск", "Asia/Novosibirsk"),
    ("красноярск", "Asia/Krasnoyarsk"),
    ("иркутск", "Asia/Irkutsk"),
    ("владивосток", "Asia/Vladivostok"),
    ("алматы", "Asia/Almaty"),
    ("ташкент", "Asia/Tashkent"),
    ("тбилиси", "Asia/Tbilisi"),
    ("ереван", "Asia/Yerevan"),
    ("лондон", "Europe/London"),
    ("берлин", "Europe/Berlin"),
    ("нью-йорк", "America/New_York"),
    ("nueva york", "America/New_York"),
    ("ciudad de méxico", "America/Mexico_City"),
    ("cdmx", "America/Mexico_City"),
    ("londres", "Europe/London"),
    ("lisboa", "Europe/Lisbon"),
    ("bogotá", "America/Bogota"),
    ("la habana", "America/Havana"),
    ("nueva delhi", "Asia/Kolkata"),
];

/// A user's card of the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyPlan {
    /// Their time zone.
    pub zone: DailyZone,
    /// The local hour the card comes at (0–23).
    pub hour: u8,
    /// The local day (days since 1970-01-01) of the last card sent — or of the day they chose
    /// an hour already past, so the first card comes the next morning.
    pub last_day: Option<i32>,
}

impl Sealed for DailyPlan {
    const TREE: &'static str = "daily";
    const VERSION: u8 = 1;
}

impl DailyPlan {
    /// The local day whose card is due at `now_ms`, if one is: the hour has come and that day's
    /// card has not been sent.
    #[must_use]
    pub fn due_day(&self, now_ms: u64) -> Option<i32> {
        let (day, hour) = self.zone.local_day_hour(now_ms);
        (hour >= self.hour && self.last_day.is_none_or(|last| last < day)).then_some(day)
    }
}

/// The sealed plans, keyed by user id.
#[derive(Clone)]
pub struct DailyPlans {
    tree: SealedTree<DailyPlan>,
}

impl DailyPlans {
    /// The plans in `store`, sealed with `vault`.
    pub fn new(store: &Store, vault: Arc<Vault>) -> Result<DailyPlans, VaultError> {
        Ok(DailyPlans { tree: SealedTree::new(store, vault)? })
    }

    /// User `id`'s plan, if they subscribed.
    pub fn get(&self, id: i64) -> Result<Option<DailyPlan>, VaultError> {
        self.tree.get(id, &id.to_be_bytes())
    }

    /// Subscribes user `id` (or changes their zone and hour) at `now_ms`: if the hour has passed
    /// today, today counts as done. A card already sent today stays the only one today.
    pub fn set(&self, id: i64, zone: DailyZone, hour: u8, now_ms: u64) -> Result<DailyPlan, VaultError> {
        let _write = PLAN_WRITE.lock().unwrap_or_else(PoisonError::into_inner);
        let previous = self.get(id)?.and_then(|p| p.last_day);
        let (today, now_hour) = zone.local_day_hour(now_ms);
        let last_day = if now_hour >= hour { Some(previous.map_or(today, |p| p.max(today))) } else { previous };
        let plan = DailyPlan { zone, hour: hour.min(23), last_day };
        self.tree.put(id, &id.to_be_bytes(), &plan)?;
        Ok(plan)
    }

    /// Unsubscribes user `id`; true if they were subscribed.
    pub fn remove(&self, id: i64) -> Result<bool, VaultError> {
        let _write = PLAN_WRITE.lock().unwrap_or_else(PoisonError::into_inner);
        self.tree.remove(&id.to_be_bytes())
    }

    /// Records that user `id`'s card for local `day` is being sent; true if it was still due
    /// (subscribed, and that day's card not sent). Written, not flushed: the caller flushes
    /// before sending.
    pub fn claim(&self, id: i64, day: i32) -> Result<bool, VaultError> {
        let _write = PLAN_WRITE.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(mut plan) = self.get(id)? else { return Ok(false) };
        if plan.last_day.is_some_and(|last| last >= day) {
            return Ok(false);
        }
        plan.last_day = Some(day);
        self.tree.put(id, &id.to_be_bytes(), &plan)?;
        Ok(true)
    }

    /// The subscribers whose card is due at `now_ms`, with the local day due, by user id. A
    /// plan that does not open is logged and passed over.
    pub fn due(&self, now_ms: u64) -> Result<Vec<(i64, i32)>, VaultError> {
        let mut due = Vec::new();
        for id in self.tree.subject_ids()? {
            match self.get(id) {
                Ok(Some(plan)) => due.extend(plan.due_day(now_ms).map(|day| (id, day))),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "a card-of-the-day plan did not open; passed over"),
            }
        }
        Ok(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-07 05:00 UTC, in ms.
    const MONDAY_5_UTC: u64 = 1_796_619_600_000;
    const HOUR: u64 = 3_600_000;

    #[test]
    fn typed_zones_are_offsets_names_and_cities() {
        assert_eq!(DailyZone::parse("UTC"), Some(DailyZone::Fixed(0)));
        assert_eq!(DailyZone::parse("+3"), Some(DailyZone::Fixed(180)));
        assert_eq!(DailyZone::parse("UTC-05:30"), Some(DailyZone::Fixed(-330)));
        assert_eq!(DailyZone::parse("gmt+0545"), Some(DailyZone::Fixed(345)));
        assert_eq!(DailyZone::parse("+15"), None);
        assert_eq!(DailyZone::parse("+3:20"), None);
        assert_eq!(DailyZone::parse("europe/lisbon"), Some(DailyZone::Named("Europe/Lisbon".into())));
        assert_eq!(DailyZone::parse("new york"), Some(DailyZone::Named("America/New_York".into())));
        assert_eq!(DailyZone::parse("Москва"), Some(DailyZone::Named("Europe/Moscow".into())));
        assert_eq!(DailyZone::parse("Ciudad de Mexico"), Some(DailyZone::Named("America/Mexico_City".into())));
        assert_eq!(DailyZone::parse("Atlantis"), None);
        assert_eq!(DailyZone::parse(""), None);
    }

    #[test]
    fn every_alias_names_a_zone_the_database_knows() {
        for (alias, name) in ALIASES {
            assert!(zones::get(name).is_some(), "{alias} → {name}");
        }
    }

    #[test]
    fn button_arguments_name_the_zone_back_and_fit_a_button() {
        let mut tokens = std::collections::HashSet::new();
        for name in zones::names() {
            assert!(tokens.insert(token_of(name)), "two zones share a token");
        }
        for zone in [DailyZone::Fixed(-330), DailyZone::Named("America/Argentina/ComodRivadavia".into())] {
            let [kind, value] = zone.button_args();
            assert!(value.len() <= 16, "{value}");
            assert_eq!(DailyZone::from_button(&kind, &value), Some(zone));
        }
        assert_eq!(DailyZone::from_button("o", "9999"), None);
    }

    #[test]
    fn labels_read_naturally() {
        assert_eq!(DailyZone::Fixed(0).label(), "UTC");
        assert_eq!(DailyZone::Fixed(330).label(), "UTC+05:30");
        assert_eq!(DailyZone::Fixed(-300).label(), "UTC−05:00");
    }

    #[test]
    fn the_card_is_due_from_the_hour_once_a_day() {
        let plan = DailyPlan { zone: DailyZone::Fixed(180), hour: 8, last_day: None };
        // 05:00 UTC is 08:00 at UTC+3.
        let day = plan.due_day(MONDAY_5_UTC).expect("due at the hour");
        assert_eq!(plan.due_day(MONDAY_5_UTC - 1), None, "not before");
        let sent = DailyPlan { last_day: Some(day), ..plan.clone() };
        assert_eq!(sent.due_day(MONDAY_5_UTC + 10 * HOUR), None, "once that day");
        assert_eq!(sent.due_day(MONDAY_5_UTC + 24 * HOUR), Some(day + 1), "again the next morning");
    }

    #[test]
    fn claiming_a_day_twice_claims_it_once_and_an_hour_already_past_starts_tomorrow() {
        let t = crate::vault::testing::temp_vault();
        let plans = DailyPlans::new(&t.data, Arc::clone(&t.vault)).expect("plans");
        let plan = plans.set(7, DailyZone::Fixed(0), 5, MONDAY_5_UTC + HOUR).expect("set");
        assert!(plan.due_day(MONDAY_5_UTC + HOUR).is_none(), "chosen after the hour: from tomorrow");
        assert!(plans.due(MONDAY_5_UTC + 2 * HOUR).expect("due").is_empty());
        let tomorrow = MONDAY_5_UTC + 24 * HOUR;
        let due = plans.due(tomorrow).expect("due");
        assert_eq!(due.len(), 1);
        assert!(plans.claim(7, due[0].1).expect("claim"));
        assert!(!plans.claim(7, due[0].1).expect("claim"), "a day is claimed once");
        // Moving the hour later the same day does not bring a second card.
        plans.set(7, DailyZone::Fixed(0), 9, tomorrow).expect("set");
        assert!(plans.due(tomorrow + 5 * HOUR).expect("due").is_empty());
        assert!(plans.remove(7).expect("remove"));
        assert!(!plans.claim(7, due[0].1 + 1).expect("claim"), "unsubscribed");
    }
}
