//! `/ecrscan findings`: the latest findings of one image, most severe first.

use slack_morphism::prelude::*;

use super::format::{
    code, context, count, counts_line, counts_words, escape_within, finding_line, findings_count,
    header, kind, message, more_line, pack, section, status_line, time,
};
use crate::scan::diff::most_severe_first;
use crate::scan::findings::{Finding, ScanReport, ScanStatus, Severity, total};
use crate::scan::image::Image;
use crate::slack::limits::{MAX_BLOCKS, MAX_SECTION_TEXT};
use crate::triage::Hidden;

/// How many findings `/ecrscan findings` lists; the rest are counted.
const SHOWN: usize = 30;

/// `/ecrscan findings`: the latest findings of one image; those an ignore hides
/// (`hidden`, left out of `report`) are listed apart, with who, until when and why.
pub fn findings(report: &ScanReport, hidden: &[Hidden]) -> SlackMessageContent {
    let mut blocks = heading(report, false);
    blocks.push(state(report, hidden.len()));
    let sorted = sorted(&report.findings);
    if !sorted.is_empty() {
        blocks.push(SlackDividerBlock::new().into());
        let lines = sorted.iter().take(SHOWN).map(|f| finding_line(f, true));
        blocks.extend(pack(lines, MAX_SECTION_TEXT).into_iter().map(section));
        if let Some(more) = more_line(sorted.iter().skip(SHOWN).copied(), "") {
            blocks.push(context(more));
        }
    }
    if let Some(ignored) = super::ignores::hidden(hidden) {
        let room = MAX_BLOCKS.saturating_sub(blocks.len() + 1);
        blocks.push(SlackDividerBlock::new().into());
        blocks.extend(ignored.blocks.unwrap_or_default().into_iter().take(room));
    }
    message(fallback(report), blocks)
}

/// The findings of `findings`, most severe first.
pub(super) fn sorted(findings: &[Finding]) -> Vec<&Finding> {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by(|a, b| most_severe_first(a, b));
    sorted
}

/// The header naming the image, and a context line: (tags,) short digest, scan kind, time.
pub(super) fn heading(report: &ScanReport, with_tags: bool) -> Vec<SlackBlock> {
    let image = &report.image;
    let mut facts = Vec::new();
    if with_tags && !image.tags.is_empty() {
        let mut tags: Vec<String> = (image.tags.iter().take(5)).map(|t| code(t, 60)).collect();
        if image.tags.len() > 5 {
            tags.push(format!("+{} more", image.tags.len() - 5));
        }
        facts.push(format!("Tags: {}", tags.join(", ")));
    }
    facts.push(code(image.short_digest(), 80));
    facts.push(kind(report.kind).to_string());
    let when = match report.status {
        ScanStatus::Complete | ScanStatus::FindingsPending(_) => "completed",
        _ => "as of",
    };
    facts.push(format!("{when} {}", time(report.completed_at)));
    vec![header(&image.display_name()), context(facts.join(" · "))]
}

/// The state of the scan: how many findings of each severity, "no findings",
/// or why there are none yet, and how many more an ignore hides. Findings ECR
/// does not list yet are the event's counts, never "no findings".
pub(super) fn state(report: &ScanReport, ignored: usize) -> SlackBlock {
    if let ScanStatus::FindingsPending(counts) = &report.status {
        return section(format!(
            "{}\n{}",
            counted(counts),
            pending_line(&report.image)
        ));
    }
    let listed = report.findings.len();
    let counts = match (listed, ignored) {
        (0, 0) => {
            ":white_check_mark: *No findings*: no known vulnerabilities in this image.".into()
        }
        (0, n) => format!(":white_check_mark: *No findings* to announce · {n} ignored"),
        (_, 0) => counted(&count(&report.findings)),
        (_, n) => format!("{} · {n} ignored", counted(&count(&report.findings))),
    };
    match status_line(&report.status) {
        Some(status) if listed == 0 => section(status),
        Some(status) => section(format!("{status}\n{counts}")),
        None => section(counts),
    }
}

/// `*42 findings*: :red_circle: 3 critical · :large_orange_circle: 39 high`.
pub(super) fn counted(counts: &[(Severity, usize)]) -> String {
    format!(
        "*{}*: {}",
        findings_count(total(counts)),
        counts_line(counts)
    )
}

/// Why a completed scan's findings are counts only, and where to read them.
fn pending_line(image: &Image) -> String {
    let reference = match image.tags.first() {
        Some(tag) => format!("{}:{tag}", image.repository),
        None => format!("{}@{}", image.repository, image.digest),
    };
    format!(
        ":hourglass_flowing_sand: *Details not available yet*: these are the counts of the \
         scan event; ECR does not list the findings yet. See them in the AWS console \
         (Amazon Inspector), or with {} later.",
        code(&format!("/ecrscan findings {reference}"), 500)
    )
}

/// `example:web-latest: 42 findings (3 critical, 39 high)`.
pub(super) fn fallback(report: &ScanReport) -> String {
    let name = escape_within(&report.image.display_name(), 400);
    let listed = report.findings.len();
    let counts = counts_words(&count(&report.findings));
    match &report.status {
        ScanStatus::Complete if listed == 0 => format!("{name}: no findings"),
        ScanStatus::Complete => format!("{name}: {} ({counts})", findings_count(listed)),
        ScanStatus::InProgress => format!("{name}: scan in progress"),
        ScanStatus::Failed(_) => format!("{name}: scan failed"),
        ScanStatus::FindingsPending(counts) => format!(
            "{name}: {} ({}); details not available yet",
            findings_count(total(counts)),
            counts_words(counts)
        ),
        ScanStatus::Other(description) => {
            format!("{name}: scan {}", escape_within(description, 200))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::scan::findings::Severity;

    #[test]
    fn findings_name_the_image_and_count_each_severity_with_its_icon() {
        let content = findings(
            &report(vec![
                finding("CVE-1", Severity::High),
                finding("CVE-2", Severity::Critical),
                finding("CVE-3", Severity::High),
            ]),
            &[],
        );
        let text = visible_text(&content);

        assert!(text.starts_with("example:web-latest\n"));
        assert!(text.contains("`sha256:1a2b3c4d5e6f` · basic scan · completed <!date^1714564800^"));
        assert!(
            text.contains("*3 findings*: :red_circle: 1 critical · :large_orange_circle: 2 high")
        );
        assert_eq!(
            content.text.as_deref(),
            Some("example:web-latest: 3 findings (1 critical, 2 high)")
        );
        assert_within_limits(&content);
    }

    #[test]
    fn findings_are_listed_most_severe_first_with_link_package_fix_and_score() {
        let mut fixable = finding("CVE-2021-3711", Severity::Critical);
        fixable.fixed_in = Some("1.1.1l".into());
        fixable.cvss = Some(9.8);
        let content = findings(
            &report(vec![finding("CVE-LOW", Severity::Low), fixable]),
            &[],
        );
        let text = visible_text(&content);

        let critical = text.find(
            ":red_circle: <https://nvd.nist.gov/vuln/detail/CVE-2021-3711|CVE-2021-3711> \
             `openssl` 1.1.1k · fixed in 1.1.1l · CVSS 9.8",
        );
        let low =
            text.find(":large_blue_circle: <https://nvd.nist.gov/vuln/detail/CVE-LOW|CVE-LOW>");
        assert!(critical.unwrap() < low.unwrap(), "{text}");
    }

    #[test]
    fn findings_beyond_the_first_thirty_are_counted_by_severity() {
        let mut list = vec![finding("CVE-C", Severity::Critical); 10];
        list.extend(vec![finding("CVE-H", Severity::High); 25]);
        list.extend(vec![finding("CVE-M", Severity::Medium); 7]);
        let content = findings(&report(list), &[]);
        let text = visible_text(&content);

        assert_eq!(text.matches("|CVE-C>").count(), 10);
        assert_eq!(text.matches("|CVE-H>").count(), 20);
        assert!(text.contains("…and 12 more (5 high, 7 medium)"), "{text}");
    }

    #[test]
    fn an_image_without_findings_says_so() {
        let content = findings(&report(vec![]), &[]);

        assert!(visible_text(&content).contains("*No findings*"));
        assert_eq!(
            content.text.as_deref(),
            Some("example:web-latest: no findings")
        );
        assert_within_limits(&content);
    }

    #[test]
    fn a_failed_scan_shows_its_reason_escaped() {
        let mut failed = report(vec![]);
        failed.status = ScanStatus::Failed("UnsupportedImageError: <manifest> & layers".into());
        let content = findings(&failed, &[]);

        assert!(
            visible_text(&content).contains(
                ":x: *Scan failed*: UnsupportedImageError: &lt;manifest&gt; &amp; layers"
            )
        );
        assert!(!visible_text(&content).contains("No findings"));
        assert_eq!(
            content.text.as_deref(),
            Some("example:web-latest: scan failed")
        );
    }

    #[test]
    fn a_scan_in_progress_or_in_another_state_says_so() {
        let mut pending = report(vec![]);
        pending.status = ScanStatus::InProgress;
        assert!(visible_text(&findings(&pending, &[])).contains("*Scan in progress*"));

        pending.status = ScanStatus::Other("SCAN_ELIGIBILITY_EXPIRED".into());
        assert!(
            visible_text(&findings(&pending, &[]))
                .contains("*Scan status*: SCAN_ELIGIBILITY_EXPIRED")
        );
    }

    #[test]
    fn two_thousand_findings_fit_in_one_message() {
        let content = findings(&report(many(2000)), &[]);

        assert_within_limits(&content);
        assert!(visible_text(&content).contains("…and 1970 more"));
    }

    #[test]
    fn absurdly_long_names_are_cut_and_still_fit() {
        let mut huge = report((0..40).map(absurd).collect());
        huge.image.repository = "r".repeat(5000);
        huge.image.tags = vec!["t<&>".repeat(3000); 20];
        huge.image.digest = "d".repeat(5000);
        let content = findings(&huge, &[]);

        assert_within_limits(&content);
        assert!(visible_text(&content).contains('…'));
        assert!(
            !visible_text(&content).contains("<b>"),
            "package names are escaped"
        );
    }
}
