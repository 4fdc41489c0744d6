//! Excel 97–2003 workbooks (.xls, BIFF8), which Kingsoft WPS also writes for .et; Excel 5/95 (BIFF5,
//! stream `Book`) is read too, its 8-bit strings in the workbook's code page.
//!
//! The `Workbook` stream is a run of records: the globals (sheet names, shared strings) and one
//! substream per sheet, each between BOF and EOF. Cells become one line per row, tab-separated, like the
//! OOXML and ODF readers; page headers and footers become Header/Footer segments of their sheet.

use super::{Ole, Out, codepage, u16_at, u32_at, usize_at};
use crate::ooxml::strip_header_codes;
use crate::{SegmentKind, Unreadable};
use baomi_core::UnscannedReason;
use std::io::Seek;

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;
const CODEPAGE: u16 = 0x0042;
const BOUNDSHEET: u16 = 0x0085;
const SST: u16 = 0x00FC;
const CONTINUE: u16 = 0x003C;
const LABELSST: u16 = 0x00FD;
const LABEL: u16 = 0x0204;
const RSTRING: u16 = 0x00D6;
const NUMBER: u16 = 0x0203;
const RK: u16 = 0x027E;
const MULRK: u16 = 0x00BD;
const FORMULA: u16 = 0x0006;
const STRING: u16 = 0x0207;
const BOOLERR: u16 = 0x0205;
const HEADER: u16 = 0x0014;
const FOOTER: u16 = 0x0015;
const TXO: u16 = 0x01B6;
/// A chart's text: its title, an axis title, a series name (MS-XLS 2.4.252).
const SERIESTEXT: u16 = 0x100D;

/// Blank rows materialised per file at most (line N = row N in ordinary sheets, but a lone cell in row
/// 65 536 must not become 65 535 empty lines).
const MAX_ROW_PADDING: usize = 10_000;
/// Tabs inserted for empty columns in one row at most.
const MAX_COLUMN_PADDING: usize = 256;

pub(super) fn extract(ole: &mut Ole<'_>, out: &mut Out<'_>) -> Result<(), Unreadable> {
    let Some(name) = ["Workbook", "Book"].into_iter().find(|n| ole.is_stream(n)) else {
        return Err(Unreadable::corrupt("no Workbook stream"));
    };
    let mut book = Book {
        biff8: true,
        enc: encoding_rs::WINDOWS_1252,
        sheets: Vec::new(),
        sst: Sst::default(),
    };
    {
        let mut stream = ole.stream(name, out.budget)?;
        let len = usize::try_from(stream.len()).unwrap_or(usize::MAX);
        workbook(&mut stream, len, name, &mut book, out)?;
    }
    let r = super::summary_information(ole, out);
    out.soft("\u{5}SummaryInformation", r)?;
    Ok(())
}

/// Read the globals first (sheet names, shared strings), then the sheets; streamed, so a 200 MB
/// workbook is never held whole. `len` is the stream's declared length: the window is no larger.
fn workbook<S: std::io::Read + Seek>(
    stream: &mut S,
    len: usize,
    name: &str,
    book: &mut Book,
    out: &mut Out<'_>,
) -> Result<(), Unreadable> {
    let mut recs = Records::new(&mut *stream, len);
    globals(&mut recs, book, out)?;
    if recs.restart() {
        return sheets(&mut recs, book, name, out);
    }
    drop(recs);
    stream
        .rewind()
        .map_err(|e| Unreadable::corrupt(format!("OLE stream {name}: {e}")))?;
    sheets(&mut Records::new(stream, len), book, name, out)
}

/// One record: its type, its offset in the stream (for BOUNDSHEET's lbPlyPos) and its body.
struct Rec<'a> {
    kind: u16,
    at: usize,
    body: &'a [u8],
}

/// The stream's records, in order, read through a window of the stream; a record running past the
/// end is cut to what is there (a truncated file still gives its first sheets). Records are handed
/// out one at a time: a 200 MB workbook holds millions of cell records, and neither a list of them nor
/// the stream itself is held.
struct Records<R> {
    src: R,
    /// Bytes read at a time: the whole stream when it is small.
    window: usize,
    buf: Vec<u8>,
    /// Unread bytes are `buf[start..end]`; `buf[0]` is at `base` in the stream.
    start: usize,
    end: usize,
    base: usize,
    eof: bool,
}

impl<R: std::io::Read> Records<R> {
    /// Bytes read from the stream at a time: a workbook up to this size is read in one go.
    const WINDOW: usize = 256 << 10;

    /// `len` is the stream's length as declared (a window larger than the stream would only cost
    /// memory to clear).
    fn new(src: R, len: usize) -> Self {
        Records {
            src,
            window: len.saturating_add(1).min(Self::WINDOW),
            buf: Vec::new(),
            start: 0,
            end: 0,
            base: 0,
            eof: false,
        }
    }

    /// Make at least `n` unread bytes available if the stream has them; false at its end.
    #[inline]
    fn fill(&mut self, n: usize) -> bool {
        self.end - self.start >= n || self.refill(n)
    }

    /// [`Self::fill`] when the window must move: once per window, not per record.
    #[inline(never)]
    fn refill(&mut self, n: usize) -> bool {
        while self.end - self.start < n && !self.eof {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.base += self.start;
                self.end -= self.start;
                self.start = 0;
            }
            let want = self.end + n.max(self.window);
            if self.buf.len() < want {
                self.buf.resize(want, 0);
            }
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) | Err(_) => self.eof = true,
                Ok(k) => self.end += k,
            }
        }
        self.end - self.start >= n
    }

    /// Start again from the first record without reading anything twice, when the window still
    /// holds the stream's start (a workbook smaller than the window); false otherwise.
    fn restart(&mut self) -> bool {
        if self.base != 0 {
            return false;
        }
        self.start = 0;
        true
    }

    /// The type of the next record, without reading past it.
    fn peek_kind(&mut self) -> Option<u16> {
        if !self.fill(4) {
            return None;
        }
        u16_at(&self.buf[self.start..self.end], 0)
    }

    fn next(&mut self) -> Option<Rec<'_>> {
        if !self.fill(4) {
            return None;
        }
        let head = &self.buf[self.start..self.end];
        let (kind, len) = (u16_at(head, 0)?, usize::from(u16_at(head, 2)?));
        let at = self.base + self.start;
        self.fill(4 + len);
        let body_start = self.start + 4;
        let body_end = (body_start + len).min(self.end);
        self.start = body_end;
        Some(Rec {
            kind,
            at,
            body: &self.buf[body_start..body_end],
        })
    }
}

struct SheetInfo {
    offset: usize,
    name: String,
}

struct Book {
    biff8: bool,
    enc: &'static encoding_rs::Encoding,
    sheets: Vec<SheetInfo>,
    sst: Sst,
}

/// The shared strings, all in one buffer: millions of small strings as `String`s cost three times
/// their text in headers and allocator slack.
#[derive(Default, Debug)]
struct Sst {
    text: String,
    ends: Vec<u32>,
    /// Whether any string holds a tab or a line break, which a cell must not pass on; most tables
    /// have none, and one search of the whole text spares a search per cell.
    has_breaks: bool,
}

impl Sst {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = match i.checked_sub(1) {
            Some(p) => *self.ends.get(p)? as usize,
            None => 0,
        };
        self.text.get(start..end)
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    #[cfg(test)]
    fn to_vec(&self) -> Vec<&str> {
        (0..self.len()).filter_map(|i| self.get(i)).collect()
    }
}

/// The globals substream: up to its EOF.
fn globals<R: std::io::Read>(
    recs: &mut Records<R>,
    book: &mut Book,
    out: &mut Out<'_>,
) -> Result<(), Unreadable> {
    let Some(first) = recs.next() else {
        return Err(Unreadable::corrupt("empty Workbook stream"));
    };
    // BIFF5 and BIFF8 share the BOF record type; the version field tells them apart.
    if first.kind != BOF {
        return Err(Unreadable::corrupt(
            "Workbook stream does not start with BOF",
        ));
    }
    book.biff8 = u16_at(first.body, 0) == Some(0x0600);
    let mut i = 0usize;
    while let Some(r) = recs.next() {
        i += 1;
        if i.is_multiple_of(4096) {
            out.budget.check_time()?;
        }
        match r.kind {
            EOF => break,
            FILEPASS => {
                return Err(Unreadable::new(
                    UnscannedReason::Encrypted,
                    "password-protected Excel workbook",
                ));
            }
            CODEPAGE => {
                if let Some(cp) = u16_at(r.body, 0) {
                    book.enc = codepage(u32::from(cp), book.enc);
                }
            }
            BOUNDSHEET => {
                let Some(offset) = usize_at(r.body, 0) else {
                    continue;
                };
                let name = short_string(r.body.get(6..).unwrap_or_default(), book);
                book.sheets.push(SheetInfo { offset, name });
            }
            SST if book.biff8 => {
                let count = usize_at(r.body, 4).unwrap_or(0);
                // The table and its CONTINUE records are copied out: the window moves on under them.
                let mut owned = vec![r.body.get(8..).unwrap_or_default().to_vec()];
                while recs.peek_kind() == Some(CONTINUE) {
                    match recs.next() {
                        Some(c) => owned.push(c.body.to_vec()),
                        None => break,
                    }
                }
                book.sst = shared_strings(owned.iter().map(Vec::as_slice).collect(), count);
            }
            _ => {}
        }
    }
    Ok(())
}

/// A ShortXLUnicodeString: 8-bit count, flags, characters (Latin-1 when not high-byte).
fn short_unicode(b: &[u8]) -> String {
    let n = usize::from(b.first().copied().unwrap_or(0));
    let high = b.get(1).is_some_and(|f| f & 1 != 0);
    chars(b.get(2..).unwrap_or_default(), n, high)
}

/// A ShortXLUnicodeString in BIFF8, or an 8-bit count and bytes in the workbook's code page in BIFF5.
fn short_string(b: &[u8], book: &Book) -> String {
    if book.biff8 {
        return short_unicode(b);
    }
    let n = usize::from(b.first().copied().unwrap_or(0));
    let bytes = b.get(1..1 + n).unwrap_or_default();
    book.enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// `n` characters from `b`: UTF-16LE when `high`, else one byte each (the high byte is zero).
fn chars(b: &[u8], n: usize, high: bool) -> String {
    if high {
        let end = n.saturating_mul(2).min(b.len());
        super::utf16le(b.get(..end).unwrap_or_default())
    } else {
        b.iter().take(n).map(|&c| char::from(c)).collect()
    }
}

/// An XLUnicodeString (16-bit count) in BIFF8, or a count-prefixed 8-bit string in BIFF5.
fn unicode(b: &[u8], book: &Book) -> String {
    let n = usize::from(u16_at(b, 0).unwrap_or(0));
    if book.biff8 {
        let high = b.get(2).is_some_and(|f| f & 1 != 0);
        chars(b.get(3..).unwrap_or_default(), n, high)
    } else {
        let bytes = b.get(2..).unwrap_or_default();
        let bytes = bytes.get(..n.min(bytes.len())).unwrap_or_default();
        book.enc.decode_without_bom_handling(bytes).0.into_owned()
    }
}

/// Reads across an SST record and its CONTINUE records as if they were one, except that character
/// data split by a CONTINUE restarts with a fresh flags byte (the half after the split may switch
/// between 8- and 16-bit characters).
struct Chunks<'a> {
    chunks: Vec<&'a [u8]>,
    ci: usize,
    pos: usize,
}

impl Chunks<'_> {
    /// Step to the next chunk when the current one is used up; false at the very end.
    fn ready(&mut self) -> bool {
        loop {
            match self.chunks.get(self.ci) {
                None => return false,
                Some(c) if self.pos < c.len() => return true,
                Some(_) => {
                    self.ci += 1;
                    self.pos = 0;
                }
            }
        }
    }

    fn byte(&mut self) -> Option<u8> {
        if !self.ready() {
            return None;
        }
        let b = self.chunks.get(self.ci)?.get(self.pos).copied();
        self.pos += 1;
        b
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes([self.byte()?, self.byte()?]))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes([
            self.byte()?,
            self.byte()?,
            self.byte()?,
            self.byte()?,
        ]))
    }

    fn skip(&mut self, mut n: usize) -> Option<()> {
        while n > 0 {
            if !self.ready() {
                return None;
            }
            let len = self.chunks.get(self.ci)?.len();
            let step = n.min(len - self.pos);
            self.pos += step;
            n -= step;
        }
        Some(())
    }

    /// The next string, appended to `text` only when whole (`units` and `scratch` are reused buffers).
    fn string_into(
        &mut self,
        text: &mut String,
        units: &mut Vec<u16>,
        scratch: &mut Vec<u8>,
    ) -> Option<()> {
        let n = usize::from(self.u16()?);
        let flags = self.byte()?;
        let runs = if flags & 0x08 != 0 { self.u16()? } else { 0 };
        let ext = if flags & 0x04 != 0 { self.u32()? } else { 0 };
        let mut high = flags & 0x01 != 0;
        units.clear();
        while units.len() < n {
            // At a record boundary inside the characters: a new flags byte comes first.
            if self
                .chunks
                .get(self.ci)
                .is_some_and(|c| self.pos >= c.len())
            {
                self.ci += 1;
                self.pos = 0;
                high = self.byte()? & 0x01 != 0;
                continue;
            }
            let unit = if high {
                self.u16()?
            } else {
                u16::from(self.byte()?)
            };
            units.push(unit);
        }
        self.skip(usize::from(runs) * 4)?;
        self.skip(usize::try_from(ext).ok()?)?;
        super::push_utf16(text, units, scratch);
        Some(())
    }
}

/// The shared string table. A string the data ends in is kept as far as it goes; indices after it
/// are missing and those cells read as empty.
fn shared_strings(chunks: Vec<&[u8]>, count: usize) -> Sst {
    let mut r = Chunks {
        chunks,
        ci: 0,
        pos: 0,
    };
    let mut out = Sst::default();
    let (mut units, mut scratch) = (Vec::new(), Vec::new());
    // Each string takes at least three bytes, so the loop is bounded by the data whatever `count` says.
    while out.len() < count {
        if r.string_into(&mut out.text, &mut units, &mut scratch)
            .is_none()
        {
            break;
        }
        // Offsets are 32-bit: a table past 4 GiB of text is cut there (the budget stops far earlier).
        let Ok(end) = u32::try_from(out.text.len()) else {
            break;
        };
        out.ends.push(end);
    }
    out.has_breaks = memchr::memchr3(b'\t', b'\n', b'\r', out.text.as_bytes()).is_some();
    out
}

/// A cell's text: an index into the shared strings (most cells; no copy of the string), its own, or
/// a number or truth value written out only when the row is (a string per number cell was a large
/// part of a workbook's time).
/// Kept small (16 bytes; a cell 24): a sheet holds up to 16 million of them.
enum Value {
    Shared(u32),
    /// An index into [`Sheet::own`].
    Own(u32),
    Number(f64),
    /// TRUE or FALSE.
    Bool(bool),
}

/// Cells of one sheet as (row, column, value), and its header/footer texts.
#[derive(Default)]
struct Sheet {
    name: String,
    cells: Vec<(u16, u16, Value)>,
    /// Texts of cells that are not shared strings (LABEL, RSTRING, a formula's string result).
    own: Vec<String>,
    header: Vec<String>,
    footer: Vec<String>,
    /// Comments and text boxes (TXO).
    texts: Vec<String>,
    /// The titles of its charts.
    chart_texts: Vec<String>,
}

impl Sheet {
    fn push_own(&mut self, row: u16, col: u16, text: String) {
        // More than 4 billion own strings cannot fit a sheet of 16 million cells; saturate anyway.
        let i = u32::try_from(self.own.len()).unwrap_or(u32::MAX);
        self.own.push(text);
        self.cells.push((row, col, Value::Own(i)));
    }
}

fn sheets<R: std::io::Read>(
    recs: &mut Records<R>,
    book: &Book,
    part: &str,
    out: &mut Out<'_>,
) -> Result<(), Unreadable> {
    let mut padding_left = MAX_ROW_PADDING;
    let mut depth = 0usize;
    let mut seen_globals = false;
    let mut current: Option<Sheet> = None;
    let mut unnamed = 0usize;
    // A FORMULA whose string result follows in the next STRING record.
    let mut pending: Option<(u16, u16)> = None;
    let mut txo_pending = false;
    let mut i = 0usize;
    while let Some(r) = recs.next() {
        i += 1;
        if i.is_multiple_of(4096) {
            out.budget.check_time()?;
        }
        match r.kind {
            BOF => {
                depth += 1;
                if !seen_globals {
                    seen_globals = true;
                    continue;
                }
                // Worksheets (0x10), BIFF5 macro sheets (0x40) and chart sheets (0x20, whose words
                // are their titles); VB modules have no text. A chart inside a sheet is a substream
                // nested in the sheet's: its titles are the sheet's text.
                let dt = u16_at(r.body, 2).unwrap_or(0);
                if depth == 1 && matches!(dt, 0x0010 | 0x0040 | 0x0020) {
                    unnamed += 1;
                    let name = book
                        .sheets
                        .iter()
                        .find(|s| s.offset == r.at)
                        .map(|s| s.name.clone())
                        .unwrap_or_else(|| format!("Sheet{unnamed}"));
                    current = Some(Sheet {
                        name,
                        ..Sheet::default()
                    });
                }
            }
            EOF => {
                depth = depth.saturating_sub(1);
                if depth == 0
                    && let Some(sheet) = current.take()
                {
                    emit_sheet(sheet, book, part, &mut padding_left, out)?;
                }
            }
            _ => {}
        }
        let Some(sheet) = current.as_mut() else {
            continue;
        };
        if r.kind == SERIESTEXT {
            let text = short_string(r.body.get(2..).unwrap_or_default(), book);
            if !text.trim().is_empty() {
                sheet.chart_texts.push(text);
            }
            continue;
        }
        if depth != 1 {
            continue;
        }
        let b = r.body;
        let pos = || Some((u16_at(b, 0)?, u16_at(b, 2)?));
        let was_txo = std::mem::replace(&mut txo_pending, false);
        match r.kind {
            LABELSST => {
                if let (Some((row, col)), Some(i)) = (pos(), u32_at(b, 6))
                    && (i as usize) < book.sst.len()
                {
                    sheet.cells.push((row, col, Value::Shared(i)));
                }
            }
            LABEL | RSTRING => {
                if let Some((row, col)) = pos() {
                    let text = unicode(b.get(6..).unwrap_or_default(), book);
                    sheet.push_own(row, col, text);
                }
            }
            NUMBER => {
                if let (Some((row, col)), Some(v)) = (pos(), b.get(6..14)) {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(v);
                    sheet
                        .cells
                        .push((row, col, Value::Number(f64::from_le_bytes(a))));
                }
            }
            RK => {
                if let (Some((row, col)), Some(rk)) = (pos(), u32_at(b, 6)) {
                    sheet.cells.push((row, col, Value::Number(rk_value(rk))));
                }
            }
            MULRK => {
                if let Some((row, first)) = pos() {
                    let n = b.len().saturating_sub(6) / 6;
                    for k in 0..n {
                        let col = first.saturating_add(u16::try_from(k).unwrap_or(u16::MAX));
                        if let Some(rk) = u32_at(b, 4 + k * 6 + 2) {
                            sheet.cells.push((row, col, Value::Number(rk_value(rk))));
                        }
                    }
                }
            }
            FORMULA => {
                if let (Some((row, col)), Some(v)) = (pos(), b.get(6..14)) {
                    if v[6] == 0xFF && v[7] == 0xFF {
                        match v[0] {
                            0 => pending = Some((row, col)),
                            1 => sheet.cells.push((row, col, Value::Bool(v[2] != 0))),
                            _ => {}
                        }
                    } else {
                        let mut a = [0u8; 8];
                        a.copy_from_slice(v);
                        sheet
                            .cells
                            .push((row, col, Value::Number(f64::from_le_bytes(a))));
                    }
                }
            }
            STRING => {
                if let Some((row, col)) = pending.take() {
                    sheet.push_own(row, col, unicode(b, book));
                }
            }
            BOOLERR => {
                if let (Some((row, col)), Some(&v), Some(&0)) = (pos(), b.get(6), b.get(7)) {
                    sheet.cells.push((row, col, Value::Bool(v != 0)));
                }
            }
            HEADER | FOOTER if !b.is_empty() => {
                let t = strip_header_codes(&unicode(b, book));
                if r.kind == HEADER {
                    sheet.header.push(t);
                } else {
                    sheet.footer.push(t);
                }
            }
            // Comment and text-box text: a TXO record, then CONTINUE records with the characters.
            TXO => txo_pending = true,
            CONTINUE if was_txo && book.biff8 => {
                let high = b.first().is_some_and(|f| f & 1 != 0);
                let n = if high { b.len() / 2 } else { b.len() };
                sheet
                    .texts
                    .push(chars(b.get(1..).unwrap_or_default(), n, high));
            }
            _ => {}
        }
        if r.kind != FORMULA && r.kind != STRING && !matches!(r.kind, 0x0221 | 0x04BC | 0x0236) {
            // SHRFMLA, ARRAY and TABLE may stand between a FORMULA and its STRING.
            pending = None;
        }
    }
    // A sheet the stream ends in (truncated file) still counts.
    if let Some(sheet) = current.take() {
        emit_sheet(sheet, book, part, &mut padding_left, out)?;
    }
    Ok(())
}

fn emit_sheet(
    mut sheet: Sheet,
    book: &Book,
    part: &str,
    padding_left: &mut usize,
    out: &mut Out<'_>,
) -> Result<(), Unreadable> {
    // Excel writes cells row block by row block; sorting makes any writer's order right.
    if !sheet.cells.is_sorted_by_key(|c| (c.0, c.1)) {
        sheet.cells.sort_by_key(|c| (c.0, c.1));
    }
    let mut text = String::new();
    let mut line = String::new();
    let mut lines = 0usize;
    let mut row: Option<u16> = None;
    let mut next_col = 0usize;
    let mut padded = 0usize;
    let mut cells = 0usize;
    let mut flush = |text: &mut String, line: &mut String, lines: &mut usize, r: u16| {
        let target = usize::from(r) + 1;
        while *lines + 1 < target && *padding_left > 0 {
            text.push('\n');
            *lines += 1;
            *padding_left -= 1;
        }
        text.push_str(line.trim_end_matches('\t'));
        text.push('\n');
        *lines += 1;
        line.clear();
    };
    for (r, c, value) in &sheet.cells {
        let text_value = match value {
            Value::Shared(i) => book.sst.get(*i as usize).unwrap_or_default(),
            Value::Own(i) => sheet.own.get(*i as usize).map_or("", String::as_str),
            Value::Bool(true) => "TRUE",
            Value::Bool(false) => "FALSE",
            Value::Number(_) => "",
        };
        if text_value.is_empty() && !matches!(value, Value::Number(_)) {
            continue;
        }
        if row != Some(*r) {
            if let Some(prev) = row {
                flush(&mut text, &mut line, &mut lines, prev);
            }
            row = Some(*r);
            next_col = 0;
            padded = 0;
            cells = 0;
        }
        let col = usize::from(*c);
        if cells > 0 {
            line.push('\t');
        }
        let gap = col
            .saturating_sub(next_col)
            .min(MAX_COLUMN_PADDING.saturating_sub(padded));
        for _ in 0..gap {
            line.push('\t');
        }
        padded += gap;
        let may_break = !matches!(value, Value::Shared(_)) || book.sst.has_breaks;
        if let Value::Number(v) = value {
            write_number(&mut line, *v);
        } else if may_break && memchr::memchr3(b'\t', b'\n', b'\r', text_value.as_bytes()).is_some()
        {
            line.push_str(&text_value.replace(['\t', '\n', '\r'], " "));
        } else {
            line.push_str(text_value);
        }
        next_col = col + 1;
        cells += 1;
    }
    if let Some(prev) = row {
        flush(&mut text, &mut line, &mut lines, prev);
    }
    text.truncate(text.trim_end_matches('\n').len());
    let name = sheet.name.as_str();
    out.emit(SegmentKind::Sheet, None, Some(name), part, &text)?;
    sheet.header.dedup();
    sheet.footer.dedup();
    out.emit(
        SegmentKind::Header,
        None,
        Some(name),
        part,
        &sheet.header.join("\n"),
    )?;
    out.emit(
        SegmentKind::Footer,
        None,
        Some(name),
        part,
        &sheet.footer.join("\n"),
    )?;
    out.emit(
        SegmentKind::Comment,
        None,
        Some(name),
        part,
        &sheet.texts.join("\n"),
    )?;
    out.emit(
        SegmentKind::TextBox,
        None,
        Some(name),
        part,
        &sheet.chart_texts.join("\n"),
    )
}

/// An RK number: a 30-bit integer or the high 30 bits of a double, optionally ×100.
pub(crate) fn rk_value(rk: u32) -> f64 {
    let v = if rk & 0x02 != 0 {
        // Arithmetic shift keeps the sign of the 30-bit integer.
        f64::from((rk as i32) >> 2)
    } else {
        f64::from_bits(u64::from(rk & 0xFFFF_FFFC) << 32)
    };
    if rk & 0x01 != 0 { v / 100.0 } else { v }
}

/// A number as Excel's General format would roughly show it: integers without a fraction, others as
/// the shortest decimal that reads back as the same number (Rust's `Display`).
pub(crate) fn write_number(into: &mut String, v: f64) {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        write_fixed(into, v as i64, 0);
    } else if let Some((scaled, places)) = few_decimals(v) {
        write_fixed(into, scaled, places);
    } else {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = write!(into, "{v}");
    }
}

/// Powers of ten that are exact doubles, for [`few_decimals`].
const TENS: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];

/// `v` as `scaled / 10^places` with the fewest places (1 to 6) that gives exactly `v` back, if
/// `scaled` has at most 15 digits. Amounts and rates (956.32, 0.05) are most of a workbook's
/// numbers, and the general shortest-decimal search was a sixth of its time.
///
/// Why this is the shortest decimal: dividing by an exact power of ten rounds correctly, so `v` is
/// the double nearest to the decimal `scaled / 10^places`; decimals of at most 15 significant digits
/// all have different nearest doubles, so no decimal with fewer places gives `v` (it would have been
/// found at a smaller `places`).
fn few_decimals(v: f64) -> Option<(i64, usize)> {
    for (places, &ten) in TENS.iter().enumerate().skip(1) {
        let scaled = (v * ten).round();
        if scaled.abs() >= 1e15 {
            return None;
        }
        if scaled / ten == v {
            return Some((scaled as i64, places));
        }
    }
    None
}

/// `scaled / 10^places` written out with exactly `places` decimals (none: an integer). By hand, not
/// through `fmt`, whose general machinery cost more than the digits.
fn write_fixed(into: &mut String, scaled: i64, places: usize) {
    let mut digits = [0u8; 24];
    let mut at = digits.len();
    let mut rest = scaled.unsigned_abs();
    let mut written = 0usize;
    while rest > 0 || written <= places {
        if written == places && places > 0 {
            at -= 1;
            digits[at] = b'.';
        }
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        written += 1;
    }
    if scaled < 0 {
        at -= 1;
        digits[at] = b'-';
    }
    // Only ASCII digits, '.' and '-' were written: pushed as they are, with no UTF-8 check.
    into.extend(digits[at..].iter().map(|&b| char::from(b)));
}

#[cfg(test)]
fn number(v: f64) -> String {
    let mut s = String::new();
    write_number(&mut s, v);
    s
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::Format;

    #[test]
    fn book_xls_sheets_and_headers() {
        let (r, c) = run(&fixture("book.xls"));
        assert_eq!(r.expect("reads"), Format::Xls);
        assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
        let sheets = c.of(SegmentKind::Sheet);
        assert_eq!(sheets.len(), 2, "{sheets:#?}");
        assert_eq!(sheets[0].sheet.as_deref(), Some("名单"));
        assert_eq!(sheets[0].part.as_deref(), Some("Workbook"));
        assert_eq!(
            sheets[0].text,
            "机密★1年\n姓名\t单位\t数量\n张三\t办公室\t42\n李四\t办公室\t3.5\n\t合计\t45.5\n公式文字"
        );
        assert_eq!(sheets[1].sheet.as_deref(), Some("Stats"));
        assert_eq!(sheets[1].text, "Year\t2025\n统计表第二页\t-7\t123456789");
        let headers = c.of(SegmentKind::Header);
        assert_eq!(headers.len(), 2);
        assert_eq!(headers[0].text.lines().next(), Some("秘密★6个月"));
        assert_eq!(headers[0].sheet.as_deref(), Some("名单"));
        assert!(c.text_of(SegmentKind::Footer).contains("内部资料"));
    }

    #[test]
    fn sst_continue_switches_width() {
        // Two strings; the second is split by a CONTINUE whose flags byte switches to UTF-16.
        let first: &[u8] = &[2, 0, 0, b'a', b'b', 3, 0, 0, b'x'];
        let mut second = vec![0x01];
        second.extend("机密".encode_utf16().flat_map(u16::to_le_bytes));
        let sst = shared_strings(vec![first, &second], 2);
        assert_eq!(
            (sst.get(0), sst.get(1), sst.get(2)),
            (Some("ab"), Some("x机密"), None)
        );
        // Rich text runs and phonetic data are skipped across the boundary.
        let rich: &[u8] = &[1, 0, 0x0C, 1, 0, 2, 0, 0, 0, b'z', 1, 2];
        let rest: &[u8] = &[3, 4, 9, 9, 1, 0, 0, b'q'];
        assert_eq!(shared_strings(vec![rich, rest], 99).to_vec(), ["z", "q"]);
        // A count far beyond the data reads what is there.
        assert!(
            shared_strings(vec![&[5, 0, 0, b'a']], usize::MAX)
                .to_vec()
                .is_empty()
        );
    }

    #[test]
    fn numbers_and_codes() {
        assert_eq!(number(rk_value((42 << 2) | 2)), "42");
        assert_eq!(number(rk_value(((-7i32 << 2) as u32) | 2)), "-7");
        assert_eq!(number(rk_value((350 << 2) | 3)), "3.5");
        assert_eq!(number(rk_value((1.5f64.to_bits() >> 32) as u32)), "1.5");
    }

    /// A reader that hands out a few bytes per call, so that every record straddles reads.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.step = self.step % 7 + 1;
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn records_read_in_pieces_are_the_records_of_the_whole() {
        let stream = stream_of(&fixture("book.xls"), "Workbook");
        // The same stream cut short inside a record: the last one is cut to what is there.
        for data in [&stream[..], &stream[..stream.len() - 3]] {
            let mut want = Vec::new();
            let mut at = 0;
            while at + 4 <= data.len() {
                let kind = u16::from_le_bytes([data[at], data[at + 1]]);
                let len = usize::from(u16::from_le_bytes([data[at + 2], data[at + 3]]));
                let end = (at + 4 + len).min(data.len());
                want.push((kind, at, data[at + 4..end].to_vec()));
                at += 4 + len;
            }
            let mut got = Vec::new();
            let mut recs = Records::new(Trickle { data, step: 0 }, 10);
            while let Some(r) = recs.next() {
                got.push((r.kind, r.at, r.body.to_vec()));
            }
            assert!(want.len() > 20);
            assert_eq!(got, want);
        }
    }

    /// A workbook read again from the stream (larger than the window) gives what one read once does.
    #[test]
    fn rereading_the_stream_equals_restarting_the_window() {
        let stream = stream_of(&fixture("book.xls"), "Workbook");
        let read_with = |window: usize| {
            let mut c = crate::xml::testing::Collect::default();
            let mut budget = crate::Budget::new(crate::Limits::default());
            let mut inner = Vec::new();
            let mut out = Out {
                inner: &mut inner,
                budget: &mut budget,
                visitor: &mut c,
            };
            let mut book = Book {
                biff8: true,
                enc: encoding_rs::WINDOWS_1252,
                sheets: Vec::new(),
                sst: Sst::default(),
            };
            let mut s = std::io::Cursor::new(&stream[..]);
            workbook(&mut s, window, "Workbook", &mut book, &mut out).expect("reads");
            format!("{:?}", c.segs)
        };
        let once = read_with(stream.len());
        assert!(once.contains("机密"), "{once}");
        assert_eq!(read_with(15), once);
    }

    #[test]
    fn cells_stay_small() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
        assert_eq!(std::mem::size_of::<(u16, u16, Value)>(), 24);
    }

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let mut rng = crate::xml::testing::XorShift(0x9E37_79B9_7F4A_7C15_u64);
        let mut next = || rng.next_u64();
        let check = |v: f64| {
            let want = if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
                format!("{}", v as i64)
            } else {
                format!("{v}")
            };
            assert_eq!(number(v), want, "{v:e}");
        };
        for v in [
            0.05,
            -0.05,
            956.32,
            0.1,
            0.3,
            1e-7,
            123456789.125,
            1e15 + 0.5,
            1e16,
            0.1 + 0.2,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            5e-324,
            99999999999999.9,
            0.000001,
            0.0000015,
        ] {
            check(v);
        }
        for _ in 0..200_000 {
            let r = next();
            // Decimals as typed (cents, rates), their neighbours one bit off, and arbitrary doubles.
            let typed = (r % 100_000_000) as f64 / TENS[(r >> 40) as usize % TENS.len()];
            let signed = if r & 1 == 0 { typed } else { -typed };
            check(signed);
            check(f64::from_bits(signed.to_bits().wrapping_add(1)));
            check(f64::from_bits(next()));
        }
        assert_eq!(
            strip_header_codes("&L&\"宋体,Bold\"&12机密★1年&C第&P页&R&KFF0000A&&B"),
            "机密★1年\n第页\nA&B"
        );
    }

    #[test]
    fn filepass_is_encrypted_and_damage_is_safe() {
        let data = fixture("book.xls");
        // Put a FILEPASS in place of the first record after BOF in the globals (the record after the
        // 20-byte BOF at the start of the Workbook stream).
        let bof = (0..data.len())
            .step_by(64)
            .find(|&o| data.get(o..o + 4) == Some(&[0x09, 0x08, 0x10, 0x00]))
            .expect("BOF");
        let mut enc = data.clone();
        enc[bof + 20] = 0x2F;
        enc[bof + 21] = 0x00;
        let (r, _) = run(&enc);
        assert_eq!(r.expect_err("encrypted").reason, UnscannedReason::Encrypted);
        for i in (bof..data.len()).step_by(7) {
            let mut d = data.clone();
            d[i] ^= 0xFF;
            let _ = run(&d);
        }
        for cut in (512..data.len()).step_by(211) {
            let _ = run(&data[..cut]);
        }
    }
}
