//! Internet traces: the history and downloads of every Chromium-family and Firefox profile under every
//! home. A visit to an Internet site recorded on a classified computer is exactly what inspectors look
//! for (涉密不上网), and a file downloaded from the Internet is then read by the content sweep.
//!
//! Profiles: each Chromium-family user-data folder known by name (table [`CHROMIUM_DIRS`]), plus any
//! other folder in `~/.config` (one or two levels down) holding a `Local State`, since Chinese
//! browsers rename theirs between versions; inside it, the profiles `Local State` lists
//! (`profile.info_cache`) and any sub-folder with a `History` file. Firefox: `profiles.ini`,
//! `installs.ini` and any folder holding `places.sqlite`, in the classic, snap and flatpak places.
//!
//! Databases are read into memory and opened there ([`sqlite`]), so a running browser, its lock and
//! its WAL are respected and nothing is written, not even a `-shm`.
//!
//! URLs that name no network host (`file:`, `chrome:`, `about:`, `data:` …) are not web visits: they are
//! counted in the summary and left out of `web_visits`.
//!
//! Browser ids written in `web_visits[].browser`: `chrome`, `chromium`, `edge`, `brave`, `vivaldi`,
//! `opera`, `yandex`, `360`, `qaxbrowser`, `qqbrowser`, `sogou`, `deepin`, `lbrowser` (Loongson), `firefox`;
//! a Chromium-family folder not in the table is named by its folder (`.config/foo` → `foo`).

pub mod chromium;
pub mod firefox;
pub mod sqlite;
pub mod wal;

use crate::catalogue::{CheckInfo, RuleInfo, Text};
use crate::{CheckRun, HostContext, HostFinding, Root};
use baomi_core::Severity::{Critical, High, Info, Low, Medium};
use baomi_core::net::{UrlClass, url_host};
use baomi_core::{Artifacts, Evidence, WebDownload, WebVisit};
use std::collections::{BTreeMap, BTreeSet};

/// URLs kept per profile (the most recent): a long history is tens of thousands of URLs, and the
/// report must stay readable; a capped profile says so in the check's message.
pub const MAX_VISITS: usize = 50_000;
/// URLs looked at per profile at most (each is counted in the profile's finding, even past
/// [`MAX_VISITS`]); bounds the time one enormous or crafted database can take.
pub const MAX_SCAN: usize = 2_000_000;
/// Downloads kept per profile.
pub const MAX_DOWNLOADS: usize = 10_000;
/// Profiles read at most (per run), so a home full of copied profiles cannot make the check endless.
const MAX_PROFILES: usize = 500;

/// Chromium-family user-data folders under a home, and the browser id written for them. Names come
/// from the browsers' own packages and from tools that read them (360 for Linux has used
/// `browser360`, `360browser`, `360chrome` and `com.360.browser`; 奇安信可信浏览器 `qaxbrowser`; deepin's
/// browser `.config/browser`).
pub const CHROMIUM_DIRS: &[(&str, &str)] = &[
    (".config/google-chrome", "chrome"),
    (".config/google-chrome-beta", "chrome"),
    (".config/google-chrome-unstable", "chrome"),
    (".config/chromium", "chromium"),
    (".config/microsoft-edge", "edge"),
    (".config/microsoft-edge-beta", "edge"),
    (".config/microsoft-edge-dev", "edge"),
    (".config/BraveSoftware/Brave-Browser", "brave"),
    (".config/BraveSoftware/Brave-Browser-Beta", "brave"),
    (".config/BraveSoftware/Brave-Browser-Nightly", "brave"),
    (".config/vivaldi", "vivaldi"),
    (".config/opera", "opera"),
    (".config/yandex-browser", "yandex"),
    (".config/browser360", "360"),
    (".config/360browser", "360"),
    (".config/360chrome", "360"),
    (".config/com.360.browser", "360"),
    (".config/qaxbrowser", "qaxbrowser"),
    (".config/qianxin", "qaxbrowser"),
    (".config/com.qianxin.browser-stable", "qaxbrowser"),
    (".config/qqbrowser", "qqbrowser"),
    (".config/Tencent/QQBrowser", "qqbrowser"),
    (".config/sogouexplorer", "sogou"),
    (".config/browser", "deepin"),
    (".config/deepin-browser", "deepin"),
    (".config/cn.loongnix.lbrowser", "lbrowser"),
    ("snap/chromium/common/chromium", "chromium"),
    (".var/app/org.chromium.Chromium/config/chromium", "chromium"),
    (".var/app/com.google.Chrome/config/google-chrome", "chrome"),
    (".var/app/com.microsoft.Edge/config/microsoft-edge", "edge"),
    (
        ".var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser",
        "brave",
    ),
];

/// Firefox profile folders' parents under a home (classic, XDG, snap, flatpak).
pub const FIREFOX_DIRS: &[&str] = &[
    ".mozilla/firefox",
    // Firefox 147 and later follow the XDG base directories: a new profile is made here (seen with
    // firefox-esr 153 on Debian 12: `firefox-esr -CreateProfile` writes ~/.config/mozilla/firefox/).
    ".config/mozilla/firefox",
    "snap/firefox/common/.mozilla/firefox",
    ".var/app/org.mozilla.firefox/.mozilla/firefox",
];
/// Visits to Internet sites.
pub const INTERNET_VISIT: RuleInfo = RuleInfo {
    id: "web.internet_visit",
    title: Text {
        en: "browser history shows Internet sites were visited",
        zh: "浏览器历史记录显示曾访问互联网",
    },
    severities: [Critical, High, Info, Medium],
};

/// Files downloaded from the Internet.
pub const INTERNET_DOWNLOAD: RuleInfo = RuleInfo {
    id: "web.internet_download",
    title: Text {
        en: "a file was downloaded from the Internet",
        zh: "曾从互联网下载文件",
    },
    severities: [Critical, High, Info, Low],
};

/// The check.
pub const INFO: CheckInfo = CheckInfo {
    id: "web",
    name: Text {
        en: "Internet traces (browsers)",
        zh: "上网痕迹（浏览器）",
    },
    reads: Text {
        en: "History and downloads of Chrome, Chromium, Edge, 360, 奇安信 (qaxbrowser), QQ, Sogou and other Chromium-family profiles (all profiles from Local State) and Firefox places.sqlite, opened read-only without touching locks or WAL",
        zh: "Chrome、Chromium、Edge、360、奇安信可信浏览器、QQ、搜狗等 Chromium 内核浏览器（按 Local State 列出的全部配置）和 Firefox places.sqlite 的历史与下载记录，只读打开，不触碰锁与 WAL",
    },
    rules: &[INTERNET_VISIT, INTERNET_DOWNLOAD],
};

/// Which database a profile keeps its history in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Chromium-family `History`.
    Chromium,
    /// Firefox `places.sqlite`.
    Firefox,
}

/// One browser profile found on the inspected system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Browser id (`chromium`, `qaxbrowser`, `firefox`, …).
    pub browser: String,
    /// Profile folder name (`Default`, `Profile 1`, `abcd1234.default-esr`).
    pub profile: String,
    /// The name the user sees, when the browser records one (`Local State`, `profiles.ini`).
    pub name: Option<String>,
    /// Its history database, as seen on the inspected system.
    pub db: String,
    /// Which kind of database.
    pub kind: Kind,
}

/// A URL with its visits, times in microseconds since 1970.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Visit {
    /// The URL.
    pub url: String,
    /// Page title.
    pub title: Option<String>,
    /// Visits the browser counted.
    pub visits: u64,
    /// First visit still recorded.
    pub first_us: Option<i64>,
    /// Last visit.
    pub last_us: Option<i64>,
}

/// A download, times in microseconds since 1970.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Download {
    /// Where it came from (the final URL after redirects, where the browser records the chain).
    pub url: String,
    /// Where the user chose to save it.
    pub target_path: String,
    /// Where it is while (or if) still in progress, when different.
    pub current_path: Option<String>,
    /// When it started.
    pub start_us: Option<i64>,
    /// Bytes received.
    pub bytes: Option<u64>,
}

/// What one history database holds.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// URLs, most recent first.
    pub visits: Vec<Visit>,
    /// Downloads.
    pub downloads: Vec<Download>,
    /// More URLs existed than [`MAX_VISITS`].
    pub capped: bool,
    /// Rows without a URL or path, skipped.
    pub skipped: u64,
    /// The database failed part-way (what was read before is kept).
    pub damaged: Option<String>,
}

/// Read one profile's history.
pub fn read_profile(
    root: &Root,
    p: &Profile,
    cap: usize,
    each: &mut dyn FnMut(&Visit),
) -> Result<(History, sqlite::Db), String> {
    let db = sqlite::open(root, &p.db)?;
    let history = match p.kind {
        Kind::Chromium => chromium::read(&db.conn, cap, each)?,
        Kind::Firefox => firefox::read(&db.conn, cap, each)?,
    };
    Ok((history, db))
}

/// Read a history database and its WAL given as bytes (what [`read_profile`] does after reading the
/// files; the fuzz target's entry point).
pub fn read_bytes(
    db: Vec<u8>,
    wal: Option<&[u8]>,
    kind: Kind,
    cap: usize,
) -> Result<History, String> {
    let db = sqlite::from_bytes(db, wal)?;
    match kind {
        Kind::Chromium => chromium::read(&db.conn, cap, &mut |_| {}),
        Kind::Firefox => firefox::read(&db.conn, cap, &mut |_| {}),
    }
}

/// Every browser profile under the inspected system's homes.
pub fn find_profiles(root: &Root) -> Vec<Profile> {
    let mut out: Vec<Profile> = Vec::new();
    for home in root.homes() {
        let mut dirs: Vec<(String, String)> = Vec::new();
        for (rel, id) in CHROMIUM_DIRS {
            let dir = Root::child(&home.path, rel);
            if root.is_dir(&dir) {
                dirs.push((dir, (*id).to_owned()));
            }
        }
        // Folders the table does not know, recognised by their `Local State`.
        let config = Root::child(&home.path, ".config");
        for name in root.list(&config).unwrap_or_default() {
            let dir = Root::child(&config, &name);
            let mut candidates = vec![(dir.clone(), name.clone())];
            if !root.exists(&Root::child(&dir, "Local State")) && root.is_dir(&dir) {
                for sub in root.list(&dir).unwrap_or_default().into_iter().take(64) {
                    candidates.push((Root::child(&dir, &sub), sub));
                }
            }
            for (dir, name) in candidates {
                if root.exists(&Root::child(&dir, "Local State"))
                    && !dirs.iter().any(|(d, _)| *d == dir)
                {
                    dirs.push((dir, guess_id(&name)));
                }
            }
        }
        for (dir, id) in dirs {
            chromium_profiles(root, &dir, &id, &mut out);
        }
        for rel in FIREFOX_DIRS {
            let dir = Root::child(&home.path, rel);
            if root.is_dir(&dir) {
                firefox_profiles(root, &dir, &mut out);
            }
        }
    }
    out.truncate(MAX_PROFILES);
    out
}

fn guess_id(folder: &str) -> String {
    let f = folder.to_ascii_lowercase();
    let id = if f.contains("360") {
        "360"
    } else if f.contains("qax") || f.contains("qianxin") {
        "qaxbrowser"
    } else if f.contains("qqbrowser") {
        "qqbrowser"
    } else if f.contains("sogou") {
        "sogou"
    } else if f.contains("edge") {
        "edge"
    } else if f.contains("chrome") {
        "chrome"
    } else {
        return f;
    };
    id.to_owned()
}

fn push(out: &mut Vec<Profile>, p: Profile) {
    if !out.iter().any(|q| q.db == p.db) {
        out.push(p);
    }
}

fn chromium_profiles(root: &Root, dir: &str, id: &str, out: &mut Vec<Profile>) {
    let mut names: BTreeMap<String, Option<String>> = BTreeMap::new();
    if let Ok(text) = root.read_text(&Root::child(dir, "Local State"), 16 << 20)
        && let Ok(state) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(cache) = state
            .pointer("/profile/info_cache")
            .and_then(serde_json::Value::as_object)
    {
        for (folder, info) in cache.iter().take(MAX_PROFILES) {
            let name = info.get("name").and_then(serde_json::Value::as_str);
            names.insert(folder.clone(), name.map(str::to_owned));
        }
    }
    // Profiles `Local State` forgot (it is rewritten on exit; a crash or a copied folder loses them).
    for entry in root.list(dir).unwrap_or_default().into_iter().take(1000) {
        if !names.contains_key(&entry)
            && root.exists(&Root::child(&Root::child(dir, &entry), "History"))
        {
            names.insert(entry, None);
        }
    }
    for (folder, name) in names {
        // A folder name from `Local State` is data: never let it climb out of the user-data folder.
        if folder.is_empty() || folder.contains('/') || folder == "." || folder == ".." {
            continue;
        }
        let db = Root::child(&Root::child(dir, &folder), "History");
        if root.exists(&db) {
            push(
                out,
                Profile {
                    browser: id.to_owned(),
                    profile: folder,
                    name,
                    db,
                    kind: Kind::Chromium,
                },
            );
        }
    }
}

/// `[Section]` → key → value of an INI file (profiles.ini, installs.ini).
fn ini(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut sections: Vec<BTreeMap<String, String>> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            sections.push(BTreeMap::new());
        } else if let (Some((k, v)), Some(section)) = (line.split_once('='), sections.last_mut()) {
            section.insert(k.trim().to_owned(), v.trim().to_owned());
        }
    }
    sections
}

fn firefox_profiles(root: &Root, dir: &str, out: &mut Vec<Profile>) {
    let mut found: Vec<(String, Option<String>)> = Vec::new();
    for file in ["profiles.ini", "installs.ini"] {
        let Ok(text) = root.read_text(&Root::child(dir, file), 1 << 20) else {
            continue;
        };
        for section in ini(&text) {
            let key = if file == "profiles.ini" {
                "Path"
            } else {
                "Default"
            };
            let Some(path) = section.get(key).filter(|p| !p.is_empty()) else {
                continue;
            };
            // installs.ini paths are relative; profiles.ini says so with IsRelative.
            let relative =
                file == "installs.ini" || section.get("IsRelative").is_none_or(|v| v.trim() != "0");
            let full = if relative {
                Root::child(dir, path)
            } else {
                path.clone()
            };
            found.push((full, section.get("Name").cloned()));
        }
    }
    for entry in root.list(dir).unwrap_or_default().into_iter().take(1000) {
        found.push((Root::child(dir, &entry), None));
    }
    for (path, name) in found {
        let db = Root::child(&path, "places.sqlite");
        if !root.exists(&db) {
            continue;
        }
        let folder = path
            .rsplit('/')
            .find(|s| !s.is_empty())
            .unwrap_or(&path)
            .to_owned();
        push(
            out,
            Profile {
                browser: "firefox".into(),
                profile: folder,
                name,
                db,
                kind: Kind::Firefox,
            },
        );
    }
}

/// RFC 3339, whole seconds.
fn rfc3339(us: Option<i64>) -> Option<String> {
    let ts = jiff::Timestamp::from_second(us?.div_euclid(1_000_000)).ok()?;
    Some(ts.to_string())
}

fn day(us: i64) -> String {
    jiff::Timestamp::from_second(us.div_euclid(1_000_000))
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| "?".into())
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A profile's URLs counted as they stream past (all of them, not only the ones listed).
#[derive(Default)]
struct Tally {
    urls: u64,
    local: u64,
    internet_urls: u64,
    internet_visits: u64,
    by_host: BTreeMap<String, u64>,
    first: Option<i64>,
    last: Option<i64>,
}

impl Tally {
    fn add(&mut self, class: UrlClass, v: &Visit) {
        match class {
            UrlClass::Local => self.local += 1,
            UrlClass::Intranet => self.urls += 1,
            UrlClass::Internet => {
                self.urls += 1;
                self.internet_urls += 1;
                let n = v.visits.max(1);
                self.internet_visits += n;
                // Distinct hosts are bounded by the URLs scanned (MAX_SCAN).
                if let Some(h) = url_host(&v.url) {
                    *self.by_host.entry(h.to_ascii_lowercase()).or_default() += n;
                }
                for t in [v.first_us, v.last_us].into_iter().flatten() {
                    self.first = Some(self.first.map_or(t, |f| f.min(t)));
                    self.last = Some(self.last.map_or(t, |l| l.max(t)));
                }
            }
        }
    }

    /// One line on the Internet visits ("1,234 visits to 56 Internet sites between … , most: …"), the
    /// same in Chinese, and the most-visited host.
    fn excerpt(&self) -> (String, String, String) {
        let mut ranked: Vec<(&String, &u64)> = self.by_host.iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let top5 = || ranked.iter().take(5);
        let most: Vec<String> = top5()
            .map(|(h, n)| format!("{h} ({})", thousands(**n)))
            .collect();
        let most_zh: Vec<String> = top5()
            .map(|(h, n)| format!("{h}（{} 次）", thousands(**n)))
            .collect();
        let (total, sites) = (self.internet_visits, self.by_host.len() as u64);
        let mut line = format!(
            "{} visit{} to {} Internet site{}",
            thousands(total),
            if total == 1 { "" } else { "s" },
            thousands(sites),
            if sites == 1 { "" } else { "s" },
        );
        let mut zh = "浏览器历史记录：".to_owned();
        if let (Some(first), Some(last)) = (self.first, self.last) {
            let (a, b) = (day(first), day(last));
            if a == b {
                line.push_str(&format!(" on {a}"));
                zh.push_str(&format!("{a} "));
            } else {
                line.push_str(&format!(" between {a} and {b}"));
                zh.push_str(&format!("{a} 至 {b} 期间"));
            }
        }
        line.push_str(&format!(", most: {}", most.join(", ")));
        zh.push_str(&format!(
            "访问互联网站点 {} 个、共 {} 次，最多：{}",
            thousands(sites),
            thousands(total),
            most_zh.join("、")
        ));
        let top = ranked
            .first()
            .map(|(h, _)| (*h).clone())
            .unwrap_or_default();
        (line, zh, top)
    }
}

/// Run the check.
pub fn run(ctx: &HostContext<'_>, out: &mut CheckRun, artifacts: &mut Artifacts) {
    let profiles = find_profiles(ctx.root);
    if profiles.is_empty() {
        out.not_applicable = true;
        out.summarize("no browser profile found", "未发现浏览器配置");
        return;
    }
    let (mut urls, mut internet_urls, mut local, mut downloads) = (0u64, 0u64, 0u64, 0u64);
    let mut browsers: BTreeSet<&str> = BTreeSet::new();
    let mut sweep: BTreeSet<String> = BTreeSet::new();
    for p in &profiles {
        let mut tally = Tally::default();
        let mut count = |v: &Visit| tally.add(ctx.intranet.classify_url(&v.url), v);
        let (history, db) = match read_profile(ctx.root, p, MAX_VISITS, &mut count) {
            Ok(r) => r,
            Err(e) => {
                out.problem(format!("{}: {e}", p.db));
                continue;
            }
        };
        out.examined += 1;
        browsers.insert(&p.browser);
        for note in &db.notes {
            out.problem(note.clone());
        }
        if let Some(e) = &history.damaged {
            out.problem2(
                format!("{}: damaged, read in part ({e})", p.db),
                format!("{}：文件损坏，仅读取了一部分（{e}）", p.db),
            );
        }
        if history.capped {
            out.problem2(
                format!(
                    "{}: more than {} URLs, only the most recent were listed (all were counted)",
                    p.db,
                    thousands(MAX_VISITS as u64)
                ),
                format!(
                    "{}：网址超过 {} 条，仅列出最近的（全部已计数）",
                    p.db,
                    thousands(MAX_VISITS as u64)
                ),
            );
        }
        urls += tally.urls;
        internet_urls += tally.internet_urls;
        local += tally.local;
        for v in &history.visits {
            let is_internet = match ctx.intranet.classify_url(&v.url) {
                UrlClass::Local => continue,
                UrlClass::Intranet => false,
                UrlClass::Internet => true,
            };
            artifacts.web_visits.push(WebVisit {
                browser: p.browser.clone(),
                profile: p.profile.clone(),
                url: v.url.clone(),
                title: v.title.clone(),
                first_visit: rfc3339(v.first_us.or(v.last_us)),
                last_visit: rfc3339(v.last_us),
                visits: v.visits,
                internet: is_internet,
            });
        }
        let (who, who_zh) = match &p.name {
            Some(n) if *n != p.profile => (
                format!("{} profile \"{}\" ({n})", p.browser, p.profile),
                format!("{} 配置“{}”（{n}）", p.browser, p.profile),
            ),
            _ => (
                format!("{} profile \"{}\"", p.browser, p.profile),
                format!("{} 配置“{}”", p.browser, p.profile),
            ),
        };
        if tally.internet_urls > 0 {
            let (excerpt, excerpt_zh, top) = tally.excerpt();
            out.add(
                ctx,
                &INFO,
                &INTERNET_VISIT,
                HostFinding {
                    path: p.db.clone(),
                    level: None,
                    confidence: 1.0,
                    title: format!("Browser history of {who} shows visits to Internet sites"),
                    evidence: Evidence {
                        excerpt,
                        excerpt_zh: Some(excerpt_zh),
                        matched: top,
                        why: "internet_history".into(),
                        ..Default::default()
                    },
                    // One finding per profile: its id must not move when the top site does.
                    identity: Some(String::new()),
                },
            );
        }
        for d in &history.downloads {
            downloads += 1;
            let is_internet = ctx.intranet.classify_url(&d.url) == UrlClass::Internet;
            for path in std::iter::once(&d.target_path).chain(d.current_path.as_ref()) {
                if path.starts_with('/') {
                    sweep.insert(path.clone());
                }
            }
            artifacts.web_downloads.push(WebDownload {
                browser: p.browser.clone(),
                profile: p.profile.clone(),
                url: d.url.clone(),
                target_path: d.target_path.clone(),
                started: rfc3339(d.start_us),
                bytes: d.bytes,
                internet: is_internet,
            });
            if is_internet {
                let started = rfc3339(d.start_us);
                let when = started.clone().unwrap_or_else(|| "an unknown time".into());
                let size = d
                    .bytes
                    .map(|b| format!(", {} bytes", thousands(b)))
                    .unwrap_or_default();
                let excerpt_zh = format!(
                    "{}从 {} 下载{}；来自 {who_zh}，记录于 {}",
                    started.map_or_else(|| "时间不详，".to_owned(), |t| format!("于 {t} ")),
                    d.url,
                    d.bytes
                        .map(|b| format!("，{} 字节", thousands(b)))
                        .unwrap_or_default(),
                    p.db
                );
                out.add(
                    ctx,
                    &INFO,
                    &INTERNET_DOWNLOAD,
                    HostFinding {
                        identity: None,
                        path: if d.target_path.is_empty() {
                            p.db.clone()
                        } else {
                            d.target_path.clone()
                        },
                        level: None,
                        confidence: 1.0,
                        title: format!("File downloaded from the Internet with {who}"),
                        evidence: Evidence {
                            excerpt: format!(
                                "downloaded from {} at {when}{size} ({who}, {})",
                                d.url, p.db
                            ),
                            excerpt_zh: Some(excerpt_zh),
                            matched: d.url.clone(),
                            why: "internet_download".into(),
                            ..Default::default()
                        },
                    },
                );
            }
        }
    }
    out.sweep.extend(sweep);
    let browsers = browsers.into_iter().collect::<Vec<_>>().join(", ");
    let en = format!(
        "{} browser profile{} read ({browsers}): {} URLs, {} on the Internet; {} downloads; {} local pages (file:, chrome:, about:) not listed",
        out.examined,
        if out.examined == 1 { "" } else { "s" },
        thousands(urls),
        thousands(internet_urls),
        thousands(downloads),
        thousands(local),
    );
    let zh = format!(
        "读取 {} 个浏览器配置（{browsers}）：网址 {} 条，其中互联网 {} 条；下载 {} 次；本地页面（file:、chrome:、about:）{} 条未列出",
        out.examined,
        thousands(urls),
        thousands(internet_urls),
        thousands(downloads),
        thousands(local),
    );
    out.summarize(en, zh);
}

#[cfg(test)]
mod tests;
