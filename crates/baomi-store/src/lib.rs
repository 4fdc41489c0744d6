//! The confidentiality office's records — registers, imported reports and their findings, accounts,
//! sessions and the hash-chained audit log — on SQLite (one file, the default) or PostgreSQL (when an
//! organisation outgrows one file).
//!
//! Only this crate contains SQL. Both backends go through `sqlx`'s `Any` driver with one set of
//! queries: the SQL is the portable subset both speak (`$N` placeholders, which `sqlx`'s SQLite driver
//! maps to argument N; `RETURNING`; `BIGINT` and `TEXT` only), so a query cannot drift between them.
//! Each backend has its own migrations, run at [`Store::open`]. Queries are checked at run time, so a
//! build needs no database.
//!
//! Every change goes through a transaction that also appends to the audit log (see [`audit`]): a
//! change that is stored is logged, and a change that fails logs nothing.

#![deny(missing_docs)]

mod accounts;
pub mod audit;
mod bulk;
pub mod campaigns;
pub mod computer_correlation;
pub mod correlate;
mod media;
pub mod model;
mod people;
mod places;
pub mod rectify;
mod registers;
mod reports;
pub mod scorecard;
pub mod trainings;

pub use accounts::{ApiToken, NewUser, Session, User};
pub use audit::{AuditEntry, AuditProblem, AuditVerdict};
pub use bulk::{ImportSummary, MAX_IMPORT_ROWS, RowProblem};
pub use correlate::CorrelationRow;
pub use media::{MediaFilter, Medium, MediumEvent, MediumInput, Transition};
pub use model::{ComputerStatus, MediumState, RectState, Role};
pub use people::{Person, PersonInput};
pub use places::{Place, PlaceInput};
pub use rectify::{
    Attachment, FalsePositive, RectEvent, RectFile, RectFilter, RectMove, Rectification,
};
pub use registers::{Computer, ComputerFilter, ComputerInput, Coverage, Department};
pub use reports::{FindingFilter, FindingRow, Imported, ReportRow, UsbSeen};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

/// What can go wrong in the store. `Invalid` and `Conflict` carry a message for people.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// A migration failed at start-up.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// `--db` is neither `sqlite:…` nor `postgres://…`.
    #[error("unsupported database address {0:?}: use sqlite:FILE or postgres://USER@HOST/DB")]
    Address(String),
    /// Input that breaks a rule of the registers or the report contract; nothing was stored.
    #[error("{0}")]
    Invalid(String),
    /// A unique key is taken (an asset number, a user name).
    #[error("{0}")]
    Conflict(String),
    /// The record asked for does not exist.
    #[error("not found")]
    NotFound,
    /// Rows of an imported file that break a register's rules; nothing of the file was stored.
    #[error("{}", rows_message(.0))]
    Rows(Vec<RowProblem>),
}

fn rows_message(rows: &[RowProblem]) -> String {
    let mut out = format!("{} rows cannot be imported; nothing was stored", rows.len());
    for p in rows.iter().take(20) {
        out.push_str(&format!("\nrow {}: {}", p.row, p.message));
    }
    if rows.len() > 20 {
        out.push_str(&format!("\n… and {} more", rows.len() - 20));
    }
    out
}

/// The store's result.
pub type Result<T> = std::result::Result<T, Error>;

/// Which database is behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The office's database. Cheap to clone (a pool handle).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Answers computed from everything stored (scorecards, monthly counts), kept until the next change.
    aggregates: std::sync::Arc<std::sync::Mutex<Aggregates>>,
}

/// Aggregates over the whole office cost a second at 5 million findings and are read on every
/// dashboard view. Every change appends to the audit log, so the chain's head number says whether a
/// kept answer is still true: each entry is kept with the number it was computed at (and the day, for
/// what depends on today's date).
#[derive(Debug, Default)]
pub(crate) struct Aggregates {
    pub(crate) scorecards: std::collections::HashMap<String, (i64, scorecard::Scorecard)>,
    pub(crate) months: std::collections::HashMap<String, (i64, Vec<(String, i64)>)>,
}

/// Entries kept per kind of aggregate; past it, all are dropped (periods and departments asked for are
/// few, a flood of odd ones should not grow memory).
pub(crate) const MAX_KEPT_AGGREGATES: usize = 256;

impl Store {
    /// Connect to `address` (`sqlite:baomi.db`, `sqlite:///abs/path.db`, `postgres://…`) and bring its
    /// schema up to date. A SQLite file is created when missing and put in WAL mode, so readers do not
    /// wait for an import.
    pub async fn open(address: &str) -> Result<Store> {
        install_default_drivers();
        let backend = if address.starts_with("sqlite:") {
            Backend::Sqlite
        } else if address.starts_with("postgres://") || address.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(Error::Address(address.to_owned()));
        };
        let url = match backend {
            Backend::Sqlite if !address.contains('?') => format!("{address}?mode=rwc"),
            _ => address.to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Foreign keys are per connection in SQLite; a writer waits for another
                        // instead of failing at once.
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        if backend == Backend::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        match backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&pool).await?,
        }
        Ok(Store {
            pool,
            backend,
            aggregates: std::sync::Arc::default(),
        })
    }

    /// The audit chain's head number: it moves with every stored change.
    pub(crate) async fn change_mark(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT seq FROM audit_head WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The aggregate kept for `key` (see [`Aggregates`]) if it is still true at `mark`.
    pub(crate) fn kept<T: Clone>(
        &self,
        pick: impl Fn(&mut Aggregates) -> &mut std::collections::HashMap<String, (i64, T)>,
        key: &str,
        mark: i64,
    ) -> Option<T> {
        let mut a = self.aggregates.lock().ok()?;
        match pick(&mut a).get(key) {
            Some((m, v)) if *m == mark => Some(v.clone()),
            _ => None,
        }
    }

    /// Keep `value` for `key` as of `mark`.
    pub(crate) fn keep<T>(
        &self,
        pick: impl Fn(&mut Aggregates) -> &mut std::collections::HashMap<String, (i64, T)>,
        key: String,
        mark: i64,
        value: T,
    ) {
        if let Ok(mut a) = self.aggregates.lock() {
            let map = pick(&mut a);
            if map.len() >= MAX_KEPT_AGGREGATES {
                map.clear();
            }
            map.insert(key, (mark, value));
        }
    }

    /// A transaction that will write. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`,
    /// waiting up to the busy timeout for another writer): a deferred transaction that reads first and
    /// writes later fails outright (`SQLITE_BUSY_SNAPSHOT`) when another connection committed in
    /// between, which a busy timeout cannot help.
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Close the pool, waiting for connections in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The date in China (UTC+8, no daylight saving) at `unix`, `YYYY-MM-DD`: what deadlines, training
/// dates and notices are written in.
pub fn china_date(unix: i64) -> String {
    jiff::Timestamp::from_second(unix.saturating_add(8 * 3600))
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Row ids as an SQL list (`1,2,3`): integers formatted here, never input, so safe to inline where
/// a query takes a chunk of ids at once.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Now, in Unix seconds: the unit of every time the server itself records.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A unique-key violation, told apart from other database errors so that callers can say which key.
fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation()
                || d.message().contains("UNIQUE constraint failed")
                || d.code().as_deref() == Some("23505")
        }
        _ => false,
    }
}

/// A register write's database error in plain words: a taken unique key (`taken` names it, as in
/// "the asset number \"X\"") or a department that does not exist; anything else as it is.
fn register_write_error(e: sqlx::Error, taken: &str) -> Error {
    if is_unique_violation(&e) {
        Error::Conflict(format!("{taken} is already registered"))
    } else if is_foreign_key_violation(&e) {
        Error::Invalid("no such department".into())
    } else {
        e.into()
    }
}

/// A foreign-key violation (a department or computer that does not exist).
fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_foreign_key_violation()
                || d.message().contains("FOREIGN KEY constraint failed")
                || d.code().as_deref() == Some("23503")
        }
        _ => false,
    }
}

/// For tests: fresh stores on both backends, and a way under the store (to tamper with the audit
/// log, say).
#[doc(hidden)]
pub mod testing {
    use sqlx::Executor;

    /// The store's pool.
    pub fn pool(store: &super::Store) -> &sqlx::AnyPool {
        &store.pool
    }

    /// The PostgreSQL tests use: `BAOMI_TEST_POSTGRES`, or the one CI machines run.
    pub fn postgres_base() -> String {
        std::env::var("BAOMI_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
    }

    /// A store in schema `baomi_test_<name>` of the test PostgreSQL, dropped and made again, so
    /// tests run side by side. Panics when PostgreSQL cannot be reached: a test that needs it fails,
    /// it is never skipped.
    pub async fn fresh_postgres(name: &str) -> super::Store {
        let base = postgres_base();
        sqlx::any::install_default_drivers();
        let schema = format!("baomi_test_{name}");
        let admin = sqlx::AnyPool::connect(&base).await.unwrap_or_else(|e| {
            panic!("PostgreSQL at {base} is needed by this test (set BAOMI_TEST_POSTGRES): {e}")
        });
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            )))
            .await
            .unwrap_or_else(|e| panic!("cannot create schema {schema}: {e}"));
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        super::Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"))
    }

    /// A store in a new SQLite file under `dir`.
    pub async fn fresh_sqlite(dir: &std::path::Path) -> super::Store {
        let url = format!("sqlite://{}", dir.join("baomi.db").display());
        super::Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"))
    }
}
