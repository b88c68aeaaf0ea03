//! The moto server: AWS for the tests, on a free loopback port.
//!
//! The test script starts one for the whole run and exports `ECRSCAN_TEST_MOTO_URL`;
//! without it, the first test that needs moto starts one from `.venv/bin/moto_server`
//! (or `moto_server` on PATH). It stops when the test process ends.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_ecr::config::{BehaviorVersion, Credentials, Region};

static MOTO: OnceLock<String> = OnceLock::new();

/// The moto server's URL, starting it when needed.
pub fn url() -> &'static str {
    MOTO.get_or_init(|| std::env::var("ECRSCAN_TEST_MOTO_URL").unwrap_or_else(|_| start()))
}

/// moto as an AWS account: us-east-1, test credentials, loaded from nothing.
fn config() -> aws_config::SdkConfig {
    let credentials = Credentials::new("testing", "testing", None, None, "tests");
    aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(ecrscan::aws::https_client())
        .region(Region::new("us-east-1"))
        .endpoint_url(url())
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}

/// An ECR client talking to moto.
pub fn ecr_client() -> aws_sdk_ecr::Client {
    aws_sdk_ecr::Client::new(&config())
}

/// An EventBridge Scheduler client talking to moto.
pub fn scheduler_client() -> aws_sdk_scheduler::Client {
    aws_sdk_scheduler::Client::new(&config())
}

/// An ECS client talking to moto.
pub fn ecs_client() -> aws_sdk_ecs::Client {
    aws_sdk_ecs::Client::new(&config())
}

fn start() -> String {
    let local = concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/moto_server");
    let binary = if std::path::Path::new(local).exists() {
        local
    } else {
        "moto_server"
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    // The shell stops moto when our end of its stdin closes, that is when this process exits.
    let script =
        format!("{binary} -H 127.0.0.1 -p {port} >/dev/null 2>&1 & pid=$!; read _; kill $pid");
    let child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("cannot start moto_server: run the README's test command, which installs it");
    std::mem::forget(child);
    let url = format!("http://127.0.0.1:{port}");
    wait_until_up(port);
    url
}

fn wait_until_up(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Write;
            let _ = stream.write_all(b"GET /moto-api/ HTTP/1.0\r\n\r\n");
            let mut answer = [0u8; 12];
            if stream.read_exact(&mut answer).is_ok() && answer.starts_with(b"HTTP/") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("moto_server did not start on port {port} within 60 s");
}

/// The SDK configuration of the tests, loaded as ecrscan loads its own: moto,
/// its default account (123456789012) in us-east-1, with static credentials.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(ecrscan::aws::https_client())
        .region(Region::new("us-east-1"))
        .endpoint_url(url())
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .load()
        .await
}

/// [`sdk_config`] in `region` with the credentials of `role`, assumed through
/// moto's STS: moto then acts in the role's account.
pub async fn assumed(role: &str, region: &str) -> aws_config::SdkConfig {
    let base = sdk_config().await;
    let provider = aws_config::sts::AssumeRoleProvider::builder(role)
        .session_name("tests")
        .configure(&base)
        .build()
        .await;
    base.into_builder()
        .region(Region::new(region.to_string()))
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}
