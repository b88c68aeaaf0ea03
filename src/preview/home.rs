//! `ecrscan preview --home`: the App Home as the local database would show it,
//! with no Slack or AWS settings (so without the next scheduled scans, which
//! only EventBridge Scheduler knows).

use anyhow::{Context, bail};
use chrono::Utc;
use slack_morphism::prelude::SlackView;

use super::{BUILDER_URL, COMPONENT};
use crate::service::home::postures_of;
use crate::slack::blocks;
use crate::store::Home;

/// The first page of the Home from the database at `database_url`.
pub async fn run(database_url: &str) -> anyhow::Result<String> {
    if let Some(path) = database_url.strip_prefix("sqlite://")
        && !std::path::Path::new(path).exists()
    {
        bail!("DATABASE_URL names no database yet ({path}): `ecrscan serve` creates it");
    }
    let store = crate::store::connect(database_url)
        .await
        .with_context(|| "cannot open DATABASE_URL")?;
    let histories = store.image_histories().await?;
    let threads = store.all_image_threads().await?;
    let now = Utc::now();
    let postures = postures_of(histories, &threads, &[], now);
    Ok(report(&blocks::home(&postures, 0, now)))
}

/// The view as Block Kit JSON, and a Block Kit Builder link that opens it.
pub fn report(view: &SlackView) -> String {
    let json = serde_json::to_string(view).expect("views serialise");
    let pretty = serde_json::to_string_pretty(view).expect("views serialise");
    let link = percent_encoding::utf8_percent_encode(&json, COMPONENT);
    format!("The App Home, first page:\n{pretty}\nBlock Kit Builder: {BUILDER_URL}{link}\n")
}
