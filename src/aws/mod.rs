//! AWS ports (ECR, EventBridge Scheduler, ECS): small traits of ours, SDK-backed, so
//! tests can run the real SDK against an emulator and handlers never see SDK types.

mod convert;
pub mod ecr;
pub mod ecs;
pub mod error;
pub mod schedule_cache;
pub mod scheduler;

pub use convert::report_from_json;
pub use ecr::{Ecr, SdkEcr};
pub use ecs::{Ecs, SdkEcs};
pub use error::AwsError;
pub use scheduler::{Scheduler, SdkScheduler};

use std::sync::Arc;

use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// The standard AWS configuration chain (`AWS_REGION`, credentials, `AWS_ENDPOINT_URL`),
/// on [`https_client`].
pub async fn load_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https_client())
        .load()
        .await
}

/// The HTTPS client of every AWS call: rustls on ring, as everything else in
/// ecrscan, rather than the SDK's default (rustls on aws-lc), so that one
/// cryptography library is linked instead of two. Every SDK client must be
/// given it (the SDK's default client is not built in).
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The AWS side, as ports (the SDK in production, the SDK against an emulator in tests).
pub struct Ports {
    pub ecr: Arc<dyn Ecr>,
    pub scheduler: Arc<dyn Scheduler>,
    pub ecs: Arc<dyn Ecs>,
}

impl Ports {
    /// SDK-backed ports from the standard AWS configuration chain.
    pub async fn from_env() -> Self {
        let config = load_config().await;
        Ports {
            ecr: Arc::new(SdkEcr::new(aws_sdk_ecr::Client::new(&config))),
            scheduler: Arc::new(SdkScheduler::new(aws_sdk_scheduler::Client::new(&config))),
            ecs: Arc::new(SdkEcs::new(aws_sdk_ecs::Client::new(&config))),
        }
    }
}
