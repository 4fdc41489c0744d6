//! Text → matches: classification markings, work-secret labels, US markings and policy keywords.
//!
//! Pure functions over `&str`: no I/O, no allocation per line. Position decides whether a marking is
//! a marking (domain.md): it must stand alone at the start of a line in the first lines of a document,
//! page, sheet or slide, or in a header/footer — never inside running prose.
#![deny(missing_docs)]

use baomi_core::{Level, Policy};

/// Where a segment of text stands, which decides which lines may carry a marking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Body of a document, page, sheet, slide or mail: a marking counts in the first
    /// `marking.head_lines` non-empty lines.
    Document,
    /// Header or footer: a marking counts on any line.
    Margin,
    /// Comments, notes, text boxes, metadata: no marking position; keywords only, and a full ★-form
    /// marking standing alone on a line at reduced confidence.
    Aside,
}

/// Which rule matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// A state-secret marking (绝密/机密/秘密, ★ form or bare at the marking position).
    Marking,
    /// A work-secret label (工作秘密, 内部资料 注意保存…), level internal.
    WorkSecret,
    /// A US banner or portion marking.
    UsMarking,
    /// A declassification mark (解密), reported as information with the former level.
    Declassified,
    /// A policy keyword.
    Keyword,
}

impl Rule {
    /// The dotted rule id used in reports.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Marking => "content.marking",
            Rule::WorkSecret => "content.work_secret",
            Rule::UsMarking => "content.us_marking",
            Rule::Declassified => "content.declassified",
            Rule::Keyword => "content.keyword",
        }
    }
}

/// One match in a segment of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Which rule.
    pub rule: Rule,
    /// The level the match implies.
    pub level: Level,
    /// 0.0–1.0.
    pub confidence: f32,
    /// The matched text, as it stands in the document.
    pub matched: String,
    /// The line around the match, trimmed, at most ~120 characters.
    pub excerpt: String,
    /// Why it matched: a stable key (`star_form_at_head`, `bare_level_at_head`, `keyword`, …).
    pub why: &'static str,
    /// 1-based line number within the segment.
    pub line: u32,
    /// Byte offset of the match within the segment.
    pub offset: usize,
    /// Policy note, for keywords.
    pub note: Option<String>,
}

/// Why a policy could not be compiled into a detector.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DetectError {
    /// The keyword automaton could not be built.
    #[error("cannot build keyword matcher: {0}")]
    Keywords(String),
}

/// A policy compiled for matching. Build once, share between threads (`Sync`).
#[derive(Debug)]
pub struct Detector {
    head_lines: u32,
}

impl Detector {
    /// Compile a policy.
    pub fn new(policy: &Policy) -> Result<Detector, DetectError> {
        Ok(Detector {
            head_lines: policy.marking.head_lines,
        })
    }

    /// Find every match in `text` placed at `placement`, appending to `out`.
    pub fn detect(&self, text: &str, placement: Placement, out: &mut Vec<Match>) {
        let _ = (text, placement, out, self.head_lines);
    }
}
