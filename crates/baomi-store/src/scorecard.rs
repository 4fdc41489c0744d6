//! Department scorecards (保密检查考核) per period: every department starts at 100 and loses points
//! for what the period's inspections found, by weights the office sets; any critical violation
//! vetoes the department for the period (一票否决) whatever its points.
//!
//! What counts, and why:
//! - **Problems**: for each computer, its latest report started in the period, and in it each rule
//!   once, at its highest severity, not counting findings marked false positive. A rule is one
//!   problem however many files or URLs it matched: 300 visited pages are one "went on the Internet",
//!   and a score that 300 findings drive to zero says nothing.
//! - **Cross-machine problems**: device correlations (cross-use, media against the register) whose
//!   timeline ends in the period, once per department involved. A computer's own correlations restate
//!   its findings, so they do not deduct again, but a critical one vetoes.
//! - **Overdue rectification**: tasks due by the period's end (or today, if earlier) and still open
//!   or in progress.
//! - **Not inspected**: computers in use (registered before the period ended) with no report started
//!   in the period.

use crate::{Error, Result, Store, now};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A reporting period: a month (`2026-11`), a quarter (`2026-Q4`) or a year (`2026`), in China's
/// time (UTC+8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// As written: `2026-11`, `2026-Q4`, `2026`.
    pub label: String,
    /// First second (Unix).
    pub from: i64,
    /// First second after it.
    pub to: i64,
    kind: PeriodKind,
    year: i16,
    index: i8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeriodKind {
    Month,
    Quarter,
    Year,
}

fn beijing_midnight(year: i16, month: i8) -> Result<i64> {
    let bad = |e: jiff::Error| Error::Invalid(format!("not a period: {e}"));
    let date = jiff::civil::Date::new(year, month, 1).map_err(bad)?;
    let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));
    Ok(date
        .to_zoned_datetime(tz)
        .map_err(bad)?
        .timestamp()
        .as_second())
}

impl Period {
    fn make(kind: PeriodKind, year: i16, index: i8) -> Result<Period> {
        let (first_month, months) = match kind {
            PeriodKind::Month => (index, 1),
            PeriodKind::Quarter => ((index - 1) * 3 + 1, 3),
            PeriodKind::Year => (1, 12),
        };
        let end_month = first_month + months;
        let from = beijing_midnight(year, first_month)?;
        let to = if end_month > 12 {
            beijing_midnight(year + 1, end_month - 12)?
        } else {
            beijing_midnight(year, end_month)?
        };
        let label = match kind {
            PeriodKind::Month => format!("{year}-{index:02}"),
            PeriodKind::Quarter => format!("{year}-Q{index}"),
            PeriodKind::Year => format!("{year}"),
        };
        Ok(Period {
            label,
            from,
            to,
            kind,
            year,
            index,
        })
    }

    /// `2026-11`, `2026-Q4` or `2026`.
    pub fn parse(s: &str) -> Result<Period> {
        let s = s.trim();
        let bad = || Error::Invalid(format!("{s:?} is not a period (2026-11, 2026-Q4 or 2026)"));
        let (year, rest) = s.split_once('-').map_or((s, None), |(y, r)| (y, Some(r)));
        let year: i16 = year.parse().map_err(|_| bad())?;
        if !(2000..=2200).contains(&year) {
            return Err(bad());
        }
        match rest {
            None => Period::make(PeriodKind::Year, year, 1),
            Some(q) if q.starts_with(['Q', 'q']) => {
                let i: i8 = q[1..].parse().map_err(|_| bad())?;
                if !(1..=4).contains(&i) {
                    return Err(bad());
                }
                Period::make(PeriodKind::Quarter, year, i)
            }
            Some(m) => {
                let i: i8 = m.parse().map_err(|_| bad())?;
                if !(1..=12).contains(&i) {
                    return Err(bad());
                }
                Period::make(PeriodKind::Month, year, i)
            }
        }
    }

    /// The quarter that holds `unix`.
    pub fn quarter_of(unix: i64) -> Result<Period> {
        let t = jiff::Timestamp::from_second(unix.saturating_add(8 * 3600))
            .map_err(|e| Error::Invalid(e.to_string()))?
            .to_zoned_datetime(jiff::tz::TimeZone::UTC);
        Period::make(PeriodKind::Quarter, t.year(), (t.month() - 1) / 3 + 1)
    }

    /// The period of the same kind just before this one.
    pub fn previous(&self) -> Result<Period> {
        let (year, index) = match (self.kind, self.index) {
            (PeriodKind::Year, _) => (self.year - 1, 1),
            (PeriodKind::Quarter, 1) => (self.year - 1, 4),
            (PeriodKind::Month, 1) => (self.year - 1, 12),
            (_, i) => (self.year, i - 1),
        };
        Period::make(self.kind, year, index)
    }

    /// In Chinese, as a notice names it: `2026年11月`, `2026年第四季度`, `2026年度`.
    pub fn zh(&self) -> String {
        match self.kind {
            PeriodKind::Month => format!("{}年{}月", self.year, self.index),
            PeriodKind::Quarter => {
                let n = ["一", "二", "三", "四"][usize::try_from(self.index - 1).unwrap_or(0) % 4];
                format!("{}年第{n}季度", self.year)
            }
            PeriodKind::Year => format!("{}年度", self.year),
        }
    }
}

/// The office's weights: points lost per problem, per cross-machine problem, per overdue task and per
/// computer not inspected; and whether a critical violation vetoes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScorePolicy {
    /// A critical problem.
    pub critical: f64,
    /// A high one.
    pub high: f64,
    /// A medium one.
    pub medium: f64,
    /// A low one.
    pub low: f64,
    /// A critical cross-machine problem (cross-use classified ↔ Internet …).
    pub correlation_critical: f64,
    /// A high cross-machine problem.
    pub correlation_high: f64,
    /// A rectification task past its deadline.
    pub overdue_task: f64,
    /// A computer in use not inspected in the period.
    pub not_inspected: f64,
    /// 一票否决: any critical problem or correlation vetoes the department.
    pub veto_on_critical: bool,
}

impl Default for ScorePolicy {
    fn default() -> Self {
        ScorePolicy {
            critical: 10.0,
            high: 5.0,
            medium: 2.0,
            low: 0.5,
            correlation_critical: 10.0,
            correlation_high: 5.0,
            overdue_task: 3.0,
            not_inspected: 2.0,
            veto_on_critical: true,
        }
    }
}

impl ScorePolicy {
    fn check(&self) -> Result<()> {
        for w in [
            self.critical,
            self.high,
            self.medium,
            self.low,
            self.correlation_critical,
            self.correlation_high,
            self.overdue_task,
            self.not_inspected,
        ] {
            if !w.is_finite() || !(0.0..=100.0).contains(&w) {
                return Err(Error::Invalid(
                    "a weight is a number of points from 0 to 100".into(),
                ));
            }
        }
        Ok(())
    }
}

/// What a department's period holds, before weighting.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeptCounts {
    /// Computers in use.
    pub computers: u32,
    /// Of those, with a report started in the period.
    pub inspected: u32,
    /// Problems by severity: critical, high, medium, low.
    pub problems: [u32; 4],
    /// Device correlations: critical, high.
    pub correlations: [u32; 2],
    /// Critical correlations of its computers themselves (they veto; they do not deduct).
    pub computer_correlations_critical: u32,
    /// Rectification tasks past their deadline.
    pub overdue: u32,
}

/// Points and veto of one department's counts.
pub fn score(policy: &ScorePolicy, c: &DeptCounts) -> (f64, bool) {
    let weights = [policy.critical, policy.high, policy.medium, policy.low];
    let mut lost: f64 = c
        .problems
        .iter()
        .zip(weights)
        .map(|(&n, w)| f64::from(n) * w)
        .sum();
    lost += f64::from(c.correlations[0]) * policy.correlation_critical;
    lost += f64::from(c.correlations[1]) * policy.correlation_high;
    lost += f64::from(c.overdue) * policy.overdue_task;
    lost += f64::from(c.computers.saturating_sub(c.inspected)) * policy.not_inspected;
    let vetoed = policy.veto_on_critical
        && (c.problems[0] > 0 || c.correlations[0] > 0 || c.computer_correlations_critical > 0);
    ((100.0 - lost).clamp(0.0, 100.0), vetoed)
}

/// One department's line of the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeptScore {
    /// Department id.
    pub department_id: i64,
    /// Its name.
    pub name: String,
    /// What was counted.
    pub counts: DeptCounts,
    /// Points, 0–100.
    pub score: f64,
    /// 一票否决.
    pub vetoed: bool,
    /// Its problems' rules with how many computers each, most frequent first.
    pub top_rules: Vec<(String, u32)>,
    /// Place in the ranking, 1 first (vetoed departments after all others).
    pub rank: usize,
}

/// A period's scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// The period's label.
    pub period: String,
    /// Departments, ranked.
    pub departments: Vec<DeptScore>,
}

const POLICY_KEY: &str = "score_policy";

fn severity_index(s: &str) -> Option<usize> {
    ["critical", "high", "medium", "low"]
        .iter()
        .position(|x| *x == s)
}

impl Store {
    /// The office's score policy (the defaults until an administrator sets one).
    pub async fn score_policy(&self) -> Result<ScorePolicy> {
        let v: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(POLICY_KEY)
            .fetch_optional(&self.pool)
            .await?;
        Ok(v.and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default())
    }

    /// Set the score policy (audited with the old and the new weights).
    pub async fn set_score_policy(&self, actor: &str, policy: &ScorePolicy) -> Result<()> {
        policy.check()?;
        let old = self.score_policy().await?;
        let value = serde_json::to_string(policy).map_err(|e| Error::Invalid(e.to_string()))?;
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(POLICY_KEY)
        .bind(&value)
        .bind(now())
        .bind(actor)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "old": old, "new": policy });
        crate::audit::append(
            &mut tx,
            actor,
            "settings.score_policy",
            "settings:score_policy",
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The scorecard of `period` under the office's policy: every department with computers in use
    /// or problems, ranked (higher score first; vetoed departments last). Kept until the next change.
    pub async fn scorecard(&self, period: &Period) -> Result<Scorecard> {
        let mark = self.change_mark().await?;
        // Overdue counts depend on today's date too.
        let key = format!("{}@{}", period.label, crate::rectify::today());
        if let Some(card) = self.kept(|a| &mut a.scorecards, &key, mark) {
            return Ok(card);
        }
        let card = self.compute_scorecard(period).await?;
        self.keep(|a| &mut a.scorecards, key, mark, card.clone());
        Ok(card)
    }

    async fn compute_scorecard(&self, period: &Period) -> Result<Scorecard> {
        let policy = self.score_policy().await?;
        let departments: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM departments ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        let mut counts: BTreeMap<i64, DeptCounts> = BTreeMap::new();
        let mut rules: HashMap<i64, HashMap<String, u32>> = HashMap::new();
        // A computer registered after the period was not there to inspect.
        let per_department: Vec<(Option<i64>, i64)> = sqlx::query_as(
            "SELECT department_id, COUNT(*) FROM computers WHERE status = 'in_use' AND created_at < $1 \
             GROUP BY department_id",
        )
        .bind(period.to)
        .fetch_all(&self.pool)
        .await?;
        for (d, n) in per_department {
            if let Some(d) = d {
                counts.entry(d).or_default().computers += u32::try_from(n).unwrap_or(u32::MAX);
            }
        }
        // Each computer's latest report started in the period.
        let reports: Vec<(i64, i64, String, String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT r.id, r.computer_id, r.started_at, r.report_id, c.department_id, \
             CASE WHEN c.status = 'in_use' AND c.created_at < $1 THEN 1 ELSE 0 END \
             FROM reports r JOIN computers c ON c.id = r.computer_id",
        )
        .bind(period.to)
        .fetch_all(&self.pool)
        .await?;
        let mut in_use: HashSet<i64> = HashSet::new();
        let mut dept_of: HashMap<i64, i64> = HashMap::new();
        let mut all = Vec::with_capacity(reports.len());
        for (row, computer, started, report_id, dept, counted) in reports {
            if counted == 1 {
                in_use.insert(computer);
            }
            if let Some(d) = dept {
                dept_of.insert(computer, d);
            }
            all.push((row, computer, started, report_id));
        }
        let latest = crate::correlate::latest_in_window(all, period.from, period.to);
        let mut dept_of_report: HashMap<i64, i64> = HashMap::new();
        for (computer, row) in &latest {
            if let Some(d) = dept_of.get(computer) {
                dept_of_report.insert(*row, *d);
                if in_use.contains(computer) {
                    counts.entry(*d).or_default().inspected += 1;
                }
            }
        }
        let rows: Vec<i64> = dept_of_report.keys().copied().collect();
        for chunk in rows.chunks(500) {
            let list = crate::id_list(chunk);
            let found: Vec<(i64, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT report_row, rule, severity FROM report_problems WHERE report_row IN ({list})"
            )))
            .fetch_all(&self.pool)
            .await?;
            let mut worst: HashMap<(i64, String), usize> = HashMap::new();
            for (row, rule, severity) in found {
                if let Some(i) = severity_index(&severity) {
                    let e = worst.entry((row, rule)).or_insert(i);
                    *e = (*e).min(i);
                }
            }
            for ((row, rule), i) in worst {
                if let Some(d) = dept_of_report.get(&row) {
                    counts.entry(*d).or_default().problems[i] += 1;
                    *rules.entry(*d).or_default().entry(rule).or_default() += 1;
                }
            }
        }
        let correlated: Vec<(i64, String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT DISTINCT k.id, k.subject, k.severity, k.rule, cc.department_id FROM correlations k \
             JOIN correlation_computers cc ON cc.correlation_id = k.id \
             WHERE k.last_at >= $1 AND k.last_at < $2",
        )
        .bind(period.from)
        .bind(period.to)
        .fetch_all(&self.pool)
        .await?;
        let mut seen: HashSet<(i64, i64)> = HashSet::new();
        for (id, subject, severity, rule, dept) in correlated {
            let Some(d) = dept else { continue };
            if !seen.insert((id, d)) {
                continue;
            }
            let c = counts.entry(d).or_default();
            let critical = severity == "critical";
            if subject.starts_with("usb:") {
                c.correlations[usize::from(!critical)] += 1;
                *rules.entry(d).or_default().entry(rule).or_default() += 1;
            } else if critical {
                c.computer_correlations_critical += 1;
            }
        }
        let cut = crate::rectify::today().min(date_before(period.to));
        let overdue: Vec<(Option<i64>, i64)> = sqlx::query_as(
            "SELECT department_id, COUNT(*) FROM rectifications \
             WHERE state IN ('open', 'in_progress') AND due_date < $1 GROUP BY department_id",
        )
        .bind(&cut)
        .fetch_all(&self.pool)
        .await?;
        for (d, n) in overdue {
            if let Some(d) = d {
                counts.entry(d).or_default().overdue += u32::try_from(n).unwrap_or(u32::MAX);
            }
        }
        let names: HashMap<i64, String> = departments.into_iter().collect();
        let mut lines: Vec<DeptScore> = counts
            .into_iter()
            .filter_map(|(d, c)| {
                let name = names.get(&d)?.clone();
                let (points, vetoed) = score(&policy, &c);
                let mut top: Vec<(String, u32)> =
                    rules.remove(&d).unwrap_or_default().into_iter().collect();
                top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                Some(DeptScore {
                    department_id: d,
                    name,
                    counts: c,
                    score: points,
                    vetoed,
                    top_rules: top,
                    rank: 0,
                })
            })
            .collect();
        lines.sort_by(|a, b| {
            a.vetoed
                .cmp(&b.vetoed)
                .then(b.score.total_cmp(&a.score))
                .then_with(|| a.name.cmp(&b.name))
        });
        for (i, l) in lines.iter_mut().enumerate() {
            l.rank = i + 1;
        }
        Ok(Scorecard {
            period: period.label.clone(),
            departments: lines,
        })
    }
}

/// The date (UTC+8) of the last day before `unix`, as `YYYY-MM-DD`: tasks due on or before the
/// period's last day count as overdue for it.
fn date_before(unix: i64) -> String {
    crate::china_date(unix.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        let q = Period::parse("2026-Q4").unwrap();
        // 2026-10-01 00:00 and 2027-01-01 00:00 in Beijing.
        assert_eq!((q.from, q.to), (1_790_784_000, 1_798_732_800));
        assert_eq!(q.zh(), "2026年第四季度");
        assert_eq!(q.previous().unwrap().label, "2026-Q3");
        assert_eq!(
            Period::parse("2026-01").unwrap().previous().unwrap().label,
            "2025-12"
        );
        assert_eq!(Period::parse("2026").unwrap().zh(), "2026年度");
        assert_eq!(Period::quarter_of(q.from).unwrap(), q);
        assert_eq!(Period::quarter_of(q.to - 1).unwrap(), q);
        for bad in ["", "2026-13", "2026-Q5", "26", "abcd", "2026-Q", "2026-00"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(date_before(q.to), "2026-12-31");
    }

    #[test]
    fn points_and_veto() {
        let p = ScorePolicy::default();
        let clean = DeptCounts {
            computers: 10,
            inspected: 10,
            ..Default::default()
        };
        assert_eq!(score(&p, &clean), (100.0, false));
        let some = DeptCounts {
            problems: [0, 1, 2, 0],
            overdue: 1,
            inspected: 8,
            ..clean.clone()
        };
        // 5 + 2×2 + 3 + 2 not inspected × 2 = 16.
        assert_eq!(score(&p, &some), (84.0, false));
        let critical = DeptCounts {
            correlations: [1, 0],
            ..clean.clone()
        };
        assert_eq!(score(&p, &critical), (90.0, true));
        let lenient = ScorePolicy {
            veto_on_critical: false,
            ..p.clone()
        };
        assert!(!score(&lenient, &critical).1);
        let awful = DeptCounts {
            problems: [50, 0, 0, 0],
            ..clean
        };
        assert_eq!(score(&p, &awful).0, 0.0);
    }
}
