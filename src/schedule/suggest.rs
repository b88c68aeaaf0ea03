//! "Did you mean ...?": the closest known word to a mistyped one.

/// The Levenshtein distance between `a` and `b`, counted in characters, ignoring ASCII case.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(&a.to_ascii_lowercase(), &b.to_ascii_lowercase())
}

/// The candidate closest to `word`, when it is close enough to be a likely typo
/// (at most two edits, or a third of the word's length for long words).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = 2.max(word.chars().count() / 3);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_single_edits() {
        assert_eq!(edit_distance("weekly", "weekly"), 0);
        assert_eq!(edit_distance("wekly", "weekly"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "now"), 3);
    }

    #[test]
    fn distance_ignores_case() {
        assert_eq!(edit_distance("Asia/TOKYO", "asia/tokyo"), 0);
    }

    #[test]
    fn closest_finds_a_likely_typo() {
        let words = ["now", "findings", "schedule", "schedules"];
        assert_eq!(closest("shedule", words), Some("schedule"));
        assert_eq!(closest("finding", words), Some("findings"));
    }

    #[test]
    fn closest_gives_up_on_unrelated_words() {
        assert_eq!(closest("deploy", ["now", "findings"]), None);
    }
}
