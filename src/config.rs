//! One typed [`Settings`], read once from the environment at start-up.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;
use secrecy::SecretString;
use url::Url;

use crate::registry::Registries;

/// Everything ecrscan is configured with. `Debug` never shows a secret.
#[derive(Debug, Clone)]
pub struct Settings {
    /// One or more signing secrets (several during a rotation).
    pub slack_signing_secrets: Vec<SecretString>,
    pub slack_bot_token: SecretString,
    /// Web API base, always ending in `/`.
    pub slack_api_url: Url,
    pub repository: Option<String>,
    pub tags: Vec<String>,
    pub channel: Option<String>,
    pub sns_topic_arns: Vec<String>,
    pub scheduler_role_arn: Option<String>,
    /// `ECRSCAN_REGISTRIES`; empty: the one registry of ecrscan's own credentials.
    pub registries: Registries,
    pub schedule_group: String,
    pub timezone: Tz,
    pub admins: Vec<String>,
    pub team_id: Option<String>,
    pub sns_cert_dir: Option<PathBuf>,
    pub insecure_sns_cert_origin: Option<Url>,
    pub digest_threshold: u32,
    pub digest_window: Duration,
    /// Messages posted to one channel per second, after a short burst.
    pub posts_per_second: NonZeroU32,
    /// How long `Inspector2 Finding` events of one image are gathered before one update.
    pub finding_window: Duration,
    /// Secret: a PostgreSQL URL can carry a password.
    pub database_url: SecretString,
    pub port: u16,
}

/// The database when `DATABASE_URL` is unset: an SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://ecrscan.db";

/// A setting that is missing or malformed; its `Display` is the one line start-up prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment, or a map in tests).
    /// Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(&lookup);
        let secrets = env.required("SLACK_SIGNING_SECRET")?;
        let token = env.required("SLACK_BOT_TOKEN")?;
        if !token.starts_with("xoxb-") {
            return Err(env.error(
                "SLACK_BOT_TOKEN",
                "must be a bot token starting with `xoxb-`",
            ));
        }
        Ok(Settings {
            slack_signing_secrets: list(&secrets).into_iter().map(SecretString::from).collect(),
            slack_bot_token: SecretString::from(token),
            slack_api_url: env.url("SLACK_API_URL", "https://slack.com/api/")?,
            repository: env.optional("ECRSCAN_REPOSITORY"),
            tags: env
                .optional("ECRSCAN_TAGS")
                .as_deref()
                .map(list)
                .unwrap_or_default(),
            channel: env.optional("ECRSCAN_CHANNEL"),
            sns_topic_arns: env.list("ECRSCAN_SNS_TOPIC_ARNS"),
            scheduler_role_arn: env.optional("ECRSCAN_SCHEDULER_ROLE_ARN"),
            registries: Registries::parse(&env.optional("ECRSCAN_REGISTRIES").unwrap_or_default())
                .map_err(|problem| env.error("ECRSCAN_REGISTRIES", &format!("entry {problem}")))?,
            schedule_group: env
                .optional("ECRSCAN_SCHEDULE_GROUP")
                .unwrap_or_else(|| "ecrscan".into()),
            timezone: env.parsed(
                "ECRSCAN_TIMEZONE",
                "UTC",
                "an IANA timezone such as Europe/Berlin",
            )?,
            admins: env.list("ECRSCAN_ADMINS"),
            team_id: env.optional("SLACK_TEAM_ID"),
            sns_cert_dir: env.optional("ECRSCAN_SNS_CERT_DIR").map(PathBuf::from),
            insecure_sns_cert_origin: env.origin("ECRSCAN_INSECURE_SNS_CERT_ORIGIN")?,
            digest_threshold: env.parsed("ECRSCAN_DIGEST_THRESHOLD", "5", "a whole number")?,
            digest_window: Duration::from_secs(env.parsed(
                "ECRSCAN_DIGEST_WINDOW_SECS",
                "60",
                "a whole number of seconds",
            )?),
            posts_per_second: env.parsed(
                "ECRSCAN_POSTS_PER_SECOND",
                "1",
                "a whole number above 0",
            )?,
            finding_window: Duration::from_secs(env.parsed(
                "ECRSCAN_FINDING_WINDOW_SECS",
                "120",
                "a whole number of seconds",
            )?),
            database_url: env
                .optional("DATABASE_URL")
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.into())
                .into(),
            port: env.parsed("PORT", "8080", "a port number")?,
        })
    }

    /// Whether `user_id` may change schedules and subscriptions.
    pub fn is_admin(&self, user_id: &str) -> bool {
        self.admins.is_empty() || self.admins.iter().any(|admin| admin == user_id)
    }
}

struct Env<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    fn optional(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
    }

    fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name)
            .ok_or_else(|| self.error(name, "is required but not set"))
    }

    fn list(&self, name: &str) -> Vec<String> {
        self.optional(name).as_deref().map(list).unwrap_or_default()
    }

    fn parsed<T: std::str::FromStr>(
        &self,
        name: &'static str,
        default: &str,
        expected: &str,
    ) -> Result<T, ConfigError> {
        let value = self.optional(name).unwrap_or_else(|| default.to_string());
        value
            .parse()
            .map_err(|_| self.error(name, &format!("`{value}` is not {expected}")))
    }

    fn url(&self, name: &'static str, default: &str) -> Result<Url, ConfigError> {
        let mut value = self.optional(name).unwrap_or_else(|| default.to_string());
        if !value.ends_with('/') {
            value.push('/');
        }
        match Url::parse(&value) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
            _ => Err(self.error(name, &format!("`{value}` is not an http(s) URL"))),
        }
    }

    fn origin(&self, name: &'static str) -> Result<Option<Url>, ConfigError> {
        let Some(value) = self.optional(name) else {
            return Ok(None);
        };
        match Url::parse(&value) {
            Ok(url)
                if url.has_host() && matches!(url.path(), "" | "/") && url.query().is_none() =>
            {
                Ok(Some(url))
            }
            _ => Err(self.error(
                name,
                &format!("`{value}` is not an origin like http://127.0.0.1:9100"),
            )),
        }
    }

    fn error(&self, variable: &'static str, problem: &str) -> ConfigError {
        ConfigError {
            variable,
            problem: problem.to_string(),
        }
    }
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret;

    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    const REQUIRED: [(&str, &str); 2] = [
        ("SLACK_SIGNING_SECRET", "s3cret"),
        ("SLACK_BOT_TOKEN", "xoxb-1-2-abc"),
    ];

    #[test]
    fn defaults_follow_the_design() {
        let s = settings(&REQUIRED).unwrap();
        assert_eq!(s.port, 8080);
        assert_eq!(s.database_url.expose_secret(), "sqlite://ecrscan.db");
        assert_eq!(s.slack_api_url.as_str(), "https://slack.com/api/");
        assert_eq!(s.schedule_group, "ecrscan");
        assert_eq!(s.timezone, Tz::UTC);
        assert_eq!(s.digest_threshold, 5);
        assert_eq!(s.digest_window, Duration::from_secs(60));
        assert_eq!(s.finding_window, Duration::from_secs(120));
        assert!(s.sns_topic_arns.is_empty());
    }

    #[test]
    fn a_missing_secret_is_named_in_one_line() {
        let err = settings(&[("SLACK_BOT_TOKEN", "xoxb-1")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "SLACK_SIGNING_SECRET: is required but not set"
        );
    }

    #[test]
    fn a_user_token_is_refused() {
        let err =
            settings(&[("SLACK_SIGNING_SECRET", "s"), ("SLACK_BOT_TOKEN", "xoxp-1")]).unwrap_err();
        assert_eq!(err.variable, "SLACK_BOT_TOKEN");
    }

    #[test]
    fn malformed_values_name_their_variable() {
        for (name, value) in [
            ("PORT", "eighty"),
            ("ECRSCAN_TIMEZONE", "Mars/Olympus"),
            ("SLACK_API_URL", "ftp://slack"),
            ("ECRSCAN_DIGEST_THRESHOLD", "-1"),
            ("ECRSCAN_FINDING_WINDOW_SECS", "2m"),
            (
                "ECRSCAN_INSECURE_SNS_CERT_ORIGIN",
                "http://127.0.0.1:9100/certs?x=1",
            ),
        ] {
            let mut pairs = REQUIRED.to_vec();
            pairs.push((name, value));
            let err = settings(&pairs).unwrap_err();
            assert_eq!(err.variable, name, "{err}");
            assert!(err.to_string().contains(value), "{err}");
        }
    }

    #[test]
    fn the_finding_window_is_read_in_seconds() {
        let mut pairs = REQUIRED.to_vec();
        pairs.push(("ECRSCAN_FINDING_WINDOW_SECS", "300"));
        assert_eq!(
            settings(&pairs).unwrap().finding_window,
            Duration::from_secs(300)
        );
    }

    #[test]
    fn lists_are_comma_separated_and_trimmed() {
        let mut pairs = REQUIRED.to_vec();
        pairs.push(("ECRSCAN_TAGS", " web-latest, proxy-latest ,"));
        pairs.push(("SLACK_SIGNING_SECRET", "old,new"));
        let s = settings(&pairs).unwrap();
        assert_eq!(s.tags, ["web-latest", "proxy-latest"]);
        assert_eq!(s.slack_signing_secrets.len(), 2);
    }

    #[test]
    fn a_bad_registry_entry_stops_start_up_in_one_line_that_names_it() {
        let mut pairs = REQUIRED.to_vec();
        let entries = "prod=123456789012/us-east-1/arn:aws:iam::123456789012:role/ecrscan, \
                       staging=2109876543/eu-west-1/arn:aws:iam::2109876543:role/ecrscan";
        pairs.push(("ECRSCAN_REGISTRIES", entries));
        let line = settings(&pairs).unwrap_err().to_string();
        assert!(
            line.starts_with("ECRSCAN_REGISTRIES: entry `staging=2109876543/")
                && line.contains("not an account id")
                && !line.contains('\n'),
            "{line}"
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let mut pairs = REQUIRED.to_vec();
        pairs.push((
            "DATABASE_URL",
            "postgres://ecrscan:db-pa55word@db.internal/ecrscan",
        ));
        let s = settings(&pairs).unwrap();
        let debug = format!("{s:?}");
        assert!(
            !debug.contains("s3cret")
                && !debug.contains("xoxb-1-2-abc")
                && !debug.contains("db-pa55word"),
            "{debug}"
        );
    }

    #[test]
    fn everyone_is_admin_until_admins_are_named() {
        let s = settings(&REQUIRED).unwrap();
        assert!(s.is_admin("U1"));
        let mut pairs = REQUIRED.to_vec();
        pairs.push(("ECRSCAN_ADMINS", "U1,U2"));
        let s = settings(&pairs).unwrap();
        assert!(s.is_admin("U2") && !s.is_admin("U3"));
    }
}
