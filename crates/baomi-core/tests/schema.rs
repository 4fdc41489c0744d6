//! The published JSON Schema and the Rust report types describe the same contract.

use baomi_core::*;

fn schema() -> jsonschema::Validator {
    let text = include_str!("../../../schema/report-v1.schema.json");
    let value: serde_json::Value = serde_json::from_str(text).expect("schema is JSON");
    jsonschema::validator_for(&value).expect("schema compiles")
}

fn sample() -> Report {
    let inner = vec!["mail.eml".to_owned(), "word/header1.xml".to_owned()];
    Report {
        schema: REPORT_SCHEMA.into(),
        report_id: new_report_id("test"),
        tool: Tool {
            name: "baomi".into(),
            version: "0.1.0".into(),
        },
        started_at: "2026-11-25T10:00:00Z".into(),
        finished_at: "2026-11-25T10:00:01.5+08:00".into(),
        host: HostInfo {
            root: "/".into(),
            zone: Zone::Internet,
            ..Default::default()
        },
        policy: PolicyRef {
            name: "baomi-default".into(),
            sha256: policy::policy_sha256("x"),
        },
        checks: vec![CheckResult {
            id: "content".into(),
            status: CheckStatus::Partial,
            duration_ms: 12,
            examined: 3,
            message: "m".into(),
            message_zh: Some("说明".into()),
        }],
        findings: vec![Finding {
            id: finding_id("content.marking", "/a.eml", &inner, "机密★1年"),
            check: "content".into(),
            rule: "content.marking".into(),
            severity: Severity::Critical,
            level: Some(Level::Secret),
            confidence: 0.98,
            path: "/a.eml".into(),
            inner,
            title: "t".into(),
            evidence: Evidence {
                excerpt: "机密★1年".into(),
                matched: "机密★1年".into(),
                why: "star_form_in_margin".into(),
                part: Some("header".into()),
                page: Some(1),
                line: Some(1),
                offset: Some(0),
                occurrences: 2,
                ..Default::default()
            },
        },
        Finding {
            id: finding_id("usb.storage_seen", "usb:0781:5567:4C530001231120115142", &[], "4C530001231120115142"),
            check: "usb".into(),
            rule: "usb.storage_seen".into(),
            severity: Severity::High,
            level: None,
            confidence: 1.0,
            path: "usb:0781:5567:4C530001231120115142".into(),
            inner: vec![],
            title: "USB storage device SanDisk Cruzer Blade was connected".into(),
            evidence: Evidence {
                excerpt: "SanDisk Cruzer Blade (0781:5567, serial 4C530001231120115142) connected once, 2026-10-01 09:12".into(),
                excerpt_zh: Some("SanDisk Cruzer Blade（0781:5567，序列号 4C530001231120115142）接入 1 次，2026-10-01 09:12".into()),
                matched: "4C530001231120115142".into(),
                why: "usb_storage_driver_bound".into(),
                occurrences: 1,
                ..Default::default()
            },
        }],
        unscanned: vec![Unscanned {
            path: "/b.pdf".into(),
            inner: vec![],
            reason: UnscannedReason::UnsupportedFormat,
            detail: "format not supported".into(),
        }],
        artifacts: artifacts(),
        stats: Stats {
            files: 3,
            files_scanned: 2,
            bytes: 10,
            ..Default::default()
        },
    }
}

fn artifacts() -> Artifacts {
    let t = |s: &str| Some(s.to_owned());
    Artifacts {
        usb_devices: vec![UsbDevice {
            vid: "0781".into(),
            pid: "5567".into(),
            serial: t("4C530001231120115142"),
            manufacturer: t("SanDisk"),
            product: t("Cruzer Blade"),
            first_seen: t("2026-10-01T09:12:00+08:00"),
            last_seen: t("2026-11-20T16:40:05Z"),
            connections: 3,
            sources: vec!["/var/log/syslog".into()],
            mount_points: vec!["/media/zhang/KINGSTON".into()],
            year_inferred: true,
        }],
        usb_history: Some(LogCoverage {
            earliest: t("2026-10-01T00:00:00Z"),
            latest: None,
            sources: vec![LogSource {
                path: "/var/log/syslog.2.gz".into(),
                kind: "syslog".into(),
                earliest: t("2026-10-01T00:00:00Z"),
                latest: t("2026-10-08T00:00:00Z"),
                records: 10,
                year_inferred: true,
                problem: t("truncated"),
            }],
        }),
        web_visits: vec![WebVisit {
            browser: "chromium".into(),
            profile: "Default".into(),
            url: "https://www.baidu.com/".into(),
            title: t("百度一下"),
            first_visit: t("2026-11-01T08:00:00Z"),
            last_visit: t("2026-11-02T08:00:00Z"),
            visits: 2,
            internet: true,
        }],
        web_downloads: vec![WebDownload {
            browser: "firefox".into(),
            profile: "x.default-esr".into(),
            url: "https://example.cn/a.docx".into(),
            target_path: "/home/zhang/Downloads/a.docx".into(),
            started: None,
            bytes: Some(1024),
            internet: true,
        }],
        network: Some(NetworkInfo {
            interfaces: vec![NetInterface {
                name: "wlp2s0".into(),
                kind: "wifi".into(),
                mac: t("a4:c3:f0:11:22:33"),
                driver: t("iwlwifi"),
                operstate: t("up"),
                addresses: vec!["192.168.1.5/24".into()],
                physical: true,
            }],
            bluetooth: vec![BluetoothController {
                name: "hci0".into(),
                address: t("AA:BB:CC:DD:EE:FF"),
                source: "/var/lib/bluetooth/AA:BB:CC:DD:EE:FF".into(),
            }],
            saved_wifi: vec![SavedWifi {
                ssid: "CMCC-5G-家里".into(),
                source: "/etc/NetworkManager/system-connections/x.nmconnection".into(),
                last_connected: t("2026-05-01T10:00:00+08:00"),
            }],
            default_routes: vec![Route {
                interface: t("eth0"),
                gateway: t("10.0.0.1"),
                source: "/proc/net/route".into(),
            }],
            dns_servers: vec!["114.114.114.114".into()],
            proxies: vec![ProxySetting {
                key: "http_proxy".into(),
                value: "http://10.1.1.1:3128".into(),
                source: "/etc/environment".into(),
            }],
            probe: vec![ProbeResult {
                target: "223.5.5.5:53".into(),
                connected: false,
                error: t("timed out"),
                millis: 3000,
            }],
        }),
        recent_files: vec![RecentFile {
            source: "/home/zhang/.local/share/recently-used.xbel".into(),
            app: "gtk".into(),
            user: t("zhang"),
            path: "/media/zhang/KINGSTON/机密.docx".into(),
            used_at: t("2026-11-20T16:41:00Z"),
            removable: true,
        }],
    }
}

#[test]
fn a_full_report_validates_and_round_trips() {
    let report = sample();
    let value = serde_json::to_value(&report).expect("serialises");
    let errors: Vec<String> = schema()
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let back: Report = serde_json::from_value(value).expect("deserialises");
    assert_eq!(back, report);
}

#[test]
fn the_schema_rejects_what_the_contract_forbids() {
    let v = schema();
    let mut value = serde_json::to_value(sample()).expect("serialises");
    value["findings"][0]
        .as_object_mut()
        .expect("object")
        .remove("level");
    assert!(
        !v.is_valid(&value),
        "content finding without level must be rejected"
    );
    let mut value = serde_json::to_value(sample()).expect("serialises");
    value["unscanned"][0]["reason"] = "because".into();
    assert!(!v.is_valid(&value));
    let mut value = serde_json::to_value(sample()).expect("serialises");
    value["schema"] = "baomi.report/2".into();
    assert!(!v.is_valid(&value));
    let mut value = serde_json::to_value(sample()).expect("serialises");
    value["findings"][1]["evidence"]["excerpt_zh"] = 3.into();
    assert!(!v.is_valid(&value), "a Chinese excerpt is text");
}
