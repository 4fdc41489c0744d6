//! From findings to closure: rectification tasks (整改) and false-positive marks (误报).
//!
//! A finding is followed across inspections by the scanner's stable id (rule, path, matched text) on
//! its computer, so a task opened from one report is still the same task when the next report comes
//! in, and a false-positive mark applies to every later report of that computer: the same evidence
//! does not come back as new. Both are kept: a task's every move is an event, a withdrawn mark keeps
//! who withdrew it and why, and everything is in the audit log.
//!
//! Who may move a task where is decided by the server's `authz`; this module keeps the life rules
//! ([`RectState::next`]) and what each move needs (a reason and an approver for an accepted risk).

use crate::audit::append;
use crate::model::{RectState, is_date};
use crate::{Error, Result, Store, is_unique_violation, now};
use sqlx::{AnyConnection, Row};
use std::collections::HashSet;

/// Largest evidence file kept with a task.
pub const MAX_ATTACHMENT_BYTES: usize = 8 * 1024 * 1024;

/// A rectification task.
#[derive(Debug, Clone, PartialEq)]
pub struct Rectification {
    /// Row id.
    pub id: i64,
    /// The computer the finding is on.
    pub computer_id: i64,
    /// Its asset number.
    pub asset_no: String,
    /// Its department.
    pub department_id: Option<i64>,
    /// The scanner's stable id of the finding.
    pub finding_id: String,
    /// The finding row it was opened from.
    pub finding_row: i64,
    /// The finding's rule, severity, path and title, as when opened.
    pub rule: String,
    /// See `rule`.
    pub severity: String,
    /// See `rule`.
    pub path: String,
    /// See `rule`.
    pub title: String,
    /// Who is responsible for the fix.
    pub assignee: String,
    /// Deadline, `YYYY-MM-DD`.
    pub due_date: String,
    /// Where it stands.
    pub state: RectState,
    /// A newer report of the computer without the finding: "verified" is proposed.
    pub gone_in_report: Option<i64>,
    /// Who opened it, and when (Unix seconds).
    pub created_by: String,
    /// See `created_by`.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
    /// Past its deadline and still waiting for the department.
    pub overdue: bool,
}

/// One move or comment on a task.
#[derive(Debug, Clone, PartialEq)]
pub struct RectEvent {
    /// Row id.
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// State before.
    pub from_state: String,
    /// State after (the same for a comment).
    pub to_state: String,
    /// What was said.
    pub comment: String,
    /// For an accepted risk: who approved it.
    pub approver: String,
}

/// An evidence file of a task (without its bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct RectFile {
    /// Row id.
    pub id: i64,
    /// The event it came with.
    pub event_id: i64,
    /// File name as uploaded.
    pub name: String,
    /// Media type as uploaded.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// SM3 digest, hex.
    pub sm3: String,
}

/// A file to keep with a move or comment.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// File name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// Contents.
    pub body: Vec<u8>,
}

/// A move of a task, or a comment (when `to` is its present state).
#[derive(Debug, Clone, Default)]
pub struct RectMove {
    /// The state to go to.
    pub to: String,
    /// What was done, or why.
    pub comment: String,
    /// For an accepted risk: the approver's name.
    pub approver: String,
}

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct RectFilter {
    /// Only this department's.
    pub department_id: Option<i64>,
    /// Only this computer's.
    pub computer_id: Option<i64>,
    /// Only in this state.
    pub state: Option<String>,
    /// Only those past their deadline and still waiting.
    pub overdue: bool,
    /// At most this many (default 500).
    pub limit: Option<i64>,
}

/// A false-positive mark.
#[derive(Debug, Clone, PartialEq)]
pub struct FalsePositive {
    /// Row id.
    pub id: i64,
    /// The computer.
    pub computer_id: i64,
    /// The scanner's stable id of the finding.
    pub finding_id: String,
    /// Rule and path, as when marked.
    pub rule: String,
    /// See `rule`.
    pub path: String,
    /// Why it is not a real finding.
    pub reason: String,
    /// Who marked it, and when.
    pub actor: String,
    /// See `actor`.
    pub at: i64,
    /// When it was withdrawn, by whom and why; `None` while it holds.
    pub withdrawn_at: Option<i64>,
    /// See `withdrawn_at`.
    pub withdrawn_by: String,
    /// See `withdrawn_at`.
    pub withdrawn_reason: String,
}

/// Today's date in China (UTC+8, no daylight saving): what a deadline is compared with.
pub fn today() -> String {
    crate::china_date(now())
}

const RECT_COLUMNS: &str = "r.id, r.computer_id, COALESCE(c.asset_no, ''), r.department_id, r.finding_id, \
    r.finding_row, r.rule, r.severity, r.path, r.title, r.assignee, r.due_date, r.state, \
    r.gone_in_report, r.created_by, r.created_at, r.updated_at";

fn rect(r: &sqlx::any::AnyRow, today: &str) -> Result<Rectification> {
    let state: String = r.try_get(12)?;
    let state: RectState = state.parse().map_err(Error::Invalid)?;
    let due_date: String = r.try_get(11)?;
    Ok(Rectification {
        id: r.try_get(0)?,
        computer_id: r.try_get(1)?,
        asset_no: r.try_get(2)?,
        department_id: r.try_get(3)?,
        finding_id: r.try_get(4)?,
        finding_row: r.try_get(5)?,
        rule: r.try_get(6)?,
        severity: r.try_get(7)?,
        path: r.try_get(8)?,
        title: r.try_get(9)?,
        assignee: r.try_get(10)?,
        overdue: state.is_pending() && due_date.as_str() < today,
        due_date,
        state,
        gone_in_report: r.try_get(13)?,
        created_by: r.try_get(14)?,
        created_at: r.try_get(15)?,
        updated_at: r.try_get(16)?,
    })
}

/// id, event_id, name, media_type, size, sm3.
type FileRow = (i64, i64, String, String, i64, String);

fn rect_file(f: FileRow) -> RectFile {
    RectFile {
        id: f.0,
        event_id: f.1,
        name: f.2,
        media_type: f.3,
        size: f.4,
        sm3: f.5,
    }
}

fn sm3_hex(body: &[u8]) -> String {
    use sm3::{Digest, Sm3};
    Sm3::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Open a task for finding row `finding_row`: who fixes it, by when. One task per finding on a
    /// computer: asking again gives `Conflict` naming the task that exists.
    pub async fn open_rectification(
        &self,
        actor: &str,
        finding_row: i64,
        assignee: &str,
        due_date: &str,
    ) -> Result<i64> {
        let assignee = assignee.trim();
        let due_date = due_date.trim();
        if assignee.is_empty() {
            return Err(Error::Invalid("name who is responsible for the fix".into()));
        }
        if !is_date(due_date) {
            return Err(Error::Invalid("the deadline is a date (YYYY-MM-DD)".into()));
        }
        let f = self.finding(finding_row).await?.ok_or(Error::NotFound)?;
        let Some(computer_id) = f.computer_id else {
            return Err(Error::Invalid(
                "the finding's report is not linked to a registered computer: assign it first"
                    .into(),
            ));
        };
        let check: String = sqlx::query_scalar("SELECT check_id FROM findings WHERE id = $1")
            .bind(finding_row)
            .fetch_one(&self.pool)
            .await?;
        let mut tx = self.write_tx().await?;
        let t = now();
        let inserted = sqlx::query_scalar(
            "INSERT INTO rectifications (computer_id, department_id, finding_id, finding_row, check_id, \
             rule, severity, path, title, assignee, due_date, state, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12, $13, $13) RETURNING id",
        )
        .bind(computer_id)
        .bind(f.department_id)
        .bind(&f.finding_id)
        .bind(finding_row)
        .bind(&check)
        .bind(&f.rule)
        .bind(&f.severity)
        .bind(&f.path)
        .bind(&f.title)
        .bind(assignee)
        .bind(due_date)
        .bind(actor)
        .bind(t)
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => {
                drop(tx);
                let existing: i64 = sqlx::query_scalar(
                    "SELECT id FROM rectifications WHERE computer_id = $1 AND finding_id = $2",
                )
                .bind(computer_id)
                .bind(&f.finding_id)
                .fetch_one(&self.pool)
                .await?;
                return Err(Error::Conflict(format!(
                    "this finding already has rectification task #{existing}"
                )));
            }
            Err(e) => return Err(e.into()),
        };
        sqlx::query(
            "INSERT INTO rectification_events (rectification_id, at, actor, from_state, to_state, comment) \
             VALUES ($1, $2, $3, '', 'open', $4)",
        )
        .bind(id)
        .bind(t)
        .bind(actor)
        .bind(format!("{assignee} · {due_date}"))
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({
            "finding_row": finding_row, "computer_id": computer_id, "finding_id": f.finding_id,
            "rule": f.rule, "assignee": assignee, "due_date": due_date,
        });
        append(
            &mut tx,
            actor,
            "rectification.open",
            &format!("rectification:{id}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Move task `id` (or comment on it, when `m.to` is its present state), with an optional
    /// evidence file. An accepted risk needs the approver's name and the reason.
    pub async fn move_rectification(
        &self,
        actor: &str,
        id: i64,
        m: &RectMove,
        file: Option<Attachment>,
    ) -> Result<()> {
        let to: RectState = m.to.parse().map_err(Error::Invalid)?;
        let comment = m.comment.trim();
        let approver = m.approver.trim();
        if let Some(f) = &file {
            if f.body.len() > MAX_ATTACHMENT_BYTES {
                return Err(Error::Invalid(format!(
                    "an evidence file may be at most {} MiB",
                    MAX_ATTACHMENT_BYTES / (1024 * 1024)
                )));
            }
            if f.name.trim().is_empty() {
                return Err(Error::Invalid("the evidence file has no name".into()));
            }
        }
        let mut tx = self.write_tx().await?;
        let from: String = sqlx::query_scalar("SELECT state FROM rectifications WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
        let from: RectState = from.parse().map_err(Error::Invalid)?;
        let is_comment = to == from;
        if is_comment && comment.is_empty() && file.is_none() {
            return Err(Error::Invalid("write a comment or attach a file".into()));
        }
        if !is_comment && !from.next().contains(&to) {
            return Err(Error::Invalid(format!(
                "a task that is {} cannot become {}",
                from.as_str(),
                to.as_str()
            )));
        }
        if to == RectState::RiskAccepted
            && !is_comment
            && (approver.is_empty() || comment.is_empty())
        {
            return Err(Error::Invalid(
                "accepting a risk needs the approver's name and the reason".into(),
            ));
        }
        let t = now();
        if !is_comment {
            // Only if it is still what was read: two concurrent moves cannot both pass.
            let n = sqlx::query(
                "UPDATE rectifications SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
            )
            .bind(to.as_str())
            .bind(t)
            .bind(id)
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(Error::Conflict(
                    "the task changed meanwhile; reload and try again".into(),
                ));
            }
        }
        let event: i64 = sqlx::query_scalar(
            "INSERT INTO rectification_events (rectification_id, at, actor, from_state, to_state, comment, approver) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(id)
        .bind(t)
        .bind(actor)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(comment)
        .bind(if to == RectState::RiskAccepted { approver } else { "" })
        .fetch_one(&mut *tx)
        .await?;
        let mut file_detail = serde_json::Value::Null;
        if let Some(f) = file {
            let digest = sm3_hex(&f.body);
            sqlx::query(
                "INSERT INTO rectification_files (rectification_id, event_id, name, media_type, size, sm3, body) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(event)
            .bind(f.name.trim())
            .bind(f.media_type.trim())
            .bind(f.body.len() as i64)
            .bind(&digest)
            .bind(f.body)
            .execute(&mut *tx)
            .await?;
            file_detail = serde_json::json!({ "name": f.name.trim(), "sm3": digest });
        }
        let detail = serde_json::json!({
            "from": from.as_str(), "to": to.as_str(), "comment": comment, "approver": approver,
            "file": file_detail,
        });
        append(
            &mut tx,
            actor,
            if is_comment {
                "rectification.comment"
            } else {
                "rectification.move"
            },
            &format!("rectification:{id}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One task.
    pub async fn rectification(&self, id: i64) -> Result<Option<Rectification>> {
        let today = today();
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RECT_COLUMNS} FROM rectifications r LEFT JOIN computers c ON c.id = r.computer_id \
             WHERE r.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(|r| rect(r, &today)).transpose()
    }

    /// The task of a finding on a computer, if one was opened.
    pub async fn rectification_of(
        &self,
        computer_id: i64,
        finding_id: &str,
    ) -> Result<Option<Rectification>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM rectifications WHERE computer_id = $1 AND finding_id = $2",
        )
        .bind(computer_id)
        .bind(finding_id)
        .fetch_optional(&self.pool)
        .await?;
        match id {
            Some(id) => self.rectification(id).await,
            None => Ok(None),
        }
    }

    /// Tasks matching `filter`: overdue first, then by deadline.
    pub async fn rectifications(&self, filter: &RectFilter) -> Result<Vec<Rectification>> {
        let today = today();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RECT_COLUMNS} FROM rectifications r LEFT JOIN computers c ON c.id = r.computer_id \
             WHERE ($1 IS NULL OR r.department_id = $1) AND ($2 IS NULL OR r.computer_id = $2) \
             AND ($3 IS NULL OR r.state = $3) \
             AND ($4 = 0 OR (r.state IN ('open', 'in_progress') AND r.due_date < $5)) \
             ORDER BY CASE WHEN r.state IN ('open', 'in_progress') AND r.due_date < $5 THEN 0 \
             WHEN r.state IN ('closed', 'risk_accepted') THEN 2 ELSE 1 END, r.due_date, r.id LIMIT $6"
        )))
        .bind(filter.department_id)
        .bind(filter.computer_id)
        .bind(filter.state.as_deref())
        .bind(i64::from(filter.overdue))
        .bind(&today)
        .bind(filter.limit.unwrap_or(500))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| rect(r, &today)).collect()
    }

    /// A task's events, oldest first, and its files.
    pub async fn rectification_history(&self, id: i64) -> Result<(Vec<RectEvent>, Vec<RectFile>)> {
        let events: Vec<(i64, i64, String, String, String, String, String)> = sqlx::query_as(
            "SELECT id, at, actor, from_state, to_state, comment, approver FROM rectification_events \
             WHERE rectification_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let files: Vec<FileRow> = sqlx::query_as(
            "SELECT id, event_id, name, media_type, size, sm3 FROM rectification_files \
             WHERE rectification_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok((
            events
                .into_iter()
                .map(|e| RectEvent {
                    id: e.0,
                    at: e.1,
                    actor: e.2,
                    from_state: e.3,
                    to_state: e.4,
                    comment: e.5,
                    approver: e.6,
                })
                .collect(),
            files.into_iter().map(rect_file).collect(),
        ))
    }

    /// An evidence file of task `id`: its description and bytes.
    pub async fn rectification_file(
        &self,
        id: i64,
        file_id: i64,
    ) -> Result<Option<(RectFile, Vec<u8>)>> {
        let row: Option<FileRow> = sqlx::query_as(
            "SELECT id, event_id, name, media_type, size, sm3 FROM rectification_files \
             WHERE rectification_id = $1 AND id = $2",
        )
        .bind(id)
        .bind(file_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let body: Vec<u8> =
            sqlx::query_scalar("SELECT body FROM rectification_files WHERE id = $1")
                .bind(file_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(Some((rect_file(row), body)))
    }

    /// Mark the finding in row `finding_row` a false positive on its computer, with the reason: it
    /// and the same finding in every report of the computer, past and future, are set aside (status
    /// `false_positive`), and the computer's correlations no longer count it.
    pub async fn mark_false_positive(
        &self,
        actor: &str,
        finding_row: i64,
        reason: &str,
    ) -> Result<i64> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid("say why it is not a real finding".into()));
        }
        let f = self.finding(finding_row).await?.ok_or(Error::NotFound)?;
        let Some(computer_id) = f.computer_id else {
            return Err(Error::Invalid(
                "the finding's report is not linked to a registered computer: assign it first"
                    .into(),
            ));
        };
        let mut tx = self.write_tx().await?;
        let t = now();
        let existing: Option<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, withdrawn_at FROM false_positives WHERE computer_id = $1 AND finding_id = $2",
        )
        .bind(computer_id)
        .bind(&f.finding_id)
        .fetch_optional(&mut *tx)
        .await?;
        let id = match existing {
            Some((_, None)) => {
                return Err(Error::Conflict("already marked a false positive".into()));
            }
            // Marked again after a withdrawal: the row is reused; the log keeps both.
            Some((id, Some(_))) => {
                sqlx::query(
                    "UPDATE false_positives SET reason = $1, actor = $2, at = $3, withdrawn_at = NULL, \
                     withdrawn_by = '', withdrawn_reason = '' WHERE id = $4",
                )
                .bind(reason)
                .bind(actor)
                .bind(t)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO false_positives (computer_id, finding_id, rule, path, reason, actor, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(computer_id)
                .bind(&f.finding_id)
                .bind(&f.rule)
                .bind(&f.path)
                .bind(reason)
                .bind(actor)
                .bind(t)
                .fetch_one(&mut *tx)
                .await?
            }
        };
        set_status(&mut tx, computer_id, &f.finding_id, "false_positive").await?;
        crate::computer_correlation::recompute_computers(&mut tx, &[computer_id]).await?;
        let detail = serde_json::json!({
            "finding_row": finding_row, "computer_id": computer_id, "finding_id": f.finding_id,
            "rule": f.rule, "path": f.path, "reason": reason,
        });
        append(
            &mut tx,
            actor,
            "finding.false_positive",
            &format!("false_positive:{id}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Withdraw false-positive mark `id`, with the reason: its findings are open again.
    pub async fn withdraw_false_positive(&self, actor: &str, id: i64, reason: &str) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid("say why the mark is withdrawn".into()));
        }
        let mut tx = self.write_tx().await?;
        let row: Option<(i64, String, Option<i64>)> = sqlx::query_as(
            "SELECT computer_id, finding_id, withdrawn_at FROM false_positives WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((computer_id, finding_id, withdrawn)) = row else {
            return Err(Error::NotFound);
        };
        if withdrawn.is_some() {
            return Err(Error::Conflict("the mark was already withdrawn".into()));
        }
        sqlx::query(
            "UPDATE false_positives SET withdrawn_at = $1, withdrawn_by = $2, withdrawn_reason = $3 \
             WHERE id = $4",
        )
        .bind(now())
        .bind(actor)
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        set_status(&mut tx, computer_id, &finding_id, "open").await?;
        crate::computer_correlation::recompute_computers(&mut tx, &[computer_id]).await?;
        let detail = serde_json::json!({ "computer_id": computer_id, "finding_id": finding_id,
                                         "reason": reason });
        append(
            &mut tx,
            actor,
            "finding.false_positive_withdrawn",
            &format!("false_positive:{id}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The false-positive mark of a finding on a computer, held or withdrawn.
    pub async fn false_positive_of(
        &self,
        computer_id: i64,
        finding_id: &str,
    ) -> Result<Option<FalsePositive>> {
        let row = sqlx::query(
            "SELECT id, computer_id, finding_id, rule, path, reason, actor, at, withdrawn_at, \
             withdrawn_by, withdrawn_reason FROM false_positives WHERE computer_id = $1 AND finding_id = $2",
        )
        .bind(computer_id)
        .bind(finding_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| -> Result<FalsePositive> {
            Ok(FalsePositive {
                id: r.try_get(0)?,
                computer_id: r.try_get(1)?,
                finding_id: r.try_get(2)?,
                rule: r.try_get(3)?,
                path: r.try_get(4)?,
                reason: r.try_get(5)?,
                actor: r.try_get(6)?,
                at: r.try_get(7)?,
                withdrawn_at: r.try_get(8)?,
                withdrawn_by: r.try_get(9)?,
                withdrawn_reason: r.try_get(10)?,
            })
        })
        .transpose()
    }
}

/// Set the status of every row of one finding on one computer.
async fn set_status(
    conn: &mut AnyConnection,
    computer_id: i64,
    finding_id: &str,
    status: &str,
) -> Result<()> {
    sqlx::query("UPDATE findings SET status = $1 WHERE computer_id = $2 AND finding_id = $3")
        .bind(status)
        .bind(computer_id)
        .bind(finding_id)
        .execute(&mut *conn)
        .await?;
    let reports: Vec<i64> = sqlx::query_scalar("SELECT id FROM reports WHERE computer_id = $1")
        .bind(computer_id)
        .fetch_all(&mut *conn)
        .await?;
    crate::reports::refresh_problems(conn, &reports).await
}

/// What a report says about the findings it does not contain.
pub(crate) struct Seen<'a> {
    /// Stable ids of its findings.
    pub present: &'a HashSet<&'a str>,
    /// Checks that ran (ok or partial).
    pub checks_ran: &'a HashSet<&'a str>,
    /// Paths it could not read.
    pub unread: &'a HashSet<&'a str>,
}

/// What a report newly linked to computer `computer_id` means for the follow-up, inside the
/// import's transaction: findings marked false positive on that computer are set aside again, and,
/// when it is the computer's latest report and `seen` is given, each waiting task learns whether its
/// finding is still there — gone from a report whose check ran and which read the file proposes
/// "verified"; back again withdraws the proposal.
pub(crate) async fn follow_up_report(
    conn: &mut AnyConnection,
    report_row: i64,
    computer_id: i64,
    seen: Option<&Seen<'_>>,
) -> Result<()> {
    sqlx::query(
        "UPDATE findings SET status = 'false_positive' WHERE report_row = $1 AND finding_id IN \
         (SELECT finding_id FROM false_positives WHERE computer_id = $2 AND withdrawn_at IS NULL)",
    )
    .bind(report_row)
    .bind(computer_id)
    .execute(&mut *conn)
    .await?;
    let latest = crate::correlate::latest_report_of(conn, computer_id)
        .await?
        .map(|(_, _, row)| row);
    let Some(seen) = seen.filter(|_| latest == Some(report_row)) else {
        return Ok(());
    };
    let waiting: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, finding_id, check_id, path FROM rectifications WHERE computer_id = $1 \
         AND state IN ('open', 'in_progress', 'fixed')",
    )
    .bind(computer_id)
    .fetch_all(&mut *conn)
    .await?;
    for (id, finding_id, check, path) in waiting {
        // The file itself, for a finding inside an archive ("a.zip → b.docx").
        let file = path.split(" → ").next().unwrap_or(&path);
        let gone = if seen.present.contains(finding_id.as_str()) {
            None
        } else if seen.checks_ran.contains(check.as_str()) && !seen.unread.contains(file) {
            Some(report_row)
        } else {
            continue; // the check did not run or the file was not read: no word on the finding
        };
        sqlx::query("UPDATE rectifications SET gone_in_report = $1 WHERE id = $2")
            .bind(gone)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Tasks by state (of one department when given), and how many are overdue.
    pub async fn rectification_counts(
        &self,
        department_id: Option<i64>,
    ) -> Result<(Vec<(String, i64)>, i64)> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT state, COUNT(*) FROM rectifications WHERE $1 IS NULL OR department_id = $1 \
             GROUP BY state",
        )
        .bind(department_id)
        .fetch_all(&self.pool)
        .await?;
        let overdue: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM rectifications WHERE ($1 IS NULL OR department_id = $1) \
             AND state IN ('open', 'in_progress') AND due_date < $2",
        )
        .bind(department_id)
        .bind(today())
        .fetch_one(&self.pool)
        .await?;
        Ok((rows, overdue))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_date() {
        assert!(is_date(&today()));
    }

    #[test]
    fn the_life_of_a_task() {
        use RectState::*;
        // Nothing leads back to open except a withdrawn risk acceptance; nothing leaves closed.
        for s in RectState::ALL {
            assert!(!s.next().contains(&s), "{s:?}");
            if s != RiskAccepted {
                assert!(!s.next().contains(&Open), "{s:?}");
            }
        }
        assert!(Closed.next().is_empty());
        assert!(Verified.next().contains(&Closed));
        assert!(Open.is_pending() && InProgress.is_pending() && !Fixed.is_pending());
    }
}
