//! AWS failures sorted into what a user can act on.

use aws_sdk_ecr::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

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
    /// A Scheduler schedule or group that does not exist (`ResourceNotFoundException`).
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
        Some("ResourceNotFoundException") => AwsError::ResourceNotFound(message),
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
