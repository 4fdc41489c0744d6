//! The register of people: the list (a department head sees their own department), registering a
//! person, and a person's record, changed in place by the office.

use crate::authz::{Action, department_scope};
use crate::i18n::Lang;
use crate::views::{page, parse_id};
use crate::{AppState, Fail, PageFail, Viewer};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use baomi_store::PersonInput;
use baomi_store::model::SECRECY_LEVELS;
use baomi_store::trainings::training_due;
use maud::html;
use serde::Deserialize;

type PageResult = Result<Response, PageFail>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/people", get(list).post(create))
        .route("/people/new", get(new_form))
        .route("/people/{id}", get(person_page).post(update))
}

/// The category's word (`none` is "not secret-related").
pub(crate) fn category(lang: Lang, level: &str) -> &'static str {
    match level {
        "core" => lang.t("core"),
        "important" => lang.t("important"),
        "general" => lang.t("general"),
        _ => lang.t("not_secret_related"),
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    due: Option<String>,
}

async fn list(State(st): State<AppState>, v: Viewer, Query(q): Query<ListQuery>) -> PageResult {
    v.must(Action::ViewPeople)?;
    let scope = department_scope(&v.user);
    let mut people = st.store.people(scope).await?;
    let trained = st.store.last_trained(scope).await?;
    // Secret-related people whose training is more than a year old, or who never had any.
    let due = |p: &baomi_store::Person| {
        p.fields.secrecy_level != "none" && training_due(trained.get(&p.id).map(String::as_str))
    };
    let only_due = q.due.is_some_and(|d| d == "1");
    if only_due {
        people.retain(|p| due(p));
    }
    let departments = st.store.departments().await?;
    let dept = |id: Option<i64>| {
        id.and_then(|id| departments.iter().find(|d| d.id == id))
            .map_or("", |d| d.name.as_str())
    };
    let t = |k| v.lang.t(k);
    Ok(page(
        v.lang,
        Some(&v),
        t("people"),
        html! {
            @if crate::authz::allowed(v.user.role, Action::EditPeople) {
                p { a href="/people/new" { (t("register_person")) } }
            }
            p {
                a href="/people.xlsx" { (t("export_xlsx")) } " · "
                a href="/people.csv" { (t("export_csv")) }
                @if crate::authz::allowed(v.user.role, crate::authz::Action::EditPeople) {
                    " · " a href="/people/import" { (t("import_register")) }
                }
            }
            p {
                a href="/trainings" { (t("trainings")) } " · "
                @if only_due { a href="/people" { (t("all")) } } @else { a href="/people?due=1" { (t("training_due_list")) } }
            }
            @if people.is_empty() { p { (t("no_rows")) } } @else {
                table #people {
                    tr { th { (t("name")) } th { (t("department")) } th { (t("position")) } th { (t("secrecy_level")) } th { (t("undertaking_signed")) } th { (t("last_trained")) } }
                    @for p in &people {
                        tr {
                            td { a href={"/people/" (p.id)} { (p.fields.name) } }
                            td { (dept(p.fields.department_id)) }
                            td { (p.fields.position) }
                            td { (category(v.lang, &p.fields.secrecy_level)) }
                            td {
                                @if p.fields.undertaking_signed.is_empty() {
                                    @if p.fields.secrecy_level != "none" { b { (t("not_signed")) } } @else { "—" }
                                } @else { (p.fields.undertaking_signed) }
                            }
                            td class=[due(p).then_some("overdue")] {
                                (trained.get(&p.id).map_or("—", String::as_str))
                                @if due(p) { " " b { (t("training_due")) } }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response())
}

async fn form_page(
    st: &AppState,
    v: &Viewer,
    id: Option<i64>,
    p: &PersonInput,
    message: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let departments = st.store.departments().await?;
    let changes = match id {
        Some(id) => Some(crate::views::history(st, v.lang, &format!("person:{id}")).await?),
        None => None,
    };
    let sessions = match id {
        Some(id) => st.store.trainings_of(id).await?,
        None => Vec::new(),
    };
    let t = |k| v.lang.t(k);
    let action = id.map_or_else(|| "/people".to_owned(), |id| format!("/people/{id}"));
    let editable = crate::authz::allowed(v.user.role, Action::EditPeople);
    Ok((
        status,
        page(
            v.lang,
            Some(v),
            if id.is_some() { &p.name } else { t("register_person") },
            html! {
                @if let Some(m) = message { p.msg.err { (m) } }
                form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
                    label { (t("name")) br; input name="name" value=(p.name) required; }
                    label { (t("department")) br; select name="department_id" {
                        option value="" { "—" }
                        @for d in &departments { option value=(d.id) selected[p.department_id == Some(d.id)] { (d.name) } }
                    } }
                    label { (t("position")) br; input name="position" value=(p.position); }
                    label { (t("secrecy_level")) br; select name="secrecy_level" {
                        @for l in SECRECY_LEVELS { option value=(l) selected[p.secrecy_level == l] { (category(v.lang, l)) } }
                    } }
                    label { (t("undertaking_signed")) br; input name="undertaking_signed" type="date" value=(p.undertaking_signed); }
                    label { (t("notes")) br; textarea name="notes" { (p.notes) } }
                    @if editable { button type="submit" { (t("save")) } }
                }
                @if id.is_some() {
                    h2 { (t("trainings")) }
                    @if sessions.is_empty() { p { (t("no_rows")) } } @else {
                        ul #sessions { @for (tid, day, title) in &sessions { li { (day) " " a href={"/trainings/" (tid)} { (title) } } } }
                    }
                }
                @if let Some(c) = &changes { (c) }
            },
        ),
    )
        .into_response())
}

async fn new_form(State(st): State<AppState>, v: Viewer) -> PageResult {
    v.must(Action::EditPeople)?;
    let blank = PersonInput {
        secrecy_level: "general".into(),
        ..Default::default()
    };
    form_page(&st, &v, None, &blank, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct PersonForm {
    csrf: Option<String>,
    name: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    position: String,
    secrecy_level: String,
    #[serde(default)]
    undertaking_signed: String,
    #[serde(default)]
    notes: String,
}

impl PersonForm {
    fn input(self) -> Result<PersonInput, Fail> {
        Ok(PersonInput {
            name: self.name,
            department_id: parse_id(Some(&self.department_id))?,
            position: self.position,
            secrecy_level: self.secrecy_level,
            undertaking_signed: self.undertaking_signed,
            notes: self.notes,
        })
    }
}

async fn create(State(st): State<AppState>, v: Viewer, Form(f): Form<PersonForm>) -> PageResult {
    v.must(Action::EditPeople)?;
    v.check_csrf(f.csrf.as_deref())?;
    let input = f.input()?;
    match st.store.create_person(&v.actor, input.clone()).await {
        Ok(_) => Ok(Redirect::to("/people").into_response()),
        Err(baomi_store::Error::Invalid(m)) => {
            form_page(&st, &v, None, &input, Some(&m), StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn person_page(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    v.must(Action::ViewPeople)?;
    let p = st.store.person(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(p.fields.department_id)?;
    form_page(&st, &v, Some(id), &p.fields, None, StatusCode::OK).await
}

async fn update(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<PersonForm>,
) -> PageResult {
    v.must(Action::EditPeople)?;
    v.check_csrf(f.csrf.as_deref())?;
    let input = f.input()?;
    match st.store.update_person(&v.actor, id, input.clone()).await {
        Ok(()) => Ok(Redirect::to("/people").into_response()),
        Err(baomi_store::Error::Invalid(m)) => {
            form_page(&st, &v, Some(id), &input, Some(&m), StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}
