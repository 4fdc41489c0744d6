//! The register of key places: what room, whose, at what level, guarded by which security devices.

use crate::audit::append;
use crate::model::{PLACE_DEVICES, PLACE_KINDS, level_rank};
use crate::{Error, Result, Store, now, register_write_error};
use sqlx::AnyConnection;

/// What is registered about a key place.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlaceInput {
    /// Its name (`第一保密室`).
    pub name: String,
    /// `confidential_room`, `computer_room`, `archive_room`, `other`.
    pub kind: String,
    /// Department.
    pub department_id: Option<i64>,
    /// Building and room.
    pub location: String,
    /// `top_secret`, `secret`, `confidential`, `internal` or `none`.
    pub level: String,
    /// Custodian (责任人).
    pub custodian: String,
    /// Security devices present, from [`PLACE_DEVICES`], comma-separated.
    pub devices: String,
    /// Notes.
    pub notes: String,
}

impl PlaceInput {
    pub(crate) fn validated(mut self) -> Result<PlaceInput> {
        for f in [
            &mut self.name,
            &mut self.location,
            &mut self.custodian,
            &mut self.notes,
        ] {
            *f = f.trim().to_owned();
        }
        if self.name.is_empty() || self.name.chars().count() > 64 {
            return Err(Error::Invalid(
                "the place's name is required (at most 64 characters)".into(),
            ));
        }
        if !PLACE_KINDS.contains(&self.kind.as_str()) {
            return Err(Error::Invalid(format!(
                "unknown kind {:?} ({})",
                self.kind,
                PLACE_KINDS.join(", ")
            )));
        }
        if level_rank(&self.level).is_none() {
            return Err(Error::Invalid(format!("unknown level {:?}", self.level)));
        }
        let mut devices: Vec<&str> = Vec::new();
        for d in self
            .devices
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            let Some(known) = PLACE_DEVICES.iter().find(|k| **k == d) else {
                return Err(Error::Invalid(format!(
                    "unknown security device {d:?} ({})",
                    PLACE_DEVICES.join(", ")
                )));
            };
            if !devices.contains(known) {
                devices.push(known);
            }
        }
        // In the order of the list, so that equal sets are equal strings.
        devices.sort_by_key(|d| PLACE_DEVICES.iter().position(|k| k == d));
        self.devices = devices.join(",");
        Ok(self)
    }
}

/// A registered key place.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Row id.
    pub id: i64,
    /// The fields as registered.
    pub fields: PlaceInput,
}

type PlaceRow = (
    i64,
    String,
    String,
    Option<i64>,
    String,
    String,
    String,
    String,
    String,
);

fn place(r: PlaceRow) -> Place {
    Place {
        id: r.0,
        fields: PlaceInput {
            name: r.1,
            kind: r.2,
            department_id: r.3,
            location: r.4,
            level: r.5,
            custodian: r.6,
            devices: r.7,
            notes: r.8,
        },
    }
}

fn detail(p: &PlaceInput) -> String {
    serde_json::json!({
        "name": p.name, "kind": p.kind, "department_id": p.department_id, "location": p.location,
        "level": p.level, "custodian": p.custodian, "devices": p.devices, "notes": p.notes,
    })
    .to_string()
}

const PLACE_COLUMNS: &str =
    "id, name, kind, department_id, location, level, custodian, devices, notes";

impl Store {
    /// Register a key place.
    pub async fn create_place(&self, actor: &str, input: PlaceInput) -> Result<i64> {
        let p = input.validated()?;
        let mut tx = self.write_tx().await?;
        let id = insert_place(&mut tx, actor, &p).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Change a key place's record; the log keeps the old and the new fields.
    pub async fn update_place(&self, actor: &str, id: i64, input: PlaceInput) -> Result<()> {
        let p = input.validated()?;
        let old = self.place(id).await?.ok_or(Error::NotFound)?;
        let mut tx = self.write_tx().await?;
        rewrite_place(&mut tx, actor, id, &old.fields, &p).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One key place.
    pub async fn place(&self, id: i64) -> Result<Option<Place>> {
        let row: Option<PlaceRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PLACE_COLUMNS} FROM places WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(place))
    }

    /// Key places, by name: of one department when given.
    pub async fn places(&self, department_id: Option<i64>) -> Result<Vec<Place>> {
        let rows: Vec<PlaceRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PLACE_COLUMNS} FROM places WHERE $1 IS NULL OR department_id = $1 ORDER BY name, id LIMIT 5000"
        )))
        .bind(department_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(place).collect())
    }
}

/// Insert a validated record and log it, inside the caller's transaction.
pub(crate) async fn insert_place(
    conn: &mut AnyConnection,
    actor: &str,
    p: &PlaceInput,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO places (name, kind, department_id, location, level, custodian, devices, notes, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(&p.name)
    .bind(&p.kind)
    .bind(p.department_id)
    .bind(&p.location)
    .bind(&p.level)
    .bind(&p.custodian)
    .bind(&p.devices)
    .bind(&p.notes)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| register_write_error(e, "the record"))?;
    append(
        conn,
        actor,
        "place.create",
        &format!("place:{id}"),
        &detail(p),
    )
    .await?;
    Ok(id)
}

/// Overwrite record `id` (which was `old`) with validated fields and log both, inside the caller's
/// transaction.
pub(crate) async fn rewrite_place(
    conn: &mut AnyConnection,
    actor: &str,
    id: i64,
    old: &PlaceInput,
    p: &PlaceInput,
) -> Result<()> {
    sqlx::query(
        "UPDATE places SET name = $1, kind = $2, department_id = $3, location = $4, level = $5, \
         custodian = $6, devices = $7, notes = $8, updated_at = $9 WHERE id = $10",
    )
    .bind(&p.name)
    .bind(&p.kind)
    .bind(p.department_id)
    .bind(&p.location)
    .bind(&p.level)
    .bind(&p.custodian)
    .bind(&p.devices)
    .bind(&p.notes)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(|e| register_write_error(e, "the record"))?;
    let d = format!("{{\"old\":{},\"new\":{}}}", detail(old), detail(p));
    append(conn, actor, "place.update", &format!("place:{id}"), &d).await
}

/// The records of that name in that department (`Some(None)`: in none; `None`: in any) — none,
/// one, or, in a register kept by hand, several — inside a transaction.
pub(crate) async fn place_by_name_in(
    conn: &mut AnyConnection,
    name: &str,
    department_id: Option<Option<i64>>,
) -> Result<Vec<(i64, PlaceInput)>> {
    let rows: Vec<PlaceRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PLACE_COLUMNS} FROM places WHERE name = $1 AND ($2 = 0 \
         OR department_id = $3 OR (department_id IS NULL AND $3 IS NULL))"
    )))
    .bind(name)
    .bind(i64::from(department_id.is_some()))
    .bind(department_id.flatten())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(place)
        .map(|r| (r.id, r.fields))
        .collect())
}
