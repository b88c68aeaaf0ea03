//! Image references as users type them: `TAG`, `REPO:TAG`, `REPO@sha256:DIGEST`,
//! `ALIAS/REPO:TAG`, and the URIs `docker` and the console show,
//! `123456789012.dkr.ecr.us-east-1.amazonaws.com/REPO:TAG`.

use super::quoted;
use crate::registry::ecr_host;
use crate::scan::image::{ImageId, ImageRef};

/// Parses one image reference, validated against ECR's rules for repository names,
/// tags and digests. The problem, when there is one, names the word. An ECR URI
/// keeps its host in front of the repository, for the use-case to resolve
/// ([`Registries::qualify`](crate::registry::Registries::qualify)).
pub fn parse_image(word: &str) -> Result<ImageRef, String> {
    check_plain(word)?;
    if let Some((host, rest)) = word.split_once('/')
        && host.contains(".dkr.ecr")
    {
        if ecr_host(host).is_none() {
            return Err(format!(
                "`{host}` is not an ECR registry host such as `123456789012.dkr.ecr.us-east-1.amazonaws.com`"
            ));
        }
        let image = parse_image(rest)?;
        let Some(repository) = image.repository else {
            return Err(format!(
                "`{word}` names no tag or digest; add `:TAG` or `@sha256:DIGEST`"
            ));
        };
        return Ok(ImageRef {
            repository: Some(format!("{host}/{repository}")),
            id: image.id,
        });
    }
    if let Some((repository, digest)) = word.split_once('@') {
        check_repository(word, repository)?;
        check_digest(digest)?;
        return Ok(ImageRef {
            repository: Some(repository.to_string()),
            id: ImageId::Digest(digest.to_string()),
        });
    }
    let (repository, tag) = match word.split_once(':') {
        Some((repository, tag)) => (Some(repository), tag),
        None => (None, word),
    };
    if repository == Some("sha256") && tag.len() == 64 {
        return Err(format!(
            "`{word}` is a digest without its repository; write `REPO@{word}`"
        ));
    }
    if let Some(repository) = repository {
        check_repository(word, repository)?;
    }
    check_tag(word, tag)?;
    Ok(ImageRef {
        repository: repository.map(str::to_string),
        id: ImageId::Tag(tag.to_string()),
    })
}

/// Refuses what Slack or a word processor makes of plain text: `<...>` links and
/// mentions, and quotes of any kind.
pub fn check_plain(word: &str) -> Result<(), String> {
    if word.starts_with('<') || word.ends_with('>') {
        return Err(format!(
            "{} is Slack link or mention formatting, not an image; type the image as plain text",
            quoted(word)
        ));
    }
    if word.contains(['“', '”', '‘', '’', '„', '«', '»', '"', '\'', '`']) {
        return Err(format!(
            "{} has quotes in it; type the image without quotes",
            quoted(word)
        ));
    }
    Ok(())
}

/// ECR's `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`, 2 to 256 characters.
fn check_repository(word: &str, repository: &str) -> Result<(), String> {
    if repository.is_empty() {
        return Err(format!(
            "`{word}` has no repository; write `REPO:TAG` or `REPO@sha256:DIGEST`"
        ));
    }
    if repository.contains(".dkr.ecr.") {
        return Err(format!(
            "`{word}` includes the registry host; name only the repository, e.g. `example:web-latest`"
        ));
    }
    if !(2..=256).contains(&repository.len()) {
        return Err(format!(
            "`{repository}` is not a repository name: those have 2 to 256 characters"
        ));
    }
    if repository.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "`{repository}` has capital letters; repository names are lowercase"
        ));
    }
    let component_ok = |component: &str| {
        component.split(['.', '_', '-']).all(|run| {
            !run.is_empty() && run.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9'))
        })
    };
    if !repository.split('/').all(component_ok) {
        return Err(format!(
            "`{repository}` is not a repository name: use lowercase letters and digits, separated by single `.`, `_`, `-` or `/`"
        ));
    }
    Ok(())
}

/// ECR's `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
fn check_tag(word: &str, tag: &str) -> Result<(), String> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
    let first_ok = tag
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    if tag.is_empty() {
        return Err(format!(
            "`{word}` has no tag; write `REPO:TAG`, e.g. `example:web-latest`"
        ));
    }
    if !first_ok || tag.len() > 128 || !tag.bytes().all(allowed) {
        return Err(format!(
            "`{tag}` is not a tag: up to 128 letters, digits, `.`, `_` and `-`, starting with a letter, digit or `_`"
        ));
    }
    Ok(())
}

/// `sha256:` and 64 lowercase hex digits.
fn check_digest(digest: &str) -> Result<(), String> {
    let hex = digest.strip_prefix("sha256:").unwrap_or_default();
    if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(format!(
            "`{digest}` is not a digest: write `sha256:` and 64 lowercase hex digits"
        ));
    }
    Ok(())
}
