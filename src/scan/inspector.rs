//! `Inspector2 Finding` events: after an enhanced image's first scan, Inspector
//! reports every finding created, updated or closed as one of these.
//!
//! Real events are irregular (times in several formats, `cvss: []`, no
//! `inspectorScore`, `UNTRIAGED`, keys that come and go), so the detail is read
//! field by field: anything unreadable is left empty, and only a missing
//! `findingArn` or image makes an event malformed.

use chrono::{DateTime, NaiveDateTime};
use serde::de::Error as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::scan::findings::{Finding, Severity};
use crate::scan::image::Image;

#[cfg(any(test, feature = "test-support"))]
pub mod testing;

/// The resource type of an ECR image in `detail.resources[].type`.
pub const ECR_IMAGE: &str = "AWS_ECR_CONTAINER_IMAGE";

/// Where a finding stands (`detail.status`). A status ecrscan does not know is
/// read as `Active`: an event about a finding that says neither "closed" nor
/// "suppressed" is about one that is there, and dropping it would hide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE", from = "String")]
pub enum FindingStatus {
    Active,
    /// Hidden by a suppression rule.
    Suppressed,
    /// Inspector no longer sees it (fixed, or the package is gone).
    Closed,
}

impl FindingStatus {
    /// The name Inspector uses (`ACTIVE`, `SUPPRESSED`, `CLOSED`).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Active => "ACTIVE",
            FindingStatus::Suppressed => "SUPPRESSED",
            FindingStatus::Closed => "CLOSED",
        }
    }

    /// `ACTIVE`, `SUPPRESSED`, `CLOSED`, case-insensitive; anything else is `Active`.
    pub fn parse(text: &str) -> Self {
        match text.to_ascii_uppercase().as_str() {
            "SUPPRESSED" => FindingStatus::Suppressed,
            "CLOSED" => FindingStatus::Closed,
            _ => FindingStatus::Active,
        }
    }
}

impl From<String> for FindingStatus {
    fn from(text: String) -> Self {
        FindingStatus::parse(&text)
    }
}

/// What one event says of a finding; stored as JSON (staged, then known).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingState {
    pub status: FindingStatus,
    pub finding: Finding,
    /// When Inspector last changed it, Unix seconds (`updatedAt`, else
    /// `lastObservedAt`, else the event's `time`); `None` when none is readable.
    #[serde(default)]
    pub updated_at: Option<i64>,
}

/// One `Inspector2 Finding` event about an ECR image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingEvent {
    /// `findingArn`: the same for every event about this finding.
    pub arn: String,
    pub image: Image,
    /// The registry (account id) holding the image, when the event names it.
    pub registry: Option<String>,
    pub state: FindingState,
}

/// Reads the `detail` of an `Inspector2 Finding` event; `event_time` is the
/// event's own `time` (Unix seconds), the last resort for `updated_at`.
/// `Ok(None)`: the finding is about something other than an ECR image (an EC2
/// instance, a Lambda function, a code repository). An error when the
/// `findingArn` or, for an image, its repository or digest is missing.
pub fn parse_detail(
    detail: &Value,
    event_time: Option<i64>,
) -> Result<Option<FindingEvent>, serde_json::Error> {
    let resources = detail["resources"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let image_resource = resources.iter().find(|r| is_image(r));
    let Some(resource) = image_resource else {
        if resources.iter().any(|r| r["type"].is_string()) {
            return Ok(None);
        }
        return Err(serde_json::Error::custom(
            "no resource in detail.resources: the image is missing",
        ));
    };
    let arn = text(&detail["findingArn"])
        .ok_or_else(|| serde_json::Error::missing_field("findingArn"))?
        .to_string();
    let (image, registry) = image(resource)?;
    let updated_at = time(&detail["updatedAt"])
        .or_else(|| time(&detail["lastObservedAt"]))
        .or(event_time);
    let state = FindingState {
        status: text(&detail["status"]).map_or(FindingStatus::Active, FindingStatus::parse),
        finding: finding(detail),
        updated_at,
    };
    Ok(Some(FindingEvent {
        arn,
        image,
        registry,
        state,
    }))
}

/// Whether a resource is an ECR image: by its type, or, when it has none, by
/// its details.
fn is_image(resource: &Value) -> bool {
    match resource["type"].as_str() {
        Some(kind) => kind == ECR_IMAGE,
        None => ["awsEcrContainerImage", "image"]
            .iter()
            .any(|key| resource["details"][key].is_object()),
    }
}

/// The image of a resource: `details.awsEcrContainerImage`, then the newer
/// `details.image`, field by field, then the resource's ARN
/// (`…:repository/NAME/sha256:…`) for the repository and digest.
fn image(resource: &Value) -> Result<(Image, Option<String>), serde_json::Error> {
    let ecr = &resource["details"]["awsEcrContainerImage"];
    let generic = &resource["details"]["image"];
    let either = |ecr_key: &str, key: &str| text(&ecr[ecr_key]).or_else(|| text(&generic[key]));
    let from_arn = text(&resource["id"]).and_then(|id| id.split_once(":repository/"));
    let from_arn = from_arn.and_then(|(_, rest)| rest.rsplit_once('/'));
    let repository = either("repositoryName", "repositoryName")
        .or(from_arn.map(|(name, _)| name))
        .ok_or_else(|| serde_json::Error::missing_field("repositoryName"))?;
    let digest = either("imageHash", "imageDigest")
        .or(from_arn
            .map(|(_, digest)| digest)
            .filter(|d| d.contains(':')))
        .ok_or_else(|| serde_json::Error::missing_field("imageHash"))?;
    let tags = [&ecr["imageTags"], &generic["imageTags"]]
        .into_iter()
        .find_map(Value::as_array)
        .map(|tags| tags.iter().filter_map(text).map(str::to_string).collect())
        .unwrap_or_default();
    let image = Image {
        repository: repository.to_string(),
        digest: digest.to_string(),
        tags,
    };
    Ok((image, either("registry", "registry").map(str::to_string)))
}

/// The finding itself. Several vulnerable packages (a library and its tools,
/// e.g. `libssl3t64` and `openssl`, under one finding) are named together:
/// their names, versions and fixed-in versions each joined by ", ", every
/// distinct value once, `NotAvailable` left out.
fn finding(detail: &Value) -> Finding {
    let details = &detail["packageVulnerabilityDetails"];
    let packages = details["vulnerablePackages"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let joined = |key: &str| {
        let mut values: Vec<&str> = Vec::new();
        for value in packages.iter().filter_map(|p| text(&p[key])) {
            if value != "NotAvailable" && !values.contains(&value) {
                values.push(value);
            }
        }
        (!values.is_empty()).then(|| values.join(", "))
    };
    let highest_base_score = details["cvss"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| number(&c["baseScore"]))
        .reduce(f64::max);
    let id = text(&details["vulnerabilityId"]).or_else(|| text(&detail["title"]));
    Finding {
        id: id.unwrap_or("unnamed").to_string(),
        severity: text(&detail["severity"])
            .and_then(|s| s.parse().ok())
            .unwrap_or(Severity::Undefined),
        package: joined("name"),
        version: joined("version"),
        fixed_in: joined("fixedInVersion"),
        cvss: number(&detail["inspectorScore"]).or(highest_base_score),
        uri: text(&details["sourceUrl"]).map(str::to_string),
        fix_available: matches!(text(&detail["fixAvailable"]), Some("YES" | "PARTIAL")),
        exploit_available: text(&detail["exploitAvailable"]) == Some("YES"),
        epss: number(&detail["epss"]["score"]),
    }
}

/// A non-empty string.
fn text(value: &Value) -> Option<&str> {
    value.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// A finite number, also when sent as a string (`"7.5"`).
fn number(value: &Value) -> Option<f64> {
    let n = value.as_f64().or_else(|| text(value)?.parse().ok())?;
    n.is_finite().then_some(n)
}

/// A time as Unix seconds, when readable: a number of seconds, or a text.
fn time(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_f64().filter(|n| n.is_finite()).map(|n| n as i64),
        _ => parse_time(text(value)?),
    }
}

/// Times as Inspector writes them, all UTC: RFC 3339 (`2024-09-04T16:55:38Z`),
/// the console's `Dec 3, 2021, 6:02:30 PM`, and `Wed Sep 04 16:55:38.411 UTC 2024`.
/// Unix seconds; `None` for anything else.
pub fn parse_time(text: &str) -> Option<i64> {
    const FORMATS: [&str; 4] = [
        "%b %d, %Y, %I:%M:%S %p",
        "%a %b %d %H:%M:%S%.f UTC %Y",
        "%a %b %d %H:%M:%S UTC %Y",
        "%Y-%m-%d %H:%M:%S%.f",
    ];
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.timestamp());
    }
    FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|time| time.and_utc().timestamp())
}

#[cfg(test)]
mod tests;
