//! Refused sign-ins, counted into one audit entry per client address (an IPv6 /64) and minute:
//! a forged, stale, replayed or misdirected sign-in is a security event, but one entry each would
//! let a client write the permanent, MAC-chained trail as fast as it can send requests (200 bad
//! requests were 200 entries: ≈ 345,000 a day per address, on an SD card).
//!
//! Each refusal is counted in its address's window of the current minute; a window is appended
//! to the trail as one `web_auth_refused` entry (`address`, `count`, `reasons` with their counts,
//! `since_ms`) once its minute has ended — on the address's next refusal, on the listener's
//! sweep ([`SWEEP_EVERY`]), or at shutdown. At most [`MAX_WINDOWS`] addresses are counted apart
//! in a minute; beyond that the rest share one window (`address = "other addresses"`).

use std::{
    collections::{BTreeMap, HashMap},
    fmt::Write as _,
    net::{IpAddr, Ipv6Addr},
    sync::{Mutex, PoisonError},
    time::Duration,
};

/// Addresses counted apart in a minute at most.
pub const MAX_WINDOWS: usize = 4096;
/// How often the listener appends the windows of minutes that have ended.
pub const SWEEP_EVERY: Duration = Duration::from_secs(15);
/// The window of the addresses beyond [`MAX_WINDOWS`].
const OTHERS: [u8; 16] = [0xff; 16];
const MINUTE_MS: u64 = 60_000;

/// One address's refusals in one minute.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Window {
    minute: u64,
    address: String,
    reasons: BTreeMap<&'static str, u64>,
}

impl Window {
    fn count(&self) -> u64 {
        self.reasons.values().sum()
    }

    /// Appends this window to the audit trail.
    fn emit(&self) {
        let mut reasons = String::new();
        for (reason, count) in &self.reasons {
            let separator = if reasons.is_empty() { "" } else { ", " };
            let _ = write!(reasons, "{separator}{reason}: {count}");
        }
        tracing::info!(
            target: "arcana::audit",
            event = "web_auth_refused",
            address = %self.address,
            count = self.count(),
            reasons = %reasons,
            since_ms = self.minute * MINUTE_MS,
            "web sign-ins refused"
        );
    }
}

/// The refusals of the current minute, per address.
#[derive(Debug, Default)]
pub struct RefusedSignIns {
    windows: Mutex<HashMap<[u8; 16], Window>>,
}

impl RefusedSignIns {
    /// Counts a sign-in from `address` refused for `reason` at `now_ms`.
    pub fn record(&self, address: IpAddr, reason: &'static str, now_ms: u64) {
        tracing::debug!(reason, "web sign-in refused");
        let minute = now_ms / MINUTE_MS;
        let mut key = crate::sentinel::client_key(address);
        let ended = {
            let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
            if !windows.contains_key(&key) && windows.len() >= MAX_WINDOWS {
                key = OTHERS;
            }
            let label = || if key == OTHERS { String::from("other addresses") } else { label(address) };
            let window =
                windows.entry(key).or_insert_with(|| Window { minute, address: label(), reasons: BTreeMap::new() });
            let ended = (window.minute != minute)
                .then(|| std::mem::replace(window, Window { minute, address: label(), reasons: BTreeMap::new() }));
            *window.reasons.entry(reason).or_default() += 1;
            ended
        };
        if let Some(window) = ended {
            window.emit();
        }
    }

    /// Appends the windows of minutes that ended before `now_ms`.
    pub fn sweep(&self, now_ms: u64) {
        let minute = now_ms / MINUTE_MS;
        let ended: Vec<Window> = {
            let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
            let keys: Vec<[u8; 16]> = windows.iter().filter(|(_, w)| w.minute < minute).map(|(k, _)| *k).collect();
            keys.iter().filter_map(|k| windows.remove(k)).collect()
        };
        for window in &ended {
            window.emit();
        }
    }

    /// Appends every window (at shutdown).
    pub fn sweep_all(&self) {
        self.sweep(u64::MAX);
    }
}

/// An address as its window is labelled: IPv4 as is, IPv6 as its /64.
fn label(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => format!("{}/64", Ipv6Addr::from(crate::sentinel::client_key(IpAddr::V6(v6)))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(tally: &RefusedSignIns) -> Vec<Window> {
        let mut all: Vec<Window> =
            tally.windows.lock().unwrap_or_else(PoisonError::into_inner).values().cloned().collect();
        all.sort_by(|a, b| a.address.cmp(&b.address));
        all
    }

    #[test]
    fn refusals_of_one_address_in_one_minute_are_one_window() {
        let tally = RefusedSignIns::default();
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().expect("a"), "2001:db8::1".parse().expect("b"));
        let same_64: IpAddr = "2001:db8::ffff".parse().expect("b'");
        for n in 0..200 {
            tally.record(a, if n % 4 == 0 { "bad signature" } else { "signed data expired" }, 120_000 + n);
        }
        tally.record(b, "login state", 121_000);
        tally.record(same_64, "login state", 179_999);
        let all = windows(&tally);
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!((all[0].address.as_str(), all[0].count()), ("192.0.2.1", 200));
        assert_eq!(all[0].reasons.get("bad signature"), Some(&50));
        assert_eq!((all[1].address.as_str(), all[1].count()), ("2001:db8::/64", 2));

        // The next minute starts a new window (the ended one is appended); a sweep takes the rest.
        tally.record(a, "bad signature", 180_000);
        assert_eq!(windows(&tally).iter().map(Window::count).collect::<Vec<_>>(), [1, 2]);
        tally.sweep(180_001);
        assert_eq!(windows(&tally).len(), 1, "the ended minute of b is gone, a's current one stays");
        tally.sweep_all();
        assert!(windows(&tally).is_empty());
    }

    #[test]
    fn addresses_beyond_the_cap_share_one_window() {
        let tally = RefusedSignIns::default();
        for n in 0..=u32::try_from(MAX_WINDOWS).expect("fits") {
            tally.record(IpAddr::from(n.to_be_bytes()), "bad signature", 0);
        }
        tally.record(IpAddr::from([10, 0, 0, 1]), "bad signature", 0);
        let all = windows(&tally);
        assert_eq!(all.len(), MAX_WINDOWS + 1);
        let others = all.iter().find(|w| w.address == "other addresses").expect("others");
        assert_eq!(others.count(), 2);
    }
}
