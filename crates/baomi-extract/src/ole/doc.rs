//! Word 97–2003 binary documents (.doc), which Kingsoft WPS also writes for .wps (MS-DOC).
//!
//! All text of a document sits in one character space (CPs) made of stories laid end to end: main text,
//! footnotes, headers/footers, annotations, endnotes, text boxes, header text boxes, with the lengths in
//! the FIB. The piece table (CLX) maps CP runs to bytes of the `WordDocument` stream, either 8-bit
//! ("compressed", cp1252) or UTF-16; Chinese text is always in UTF-16 pieces. Formatting (CHPX/PAPX) is
//! not read: where a marking stands is told by the story and by the control characters in the text.

use super::{Ole, Out, u16_at, u32_at, usize_at};
use crate::{SegmentKind, Unreadable};
use baomi_core::UnscannedReason;

const PART: &str = "WordDocument";

/// Word 97 (and every later writer of this format, WPS included) has nFib ≥ 0xC1; a few early 97
/// betas and converters wrote 0xC0. Below that is the Word 6/95 FIB, laid out differently.
const MIN_NFIB: u16 = 0xC0;

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
    let table_name = if fib.table1 { "1Table" } else { "0Table" };
    let Some(table) = ole.read(table_name, out.budget)? else {
        return Err(Unreadable::corrupt(format!("no {table_name} stream")));
    };
    let pieces = piece_table(&table, fib.clx)?;
    let text = DocText {
        wd: &wd,
        pieces,
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

    let units = text.units(main.0, main.1, out)?;
    let body = clean(&units, true);
    drop(units);
    for (i, page) in body.iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        out.emit(SegmentKind::Body, Some(n), None, PART, page)?;
    }

    headers(&text, &table, &fib, hdd, out)?;
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
}

impl Fib {
    fn parse(wd: &[u8]) -> Result<Fib, Unreadable> {
        let short = || Unreadable::corrupt("WordDocument stream shorter than its FIB");
        let ident = u16_at(wd, 0).ok_or_else(short)?;
        if ident != 0xA5EC {
            return Err(Unreadable::corrupt(format!(
                "WordDocument stream does not start with a FIB (wIdent {ident:#06x})"
            )));
        }
        let nfib = u16_at(wd, 2).ok_or_else(short)?;
        let flags = u16_at(wd, 0x0A).ok_or_else(short)?;
        // fEncrypted covers both RC4/CryptoAPI encryption and XOR obfuscation (fObfuscated).
        let encrypted = flags & 0x0100 != 0;
        if nfib < MIN_NFIB && !encrypted {
            return Err(Unreadable::new(
                UnscannedReason::UnsupportedFormat,
                format!("Word 6/95 document (nFib {nfib:#x}) is not read"),
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
        fib.plcf_hdd = pair(11)?;
        fib.clx = pair(33)?;
        Ok(fib)
    }
}

/// One run of CPs stored contiguously in the WordDocument stream.
#[derive(Debug, Clone, Copy)]
struct Piece {
    cp_start: u32,
    cp_end: u32,
    /// Byte offset of the first character.
    offset: usize,
    /// 8-bit cp1252 characters rather than UTF-16.
    compressed: bool,
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
        let fc = fc & 0x3FFF_FFFF;
        let offset = if compressed { fc / 2 } else { fc };
        pieces.push(Piece {
            cp_start,
            cp_end,
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
            compressed,
        });
    }
    Ok(pieces)
}

/// The text of a document as CPs, through its piece table.
struct DocText<'a> {
    wd: &'a [u8],
    pieces: Vec<Piece>,
    /// UTF-16 units gathered for one story at most (overlapping pieces may repeat bytes).
    max_units: usize,
}

impl DocText<'_> {
    /// UTF-16 code units of CPs `from..to`. Pieces pointing outside the stream contribute what is there.
    fn units(&self, from: u32, to: u32, out: &mut Out<'_>) -> Result<Vec<u16>, Unreadable> {
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
                    units.extend(bytes.iter().map(|&b| cp1252(b)));
                }
            } else {
                let Some(s) = skip.checked_mul(2).and_then(|k| p.offset.checked_add(k)) else {
                    continue;
                };
                let e = s.saturating_add(count.saturating_mul(2)).min(self.wd.len());
                if let Some(bytes) = self.wd.get(s..e) {
                    units.extend(
                        bytes
                            .chunks_exact(2)
                            .map(|c| u16::from_le_bytes([c[0], c[1]])),
                    );
                }
            }
        }
        Ok(units)
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
    for c in char::decode_utf16(units.iter().copied()) {
        let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
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
