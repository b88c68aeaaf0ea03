//! ECS answers moto cannot give (pages, refusals, an account of 50 clusters and
//! 5,000 tasks), through aws-smithy-mocks: the real SDK, stubbed at the wire.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_ecs::Client;
use aws_sdk_ecs::operation::describe_tasks::DescribeTasksOutput;
use aws_sdk_ecs::operation::list_clusters::ListClustersOutput;
use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
use aws_sdk_ecs::types::{Container, Task};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use ecrscan::aws::{Ecs, Ports, SdkEcr, SdkEcs, SdkScheduler};
use ecrscan::running::running_images;

use crate::ecr_mock::aws_error;
use crate::helpers::{TestApp, spawn_app_with_ports};
use crate::moto;

const ARN: &str = "arn:aws:ecs:us-east-1:123456789012";
const REGISTRY: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

/// An account whose cluster `c{i}` runs `tasks[i]` tasks: ListClusters and
/// ListTasks page as ECS does (by `maxResults` and `nextToken`); DescribeTasks
/// answers every task it is asked for and records the largest batch.
struct Account {
    list_clusters: Rule,
    list_tasks: Rule,
    describe_tasks: Rule,
    largest_batch: Arc<AtomicUsize>,
}

impl Account {
    fn new(tasks: Vec<usize>) -> Account {
        let clusters = tasks.len();
        let list_clusters = mock!(Client::list_clusters).then_compute_output(move |input| {
            let (start, end) = page(input.next_token(), input.max_results(), clusters);
            ListClustersOutput::builder()
                .set_cluster_arns(Some(
                    (start..end)
                        .map(|i| format!("{ARN}:cluster/c{i}"))
                        .collect(),
                ))
                .set_next_token((end < clusters).then(|| end.to_string()))
                .build()
        });
        let list_tasks = mock!(Client::list_tasks).then_compute_output(move |input| {
            let cluster = cluster_index(input.cluster().unwrap());
            let (start, end) = page(input.next_token(), input.max_results(), tasks[cluster]);
            ListTasksOutput::builder()
                .set_task_arns(Some(
                    (start..end)
                        .map(|j| format!("{ARN}:task/c{cluster}/{j}"))
                        .collect(),
                ))
                .set_next_token((end < tasks[cluster]).then(|| end.to_string()))
                .build()
        });
        let largest_batch = Arc::new(AtomicUsize::new(0));
        let largest = largest_batch.clone();
        let describe_tasks = mock!(Client::describe_tasks).then_compute_output(move |input| {
            largest.fetch_max(input.tasks().len(), Ordering::Relaxed);
            let tasks = input.tasks().iter().map(|arn| task(arn)).collect();
            DescribeTasksOutput::builder()
                .set_tasks(Some(tasks))
                .build()
        });
        Account {
            list_clusters,
            list_tasks,
            describe_tasks,
            largest_batch,
        }
    }

    fn client(&self) -> Client {
        mock_client!(
            aws_sdk_ecs,
            RuleMode::MatchAny,
            &[&self.list_clusters, &self.list_tasks, &self.describe_tasks]
        )
    }
}

/// `start..end` of the page `token` begins, of at most `max` (ECS's 100 when unset) out of `all`.
fn page(token: Option<&str>, max: Option<i32>, all: usize) -> (usize, usize) {
    let start = token.map_or(0, |t| t.parse().unwrap());
    let max = max.unwrap_or(100) as usize;
    assert!((1..=100).contains(&max), "ECS takes maxResults of 1 to 100");
    (start, (start + max).min(all))
}

fn cluster_index(cluster: &str) -> usize {
    let name = cluster.rsplit('/').next().unwrap();
    name.trim_start_matches('c').parse().unwrap()
}

/// Task `j` of cluster `c{i}`: one in five started on its own, the others by
/// service `svc0` or `svc1`; an app container of one of three digests (by
/// cluster), and a sidecar from public ECR.
fn task(arn: &str) -> Task {
    let (cluster, j) = arn.rsplit_once('/').unwrap();
    let i = cluster_index(cluster);
    let j: usize = j.parse().unwrap();
    let group = match j % 5 {
        0 => "family:batch".to_string(),
        _ => format!("service:svc{}", j % 2),
    };
    let app = Container::builder()
        .image(format!("{REGISTRY}/app:v{}", i % 3))
        .image_digest(format!("sha256:{}", format!("{}", i % 3).repeat(64)))
        .build();
    let sidecar = Container::builder()
        .image("public.ecr.aws/aws-observability/aws-otel-collector:latest")
        .build();
    Task::builder()
        .task_arn(arn)
        .cluster_arn(format!("{ARN}:cluster/c{i}"))
        .group(group)
        .desired_status("RUNNING")
        .containers(app)
        .containers(sidecar)
        .build()
}

#[tokio::test]
async fn fifty_clusters_of_5000_tasks_are_read_in_pages_and_described_100_at_a_time() {
    // Cluster c{i} runs 4i + 2 tasks: 2 to 198, 5,000 in all.
    let tasks: Vec<usize> = (0..50).map(|i| 4 * i + 2).collect();
    assert_eq!(tasks.iter().sum::<usize>(), 5_000);
    let calls = |per_call: usize| -> usize { tasks.iter().map(|n| n.div_ceil(per_call)).sum() };

    let account = Account::new(tasks.clone());
    let started = Instant::now();
    let running = SdkEcs::new(account.client()).running(&[]).await.unwrap();
    let read = started.elapsed();
    assert_eq!(running.len(), 5_000);
    assert_eq!(account.list_clusters.num_calls(), 1);
    assert_eq!(account.list_tasks.num_calls(), calls(100));
    assert_eq!(account.describe_tasks.num_calls(), calls(100));
    assert_eq!(account.largest_batch.load(Ordering::Relaxed), 100);

    let started = Instant::now();
    let found = running_images(&running);
    let grouped = started.elapsed();
    assert_eq!(found.images.len(), 3, "three digests");
    assert_eq!(found.images.iter().map(|i| i.tasks()).sum::<usize>(), 5_000);
    // Each cluster's svc0, svc1 and standalone tasks, but c0's two tasks (0: standalone, 1: svc1).
    let places: usize = found.images.iter().map(|i| i.places.len()).sum();
    assert_eq!(places, 149);
    assert_eq!(found.others.len(), 1, "the sidecar");
    assert_eq!(found.others[0].places.len(), 149);
    eprintln!(
        "ECS of 50 clusters and 5,000 tasks: {} calls ({} ListTasks, {} DescribeTasks) read in {read:?} \
         against the stand-in; grouped in {grouped:?}",
        1 + 2 * calls(100),
        calls(100),
        calls(100)
    );

    // Small pages: every page of clusters and of tasks is read.
    let account = Account::new(tasks.clone());
    let paged = SdkEcs::new(account.client()).with_page_size(7);
    assert_eq!(paged.running(&[]).await.unwrap().len(), 5_000);
    assert_eq!(account.list_clusters.num_calls(), 50usize.div_ceil(7));
    assert_eq!(account.list_tasks.num_calls(), calls(7));
    assert_eq!(
        account.describe_tasks.num_calls(),
        calls(100),
        "batches stay at 100"
    );

    // Named clusters: only those are read, and no ListClusters.
    let account = Account::new(tasks);
    let named = ["c49".to_string(), "c0".to_string()];
    let running = SdkEcs::new(account.client()).running(&named).await.unwrap();
    assert_eq!(running.len(), 198 + 2);
    assert_eq!(account.list_clusters.num_calls(), 0);
}

fn ports(ecs: Client) -> Ports {
    Ports::single(
        Arc::new(SdkEcr::new(moto::ecr_client())),
        Arc::new(SdkScheduler::new(moto::scheduler_client())),
        Arc::new(SdkEcs::new(ecs)),
    )
}

#[tokio::test]
async fn without_ecs_access_the_answer_names_the_permissions_to_grant() {
    let denied = |action: &str| {
        format!(
            "User: arn:aws:sts::123456789012:assumed-role/ecrscan/i is not authorized to \
             perform: {action} on resource: *"
        )
    };
    let list_clusters = mock!(Client::list_clusters).then_http_response(aws_error(
        400,
        "AccessDeniedException",
        &denied("ecs:ListClusters"),
    ));
    let list_tasks = mock!(Client::list_tasks).then_http_response(aws_error(
        400,
        "AccessDeniedException",
        &denied("ecs:ListTasks"),
    ));
    let client = mock_client!(
        aws_sdk_ecs,
        RuleMode::MatchAny,
        &[&list_clusters, &list_tasks]
    );
    let app = spawn_app_with_ports(ports(client), &[]).await;

    app.command("running").await;
    app.command("running prod").await;
    let answers = app.slack.wait_for("response_url", 2).await;
    let texts: Vec<&str> = answers.iter().map(|a| a.text()).collect();
    let every = texts.iter().find(|t| t.contains("call `ecs:ListClusters`"));
    let named = texts.iter().find(|t| t.contains("call `ecs:ListTasks`"));
    for text in [every, named] {
        let text = text.unwrap_or_else(|| panic!("{texts:?}"));
        for action in ["ecs:ListClusters", "ecs:ListTasks", "ecs:DescribeTasks"] {
            assert!(text.contains(&format!("`{action}`")), "{action}: {text}");
        }
        assert!(text.contains("resource `*`"), "{text}");
    }
    app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn a_bad_cluster_name_is_refused_with_the_usage_and_nothing_is_called() {
    let account = Account::new(vec![3]);
    let app = spawn_app_with_ports(ports(account.client()), &[]).await;

    for word in [
        "Prod/web",
        "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        "<#C0001|prod>",
    ] {
        let answer = TestApp::answer(app.command(&format!("running c0 {word}")).await).await;
        let text = answer.to_string();
        assert!(
            text.contains("is not an ECS cluster name"),
            "{word}: {text}"
        );
        assert!(
            text.contains("Usage: `/ecrscan running [CLUSTER...]`"),
            "{word}: {text}"
        );
        assert!(!text.contains("<#C0001"), "escaped: {text}");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(account.list_clusters.num_calls(), 0);
    assert_eq!(account.list_tasks.num_calls(), 0);
    assert_eq!(account.describe_tasks.num_calls(), 0);
    assert!(
        app.slack.calls().is_empty(),
        "nothing answered later: {:?}",
        app.slack.calls()
    );
}
