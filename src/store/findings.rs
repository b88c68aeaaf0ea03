//! The rows of enhanced findings, as [`EnhancedFindings`](super::EnhancedFindings) takes
//! and gives them.

use crate::scan::inspector::{FindingEvent, FindingState};

/// One `Inspector2 Finding` event of an image, to stage.
#[derive(Debug, Clone, Copy)]
pub struct NewStagedFinding<'a> {
    pub repository: &'a str,
    pub digest: &'a str,
    /// The `findingArn`.
    pub arn: &'a str,
    /// The image's tags as the event gives them.
    pub tags: &'a [String],
    pub state: &'a FindingState,
}

impl<'a> From<&'a FindingEvent> for NewStagedFinding<'a> {
    fn from(event: &'a FindingEvent) -> Self {
        NewStagedFinding {
            repository: &event.image.repository,
            digest: &event.image.digest,
            arn: &event.arn,
            tags: &event.image.tags,
            state: &event.state,
        }
    }
}

/// A staged event, as a fold reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct StagedFinding {
    /// Grows with every event staged: a fold covers the ids up to the last it read.
    pub id: i64,
    pub arn: String,
    pub state: FindingState,
    pub tags: Vec<String>,
    /// Unix seconds.
    pub received_at: i64,
}

/// What a fold of an image's staged events leaves behind (see [`EnhancedFindings::save_fold`](super::EnhancedFindings::save_fold)).
#[derive(Debug, Clone, Copy)]
pub struct Fold<'a> {
    pub repository: &'a str,
    pub digest: &'a str,
    /// The last staged id the fold read: those up to it are done.
    pub upto: i64,
    /// Each finding's announced state: (findingArn, FindingState JSON).
    pub states: &'a [(String, String)],
    /// The job kind of the batch opened for events that arrived meanwhile.
    pub kind: &'a str,
    /// Unix seconds.
    pub now: i64,
    /// Seconds until that batch is due.
    pub window: i64,
}

/// How long the known findings of an image are kept after its last fold,
/// beyond the retention `prune` is given: 90 days.
pub const KNOWN_FINDINGS_KEPT_SECS: i64 = 90 * 24 * 3600;
