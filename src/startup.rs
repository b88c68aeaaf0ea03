//! Start-up: open the store, build the state and the router, bind, serve until
//! SIGTERM, and stop in order. Tests start the same [`Application`] on port 0.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::middleware::from_fn;
use secrecy::ExposeSecret;
use tokio::net::TcpListener;

use crate::aws::Ports;
use crate::config::Settings;
use crate::http;
use crate::metrics;
use crate::service::worker::{self, Worker};
use crate::slack::client::SlackWeb;
use crate::state::AppState;
use crate::store;
use crate::telemetry;

/// How long the worker, and the work requests left running, may take to finish
/// after SIGTERM.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    worker: Worker,
}

impl Application {
    /// Opens the database (migrating it), binds `0.0.0.0:PORT`, and builds the router.
    pub async fn build(settings: Settings, ports: Ports) -> anyhow::Result<Self> {
        let store = store::connect(settings.database_url.expose_secret()).await?;
        let slack = SlackWeb::new(&settings.slack_api_url, &settings.slack_bot_token)
            .context("cannot set up the Slack client")?
            .with_pace(settings.posts_per_second);
        let listener = TcpListener::bind(("0.0.0.0", settings.port))
            .await
            .with_context(|| format!("cannot listen on port {}", settings.port))?;
        let state = AppState::new(settings, Arc::new(store), slack, ports);
        let router = router(state.clone())?;
        let worker = worker::spawn(state.clone());
        Ok(Application {
            listener,
            router,
            state,
            worker,
        })
    }

    /// The port actually bound (useful with `PORT=0`).
    /// The state its requests and jobs share (tests drive use-cases with it).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until SIGTERM or Ctrl-C: then stops accepting, gives requests in
    /// flight [`SHUTDOWN_DRAIN`](http::server::SHUTDOWN_DRAIN), gives the worker
    /// and the background work of requests [`SHUTDOWN_GRACE`] to finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        http::server::serve(self.listener, self.router, shutdown_signal()).await;
        let tasks = &self.state.tasks;
        tasks.close();
        let (_, finished) = tokio::join!(
            self.worker.stop(SHUTDOWN_GRACE),
            tokio::time::timeout(SHUTDOWN_GRACE, tasks.wait())
        );
        if finished.is_err() {
            tracing::warn!(
                left = tasks.len(),
                "background work of requests did not finish in time"
            );
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Every route: each door brings its own router.
pub fn router(state: AppState) -> anyhow::Result<Router> {
    Ok(Router::new()
        .merge(http::health::router())
        .merge(http::server::limit_bodies(
            http::slack::router(state.clone()).merge(http::sns::handler::router(state.clone())?),
        ))
        .layer(from_fn(metrics::track))
        .layer(telemetry::request_trace())
        .with_state(state))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
