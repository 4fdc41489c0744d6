//! The register of people: who works where, their secret-related category, and when they signed the
//! confidentiality undertaking. Training records come with inspection campaigns (issue 6).

use crate::audit::append;
use crate::model::{SECRECY_LEVELS, is_date};
use crate::{Error, Result, Store, now, register_write_error};
use sqlx::AnyConnection;

/// What is registered about a person.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonInput {
    /// Full name.
    pub name: String,
    /// Department.
    pub department_id: Option<i64>,
    /// Position (职务).
    pub position: String,
    /// `core`, `important`, `general` or `none`.
    pub secrecy_level: String,
    /// The date the undertaking was signed (YYYY-MM-DD), empty when not signed.
    pub undertaking_signed: String,
    /// Notes.
    pub notes: String,
}

impl PersonInput {
    pub(crate) fn validated(mut self) -> Result<PersonInput> {
        for f in [
            &mut self.name,
            &mut self.position,
            &mut self.undertaking_signed,
            &mut self.notes,
        ] {
            *f = f.trim().to_owned();
        }
        if self.name.is_empty() || self.name.chars().count() > 64 {
            return Err(Error::Invalid(
                "the name is required (at most 64 characters)".into(),
            ));
        }
        if !SECRECY_LEVELS.contains(&self.secrecy_level.as_str()) {
            return Err(Error::Invalid(format!(
                "unknown category {:?} (core, important, general, none)",
                self.secrecy_level
            )));
        }
        if !self.undertaking_signed.is_empty() && !is_date(&self.undertaking_signed) {
            return Err(Error::Invalid(
                "the undertaking's date is YYYY-MM-DD".into(),
            ));
        }
        Ok(self)
    }
}

/// A registered person.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// Row id.
    pub id: i64,
    /// The fields as registered.
    pub fields: PersonInput,
}

type PersonRow = (i64, String, Option<i64>, String, String, String, String);

fn person(r: PersonRow) -> Person {
    Person {
        id: r.0,
        fields: PersonInput {
            name: r.1,
            department_id: r.2,
            position: r.3,
            secrecy_level: r.4,
            undertaking_signed: r.5,
            notes: r.6,
        },
    }
}

fn detail(p: &PersonInput) -> String {
    serde_json::json!({
        "name": p.name, "department_id": p.department_id, "position": p.position,
        "secrecy_level": p.secrecy_level, "undertaking_signed": p.undertaking_signed, "notes": p.notes,
    })
    .to_string()
}

const PERSON_COLUMNS: &str =
    "id, name, department_id, position, secrecy_level, undertaking_signed, notes";

impl Store {
    /// Register a person.
    pub async fn create_person(&self, actor: &str, input: PersonInput) -> Result<i64> {
        let p = input.validated()?;
        let mut tx = self.write_tx().await?;
        let id = insert_person(&mut tx, actor, &p).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Change a person's record; the log keeps the old and the new fields.
    pub async fn update_person(&self, actor: &str, id: i64, input: PersonInput) -> Result<()> {
        let p = input.validated()?;
        let old = self.person(id).await?.ok_or(Error::NotFound)?;
        let mut tx = self.write_tx().await?;
        rewrite_person(&mut tx, actor, id, &old.fields, &p).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One person.
    pub async fn person(&self, id: i64) -> Result<Option<Person>> {
        let row: Option<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(person))
    }

    /// People, by name: of one department when given.
    pub async fn people(&self, department_id: Option<i64>) -> Result<Vec<Person>> {
        let rows: Vec<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE $1 IS NULL OR department_id = $1 ORDER BY name, id LIMIT 5000"
        )))
        .bind(department_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(person).collect())
    }
}

/// Insert a validated record and log it, inside the caller's transaction.
pub(crate) async fn insert_person(
    conn: &mut AnyConnection,
    actor: &str,
    p: &PersonInput,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO people (name, department_id, position, secrecy_level, undertaking_signed, notes, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(&p.name)
    .bind(p.department_id)
    .bind(&p.position)
    .bind(&p.secrecy_level)
    .bind(&p.undertaking_signed)
    .bind(&p.notes)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| register_write_error(e, "the record"))?;
    append(
        conn,
        actor,
        "person.create",
        &format!("person:{id}"),
        &detail(p),
    )
    .await?;
    Ok(id)
}

/// Overwrite record `id` (which was `old`) with validated fields and log both, inside the caller's
/// transaction.
pub(crate) async fn rewrite_person(
    conn: &mut AnyConnection,
    actor: &str,
    id: i64,
    old: &PersonInput,
    p: &PersonInput,
) -> Result<()> {
    sqlx::query(
        "UPDATE people SET name = $1, department_id = $2, position = $3, secrecy_level = $4, \
         undertaking_signed = $5, notes = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(&p.name)
    .bind(p.department_id)
    .bind(&p.position)
    .bind(&p.secrecy_level)
    .bind(&p.undertaking_signed)
    .bind(&p.notes)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(|e| register_write_error(e, "the record"))?;
    let d = format!("{{\"old\":{},\"new\":{}}}", detail(old), detail(p));
    append(conn, actor, "person.update", &format!("person:{id}"), &d).await
}

/// The records of that name in that department (`Some(None)`: in none; `None`: in any) — none,
/// one, or, in a register kept by hand, several — inside a transaction.
pub(crate) async fn person_by_name_in(
    conn: &mut AnyConnection,
    name: &str,
    department_id: Option<Option<i64>>,
) -> Result<Vec<(i64, PersonInput)>> {
    let rows: Vec<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE name = $1 AND ($2 = 0 \
         OR department_id = $3 OR (department_id IS NULL AND $3 IS NULL))"
    )))
    .bind(name)
    .bind(i64::from(department_id.is_some()))
    .bind(department_id.flatten())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(person)
        .map(|r| (r.id, r.fields))
        .collect())
}
