//! The one way office parsers read XML: streaming, depth-limited, DOCTYPE-blind and never expanding custom
//! entities, so a hostile `document.xml` (billion laughs, 10 000-deep nesting) costs nothing but an error.
//!
//! Also home of [`Flow`], the paragraph/table/text-box line builder that OOXML and ODF share, because both
//! formats nest the same way (paragraphs in cells in rows, text boxes inside paragraphs, notes inside
//! paragraphs) and the marking of a 公文 depends on getting that order right.

use crate::{Budget, Unreadable};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesEnd, BytesStart, Event};
use std::borrow::Cow;

/// Time is checked once per this many events: often enough to stop a hang, rarely enough to cost nothing.
const TIME_CHECK_EVERY: u32 = 4096;

/// Turn a member's bytes into text the reader can take. OOXML and ODF are UTF-8 by rule; UTF-16 with a
/// BOM is legal XML and a few generators write it; anything invalid is replaced rather than refused so
/// one bad byte does not hide a whole document.
pub(crate) fn decode(data: &[u8]) -> Cow<'_, str> {
    if data.starts_with(&[0xFF, 0xFE]) {
        let (t, _) = encoding_rs::UTF_16LE.decode_with_bom_removal(data);
        return t;
    }
    if data.starts_with(&[0xFE, 0xFF]) {
        let (t, _) = encoding_rs::UTF_16BE.decode_with_bom_removal(data);
        return t;
    }
    let data = data.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(data);
    // The SIMD check settles the common, valid case several times faster than std's lossy pass.
    match simdutf8::basic::from_utf8(data) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(data),
    }
}

/// One event, simplified: empty elements arrive as a start followed by an end, and text, CDATA and
/// resolved character references all arrive as text.
pub(crate) enum Ev<'a> {
    Start(BytesStart<'a>),
    End(BytesEnd<'a>),
    Text(Cow<'a, str>),
    Eof,
}

/// Streaming reader with the safety rules built in.
pub(crate) struct XmlReader<'a> {
    reader: quick_xml::Reader<&'a [u8]>,
    pending_end: Option<BytesEnd<'static>>,
    depth: u32,
    events: u32,
    part: String,
    seen_element: bool,
}

impl<'a> XmlReader<'a> {
    /// `part` names the member in error messages.
    pub(crate) fn new(text: &'a str, part: &str) -> XmlReader<'a> {
        let mut reader = quick_xml::Reader::from_str(text);
        let config = reader.config_mut();
        // Tolerance: WPS and old generators write mismatched end tags now and then; the text still counts.
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.check_comments = false;
        config.allow_dangling_amp = true;
        XmlReader {
            reader,
            pending_end: None,
            depth: 0,
            events: 0,
            part: part.to_owned(),
            seen_element: false,
        }
    }

    /// Current element depth (the root element is 1).
    pub(crate) fn depth(&self) -> u32 {
        self.depth
    }

    /// Next event. Errors: malformed XML (corrupt), too deep or out of time (limit).
    pub(crate) fn next(&mut self, budget: &mut Budget) -> Result<Ev<'a>, Unreadable> {
        if let Some(end) = self.pending_end.take() {
            self.depth = self.depth.saturating_sub(1);
            return Ok(Ev::End(end));
        }
        loop {
            self.events = self.events.wrapping_add(1);
            if self.events.is_multiple_of(TIME_CHECK_EVERY) {
                budget.check_time()?;
            }
            let ev = self.reader.read_event().map_err(|e| {
                Unreadable::corrupt(format!(
                    "malformed XML in {} at byte {}: {e}",
                    self.part,
                    self.reader.buffer_position()
                ))
            })?;
            match ev {
                Event::Start(e) => {
                    self.seen_element = true;
                    self.enter(budget)?;
                    return Ok(Ev::Start(e));
                }
                Event::Empty(e) => {
                    self.seen_element = true;
                    self.enter(budget)?;
                    self.pending_end = Some(e.to_end().into_owned());
                    return Ok(Ev::Start(e));
                }
                Event::End(e) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Ev::End(e));
                }
                Event::Text(t) => {
                    // Text outside any element is not XML: a damaged or substituted part must be
                    // reported as corrupt, not read as if it were a document's words.
                    if self.depth == 0 && !t.trim_ascii().is_empty() {
                        return Err(self.not_xml());
                    }
                    let t = t.xml10_content();
                    budget.spend_text(t.len() as u64)?;
                    return Ok(Ev::Text(t));
                }
                Event::CData(t) => {
                    let t = t.xml10_content();
                    budget.spend_text(t.len() as u64)?;
                    return Ok(Ev::Text(t));
                }
                Event::GeneralRef(r) => {
                    // Only the five predefined entities and character references are expanded: a DOCTYPE's
                    // own entities are never looked up, which is what defeats billion-laughs.
                    if let Some(c) = resolve_ref(&r.into_inner()) {
                        return Ok(Ev::Text(Cow::Owned(c.to_string())));
                    }
                }
                Event::Eof if !self.seen_element => return Err(self.not_xml()),
                Event::Eof => return Ok(Ev::Eof),
                // DOCTYPE (and its entity declarations), comments, PIs, the declaration: no text of ours.
                Event::DocType(_) | Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
            }
        }
    }

    fn not_xml(&self) -> Unreadable {
        Unreadable::corrupt(format!("{} is not XML", self.part))
    }

    fn enter(&mut self, budget: &mut Budget) -> Result<(), Unreadable> {
        self.depth += 1;
        if self.depth > budget.limits.max_xml_depth {
            return Err(Unreadable::limit(format!(
                "XML in {} nested deeper than {}",
                self.part, budget.limits.max_xml_depth
            )));
        }
        Ok(())
    }

    /// Skip the rest of the element whose start was just returned.
    pub(crate) fn skip_element(&mut self, budget: &mut Budget) -> Result<(), Unreadable> {
        let target = self.depth.saturating_sub(1);
        loop {
            match self.next(budget)? {
                Ev::Eof => return Ok(()),
                Ev::End(_) if self.depth <= target => return Ok(()),
                _ => {}
            }
        }
    }

    /// All text inside the element whose start was just returned, concatenated.
    pub(crate) fn element_text(&mut self, budget: &mut Budget) -> Result<String, Unreadable> {
        let target = self.depth.saturating_sub(1);
        let mut out = String::new();
        loop {
            match self.next(budget)? {
                Ev::Eof => return Ok(out),
                Ev::End(_) if self.depth <= target => return Ok(out),
                Ev::Text(t) => out.push_str(&t),
                _ => {}
            }
        }
    }
}

fn resolve_ref(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse::<u32>().ok()?,
            };
            char::from_u32(code).filter(|c| *c != '\0')
        }
    }
}

/// Local name of an element (namespace prefix dropped: producers disagree on prefixes, never on names).
pub(crate) fn local<'b>(e: &'b BytesStart<'_>) -> &'b str {
    let name = e.name();
    let full: &str = name.0;
    full.rsplit(':').next().unwrap_or(full)
}

/// Local name of an end tag.
pub(crate) fn local_end<'b>(e: &'b BytesEnd<'_>) -> &'b str {
    let name = e.name();
    let full: &str = name.0;
    full.rsplit(':').next().unwrap_or(full)
}

/// Value of the attribute with this local name, entities decoded when they are the predefined ones.
pub(crate) fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    for a in e.attributes().with_checks(false).flatten() {
        let key = a.key.0;
        if key.rsplit(':').next().unwrap_or(key) == name {
            return Some(match a.normalized_value(XmlVersion::Implicit1_0) {
                Ok(v) => v.into_owned(),
                Err(_) => a.value.into_owned(),
            });
        }
    }
    None
}

/// Lines of one output place (a page-split body, a comment list, a slide), with the line indices where
/// new pages begin.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    pub(crate) lines: Vec<String>,
    pub(crate) breaks: Vec<usize>,
    /// A break that a following section may still cancel (Word's continuous sections).
    pub(crate) tentative: Option<usize>,
}

impl Lines {
    fn push(&mut self, line: &str) {
        for l in line.split('\n') {
            // Blank paragraphs are layout, not content: dropping them keeps a marking among the "first
            // lines" of its page however much spacing precedes it.
            if !l.trim().is_empty() {
                self.lines.push(l.trim_end().to_owned());
            }
        }
    }

    /// Start a new page here. A break on an empty page is dropped, because Word writes both an explicit
    /// break and a rendered-break marker for the same page boundary.
    pub(crate) fn page_break(&mut self) -> bool {
        let at = self.lines.len();
        if at == 0 || self.breaks.last() == Some(&at) {
            return false;
        }
        self.breaks.push(at);
        true
    }

    /// The text of each page, in order (one page when the format gave no page information).
    pub(crate) fn pages(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.breaks.len() + 1);
        let mut start = 0;
        for &b in self.breaks.iter().chain(std::iter::once(&self.lines.len())) {
            let b = b.clamp(start, self.lines.len());
            out.push(self.lines[start..b].join("\n"));
            start = b;
        }
        out
    }

    /// All lines as one text.
    pub(crate) fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub(crate) fn append(&mut self, other: Lines) {
        self.lines.extend(other.lines);
    }
}

enum Frame {
    Target(Lines),
    /// A text box: its paragraphs become lines of the enclosing target, never part of a table cell.
    Inline,
    Row(Vec<String>),
    Cell(String),
    Para(String),
}

/// Builds lines from nested paragraphs, tables, text boxes and sub-targets (notes, comments).
#[derive(Default)]
pub(crate) struct Flow {
    stack: Vec<Frame>,
}

impl Flow {
    pub(crate) fn new() -> Flow {
        Flow { stack: Vec::new() }
    }

    /// Open a place whose lines are collected separately (body, note, comment, slide…).
    pub(crate) fn push_target(&mut self) {
        self.stack.push(Frame::Target(Lines::default()));
    }

    /// Close the innermost target (and anything left open inside it) and hand back its lines.
    pub(crate) fn pop_target(&mut self) -> Lines {
        while let Some(f) = self.stack.pop() {
            match f {
                Frame::Target(l) => return l,
                Frame::Para(p) => self.deliver(&p),
                Frame::Cell(c) => self.deliver(&c),
                Frame::Row(r) => self.deliver(&r.join("\t")),
                Frame::Inline => {}
            }
        }
        Lines::default()
    }

    pub(crate) fn push_inline(&mut self) {
        self.stack.push(Frame::Inline);
    }

    /// Close the innermost text box.
    pub(crate) fn pop_inline(&mut self) {
        self.close_until(|f| matches!(f, Frame::Inline));
    }

    pub(crate) fn open_para(&mut self) {
        self.stack.push(Frame::Para(String::new()));
    }

    pub(crate) fn close_para(&mut self) {
        self.close_until(|f| matches!(f, Frame::Para(_)));
    }

    pub(crate) fn open_row(&mut self) {
        self.stack.push(Frame::Row(Vec::new()));
    }

    /// Close the innermost row and deliver it as one line.
    pub(crate) fn close_row(&mut self) {
        self.close_until(|f| matches!(f, Frame::Row(_)));
    }

    /// Close the innermost row and hand its cells back instead (spreadsheets repeat and pad rows).
    pub(crate) fn take_row(&mut self) -> Option<Vec<String>> {
        let pos = self
            .stack
            .iter()
            .rposition(|f| matches!(f, Frame::Row(_)))?;
        while self.stack.len() > pos + 1 {
            self.close_top();
        }
        match self.stack.pop() {
            Some(Frame::Row(r)) => Some(r),
            _ => None,
        }
    }

    pub(crate) fn open_cell(&mut self) {
        self.stack.push(Frame::Cell(String::new()));
    }

    pub(crate) fn close_cell(&mut self) {
        self.close_until(|f| matches!(f, Frame::Cell(_)));
    }

    /// Close the innermost cell and hand its text back instead of adding it to the row.
    pub(crate) fn take_cell(&mut self) -> Option<String> {
        let pos = self
            .stack
            .iter()
            .rposition(|f| matches!(f, Frame::Cell(_)))?;
        while self.stack.len() > pos + 1 {
            self.close_top();
        }
        match self.stack.pop() {
            Some(Frame::Cell(c)) => Some(c),
            _ => None,
        }
    }

    /// Add cells to the innermost open row.
    pub(crate) fn add_cells(&mut self, cells: impl IntoIterator<Item = String>) {
        if let Some(Frame::Row(r)) = self.stack.iter_mut().rev().find(|f| {
            matches!(
                f,
                Frame::Row(_) | Frame::Target(_) | Frame::Inline | Frame::Cell(_)
            )
        }) {
            r.extend(cells);
        }
    }

    /// Text of the current paragraph (ignored outside any paragraph: no loose text in these formats).
    pub(crate) fn text(&mut self, t: &str) {
        if let Some(Frame::Para(p)) = self.stack.last_mut() {
            p.push_str(t);
        }
    }

    /// Is a paragraph open at the top?
    pub(crate) fn in_para(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Para(_)))
    }

    /// A line of its own in the nearest target (spreadsheet rows built by hand).
    pub(crate) fn emit_line(&mut self, line: &str) {
        if let Some(Frame::Target(l)) = self
            .stack
            .iter_mut()
            .rev()
            .find(|f| matches!(f, Frame::Target(_)))
        {
            l.lines.push(line.to_owned());
        }
    }

    /// Mutable access to the nearest target (section-break bookkeeping).
    pub(crate) fn target_mut(&mut self) -> Option<&mut Lines> {
        match self
            .stack
            .iter_mut()
            .rev()
            .find(|f| matches!(f, Frame::Target(_)))
        {
            Some(Frame::Target(l)) => Some(l),
            _ => None,
        }
    }

    /// A page break at this point. Inside a plain paragraph of the target, the part before the break
    /// stays on the old page; inside tables or boxes the whole enclosing block moves to the new page.
    pub(crate) fn page_break(&mut self) -> Option<usize> {
        let t = self
            .stack
            .iter()
            .rposition(|f| matches!(f, Frame::Target(_)))?;
        if self.stack.len() == t + 2
            && let Some(Frame::Para(p)) = self.stack.last_mut()
        {
            let before = std::mem::take(p);
            if let Some(Frame::Target(l)) = self.stack.get_mut(t) {
                l.push(&before);
            }
        }
        match self.stack.get_mut(t) {
            Some(Frame::Target(l)) => l.page_break().then_some(l.lines.len()),
            _ => None,
        }
    }

    fn close_until(&mut self, is: impl Fn(&Frame) -> bool) {
        // Only close what is open inside the nearest target: a stray end tag must not close the body.
        let Some(pos) = self
            .stack
            .iter()
            .rposition(|f| is(f) || matches!(f, Frame::Target(_)))
        else {
            return;
        };
        if matches!(self.stack.get(pos), Some(Frame::Target(_))) {
            return;
        }
        while self.stack.len() > pos {
            self.close_top();
        }
    }

    fn close_top(&mut self) {
        match self.stack.pop() {
            Some(Frame::Para(p)) => self.deliver(&p),
            Some(Frame::Cell(c)) => {
                let c = c.trim().to_owned();
                if let Some(Frame::Row(r)) = self.stack.last_mut() {
                    r.push(c);
                } else {
                    self.deliver(&c);
                }
            }
            Some(Frame::Row(r)) => {
                let mut line = r.join("\t");
                line.truncate(line.trim_end_matches('\t').len());
                self.deliver(&line);
            }
            Some(Frame::Target(l)) => {
                // A target closed by accident keeps its text in the enclosing one.
                if let Some(Frame::Target(outer)) = self
                    .stack
                    .iter_mut()
                    .rev()
                    .find(|f| matches!(f, Frame::Target(_)))
                {
                    outer.append(l);
                }
            }
            Some(Frame::Inline) | None => {}
        }
    }

    /// Hand a finished paragraph or row to the nearest cell (joined by a space) or target (as lines).
    fn deliver(&mut self, text: &str) {
        let mut boxed = false;
        for f in self.stack.iter_mut().rev() {
            match f {
                Frame::Cell(c) if !boxed => {
                    let t = text.replace('\n', " ");
                    let t = t.trim();
                    if !t.is_empty() {
                        if !c.is_empty() {
                            c.push(' ');
                        }
                        c.push_str(t);
                    }
                    return;
                }
                Frame::Target(l) => {
                    l.push(text);
                    return;
                }
                Frame::Inline => boxed = true,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Shared by the office parsers' tests: a visitor that keeps everything, and a zip builder for
    //! hand-made hostile packages.
    use crate::{Budget, Format, Limits, Segment, SegmentKind, Unreadable, Visitor};
    use baomi_core::UnscannedReason;
    use std::io::Write;

    /// The signature of `ooxml::extract` and `odf::extract`.
    pub(crate) type Parser = fn(
        Format,
        &[u8],
        &mut Vec<String>,
        &mut Budget,
        &mut dyn Visitor,
    ) -> Result<(), Unreadable>;

    /// Run a package parser with default limits, keeping everything it reports.
    pub(crate) fn run_parser(
        parser: Parser,
        format: Format,
        data: &[u8],
    ) -> (Result<(), Unreadable>, Collect) {
        let mut c = Collect::default();
        let mut budget = Budget::new(Limits::default());
        let r = parser(format, data, &mut Vec::new(), &mut budget, &mut c);
        (r, c)
    }

    /// As [`run_parser`], for input that must extract.
    pub(crate) fn ok_parser(parser: Parser, format: Format, data: &[u8]) -> Collect {
        let (r, c) = run_parser(parser, format, data);
        r.expect("extracts");
        c
    }

    #[derive(Debug, Clone)]
    pub(crate) struct Seg {
        pub kind: SegmentKind,
        pub page: Option<u32>,
        pub sheet: Option<String>,
        pub part: Option<String>,
        pub text: String,
    }

    #[derive(Default)]
    pub(crate) struct Collect {
        pub segs: Vec<Seg>,
        pub unscanned: Vec<(Vec<String>, UnscannedReason, String)>,
    }

    impl Visitor for Collect {
        fn segment(&mut self, _inner: &[String], s: &Segment<'_>) {
            self.segs.push(Seg {
                kind: s.kind,
                page: s.page,
                sheet: s.sheet.map(str::to_owned),
                part: s.part.map(str::to_owned),
                text: s.text.to_string(),
            });
        }
        fn unscanned(&mut self, inner: &[String], reason: UnscannedReason, detail: &str) {
            self.unscanned
                .push((inner.to_vec(), reason, detail.to_owned()));
        }
    }

    impl Collect {
        pub(crate) fn of(&self, kind: SegmentKind) -> Vec<&Seg> {
            self.segs.iter().filter(|s| s.kind == kind).collect()
        }
        pub(crate) fn text_of(&self, kind: SegmentKind) -> String {
            self.of(kind)
                .iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        }
    }

    pub(crate) fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../../tests/fixtures/office/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    pub(crate) fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in members {
            w.start_file(*name, opts).expect("zip entry");
            w.write_all(data).expect("zip write");
        }
        w.finish().expect("zip finish").into_inner()
    }
}
