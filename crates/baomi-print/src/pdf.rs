//! A minimal PDF writer for Chinese text that embeds no font.
//!
//! Why no font: the PDF names **STSong-Light**, one of the Adobe Asian fonts that PDF readers have
//! known since PDF 1.2, as a Type0 font with the predefined CMap **UniGB-UCS2-H** (CIDs of Adobe-GB1,
//! the character collection every Simplified Chinese font covers). Readers do not need the font file:
//! Adobe Reader uses its Asian font pack, other readers substitute a Chinese font they have (poppler
//! asks fontconfig, MuPDF has one built in). This is how iText and ReportLab print Chinese without
//! embedding, so the font dictionaries copy iText's `STSong-Light.properties` (flags, bounding box,
//! ascent, descent, cap height, stem width).
//!
//! Why these widths: UniGB-UCS2-H maps U+0020..U+007E onto CIDs 1..95, Adobe-GB1's proportional
//! Latin, and everything else it knows onto full-width CIDs. We declare `/DW 1000` and, for CIDs
//! 1..95, the proportional widths of Adobe Song (the font Adobe Reader draws STSong-Light with), the
//! same numbers iText and ReportLab declare. [`Pdf::text_width_mm`] measures with exactly these
//! numbers, so layout agrees with every reader: a reader positions each glyph by the declared widths
//! whatever font it substitutes. (A uniform `/W [1 95 500]` would be simpler, but a proportional
//! substitute such as Adobe Song or Noto Sans CJK then draws a wide `M` or `W` over its neighbour;
//! with proportional widths only a half-width substitute such as SimSun is slightly off, and it
//! leaves gaps rather than overlaps for wide letters.)
//! Text strings are UCS-2 big-endian; characters outside the Basic Multilingual Plane cannot be
//! encoded and print as `?`.
//!
//! A `/ToUnicode` CMap (the identity on UCS-2) is added so that copying and searching work in tools
//! that lack Adobe's CMap files as well.
//!
//! Coordinates at the API are millimetres from the top-left corner of the page, y growing down, as
//! a ruler on paper reads; inside they are points from the bottom-left, as PDF wants.

use std::fmt::Write as _;

/// Points per millimetre (a point is 1/72 inch).
pub const PT_PER_MM: f32 = 72.0 / 25.4;
/// Height of the font above the baseline, as a fraction of the font size (iText's `Ascent 880`).
/// Text whose top should sit at `y` has its baseline at `y + ASCENT × size`.
pub const ASCENT: f32 = 0.88;
/// Depth of the font below the baseline, as a fraction of the font size (iText's `Descent -120`).
pub const DESCENT: f32 = 0.12;
/// Characters drawn by one [`Pdf::text`] call at most: a PDF string is 32 767 bytes at most in
/// readers that keep the old implementation limit, and a line this long is off the page anyway.
pub const MAX_TEXT_CHARS: usize = 16_000;
/// Smallest page side accepted, in millimetres (PDF's minimum of 3 points is about 1.06 mm).
const MIN_PAGE_MM: f32 = 1.1;
/// Largest page side accepted, in millimetres (PDF's limit of 14 400 points, 200 inches).
const MAX_PAGE_MM: f32 = 5080.0;
/// Coordinates are clamped to this many points either way (far beyond any page, far inside what
/// readers accept).
const MAX_COORD_PT: f64 = 100_000.0;
/// Width of the outline [`Pdf::rect`] strokes, in points.
const RECT_STROKE_PT: f32 = 0.5;

/// One PDF document being drawn. Starts with one empty page; [`Pdf::new_page`] adds more, and drawing
/// always goes to the last page.
#[derive(Debug, Clone)]
pub struct Pdf {
    width_pt: f32,
    height_pt: f32,
    pages: Vec<Vec<u8>>,
    fill: [f32; 3],
    stroke: [f32; 3],
    title: Option<String>,
    created: Option<jiff::Timestamp>,
}

impl Pdf {
    /// A document whose pages are `page_width_mm` × `page_height_mm` (each clamped to what PDF
    /// allows, 1.1 to 5080 mm; a value that is not a number becomes the A4 side).
    pub fn new(page_width_mm: f32, page_height_mm: f32) -> Pdf {
        let side = |mm: f32, a4: f32| {
            if mm.is_finite() {
                mm.clamp(MIN_PAGE_MM, MAX_PAGE_MM)
            } else {
                a4
            }
        };
        Pdf {
            width_pt: side(page_width_mm, 210.0) * PT_PER_MM,
            height_pt: side(page_height_mm, 297.0) * PT_PER_MM,
            pages: vec![Vec::new()],
            fill: [0.0; 3],
            stroke: [0.0; 3],
            title: None,
            created: None,
        }
    }

    /// An A4 portrait document (210 × 297 mm).
    pub fn a4() -> Pdf {
        Pdf::new(210.0, 297.0)
    }

    /// Pages so far (at least one).
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Start a new page; drawing goes there from now on. The fill and stroke colours carry over.
    pub fn new_page(&mut self) {
        let mut content = Vec::new();
        if self.fill != [0.0; 3] {
            color_op(&mut content, self.fill, "rg");
        }
        if self.stroke != [0.0; 3] {
            color_op(&mut content, self.stroke, "RG");
        }
        self.pages.push(content);
    }

    /// The document title shown by readers in their title bar (`/Title` of the document information).
    pub fn set_title(&mut self, title: &str) {
        self.title = Some(crate::clip_chars(title, 1000).to_owned());
    }

    /// Record `time` as the creation date instead of the moment [`Pdf::finish`] runs (for output that
    /// is the same byte for byte every time).
    pub fn set_creation_time(&mut self, time: jiff::Timestamp) {
        self.created = Some(time);
    }

    /// Fill colour for text and filled shapes, each component from 0 to 1.
    pub fn set_fill_rgb(&mut self, r: f32, g: f32, b: f32) {
        self.fill = [unit(r), unit(g), unit(b)];
        let fill = self.fill;
        color_op(self.page(), fill, "rg");
    }

    /// Fill colour as a grey level, 0 black to 1 white.
    pub fn set_fill_gray(&mut self, g: f32) {
        self.set_fill_rgb(g, g, g);
    }

    /// Stroke colour for lines and outlines, each component from 0 to 1.
    pub fn set_stroke_rgb(&mut self, r: f32, g: f32, b: f32) {
        self.stroke = [unit(r), unit(g), unit(b)];
        let stroke = self.stroke;
        color_op(self.page(), stroke, "RG");
    }

    /// Draw `text` on one line in the fill colour, starting at `x_mm` with its **baseline** at `y_mm`
    /// from the top of the page (the top of the glyphs is [`ASCENT`] × size above it). Line breaks and
    /// tabs print as spaces, other control characters are left out, characters outside the Basic
    /// Multilingual Plane print as `?`, and only the first [`MAX_TEXT_CHARS`] characters are drawn.
    pub fn text(&mut self, x_mm: f32, y_mm: f32, size_pt: f32, text: &str) {
        let Some(size) = font_size(size_pt) else {
            return;
        };
        let mut hex = String::new();
        for c in glyphs(crate::clip_chars(text, MAX_TEXT_CHARS)) {
            let _ = write!(hex, "{:04X}", u32::from(c));
        }
        if hex.is_empty() {
            return;
        }
        let (x, y) = (self.x(x_mm), self.y(y_mm));
        let out = self.page();
        out.extend_from_slice(b"BT /F1 ");
        num(out, size);
        out.extend_from_slice(b" Tf ");
        num(out, x);
        out.push(b' ');
        num(out, y);
        out.extend_from_slice(b" Td <");
        out.extend_from_slice(hex.as_bytes());
        out.extend_from_slice(b"> Tj ET\n");
    }

    /// Like [`Pdf::text`], in a heavier stroke: the glyphs are filled and outlined in the fill colour
    /// (text rendering mode 2), which is how a font without a bold face is emboldened. The outline adds
    /// 1.5 % of the size on each side.
    pub fn text_bold(&mut self, x_mm: f32, y_mm: f32, size_pt: f32, text: &str) {
        let Some(size) = font_size(size_pt) else {
            return;
        };
        let fill = self.fill;
        let out = self.page();
        out.extend_from_slice(b"q ");
        color_op(out, fill, "RG");
        num(out, size * 0.03);
        out.extend_from_slice(b" w 2 Tr\n");
        self.text(x_mm, y_mm, size, text);
        self.page().extend_from_slice(b"0 Tr Q\n");
    }

    /// Width of `text` at `size_pt`, in millimetres, exactly as [`Pdf::text`] draws it: a full em
    /// for Chinese and everything else outside ASCII, the declared proportional width (0.21 em for a
    /// space to 0.97 em for `W`, digits 0.46 em) for printable ASCII, nothing for what is left out.
    pub fn text_width_mm(size_pt: f32, text: &str) -> f32 {
        let Some(size) = font_size(size_pt) else {
            return 0.0;
        };
        let units: u64 = glyphs(text).map(advance).sum();
        (units as f64 / 1000.0 * f64::from(size) / f64::from(PT_PER_MM)) as f32
    }

    /// Break `text` into lines no wider than `width_mm` at `size_pt`. Hard line breaks (`\n`) are
    /// kept, and an empty line between paragraphs stays an empty line. Chinese text may break between
    /// any two characters, except that closing punctuation (`，。」）…`) never starts a line and opening
    /// punctuation (`「（《`) never ends one; Latin words break at spaces, and a word wider than the
    /// line is broken where it must. Every line holds at least one character, so a width too narrow
    /// for any character still ends.
    pub fn wrap(size_pt: f32, width_mm: f32, text: &str) -> Vec<String> {
        let limit = match font_size(size_pt) {
            Some(size) if width_mm.is_finite() && width_mm > 0.0 => {
                let em_mm = f64::from(size) / f64::from(PT_PER_MM);
                let units = (f64::from(width_mm) / em_mm * 1000.0).floor();
                if units >= u64::MAX as f64 {
                    u64::MAX
                } else {
                    units as u64
                }
            }
            Some(_) => 0,
            None => u64::MAX,
        };
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let before = lines.len();
            fill_lines(&units(paragraph), limit, &mut lines);
            if lines.len() == before {
                lines.push(String::new());
            }
        }
        lines
    }

    /// A rectangle with its top-left corner at (`x_mm`, `y_mm`), filled in the fill colour and/or
    /// outlined (0.5 pt) in the stroke colour.
    pub fn rect(&mut self, x_mm: f32, y_mm: f32, w_mm: f32, h_mm: f32, fill: bool, stroke: bool) {
        let op: &[u8] = match (fill, stroke) {
            (true, true) => b"B\n",
            (true, false) => b"f\n",
            (false, true) => b"S\n",
            (false, false) => return,
        };
        let r = self.rect_pt(x_mm, y_mm, w_mm, h_mm);
        let out = self.page();
        if stroke {
            num(out, RECT_STROKE_PT);
            out.extend_from_slice(b" w ");
        }
        re(out, r);
        out.extend_from_slice(op);
    }

    /// Fill many rectangles (`[x, y, width, height]`, millimetres from the top-left) as one path.
    /// Adjacent rectangles then render as one shape, with no hairline seams between them (QR codes).
    pub fn fill_rects(&mut self, rects: &[[f32; 4]]) {
        if rects.is_empty() {
            return;
        }
        let pts: Vec<_> = rects
            .iter()
            .map(|r| self.rect_pt(r[0], r[1], r[2], r[3]))
            .collect();
        let out = self.page();
        for r in pts {
            re(out, r);
        }
        out.extend_from_slice(b"f\n");
    }

    /// A straight line from (`x1_mm`, `y1_mm`) to (`x2_mm`, `y2_mm`) in the stroke colour,
    /// `width_pt` wide.
    pub fn line(&mut self, x1_mm: f32, y1_mm: f32, x2_mm: f32, y2_mm: f32, width_pt: f32) {
        let (x1, y1, x2, y2) = (self.x(x1_mm), self.y(y1_mm), self.x(x2_mm), self.y(y2_mm));
        let width = if width_pt.is_finite() {
            width_pt.clamp(0.0, 1000.0)
        } else {
            1.0
        };
        let out = self.page();
        num(out, width);
        out.extend_from_slice(b" w ");
        for (v, sep) in [(x1, b' '), (y1, b' ')] {
            num(out, v);
            out.push(sep);
        }
        out.extend_from_slice(b"m ");
        for (v, sep) in [(x2, b' '), (y2, b' ')] {
            num(out, v);
            out.push(sep);
        }
        out.extend_from_slice(b"l S\n");
    }

    /// The finished file: header, objects, a cross-reference table whose offsets point at each
    /// object, and a trailer naming the catalogue and the document information (`/Producer (Baomi)`,
    /// `/CreationDate`, and `/Title` when set).
    pub fn finish(self) -> Vec<u8> {
        let mut w = Writer::new();
        let page_ids: Vec<usize> = (0..self.pages.len()).map(|i| FIRST_PAGE + 2 * i).collect();
        let kids: String = page_ids.iter().map(|id| format!("{id} 0 R ")).collect();
        w.object(
            CATALOG,
            format!("<< /Type /Catalog /Pages {PAGES} 0 R /Lang (zh-CN) >>").as_bytes(),
        );
        w.object(
            PAGES,
            format!(
                "<< /Type /Pages /Kids [{}] /Count {} >>",
                kids.trim_end(),
                page_ids.len()
            )
            .as_bytes(),
        );
        w.object(
            FONT,
            format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H \
                 /DescendantFonts [{CID_FONT} 0 R] /ToUnicode {TO_UNICODE} 0 R >>"
            )
            .as_bytes(),
        );
        w.object(
            CID_FONT,
            format!(
                "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
                 /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> \
                 /FontDescriptor {DESCRIPTOR} 0 R /DW 1000 /W {} >>",
                w_array()
            )
            .as_bytes(),
        );
        w.object(
            DESCRIPTOR,
            b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 \
              /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 \
              /CapHeight 880 /StemV 93 >>",
        );
        w.stream(TO_UNICODE, "", to_unicode_cmap().as_bytes());
        let created = self.created.unwrap_or_else(jiff::Timestamp::now);
        let mut info = format!(
            "<< /Producer (Baomi) /CreationDate (D:{}Z)",
            created.strftime("%Y%m%d%H%M%S")
        );
        if let Some(title) = &self.title {
            info.push_str(" /Title <FEFF");
            for unit in title.encode_utf16() {
                let _ = write!(info, "{unit:04X}");
            }
            info.push('>');
        }
        info.push_str(" >>");
        w.object(INFO, info.as_bytes());
        let (width, height) = (self.width_pt, self.height_pt);
        for (i, content) in self.pages.iter().enumerate() {
            let (page, contents) = (page_ids[i], page_ids[i] + 1);
            let mut dict = format!("<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 ");
            let mut media = Vec::new();
            num(&mut media, width);
            media.push(b' ');
            num(&mut media, height);
            dict.push_str(&String::from_utf8_lossy(&media));
            let _ = write!(
                dict,
                "] /Resources << /Font << /F1 {FONT} 0 R >> /ProcSet [/PDF /Text] >> \
                 /Contents {contents} 0 R >>"
            );
            w.object(page, dict.as_bytes());
            w.stream(contents, "", content);
        }
        w.finish(CATALOG, INFO)
    }

    fn page(&mut self) -> &mut Vec<u8> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn x(&self, x_mm: f32) -> f32 {
        coord(f64::from(x_mm) * f64::from(PT_PER_MM))
    }

    fn y(&self, y_mm: f32) -> f32 {
        coord(f64::from(self.height_pt) - f64::from(y_mm) * f64::from(PT_PER_MM))
    }

    /// A rectangle in PDF terms: lower-left corner, width and height in points.
    fn rect_pt(&self, x_mm: f32, y_mm: f32, w_mm: f32, h_mm: f32) -> [f32; 4] {
        let w = coord(f64::from(w_mm) * f64::from(PT_PER_MM));
        let h = coord(f64::from(h_mm) * f64::from(PT_PER_MM));
        [
            self.x(x_mm),
            coord(f64::from(self.y(y_mm)) - f64::from(h)),
            w,
            h,
        ]
    }
}

/// Object numbers of the fixed objects; page `i` is object `FIRST_PAGE + 2i`, its content stream the
/// one after.
const CATALOG: usize = 1;
const PAGES: usize = 2;
const FONT: usize = 3;
const CID_FONT: usize = 4;
const DESCRIPTOR: usize = 5;
const TO_UNICODE: usize = 6;
const INFO: usize = 7;
const FIRST_PAGE: usize = 8;

/// Serialises objects in order and remembers where each one starts.
struct Writer {
    out: Vec<u8>,
    offsets: Vec<usize>,
}

impl Writer {
    fn new() -> Writer {
        // The comment line of bytes above 127 tells transfer tools the file is binary.
        let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        out.reserve(4096);
        Writer {
            out,
            offsets: vec![0],
        }
    }

    fn start(&mut self, id: usize) {
        if self.offsets.len() <= id {
            self.offsets.resize(id + 1, 0);
        }
        self.offsets[id] = self.out.len();
        self.out
            .extend_from_slice(format!("{id} 0 obj\n").as_bytes());
    }

    fn object(&mut self, id: usize, body: &[u8]) {
        self.start(id);
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    /// A stream, Flate-compressed when that makes it smaller. `extra` goes into the dictionary.
    fn stream(&mut self, id: usize, extra: &str, data: &[u8]) {
        let compressed = deflate(data).filter(|z| z.len() + 20 < data.len());
        let (body, filter) = match &compressed {
            Some(z) => (z.as_slice(), " /Filter /FlateDecode"),
            None => (data, ""),
        };
        self.start(id);
        self.out.extend_from_slice(
            format!("<< /Length {}{filter}{extra} >>\nstream\n", body.len()).as_bytes(),
        );
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    fn finish(mut self, root: usize, info: usize) -> Vec<u8> {
        let xref = self.out.len();
        let size = self.offsets.len();
        self.out
            .extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
        for &offset in &self.offsets[1..] {
            // Every number up to `size` is written above, so no entry is left at offset 0.
            self.out
                .extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        self.out.extend_from_slice(
            format!(
                "trailer\n<< /Size {size} /Root {root} 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            )
            .as_bytes(),
        );
        self.out
    }
}

fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data).ok()?;
    z.finish().ok()
}

/// The identity map from UCS-2 codes to Unicode, as ranges of 256 (a `bfrange` may only vary its
/// last byte), at most 100 to a block. Surrogate codes are never written and are left out.
fn to_unicode_cmap() -> String {
    let rows: Vec<u32> = (0..=0xFFu32)
        .filter(|r| !(0xD8..=0xDF).contains(r))
        .collect();
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for block in rows.chunks(100) {
        let _ = writeln!(s, "{} beginbfrange", block.len());
        for r in block {
            let _ = writeln!(s, "<{r:02X}00> <{r:02X}FF> <{r:02X}00>");
        }
        s.push_str("endbfrange\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

/// What the font draws for `c`: itself, a space for line breaks and tabs, `?` for what UCS-2 cannot
/// encode, or nothing for control and zero-width characters.
fn glyph(c: char) -> Option<char> {
    match c {
        '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => Some(' '),
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
        c if c.is_control() => None,
        c if u32::from(c) > 0xFFFF => Some('?'),
        c => Some(c),
    }
}

fn glyphs(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter_map(glyph)
}

/// Widths of CIDs 1..95 (U+0020 space .. U+007E `~`) in thousandths of an em: Adobe Song's
/// proportional Latin, as iText's `STSong-Light.properties` and ReportLab's `_cidfontdata.py` give it.
#[rustfmt::skip]
const LATIN_WIDTHS: [u16; 95] = [
    // space ! " # $ % & ' ( ) * + , - . /
    207, 270, 342, 467, 462, 797, 710, 239, 374, 374, 423, 605, 238, 375, 238, 334,
    // 0-9
    462, 462, 462, 462, 462, 462, 462, 462, 462, 462,
    // : ; < = > ? @
    238, 238, 605, 605, 605, 344, 748,
    // A-Z
    684, 560, 695, 739, 563, 511, 729, 793, 318, 312, 666, 526, 896, 758, 772, 544, 772, 628,
    465, 607, 753, 711, 972, 647, 620, 607,
    // [ \ ] ^ _ `
    374, 333, 374, 606, 500, 239,
    // a-z
    417, 503, 427, 529, 415, 264, 444, 518, 241, 230, 495, 228, 793, 527, 524, 524, 504, 338,
    336, 277, 517, 450, 652, 466, 452, 407,
    // { | } ~
    370, 258, 370, 605,
];

/// The `/W` array of the CID font, written from [`LATIN_WIDTHS`] so it cannot disagree with what we
/// measure.
fn w_array() -> String {
    let widths: Vec<String> = LATIN_WIDTHS.iter().map(u16::to_string).collect();
    format!("[1 [{}]]", widths.join(" "))
}

/// Advance of a drawn character in thousandths of an em: its declared width for U+0020..U+007E,
/// the default width of 1000 for everything else.
fn advance(c: char) -> u64 {
    match u32::from(c) {
        cp @ 0x20..=0x7E => u64::from(LATIN_WIDTHS[(cp - 0x20) as usize]),
        _ => 1000,
    }
}

/// A font size that draws something: finite and positive, at most 1000 pt.
fn font_size(size_pt: f32) -> Option<f32> {
    (size_pt.is_finite() && size_pt > 0.0).then(|| size_pt.min(1000.0))
}

fn unit(v: f32) -> f32 {
    if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

fn coord(v: f64) -> f32 {
    if v.is_finite() {
        v.clamp(-MAX_COORD_PT, MAX_COORD_PT) as f32
    } else {
        0.0
    }
}

/// `v` as a PDF number: at most three decimals, no exponent, no trailing zeros.
fn num(out: &mut Vec<u8>, v: f32) {
    let v = f64::from(v);
    let v = if v.is_finite() { v } else { 0.0 };
    let mut s = format!("{:.3}", v);
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_owned();
    }
    out.extend_from_slice(s.as_bytes());
}

fn color_op(out: &mut Vec<u8>, c: [f32; 3], op: &str) {
    for v in c {
        num(out, v);
        out.push(b' ');
    }
    out.extend_from_slice(op.as_bytes());
    out.push(b'\n');
}

fn re(out: &mut Vec<u8>, r: [f32; 4]) {
    for v in r {
        num(out, v);
        out.push(b' ');
    }
    out.extend_from_slice(b"re ");
}

/// Closing punctuation that may not start a line: it stays with the character before it.
fn no_line_start(c: char) -> bool {
    "，。、；：？！）」』》〉】〕〗〙〛”’…‥—～·．％,.;:?!)]}%".contains(c)
}

/// Opening punctuation that may not end a line: it goes with the character after it.
fn no_line_end(c: char) -> bool {
    "（「『《〈【〔〖〘〚“‘".contains(c)
}

/// Letters and signs that hold a Latin word together (as opposed to characters that may be broken
/// before and after, as Chinese ones may).
fn word_char(c: char) -> bool {
    c.is_ascii_graphic() || (c.is_alphanumeric() && u32::from(c) < 0x2000)
}

/// An unbreakable piece of a line.
struct Unit {
    text: String,
    width: u64,
    space_before: bool,
}

/// A paragraph cut into units: Latin words, single Chinese characters with the punctuation that
/// must stay with them.
fn units(paragraph: &str) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    let mut word: Option<Unit> = None;
    let mut prefix: Option<Unit> = None;
    let mut space = false;
    let push = |units: &mut Vec<Unit>, u: Option<Unit>| {
        if let Some(u) = u {
            units.push(u);
        }
    };
    for c in glyphs(paragraph) {
        let w = advance(c);
        if c == ' ' {
            push(&mut units, word.take());
            push(&mut units, prefix.take());
            space = true;
            continue;
        }
        if let Some(u) = word.as_mut()
            && word_char(c)
        {
            u.text.push(c);
            u.width += w;
            continue;
        }
        push(&mut units, word.take());
        if no_line_start(c)
            && !space
            && prefix.is_none()
            && let Some(last) = units.last_mut()
        {
            last.text.push(c);
            last.width += w;
            continue;
        }
        // Start a new unit, carrying any opening punctuation waiting for it.
        let mut u = prefix.take().unwrap_or(Unit {
            text: String::new(),
            width: 0,
            space_before: space,
        });
        space = false;
        u.text.push(c);
        u.width += w;
        if word_char(c) {
            word = Some(u);
        } else if no_line_end(c) {
            prefix = Some(u);
        } else {
            units.push(u);
        }
    }
    push(&mut units, word.take());
    push(&mut units, prefix.take());
    units
}

/// Greedy line filling: each unit goes on the current line if it fits, else starts the next; a unit
/// wider than a whole line is cut between characters.
fn fill_lines(units: &[Unit], limit: u64, lines: &mut Vec<String>) {
    let space = advance(' ');
    let mut line = String::new();
    let mut width = 0u64;
    for u in units {
        let sep = if u.space_before && !line.is_empty() {
            space
        } else {
            0
        };
        if !line.is_empty() && width.saturating_add(sep).saturating_add(u.width) <= limit {
            if sep > 0 {
                line.push(' ');
            }
            line.push_str(&u.text);
            width += sep + u.width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            width = 0;
        }
        if u.width <= limit {
            line.push_str(&u.text);
            width = u.width;
            continue;
        }
        for c in u.text.chars() {
            let w = advance(c);
            if !line.is_empty() && width.saturating_add(w) > limit {
                lines.push(std::mem::take(&mut line));
                width = 0;
            }
            line.push(c);
            width += w;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
}

#[cfg(test)]
pub(crate) mod tests;
