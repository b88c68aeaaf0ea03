//! Fresh databases for tests: an SQLite file, or a new PostgreSQL database on the
//! server at `ECRSCAN_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432`).

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;
use tempfile::TempDir;

/// A database URL that lives as long as this value (the SQLite file's folder).
pub struct TestDatabase {
    pub url: String,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    /// The same database for another instance (valid while `self` lives).
    pub fn shared(&self) -> TestDatabase {
        TestDatabase {
            url: self.url.clone(),
            _dir: None,
        }
    }
}

pub fn server() -> String {
    std::env::var("ECRSCAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub fn sqlite() -> TestDatabase {
    let dir = tempfile::tempdir().unwrap();
    TestDatabase {
        url: format!("sqlite://{}/ecrscan.db", dir.path().display()),
        _dir: Some(dir),
    }
}

/// A new, empty PostgreSQL database (left behind for inspection; the names say which run made them).
pub async fn postgres() -> TestDatabase {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "ecrscan_test_{}_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_subsec_nanos(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::PgConnection::connect(&format!("{}/postgres", server()))
        .await
        .expect("PostgreSQL on 127.0.0.1:5432 (set ECRSCAN_TEST_POSTGRES to use another)");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    TestDatabase {
        url: format!("{}/{name}", server()),
        _dir: None,
    }
}

/// Both engines, SQLite first.
pub async fn both() -> Vec<TestDatabase> {
    vec![sqlite(), postgres().await]
}
