//! What a computer's own report means once the register's word on the computer is known: the zone
//! the office registered it in (not the one the inspector declared at scan time) and the zones it
//! was in before.
//!
//! The subject is one registered computer (`computer:ID`); its correlations are computed from its
//! latest report (by the time the scan started, then by report id, so the order reports arrive in
//! does not matter), its findings that are not marked false positive, and its zone history. They are
//! computed again whenever a report of it is imported or assigned to it and whenever its register
//! entry changes.
//!
//! The rules (severity in brackets):
//! - `classified_content_off_classified` — files marked at a state-secret level (秘密 and above) on
//!   a computer that was an Internet or internal computer when the report was taken [critical].
//! - `internet_traces_on_classified` — browser visits or downloads of Internet sites, public DNS
//!   servers or a successful probe of the Internet on a classified computer [critical].
//! - `wireless_on_classified` — a Wi-Fi card, a mobile-broadband modem or saved Wi-Fi networks
//!   [critical], or Bluetooth alone [high], on a classified computer.
//! - `repurposed_computer_holds_old_content` — the computer was moved to a lower zone (classified →
//!   internal or Internet, internal → Internet) and holds files above what its zone allows:
//!   state-secret files [critical], work-secret files on an Internet computer [high]; or its latest
//!   report predates the move, so nobody has looked since [high]. Where it applies it takes the
//!   place of `classified_content_off_classified`: one finding that says why the files are there.

use crate::Result;
use crate::correlate::{Correlation, lock_subject, replace, with_extra};
use crate::model::level_rank;
use serde_json::{Value, json};
use sqlx::AnyConnection;

/// Rules of the content sweep whose findings carry the level of the file.
const CONTENT_RULES: [&str; 4] = [
    "content.marking",
    "content.us_marking",
    "content.keyword",
    "content.work_secret",
];
/// Findings that show the computer reached the Internet.
const INTERNET_TRACE_RULES: [&str; 4] = [
    "web.internet_visit",
    "web.internet_download",
    "network.internet_dns",
    "network.probe_connected",
];
/// Findings of wireless hardware or its use; all but Bluetooth can bridge the computer to a network.
const WIRELESS_RULES: [&str; 4] = [
    "network.wifi_hardware",
    "network.wwan_modem",
    "network.saved_wifi",
    "network.bluetooth",
];
/// Evidence items kept in a correlation's detail; the count says how many there were.
const EVIDENCE_SHOWN: usize = 20;

/// One finding of the latest report, as far as correlation needs it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FindingFact {
    /// Dotted rule id.
    pub rule: String,
    /// Level of the file (`secret`, `internal` …), empty when the rule has none.
    pub level: String,
    /// Where it was found.
    pub path: String,
    /// The finding's title.
    pub title: String,
    /// The matched excerpt.
    pub excerpt: String,
}

/// A change of the computer's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneChange {
    /// Unix seconds.
    pub at: i64,
    /// Zone before.
    pub from: String,
    /// Zone after.
    pub to: String,
}

/// Everything a computer's correlations are a function of.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputerFacts {
    /// Row id.
    pub id: i64,
    /// Asset number.
    pub asset_no: String,
    /// Zone now.
    pub zone: String,
    /// Department.
    pub department_id: Option<i64>,
    /// Its latest report's id and start (Unix seconds), if it has one.
    pub report: Option<(String, Option<i64>)>,
    /// The latest report's findings that matter here.
    pub findings: Vec<FindingFact>,
    /// Its zone changes, oldest first.
    pub zone_changes: Vec<ZoneChange>,
}

/// Rank of a zone: the higher, the more it may hold.
fn zone_rank(zone: &str) -> u8 {
    match zone {
        "classified" => 2,
        "internal" => 1,
        _ => 0,
    }
}

/// The highest level of file a zone may hold: an Internet computer nothing above `none`, an internal
/// one work secrets (`internal`), a classified one anything up to its own level.
fn max_level_rank(zone: &str) -> u8 {
    match zone {
        "classified" => u8::MAX,
        "internal" => level_rank("internal").unwrap_or(1),
        _ => level_rank("none").unwrap_or(0),
    }
}

/// True for a level that is a state secret (秘密 and above).
fn state_secret(level: &str) -> bool {
    matches!((level_rank(level), level_rank("confidential")), (Some(l), Some(c)) if l >= c)
}

/// The zone the computer was in at `t`: after the last change before `t`, or before the first change
/// after it.
fn zone_at(f: &ComputerFacts, t: Option<i64>) -> String {
    let Some(t) = t else {
        return f.zone.clone();
    };
    let mut zone = f
        .zone_changes
        .first()
        .map_or_else(|| f.zone.clone(), |c| c.from.clone());
    for c in &f.zone_changes {
        if c.at <= t {
            zone = c.to.clone();
        }
    }
    zone
}

/// Every correlation of one computer: a pure function of its facts.
pub fn correlate_computer(f: &ComputerFacts) -> Vec<Correlation> {
    let Some((report_id, started)) = &f.report else {
        return Vec::new();
    };
    let mut findings: Vec<&FindingFact> = f.findings.iter().collect();
    findings.sort();
    findings.dedup();
    let computer = json!({ "id": f.id, "asset_no": f.asset_no, "zone": f.zone });
    let report_zone = zone_at(f, *started);
    let changes: Vec<Value> = f
        .zone_changes
        .iter()
        .map(|c| json!({ "at": c.at, "from": c.from, "to": c.to }))
        .collect();
    let make = |rule: &'static str, severity: &'static str, hits: &[&FindingFact], extra: Value| {
        let evidence: Vec<Value> = hits
            .iter()
            .take(EVIDENCE_SHOWN)
            .map(|h| {
                json!({ "rule": h.rule, "level": h.level, "path": h.path, "title": h.title,
                        "excerpt": h.excerpt })
            })
            .collect();
        let detail = with_extra(
            json!({
                "computer": computer, "report": { "report_id": report_id, "started_at": started,
                "zone": report_zone }, "evidence": evidence, "count": hits.len(),
                "zone_changes": changes,
            }),
            extra,
        );
        Correlation {
            rule,
            severity,
            detail,
            first_at: *started,
            last_at: *started,
            computers: vec![(f.id, f.department_id)],
        }
    };
    let with_rules = |rules: &[&str]| -> Vec<&FindingFact> {
        findings
            .iter()
            .copied()
            .filter(|h| rules.contains(&h.rule.as_str()))
            .collect()
    };
    let content = with_rules(&CONTENT_RULES);
    let above = |zone: &str| -> Vec<&FindingFact> {
        content
            .iter()
            .copied()
            .filter(|h| level_rank(&h.level).is_some_and(|l| l > max_level_rank(zone)))
            .collect()
    };
    let mut out = Vec::new();

    // The highest zone it was ever in, and the last move down from there.
    let former = f
        .zone_changes
        .iter()
        .map(|c| c.from.as_str())
        .max_by_key(|z| zone_rank(z))
        .filter(|z| zone_rank(z) > zone_rank(&f.zone));
    let moved_down_at = f
        .zone_changes
        .iter()
        .rfind(|c| zone_rank(&c.to) < zone_rank(&c.from))
        .map(|c| c.at);
    let repurposed_hits = above(&f.zone);
    match (former, moved_down_at) {
        (Some(former), Some(moved)) if !repurposed_hits.is_empty() => {
            let inspected_since = started.is_some_and(|s| s >= moved);
            let secret = repurposed_hits.iter().any(|h| state_secret(&h.level));
            let severity = if inspected_since && secret {
                "critical"
            } else {
                "high"
            };
            out.push(make(
                "repurposed_computer_holds_old_content",
                severity,
                &repurposed_hits,
                json!({ "former_zone": former, "moved_at": moved,
                        "inspected_since_move": inspected_since }),
            ));
        }
        _ => {
            // Judged by the zone it was in when the report was taken: files on a computer that was
            // then classified were where they belong.
            if zone_rank(&report_zone) < zone_rank("classified") {
                let secret: Vec<&FindingFact> = content
                    .iter()
                    .copied()
                    .filter(|h| state_secret(&h.level))
                    .collect();
                if !secret.is_empty() {
                    out.push(make(
                        "classified_content_off_classified",
                        "critical",
                        &secret,
                        json!({ "zone": report_zone }),
                    ));
                }
            }
        }
    }
    if f.zone == "classified" {
        let traces = with_rules(&INTERNET_TRACE_RULES);
        if !traces.is_empty() {
            out.push(make(
                "internet_traces_on_classified",
                "critical",
                &traces,
                json!({}),
            ));
        }
        let wireless = with_rules(&WIRELESS_RULES);
        if !wireless.is_empty() {
            let bridges = wireless.iter().any(|h| h.rule != "network.bluetooth");
            out.push(make(
                "wireless_on_classified",
                if bridges { "critical" } else { "high" },
                &wireless,
                json!({}),
            ));
        }
    }
    out
}

/// The subject key of a computer.
pub fn subject(computer_id: i64) -> String {
    format!("computer:{computer_id}")
}

/// Recompute and store the correlations of `computers`, inside the caller's transaction. Subjects
/// are locked in the order of their keys, and before any device subject (`computer:` sorts before
/// `usb:`), so two transactions cannot wait on each other.
pub(crate) async fn recompute_computers(
    conn: &mut AnyConnection,
    computers: &[i64],
) -> Result<usize> {
    let mut subjects: Vec<(String, i64)> = computers.iter().map(|&c| (subject(c), c)).collect();
    subjects.sort();
    subjects.dedup();
    let mut stored = 0;
    for (subject, id) in subjects {
        lock_subject(conn, &subject).await?;
        let found = match facts_of(conn, id).await? {
            Some(facts) => correlate_computer(&facts),
            None => Vec::new(),
        };
        replace(conn, &subject, &found).await?;
        stored += found.len();
    }
    Ok(stored)
}

async fn facts_of(conn: &mut AnyConnection, id: i64) -> Result<Option<ComputerFacts>> {
    let row: Option<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT asset_no, zone, department_id FROM computers WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((asset_no, zone, department_id)) = row else {
        return Ok(None);
    };
    let latest = crate::correlate::latest_report_of(conn, id).await?;
    let mut findings = Vec::new();
    if let Some((_, _, row)) = &latest {
        // `rule || ''` keeps PostgreSQL on the report's index: with a plain `rule IN (…)` it
        // intersects the report's 1,000 rows with millions of entries of the rule index (300 ms
        // instead of 1).
        let rows: Vec<(String, String, String, String, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT rule, level, path, title, excerpt FROM findings \
             WHERE report_row = $1 AND status <> 'false_positive' AND rule || '' IN ({})",
                CONTENT_RULES
                    .iter()
                    .chain(&INTERNET_TRACE_RULES)
                    .chain(&WIRELESS_RULES)
                    .map(|r| format!("'{r}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
            .bind(row)
            .fetch_all(&mut *conn)
            .await?;
        findings = rows
            .into_iter()
            .map(|(rule, level, path, title, excerpt)| FindingFact {
                rule,
                level,
                path,
                title,
                excerpt,
            })
            .collect();
    }
    let changes: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT at, from_zone, to_zone FROM computer_zone_changes WHERE computer_id = $1 \
         ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(ComputerFacts {
        id,
        asset_no,
        zone,
        department_id,
        report: latest.map(|(started, report_id, _)| (report_id, started)),
        findings,
        zone_changes: changes
            .into_iter()
            .map(|(at, from, to)| ZoneChange { at, from, to })
            .collect(),
    }))
}

/// Record that computer `id` moved from one zone to another, inside the caller's transaction.
pub(crate) async fn record_zone_change(
    conn: &mut AnyConnection,
    id: i64,
    from: &str,
    to: &str,
) -> Result<()> {
    if from != to {
        sqlx::query(
            "INSERT INTO computer_zone_changes (computer_id, at, from_zone, to_zone) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(crate::now())
        .bind(from)
        .bind(to)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(rule: &str, level: &str, path: &str) -> FindingFact {
        FindingFact {
            rule: rule.into(),
            level: level.into(),
            path: path.into(),
            title: String::new(),
            excerpt: String::new(),
        }
    }

    fn pc(zone: &str, findings: Vec<FindingFact>) -> ComputerFacts {
        ComputerFacts {
            id: 7,
            asset_no: "PC-7".into(),
            zone: zone.into(),
            department_id: Some(1),
            report: Some(("r1".into(), Some(1_000))),
            findings,
            zone_changes: Vec::new(),
        }
    }

    fn rules(c: &[Correlation]) -> Vec<(&str, &str)> {
        c.iter().map(|c| (c.rule, c.severity)).collect()
    }

    #[test]
    fn content_is_judged_by_the_zone() {
        let secret = hit("content.marking", "secret", "/home/a/报告.docx");
        let work = hit("content.work_secret", "internal", "/home/a/纪要.docx");
        let both = vec![secret.clone(), work.clone()];
        assert_eq!(
            rules(&correlate_computer(&pc("internet", both.clone()))),
            [("classified_content_off_classified", "critical")]
        );
        assert_eq!(
            rules(&correlate_computer(&pc("internal", both.clone()))),
            [("classified_content_off_classified", "critical")]
        );
        assert!(correlate_computer(&pc("classified", both)).is_empty());
        // Work secrets alone on an Internet computer are the scanner's own finding, not a correlation.
        assert!(correlate_computer(&pc("internet", vec![work])).is_empty());
    }

    #[test]
    fn a_classified_computer_with_internet_and_wireless() {
        let c = correlate_computer(&pc(
            "classified",
            vec![
                hit(
                    "web.internet_visit",
                    "",
                    "/home/a/.config/chromium/Default/History",
                ),
                hit("network.bluetooth", "", "/var/lib/bluetooth/3C:6A"),
            ],
        ));
        assert_eq!(
            rules(&c),
            [
                ("internet_traces_on_classified", "critical"),
                ("wireless_on_classified", "high")
            ]
        );
        assert_eq!(c[0].detail["count"], 1);
        assert!(
            correlate_computer(&pc("internet", vec![hit("web.internet_visit", "", "/h")]))
                .is_empty()
        );
    }

    #[test]
    fn a_repurposed_computer_is_named_as_such() {
        let mut f = pc(
            "internet",
            vec![
                hit("content.marking", "secret", "/home/a/报告.docx"),
                hit("content.work_secret", "internal", "/home/a/纪要.docx"),
            ],
        );
        f.zone_changes = vec![ZoneChange {
            at: 500,
            from: "internal".into(),
            to: "internet".into(),
        }];
        let c = correlate_computer(&f);
        assert_eq!(
            rules(&c),
            [("repurposed_computer_holds_old_content", "critical")]
        );
        assert_eq!(c[0].detail["count"], 2);
        assert_eq!(c[0].detail["former_zone"], "internal");
        // Inspected only before the move: nobody has looked since.
        f.zone_changes[0].at = 2_000;
        let c = correlate_computer(&f);
        assert_eq!(
            rules(&c),
            [("repurposed_computer_holds_old_content", "high")]
        );
        assert_eq!(c[0].detail["inspected_since_move"], false);
        // Moved up (Internet → classified) after the report: judged by the zone it was in then.
        let mut up = pc(
            "classified",
            vec![hit("content.marking", "secret", "/home/a/报告.docx")],
        );
        up.zone_changes = vec![ZoneChange {
            at: 2_000,
            from: "internet".into(),
            to: "classified".into(),
        }];
        let c = correlate_computer(&up);
        assert_eq!(
            rules(&c),
            [("classified_content_off_classified", "critical")]
        );
        assert_eq!(c[0].detail["zone"], "internet");
        // Inspected again once classified: the file is where it belongs.
        up.report = Some(("r2".into(), Some(3_000)));
        assert!(correlate_computer(&up).is_empty());
    }
}
