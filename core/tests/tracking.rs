//! The tracking-id rule: trimmed, upper-cased, then checked.

use lapor_core::tracking::{TrackingId, TrackingIdError};

fn check(typed: &str, expected: Result<&str, TrackingIdError>) {
    let parsed = TrackingId::parse(typed);
    assert_eq!(
        parsed.as_ref().map(TrackingId::as_str).map_err(|e| *e),
        expected,
        "{typed:?}"
    );
    // Parsing what was parsed changes nothing.
    if let Ok(id) = parsed {
        assert_eq!(TrackingId::parse(id.as_str()), Ok(id));
    }
}

#[test]
fn tracking_ids_are_trimmed_upper_cased_and_checked() {
    use TrackingIdError::{Invalid, Missing};
    check("LPR-7K2M-Q9TX-4HND", Ok("LPR-7K2M-Q9TX-4HND"));
    check("  lpr-7k2m-q9tx-4hnd\n", Ok("LPR-7K2M-Q9TX-4HND"));
    check("\tLpr-1 ", Ok("LPR-1"));
    check("A", Ok("A"));
    check("-", Ok("-"));
    check(&"A".repeat(32), Ok(&"A".repeat(32)));
    check(&"A".repeat(33), Err(Invalid));
    check("", Err(Missing));
    check("   \t", Err(Missing));
    check("LPR 7K2M", Err(Invalid));
    check("LPR_7K2M", Err(Invalid));
    check("../config", Err(Invalid));
    check("LPR-1?x=1", Err(Invalid));
    check("LPR-1#", Err(Invalid));
    check("LPR%2F1", Err(Invalid));
    // Non-ASCII letters are refused, never folded into ASCII ones.
    check("lpr-ıd", Err(Invalid));
    check("LPR-É", Err(Invalid));
    check("ＬＰＲ", Err(Invalid));
}
