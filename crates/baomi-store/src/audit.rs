//! The append-only audit log. Each entry's hash is SM3 (GB/T 32905) over the previous entry's hash and
//! the entry's own fields, so editing or deleting any entry breaks the chain from there on, and
//! [`Store::audit_verify`] finds where. The head row (`audit_head`) holds the last number and hash: it
//! is locked by every append (numbers have no gaps under concurrent writers) and shows a deleted last
//! entry.
//!
//! The chain proves the log was not changed by someone who cannot also recompute it; against someone
//! with write access to the database and this code, publish the head hash elsewhere (the closing
//! report of a campaign prints it).

use crate::{Result, Store, now};
use sm3::{Digest, Sm3};
use sqlx::AnyConnection;
use sqlx::AssertSqlSafe;

/// One entry of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// 1, 2, 3, … without gaps.
    pub seq: i64,
    /// Unix seconds.
    pub at: i64,
    /// Who: a user name, `system`, or `token:<label>`.
    pub actor: String,
    /// What: `computer.create`, `report.import`, …
    pub action: String,
    /// On what: `computer:12`, `report:…`.
    pub object: String,
    /// The change itself, as JSON.
    pub detail: String,
    /// The hash of the entry before (empty for the first).
    pub prev_hash: String,
    /// SM3 of `prev_hash` and this entry's fields, hex.
    pub hash: String,
}

/// Something [`Store::audit_verify`] found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditProblem {
    /// The entry where the chain breaks (the head's number when the last entries are gone).
    pub seq: i64,
    /// What is wrong, in plain English.
    pub what: String,
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerdict {
    /// Entries read.
    pub entries: i64,
    /// Breaks found, in order; empty when the log is intact.
    pub problems: Vec<AuditProblem>,
}

/// SM3 over the previous hash and the fields, each length-prefixed so that no two different entries
/// hash the same bytes (`"ab","c"` and `"a","bc"` differ).
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    object: &str,
    detail: &str,
) -> String {
    let mut h = Sm3::new();
    for field in [
        prev_hash.as_bytes(),
        seq.to_string().as_bytes(),
        at.to_string().as_bytes(),
        actor.as_bytes(),
        action.as_bytes(),
        object.as_bytes(),
        detail.as_bytes(),
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Append an entry inside the caller's transaction (the change and its entry commit together).
pub(crate) async fn append(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
    object: &str,
    detail: &str,
) -> Result<()> {
    // Taking the head row's write lock first serializes appenders: the second waits here for the
    // first to commit, then reads its number and hash.
    let (seq, prev): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *conn)
            .await?;
    let at = now();
    let hash = entry_hash(&prev, seq, at, actor, action, object, detail);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, object, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq)
    .bind(at)
    .bind(actor)
    .bind(action)
    .bind(object)
    .bind(detail)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

type EntryRow = (i64, i64, String, String, String, String, String, String);

fn entry(r: EntryRow) -> AuditEntry {
    AuditEntry {
        seq: r.0,
        at: r.1,
        actor: r.2,
        action: r.3,
        object: r.4,
        detail: r.5,
        prev_hash: r.6,
        hash: r.7,
    }
}

const ENTRY_COLUMNS: &str = "seq, at, actor, action, object, detail, prev_hash, hash";

impl Store {
    /// The newest entries first, `limit` at most, older than `before` when given.
    pub async fn audit_entries(&self, before: Option<i64>, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows: Vec<EntryRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT $2"
        )))
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(entry).collect())
    }

    /// The entries about one record (`computer:12`, `medium:3`, …), newest first: its change history.
    pub async fn audit_of(&self, object: &str, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows: Vec<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE object = $1 ORDER BY seq DESC LIMIT $2"
        )))
        .bind(object)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(entry).collect())
    }

    /// Recompute the whole chain in order and report every place it breaks: an entry whose hash does
    /// not match its fields (edited), whose `prev_hash` is not the hash before it or whose number
    /// skips (deleted or inserted), and a head that points past the last entry (deleted at the end).
    pub async fn audit_verify(&self) -> Result<AuditVerdict> {
        const PAGE: i64 = 10_000;
        let mut problems = Vec::new();
        let mut expected_seq = 1i64;
        let mut prev_hash = String::new();
        let mut entries = 0i64;
        loop {
            let rows: Vec<EntryRow> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2"
            )))
            .bind(expected_seq)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
            let done = (rows.len() as i64) < PAGE;
            for e in rows.into_iter().map(entry) {
                entries += 1;
                if e.seq != expected_seq {
                    problems.push(AuditProblem {
                        seq: expected_seq,
                        what: format!("entries {expected_seq}–{} are missing (deleted)", e.seq - 1),
                    });
                }
                if e.prev_hash != prev_hash {
                    problems.push(AuditProblem {
                        seq: e.seq,
                        what: "does not follow the entry before it (an entry before it was deleted, inserted or edited)".into(),
                    });
                }
                let recomputed = entry_hash(
                    &e.prev_hash,
                    e.seq,
                    e.at,
                    &e.actor,
                    &e.action,
                    &e.object,
                    &e.detail,
                );
                if recomputed != e.hash {
                    problems.push(AuditProblem {
                        seq: e.seq,
                        what: "its content does not match its hash (edited)".into(),
                    });
                }
                prev_hash = e.hash;
                expected_seq = e.seq + 1;
            }
            if done {
                break;
            }
        }
        let (head_seq, head_hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        if head_seq != expected_seq - 1 || head_hash != prev_hash {
            problems.push(AuditProblem {
                seq: head_seq,
                what: format!(
                    "the log ends at entry {} but {head_seq} were written (the last entries were deleted or the head was changed)",
                    expected_seq - 1
                ),
            });
        }
        Ok(AuditVerdict { entries, problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_cannot_slide_into_each_other() {
        let a = entry_hash("", 1, 0, "ab", "c", "", "");
        let b = entry_hash("", 1, 0, "a", "bc", "", "");
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
    }

    /// SM3 itself, against the standard's first example (GB/T 32905-2016, A.1: "abc").
    #[test]
    fn sm3_is_the_standard_one() {
        let d: String = Sm3::digest(b"abc")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            d,
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }
}
