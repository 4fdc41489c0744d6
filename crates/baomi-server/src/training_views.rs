//! Confidentiality training in the browser: the sessions, recording one, and ticking who attended
//! (people grouped by department). The register of people shows each person's latest session and
//! flags whoever is due (no session in the last 12 months).

use crate::authz::{Action, department_scope};
use crate::views::page;
use crate::{AppState, Fail, PageFail, Viewer};
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baomi_store::trainings::TrainingInput;
use maud::html;

type PageResult = Result<Response, PageFail>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/trainings", get(list).post(create))
        .route("/trainings/{id}", get(training_page))
        .route("/trainings/{id}/attendance", post(attendance))
}

async fn list(State(st): State<AppState>, v: Viewer) -> PageResult {
    v.must(Action::ViewPeople)?;
    let sessions = st.store.trainings().await?;
    let t = |k| v.lang.t(k);
    Ok(page(
        v.lang,
        Some(&v),
        t("trainings"),
        html! {
            p { a href="/people?due=1" { (t("training_due_list")) } }
            @if sessions.is_empty() { p { (t("no_rows")) } } @else {
                table {
                    tr { th { (t("held_on")) } th { (t("training_title")) } th { (t("hours")) } th { (t("trainer")) } th { (t("attendees")) } }
                    @for s in &sessions {
                        tr {
                            td { (s.fields.held_on) }
                            td { a href={"/trainings/" (s.id)} { (s.fields.title) } }
                            td { (s.fields.hours) }
                            td { (s.fields.trainer) }
                            td { (s.attendees) }
                        }
                    }
                }
            }
            @if crate::authz::allowed(v.user.role, Action::EditPeople) {
                h2 { (t("new_training")) }
                form method="post" action="/trainings" {
                    input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
                    label { (t("training_title")) " " input name="title" required; }
                    label { (t("held_on")) " " input name="held_on" type="date" required; }
                    label { (t("hours")) " " input name="hours" type="number" step="0.5" min="0"; }
                    label { (t("trainer")) " " input name="trainer"; }
                    label { (t("notes")) " " textarea name="notes" rows="2" {} }
                    button type="submit" { (t("save")) }
                }
            }
        },
    )
    .into_response())
}

#[derive(serde::Deserialize)]
struct TrainingForm {
    csrf: Option<String>,
    title: String,
    held_on: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    trainer: String,
    #[serde(default)]
    notes: String,
}

async fn create(State(st): State<AppState>, v: Viewer, Form(f): Form<TrainingForm>) -> PageResult {
    v.must(Action::EditPeople)?;
    v.check_csrf(f.csrf.as_deref())?;
    let id = st
        .store
        .create_training(
            &v.actor,
            TrainingInput {
                title: f.title,
                held_on: f.held_on,
                hours: f.hours,
                trainer: f.trainer,
                notes: f.notes,
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/trainings/{id}")).into_response())
}

async fn training_page(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    v.must(Action::ViewPeople)?;
    let (session, attended) = st.store.training(id).await?.ok_or(Fail::NotFound)?;
    // A department head sees (and could only ever tick) their own department's people.
    let people = st.store.people(department_scope(&v.user)).await?;
    let departments = st.store.departments().await?;
    let editable = crate::authz::allowed(v.user.role, Action::EditPeople);
    let t = |k| v.lang.t(k);
    let mut groups: Vec<(String, Vec<&baomi_store::Person>)> = Vec::new();
    for p in &people {
        let name = p
            .fields
            .department_id
            .and_then(|d| departments.iter().find(|x| x.id == d))
            .map_or_else(|| "—".to_owned(), |d| d.name.clone());
        match groups.iter_mut().find(|(n, _)| *n == name) {
            Some((_, g)) => g.push(p),
            None => groups.push((name, vec![p])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(page(
        v.lang,
        Some(&v),
        &session.fields.title,
        html! {
            p { (session.fields.held_on) " · " (session.fields.hours) " h · " (session.fields.trainer) }
            @if !session.fields.notes.is_empty() { p { (session.fields.notes) } }
            p #attendees { (t("attendees")) ": " (attended.len()) }
            form method="post" action={"/trainings/" (id) "/attendance"} {
                input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
                @for (dept, members) in &groups {
                    fieldset {
                        legend { (dept) }
                        @for p in members {
                            label {
                                input type="checkbox" name="person" value=(p.id) checked[attended.contains(&p.id)] disabled[!editable];
                                " " (p.fields.name)
                            }
                        }
                    }
                }
                @if editable { button type="submit" { (t("save")) } }
            }
        },
    )
    .into_response())
}

async fn attendance(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    v.must(Action::EditPeople)?;
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    v.check_csrf(csrf)?;
    let people = pairs
        .iter()
        .filter(|(k, _)| k == "person")
        .map(|(_, p)| {
            p.parse::<i64>()
                .map_err(|_| Fail::Bad(format!("{p:?} is not a person")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    st.store.set_attendance(&v.actor, id, &people).await?;
    Ok(Redirect::to(&format!("/trainings/{id}")).into_response())
}
