//! Slack's pace: `chat.postMessage` takes about one message per second per
//! channel, with short bursts over that. Posts to one channel are spaced to
//! that pace, so a burst is not a stream of 429s; other channels are not held.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Messages a channel takes at once before the pace applies.
pub const BURST: u32 = 3;

/// The room left in each channel.
pub struct Pace {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl Pace {
    /// `per_second` messages per second per channel, after a burst of
    /// [`BURST`] (or of `per_second`, when more).
    pub fn new(per_second: NonZeroU32) -> Self {
        let burst = NonZeroU32::new(BURST)
            .expect("BURST is not zero")
            .max(per_second);
        let quota = Quota::per_second(per_second).allow_burst(burst);
        Pace {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Takes room for one message in `channel`; when there is none, how long
    /// until there is (nothing is taken then).
    pub fn take(&self, channel: &str) -> Result<(), Duration> {
        self.limiter
            .check_key(&channel.to_string())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forgets channels that have had room to spare for a while.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_takes_a_short_burst_then_one_message_a_second() {
        let pace = Pace::new(NonZeroU32::MIN);

        for _ in 0..BURST {
            assert_eq!(pace.take("C1"), Ok(()));
        }
        let wait = pace.take("C1").unwrap_err();

        assert!(
            wait > Duration::from_millis(500) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
    }

    #[test]
    fn a_busy_channel_does_not_hold_another() {
        let pace = Pace::new(NonZeroU32::MIN);
        while pace.take("C-busy").is_ok() {}

        assert_eq!(pace.take("C-quiet"), Ok(()));
    }
}
