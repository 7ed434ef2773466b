//! Per-client token buckets for `POST /api/v1/reports`: each client IP may send a burst of
//! `per_minute` reports, refilled at `per_minute` per minute. A refused request learns, through
//! `Retry-After`, when the next token will be there. A client is an IPv4 address or an IPv6
//! /64 ([`client_key`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The rate limiter; `per_minute == 0` lets everything through.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `ip`; `Err(wait)` when there is none, with the time until there is.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        self.check_at(ip, Instant::now())
    }

    fn check_at(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let ip = client_key(ip);
        let capacity = f64::from(self.per_minute);
        let rate = capacity / 60.0; // tokens per second
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        // Keep memory bounded under a flood of distinct addresses: full buckets carry no state.
        if buckets.len() > 100_000 {
            buckets
                .retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < capacity);
        }
        let bucket = buckets.entry(ip).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * rate;
        bucket.tokens = (bucket.tokens + refill).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

/// The key one client is counted under: an IPv4 address as it is, an IPv6 address by its /64
/// (one subscriber's network: a host picks any of its 2^64 addresses at will). An IPv4 address
/// mapped into IPv6 is the IPv4 address.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(prefix.into())
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_is_keyed_by_its_64_and_ipv4_by_itself() {
        let key = |ip: &str| client_key(ip.parse().unwrap()).to_string();
        // (address, key)
        for (ip, expected) in [
            ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
            ("2001:db8:1:2::1", "2001:db8:1:2::"),
            ("2001:db8:1:3::1", "2001:db8:1:3::"),
            ("::1", "::"),
            ("203.0.113.7", "203.0.113.7"),
            ("::ffff:203.0.113.7", "203.0.113.7"),
        ] {
            assert_eq!(key(ip), expected, "{ip}");
        }
    }

    #[test]
    fn one_ipv6_64_shares_one_bucket() {
        let limiter = RateLimiter::new(1);
        let t0 = Instant::now();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(limiter.check_at(ip("2001:db8:1:2::1"), t0), Ok(()));
        assert!(limiter.check_at(ip("2001:db8:1:2::ffff"), t0).is_err());
        assert_eq!(limiter.check_at(ip("2001:db8:1:3::1"), t0), Ok(()));
    }

    #[test]
    fn burst_then_refusal_then_refill() {
        let limiter = RateLimiter::new(3);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at(ip, t0), Ok(()));
        }
        let wait = limiter.check_at(ip, t0).unwrap_err();
        assert!(
            wait > Duration::from_secs(19) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert_eq!(limiter.check_at(other, t0), Ok(()));
        assert_eq!(limiter.check_at(ip, t0 + Duration::from_secs(21)), Ok(()));
    }

    #[test]
    fn zero_disables() {
        let limiter = RateLimiter::new(0);
        let ip: IpAddr = "::1".parse().unwrap();
        assert!((0..1000).all(|_| limiter.check(ip).is_ok()));
    }
}
