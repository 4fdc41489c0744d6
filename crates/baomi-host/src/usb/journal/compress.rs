//! Decoding of compressed data-object payloads, bounded: each call decodes at most `limit` bytes, so a
//! prefix (the field name) costs little and a decompression bomb costs at most the cap.

use std::io::Read;

/// Per-object compression flags (`OBJECT_COMPRESSED_XZ`, `_LZ4`, `_ZSTD`).
pub(super) const OBJECT_COMPRESSED_XZ: u8 = 1;
pub(super) const OBJECT_COMPRESSED_LZ4: u8 = 2;
pub(super) const OBJECT_COMPRESSED_ZSTD: u8 = 4;
pub(super) const OBJECT_COMPRESSED_MASK: u8 =
    OBJECT_COMPRESSED_XZ | OBJECT_COMPRESSED_LZ4 | OBJECT_COMPRESSED_ZSTD;

/// XZ decoder memory cap (KiB): systemd compresses fields with a 1 MiB dictionary; anything asking for
/// far more is not a journal field.
const XZ_MEM_LIMIT_KB: u32 = 32 * 1024;
/// ZSTD window cap: a frame of at most [`super::MAX_FIELD`] bytes never needs a bigger one.
const ZSTD_MAX_WINDOW: u64 = 16 << 20;

/// The payload could not be decoded (corrupt, truncated, or several compression flags at once).
#[derive(Debug)]
pub(super) struct Undecodable;

/// Decoder state kept between fields: the ZSTD frame decoder's buffers are allocated once per file
/// instead of once per field.
#[derive(Default)]
pub(super) struct Decoder {
    zstd: Option<ruzstd::decoding::FrameDecoder>,
}

impl Decoder {
    /// Decode the first `prefix` bytes of `payload` (compressed as `flags` says) into `out` and ask
    /// `keep` whether the field is wanted; when it is (`Some`), decode the rest too, up to `limit`
    /// bytes in all. XZ and ZSTD go on from where the prefix stopped, so a wanted field is decoded once.
    /// Fewer than `limit` bytes in `out` mean the field is shorter.
    pub(super) fn decode_if<T>(
        &mut self,
        flags: u8,
        payload: &[u8],
        prefix: usize,
        limit: usize,
        out: &mut Vec<u8>,
        keep: impl FnOnce(&[u8]) -> Option<T>,
    ) -> Result<Option<T>, Undecodable> {
        match flags {
            OBJECT_COMPRESSED_XZ => {
                let reader = lzma_rust2::XzReader::new_mem_limit(payload, false, XZ_MEM_LIMIT_KB);
                read_if(reader, prefix, limit, out, keep)
            }
            OBJECT_COMPRESSED_ZSTD => {
                let frame = self.zstd.get_or_insert_with(|| {
                    let mut frame = ruzstd::decoding::FrameDecoder::new();
                    frame.set_max_window_size(ZSTD_MAX_WINDOW);
                    frame
                });
                let reader = ruzstd::decoding::StreamingDecoder::new_with_decoder(payload, frame)
                    .map_err(|_| Undecodable)?;
                read_if(reader, prefix, limit, out, keep)
            }
            OBJECT_COMPRESSED_LZ4 => {
                lz4(payload, prefix, out)?;
                let Some(kept) = keep(out) else {
                    return Ok(None);
                };
                out.clear();
                lz4(payload, limit, out)?;
                Ok(Some(kept))
            }
            _ => Err(Undecodable),
        }
    }
}

/// Decode up to `limit` bytes of `payload` into `out`, whatever the field (tests, one-shot use).
#[cfg(test)]
pub(super) fn decode(
    flags: u8,
    payload: &[u8],
    limit: usize,
    out: &mut Vec<u8>,
) -> Result<(), Undecodable> {
    Decoder::default()
        .decode_if(flags, payload, limit, limit, out, |_| Some(()))
        .map(|_| ())
}

fn read_if<T>(
    mut reader: impl Read,
    prefix: usize,
    limit: usize,
    out: &mut Vec<u8>,
    keep: impl FnOnce(&[u8]) -> Option<T>,
) -> Result<Option<T>, Undecodable> {
    let prefix = prefix.min(limit);
    // Stopping after the prefix leaves the rest of the stream undecoded.
    (&mut reader)
        .take(prefix as u64)
        .read_to_end(out)
        .map_err(|_| Undecodable)?;
    let Some(kept) = keep(out) else {
        return Ok(None);
    };
    if out.len() == prefix {
        reader
            .take((limit - prefix) as u64)
            .read_to_end(out)
            .map_err(|_| Undecodable)?;
    }
    Ok(Some(kept))
}

/// systemd's LZ4 payload: the decompressed size (le64), then one LZ4 block.
fn lz4(payload: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), Undecodable> {
    let size = payload
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .ok_or(Undecodable)?;
    let block = payload.get(8..).ok_or(Undecodable)?;
    let size = usize::try_from(size).map_err(|_| Undecodable)?;
    if size > limit {
        // Only the prefix is needed (the field's name), or the field is over the cap and the caller
        // will drop it: either way the first `limit` bytes are enough.
        return lz4_prefix(block, limit, out);
    }
    let start = out.len();
    out.resize(start + size, 0);
    let tail = out.get_mut(start..).ok_or(Undecodable)?;
    match lz4_flex::block::decompress_into(block, tail) {
        Ok(n) if n == size => Ok(()),
        _ => {
            out.truncate(start);
            Err(Undecodable)
        }
    }
}

/// Decode the first `limit` bytes of an LZ4 block (the format: a token, literals, a 2-byte match
/// offset, an extended match length; the last sequence is literals only). lz4_flex only decodes whole
/// blocks, and a name check needs a few bytes of what may be a large field.
fn lz4_prefix(block: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), Undecodable> {
    let base = out.len();
    let mut at = 0usize;
    let byte = |at: &mut usize| -> Result<u8, Undecodable> {
        let b = block.get(*at).copied().ok_or(Undecodable)?;
        *at += 1;
        Ok(b)
    };
    let length = |at: &mut usize, mut n: usize| -> Result<usize, Undecodable> {
        if n == 15 {
            loop {
                let b = byte(at)?;
                n = n.saturating_add(usize::from(b));
                if b != 255 {
                    break;
                }
            }
        }
        Ok(n)
    };
    while out.len() - base < limit {
        let token = byte(&mut at)?;
        let literals = length(&mut at, usize::from(token >> 4))?;
        let end = at.checked_add(literals).ok_or(Undecodable)?;
        let bytes = block.get(at..end).ok_or(Undecodable)?;
        at = end;
        let room = limit - (out.len() - base);
        out.extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
        if at == block.len() || out.len() - base >= limit {
            return Ok(());
        }
        let lo = byte(&mut at)?;
        let hi = byte(&mut at)?;
        let distance = usize::from(u16::from_le_bytes([lo, hi]));
        if distance == 0 || distance > out.len() - base {
            return Err(Undecodable);
        }
        let matched = length(&mut at, usize::from(token & 15))?.saturating_add(4);
        let room = limit - (out.len() - base);
        // Byte by byte: a match may overlap the bytes it produces (distance < length).
        let from = out.len() - distance;
        for i in 0..matched.min(room) {
            let b = out.get(from + i).copied().ok_or(Undecodable)?;
            out.push(b);
        }
    }
    Ok(())
}
