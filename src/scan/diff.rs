//! What changed between two scans of the same image tag.

use std::cmp::Ordering;
use std::collections::HashSet;

use crate::scan::findings::Finding;

/// What changed for one image: between two scans of its tag, or in the
/// enhanced findings Inspector reported since the last update. Every list is
/// most severe first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Changes {
    /// Findings not there before.
    pub new: Vec<Finding>,
    /// Findings gone: not in the current scan, or closed by Inspector.
    pub fixed: Vec<Finding>,
    /// Findings still there, unchanged.
    pub unchanged: usize,
    /// Findings closed before that are active again (enhanced scanning only).
    pub reopened: Vec<Finding>,
    /// Findings suppressed in Inspector (enhanced scanning only).
    pub suppressed: Vec<Finding>,
    /// Findings still there whose severity, fix or exploit changed (enhanced
    /// scanning only), as they are now.
    pub updated: Vec<Finding>,
}

impl Changes {
    /// Whether anything a user would see changed.
    pub fn is_empty(&self) -> bool {
        self.new.is_empty()
            && self.fixed.is_empty()
            && self.reopened.is_empty()
            && self.suppressed.is_empty()
            && self.updated.is_empty()
    }
}

/// Compares `previous` with `current` by vulnerability id and package.
///
/// A finding listed twice in one scan counts once (its most severe listing).
pub fn diff(previous: &[Finding], current: &[Finding]) -> Changes {
    let previous = distinct(previous);
    let current = distinct(current);
    let previous_keys: HashSet<_> = previous.iter().map(|f| f.key()).collect();
    let current_keys: HashSet<_> = current.iter().map(|f| f.key()).collect();

    let (kept, new): (Vec<&Finding>, Vec<&Finding>) = current
        .into_iter()
        .partition(|f| previous_keys.contains(&f.key()));
    let fixed = previous
        .into_iter()
        .filter(|f| !current_keys.contains(&f.key()));
    Changes {
        new: new.into_iter().cloned().collect(),
        fixed: fixed.cloned().collect(),
        unchanged: kept.len(),
        ..Changes::default()
    }
}

/// The order findings are shown in: most severe first, then highest CVSS
/// (unknown last), then by id and package so the order is stable.
pub fn most_severe_first(a: &Finding, b: &Finding) -> Ordering {
    let cvss = |f: &Finding| f.cvss.unwrap_or(f64::NEG_INFINITY);
    a.severity
        .cmp(&b.severity)
        .then_with(|| cvss(b).total_cmp(&cvss(a)))
        .then_with(|| a.key().cmp(&b.key()))
}

/// One finding per key, most severe first.
fn distinct(findings: &[Finding]) -> Vec<&Finding> {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by(|a, b| most_severe_first(a, b));
    let mut seen = HashSet::new();
    sorted.retain(|f| seen.insert(f.key()));
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::findings::Severity;

    fn finding(id: &str, package: &str, severity: Severity, cvss: Option<f64>) -> Finding {
        Finding {
            id: id.into(),
            severity,
            package: Some(package.into()),
            version: Some("1.0".into()),
            fixed_in: None,
            cvss,
            uri: None,
            fix_available: false,
            exploit_available: false,
            epss: None,
        }
    }

    fn ids(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.id.as_str()).collect()
    }

    #[test]
    fn findings_only_in_the_current_scan_are_new_and_only_in_the_previous_are_fixed() {
        let previous = [
            finding("CVE-1", "openssl", Severity::High, None),
            finding("CVE-2", "zlib", Severity::Low, None),
        ];
        let current = [
            finding("CVE-1", "openssl", Severity::High, None),
            finding("CVE-3", "curl", Severity::Medium, None),
        ];

        let changes = diff(&previous, &current);

        assert_eq!(ids(&changes.new), ["CVE-3"]);
        assert_eq!(ids(&changes.fixed), ["CVE-2"]);
        assert_eq!(changes.unchanged, 1);
    }

    #[test]
    fn the_same_cve_in_another_package_is_a_different_finding() {
        let previous = [finding("CVE-1", "openssl", Severity::High, None)];
        let current = [finding("CVE-1", "libssl", Severity::High, None)];

        let changes = diff(&previous, &current);

        assert_eq!(changes.new.len(), 1);
        assert_eq!(changes.fixed.len(), 1);
        assert_eq!(changes.unchanged, 0);
    }

    #[test]
    fn new_findings_are_listed_most_severe_first_then_by_cvss_then_by_id() {
        let current = [
            finding("CVE-L", "a", Severity::Low, Some(9.0)),
            finding("CVE-H-low-score", "a", Severity::High, Some(7.0)),
            finding("CVE-C", "a", Severity::Critical, None),
            finding("CVE-H-b", "a", Severity::High, Some(8.1)),
            finding("CVE-H-a", "a", Severity::High, Some(8.1)),
            finding("CVE-H-unscored", "a", Severity::High, None),
        ];

        let changes = diff(&[], &current);

        assert_eq!(
            ids(&changes.new),
            [
                "CVE-C",
                "CVE-H-a",
                "CVE-H-b",
                "CVE-H-low-score",
                "CVE-H-unscored",
                "CVE-L"
            ]
        );
    }

    #[test]
    fn fixed_findings_are_listed_most_severe_first() {
        let previous = [
            finding("CVE-M", "a", Severity::Medium, None),
            finding("CVE-C", "a", Severity::Critical, None),
        ];

        let changes = diff(&previous, &[]);

        assert_eq!(ids(&changes.fixed), ["CVE-C", "CVE-M"]);
    }

    #[test]
    fn a_finding_listed_twice_in_one_scan_counts_once() {
        let twice = [
            finding("CVE-1", "openssl", Severity::Medium, None),
            finding("CVE-1", "openssl", Severity::High, None),
        ];

        let first_scan = diff(&[], &twice);
        let same_again = diff(&twice, &twice);

        assert_eq!(first_scan.new.len(), 1);
        assert_eq!(first_scan.new[0].severity, Severity::High);
        assert_eq!(same_again.unchanged, 1);
        assert!(same_again.new.is_empty() && same_again.fixed.is_empty());
    }

    #[test]
    fn identical_scans_change_nothing() {
        let scan = [
            finding("CVE-1", "a", Severity::High, None),
            finding("CVE-2", "b", Severity::Low, None),
        ];

        assert_eq!(
            diff(&scan, &scan),
            Changes {
                new: vec![],
                fixed: vec![],
                unchanged: 2,
                ..Changes::default()
            }
        );
    }
}
