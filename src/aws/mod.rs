//! AWS ports (ECR, EventBridge Scheduler, ECS): small traits of ours, SDK-backed, so
//! tests can run the real SDK against an emulator and handlers never see SDK types.

mod convert;
pub mod ecr;
pub mod ecs;
pub mod error;
pub mod registries;
pub mod schedule_cache;
pub mod scheduler;

pub use convert::report_from_json;
pub use ecr::{Ecr, SdkEcr};
pub use ecs::{Ecs, SdkEcs};
pub use error::AwsError;
pub use scheduler::{Scheduler, SdkScheduler};

use std::sync::Arc;

use aws_config::sts::AssumeRoleProvider;
use aws_config::{Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use crate::registry::Registries;
use registries::{RegistryPorts, Routed};

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
    /// Each registry's own ports, when `ECRSCAN_REGISTRIES` names registries
    /// (`ecr`, `scheduler` and `ecs` route to them); empty otherwise.
    pub registries: Vec<RegistryPorts>,
}

impl Ports {
    /// The ports of the one registry of ecrscan's own credentials and region.
    pub fn single(ecr: Arc<dyn Ecr>, scheduler: Arc<dyn Scheduler>, ecs: Arc<dyn Ecs>) -> Self {
        Ports {
            ecr,
            scheduler,
            ecs,
            registries: Vec::new(),
        }
    }

    /// SDK-backed ports from the standard AWS configuration chain.
    pub async fn from_env(registries: &Registries) -> Self {
        Self::on(&load_config().await, registries).await
    }

    /// SDK-backed ports on `config`: with no registries, its own account and
    /// region; else, for each registry, clients in its region with the credentials
    /// of its role, assumed (and renewed when they expire) with `config`'s.
    pub async fn on(config: &SdkConfig, registries: &Registries) -> Self {
        let sdk = |config: &SdkConfig| -> (Arc<dyn Ecr>, Arc<dyn Scheduler>, Arc<dyn Ecs>) {
            let ecr = SdkEcr::new(aws_sdk_ecr::Client::new(config));
            let scheduler = SdkScheduler::new(aws_sdk_scheduler::Client::new(config));
            let ecs = SdkEcs::new(aws_sdk_ecs::Client::new(config));
            (Arc::new(ecr), Arc::new(scheduler), Arc::new(ecs))
        };
        if registries.is_empty() {
            let (ecr, scheduler, ecs) = sdk(config);
            return Ports::single(ecr, scheduler, ecs);
        }
        let mut each = Vec::new();
        for registry in registries.iter() {
            let region = Region::new(registry.region.clone());
            let role = AssumeRoleProvider::builder(&registry.role_arn)
                .session_name("ecrscan")
                .region(region.clone())
                .configure(config)
                .build()
                .await;
            let config = (config.clone().into_builder())
                .region(region)
                .credentials_provider(SharedCredentialsProvider::new(role))
                .build();
            let (ecr, scheduler, ecs) = sdk(&config);
            each.push(RegistryPorts {
                registry: registry.clone(),
                ecr,
                scheduler,
                ecs,
            });
        }
        let routed = Arc::new(Routed::new(each.clone()));
        Ports {
            ecr: routed.clone(),
            scheduler: routed.clone(),
            ecs: routed,
            registries: each,
        }
    }
}
