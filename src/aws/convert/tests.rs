use super::*;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/ecr/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn image() -> Image {
    Image {
        repository: "test".into(),
        digest: "sha256:67a04b3bfd3be9fe33ef47b373a350852eca87e68230d5fe28c2a31acb93db84".into(),
        tags: vec![],
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
