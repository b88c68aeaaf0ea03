use super::*;

const HOST: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
const A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn ecr(path: &str) -> String {
    format!("{HOST}/{path}")
}

fn container(image: &str, digest: Option<&str>) -> Container {
    Container {
        image: image.to_string(),
        digest: digest.map(str::to_string),
    }
}

fn task(cluster: &str, service: Option<&str>, containers: Vec<Container>) -> RunningTask {
    RunningTask {
        cluster: cluster.to_string(),
        service: service.map(str::to_string),
        containers,
    }
}

fn place(cluster: &str, service: Option<&str>, tasks: usize) -> Place {
    Place {
        cluster: cluster.to_string(),
        service: service.map(str::to_string),
        tasks,
    }
}

#[test]
fn an_ecr_image_names_its_account_region_repository_and_tag() {
    let image = parse_ecr(&ecr("team/web:1.2")).unwrap();
    assert_eq!(
        image,
        EcrImage {
            account: "123456789012".into(),
            region: "us-east-1".into(),
            repository: "team/web".into(),
            tag: Some("1.2".into()),
            digest: None,
        }
    );
}

#[test]
fn an_ecr_image_pinned_by_digest_has_its_digest_and_the_tag_beside_it() {
    let pinned = parse_ecr(&ecr(&format!("web@{A}"))).unwrap();
    assert_eq!((pinned.tag, pinned.digest.as_deref()), (None, Some(A)));
    let both = parse_ecr(&ecr(&format!("web:1.2@{A}"))).unwrap();
    assert_eq!(both.repository, "web");
    assert_eq!(
        (both.tag.as_deref(), both.digest.as_deref()),
        (Some("1.2"), Some(A))
    );
}

#[test]
fn an_ecr_image_without_tag_or_digest_is_latest() {
    let image = parse_ecr(&ecr("web")).unwrap();
    assert_eq!(image.tag.as_deref(), Some("latest"));
}

#[test]
fn fips_and_china_hosts_are_ecr_too() {
    let fips = parse_ecr("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/web:1").unwrap();
    assert_eq!(fips.region, "us-gov-west-1");
    let china = parse_ecr("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web:1").unwrap();
    assert_eq!(china.region, "cn-north-1");
}

#[test]
fn other_registries_are_not_ecr() {
    for image in [
        "nginx:1.27",
        "nginx",
        "library/nginx@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "public.ecr.aws/nginx/nginx:1.27",
        "ghcr.io/owner/app:main",
        "registry.example.com:5000/web:1",
        "",
    ] {
        assert_eq!(parse_ecr(image), None, "{image}");
    }
}

#[test]
fn names_ecr_would_not_take_are_not_ecr_images() {
    for image in [
        "12345.dkr.ecr.us-east-1.amazonaws.com/web:1",
        "123456789012.dkr.ecr..amazonaws.com/web:1",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/Web:1",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:-x",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:short",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/:1",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.test/web:1",
    ] {
        assert_eq!(parse_ecr(image), None, "{image}");
    }
}

#[test]
fn the_service_is_read_from_the_group_of_its_tasks() {
    assert_eq!(service_of(Some("service:web")), Some("web".into()));
    assert_eq!(service_of(Some("family:web")), None);
    assert_eq!(service_of(Some("service:")), None);
    assert_eq!(service_of(None), None);
}

#[test]
fn tasks_are_grouped_by_the_digest_that_runs_with_their_places_counted() {
    let web = ecr("web:latest");
    let tasks = vec![
        task("prod", Some("web"), vec![container(&web, Some(A))]),
        task("prod", Some("web"), vec![container(&web, Some(A))]),
        task("staging", Some("web"), vec![container(&web, Some(A))]),
        task("prod", None, vec![container(&ecr("web:v1"), Some(A))]),
        // The tag moved on: this task still runs the older digest.
        task("prod", Some("worker"), vec![container(&web, Some(B))]),
    ];
    let running = running_images(&tasks);
    assert!(running.others.is_empty());
    let [a, b] = &running.images[..] else {
        panic!("{running:#?}");
    };
    assert_eq!(
        (a.digest.as_deref(), b.digest.as_deref()),
        (Some(A), Some(B))
    );
    assert_eq!(a.tags, ["latest", "v1"]);
    assert_eq!(
        a.places,
        [
            place("prod", Some("web"), 2),
            place("prod", None, 1),
            place("staging", Some("web"), 1)
        ]
    );
    assert_eq!(a.tasks(), 4);
    assert_eq!(b.places, [place("prod", Some("worker"), 1)]);
}

#[test]
fn the_reported_digest_wins_over_the_pinned_one_and_the_pinned_one_stands_in() {
    let pinned = ecr(&format!("web@{A}"));
    let tasks = [
        task("prod", None, vec![container(&pinned, None)]),
        task("prod", None, vec![container(&pinned, Some(B))]),
        task("prod", None, vec![container(&pinned, Some("not a digest"))]),
    ];
    let images = running_images(&tasks).images;
    let digests: Vec<_> = images
        .iter()
        .map(|i| (i.digest.as_deref(), i.tasks()))
        .collect();
    assert_eq!(digests, [(Some(A), 2), (Some(B), 1)]);
    assert!(images[0].tags.is_empty(), "pinned by digest only");
}

#[test]
fn without_any_digest_an_image_is_known_by_its_tag() {
    let tasks = [
        task("prod", None, vec![container(&ecr("web:1"), None)]),
        task("prod", None, vec![container(&ecr("web:2"), None)]),
        task("prod", None, vec![container(&ecr("web:1"), None)]),
    ];
    let images = running_images(&tasks).images;
    let shown: Vec<_> = images
        .iter()
        .map(|i| (i.digest.clone(), i.tags.clone(), i.tasks()))
        .collect();
    assert_eq!(
        shown,
        [
            (None, vec!["1".to_string()], 2),
            (None, vec!["2".to_string()], 1)
        ]
    );
}

#[test]
fn a_task_counts_once_per_image_however_many_containers_run_it() {
    let web = ecr("web:1");
    let tasks = [task(
        "prod",
        Some("web"),
        vec![
            container(&web, Some(A)),
            container(&web, Some(A)),
            container("nginx:1.27", None),
            container("nginx:1.27", None),
        ],
    )];
    let running = running_images(&tasks);
    assert_eq!(running.images[0].tasks(), 1);
    assert_eq!(running.others[0].places, [place("prod", Some("web"), 1)]);
}

#[test]
fn images_from_other_registries_are_apart_sorted_by_name() {
    let tasks = [
        task(
            "prod",
            Some("proxy"),
            vec![container("nginx:1.27", Some(A))],
        ),
        task("prod", Some("web"), vec![container(&ecr("web:1"), Some(B))]),
        task(
            "edge",
            None,
            vec![container("ghcr.io/owner/app:main", None)],
        ),
        task("edge", Some("proxy"), vec![container("nginx:1.27", None)]),
    ];
    let running = running_images(&tasks);
    assert_eq!(running.images.len(), 1);
    let names: Vec<_> = running.others.iter().map(|o| o.image.as_str()).collect();
    assert_eq!(names, ["ghcr.io/owner/app:main", "nginx:1.27"]);
    assert_eq!(
        running.others[1].places,
        [
            place("edge", Some("proxy"), 1),
            place("prod", Some("proxy"), 1)
        ]
    );
}

#[test]
fn images_are_sorted_by_repository_then_digest_whatever_the_order_of_tasks() {
    let tasks = vec![
        task("c", None, vec![container(&ecr("web:1"), Some(B))]),
        task("b", None, vec![container(&ecr("api:1"), Some(B))]),
        task("a", None, vec![container(&ecr("web:1"), Some(A))]),
    ];
    let order = |tasks: &[RunningTask]| -> Vec<(String, Option<String>)> {
        running_images(tasks)
            .images
            .into_iter()
            .map(|i| (i.repository, i.digest))
            .collect()
    };
    let expected = [
        ("api".to_string(), Some(B.to_string())),
        ("web".to_string(), Some(A.to_string())),
        ("web".to_string(), Some(B.to_string())),
    ];
    assert_eq!(order(&tasks), expected);
    let mut reversed = tasks.clone();
    reversed.reverse();
    assert_eq!(order(&reversed), expected);
}

#[test]
fn the_same_repository_in_two_registries_is_two_images() {
    let other = format!("210987654321.dkr.ecr.eu-west-1.amazonaws.com/web@{A}");
    let tasks = [
        task(
            "prod",
            None,
            vec![container(&ecr(&format!("web@{A}")), None)],
        ),
        task("prod", None, vec![container(&other, None)]),
    ];
    let images = running_images(&tasks).images;
    let registries: Vec<_> = images
        .iter()
        .map(|i| (i.account.as_str(), i.region.as_str()))
        .collect();
    assert_eq!(
        registries,
        [("123456789012", "us-east-1"), ("210987654321", "eu-west-1")]
    );
}
