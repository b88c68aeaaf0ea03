//! The App Home: every image ecrscan knows, worst first, with buttons to act on
//! each; and the modal of one image's findings.

use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;

use super::ButtonTarget;
use super::findings::findings;
use super::format::{code, context, counts_line, header, section, severity_word, time};
use super::summary::RESCAN_ACTION;
use crate::scan::findings::{ScanKind, ScanReport, Severity};
use crate::scan::posture::{Posture, worst_first};
use crate::slack::limits::MAX_VIEW_BLOCKS;
use crate::triage::Hidden;

/// `action_id` of a row's "Findings" button (opens them in a modal).
pub const HOME_FINDINGS_ACTION: &str = "home_findings";
/// `action_id` of a row's "Schedule weekly" button.
pub const SCHEDULE_WEEKLY_ACTION: &str = "schedule_weekly";
/// `action_id` of "Show more" (and "Back to the worst"); its value is the page.
pub const HOME_PAGE_ACTION: &str = "home_page";

/// Blocks of the head (header, totals, divider) and of the foot (paging).
const HEAD_BLOCKS: usize = 3;
const FOOT_BLOCKS: usize = 2;
/// Each image is a section and a row of buttons.
const ROW_BLOCKS: usize = 2;
/// Images on one page of the Home, within Slack's 100 blocks a view.
pub const HOME_ROWS_PER_PAGE: usize = (MAX_VIEW_BLOCKS - HEAD_BLOCKS - FOOT_BLOCKS) / ROW_BLOCKS;

/// The Home view of `postures` (any order: listed worst first), page `page`
/// (from 0) of [`HOME_ROWS_PER_PAGE`] images, as of `now`.
pub fn home(postures: &[Posture], page: usize, now: DateTime<Utc>) -> SlackView {
    let mut sorted = postures.to_vec();
    worst_first(&mut sorted);
    let pages = sorted.len().div_ceil(HOME_ROWS_PER_PAGE).max(1);
    let page = page.min(pages - 1);
    let mut blocks = head(&sorted);
    let shown = sorted
        .iter()
        .skip(page * HOME_ROWS_PER_PAGE)
        .take(HOME_ROWS_PER_PAGE);
    for posture in shown {
        blocks.push(section(row(posture, now)));
        blocks.extend(buttons(posture));
    }
    blocks.extend(foot(page, pages, sorted.len()));
    SlackView::Home(SlackHomeView::new(blocks))
}

/// The header and the totals; a hint when nothing is known yet.
fn head(postures: &[Posture]) -> Vec<SlackBlock> {
    let with = |s: Severity| postures.iter().filter(|p| p.count(s) > 0).count();
    let images = match postures.len() {
        1 => "1 image".to_string(),
        n => format!("{n} images"),
    };
    let totals = format!(
        "*{images}* · :red_circle: {} with critical findings · :large_orange_circle: {} with high findings",
        with(Severity::Critical),
        with(Severity::High)
    );
    let mut blocks = vec![header("Where every image stands"), section(totals)];
    if postures.is_empty() {
        blocks.push(context(
            "No scan results yet: they appear here once ECR reports a scan \
             (try `/ecrscan now TAG`)."
                .into(),
        ));
    } else {
        blocks.push(SlackDividerBlock::new().into());
    }
    blocks
}

/// One image: name and counts; change; last scan, next scan and thread.
fn row(p: &Posture, now: DateTime<Utc>) -> String {
    let counts = match p.counts.is_empty() {
        true => ":white_check_mark: no findings".to_string(),
        false => counts_line(&p.counts),
    };
    let change = match &p.change {
        None => "first result".to_string(),
        Some(change) if change.is_empty() => "no change since the previous result".to_string(),
        Some(change) => change
            .iter()
            .map(|(s, d)| {
                let arrow = if *d > 0 { "↑" } else { "↓" };
                format!("{arrow} {} {}", d.unsigned_abs(), severity_word(*s))
            })
            .collect::<Vec<_>>()
            .join(", "),
    };
    let kind = match p.kind {
        ScanKind::Basic => "basic scan",
        ScanKind::Enhanced => "enhanced scan (continuous)",
    };
    let mut when = format!("last scanned {} · {kind}", time(Some(p.scanned_at)));
    if let Some(next) = p.next_scan.filter(|next| *next > now) {
        when.push_str(&format!(" · next scan {}", time(Some(next))));
    }
    if let Some(link) = p.thread.as_ref().and_then(|(c, ts)| permalink(c, ts)) {
        when.push_str(&format!(" · <{link}|thread>"));
    }
    format!(
        "*{}* {counts}\n{change}\n{when}",
        code(&p.image.display_name(), 300)
    )
}

/// The row's buttons: Rescan (basic scanning only), Findings, Schedule weekly.
fn buttons(p: &Posture) -> Option<SlackBlock> {
    let value = ButtonTarget::of(&p.image).to_value()?;
    let button = |text: &str, action: &str| -> SlackActionBlockElement {
        SlackBlockButtonElement::new(pt!(text.to_string()))
            .with_action_id(action.to_string().into())
            .with_value(value.clone())
            .into()
    };
    let mut elements = vec![
        button("Findings", HOME_FINDINGS_ACTION),
        button("Schedule weekly", SCHEDULE_WEEKLY_ACTION),
    ];
    if p.kind == ScanKind::Basic {
        elements.insert(0, button("Rescan", RESCAN_ACTION));
    }
    Some(SlackActionsBlock::new(elements).into())
}

/// "Showing 46–90 of 300" and the paging buttons, when there is more than a page.
fn foot(page: usize, pages: usize, images: usize) -> Vec<SlackBlock> {
    if pages < 2 {
        return Vec::new();
    }
    let first = page * HOME_ROWS_PER_PAGE + 1;
    let last = ((page + 1) * HOME_ROWS_PER_PAGE).min(images);
    let button = |text: &str, to: usize| -> SlackActionBlockElement {
        SlackBlockButtonElement::new(pt!(text.to_string()))
            .with_action_id(format!("{HOME_PAGE_ACTION}_{to}").into())
            .with_value(to.to_string())
            .into()
    };
    let mut elements = Vec::new();
    if page + 1 < pages {
        elements.push(button("Show more", page + 1));
    }
    if page > 0 {
        elements.push(button("Back to the worst", 0));
    }
    vec![
        context(format!(
            "Showing {first}–{last} of {images} images, worst first."
        )),
        SlackActionsBlock::new(elements).into(),
    ]
}

/// A link to a message in a channel, when `channel` and `ts` look like Slack's.
fn permalink(channel: &str, ts: &str) -> Option<String> {
    let channel_ok = channel.starts_with(['C', 'G', 'D'])
        && (2..=32).contains(&channel.len())
        && channel
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let (secs, micros) = ts.split_once('.')?;
    let ts_ok = [secs, micros]
        .iter()
        .all(|p| !p.is_empty() && p.len() <= 10 && p.bytes().all(|b| b.is_ascii_digit()));
    (channel_ok && ts_ok).then(|| format!("https://slack.com/archives/{channel}/p{secs}{micros}"))
}

/// The modal of one image's latest stored findings, as `/ecrscan findings` shows them.
pub fn findings_modal(report: &ScanReport, hidden: &[Hidden]) -> SlackView {
    let content = findings(report, hidden);
    let blocks = content.blocks.unwrap_or_default();
    SlackView::Modal(SlackModalView::new(pt!("Findings"), blocks).with_close(pt!("Close")))
}

/// The modal shown when ecrscan has no findings stored for the image.
pub fn no_findings_modal(image: &str) -> SlackView {
    let text = format!("No scan result of {} is stored yet.", code(image, 300));
    SlackView::Modal(
        SlackModalView::new(pt!("Findings"), vec![section(text)]).with_close(pt!("Close")),
    )
}

#[cfg(test)]
mod tests;
