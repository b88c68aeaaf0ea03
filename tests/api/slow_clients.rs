//! The real binary against slow and stalled clients: each is cut off within its bound,
//! a flood of unfinished bodies keeps memory bounded while `/healthz` answers, and
//! SIGTERM finishes while a client is still stalled.

use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use crate::helpers::TOKEN;
use crate::process::{environment, serve, wait_ready};
use crate::slack_stub::SlackStub;
use crate::sns_harness::SnsOrigin;

const MIB: usize = 1024 * 1024;

/// Every bound on a stalled client is 10 s; this leaves room for a busy machine.
const CUT_OFF_WITHIN: Duration = Duration::from_secs(15);

/// `ecrscan serve` on SQLite in a directory of its own, killed when dropped.
struct Service {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
    _slack: SlackStub,
    _sns: SnsOrigin,
}

impl Service {
    async fn start() -> Service {
        let (slack, sns) = (SlackStub::start(TOKEN).await, SnsOrigin::start().await);
        let dir = tempfile::tempdir().unwrap();
        let database = format!("sqlite://{}/e.db", dir.path().display());
        let env = environment(&slack, &sns, &database);
        let log = dir.path().join("ecrscan.log");
        let child = serve(&env, &log);
        let port = wait_ready(&reqwest::Client::new(), 0, &log).await;
        Service {
            child,
            port,
            _dir: dir,
            _slack: slack,
            _sns: sns,
        }
    }

    /// The resident set size, from `/proc/PID/status`.
    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: f64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/PID/status");
        kib / 1024.0
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(("127.0.0.1", self.port)).await.unwrap()
    }

    /// Waits up to `limit` for the process to exit; whether it exited cleanly.
    async fn exited_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the server said before it closed the connection, and when it closed it;
/// `None` when it was still open after `limit`.
async fn until_closed(
    stream: &mut (impl AsyncRead + Unpin),
    limit: Duration,
) -> Option<(String, Duration)> {
    let started = Instant::now();
    let mut said = Vec::new();
    let mut buffer = [0u8; 4096];
    let read = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => said.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(limit, read).await.ok()?;
    Some((
        String::from_utf8_lossy(&said).into_owned(),
        started.elapsed(),
    ))
}

/// The status code of the first response in `said`, or `-` when there was none.
fn status(said: &str) -> &str {
    said.strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .unwrap_or("-")
}

/// Headers of an SNS delivery whose body is `length` bytes.
fn sns_head(length: usize) -> String {
    format!(
        "POST /sns HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: text/plain\r\n\
         x-amz-sns-message-type: Notification\r\ncontent-length: {length}\r\n\r\n"
    )
}

/// Sends half of a request's headers, then nothing.
async fn half_headers(service: &Service) -> Option<(String, Duration)> {
    let mut stream = service.connect().await;
    stream
        .write_all(b"POST /sns HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: text/pl")
        .await
        .unwrap();
    until_closed(&mut stream, CUT_OFF_WITHIN).await
}

/// Sends the headers and 10 of the 1000 bytes of the body, then nothing.
async fn partial_body(service: &Service) -> Option<(String, Duration)> {
    let mut stream = service.connect().await;
    let request = format!("{}{}", sns_head(1000), "x".repeat(10));
    stream.write_all(request.as_bytes()).await.unwrap();
    until_closed(&mut stream, CUT_OFF_WITHIN).await
}

/// Sends the body a byte every half second, never fast enough to finish.
async fn trickled_body(service: &Service) -> Option<(String, Duration)> {
    let stream = service.connect().await;
    let (mut read, mut write) = stream.into_split();
    write.write_all(sns_head(1000).as_bytes()).await.unwrap();
    let trickle = tokio::spawn(async move {
        for _ in 0..60 {
            if write.write_all(b"x").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    let closed = until_closed(&mut read, CUT_OFF_WITHIN).await;
    trickle.abort();
    closed
}

/// Asks for `/healthz` on a keep-alive connection, then stays connected and silent.
async fn idle_keep_alive(service: &Service) -> Option<(String, Duration)> {
    let mut stream = service.connect().await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = [0u8; 1024];
    let n = stream.read(&mut buffer).await.unwrap();
    assert!(buffer[..n].starts_with(b"HTTP/1.1 200"), "/healthz answers");
    until_closed(&mut stream, CUT_OFF_WITHIN).await
}

#[tokio::test]
async fn stalled_clients_are_disconnected_within_the_bounds() {
    let service = Service::start().await;
    let (headers, body, trickle, idle) = tokio::join!(
        half_headers(&service),
        partial_body(&service),
        trickled_body(&service),
        idle_keep_alive(&service),
    );
    for (client, closed) in [
        ("half the headers", headers),
        ("a tenth of the body", body),
        ("a body trickled a byte at a time", trickle),
        ("an idle keep-alive connection", idle),
    ] {
        let (said, after) =
            closed.unwrap_or_else(|| panic!("{client}: still open after {CUT_OFF_WITHIN:?}"));
        eprintln!(
            "{client}: closed after {after:.1?}, answered {}",
            status(&said)
        );
    }
}

/// Sends `request`, the headers and all but the last byte of a 1 MiB SNS body,
/// then nothing.
async fn unfinished_mib(port: u16, request: Arc<[u8]>) -> Option<(String, Duration)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    // Refused requests are closed while they are still being sent.
    let _ = stream.write_all(&request).await;
    until_closed(&mut stream, CUT_OFF_WITHIN).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_unfinished_bodies_keep_memory_bounded_and_healthz_answering() {
    const CLIENTS: usize = 300;
    // How close to idle RSS must come back once the clients are cut off (MiB).
    const GIVEN_BACK_WITHIN: f64 = 10.0;
    let service = Service::start().await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let healthz = format!("http://127.0.0.1:{}/healthz", service.port);
    let idle = service.rss_mib();

    let request: Arc<[u8]> = [sns_head(MIB).into_bytes(), vec![b'x'; MIB - 1]]
        .concat()
        .into();
    let mut clients = JoinSet::new();
    for _ in 0..CLIENTS {
        clients.spawn(unfinished_mib(service.port, request.clone()));
    }
    let (mut peak, mut closed, mut unanswered) = (idle, Vec::new(), Vec::new());
    let (flood, mut slowest) = (Instant::now(), Duration::ZERO);
    while closed.len() < CLIENTS && flood.elapsed() < CUT_OFF_WITHIN * 2 {
        peak = peak.max(service.rss_mib());
        let asked = Instant::now();
        match http.get(&healthz).send().await {
            Ok(r) if r.status() == 200 => slowest = slowest.max(asked.elapsed()),
            other => unanswered.push(format!("{:.1?}: {other:?}", flood.elapsed())),
        }
        while let Some(client) = clients.try_join_next() {
            closed.push(client.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let flood_lasted = flood.elapsed();
    // Memory freed by a thread is given back when that thread next does some work:
    // here, answering the health checks that go on after the flood, several at
    // once so that every worker thread of the service answers some.
    let mut after = service.rss_mib();
    for _ in 0..100 {
        if after < idle + GIVEN_BACK_WITHIN {
            break;
        }
        let mut checks = JoinSet::new();
        for _ in 0..8 {
            let (http, healthz) = (http.clone(), healthz.clone());
            checks.spawn(async move { http.get(&healthz).send().await.is_ok() });
        }
        checks.join_all().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = service.rss_mib();
    }
    let mut statuses = std::collections::BTreeMap::<String, usize>::new();
    for (said, _) in closed.iter().flatten() {
        *statuses.entry(status(said).to_string()).or_default() += 1;
    }
    eprintln!(
        "RSS: idle {idle:.1} MiB, peak {peak:.1} MiB, after {after:.1} MiB; \
         the flood lasted {flood_lasted:.1?}; answers {statuses:?}; \
         /healthz answered within {slowest:.1?}"
    );
    let open = closed.iter().filter(|c| c.is_none()).count();
    assert_eq!(open, 0, "connections still open after {CUT_OFF_WITHIN:?}");
    assert_eq!(closed.len(), CLIENTS);
    assert!(
        unanswered.is_empty(),
        "/healthz did not answer: {unanswered:#?}"
    );
    assert!(peak < 150.0, "RSS peaked at {peak:.1} MiB");
    assert!(
        after < idle + GIVEN_BACK_WITHIN,
        "RSS {after:.1} MiB after the flood, {idle:.1} MiB idle"
    );
}

#[tokio::test]
async fn sigterm_with_a_stalled_client_exits_within_the_drain_bound() {
    let mut service = Service::start().await;
    let mut stalled = service.connect().await;
    let request = format!("{}{}", sns_head(1000), "x".repeat(10));
    stalled.write_all(request.as_bytes()).await.unwrap();
    let mut half = service.connect().await;
    half.write_all(b"GET /healthz HTTP/1.1\r\nhost: 127")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let signalled = Instant::now();
    Command::new("kill")
        .args(["-TERM", &service.child.id().to_string()])
        .status()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        TcpStream::connect(("127.0.0.1", service.port))
            .await
            .is_err(),
        "no new connection is accepted after SIGTERM"
    );
    // Five seconds for the requests in flight; the worker holds no job.
    let status = service.exited_within(Duration::from_secs(8)).await;
    let status = status.expect("ecrscan still running 8 s after SIGTERM");
    eprintln!("exited {:.1?} after SIGTERM", signalled.elapsed());
    assert!(status.success(), "{status}");
}
