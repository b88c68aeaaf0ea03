//! The AWS ports over several registries (`ECRSCAN_REGISTRIES`): each call goes
//! to the registry that its repository, or its schedule or group name, starts
//! with (`ALIAS/`). The alias is taken off before AWS sees the name and put back
//! on what AWS returns, so the rest of ecrscan only ever sees `ALIAS/…` names.

use std::sync::Arc;

use async_trait::async_trait;

use super::{AwsError, Ecr, Ecs, Scheduler};
use crate::registry::Registry;
use crate::running::RunningTask;
use crate::scan::findings::{ScanKind, ScanReport};
use crate::scan::image::{Image, ImageId};
use crate::schedule::{PutOutcome, ScanSchedule, ScheduleState, image_of, scan_input};

/// One registry's own clients (built once, with the credentials of its role).
#[derive(Clone)]
pub struct RegistryPorts {
    pub registry: Registry,
    pub ecr: Arc<dyn Ecr>,
    pub scheduler: Arc<dyn Scheduler>,
    pub ecs: Arc<dyn Ecs>,
}

/// [`Ecr`], [`Scheduler`] and [`Ecs`] that route every call to one of several registries.
#[derive(Clone)]
pub struct Routed {
    registries: Vec<RegistryPorts>,
}

impl Routed {
    pub fn new(registries: Vec<RegistryPorts>) -> Self {
        Routed { registries }
    }

    /// The registry `name` starts with (`ALIAS/`), and the rest of the name.
    fn route<'a>(&self, name: &'a str) -> Option<(&RegistryPorts, &'a str)> {
        let (alias, rest) = name.split_once('/')?;
        let ports = self.registries.iter().find(|p| p.registry.alias == alias)?;
        Some((ports, rest))
    }

    fn repository<'a>(&self, repository: &'a str) -> Result<(&RegistryPorts, &'a str), AwsError> {
        self.route(repository).ok_or(AwsError::RepositoryNotFound)
    }

    /// `image` as its registry's ECR names it.
    fn image<'a>(&'a self, image: &Image) -> Result<(&'a RegistryPorts, Image), AwsError> {
        let (ports, repository) = self.repository(&image.repository)?;
        let inner = Image {
            repository: repository.to_string(),
            ..image.clone()
        };
        Ok((ports, inner))
    }
}

/// `name` of `registry` as ecrscan names it.
fn scoped(registry: &Registry, name: &str) -> String {
    format!("{}/{name}", registry.alias)
}

#[async_trait]
impl Ecr for Routed {
    async fn describe_image(&self, repository: &str, id: &ImageId) -> Result<Image, AwsError> {
        let (ports, inner) = self.repository(repository)?;
        let mut image = ports.ecr.describe_image(inner, id).await?;
        image.repository = repository.to_string();
        Ok(image)
    }

    async fn list_tags(&self, repository: &str) -> Result<Vec<String>, AwsError> {
        let (ports, inner) = self.repository(repository)?;
        ports.ecr.list_tags(inner).await
    }

    async fn scan_kind(&self, repository: &str) -> Result<ScanKind, AwsError> {
        let (ports, inner) = self.repository(repository)?;
        ports.ecr.scan_kind(inner).await
    }

    async fn start_scan(&self, image: &Image) -> Result<(), AwsError> {
        let (ports, inner) = self.image(image)?;
        ports.ecr.start_scan(&inner).await
    }

    async fn findings(&self, image: &Image) -> Result<ScanReport, AwsError> {
        let (ports, inner) = self.image(image)?;
        let mut report = ports.ecr.findings(&inner).await?;
        report.image.repository = image.repository.clone();
        Ok(report)
    }
}

#[async_trait]
impl Scheduler for Routed {
    /// `ALIAS/GROUP` in that registry; a group without an alias in every registry.
    async fn ensure_group(&self, group: &str) -> Result<(), AwsError> {
        match self.route(group) {
            Some((ports, group)) => ports.scheduler.ensure_group(group).await,
            None => {
                for ports in &self.registries {
                    ports.scheduler.ensure_group(group).await?;
                }
                Ok(())
            }
        }
    }

    /// In the registry of the schedule's name, with the alias off its name and
    /// its target's repository, and the scheduler role of that account.
    async fn put(&self, schedule: &ScanSchedule) -> Result<PutOutcome, AwsError> {
        let (ports, name) = self.route(&schedule.name).ok_or_else(|| {
            AwsError::ResourceNotFound(format!("no registry for the schedule {}", schedule.name))
        })?;
        let target = image_of(&schedule.input).and_then(|image| {
            let (_, repository) = self.route(image.repository.as_deref()?)?;
            Some(scan_input(repository, &image.id))
        });
        let inner = ScanSchedule {
            name: name.to_string(),
            input: target.unwrap_or_else(|| schedule.input.clone()),
            role_arn: ports.registry.own_role(&schedule.role_arn),
            ..schedule.clone()
        };
        ports.scheduler.put(&inner).await
    }

    async fn get(&self, group: &str, name: &str) -> Result<Option<ScanSchedule>, AwsError> {
        let Some((ports, inner)) = self.route(name) else {
            return Ok(None);
        };
        let schedule = ports.scheduler.get(group, inner).await?;
        Ok(schedule.map(|schedule| outer(&ports.registry, schedule)))
    }

    /// The schedules of every registry, `ALIAS/NAME`, grouped by registry.
    async fn list(&self, group: &str) -> Result<Vec<String>, AwsError> {
        let mut names = Vec::new();
        for ports in &self.registries {
            let listed = ports.scheduler.list(group).await?;
            names.extend(listed.iter().map(|name| scoped(&ports.registry, name)));
        }
        Ok(names)
    }

    async fn delete(&self, group: &str, name: &str) -> Result<bool, AwsError> {
        match self.route(name) {
            Some((ports, inner)) => ports.scheduler.delete(group, inner).await,
            None => Ok(false),
        }
    }

    async fn set_state(
        &self,
        group: &str,
        name: &str,
        state: ScheduleState,
    ) -> Result<Option<ScanSchedule>, AwsError> {
        let Some((ports, inner)) = self.route(name) else {
            return Ok(None);
        };
        let schedule = ports.scheduler.set_state(group, inner, state).await?;
        Ok(schedule.map(|schedule| outer(&ports.registry, schedule)))
    }
}

/// A schedule of `registry` as ecrscan names it: `ALIAS/` on its name and on
/// the repository its target scans.
fn outer(registry: &Registry, mut schedule: ScanSchedule) -> ScanSchedule {
    schedule.name = scoped(registry, &schedule.name);
    if let Some(image) = image_of(&schedule.input)
        && let Some(repository) = &image.repository
    {
        schedule.input = scan_input(&scoped(registry, repository), &image.id);
    }
    schedule
}

#[async_trait]
impl Ecs for Routed {
    /// Every registry's clusters, `ALIAS/CLUSTER`.
    async fn clusters(&self) -> Result<Vec<String>, AwsError> {
        let mut clusters = Vec::new();
        for ports in &self.registries {
            let listed = ports.ecs.clusters().await?;
            clusters.extend(listed.iter().map(|c| scoped(&ports.registry, c)));
        }
        Ok(clusters)
    }

    /// The tasks of `ALIAS/CLUSTER` in that registry's account (a cluster
    /// without an alias: in the first registry's); none named: of every
    /// cluster of every registry. Each task's cluster is `ALIAS/CLUSTER`.
    async fn running(&self, clusters: &[String]) -> Result<Vec<RunningTask>, AwsError> {
        let mut tasks = Vec::new();
        for (n, ports) in self.registries.iter().enumerate() {
            let mine: Vec<String> = (clusters.iter())
                .filter_map(|cluster| match self.route(cluster) {
                    Some((owner, name)) => {
                        (owner.registry == ports.registry).then(|| name.to_string())
                    }
                    None => (n == 0).then(|| cluster.clone()),
                })
                .collect();
            if !clusters.is_empty() && mine.is_empty() {
                continue;
            }
            let mut found = ports.ecs.running(&mine).await?;
            for task in &mut found {
                task.cluster = scoped(&ports.registry, &task.cluster);
            }
            tasks.extend(found);
        }
        Ok(tasks)
    }
}
