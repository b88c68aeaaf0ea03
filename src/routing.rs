//! Which channel hears about which image.

/// `repo` or `repo:tag`, with `*` globs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePattern(String);
