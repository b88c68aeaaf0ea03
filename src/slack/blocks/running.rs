//! `/ecrscan running`: the images ECS tasks run now, where, and their latest
//! result; the images of other registries apart.

use slack_morphism::prelude::*;

use super::format::{
    code, context, counts_line, escape_within, header, message, pack, plural, section, time,
};
use crate::running::{OtherImage, Place, Running, RunningImage};
use crate::scan::image::short_digest;
use crate::scan::posture::Posture;
use crate::slack::limits::MAX_SECTION_TEXT;

/// The most ECR images one answer shows (each with its latest result).
pub const MAX_RUNNING_SHOWN: usize = 40;
/// The most images of other registries one answer shows.
const MAX_OTHERS_SHOWN: usize = 30;
/// Sections for the ECR images, and for the others: with the headers and
/// context lines, within Slack's 50 blocks however long each entry is.
const MAX_IMAGE_SECTIONS: usize = 30;
const MAX_OTHER_SECTIONS: usize = 12;
/// The most places shown for one image, and tags.
const MAX_PLACES_SHOWN: usize = 5;
const MAX_TAGS_SHOWN: usize = 5;

/// What runs in `asked` (every cluster when empty): the first ECR images (at
/// most [`MAX_RUNNING_SHOWN`], as many as fit), `latest[i]` being the latest
/// stored result of `found.images[i]`; then the others, apart. Images beyond
/// `latest` are counted, not shown.
pub fn running(
    asked: &[String],
    found: &Running,
    latest: &[Option<Posture>],
) -> SlackMessageContent {
    let scope = scope(asked);
    if found.images.is_empty() && found.others.is_empty() {
        return super::text(&format!(":zzz: No ECS task runs now in {scope}."));
    }
    let tasks: usize = found.images.iter().map(RunningImage::tasks).sum();
    let mut blocks = vec![
        header("What ECS runs now"),
        context(format!(
            "{} from Amazon ECR in {scope}, by the digest each task runs · {} in all",
            images_count(found.images.len()),
            tasks_count(tasks)
        )),
    ];
    let shown = found.images.iter().zip(latest).take(MAX_RUNNING_SHOWN);
    let entries = shown.map(|(image, latest)| entry(image, latest.as_ref()));
    let (sections, shown) = fit(entries, MAX_IMAGE_SECTIONS);
    blocks.extend(sections.into_iter().map(section));
    let more = found.images.len() - shown;
    if more > 0 {
        blocks.push(context(format!(
            "…and {} not shown: name fewer clusters to see them.",
            plural_more(more, "image")
        )));
    }
    if !found.images.is_empty() {
        blocks.push(context(
            "`/ecrscan now REPO@sha256:DIGEST` scans an image of ecrscan's registry that \
             has no result yet."
                .into(),
        ));
    }
    blocks.extend(others(&found.others));
    let fallback = format!(
        "{} from Amazon ECR run in {scope}; {} from other registries",
        images_count(found.images.len()),
        images_count(found.others.len())
    );
    message(fallback, blocks)
}

/// `every cluster`, or `` clusters `prod`, `staging` ``.
fn scope(asked: &[String]) -> String {
    let names: Vec<String> = asked.iter().take(10).map(|c| code(c, 100)).collect();
    let more = match asked.len().saturating_sub(names.len()) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    match asked {
        [] => "every cluster".to_string(),
        [_] => format!("cluster {}{more}", names[0]),
        _ => format!("clusters {}{more}", names.join(", ")),
    }
}

/// An image: its name, tags and registry; where it runs; its latest result.
fn entry(image: &RunningImage, latest: Option<&Posture>) -> String {
    let name = match &image.digest {
        Some(digest) => format!("{}@{}", image.repository, short_digest(digest)),
        None => format!("{}:{}", image.repository, image.tags.join(",")),
    };
    let mut head = format!("*{}*", code(&name, 320));
    if image.digest.is_some() && !image.tags.is_empty() {
        let tags: Vec<String> = (image.tags.iter().take(MAX_TAGS_SHOWN))
            .map(|t| code(t, 130))
            .collect();
        head.push_str(&format!(" {}", tags.join(", ")));
        if image.tags.len() > MAX_TAGS_SHOWN {
            head.push_str(&format!(" +{} more", image.tags.len() - MAX_TAGS_SHOWN));
        }
    }
    head.push_str(&format!(
        " · {} {}",
        escape_within(&image.account, 20),
        escape_within(&image.region, 30)
    ));
    let mut lines = vec![head];
    lines.extend(places(&image.places));
    lines.push(match (latest, &image.digest) {
        (Some(p), _) => result(p),
        (None, Some(_)) => "_no result stored yet_".to_string(),
        (None, None) => "_ECS did not report the digest this task runs_".to_string(),
    });
    lines.join("\n")
}

/// `:red_circle: 1 critical · … · basic scan of <date>`.
fn result(p: &Posture) -> String {
    let counts = match p.counts.is_empty() {
        true => ":white_check_mark: no findings".to_string(),
        false => counts_line(&p.counts),
    };
    format!("{counts} · last scanned {}", time(Some(p.scanned_at)))
}

/// `• prod/web · 3 tasks`, `• prod · 2 standalone tasks`, at most
/// [`MAX_PLACES_SHOWN`] and a count of the rest.
fn places(places: &[Place]) -> Vec<String> {
    let mut lines: Vec<String> = (places.iter().take(MAX_PLACES_SHOWN))
        .map(|p| format!("• {}", place(p)))
        .collect();
    if places.len() > MAX_PLACES_SHOWN {
        let rest = &places[MAX_PLACES_SHOWN..];
        let tasks = rest.iter().map(|p| p.tasks).sum();
        lines.push(format!(
            "• …and {}, {}",
            plural_more(rest.len(), "place"),
            tasks_count(tasks)
        ));
    }
    lines
}

fn place(p: &Place) -> String {
    let cluster = escape_within(&p.cluster, 100);
    match &p.service {
        Some(service) => format!(
            "{cluster}/{} · {}",
            escape_within(service, 100),
            tasks_count(p.tasks)
        ),
        None => format!("{cluster} · {}", plural(p.tasks, "standalone task")),
    }
}

/// The images of other registries, under their own header.
fn others(others: &[OtherImage]) -> Vec<SlackBlock> {
    if others.is_empty() {
        return Vec::new();
    }
    let mut blocks = vec![
        header("Not scannable here"),
        context(
            "Images from other registries (Docker Hub, public ECR, …): ecrscan scans \
             images in Amazon ECR only."
                .into(),
        ),
    ];
    let entries = (others.iter().take(MAX_OTHERS_SHOWN)).map(|o| {
        let mut lines = vec![format!("*{}*", code(&o.image, 300))];
        lines.extend(places(&o.places));
        lines.join("\n")
    });
    let (sections, shown) = fit(entries, MAX_OTHER_SECTIONS);
    blocks.extend(sections.into_iter().map(section));
    if others.len() > shown {
        blocks.push(context(format!(
            "…and {} not shown.",
            plural_more(others.len() - shown, "image")
        )));
    }
    blocks
}

/// As many whole `entries` as fit in `max` sections, packed; and how many.
fn fit(entries: impl IntoIterator<Item = String>, max: usize) -> (Vec<String>, usize) {
    let mut shown: Vec<String> = Vec::new();
    for entry in entries {
        shown.push(entry);
        if pack(shown.iter().cloned(), MAX_SECTION_TEXT).len() > max {
            shown.pop();
            break;
        }
    }
    let count = shown.len();
    (pack(shown, MAX_SECTION_TEXT), count)
}

fn images_count(n: usize) -> String {
    plural(n, "image")
}

fn tasks_count(n: usize) -> String {
    plural(n, "task")
}

/// `1 image`, `2 images`.
/// `1 more image`, `2 more images`.
fn plural_more(n: usize, noun: &str) -> String {
    plural(n, &format!("more {noun}"))
}

#[cfg(test)]
mod tests;
