//! Slots per client address: one host may hold at most a few of the listener's connections (or,
//! behind a trusted proxy, of the requests in flight: [`super::client_slots`]), so a single
//! machine opening hundreds of idle connections cannot lock everyone else out. IPv6 addresses
//! count per /64 (one host usually holds a whole /64).

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex, PoisonError},
};

/// The count of open connections per address.
#[derive(Debug, Clone)]
pub struct PeerSlots {
    open: Arc<Mutex<HashMap<[u8; 16], usize>>>,
    max: usize,
}

/// One open connection of an address; counted down when dropped.
#[derive(Debug)]
pub struct PeerSlot {
    slots: PeerSlots,
    key: [u8; 16],
}

impl PeerSlots {
    /// At most `max` connections per address.
    #[must_use]
    pub fn new(max: usize) -> PeerSlots {
        PeerSlots { open: Arc::default(), max }
    }

    /// A slot for a connection from `address`, or `None` when it holds `max` already.
    #[must_use]
    pub fn enter(&self, address: IpAddr) -> Option<PeerSlot> {
        let key = crate::sentinel::client_key(address);
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(key).or_default();
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(PeerSlot { slots: self.clone(), key })
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_holds_at_most_max_and_gets_them_back() {
        let slots = PeerSlots::new(2);
        let a: IpAddr = "2001:db8::1".parse().expect("address");
        let same_64: IpAddr = "2001:db8::ffff".parse().expect("address");
        let other: IpAddr = "192.0.2.1".parse().expect("address");
        let first = slots.enter(a).expect("first");
        let _second = slots.enter(same_64).expect("second");
        assert!(slots.enter(a).is_none(), "the /64 is full");
        assert!(slots.enter(other).is_some(), "another address is not affected");
        drop(first);
        assert!(slots.enter(a).is_some(), "a closed connection frees its slot");
    }
}
