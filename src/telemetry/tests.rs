use std::sync::{Arc, Mutex};

use super::*;

/// What the text format writes, kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The text log of what `f` logs.
fn text_log(f: impl FnOnce()) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = text(EnvFilter::new("info"), move || writer.clone(), false);
    tracing::subscriber::with_default(subscriber, f);
    String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
}

/// What tracing-subscriber's own text format writes of `f`.
fn default_log(f: impl FnOnce()) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
}

const FORGED: &str = "arn:aws:sns:x\n2026-01-01T00:00:00Z  INFO forged\x1b[31m\r\u{2028}red";

fn assert_one_line(log: &str) {
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(!log.contains('\x1b') && !log.contains('\r'), "{log:?}");
    assert!(!log.contains('\u{2028}'), "{log:?}");
    assert!(log.ends_with('\n'), "{log:?}");
}

#[test]
fn a_displayed_value_with_a_newline_or_esc_stays_on_its_line() {
    let log = text_log(|| {
        let error = format!("topic {FORGED} is not accepted");
        tracing::warn!(topic = %FORGED, %error, "refused an SNS message");
    });
    assert_one_line(&log);
    assert!(
        log.contains(r"topic=arn:aws:sns:x\n2026-01-01T00:00:00Z  INFO forged\u{1b}[31m\r"),
        "{log}"
    );
    assert!(log.contains("refused an SNS message"), "{log}");
}

#[test]
fn a_message_a_span_field_and_a_debug_value_are_escaped_too() {
    let log = text_log(|| {
        let span = tracing::info_span!("command", user = %FORGED, text = FORGED);
        let _entered = span.enter();
        tracing::info!(url = ?FORGED, "answering {FORGED}");
    });
    assert_one_line(&log);
    assert!(log.contains("command{user=arn:aws:sns:x\\n"), "{log}");
    assert!(log.contains(r#"text="arn:aws:sns:x\n"#), "{log}");
}

#[test]
fn plain_fields_read_as_they_always_did() {
    let event = || {
        let span = tracing::info_span!("job", id = 7, kind = %"sns");
        let _entered = span.enter();
        tracing::info!(port = 8080, name = "web", ok = true, "ecrscan is serving");
    };
    let after_time = |log: String| log.split_once(' ').unwrap().1.to_string();
    assert_eq!(after_time(text_log(event)), after_time(default_log(event)));
}
