//! Imported scan reports, their findings and the USB devices they saw. An import is one transaction:
//! the report, every finding and device, and its audit entry are stored together or not at all, so a
//! server killed during an import leaves no half report; a report already stored (same `report_id`)
//! is not stored again.

use crate::audit::append;
use crate::model::normalize_mac;
use crate::{Error, Result, Store, is_unique_violation, now};
use baomi_core::report::{REPORT_SCHEMA, Report};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// Stored now.
    New {
        /// The report's row.
        report_row: i64,
        /// The registered computer it was linked to; `None`: held as unmatched.
        computer_id: Option<i64>,
        /// Findings stored.
        findings: usize,
    },
    /// Stored before: nothing was changed.
    Duplicate {
        /// The existing row.
        report_row: i64,
    },
}

/// A stored report, without its body.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    /// Row id.
    pub id: i64,
    /// The scanner's id of the run.
    pub report_id: String,
    /// The linked computer, if any.
    pub computer_id: Option<i64>,
    /// As the report gives it.
    pub hostname: String,
    /// As the report gives it.
    pub machine_id: String,
    /// The zone the inspector gave.
    pub zone: String,
    /// RFC 3339.
    pub finished_at: String,
    /// Findings in it.
    pub findings: i64,
    /// Unix seconds.
    pub imported_at: i64,
}

/// A finding as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    /// Row id.
    pub id: i64,
    /// The report it came in.
    pub report_row: i64,
    /// The computer, when the report is linked.
    pub computer_id: Option<i64>,
    /// The computer's asset number and name.
    pub computer: Option<(String, String)>,
    /// The computer's department.
    pub department_id: Option<i64>,
    /// The scanner's stable id.
    pub finding_id: String,
    /// Dotted rule id.
    pub rule: String,
    /// `critical` … `info`.
    pub severity: String,
    /// Content level, empty for host findings.
    pub level: String,
    /// Path on the inspected computer.
    pub path: String,
    /// One line for people.
    pub title: String,
    /// The text around the match.
    pub excerpt: String,
    /// The matched text.
    pub matched: String,
    /// Why it matched (a key).
    pub why: String,
    /// The whole evidence, JSON.
    pub evidence: String,
    /// `open`, …
    pub status: String,
    /// When its report was imported (Unix seconds).
    pub seen_at: i64,
}

/// Which findings to list. Paging is by id (newest first): `before` is the last id of the previous
/// page, so a page costs the same at any depth.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    /// Only computers of this department.
    pub department_id: Option<i64>,
    /// Only this computer.
    pub computer_id: Option<i64>,
    /// Only computers in this zone.
    pub zone: Option<String>,
    /// Only this content level.
    pub level: Option<String>,
    /// Only this rule.
    pub rule: Option<String>,
    /// Only this severity.
    pub severity: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Imported at or after (Unix seconds).
    pub since: Option<i64>,
    /// Imported before (Unix seconds).
    pub until: Option<i64>,
    /// Ids below this one (the next page).
    pub before: Option<i64>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
}

/// A USB device as one report saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct UsbSeen {
    /// Vendor id.
    pub vid: String,
    /// Product id.
    pub pid: String,
    /// Serial, empty when none.
    pub serial: String,
    /// Product name.
    pub product: String,
    /// RFC 3339.
    pub first_seen: String,
    /// RFC 3339.
    pub last_seen: String,
    /// Connections seen.
    pub connections: i64,
}

/// Findings per insert statement: 100 rows × 16 values stays far below both backends' limits on
/// parameters, and saves a round trip per finding.
const FINDINGS_PER_INSERT: usize = 100;
/// Values per finding row in the insert.
const FINDING_VALUES: usize = 16;

/// Reports larger than this are refused (a report of a million findings is a broken scanner).
pub const MAX_FINDINGS_PER_REPORT: usize = 200_000;

/// Check what the types cannot: the schema version, a usable id, sane sizes.
fn check_report(report: &Report) -> Result<()> {
    if report.schema != REPORT_SCHEMA {
        return Err(Error::Invalid(format!(
            "not a Baomi report of schema {REPORT_SCHEMA} (this one says {:?})",
            report.schema
        )));
    }
    let id = report.report_id.trim();
    if id.is_empty() || id.len() > 200 {
        return Err(Error::Invalid("the report has no usable report_id".into()));
    }
    // A scan runs a handful of checks; a report claiming thousands is not one (and each is a row).
    if report.checks.len() > 100 {
        return Err(Error::Invalid(format!(
            "the report lists {} checks; at most 100 are accepted",
            report.checks.len()
        )));
    }
    if report.findings.len() > MAX_FINDINGS_PER_REPORT {
        return Err(Error::Invalid(format!(
            "the report has {} findings; at most {MAX_FINDINGS_PER_REPORT} are accepted",
            report.findings.len()
        )));
    }
    Ok(())
}

/// The registered computer a report belongs to: by machine id, then by a MAC address of a physical
/// interface, then by the asset number the inspector typed.
async fn link(conn: &mut AnyConnection, report: &Report) -> Result<Option<i64>> {
    if let Some(mid) = report
        .host
        .machine_id
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM computers WHERE machine_id = $1 ORDER BY id LIMIT 1",
        )
        .bind(mid)
        .fetch_optional(&mut *conn)
        .await?;
        if id.is_some() {
            return Ok(id);
        }
    }
    let macs = report
        .artifacts
        .network
        .iter()
        .flat_map(|n| &n.interfaces)
        .filter(|i| i.physical)
        .filter_map(|i| i.mac.as_deref().and_then(normalize_mac));
    for mac in macs {
        // MACs are stored normalized and comma-joined: match a whole item, not a substring.
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM computers WHERE ',' || macs || ',' LIKE $1 ORDER BY id LIMIT 1",
        )
        .bind(format!("%,{mac},%"))
        .fetch_optional(&mut *conn)
        .await?;
        if id.is_some() {
            return Ok(id);
        }
    }
    if let Some(tag) = report
        .host
        .asset_tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM computers WHERE asset_no = $1")
            .bind(tag)
            .fetch_optional(&mut *conn)
            .await?;
        return Ok(id);
    }
    Ok(None)
}

/// The zone and department a linked computer is registered in (findings keep them).
async fn register_place(
    conn: &mut AnyConnection,
    computer_id: Option<i64>,
) -> Result<(String, Option<i64>)> {
    let Some(id) = computer_id else {
        return Ok((String::new(), None));
    };
    let row: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT zone, department_id FROM computers WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.unwrap_or_default())
}

const FINDING_COLUMNS: &str = "f.id, f.report_row, f.computer_id, c.asset_no, c.name, f.department_id, \
    f.finding_id, f.rule, f.severity, f.level, f.path, f.title, f.excerpt, f.matched, f.why, \
    f.evidence, f.status, f.seen_at";

/// A row of [`FINDING_COLUMNS`] (more columns than `sqlx`'s tuples take).
fn finding_row(r: &AnyRow) -> std::result::Result<FindingRow, sqlx::Error> {
    let asset: Option<String> = r.try_get(3)?;
    let name: Option<String> = r.try_get(4)?;
    Ok(FindingRow {
        id: r.try_get(0)?,
        report_row: r.try_get(1)?,
        computer_id: r.try_get(2)?,
        computer: asset.zip(name),
        department_id: r.try_get(5)?,
        finding_id: r.try_get(6)?,
        rule: r.try_get(7)?,
        severity: r.try_get(8)?,
        level: r.try_get(9)?,
        path: r.try_get(10)?,
        title: r.try_get(11)?,
        excerpt: r.try_get(12)?,
        matched: r.try_get(13)?,
        why: r.try_get(14)?,
        evidence: r.try_get(15)?,
        status: r.try_get(16)?,
        seen_at: r.try_get(17)?,
    })
}

impl Store {
    /// Store a report, its findings and USB devices, linked to its computer when one is registered.
    /// `body` is the report as received, kept verbatim.
    pub async fn import_report(
        &self,
        actor: &str,
        report: &Report,
        body: &str,
    ) -> Result<Imported> {
        check_report(report)?;
        let report_id = report.report_id.trim();
        if let Some(row) = self.report_row_of(report_id).await? {
            return Ok(Imported::Duplicate { report_row: row });
        }
        let t = now();
        let mut tx = self.write_tx().await?;
        let computer_id = link(&mut tx, report).await?;
        let (zone, department_id) = register_place(&mut tx, computer_id).await?;
        let inserted = sqlx::query_scalar(
            "INSERT INTO reports (report_id, computer_id, hostname, machine_id, zone, started_at, \
             finished_at, findings, unscanned, imported_at, imported_by, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(report_id)
        .bind(computer_id)
        .bind(report.host.hostname.as_deref().unwrap_or(""))
        .bind(report.host.machine_id.as_deref().unwrap_or(""))
        .bind(report.host.zone.as_str())
        .bind(&report.started_at)
        .bind(&report.finished_at)
        .bind(report.findings.len() as i64)
        .bind(report.unscanned.len() as i64)
        .bind(t)
        .bind(actor)
        .bind(body)
        .fetch_one(&mut *tx)
        .await;
        let report_row: i64 = match inserted {
            Ok(id) => id,
            // Imported by someone else between the look-up and here.
            Err(e) if is_unique_violation(&e) => {
                drop(tx);
                let row = self
                    .report_row_of(report_id)
                    .await?
                    .ok_or(Error::NotFound)?;
                return Ok(Imported::Duplicate { report_row: row });
            }
            Err(e) => return Err(e.into()),
        };
        for chunk in report.findings.chunks(FINDINGS_PER_INSERT) {
            let mut sql = String::from(
                "INSERT INTO findings (report_row, computer_id, finding_id, check_id, rule, severity, \
                 level, path, title, excerpt, matched, why, evidence, seen_at, zone, department_id) VALUES ",
            );
            for i in 0..chunk.len() {
                let b = i * FINDING_VALUES;
                if i > 0 {
                    sql.push(',');
                }
                sql.push('(');
                for k in 1..=FINDING_VALUES {
                    if k > 1 {
                        sql.push(',');
                    }
                    sql.push('$');
                    sql.push_str(&(b + k).to_string());
                }
                sql.push(')');
            }
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for f in chunk {
                let path = if f.inner.is_empty() {
                    f.path.clone()
                } else {
                    format!("{} → {}", f.path, f.inner.join(" → "))
                };
                q = q
                    .bind(report_row)
                    .bind(computer_id)
                    .bind(f.id.clone())
                    .bind(f.check.clone())
                    .bind(f.rule.clone())
                    .bind(f.severity.as_str())
                    .bind(f.level.map_or("", |l| l.as_str()))
                    .bind(path)
                    .bind(f.title.clone())
                    .bind(f.evidence.excerpt.clone())
                    .bind(f.evidence.matched.clone())
                    .bind(f.evidence.why.clone())
                    .bind(serde_json::to_string(&f.evidence).unwrap_or_default())
                    .bind(t)
                    .bind(zone.clone())
                    .bind(department_id);
            }
            q.execute(&mut *tx).await?;
        }
        if !report.checks.is_empty() {
            let values: Vec<String> = (0..report.checks.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                .collect();
            let mut q = sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO report_checks (report_row, check_id, status) VALUES {}",
                values.join(", ")
            )));
            for k in &report.checks {
                q = q
                    .bind(report_row)
                    .bind(k.id.clone())
                    .bind(k.status.as_str());
            }
            q.execute(&mut *tx).await?;
        }
        for d in &report.artifacts.usb_devices {
            sqlx::query(
                "INSERT INTO usb_seen (report_row, computer_id, vid, pid, serial, product, first_seen, \
                 last_seen, connections) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(report_row)
            .bind(computer_id)
            .bind(&d.vid)
            .bind(&d.pid)
            .bind(d.serial.as_deref().unwrap_or(""))
            .bind(d.product.as_deref().unwrap_or(""))
            .bind(d.first_seen.as_deref().unwrap_or(""))
            .bind(d.last_seen.as_deref().unwrap_or(""))
            .bind(i64::from(d.connections))
            .execute(&mut *tx)
            .await?;
        }
        // The devices it saw, correlated again across computers before the audit entry (locks are
        // taken subjects first, then the audit head, everywhere).
        let devices: Vec<(String, String, String)> = report
            .artifacts
            .usb_devices
            .iter()
            .filter_map(|d| {
                d.serial
                    .as_ref()
                    .map(|s| (d.vid.clone(), d.pid.clone(), s.clone()))
            })
            .collect();
        if let Some(c) = computer_id {
            let present: std::collections::HashSet<&str> =
                report.findings.iter().map(|f| f.id.as_str()).collect();
            let checks_ran: std::collections::HashSet<&str> = report
                .checks
                .iter()
                .filter(|k| {
                    matches!(
                        k.status,
                        baomi_core::report::CheckStatus::Ok
                            | baomi_core::report::CheckStatus::Partial
                    )
                })
                .map(|k| k.id.as_str())
                .collect();
            // A file the scan could not read may still hold the finding.
            let unread: std::collections::HashSet<&str> =
                report.unscanned.iter().map(|u| u.path.as_str()).collect();
            let seen = crate::rectify::Seen {
                present: &present,
                checks_ran: &checks_ran,
                unread: &unread,
            };
            crate::rectify::follow_up_report(&mut tx, report_row, c, Some(&seen)).await?;
        }
        refresh_problems(&mut tx, &[report_row]).await?;
        if let Some(c) = computer_id {
            crate::computer_correlation::recompute_computers(&mut tx, &[c]).await?;
        }
        crate::correlate::recompute_devices(&mut tx, &devices).await?;
        let detail = serde_json::json!({
            "report_id": report_id, "computer_id": computer_id,
            "findings": report.findings.len(), "usb_devices": report.artifacts.usb_devices.len(),
        });
        append(
            &mut tx,
            actor,
            "report.import",
            &format!("report:{report_row}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(Imported::New {
            report_row,
            computer_id,
            findings: report.findings.len(),
        })
    }

    async fn report_row_of(&self, report_id: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM reports WHERE report_id = $1")
                .bind(report_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Link an unmatched report (and its findings and devices) to a registered computer.
    pub async fn assign_report(
        &self,
        actor: &str,
        report_row: i64,
        computer_id: i64,
    ) -> Result<()> {
        if self.computer(computer_id).await?.is_none() {
            return Err(Error::Invalid("no such computer".into()));
        }
        let mut tx = self.write_tx().await?;
        let n = sqlx::query("UPDATE reports SET computer_id = $1 WHERE id = $2")
            .bind(computer_id)
            .bind(report_row)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(Error::NotFound);
        }
        let (zone, department_id) = register_place(&mut tx, Some(computer_id)).await?;
        sqlx::query(
            "UPDATE findings SET computer_id = $1, zone = $2, department_id = $3 WHERE report_row = $4",
        )
        .bind(computer_id)
        .bind(zone)
        .bind(department_id)
        .bind(report_row)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE usb_seen SET computer_id = $1 WHERE report_row = $2")
            .bind(computer_id)
            .bind(report_row)
            .execute(&mut *tx)
            .await?;
        let devices: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT vid, pid, serial FROM usb_seen WHERE report_row = $1 AND serial <> ''",
        )
        .bind(report_row)
        .fetch_all(&mut *tx)
        .await?;
        // False-positive marks apply; whether a task's finding is gone is judged only at import,
        // where the report's unreadable files are known (they are not stored).
        crate::rectify::follow_up_report(&mut tx, report_row, computer_id, None).await?;
        refresh_problems(&mut tx, &[report_row]).await?;
        crate::computer_correlation::recompute_computers(&mut tx, &[computer_id]).await?;
        crate::correlate::recompute_devices(&mut tx, &devices).await?;
        let detail = serde_json::json!({ "computer_id": computer_id });
        append(
            &mut tx,
            actor,
            "report.assign",
            &format!("report:{report_row}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reports, newest first: of one computer, or (`None`) those linked to no computer.
    pub async fn reports(&self, computer_id: Option<i64>, limit: i64) -> Result<Vec<ReportRow>> {
        type Row = (
            i64,
            String,
            Option<i64>,
            String,
            String,
            String,
            String,
            i64,
            i64,
        );
        let rows: Vec<Row> =
            sqlx::query_as(
                "SELECT id, report_id, computer_id, hostname, machine_id, zone, finished_at, findings, \
                 imported_at FROM reports WHERE ($1 IS NULL AND computer_id IS NULL) OR computer_id = $1 \
                 ORDER BY id DESC LIMIT $2",
            )
            .bind(computer_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| ReportRow {
                id: r.0,
                report_id: r.1,
                computer_id: r.2,
                hostname: r.3,
                machine_id: r.4,
                zone: r.5,
                finished_at: r.6,
                findings: r.7,
                imported_at: r.8,
            })
            .collect())
    }

    /// Findings matching `filter`, newest first. The WHERE clause holds only the filters given (a
    /// generic `$n IS NULL OR …` clause would keep PostgreSQL from using the index of the one that is).
    pub async fn findings(&self, filter: &FindingFilter) -> Result<Vec<FindingRow>> {
        enum Arg<'a> {
            Int(i64),
            Text(&'a str),
        }
        let mut conds = vec!["f.id < $1".to_owned()];
        let mut args = vec![Arg::Int(filter.before.unwrap_or(i64::MAX))];
        let ints = [
            ("f.department_id =", filter.department_id),
            ("f.computer_id =", filter.computer_id),
            ("f.seen_at >=", filter.since),
            ("f.seen_at <", filter.until),
        ];
        for (cond, value) in ints {
            if let Some(v) = value {
                args.push(Arg::Int(v));
                conds.push(format!("{cond} ${}", args.len()));
            }
        }
        let texts = [
            ("f.zone", &filter.zone),
            ("f.level", &filter.level),
            ("f.rule", &filter.rule),
            ("f.severity", &filter.severity),
            ("f.status", &filter.status),
        ];
        for (column, value) in texts {
            if let Some(v) = value.as_deref() {
                args.push(Arg::Text(v));
                conds.push(format!("{column} = ${}", args.len()));
            }
        }
        let sql = format!(
            "SELECT {FINDING_COLUMNS} FROM findings f LEFT JOIN computers c ON c.id = f.computer_id \
             WHERE {} ORDER BY f.id DESC LIMIT {}",
            conds.join(" AND "),
            filter.limit.unwrap_or(50).clamp(1, 500)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for a in args {
            q = match a {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v.to_owned()),
            };
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(finding_row)
            .collect::<std::result::Result<_, _>>()?)
    }

    /// One finding.
    pub async fn finding(&self, id: i64) -> Result<Option<FindingRow>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {FINDING_COLUMNS} FROM findings f LEFT JOIN computers c ON c.id = f.computer_id WHERE f.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(finding_row).transpose()?)
    }

    /// The body of a computer's newest report, as received.
    pub async fn latest_report_body(&self, computer_id: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT body FROM reports WHERE computer_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(computer_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// USB devices ever seen on a computer, one row per device (its latest sighting).
    pub async fn usb_devices_of(&self, computer_id: i64) -> Result<Vec<UsbSeen>> {
        let rows: Vec<(String, String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT vid, pid, serial, MAX(product), MIN(first_seen), MAX(last_seen), MAX(connections) \
             FROM usb_seen WHERE computer_id = $1 GROUP BY vid, pid, serial ORDER BY MAX(last_seen) DESC",
        )
        .bind(computer_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| UsbSeen {
                vid: r.0,
                pid: r.1,
                serial: r.2,
                product: r.3,
                first_seen: r.4,
                last_seen: r.5,
                connections: r.6,
            })
            .collect())
    }

    /// Findings per month (China's time) of the reports started in the last `months` months, oldest
    /// first, of one department when given: `("2026-11", n)`.
    pub async fn findings_by_month(
        &self,
        department_id: Option<i64>,
        months: usize,
    ) -> Result<Vec<(String, i64)>> {
        let mark = self.change_mark().await?;
        let key = format!("{department_id:?}/{months}@{}", crate::rectify::today());
        if let Some(v) = self.kept(|a| &mut a.months, &key, mark) {
            return Ok(v);
        }
        let v = self
            .compute_findings_by_month(department_id, months)
            .await?;
        self.keep(|a| &mut a.months, key, mark, v.clone());
        Ok(v)
    }

    async fn compute_findings_by_month(
        &self,
        department_id: Option<i64>,
        months: usize,
    ) -> Result<Vec<(String, i64)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT r.started_at, r.findings FROM reports r LEFT JOIN computers c ON c.id = r.computer_id \
             WHERE $1 IS NULL OR c.department_id = $1",
        )
        .bind(department_id)
        .fetch_all(&self.pool)
        .await?;
        let month_of = |unix: i64| {
            jiff::Timestamp::from_second(unix.saturating_add(8 * 3600))
                .map(|t| t.strftime("%Y-%m").to_string())
                .unwrap_or_default()
        };
        // The last `months` month labels, walking back from this month a day before each first.
        let mut labels = Vec::new();
        let mut t = crate::now();
        while labels.len() < months {
            let m = month_of(t);
            if labels.last() != Some(&m) {
                labels.push(m);
            }
            t -= 86_400;
        }
        labels.reverse();
        let mut counts: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for (started, n) in rows {
            if let Some(u) = crate::correlate::unix(&started) {
                *counts.entry(month_of(u)).or_default() += n;
            }
        }
        Ok(labels
            .into_iter()
            .map(|m| {
                let n = counts.get(&m).copied().unwrap_or(0);
                (m, n)
            })
            .collect())
    }

    /// Counts for the dashboard: computers, reports, findings (as the reports declare them: a sum over
    /// reports, not a count over millions of findings), unmatched reports.
    pub async fn counts(&self, department_id: Option<i64>) -> Result<[i64; 4]> {
        let computers: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM computers WHERE $1 IS NULL OR department_id = $1",
        )
        .bind(department_id)
        .fetch_one(&self.pool)
        .await?;
        let (reports, findings): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(r.findings), 0) AS BIGINT) FROM reports r \
             LEFT JOIN computers c ON c.id = r.computer_id WHERE $1 IS NULL OR c.department_id = $1",
        )
        .bind(department_id)
        .fetch_one(&self.pool)
        .await?;
        let unmatched: i64 = if department_id.is_some() {
            0
        } else {
            sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE computer_id IS NULL")
                .fetch_one(&self.pool)
                .await?
        };
        Ok([computers, reports, findings, unmatched])
    }
}

/// Count the problems of `reports` again from their findings (see migration 0015), inside the
/// caller's transaction.
pub(crate) async fn refresh_problems(
    conn: &mut sqlx::AnyConnection,
    reports: &[i64],
) -> Result<()> {
    for row in reports {
        sqlx::query("DELETE FROM report_problems WHERE report_row = $1")
            .bind(row)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO report_problems (report_row, rule, severity, n) \
             SELECT report_row, rule, severity, COUNT(*) FROM findings \
             WHERE report_row = $1 AND status <> 'false_positive' GROUP BY report_row, rule, severity",
        )
        .bind(row)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
