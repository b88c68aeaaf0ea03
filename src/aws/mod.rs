//! AWS ports (ECR, EventBridge Scheduler): small traits of ours, SDK-backed, so
//! tests can run the real SDK against an emulator and handlers never see SDK types.

mod convert;
pub mod ecr;
pub mod error;
pub mod scheduler;

pub use convert::report_from_json;
pub use ecr::{Ecr, SdkEcr};
pub use error::AwsError;
pub use scheduler::{Put, Scheduler, SdkScheduler};

/// The standard AWS configuration chain (`AWS_REGION`, credentials, `AWS_ENDPOINT_URL`).
pub async fn load_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}
