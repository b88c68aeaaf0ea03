//! The EventBridge rule of `deploy/cloudformation`, run against real events: what
//! it forwards to ecrscan and what it leaves out, with and without `Repositories`.
//! The template is resolved as CloudFormation would (`Fn::If`, `Fn::Join`, `Ref`,
//! `Fn::Sub`), and the pattern matched as EventBridge does for the filters it uses
//! (exact, `prefix`, `suffix`, `wildcard`).

use serde_json::Value;

use crate::deploy::{PARSE_CLOUDFORMATION, ROOT, python};

const ACCOUNT: &str = "123456789012";

fn event(name: &str) -> Value {
    let path = format!("{ROOT}/tests/fixtures/events/{name}");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The rule's pattern as deployed with `Repositories` = `repositories`, in `region`.
fn pattern(template: &Value, repositories: &[&str], region: &str) -> Value {
    let rule = &template["Resources"]["ScanRule"]["Properties"]["EventPattern"];
    assert_eq!(rule["Fn::If"][0], "AllRepositories", "{rule}");
    match resolve(rule, repositories, &[], region) {
        Value::String(json) => {
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
        }
        pattern => pattern,
    }
}

fn resolve(value: &Value, repositories: &[&str], members: &[&str], region: &str) -> Value {
    let again = |v: &Value| resolve(v, repositories, members, region);
    match value {
        Value::Object(map) if map.len() == 1 => {
            let (function, arg) = map.iter().next().unwrap();
            match function.as_str() {
                "Fn::If" => again(&arg[if repositories.is_empty() { 1 } else { 2 }]),
                "Fn::Join" => {
                    let parts = again(&arg[1]);
                    let parts: Vec<&str> = (parts.as_array().unwrap().iter())
                        .map(|p| p.as_str().unwrap())
                        .collect();
                    Value::String(parts.join(arg[0].as_str().unwrap()))
                }
                "Ref" if arg == "Repositories" => {
                    repositories.iter().map(|r| Value::from(*r)).collect()
                }
                "Ref" if arg == "MemberAccountIds" => {
                    members.iter().map(|m| Value::from(*m)).collect()
                }
                "Fn::Sub" => Value::String(
                    (arg.as_str().unwrap())
                        .replace("${AWS::Partition}", "aws")
                        .replace("${AWS::Region}", region)
                        .replace("${AWS::AccountId}", ACCOUNT),
                ),
                _ => Value::Object([(function.clone(), again(arg))].into_iter().collect()),
            }
        }
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), again(v))).collect())
        }
        Value::Array(items) => items.iter().map(again).collect(),
        other => other.clone(),
    }
}

/// Whether EventBridge would match `event` to `pattern`: every field of the
/// pattern holds, and an array of matchers holds when one matches one value.
fn matches(pattern: &Value, event: &Value) -> bool {
    pattern
        .as_object()
        .unwrap()
        .iter()
        .all(|(key, wanted)| match wanted {
            Value::Array(matchers) => {
                let values = match &event[key] {
                    Value::Array(values) => values.iter().collect(),
                    value => vec![value],
                };
                (values.iter()).any(|v| matchers.iter().any(|m| matches_value(m, v)))
            }
            nested => matches(nested, &event[key]),
        })
}

fn matches_value(matcher: &Value, value: &Value) -> bool {
    let (Some(text), Value::Object(filter)) = (value.as_str(), matcher) else {
        return matcher == value;
    };
    let (filter, arg) = filter.iter().next().unwrap();
    let arg = arg.as_str().unwrap();
    match filter.as_str() {
        "prefix" => text.starts_with(arg),
        "suffix" => text.ends_with(arg),
        "wildcard" => wildcard(arg, text),
        other => panic!("the test knows no `{other}` filter"),
    }
}

/// `*` stands for any run of characters; anything else for itself.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return pattern == text;
    }
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// The fixtures' events, all from the account 123456789012.
const EVENTS: [&str; 8] = [
    "ecr-image-scan.basic.awsdocs.json",
    "ecr-image-scan.all-severities.aws-lambda-go.json",
    "inspector2-scan.ecr.awsdocs.json",
    "inspector2-finding.ecr.awsdocs.json",
    "inspector2-finding.ecr.inspector-docs.json",
    "inspector2-finding.lambda.inspector-docs.json",
    "ecr-image-action.push.awsdocs.json",
    "ecr-scan-resource-change.awsdocs.json",
];

/// Which of the fixtures' events the rule forwards with `Repositories` = `repositories`.
fn forwarded(repositories: &[&str]) -> Vec<&'static str> {
    let template = python(PARSE_CLOUDFORMATION, "deploy/cloudformation/ecrscan.yaml");
    EVENTS
        .into_iter()
        .filter(|name| {
            let event = event(name);
            let region = event["region"].as_str().unwrap();
            matches(&pattern(&template, repositories, region), &event)
        })
        .collect()
}

#[test]
fn without_repositories_the_rule_forwards_every_ecr_scan_result_and_image_finding() {
    assert_eq!(
        forwarded(&[]),
        [
            "ecr-image-scan.basic.awsdocs.json",
            "ecr-image-scan.all-severities.aws-lambda-go.json",
            "inspector2-scan.ecr.awsdocs.json",
            "inspector2-finding.ecr.awsdocs.json",
            "inspector2-finding.ecr.inspector-docs.json",
        ],
        "not the Lambda function's finding, a push or a scan setting"
    );
}

#[test]
fn named_repositories_get_their_scan_results_and_their_images_findings_only() {
    assert_eq!(
        forwarded(&["inspector2", "my-repository-name"]),
        [
            "ecr-image-scan.basic.awsdocs.json",
            "inspector2-finding.ecr.inspector-docs.json",
        ]
    );
    assert_eq!(
        forwarded(&["amazon/amazon-ecs-sample"]),
        [
            "inspector2-scan.ecr.awsdocs.json",
            "inspector2-finding.ecr.awsdocs.json",
        ]
    );
    assert_eq!(
        forwarded(&["inspector", "amazon/amazon-ecs", "sample"]),
        Vec::<&str>::new(),
        "a name is never matched as the start or end of another"
    );
}

/// Which of the fixtures' events, arriving on the central account's bus from the
/// account that sent them, the central stack's member rule sends to the topic
/// with `MemberAccountIds` = `members`.
fn forwarded_from_members(members: &[&str]) -> Vec<&'static str> {
    let template = python(PARSE_CLOUDFORMATION, "deploy/cloudformation/ecrscan.yaml");
    let rule = &template["Resources"]["MemberRule"]["Properties"]["EventPattern"];
    EVENTS
        .into_iter()
        .filter(|name| {
            let event = event(name);
            let region = event["region"].as_str().unwrap();
            matches(&resolve(rule, &[], members, region), &event)
        })
        .collect()
}

#[test]
fn the_member_rule_sends_on_the_ecr_results_of_listed_member_accounts_only() {
    assert_eq!(
        forwarded_from_members(&["210987654321", ACCOUNT]),
        [
            "ecr-image-scan.basic.awsdocs.json",
            "ecr-image-scan.all-severities.aws-lambda-go.json",
            "inspector2-scan.ecr.awsdocs.json",
            "inspector2-finding.ecr.awsdocs.json",
            "inspector2-finding.ecr.inspector-docs.json",
        ],
        "from any region, and still not the Lambda function's finding, a push or a scan setting"
    );
    assert_eq!(
        forwarded_from_members(&["210987654321"]),
        Vec::<&str>::new(),
        "an account that is not listed is not forwarded"
    );
}
