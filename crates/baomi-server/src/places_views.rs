//! The register of key places: the list (a department head sees their own department), registering
//! a place, and a place's record, changed in place.

use crate::authz::{Action, department_scope};
use crate::views::{level_word, page, parse_id};
use crate::{AppState, Fail, PageFail, Viewer};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use baomi_store::PlaceInput;
use baomi_store::model::{PLACE_DEVICES, PLACE_KINDS, REGISTER_LEVELS};
use maud::html;

type PageResult = Result<Response, PageFail>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/places", get(list).post(create))
        .route("/places/new", get(new_form))
        .route("/places/{id}", get(place_page).post(update))
}

fn known(list: &[&'static str], v: &str) -> &'static str {
    list.iter().copied().find(|x| *x == v).unwrap_or("other")
}

async fn list(State(st): State<AppState>, v: Viewer) -> PageResult {
    v.must(Action::ViewPlaces)?;
    let places = st.store.places(department_scope(&v.user)).await?;
    let t = |k| v.lang.t(k);
    Ok(page(
        v.lang,
        Some(&v),
        t("places"),
        html! {
            @if crate::authz::allowed(v.user.role, Action::EditPlaces) {
                p { a href="/places/new" { (t("register_place")) } }
            }
            p {
                a href="/places.xlsx" { (t("export_xlsx")) } " · "
                a href="/places.csv" { (t("export_csv")) }
                @if crate::authz::allowed(v.user.role, crate::authz::Action::EditPlaces) {
                    " · " a href="/places/import" { (t("import_register")) }
                }
            }
            @if places.is_empty() { p { (t("no_rows")) } } @else {
                table {
                    tr { th { (t("name")) } th { (t("kind")) } th { (t("level")) } th { (t("location")) } th { (t("custodian")) } th { (t("devices")) } }
                    @for p in &places {
                        tr {
                            td { a href={"/places/" (p.id)} { (p.fields.name) } }
                            td { (t(known(&PLACE_KINDS, &p.fields.kind))) }
                            td { (level_word(v.lang, &p.fields.level)) }
                            td { (p.fields.location) }
                            td { (p.fields.custodian) }
                            td {
                                @for d in p.fields.devices.split(',').filter(|d| !d.is_empty()) {
                                    (t(known(&PLACE_DEVICES, d))) " "
                                }
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
    p: &PlaceInput,
    message: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let departments = st.store.departments().await?;
    let changes = match id {
        Some(id) => Some(crate::views::history(st, v.lang, &format!("place:{id}")).await?),
        None => None,
    };
    // Its inspections: what campaigns recorded on site.
    let inspections = match id {
        Some(id) => st.store.results_for(&format!("place:{id}")).await?,
        None => Vec::new(),
    };
    let t = |k| v.lang.t(k);
    let action = id.map_or_else(|| "/places".to_owned(), |id| format!("/places/{id}"));
    let has: Vec<&str> = p.devices.split(',').collect();
    Ok((
        status,
        page(
            v.lang,
            Some(v),
            if id.is_some() { &p.name } else { t("register_place") },
            html! {
                @if let Some(m) = message { p.msg.err { (m) } }
                form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
                    label { (t("name")) br; input name="name" value=(p.name) required; }
                    label { (t("kind")) br; select name="kind" { @for k in PLACE_KINDS { option value=(k) selected[p.kind == k] { (t(k)) } } } }
                    label { (t("department")) br; select name="department_id" {
                        option value="" { "—" }
                        @for d in &departments { option value=(d.id) selected[p.department_id == Some(d.id)] { (d.name) } }
                    } }
                    label { (t("location")) br; input name="location" value=(p.location); }
                    label { (t("level")) br; select name="level" { @for l in REGISTER_LEVELS { option value=(l) selected[p.level == l] { (level_word(v.lang, l)) } } } }
                    label { (t("custodian")) br; input name="custodian" value=(p.custodian); }
                    fieldset { legend { (t("devices")) }
                        @for d in PLACE_DEVICES {
                            label { input type="checkbox" name="devices" value=(d) checked[has.contains(&d)]; " " (t(d)) }
                        }
                    }
                    label { (t("notes")) br; textarea name="notes" { (p.notes) } }
                    @if crate::authz::allowed(v.user.role, Action::EditPlaces) { button type="submit" { (t("save")) } }
                }
                @if id.is_some() {
                    h2 { (t("place_inspections")) }
                    @if inspections.is_empty() { p { (t("no_rows")) } } @else {
                        table #inspections {
                            tr { th { (t("campaigns")) } th { (t("checklist")) } th { (t("result")) } th { (t("note")) } th { (t("actor")) } }
                            @for (cid, name, item, result, note, actor, at) in &inspections {
                                tr class=[(result == "fail").then_some("overdue")] {
                                    td { a href={"/campaigns/" (cid)} { (name) } }
                                    td { (crate::campaign_views::item_word(v.lang, item)) }
                                    td { (crate::campaign_views::verdict_word(v.lang, result)) }
                                    td { (note) }
                                    td { (actor) " · " (crate::correlation_views::when(Some(*at))) }
                                }
                            }
                        }
                    }
                }
                @if let Some(c) = &changes { (c) }
            },
        ),
    )
        .into_response())
}

async fn new_form(State(st): State<AppState>, v: Viewer) -> PageResult {
    v.must(Action::EditPlaces)?;
    let blank = PlaceInput {
        kind: "confidential_room".into(),
        level: "secret".into(),
        ..Default::default()
    };
    form_page(&st, &v, None, &blank, None, StatusCode::OK).await
}

/// The form's fields; `devices` comes once per ticked box, so the body is read as pairs.
fn place_form(body: &[u8]) -> Result<(Option<String>, PlaceInput), Fail> {
    let mut csrf = None;
    let mut p = PlaceInput::default();
    let mut devices = Vec::new();
    let mut department = String::new();
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "csrf" => csrf = Some(v),
            "name" => p.name = v,
            "kind" => p.kind = v,
            "department_id" => department = v,
            "location" => p.location = v,
            "level" => p.level = v,
            "custodian" => p.custodian = v,
            "devices" => devices.push(v),
            "notes" => p.notes = v,
            _ => {}
        }
    }
    p.department_id = parse_id(Some(&department))?;
    p.devices = devices.join(",");
    Ok((csrf, p))
}

async fn create(State(st): State<AppState>, v: Viewer, body: axum::body::Bytes) -> PageResult {
    v.must(Action::EditPlaces)?;
    let (csrf, input) = place_form(&body)?;
    v.check_csrf(csrf.as_deref())?;
    match st.store.create_place(&v.actor, input.clone()).await {
        Ok(_) => Ok(Redirect::to("/places").into_response()),
        Err(baomi_store::Error::Invalid(m)) => {
            form_page(&st, &v, None, &input, Some(&m), StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn place_page(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    v.must(Action::ViewPlaces)?;
    let p = st.store.place(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(p.fields.department_id)?;
    form_page(&st, &v, Some(id), &p.fields, None, StatusCode::OK).await
}

async fn update(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> PageResult {
    v.must(Action::EditPlaces)?;
    let (csrf, input) = place_form(&body)?;
    v.check_csrf(csrf.as_deref())?;
    let old = st.store.place(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(old.fields.department_id)?;
    match st.store.update_place(&v.actor, id, input.clone()).await {
        Ok(()) => Ok(Redirect::to("/places").into_response()),
        Err(baomi_store::Error::Invalid(m)) => {
            form_page(&st, &v, Some(id), &input, Some(&m), StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}
