//! Whole-buffer inflation with libdeflate, one decompressor per thread: faster than a streaming
//! inflater where the whole input is at hand (zip members, PDF streams), at the cost of knowing, or
//! guessing, the output size.

use std::cell::RefCell;

thread_local! {
    static DECOMPRESSOR: RefCell<libdeflater::Decompressor> =
        RefCell::new(libdeflater::Decompressor::new());
}

/// Inflate raw deflate data into exactly `out.len()` bytes' room; the bytes written.
pub(crate) fn deflate_into(
    raw: &[u8],
    out: &mut [u8],
) -> Result<usize, libdeflater::DecompressionError> {
    DECOMPRESSOR.with_borrow_mut(|d| d.deflate_decompress(raw, out))
}

/// Why [`zlib_bounded`] gave up.
pub(crate) enum ZlibFailure {
    /// The output would pass `limit`.
    TooLarge,
    /// Not a clean zlib stream: damaged, truncated, or not zlib at all. A tolerant streaming reader
    /// may still get something out of it.
    NotClean,
}

/// Inflate zlib data of unknown output size, at most `limit` bytes: a room of eight times the input
/// first (content streams compress three to six times), doubled while too small.
pub(crate) fn zlib_bounded(raw: &[u8], limit: usize) -> Result<Vec<u8>, ZlibFailure> {
    let mut room = raw.len().saturating_mul(8).max(4096).min(limit);
    loop {
        let mut out = vec![0u8; room];
        match DECOMPRESSOR.with_borrow_mut(|d| d.zlib_decompress(raw, &mut out)) {
            Ok(n) => {
                out.truncate(n);
                return Ok(out);
            }
            Err(libdeflater::DecompressionError::InsufficientSpace) => {
                if room >= limit {
                    return Err(ZlibFailure::TooLarge);
                }
                room = room.saturating_mul(2).min(limit);
            }
            Err(libdeflater::DecompressionError::BadData) => return Err(ZlibFailure::NotClean),
        }
    }
}

/// Inflate zlib data as far as it goes, at most `limit` bytes, keeping what came out before a damaged
/// or missing end: PowerPoint writes some embedded objects whose zlib stream stops, unterminated,
/// exactly where the size it declares is reached.
pub(crate) fn zlib_prefix(raw: &[u8], limit: usize) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    let limit = u64::try_from(limit).unwrap_or(u64::MAX);
    // The error only says where the data stops; what came before it is in `out`.
    let _ = flate2::read::ZlibDecoder::new(raw)
        .take(limit)
        .read_to_end(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("write");
        e.finish().expect("finish")
    }

    #[test]
    fn zlib_bounded_grows_to_fit_and_stops_at_the_limit() {
        // Compresses about 1000:1, far past the first guess.
        let data: Vec<u8> = b"BT /F1 12 Tf (x) Tj ET\n".repeat(50_000);
        let packed = zlib(&data);
        assert!(matches!(zlib_bounded(&packed, 1 << 30), Ok(v) if v == data));
        assert!(matches!(
            zlib_bounded(&packed, data.len() - 1),
            Err(ZlibFailure::TooLarge)
        ));
        assert!(matches!(zlib_bounded(&packed, data.len()), Ok(v) if v == data));
        assert!(matches!(
            zlib_bounded(&packed[..packed.len() / 2], 1 << 30),
            Err(ZlibFailure::NotClean)
        ));
        assert!(matches!(
            zlib_bounded(b"", 1 << 30),
            Err(ZlibFailure::NotClean)
        ));
    }

    #[test]
    fn zlib_prefix_keeps_what_precedes_a_missing_end() {
        let data: Vec<u8> = (0..20_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let packed = zlib(&data);
        // Without its checksum and the last bytes of its final block.
        let cut = &packed[..packed.len() - 6];
        assert!(matches!(
            zlib_bounded(cut, 1 << 30),
            Err(ZlibFailure::NotClean)
        ));
        let got = zlib_prefix(cut, 1 << 30);
        assert!(!got.is_empty() && data.starts_with(&got));
        assert_eq!(zlib_prefix(&packed, 1 << 30), data);
        assert_eq!(zlib_prefix(&packed, 100), data[..100]);
        assert!(zlib_prefix(b"not zlib", 1 << 30).is_empty());
    }
}
