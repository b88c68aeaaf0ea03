//! The `/ecrscan` command language, parsed into a [`Command`].

use crate::routing::ImagePattern;
use crate::scan::findings::Severity;
use crate::scan::image::ImageRef;
use crate::schedule::When;

/// One understood `/ecrscan` command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help,
    Now(Vec<ImageRef>),
    Findings(ImageRef),
    Schedule {
        when: When,
        images: Vec<ImageRef>,
    },
    Schedules,
    Unschedule(ImageRef),
    Pause(ImageRef),
    Resume(ImageRef),
    Subscribe {
        pattern: ImagePattern,
        min: Severity,
    },
    Unsubscribe(ImagePattern),
    Subscriptions,
}

/// What was wrong with a command, and the right form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct ParseError {
    pub problem: String,
    pub usage: String,
}

/// Parses the text after `/ecrscan`.
pub fn parse(text: &str) -> Result<Command, ParseError> {
    let _ = text;
    unimplemented!("command parser")
}
