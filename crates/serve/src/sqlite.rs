//! One SQLite connection behind a mutex, opened with its schema: what the decisions database
//! and trainer mode's tables each hold (small, rare writes; one writer at a time is plenty).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;

use crate::error::ServeError;

#[derive(Debug)]
pub(crate) struct Sqlite {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl Sqlite {
    /// Opens (creating) the database at `path` and runs `schema` (idempotent statements).
    pub(crate) fn open(path: &Path, schema: &str) -> Result<Self, ServeError> {
        let err = |source| ServeError::Database {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        conn.execute_batch(schema).map_err(err)?;
        Ok(Self {
            path: path.to_owned(),
            conn: Mutex::new(conn),
        })
    }

    /// Opens an existing database to read it: never created, never written (no schema run).
    pub(crate) fn open_read_only(path: &Path) -> Result<Self, ServeError> {
        use rusqlite::OpenFlags;
        let err = |source| ServeError::Database {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        Ok(Self {
            path: path.to_owned(),
            conn: Mutex::new(conn),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the connection; its errors name the database.
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, ServeError> {
        let mut conn = self
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut conn).map_err(|source| ServeError::Database {
            path: self.path.clone(),
            source,
        })
    }
}
