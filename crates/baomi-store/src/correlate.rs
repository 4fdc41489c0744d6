//! What no single computer's report can show: the same USB device seen on computers of different
//! zones, and devices against the media register.
//!
//! A correlation is about one **subject** (a USB device, `usb:VID:PID:SERIAL`). Whenever something
//! about a subject changes — a report that saw it is imported or assigned, the medium with its serial
//! is registered, changed or moved through its life — all of the subject's correlations are computed
//! again from everything stored, inside that change's transaction. The result is a function of what is
//! stored, not of the order it arrived in, and `baomi correlate --all` recomputes every subject.
//!
//! The rules (severity in brackets):
//! - `cross_use` — the device was used on a classified and on an Internet computer [critical], or on an
//!   internal and an Internet computer [high]. The timeline says which way data could have flowed.
//! - `unregistered_medium_on_classified` — on a classified computer, and not in the media register [high].
//! - `unclassified_medium_on_classified` — registered as not for classified use (level `internal` or
//!   `none`) and used on a classified computer [high].
//! - `classified_medium_off_classified` — registered at a state-secret level and used on an Internet
//!   [critical] or internal [high] computer.
//! - `medium_seen_after_destroyed_or_lost` — registered as destroyed or lost, and connected somewhere
//!   after that was recorded [critical].
//!
//! A device without a serial number, or with one that many devices share (`0123456789ABCDEF`, a run of
//! one character, fewer than 8 characters), is not correlated: two such sticks cannot be told apart,
//! and a false cross-use accusation is worse than none.

use crate::model::{MediumState, level_rank};
use crate::{Result, Store, now};
use serde_json::{Value, json};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// One computer's (or one unmatched report's) use of a device, merged over its reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting {
    /// The registered computer, when the report is linked to one.
    pub computer_id: Option<i64>,
    /// The report it was seen in (the latest one, for a computer seen in several).
    pub report_row: i64,
    /// Asset number, or the host name of an unmatched report.
    pub label: String,
    /// Zone: the register's when linked, else what the inspector declared at scan time.
    pub zone: String,
    /// The computer's department.
    pub department_id: Option<i64>,
    /// Unix seconds of the first and last connection seen, when the logs said.
    pub first_seen: Option<i64>,
    /// See `first_seen`.
    pub last_seen: Option<i64>,
    /// Connections seen (the largest count of any one report: reports of the same computer re-read the
    /// same logs).
    pub connections: i64,
}

/// The medium registered under a device's VID:PID:serial.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredMedium {
    /// Row id.
    pub id: i64,
    /// The office's number.
    pub number: String,
    /// Its level.
    pub level: String,
    /// Where it stands.
    pub state: MediumState,
    /// When it was put in that state (Unix seconds), for destroyed and lost.
    pub state_since: Option<i64>,
}

/// One correlated finding, before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    /// The rule (see the module's list).
    pub rule: &'static str,
    /// `critical` or `high`.
    pub severity: &'static str,
    /// Everything it rests on: the device, the registered medium, the timeline, the direction.
    pub detail: Value,
    /// The earliest and latest connection of the timeline.
    pub first_at: Option<i64>,
    /// See `first_at`.
    pub last_at: Option<i64>,
    /// (computer id, department id) of each registered computer involved, by id.
    pub computers: Vec<(i64, Option<i64>)>,
}

/// True for a serial that many devices share or that is too short to tell devices apart.
pub fn is_weak_serial(serial: &str) -> bool {
    let s = serial.trim();
    let upper = s.to_ascii_uppercase();
    s.chars().count() < 8
        || s.chars().all(|c| s.starts_with(c))
        || "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".starts_with(&upper)
        || "1234567890ABCDEF".starts_with(&upper)
}

/// An RFC 3339 time as Unix seconds.
pub(crate) fn unix(t: &str) -> Option<i64> {
    t.trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_second())
}

/// A computer's latest report: the one whose scan started last (an instant, whatever the offset it
/// was written with), then the greatest report id — never the order of import, so every reader agrees.
/// Returns (start in Unix seconds, report id, row).
pub(crate) async fn latest_report_of(
    conn: &mut AnyConnection,
    computer_id: i64,
) -> Result<Option<(Option<i64>, String, i64)>> {
    let reports: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, report_id, started_at FROM reports WHERE computer_id = $1")
            .bind(computer_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(reports
        .into_iter()
        .map(|(row, report_id, started)| (later_key(&started, &report_id), row))
        .max()
        .map(|((t, report_id), row)| (t, report_id, row)))
}

/// The order in which a computer's reports are "later": the scan's start as an instant, then the report
/// id — never the order of import, so every reader agrees on the latest.
fn later_key(started: &str, report_id: &str) -> (Option<i64>, String) {
    (unix(started), report_id.to_owned())
}

/// Each computer's latest report whose scan started in `[from, to)`: computer → report row. `reports`
/// are (row, computer, started_at, report_id).
pub(crate) fn latest_in_window(
    reports: impl IntoIterator<Item = (i64, i64, String, String)>,
    from: i64,
    to: i64,
) -> std::collections::HashMap<i64, i64> {
    let mut latest: std::collections::HashMap<i64, ((Option<i64>, String), i64)> =
        std::collections::HashMap::new();
    for (row, computer, started, report_id) in reports {
        let key = later_key(&started, &report_id);
        if !key.0.is_some_and(|t| t >= from && t < to) {
            continue;
        }
        if latest.get(&computer).is_none_or(|(held, _)| *held < key) {
            latest.insert(computer, (key, row));
        }
    }
    latest.into_iter().map(|(c, (_, row))| (c, row)).collect()
}

/// The subject key of a device.
pub fn subject(vid: &str, pid: &str, serial: &str) -> String {
    format!("usb:{vid}:{pid}:{serial}")
}

/// Every correlation of one device: a pure function of its sightings and its register entry.
pub fn correlate_device(
    vid: &str,
    pid: &str,
    serial: &str,
    product: &str,
    sightings: &[Sighting],
    medium: Option<&RegisteredMedium>,
) -> Vec<Correlation> {
    if is_weak_serial(serial) || sightings.is_empty() {
        return Vec::new();
    }
    let mut timeline: Vec<&Sighting> = sightings.iter().collect();
    timeline.sort_by(|a, b| {
        (a.first_seen, a.computer_id, a.report_row).cmp(&(
            b.first_seen,
            b.computer_id,
            b.report_row,
        ))
    });
    let in_zone = |zone: &str| -> Vec<&Sighting> {
        timeline
            .iter()
            .copied()
            .filter(|s| s.zone == zone)
            .collect()
    };
    let (classified, internal, internet) = (
        in_zone("classified"),
        in_zone("internal"),
        in_zone("internet"),
    );
    let device = json!({ "vid": vid, "pid": pid, "serial": serial, "product": product });
    let medium_json = medium.map(|m| {
        json!({ "id": m.id, "number": m.number, "level": m.level, "state": m.state.as_str(),
                "state_since": m.state_since })
    });
    let make =
        |rule: &'static str, severity: &'static str, involved: &[&Sighting], extra: Value| {
            let mut involved: Vec<&Sighting> = involved.to_vec();
            involved.sort_by_key(|s| (s.first_seen, s.computer_id, s.report_row));
            let entries: Vec<Value> = involved
            .iter()
            .map(|s| {
                json!({ "computer_id": s.computer_id, "report_row": s.report_row, "label": s.label,
                        "zone": s.zone, "first_seen": s.first_seen, "last_seen": s.last_seen,
                        "connections": s.connections })
            })
            .collect();
            let mut computers: Vec<(i64, Option<i64>)> = involved
                .iter()
                .filter_map(|s| s.computer_id.map(|c| (c, s.department_id)))
                .collect();
            computers.sort_unstable();
            computers.dedup();
            let detail = with_extra(
                json!({ "device": device, "medium": medium_json, "timeline": entries }),
                extra,
            );
            Correlation {
                rule,
                severity,
                detail,
                first_at: involved.iter().filter_map(|s| s.first_seen).min(),
                last_at: involved.iter().filter_map(|s| s.last_seen).max(),
                computers,
            }
        };
    let mut out = Vec::new();
    // Cross-use: the higher zone against the Internet.
    for (higher, higher_zone, severity) in [
        (&classified, "classified", "critical"),
        (&internal, "internal", "high"),
    ] {
        if higher.is_empty() || internet.is_empty() {
            continue;
        }
        let could_flow = |from: &[&Sighting], to: &[&Sighting]| {
            from.iter().any(|f| {
                to.iter().any(|t| match (f.first_seen, t.last_seen) {
                    (Some(a), Some(b)) => a <= b,
                    _ => true,
                })
            })
        };
        let out_of_higher = could_flow(higher, &internet);
        let into_higher = could_flow(&internet, higher);
        let direction = match (out_of_higher, into_higher) {
            (true, false) => format!("{higher_zone}_to_internet"),
            (false, true) => format!("internet_to_{higher_zone}"),
            _ => "both".to_owned(),
        };
        let involved: Vec<&Sighting> = higher.iter().chain(internet.iter()).copied().collect();
        out.push(make(
            "cross_use",
            severity,
            &involved,
            json!({ "zones": [higher_zone, "internet"], "direction": direction }),
        ));
        break; // classified ↔ Internet, when there, says it all
    }
    match medium {
        None if !classified.is_empty() => {
            out.push(make(
                "unregistered_medium_on_classified",
                "high",
                &classified,
                json!({}),
            ));
        }
        None => {}
        Some(m) => {
            let rank = level_rank(&m.level).unwrap_or(0);
            let state_secret = level_rank("confidential").is_some_and(|c| rank >= c);
            if !state_secret && !classified.is_empty() {
                out.push(make(
                    "unclassified_medium_on_classified",
                    "high",
                    &classified,
                    json!({}),
                ));
            }
            if state_secret && !internet.is_empty() {
                out.push(make(
                    "classified_medium_off_classified",
                    "critical",
                    &internet,
                    json!({ "zone": "internet" }),
                ));
            } else if state_secret && !internal.is_empty() {
                out.push(make(
                    "classified_medium_off_classified",
                    "high",
                    &internal,
                    json!({ "zone": "internal" }),
                ));
            }
            if matches!(m.state, MediumState::Destroyed | MediumState::Lost) {
                let after: Vec<&Sighting> = timeline
                    .iter()
                    .copied()
                    .filter(|s| match (s.last_seen, m.state_since) {
                        (Some(seen), Some(since)) => seen > since,
                        _ => false,
                    })
                    .collect();
                if !after.is_empty() {
                    out.push(make(
                        "medium_seen_after_destroyed_or_lost",
                        "critical",
                        &after,
                        json!({}),
                    ));
                }
            }
        }
    }
    out
}

/// A rule's own evidence fields added to the common ones.
pub(crate) fn with_extra(mut detail: Value, extra: Value) -> Value {
    if let (Some(d), Value::Object(extra)) = (detail.as_object_mut(), extra) {
        d.extend(extra);
    }
    detail
}

/// Lock `subject` for this transaction: a second transaction recomputing it waits here, and reads
/// what the first committed once it gets the lock.
pub(crate) async fn lock_subject(conn: &mut AnyConnection, subject: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO correlation_subjects (subject) VALUES ($1) \
         ON CONFLICT (subject) DO UPDATE SET subject = excluded.subject",
    )
    .bind(subject)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Recompute and store every correlation of the devices `(vid, pid, serial)`, inside the caller's
/// transaction. Subjects are locked in sorted order, so two transactions cannot wait on each other.
pub(crate) async fn recompute_devices(
    conn: &mut AnyConnection,
    devices: &[(String, String, String)],
) -> Result<usize> {
    let mut devices: Vec<&(String, String, String)> = devices
        .iter()
        .filter(|(_, _, serial)| !is_weak_serial(serial))
        .collect();
    devices.sort();
    devices.dedup();
    let mut stored = 0;
    for (vid, pid, serial) in devices {
        let subject = subject(vid, pid, serial);
        lock_subject(conn, &subject).await?;
        let (sightings, product) = sightings_of(conn, vid, pid, serial).await?;
        let medium = medium_of(conn, vid, pid, serial).await?;
        let found = correlate_device(vid, pid, serial, &product, &sightings, medium.as_ref());
        replace(conn, &subject, &found).await?;
        stored += found.len();
    }
    Ok(stored)
}

async fn sightings_of(
    conn: &mut AnyConnection,
    vid: &str,
    pid: &str,
    serial: &str,
) -> Result<(Vec<Sighting>, String)> {
    let rows = sqlx::query(
        "SELECT u.computer_id, u.report_row, COALESCE(c.asset_no, r.hostname), \
         COALESCE(c.zone, r.zone), c.department_id, u.first_seen, u.last_seen, u.connections, u.product \
         FROM usb_seen u JOIN reports r ON r.id = u.report_row \
         LEFT JOIN computers c ON c.id = u.computer_id \
         WHERE u.vid = $1 AND u.pid = $2 AND u.serial = $3 ORDER BY u.report_row",
    )
    .bind(vid)
    .bind(pid)
    .bind(serial)
    .fetch_all(&mut *conn)
    .await?;
    // One sighting per computer (per report when unmatched): its reports re-read the same logs.
    let mut by_place: BTreeMap<(i64, i64), Sighting> = BTreeMap::new();
    let mut product = String::new();
    for r in rows {
        let computer_id: Option<i64> = r.try_get(0)?;
        let report_row: i64 = r.try_get(1)?;
        let first = unix(&r.try_get::<String, _>(5)?);
        let last = unix(&r.try_get::<String, _>(6)?);
        let connections: i64 = r.try_get(7)?;
        let p: String = r.try_get(8)?;
        if !p.is_empty() {
            product = p;
        }
        let key = computer_id.map_or((1, report_row), |c| (0, c));
        let s = Sighting {
            computer_id,
            report_row,
            label: r.try_get(2)?,
            zone: r.try_get(3)?,
            department_id: r.try_get(4)?,
            first_seen: first,
            last_seen: last,
            connections,
        };
        by_place
            .entry(key)
            .and_modify(|e| {
                e.first_seen = min_some(e.first_seen, s.first_seen);
                e.last_seen = e.last_seen.max(s.last_seen);
                e.connections = e.connections.max(s.connections);
                e.report_row = e.report_row.max(s.report_row);
            })
            .or_insert(s);
    }
    Ok((by_place.into_values().collect(), product))
}

fn min_some(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) | (None, x) => x,
    }
}

async fn medium_of(
    conn: &mut AnyConnection,
    vid: &str,
    pid: &str,
    serial: &str,
) -> Result<Option<RegisteredMedium>> {
    let row: Option<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, number, level, state FROM media WHERE vid = $1 AND pid = $2 AND serial = $3 \
         ORDER BY id LIMIT 1",
    )
    .bind(vid.to_ascii_lowercase())
    .bind(pid.to_ascii_lowercase())
    .bind(serial)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, number, level, state)) = row else {
        return Ok(None);
    };
    let state: MediumState = state.parse().map_err(crate::Error::Invalid)?;
    let state_since: Option<i64> = if matches!(state, MediumState::Destroyed | MediumState::Lost) {
        sqlx::query_scalar(
            "SELECT MAX(at) FROM media_events WHERE medium_id = $1 AND to_state = $2",
        )
        .bind(id)
        .bind(state.as_str())
        .fetch_one(&mut *conn)
        .await?
    } else {
        None
    };
    Ok(Some(RegisteredMedium {
        id,
        number,
        level,
        state,
        state_since,
    }))
}

/// Put `found` in place of the subject's stored correlations. A correlation that is found again keeps
/// its row (and id); one no longer found is removed.
pub(crate) async fn replace(
    conn: &mut AnyConnection,
    subject: &str,
    found: &[Correlation],
) -> Result<()> {
    let old: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, rule FROM correlations WHERE subject = $1")
            .bind(subject)
            .fetch_all(&mut *conn)
            .await?;
    for (id, rule) in &old {
        sqlx::query("DELETE FROM correlation_computers WHERE correlation_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        if !found.iter().any(|c| c.rule == rule) {
            sqlx::query("DELETE FROM correlations WHERE id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    let t = now();
    for c in found {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO correlations (rule, subject, severity, detail, first_at, last_at, computed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (rule, subject) DO UPDATE SET severity = excluded.severity, \
             detail = excluded.detail, first_at = excluded.first_at, last_at = excluded.last_at, \
             computed_at = excluded.computed_at RETURNING id",
        )
        .bind(c.rule)
        .bind(subject)
        .bind(c.severity)
        .bind(c.detail.to_string())
        .bind(c.first_at)
        .bind(c.last_at)
        .bind(t)
        .fetch_one(&mut *conn)
        .await?;
        for (computer, department) in &c.computers {
            sqlx::query(
                "INSERT INTO correlation_computers (correlation_id, computer_id, department_id) \
                 VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(computer)
            .bind(department)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// A stored correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationRow {
    /// Row id.
    pub id: i64,
    /// The rule.
    pub rule: String,
    /// `usb:VID:PID:SERIAL`.
    pub subject: String,
    /// `critical` or `high`.
    pub severity: String,
    /// The evidence (JSON): device, medium, timeline, direction.
    pub detail: String,
    /// Earliest connection on its timeline (Unix seconds).
    pub first_at: Option<i64>,
    /// Latest connection on its timeline.
    pub last_at: Option<i64>,
}

impl Store {
    /// Recompute every subject: each computer with a report, each device seen in any report or
    /// registered with a serial.
    /// Returns (subjects, correlations).
    pub async fn correlate_all(&self) -> Result<(usize, usize)> {
        let devices: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT vid, pid, serial FROM usb_seen WHERE serial <> '' \
             UNION SELECT vid, pid, serial FROM media WHERE serial <> '' AND vid <> '' AND pid <> ''",
        )
        .fetch_all(&self.pool)
        .await?;
        // Subjects that no longer have anything behind them lose their correlations too.
        let stale: Vec<String> = sqlx::query_scalar("SELECT DISTINCT subject FROM correlations")
            .fetch_all(&self.pool)
            .await?;
        let computers: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT computer_id FROM reports WHERE computer_id IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut subjects = 0;
        let mut found = 0;
        // Computers first: every transaction locks computer subjects before device subjects.
        for chunk in computers.chunks(200) {
            let mut tx = self.write_tx().await?;
            found += crate::computer_correlation::recompute_computers(&mut tx, chunk).await?;
            tx.commit().await?;
            subjects += chunk.len();
        }
        for chunk in devices.chunks(200) {
            let mut tx = self.write_tx().await?;
            found += recompute_devices(&mut tx, chunk).await?;
            tx.commit().await?;
            subjects += chunk.iter().filter(|(_, _, s)| !is_weak_serial(s)).count();
        }
        let live: std::collections::HashSet<String> = devices
            .iter()
            .map(|(v, p, s)| subject(v, p, s))
            .chain(
                computers
                    .iter()
                    .map(|&c| crate::computer_correlation::subject(c)),
            )
            .collect();
        for gone in stale.into_iter().filter(|s| !live.contains(s)) {
            let mut tx = self.write_tx().await?;
            lock_subject(&mut tx, &gone).await?;
            replace(&mut tx, &gone, &[]).await?;
            tx.commit().await?;
        }
        Ok((subjects, found))
    }

    /// Correlations, most severe and most recent first: of one department's computers when given,
    /// of one computer when given.
    pub async fn correlations(
        &self,
        department_id: Option<i64>,
        computer_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<CorrelationRow>> {
        let mut sql = String::from(
            "SELECT k.id, k.rule, k.subject, k.severity, k.detail, k.first_at, k.last_at \
             FROM correlations k WHERE 1 = 1",
        );
        let mut n = 0;
        if department_id.is_some() {
            n += 1;
            sql.push_str(&format!(
                " AND k.id IN (SELECT correlation_id FROM correlation_computers WHERE department_id = ${n})"
            ));
        }
        if computer_id.is_some() {
            n += 1;
            sql.push_str(&format!(
                " AND k.id IN (SELECT correlation_id FROM correlation_computers WHERE computer_id = ${n})"
            ));
        }
        n += 1;
        sql.push_str(&format!(
            " ORDER BY CASE k.severity WHEN 'critical' THEN 0 ELSE 1 END, k.last_at DESC, k.id LIMIT ${n}"
        ));
        let mut q = sqlx::query_as::<
            _,
            (
                i64,
                String,
                String,
                String,
                String,
                Option<i64>,
                Option<i64>,
            ),
        >(sqlx::AssertSqlSafe(sql));
        if let Some(d) = department_id {
            q = q.bind(d);
        }
        if let Some(c) = computer_id {
            q = q.bind(c);
        }
        let rows = q.bind(limit).fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|r| CorrelationRow {
                id: r.0,
                rule: r.1,
                subject: r.2,
                severity: r.3,
                detail: r.4,
                first_at: r.5,
                last_at: r.6,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(computer: i64, zone: &str, first: i64, last: i64) -> Sighting {
        Sighting {
            computer_id: Some(computer),
            report_row: computer * 10,
            label: format!("PC-{computer}"),
            zone: zone.into(),
            department_id: Some(1),
            first_seen: Some(first),
            last_seen: Some(last),
            connections: 1,
        }
    }

    #[test]
    fn cross_use_says_which_way_data_could_flow() {
        let s = [
            seen(1, "classified", 100, 200),
            seen(2, "internet", 300, 400),
        ];
        let c = correlate_device("0781", "5567", "4C530001230815117543", "", &s, None);
        let rules: Vec<&str> = c.iter().map(|c| c.rule).collect();
        assert_eq!(rules, ["cross_use", "unregistered_medium_on_classified"]);
        assert_eq!(c[0].severity, "critical");
        assert_eq!(c[0].detail["direction"], "classified_to_internet");
        assert_eq!((c[0].first_at, c[0].last_at), (Some(100), Some(400)));
        let back = [
            seen(1, "classified", 300, 400),
            seen(2, "internet", 100, 200),
        ];
        let c = correlate_device("0781", "5567", "4C530001230815117543", "", &back, None);
        assert_eq!(c[0].detail["direction"], "internet_to_classified");
    }

    #[test]
    fn the_order_of_sightings_does_not_matter() {
        let a = [
            seen(3, "internal", 50, 60),
            seen(1, "classified", 100, 500),
            seen(2, "internet", 300, 400),
        ];
        let mut b = a.clone();
        b.reverse();
        assert_eq!(
            correlate_device("0951", "1666", "E0D55EA573DCF450E9660B9D", "", &a, None),
            correlate_device("0951", "1666", "E0D55EA573DCF450E9660B9D", "", &b, None)
        );
    }

    #[test]
    fn weak_serials_are_not_correlated() {
        for s in [
            "",
            "0000000000",
            "0123456789ABCDEF",
            "1234567890",
            "AAAAAAAAAAAA",
            "12345",
        ] {
            assert!(is_weak_serial(s), "{s}");
        }
        assert!(!is_weak_serial("4C530001230815117543"));
        let s = [seen(1, "classified", 1, 2), seen(2, "internet", 3, 4)];
        assert!(correlate_device("0781", "5567", "0123456789ABCDEF", "", &s, None).is_empty());
    }

    #[test]
    fn register_rules() {
        let secret = RegisteredMedium {
            id: 1,
            number: "U-1".into(),
            level: "secret".into(),
            state: MediumState::InUse,
            state_since: None,
        };
        let on_internet = [seen(2, "internet", 10, 20)];
        let c = correlate_device(
            "0781",
            "5567",
            "4C530001230815117543",
            "",
            &on_internet,
            Some(&secret),
        );
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].rule, c[0].severity),
            ("classified_medium_off_classified", "critical")
        );
        let plain = RegisteredMedium {
            level: "none".into(),
            ..secret.clone()
        };
        let on_classified = [seen(1, "classified", 10, 20)];
        let c = correlate_device(
            "0781",
            "5567",
            "4C530001230815117543",
            "",
            &on_classified,
            Some(&plain),
        );
        assert_eq!(c[0].rule, "unclassified_medium_on_classified");
        let destroyed = RegisteredMedium {
            state: MediumState::Destroyed,
            state_since: Some(15),
            ..secret
        };
        let c = correlate_device(
            "0781",
            "5567",
            "4C530001230815117543",
            "",
            &on_classified,
            Some(&destroyed),
        );
        assert_eq!(c[0].rule, "medium_seen_after_destroyed_or_lost");
        let before = [seen(1, "classified", 10, 12)];
        assert!(
            correlate_device(
                "0781",
                "5567",
                "4C530001230815117543",
                "",
                &before,
                Some(&destroyed)
            )
            .is_empty()
        );
    }
}
