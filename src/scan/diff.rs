//! What changed between two scans of the same image tag.

use crate::scan::findings::Finding;

/// Findings that appeared, disappeared and stayed between two scans.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Changes {
    /// In the current scan only, most severe first.
    pub new: Vec<Finding>,
    /// In the previous scan only, most severe first.
    pub fixed: Vec<Finding>,
    pub unchanged: usize,
}

/// Compares `previous` with `current` by vulnerability id and package.
pub fn diff(previous: &[Finding], current: &[Finding]) -> Changes {
    let _ = (previous, current);
    unimplemented!("diff")
}
