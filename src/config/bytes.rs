//! Byte counts for serde (an integer number of bytes), with bounds checked at parse time.

use serde::{Deserialize, Deserializer, de::Error as _};

/// Deserialises an integer number of bytes within `MIN..=MAX`.
pub(super) fn bytes_within<'de, const MIN: u64, const MAX: u64, D>(deserializer: D) -> Result<u64, D::Error>
where
    D: Deserializer<'de>,
{
    let value = u64::deserialize(deserializer)?;
    checked(value, MIN, MAX).map_err(D::Error::custom)
}

/// `value` if it is within `min..=max`, or what is wrong (one copy of this code, not one per pair
/// of bounds).
fn checked(value: u64, min: u64, max: u64) -> Result<u64, String> {
    if value < min || value > max {
        return Err(format!("{value} bytes is out of range ({min} to {max})"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    #[test]
    fn bounds_are_inclusive() {
        assert_eq!(super::checked(10, 10, 20), Ok(10));
        assert_eq!(super::checked(20, 10, 20), Ok(20));
        assert!(super::checked(9, 10, 20).unwrap_err().contains("out of range (10 to 20)"));
        assert!(super::checked(21, 10, 20).is_err());
    }
}
