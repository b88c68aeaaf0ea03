//! `/ecrscan running` on moto's ECS: the images tasks run, by digest, with
//! their services and task counts and latest result; other registries apart.
//!
//! moto 5.2.5 leaves a container's `imageDigest` unset (and a task has the
//! first container of its definition only), so the ECR images here are named
//! pinned (`REPO:TAG@sha256:…`): the digest comes from the image name, as it
//! does for such tasks in ECS. Services are started as ECS starts them, as
//! tasks of group `service:NAME` (moto's CreateService starts no task).

use aws_sdk_ecs::types::{ContainerDefinition, LaunchType};
use ecrscan::scan::findings::{Finding, ScanKind, Severity};
use ecrscan::store::{Jobs, ScanRecord};

use crate::helpers::{TestApp, spawn_app, unique_repository};
use crate::moto;

pub const REGISTRY: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

/// Creates `repository` with one image tagged `tag`, of a layer of its own (moto
/// makes the digest of the layers' digests); returns its digest.
pub async fn push(repository: &str, tag: &str) -> String {
    use sha2::Digest;
    let ecr = moto::ecr_client();
    ecr.create_repository()
        .repository_name(repository)
        .send()
        .await
        .unwrap();
    let layer = hex::encode(sha2::Sha256::digest(repository.as_bytes()));
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023,
            "digest": format!("sha256:{layer}"),
        },
        "layers": [{
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": 1024,
            "digest": format!("sha256:{layer}"),
        }],
    });
    let output = ecr
        .put_image()
        .repository_name(repository)
        .image_tag(tag)
        .image_manifest(manifest.to_string())
        .send()
        .await
        .unwrap();
    let image = output.image().and_then(|i| i.image_id()).unwrap();
    image.image_digest().unwrap().to_string()
}

/// Registers a task definition of one container running `image`.
pub async fn definition(image: &str) -> String {
    let container = ContainerDefinition::builder()
        .name("app")
        .image(image)
        .memory(128)
        .build();
    let output = moto::ecs_client()
        .register_task_definition()
        .family(unique_repository("family"))
        .container_definitions(container)
        .send()
        .await
        .unwrap();
    let definition = output.task_definition().unwrap();
    definition.task_definition_arn().unwrap().to_string()
}

/// Starts `count` tasks of `definition` in `cluster`, in `group` (`service:web`,
/// or `family:…` for standalone tasks); returns their ARNs.
pub async fn start(cluster: &str, definition: &str, group: &str, count: i32) -> Vec<String> {
    let output = moto::ecs_client()
        .run_task()
        .cluster(cluster)
        .task_definition(definition)
        .launch_type(LaunchType::Fargate)
        .group(group)
        .count(count)
        .send()
        .await
        .unwrap();
    let tasks = output.tasks();
    tasks
        .iter()
        .filter_map(|t| t.task_arn().map(String::from))
        .collect()
}

pub async fn cluster(prefix: &str) -> String {
    let name = unique_repository(prefix);
    let ecs = moto::ecs_client();
    ecs.create_cluster()
        .cluster_name(&name)
        .send()
        .await
        .unwrap();
    name
}

/// A stored scan of `repository@digest` with one critical finding.
async fn seed_result(app: &TestApp, repository: &str, digest: &str) {
    let store = ecrscan::store::connect(&app.database_url).await.unwrap();
    let finding = Finding {
        id: "CVE-2024-0001".into(),
        severity: Severity::Critical,
        package: Some("openssl".into()),
        version: Some("3.0.1".into()),
        fixed_in: None,
        cvss: None,
        uri: None,
        fix_available: false,
        exploit_available: false,
        epss: None,
    };
    let record = ScanRecord {
        repository: repository.into(),
        image_key: "tag:latest".into(),
        digest: digest.into(),
        scanned_at: 1_714_532_400,
        changed_at: 1_714_532_400,
        kind: ScanKind::Basic,
        findings: vec![finding],
    };
    store.save_plan(0, "{}", Some(&record)).await.unwrap();
}

/// `REPO@sha256:1a2b3c4d5e6f`, as the answer names an image.
fn shown(repository: &str, digest: &str) -> String {
    format!("`{repository}@{}`", &digest[..19])
}

#[tokio::test]
async fn running_lists_three_ecr_images_with_services_and_task_counts_and_docker_hub_apart() {
    let (web, worker, api) = (
        unique_repository("web"),
        unique_repository("worker"),
        unique_repository("api"),
    );
    let web_digest = push(&web, "latest").await;
    let worker_digest = push(&worker, "1.0").await;
    let api_digest = push(&api, "2.0").await;
    assert!(web_digest != worker_digest && worker_digest != api_digest);
    let (prod, staging) = (cluster("prod").await, cluster("staging").await);
    let web_def = definition(&format!("{REGISTRY}/{web}:latest@{web_digest}")).await;
    let worker_def = definition(&format!("{REGISTRY}/{worker}@{worker_digest}")).await;
    let api_def = definition(&format!("{REGISTRY}/{api}:2.0@{api_digest}")).await;
    let nginx_def = definition("nginx:1.27").await;

    // web runs in two services: 3 tasks in prod (a fourth stopped), 1 in staging.
    let web_tasks = start(&prod, &web_def, "service:web", 4).await;
    moto::ecs_client()
        .stop_task()
        .cluster(&prod)
        .task(&web_tasks[0])
        .send()
        .await
        .unwrap();
    start(&staging, &web_def, "service:web-canary", 1).await;
    start(&prod, &worker_def, "service:worker", 1).await;
    start(&staging, &api_def, "family:api", 2).await;
    start(&prod, &nginx_def, "service:proxy", 2).await;

    let app = spawn_app("unused").await;
    seed_result(&app, &web, &web_digest).await;
    let answer = TestApp::answer(app.command(&format!("running {prod} {staging}")).await).await;
    assert!(answer.to_string().contains("2 clusters"), "{answer}");

    let answers = app.slack.wait_for("response_url", 1).await;
    let text = answers[0].everything();
    let web_at = text.find(&shown(&web, &web_digest)).expect("web");
    let worker_at = text.find(&shown(&worker, &worker_digest)).expect("worker");
    let api_at = text.find(&shown(&api, &api_digest)).expect("api");
    let apart = text
        .find("Not scannable here")
        .expect("the other registries' heading");
    let nginx_at = text.find("`nginx:1.27`").expect("nginx");
    let mut order = [api_at, web_at, worker_at];
    order.sort();
    assert!(
        order[2] < apart && apart < nginx_at,
        "ECR images first: {text}"
    );
    let entry = |at: usize| {
        let next = [api_at, web_at, worker_at, apart]
            .into_iter()
            .filter(|other| *other > at)
            .min()
            .unwrap_or(text.len());
        &text[at..next]
    };
    let web_entry = entry(web_at);
    for expected in [
        "`latest`",
        &format!("{prod}/web · 3 tasks"),
        &format!("{staging}/web-canary · 1 task"),
        ":red_circle: 1 critical",
    ] {
        assert!(web_entry.contains(expected), "{expected}: {web_entry}");
    }
    let worker_entry = entry(worker_at);
    assert!(
        worker_entry.contains(&format!("{prod}/worker · 1 task")),
        "{worker_entry}"
    );
    assert!(
        worker_entry.contains("no result stored yet"),
        "{worker_entry}"
    );
    let api_entry = entry(api_at);
    assert!(api_entry.contains("`2.0`"), "{api_entry}");
    assert!(
        api_entry.contains(&format!("{staging} · 2 standalone tasks")),
        "{api_entry}"
    );
    assert!(
        text[nginx_at..].contains(&format!("{prod}/proxy · 2 tasks")),
        "{text}"
    );
    assert!(
        answers[0].text().contains("3 images from Amazon ECR"),
        "{}",
        answers[0].text()
    );

    // Without a cluster named, every cluster (moto's are shared: others may be there too).
    app.command("running").await;
    let answers = app.slack.wait_for("response_url", 2).await;
    let every = answers[1].everything();
    for expected in [
        shown(&web, &web_digest),
        format!("{staging}/web-canary · 1 task"),
        "`nginx:1.27`".to_string(),
    ] {
        assert!(every.contains(&expected), "{expected}: {every}");
    }
    assert!(
        app.slack.calls_to("chat.postMessage").is_empty(),
        "only the asker sees it"
    );
    app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn a_cluster_that_does_not_exist_is_named() {
    let app = spawn_app("unused").await;
    let missing = unique_repository("no-such-cluster");
    app.command(&format!("running {missing}")).await;
    let answers = app.slack.wait_for("response_url", 1).await;
    let text = answers[0].text();
    assert!(
        text.contains(&format!("no ECS cluster `{missing}`")),
        "{text}"
    );
}

#[tokio::test]
async fn a_cluster_where_nothing_runs_says_so() {
    let app = spawn_app("unused").await;
    let idle = cluster("idle").await;
    app.command(&format!("running {idle}")).await;
    let answers = app.slack.wait_for("response_url", 1).await;
    let text = answers[0].text();
    assert_eq!(
        text,
        format!(":zzz: No ECS task runs now in cluster `{idle}`.")
    );
}
