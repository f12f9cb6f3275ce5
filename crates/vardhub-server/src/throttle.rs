//! Inloggningsbromsen / throttling of failed authentication, per client address and per
//! attempted user name.
//!
//! Each key (an address, or a name) has a token bucket of failures: it holds
//! [`ThrottlePolicy::burst`] failures and regains one every [`ThrottlePolicy::refill`]. A failed
//! login (wrong name or token) or an unknown bearer token takes one from its address's bucket and,
//! for logins, one from the name's. While a bucket is empty, attempts of that key are answered
//! with 429 and `Retry-After` *before* any credential is checked, so guessing stops paying off.
//!
//! The audit log records a throttled key once per window (from the moment its bucket ran empty
//! until it holds a failure's worth again), not once per request: a flood must not become a flood
//! of audit rows. IPv6 addresses are keyed by their /64 (one host usually owns a whole /64).
//! Memory is bounded: at [`MAX_KEYS`] keys, full buckets (nothing to remember) are dropped first,
//! then everything.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys remembered at once.
pub const MAX_KEYS: usize = 100_000;

/// How many failures are tolerated and how fast they are forgiven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed in a row before attempts are refused.
    pub burst: u32,
    /// One failure is forgiven per this interval.
    pub refill: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            burst: 10,
            refill: Duration::from_secs(30),
        }
    }
}

/// What is throttled: a client address or an attempted user name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// A client address (IPv6: its /64).
    Addr(IpAddr),
    /// An attempted user name.
    Name(String),
}

impl Key {
    /// The key of a client address.
    pub fn addr(ip: IpAddr) -> Key {
        match ip {
            IpAddr::V4(_) => Key::Addr(ip),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Key::Addr(IpAddr::V4(v4)),
                None => {
                    let bits = u128::from(v6) & !((1u128 << 64) - 1);
                    Key::Addr(IpAddr::V6(bits.into()))
                }
            },
        }
    }
}

/// A refusal: when to try again, and whether this is the first refusal of the window (the one
/// the audit log records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Seconds until one more attempt is allowed (at least 1).
    pub retry_after_secs: u64,
    /// True for the first refused attempt since the key's bucket ran empty.
    pub first_in_window: bool,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Failures still allowed (fractional while refilling).
    tokens: f64,
    updated: Instant,
    /// A refusal of this window has been reported.
    reported: bool,
}

/// The throttle of one server (shared by all requests).
#[derive(Debug, Default)]
pub struct Throttle {
    policy: ThrottlePolicy,
    buckets: Mutex<HashMap<Key, Bucket>>,
}

impl Throttle {
    /// A throttle with this policy.
    pub fn new(policy: ThrottlePolicy) -> Throttle {
        Throttle {
            policy,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn rate(&self) -> f64 {
        1.0 / self.policy.refill.as_secs_f64().max(1e-3)
    }

    fn refilled(&self, b: &mut Bucket, now: Instant) {
        let gained = now.saturating_duration_since(b.updated).as_secs_f64() * self.rate();
        b.tokens = (b.tokens + gained).min(f64::from(self.policy.burst));
        b.updated = now;
        if b.tokens >= 1.0 {
            b.reported = false;
        }
    }

    /// May an attempt of these keys go ahead? `Err` for the first key whose bucket is empty.
    pub fn check(&self, keys: &[Key]) -> Result<(), Throttled> {
        self.check_at(keys, Instant::now())
    }

    fn check_at(&self, keys: &[Key], now: Instant) -> Result<(), Throttled> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            let Some(b) = buckets.get_mut(k) else {
                continue;
            };
            self.refilled(b, now);
            if b.tokens < 1.0 {
                let wait = ((1.0 - b.tokens) / self.rate()).ceil().max(1.0);
                let first = !b.reported;
                b.reported = true;
                // Whole seconds; the cast saturates, and `wait` is at most one refill interval.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let retry_after_secs = wait as u64;
                return Err(Throttled {
                    retry_after_secs,
                    first_in_window: first,
                });
            }
        }
        Ok(())
    }

    /// Count one failure against each key.
    pub fn fail(&self, keys: &[Key]) {
        self.fail_at(keys, Instant::now());
    }

    fn fail_at(&self, keys: &[Key], now: Instant) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() + keys.len() > MAX_KEYS {
            let burst = f64::from(self.policy.burst);
            let rate = self.rate();
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * rate < burst
            });
            if buckets.len() + keys.len() > MAX_KEYS {
                buckets.clear();
            }
        }
        for k in keys {
            let b = buckets.entry(k.clone()).or_insert(Bucket {
                tokens: f64::from(self.policy.burst),
                updated: now,
                reported: false,
            });
            self.refilled(b, now);
            b.tokens = (b.tokens - 1.0).max(0.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> Throttle {
        Throttle::new(ThrottlePolicy {
            burst: 3,
            refill: Duration::from_secs(10),
        })
    }

    #[test]
    fn a_burst_of_failures_then_refusals_until_one_is_forgiven() {
        let t = throttle();
        let k = [Key::Name("anna".into())];
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.check_at(&k, t0), Ok(()));
            t.fail_at(&k, t0);
        }
        let first = t.check_at(&k, t0).unwrap_err();
        assert_eq!(first.retry_after_secs, 10);
        assert!(first.first_in_window);
        let again = t.check_at(&k, t0 + Duration::from_secs(4)).unwrap_err();
        assert_eq!(again.retry_after_secs, 6);
        assert!(!again.first_in_window, "reported once per window");
        assert_eq!(t.check_at(&k, t0 + Duration::from_secs(10)), Ok(()));
        t.fail_at(&k, t0 + Duration::from_secs(10));
        assert!(
            t.check_at(&k, t0 + Duration::from_secs(10))
                .unwrap_err()
                .first_in_window,
            "a new window is reported again"
        );
        // Other keys are not affected.
        assert_eq!(t.check_at(&[Key::Name("bo".into())], t0), Ok(()));
    }

    #[test]
    fn ipv6_addresses_share_their_64_and_mapped_ipv4_is_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(Key::addr(a), Key::addr(b));
        assert_ne!(Key::addr(a), Key::addr(c));
        let m: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(Key::addr(m), Key::Addr("192.0.2.1".parse().unwrap()));
    }
}
