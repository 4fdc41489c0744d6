//! The one way office parsers read XML: a streaming, zero-copy tokenizer over an already-decoded part,
//! depth-limited, DOCTYPE-blind and never expanding custom entities, so a hostile `document.xml` (billion
//! laughs, 10 000-deep nesting) costs nothing but an error.
//!
//! Written by hand rather than taken from quick-xml (which Baomi used first): office text extraction needs
//! element names, a few attributes and text, nothing more, and on real packages quick-xml's per-event
//! UTF-8 checks, attribute normalisation and allocations were half of the scan time (`bench/run.sh`,
//! BENCHMARKS.md). Here the part is validated once as a whole (SIMD), every event is a slice of it, and
//! only text that holds `&` or `\r` is copied.
//!
//! Also home of [`Flow`], the paragraph/table/text-box line builder that OOXML and ODF share, because both
//! formats nest the same way (paragraphs in cells in rows, text boxes inside paragraphs, notes inside
//! paragraphs) and the marking of a 公文 depends on getting that order right.

use crate::{Budget, Unreadable};
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

/// A part's text, keeping the member's own buffer when it is UTF-8 already (the common case): never
/// copied just to become a string, and validated by the SIMD checker rather than std's, which on
/// Chinese text cost a sixth of a Word document's time.
pub(crate) enum PartText {
    /// Valid UTF-8 from `start` on (past any byte-order mark).
    Utf8 { bytes: Vec<u8>, start: usize },
    /// Transcoded (UTF-16) or repaired (invalid bytes replaced).
    Decoded(String),
}

impl PartText {
    pub(crate) fn new(data: Vec<u8>) -> PartText {
        let start = if data.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        let utf16 = data.starts_with(&[0xFF, 0xFE]) || data.starts_with(&[0xFE, 0xFF]);
        if !utf16 && simdutf8::basic::from_utf8(&data[start..]).is_ok() {
            return PartText::Utf8 { bytes: data, start };
        }
        PartText::Decoded(decode(&data).into_owned())
    }
}

impl std::ops::Deref for PartText {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            // Checked in `new`; checking again costs a fraction of a byte's worth of work.
            PartText::Utf8 { bytes, start } => {
                simdutf8::basic::from_utf8(&bytes[*start..]).unwrap_or_default()
            }
            PartText::Decoded(s) => s,
        }
    }
}

/// A start (or empty-element) tag: its qualified name and the raw text of its attributes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tag<'a> {
    name: &'a str,
    attrs: &'a str,
}

/// An end tag (also produced for the end of an empty element).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EndTag<'a> {
    name: &'a str,
}

/// One event, simplified: empty elements arrive as a start followed by an end, and text, CDATA and
/// resolved character references all arrive as text.
pub(crate) enum Ev<'a> {
    Start(Tag<'a>),
    End(EndTag<'a>),
    Text(Cow<'a, str>),
    Eof,
}

/// Streaming reader with the safety rules built in.
pub(crate) struct XmlReader<'a> {
    src: &'a str,
    pos: usize,
    pending_end: Option<&'a str>,
    depth: u32,
    events: u32,
    part: String,
    seen_element: bool,
}

impl<'a> XmlReader<'a> {
    /// `part` names the member in error messages.
    pub(crate) fn new(text: &'a str, part: &str) -> XmlReader<'a> {
        XmlReader {
            src: text,
            pos: 0,
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
    ///
    /// Tolerant where producers are sloppy (WPS and old generators write mismatched end tags, stray `&`):
    /// end names are not checked against start names and a dangling `&` is text. Strict where it
    /// matters: text outside any element, an unterminated tag, comment or CDATA is corrupt.
    pub(crate) fn next(&mut self, budget: &mut Budget) -> Result<Ev<'a>, Unreadable> {
        if let Some(name) = self.pending_end.take() {
            self.depth = self.depth.saturating_sub(1);
            return Ok(Ev::End(EndTag { name }));
        }
        let src = self.src;
        let bytes = src.as_bytes();
        loop {
            self.events = self.events.wrapping_add(1);
            if self.events.is_multiple_of(TIME_CHECK_EVERY) {
                budget.check_time()?;
            }
            let start = self.pos;
            let Some(&first) = bytes.get(start) else {
                if !self.seen_element {
                    return Err(self.not_xml());
                }
                return Ok(Ev::Eof);
            };
            if first != b'<' {
                let end = text_end(bytes, start);
                self.pos = end;
                let raw = &src[start..end];
                if self.depth == 0 {
                    // Text outside any element is not XML: a damaged or substituted part must be
                    // reported as corrupt, not read as if it were a document's words.
                    if !raw.trim_ascii().is_empty() {
                        return Err(self.not_xml());
                    }
                    continue;
                }
                let t = unescape(raw);
                budget.spend_text(t.len() as u64)?;
                return Ok(Ev::Text(t));
            }
            let rest = &bytes[start..];
            match rest.get(1) {
                Some(b'/') => {
                    // End tags are short and hold no quotes.
                    let gt = rest[2..]
                        .iter()
                        .position(|&b| b == b'>')
                        .map(|i| start + 2 + i)
                        .ok_or_else(|| self.malformed(start, "unterminated end tag"))?;
                    self.pos = gt + 1;
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Ev::End(EndTag {
                        name: src[start + 2..gt].trim_ascii_end(),
                    }));
                }
                Some(b'!') if rest.starts_with(b"<!--") => {
                    self.pos = self.find_after(start + 4, b"-->", "comment")?;
                    continue;
                }
                Some(b'!') if rest.starts_with(b"<![CDATA[") => {
                    let body = start + 9;
                    self.pos = self.find_after(body, b"]]>", "CDATA section")?;
                    if self.depth == 0 {
                        return Err(self.not_xml());
                    }
                    let t = newlines(&src[body..self.pos - 3]);
                    budget.spend_text(t.len() as u64)?;
                    return Ok(Ev::Text(t));
                }
                Some(b'!') => {
                    // DOCTYPE and its internal subset (entity declarations are skipped, never used).
                    self.pos = self.skip_declaration(start + 2)?;
                    continue;
                }
                Some(b'?') => {
                    self.pos = self.find_after(start + 2, b"?>", "processing instruction")?;
                    continue;
                }
                _ => {}
            }
            let gt = self.tag_end(start + 1)?;
            self.pos = gt + 1;
            let (inner, empty) = match src[start + 1..gt].strip_suffix('/') {
                Some(inner) => (inner, true),
                None => (&src[start + 1..gt], false),
            };
            let name_len = inner
                .bytes()
                .position(|b| b.is_ascii_whitespace())
                .unwrap_or(inner.len());
            let (name, attrs) = inner.split_at(name_len);
            if name.is_empty() {
                return Err(self.malformed(start, "'<' not followed by a name"));
            }
            self.seen_element = true;
            self.enter(budget)?;
            if empty {
                self.pending_end = Some(name);
            }
            return Ok(Ev::Start(Tag { name, attrs }));
        }
    }

    /// Read `<name …>text</name>` in one step when that is exactly what comes next (no pending end of
    /// an empty element, no markup inside the text), returning the text; otherwise change nothing and
    /// return `None`, leaving the general path to read whatever is there. Spreadsheets are millions of
    /// `<c …><v>12</v></c>`: reading the value this way saves three events per cell.
    pub(crate) fn simple_text(
        &mut self,
        name: &str,
        budget: &mut Budget,
    ) -> Result<Option<Cow<'a, str>>, Unreadable> {
        if self.pending_end.is_some() {
            return Ok(None);
        }
        let src = self.src;
        let bytes = src.as_bytes();
        let start = self.pos;
        let Some(after_name) = bytes
            .get(start..)
            .and_then(|r| r.strip_prefix(b"<"))
            .and_then(|r| r.strip_prefix(name.as_bytes()))
        else {
            return Ok(None);
        };
        let open_end = match after_name.first() {
            Some(b'>') => start + 1 + name.len(),
            Some(b) if b.is_ascii_whitespace() => self.tag_end(start + 1 + name.len())?,
            _ => return Ok(None),
        };
        if bytes.get(open_end - 1) == Some(&b'/') {
            return Ok(None);
        }
        let text_start = open_end + 1;
        let text_end = text_end(bytes, text_start.min(bytes.len()));
        let close = &bytes[text_end..];
        if !(close.starts_with(b"</")
            && close[2..].starts_with(name.as_bytes())
            && close.get(2 + name.len()) == Some(&b'>'))
        {
            return Ok(None);
        }
        self.depth += 1;
        if self.depth > budget.limits.max_xml_depth {
            return Err(Unreadable::limit(format!(
                "XML in {} nested deeper than {}",
                self.part, budget.limits.max_xml_depth
            )));
        }
        self.depth -= 1;
        self.pos = text_end + 3 + name.len();
        let t = unescape(&src[text_start..text_end]);
        budget.spend_text(t.len() as u64)?;
        Ok(Some(t))
    }

    /// Consume `</name>` when it is exactly what comes next, closing the element whose start was
    /// returned last; otherwise change nothing. With [`XmlReader::simple_text`] a spreadsheet cell
    /// `<c …><v>12</v></c>` is read in one event instead of five.
    pub(crate) fn consume_end(&mut self, name: &str) -> bool {
        if self.pending_end.is_some() {
            return false;
        }
        let rest = self.src.as_bytes().get(self.pos..).unwrap_or_default();
        let fits = rest.starts_with(b"</")
            && rest[2..].starts_with(name.as_bytes())
            && rest.get(2 + name.len()) == Some(&b'>');
        if fits {
            self.pos += 3 + name.len();
            self.depth = self.depth.saturating_sub(1);
        }
        fits
    }

    /// Index just past the first `needle` at or after `from`.
    fn find_after(&self, from: usize, needle: &[u8], what: &str) -> Result<usize, Unreadable> {
        let hay = self.src.as_bytes().get(from..).unwrap_or_default();
        memchr::memmem::find(hay, needle)
            .map(|i| from + i + needle.len())
            .ok_or_else(|| self.malformed(from, &format!("unterminated {what}")))
    }

    /// The `>` closing a start tag, skipping any inside quoted attribute values (legal XML).
    fn tag_end(&self, from: usize) -> Result<usize, Unreadable> {
        tag_end_at(self.src.as_bytes(), from)
            .ok_or_else(|| self.malformed(from, "unterminated tag"))
    }

    /// Where the reader stands, unless an empty element's end is still to be returned: for a caller
    /// that reads the element just started by itself (see [`XmlReader::resume_after`]).
    pub(crate) fn position(&self) -> Option<usize> {
        self.pending_end.is_none().then_some(self.pos)
    }

    /// Go on after the element whose start was returned last, which the caller read itself up to and
    /// including its end tag; `to` is the offset just past that end tag.
    pub(crate) fn resume_after(&mut self, to: usize) {
        self.pos = to.min(self.src.len());
        self.depth = self.depth.saturating_sub(1);
    }

    /// Past a `<!…>` declaration, its `[…]` internal subset and quoted literals included.
    fn skip_declaration(&self, from: usize) -> Result<usize, Unreadable> {
        let bytes = self.src.as_bytes();
        let mut brackets = 0u32;
        let mut quote = None;
        for (k, &b) in bytes.get(from..).unwrap_or_default().iter().enumerate() {
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'[') => brackets += 1,
                (None, b']') => brackets = brackets.saturating_sub(1),
                (None, b'>') if brackets == 0 => return Ok(from + k + 1),
                _ => {}
            }
        }
        Err(self.malformed(from, "unterminated declaration"))
    }

    fn not_xml(&self) -> Unreadable {
        Unreadable::corrupt(format!("{} is not XML", self.part))
    }

    fn malformed(&self, at: usize, what: &str) -> Unreadable {
        Unreadable::corrupt(format!(
            "malformed XML in {} at byte {at}: {what}",
            self.part
        ))
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

/// The `>` that ends the tag whose name ends at `from`, skipping any `>` inside quoted values.
pub(crate) fn tag_end_at(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let gt = memchr::memchr(b'>', rest)?;
    // Common case, settled with one count (measured: fewer instructions than jumping from quote
    // to quote): one kind of quote, evenly many, so this `>` stands outside every value.
    let (double, single) = rest[..gt].iter().fold((0u32, 0u32), |(d, s), &b| {
        (d + u32::from(b == b'"'), s + u32::from(b == b'\''))
    });
    if (single == 0 && double % 2 == 0) || (double == 0 && single % 2 == 0) {
        return Some(from + gt);
    }
    let mut quote = 0u8;
    for (k, &b) in rest.iter().enumerate() {
        if quote != 0 {
            if b == quote {
                quote = 0;
            }
        } else if b == b'>' {
            return Some(from + k);
        } else if b == b'"' || b == b'\'' {
            quote = b;
        }
    }
    None
}

/// Where the text starting at `from` ends: most runs between tags in spreadsheets are a few bytes (a
/// cell's number), so look close by before starting a SIMD search.
/// Offset of the next `<` at or after `from`, relative to `from`. Between tags there is mostly nothing
/// or a few bytes, where a vector search costs more than it saves; only a longer text gets one.
pub(crate) fn next_lt(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let near = rest.len().min(16);
    match rest[..near].iter().position(|&b| b == b'<') {
        Some(k) => Some(k),
        None => memchr::memchr(b'<', &rest[near..]).map(|k| near + k),
    }
}

fn text_end(bytes: &[u8], from: usize) -> usize {
    next_lt(bytes, from).map_or(bytes.len(), |k| from + k)
}

/// Text content with the predefined entities and character references resolved and line ends
/// normalised (XML 1.0 §2.11). Custom entities are dropped, never looked up: that is what defeats
/// billion-laughs. A `&` that starts no reference is kept as written.
pub(crate) fn unescape(raw: &str) -> Cow<'_, str> {
    // Most texts between tags are a cell value of a few bytes: too short for a SIMD search to pay.
    let plain = if raw.len() < 32 {
        !raw.bytes().any(|b| b == b'&' || b == b'\r')
    } else {
        memchr::memchr2(b'&', b'\r', raw.as_bytes()).is_none()
    };
    if plain {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '\r']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after_cr) = tail.strip_prefix('\r') {
            out.push('\n');
            rest = after_cr.strip_prefix('\n').unwrap_or(after_cr);
            continue;
        }
        // An entity name is short; a `;` far away means this `&` starts no reference.
        match tail[1..].find(';').filter(|&k| k <= 32) {
            Some(k) => {
                if let Some(c) = resolve_ref(&tail[1..1 + k]) {
                    out.push(c);
                }
                rest = &tail[k + 2..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Line ends normalised, nothing else (CDATA holds no references).
fn newlines(raw: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\r', raw.as_bytes()).is_none() {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
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

/// A qualified name without its namespace prefix: producers disagree on prefixes, never on names.
pub(crate) fn local_name(full: &str) -> &str {
    // Names are short: a plain loop beats a SIMD reverse search here.
    match full.bytes().rposition(|b| b == b':') {
        Some(i) => &full[i + 1..],
        None => full,
    }
}

/// Local name of an element.
pub(crate) fn local<'a>(e: &Tag<'a>) -> &'a str {
    local_name(e.name)
}

/// Local name of an end tag.
pub(crate) fn local_end<'a>(e: &EndTag<'a>) -> &'a str {
    local_name(e.name)
}

/// Value of the attribute with this local name, as an owned string (see [`attr_str`]).
pub(crate) fn attr(e: &Tag<'_>, name: &str) -> Option<String> {
    attr_str(e, name).map(Cow::into_owned)
}

/// Value of the attribute with this local name, references resolved and white space normalised as XML
/// requires for attribute values; borrowed from the part unless it had to change. Malformed attribute
/// text ends the search rather than failing the part.
pub(crate) fn attr_str<'a>(e: &Tag<'a>, name: &str) -> Option<Cow<'a, str>> {
    attributes(e)
        .find(|(key, _)| local_name(key) == name)
        .map(|(_, raw)| attr_value(raw))
}

/// The attributes of a tag as (qualified name, raw value) pairs, in order; stops at malformed text.
pub(crate) fn attributes<'a>(e: &Tag<'a>) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
    attributes_of(e.attrs)
}

/// The attribute pairs of a tag's raw attribute text (what stands between its name and `>`).
pub(crate) fn attributes_of<'a>(
    raw: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
    let mut rest: &'a str = raw;
    std::iter::from_fn(move || {
        let t = rest.trim_ascii_start();
        let eq = t.bytes().position(|b| b == b'=')?;
        let key = t[..eq].trim_ascii_end();
        if key.is_empty() || key.bytes().any(|b| b.is_ascii_whitespace()) {
            return None;
        }
        let after = t[eq + 1..].trim_ascii_start();
        let quote = *after
            .as_bytes()
            .first()
            .filter(|q| matches!(q, b'"' | b'\''))?;
        // Values are short: a plain loop beats a SIMD search.
        let close = 1 + after.as_bytes()[1..].iter().position(|&b| b == quote)?;
        rest = &after[close + 1..];
        Some((key, &after[1..close]))
    })
}

/// An attribute's raw value as the application sees it: references resolved, white space normalised.
pub(crate) fn attr_value(raw: &str) -> Cow<'_, str> {
    if !raw
        .bytes()
        .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
    {
        return Cow::Borrowed(raw);
    }
    // Literal white space becomes a space (XML 1.0 §3.3.3); a character reference such as `&#10;`
    // stays what it names, so spaces go in before references are resolved.
    if raw.contains(['\t', '\n', '\r']) {
        let spaced = raw.replace("\r\n", " ").replace(['\t', '\n', '\r'], " ");
        return Cow::Owned(unescape(&spaced).into_owned());
    }
    unescape(raw)
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
        // Split at line feeds with the vector search: a paragraph is often hundreds of bytes with none.
        let mut rest = line;
        loop {
            let (l, more) = match memchr::memchr(b'\n', rest.as_bytes()) {
                Some(i) => (&rest[..i], Some(&rest[i + 1..])),
                None => (rest, None),
            };
            // Blank paragraphs are layout, not content: dropping them keeps a marking among the "first
            // lines" of its page however much spacing precedes it.
            if !l.trim().is_empty() {
                self.lines.push(l.trim_end().to_owned());
            }
            match more {
                Some(m) => rest = m,
                None => break,
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

    /// A xorshift64 generator (shifts 13, 7, 17), seeded so that a failing case repeats: the source
    /// of random cases for the tests that hold a fast path to a reference.
    pub(crate) struct XorShift(pub(crate) u64);

    impl XorShift {
        pub(crate) fn next_u64(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A number below `n`.
        pub(crate) fn below(&mut self, n: usize) -> usize {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// Damaged copies of `base` for tests that hold a direct reader to the general one: each round
    /// deletes, inserts (one of `inserts`) or swaps bytes at 1–3 places chosen by a xorshift from
    /// `seed`; copies that are no longer UTF-8 are skipped.
    pub(crate) fn for_each_damaged(
        base: &str,
        inserts: &[&[u8]],
        seed: u32,
        rounds: usize,
        mut check: impl FnMut(&str),
    ) {
        let mut seed = seed;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as usize % n
        };
        for round in 0..rounds {
            let mut v = base.as_bytes().to_vec();
            for _ in 0..1 + round % 3 {
                let at = next(v.len());
                match next(3) {
                    0 => {
                        v.remove(at);
                    }
                    1 => {
                        let ins = inserts[next(inserts.len())];
                        v.splice(at..at, ins.iter().copied());
                    }
                    _ => {
                        let other = next(v.len());
                        v.swap(at, other);
                    }
                }
            }
            if let Ok(xml) = std::str::from_utf8(&v) {
                check(xml);
            }
        }
    }

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
        fixture_in("office", name)
    }

    /// A committed fixture: `tests/fixtures/<dir>/<name>`.
    pub(crate) fn fixture_in(dir: &str, name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../../tests/fixtures/{dir}/{name}",
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

#[cfg(test)]
mod tokenizer_tests {
    use super::*;
    use crate::Limits;

    /// Every event as a short string: `<name a=1>`, `</name>`, `"text"`.
    fn events(xml: &str) -> Result<Vec<String>, Unreadable> {
        let mut budget = Budget::new(Limits::default());
        let mut r = XmlReader::new(xml, "part.xml");
        let mut out = Vec::new();
        loop {
            match r.next(&mut budget)? {
                Ev::Eof => return Ok(out),
                Ev::Start(t) => {
                    let attrs: Vec<String> = attributes(&t)
                        .map(|(k, v)| format!("{k}={}", attr_value(v)))
                        .collect();
                    out.push(format!("<{} {}>", local(&t), attrs.join(" ")));
                }
                Ev::End(e) => out.push(format!("</{}>", local_end(&e))),
                Ev::Text(t) => out.push(format!("{t:?}")),
            }
        }
    }

    #[test]
    fn names_attributes_and_text() {
        let ev = events(
            "<?xml version=\"1.0\"?>\n<w:p a=\"1\" w:val='x>y' q=\"it's\"><w:t>机密&amp;&#x2605;&#9733;</w:t><br/></w:p>",
        )
        .expect("parses");
        assert_eq!(
            ev,
            [
                "<p a=1 w:val=x>y q=it's>",
                "<t >",
                "\"机密&★★\"",
                "</t>",
                "<br >",
                "</br>",
                "</p>"
            ]
        );
    }

    #[test]
    fn comments_cdata_doctype_and_line_ends() {
        let ev = events(
            "<!DOCTYPE r [<!ENTITY e \"<not a tag>\">]><r><!-- <x> --><![CDATA[a<b]]>c\r\nd\re&e;f & g</r>",
        )
        .expect("parses");
        assert_eq!(ev, ["<r >", "\"a<b\"", "\"c\\nd\\nef & g\"", "</r>"]);
    }

    #[test]
    fn attribute_values_are_normalised() {
        let ev = events("<r v=\"a\tb&#10;c&lt;\"/>").expect("parses");
        assert_eq!(ev, ["<r v=a b\nc<>", "</r>"]);
    }

    #[test]
    fn damage_is_corrupt_not_text() {
        for bad in [
            "",
            "plain words",
            "<r>text</r> trailing words",
            "<r a=\"unterminated></r>",
            "<r><!-- never closed </r>",
            "<r><![CDATA[ never closed </r>",
            "<r>< spaced</r>",
            "<r",
        ] {
            let e = events(bad).expect_err(bad);
            assert_eq!(e.reason, baomi_core::UnscannedReason::Corrupt, "{bad:?}");
        }
    }

    /// `simple_text` reads `<v>…</v>` in one step when that is exactly what follows, and otherwise
    /// leaves the reader where it was.
    #[test]
    fn simple_text_reads_only_simple_elements() {
        let mut budget = Budget::new(Limits::default());
        let cases: [(&str, Option<&str>); 7] = [
            ("<c><v>12</v></c>", Some("12")),
            (
                "<c><v xml:space=\"preserve\"> a&amp;b </v></c>",
                Some(" a&b "),
            ),
            ("<c><v/></c>", None),
            ("<c><v>1<x/>2</v></c>", None),
            ("<c><f>A1</f><v>3</v></c>", None),
            ("<c><vv>3</vv></c>", None),
            ("<c/>", None),
        ];
        for (xml, want) in cases {
            let mut r = XmlReader::new(xml, "sheet.xml");
            assert!(matches!(r.next(&mut budget), Ok(Ev::Start(_))), "{xml}");
            let got = r.simple_text("v", &mut budget).expect(xml);
            assert_eq!(got.as_deref(), want, "{xml}");
            // Whatever happened, the rest reads to the end without error and depth returns to 0.
            while !matches!(r.next(&mut budget).expect(xml), Ev::Eof) {}
            assert_eq!(r.depth(), 0, "{xml}");
        }
    }

    #[test]
    fn mismatched_and_stray_end_tags_are_tolerated() {
        let ev = events("<a><b>x</c></a></z>").expect("tolerated");
        assert_eq!(ev, ["<a >", "<b >", "\"x\"", "</c>", "</a>", "</z>"]);
    }
}
