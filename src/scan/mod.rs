//! The domain: images, findings, and what changed between scans.

pub mod burst;
pub mod diff;
pub mod events;
pub mod findings;
pub mod fold;
pub mod image;
pub mod inspector;
pub mod posture;
