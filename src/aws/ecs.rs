//! Amazon ECS: what ecrscan reads of it (the tasks that run now), and its
//! implementation on the AWS SDK.

use async_trait::async_trait;
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{DesiredStatus, Task};
use futures_util::{StreamExt, TryStreamExt, stream};

use super::error::{AwsError, call};
use crate::running::{Container, RunningTask, service_of};

/// At most this many ECS calls are in flight at once, well within ECS's request
/// rates and the SDK's retries of throttling: 50 clusters of 5,000 tasks are
/// 151 calls (tests/api/ecs_mock.rs), 4 at a time.
pub const CONCURRENT_CALLS: usize = 4;

/// `DescribeTasks` takes at most 100 tasks a call.
pub const DESCRIBE_BATCH: usize = 100;

/// The IAM actions [`Ecs`] calls, granted on resource `*`: `ListClusters`
/// takes no other, and ecrscan reads the tasks of every cluster.
pub const READ_ACTIONS: [&str; 3] = ["ecs:ListClusters", "ecs:ListTasks", "ecs:DescribeTasks"];

/// What ecrscan asks of ECS.
#[async_trait]
pub trait Ecs: Send + Sync {
    /// The ARN of every cluster, every page of them.
    async fn clusters(&self) -> Result<Vec<String>, AwsError>;

    /// Every task that runs now (desired status `RUNNING`) in `clusters`, named
    /// or by ARN; every cluster when empty. A named cluster that does not exist
    /// is [`AwsError::ResourceNotFound`] with the name as given.
    async fn running(&self, clusters: &[String]) -> Result<Vec<RunningTask>, AwsError>;
}

/// [`Ecs`] on the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkEcs {
    client: Client,
    page_size: i32,
}

impl SdkEcs {
    /// Lists in pages of 100, ECS's maximum.
    pub fn new(client: Client) -> Self {
        SdkEcs {
            client,
            page_size: 100,
        }
    }

    /// Lists in pages of `page_size` (1 to 100), so tests can cross pages cheaply.
    pub fn with_page_size(self, page_size: i32) -> Self {
        SdkEcs { page_size, ..self }
    }

    /// The ARNs of the cluster's running tasks, every page of them.
    async fn task_arns(&self, cluster: &str) -> Result<Vec<String>, AwsError> {
        let request = self
            .client
            .list_tasks()
            .cluster(cluster)
            .desired_status(DesiredStatus::Running)
            .max_results(self.page_size)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>();
        match call("ecs:ListTasks", request).await {
            Err(AwsError::ResourceNotFound(_)) => Err(AwsError::ResourceNotFound(cluster.into())),
            other => other,
        }
    }

    /// Up to [`DESCRIBE_BATCH`] tasks of one cluster.
    async fn describe(&self, cluster: &str, arns: &[String]) -> Result<Vec<RunningTask>, AwsError> {
        let request = self
            .client
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(arns.to_vec()))
            .send();
        let output = call("ecs:DescribeTasks", request).await?;
        // A task that stopped since it was listed is left out (or reported as
        // a failure, `MISSING`, which is the same to us).
        let running = (output.tasks().iter())
            .filter(|t| t.desired_status() != Some("STOPPED"))
            .map(|t| running_task(cluster, t));
        Ok(running.collect())
    }
}

#[async_trait]
impl Ecs for SdkEcs {
    async fn clusters(&self) -> Result<Vec<String>, AwsError> {
        let request = self
            .client
            .list_clusters()
            .max_results(self.page_size)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>();
        call("ecs:ListClusters", request).await
    }

    async fn running(&self, clusters: &[String]) -> Result<Vec<RunningTask>, AwsError> {
        let every = clusters.is_empty();
        let clusters = match every {
            true => self.clusters().await?,
            false => clusters.to_vec(),
        };
        let listed: Vec<(String, Vec<String>)> = stream::iter(clusters)
            .map(|cluster| async move {
                match self.task_arns(&cluster).await {
                    // Deleted since ListClusters named it: it runs nothing.
                    Err(AwsError::ResourceNotFound(_)) if every => Ok((cluster, Vec::new())),
                    other => other.map(|arns| (cluster, arns)),
                }
            })
            .buffered(CONCURRENT_CALLS)
            .try_collect()
            .await?;
        let batches: Vec<(String, Vec<String>)> = (listed.into_iter())
            .flat_map(|(cluster, arns)| {
                let batches: Vec<Vec<String>> = arns
                    .chunks(DESCRIBE_BATCH)
                    .map(<[String]>::to_vec)
                    .collect();
                batches
                    .into_iter()
                    .map(move |batch| (cluster.clone(), batch))
            })
            .collect();
        let described: Vec<Vec<RunningTask>> = stream::iter(batches)
            .map(|(cluster, batch)| async move { self.describe(&cluster, &batch).await })
            .buffered(CONCURRENT_CALLS)
            .try_collect()
            .await?;
        Ok(described.into_iter().flatten().collect())
    }
}

/// A described task, in the cluster its ARN names (or else the one asked).
fn running_task(cluster: &str, task: &Task) -> RunningTask {
    let containers = (task.containers().iter())
        .filter_map(|c| {
            Some(Container {
                image: c.image()?.to_string(),
                digest: c.image_digest().map(str::to_string),
            })
        })
        .collect();
    RunningTask {
        cluster: cluster_name(task.cluster_arn().unwrap_or(cluster)),
        service: service_of(task.group()),
        containers,
    }
}

/// `prod` of `arn:aws:ecs:us-east-1:123456789012:cluster/prod` (or of `prod`).
pub fn cluster_name(cluster: &str) -> String {
    match cluster.starts_with("arn:") {
        true => cluster.rsplit('/').next().unwrap_or(cluster).to_string(),
        false => cluster.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::cluster_name;

    #[test]
    fn a_cluster_is_named_by_the_last_part_of_its_arn() {
        assert_eq!(
            cluster_name("arn:aws:ecs:us-east-1:123456789012:cluster/prod"),
            "prod"
        );
        assert_eq!(cluster_name("prod"), "prod");
    }
}
