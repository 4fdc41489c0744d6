//! What the server sees across computers (`baomi_store::correlate`, `baomi_store::computer_correlation`):
//! the list of correlated findings with each one's evidence — for a device, the medium registered
//! under its serial and the timeline of the computers it was connected to; for a computer, its
//! registered zone and history and what its latest report found — and the same on each involved
//! computer's page.

use crate::authz::{Action, department_scope};
use crate::i18n::Lang;
use crate::views::{level_word, page};
use crate::{AppState, PageFail, Viewer};
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use baomi_store::CorrelationRow;
use maud::{Markup, html};
use serde_json::Value;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/correlations", get(list))
        .route("/coverage", get(coverage))
}

/// The inspection period when none is asked for: half a year.
const DEFAULT_PERIOD_DAYS: i64 = 180;

#[derive(serde::Deserialize, Default)]
struct CoverageQuery {
    days: Option<i64>,
}

/// Which computers in use have not been inspected in the period, and reports no register knows.
async fn coverage(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<CoverageQuery>,
) -> Result<Response, PageFail> {
    v.must(Action::ViewComputers)?;
    let days = q.days.unwrap_or(DEFAULT_PERIOD_DAYS).clamp(1, 3660);
    let since = baomi_store::now() - days * 86_400;
    let c = st.store.coverage(department_scope(&v.user), since).await?;
    let t = |k| v.lang.t(k);
    let summary = match v.lang {
        Lang::Zh => format!(
            "近 {days} 天：在用计算机 {} 台，已检查 {} 台，未检查 {} 台",
            c.in_use,
            c.inspected,
            c.in_use - c.inspected
        ),
        Lang::En => format!(
            "Last {days} days: {} computers in use, {} inspected, {} not inspected",
            c.in_use,
            c.inspected,
            c.in_use - c.inspected
        ),
    };
    Ok(page(
        v.lang,
        Some(&v),
        t("coverage"),
        html! {
            form method="get" action="/coverage" {
                label { (t("period_days")) " " input name="days" type="number" min="1" max="3660" value=(days); }
                button type="submit" { (t("search")) }
            }
            p.msg id="coverage-summary" { (summary) }
            @if c.unmatched_reports > 0 {
                p { a href="/reports/unmatched" { (t("unmatched")) ": " (c.unmatched_reports) } " — " (t("unmatched_hint")) }
            }
            h2 { (t("not_inspected")) }
            @if c.not_inspected.is_empty() { p { (t("no_rows")) } } @else {
                table {
                    tr { th { (t("asset_no")) } th { (t("name")) } th { (t("department")) } th { (t("custodian")) } th { (t("zone")) } th { (t("last_report")) } }
                    @for (pc, latest) in &c.not_inspected {
                        tr {
                            td { a href={"/computers/" (pc.id)} { (pc.fields.asset_no) } }
                            td { (pc.fields.name) }
                            td { (pc.department_name.as_deref().unwrap_or("")) }
                            td { (pc.fields.custodian) }
                            td { (zone_word(v.lang, &pc.fields.zone)) }
                            td { @if latest.is_some() { (when(*latest)) } @else { (t("never")) } }
                        }
                    }
                }
            }
        },
    )
    .into_response())
}

async fn list(State(st): State<AppState>, v: Viewer) -> Result<Response, PageFail> {
    v.must(Action::ViewFindings)?;
    let rows = st
        .store
        .correlations(department_scope(&v.user), None, 500)
        .await?;
    let t = |k| v.lang.t(k);
    Ok(page(
        v.lang,
        Some(&v),
        t("correlations"),
        html! {
            p { (t("correlations_help")) }
            (table(v.lang, &rows))
        },
    )
    .into_response())
}

/// Beijing time (UTC+8), to the minute: what the office's clocks say.
pub(crate) fn when(unix: Option<i64>) -> String {
    // China keeps no daylight saving: UTC+8 all year.
    unix.and_then(|s| jiff::Timestamp::from_second(s.saturating_add(8 * 3600)).ok())
        .map(|ts| ts.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "—".to_owned())
}

pub(crate) fn rule_word(lang: Lang, rule: &str) -> &'static str {
    lang.t(match rule {
        "cross_use" => "rule_cross_use",
        "unregistered_medium_on_classified" => "rule_unregistered_medium_on_classified",
        "unclassified_medium_on_classified" => "rule_unclassified_medium_on_classified",
        "classified_medium_off_classified" => "rule_classified_medium_off_classified",
        "medium_seen_after_destroyed_or_lost" => "rule_medium_seen_after_destroyed_or_lost",
        "classified_content_off_classified" => "rule_classified_content_off_classified",
        "internet_traces_on_classified" => "rule_internet_traces_on_classified",
        "wireless_on_classified" => "rule_wireless_on_classified",
        "repurposed_computer_holds_old_content" => "rule_repurposed_computer_holds_old_content",
        _ => "other",
    })
}

fn direction_word(lang: Lang, direction: &str) -> &'static str {
    lang.t(match direction {
        "classified_to_internet" => "dir_classified_to_internet",
        "internet_to_classified" => "dir_internet_to_classified",
        "internal_to_internet" => "dir_internal_to_internet",
        "internet_to_internal" => "dir_internet_to_internal",
        _ => "dir_both",
    })
}

fn zone_word(lang: Lang, zone: &str) -> &'static str {
    match crate::views::zone_word(lang, zone) {
        "" => "—",
        word => word,
    }
}

/// The correlations as a table. A device's row shows the device, the medium registered under its
/// serial, the direction and the timeline; a computer's row shows the computer, its zone (and the
/// zone it was moved from) and the files or traces its latest report found.
pub(crate) fn table(lang: Lang, rows: &[CorrelationRow]) -> Markup {
    let t = |k| lang.t(k);
    html! {
        @if rows.is_empty() { p { (t("no_rows")) } } @else {
            table.correlations {
                tr { th { (t("severity")) } th { (t("rule")) } th { (t("subject")) } th { (t("register_says")) } th { (t("evidence")) } }
                @for c in rows {
                    @let d: Value = serde_json::from_str(&c.detail).unwrap_or_default();
                    tr {
                        td { b { (t(match c.severity.as_str() { "critical" => "critical", _ => "high" })) } }
                        td {
                            (rule_word(lang, &c.rule))
                            @if let Some(dir) = d["direction"].as_str() {
                                br; small { (direction_word(lang, dir)) }
                            }
                        }
                        @if d["computer"].is_object() {
                            (computer_cells(lang, &d))
                        } @else {
                            (device_cells(lang, &d))
                        }
                    }
                }
            }
        }
    }
}

fn device_cells(lang: Lang, d: &Value) -> Markup {
    let t = |k| lang.t(k);
    html! {
        td {
            code { (d["device"]["vid"].as_str().unwrap_or("")) ":" (d["device"]["pid"].as_str().unwrap_or("")) }
            " " code { (d["device"]["serial"].as_str().unwrap_or("")) }
            br; small { (d["device"]["product"].as_str().unwrap_or("")) }
        }
        td {
            @if let Some(id) = d["medium"]["id"].as_i64() {
                a href={"/media/" (id)} { (d["medium"]["number"].as_str().unwrap_or("")) }
                " " (level_word(lang, d["medium"]["level"].as_str().unwrap_or("")))
                " · " (t(state_key(d["medium"]["state"].as_str().unwrap_or(""))))
                @if let Some(since) = d["medium"]["state_since"].as_i64() {
                    " (" (when(Some(since))) ")"
                }
            } @else { (t("not_registered")) }
        }
        td {
            small { (t("timeline")) }
            ol {
                @for e in d["timeline"].as_array().map(Vec::as_slice).unwrap_or_default() {
                    li {
                        @if let Some(cid) = e["computer_id"].as_i64() {
                            a href={"/computers/" (cid)} { (e["label"].as_str().unwrap_or("")) }
                        } @else { (e["label"].as_str().unwrap_or("")) " (" (t("unmatched")) ")" }
                        " [" (zone_word(lang, e["zone"].as_str().unwrap_or(""))) "] "
                        (when(e["first_seen"].as_i64())) " – " (when(e["last_seen"].as_i64()))
                        " ×" (e["connections"].as_i64().unwrap_or(0))
                    }
                }
            }
        }
    }
}

fn computer_cells(lang: Lang, d: &Value) -> Markup {
    let t = |k| lang.t(k);
    let pc = &d["computer"];
    let count = d["count"].as_u64().unwrap_or(0);
    let evidence = d["evidence"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    html! {
        td {
            @if let Some(id) = pc["id"].as_i64() {
                a href={"/computers/" (id)} { (pc["asset_no"].as_str().unwrap_or("")) }
            }
        }
        td {
            (zone_word(lang, pc["zone"].as_str().unwrap_or("")))
            @if let Some(former) = d["former_zone"].as_str() {
                br; small {
                    (t("moved_from")) " " (zone_word(lang, former)) " (" (when(d["moved_at"].as_i64())) ")"
                    @if d["inspected_since_move"] == Value::Bool(false) {
                        br; b { (t("not_inspected_since_move")) }
                    }
                }
            }
        }
        td {
            small {
                (t("latest_report")) " " code { (d["report"]["report_id"].as_str().unwrap_or("")) }
                " " (when(d["report"]["started_at"].as_i64()))
                " [" (zone_word(lang, d["report"]["zone"].as_str().unwrap_or(""))) "]"
            }
            ul {
                @for e in evidence {
                    li {
                        @let level = e["level"].as_str().unwrap_or("");
                        @if !level.is_empty() { b { (level_word(lang, level)) } " " }
                        code { (e["path"].as_str().unwrap_or("")) }
                        @let excerpt = e["excerpt"].as_str().unwrap_or("");
                        @if !excerpt.is_empty() { br; small { (excerpt) } }
                    }
                }
            }
            @if count > evidence.len() as u64 {
                p { small { (t("and_more")) " " (count - evidence.len() as u64) } }
            }
        }
    }
}

fn state_key(s: &str) -> &'static str {
    match crate::media_views::state_key(s) {
        "" => "other",
        key => key,
    }
}
