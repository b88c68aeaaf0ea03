//! Folding an image's `Inspector2 Finding` events into one update: what is
//! new, what closed, what came back, what changed in a way a user sees, and
//! the image's findings as they stand now.

use std::collections::{BTreeMap, HashMap};

use crate::scan::diff::{Changes, most_severe_first};
use crate::scan::findings::Finding;
use crate::scan::inspector::{FindingState, FindingStatus};

/// What a fold found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Folded {
    pub changes: Changes,
    /// The image's active findings after the fold, most severe first.
    pub current: Vec<Finding>,
    /// The state to remember of each finding the events were about, by findingArn.
    pub states: Vec<(String, FindingState)>,
}

/// Folds `events` (findingArn and state, in the order they arrived) into what
/// was `known` of the image's findings (by findingArn, as last announced).
/// `baseline`: the findings of the image's scan result, announced already
/// though their ARNs are not known (the scan listed them): a finding among
/// them is not new, and closing it is news.
pub fn fold(
    known: &[(String, FindingState)],
    events: &[(String, FindingState)],
    baseline: &[Finding],
) -> Folded {
    let before_fold = known;
    let known: HashMap<&str, &FindingState> = known.iter().map(|(a, s)| (a.as_str(), s)).collect();
    let mut latest = latest_by_arn(events);
    // An event older than what was announced (redelivered late) says nothing new.
    latest.retain(|arn, state| {
        let announced = known.get(arn.as_str()).and_then(|k| k.updated_at);
        !matches!((state.updated_at, announced), (Some(at), Some(was)) if at < was)
    });
    let announced = |f: &Finding| baseline.iter().any(|b| b.key() == f.key());
    let mut changes = Changes::default();
    for (arn, now) in &latest {
        let before = known.get(arn.as_str()).map(|s| (s.status, &s.finding));
        let before = before
            .or_else(|| announced(&now.finding).then_some((FindingStatus::Active, &now.finding)));
        let finding = now.finding.clone();
        match (before, now.status) {
            (None, FindingStatus::Active) => changes.new.push(finding),
            (None, _) => {}
            (Some((FindingStatus::Active, was)), FindingStatus::Active) => {
                if seen_differently(was, &now.finding) {
                    changes.updated.push(finding);
                }
            }
            (Some((FindingStatus::Active, _)), FindingStatus::Closed) => {
                changes.fixed.push(finding)
            }
            (Some((FindingStatus::Active, _)), FindingStatus::Suppressed) => {
                changes.suppressed.push(finding)
            }
            (Some(_), FindingStatus::Active) => changes.reopened.push(finding),
            (Some(_), _) => {}
        }
    }
    let current = current(before_fold, &latest, baseline);
    let moved = changes.new.len() + changes.reopened.len() + changes.updated.len();
    changes.unchanged = current.len().saturating_sub(moved);
    for list in [
        &mut changes.new,
        &mut changes.fixed,
        &mut changes.reopened,
        &mut changes.suppressed,
        &mut changes.updated,
    ] {
        list.sort_by(most_severe_first);
    }
    Folded {
        changes,
        current,
        states: latest.into_iter().collect(),
    }
}

/// The latest state of each finding: the one Inspector updated last (the one
/// that arrived last when the times are equal or unknown).
fn latest_by_arn(events: &[(String, FindingState)]) -> BTreeMap<String, FindingState> {
    let mut latest: BTreeMap<String, FindingState> = BTreeMap::new();
    for (arn, state) in events {
        let newer = latest.get(arn).is_none_or(|held| {
            state.updated_at.unwrap_or(i64::MAX) >= held.updated_at.unwrap_or(i64::MIN)
        });
        if newer {
            latest.insert(arn.clone(), state.clone());
        }
    }
    latest
}

/// Whether a user would see a difference: severity, fixed-in version, fix or
/// exploit availability.
fn seen_differently(was: &Finding, now: &Finding) -> bool {
    was.severity != now.severity
        || was.fixed_in != now.fixed_in
        || was.fix_available != now.fix_available
        || was.exploit_available != now.exploit_available
}

/// The active findings after the fold: the scan's, then what Inspector said of
/// each finding since, the events last.
fn current(
    known: &[(String, FindingState)],
    latest: &BTreeMap<String, FindingState>,
    baseline: &[Finding],
) -> Vec<Finding> {
    let mut by_key: BTreeMap<(String, String), Finding> = BTreeMap::new();
    let key = |f: &Finding| {
        let (id, package) = f.key();
        (id.to_string(), package.to_string())
    };
    for finding in baseline {
        by_key.insert(key(finding), finding.clone());
    }
    let states = (known.iter())
        .filter(|(arn, _)| !latest.contains_key(arn))
        .map(|(_, state)| state)
        .chain(latest.values());
    for state in states {
        match state.status {
            FindingStatus::Active => by_key.insert(key(&state.finding), state.finding.clone()),
            _ => by_key.remove(&key(&state.finding)),
        };
    }
    let mut current: Vec<Finding> = by_key.into_values().collect();
    current.sort_by(most_severe_first);
    current
}

#[cfg(test)]
mod tests;
