//! The registers: departments (a tree) and computers (asset, custodian, zone, level, state, MACs,
//! machine id). Every change is checked against the register's rules, then stored and logged in one
//! transaction.

use crate::audit::append;
use crate::model::{ComputerStatus, REGISTER_LEVELS, REGISTER_ZONES, normalize_mac};
use crate::{Error, Result, Store, now, register_write_error};
use sqlx::{AnyConnection, AssertSqlSafe};

/// A department.
#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    /// Row id.
    pub id: i64,
    /// Its name (`第一检察部`).
    pub name: String,
    /// The department it belongs to, if any.
    pub parent_id: Option<i64>,
}

/// A registered computer.
#[derive(Debug, Clone, PartialEq)]
pub struct Computer {
    /// Row id.
    pub id: i64,
    /// The fields as registered.
    pub fields: ComputerInput,
    /// The department's name, for lists.
    pub department_name: Option<String>,
}

/// What is registered about a computer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ComputerInput {
    /// Asset number (资产编号), unique.
    pub asset_no: String,
    /// Name (计算机名称 or host name).
    pub name: String,
    /// Make and model.
    pub model: String,
    /// Department.
    pub department_id: Option<i64>,
    /// Custodian (责任人).
    pub custodian: String,
    /// Location (room).
    pub location: String,
    /// `classified`, `internal` or `internet`.
    pub zone: String,
    /// `top_secret`, `secret`, `confidential`, `internal` or `none`.
    pub level: String,
    /// `in_use`, `idle`, `repair`, `scrapped`.
    pub status: String,
    /// MAC addresses, normalized, comma-separated.
    pub macs: String,
    /// `/etc/machine-id` or the Windows MachineGuid: how reports find the computer.
    pub machine_id: String,
    /// Hardware notes (wireless module removed, …).
    pub notes: String,
}

impl ComputerInput {
    /// Check the register's rules and normalize: trimmed fields, known zone, level and state, MACs in
    /// one form. The message says what to fix.
    pub fn validated(mut self) -> Result<ComputerInput> {
        for f in [
            &mut self.asset_no,
            &mut self.name,
            &mut self.model,
            &mut self.custodian,
            &mut self.location,
            &mut self.machine_id,
            &mut self.notes,
        ] {
            *f = f.trim().to_owned();
        }
        if self.asset_no.is_empty() || self.asset_no.chars().count() > 64 {
            return Err(Error::Invalid(
                "the asset number is required (at most 64 characters)".into(),
            ));
        }
        if self.name.is_empty() {
            return Err(Error::Invalid("the computer's name is required".into()));
        }
        if !REGISTER_ZONES.contains(&self.zone.as_str()) {
            return Err(Error::Invalid(format!(
                "unknown zone {:?} (classified, internal, internet)",
                self.zone
            )));
        }
        if !REGISTER_LEVELS.contains(&self.level.as_str()) {
            return Err(Error::Invalid(format!(
                "unknown level {:?} (top_secret, secret, confidential, internal, none)",
                self.level
            )));
        }
        if self.zone == "classified" && matches!(self.level.as_str(), "none" | "internal") {
            return Err(Error::Invalid(
                "a classified computer has a state-secret level (top_secret, secret or confidential)"
                    .into(),
            ));
        }
        self.status
            .parse::<ComputerStatus>()
            .map_err(Error::Invalid)?;
        let mut macs = Vec::new();
        for raw in self
            .macs
            .split([',', ';', ' ', '\n'])
            .filter(|s| !s.trim().is_empty())
        {
            match normalize_mac(raw) {
                Some(m) if !macs.contains(&m) => macs.push(m),
                Some(_) => {}
                None => return Err(Error::Invalid(format!("{raw:?} is not a MAC address"))),
            }
        }
        self.macs = macs.join(",");
        Ok(self)
    }
}

/// Which computers to list.
#[derive(Debug, Clone, Default)]
pub struct ComputerFilter {
    /// Only this department (a department head's view, or a filter).
    pub department_id: Option<i64>,
    /// Only this zone.
    pub zone: Option<String>,
    /// Text in the asset number, name, custodian or location.
    pub text: Option<String>,
    /// At most this many (default 200).
    pub limit: Option<i64>,
}

type ComputerRow = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

const COMPUTER_COLUMNS: &str = "c.id, c.asset_no, c.name, c.model, c.department_id, c.custodian, \
    c.location, c.zone, c.level, c.status, c.macs, c.machine_id, c.notes, d.name";

fn computer(r: ComputerRow) -> Computer {
    Computer {
        id: r.0,
        fields: ComputerInput {
            asset_no: r.1,
            name: r.2,
            model: r.3,
            department_id: r.4,
            custodian: r.5,
            location: r.6,
            zone: r.7,
            level: r.8,
            status: r.9,
            macs: r.10,
            machine_id: r.11,
            notes: r.12,
        },
        department_name: r.13,
    }
}

fn computer_detail(c: &ComputerInput) -> String {
    serde_json::json!({
        "asset_no": c.asset_no, "name": c.name, "model": c.model, "department_id": c.department_id,
        "custodian": c.custodian, "location": c.location, "zone": c.zone, "level": c.level,
        "status": c.status, "macs": c.macs, "machine_id": c.machine_id, "notes": c.notes,
    })
    .to_string()
}

impl Store {
    /// Add a department under `parent_id` (or at the top).
    pub async fn create_department(
        &self,
        actor: &str,
        name: &str,
        parent_id: Option<i64>,
    ) -> Result<i64> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Invalid("the department's name is required".into()));
        }
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO departments (name, parent_id, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(parent_id)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| register_write_error(e, "the department"))?;
        let detail = serde_json::json!({ "name": name, "parent_id": parent_id });
        append(
            &mut tx,
            actor,
            "department.create",
            &format!("department:{id}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every department, by name.
    pub async fn departments(&self) -> Result<Vec<Department>> {
        let rows: Vec<(i64, String, Option<i64>)> =
            sqlx::query_as("SELECT id, name, parent_id FROM departments ORDER BY name, id")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, parent_id)| Department {
                id,
                name,
                parent_id,
            })
            .collect())
    }

    /// Register a computer.
    pub async fn create_computer(&self, actor: &str, input: ComputerInput) -> Result<i64> {
        let c = input.validated()?;
        let mut tx = self.write_tx().await?;
        let id = insert_computer(&mut tx, actor, &c).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Change a registered computer; the log keeps the old and the new fields.
    pub async fn update_computer(&self, actor: &str, id: i64, input: ComputerInput) -> Result<()> {
        let c = input.validated()?;
        let old = self.computer(id).await?.ok_or(Error::NotFound)?;
        let mut tx = self.write_tx().await?;
        rewrite_computer(&mut tx, actor, id, &old.fields, &c).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The computer registered under `asset_no`, if any.
    pub async fn computer_id_by_asset(&self, asset_no: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM computers WHERE asset_no = $1")
                .bind(asset_no.trim())
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// One computer.
    pub async fn computer(&self, id: i64) -> Result<Option<Computer>> {
        let row: Option<ComputerRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {COMPUTER_COLUMNS} FROM computers c LEFT JOIN departments d ON d.id = c.department_id WHERE c.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(computer))
    }

    /// Computers matching `filter`, by asset number.
    pub async fn computers(&self, filter: &ComputerFilter) -> Result<Vec<Computer>> {
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| format!("%{}%", t.to_lowercase()));
        let rows: Vec<ComputerRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {COMPUTER_COLUMNS} FROM computers c LEFT JOIN departments d ON d.id = c.department_id \
             WHERE ($1 IS NULL OR c.department_id = $1) AND ($2 IS NULL OR c.zone = $2) \
             AND ($3 IS NULL OR LOWER(c.asset_no) LIKE $3 OR LOWER(c.name) LIKE $3 \
                  OR LOWER(c.custodian) LIKE $3 OR LOWER(c.location) LIKE $3) \
             ORDER BY c.asset_no LIMIT $4"
        )))
        .bind(filter.department_id)
        .bind(filter.zone.as_deref())
        .bind(text)
        .bind(filter.limit.unwrap_or(200))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(computer).collect())
    }
}

/// Insert a validated computer and log it, inside the caller's transaction.
pub(crate) async fn insert_computer(
    conn: &mut AnyConnection,
    actor: &str,
    c: &ComputerInput,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO computers (asset_no, name, model, department_id, custodian, location, zone, \
         level, status, macs, machine_id, notes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(&c.asset_no)
    .bind(&c.name)
    .bind(&c.model)
    .bind(c.department_id)
    .bind(&c.custodian)
    .bind(&c.location)
    .bind(&c.zone)
    .bind(&c.level)
    .bind(&c.status)
    .bind(&c.macs)
    .bind(&c.machine_id)
    .bind(&c.notes)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| register_write_error(e, &format!("the asset number {:?}", c.asset_no)))?;
    append(
        conn,
        actor,
        "computer.create",
        &format!("computer:{id}"),
        &computer_detail(c),
    )
    .await?;
    Ok(id)
}

/// Overwrite computer `id` (which was `old`) with validated fields and log both, inside the caller's
/// transaction.
pub(crate) async fn rewrite_computer(
    conn: &mut AnyConnection,
    actor: &str,
    id: i64,
    old: &ComputerInput,
    c: &ComputerInput,
) -> Result<()> {
    let n = sqlx::query(
        "UPDATE computers SET asset_no = $1, name = $2, model = $3, department_id = $4, \
         custodian = $5, location = $6, zone = $7, level = $8, status = $9, macs = $10, \
         machine_id = $11, notes = $12, updated_at = $13 WHERE id = $14",
    )
    .bind(&c.asset_no)
    .bind(&c.name)
    .bind(&c.model)
    .bind(c.department_id)
    .bind(&c.custodian)
    .bind(&c.location)
    .bind(&c.zone)
    .bind(&c.level)
    .bind(&c.status)
    .bind(&c.macs)
    .bind(&c.machine_id)
    .bind(&c.notes)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(|e| register_write_error(e, &format!("the asset number {:?}", c.asset_no)))?
    .rows_affected();
    if n == 0 {
        return Err(Error::NotFound);
    }
    // What its reports mean depends on its zone and department: its own correlations and those of
    // every device it saw are computed again (before the audit entry: subjects, then the head).
    if old.zone != c.zone || old.department_id != c.department_id {
        crate::computer_correlation::record_zone_change(conn, id, &old.zone, &c.zone).await?;
        crate::computer_correlation::recompute_computers(conn, &[id]).await?;
        let devices: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT DISTINCT vid, pid, serial FROM usb_seen WHERE computer_id = $1 AND serial <> ''",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        crate::correlate::recompute_devices(conn, &devices).await?;
    }
    let detail = format!(
        "{{\"old\":{},\"new\":{}}}",
        computer_detail(old),
        computer_detail(c)
    );
    append(
        conn,
        actor,
        "computer.update",
        &format!("computer:{id}"),
        &detail,
    )
    .await
}

/// The computer registered under `asset_no`, inside a transaction.
pub(crate) async fn computer_by_asset_in(
    conn: &mut AnyConnection,
    asset_no: &str,
) -> Result<Vec<(i64, ComputerInput)>> {
    let rows: Vec<ComputerRow> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COMPUTER_COLUMNS} FROM computers c LEFT JOIN departments d ON d.id = c.department_id \
         WHERE c.asset_no = $1"
    )))
    .bind(asset_no)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(computer)
        .map(|c| (c.id, c.fields))
        .collect())
}

/// How far inspection reaches: of the computers in use, which have sent no report since a date.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// Computers in use (of the department, when one was asked for).
    pub in_use: i64,
    /// Of those, the ones with a report imported since the date.
    pub inspected: i64,
    /// The others (the first 200 by asset number; `in_use - inspected` says how many in all), each
    /// with when its latest report was imported (Unix seconds).
    pub not_inspected: Vec<(Computer, Option<i64>)>,
    /// Reports that match no registered computer (a computer missing from the register).
    pub unmatched_reports: i64,
}

impl Store {
    /// Coverage since `since` (Unix seconds): computers in use with no report imported since then.
    pub async fn coverage(&self, department_id: Option<i64>, since: i64) -> Result<Coverage> {
        let dept = if department_id.is_some() {
            " AND c.department_id = $2"
        } else {
            ""
        };
        // Counted from each side's own index: computers in use, and the distinct computers among the
        // period's reports (a join of every computer with an aggregate of every report took 40 ms
        // at 50,000 computers).
        let mut q = sqlx::query_as::<_, (i64, i64)>(AssertSqlSafe(format!(
            "SELECT (SELECT COUNT(*) FROM computers c WHERE c.status = 'in_use' AND $1 = $1{dept}), \
             (SELECT COUNT(DISTINCT r.computer_id) FROM reports r JOIN computers c ON c.id = r.computer_id \
              WHERE r.imported_at >= $1 AND c.status = 'in_use'{dept})"
        )))
        .bind(since);
        if let Some(d) = department_id {
            q = q.bind(d);
        }
        let (in_use, inspected) = q.fetch_one(&self.pool).await?;
        type Row = (
            i64,
            String,
            String,
            String,
            Option<i64>,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<i64>,
        );
        // Walks the register in asset-number order and stops at the page: the latest report is looked
        // up only for the computers shown.
        let mut q = sqlx::query_as::<_, Row>(AssertSqlSafe(format!(
            "SELECT {COMPUTER_COLUMNS}, \
             (SELECT MAX(r.imported_at) FROM reports r WHERE r.computer_id = c.id) \
             FROM computers c LEFT JOIN departments d ON d.id = c.department_id \
             WHERE c.status = 'in_use'{dept} AND NOT EXISTS \
             (SELECT 1 FROM reports r WHERE r.computer_id = c.id AND r.imported_at >= $1) \
             ORDER BY c.asset_no LIMIT 200"
        )))
        .bind(since);
        if let Some(d) = department_id {
            q = q.bind(d);
        }
        let not_inspected = q
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r| {
                let latest = r.14;
                let row: ComputerRow = (
                    r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13,
                );
                (computer(row), latest)
            })
            .collect();
        // A department head does not see other departments' unmatched reports: they have none.
        let unmatched_reports = if department_id.is_some() {
            0
        } else {
            sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE computer_id IS NULL")
                .fetch_one(&self.pool)
                .await?
        };
        Ok(Coverage {
            in_use,
            inspected,
            not_inspected,
            unmatched_reports,
        })
    }
}
