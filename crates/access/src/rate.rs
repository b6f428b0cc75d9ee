//! The login rate limiter: one for every way of signing in (password, token, any later
//! factor, any HTTP method), so that no path is left unlimited (MISP CVE-2018-12649,
//! OpenCTI CVE-2024-45404).
//!
//! Failures are counted per (account, client address) and per client address, each in a
//! window that opens at the first failure and lasts [`RateLimits::window_ms`]. Once a count
//! reaches its limit, [`RateLimiter::check`] refuses until that window has passed. Pure: the
//! caller passes the time.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

/// The limits of a [`RateLimiter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Failures allowed per (account, address) in a window.
    pub per_account_and_ip: u32,
    /// Failures allowed per address in a window, whatever the accounts.
    pub per_ip: u32,
    /// The window, in milliseconds.
    pub window_ms: u64,
    /// The most (account, address) and address entries kept, each; beyond it the entries whose
    /// windows opened first are forgotten.
    pub capacity: usize,
}

impl Default for RateLimits {
    /// 5 failures per account and address, 20 per address, in 15 minutes; 100,000 entries.
    fn default() -> RateLimits {
        RateLimits { per_account_and_ip: 5, per_ip: 20, window_ms: 15 * 60 * 1000, capacity: 100_000 }
    }
}

/// A refusal: too many failed sign-ins; try again after `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many failed sign-ins: retry after {seconds} s")]
pub struct RetryAfter {
    /// Seconds until the window that refuses passes (at least 1).
    pub seconds: u64,
}

/// Counts failed sign-ins and refuses attempts beyond the limits. Memory is bounded by
/// [`RateLimits::capacity`]; entries are keyed by SHA-256 digests of the account and
/// address, so their size does not depend on what a client sends.
///
/// The caller should pass IPv6 addresses already cut to their /64 prefix: one client usually
/// holds a whole /64.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    limits: RateLimits,
    per_account_and_ip: Counters,
    per_ip: Counters,
}

impl Default for RateLimiter {
    fn default() -> RateLimiter {
        RateLimiter::new(RateLimits::default())
    }
}

impl RateLimiter {
    /// An empty limiter.
    pub fn new(limits: RateLimits) -> RateLimiter {
        RateLimiter { limits, per_account_and_ip: Counters::default(), per_ip: Counters::default() }
    }

    /// Whether a sign-in attempt for `account` from `ip` may go ahead at `now_ms`. Call it
    /// before checking any credential.
    pub fn check(&mut self, account: &str, ip: &str, now_ms: u64) -> Result<(), RetryAfter> {
        let window_ms = self.limits.window_ms;
        let waits = [
            self.per_account_and_ip.wait_ms(
                &account_key(account, ip),
                self.limits.per_account_and_ip,
                window_ms,
                now_ms,
            ),
            self.per_ip.wait_ms(&ip_key(ip), self.limits.per_ip, window_ms, now_ms),
        ];
        match waits.into_iter().flatten().max() {
            None => Ok(()),
            Some(wait_ms) => Err(RetryAfter { seconds: wait_ms.div_ceil(1000).max(1) }),
        }
    }

    /// Counts a failed sign-in for `account` from `ip` at `now_ms`.
    pub fn record_failure(&mut self, account: &str, ip: &str, now_ms: u64) {
        let (window_ms, capacity) = (self.limits.window_ms, self.limits.capacity);
        self.per_account_and_ip.record(account_key(account, ip), window_ms, capacity, now_ms);
        self.per_ip.record(ip_key(ip), window_ms, capacity, now_ms);
    }

    /// Forgets the failures of `account` from `ip` after it signed in. The address's own count
    /// stays: otherwise a client with one valid account could clear it between guesses at
    /// others.
    pub fn record_success(&mut self, account: &str, ip: &str) {
        self.per_account_and_ip.forget(&account_key(account, ip));
    }

    /// How many (account, address) and address entries are kept.
    pub fn entry_counts(&self) -> (usize, usize) {
        (self.per_account_and_ip.windows.len(), self.per_ip.windows.len())
    }

    /// Whether no failure is remembered.
    pub fn is_empty(&self) -> bool {
        self.per_account_and_ip.windows.is_empty() && self.per_ip.windows.is_empty()
    }
}

/// The canonical form of an account name: trimmed and lowercase, as a user id is written, so
/// that `Ann`, ` ann` and `ann` share one count.
fn canonical_account(account: &str) -> String {
    account.trim().to_lowercase()
}

type Key = [u8; 32];

fn account_key(account: &str, ip: &str) -> Key {
    let account = canonical_account(account);
    let mut hasher = Sha256::new();
    hasher.update(b"account+ip\0");
    hasher.update((account.len() as u64).to_le_bytes());
    hasher.update(account.as_bytes());
    hasher.update(ip.trim().as_bytes());
    hasher.finalize().into()
}

fn ip_key(ip: &str) -> Key {
    let mut hasher = Sha256::new();
    hasher.update(b"ip\0");
    hasher.update(ip.trim().as_bytes());
    hasher.finalize().into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    opened_ms: u64,
    failures: u32,
}

/// Failure counts by key, with the keys also ordered by when their window opened, for
/// eviction.
#[derive(Debug, Clone, Default)]
struct Counters {
    windows: BTreeMap<Key, Window>,
    by_opening: BTreeSet<(u64, Key)>,
}

impl Counters {
    /// The current window of `key`, forgetting it if it has passed.
    fn current(&mut self, key: &Key, window_ms: u64, now_ms: u64) -> Option<Window> {
        let window = *self.windows.get(key)?;
        if now_ms.saturating_sub(window.opened_ms) >= window_ms {
            self.forget(key);
            return None;
        }
        Some(window)
    }

    /// How long until `key` may try again, if it has reached `limit`.
    fn wait_ms(&mut self, key: &Key, limit: u32, window_ms: u64, now_ms: u64) -> Option<u64> {
        let window = self.current(key, window_ms, now_ms)?;
        let closes_ms = window.opened_ms.saturating_add(window_ms);
        (window.failures >= limit).then(|| closes_ms.saturating_sub(now_ms))
    }

    fn record(&mut self, key: Key, window_ms: u64, capacity: usize, now_ms: u64) {
        if let Some(window) = self.current(&key, window_ms, now_ms) {
            let failures = window.failures.saturating_add(1);
            self.windows.insert(key, Window { failures, ..window });
            return;
        }
        while self.windows.len() >= capacity.max(1) {
            let Some((_, oldest)) = self.by_opening.pop_first() else { break };
            self.windows.remove(&oldest);
        }
        self.windows.insert(key, Window { opened_ms: now_ms, failures: 1 });
        self.by_opening.insert((now_ms, key));
    }

    fn forget(&mut self, key: &Key) {
        if let Some(window) = self.windows.remove(key) {
            self.by_opening.remove(&(window.opened_ms, *key));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: u64 = 60 * 1000;

    #[test]
    fn the_sixth_failure_for_an_account_and_address_waits_for_the_window() {
        let mut limiter = RateLimiter::default();
        let start = 1_000_000;
        for attempt in 0..5 {
            assert_eq!(limiter.check("ann", "10.0.0.1", start + attempt), Ok(()), "attempt {attempt}");
            limiter.record_failure("ann", "10.0.0.1", start + attempt);
        }
        assert_eq!(limiter.check("ann", "10.0.0.1", start + 10), Err(RetryAfter { seconds: 900 }));
        assert_eq!(limiter.check("ann", "10.0.0.1", start + 14 * MINUTE), Err(RetryAfter { seconds: 60 }));
        // Another account from the same address, and the same account elsewhere, go on.
        assert_eq!(limiter.check("bob", "10.0.0.1", start + 10), Ok(()));
        assert_eq!(limiter.check("ann", "10.0.0.2", start + 10), Ok(()));
        assert_eq!(limiter.check("ann", "10.0.0.1", start + 15 * MINUTE), Ok(()));
    }

    #[test]
    fn account_names_are_canonical() {
        let mut limiter = RateLimiter::default();
        for (attempt, spelling) in ["ann", "ANN", " Ann ", "aNn\t", "ann"].into_iter().enumerate() {
            limiter.record_failure(spelling, "10.0.0.1", attempt as u64);
        }
        assert!(limiter.check("Ann", "10.0.0.1", 10).is_err());
        assert_eq!(limiter.entry_counts(), (1, 1));
    }

    #[test]
    fn an_address_is_limited_across_accounts() {
        let mut limiter = RateLimiter::default();
        for attempt in 0..20 {
            let account = format!("user{}", attempt % 7);
            assert_eq!(limiter.check(&account, "10.0.0.9", attempt), Ok(()), "attempt {attempt}");
            limiter.record_failure(&account, "10.0.0.9", attempt);
        }
        assert_eq!(limiter.check("fresh", "10.0.0.9", 100), Err(RetryAfter { seconds: 900 }));
        assert_eq!(limiter.check("fresh", "10.0.0.10", 100), Ok(()));
    }

    #[test]
    fn success_clears_the_account_count_but_not_the_address_count() {
        let mut limiter = RateLimiter::default();
        for attempt in 0..5 {
            limiter.record_failure("ann", "10.0.0.1", attempt);
        }
        limiter.record_success("ann", "10.0.0.1");
        assert_eq!(limiter.check("ann", "10.0.0.1", 10), Ok(()));
        // An attacker's own successful sign-in does not reset the address's count.
        for attempt in 0..15 {
            limiter.record_failure("victim", "10.0.0.1", 20 + attempt);
            limiter.record_success("attacker", "10.0.0.1");
        }
        assert!(limiter.check("someone", "10.0.0.1", 100).is_err());
    }

    #[test]
    fn memory_is_bounded_and_the_oldest_windows_go_first() {
        let limits = RateLimits { capacity: 3, ..RateLimits::default() };
        let mut limiter = RateLimiter::new(limits);
        for (time, ip) in ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"].into_iter().enumerate() {
            for _ in 0..5 {
                limiter.record_failure("ann", ip, time as u64);
            }
        }
        assert_eq!(limiter.entry_counts(), (3, 3));
        assert_eq!(limiter.check("ann", "10.0.0.1", 10), Ok(()), "the oldest was evicted");
        for ip in ["10.0.0.2", "10.0.0.3", "10.0.0.4"] {
            assert!(limiter.check("ann", ip, 10).is_err(), "{ip}");
        }
    }

    #[test]
    fn passed_windows_are_forgotten_and_a_clock_going_back_is_harmless() {
        let mut limiter = RateLimiter::default();
        for attempt in 0..5 {
            limiter.record_failure("ann", "10.0.0.1", 10 * MINUTE + attempt);
        }
        assert!(limiter.check("ann", "10.0.0.1", 0).is_err(), "earlier time: still refused");
        assert_eq!(limiter.check("ann", "10.0.0.1", 30 * MINUTE), Ok(()));
        assert!(limiter.is_empty());
        assert_eq!(limiter.check("ann", "10.0.0.1", u64::MAX), Ok(()));
    }
}
