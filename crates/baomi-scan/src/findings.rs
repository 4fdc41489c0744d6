//! From detector matches to report findings: placement of each segment, severity by zone and
//! confidence, stable ids, and de-duplication within a file (a header repeated on every page is one
//! finding with a count, not forty).

use baomi_core::{
    Evidence, Finding, Level, Severity, Unscanned, UnscannedReason, Zone, finding_id,
};
use baomi_detect::{Detector, Match, Placement, Rule};
use baomi_extract::{Segment, SegmentKind, Visitor};

/// Below this confidence a match is shown as information only: the shape fits but the position does not.
const LOW_CONFIDENCE: f32 = 0.7;

/// Severity of a content finding: what the level means on a computer of this zone, lowered to `info`
/// when the detector is unsure.
pub fn content_severity(rule: Rule, level: Level, zone: Zone, confidence: f32) -> Severity {
    if rule == Rule::Declassified || confidence < LOW_CONFIDENCE {
        return Severity::Info;
    }
    match zone {
        // Classified computers may hold classified files: the finding is an inventory entry.
        Zone::Classified => Severity::Info,
        // 上网不涉密: nothing protected belongs on an Internet computer, and state secrets belong
        // only in the classified zone.
        Zone::Internet | Zone::Internal if level.is_state_secret() => Severity::Critical,
        Zone::Internet => Severity::High,
        Zone::Internal => Severity::Info,
        Zone::Unknown => match level {
            Level::TopSecret | Level::Secret => Severity::Critical,
            Level::Confidential => Severity::High,
            Level::Internal => Severity::Medium,
        },
    }
}

fn placement(kind: SegmentKind) -> Placement {
    match kind {
        SegmentKind::Body | SegmentKind::Sheet | SegmentKind::Slide | SegmentKind::Subject => {
            Placement::Document
        }
        SegmentKind::Header | SegmentKind::Footer => Placement::Margin,
        _ => Placement::Aside,
    }
}

fn title(m: &Match) -> String {
    let what = match m.rule {
        Rule::Marking => "Classification marking",
        Rule::WorkSecret => "Work-secret label",
        Rule::UsMarking => "US classification marking",
        Rule::Declassified => "Declassification mark",
        Rule::Keyword => "Policy keyword",
    };
    format!("{what} \u{201c}{}\u{201d} ({})", m.matched, m.level.en())
}

/// Turn the matches of one segment into findings (not yet de-duplicated).
pub fn matches_to_findings(
    path: &str,
    inner: &[String],
    segment: &Segment<'_>,
    matches: &[Match],
    zone: Zone,
) -> Vec<Finding> {
    let mut chain: Vec<String> = inner.to_vec();
    if let Some(part) = segment.part {
        chain.push(part.to_owned());
    }
    matches
        .iter()
        .map(|m| Finding {
            id: finding_id(m.rule.id(), path, &chain, &m.matched),
            check: "content".into(),
            rule: m.rule.id().into(),
            severity: content_severity(m.rule, m.level, zone, m.confidence),
            level: Some(m.level),
            confidence: m.confidence,
            path: path.to_owned(),
            inner: chain.clone(),
            title: title(m),
            evidence: Evidence {
                excerpt: m.excerpt.clone(),
                // A quote of the document, already in its own language.
                excerpt_zh: None,
                matched: m.matched.clone(),
                why: m.why.into(),
                part: Some(segment.kind.as_str().into()),
                page: segment.page,
                sheet: segment.sheet.map(str::to_owned),
                line: Some(m.line),
                offset: Some(m.offset as u64),
                occurrences: 1,
                note: m.note.clone(),
            },
        })
        .collect()
}

/// The visitor one file's extraction reports to.
pub(crate) struct Collector<'a> {
    path: &'a str,
    detector: &'a Detector,
    zone: Zone,
    matches: Vec<Match>,
    findings: Vec<Finding>,
    unscanned: Vec<Unscanned>,
}

impl<'a> Collector<'a> {
    pub(crate) fn new(path: &'a str, detector: &'a Detector, zone: Zone) -> Self {
        Collector {
            path,
            detector,
            zone,
            matches: Vec::new(),
            findings: Vec::new(),
            unscanned: Vec::new(),
        }
    }

    /// One chunk of a streamed plain-text file: `line` and `offset` say where the chunk starts, so
    /// evidence points into the whole file.
    /// `offset: None` leaves offsets out (text that was never decoded whole has no true offsets).
    pub(crate) fn text_chunk(
        &mut self,
        text: &str,
        placement: Placement,
        line: u32,
        offset: Option<u64>,
    ) {
        self.matches.clear();
        self.detector.detect(text, placement, &mut self.matches);
        if self.matches.is_empty() {
            return;
        }
        let mut matches = std::mem::take(&mut self.matches);
        for m in &mut matches {
            m.line = m.line.saturating_add(line);
            m.offset = m.offset.saturating_add(offset.unwrap_or(0) as usize);
        }
        let segment = Segment {
            kind: SegmentKind::Body,
            page: None,
            sheet: None,
            part: None,
            text: std::borrow::Cow::Borrowed(""),
        };
        for mut f in matches_to_findings(self.path, &[], &segment, &matches, self.zone) {
            if offset.is_none() {
                f.evidence.offset = None;
            }
            self.add(f);
        }
        self.matches = matches;
    }

    pub(crate) fn finish(self) -> (Vec<Finding>, Vec<Unscanned>) {
        (self.findings, self.unscanned)
    }

    /// Keep one finding per (rule, level, matched text, container chain): the most confident, counting
    /// the others. The part name (header1.xml vs header2.xml) is not part of the key, since Word writes
    /// the same header once per section.
    fn add(&mut self, new: Finding) {
        let containers = |f: &Finding| {
            let n = f.inner.len();
            let has_part = f.evidence.part.is_some() && n > 0;
            f.inner[..if has_part { n.saturating_sub(1) } else { n }].to_vec()
        };
        let key = normalise(&new.evidence.matched);
        let new_containers = containers(&new);
        if let Some(old) = self.findings.iter_mut().find(|f| {
            f.rule == new.rule
                && f.level == new.level
                && normalise(&f.evidence.matched) == key
                && containers(f) == new_containers
        }) {
            let occurrences = old.evidence.occurrences.saturating_add(1);
            if new.confidence > old.confidence {
                *old = new;
            }
            old.evidence.occurrences = occurrences;
        } else {
            self.findings.push(new);
        }
    }
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect()
}

impl Visitor for Collector<'_> {
    fn segment(&mut self, inner: &[String], segment: &Segment<'_>) {
        self.matches.clear();
        self.detector
            .detect(&segment.text, placement(segment.kind), &mut self.matches);
        if self.matches.is_empty() {
            return;
        }
        let matches = std::mem::take(&mut self.matches);
        for f in matches_to_findings(self.path, inner, segment, &matches, self.zone) {
            self.add(f);
        }
        self.matches = matches;
    }

    fn unscanned(&mut self, inner: &[String], reason: UnscannedReason, detail: &str) {
        self.unscanned.push(Unscanned {
            path: self.path.to_owned(),
            inner: inner.to_vec(),
            reason,
            detail: detail.to_owned(),
        });
    }
}
