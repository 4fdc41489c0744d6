//! The confidentiality office's server (`baomi serve`): registers, imported scan reports and their
//! findings, accounts and the audit log — server-rendered pages in Chinese or English that work
//! without JavaScript, and a JSON API (`/api/v1`, described by `/api/v1/openapi.json`) for
//! `baomi push` and other tools.
//!
//! Only this crate knows HTTP and HTML. It holds no SQL (that is `baomi-store`) and no scanner
//! logic: it knows the scanner only through the report contract. Who may do what is decided in
//! [`authz`] alone.

#![deny(missing_docs)]

mod api;
pub mod authz;
mod campaign_views;
mod charts;
mod correlation_views;
pub mod export;
pub mod i18n;
pub mod inbox;
mod label_views;
mod media_views;
mod people_views;
mod places_views;
mod rectify_views;
mod register_files;
mod scorecard_views;
mod training_views;
mod views;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use baomi_store::{Store, User};
use i18n::Lang;
use sm3::{Digest, Sm3};
use std::fmt;

/// Reports larger than this are refused at the door (a report of 200,000 findings is ~100 MB).
pub const MAX_REPORT_BYTES: usize = 128 * 1024 * 1024;
/// How long a browser session lasts.
pub const SESSION_SECONDS: i64 = 8 * 3600;
/// Failed sign-ins per user name within [`THROTTLE_WINDOW_SECONDS`] before sign-in is refused.
pub const MAX_LOGIN_FAILURES: i64 = 5;
/// The window failed sign-ins are counted in.
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;
const SESSION_COOKIE: &str = "baomi_session";

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The office's records.
    pub store: Store,
    /// Mark cookies `Secure` (when served over TLS).
    pub secure_cookies: bool,
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("backend", &self.store.backend())
            .finish_non_exhaustive()
    }
}

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    views::routes()
        .merge(media_views::routes())
        .merge(people_views::routes())
        .merge(places_views::routes())
        .merge(register_files::routes())
        .merge(correlation_views::routes())
        .merge(rectify_views::routes())
        .merge(scorecard_views::routes())
        .merge(campaign_views::routes())
        .merge(training_views::routes())
        .merge(label_views::routes())
        .merge(api::routes())
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Pages may load nothing from elsewhere, run no script, and not be framed.
async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// An argon2id hash (PHC string) of a password, with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&raw).map_err(|e| e.to_string())?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Does `password` match the stored hash? A malformed hash matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A new secret token: 32 random bytes, hex.
pub fn new_token() -> Result<String, String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| e.to_string())?;
    Ok(hex(&b))
}

/// What the store keeps of a token: its SM3 hash.
pub fn token_hash(token: &str) -> String {
    hex(&Sm3::digest(token.as_bytes()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// An upload form's CSRF token and the file sent in field `file_field` (the parts browsers send;
/// any other part is read past).
pub(crate) async fn form_upload(
    mut form: axum::extract::Multipart,
    file_field: &str,
) -> Result<(Option<String>, Option<axum::body::Bytes>), Fail> {
    let broken = |e: axum::extract::multipart::MultipartError| {
        Fail::Bad(format!("the upload is broken: {e}"))
    };
    let (mut csrf, mut file) = (None, None);
    while let Some(field) = form.next_field().await.map_err(broken)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.ok(),
            Some(name) if name == file_field => file = Some(field.bytes().await.map_err(broken)?),
            _ => {}
        }
    }
    Ok((csrf, file))
}

/// Why a request failed.
#[derive(Debug)]
pub enum Fail {
    /// Not signed in (pages: to the sign-in page; API: 401).
    SignIn,
    /// Signed in, not allowed.
    Forbidden,
    /// No such record.
    NotFound,
    /// Input refused, with the reason.
    Bad(String),
    /// A unique key taken, with the reason.
    Conflict(String),
    /// Too many failed sign-ins.
    Throttled,
    /// Our fault; the detail goes to the log, not the page.
    Internal(String),
}

impl From<baomi_store::Error> for Fail {
    fn from(e: baomi_store::Error) -> Fail {
        match e {
            baomi_store::Error::Invalid(m) => Fail::Bad(m),
            baomi_store::Error::Conflict(m) => Fail::Conflict(m),
            baomi_store::Error::NotFound => Fail::NotFound,
            rows @ baomi_store::Error::Rows(_) => Fail::Bad(rows.to_string()),
            other => Fail::Internal(other.to_string()),
        }
    }
}

impl Fail {
    fn status(&self) -> StatusCode {
        match self {
            Fail::SignIn => StatusCode::UNAUTHORIZED,
            Fail::Forbidden => StatusCode::FORBIDDEN,
            Fail::NotFound => StatusCode::NOT_FOUND,
            Fail::Bad(_) => StatusCode::BAD_REQUEST,
            Fail::Conflict(_) => StatusCode::CONFLICT,
            Fail::Throttled => StatusCode::TOO_MANY_REQUESTS,
            Fail::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> String {
        match self {
            Fail::SignIn => "sign in first".into(),
            Fail::Forbidden => "not allowed for your role or department".into(),
            Fail::NotFound => "not found".into(),
            Fail::Bad(m) | Fail::Conflict(m) => m.clone(),
            Fail::Throttled => "too many failed sign-ins; try again later".into(),
            Fail::Internal(_) => "internal error; the server log has the detail".into(),
        }
    }

    fn log(&self) {
        if let Fail::Internal(detail) = self {
            eprintln!("baomi serve: internal error: {detail}");
        }
    }
}

/// A failure shown as a page.
pub struct PageFail(pub Fail);
/// A failure answered as JSON `{"error": …}`.
pub struct ApiFail(pub Fail);

impl<E: Into<Fail>> From<E> for PageFail {
    fn from(e: E) -> Self {
        PageFail(e.into())
    }
}
impl<E: Into<Fail>> From<E> for ApiFail {
    fn from(e: E) -> Self {
        ApiFail(e.into())
    }
}

impl IntoResponse for PageFail {
    fn into_response(self) -> Response {
        self.0.log();
        if matches!(self.0, Fail::SignIn) {
            return Redirect::to("/login").into_response();
        }
        let (status, msg) = (self.0.status(), self.0.message());
        (status, views::error_page(status, &msg)).into_response()
    }
}

impl IntoResponse for ApiFail {
    fn into_response(self) -> Response {
        self.0.log();
        (
            self.0.status(),
            axum::Json(serde_json::json!({ "error": self.0.message() })),
        )
            .into_response()
    }
}

/// The value of cookie `name` in the request.
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The signed-in user of a request: by session cookie (browsers) or `Authorization: Bearer`
/// (API tokens, `baomi push`). Taking it as a handler parameter is what makes a route need sign-in.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Who.
    pub user: User,
    /// The session's CSRF token; `None` for an API token (no cookie, nothing to forge).
    pub csrf: Option<String>,
    /// How the audit log names this actor.
    pub actor: String,
    /// The reader's language.
    pub lang: Lang,
}

impl Viewer {
    /// Fail unless the viewer's role allows `action`.
    pub fn must(&self, action: authz::Action) -> Result<(), Fail> {
        if authz::allowed(self.user.role, action) {
            Ok(())
        } else {
            Err(Fail::Forbidden)
        }
    }

    /// Fail unless the viewer may see a record of `department`.
    pub fn must_see(&self, department: Option<i64>) -> Result<(), Fail> {
        if authz::may_see_department(&self.user, department) {
            Ok(())
        } else {
            Err(Fail::Forbidden)
        }
    }

    /// Fail unless a form's CSRF token is this session's (API tokens carry none and need none).
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), Fail> {
        match &self.csrf {
            None => Ok(()),
            Some(expected) if given == Some(expected.as_str()) => Ok(()),
            Some(_) => Err(Fail::Bad(
                "the form is stale or was not sent from this site; reload and try again".into(),
            )),
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let api = parts.uri.path().starts_with("/api/");
        let reject = |f: Fail| {
            if api {
                ApiFail(f).into_response()
            } else {
                PageFail(f).into_response()
            }
        };
        let lang = Lang::from_cookie(cookie(&parts.headers, "lang"));
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if let Some(token) = bearer {
            return match state.store.api_token_user(&token_hash(token.trim())).await {
                Ok(Some((user, label))) => Ok(Viewer {
                    actor: format!("{} (token {label})", user.username),
                    user,
                    csrf: None,
                    lang,
                }),
                Ok(None) => Err(reject(Fail::SignIn)),
                Err(e) => Err(reject(e.into())),
            };
        }
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(reject(Fail::SignIn));
        };
        match state.store.session(&token_hash(token)).await {
            Ok(Some(s)) => Ok(Viewer {
                actor: s.user.username.clone(),
                user: s.user,
                csrf: Some(s.csrf),
                lang,
            }),
            Ok(None) => Err(reject(Fail::SignIn)),
            Err(e) => Err(reject(e.into())),
        }
    }
}

/// Ctrl-C or SIGTERM: the server finishes the requests in flight, then stops.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = ctrl_c.await;
            return;
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Serve on `listener` (plain HTTP) until Ctrl-C or SIGTERM; requests in flight are finished first.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

/// Serve HTTPS on `listener` with the PEM certificate chain and private key at `cert` and `key`
/// (rustls; TLS 1.2 and 1.3), until Ctrl-C or SIGTERM. Session cookies should then be `Secure`
/// ([`AppState::secure_cookies`]).
pub async fn serve_tls(
    state: AppState,
    listener: std::net::TcpListener,
    cert: &std::path::Path,
    key: &std::path::Path,
) -> std::io::Result<()> {
    // One crypto provider for the process (ring); a second call finds it installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        stopper.graceful_shutdown(Some(std::time::Duration::from_secs(30)));
    });
    listener.set_nonblocking(true)?;
    axum_server::from_tcp_rustls(listener, config)?
        .handle(handle)
        .serve(router(state).into_make_service())
        .await
}
