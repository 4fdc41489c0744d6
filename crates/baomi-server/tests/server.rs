//! The server through HTTP (in process, `tower::oneshot`), on SQLite and on PostgreSQL: every route
//! for every role, a department head reaching into another department, CSRF, sign-in throttling,
//! report import, escaping of report text, and the OpenAPI document against the running routes.

// The helpers below build the fixture world; a failure there is a broken test, and says where.
#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use baomi_server::{AppState, hash_password, router, token_hash};
use baomi_store::{ComputerInput, NewUser, Role, Store};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const REPORT: &str = include_str!("../../../tests/fixtures/reports/hostroot-classified.json");

/// The organisation every test starts from: two departments, one computer in each, one account per
/// role (the department head heads department A), a browser session and an API token for each.
struct World {
    app: AppState,
    dept_a: i64,
    pc_a: i64,
    pc_b: i64,
    medium_a: i64,
    medium_b: i64,
    person_b: i64,
    place_b: i64,
}

/// Cookie and token of the account for `role`.
fn session_of(role: Role) -> String {
    format!("baomi_session=session-{}", role.as_str())
}
fn token_of(role: Role) -> String {
    format!("token-{}", role.as_str())
}
fn csrf_of(role: Role) -> String {
    format!("csrf-{}", role.as_str())
}

async fn world(store: Store) -> World {
    let dept_a = store.create_department("t", "甲部门", None).await.unwrap();
    let dept_b = store.create_department("t", "乙部门", None).await.unwrap();
    let mk = |asset: &str, dept: i64, machine: &str| ComputerInput {
        asset_no: asset.into(),
        name: format!("PC {asset}"),
        department_id: Some(dept),
        zone: "classified".into(),
        level: "secret".into(),
        status: "in_use".into(),
        machine_id: machine.into(),
        ..Default::default()
    };
    let machine = serde_json::from_str::<Value>(REPORT).unwrap()["host"]["machine_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pc_a = store
        .create_computer("t", mk("A-1", dept_a, ""))
        .await
        .unwrap();
    // Department B's computer is the one the fixture report comes from.
    let pc_b = store
        .create_computer("t", mk("B-1", dept_b, &machine))
        .await
        .unwrap();
    let stick = |number: &str, dept: i64| baomi_store::MediumInput {
        number: number.into(),
        kind: "usb_disk".into(),
        vid: "0781".into(),
        pid: "5567".into(),
        serial: format!("SN-{number}"),
        level: "secret".into(),
        department_id: Some(dept),
        ..Default::default()
    };
    let medium_a = store
        .create_medium("t", stick("U-A", dept_a))
        .await
        .unwrap();
    let medium_b = store
        .create_medium("t", stick("U-B", dept_b))
        .await
        .unwrap();
    let person_b = store
        .create_person(
            "t",
            baomi_store::PersonInput {
                name: "乙部门人员".into(),
                department_id: Some(dept_b),
                secrecy_level: "important".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let place_b = store
        .create_place(
            "t",
            baomi_store::PlaceInput {
                name: "乙部门保密室".into(),
                kind: "confidential_room".into(),
                department_id: Some(dept_b),
                level: "secret".into(),
                devices: "monitoring,alarm".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // A hash made once: argon2 is slow on purpose, and the tests sign in through sessions.
    let hash = hash_password("correct horse battery").unwrap();
    for role in Role::ALL {
        let id = store
            .create_user(
                "t",
                &NewUser {
                    username: role.as_str(),
                    display_name: role.as_str(),
                    password_hash: &hash,
                    role,
                    department_id: Some(dept_a),
                },
            )
            .await
            .unwrap();
        store
            .create_session(
                &token_hash(&format!("session-{}", role.as_str())),
                id,
                &csrf_of(role),
                3600,
            )
            .await
            .unwrap();
        store
            .create_api_token("t", id, "test", &token_hash(&token_of(role)))
            .await
            .unwrap();
    }
    World {
        app: AppState {
            store,
            secure_cookies: false,
        },
        dept_a,
        pc_a,
        pc_b,
        medium_a,
        medium_b,
        person_b,
        place_b,
    }
}

/// The world on a new SQLite file, and the directory that holds it (alive while the test runs).
async fn sqlite_world() -> (World, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = baomi_store::testing::fresh_sqlite(dir.path()).await;
    (world(store).await, dir)
}

async fn postgres_world(name: &str) -> World {
    world(baomi_store::testing::fresh_postgres(name).await).await
}

macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let (w, _dir) = sqlite_world().await;
                ($body)(w).await;
            }
            #[tokio::test]
            async fn postgres() {
                ($body)(postgres_world(concat!("srv_", stringify!($name))).await).await;
            }
        }
    };
}

struct Reply {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

async fn send(app: &AppState, req: Request<Body>) -> Reply {
    let res = router(app.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        location,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// A request as a browser of `role` sends it (no role: signed out).
fn page(method: &str, uri: &str, role: Option<Role>, form: Option<String>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(r) = role {
        b = b.header(header::COOKIE, session_of(r));
    }
    match form {
        Some(f) => b
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(f))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

/// A request as an API client of `role` sends it.
fn api(method: &str, uri: &str, role: Option<Role>, json: Option<String>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(r) = role {
        b = b.header(header::AUTHORIZATION, format!("Bearer {}", token_of(r)));
    }
    match json {
        Some(j) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(j))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

on_both!(every_route_for_every_role, |w: World| async move {
    use Role::*;
    let pc = w.pc_a;
    let medium = w.medium_a;
    let medium_form = |role: Role| {
        format!(
            "csrf={}&number=M-{}&kind=usb_disk&level=secret",
            csrf_of(role),
            role.as_str()
        )
    };
    let computer_form = |role: Role| {
        format!(
            "csrf={}&asset_no=N-{}&name=x&zone=internet&level=none&status=in_use",
            csrf_of(role),
            role.as_str()
        )
    };
    // (method, uri, body for a role, roles allowed, API?). Pages first, then the API.
    type Body = fn(Role) -> Option<String>;
    type Case = (
        &'static str,
        String,
        Box<dyn Fn(Role) -> Option<String>>,
        &'static [Role],
        bool,
    );
    let none: Body = |_| None;
    let cases: Vec<Case> = vec![
        (
            "GET",
            "/".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/computers".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/computers/new".into(),
            Box::new(none),
            &[Admin, Inspector],
            false,
        ),
        (
            "POST",
            "/computers".into(),
            Box::new(move |r| Some(computer_form(r))),
            &[Admin, Inspector],
            false,
        ),
        (
            "GET",
            format!("/computers/{pc}"),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/findings".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/reports/import".into(),
            Box::new(none),
            &[Admin, Inspector],
            false,
        ),
        (
            "GET",
            "/reports/unmatched".into(),
            Box::new(none),
            &[Admin, Inspector],
            false,
        ),
        (
            "GET",
            "/departments".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "POST",
            "/departments".into(),
            Box::new(|r: Role| Some(format!("csrf={}&name=d-{}", csrf_of(r), r.as_str()))),
            &[Admin],
            false,
        ),
        (
            "GET",
            "/audit".into(),
            Box::new(none),
            &[Admin, Reviewer],
            false,
        ),
        (
            "GET",
            "/api/v1/computers".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            true,
        ),
        (
            "GET",
            format!("/api/v1/computers/{pc}"),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            true,
        ),
        (
            "POST",
            "/api/v1/computers".into(),
            Box::new(|r: Role| {
                Some(format!(
                    r#"{{"asset_no":"J-{}","name":"x","zone":"internal","level":"internal"}}"#,
                    r.as_str()
                ))
            }),
            &[Admin, Inspector],
            true,
        ),
        (
            "GET",
            "/api/v1/findings".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            true,
        ),
        (
            "GET",
            "/api/v1/departments".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            true,
        ),
        (
            "POST",
            "/api/v1/departments".into(),
            Box::new(|r: Role| Some(format!(r#"{{"name":"api-{}"}}"#, r.as_str()))),
            &[Admin],
            true,
        ),
        (
            "POST",
            "/api/v1/reports".into(),
            Box::new(|_| Some(REPORT.to_owned())),
            &[Admin, Inspector],
            true,
        ),
        (
            "GET",
            format!("/computers/{pc}/edit"),
            Box::new(none),
            &[Admin, Inspector],
            false,
        ),
        (
            "POST",
            format!("/computers/{pc}"),
            Box::new(|r: Role| {
                Some(format!(
                    "csrf={}&asset_no=A-1&name=changed-by-{}&zone=classified&level=secret&status=repair",
                    csrf_of(r),
                    r.as_str()
                ))
            }),
            &[Admin, Inspector],
            false,
        ),
        (
            "GET",
            "/computers.csv".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/media.csv".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/people.csv".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/places.csv".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/places".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/places/new".into(),
            Box::new(none),
            &[Admin, Inspector],
            false,
        ),
        (
            "POST",
            "/places".into(),
            Box::new(|r: Role| {
                Some(format!(
                    "csrf={}&name=room-{}&kind=archive_room&level=secret&devices=alarm&devices=access_control",
                    csrf_of(r),
                    r.as_str()
                ))
            }),
            &[Admin, Inspector],
            false,
        ),
        (
            "GET",
            "/api/v1/places".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            true,
        ),
        (
            "POST",
            "/api/v1/places".into(),
            Box::new(|r: Role| {
                Some(format!(
                    r#"{{"name":"api-room-{}","kind":"computer_room","level":"secret","devices":["monitoring"]}}"#,
                    r.as_str()
                ))
            }),
            &[Admin, Inspector],
            true,
        ),
        (
            "GET",
            "/people".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        ("GET", "/people/new".into(), Box::new(none), &[Admin], false),
        (
            "POST",
            "/people".into(),
            Box::new(|r: Role| {
                Some(format!(
                    "csrf={}&name=p-{}&secrecy_level=general",
                    csrf_of(r),
                    r.as_str()
                ))
            }),
            &[Admin],
            false,
        ),
        (
            "GET",
            "/api/v1/people".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            true,
        ),
        (
            "POST",
            "/api/v1/people".into(),
            Box::new(|r: Role| {
                Some(format!(
                    r#"{{"name":"ap-{}","secrecy_level":"core","undertaking_signed":"2026-01-05"}}"#,
                    r.as_str()
                ))
            }),
            &[Admin],
            true,
        ),
        (
            "GET",
            "/media".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/media/new".into(),
            Box::new(none),
            &[Admin, Inspector],
            false,
        ),
        (
            "POST",
            "/media".into(),
            Box::new(move |r| Some(medium_form(r))),
            &[Admin, Inspector],
            false,
        ),
        (
            "GET",
            format!("/media/{medium}"),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/api/v1/media".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            true,
        ),
        (
            "GET",
            format!("/api/v1/media/{medium}"),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            true,
        ),
        (
            "POST",
            "/api/v1/media".into(),
            Box::new(|r: Role| {
                Some(format!(
                    r#"{{"number":"AM-{}","kind":"optical_disc","level":"confidential"}}"#,
                    r.as_str()
                ))
            }),
            &[Admin, Inspector],
            true,
        ),
        (
            "GET",
            "/computers.xlsx".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/computers/import".into(),
            Box::new(none),
            &[Admin, Inspector],
            false,
        ),
        (
            "GET",
            "/media.xlsx".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/media/import".into(),
            Box::new(none),
            &[Admin, Inspector],
            false,
        ),
        (
            "GET",
            "/people.xlsx".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/people/import".into(),
            Box::new(none),
            &[Admin],
            false,
        ),
        (
            "GET",
            "/places.xlsx".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/places/import".into(),
            Box::new(none),
            &[Admin, Inspector],
            false,
        ),
        (
            "GET",
            format!("/media/{medium}/edit"),
            Box::new(none),
            &[Admin, Inspector],
            false,
        ),
        (
            "POST",
            format!("/media/{medium}"),
            Box::new(|r: Role| {
                Some(format!(
                    "csrf={}&number=U-A&kind=usb_disk&level=top_secret&custodian=edited-by-{}",
                    csrf_of(r),
                    r.as_str()
                ))
            }),
            &[Admin, Inspector],
            false,
        ),
        (
            "GET",
            "/correlations".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/coverage".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/rectifications".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/scorecards".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/scorecards/policy".into(),
            Box::new(none),
            &[Admin],
            false,
        ),
        (
            "GET",
            "/campaigns".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
        (
            "GET",
            "/trainings".into(),
            Box::new(none),
            &[Admin, Inspector, DeptHead, Reviewer],
            false,
        ),
    ];
    for (method, uri, body, allowed, is_api) in &cases {
        for role in Role::ALL {
            let req = if *is_api {
                api(method, uri, Some(role), body(role))
            } else {
                page(method, uri, Some(role), body(role))
            };
            let r = send(&w.app, req).await;
            if allowed.contains(&role) {
                assert!(
                    r.status.is_success() || r.status == StatusCode::SEE_OTHER,
                    "{method} {uri} as {role}: {} {}",
                    r.status,
                    r.body
                );
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {uri} as {role}");
            }
        }
        // Signed out: pages send to the sign-in page, the API answers 401.
        let r = if *is_api {
            send(&w.app, api(method, uri, None, body(Admin))).await
        } else {
            send(&w.app, page(method, uri, None, body(Admin))).await
        };
        if *is_api {
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{method} {uri} signed out"
            );
        } else {
            assert_eq!(
                r.location.as_deref(),
                Some("/login"),
                "{method} {uri} signed out"
            );
        }
    }
    // The allowed edits were stored (the last allowed role's).
    let stick = w.app.store.medium(w.medium_a).await.unwrap().unwrap();
    assert_eq!(
        (stick.fields.level.as_str(), stick.fields.custodian.as_str()),
        ("top_secret", "edited-by-inspector")
    );
    // Its form offers no lower level, and a forged lower one is refused.
    let form = send(
        &w.app,
        page("GET", &format!("/media/{medium}/edit"), Some(Admin), None),
    )
    .await;
    assert!(!form.body.contains("value=\"secret\""), "{}", form.body);
    let lowered = send(
        &w.app,
        page(
            "POST",
            &format!("/media/{medium}"),
            Some(Admin),
            Some(format!(
                "csrf={}&number=U-A&kind=usb_disk&level=secret",
                csrf_of(Admin)
            )),
        ),
    )
    .await;
    assert_eq!(lowered.status, StatusCode::BAD_REQUEST, "{}", lowered.body);
    let edited = w.app.store.computer(w.pc_a).await.unwrap().unwrap();
    assert_eq!(
        (edited.fields.name.as_str(), edited.fields.status.as_str()),
        ("changed-by-inspector", "repair")
    );
    // The computer's page shows its change history, old and new fields.
    let page_a = send(
        &w.app,
        page(
            "GET",
            &format!("/computers/{}", w.pc_a),
            Some(Role::Reviewer),
            None,
        ),
    )
    .await;
    assert!(
        page_a.body.contains("computer.update") && page_a.body.contains("changed-by-inspector")
    );
    // A form's ticked boxes all arrive.
    let rooms = w.app.store.places(None).await.unwrap();
    let room = rooms
        .iter()
        .find(|p| p.fields.name == "room-admin")
        .unwrap();
    assert_eq!(room.fields.devices, "alarm,access_control");
    // A bad token is no token.
    let mut bad = api("GET", "/api/v1/computers", None, None);
    bad.headers_mut()
        .insert(header::AUTHORIZATION, "Bearer nope".parse().unwrap());
    assert_eq!(send(&w.app, bad).await.status, StatusCode::UNAUTHORIZED);
});

on_both!(
    a_department_head_stays_in_their_department,
    |w: World| async move {
        let head = Some(Role::DeptHead);
        // Own department's computer: yes; the other department's: no, by page and by API.
        assert_eq!(
            send(
                &w.app,
                page("GET", &format!("/computers/{}", w.pc_a), head, None)
            )
            .await
            .status,
            StatusCode::OK
        );
        assert_eq!(
            send(
                &w.app,
                page("GET", &format!("/computers/{}", w.pc_b), head, None)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(
                &w.app,
                api("GET", &format!("/api/v1/computers/{}", w.pc_b), head, None)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );

        // The report belongs to department B's computer: its findings are not the head's to see, even
        // when the head asks for department B by name.
        let r = send(
            &w.app,
            api(
                "POST",
                "/api/v1/reports",
                Some(Role::Inspector),
                Some(REPORT.into()),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let all: Value = serde_json::from_str(
            &send(
                &w.app,
                api("GET", "/api/v1/findings", Some(Role::Admin), None),
            )
            .await
            .body,
        )
        .unwrap();
        let first = all["findings"][0]["id"].as_i64().unwrap();
        let mine: Value = serde_json::from_str(
            &send(
                &w.app,
                api(
                    "GET",
                    &format!("/api/v1/findings?department={}", w.dept_a + 1),
                    head,
                    None,
                ),
            )
            .await
            .body,
        )
        .unwrap();
        assert_eq!(mine["findings"].as_array().unwrap().len(), 0);
        assert_eq!(
            send(
                &w.app,
                page("GET", &format!("/findings/{first}"), head, None)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(
                &w.app,
                page(
                    "GET",
                    &format!("/findings/{first}"),
                    Some(Role::Reviewer),
                    None
                )
            )
            .await
            .status,
            StatusCode::OK
        );
        let listed: Value = serde_json::from_str(
            &send(&w.app, api("GET", "/api/v1/computers", head, None))
                .await
                .body,
        )
        .unwrap();
        let ids: Vec<i64> = listed["computers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![w.pc_a]);
        // Exports hold their department only, in a file Excel reads as UTF-8.
        let csv = send(&w.app, page("GET", "/computers.csv", head, None)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.body.starts_with('\u{feff}')
                && csv.body.contains("A-1")
                && !csv.body.contains("B-1")
        );
        let all = send(&w.app, page("GET", "/media.csv", Some(Role::Admin), None)).await;
        assert!(all.body.contains("U-A") && all.body.contains("U-B") && all.body.contains("\r\n"));
        // Nor the other department's key places.
        assert_eq!(
            send(
                &w.app,
                page("GET", &format!("/places/{}", w.place_b), head, None)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(
                &w.app,
                api("GET", &format!("/api/v1/places/{}", w.place_b), head, None)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        // Nor the other department's people.
        assert_eq!(
            send(
                &w.app,
                page("GET", &format!("/people/{}", w.person_b), head, None)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(
                &w.app,
                api("GET", &format!("/api/v1/people/{}", w.person_b), head, None)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let mine: Value = serde_json::from_str(
            &send(&w.app, api("GET", "/api/v1/people", head, None))
                .await
                .body,
        )
        .unwrap();
        assert!(mine["people"].as_array().unwrap().is_empty());
        // Editing is not theirs, even in their own department.
        assert_eq!(
            send(
                &w.app,
                page("GET", &format!("/computers/{}/edit", w.pc_a), head, None)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
    }
);

on_both!(forms_need_their_csrf_token, |w: World| async move {
    let form = "asset_no=C-1&name=x&zone=internet&level=none&status=in_use";
    let r = send(
        &w.app,
        page("POST", "/computers", Some(Role::Admin), Some(form.into())),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(
        &w.app,
        page(
            "POST",
            "/computers",
            Some(Role::Admin),
            Some(format!("{form}&csrf=csrf-inspector")),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "another session's token");
    let r = send(
        &w.app,
        page(
            "POST",
            "/computers",
            Some(Role::Admin),
            Some(format!("{form}&csrf=csrf-admin")),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // A browser session using the API must send the token in a header.
    let mut req = page("POST", "/api/v1/departments", Some(Role::Admin), None);
    *req.body_mut() = Body::from(r#"{"name":"x"}"#);
    assert_eq!(send(&w.app, req).await.status, StatusCode::BAD_REQUEST);
    let mut req = page("POST", "/api/v1/departments", Some(Role::Admin), None);
    req.headers_mut()
        .insert("x-csrf-token", "csrf-admin".parse().unwrap());
    *req.body_mut() = Body::from(r#"{"name":"x"}"#);
    assert_eq!(send(&w.app, req).await.status, StatusCode::CREATED);
    // A register rule broken: the form comes back with the reason.
    let r = send(
        &w.app,
        page(
            "POST",
            "/computers",
            Some(Role::Admin),
            Some(
                "csrf=csrf-admin&asset_no=C-2&name=x&zone=classified&level=none&status=in_use"
                    .into(),
            ),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("state-secret level"), "{}", r.body);
});

on_both!(sign_in_and_throttling, |w: World| async move {
    let login = |pw: &str| {
        page(
            "POST",
            "/login",
            None,
            Some(format!("username=admin&password={pw}")),
        )
    };
    let ok = send(&w.app, login("correct+horse+battery")).await;
    assert_eq!(ok.location.as_deref(), Some("/"), "{}", ok.body);
    for _ in 0..5 {
        assert_eq!(
            send(&w.app, login("wrong")).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Five failures: even the right password is refused for a while.
    assert_eq!(
        send(&w.app, login("correct+horse+battery")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // An unknown user is answered like a wrong password.
    let r = send(
        &w.app,
        page(
            "POST",
            "/login",
            None,
            Some("username=ghost&password=x".into()),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
});

on_both!(
    reports_import_once_and_bad_ones_store_nothing,
    |w: World| async move {
        let r = send(
            &w.app,
            api(
                "POST",
                "/api/v1/reports",
                Some(Role::Inspector),
                Some(REPORT.into()),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED);
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            (v["status"].as_str(), v["computer_id"].as_i64()),
            (Some("imported"), Some(w.pc_b))
        );
        let again = send(
            &w.app,
            api(
                "POST",
                "/api/v1/reports",
                Some(Role::Inspector),
                Some(REPORT.into()),
            ),
        )
        .await;
        assert_eq!(again.status, StatusCode::OK);
        assert!(again.body.contains("duplicate"));
        for bad in [
            "",
            "{}",
            "[1,2]",
            r#"{"schema":"baomi.report/1"}"#,
            "\u{0}\u{1}",
        ] {
            let r = send(
                &w.app,
                api(
                    "POST",
                    "/api/v1/reports",
                    Some(Role::Inspector),
                    Some(bad.into()),
                ),
            )
            .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad:?}: {}", r.body);
            assert!(r.body.contains("error"));
        }
        let counts = w.app.store.counts(None).await.unwrap();
        assert_eq!(counts[1], 1, "one report stored");
        // The computer page shows its findings and USB devices.
        let p = send(
            &w.app,
            page(
                "GET",
                &format!("/computers/{}", w.pc_b),
                Some(Role::Admin),
                None,
            ),
        )
        .await;
        assert!(
            p.body.contains("content.marking") && p.body.contains("0781"),
            "{}",
            p.body
        );
        // The newest report's checks and web visits, from its stored body.
        assert!(p.body.contains("检查项状态") && p.body.contains("<code>usb</code>"));
        assert!(p.body.contains("http://oa.jcy/oa/docs.html"));
    }
);

on_both!(report_text_is_escaped, |w: World| async move {
    let mut report: Value = serde_json::from_str(REPORT).unwrap();
    report["report_id"] = "xss".into();
    report["findings"][0]["evidence"]["excerpt"] = "<script>alert(1)</script>机密★".into();
    report["findings"][0]["evidence"]["excerpt_zh"] = "<script>alert(1)</script>机密★".into();
    report["findings"][0]["path"] = "/home/u/\"><img src=x onerror=alert(1)>.docx".into();
    let r = send(
        &w.app,
        api(
            "POST",
            "/api/v1/reports",
            Some(Role::Admin),
            Some(report.to_string()),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let p = send(
        &w.app,
        page(
            "GET",
            &format!("/computers/{}", w.pc_b),
            Some(Role::Admin),
            None,
        ),
    )
    .await;
    assert!(!p.body.contains("<script>alert") && !p.body.contains("<img src=x"));
    assert!(
        p.body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;机密★")
    );
});

on_both!(english_switch, |w: World| async move {
    let r = send(&w.app, page("GET", "/lang/en", Some(Role::Admin), None)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut req = page("GET", "/computers", None, None);
    req.headers_mut().insert(
        header::COOKIE,
        format!("{}; lang=en", session_of(Role::Admin))
            .parse()
            .unwrap(),
    );
    let en = send(&w.app, req).await;
    assert!(en.body.contains("Asset number") && en.body.contains("lang=\"en\""));
    let zh = send(&w.app, page("GET", "/computers", Some(Role::Admin), None)).await;
    assert!(zh.body.contains("资产编号") && zh.body.contains("lang=\"zh-CN\""));
});

// Every operation the OpenAPI document lists answers on the running server with one of the
// statuses it documents, and every `/api/v1` route is in the document.
on_both!(openapi_matches_the_server, |w: World| async move {
    let doc: Value = serde_json::from_str(
        &send(&w.app, api("GET", "/api/v1/openapi.json", None, None))
            .await
            .body,
    )
    .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let id = if path.starts_with("/api/v1/media") {
                w.medium_a
            } else if path.starts_with("/api/v1/people") {
                w.person_b
            } else if path.starts_with("/api/v1/places") {
                w.place_b
            } else {
                w.pc_a
            };
            let uri = path.replace("{id}", &id.to_string());
            let body = match (method.as_str(), path.as_str()) {
                ("post", "/api/v1/reports") => Some(REPORT.to_owned()),
                ("post", "/api/v1/computers") => Some(
                    r#"{"asset_no":"O-1","name":"x","zone":"internet","level":"none"}"#.to_owned(),
                ),
                ("post", "/api/v1/departments") => Some(r#"{"name":"o"}"#.to_owned()),
                ("post", "/api/v1/places") => Some(
                    r#"{"name":"o","kind":"other","level":"none","devices":["alarm"]}"#.to_owned(),
                ),
                ("post", "/api/v1/people") => {
                    Some(r#"{"name":"o","secrecy_level":"general"}"#.to_owned())
                }
                ("post", "/api/v1/media") => {
                    Some(r#"{"number":"O-1","kind":"usb_disk","level":"secret"}"#.to_owned())
                }
                ("post", "/api/v1/media/{id}/transitions") => {
                    Some(r#"{"to":"in_use","reason":"发放"}"#.to_owned())
                }
                _ => None,
            };
            let r = send(
                &w.app,
                api(&method.to_uppercase(), &uri, Some(Role::Admin), body),
            )
            .await;
            let documented = op["responses"].as_object().unwrap();
            assert!(
                documented.contains_key(r.status.as_str()),
                "{method} {path} answered {} which the document does not list",
                r.status
            );
            // A 2xx JSON body has the documented top-level fields.
            if r.status.is_success() && path != "/api/v1/openapi.json" {
                let schema =
                    &documented[r.status.as_str()]["content"]["application/json"]["schema"];
                let schema = match schema["$ref"].as_str() {
                    Some(rf) => &doc["components"]["schemas"][rf.rsplit('/').next().unwrap()],
                    None => schema,
                };
                let got: Value = serde_json::from_str(&r.body).unwrap();
                for field in schema["required"].as_array().into_iter().flatten() {
                    assert!(
                        got.get(field.as_str().unwrap()).is_some(),
                        "{method} {path}: no {field} in {got}"
                    );
                }
            }
        }
    }
    // Routes the server has that the document must list.
    for route in [
        "/api/v1/places",
        "/api/v1/places/{id}",
        "/api/v1/people",
        "/api/v1/people/{id}",
        "/api/v1/media",
        "/api/v1/media/{id}",
        "/api/v1/media/{id}/transitions",
        "/api/v1/reports",
        "/api/v1/computers",
        "/api/v1/computers/{id}",
        "/api/v1/findings",
        "/api/v1/departments",
    ] {
        assert!(paths.contains_key(route), "{route} is not documented");
    }
});

on_both!(media_through_pages_and_api, |w: World| async move {
    let head = Some(Role::DeptHead);
    // A department head sees their department's medium, not the other's, and changes neither.
    assert_eq!(
        send(
            &w.app,
            page("GET", &format!("/media/{}", w.medium_a), head, None)
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        send(
            &w.app,
            page("GET", &format!("/media/{}", w.medium_b), head, None)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let move_b = format!("/api/v1/media/{}/transitions", w.medium_b);
    let issue = r#"{"to":"in_use","reason":"发放"}"#;
    assert_eq!(
        send(&w.app, api("POST", &move_b, head, Some(issue.into())))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The office issues it, lends it with approval, gets it back; a form may only offer the moves its
    // life allows, and a move the life forbids is refused with the reason.
    let m = |body: &str| api("POST", &move_b, Some(Role::Admin), Some(body.into()));
    assert_eq!(send(&w.app, m(issue)).await.status, StatusCode::OK);
    let r = send(&w.app, m(r#"{"to":"lent","reason":"出差"}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("approver"), "{}", r.body);
    let r = send(
        &w.app,
        m(r#"{"to":"lent","reason":"出差","approver":"王五","due_date":"2026-12-01"}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = send(
        &w.app,
        m(r#"{"to":"destroyed","reason":"x","approver":"y"}"#),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "lent → destroyed is not a move"
    );
    let form = "csrf=csrf-admin&to=in_use&reason=%E5%BD%92%E8%BF%98".to_owned();
    let r = send(
        &w.app,
        page(
            "POST",
            &format!("/media/{}/transition", w.medium_b),
            Some(Role::Admin),
            Some(form),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let p = send(
        &w.app,
        page(
            "GET",
            &format!("/media/{}", w.medium_b),
            Some(Role::Admin),
            None,
        ),
    )
    .await;
    assert!(
        p.body.contains("王五") && p.body.contains("2026-12-01") && p.body.contains("归还"),
        "{}",
        p.body
    );
    let v: Value = serde_json::from_str(
        &send(
            &w.app,
            api(
                "GET",
                &format!("/api/v1/media/{}", w.medium_b),
                Some(Role::Reviewer),
                None,
            ),
        )
        .await
        .body,
    )
    .unwrap();
    assert_eq!(v["state"], "in_use");
    assert!(
        p.body.contains("medium.transition"),
        "the medium's change history"
    );
    assert_eq!(v["events"].as_array().unwrap().len(), 3);
});

/// A multipart upload of `file` as the register import form sends it.
fn upload(uri: &str, role: Option<Role>, name: &str, file: &[u8]) -> Request<Body> {
    // The form's CSRF token is the role's; a test swaps the cookie to forge one.
    let boundary = "----baomi-test-boundary";
    let mut body = Vec::new();
    let csrf = role.map(csrf_of).unwrap_or_default();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut b = Request::builder().method("POST").uri(uri).header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={boundary}"),
    );
    if let Some(r) = role {
        b = b.header(header::COOKIE, session_of(r));
    }
    b.body(Body::from(body)).unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../tests/fixtures/registers/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The rows of an .xlsx the server sent, read back with the same reader a user's Excel would face.
fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

async fn get_bytes(app: &AppState, uri: &str, role: Role) -> (StatusCode, Vec<u8>) {
    let res = router(app.clone())
        .oneshot(page("GET", uri, Some(role), None))
        .await
        .unwrap();
    let status = res.status();
    (
        status,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

on_both!(registers_import_from_office_sheets, |w: World| async move {
    let store = &w.app.store;
    let first = store
        .create_department("t", "第一检察部", None)
        .await
        .unwrap();
    let office = store.create_department("t", "办公室", None).await.unwrap();
    let before = store.computers(&Default::default()).await.unwrap().len();
    let audit_before = store.audit_entries(None, 100_000).await.unwrap();
    let creates = |log: &[baomi_store::AuditEntry]| {
        log.iter().filter(|e| e.action == "computer.create").count()
    };

    // A LibreOffice .xlsx as offices keep it: title row, 序号, their own headers and words.
    let r = send(
        &w.app,
        upload(
            "/computers/import",
            Some(Role::Inspector),
            "computers-office.xlsx",
            &fixture("computers-office.xlsx"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("新增 4 条"), "{}", r.body);
    assert!(r.body.contains("序号"), "ignored columns are named");
    let id = store
        .computer_id_by_asset("JC-2023-001")
        .await
        .unwrap()
        .unwrap();
    let c = store.computer(id).await.unwrap().unwrap().fields;
    assert_eq!(
        (
            c.zone.as_str(),
            c.level.as_str(),
            c.status.as_str(),
            c.department_id
        ),
        ("classified", "secret", "in_use", Some(first))
    );
    assert_eq!(c.macs, "00:1a:2b:3c:4d:5e");
    // A digits-only asset number, stored by the spreadsheet as a number, comes back as typed.
    let digits = store
        .computer_id_by_asset("2023003")
        .await
        .unwrap()
        .unwrap();
    let d = store.computer(digits).await.unwrap().unwrap().fields;
    assert_eq!(
        (d.zone.as_str(), d.level.as_str()),
        ("internal", "internal")
    );
    let net = store
        .computer_id_by_asset("JC-2023-004")
        .await
        .unwrap()
        .unwrap();
    let n = store.computer(net).await.unwrap().unwrap().fields;
    assert_eq!(
        (n.zone.as_str(), n.level.as_str(), n.department_id),
        ("internet", "none", Some(office))
    );
    // Each new record is in the audit log as if typed in, and nothing else was logged.
    let audit_after = store.audit_entries(None, 100_000).await.unwrap();
    assert_eq!(creates(&audit_after), creates(&audit_before) + 4);
    assert_eq!(audit_after.len(), audit_before.len() + 4);

    // The same register as .xls (Excel 97) changes nothing and logs nothing.
    let r = send(
        &w.app,
        upload(
            "/computers/import",
            Some(Role::Admin),
            "computers-office.xls",
            &fixture("computers-office.xls"),
        ),
    )
    .await;
    assert!(r.body.contains("未变 4 条"), "{}", r.body);
    assert_eq!(
        store.audit_entries(None, 100_000).await.unwrap().len(),
        audit_after.len()
    );

    // A fix in the office's CSV updates one record; its machine id, a column the sheet lacks, stays.
    store
        .update_computer(
            "t",
            id,
            baomi_store::ComputerInput {
                machine_id: "4f0c6e0d2a8b4c3e9d1f7a6b5c4d3e2f".into(),
                ..c.clone()
            },
        )
        .await
        .unwrap();
    let csv = String::from_utf8(fixture("computers-office.csv"))
        .unwrap()
        .replace(
            "一部涉密机01,联想 M720,第一检察部,张三",
            "一部涉密机01,联想 M720,第一检察部,张三丰",
        );
    let r = send(
        &w.app,
        upload(
            "/computers/import",
            Some(Role::Admin),
            "c.csv",
            csv.as_bytes(),
        ),
    )
    .await;
    assert!(
        r.body.contains("更新 1 条") && r.body.contains("未变 3 条"),
        "{}",
        r.body
    );
    let c2 = store.computer(id).await.unwrap().unwrap().fields;
    assert_eq!(c2.custodian, "张三丰");
    assert_eq!(c2.machine_id, "4f0c6e0d2a8b4c3e9d1f7a6b5c4d3e2f");

    // One bad row refuses the whole file, names the row, and stores nothing of it.
    let bad = csv
        .replace("JC-2023-004,上网机", "JC-2023-005,上网机")
        .replace(
            "清华同方,办公室,赵六,101室,外网,非密",
            "清华同方,办公室,赵六,101室,外网,绝密啊",
        );
    let count = store.computers(&Default::default()).await.unwrap().len();
    let r = send(
        &w.app,
        upload(
            "/computers/import",
            Some(Role::Admin),
            "bad.csv",
            bad.as_bytes(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("绝密啊") && r.body.contains("<td>6</td>"),
        "{}",
        r.body
    );
    assert_eq!(
        store.computers(&Default::default()).await.unwrap().len(),
        count
    );
    assert_eq!(count, before + 4);

    // People from Excel's GBK "CSV" and from .xlsx with dates typed three ways.
    let r = send(
        &w.app,
        upload(
            "/people/import",
            Some(Role::Admin),
            "people.csv",
            &fixture("people-office-gbk.csv"),
        ),
    )
    .await;
    assert!(r.body.contains("新增 3 条"), "{}", r.body);
    let r = send(
        &w.app,
        upload(
            "/people/import",
            Some(Role::Admin),
            "people.xlsx",
            &fixture("people-office.xlsx"),
        ),
    )
    .await;
    assert!(r.body.contains("未变 3 条"), "{}", r.body);
    let people = store.people(Some(office)).await.unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(
        (
            people[0].fields.secrecy_level.as_str(),
            people[0].fields.undertaking_signed.as_str()
        ),
        ("core", "2023-12-01")
    );

    // An export, in either language, imports back unchanged: it is the template.
    for lang in ["zh", "en"] {
        let mut req = page("GET", "/computers.xlsx", Some(Role::Admin), None);
        req.headers_mut().insert(
            header::COOKIE,
            format!("{}; lang={lang}", session_of(Role::Admin))
                .parse()
                .unwrap(),
        );
        let res = router(w.app.clone()).oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let xlsx = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        let rows = xlsx_rows(&xlsx);
        assert_eq!(rows.len(), count + 1);
        let r = send(
            &w.app,
            upload("/computers/import", Some(Role::Admin), "export.xlsx", &xlsx),
        )
        .await;
        assert!(
            r.body.contains(&format!("未变 {count} 条")),
            "{lang}: {}",
            r.body
        );
    }
    let (status, csv_export) = get_bytes(&w.app, "/computers.csv", Role::Admin).await;
    assert_eq!(status, StatusCode::OK);
    let r = send(
        &w.app,
        upload(
            "/computers/import",
            Some(Role::Admin),
            "export.csv",
            &csv_export,
        ),
    )
    .await;
    assert!(r.body.contains(&format!("未变 {count} 条")), "{}", r.body);

    // A medium's level is never lowered, not even by an import.
    let media = "载体编号,类型,密级\r\nU-A,U盘,内部\r\n";
    let r = send(
        &w.app,
        upload(
            "/media/import",
            Some(Role::Admin),
            "m.csv",
            media.as_bytes(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("never lowered"), "{}", r.body);

    // 300 media in one sheet; the register lists them 200 to a page, and finds one by its serial.
    let mut sheet = String::from("载体编号,类型,密级,序列号\r\n");
    for i in 0..300 {
        sheet.push_str(&format!("M-{i:04},移动硬盘,秘密,SN-{i:06}\r\n"));
    }
    let r = send(
        &w.app,
        upload(
            "/media/import",
            Some(Role::Inspector),
            "m.csv",
            sheet.as_bytes(),
        ),
    )
    .await;
    assert!(r.body.contains("新增 300 条"), "{}", r.body);
    let list = send(&w.app, page("GET", "/media", Some(Role::Reviewer), None)).await;
    assert_eq!(
        list.body.matches("href=\"/media/").count()
            - list.body.matches("href=\"/media/new").count(),
        200
    );
    assert!(list.body.contains("after=M-0199"), "next page link");
    let page2 = send(
        &w.app,
        page("GET", "/media?q=&after=M-0199", Some(Role::Reviewer), None),
    )
    .await;
    assert!(
        page2.body.contains("M-0200")
            && page2.body.contains("U-B")
            && !page2.body.contains("M-0199<")
    );
    let found = send(
        &w.app,
        page("GET", "/media?q=SN-000150", Some(Role::Reviewer), None),
    )
    .await;
    assert!(
        found.body.contains("M-0150") && !found.body.contains("M-0151"),
        "{}",
        found.body
    );

    // Only those who may edit a register may import into it, and only with the form's token.
    for role in [Role::Reviewer, Role::DeptHead, Role::Staff] {
        let r = send(
            &w.app,
            upload("/computers/import", Some(role), "c.csv", csv.as_bytes()),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
    }
    let r = send(
        &w.app,
        upload(
            "/people/import",
            Some(Role::Inspector),
            "p.csv",
            &fixture("people-office-gbk.csv"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut forged = upload(
        "/computers/import",
        Some(Role::Admin),
        "c.csv",
        csv.as_bytes(),
    );
    forged.headers_mut().insert(
        header::COOKIE,
        session_of(Role::Admin)
            .replace("session-admin", "session-inspector")
            .parse()
            .unwrap(),
    );
    let r = send(&w.app, forged).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "another session's CSRF token"
    );
    assert!(store.audit_verify().await.unwrap().problems.is_empty());
});

on_both!(
    a_watched_folder_imports_settled_reports,
    |w: World| async move {
        use baomi_server::inbox::{SETTLE, Taken, sweep};
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path();
        let settled = |name: &str, body: &[u8]| {
            let path = inbox.join(name);
            std::fs::write(&path, body).unwrap();
            let old = std::time::SystemTime::now() - SETTLE * 5;
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(old)
                .unwrap();
        };
        settled("pc-a.json", REPORT.as_bytes());
        settled("broken.json", b"{\"schema\": \"baomi.report/1\", \"trunc");
        settled("notes.txt", b"not a report");
        // Still being copied: too young to be taken.
        std::fs::write(inbox.join("copying.json"), REPORT).unwrap();

        let taken = sweep(&w.app.store, inbox).await.unwrap();
        assert_eq!(taken.len(), 2, "{taken:?}");
        assert!(
            matches!(&taken[0], Taken::Rejected { file, reason } if file == "broken.json" && reason.contains("not a Baomi report")),
            "{taken:?}"
        );
        assert!(
            matches!(&taken[1], Taken::Imported { file, computer_id: Some(c), findings } if file == "pc-a.json" && *c == w.pc_b && *findings > 0),
            "{taken:?}"
        );
        assert!(inbox.join("imported/pc-a.json").is_file());
        assert!(inbox.join("rejected/broken.json").is_file());
        let reason = std::fs::read_to_string(inbox.join("rejected/broken.reason.txt")).unwrap();
        assert!(reason.contains("not a Baomi report"), "{reason}");
        assert!(inbox.join("notes.txt").is_file() && inbox.join("copying.json").is_file());

        // The same report again, from another stick: stored once, the file kept beside the first.
        settled("pc-a.json", REPORT.as_bytes());
        let taken = sweep(&w.app.store, inbox).await.unwrap();
        assert_eq!(
            taken,
            vec![Taken::Duplicate {
                file: "pc-a.json".into()
            }]
        );
        assert!(inbox.join("imported/pc-a.1.json").is_file());
        assert_eq!(
            w.app.store.reports(Some(w.pc_b), 10).await.unwrap().len(),
            1
        );
        // The import is on record as the folder's.
        let log = w.app.store.audit_entries(None, 1000).await.unwrap();
        assert!(log.iter().any(|e| e.actor.starts_with("inbox:")));
    }
);

on_both!(correlations_show_on_their_pages, |w: World| async move {
    // The fixture report is department B's classified computer; its logs saw USB sticks that are in
    // no register.
    let r = send(
        &w.app,
        api(
            "POST",
            "/api/v1/reports",
            Some(Role::Inspector),
            Some(REPORT.to_owned()),
        ),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.body);
    let list = send(
        &w.app,
        page("GET", "/correlations", Some(Role::Reviewer), None),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("未登记载体接入涉密计算机"),
        "{}",
        list.body
    );
    assert!(list.body.contains("4C530001230815117543"), "{}", list.body);
    assert!(
        list.body
            .contains(&format!("href=\"/computers/{}\"", w.pc_b))
    );
    // The computer's own page shows them too; department A's head sees none of department B's.
    let pc = send(
        &w.app,
        page(
            "GET",
            &format!("/computers/{}", w.pc_b),
            Some(Role::Admin),
            None,
        ),
    )
    .await;
    assert!(pc.body.contains("跨机关联"), "{}", pc.body);
    let head = send(
        &w.app,
        page("GET", "/correlations", Some(Role::DeptHead), None),
    )
    .await;
    assert!(!head.body.contains("4C530001230815117543"));
    // Registering the stick as a secret medium answers the question: it is no longer "unregistered".
    w.app
        .store
        .create_medium(
            "t",
            baomi_store::MediumInput {
                number: "U-REG".into(),
                kind: "usb_disk".into(),
                vid: "0781".into(),
                pid: "5567".into(),
                serial: "4C530001230815117543".into(),
                level: "secret".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let rows = w.app.store.correlations(None, None, 100).await.unwrap();
    assert!(
        !rows
            .iter()
            .any(|c| c.subject.ends_with("4C530001230815117543")),
        "{rows:?}"
    );
});

on_both!(
    coverage_names_the_computers_not_inspected,
    |w: World| async move {
        let r = send(
            &w.app,
            api(
                "POST",
                "/api/v1/reports",
                Some(Role::Inspector),
                Some(REPORT.to_owned()),
            ),
        )
        .await;
        assert!(r.status.is_success(), "{}", r.body);
        let all = send(&w.app, page("GET", "/coverage", Some(Role::Admin), None)).await;
        assert_eq!(all.status, StatusCode::OK);
        assert!(
            all.body
                .contains("在用计算机 2 台，已检查 1 台，未检查 1 台"),
            "{}",
            all.body
        );
        assert!(
            all.body
                .contains(&format!("href=\"/computers/{}\"", w.pc_a))
        );
        assert!(
            !all.body
                .contains(&format!("href=\"/computers/{}\"", w.pc_b))
        );
        // A department head's coverage is their department's.
        let head = send(
            &w.app,
            page("GET", "/coverage?days=30", Some(Role::DeptHead), None),
        )
        .await;
        assert!(
            head.body
                .contains("近 30 天：在用计算机 1 台，已检查 0 台，未检查 1 台"),
            "{}",
            head.body
        );
    }
);

/// A multipart form as a browser sends it: text fields, and a file when given.
fn multipart(
    uri: &str,
    role: Role,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Request<Body> {
    let boundary = "----baomi-test-boundary";
    let mut body = Vec::new();
    let csrf = csrf_of(role);
    for (name, value) in [("csrf", csrf.as_str())].iter().chain(fields) {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                 Content-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, session_of(role))
        .body(Body::from(body))
        .unwrap()
}

/// The fixture report taken again later (a new id, a later start), with `keep` deciding which of
/// its findings are still there.
fn later_report(id: &str, started: &str, keep: impl Fn(&Value) -> bool) -> String {
    let mut r: Value = serde_json::from_str(REPORT).unwrap();
    r["report_id"] = id.into();
    r["started_at"] = started.into();
    r["finished_at"] = started.into();
    let kept: Vec<Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| keep(f))
        .cloned()
        .collect();
    r["findings"] = kept.into();
    r.to_string()
}

on_both!(
    rectification_from_finding_to_closure,
    |w: World| async move {
        use Role::*;
        let push = |body: String| api("POST", "/api/v1/reports", Some(Inspector), Some(body));
        let findings_of = |rule: &'static str| {
            let store = w.app.store.clone();
            async move {
                store
                    .findings(&baomi_store::FindingFilter {
                        rule: Some(rule.into()),
                        ..Default::default()
                    })
                    .await
            }
        };
        let r = send(&w.app, push(REPORT.to_owned())).await;
        assert!(r.status.is_success(), "{}", r.body);
        let marked = findings_of("content.marking").await.unwrap();
        assert_eq!(marked.len(), 1);
        let finding = marked[0].id;
        let finding_path = marked[0].path.clone();

        // The office opens a task with a deadline already past: it is overdue at once.
        let form = |role: Role, rest: &str| Some(format!("csrf={}&{rest}", csrf_of(role)));
        let uri = format!("/findings/{finding}/rectification");
        for role in [DeptHead, Reviewer, Staff] {
            let r = send(
                &w.app,
                page(
                    "POST",
                    &uri,
                    Some(role),
                    form(role, "assignee=x&due_date=2000-01-01"),
                ),
            )
            .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
        }
        let opened = send(
            &w.app,
            page(
                "POST",
                &uri,
                Some(Inspector),
                form(Inspector, "assignee=%E7%8E%8B%E4%BA%94&due_date=2000-01-01"),
            ),
        )
        .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let task_uri = opened.location.unwrap();
        let task: i64 = task_uri.rsplit('/').next().unwrap().parse().unwrap();
        // One task per finding.
        let again = send(
            &w.app,
            page(
                "POST",
                &uri,
                Some(Admin),
                form(Admin, "assignee=x&due_date=2030-01-01"),
            ),
        )
        .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        let overdue = send(
            &w.app,
            page("GET", "/rectifications?overdue=1", Some(Reviewer), None),
        )
        .await;
        assert!(
            overdue.body.contains("class=\"overdue\""),
            "{}",
            overdue.body
        );
        assert!(overdue.body.contains(&finding_path));
        let finding_page = send(
            &w.app,
            page("GET", &format!("/findings/{finding}"), Some(Admin), None),
        )
        .await;
        assert!(
            finding_page
                .body
                .contains(&format!("href=\"/rectifications/{task}\"")),
            "{}",
            finding_page.body
        );
        // Department A's head sees nothing of department B's task.
        let r = send(&w.app, page("GET", &task_uri, Some(DeptHead), None)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let head_list = send(&w.app, page("GET", "/rectifications", Some(DeptHead), None)).await;
        assert!(!head_list.body.contains(&finding_path));

        // Work starts, with a photo as evidence.
        let photo = b"\x89PNG\r\n\x1a\nnot really a picture";
        let r = send(
            &w.app,
            multipart(
                &task_uri,
                Inspector,
                &[
                    ("to", "in_progress"),
                    ("comment", "已删除该文件，正在清理回收站"),
                ],
                Some(("清理截图.png", photo)),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page_now = send(&w.app, page("GET", &task_uri, Some(Reviewer), None)).await;
        assert!(page_now.body.contains("整改中"), "{}", page_now.body);
        assert!(page_now.body.contains("清理截图.png"));
        let (_, files) = w.app.store.rectification_history(task).await.unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].size, photo.len() as i64);
        let res = router(w.app.clone())
            .oneshot(page(
                "GET",
                &format!("{task_uri}/files/{}", files[0].id),
                Some(Reviewer),
                None,
            ))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let disposition = res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "application/octet-stream"
        );
        let got = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&got[..], photo);

        // Only an administrator accepts a risk, and only with an approver and a reason.
        let accept = |role: Role, approver: &'static str| {
            multipart(
                &task_uri,
                role,
                &[
                    ("to", "risk_accepted"),
                    ("comment", "业务需要"),
                    ("approver", approver),
                ],
                None,
            )
        };
        assert_eq!(
            send(&w.app, accept(Inspector, "张局")).await.status,
            StatusCode::FORBIDDEN
        );
        let r = send(&w.app, accept(Admin, "")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("approver"), "{}", r.body);
        // Closing is not a move from "in progress".
        let r = send(
            &w.app,
            multipart(&task_uri, Admin, &[("to", "closed")], None),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        let r = send(
            &w.app,
            multipart(
                &task_uri,
                Inspector,
                &[("to", "fixed"), ("comment", "已清除")],
                None,
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // The next inspection no longer finds the file: "verified" is proposed.
        let marking = |f: &Value| f["rule"] == "content.marking";
        let later = later_report("r-later-1", "2026-12-01T02:00:00Z", |f| !marking(f));
        let r = send(&w.app, push(later)).await;
        assert!(r.status.is_success(), "{}", r.body);
        let t = w.app.store.rectification(task).await.unwrap().unwrap();
        assert!(t.gone_in_report.is_some());
        let page_now = send(&w.app, page("GET", &task_uri, Some(Inspector), None)).await;
        assert!(
            page_now.body.contains("id=\"proposal\""),
            "{}",
            page_now.body
        );
        for to in ["verified", "closed"] {
            let r = send(&w.app, multipart(&task_uri, Inspector, &[("to", to)], None)).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{to}: {}", r.body);
        }
        let t = w.app.store.rectification(task).await.unwrap().unwrap();
        assert_eq!(t.state, baomi_store::RectState::Closed);

        // A finding marked false positive stays so in every later report of the computer.
        let wifi = findings_of("network.bluetooth").await.unwrap();
        let bt = wifi.iter().map(|f| f.id).max().unwrap();
        let r = send(
            &w.app,
            page(
                "POST",
                &format!("/findings/{bt}/false_positive"),
                Some(Reviewer),
                form(Reviewer, "reason=x"),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = send(
            &w.app,
            page(
                "POST",
                &format!("/findings/{bt}/false_positive"),
                Some(Inspector),
                form(
                    Inspector,
                    "reason=%E8%93%9D%E7%89%99%E6%A8%A1%E5%9D%97%E5%B7%B2%E6%8B%86%E9%99%A4",
                ),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = send(
            &w.app,
            push(later_report("r-later-2", "2026-12-08T02:00:00Z", |_| true)),
        )
        .await;
        assert!(r.status.is_success(), "{}", r.body);
        let bts = findings_of("network.bluetooth").await.unwrap();
        assert_eq!(bts.len(), 3);
        assert!(bts.iter().all(|f| f.status == "false_positive"), "{bts:?}");
        let shown = send(
            &w.app,
            page(
                "GET",
                &format!("/findings/{}", bts[0].id),
                Some(Admin),
                None,
            ),
        )
        .await;
        assert!(
            shown.body.contains("id=\"false-positive\""),
            "{}",
            shown.body
        );
        // Withdrawn: open again, everywhere; the mark's history stays.
        let mark = w
            .app
            .store
            .false_positive_of(w.pc_b, &bts[0].finding_id)
            .await
            .unwrap()
            .unwrap();
        let r = send(
            &w.app,
            page(
                "POST",
                &format!("/false_positives/{}/withdraw", mark.id),
                Some(Admin),
                form(Admin, &format!("reason=wrong&finding={}", bts[0].id)),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let bts = findings_of("network.bluetooth").await.unwrap();
        assert!(bts.iter().all(|f| f.status == "open"));
        assert!(
            w.app
                .store
                .audit_verify()
                .await
                .unwrap()
                .problems
                .is_empty()
        );
    }
);

on_both!(scorecards_rank_and_veto, |w: World| async move {
    use Role::*;
    // Before any report: nobody vetoed (and this answer is kept until the next change).
    let q4 = baomi_store::scorecard::Period::parse("2026-Q4").unwrap();
    let empty = w.app.store.scorecard(&q4).await.unwrap();
    assert!(empty.departments.iter().all(|d| !d.vetoed));
    // Department B's classified computer went on the Internet: a critical problem, so B is vetoed;
    // department A's computer was not inspected this quarter.
    let r = send(
        &w.app,
        api(
            "POST",
            "/api/v1/reports",
            Some(Inspector),
            Some(REPORT.to_owned()),
        ),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.body);
    let card = w
        .app
        .store
        .scorecard(&baomi_store::scorecard::Period::parse("2026-Q4").unwrap())
        .await
        .unwrap();
    let names: Vec<(&str, bool)> = card
        .departments
        .iter()
        .map(|d| (d.name.as_str(), d.vetoed))
        .collect();
    assert_eq!(names, [("甲部门", false), ("乙部门", true)]);
    assert_eq!(card.departments[0].score, 98.0);
    let b = &card.departments[1];
    assert_eq!((b.counts.computers, b.counts.inspected), (1, 1));
    assert!(b.counts.problems[0] > 0);
    assert!(b.top_rules.iter().any(|(r, _)| r == "web.internet_visit"));
    // Another quarter found nothing and inspected nothing.
    let before = w
        .app
        .store
        .scorecard(&baomi_store::scorecard::Period::parse("2026-Q2").unwrap())
        .await
        .unwrap();
    assert!(
        before
            .departments
            .iter()
            .all(|d| !d.vetoed && d.counts.inspected == 0)
    );

    let page_now = send(
        &w.app,
        page("GET", "/scorecards?period=2026-Q4", Some(DeptHead), None),
    )
    .await;
    assert_eq!(page_now.status, StatusCode::OK);
    assert!(page_now.body.contains("id=\"ranking\""));
    assert!(page_now.body.contains("<svg"), "charts");
    assert_eq!(
        send(&w.app, page("GET", "/scorecards", Some(Staff), None))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let notice = send(
        &w.app,
        page(
            "GET",
            "/scorecards/notice?period=2026-Q4",
            Some(Reviewer),
            None,
        ),
    )
    .await;
    assert!(
        notice.body.contains("关于2026年第四季度保密检查情况的通报"),
        "{}",
        notice.body
    );
    assert!(notice.body.contains("本期考核一票否决"));
    assert!(
        notice.body.contains("浏览器历史记录显示曾访问互联网"),
        "{}",
        notice.body
    );
    let home = send(&w.app, page("GET", "/", Some(Admin), None)).await;
    assert!(home.body.contains("各月发现问题数") && home.body.matches("<svg").count() == 4);
    let bad = send(
        &w.app,
        page("GET", "/scorecards?period=2026-Q9", Some(Admin), None),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // The weights are the office's: only an administrator sets them, within 0–100.
    let form = |role: Role, critical: &str, veto: bool| {
        Some(format!(
            "csrf={}&critical={critical}&high=5&medium=2&low=0.5&correlation_critical=10&correlation_high=5&overdue_task=3&not_inspected_pc=4{}",
            csrf_of(role),
            if veto { "&veto_on_critical=1" } else { "" }
        ))
    };
    let r = send(
        &w.app,
        page(
            "POST",
            "/scorecards/policy",
            Some(Inspector),
            form(Inspector, "10", true),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &w.app,
        page(
            "POST",
            "/scorecards/policy",
            Some(Admin),
            form(Admin, "150", true),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(
        &w.app,
        page(
            "POST",
            "/scorecards/policy",
            Some(Admin),
            form(Admin, "10", false),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let card = w
        .app
        .store
        .scorecard(&baomi_store::scorecard::Period::parse("2026-Q4").unwrap())
        .await
        .unwrap();
    // No veto now; A lost 4 for its computer not inspected.
    assert!(card.departments.iter().all(|d| !d.vetoed));
    let a = card
        .departments
        .iter()
        .find(|d| d.name == "甲部门")
        .unwrap();
    assert_eq!(a.score, 96.0);
    assert!(
        w.app
            .store
            .audit_verify()
            .await
            .unwrap()
            .problems
            .is_empty()
    );
});

on_both!(campaigns_plan_inspect_close, |w: World| async move {
    use Role::*;
    let plan = |role: Role, name: &str, kind: &str, starts: &str, inspectors: &str| {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf", &csrf_of(role))
            .append_pair("name", name)
            .append_pair("kind", kind)
            .append_pair("starts", starts)
            .append_pair("ends", "2030-12-31")
            .append_pair("zone", "classified")
            .append_pair("inspectors", inspectors)
            .finish();
        page("POST", "/campaigns", Some(role), Some(body))
    };
    assert_eq!(
        send(
            &w.app,
            plan(Inspector, "x", "regular", "2026-11-01", "inspector")
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = send(
        &w.app,
        plan(
            Admin,
            "2026年第四季度保密检查",
            "regular",
            "2026-11-01",
            "inspector",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let uri = r.location.unwrap();
    // An unannounced campaign that has not started: department heads do not see it.
    let r = send(
        &w.app,
        plan(
            Admin,
            "突击检查",
            "unannounced",
            "2030-06-01",
            "someone-else",
        ),
    )
    .await;
    let hidden = r.location.unwrap();
    let list = send(&w.app, page("GET", "/campaigns", Some(DeptHead), None)).await;
    assert!(list.body.contains("2026年第四季度保密检查"));
    assert!(!list.body.contains("突击检查</a>"), "{}", list.body);
    assert_eq!(
        send(&w.app, page("GET", &hidden, Some(DeptHead), None))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&w.app, page("GET", &hidden, Some(Reviewer), None))
            .await
            .status,
        StatusCode::OK
    );

    // Department B's computer reports in the window; department A's does not.
    let r = send(
        &w.app,
        api(
            "POST",
            "/api/v1/reports",
            Some(Inspector),
            Some(REPORT.to_owned()),
        ),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.body);
    let status = send(&w.app, page("GET", &uri, Some(Inspector), None)).await;
    assert!(status.body.contains("已检查 1 / 2"), "{}", status.body);
    let missing = status.body.split("id=\"missing\"").nth(1).unwrap();
    assert!(missing.split("</p>").next().unwrap().contains("A-1"));
    let checks = status.body.split("id=\"checks\"").nth(1).unwrap();
    assert!(
        checks.contains("不合格"),
        "the Internet traces fail the web check"
    );

    // On site: the assigned inspector records what they saw.
    let id: i64 = uri.rsplit('/').next().unwrap().parse().unwrap();
    let result = |role: Role, target: String, result: &str, note: &str| {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf", &csrf_of(role))
            .append_pair("item", "label_present")
            .append_pair("target", &target)
            .append_pair("result", result)
            .append_pair("note", note)
            .finish();
        page(
            "POST",
            &format!("/campaigns/{id}/results"),
            Some(role),
            Some(body),
        )
    };
    let a = format!("computer:{}", w.pc_a);
    assert_eq!(
        send(&w.app, result(Reviewer, a.clone(), "pass", ""))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&w.app, result(Inspector, a.clone(), "fail", ""))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        send(
            &w.app,
            result(Inspector, "computer:99999".into(), "pass", "")
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    let r = send(
        &w.app,
        result(Inspector, a, "fail", "显示器上方未贴密级标识"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Not assigned to the other campaign: not theirs to record.
    let other: i64 = hidden.rsplit('/').next().unwrap().parse().unwrap();
    let body = format!(
        "csrf={}&item=label_present&target=computer:{}&result=pass",
        csrf_of(Inspector),
        w.pc_a
    );
    assert_eq!(
        send(
            &w.app,
            page(
                "POST",
                &format!("/campaigns/{other}/results"),
                Some(Inspector),
                Some(body)
            )
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // The key place's inspection shows on its record.
    w.app
        .store
        .record_campaign_result(
            "inspector",
            id,
            "place_devices_working",
            &format!("place:{}", w.place_b),
            "fail",
            "报警器电池耗尽",
        )
        .await
        .unwrap();
    let place = send(
        &w.app,
        page("GET", &format!("/places/{}", w.place_b), Some(Admin), None),
    )
    .await;
    assert!(place.body.contains("id=\"inspections\"") && place.body.contains("报警器电池耗尽"));
    // Department A's head sees A's part only.
    let head = send(&w.app, page("GET", &uri, Some(DeptHead), None)).await;
    assert!(
        head.body.contains("A-1") && !head.body.contains("B-1"),
        "{}",
        head.body
    );

    let r = send(
        &w.app,
        page(
            "POST",
            &format!("/campaigns/{id}/close"),
            Some(Admin),
            Some(format!(
                "csrf={}&note=%E5%B7%B2%E9%80%9A%E6%8A%A5",
                csrf_of(Admin)
            )),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let report = send(
        &w.app,
        page(
            "GET",
            &format!("/campaigns/{id}/report"),
            Some(Reviewer),
            None,
        ),
    )
    .await;
    assert!(
        report.body.contains("2026年第四季度保密检查总结报告"),
        "{}",
        report.body
    );
    assert!(
        report.body.contains("应检查计算机2台，已检查1台"),
        "{}",
        report.body
    );
    assert!(report.body.contains("显示器上方未贴密级标识"));
    // Closed: nothing more is recorded.
    let again = send(
        &w.app,
        result(Admin, format!("computer:{}", w.pc_b), "pass", ""),
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(
        w.app
            .store
            .audit_verify()
            .await
            .unwrap()
            .problems
            .is_empty()
    );
});

on_both!(trainings_flag_who_is_due, |w: World| async move {
    use Role::*;
    let person_a = w
        .app
        .store
        .create_person(
            "t",
            baomi_store::PersonInput {
                name: "甲部门人员".into(),
                department_id: Some(w.dept_a),
                secrecy_level: "core".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let session = |role: Role, title: &str, day: &str| {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("csrf", &csrf_of(role))
            .append_pair("title", title)
            .append_pair("held_on", day)
            .append_pair("hours", "2")
            .append_pair("trainer", "保密办")
            .finish();
        page("POST", "/trainings", Some(role), Some(body))
    };
    assert_eq!(
        send(&w.app, session(DeptHead, "x", "2026-01-01"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let old = send(&w.app, session(Admin, "2020年保密法培训", "2020-03-01")).await;
    assert_eq!(old.status, StatusCode::SEE_OTHER, "{}", old.body);
    let today = baomi_store::rectify::today();
    let new = send(&w.app, session(Admin, "新修订保密法宣传教育", &today)).await;
    let attend = |uri: &str, people: &[i64]| {
        let mut body = format!("csrf={}", csrf_of(Admin));
        for p in people {
            body.push_str(&format!("&person={p}"));
        }
        page(
            "POST",
            &format!("{uri}/attendance"),
            Some(Admin),
            Some(body),
        )
    };
    let old_uri = old.location.unwrap();
    let new_uri = new.location.unwrap();
    assert_eq!(
        send(&w.app, attend(&old_uri, &[person_a, w.person_b]))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        send(&w.app, attend(&new_uri, &[w.person_b])).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        send(&w.app, attend(&new_uri, &[999_999])).await.status,
        StatusCode::BAD_REQUEST
    );
    let due = send(&w.app, page("GET", "/people?due=1", Some(Admin), None)).await;
    let table = due.body.split("id=\"people\"").nth(1).unwrap();
    assert!(table.contains("甲部门人员"), "{}", due.body);
    assert!(!table.contains("乙部门人员"));
    let b = send(
        &w.app,
        page("GET", &format!("/people/{}", w.person_b), Some(Admin), None),
    )
    .await;
    assert!(b.body.contains("新修订保密法宣传教育") && b.body.contains("2020年保密法培训"));
    let s = send(&w.app, page("GET", &new_uri, Some(Reviewer), None)).await;
    assert!(s.body.contains("参训人数: 1"), "{}", s.body);
    // Department A's head sees their own people only, flagged.
    let head = send(&w.app, page("GET", "/people", Some(DeptHead), None)).await;
    assert!(head.body.contains("甲部门人员") && head.body.contains("12个月内未培训"));
    assert!(!head.body.contains("乙部门人员"));
    assert!(
        w.app
            .store
            .audit_verify()
            .await
            .unwrap()
            .problems
            .is_empty()
    );
});

/// The text Baomi's own extractor reads from a document the server wrote.
fn document_text(name: &str, bytes: &[u8]) -> String {
    struct Collect(String);
    impl baomi_extract::Visitor for Collect {
        fn segment(&mut self, _inner: &[String], s: &baomi_extract::Segment<'_>) {
            self.0.push_str(&s.text);
            self.0.push('\n');
        }
        fn unscanned(&mut self, _: &[String], reason: baomi_core::UnscannedReason, detail: &str) {
            panic!("unreadable: {reason:?} {detail}");
        }
    }
    let mut budget = baomi_extract::Budget::new(baomi_extract::Limits::default());
    let mut out = Collect(String::new());
    baomi_extract::extract(name, bytes, &mut budget, &mut out).unwrap();
    out.0
}

on_both!(documents_and_labels, |w: World| async move {
    use Role::*;
    let r = send(
        &w.app,
        api(
            "POST",
            "/api/v1/reports",
            Some(Inspector),
            Some(REPORT.to_owned()),
        ),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.body);
    let download = |uri: String, role: Role| {
        let app = w.app.clone();
        async move {
            let res = router(app)
                .oneshot(page("GET", &uri, Some(role), None))
                .await
                .unwrap();
            let status = res.status();
            let kind = res
                .headers()
                .get(header::CONTENT_TYPE)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            let disposition = res
                .headers()
                .get(header::CONTENT_DISPOSITION)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
            (status, kind, disposition, body)
        }
    };
    // The notice, to circulate: .docx to edit and seal, PDF as is.
    let (status, kind, disposition, docx) =
        download("/scorecards/notice.docx?period=2026-Q4".into(), Reviewer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.contains("wordprocessingml"), "{kind}");
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let text = document_text("notice.docx", &docx);
    assert!(
        text.contains("关于2026年第四季度保密检查情况的通报"),
        "{text}"
    );
    assert!(
        text.contains("乙部门") && text.contains("本期考核一票否决"),
        "{text}"
    );
    // The scores as a chart: bars of block characters in Word, drawn bars in the PDF, SVG on the page.
    assert!(text.contains("各部门得分") && text.contains("█"), "{text}");
    let (status, kind, _, pdf) =
        download("/scorecards/notice.pdf?period=2026-Q4".into(), DeptHead).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    let text = document_text("notice.pdf", &pdf);
    assert!(
        text.contains("关于2026年第四季度保密检查情况的通报") && text.contains("甲部门"),
        "{text}"
    );

    // Labels: a department head prints their own department's, and no other's.
    let (status, _, _, pdf) = download(
        format!("/labels/computers.pdf?department={}", w.dept_a),
        DeptHead,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = document_text("labels.pdf", &pdf);
    assert!(
        text.contains("A-1") && text.contains("机密") && !text.contains("B-1"),
        "{text}"
    );
    let (status, ..) = download("/labels/computers.pdf".into(), DeptHead).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a department head's own department by default"
    );
    let other = w
        .app
        .store
        .departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.id != w.dept_a)
        .unwrap();
    let (status, ..) = download(
        format!("/labels/computers.pdf?department={}", other.id),
        DeptHead,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, ..) = download("/labels/computers.pdf".into(), Staff).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, _, _, all) = download("/labels/computers.pdf?stock=avery-l7163".into(), Admin).await;
    let text = document_text("labels.pdf", &all);
    assert!(text.contains("A-1") && text.contains("B-1"), "{text}");
    let (status, ..) = download("/labels/computers.pdf?stock=nonsense".into(), Admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let sheet = send(
        &w.app,
        page("GET", "/labels/media.html", Some(Inspector), None),
    )
    .await;
    assert!(
        sheet.body.contains("<svg") && sheet.body.contains("U-A"),
        "{}",
        sheet.body
    );
    let one = document_text(
        "one.pdf",
        &download("/labels/media.pdf?asset=U-B".into(), Admin)
            .await
            .3,
    );
    assert!(one.contains("U-B") && !one.contains("U-A"), "{one}");
    let form = send(&w.app, page("GET", "/labels", Some(Admin), None)).await;
    assert!(form.body.contains("avery-l7163"), "{}", form.body);

    // A campaign's closing report, as a document.
    let id = w
        .app
        .store
        .create_campaign(
            "t",
            baomi_store::campaigns::CampaignInput {
                name: "年度检查".into(),
                kind: "regular".into(),
                starts: "2026-11-01".into(),
                ends: "2026-12-31".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (status, _, _, pdf) = download(format!("/campaigns/{id}/report.pdf"), Reviewer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(document_text("report.pdf", &pdf).contains("年度检查总结报告"));
    let (status, _, _, docx) = download(format!("/campaigns/{id}/report.docx"), Admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(document_text("report.docx", &docx).contains("应检查计算机2台，已检查1台"));
});
