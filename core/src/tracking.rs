//! Tracking ids: what the gateway hands out on a receipt, and the one rule of what the widget
//! may put into a status URL.

/// A tracking id the gateway can know: 1–32 characters of `A–Z`, `0–9` and `-`, the only
/// thing the status view ever puts into a URL. Built only by [`TrackingId::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingId(String);

/// Why what the citizen typed is no tracking id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackingIdError {
    /// Nothing but spaces.
    Missing,
    /// Too long, or a character outside `A–Z`, `0–9` and `-`.
    Invalid,
}

impl TrackingId {
    /// Trims what the citizen typed and upper-cases it (ASCII only: `ı` must not become `I`),
    /// then checks it.
    pub fn parse(typed: &str) -> Result<TrackingId, TrackingIdError> {
        let id = typed.trim().to_ascii_uppercase();
        if id.is_empty() {
            return Err(TrackingIdError::Missing);
        }
        let valid = id.len() <= 32
            && id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(TrackingId(id))
        } else {
            Err(TrackingIdError::Invalid)
        }
    }

    /// The id, as it goes into the status URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
