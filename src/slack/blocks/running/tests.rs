use chrono::{TimeZone, Utc};

use super::super::testing::{assert_within_limits, finding, visible_text};
use super::*;
use crate::scan::findings::{ScanKind, Severity};
use crate::scan::image::Image;

const A: &str = "sha256:1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b";

fn place(cluster: &str, service: Option<&str>, tasks: usize) -> Place {
    Place {
        cluster: cluster.into(),
        service: service.map(str::to_string),
        tasks,
    }
}

fn web() -> RunningImage {
    RunningImage {
        account: "123456789012".into(),
        region: "us-east-1".into(),
        repository: "web".into(),
        digest: Some(A.into()),
        tags: vec!["latest".into(), "v1".into()],
        places: vec![
            place("prod", Some("web"), 3),
            place("prod", None, 1),
            place("staging", Some("web"), 1),
        ],
    }
}

fn nginx() -> OtherImage {
    OtherImage {
        image: "nginx:1.27".into(),
        places: vec![place("prod", Some("proxy"), 2)],
    }
}

fn posture() -> Posture {
    let image = Image {
        repository: "web".into(),
        digest: A.into(),
        tags: vec!["latest".into()],
    };
    let at = Utc
        .with_ymd_and_hms(2024, 5, 1, 3, 0, 0)
        .unwrap()
        .timestamp();
    let findings = [
        finding("CVE-1", Severity::Critical),
        finding("CVE-2", Severity::High),
        finding("CVE-3", Severity::High),
    ];
    Posture::new(image, ScanKind::Basic, at, &findings)
}

#[test]
fn each_image_shows_its_digest_tags_places_and_latest_result() {
    let found = Running {
        images: vec![web()],
        others: vec![nginx()],
    };
    let content = running(&[], &found, &[Some(posture())]);
    let text = visible_text(&content);
    for expected in [
        "*`web@sha256:1a2b3c4d5e6f`* `latest`, `v1` · 123456789012 us-east-1",
        "• prod/web · 3 tasks",
        "• prod · 1 standalone task",
        "• staging/web · 1 task",
        ":red_circle: 1 critical · :large_orange_circle: 2 high · last scanned <!date^",
        "1 image from Amazon ECR in every cluster",
        "5 tasks in all",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let apart = text.find("Not scannable here").expect("a heading");
    let nginx = text.find("`nginx:1.27`").unwrap();
    assert!(
        text.find("`web@").unwrap() < apart && apart < nginx,
        "{text}"
    );
    assert!(text[nginx..].contains("• prod/proxy · 2 tasks"), "{text}");
    assert_within_limits(&content);
}

#[test]
fn an_image_without_a_result_says_so_and_one_without_a_digest_too() {
    let mut by_tag = web();
    by_tag.digest = None;
    by_tag.tags = vec!["1.2".into()];
    let found = Running {
        images: vec![web(), by_tag],
        others: vec![],
    };
    let text = visible_text(&running(&["prod".into()], &found, &[None, None]));
    assert!(text.contains("_no result stored yet_"), "{text}");
    assert!(text.contains("*`web:1.2`*"), "{text}");
    assert!(text.contains("did not report the digest"), "{text}");
    assert!(text.contains("in cluster `prod`"), "{text}");
    assert!(!text.contains("Not scannable here"), "{text}");
}

#[test]
fn nothing_running_is_said_in_one_line_naming_the_clusters() {
    let asked = ["prod".to_string(), "staging".to_string()];
    let content = running(&asked, &Running::default(), &[]);
    let text = visible_text(&content);
    assert_eq!(
        text,
        ":zzz: No ECS task runs now in clusters `prod`, `staging`."
    );
    assert_within_limits(&content);
}

#[test]
fn the_most_images_shown_fit_in_one_message_and_the_rest_are_counted() {
    let long = "r".repeat(256);
    let image = |i: usize| RunningImage {
        account: "123456789012".into(),
        region: "us-east-1".into(),
        repository: format!("{long}{i}"),
        digest: Some(A.into()),
        tags: (0..20).map(|t| format!("{}{t}", "t".repeat(120))).collect(),
        places: (0..30)
            .map(|p| {
                place(
                    &"c".repeat(255),
                    Some(&format!("{}{p}", "s".repeat(250))),
                    p,
                )
            })
            .collect(),
    };
    let images: Vec<RunningImage> = (0..300).map(image).collect();
    let others = (0..300)
        .map(|i| OtherImage {
            image: format!("{}{i}", "docker.io/library/x".repeat(30)),
            places: image(i).places,
        })
        .collect();
    let found = Running { images, others };
    let latest = vec![Some(posture()); MAX_RUNNING_SHOWN];
    let content = running(&[], &found, &latest);
    assert_within_limits(&content);
    let text = visible_text(&content);
    let shown = text.matches("@sha256:1a2b3c4d5e6f`*").count();
    let others_shown = text.matches("*`docker.io").count();
    assert!((10..=MAX_RUNNING_SHOWN).contains(&shown), "{shown}");
    assert!(others_shown >= 10, "{others_shown}");
    for expected in [
        format!(
            "…and {} more images not shown: name fewer clusters",
            300 - shown
        ),
        format!("…and {} more images not shown.", 300 - others_shown),
        "+15 more".to_string(),
        "• …and 25 more places, 425 tasks".to_string(),
    ] {
        assert!(text.contains(&expected), "{expected}: {text}");
    }
}
