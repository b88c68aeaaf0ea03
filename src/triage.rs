//! Triage: findings a team chose to leave out of the announcements for a while,
//! on the record (who, until when, why). An ignore hides a finding from what is
//! announced as new, broadcast or counted among a digest's CRITICALs; it never
//! changes what ECR or Inspector report.

use chrono::{DateTime, NaiveDate, Utc};

use crate::registry::Registries;
use crate::routing::ImagePattern;
use crate::scan::findings::Finding;
use crate::scan::image::Image;

/// The longest `for N days` an ignore may run: past a year, `until fixed` (or a
/// new ignore) says what is meant.
pub const MAX_DAYS: i64 = 365;

/// When an ignore ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// At this time (Unix seconds): `for N days`, or 00:00 UTC of `until YYYY-MM-DD`.
    At(i64),
    /// When a result shows a fixed-in version for the finding.
    Fixed,
}

/// An ignore as a command asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The vulnerability id, in its canonical case (`CVE-2024-6119`).
    pub vulnerability: String,
    /// The images it covers; `None`: every image.
    pub scope: Option<ImagePattern>,
    pub until: Until,
    pub reason: String,
}

/// How long, as typed: `for N days`, `until YYYY-MM-DD` or `until fixed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duration {
    Days(i64),
    Date(NaiveDate),
    UntilFixed,
}

impl Duration {
    /// When an ignore made at `now` with this duration ends; a date that is not
    /// after today (UTC) is refused.
    pub fn until(self, now: DateTime<Utc>) -> Result<Until, String> {
        match self {
            Duration::Days(days) => Ok(Until::At(now.timestamp() + days * 24 * 3600)),
            Duration::UntilFixed => Ok(Until::Fixed),
            Duration::Date(date) if date <= now.date_naive() => Err(format!(
                "`until {date}` is not in the future; give a later date, `for N days` or `until fixed`"
            )),
            Duration::Date(date) => Ok(Until::At(
                date.and_hms_opt(0, 0, 0)
                    .expect("midnight exists")
                    .and_utc()
                    .timestamp(),
            )),
        }
    }
}

/// A stored ignore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    pub id: i64,
    pub vulnerability: String,
    pub scope: Option<ImagePattern>,
    pub until: Until,
    pub reason: String,
    /// The Slack user who made it.
    pub created_by: String,
    /// Where it was made.
    pub channel: String,
    /// Unix seconds.
    pub created_at: i64,
}

impl Ignore {
    /// Whether it covers `image`; a scope names registries as [`Registries::matches`] says.
    pub fn covers(&self, image: &Image, registries: &Registries) -> bool {
        (self.scope.as_ref()).is_none_or(|scope| registries.matches(scope, image))
    }

    /// Whether it is about `finding`'s vulnerability (whatever the image).
    pub fn names(&self, finding: &Finding) -> bool {
        finding.id.eq_ignore_ascii_case(&self.vulnerability)
    }

    /// Whether it hides `finding` of `image`.
    pub fn hides(&self, finding: &Finding, image: &Image, registries: &Registries) -> bool {
        self.names(finding) && self.covers(image, registries)
    }

    /// The scope as shown and stored: the pattern, or `*` for every image.
    pub fn scope_str(&self) -> &str {
        self.scope.as_ref().map_or("*", ImagePattern::as_str)
    }
}

/// A finding left out of the announcements, and the ignore that hides it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hidden {
    pub finding: Finding,
    pub ignore: Ignore,
}

/// The findings of one image split into those announced and those an ignore
/// hides (the first that names each), among `ignores` that cover the image.
pub fn split(findings: &[Finding], ignores: &[Ignore]) -> (Vec<Finding>, Vec<Hidden>) {
    let mut shown = Vec::new();
    let mut hidden = Vec::new();
    for finding in findings {
        match ignores.iter().find(|ignore| ignore.names(finding)) {
            Some(ignore) => hidden.push(Hidden {
                finding: finding.clone(),
                ignore: ignore.clone(),
            }),
            None => shown.push(finding.clone()),
        }
    }
    (shown, hidden)
}

/// The `until fixed` ignores, among `ignores` that cover the image, that its
/// `findings` end: a finding they hide now has a fixed-in version, or the
/// scanner says a fix is available.
pub fn fixed<'a>(findings: &[Finding], ignores: &'a [Ignore]) -> Vec<&'a Ignore> {
    ignores
        .iter()
        .filter(|ignore| ignore.until == Until::Fixed)
        .filter(|ignore| {
            findings.iter().any(|finding| {
                ignore.names(finding) && (finding.fix_available || finding.fixed_in.is_some())
            })
        })
        .collect()
}

/// A vulnerability id in its canonical case, or why it is not one. Accepted:
/// CVE (`CVE-2024-6119`), GitHub (`GHSA-xxxx-xxxx-xxxx`), Amazon Linux
/// (`ALAS-2023-1234`, `ALAS2-…`, `ALAS2023-…`), Red Hat (`RHSA-2024:1234`,
/// RHBA, RHEA), and the other advisory ids Inspector reports in the same
/// `PREFIX-YEAR-NUMBER` form (GO, PYSEC, RUSTSEC, ELSA, DSA, DLA, USN).
pub fn vulnerability_id(word: &str) -> Result<String, String> {
    let refuse = || {
        format!(
            "`{word}` is not a vulnerability id; write one as Inspector and ECR report it, \
             e.g. `CVE-2024-6119`, `GHSA-xxxx-xxxx-xxxx`, `ALAS2-2024-2500` or `RHSA-2024:1234`"
        )
    };
    let upper = word.to_ascii_uppercase();
    let (prefix, rest) = upper.split_once('-').ok_or_else(refuse)?;
    let digits = |s: &str, min: usize| s.len() >= min && s.bytes().all(|b| b.is_ascii_digit());
    let numbered = |rest: &str| match rest.split_once('-') {
        Some((year, number)) => digits(year, 1) && digits(number, 1),
        None => false,
    };
    let valid = match prefix {
        "CVE" => rest
            .split_once('-')
            .is_some_and(|(year, number)| digits(year, 4) && year.len() == 4 && digits(number, 4)),
        "GHSA" => {
            let parts: Vec<&str> = rest.split('-').collect();
            let ghsa =
                |p: &&str| p.len() == 4 && p.bytes().all(|b| b"23456789CFGHJMPQRVWX".contains(&b));
            parts.len() == 3 && parts.iter().all(ghsa)
        }
        "RHSA" | "RHBA" | "RHEA" => rest
            .split_once(':')
            .is_some_and(|(year, number)| digits(year, 4) && digits(number, 1)),
        _ if prefix.starts_with("ALAS") => {
            prefix[4..].bytes().all(|b| b.is_ascii_alphanumeric()) && numbered(rest)
        }
        "GO" | "PYSEC" | "RUSTSEC" | "ELSA" | "DSA" | "DLA" | "USN" => numbered(rest),
        _ => false,
    };
    if !valid {
        return Err(refuse());
    }
    Ok(match prefix {
        "GHSA" => format!("GHSA-{}", rest.to_ascii_lowercase()),
        _ => upper,
    })
}

#[cfg(test)]
mod tests;
