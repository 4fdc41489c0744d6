//! PDF: the text layer of every page, one body segment per page with its lines in reading order (top of
//! the page first, so a marking at the head of a page is the segment's first line), annotation texts
//! as comments, the document information (title, subject, keywords) as metadata, and embedded files
//! (the `/EmbeddedFiles` name tree and file-attachment annotations) extracted recursively.
//!
//! `lopdf` reads the object model: cross-reference tables and streams, object streams, repair of
//! damaged cross-references, and the standard security handler (RC4 and AES, opened with the empty
//! user password when it is empty). Its stream decoding is always called with a size bound. The text
//! itself comes from our own content-stream interpreter ([`content`]) and font decoding ([`font`]),
//! so CJK fonts, limits and time checks are under our control.
//!
//! Form fields are read where they stand on their page (`widgets`): a value reads on its label's line.
//!
//! Not extracted: text drawn as vector outlines or images (a scan: reported as `no_text_layer`),
//! XFA form data, outlines (bookmarks, which repeat the headings), XMP metadata (which repeats the
//! document information), Type3 glyph procedures, `/ActualText` given through a named property list,
//! and fonts whose codes have no known Unicode (see [`font`]).

mod cff;
mod content;
mod font;
mod lex;
mod radicals;
mod std14;

use crate::{Budget, SegmentKind, Unreadable, Visitor};
use baomi_core::UnscannedReason;
use content::{Host, IDENTITY, Interp, Matrix, XObject, mul};
use font::{DiffItem, Font, FontSpec, WItem};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Pages read from one document at most.
const MAX_PAGES: usize = 10_000;
/// Objects in one document at most.
const MAX_OBJECTS: usize = 2_000_000;
/// Form XObjects nested deeper than this are not entered.
const MAX_FORM_DEPTH: u32 = 12;
/// One content, font or CMap stream decodes to this at most.
const MAX_STREAM: u64 = 256 << 20;
/// Decoded forms kept for reuse across pages, in bytes: a letterhead drawn on every page is decoded
/// once; past this, forms are decoded each time they are drawn.
const FORM_CACHE_BYTES: usize = 32 << 20;
/// Reference chains longer than this are broken (a chain of references is never legitimately long).
const MAX_DEREF: usize = 16;
/// Nodes of a name tree or a page's ancestor chain visited at most.
const MAX_TREE_NODES: usize = 100_000;
/// Form fields of one page whose value is put on its label's line; the rest stand where their box is.
const MAX_FIELDS_PLACED_BY_LABEL: usize = 2_000;

pub(crate) fn extract(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    budget.check_time()?;
    let options = lopdf::LoadOptions {
        // Object and cross-reference streams are decoded while loading: bound each one by what the
        // file may still decompress.
        max_decompressed_size: Some(
            usize::try_from(budget.uncompressed_left().min(MAX_STREAM)).unwrap_or(usize::MAX),
        ),
        ..lopdf::LoadOptions::default()
    };
    let mut doc = Document::load_mem_with_options(data, options).map_err(load_error)?;
    recover_unmeasured_streams(&mut doc, data);
    budget.check_time()?;
    if doc.trailer.has(b"Encrypt") {
        // lopdf removes /Encrypt once it could decrypt with the empty user password; it is still
        // there when a real password is needed.
        return Err(Unreadable::new(
            UnscannedReason::Encrypted,
            "password-protected PDF (the user password is not empty)",
        ));
    }
    if doc.objects.len() > MAX_OBJECTS {
        return Err(Unreadable::limit(format!(
            "{} objects, more than the limit of {MAX_OBJECTS}",
            doc.objects.len()
        )));
    }
    let mut walker = Walker {
        doc: &doc,
        budget,
        fonts: HashMap::new(),
        unknown_font: Rc::new(Font::unknown()),
        forms: HashMap::new(),
        form_cache_bytes: 0,
        damaged: None,
    };
    // lopdf's page walk visits at most as many nodes as there are objects; a page tree that names
    // the same subtree many times cannot make more pages than the cap.
    let pages: Vec<ObjectId> = doc.page_iter().take(MAX_PAGES + 1).collect();
    if pages.is_empty() {
        return Err(Unreadable::corrupt("PDF without readable pages"));
    }
    let mut members = 0u32;
    let mut textless = 0usize;
    let mut scanned = 0usize;
    let mut truncated = false;
    // Codes without text, and the characters read, over the pages: a page whose text is mostly in a
    // font without a Unicode map is a gap in what was read, and is reported as one.
    let mut unmapped = 0usize;
    let mut read_chars = 0usize;
    let mut unmapped_pages: Vec<u32> = Vec::new();
    for (number, &page_id) in (1u32..).zip(pages.iter().take(MAX_PAGES)) {
        walker.budget.check_time()?;
        let page = walker.page(page_id)?;
        truncated |= page.truncated;
        unmapped += page.unmapped;
        read_chars += page.text.chars().filter(|c| !c.is_whitespace()).count();
        if page.unmapped > 0 && unmapped_pages.len() < 10 {
            unmapped_pages.push(number);
        }
        if !page.drawn_text {
            textless += 1;
            if page.images > 0 {
                scanned += 1;
            }
        }
        if !page.text.trim().is_empty() {
            emit(
                visitor,
                inner,
                SegmentKind::Body,
                Some(number),
                None,
                &page.text,
            );
        }
        if !page.hidden_fields.is_empty() {
            emit(
                visitor,
                inner,
                SegmentKind::Hidden,
                Some(number),
                Some("form field"),
                &page.hidden_fields.join("\n"),
            );
        }
        walker.annotations(page_id, number, inner, visitor, &mut members)?;
    }
    walker.info(inner, visitor)?;
    walker.embedded_files(inner, visitor, &mut members)?;

    let undecodable = |pages: &[u32]| {
        let list: Vec<String> = pages.iter().map(u32::to_string).collect();
        format!(
            "{unmapped} characters on page {}{} are in fonts that give no Unicode for them (no ToUnicode map, and an encoding that names no characters) and could not be read",
            list.join(", "),
            if pages.len() >= 10 { " and more" } else { "" }
        )
    };
    if textless == pages.len().min(MAX_PAGES) && unmapped > 0 && scanned == 0 {
        return Err(Unreadable::new(
            UnscannedReason::NoTextLayer,
            format!("{} — OCR is not done yet", undecodable(&unmapped_pages)),
        ));
    }
    if textless == pages.len().min(MAX_PAGES) {
        return Err(Unreadable::new(
            UnscannedReason::NoTextLayer,
            format!(
                "no text layer on {} (scanned?) — OCR is not done yet",
                if textless == 1 {
                    "its one page".to_owned()
                } else {
                    format!("any of its {textless} pages")
                }
            ),
        ));
    }
    if scanned > 0 {
        return Err(Unreadable::new(
            UnscannedReason::NoTextLayer,
            format!(
                "no text layer on {scanned} of {} pages (scanned?) — OCR is not done yet; the other pages were read",
                pages.len().min(MAX_PAGES)
            ),
        ));
    }
    // A few unmapped codes are bullets and symbols of a symbol font; a tenth of the text is text.
    if unmapped >= 10 && unmapped * 10 >= unmapped + read_chars {
        return Err(Unreadable::new(
            UnscannedReason::NoTextLayer,
            format!("{}; the rest was read", undecodable(&unmapped_pages)),
        ));
    }
    if pages.len() > MAX_PAGES {
        return Err(Unreadable::limit(format!(
            "more than {MAX_PAGES} pages; the first {MAX_PAGES} were read"
        )));
    }
    if truncated {
        return Err(Unreadable::limit(
            "a page holds more text pieces or nested forms than the limits; the rest of it was not read",
        ));
    }
    if let Some(e) = walker.damaged {
        return Err(e);
    }
    Ok(())
}

/// The page's radicals that stand for the ideographs sharing their glyph (⼈⺠ for 人民): a writer that
/// builds its ToUnicode map by inverting the font's cmap may name either code point, and a reader sees
/// the same shape (see `radicals.rs`). Latin ligatures (ﬁ, ﬂ, ﬀ … U+FB00–U+FB06), which a ToUnicode
/// map names when the writer gave no `/ActualText`, are spelled out, so that "conﬁdential" is
/// "confidential". Text with neither is returned as it is.
fn unify_shapes(text: String) -> String {
    // U+2E80–U+2FDF, the radical blocks, are E2 BA 80 – E2 BF 9F in UTF-8; U+FB00–U+FB06 are
    // EF AC 80 – EF AC 86.
    let bytes = text.as_bytes();
    let has_radical =
        memchr::memchr_iter(0xE2, bytes).any(|i| matches!(bytes.get(i + 1), Some(0xBA..=0xBF)));
    let has_ligature = memchr::memchr_iter(0xEF, bytes)
        .any(|i| bytes.get(i + 1) == Some(&0xAC) && matches!(bytes.get(i + 2), Some(0x80..=0x86)));
    if !has_radical && !has_ligature {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            c => out.push(
                radicals::RADICALS
                    .binary_search_by_key(&u32::from(c), |&(radical, _)| radical)
                    .map_or(c, |i| radicals::RADICALS[i].1),
            ),
        }
    }
    out
}

/// Streams whose `/Length` is missing or unusable are loaded empty, with where their data starts;
/// their data runs to the next `endstream`, as poppler and pdf.js read them (hand-written and
/// reduced test files leave `/Length` out).
fn recover_unmeasured_streams(doc: &mut Document, data: &[u8]) {
    let finder = memchr::memmem::Finder::new(b"endstream");
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        let Some(start) = stream.start_position else {
            continue;
        };
        if !stream.content.is_empty() || start >= data.len() {
            continue;
        }
        let window = &data[start..data.len().min(start.saturating_add(MAX_STREAM as usize))];
        let Some(end) = finder.find(window) else {
            continue;
        };
        let body = &window[..end];
        let body = body
            .strip_suffix(b"\r\n")
            .or_else(|| body.strip_suffix(b"\n"))
            .or_else(|| body.strip_suffix(b"\r"))
            .unwrap_or(body);
        if !body.is_empty() {
            stream.set_content(body.to_vec());
        }
    }
}

fn load_error(e: lopdf::Error) -> Unreadable {
    match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { limit }) => {
            Unreadable::limit(format!(
                "a PDF object stream decompresses to more than {} MiB (bomb?)",
                limit >> 20
            ))
        }
        lopdf::Error::InvalidPassword | lopdf::Error::Decryption(_) => Unreadable::new(
            UnscannedReason::Encrypted,
            format!("encrypted PDF that cannot be opened: {e}"),
        ),
        other => Unreadable::corrupt(format!("not a readable PDF: {other}")),
    }
}

fn emit(
    visitor: &mut dyn Visitor,
    inner: &[String],
    kind: SegmentKind,
    page: Option<u32>,
    part: Option<&str>,
    text: &str,
) {
    crate::emit_segment(visitor, inner, kind, page, None, part, text);
}

struct PageText {
    /// The page's text: what its content draws, and the values of its form fields where they stand.
    text: String,
    /// True when the page's content itself draws text (form fields over a scan do not make it text).
    drawn_text: bool,
    /// Values of form fields marked hidden: in the file, not on the screen.
    hidden_fields: Vec<String>,
    images: usize,
    /// Character codes shown in fonts that give no text for them (no ToUnicode on an Identity
    /// encoding, a symbolic font without an encoding).
    unmapped: usize,
    truncated: bool,
}

/// Walks one loaded document: pages, fonts and forms (cached), within the budget.
struct Walker<'d, 'b> {
    doc: &'d Document,
    budget: &'b mut Budget,
    fonts: HashMap<ObjectId, Rc<Font>>,
    unknown_font: Rc<Font>,
    forms: HashMap<ObjectId, Rc<Vec<u8>>>,
    form_cache_bytes: usize,
    /// The first damaged stream met: the rest is read, and the file is reported corrupt at the end.
    damaged: Option<Unreadable>,
}

type Res<'d> = Option<&'d Dictionary>;

impl<'d> Walker<'d, '_> {
    fn deref(&self, mut o: &'d Object) -> &'d Object {
        for _ in 0..MAX_DEREF {
            match o {
                Object::Reference(id) => match self.doc.objects.get(id) {
                    Some(next) => o = next,
                    None => return &Object::Null,
                },
                _ => return o,
            }
        }
        &Object::Null
    }

    fn get(&self, d: &'d Dictionary, key: &[u8]) -> Option<&'d Object> {
        d.get(key).ok().map(|o| self.deref(o))
    }

    fn dict(&self, d: &'d Dictionary, key: &[u8]) -> Option<&'d Dictionary> {
        match self.get(d, key)? {
            Object::Dictionary(x) => Some(x),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    fn name(&self, d: &'d Dictionary, key: &[u8]) -> Option<&'d [u8]> {
        match self.get(d, key)? {
            Object::Name(n) => Some(n),
            _ => None,
        }
    }

    fn num(&self, d: &'d Dictionary, key: &[u8]) -> Option<f64> {
        self.get(d, key).and_then(number)
    }

    /// A page attribute that may be inherited from the page tree (`/Resources`, `/Rotate`).
    fn inherited(&self, page: &'d Dictionary, key: &[u8]) -> Option<&'d Object> {
        let mut node = page;
        let mut seen = HashSet::new();
        for _ in 0..64 {
            if let Some(v) = self.get(node, key) {
                return Some(v);
            }
            let parent = node.get(b"Parent").ok()?;
            if let Object::Reference(id) = parent
                && !seen.insert(*id)
            {
                return None;
            }
            node = match self.deref(parent) {
                Object::Dictionary(d) => d,
                _ => return None,
            };
        }
        None
    }

    /// Decode a stream within the budget. A stream that does not decode is remembered as damage and
    /// read as empty, so the rest of the document is still read.
    fn stream(&mut self, s: &Stream) -> Result<Vec<u8>, Unreadable> {
        self.budget.check_time()?;
        let left = self.budget.uncompressed_left().min(MAX_STREAM);
        let limit = usize::try_from(left).unwrap_or(usize::MAX);
        // Plain FlateDecode (every content stream an office writes) is inflated whole by libdeflate;
        // anything else, and any stream libdeflate finds unclean, goes through lopdf's tolerant
        // streaming decoder as before.
        let plain_flate = match s.dict.get(b"Filter") {
            Ok(Object::Name(n)) => n == b"FlateDecode",
            Ok(Object::Array(a)) => {
                matches!(a.as_slice(), [Object::Name(n)] if n == b"FlateDecode")
            }
            _ => false,
        } && s.dict.get(b"DecodeParms").is_err();
        let fast = if plain_flate {
            match crate::inflate::zlib_bounded(&s.content, limit) {
                Ok(v) => Some(v),
                Err(crate::inflate::ZlibFailure::TooLarge) => {
                    return Err(Unreadable::limit(format!(
                        "a PDF stream decompresses to more than the {} MiB left to decompress",
                        left >> 20
                    )));
                }
                Err(crate::inflate::ZlibFailure::NotClean) => None,
            }
        } else {
            None
        };
        let out = match fast.map_or_else(|| s.decompressed_content_with_limit(limit), Ok) {
            Ok(v) => v,
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => {
                return Err(Unreadable::limit(format!(
                    "a PDF stream decompresses to more than the {} MiB left to decompress",
                    left >> 20
                )));
            }
            Err(e) => {
                if self.damaged.is_none() {
                    self.damaged = Some(Unreadable::corrupt(format!(
                        "a PDF stream does not decode ({e}); the rest was read"
                    )));
                }
                return Ok(Vec::new());
            }
        };
        self.budget
            .check_ratio(s.content.len() as u64, out.len() as u64)?;
        self.budget.spend_uncompressed(out.len() as u64)?;
        Ok(out)
    }

    fn page(&mut self, page_id: ObjectId) -> Result<PageText, Unreadable> {
        let Ok(Object::Dictionary(page)) = self.doc.get_object(page_id) else {
            return Ok(PageText {
                text: String::new(),
                drawn_text: false,
                hidden_fields: Vec::new(),
                images: 0,
                unmapped: 0,
                truncated: false,
            });
        };
        let rotate = self
            .inherited(page, b"Rotate")
            .and_then(number)
            .map_or(0, |r| (r as i64).rem_euclid(360) / 90 * 90);
        let resources = match self.inherited(page, b"Resources") {
            Some(Object::Dictionary(d)) => Some(d),
            _ => None,
        };
        let mut data = Vec::new();
        let contents: Vec<&'d Object> = match page.get(b"Contents").ok().map(|o| self.deref(o)) {
            Some(Object::Array(items)) => items.iter().map(|o| self.deref(o)).collect(),
            Some(other) => vec![other],
            None => Vec::new(),
        };
        for c in contents {
            if let Object::Stream(s) = c {
                let bytes = self.stream(s)?;
                data.extend_from_slice(&bytes);
                // Streams of one page are one stream, split anywhere between tokens.
                data.push(b'\n');
            }
        }
        let mut interp = Interp::new(rotate, MAX_FORM_DEPTH);
        interp.run(self, &data, resources, IDENTITY)?;
        interp.finish(self)?;
        drop(data);
        let drawn_text = interp.chunks.iter().any(|c| !c.text.trim().is_empty());
        let mut hidden_fields = Vec::new();
        self.widgets(page, &mut interp, &mut hidden_fields)?;
        let text = unify_shapes(content::layout(&mut interp.chunks));
        Ok(PageText {
            text,
            drawn_text,
            hidden_fields,
            images: interp.images,
            unmapped: interp.unmapped,
            truncated: interp.truncated,
        })
    }

    /// The form fields of a page (ISO 32000-1 §12.7), put where they stand so that a value reads on
    /// the line of its label ("密级：" then the field holding "机密★10年"):
    /// - text and choice fields by their value (`/V`): the value is what the field holds, and writers
    ///   leave the appearance empty when they ask viewers to draw it (`/NeedAppearances`, as
    ///   LibreOffice does), which pdftotext then draws only in fonts it has;
    /// - other widgets (buttons, signatures) by their appearance stream, as drawn;
    /// - a field marked hidden by its value, as hidden text. Password fields are left out.
    fn widgets(
        &mut self,
        page: &'d Dictionary,
        interp: &mut Interp,
        hidden: &mut Vec<String>,
    ) -> Result<(), Unreadable> {
        let Some(Object::Array(annots)) = self.get(page, b"Annots") else {
            return Ok(());
        };
        let acroform = self
            .dict(&self.doc.trailer, b"Root")
            .and_then(|root| self.dict(root, b"AcroForm"));
        let form_resources = acroform.and_then(|f| self.dict(f, b"DR"));
        for (n, a) in annots.iter().take(MAX_TREE_NODES).enumerate() {
            if n % 64 == 0 {
                self.budget.check_time()?;
            }
            let Object::Dictionary(a) = self.deref(a) else {
                continue;
            };
            if self.name(a, b"Subtype") != Some(b"Widget") {
                continue;
            }
            let Some(rect) = self.get(a, b"Rect").and_then(|r| self.rect(r)) else {
                continue;
            };
            // Hidden (2) or NoView (32): not on the screen.
            let flags = self.num(a, b"F").unwrap_or(0.0) as i64;
            let invisible = flags & (2 | 32) != 0;
            let field_type = self.field_attr(a, b"FT");
            let field_flags = self.field_attr(a, b"Ff").and_then(number).unwrap_or(0.0) as i64;
            let is_text = matches!(field_type, Some(Object::Name(n)) if n == b"Tx" || n == b"Ch");
            let value = if is_text {
                self.field_attr(a, b"V").and_then(|v| self.field_value(v))
            } else {
                None
            };
            const PASSWORD: i64 = 1 << 13;
            if let Some(value) = value {
                if field_flags & PASSWORD != 0 {
                    continue;
                }
                self.budget.spend_text(value.len() as u64)?;
                if invisible {
                    hidden.push(value);
                } else {
                    let da = self
                        .field_attr(a, b"DA")
                        .or_else(|| acroform.and_then(|f| self.get(f, b"DA")));
                    // Finding a label looks at every piece of the page: done for the fields of
                    // any real form, not for a page made of a hundred thousand of them.
                    let snap = n < MAX_FIELDS_PLACED_BY_LABEL;
                    self.put_value(interp, rect, da, &value, snap)?;
                }
            } else if !invisible && let Some(ap) = self.appearance(a) {
                let Object::Reference(id) = ap else { continue };
                let Object::Stream(s) = self.deref(ap) else {
                    continue;
                };
                let bbox = self.get(&s.dict, b"BBox").and_then(|r| self.rect(r));
                if let (
                    XObject::Form {
                        content,
                        matrix,
                        resources,
                        ..
                    },
                    Some(bbox),
                ) = (self.form(*id, s, form_resources)?, bbox)
                {
                    let placed = mul(&matrix, &fit(&matrix, bbox, rect));
                    interp.run(self, &content, resources, placed)?;
                    interp.finish(self)?;
                }
            }
        }
        Ok(())
    }

    /// A field attribute, from the widget or, for the inheritable ones, its ancestors in the field
    /// tree (`/Parent`).
    fn field_attr(&self, widget: &'d Dictionary, key: &[u8]) -> Option<&'d Object> {
        let mut node = widget;
        for _ in 0..64 {
            if let Some(v) = self.get(node, key) {
                return Some(v);
            }
            node = self.dict(node, b"Parent")?;
        }
        None
    }

    /// The text of a field value: a string, or the strings of a multiple choice.
    fn field_value(&self, v: &'d Object) -> Option<String> {
        match v {
            Object::Array(items) => {
                let parts: Vec<String> = items
                    .iter()
                    .take(MAX_TREE_NODES)
                    .filter_map(|o| text_string(self.deref(o)))
                    .collect();
                (!parts.is_empty()).then(|| parts.join(", "))
            }
            other => text_string(other),
        }
    }

    /// The normal appearance of a widget: its stream, or for a check box or radio button the one of
    /// its current state (`/AS`).
    fn appearance(&self, widget: &'d Dictionary) -> Option<&'d Object> {
        let ap = self.dict(widget, b"AP")?;
        let normal = ap.get(b"N").ok()?;
        match self.deref(normal) {
            Object::Stream(_) => Some(normal),
            Object::Dictionary(states) => {
                let state = self.name(widget, b"AS")?;
                states.get(state).ok()
            }
            _ => None,
        }
    }

    /// A field value where the field stands: one line per line of the value from the top of a
    /// multi-line field, centred in a one-line one, in the size its `/DA` sets (auto size: from the
    /// field's height).
    fn put_value(
        &mut self,
        interp: &mut Interp,
        [x0, y0, x1, y1]: [f64; 4],
        da: Option<&Object>,
        value: &str,
        snap: bool,
    ) -> Result<(), Unreadable> {
        let height = y1 - y0;
        let size = match da.and_then(|o| match o {
            Object::String(b, _) => da_font_size(b),
            _ => None,
        }) {
            Some(s) if s > 0.0 => s,
            _ => (height * 0.7).clamp(1.0, 12.0),
        };
        let lines: Vec<&str> = value.lines().filter(|l| !l.trim().is_empty()).collect();
        // A label level with any part of the box starts the value: a text box taller than one line
        // sits on the label's baseline in a page laid out as HTML (LibreOffice), at its top in a
        // table cell beside it.
        let label = if snap {
            interp.label_baseline(x0, y0, y1)
        } else {
            None
        };
        let mut baseline = label.unwrap_or(if lines.len() > 1 {
            y1 - 2.0 - 0.8 * size
        } else {
            y0 + (height - size).max(0.0) / 2.0 + 0.2 * size
        });
        for line in lines {
            // Where the line ends matters only for spacing against what follows it on the page.
            let width: f64 = line
                .chars()
                .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
                .sum::<f64>()
                * size;
            interp.put(self, (x0 + 2.0, baseline), width.min(x1 - x0), size, line)?;
            baseline -= 1.15 * size;
        }
        Ok(())
    }

    /// A rectangle `[x0 y0 x1 y1]`, normalized so that x0 ≤ x1 and y0 ≤ y1.
    fn rect(&self, o: &'d Object) -> Option<[f64; 4]> {
        let Object::Array(a) = o else { return None };
        let [a, b, c, d] = a.as_slice() else {
            return None;
        };
        let [a, b, c, d] = [a, b, c, d].map(|v| number(self.deref(v)));
        let (x0, y0, x1, y1) = (a?, b?, c?, d?);
        Some([x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)])
    }

    fn load_font(&mut self, d: &'d Dictionary) -> Result<Font, Unreadable> {
        let subtype = self.name(d, b"Subtype").unwrap_or_default();
        let mut spec = FontSpec {
            subtype,
            base_font: self.name(d, b"BaseFont").unwrap_or_default(),
            ..FontSpec::default()
        };
        let to_unicode = match self.get(d, b"ToUnicode") {
            Some(Object::Stream(s)) => Some(self.stream(s)?),
            Some(Object::Name(n)) => {
                spec.to_unicode_identity = n.starts_with(b"Identity-");
                None
            }
            _ => None,
        };
        let mut encoding_cmap = None;
        match self.get(d, b"Encoding") {
            Some(Object::Name(n)) => spec.encoding_name = Some(n),
            Some(Object::Stream(s)) => encoding_cmap = Some(self.stream(s)?),
            Some(Object::Dictionary(e)) => {
                spec.base_encoding = self.name(e, b"BaseEncoding");
                if let Some(Object::Array(items)) = self.get(e, b"Differences") {
                    for item in items.iter().take(4096) {
                        match self.deref(item) {
                            Object::Name(n) => spec.differences.push(DiffItem::Name(n)),
                            o => {
                                if let Some(c) = number(o) {
                                    spec.differences.push(DiffItem::Code(c.max(0.0) as u32));
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        let descriptor_of = |w: &Self, f: &'d Dictionary| w.dict(f, b"FontDescriptor");
        let mut truetype = None;
        let mut cid_to_gid = None;
        let mut builtin = None;
        if subtype == b"Type0" {
            if let Some(Object::Array(desc)) = self.get(d, b"DescendantFonts")
                && let Some(Object::Dictionary(cid)) = desc.first().map(|o| self.deref(o))
            {
                spec.dw = self.num(cid, b"DW").map(|v| v as f32);
                if let Some(info) = self.dict(cid, b"CIDSystemInfo")
                    && let Some(Object::String(ordering, _)) = self.get(info, b"Ordering")
                {
                    spec.ordering = Some(ordering);
                }
                // Without ToUnicode nor one of Adobe's collections, an embedded TrueType program's
                // own cmap is what is left to know its glyphs by. A program that cannot be read
                // leaves its text unmapped, which is reported.
                if to_unicode.is_none()
                    && !spec.ordering.is_some_and(font::is_collection)
                    && self.name(cid, b"Subtype") == Some(b"CIDFontType2")
                    && let Some(fd) = descriptor_of(self, cid)
                    && let Some(Object::Stream(program)) = self.get(fd, b"FontFile2")
                {
                    truetype = self.stream(program).ok();
                    if let Some(Object::Stream(map)) = self.get(cid, b"CIDToGIDMap") {
                        cid_to_gid = self.stream(map).ok();
                    }
                }
                if let Some(Object::Array(w)) = self.get(cid, b"W") {
                    for item in w.iter().take(1 << 20) {
                        match self.deref(item) {
                            Object::Array(ws) => spec.w.push(WItem::Array(
                                ws.iter()
                                    .map(|o| number(self.deref(o)).unwrap_or(0.0) as f32)
                                    .collect(),
                            )),
                            o => {
                                if let Some(v) = number(o) {
                                    spec.w.push(WItem::Num(v as f32));
                                }
                            }
                        }
                    }
                }
            }
        } else {
            spec.first_char = self.num(d, b"FirstChar").map_or(0, |v| v.max(0.0) as u32);
            if let Some(Object::Array(ws)) = self.get(d, b"Widths") {
                spec.widths = ws
                    .iter()
                    .take(256)
                    .map(|o| number(self.deref(o)).unwrap_or(0.0) as f32)
                    .collect();
            }
            if let Some(fd) = descriptor_of(self, d) {
                spec.missing_width = self.num(fd, b"MissingWidth").map(|v| v as f32);
                spec.symbolic = self.num(fd, b"Flags").is_some_and(|f| (f as i64) & 4 != 0);
                // Without a named base encoding, an embedded Type 1 or CFF program's own encoding
                // is the base (ISO 32000-1 Table 114): TeX's fonts keep their ligatures, dashes
                // and quotes there.
                if to_unicode.is_none()
                    && spec.encoding_name.is_none()
                    && spec.base_encoding.is_none()
                {
                    builtin = match (self.get(fd, b"FontFile"), self.get(fd, b"FontFile3")) {
                        (Some(Object::Stream(program)), _) => {
                            self.stream(program).ok().map(|p| (font::Program::Type1, p))
                        }
                        (_, Some(Object::Stream(program)))
                            if self.name(&program.dict, b"Subtype") == Some(b"Type1C") =>
                        {
                            self.stream(program).ok().map(|p| (font::Program::Cff, p))
                        }
                        _ => None,
                    };
                }
            }
            if let Some(Object::Array(m)) = self.get(d, b"FontMatrix") {
                spec.font_matrix_a = m
                    .first()
                    .and_then(|o| number(self.deref(o)))
                    .map(|v| v as f32);
            }
        }
        spec.to_unicode = to_unicode.as_deref();
        spec.encoding_cmap = encoding_cmap.as_deref();
        spec.truetype = truetype.as_deref();
        spec.cid_to_gid = cid_to_gid.as_deref();
        spec.builtin = builtin.as_ref().map(|(kind, p)| (*kind, p.as_ref()));
        Ok(Font::new(&spec))
    }

    fn annotations(
        &mut self,
        page_id: ObjectId,
        number: u32,
        inner: &mut Vec<String>,
        visitor: &mut dyn Visitor,
        members: &mut u32,
    ) -> Result<(), Unreadable> {
        let Ok(Object::Dictionary(page)) = self.doc.get_object(page_id) else {
            return Ok(());
        };
        let Some(Object::Array(annots)) = self.get(page, b"Annots") else {
            return Ok(());
        };
        let mut lines = Vec::new();
        for a in annots.iter().take(MAX_TREE_NODES) {
            let Object::Dictionary(a) = self.deref(a) else {
                continue;
            };
            if let Some(s) = self.get(a, b"Contents").and_then(text_string) {
                self.budget.spend_text(s.len() as u64)?;
                lines.push(s);
            }
            if self.name(a, b"Subtype") == Some(b"FileAttachment")
                && let Some(spec) = self.dict(a, b"FS")
            {
                self.embedded(spec, None, inner, visitor, members)?;
            }
        }
        emit(
            visitor,
            inner,
            SegmentKind::Comment,
            Some(number),
            None,
            &lines.join("\n"),
        );
        Ok(())
    }

    fn info(&mut self, inner: &[String], visitor: &mut dyn Visitor) -> Result<(), Unreadable> {
        let Some(info) = self.dict(&self.doc.trailer, b"Info") else {
            return Ok(());
        };
        let mut lines = Vec::new();
        for key in [&b"Title"[..], b"Subject", b"Keywords"] {
            if let Some(s) = self.get(info, key).and_then(text_string) {
                self.budget.spend_text(s.len() as u64)?;
                lines.push(s);
            }
        }
        emit(
            visitor,
            inner,
            SegmentKind::Metadata,
            None,
            Some("Info"),
            &lines.join("\n"),
        );
        Ok(())
    }

    /// Files in the catalog's `/Names /EmbeddedFiles` name tree.
    fn embedded_files(
        &mut self,
        inner: &mut Vec<String>,
        visitor: &mut dyn Visitor,
        members: &mut u32,
    ) -> Result<(), Unreadable> {
        let Some(root) = self
            .dict(&self.doc.trailer, b"Root")
            .and_then(|c| self.dict(c, b"Names"))
            .and_then(|n| self.dict(n, b"EmbeddedFiles"))
        else {
            return Ok(());
        };
        let mut todo = vec![root];
        let mut visited = 0usize;
        while let Some(node) = todo.pop() {
            visited += 1;
            if visited > MAX_TREE_NODES {
                return Err(Unreadable::limit("PDF name tree too large"));
            }
            if let Some(Object::Array(kids)) = self.get(node, b"Kids") {
                for k in kids.iter().rev() {
                    if let Object::Dictionary(d) = self.deref(k) {
                        todo.push(d);
                    }
                }
            }
            if let Some(Object::Array(names)) = self.get(node, b"Names") {
                for pair in names.chunks(2) {
                    let key = text_string(self.deref(&pair[0]));
                    if let Some(Object::Dictionary(spec)) = pair.get(1).map(|o| self.deref(o)) {
                        self.embedded(spec, key, inner, visitor, members)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// One file specification with an embedded file: extracted as a member.
    fn embedded(
        &mut self,
        spec: &'d Dictionary,
        key: Option<String>,
        inner: &mut Vec<String>,
        visitor: &mut dyn Visitor,
        members: &mut u32,
    ) -> Result<(), Unreadable> {
        let Some(ef) = self.dict(spec, b"EF") else {
            return Ok(());
        };
        let Some(Object::Stream(file)) = self.get(ef, b"UF").or_else(|| self.get(ef, b"F")) else {
            return Ok(());
        };
        *members += 1;
        if *members > self.budget.limits.max_members {
            return Err(Unreadable::limit(format!(
                "more than {} embedded files",
                self.budget.limits.max_members
            )));
        }
        let name = self
            .get(spec, b"UF")
            .and_then(text_string)
            .or_else(|| self.get(spec, b"F").and_then(text_string))
            .or(key)
            .unwrap_or_else(|| "(embedded file)".to_owned());
        let bytes = self.stream(file)?;
        crate::extract_member(&name, &bytes, inner, self.budget, visitor)
    }
    /// A Form XObject: its content (decoded once and cached within a bound), matrix and resources
    /// (its own, else `resources`: a form without any uses those of what draws it).
    fn form(
        &mut self,
        id: ObjectId,
        s: &'d Stream,
        resources: Res<'d>,
    ) -> Result<XObject<Res<'d>>, Unreadable> {
        let content = match self.forms.get(&id) {
            Some(c) => c.clone(),
            None => {
                let c = Rc::new(self.stream(s)?);
                if self.form_cache_bytes + c.len() <= FORM_CACHE_BYTES {
                    self.form_cache_bytes += c.len();
                    self.forms.insert(id, c.clone());
                }
                c
            }
        };
        let mut matrix: Matrix = IDENTITY;
        if let Some(Object::Array(m)) = self.get(&s.dict, b"Matrix")
            && m.len() == 6
        {
            for (slot, o) in matrix.iter_mut().zip(m) {
                *slot = number(self.deref(o)).unwrap_or(0.0);
            }
        }
        let own = match self.get(&s.dict, b"Resources") {
            Some(Object::Dictionary(d)) => Some(d),
            _ => resources,
        };
        Ok(XObject::Form {
            content,
            matrix,
            resources: own,
            id,
        })
    }
}

/// The matrix that puts an appearance's box, as its own matrix turns it, onto the annotation's
/// rectangle (ISO 32000-1 §12.5.5, algorithm steps a–b).
fn fit(matrix: &Matrix, [bx0, by0, bx1, by1]: [f64; 4], [rx0, ry0, rx1, ry1]: [f64; 4]) -> Matrix {
    let corners = [(bx0, by0), (bx1, by0), (bx0, by1), (bx1, by1)].map(|(x, y)| {
        (
            x * matrix[0] + y * matrix[2] + matrix[4],
            x * matrix[1] + y * matrix[3] + matrix[5],
        )
    });
    let min_x = corners.iter().map(|c| c.0).fold(f64::INFINITY, f64::min);
    let max_x = corners
        .iter()
        .map(|c| c.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let min_y = corners.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
    let max_y = corners
        .iter()
        .map(|c| c.1)
        .fold(f64::NEG_INFINITY, f64::max);
    let scale = |to: f64, from: f64| if from.abs() > 1e-9 { to / from } else { 1.0 };
    let sx = scale(rx1 - rx0, max_x - min_x);
    let sy = scale(ry1 - ry0, max_y - min_y);
    [sx, 0.0, 0.0, sy, rx0 - min_x * sx, ry0 - min_y * sy]
}

/// The font size a default-appearance string sets (`/Helv 10 Tf 0 g`): the number before `Tf`.
fn da_font_size(da: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(da).ok()?;
    let words: Vec<&str> = text.split_ascii_whitespace().collect();
    let at = words.iter().rposition(|w| *w == "Tf")?;
    words
        .get(at.checked_sub(1)?)?
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

impl<'d> Host<Res<'d>> for Walker<'d, '_> {
    fn font(&mut self, resources: Res<'d>, name: &[u8]) -> Result<Rc<Font>, Unreadable> {
        let Some(entry) = resources
            .and_then(|r| self.dict(r, b"Font"))
            .and_then(|f| f.get(name).ok())
        else {
            return Ok(self.unknown_font.clone());
        };
        let id = match entry {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        if let Some(f) = id.and_then(|id| self.fonts.get(&id)) {
            return Ok(f.clone());
        }
        let Object::Dictionary(d) = self.deref(entry) else {
            return Ok(self.unknown_font.clone());
        };
        let font = Rc::new(self.load_font(d)?);
        if let Some(id) = id {
            self.fonts.insert(id, font.clone());
        }
        Ok(font)
    }

    fn xobject(&mut self, resources: Res<'d>, name: &[u8]) -> Result<XObject<Res<'d>>, Unreadable> {
        let Some(entry) = resources
            .and_then(|r| self.dict(r, b"XObject"))
            .and_then(|x| x.get(name).ok())
        else {
            return Ok(XObject::None);
        };
        let Object::Reference(id) = entry else {
            // Streams are always indirect objects; anything else is not an XObject.
            return Ok(XObject::None);
        };
        let Object::Stream(s) = self.deref(entry) else {
            return Ok(XObject::None);
        };
        match self.name(&s.dict, b"Subtype") {
            Some(b"Image") => Ok(XObject::Image),
            Some(b"Form") => self.form(*id, s, resources),
            _ => Ok(XObject::None),
        }
    }

    fn budget(&mut self) -> &mut Budget {
        self.budget
    }
}

fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) if r.is_finite() => Some(f64::from(*r)),
        _ => None,
    }
}

/// A PDF text string (PDFDocEncoding, UTF-16BE or UTF-8 with BOM), control characters removed.
fn text_string(o: &Object) -> Option<String> {
    let Object::String(bytes, _) = o else {
        return None;
    };
    let s: String = decode_text_string(bytes)
        .chars()
        .map(|c| if c == '\r' { '\n' } else { c })
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect();
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// The characters of a PDF text string's bytes (ISO 32000-1 §7.9.2.2).
fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        // PDFDocEncoding agrees with Windows-1252 on the printable characters writers use.
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    }
}

/// [`crate::fuzz_entry::truetype_program`].
#[doc(hidden)]
pub(crate) fn fuzz_truetype_program(data: &[u8]) {
    font::fuzz_glyph_unicode(data);
}

/// [`crate::fuzz_entry::font_program`].
#[doc(hidden)]
pub(crate) fn fuzz_font_program(data: &[u8]) {
    font::fuzz_builtin_encoding(data);
}

#[cfg(test)]
mod tests;
