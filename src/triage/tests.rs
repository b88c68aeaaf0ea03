use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::registry::Registries;
use crate::scan::findings::Severity;

fn image(repository: &str, tag: &str) -> Image {
    Image {
        repository: repository.into(),
        digest: "sha256:1".into(),
        tags: vec![tag.into()],
    }
}

fn ignore(vulnerability: &str, scope: Option<&str>, until: Until) -> Ignore {
    Ignore {
        id: 1,
        vulnerability: vulnerability.into(),
        scope: scope.map(|s| ImagePattern::parse(s).unwrap()),
        until,
        reason: "no fix upstream yet".into(),
        created_by: "U1".into(),
        channel: "C1".into(),
        created_at: 0,
    }
}

#[test]
fn vulnerability_ids_of_every_kind_inspector_reports_are_taken_in_canonical_case() {
    for (typed, canonical) in [
        ("CVE-2024-6119", "CVE-2024-6119"),
        ("cve-2021-3711", "CVE-2021-3711"),
        ("CVE-2023-123456", "CVE-2023-123456"),
        ("GHSA-vh95-rmgr-6w4m", "GHSA-vh95-rmgr-6w4m"),
        ("ghsa-VH95-rmgr-6w4m", "GHSA-vh95-rmgr-6w4m"),
        ("ALAS-2023-1234", "ALAS-2023-1234"),
        ("ALAS2-2024-2500", "ALAS2-2024-2500"),
        ("alas2023-2024-512", "ALAS2023-2024-512"),
        ("RHSA-2024:1234", "RHSA-2024:1234"),
        ("GO-2022-0969", "GO-2022-0969"),
        ("PYSEC-2021-19", "PYSEC-2021-19"),
    ] {
        assert_eq!(vulnerability_id(typed).as_deref(), Ok(canonical), "{typed}");
    }
}

#[test]
fn words_that_are_not_vulnerability_ids_are_refused_with_examples() {
    for word in [
        "web-latest",
        "CVE-24-6119",
        "CVE-2024-61",
        "CVE2024-6119",
        "GHSA-abcd-efgh-ijkl",
        "RHSA-2024-1234",
        "example:web-*",
        "2024-6119",
    ] {
        let error = vulnerability_id(word).unwrap_err();
        assert!(
            error.contains(&format!("`{word}` is not a vulnerability id")),
            "{error}"
        );
        assert!(error.contains("CVE-2024-6119"), "{error}");
    }
}

#[test]
fn an_ignore_hides_its_vulnerability_only_in_the_images_of_its_scope() {
    let finding = Finding::new("CVE-2024-6119", Severity::Critical);
    let other = Finding::new("CVE-2021-3711", Severity::Critical);
    let scoped = ignore("CVE-2024-6119", Some("example:web-*"), Until::Fixed);
    let none = Registries::default();
    assert!(scoped.hides(&finding, &image("example", "web-latest"), &none));
    assert!(!scoped.hides(&finding, &image("example", "proxy-latest"), &none));
    assert!(!scoped.hides(&other, &image("example", "web-latest"), &none));
    let everywhere = ignore("CVE-2024-6119", None, Until::Fixed);
    assert!(everywhere.hides(&finding, &image("other", "anything"), &none));
    assert_eq!(everywhere.scope_str(), "*");

    let findings = vec![finding.clone(), other.clone()];
    let (shown, hidden) = split(&findings, &[scoped]);
    assert_eq!(shown, vec![other]);
    assert_eq!(hidden.len(), 1);
    assert_eq!(hidden[0].finding, finding);
}

#[test]
fn a_scope_with_an_alias_covers_only_that_registry_s_images() {
    let registries = Registries::parse(
        "prod=123456789012/us-east-1/arn:aws:iam::123456789012:role/ecrscan, \
         staging=210987654321/eu-west-1/arn:aws:iam::210987654321:role/ecrscan",
    )
    .unwrap();
    let finding = Finding::new("CVE-2024-6119", Severity::Critical);
    let staging_only = ignore("CVE-2024-6119", Some("staging/example:*"), Until::Fixed);
    let any_registry = ignore("CVE-2024-6119", Some("example:*"), Until::Fixed);
    let (prod, staging) = (
        image("prod/example", "web"),
        image("staging/example", "web"),
    );
    assert!(staging_only.hides(&finding, &staging, &registries));
    assert!(!staging_only.hides(&finding, &prod, &registries));
    assert!(any_registry.hides(&finding, &prod, &registries));
    assert!(any_registry.hides(&finding, &staging, &registries));
}

#[test]
fn an_until_fixed_ignore_ends_when_its_finding_has_a_fixed_version_or_a_fix_is_available() {
    let ignores = vec![
        ignore("CVE-2024-6119", None, Until::Fixed),
        ignore("CVE-2021-3711", None, Until::At(i64::MAX)),
    ];
    let unfixed = vec![Finding::new("CVE-2024-6119", Severity::High)];
    assert!(fixed(&unfixed, &ignores).is_empty());
    let with_version = vec![Finding {
        fixed_in: Some("3.0.15".into()),
        ..Finding::new("CVE-2024-6119", Severity::High)
    }];
    assert_eq!(fixed(&with_version, &ignores), vec![&ignores[0]]);
    let available = vec![Finding {
        fix_available: true,
        ..Finding::new("CVE-2024-6119", Severity::High)
    }];
    assert_eq!(fixed(&available, &ignores), vec![&ignores[0]]);
    // A dated ignore runs its course even when a fix appears.
    let dated_fixed = vec![Finding {
        fixed_in: Some("1.1.1l".into()),
        ..Finding::new("CVE-2021-3711", Severity::Critical)
    }];
    assert!(fixed(&dated_fixed, &ignores).is_empty());
}

#[test]
fn durations_end_in_days_from_now_or_at_midnight_utc_of_a_future_date() {
    let now = Utc.with_ymd_and_hms(2026, 12, 2, 15, 30, 0).unwrap();
    assert_eq!(
        Duration::Days(30).until(now),
        Ok(Until::At(now.timestamp() + 30 * 86_400))
    );
    let date = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    let midnight = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(
        Duration::Date(date).until(now),
        Ok(Until::At(midnight.timestamp()))
    );
    assert_eq!(Duration::UntilFixed.until(now), Ok(Until::Fixed));
    for past in ["2026-12-02", "2025-06-01"] {
        let date: NaiveDate = past.parse().unwrap();
        let error = Duration::Date(date).until(now).unwrap_err();
        assert!(error.contains("not in the future"), "{error}");
    }
}
