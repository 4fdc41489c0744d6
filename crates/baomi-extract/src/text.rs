//! Plain text in whatever encoding an office machine wrote it: UTF-8, GBK/GB18030, Big5, UTF-16…
//!
//! The encoding is detected, never assumed: a GBK file read as UTF-8 hides every Chinese marking.
//! Plain text is the bulk of what a sweep reads (logs, exports, CSV), so valid UTF-8 — the common case —
//! is borrowed without a copy and the whole file is touched in a single validating pass.

use crate::{Budget, Segment, SegmentKind, Unreadable, Visitor};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};
use std::borrow::Cow;

/// How much of a non-UTF-8 file chardetng sees: enough to tell GBK from Big5 from Shift_JIS, while a
/// multi-gigabyte file is not fed to the detector whole.
const DETECT_PREFIX: usize = 64 << 10;

/// How much of a legacy-encoded sample the quick GBK test decodes.
const QUICK_SAMPLE: usize = 16 << 10;

/// How much of the head the UTF-16 heuristic looks at.
const UTF16_PROBE: usize = 4096;

/// Extract a plain-text file: one Body segment, or one per page when the text has form feeds.
pub(crate) fn extract(
    data: &[u8],
    inner: &[String],
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let text = decode_text(data);
    emit_pages(&text, inner, budget, visitor)
}

/// Report `text` as Body segments, split into pages at form feeds (printers' page breaks, kept by
/// `pdftotext` and many report generators).
pub(crate) fn emit_pages(
    text: &str,
    inner: &[String],
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    if memchr::memchr(b'\x0C', text.as_bytes()).is_none() {
        if !text.trim().is_empty() {
            budget.spend_text(text.len() as u64)?;
            visitor.segment(inner, &body(None, text));
        }
        return Ok(());
    }
    for (i, page) in text.split('\x0C').enumerate() {
        if i % 1024 == 0 {
            budget.check_time()?;
        }
        if page.trim().is_empty() {
            continue;
        }
        budget.spend_text(page.len() as u64)?;
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        visitor.segment(inner, &body(Some(number), page));
    }
    Ok(())
}

fn body(page: Option<u32>, text: &str) -> Segment<'_> {
    Segment {
        kind: SegmentKind::Body,
        page,
        sheet: None,
        part: None,
        text: Cow::Borrowed(text),
    }
}

/// Decode bytes of unknown encoding to text (BOM, UTF-16 heuristics, UTF-8, then chardetng).
pub fn decode_text(data: &[u8]) -> Cow<'_, str> {
    if let Some(text) = decode_bom(data) {
        return text;
    }
    if let Some(enc) = utf16_without_bom(data) {
        return enc.decode_without_bom_handling(data).0;
    }
    // Validation is most of the cost of reading UTF-8 text: the SIMD validator is several times faster
    // than std on CJK text; std runs only on failure, to tell a cut-off last character from GBK.
    if let Ok(s) = simdutf8::basic::from_utf8(data) {
        return Cow::Borrowed(s);
    }
    match std::str::from_utf8(data) {
        Ok(s) => return Cow::Borrowed(s),
        // Valid except for a character cut off at the very end (a truncated read): still UTF-8.
        Err(e) if e.error_len().is_none() => return String::from_utf8_lossy(data),
        Err(_) => {}
    }
    let enc = guess_encoding(data, true);
    if enc == encoding_rs::UTF_8 {
        return utf8_lossy(data);
    }
    enc.decode_without_bom_handling(data).0
}

/// UTF-8 with invalid sequences replaced; the SIMD validator settles the common, valid case.
fn utf8_lossy(data: &[u8]) -> Cow<'_, str> {
    match simdutf8::basic::from_utf8(data) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(data),
    }
}

/// The encoding of a text file judged from its first bytes, for files too large to decode whole:
/// the encoding and the length of the byte-order mark to skip. `None` for UTF-32, which encoding_rs
/// cannot stream (such files are decoded whole).
pub fn detect_encoding(head: &[u8]) -> Option<(&'static Encoding, usize)> {
    if head.starts_with(b"\xFF\xFE\x00\x00") || head.starts_with(b"\x00\x00\xFE\xFF") {
        return None;
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        return Some((encoding_rs::UTF_8, 3));
    }
    if head.starts_with(b"\xFF\xFE") {
        return Some((UTF_16LE, 2));
    }
    if head.starts_with(b"\xFE\xFF") {
        return Some((UTF_16BE, 2));
    }
    if let Some(enc) = utf16_without_bom(head) {
        return Some((enc, 0));
    }
    match std::str::from_utf8(head) {
        Ok(_) => return Some((encoding_rs::UTF_8, 0)),
        Err(e) if e.error_len().is_none() => return Some((encoding_rs::UTF_8, 0)),
        Err(_) => {}
    }
    // The head is a prefix of a larger file: chardetng must not take its cut-off last character
    // for a malformed one.
    Some((guess_encoding(head, false), 0))
}

/// Decode by byte-order mark, `None` when there is none.
fn decode_bom(data: &[u8]) -> Option<Cow<'_, str>> {
    // UTF-32 before UTF-16: the UTF-32LE mark starts with the UTF-16LE one.
    if let Some(rest) = data.strip_prefix(b"\xFF\xFE\x00\x00") {
        return Some(Cow::Owned(decode_utf32(rest, u32::from_le_bytes)));
    }
    if let Some(rest) = data.strip_prefix(b"\x00\x00\xFE\xFF") {
        return Some(Cow::Owned(decode_utf32(rest, u32::from_be_bytes)));
    }
    if let Some(rest) = data.strip_prefix(b"\xEF\xBB\xBF") {
        return Some(utf8_lossy(rest));
    }
    if let Some(rest) = data.strip_prefix(b"\xFF\xFE") {
        return Some(UTF_16LE.decode_without_bom_handling(rest).0);
    }
    if let Some(rest) = data.strip_prefix(b"\xFE\xFF") {
        return Some(UTF_16BE.decode_without_bom_handling(rest).0);
    }
    None
}

/// encoding_rs leaves UTF-32 out (the Web forbids it); it is rare enough to decode by hand.
fn decode_utf32(data: &[u8], read: fn([u8; 4]) -> u32) -> String {
    let mut out = String::with_capacity(data.len() / 4);
    for chunk in data.chunks(4) {
        let c = match <[u8; 4]>::try_from(chunk) {
            Ok(b) => char::from_u32(read(b)).unwrap_or('\u{FFFD}'),
            Err(_) => '\u{FFFD}',
        };
        out.push(c);
    }
    out
}

/// UTF-16 written without a BOM (some Windows tools and database exports do this). ASCII-range
/// characters — digits, spaces, line ends, Latin words — have a NUL high byte, so one byte parity holds
/// many NULs and the other almost none. Text that is all Chinese has no NULs: there the high bytes fall
/// in the CJK blocks (U+4E00–U+9FFF, U+3000 punctuation, U+FF00 full-width forms), while in GBK or
/// UTF-8 those positions do not line up.
pub(crate) fn utf16_without_bom(data: &[u8]) -> Option<&'static Encoding> {
    let probe = &data[..data.len().min(UTF16_PROBE) & !1];
    let pairs = probe.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut nul_even, mut nul_odd, mut cjk_even, mut cjk_odd) = (0usize, 0usize, 0usize, 0usize);
    let cjk_high = |b: u8| matches!(b, 0x4E..=0x9F | 0x30 | 0xFF | 0x20);
    for pair in probe.chunks_exact(2) {
        // The ideographic space U+3000 (Chinese paragraphs open with two) has a NUL low byte: it is a
        // CJK character of its side, not the NUL of an ASCII character of the other.
        match pair {
            [0x30, 0x00] => {
                cjk_even += 1;
                continue;
            }
            [0x00, 0x30] => {
                cjk_odd += 1;
                continue;
            }
            _ => {}
        }
        nul_even += usize::from(pair[0] == 0);
        nul_odd += usize::from(pair[1] == 0);
        // Only a pair whose other byte is not NUL can be a CJK character.
        cjk_even += usize::from(cjk_high(pair[0]) && pair[1] != 0);
        cjk_odd += usize::from(cjk_high(pair[1]) && pair[0] != 0);
    }
    // Many NULs on one side (≥ 1 pair in 8), hardly any on the other.
    if nul_odd * 8 >= pairs && nul_even * 50 <= pairs {
        return Some(UTF_16LE);
    }
    if nul_even * 8 >= pairs && nul_odd * 50 <= pairs {
        return Some(UTF_16BE);
    }
    // All-CJK text: the high bytes must be overwhelmingly CJK, and the bytes must not be UTF-8.
    let utf8 = match std::str::from_utf8(probe) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    // Shift_JIS lead bytes fall in the same range as CJK high bytes, so a probe that is clean in a
    // legacy double-byte encoding is that encoding, not UTF-16. (UTF-16 low bytes are arbitrary, so read
    // as a legacy encoding they soon give a malformed sequence or a control character.)
    let legacy = || {
        let no_controls = !probe
            .iter()
            .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | b'\x0C'));
        no_controls
            && [encoding_rs::SHIFT_JIS, encoding_rs::GBK, encoding_rs::BIG5]
                .iter()
                .any(|e| decodes_cleanly(e, probe))
    };
    if !utf8 && !legacy() {
        let mostly = |cjk: usize, nul: usize| (cjk + nul) * 10 >= pairs * 9;
        if mostly(cjk_odd, nul_odd) && nul_even * 50 <= pairs {
            return Some(UTF_16LE);
        }
        if mostly(cjk_even, nul_even) && nul_odd * 50 <= pairs {
            return Some(UTF_16BE);
        }
    }
    None
}

/// True when `bytes` (possibly cut mid-character at the end) has no malformed sequence in `enc`.
fn decodes_cleanly(enc: &'static Encoding, bytes: &[u8]) -> bool {
    decodes_cleanly_at_end(enc, bytes, false)
}

/// As [`decodes_cleanly`]; `last` says the bytes end the text, so a cut-off character is malformed.
fn decodes_cleanly_at_end(enc: &'static Encoding, bytes: &[u8], last: bool) -> bool {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let Some(cap) = decoder.max_utf8_buffer_length_without_replacement(bytes.len()) else {
        return false;
    };
    let mut out = String::with_capacity(cap);
    let (result, _) = decoder.decode_to_string_without_replacement(bytes, &mut out, last);
    !matches!(result, encoding_rs::DecoderResult::Malformed(..))
}

/// Guess a legacy encoding from a bounded sample that starts at the first non-ASCII byte (an ASCII
/// preamble tells the detector nothing).
/// `whole` says `data` is the whole file (its end is the text's end).
fn guess_encoding(data: &[u8], whole: bool) -> &'static Encoding {
    let start = data.iter().position(|&b| b >= 0x80).unwrap_or(0);
    let end = data.len().min(start.saturating_add(DETECT_PREFIX));
    let sample = &data[start..end];
    // Most legacy text on a Chinese office machine is GBK, and GBK text nearly always holds byte pairs
    // that Big5, Shift_JIS and EUC-KR reject (trail bytes 0x80–0xA0). When only GBK decodes the sample
    // cleanly, it is GBK: chardetng, which costs as much as decoding the whole file, is not needed.
    let quick = &sample[..sample.len().min(QUICK_SAMPLE)];
    let quick_is_whole = whole && start + quick.len() == data.len();
    if decodes_cleanly_at_end(encoding_rs::GBK, quick, quick_is_whole)
        && [
            encoding_rs::BIG5,
            encoding_rs::SHIFT_JIS,
            encoding_rs::EUC_KR,
        ]
        .iter()
        .all(|e| !decodes_cleanly_at_end(e, quick, quick_is_whole))
    {
        return encoding_rs::GBK;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(sample, whole && end == data.len());
    // ".cn" makes GBK the tie-breaker: this tool runs on Chinese office machines.
    det.guess(None, chardetng::Utf8Detection::Allow)
}

/// A [`Visitor`] that records everything, for tests of every module.
#[cfg(test)]
pub(crate) mod testutil {
    use crate::{Budget, Format, Limits, Segment, Visitor};
    use baomi_core::UnscannedReason;

    /// What a test saw.
    #[derive(Default, Debug)]
    pub(crate) struct Collect {
        /// `(inner joined by " > ", kind, page, text)`.
        pub segments: Vec<(String, &'static str, Option<u32>, String)>,
        /// `(inner joined by " > ", reason, detail)`.
        pub unscanned: Vec<(String, UnscannedReason, String)>,
        pub formats: Vec<(String, Format)>,
    }

    impl Visitor for Collect {
        fn segment(&mut self, inner: &[String], s: &Segment<'_>) {
            self.segments.push((
                inner.join(" > "),
                s.kind.as_str(),
                s.page,
                s.text.to_string(),
            ));
        }
        fn unscanned(&mut self, inner: &[String], reason: UnscannedReason, detail: &str) {
            self.unscanned
                .push((inner.join(" > "), reason, detail.to_owned()));
        }
        fn format(&mut self, inner: &[String], format: Format) {
            self.formats.push((inner.join(" > "), format));
        }
    }

    impl Collect {
        /// All text of one kind, joined by newlines.
        pub(crate) fn text(&self, kind: &str) -> String {
            self.segments
                .iter()
                .filter(|s| s.1 == kind)
                .map(|s| s.3.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        }
    }

    /// Run the public entry point with default limits.
    pub(crate) fn run(name: &str, data: &[u8]) -> (Result<Format, crate::Unreadable>, Collect) {
        run_with(name, data, Limits::default())
    }

    /// Run the public entry point with the given limits.
    pub(crate) fn run_with(
        name: &str,
        data: &[u8],
        limits: Limits,
    ) -> (Result<Format, crate::Unreadable>, Collect) {
        let mut budget = Budget::new(limits);
        let mut c = Collect::default();
        let r = crate::extract(name, data, &mut budget, &mut c);
        (r, c)
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::run;
    use super::*;

    #[track_caller]
    fn check(data: &[u8], expect: &str) {
        assert_eq!(decode_text(data), expect);
    }

    fn enc(e: &'static Encoding, s: &str) -> Vec<u8> {
        e.encode(s).0.into_owned()
    }

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn utf16be(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    const ZH: &str = "绝密★启动前\n关于2024年度保密工作检查的通知，各单位务必于本周五前完成自查。";
    const TW: &str = "機密文件：關於年度保密檢查的通知，請各單位於本週五前完成自我檢查並回報。";
    const JA: &str =
        "秘密文書：年度の機密保持検査について、各部署は金曜日までに自己点検を完了してください。";

    #[test]
    fn utf8() {
        check(b"", "");
        check(b"plain ascii", "plain ascii");
        check(ZH.as_bytes(), ZH);
        check(&[b"\xEF\xBB\xBF", ZH.as_bytes()].concat(), ZH);
        // Borrowed, not copied.
        assert!(matches!(decode_text(ZH.as_bytes()), Cow::Borrowed(_)));
        // A character cut at the end of a truncated read.
        let cut = &ZH.as_bytes()[..ZH.len() - 1];
        assert!(decode_text(cut).starts_with("绝密★启动前"));
    }

    #[test]
    fn legacy_chinese() {
        check(&enc(encoding_rs::GBK, ZH), ZH);
        // GB18030 four-byte sequences (characters outside GBK): 𠀀 U+20000, 㐀 U+3400 (GBK has it? no: 4-byte).
        let rare = "机密：𠀀𪚥者，㐀也。保密工作无小事，事事关乎国家安全。";
        check(&enc(encoding_rs::GB18030, rare), rare);
        check(&enc(encoding_rs::BIG5, TW), TW);
        // A short GBK marking alone.
        check(&enc(encoding_rs::GBK, "机密文件"), "机密文件");
        // ASCII preamble longer than nothing, then GBK.
        let long = format!("{}{}", "id,name,value\n".repeat(200), ZH);
        check(&enc(encoding_rs::GBK, &long), &long);
    }

    #[test]
    fn shift_jis_not_mistaken() {
        let sjis = enc(encoding_rs::SHIFT_JIS, JA);
        let got = decode_text(&sjis);
        assert_eq!(got, JA);
    }

    #[test]
    fn utf16() {
        let s = "Top Secret 绝密 line 1\r\nline 2 机密\r\n";
        check(&[&b"\xFF\xFE"[..], &utf16le(s)].concat(), s);
        check(&[&b"\xFE\xFF"[..], &utf16be(s)].concat(), s);
        check(&utf16le(s), s);
        check(&utf16be(s), s);
        // All-Chinese UTF-16 without a BOM.
        let zh = "绝密启动前关于年度保密工作检查的通知各单位务必完成自查";
        check(&utf16le(zh), zh);
        check(&utf16be(zh), zh);
        // Paragraphs indented with ideographic spaces (U+3000: a NUL low byte) and line ends.
        let indented =
            "机密★1年\n\n　　关于年度保密工作检查的通知。\n　　各单位务必完成自查，按时报送。\n"
                .repeat(20);
        check(&utf16le(&indented), &indented);
        check(&utf16be(&indented), &indented);
    }

    #[test]
    fn utf32() {
        let s = "机密 x";
        let le: Vec<u8> = [&b"\xFF\xFE\0\0"[..]]
            .into_iter()
            .flat_map(|b| b.iter().copied())
            .chain(s.chars().flat_map(|c| (c as u32).to_le_bytes()))
            .collect();
        check(&le, s);
        let be: Vec<u8> = b"\0\0\xFE\xFF"
            .iter()
            .copied()
            .chain(s.chars().flat_map(|c| (c as u32).to_be_bytes()))
            .collect();
        check(&be, s);
    }

    #[test]
    fn pages_and_segments() {
        let (r, c) = run("a.txt", b"page one\x0Cpage two\x0C\x0Cpage four");
        assert!(r.is_ok());
        let pages: Vec<_> = c.segments.iter().map(|s| (s.2, s.3.as_str())).collect();
        assert_eq!(
            pages,
            [
                (Some(1), "page one"),
                (Some(2), "page two"),
                (Some(4), "page four")
            ]
        );
        let (_, c) = run("a.txt", &enc(encoding_rs::GBK, ZH));
        assert_eq!(c.segments.len(), 1);
        assert_eq!(c.segments[0].1, "body");
        assert_eq!(c.segments[0].2, None);
        assert_eq!(c.segments[0].3, ZH);
        let (r, c) = run("empty.txt", b"");
        assert!(r.is_ok());
        assert!(c.segments.is_empty());
    }

    #[test]
    fn text_budget() {
        let limits = crate::Limits {
            max_text: 10,
            ..crate::Limits::default()
        };
        let (r, _) = super::testutil::run_with("a.txt", b"more than ten bytes", limits);
        assert_eq!(
            r.map_err(|e| e.reason),
            Err(baomi_core::UnscannedReason::Limit)
        );
    }
}

/// The shared fixtures under `tests/fixtures/` (made by another script with LibreOffice and Python).
/// They are optional here: each case is skipped when its file is absent.
#[cfg(test)]
mod fixtures {
    use super::testutil::{Collect, run};
    use crate::{Format, Unreadable};

    fn load(rel: &str) -> Option<(String, Vec<u8>)> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(rel);
        let data = std::fs::read(&path).ok()?;
        let name = rel.rsplit('/').next().unwrap_or(rel).to_owned();
        Some((name, data))
    }

    /// Run a fixture: `None` when the file is absent.
    fn fixture(rel: &str) -> Option<(Result<Format, Unreadable>, Collect)> {
        let (name, data) = load(rel)?;
        Some(run(&name, &data))
    }

    fn all_text(c: &Collect) -> String {
        c.segments
            .iter()
            .map(|s| format!("[{}|{}] {}", s.0, s.1, s.3))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn text_encodings() {
        for (file, mark) in [
            ("corpus/text/utf8.txt", "机密★1年"),
            ("corpus/text/utf8_bom.txt", "机密★1年"),
            ("corpus/text/gbk.txt", "机密★1年"),
            ("corpus/text/gb18030.txt", "机密★1年"),
            ("corpus/text/big5.txt", "機密★1年"),
            ("corpus/text/utf16le_bom.txt", "机密★1年"),
            ("corpus/text/utf16be_nobom.txt", "机密★1年"),
            ("corpus/text/在办案件登记.csv", "机密★5年"),
            ("corpus/text/notice_gbk.html", "[|body] 秘密★3个月"),
            ("corpus/text/comment_only.html", "[|comment] 机密★1年"),
            ("corpus/mail/01_gb2312_qp.eml", "[|body] 机密★1年"),
            (
                "corpus/mail/02_attachment_gbk_name.eml",
                "[关于开展涉案财物专项清理工作的通知.docx|",
            ),
            (
                "corpus/mail/03_zip_attachment.eml",
                "[材料.zip > 说明.txt|body] 请各部门",
            ),
            (
                "corpus/archives/检察文件_gbk.zip",
                "[检察文件/说明.txt|body] 内部资料",
            ),
            (
                "corpus/archives/2025年归档.zip",
                "[卷宗.zip > 起诉意见书.txt|body] 秘密★6个月",
            ),
        ] {
            let Some((r, c)) = fixture(file) else {
                continue;
            };
            assert!(r.is_ok(), "{file}: {r:?}");
            assert!(all_text(&c).contains(mark), "{file}: {}", all_text(&c));
        }
    }

    #[test]
    fn broken_files_are_values() {
        for (file, reasons) in [
            ("broken/random.txt", &["unsupported_format", "corrupt"][..]),
            ("broken/random.zip", &["corrupt"]),
            ("broken/random.docx", &["corrupt"]),
            ("broken/random.xlsx", &["corrupt"]),
            ("broken/truncated.docx", &["corrupt"]),
            ("broken/bomb_10mb_zeros.zip", &["limit"]),
            ("broken/nested_42_like.zip", &["limit"]),
            ("broken/encrypted_member.zip", &["encrypted"]),
            ("corpus/unsupported/setup.exe", &["unsupported_format"]),
            ("corpus/unsupported/scan_page1.png", &["unsupported_format"]),
        ] {
            let Some((r, c)) = fixture(file) else {
                continue;
            };
            let mut seen: Vec<&str> = c.unscanned.iter().map(|u| u.1.as_str()).collect();
            if let Err(e) = &r {
                seen.push(e.reason.as_str());
            }
            assert!(
                seen.iter().any(|s| reasons.contains(s)),
                "{file}: {r:?} {:?}",
                c.unscanned
            );
        }
    }

    /// Office files saved under each other's names (an OpenDocument text called .docx, a Word file
    /// called .odt, a workbook called .docx) are read as what they are; an empty file is nothing to
    /// read, not a damaged package. Found in LibreOffice's test files, where all of these occur.
    #[test]
    fn office_files_under_each_others_names_and_empty_ones() {
        for (fixture, name, format, words) in [
            ("office/notice.odt", "saved_as.docx", Format::Odt, "保密"),
            ("office/notice.docx", "saved_as.odt", Format::Docx, "保密"),
            ("office/book.xlsx", "saved_as.docx", Format::Xlsx, ""),
        ] {
            let Some((_, data)) = load(fixture) else {
                panic!("{fixture} missing");
            };
            let (r, c) = run(name, &data);
            assert_eq!(
                r.ok(),
                Some(format),
                "{fixture} as {name}: {:?}",
                c.unscanned
            );
            assert!(c.unscanned.is_empty(), "{fixture}: {:?}", c.unscanned);
            let (_, original) = run(fixture, &data);
            assert_eq!(all_text(&c), all_text(&original), "{fixture} as {name}");
            assert!(all_text(&c).contains(words));
        }
        for name in [
            "empty.docx",
            "empty.odt",
            "empty.xlsx",
            "empty.pdf",
            "empty.doc",
        ] {
            let (r, c) = run(name, b"");
            assert!(r.is_ok(), "{name}: {r:?}");
            assert!(c.unscanned.is_empty() && c.segments.is_empty(), "{name}");
        }
    }

    #[test]
    fn renamed_docx_is_still_read() {
        let Some((_, data)) = load("corpus/keywords/汇报提纲.docx") else {
            return;
        };
        let (_, as_docx) = run("a.docx", &data);
        let (r, as_zip) = run("a.zip", &data);
        assert!(r.is_ok(), "{r:?}");
        assert!(!as_docx.segments.is_empty());
        assert_eq!(all_text(&as_docx), all_text(&as_zip));
    }
}
