//! Pure checks on SNS messages: where a certificate or `SubscribeURL` may come
//! from, the signing certificate itself, and the signature.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use url::{Host, Url};
use x509_cert::der::{Decode, pem};

pub use super::error::VerifyError;
use super::message::SnsMessage;
use crate::jobs::RETENTION_SECS;

/// How far ahead of our clock a message's `Timestamp` may be.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// The oldest `Timestamp` accepted. Seen message ids are kept for
/// [`RETENTION_SECS`] from when they arrived, and a message arrives at most
/// [`MAX_CLOCK_SKEW_SECS`] before its `Timestamp`; so by the time its id is
/// forgotten, a message is refused as too old, and a captured notification can
/// never be stored twice.
pub const MAX_AGE_SECS: i64 = RETENTION_SECS - MAX_CLOCK_SKEW_SECS;

/// Checks that `msg` was sent within the window at `now`: its `Timestamp`
/// parses, is at most [`MAX_CLOCK_SKEW_SECS`] ahead and [`MAX_AGE_SECS`] old.
pub fn check_fresh(msg: &SnsMessage, now: DateTime<Utc>) -> Result<(), VerifyError> {
    let sent = msg
        .timestamp()
        .ok_or_else(|| VerifyError::BadTimestamp(msg.timestamp.clone()))?;
    let age = (now - sent).num_seconds();
    if (-MAX_CLOCK_SKEW_SECS..=MAX_AGE_SECS).contains(&age) {
        Ok(())
    } else {
        Err(VerifyError::Stale { sent, now })
    }
}

/// Checks a `SigningCertURL`: `https`, host `sns.<region>.amazonaws.com` or
/// `sns.<region>.amazonaws.com.cn`, no port, no user info, no query, no
/// fragment, and a last path segment like `Name-123.pem` (it also names the
/// file in the certificate directory). With `insecure_origin`, a URL on exactly
/// that scheme, host and port is accepted too; the other rules still hold.
pub fn check_cert_url(url: &str, insecure_origin: Option<&Url>) -> Result<Url, VerifyError> {
    let url = Url::parse(url).map_err(|_| VerifyError::BadCertUrl("not a URL"))?;
    plain_url(&url).map_err(VerifyError::BadCertUrl)?;
    if url.query().is_some() {
        return Err(VerifyError::BadCertUrl("has a query"));
    }
    if cert_file_name(&url).is_none() {
        return Err(VerifyError::BadCertUrl(
            "path does not end in a NAME.pem file",
        ));
    }
    if sns_host(&url).is_some() || on_origin(&url, insecure_origin) {
        Ok(url)
    } else {
        Err(VerifyError::BadCertUrl("not an SNS host"))
    }
}

/// Checks a `SubscribeURL` before it is fetched: path `/`, a query with
/// `Action=ConfirmSubscription`, no user info or fragment, and either `https`
/// on the very SNS host that served `cert_url` (no port), or `insecure_origin`.
pub fn check_subscribe_url(
    url: &str,
    cert_url: &Url,
    insecure_origin: Option<&Url>,
) -> Result<Url, VerifyError> {
    let url = Url::parse(url).map_err(|_| VerifyError::BadSubscribeUrl("not a URL"))?;
    plain_url(&url).map_err(VerifyError::BadSubscribeUrl)?;
    if url.path() != "/" {
        return Err(VerifyError::BadSubscribeUrl("path is not /"));
    }
    let actions: Vec<_> = url.query_pairs().filter(|(k, _)| k == "Action").collect();
    if actions.len() != 1 || actions[0].1 != "ConfirmSubscription" {
        return Err(VerifyError::BadSubscribeUrl(
            "Action is not ConfirmSubscription",
        ));
    }
    let same_sns_host = sns_host(&url).is_some_and(|h| Some(h) == sns_host(cert_url));
    if same_sns_host || on_origin(&url, insecure_origin) {
        Ok(url)
    } else {
        Err(VerifyError::BadSubscribeUrl(
            "not the SNS host of the certificate",
        ))
    }
}

/// The file name a certificate URL stands for: its last path segment, when it
/// is `[A-Za-z0-9_-]+.pem` (so it is safe as a file name).
pub fn cert_file_name(url: &Url) -> Option<&str> {
    let name = url.path_segments()?.next_back()?;
    let stem = name.strip_suffix(".pem")?;
    let safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    (!stem.is_empty() && stem.chars().all(safe)).then_some(name)
}

fn plain_url(url: &Url) -> Result<(), &'static str> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err("has user info");
    }
    if url.fragment().is_some() {
        return Err("has a fragment");
    }
    Ok(())
}

/// The host when `url` is `https://sns.<region>.amazonaws.com[.cn]` with no port.
fn sns_host(url: &Url) -> Option<&str> {
    let Some(Host::Domain(host)) = url.host() else {
        return None;
    };
    if url.scheme() != "https" || url.port().is_some() {
        return None;
    }
    let rest = host.strip_prefix("sns.")?;
    let region = rest
        .strip_suffix(".amazonaws.com")
        .or_else(|| rest.strip_suffix(".amazonaws.com.cn"))?;
    is_region(region).then_some(host)
}

/// `us-east-1`, `cn-north-1`, `us-gov-west-1`: lowercase words, then a number.
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

fn on_origin(url: &Url, origin: Option<&Url>) -> bool {
    origin.is_some_and(|o| o.origin() == url.origin() && url.origin().is_tuple())
}

/// A parsed signing certificate: its RSA public key and validity window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// `RSAPublicKey` DER (the subjectPublicKey bits of the SPKI).
    rsa_public_key: Vec<u8>,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
}

const RSA_ENCRYPTION: x509_cert::der::oid::ObjectIdentifier =
    x509_cert::der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

impl Certificate {
    /// Parses a body that must be exactly one PEM `CERTIFICATE` holding an RSA key.
    pub fn from_pem(body: &[u8]) -> Result<Self, VerifyError> {
        let bad = |what: String| VerifyError::BadCertificate(what);
        // The PEM decoder skips text before the boundary; a certificate body holds none.
        if !body.starts_with(b"-----BEGIN ") {
            return Err(bad("does not start with a PEM boundary".into()));
        }
        let (label, der) =
            pem::decode_vec(body).map_err(|e| bad(format!("not one PEM document: {e}")))?;
        if label != "CERTIFICATE" {
            return Err(bad(format!("PEM label is {label}, not CERTIFICATE")));
        }
        let cert = x509_cert::Certificate::from_der(&der).map_err(|e| bad(e.to_string()))?;
        let tbs = cert.tbs_certificate;
        let spki = tbs.subject_public_key_info;
        if spki.algorithm.oid != RSA_ENCRYPTION {
            return Err(bad(format!(
                "key algorithm {} is not RSA",
                spki.algorithm.oid
            )));
        }
        let key = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| bad("key bits".into()))?;
        let time = |t: x509_cert::time::Time| {
            let secs = i64::try_from(t.to_unix_duration().as_secs()).ok();
            secs.and_then(|s| DateTime::from_timestamp(s, 0))
                .ok_or_else(|| bad("validity".into()))
        };
        Ok(Certificate {
            rsa_public_key: key.to_vec(),
            not_before: time(tbs.validity.not_before)?,
            not_after: time(tbs.validity.not_after)?,
        })
    }

    /// First instant of validity.
    pub fn not_before(&self) -> DateTime<Utc> {
        self.not_before
    }

    /// Last instant of validity.
    pub fn not_after(&self) -> DateTime<Utc> {
        self.not_after
    }

    /// `Expired` unless `now` lies within the validity window.
    pub fn check_validity(&self, now: DateTime<Utc>) -> Result<(), VerifyError> {
        if self.not_before <= now && now <= self.not_after {
            Ok(())
        } else {
            Err(VerifyError::Expired {
                not_before: self.not_before,
                not_after: self.not_after,
                now,
            })
        }
    }
}

/// What a signature covers, checked and decoded before any certificate is fetched.
pub(crate) struct SignedParts {
    algorithm: &'static dyn VerificationAlgorithm,
    string_to_sign: String,
    signature: Vec<u8>,
}

impl SignedParts {
    /// Refuses unknown versions, missing fields and a signature that is not base64.
    pub(crate) fn of(msg: &SnsMessage) -> Result<Self, VerifyError> {
        let algorithm: &'static dyn VerificationAlgorithm = match msg.signature_version.as_str() {
            "1" => &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            "2" => &signature::RSA_PKCS1_2048_8192_SHA256,
            other => return Err(VerifyError::UnsupportedVersion(other.to_string())),
        };
        let string_to_sign = msg.string_to_sign()?;
        let signature = BASE64
            .decode(msg.signature.as_bytes())
            .map_err(|_| VerifyError::Malformed("Signature is not base64".into()))?;
        Ok(SignedParts {
            algorithm,
            string_to_sign,
            signature,
        })
    }

    /// Checks the certificate's validity at `now`, then the signature.
    pub(crate) fn verify(&self, cert: &Certificate, now: DateTime<Utc>) -> Result<(), VerifyError> {
        cert.check_validity(now)?;
        UnparsedPublicKey::new(self.algorithm, &cert.rsa_public_key)
            .verify(self.string_to_sign.as_bytes(), &self.signature)
            .map_err(|_| VerifyError::BadSignature)
    }
}

/// Verifies `msg` with `cert`: SignatureVersion `1` is RSA PKCS#1 v1.5 with
/// SHA1, `2` with SHA256, any other is refused; `cert` must be valid at `now`.
pub fn verify_signature(
    msg: &SnsMessage,
    cert: &Certificate,
    now: DateTime<Utc>,
) -> Result<(), VerifyError> {
    SignedParts::of(msg)?.verify(cert, now)
}

#[cfg(test)]
mod tests;
