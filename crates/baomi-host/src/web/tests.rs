//! Tests on History and places.sqlite files written by the real Chromium and Firefox ESR
//! (tests/fixtures/browsers/make.sh) and on the offline test root (tests/fixtures/hostroot).

use super::*;
use crate::root::open_read_only;
use baomi_core::{Policy, Severity, Zone};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    crate::testing::fixture("")
}

fn browsers() -> Root {
    Root::offline(&fixtures().join("browsers")).expect("fixture folder")
}

fn profile(db: &str, kind: Kind) -> Profile {
    Profile {
        browser: "test".into(),
        profile: "p".into(),
        name: None,
        db: db.into(),
        kind,
    }
}

/// The fixture's port differs between regenerations; tests speak of `PORT`.
fn unport(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some((at, host)) = ["www.example-news.cn:", "oa.jcy:", "127.0.0.1:"]
        .iter()
        .filter_map(|h| rest.find(h).map(|at| (at, *h)))
        .min()
    {
        out.push_str(&rest[..at + host.len()]);
        rest = &rest[at + host.len()..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            out.push_str("PORT");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

/// Each URL as `url | title | visits | first == last?`, sorted by URL.
fn visits_of(root: &Root, db: &str, kind: Kind) -> Vec<String> {
    let (h, _) = read_profile(root, &profile(db, kind), MAX_VISITS, &mut |_| {}).expect("reads");
    assert!(h.damaged.is_none() && !h.capped, "{db}: {:?}", h.damaged);
    let mut rows: Vec<String> = h
        .visits
        .iter()
        .map(|v| {
            let (Some(first), Some(last)) = (v.first_us, v.last_us) else {
                return format!("{} | no times", v.url);
            };
            assert!(first <= last, "{}", v.url);
            // Every fixture visit happened on the day it was made.
            assert_eq!(day(first), "2026-11-26", "{}", v.url);
            unport(&format!(
                "{} | {} | {} | {}",
                v.url,
                v.title.as_deref().unwrap_or("-"),
                v.visits,
                if first == last { "once" } else { "first<last" }
            ))
        })
        .collect();
    rows.sort();
    rows
}

fn downloads_of(root: &Root, db: &str, kind: Kind) -> Vec<String> {
    let (h, _) = read_profile(root, &profile(db, kind), MAX_VISITS, &mut |_| {}).expect("reads");
    h.downloads
        .iter()
        .map(|d| {
            unport(&format!(
                "{} -> {} ({} bytes, {})",
                d.url,
                d.target_path,
                d.bytes.unwrap_or(0),
                rfc3339(d.start_us).map_or("no time", |t| if t.starts_with("2026-11-26T") {
                    "that day"
                } else {
                    "wrong day"
                })
            ))
        })
        .collect()
}

#[test]
fn chromium_history() {
    let r = browsers();
    let k = Kind::Chromium;
    assert_eq!(
        visits_of(&r, "/chromium/Default/History", k),
        [
            "http://127.0.0.1:PORT/intranet.html | 内网门户 | 1 | once",
            "http://oa.jcy/oa/docs.html | 公文流转 - 待办事项 | 1 | once",
            "http://oa.jcy/oa/index.html | 检察院内网办公系统 | 1 | once",
            "http://www.example-news.cn/ | 示例新闻网 - 首页 | 1 | once",
            "http://www.example-news.cn/news/1.html | 网络安全新闻：某地开展专项检查 | 2 | first<last",
            "http://www.example-news.cn/news/2.html | 天气预报 北京 晴 | 1 | once",
        ]
    );
    assert_eq!(
        visits_of(&r, "/chromium/Profile 1/History", k),
        ["http://oa.jcy/oa/index.html | 检察院内网办公系统 | 2 | first<last"]
    );
    assert_eq!(
        downloads_of(&r, "/chromium/Default/History", k),
        [
            "http://www.example-news.cn/files/notice -> /tmp/baomi-browsers/Downloads/通知.txt (98 bytes, that day)"
        ]
    );
    assert_eq!(downloads_of(&r, "/chromium/Profile 1/History", k), [""; 0]);
    // Past the cap every URL is still counted; the most recent are kept.
    let mut seen = 0;
    let (h, _) = read_profile(&r, &profile("/chromium/Default/History", k), 2, &mut |_| {
        seen += 1
    })
    .expect("reads");
    assert_eq!((h.visits.len(), h.capped, seen), (2, true, 6));
    assert!(h.visits[0].last_us >= h.visits[1].last_us);
}

#[test]
fn firefox_places_with_wal() {
    let r = browsers();
    let k = Kind::Firefox;
    assert_eq!(
        visits_of(&r, "/firefox/places.sqlite", k),
        [
            "http://oa.jcy:PORT/oa/docs.html | 公文流转 - 待办事项 | 1 | once",
            "http://oa.jcy:PORT/oa/index.html | 检察院内网办公系统 | 1 | once",
            "http://www.example-news.cn:PORT/ | 示例新闻网 - 首页 | 1 | once",
            "http://www.example-news.cn:PORT/news/1.html | 网络安全新闻：某地开展专项检查 | 2 | first<last",
            "http://www.example-news.cn:PORT/news/2.html | 天气预报 北京 晴 | 1 | once",
        ]
    );
    assert_eq!(
        downloads_of(&r, "/firefox/places.sqlite", k),
        [
            "http://www.example-news.cn:PORT/files/notice -> /tmp/baomi-browsers/firefox/Downloads/通知.txt (98 bytes, that day)"
        ]
    );
    let (_, db) =
        read_profile(&r, &profile("/firefox/places.sqlite", k), 10, &mut |_| {}).expect("reads");
    assert_eq!((db.wal.commits > 0, db.wal.uncommitted), (true, 0));
    assert!(db.notes.is_empty(), "{:?}", db.notes);
}

/// The last visits are only in places.sqlite-wal: SQLite's `immutable=1` does not see them, we do.
#[test]
fn wal_only_visits() {
    let file = fixtures().join("browsers/firefox/places.sqlite");
    let uri = format!("file:{}?immutable=1", file.display());
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI;
    let conn = rusqlite::Connection::open_with_flags(uri, flags).expect("opens");
    let immutable: Vec<String> = firefox::read(&conn, 100, &mut |_| {})
        .expect("reads")
        .visits
        .iter()
        .map(|v| unport(&format!("{} {}", v.url, v.title.as_deref().unwrap_or("-"))))
        .collect();
    assert!(
        !immutable.iter().any(|u| u.contains("news/2.html")),
        "{immutable:?}"
    );
    assert!(
        immutable.contains(&"http://oa.jcy:PORT/oa/docs.html -".to_owned()),
        "{immutable:?}"
    );
    let ours = visits_of(&browsers(), "/firefox/places.sqlite", Kind::Firefox);
    assert!(
        ours.iter().any(|u| u.contains("news/2.html | 天气预报")),
        "{ours:?}"
    );
}

/// A temporary offline root holding `files` (path inside the root, bytes).
fn temp_root(files: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, Root) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, bytes) in files {
        let p = dir.path().join(path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(&p, bytes).expect("write");
    }
    let root = Root::offline(dir.path()).expect("root");
    (dir, root)
}

fn fixture_bytes(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(rel)).expect("fixture")
}

/// Damaged databases: an error or a partial read, never a panic.
#[test]
fn damaged_history() {
    let history = fixture_bytes("browsers/chromium/Default/History");
    let places = fixture_bytes("browsers/firefox/places.sqlite");
    let wal = fixture_bytes("browsers/firefox/places.sqlite-wal");
    let mut flipped = history.clone();
    for b in flipped.iter_mut().skip(4096).step_by(97) {
        *b ^= 0x5a;
    }
    let mut bad_header = wal.clone();
    bad_header[24] ^= 1;
    let mut bad_frame = wal.clone();
    bad_frame[40] ^= 1;
    for (case, files, kind, want_err) in [
        (
            "truncated",
            vec![("/h", history[..10_000].to_vec())],
            Kind::Chromium,
            None,
        ),
        ("garbage", vec![("/h", flipped)], Kind::Chromium, None),
        (
            "empty",
            vec![("/h", Vec::new())],
            Kind::Chromium,
            Some("empty file"),
        ),
        (
            "not sqlite",
            vec![("/h", b"hello".to_vec())],
            Kind::Chromium,
            Some("not an SQLite"),
        ),
        (
            "firefox db as History",
            vec![("/h", places.clone())],
            Kind::Chromium,
            Some("unknown schema"),
        ),
        (
            "WAL header damaged",
            vec![("/h", places.clone()), ("/h-wal", bad_header)],
            Kind::Firefox,
            None,
        ),
        (
            "WAL first frame damaged",
            vec![("/h", places.clone()), ("/h-wal", bad_frame)],
            Kind::Firefox,
            None,
        ),
        (
            "WAL truncated mid-frame",
            vec![("/h", places.clone()), ("/h-wal", wal[..5000].to_vec())],
            Kind::Firefox,
            None,
        ),
        (
            "WAL of another database",
            vec![("/h", history.clone()), ("/h-wal", wal.clone())],
            Kind::Chromium,
            None,
        ),
    ] {
        let (_dir, root) = temp_root(&files);
        let got = read_profile(&root, &profile("/h", kind), 100, &mut |_| {});
        match (got, want_err) {
            (Err(e), Some(want)) => assert!(e.contains(want), "{case}: {e}"),
            (Err(e), None) => assert!(!e.is_empty(), "{case}"),
            (Ok(_), Some(want)) => panic!("{case}: read, expected error {want}"),
            (Ok((_, db)), None) => {
                // A bad header or another database's log is told; invalid frames just end the log,
                // as they do for SQLite.
                let told = case == "WAL header damaged" || case == "WAL of another database";
                assert_eq!(!db.notes.is_empty(), told, "{case}: {:?}", db.notes);
            }
        }
    }
}

#[test]
fn hot_journal_is_reported() {
    let history = fixture_bytes("browsers/chromium/Default/History");
    let mut journal = vec![0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
    journal.resize(512, 0);
    let (_dir, root) = temp_root(&[("/h", history), ("/h-journal", journal)]);
    let (h, db) =
        read_profile(&root, &profile("/h", Kind::Chromium), 100, &mut |_| {}).expect("reads");
    assert_eq!(h.visits.len(), 6);
    assert!(
        db.notes.iter().any(|n| n.contains("/h-journal is hot")),
        "{:?}",
        db.notes
    );
}

fn ctx_run(root: &Root, zone: Zone) -> (CheckRun, Artifacts) {
    let mut policy = Policy::default_policy();
    policy.network.intranet_domains.push(".jcy".into());
    crate::testing::run_check(run, root, &policy, zone, false)
}

/// Profiles found in the folders named, with no database → nothing to read.
#[test]
fn discovery() {
    let history = fixture_bytes("browsers/chromium/Profile 1/History");
    let state = fixture_bytes("browsers/chromium/Local State");
    for (case, files, want) in [
        (
            "empty profile folder",
            vec![(
                "/home/u/.config/chromium/Default/Preferences",
                b"{}".to_vec(),
            )],
            vec![],
        ),
        (
            "Local State names the profiles",
            vec![
                ("/home/u/.config/google-chrome/Local State", state.clone()),
                (
                    "/home/u/.config/google-chrome/Default/History",
                    history.clone(),
                ),
                (
                    "/home/u/.config/google-chrome/Profile 1/History",
                    history.clone(),
                ),
            ],
            vec!["chrome Default Your Chromium", "chrome Profile 1 Person 1"],
        ),
        (
            "unknown folder with Local State",
            vec![
                ("/home/u/.config/mybrowser/Local State", b"{}".to_vec()),
                ("/home/u/.config/mybrowser/Default/History", history.clone()),
            ],
            vec!["mybrowser Default -"],
        ),
        (
            "nested vendor folder, 360 and snap",
            vec![
                (
                    "/home/u/.config/Vendor/360se/Local State",
                    b"{\"profile\":{\"info_cache\":{\"../../x\":{}}}}".to_vec(),
                ),
                (
                    "/home/u/.config/Vendor/360se/Default/History",
                    history.clone(),
                ),
                (
                    "/home/u/snap/chromium/common/chromium/Default/History",
                    history.clone(),
                ),
            ],
            vec!["chromium Default -", "360 Default -"],
        ),
        (
            "firefox by profiles.ini and by folder",
            vec![
                (
                    "/home/u/.mozilla/firefox/profiles.ini",
                    b"[Profile0]\nName=work\nIsRelative=1\nPath=a.default\n".to_vec(),
                ),
                (
                    "/home/u/.mozilla/firefox/a.default/places.sqlite",
                    b"x".to_vec(),
                ),
                (
                    "/home/u/.mozilla/firefox/b.other/places.sqlite",
                    b"x".to_vec(),
                ),
                (
                    "/home/u/snap/firefox/common/.mozilla/firefox/c.snap/places.sqlite",
                    b"x".to_vec(),
                ),
                // Firefox ≥ 147 (firefox-esr 153 here) makes new profiles in the XDG folder.
                (
                    "/home/u/.config/mozilla/firefox/profiles.ini",
                    b"[Profile0]\nName=default-esr\nIsRelative=1\nPath=d.default-esr\n".to_vec(),
                ),
                (
                    "/home/u/.config/mozilla/firefox/d.default-esr/places.sqlite",
                    b"x".to_vec(),
                ),
            ],
            vec![
                "firefox a.default work",
                "firefox b.other -",
                "firefox d.default-esr default-esr",
                "firefox c.snap -",
            ],
        ),
    ] {
        let (_dir, root) = temp_root(&files);
        let got: Vec<String> = find_profiles(&root)
            .iter()
            .map(|p| {
                format!(
                    "{} {} {}",
                    p.browser,
                    p.profile,
                    p.name.as_deref().unwrap_or("-")
                )
            })
            .collect();
        assert_eq!(got, want, "{case}");
        if want.is_empty() {
            let (out, _) = ctx_run(&root, Zone::Classified);
            assert!(out.not_applicable && out.findings.is_empty(), "{case}");
        }
    }
}

/// Everything under the test home's browser folders: name → (sha-like digest, mtime, atime).
fn snapshot(base: &Path) -> Vec<(String, u64, i64, i64, i64, i64)> {
    let mut out = Vec::new();
    let mut stack = vec![base.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("list").flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).expect("stat");
            if meta.is_dir() {
                stack.push(p);
                continue;
            }
            // Hashed through an O_NOATIME open, so the test's own reading does not move atime.
            let mut bytes = Vec::new();
            open_read_only(&p)
                .expect("open")
                .read_to_end(&mut bytes)
                .expect("read");
            let digest = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            });
            out.push((
                p.display().to_string(),
                digest,
                meta.mtime(),
                meta.mtime_nsec(),
                meta.atime(),
                meta.atime_nsec(),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn run_over_hostroot() {
    let base = fixtures().join("hostroot");
    let root = Root::offline(&base).expect("root");
    let watched = base.join("home/zhang");
    let before = snapshot(&watched);
    assert!(before.iter().any(|f| f.0.ends_with("places.sqlite-wal")));
    assert!(
        !before
            .iter()
            .any(|f| f.0.ends_with("-shm") || f.0.ends_with("-journal"))
    );

    for (zone, severity) in [
        (Zone::Classified, Severity::Critical),
        (Zone::Internet, Severity::Info),
    ] {
        let (out, artifacts) = ctx_run(&root, zone);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.examined, 4, "{}", out.summary);
        let findings: Vec<String> = out
            .findings
            .iter()
            .map(|f| {
                assert_eq!(f.severity, severity);
                unport(&format!(
                    "{} {} | {} | {}",
                    f.rule, f.path, f.evidence.matched, f.evidence.excerpt
                ))
            })
            .collect();
        assert_eq!(
            findings,
            [
                "web.internet_visit /home/zhang/.config/chromium/Default/History | www.example-news.cn | 4 visits to 1 Internet site on 2026-11-26, most: www.example-news.cn (4)",
                "web.internet_download /tmp/baomi-browsers/Downloads/通知.txt | http://www.example-news.cn/files/notice | downloaded from http://www.example-news.cn/files/notice at 2026-11-26T01:17:27Z, 98 bytes (chromium profile \"Default\" (Your Chromium), /home/zhang/.config/chromium/Default/History)",
                "web.internet_visit /home/zhang/.mozilla/firefox/k3x9q2ab.default-esr/places.sqlite | www.example-news.cn | 4 visits to 1 Internet site on 2026-11-26, most: www.example-news.cn (4)",
                "web.internet_download /tmp/baomi-browsers/firefox/Downloads/通知.txt | http://www.example-news.cn:PORT/files/notice | downloaded from http://www.example-news.cn:PORT/files/notice at 2026-11-26T01:17:38Z, 98 bytes (firefox profile \"k3x9q2ab.default-esr\" (default-esr), /home/zhang/.mozilla/firefox/k3x9q2ab.default-esr/places.sqlite)",
            ],
            "{zone:?}"
        );
        let zh: Vec<String> = out
            .findings
            .iter()
            .map(|f| unport(f.evidence.excerpt_zh.as_deref().unwrap_or("-")))
            .collect();
        assert_eq!(
            zh,
            [
                "浏览器历史记录：2026-11-26 访问互联网站点 1 个、共 4 次，最多：www.example-news.cn（4 次）",
                "于 2026-11-26T01:17:27Z 从 http://www.example-news.cn/files/notice 下载，98 字节；来自 chromium 配置“Default”（Your Chromium），记录于 /home/zhang/.config/chromium/Default/History",
                "浏览器历史记录：2026-11-26 访问互联网站点 1 个、共 4 次，最多：www.example-news.cn（4 次）",
                "于 2026-11-26T01:17:38Z 从 http://www.example-news.cn:PORT/files/notice 下载，98 字节；来自 firefox 配置“k3x9q2ab.default-esr”（default-esr），记录于 /home/zhang/.mozilla/firefox/k3x9q2ab.default-esr/places.sqlite",
            ]
        );
        let split: Vec<String> = artifacts
            .web_visits
            .iter()
            .map(|v| {
                unport(&format!(
                    "{} {} {} {}",
                    v.browser,
                    v.profile,
                    v.url,
                    if v.internet { "internet" } else { "intranet" }
                ))
            })
            .filter(|s| {
                s.contains("/oa/index") || s.contains("127.0.0.1") || s.contains("news/2.html")
            })
            .collect();
        assert_eq!(
            split,
            [
                "chromium Default http://127.0.0.1:PORT/intranet.html intranet",
                "chromium Default http://oa.jcy/oa/index.html intranet",
                "chromium Default http://www.example-news.cn/news/2.html internet",
                "chromium Profile 1 http://oa.jcy/oa/index.html intranet",
                "qaxbrowser Default http://oa.jcy/oa/index.html intranet",
                "firefox k3x9q2ab.default-esr http://www.example-news.cn:PORT/news/2.html internet",
                "firefox k3x9q2ab.default-esr http://oa.jcy:PORT/oa/index.html intranet",
            ]
        );
        assert_eq!(artifacts.web_downloads.len(), 2);
        assert_eq!(
            out.sweep,
            [
                "/tmp/baomi-browsers/Downloads/通知.txt",
                "/tmp/baomi-browsers/firefox/Downloads/通知.txt"
            ]
        );
    }
    // Nothing written, nothing created, not even an access time moved.
    assert_eq!(snapshot(&watched), before);
}

#[test]
fn file_uris() {
    for (uri, want) in [
        ("file:///tmp/%E9%80%9A%E7%9F%A5.txt", Some("/tmp/通知.txt")),
        ("file://localhost/home/a%20b.doc", Some("/home/a b.doc")),
        ("file:///x/%zz%4", Some("/x/%zz%4")),
        ("file:///x/%FF", Some("/x/\u{fffd}")),
        ("http://a/b", None),
        ("file://host", None),
    ] {
        assert_eq!(firefox::file_uri_path(uri).as_deref(), want, "{uri}");
    }
}

#[test]
fn numbers_and_times() {
    for (n, s) in [
        (0, "0"),
        (999, "999"),
        (1000, "1,000"),
        (1_234_567, "1,234,567"),
    ] {
        assert_eq!(thousands(n), s);
    }
    assert_eq!(
        rfc3339(Some(1_795_655_854_142_440)).as_deref(),
        Some("2026-11-26T01:17:34Z")
    );
    assert_eq!(rfc3339(None), None);
    assert_eq!(rfc3339(Some(i64::MAX)), None);
}

/// A damaged profile is a problem of the check, the others are still read.
#[test]
fn damaged_profile_in_run() {
    let good = fixture_bytes("browsers/chromium/Default/History");
    let bad = good[..8192].to_vec();
    let (_dir, root) = temp_root(&[
        ("/home/u/.config/chromium/Default/History", bad),
        ("/home/u/.config/chromium/Profile 1/History", good),
    ]);
    let (out, artifacts) = ctx_run(&root, Zone::Classified);
    assert_eq!(out.examined, 1);
    assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
    assert!(
        out.problems[0]
            .0
            .starts_with("/home/u/.config/chromium/Default/History: "),
        "{:?}",
        out.problems
    );
    assert_eq!(artifacts.web_visits.len(), 6);
    assert_eq!(out.findings.len(), 2, "{:?}", out.findings);
}
