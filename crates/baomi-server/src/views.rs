//! The pages people use: plain HTML forms and links (no script needed), Chinese by default with an
//! English switch. `maud` escapes everything interpolated, so report text (file names, excerpts
//! written by whoever made the document) cannot inject markup.

use crate::authz::{Action, department_scope};
use crate::i18n::Lang;
use crate::{
    AppState, Fail, MAX_LOGIN_FAILURES, MAX_REPORT_BYTES, PageFail, SESSION_COOKIE,
    SESSION_SECONDS, THROTTLE_WINDOW_SECONDS, Viewer, cookie, hash_password, new_token, token_hash,
    verify_password,
};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use baomi_core::report::Report;
use baomi_store::model::{REGISTER_LEVELS, REGISTER_ZONES};
use baomi_store::{ComputerFilter, ComputerInput, ComputerStatus, FindingFilter, Imported, now};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;

type PageResult = Result<Response, PageFail>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
        .route("/computers", get(computers).post(create_computer))
        .route("/computers/new", get(new_computer))
        .route("/computers/{id}", get(computer_page).post(update_computer))
        .route("/computers/{id}/edit", get(edit_computer))
        .route("/findings", get(findings))
        .route("/findings/{id}", get(finding_page))
        .route(
            "/reports/import",
            get(import_form)
                .post(import_upload)
                .layer(DefaultBodyLimit::max(MAX_REPORT_BYTES)),
        )
        .route("/reports/unmatched", get(unmatched))
        .route("/reports/{row}/assign", post(assign))
        .route("/departments", get(departments).post(create_department))
        .route("/audit", get(audit))
}

const CSS: &str = "body{font-family:'Noto Sans CJK SC','WenQuanYi Zen Hei','Microsoft YaHei',sans-serif;margin:0;color:#222}\
nav{background:#8b1a1a;padding:.5em 1em}nav a{color:#fff;margin-right:1.2em;text-decoration:none}\
nav form{display:inline}nav button{background:none;border:1px solid #fff;color:#fff;cursor:pointer}\
main{padding:1em 1.5em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}.msg{padding:.6em;background:#fff6d6;border:1px solid #e0c060}.err{background:#fde2e2;border-color:#d08080}\
.sev-critical,.sev-high{color:#a00;font-weight:bold}label{display:block;margin:.4em 0}input,select,textarea{min-width:18em}\
.overdue{background:#fde2e2}.cards span{display:inline-block;border:1px solid #ccc;padding:.8em 1.2em;margin:.3em;font-size:1.2em}code{background:#f5f5f5}";

pub(crate) fn page(lang: Lang, viewer: Option<&Viewer>, title: &str, body: Markup) -> Html<String> {
    let t = |k| lang.t(k);
    Html(
        html! {
            (DOCTYPE)
            html lang=(lang.code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " — " (t("app")) }
                    style { (PreEscaped(CSS)) }
                }
                body {
                    nav {
                        @if let Some(v) = viewer {
                            a href="/" { (t("dashboard")) }
                            a href="/computers" { (t("computers")) }
                            a href="/findings" { (t("findings")) }
                            a href="/correlations" { (t("correlations")) }
                            a href="/coverage" { (t("coverage")) }
                            a href="/rectifications" { (t("rectifications")) }
                            a href="/labels" { (t("labels")) }
                            @if crate::authz::allowed(v.user.role, Action::ViewCampaigns) {
                                a href="/campaigns" { (t("campaigns")) }
                            }
                            @if crate::authz::allowed(v.user.role, Action::ViewScorecards) {
                                a href="/scorecards" { (t("scorecards")) }
                            }
                            @if crate::authz::allowed(v.user.role, Action::ImportReports) {
                                a href="/reports/import" { (t("import")) }
                            }
                            @if crate::authz::allowed(v.user.role, Action::AssignReports) {
                                a href="/reports/unmatched" { (t("unmatched")) }
                            }
                            @if crate::authz::allowed(v.user.role, Action::ViewMedia) {
                                a href="/media" { (t("media")) }
                            }
                            @if crate::authz::allowed(v.user.role, Action::ViewPeople) {
                                a href="/people" { (t("people")) }
                            }
                            @if crate::authz::allowed(v.user.role, Action::ViewPlaces) {
                                a href="/places" { (t("places")) }
                            }
                            a href="/departments" { (t("departments")) }
                            @if crate::authz::allowed(v.user.role, Action::ViewAudit) {
                                a href="/audit" { (t("audit")) }
                            }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
                                button type="submit" { (t("logout")) " (" (v.user.username) ")" }
                            }
                            " "
                        }
                        a href="/lang/zh" { "中文" } a href="/lang/en" { "English" }
                    }
                    main { h1 { (title) } (body) }
                }
            }
        }
        .into_string(),
    )
}

pub(crate) fn error_page(status: StatusCode, msg: &str) -> Html<String> {
    page(
        Lang::Zh,
        None,
        &status.to_string(),
        html! { p.msg.err { (msg) } p { a href="/" { "返回首页 / Home" } } },
    )
}

fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::from_cookie(cookie(headers, "lang"))
}

async fn set_lang(Path(code): Path<String>, headers: HeaderMap) -> Response {
    let value = if code == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .filter(|r| r.starts_with('/'))
        .unwrap_or("/")
        .to_owned();
    (
        [(
            header::SET_COOKIE,
            format!("lang={value}; Path=/; SameSite=Lax; Max-Age=31536000"),
        )],
        Redirect::to(&back),
    )
        .into_response()
}

// ---- sign-in ----

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

fn login_page(lang: Lang, message: Option<&str>) -> Html<String> {
    let t = |k| lang.t(k);
    page(
        lang,
        None,
        t("login"),
        html! {
            @if let Some(m) = message { p.msg.err { (m) } }
            form method="post" action="/login" {
                label { (t("username")) br; input name="username" autocomplete="username" required; }
                label { (t("password")) br; input name="password" type="password" autocomplete="current-password" required; }
                button type="submit" { (t("login")) }
            }
        },
    )
}

async fn login_form(headers: HeaderMap) -> Html<String> {
    login_page(lang_of(&headers), None)
}

async fn login(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let lang = lang_of(&headers);
    let username = f.username.trim().to_owned();
    let failures = st
        .store
        .login_failures_since(&username, now() - THROTTLE_WINDOW_SECONDS)
        .await?;
    if failures >= MAX_LOGIN_FAILURES {
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            login_page(lang, Some(lang.t("throttled"))),
        )
            .into_response());
    }
    let found = st.store.user_for_login(&username).await?;
    let password = f.password;
    // argon2 takes tens of milliseconds of CPU: off the async threads. An unknown user is checked
    // against a dummy hash so the answer takes as long as for a known one.
    let (user, ok) = match found {
        Some((user, hash)) => {
            let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
                .await
                .unwrap_or(false);
            (Some(user), ok)
        }
        None => {
            let _ = tokio::task::spawn_blocking(move || hash_password(&password)).await;
            (None, false)
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        st.store.login_failed(&username).await?;
        return Ok((
            StatusCode::UNAUTHORIZED,
            login_page(lang, Some(lang.t("bad_login"))),
        )
            .into_response());
    };
    st.store.login_succeeded(&username).await?;
    let token = new_token().map_err(Fail::Internal)?;
    let csrf = new_token().map_err(Fail::Internal)?;
    st.store
        .create_session(&token_hash(&token), user.id, &csrf, SESSION_SECONDS)
        .await?;
    let secure = if st.secure_cookies { "; Secure" } else { "" };
    Ok((
        [(
            header::SET_COOKIE,
            format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}{secure}"
            ),
        )],
        Redirect::to("/"),
    )
        .into_response())
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn logout(
    State(st): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    v.check_csrf(f.csrf.as_deref())?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        st.store.delete_session(&token_hash(token)).await?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
        )],
        Redirect::to("/login"),
    )
        .into_response())
}

// ---- dashboard ----

async fn dashboard(State(st): State<AppState>, v: Viewer) -> PageResult {
    v.must(Action::ViewDashboard)?;
    let scope = department_scope(&v.user);
    let [computers, reports, findings, unmatched] = st.store.counts(scope).await?;
    let charts = crate::scorecard_views::dashboard_charts(&st, &v, scope).await?;
    let (tasks, overdue) = st.store.rectification_counts(scope).await?;
    let pending: i64 = tasks
        .iter()
        .filter(|(s, _)| matches!(s.as_str(), "open" | "in_progress"))
        .map(|(_, n)| n)
        .sum();
    let t = |k| v.lang.t(k);
    Ok(page(
        v.lang,
        Some(&v),
        t("dashboard"),
        html! {
            p.cards {
                span { (t("computers")) ": " b { (computers) } }
                span { (t("reports")) ": " b { (reports) } }
                span { (t("findings")) ": " b { (findings) } }
                @if unmatched > 0 { span { a href="/reports/unmatched" { (t("unmatched")) } ": " b { (unmatched) } } }
                span { a href="/rectifications" { (t("rectifications")) } ": " b { (pending) } }
                @if overdue > 0 { span.overdue #overdue-count { a href="/rectifications?overdue=1" { (t("overdue")) } ": " b { (overdue) } } }
            }
            (charts)
        },
    )
    .into_response())
}

// ---- computers ----

#[derive(Deserialize, Default)]
struct ComputerQuery {
    q: Option<String>,
    zone: Option<String>,
    department: Option<String>,
}

pub(crate) fn level_word(lang: Lang, level: &str) -> &'static str {
    match level {
        "internal" => lang.t("level_internal"),
        "top_secret" => lang.t("top_secret"),
        "secret" => lang.t("secret"),
        "confidential" => lang.t("confidential"),
        "none" => lang.t("none"),
        _ => "",
    }
}

pub(crate) fn zone_word(lang: Lang, zone: &str) -> &'static str {
    match zone {
        "classified" => lang.t("classified"),
        "internal" => lang.t("internal"),
        "internet" => lang.t("internet"),
        _ => "",
    }
}

pub(crate) fn parse_id(s: Option<&str>) -> Result<Option<i64>, Fail> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| Fail::Bad(format!("{s:?} is not a number"))),
    }
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

async fn computers(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<ComputerQuery>,
) -> PageResult {
    v.must(Action::ViewComputers)?;
    let filter = ComputerFilter {
        department_id: department_scope(&v.user).or(parse_id(q.department.as_deref())?),
        zone: nonempty(&q.zone),
        text: nonempty(&q.q),
        limit: Some(500),
    };
    let list = st.store.computers(&filter).await?;
    let t = |k| v.lang.t(k);
    Ok(page(
        v.lang,
        Some(&v),
        t("computers"),
        html! {
            form method="get" action="/computers" {
                input name="q" value=(q.q.as_deref().unwrap_or("")) placeholder=(t("search"));
                select name="zone" {
                    option value="" { (t("all")) }
                    @for z in REGISTER_ZONES { option value=(z) selected[q.zone.as_deref() == Some(z)] { (zone_word(v.lang, z)) } }
                }
                button type="submit" { (t("search")) }
            }
            @if crate::authz::allowed(v.user.role, Action::EditComputers) {
                p { a href="/computers/new" { (t("register_computer")) } }
            }
            p {
                a href="/computers.xlsx" { (t("export_xlsx")) } " · "
                a href="/computers.csv" { (t("export_csv")) }
                @if crate::authz::allowed(v.user.role, crate::authz::Action::EditComputers) {
                    " · " a href="/computers/import" { (t("import_register")) }
                }
            }
            @if list.is_empty() { p { (t("no_rows")) } } @else {
                table {
                    tr { th { (t("asset_no")) } th { (t("name")) } th { (t("department")) } th { (t("custodian")) }
                         th { (t("zone")) } th { (t("level")) } th { (t("status")) } }
                    @for c in &list {
                        tr {
                            td { a href={"/computers/" (c.id)} { (c.fields.asset_no) } }
                            td { (c.fields.name) }
                            td { (c.department_name.as_deref().unwrap_or("")) }
                            td { (c.fields.custodian) }
                            td { (zone_word(v.lang, &c.fields.zone)) }
                            td { (level_word(v.lang, &c.fields.level)) }
                            td { (v.lang.t(status_key(&c.fields.status))) }
                        }
                    }
                }
            }
        },
    )
    .into_response())
}

fn status_key(s: &str) -> &'static str {
    match s.parse::<ComputerStatus>() {
        Ok(ComputerStatus::InUse) => "in_use",
        Ok(ComputerStatus::Idle) => "idle",
        Ok(ComputerStatus::Repair) => "repair",
        Ok(ComputerStatus::Scrapped) => "scrapped",
        Err(_) => "",
    }
}

/// The computer form: registering (`id` none) or changing computer `id`.
async fn computer_form(
    st: &AppState,
    v: &Viewer,
    id: Option<i64>,
    input: &ComputerInput,
    message: Option<&str>,
) -> PageResult {
    let action = id.map_or_else(|| "/computers".to_owned(), |id| format!("/computers/{id}"));
    let departments = st.store.departments().await?;
    let t = |k| v.lang.t(k);
    let text = |key: &'static str, name: &'static str, value: &str, required: bool| {
        html! { label { (t(key)) br; input name=(name) value=(value) required[required]; } }
    };
    Ok(page(
        v.lang,
        Some(v),
        if id.is_some() { t("edit") } else { t("register_computer") },
        html! {
            @if let Some(m) = message { p.msg.err { (m) } }
            form method="post" action=(action) {
                input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
                (text("asset_no", "asset_no", &input.asset_no, true))
                (text("name", "name", &input.name, true))
                (text("model", "model", &input.model, false))
                label { (t("department")) br; select name="department_id" {
                    option value="" { "—" }
                    @for d in &departments { option value=(d.id) selected[input.department_id == Some(d.id)] { (d.name) } }
                } }
                (text("custodian", "custodian", &input.custodian, false))
                (text("location", "location", &input.location, false))
                label { (t("zone")) br; select name="zone" {
                    @for z in REGISTER_ZONES { option value=(z) selected[input.zone == z] { (zone_word(v.lang, z)) } }
                } }
                label { (t("level")) br; select name="level" {
                    @for l in REGISTER_LEVELS { option value=(l) selected[input.level == l] { (level_word(v.lang, l)) } }
                } }
                label { (t("status")) br; select name="status" {
                    @for s in ComputerStatus::ALL { option value=(s.as_str()) selected[input.status == s.as_str()] { (t(status_key(s.as_str()))) } }
                } }
                (text("macs", "macs", &input.macs, false))
                (text("machine_id", "machine_id", &input.machine_id, false))
                label { (t("notes")) br; textarea name="notes" { (input.notes) } }
                button type="submit" { (t("save")) }
            }
        },
    )
    .into_response())
}

async fn new_computer(State(st): State<AppState>, v: Viewer) -> PageResult {
    v.must(Action::EditComputers)?;
    let blank = ComputerInput {
        zone: "classified".into(),
        level: "secret".into(),
        status: "in_use".into(),
        ..Default::default()
    };
    computer_form(&st, &v, None, &blank, None).await
}

#[derive(Deserialize)]
pub(crate) struct ComputerForm {
    csrf: Option<String>,
    asset_no: String,
    name: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    custodian: String,
    #[serde(default)]
    location: String,
    zone: String,
    level: String,
    status: String,
    #[serde(default)]
    macs: String,
    #[serde(default)]
    machine_id: String,
    #[serde(default)]
    notes: String,
}

impl ComputerForm {
    fn input(self) -> Result<ComputerInput, Fail> {
        Ok(ComputerInput {
            asset_no: self.asset_no,
            name: self.name,
            model: self.model,
            department_id: parse_id(Some(&self.department_id))?,
            custodian: self.custodian,
            location: self.location,
            zone: self.zone,
            level: self.level,
            status: self.status,
            macs: self.macs,
            machine_id: self.machine_id,
            notes: self.notes,
        })
    }
}

async fn create_computer(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<ComputerForm>,
) -> PageResult {
    v.must(Action::EditComputers)?;
    v.check_csrf(f.csrf.as_deref())?;
    let input = f.input()?;
    match st.store.create_computer(&v.actor, input.clone()).await {
        Ok(id) => Ok(Redirect::to(&format!("/computers/{id}")).into_response()),
        Err(baomi_store::Error::Invalid(m) | baomi_store::Error::Conflict(m)) => {
            let mut r = computer_form(&st, &v, None, &input, Some(&m)).await?;
            *r.status_mut() = StatusCode::BAD_REQUEST;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_computer(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    v.must(Action::EditComputers)?;
    let c = st.store.computer(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(c.fields.department_id)?;
    computer_form(&st, &v, Some(id), &c.fields, None).await
}

async fn update_computer(
    State(st): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<ComputerForm>,
) -> PageResult {
    v.must(Action::EditComputers)?;
    v.check_csrf(f.csrf.as_deref())?;
    let c = st.store.computer(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(c.fields.department_id)?;
    let input = f.input()?;
    match st.store.update_computer(&v.actor, id, input.clone()).await {
        Ok(()) => Ok(Redirect::to(&format!("/computers/{id}")).into_response()),
        Err(baomi_store::Error::Invalid(m) | baomi_store::Error::Conflict(m)) => {
            let mut r = computer_form(&st, &v, Some(id), &input, Some(&m)).await?;
            *r.status_mut() = StatusCode::BAD_REQUEST;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

async fn computer_page(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    v.must(Action::ViewComputers)?;
    let c = st.store.computer(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(c.fields.department_id)?;
    let reports = st.store.reports(Some(id), 50).await?;
    let usb = st.store.usb_devices_of(id).await?;
    let correlations = st.store.correlations(None, Some(id), 100).await?;
    let latest = st
        .store
        .latest_report_body(id)
        .await?
        .and_then(|b| serde_json::from_str::<LatestReport>(&b).ok());
    let findings = st
        .store
        .findings(&FindingFilter {
            computer_id: Some(id),
            limit: Some(100),
            ..Default::default()
        })
        .await?;
    let changes = history(&st, v.lang, &format!("computer:{id}")).await?;
    let t = |k| v.lang.t(k);
    let f = &c.fields;
    Ok(page(
        v.lang,
        Some(&v),
        &format!("{} {}", f.asset_no, f.name),
        html! {
            p {
                @if crate::authz::allowed(v.user.role, Action::EditComputers) {
                    a href={"/computers/" (c.id) "/edit"} { (t("edit")) } " · "
                }
                a href={"/labels/computers.pdf?asset=" (form_urlencoded::byte_serialize(f.asset_no.as_bytes()).collect::<String>())} { (t("labels")) " (PDF)" }
            }
            table {
                tr { th { (t("asset_no")) } td { (f.asset_no) } th { (t("name")) } td { (f.name) } }
                tr { th { (t("department")) } td { (c.department_name.as_deref().unwrap_or("")) } th { (t("custodian")) } td { (f.custodian) } }
                tr { th { (t("zone")) } td { (zone_word(v.lang, &f.zone)) } th { (t("level")) } td { (level_word(v.lang, &f.level)) } }
                tr { th { (t("status")) } td { (t(status_key(&f.status))) } th { (t("location")) } td { (f.location) } }
                tr { th { (t("macs")) } td { (f.macs) } th { (t("machine_id")) } td { code { (f.machine_id) } } }
                tr { th { (t("model")) } td { (f.model) } th { (t("notes")) } td { (f.notes) } }
            }
            h2 { (t("reports")) }
            @if reports.is_empty() { p { (t("no_rows")) } } @else {
                table {
                    tr { th { (t("time")) } th { (t("hostname")) } th { (t("zone")) } th { (t("findings_count")) } }
                    @for r in &reports { tr { td { (r.finished_at) } td { (r.hostname) } td { (zone_word(v.lang, &r.zone)) } td { (r.findings) } } }
                }
            }
            @if let Some(l) = &latest {
                h2 { (t("checks")) }
                table {
                    tr { th { (t("check")) } th { (t("status")) } th { (t("examined")) } th { (t("message")) } }
                    @for c in &l.checks {
                        tr {
                            td { code { (c.id) } }
                            td { (c.status.as_str()) }
                            td { (c.examined) }
                            td { (if v.lang == Lang::Zh { c.message_zh.as_deref().unwrap_or(&c.message) } else { &c.message }) }
                        }
                    }
                }
            }
            h2 { (t("findings")) }
            (findings_table(v.lang, &findings, false))
            @if !correlations.is_empty() {
                h2 { (t("correlations_of_computer")) }
                (crate::correlation_views::table(v.lang, &correlations))
            }
            (changes)
            h2 { (t("usb_devices")) }
            @if usb.is_empty() { p { (t("no_rows")) } } @else {
                table {
                    tr { th { "VID:PID" } th { (t("serial")) } th { (t("product")) } th { (t("first_seen")) } th { (t("last_seen")) } }
                    @for d in &usb { tr { td { (d.vid) ":" (d.pid) } td { code { (d.serial) } } td { (d.product) } td { (d.first_seen) } td { (d.last_seen) } } }
                }
            }
            @if let Some(l) = &latest {
                h2 { (t("web_visits")) }
                @if l.artifacts.web_visits.is_empty() { p { (t("no_rows")) } } @else {
                    table {
                        tr { th { (t("browser")) } th { "URL" } th { (t("visits")) } th { (t("last_seen")) } th { (t("internet")) } }
                        @for w in l.artifacts.web_visits.iter().take(500) {
                            tr {
                                td { (w.browser) " / " (w.profile) }
                                td { code { (w.url) } @if let Some(title) = &w.title { br; (title) } }
                                td { (w.visits) }
                                td { (w.last_visit.as_deref().unwrap_or("")) }
                                td { @if w.internet { b { "✔" } } }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response())
}

/// What the computer page shows of the newest report beyond the stored findings: each check's
/// outcome and the web visits (kept in the report's body, not in tables).
#[derive(Deserialize)]
struct LatestReport {
    #[serde(default)]
    checks: Vec<baomi_core::report::CheckResult>,
    #[serde(default)]
    artifacts: LatestArtifacts,
}

#[derive(Deserialize, Default)]
struct LatestArtifacts {
    #[serde(default)]
    web_visits: Vec<baomi_core::report::WebVisit>,
}

/// A record's change history from the audit log: who changed what, when, old and new fields.
pub(crate) async fn history(st: &AppState, lang: Lang, object: &str) -> Result<Markup, Fail> {
    let entries = st.store.audit_of(object, 100).await?;
    let t = |k| lang.t(k);
    Ok(html! {
        h2 { (t("history")) }
        @if entries.is_empty() { p { (t("no_rows")) } } @else {
            table {
                tr { th { "#" } th { (t("time")) } th { (t("actor")) } th { (t("action")) } th { (t("detail")) } }
                @for e in &entries {
                    tr { td { (e.seq) } td { (e.at) } td { (e.actor) } td { code { (e.action) } } td { code { (e.detail) } } }
                }
            }
        }
    })
}

// ---- findings ----

fn severity_word(lang: Lang, s: &str) -> &'static str {
    match s {
        "critical" => lang.t("critical"),
        "high" => lang.t("high"),
        "medium" => lang.t("medium"),
        "low" => lang.t("low"),
        "info" => lang.t("info"),
        _ => "",
    }
}

/// The excerpt in the reader's language: host checks write a Chinese sentence beside the English
/// one (`excerpt_zh`); content findings quote the document, whatever its language.
fn excerpt_for(lang: Lang, f: &baomi_store::FindingRow) -> String {
    let zh = (lang == Lang::Zh && f.evidence.contains("\"excerpt_zh\""))
        .then(|| serde_json::from_str::<serde_json::Value>(&f.evidence).ok())
        .flatten()
        .and_then(|e| e["excerpt_zh"].as_str().map(str::to_owned));
    zh.unwrap_or_else(|| f.excerpt.clone())
}

fn findings_table(lang: Lang, rows: &[baomi_store::FindingRow], with_computer: bool) -> Markup {
    let t = |k| lang.t(k);
    html! {
        @if rows.is_empty() { p { (t("no_rows")) } } @else {
            table {
                tr {
                    th { (t("severity")) } th { (t("rule")) } th { (t("level")) }
                    @if with_computer { th { (t("computer")) } }
                    th { (t("path")) } th { (t("excerpt")) }
                }
                @for f in rows {
                    tr {
                        td class={"sev-" (f.severity)} { (severity_word(lang, &f.severity)) }
                        td { a href={"/findings/" (f.id)} { (f.rule) } }
                        td { (level_word(lang, &f.level)) }
                        @if with_computer { td { @if let Some((asset, name)) = &f.computer { a href={"/computers/" (f.computer_id.unwrap_or_default())} { (asset) " " (name) } } @else { "—" } } }
                        td { code { (f.path) } }
                        td { (excerpt_for(lang, f)) }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct FindingQuery {
    pub(crate) department: Option<String>,
    pub(crate) computer: Option<String>,
    pub(crate) zone: Option<String>,
    pub(crate) level: Option<String>,
    pub(crate) rule: Option<String>,
    pub(crate) severity: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) since: Option<String>,
    pub(crate) until: Option<String>,
    pub(crate) before: Option<String>,
    pub(crate) limit: Option<String>,
}

impl FindingQuery {
    /// The store's filter, with a department head held to their own department whatever they ask.
    pub(crate) fn filter(&self, v: &Viewer) -> Result<FindingFilter, Fail> {
        Ok(FindingFilter {
            department_id: department_scope(&v.user).or(parse_id(self.department.as_deref())?),
            computer_id: parse_id(self.computer.as_deref())?,
            zone: nonempty(&self.zone),
            level: nonempty(&self.level),
            rule: nonempty(&self.rule),
            severity: nonempty(&self.severity),
            status: nonempty(&self.status),
            since: parse_id(self.since.as_deref())?,
            until: parse_id(self.until.as_deref())?,
            before: parse_id(self.before.as_deref())?,
            limit: parse_id(self.limit.as_deref())?,
        })
    }
}

async fn findings(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<FindingQuery>,
) -> PageResult {
    v.must(Action::ViewFindings)?;
    let filter = q.filter(&v)?;
    let rows = st.store.findings(&filter).await?;
    let t = |k| v.lang.t(k);
    let limit = filter.limit.unwrap_or(50).clamp(1, 500);
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|f| f.id))
        .flatten();
    let keep = |name: &str, val: &Option<String>| {
        nonempty(val)
            .map(|x| format!("&{name}={}", url_escape(&x)))
            .unwrap_or_default()
    };
    let carried = [
        keep("zone", &q.zone),
        keep("level", &q.level),
        keep("rule", &q.rule),
        keep("severity", &q.severity),
        keep("status", &q.status),
        keep("department", &q.department),
        keep("computer", &q.computer),
    ]
    .concat();
    Ok(page(
        v.lang,
        Some(&v),
        t("findings"),
        html! {
            form method="get" action="/findings" {
                select name="zone" { option value="" { (t("zone")) ": " (t("all")) }
                    @for z in REGISTER_ZONES { option value=(z) selected[q.zone.as_deref() == Some(z)] { (zone_word(v.lang, z)) } } }
                select name="level" { option value="" { (t("level")) ": " (t("all")) }
                    @for l in ["top_secret", "secret", "confidential", "internal"] { option value=(l) selected[q.level.as_deref() == Some(l)] { (level_word(v.lang, l)) } } }
                select name="severity" { option value="" { (t("severity")) ": " (t("all")) }
                    @for s in ["critical", "high", "medium", "low", "info"] { option value=(s) selected[q.severity.as_deref() == Some(s)] { (s) } } }
                input name="rule" value=(q.rule.as_deref().unwrap_or("")) placeholder=(t("rule"));
                button type="submit" { (t("search")) }
            }
            (findings_table(v.lang, &rows, true))
            @if let Some(n) = next { p { a href={"/findings?before=" (n) (carried)} { (t("next_page")) } } }
        },
    )
    .into_response())
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn finding_page(State(st): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    v.must(Action::ViewFindings)?;
    let f = st.store.finding(id).await?.ok_or(Fail::NotFound)?;
    v.must_see(f.department_id)?;
    let evidence: serde_json::Value = serde_json::from_str(&f.evidence).unwrap_or_default();
    let follow_up = crate::rectify_views::finding_sections(&st, &v, &f).await?;
    let t = |k| v.lang.t(k);
    let extra: Vec<(String, String)> = evidence
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "excerpt" | "excerpt_zh" | "matched" | "why")
                })
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(page(
        v.lang,
        Some(&v),
        &f.title,
        html! {
            table {
                tr { th { (t("rule")) } td { code { (f.rule) } } }
                tr { th { (t("severity")) } td class={"sev-" (f.severity)} { (severity_word(v.lang, &f.severity)) } }
                tr { th { (t("level")) } td { (level_word(v.lang, &f.level)) } }
                tr { th { (t("computer")) } td { @if let Some((asset, name)) = &f.computer { a href={"/computers/" (f.computer_id.unwrap_or_default())} { (asset) " " (name) } } @else { "—" } } }
                tr { th { (t("path")) } td { code { (f.path) } } }
                tr { th { (t("excerpt")) } td { (excerpt_for(v.lang, &f)) } }
                tr { th { (t("matched")) } td { b { (f.matched) } } }
                tr { th { (t("why")) } td { code { (f.why) } } }
                @for (k, val) in &extra { tr { th { (k) } td { (val) } } }
                tr { th { (t("status")) } td #finding-status { (t(if f.status == "false_positive" { "false_positive" } else { "finding_open" })) } }
            }
            (follow_up)
        },
    )
    .into_response())
}

// ---- reports ----

async fn import_form(v: Viewer) -> PageResult {
    v.must(Action::ImportReports)?;
    Ok(import_page(&v, None, StatusCode::OK))
}

fn import_page(v: &Viewer, message: Option<(bool, String)>, status: StatusCode) -> Response {
    let t = |k| v.lang.t(k);
    (
        status,
        page(
            v.lang,
            Some(v),
            t("import"),
            html! {
                @if let Some((ok, m)) = &message { p class={"msg" @if !ok { " err" }} { (m) } }
                form method="post" action="/reports/import" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
                    label { (t("report_file")) br; input type="file" name="report" accept=".json,application/json" required; }
                    button type="submit" { (t("upload")) }
                }
            },
        ),
    )
        .into_response()
}

async fn import_upload(State(st): State<AppState>, v: Viewer, form: Multipart) -> PageResult {
    v.must(Action::ImportReports)?;
    let (csrf, body) = crate::form_upload(form, "report").await?;
    v.check_csrf(csrf.as_deref())?;
    let body = body.ok_or_else(|| Fail::Bad("no report file was sent".into()))?;
    match import(&st, &v, &body).await {
        Ok(outcome) => {
            let t = |k| v.lang.t(k);
            let msg = match outcome {
                Imported::New {
                    computer_id: Some(c),
                    findings,
                    ..
                } => {
                    return Ok(Redirect::to(&format!("/computers/{c}?imported={findings}"))
                        .into_response());
                }
                Imported::New {
                    computer_id: None, ..
                } => t("held_unmatched").to_owned(),
                Imported::Duplicate { .. } => t("duplicate").to_owned(),
            };
            Ok(import_page(&v, Some((true, msg)), StatusCode::OK))
        }
        Err(Fail::Bad(m)) => Ok(import_page(&v, Some((false, m)), StatusCode::BAD_REQUEST)),
        Err(e) => Err(e.into()),
    }
}

/// Parse and store a report; the same for the upload form and the API.
pub(crate) async fn import(st: &AppState, v: &Viewer, body: &[u8]) -> Result<Imported, Fail> {
    let text =
        std::str::from_utf8(body).map_err(|_| Fail::Bad("the report is not UTF-8 text".into()))?;
    let report: Report = serde_json::from_str(text)
        .map_err(|e| Fail::Bad(format!("not a Baomi report (baomi.report/1): {e}")))?;
    Ok(st.store.import_report(&v.actor, &report, text).await?)
}

async fn unmatched(State(st): State<AppState>, v: Viewer) -> PageResult {
    v.must(Action::AssignReports)?;
    let reports = st.store.reports(None, 200).await?;
    let t = |k| v.lang.t(k);
    Ok(page(
        v.lang,
        Some(&v),
        t("unmatched"),
        html! {
            @if reports.is_empty() { p { (t("no_rows")) } } @else {
                table {
                    tr { th { (t("time")) } th { (t("hostname")) } th { (t("machine_id")) } th { (t("findings_count")) } th { (t("assign")) } }
                    @for r in &reports {
                        tr {
                            td { (r.finished_at) } td { (r.hostname) } td { code { (r.machine_id) } } td { (r.findings) }
                            td { form method="post" action={"/reports/" (r.id) "/assign"} {
                                input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
                                input name="asset_no" placeholder=(t("asset_no")) required;
                                button type="submit" { (t("assign")) }
                            } }
                        }
                    }
                }
            }
        },
    )
    .into_response())
}

#[derive(Deserialize)]
struct AssignForm {
    csrf: Option<String>,
    asset_no: String,
}

async fn assign(
    State(st): State<AppState>,
    v: Viewer,
    Path(row): Path<i64>,
    Form(f): Form<AssignForm>,
) -> PageResult {
    v.must(Action::AssignReports)?;
    v.check_csrf(f.csrf.as_deref())?;
    let id = st
        .store
        .computer_id_by_asset(&f.asset_no)
        .await?
        .ok_or_else(|| Fail::Bad(format!("no computer has the asset number {:?}", f.asset_no)))?;
    st.store.assign_report(&v.actor, row, id).await?;
    Ok(Redirect::to(&format!("/computers/{id}")).into_response())
}

// ---- departments ----

async fn departments(State(st): State<AppState>, v: Viewer) -> PageResult {
    v.must(Action::ViewDepartments)?;
    let list = st.store.departments().await?;
    let t = |k| v.lang.t(k);
    let name_of = |id: Option<i64>| {
        id.and_then(|id| list.iter().find(|d| d.id == id))
            .map_or("", |d| d.name.as_str())
    };
    Ok(page(
        v.lang,
        Some(&v),
        t("departments"),
        html! {
            @if list.is_empty() { p { (t("no_rows")) } } @else {
                table {
                    tr { th { (t("name")) } th { (t("parent")) } }
                    @for d in &list { tr { td { (d.name) } td { (name_of(d.parent_id)) } } }
                }
            }
            @if crate::authz::allowed(v.user.role, Action::EditDepartments) {
                h2 { (t("create_department")) }
                form method="post" action="/departments" {
                    input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
                    label { (t("name")) br; input name="name" required; }
                    label { (t("parent")) br; select name="parent_id" { option value="" { "—" } @for d in &list { option value=(d.id) { (d.name) } } } }
                    button type="submit" { (t("save")) }
                }
            }
        },
    )
    .into_response())
}

#[derive(Deserialize)]
struct DepartmentForm {
    csrf: Option<String>,
    name: String,
    #[serde(default)]
    parent_id: String,
}

async fn create_department(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<DepartmentForm>,
) -> PageResult {
    v.must(Action::EditDepartments)?;
    v.check_csrf(f.csrf.as_deref())?;
    st.store
        .create_department(&v.actor, &f.name, parse_id(Some(&f.parent_id))?)
        .await?;
    Ok(Redirect::to("/departments").into_response())
}

// ---- audit ----

#[derive(Deserialize)]
struct AuditQuery {
    before: Option<String>,
}

async fn audit(State(st): State<AppState>, v: Viewer, Query(q): Query<AuditQuery>) -> PageResult {
    v.must(Action::ViewAudit)?;
    let entries = st
        .store
        .audit_entries(parse_id(q.before.as_deref())?, 100)
        .await?;
    let verdict = st.store.audit_verify().await?;
    let t = |k| v.lang.t(k);
    Ok(page(
        v.lang,
        Some(&v),
        t("audit"),
        html! {
            @if verdict.problems.is_empty() {
                p.msg { (t("chain_ok")) " (" (verdict.entries) ")" }
            } @else {
                div.msg.err { p { (t("chain_broken")) } ul { @for p in &verdict.problems { li { "#" (p.seq) ": " (p.what) } } } }
            }
            table {
                tr { th { "#" } th { (t("time")) } th { (t("actor")) } th { (t("action")) } th { (t("object")) } th { "SM3" } }
                @for e in &entries {
                    tr { td { (e.seq) } td { (e.at) } td { (e.actor) } td { (e.action) } td { (e.object) } td { code { (e.hash.get(..16).unwrap_or("")) "…" } } }
                }
            }
            @if let Some(last) = entries.last().filter(|_| entries.len() == 100) {
                p { a href={"/audit?before=" (last.seq)} { (t("next_page")) } }
            }
        },
    )
    .into_response())
}
