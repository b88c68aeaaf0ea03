//! Slack's limits on a message, checked on the JSON Slack would receive.
//!
//! Slack refuses a whole message (`invalid_blocks`, `msg_too_long`) when one
//! part is too long, so every rendered message is checked here in tests.
//! Lengths are counted in characters, as Slack counts them.

use serde_json::Value;
use slack_morphism::prelude::*;

/// At most this many blocks in one message.
pub const MAX_BLOCKS: usize = 50;
/// Characters in a section's `text`, and in any other text object.
pub const MAX_SECTION_TEXT: usize = 3000;
/// Characters in one section field.
pub const MAX_FIELD_TEXT: usize = 2000;
/// Fields in one section.
pub const MAX_FIELDS: usize = 10;
/// Characters in a header's text.
pub const MAX_HEADER_TEXT: usize = 150;
/// Elements in one context block.
pub const MAX_CONTEXT_ELEMENTS: usize = 10;
/// Elements in one actions block.
pub const MAX_ACTIONS_ELEMENTS: usize = 25;
/// Characters in a button's text.
pub const MAX_BUTTON_TEXT: usize = 75;
/// Characters in an `action_id` or a `block_id`.
pub const MAX_ID: usize = 255;
/// Characters in a button's `value`.
pub const MAX_BUTTON_VALUE: usize = 2000;
/// Characters in the top-level `text` fallback.
pub const MAX_FALLBACK_TEXT: usize = 40_000;

/// Blocks in a view (the App Home, a modal).
pub const MAX_VIEW_BLOCKS: usize = 100;
/// Characters in a modal's title (and its close button).
pub const MAX_MODAL_TITLE: usize = 24;
/// Characters in a view's `private_metadata`.
pub const MAX_PRIVATE_METADATA: usize = 3000;

/// Every way `view` (Home or modal) breaks Slack's limits; empty when it fits.
pub fn check_view(view: &SlackView) -> Result<(), Vec<String>> {
    let json = serde_json::to_value(view).expect("a Slack view always serialises");
    let mut problems = Vec::new();
    if let Some(metadata) = json.get("private_metadata").and_then(Value::as_str) {
        at_most(
            &mut problems,
            "private_metadata",
            metadata,
            MAX_PRIVATE_METADATA,
        );
    }
    for part in ["title", "close", "submit"] {
        if let Some(text) = json.get(part) {
            text_object(&mut problems, part, text, MAX_MODAL_TITLE);
        }
    }
    check_blocks(&mut problems, &json, MAX_VIEW_BLOCKS, "view");
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Every way `content` breaks Slack's limits; empty when it fits.
pub fn check(content: &SlackMessageContent) -> Result<(), Vec<String>> {
    let json = serde_json::to_value(content).expect("a Slack message always serialises");
    let mut problems = Vec::new();

    match json.get("text").and_then(Value::as_str) {
        None => problems.push("the message has no `text` fallback".to_string()),
        Some(text) if text.trim().is_empty() => {
            problems.push("the `text` fallback is empty".to_string())
        }
        Some(text) => at_most(
            &mut problems,
            "the `text` fallback",
            text,
            MAX_FALLBACK_TEXT,
        ),
    }

    check_blocks(&mut problems, &json, MAX_BLOCKS, "message");

    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The `blocks` of a message or view: at most `max`, each within its limits.
fn check_blocks(problems: &mut Vec<String>, json: &Value, max: usize, what: &str) {
    let blocks = json.get("blocks").and_then(Value::as_array);
    let blocks = blocks.map(Vec::as_slice).unwrap_or_default();
    if blocks.len() > max {
        problems.push(format!(
            "the {what} has {} blocks; Slack allows {max}",
            blocks.len()
        ));
    }
    for (index, block) in blocks.iter().enumerate() {
        check_block(problems, index, block);
    }
}

fn check_block(problems: &mut Vec<String>, index: usize, block: &Value) {
    let kind = block.get("type").and_then(Value::as_str).unwrap_or("?");
    let name = format!("block {index} ({kind})");
    if let Some(id) = block.get("block_id").and_then(Value::as_str) {
        at_most(problems, &format!("{name}: block_id"), id, MAX_ID);
    }
    match kind {
        "section" => check_section(problems, &name, block),
        "header" => match block.get("text") {
            Some(text) if text.get("type").and_then(Value::as_str) == Some("plain_text") => {
                text_object(problems, &format!("{name}: text"), text, MAX_HEADER_TEXT)
            }
            _ => problems.push(format!("{name}: a header's text must be plain_text")),
        },
        "context" => {
            let elements = elements(problems, &name, block, MAX_CONTEXT_ELEMENTS);
            for (i, element) in elements.iter().enumerate() {
                if element.get("text").is_some() {
                    text_object(
                        problems,
                        &format!("{name}: element {i}"),
                        element,
                        MAX_SECTION_TEXT,
                    );
                }
            }
        }
        "actions" => {
            let elements = elements(problems, &name, block, MAX_ACTIONS_ELEMENTS);
            for (i, element) in elements.iter().enumerate() {
                check_button(problems, &format!("{name}: element {i}"), element);
            }
        }
        _ => {}
    }
}

fn check_section(problems: &mut Vec<String>, name: &str, block: &Value) {
    let text = block.get("text");
    let fields = block.get("fields").and_then(Value::as_array);
    if text.is_none() && fields.is_none() {
        problems.push(format!("{name}: a section needs `text` or `fields`"));
    }
    if let Some(text) = text {
        text_object(problems, &format!("{name}: text"), text, MAX_SECTION_TEXT);
    }
    if let Some(fields) = fields {
        if fields.len() > MAX_FIELDS {
            problems.push(format!(
                "{name}: {} fields; Slack allows {MAX_FIELDS}",
                fields.len()
            ));
        }
        for (i, field) in fields.iter().enumerate() {
            text_object(
                problems,
                &format!("{name}: field {i}"),
                field,
                MAX_FIELD_TEXT,
            );
        }
    }
    if let Some(accessory) = block.get("accessory") {
        check_button(problems, &format!("{name}: accessory"), accessory);
    }
}

/// A block's `elements`, reporting an empty or overlong list.
fn elements<'a>(
    problems: &mut Vec<String>,
    name: &str,
    block: &'a Value,
    max: usize,
) -> &'a [Value] {
    let elements = block.get("elements").and_then(Value::as_array);
    let elements = elements.map(Vec::as_slice).unwrap_or_default();
    if elements.is_empty() {
        problems.push(format!("{name}: no elements"));
    } else if elements.len() > max {
        problems.push(format!(
            "{name}: {} elements; Slack allows {max}",
            elements.len()
        ));
    }
    elements
}

fn check_button(problems: &mut Vec<String>, name: &str, element: &Value) {
    if element.get("type").and_then(Value::as_str) != Some("button") {
        return;
    }
    if let Some(text) = element.get("text") {
        text_object(
            problems,
            &format!("{name}: button text"),
            text,
            MAX_BUTTON_TEXT,
        );
    }
    if let Some(id) = element.get("action_id").and_then(Value::as_str) {
        at_most(problems, &format!("{name}: action_id"), id, MAX_ID);
    }
    if let Some(value) = element.get("value").and_then(Value::as_str) {
        at_most(problems, &format!("{name}: value"), value, MAX_BUTTON_VALUE);
    }
}

/// A text object (`{"type": "mrkdwn", "text": ...}`): present, not empty, not too long.
fn text_object(problems: &mut Vec<String>, name: &str, object: &Value, max: usize) {
    match object.get("text").and_then(Value::as_str) {
        Some("") | None => problems.push(format!("{name} is empty")),
        Some(text) => at_most(problems, name, text, max),
    }
}

fn at_most(problems: &mut Vec<String>, name: &str, text: &str, max: usize) {
    let chars = text.chars().count();
    if chars > max {
        problems.push(format!("{name} is {chars} characters; Slack allows {max}"));
    }
}

#[cfg(test)]
mod tests;
