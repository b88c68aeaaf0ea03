use super::*;

const TWO: &str = "prod=123456789012/us-east-1/arn:aws:iam::123456789012:role/ecrscan, \
                   staging=210987654321/eu-west-1/arn:aws:iam::210987654321:role/teams/ecrscan";

fn two() -> Registries {
    Registries::parse(TWO).unwrap()
}

fn image(repository: &str, tag: &str) -> Image {
    Image {
        repository: repository.into(),
        digest: "sha256:1".into(),
        tags: vec![tag.into()],
    }
}

#[test]
fn entries_are_read_in_order_and_the_role_keeps_its_slashes() {
    let registries = two();
    let all: Vec<&Registry> = registries.iter().collect();
    assert_eq!(all.len(), 2);
    assert_eq!(
        *all[1],
        Registry {
            alias: "staging".into(),
            account: "210987654321".into(),
            region: "eu-west-1".into(),
            role_arn: "arn:aws:iam::210987654321:role/teams/ecrscan".into(),
        }
    );
    assert_eq!(registries.aliases(), "`prod`, `staging`");
    assert!(Registries::parse("").unwrap().is_empty());
    // The member module's default alias is the account id.
    let by_id = "123456789012=123456789012/us-east-1/arn:aws:iam::123456789012:role/ecrscan-member";
    assert_eq!(
        Registries::parse(by_id).unwrap().aliases(),
        "`123456789012`"
    );
}

#[test]
fn a_bad_entry_is_named_with_its_problem() {
    let role = "arn:aws:iam::123456789012:role/ecrscan";
    for (entry, problem) in [
        ("prod", "no `=`"),
        ("prod=123456789012/us-east-1", "fewer than three parts"),
        (
            &format!("Prod=123456789012/us-east-1/{role}") as &str,
            "not an alias",
        ),
        (
            &format!("-prod=123456789012/us-east-1/{role}"),
            "not an alias",
        ),
        (&format!("prod=12345/us-east-1/{role}"), "not an account id"),
        (
            &format!("prod=123456789012/useast1/{role}"),
            "not an AWS region",
        ),
        (
            &format!("prod=123456789012/us-east-01/{role}"),
            "not an AWS region",
        ),
        (
            "prod=123456789012/us-east-1/arn:aws:iam::123456789012:user/ecrscan",
            "not an IAM role ARN",
        ),
        (
            "prod=123456789012/us-east-1/arn:aws:iam::210987654321:role/ecrscan",
            "in account 210987654321",
        ),
    ] {
        let err = Registries::parse(entry).unwrap_err();
        assert!(
            err.contains(entry) && err.contains(problem),
            "{entry}: {err}"
        );
    }
    let twice = format!("prod=123456789012/us-east-1/{role},prod=123456789012/us-west-2/{role}");
    assert!(
        Registries::parse(&twice)
            .unwrap_err()
            .contains("used twice")
    );
    let same = format!("prod=123456789012/us-east-1/{role},qa=123456789012/us-east-1/{role}");
    assert!(
        Registries::parse(&same)
            .unwrap_err()
            .contains("already `prod`")
    );
}

#[test]
fn a_name_without_an_alias_means_the_first_registry() {
    let registries = two();
    assert_eq!(registries.qualify("example").unwrap(), "prod/example");
    assert_eq!(registries.qualify("team/web").unwrap(), "prod/team/web");
    assert_eq!(
        registries.qualify("staging/example").unwrap(),
        "staging/example"
    );
    let (registry, rest) = registries.split("staging/team/web");
    assert_eq!(
        (registry.map(|r| r.alias.as_str()), rest),
        (Some("staging"), "team/web")
    );
}

#[test]
fn an_ecr_host_names_its_registry() {
    let registries = two();
    let pasted = "210987654321.dkr.ecr.eu-west-1.amazonaws.com/example";
    assert_eq!(registries.qualify(pasted).unwrap(), "staging/example");
    let unknown = registries
        .qualify("999999999999.dkr.ecr.eu-west-1.amazonaws.com/example")
        .unwrap_err();
    assert!(
        unknown.contains("999999999999") && unknown.contains("`prod`, `staging`"),
        "{unknown}"
    );
    // With none configured, the host is ecrscan's own registry.
    assert_eq!(Registries::default().qualify(pasted).unwrap(), "example");
    assert_eq!(
        Registries::default().qualify("team/web").unwrap(),
        "team/web"
    );
    assert_eq!(
        ecr_host("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com"),
        Some(("123456789012", "us-gov-west-1"))
    );
    assert_eq!(ecr_host("public.ecr.aws"), None);
}

#[test]
fn events_are_attributed_by_account_and_region() {
    let registries = two();
    let attributed = registries
        .attribute(image("example", "web"), "210987654321", "eu-west-1")
        .unwrap();
    assert_eq!(attributed.repository, "staging/example");
    let stray = registries.attribute(image("example", "web"), "210987654321", "us-east-1");
    assert!(stray.unwrap_err().contains("does not name"));
    let single = Registries::default().attribute(image("example", "web"), "1", "x");
    assert_eq!(single.unwrap().repository, "example");
}

#[test]
fn the_scheduler_role_is_the_same_name_in_the_registry_s_account() {
    let registries = two();
    let staging = registries.iter().nth(1).unwrap();
    assert_eq!(
        staging.own_role("arn:aws:iam::123456789012:role/ecrscan-scheduler"),
        "arn:aws:iam::210987654321:role/ecrscan-scheduler"
    );
}

#[test]
fn schedule_names_carry_the_alias_only_with_registries() {
    let tag = ImageId::Tag("web-latest".into());
    let name = two().schedule_name("staging/example", &tag);
    assert_eq!(name, format!("staging/{}", name_for("example", &tag)));
    assert_eq!(
        Registries::default().schedule_name("example", &tag),
        name_for("example", &tag)
    );
}

#[test]
fn a_pattern_with_an_alias_matches_only_its_registry() {
    let registries = two();
    let pattern = |s: &str| ImagePattern::parse(s).unwrap();
    let staging = image("staging/example", "web-latest");
    let prod = image("prod/example", "web-latest");
    let prod_named_staging = image("prod/staging/x", "v1");
    assert!(registries.matches(&pattern("staging/*"), &staging));
    assert!(!registries.matches(&pattern("staging/*"), &prod));
    assert!(!registries.matches(&pattern("staging/*"), &prod_named_staging));
    assert!(registries.matches(&pattern("example:web-*"), &staging));
    assert!(registries.matches(&pattern("example:web-*"), &prod));
    assert!(registries.matches(&pattern("*"), &prod_named_staging));
    assert!(registries.matches(&pattern("prod/example:*"), &prod));
    assert!(!registries.matches(&pattern("prod/example:*"), &staging));
    // Without registries, patterns match repositories as ECR names them.
    let single = Registries::default();
    assert!(single.matches(&pattern("team/*"), &image("team/web", "v1")));
    assert!(!single.matches(&pattern("web"), &image("team/web", "v1")));
}
