//! `baomi serve`, `baomi admin`, `baomi push`, `baomi audit`: the server's commands. The server and
//! its store live in `baomi-server` and `baomi-store`; this module parses flags, prints, and picks
//! the exit code.

use crate::i18n::Lang;
use anyhow::{Context, Result, bail};
use baomi_server::{AppState, hash_password, new_token, token_hash};
use baomi_store::{NewUser, Role, Store};
use clap::{Args, Subcommand};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

/// The embedded default: one SQLite file in the working directory.
const DEFAULT_DB: &str = "sqlite:baomi.db";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Database: `sqlite:FILE` (created when missing) or `postgres://USER@HOST/DB`.
    #[arg(long, default_value = DEFAULT_DB, value_name = "URL")]
    db: String,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR")]
    listen: String,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1); needs --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Import every report (*.json) copied into this folder, e.g. from an inspector's stick; imported
    /// ones move to DIR/imported, invalid ones to DIR/rejected with the reason beside them.
    #[arg(long, value_name = "DIR")]
    watch: Option<PathBuf>,
    /// How often the watched folder is looked at, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, requires = "watch")]
    watch_every: u64,
}

#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Create an account; the password is read from standard input (one line, ≥ 10 characters).
    Create {
        /// Database (as for `baomi serve`).
        #[arg(long, default_value = DEFAULT_DB, value_name = "URL")]
        db: String,
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// Name shown (defaults to the sign-in name).
        #[arg(long)]
        name: Option<String>,
        /// admin, inspector, dept_head, reviewer or staff.
        #[arg(long, default_value = "admin")]
        role: String,
        /// Department id (required for dept_head).
        #[arg(long)]
        department: Option<i64>,
    },
    /// Issue an API token for `baomi push` (printed once; only its hash is kept).
    Token {
        /// Database (as for `baomi serve`).
        #[arg(long, default_value = DEFAULT_DB, value_name = "URL")]
        db: String,
        /// The account the token acts as.
        #[arg(long)]
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "baomi push")]
        label: String,
    },
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The report (`baomi scan --out report.json`).
    report: PathBuf,
    /// The server, e.g. http://10.1.2.3:7878.
    #[arg(long, value_name = "URL")]
    server: String,
    /// An API token (`baomi admin token`); or set BAOMI_TOKEN.
    #[arg(long, env = "BAOMI_TOKEN", hide_env_values = true)]
    token: String,
    /// For an https:// server: trust the certificates in this PEM file (the office's own CA, or the
    /// server's self-signed certificate) instead of the public CAs.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CorrelateArgs {
    /// Every subject, not only those changed (the only mode: imports already correlate
    /// incrementally; this is for after an upgrade or a repair).
    #[arg(long)]
    all: bool,
    /// Database (as for `baomi serve`).
    #[arg(long, default_value = DEFAULT_DB, value_name = "URL")]
    db: String,
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Recompute the hash chain; exit 0 when intact, 1 when an entry was edited or deleted.
    Verify {
        /// Database (as for `baomi serve`).
        #[arg(long, default_value = DEFAULT_DB, value_name = "URL")]
        db: String,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

async fn open(db: &str) -> Result<Store> {
    Store::open(db)
        .await
        .with_context(|| format!("cannot open the database {db}"))
}

pub fn serve(args: ServeArgs) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&args.db).await?;
        let listener = std::net::TcpListener::bind(&args.listen)
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let lang = Lang::from_env();
        let tls = args.tls_cert.as_deref().zip(args.tls_key.as_deref());
        let address = format!(
            "{}://{}",
            if tls.is_some() { "https" } else { "http" },
            listener
                .local_addr()
                .map_or(args.listen.clone(), |a| a.to_string())
        );
        eprintln!("{}", lang.fill("srv.listening", &[&address, &args.db]));
        if store.user_count().await? == 0 {
            eprintln!(
                "{}\n  baomi admin create --db {} --username admin",
                lang.t("srv.no_account"),
                args.db
            );
        }
        if let Some(dir) = &args.watch {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the watched folder {}", dir.display()))?;
            eprintln!(
                "{}",
                lang.fill("srv.watching", &[&dir.display().to_string()])
            );
            tokio::spawn(baomi_server::inbox::watch(
                store.clone(),
                dir.clone(),
                std::time::Duration::from_secs(args.watch_every.max(1)),
            ));
        }
        let state = AppState {
            store,
            secure_cookies: tls.is_some(),
        };
        match tls {
            Some((cert, key)) => baomi_server::serve_tls(state, listener, cert, key)
                .await
                .with_context(|| {
                    format!(
                        "cannot serve HTTPS with {} and {}",
                        cert.display(),
                        key.display()
                    )
                })?,
            None => {
                listener.set_nonblocking(true)?;
                let listener = tokio::net::TcpListener::from_std(listener)?;
                baomi_server::serve(state, listener)
                    .await
                    .context("the server stopped")?
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn admin(action: AdminAction) -> Result<ExitCode> {
    let lang = Lang::from_env();
    runtime()?.block_on(async {
        match action {
            AdminAction::Create {
                db,
                username,
                name,
                role,
                department,
            } => {
                let role: Role = role.parse().map_err(anyhow::Error::msg)?;
                eprintln!("{}", lang.fill("srv.password_prompt", &[&username]));
                let mut password = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut password)
                    .context("cannot read the password")?;
                let password = password.trim_end_matches(['\r', '\n']);
                if password.chars().count() < 10 {
                    bail!(lang.t("srv.password_short"));
                }
                let hash = hash_password(password).map_err(anyhow::Error::msg)?;
                let store = open(&db).await?;
                let id = store
                    .create_user(
                        "baomi admin",
                        &NewUser {
                            username: &username,
                            display_name: name.as_deref().unwrap_or(&username),
                            password_hash: &hash,
                            role,
                            department_id: department,
                        },
                    )
                    .await?;
                println!("{}", lang.fill("srv.created", &[&username, &role, &id]));
            }
            AdminAction::Token {
                db,
                username,
                label,
            } => {
                let store = open(&db).await?;
                let Some((user, _)) = store.user_for_login(&username).await? else {
                    bail!(lang.fill("srv.no_such_account", &[&username]));
                };
                let token = new_token().map_err(anyhow::Error::msg)?;
                store
                    .create_api_token("baomi admin", user.id, &label, &token_hash(&token))
                    .await?;
                println!("{token}");
                eprintln!("{}", lang.t("srv.token_once"));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn push(args: PushArgs) -> Result<ExitCode> {
    let lang = Lang::from_env();
    let body = std::fs::read(&args.report)
        .with_context(|| format!("cannot read {}", args.report.display()))?;
    let url = format!("{}/api/v1/reports", args.server.trim_end_matches('/'));
    let mut config = ureq::Agent::config_builder().http_status_as_error(false);
    if let Some(ca) = &args.ca {
        let pem = std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?;
        let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            bail!("{} holds no PEM certificate", ca.display());
        }
        config = config.tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(certs)))
                .build(),
        );
    }
    let agent: ureq::Agent = config.build().into();
    let mut res = agent
        .post(&url)
        .header("Authorization", &format!("Bearer {}", args.token.trim()))
        .header("Content-Type", "application/json")
        .send(&body[..])
        .with_context(|| lang.fill("srv.unreachable", &[&url]))?;
    let status = res.status().as_u16();
    let text = res.body_mut().read_to_string().unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    match status {
        200 | 201 => {
            let findings = json["findings"]
                .as_u64()
                .map_or("-".into(), |n| n.to_string());
            let shown = [
                &args.report.display() as &dyn std::fmt::Display,
                &json["status"].as_str().unwrap_or("stored"),
                &json["report_row"],
                &findings,
            ];
            println!("{}", lang.fill("srv.push_ok", &shown));
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!(lang.fill(
            "srv.push_refused",
            &[&status, &json["error"].as_str().unwrap_or(&text)],
        )),
    }
}

pub fn audit(action: AuditAction) -> Result<ExitCode> {
    let lang = Lang::from_env();
    runtime()?.block_on(async {
        match action {
            AuditAction::Verify { db } => {
                let store = open(&db).await?;
                let v = store.audit_verify().await?;
                if v.problems.is_empty() {
                    println!("{}", lang.fill("srv.audit_ok", &[&v.entries]));
                    Ok(ExitCode::SUCCESS)
                } else {
                    println!("{}", lang.fill("srv.audit_broken", &[&v.entries]));
                    for p in &v.problems {
                        println!("{}", lang.fill("srv.audit_entry", &[&p.seq, &p.what]));
                    }
                    Ok(ExitCode::from(1))
                }
            }
        }
    })
}

pub fn correlate(args: CorrelateArgs) -> Result<ExitCode> {
    let lang = Lang::from_env();
    if !args.all {
        bail!("{}", lang.t("srv.correlate_all_only"));
    }
    runtime()?.block_on(async {
        let store = open(&args.db).await?;
        let started = std::time::Instant::now();
        let (subjects, found) = store.correlate_all().await?;
        println!(
            "{}",
            lang.fill(
                "srv.correlated",
                &[
                    &subjects,
                    &found,
                    &format!("{:.1}", started.elapsed().as_secs_f64())
                ]
            )
        );
        Ok(ExitCode::SUCCESS)
    })
}
