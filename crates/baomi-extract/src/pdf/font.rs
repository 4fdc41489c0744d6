//! Fonts: how the bytes of a shown string split into character codes, what text each code stands for,
//! and how far each advances (ISO 32000-1 §9.6–9.10).
//!
//! Text comes from, in order of preference:
//! 1. the font's `/ToUnicode` CMap (`bfchar`, `bfrange` onto a start value or onto an array, values of
//!    several characters; 1- to 4-byte codes);
//! 2. for Type0 fonts on a predefined CMap whose codes are themselves a character encoding: the Unicode
//!    CMaps (`Uni*-UCS2-*`, `Uni*-UTF16-*`, `Uni*-UTF8-*`, `Uni*-UTF32-*`) and the legacy multi-byte
//!    ones decoded with `encoding_rs` (`GB-EUC`, `GBpc-EUC`, `GBK-EUC`, `GBKp-EUC`, `GBK2K` → GBK/GB18030;
//!    `B5pc`, `ETen-B5`, `HKscs-B5`, `ETenms-B5` → Big5; `90ms-RKSJ`, `90msp-RKSJ`, `83pv-RKSJ` → Shift_JIS;
//!    `KSC-EUC`, `KSCms-UHC`, `KSCpc-EUC` → EUC-KR; `EUC` → EUC-JP) and their 7-bit (ISO-2022) forms
//!    (`H`/`V`, `GB`, `KSC`: JIS X 0208, GB 2312, KS X 1001 with the high bits clear);
//! 3. for simple fonts: `/Encoding` (WinAnsi, MacRoman, Standard, a `/Differences` array whose glyph
//!    names are known or of the `uniXXXX` / `uXXXX` forms).
//!
//! 4. for Type0 fonts whose descendant names one of Adobe's CJK character collections in
//!    `/CIDSystemInfo` (Adobe-GB1, Adobe-CNS1, Adobe-Japan1, Adobe-Korea1): the code's CID (the code
//!    itself under `Identity-H`/`-V`, or through the `cidrange`/`cidchar` entries of an embedded CMap)
//!    looked up in Adobe's CID → Unicode table of that collection (`cid/`, built by `cid/make.py`), as
//!    poppler does with poppler-data. Chinese PDFs from TeX (Fandol, ctex), Founder and older
//!    PostScript workflows carry CID-keyed fonts with no ToUnicode at all.
//!
//! 5. for Type0 fonts on `Identity-H`/`-V` over an embedded TrueType program (`CIDFontType2` with
//!    `/FontFile2`): the code's glyph (through `/CIDToGIDMap`) looked up in the font's own Unicode
//!    `cmap`, inverted, as poppler and pdf.js do. Office suites and PDF printers that leave out
//!    ToUnicode keep the whole font, cmap included.
//!
//! A ToUnicode CMap written with `cidrange`/`cidchar` (WPS and some Chinese PDF printers do) maps codes
//! onto the numbers given, read as Unicode scalars, as poppler reads them.
//!
//! Not supported (such text is left out, never guessed): `Identity-H`/`Identity-V` fonts without
//! `/ToUnicode` whose collection is `Identity` (the code is a glyph id), the CID-keyed CMaps that are not
//! an encoding (`Adobe-GB1-*`, `UniJIS-*` variants other than UCS2/UTF), and glyph names outside the
//! Latin sets. Such codes are counted as unmapped.

use super::lex::{Lexer, Tok};
use encoding_rs::Encoding;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// Entries read from one CMap at most: a real ToUnicode CMap of a CJK font has some tens of thousands.
const MAX_CMAP_ENTRIES: usize = 200_000;

/// How the bytes of a string split into codes.
#[derive(Debug, Clone)]
enum Codes {
    One,
    Two,
    /// UTF-16: two bytes, four for a surrogate pair.
    Utf16,
    Utf8,
    Four,
    /// Legacy CJK double-byte: a lead byte in `lead` starts a two-byte code.
    Double {
        lead: (u8, u8),
    },
    /// Codespace ranges of an embedded CMap: (length, low bytes, high bytes).
    Ranges(Vec<(usize, [u8; 4], [u8; 4])>),
}

/// Where text comes from when there is no ToUnicode entry for a code.
#[derive(Debug, Clone)]
enum Fallback {
    /// Nothing is known (Identity without ToUnicode, unknown CMap).
    None,
    /// Simple font: one string per byte (empty: unknown).
    Table(Box<[Option<char>; 256]>),
    /// Code is UTF-16 / UTF-8 / UTF-32 already.
    Utf16,
    Utf8,
    Utf32,
    /// Code bytes are in this legacy encoding.
    Legacy(&'static Encoding),
    /// Two-byte codes are the 7-bit (ISO-2022) form of this EUC encoding: each byte 0x21–0x7E is its
    /// EUC byte less 0x80 (the `H`, `GB`, `KSC` CMaps of JIS X 0208, GB 2312 and KS X 1001).
    SevenBit(&'static Encoding),
    /// The code's CID (the code itself, or through an embedded CMap's `cidrange`s), looked up in a
    /// character collection's table: one little-endian u32 scalar per CID, 0 for none.
    Collection {
        table: &'static [u8],
        cids: Option<CidRanges>,
    },
    /// The code is a CID; `cid_to_gid` (big-endian u16 per CID, none: identity) gives its glyph, and
    /// `unicode` the scalar of each glyph id from the font program's cmap (0: none).
    Glyphs {
        cid_to_gid: Option<Vec<u8>>,
        unicode: Vec<u32>,
    },
}

/// Whether the cmap subtable at `at` holds the arrays its 32-bit counts claim (formats 10, 12 and 13);
/// format 14 (variation sequences) names no characters of its own and is left out.
fn sane_subtable(cmap: &[u8], at: usize) -> bool {
    let u32_at = |i: usize| -> Option<usize> {
        let b = cmap.get(at.checked_add(i)?..at.checked_add(i + 4)?)?;
        usize::try_from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])).ok()
    };
    let Some(rest) = cmap.len().checked_sub(at) else {
        return false;
    };
    let fits = |count_at: usize, head: usize, item: usize| {
        u32_at(count_at)
            .and_then(|n| n.checked_mul(item)?.checked_add(head))
            .is_some_and(|need| need <= rest)
    };
    match cmap
        .get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
    {
        None | Some(14) => false,
        Some(10) => fits(16, 20, 2),
        Some(12 | 13) => fits(12, 16, 12),
        Some(_) => true,
    }
}

/// Glyph id → Unicode scalar from a TrueType/OpenType program's Unicode cmap: every BMP code point
/// (and plane 2, where CJK extension B lies, for a format 12 table) looked up, the lowest code point
/// kept for a glyph drawn for several. Looking code points up, rather than listing the table's own,
/// bounds the work whatever ranges a damaged table claims. `None` without a usable table.
fn glyph_unicode(program: &[u8]) -> Option<Vec<u32>> {
    let face = ttf_parser::RawFace::parse(program, 0).ok()?;
    let data = face.table(ttf_parser::Tag::from_bytes(b"cmap"))?;
    let cmap = ttf_parser::cmap::Table::parse(data)?;
    let mut best: Option<(u8, ttf_parser::cmap::Subtable<'_>)> = None;
    let count = u16::from_be_bytes([*data.get(2)?, *data.get(3)?]);
    for index in 0..count {
        // ttf-parser asserts (in debug builds) that a 32-bit array count fits its table: such a
        // subtable is left out here instead of being parsed.
        let record = 4 + usize::from(index) * 8;
        let offset = data.get(record + 4..record + 8)?;
        let offset = u32::from_be_bytes([offset[0], offset[1], offset[2], offset[3]]);
        if !sane_subtable(data, usize::try_from(offset).ok()?) {
            continue;
        }
        let Some(sub) = cmap.subtables.get(index) else {
            continue;
        };
        if !sub.is_unicode() {
            continue;
        }
        let full = matches!(sub.format, ttf_parser::cmap::Format::SegmentedCoverage(_));
        let rank = if full { 2 } else { 1 };
        if best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, sub));
        }
    }
    let (rank, sub) = best?;
    let mut unicode: Vec<u32> = Vec::new();
    let planes: &[std::ops::RangeInclusive<u32>] = if rank == 2 {
        &[0..=0xFFFF, 0x20000..=0x2FFFF]
    } else {
        &[0..=0xFFFF]
    };
    for plane in planes {
        for cp in plane.clone() {
            if (0xD800..0xE000).contains(&cp) {
                continue;
            }
            let Some(gid) = sub.glyph_index(cp) else {
                continue;
            };
            let gid = usize::from(gid.0);
            if unicode.len() <= gid {
                unicode.resize(gid + 1, 0);
            }
            if unicode[gid] == 0 {
                unicode[gid] = cp;
            }
        }
    }
    (!unicode.is_empty()).then_some(unicode)
}

/// `cidchar`/`cidrange` entries: (code length, first code, last code, value of the first), sorted.
#[derive(Debug, Clone, Default)]
pub(super) struct CidRanges(Vec<(u8, u32, u32, u32)>);

impl CidRanges {
    fn get(&self, len: usize, code: u32) -> Option<u32> {
        let key = (len as u8, code);
        let i = self.0.partition_point(|r| (r.0, r.1) <= key);
        let (l, lo, hi, start) = *self.0.get(i.checked_sub(1)?)?;
        (l == key.0 && code <= hi).then(|| start.saturating_add(code - lo))
    }
}

/// Whether an `/Ordering` names one of Adobe's CJK collections, whose table gives the text.
pub(super) fn is_collection(ordering: &[u8]) -> bool {
    collection(ordering).is_some()
}

/// Adobe's CID → Unicode table for a `/CIDSystemInfo` `/Ordering`.
fn collection(ordering: &[u8]) -> Option<&'static [u8]> {
    Some(match ordering {
        b"GB1" => include_bytes!("cid/Adobe-GB1.bin"),
        b"CNS1" => include_bytes!("cid/Adobe-CNS1.bin"),
        b"Japan1" => include_bytes!("cid/Adobe-Japan1.bin"),
        b"Korea1" => include_bytes!("cid/Adobe-Korea1.bin"),
        _ => return None,
    })
}

/// The cmap reader, for the fuzz target.
pub(super) fn fuzz_glyph_unicode(program: &[u8]) {
    if let Some(unicode) = glyph_unicode(program) {
        assert!(unicode.len() <= usize::from(u16::MAX) + 1);
    }
}

/// The readers of built-in encodings, for the fuzz target: the same bytes as each kind of program.
pub(super) fn fuzz_builtin_encoding(program: &[u8]) {
    for kind in [Program::Type1, Program::Cff] {
        let mut pairs = 0usize;
        builtin_encoding(kind, program, |_, name| {
            pairs += 1;
            let _ = glyph_char(name);
        });
        assert!(pairs <= 4096);
    }
}

fn collection_char(table: &[u8], cid: u32) -> Option<char> {
    let at = usize::try_from(cid).ok()?.checked_mul(4)?;
    let b = table.get(at..at + 4)?;
    match u32::from_le_bytes([b[0], b[1], b[2], b[3]]) {
        0 => None,
        u => char::from_u32(u),
    }
}

#[derive(Debug, Clone)]
enum Widths {
    Simple {
        first: u32,
        widths: Vec<f32>,
        missing: f32,
    },
    Cid {
        /// (first CID, last CID, width), sorted by first.
        ranges: Vec<(u32, u32, f32)>,
        default: f32,
        /// Codes are CIDs (Identity); otherwise CIDs are unknown and `default` is used.
        identity: bool,
    },
}

/// ToUnicode CMap: single codes and ranges, keyed by the code as a big-endian number with its byte length.
#[derive(Debug, Clone, Default)]
pub(super) struct ToUnicode {
    chars: HashMap<(u8, u32), String, BuildHasherDefault<CodeHasher>>,
    /// (length, low, high, value): value is the start (UTF-16 units, the last one incremented) or an array.
    ranges: Vec<(u8, u32, u32, RangeDst)>,
    /// `cidchar`/`cidrange`: in an encoding CMap, code → CID; in a ToUnicode CMap, code → scalar.
    cids: CidRanges,
    space: Vec<(usize, [u8; 4], [u8; 4])>,
    /// What [`ToUnicode::lookup`] gives for each one-byte code, worked out once: simple fonts (every
    /// subset LibreOffice and Word embed) show one-byte codes, and a hash lookup per glyph was a tenth
    /// of a PDF's time. `None` where the code has no text.
    one_byte: Option<Vec<Option<String>>>,
}

#[derive(Debug, Clone)]
enum RangeDst {
    Start(Vec<u16>),
    Array(Vec<String>),
}

/// One font, ready to turn shown strings into text.
#[derive(Debug, Clone)]
pub(super) struct Font {
    codes: Codes,
    to_unicode: Option<ToUnicode>,
    fallback: Fallback,
    widths: Widths,
    /// Glyph-space units per text-space unit ×1000 (1 for all but Type3 fonts).
    scale: f32,
    /// Identity-V and other `-V` CMaps: glyphs advance downwards.
    pub(super) vertical: bool,
}

/// What showing one code gives.
pub(super) struct Glyph {
    /// Advance in text-space units for a size of 1.
    pub(super) advance: f32,
    /// A single-byte code 32: word spacing applies.
    pub(super) is_space: bool,
}

impl Font {
    /// A font that shows nothing known: used when `Tf` names a font that is missing or unreadable, so
    /// positions still advance.
    pub(super) fn unknown() -> Font {
        Font {
            codes: Codes::One,
            to_unicode: None,
            fallback: Fallback::None,
            widths: Widths::Simple {
                first: 0,
                widths: Vec::new(),
                missing: 500.0,
            },
            scale: 1.0,
            vertical: false,
        }
    }

    /// Build a font from its dictionary entries, already dereferenced by the caller.
    pub(super) fn new(spec: &FontSpec<'_>) -> Font {
        let to_unicode = spec.to_unicode.and_then(parse_to_unicode);
        let mut font = if spec.subtype == b"Type0" {
            type0(spec)
        } else {
            simple(spec)
        };
        // A ToUnicode CMap with codespace ranges of its own tells the code lengths of a simple font
        // only when the font has no encoding CMap; Type0 fonts keep the encoding's split.
        font.to_unicode = to_unicode;
        // `/ToUnicode /Identity-H`, a name where a stream belongs: the two-byte codes are the
        // characters themselves, as poppler reads it.
        if spec.to_unicode_identity
            && font.to_unicode.is_none()
            && matches!(font.codes, Codes::Two)
            && matches!(font.fallback, Fallback::None)
        {
            font.fallback = Fallback::Utf16;
        }
        font
    }

    /// Decode `bytes`, appending text to `out` and calling `glyph` for each code's advance. Returns
    /// the number of codes that had no text.
    pub(super) fn decode(
        &self,
        bytes: &[u8],
        out: &mut String,
        mut glyph: impl FnMut(Glyph),
    ) -> usize {
        let mut unmapped = 0;
        let mut i = 0;
        while i < bytes.len() {
            let len = self.code_len(&bytes[i..]).clamp(1, bytes.len() - i);
            let raw = &bytes[i..i + len];
            i += len;
            let code = raw.iter().fold(0u32, |a, &b| a << 8 | u32::from(b));
            let is_space = len == 1 && code == 32;
            if !self.text_of(raw, code, out) {
                // Byte 32 is the word space of a one-byte code whatever glyph it draws (word
                // spacing applies to it alone), so a font that maps it to `.notdef` still
                // separates words with it.
                if is_space {
                    out.push(' ');
                } else {
                    unmapped += 1;
                }
            }
            glyph(Glyph {
                advance: self.width(code, len) * self.scale / 1000.0,
                is_space,
            });
        }
        unmapped
    }

    fn code_len(&self, b: &[u8]) -> usize {
        match &self.codes {
            Codes::One => 1,
            Codes::Two => 2,
            Codes::Four => 4,
            Codes::Utf16 => {
                if b.len() >= 4 && (0xD8..=0xDB).contains(&b[0]) {
                    4
                } else {
                    2
                }
            }
            Codes::Utf8 => match b[0] {
                0xF0..=0xF7 => 4,
                0xE0..=0xEF => 3,
                0xC0..=0xDF => 2,
                _ => 1,
            },
            Codes::Double { lead } => {
                if (lead.0..=lead.1).contains(&b[0]) {
                    2
                } else {
                    1
                }
            }
            Codes::Ranges(r) => match_codespace(r, b).unwrap_or(1),
        }
    }

    /// Append the text of one code; false when nothing is known for it.
    fn text_of(&self, raw: &[u8], code: u32, out: &mut String) -> bool {
        if let Some(tu) = &self.to_unicode
            && tu.lookup(raw.len(), code, out)
        {
            return true;
        }
        match &self.fallback {
            Fallback::None => false,
            Fallback::Table(t) => match t[raw[raw.len() - 1] as usize] {
                Some(c) => {
                    push_char(out, c);
                    true
                }
                None => false,
            },
            Fallback::Utf16 => {
                let units: Vec<u16> = raw
                    .chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect();
                push_utf16(out, &units)
            }
            Fallback::Utf8 => match std::str::from_utf8(raw) {
                Ok(s) => {
                    s.chars().for_each(|c| push_char(out, c));
                    true
                }
                Err(_) => false,
            },
            Fallback::Utf32 => match char::from_u32(code) {
                Some(c) => {
                    push_char(out, c);
                    true
                }
                None => false,
            },
            Fallback::Legacy(enc) => {
                if raw.len() == 1 && raw[0] < 0x80 {
                    push_char(out, char::from(raw[0]));
                    return true;
                }
                push_decoded(enc, raw, out)
            }
            Fallback::SevenBit(enc) => match raw {
                [a, b] => push_decoded(enc, &[a | 0x80, b | 0x80], out),
                _ => false,
            },
            Fallback::Glyphs {
                cid_to_gid,
                unicode,
            } => {
                let gid = match cid_to_gid {
                    None => Some(code),
                    Some(map) => usize::try_from(code)
                        .ok()
                        .and_then(|c| c.checked_mul(2))
                        .and_then(|at| map.get(at..at + 2))
                        .map(|b| u32::from(u16::from_be_bytes([b[0], b[1]]))),
                };
                match gid
                    .and_then(|g| unicode.get(usize::try_from(g).ok()?))
                    .and_then(|&u| char::from_u32(u))
                    .filter(|&c| c != '\0')
                {
                    Some(c) => {
                        push_char(out, c);
                        true
                    }
                    None => false,
                }
            }
            Fallback::Collection { table, cids } => {
                let cid = match cids {
                    None => Some(code),
                    Some(map) => map.get(raw.len(), code),
                };
                match cid.and_then(|cid| collection_char(table, cid)) {
                    Some(c) => {
                        push_char(out, c);
                        true
                    }
                    None => false,
                }
            }
        }
    }

    fn width(&self, code: u32, len: usize) -> f32 {
        match &self.widths {
            Widths::Simple {
                first,
                widths,
                missing,
            } => code
                .checked_sub(*first)
                .and_then(|i| widths.get(i as usize))
                .copied()
                .unwrap_or(*missing),
            Widths::Cid {
                ranges,
                default,
                identity,
            } => {
                if !identity {
                    // CIDs are unknown: single-byte codes of a legacy CMap are half-width.
                    return if len == 1 { default / 2.0 } else { *default };
                }
                let i = ranges.partition_point(|r| r.0 <= code);
                match i.checked_sub(1).map(|i| ranges[i]) {
                    Some((lo, hi, w)) if (lo..=hi).contains(&code) => w,
                    _ => *default,
                }
            }
        }
    }
}

/// Text is for people and for the detector: control characters and NULs are dropped, tabs kept.
/// Append `bytes` decoded from `enc`; false, and nothing appended, when they are not valid there.
fn push_decoded(enc: &'static Encoding, bytes: &[u8], out: &mut String) -> bool {
    let (s, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        return false;
    }
    s.chars().for_each(|c| push_char(out, c));
    true
}

fn push_char(out: &mut String, c: char) {
    if c == '\t' || !c.is_control() {
        out.push(c);
    }
}

fn push_utf16(out: &mut String, units: &[u16]) -> bool {
    let mut any = false;
    for c in char::decode_utf16(units.iter().copied()).flatten() {
        push_char(out, c);
        any = true;
    }
    any
}

fn match_codespace(ranges: &[(usize, [u8; 4], [u8; 4])], b: &[u8]) -> Option<usize> {
    ranges
        .iter()
        .find(|(len, lo, hi)| *len <= b.len() && (0..*len).all(|i| (lo[i]..=hi[i]).contains(&b[i])))
        .map(|r| r.0)
}

/// The entries of a font dictionary the decoder needs, resolved by the document walker (which owns
/// the object model), so this module knows nothing of lopdf.
#[derive(Default)]
pub(super) struct FontSpec<'a> {
    pub(super) subtype: &'a [u8],
    /// `/Encoding` as a name (predefined CMap or simple encoding), if it is one.
    pub(super) encoding_name: Option<&'a [u8]>,
    /// `/Encoding` as an embedded CMap stream (Type0), decompressed.
    pub(super) encoding_cmap: Option<&'a [u8]>,
    /// Simple fonts: `/BaseEncoding` of an encoding dictionary.
    pub(super) base_encoding: Option<&'a [u8]>,
    /// Simple fonts: `/Differences`, flattened: numbers and names.
    pub(super) differences: Vec<DiffItem<'a>>,
    /// Simple fonts: flag 4 (symbolic) of the descriptor.
    pub(super) symbolic: bool,
    /// `/BaseFont`.
    pub(super) base_font: &'a [u8],
    /// Decompressed `/ToUnicode`.
    pub(super) to_unicode: Option<&'a [u8]>,
    /// `/ToUnicode` is the name `Identity-H` (or `-V`) instead of a CMap stream.
    pub(super) to_unicode_identity: bool,
    /// Simple fonts: `/FirstChar`, `/Widths`, `/MissingWidth`.
    pub(super) first_char: u32,
    pub(super) widths: Vec<f32>,
    pub(super) missing_width: Option<f32>,
    /// Type0: the descendant's `/DW` and `/W` (flattened: numbers, and arrays as `WItem::Array`).
    pub(super) dw: Option<f32>,
    pub(super) w: Vec<WItem>,
    /// Type3: `/FontMatrix` a.
    pub(super) font_matrix_a: Option<f32>,
    /// Type0: the descendant's `/CIDSystemInfo` `/Ordering` (`GB1`, `Identity`, …).
    pub(super) ordering: Option<&'a [u8]>,
    /// Type0 over a `CIDFontType2` without ToUnicode nor a known collection: its decompressed
    /// `/FontFile2`, and `/CIDToGIDMap` when it is a stream (none: identity).
    pub(super) truetype: Option<&'a [u8]>,
    pub(super) cid_to_gid: Option<&'a [u8]>,
    /// Simple fonts without a named base encoding nor ToUnicode: the embedded font program,
    /// decompressed, whose built-in encoding is then the base.
    pub(super) builtin: Option<(Program, &'a [u8])>,
}

/// Kinds of embedded font program whose built-in encoding is read.
#[derive(Clone, Copy, Debug)]
pub(super) enum Program {
    /// `/FontFile`: Type 1, its encoding in the clear-text part (`dup 11 /ff put`).
    Type1,
    /// `/FontFile3` of subtype `Type1C`: a bare CFF font (`cff.rs`).
    Cff,
}

pub(super) enum DiffItem<'a> {
    Code(u32),
    Name(&'a [u8]),
}

pub(super) enum WItem {
    Num(f32),
    Array(Vec<f32>),
}

fn type0(spec: &FontSpec<'_>) -> Font {
    let name = spec.encoding_name.unwrap_or_default();
    let name_str = String::from_utf8_lossy(name);
    let vertical = name_str.ends_with("-V") || name_str == "V";
    let identity = name_str.starts_with("Identity-");
    let table = spec.ordering.and_then(collection);
    let (codes, fallback) = if identity {
        let fallback = match (table, spec.truetype) {
            (Some(table), _) => Fallback::Collection { table, cids: None },
            (None, Some(program)) => match glyph_unicode(program) {
                Some(unicode) => Fallback::Glyphs {
                    cid_to_gid: spec.cid_to_gid.map(<[u8]>::to_vec),
                    unicode,
                },
                None => Fallback::None,
            },
            (None, None) => Fallback::None,
        };
        (Codes::Two, fallback)
    } else if let Some(cmap) = spec.encoding_cmap {
        let parsed = parse_cmap(cmap);
        let fallback = match table {
            Some(table) if !parsed.cids.0.is_empty() => Fallback::Collection {
                table,
                cids: Some(parsed.cids),
            },
            _ => Fallback::None,
        };
        if parsed.space.is_empty() {
            (Codes::Two, fallback)
        } else {
            (Codes::Ranges(parsed.space), fallback)
        }
    } else {
        predefined(&name_str)
    };
    let default = spec.dw.unwrap_or(1000.0);
    Font {
        codes,
        to_unicode: None,
        fallback,
        widths: Widths::Cid {
            ranges: cid_widths(&spec.w),
            default,
            identity,
        },
        scale: 1.0,
        vertical,
    }
}

/// Predefined CMaps whose codes are an encoding of their own (see the module comment).
fn predefined(name: &str) -> (Codes, Fallback) {
    let base = name
        .strip_suffix("-H")
        .or_else(|| name.strip_suffix("-V"))
        .unwrap_or(name);
    // `UniJIS-UCS2-HW-H`: half-width Latin, the same codes.
    let base = base.strip_suffix("-HW").unwrap_or(base);
    if base.starts_with("Uni") {
        if base.ends_with("-UCS2") || base.ends_with("-UTF16") {
            return (Codes::Utf16, Fallback::Utf16);
        }
        if base.ends_with("-UTF8") {
            return (Codes::Utf8, Fallback::Utf8);
        }
        if base.ends_with("-UTF32") {
            return (Codes::Four, Fallback::Utf32);
        }
        return (Codes::Two, Fallback::None);
    }
    let legacy =
        |enc: &'static Encoding, lead: (u8, u8)| (Codes::Double { lead }, Fallback::Legacy(enc));
    let seven_bit = |enc: &'static Encoding| {
        (
            Codes::Double { lead: (0x21, 0x7E) },
            Fallback::SevenBit(enc),
        )
    };
    match base {
        "GB-EUC" | "GBpc-EUC" | "GBT-EUC" | "GBTpc-EUC" => legacy(encoding_rs::GBK, (0xA1, 0xFE)),
        "GBK-EUC" | "GBKp-EUC" => legacy(encoding_rs::GBK, (0x81, 0xFE)),
        // GBK2K has four-byte codes too; they are rare in PDFs and decode as unmapped pairs here.
        "GBK2K" => legacy(encoding_rs::GB18030, (0x81, 0xFE)),
        "B5pc" | "ETen-B5" | "HKscs-B5" | "ETenms-B5" | "B5" | "ETHK-B5" | "HKdla-B5"
        | "HKdlb-B5" | "HKgccs-B5" | "HKm314-B5" | "HKm471-B5" => {
            legacy(encoding_rs::BIG5, (0x81, 0xFE))
        }
        "90ms-RKSJ" | "90msp-RKSJ" | "83pv-RKSJ" | "90pv-RKSJ" | "Ext-RKSJ" | "Add-RKSJ"
        | "78-RKSJ" | "78ms-RKSJ" => {
            // Shift_JIS lead bytes are 81–9F and E0–FC; A1–DF are single-byte katakana.
            (
                Codes::Ranges(vec![
                    (2, [0x81, 0x40, 0, 0], [0x9F, 0xFC, 0, 0]),
                    (2, [0xE0, 0x40, 0, 0], [0xFC, 0xFC, 0, 0]),
                    (1, [0x00, 0, 0, 0], [0xFF, 0, 0, 0]),
                ]),
                Fallback::Legacy(encoding_rs::SHIFT_JIS),
            )
        }
        "KSC-EUC" | "KSCms-UHC" | "KSCpc-EUC" | "KSCms-UHC-HW" => {
            legacy(encoding_rs::EUC_KR, (0x81, 0xFE))
        }
        "EUC" | "78-EUC" => legacy(encoding_rs::EUC_JP, (0x8E, 0xFE)),
        // The 7-bit forms: `H`/`V` (the names are the whole CMap name) and their JIS variants,
        // GB 2312 and KS X 1001, every byte of a code in 0x21–0x7E.
        "H" | "V" | "Ext" | "Add" | "78" | "NWP" => seven_bit(encoding_rs::EUC_JP),
        "GB" | "GBT" => seven_bit(encoding_rs::GBK),
        "KSC" => seven_bit(encoding_rs::EUC_KR),
        _ => (Codes::Two, Fallback::None),
    }
}

fn cid_widths(w: &[WItem]) -> Vec<(u32, u32, f32)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < w.len() {
        match (&w[i], w.get(i + 1), w.get(i + 2)) {
            (WItem::Num(first), Some(WItem::Array(ws)), _) => {
                let first = *first as u32;
                for (k, &width) in ws.iter().enumerate() {
                    let cid = first.saturating_add(k as u32);
                    out.push((cid, cid, width));
                }
                i += 2;
            }
            (WItem::Num(a), Some(WItem::Num(b)), Some(WItem::Num(width))) => {
                out.push((*a as u32, *b as u32, *width));
                i += 3;
            }
            _ => i += 1,
        }
        if out.len() > MAX_CMAP_ENTRIES {
            break;
        }
    }
    out.sort_by_key(|r| r.0);
    out
}

fn simple(spec: &FontSpec<'_>) -> Font {
    let base = spec.encoding_name.or(spec.base_encoding);
    let standard14_symbol =
        spec.base_font.ends_with(b"Symbol") || spec.base_font.ends_with(b"Dingbats");
    let mut table: Box<[Option<char>; 256]> = Box::new([None; 256]);
    match base {
        Some(b"WinAnsiEncoding") => fill_legacy(&mut table, encoding_rs::WINDOWS_1252),
        Some(b"MacRomanEncoding") => fill_legacy(&mut table, encoding_rs::MACINTOSH),
        Some(b"PDFDocEncoding") => fill_legacy(&mut table, encoding_rs::WINDOWS_1252),
        _ if standard14_symbol => {}
        // Standard encoding (the default of Type1 fonts) and symbolic TrueType fonts without an
        // encoding: printable ASCII is the same in all of them but for two quotes.
        _ => {
            for c in 32u8..127 {
                table[c as usize] = Some(char::from(c));
            }
            if base.is_none() && !spec.symbolic || base == Some(b"StandardEncoding") {
                table[0x27] = Some('\u{2019}');
                table[0x60] = Some('\u{2018}');
            }
        }
    }
    if base.is_none()
        && let Some((kind, program)) = spec.builtin
    {
        builtin_encoding(kind, program, |code, name| {
            if let Some(c) = glyph_char(name) {
                table[usize::from(code)] = Some(c);
            }
        });
    }
    let mut code = 0u32;
    for d in &spec.differences {
        match d {
            DiffItem::Code(c) => code = *c,
            DiffItem::Name(n) => {
                if let Some(slot) = table.get_mut(code as usize) {
                    *slot = glyph_char(n);
                }
                code = code.saturating_add(1);
            }
        }
    }
    let scale = match spec.font_matrix_a {
        Some(a) if spec.subtype == b"Type3" && a.is_finite() && a != 0.0 => a * 1000.0,
        _ => 1.0,
    };
    // A standard font named without `/Widths`: its glyphs are as wide as Adobe's metrics say, not
    // a flat 500 that opens gaps inside kerned words.
    let standard = if spec.widths.is_empty() && spec.subtype != b"Type3" {
        super::std14::widths(spec.base_font)
    } else {
        None
    };
    let (first, widths) = match standard {
        Some(w) => (32, w.iter().map(|&v| f32::from(v)).collect()),
        None => (spec.first_char, spec.widths.clone()),
    };
    Font {
        codes: Codes::One,
        to_unicode: None,
        fallback: Fallback::Table(table),
        widths: Widths::Simple {
            first,
            widths,
            missing: spec
                .missing_width
                .unwrap_or(if spec.widths.is_empty() { 500.0 } else { 0.0 }),
        },
        scale,
        vertical: false,
    }
}

/// The (code, glyph name) pairs of a font program's built-in encoding.
fn builtin_encoding(kind: Program, program: &[u8], mut pair: impl FnMut(u8, &[u8])) {
    match kind {
        Program::Cff => super::cff::encoding(program, &mut pair),
        Program::Type1 => {
            // The clear-text part ends where the encrypted one starts; the encoding is an array
            // filled by `dup <code> /<name> put`, or `StandardEncoding`, the default anyway.
            let clear =
                &program[..memchr::memmem::find(program, b"eexec").unwrap_or(program.len())];
            let Some(at) = memchr::memmem::find(clear, b"/Encoding") else {
                return;
            };
            let mut words = clear[at + 9..]
                .split(|b| b.is_ascii_whitespace())
                .filter(|w| !w.is_empty());
            let mut prev: [&[u8]; 2] = [b"", b""];
            for word in words.by_ref().take(4096) {
                if word == b"def" || word == b"readonly" || word == b"StandardEncoding" {
                    break;
                }
                let [code, name] = prev;
                if word == b"put"
                    && let Some(name) = name.strip_prefix(b"/")
                    && let Some(code) = std::str::from_utf8(code).ok().and_then(|c| c.parse().ok())
                {
                    pair(code, name);
                }
                prev = [prev[1], word];
            }
        }
    }
}

fn fill_legacy(table: &mut [Option<char>; 256], enc: &'static Encoding) {
    for b in 32u8..=255 {
        let bytes = [b];
        let (s, _, had_errors) = enc.decode(&bytes);
        if !had_errors {
            table[b as usize] = s.chars().next().filter(|c| *c != '\u{FFFD}');
        }
    }
}

/// The Greek letters by their glyph names (`Gamma`, `alpha`, …).
fn greek(name: &str) -> Option<char> {
    const NAMES: [&str; 24] = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
        "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
        "chi", "psi", "omega",
    ];
    let lower = name.to_ascii_lowercase();
    let i = NAMES.iter().position(|n| *n == lower)?;
    // Lower case from U+03B1, capitals from U+0391; both skip the final-sigma slot after rho.
    let offset = u32::try_from(i).ok()? + u32::from(i >= 17);
    let first = if name.starts_with(|c: char| c.is_ascii_uppercase()) {
        0x391
    } else {
        0x3B1
    };
    char::from_u32(first + offset)
}

/// Glyph names of the Latin sets (WinAnsi order from 32) mapped through Windows-1252; other names by
/// the `uniXXXX`/`uXXXX[XX]` conventions; `name.suffix` as `name`.
fn glyph_char(name: &[u8]) -> Option<char> {
    let name = std::str::from_utf8(name).ok()?;
    let name = name.split('.').next().unwrap_or(name);
    // `.notdef` (and any name that is all suffix) names no character; the name table's unused
    // slots are empty strings, which it must not match.
    if name.is_empty() {
        return None;
    }
    // A name is bytes from the file: `uni` may be followed by anything, multi-byte characters too.
    if let Some(hex) = name.strip_prefix("uni").and_then(|h| h.get(..4)) {
        return u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
    }
    if let Some(hex) = name.strip_prefix('u')
        && (4..=6).contains(&hex.len())
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
    }
    if name.len() == 1 && name.as_bytes()[0].is_ascii_alphabetic() {
        return name.chars().next();
    }
    let extra = match name {
        "fi" => Some('\u{FB01}'),
        "fl" => Some('\u{FB02}'),
        "ff" => Some('\u{FB00}'),
        "ffi" => Some('\u{FB03}'),
        "ffl" => Some('\u{FB04}'),
        "dotlessi" => Some('ı'),
        "Lslash" => Some('Ł'),
        "lslash" => Some('ł'),
        "minus" => Some('−'),
        "fraction" => Some('⁄'),
        "nbspace" | "nonbreakingspace" => Some(' '),
        "sfthyphen" | "softhyphen" => Some('-'),
        "middot" => Some('·'),
        // TeX's math and Greek glyphs (cmsy, cmmi, OT1's capitals), named as in Adobe's glyph list.
        "element" => Some('∈'),
        "lessequal" => Some('≤'),
        "greaterequal" => Some('≥'),
        "notequal" => Some('≠'),
        "approxequal" => Some('≈'),
        "infinity" => Some('∞'),
        "arrowright" => Some('→'),
        "arrowleft" => Some('←'),
        "summation" => Some('∑'),
        "radical" => Some('√'),
        _ => greek(name),
    };
    if extra.is_some() {
        return extra;
    }
    let i = WIN_ANSI_NAMES.iter().position(|n| *n == name)?;
    let byte = [32 + i as u8];
    let (s, _, had_errors) = encoding_rs::WINDOWS_1252.decode(&byte);
    if had_errors {
        return None;
    }
    s.chars().next()
}

/// Glyph names of WinAnsiEncoding for codes 32..=255 (ISO 32000-1 Annex D); "" where none.
const WIN_ANSI_NAMES: [&str; 224] = [
    "space",
    "exclam",
    "quotedbl",
    "numbersign",
    "dollar",
    "percent",
    "ampersand",
    "quotesingle",
    "parenleft",
    "parenright",
    "asterisk",
    "plus",
    "comma",
    "hyphen",
    "period",
    "slash",
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "colon",
    "semicolon",
    "less",
    "equal",
    "greater",
    "question",
    "at",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "I",
    "J",
    "K",
    "L",
    "M",
    "N",
    "O",
    "P",
    "Q",
    "R",
    "S",
    "T",
    "U",
    "V",
    "W",
    "X",
    "Y",
    "Z",
    "bracketleft",
    "backslash",
    "bracketright",
    "asciicircum",
    "underscore",
    "grave",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "v",
    "w",
    "x",
    "y",
    "z",
    "braceleft",
    "bar",
    "braceright",
    "asciitilde",
    "",
    "Euro",
    "",
    "quotesinglbase",
    "florin",
    "quotedblbase",
    "ellipsis",
    "dagger",
    "daggerdbl",
    "circumflex",
    "perthousand",
    "Scaron",
    "guilsinglleft",
    "OE",
    "",
    "Zcaron",
    "",
    "",
    "quoteleft",
    "quoteright",
    "quotedblleft",
    "quotedblright",
    "bullet",
    "endash",
    "emdash",
    "tilde",
    "trademark",
    "scaron",
    "guilsinglright",
    "oe",
    "",
    "zcaron",
    "Ydieresis",
    "",
    "exclamdown",
    "cent",
    "sterling",
    "currency",
    "yen",
    "brokenbar",
    "section",
    "dieresis",
    "copyright",
    "ordfeminine",
    "guillemotleft",
    "logicalnot",
    "",
    "registered",
    "macron",
    "degree",
    "plusminus",
    "twosuperior",
    "threesuperior",
    "acute",
    "mu",
    "paragraph",
    "periodcentered",
    "cedilla",
    "onesuperior",
    "ordmasculine",
    "guillemotright",
    "onequarter",
    "onehalf",
    "threequarters",
    "questiondown",
    "Agrave",
    "Aacute",
    "Acircumflex",
    "Atilde",
    "Adieresis",
    "Aring",
    "AE",
    "Ccedilla",
    "Egrave",
    "Eacute",
    "Ecircumflex",
    "Edieresis",
    "Igrave",
    "Iacute",
    "Icircumflex",
    "Idieresis",
    "Eth",
    "Ntilde",
    "Ograve",
    "Oacute",
    "Ocircumflex",
    "Otilde",
    "Odieresis",
    "multiply",
    "Oslash",
    "Ugrave",
    "Uacute",
    "Ucircumflex",
    "Udieresis",
    "Yacute",
    "Thorn",
    "germandbls",
    "agrave",
    "aacute",
    "acircumflex",
    "atilde",
    "adieresis",
    "aring",
    "ae",
    "ccedilla",
    "egrave",
    "eacute",
    "ecircumflex",
    "edieresis",
    "igrave",
    "iacute",
    "icircumflex",
    "idieresis",
    "eth",
    "ntilde",
    "ograve",
    "oacute",
    "ocircumflex",
    "otilde",
    "odieresis",
    "divide",
    "oslash",
    "ugrave",
    "uacute",
    "ucircumflex",
    "udieresis",
    "yacute",
    "thorn",
    "ydieresis",
];

/// Hashes a (length, code) key with one multiply: every shown code is looked up, and the default
/// SipHash was a tenth of a PDF's reading time. Flooding is no concern here: the table is bounded by
/// `MAX_CMAP_ENTRIES` and a file's work by its time limit.
#[derive(Default)]
struct CodeHasher(u64);

impl std::hash::Hasher for CodeHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl ToUnicode {
    fn lookup(&self, len: usize, code: u32, out: &mut String) -> bool {
        if len == 1
            && let Some(table) = &self.one_byte
        {
            return match table.get(code as usize) {
                Some(Some(text)) => {
                    out.push_str(text);
                    true
                }
                _ => false,
            };
        }
        if self.lookup_in_maps(len, code, out) {
            return true;
        }
        // A map written for one-byte codes on a two-byte font (`<00> <ff>` codespace, Identity-H
        // strings): poppler looks codes up by their value, so the map still applies.
        if len == 2
            && let Some(Some(text)) = self.one_byte.as_ref().and_then(|t| t.get(code as usize))
        {
            out.push_str(text);
            return true;
        }
        false
    }

    /// The table behind [`ToUnicode::lookup`] for one-byte codes: each entry is what the maps give
    /// for that code, so the two cannot disagree. `None` when the CMap has no one-byte entries.
    fn one_byte_table(&self) -> Option<Vec<Option<String>>> {
        let has_one_byte = self.ranges.iter().any(|r| r.0 == 1)
            || self.cids.0.iter().any(|r| r.0 == 1)
            || self
                .chars
                .keys()
                .any(|&(len, code)| len == 1 || (len == 2 && code < 256));
        has_one_byte.then(|| {
            (0..256)
                .map(|code| {
                    let mut text = String::new();
                    self.lookup_in_maps(1, code, &mut text).then_some(text)
                })
                .collect()
        })
    }

    fn lookup_in_maps(&self, len: usize, code: u32, out: &mut String) -> bool {
        let len8 = len as u8;
        if let Some(s) = self.chars.get(&(len8, code)) {
            out.push_str(s);
            return true;
        }
        // Some writers give the one-byte codes of simple fonts as two-byte sources (`<0041>`).
        if len8 == 1
            && let Some(s) = self.chars.get(&(2, code))
        {
            out.push_str(s);
            return true;
        }
        // Ranges are few; the last one that holds the code wins, as later definitions override.
        for (l, lo, hi, dst) in self.ranges.iter().rev() {
            if *l != len8 || code < *lo || code > *hi {
                continue;
            }
            let off = code - lo;
            return match dst {
                RangeDst::Start(units) => {
                    let mut u = units.clone();
                    if let Some(last) = u.last_mut() {
                        // Offsets past the unit wrap, as the spec only allows ranges within one low byte.
                        *last = last.wrapping_add(off as u16);
                    }
                    push_utf16(out, &u)
                }
                RangeDst::Array(items) => match items.get(off as usize) {
                    Some(s) => {
                        out.push_str(s);
                        true
                    }
                    None => false,
                },
            };
        }
        match self.cids.get(len, code).and_then(char::from_u32) {
            Some(c) if !c.is_control() => {
                out.push(c);
                true
            }
            _ => false,
        }
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.chars.len() + self.ranges.len() + self.cids.0.len()
    }
}

fn code_of(b: &[u8]) -> Option<(u8, u32)> {
    if b.is_empty() || b.len() > 4 {
        return None;
    }
    Some((
        b.len() as u8,
        b.iter().fold(0u32, |a, &x| a << 8 | u32::from(x)),
    ))
}

fn utf16_string(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks(2)
        .map(|p| u16::from_be_bytes([p[0], p.get(1).copied().unwrap_or(0)]))
        .collect();
    let mut s = String::new();
    push_utf16(&mut s, &units);
    s
}

/// Parse a CMap: codespace ranges and `bfchar`/`bfrange` entries. Anything else (`cidrange`,
/// `usecmap`, PostScript around it) is skipped.
pub(super) fn parse_cmap(data: &[u8]) -> ToUnicode {
    #[derive(PartialEq)]
    enum Mode {
        None,
        Space,
        BfChar,
        BfRange,
        CidChar,
        CidRange,
    }
    enum Val {
        Str(Vec<u8>),
        Arr(Vec<Vec<u8>>),
        Name(Vec<u8>),
        Num(f64),
    }
    let mut out = ToUnicode::default();
    let mut lex = Lexer::new(data);
    let mut mode = Mode::None;
    let mut vals: Vec<Val> = Vec::new();
    let mut entries = 0usize;
    while let Some(tok) = lex.next_tok() {
        match tok {
            Tok::Op(op) => {
                mode = match op {
                    b"begincodespacerange" => Mode::Space,
                    b"beginbfchar" => Mode::BfChar,
                    b"beginbfrange" => Mode::BfRange,
                    b"begincidchar" => Mode::CidChar,
                    b"begincidrange" => Mode::CidRange,
                    _ => Mode::None,
                };
                vals.clear();
                continue;
            }
            Tok::Str(s) if mode != Mode::None => {
                vals.push(Val::Str(lex.string(s).to_vec()));
                lex.forget_strings();
            }
            Tok::Name(n) if mode == Mode::BfChar => vals.push(Val::Name(n.into_owned())),
            Tok::Num(v) if matches!(mode, Mode::CidChar | Mode::CidRange) => vals.push(Val::Num(v)),
            Tok::ArrOpen if mode == Mode::BfRange => {
                let mut items = Vec::new();
                while let Some(t) = lex.next_tok() {
                    match t {
                        Tok::Str(s) => {
                            items.push(lex.string(s).to_vec());
                            lex.forget_strings();
                        }
                        Tok::ArrClose => break,
                        _ => {}
                    }
                    if items.len() > 0xFFFF {
                        break;
                    }
                }
                vals.push(Val::Arr(items));
            }
            _ => {
                // A string outside a mapping block carries nothing: its bytes are not kept.
                lex.forget_strings();
                continue;
            }
        }
        entries += 1;
        if entries > MAX_CMAP_ENTRIES * 3 {
            break;
        }
        match mode {
            Mode::Space if vals.len() == 2 => {
                if let (Val::Str(lo), Val::Str(hi)) = (&vals[0], &vals[1])
                    && lo.len() == hi.len()
                    && (1..=4).contains(&lo.len())
                {
                    let mut l = [0u8; 4];
                    let mut h = [0u8; 4];
                    l[..lo.len()].copy_from_slice(lo);
                    h[..hi.len()].copy_from_slice(hi);
                    out.space.push((lo.len(), l, h));
                }
                vals.clear();
            }
            Mode::BfChar if vals.len() == 2 => {
                if let Val::Str(src) = &vals[0]
                    && let Some(key) = code_of(src)
                {
                    let text = match &vals[1] {
                        Val::Str(d) => utf16_string(d),
                        Val::Name(n) => glyph_char(n).map(String::from).unwrap_or_default(),
                        Val::Arr(_) | Val::Num(_) => String::new(),
                    };
                    if !text.is_empty() {
                        out.chars.insert(key, text);
                    }
                }
                vals.clear();
            }
            Mode::BfRange if vals.len() == 3 => {
                if let (Val::Str(lo), Val::Str(hi)) = (&vals[0], &vals[1])
                    && let (Some((len, lo)), Some((_, hi))) = (code_of(lo), code_of(hi))
                    && lo <= hi
                {
                    let dst = match &vals[2] {
                        Val::Str(d) => Some(RangeDst::Start(
                            d.chunks(2)
                                .map(|p| u16::from_be_bytes([p[0], p.get(1).copied().unwrap_or(0)]))
                                .collect(),
                        )),
                        Val::Arr(items) => Some(RangeDst::Array(
                            items.iter().map(|d| utf16_string(d)).collect(),
                        )),
                        Val::Name(_) | Val::Num(_) => None,
                    };
                    if let Some(dst) = dst {
                        out.ranges.push((len, lo, hi, dst));
                    }
                }
                vals.clear();
            }
            Mode::CidChar | Mode::CidRange
                if vals.len() == if mode == Mode::CidChar { 2 } else { 3 } =>
            {
                let (lo, hi, value) = match vals.as_slice() {
                    [Val::Str(c), Val::Num(v)] => (c, c, *v),
                    [Val::Str(lo), Val::Str(hi), Val::Num(v)] => (lo, hi, *v),
                    _ => {
                        vals.clear();
                        continue;
                    }
                };
                if let (Some((len, lo)), Some((_, hi))) = (code_of(lo), code_of(hi))
                    && lo <= hi
                    && (0.0..=f64::from(u32::MAX)).contains(&value)
                {
                    out.cids.0.push((len, lo, hi, value as u32));
                }
                vals.clear();
            }
            _ => {}
        }
        if out.chars.len() + out.ranges.len() + out.cids.0.len() > MAX_CMAP_ENTRIES {
            break;
        }
    }
    // Later definitions win: a stable sort keeps them after earlier ones with the same first code,
    // and `CidRanges::get` takes the last candidate.
    out.cids.0.sort_by_key(|r| (r.0, r.1));
    out.one_byte = out.one_byte_table();
    out
}

fn parse_to_unicode(data: &[u8]) -> Option<ToUnicode> {
    let t = parse_cmap(data);
    (!t.chars.is_empty() || !t.ranges.is_empty() || !t.cids.0.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_unicode_named_identity() {
        let font = Font::new(&FontSpec {
            subtype: b"Type0",
            encoding_name: Some(b"Identity-H"),
            to_unicode_identity: true,
            ..FontSpec::default()
        });
        assert_eq!(show(&font, &[0, 0x41, 0x5B, 0xC6]), ("A密".into(), 0));
    }

    #[test]
    fn a_one_byte_to_unicode_map_serves_two_byte_codes() {
        let map = b"begincmap 1 begincodespacerange <00> <ff> endcodespacerange
1 beginbfrange <42> <5f> <0061> endbfrange 1 beginbfchar <24> <0043> endbfchar endcmap";
        let font = Font::new(&FontSpec {
            subtype: b"Type0",
            encoding_name: Some(b"Identity-H"),
            to_unicode: Some(map),
            ..FontSpec::default()
        });
        assert_eq!(
            show(&font, &[0, 0x24, 0, 0x42, 0, 0x4F, 0x01, 0x24]),
            ("Can".into(), 1)
        );
    }

    #[test]
    fn one_byte_table_answers_as_the_maps_do() {
        let cmaps: [&[u8]; 4] = [
            b"1 begincodespacerange <00> <FF> endcodespacerange\n\
              3 beginbfchar <01> <4E2D> <02> <6587> <20> <0020> endbfchar\n\
              2 beginbfrange <30> <39> <0030> <38> <3A> [<0041> <0042>] endbfrange",
            // Two-byte sources for one-byte codes, one overridden by a one-byte source.
            b"2 beginbfchar <0041> <5BC6> <0042> <0058> endbfchar 1 beginbfchar <42> <0059> endbfchar",
            // Overlapping ranges (the later wins, even where its array has no item), a control.
            b"1 beginbfrange <00> <7F> <0041> endbfrange\n\
              1 beginbfrange <10> <20> [<4E00> <4E01>] endbfrange 1 beginbfchar <05> <0007> endbfchar",
            // Only two-byte codes: no table.
            b"1 beginbfchar <4E2D> <4E2D> endbfchar",
        ];
        for cmap in cmaps {
            let tu = parse_cmap(cmap);
            for code in 0..256u32 {
                let (mut fast, mut slow) = (String::new(), String::new());
                assert_eq!(
                    tu.lookup(1, code, &mut fast),
                    tu.lookup_in_maps(1, code, &mut slow),
                    "code {code:02X}"
                );
                assert_eq!(fast, slow, "code {code:02X}");
            }
        }
        assert!(parse_cmap(cmaps[3]).one_byte.is_none());
        assert!(parse_cmap(cmaps[0]).one_byte.is_some());
    }

    fn show(font: &Font, bytes: &[u8]) -> (String, usize) {
        let mut s = String::new();
        let n = font.decode(bytes, &mut s, |_| {});
        (s, n)
    }

    const CMAP: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar <0001> <5DE5> <0002> <00660066> <0003> <D840DC00> endbfchar
2 beginbfrange <0010> <0012> <4F5C> <0020> <0021> [<79D8> <5BC6>] endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";

    #[test]
    fn to_unicode_chars_ranges_arrays_and_multi_char() {
        let spec = FontSpec {
            subtype: b"Type0",
            encoding_name: Some(b"Identity-H"),
            to_unicode: Some(CMAP),
            ..FontSpec::default()
        };
        let f = Font::new(&spec);
        let (s, unmapped) = show(
            &f,
            &[0, 1, 0, 0x10, 0, 0x12, 0, 2, 0, 0x20, 0, 0x21, 0, 3, 0, 9],
        );
        assert_eq!(s, "工作佞ff秘密\u{20000}");
        assert_eq!(unmapped, 1);
        assert_eq!(f.to_unicode.as_ref().map(ToUnicode::len), Some(5));
    }

    #[test]
    fn predefined_cmaps() {
        let ucs2 = Font::new(&FontSpec {
            subtype: b"Type0",
            encoding_name: Some(b"UniGB-UCS2-H"),
            ..FontSpec::default()
        });
        assert_eq!(
            show(&ucs2, &[0x67, 0x3A, 0x5B, 0xC6, 0x26, 0x05]).0,
            "机密★"
        );
        let gbk = Font::new(&FontSpec {
            subtype: b"Type0",
            encoding_name: Some(b"GBK-EUC-H"),
            ..FontSpec::default()
        });
        let (bytes, _, _) = encoding_rs::GBK.encode("秘密 A1");
        assert_eq!(show(&gbk, &bytes).0, "秘密 A1");
        let identity = Font::new(&FontSpec {
            subtype: b"Type0",
            encoding_name: Some(b"Identity-H"),
            ..FontSpec::default()
        });
        assert_eq!(show(&identity, &[0, 5, 0, 6]), (String::new(), 2));
    }

    #[test]
    fn simple_encodings_and_differences() {
        let win = Font::new(&FontSpec {
            subtype: b"Type1",
            encoding_name: Some(b"WinAnsiEncoding"),
            ..FontSpec::default()
        });
        assert_eq!(show(&win, b"caf\xe9 \x80").0, "café €");
        let diff = Font::new(&FontSpec {
            subtype: b"Type1",
            base_encoding: Some(b"WinAnsiEncoding"),
            differences: vec![
                DiffItem::Code(1),
                DiffItem::Name(b"uni673A"),
                DiffItem::Name(b"u5BC6"),
                DiffItem::Name(b"eacute"),
                DiffItem::Name(b"A.sc"),
            ],
            ..FontSpec::default()
        });
        assert_eq!(show(&diff, b"\x01\x02\x03\x04x").0, "机密éAx");
        let mac = Font::new(&FontSpec {
            subtype: b"TrueType",
            encoding_name: Some(b"MacRomanEncoding"),
            ..FontSpec::default()
        });
        assert_eq!(show(&mac, b"\x8e").0, "é");
        // Byte 32 drawn as `.notdef` still separates words, and is no unread character.
        let blank_space = Font::new(&FontSpec {
            subtype: b"Type1",
            base_encoding: Some(b"WinAnsiEncoding"),
            differences: vec![DiffItem::Code(32), DiffItem::Name(b".notdef")],
            ..FontSpec::default()
        });
        assert_eq!(
            show(&blank_space, b"circuit board"),
            ("circuit board".into(), 0)
        );
        // Found by fuzzing: a multi-byte character inside the four digits after `uni`.
        assert_eq!(glyph_char("unibfe堜l".as_bytes()), None);
        assert_eq!(
            ["Gamma", "Omega", "alpha", "sigma", "tau", "element"]
                .map(|n| glyph_char(n.as_bytes())),
            [
                Some('Γ'),
                Some('Ω'),
                Some('α'),
                Some('σ'),
                Some('τ'),
                Some('∈')
            ]
        );
    }

    #[test]
    fn built_in_encoding_of_a_type1_program() {
        // The clear-text part of a Type 1 program as pdfTeX embeds it: the encoding array is filled
        // after a `for` loop that sets every slot to .notdef; the encrypted part is not looked at.
        let program = b"%!PS-AdobeFont-1.0: CMR10 003.002\n/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\ndup 11 /ff put\ndup 123 /endash put\ndup 97 /a put\nreadonly def\ncurrentdict end\ncurrentfile eexec\n\x00dup 98 /c put";
        let font = Font::new(&FontSpec {
            subtype: b"Type1",
            builtin: Some((Program::Type1, program)),
            ..FontSpec::default()
        });
        assert_eq!(show(&font, b"\x0b{ab"), ("\u{FB00}–ab".into(), 0));
        // A named base encoding wins over the program's.
        let named = Font::new(&FontSpec {
            subtype: b"Type1",
            encoding_name: Some(b"WinAnsiEncoding"),
            builtin: Some((Program::Type1, program)),
            ..FontSpec::default()
        });
        assert_eq!(show(&named, b"{").0, "{");
        // A program that is not one, or says StandardEncoding, leaves the standard table.
        for program in [
            &b"\xff\x00garbage"[..],
            b"/Encoding StandardEncoding def dup 65 /B put",
        ] {
            let font = Font::new(&FontSpec {
                subtype: b"Type1",
                builtin: Some((Program::Type1, program)),
                ..FontSpec::default()
            });
            assert_eq!(show(&font, b"A'").0, "A\u{2019}");
            let cff = Font::new(&FontSpec {
                subtype: b"Type1",
                builtin: Some((Program::Cff, program)),
                ..FontSpec::default()
            });
            assert_eq!(show(&cff, b"A").0, "A");
        }
    }

    #[test]
    fn seven_bit_and_euc_cmaps() {
        let font = |name: &'static [u8]| {
            Font::new(&FontSpec {
                subtype: b"Type0",
                encoding_name: Some(name),
                ..FontSpec::default()
            })
        };
        // あい in JIS X 0208 row 4, as the 7-bit `H` and `V` CMaps and `EUC-H` write them.
        assert_eq!(show(&font(b"H"), b"$\"$$").0, "あい");
        assert_eq!(show(&font(b"V"), b"$\"$$").0, "あい");
        assert!(font(b"V").vertical);
        assert_eq!(show(&font(b"EUC-H"), b"\xa4\xa2\xa4\xa4").0, "あい");
        // 机密 in GB 2312 (EUC-CN BBFA C3DC), 7-bit.
        assert_eq!(show(&font(b"GB-H"), b"\x3b\x7a\x43\x5c").0, "机密");
        // 비 in KS X 1001 (EUC-KR BAF1), 7-bit.
        assert_eq!(show(&font(b"KSC-H"), b"\x3a\x71").0, "비");
        // A half-width UCS-2 CMap is still UCS-2.
        assert_eq!(show(&font(b"UniJIS-UCS2-HW-H"), &[0x30, 0x42]).0, "あ");
    }

    #[test]
    fn widths() {
        let f = Font::new(&FontSpec {
            subtype: b"Type0",
            encoding_name: Some(b"Identity-H"),
            dw: Some(900.0),
            w: vec![
                WItem::Num(3.0),
                WItem::Array(vec![250.0, 300.0]),
                WItem::Num(10.0),
                WItem::Num(20.0),
                WItem::Num(500.0),
            ],
            ..FontSpec::default()
        });
        let mut adv = Vec::new();
        f.decode(&[0, 3, 0, 4, 0, 15, 0, 30], &mut String::new(), |g| {
            adv.push(g.advance)
        });
        assert_eq!(adv, vec![0.25, 0.3, 0.5, 0.9]);
    }

    /// Adobe-GB1 CIDs of 机 (2063), 密 (2785), ★ (174), 年 (2893), from Adobe's cid2code table.
    const GB1_MARKING: [u16; 4] = [2063, 2785, 174, 2893];

    fn cid_bytes(cids: &[u16]) -> Vec<u8> {
        cids.iter().flat_map(|c| c.to_be_bytes()).collect()
    }

    #[test]
    fn identity_codes_of_a_chinese_collection_are_read_through_adobes_table() {
        // xdvipdfmx (XeTeX, ctex's Fandol fonts) writes CID-keyed fonts with no ToUnicode.
        let spec = FontSpec {
            subtype: b"Type0",
            encoding_name: Some(b"Identity-H"),
            ordering: Some(b"GB1"),
            ..FontSpec::default()
        };
        let (s, unmapped) = show(&Font::new(&spec), &cid_bytes(&GB1_MARKING));
        assert_eq!((s.as_str(), unmapped), ("机密★年", 0));
        // CID 0 (.notdef) and CIDs past the collection name nothing.
        let (s, unmapped) = show(&Font::new(&spec), &cid_bytes(&[0, 60000]));
        assert_eq!((s.as_str(), unmapped), ("", 2));
        // A ToUnicode entry wins over the collection; codes it lacks fall back to the collection.
        let spec = FontSpec {
            to_unicode: Some(b"1 beginbfchar <080F> <79D8> endbfchar"),
            ..spec
        };
        assert_eq!(show(&Font::new(&spec), &cid_bytes(&[2063, 2785])).0, "秘密");
        // An Identity collection: the code is a glyph id, and nothing is guessed.
        let spec = FontSpec {
            subtype: b"Type0",
            encoding_name: Some(b"Identity-H"),
            ordering: Some(b"Identity"),
            ..FontSpec::default()
        };
        assert_eq!(
            show(&Font::new(&spec), &cid_bytes(&GB1_MARKING)),
            (String::new(), 4)
        );
    }

    #[test]
    fn an_embedded_encoding_cmap_gives_cids_for_the_collection() {
        let cmap = b"/CIDInit /ProcSet findresource begin begincmap
2 begincodespacerange <00> <80> <8140> <FEFE> endcodespacerange
1 begincidrange <20> <7e> 1 endcidrange
2 begincidchar <B0A1> 2063 <B0A2> 2785 endcidchar
1 begincidrange <C0A0> <C0A1> 174 endcidrange
endcmap";
        let spec = FontSpec {
            subtype: b"Type0",
            encoding_cmap: Some(cmap),
            ordering: Some(b"GB1"),
            ..FontSpec::default()
        };
        let (s, unmapped) = show(
            &Font::new(&spec),
            b"A\xB0\xA1\xB0\xA2\xC0\xA0\xC0\xA1\xB0\xA3",
        );
        assert_eq!((s.as_str(), unmapped), ("A机密★○", 1));
    }

    #[test]
    fn cid_ranges_in_a_to_unicode_cmap_are_unicode_values() {
        // A Chinese PDF printer's ToUnicode: bfchar for the low codes, cidrange for the rest.
        let cmap = b"1 begincodespacerange <0000> <FFFF> endcodespacerange
1 beginbfchar <0041> <0041> endbfchar
2 begincidrange <4e00> <4eff> 19968 <5b00> <5bff> 23296 endcidrange
1 begincidchar <0100> 26426 endcidchar";
        let spec = FontSpec {
            subtype: b"Type0",
            encoding_name: Some(b"Identity-H"),
            to_unicode: Some(cmap),
            ..FontSpec::default()
        };
        let (s, unmapped) = show(
            &Font::new(&spec),
            &[0, 0x41, 0x4E, 0x2D, 0x5B, 0xC6, 1, 0, 0x70, 0],
        );
        assert_eq!((s.as_str(), unmapped), ("A中密机", 1));
    }

    #[test]
    fn glyphs_through_the_cid_to_gid_map_and_the_programs_cmap() {
        // CID 1 → glyph 5 → 密; CID 0 → glyph 0 (.notdef): nothing; CID 2 is past the map.
        let font = Font {
            codes: Codes::Two,
            to_unicode: None,
            fallback: Fallback::Glyphs {
                cid_to_gid: Some(vec![0, 0, 0, 5]),
                unicode: vec![0, 0, 0, 0, 0, 0x5BC6],
            },
            ..Font::unknown()
        };
        assert_eq!(show(&font, &[0, 1, 0, 0, 0, 2]), ("密".to_owned(), 2));
        // A program whose cmap is one format 12 subtable: 密 on glyph 3.
        let program = |groups: u32, group: &[u8]| {
            let mut cmap = vec![0, 0, 0, 1, 0, 3, 0, 10, 0, 0, 0, 12];
            cmap.extend([0, 12, 0, 0]);
            cmap.extend((16 + group.len() as u32).to_be_bytes());
            cmap.extend([0, 0, 0, 0]);
            cmap.extend(groups.to_be_bytes());
            cmap.extend(group);
            let mut font = vec![0, 1, 0, 0, 0, 1, 0, 16, 0, 0, 0, 0];
            font.extend(b"cmap");
            font.extend([0, 0, 0, 0]);
            font.extend(28u32.to_be_bytes());
            font.extend((cmap.len() as u32).to_be_bytes());
            font.extend(cmap);
            font
        };
        let one = [0, 0, 0x5B, 0xC6, 0, 0, 0x5B, 0xC6, 0, 0, 0, 3];
        let unicode = glyph_unicode(&program(1, &one)).expect("a cmap");
        assert_eq!(unicode, [0, 0, 0, 0x5BC6]);
        // A group count past the table (fuzzing found ttf-parser asserting on it): no table, no panic.
        assert!(glyph_unicode(&program(0x1000_0000, &one)).is_none());
        // What is not a font program, or has no Unicode cmap, gives no table.
        assert!(glyph_unicode(b"").is_none());
        assert!(glyph_unicode(&[0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]).is_none());
    }
}
