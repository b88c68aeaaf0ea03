//! ecrscan: a Slack-native bot for Amazon ECR image vulnerability scanning.
//!
//! Dependencies flow one way: the doors (`http`) call the use-cases (`service`),
//! which use the domain (`scan`, `registry`, `routing`, `running`, `schedule`,
//! `triage`, `language`) and the ports (`aws`, `slack`, `store`, `metrics`).
//! `startup` wires them together.

// Composition.
pub mod config;
pub mod startup;
pub mod state;
pub mod telemetry;

// Doors, use-cases and the jobs between them.
pub mod http;
pub mod jobs;
pub mod service;

// Domain: pure functions and data.
pub mod language;
pub mod registry;
pub mod routing;
pub mod running;
pub mod scan;
pub mod schedule;
pub mod triage;

// Ports and adapters.
pub mod aws;
pub mod metrics;
pub mod slack;
pub mod store;

// Tools on the command line.
pub mod doctor;
pub mod preview;
