//! `running [CLUSTER...]`: the ECS clusters to look in.

use super::quoted;

/// ECS's longest cluster name.
const MAX_CLUSTER_NAME: usize = 255;

/// `running [in] [CLUSTER...]`: `in` may come first, as after `schedule WHEN
/// running`, so that a cluster called `sync` is `running in sync`.
pub(super) fn listed(words: &[String]) -> Result<Vec<String>, String> {
    match words.split_first() {
        Some((word, [])) if word.eq_ignore_ascii_case("in") => {
            Err("`in` needs the clusters, e.g. `running in prod staging`".into())
        }
        Some((word, names)) if word.eq_ignore_ascii_case("in") => clusters(names),
        _ => clusters(words),
    }
}

/// Distinct cluster names, in the order given; none means every cluster. A
/// name is what ECS allows: 1 to 255 letters, digits, hyphens and underscores,
/// after the alias of a registry (`staging/batch`) when one is named.
pub(super) fn clusters(words: &[String]) -> Result<Vec<String>, String> {
    let mut clusters: Vec<String> = Vec::new();
    for word in words {
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        let alias_ok = |a: &str| {
            !a.is_empty()
                && (a.bytes()).all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        let name = match word.split_once('/') {
            Some((alias, name)) if alias_ok(alias) => name,
            _ => word.as_str(),
        };
        if name.is_empty() || name.len() > MAX_CLUSTER_NAME || !name.chars().all(allowed) {
            return Err(format!(
                "{} is not an ECS cluster name: those are 1 to {MAX_CLUSTER_NAME} letters, \
                 digits, hyphens and underscores (name the cluster, not its ARN)",
                quoted(&shortened(word))
            ));
        }
        if !clusters.contains(word) {
            clusters.push(word.clone());
        }
    }
    Ok(clusters)
}

/// The clusters of `running [in CLUSTER...]` after a `schedule WHEN`; `None`
/// when the words do not start with `running` (they name images). A tag
/// called `running` is written `REPO:running`.
pub(super) fn in_clusters(words: &[String]) -> Result<Option<Vec<String>>, String> {
    let Some((first, rest)) = words.split_first() else {
        return Ok(None);
    };
    if !first.eq_ignore_ascii_case("running") {
        return Ok(None);
    }
    match rest.split_first() {
        None => Ok(Some(Vec::new())),
        Some((word, [])) if word.eq_ignore_ascii_case("in") => {
            Err("`in` needs the clusters, e.g. `schedule weekly running in prod staging`".into())
        }
        Some((word, names)) if word.eq_ignore_ascii_case("in") => clusters(names).map(Some),
        Some((word, _)) => Err(format!(
            "{} is not `in`: write `schedule weekly running` for every cluster, or `schedule weekly running in CLUSTER...`",
            quoted(&shortened(word))
        )),
    }
}

/// The word, cut for the answer when it is far too long to be a name.
fn shortened(word: &str) -> String {
    match word.char_indices().nth(80) {
        Some((end, _)) => format!("{}…", &word[..end]),
        None => word.to_string(),
    }
}
