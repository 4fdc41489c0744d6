//! Firefox `places.sqlite`: `moz_places` (URL, title, visit count, last visit) with the first visit
//! from `moz_historyvisits`; downloads are page annotations (`downloads/destinationFileURI`, a file://
//! URI, and `downloads/metaData`, JSON with the size). Times are microseconds since 1970.
//!
//! Places whose `visit_count` is 0 are left out: they are bookmarks never opened, or URLs seen only as
//! a download or an embedded frame, which Firefox itself does not count as visits.

use super::sqlite::{columns, if_column, int, next_row, table_with, text};
use super::{Download, History, Visit};
use rusqlite::Connection;

fn unix_us(t: Option<i64>) -> Option<i64> {
    t.filter(|&t| t > 0)
}

/// Read visits and downloads: every place (up to [`super::MAX_SCAN`]) is handed to `each`, the most
/// recent `cap` are kept.
pub fn read(
    conn: &Connection,
    cap: usize,
    each: &mut dyn FnMut(&Visit),
) -> Result<History, String> {
    let Some(cols) = table_with(
        conn,
        "moz_places",
        &["url", "visit_count", "last_visit_date"],
    ) else {
        return Err("no moz_places table (unknown schema)".into());
    };
    let title = if_column(&cols, "title", "p.title");
    let first = if_column(
        &columns(conn, "moz_historyvisits"),
        "visit_date",
        "(SELECT min(v.visit_date) FROM moz_historyvisits v WHERE v.place_id = p.id)",
    );
    let sql = format!(
        "SELECT p.url, {title}, p.visit_count, p.last_visit_date, {first} FROM moz_places p \
         WHERE p.visit_count > 0 ORDER BY p.last_visit_date DESC LIMIT ?1"
    );
    let mut history = super::sqlite::visits(conn, &sql, unix_us, cap, each)?;
    downloads(conn, &mut history);
    Ok(history)
}

fn downloads(conn: &Connection, history: &mut History) {
    if columns(conn, "moz_annos").is_empty() || columns(conn, "moz_anno_attributes").is_empty() {
        return;
    }
    let sql = "SELECT p.url, a.content, a.dateAdded, \
         (SELECT m.content FROM moz_annos m JOIN moz_anno_attributes mn ON mn.id = m.anno_attribute_id \
          WHERE m.place_id = a.place_id AND mn.name = 'downloads/metaData' LIMIT 1) \
         FROM moz_annos a JOIN moz_anno_attributes n ON n.id = a.anno_attribute_id \
         JOIN moz_places p ON p.id = a.place_id \
         WHERE n.name = 'downloads/destinationFileURI' ORDER BY a.id LIMIT ?1";
    let Ok(mut stmt) = conn.prepare(sql) else {
        history.damaged = Some("download annotations unreadable".into());
        return;
    };
    let limit = i64::try_from(super::MAX_DOWNLOADS).unwrap_or(i64::MAX);
    let Ok(mut rows) = stmt.query([limit]) else {
        history.damaged = Some("download annotations unreadable".into());
        return;
    };
    while let Some(row) = next_row(&mut rows, &mut history.damaged) {
        let url = row.get_ref(0).ok().and_then(text).unwrap_or_default();
        let Some(target_path) = row
            .get_ref(1)
            .ok()
            .and_then(text)
            .as_deref()
            .and_then(file_uri_path)
        else {
            history.skipped += 1;
            continue;
        };
        let bytes = row
            .get_ref(3)
            .ok()
            .and_then(text)
            .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
            .and_then(|m| m.get("fileSize").and_then(serde_json::Value::as_u64));
        history.downloads.push(Download {
            url,
            target_path,
            current_path: None,
            start_us: unix_us(row.get_ref(2).ok().and_then(int)),
            bytes,
        });
    }
}

/// The path a `file://` URI names (percent-escapes decoded as UTF-8, invalid sequences replaced).
pub fn file_uri_path(uri: &str) -> Option<String> {
    let rest = uri
        .strip_prefix("file://")
        .or_else(|| uri.strip_prefix("FILE://"))?;
    // `file://host/path`: the host part (usually empty or localhost) is not part of the path.
    let path = if rest.starts_with('/') {
        rest
    } else {
        &rest[rest.find('/')?..]
    };
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && let Some(h) = bytes.get(i + 1..i + 3)
            && let Ok(s) = std::str::from_utf8(h)
            && let Ok(v) = u8::from_str_radix(s, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}
