use super::*;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/ecr/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn image() -> Image {
    Image {
        repository: "sample-repo".into(),
        digest: "sha256:74b2c688c700".into(),
        tags: vec!["latest".into()],
    }
}

#[test]
fn an_active_answer_is_an_enhanced_scan_even_without_enhanced_findings() {
    let json = fixture("describe-image-scan-findings.enhanced-active.aws-cli-6759.json");
    let report = report_from_json(image(), &json).unwrap();

    assert_eq!(report.kind, ScanKind::Enhanced);
    assert!(report.findings.is_empty());
}

#[test]
fn a_basic_answer_stays_basic_and_an_enhanced_one_enhanced() {
    let basic = fixture("describe-image-scan-findings.basic.awsdocs.json");
    let enhanced = fixture("describe-image-scan-findings.enhanced.awsdocs.json");

    assert_eq!(
        report_from_json(image(), &basic).unwrap().kind,
        ScanKind::Basic
    );
    assert_eq!(
        report_from_json(image(), &enhanced).unwrap().kind,
        ScanKind::Enhanced
    );
}

fn findings(json: &str) -> Vec<Finding> {
    report_from_json(image(), json).unwrap().findings
}

#[test]
fn inspectors_no_fix_and_no_exploit_leave_both_badges_off() {
    let found = findings(&fixture(
        "describe-image-scan-findings.enhanced.awsdocs.json",
    ));
    assert_eq!(found.len(), 1);
    assert!(!found[0].fix_available && !found[0].exploit_available);
    assert_eq!(found[0].epss, None, "the SDK carries no EPSS score");
}

#[test]
fn a_fix_yes_or_partial_and_an_exploit_yes_set_the_badges() {
    let saved = fixture("describe-image-scan-findings.enhanced.awsdocs.json");
    let yes = saved
        .replace(r#""fixAvailable": "NO""#, r#""fixAvailable": "YES""#)
        .replace(
            r#""exploitAvailable": "NO""#,
            r#""exploitAvailable": "YES""#,
        );
    let found = findings(&yes);
    assert!(found[0].fix_available && found[0].exploit_available);

    let partial = saved.replace(r#""fixAvailable": "NO""#, r#""fixAvailable": "PARTIAL""#);
    let found = findings(&partial);
    assert!(found[0].fix_available && !found[0].exploit_available);
}

#[test]
fn an_untriaged_finding_stays_untriaged_without_a_score_or_fixed_version() {
    let found = findings(&fixture(
        "describe-image-scan-findings.enhanced-untriaged.moto.json",
    ));
    let untriaged = found
        .iter()
        .find(|f| f.id == "CVE-2025-24528")
        .expect("the krb5 finding");
    assert_eq!(untriaged.severity, Severity::Untriaged);
    assert_eq!(
        (untriaged.cvss, untriaged.fixed_in.as_deref()),
        (None, None),
        "score 0.0, cvss [] and fixedInVersion NotAvailable mean nothing known"
    );
    let curl = found.iter().find(|f| f.id == "CVE-2024-9681").unwrap();
    assert_eq!((curl.severity, curl.cvss), (Severity::Medium, Some(6.5)));
}
