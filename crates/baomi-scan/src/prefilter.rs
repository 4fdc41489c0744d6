//! The fast path for large text that must be transcoded (GBK, GB18030, Big5…, UTF-16): decoding is
//! most of the cost of reading such files, and most of their lines hold nothing. The detector names strings that every
//! match past a document's head contains ([`Detector::body_needles`]); they are encoded once per
//! encoding and searched in the raw bytes. Only the head and the lines holding a needle are decoded and
//! inspected — the findings are those of a full decode. A needle whose rule needs more than its own
//! line (US portion marks) sends the file down the ordinary path.
//!
//! Sound because lines can be found in the raw bytes: in the legacy encodings `\n` never occurs inside a
//! multi-byte character (trail bytes are ≥ 0x30), and in UTF-16 it is the code unit `0A 00` / `00 0A`
//! at an even offset. A needle found at a false alignment only costs the decoding of one more line.

use crate::findings::Collector;
use aho_corasick::AhoCorasick;
use baomi_detect::{Detector, Needle, Placement, may_open_line};
use baomi_extract::encoding_rs::{self, Encoding};
use baomi_extract::{Format, detect_encoding, sniff_format};
use std::sync::{Arc, Mutex};

/// Smaller files are decoded whole: the saving would not pay for the search.
pub(crate) const MIN_BYTES: usize = 256 << 10;
/// A head longer than this is not looked for: such a file takes the ordinary path.
const MAX_HEAD: usize = 1 << 20;
/// More needle lines than this and decoding them one by one stops paying: ordinary path.
const MAX_LINES: usize = 20_000;

/// Needle automata per encoding, built on first use and shared by all threads.
pub(crate) struct Prefilters {
    needles: Vec<Needle>,
    head_lines: u32,
    built: Mutex<Vec<Built>>,
}

/// An encoding and its automaton (`None` when one could not be built: ordinary path).
type Built = (&'static Encoding, Option<Arc<Automaton>>);

/// The needles of one encoding, searched in a few passes. A needle that needs its line to open like a
/// marking (密) gets a single-needle SIMD search of its own: in Chinese text the multi-pattern
/// searcher's fingerprints match nearly every character, while a two-byte pair search rarely stops.
/// Keywords matched ignoring ASCII case get an automaton of their own, so the others keep the fast
/// case-sensitive (SIMD) search.
struct Automaton {
    parts: Vec<Part>,
}

/// One search and, by pattern index, what its hits mean.
struct Part {
    search: Search,
    kinds: Vec<NeedleKind>,
}

enum Search {
    One(Box<memchr::memmem::Finder<'static>>),
    Many(AhoCorasick),
}

impl Search {
    /// First hit at or after `from`: (start, pattern index).
    fn find(&self, hay: &[u8]) -> Option<(usize, usize)> {
        match self {
            Search::One(f) => f.find(hay).map(|i| (i, 0)),
            Search::Many(ac) => ac.find(hay).map(|m| (m.start(), m.pattern().as_usize())),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct NeedleKind {
    line_local: bool,
    opens_line: bool,
}

/// Bytes of a line's start decoded to decide whether it may open a marking.
const OPENING_BYTES: usize = 64;

impl Prefilters {
    pub(crate) fn new(detector: &Detector) -> Prefilters {
        Prefilters {
            needles: detector.body_needles(),
            head_lines: detector.head_lines(),
            built: Mutex::new(Vec::new()),
        }
    }

    fn automaton(&self, encoding: &'static Encoding) -> Option<Arc<Automaton>> {
        let mut built = self.built.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, ac)) = built.iter().find(|(e, _)| *e == encoding) {
            return ac.clone();
        }
        // A needle the encoding cannot represent cannot occur in its text: leave it out.
        let mut parts = Vec::new();
        let kind = |n: &Needle| NeedleKind {
            line_local: n.line_local,
            opens_line: n.opens_line,
        };
        for n in self.needles.iter().filter(|n| n.opens_line) {
            if let Some(b) = encode(encoding, &n.text) {
                parts.push(Part {
                    search: Search::One(Box::new(memchr::memmem::Finder::new(&b).into_owned())),
                    kinds: vec![kind(n)],
                });
            }
        }
        for insensitive in [false, true] {
            let (encoded, kinds): (Vec<Vec<u8>>, Vec<NeedleKind>) = self
                .needles
                .iter()
                .filter(|n| !n.opens_line && n.ascii_case_insensitive == insensitive)
                .filter_map(|n| encode(encoding, &n.text).map(|b| (b, kind(n))))
                .unzip();
            if encoded.is_empty() {
                continue;
            }
            // Leftmost-first lets the builder use its SIMD (Teddy) prefilter; which needle of an
            // overlapping pair is reported does not matter, only the line it is on.
            match AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .ascii_case_insensitive(insensitive)
                .build(&encoded)
            {
                Ok(ac) => parts.push(Part {
                    search: Search::Many(ac),
                    kinds,
                }),
                Err(_) => {
                    built.push((encoding, None));
                    return None;
                }
            }
        }
        let ac = Some(Arc::new(Automaton { parts }));
        built.push((encoding, ac.clone()));
        ac
    }
}

/// `text` in `encoding`, `None` when the encoding cannot represent it (then it cannot occur in such
/// text). encoding_rs encodes into UTF-16 as UTF-8 (the Web's rule), so UTF-16 is done here.
fn encode(encoding: &'static Encoding, text: &str) -> Option<Vec<u8>> {
    let bytes: Vec<u8> = if encoding == encoding_rs::UTF_16LE {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    } else if encoding == encoding_rs::UTF_16BE {
        text.encode_utf16().flat_map(u16::to_be_bytes).collect()
    } else {
        let (bytes, _, unmappable) = encoding.encode(text);
        if unmappable {
            return None;
        }
        bytes.into_owned()
    };
    (!bytes.is_empty()).then_some(bytes)
}

/// How line ends are found in raw bytes: ASCII-compatible encodings (where `\n` never occurs inside
/// a multi-byte character) and UTF-16, whose code units are two bytes with `\n` as `0A 00` or `00 0A`
/// at an even offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Units {
    Bytes,
    Utf16Le,
    Utf16Be,
}

impl Units {
    fn of(encoding: &'static Encoding) -> Option<Units> {
        if encoding == encoding_rs::UTF_16LE {
            Some(Units::Utf16Le)
        } else if encoding == encoding_rs::UTF_16BE {
            Some(Units::Utf16Be)
        } else if encoding != encoding_rs::UTF_8
            && encoding != encoding_rs::ISO_2022_JP
            && encoding != encoding_rs::REPLACEMENT
            && encoding.is_ascii_compatible()
        {
            Some(Units::Bytes)
        } else {
            None
        }
    }

    /// Whether the code unit at byte `i` (which holds `ascii`) is that ASCII character.
    fn ascii_at(self, bytes: &[u8], i: usize) -> bool {
        match self {
            Units::Bytes => true,
            Units::Utf16Le => i.is_multiple_of(2) && bytes.get(i + 1) == Some(&0),
            Units::Utf16Be => !i.is_multiple_of(2) && bytes[i - 1] == 0,
        }
    }

    /// How many line ends `bytes` holds.
    fn count_line_ends(self, bytes: &[u8]) -> usize {
        match self {
            // The memchr iterator counts with SIMD when nothing is chained to it.
            Units::Bytes => memchr::memchr_iter(b'\n', bytes).count(),
            Units::Utf16Le | Units::Utf16Be => self.line_ends(bytes).count(),
        }
    }

    /// Byte offsets just past each line end.
    fn line_ends(self, bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
        memchr::memchr_iter(b'\n', bytes)
            .filter(move |&i| self.ascii_at(bytes, i))
            .map(move |i| if self == Units::Utf16Le { i + 2 } else { i + 1 })
    }

    /// Whether a form feed (a page start) stands anywhere in `bytes`. A whole pass over the file, so
    /// done with the fewest false stops: in UTF-8 and GBK the byte 0x0C is never part of another
    /// character; in UTF-16 the byte is the low half of many Chinese code units, so the search is for
    /// the whole unit.
    fn has_form_feed(self, bytes: &[u8]) -> bool {
        match self {
            Units::Bytes => memchr::memchr(b'\x0C', bytes).is_some(),
            Units::Utf16Le => {
                memchr::memmem::find_iter(bytes, b"\x0C\x00").any(|i| i.is_multiple_of(2))
            }
            Units::Utf16Be => {
                memchr::memmem::find_iter(bytes, b"\x00\x0C").any(|i| i.is_multiple_of(2))
            }
        }
    }

    /// Start of the line holding byte `at`.
    fn line_start(self, bytes: &[u8], at: usize) -> usize {
        let mut end = at;
        while let Some(i) = memchr::memrchr(b'\n', &bytes[..end]) {
            if self.ascii_at(bytes, i) {
                return if self == Units::Utf16Le { i + 2 } else { i + 1 };
            }
            end = i;
        }
        0
    }

    /// End of the line holding byte `at` (the offset of its line end, or the end of the text).
    fn line_end(self, bytes: &[u8], at: usize) -> usize {
        let mut from = at;
        while let Some(i) = memchr::memchr(b'\n', &bytes[from..]) {
            let i = from + i;
            if self.ascii_at(bytes, i) {
                return if self == Units::Utf16Be { i - 1 } else { i };
            }
            from = i + 1;
        }
        bytes.len()
    }

    /// Align a byte offset down to the start of its code unit.
    fn align(self, at: usize) -> usize {
        match self {
            Units::Bytes => at,
            Units::Utf16Le | Units::Utf16Be => at & !1,
        }
    }

    /// Whether a line (without its end) holds something other than ASCII whitespace.
    fn not_blank(self, line: &[u8]) -> bool {
        match self {
            Units::Bytes => line.iter().any(|b| !b.is_ascii_whitespace()),
            Units::Utf16Le | Units::Utf16Be => line.chunks(2).any(|u| {
                let (hi, lo) = if self == Units::Utf16Le {
                    (u.get(1), u[0])
                } else {
                    (Some(&u[0]), u.get(1).copied().unwrap_or(0))
                };
                hi != Some(&0) || !lo.is_ascii_whitespace()
            }),
        }
    }
}

/// Inspect `data` by its head alone when that provably finds everything; `None` means "take the
/// ordinary path".
pub(crate) fn head_only(
    data: &[u8],
    name: &str,
    prefilters: &Prefilters,
    collector: &mut Collector<'_>,
) -> Option<()> {
    if data.len() < MIN_BYTES {
        return None;
    }
    let head = &data[..data.len().min(crate::stream::HEAD)];
    if sniff_format(name, head) != Format::Text {
        return None;
    }
    let (encoding, bom) = detect_encoding(head)?;
    let units = Units::of(encoding)?;
    let body = &data[bom.min(data.len())..];
    // Form feeds start pages, and every page has a head of its own.
    if units.has_form_feed(body) {
        return None;
    }
    let auto = prefilters.automaton(encoding)?;
    let wanted = prefilters.head_lines as usize;
    let mut lines = wanted;
    loop {
        // The end of the `lines`-th line that is not blank in ASCII terms; checked against the decoded
        // text below, since a line of full-width spaces is blank only once decoded.
        let end = nth_line_end(body, lines, units)?;
        if end > MAX_HEAD {
            return None;
        }
        let (text, _) = encoding.decode_without_bom_handling(&body[..end]);
        let non_empty = text.lines().filter(|l| !l.trim().is_empty()).count();
        if non_empty >= wanted || end == body.len() {
            let lines = needle_lines(&body[end..], &auto, encoding, units)?;
            collector.text_chunk(&text, Placement::Document, 0, Some(0));
            inspect_lines(body, end, &lines, encoding, units, collector);
            return Some(());
        }
        lines += wanted;
    }
}

/// Byte ranges (within `rest`) of the lines holding a needle, in order, each once; `None` when a
/// needle is not line-local or there are too many lines. A line whose needle needs it to open like a
/// marking is kept only when its decoded start may (a few bytes decoded, not the line).
fn needle_lines(
    rest: &[u8],
    auto: &Automaton,
    encoding: &'static Encoding,
    units: Units,
) -> Option<Vec<(usize, usize)>> {
    let mut lines: Vec<(usize, usize)> = Vec::new();
    for part in &auto.parts {
        let mut from = 0;
        while from < rest.len() {
            let Some((start, pattern)) = part.search.find(&rest[from..]) else {
                break;
            };
            let kind = part.kinds.get(pattern).copied()?;
            if !kind.line_local {
                return None;
            }
            // A needle found at a false alignment still names a line: it is only decoded needlessly.
            let at = units.align(from + start);
            let ls = units.line_start(rest, at);
            let le = units.line_end(rest, at);
            // Later needles on the same line add nothing: go on from the next line.
            from = (le + 1).max(from + 1);
            if kind.opens_line && !opening_may_mark(&rest[ls..le], encoding) {
                continue;
            }
            lines.push((ls, le));
            if lines.len() > MAX_LINES {
                return None;
            }
        }
    }
    lines.sort_unstable();
    lines.dedup();
    Some(lines)
}

/// Whether a raw line's start, decoded, may open a marking. Called for every line holding 密 (most
/// of them prose saying 保密), so it decodes a few bytes into a stack buffer: the first eight settle
/// nearly every line (an indent of two full-width spaces, then a word); only an opening of blanks alone
/// needs more.
fn opening_may_mark(line: &[u8], encoding: &'static Encoding) -> bool {
    let mut out = [0u8; OPENING_BYTES * 3];
    for take in [8, OPENING_BYTES] {
        let raw = &line[..line.len().min(take)];
        let whole = raw.len() == line.len();
        let mut decoder = encoding.new_decoder_without_bom_handling();
        let (_, _, written, _) = decoder.decode_to_utf8(raw, &mut out, whole);
        // The decoder writes valid UTF-8 only.
        let opening = std::str::from_utf8(&out[..written]).unwrap_or_default();
        // A character cut at the end of the opening bytes is unknown, not a refusal.
        let opening = opening.trim_end_matches('\u{FFFD}');
        if !may_open_line(opening) {
            return false;
        }
        if whole || !opening.trim().is_empty() {
            return true;
        }
    }
    true
}

/// Decode and inspect each needle line alone, with its true line number.
fn inspect_lines(
    body: &[u8],
    head_end: usize,
    lines: &[(usize, usize)],
    encoding: &'static Encoding,
    units: Units,
    collector: &mut Collector<'_>,
) {
    // Lines before the head's end, then counted forward from line to line.
    let mut line_no = units.count_line_ends(&body[..head_end]);
    let mut counted_to = head_end;
    for &(ls, le) in lines {
        let (ls, le) = (head_end + ls, head_end + le);
        line_no += units.count_line_ends(&body[counted_to..ls]);
        counted_to = ls;
        let (text, _) = encoding.decode_without_bom_handling(&body[ls..le]);
        let line = u32::try_from(line_no).unwrap_or(u32::MAX);
        // Offsets into a text that was never decoded whole would be in no one's units: left out.
        collector.text_chunk(&text, Placement::Continued, line, None);
    }
}

/// Byte offset just past the `n`-th line that is not blank in ASCII terms (or the end).
fn nth_line_end(bytes: &[u8], n: usize, units: Units) -> Option<usize> {
    let mut seen = 0;
    let mut start = 0;
    for end in units.line_ends(bytes) {
        if units.not_blank(&bytes[start..end]) {
            seen += 1;
            if seen == n {
                return Some(end);
            }
        }
        start = end;
        if start > MAX_HEAD {
            return None;
        }
    }
    Some(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
        s.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    /// A form feed is found where it is a whole character, and not in the halves of Chinese code
    /// units that hold the byte 0x0C (丌 is U+4E0C, 䰀 is U+4C00).
    #[test]
    fn form_feeds_are_whole_characters() {
        for (text, has) in [
            ("机密\n正文", false),
            ("第一页\u{c}机密★1年\n正文", true),
            ("丌丌䰀䰀丌", false),
            ("丌\u{c}", true),
        ] {
            assert_eq!(Units::Bytes.has_form_feed(text.as_bytes()), has, "{text}");
            let (gbk, _, _) = encoding_rs::GBK.encode(text);
            assert_eq!(Units::Bytes.has_form_feed(&gbk), has, "GBK {text}");
            assert_eq!(
                Units::Utf16Le.has_form_feed(&utf16(text, false)),
                has,
                "LE {text}"
            );
            assert_eq!(
                Units::Utf16Be.has_form_feed(&utf16(text, true)),
                has,
                "BE {text}"
            );
        }
        // The two bytes of a form feed straddling two units are not one.
        assert!(!Units::Utf16Le.has_form_feed(&[0x41, 0x0C, 0x00, 0x4E]));
        assert!(!Units::Utf16Be.has_form_feed(&[0x4E, 0x00, 0x0C, 0x41]));
    }
}
