//! The removable-media register's pages: the list, registering a medium, and a medium's page with its
//! life and the form that moves it on (only to the states its life allows).

use crate::authz::{Action, department_scope};
use crate::views::{level_word, page, parse_id};
use crate::{AppState, Fail, PageFail, Viewer};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baomi_store::model::{MEDIUM_KINDS, REGISTER_LEVELS, level_change_allowed};
use baomi_store::{MediaFilter, MediumInput, Transition};
use maud::html;
use serde::Deserialize;

type PageResult = Result<Response, PageFail>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/media", get(list).post(create))
        .route("/media/new", get(new_form))
        .route("/media/{id}", get(medium_page).post(update))
        .route("/media/{id}/edit", get(edit_form))
        .route("/media/{id}/transition", post(transition))
}

/// Media listed per page: an office holds tens of thousands.
const MEDIA_PAGE: usize = 200;

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    after: Option<String>,
}

async fn list(State(st): State<AppState>, v: Viewer, Query(query): Query<ListQuery>) -> PageResult {
    v.must(Action::ViewMedia)?;
    let media = st
        .store
        .media(&MediaFilter {
            department_id: department_scope(&v.user),
            text: query.q.clone(),
            after: query.after.clone().filter(|a| !a.is_empty()),
            limit: Some(MEDIA_PAGE as i64 + 1),
        })
        .await?;
    let more = media.len() > MEDIA_PAGE;
    let media = &media[..media.len().min(MEDIA_PAGE)];
    let q = query.q.unwrap_or_default();
    let next = media.last().filter(|_| more).map(|m| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &q)
            .append_pair("after", &m.fields.number)
            .finish()
    });
    let t = |k| v.lang.t(k);
    Ok(page(
        v.lang,
        Some(&v),
        t("media"),
        html! {
            @if crate::authz::allowed(v.user.role, Action::EditMedia) {
                p { a href="/media/new" { (t("register_medium")) } }
            }
            p {
                a href="/media.xlsx" { (t("export_xlsx")) } " · "
                a href="/media.csv" { (t("export_csv")) }
                @if crate::authz::allowed(v.user.role, crate::authz::Action::EditMedia) {
                    " · " a href="/media/import" { (t("import_register")) }
                }
            }
            form method="get" action="/media" {
                input name="q" value=(q) placeholder=(format!("{} / {} / {}", t("number"), t("serial"), t("custodian")));
                button type="submit" { (t("search")) }
            }
            @if media.is_empty() { p { (t("no_rows")) } } @else {
                table {
                    tr { th { (t("number")) } th { (t("kind")) } th { (t("level")) } th { "VID:PID" } th { (t("serial")) } th { (t("custodian")) } th { (t("state")) } }
                    @for m in media {
                        tr {
                            td { a href={"/media/" (m.id)} { (m.fields.number) } }
                            td { (t(kind_key(&m.fields.kind))) }
                            td { (level_word(v.lang, &m.fields.level)) }
                            td { (m.fields.vid) ":" (m.fields.pid) }
                            td { code { (m.fields.serial) } }
                            td { (m.fields.custodian) }
                            td { (t(state_key(m.state.as_str()))) }
                        }
                    }
                }
                @if let Some(next) = &next { p { a href={"/media?" (next)} { (t("next_page")) } } }
            }
        },
    )
    .into_response())
}

/// The word for a medium's kind (U盘, 移动硬盘 …).
pub(crate) fn kind_word(lang: crate::i18n::Lang, k: &str) -> &'static str {
    lang.t(kind_key(k))
}

fn kind_key(k: &str) -> &'static str {
    MEDIUM_KINDS
        .iter()
        .copied()
        .find(|x| *x == k)
        .unwrap_or("other")
}

pub(crate) fn state_key(s: &str) -> &'static str {
    baomi_store::MediumState::ALL
        .iter()
        .map(|x| x.as_str())
        .find(|x| *x == s)
        .unwrap_or("")
}

async fn form_page(
    st: &AppState,
    v: &Viewer,
    m: &MediumInput,
    editing: Option<(i64, &str)>,
    message: Option<&str>,
) -> PageResult {
    let departments = st.store.departments().await?;
    // Editing offers only the levels the medium may still have: never lower than it was registered.
    let levels: Vec<&str> = REGISTER_LEVELS
        .iter()
        .copied()
        .filter(|l| editing.is_none_or(|(_, was)| level_change_allowed(was, l)))
        .collect();
    let action = editing.map_or("/media".to_owned(), |(id, _)| format!("/media/{id}"));
    let t = |k| v.lang.t(k);
    let text = |key: &'static str, value: &str, required: bool| {
        html! { label { (t(key)) br; input name=(key) value=(value) required[required]; } }
    };
    Ok(page(
        v.lang,
        Some(v),
        t("register_medium"),
        html! {
            @if let Some(msg) = message { p.msg.err { (msg) } }
            form method="post" action=(action) {
                input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
                (text("number", &m.number, true))
                label { (t("kind")) br; select name="kind" { @for k in MEDIUM_KINDS { option value=(k) selected[m.kind == k] { (t(k)) } } } }
                (text("brand_model", &m.brand_model, false))
                label { "VID" br; input name="vid" value=(m.vid) placeholder="0781"; }
                label { "PID" br; input name="pid" value=(m.pid) placeholder="5567"; }
                (text("serial", &m.serial, false))
                label { (t("level")) br; select name="level" { @for l in &levels { option value=(l) selected[m.level == *l] { (level_word(v.lang, l)) } } } }
                label { (t("department")) br; select name="department_id" {
                    option value="" { "—" }
                    @for d in &departments { option value=(d.id) selected[m.department_id == Some(d.id)] { (d.name) } }
                } }
                (text("custodian", &m.custodian, false))
                label { (t("notes")) br; textarea name="notes" { (m.notes) } }
                button type="submit" { (t("save")) }
            }
        },
    )
    .into_response())
}

async fn new_form(State(st): State<AppState>, v: Viewer) -> PageResult {
    v.must(Action::EditMedia)?;
    let blank = MediumInput {
        kind: "usb_disk".into(),
        level: "secret".into(),
        ..Default::default()
    };
    form_page(&st, &v, &blank, None, None).await
}

#[derive(Deserialize)]
struct MediumForm {
    csrf: Option<String>,
    number: String,
    kind: String,
    #[serde(default)]
    brand_model: String,
    #[serde(default)]
    vid: String,
    #[serde(default)]
    pid: String,
    #[serde(default)]
    serial: String,
    level: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    custodian: String,
    #[serde(default)]
    notes: String,
}

impl MediumForm {
    fn input(self) -> Result<MediumInput, Fail> {
        let f = self;
        Ok(MediumInput {
            number: f.number,
            kind: f.kind,
            brand_model: f.brand_model,
            vid: f.vid,
            pid: f.pid,
            serial: f.serial,
            level: f.level,
            department_id: parse_id(Some(&f.department_id))?,
            custodian: f.custodian,
            notes: f.notes,
        })
    }
}

async fn create(State(st): State<AppState>, v: Viewer, Form(f): Form<MediumForm>) -> PageResult {
    v.must(Action::EditMedia)?;
    v.check_csrf(f.csrf.as_deref())?;
    let input = f.input()?;
    match st.store.create_medium(&v.actor, input.clone()).await {
        Ok(id) => Ok(Redirect::to(&format!("/media/{id}")).into_response()),
        Err(baomi_store::Error::Invalid(m) | baomi_store::Error::Conflict(m)) => {
            let mut r = form_page(&st, &v, &input, None, Some(&m)).await?;
            *r.status_mut() = StatusCode::BAD_REQUEST;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    v.must(Action::EditMedia)?;
    let m = st.store.medium(id).await?.ok_or(Fail::NotFound)?;
    form_page(&st, &v, &m.fields, Some((id, &m.fields.level)), None).await
}

async fn update(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<MediumForm>,
) -> PageResult {
    v.must(Action::EditMedia)?;
    v.check_csrf(f.csrf.as_deref())?;
    let old = st.store.medium(id).await?.ok_or(Fail::NotFound)?;
    let input = f.input()?;
    match st.store.update_medium(&v.actor, id, input.clone()).await {
        Ok(()) => Ok(Redirect::to(&format!("/media/{id}")).into_response()),
        Err(baomi_store::Error::Invalid(m) | baomi_store::Error::Conflict(m)) => {
            let mut r = form_page(&st, &v, &input, Some((id, &old.fields.level)), Some(&m)).await?;
            *r.status_mut() = StatusCode::BAD_REQUEST;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

async fn medium_page(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    v.must(Action::ViewMedia)?;
    let m = st.store.medium(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(m.fields.department_id)?;
    medium_view(&st, &v, &m, None, StatusCode::OK).await
}

async fn medium_view(
    st: &AppState,
    v: &Viewer,
    m: &baomi_store::Medium,
    message: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let events = st.store.medium_events(m.id).await?;
    let changes = crate::views::history(st, v.lang, &format!("medium:{}", m.id)).await?;
    let t = |k| v.lang.t(k);
    let f = &m.fields;
    let next = m.state.next();
    Ok((
        status,
        page(
            v.lang,
            Some(v),
            &format!("{} {}", t("media"), f.number),
            html! {
                @if let Some(msg) = message { p.msg.err { (msg) } }
                table {
                    tr { th { (t("number")) } td { (f.number) } th { (t("kind")) } td { (t(kind_key(&f.kind))) } }
                    tr { th { (t("level")) } td { (level_word(v.lang, &f.level)) } th { (t("state")) } td { b { (t(state_key(m.state.as_str()))) } } }
                    tr { th { "VID:PID" } td { (f.vid) ":" (f.pid) } th { (t("serial")) } td { code { (f.serial) } } }
                    tr { th { (t("brand_model")) } td { (f.brand_model) } th { (t("custodian")) } td { (f.custodian) } }
                    tr { th { (t("notes")) } td colspan="3" { (f.notes) } }
                }
                p {
                    @if crate::authz::allowed(v.user.role, Action::EditMedia) {
                        a href={"/media/" (m.id) "/edit"} { (t("edit")) } " · "
                    }
                    a href={"/labels/media.pdf?asset=" (form_urlencoded::byte_serialize(f.number.as_bytes()).collect::<String>())} { (t("labels")) " (PDF)" }
                }
                h2 { (t("life")) }
                @if events.is_empty() { p { (t("no_rows")) } } @else {
                    table {
                        tr { th { (t("time")) } th { (t("actor")) } th { (t("from")) } th { (t("to")) } th { (t("reason")) } th { (t("approver")) } th { (t("due_date")) } }
                        @for e in &events {
                            tr { td { (e.at) } td { (e.actor) } td { (t(state_key(&e.from))) } td { (t(state_key(&e.to))) } td { (e.reason) } td { (e.approver) } td { (e.due_date) } }
                        }
                    }
                }
                (changes)
                @if crate::authz::allowed(v.user.role, Action::EditMedia) && !next.is_empty() {
                    h2 { (t("move_to")) }
                    form method="post" action={"/media/" (m.id) "/transition"} {
                        input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
                        label { (t("to")) br; select name="to" { @for s in next { option value=(s.as_str()) { (t(s.as_str())) } } } }
                        label { (t("reason")) br; input name="reason" required; }
                        label { (t("approver")) br; input name="approver"; }
                        label { (t("due_date")) br; input name="due_date" type="date"; }
                        button type="submit" { (t("save")) }
                    }
                }
            },
        ),
    )
        .into_response())
}

#[derive(Deserialize)]
struct TransitionForm {
    csrf: Option<String>,
    to: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    approver: String,
    #[serde(default)]
    due_date: String,
}

async fn transition(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<TransitionForm>,
) -> PageResult {
    v.must(Action::EditMedia)?;
    v.check_csrf(f.csrf.as_deref())?;
    let m = st.store.medium(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(m.fields.department_id)?;
    let t = Transition {
        to: f.to,
        reason: f.reason,
        approver: f.approver,
        due_date: f.due_date,
    };
    match st.store.transition_medium(&v.actor, id, &t).await {
        Ok(()) => Ok(Redirect::to(&format!("/media/{id}")).into_response()),
        Err(baomi_store::Error::Invalid(msg) | baomi_store::Error::Conflict(msg)) => {
            medium_view(&st, &v, &m, Some(&msg), StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}
