//! Schedule names: stable, readable, collision-free, within Scheduler's rules.

use sha2::{Digest, Sha256};

/// Scheduler allows names of 1 to 64 characters.
const MAX_LEN: usize = 64;
/// `-` and eight hex digits of the hash.
const HASH_LEN: usize = 9;

/// A stable Scheduler name for a repository and tag: a readable prefix
/// (`example-web-latest`, other characters mapped to `-`, truncated) and the first
/// eight hex digits of SHA-256 of `repository:tag`, so that two images whose
/// readable prefixes agree still get different names. Always 1 to 64 characters
/// of `[0-9A-Za-z-_.]`.
pub fn schedule_name(repository: &str, tag: &str) -> String {
    let hash = Sha256::digest(format!("{repository}:{tag}").as_bytes());
    let hash = hex::encode(&hash[..4]);
    let readable: String = format!("{repository}-{tag}")
        .chars()
        .map(|c| match c {
            '0'..='9' | 'A'..='Z' | 'a'..='z' | '-' | '_' | '.' => c,
            _ => '-',
        })
        .take(MAX_LEN - HASH_LEN)
        .collect();
    format!("{readable}-{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(name: &str) -> bool {
        (1..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    }

    #[test]
    fn names_start_with_repository_and_tag() {
        let name = schedule_name("example", "web-latest");
        assert!(name.starts_with("example-web-latest-"), "{name}");
        assert_eq!(name.len(), "example-web-latest-".len() + 8);
        assert!(allowed(&name));
    }

    #[test]
    fn names_are_stable() {
        assert_eq!(
            schedule_name("team/web", "v1.2"),
            schedule_name("team/web", "v1.2")
        );
    }

    #[test]
    fn slashes_become_dashes() {
        let name = schedule_name("team/web", "v1.2");
        assert!(name.starts_with("team-web-v1.2-"), "{name}");
        assert!(allowed(&name));
    }

    #[test]
    fn images_with_the_same_readable_prefix_get_different_names() {
        assert_ne!(schedule_name("a/b", "c"), schedule_name("a-b", "c"));
        assert_ne!(schedule_name("a", "b-c"), schedule_name("a-b", "c"));
    }

    #[test]
    fn long_names_are_truncated_to_sixty_four_characters() {
        let repository = "r".repeat(256);
        let first = schedule_name(&repository, &"t".repeat(128));
        let second = schedule_name(&repository, &"u".repeat(128));
        assert_eq!(first.len(), 64);
        assert!(allowed(&first));
        assert_ne!(first, second);
    }
}
