//! Text → matches: classification markings, work-secret labels, US markings and policy keywords.
//!
//! Pure functions over `&str`: no I/O, no allocation per line. Position decides whether a marking is
//! a marking (domain.md): it must stand alone at the start of a line in the first lines of a document,
//! page, sheet or slide, or in a header/footer — never inside running prose.
#![deny(missing_docs)]

mod cn;
mod keywords;
#[cfg(test)]
mod tests;
mod text;
mod us;

use baomi_core::{Level, Policy};
use keywords::Keywords;
use text::{LineCounter, line_bounds, trim};

/// Where a segment of text stands, which decides which lines may carry a marking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Body of a document, page, sheet, slide or mail: a marking counts in the first
    /// `marking.head_lines` non-empty lines.
    Document,
    /// Header or footer: a marking counts on any line.
    Margin,
    /// Running text of a document whose head was inspected separately (a later chunk of a streamed
    /// file, lines picked out of a large one): the rules of a document's body, without head or tail.
    Continued,
    /// Comments, notes, text boxes, metadata: no marking position; keywords only, and a full ★-form
    /// marking standing alone on a line at reduced confidence.
    Aside,
}

/// A string every match of some rules contains (see [`Detector::body_needles`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needle {
    /// The text.
    pub text: String,
    /// True when the matches it stands for depend on their own line only, so that line may be
    /// inspected alone with [`Placement::Continued`].
    pub line_local: bool,
    /// Matched ignoring the case of ASCII letters (keywords the policy marks so).
    pub ascii_case_insensitive: bool,
    /// True when a match needs this needle's line to open like a marking ([`may_open_line`]): a
    /// line whose start cannot open one may be skipped even though it holds the needle.
    pub opens_line: bool,
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

/// The `why` keys a [`Match`] may carry, so renderers can translate them.
pub mod why {
    /// `机密★10年` (or `机密★`) at the marking position of a document.
    pub const STAR_FORM_AT_HEAD: &str = "star_form_at_head";
    /// `机密·10年`, `机密(10年)`, `机密 10年` (★ missing) at the marking position.
    pub const PERIOD_FORM_AT_HEAD: &str = "period_form_at_head";
    /// The bare word `机密` alone at the marking position.
    pub const BARE_LEVEL_AT_HEAD: &str = "bare_level_at_head";
    /// A form field `密级：机密` at the marking position or in a header/footer.
    pub const LEVEL_FIELD: &str = "level_field";
    /// A ★ form in a header or footer.
    pub const STAR_FORM_IN_MARGIN: &str = "star_form_in_margin";
    /// A ★-less form with a period in a header or footer.
    pub const PERIOD_FORM_IN_MARGIN: &str = "period_form_in_margin";
    /// The bare word alone on a header or footer line.
    pub const BARE_LEVEL_IN_MARGIN: &str = "bare_level_in_margin";
    /// A full ★ form alone on a line outside the marking position (low confidence).
    pub const STAR_FORM_STANDALONE: &str = "star_form_standalone";
    /// A paragraph mark `(秘密)` opening a paragraph.
    pub const PARAGRAPH_MARK: &str = "paragraph_mark";
    /// Several different levels marked at the head: training material or a list of examples.
    pub const EXAMPLE_LIST: &str = "example_list";
    /// `解密` / `已解密` at the marking position, with the former level.
    pub const DECLASSIFIED: &str = "declassified";
    /// A work-secret label from the policy at the marking position or in a header/footer.
    pub const WORK_SECRET_LABEL: &str = "work_secret_label";
    /// A US banner line (`SECRET//NOFORN`).
    pub const US_BANNER: &str = "us_banner";
    /// A US portion mark that counts alone (`(TS)`, `(S//NF)`).
    pub const US_PORTION_MARK: &str = "us_portion_mark";
    /// A bare `(S)` / `(C)` portion mark in a segment otherwise marked the US way.
    pub const US_PORTION_MARK_IN_CONTEXT: &str = "us_portion_mark_in_context";
    /// A policy keyword.
    pub const KEYWORD: &str = "keyword";
}

/// Every `why` key with an English explanation, for renderers and translators.
pub const WHY_KEYS: &[(&str, &str)] = &[
    (
        why::STAR_FORM_AT_HEAD,
        "a 密级★保密期限 marking at the marking position",
    ),
    (
        why::PERIOD_FORM_AT_HEAD,
        "a marking with a period but no ★ at the marking position",
    ),
    (
        why::BARE_LEVEL_AT_HEAD,
        "the level word alone at the marking position",
    ),
    (why::LEVEL_FIELD, "a 密级 form field"),
    (
        why::STAR_FORM_IN_MARGIN,
        "a ★ marking in a header or footer",
    ),
    (
        why::PERIOD_FORM_IN_MARGIN,
        "a marking with a period but no ★ in a header or footer",
    ),
    (
        why::BARE_LEVEL_IN_MARGIN,
        "the level word alone in a header or footer",
    ),
    (
        why::STAR_FORM_STANDALONE,
        "a full ★ marking alone on a line in the body",
    ),
    (why::PARAGRAPH_MARK, "a paragraph mark such as (秘密)"),
    (
        why::EXAMPLE_LIST,
        "several different markings together: likely examples or training material",
    ),
    (
        why::DECLASSIFIED,
        "a declassification mark (解密), with the former level",
    ),
    (
        why::WORK_SECRET_LABEL,
        "a work-secret label from the policy",
    ),
    (why::US_BANNER, "a US classification banner line"),
    (
        why::US_PORTION_MARK,
        "a US portion mark such as (TS) or (S//NF)",
    ),
    (
        why::US_PORTION_MARK_IN_CONTEXT,
        "a bare (S) or (C) portion mark in a US-marked text",
    ),
    (why::KEYWORD, "a policy keyword"),
];

/// A policy compiled for matching. Build once, share between threads (`Sync`).
#[derive(Debug)]
pub struct Detector {
    head_lines: u32,
    /// Keyword texts with their ASCII case-insensitivity, for [`Detector::body_needles`].
    keyword_texts: Vec<(String, bool)>,
    labels: Vec<String>,
    us: bool,
    keywords: Option<Keywords>,
    /// Finds 密, the character every level word holds.
    mi_finder: memchr::memmem::Finder<'static>,
}

/// Where a line stands within its segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spot {
    /// The first `head_lines` non-empty lines of a document.
    Head,
    /// A header or footer line.
    Margin,
    /// Document text after the head.
    Body,
    /// Comments, notes and other asides.
    Aside,
}

/// The matches of one `detect` call under construction.
struct Run<'t, 'o> {
    text: &'t str,
    out: &'o mut Vec<Match>,
    first: usize,
    lines: LineCounter<'t>,
    us_context: bool,
}

impl Run<'_, '_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        rule: Rule,
        level: Level,
        confidence: f32,
        why: &'static str,
        start: usize,
        end: usize,
        note: Option<String>,
    ) {
        let matched = self.text.get(start..end).unwrap_or_default();
        let matched = trim(matched).to_string();
        self.out.push(Match {
            rule,
            level,
            confidence,
            excerpt: text::excerpt(self.text, start, end),
            matched,
            why,
            line: self.lines.line_of(start),
            offset: start,
            note,
        });
    }
}

impl Detector {
    /// Compile a policy.
    pub fn new(policy: &Policy) -> Result<Detector, DetectError> {
        let mut labels: Vec<String> = policy
            .marking
            .work_secret_labels
            .iter()
            .map(|l| trim(l).to_string())
            .filter(|l| !l.is_empty())
            .collect();
        // Longest first, so `内部资料 注意保存` wins over `内部资料`.
        labels.sort_by_key(|l| std::cmp::Reverse(l.chars().count()));
        let us = policy.marking.us_markings;
        Ok(Detector {
            head_lines: policy.marking.head_lines,
            keyword_texts: policy
                .keywords
                .iter()
                .map(|k| (k.text.clone(), !k.case_sensitive))
                .collect(),
            labels,
            us,
            keywords: Keywords::new(&policy.keywords)?,
            mi_finder: memchr::memmem::Finder::new("密".as_bytes()).into_owned(),
        })
    }

    /// How many leading non-empty lines of a document count as the marking position.
    pub fn head_lines(&self) -> u32 {
        self.head_lines
    }

    /// Strings of which every match outside the head of a `Document` segment contains at least one:
    /// keywords; 密, which every level word holds (on a line that must open like a marking); US
    /// portion-mark openings and banner words. A caller that finds none of them past the head knows
    /// `detect` would find nothing there either, and may skip decoding that text (the fast path for
    /// large legacy-encoded files).
    pub fn body_needles(&self) -> Vec<Needle> {
        let mut needles: Vec<Needle> = self
            .keyword_texts
            .iter()
            .map(|(t, insensitive)| Needle {
                text: t.clone(),
                line_local: true,
                ascii_case_insensitive: *insensitive && t.bytes().any(|b| b.is_ascii_alphabetic()),
                opens_line: false,
            })
            .collect();
        needles.push(Needle {
            text: "密".to_owned(),
            line_local: true,
            ascii_case_insensitive: false,
            opens_line: true,
        });
        if self.us {
            // Portion marks depend on their neighbours and on banners elsewhere in the segment.
            needles.extend(US_NEEDLES.iter().map(|n| Needle {
                text: (*n).to_owned(),
                line_local: false,
                ascii_case_insensitive: false,
                opens_line: false,
            }));
        }
        needles
    }

    /// Find every match in `text` placed at `placement`, appending to `out`.
    ///
    /// Matches of one call are appended in order of offset.
    pub fn detect(&self, text: &str, placement: Placement, out: &mut Vec<Match>) {
        let first = out.len();
        let mut run = Run {
            text,
            out,
            first,
            lines: LineCounter::new(text),
            us_context: false,
        };
        match placement {
            Placement::Document => {
                let body_start = self.head(&mut run);
                self.body(&mut run, body_start, Spot::Body);
                if self.us {
                    self.tail_banners(&mut run, body_start);
                }
            }
            Placement::Margin => {
                let mut pos = 0;
                while pos < text.len() {
                    let (ls, le) = line_bounds(text, pos);
                    self.head_line(&mut run, ls, le, Spot::Margin);
                    pos = le + 1;
                }
            }
            Placement::Continued => self.body(&mut run, 0, Spot::Body),
            Placement::Aside => self.body(&mut run, 0, Spot::Aside),
        }
        if let Some(k) = &self.keywords {
            let mut lines = LineCounter::new(text);
            k.scan(text, |h| {
                run.out.push(Match {
                    rule: Rule::Keyword,
                    level: h.level,
                    confidence: 0.9,
                    matched: text[h.start..h.end].to_string(),
                    excerpt: text::excerpt(text, h.start, h.end),
                    why: why::KEYWORD,
                    line: lines.line_of(h.start),
                    offset: h.start,
                    note: h.note.map(str::to_string),
                });
            });
        }
        Self::finish(run);
    }

    /// Parses the head lines of a document; returns where the body starts.
    fn head(&self, run: &mut Run) -> usize {
        let text = run.text;
        let mut pos = 0;
        let mut seen = 0;
        while pos < text.len() && seen < self.head_lines {
            let (ls, le) = line_bounds(text, pos);
            if !trim(&text[ls..le]).is_empty() {
                seen += 1;
                let before = run.out.len();
                self.head_line(run, ls, le, Spot::Head);
                if run.out.len() == before {
                    Self::first_cell_mark(run, ls, le);
                }
            }
            pos = le + 1;
        }
        pos.min(text.len())
    }

    /// A table row or sheet row at the head whose first cell is a ★-form marking and whose other cells
    /// hold anything (`机密★5年⇥涉密人员名单`: the marking in A1, the title beside it). Only the ★ form,
    /// only the first cell: a bare `秘密` or a marking further right is a value in a register's column.
    fn first_cell_mark(run: &mut Run, ls: usize, le: usize) {
        let line = &run.text[ls..le];
        let lead = line.len() - line.trim_start().len();
        let Some(tab) = line[lead..].find('\t') else {
            return;
        };
        let cell = &line[lead..lead + tab];
        let Some(h) = cn::parse_head_line(cell) else {
            return;
        };
        let (Some(m), None, None) = (h.mark, h.field_start, h.declass) else {
            return;
        };
        let conf = match m.shape {
            cn::MarkShape::Star { period: true } => 0.95,
            cn::MarkShape::Star { period: false } => 0.9,
            cn::MarkShape::Bare | cn::MarkShape::Period => return,
        };
        run.push(
            Rule::Marking,
            m.level,
            conf,
            why::STAR_FORM_AT_HEAD,
            ls + lead + m.start,
            ls + lead + m.end,
            None,
        );
    }

    /// Everything a line at the marking position (head or margin) may carry.
    fn head_line(&self, run: &mut Run, ls: usize, le: usize, spot: Spot) {
        let line = &run.text[ls..le];
        let margin = spot == Spot::Margin;
        if let Some(h) = cn::parse_head_line(line) {
            if let Some((ds, de)) = h.declass {
                let (level, s, e, conf) = match h.mark {
                    Some(m) => {
                        let s = h.field_start.unwrap_or(m.start).min(ds);
                        (m.level, s, m.end.max(de), 0.9)
                    }
                    None => (Level::Internal, ds, de, 0.8),
                };
                let conf = if margin { conf - 0.05 } else { conf };
                run.push(
                    Rule::Declassified,
                    level,
                    conf,
                    why::DECLASSIFIED,
                    ls + s,
                    ls + e,
                    None,
                );
            } else if let Some(m) = h.mark {
                let (why, conf) = match (h.field_start.is_some(), m.shape, margin) {
                    (true, _, false) => (why::LEVEL_FIELD, 0.95),
                    (true, _, true) => (why::LEVEL_FIELD, 0.9),
                    (false, cn::MarkShape::Star { period: true }, false) => {
                        (why::STAR_FORM_AT_HEAD, 0.98)
                    }
                    (false, cn::MarkShape::Star { period: false }, false) => {
                        (why::STAR_FORM_AT_HEAD, 0.95)
                    }
                    (false, cn::MarkShape::Star { period: true }, true) => {
                        (why::STAR_FORM_IN_MARGIN, 0.93)
                    }
                    (false, cn::MarkShape::Star { period: false }, true) => {
                        (why::STAR_FORM_IN_MARGIN, 0.9)
                    }
                    (false, cn::MarkShape::Period, false) => (why::PERIOD_FORM_AT_HEAD, 0.95),
                    (false, cn::MarkShape::Period, true) => (why::PERIOD_FORM_IN_MARGIN, 0.9),
                    (false, cn::MarkShape::Bare, false) => (why::BARE_LEVEL_AT_HEAD, 0.85),
                    (false, cn::MarkShape::Bare, true) => (why::BARE_LEVEL_IN_MARGIN, 0.8),
                };
                let s = h.field_start.unwrap_or(m.start);
                run.push(Rule::Marking, m.level, conf, why, ls + s, ls + m.end, None);
            }
            return;
        }
        if spot == Spot::Head && Self::paragraph_mark(run, ls, line) {
            return;
        }
        for label in &self.labels {
            if let Some((s, e)) = cn::work_secret(line, label) {
                let conf = if margin { 0.85 } else { 0.9 };
                run.push(
                    Rule::WorkSecret,
                    Level::Internal,
                    conf,
                    why::WORK_SECRET_LABEL,
                    ls + s,
                    ls + e,
                    None,
                );
                return;
            }
        }
        if self.us {
            if self.banner(run, ls, le) {
                return;
            }
            self.portion(run, ls, le);
        }
    }

    /// A US banner on the line `[ls, le)`; true when one was found.
    fn banner(&self, run: &mut Run, ls: usize, le: usize) -> bool {
        let line = &run.text[ls..le];
        let Some((level, caveats)) = us::banner(line) else {
            return false;
        };
        let conf = match (level, caveats) {
            (_, true) => 0.9,
            (Level::Confidential, false) => 0.6,
            _ => 0.85,
        };
        let lead = line.len() - line.trim_start_matches(text::is_space).len();
        let s = ls + lead;
        let e = s + trim(line).len();
        run.us_context = true;
        run.push(Rule::UsMarking, level, conf, why::US_BANNER, s, e, None);
        true
    }

    /// A US portion mark opening the line `[ls, le)`.
    fn portion(&self, run: &mut Run, ls: usize, le: usize) {
        let text = run.text;
        let Some(p) = us::portion(&text[ls..le]) else {
            return;
        };
        if let Some(letter) = p.letter {
            let prev = text::neighbour_line(text, ls, le, false);
            let next = text::neighbour_line(text, ls, le, true);
            if us::enumerated(letter, prev, next) {
                return;
            }
        }
        match p.level {
            None => run.us_context = true,
            Some(level) if p.strong => {
                run.us_context = true;
                run.push(
                    Rule::UsMarking,
                    level,
                    0.7,
                    why::US_PORTION_MARK,
                    ls + p.start,
                    ls + p.end,
                    None,
                );
            }
            Some(level) => run.push(
                Rule::UsMarking,
                level,
                0.7,
                why::US_PORTION_MARK_IN_CONTEXT,
                ls + p.start,
                ls + p.end,
                None,
            ),
        }
    }

    /// Running text from `from` on. Markings outside the head must open their line, so only the
    /// first character of each line is looked at; the rare lines that open with a level word, a
    /// parenthesis or whitespace get a closer look.
    fn body(&self, run: &mut Run, from: usize, spot: Spot) {
        let text = run.text;
        let bytes = text.as_bytes();
        if from >= bytes.len() {
            return;
        }
        // A marking in running text opens its line and holds 密 (every level word does) or, for US
        // portion marks, opens with `(`. Finding those characters with SIMD searches and looking at
        // their lines alone is several times faster than visiting every line.
        let mut starts: Vec<usize> = Vec::new();
        let mut collect = |hits: &mut dyn Iterator<Item = usize>| {
            let mut seen_to: Option<usize> = None;
            for at in hits {
                let at = from + at;
                if seen_to.is_some_and(|e| at < e) {
                    continue;
                }
                let ls = memchr::memrchr(b'\n', &bytes[from..at]).map_or(from, |i| from + i + 1);
                let le = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
                seen_to = Some(le);
                if may_open_mark(&bytes[ls..le]) {
                    starts.push(ls);
                }
            }
        };
        collect(&mut self.mi_finder.find_iter(&bytes[from..]));
        if self.us {
            collect(&mut memchr::memchr_iter(b'(', &bytes[from..]));
        }
        starts.sort_unstable();
        starts.dedup();
        for ls in starts {
            let le = memchr::memchr(b'\n', &bytes[ls..]).map_or(bytes.len(), |i| ls + i);
            self.body_line(run, ls, le, spot);
        }
    }

    /// A line of running text whose first character may open a marking.
    fn body_line(&self, run: &mut Run, ls: usize, le: usize, spot: Spot) {
        let line = &run.text[ls..le];
        let t = trim(line);
        if cn::may_hold_mark(t) {
            if let Some(h) = cn::parse_head_line(line) {
                if let Some(m) = h.mark
                    && h.declass.is_none()
                    && !h.others
                    && m.shape == (cn::MarkShape::Star { period: true })
                {
                    let s = h.field_start.unwrap_or(m.start);
                    run.push(
                        Rule::Marking,
                        m.level,
                        0.6,
                        why::STAR_FORM_STANDALONE,
                        ls + s,
                        ls + m.end,
                        None,
                    );
                }
                return;
            }
            if spot == Spot::Body && Self::paragraph_mark(run, ls, line) {
                return;
            }
        }
        if self.us && spot == Spot::Body && t.starts_with('(') {
            self.portion(run, ls, le);
        }
    }

    /// A paragraph mark `（秘密）…` opening the line at `ls`; true when one was recorded.
    fn paragraph_mark(run: &mut Run, ls: usize, line: &str) -> bool {
        let Some((level, s, e)) = cn::paragraph_mark(line) else {
            return false;
        };
        run.push(
            Rule::Marking,
            level,
            0.7,
            why::PARAGRAPH_MARK,
            ls + s,
            ls + e,
            None,
        );
        true
    }

    /// US banners repeat at the bottom of pages: the last `head_lines` non-empty lines of a document.
    fn tail_banners(&self, run: &mut Run, body_start: usize) {
        let text = run.text;
        let bytes = text.as_bytes();
        let mut end = text.len();
        let mut seen = 0;
        while seen < self.head_lines {
            let ls = memchr::memrchr(b'\n', &bytes[..end]).map_or(0, |i| i + 1);
            if ls < body_start || (ls == end && ls == 0) {
                break;
            }
            if !trim(&text[ls..end]).is_empty() {
                seen += 1;
                self.banner(run, ls, end);
            }
            if ls == 0 {
                break;
            }
            end = ls - 1;
        }
    }

    /// Drops bare portion marks without US context, downgrades example lists, orders by offset.
    fn finish(run: Run) {
        let Run {
            out,
            first,
            us_context,
            ..
        } = run;
        if !us_context {
            let mut i = first;
            while i < out.len() {
                if out[i].why == why::US_PORTION_MARK_IN_CONTEXT {
                    out.remove(i);
                } else {
                    i += 1;
                }
            }
        }
        let at_marking_position = |w: &str| {
            matches!(
                w,
                why::STAR_FORM_AT_HEAD
                    | why::PERIOD_FORM_AT_HEAD
                    | why::BARE_LEVEL_AT_HEAD
                    | why::LEVEL_FIELD
                    | why::STAR_FORM_IN_MARGIN
                    | why::PERIOD_FORM_IN_MARGIN
                    | why::BARE_LEVEL_IN_MARGIN
            )
        };
        let mut levels = 0u8;
        for m in &out[first..] {
            if m.rule == Rule::Marking && at_marking_position(m.why) {
                levels |= 1 << (m.level as u8);
            }
        }
        if levels.count_ones() > 1 {
            for m in &mut out[first..] {
                if m.rule == Rule::Marking && at_marking_position(m.why) {
                    m.confidence = m.confidence.min(0.5);
                    m.why = why::EXAMPLE_LIST;
                }
            }
        }
        out[first..].sort_unstable_by(|a, b| a.offset.cmp(&b.offset).then(a.rule.cmp(&b.rule)));
    }
}

/// US portion-mark openings and banner words (recognised in capitals only).
const US_NEEDLES: [&str; 7] = ["(T", "(S", "(C", "(U", "( ", "SECRET", "CONFIDENTIAL"];

/// Whether a line's opening could be a marking's, for callers that find lines in raw bytes and want to
/// decode only those worth it (`prefix`: the line's start, decoded; a prefix of blanks alone gives
/// true, since what follows is unknown).
pub fn may_open_line(prefix: &str) -> bool {
    may_open_mark(prefix.as_bytes()) || trim(prefix).is_empty()
}

/// Whether a line's first bytes could open a marking: a level word (绝 机 秘), 密级, a parenthesis
/// (ASCII or full-width) or whitespace before any of these. Decides on the first byte for almost
/// every line, so the body of a document costs about one newline search.
fn may_open_mark(line: &[u8]) -> bool {
    let mut i = 0;
    loop {
        let Some(&b) = line.get(i) else {
            return false;
        };
        match b {
            b' ' | b'\t' | b'\r' | 0x0b | 0x0c => i += 1,
            b'(' => return true,
            0xe3 if line.get(i..i + 3) == Some("\u{3000}".as_bytes()) => i += 3,
            0xc2 if line.get(i..i + 2) == Some("\u{a0}".as_bytes()) => i += 2,
            0xe2 | 0xef => {
                // Other Unicode spaces, zero-width characters, BOM, and the full-width parenthesis.
                let Some(c) = line.get(i..).and_then(|r| {
                    let n = r.len().min(3);
                    std::str::from_utf8(&r[..n]).ok()?.chars().next()
                }) else {
                    return false;
                };
                if c == '（' {
                    return true;
                }
                if text::is_space(c) {
                    i += c.len_utf8();
                } else {
                    return false;
                }
            }
            0xe5..=0xe7 => {
                let head = line.get(i..i + 3);
                return ["绝", "机", "秘", "密", "絕", "機"]
                    .iter()
                    .any(|w| head == Some(w.as_bytes()));
            }
            _ => return false,
        }
    }
}
