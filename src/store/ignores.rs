//! Ignores: findings left out of the announcements for a while, on the record.

use async_trait::async_trait;

use crate::triage::Ignore;

/// An ignore to store.
#[derive(Debug, Clone, Copy)]
pub struct NewIgnore<'a> {
    pub vulnerability: &'a str,
    /// An image pattern, or `""` for every image.
    pub scope: &'a str,
    /// Unix seconds; `None` for "until fixed".
    pub until_at: Option<i64>,
    pub reason: &'a str,
    pub created_by: &'a str,
    pub channel: &'a str,
    /// Unix seconds.
    pub created_at: i64,
}

/// Why an ignore ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Its date passed.
    Expired,
    /// A result showed a fixed version (an `until fixed` ignore).
    Fixed,
    /// `unignore`.
    Removed,
    /// A new ignore of the same vulnerability and scope took its place.
    Replaced,
}

impl Ended {
    pub fn as_str(self) -> &'static str {
        match self {
            Ended::Expired => "expired",
            Ended::Fixed => "fixed",
            Ended::Removed => "removed",
            Ended::Replaced => "replaced",
        }
    }

    pub fn parse(stored: &str) -> Option<Ended> {
        [
            Ended::Expired,
            Ended::Fixed,
            Ended::Removed,
            Ended::Replaced,
        ]
        .into_iter()
        .find(|why| why.as_str() == stored)
    }
}

/// The ignores, and the jobs that announce their end.
#[async_trait]
pub trait Ignores: Send + Sync {
    /// Stores an ignore; an active one of the same vulnerability and scope is
    /// replaced. Returns the new ignore's id, and whether it replaced one.
    async fn add_ignore(&self, ignore: &NewIgnore<'_>) -> anyhow::Result<(i64, bool)>;

    /// Ends the active ignore of `vulnerability` in `scope` (`""`: every
    /// image) as removed at `now`; `false` when there was none.
    async fn remove_ignore(
        &self,
        vulnerability: &str,
        scope: &str,
        now: i64,
    ) -> anyhow::Result<bool>;

    /// The ignores in force at `now` (not ended, not past their date), by
    /// vulnerability then scope.
    async fn active_ignores(&self, now: i64) -> anyhow::Result<Vec<Ignore>>;

    /// Ends, at `now`, every active ignore whose date is `now` or earlier
    /// (expired), and the active ones among `fixed` (fixed). Each gets a job of
    /// kind `kind`, payload `{"ignore": id}`, due at once, in the same
    /// transaction. Returns the ids it ended.
    async fn end_ignores(&self, now: i64, fixed: &[i64], kind: &str) -> anyhow::Result<Vec<i64>>;

    /// An ignore by id, ended or not, with why it ended.
    async fn ignore(&self, id: i64) -> anyhow::Result<Option<(Ignore, Option<Ended>)>>;
}
