use chrono::{TimeZone, Utc};
use url::Url;

use super::*;
use crate::http::sns::message::MessageType;
use crate::http::sns::testing::{
    AWS_CERT, AWS_MESSAGES, aws_cert, aws_fixture, aws_message, own_fixture, own_notification,
    sent_at, sign,
};

const AWS_CERT_URL: &str = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem";

/// Changes one byte (an ASCII character in the middle) of `s`.
fn tweak(s: &mut String) {
    let i = s.len() / 2;
    let new = if &s[i..=i] == "x" { "y" } else { "x" };
    s.replace_range(i..=i, new);
}

#[test]
fn every_genuine_aws_message_verifies_at_its_timestamp() {
    let cert = aws_cert();
    for name in AWS_MESSAGES {
        let msg = aws_message(name);
        assert_eq!(
            verify_signature(&msg, &cert, sent_at(&msg)),
            Ok(()),
            "{name}"
        );
    }
}

#[test]
fn every_genuine_aws_message_is_refused_after_a_one_byte_change_in_any_signed_field() {
    let cert = aws_cert();
    type Field = fn(&mut SnsMessage) -> Option<&mut String>;
    let fields: [(&str, Field); 7] = [
        ("Message", |m| Some(&mut m.message)),
        ("MessageId", |m| Some(&mut m.message_id)),
        ("Subject", |m| m.subject.as_mut()),
        ("Timestamp", |m| Some(&mut m.timestamp)),
        ("TopicArn", |m| Some(&mut m.topic_arn)),
        ("SubscribeURL", |m| m.subscribe_url.as_mut()),
        ("Token", |m| m.token.as_mut()),
    ];
    for name in AWS_MESSAGES {
        let original = aws_message(name);
        let now = sent_at(&original);
        for (field, get) in fields {
            let mut msg = original.clone();
            let Some(value) = get(&mut msg) else { continue };
            tweak(value);
            let got = verify_signature(&msg, &cert, now);
            assert_eq!(got, Err(VerifyError::BadSignature), "{name} {field}");
        }
        let mut msg = original.clone();
        tweak(&mut msg.signature);
        let got = verify_signature(&msg, &cert, now);
        assert_eq!(got, Err(VerifyError::BadSignature), "{name} Signature");
    }
}

#[test]
fn a_confirmation_passed_off_as_another_type_is_refused() {
    let mut msg = aws_message("test-unsubscribe-confirmation.json");
    msg.kind = MessageType::SubscriptionConfirmation;
    let got = verify_signature(&msg, &aws_cert(), sent_at(&msg));
    assert_eq!(got, Err(VerifyError::BadSignature));
}

#[test]
fn a_subject_added_to_a_notification_is_refused() {
    let mut msg = aws_message("test-notification-no-subject.json");
    msg.subject = Some(String::new());
    let got = verify_signature(&msg, &aws_cert(), sent_at(&msg));
    assert_eq!(got, Err(VerifyError::BadSignature));
}

#[test]
fn an_unknown_signature_version_is_refused() {
    for version in ["3", "0", "", "1 ", "SHA256"] {
        let mut msg = aws_message("test-notification-with-subject.json");
        msg.signature_version = version.into();
        let got = verify_signature(&msg, &aws_cert(), sent_at(&msg));
        assert_eq!(got, Err(VerifyError::UnsupportedVersion(version.into())));
    }
}

#[test]
fn a_version_one_signature_claimed_as_version_two_is_refused() {
    let mut msg = aws_message("test-notification-with-subject.json");
    msg.signature_version = "2".into();
    let got = verify_signature(&msg, &aws_cert(), sent_at(&msg));
    assert_eq!(got, Err(VerifyError::BadSignature));
}

#[test]
fn a_genuine_message_is_refused_once_the_certificate_has_expired() {
    let msg = aws_message("test-notification-signature-v2.json");
    let after = Utc.with_ymd_and_hms(2026, 10, 15, 0, 0, 0).unwrap();
    let before = Utc.with_ymd_and_hms(2025, 11, 9, 0, 0, 0).unwrap();
    for now in [after, before] {
        let got = verify_signature(&msg, &aws_cert(), now);
        assert_eq!(got.unwrap_err().reason(), "expired", "{now}");
    }
}

#[test]
fn the_aws_certificate_window_is_read_from_the_certificate() {
    let cert = aws_cert();
    assert_eq!(cert.not_before().to_rfc3339(), "2025-11-10T00:00:00+00:00");
    assert_eq!(cert.not_after().to_rfc3339(), "2026-10-14T23:59:59+00:00");
}

#[test]
fn a_message_signed_with_our_own_certificate_verifies_and_a_mismatched_key_does_not() {
    let cert = Certificate::from_pem(&own_fixture("signing-cert.pem")).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 3, 6, 20, 0, 0).unwrap();
    let mut msg = own_notification("arn:aws:sns:us-east-1:1:t", "http://127.0.0.1:9100/S.pem");
    assert_eq!(verify_signature(&msg, &cert, now), Ok(()));
    sign(&mut msg, "other-key.pem");
    assert_eq!(
        verify_signature(&msg, &cert, now),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        verify_signature(&msg, &aws_cert(), now),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn a_pem_body_with_two_certificates_or_junk_is_refused() {
    let one = aws_fixture(AWS_CERT);
    let ours = own_fixture("signing-cert.pem");
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("two certificates", [one.clone(), ours].concat()),
        ("junk", b"<html>hello</html>".to_vec()),
        ("empty", Vec::new()),
        ("junk before", [b"junk\n".to_vec(), one.clone()].concat()),
        ("junk after", [one.clone(), b"junk\n".to_vec()].concat()),
        ("a private key", own_fixture("signing-key.pem")),
    ];
    for (what, body) in bodies {
        let got = Certificate::from_pem(&body);
        assert!(
            matches!(got, Err(VerifyError::BadCertificate(_))),
            "{what}: {got:?}"
        );
    }
}

#[test]
fn the_genuine_certificate_url_is_accepted() {
    let url = check_cert_url(AWS_CERT_URL, None).unwrap();
    assert_eq!(cert_file_name(&url), Some(AWS_CERT));
    for ok in [
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-1.pem",
        "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-1.pem",
    ] {
        assert!(check_cert_url(ok, None).is_ok(), "{ok}");
    }
}

#[test]
fn every_bad_certificate_url_form_is_refused() {
    for bad in [
        "http://sns.us-west-2.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-1.pem",
        "https://evil.com/sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.evil.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sqs.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.us-east-1.amazonaws.com./SimpleNotificationService-1.pem",
        "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-1.pem",
        "https://user@sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://user:pw@sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem?x=1",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem?",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem#x",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem.txt",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1",
        "https://sns.us-east-1.amazonaws.com/.pem",
        "https://sns.us-east-1.amazonaws.com/a%2F..%2Fb.pem",
        "https://54.239.0.1/SimpleNotificationService-1.pem",
        "not a url",
    ] {
        let got = check_cert_url(bad, None);
        assert!(
            matches!(got, Err(VerifyError::BadCertUrl(_))),
            "{bad}: {got:?}"
        );
    }
}

#[test]
fn the_insecure_origin_is_accepted_only_for_its_exact_origin() {
    let origin = Url::parse("http://127.0.0.1:9100").unwrap();
    assert!(check_cert_url("http://127.0.0.1:9100/certs/Signer-1.pem", Some(&origin)).is_ok());
    assert!(check_cert_url(AWS_CERT_URL, Some(&origin)).is_ok());
    for bad in [
        "http://127.0.0.1:9101/Signer-1.pem",
        "http://127.0.0.1/Signer-1.pem",
        "https://127.0.0.1:9100/Signer-1.pem",
        "http://localhost:9100/Signer-1.pem",
        "http://127.0.0.2:9100/Signer-1.pem",
        "http://127.0.0.1:9100/Signer-1.txt",
        "http://127.0.0.1:9100/Signer-1.pem?x=1",
        "http://user@127.0.0.1:9100/Signer-1.pem",
        "http://127.0.0.1:9100/Signer-1.pem#x",
    ] {
        let got = check_cert_url(bad, Some(&origin));
        assert!(
            matches!(got, Err(VerifyError::BadCertUrl(_))),
            "{bad}: {got:?}"
        );
    }
}

#[test]
fn a_subscribe_url_must_be_on_the_certificate_sns_host_or_the_insecure_origin() {
    let cert_url = Url::parse(AWS_CERT_URL).unwrap();
    let genuine = aws_message("test-subscription-confirmation.json")
        .subscribe_url
        .unwrap();
    assert!(check_subscribe_url(&genuine, &cert_url, None).is_ok());
    let origin = Url::parse("http://127.0.0.1:9100").unwrap();
    let local = "http://127.0.0.1:9100/?Action=ConfirmSubscription&Token=t";
    assert!(check_subscribe_url(local, &cert_url, Some(&origin)).is_ok());
    let q = "?Action=ConfirmSubscription&Token=t";
    for bad in [
        format!("http://sns.us-west-2.amazonaws.com/{q}"),
        format!("https://sns.us-east-1.amazonaws.com/{q}"),
        format!("https://sns.us-west-2.amazonaws.com.evil.com/{q}"),
        format!("https://sns.us-west-2.amazonaws.com:444/{q}"),
        format!("https://u@sns.us-west-2.amazonaws.com/{q}"),
        format!("https://sns.us-west-2.amazonaws.com/other{q}"),
        format!("https://sns.us-west-2.amazonaws.com/{q}#x"),
        "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&Token=t".into(),
        "https://sns.us-west-2.amazonaws.com/?Token=t".into(),
        local.replace("9100", "9101"),
        local.into(),
    ] {
        let insecure = if bad == local { None } else { Some(&origin) };
        let got = check_subscribe_url(&bad, &cert_url, insecure);
        assert!(
            matches!(got, Err(VerifyError::BadSubscribeUrl(_))),
            "{bad}: {got:?}"
        );
    }
}

#[test]
fn a_genuine_message_is_fresh_from_its_timestamp_until_just_before_its_id_is_forgotten() {
    let msg = aws_message("test-notification-no-subject.json");
    let sent = sent_at(&msg);
    let seconds = chrono::Duration::seconds;
    for now in [
        sent,
        sent - seconds(MAX_CLOCK_SKEW_SECS),
        sent + seconds(MAX_AGE_SECS),
    ] {
        assert_eq!(check_fresh(&msg, now), Ok(()), "at {now}");
    }
    for now in [
        sent - seconds(MAX_CLOCK_SKEW_SECS + 1),
        sent + seconds(MAX_AGE_SECS + 1),
        sent + seconds(crate::jobs::RETENTION_SECS),
    ] {
        assert_eq!(
            check_fresh(&msg, now).map_err(|e| e.reason()),
            Err("stale"),
            "at {now}"
        );
    }
}

#[test]
fn a_message_without_a_readable_timestamp_is_refused() {
    let mut msg = aws_message("test-notification-no-subject.json");
    let now = sent_at(&msg);
    msg.timestamp = "2026-03-06 19:55".into();
    assert_eq!(
        check_fresh(&msg, now),
        Err(VerifyError::BadTimestamp("2026-03-06 19:55".into()))
    );
    let mut fields: serde_json::Value =
        serde_json::from_slice(&aws_fixture("test-notification-no-subject.json")).unwrap();
    fields.as_object_mut().unwrap().remove("Timestamp");
    let missing = SnsMessage::from_json(fields.to_string().as_bytes());
    assert_eq!(missing.map_err(|e| e.reason()), Err("malformed"));
}
