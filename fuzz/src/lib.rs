//! Shared code of the fuzz targets: one call into the extractor with a fixed file name, a visitor that
//! discards what it is given, and the detector compiled once from the default policy.

use baomi_core::{Policy, UnscannedReason};
use baomi_detect::{Detector, Match, Placement};
use baomi_extract::{Budget, Limits, Segment, Visitor, extract};
use std::hint::black_box;
use std::sync::OnceLock;

/// A visitor that reads what it is handed (so lazy text is materialised) and keeps nothing.
struct Discard;

impl Visitor for Discard {
    fn segment(&mut self, inner: &[String], segment: &Segment<'_>) {
        black_box((inner.len(), segment.kind, segment.page, segment.sheet, segment.part));
        black_box(segment.text.len());
    }
    fn unscanned(&mut self, inner: &[String], reason: UnscannedReason, detail: &str) {
        black_box((inner.len(), reason, detail.len()));
    }
}

/// Extract `data` as if it were a file called `name` (the extension picks the parser). Errors are
/// expected values; only a panic, a hang or runaway memory is a finding.
pub fn extract_as(name: &str, data: &[u8]) {
    let mut budget = Budget::new(Limits::default());
    let _ = black_box(extract(name, data, &mut budget, &mut Discard));
}

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| {
        Detector::new(&Policy::default_policy()).expect("default policy compiles")
    })
}

/// Run the detector over `data` (lossily decoded as UTF-8) in every placement, and check that each match
/// points inside the text at a character boundary.
pub fn detect(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let detector = detector();
    let mut out: Vec<Match> = Vec::new();
    for placement in [
        Placement::Document,
        Placement::Margin,
        Placement::Continued,
        Placement::Aside,
    ] {
        out.clear();
        detector.detect(&text, placement, &mut out);
        for m in &out {
            assert!(
                m.offset <= text.len() && text.is_char_boundary(m.offset),
                "match offset {} is not a char boundary of a {}-byte text ({:?})",
                m.offset,
                text.len(),
                m.rule
            );
            black_box((&m.matched, &m.excerpt, m.line, m.confidence));
        }
    }
}
