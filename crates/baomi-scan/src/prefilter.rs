//! The fast path for large legacy-encoded text (GBK, GB18030, Big5…): decoding is most of the cost of
//! reading such files, and most of their lines hold nothing. The detector names strings that every
//! match past a document's head contains ([`Detector::body_needles`]); they are encoded once per
//! encoding and searched in the raw bytes. Only the head and the lines holding a needle are decoded and
//! inspected — the findings are those of a full decode. A needle whose rule needs more than its own
//! line (US portion marks) sends the file down the ordinary path.
//!
//! Sound because in these encodings `\n` never occurs inside a multi-byte character (trail bytes are
//! ≥ 0x30), so lines can be found in raw bytes; a needle found at a false alignment only sends the file
//! down the ordinary path.

use crate::findings::Collector;
use aho_corasick::AhoCorasick;
use baomi_detect::{Detector, Needle, Placement};
use baomi_extract::encoding_rs::{self, Encoding};
use baomi_extract::{Format, detect_encoding, sniff_format};
use std::sync::{Arc, Mutex};

/// Smaller files are decoded whole: the saving would not pay for the search.
pub(crate) const MIN_BYTES: usize = 256 << 10;
/// Bytes the encoding is judged from (as the streaming path).
const HEAD: usize = 64 << 10;
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

/// The needles of one encoding, and which of them are line-local (by pattern index). Keywords matched
/// ignoring ASCII case get an automaton of their own, so the others keep the fast case-sensitive
/// (SIMD) search.
struct Automaton {
    parts: Vec<(AhoCorasick, Vec<bool>)>,
}

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
        for insensitive in [false, true] {
            let (encoded, line_local): (Vec<Vec<u8>>, Vec<bool>) = self
                .needles
                .iter()
                .filter(|n| n.ascii_case_insensitive == insensitive)
                .filter_map(|n| {
                    let (bytes, _, unmappable) = encoding.encode(&n.text);
                    (!unmappable && !bytes.is_empty()).then(|| (bytes.into_owned(), n.line_local))
                })
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
                Ok(ac) => parts.push((ac, line_local)),
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
    let head = &data[..data.len().min(HEAD)];
    if sniff_format(name, head) != Format::Text {
        return None;
    }
    let (encoding, bom) = detect_encoding(head)?;
    if !ascii_compatible_multibyte(encoding) {
        return None;
    }
    // Form feeds start pages, and every page has a head of its own.
    if memchr::memchr(b'\x0C', data).is_some() {
        return None;
    }
    let auto = prefilters.automaton(encoding)?;
    let body = &data[bom.min(data.len())..];
    let wanted = prefilters.head_lines as usize;
    let mut lines = wanted;
    loop {
        // The end of the `lines`-th line that is not blank in ASCII terms; checked against the decoded
        // text below, since a line of full-width spaces is blank only once decoded.
        let end = nth_line_end(body, lines)?;
        if end > MAX_HEAD {
            return None;
        }
        let (text, _) = encoding.decode_without_bom_handling(&body[..end]);
        let non_empty = text.lines().filter(|l| !l.trim().is_empty()).count();
        if non_empty >= wanted || end == body.len() {
            let lines = needle_lines(&body[end..], &auto)?;
            collector.text_chunk(&text, Placement::Document, 0, Some(0));
            inspect_lines(body, end, &lines, encoding, collector);
            return Some(());
        }
        lines += wanted;
    }
}

/// Byte ranges (within `rest`) of the lines holding a needle, in order, each once; `None` when a
/// needle is not line-local or there are too many lines.
fn needle_lines(rest: &[u8], auto: &Automaton) -> Option<Vec<(usize, usize)>> {
    let mut lines: Vec<(usize, usize)> = Vec::new();
    for (ac, line_local) in &auto.parts {
        let mut from = 0;
        while from < rest.len() {
            let Some(m) = ac.find(&rest[from..]) else {
                break;
            };
            if !line_local
                .get(m.pattern().as_usize())
                .copied()
                .unwrap_or(false)
            {
                return None;
            }
            let at = from + m.start();
            let ls = memchr::memrchr(b'\n', &rest[..at]).map_or(0, |i| i + 1);
            let le = memchr::memchr(b'\n', &rest[at..]).map_or(rest.len(), |i| at + i);
            lines.push((ls, le));
            if lines.len() > MAX_LINES {
                return None;
            }
            // Later needles on the same line add nothing: go on from the next line.
            from = le + 1;
        }
    }
    lines.sort_unstable();
    lines.dedup();
    Some(lines)
}

/// Decode and inspect each needle line alone, with its true line number.
fn inspect_lines(
    body: &[u8],
    head_end: usize,
    lines: &[(usize, usize)],
    encoding: &'static Encoding,
    collector: &mut Collector<'_>,
) {
    // Lines before the head's end, then counted forward from line to line.
    let mut line_no = memchr::memchr_iter(b'\n', &body[..head_end]).count();
    let mut counted_to = head_end;
    for &(ls, le) in lines {
        let (ls, le) = (head_end + ls, head_end + le);
        line_no += memchr::memchr_iter(b'\n', &body[counted_to..ls]).count();
        counted_to = ls;
        let (text, _) = encoding.decode_without_bom_handling(&body[ls..le]);
        let line = u32::try_from(line_no).unwrap_or(u32::MAX);
        // Offsets into a text that was never decoded whole would be in no one's units: left out.
        collector.text_chunk(&text, Placement::Continued, line, None);
    }
}

/// Encodings in which ASCII bytes, `\n` among them, always stand for themselves.
fn ascii_compatible_multibyte(encoding: &'static Encoding) -> bool {
    encoding != encoding_rs::UTF_8
        && encoding != encoding_rs::UTF_16LE
        && encoding != encoding_rs::UTF_16BE
        && encoding != encoding_rs::ISO_2022_JP
        && encoding != encoding_rs::REPLACEMENT
        && encoding.is_ascii_compatible()
}

/// Byte offset just past the `n`-th line holding a byte other than ASCII whitespace (or the end).
fn nth_line_end(bytes: &[u8], n: usize) -> Option<usize> {
    let mut seen = 0;
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', bytes) {
        if bytes[start..nl].iter().any(|b| !b.is_ascii_whitespace()) {
            seen += 1;
            if seen == n {
                return Some(nl + 1);
            }
        }
        start = nl + 1;
        if start > MAX_HEAD {
            return None;
        }
    }
    Some(bytes.len())
}
