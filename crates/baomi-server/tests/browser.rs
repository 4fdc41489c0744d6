//! The core flows in a real headless Chromium, through chromedriver: sign in, register a computer,
//! import a report by uploading the file, open a finding; then the office's follow-up: the
//! correlations, a rectification task from the finding to closure (verification proposed by the
//! next report), a campaign's coverage and an on-site result, the quarter's scorecard and notice. Screenshots of each step are kept under
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

    // The next inspection of the same computer, a week later, without the marked file.
    let mut next: Value = serde_json::from_str(&std::fs::read_to_string(REPORT).unwrap()).unwrap();
    next["report_id"] = "browser-later-report".into();
    next["started_at"] = "2026-12-03T02:00:00Z".into();
    next["finished_at"] = "2026-12-03T02:05:00Z".into();
    let kept: Vec<Value> = next["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] != "content.marking")
        .cloned()
        .collect();
    next["findings"] = kept.into();
    let later = dir.path().join("later-report.json");
    std::fs::write(&later, next.to_string()).unwrap();
    // A campaign over the whole office this quarter, with the administrator as its inspector.
    let campaign = store
        .create_campaign(
            "t",
            baomi_store::campaigns::CampaignInput {
                name: "2026年第四季度保密检查".into(),
                kind: "regular".into(),
                starts: "2026-10-01".into(),
                ends: "2026-12-31".into(),
                inspectors: vec!["bmb".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let handle = tokio::runtime::Handle::current();
    let finding_store = store.clone();
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
        let marked = handle
            .block_on(finding_store.findings(&baomi_store::FindingFilter {
                rule: Some("content.marking".into()),
                ..Default::default()
            }))
            .unwrap()[0]
            .id;
        let finding = d.source();
        assert!(
            finding.contains("命中内容") && finding.contains("判定依据"),
            "evidence shown"
        );
        d.screenshot(&artifacts, "6-finding");

        // The whole office's view: the classified computer's Internet traces, by the register's zone.
        d.go(&format!("{site}/correlations"));
        assert!(d.source().contains("涉密计算机有上互联网痕迹"));
        d.screenshot(&artifacts, "7-correlations");

        // Rectify the marked file: a task from the finding's page, then reported fixed.
        d.go(&format!("{site}/findings/{marked}"));
        d.type_in("input[name=assignee]", "张三");
        d.click(&format!(
            "form[action='/findings/{marked}/rectification'] button[type=submit]"
        ));
        d.wait_for_url("/rectifications/");
        let task_url = d.url();
        d.click("select[name=to] option[value=fixed]");
        d.type_in(
            "textarea[name=comment]",
            "已将该文件移至涉密计算机并彻底删除",
        );
        d.click("form[enctype='multipart/form-data'] button[type=submit]");
        wait_for_text(&d, "id=\"state\"><b>已整改</b>");
        d.screenshot(&artifacts, "8-task-fixed");

        // The next inspection no longer finds it: verification is proposed, confirmed, closed.
        d.go(&format!("{site}/reports/import"));
        d.type_in("input[type=file]", later.to_str().unwrap());
        d.click("form[action='/reports/import'] button[type=submit]");
        d.wait_for_url("?imported=");
        d.go(&task_url);
        assert!(
            d.source().contains("id=\"proposal\""),
            "verification proposed"
        );
        d.screenshot(&artifacts, "9-verification-proposed");
        d.click("select[name=to] option[value=verified]");
        d.click("form[enctype='multipart/form-data'] button[type=submit]");
        wait_for_text(&d, "id=\"state\"><b>已复查</b>");
        d.click("select[name=to] option[value=closed]");
        d.click("form[enctype='multipart/form-data'] button[type=submit]");
        wait_for_text(&d, "id=\"state\"><b>已销号</b>");

        // The campaign: coverage and an on-site result.
        d.go(&format!("{site}/campaigns/{campaign}"));
        assert!(d.source().contains("已检查 1 / 1"), "{}", d.source());
        let form = "form[action$='/results']";
        d.click(&format!("{form} select[name=result] option[value=fail]"));
        d.type_in(&format!("{form} input[name=note]"), "未粘贴密级标识");
        d.click(&format!("{form} button[type=submit]"));
        wait_for_text(&d, "未粘贴密级标识");
        d.screenshot(&artifacts, "10-campaign");

        // The quarter's scorecard and notice.
        d.go(&format!("{site}/scorecards?period=2026-Q4"));
        let card = d.source();
        assert!(
            card.contains("第一检察部") && card.contains("否决"),
            "{card}"
        );
        d.screenshot(&artifacts, "11-scorecard");
        d.go(&format!("{site}/scorecards/notice?period=2026-Q4"));
        assert!(d.source().contains("关于2026年第四季度保密检查情况的通报"));
        d.screenshot(&artifacts, "12-notice");
        d.go(&format!("{site}/"));
        d.screenshot(&artifacts, "13-dashboard-charts");
        eprintln!("screenshots in {}", artifacts.display());
    })
    .await
    .unwrap();
    assert!(store.audit_verify().await.unwrap().problems.is_empty());
}

/// Wait (up to 15 s) until the page shows `text`: a form's answer loads after the click returns.
fn wait_for_text(d: &Driver, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !d.source().contains(text) {
        assert!(
            Instant::now() < deadline,
            "no {text:?} on {}:\n{}",
            d.url(),
            d.source()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
