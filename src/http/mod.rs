//! The doors: every HTTP route ecrscan serves. Each surface verifies and decodes
//! its requests, then calls a use-case (`service`); none holds business logic.

pub mod error;
pub mod health;
pub mod server;
pub mod slack;
pub mod sns;

/// The largest request body accepted anywhere.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
