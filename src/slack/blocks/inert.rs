//! Every renderer, fed text that tries to mention, link or break out of a code
//! span: what a reader sees shows that text as typed, and nothing is parsed.

use chrono::{TimeZone, Utc};
use slack_morphism::prelude::*;

use super::testing::{finding, report, visible_text, weekly};
use super::*;
use crate::scan::diff::Changes;
use crate::scan::findings::{Finding, Severity};
use crate::schedule::PutOutcome;
use crate::store::Subscription;

/// Mentions, a user group, a link and a backtick, as a user or AWS could send them.
const HOSTILE: &str = "x<!everyone> <@U0BOSS> <!subteam^S0TEAM> <http://evil.test|click>`&";

/// Every `<…>` that Slack would parse in `content`: in its mrkdwn texts and its
/// fallback. `plain_text` (headers, buttons) is never parsed.
fn parsed(content: &SlackMessageContent) -> Vec<String> {
    let mut texts = vec![content.text.clone().unwrap_or_default()];
    mrkdwn_texts(&serde_json::to_value(content).unwrap(), &mut texts);
    texts
        .join("\n")
        .split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or(rest).to_string())
        .collect()
}

fn mrkdwn_texts(value: &serde_json::Value, texts: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) if map.get("type").is_some_and(|t| t == "mrkdwn") => {
            texts.extend(map["text"].as_str().map(str::to_string));
        }
        serde_json::Value::Object(map) => map.values().for_each(|v| mrkdwn_texts(v, texts)),
        serde_json::Value::Array(items) => items.iter().for_each(|v| mrkdwn_texts(v, texts)),
        _ => {}
    }
}

/// Panics unless the only `<…>` in `content` are the bot's own (dates, the
/// mention of `user`, https links) and the hostile text shows escaped.
fn assert_inert(content: &SlackMessageContent, user: Option<&str>) {
    for token in parsed(content) {
        let ours = token.starts_with("!date^")
            || token.starts_with("https://")
            || user.is_some_and(|u| token == format!("@{u}"));
        assert!(ours, "Slack would parse <{token}> in {content:#?}");
    }
    let text = visible_text(content);
    assert!(
        text.contains("&lt;!everyone&gt;") && text.contains("&lt;@U0BOSS&gt;"),
        "the hostile text shows as typed: {text}"
    );
}

#[test]
fn schedule_announcements_mention_no_one_for_a_strange_user_id() {
    let now = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    let user = format!("U1> {HOSTILE}");
    let s = weekly("example", HOSTILE);
    let done = [
        (s.clone(), PutOutcome::Created),
        (weekly("b", "c"), PutOutcome::Updated),
    ];
    for content in [
        scheduled(&user, &done[..1], now),
        scheduled(&user, &done, now),
        unscheduled(&user, &s),
        paused(&user, &s),
        resumed(&user, &s, now),
        no_schedule(HOSTILE, HOSTILE),
        unchanged(&s),
        schedules(
            HOSTILE,
            std::slice::from_ref(&s),
            0,
            &crate::registry::Registries::default(),
            now,
        ),
    ] {
        assert_inert(&content, None);
    }
}

#[test]
fn a_real_user_id_is_still_mentioned() {
    let now = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    let s = weekly("example", "web-latest");
    assert!(visible_text(&paused("U024BE7LH", &s)).contains("<@U024BE7LH> paused"));
    assert!(visible_text(&resumed("W1A2B3C", &s, now)).contains("<@W1A2B3C> resumed"));
}

#[test]
fn subscription_messages_escape_patterns_and_user_ids() {
    let subscription = Subscription {
        channel: "C1".into(),
        pattern: HOSTILE.into(),
        min_severity: Severity::High,
        created_by: HOSTILE.into(),
    };
    let list = [subscription];
    let changed = crate::scan::burst::Outcome::Changed;
    let burst = crate::scan::burst::Tally::of(&[crate::scan::burst::Entry::new(
        HOSTILE,
        changed,
        [HOSTILE],
    )]);
    for content in [
        subscribed(HOSTILE, HOSTILE, Severity::High, true),
        unsubscribed(HOSTILE, HOSTILE),
        subscriptions(&list, Some("C9")),
        no_such_subscription(HOSTILE, &list),
        digest(&burst, 60),
    ] {
        assert_inert(&content, None);
    }
    let fallback = visible_text(&subscriptions(&[], Some(HOSTILE)));
    assert!(!fallback.contains("<!everyone"), "{fallback}");
}

fn hostile_finding() -> Finding {
    let mut f = finding(HOSTILE, Severity::Critical);
    f.package = Some(HOSTILE.into());
    f.version = Some(HOSTILE.into());
    f.fixed_in = Some(HOSTILE.into());
    f.uri = Some("http://evil.test/advisory".into());
    f
}

#[test]
fn findings_summaries_and_details_escape_every_field_aws_sends() {
    let mut report = report(vec![hostile_finding(), finding("CVE-1", Severity::Low)]);
    report.image.tags = vec![HOSTILE.into()];
    report.image.repository = HOSTILE.into();
    let changes = Changes {
        new: vec![hostile_finding()],
        fixed: vec![hostile_finding()],
        unchanged: 0,
        ..Changes::default()
    };
    let mut rendered = vec![
        findings(&report, &[]),
        summary(&report, Some(&changes), None, 0),
    ];
    rendered.extend(details(&report));
    rendered.push(scan_started(&report.image, HOSTILE));
    for content in &rendered {
        assert_inert(content, None);
    }
}

#[test]
fn a_finding_with_a_plain_http_address_is_shown_as_text_not_linked() {
    let content = findings(&report(vec![hostile_finding()]), &[]);
    let text = visible_text(&content);
    assert!(!text.contains("<http://evil.test"), "{text}");
    assert!(text.contains("`http://evil.test/advisory`"), "{text}");
    let https = visible_text(&findings(
        &report(vec![finding("CVE-1", Severity::Low)]),
        &[],
    ));
    assert!(
        https.contains("<https://nvd.nist.gov/vuln/detail/CVE-1|CVE-1>"),
        "{https}"
    );
}

#[test]
fn a_backtick_in_a_package_or_tag_does_not_end_its_code_span() {
    let mut f = finding("CVE-1", Severity::High);
    f.package = Some("open`ssl *bold*".into());
    let mut report = report(vec![f]);
    report.image.tags = vec!["web`latest".into()];
    let text = visible_text(&findings(&report, &[]));
    assert!(text.contains("`openˋssl *bold*`"), "{text}");
    let text = visible_text(&summary(&report, None, None, 0));
    assert!(text.contains("Tags: `webˋlatest`"), "{text}");
}

#[test]
fn mrkdwn_is_sent_verbatim_so_slack_links_nothing_in_the_text_itself() {
    let json = serde_json::to_value(findings(&report(vec![hostile_finding()]), &[])).unwrap();
    let blocks = json["blocks"].as_array().unwrap();
    let mrkdwn: Vec<&serde_json::Value> = blocks
        .iter()
        .flat_map(|b| [&b["text"], &b["elements"][0]])
        .filter(|t| t["type"] == "mrkdwn")
        .collect();
    assert!(!mrkdwn.is_empty());
    for text in mrkdwn {
        assert_eq!(text["verbatim"], true, "{text}");
    }
}

#[test]
fn ignore_messages_escape_reasons_ids_and_patterns() {
    let ignore = crate::triage::Ignore {
        id: 1,
        vulnerability: HOSTILE.into(),
        scope: Some(crate::routing::ImagePattern::parse("example:web-*").unwrap()),
        until: crate::triage::Until::At(1_800_000_000),
        reason: HOSTILE.into(),
        created_by: HOSTILE.into(),
        channel: "C1".into(),
        created_at: 1_700_000_000,
    };
    let hidden = [crate::triage::Hidden {
        finding: hostile_finding(),
        ignore: ignore.clone(),
    }];
    let ended = crate::store::Ended::Expired;
    for content in [
        ignored(HOSTILE, &ignore, Some(crate::triage::Duration::Days(30))),
        unignored(HOSTILE, HOSTILE, ignore.scope.as_ref()),
        no_such_ignore(HOSTILE, None, &[&ignore]),
        ignores(&[(ignore.clone(), 3)]),
        hidden_findings(&hidden).unwrap(),
        ignore_ended(&ignore, ended, &hostile_finding()),
        findings(&report(vec![]), &hidden),
    ] {
        assert_inert(&content, None);
    }
}

#[test]
fn what_ecs_runs_escapes_clusters_services_tags_and_other_registries_images() {
    use crate::running::{OtherImage, Place, Running, RunningImage};
    let place = Place {
        cluster: HOSTILE.into(),
        service: Some(HOSTILE.into()),
        tasks: 2,
    };
    let standalone = Place {
        service: None,
        ..place.clone()
    };
    let image = RunningImage {
        account: HOSTILE.into(),
        region: HOSTILE.into(),
        repository: HOSTILE.into(),
        digest: Some(format!("sha256:{HOSTILE}")),
        tags: vec![HOSTILE.into()],
        places: vec![place.clone(), standalone],
    };
    let by_tag = RunningImage {
        digest: None,
        ..image.clone()
    };
    let found = Running {
        images: vec![image, by_tag],
        others: vec![OtherImage {
            image: HOSTILE.into(),
            places: vec![place],
        }],
    };
    assert_inert(&running(&[HOSTILE.into()], &found, &[None, None]), None);
    assert_inert(&running(&[HOSTILE.into()], &Running::default(), &[]), None);
}
