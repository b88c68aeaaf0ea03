//! `Inspector2 Finding` events made to order, shaped like Amazon Inspector's own
//! sample (the ECR tab of "Amazon EventBridge event schema for Amazon Inspector
//! events"), for tests and benches.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::scan::findings::Severity;
use crate::scan::inspector::{ECR_IMAGE, FindingStatus};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "eu-central-1";
/// Every made event's `updatedAt`, in Inspector's own format.
pub const UPDATED_AT: &str = "Wed Sep 04 16:55:38.411 UTC 2024";

/// The JSON of an `Inspector2 Finding` event about `cve` in one package
/// (`openssl` 3.0.13, fixed in 3.0.13-0ubuntu3.4) of the image `repository` @
/// `digest` tagged `tag` (untagged when `tag` is empty). Its `findingArn` is
/// derived from the image and the CVE, so events about the same finding with
/// another status or severity share it, as Inspector's do. An `UNTRIAGED`
/// finding comes as Inspector sends one: no `inspectorScore` and `cvss: []`.
pub fn finding_event(
    repository: &str,
    digest: &str,
    tag: &str,
    cve: &str,
    severity: Severity,
    status: FindingStatus,
    exploit: bool,
) -> String {
    let image_arn = format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{repository}/{digest}");
    let tags: Vec<&str> = [tag].into_iter().filter(|t| !t.is_empty()).collect();
    let score = score(severity);
    let cvss: Vec<Value> = score
        .map(|s| json!({"baseScore": s, "source": "NVD", "version": "3.1"}))
        .into_iter()
        .collect();
    let mut detail = json!({
        "awsAccountId": ACCOUNT,
        "description": format!("{cve} in openssl"),
        "epss": {"score": 0.00045},
        "exploitAvailable": if exploit { "YES" } else { "NO" },
        "findingArn": finding_arn(repository, digest, cve),
        "firstObservedAt": UPDATED_AT,
        "fixAvailable": "YES",
        "lastObservedAt": UPDATED_AT,
        "packageVulnerabilityDetails": {
            "cvss": cvss,
            "source": "UBUNTU_CVE",
            "sourceUrl": format!("https://ubuntu.com/security/{cve}"),
            "vulnerabilityId": cve,
            "vulnerablePackages": [{
                "arch": "ARM64",
                "fixedInVersion": "0:3.0.13-0ubuntu3.4",
                "name": "openssl",
                "packageManager": "OS",
                "version": "3.0.13"
            }]
        },
        "resources": [{
            "details": {
                "awsEcrContainerImage": {
                    "imageHash": digest,
                    "imageTags": tags,
                    "registry": ACCOUNT,
                    "repositoryName": repository
                },
                "image": {
                    "imageDigest": digest,
                    "imageTags": tags,
                    "registry": ACCOUNT,
                    "repositoryName": repository
                }
            },
            "id": image_arn,
            "partition": "aws",
            "region": REGION,
            "type": ECR_IMAGE
        }],
        "severity": severity.as_str(),
        "status": status.as_str(),
        "title": format!("{cve} - openssl"),
        "type": "PACKAGE_VULNERABILITY",
        "updatedAt": UPDATED_AT
    });
    if let Some(score) = score {
        detail["inspectorScore"] = json!(score);
    }
    json!({
        "version": "0",
        "id": "5325facf-a1aa-7d97-6bce-25fde6f6d2fc",
        "detail-type": "Inspector2 Finding",
        "source": "aws.inspector2",
        "account": ACCOUNT,
        "time": "2024-09-04T16:55:38Z",
        "region": REGION,
        "resources": [image_arn],
        "detail": detail
    })
    .to_string()
}

/// The `findingArn` [`finding_event`] gives the finding of `cve` in that image.
pub fn finding_arn(repository: &str, digest: &str, cve: &str) -> String {
    let hash = Sha256::digest(format!("{repository}\n{digest}\n{cve}"));
    format!(
        "arn:aws:inspector2:{REGION}:{ACCOUNT}:finding/{}",
        &hex::encode(hash)[..32]
    )
}

fn score(severity: Severity) -> Option<f64> {
    match severity {
        Severity::Critical => Some(9.8),
        Severity::High => Some(7.5),
        Severity::Medium => Some(5.3),
        Severity::Low => Some(3.1),
        Severity::Informational | Severity::Untriaged | Severity::Undefined => None,
    }
}
