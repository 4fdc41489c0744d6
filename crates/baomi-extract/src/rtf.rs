//! Rich Text Format: the body (split at `\page`), headers and footers, footnotes, annotations and the
//! `\info` title, each as its own segment; objects embedded with their data (`\objdata`: a workbook in
//! a report saved as RTF by Word) are read as members.
//!
//! Written by hand: RTF is a small grammar (groups, control words, `\'hh` bytes, `\uN` characters) and
//! what matters here is what the available crates get wrong for Chinese files — bytes escaped one by one
//! (`\'bb\'fa\'c3\'dc` is 机密 in GBK: the two bytes of a character must be decoded together, in the code
//! page of the current font's charset, not of the document), `\ucN` skipping, and destinations that
//! hold no visible text (font tables, pictures, field instructions) but megabytes of hex.

use crate::{Budget, SegmentKind, Unreadable, Visitor};
use encoding_rs::Encoding;

/// Time is checked once per this many tokens.
const TIME_CHECK_EVERY: u32 = 8192;

pub(crate) fn extract(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    if !data.starts_with(b"{\\rtf") {
        return Err(Unreadable::corrupt("not RTF: no {\\rtf header"));
    }
    let out = Parser::new(data, budget).run()?;
    let emit = |visitor: &mut dyn Visitor, kind, page, text: &str| {
        crate::emit_segment(visitor, inner, kind, page, None, None, text);
    };
    let paged = out.pages.len() > 1;
    for (i, page) in out.pages.iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        emit(visitor, SegmentKind::Body, paged.then_some(n), page);
    }
    for (kind, text) in [
        (SegmentKind::Header, &out.header),
        (SegmentKind::Footer, &out.footer),
        (SegmentKind::Note, &out.notes),
        (SegmentKind::Comment, &out.comments),
        (SegmentKind::Metadata, &out.info),
    ] {
        emit(visitor, kind, None, text);
    }
    for (i, object) in out.objects.iter().enumerate() {
        budget.check_time()?;
        embedded_object(i + 1, object, inner, budget, visitor)?;
    }
    Ok(())
}

/// An `\objdata` object: an OLE 1 object header (MS-OLEDS 2.2.4: version, format, then the class, topic
/// and item names as length-prefixed ANSI strings, then the native data's size and the data). The
/// native data of an embedded document is an OLE 2 compound file, read as a member; Packager's
/// (class `Package`) is a packaged file. A linked object holds no data and is passed over.
fn embedded_object(
    n: usize,
    object: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    const EMBEDDED: u32 = 2;
    let mut at = 8usize;
    let mut names = Vec::new();
    for _ in 0..3 {
        let Some(len) = crate::ole::usize_at(object, at) else {
            break;
        };
        let Some(name) = at
            .checked_add(4)
            .and_then(|s| object.get(s..s.checked_add(len)?))
        else {
            break;
        };
        names.push(
            String::from_utf8_lossy(name)
                .trim_end_matches('\0')
                .to_owned(),
        );
        at = at + 4 + len;
    }
    let label = |class: &str| {
        if class.is_empty() {
            format!("objdata {n}")
        } else {
            format!("objdata {n} ({class})")
        }
    };
    let native = crate::ole::usize_at(object, at)
        .and_then(|len| object.get(at.checked_add(4)?..at.checked_add(4)?.checked_add(len)?));
    let (Some(class), Some(native), Some(EMBEDDED)) =
        (names.first(), native, crate::ole::u32_at(object, 4))
    else {
        if crate::ole::u32_at(object, 4) == Some(EMBEDDED) {
            inner.push(label(names.first().map_or("", String::as_str)));
            visitor.unscanned(
                inner,
                baomi_core::UnscannedReason::Corrupt,
                "embedded object: damaged OLE 1 header",
            );
            inner.pop();
        }
        return Ok(());
    };
    if class.starts_with("Package") {
        // Packager's native data is the `\x01Ole10Native` stream without its size.
        let mut stream = u32::try_from(native.len())
            .unwrap_or(0)
            .to_le_bytes()
            .to_vec();
        stream.extend_from_slice(native);
        let (name, payload) = crate::ole::objects::ole10_native(&stream);
        let name = format!(
            "{}/{}",
            label(class),
            name.unwrap_or_else(|| "Package".to_owned())
        );
        return crate::extract_member(&name, payload, inner, budget, visitor);
    }
    crate::extract_member(&label(class), native, inner, budget, visitor)
}

/// Where the text of a group goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dest {
    Body,
    Header,
    Footer,
    Note,
    Comment,
    /// `\info` children that are words (title, subject, keywords…).
    Info,
    /// The font table: read for charsets, no text.
    FontTable,
    /// An embedded object's data (`\objdata`): hex digits, gathered as bytes.
    ObjData,
    /// Everything else: no visible text.
    Skip,
}

#[derive(Debug, Clone, Copy)]
struct State {
    dest: Dest,
    /// Characters to skip after `\uN` (`\ucN`).
    uc: u32,
    encoding: &'static Encoding,
    /// A field instruction (`\fldinst`) is skipped; its result (`\fldrslt`) is text.
    in_font_entry: Option<i32>,
}

#[derive(Default)]
struct Output {
    pages: Vec<String>,
    header: String,
    footer: String,
    notes: String,
    comments: String,
    info: String,
    /// The data of each `\objdata` group.
    objects: Vec<Vec<u8>>,
}

struct Parser<'d, 'b> {
    data: &'d [u8],
    pos: usize,
    budget: &'b mut Budget,
    stack: Vec<State>,
    state: State,
    /// Document code page (`\ansicpg`) and the charset of each font (`\fN` → encoding).
    default_encoding: &'static Encoding,
    fonts: Vec<(i32, &'static Encoding)>,
    /// Bytes from `\'hh` escapes waiting to be decoded together.
    pending: Vec<u8>,
    /// A high surrogate from `\uN` waiting for its pair.
    high_surrogate: Option<u16>,
    /// Characters still to skip after a `\uN`.
    skip: u32,
    out: Output,
    tokens: u32,
    /// The high half of a byte of `\objdata` whose low half is still to come.
    nibble: Option<u8>,
}

impl<'d, 'b> Parser<'d, 'b> {
    fn new(data: &'d [u8], budget: &'b mut Budget) -> Parser<'d, 'b> {
        let state = State {
            dest: Dest::Body,
            uc: 1,
            encoding: encoding_rs::WINDOWS_1252,
            in_font_entry: None,
        };
        Parser {
            data,
            pos: 0,
            budget,
            stack: Vec::new(),
            state,
            default_encoding: encoding_rs::WINDOWS_1252,
            fonts: Vec::new(),
            pending: Vec::new(),
            high_surrogate: None,
            skip: 0,
            out: Output {
                pages: vec![String::new()],
                ..Output::default()
            },
            tokens: 0,
            nibble: None,
        }
    }

    fn run(mut self) -> Result<Output, Unreadable> {
        while let Some(&b) = self.data.get(self.pos) {
            self.tokens = self.tokens.wrapping_add(1);
            if self.tokens.is_multiple_of(TIME_CHECK_EVERY) {
                self.budget.check_time()?;
            }
            match b {
                b'{' => {
                    self.flush()?;
                    self.pos += 1;
                    if self.stack.len() as u32 >= self.budget.limits.max_xml_depth {
                        return Err(Unreadable::limit(format!(
                            "RTF groups nested deeper than {}",
                            self.budget.limits.max_xml_depth
                        )));
                    }
                    self.stack.push(self.state);
                    self.state.in_font_entry = None;
                    // `{\*\dest …}`: an optional destination this reader does not know is skipped.
                    if self.data.get(self.pos..self.pos + 2) == Some(b"\\*") {
                        self.pos += 2;
                        self.state.dest = Dest::Skip;
                    }
                }
                b'}' => {
                    self.flush()?;
                    self.pos += 1;
                    self.end_group();
                    if self.state.dest == Dest::ObjData
                        && self.stack.last().map(|s| s.dest) != Some(Dest::ObjData)
                    {
                        self.nibble = None;
                    }
                    match self.stack.pop() {
                        Some(s) => self.state = s,
                        // The closing brace of the document: anything after it is not RTF.
                        None => break,
                    }
                }
                b'\\' => self.control()?,
                b'\r' | b'\n' => self.pos += 1,
                _ => {
                    // A run of plain bytes, in the current font's code page.
                    let start = self.pos;
                    while let Some(&c) = self.data.get(self.pos) {
                        if matches!(c, b'{' | b'}' | b'\\' | b'\r' | b'\n') {
                            break;
                        }
                        self.pos += 1;
                    }
                    let run = &self.data[start..self.pos];
                    if self.state.dest == Dest::ObjData {
                        self.object_hex(run);
                        continue;
                    }
                    for &c in run {
                        if self.take_skip() {
                            continue;
                        }
                        self.pending.push(c);
                    }
                }
            }
        }
        self.flush()?;
        Ok(self.out)
    }

    /// Hex digits of `\objdata` onto the object's bytes (white space and anything else ignored).
    fn object_hex(&mut self, run: &[u8]) {
        let Some(object) = self.out.objects.last_mut() else {
            return;
        };
        for &c in run {
            let v = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => continue,
            };
            match self.nibble.take() {
                Some(high) => object.push(high << 4 | v),
                None => self.nibble = Some(v),
            }
        }
    }

    /// A `\uN` is followed by `uc` fallback characters for readers without Unicode: skip them.
    fn take_skip(&mut self) -> bool {
        if self.skip > 0 {
            self.skip -= 1;
            return true;
        }
        false
    }

    fn end_group(&mut self) {
        // The end of a font-table entry: nothing to do (its charset was recorded as it was read).
        if self.state.dest == Dest::Body || self.stack.is_empty() {
            return;
        }
        // Headers, notes and comments are separate stories: end each on a line of its own.
        let parent = self.stack.last().map(|s| s.dest);
        if parent != Some(self.state.dest) {
            self.newline();
        }
    }

    fn control(&mut self) -> Result<(), Unreadable> {
        let data = self.data;
        let start = self.pos + 1;
        let Some(&first) = data.get(start) else {
            self.pos = start;
            return Ok(());
        };
        if !first.is_ascii_alphabetic() {
            // A control symbol.
            self.pos = start + 1;
            match first {
                b'\'' => {
                    let hex = data.get(start + 1..start + 3).unwrap_or_default();
                    let byte = std::str::from_utf8(hex)
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok());
                    if let Some(byte) = byte {
                        self.pos = start + 3;
                        if !self.take_skip() {
                            self.pending.push(byte);
                        }
                    }
                }
                b'\\' | b'{' | b'}' if !self.take_skip() => self.pending.push(first),
                b'~' => self.push_char('\u{a0}')?,
                b'_' => self.push_char('-')?,
                b'-' => {}
                b'\r' | b'\n' => self.newline_flushed()?,
                _ => {}
            }
            return Ok(());
        }
        let mut end = start;
        while data.get(end).is_some_and(u8::is_ascii_alphabetic) && end - start < 32 {
            end += 1;
        }
        let word = std::str::from_utf8(&data[start..end]).unwrap_or_default();
        let mut num_end = end;
        if data.get(num_end) == Some(&b'-') {
            num_end += 1;
        }
        while data.get(num_end).is_some_and(u8::is_ascii_digit) && num_end - end < 11 {
            num_end += 1;
        }
        let param = std::str::from_utf8(&data[end..num_end])
            .ok()
            .and_then(|p| p.parse::<i32>().ok());
        self.pos = num_end;
        // One space after a control word is its delimiter, not text.
        if data.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
        self.word(word, param)
    }

    fn word(&mut self, word: &str, param: Option<i32>) -> Result<(), Unreadable> {
        match word {
            "u" => {
                self.flush()?;
                let Some(n) = param else { return Ok(()) };
                // RTF writes code units as signed 16-bit numbers.
                let unit = u16::try_from(n.rem_euclid(65536)).unwrap_or(0xFFFD);
                self.skip = self.state.uc;
                self.push_unit(unit)?;
                return Ok(());
            }
            "uc" => {
                self.state.uc = param
                    .and_then(|p| u32::try_from(p).ok())
                    .unwrap_or(1)
                    .min(8);
                return Ok(());
            }
            _ => {}
        }
        // Any other control word ends a `\uN` fallback (it counts as one character).
        if self.take_skip() {
            return Ok(());
        }
        match word {
            "ansicpg" => {
                if let Some(enc) = param.and_then(code_page) {
                    self.default_encoding = enc;
                    self.state.encoding = enc;
                }
            }
            "fonttbl" => self.state.dest = Dest::FontTable,
            "f" => {
                if self.state.dest == Dest::FontTable {
                    self.state.in_font_entry = param;
                } else if let Some(n) = param {
                    self.flush()?;
                    self.state.encoding = self
                        .fonts
                        .iter()
                        .find(|(f, _)| *f == n)
                        .map_or(self.default_encoding, |(_, e)| *e);
                }
            }
            "fcharset" => {
                if let (Some(font), Some(enc)) = (self.state.in_font_entry, param.and_then(charset))
                {
                    self.fonts.retain(|(f, _)| *f != font);
                    self.fonts.push((font, enc));
                }
            }
            "plain" | "pard" => {}
            "par" | "line" | "row" | "sect" => self.newline_flushed()?,
            "cell" | "tab" | "nestcell" => self.push_char('\t')?,
            "page" => {
                self.flush()?;
                if self.state.dest == Dest::Body {
                    self.out.pages.push(String::new());
                } else {
                    self.newline();
                }
            }
            // "Page break before" this paragraph (LibreOffice writes breaks so), and a section that
            // starts on a new page: the paragraph to come opens a page, unless the page is still empty.
            "pagebb" | "sbkpage" => {
                self.flush()?;
                if self.state.dest == Dest::Body
                    && self.out.pages.last().is_some_and(|p| !p.trim().is_empty())
                {
                    self.out.pages.push(String::new());
                }
            }
            "emdash" => self.push_char('—')?,
            "endash" => self.push_char('–')?,
            "lquote" => self.push_char('‘')?,
            "rquote" => self.push_char('’')?,
            "ldblquote" => self.push_char('“')?,
            "rdblquote" => self.push_char('”')?,
            "bullet" => self.push_char('•')?,
            "header" | "headerl" | "headerr" | "headerf" => self.set_dest(Dest::Header)?,
            "footer" | "footerl" | "footerr" | "footerf" => self.set_dest(Dest::Footer)?,
            "footnote" => self.set_dest(Dest::Note)?,
            "annotation" => self.set_dest(Dest::Comment)?,
            "info" => self.set_dest(Dest::Skip)?,
            // Words of the `\info` group (the only place these words name destinations).
            "title" | "subject" | "keywords" | "doccomm" | "category" | "company" | "operator"
            | "author"
                if self.stack.last().is_some_and(|s| s.dest == Dest::Skip)
                    || self.state.dest == Dest::Skip =>
            {
                self.set_dest(Dest::Info)?;
            }
            "objdata" => {
                self.flush()?;
                if self.out.objects.len()
                    < usize::try_from(self.budget.limits.max_members).unwrap_or(usize::MAX)
                {
                    self.out.objects.push(Vec::new());
                    self.nibble = None;
                    self.state.dest = Dest::ObjData;
                } else {
                    self.state.dest = Dest::Skip;
                }
            }
            // Destinations that hold no visible text (or only hex), skipped with their groups.
            "colortbl" | "stylesheet" | "pict" | "object" | "fldinst" | "themedata"
            | "colorschememapping" | "datastore" | "latentstyles" | "listtable"
            | "listoverridetable" | "rsidtbl" | "generator" | "xmlnstbl" | "filetbl" | "revtbl"
            | "bkmkstart" | "bkmkend" | "atnid" | "atnauthor" | "atndate" | "atnref"
            | "pgdsctbl" | "mmathPr" | "bin" | "private" | "blipuid" | "shpinst" | "nonshppict"
            | "listtext" | "pntext" | "template" | "docvar" | "xe" | "tc" => {
                self.set_dest(Dest::Skip)?;
                if word == "bin" {
                    // Raw binary follows: `\binN` then N bytes that are not RTF.
                    let n = param.and_then(|p| usize::try_from(p).ok()).unwrap_or(0);
                    self.pos = self.pos.saturating_add(n).min(self.data.len());
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn set_dest(&mut self, dest: Dest) -> Result<(), Unreadable> {
        self.flush()?;
        self.state.dest = dest;
        Ok(())
    }

    /// Decode the bytes gathered so far in the current code page and append them.
    fn flush(&mut self) -> Result<(), Unreadable> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.pending);
        let (text, _) = self.state.encoding.decode_without_bom_handling(&bytes);
        self.append(&text)
    }

    fn push_char(&mut self, c: char) -> Result<(), Unreadable> {
        self.flush()?;
        let mut buf = [0u8; 4];
        let s: &str = c.encode_utf8(&mut buf);
        self.append(s)
    }

    fn push_unit(&mut self, unit: u16) -> Result<(), Unreadable> {
        if (0xD800..0xDC00).contains(&unit) {
            self.high_surrogate = Some(unit);
            return Ok(());
        }
        let c = match self.high_surrogate.take() {
            Some(high) if (0xDC00..0xE000).contains(&unit) => {
                char::decode_utf16([high, unit]).next().and_then(Result::ok)
            }
            _ => char::from_u32(u32::from(unit)),
        };
        self.push_char(c.unwrap_or('\u{FFFD}'))
    }

    fn newline(&mut self) {
        if let Some(t) = self.target() {
            t.push('\n');
        }
    }

    fn newline_flushed(&mut self) -> Result<(), Unreadable> {
        self.flush()?;
        self.newline();
        Ok(())
    }

    fn append(&mut self, text: &str) -> Result<(), Unreadable> {
        if self.target().is_none() {
            return Ok(());
        }
        self.budget.spend_text(text.len() as u64)?;
        if let Some(t) = self.target() {
            t.push_str(text);
        }
        Ok(())
    }

    fn target(&mut self) -> Option<&mut String> {
        match self.state.dest {
            Dest::Body => self.out.pages.last_mut(),
            Dest::Header => Some(&mut self.out.header),
            Dest::Footer => Some(&mut self.out.footer),
            Dest::Note => Some(&mut self.out.notes),
            Dest::Comment => Some(&mut self.out.comments),
            Dest::Info => Some(&mut self.out.info),
            Dest::FontTable | Dest::ObjData | Dest::Skip => None,
        }
    }
}

/// The encoding of a Windows code page number (`\ansicpg`, `\cpg`).
fn code_page(cp: i32) -> Option<&'static Encoding> {
    Some(match cp {
        936 | 20936 => encoding_rs::GBK,
        54936 => encoding_rs::GB18030,
        950 => encoding_rs::BIG5,
        932 => encoding_rs::SHIFT_JIS,
        949 => encoding_rs::EUC_KR,
        65001 => encoding_rs::UTF_8,
        1250 => encoding_rs::WINDOWS_1250,
        1251 => encoding_rs::WINDOWS_1251,
        1252 => encoding_rs::WINDOWS_1252,
        1253 => encoding_rs::WINDOWS_1253,
        1254 => encoding_rs::WINDOWS_1254,
        1255 => encoding_rs::WINDOWS_1255,
        1256 => encoding_rs::WINDOWS_1256,
        1257 => encoding_rs::WINDOWS_1257,
        1258 => encoding_rs::WINDOWS_1258,
        874 => encoding_rs::WINDOWS_874,
        _ => return None,
    })
}

/// The encoding of a font charset (`\fcharsetN`).
fn charset(n: i32) -> Option<&'static Encoding> {
    Some(match n {
        134 => encoding_rs::GBK,
        136 => encoding_rs::BIG5,
        128 => encoding_rs::SHIFT_JIS,
        129 => encoding_rs::EUC_KR,
        0 => encoding_rs::WINDOWS_1252,
        238 => encoding_rs::WINDOWS_1250,
        204 => encoding_rs::WINDOWS_1251,
        161 => encoding_rs::WINDOWS_1253,
        162 => encoding_rs::WINDOWS_1254,
        177 => encoding_rs::WINDOWS_1255,
        178 => encoding_rs::WINDOWS_1256,
        186 => encoding_rs::WINDOWS_1257,
        163 => encoding_rs::WINDOWS_1258,
        222 => encoding_rs::WINDOWS_874,
        // 1 (default) and 2 (symbol) and the rest: the document's code page.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::text::testutil::{Collect, run};
    use baomi_core::UnscannedReason;

    fn fixture(name: &str) -> Vec<u8> {
        crate::xml::testing::fixture_in("rtf", name)
    }

    fn ok(name: &str) -> Collect {
        let (r, c) = run(name, &fixture(name));
        assert!(r.is_ok(), "{name}: {r:?}");
        c
    }

    /// Texts of the segments of `kind`, in order, with their page.
    fn of<'c>(c: &'c Collect, kind: &str) -> Vec<(Option<u32>, &'c str)> {
        c.segments
            .iter()
            .filter(|s| s.1 == kind)
            .map(|s| (s.2, s.3.as_str()))
            .collect()
    }

    fn first_line(t: &str) -> &str {
        t.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
    }

    #[test]
    fn libreoffice_gongwen_marking_heads_the_body() {
        let c = ok("01_份号_机密1年.rtf");
        let body = of(&c, "body");
        let text = body.first().map(|b| b.1).unwrap_or_default();
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.get(1).map(|l| l.trim()), Some("机密★1年"), "{text}");
        assert!(
            text.contains("关于开展涉案财物专项清理工作的通知"),
            "{text}"
        );
        // No font names, colours or style names leak into the text.
        assert!(
            !text.contains("Times New Roman") && !text.contains("Normal;"),
            "{text}"
        );
    }

    #[test]
    fn header_only_marking_is_a_header() {
        let c = ok("03_header_only.rtf");
        let header = of(&c, "header");
        assert!(
            header.iter().any(|h| first_line(h.1) == "秘密★6个月"),
            "{:?}",
            c.segments
        );
        assert!(!of(&c, "body").iter().any(|b| b.1.contains("秘密★6个月")));
    }

    #[test]
    fn pages_split_at_page_breaks() {
        let c = ok("05_page3_only.rtf");
        let body = of(&c, "body");
        let page3 = body.iter().find(|b| b.0 == Some(3)).expect("a third page");
        assert_eq!(first_line(page3.1), "秘密★1年", "{body:?}");
    }

    #[test]
    fn table_cells_are_tab_separated() {
        let c = ok("04_table_cell_juemi.rtf");
        let body = of(&c, "body");
        assert!(
            body.iter().any(|b| b
                .1
                .lines()
                .any(|l| l.contains('\t') && l.contains("绝密★长期"))),
            "{body:?}"
        );
    }

    #[test]
    fn gbk_bytes_fonts_unicode_fallbacks_notes_and_fields() {
        let c = ok("gbk_wordstyle.rtf");
        let body = of(&c, "body");
        assert_eq!(body.len(), 2, "{body:?}");
        let page1 = body[0].1;
        let lines: Vec<&str> = page1
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines[..2], ["000345", "绝密★长期"], "{page1}");
        // \u26426 with its two fallback bytes skipped: 机密 once, not 机机密密.
        assert!(page1.contains("机密 文件已归档。链接"), "{page1}");
        assert!(!page1.contains("HYPERLINK"), "{page1}");
        assert_eq!(first_line(body[1].1), "第二页正文。");
        assert_eq!(
            of(&c, "header").first().map(|h| first_line(h.1)),
            Some("秘密★6个月")
        );
        assert!(
            of(&c, "note")
                .iter()
                .any(|n| n.1.contains("注：本件不得复制。"))
        );
        assert!(of(&c, "metadata").iter().any(|m| m.1.contains("请示")));
    }

    #[test]
    fn damage_and_depth() {
        let (r, _) = run("x.rtf", b"{\\rtf1 unterminated \\'b");
        assert!(r.is_ok(), "a cut file keeps what it has: {r:?}");
        let deep = format!("{{\\rtf1{}x", "{".repeat(100_000));
        let (r, _) = run("deep.rtf", deep.as_bytes());
        assert_eq!(r.expect_err("too deep").reason, UnscannedReason::Limit);
        let (r, _) = run("bin.rtf", b"{\\rtf1 {\\pict\\bin99999999 }text}");
        assert!(r.is_ok(), "{r:?}");
    }

    /// Objects as Word embeds them (fixture by make_objects.py): a workbook whose native data is a real
    /// Excel 97 file, and a packaged text file; their hex never reaches the text.
    #[test]
    fn embedded_objects_are_read_as_members() {
        let c = ok("objects.rtf");
        let body: Vec<_> = c
            .segments
            .iter()
            .filter(|s| s.0.is_empty() && s.1 == "body")
            .map(|s| (s.2, s.3.as_str()))
            .collect();
        assert_eq!(body.len(), 1);
        assert!(
            body[0].1.starts_with("关于二〇二六年度工作安排的报告"),
            "{body:?}"
        );
        assert!(!body[0].1.contains("d0cf11"), "{body:?}");
        let sheet = c
            .segments
            .iter()
            .find(|s| s.0 == "objdata 1 (Excel.Sheet.8)" && s.1 == "sheet");
        assert!(
            sheet.is_some_and(|s| s.3.starts_with("机密★1年")),
            "{:?}",
            c.segments
        );
        let file = c
            .segments
            .iter()
            .find(|s| s.0 == "objdata 2 (Package)/名单.txt");
        assert!(
            file.is_some_and(|s| s.3.starts_with("秘密★6个月")),
            "{:?}",
            c.segments
        );
        assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
        // Cut inside the first object's data: the text before it is still read, nothing panics, and
        // the object is listed as unreadable rather than dropped.
        let data = fixture("objects.rtf");
        let cut = data.len() / 2;
        let (r, c) = run("objects.rtf", &data[..cut]);
        assert!(r.is_ok(), "{r:?}");
        assert!(
            of(&c, "body")
                .iter()
                .any(|b| b.1.contains("关于二〇二六年度工作安排的报告"))
        );
        assert!(!c.unscanned.is_empty(), "{:?}", c.segments);
    }
}
