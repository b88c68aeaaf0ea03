//! `ignore`, `ignores`, `unignore` from Slack, and what an ignore does to the
//! results: an ignored new CRITICAL is neither broadcast nor listed as new, the
//! summary counts it, and its expiry is announced once in the image's thread.

use std::time::Duration;

use aws_sdk_ecr::types::FindingSeverity;
use ecrscan::service::ignores::expire;

use crate::ecr_mock::cve;
use crate::helpers::{CHANNEL, TestApp, spawn_app, unique_repository};
use crate::slack_stub::Call;
use crate::sns::{RESULTS, Setup, deliver, event, settled_posts, setup, setup_with};
use crate::sns_harness::body;

const FORM: &str =
    "/ecrscan ignore CVE-ID [PATTERN] (for N days | until YYYY-MM-DD | until fixed) reason TEXT";

async fn answer(app: &TestApp, text: &str) -> String {
    TestApp::answer(app.command(text).await).await.to_string()
}

/// The posts in the results channel's threads.
fn replies(app: &TestApp) -> Vec<Call> {
    (app.slack.calls_to("chat.postMessage").into_iter())
        .filter(|p| p.body["channel"] == RESULTS && p.body.get("thread_ts").is_some())
        .collect()
}

/// ecrscan with the first result of `example:web-latest` (three HIGH findings,
/// `CVE-2026-00000` to `…02`) posted in the results channel: its posts.
async fn first_result() -> (Setup, Vec<Call>) {
    let s = setup(3).await;
    let notification = s.sns.notification("scan-1", &event());
    deliver(&s.app, "Notification", body(&notification)).await;
    let opened = settled_posts(&s.app, 2).await;
    (s, opened)
}

#[tokio::test]
async fn an_ignored_new_critical_is_not_broadcast_nor_new_but_another_one_is() {
    let (s, opened) = first_result().await;

    let said = answer(
        &s.app,
        "ignore CVE-2026-09001 example:web-* for 30 days reason no fix upstream yet",
    )
    .await;
    assert!(said.contains("Ignored *CVE-2026-09001*"), "{said}");
    let announced = s
        .app
        .slack
        .wait_for("chat.postMessage", opened.len() + 1)
        .await;
    let announcement = announced.last().unwrap();
    assert_eq!(announcement.body["channel"], CHANNEL);
    let text = announcement.text();
    assert!(
        text.contains("<@U0001> ignored *CVE-2026-09001* in `example:web-*` for 30 days (until")
            && text.ends_with("): no fix upstream yet"),
        "{text}"
    );

    {
        let mut findings = s.findings.lock().unwrap();
        findings.push(cve(9001, FindingSeverity::Critical));
        findings.push(cve(9002, FindingSeverity::Critical));
    }
    deliver(
        &s.app,
        "Notification",
        body(&s.sns.notification("scan-2", &event())),
    )
    .await;
    let updates = s.app.slack.wait_for("chat.update", 1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let replies = replies(&s.app);
    assert_eq!(
        replies.len(),
        2,
        "one changes reply after the details: {replies:#?}"
    );
    let change = replies.last().unwrap();
    assert_eq!(
        change.body["reply_broadcast"], true,
        "the other new CRITICAL is broadcast"
    );
    let everything = change.everything();
    assert!(everything.contains("CVE-2026-09002"), "{everything}");
    assert!(
        !everything.contains("CVE-2026-09001"),
        "the ignored one is not named: {everything}"
    );
    assert!(everything.contains("1 new"), "{everything}");
    let summary = updates.last().unwrap().everything();
    assert!(summary.contains("· 1 ignored"), "{summary}");
    assert!(!summary.contains("CVE-2026-09001"), "{summary}");

    let list = answer(&s.app, "ignores").await;
    assert!(
        list.contains("*CVE-2026-09001*")
            && list.contains("example:web-*")
            && list.contains("hides 1 finding")
            && list.contains("no fix upstream yet"),
        "{list}"
    );
    s.app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn mistakes_are_refused_with_the_right_form_and_nothing_is_stored() {
    let app = spawn_app(&unique_repository("ignores")).await;
    for (text, problem) in [
        ("ignore CVE-2024-6119 for 30 days", "needs a reason"),
        (
            "ignore web-latest for 30 days reason x",
            "is not a vulnerability id",
        ),
        (
            "ignore CVE-2024-6119 for a while reason x",
            "say how many days",
        ),
        ("ignore CVE-2024-6119 forever reason x", "needs how long"),
        (
            "ignore CVE-2024-6119 until 2020-01-01 reason x",
            "is not in the future",
        ),
    ] {
        let said = answer(&app, text).await;
        assert!(said.contains(problem), "{text}: {said}");
        assert!(said.contains(FORM), "{text}: {said}");
    }
    let list = answer(&app, "ignores").await;
    assert!(list.contains("Nothing is ignored"), "{list}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        app.slack.calls_to("chat.postMessage").is_empty(),
        "nothing announced"
    );
}

#[tokio::test]
async fn only_admins_may_ignore_and_unignore_when_admins_are_set_and_everyone_may_list() {
    let s = setup_with(1, &[("ECRSCAN_ADMINS", "U0BOSS")]).await;
    for text in [
        "ignore CVE-2024-6119 for 30 days reason no fix upstream yet",
        "unignore CVE-2024-6119",
    ] {
        let said = answer(&s.app, text).await;
        assert!(said.contains("Only <@U0BOSS> may"), "{text}: {said}");
        assert!(said.contains("/ecrscan ignores"), "{text}: {said}");
    }
    let list = answer(&s.app, "ignores").await;
    assert!(list.contains("Nothing is ignored"), "{list}");
}

#[tokio::test]
async fn unignore_removes_an_ignore_and_names_the_scope_of_one_it_did_not_find() {
    let app = spawn_app(&unique_repository("unignore")).await;
    answer(
        &app,
        "ignore CVE-2024-6119 example:web-* until fixed reason not run",
    )
    .await;
    let missing = answer(&app, "unignore CVE-2024-6119").await;
    assert!(
        missing.contains("is not ignored in every image")
            && missing.contains("/ecrscan unignore CVE-2024-6119 example:web-*"),
        "{missing}"
    );
    let removed = answer(&app, "unignore cve-2024-6119 example:web-*").await;
    assert!(removed.contains("announced again"), "{removed}");
    let posts = app.slack.wait_for("chat.postMessage", 2).await;
    assert!(
        posts[1]
            .text()
            .contains("removed the ignore of *CVE-2024-6119*"),
        "{posts:#?}"
    );
    assert!(answer(&app, "ignores").await.contains("Nothing is ignored"));
}

#[tokio::test]
async fn an_expired_ignore_is_announced_once_in_the_thread_of_an_image_that_still_has_it() {
    let (s, opened) = first_result().await;
    let thread = opened[0].ts.clone();
    answer(
        &s.app,
        "ignore CVE-2026-00001 for 1 day reason waiting on upstream",
    )
    .await;
    answer(
        &s.app,
        "ignore CVE-2026-00777 for 1 day reason not in any image",
    )
    .await;
    assert!(answer(&s.app, "ignores").await.contains("hides 1 finding"));

    let in_two_days = chrono::Utc::now() + chrono::Duration::days(2);
    let ended = expire(&s.app.state, in_two_days).await.unwrap();
    assert_eq!(ended.len(), 2);
    for _ in 0..50 {
        if replies(&s.app).iter().any(|r| r.text().contains("expired")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        expire(&s.app.state, in_two_days).await.unwrap().is_empty(),
        "ended once"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let ended_replies: Vec<Call> = replies(&s.app)
        .into_iter()
        .filter(|r| r.text().contains("expired"))
        .collect();
    assert_eq!(ended_replies.len(), 1, "{ended_replies:#?}");
    let reply = &ended_replies[0];
    assert_eq!(reply.body["thread_ts"], thread.as_str());
    let text = reply.text();
    assert!(
        text.contains("The ignore of *CVE-2026-00001* in every image expired")
            && text.contains("waiting on upstream")
            && text.contains("<@U0001>"),
        "{text}"
    );
    assert!(
        answer(&s.app, "ignores")
            .await
            .contains("Nothing is ignored")
    );
}

/// The form body of a `view_submission` of the Ignore… modal `view` (as
/// `views.open` sent it), with these inputs.
fn submission(view: &serde_json::Value, finding: &str, duration: &str, reason: &str) -> String {
    let option = |value: &str| serde_json::json!({ "selected_option": { "value": value } });
    let payload = serde_json::json!({
        "type": "view_submission",
        "team": { "id": crate::helpers::TEAM, "domain": "example" },
        "user": { "id": crate::helpers::USER, "username": "alice" },
        "api_app_id": "A0001",
        "trigger_id": "12466734323.1395872398.ac7b1f0e4c3b",
        "view": {
            "id": "V0001",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": { "values": {
                "finding": { "finding": option(finding) },
                "duration": { "duration": option(duration) },
                "date": { "date": { "type": "datepicker", "selected_date": null } },
                "reason": { "reason": { "type": "plain_text_input", "value": reason } },
            } },
        },
    });
    serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
}

#[tokio::test]
async fn the_ignore_modal_opens_from_a_result_and_its_verified_submission_stores_the_ignore() {
    use crate::helpers::{SECRET, now};
    let (s, opened) = first_result().await;
    let summary = &opened[0];
    let button = (summary.body["blocks"].as_array().unwrap().iter())
        .filter_map(|b| b["elements"].as_array())
        .flatten()
        .find(|e| e["action_id"] == "ignore")
        .expect("the summary of a first scan with findings offers Ignore…")
        .clone();

    let click = s
        .app
        .click("ignore", button["value"].as_str().unwrap(), &summary.ts)
        .await;
    assert_eq!(click.status(), 200);
    let views = s.app.slack.wait_for("views.open", 1).await;
    let view = &views[0].body["view"];
    assert_eq!(view["callback_id"], "ignore_finding");
    let options = view.to_string();
    for n in 0..3 {
        assert!(options.contains(&format!("CVE-2026-{n:05}")), "{options}");
    }

    let path = "/slack/interactions";
    let missing = submission(view, "CVE-2026-00001", "30", " ");
    let refused = s
        .app
        .post_signed(path, missing.into_bytes(), now(), SECRET)
        .await;
    assert_eq!(refused.status(), 200);
    let refused: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(refused["response_action"], "errors", "{refused}");
    assert!(refused["errors"]["reason"].is_string(), "{refused}");

    let good = submission(view, "CVE-2026-00001", "90", "the package is never run");
    let forged = s
        .app
        .post_signed(path, good.clone().into_bytes(), now(), "not-the-secret")
        .await;
    assert_eq!(forged.status(), 401);
    assert!(
        answer(&s.app, "ignores")
            .await
            .contains("Nothing is ignored")
    );

    let stored = s
        .app
        .post_signed(path, good.into_bytes(), now(), SECRET)
        .await;
    assert_eq!(stored.status(), 200);
    assert!(
        stored.text().await.unwrap().is_empty(),
        "an empty 200 closes the modal"
    );
    let list = answer(&s.app, "ignores").await;
    assert!(
        list.contains("*CVE-2026-00001*")
            && list.contains("example:web-latest")
            && list.contains("the package is never run")
            && list.contains("hides 1 finding"),
        "{list}"
    );
    let posts = s
        .app
        .slack
        .wait_for("chat.postMessage", opened.len() + 1)
        .await;
    let announced = posts.last().unwrap();
    assert_eq!(
        announced.body["thread_ts"],
        summary.ts.as_str(),
        "announced in the thread"
    );
    assert!(
        announced
            .text()
            .contains("ignored *CVE-2026-00001* in `example:web-latest` for 90 days"),
        "{}",
        announced.text()
    );
    s.app.slack.assert_all_within_limits();
}
