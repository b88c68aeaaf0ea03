//! Amazon ECR: the port ecrscan needs, and its implementation on the AWS SDK.

use async_trait::async_trait;
use aws_sdk_ecr::Client;
use aws_sdk_ecr::operation::start_image_scan::StartImageScanError;
use aws_sdk_ecr::types::{ImageIdentifier, ScanType, TagStatus};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};

use super::convert;
use super::error::{AwsError, call};
use crate::scan::findings::{ScanKind, ScanReport};
use crate::scan::image::{Image, ImageId};

/// What ecrscan asks of ECR.
#[async_trait]
pub trait Ecr: Send + Sync {
    /// The image a tag or digest names, with all its tags (the named tag first).
    async fn describe_image(&self, repository: &str, id: &ImageId) -> Result<Image, AwsError>;

    /// Every tag in a repository (for "did you mean").
    async fn list_tags(&self, repository: &str) -> Result<Vec<String>, AwsError>;

    /// Whether the registry holding `repository` uses basic or enhanced scanning.
    async fn scan_kind(&self, repository: &str) -> Result<ScanKind, AwsError>;

    /// `StartImageScan`; the once-a-day limit comes back at once, not after retries.
    async fn start_scan(&self, image: &Image) -> Result<(), AwsError>;

    /// The latest findings of an image, every page of them.
    async fn findings(&self, image: &Image) -> Result<ScanReport, AwsError>;
}

/// [`Ecr`] on the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkEcr {
    client: Client,
}

impl SdkEcr {
    pub fn new(client: Client) -> Self {
        SdkEcr { client }
    }
}

#[async_trait]
impl Ecr for SdkEcr {
    async fn describe_image(&self, repository: &str, id: &ImageId) -> Result<Image, AwsError> {
        let request = self
            .client
            .describe_images()
            .repository_name(repository)
            .image_ids(identifier(id))
            .send();
        let output = call("ecr:DescribeImages", request).await?;
        let detail = output
            .image_details()
            .first()
            .ok_or(AwsError::ImageNotFound)?;
        let mut tags = detail.image_tags().to_vec();
        if let ImageId::Tag(tag) = id {
            tags.retain(|t| t != tag);
            tags.insert(0, tag.clone());
        }
        Ok(Image {
            repository: repository.to_string(),
            digest: detail.image_digest().unwrap_or_default().to_string(),
            tags,
        })
    }

    async fn list_tags(&self, repository: &str) -> Result<Vec<String>, AwsError> {
        let request = self
            .client
            .list_images()
            .repository_name(repository)
            .filter(
                aws_sdk_ecr::types::ListImagesFilter::builder()
                    .tag_status(TagStatus::Tagged)
                    .build(),
            )
            .max_results(1000)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>();
        let pages = call("ecr:ListImages", request).await?;
        Ok(pages.into_iter().filter_map(|id| id.image_tag).collect())
    }

    async fn scan_kind(&self, _repository: &str) -> Result<ScanKind, AwsError> {
        let request = self.client.get_registry_scanning_configuration().send();
        let output = call("ecr:GetRegistryScanningConfiguration", request).await?;
        let kind = output
            .scanning_configuration()
            .and_then(|c| c.scan_type())
            .map_or(ScanKind::Basic, |t| match t {
                ScanType::Enhanced => ScanKind::Enhanced,
                _ => ScanKind::Basic,
            });
        Ok(kind)
    }

    async fn start_scan(&self, image: &Image) -> Result<(), AwsError> {
        let request = self
            .client
            .start_image_scan()
            .repository_name(&image.repository)
            .image_id(identifier(&ImageId::Digest(image.digest.clone())))
            .customize()
            .config_override(aws_sdk_ecr::Config::builder().retry_classifier(DailyLimitIsFinal))
            .send();
        call("ecr:StartImageScan", request).await?;
        Ok(())
    }

    async fn findings(&self, image: &Image) -> Result<ScanReport, AwsError> {
        let request = self
            .client
            .describe_image_scan_findings()
            .repository_name(&image.repository)
            .image_id(identifier(&ImageId::Digest(image.digest.clone())))
            .max_results(1000)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>();
        let pages = call("ecr:DescribeImageScanFindings", request).await?;
        Ok(convert::report(image.clone(), &pages))
    }
}

fn identifier(id: &ImageId) -> ImageIdentifier {
    match id {
        ImageId::Tag(tag) => ImageIdentifier::builder().image_tag(tag).build(),
        ImageId::Digest(digest) => ImageIdentifier::builder().image_digest(digest).build(),
    }
}

/// The SDK treats `LimitExceededException` as throttling and retries it; for
/// `StartImageScan` it means "once per 24 hours", which no retry will change.
#[derive(Debug)]
struct DailyLimitIsFinal;

impl ClassifyRetry for DailyLimitIsFinal {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let limit_exceeded = ctx
            .output_or_error()
            .and_then(Result::err)
            .and_then(|error| error.as_operation_error())
            .and_then(|error| error.downcast_ref::<StartImageScanError>())
            .is_some_and(StartImageScanError::is_limit_exceeded_exception);
        if limit_exceeded {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "DailyLimitIsFinal"
    }
}
