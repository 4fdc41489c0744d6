//! The sweep's own promises, on real trees: links not followed, pseudo-filesystems not entered,
//! hidden files read, unreadable files listed, severities by zone.

use baomi_core::{Level, Policy, Severity, UnscannedReason, Zone};
use baomi_detect::{Detector, Rule};
use baomi_scan::{FileOutcome, ScanConfig, Sink, content_severity};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

#[derive(Default)]
struct Collect(Mutex<Vec<FileOutcome>>);

impl Sink for Collect {
    fn file_done(&self, outcome: FileOutcome) {
        self.0.lock().expect("lock").push(outcome);
    }
}

fn sweep(roots: &[&Path]) -> Vec<FileOutcome> {
    sweep_with(roots, |_| {})
}

fn sweep_with(roots: &[&Path], adjust: impl FnOnce(&mut ScanConfig)) -> Vec<FileOutcome> {
    let policy = Policy::default_policy();
    let detector = Detector::new(&policy).expect("detector");
    let mut config = ScanConfig::new(roots.iter().map(|p| p.to_path_buf()).collect(), &policy);
    adjust(&mut config);
    let sink = Collect::default();
    baomi_scan::run(&config, &detector, &sink, &AtomicBool::new(false)).expect("run");
    let mut v = sink.0.into_inner().expect("lock");
    v.sort_by(|a, b| a.path.cmp(&b.path));
    v
}

const MARKED: &str = "000001\n机密★1年\n特急\n\n关于某专项工作的报告\n";

#[test]
fn hidden_files_are_read_and_links_are_not_followed() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.txt"), MARKED).expect("write");
    let tree = tempfile::tempdir().expect("tempdir");
    std::fs::write(tree.path().join(".hidden.txt"), MARKED).expect("write");
    // An ignore file must not hide anything from an inspector.
    std::fs::write(tree.path().join(".gitignore"), "ignored.txt\n").expect("write");
    std::fs::write(tree.path().join("ignored.txt"), MARKED).expect("write");
    std::os::unix::fs::symlink(outside.path(), tree.path().join("link-dir")).expect("symlink");
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        tree.path().join("link-file.txt"),
    )
    .expect("symlink");

    let outcomes = sweep(&[tree.path()]);
    let with_findings: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.findings.is_empty())
        .map(|o| o.path.rsplit('/').next().unwrap_or(""))
        .collect();
    assert_eq!(with_findings, vec![".hidden.txt", "ignored.txt"]);
    assert!(outcomes.iter().all(|o| !o.path.contains("link-")));
}

#[test]
fn pseudo_filesystems_are_not_entered() {
    // /proc/self is a directory of the proc filesystem: reading its "files" is kernel state, and some
    // block. The sweep must not enter it even when asked to sweep its parent directly.
    let proc = Path::new("/proc/self");
    if !proc.exists() {
        return;
    }
    let outcomes = sweep(&[Path::new("/proc/self/task")]);
    assert!(
        outcomes.is_empty(),
        "{} files read under /proc",
        outcomes.len()
    );
}

#[test]
fn unreadable_and_unsupported_files_are_listed_not_skipped() {
    let tree = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tree.path().join("photo.png"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )
    .expect("write");
    let outcomes = sweep(&[tree.path()]);
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].unscanned.len(), 1);
    assert_eq!(
        outcomes[0].unscanned[0].reason,
        UnscannedReason::UnsupportedFormat
    );
    assert_eq!(outcomes[0].extension, "png");
}

#[test]
fn severity_follows_zone_and_confidence() {
    let check = |level, zone, confidence| content_severity(Rule::Marking, level, zone, confidence);
    assert_eq!(
        check(Level::Secret, Zone::Internet, 0.98),
        Severity::Critical
    );
    assert_eq!(check(Level::Internal, Zone::Internet, 0.9), Severity::High);
    assert_eq!(check(Level::Secret, Zone::Classified, 0.98), Severity::Info);
    assert_eq!(check(Level::Internal, Zone::Internal, 0.9), Severity::Info);
    assert_eq!(
        check(Level::Confidential, Zone::Internal, 0.9),
        Severity::Critical
    );
    assert_eq!(
        check(Level::Confidential, Zone::Unknown, 0.9),
        Severity::High
    );
    assert_eq!(check(Level::TopSecret, Zone::Unknown, 0.6), Severity::Info);
    assert_eq!(
        content_severity(Rule::Declassified, Level::Secret, Zone::Internet, 0.95),
        Severity::Info
    );
}

#[test]
fn large_text_files_are_streamed_with_true_line_numbers() {
    // Above the streaming threshold: read in 8 MiB chunks, evidence still points into the whole file.
    // (The threshold is lowered so the test stays small; the chunking is the same.)
    let tree = tempfile::tempdir().expect("tempdir");
    let filler = "各级院要认真贯彻落实，确保各项任务按期完成。\n".repeat(400_000);
    let text = format!("{MARKED}{filler}这是涉密人员名单的内部讨论。\n");
    let (gbk, _, _) = baomi_extract::encoding_rs::GBK.encode(&text);
    assert!(gbk.len() > 16 << 20, "more than two chunks");
    std::fs::write(tree.path().join("export.txt"), &gbk).expect("write");
    let outcomes = sweep_with(&[tree.path()], |c| c.stream_above_bytes = 1 << 20);
    assert_eq!(outcomes.len(), 1);
    let o = &outcomes[0];
    assert_eq!(o.bytes, gbk.len() as u64);
    assert!(o.unscanned.is_empty(), "{:?}", o.unscanned);
    let lines: Vec<(String, Option<u32>)> = o
        .findings
        .iter()
        .map(|f| (f.evidence.matched.clone(), f.evidence.line))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("机密★1年".to_owned(), Some(2)),
            ("涉密人员名单".to_owned(), Some(5 + 400_000 + 1)),
        ]
    );
}

#[test]
fn large_gbk_text_read_by_its_needle_lines_finds_what_a_full_decode_finds() {
    // The same document in UTF-8 (decoded whole) and in GBK and UTF-16 (above 256 KiB: only the head and
    // the lines holding a needle are decoded). Findings, line numbers and counts must agree.
    // Prose says 保密 and 秘密 on many lines (each such line is looked at, its opening decoded); the
    // markings past the head open their lines, some after a full-width indent or a long blank run.
    let filler = "各级院要认真贯彻落实，确保各项任务按期完成。\n　　全体干警要严守保密纪律，保守国家秘密。\n"
        .repeat(10_000);
    let blanks = "\u{3000}".repeat(40);
    let text = format!(
        "{MARKED}{filler}（秘密）本段涉及案件线索。\n{filler}这是涉密人员名单的内部讨论，涉密人员名单另行通知。\n\
         {filler}机密★10年\n{filler}　　绝密★长期\n{filler}{blanks}秘密★6个月\n{filler}全文完。\n"
    );
    let tree = tempfile::tempdir().expect("tempdir");
    let (gbk, _, _) = baomi_extract::encoding_rs::GBK.encode(&text);
    std::fs::write(tree.path().join("gbk.txt"), &gbk).expect("write");
    std::fs::write(tree.path().join("utf8.txt"), &text).expect("write");
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(tree.path().join("utf16le.txt"), &le).expect("write");
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    std::fs::write(tree.path().join("utf16be.txt"), &be).expect("write");
    let outcomes = sweep(&[tree.path()]);
    let key = |o: &FileOutcome| {
        let mut v: Vec<_> = o
            .findings
            .iter()
            .map(|f| {
                (
                    f.rule.clone(),
                    f.level,
                    f.evidence.matched.clone(),
                    f.evidence.line,
                    f.evidence.occurrences,
                )
            })
            .collect();
        v.sort_by_key(|a| a.3);
        v
    };
    // Sorted by path: gbk, utf16be, utf16le, utf8 (decoded whole: the reference).
    assert_eq!(outcomes.len(), 4);
    let reference = key(&outcomes[3]);
    assert_eq!(reference.len(), 6, "{reference:?}");
    for o in &outcomes[..3] {
        assert_eq!(key(o), reference, "{}", o.path);
    }
}

#[test]
fn gbk_file_names_are_reported_readably() {
    use std::os::unix::ffi::OsStrExt;
    let tree = tempfile::tempdir().expect("tempdir");
    let (name, _, _) = baomi_extract::encoding_rs::GBK.encode("关于案件的报告.txt");
    let path = tree.path().join(std::ffi::OsStr::from_bytes(&name));
    std::fs::write(&path, MARKED).expect("write");
    let outcomes = sweep(&[tree.path()]);
    assert_eq!(outcomes.len(), 1);
    assert!(
        outcomes[0].path.ends_with("/关于案件的报告.txt"),
        "{}",
        outcomes[0].path
    );
    assert_eq!(outcomes[0].findings.len(), 1);
}
