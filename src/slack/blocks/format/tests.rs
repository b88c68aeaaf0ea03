use super::*;
use crate::slack::blocks::testing::{absurd, finding};

#[test]
fn mrkdwn_characters_are_escaped() {
    assert_eq!(
        escape("a <b> & <!channel>"),
        "a &lt;b&gt; &amp; &lt;!channel&gt;"
    );
}

#[test]
fn a_code_span_survives_backticks_and_escapes_the_rest() {
    assert_eq!(code("a`b <@U1> &", 100), "`aˋb &lt;@U1&gt; &amp;`");
}

#[test]
fn only_slack_ids_become_mentions_or_channel_links() {
    assert_eq!(mention("U024BE7LH"), "<@U024BE7LH>");
    assert_eq!(mention("W0A1"), "<@W0A1>");
    assert_eq!(mention("U1> <!everyone>"), "U1&gt; &lt;!everyone&gt;");
    assert_eq!(mention("!subteam^S1"), "!subteam^S1");
    assert_eq!(mention("u1"), "u1");
    assert_eq!(mention(""), "");
    assert_eq!(channel("C024BE91L"), "<#C024BE91L>");
    assert_eq!(channel("C1|general> <!here"), "C1|general&gt; &lt;!here");
}

#[test]
fn truncation_counts_characters_and_ends_with_an_ellipsis() {
    assert_eq!(truncate("🔴🔴🔴🔴", 3), "🔴🔴…");
    assert_eq!(truncate("short", 5), "short");
}

#[test]
fn escaped_text_is_cut_between_entities_never_inside_one() {
    assert_eq!(escape_within("a&b", 7), "a&amp;b");
    assert_eq!(escape_within("a&b", 6), "a…");
    assert_eq!(escape_within("abcdef", 4), "abc…");
    assert_eq!(escape_within("abcd", 4), "abcd");
}

#[test]
fn each_severity_has_one_icon_and_the_serious_ones_differ() {
    let icons: Vec<&str> = Severity::ALL[..4]
        .iter()
        .map(|s| severity_icon(*s))
        .collect();

    assert_eq!(
        icons,
        [
            ":red_circle:",
            ":large_orange_circle:",
            ":large_yellow_circle:",
            ":large_blue_circle:"
        ]
    );
    assert_eq!(severity_icon(Severity::Informational), ":white_circle:");
    assert_eq!(severity_icon(Severity::Undefined), ":white_circle:");
}

#[test]
fn a_finding_without_a_web_address_is_not_linked() {
    let mut f = finding("CVE-1", Severity::Low);
    f.uri = Some("javascript:alert(1)".into());
    assert!(finding_line(&f, false).starts_with("CVE-1 (`javascript:alert(1)`) `openssl`"));

    f.uri = Some("https://x.test/a|b".into());
    assert!(finding_line(&f, false).starts_with("CVE-1 "));

    f.uri = Some("https://x.test/?a=1&b=2".into());
    assert!(finding_line(&f, false).starts_with("<https://x.test/?a=1&amp;b=2|CVE-1>"));
}

#[test]
fn a_finding_line_stays_short_whatever_its_fields() {
    let mut f = absurd(1);
    (f.exploit_available, f.fix_available) = (true, true);
    assert!(finding_line(&f, true).chars().count() < 1000);
}

#[test]
fn a_finding_line_shows_inspectors_badges_when_set() {
    let mut f = finding("CVE-1", Severity::High);
    assert!(!finding_line(&f, false).contains("available"));

    (f.exploit_available, f.fix_available) = (true, true);
    assert!(
        finding_line(&f, false).ends_with("1.1.1k · *exploit available* · fix available"),
        "{}",
        finding_line(&f, false)
    );

    f.fixed_in = Some("1.1.1l".into());
    assert!(
        finding_line(&f, false).ends_with("fixed in 1.1.1l · *exploit available*"),
        "the fixed-in version already says a fix exists: {}",
        finding_line(&f, false)
    );
}

#[test]
fn untriaged_has_its_own_word_and_the_unknown_icon() {
    assert_eq!(severity_word(Severity::Untriaged), "untriaged");
    assert_eq!(severity_icon(Severity::Untriaged), ":white_circle:");
    assert_eq!(
        counts_line(&[(Severity::Untriaged, 2)]),
        ":white_circle: 2 untriaged"
    );
}

#[test]
fn the_rest_of_a_list_is_counted_by_severity() {
    let rest = [
        finding("A", Severity::Medium),
        finding("B", Severity::High),
        finding("C", Severity::Medium),
    ];

    assert_eq!(
        more_line(&rest, "").unwrap(),
        "…and 3 more (1 high, 2 medium)"
    );
    assert_eq!(
        more_line(&rest, "new").unwrap(),
        "…and 3 more new (1 high, 2 medium)"
    );
    assert_eq!(more_line(&[], ""), None);
}

#[test]
fn lines_are_packed_into_texts_within_the_limit() {
    let texts = pack((0..10).map(|i| format!("line {i}")), 13);

    assert_eq!(
        texts,
        [
            "line 0\nline 1",
            "line 2\nline 3",
            "line 4\nline 5",
            "line 6\nline 7",
            "line 8\nline 9"
        ]
    );
    assert_eq!(pack(["x".repeat(20)], 5), ["xxxx…"]);
}
