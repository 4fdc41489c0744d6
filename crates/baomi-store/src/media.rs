//! The removable-media register: a medium's fields, and its life as a chain of events. The rules
//! (which moves are allowed, a level never lowered) are plain functions in [`crate::model`]; this
//! module stores what they allow, with the event and the audit entry in the same transaction.

use crate::audit::append;
use crate::model::{MEDIUM_KINDS, MediumState, is_date, level_change_allowed, level_rank};
use crate::{Error, Result, Store, now, register_write_error};
use sqlx::AnyConnection;

/// What is registered about a medium.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediumInput {
    /// The office's number for it (载体编号), unique.
    pub number: String,
    /// `usb_disk`, `portable_disk`, `optical_disc`, `memory_card`, `other`.
    pub kind: String,
    /// Brand and model.
    pub brand_model: String,
    /// USB vendor id, 4 hex digits (lower-case), when it has one.
    pub vid: String,
    /// USB product id.
    pub pid: String,
    /// iSerialNumber, as the device reports it: how scan reports find it.
    pub serial: String,
    /// `top_secret`, `secret`, `confidential`, `internal` or `none`.
    pub level: String,
    /// Department.
    pub department_id: Option<i64>,
    /// Custodian (保管人).
    pub custodian: String,
    /// Notes.
    pub notes: String,
}

impl MediumInput {
    pub(crate) fn validated(mut self) -> Result<MediumInput> {
        for f in [
            &mut self.number,
            &mut self.brand_model,
            &mut self.serial,
            &mut self.custodian,
            &mut self.notes,
        ] {
            *f = f.trim().to_owned();
        }
        self.vid = self.vid.trim().to_ascii_lowercase();
        self.pid = self.pid.trim().to_ascii_lowercase();
        if self.number.is_empty() || self.number.chars().count() > 64 {
            return Err(Error::Invalid(
                "the medium's number is required (at most 64 characters)".into(),
            ));
        }
        if !MEDIUM_KINDS.contains(&self.kind.as_str()) {
            return Err(Error::Invalid(format!(
                "unknown kind {:?} ({})",
                self.kind,
                MEDIUM_KINDS.join(", ")
            )));
        }
        if level_rank(&self.level).is_none() {
            return Err(Error::Invalid(format!("unknown level {:?}", self.level)));
        }
        for (name, id) in [("vendor", &self.vid), ("product", &self.pid)] {
            if !id.is_empty() && (id.len() != 4 || !id.chars().all(|c| c.is_ascii_hexdigit())) {
                return Err(Error::Invalid(format!(
                    "the USB {name} id is 4 hex digits (got {id:?})"
                )));
            }
        }
        Ok(self)
    }
}

/// Which media to list.
#[derive(Debug, Clone, Default)]
pub struct MediaFilter {
    /// Only this department (a department head's view).
    pub department_id: Option<i64>,
    /// Text in the number, serial, custodian or brand and model.
    pub text: Option<String>,
    /// Only numbers after this one (the next page).
    pub after: Option<String>,
    /// At most this many (all when `None`).
    pub limit: Option<i64>,
}

/// A registered medium.
#[derive(Debug, Clone, PartialEq)]
pub struct Medium {
    /// Row id.
    pub id: i64,
    /// The fields as registered.
    pub fields: MediumInput,
    /// Where it stands.
    pub state: MediumState,
}

/// One step of a medium's life.
#[derive(Debug, Clone, PartialEq)]
pub struct MediumEvent {
    /// Unix seconds.
    pub at: i64,
    /// Who recorded it.
    pub actor: String,
    /// From.
    pub from: String,
    /// To.
    pub to: String,
    /// Why (required).
    pub reason: String,
    /// Who approved (a loan, a destruction).
    pub approver: String,
    /// When a lent medium is due back (YYYY-MM-DD).
    pub due_date: String,
}

/// A move asked for: to which state, why, and for a loan who approved it and until when.
#[derive(Debug, Clone, Default)]
pub struct Transition {
    /// The new state.
    pub to: String,
    /// Why (required).
    pub reason: String,
    /// Who approved (required for a loan and for destruction).
    pub approver: String,
    /// Due date of a loan, YYYY-MM-DD (required for a loan).
    pub due_date: String,
}

type MediumRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    String,
    String,
);

const MEDIUM_COLUMNS: &str = "id, number, kind, brand_model, vid, pid, serial, level, department_id, custodian, notes, state";

fn medium(r: MediumRow) -> Result<Medium> {
    Ok(Medium {
        id: r.0,
        fields: MediumInput {
            number: r.1,
            kind: r.2,
            brand_model: r.3,
            vid: r.4,
            pid: r.5,
            serial: r.6,
            level: r.7,
            department_id: r.8,
            custodian: r.9,
            notes: r.10,
        },
        state: r.11.parse().map_err(Error::Invalid)?,
    })
}

fn detail(m: &MediumInput) -> String {
    serde_json::json!({
        "number": m.number, "kind": m.kind, "brand_model": m.brand_model, "vid": m.vid, "pid": m.pid,
        "serial": m.serial, "level": m.level, "department_id": m.department_id,
        "custodian": m.custodian, "notes": m.notes,
    })
    .to_string()
}

async fn medium_in(conn: &mut AnyConnection, id: i64) -> Result<Medium> {
    let row: Option<MediumRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MEDIUM_COLUMNS} FROM media WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    medium(row.ok_or(Error::NotFound)?)
}

impl Store {
    /// Register a medium (state `registered`).
    pub async fn create_medium(&self, actor: &str, input: MediumInput) -> Result<i64> {
        let m = input.validated()?;
        let mut tx = self.write_tx().await?;
        let id = insert_medium(&mut tx, actor, &m).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Change a medium's fields. Its level may be raised, never lowered.
    pub async fn update_medium(&self, actor: &str, id: i64, input: MediumInput) -> Result<()> {
        let m = input.validated()?;
        let mut tx = self.write_tx().await?;
        let old = medium_in(&mut tx, id).await?;
        rewrite_medium(&mut tx, actor, id, &old.fields, &m).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Move a medium to another state, if its life allows it, with who, when and why on record.
    pub async fn transition_medium(&self, actor: &str, id: i64, t: &Transition) -> Result<()> {
        let to: MediumState = t.to.parse().map_err(Error::Invalid)?;
        let reason = t.reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid("say why (the reason is required)".into()));
        }
        let needs_approver = matches!(to, MediumState::Lent | MediumState::Destroyed);
        if needs_approver && t.approver.trim().is_empty() {
            return Err(Error::Invalid(
                "a loan or a destruction needs the approver's name".into(),
            ));
        }
        let due = t.due_date.trim();
        if to == MediumState::Lent && !is_date(due) {
            return Err(Error::Invalid(
                "a loan needs a due date (YYYY-MM-DD)".into(),
            ));
        }
        let mut tx = self.write_tx().await?;
        let m = medium_in(&mut tx, id).await?;
        if !m.state.next().contains(&to) {
            return Err(Error::Invalid(format!(
                "a medium that is {} cannot become {}",
                m.state.as_str(),
                to.as_str()
            )));
        }
        let at = now();
        // The state changes only if it is still what was read: two concurrent moves cannot both pass.
        let n = sqlx::query(
            "UPDATE media SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
        )
        .bind(to.as_str())
        .bind(at)
        .bind(id)
        .bind(m.state.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(Error::Conflict(
                "the medium changed meanwhile; reload and try again".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO media_events (medium_id, at, actor, from_state, to_state, reason, approver, due_date) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(at)
        .bind(actor)
        .bind(m.state.as_str())
        .bind(to.as_str())
        .bind(reason)
        .bind(t.approver.trim())
        .bind(if to == MediumState::Lent { due } else { "" })
        .execute(&mut *tx)
        .await?;
        recompute_for(&mut tx, &[&m.fields]).await?;
        let d = serde_json::json!({
            "from": m.state.as_str(), "to": to.as_str(), "reason": reason,
            "approver": t.approver.trim(), "due_date": due,
        });
        append(
            &mut tx,
            actor,
            "medium.transition",
            &format!("medium:{id}"),
            &d.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One medium.
    pub async fn medium(&self, id: i64) -> Result<Option<Medium>> {
        let mut conn = self.pool.acquire().await?;
        match medium_in(&mut conn, id).await {
            Ok(m) => Ok(Some(m)),
            Err(Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Media, by number, as `filter` says.
    pub async fn media(&self, filter: &MediaFilter) -> Result<Vec<Medium>> {
        // Only the conditions given go into the WHERE: a generic `$n IS NULL OR …` keeps PostgreSQL
        // from walking the number index for the page.
        let mut sql = format!("SELECT {MEDIUM_COLUMNS} FROM media WHERE 1 = 1");
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        if filter.department_id.is_some() {
            sql.push_str(&format!(" AND department_id = ${}", next()));
        }
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| format!("%{}%", t.replace(['%', '_'], "")));
        if text.is_some() {
            let k = next();
            sql.push_str(&format!(
                " AND (number LIKE ${k} OR serial LIKE ${k} OR custodian LIKE ${k} OR brand_model LIKE ${k})"
            ));
        }
        if filter.after.is_some() {
            sql.push_str(&format!(" AND number > ${}", next()));
        }
        sql.push_str(&format!(" ORDER BY number LIMIT ${}", next()));
        let mut q = sqlx::query_as::<_, MediumRow>(sqlx::AssertSqlSafe(sql));
        if let Some(d) = filter.department_id {
            q = q.bind(d);
        }
        if let Some(t) = text {
            q = q.bind(t);
        }
        if let Some(a) = &filter.after {
            q = q.bind(a.clone());
        }
        let rows = q
            .bind(filter.limit.unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(medium).collect()
    }

    /// A medium's life, oldest first.
    pub async fn medium_events(&self, id: i64) -> Result<Vec<MediumEvent>> {
        type Row = (i64, String, String, String, String, String, String);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT at, actor, from_state, to_state, reason, approver, due_date FROM media_events \
             WHERE medium_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| MediumEvent {
                at: r.0,
                actor: r.1,
                from: r.2,
                to: r.3,
                reason: r.4,
                approver: r.5,
                due_date: r.6,
            })
            .collect())
    }
}

/// Insert a validated medium (state `registered`) and log it, inside the caller's transaction.
pub(crate) async fn insert_medium(
    conn: &mut AnyConnection,
    actor: &str,
    m: &MediumInput,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO media (number, kind, brand_model, vid, pid, serial, level, department_id, \
         custodian, state, notes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(&m.number)
    .bind(&m.kind)
    .bind(&m.brand_model)
    .bind(&m.vid)
    .bind(&m.pid)
    .bind(&m.serial)
    .bind(&m.level)
    .bind(m.department_id)
    .bind(&m.custodian)
    .bind(MediumState::Registered.as_str())
    .bind(&m.notes)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| register_write_error(e, &format!("the medium number {:?}", m.number)))?;
    recompute_for(conn, &[m]).await?;
    append(
        conn,
        actor,
        "medium.create",
        &format!("medium:{id}"),
        &detail(m),
    )
    .await?;
    Ok(id)
}

/// Overwrite medium `id` (which was `old`) with validated fields, refusing a lower level, and log
/// both, inside the caller's transaction.
pub(crate) async fn rewrite_medium(
    conn: &mut AnyConnection,
    actor: &str,
    id: i64,
    old: &MediumInput,
    m: &MediumInput,
) -> Result<()> {
    if !level_change_allowed(&old.level, &m.level) {
        return Err(Error::Invalid(format!(
            "a medium's level is never lowered ({} → {})",
            old.level, m.level
        )));
    }
    sqlx::query(
        "UPDATE media SET number = $1, kind = $2, brand_model = $3, vid = $4, pid = $5, serial = $6, \
         level = $7, department_id = $8, custodian = $9, notes = $10, updated_at = $11 WHERE id = $12",
    )
    .bind(&m.number)
    .bind(&m.kind)
    .bind(&m.brand_model)
    .bind(&m.vid)
    .bind(&m.pid)
    .bind(&m.serial)
    .bind(&m.level)
    .bind(m.department_id)
    .bind(&m.custodian)
    .bind(&m.notes)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(|e| register_write_error(e, &format!("the medium number {:?}", m.number)))?;
    recompute_for(conn, &[old, m]).await?;
    let d = format!("{{\"old\":{},\"new\":{}}}", detail(old), detail(m));
    append(conn, actor, "medium.update", &format!("medium:{id}"), &d).await
}

/// The medium registered under `number`, inside a transaction.
pub(crate) async fn medium_by_number_in(
    conn: &mut AnyConnection,
    number: &str,
) -> Result<Vec<(i64, MediumInput)>> {
    let rows: Vec<MediumRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MEDIUM_COLUMNS} FROM media WHERE number = $1"
    )))
    .bind(number)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| medium(r).map(|m| (m.id, m.fields)))
        .collect()
}

/// The correlations of the devices these media are registered as, computed again (a medium registered,
/// changed or moved through its life changes what its sightings mean).
async fn recompute_for(conn: &mut AnyConnection, media: &[&MediumInput]) -> Result<()> {
    let devices: Vec<(String, String, String)> = media
        .iter()
        .filter(|m| !m.serial.is_empty())
        .map(|m| (m.vid.clone(), m.pid.clone(), m.serial.clone()))
        .collect();
    crate::correlate::recompute_devices(conn, &devices).await?;
    Ok(())
}
