//! `deploy/` and `manifest.yml`, checked: the Terraform module and the CloudFormation
//! template parse (python-hcl2, cfn-lint) and hold what the README promises, and the
//! Slack app manifest points at ecrscan's routes with the scopes the code needs.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every `.tf` file of a folder, parsed by python-hcl2, with HCL's quotes and
/// python-hcl2's markers removed: `{file: {"resource": [{type: {name: body}}], ...}}`.
const PARSE_TERRAFORM: &str = r#"
import hcl2, json, pathlib, sys
def unquote(s):
    return s[1:-1] if len(s) >= 2 and s[0] == s[-1] == '"' else s
def clean(v):
    if isinstance(v, dict):
        return {unquote(k): clean(x) for k, x in v.items() if k not in ("__is_block__", "__comments__")}
    if isinstance(v, list):
        return [clean(x) for x in v]
    return unquote(v) if isinstance(v, str) else v
files = {}
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.tf")):
    with open(path) as f:
        files[path.name] = clean(hcl2.load(f))
print(json.dumps(files))
"#;

/// A CloudFormation template as cfn-lint reads it (intrinsic functions as `Fn::...` keys).
pub const PARSE_CLOUDFORMATION: &str = r#"
import json, sys
from cfnlint.decode import decode
template, problems = decode(sys.argv[1])
if problems:
    sys.exit("\n".join(str(p) for p in problems))
print(json.dumps(template, default=str))
"#;

/// The project's Python (`scripts/test` installs python-hcl2, cfn-lint and PyYAML into it).
pub fn venv(tool: &str) -> String {
    let path = format!("{ROOT}/.venv/bin/{tool}");
    assert!(
        std::path::Path::new(&path).exists(),
        "{path} is missing: run scripts/test, which installs it"
    );
    path
}

pub fn python(script: &str, arg: &str) -> Value {
    let output = Command::new(venv("python"))
        .args(["-c", script, &format!("{ROOT}/{arg}")])
        .output()
        .expect("python runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "parsing {arg} failed:\n{stderr}");
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

/// The Terraform module's blocks by kind: `resource`/`data` keyed "TYPE.NAME",
/// `variable`/`output` keyed by name.
struct Terraform(BTreeMap<String, BTreeMap<String, Value>>);

impl Terraform {
    fn load() -> Self {
        let mut blocks: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        let files = python(PARSE_TERRAFORM, "deploy/terraform");
        for required in ["main.tf", "variables.tf", "outputs.tf", "versions.tf"] {
            assert!(files.get(required).is_some(), "deploy/terraform/{required}");
        }
        for (kind, entries) in files
            .as_object()
            .unwrap()
            .values()
            .flat_map(|f| f.as_object().unwrap())
        {
            for entry in entries.as_array().into_iter().flatten() {
                for (key, body) in entry.as_object().unwrap() {
                    let named: Vec<(String, Value)> = match kind.as_str() {
                        "resource" | "data" => (body.as_object().unwrap().iter())
                            .map(|(name, body)| (format!("{key}.{name}"), body.clone()))
                            .collect(),
                        _ => vec![(key.clone(), body.clone())],
                    };
                    blocks.entry(kind.clone()).or_default().extend(named);
                }
            }
        }
        Terraform(blocks)
    }

    fn all(&self, kind: &str) -> &BTreeMap<String, Value> {
        self.0
            .get(kind)
            .unwrap_or_else(|| panic!("no {kind} blocks"))
    }

    fn resources(&self, resource_type: &str) -> Vec<&Value> {
        let prefix = format!("{resource_type}.");
        let found: Vec<&Value> = (self.all("resource").iter())
            .filter(|(key, _)| key.starts_with(&prefix))
            .map(|(_, body)| body)
            .collect();
        assert!(!found.is_empty(), "no {resource_type} in deploy/terraform");
        found
    }

    /// `value` as text, followed by the value of every `local.NAME` it mentions.
    fn expand(&self, value: &Value) -> String {
        let mut text = value.to_string();
        for (name, local) in self.0.get("locals").into_iter().flatten() {
            if text.contains(&format!("local.{name}")) {
                text.push_str(&self.expand(local));
            }
        }
        text
    }

    /// The `aws_iam_policy_document` that `${data.aws_iam_policy_document.NAME.json}` names.
    fn document(&self, reference: &Value) -> &Value {
        let reference = reference.as_str().unwrap();
        let name = (reference.strip_prefix("${data.aws_iam_policy_document."))
            .and_then(|rest| rest.strip_suffix(".json}"))
            .unwrap_or_else(|| panic!("{reference} is not a policy document's JSON"));
        &self.all("data")[&format!("aws_iam_policy_document.{name}")]
    }
}

pub fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        _ => vec![],
    }
}

/// Every action of a Terraform policy document.
fn terraform_actions(document: &Value) -> BTreeSet<String> {
    (document["statement"].as_array().unwrap().iter())
        .flat_map(|s| strings(&s["actions"]))
        .collect()
}

/// Whether a statement of the document lets `service` principals do something.
fn trusts(document: &Value, service: &str) -> bool {
    (document["statement"].as_array().unwrap().iter())
        .flat_map(|s| s["principals"].as_array().cloned().unwrap_or_default())
        .any(|p| p["type"] == "Service" && strings(&p["identifiers"]).contains(&service.into()))
}

/// The IAM actions ecrscan's code calls, as it names them to `classify` (`"ecr:ListImages"`...).
fn actions_in_code() -> BTreeSet<String> {
    let mut actions = BTreeSet::new();
    let mut folders = vec![std::path::PathBuf::from(format!("{ROOT}/src/aws"))];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let source = std::fs::read_to_string(path).unwrap();
            for service in ["ecr", "scheduler"] {
                for rest in source.split(&format!("\"{service}:")).skip(1) {
                    let name: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
                    if !name.is_empty() && rest[name.len()..].starts_with('"') {
                        actions.insert(format!("{service}:{name}"));
                    }
                }
            }
        }
    }
    assert!(actions.len() >= 10, "{actions:?}");
    actions
}

#[test]
fn the_terraform_module_routes_scan_events_through_sns_to_ecrscan() {
    let tf = Terraform::load();
    tf.resources("aws_sns_topic");
    let policy = tf.resources("aws_sns_topic_policy")[0];
    let topic_policy = tf.document(&policy["policy"]);
    assert!(trusts(topic_policy, "events.amazonaws.com"));
    assert!(terraform_actions(topic_policy).contains("sns:Publish"));

    let subscription = tf.resources("aws_sns_topic_subscription")[0];
    assert_eq!(subscription["protocol"], "https");
    assert_eq!(subscription["endpoint_auto_confirms"], true);
    assert!(subscription["endpoint"].as_str().unwrap().ends_with("/sns"));

    let rule = tf.resources("aws_cloudwatch_event_rule")[0];
    let pattern = tf.expand(&rule["event_pattern"]);
    for needed in [
        "aws.ecr",
        "ECR Image Scan",
        "aws.inspector2",
        "Inspector2 Scan",
        "Inspector2 Finding",
        // Finding events list the image's ARN: REPOSITORY_ARN/sha256:…
        "resources",
        "wildcard",
        "/sha256:*",
        // With no repository named, every ECR ARN of the account and region.
        "${local.ecr_prefix}/*",
    ] {
        assert!(pattern.contains(needed), "{needed} missing from {pattern}");
    }
    let target = tf.resources("aws_cloudwatch_event_target")[0];
    assert_eq!(target["arn"], "${aws_sns_topic.scans.arn}");
    assert!(tf.all("variable").contains_key("repositories"));
}

#[test]
fn the_terraform_module_gives_scheduler_a_role_that_may_start_scans() {
    let tf = Terraform::load();
    let role = tf.resources("aws_iam_role")[0];
    assert!(trusts(
        tf.document(&role["assume_role_policy"]),
        "scheduler.amazonaws.com"
    ));
    let role_policy = tf.resources("aws_iam_role_policy")[0];
    assert!(terraform_actions(tf.document(&role_policy["policy"])).contains("ecr:StartImageScan"));
    tf.resources("aws_scheduler_schedule_group");
}

#[test]
fn the_bot_policy_allows_every_aws_action_ecrscan_calls_in_terraform_and_cloudformation() {
    let tf = Terraform::load();
    let policy = tf.resources("aws_iam_policy")[0];
    let terraform = terraform_actions(tf.document(&policy["policy"]));
    let mut needed = actions_in_code();
    needed.insert("iam:PassRole".into());
    assert_eq!(terraform, needed, "deploy/terraform bot policy");

    let template = python(PARSE_CLOUDFORMATION, "deploy/cloudformation/ecrscan.yaml");
    let bot = &template["Resources"]["BotPolicy"];
    assert_eq!(bot["Type"], "AWS::IAM::ManagedPolicy");
    let statements = bot["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let cloudformation: BTreeSet<String> = statements
        .iter()
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    assert_eq!(cloudformation, needed, "deploy/cloudformation bot policy");
}

#[test]
fn every_terraform_variable_and_output_is_documented_and_outputs_name_their_setting() {
    let tf = Terraform::load();
    for kind in ["variable", "output"] {
        for (name, body) in tf.all(kind) {
            let description = body["description"].as_str().unwrap_or_default();
            assert!(description.len() > 20, "{kind} {name} needs a description");
        }
    }
    let outputs = tf.all("output");
    for (output, setting) in [
        ("sns_topic_arn", "ECRSCAN_SNS_TOPIC_ARNS"),
        ("scheduler_role_arn", "ECRSCAN_SCHEDULER_ROLE_ARN"),
    ] {
        assert!(
            outputs[output]["description"]
                .as_str()
                .unwrap()
                .contains(setting)
        );
    }
    assert!(outputs.contains_key("bot_policy_arn"));
}

#[test]
fn the_cloudformation_template_passes_cfn_lint_and_has_the_same_resources() {
    let lint = Command::new(venv("cfn-lint"))
        .arg(format!("{ROOT}/deploy/cloudformation/ecrscan.yaml"))
        .output()
        .expect("cfn-lint runs");
    let report = String::from_utf8_lossy(&lint.stdout);
    assert!(lint.status.success(), "cfn-lint:\n{report}");

    let template = python(PARSE_CLOUDFORMATION, "deploy/cloudformation/ecrscan.yaml");
    let types: BTreeSet<&str> = (template["Resources"].as_object().unwrap().values())
        .map(|r| r["Type"].as_str().unwrap())
        .collect();
    for needed in [
        "AWS::SNS::Topic",
        "AWS::SNS::TopicPolicy",
        "AWS::SNS::Subscription",
        "AWS::Events::Rule",
        "AWS::IAM::Role",
        "AWS::Scheduler::ScheduleGroup",
        "AWS::IAM::ManagedPolicy",
    ] {
        assert!(types.contains(needed), "{needed} missing: {types:?}");
    }
    let subscription = &template["Resources"]["EcrscanSubscription"]["Properties"];
    assert_eq!(subscription["Protocol"], "https");
    let outputs = template["Outputs"].as_object().unwrap();
    for (name, setting) in [
        ("SnsTopicArn", "ECRSCAN_SNS_TOPIC_ARNS"),
        ("SchedulerRoleArn", "ECRSCAN_SCHEDULER_ROLE_ARN"),
    ] {
        assert!(
            outputs[name]["Description"]
                .as_str()
                .unwrap()
                .contains(setting)
        );
    }
    assert!(outputs.contains_key("BotPolicyArn"));
}
