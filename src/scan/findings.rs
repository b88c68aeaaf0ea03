//! Findings as ecrscan sees them, whichever scanner produced them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A finding's severity, most severe first (so sorting ascending puts CRITICAL on top).
/// `UNTRIAGED` (Inspector has not rated it yet) and `UNDEFINED` (basic scanning
/// could not) both mean "not known", so they come last, in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Informational,
    Untriaged,
    Undefined,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 7] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Informational,
        Severity::Untriaged,
        Severity::Undefined,
    ];

    /// The name AWS uses (`CRITICAL`, `HIGH`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "CRITICAL",
            Severity::High => "HIGH",
            Severity::Medium => "MEDIUM",
            Severity::Low => "LOW",
            Severity::Informational => "INFORMATIONAL",
            Severity::Untriaged => "UNTRIAGED",
            Severity::Undefined => "UNDEFINED",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The severity name was not one AWS uses. The hint names the severities a
/// user may write (`min=`), which `untriaged` is not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity `{0}`; use critical, high, medium, low, informational or undefined")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;

    /// Case-insensitive; `info` is accepted for `INFORMATIONAL`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "CRITICAL" => Ok(Severity::Critical),
            "HIGH" => Ok(Severity::High),
            "MEDIUM" => Ok(Severity::Medium),
            "LOW" => Ok(Severity::Low),
            "INFORMATIONAL" | "INFO" => Ok(Severity::Informational),
            "UNTRIAGED" => Ok(Severity::Untriaged),
            "UNDEFINED" => Ok(Severity::Undefined),
            _ => Err(UnknownSeverity(s.to_string())),
        }
    }
}

/// One vulnerability found in one package of an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The vulnerability id, usually a CVE id (`CVE-2021-3711`).
    pub id: String,
    pub severity: Severity,
    /// Affected package, when the scanner names it.
    pub package: Option<String>,
    /// Installed version of that package.
    pub version: Option<String>,
    /// Version that fixes it (enhanced scanning only).
    pub fixed_in: Option<String>,
    /// CVSS score (v3 when known, else v2).
    pub cvss: Option<f64>,
    /// A page describing the vulnerability.
    pub uri: Option<String>,
    /// The scanner knows a fixed version (Inspector's `fixAvailable`: YES or PARTIAL).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fix_available: bool,
    /// A public exploit is known (Inspector's `exploitAvailable`: YES).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exploit_available: bool,
    /// The EPSS score, 0 to 1: how likely exploitation is within 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<f64>,
}

impl Finding {
    /// A finding known only by its id and severity; the rest is filled in with
    /// struct update syntax (`Finding { package: …, ..Finding::new(id, severity) }`).
    pub fn new(id: impl Into<String>, severity: Severity) -> Self {
        Finding {
            id: id.into(),
            severity,
            package: None,
            version: None,
            fixed_in: None,
            cvss: None,
            uri: None,
            fix_available: false,
            exploit_available: false,
            epss: None,
        }
    }

    /// What identifies "the same finding" across two scans.
    pub fn key(&self) -> (&str, &str) {
        (self.id.as_str(), self.package.as_deref().unwrap_or(""))
    }
}

/// Which scanner produced a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScanKind {
    /// ECR basic scanning (CVE data, on push or on request).
    Basic,
    /// Amazon Inspector (continuous).
    Enhanced,
}

/// The state of a scan, as ECR reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScanStatus {
    InProgress,
    Complete,
    Failed(String),
    /// The scan finished, and its event counted these findings (per severity, most
    /// severe first), but ECR's answer lists fewer: Amazon Inspector has not handed
    /// them to ECR yet. The counts stand in for the findings until it has.
    FindingsPending(Vec<(Severity, usize)>),
    /// Anything else ECR says (`ACTIVE`, `PENDING`, `SCAN_ELIGIBILITY_EXPIRED`...), with its description.
    Other(String),
}

/// How many findings `counts` adds up to; an absurd count saturates at `usize::MAX`
/// instead of wrapping around (to "no findings").
pub fn total(counts: &[(Severity, usize)]) -> usize {
    counts.iter().fold(0, |sum, (_, n)| sum.saturating_add(*n))
}

/// The findings of one scan of one image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    pub image: crate::scan::image::Image,
    pub kind: ScanKind,
    pub status: ScanStatus,
    pub completed_at: Option<DateTime<Utc>>,
    /// Every finding, in the order ECR returned them.
    pub findings: Vec<Finding>,
}

impl ScanReport {
    /// How many findings there are of each severity, most severe first, zeros left out.
    pub fn counts(&self) -> Vec<(Severity, usize)> {
        Severity::ALL
            .iter()
            .map(|s| {
                (
                    *s,
                    self.findings.iter().filter(|f| f.severity == *s).count(),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untriaged_is_read_from_aws_and_sorts_with_the_unknown_severities() {
        assert_eq!("UNTRIAGED".parse(), Ok(Severity::Untriaged));
        assert_eq!(Severity::Untriaged.to_string(), "UNTRIAGED");
        let mut severities = vec![Severity::Undefined, Severity::Untriaged, Severity::Low];
        severities.sort();
        assert_eq!(
            severities,
            [Severity::Low, Severity::Untriaged, Severity::Undefined]
        );
        assert!(Severity::Informational < Severity::Untriaged);
        assert_eq!(Severity::ALL[5], Severity::Untriaged);
    }
}
