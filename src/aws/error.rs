//! AWS failures sorted into what a user can act on.

use std::time::Instant;

use aws_sdk_ecr::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::metrics::metrics;

/// An AWS call that failed, in terms a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    #[error("the repository does not exist")]
    RepositoryNotFound,
    #[error("the image does not exist")]
    ImageNotFound,
    /// `StartImageScan` ran for this image within the last 24 hours.
    #[error("the image was already scanned in the last 24 hours")]
    LimitExceeded,
    /// The registry uses enhanced scanning, so on-demand scans are off.
    #[error("on-demand scanning is disabled for this registry")]
    ScanningDisabled,
    #[error("the image type is not supported: {0}")]
    UnsupportedImage(String),
    /// The image has never been scanned.
    #[error("the image has no scan results")]
    ScanNotFound,
    #[error("not allowed to call {action}: {message}")]
    AccessDenied {
        action: &'static str,
        message: String,
    },
    /// A Scheduler schedule or group, or an ECS cluster, that does not exist
    /// (`ResourceNotFoundException`, `ClusterNotFoundException`).
    #[error("not found: {0}")]
    ResourceNotFound(String),
    /// It exists already, or changed meanwhile (`ConflictException`).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("no AWS credentials were found")]
    NoCredentials,
    #[error("{action} failed: {message}")]
    Other {
        action: &'static str,
        message: String,
    },
}

impl AwsError {
    /// A short, stable label for metrics (`limit_exceeded`, `access_denied`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            AwsError::RepositoryNotFound => "repository_not_found",
            AwsError::ImageNotFound => "image_not_found",
            AwsError::LimitExceeded => "limit_exceeded",
            AwsError::ScanningDisabled => "scanning_disabled",
            AwsError::UnsupportedImage(_) => "unsupported_image",
            AwsError::ScanNotFound => "scan_not_found",
            AwsError::AccessDenied { .. } => "access_denied",
            AwsError::ResourceNotFound(_) => "resource_not_found",
            AwsError::Conflict(_) => "conflict",
            AwsError::NoCredentials => "no_credentials",
            AwsError::Other { .. } => "other",
        }
    }
}

/// Awaits one SDK request (every page of it, for a paginator), sorts its error with
/// [`classify`], and records its outcome and duration under `action`.
pub async fn call<T, E, R>(
    action: &'static str,
    request: impl Future<Output = Result<T, SdkError<E, R>>>,
) -> Result<T, AwsError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let started = Instant::now();
    let result = request.await.map_err(|e| classify(e, action));
    let outcome = result.as_ref().map_or_else(AwsError::kind, |_| "ok");
    metrics().aws_call(action, outcome, started.elapsed());
    result
}

/// Sorts an SDK error by its AWS error code; `action` is the IAM action that was called.
pub fn classify<E, R>(error: SdkError<E, R>, action: &'static str) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let message = error.message().unwrap_or_default().to_string();
    match error.code() {
        Some("RepositoryNotFoundException") => AwsError::RepositoryNotFound,
        Some("ImageNotFoundException") => AwsError::ImageNotFound,
        Some("LimitExceededException") => AwsError::LimitExceeded,
        Some("ScanNotFoundException") => AwsError::ScanNotFound,
        Some("UnsupportedImageTypeException") => AwsError::UnsupportedImage(message),
        Some("ResourceNotFoundException" | "ClusterNotFoundException") => {
            AwsError::ResourceNotFound(message)
        }
        Some("ConflictException") => AwsError::Conflict(message),
        Some("ValidationException")
            if action.starts_with("ecr:") && message.to_ascii_lowercase().contains("disabled") =>
        {
            AwsError::ScanningDisabled
        }
        Some("AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation") => {
            AwsError::AccessDenied { action, message }
        }
        Some(_) => AwsError::Other { action, message },
        None => {
            let chain = DisplayErrorContext(&error).to_string();
            let lower = chain.to_ascii_lowercase();
            if lower.contains("credential") || lower.contains("no identity") {
                AwsError::NoCredentials
            } else {
                AwsError::Other {
                    action,
                    message: chain,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AwsError;

    #[test]
    fn error_kinds_are_fixed_snake_case_labels_without_the_message() {
        let denied = AwsError::AccessDenied {
            action: "ecr:StartImageScan",
            message: "User arn:aws:iam::1:user/alice is not authorized".into(),
        };
        assert_eq!(denied.kind(), "access_denied");
        assert_eq!(AwsError::LimitExceeded.kind(), "limit_exceeded");
        let other = AwsError::Other {
            action: "ecr:ListImages",
            message: "boom".into(),
        };
        assert_eq!(other.kind(), "other");
    }
}
