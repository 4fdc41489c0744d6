//! Confidentiality training (保密教育培训): sessions, who attended, and who has not been trained in
//! the last 12 months. Attendance is kept per person, so a person's record shows their sessions and
//! the register can flag whoever is due.

use crate::audit::append;
use crate::model::is_date;
use crate::{Error, Result, Store, now};
use std::collections::HashMap;

/// A training session as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrainingInput {
    /// What it was (`2026年保密法宣传教育`).
    pub title: String,
    /// The day, `YYYY-MM-DD`.
    pub held_on: String,
    /// Hours, as written (`2`, `1.5`).
    pub hours: String,
    /// Who taught it.
    pub trainer: String,
    /// Anything else.
    pub notes: String,
}

/// A stored session with its attendance count.
#[derive(Debug, Clone, PartialEq)]
pub struct Training {
    /// Row id.
    pub id: i64,
    /// As entered.
    pub fields: TrainingInput,
    /// People who attended.
    pub attendees: i64,
}

/// How long training lasts before it is due again.
pub const TRAINING_VALID_DAYS: i64 = 365;

/// The day `days` before today in China, `YYYY-MM-DD`.
fn days_ago(days: i64) -> String {
    crate::china_date(now().saturating_sub(days * 86_400))
}

impl Store {
    /// Record a training session.
    pub async fn create_training(&self, actor: &str, t: TrainingInput) -> Result<i64> {
        let t = TrainingInput {
            title: t.title.trim().to_owned(),
            held_on: t.held_on.trim().to_owned(),
            hours: t.hours.trim().to_owned(),
            trainer: t.trainer.trim().to_owned(),
            notes: t.notes.trim().to_owned(),
        };
        if t.title.is_empty() {
            return Err(Error::Invalid("a training needs a title".into()));
        }
        if !is_date(&t.held_on) {
            return Err(Error::Invalid(
                "the day it was held is a date (YYYY-MM-DD)".into(),
            ));
        }
        if !t.hours.is_empty()
            && !t
                .hours
                .parse::<f64>()
                .is_ok_and(|h| (0.0..=100.0).contains(&h))
        {
            return Err(Error::Invalid("hours is a number (e.g. 2 or 1.5)".into()));
        }
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO trainings (title, held_on, hours, trainer, notes, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&t.title)
        .bind(&t.held_on)
        .bind(&t.hours)
        .bind(&t.trainer)
        .bind(&t.notes)
        .bind(actor)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "title": t.title, "held_on": t.held_on, "hours": t.hours,
                                         "trainer": t.trainer });
        append(
            &mut tx,
            actor,
            "training.create",
            &format!("training:{id}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Sessions, newest first.
    pub async fn trainings(&self) -> Result<Vec<Training>> {
        let rows: Vec<(i64, String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT t.id, t.title, t.held_on, t.hours, t.trainer, t.notes, \
             (SELECT COUNT(*) FROM training_attendance a WHERE a.training_id = t.id) \
             FROM trainings t ORDER BY t.held_on DESC, t.id DESC LIMIT 1000",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Training {
                id: r.0,
                fields: TrainingInput {
                    title: r.1,
                    held_on: r.2,
                    hours: r.3,
                    trainer: r.4,
                    notes: r.5,
                },
                attendees: r.6,
            })
            .collect())
    }

    /// One session and the ids of the people who attended.
    pub async fn training(&self, id: i64) -> Result<Option<(Training, Vec<i64>)>> {
        let Some(t) = self.trainings().await?.into_iter().find(|t| t.id == id) else {
            return Ok(None);
        };
        let people: Vec<i64> = sqlx::query_scalar(
            "SELECT person_id FROM training_attendance WHERE training_id = $1 ORDER BY person_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some((t, people)))
    }

    /// Set who attended session `id` (the whole list; the log keeps who was added and removed).
    pub async fn set_attendance(&self, actor: &str, id: i64, people: &[i64]) -> Result<()> {
        let (_, before) = self.training(id).await?.ok_or(Error::NotFound)?;
        let mut after: Vec<i64> = people.to_vec();
        after.sort_unstable();
        after.dedup();
        let mut tx = self.write_tx().await?;
        for p in &after {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE id = $1")
                .bind(p)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(Error::Invalid(format!("no person {p} in the register")));
            }
        }
        sqlx::query("DELETE FROM training_attendance WHERE training_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for p in &after {
            sqlx::query("INSERT INTO training_attendance (training_id, person_id) VALUES ($1, $2)")
                .bind(id)
                .bind(p)
                .execute(&mut *tx)
                .await?;
        }
        let added: Vec<i64> = after
            .iter()
            .filter(|p| !before.contains(p))
            .copied()
            .collect();
        let removed: Vec<i64> = before
            .iter()
            .filter(|p| !after.contains(p))
            .copied()
            .collect();
        let detail = serde_json::json!({ "added": added, "removed": removed });
        append(
            &mut tx,
            actor,
            "training.attendance",
            &format!("training:{id}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Each person's latest training day (`None`: never trained), of one department when given.
    pub async fn last_trained(&self, department_id: Option<i64>) -> Result<HashMap<i64, String>> {
        let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
            "SELECT p.id, MAX(t.held_on) FROM people p \
             JOIN training_attendance a ON a.person_id = p.id JOIN trainings t ON t.id = a.training_id \
             WHERE $1 IS NULL OR p.department_id = $1 GROUP BY p.id",
        )
        .bind(department_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(p, d)| d.map(|d| (p, d)))
            .collect())
    }

    /// The sessions person `id` attended, newest first.
    pub async fn trainings_of(&self, person_id: i64) -> Result<Vec<(i64, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT t.id, t.held_on, t.title FROM trainings t \
             JOIN training_attendance a ON a.training_id = t.id WHERE a.person_id = $1 \
             ORDER BY t.held_on DESC, t.id DESC",
        )
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Is training that last happened on `last` (or never) due? Due when older than
/// [`TRAINING_VALID_DAYS`].
pub fn training_due(last: Option<&str>) -> bool {
    match last {
        None => true,
        Some(d) => d < days_ago(TRAINING_VALID_DAYS).as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_is_due_after_a_year() {
        assert!(training_due(None));
        assert!(training_due(Some("2001-01-01")));
        assert!(!training_due(Some(&days_ago(10))));
        assert!(training_due(Some(&days_ago(400))));
    }
}
