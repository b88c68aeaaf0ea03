use super::*;

fn message(blocks: Vec<SlackBlock>) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text("fallback".into())
        .with_blocks(blocks)
}

fn section(text: &str) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(md!(text.to_string()))
        .into()
}

fn problems(content: &SlackMessageContent) -> Vec<String> {
    check(content).expect_err("the message should break a limit")
}

fn button(text: &str, action_id: &str, value: &str) -> SlackActionBlockElement {
    SlackBlockButtonElement::new(pt!(text.to_string()))
        .with_action_id(action_id.to_string().into())
        .with_value(value.to_string())
        .into()
}

#[test]
fn a_message_within_every_limit_passes() {
    let content = message(vec![
        SlackHeaderBlock::new(pt!("example:web-latest")).into(),
        section(&"x".repeat(MAX_SECTION_TEXT)),
        SlackContextBlock::new(vec![md!("context")]).into(),
        SlackActionsBlock::new(vec![button("Rescan", "rescan", "{}")]).into(),
    ]);

    assert_eq!(check(&content), Ok(()));
}

#[test]
fn a_message_without_a_fallback_text_is_reported() {
    let content = SlackMessageContent::new().with_blocks(vec![section("hi")]);
    let empty = SlackMessageContent::new().with_text("  ".into());

    assert!(problems(&content)[0].contains("no `text` fallback"));
    assert!(problems(&empty)[0].contains("empty"));
}

#[test]
fn a_fallback_text_over_forty_thousand_characters_is_reported() {
    let content = SlackMessageContent::new().with_text("é".repeat(MAX_FALLBACK_TEXT + 1));

    assert_eq!(
        problems(&content),
        ["the `text` fallback is 40001 characters; Slack allows 40000"]
    );
}

#[test]
fn fifty_one_blocks_are_one_too_many() {
    let content = message((0..51).map(|_| SlackDividerBlock::new().into()).collect());

    assert_eq!(
        problems(&content),
        ["the message has 51 blocks; Slack allows 50"]
    );
}

#[test]
fn an_overlong_section_text_is_reported_with_its_block_index() {
    let content = message(vec![section("ok"), section(&"x".repeat(3001))]);

    assert_eq!(
        problems(&content),
        ["block 1 (section): text is 3001 characters; Slack allows 3000"]
    );
}

#[test]
fn characters_are_counted_not_bytes() {
    let content = message(vec![section(&"🔴".repeat(MAX_SECTION_TEXT))]);

    assert_eq!(check(&content), Ok(()));
}

#[test]
fn section_fields_are_limited_in_number_and_length() {
    let fields: Vec<SlackBlockText> = (0..11).map(|_| md!("f")).collect();
    let long_field = vec![md!("y".repeat(2001))];
    let content = message(vec![
        SlackSectionBlock::new().with_fields(fields).into(),
        SlackSectionBlock::new().with_fields(long_field).into(),
    ]);

    assert_eq!(
        problems(&content),
        [
            "block 0 (section): 11 fields; Slack allows 10",
            "block 1 (section): field 0 is 2001 characters; Slack allows 2000"
        ]
    );
}

#[test]
fn a_header_must_be_short_plain_text() {
    let content = message(vec![SlackHeaderBlock::new(pt!("h".repeat(151))).into()]);

    assert_eq!(
        problems(&content),
        ["block 0 (header): text is 151 characters; Slack allows 150"]
    );
}

#[test]
fn context_and_actions_blocks_are_limited_in_elements() {
    let context: Vec<SlackContextBlockElement> = (0..11).map(|_| md!("c")).collect();
    let actions = (0..26)
        .map(|i| button("b", &format!("a{i}"), "v"))
        .collect();
    let content = message(vec![
        SlackContextBlock::new(context).into(),
        SlackActionsBlock::new(actions).into(),
    ]);

    assert_eq!(
        problems(&content),
        [
            "block 0 (context): 11 elements; Slack allows 10",
            "block 1 (actions): 26 elements; Slack allows 25"
        ]
    );
}

#[test]
fn button_text_action_id_and_value_are_limited() {
    let long = button(&"t".repeat(76), &"a".repeat(256), &"v".repeat(2001));
    let content = message(vec![SlackActionsBlock::new(vec![long]).into()]);

    assert_eq!(
        problems(&content),
        [
            "block 0 (actions): element 0: button text is 76 characters; Slack allows 75",
            "block 0 (actions): element 0: action_id is 256 characters; Slack allows 255",
            "block 0 (actions): element 0: value is 2001 characters; Slack allows 2000"
        ]
    );
}

#[test]
fn an_overlong_block_id_is_reported() {
    let block = SlackDividerBlock::new().with_block_id("b".repeat(256).into());

    assert_eq!(
        problems(&message(vec![block.into()])),
        ["block 0 (divider): block_id is 256 characters; Slack allows 255"]
    );
}

#[test]
fn empty_texts_and_empty_sections_are_reported() {
    let content = message(vec![section(""), SlackSectionBlock::new().into()]);

    assert_eq!(
        problems(&content),
        [
            "block 0 (section): text is empty",
            "block 1 (section): a section needs `text` or `fields`"
        ]
    );
}

#[test]
fn a_header_in_mrkdwn_is_reported() {
    let header = serde_json::json!({"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}});
    let content = message(vec![SlackBlock::Unknown(header)]);

    assert_eq!(
        problems(&content),
        ["block 0 (header): a header's text must be plain_text"]
    );
}
