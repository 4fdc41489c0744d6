//! Importing a register kept elsewhere (the office's Excel sheet, another system's export) in one
//! go: every row is checked first, and either the whole file is stored — each new or changed record
//! logged as if typed in — or, when any row breaks a rule, nothing is, and every bad row is named.
//!
//! A row is matched to what is registered by its register's key: a computer by asset number, a
//! medium by its number, a person or a key place by name within its department. A matched record
//! whose fields differ is updated (a medium's level still never lowered); one that is the same is
//! left alone, so importing the same sheet twice changes nothing and logs nothing. A column the file
//! does not have keeps what is registered: a sheet without machine ids does not erase them.

use crate::media::{insert_medium, medium_by_number_in, rewrite_medium};
use crate::people::{insert_person, person_by_name_in, rewrite_person};
use crate::places::{insert_place, place_by_name_in, rewrite_place};
use crate::registers::{computer_by_asset_in, insert_computer, rewrite_computer};
use crate::{ComputerInput, Error, MediumInput, PersonInput, PlaceInput, Result, Store};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// At most this many rows in one import: a register, not a data dump.
pub const MAX_IMPORT_ROWS: usize = 100_000;

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// Records that were not registered.
    pub created: usize,
    /// Records whose fields changed.
    pub updated: usize,
    /// Records already registered as the row says.
    pub unchanged: usize,
}

/// A row that cannot be stored: its number as the spreadsheet shows it (the header is row 1) and
/// what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// 1-based, as the spreadsheet shows it.
    pub row: usize,
    /// What to fix.
    pub message: String,
}

/// One of the four registers a file can be imported into.
trait Record: Sized + Clone + PartialEq {
    fn checked(self) -> Result<Self>;
    /// The register's key of this record, to find it and to spot a row given twice.
    fn key(&self) -> (String, Option<i64>);
    /// Take `field` (a column the file did not have) from the registered record.
    fn keep(&mut self, old: &Self, field: &str);
    /// The registered records this one would be: by key, and when `by_department` is false (the
    /// file has no department column) by the key's name alone.
    async fn find(
        conn: &mut AnyConnection,
        r: &Self,
        by_department: bool,
    ) -> Result<Vec<(i64, Self)>>;
    async fn insert(conn: &mut AnyConnection, actor: &str, r: &Self) -> Result<i64>;
    async fn rewrite(
        conn: &mut AnyConnection,
        actor: &str,
        id: i64,
        old: &Self,
        new: &Self,
    ) -> Result<()>;
}

/// The parts of [`Record`] that only hand over to the register's own module.
macro_rules! stored_by {
    ($insert:path, $rewrite:path) => {
        fn checked(self) -> Result<Self> {
            self.validated()
        }
        async fn insert(conn: &mut AnyConnection, actor: &str, r: &Self) -> Result<i64> {
            $insert(conn, actor, r).await
        }
        async fn rewrite(
            conn: &mut AnyConnection,
            actor: &str,
            id: i64,
            old: &Self,
            new: &Self,
        ) -> Result<()> {
            $rewrite(conn, actor, id, old, new).await
        }
    };
}

impl Record for ComputerInput {
    fn key(&self) -> (String, Option<i64>) {
        (self.asset_no.clone(), None)
    }
    fn keep(&mut self, old: &Self, field: &str) {
        let o = old.clone();
        match field {
            "name" => self.name = o.name,
            "model" => self.model = o.model,
            "department_id" => self.department_id = o.department_id,
            "custodian" => self.custodian = o.custodian,
            "location" => self.location = o.location,
            "zone" => self.zone = o.zone,
            "level" => self.level = o.level,
            "status" => self.status = o.status,
            "macs" => self.macs = o.macs,
            "machine_id" => self.machine_id = o.machine_id,
            "notes" => self.notes = o.notes,
            _ => {}
        }
    }
    async fn find(c: &mut AnyConnection, r: &Self, _: bool) -> Result<Vec<(i64, Self)>> {
        computer_by_asset_in(c, &r.asset_no).await
    }
    stored_by!(insert_computer, rewrite_computer);
}

impl Record for MediumInput {
    fn key(&self) -> (String, Option<i64>) {
        (self.number.clone(), None)
    }
    fn keep(&mut self, old: &Self, field: &str) {
        let o = old.clone();
        match field {
            "kind" => self.kind = o.kind,
            "brand_model" => self.brand_model = o.brand_model,
            "vid" => self.vid = o.vid,
            "pid" => self.pid = o.pid,
            "serial" => self.serial = o.serial,
            "level" => self.level = o.level,
            "department_id" => self.department_id = o.department_id,
            "custodian" => self.custodian = o.custodian,
            "notes" => self.notes = o.notes,
            _ => {}
        }
    }
    async fn find(c: &mut AnyConnection, r: &Self, _: bool) -> Result<Vec<(i64, Self)>> {
        medium_by_number_in(c, &r.number).await
    }
    stored_by!(insert_medium, rewrite_medium);
}

impl Record for PersonInput {
    fn key(&self) -> (String, Option<i64>) {
        (self.name.clone(), self.department_id)
    }
    fn keep(&mut self, old: &Self, field: &str) {
        let o = old.clone();
        match field {
            "department_id" => self.department_id = o.department_id,
            "position" => self.position = o.position,
            "secrecy_level" => self.secrecy_level = o.secrecy_level,
            "undertaking_signed" => self.undertaking_signed = o.undertaking_signed,
            "notes" => self.notes = o.notes,
            _ => {}
        }
    }
    async fn find(c: &mut AnyConnection, r: &Self, by_dept: bool) -> Result<Vec<(i64, Self)>> {
        person_by_name_in(c, &r.name, by_dept.then_some(r.department_id)).await
    }
    stored_by!(insert_person, rewrite_person);
}

impl Record for PlaceInput {
    fn key(&self) -> (String, Option<i64>) {
        (self.name.clone(), self.department_id)
    }
    fn keep(&mut self, old: &Self, field: &str) {
        let o = old.clone();
        match field {
            "kind" => self.kind = o.kind,
            "department_id" => self.department_id = o.department_id,
            "location" => self.location = o.location,
            "level" => self.level = o.level,
            "custodian" => self.custodian = o.custodian,
            "devices" => self.devices = o.devices,
            "notes" => self.notes = o.notes,
            _ => {}
        }
    }
    async fn find(c: &mut AnyConnection, r: &Self, by_dept: bool) -> Result<Vec<(i64, Self)>> {
        place_by_name_in(c, &r.name, by_dept.then_some(r.department_id)).await
    }
    stored_by!(insert_place, rewrite_place);
}

impl Store {
    /// Import computers; `rows` are (spreadsheet row number, fields).
    pub async fn import_computers(
        &self,
        actor: &str,
        rows: Vec<(usize, ComputerInput)>,
        absent: &[&str],
    ) -> Result<ImportSummary> {
        self.import_records(actor, rows, absent).await
    }

    /// Import removable media. New media are `registered`; their life moves on from their page.
    pub async fn import_media(
        &self,
        actor: &str,
        rows: Vec<(usize, MediumInput)>,
        absent: &[&str],
    ) -> Result<ImportSummary> {
        self.import_records(actor, rows, absent).await
    }

    /// Import people.
    pub async fn import_people(
        &self,
        actor: &str,
        rows: Vec<(usize, PersonInput)>,
        absent: &[&str],
    ) -> Result<ImportSummary> {
        self.import_records(actor, rows, absent).await
    }

    /// Import key places.
    pub async fn import_places(
        &self,
        actor: &str,
        rows: Vec<(usize, PlaceInput)>,
        absent: &[&str],
    ) -> Result<ImportSummary> {
        self.import_records(actor, rows, absent).await
    }

    async fn import_records<R: Record>(
        &self,
        actor: &str,
        rows: Vec<(usize, R)>,
        absent: &[&str],
    ) -> Result<ImportSummary> {
        let by_department = !absent.contains(&"department_id");
        if rows.len() > MAX_IMPORT_ROWS {
            return Err(Error::Invalid(format!(
                "{} rows: at most {MAX_IMPORT_ROWS} can be imported at once",
                rows.len()
            )));
        }
        let mut problems = Vec::new();
        let mut checked = Vec::with_capacity(rows.len());
        let mut first_row_of: HashMap<(String, Option<i64>), usize> = HashMap::new();
        for (row, r) in rows {
            match r.checked() {
                Ok(r) => {
                    if let Some(first) = first_row_of.insert(r.key(), row) {
                        problems.push(RowProblem {
                            row,
                            message: format!("the same record as row {first}"),
                        });
                    }
                    checked.push((row, r));
                }
                Err(e) => problems.push(RowProblem {
                    row,
                    message: e.to_string(),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Rows(problems));
        }
        let mut summary = ImportSummary::default();
        let mut tx = self.write_tx().await?;
        for (row, r) in &checked {
            // A database refusal (a taken key, a department deleted meanwhile) names its row too;
            // the first one ends the import and the transaction rolls back.
            let named = |e: Error| match e {
                Error::Db(_) => e,
                other => Error::Rows(vec![RowProblem {
                    row: *row,
                    message: other.to_string(),
                }]),
            };
            let found = R::find(&mut tx, r, by_department).await?;
            match found.as_slice() {
                [] => {
                    R::insert(&mut tx, actor, r).await.map_err(named)?;
                    summary.created += 1;
                }
                [(id, old)] => {
                    let mut merged = r.clone();
                    for field in absent {
                        merged.keep(old, field);
                    }
                    let merged = merged.checked().map_err(named)?;
                    if &merged == old {
                        summary.unchanged += 1;
                    } else {
                        R::rewrite(&mut tx, actor, *id, old, &merged)
                            .await
                            .map_err(named)?;
                        summary.updated += 1;
                    }
                }
                more => {
                    return Err(Error::Rows(vec![RowProblem {
                        row: *row,
                        message: format!(
                            "{} records already match this row; edit them in the register first",
                            more.len()
                        ),
                    }]));
                }
            }
        }
        tx.commit().await?;
        Ok(summary)
    }
}
