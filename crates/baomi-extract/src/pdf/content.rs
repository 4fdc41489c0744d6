//! The text part of the content-stream interpreter (ISO 32000-1 §8.4, §9.3–9.4): graphics state
//! (`q`, `Q`, `cm`), text objects and positioning (`BT`, `ET`, `Td`, `TD`, `Tm`, `T*`, `TL`, `Tc`, `Tw`,
//! `Tz`, `Ts`, `Tf`), showing (`Tj`, `TJ`, `'`, `"`), Form XObjects (`Do`, depth-limited, cycles cut)
//! and marked content carrying `/ActualText` (§14.9.4: `/Span <</ActualText (fi)>> BDC … EMC`, which
//! Chromium writes for every ligature, and writers in general where a glyph is not one character:
//! the replacement stands for what the span shows). Each shown string becomes a [`Chunk`] at its place on the page; [`layout`] then
//! orders them into lines from the top of the page down.

use super::font::Font;
use super::lex::{Lexer, StrRef, Tok};
use crate::{Budget, Unreadable};
use std::borrow::Cow;
use std::rc::Rc;

/// Operands kept before an operator at most; more is not a valid content stream (the longest operator
/// takes six), so the excess is dropped.
const MAX_OPERANDS: usize = 64;
/// `q` nested deeper than this is counted but not saved.
const MAX_GS_DEPTH: usize = 256;
/// Fonts remembered by name in one run of a content stream (past this, asked of the document).
const FONTS_REMEMBERED: usize = 32;
/// Tokens between two time checks.
const TIME_CHECK_EVERY: u32 = 4096;
/// Text pieces kept for one page at most (a page of ordinary text has a few thousand).
pub(super) const MAX_CHUNKS: usize = 500_000;

pub(super) type Matrix = [f64; 6];
pub(super) const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a × b` (PDF's row-vector convention: a point is transformed by `a` first).
pub(super) fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

/// A piece of text at its place. Coordinates are display coordinates (y grows upwards, page rotation
/// applied) turned by `quarter` so that the text runs along +x: the lines of rotated text, and the
/// columns of vertical writing, are then ordered and joined as ordinary lines are.
#[derive(Debug, Clone)]
pub(super) struct Chunk {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) x_end: f64,
    /// Font size on the page (height of the text).
    pub(super) size: f64,
    /// Which way the text runs on the displayed page, in quarter turns counterclockwise: 0 left to
    /// right, 1 upwards, 2 upside down, 3 downwards (a rotated text box; vertical writing).
    pub(super) quarter: u8,
    pub(super) text: String,
}

/// A point of display space in the frame of text running `quarter` turns counterclockwise: turned
/// back so that the text runs along +x and its lines stack downwards.
fn to_frame(quarter: u8, (x, y): (f64, f64)) -> (f64, f64) {
    match quarter {
        1 => (y, -x),
        2 => (-x, -y),
        3 => (-y, x),
        _ => (x, y),
    }
}

/// Vertical writing drawn one upright glyph at a time (as Chromium draws it; the other way is a
/// vertical font): a glyph shown at `(x, y)` (display space, baseline, height `size`) right under the
/// previous piece joins it in a column read downwards (quarter 3). Two single CJK glyphs one above the
/// other start a column, so that single letters stacked in horizontal text never make one; a glyph of
/// any kind continues it. False when the glyph is not such a step.
fn stack(last: &mut Chunk, text: &str, (x, y, size): (f64, f64, f64)) -> bool {
    let mut chars = text.chars();
    let (Some(glyph), None) = (chars.next(), chars.next()) else {
        return false;
    };
    let size = size.max(1.0);
    if last.quarter == 0 {
        let mut prev = last.text.chars();
        let (Some(above), None) = (prev.next(), prev.next()) else {
            return false;
        };
        let step = last.y - y;
        if !(is_cjk(above)
            && is_cjk(glyph)
            && (x - last.x).abs() < 0.2 * size
            && step > 0.8 * size
            && step < 1.3 * size)
        {
            return false;
        }
        // The glyph above, as the start of a column: from its top down to its baseline, across at
        // its left edge.
        *last = Chunk {
            x: -(last.y + last.size),
            y: last.x,
            x_end: -last.y,
            size: last.size,
            quarter: 3,
            text: std::mem::take(&mut last.text),
        };
    } else if last.quarter != 3
        || (x - last.y).abs() >= 0.6 * size
        || (-(y + size) - last.x_end).abs() >= 0.3 * size
    {
        return false;
    }
    last.text.push(glyph);
    last.x_end = -y;
    true
}

/// The text rendering matrix (ISO 32000-1 §9.4.4): text space to page space, font size, horizontal
/// scaling and rise included.
fn rendering(gs: &GState, tm: &Matrix) -> Matrix {
    mul(
        &mul(&[gs.size * gs.h_scale, 0.0, 0.0, gs.size, 0.0, gs.rise], tm),
        &gs.ctm,
    )
}

/// The quarter turn nearest to a direction (slanted and slightly turned text counts as straight).
fn quarter_of(dx: f64, dy: f64) -> u8 {
    if dx.abs() >= dy.abs() {
        if dx >= 0.0 { 0 } else { 2 }
    } else if dy > 0.0 {
        1
    } else {
        3
    }
}

/// What `Do` found under a name.
pub(super) enum XObject<R> {
    Form {
        content: Rc<Vec<u8>>,
        matrix: Matrix,
        resources: R,
        /// Identity, to cut cycles.
        id: (u32, u16),
    },
    Image,
    None,
}

/// The document side: fonts, XObjects, the budget. `R` names a resource dictionary.
pub(super) trait Host<R: Copy> {
    fn font(&mut self, resources: R, name: &[u8]) -> Result<Rc<Font>, Unreadable>;
    fn xobject(&mut self, resources: R, name: &[u8]) -> Result<XObject<R>, Unreadable>;
    fn budget(&mut self) -> &mut Budget;
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    h_scale: f64,
    leading: f64,
    rise: f64,
}

enum Operand<'a> {
    Num(f64),
    Name(Cow<'a, [u8]>),
    /// In the lexer's string buffer.
    Str(StrRef),
    /// `TJ` arrays: their strings and numbers, `start..end` of the items read since the last
    /// operator (one buffer for all, reused: no allocation per array).
    Arr(usize, usize),
    /// An inline dictionary, with its `/ActualText` string if it has one (the properties of `BDC`).
    Dict(Option<StrRef>),
    Other,
}

/// A marked-content span with `/ActualText`: what it shows is replaced by its text, placed where the
/// span's first glyph starts and ending where its last one ends.
struct ActualSpan {
    text: String,
    /// The marked-content depth the span was opened at: its `EMC` brings the depth back to it.
    depth: usize,
    /// Where the first string shown in the span starts, and where the last one ends.
    start: Option<(f64, f64, f64)>,
    end: (f64, f64, f64),
    quarter: u8,
}

/// What a `TJ` array holds that matters: strings and the adjustments between them.
enum ArrItem {
    Str(StrRef),
    Num(f64),
}

/// Runs content streams of one page and collects its text.
pub(super) struct Interp {
    pub(super) chunks: Vec<Chunk>,
    /// Images drawn (XObject or inline): a page with images and no text is a scan.
    pub(super) images: usize,
    /// Codes whose text is unknown (a font without ToUnicode on Identity, …).
    pub(super) unmapped: usize,
    /// Page rotation in degrees (0, 90, 180, 270).
    rotate: i64,
    max_form_depth: u32,
    /// Form XObjects entered on this page: bounds the work of a form drawn many times.
    forms_entered: usize,
    form_stack: Vec<(u32, u16)>,
    tokens: u32,
    /// Bytes of text kept, already charged to the budget.
    pub(super) text_bytes: u64,
    /// True once a limit cut the page short (chunks or forms): reported by the caller.
    pub(super) truncated: bool,
    /// The text of the string being shown, kept between strings so that decoding one does not
    /// allocate (most strings are glued onto the piece before them).
    shown: String,
    /// Marked-content sections open (`BMC`/`BDC` not yet closed by `EMC`), over nested forms.
    marked_depth: usize,
    /// The outermost open span with `/ActualText` (a replacement inside one is part of it).
    actual: Option<ActualSpan>,
}

/// Form XObjects entered per page at most.
const MAX_FORMS_PER_PAGE: usize = 10_000;

impl Interp {
    pub(super) fn new(rotate: i64, max_form_depth: u32) -> Interp {
        Interp {
            chunks: Vec::new(),
            images: 0,
            unmapped: 0,
            rotate: rotate.rem_euclid(360),
            max_form_depth,
            forms_entered: 0,
            form_stack: Vec::new(),
            tokens: 0,
            text_bytes: 0,
            truncated: false,
            shown: String::new(),
            marked_depth: 0,
            actual: None,
        }
    }

    /// Interpret `content` with `resources`, starting from `ctm`.
    pub(super) fn run<R: Copy>(
        &mut self,
        host: &mut dyn Host<R>,
        content: &[u8],
        resources: R,
        ctm: Matrix,
    ) -> Result<(), Unreadable> {
        let mut gs = GState {
            ctm,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        let mut stack: Vec<GState> = Vec::new();
        let mut unsaved_q = 0usize;
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        let mut ops: Vec<Operand<'_>> = Vec::new();
        let mut items: Vec<ArrItem> = Vec::new();
        let mut lex = Lexer::new(content);
        let mut fonts: Vec<(Vec<u8>, Rc<Font>)> = Vec::new();
        while let Some(tok) = lex.next_tok() {
            self.tokens = self.tokens.wrapping_add(1);
            if self.tokens.is_multiple_of(TIME_CHECK_EVERY) {
                host.budget().check_time()?;
            }
            let op = match tok {
                Tok::Op(op) => op,
                Tok::ArrOpen => {
                    let start = items.len();
                    read_array(&mut lex, &mut items);
                    ops.push(Operand::Arr(start, items.len()));
                    continue;
                }
                Tok::DictOpen => {
                    let actual_text = read_dict(&mut lex);
                    ops.push(Operand::Dict(actual_text));
                    continue;
                }
                other => {
                    if ops.len() >= MAX_OPERANDS {
                        ops.clear();
                        items.clear();
                        lex.forget_strings();
                    }
                    ops.push(match other {
                        Tok::Num(n) => Operand::Num(n),
                        Tok::Name(n) => Operand::Name(n),
                        Tok::Str(s) => Operand::Str(s),
                        _ => Operand::Other,
                    });
                    continue;
                }
            };
            let num = |i: usize| -> Option<f64> {
                let k = ops.len().checked_sub(i)?;
                match ops.get(k) {
                    Some(Operand::Num(n)) => Some(*n),
                    _ => None,
                }
            };
            match op {
                b"q" => {
                    if stack.len() < MAX_GS_DEPTH {
                        stack.push(gs.clone());
                    } else {
                        unsaved_q += 1;
                    }
                }
                b"Q" => {
                    if unsaved_q > 0 {
                        unsaved_q -= 1;
                    } else if let Some(g) = stack.pop() {
                        gs = g;
                    }
                }
                b"cm" => {
                    if let Some(m) = six(&ops) {
                        gs.ctm = mul(&m, &gs.ctm);
                    }
                }
                b"BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                b"Tf" => {
                    if let (Some(Operand::Name(name)), Some(size)) =
                        (ops.len().checked_sub(2).and_then(|k| ops.get(k)), num(1))
                    {
                        // `Tf` comes before nearly every line and names one of a few fonts: asked of
                        // the document once per name and run, not each time.
                        let font = match fonts.iter().find(|(n, _)| n.as_slice() == name.as_ref()) {
                            Some((_, f)) => f.clone(),
                            None => {
                                let f = host.font(resources, name)?;
                                if fonts.len() < FONTS_REMEMBERED {
                                    fonts.push((name.to_vec(), f.clone()));
                                }
                                f
                            }
                        };
                        gs.font = Some(font);
                        gs.size = size;
                    }
                }
                b"Tc" => gs.char_spacing = num(1).unwrap_or(gs.char_spacing),
                b"Tw" => gs.word_spacing = num(1).unwrap_or(gs.word_spacing),
                b"Tz" => gs.h_scale = num(1).map_or(gs.h_scale, |v| v / 100.0),
                b"TL" => gs.leading = num(1).unwrap_or(gs.leading),
                b"Ts" => gs.rise = num(1).unwrap_or(gs.rise),
                b"Td" | b"TD" => {
                    if let (Some(tx), Some(ty)) = (num(2), num(1)) {
                        if op == b"TD" {
                            gs.leading = -ty;
                        }
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], &tlm);
                        tm = tlm;
                    }
                }
                b"Tm" => {
                    if let Some(m) = six(&ops) {
                        tlm = m;
                        tm = m;
                    }
                }
                b"T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                }
                b"Tj" | b"'" | b"\"" => {
                    if op == b"\""
                        && let (Some(aw), Some(ac)) = (num(3), num(2))
                    {
                        gs.word_spacing = aw;
                        gs.char_spacing = ac;
                    }
                    if op != b"Tj" {
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                        tm = tlm;
                    }
                    if let Some(Operand::Str(s)) = ops.last() {
                        self.show(host, &gs, &mut tm, lex.string(*s))?;
                    }
                }
                b"TJ" => {
                    if let Some(&Operand::Arr(start, end)) = ops.last() {
                        for item in items.get(start..end).unwrap_or_default() {
                            match item {
                                ArrItem::Str(s) => self.show(host, &gs, &mut tm, lex.string(*s))?,
                                ArrItem::Num(n) => {
                                    let tx = -n / 1000.0 * gs.size * gs.h_scale;
                                    let vertical = gs.font.as_ref().is_some_and(|f| f.vertical);
                                    let step = if vertical { [0.0, tx] } else { [tx, 0.0] };
                                    tm = mul(&[1.0, 0.0, 0.0, 1.0, step[0], step[1]], &tm);
                                }
                            }
                        }
                    }
                }
                b"Do" => {
                    if let Some(Operand::Name(name)) = ops.last() {
                        match host.xobject(resources, name)? {
                            XObject::Image => self.images += 1,
                            XObject::Form {
                                content,
                                matrix,
                                resources: form_res,
                                id,
                            } => {
                                let depth = self.form_stack.len() as u32;
                                if self.form_stack.contains(&id) {
                                    // A form that draws itself: drawn once.
                                } else if depth >= self.max_form_depth
                                    || self.forms_entered >= MAX_FORMS_PER_PAGE
                                {
                                    self.truncated = true;
                                } else {
                                    self.forms_entered += 1;
                                    self.form_stack.push(id);
                                    let r =
                                        self.run(host, &content, form_res, mul(&matrix, &gs.ctm));
                                    self.form_stack.pop();
                                    r?;
                                }
                            }
                            XObject::None => {}
                        }
                    }
                }
                b"BMC" => self.marked_depth += 1,
                b"BDC" => {
                    if self.actual.is_none()
                        && let Some(Operand::Dict(Some(s))) = ops.last()
                    {
                        self.actual = Some(ActualSpan {
                            text: super::decode_text_string(lex.string(*s))
                                .chars()
                                .filter(|c| !c.is_control())
                                .collect(),
                            depth: self.marked_depth,
                            start: None,
                            end: (0.0, 0.0, 0.0),
                            quarter: 0,
                        });
                    }
                    self.marked_depth += 1;
                }
                b"EMC" => {
                    self.marked_depth = self.marked_depth.saturating_sub(1);
                    if self
                        .actual
                        .as_ref()
                        .is_some_and(|a| a.depth >= self.marked_depth)
                    {
                        self.close_actual_text(host)?;
                    }
                }
                b"BI" => {
                    // Skip the image dictionary up to ID, then the data.
                    while let Some(t) = lex.next_tok() {
                        if t == Tok::Op(b"ID") {
                            lex.skip_inline_image();
                            break;
                        }
                    }
                    self.images += 1;
                }
                _ => {}
            }
            ops.clear();
            items.clear();
            lex.forget_strings();
        }
        Ok(())
    }

    /// Text that stands at a place of the page without being drawn by its content (a form field's
    /// value): from `(x, y)` on its baseline, `width` long, `size` high, in page space.
    pub(super) fn put<R: Copy>(
        &mut self,
        host: &mut dyn Host<R>,
        (x, y): (f64, f64),
        width: f64,
        size: f64,
        text: &str,
    ) -> Result<(), Unreadable> {
        let start = self.display(x, y, size);
        let end = self.display(x + width, y, size);
        let (dx, dy, _) = self.display(1.0, 0.0, 0.0);
        self.keep(host, quarter_of(dx, dy), start, end, text)
    }

    /// The baseline of the text just left of a box of the page (`x0`, `y0`..`y1` in page space) and
    /// level with it, nearest first: the label of a form field, whose value then reads on the label's
    /// line even where the writer set the field box a few points off the label's line. Only on an
    /// unrotated page, where page space is display space.
    pub(super) fn label_baseline(&self, x0: f64, y0: f64, y1: f64) -> Option<f64> {
        if self.rotate != 0 {
            return None;
        }
        self.chunks
            .iter()
            .filter(|c| c.quarter == 0)
            .filter(|c| c.x_end <= x0 + 2.0 && c.x_end >= x0 - 200.0)
            .filter(|c| {
                let (bottom, top) = (c.y - 0.2 * c.size, c.y + 0.8 * c.size);
                let overlap = top.min(y1) - bottom.max(y0);
                overlap > 0.3 * (top - bottom).min(y1 - y0)
            })
            .max_by(|a, b| a.x_end.total_cmp(&b.x_end).then(a.y.total_cmp(&b.y)))
            .map(|c| c.y)
    }

    /// End of the page: a span left open is closed (a stream cut short, or an `EMC` missing).
    pub(super) fn finish<R: Copy>(&mut self, host: &mut dyn Host<R>) -> Result<(), Unreadable> {
        self.marked_depth = 0;
        self.close_actual_text(host)
    }

    /// Keep the replacement text of the span now closing where its glyphs were. A span that showed
    /// nothing adds nothing: the replacement is for glyphs, and none were drawn.
    fn close_actual_text<R: Copy>(&mut self, host: &mut dyn Host<R>) -> Result<(), Unreadable> {
        let Some(span) = self.actual.take() else {
            return Ok(());
        };
        match span.start {
            Some(start) => self.keep(host, span.quarter, start, span.end, &span.text),
            None => Ok(()),
        }
    }

    fn show<R: Copy>(
        &mut self,
        host: &mut dyn Host<R>,
        gs: &GState,
        tm: &mut Matrix,
        bytes: &[u8],
    ) -> Result<(), Unreadable> {
        let Some(font) = gs.font.as_ref() else {
            return Ok(());
        };
        let trm = rendering(gs, tm);
        let start = self.place(&trm);
        let quarter = self.quarter(&trm, font.vertical);
        let mut text = std::mem::take(&mut self.shown);
        text.clear();
        let mut advance = 0.0f64;
        let (size, tc, tw, th) = (gs.size, gs.char_spacing, gs.word_spacing, gs.h_scale);
        let unmapped = font.decode(bytes, &mut text, |g| {
            let w = f64::from(g.advance) * size + tc + if g.is_space { tw } else { 0.0 };
            advance += if font.vertical { w } else { w * th };
        });

        let step = if font.vertical {
            [0.0, -advance]
        } else {
            [advance, 0.0]
        };
        *tm = mul(&[1.0, 0.0, 0.0, 1.0, step[0], step[1]], tm);
        let end = self.place(&rendering(gs, tm));
        if let Some(span) = self.actual.as_mut() {
            // Replaced: the glyphs only say where the replacement goes, and a code without Unicode
            // is no gap when the span says what it is.
            span.start.get_or_insert(start);
            span.end = end;
            span.quarter = quarter;
            self.shown = text;
            return Ok(());
        }
        self.unmapped += unmapped;
        let r = self.keep(host, quarter, start, end, &text);
        self.shown = text;
        r
    }

    /// Keep the text of a string shown from `start` to `end` (display coordinates and height).
    fn keep<R: Copy>(
        &mut self,
        host: &mut dyn Host<R>,
        quarter: u8,
        start: (f64, f64, f64),
        end: (f64, f64, f64),
        text: &str,
    ) -> Result<(), Unreadable> {
        if text.is_empty() {
            return Ok(());
        }
        host.budget().spend_text(text.len() as u64)?;
        self.text_bytes += text.len() as u64;
        let (x, y) = to_frame(quarter, (start.0, start.1));
        let (x_end, _) = to_frame(quarter, (end.0, end.1));
        // The same characters drawn again over the last ones (fake bold: a string or a glyph shown
        // twice, a fraction of a point apart; a shadow) are one text, as pdftotext reads them. Over,
        // not next to: the shift must be well under the width of what is drawn, or "ll" in a
        // narrow font would lose an l.
        if let Some(last) = self.chunks.last() {
            let tol = (0.2 * last.size.max(start.2)).min(0.3 * (x_end - x).abs());
            if last.quarter == quarter
                && (last.y - y).abs() < tol
                && (last.x_end - x_end).abs() < tol
                && last.text.ends_with(text)
            {
                return Ok(());
            }
        }
        // Glue onto the previous piece when this one continues it on the same baseline.
        if let Some(last) = self.chunks.last_mut() {
            let tol = 0.1 * last.size.max(start.2);
            if last.quarter == quarter && (last.y - y).abs() < tol && (x - last.x_end).abs() < tol {
                last.text.push_str(text);
                last.x_end = x_end;
                return Ok(());
            }
            if quarter == 0 && stack(last, text, start) {
                return Ok(());
            }
        }
        if self.chunks.len() >= MAX_CHUNKS {
            self.truncated = true;
            return Ok(());
        }
        self.chunks.push(Chunk {
            x,
            y,
            x_end,
            size: start.2,
            quarter,
            text: text.to_owned(),
        });
        Ok(())
    }

    /// Where the text origin of the text rendering matrix `trm` stands, in display coordinates, and
    /// the text height.
    fn place(&self, trm: &Matrix) -> (f64, f64, f64) {
        let size = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
        self.display(trm[4], trm[5], size)
    }

    /// Which way text runs on the displayed page (see [`Chunk::quarter`]): along the text space's x
    /// axis, or down its y axis for a vertical font, as the text rendering matrix `trm` turns it.
    fn quarter(&self, trm: &Matrix, vertical: bool) -> u8 {
        let (vx, vy) = if vertical {
            (-trm[2], -trm[3])
        } else {
            (trm[0], trm[1])
        };
        let (dx, dy, _) = self.display(vx, vy, 0.0);
        quarter_of(dx, dy)
    }

    /// A point of the page in display coordinates: the page turned clockwise by /Rotate (also turns a
    /// direction, having no translation).
    fn display(&self, x: f64, y: f64, size: f64) -> (f64, f64, f64) {
        let (dx, dy) = match self.rotate {
            90 => (y, -x),
            180 => (-x, -y),
            270 => (-y, x),
            _ => (x, y),
        };
        let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
        (finite(dx), finite(dy), finite(size))
    }
}

fn six(ops: &[Operand<'_>]) -> Option<Matrix> {
    let k = ops.len().checked_sub(6)?;
    let mut m = [0.0; 6];
    for (slot, op) in m.iter_mut().zip(&ops[k..]) {
        match op {
            Operand::Num(n) => *slot = *n,
            _ => return None,
        }
    }
    Some(m)
}

/// Read a `[` … `]` array onto `items`: strings and numbers kept, nested arrays and dictionaries
/// skipped.
fn read_array(lex: &mut Lexer<'_>, items: &mut Vec<ArrItem>) {
    while let Some(t) = lex.next_tok() {
        match t {
            Tok::ArrClose => break,
            Tok::Str(s) => items.push(ArrItem::Str(s)),
            Tok::Num(n) => items.push(ArrItem::Num(n)),
            Tok::ArrOpen => skip_array(lex),
            Tok::DictOpen => {
                read_dict(lex);
            }
            // An operator inside an array: the array was not closed; stop here.
            Tok::Op(op) if !matches!(op, b"true" | b"false" | b"null") => break,
            Tok::Op(_) => {}
            Tok::Name(_) | Tok::DictClose => {}
        }
    }
}

/// Skip to the `]` closing a `[` already read (depth counted, so nesting cannot recurse).
fn skip_array(lex: &mut Lexer<'_>) {
    let mut depth = 1usize;
    while let Some(t) = lex.next_tok() {
        match t {
            Tok::ArrOpen => depth += 1,
            Tok::ArrClose => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            // An operator cannot stand inside: the bracket was never closed.
            Tok::Op(op) if !matches!(op, b"true" | b"false" | b"null") => return,
            _ => {}
        }
    }
}

/// Skip to the `>>` closing a `<<` already read (depth counted, so nesting cannot recurse), and give
/// the string its `/ActualText` key holds at the top level, if any (the properties of `BDC`).
fn read_dict(lex: &mut Lexer<'_>) -> Option<StrRef> {
    let mut depth = 1usize;
    let mut after_key = false;
    let mut actual_text = None;
    while let Some(t) = lex.next_tok() {
        let is_key = depth == 1 && matches!(&t, Tok::Name(n) if n.as_ref() == b"ActualText");
        match t {
            Tok::Str(s) if after_key => actual_text = Some(s),
            Tok::DictOpen => depth += 1,
            Tok::DictClose => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            // An operator cannot stand inside: the bracket was never closed.
            Tok::Op(op) if !matches!(op, b"true" | b"false" | b"null") => break,
            _ => {}
        }
        after_key = is_key;
    }
    actual_text
}

/// Characters written without spaces around them: CJK, and the star of a secrecy marking
/// (`秘密★5年`, GB/T 9704), which sits between CJK and digits.
fn is_spaceless(c: char) -> bool {
    is_cjk(c) || matches!(c, '★' | '☆')
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFF)
}

/// Where a laid-out line starts and ends, to tell a wrapped line from the end of a paragraph.
struct LineEnds {
    quarter: u8,
    x: f64,
    x_end: f64,
    y: f64,
    size: f64,
    first_cjk: bool,
    last_cjk: bool,
    solid: bool,
}

impl LineEnds {
    /// Whether `next` goes on with this line's sentence: CJK text on both sides of the break, this
    /// line running to the right edge of the text (`right`, within a character), the next one
    /// starting at the same left edge or up to two characters left of it (a paragraph's first line
    /// is indented by two), right below, in the same size. A marking, a title or the
    /// last line of a paragraph stops short of the edge; a table's rows have gaps between their
    /// cells (neither line may have a gap of a character or more).
    fn wraps_into(&self, next: &LineEnds, right: f64) -> bool {
        let size = self.size;
        self.quarter == next.quarter
            && self.solid
            && next.solid
            && self.last_cjk
            && next.first_cjk
            && right - self.x_end < 1.2 * size
            && next.x - self.x < 0.5 * size
            && self.x - next.x < 2.5 * size
            && (self.y - next.y) > 0.5 * size
            && (self.y - next.y) < 2.2 * size
            && (self.size - next.size).abs() < 0.15 * size
    }
}

/// Order the pieces of a page into lines, top to bottom, left to right, and join them: ordinary text
/// first, then text running each other way (in its own frame, see [`Chunk`]); a new line where the
/// baseline moves by more than half the text height or the direction changes (but for CJK text
/// wrapped at the right edge, which goes on without a break); a space between pieces of one line
/// where the gap is wider than a tenth of the height, as pdftotext breaks words (a full height next
/// to CJK text, which has no spaces between words).
pub(super) fn layout(chunks: &mut [Chunk]) -> String {
    // Stable sort keeps the stream order of pieces on one baseline.
    chunks.sort_by(|a, b| a.quarter.cmp(&b.quarter).then(b.y.total_cmp(&a.y)));
    // The right edge of the text running each way: a line of CJK text that reaches it was wrapped
    // there, and the next one goes on with the same sentence (a keyword can span the two).
    let mut right = [f64::MIN; 4];
    for c in chunks.iter() {
        let q = usize::from(c.quarter & 3);
        right[q] = right[q].max(c.x_end);
    }
    let mut out = String::new();
    let mut previous: Option<LineEnds> = None;
    let mut start = 0;
    while start < chunks.len() {
        let top = chunks[start].y;
        let mut size = chunks[start].size;
        let mut end = start + 1;
        while end < chunks.len() {
            size = size.max(chunks[end].size);
            if chunks[end].quarter != chunks[start].quarter
                || top - chunks[end].y > 0.5 * size.max(1.0)
            {
                break;
            }
            end += 1;
        }
        let line = &mut chunks[start..end];
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let first_cjk = line[0].text.trim_start().chars().next().is_some_and(is_cjk);
        let last_cjk = line
            .last()
            .and_then(|c| c.text.trim_end().chars().last())
            .is_some_and(is_cjk);
        let ends = LineEnds {
            quarter: line[0].quarter,
            x: line[0].x,
            x_end: line.iter().map(|c| c.x_end).fold(f64::MIN, f64::max),
            y: top,
            size: size.max(1.0),
            first_cjk,
            last_cjk,
            // A gap of a character or more between pieces: cells of a table row, not running text.
            // Only a line with CJK at an end can be joined, so only such a line is looked through.
            solid: (first_cjk || last_cjk)
                && line
                    .windows(2)
                    .all(|w| w[1].x - w[0].x_end < w[0].size.max(w[1].size).max(1.0))
                && !line.iter().any(|c| c.text.contains("  ")),
        };
        if !out.is_empty() {
            let wrapped = previous
                .as_ref()
                .is_some_and(|p| p.wraps_into(&ends, right[usize::from(p.quarter & 3)]));
            if !wrapped {
                out.push('\n');
            }
        }
        previous = Some(ends);
        let mut prev: Option<&Chunk> = None;
        for c in line.iter() {
            if let Some(p) = prev {
                let gap = c.x - p.x_end;
                let h = p.size.max(c.size).max(1.0);
                let cjk = p.text.chars().last().is_some_and(is_spaceless)
                    || c.text.chars().next().is_some_and(is_spaceless);
                let needed = if cjk { 1.0 } else { 0.1 };
                let spaced = p.text.ends_with(' ') || c.text.starts_with(' ');
                if gap > needed * h && !spaced {
                    out.push(' ');
                }
            }
            out.push_str(&c.text);
            prev = Some(c);
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(x: f64, y: f64, x_end: f64, text: &str) -> Chunk {
        Chunk {
            x,
            y,
            x_end,
            size: 10.0,
            quarter: 0,
            text: text.to_owned(),
        }
    }

    #[test]
    fn lines_top_down_and_spaces() {
        let mut c = vec![
            chunk(10.0, 100.0, 40.0, "bottom"),
            chunk(60.0, 700.5, 90.0, "world"),
            chunk(10.0, 700.0, 40.0, "hello"),
            chunk(10.0, 400.0, 20.0, "机密"),
            chunk(21.0, 400.0, 26.0, "★1"),
            chunk(26.5, 400.0, 30.0, "年"),
            chunk(60.0, 400.0, 70.0, "表格"),
        ];
        assert_eq!(layout(&mut c), "hello world\n机密★1年 表格\nbottom");
    }

    #[test]
    fn cjk_wrapped_at_the_right_edge_goes_on_without_a_break() {
        let mut c = vec![
            // A marking and a title stop short of the right edge: lines of their own.
            chunk(10.0, 700.0, 40.0, "机密★1年"),
            chunk(30.0, 680.0, 80.0, "关于检查的通知"),
            // A paragraph, its first line indented by two characters, wrapped twice at x = 110.
            chunk(30.0, 660.0, 110.0, "各单位：请于月底前将涉密人"),
            chunk(10.0, 648.0, 110.0, "员名单报保密办，不得扫描上"),
            chunk(10.0, 636.0, 60.0, "传。"),
            // A table row whose last cell reaches the edge: its cells are apart, so no join.
            chunk(10.0, 600.0, 30.0, "备注"),
            chunk(60.0, 600.0, 110.0, "原件存档案室机"),
            chunk(10.0, 588.0, 30.0, "密级"),
        ];
        assert_eq!(
            layout(&mut c),
            "机密★1年\n关于检查的通知\n各单位：请于月底前将涉密人员名单报保密办，不得扫描上传。\n\
             备注 原件存档案室机\n密级"
        );
    }

    #[test]
    fn columns_of_upright_glyphs_and_turned_lines() {
        // Upright CJK glyphs one under another make a column, read downwards; any glyph continues it.
        let mut column = chunk(100.0, 700.0, 110.0, "秘");
        assert!(stack(&mut column, "密", (100.0, 690.0, 10.0)));
        assert!(stack(&mut column, "★", (100.0, 680.0, 10.0)));
        assert_eq!((column.quarter, column.text.as_str()), (3, "秘密★"));
        assert!(
            !stack(&mut column, "年", (130.0, 670.0, 10.0)),
            "another column"
        );
        // Single digits stacked (a table's number column) never start one; nor a glyph a row below.
        let mut digit = chunk(100.0, 700.0, 105.0, "1");
        assert!(!stack(&mut digit, "2", (100.0, 690.0, 10.0)));
        let mut cell = chunk(100.0, 700.0, 110.0, "男");
        assert!(!stack(&mut cell, "女", (100.0, 680.0, 10.0)));
        assert!(!stack(&mut cell, "女", (100.0, 720.0, 10.0)), "above");
        assert_eq!(cell.quarter, 0);

        // Lines turned each way, each in its own frame, come after the ordinary ones.
        let turned = |q: u8, (x, y): (f64, f64), len: f64, text: &str| {
            let (fx, fy) = to_frame(q, (x, y));
            Chunk {
                x: fx,
                y: fy,
                x_end: fx + len,
                size: 10.0,
                quarter: q,
                text: text.to_owned(),
            }
        };
        let mut c = vec![
            turned(3, (300.0, 600.0), 40.0, "down"),
            turned(1, (50.0, 100.0), 20.0, "up"),
            chunk(10.0, 700.0, 40.0, "level"),
            turned(1, (50.0, 125.0), 20.0, "wards"),
        ];
        assert_eq!(layout(&mut c), "level\nup wards\ndown");
        assert_eq!(quarter_of(0.0, 1.0), 1);
        assert_eq!(quarter_of(-1.0, 0.1), 2);
        assert_eq!(quarter_of(0.2, -1.0), 3);
        assert_eq!(quarter_of(0.0, 0.0), 0);
    }
}
