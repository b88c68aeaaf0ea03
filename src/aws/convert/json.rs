//! A `DescribeImageScanFindings` response saved as JSON (the AWS CLI's output, with
//! ISO-8601 times, or the API's own, with epoch seconds) into the SDK's output type,
//! so that [`super::report`] converts it exactly as it converts a live answer.

use aws_sdk_ecr::operation::describe_image_scan_findings::DescribeImageScanFindingsOutput;
use aws_sdk_ecr::types::{
    Attribute, CvssScore, EnhancedImageScanFinding, FindingSeverity, ImageScanFinding,
    ImageScanFindings, ImageScanStatus, PackageVulnerabilityDetails, ScanStatus, VulnerablePackage,
};
use aws_smithy_types::DateTime;
use serde::Deserialize;
use serde::de::Error as _;

/// Parses a saved response; only the fields ecrscan reads are kept.
pub fn output(json: &str) -> Result<DescribeImageScanFindingsOutput, serde_json::Error> {
    let response: Response = serde_json::from_str(json)?;
    let status = response.image_scan_status.map(|s| {
        ImageScanStatus::builder()
            .set_status(s.status.as_deref().map(ScanStatus::from))
            .set_description(s.description)
            .build()
    });
    let findings = match response.image_scan_findings {
        Some(f) => Some(findings(f)?),
        None => None,
    };
    Ok(DescribeImageScanFindingsOutput::builder()
        .set_image_scan_status(status)
        .set_image_scan_findings(findings)
        .build())
}

fn findings(f: Findings) -> Result<ImageScanFindings, serde_json::Error> {
    let basic = f
        .findings
        .into_iter()
        .map(basic)
        .collect::<Result<_, _>>()?;
    let completed_at = f.image_scan_completed_at.map(Time::parse).transpose()?;
    Ok(ImageScanFindings::builder()
        .set_image_scan_completed_at(completed_at)
        .set_findings(Some(basic))
        .set_enhanced_findings(Some(
            f.enhanced_findings.into_iter().map(enhanced).collect(),
        ))
        .build())
}

fn basic(f: Basic) -> Result<ImageScanFinding, serde_json::Error> {
    let attributes = (f.attributes.into_iter())
        .map(|a| Attribute::builder().key(a.key).set_value(a.value).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(serde_json::Error::custom)?;
    Ok(ImageScanFinding::builder()
        .set_name(f.name)
        .set_uri(f.uri)
        .set_severity(f.severity.as_deref().map(FindingSeverity::from))
        .set_attributes(Some(attributes))
        .build())
}

fn enhanced(f: Enhanced) -> EnhancedImageScanFinding {
    let details = f.package_vulnerability_details.map(|d| {
        let packages = (d.vulnerable_packages.into_iter()).map(|p| {
            VulnerablePackage::builder()
                .set_name(p.name)
                .set_version(p.version)
                .set_fixed_in_version(p.fixed_in_version)
                .build()
        });
        let cvss =
            (d.cvss.into_iter()).map(|c| CvssScore::builder().base_score(c.base_score).build());
        PackageVulnerabilityDetails::builder()
            .set_vulnerability_id(d.vulnerability_id)
            .set_source_url(d.source_url)
            .set_cvss(Some(cvss.collect()))
            .set_vulnerable_packages(Some(packages.collect()))
            .build()
    });
    EnhancedImageScanFinding::builder()
        .set_severity(f.severity)
        .set_title(f.title)
        .score(f.score)
        .set_fix_available(f.fix_available)
        .set_exploit_available(f.exploit_available)
        .set_package_vulnerability_details(details)
        .build()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    image_scan_status: Option<Status>,
    image_scan_findings: Option<Findings>,
}

#[derive(Deserialize)]
struct Status {
    status: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Findings {
    image_scan_completed_at: Option<Time>,
    #[serde(default)]
    findings: Vec<Basic>,
    #[serde(default)]
    enhanced_findings: Vec<Enhanced>,
}

#[derive(Deserialize)]
struct Basic {
    name: Option<String>,
    uri: Option<String>,
    severity: Option<String>,
    #[serde(default)]
    attributes: Vec<KeyValue>,
}

#[derive(Deserialize)]
struct KeyValue {
    key: String,
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Enhanced {
    severity: Option<String>,
    title: Option<String>,
    #[serde(default)]
    score: f64,
    package_vulnerability_details: Option<Details>,
    fix_available: Option<String>,
    exploit_available: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Details {
    vulnerability_id: Option<String>,
    source_url: Option<String>,
    #[serde(default)]
    cvss: Vec<Cvss>,
    #[serde(default)]
    vulnerable_packages: Vec<Package>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cvss {
    #[serde(default)]
    base_score: f64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    name: Option<String>,
    version: Option<String>,
    fixed_in_version: Option<String>,
}

/// A time as the CLI prints it (`2025-06-09T07:08:40.144000+00:00`) or as the API
/// sends it (`1579839105.0`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Time {
    Seconds(f64),
    Text(String),
}

impl Time {
    fn parse(self) -> Result<DateTime, serde_json::Error> {
        match self {
            Time::Seconds(secs) => Ok(DateTime::from_secs_f64(secs)),
            Time::Text(text) => chrono::DateTime::parse_from_rfc3339(&text)
                .map(|t| DateTime::from_secs_and_nanos(t.timestamp(), t.timestamp_subsec_nanos()))
                .map_err(|e| serde_json::Error::custom(format!("time `{text}`: {e}"))),
        }
    }
}
