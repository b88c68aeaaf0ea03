//! What ECS runs now: its tasks as ECS reports them, and the images they run,
//! grouped by the digest that really runs (not the tag a task definition asked
//! for). Pure functions: the tasks come from the [`Ecs`](crate::aws::Ecs) port.

use std::collections::{BTreeMap, BTreeSet};

use crate::registry::ecr_host;

/// One task that ECS runs now: where it runs, and its containers' images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningTask {
    /// The cluster's name.
    pub cluster: String,
    /// The service that started it; `None` for a task started on its own.
    pub service: Option<String>,
    pub containers: Vec<Container>,
}

/// One container of a running task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    /// The image as the task definition names it
    /// (`123456789012.dkr.ecr.us-east-1.amazonaws.com/web:latest`, `nginx:1.27`).
    pub image: String,
    /// What the container really runs (`imageDigest`), when ECS reports it.
    pub digest: Option<String>,
}

/// The service of a task's `group`: ECS sets `service:NAME` on the tasks a
/// service starts, and `family:NAME` (or a group of the caller's) on others.
pub fn service_of(group: Option<&str>) -> Option<String> {
    let name = group?.strip_prefix("service:")?;
    (!name.is_empty()).then(|| name.to_string())
}

/// An image in Amazon ECR, as a container names it:
/// `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO[:TAG][@sha256:DIGEST]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrImage {
    pub account: String,
    pub region: String,
    pub repository: String,
    /// The tag named (`latest` when neither a tag nor a digest is).
    pub tag: Option<String>,
    /// The digest named after `@`.
    pub digest: Option<String>,
}

/// The ECR image `image` names; `None` for any other registry (Docker Hub,
/// `public.ecr.aws`, `ghcr.io`...) or a name ECR would not take.
pub fn parse_ecr(image: &str) -> Option<EcrImage> {
    let (host, path) = image.split_once('/')?;
    let (account, region) = ecr_host(host)?;
    let (named, digest) = match path.split_once('@') {
        Some((named, digest)) => (named, Some(digest.to_string())),
        None => (path, None),
    };
    let (repository, tag) = match named.rsplit_once(':') {
        Some((repository, tag)) => (repository, Some(tag.to_string())),
        None => (named, None),
    };
    let tag_ok = tag.as_deref().is_none_or(is_tag);
    let digest_ok = digest.as_deref().is_none_or(is_digest);
    if !is_repository(repository) || !tag_ok || !digest_ok {
        return None;
    }
    // Docker's rule: a name without a tag or digest means `:latest`.
    let tag = tag.or_else(|| digest.is_none().then(|| "latest".to_string()));
    Some(EcrImage {
        account: account.to_string(),
        region: region.to_string(),
        repository: repository.to_string(),
        tag,
        digest,
    })
}

/// `sha256:` and 64 lowercase hex digits.
pub fn is_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64 && (hex.bytes()).all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// ECR's `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`, 2 to 256 characters.
fn is_repository(name: &str) -> bool {
    let component_ok = |component: &str| {
        (component.split(['.', '_', '-'])).all(|run| {
            !run.is_empty()
                && run
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    };
    (2..=256).contains(&name.len()) && name.split('/').all(component_ok)
}

/// ECR's `[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}`.
fn is_tag(tag: &str) -> bool {
    let ok = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    (1..=128).contains(&tag.len()) && !tag.starts_with(['.', '-']) && tag.bytes().all(ok)
}

/// Where an image runs: one service of a cluster (or the cluster's tasks that
/// no service started), and how many of those tasks run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub cluster: String,
    /// `None`: the standalone tasks of the cluster.
    pub service: Option<String>,
    pub tasks: usize,
}

/// An ECR image that runs, by the digest that runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningImage {
    /// The registry: its account and region.
    pub account: String,
    pub region: String,
    pub repository: String,
    /// `None` when ECS did not report what the container runs and the task
    /// definition names a tag only (the image is then known by that tag).
    pub digest: Option<String>,
    /// The tags the task definitions named for it, sorted.
    pub tags: Vec<String>,
    /// Sorted by cluster, then service (standalone tasks last).
    pub places: Vec<Place>,
}

impl RunningImage {
    /// How many tasks run it, in all.
    pub fn tasks(&self) -> usize {
        self.places.iter().map(|p| p.tasks).sum()
    }

    /// Where it runs, in words: `prod/web, 3 tasks; batch (standalone), 1 task`.
    pub fn place_words(&self) -> String {
        let words: Vec<String> = (self.places.iter())
            .map(|p| {
                let tasks = match p.tasks {
                    1 => "1 task".to_string(),
                    n => format!("{n} tasks"),
                };
                match &p.service {
                    Some(service) => format!("{}/{service}, {tasks}", p.cluster),
                    None => format!("{} (standalone), {tasks}", p.cluster),
                }
            })
            .collect();
        words.join("; ")
    }
}

/// An image from another registry: ecrscan cannot scan it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherImage {
    /// As the task definition names it.
    pub image: String,
    pub places: Vec<Place>,
}

/// Every image that runs: ECR's, sorted by repository then digest; the others
/// apart, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Running {
    pub images: Vec<RunningImage>,
    pub others: Vec<OtherImage>,
}

/// What identifies an ECR image that runs: its digest, or (unknown) its tag.
type EcrKey = (String, Option<String>, String, String, Option<String>);

/// Groups tasks into the images they run. A task counts once for each image it
/// runs, however many of its containers run it. The digest is the container's
/// `imageDigest`, or else the one its image name pins.
pub fn running_images(tasks: &[RunningTask]) -> Running {
    let mut ecr: BTreeMap<EcrKey, (BTreeSet<String>, Places)> = BTreeMap::new();
    let mut others: BTreeMap<String, Places> = BTreeMap::new();
    for task in tasks {
        let (mut seen, mut seen_others) = (BTreeSet::new(), BTreeSet::new());
        for container in &task.containers {
            let Some(image) = parse_ecr(&container.image) else {
                if seen_others.insert(&container.image) {
                    count(others.entry(container.image.clone()).or_default(), task);
                }
                continue;
            };
            let digest = (container.digest.clone())
                .filter(|d| is_digest(d))
                .or(image.digest);
            let unknown_tag = digest.is_none().then(|| image.tag.clone()).flatten();
            let key = (
                image.repository,
                digest,
                image.account,
                image.region,
                unknown_tag,
            );
            let (tags, places) = ecr.entry(key.clone()).or_default();
            tags.extend(image.tag);
            if seen.insert(key) {
                count(places, task);
            }
        }
    }
    let images = ecr
        .into_iter()
        .map(
            |((repository, digest, account, region, _), (tags, places))| RunningImage {
                account,
                region,
                repository,
                digest,
                tags: tags.into_iter().collect(),
                places: sorted(places),
            },
        )
        .collect();
    let others = others
        .into_iter()
        .map(|(image, places)| OtherImage {
            image,
            places: sorted(places),
        })
        .collect();
    Running { images, others }
}

/// Tasks per (cluster, standalone?, service).
type Places = BTreeMap<(String, bool, Option<String>), usize>;

fn count(places: &mut Places, task: &RunningTask) {
    let key = (
        task.cluster.clone(),
        task.service.is_none(),
        task.service.clone(),
    );
    *places.entry(key).or_default() += 1;
}

fn sorted(places: Places) -> Vec<Place> {
    (places.into_iter())
        .map(|((cluster, _, service), tasks)| Place {
            cluster,
            service,
            tasks,
        })
        .collect()
}

#[cfg(test)]
mod tests;
