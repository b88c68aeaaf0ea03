//! `ecrscan serve`: the Slack bot for Amazon ECR image scanning.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ecrscan::app::{Application, Ports};
use ecrscan::config::Settings;

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
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // A `.env` in the working directory fills in what the environment does not set.
    let _ = dotenvy::dotenv();
    ecrscan::telemetry::init();
    match cli.command {
        Command::Serve => serve().await,
    }
}

async fn serve() -> ExitCode {
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("ecrscan: {error}");
            return ExitCode::from(2);
        }
    };
    let app = match Application::build(settings, Ports::from_env().await).await {
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
