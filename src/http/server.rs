//! Serving HTTP with every wait bounded: how long a client may take to send its
//! headers or its body, how long an idle connection stays open, how many
//! connections and unfinished bodies are held at once, and how long a shutdown
//! waits for the requests in flight.
//!
//! The numbers, and why:
//! - Slack and SNS send a whole request at once, in milliseconds; a client that
//!   needs more than [`HEADER_READ_TIMEOUT`] for its headers, or
//!   [`BODY_TIMEOUT`] for its body and the answer, is stalled or hostile.
//! - hyper has one timer for the wait before a request's headers are complete,
//!   from the end of the previous answer on a keep-alive connection: an idle
//!   connection is closed after [`HEADER_READ_TIMEOUT`] too. A client that keeps
//!   a connection for longer opens a new one, as browsers and proxies do.
//! - A body is held in memory until it is verified, up to 1 MiB. At most
//!   [`MAX_BODY_REQUESTS`] requests to routes that read a body run at once
//!   (32 MiB of bodies); the next ones get 503 at once, before their body is
//!   read. Slack sends a command at a time and SNS retries a 503, so 32 is far
//!   above what they need: a request takes a few milliseconds.
//! - At most [`MAX_CONNECTIONS`] connections are open, each reading headers into
//!   at most [`READ_BUFFER_BYTES`] (16 MiB in all); the next ones are closed at
//!   once. Together with the bodies and the idle process (about 25 MiB) that
//!   stays well within a 256 MB machine, and below a 1024 file-descriptor limit.
//! - On shutdown the listener is closed at once and the requests in flight get
//!   [`SHUTDOWN_DRAIN`]; connections still open then are closed.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::http::StatusCode;
use axum::{BoxError, Router};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// How long a client may take to send a request's headers, and how long an idle
/// keep-alive connection stays open.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request to a route that reads a body may take, from its headers to
/// the answer (`408` after that).
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Requests to routes that read a body, running at once; more get `503`.
pub const MAX_BODY_REQUESTS: usize = 32;

/// Open connections; more are closed as soon as they are accepted.
pub const MAX_CONNECTIONS: usize = 512;

/// A connection's read buffer, and so the largest request head (`431` beyond).
pub const READ_BUFFER_BYTES: usize = 32 * 1024;

/// How long a shutdown waits for the requests in flight.
pub const SHUTDOWN_DRAIN: Duration = Duration::from_secs(5);

/// How long to wait before accepting again after `accept` failed (e.g. out of
/// file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Bounds the routes of `router`, which read a request body: [`BODY_TIMEOUT`]
/// and [`MAX_BODY_REQUESTS`], shared by all of them.
pub fn limit_bodies<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.route_layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(|_: BoxError| async {
                (StatusCode::SERVICE_UNAVAILABLE, "busy, try again")
            }))
            .load_shed()
            .layer(GlobalConcurrencyLimitLayer::new(MAX_BODY_REQUESTS))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                BODY_TIMEOUT,
            )),
    )
}

/// Serves `router` on `listener` until `shutdown` completes; then stops
/// accepting, waits up to [`SHUTDOWN_DRAIN`] for the requests in flight, and
/// closes the connections still open.
pub async fn serve(listener: TcpListener, router: Router, shutdown: impl Future<Output = ()>) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(READ_BUFFER_BYTES)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        while connections.try_join_next().is_some() {}
        let stream = match stream {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::warn!(%error, "cannot accept a connection");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!("{MAX_CONNECTIONS} connections open: closing a new one");
            continue;
        };
        let connection = graceful.watch(connect(&http, stream, router.clone()));
        connections.spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            open = connections.len(),
            "requests still in flight after {SHUTDOWN_DRAIN:?}: closing their connections"
        );
    }
    connections.shutdown().await;
}

fn connect(
    http: &http1::Builder,
    stream: TcpStream,
    router: Router,
) -> http1::Connection<TokioIo<TcpStream>, TowerToHyperService<Router>> {
    http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router))
}
