//! From findings to closure in the browser: opening a rectification task from a finding, the list of
//! tasks (overdue first, highlighted), a task's page with its life, evidence files and the form that
//! moves it on (only to the states this reader may move it to), and false-positive marks.

use crate::authz::{Action, department_scope, rectification_move};
use crate::correlation_views::when;
use crate::i18n::Lang;
use crate::views::page;
use crate::{AppState, Fail, PageFail, Viewer};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baomi_store::rectify::MAX_ATTACHMENT_BYTES;
use baomi_store::{Attachment, FindingRow, RectFilter, RectMove, RectState, Rectification};
use maud::{Markup, html};
use serde::Deserialize;

type PageResult = Result<Response, PageFail>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/rectifications", get(list))
        .route(
            "/rectifications/{id}",
            get(task_page)
                .post(move_task)
                .layer(DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES + 64 * 1024)),
        )
        .route("/rectifications/{id}/files/{file}", get(file))
        .route("/findings/{id}/rectification", post(open_task))
        .route("/findings/{id}/false_positive", post(mark_false_positive))
        .route(
            "/false_positives/{id}/withdraw",
            post(withdraw_false_positive),
        )
}

pub(crate) fn state_word(lang: Lang, s: &str) -> &'static str {
    lang.t(match s {
        "open" => "rect_open",
        "in_progress" => "rect_in_progress",
        "fixed" => "rect_fixed",
        "verified" => "rect_verified",
        "closed" => "rect_closed",
        "risk_accepted" => "rect_risk_accepted",
        "false_positive" => "false_positive",
        _ => "other",
    })
}

#[derive(Deserialize, Default)]
struct ListQuery {
    state: Option<String>,
    overdue: Option<String>,
}

async fn list(State(st): State<AppState>, v: Viewer, Query(q): Query<ListQuery>) -> PageResult {
    v.must(Action::ViewFindings)?;
    let state = q.state.filter(|s| !s.is_empty());
    let overdue = q.overdue.is_some_and(|o| o == "1");
    let tasks = st
        .store
        .rectifications(&RectFilter {
            department_id: department_scope(&v.user),
            state: state.clone(),
            overdue,
            ..Default::default()
        })
        .await?;
    let t = |k| v.lang.t(k);
    Ok(page(
        v.lang,
        Some(&v),
        t("rectifications"),
        html! {
            form method="get" action="/rectifications" {
                select name="state" {
                    option value="" { (t("all")) }
                    @for s in RectState::ALL {
                        option value=(s.as_str()) selected[state.as_deref() == Some(s.as_str())] { (state_word(v.lang, s.as_str())) }
                    }
                }
                label { input type="checkbox" name="overdue" value="1" checked[overdue]; " " (t("overdue_only")) }
                button type="submit" { (t("search")) }
            }
            (tasks_table(v.lang, &tasks))
        },
    )
    .into_response())
}

/// Tasks as a table; overdue rows are marked.
pub(crate) fn tasks_table(lang: Lang, tasks: &[Rectification]) -> Markup {
    let t = |k| lang.t(k);
    html! {
        @if tasks.is_empty() { p { (t("no_rows")) } } @else {
            table.tasks {
                tr { th { "#" } th { (t("computer")) } th { (t("rule")) } th { (t("path")) } th { (t("assignee")) } th { (t("rect_due")) } th { (t("state")) } }
                @for r in tasks {
                    tr class=[r.overdue.then_some("overdue")] {
                        td { a href={"/rectifications/" (r.id)} { (r.id) } }
                        td { a href={"/computers/" (r.computer_id)} { (r.asset_no) } }
                        td { code { (r.rule) } }
                        td { code { (r.path) } }
                        td { (r.assignee) }
                        td { (r.due_date) @if r.overdue { " " b { (t("overdue")) } } }
                        td {
                            (state_word(lang, r.state.as_str()))
                            @if r.gone_in_report.is_some() { br; small { (t("gone_proposes_verified")) } }
                        }
                    }
                }
            }
        }
    }
}

async fn task_page(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    v.must(Action::ViewFindings)?;
    let r = st.store.rectification(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(r.department_id)?;
    task_view(&st, &v, &r, None).await
}

async fn task_view(
    st: &AppState,
    v: &Viewer,
    r: &Rectification,
    message: Option<&str>,
) -> PageResult {
    let (events, files) = st.store.rectification_history(r.id).await?;
    let t = |k| v.lang.t(k);
    // The moves this reader may make, and whether they may comment at all.
    let moves: Vec<RectState> = r
        .state
        .next()
        .iter()
        .copied()
        .filter(|&to| crate::authz::allowed(v.user.role, rectification_move(r.state, to)))
        .collect();
    let may_comment = crate::authz::allowed(v.user.role, rectification_move(r.state, r.state));
    let may_accept = crate::authz::allowed(v.user.role, Action::AcceptRisk);
    let csrf = v.csrf.as_deref().unwrap_or("");
    let mut response = page(
        v.lang,
        Some(v),
        &format!("{} #{}", t("rectification"), r.id),
        html! {
            @if let Some(m) = message { p.msg.err { (m) } }
            @if r.gone_in_report.is_some() && r.state != RectState::Verified {
                p.msg #proposal { (t("gone_proposes_verified_long")) }
            }
            table {
                tr { th { (t("computer")) } td { a href={"/computers/" (r.computer_id)} { (r.asset_no) } } }
                tr { th { (t("finding")) } td { a href={"/findings/" (r.finding_row)} { (r.title) } " " code { (r.rule) } } }
                tr { th { (t("path")) } td { code { (r.path) } } }
                tr { th { (t("assignee")) } td { (r.assignee) } }
                tr { th { (t("rect_due")) } td class=[r.overdue.then_some("overdue")] { (r.due_date) @if r.overdue { " " b { (t("overdue")) } } } }
                tr { th { (t("state")) } td #state { b { (state_word(v.lang, r.state.as_str())) } } }
                tr { th { (t("opened_by")) } td { (r.created_by) " · " (when(Some(r.created_at))) } }
            }
            h2 { (t("life")) }
            table {
                tr { th { (t("time")) } th { (t("actor")) } th { (t("from")) } th { (t("to")) } th { (t("comment")) } th { (t("approver")) } th { (t("evidence_files")) } }
                @for e in &events {
                    tr {
                        td { (when(Some(e.at))) }
                        td { (e.actor) }
                        td { @if !e.from_state.is_empty() { (state_word(v.lang, &e.from_state)) } }
                        td { (state_word(v.lang, &e.to_state)) }
                        td { (e.comment) }
                        td { (e.approver) }
                        td {
                            @for f in files.iter().filter(|f| f.event_id == e.id) {
                                a href={"/rectifications/" (r.id) "/files/" (f.id)} { (f.name) }
                                " (" (f.size) " B) " br; small { "SM3 " code { (f.sm3) } }
                            }
                        }
                    }
                }
            }
            @if may_comment || !moves.is_empty() {
                h2 { (t("move_task")) }
                form method="post" action={"/rectifications/" (r.id)} enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    label { (t("to")) " "
                        select name="to" {
                            @if may_comment { option value=(r.state.as_str()) { (t("comment_only")) } }
                            @for to in &moves {
                                option value=(to.as_str()) selected[r.gone_in_report.is_some() && *to == RectState::Verified] { (state_word(v.lang, to.as_str())) }
                            }
                        }
                    }
                    label { (t("comment")) " " textarea name="comment" rows="3" {} }
                    @if may_accept && moves.contains(&RectState::RiskAccepted) {
                        label { (t("approver")) " " input name="approver"; }
                    }
                    label { (t("evidence_file")) " " input type="file" name="file"; }
                    button type="submit" { (t("save")) }
                }
            }
        },
    )
    .into_response();
    if message.is_some() {
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

/// The fields of the task form, read from its multipart body.
#[derive(Default)]
struct MoveForm {
    csrf: Option<String>,
    to: String,
    comment: String,
    approver: String,
    file: Option<Attachment>,
}

async fn read_move_form(mut form: Multipart) -> Result<MoveForm, Fail> {
    let broken = |e: axum::extract::multipart::MultipartError| {
        Fail::Bad(format!("the upload is broken: {e}"))
    };
    let mut out = MoveForm::default();
    while let Some(field) = form.next_field().await.map_err(broken)? {
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().unwrap_or("").to_owned();
                let media_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let body = field.bytes().await.map_err(broken)?;
                // A browser sends an empty part when no file was chosen.
                if !name.is_empty() || !body.is_empty() {
                    out.file = Some(Attachment {
                        name,
                        media_type,
                        body: body.to_vec(),
                    });
                }
            }
            "csrf" => out.csrf = Some(field.text().await.map_err(broken)?),
            "to" => out.to = field.text().await.map_err(broken)?,
            "comment" => out.comment = field.text().await.map_err(broken)?,
            "approver" => out.approver = field.text().await.map_err(broken)?,
            _ => {}
        }
    }
    Ok(out)
}

async fn move_task(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    form: Multipart,
) -> PageResult {
    v.must(Action::WorkOnRectification)?;
    let r = st.store.rectification(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(r.department_id)?;
    let f = read_move_form(form).await?;
    v.check_csrf(f.csrf.as_deref())?;
    let to: RectState = f.to.parse().map_err(Fail::Bad)?;
    v.must(rectification_move(r.state, to))?;
    let m = RectMove {
        to: f.to,
        comment: f.comment,
        approver: f.approver,
    };
    match st.store.move_rectification(&v.actor, id, &m, f.file).await {
        Ok(()) => Ok(Redirect::to(&format!("/rectifications/{id}")).into_response()),
        Err(baomi_store::Error::Invalid(msg) | baomi_store::Error::Conflict(msg)) => {
            task_view(&st, &v, &r, Some(&msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn file(
    State(st): State<AppState>,
    v: Viewer,
    Path((id, file_id)): Path<(i64, i64)>,
) -> PageResult {
    v.must(Action::ViewFindings)?;
    let r = st.store.rectification(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(r.department_id)?;
    let (f, body) = st
        .store
        .rectification_file(id, file_id)
        .await?
        .ok_or(Fail::NotFound)?;
    // Always a download, never rendered here: an uploaded HTML or SVG file must not run as this
    // site's page.
    crate::scorecard_views::document_download(&f.name, "application/octet-stream", body)
}

#[derive(Deserialize)]
struct OpenForm {
    csrf: Option<String>,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    due_date: String,
}

async fn open_task(
    State(st): State<AppState>,
    v: Viewer,
    Path(finding): Path<i64>,
    Form(f): Form<OpenForm>,
) -> PageResult {
    v.must(Action::ManageRectification)?;
    v.check_csrf(f.csrf.as_deref())?;
    let row = st.store.finding(finding).await?.ok_or(Fail::NotFound)?;
    v.must_see(row.department_id)?;
    let id = st
        .store
        .open_rectification(&v.actor, finding, &f.assignee, &f.due_date)
        .await?;
    Ok(Redirect::to(&format!("/rectifications/{id}")).into_response())
}

#[derive(Deserialize)]
struct ReasonForm {
    csrf: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    finding: Option<i64>,
}

async fn mark_false_positive(
    State(st): State<AppState>,
    v: Viewer,
    Path(finding): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    v.must(Action::ManageRectification)?;
    v.check_csrf(f.csrf.as_deref())?;
    let row = st.store.finding(finding).await?.ok_or(Fail::NotFound)?;
    v.must_see(row.department_id)?;
    st.store
        .mark_false_positive(&v.actor, finding, &f.reason)
        .await?;
    Ok(Redirect::to(&format!("/findings/{finding}")).into_response())
}

async fn withdraw_false_positive(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    v.must(Action::ManageRectification)?;
    v.check_csrf(f.csrf.as_deref())?;
    st.store
        .withdraw_false_positive(&v.actor, id, &f.reason)
        .await?;
    Ok(match f.finding {
        Some(finding) => Redirect::to(&format!("/findings/{finding}")),
        None => Redirect::to("/findings"),
    }
    .into_response())
}

/// The follow-up part of a finding's page: its task (or the form that opens one) and its
/// false-positive mark (or the form that sets one).
pub(crate) async fn finding_sections(
    st: &AppState,
    v: &Viewer,
    f: &FindingRow,
) -> Result<Markup, Fail> {
    let t = |k| v.lang.t(k);
    let Some(computer_id) = f.computer_id else {
        return Ok(html! { p { (t("follow_up_needs_computer")) } });
    };
    let task = st
        .store
        .rectification_of(computer_id, &f.finding_id)
        .await?;
    let mark = st
        .store
        .false_positive_of(computer_id, &f.finding_id)
        .await?;
    let manage = crate::authz::allowed(v.user.role, Action::ManageRectification);
    let csrf = v.csrf.as_deref().unwrap_or("");
    // A month from today, the usual time given to fix a finding.
    let due = baomi_store::china_date(baomi_store::now() + 30 * 86_400);
    Ok(html! {
        h2 { (t("rectification")) }
        @if let Some(r) = &task {
            p #task {
                a href={"/rectifications/" (r.id)} { "#" (r.id) } " · " (state_word(v.lang, r.state.as_str()))
                " · " (r.assignee) " · " (r.due_date)
                @if r.overdue { " " b.overdue { (t("overdue")) } }
            }
        } @else if manage {
            form method="post" action={"/findings/" (f.id) "/rectification"} {
                input type="hidden" name="csrf" value=(csrf);
                label { (t("assignee")) " " input name="assignee" required; }
                label { (t("rect_due")) " " input name="due_date" type="date" value=(due) required; }
                button type="submit" { (t("open_task")) }
            }
        } @else { p { (t("no_rows")) } }
        h2 { (t("false_positive")) }
        @match &mark {
            Some(m) if m.withdrawn_at.is_none() => {
                p #false-positive { (t("marked_false_positive")) ": " (m.reason) " — " (m.actor) " · " (when(Some(m.at))) }
                @if manage {
                    form method="post" action={"/false_positives/" (m.id) "/withdraw"} {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="finding" value=(f.id);
                        label { (t("withdraw_reason")) " " input name="reason" required; }
                        button type="submit" { (t("withdraw")) }
                    }
                }
            }
            _ => {
                @if let Some(m) = &mark {
                    p { small { (t("withdrawn_mark")) ": " (m.reason) " → " (m.withdrawn_reason) " — " (m.withdrawn_by) " · " (when(m.withdrawn_at)) } }
                }
                @if manage {
                    form method="post" action={"/findings/" (f.id) "/false_positive"} {
                        input type="hidden" name="csrf" value=(csrf);
                        label { (t("false_positive_reason")) " " input name="reason" required; }
                        button type="submit" { (t("mark_false_positive")) }
                    }
                }
            }
        }
    })
}
