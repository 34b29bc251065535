//! The daily allowance's counter, kept in the (sealed) account record; the rules that spend it
//! are in `readings::allowance`.

use serde::{Deserialize, Serialize};

/// Readings used on one local day, kept in the account record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// The local day (see `readings::ResetZone::day_of`).
    pub day: i32,
    /// Readings covered by the allowance on that day.
    pub count: u32,
}

impl Usage {
    /// Readings used on `today` (zero once the day has changed).
    #[must_use]
    pub fn used_on(&self, today: i32) -> u32 {
        if self.day == today { self.count } else { 0 }
    }
}
