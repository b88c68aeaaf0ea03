//! Everything Slack: request verification, the command language, handlers, Block Kit, the Web API client.

pub mod blocks;
pub mod command;
pub mod limits;
