//! The application: shared state, the router, and a server tests can start on port 0.

use std::ops::Deref;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::from_fn;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower_http::trace::TraceLayer;

use crate::aws::{Ecr, Scheduler};
use crate::config::Settings;
use crate::metrics;
use crate::slack;
use crate::slack::client::SlackWeb;
use crate::sns::Verifier;
use crate::store::{self, Store};
use crate::worker::Worker;

/// How long the worker may take to finish its job after SIGTERM.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The parts behind [`AppState`].
pub struct Inner {
    pub settings: Settings,
    pub store: Arc<dyn Store>,
    pub slack: SlackWeb,
    pub ecr: Arc<dyn Ecr>,
    /// Verifies SNS messages (certificates cached).
    pub sns: Verifier,
    /// For confirming SNS subscriptions: no redirects followed.
    pub http: reqwest::Client,
    /// Wakes the worker when a job was stored.
    pub jobs: Notify,
    pub scheduler: Arc<dyn Scheduler>,
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// The AWS side, as ports (the SDK in production, the SDK against an emulator in tests).
pub struct Ports {
    pub ecr: Arc<dyn Ecr>,
    pub scheduler: Arc<dyn Scheduler>,
}

impl Ports {
    /// SDK-backed ports from the standard AWS configuration chain.
    pub async fn from_env() -> Self {
        let config = crate::aws::load_config().await;
        Ports {
            ecr: Arc::new(crate::aws::SdkEcr::new(aws_sdk_ecr::Client::new(&config))),
            scheduler: Arc::new(crate::aws::SdkScheduler::new(
                aws_sdk_scheduler::Client::new(&config),
            )),
        }
    }
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    worker: Worker,
}

impl Application {
    /// Opens the database (migrating it), binds `0.0.0.0:PORT`, and builds the router.
    pub async fn build(settings: Settings, ports: Ports) -> anyhow::Result<Self> {
        let store = store::connect(&settings.database_url).await?;
        let slack = SlackWeb::new(&settings.slack_api_url, &settings.slack_bot_token)
            .context("cannot set up the Slack client")?;
        if let Some(origin) = &settings.insecure_sns_cert_origin {
            tracing::warn!(%origin, "ECRSCAN_INSECURE_SNS_CERT_ORIGIN is set: SNS certificates from this origin are trusted (tests only)");
        }
        let sns = Verifier::new(
            settings.sns_topic_arns.clone(),
            settings.sns_cert_dir.clone(),
            settings.insecure_sns_cert_origin.clone(),
        )?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let listener = TcpListener::bind(("0.0.0.0", settings.port))
            .await
            .with_context(|| format!("cannot listen on port {}", settings.port))?;
        let state = AppState(Arc::new(Inner {
            settings,
            store: Arc::new(store),
            slack,
            ecr: ports.ecr,
            sns,
            http,
            jobs: Notify::new(),
            scheduler: ports.scheduler,
        }));
        let worker = crate::worker::spawn(state.clone());
        Ok(Application {
            listener,
            state,
            worker,
        })
    }

    /// The port actually bound (useful with `PORT=0`).
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until SIGTERM or Ctrl-C: then stops accepting, lets requests in
    /// flight finish, and gives the worker [`SHUTDOWN_GRACE`] to finish its job.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = axum::serve(self.listener, router(self.state.clone()))
            .with_graceful_shutdown(shutdown_signal())
            .await;
        self.worker.stop(SHUTDOWN_GRACE).await;
        tracing::info!("stopped");
        served
    }
}

/// Every route: each surface brings its own router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics::serve))
        .merge(slack::router(state.clone()))
        .merge(crate::sns::handler::router())
        .layer(from_fn(metrics::track))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
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
