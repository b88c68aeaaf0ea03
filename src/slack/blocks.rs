//! Block Kit rendering: pure functions from domain data to Slack messages.

use slack_morphism::prelude::*;

use crate::scan::diff::Changes;
use crate::scan::findings::ScanReport;
use crate::scan::image::Image;

/// A plain message: one section of mrkdwn, with the same text as fallback.
pub fn text(message: &str) -> SlackMessageContent {
    SlackMessageContent::new().with_text(message.to_string())
}

/// `/ecrscan help`: usage with examples.
pub fn help() -> SlackMessageContent {
    unimplemented!("help")
}

/// `/ecrscan findings`: the latest findings of one image.
pub fn findings(report: &ScanReport) -> SlackMessageContent {
    let _ = report;
    unimplemented!("findings")
}

/// The in-channel "scan started" message; results are threaded under it.
pub fn scan_started(image: &Image, user_id: &str) -> SlackMessageContent {
    let _ = (image, user_id);
    unimplemented!("scan started")
}

/// The summary of a finished scan, with what changed since the previous one.
pub fn summary(report: &ScanReport, changes: Option<&Changes>) -> SlackMessageContent {
    let _ = (report, changes);
    unimplemented!("summary")
}

/// Every finding, grouped by severity, over as many thread replies as needed.
pub fn details(report: &ScanReport) -> Vec<SlackMessageContent> {
    let _ = report;
    unimplemented!("details")
}
