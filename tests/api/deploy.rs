//! `deploy/` and `manifest.yml`, checked: the Terraform modules and the CloudFormation
//! templates parse (python-hcl2, cfn-lint), hold what the README promises and pass
//! checkov, the member account's role grants what the central bot policy grants,
//! and ecrscan takes the role Fly's OIDC token is for; the Slack app manifest points
//! at ecrscan's routes with the scopes the code needs.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::{Value, json};

use crate::moto;

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every `.tf` file of a folder, parsed by python-hcl2, with HCL's quotes and
/// python-hcl2's markers removed: `{file: {"resource": [{type: {name: body}}], ...}}`.
const PARSE_TERRAFORM: &str = r#"
import hcl2, json, pathlib, sys
def unquote(s):
    return s[1:-1] if len(s) >= 2 and s[0] == s[-1] == '"' else s
def clean(v):
    if isinstance(v, dict):
        return {unquote(k): clean(x) for k, x in v.items() if k not in ("__is_block__", "__comments__", "__inline_comments__")}
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
    installed(format!("{ROOT}/.venv/bin/{tool}"))
}

/// checkov, in a virtualenv of its own inside `.venv` (`scripts/test` installs it
/// there: it pins boto3 and networkx, which would downgrade moto's).
fn checkov() -> String {
    installed(format!("{ROOT}/.venv/checkov/bin/checkov"))
}

fn installed(path: String) -> String {
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

/// A Terraform module's blocks by kind: `resource`/`data` keyed "TYPE.NAME",
/// `variable`/`output` keyed by name.
struct Terraform(BTreeMap<String, BTreeMap<String, Value>>);

const CENTRAL: &str = "deploy/terraform";
const MEMBER: &str = "deploy/terraform/member";

impl Terraform {
    /// The central module.
    fn load() -> Self {
        Self::load_from(CENTRAL)
    }

    fn load_from(folder: &str) -> Self {
        let mut blocks: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        let files = python(PARSE_TERRAFORM, folder);
        for required in ["main.tf", "variables.tf", "outputs.tf", "versions.tf"] {
            assert!(files.get(required).is_some(), "{folder}/{required}");
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
        assert!(!found.is_empty(), "no {resource_type} in the module");
        found
    }

    /// The resource or data source `TYPE.NAME` (data sources as `data.TYPE.NAME`).
    fn block(&self, key: &str) -> &Value {
        let (kind, key) = match key.strip_prefix("data.") {
            Some(key) => ("data", key),
            None => ("resource", key),
        };
        (self.all(kind).get(key)).unwrap_or_else(|| panic!("no {kind} {key} in the module"))
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

    /// The `aws_iam_policy_document` that `${data.aws_iam_policy_document.NAME.json}`
    /// (or `NAME[0].json`, for one with `count`) names.
    fn document(&self, reference: &Value) -> &Value {
        let reference = reference.as_str().unwrap();
        let name = (reference.strip_prefix("${data.aws_iam_policy_document."))
            .and_then(|rest| rest.strip_suffix(".json}"))
            .map(|name| name.trim_end_matches("[0]"))
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

/// The statements of a Terraform policy document (not those of `dynamic` blocks).
fn statements(document: &Value) -> &Vec<Value> {
    document["statement"].as_array().unwrap()
}

/// Every action of a Terraform policy document.
fn terraform_actions(document: &Value) -> BTreeSet<String> {
    (statements(document).iter())
        .flat_map(|s| strings(&s["actions"]))
        .collect()
}

/// Each statement's actions, by Sid.
fn terraform_actions_by_sid(document: &Value) -> BTreeMap<String, BTreeSet<String>> {
    (statements(document).iter())
        .map(|s| {
            let sid = s["sid"].as_str().unwrap_or_default().to_string();
            (sid, strings(&s["actions"]).into_iter().collect())
        })
        .collect()
}

/// The statement of a Terraform policy document that lets `service` principals do something.
fn statement_for<'a>(document: &'a Value, service: &str) -> Option<&'a Value> {
    statements(document).iter().find(|s| {
        (s["principals"].as_array().into_iter().flatten())
            .any(|p| p["type"] == "Service" && strings(&p["identifiers"]).contains(&service.into()))
    })
}

/// Whether a statement of the document lets `service` principals do something.
fn trusts(document: &Value, service: &str) -> bool {
    statement_for(document, service).is_some()
}

/// A CloudFormation policy document's statements.
fn cfn_statements(document: &Value) -> &Vec<Value> {
    document["Statement"].as_array().unwrap()
}

/// Each CloudFormation statement's actions, by Sid (statements behind `Fn::If` left out).
fn cfn_actions_by_sid(document: &Value) -> BTreeMap<String, BTreeSet<String>> {
    (cfn_statements(document).iter())
        .filter(|s| s.get("Fn::If").is_none())
        .map(|s| {
            let sid = s["Sid"].as_str().unwrap_or_default().to_string();
            (sid, strings(&s["Action"]).into_iter().collect())
        })
        .collect()
}

/// The CloudFormation statement that lets `service` principals do something.
fn cfn_statement_for<'a>(document: &'a Value, service: &str) -> Option<&'a Value> {
    (cfn_statements(document).iter())
        .find(|s| strings(&s["Principal"]["Service"]).contains(&service.into()))
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
            for service in ["ecr", "scheduler", "ecs"] {
                for rest in source.split(&format!("\"{service}:")).skip(1) {
                    let name: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
                    if !name.is_empty() && rest[name.len()..].starts_with('"') {
                        actions.insert(format!("{service}:{name}"));
                    }
                }
            }
        }
    }
    assert!(actions.len() >= 13, "{actions:?}");
    actions
}

#[test]
fn the_terraform_module_routes_scan_events_through_sns_to_ecrscan() {
    let tf = Terraform::load();
    tf.resources("aws_sns_topic");
    let policy = tf.block("aws_sns_topic_policy.scans");
    let topic_policy = tf.document(&policy["policy"]);
    assert!(trusts(topic_policy, "events.amazonaws.com"));
    assert!(terraform_actions(topic_policy).contains("sns:Publish"));

    let subscription = tf.resources("aws_sns_topic_subscription")[0];
    assert_eq!(subscription["protocol"], "https");
    assert_eq!(subscription["endpoint_auto_confirms"], true);
    assert!(subscription["endpoint"].as_str().unwrap().ends_with("/sns"));

    let rule = tf.block("aws_cloudwatch_event_rule.scans");
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
    let target = tf.block("aws_cloudwatch_event_target.topic");
    assert_eq!(target["arn"], "${aws_sns_topic.scans.arn}");
    assert!(tf.all("variable").contains_key("repositories"));
}

#[test]
fn the_terraform_module_gives_scheduler_a_role_that_may_start_scans() {
    let tf = Terraform::load();
    let role = tf.block("aws_iam_role.scheduler");
    assert!(trusts(
        tf.document(&role["assume_role_policy"]),
        "scheduler.amazonaws.com"
    ));
    let role_policy = tf.block("aws_iam_role_policy.scheduler_scan");
    assert!(terraform_actions(tf.document(&role_policy["policy"])).contains("ecr:StartImageScan"));
    tf.resources("aws_scheduler_schedule_group");
}

#[test]
fn the_bot_policy_allows_every_aws_action_ecrscan_calls_in_terraform_and_cloudformation() {
    let tf = Terraform::load();
    let policy = tf.block("aws_iam_policy.bot");
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

/// The central bot policy's actions on ECR, Scheduler and ECS (and the Scheduler role's
/// `iam:PassRole`), by Sid: what a member account's role must grant there.
fn central_bot_statements_terraform() -> BTreeMap<String, BTreeSet<String>> {
    let tf = Terraform::load();
    let bot = tf.document(&tf.block("aws_iam_policy.bot")["policy"]);
    terraform_actions_by_sid(bot)
}

#[test]
fn the_topic_is_encrypted_with_a_rotated_customer_managed_key_that_eventbridge_and_sns_may_use() {
    let tf = Terraform::load();
    let topic = tf.block("aws_sns_topic.scans");
    assert_eq!(topic["kms_master_key_id"], "${aws_kms_key.scans.arn}");
    let key = tf.block("aws_kms_key.scans");
    assert_eq!(key["enable_key_rotation"], true);
    let key_policy = tf.block("aws_kms_key_policy.scans");
    assert_eq!(key_policy["key_id"], "${aws_kms_key.scans.id}");
    let document = tf.document(&key_policy["policy"]);
    let publish: BTreeSet<String> = ["kms:GenerateDataKey*".into(), "kms:Decrypt".into()].into();

    // SNS's documented event-source statement, without the Source* conditions
    // that SNS does not support for EventBridge to encrypted topics.
    let events =
        statement_for(document, "events.amazonaws.com").expect("EventBridge may use the key");
    assert_eq!(
        strings(&events["actions"])
            .into_iter()
            .collect::<BTreeSet<_>>(),
        publish
    );
    assert!(events.get("condition").is_none(), "{events}");
    // SNS decrypts for delivery, for this topic only.
    let sns = statement_for(document, "sns.amazonaws.com").expect("SNS may use the key");
    assert_eq!(
        strings(&sns["actions"])
            .into_iter()
            .collect::<BTreeSet<_>>(),
        publish
    );
    assert!(
        sns["condition"]
            .to_string()
            .contains("${aws_sns_topic.scans.arn}"),
        "{sns}"
    );

    let template = python(PARSE_CLOUDFORMATION, "deploy/cloudformation/ecrscan.yaml");
    let resources = &template["Resources"];
    assert_eq!(
        resources["ScanTopic"]["Properties"]["KmsMasterKeyId"],
        json!({"Fn::GetAtt": ["ScanKey", "Arn"]})
    );
    let key = &resources["ScanKey"];
    assert_eq!(key["Type"], "AWS::KMS::Key");
    assert_eq!(key["Properties"]["EnableKeyRotation"], true);
    let policy = &key["Properties"]["KeyPolicy"];
    let events =
        cfn_statement_for(policy, "events.amazonaws.com").expect("EventBridge may use the key");
    assert_eq!(
        strings(&events["Action"])
            .into_iter()
            .collect::<BTreeSet<_>>(),
        publish
    );
    assert!(events.get("Condition").is_none(), "{events}");
    let sns = cfn_statement_for(policy, "sns.amazonaws.com").expect("SNS may use the key");
    assert_eq!(
        strings(&sns["Action"]).into_iter().collect::<BTreeSet<_>>(),
        publish
    );
    assert!(sns["Condition"].to_string().contains(":sns:"), "{sns}");
}

#[test]
fn the_member_module_grants_what_the_central_bot_policy_grants_for_ecr_scheduler_and_ecs() {
    let member = Terraform::load_from(MEMBER);
    let role = member.block("aws_iam_role.member");
    assert_eq!(role["name"], "${var.name}-member");
    let trust = member.document(&role["assume_role_policy"]);
    let principals = &statements(trust)[0]["principals"][0];
    assert_eq!(principals["type"], "AWS");
    assert_eq!(
        principals["identifiers"],
        json!(["${var.ecrscan_principal_arn}"])
    );
    assert_eq!(
        terraform_actions(trust),
        ["sts:AssumeRole".to_string()].into()
    );

    let policy = member.block("aws_iam_role_policy.member");
    assert_eq!(policy["role"], "${aws_iam_role.member.id}");
    let granted = terraform_actions_by_sid(member.document(&policy["policy"]));
    assert_eq!(granted, central_bot_statements_terraform());
    let mut needed = actions_in_code();
    needed.insert("iam:PassRole".into());
    assert_eq!(
        granted.into_values().flatten().collect::<BTreeSet<_>>(),
        needed
    );

    // ecrscan derives the member's Scheduler role from ECRSCAN_SCHEDULER_ROLE_ARN.
    let central = Terraform::load();
    let scheduler = member.block("aws_iam_role.scheduler");
    assert_eq!(
        scheduler["name"],
        central.block("aws_iam_role.scheduler")["name"]
    );
    assert!(trusts(
        member.document(&scheduler["assume_role_policy"]),
        "scheduler.amazonaws.com"
    ));
    assert_eq!(
        member.0["locals"]["event_pattern"], central.0["locals"]["event_pattern"],
        "the member rule matches what the central rule matches"
    );
    member.resources("aws_scheduler_schedule_group");
}

#[test]
fn member_accounts_forward_their_scan_results_through_the_central_event_bus_to_the_topic() {
    let member = Terraform::load_from(MEMBER);
    let rule = member.block("aws_cloudwatch_event_rule.scans");
    assert_eq!(rule["event_pattern"], "${jsonencode(local.event_pattern)}");
    let target = member.block("aws_cloudwatch_event_target.central");
    assert_eq!(target["arn"], "${local.central_bus_arn}");
    assert_eq!(target["role_arn"], "${aws_iam_role.events.arn}");
    let bus = member.0["locals"]["central_bus_arn"].as_str().unwrap();
    assert!(
        bus.contains(":${var.central_account_id}:event-bus/default"),
        "{bus}"
    );
    let role = member.block("aws_iam_role.events");
    assert!(trusts(
        member.document(&role["assume_role_policy"]),
        "events.amazonaws.com"
    ));
    let forward = member.document(&member.block("aws_iam_role_policy.events")["policy"]);
    assert_eq!(
        terraform_actions(forward),
        ["events:PutEvents".to_string()].into()
    );

    // The central account: its bus accepts each member, a rule for the members'
    // events targets the topic, the topic lets that rule publish, and the bot
    // policy may assume the members' roles.
    let central = Terraform::load();
    assert!(central.all("variable").contains_key("member_account_ids"));
    let permission = central.block("aws_cloudwatch_event_permission.members");
    assert_eq!(permission["for_each"], "${toset(var.member_account_ids)}");
    let rule = central.block("aws_cloudwatch_event_rule.members");
    assert_eq!(
        rule["event_pattern"],
        "${jsonencode(local.member_event_pattern)}"
    );
    assert_eq!(
        central.0["locals"]["member_event_pattern"]["account"],
        "${var.member_account_ids}"
    );
    let target = central.block("aws_cloudwatch_event_target.members");
    assert_eq!(target["arn"], "${aws_sns_topic.scans.arn}");
    let topic = central.document(&central.block("aws_sns_topic_policy.scans")["policy"]);
    let sources = statements(topic)[0]["condition"].to_string();
    assert!(
        sources.contains("aws_cloudwatch_event_rule.members[*].arn"),
        "{sources}"
    );

    let bot = central.document(&central.block("aws_iam_policy.bot")["policy"]);
    let assume = &bot["dynamic"][0]["statement"];
    assert!(
        assume["for_each"]
            .as_str()
            .unwrap()
            .contains("local.member_role_arns")
    );
    assert_eq!(assume["content"][0]["actions"], json!(["sts:AssumeRole"]));
    let roles = central.0["locals"]["member_role_arns"].as_str().unwrap();
    assert!(roles.contains(":role/${var.name}-member"), "{roles}");
    assert_eq!(
        member.block("aws_iam_role.member")["name"],
        "${var.name}-member"
    );

    let outputs = member.all("output");
    assert!(
        outputs["registry"]["description"]
            .as_str()
            .unwrap()
            .contains("ECRSCAN_REGISTRIES"),
        "the member module says what ecrscan needs of it"
    );
}

#[test]
fn member_yaml_passes_cfn_lint_and_grants_what_the_central_bot_policy_grants() {
    let lint = Command::new(venv("cfn-lint"))
        .arg(format!("{ROOT}/deploy/cloudformation/member.yaml"))
        .output()
        .expect("cfn-lint runs");
    let report = String::from_utf8_lossy(&lint.stdout);
    assert!(lint.status.success(), "cfn-lint:\n{report}");

    let member = python(PARSE_CLOUDFORMATION, "deploy/cloudformation/member.yaml");
    let central = python(PARSE_CLOUDFORMATION, "deploy/cloudformation/ecrscan.yaml");
    let role = &member["Resources"]["MemberRole"]["Properties"];
    let granted = cfn_actions_by_sid(&role["Policies"][0]["PolicyDocument"]);
    let bot =
        cfn_actions_by_sid(&central["Resources"]["BotPolicy"]["Properties"]["PolicyDocument"]);
    assert_eq!(granted, bot);
    assert_eq!(
        granted,
        central_bot_statements_terraform(),
        "as in Terraform"
    );
    let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(
        trust["Principal"]["AWS"],
        json!({"Ref": "EcrscanPrincipalArn"})
    );

    let scheduler = |t: &Value| t["Resources"]["SchedulerRole"]["Properties"]["RoleName"].clone();
    assert_eq!(scheduler(&member), scheduler(&central));
    assert_eq!(
        member["Resources"]["ScanRule"]["Properties"]["EventPattern"],
        central["Resources"]["ScanRule"]["Properties"]["EventPattern"],
        "the member rule matches what the central rule matches"
    );
    let target = &member["Resources"]["ScanRule"]["Properties"]["Targets"][0];
    assert!(
        target["Arn"]
            .to_string()
            .contains(":${CentralAccountId}:event-bus/default"),
        "{target}"
    );
    assert_eq!(
        target["RoleArn"],
        json!({"Fn::GetAtt": ["ForwardRole", "Arn"]})
    );

    // StackSets give every account the same parameters: each is described, and
    // only the central account and ecrscan's principal need a value.
    let parameters = member["Parameters"].as_object().unwrap();
    let required: BTreeSet<&str> = (parameters.iter())
        .filter(|(_, p)| p.get("Default").is_none())
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(required, ["CentralAccountId", "EcrscanPrincipalArn"].into());
    assert!(
        parameters
            .values()
            .all(|p| p["Description"].as_str().is_some())
    );
    assert!(
        member["Outputs"]["Registry"]["Description"]
            .as_str()
            .unwrap()
            .contains("ECRSCAN_REGISTRIES")
    );

    // The central template: its bus accepts the members, and their rule may publish.
    let resources = &central["Resources"];
    assert_eq!(
        resources["MemberBusPolicy"]["Type"],
        "AWS::Events::EventBusPolicy"
    );
    assert_eq!(
        resources["MemberBusPolicy"]["Properties"]["Statement"]["Principal"]["AWS"],
        json!({"Ref": "MemberAccountIds"})
    );
    assert_eq!(
        resources["MemberRule"]["Properties"]["EventPattern"]["account"],
        json!({"Ref": "MemberAccountIds"})
    );
    let topic_policy = resources["ScanTopicPolicy"]["Properties"].to_string();
    assert!(topic_policy.contains("MemberRule"), "{topic_policy}");
}

#[test]
fn on_fly_the_module_trusts_the_apps_oidc_tokens_and_creates_no_access_key() {
    let tf = Terraform::load();
    let provider = tf.block("aws_iam_openid_connect_provider.fly");
    assert_eq!(provider["url"], "https://${local.fly_issuer}");
    let issuer = tf.0["locals"]["fly_issuer"].as_str().unwrap();
    assert!(
        issuer.starts_with("oidc.fly.io/${") && issuer.contains("var.fly_org"),
        "{issuer}"
    );
    // The audience Fly documents for AWS.
    assert_eq!(provider["client_id_list"], json!(["sts.amazonaws.com"]));

    let role = tf.block("aws_iam_role.fly");
    let trust = tf.document(&role["assume_role_policy"]);
    assert_eq!(
        terraform_actions(trust),
        ["sts:AssumeRoleWithWebIdentity".to_string()].into()
    );
    let statement = &statements(trust)[0];
    assert_eq!(statement["principals"][0]["type"], "Federated");
    let conditions = statement["condition"].as_array().unwrap();
    let condition = |claim: &str| {
        (conditions.iter())
            .find(|c| c["variable"] == format!("${{local.fly_issuer}}:{claim}"))
            .unwrap_or_else(|| panic!("no condition on {claim}: {conditions:?}"))
    };
    assert_eq!(condition("aud")["test"], "StringEquals");
    assert_eq!(condition("aud")["values"], json!(["sts.amazonaws.com"]));
    // The subject is ORG:APP:MACHINE: any machine of this one app.
    assert_eq!(condition("sub")["test"], "StringLike");
    let subject = condition("sub")["values"][0].as_str().unwrap();
    assert!(
        subject.starts_with("${var.fly_org}:") && subject.ends_with(":*"),
        "{subject}"
    );
    assert!(subject.contains("var.fly_app"), "{subject}");

    let attachment = tf.block("aws_iam_role_policy_attachment.fly");
    assert_eq!(attachment["policy_arn"], "${aws_iam_policy.bot.arn}");
    let output = tf.all("output")["fly_role_arn"]["description"]
        .as_str()
        .unwrap();
    assert!(output.contains("AWS_ROLE_ARN"), "{output}");

    for folder in [CENTRAL, MEMBER] {
        let tf = Terraform::load_from(folder);
        assert!(
            !(tf.all("resource").keys()).any(|key| key.starts_with("aws_iam_access_key.")),
            "{folder} creates an access key"
        );
    }
}

#[test]
fn the_deploy_steps_give_ecrscan_a_role_and_no_access_key() {
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).unwrap();
    let deploy = (readme.split("\n## Deploy\n").nth(1))
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has a Deploy section");
    for absent in [
        "create-access-key",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ] {
        assert!(!deploy.contains(absent), "Deploy still mentions {absent}");
    }
    for present in [
        "AWS_ROLE_ARN",
        "fly_org",
        "/.fly/oidc_token",
        "member_account_ids",
    ] {
        assert!(
            deploy.contains(present),
            "Deploy does not mention {present}"
        );
    }
    let fly = std::fs::read_to_string(format!("{ROOT}/fly.toml")).unwrap();
    assert!(
        !fly.contains("AWS_SECRET_ACCESS_KEY"),
        "fly.toml still asks for access keys"
    );
}

/// One checkov finding, for the failure message.
fn finding(check: &Value) -> String {
    format!(
        "{} {} ({}:{}): {}",
        check["check_id"].as_str().unwrap_or("?"),
        check["resource"].as_str().unwrap_or("?"),
        check["file_path"].as_str().unwrap_or("?"),
        check["file_line_range"],
        check["check_name"].as_str().unwrap_or("?"),
    )
}

#[test]
fn checkov_finds_no_failed_check_in_deploy_and_every_skip_says_why() {
    let output = Command::new(checkov())
        .args(["--directory", &format!("{ROOT}/deploy")])
        .args(["--framework", "terraform", "cloudformation"])
        .args(["--output", "json", "--skip-download"])
        .output()
        .expect("checkov runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("checkov printed no JSON ({e}):\n{stderr}"));
    let reports = match report {
        Value::Array(reports) => reports,
        one => vec![one],
    };
    let mut frameworks = BTreeSet::new();
    let mut failures = Vec::new();
    for report in &reports {
        let framework = report["check_type"].as_str().unwrap().to_string();
        let results = &report["results"];
        let passed = results["passed_checks"].as_array().map_or(0, Vec::len);
        assert!(passed > 10, "{framework}: only {passed} checks passed");
        for check in results["failed_checks"].as_array().into_iter().flatten() {
            failures.push(format!("{framework}: {}", finding(check)));
        }
        for check in results["skipped_checks"].as_array().into_iter().flatten() {
            let reason = check["check_result"]["suppress_comment"]
                .as_str()
                .unwrap_or("");
            assert!(
                reason.len() > 20,
                "skipped without a reason: {}",
                finding(check)
            );
        }
        frameworks.insert(framework);
    }
    assert!(
        failures.is_empty(),
        "checkov failed:\n{}",
        failures.join("\n")
    );
    assert_eq!(
        frameworks,
        ["cloudformation".into(), "terraform".into()].into()
    );
}

/// The moto state's STS sessions of `role_arn`, by name.
async fn sts_sessions(role_arn: &str) -> Vec<String> {
    let state: Value = reqwest::get(format!("{}/moto-api/data.json", moto::url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (state["sts"]["AssumedRole"].as_array().into_iter().flatten())
        .filter(|session| session["role_arn"] == role_arn)
        .map(|session| session["session_name"].as_str().unwrap().to_string())
        .collect()
}

/// `ecrscan doctor` as Fly's init starts it with AWS_ROLE_ARN set: a web identity
/// token file and the session name, and no access key.
fn doctor_with_web_identity(token_file: &std::path::Path, session: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_ecrscan"))
        .arg("doctor")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SLACK_SIGNING_SECRET", "s3cret")
        .env("SLACK_BOT_TOKEN", "xoxb-1")
        // Nothing listens there: Slack's check fails at once, which is not this test's.
        .env("SLACK_API_URL", "http://127.0.0.1:9/api/")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", moto::url())
        .env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ecrscan-fly")
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", token_file)
        .env("AWS_ROLE_SESSION_NAME", session)
        .current_dir(std::env::temp_dir())
        .output()
        .expect("the binary runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn ecrscan_assumes_the_role_with_the_token_file_fly_writes_and_no_access_key() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("oidc_token");
    let role = "arn:aws:iam::123456789012:role/ecrscan-fly";
    let session = format!("machine-{}", std::process::id());

    // No token written yet: no credentials at all.
    let stdout = doctor_with_web_identity(&token_file, &session);
    assert!(stdout.contains("✗ ECR access"), "{stdout}");
    assert!(!sts_sessions(role).await.contains(&session));

    // A JWT as Fly's init writes it (header, claims, signature; moto does not verify it).
    let claims = r#"{"iss":"https://oidc.fly.io/example-org","aud":"sts.amazonaws.com","sub":"example-org:ecrscan:148e21ea7e46e8"}"#;
    let token = ["{\"alg\":\"RS256\"}", claims, "signature"]
        .map(|part| base64_url(part.as_bytes()))
        .join(".");
    std::fs::write(&token_file, token).unwrap();
    let stdout = doctor_with_web_identity(&token_file, &session);
    assert!(
        stdout.contains("✓ ECR access: GetRegistryScanningConfiguration answers"),
        "{stdout}"
    );
    assert!(
        sts_sessions(role).await.contains(&session),
        "AssumeRoleWithWebIdentity was called for {role} as {session}"
    );
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
