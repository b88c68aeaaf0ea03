//! The digest: one message in the channel for a burst of results, naming what
//! matters (each new CRITICAL finding and where it is) and counting the rest.

use slack_morphism::prelude::*;

use super::format::{code, context, escape_within, message, pack, plural, section, severity_icon};
use crate::scan::burst::{Critical, Tally};
use crate::scan::findings::Severity;
use crate::slack::limits::MAX_SECTION_TEXT;

/// CRITICAL findings named in the head; the rest are counted.
const CRITICALS_SHOWN: usize = 20;
/// CRITICAL findings named in the plain-text fallback.
const CRITICALS_IN_FALLBACK: usize = 5;

/// The digest's head: `Rescan of 200 images: 2 with new CRITICAL (…), 5 with
/// other changes, 193 unchanged`, for the results gathered within `window_secs`.
pub fn digest(tally: &Tally, window_secs: u64) -> SlackMessageContent {
    let title = match tally.first_scans {
        0 => format!("Rescan of {}", images(tally.results)),
        n if n == tally.results => format!("First scans of {}", images(n)),
        _ => format!("Scans of {}", images(tally.results)),
    };
    let mut blocks = vec![section(format!(
        ":package: *{title}* within {window_secs} s, gathered here instead of one message each."
    ))];
    if tally.with_critical > 0 {
        let mut lines = vec![format!(
            "{} *{} with new CRITICAL*",
            severity_icon(Severity::Critical),
            images(tally.with_critical)
        )];
        lines.extend(
            tally
                .criticals
                .iter()
                .take(CRITICALS_SHOWN)
                .map(critical_line),
        );
        if tally.criticals.len() > CRITICALS_SHOWN {
            let more = tally.criticals.len() - CRITICALS_SHOWN;
            lines.push(format!("…and {more} more CRITICAL findings"));
        }
        blocks.extend(pack(lines, MAX_SECTION_TEXT).into_iter().map(section));
    }
    blocks.push(section(others(tally).join(" · ")));
    blocks.push(context(
        "Changes are in each image's own thread; first scans are in this thread. \
         Unchanged images post nothing."
            .into(),
    ));
    message(fallback(&title, tally), blocks)
}

/// `<CVE-…> in `example:web` (running), `example:reg-123` and 3 more`: the
/// images that run first.
fn critical_line(critical: &Critical) -> String {
    let id = escape_within(&critical.id, 100);
    let named: Vec<String> = (critical.named.iter())
        .map(|(image, running)| match running {
            true => format!("{} (running)", code(image, 200)),
            false => code(image, 200),
        })
        .collect();
    let more = critical.images.saturating_sub(critical.named.len());
    let more = match more {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!("• *{id}* in {}{more}", named.join(", "))
}

/// `5 with other changes · 193 unchanged`, leaving out the empty counts.
fn others(tally: &Tally) -> Vec<String> {
    let mut others: Vec<String> = [
        (tally.changed, "with other changes"),
        (tally.first, "scanned for the first time"),
        (tally.failed, "failed"),
        (tally.pending, "not complete yet"),
        (tally.unchanged, "unchanged"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if others.is_empty() {
        others.push("nothing else".into());
    }
    others
}

fn fallback(title: &str, tally: &Tally) -> String {
    let mut parts = Vec::new();
    if tally.with_critical > 0 {
        let named: Vec<String> = (tally.criticals.iter().take(CRITICALS_IN_FALLBACK))
            .map(|c| {
                let image = c.named.first().map_or("", |(image, _)| image.as_str());
                escape_within(&format!("{image} {}", c.id), 200)
            })
            .collect();
        let more = tally.criticals.len().saturating_sub(CRITICALS_IN_FALLBACK);
        let more = if more > 0 {
            format!(", {more} more")
        } else {
            String::new()
        };
        parts.push(format!(
            "{} with new CRITICAL ({}{more})",
            tally.with_critical,
            named.join(", ")
        ));
    }
    parts.extend(others(tally));
    format!("{title}: {}", parts.join(", "))
}

fn images(n: usize) -> String {
    plural(n, "image")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_within_limits, visible_text};
    use super::*;
    use crate::scan::burst::{Entry, Outcome};

    fn entry(image: &str, outcome: Outcome, criticals: &[&str]) -> Entry {
        Entry::new(image, outcome, criticals.iter().copied())
    }

    fn rescan_of_200() -> Tally {
        let mut entries: Vec<Entry> = (0..200)
            .map(|i| entry(&format!("example:reg-{i:03}"), Outcome::Unchanged, &[]))
            .collect();
        entries[17] = entry("example:reg-017", Outcome::Changed, &["CVE-2026-1111"]);
        entries[123] = entry("example:reg-123", Outcome::Changed, &["CVE-2026-2222"]);
        for e in &mut entries[30..35] {
            e.outcome = Outcome::Changed;
        }
        Tally::of(&entries)
    }

    #[test]
    fn a_critical_in_an_image_that_runs_is_named_first_and_marked() {
        let mut entries: Vec<Entry> = (0..4)
            .map(|i| {
                entry(
                    &format!("example:old-{i}"),
                    Outcome::Changed,
                    &["CVE-2026-1111"],
                )
            })
            .collect();
        entries.push(entry("example:old-9", Outcome::Changed, &["CVE-2026-3333"]));
        entries.push(entry("example:web", Outcome::Changed, &["CVE-2026-2222"]).running(true));
        let text = visible_text(&digest(&Tally::of(&entries), 60));
        let web = text
            .find("• *CVE-2026-2222* in `example:web` (running)")
            .expect(&text);
        let old = text
            .find("• *CVE-2026-1111* in `example:old-0`")
            .expect(&text);
        assert!(web < old, "{text}");
    }

    #[test]
    fn the_head_names_each_new_critical_and_counts_the_rest() {
        let content = digest(&rescan_of_200(), 60);
        let text = visible_text(&content);

        assert_eq!(
            content.text.as_deref(),
            Some(
                "Rescan of 200 images: 2 with new CRITICAL (example:reg-017 CVE-2026-1111, \
                 example:reg-123 CVE-2026-2222), 5 with other changes, 193 unchanged"
            )
        );
        assert!(text.contains("*2 images with new CRITICAL*"), "{text}");
        assert!(
            text.contains("• *CVE-2026-1111* in `example:reg-017`"),
            "{text}"
        );
        assert!(
            text.contains("5 with other changes · 193 unchanged"),
            "{text}"
        );
        assert_within_limits(&content);
    }

    #[test]
    fn one_cve_in_two_hundred_images_is_one_line_naming_a_few() {
        let entries: Vec<Entry> = (0..200)
            .map(|i| {
                entry(
                    &format!("example:app-{i}"),
                    Outcome::First,
                    &["CVE-2026-9999"],
                )
            })
            .collect();
        let content = digest(&Tally::of(&entries), 120);
        let text = visible_text(&content);

        assert!(text.contains("*First scans of 200 images*"), "{text}");
        assert!(
            text.contains(
                "• *CVE-2026-9999* in `example:app-0`, `example:app-1`, `example:app-2` and 197 more"
            ),
            "{text}"
        );
        assert_within_limits(&content);
    }

    #[test]
    fn hundreds_of_distinct_criticals_with_hostile_names_stay_within_limits() {
        let entries: Vec<Entry> = (0..500)
            .map(|i| {
                let image = format!("<!here>{}", "x&".repeat(500));
                let id = format!("CVE-<{i}>{}", "*".repeat(300));
                Entry::new(image, Outcome::Changed, [id]).running(i % 2 == 0)
            })
            .collect();
        let content = digest(&Tally::of(&entries), 60);

        assert_within_limits(&content);
        let text = visible_text(&content);
        assert!(!text.contains("<!here>"), "names are escaped");
        assert!(text.contains("…and 480 more CRITICAL findings"), "{text}");
    }
}
