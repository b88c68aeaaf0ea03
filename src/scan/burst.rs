//! Bursts: many results reaching one channel at once (a registry-wide rescan, a
//! rebuild of every image, one base-image CVE touching hundreds of images).
//! Past a threshold they are gathered under one digest message, whose head
//! tallies them: which images gained a CRITICAL, how many changed otherwise,
//! how many did not change at all.

use std::collections::BTreeMap;

/// What one result meant for a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The first result of the image there: it opens the image's thread.
    First,
    /// Findings appeared, went or changed since the previous result.
    Changed,
    /// The same findings as the previous result.
    Unchanged,
    /// The scan failed.
    Failed,
    /// The scan is not complete yet, or its findings are not listed yet.
    Pending,
}

impl Outcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::First => "first",
            Outcome::Changed => "changed",
            Outcome::Unchanged => "unchanged",
            Outcome::Failed => "failed",
            Outcome::Pending => "pending",
        }
    }

    /// The outcome of a stored name (an unknown one counts as a change).
    pub fn parse(stored: &str) -> Outcome {
        [
            Outcome::First,
            Outcome::Unchanged,
            Outcome::Failed,
            Outcome::Pending,
        ]
        .into_iter()
        .find(|o| o.as_str() == stored)
        .unwrap_or(Outcome::Changed)
    }
}

/// One result gathered in a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `example:web-latest`.
    pub image: String,
    pub outcome: Outcome,
    /// The ids of the CRITICAL findings it brought, most severe first.
    pub criticals: Vec<String>,
    /// Whether the image runs (ECS runs it, as of the last sync).
    pub running: bool,
}

impl Entry {
    /// The entry of a result for `image` (`example:web-latest`).
    pub fn new<S: Into<String>>(
        image: impl Into<String>,
        outcome: Outcome,
        criticals: impl IntoIterator<Item = S>,
    ) -> Self {
        Entry {
            image: image.into(),
            outcome,
            criticals: criticals.into_iter().map(Into::into).collect(),
            running: false,
        }
    }

    /// The same, of an image that runs (or not).
    pub fn running(self, running: bool) -> Self {
        Entry { running, ..self }
    }
}

/// The images a new CRITICAL finding appeared in during a burst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Critical {
    /// `CVE-2026-1234`.
    pub id: String,
    /// How many images gained it.
    pub images: usize,
    /// How many of those run.
    pub running: usize,
    /// A few of them, those that run first, each with whether it runs.
    pub named: Vec<(String, bool)>,
}

impl Critical {
    /// Names `image` among the first [`IMAGES_NAMED`], those that run first: an
    /// image that runs takes the place of the last named one that does not.
    fn name(&mut self, image: &str, running: bool) {
        if self.named.iter().any(|(named, _)| named == image) {
            return;
        }
        if self.named.len() == IMAGES_NAMED {
            match self.named.iter().rposition(|(_, runs)| !runs) {
                Some(last) if running => {
                    self.named.remove(last);
                }
                _ => return,
            }
        }
        let at = self
            .named
            .iter()
            .position(|(_, runs)| !runs)
            .filter(|_| running);
        let at = at.unwrap_or(self.named.len());
        self.named.insert(at, (image.to_string(), running));
    }
}

/// How many images a digest head names per CRITICAL finding.
pub const IMAGES_NAMED: usize = 3;

/// What a digest gathered so far. Each result counts once: under "new
/// CRITICAL" when it brought one, otherwise under its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    pub results: usize,
    /// Results that were the first of their image in the channel, whatever
    /// else they count as.
    pub first_scans: usize,
    /// Results that brought a new CRITICAL finding.
    pub with_critical: usize,
    pub first: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub pending: usize,
    /// Each new CRITICAL finding: those in images that run first, then those
    /// in most images.
    pub criticals: Vec<Critical>,
}

impl Tally {
    /// The tally of `entries`, in the order they joined.
    pub fn of<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Tally {
        let mut tally = Tally::default();
        let mut criticals: BTreeMap<&str, (usize, Critical)> = BTreeMap::new();
        for entry in entries {
            tally.results += 1;
            if entry.outcome == Outcome::First {
                tally.first_scans += 1;
            }
            if !entry.criticals.is_empty() {
                tally.with_critical += 1;
            } else {
                *tally.count_of(entry.outcome) += 1;
            }
            for id in &entry.criticals {
                let order = criticals.len();
                let (_, critical) = criticals.entry(id).or_insert_with(|| {
                    let critical = Critical {
                        id: id.clone(),
                        images: 0,
                        running: 0,
                        named: Vec::new(),
                    };
                    (order, critical)
                });
                critical.images += 1;
                critical.running += usize::from(entry.running);
                critical.name(&entry.image, entry.running);
            }
        }
        let mut criticals: Vec<(usize, Critical)> = criticals.into_values().collect();
        criticals.sort_by(|(a_order, a), (b_order, b)| {
            (b.running > 0)
                .cmp(&(a.running > 0))
                .then(b.images.cmp(&a.images))
                .then(a_order.cmp(b_order))
        });
        tally.criticals = criticals.into_iter().map(|(_, c)| c).collect();
        tally
    }

    /// Whether anything in the burst deserves a message in the channel.
    pub fn worth_posting(&self) -> bool {
        self.results > self.unchanged
    }

    fn count_of(&mut self, outcome: Outcome) -> &mut usize {
        match outcome {
            Outcome::First => &mut self.first,
            Outcome::Changed => &mut self.changed,
            Outcome::Unchanged => &mut self.unchanged,
            Outcome::Failed => &mut self.failed,
            Outcome::Pending => &mut self.pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(image: &str, outcome: Outcome, criticals: &[&str]) -> Entry {
        Entry::new(image, outcome, criticals.iter().copied())
    }

    #[test]
    fn each_result_counts_once_under_critical_or_its_outcome() {
        let entries = [
            entry("a", Outcome::Unchanged, &[]),
            entry("b", Outcome::Changed, &["CVE-1"]),
            entry("c", Outcome::Changed, &[]),
            entry("d", Outcome::First, &["CVE-1", "CVE-2"]),
            entry("e", Outcome::Failed, &[]),
            entry("f", Outcome::Unchanged, &[]),
        ];

        let tally = Tally::of(&entries);

        assert_eq!(tally.results, 6);
        assert_eq!(tally.with_critical, 2);
        assert_eq!(
            (tally.first, tally.changed, tally.unchanged, tally.failed),
            (0, 1, 2, 1)
        );
        assert!(tally.worth_posting());
    }

    #[test]
    fn criticals_in_images_that_run_come_first_and_those_images_are_named_first() {
        let mut entries: Vec<Entry> = (0..5)
            .map(|i| entry(&format!("idle-{i}"), Outcome::Changed, &["CVE-WIDE"]))
            .collect();
        entries.push(entry("web", Outcome::Changed, &["CVE-WIDE", "CVE-WEB"]).running(true));
        entries.push(entry("old", Outcome::Changed, &["CVE-OLD", "CVE-OLD2"]));
        entries.push(entry("old2", Outcome::Changed, &["CVE-OLD2"]));

        let tally = Tally::of(&entries);

        let order: Vec<&str> = tally.criticals.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(order, ["CVE-WIDE", "CVE-WEB", "CVE-OLD2", "CVE-OLD"]);
        let wide = &tally.criticals[0];
        assert_eq!((wide.images, wide.running), (6, 1));
        let named: Vec<(&str, bool)> = wide.named.iter().map(|(i, r)| (i.as_str(), *r)).collect();
        assert_eq!(named, [("web", true), ("idle-0", false), ("idle-1", false)]);
    }

    #[test]
    fn criticals_in_most_images_come_first_and_name_a_few_images() {
        let mut entries = vec![entry("only", Outcome::Changed, &["CVE-RARE"])];
        entries.extend((0..200).map(|i| entry(&format!("img-{i}"), Outcome::First, &["CVE-BASE"])));

        let tally = Tally::of(&entries);

        assert_eq!(tally.criticals[0].id, "CVE-BASE");
        assert_eq!(tally.criticals[0].images, 200);
        let named =
            |c: &Critical| -> Vec<String> { c.named.iter().map(|(i, _)| i.clone()).collect() };
        assert_eq!(named(&tally.criticals[0]), ["img-0", "img-1", "img-2"]);
        assert_eq!(tally.criticals[1].id, "CVE-RARE");
        assert_eq!(named(&tally.criticals[1]), ["only"]);
    }

    #[test]
    fn a_burst_of_unchanged_results_is_not_worth_a_message() {
        let entries: Vec<Entry> = (0..50)
            .map(|i| entry(&format!("img-{i}"), Outcome::Unchanged, &[]))
            .collect();

        assert!(!Tally::of(&entries).worth_posting());
    }

    #[test]
    fn outcomes_read_back_from_their_stored_names() {
        for outcome in [
            Outcome::First,
            Outcome::Changed,
            Outcome::Unchanged,
            Outcome::Failed,
            Outcome::Pending,
        ] {
            assert_eq!(Outcome::parse(outcome.as_str()), outcome);
        }
    }
}
