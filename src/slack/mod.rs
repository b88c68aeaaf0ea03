//! Talking to Slack: the Web API client, Block Kit rendering, and Slack's limits.
//! (Requests from Slack come in through `http::slack`.)

pub mod blocks;
pub mod client;
pub mod limits;
pub mod pace;
