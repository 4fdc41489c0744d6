//! HTML pages (saved web pages, intranet exports, mail bodies) to text, keeping apart what a reader sees,
//! what is hidden, and what sits in comments.
//!
//! Why a hand-written stripper and no crate: HTML parsers (html5ever, scraper, lol_html) either build a
//! DOM — memory proportional to the page and far more work than finding text needs — or drop comments
//! and hidden elements as noise. For an inspection those are the interesting parts: a published page
//! whose `<!-- 内部资料，不得外传 -->` comment survived is a classic leak. This scanner makes one linear
//! pass, bounded in nesting and per-tag work, and never builds a tree.

use crate::{Budget, Segment, SegmentKind, Unreadable, Visitor};
use std::borrow::Cow;

/// How far into the document a `<meta charset>` may stand (the HTML standard says 1024 bytes; pages
/// exported by old tools put it later).
const CHARSET_WINDOW: usize = 4096;

/// Open elements tracked at most; deeper nesting is still read, only hidden-ness stops being tracked.
const MAX_STACK: usize = 256;

/// Attributes are only examined in the first this-many bytes of a tag (a data: URI can be megabytes).
const MAX_ATTR_SCAN: usize = 4096;

/// Text read from an HTML document, by where it sits.
#[derive(Debug, Default)]
pub(crate) struct HtmlText {
    /// `<title>` and `<meta name=description|keywords|author>` contents, one per line.
    pub metadata: String,
    /// Visible text: one line per block, table cells separated by tabs.
    pub body: String,
    /// Text of elements hidden by `hidden`, `display:none`, `visibility:hidden`, and hidden inputs.
    pub hidden: String,
    /// Comments, one per line.
    pub comments: String,
}

/// Extract an HTML file.
pub(crate) fn extract(
    data: &[u8],
    inner: &[String],
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let html = decode_html(data);
    budget.check_time()?;
    let text = html_to_text(&html);
    emit(&text, inner, budget, visitor)
}

/// Report the parts of an [`HtmlText`] as segments.
pub(crate) fn emit(
    text: &HtmlText,
    inner: &[String],
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    for (kind, s) in [
        (SegmentKind::Metadata, &text.metadata),
        (SegmentKind::Body, &text.body),
        (SegmentKind::Hidden, &text.hidden),
        (SegmentKind::Comment, &text.comments),
    ] {
        if s.is_empty() {
            continue;
        }
        budget.spend_text(s.len() as u64)?;
        visitor.segment(
            inner,
            &Segment {
                kind,
                page: None,
                sheet: None,
                part: None,
                text: Cow::Borrowed(s),
            },
        );
    }
    Ok(())
}

/// Decode an HTML file: a BOM wins, then a charset declared near the top, then detection as for text.
pub(crate) fn decode_html(data: &[u8]) -> Cow<'_, str> {
    let has_bom = data.starts_with(b"\xEF\xBB\xBF")
        || data.starts_with(b"\xFF\xFE")
        || data.starts_with(b"\xFE\xFF");
    if !has_bom && let Some(enc) = declared_charset(&data[..data.len().min(CHARSET_WINDOW)]) {
        if enc == encoding_rs::UTF_8 {
            return String::from_utf8_lossy(data);
        }
        return enc.decode_without_bom_handling(data).0;
    }
    crate::text::decode_text(data)
}

/// The encoding named by `<meta charset=…>` or `<meta http-equiv=Content-Type content="…; charset=…">`.
fn declared_charset(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let mut pos = 0;
    while let Some(i) = find_ci(&head[pos..], b"<meta") {
        let start = pos + i + 5;
        let end = memchr::memchr(b'>', &head[start..]).map_or(head.len(), |e| start + e);
        let tag = &head[start..end];
        if let Some(c) = find_ci(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = trim_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = trim_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let len = rest
                    .iter()
                    .position(|&b| {
                        !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
                    })
                    .unwrap_or(rest.len());
                if let Some(enc) = encoding_rs::Encoding::for_label(&rest[..len]) {
                    // The HTML standard: a page that says UTF-16 in ASCII bytes is not UTF-16.
                    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                        return Some(encoding_rs::UTF_8);
                    }
                    // Pages labelled GB2312 use GBK characters; GB18030 decodes both.
                    if enc == encoding_rs::GBK {
                        return Some(encoding_rs::GB18030);
                    }
                    return Some(enc);
                }
            }
        }
        pos = end;
    }
    None
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[n..]
}

/// Case-insensitive search for an ASCII needle.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle.first()?;
    let (lo, up) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let mut pos = 0;
    while let Some(i) = memchr::memchr2(lo, up, &hay[pos..]) {
        let at = pos + i;
        if hay.len() - at >= needle.len() && hay[at..at + needle.len()].eq_ignore_ascii_case(needle)
        {
            return Some(at);
        }
        pos = at + 1;
    }
    None
}

/// Elements whose content is not markup and not shown.
const SKIPPED: &[&str] = &["script", "style", "template", "noembed", "noframes"];

/// Elements that never have content or an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "basefont", "frame",
];

/// Elements that start and end a line of text.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
    "iframe",
    "frameset",
    "textarea",
    "select",
    "title",
];

/// Elements closed implicitly by a sibling of the same kind (`<li>a<li>b`), so unclosed ones do not
/// pile up on the stack.
const SELF_CLOSING_SIBLINGS: &[&str] = &["p", "li", "tr", "td", "th", "option", "dt", "dd"];

fn is_in(list: &[&str], name: &str) -> bool {
    list.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Where text currently goes.
#[derive(Default)]
struct Out {
    text: String,
    /// A space is owed before the next visible character of this line.
    space: bool,
}

impl Out {
    fn at_line_start(&self) -> bool {
        self.text.is_empty() || self.text.ends_with('\n') || self.text.ends_with('\t')
    }

    /// Append text, collapsing runs of whitespace into one space and dropping it at line edges.
    /// Inside `<pre>` line breaks are kept.
    fn push(&mut self, s: &str, pre: bool) {
        if pre {
            for (j, line) in s.split('\n').enumerate() {
                if j > 0 {
                    self.newline();
                }
                self.push_collapsed(line);
            }
        } else {
            self.push_collapsed(s);
        }
    }

    fn push_collapsed(&mut self, s: &str) {
        for (i, part) in s.split(is_collapsible_space).enumerate() {
            if i > 0 {
                self.space = true;
            }
            self.push_word(part);
        }
    }

    fn push_word(&mut self, word: &str) {
        if word.is_empty() {
            return;
        }
        if self.space && !self.at_line_start() {
            self.text.push(' ');
        }
        self.space = false;
        self.text.push_str(word);
    }

    fn newline(&mut self) {
        self.space = false;
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    fn tab(&mut self) {
        self.space = false;
        self.text.push('\t');
    }
}

/// Whitespace that HTML collapses, plus the non-breaking and typographic spaces entities produce (a
/// keyword split by `&nbsp;` must still be found).
fn is_collapsible_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\r' | '\x0C' | '\u{A0}' | '\u{2002}' | '\u{2003}' | '\u{2009}'
    )
}

/// An element still open.
struct Open<'a> {
    name: &'a str,
    hidden: bool,
}

/// Convert HTML to text: one linear pass over the markup.
pub(crate) fn html_to_text(html: &str) -> HtmlText {
    let b = html.as_bytes();
    let mut body = Out::default();
    let mut hidden = Out::default();
    let mut meta = Out::default();
    let mut comments = Out::default();
    let mut stack: Vec<Open<'_>> = Vec::new();
    // Elements opened beyond MAX_STACK: counted so their end tags do not pop tracked ones.
    let mut overflow = 0usize;
    let mut hidden_open = 0usize;
    let mut pre = 0usize;
    let mut cells_in_row = 0usize;
    let mut scratch = String::new();
    let mut pos = 0;

    while pos < b.len() {
        let Some(lt) = memchr::memchr(b'<', &b[pos..]).map(|i| pos + i) else {
            let out = if hidden_open > 0 {
                &mut hidden
            } else {
                &mut body
            };
            push_text(out, &html[pos..], pre > 0, &mut scratch);
            break;
        };
        if lt > pos {
            let out = if hidden_open > 0 {
                &mut hidden
            } else {
                &mut body
            };
            push_text(out, &html[pos..lt], pre > 0, &mut scratch);
        }
        let rest = &b[lt..];
        // Comment.
        if rest.starts_with(b"<!--") {
            let end = memchr::memmem::find(&rest[4..], b"-->");
            let (content, next) = match end {
                Some(e) => (&html[lt + 4..lt + 4 + e], lt + 4 + e + 3),
                None => (&html[lt + 4..], b.len()),
            };
            // `<!--[if IE]>…<![endif]-->` holds markup for old browsers, not words anyone wrote.
            if !content.starts_with("[if") {
                push_text(&mut comments, content, false, &mut scratch);
                comments.newline();
            }
            pos = next;
            continue;
        }
        // Declaration, processing instruction, CDATA: skip to '>'.
        if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            pos = memchr::memchr(b'>', rest).map_or(b.len(), |e| lt + e + 1);
            continue;
        }
        let closing = rest.get(1) == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        let name_len = b[name_start..]
            .iter()
            .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b':' | b'_')))
            .unwrap_or(b.len() - name_start);
        // "a < b", "<3": not a tag, the '<' is text.
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            let out = if hidden_open > 0 {
                &mut hidden
            } else {
                &mut body
            };
            out.push_word("<");
            pos = lt + 1;
            continue;
        }
        let name = &html[name_start..name_start + name_len];
        let (attrs_end, tag_end, self_closed) = find_tag_end(b, name_start + name_len);
        let attrs = &html[name_start + name_len..attrs_end];
        pos = tag_end;

        if closing {
            if is_in(BLOCK, name) || is_in(&["td", "th"], name) {
                let out = if hidden_open > 0 {
                    &mut hidden
                } else {
                    &mut body
                };
                if is_in(&["tr", "table"], name) {
                    out.newline();
                    cells_in_row = 0;
                } else if !is_in(&["td", "th"], name) {
                    out.newline();
                }
            }
            if name.eq_ignore_ascii_case("pre") {
                pre = pre.saturating_sub(1);
            }
            if overflow > 0 {
                overflow -= 1;
            } else if let Some(i) = stack
                .iter()
                .rposition(|o| o.name.eq_ignore_ascii_case(name))
            {
                for o in stack.drain(i..) {
                    hidden_open -= usize::from(o.hidden);
                }
            }
            continue;
        }

        // Start tag.
        let attrs_head = truncate(attrs, MAX_ATTR_SCAN);
        let is_hidden = hides(attrs_head);
        if name.eq_ignore_ascii_case("input")
            && attr_value(attrs_head, "type").is_some_and(|t| t.eq_ignore_ascii_case("hidden"))
            && let Some(v) = attr_value(attrs_head, "value")
        {
            push_text(&mut hidden, v, false, &mut scratch);
            hidden.newline();
        }
        if name.eq_ignore_ascii_case("meta") {
            let meta_name = attr_value(attrs_head, "name").unwrap_or("");
            if [
                "description",
                "keywords",
                "author",
                "subject",
                "classification",
            ]
            .iter()
            .any(|n| meta_name.eq_ignore_ascii_case(n))
                && let Some(v) = attr_value(attrs_head, "content")
            {
                push_text(&mut meta, v, false, &mut scratch);
                meta.newline();
            }
        }
        if is_in(SKIPPED, name) && !self_closed {
            pos = skip_raw(b, pos, name);
            continue;
        }
        if name.eq_ignore_ascii_case("title") && !self_closed {
            let end = find_end_tag(b, pos, "title");
            push_text(&mut meta, &html[pos..end.0], false, &mut scratch);
            meta.newline();
            pos = end.1;
            continue;
        }
        {
            let out = if hidden_open > 0 || is_hidden {
                &mut hidden
            } else {
                &mut body
            };
            if is_in(&["td", "th"], name) {
                if cells_in_row > 0 {
                    out.tab();
                }
                cells_in_row += 1;
            } else if is_in(BLOCK, name) {
                out.newline();
                if name.eq_ignore_ascii_case("tr") {
                    cells_in_row = 0;
                }
            }
        }
        if self_closed || is_in(VOID, name) {
            continue;
        }
        if name.eq_ignore_ascii_case("pre") {
            pre += 1;
        }
        if is_in(SELF_CLOSING_SIBLINGS, name) {
            let same = |o: &Open<'_>| {
                o.name.eq_ignore_ascii_case(name)
                    || (is_in(&["td", "th"], name) && is_in(&["td", "th"], o.name))
            };
            if stack.last().is_some_and(same)
                && let Some(o) = stack.pop()
            {
                hidden_open -= usize::from(o.hidden);
            }
        }
        if stack.len() < MAX_STACK {
            stack.push(Open {
                name,
                hidden: is_hidden,
            });
            hidden_open += usize::from(is_hidden);
        } else {
            overflow += 1;
        }
    }
    HtmlText {
        metadata: finish(meta),
        body: finish(body),
        hidden: finish(hidden),
        comments: finish(comments),
    }
}

/// Trim trailing whitespace and blank-line noise from a finished buffer.
fn finish(out: Out) -> String {
    let mut s = out.text;
    let trimmed = s.trim_end().len();
    s.truncate(trimmed);
    s
}

/// Decode entities in `raw` and append it to `out`.
fn push_text(out: &mut Out, raw: &str, pre: bool, scratch: &mut String) {
    if memchr::memchr(b'&', raw.as_bytes()).is_none() {
        out.push(raw, pre);
        return;
    }
    scratch.clear();
    decode_entities(raw, scratch);
    out.push(scratch, pre);
}

/// The end of a tag whose name ends at `from` (quotes respected): `(end of its attribute text, offset
/// just past its '>', written `<x/>`)`. An unterminated tag runs to the end of the input.
fn find_tag_end(b: &[u8], from: usize) -> (usize, usize, bool) {
    let mut quote = 0u8;
    let mut last_non_space = 0u8;
    for (i, &c) in b.iter().enumerate().skip(from) {
        if quote != 0 {
            if c == quote {
                quote = 0;
                last_non_space = c;
            }
            continue;
        }
        match c {
            // Only a quote right after `=` opens a value; a stray one in `<a b'>` does not.
            b'"' | b'\'' if last_non_space == b'=' => quote = c,
            b'>' => return (i, i + 1, last_non_space == b'/'),
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            last_non_space = c;
        }
    }
    (b.len(), b.len(), false)
}

/// Position after the end tag `</name…>` that closes raw text starting at `from`.
fn skip_raw(b: &[u8], from: usize, name: &str) -> usize {
    find_end_tag(b, from, name).1
}

/// `(start of "</name", position after its '>')`, or the end of input twice.
fn find_end_tag(b: &[u8], from: usize, name: &str) -> (usize, usize) {
    let mut pos = from;
    while let Some(i) = memchr::memmem::find(&b[pos..], b"</") {
        let at = pos + i;
        let after = at + 2;
        if b.len() - after >= name.len()
            && b[after..after + name.len()].eq_ignore_ascii_case(name.as_bytes())
            && b.get(after + name.len())
                .is_none_or(|c| !c.is_ascii_alphanumeric())
        {
            let end = memchr::memchr(b'>', &b[after..]).map_or(b.len(), |e| after + e + 1);
            return (at, end);
        }
        pos = after;
    }
    (b.len(), b.len())
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// True when the attributes hide the element from the reader.
fn hides(attrs: &str) -> bool {
    if attrs.is_empty() {
        return false;
    }
    if attr_present(attrs, "hidden") {
        return true;
    }
    if let Some(style) = attr_value(attrs, "style") {
        let compact: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        return compact.contains("display:none") || compact.contains("visibility:hidden");
    }
    false
}

/// Iterate `(name, value)` pairs of a tag's attribute text. Values are raw (entities not decoded).
fn attributes(attrs: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    let b = attrs.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'/' | b'>') {
            i += 1;
        }
        // Always make progress, even on a lone '='.
        if i == start {
            i += 1;
        }
        let name = &attrs[start..i];
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() || b[j] != b'=' {
            return Some((name, None));
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let value = if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
            let q = b[j];
            let vs = j + 1;
            let ve = memchr::memchr(q, &b[vs..]).map_or(b.len(), |e| vs + e);
            i = (ve + 1).min(b.len());
            &attrs[vs..ve]
        } else {
            let vs = j;
            let mut ve = j;
            while ve < b.len() && !b[ve].is_ascii_whitespace() && b[ve] != b'>' {
                ve += 1;
            }
            i = ve;
            &attrs[vs..ve]
        };
        Some((name, Some(value)))
    })
}

fn attr_value<'a>(attrs: &'a str, want: &str) -> Option<&'a str> {
    attributes(attrs)
        .find(|(n, _)| n.eq_ignore_ascii_case(want))
        .and_then(|(_, v)| v)
}

fn attr_present(attrs: &str, want: &str) -> bool {
    attributes(attrs).any(|(n, _)| n.eq_ignore_ascii_case(want))
}

/// Decode character references into `out`. Unknown ones are kept as written.
pub(crate) fn decode_entities(s: &str, out: &mut String) {
    let b = s.as_bytes();
    let mut pos = 0;
    while let Some(i) = memchr::memchr(b'&', &b[pos..]) {
        let amp = pos + i;
        out.push_str(&s[pos..amp]);
        match parse_entity(&s[amp + 1..]) {
            Some((c, len)) => {
                if let Some(c) = c {
                    out.push(c);
                }
                pos = amp + 1 + len;
            }
            None => {
                out.push('&');
                pos = amp + 1;
            }
        }
    }
    out.push_str(&s[pos..]);
}

/// Parse the reference after '&': `(character or None for one that expands to nothing, bytes used)`.
fn parse_entity(s: &str) -> Option<(Option<char>, usize)> {
    let b = s.as_bytes();
    if b.first() == Some(&b'#') {
        let (hex, start) = match b.get(1) {
            Some(b'x' | b'X') => (true, 2),
            _ => (false, 1),
        };
        let digits = b[start..]
            .iter()
            .take(8)
            .take_while(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return None;
        }
        let n = u32::from_str_radix(&s[start..start + digits], if hex { 16 } else { 10 }).ok()?;
        let mut len = start + digits;
        if b.get(len) == Some(&b';') {
            len += 1;
        }
        return Some((Some(numeric_char(n)), len));
    }
    let name_len = b
        .iter()
        .take(32)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if name_len == 0 {
        return None;
    }
    let name = &s[..name_len];
    let c = named_entity(name)?;
    if b.get(name_len) == Some(&b';') {
        return Some((c, name_len + 1));
    }
    // Without ';' only the legacy few browsers also accept.
    if matches!(name, "amp" | "lt" | "gt" | "quot" | "nbsp" | "copy" | "reg") {
        return Some((c, name_len));
    }
    None
}

/// A numeric reference, with the Windows-1252 remapping browsers apply to 0x80–0x9F.
fn numeric_char(n: u32) -> char {
    if (0x80..=0x9F).contains(&n) {
        let byte = [n as u8];
        let (s, _, _) = encoding_rs::WINDOWS_1252.decode(&byte);
        return s.chars().next().unwrap_or('\u{FFFD}');
    }
    match n {
        0 => '\u{FFFD}',
        _ => char::from_u32(n).unwrap_or('\u{FFFD}'),
    }
}

fn named_entity(name: &str) -> Option<Option<char>> {
    let c = match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        "ldquo" => '\u{201C}',
        "rdquo" => '\u{201D}',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "sbquo" => '\u{201A}',
        "bdquo" => '\u{201E}',
        "laquo" => '«',
        "raquo" => '»',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "middot" => '·',
        "bull" => '•',
        "copy" | "COPY" => '©',
        "reg" | "REG" => '®',
        "trade" => '™',
        "times" => '×',
        "divide" => '÷',
        "deg" => '°',
        "plusmn" => '±',
        "sect" => '§',
        "para" => '¶',
        "yen" => '¥',
        "cent" => '¢',
        "pound" => '£',
        "euro" => '€',
        "star" => '☆',
        "starf" | "bigstar" => '★',
        "larr" => '←',
        "rarr" => '→',
        "uarr" => '↑',
        "darr" => '↓',
        "permil" => '‰',
        "prime" => '′',
        "Prime" => '″',
        "frac12" => '½',
        "frac14" => '¼',
        "frac34" => '¾',
        "sup2" => '²',
        "sup3" => '³',
        "micro" => 'µ',
        "iexcl" => '¡',
        "iquest" => '¿',
        "shy" | "zwj" | "zwnj" | "lrm" | "rlm" => return Some(None),
        _ => return None,
    };
    Some(Some(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::testutil::run;

    /// `(metadata, body, hidden, comments)` of a page.
    #[track_caller]
    fn check(html: &str, expect: [&str; 4]) {
        let t = html_to_text(html);
        assert_eq!(
            [t.metadata.as_str(), &t.body, &t.hidden, &t.comments],
            expect,
            "{html}"
        );
    }

    #[test]
    fn blocks_and_whitespace() {
        check(
            "<p>one\n  two</p><p>three</p>",
            ["", "one two\nthree", "", ""],
        );
        check("a<br>b<br/>c", ["", "a\nb\nc", "", ""]);
        check(
            "<div><span>机</span><span>密</span></div>",
            ["", "机密", "", ""],
        );
        check("<ul><li>x<li>y</ul>", ["", "x\ny", "", ""]);
        check("<pre>a\n  b</pre>", ["", "a\nb", "", ""]);
        check("<h1>标题</h1>正文", ["", "标题\n正文", "", ""]);
        check("1 < 2 and 3<4", ["", "1 < 2 and 3<4", "", ""]);
    }

    #[test]
    fn tables() {
        check(
            "<table><tr><th>姓名</th><th>密级</th></tr><tr><td>张三</td><td>机密</td></tr></table>",
            ["", "姓名\t密级\n张三\t机密", "", ""],
        );
        check(
            "<table><tr><td>a<td>b<tr><td>c<td>d</table>",
            ["", "a\tb\nc\td", "", ""],
        );
    }

    #[test]
    fn entities() {
        check(
            "&lt;b&gt; &amp; &quot;q&quot; &apos;s&apos; &ldquo;绝密&rdquo;&hellip;&mdash;&middot;",
            ["", "<b> & \"q\" 's' \u{201C}绝密\u{201D}…—·", "", ""],
        );
        check("机&nbsp;&nbsp;密&ensp;x&emsp;y", ["", "机 密 x y", "", ""]);
        check("&#26426;&#x5BC6;&#X5bc6;&#150;", ["", "机密密–", "", ""]);
        check(
            "&amp &copy &unknown; & &#; &#xZZ;",
            ["", "& © &unknown; & &#; &#xZZ;", "", ""],
        );
        check(
            "&#0;&#1114112;&#xD800;",
            ["", "\u{FFFD}\u{FFFD}\u{FFFD}", "", ""],
        );
    }

    #[test]
    fn script_style_title_comments() {
        check(
            "<html><head><title>内部 &amp; 机密</title><style>p{x:1}</style>\
             <script>var s = '</p>机密';</script></head>\
             <body><!-- 内部资料，不得外传 --><p>公开</p><!--x--></body></html>",
            ["内部 & 机密", "公开", "", "内部资料，不得外传\nx"],
        );
        check("<SCRIPT type=x>a<b</SCRIPT >after", ["", "after", "", ""]);
        check("<script>never closed", ["", "", "", ""]);
        check("<!-- never closed", ["", "", "", "never closed"]);
        check(
            "<meta name=\"keywords\" content=\"绝密,内部\"><p>x</p>",
            ["绝密,内部", "x", "", ""],
        );
    }

    #[test]
    fn hidden() {
        check(
            "<div style=\"display: none\">秘密<b>x</b></div><p>shown</p>",
            ["", "shown", "秘密x", ""],
        );
        check("<p hidden>h</p><p>v</p>", ["", "v", "h", ""]);
        check(
            "<span style='VISIBILITY:hidden'>h</span>v",
            ["", "v", "h", ""],
        );
        check(
            "<input type=hidden name=a value=\"机密编号\">v",
            ["", "v", "机密编号", ""],
        );
        check("<div hidden><div>a</div>b</div>c", ["", "c", "a\nb", ""]);
    }

    #[test]
    fn hostile() {
        // Attribute values with '>' inside quotes, unterminated tags, deep nesting.
        check("<a title=\"a>b\">link</a>", ["", "link", "", ""]);
        check("<p>text<a href=", ["", "text", "", ""]);
        let deep = "<div>".repeat(100_000) + "深" + &"</div>".repeat(100_000);
        let t = html_to_text(&deep);
        assert_eq!(t.body, "深");
        let many_lt = "<".repeat(100_000);
        assert_eq!(html_to_text(&many_lt).body.len(), 100_000);
        let unclosed_quote = format!("<a href=\"{}", "x".repeat(100_000));
        assert_eq!(html_to_text(&unclosed_quote).body, "");
    }

    #[test]
    fn charsets() {
        let page = "<html><head><meta charset=\"gb2312\"><title>标题</title></head><body>绝密★</body></html>";
        let (gbk, _, _) = encoding_rs::GBK.encode(page);
        let (r, c) = run("p.html", &gbk);
        assert!(r.is_ok());
        assert_eq!(c.text("metadata"), "标题");
        assert_eq!(c.text("body"), "绝密★");
        let page =
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=big5\"><p>機密</p>";
        let (big5, _, _) = encoding_rs::BIG5.encode(page);
        assert_eq!(html_to_text(&decode_html(&big5)).body, "機密");
        // No declaration: detected like text.
        let (gbk, _, _) =
            encoding_rs::GBK.encode("<p>关于保密工作检查的通知，各单位务必完成自查</p>");
        assert_eq!(
            html_to_text(&decode_html(&gbk)).body,
            "关于保密工作检查的通知，各单位务必完成自查"
        );
    }
}
