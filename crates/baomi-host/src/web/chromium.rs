//! Chromium-family `History`: `urls` (one row per URL with its visit count and last visit) with the
//! first visit from `visits`, and `downloads` with their URL chains. Columns are checked before they
//! are asked for: schemas changed over the years (old versions had `downloads.full_path` and `url`).

use super::sqlite::{columns, if_column, int, next_row, table_with, text};
use super::{Download, History, Visit};
use rusqlite::Connection;

/// Microseconds between 1601-01-01 (Windows FILETIME epoch, used by Chromium) and 1970-01-01.
const EPOCH_1601_US: i64 = 11_644_473_600_000_000;

fn unix_us(t: Option<i64>) -> Option<i64> {
    t.filter(|&t| t > 0).map(|t| t - EPOCH_1601_US)
}

/// Read visits and downloads: every URL (up to [`super::MAX_SCAN`]) is handed to `each`, the most
/// recent `cap` are kept.
pub fn read(
    conn: &Connection,
    cap: usize,
    each: &mut dyn FnMut(&Visit),
) -> Result<History, String> {
    let Some(url_cols) = table_with(conn, "urls", &["url", "visit_count", "last_visit_time"])
    else {
        return Err("no Chromium urls table (unknown schema)".into());
    };
    let title = if_column(&url_cols, "title", "u.title");
    let first = if_column(
        &columns(conn, "visits"),
        "visit_time",
        "(SELECT min(v.visit_time) FROM visits v WHERE v.url = u.id AND v.visit_time > 0)",
    );
    let sql = format!(
        "SELECT u.url, {title}, u.visit_count, u.last_visit_time, {first} FROM urls u \
         WHERE u.last_visit_time > 0 ORDER BY u.last_visit_time DESC LIMIT ?1"
    );
    let mut history = super::sqlite::visits(conn, &sql, unix_us, cap, each)?;
    downloads(conn, &mut history);
    Ok(history)
}

fn downloads(conn: &Connection, history: &mut History) {
    let cols = columns(conn, "downloads");
    if cols.is_empty() {
        return;
    }
    let has = |c: &str| cols.iter().any(|k| k == c);
    let pick = |c: &'static str| if has(c) { c } else { "NULL" };
    let chains = columns(conn, "downloads_url_chains");
    let chain_ok = ["id", "chain_index", "url"]
        .iter()
        .all(|c| chains.iter().any(|k| k == c));
    // The last URL of the chain is where the bytes came from (after redirects); the first is what was
    // clicked. Older schemas kept a single `url` column in `downloads`.
    let url = if chain_ok {
        "(SELECT c.url FROM downloads_url_chains c WHERE c.id = d.id ORDER BY c.chain_index DESC LIMIT 1)"
    } else {
        pick("url")
    };
    let target = if has("target_path") {
        "target_path"
    } else {
        pick("full_path")
    };
    let sql = format!(
        "SELECT {url}, {target}, {}, {}, {}, {}, {} FROM downloads d ORDER BY d.rowid LIMIT ?1",
        pick("current_path"),
        pick("start_time"),
        pick("received_bytes"),
        pick("tab_url"),
        pick("referrer"),
    );
    let Ok(mut stmt) = conn.prepare(&sql) else {
        history.damaged = Some("downloads table unreadable".into());
        return;
    };
    let limit = i64::try_from(super::MAX_DOWNLOADS).unwrap_or(i64::MAX);
    let Ok(mut rows) = stmt.query([limit]) else {
        history.damaged = Some("downloads table unreadable".into());
        return;
    };
    while let Some(row) = next_row(&mut rows, &mut history.damaged) {
        let get = |i: usize| row.get_ref(i).ok().and_then(text);
        let url = get(0)
            .or_else(|| get(5))
            .or_else(|| get(6))
            .unwrap_or_default();
        let target_path = get(1).unwrap_or_default();
        let current_path = get(2);
        if url.is_empty() && target_path.is_empty() {
            history.skipped += 1;
            continue;
        }
        history.downloads.push(Download {
            url,
            target_path,
            current_path,
            start_us: unix_us(row.get_ref(3).ok().and_then(int)),
            bytes: row
                .get_ref(4)
                .ok()
                .and_then(int)
                .and_then(|b| u64::try_from(b).ok()),
        });
    }
}
