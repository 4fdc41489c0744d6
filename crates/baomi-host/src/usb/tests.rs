//! Tracker and check tests on the fixtures of tests/fixtures/usb (made by make.py there).

use super::*;
use crate::HostContext;
use crate::testing::{fixture, hostroot, run_check};
use baomi_core::{Policy, Zone};
use std::borrow::Cow;

fn shanghai() -> TimeZone {
    TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::UTC)
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
}

/// One device in a line: ids, serial, names, connections, first … last, mounts, confidence, inferred year.
fn show(d: &Device) -> String {
    let r = &d.record;
    format!(
        "{}:{} {} {:?} {:?} x{} {}..{} {:?} {}{}",
        r.vid,
        r.pid,
        r.serial.as_deref().unwrap_or("-"),
        r.manufacturer.as_deref().unwrap_or("-"),
        r.product.as_deref().unwrap_or("-"),
        r.connections,
        r.first_seen.as_deref().unwrap_or("?"),
        r.last_seen.as_deref().unwrap_or("?"),
        r.mount_points,
        d.confidence,
        if r.year_inferred {
            " year-inferred"
        } else {
            ""
        },
    )
}

/// Read fixture logs (name, file modified at) into one history, in the Asia/Shanghai zone.
fn history(files: &[(&str, &str)]) -> Outcome {
    let mut h = History::new(shanghai(), at("2026-11-26T00:00:00Z"));
    for (name, mtime) in files {
        let data = std::fs::read(fixture(name)).unwrap_or_default();
        assert!(!data.is_empty(), "fixture {name}");
        h.read_syslog(name, data.as_slice(), Some(at(mtime)), 1 << 30);
    }
    h.finish()
}

fn check(files: &[(&str, &str)], want: &[&str], others: &str, malformed: u64) {
    let out = history(files);
    let got: Vec<String> = out.devices.iter().map(show).collect();
    assert_eq!(got, want, "devices of {files:?}");
    let others_got: Vec<String> = out
        .others
        .iter()
        .map(|(k, n)| format!("{}={n}", k.map_or("none", NotStorage::plural)))
        .collect();
    assert_eq!(others_got.join(" "), others, "others of {files:?}");
    assert_eq!(out.malformed, malformed, "malformed lines of {files:?}");
}

#[test]
fn classic_kern_log_with_year_change_and_reboot() {
    check(
        &[("usb/classic-kern.log", "2026-01-03T01:00:00Z")],
        &[
            r#"0930:6544 001E4F923A63C910A5430647 "Kingston" "DataTraveler 120" x2 2025-12-30T09:01:02+08:00..2026-01-03T08:30:00+08:00 [] 1 year-inferred"#,
            r#"1004:0002 530669805539780 "MediaTek Inc" "LGE USB Device" x1 2026-01-02T14:00:00+08:00..2026-01-02T14:10:00+08:00 [] 1 year-inferred"#,
            r#"1f75:0621 20161018 "-" "-" x1 2026-01-03T08:40:00+08:00..2026-01-03T08:40:00+08:00 [] 1 year-inferred"#,
        ],
        "none=1 hubs=1 keyboards/mice=2",
        1,
    );
}

#[test]
fn rfc3339_syslog_uas_card_reader_no_serial_and_mounts() {
    check(
        &[("usb/rfc3339-syslog.log", "2026-11-20T03:00:00Z")],
        &[
            r#"152d:0561 DD564198838B4 "-" "External USB 3.0" x1 2026-11-20T09:00:00+08:00..2026-11-20T09:00:00+08:00 [] 0.9"#,
            r#"152d:0578 191951815235 "JMicron" "JMS579" x1 2026-11-20T09:12:00+08:00..2026-11-20T09:12:00+08:00 ["/media/zhang/CT240"] 1"#,
            r#"05e3:0764 GLI000000001 "Generic" "USB Storage" x1 2026-11-20T09:20:00+08:00..2026-11-20T09:20:00+08:00 ["/media/zhang/SD CARD"] 1"#,
            r#"04e8:61f5 1234567DE09B "Samsung" "Portable SSD T5" x1 2026-11-20T09:30:00+08:00..2026-11-20T09:30:00+08:00 [] 0.9"#,
            r#"058f:6387 - "Generic" "Mass Storage" x2 2026-11-20T09:50:00+08:00..2026-11-20T10:05:00+08:00 ["/media/zhang/ALCOR"] 1"#,
        ],
        "hubs=1 network adapters=1",
        2,
    );
}

#[test]
fn deepin_local_date_stamps() {
    check(
        &[("usb/deepin-syslog.log", "2024-10-31T06:00:00Z")],
        &[
            r#"17ef:4531 000000001E4C "Lenovo" "Lenovo Portable HDD" x1 2024-10-31T13:36:11+08:00..2024-10-31T13:36:11+08:00 ["/media/uos/Lenovo HDD"] 1"#,
        ],
        "",
        0,
    );
}

#[test]
fn centos6_messages_without_printk() {
    check(
        &[("usb/centos6-messages.log", "2026-03-02T00:00:00Z")],
        &[
            r#"1687:3255 B100000000001041 "Kingmax" "USB2.0 FlashDisk" x1 2026-03-01T10:01:00+08:00..2026-03-01T11:00:00+08:00 [] 1 year-inferred"#,
        ],
        "",
        0,
    );
}

#[test]
fn the_same_connection_in_two_logs_counts_once() {
    // syslog and kern.log carry the same kernel lines: sources double, connections do not.
    let out = history(&[
        ("usb/rfc3339-syslog.log", "2026-11-20T03:00:00Z"),
        ("usb/rfc3339-syslog.log", "2026-11-20T03:00:00Z"),
    ]);
    let alcor = out.devices.iter().find(|d| d.record.vid == "058f");
    assert_eq!(alcor.map(|d| d.record.connections), Some(2));
    assert_eq!(alcor.map(|d| d.record.sources.len()), Some(2));
    assert_eq!(out.devices.len(), 5);
}

#[test]
fn coverage_lists_every_log() {
    let out = history(&[
        ("usb/classic-kern.log", "2026-01-03T01:00:00Z"),
        ("usb/rfc3339-syslog.log", "2026-11-20T03:00:00Z"),
    ]);
    let c = &out.coverage;
    assert_eq!(c.earliest.as_deref(), Some("2025-12-30T09:00:00+08:00"));
    assert_eq!(c.latest.as_deref(), Some("2026-11-20T10:05:00+08:00"));
    let s: Vec<(String, u64, bool)> = c
        .sources
        .iter()
        .map(|s| (s.path.clone(), s.records, s.year_inferred))
        .collect();
    assert_eq!(
        s,
        [
            ("usb/classic-kern.log".to_owned(), 92, true),
            ("usb/rfc3339-syslog.log".to_owned(), 88, false),
        ]
    );
}

/// A journal entry with the fields the check asks for.
fn entry<'a>(
    usec: u64,
    boot: &'a str,
    transport: &'a str,
    ident: &'a str,
    msg: &'a str,
) -> journal::JournalEntry<'a> {
    journal::JournalEntry {
        realtime_usec: usec,
        monotonic_usec: 0,
        boot_id: [0; 16],
        fields: vec![
            (&b"MESSAGE"[..], Cow::Borrowed(msg.as_bytes())),
            (&b"_TRANSPORT"[..], Cow::Borrowed(transport.as_bytes())),
            (&b"SYSLOG_IDENTIFIER"[..], Cow::Borrowed(ident.as_bytes())),
            (&b"_BOOT_ID"[..], Cow::Borrowed(boot.as_bytes())),
        ],
    }
}

#[test]
fn journal_entries_follow_boots_and_mounts() {
    let mut h = History::new(shanghai(), at("2026-11-26T00:00:00Z"));
    h.tracker.begin(0);
    let mut boot = Vec::new();
    let t0: u64 = 1_764_036_062_000_000; // 2025-11-25T02:01:02Z
    let k =
        |i: u64, b: &'static str, m: &'static str| entry(t0 + i * 1000, b, "kernel", "kernel", m);
    let entries = [
        k(
            0,
            "b1",
            "usb 1-1: new high-speed USB device number 5 using xhci_hcd",
        ),
        k(
            1,
            "b1",
            "usb 1-1: New USB device found, idVendor=0781, idProduct=5567, bcdDevice= 1.00",
        ),
        k(2, "b1", "usb 1-1: Product: Cruzer Blade"),
        k(3, "b1", "usb 1-1: Manufacturer: SanDisk"),
        k(4, "b1", "usb 1-1: SerialNumber: 4C530001230815117543"),
        k(
            5,
            "b1",
            "usb-storage 1-1:1.0: USB Mass Storage device detected",
        ),
        k(6, "b1", "scsi host6: usb-storage 1-1:1.0"),
        k(7, "b1", "sd 6:0:0:0: [sdb] Attached SCSI removable disk"),
        entry(
            t0 + 3_000_000,
            "b1",
            "syslog",
            "udisksd",
            "Mounted /dev/sdb1 at /media/zhang/SANDISK on behalf of uid 1000",
        ),
        // Another boot: host 6 and sdb now belong to an internal disk; this mount is not the stick's.
        k(60_000_000, "b2", "sd 6:0:0:0: [sdb] Attached SCSI disk"),
        entry(
            t0 + 60_000_100_000,
            "b2",
            "syslog",
            "udisksd",
            "Mounted /dev/sdb1 at /media/zhang/BACKUP on behalf of uid 1000",
        ),
        entry(
            t0 + 60_000_200_000,
            "b2",
            "kernel",
            "kernel",
            "not usb at all",
        ),
    ];
    for e in &entries {
        journal_entry(&mut h.tracker, &mut boot, e);
    }
    for c in &mut h.tracker.conns {
        if let When::At(t) = c.start {
            c.time = Some(t);
        }
    }
    h.sources.push(LogSource {
        path: "/var/log/journal/m/system.journal".into(),
        kind: "journal".into(),
        ..LogSource::default()
    });
    let out = h.finish();
    let got: Vec<String> = out.devices.iter().map(show).collect();
    assert_eq!(
        got,
        [
            r#"0781:5567 4C530001230815117543 "SanDisk" "Cruzer Blade" x1 2025-11-25T10:01:02+08:00..2025-11-25T10:01:02+08:00 ["/media/zhang/SANDISK"] 1"#
        ]
    );
}

#[test]
fn an_unreadable_journal_is_a_problem_not_a_failure() {
    let mut h = History::new(TimeZone::UTC, at("2026-11-26T00:00:00Z"));
    h.read_journal("/var/log/journal/m/system.journal", b"not a journal");
    let out = h.finish();
    assert_eq!(out.coverage.sources.len(), 1);
    assert!(out.coverage.sources[0].problem.is_some());
}

#[test]
fn hostroot_story() {
    let policy = Policy::default_policy();
    let (out, art) = run_check(run, &hostroot(), &policy, Zone::Internal, false);
    let devs: Vec<String> = art
        .usb_devices
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} x{} {:?} {:?} {}",
                d.vid,
                d.pid,
                d.serial.as_deref().unwrap_or("-"),
                d.connections,
                d.mount_points,
                d.sources,
                d.year_inferred
            )
        })
        .collect();
    assert_eq!(
        devs,
        [
            r#"0781:5567 4C530001230815117543 x2 ["/media/zhang/SANDISK"] ["/var/log/kern.log", "/var/log/syslog.2.gz", "/var/log/syslog"] true"#,
            // The journal (read natively) holds two more sticks than the text logs.
            r#"0781:5567 4C530001231120115142 x1 ["/media/zhang/4C53-0001"] ["/var/log/journal/5f1c2a9e8d7b4c3aa0e1f2d3c4b5a697/system.journal"] false"#,
            r#"0951:1666 E0D55EA573DCF450E9660B9D x1 ["/media/zhang/KINGSTON"] ["/var/log/journal/5f1c2a9e8d7b4c3aa0e1f2d3c4b5a697/system.journal"] false"#,
            r#"0951:1666 E0D55EA574E8F370A9550F2B x1 ["/media/zhang/KINGSTON"] ["/var/log/kern.log", "/var/log/syslog"] false"#,
        ]
    );
    // The October connection comes from the classic-stamped rotation (year inferred from the file's
    // time, so only the month and day are certain); the November ones are exact.
    let sandisk = &art.usb_devices[0];
    assert!(
        sandisk
            .first_seen
            .as_deref()
            .is_some_and(|s| s.contains("-10-01T")),
        "{sandisk:?}"
    );
    assert!(
        sandisk
            .last_seen
            .as_deref()
            .is_some_and(|s| s.starts_with("2026-11-24T")),
        "{sandisk:?}"
    );
    assert_eq!(out.examined, 5);
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let rules: Vec<&str> = out.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(
        rules,
        [
            "usb.storage_seen",
            "usb.storage_seen",
            "usb.storage_seen",
            "usb.storage_seen",
            "usb.history_limited"
        ]
    );
    let f = &out.findings[0];
    assert_eq!(f.path, "usb:0781:5567:4C530001230815117543");
    assert!(
        f.evidence.excerpt.starts_with(
            "SanDisk Cruzer Blade (0781:5567, serial 4C530001230815117543) connected 2 times, "
        ),
        "{}",
        f.evidence.excerpt
    );
    assert!(
        f.evidence
            .excerpt
            .ends_with(", mounted at /media/zhang/SANDISK (year inferred)"),
        "{}",
        f.evidence.excerpt
    );
    let zh: Vec<&str> = out
        .findings
        .iter()
        .map(|f| f.evidence.excerpt_zh.as_deref().unwrap_or("-"))
        .collect();
    assert_eq!(
        zh,
        [
            "SanDisk Cruzer Blade（0781:5567，序列号 4C530001230815117543）接入 2 次，2026-10-01 09:12 至 2026-11-24 10:15，挂载于 /media/zhang/SANDISK（年份系推断）",
            "SanDisk Cruzer Blade（0781:5567，序列号 4C530001231120115142）接入 1 次，2026-11-03 17:14，挂载于 /media/zhang/4C53-0001",
            "Kingston DataTraveler 3.0（0951:1666，序列号 E0D55EA573DCF450E9660B9D）接入 1 次，2026-11-03 20:14 至 2026-11-03 20:15，挂载于 /media/zhang/KINGSTON",
            "Kingston DataTraveler 3.0（0951:1666，序列号 E0D55EA574E8F370A9550F2B）接入 1 次，2026-11-20 16:40 至 2026-11-20 17:30，挂载于 /media/zhang/KINGSTON",
            "所读日志（5 个文件）时间范围为 2026-10-01 08:55 至 2026-11-24 11:00（传统 syslog 行的年份系根据文件时间推断）；此前的 USB 使用情况未知，不能认定为没有使用",
        ]
    );
    let cov = art.usb_history.as_ref().map(|c| c.sources.len());
    assert_eq!(cov, Some(5));
    assert!(
        out.summary
            .starts_with("4 USB storage device(s) in 5 connection(s) from 5 log file(s)"),
        "{}",
        out.summary
    );
    assert!(
        out.summary.contains("other USB device(s) not storage"),
        "{}",
        out.summary
    );
}

#[test]
fn no_logs_is_not_applicable_and_says_history_is_unknown() {
    let Ok(dir) = tempfile::tempdir() else {
        panic!("tempdir")
    };
    let Ok(root) = Root::offline(dir.path()) else {
        panic!("root")
    };
    let policy = Policy::default_policy();
    let ctx = HostContext::new(&root, &policy, Zone::Internal);
    let mut out = CheckRun::default();
    let mut art = Artifacts::default();
    run(&ctx, &mut out, &mut art);
    assert!(out.not_applicable);
    assert!(out.summary.contains("USB history is unknown"));
}

#[test]
fn malformed_lines_never_stop_the_read() {
    let mut data = Vec::new();
    // Thousands of year changes (Dec/Jan alternating), then the descriptors of a stick with fields
    // in the wrong order, a 29 February, control bytes, a huge printk time and no final newline.
    for _ in 0..5000 {
        data.extend_from_slice(b"Dec 31 23:59:59 h kernel: x\nJan  1 00:00:00 h kernel: y\n");
    }
    data.extend_from_slice(
        b"Feb 29 10:00:00 h kernel: [1.0] usb 1-1: SerialNumber: EARLY\n\
          Feb 29 10:00:01 h kernel: [1.1] usb 1-1: new high-speed USB device number 3 using xhci_hcd\n\
          Feb 29 10:00:02 h kernel: [99999999999999999999.1] usb 1-1: New USB device found, idVendor=0781, idProduct=5567\n\
          Feb 29 10:00:03 h kernel: [1.2] usb-storage 1-1:1.0: USB Mass Storage device detected\n\
          \x01\x02\x03 kernel: usb 1-1: Product: \xff\xfe\n\
          Feb 29 10:00:04 h kernel: [1.3] usb 1-1: Product: \xff\xfe",
    );
    let mut h = History::new(TimeZone::UTC, at("2026-11-26T00:00:00Z"));
    h.read_syslog(
        "weird",
        data.as_slice(),
        Some(at("2026-11-26T00:00:00Z")),
        1 << 30,
    );
    let out = h.finish();
    assert_eq!(out.malformed, 1);
    assert_eq!(out.devices.len(), 1);
    let d = &out.devices[0].record;
    assert_eq!(
        (d.vid.as_str(), d.product.as_deref()),
        ("0781", Some("\u{fffd}\u{fffd}"))
    );
    assert_eq!(out.coverage.sources[0].records, 10_005);
}

#[test]
fn a_damaged_rotation_is_a_problem_and_the_rest_is_read() {
    let Ok(dir) = tempfile::tempdir() else {
        panic!("tempdir")
    };
    let log = dir.path().join("var/log");
    let Ok(()) = std::fs::create_dir_all(&log) else {
        panic!("mkdir")
    };
    let gz = std::fs::read(fixture("hostroot/var/log/syslog.2.gz")).unwrap_or_default();
    let plain = std::fs::read(fixture("usb/rfc3339-syslog.log")).unwrap_or_default();
    let writes = [
        std::fs::write(log.join("syslog.3.gz"), &gz[..gz.len() / 2]),
        std::fs::write(log.join("syslog.2.gz"), b"not gzip at all"),
        std::fs::write(log.join("syslog"), &plain),
    ];
    assert!(writes.iter().all(Result::is_ok));
    let Ok(root) = Root::offline(dir.path()) else {
        panic!("root")
    };
    let policy = Policy::default_policy();
    let ctx = HostContext::new(&root, &policy, Zone::Classified);
    let mut out = CheckRun::default();
    let mut art = Artifacts::default();
    run(&ctx, &mut out, &mut art);
    assert_eq!(out.problems.len(), 2, "{:?}", out.problems);
    assert!(
        out.problems.iter().all(|p| p.0.contains("read stopped")),
        "{:?}",
        out.problems
    );
    assert_eq!(art.usb_devices.len(), 5);
    let storage: Vec<String> = out
        .findings
        .iter()
        .filter(|f| f.rule == "usb.storage_seen")
        .map(|f| format!("{:?} {}", f.severity, f.confidence))
        .collect();
    assert_eq!(
        storage,
        [
            "Medium 0.9",
            "Medium 1",
            "Medium 1",
            "Medium 0.9",
            "Medium 1"
        ]
    );
}
