//! Which channel hears about which image.

mod targets;

use std::fmt;

pub use targets::{Target, targets};

/// `repo` or `repo:tag`, with `*` globs that match any run of characters (`/` included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePattern(String);

impl ImagePattern {
    /// Parses `repo` or `repo:tag`; each part may use `*`, and otherwise only the
    /// characters ECR allows in repository names and tags.
    pub fn parse(s: &str) -> Result<ImagePattern, String> {
        let s = s.trim();
        let usage = "a pattern is `repo` or `repo:tag`, with `*` globs, e.g. `example:web-*`";
        if s.is_empty() {
            return Err(format!("a pattern is missing; {usage}"));
        }
        if s.contains('@') {
            return Err(format!("`{s}` names a digest; {usage}"));
        }
        let (repository, tag) = match s.split_once(':') {
            Some((repository, tag)) => (repository, Some(tag)),
            None => (s, None),
        };
        if repository.is_empty() || repository.len() > 256 {
            return Err(format!(
                "`{s}` needs a repository part of 1 to 256 characters; {usage}"
            ));
        }
        if repository.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "`{repository}` has capital letters; repository names are lowercase"
            ));
        }
        if let Some(bad) = repository.chars().find(|c| !is_repository_char(*c)) {
            return Err(format!(
                "`{s}` contains `{bad}`, which no repository name has; {usage}"
            ));
        }
        if let Some(tag) = tag {
            if tag.is_empty() || tag.len() > 128 {
                return Err(format!(
                    "`{s}` needs a tag part of 1 to 128 characters; {usage}"
                ));
            }
            if let Some(bad) = tag.chars().find(|c| !is_tag_char(*c)) {
                return Err(format!("`{s}` contains `{bad}`, which no tag has; {usage}"));
            }
        }
        Ok(ImagePattern(s.to_string()))
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether an image of `repository` carrying `tags` matches. A pattern without a tag
    /// part matches every image of its repositories, untagged ones too; with one, an
    /// image matches when any of its tags does (so never when it is untagged).
    pub fn matches(&self, repository: &str, tags: &[String]) -> bool {
        let (repository_glob, tag_glob) = match self.0.split_once(':') {
            Some((repository, tag)) => (repository, Some(tag)),
            None => (self.0.as_str(), None),
        };
        glob_matches(repository_glob, repository)
            && tag_glob.is_none_or(|glob| tags.iter().any(|tag| glob_matches(glob, tag)))
    }
}

impl fmt::Display for ImagePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_repository_char(c: char) -> bool {
    matches!(c, 'a'..='z' | '0'..='9' | '.' | '_' | '-' | '/' | '*')
}

fn is_tag_char(c: char) -> bool {
    matches!(c, 'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' | '-' | '*')
}

/// Whether `text` matches `glob`, where `*` stands for any run of characters. Iterative:
/// on a mismatch, the last `*` takes one more character.
fn glob_matches(glob: &str, text: &str) -> bool {
    let (glob, text) = (glob.as_bytes(), text.as_bytes());
    let (mut g, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        if g < glob.len() && glob[g] == b'*' {
            last_star = Some((g, t));
            g += 1;
        } else if g < glob.len() && glob[g] == text[t] {
            g += 1;
            t += 1;
        } else if let Some((star, taken)) = last_star {
            last_star = Some((star, taken + 1));
            g = star + 1;
            t = taken + 1;
        } else {
            return false;
        }
    }
    glob[g..].iter().all(|b| *b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| t.to_string()).collect()
    }

    fn pattern(s: &str) -> ImagePattern {
        ImagePattern::parse(s).unwrap()
    }

    #[test]
    fn globs_match_any_run_of_characters() {
        assert!(glob_matches("*", ""));
        assert!(glob_matches("web-*", "web-latest"));
        assert!(glob_matches("*-latest", "web-latest"));
        assert!(glob_matches("w*b*t", "web-latest"));
        assert!(glob_matches("a*a*a", "aaaa"));
        assert!(!glob_matches("web-*", "proxy-latest"));
        assert!(!glob_matches("web", "web-latest"));
        assert!(!glob_matches("a*b", "aab-c"));
    }

    #[test]
    fn a_repository_pattern_matches_every_image_of_it_untagged_too() {
        let p = pattern("example");
        assert!(p.matches("example", &tags(&["web-latest"])));
        assert!(p.matches("example", &[]));
        assert!(!p.matches("other", &tags(&["web-latest"])));
    }

    #[test]
    fn a_tag_pattern_matches_when_any_tag_matches() {
        let p = pattern("example:web-*");
        assert!(p.matches("example", &tags(&["v1", "web-latest"])));
        assert!(!p.matches("example", &tags(&["proxy-latest"])));
        assert!(!p.matches("example", &[]));
    }

    #[test]
    fn a_repository_glob_crosses_slashes() {
        let p = pattern("team/*:*");
        assert!(p.matches("team/web/api", &tags(&["v1"])));
        assert!(!p.matches("other/web", &tags(&["v1"])));
        assert!(pattern("*").matches("anything/at-all", &[]));
    }

    #[test]
    fn patterns_keep_their_text() {
        assert_eq!(pattern("example:web-*").as_str(), "example:web-*");
        assert_eq!(pattern("example:web-*").to_string(), "example:web-*");
    }

    #[test]
    fn bad_patterns_name_the_offending_text() {
        for (input, named) in [
            ("Example", "Example"),
            ("exa mple", "exa mple"),
            ("example:we$b", "example:we$b"),
            ("example@sha256:abc", "example@sha256:abc"),
            (":web", ":web"),
            ("example:", "example:"),
            ("<http://x|x>", "<http://x|x>"),
        ] {
            let problem = ImagePattern::parse(input).unwrap_err();
            assert!(problem.contains(named), "{input}: {problem}");
        }
        assert!(ImagePattern::parse("").unwrap_err().contains("missing"));
    }
}
