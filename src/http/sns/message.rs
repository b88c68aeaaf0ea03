//! SNS messages as they arrive on the HTTPS subscription, and the string AWS signs.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::VerifyError;

/// The kind of an SNS message (its `Type` field and `x-amz-sns-message-type` header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MessageType {
    SubscriptionConfirmation,
    Notification,
    UnsubscribeConfirmation,
}

impl MessageType {
    /// The name SNS uses, as in the `Type` field.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::SubscriptionConfirmation => "SubscriptionConfirmation",
            MessageType::Notification => "Notification",
            MessageType::UnsubscribeConfirmation => "UnsubscribeConfirmation",
        }
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One SNS message, field for field as SNS posts it.
///
/// Every signed value is kept as the exact string received (the timestamp too),
/// because the signature covers those bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SnsMessage {
    #[serde(rename = "Type")]
    pub kind: MessageType,
    pub message_id: String,
    /// Confirmations only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub topic_arn: String,
    /// Notifications only, and only when the publisher gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub message: String,
    /// Confirmations only: GET it to confirm the subscription.
    #[serde(
        rename = "SubscribeURL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub subscribe_url: Option<String>,
    /// Notifications only.
    #[serde(
        rename = "UnsubscribeURL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub unsubscribe_url: Option<String>,
    /// ISO 8601, e.g. `2026-03-06T19:55:38.903Z`.
    pub timestamp: String,
    /// `1` (SHA1withRSA) or `2` (SHA256withRSA).
    pub signature_version: String,
    /// Base64 of the RSA signature over [`SnsMessage::string_to_sign`].
    pub signature: String,
    #[serde(rename = "SigningCertURL")]
    pub signing_cert_url: String,
}

impl SnsMessage {
    /// Parses a message body; a body that is not an SNS message is `Malformed`.
    pub fn from_json(body: &[u8]) -> Result<Self, VerifyError> {
        serde_json::from_slice(body).map_err(|e| VerifyError::Malformed(e.to_string()))
    }

    /// The string SNS signed, built as AWS specifies: for a notification
    /// `Message`, `MessageId`, `Subject` (only when present), `Timestamp`,
    /// `TopicArn`, `Type`; for a confirmation `Message`, `MessageId`,
    /// `SubscribeURL`, `Timestamp`, `Token`, `TopicArn`, `Type`; each as
    /// `Key\nValue\n`.
    pub fn string_to_sign(&self) -> Result<String, VerifyError> {
        let mut fields: Vec<(&str, &str)> = vec![("Message", &self.message)];
        fields.push(("MessageId", &self.message_id));
        match self.kind {
            MessageType::Notification => {
                if let Some(subject) = &self.subject {
                    fields.push(("Subject", subject));
                }
                fields.push(("Timestamp", &self.timestamp));
            }
            MessageType::SubscriptionConfirmation | MessageType::UnsubscribeConfirmation => {
                let url = self.subscribe_url.as_deref();
                fields.push((
                    "SubscribeURL",
                    url.ok_or(VerifyError::MissingField("SubscribeURL"))?,
                ));
                fields.push(("Timestamp", &self.timestamp));
                let token = self.token.as_deref();
                fields.push(("Token", token.ok_or(VerifyError::MissingField("Token"))?));
            }
        }
        fields.push(("TopicArn", &self.topic_arn));
        fields.push(("Type", self.kind.as_str()));
        Ok(fields.iter().map(|(k, v)| format!("{k}\n{v}\n")).collect())
    }

    /// The `Timestamp` as a time, when it parses.
    pub fn timestamp(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.timestamp)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::sns::testing::aws_message;

    #[test]
    fn a_notification_without_subject_signs_five_fields_in_order() {
        let msg = aws_message("test-notification-no-subject.json");
        assert_eq!(
            msg.string_to_sign().unwrap(),
            "Message\nThis notification has no subject.\n\
             MessageId\nc0e5a280-53c9-5a98-93bb-c0a560b3d192\n\
             Timestamp\n2026-03-06T19:55:38.903Z\n\
             TopicArn\narn:aws:sns:us-west-2:131990247566:dongie-standard-topic\n\
             Type\nNotification\n"
        );
    }

    #[test]
    fn a_notification_with_subject_signs_the_subject_after_the_message_id() {
        let sts = aws_message("test-notification-with-subject.json")
            .string_to_sign()
            .unwrap();
        assert!(sts.contains("MessageId\n26858270-545e-5848-82a2-e05566af3dcf\nSubject\nMy message subject\nTimestamp\n"));
    }

    #[test]
    fn a_confirmation_signs_subscribe_url_and_token_in_order() {
        let msg = aws_message("test-subscription-confirmation.json");
        let expected = format!(
            "Message\n{}\nMessageId\n{}\nSubscribeURL\n{}\nTimestamp\n{}\nToken\n{}\nTopicArn\n{}\nType\nSubscriptionConfirmation\n",
            msg.message,
            msg.message_id,
            msg.subscribe_url.as_deref().unwrap(),
            msg.timestamp,
            msg.token.as_deref().unwrap(),
            msg.topic_arn,
        );
        assert_eq!(msg.string_to_sign().unwrap(), expected);
    }

    #[test]
    fn a_body_with_a_field_twice_is_malformed() {
        let body = String::from_utf8(crate::http::sns::testing::aws_fixture(
            "test-notification-no-subject.json",
        ))
        .unwrap();
        let twice = body.replacen("{", r#"{"Message":"other","#, 1);
        assert!(matches!(
            SnsMessage::from_json(twice.as_bytes()),
            Err(VerifyError::Malformed(_))
        ));
    }

    #[test]
    fn a_confirmation_without_token_cannot_be_signed() {
        let mut msg = aws_message("test-unsubscribe-confirmation.json");
        msg.token = None;
        assert!(matches!(
            msg.string_to_sign(),
            Err(VerifyError::MissingField("Token"))
        ));
    }

    #[test]
    fn an_unknown_type_is_malformed() {
        let body = br#"{"Type":"Gossip","MessageId":"1","TopicArn":"t","Message":"m","Timestamp":"x","SignatureVersion":"1","Signature":"s","SigningCertURL":"u"}"#;
        assert!(matches!(
            SnsMessage::from_json(body),
            Err(VerifyError::Malformed(_))
        ));
    }

    #[test]
    fn the_timestamp_parses_as_utc() {
        let msg = aws_message("test-notification-signature-v2.json");
        assert_eq!(
            msg.timestamp().unwrap().to_rfc3339(),
            "2026-03-06T20:00:26.893+00:00"
        );
    }
}
