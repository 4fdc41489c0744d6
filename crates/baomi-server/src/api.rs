//! The JSON API (`/api/v1`): the same rules as the pages, for `baomi push` and the office's own
//! tools. Signed in by `Authorization: Bearer TOKEN`; a browser session may use it too, and then a
//! write must carry the session's CSRF token in `X-CSRF-Token`. `openapi.json` describes it, and a
//! test holds the running server to that description.

use crate::authz::{Action, department_scope};
use crate::views::{FindingQuery, import};
use crate::{ApiFail, AppState, Fail, MAX_REPORT_BYTES, Viewer};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use baomi_store::{Computer, ComputerFilter, ComputerInput, FindingRow, Imported};
use serde::Deserialize;
use serde_json::{Value, json};

type ApiResult = Result<Response, ApiFail>;

/// The API's description (OpenAPI 3.1), served as written.
pub(crate) const OPENAPI: &str = include_str!("openapi.json");

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route(
            "/api/v1/reports",
            post(push_report).layer(DefaultBodyLimit::max(MAX_REPORT_BYTES)),
        )
        .route("/api/v1/computers", get(computers).post(create_computer))
        .route("/api/v1/computers/{id}", get(computer))
        .route("/api/v1/findings", get(findings))
        .route(
            "/api/v1/departments",
            get(departments).post(create_department),
        )
        .route("/api/v1/media", get(media).post(create_medium))
        .route("/api/v1/media/{id}", get(medium))
        .route("/api/v1/media/{id}/transitions", post(transition_medium))
        .route("/api/v1/people", get(people).post(create_person))
        .route("/api/v1/people/{id}", get(person))
        .route("/api/v1/places", get(places).post(create_place))
        .route("/api/v1/places/{id}", get(place))
}

fn place_json(p: &baomi_store::Place) -> Value {
    let f = &p.fields;
    json!({
        "id": p.id, "name": f.name, "kind": f.kind, "department_id": f.department_id,
        "location": f.location, "level": f.level, "custodian": f.custodian,
        "devices": f.devices.split(',').filter(|d| !d.is_empty()).collect::<Vec<_>>(),
        "notes": f.notes,
    })
}

async fn places(State(st): State<AppState>, v: Viewer) -> ApiResult {
    v.must(Action::ViewPlaces)?;
    let list = st.store.places(department_scope(&v.user)).await?;
    Ok(Json(json!({ "places": list.iter().map(place_json).collect::<Vec<_>>() })).into_response())
}

async fn place(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> ApiResult {
    v.must(Action::ViewPlaces)?;
    let p = st.store.place(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(p.fields.department_id)?;
    Ok(Json(place_json(&p)).into_response())
}

#[derive(Deserialize)]
struct PlaceBody {
    name: String,
    kind: String,
    department_id: Option<i64>,
    #[serde(default)]
    location: String,
    level: String,
    #[serde(default)]
    custodian: String,
    #[serde(default)]
    devices: Vec<String>,
    #[serde(default)]
    notes: String,
}

async fn create_place(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    v.must(Action::EditPlaces)?;
    csrf_header(&v, &headers)?;
    let b: PlaceBody =
        serde_json::from_slice(&body).map_err(|e| Fail::Bad(format!("bad place: {e}")))?;
    let id = st
        .store
        .create_place(
            &v.actor,
            baomi_store::PlaceInput {
                name: b.name,
                kind: b.kind,
                department_id: b.department_id,
                location: b.location,
                level: b.level,
                custodian: b.custodian,
                devices: b.devices.join(","),
                notes: b.notes,
            },
        )
        .await?;
    let p = st.store.place(id).await?.ok_or(Fail::NotFound)?;
    Ok((StatusCode::CREATED, Json(place_json(&p))).into_response())
}

fn person_json(p: &baomi_store::Person) -> Value {
    let f = &p.fields;
    json!({
        "id": p.id, "name": f.name, "department_id": f.department_id, "position": f.position,
        "secrecy_level": f.secrecy_level,
        "undertaking_signed": if f.undertaking_signed.is_empty() { Value::Null } else { Value::from(f.undertaking_signed.as_str()) },
        "notes": f.notes,
    })
}

async fn people(State(st): State<AppState>, v: Viewer) -> ApiResult {
    v.must(Action::ViewPeople)?;
    let list = st.store.people(department_scope(&v.user)).await?;
    Ok(Json(json!({ "people": list.iter().map(person_json).collect::<Vec<_>>() })).into_response())
}

async fn person(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> ApiResult {
    v.must(Action::ViewPeople)?;
    let p = st.store.person(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(p.fields.department_id)?;
    Ok(Json(person_json(&p)).into_response())
}

#[derive(Deserialize)]
struct PersonBody {
    name: String,
    department_id: Option<i64>,
    #[serde(default)]
    position: String,
    secrecy_level: String,
    #[serde(default)]
    undertaking_signed: Option<String>,
    #[serde(default)]
    notes: String,
}

async fn create_person(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    v.must(Action::EditPeople)?;
    csrf_header(&v, &headers)?;
    let b: PersonBody =
        serde_json::from_slice(&body).map_err(|e| Fail::Bad(format!("bad person: {e}")))?;
    let id = st
        .store
        .create_person(
            &v.actor,
            baomi_store::PersonInput {
                name: b.name,
                department_id: b.department_id,
                position: b.position,
                secrecy_level: b.secrecy_level,
                undertaking_signed: b.undertaking_signed.unwrap_or_default(),
                notes: b.notes,
            },
        )
        .await?;
    let p = st.store.person(id).await?.ok_or(Fail::NotFound)?;
    Ok((StatusCode::CREATED, Json(person_json(&p))).into_response())
}

fn medium_json(m: &baomi_store::Medium) -> Value {
    let f = &m.fields;
    json!({
        "id": m.id, "number": f.number, "kind": f.kind, "brand_model": f.brand_model,
        "vid": f.vid, "pid": f.pid, "serial": f.serial, "level": f.level,
        "department_id": f.department_id, "custodian": f.custodian, "notes": f.notes,
        "state": m.state.as_str(),
    })
}

async fn media(State(st): State<AppState>, v: Viewer) -> ApiResult {
    v.must(Action::ViewMedia)?;
    let list = st
        .store
        .media(&baomi_store::MediaFilter {
            department_id: department_scope(&v.user),
            limit: Some(5000),
            ..Default::default()
        })
        .await?;
    Ok(Json(json!({ "media": list.iter().map(medium_json).collect::<Vec<_>>() })).into_response())
}

#[derive(Deserialize)]
struct MediumBody {
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
    department_id: Option<i64>,
    #[serde(default)]
    custodian: String,
    #[serde(default)]
    notes: String,
}

async fn create_medium(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    v.must(Action::EditMedia)?;
    csrf_header(&v, &headers)?;
    let b: MediumBody =
        serde_json::from_slice(&body).map_err(|e| Fail::Bad(format!("bad medium: {e}")))?;
    let id = st
        .store
        .create_medium(
            &v.actor,
            baomi_store::MediumInput {
                number: b.number,
                kind: b.kind,
                brand_model: b.brand_model,
                vid: b.vid,
                pid: b.pid,
                serial: b.serial,
                level: b.level,
                department_id: b.department_id,
                custodian: b.custodian,
                notes: b.notes,
            },
        )
        .await?;
    let m = st.store.medium(id).await?.ok_or(Fail::NotFound)?;
    Ok((StatusCode::CREATED, Json(medium_json(&m))).into_response())
}

async fn medium(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> ApiResult {
    v.must(Action::ViewMedia)?;
    let m = st.store.medium(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(m.fields.department_id)?;
    let events = st.store.medium_events(id).await?;
    let mut out = medium_json(&m);
    out["events"] = events
        .iter()
        .map(|e| {
            json!({"at": e.at, "actor": e.actor, "from": e.from, "to": e.to, "reason": e.reason,
                   "approver": e.approver, "due_date": e.due_date})
        })
        .collect();
    Ok(Json(out).into_response())
}

#[derive(Deserialize)]
struct TransitionBody {
    to: String,
    reason: String,
    #[serde(default)]
    approver: String,
    #[serde(default)]
    due_date: String,
}

async fn transition_medium(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    v.must(Action::EditMedia)?;
    csrf_header(&v, &headers)?;
    let m = st.store.medium(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(m.fields.department_id)?;
    let b: TransitionBody =
        serde_json::from_slice(&body).map_err(|e| Fail::Bad(format!("bad transition: {e}")))?;
    st.store
        .transition_medium(
            &v.actor,
            id,
            &baomi_store::Transition {
                to: b.to,
                reason: b.reason,
                approver: b.approver,
                due_date: b.due_date,
            },
        )
        .await?;
    let m = st.store.medium(id).await?.ok_or(Fail::NotFound)?;
    Ok(Json(medium_json(&m)).into_response())
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

fn csrf_header(v: &Viewer, headers: &HeaderMap) -> Result<(), Fail> {
    v.check_csrf(headers.get("x-csrf-token").and_then(|h| h.to_str().ok()))
}

async fn push_report(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    v.must(Action::ImportReports)?;
    csrf_header(&v, &headers)?;
    Ok(match import(&st, &v, &body).await? {
        Imported::New {
            report_row,
            computer_id,
            findings,
        } => (
            StatusCode::CREATED,
            Json(json!({
                "status": if computer_id.is_some() { "imported" } else { "unmatched" },
                "report_row": report_row, "computer_id": computer_id, "findings": findings,
            })),
        )
            .into_response(),
        Imported::Duplicate { report_row } => (
            StatusCode::OK,
            Json(json!({ "status": "duplicate", "report_row": report_row })),
        )
            .into_response(),
    })
}

fn computer_json(c: &Computer) -> Value {
    let f = &c.fields;
    json!({
        "id": c.id, "asset_no": f.asset_no, "name": f.name, "model": f.model,
        "department_id": f.department_id, "department": c.department_name, "custodian": f.custodian,
        "location": f.location, "zone": f.zone, "level": f.level, "status": f.status,
        "macs": if f.macs.is_empty() { Vec::new() } else { f.macs.split(',').collect::<Vec<_>>() },
        "machine_id": f.machine_id, "notes": f.notes,
    })
}

#[derive(Deserialize)]
struct ComputerQuery {
    q: Option<String>,
    zone: Option<String>,
    department: Option<i64>,
}

async fn computers(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<ComputerQuery>,
) -> ApiResult {
    v.must(Action::ViewComputers)?;
    let list = st
        .store
        .computers(&ComputerFilter {
            department_id: department_scope(&v.user).or(q.department),
            zone: q.zone,
            text: q.q,
            limit: Some(1000),
        })
        .await?;
    Ok(
        Json(json!({ "computers": list.iter().map(computer_json).collect::<Vec<_>>() }))
            .into_response(),
    )
}

#[derive(Deserialize)]
struct ComputerBody {
    asset_no: String,
    name: String,
    #[serde(default)]
    model: String,
    department_id: Option<i64>,
    #[serde(default)]
    custodian: String,
    #[serde(default)]
    location: String,
    zone: String,
    level: String,
    #[serde(default = "in_use")]
    status: String,
    #[serde(default)]
    macs: Vec<String>,
    #[serde(default)]
    machine_id: String,
    #[serde(default)]
    notes: String,
}

fn in_use() -> String {
    "in_use".into()
}

async fn create_computer(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    v.must(Action::EditComputers)?;
    csrf_header(&v, &headers)?;
    let b: ComputerBody =
        serde_json::from_slice(&body).map_err(|e| Fail::Bad(format!("bad computer: {e}")))?;
    let id = st
        .store
        .create_computer(
            &v.actor,
            ComputerInput {
                asset_no: b.asset_no,
                name: b.name,
                model: b.model,
                department_id: b.department_id,
                custodian: b.custodian,
                location: b.location,
                zone: b.zone,
                level: b.level,
                status: b.status,
                macs: b.macs.join(","),
                machine_id: b.machine_id,
                notes: b.notes,
            },
        )
        .await?;
    let c = st.store.computer(id).await?.ok_or(Fail::NotFound)?;
    Ok((StatusCode::CREATED, Json(computer_json(&c))).into_response())
}

async fn computer(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> ApiResult {
    v.must(Action::ViewComputers)?;
    let c = st.store.computer(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(c.fields.department_id)?;
    Ok(Json(computer_json(&c)).into_response())
}

fn finding_json(f: &FindingRow) -> Value {
    json!({
        "id": f.id, "report_row": f.report_row, "computer_id": f.computer_id,
        "finding_id": f.finding_id, "rule": f.rule, "severity": f.severity,
        "level": if f.level.is_empty() { Value::Null } else { Value::from(f.level.as_str()) },
        "path": f.path, "title": f.title, "status": f.status, "seen_at": f.seen_at,
        "evidence": serde_json::from_str::<Value>(&f.evidence).unwrap_or(Value::Null),
    })
}

async fn findings(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<FindingQuery>,
) -> ApiResult {
    v.must(Action::ViewFindings)?;
    let filter = q.filter(&v)?;
    let limit = filter.limit.unwrap_or(50).clamp(1, 500);
    let rows = st.store.findings(&filter).await?;
    let next = if rows.len() as i64 == limit {
        rows.last().map(|f| f.id)
    } else {
        None
    };
    Ok(Json(json!({
        "findings": rows.iter().map(finding_json).collect::<Vec<_>>(),
        "next_before": next,
    }))
    .into_response())
}

async fn departments(State(st): State<AppState>, v: Viewer) -> ApiResult {
    v.must(Action::ViewDepartments)?;
    let list = st.store.departments().await?;
    Ok(Json(json!({
        "departments": list.iter().map(|d| json!({"id": d.id, "name": d.name, "parent_id": d.parent_id})).collect::<Vec<_>>(),
    }))
    .into_response())
}

#[derive(Deserialize)]
struct DepartmentBody {
    name: String,
    parent_id: Option<i64>,
}

async fn create_department(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    v.must(Action::EditDepartments)?;
    csrf_header(&v, &headers)?;
    let b: DepartmentBody =
        serde_json::from_slice(&body).map_err(|e| Fail::Bad(format!("bad department: {e}")))?;
    let id = st
        .store
        .create_department(&v.actor, &b.name, b.parent_id)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "name": b.name.trim(), "parent_id": b.parent_id})),
    )
        .into_response())
}
