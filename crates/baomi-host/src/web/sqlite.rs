//! Browser databases opened without writing a byte: the file and its WAL are read into memory through
//! the [`Root`], the WAL's committed frames applied there ([`super::wal`]), and the image handed to
//! SQLite's in-memory `deserialize`, read-only.
//!
//! Not `?immutable=1`: it skips the WAL, and Firefox keeps its latest visits there for a long time. Not
//! a normal read-only open either: SQLite would create `-shm`, take locks the running browser sees, and
//! may replay a hot journal. Not a copy on disk: on a live system /tmp is on the inspected disk, and a
//! copy is a write an inspection must not make. Reading the bytes ourselves also means a running
//! browser's exclusive lock (Chromium holds one) does not stop us. The price: the file and its WAL
//! are separate reads, not one snapshot. The WAL is read first and its header again after the
//! database; a header that changed means a checkpoint restarted the log meanwhile, and the pair is
//! read again. A checkpoint that does not restart the log can still land between the reads (rare: a
//! few milliseconds while the browser writes); the image may then be inconsistent, which SQLite reports
//! as corruption and the check as a problem.
//!
//! A Chromium `History-journal` that is hot (its header intact, a transaction under way or interrupted)
//! means the database file may hold half of that transaction. Rolling it back would need the journal's
//! pages applied in memory too; we read the file as it is and report the journal as a problem, since
//! what is at stake is at most the last few seconds of history.

use super::wal::{self, WalApplied};
use super::{History, Visit};
use crate::Root;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB, OpenFlags};
use std::io::Read;

/// Largest database read (a History of many years is a few hundred MB at most; the image is held
/// twice while SQLite takes its copy).
pub const MAX_DB: u64 = 512 << 20;
/// Largest WAL read.
pub const MAX_WAL: u64 = 256 << 20;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];

/// A browser database, open read-only in memory.
pub struct Db {
    /// The connection (in memory, read-only).
    pub conn: Connection,
    /// What the WAL contributed (all zero when there was none).
    pub wal: WalApplied,
    /// Things worth telling about how it was read (an ignored WAL, a hot journal).
    pub notes: Vec<String>,
}

/// Read `path` (and `path-wal`) from the inspected system and open the result.
pub fn open(root: &Root, path: &str) -> Result<Db, String> {
    let wal_path = format!("{path}-wal");
    let mut attempt = 0;
    let (image, log, mut notes) = loop {
        attempt += 1;
        let (log, notes) = match root.read(&wal_path, MAX_WAL) {
            Ok(log) => (Some(log), Vec::new()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, Vec::new()),
            Err(e) => (None, vec![format!("{wal_path} unreadable: {e}")]),
        };
        let image = root.read(path, MAX_DB).map_err(|e| e.to_string())?;
        let before = log.as_deref().and_then(|l| l.get(..32)).map(<[u8]>::to_vec);
        let after = read_head(root, &wal_path, 32).filter(|h| h.len() == 32);
        if before == after || attempt >= 3 {
            break (image, log, notes);
        }
    };
    let journal = format!("{path}-journal");
    if let Some(head) = read_head(root, &journal, 8)
        && head.starts_with(&JOURNAL_MAGIC)
    {
        notes.push(format!(
            "{journal} is hot (a write was under way): read the database as it is"
        ));
    }
    let mut db = from_bytes(image, log.as_deref())?;
    for note in &mut db.notes {
        *note = format!("{wal_path} {note}");
    }
    notes.append(&mut db.notes);
    db.notes = notes;
    Ok(db)
}

/// The first `n` bytes of a file (fewer when it is shorter), `None` when it cannot be opened.
fn read_head(root: &Root, path: &str, n: u64) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    root.open(path).ok()?.take(n).read_to_end(&mut head).ok()?;
    Some(head)
}

/// Open a database image and its WAL (when there is one), both already in memory.
pub fn from_bytes(mut image: Vec<u8>, log: Option<&[u8]>) -> Result<Db, String> {
    let mut notes = Vec::new();
    let mut applied = WalApplied::default();
    if let Some(log) = log {
        match wal::apply(&mut image, log, MAX_DB) {
            Ok(a) => {
                applied = a;
                if a.pages > 0 {
                    fix_size(&mut image, a.pages);
                }
            }
            Err(e) => notes.push(format!("not applied: {e}")),
        }
    }
    let conn = connect(image)?;
    Ok(Db {
        conn,
        wal: applied,
        notes,
    })
}

/// The header's database size is trusted by SQLite when its "valid-for" counter matches the change
/// counter; after a WAL the size the last commit recorded is the true one, so say so in the image.
fn fix_size(image: &mut [u8], pages: u32) {
    let counter: Option<[u8; 4]> = image.get(24..28).and_then(|c| c.try_into().ok());
    if let (Some(counter), Some(size)) = (counter, image.get_mut(28..32)) {
        size.copy_from_slice(&pages.to_be_bytes());
        if let Some(valid_for) = image.get_mut(92..96) {
            valid_for.copy_from_slice(&counter);
        }
    }
}

/// Open a database image (the WAL already applied) in memory, read-only.
pub fn connect(mut image: Vec<u8>) -> Result<Connection, String> {
    if image.is_empty() {
        return Err("empty file".into());
    }
    if !image.starts_with(SQLITE_MAGIC) {
        return Err("not an SQLite database".into());
    }
    // Bytes 18/19 are 2 in WAL mode; the in-memory VFS has no WAL, and the log is applied already.
    for b in image.iter_mut().skip(18).take(2) {
        if *b == 2 {
            *b = 1;
        }
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_in_memory_with_flags(flags).map_err(|e| e.to_string())?;
    // Sorts and temporary indices stay in memory: a temp file would land on the inspected disk.
    conn.execute_batch("PRAGMA temp_store = MEMORY; PRAGMA cell_size_check = ON;")
        .map_err(|e| e.to_string())?;
    let len = image.len();
    conn.deserialize_read_exact(MAIN_DB, image.as_slice(), len, true)
        .map_err(|e| e.to_string())?;
    drop(image);
    conn.execute_batch("PRAGMA query_only = ON;")
        .map_err(|e| e.to_string())?;
    // Reading the schema is where a damaged header or first page shows.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| e.to_string())?;
    Ok(conn)
}

/// Columns of `table` (empty when the table does not exist).
pub fn columns(conn: &Connection, table: &str) -> Vec<String> {
    let Ok(mut stmt) = conn.prepare("SELECT name FROM pragma_table_info(?1)") else {
        return Vec::new();
    };
    stmt.query_map([table], |r| r.get::<_, String>(0))
        .map(|rows| rows.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

/// Columns of `table` when it has every column in `required`, else `None` (an unknown schema).
pub fn table_with(conn: &Connection, table: &str, required: &[&str]) -> Option<Vec<String>> {
    let cols = columns(conn, table);
    required
        .iter()
        .all(|c| cols.iter().any(|k| k == c))
        .then_some(cols)
}

/// `expr` when `cols` holds `column`, else `NULL`: optional columns of older schemas.
pub fn if_column(cols: &[String], column: &str, expr: &'static str) -> &'static str {
    if cols.iter().any(|c| c == column) {
        expr
    } else {
        "NULL"
    }
}

/// The next row of a walk, or `None` at the end; a row that cannot be read ends the walk with its
/// error kept in `damaged` (what came before stays read).
pub fn next_row<'r>(
    rows: &'r mut rusqlite::Rows<'_>,
    damaged: &mut Option<String>,
) -> Option<&'r rusqlite::Row<'r>> {
    match rows.next() {
        Ok(row) => row,
        Err(e) => {
            *damaged = Some(e.to_string());
            None
        }
    }
}

/// A column as text, whatever SQLite stored (invalid UTF-8 replaced, NULL and '' as `None`).
pub fn text(v: ValueRef<'_>) -> Option<String> {
    let s = match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Null => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A column as an integer (text digits accepted; anything else `None`).
pub fn int(v: ValueRef<'_>) -> Option<i64> {
    match v {
        ValueRef::Integer(i) => Some(i),
        ValueRef::Real(f) if f.is_finite() => Some(f as i64),
        ValueRef::Text(t) => std::str::from_utf8(t).ok()?.trim().parse().ok(),
        _ => None,
    }
}

/// Run a history query whose columns are (url, title, visit count, last visit, first visit), times in
/// the browser's own unit turned into µs since 1970 by `unix_us`: every row is handed to `each`, the
/// first `cap` rows are kept. A row error ends the walk with `damaged` set; what came before is kept.
pub fn visits(
    conn: &Connection,
    sql: &str,
    unix_us: fn(Option<i64>) -> Option<i64>,
    cap: usize,
    each: &mut dyn FnMut(&Visit),
) -> Result<History, String> {
    let mut history = History::default();
    let mut stmt = conn.prepare(sql).map_err(|e| e.to_string())?;
    let limit = i64::try_from(super::MAX_SCAN).unwrap_or(i64::MAX);
    let mut rows = stmt.query([limit]).map_err(|e| e.to_string())?;
    while let Some(row) = next_row(&mut rows, &mut history.damaged) {
        let Some(url) = row.get_ref(0).ok().and_then(text) else {
            history.skipped += 1;
            continue;
        };
        let visit = Visit {
            url,
            title: row.get_ref(1).ok().and_then(text),
            visits: row.get_ref(2).ok().and_then(int).unwrap_or(0).max(0) as u64,
            last_us: unix_us(row.get_ref(3).ok().and_then(int)),
            first_us: unix_us(row.get_ref(4).ok().and_then(int)),
        };
        each(&visit);
        if history.visits.len() < cap {
            history.visits.push(visit);
        } else {
            history.capped = true;
        }
    }
    Ok(history)
}
