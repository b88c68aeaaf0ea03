//! SNS signing certificates: cached in memory and, when configured, in a
//! directory; fetched only from URLs that pass [`check_cert_url`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use url::Url;

use crate::http::sns::verify::{Certificate, VerifyError, cert_file_name, check_cert_url};

/// The largest certificate body accepted (AWS's are about 2 KiB).
pub const MAX_CERT_BYTES: usize = 16 * 1024;

/// How long one certificate fetch may take; SNS wants an answer within seconds.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(2);

/// Where signing certificates come from, cheapest first: memory, the
/// certificate directory (`ECRSCAN_SNS_CERT_DIR`), then the network.
#[derive(Debug)]
pub struct CertStore {
    memory: RwLock<HashMap<Url, Arc<Certificate>>>,
    dir: Option<PathBuf>,
    insecure_origin: Option<Url>,
    client: reqwest::Client,
}

impl CertStore {
    /// A store that keeps PEM files in `dir` when given, and also trusts
    /// `insecure_origin` (test setups only).
    pub fn new(dir: Option<PathBuf>, insecure_origin: Option<Url>) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(FETCH_TIMEOUT)
            .build()?;
        Ok(CertStore {
            memory: RwLock::default(),
            dir,
            insecure_origin,
            client,
        })
    }

    /// The certificate at `url`. The URL is checked again here, so that nothing
    /// but an SNS certificate URL (or the insecure origin) is ever fetched.
    pub async fn get(&self, url: &Url) -> Result<Arc<Certificate>, VerifyError> {
        let url = check_cert_url(url.as_str(), self.insecure_origin.as_ref())?;
        if let Some(cert) = self.cached(&url) {
            return Ok(cert);
        }
        let path = self.file_path(&url);
        let from_dir = match &path {
            Some(path) => read_file(path).await,
            None => None,
        };
        let cert = match from_dir {
            Some(cert) => cert,
            None => {
                let body = self.fetch(&url).await?;
                let cert = Certificate::from_pem(&body)?;
                if let Some(path) = &path {
                    write_file(path, &body).await;
                }
                cert
            }
        };
        let cert = Arc::new(cert);
        let mut memory = self.memory.write().unwrap_or_else(|e| e.into_inner());
        memory.insert(url, cert.clone());
        Ok(cert)
    }

    fn cached(&self, url: &Url) -> Option<Arc<Certificate>> {
        let memory = self.memory.read().unwrap_or_else(|e| e.into_inner());
        memory.get(url).cloned()
    }

    fn file_path(&self, url: &Url) -> Option<PathBuf> {
        Some(self.dir.as_ref()?.join(cert_file_name(url)?))
    }

    async fn fetch(&self, url: &Url) -> Result<Vec<u8>, VerifyError> {
        let unavailable =
            |e: reqwest::Error| VerifyError::CertUnavailable(e.without_url().to_string());
        tracing::info!(%url, "fetching SNS signing certificate");
        let mut response = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(unavailable)?;
        let status = response.status();
        if !status.is_success() {
            return Err(VerifyError::CertUnavailable(format!("HTTP {status}")));
        }
        let too_big = || VerifyError::BadCertificate(format!("larger than {MAX_CERT_BYTES} bytes"));
        if response
            .content_length()
            .is_some_and(|n| n > MAX_CERT_BYTES as u64)
        {
            return Err(too_big());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unavailable)? {
            if body.len() + chunk.len() > MAX_CERT_BYTES {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// A certificate from the directory; an unreadable or invalid file is
/// logged and then replaced by a fresh fetch.
async fn read_file(path: &Path) -> Option<Certificate> {
    let body = match tokio::fs::read(path).await {
        Ok(body) => body,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read cached SNS certificate");
            return None;
        }
    };
    match Certificate::from_pem(&body) {
        Ok(cert) => Some(cert),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "ignoring cached SNS certificate");
            None
        }
    }
}

/// Writes through a temporary file and a rename, so that a reader never sees
/// half a certificate; a failure only costs a fetch next time.
async fn write_file(path: &Path, body: &[u8]) {
    let tmp = path.with_extension(format!("pem.{}.tmp", std::process::id()));
    let result = async {
        tokio::fs::write(&tmp, body).await?;
        tokio::fs::rename(&tmp, path).await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(path = %path.display(), error = %e, "cannot cache SNS certificate");
        let _ = tokio::fs::remove_file(&tmp).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::sns::testing::{AWS_CERT, aws_fixture, own_fixture, serve, serve_app};
    use std::sync::atomic::Ordering;

    #[tokio::test]
    async fn a_certificate_in_the_directory_is_used_without_any_fetch() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(AWS_CERT), aws_fixture(AWS_CERT)).unwrap();
        let store = CertStore::new(Some(dir.path().into()), None).unwrap();
        // The real SNS host cannot be reached from tests: a fetch would fail.
        let url = Url::parse(&format!("https://sns.us-west-2.amazonaws.com/{AWS_CERT}")).unwrap();
        let cert = store.get(&url).await.unwrap();
        assert_eq!(cert.not_after().to_rfc3339(), "2026-10-14T23:59:59+00:00");
    }

    #[tokio::test]
    async fn a_fetched_certificate_is_written_to_the_directory_and_kept_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let (origin, hits) = serve(own_fixture("signing-cert.pem")).await;
        let store = CertStore::new(Some(dir.path().into()), Some(origin.clone())).unwrap();
        let url = origin.join("/certs/Signer-1.pem").unwrap();
        store.get(&url).await.unwrap();
        store.get(&url).await.unwrap();
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        let written = std::fs::read(dir.path().join("Signer-1.pem")).unwrap();
        assert_eq!(written, own_fixture("signing-cert.pem"));
    }

    #[tokio::test]
    async fn a_url_that_fails_the_check_is_never_fetched() {
        let (origin, hits) = serve(own_fixture("signing-cert.pem")).await;
        let store = CertStore::new(None, None).unwrap();
        let err = store
            .get(&origin.join("/Signer-1.pem").unwrap())
            .await
            .unwrap_err();
        assert!(matches!(err, VerifyError::BadCertUrl(_)));
        assert_eq!(hits.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_redirect_is_not_followed() {
        let (target, hits) = serve(own_fixture("signing-cert.pem")).await;
        let to = target.join("/Signer-1.pem").unwrap().to_string();
        let app = axum::Router::new().fallback(move || {
            let to = to.clone();
            async move { axum::response::Redirect::temporary(&to) }
        });
        let origin = serve_app(app).await;
        let store = CertStore::new(None, Some(origin.clone())).unwrap();
        let err = store
            .get(&origin.join("/Moved.pem").unwrap())
            .await
            .unwrap_err();
        assert!(matches!(err, VerifyError::CertUnavailable(_)), "{err}");
        assert_eq!(hits.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_body_over_the_size_cap_is_refused() {
        let (origin, _) = serve(vec![b'A'; MAX_CERT_BYTES + 1]).await;
        let store = CertStore::new(None, Some(origin.clone())).unwrap();
        let err = store
            .get(&origin.join("/Big.pem").unwrap())
            .await
            .unwrap_err();
        assert!(matches!(err, VerifyError::BadCertificate(_)), "{err}");
    }

    #[tokio::test]
    async fn junk_served_as_a_certificate_is_refused_and_not_cached() {
        let dir = tempfile::tempdir().unwrap();
        let (origin, _) = serve(b"<html>not a certificate</html>".to_vec()).await;
        let store = CertStore::new(Some(dir.path().into()), Some(origin.clone())).unwrap();
        let err = store
            .get(&origin.join("/Junk.pem").unwrap())
            .await
            .unwrap_err();
        assert!(matches!(err, VerifyError::BadCertificate(_)), "{err}");
        assert!(!dir.path().join("Junk.pem").exists());
    }
}
