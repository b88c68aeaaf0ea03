//! `manifest.yml`, `fly.toml` and the `Dockerfile`, checked: the Slack app points at
//! ecrscan's routes and asks for the scopes its code needs; fly.io keeps one machine
//! running with the database on its volume.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::deploy::{ROOT, python, strings};

const PARSE_YAML: &str = r#"
import json, sys, yaml
with open(sys.argv[1]) as f:
    print(json.dumps(yaml.safe_load(f)))
"#;

/// The bot scopes each Slack Web API method the client calls needs.
const SCOPES: [(&str, &[&str]); 7] = [
    ("chat.postMessage", &["chat:write"]),
    ("chat.update", &["chat:write"]),
    // Public and private channels alike.
    (
        "conversations.history",
        &["channels:history", "groups:history"],
    ),
    (
        "conversations.replies",
        &["channels:history", "groups:history"],
    ),
    ("auth.test", &[]),
    // The App Home and modals need no scope of their own.
    ("views.publish", &[]),
    ("views.open", &[]),
];

/// The Web API methods `src/slack/client.rs` names (`"chat.postMessage"`...).
fn methods_called() -> BTreeSet<String> {
    let source = std::fs::read_to_string(format!("{ROOT}/src/slack/client.rs")).unwrap();
    let methods: BTreeSet<String> = (source.split('"').skip(1).step_by(2))
        .filter(|s| {
            s.split_once('.').is_some_and(|(family, name)| {
                !family.is_empty()
                    && family.chars().all(|c| c.is_ascii_lowercase())
                    && !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphabetic())
            })
        })
        .map(str::to_string)
        .collect();
    assert!(methods.contains("chat.postMessage"), "{methods:?}");
    methods
}

#[test]
fn the_slack_manifest_points_at_ecrscans_routes_and_asks_only_for_the_scopes_it_uses() {
    let manifest = python(PARSE_YAML, "manifest.yml");
    let commands = manifest["features"]["slash_commands"].as_array().unwrap();
    assert_eq!(commands.len(), 1);
    assert_eq!(commands[0]["command"], "/ecrscan");
    let url = commands[0]["url"].as_str().unwrap();
    assert!(
        url.starts_with("https://") && url.ends_with("/slack/commands"),
        "{url}"
    );
    let interactivity = &manifest["settings"]["interactivity"];
    assert_eq!(interactivity["is_enabled"], true);
    let url = interactivity["request_url"].as_str().unwrap();
    assert!(
        url.starts_with("https://") && url.ends_with("/slack/interactions"),
        "{url}"
    );

    let mut used: BTreeSet<String> = BTreeSet::from(["commands".to_string()]);
    for method in methods_called() {
        let (_, scopes) = (SCOPES.iter().find(|(m, _)| *m == method))
            .unwrap_or_else(|| panic!("{method}: add its scopes to manifest.yml and SCOPES"));
        used.extend(scopes.iter().map(|s| s.to_string()));
    }
    let scopes = strings(&manifest["oauth_config"]["scopes"]["bot"]);
    assert_eq!(scopes.iter().cloned().collect::<BTreeSet<_>>(), used);
    assert_eq!(scopes.len(), used.len(), "no scope listed twice");
}

const PARSE_TOML: &str = r#"
import json, sys, tomllib
with open(sys.argv[1], "rb") as f:
    print(json.dumps(tomllib.load(f)))
"#;

#[test]
fn fly_keeps_one_machine_running_with_the_database_on_its_volume() {
    let fly = python(PARSE_TOML, "fly.toml");
    let service = &fly["http_service"];
    assert_eq!(service["internal_port"], 8080);
    assert!(
        matches!(&service["auto_stop_machines"], Value::Bool(false))
            || service["auto_stop_machines"] == "off"
    );
    assert_eq!(service["min_machines_running"], 1);
    let checks = service["checks"].as_array().unwrap();
    assert!(checks.iter().any(|c| c["path"] == "/healthz"), "{checks:?}");
    assert_eq!(fly["mounts"]["destination"], "/data");
    assert_eq!(fly["env"]["DATABASE_URL"], "sqlite:///data/ecrscan.db");

    let dockerfile = std::fs::read_to_string(format!("{ROOT}/Dockerfile")).unwrap();
    for line in [
        "FROM debian:bookworm-slim AS runtime",
        "USER ecrscan",
        "EXPOSE 8080",
        r#"ENTRYPOINT ["ecrscan"]"#,
        r#"CMD ["serve"]"#,
        r#"VOLUME ["/data"]"#,
    ] {
        assert!(
            dockerfile.lines().any(|l| l == line),
            "Dockerfile lacks {line}"
        );
    }
}

#[test]
fn fly_waits_for_the_whole_shutdown_before_it_kills_the_machine() {
    let fly = python(PARSE_TOML, "fly.toml");
    let signal = fly["kill_signal"].as_str().unwrap_or("SIGINT");
    assert!(["SIGTERM", "SIGINT"].contains(&signal), "{signal}");
    // Fly's default is 5 s.
    let kill_timeout = fly["kill_timeout"].as_u64().unwrap_or(5);
    let shutdown = ecrscan::http::server::SHUTDOWN_DRAIN + ecrscan::startup::SHUTDOWN_GRACE;
    assert!(
        kill_timeout > shutdown.as_secs(),
        "kill_timeout = {kill_timeout} s, but a shutdown may take {shutdown:?}"
    );
}
