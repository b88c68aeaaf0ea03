//! ecrscan: a Slack-native bot for Amazon ECR image vulnerability scanning.

pub mod app;
pub mod aws;
pub mod config;
pub mod doctor;
pub mod error;
pub mod metrics;
pub mod preview;
pub mod publish;
pub mod routing;
pub mod scan;
pub mod schedule;
pub mod server;
pub mod slack;
pub mod sns;
pub mod store;
pub mod telemetry;
pub mod worker;
