//! Images: how a user names one, and what ECR calls it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An image as ECR knows it: a repository and a digest, with the tags it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub repository: String,
    /// `sha256:...`
    pub digest: String,
    pub tags: Vec<String>,
}

impl Image {
    /// `sha256:1a2b3c4d5e6f` — the first 12 hex digits, as people quote digests.
    pub fn short_digest(&self) -> &str {
        short_digest(&self.digest)
    }

    /// `example:web-latest`, or `example@sha256:1a2b3c4d5e6f` when untagged.
    pub fn display_name(&self) -> String {
        match self.tags.first() {
            Some(tag) => format!("{}:{}", self.repository, tag),
            None => format!("{}@{}", self.repository, self.short_digest()),
        }
    }
}

/// The first 12 hex digits of a digest, with its algorithm prefix.
pub fn short_digest(digest: &str) -> &str {
    let prefix = digest.find(':').map_or(0, |i| i + 1);
    let end = (prefix + 12).min(digest.len());
    digest.get(..end).unwrap_or(digest)
}

/// How an image is named in a command: by tag or by digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImageId {
    Tag(String),
    /// `sha256:...`
    Digest(String),
}

/// An image named in a command: `TAG`, `REPO:TAG` or `REPO@sha256:DIGEST`.
/// `repository` is `None` when only a tag was given (the default repository applies).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageRef {
    pub repository: Option<String>,
    pub id: ImageId,
}

impl ImageRef {
    /// The same reference with the repository filled in from `default` when it named none.
    pub fn in_repository(&self, default: Option<&str>) -> Option<(String, ImageId)> {
        let repository = self.repository.as_deref().or(default)?;
        Some((repository.to_string(), self.id.clone()))
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(repository) = &self.repository {
            f.write_str(repository)?;
        }
        match (&self.repository, &self.id) {
            (Some(_), ImageId::Tag(tag)) => write!(f, ":{tag}"),
            (None, ImageId::Tag(tag)) => f.write_str(tag),
            (_, ImageId::Digest(digest)) => write!(f, "@{digest}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_digest_keeps_the_algorithm_and_twelve_digits() {
        assert_eq!(
            short_digest("sha256:1a2b3c4d5e6f7a8b9c0d"),
            "sha256:1a2b3c4d5e6f"
        );
        assert_eq!(short_digest("sha256:abc"), "sha256:abc");
    }

    #[test]
    fn untagged_images_are_named_by_short_digest() {
        let image = Image {
            repository: "example".into(),
            digest: "sha256:1a2b3c4d5e6f7a8b9c0d".into(),
            tags: vec![],
        };
        assert_eq!(image.display_name(), "example@sha256:1a2b3c4d5e6f");
    }
}
