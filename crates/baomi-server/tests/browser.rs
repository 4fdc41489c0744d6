//! The core flow in a real headless Chromium, through chromedriver: sign in, register a computer,
//! import a report by uploading the file, open a finding. Screenshots of each step are kept under
//! `target/tmp/browser/` as artifacts. The server runs on SQLite here; the same routes run on both
//! backends in `server.rs`.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`; CI
//! installs them). Without them the test fails; `BAOMI_SKIP_BROWSER=1` skips it on purpose, loudly.
//!
//! The WebDriver client is the handful of W3C WebDriver commands the flow needs, over `ureq`: a
//! browser-automation crate would bring an async HTTP stack of its own for the same five requests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use baomi_server::{AppState, hash_password};
use baomi_store::{NewUser, Role};
use base64::Engine;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const REPORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/reports/hostroot-classified.json"
);

struct Driver {
    base: String,
    session: String,
    agent: ureq::Agent,
    process: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self
            .agent
            .delete(&format!("{}/session/{}", self.base, self.session))
            .call();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    fn start(chromium: &Path, chromedriver: &Path) -> Driver {
        let port = free_port();
        let process = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let deadline = Instant::now() + Duration::from_secs(20);
        while agent.get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1000", "--lang=zh-CN"],
            }
        }}});
        let mut d = Driver {
            base,
            session: String::new(),
            agent,
            process,
        };
        let v = d.call("POST", "/session", Some(caps));
        d.session = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_owned();
        d
    }

    /// One WebDriver command; its `value`.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let mut res = match method {
            "GET" => self.agent.get(&url).call(),
            _ => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or(json!({})).to_string()),
        }
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let text = res.body_mut().read_to_string().unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(
            res.status().is_success(),
            "{method} {path}: {} {}",
            res.status(),
            v
        );
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn element(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_owned()
    }

    fn type_in(&self, css: &str, text: &str) {
        let e = self.element(css);
        self.call(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn click(&self, css: &str) {
        let e = self.element(css);
        self.call("POST", &format!("/element/{e}/click"), None);
    }

    fn source(&self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn url(&self) -> String {
        self.call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Wait (up to 15 s) until the browser is at a URL containing `part`: a click on a submit button
    /// returns before the answer to the form has loaded.
    fn wait_for_url(&self, part: &str) {
        self.wait_until(part, |url| url.contains(part));
    }

    /// Wait (up to 15 s) until the URL satisfies `ok`; `part` names what is awaited in the failure.
    fn wait_until(&self, part: &str, ok: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !ok(&self.url()) {
            assert!(
                Instant::now() < deadline,
                "still at {} (wanted {part}); page:\n{}",
                self.url(),
                self.source()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, dir: &Path, name: &str) {
        let b64 = self.call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_register_import_open_a_finding() {
    if std::env::var_os("BAOMI_SKIP_BROWSER").is_some() {
        eprintln!("SKIPPED on request (BAOMI_SKIP_BROWSER): the browser test did not run");
        return;
    }
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"])
        .expect("chromium is needed by this test (apt-get install chromium chromium-driver)");
    let chromedriver = find_program(&["chromedriver"])
        .expect("chromedriver is needed (apt-get install chromium-driver)");
    let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&artifacts).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let store = baomi_store::testing::fresh_sqlite(dir.path()).await;
    let dept = store
        .create_department("t", "第一检察部", None)
        .await
        .unwrap();
    let hash = hash_password("correct horse battery").unwrap();
    store
        .create_user(
            "t",
            &NewUser {
                username: "bmb",
                display_name: "保密办",
                password_hash: &hash,
                role: Role::Admin,
                department_id: None,
            },
        )
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = AppState {
        store: store.clone(),
        secure_cookies: false,
    };
    tokio::spawn(baomi_server::serve(app, listener));
    let site = format!("http://{addr}");
    let machine_id = serde_json::from_str::<Value>(&std::fs::read_to_string(REPORT).unwrap())
        .unwrap()["host"]["machine_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // WebDriver calls block: they run off the async threads that serve the pages.
    let report = std::fs::canonicalize(REPORT).unwrap();
    tokio::task::spawn_blocking(move || {
        let d = Driver::start(&chromium, &chromedriver);

        d.go(&format!("{site}/login"));
        d.type_in("input[name=username]", "bmb");
        d.type_in("input[name=password]", "correct horse battery");
        d.screenshot(&artifacts, "1-login");
        d.click("button[type=submit]");
        let deadline = Instant::now() + Duration::from_secs(15);
        while !d.source().contains("总览") {
            assert!(Instant::now() < deadline, "not signed in: {}", d.source());
            std::thread::sleep(Duration::from_millis(100));
        }
        d.screenshot(&artifacts, "2-dashboard");

        d.go(&format!("{site}/computers/new"));
        d.type_in("input[name=asset_no]", "JCY-2026-001");
        d.type_in("input[name=name]", "保密办涉密计算机");
        d.click(&format!(
            "select[name=department_id] option[value='{dept}']"
        ));
        d.click("select[name=zone] option[value=classified]");
        d.click("select[name=level] option[value=secret]");
        d.type_in("input[name=custodian]", "张三");
        d.type_in("input[name=machine_id]", &machine_id);
        d.screenshot(&artifacts, "3-register-computer");
        d.click("form[action='/computers'] button[type=submit]");
        // The new computer's page, not the form it was sent from (`/computers/new`).
        d.wait_until("/computers/{id}", |url| {
            url.rsplit('/')
                .next()
                .is_some_and(|last| last.parse::<i64>().is_ok())
        });
        assert!(d.source().contains("JCY-2026-001"));

        d.go(&format!("{site}/reports/import"));
        d.type_in("input[type=file]", report.to_str().unwrap());
        d.screenshot(&artifacts, "4-import");
        d.click("form[action='/reports/import'] button[type=submit]");
        // Linked by machine id: the answer is the computer's page.
        d.wait_for_url("?imported=");
        let page = d.source();
        assert!(
            page.contains("content.marking"),
            "the findings are on the computer's page"
        );
        d.screenshot(&artifacts, "5-computer-with-findings");

        d.click("a[href^='/findings/']");
        d.wait_for_url("/findings/");
        let finding = d.source();
        assert!(
            finding.contains("命中内容") && finding.contains("判定依据"),
            "evidence shown"
        );
        d.screenshot(&artifacts, "6-finding");
        eprintln!("screenshots in {}", artifacts.display());
    })
    .await
    .unwrap();
    assert!(store.audit_verify().await.unwrap().problems.is_empty());
}
