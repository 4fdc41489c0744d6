//! Helpers the tests share: reading output back with the workspace's own extractor, and running the
//! external tools that are installed (each test says so when it skips one).

use baomi_core::UnscannedReason;
use baomi_extract::{Budget, Limits, Segment, SegmentKind, Visitor};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One segment as read back: kind, page, text.
#[derive(Debug, Clone)]
pub(crate) struct Read {
    pub kind: SegmentKind,
    pub page: Option<u32>,
    pub text: String,
}

#[derive(Default)]
struct Collect {
    segments: Vec<Read>,
    unscanned: Vec<String>,
}

impl Visitor for Collect {
    fn segment(&mut self, _inner: &[String], segment: &Segment<'_>) {
        self.segments.push(Read {
            kind: segment.kind,
            page: segment.page,
            text: segment.text.to_string(),
        });
    }
    fn unscanned(&mut self, _inner: &[String], reason: UnscannedReason, detail: &str) {
        self.unscanned.push(format!("{reason:?}: {detail}"));
    }
}

/// Everything baomi-extract reads from `data` named `name`; panics when it cannot read the file.
pub(crate) fn extract(name: &str, data: &[u8]) -> Vec<Read> {
    let mut budget = Budget::new(Limits::default());
    let mut visitor = Collect::default();
    let result = baomi_extract::extract(name, data, &mut budget, &mut visitor);
    assert!(result.is_ok(), "{name} unreadable: {result:?}");
    assert!(visitor.unscanned.is_empty(), "{:?}", visitor.unscanned);
    visitor.segments
}

/// The body text of page `page` (1-based) of a PDF, as baomi-extract reads it.
pub(crate) fn pdf_page_text(segments: &[Read], page: u32) -> String {
    segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Body && s.page == Some(page))
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A fresh directory for one test's files.
pub(crate) fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "baomi-print-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether `tool` is an executable file on the `PATH` (looked up without running it).
pub(crate) fn have(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
        .unwrap_or(false)
}

/// The text `pdftotext` reads from `pdf` (UTF-8, layout kept), or `None` when pdftotext is not
/// installed.
pub(crate) fn pdftotext(pdf: &[u8]) -> Option<String> {
    if !have("pdftotext") {
        eprintln!(
            "note: pdftotext is not installed (apt-get install poppler-utils poppler-data); skipped"
        );
        return None;
    }
    let dir = temp_dir("pdftotext");
    let path = dir.join("in.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "pdftotext failed: {stderr}");
    // Without poppler-data, poppler has no UniGB-UCS2-H and says so here: that is a broken
    // install, not a reason to skip (apt-get install poppler-data).
    assert!(
        !stderr.contains("Couldn't find") && !stderr.contains("Unknown"),
        "pdftotext complained (is poppler-data installed?): {stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    Some(String::from_utf8(out.stdout).unwrap())
}

/// Runs `qpdf --check` on `pdf` and asserts it finds nothing wrong; skipped (with a note) when qpdf
/// is not installed.
pub(crate) fn qpdf_check(pdf: &[u8]) {
    if !have("qpdf") {
        eprintln!("note: qpdf is not installed; `qpdf --check` skipped");
        return;
    }
    let dir = temp_dir("qpdf");
    let path = dir.join("in.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty() && !stdout.contains("WARNING"),
        "qpdf --check: {stdout}{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
