//! Word 97–2003 binary documents (.doc), which Kingsoft WPS also writes for .wps (MS-DOC).
//!
//! All text of a document sits in one character space (CPs) made of stories laid end to end: main text,
//! footnotes, headers/footers, annotations, endnotes, text boxes, header text boxes, with the lengths in
//! the FIB. The piece table (CLX) maps CP runs to bytes of the `WordDocument` stream, either 8-bit
//! ("compressed", cp1252) or UTF-16; Chinese text is always in UTF-16 pieces. Character formatting is
//! not read: where a marking stands is told by the story, by the control characters in the text and by
//! one paragraph property, "page break before", which Word and LibreOffice use instead of a 0x0C.
//!
//! Word 6.0 and Word 95 (nFib 101–105; also written by WordPerfect, ClarisWorks and others as "Word 6")
//! keep the same stories and piece table in an older FIB, all in the `WordDocument` stream, and their
//! text in 8-bit pieces of the ANSI code page of the document's language (GBK for a Chinese Word 95,
//! two bytes per CJK character), or, with fExtChar set (the Far East editions, wIdent 0xA697–0xA699),
//! in 16-bit units that hold a double-byte code as a number (0x8AC7 for Shift_JIS 8A C7, 管). Their
//! paragraph properties use one-byte sprms, so "page break before" is not read there.

use super::{Ole, Out, u16_at, u32_at, usize_at};
use crate::{SegmentKind, Unreadable};
use baomi_core::UnscannedReason;
use encoding_rs::Encoding;

const PART: &str = "WordDocument";

/// Word 97 (and every later writer of this format, WPS included) has nFib ≥ 0xC1; a few early 97
/// betas and converters wrote 0xC0. Below that is the Word 6/95 FIB, laid out differently.
const MIN_NFIB: u16 = 0xC0;
/// Word 6.0 for Windows (101) to Word 95 (104, 105); 103 and 104 are also Word 6 for the Macintosh.
const WORD6_NFIB: std::ops::RangeInclusive<u16> = 101..=105;

pub(super) fn extract(ole: &mut Ole<'_>, out: &mut Out<'_>) -> Result<(), Unreadable> {
    let Some(wd) = ole.read(PART, out.budget)? else {
        return Err(Unreadable::corrupt("no WordDocument stream"));
    };
    let fib = Fib::parse(&wd)?;
    if fib.encrypted {
        return Err(Unreadable::new(
            UnscannedReason::Encrypted,
            "password-protected Word document",
        ));
    }
    // Word 6/95 has no table stream: its tables are in the WordDocument stream.
    let table = match &fib.word6 {
        Some(_) => None,
        None => {
            let table_name = if fib.table1 { "1Table" } else { "0Table" };
            let Some(table) = ole.read(table_name, out.budget)? else {
                return Err(Unreadable::corrupt(format!("no {table_name} stream")));
            };
            Some(table)
        }
    };
    let table: &[u8] = table.as_deref().unwrap_or(&wd);
    let (pieces, ansi) = match &fib.word6 {
        None => (piece_table(table, fib.clx)?, None),
        Some(w6) => {
            let pieces = if w6.complex {
                piece_table(table, fib.clx)?
                    .into_iter()
                    // Word 6 pieces are all of one kind, at the byte their fc gives.
                    .map(|p| Piece {
                        compressed: !w6.unicode,
                        offset: p.offset_word6,
                        ..p
                    })
                    .collect()
            } else {
                // No piece table: the stories lie one after another from fcMin.
                let total = [
                    fib.ccp_text,
                    fib.ccp_ftn,
                    fib.ccp_hdd,
                    fib.ccp_mcr,
                    fib.ccp_atn,
                    fib.ccp_edn,
                    fib.ccp_txbx,
                    fib.ccp_hdr_txbx,
                ]
                .iter()
                .fold(0u32, |a, &n| a.saturating_add(n));
                vec![Piece {
                    cp_start: 0,
                    cp_end: total,
                    offset: w6.fc_min,
                    offset_word6: w6.fc_min,
                    compressed: !w6.unicode,
                }]
            };
            let ansi = word6_encoding(w6, &wd, &pieces);
            (pieces, Some(ansi))
        }
    };
    let text = DocText {
        wd: &wd,
        pieces,
        ansi,
        max_units: usize::try_from(out.budget.limits.max_text).unwrap_or(usize::MAX),
    };

    // Stories in CP order; each starts where the previous ends.
    let mut at = 0u32;
    let mut story = |len: u32| {
        let start = at;
        at = at.saturating_add(len);
        (start, at)
    };
    let main = story(fib.ccp_text);
    let ftn = story(fib.ccp_ftn);
    let hdd = story(fib.ccp_hdd);
    let _macro = story(fib.ccp_mcr);
    let atn = story(fib.ccp_atn);
    let edn = story(fib.ccp_edn);
    let txbx = story(fib.ccp_txbx);
    let hdr_txbx = story(fib.ccp_hdr_txbx);

    let mut chunks = Vec::new();
    let units = text.units_mapped(main.0, main.1, out, &mut chunks)?;
    let marks = match fib.word6 {
        None => page_break_before(&wd, table, &fib, out)?,
        Some(_) => Vec::new(),
    };
    let breaks = paragraph_starts(&units, &chunks, &marks, out)?;
    drop(chunks);
    let body = clean_at(&units, true, &breaks);
    drop(units);
    for (i, page) in body.iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        out.emit(SegmentKind::Body, Some(n), None, PART, page)?;
    }

    headers(&text, table, &fib, hdd, out)?;
    for (range, kind) in [
        (ftn, SegmentKind::Note),
        (edn, SegmentKind::Note),
        (atn, SegmentKind::Comment),
        (txbx, SegmentKind::TextBox),
        // Text boxes anchored in a header print on every page like the header itself.
        (hdr_txbx, SegmentKind::Header),
    ] {
        out.budget.check_time()?;
        if range.0 == range.1 {
            continue;
        }
        let units = text.units(range.0, range.1, out)?;
        out.emit(kind, None, None, PART, &clean(&units, false).join("\n"))?;
    }
    let r = super::summary_information(ole, out);
    out.soft("\u{5}SummaryInformation", r)?;
    Ok(())
}

/// What we need from the File Information Block.
#[derive(Debug, Default)]
struct Fib {
    encrypted: bool,
    /// Which table stream holds the piece table: `1Table` when set, else `0Table`.
    table1: bool,
    ccp_text: u32,
    ccp_ftn: u32,
    ccp_hdd: u32,
    ccp_mcr: u32,
    ccp_atn: u32,
    ccp_edn: u32,
    ccp_txbx: u32,
    ccp_hdr_txbx: u32,
    /// (offset, length) in the table stream.
    clx: (usize, usize),
    plcf_hdd: (usize, usize),
    stshf: (usize, usize),
    plcf_bte_papx: (usize, usize),
    /// Word 6.0 / Word 95.
    word6: Option<Word6>,
}

#[derive(Debug)]
struct Word6 {
    /// The text is in pieces (fast saves); otherwise it lies from `fc_min` on.
    complex: bool,
    fc_min: usize,
    /// Language of the document, which names its ANSI code page.
    lid: u16,
    /// 256: Macintosh character set.
    chse: u16,
    /// 0xA697 Japanese, 0xA698 Korean, 0xA699 Chinese editions; 0xA5DC the others.
    ident: u16,
    /// fExtChar: the text is in 16-bit units, each a double-byte code or a single byte (the Far East
    /// editions), not in bytes.
    unicode: bool,
}

impl Fib {
    fn parse(wd: &[u8]) -> Result<Fib, Unreadable> {
        let short = || Unreadable::corrupt("WordDocument stream shorter than its FIB");
        let ident = u16_at(wd, 0).ok_or_else(short)?;
        let nfib = u16_at(wd, 2).ok_or_else(short)?;
        let flags = u16_at(wd, 0x0A).ok_or_else(short)?;
        // fEncrypted covers both RC4/CryptoAPI encryption and XOR obfuscation (fObfuscated).
        let encrypted = flags & 0x0100 != 0;
        // Word 6/95 files carry 0xA5DC; some other writers of the format put other values here,
        // which Word and LibreOffice open all the same, so the version decides.
        if WORD6_NFIB.contains(&nfib) && matches!(ident >> 8, 0xA5 | 0xA6) {
            if encrypted {
                return Ok(Fib {
                    encrypted,
                    ..Fib::default()
                });
            }
            return Fib::parse_word6(wd, ident, flags);
        }
        if ident != 0xA5EC {
            return Err(Unreadable::corrupt(format!(
                "WordDocument stream does not start with a FIB (wIdent {ident:#06x})"
            )));
        }
        if nfib < MIN_NFIB && !encrypted {
            return Err(Unreadable::new(
                UnscannedReason::UnsupportedFormat,
                format!(
                    "Word document of a version before Word 97 that is not Word 6/95 (nFib {nfib:#x}): not read"
                ),
            ));
        }
        let mut fib = Fib {
            encrypted,
            table1: flags & 0x0200 != 0,
            ..Fib::default()
        };
        if encrypted {
            return Ok(fib);
        }
        // FibBase (32 bytes), then three variable arrays, each preceded by its element count.
        let csw = usize::from(u16_at(wd, 32).ok_or_else(short)?);
        let lw_count_at = 34 + csw * 2;
        let cslw = usize::from(u16_at(wd, lw_count_at).ok_or_else(short)?);
        let lw = lw_count_at + 2;
        let fc_count_at = lw + cslw * 4;
        let cb_fc = usize::from(u16_at(wd, fc_count_at).ok_or_else(short)?);
        let fc = fc_count_at + 2;
        let long = |i: usize| -> Result<u32, Unreadable> {
            if i >= cslw {
                return Ok(0);
            }
            let v = u32_at(wd, lw + i * 4).ok_or_else(short)?;
            // Counts are signed in the spec; a negative one is damage, read as an empty story.
            Ok(if v > i32::MAX as u32 { 0 } else { v })
        };
        let pair = |i: usize| -> Result<(usize, usize), Unreadable> {
            if i >= cb_fc {
                return Ok((0, 0));
            }
            let at = fc + i * 8;
            Ok((
                usize_at(wd, at).ok_or_else(short)?,
                usize_at(wd, at + 4).ok_or_else(short)?,
            ))
        };
        fib.ccp_text = long(3)?;
        fib.ccp_ftn = long(4)?;
        fib.ccp_hdd = long(5)?;
        fib.ccp_mcr = long(6)?;
        fib.ccp_atn = long(7)?;
        fib.ccp_edn = long(8)?;
        fib.ccp_txbx = long(9)?;
        fib.ccp_hdr_txbx = long(10)?;
        fib.stshf = pair(1)?;
        fib.plcf_hdd = pair(11)?;
        fib.plcf_bte_papx = pair(13)?;
        fib.clx = pair(33)?;
        Ok(fib)
    }

    /// The Word 6/95 FIB: fixed offsets, 32-bit CP counts from 0x34, then (fc, lcb) pairs from 0x58
    /// in the same order as Word 97's.
    fn parse_word6(wd: &[u8], ident: u16, flags: u16) -> Result<Fib, Unreadable> {
        let short = || Unreadable::corrupt("WordDocument stream shorter than its Word 6 FIB");
        let long = |at: usize| -> Result<u32, Unreadable> {
            let v = u32_at(wd, at).ok_or_else(short)?;
            Ok(if v > i32::MAX as u32 { 0 } else { v })
        };
        let pair = |i: usize| -> Result<(usize, usize), Unreadable> {
            let at = 0x58 + i * 8;
            Ok((
                usize_at(wd, at).ok_or_else(short)?,
                usize_at(wd, at + 4).ok_or_else(short)?,
            ))
        };
        Ok(Fib {
            ccp_text: long(0x34)?,
            ccp_ftn: long(0x38)?,
            ccp_hdd: long(0x3C)?,
            ccp_mcr: long(0x40)?,
            ccp_atn: long(0x44)?,
            ccp_edn: long(0x48)?,
            ccp_txbx: long(0x4C)?,
            ccp_hdr_txbx: long(0x50)?,
            stshf: pair(1)?,
            plcf_hdd: pair(11)?,
            plcf_bte_papx: pair(13)?,
            clx: pair(33)?,
            word6: Some(Word6 {
                complex: flags & 0x0004 != 0,
                fc_min: usize_at(wd, 0x18).ok_or_else(short)?,
                lid: u16_at(wd, 0x06).ok_or_else(short)?,
                chse: u16_at(wd, 0x14).ok_or_else(short)?,
                unicode: flags & 0x1000 != 0,
                ident,
            }),
            ..Fib::default()
        })
    }
}

/// The code page of a Word 6/95 document's 8-bit text: the Macintosh set, or the ANSI code page of
/// its language; for English and unknown languages (a Chinese Windows often saves with lid 0x0409),
/// what chardetng makes of the text itself.
fn word6_encoding(w6: &Word6, wd: &[u8], pieces: &[Piece]) -> &'static Encoding {
    if w6.chse == 256 {
        return encoding_rs::MACINTOSH;
    }
    // The Far East editions name their language in wIdent, whatever the lid says (0x0409 in all seen).
    match w6.ident {
        0xA697 => return encoding_rs::SHIFT_JIS,
        0xA698 => return encoding_rs::EUC_KR,
        _ => {}
    }
    match w6.lid {
        0x0804 | 0x1004 => return encoding_rs::GBK,
        0x0404 | 0x0C04 | 0x1404 => return encoding_rs::BIG5,
        0x0411 => return encoding_rs::SHIFT_JIS,
        0x0412 => return encoding_rs::EUC_KR,
        0x0419 | 0x0422 | 0x0423 | 0x0402 | 0x0C1A | 0x042F => return encoding_rs::WINDOWS_1251,
        0x0405 | 0x0415 | 0x040E | 0x041B | 0x0424 | 0x041A | 0x0418 | 0x041C => {
            return encoding_rs::WINDOWS_1250;
        }
        0x0408 => return encoding_rs::WINDOWS_1253,
        0x041F => return encoding_rs::WINDOWS_1254,
        0x040D => return encoding_rs::WINDOWS_1255,
        0x0401 => return encoding_rs::WINDOWS_1256,
        0x0425..=0x0427 => return encoding_rs::WINDOWS_1257,
        0x041E => return encoding_rs::WINDOWS_874,
        0x042A => return encoding_rs::WINDOWS_1258,
        _ => {}
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let mut fed = 0usize;
    let width = if w6.unicode { 2 } else { 1 };
    for p in pieces {
        let len = usize::try_from(p.cp_end - p.cp_start).unwrap_or(usize::MAX);
        let end = p
            .offset
            .saturating_add(len.saturating_mul(width))
            .min(wd.len());
        let Some(bytes) = wd.get(p.offset..end) else {
            continue;
        };
        let wide: Vec<u8>;
        let bytes = if w6.unicode {
            wide = bytes
                .chunks_exact(2)
                .flat_map(|c| match (c[1], c[0]) {
                    (0, lo) => vec![lo],
                    (hi, lo) => vec![hi, lo],
                })
                .collect();
            &wide[..]
        } else {
            bytes
        };
        let bytes = &bytes[..bytes.len().min(TEXT_SNIFF - fed)];
        detector.feed(bytes, false);
        fed += bytes.len();
        if fed >= TEXT_SNIFF {
            break;
        }
    }
    detector.feed(&[], true);
    if w6.ident == 0xA699 {
        // Simplified or traditional: a short GBK text can look like windows-1252 to chardetng.
        let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
        return if guess == encoding_rs::BIG5 {
            guess
        } else {
            encoding_rs::GBK
        };
    }
    detector.guess(None, chardetng::Utf8Detection::Deny)
}

/// Bytes of a Word 6 document's text chardetng sees at most.
const TEXT_SNIFF: usize = 64 * 1024;

/// One run of CPs stored contiguously in the WordDocument stream.
#[derive(Debug, Clone, Copy)]
struct Piece {
    cp_start: u32,
    cp_end: u32,
    /// Byte offset of the first character.
    offset: usize,
    /// 8-bit cp1252 characters rather than UTF-16.
    compressed: bool,
    /// Where the piece starts if this is a Word 6 document, whose fc is always a byte offset.
    offset_word6: usize,
}

/// The piece table from the CLX: skip the Prc entries (formatting), read the Pcdt.
fn piece_table(table: &[u8], (fc, lcb): (usize, usize)) -> Result<Vec<Piece>, Unreadable> {
    let clx = fc
        .checked_add(lcb)
        .and_then(|end| table.get(fc..end))
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Unreadable::corrupt("piece table (CLX) outside the table stream"))?;
    let mut pos = 0usize;
    // Each Prc is at least 3 bytes, so this loop ends within clx.len() / 3 turns.
    while clx.get(pos) == Some(&0x01) {
        let cb =
            u16_at(clx, pos + 1).ok_or_else(|| Unreadable::corrupt("truncated Prc in the CLX"))?;
        pos = pos + 3 + usize::from(cb);
    }
    if clx.get(pos) != Some(&0x02) {
        return Err(Unreadable::corrupt("no Pcdt in the CLX"));
    }
    let lcb = usize_at(clx, pos + 1).ok_or_else(|| Unreadable::corrupt("truncated Pcdt"))?;
    let plc = pos
        .checked_add(5)
        .and_then(|s| Some((s, s.checked_add(lcb)?)))
        .and_then(|(s, e)| clx.get(s..e))
        .ok_or_else(|| Unreadable::corrupt("PlcPcd longer than the CLX"))?;
    // n+1 CPs of 4 bytes, then n PCDs of 8 bytes.
    if plc.len() < 4 || (plc.len() - 4) % 12 != 0 {
        return Err(Unreadable::corrupt("PlcPcd of an impossible size"));
    }
    let n = (plc.len() - 4) / 12;
    let mut pieces = Vec::with_capacity(n);
    for i in 0..n {
        let (Some(cp_start), Some(cp_end), Some(fc)) = (
            u32_at(plc, i * 4),
            u32_at(plc, i * 4 + 4),
            u32_at(plc, (n + 1) * 4 + i * 8 + 2),
        ) else {
            break;
        };
        if cp_end <= cp_start {
            continue;
        }
        let compressed = fc & 0x4000_0000 != 0;
        let offset_word6 = usize::try_from(fc).unwrap_or(usize::MAX);
        let fc = fc & 0x3FFF_FFFF;
        let offset = if compressed { fc / 2 } else { fc };
        pieces.push(Piece {
            cp_start,
            cp_end,
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
            compressed,
            offset_word6,
        });
    }
    Ok(pieces)
}

/// The text of a document as CPs, through its piece table.
struct DocText<'a> {
    wd: &'a [u8],
    pieces: Vec<Piece>,
    /// Word 6/95: the code page of the 8-bit pieces (else cp1252, as MS-DOC names).
    ansi: Option<&'static Encoding>,
    /// UTF-16 units gathered for one story at most (overlapping pieces may repeat bytes).
    max_units: usize,
}

/// Where a run of gathered units came from, to find a byte of the stream among the units.
#[derive(Debug, Clone, Copy)]
struct Chunk {
    /// Byte range in the WordDocument stream.
    start: usize,
    end: usize,
    compressed: bool,
    /// Index of its first unit.
    unit: usize,
}

impl DocText<'_> {
    /// UTF-16 code units of CPs `from..to`. Pieces pointing outside the stream contribute what is there.
    fn units(&self, from: u32, to: u32, out: &mut Out<'_>) -> Result<Vec<u16>, Unreadable> {
        self.units_mapped(from, to, out, &mut Vec::new())
    }

    /// [`Self::units`], also telling in `chunks` which bytes each stretch of units was read from:
    /// formatting is keyed by stream offsets, and a truncated piece shifts every later unit.
    fn units_mapped(
        &self,
        from: u32,
        to: u32,
        out: &mut Out<'_>,
        chunks: &mut Vec<Chunk>,
    ) -> Result<Vec<u16>, Unreadable> {
        let mut units = Vec::new();
        for (i, p) in self.pieces.iter().enumerate() {
            if i % 1024 == 0 {
                out.budget.check_time()?;
            }
            let start = p.cp_start.max(from);
            let end = p.cp_end.min(to);
            if start >= end {
                continue;
            }
            let skip = usize::try_from(start - p.cp_start).unwrap_or(usize::MAX);
            let count = usize::try_from(end - start).unwrap_or(usize::MAX);
            if units.len().saturating_add(count) > self.max_units {
                return Err(Unreadable::limit(
                    "Word piece table describes more text than the text limit",
                ));
            }
            if p.compressed {
                let Some(s) = p.offset.checked_add(skip) else {
                    continue;
                };
                let e = s.saturating_add(count).min(self.wd.len());
                if let Some(bytes) = self.wd.get(s..e) {
                    chunks.push(Chunk {
                        start: s,
                        end: e,
                        compressed: true,
                        unit: units.len(),
                    });
                    match self.ansi {
                        None => units.extend(bytes.iter().map(|&b| cp1252(b))),
                        Some(enc) => ansi_units(enc, bytes, &mut units),
                    }
                }
            } else {
                let Some(s) = skip.checked_mul(2).and_then(|k| p.offset.checked_add(k)) else {
                    continue;
                };
                let e = s.saturating_add(count.saturating_mul(2)).min(self.wd.len());
                if let Some(bytes) = self.wd.get(s..e) {
                    chunks.push(Chunk {
                        start: s,
                        end: e,
                        compressed: false,
                        unit: units.len(),
                    });
                    let wide = bytes
                        .chunks_exact(2)
                        .map(|c| u16::from_le_bytes([c[0], c[1]]));
                    match self.ansi {
                        None => units.extend(wide),
                        // Word 6 Far East: each unit a code of the code page, one unit per CP kept.
                        Some(enc) => {
                            for u in wide {
                                let [hi, lo] = u.to_be_bytes();
                                let at = units.len();
                                match hi {
                                    0 => ansi_units(enc, &[lo], &mut units),
                                    // No lead byte: a Western character (0x1093 is “), as
                                    // LibreOffice reads them.
                                    0x01..=0x80 => units.push(cp1252(lo)),
                                    _ => ansi_units(enc, &[hi, lo], &mut units),
                                }
                                units.truncate(at + 1);
                            }
                        }
                    }
                }
            }
        }
        Ok(units)
    }
}

/// Word 6 text in a code page, one unit per byte so that CPs still index the units: the second byte
/// of a double-byte character becomes 0x01, a control character [`clean`] drops.
fn ansi_units(enc: &'static Encoding, bytes: &[u8], units: &mut Vec<u16>) {
    // What `src` decodes to, if it is exactly one character.
    let one = |src: &[u8], buf: &mut [u16; 2]| -> Option<usize> {
        let mut decoder = enc.new_decoder_without_bom_handling();
        let (result, read, written) = decoder.decode_to_utf16_without_replacement(src, buf, true);
        let whole = matches!(result, encoding_rs::DecoderResult::InputEmpty) && read == src.len();
        // One character is one unit, or two for a surrogate pair.
        (whole && (written == 1 || (written == 2 && (0xD800..0xDC00).contains(&buf[0]))))
            .then_some(written)
    };
    let mut buf = [0u16; 2];
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            units.push(u16::from(b));
            i += 1;
            continue;
        }
        if !enc.is_single_byte()
            && let Some(pair) = bytes.get(i..i + 2)
            && let Some(n) = one(pair, &mut buf)
        {
            units.extend_from_slice(&buf[..n]);
            if n == 1 {
                units.push(0x01);
            }
            i += 2;
            continue;
        }
        units.push(match one(&bytes[i..=i], &mut buf) {
            Some(1) => buf[0],
            _ => 0xFFFD,
        });
        i += 1;
    }
}

/// A byte of a compressed piece. MS-DOC 2.9.73 names cp1252 with the C1 range mapped as Windows does.
fn cp1252(b: u8) -> u16 {
    const HIGH: [u16; 32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => u16::from(b),
    }
}

/// Word's control characters → lines: field codes (between 0x13 and 0x14) dropped and their results
/// kept, paragraph marks, line and column breaks become line ends, a table cell mark a tab and the
/// row-end mark (a cell mark right after one) a line end. With `paginate`, page and section breaks
/// (0x0C) split the text into pages. Blank lines are dropped as in the other office parsers, so a
/// marking stays among the first lines of its page however much spacing precedes it.
fn clean(units: &[u16], paginate: bool) -> Vec<String> {
    clean_at(units, paginate, &[])
}

/// [`clean`], also starting a page at each unit index of `breaks` (ascending): the paragraphs with
/// "page break before".
fn clean_at(units: &[u16], paginate: bool, breaks: &[usize]) -> Vec<String> {
    let mut pages: Vec<String> = Vec::new();
    let mut page = String::new();
    let mut line = String::new();
    // One entry per open field: false while in its code, true once in its result.
    let mut fields: Vec<bool> = Vec::new();
    let mut in_code = 0usize;
    let mut after_cell = false;
    let mut utf8: Vec<u8> = Vec::new();
    let end_line = |page: &mut String, line: &mut String| {
        // Leading white space is indentation or the tab after a note's reference mark.
        let l = line.trim();
        if !l.is_empty() {
            if !page.is_empty() {
                page.push('\n');
            }
            page.push_str(l);
        }
        line.clear();
    };
    let mut breaks = breaks.iter().copied().peekable();
    let mut at = 0usize;
    while at < units.len() {
        let here = at;
        while breaks.next_if(|&b| b < here).is_some() {}
        if breaks.next_if_eq(&here).is_some() && paginate && in_code == 0 {
            end_line(&mut page, &mut line);
            if !page.is_empty() {
                pages.push(std::mem::take(&mut page));
            }
        }
        // The same break given twice counts once.
        while breaks.next_if_eq(&here).is_some() {}
        // Ordinary characters (none below U+0020) up to the next control or page break, converted in
        // one step: character by character, this was most of a .doc's reading time.
        let limit = breaks.peek().map_or(units.len(), |&b| b.min(units.len()));
        let mut end = here
            + units[here..limit]
                .iter()
                .position(|&u| u < 0x20)
                .unwrap_or(limit - here);
        if end > here {
            // A break between the halves of a surrogate pair starts no character: keep the pair whole.
            if end == limit
                && (0xD800..0xDC00).contains(&units[end - 1])
                && units.get(end).is_some_and(|u| (0xDC00..0xE000).contains(u))
            {
                end += 1;
            }
            if in_code == 0 {
                after_cell = false;
                super::push_utf16(&mut line, &units[here..end], &mut utf8);
            }
            at = end;
            continue;
        }
        at += 1;
        let c = char::from_u32(u32::from(units[here])).unwrap_or(char::REPLACEMENT_CHARACTER);
        match c {
            '\u{13}' => {
                fields.push(false);
                in_code += 1;
                continue;
            }
            '\u{14}' => {
                if let Some(top) = fields.last_mut()
                    && !*top
                {
                    *top = true;
                    in_code -= 1;
                }
                continue;
            }
            '\u{15}' => {
                if fields.pop() == Some(false) {
                    in_code -= 1;
                }
                continue;
            }
            _ => {}
        }
        if in_code > 0 {
            continue;
        }
        let was_cell = std::mem::replace(&mut after_cell, false);
        match c {
            '\r' | '\u{0B}' | '\u{0E}' => end_line(&mut page, &mut line),
            '\u{07}' if was_cell => {
                if line.ends_with('\t') {
                    line.pop();
                }
                end_line(&mut page, &mut line);
            }
            '\u{07}' => {
                line.push('\t');
                after_cell = true;
            }
            '\u{0C}' => {
                end_line(&mut page, &mut line);
                if paginate {
                    // A break on an empty page is layout (a break before a section break).
                    if !page.is_empty() {
                        pages.push(std::mem::take(&mut page));
                    }
                }
            }
            '\t' => line.push('\t'),
            '\u{1E}' => line.push('-'),
            // Optional hyphens, note and comment references, picture and object anchors: no text.
            _ => {}
        }
    }
    end_line(&mut page, &mut line);
    if !page.is_empty() || pages.is_empty() {
        pages.push(page);
    }
    pages
}

/// Characters that end a paragraph: its mark, a table cell's or row's mark, a section break.
fn ends_paragraph(u: u16) -> bool {
    matches!(u, 0x0D | 0x07 | 0x0C)
}

/// The "page break before" property as Word stores it (sprmPFPageBreakBefore), a one-byte Bool8.
const SPRM_PAGE_BREAK_BEFORE: u16 = 0x2407;

/// Paragraphs that start a page by their formatting, as the stream offsets one past their paragraph
/// marks: the PlcBtePapx lists the 512-byte PapxFkp pages, each of which gives runs of paragraphs (by
/// stream offset) their properties. A property missing from a paragraph is taken from its style.
/// Damage yields fewer breaks, never an error: the text is read all the same.
fn page_break_before(
    wd: &[u8],
    table: &[u8],
    fib: &Fib,
    out: &mut Out<'_>,
) -> Result<Vec<usize>, Unreadable> {
    const PAGE: usize = 512;
    let mut marks = Vec::new();
    let (fc, lcb) = fib.plcf_bte_papx;
    let Some(plc) = fc.checked_add(lcb).and_then(|e| table.get(fc..e)) else {
        return Ok(marks);
    };
    // n+1 FCs, then n 4-byte page numbers. A stream holds no more pages than its size allows, so a
    // longer list (repeating pages) is damage that would only multiply the work.
    let n = plc.len().saturating_sub(4) / 8;
    let styles = StyleBreaks::read(table, fib.stshf);
    for i in 0..n.min(wd.len() / PAGE) {
        out.budget.check_time()?;
        let Some(pn) = u32_at(plc, (n + 1) * 4 + i * 4) else {
            break;
        };
        // PnFkpPapx: the page number is the low 22 bits.
        let pn = usize::try_from(pn & 0x003F_FFFF).unwrap_or(usize::MAX);
        let Some(page) = pn
            .checked_mul(PAGE)
            .and_then(|s| wd.get(s..s.checked_add(PAGE)?))
        else {
            continue;
        };
        let crun = usize::from(page.get(PAGE - 1).copied().unwrap_or(0));
        for j in 0..crun {
            let (Some(limit), Some(b_offset)) = (
                usize_at(page, (j + 1) * 4),
                page.get((crun + 1) * 4 + j * 13).copied(),
            ) else {
                break;
            };
            let direct = papx_in_fkp(page, usize::from(b_offset) * 2);
            let (istd, grpprl) = match direct {
                Some(g) => (u16_at(g, 0), g.get(2..).unwrap_or(&[])),
                // No PapxInFkp: the Normal style's properties.
                None => (Some(0), &[][..]),
            };
            let brk = match sprm_operand(grpprl, SPRM_PAGE_BREAK_BEFORE) {
                Some(op) => op.first().is_some_and(|&b| b != 0),
                None => istd.is_some_and(|s| styles.breaks(s)),
            };
            if brk {
                marks.push(limit);
            }
        }
    }
    Ok(marks)
}

/// The GrpPrlAndIstd of a PapxInFkp at `at` in its page: a count of 16-bit words, in one byte or (when
/// that is 0) the next; `at` 0 means the paragraph has no properties of its own.
fn papx_in_fkp(page: &[u8], at: usize) -> Option<&[u8]> {
    if at == 0 {
        return None;
    }
    let cb = usize::from(*page.get(at)?);
    let (start, len) = if cb == 0 {
        (at + 2, usize::from(*page.get(at + 1)?) * 2)
    } else {
        (at + 1, cb * 2 - 1)
    };
    page.get(start..start.checked_add(len)?)
}

/// The operand of the last `sprm` in a list of Prls, as later ones override earlier ones. The walk
/// stops at the first Prl that does not fit, keeping what it found before.
fn sprm_operand(grpprl: &[u8], sprm: u16) -> Option<&[u8]> {
    let mut found = None;
    let mut pos = 0usize;
    while let Some(code) = u16_at(grpprl, pos) {
        let Some((operand, end)) = prl_operand(grpprl, pos + 2, code) else {
            break;
        };
        if code == sprm {
            found = Some(operand);
        }
        pos = end;
    }
    found
}

/// The operand of the Prl whose code `code` ends at `at`, and where the next Prl starts. Bits 13–15 of
/// the code give the operand's size.
fn prl_operand(grpprl: &[u8], at: usize, code: u16) -> Option<(&[u8], usize)> {
    let (start, len) = match code >> 13 {
        0 | 1 => (at, 1),
        2 | 4 | 5 => (at, 2),
        3 => (at, 4),
        7 => (at, 3),
        _ => match code {
            // sprmTDefTable (in the PAPX of table rows): a 16-bit size, counting itself less one.
            0xD608 => (at + 2, usize::from(u16_at(grpprl, at)?).saturating_sub(1)),
            // sprmPChgTabs: a size byte of 255 means "work it out" from the two tab lists.
            0xC615 if grpprl.get(at) == Some(&255) => {
                let del = usize::from(*grpprl.get(at + 1)?);
                let add = usize::from(*grpprl.get(at + 2 + del * 4)?);
                (at + 1, 1 + del * 4 + 1 + add * 3)
            }
            _ => (at + 1, usize::from(*grpprl.get(at)?)),
        },
    };
    let end = start.checked_add(len)?;
    Some((grpprl.get(start..end)?, end))
}

/// Which paragraph styles break the page before, through their chains of base styles (the STSH).
#[derive(Debug, Default)]
struct StyleBreaks {
    /// Per istd: the style's own setting if any, and its base style.
    styles: Vec<(Option<bool>, u16)>,
}

impl StyleBreaks {
    fn read(table: &[u8], (fc, lcb): (usize, usize)) -> StyleBreaks {
        Self::parse(table, fc, lcb).unwrap_or_default()
    }

    fn parse(table: &[u8], fc: usize, lcb: usize) -> Option<StyleBreaks> {
        const STK_PARAGRAPH: u16 = 1;
        let stsh = table.get(fc..fc.checked_add(lcb)?)?;
        let cb_stshi = usize::from(u16_at(stsh, 0)?);
        let stshi = stsh.get(2..2 + cb_stshi)?;
        let cstd = usize::from(u16_at(stshi, 0)?);
        // The size of the fixed part of each STD: 10 bytes in Word 97, 18 in later versions.
        let cb_base = usize::from(u16_at(stshi, 2)?);
        let mut styles = Vec::with_capacity(cstd.min(stsh.len() / 2));
        let mut pos = 2 + cb_stshi;
        for _ in 0..cstd {
            let cb_std = usize::from(u16_at(stsh, pos)?);
            let std = stsh.get(pos + 2..(pos + 2).checked_add(cb_std)?)?;
            pos = pos + 2 + cb_std;
            styles.push(Self::style(std, cb_base, STK_PARAGRAPH).unwrap_or((None, 0x0FFF)));
        }
        Some(StyleBreaks { styles })
    }

    /// One STD: its kind and base in the fixed part, then the name (a length-prefixed UTF-16 string
    /// with a terminator) and, for a paragraph style, the paragraph UPX first.
    fn style(std: &[u8], cb_base: usize, stk_paragraph: u16) -> Option<(Option<bool>, u16)> {
        if std.is_empty() {
            return None;
        }
        let kind_base = u16_at(std, 2)?;
        if kind_base & 0x000F != stk_paragraph {
            return None;
        }
        let base = kind_base >> 4;
        let name_len = usize::from(u16_at(std, cb_base)?);
        let mut pos = cb_base + 2 + (name_len + 1) * 2;
        // Each UPX starts on an even offset of the STD.
        pos += pos % 2;
        let cb_upx = usize::from(u16_at(std, pos)?);
        // UpxPapx: the istd again, then the Prls.
        let grpprl = std.get(pos + 4..(pos + 2).checked_add(cb_upx)?)?;
        let own = sprm_operand(grpprl, SPRM_PAGE_BREAK_BEFORE).map(|op| op.first() != Some(&0));
        Some((own, base))
    }

    /// Whether the style `istd` breaks the page, following base styles (istdNil 0x0FFF ends a chain;
    /// a loop in a damaged sheet ends after as many steps as there are styles).
    fn breaks(&self, istd: u16) -> bool {
        let mut istd = istd;
        for _ in 0..=self.styles.len() {
            let Some(&(own, base)) = self.styles.get(usize::from(istd)) else {
                return false;
            };
            if let Some(b) = own {
                return b;
            }
            istd = base;
        }
        false
    }
}

/// The unit indices where paragraphs with "page break before" start, ascending. `marks` are stream
/// offsets one past a paragraph mark; each is found among the units through `chunks`, then the start
/// of its paragraph is the unit after the previous paragraph end.
fn paragraph_starts(
    units: &[u16],
    chunks: &[Chunk],
    marks: &[usize],
    out: &mut Out<'_>,
) -> Result<Vec<usize>, Unreadable> {
    if marks.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_offset = chunks.to_vec();
    by_offset.sort_unstable_by_key(|c| c.start);
    let mut ends: Vec<usize> = Vec::new();
    for &limit in marks {
        let Some(mark) = limit.checked_sub(1) else {
            continue;
        };
        let i = by_offset.partition_point(|c| c.start <= mark);
        let Some(c) = i.checked_sub(1).and_then(|i| by_offset.get(i)) else {
            continue;
        };
        if mark >= c.end {
            continue;
        }
        let width = if c.compressed { 1 } else { 2 };
        let unit = c.unit + (mark - c.start) / width;
        if units.get(unit).is_some_and(|&u| ends_paragraph(u)) {
            ends.push(unit);
        }
    }
    ends.sort_unstable();
    ends.dedup();
    let mut starts = Vec::with_capacity(ends.len());
    let mut start = 0usize;
    for (i, &u) in units.iter().enumerate() {
        if i % 65536 == 0 {
            out.budget.check_time()?;
        }
        if ends_paragraph(u) {
            if ends.binary_search(&i).is_ok() {
                starts.push(start);
            }
            start = i + 1;
        }
    }
    Ok(starts)
}

/// The header document: six separator stories, then six stories per section (even header, odd
/// header, even footer, odd footer, first-page header, first-page footer), as CPs relative to the
/// story's start in plcfHdd. An empty story inherits the previous section's, so it adds nothing.
fn headers(
    text: &DocText<'_>,
    table: &[u8],
    fib: &Fib,
    (start, end): (u32, u32),
    out: &mut Out<'_>,
) -> Result<(), Unreadable> {
    if start == end {
        return Ok(());
    }
    let units = text.units(start, end, out)?;
    let (fc, lcb) = fib.plcf_hdd;
    let cps: Vec<usize> = fc
        .checked_add(lcb)
        .and_then(|e| table.get(fc..e))
        .map(|plc| {
            plc.chunks_exact(4)
                .filter_map(|c| usize::try_from(u32::from_le_bytes([c[0], c[1], c[2], c[3]])).ok())
                .collect()
        })
        .unwrap_or_default();
    if cps.len() < 2 {
        // No map of the stories: everything counts as header, where a marking matters most.
        return out.emit(
            SegmentKind::Header,
            None,
            None,
            PART,
            &clean(&units, false).join("\n"),
        );
    }
    let mut seen: Vec<String> = Vec::new();
    for (i, w) in cps.windows(2).enumerate() {
        let (Some(&s), Some(&e)) = (w.first(), w.get(1)) else {
            continue;
        };
        let e = e.min(units.len());
        if s >= e {
            continue;
        }
        let Some(story) = units.get(s..e) else {
            continue;
        };
        let kind = match i {
            0..6 => SegmentKind::Note,
            i if (i - 6) % 6 >= 2 && (i - 6) % 6 != 4 => SegmentKind::Footer,
            _ => SegmentKind::Header,
        };
        let t = clean(story, false).join("\n");
        if t.trim().is_empty() || seen.contains(&t) {
            continue;
        }
        out.emit(kind, None, None, PART, &t)?;
        seen.push(t);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::Format;

    fn u(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn word6_far_east_editions_and_code_pages() {
        for (name, line) in [
            ("ooo17498-1.doc", "管理組合役員各位"),
            (
                "ooo17498-2.doc",
                "[파일] 메뉴에서 [새로 만들기]를 클릭합니다.",
            ),
            ("ooo17498-3.doc", "在“文件”菜单上，单击“新建”。"),
            ("ooo17498-4.doc", "在 [檔案] 功能表上，按一下 [開新檔案]。"),
        ] {
            let (r, c) = run(&fixture(&format!("word6/{name}")));
            assert_eq!(r.expect(name), Format::Doc);
            assert!(c.unscanned.is_empty(), "{name}: {:?}", c.unscanned);
            let body = c.text_of(SegmentKind::Body);
            assert!(body.lines().any(|l| l == line), "{name}: {body}");
        }
    }

    #[test]
    fn word6_from_another_writer_without_a_piece_table() {
        let (r, c) = run(&fixture("word6/tdf59896.doc"));
        assert_eq!(r.expect("reads"), Format::Doc);
        let body = c.text_of(SegmentKind::Body);
        assert_eq!(
            body.lines().next(),
            Some("Welcome to the ClarisWorks 5.0 CD for Windows!")
        );
        assert!(body.contains("* Begin Here -- the document you are reading (\\BEGIN.DOC)"));
    }

    #[test]
    fn ansi_units_keep_one_unit_per_byte() {
        // A Chinese Word 95's GBK text: 机密 are two bytes each, A one; a lead byte cut off at the end.
        let mut units = Vec::new();
        ansi_units(
            encoding_rs::GBK,
            &[0xBB, 0xFA, 0xC3, 0xDC, 0x41, 0xD6],
            &mut units,
        );
        assert_eq!(units, [0x673A, 0x01, 0x5BC6, 0x01, 0x41, 0xFFFD]);
        assert_eq!(clean(&units, false), ["机密A\u{FFFD}"]);
        // A single-byte code page: one character per byte (Cyrillic in windows-1251).
        let mut units = Vec::new();
        ansi_units(
            encoding_rs::WINDOWS_1251,
            &[0xD1, 0xE5, 0xEA, 0x2E],
            &mut units,
        );
        assert_eq!(String::from_utf16_lossy(&units), "Сек.");
    }

    #[test]
    fn notice_doc_places() {
        let (r, c) = run(&fixture("notice.doc"));
        assert_eq!(r.expect("reads"), Format::Doc);
        assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
        let body = c.of(SegmentKind::Body);
        assert_eq!(body.len(), 2, "{body:#?}");
        assert_eq!(body[0].page, Some(1));
        assert_eq!(body[0].part.as_deref(), Some("WordDocument"));
        let lines: Vec<&str> = body[0].text.lines().collect();
        assert_eq!(lines[0], "机密★1年");
        assert_eq!(
            lines[1],
            "关于加强保密管理的通知 Notice on confidentiality management"
        );
        assert_eq!(
            lines[2],
            "各单位：为做好保密工作，现通知如下。正文继续 (English text, 2025)."
        );
        // The table keeps its rows, cells joined by tabs.
        assert_eq!(&lines[3..], ["密级\t机密", "期限\t一年"]);
        assert_eq!(body[1].page, Some(2));
        assert_eq!(body[1].text, "第二页内容\n第二页第二段 Page two.");

        let headers = c.of(SegmentKind::Header);
        assert_eq!(headers.len(), 1, "{headers:#?}");
        assert_eq!(headers[0].text.lines().next(), Some("秘密★6个月"));
        // The page-number field is dropped with its code, its result kept.
        let footers = c.of(SegmentKind::Footer);
        assert_eq!(footers.len(), 1, "{footers:#?}");
        assert!(
            footers[0].text.starts_with("内部资料 注意保存 第"),
            "{}",
            footers[0].text
        );
        assert!(!footers[0].text.contains("PAGE"), "{}", footers[0].text);
        assert_eq!(c.text_of(SegmentKind::Note), "脚注：依据保密法第二十条");
        assert_eq!(c.text_of(SegmentKind::Comment), "批注：请核对密级");
    }

    /// What LibreOffice recovers from the same file (`soffice --headless --convert-to
    /// "txt:Text (encoded):UTF8" notice.doc`, kept as notice.txt): we must find ≥ 99% of its CJK
    /// characters, in order, in our body text.
    #[test]
    fn cjk_recovery_against_libreoffice() {
        let (_, c) = run(&fixture("notice.doc"));
        let ours = cjk(&c.text_of(SegmentKind::Body));
        let lo = String::from_utf8(fixture("notice.txt")).expect("utf-8");
        let theirs = cjk(&lo);
        assert!(!theirs.is_empty());
        let mut it = ours.iter();
        let found = theirs.iter().filter(|c| it.any(|o| o == *c)).count();
        assert!(
            found * 100 >= theirs.len() * 99,
            "{found} of {} CJK characters",
            theirs.len()
        );
    }

    /// The corpus's Word 97 file (LibreOffice export of an old-style notice, marking "机 密★" on line 1).
    #[test]
    fn corpus_old_notice() {
        let path = format!(
            "{}/../../tests/fixtures/corpus/unsupported/old_notice.doc",
            env!("CARGO_MANIFEST_DIR")
        );
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let (r, c) = run(&data);
        assert_eq!(r.expect("reads"), Format::Doc);
        let body = c.of(SegmentKind::Body);
        assert_eq!(body[0].page, Some(1));
        assert!(
            body[0].text.starts_with("机 密★\n000045\n加急\n"),
            "{}",
            body[0].text
        );
        assert!(
            c.text_of(SegmentKind::Footer).contains('—'),
            "{:#?}",
            c.segs
        );
    }

    /// LibreOffice writes a Word page break (`<w:br w:type="page"/>`) as "page break before" on the next
    /// paragraph, with no 0x0C in the text (make.sh converts the corpus's 05_page3_only.docx).
    #[test]
    fn page_break_before_starts_a_page() {
        let (r, c) = run(&fixture("05_page3_only.doc"));
        assert_eq!(r.expect("reads"), Format::Doc);
        let body = c.of(SegmentKind::Body);
        let pages: Vec<Option<u32>> = body.iter().map(|s| s.page).collect();
        assert_eq!(pages, [Some(1), Some(2), Some(3)], "{body:#?}");
        let first = body[2].text.lines().find(|l| !l.trim().is_empty());
        assert_eq!(first, Some("秘密★1年"));
        assert_eq!(body[2].page, Some(3));
        assert!(
            body[1].text.starts_with("市院召开党组扩大会议"),
            "{}",
            body[1].text
        );
        let data = fixture("05_page3_only.doc");
        for i in (0..data.len()).step_by(7) {
            let mut d = data.clone();
            d[i] ^= 0xA5;
            let _ = run(&d);
        }
    }

    /// style_break.fodt: "秘密★1年" in style Brk (break before), "机密★2年" in Brk2 based on it.
    /// LibreOffice repeats a style's break in the paragraph and drops it from a derived style, so the
    /// first is a page, the second not; with the paragraph's copy turned into another Prl (sprmPJc80),
    /// the break must come from the style sheet.
    #[test]
    fn page_break_before_from_the_style() {
        let data = fixture("style_break.doc");
        let firsts = |data: &[u8]| {
            let (r, c) = run(data);
            assert_eq!(r.expect("reads"), Format::Doc);
            c.of(SegmentKind::Body)
                .iter()
                .map(|s| (s.page, s.text.lines().next().unwrap_or("").to_owned()))
                .collect::<Vec<_>>()
        };
        let want = [
            (Some(1), "第一页正文内容。".to_owned()),
            (Some(2), "秘密★1年".to_owned()),
        ];
        assert_eq!(firsts(&data), want);
        let direct = [0x61, 0x24, 0x00, 0x07, 0x24, 0x01];
        let at = data
            .windows(direct.len())
            .position(|w| w == direct)
            .expect("the paragraph's own break");
        let mut d = data.clone();
        d[at + 3] = 0x03;
        assert_eq!(firsts(&d), want);
    }

    #[test]
    fn sprm_operand_sizes() {
        // sprmPJc80 (1 byte), sprmPDxaLeft (2), sprmPChgTabs with size 255 (1 deleted, 1 added tab),
        // sprmTDefTable (16-bit size), then the property; a later Prl wins over an earlier one.
        let mut g = vec![0x03, 0x24, 0x01, 0x0F, 0x84, 0x10, 0x00];
        g.extend([0x15, 0xC6, 255, 1, 0, 0, 0, 0, 1, 0, 0, 0]);
        g.extend([0x08, 0xD6, 0x04, 0x00, 0x07, 0x24, 0x01]);
        g.extend([0x07, 0x24, 0x00, 0x07, 0x24, 0x01]);
        assert_eq!(sprm_operand(&g, SPRM_PAGE_BREAK_BEFORE), Some(&[1u8][..]));
        assert_eq!(sprm_operand(&g, 0x2403), Some(&[1u8][..]));
        assert_eq!(sprm_operand(&g, 0x840F), Some(&[0x10u8, 0][..]));
        // A Prl running past the end stops the walk with what was found before it.
        assert_eq!(
            sprm_operand(
                &[0x07, 0x24, 0x01, 0x08, 0xD6, 0xFF],
                SPRM_PAGE_BREAK_BEFORE
            ),
            Some(&[1u8][..])
        );
        assert_eq!(sprm_operand(&[0x07, 0x24], SPRM_PAGE_BREAK_BEFORE), None);
    }

    #[test]
    fn style_breaks_follow_base_styles() {
        // 0 Normal; 1 breaks; 2 based on 1; 3 based on 2 but turns it off; 4 and 5 based on each other.
        let styles = StyleBreaks {
            styles: vec![
                (None, 0x0FFF),
                (Some(true), 0),
                (None, 1),
                (Some(false), 2),
                (None, 5),
                (None, 4),
            ],
        };
        let got: Vec<bool> = (0..7).map(|i| styles.breaks(i)).collect();
        assert_eq!(got, [false, true, true, false, false, false, false]);
    }

    /// The character-by-character cleaner this module had before runs were converted in one step.
    fn clean_at_reference(units: &[u16], paginate: bool, breaks: &[usize]) -> Vec<String> {
        let mut pages: Vec<String> = Vec::new();
        let mut page = String::new();
        let mut line = String::new();
        // One entry per open field: false while in its code, true once in its result.
        let mut fields: Vec<bool> = Vec::new();
        let mut in_code = 0usize;
        let mut after_cell = false;
        let end_line = |page: &mut String, line: &mut String| {
            // Leading white space is indentation or the tab after a note's reference mark.
            let l = line.trim();
            if !l.is_empty() {
                if !page.is_empty() {
                    page.push('\n');
                }
                page.push_str(l);
            }
            line.clear();
        };
        let mut breaks = breaks.iter().copied().peekable();
        let mut at = 0usize;
        for c in char::decode_utf16(units.iter().copied()) {
            let here = at;
            // An unpaired surrogate is one unit, like any other error of the decoder.
            at += c.as_ref().map_or(1, |c| c.len_utf16());
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            while breaks.next_if(|&b| b < here).is_some() {}
            if breaks.next_if_eq(&here).is_some() && paginate && in_code == 0 {
                end_line(&mut page, &mut line);
                if !page.is_empty() {
                    pages.push(std::mem::take(&mut page));
                }
            }
            match c {
                '\u{13}' => {
                    fields.push(false);
                    in_code += 1;
                    continue;
                }
                '\u{14}' => {
                    if let Some(top) = fields.last_mut()
                        && !*top
                    {
                        *top = true;
                        in_code -= 1;
                    }
                    continue;
                }
                '\u{15}' => {
                    if fields.pop() == Some(false) {
                        in_code -= 1;
                    }
                    continue;
                }
                _ => {}
            }
            if in_code > 0 {
                continue;
            }
            let was_cell = std::mem::replace(&mut after_cell, false);
            match c {
                '\r' | '\u{0B}' | '\u{0E}' => end_line(&mut page, &mut line),
                '\u{07}' if was_cell => {
                    if line.ends_with('\t') {
                        line.pop();
                    }
                    end_line(&mut page, &mut line);
                }
                '\u{07}' => {
                    line.push('\t');
                    after_cell = true;
                }
                '\u{0C}' => {
                    end_line(&mut page, &mut line);
                    if paginate {
                        // A break on an empty page is layout (a break before a section break).
                        if !page.is_empty() {
                            pages.push(std::mem::take(&mut page));
                        }
                    }
                }
                '\t' => line.push('\t'),
                '\u{1E}' => line.push('-'),
                // Optional hyphens, note and comment references, picture and object anchors: no text.
                c if c < ' ' => {}
                c => line.push(c),
            }
        }
        end_line(&mut page, &mut line);
        if !page.is_empty() || pages.is_empty() {
            pages.push(page);
        }
        pages
    }

    /// The cleaner gives what the character-by-character one gave, on random mixes of text, Word's
    /// control characters, surrogates (paired and not) and page breaks anywhere.
    #[test]
    fn clean_equals_the_character_by_character_cleaner() {
        let alphabet: [u16; 24] = [
            0x41, 0x20, 0x4E2D, 0x6587, 0x0D, 0x07, 0x0C, 0x09, 0x0B, 0x0E, 0x13, 0x14, 0x15, 0x1E,
            0x1F, 0x02, 0x01, 0xD83D, 0xDE00, 0xD800, 0xDFFF, 0x3000, 0xFFFD, 0x61,
        ];
        let mut rng = crate::xml::testing::XorShift(0x9e37_79b9_7f4a_7c15_u64);
        let mut next = |n: usize| rng.below(n);
        for _ in 0..5000 {
            let len = next(60);
            let units: Vec<u16> = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let mut breaks: Vec<usize> = (0..next(5)).map(|_| next(len + 2)).collect();
            breaks.sort_unstable();
            for paginate in [true, false] {
                assert_eq!(
                    clean_at(&units, paginate, &breaks),
                    clean_at_reference(&units, paginate, &breaks),
                    "{units:x?} {breaks:?} {paginate}"
                );
            }
        }
    }

    #[test]
    fn paragraph_breaks_in_clean() {
        let text = u("a\rb\rc\u{0C}d\re\u{13}x\ry\u{14}f\r");
        // Breaks at "b", at "d" (already a new page), at "y" (inside a field code) and at 0.
        assert_eq!(
            clean_at(&text, true, &[0, 2, 6, 12]),
            ["a", "b\nc", "d\nef"]
        );
        assert_eq!(clean_at(&text, false, &[2]), ["a\nb\nc\nd\nef"]);
    }

    #[test]
    fn truncated_doc_is_an_error_not_a_panic() {
        let (r, _) = run(&fixture("truncated.doc"));
        assert_eq!(r.expect_err("truncated").reason, UnscannedReason::Corrupt);
        let data = fixture("notice.doc");
        for cut in (512..data.len()).step_by(509) {
            let _ = run(&data[..cut]);
        }
        for i in (0..data.len()).step_by(31) {
            let mut d = data.clone();
            d[i] ^= 0xA5;
            let _ = run(&d);
        }
    }

    /// LibreOffice cannot write a password-protected .doc, so the flag is set by hand in a real file:
    /// fEncrypted is the bit a reader sees first, before any cipher header.
    #[test]
    fn encrypted_flag_is_encrypted() {
        let mut data = fixture("notice.doc");
        let at = (0..data.len())
            .step_by(512)
            .find(|&o| data.get(o..o + 2) == Some(&[0xEC, 0xA5]))
            .expect("FIB sector");
        data[at + 0x0B] |= 0x01;
        let (r, _) = run(&data);
        assert_eq!(r.expect_err("encrypted").reason, UnscannedReason::Encrypted);
    }

    #[test]
    fn control_characters() {
        let text = u(
            "机密★1年\r\r正文\u{13} PAGE \u{14}3\u{15}页\u{13}EQ \u{13}x\u{14}y\u{15}\u{15}尾\r甲\u{07}乙\u{07}\u{07}丙\u{0B}丁\u{0C}\u{0C}第二页\u{02}\u{1E}",
        );
        assert_eq!(
            clean(&text, true),
            ["机密★1年\n正文3页尾\n甲\t乙\n丙\n丁", "第二页-"]
        );
        assert_eq!(clean(&u("a\u{0C}b"), false), ["a\nb"]);
        // Unbalanced field marks never hide more than they should, nor underflow.
        assert_eq!(clean(&u("\u{15}\u{14}a\u{13}b"), false), ["a"]);
        assert_eq!(clean(&[], true), [""]);
    }

    #[test]
    fn compressed_pieces_are_cp1252() {
        // Pcdt with two pieces: 3 compressed chars at byte 0x10 and 2 UTF-16 chars at byte 0x20.
        let mut wd = vec![0u8; 0x30];
        wd[0x10..0x13].copy_from_slice(b"A\x80B");
        wd[0x20..0x24].copy_from_slice(&[0x3A, 0x67, 0xC6, 0x5B]);
        let mut clx = vec![0x01, 0x02, 0x00, 0xAA, 0xBB, 0x02];
        let mut plc = Vec::new();
        for cp in [0u32, 3, 5] {
            plc.extend(cp.to_le_bytes());
        }
        for (fc, compressed) in [(0x10u32, true), (0x20, false)] {
            plc.extend([0, 0]);
            let v = if compressed {
                (fc * 2) | 0x4000_0000
            } else {
                fc
            };
            plc.extend(v.to_le_bytes());
            plc.extend([0, 0]);
        }
        clx.extend(u32::try_from(plc.len()).expect("len").to_le_bytes());
        clx.extend(plc);
        let pieces = piece_table(&clx, (0, clx.len())).expect("pieces");
        let text = DocText {
            wd: &wd,
            pieces,
            ansi: None,
            max_units: 100,
        };
        let mut c = crate::xml::testing::Collect::default();
        let mut budget = crate::Budget::new(crate::Limits::default());
        let mut inner = Vec::new();
        let mut out = Out {
            inner: &mut inner,
            budget: &mut budget,
            visitor: &mut c,
        };
        let units = text.units(0, 5, &mut out).expect("units");
        assert_eq!(String::from_utf16_lossy(&units), "A€B机密");
        let units = text.units(2, 4, &mut out).expect("units");
        assert_eq!(String::from_utf16_lossy(&units), "B机");
        let small = DocText {
            max_units: 4,
            ..text
        };
        assert_eq!(
            small.units(0, 5, &mut out).expect_err("limit").reason,
            UnscannedReason::Limit
        );
        assert!(piece_table(&clx, (0, clx.len() + 1)).is_err());
        assert!(piece_table(&[0x02, 0xFF, 0xFF, 0xFF, 0xFF], (0, 5)).is_err());
    }
}
