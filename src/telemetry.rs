//! Logging, set up once: `RUST_LOG` filters, `ECRSCAN_LOG_FORMAT=json` for JSON lines;
//! and the span every request logs in.
//!
//! Log fields carry text from outside (SNS topics and URLs, Slack ids and
//! `response_url`s, command text, AWS and Slack error messages). The JSON format
//! escapes it; the text format writes every field through [`write_field`], which
//! escapes control characters, so that no value can end a line, forge the next
//! one or send escape sequences to a terminal.

use std::fmt::{self, Write as _};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::Request;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::field::{Field, Visit};
use tracing::{Span, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FormatFields, MakeWriter};
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the global subscriber. Safe to call more than once (later calls do nothing).
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,ecrscan=info,aws_config=warn"));
    let ansi = std::io::stderr().is_terminal();
    let json = std::env::var("ECRSCAN_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let _ = if json {
        let json = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(ansi)
            .json();
        json.finish().try_init()
    } else {
        text(filter, std::io::stderr, ansi).try_init()
    };
}

/// The layer that gives every request a span: its method, its route template
/// (never the raw path) and a request id, so that every line a request logs can
/// be told apart from another's.
pub fn request_trace() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan> {
    TraceLayer::new_for_http().make_span_with(request_span as RequestSpan)
}

/// How [`request_trace`] makes a request's span.
pub type RequestSpan = fn(&Request<Body>) -> Span;

fn request_span(request: &Request<Body>) -> Span {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    tracing::info_span!(
        "request",
        method = %request.method(),
        route,
        request_id = NEXT_ID.fetch_add(1, Ordering::Relaxed),
    )
}

/// The text format: one line an event, each field escaped by [`write_field`].
fn text<W>(filter: EnvFilter, writer: W, ansi: bool) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi)
        .fmt_fields(EscapedFields)
        .finish()
}

/// Fields as the default text format writes them (`message name=value ...`,
/// `log.` fields left out), with every value escaped by [`write_field`].
struct EscapedFields;

impl<'w> FormatFields<'w> for EscapedFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'w>, fields: R) -> fmt::Result {
        let mut visitor = FieldVisitor {
            writer,
            first: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct FieldVisitor<'w> {
    writer: Writer<'w>,
    first: bool,
    result: fmt::Result,
}

impl Visit for FieldVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.record_debug(field, &format_args!("{value}")),
            _ => self.record_debug(field, &value),
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.result.is_err() || field.name().starts_with("log.") {
            return;
        }
        if !std::mem::take(&mut self.first) {
            self.result = self.writer.write_char(' ');
        }
        self.result = self
            .result
            .and_then(|()| write_field(&mut self.writer, field, value));
    }
}

/// `name=value` (the message bare), with every control character in the value
/// escaped: a newline shows as `\n`, an ESC as `\u{1b}`.
fn write_field(writer: &mut Writer<'_>, field: &Field, value: &dyn fmt::Debug) -> fmt::Result {
    let name = field.name();
    if name != "message" {
        write!(writer, "{}=", name.strip_prefix("r#").unwrap_or(name))?;
    }
    write!(Escaping(writer), "{value:?}")
}

/// Passes text on with control characters (and the Unicode line and paragraph
/// separators) escaped.
struct Escaping<'a, W>(&'a mut W);

impl<W: fmt::Write> fmt::Write for Escaping<'_, W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for c in text.chars() {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                write!(self.0, "{}", c.escape_default())?;
            } else {
                self.0.write_char(c)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
