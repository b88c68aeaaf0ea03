//! Integration tests: one binary, each test against a freshly spawned ecrscan.

mod databases;
mod deploy;
mod doctor;
mod ecr_mock;
mod findings;
mod health;
mod helpers;
mod instances;
mod interactions;
mod logs;
mod manifest;
mod metrics;
mod moto;
mod now;
mod outbox;
mod preview;
mod process;
mod schedule_refusals;
mod schedules;
mod signatures;
mod slack_stub;
mod slash_commands;
mod sns;
mod sns_harness;
mod store;
mod subscriptions;
