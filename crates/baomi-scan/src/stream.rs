//! Plain text too large to hold in memory, read in chunks: logs, database exports and dumps reach
//! gigabytes, and the sweep promises bounded memory whatever it meets.

use crate::fs::ReadError;
use crate::{ScanConfig, findings::Collector};
use baomi_core::{Finding, Unscanned, UnscannedReason};
use baomi_detect::{Detector, Placement};
use baomi_extract::encoding_rs::CoderResult;
use baomi_extract::{Format, detect_encoding, sniff_format};
use std::fs::File;
use std::io::Read;
use std::time::Instant;

/// Files above this size are streamed when they are plain text (the default of
/// [`ScanConfig::stream_above_bytes`]).
pub(crate) const STREAM_ABOVE: u64 = 64 << 20;
/// Bytes read per step.
const CHUNK: usize = 8 << 20;
/// Bytes the encoding is judged from (here and in the prefilter).
pub(crate) const HEAD: usize = 64 << 10;

/// What a streamed file yielded.
pub(crate) struct Streamed {
    pub(crate) bytes: u64,
    pub(crate) findings: Vec<Finding>,
    pub(crate) unscanned: Vec<Unscanned>,
}

fn read_up_to(file: &mut File, buf: &mut Vec<u8>, n: usize) -> std::io::Result<usize> {
    let start = buf.len();
    file.take(n as u64).read_to_end(buf)?;
    Ok(buf.len() - start)
}

/// Stream `file` if it is plain text; `Ok(None)` when it is not (the caller reads it whole).
pub(crate) fn large_text(
    file: &mut File,
    name: &str,
    config: &ScanConfig,
    detector: &Detector,
    path: &str,
) -> Result<Option<Streamed>, ReadError> {
    let mut raw = Vec::with_capacity(CHUNK);
    read_up_to(file, &mut raw, HEAD)?;
    if sniff_format(name, &raw) != Format::Text {
        return Ok(None);
    }
    let Some((encoding, bom)) = detect_encoding(&raw) else {
        return Ok(None);
    };
    let mut bytes = raw.len() as u64;
    raw.drain(..bom.min(raw.len()));
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut collector = Collector::new(path, detector, config.zone);
    let deadline = Instant::now() + config.limits.timeout;
    let mut text = String::with_capacity(CHUNK + CHUNK / 2);
    let (mut line, mut offset, mut first) = (0u32, 0u64, true);
    let mut unscanned = Vec::new();
    loop {
        let want = CHUNK.saturating_sub(raw.len()).max(1);
        let got = read_up_to(file, &mut raw, want)?;
        bytes += got as u64;
        let last = got == 0;
        let mut src = &raw[..];
        loop {
            if let Some(n) = decoder.max_utf8_buffer_length(src.len()) {
                text.reserve(n);
            }
            let (result, read, _) = decoder.decode_to_string(src, &mut text, last);
            src = &src[read..];
            if result == CoderResult::InputEmpty {
                break;
            }
        }
        raw.clear();
        // Only whole lines are inspected; a file without line ends is cut at a character boundary
        // once the buffer is large, so a pathological file cannot grow it without bound.
        let mut cut = if last {
            text.len()
        } else {
            text.rfind('\n').map_or(0, |i| i + 1)
        };
        if cut == 0 && text.len() >= CHUNK {
            cut = text.len();
        }
        if cut > 0 {
            // The document head is in the first chunk only; later chunks are running text.
            let placement = if first {
                Placement::Document
            } else {
                Placement::Continued
            };
            collector.text_chunk(&text[..cut], placement, line, Some(offset));
            let lines = memchr::memchr_iter(b'\n', &text.as_bytes()[..cut]).count();
            line = line.saturating_add(u32::try_from(lines).unwrap_or(u32::MAX));
            offset += cut as u64;
            text.drain(..cut);
            first = false;
        }
        if last {
            break;
        }
        if Instant::now() > deadline {
            unscanned.push(Unscanned {
                path: path.to_owned(),
                inner: Vec::new(),
                reason: UnscannedReason::Limit,
                detail: format!(
                    "time limit of {} s per file reached after {} MiB; the rest was not read",
                    config.limits.timeout.as_secs(),
                    bytes >> 20
                ),
            });
            break;
        }
    }
    let (findings, mut rest) = collector.finish();
    unscanned.append(&mut rest);
    Ok(Some(Streamed {
        bytes,
        findings,
        unscanned,
    }))
}
