//! Spreading many schedules over the day: the schedules of running images are
//! not all at 03:00, but each at a time of day drawn from its image's digest.

use sha2::{Digest, Sha256};

use super::{Cron, Expression};

const MINUTES_A_DAY: u32 = 24 * 60;

/// `expression` moved to the time of day that `key` (an image digest) draws:
/// the expression's own time plus 0 to 23:59 hours, wrapping within its day.
/// Stable (the same key always draws the same time), and spread evenly over
/// the day for many keys: that keeps Scheduler's and ECR's API rates, and the
/// results arrive over the day. Expressions without one time of day (`rate`,
/// `cron` with ranges) are returned as they are.
pub fn stagger(expression: &Expression, key: &str) -> Expression {
    let Expression::Cron(cron) = expression else {
        return expression.clone();
    };
    let Some((hour, minute)) = cron.time_of_day() else {
        return expression.clone();
    };
    let hash = Sha256::digest(key.as_bytes());
    let offset = u32::from_be_bytes([hash[0], hash[1], hash[2], hash[3]]) % MINUTES_A_DAY;
    let at = (hour * 60 + minute + offset) % MINUTES_A_DAY;
    let mut fields = cron.fields().clone();
    fields[0] = (at % 60).to_string();
    fields[1] = (at / 60).to_string();
    Expression::Cron(Cron::from_fields(fields))
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;

    use super::*;

    #[test]
    fn each_digest_draws_its_own_stable_time_on_the_same_days() {
        let weekly = Expression::weekly(&[Weekday::Mon], 3, 0);
        let a = stagger(&weekly, "sha256:aaaa");
        assert_eq!(a, stagger(&weekly, "sha256:aaaa"));
        let Expression::Cron(cron) = &a else {
            panic!("{a:?}")
        };
        assert_eq!(cron.fields()[2..], ["?", "*", "MON", "*"]);
        let times: std::collections::BTreeSet<String> = (0..50)
            .map(|n| stagger(&weekly, &format!("sha256:{n}")).to_aws())
            .collect();
        assert!(
            times.len() >= 48,
            "50 digests, {} times: {times:?}",
            times.len()
        );
    }

    #[test]
    fn many_digests_spread_over_the_whole_day() {
        let daily = Expression::daily(3, 0);
        let mut per_hour = [0; 24];
        for n in 0..2400 {
            let Expression::Cron(cron) = stagger(&daily, &format!("sha256:{n:064x}")) else {
                unreachable!()
            };
            per_hour[cron.time_of_day().unwrap().0 as usize] += 1;
        }
        assert!(
            per_hour.iter().all(|&n| (60..=140).contains(&n)),
            "{per_hour:?}"
        );
    }

    #[test]
    fn a_rate_is_left_as_it_is() {
        let rate = Expression::parse_aws("rate(7 days)").unwrap();
        assert_eq!(stagger(&rate, "sha256:aaaa"), rate);
    }
}
