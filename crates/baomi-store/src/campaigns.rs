//! Inspection campaigns (保密检查): a regular or unannounced round over a scope (departments, zones,
//! named computers) in a date window, with assigned inspectors and a checklist that mixes the
//! scanner's checks (answered by the reports started in the window) with manual ones an inspector
//! records on site (the label is on the screen, the media register matches the cupboard, the key
//! room's security devices work). Coverage and the closing report follow from what is stored.

use crate::audit::append;
use crate::model::{REGISTER_ZONES, is_date};
use crate::{Error, Result, Store, now};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// What a checklist item is asked of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Each computer in scope.
    Computer,
    /// Each key place of the departments in scope.
    Place,
    /// Each department in scope.
    Department,
}

impl Target {
    /// Identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Computer => "computer",
            Target::Place => "place",
            Target::Department => "department",
        }
    }
}

/// One checklist item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Stable key: a scanner check id (`web`, `usb` …) for an automated item, a name for a manual one.
    pub key: String,
    /// Answered by the scanner's reports (true) or by an inspector on site.
    pub automated: bool,
    /// What it is asked of.
    pub target: Target,
}

/// The checklist every campaign starts from: the scanner's five checks on every computer, and what
/// only a person on site can see.
pub fn default_checklist() -> Vec<ChecklistItem> {
    let auto = |key: &str| ChecklistItem {
        key: key.into(),
        automated: true,
        target: Target::Computer,
    };
    let manual = |key: &str, target| ChecklistItem {
        key: key.into(),
        automated: false,
        target,
    };
    vec![
        auto("content"),
        auto("web"),
        auto("usb"),
        auto("network"),
        auto("recent"),
        manual("label_present", Target::Computer),
        manual("case_sealed", Target::Computer),
        manual("media_match_register", Target::Department),
        manual("undertakings_signed", Target::Department),
        manual("place_devices_working", Target::Place),
    ]
}

/// A campaign as entered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignInput {
    /// Its name (`2026年第四季度保密检查`).
    pub name: String,
    /// `regular` or `unannounced`.
    pub kind: String,
    /// First and last day, `YYYY-MM-DD` (China's time).
    pub starts: String,
    /// See `starts`.
    pub ends: String,
    /// Departments in scope; empty: all.
    pub departments: Vec<i64>,
    /// Zones in scope; empty: all.
    pub zones: Vec<String>,
    /// Asset numbers in scope; empty: all (within the departments and zones).
    pub computers: Vec<String>,
    /// User names of the inspectors assigned.
    pub inspectors: Vec<String>,
}

impl CampaignInput {
    fn validated(mut self) -> Result<CampaignInput> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            return Err(Error::Invalid("a campaign needs a name".into()));
        }
        if !matches!(self.kind.as_str(), "regular" | "unannounced") {
            return Err(Error::Invalid(
                "a campaign is regular or unannounced".into(),
            ));
        }
        if !is_date(&self.starts) || !is_date(&self.ends) || self.ends < self.starts {
            return Err(Error::Invalid(
                "the campaign's first and last day are dates (YYYY-MM-DD), the last not before the first"
                    .into(),
            ));
        }
        if let Some(z) = self
            .zones
            .iter()
            .find(|z| !REGISTER_ZONES.contains(&z.as_str()))
        {
            return Err(Error::Invalid(format!("unknown zone {z:?}")));
        }
        self.computers = self
            .computers
            .iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        self.inspectors = self
            .inspectors
            .iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        self.departments.sort_unstable();
        self.departments.dedup();
        Ok(self)
    }

    /// Whether the scope reaches department `d` (all departments when none are named).
    pub fn reaches(&self, d: Option<i64>) -> bool {
        self.departments.is_empty() || d.is_some_and(|d| self.departments.contains(&d))
    }

    /// Whether a computer in use with this asset number, department and zone is in scope.
    pub fn covers(&self, asset_no: &str, department: Option<i64>, zone: &str) -> bool {
        self.reaches(department)
            && (self.zones.is_empty() || self.zones.iter().any(|z| z == zone))
            && (self.computers.is_empty() || self.computers.iter().any(|c| c == asset_no))
    }

    /// The window as Unix seconds: from the first day's midnight to the midnight after the last day,
    /// in China's time.
    pub fn window(&self) -> (i64, i64) {
        let midnight = |d: &str| -> i64 {
            d.parse::<jiff::civil::Date>()
                .ok()
                .and_then(|d| {
                    d.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                        .ok()
                })
                .map_or(0, |z| z.timestamp().as_second())
        };
        (midnight(&self.starts), midnight(&self.ends) + 86_400)
    }
}

/// A stored campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    /// Row id.
    pub id: i64,
    /// As entered.
    pub fields: CampaignInput,
    /// Its checklist.
    pub checklist: Vec<ChecklistItem>,
    /// Who created it, when.
    pub created_by: String,
    /// See `created_by`.
    pub created_at: i64,
    /// When it was closed, with the closing note.
    pub closed_at: Option<i64>,
    /// See `closed_at`.
    pub closing_note: String,
}

impl Campaign {
    /// `planned` (before its first day), `running`, `ended` (past its last day, not closed) or
    /// `closed`.
    pub fn state(&self, at: i64) -> &'static str {
        let (from, to) = self.fields.window();
        match self.closed_at {
            Some(_) => "closed",
            None if at < from => "planned",
            None if at >= to => "ended",
            None => "running",
        }
    }
}

/// A manual result recorded on site.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualResult {
    /// Checklist key.
    pub item: String,
    /// `computer:ID`, `place:ID` or `department:ID`.
    pub target: String,
    /// `pass`, `fail` or `na`.
    pub result: String,
    /// What the inspector saw.
    pub note: String,
    /// Who, when.
    pub actor: String,
    /// See `actor`.
    pub at: i64,
}

/// One computer in scope and what the window's reports say of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeComputer {
    /// Row id.
    pub id: i64,
    /// Asset number.
    pub asset_no: String,
    /// Department.
    pub department_id: Option<i64>,
    /// Zone.
    pub zone: String,
    /// Its latest report started in the window (row id), if any.
    pub report_row: Option<i64>,
    /// Per automated check: `pass`, `fail` (a critical or high finding), `not_run`.
    pub checks: BTreeMap<String, String>,
}

/// Where a campaign stands.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignStatus {
    /// The computers in scope, by asset number.
    pub computers: Vec<ScopeComputer>,
    /// Key places of the departments in scope: (id, name, department).
    pub places: Vec<(i64, String, Option<i64>)>,
    /// Departments in scope: (id, name).
    pub departments: Vec<(i64, String)>,
    /// Manual results, by item and target.
    pub manual: Vec<ManualResult>,
    /// Findings of the window's reports by severity: critical, high, medium, low, info.
    pub findings: [i64; 5],
    /// Rectification tasks opened from the window's reports, by state.
    pub tasks: BTreeMap<String, i64>,
}

impl CampaignStatus {
    /// Inspected (a report in the window) and in scope.
    pub fn coverage(&self) -> (usize, usize) {
        (
            self.computers
                .iter()
                .filter(|c| c.report_row.is_some())
                .count(),
            self.computers.len(),
        )
    }
}

type CampaignRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    String,
);

fn campaign(r: CampaignRow) -> Result<Campaign> {
    let scope: serde_json::Value = serde_json::from_str(&r.5).unwrap_or_default();
    let list = |k: &str| -> Vec<String> {
        scope[k]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let departments = scope["departments"]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
        .unwrap_or_default();
    let checklist: Vec<ChecklistItem> =
        serde_json::from_str(&r.7).map_err(|e| Error::Invalid(e.to_string()))?;
    Ok(Campaign {
        id: r.0,
        fields: CampaignInput {
            name: r.1,
            kind: r.2,
            starts: r.3,
            ends: r.4,
            departments,
            zones: list("zones"),
            computers: list("computers"),
            inspectors: r
                .6
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        },
        checklist,
        created_by: r.8,
        created_at: r.9,
        closed_at: r.10,
        closing_note: r.11,
    })
}

const CAMPAIGN_COLUMNS: &str = "id, name, kind, starts, ends, scope, inspectors, checklist, created_by, \
    created_at, closed_at, closing_note";

impl Store {
    /// Create a campaign with the default checklist.
    pub async fn create_campaign(&self, actor: &str, input: CampaignInput) -> Result<i64> {
        let c = input.validated()?;
        for asset in &c.computers {
            if self.computer_id_by_asset(asset).await?.is_none() {
                return Err(Error::Invalid(format!(
                    "no computer is registered as {asset:?}"
                )));
            }
        }
        let scope = serde_json::json!({
            "departments": c.departments, "zones": c.zones, "computers": c.computers,
        });
        let checklist = serde_json::to_string(&default_checklist())
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO campaigns (name, kind, starts, ends, scope, inspectors, checklist, created_by, \
             created_at, closing_note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '') RETURNING id",
        )
        .bind(&c.name)
        .bind(&c.kind)
        .bind(&c.starts)
        .bind(&c.ends)
        .bind(scope.to_string())
        .bind(c.inspectors.join(","))
        .bind(&checklist)
        .bind(actor)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let detail = serde_json::to_string(&c).map_err(|e| Error::Invalid(e.to_string()))?;
        append(
            &mut tx,
            actor,
            "campaign.create",
            &format!("campaign:{id}"),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One campaign.
    pub async fn campaign(&self, id: i64) -> Result<Option<Campaign>> {
        let row: Option<CampaignRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(campaign).transpose()
    }

    /// Every campaign, newest first.
    pub async fn campaigns(&self) -> Result<Vec<Campaign>> {
        let rows: Vec<CampaignRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns ORDER BY starts DESC, id DESC LIMIT 500"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(campaign).collect()
    }

    /// Record (or correct) the result of manual item `item` for `target` (`computer:ID`, `place:ID`,
    /// `department:ID`) in campaign `id`.
    pub async fn record_campaign_result(
        &self,
        actor: &str,
        id: i64,
        item: &str,
        target: &str,
        result: &str,
        note: &str,
    ) -> Result<()> {
        let c = self.campaign(id).await?.ok_or(Error::NotFound)?;
        if c.closed_at.is_some() {
            return Err(Error::Invalid("the campaign is closed".into()));
        }
        let Some(it) = c.checklist.iter().find(|i| i.key == item && !i.automated) else {
            return Err(Error::Invalid(format!(
                "{item:?} is not a manual item of this campaign"
            )));
        };
        if !matches!(result, "pass" | "fail" | "na") {
            return Err(Error::Invalid("a result is pass, fail or na".into()));
        }
        let note = note.trim();
        if result == "fail" && note.is_empty() {
            return Err(Error::Invalid("say what was wrong".into()));
        }
        // The one target asked about, by the same scope rules as the campaign's status.
        let id_of = |prefix: &str| -> Option<i64> {
            target.strip_prefix(prefix).and_then(|n| n.parse().ok())
        };
        let in_scope = match it.target {
            Target::Computer => match id_of("computer:") {
                Some(id) => sqlx::query_as::<_, (String, Option<i64>, String)>(
                    "SELECT asset_no, department_id, zone FROM computers \
                     WHERE id = $1 AND status = 'in_use'",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .is_some_and(|(asset, dept, zone)| c.fields.covers(&asset, dept, &zone)),
                None => false,
            },
            Target::Place => match id_of("place:") {
                Some(id) => sqlx::query_scalar::<_, Option<i64>>(
                    "SELECT department_id FROM places WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .is_some_and(|dept| c.fields.reaches(dept)),
                None => false,
            },
            Target::Department => match id_of("department:") {
                Some(id) => {
                    sqlx::query_scalar::<_, i64>("SELECT id FROM departments WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                        .is_some_and(|d| c.fields.reaches(Some(d)))
                }
                None => false,
            },
        };
        if !in_scope {
            return Err(Error::Invalid(format!(
                "{target} is not in this campaign's scope for {item}"
            )));
        }
        let mut tx = self.write_tx().await?;
        let t = now();
        sqlx::query(
            "INSERT INTO campaign_results (campaign_id, item, target, result, note, actor, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (campaign_id, item, target) DO UPDATE \
             SET result = excluded.result, note = excluded.note, actor = excluded.actor, at = excluded.at",
        )
        .bind(id)
        .bind(item)
        .bind(target)
        .bind(result)
        .bind(note)
        .bind(actor)
        .bind(t)
        .execute(&mut *tx)
        .await?;
        let detail =
            serde_json::json!({ "item": item, "target": target, "result": result, "note": note });
        append(
            &mut tx,
            actor,
            "campaign.result",
            &format!("campaign:{id}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Close campaign `id` with a note.
    pub async fn close_campaign(&self, actor: &str, id: i64, note: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let n = sqlx::query(
            "UPDATE campaigns SET closed_at = $1, closing_note = $2 WHERE id = $3 AND closed_at IS NULL",
        )
        .bind(now())
        .bind(note.trim())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(Error::Conflict(
                "no such open campaign (already closed?)".into(),
            ));
        }
        let detail = serde_json::json!({ "note": note.trim() });
        append(
            &mut tx,
            actor,
            "campaign.close",
            &format!("campaign:{id}"),
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What campaign `c` covers and what is known so far.
    pub async fn campaign_status(&self, c: &Campaign) -> Result<CampaignStatus> {
        let f = &c.fields;
        let all_departments: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM departments ORDER BY name, id")
                .fetch_all(&self.pool)
                .await?;
        let departments: Vec<(i64, String)> = all_departments
            .into_iter()
            .filter(|(d, _)| f.reaches(Some(*d)))
            .collect();
        let rows: Vec<(i64, String, Option<i64>, String)> = sqlx::query_as(
            "SELECT id, asset_no, department_id, zone FROM computers WHERE status = 'in_use' \
             ORDER BY asset_no",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut computers: Vec<ScopeComputer> = rows
            .into_iter()
            .filter(|(_, asset, dept, zone)| f.covers(asset, *dept, zone))
            .map(|(id, asset_no, department_id, zone)| ScopeComputer {
                id,
                asset_no,
                department_id,
                zone,
                report_row: None,
                checks: BTreeMap::new(),
            })
            .collect();
        let (from, to) = f.window();
        let reports: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT id, computer_id, started_at, report_id FROM reports WHERE computer_id IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let latest = crate::correlate::latest_in_window(reports, from, to);
        let automated: Vec<&str> = c
            .checklist
            .iter()
            .filter(|i| i.automated)
            .map(|i| i.key.as_str())
            .collect();
        let mut findings = [0i64; 5];
        let mut window_rows = Vec::new();
        for pc in &mut computers {
            if let Some(row) = latest.get(&pc.id) {
                pc.report_row = Some(*row);
                window_rows.push(*row);
            }
        }
        // Problems per check (a rule's id starts with its check's: `web.internet_visit`), the checks
        // that ran and the tasks opened, for all the window's reports, 500 at a time.
        let mut problems: HashMap<i64, Vec<(String, String)>> = HashMap::new();
        let mut ran: HashMap<i64, Vec<String>> = HashMap::new();
        let mut tasks: BTreeMap<String, i64> = BTreeMap::new();
        for chunk in window_rows.chunks(500) {
            let list = crate::id_list(chunk);
            let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT report_row, rule, severity, n FROM report_problems WHERE report_row IN ({list})"
            )))
            .fetch_all(&self.pool)
            .await?;
            for (row, rule, severity, n) in rows {
                if let Some(i) = ["critical", "high", "medium", "low", "info"]
                    .iter()
                    .position(|s| *s == severity)
                {
                    findings[i] += n;
                }
                let check = rule.split('.').next().unwrap_or_default().to_owned();
                problems.entry(row).or_default().push((check, severity));
            }
            let rows: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT report_row, check_id FROM report_checks WHERE report_row IN ({list}) \
                 AND status IN ('ok', 'partial')"
            )))
            .fetch_all(&self.pool)
            .await?;
            for (row, check) in rows {
                ran.entry(row).or_default().push(check);
            }
            let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT r.state, COUNT(*) FROM rectifications r JOIN findings f ON f.id = r.finding_row \
                 WHERE f.report_row IN ({list}) GROUP BY r.state"
            )))
            .fetch_all(&self.pool)
            .await?;
            for (state, n) in rows {
                *tasks.entry(state).or_insert(0) += n;
            }
        }
        for pc in &mut computers {
            let Some(row) = pc.report_row else { continue };
            let found = problems.get(&row).map(Vec::as_slice).unwrap_or_default();
            let ran = ran.get(&row).map(Vec::as_slice).unwrap_or_default();
            for key in &automated {
                let bad = found.iter().any(|(check, sev)| {
                    check == key && matches!(sev.as_str(), "critical" | "high")
                });
                let verdict = if bad {
                    "fail"
                } else if ran.iter().any(|r| r == key) {
                    "pass"
                } else {
                    "not_run"
                };
                pc.checks.insert((*key).to_owned(), verdict.to_owned());
            }
        }
        let places: Vec<(i64, String, Option<i64>)> =
            sqlx::query_as("SELECT id, name, department_id FROM places ORDER BY name, id")
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .filter(|(_, _, d): &(i64, String, Option<i64>)| f.reaches(*d))
                .collect();
        let manual: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT item, target, result, note, actor, at FROM campaign_results WHERE campaign_id = $1 \
             ORDER BY item, target",
        )
        .bind(c.id)
        .fetch_all(&self.pool)
        .await?;
        Ok(CampaignStatus {
            computers,
            places,
            departments,
            manual: manual
                .into_iter()
                .map(|m| ManualResult {
                    item: m.0,
                    target: m.1,
                    result: m.2,
                    note: m.3,
                    actor: m.4,
                    at: m.5,
                })
                .collect(),
            findings,
            tasks,
        })
    }
}

impl Store {
    /// What campaigns recorded on `target` (`place:ID`, `computer:ID`, `department:ID`), newest
    /// first: (campaign id, campaign name, item, result, note, actor, at).
    pub async fn results_for(&self, target: &str) -> Result<Vec<TargetResult>> {
        Ok(sqlx::query_as(
            "SELECT c.id, c.name, r.item, r.result, r.note, r.actor, r.at FROM campaign_results r \
             JOIN campaigns c ON c.id = r.campaign_id WHERE r.target = $1 ORDER BY r.at DESC, r.id DESC",
        )
        .bind(target)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// A result recorded on one target: (campaign id, campaign name, item, result, note, actor, at).
pub type TargetResult = (i64, String, String, String, String, String, i64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_campaign_needs_sane_fields() {
        let ok = CampaignInput {
            name: " 2026年第四季度保密检查 ".into(),
            kind: "regular".into(),
            starts: "2026-11-01".into(),
            ends: "2026-11-30".into(),
            zones: vec!["classified".into()],
            ..Default::default()
        };
        let v = ok.clone().validated().unwrap();
        assert_eq!(v.name, "2026年第四季度保密检查");
        // 2026-11-01 00:00 Beijing to 2026-12-01 00:00 Beijing.
        assert_eq!(v.window(), (1_793_462_400, 1_796_054_400));
        for bad in [
            CampaignInput {
                kind: "surprise".into(),
                ..ok.clone()
            },
            CampaignInput {
                ends: "2026-10-01".into(),
                ..ok.clone()
            },
            CampaignInput {
                zones: vec!["dmz".into()],
                ..ok.clone()
            },
            CampaignInput {
                name: " ".into(),
                ..ok.clone()
            },
        ] {
            assert!(bad.validated().is_err());
        }
    }
}
