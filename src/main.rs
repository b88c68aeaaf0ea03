//! `ecrscan serve`: the Slack bot for Amazon ECR image scanning; `ecrscan doctor`:
//! whether it can work as configured; `ecrscan preview`: its messages, offline.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ecrscan::aws::Ports;
use ecrscan::config::Settings;
use ecrscan::doctor;
use ecrscan::startup::Application;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (`mimalloc.h`); the bindings
/// leave it unnamed.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory freed is given back to the system at once. With mimalloc's default
/// delay (10 ms) the purge waits for the thread's next allocation, and a thread
/// that goes idle after a burst (say, of stalled 1 MiB bodies) keeps it all.
fn give_freed_memory_back_at_once() {
    // SAFETY: mimalloc's options are not thread-safe; no other thread exists yet.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

#[derive(Parser)]
#[command(version, about = "Slack-native Amazon ECR image scanning")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (Slack commands, SNS notifications, health checks).
    Serve,
    /// Check the settings, the Slack token, the AWS permissions (read-only calls) and
    /// the registry's scan type; print a checklist with the fix for each failure.
    /// Exits non-zero when a check failed.
    Doctor,
    /// Print the messages the bot would post for a scan event, as Block Kit JSON and
    /// Block Kit Builder links; or, with `--home`, the App Home as the database
    /// (`DATABASE_URL`) would show it. Needs no Slack or AWS settings.
    Preview {
        /// An EventBridge event (`ECR Image Scan`, `Inspector2 Scan` or
        /// `Inspector2 Finding`), as JSON.
        #[arg(required_unless_present = "home")]
        event: Option<PathBuf>,
        /// Print the App Home instead, from the local database.
        #[arg(long, conflicts_with_all = ["event", "findings"])]
        home: bool,
        /// A saved `aws ecr describe-image-scan-findings` response for the same image;
        /// without it, the summary shows the event's severity counts only.
        #[arg(long, value_name = "FINDINGS.json")]
        findings: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    give_freed_memory_back_at_once();
    run()
}

#[tokio::main]
async fn run() -> ExitCode {
    let cli = Cli::parse();
    // A `.env` in the working directory fills in what the environment does not set.
    let _ = dotenvy::dotenv();
    match cli.command {
        Command::Serve => serve().await,
        Command::Doctor => run_doctor().await,
        Command::Preview { home: true, .. } => preview_home().await,
        Command::Preview {
            event, findings, ..
        } => {
            let event = event.expect("clap requires EVENT without --home");
            preview(&event, findings.as_deref())
        }
    }
}

fn preview(event: &std::path::Path, findings: Option<&std::path::Path>) -> ExitCode {
    printed(ecrscan::preview::run(event, findings))
}

async fn preview_home() -> ExitCode {
    let database_url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| ecrscan::config::DEFAULT_DATABASE_URL.to_string());
    printed(ecrscan::preview::home::run(&database_url).await)
}

fn printed(report: anyhow::Result<String>) -> ExitCode {
    match report {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("ecrscan preview: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_doctor() -> ExitCode {
    let settings = Settings::from_env();
    let registries =
        (settings.as_ref()).map_or_else(|_| Default::default(), |s| s.registries.clone());
    let answers = doctor::ask(&settings, &Ports::from_env(&registries).await).await;
    let checks = doctor::checklist(&settings, &answers);
    print!("{}", doctor::render(&checks));
    match doctor::passed(&checks) {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}

async fn serve() -> ExitCode {
    ecrscan::telemetry::init();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("ecrscan: {error}");
            return ExitCode::from(2);
        }
    };
    let ports = Ports::from_env(&settings.registries).await;
    let app = match Application::build(settings, ports).await {
        Ok(app) => app,
        Err(error) => {
            eprintln!("ecrscan: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(port = app.port(), "ecrscan is serving");
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ecrscan: {error}");
            ExitCode::FAILURE
        }
    }
}
