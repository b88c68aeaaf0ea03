//! ECR answers moto cannot give (enhanced registries, refusals, recorded API
//! responses), through aws-smithy-mocks: the real SDK, stubbed at the wire.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_ecr::Client;
use aws_sdk_ecr::config::retry::RetryConfig;
use aws_sdk_ecr::operation::describe_images::DescribeImagesOutput;
use aws_sdk_ecr::operation::get_registry_scanning_configuration::GetRegistryScanningConfigurationOutput;
use aws_sdk_ecr::types::{ImageDetail, RegistryScanningConfiguration, ScanType};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use ecrscan::aws::SdkEcr;

pub const DIGEST: &str = "sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6";

/// An ECR port whose client answers only through `rules`, with the SDK's standard retries.
pub fn ecr(rules: &[&Rule]) -> Arc<SdkEcr> {
    let client = mock_client!(aws_sdk_ecr, RuleMode::MatchAny, rules, |config| config
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
        ));
    Arc::new(SdkEcr::new(client))
}

/// `DescribeImages` finds `example:web-latest` at [`DIGEST`].
pub fn image() -> Rule {
    mock!(Client::describe_images).then_output(|| {
        DescribeImagesOutput::builder()
            .image_details(
                ImageDetail::builder()
                    .repository_name("example")
                    .image_digest(DIGEST)
                    .image_tags("web-latest")
                    .build(),
            )
            .build()
    })
}

/// `GetRegistryScanningConfiguration` says `scan_type`.
pub fn registry(scan_type: ScanType) -> Rule {
    mock!(Client::get_registry_scanning_configuration).then_output(move || {
        GetRegistryScanningConfigurationOutput::builder()
            .scanning_configuration(
                RegistryScanningConfiguration::builder()
                    .scan_type(scan_type.clone())
                    .build(),
            )
            .build()
    })
}

/// `DescribeImageScanFindings` answers with a recorded response from tests/fixtures/ecr.
pub fn findings_fixture(name: &str) -> Rule {
    let body = wire_format(&read_fixture(name));
    mock!(Client::describe_image_scan_findings).then_http_response(move || {
        Response::new(
            StatusCode::try_from(200).unwrap(),
            SdkBody::from(body.clone()),
        )
    })
}

/// Any operation failing with an AWS error code, as ECR sends it on the wire.
pub fn aws_error(
    status: u16,
    code: &str,
    message: &str,
) -> impl Fn() -> Response + Send + Sync + 'static {
    let body = serde_json::json!({ "__type": code, "message": message }).to_string();
    move || {
        Response::new(
            StatusCode::try_from(status).unwrap(),
            SdkBody::from(body.clone()),
        )
    }
}

fn read_fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/ecr/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The fixtures are CLI output, with ISO-8601 times; on the wire ECR sends epoch seconds.
fn wire_format(cli_json: &str) -> String {
    fn convert(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if key.ends_with("At")
                        && let Some(t) = v
                            .as_str()
                            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                    {
                        *v = serde_json::json!(t.timestamp_millis() as f64 / 1000.0);
                    } else {
                        convert(v);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(convert),
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_str(cli_json).unwrap();
    convert(&mut value);
    value.to_string()
}

/// A basic finding `CVE-2026-<n>` in package `pkg<n>`.
pub fn cve(
    n: usize,
    severity: aws_sdk_ecr::types::FindingSeverity,
) -> aws_sdk_ecr::types::ImageScanFinding {
    use aws_sdk_ecr::types::{Attribute, ImageScanFinding};
    let attribute =
        |key: &str, value: String| Attribute::builder().key(key).value(value).build().unwrap();
    ImageScanFinding::builder()
        .name(format!("CVE-2026-{n:05}"))
        .uri(format!("https://nvd.nist.gov/vuln/detail/CVE-2026-{n:05}"))
        .severity(severity)
        .attributes(attribute("package_name", format!("pkg{n}")))
        .attributes(attribute("package_version", "1.0.0".into()))
        .attributes(attribute("CVSS3_SCORE", "7.5".into()))
        .build()
}

/// `DescribeImageScanFindings` of a completed scan, answered from `findings` as it
/// is at each call, in pages of 1,000 (as ECR pages them).
pub fn findings_pages(
    findings: Arc<std::sync::Mutex<Vec<aws_sdk_ecr::types::ImageScanFinding>>>,
) -> Rule {
    mock!(Client::describe_image_scan_findings)
        .then_compute_output(move |request| findings_page(&findings.lock().unwrap(), request))
}

/// `DescribeImageScanFindings` answers each image digest with its own findings
/// (none for a digest not in `by_digest`), in pages of 1,000.
pub fn findings_by_digest(
    by_digest: Arc<
        std::sync::Mutex<
            std::collections::HashMap<String, Vec<aws_sdk_ecr::types::ImageScanFinding>>,
        >,
    >,
) -> Rule {
    mock!(Client::describe_image_scan_findings).then_compute_output(move |request| {
        let by_digest = by_digest.lock().unwrap();
        let digest = request.image_id().and_then(|id| id.image_digest());
        let findings = digest.and_then(|d| by_digest.get(d)).cloned();
        findings_page(&findings.unwrap_or_default(), request)
    })
}

fn findings_page(
    all: &[aws_sdk_ecr::types::ImageScanFinding],
    request: &aws_sdk_ecr::operation::describe_image_scan_findings::DescribeImageScanFindingsInput,
) -> aws_sdk_ecr::operation::describe_image_scan_findings::DescribeImageScanFindingsOutput {
    use aws_sdk_ecr::operation::describe_image_scan_findings::DescribeImageScanFindingsOutput;
    use aws_sdk_ecr::types::{ImageScanFindings, ImageScanStatus, ScanStatus};
    let start: usize = request.next_token().map_or(0, |t| t.parse().unwrap());
    let end = (start + 1000).min(all.len());
    DescribeImageScanFindingsOutput::builder()
        .image_scan_status(
            ImageScanStatus::builder()
                .status(ScanStatus::Complete)
                .build(),
        )
        .image_scan_findings(
            ImageScanFindings::builder()
                .image_scan_completed_at(aws_smithy_types::DateTime::from_secs(1_795_000_000))
                .set_findings(Some(all[start..end].to_vec()))
                .build(),
        )
        .set_next_token((end < all.len()).then(|| end.to_string()))
        .build()
}
