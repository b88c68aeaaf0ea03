use super::*;
use crate::scan::image::ImageId;
use crate::schedule::Expression;

const DIGEST: &str = "sha256:1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b";

fn ok(text: &str) -> Command {
    parse(text).unwrap_or_else(|e| panic!("{text}: {} / {}", e.problem, e.usage))
}

/// The problem with `text`, checked to name `word`.
fn refused(text: &str, word: &str) -> ParseError {
    let error = parse(text).expect_err(text);
    assert!(
        error.problem.contains(word),
        "{text}: {} does not name {word}",
        error.problem
    );
    error
}

fn tag(tag: &str) -> ImageRef {
    ImageRef {
        repository: None,
        id: ImageId::Tag(tag.into()),
    }
}

fn repo_tag(repository: &str, tag: &str) -> ImageRef {
    ImageRef {
        repository: Some(repository.into()),
        id: ImageId::Tag(tag.into()),
    }
}

#[test]
fn empty_text_is_help() {
    assert_eq!(ok(""), Command::Help);
    assert_eq!(ok("  \t "), Command::Help);
}

#[test]
fn help_ignores_what_follows() {
    assert_eq!(ok("help"), Command::Help);
    assert_eq!(ok("HELP schedule at"), Command::Help);
}

#[test]
fn now_takes_tags_repository_tags_and_digests() {
    let digest = format!("team/web@{DIGEST}");
    let Command::Now(images) = ok(&format!("now web-latest example:proxy_1.2 {digest}")) else {
        panic!("not now");
    };
    let pinned = ImageRef {
        repository: Some("team/web".into()),
        id: ImageId::Digest(DIGEST.into()),
    };
    assert_eq!(
        images,
        [tag("web-latest"), repo_tag("example", "proxy_1.2"), pinned]
    );
}

#[test]
fn command_words_ignore_case_and_images_keep_it() {
    assert_eq!(ok("NOW Web-Latest"), Command::Now(vec![tag("Web-Latest")]));
}

#[test]
fn now_drops_repeated_images() {
    assert_eq!(
        ok("now web web example:web web"),
        Command::Now(vec![tag("web"), repo_tag("example", "web")])
    );
}

#[test]
fn now_needs_an_image() {
    let error = refused("now", "`now`");
    assert!(
        error.usage.contains("/ecrscan now IMAGE..."),
        "{}",
        error.usage
    );
}

#[test]
fn now_takes_at_most_ten_images() {
    let ten: Vec<String> = (1..=10).map(|i| format!("v{i}")).collect();
    assert!(
        matches!(ok(&format!("now {}", ten.join(" "))), Command::Now(images) if images.len() == 10)
    );
    refused(&format!("now {} v11", ten.join(" ")), "`v11`");
}

#[test]
fn findings_takes_exactly_one_image() {
    assert_eq!(
        ok("findings example:web"),
        Command::Findings(repo_tag("example", "web"))
    );
    refused("findings", "`findings`");
    refused("findings web proxy", "`proxy`");
}

#[test]
fn schedule_weekly_with_options_after_the_image() {
    let Command::Schedule { when, images } =
        ok("schedule weekly web-latest at 06:10 tz Asia/Tokyo")
    else {
        panic!("not schedule");
    };
    assert_eq!(when.expression.to_aws(), "cron(10 6 ? * MON *)");
    assert_eq!(when.timezone, Some(chrono_tz::Asia::Tokyo));
    assert_eq!(images, [tag("web-latest")]);
}

#[test]
fn options_may_stand_anywhere_after_the_command_word() {
    let expected = ok("schedule weekly web-latest at 06:10 tz Asia/Tokyo");
    assert_eq!(
        ok("schedule at 06:10 weekly TZ Asia/Tokyo web-latest"),
        expected
    );
    assert_eq!(
        ok("Schedule tz=Asia/Tokyo weekly at=06:10 web-latest"),
        expected
    );
}

#[test]
fn schedule_without_images_leaves_them_to_the_watched_tags() {
    let Command::Schedule { when, images } = ok("schedule every 7 days") else {
        panic!("not schedule");
    };
    assert_eq!(when.expression.to_aws(), "rate(7 days)");
    assert_eq!(when.timezone, None);
    assert!(images.is_empty());
}

#[test]
fn schedule_takes_cron_with_spaces_inside() {
    let Command::Schedule { when, images } = ok("schedule cron(10 6 ? * mon-fri *) web proxy")
    else {
        panic!("not schedule");
    };
    assert_eq!(
        when.expression,
        Expression::parse_aws("cron(10 6 ? * MON-FRI *)").unwrap()
    );
    assert_eq!(images, [tag("web"), tag("proxy")]);
}

#[test]
fn schedule_problems_name_the_word_and_show_the_form() {
    let error = refused("schedule wekly web", "`wekly`");
    assert!(
        error.usage.contains("/ecrscan schedule WHEN"),
        "{}",
        error.usage
    );
    assert!(
        error
            .usage
            .contains("schedule weekly web-latest at 06:10 tz Asia/Tokyo")
    );
    refused("schedule", "WHEN");
    refused("schedule every 6 hours web", "every 6 hours");
    refused("schedule every 7 days web at 06:10", "`at 06:10`");
    refused("schedule weekly web tz Asia/Tokio", "`Asia/Tokio`");
    refused("schedule cron(10 6 ? * MON * web", "missing its closing");
    refused("schedule weekly Web:latest", "`Web`");
}

#[test]
fn a_repeated_option_is_refused() {
    refused("schedule weekly at 06:10 at 07:00", "`at` is given twice");
    refused("subscribe example min=high MIN=low", "`min` is given twice");
}

#[test]
fn an_option_without_a_value_is_refused() {
    refused("schedule weekly web at", "`at`");
    refused("subscribe example min=", "`min`");
}

#[test]
fn an_option_of_another_command_is_refused() {
    refused(
        "now web at 06:10",
        "`at` is an option of `schedule`, not of `now`",
    );
    refused("schedule weekly min=high", "`min`");
    refused("subscribe example tz UTC", "`tz`");
    refused("findings web on mon", "`on`");
}

#[test]
fn words_meant_as_options_get_a_hint() {
    refused("schedule daily 06:10", "`at 06:10`");
    refused("schedule weekly web fri", "`on fri`");
    refused("schedule weekly Asia/Tokyo", "`tz Asia/Tokyo`");
}

#[test]
fn running_takes_cluster_names_or_none() {
    assert_eq!(ok("running"), Command::Running(vec![]));
    assert_eq!(
        ok("RUNNING prod Staging_2 prod"),
        Command::Running(vec!["prod".into(), "Staging_2".into()])
    );
    assert!(!ok("running prod").changes_something());
    assert_eq!(
        ok("running staging/batch"),
        Command::Running(vec!["staging/batch".into()]),
        "a registry's cluster"
    );
    let longest = "c".repeat(255);
    assert_eq!(
        ok(&format!("running {longest}")),
        Command::Running(vec![longest])
    );
    assert_eq!(ok("running sync"), Command::RunningSync);
    assert_eq!(
        ok("running in sync"),
        Command::Running(vec!["sync".into()]),
        "a cluster called sync"
    );
    assert_eq!(ok("running In prod"), Command::Running(vec!["prod".into()]));
    refused("running in", "`in` needs the clusters");
}

#[test]
fn running_refuses_what_is_not_a_cluster_name_with_the_usage() {
    let arn = "arn:aws:ecs:us-east-1:123456789012:cluster/prod";
    for word in [
        arn,
        "Prod/web",
        "prod/",
        "prod.eu",
        "<#C0001|prod>",
        "`prod`",
        "prodé",
    ] {
        let error = refused(&format!("running {word}"), "not an ECS cluster name");
        assert!(
            error.usage.contains("/ecrscan running [CLUSTER...]"),
            "{word}: {}",
            error.usage
        );
    }
    let error = refused(
        &format!("running {}", "c".repeat(256)),
        "not an ECS cluster name",
    );
    assert!(
        error.problem.len() < 300,
        "the word is cut: {}",
        error.problem
    );
    refused("running prod `x", "ˋx");
}

#[test]
fn listing_commands_take_nothing_else() {
    assert_eq!(ok("schedules"), Command::Schedules);
    assert_eq!(ok("Subscriptions"), Command::Subscriptions);
    refused("schedules web", "`web`");
    refused("subscriptions all", "`all`");
}

#[test]
fn schedule_management_takes_one_image() {
    assert_eq!(ok("unschedule web"), Command::Unschedule(tag("web")));
    assert_eq!(
        ok("pause example:web"),
        Command::Pause(repo_tag("example", "web"))
    );
    assert_eq!(ok("resume web"), Command::Resume(tag("web")));
    refused("pause", "`pause`");
    refused("resume web proxy", "`proxy`");
}

#[test]
fn subscribe_defaults_to_every_severity() {
    let pattern = ImagePattern::parse("example:web-*").unwrap();
    assert_eq!(
        ok("subscribe example:web-*"),
        Command::Subscribe {
            pattern,
            min: Severity::Undefined
        }
    );
}

#[test]
fn subscribe_takes_a_minimum_severity() {
    let pattern = ImagePattern::parse("example").unwrap();
    assert_eq!(
        ok("subscribe min=HIGH example"),
        Command::Subscribe {
            pattern,
            min: Severity::High
        }
    );
    refused("subscribe example min=severe", "`min=severe`");
}

#[test]
fn untriaged_is_no_minimum_and_the_refusal_says_how_to_hear_it() {
    refused("subscribe example min=untriaged", "leave `min=` out");
    assert_eq!(
        ok("subscribe example min=undefined"),
        Command::Subscribe {
            pattern: ImagePattern::parse("example").unwrap(),
            min: Severity::Undefined
        }
    );
}

#[test]
fn patterns_are_checked() {
    assert_eq!(
        ok("unsubscribe team/*"),
        Command::Unsubscribe(ImagePattern::parse("team/*").unwrap())
    );
    refused("subscribe", "`subscribe`");
    refused("subscribe Example", "`Example`");
    refused("subscribe example proxy", "`proxy`");
    refused("unsubscribe <http://example.com|example.com>", "Slack link");
}

#[test]
fn an_unknown_command_is_named_with_the_closest() {
    let error = refused("shedule weekly", "`shedule`");
    assert!(error.problem.contains("`schedule`"), "{}", error.problem);
    assert!(
        error.usage.contains("/ecrscan schedule WHEN"),
        "{}",
        error.usage
    );
    assert!(refused("scan web", "`scan`").problem.contains("`now`"));
    let error = refused("frobnicate", "`frobnicate`");
    assert!(error.problem.contains("help") && error.usage.contains("subscriptions"));
}

#[test]
fn malformed_images_are_named() {
    for (word, named) in [
        ("<http://example.com|example.com>", "Slack link"),
        ("<@U123ABC>", "<@U123ABC>"),
        ("“web-latest”", "quotes"),
        ("'web'", "quotes"),
        ("Example:web", "`Example`"),
        ("a:web", "`a`"),
        ("ex..ample:web", "`ex..ample`"),
        ("example/:web", "`example/`"),
        ("-example:web", "`-example`"),
        (":web", "`:web`"),
        ("example:", "`example:`"),
        ("example:-web", "`-web`"),
        ("example:.web", "`.web`"),
        ("web$", "`web$`"),
        ("example@sha256:ABC", "`sha256:ABC`"),
        ("example@md5:abc", "`md5:abc`"),
        (
            "123456789012.dkr.ecr.us-east.amazonaws.com/example:web",
            "not an ECR registry host",
        ),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/example",
            "no tag or digest",
        ),
    ] {
        let problem = parse_image(word).expect_err(word);
        assert!(problem.contains(named), "{word}: {problem}");
        refused(&format!("now {word}"), named);
    }
    let bare_digest = parse_image(DIGEST).unwrap_err();
    assert!(
        bare_digest.contains(DIGEST) && bare_digest.contains("REPO@"),
        "{bare_digest}"
    );
    let upper = DIGEST.to_uppercase().replace("SHA256", "sha256");
    assert!(parse_image(&format!("example@{upper}")).is_err());
}

#[test]
fn image_lengths_follow_ecr() {
    let tag = "t".repeat(128);
    assert!(parse_image(&tag).is_ok());
    assert!(parse_image(&format!("{tag}t")).unwrap_err().contains("128"));
    let repository = "r".repeat(256);
    assert!(parse_image(&format!("{repository}:web")).is_ok());
    assert!(
        parse_image(&format!("{repository}r:web"))
            .unwrap_err()
            .contains("256")
    );
}

#[test]
fn every_usage_example_parses() {
    for usage in USAGE {
        ok(usage.example);
        assert!(usage.form.starts_with(usage.name) && usage.example.starts_with(usage.name));
    }
}

fn pattern(s: &str) -> Option<ImagePattern> {
    Some(ImagePattern::parse(s).unwrap())
}

#[test]
fn ignore_takes_an_id_an_optional_pattern_a_duration_and_a_reason() {
    assert_eq!(
        ok("ignore CVE-2024-6119 example:web-* for 30 days reason no fix upstream yet"),
        Command::Ignore {
            vulnerability: "CVE-2024-6119".into(),
            scope: pattern("example:web-*"),
            duration: Duration::Days(30),
            reason: "no fix upstream yet".into(),
        }
    );
    assert_eq!(
        ok("IGNORE cve-2024-6119 until fixed Reason  the package is never run"),
        Command::Ignore {
            vulnerability: "CVE-2024-6119".into(),
            scope: None,
            duration: Duration::UntilFixed,
            reason: "the package is never run".into(),
        }
    );
    assert_eq!(
        ok("ignore GHSA-vh95-rmgr-6w4m * until 2027-01-31 reason waiting on upstream"),
        Command::Ignore {
            vulnerability: "GHSA-vh95-rmgr-6w4m".into(),
            scope: None,
            duration: Duration::Date("2027-01-31".parse().unwrap()),
            reason: "waiting on upstream".into(),
        }
    );
    assert_eq!(
        ok("ignore CVE-2024-6119 for 2 weeks reason at 06:10 on mon it is patched (by ops)"),
        Command::Ignore {
            vulnerability: "CVE-2024-6119".into(),
            scope: None,
            duration: Duration::Days(14),
            reason: "at 06:10 on mon it is patched (by ops)".into(),
        }
    );
}

#[test]
fn ignore_mistakes_are_refused_with_the_right_form() {
    let form = "`/ecrscan ignore CVE-ID [PATTERN] (for N days | until YYYY-MM-DD | until fixed) reason TEXT`";
    for (text, named) in [
        ("ignore CVE-2024-6119 for 30 days", "needs a reason"),
        (
            "ignore CVE-2024-6119 for 30 days reason  ",
            "needs a reason",
        ),
        (
            "ignore web-latest for 30 days reason x",
            "`web-latest` is not a vulnerability id",
        ),
        ("ignore reason x", "needs a vulnerability id"),
        ("ignore CVE-2024-6119 reason x", "needs how long"),
        (
            "ignore CVE-2024-6119 example:web-* reason x",
            "needs how long",
        ),
        (
            "ignore CVE-2024-6119 for 3 fortnights reason x",
            "`for 3 fortnights`",
        ),
        (
            "ignore CVE-2024-6119 for ever reason x",
            "`for ever` is not a duration",
        ),
        ("ignore CVE-2024-6119 for 0 days reason x", "1 to 365 days"),
        (
            "ignore CVE-2024-6119 for 400 days reason x",
            "1 to 365 days",
        ),
        (
            "ignore CVE-2024-6119 until tomorrow reason x",
            "`until tomorrow` is not a date",
        ),
        (
            "ignore CVE-2024-6119 until 2027-02-30 reason x",
            "not a date",
        ),
        ("ignore CVE-2024-6119 soon reason x", "needs how long"),
        (
            "ignore CVE-2024-6119 <@U1> for 3 days reason x",
            "Slack link or mention",
        ),
        (
            "ignore CVE-2024-6119 for 3 days please reason x",
            "`please` is one word too many",
        ),
    ] {
        let error = refused(text, named);
        assert!(error.usage.contains(form), "{text}: {}", error.usage);
    }
    let long = format!("ignore CVE-2024-6119 for 3 days reason {}", "x".repeat(301));
    refused(&long, "keep it to 300");
}

#[test]
fn unignore_takes_an_id_and_an_optional_pattern_and_ignores_takes_nothing() {
    assert_eq!(
        ok("unignore CVE-2024-6119 example:web-*"),
        Command::Unignore {
            vulnerability: "CVE-2024-6119".into(),
            scope: pattern("example:web-*"),
        }
    );
    assert_eq!(
        ok("unignore CVE-2024-6119"),
        Command::Unignore {
            vulnerability: "CVE-2024-6119".into(),
            scope: None,
        }
    );
    assert_eq!(ok("ignores"), Command::Ignores);
    refused("ignores CVE-2024-6119", "takes nothing after it");
    refused("unignore CVE-2024-6119 a b", "`b` is one word too many");
    refused("unignore", "needs a vulnerability id");
    assert!(ok("ignore CVE-2024-6119 for 1 day reason x").changes_something());
    assert!(ok("unignore CVE-2024-6119").changes_something());
    assert!(!ok("ignores").changes_something());
}

#[test]
fn snooze_and_mute_mean_ignore() {
    let error = refused("snooze CVE-2024-6119", "did you mean `ignore`?");
    assert!(
        error.usage.contains("/ecrscan ignore CVE-ID"),
        "{}",
        error.usage
    );
}

#[test]
fn an_ecr_uri_as_docker_shows_it_keeps_its_host_for_the_registry() {
    let host = "210987654321.dkr.ecr.eu-west-1.amazonaws.com";
    assert_eq!(
        parse_image(&format!("{host}/team/web:web-latest")).unwrap(),
        repo_tag(&format!("{host}/team/web"), "web-latest")
    );
    let pinned = parse_image(&format!("{host}/example@{DIGEST}")).unwrap();
    assert_eq!(
        pinned.repository.as_deref(),
        Some(&*format!("{host}/example"))
    );
    assert_eq!(pinned.id, ImageId::Digest(DIGEST.into()));
    assert_eq!(
        parse_image("staging/example:web-latest").unwrap(),
        repo_tag("staging/example", "web-latest")
    );
}

#[test]
fn schedule_when_running_keeps_the_running_images_scheduled() {
    let Command::ScheduleRunning { when, clusters } = ok("schedule weekly running at 04:00") else {
        panic!("not schedule running");
    };
    assert_eq!(when.expression.to_aws(), "cron(0 4 ? * MON *)");
    assert!(clusters.is_empty(), "every cluster");
    let Command::ScheduleRunning { clusters, .. } =
        ok("schedule daily RUNNING in prod staging/batch")
    else {
        panic!("not schedule running");
    };
    assert_eq!(clusters, ["prod", "staging/batch"]);
    assert!(ok("running sync").changes_something());
    assert_eq!(ok("running Sync"), Command::RunningSync);
    assert!(matches!(
        ok("schedule weekly example:running"),
        Command::Schedule { .. }
    ));
    refused("schedule weekly running in", "`in` needs the clusters");
    refused("schedule weekly running prod", "is not `in`");
    refused(
        "schedule weekly running in prod.eu",
        "not an ECS cluster name",
    );
}
