//! SDK responses into domain types: `DescribeImageScanFindings` pages into a [`ScanReport`].

use aws_sdk_ecr::operation::describe_image_scan_findings::DescribeImageScanFindingsOutput;
use aws_sdk_ecr::types::{EnhancedImageScanFinding, ImageScanFinding, ScanStatus as SdkStatus};
use chrono::{DateTime, Utc};

use crate::scan::findings::{Finding, ScanKind, ScanReport, ScanStatus, Severity};
use crate::scan::image::Image;

mod json;

/// A `DescribeImageScanFindings` response saved as JSON (`aws ecr
/// describe-image-scan-findings` output) as a report on `image`, converted as a live
/// answer is.
pub fn report_from_json(image: Image, json: &str) -> Result<ScanReport, serde_json::Error> {
    Ok(report(image, &[json::output(json)?]))
}

/// Joins every page of findings into one report, basic and enhanced alike.
pub fn report(image: Image, pages: &[DescribeImageScanFindingsOutput]) -> ScanReport {
    let first = pages.first();
    let status = first.and_then(|page| page.image_scan_status()).map_or(
        ScanStatus::Other("UNKNOWN".into()),
        |s| {
            let description = s.description().unwrap_or_default().to_string();
            match s.status() {
                // Enhanced scanning reports ACTIVE: monitored continuously, findings current.
                Some(SdkStatus::Complete | SdkStatus::Active) => ScanStatus::Complete,
                Some(SdkStatus::InProgress) => ScanStatus::InProgress,
                Some(SdkStatus::Failed) => ScanStatus::Failed(description),
                Some(other) if description.is_empty() => ScanStatus::Other(other.as_str().into()),
                Some(other) => ScanStatus::Other(format!("{}: {description}", other.as_str())),
                None => ScanStatus::Other(description),
            }
        },
    );
    let scan = pages.iter().filter_map(|page| page.image_scan_findings());
    let completed_at = first
        .and_then(|page| page.image_scan_findings())
        .and_then(|f| f.image_scan_completed_at())
        .and_then(time);
    let mut findings: Vec<Finding> = Vec::new();
    // Only enhanced scanning reports ACTIVE, with or without findings yet.
    let active = first
        .and_then(|page| page.image_scan_status())
        .is_some_and(|s| s.status() == Some(&SdkStatus::Active));
    let mut kind = if active {
        ScanKind::Enhanced
    } else {
        ScanKind::Basic
    };
    for page in scan {
        findings.extend(page.findings().iter().map(basic));
        if !page.enhanced_findings().is_empty() {
            kind = ScanKind::Enhanced;
            findings.extend(page.enhanced_findings().iter().flat_map(enhanced));
        }
    }
    ScanReport {
        image,
        kind,
        status,
        completed_at,
        findings,
    }
}

fn basic(f: &ImageScanFinding) -> Finding {
    let attribute = |key: &str| {
        f.attributes()
            .iter()
            .find(|a| a.key() == key)
            .and_then(|a| a.value())
            .map(str::to_string)
    };
    Finding {
        id: f.name().unwrap_or("unnamed").to_string(),
        severity: f
            .severity()
            .map_or(Severity::Undefined, |s| severity(s.as_str())),
        package: attribute("package_name"),
        version: attribute("package_version"),
        fixed_in: None,
        cvss: attribute("CVSS3_SCORE")
            .or_else(|| attribute("CVSS2_SCORE"))
            .and_then(|s| s.parse().ok()),
        uri: f.uri().map(str::to_string),
        fix_available: false,
        exploit_available: false,
        epss: None,
    }
}

/// One finding per vulnerable package (Inspector lists several under one vulnerability),
/// each with the vulnerability's `fixAvailable` (YES or PARTIAL) and `exploitAvailable`
/// (YES). The SDK's `EnhancedImageScanFinding` has no EPSS score, so `epss` stays empty.
fn enhanced(f: &EnhancedImageScanFinding) -> Vec<Finding> {
    let details = f.package_vulnerability_details();
    let id = details
        .and_then(|d| d.vulnerability_id())
        .or(f.title())
        .unwrap_or("unnamed")
        .to_string();
    let cvss = Some(f.score()).filter(|score| *score > 0.0).or_else(|| {
        details
            .into_iter()
            .flat_map(|d| d.cvss())
            .map(|c| c.base_score())
            .reduce(f64::max)
    });
    let base = Finding {
        id,
        severity: severity(f.severity().unwrap_or_default()),
        package: None,
        version: None,
        fixed_in: None,
        cvss,
        uri: details.and_then(|d| d.source_url()).map(str::to_string),
        fix_available: matches!(f.fix_available(), Some("YES" | "PARTIAL")),
        exploit_available: f.exploit_available() == Some("YES"),
        epss: None,
    };
    let packages = details.map(|d| d.vulnerable_packages()).unwrap_or_default();
    if packages.is_empty() {
        return vec![base];
    }
    packages
        .iter()
        .map(|p| Finding {
            package: p.name().map(str::to_string),
            version: p.version().map(str::to_string),
            fixed_in: p
                .fixed_in_version()
                .filter(|v| !v.is_empty() && *v != "NotAvailable")
                .map(str::to_string),
            ..base.clone()
        })
        .collect()
}

fn severity(name: &str) -> Severity {
    name.parse().unwrap_or(Severity::Undefined)
}

/// An AWS timestamp as a UTC time.
pub(super) fn time(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

#[cfg(test)]
mod tests;
