//! Inspection campaigns in the browser: the list and the form that plans one (the office), a
//! campaign's page with its coverage, who is missing, the checklist per computer (the scanner's checks
//! from the window's reports, the manual items as inspectors record them on site), and the closing
//! report.

use crate::authz::{Action, may_record_in_campaign, may_see_campaign};
use crate::correlation_views::when;
use crate::i18n::Lang;
use crate::scorecard_views::{Block, notice_html};
use crate::views::page;
use crate::{AppState, Fail, PageFail, Viewer};
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baomi_store::campaigns::{Campaign, CampaignInput, CampaignStatus, Target};
use maud::html;

type PageResult = Result<Response, PageFail>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list).post(create))
        .route("/campaigns/{id}", get(campaign_page))
        .route("/campaigns/{id}/results", post(record))
        .route("/campaigns/{id}/close", post(close))
        .route("/campaigns/{id}/report", get(report_page))
        .route("/campaigns/{id}/report.docx", get(report_docx))
        .route("/campaigns/{id}/report.pdf", get(report_pdf))
}

/// The name of a checklist item: a scanner check's name from the catalogue, or a manual item's.
pub(crate) fn item_word(lang: Lang, key: &str) -> String {
    if let Some(c) = baomi_host::catalogue().iter().find(|c| c.id == key) {
        return match lang {
            Lang::Zh => c.name.zh,
            Lang::En => c.name.en,
        }
        .to_owned();
    }
    lang.t(match key {
        "label_present" => "item_label_present",
        "case_sealed" => "item_case_sealed",
        "media_match_register" => "item_media_match_register",
        "undertakings_signed" => "item_undertakings_signed",
        "place_devices_working" => "item_place_devices_working",
        _ => "other",
    })
    .to_owned()
}

pub(crate) fn verdict_word(lang: Lang, v: &str) -> &'static str {
    lang.t(match v {
        "pass" => "result_pass",
        "fail" => "result_fail",
        "na" => "result_na",
        "not_run" => "result_not_run",
        _ => "result_unknown",
    })
}

fn state_word(lang: Lang, s: &str) -> &'static str {
    lang.t(match s {
        "planned" => "campaign_planned",
        "running" => "campaign_running",
        "ended" => "campaign_ended",
        _ => "campaign_closed",
    })
}

async fn list(State(st): State<AppState>, v: Viewer) -> PageResult {
    v.must(Action::ViewCampaigns)?;
    let now = baomi_store::now();
    let campaigns: Vec<Campaign> = st
        .store
        .campaigns()
        .await?
        .into_iter()
        .filter(|c| may_see_campaign(&v.user, c, now))
        .collect();
    let departments = st.store.departments().await?;
    let t = |k| v.lang.t(k);
    let csrf = v.csrf.as_deref().unwrap_or("");
    Ok(page(
        v.lang,
        Some(&v),
        t("campaigns"),
        html! {
            @if campaigns.is_empty() { p { (t("no_rows")) } } @else {
                table {
                    tr { th { (t("name")) } th { (t("campaign_kind")) } th { (t("window")) } th { (t("state")) } }
                    @for c in &campaigns {
                        tr {
                            td { a href={"/campaigns/" (c.id)} { (c.fields.name) } }
                            td { (t(if c.fields.kind == "unannounced" { "unannounced" } else { "regular" })) }
                            td { (c.fields.starts) " – " (c.fields.ends) }
                            td { (state_word(v.lang, c.state(now))) }
                        }
                    }
                }
            }
            @if crate::authz::allowed(v.user.role, Action::ManageCampaigns) {
                h2 { (t("new_campaign")) }
                form method="post" action="/campaigns" {
                    input type="hidden" name="csrf" value=(csrf);
                    label { (t("name")) " " input name="name" required; }
                    label { (t("campaign_kind")) " "
                        select name="kind" {
                            option value="regular" { (t("regular")) }
                            option value="unannounced" { (t("unannounced")) }
                        }
                    }
                    label { (t("starts")) " " input name="starts" type="date" required; }
                    label { (t("ends")) " " input name="ends" type="date" required; }
                    fieldset {
                        legend { (t("departments")) " (" (t("none_means_all")) ")" }
                        @for d in &departments {
                            label { input type="checkbox" name="department" value=(d.id); " " (d.name) }
                        }
                    }
                    fieldset {
                        legend { (t("zone")) " (" (t("none_means_all")) ")" }
                        @for z in baomi_store::model::REGISTER_ZONES {
                            label { input type="checkbox" name="zone" value=(z); " " (crate::views::zone_word(v.lang, z)) }
                        }
                    }
                    label { (t("campaign_computers")) " " textarea name="computers" rows="2" {} }
                    label { (t("inspectors")) " " input name="inspectors" placeholder="zhang, li"; }
                    button type="submit" { (t("save")) }
                }
            }
        },
    )
    .into_response())
}

/// The create form's fields; `department` and `zone` repeat, so the body is read as pairs.
async fn create(
    State(st): State<AppState>,
    v: Viewer,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    v.must(Action::ManageCampaigns)?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    v.check_csrf(Some(&get("csrf")))?;
    let departments = all("department")
        .iter()
        .map(|d| {
            d.parse::<i64>()
                .map_err(|_| Fail::Bad(format!("{d:?} is not a department")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let split = |s: String| -> Vec<String> {
        s.split([',', '，', '\n', '\r', ' ', '、'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let input = CampaignInput {
        name: get("name"),
        kind: get("kind"),
        starts: get("starts"),
        ends: get("ends"),
        departments,
        zones: all("zone"),
        computers: split(get("computers")),
        inspectors: split(get("inspectors")),
    };
    let id = st.store.create_campaign(&v.actor, input).await?;
    Ok(Redirect::to(&format!("/campaigns/{id}")).into_response())
}

async fn visible_campaign(st: &AppState, v: &Viewer, id: i64) -> Result<Campaign, Fail> {
    v.must(Action::ViewCampaigns)?;
    let c = st.store.campaign(id).await?.ok_or(Fail::NotFound)?;
    if !may_see_campaign(&v.user, &c, baomi_store::now()) {
        return Err(Fail::Forbidden);
    }
    Ok(c)
}

/// Computers shown per page of a campaign (checks and on-site items); coverage counts them all.
const COMPUTERS_PER_PAGE: usize = 200;
/// Missing computers named on the page; the rest are counted.
const MISSING_NAMED: usize = 500;

#[derive(serde::Deserialize, Default)]
struct CampaignQuery {
    /// Show the computers after this asset number (the next page).
    after: Option<String>,
}

async fn campaign_page(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<CampaignQuery>,
) -> PageResult {
    let c = visible_campaign(&st, &v, id).await?;
    let status = st.store.campaign_status(&c).await?;
    // A department head sees their own department's part.
    let mut status = scoped(&v, status);
    let t = |k| v.lang.t(k);
    let (done, total) = status.coverage();
    let missing_total = status
        .computers
        .iter()
        .filter(|x| x.report_row.is_none())
        .count();
    let missing: Vec<(i64, String)> = status
        .computers
        .iter()
        .filter(|x| x.report_row.is_none())
        .take(MISSING_NAMED)
        .map(|x| (x.id, x.asset_no.clone()))
        .collect();
    // An office holds tens of thousands of computers: this page shows one slice of them, by asset number.
    let after = q.after.unwrap_or_default();
    status
        .computers
        .retain(|x| after.is_empty() || x.asset_no > after);
    let next = status
        .computers
        .get(COMPUTERS_PER_PAGE)
        .and(status.computers.get(COMPUTERS_PER_PAGE - 1))
        .map(|x| form_urlencoded::byte_serialize(x.asset_no.as_bytes()).collect::<String>());
    status.computers.truncate(COMPUTERS_PER_PAGE);
    let may_record = may_record_in_campaign(&v.user, &c) && c.closed_at.is_none();
    let automated: Vec<&str> = c
        .checklist
        .iter()
        .filter(|i| i.automated)
        .map(|i| i.key.as_str())
        .collect();
    let csrf = v.csrf.as_deref().unwrap_or("");
    let result_of = |item: &str, target: &str| {
        status
            .manual
            .iter()
            .find(|m| m.item == item && m.target == target)
    };
    let targets = |target: Target| -> Vec<(String, String)> {
        match target {
            Target::Computer => status
                .computers
                .iter()
                .map(|c| (format!("computer:{}", c.id), c.asset_no.clone()))
                .collect(),
            Target::Place => status
                .places
                .iter()
                .map(|p| (format!("place:{}", p.0), p.1.clone()))
                .collect(),
            Target::Department => status
                .departments
                .iter()
                .map(|d| (format!("department:{}", d.0), d.1.clone()))
                .collect(),
        }
    };
    Ok(page(
        v.lang,
        Some(&v),
        &c.fields.name,
        html! {
            p {
                (t(if c.fields.kind == "unannounced" { "unannounced" } else { "regular" })) " · "
                (c.fields.starts) " – " (c.fields.ends) " · "
                (state_word(v.lang, c.state(baomi_store::now()))) " · "
                (t("inspectors")) ": " (c.fields.inspectors.join(", "))
            }
            p.msg #campaign-coverage {
                (t("inspected")) " " (done) " / " (total)
            }
            p {
                a href={"/campaigns/" (c.id) "/report"} { (t("closing_report")) } " · "
                a href={"/campaigns/" (c.id) "/report.docx"} { ".docx" } " · "
                a href={"/campaigns/" (c.id) "/report.pdf"} { "PDF" }
            }
            h2 { (t("not_inspected_yet")) }
            @if missing.is_empty() { p { (t("no_rows")) } } @else {
                p #missing {
                    @for (mid, asset) in &missing { a href={"/computers/" (mid)} { (asset) } " " }
                    @if missing_total > missing.len() { " " (t("and_more")) " " (missing_total - missing.len()) }
                }
            }
            @if let Some(n) = &next {
                p { a href={"/campaigns/" (c.id) "?after=" (n)} { (t("next_page")) } }
            }
            h2 { (t("checklist")) }
            table #checks {
                tr { th { (t("asset_no")) } @for k in &automated { th { (item_word(v.lang, k)) } } }
                @for pc in &status.computers {
                    tr {
                        td { a href={"/computers/" (pc.id)} { (pc.asset_no) } }
                        @for k in &automated {
                            @let verdict = pc.checks.get(*k).map_or("", String::as_str);
                            td class=[(verdict == "fail").then_some("overdue")] {
                                @if pc.report_row.is_some() { (verdict_word(v.lang, verdict)) } @else { "—" }
                            }
                        }
                    }
                }
            }
            @for item in c.checklist.iter().filter(|i| !i.automated) {
                h3 { (item_word(v.lang, &item.key)) }
                table {
                    tr { th { (t("target")) } th { (t("result")) } th { (t("note")) } @if may_record { th {} } }
                    @for (target, label) in targets(item.target) {
                        @let r = result_of(&item.key, &target);
                        tr class=[r.filter(|r| r.result == "fail").map(|_| "overdue")] {
                            td { (label) }
                            td { @if let Some(r) = r { (verdict_word(v.lang, &r.result)) " (" (r.actor) ", " (when(Some(r.at))) ")" } @else { "—" } }
                            td { @if let Some(r) = r { (r.note) } }
                            @if may_record {
                                td {
                                    form method="post" action={"/campaigns/" (c.id) "/results"} {
                                        input type="hidden" name="csrf" value=(csrf);
                                        input type="hidden" name="item" value=(item.key);
                                        input type="hidden" name="target" value=(target);
                                        select name="result" {
                                            @for r in ["pass", "fail", "na"] { option value=(r) { (verdict_word(v.lang, r)) } }
                                        }
                                        input name="note" placeholder=(t("note"));
                                        button type="submit" { (t("save")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if crate::authz::allowed(v.user.role, Action::ManageCampaigns) && c.closed_at.is_none() {
                h2 { (t("close_campaign")) }
                form method="post" action={"/campaigns/" (c.id) "/close"} {
                    input type="hidden" name="csrf" value=(csrf);
                    label { (t("note")) " " textarea name="note" rows="2" {} }
                    button type="submit" { (t("close_campaign")) }
                }
            }
        },
    )
    .into_response())
}

/// What a department head may see of a campaign's status: their own department's computers,
/// places and department.
fn scoped(v: &Viewer, mut s: CampaignStatus) -> CampaignStatus {
    if let Some(own) = crate::authz::department_scope(&v.user) {
        s.computers.retain(|c| c.department_id == Some(own));
        s.places.retain(|p| p.2 == Some(own));
        s.departments.retain(|d| d.0 == own);
        let keep: std::collections::HashSet<String> = s
            .computers
            .iter()
            .map(|c| format!("computer:{}", c.id))
            .chain(s.places.iter().map(|p| format!("place:{}", p.0)))
            .chain(s.departments.iter().map(|d| format!("department:{}", d.0)))
            .collect();
        s.manual.retain(|m| keep.contains(&m.target));
    }
    s
}

#[derive(serde::Deserialize)]
struct ResultForm {
    csrf: Option<String>,
    item: String,
    target: String,
    result: String,
    #[serde(default)]
    note: String,
}

async fn record(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<ResultForm>,
) -> PageResult {
    let c = visible_campaign(&st, &v, id).await?;
    if !may_record_in_campaign(&v.user, &c) {
        return Err(Fail::Forbidden.into());
    }
    v.check_csrf(f.csrf.as_deref())?;
    st.store
        .record_campaign_result(&v.actor, id, &f.item, &f.target, &f.result, &f.note)
        .await?;
    Ok(Redirect::to(&format!("/campaigns/{id}")).into_response())
}

#[derive(serde::Deserialize)]
struct CloseForm {
    csrf: Option<String>,
    #[serde(default)]
    note: String,
}

async fn close(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<CloseForm>,
) -> PageResult {
    v.must(Action::ManageCampaigns)?;
    v.check_csrf(f.csrf.as_deref())?;
    st.store.close_campaign(&v.actor, id, &f.note).await?;
    Ok(Redirect::to(&format!("/campaigns/{id}/report")).into_response())
}

/// The closing report: scope, window, inspectors, coverage, what the scanner's checks and the manual
/// items found, findings and rectification, the closing note.
pub(crate) fn closing_report(lang: Lang, c: &Campaign, s: &CampaignStatus) -> Vec<Block> {
    let zh = lang == Lang::Zh;
    let (done, total) = s.coverage();
    let mut out = vec![Block::Title(if zh {
        format!("{}总结报告", c.fields.name)
    } else {
        format!("{}: closing report", c.fields.name)
    })];
    out.push(Block::Paragraph(if zh {
        format!(
            "检查时间：{} 至 {}；检查方式：{}；检查人员：{}。应检查计算机{total}台，已检查{done}台。",
            c.fields.starts,
            c.fields.ends,
            if c.fields.kind == "unannounced" { "突击检查" } else { "定期检查" },
            c.fields.inspectors.join("、")
        )
    } else {
        format!(
            "Window: {} to {}; {} campaign; inspectors: {}. {done} of {total} computers in scope inspected.",
            c.fields.starts,
            c.fields.ends,
            c.fields.kind,
            c.fields.inspectors.join(", ")
        )
    }));
    out.push(Block::Heading(
        if zh {
            "一、自动检查项"
        } else {
            "1. Automated checks"
        }
        .to_owned(),
    ));
    let mut rows = Vec::new();
    for item in c.checklist.iter().filter(|i| i.automated) {
        let count = |v: &str| {
            s.computers
                .iter()
                .filter(|pc| pc.checks.get(&item.key).map(String::as_str) == Some(v))
                .count()
                .to_string()
        };
        rows.push(vec![
            item_word(lang, &item.key),
            count("pass"),
            count("fail"),
            count("not_run"),
        ]);
    }
    out.push(Block::Table {
        header: if zh {
            ["检查项", "通过", "存在问题", "未执行"]
        } else {
            ["Check", "Pass", "Problems", "Not run"]
        }
        .map(String::from)
        .to_vec(),
        rows,
    });
    out.push(Block::Heading(
        if zh {
            "二、现场检查项"
        } else {
            "2. On-site checks"
        }
        .to_owned(),
    ));
    let mut rows = Vec::new();
    for item in c.checklist.iter().filter(|i| !i.automated) {
        let of = |v: &str| {
            s.manual
                .iter()
                .filter(|m| m.item == item.key && m.result == v)
                .count()
        };
        let fails: Vec<String> = s
            .manual
            .iter()
            .filter(|m| m.item == item.key && m.result == "fail")
            .map(|m| m.note.clone())
            .collect();
        rows.push(vec![
            item_word(lang, &item.key),
            of("pass").to_string(),
            of("fail").to_string(),
            fails.join(if zh { "；" } else { "; " }),
        ]);
    }
    out.push(Block::Table {
        header: if zh {
            ["检查项", "合格", "不合格", "问题"]
        } else {
            ["Item", "Pass", "Fail", "What was wrong"]
        }
        .map(String::from)
        .to_vec(),
        rows,
    });
    out.push(Block::Heading(
        if zh {
            "三、发现问题与整改"
        } else {
            "3. Findings and rectification"
        }
        .to_owned(),
    ));
    let f = s.findings;
    let tasks: i64 = s.tasks.values().sum();
    let closed =
        s.tasks.get("closed").copied().unwrap_or(0) + s.tasks.get("verified").copied().unwrap_or(0);
    out.push(Block::Paragraph(if zh {
        format!(
            "共发现问题{}项，其中严重{}项、高危{}项、中危{}项、低危{}项；已下发整改任务{tasks}项，已复查或销号{closed}项。",
            f.iter().sum::<i64>(),
            f[0],
            f[1],
            f[2],
            f[3]
        )
    } else {
        format!(
            "{} findings: {} critical, {} high, {} medium, {} low; {tasks} rectification tasks opened, {closed} verified or closed.",
            f.iter().sum::<i64>(),
            f[0],
            f[1],
            f[2],
            f[3]
        )
    }));
    if !c.closing_note.is_empty() {
        out.push(Block::Paragraph(c.closing_note.clone()));
    }
    out.push(crate::scorecard_views::issuer(lang));
    out
}

async fn report_page(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    let c = visible_campaign(&st, &v, id).await?;
    let status = scoped(&v, st.store.campaign_status(&c).await?);
    let blocks = closing_report(v.lang, &c, &status);
    Ok(page(v.lang, Some(&v), &c.fields.name, notice_html(&blocks)).into_response())
}

async fn report_docx(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    report_file(&st, &v, id, "docx").await
}

async fn report_pdf(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    report_file(&st, &v, id, "pdf").await
}

async fn report_file(st: &AppState, v: &Viewer, id: i64, ext: &str) -> PageResult {
    let c = visible_campaign(st, v, id).await?;
    let status = scoped(v, st.store.campaign_status(&c).await?);
    let blocks = closing_report(v.lang, &c, &status);
    crate::scorecard_views::document_file(&c.fields.name, ext, &blocks)
}
