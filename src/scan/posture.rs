//! Where every watched image stands: its latest result, what changed since the
//! one before, and the order the App Home lists them in (worst first).

use std::cmp::Reverse;

use chrono::{DateTime, Utc};

use crate::scan::findings::{Finding, ScanKind, Severity};
use crate::scan::image::Image;

/// One image tag's latest result, as the App Home shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Posture {
    /// The image (repository, digest and its tag, when it has one).
    pub image: Image,
    /// Which scanner produced the latest result.
    pub kind: ScanKind,
    /// When the latest result arrived.
    pub scanned_at: DateTime<Utc>,
    /// Findings per severity, most severe first, zeros left out.
    pub counts: Vec<(Severity, usize)>,
    /// Per severity, how many more (or fewer) than in the previous result, most
    /// severe first, zeros left out; `None` when there was no previous result.
    pub change: Option<Vec<(Severity, i64)>>,
    /// The next scheduled scan, when one is scheduled.
    pub next_scan: Option<DateTime<Utc>>,
    /// The image's thread: its channel and `ts`.
    pub thread: Option<(String, String)>,
}

impl Posture {
    /// The posture of a result (`findings`), against the previous one's.
    pub fn new(image: Image, kind: ScanKind, scanned_at: i64, findings: &[Finding]) -> Self {
        Posture {
            image,
            kind,
            scanned_at: DateTime::from_timestamp(scanned_at, 0).unwrap_or_default(),
            counts: counts(findings),
            change: None,
            next_scan: None,
            thread: None,
        }
    }

    /// The same, with the change since `previous` findings.
    pub fn since(self, previous: Option<&[Finding]>) -> Self {
        let change = previous.map(|previous| change(&counts(previous), &self.counts));
        Posture { change, ..self }
    }

    /// How many findings of `severity` it has.
    pub fn count(&self, severity: Severity) -> usize {
        self.counts
            .iter()
            .find(|(s, _)| *s == severity)
            .map_or(0, |(_, n)| *n)
    }
}

/// Findings per severity, most severe first, zeros left out.
pub fn counts(findings: &[Finding]) -> Vec<(Severity, usize)> {
    Severity::ALL
        .iter()
        .map(|s| (*s, findings.iter().filter(|f| f.severity == *s).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// `now - before` per severity, most severe first, zeros left out.
pub fn change(before: &[(Severity, usize)], now: &[(Severity, usize)]) -> Vec<(Severity, i64)> {
    let of = |counts: &[(Severity, usize)], s: Severity| {
        counts
            .iter()
            .find(|(c, _)| *c == s)
            .map_or(0, |(_, n)| i64::try_from(*n).unwrap_or(i64::MAX))
    };
    Severity::ALL
        .iter()
        .map(|s| (*s, of(now, *s).saturating_sub(of(before, *s))))
        .filter(|(_, d)| *d != 0)
        .collect()
}

/// Worst first: most CRITICAL, then most HIGH, then the oldest result; then by name.
pub fn worst_first(postures: &mut [Posture]) {
    postures.sort_by_cached_key(|p| {
        (
            Reverse(p.count(Severity::Critical)),
            Reverse(p.count(Severity::High)),
            p.scanned_at,
            p.image.display_name(),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(n: usize, severity: Severity) -> Finding {
        Finding::new(format!("CVE-2026-{n:05}"), severity)
    }

    fn posture(tag: &str, critical: usize, high: usize, at: i64) -> Posture {
        let findings: Vec<Finding> = (0..critical)
            .map(|n| finding(n, Severity::Critical))
            .chain((0..high).map(|n| finding(100 + n, Severity::High)))
            .collect();
        let image = Image {
            repository: "example".into(),
            digest: "sha256:1".into(),
            tags: vec![tag.into()],
        };
        Posture::new(image, ScanKind::Basic, at, &findings)
    }

    #[test]
    fn images_are_ordered_by_critical_then_high_then_the_oldest_result() {
        let mut postures = vec![
            posture("clean", 0, 0, 10),
            posture("high-new", 0, 5, 30),
            posture("one-critical", 1, 0, 10),
            posture("high-old", 0, 5, 20),
            posture("critical-and-high", 1, 2, 40),
        ];
        worst_first(&mut postures);
        let order: Vec<&str> = postures.iter().map(|p| p.image.tags[0].as_str()).collect();
        assert_eq!(
            order,
            [
                "critical-and-high",
                "one-critical",
                "high-old",
                "high-new",
                "clean"
            ]
        );
    }

    #[test]
    fn the_change_counts_more_and_fewer_findings_per_severity() {
        let previous: Vec<Finding> = (0..7).map(|n| finding(n, Severity::High)).collect();
        let now = posture("web", 2, 2, 10).since(Some(&previous));
        assert_eq!(
            now.change,
            Some(vec![(Severity::Critical, 2), (Severity::High, -5)])
        );
        assert_eq!(posture("web", 2, 2, 10).since(None).change, None);
        let same = posture("web", 0, 7, 10).since(Some(&previous));
        assert_eq!(same.change, Some(vec![]));
    }
}
