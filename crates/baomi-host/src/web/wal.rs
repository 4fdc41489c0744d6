//! SQLite write-ahead log, applied in memory: the committed frames of a `-wal` file laid over the
//! database image, the way SQLite's own recovery rebuilds its wal-index from the log.
//!
//! Why do it ourselves: the browser's recent history often sits only in the WAL (Firefox checkpoints
//! rarely), SQLite's `immutable=1` ignores the WAL entirely, and opening the real file without it would
//! make SQLite create `-shm`, take locks and possibly checkpoint — that is, write to the inspected disk.
//! Copying the files somewhere first is a write too (on a live system /tmp is on the inspected disk).
//!
//! Format (<https://www.sqlite.org/fileformat2.html#walformat>): a 32-byte header (magic 0x377f0682 or
//! 0x377f0683 saying the byte order of the checksums, version 3007000, page size, checkpoint sequence,
//! two salts, a checksum of the first 24 bytes), then frames of a 24-byte header (page number, database
//! size in pages after commit — nonzero only on a transaction's last frame —, the salts, a cumulative
//! checksum) and one page. A frame is valid while its salts match the header and its checksum, which
//! continues from the previous valid frame, verifies; the first invalid frame ends the log (frames of an
//! older generation keep old salts). Only frames up to the last valid commit are applied: a transaction
//! still being written is not there yet for any reader.

use std::fmt;

const MAGIC_LE: u32 = 0x377f_0682;
const MAGIC_BE: u32 = 0x377f_0683;
const VERSION: u32 = 3_007_000;
const HEADER: usize = 32;
const FRAME_HEADER: usize = 24;

/// What applying a WAL did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WalApplied {
    /// Frames of committed transactions laid over the database.
    pub frames: u32,
    /// Committed transactions.
    pub commits: u32,
    /// Valid frames after the last commit (a transaction not finished): left out.
    pub uncommitted: u32,
    /// Database size in pages after the last commit; 0 when nothing was committed.
    pub pages: u32,
}

/// Why a WAL was not applied; the database is then read as it is, as SQLite itself would for a log
/// with a bad header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalError {
    /// Not a WAL header (magic, version, page size or header checksum).
    BadHeader,
    /// The WAL's page size is not the database's.
    PageSizeMismatch {
        /// Page size in the WAL header.
        wal: usize,
        /// Page size in the database header.
        db: usize,
    },
    /// The database after the log would be larger than allowed.
    TooLarge {
        /// Its size in bytes.
        bytes: u64,
    },
}

impl fmt::Display for WalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WalError::BadHeader => f.write_str("not a valid WAL header"),
            WalError::PageSizeMismatch { wal, db } => {
                write!(f, "WAL page size {wal} differs from the database's {db}")
            }
            WalError::TooLarge { bytes } => {
                write!(
                    f,
                    "the database with its WAL would be {bytes} bytes, over the limit"
                )
            }
        }
    }
}

impl std::error::Error for WalError {}

fn be32(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 4) {
        Some(&[a, b2, c, d]) => u32::from_be_bytes([a, b2, c, d]),
        _ => 0,
    }
}

/// SQLite's WAL checksum: pairs of 32-bit words (in the byte order the magic says) summed into two
/// running totals. `data.len()` is a multiple of 8 for every caller (24-byte header, 8-byte frame
/// header, power-of-two pages); a ragged tail is ignored.
fn checksum(data: &[u8], (mut s1, mut s2): (u32, u32), big_endian: bool) -> (u32, u32) {
    for pair in data.chunks_exact(8) {
        let (x0, x1) = match *pair {
            [a, b, c, d, e, f, g, h] if big_endian => (
                u32::from_be_bytes([a, b, c, d]),
                u32::from_be_bytes([e, f, g, h]),
            ),
            [a, b, c, d, e, f, g, h] => (
                u32::from_le_bytes([a, b, c, d]),
                u32::from_le_bytes([e, f, g, h]),
            ),
            _ => (0, 0),
        };
        s1 = s1.wrapping_add(x0).wrapping_add(s2);
        s2 = s2.wrapping_add(x1).wrapping_add(s1);
    }
    (s1, s2)
}

/// The page size a database header declares (`None` when the image is too short or the value is not
/// a valid page size).
pub fn db_page_size(db: &[u8]) -> Option<usize> {
    let raw = match db.get(16..18) {
        Some(&[a, b]) => u16::from_be_bytes([a, b]),
        _ => return None,
    };
    let size = if raw == 1 { 65536 } else { usize::from(raw) };
    (size >= 512 && size.is_power_of_two()).then_some(size)
}

/// Lay the committed frames of `wal` over the database image `db`, which grows or shrinks to the size
/// the last commit records. A WAL shorter than its header holds nothing (SQLite truncates or resets
/// it after a checkpoint) and leaves `db` unchanged. `max_db` caps the resulting image.
pub fn apply(db: &mut Vec<u8>, wal: &[u8], max_db: u64) -> Result<WalApplied, WalError> {
    let Some(header) = wal.get(..HEADER) else {
        return Ok(WalApplied::default());
    };
    let big_endian = match be32(header, 0) {
        MAGIC_LE => false,
        MAGIC_BE => true,
        _ => return Err(WalError::BadHeader),
    };
    let page_size = be32(header, 8) as usize;
    if be32(header, 4) != VERSION
        || !(512..=65536).contains(&page_size)
        || !page_size.is_power_of_two()
    {
        return Err(WalError::BadHeader);
    }
    let salts = (be32(header, 16), be32(header, 20));
    let mut sum = checksum(&header[..24], (0, 0), big_endian);
    if sum != (be32(header, 24), be32(header, 28)) {
        return Err(WalError::BadHeader);
    }

    // (page number, offset of its page in `wal`) of every frame of a committed transaction, in order.
    let mut committed: Vec<(u32, usize)> = Vec::new();
    let mut pending: Vec<(u32, usize)> = Vec::new();
    let mut out = WalApplied::default();
    let frame_len = FRAME_HEADER + page_size;
    let mut at = HEADER;
    while let Some(frame) = wal.get(at..at + frame_len) {
        let page_no = be32(frame, 0);
        let commit_size = be32(frame, 4);
        if page_no == 0 || (be32(frame, 8), be32(frame, 12)) != salts {
            break;
        }
        let (head, page) = frame.split_at(FRAME_HEADER);
        let next = checksum(page, checksum(&head[..8], sum, big_endian), big_endian);
        if next != (be32(frame, 16), be32(frame, 20)) {
            break;
        }
        sum = next;
        pending.push((page_no, at + FRAME_HEADER));
        if commit_size != 0 {
            committed.append(&mut pending);
            out.commits += 1;
            out.pages = commit_size;
        }
        at += frame_len;
    }
    out.uncommitted = u32::try_from(pending.len()).unwrap_or(u32::MAX);
    if out.pages == 0 {
        return Ok(out);
    }
    if let Some(db_size) = db_page_size(db)
        && db_size != page_size
    {
        return Err(WalError::PageSizeMismatch {
            wal: page_size,
            db: db_size,
        });
    }
    let bytes = u64::from(out.pages) * page_size as u64;
    if bytes > max_db {
        return Err(WalError::TooLarge { bytes });
    }
    db.resize(bytes as usize, 0);
    for (page_no, from) in committed {
        // A page past the final size was freed by a later truncating commit.
        if page_no > out.pages {
            continue;
        }
        let start = (page_no as usize - 1) * page_size;
        if let (Some(dst), Some(src)) = (
            db.get_mut(start..start + page_size),
            wal.get(from..from + page_size),
        ) {
            dst.copy_from_slice(src);
            out.frames += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAL built the way SQLite writes one, for the byte-level cases the real fixture cannot show.
    fn wal(page_size: usize, big: bool, frames: &[(u32, u32, u8)], salts: (u32, u32)) -> Vec<u8> {
        let mut w = Vec::new();
        w.extend_from_slice(&(if big { MAGIC_BE } else { MAGIC_LE }).to_be_bytes());
        w.extend_from_slice(&VERSION.to_be_bytes());
        w.extend_from_slice(&(page_size as u32).to_be_bytes());
        w.extend_from_slice(&0u32.to_be_bytes());
        w.extend_from_slice(&salts.0.to_be_bytes());
        w.extend_from_slice(&salts.1.to_be_bytes());
        let mut s = checksum(&w[..24], (0, 0), big);
        w.extend_from_slice(&s.0.to_be_bytes());
        w.extend_from_slice(&s.1.to_be_bytes());
        for &(page_no, commit, fill) in frames {
            let mut head = Vec::new();
            head.extend_from_slice(&page_no.to_be_bytes());
            head.extend_from_slice(&commit.to_be_bytes());
            head.extend_from_slice(&salts.0.to_be_bytes());
            head.extend_from_slice(&salts.1.to_be_bytes());
            let page = vec![fill; page_size];
            s = checksum(&page, checksum(&head[..8], s, big), big);
            head.extend_from_slice(&s.0.to_be_bytes());
            head.extend_from_slice(&s.1.to_be_bytes());
            w.extend_from_slice(&head);
            w.extend_from_slice(&page);
        }
        w
    }

    fn db(pages: usize, fill: u8) -> Vec<u8> {
        let mut d = vec![fill; pages * 512];
        d[16..18].copy_from_slice(&512u16.to_be_bytes());
        d
    }

    /// (frames of the WAL, bytes to damage, expected outcome, expected first byte of each page after)
    fn check(
        frames: &[(u32, u32, u8)],
        damage: Option<usize>,
        big: bool,
        want: (u32, u32, u32),
        pages: &[u8],
    ) {
        let mut w = wal(512, big, frames, (7, 9));
        if let Some(at) = damage {
            w[at] ^= 0xff;
        }
        let mut d = db(2, 0xaa);
        let got = apply(&mut d, &w, 1 << 20).expect("applies");
        assert_eq!(
            (got.frames, got.commits, got.uncommitted),
            want,
            "{frames:?}"
        );
        let firsts: Vec<u8> = d.chunks(512).map(|p| p[100]).collect();
        assert_eq!(firsts, pages, "{frames:?}");
    }

    #[test]
    fn committed_frames_only() {
        check(&[(2, 2, 1)], None, false, (1, 1, 0), &[0xaa, 1]);
        check(&[(2, 2, 1)], None, true, (1, 1, 0), &[0xaa, 1]);
        check(
            &[(2, 0, 1), (3, 3, 2)],
            None,
            false,
            (2, 1, 0),
            &[0xaa, 1, 2],
        );
        check(&[(2, 2, 1), (2, 0, 5)], None, false, (1, 1, 1), &[0xaa, 1]);
        check(&[(2, 2, 1), (2, 2, 5)], None, false, (2, 2, 0), &[0xaa, 5]);
        check(&[(2, 2, 1), (1, 1, 5)], None, false, (1, 2, 0), &[5]);
        // A damaged second frame ends the log: only the first transaction counts.
        check(
            &[(2, 2, 1), (2, 2, 5)],
            Some(32 + 536 + 30),
            false,
            (1, 1, 0),
            &[0xaa, 1],
        );
        // A damaged salt in the first frame: nothing applies.
        check(&[(2, 2, 1)], Some(32 + 9), false, (0, 0, 0), &[0xaa, 0xaa]);
    }

    #[test]
    fn bad_headers() {
        let mut d = db(1, 0);
        assert_eq!(apply(&mut d, b"", 1 << 20), Ok(WalApplied::default()));
        assert_eq!(apply(&mut d, &[0; 40], 1 << 20), Err(WalError::BadHeader));
        let mut w = wal(512, false, &[(1, 1, 3)], (1, 2));
        w[25] ^= 1;
        assert_eq!(apply(&mut d, &w, 1 << 20), Err(WalError::BadHeader));
        let w = wal(1024, false, &[(1, 1, 3)], (1, 2));
        assert_eq!(
            apply(&mut d, &w, 1 << 20),
            Err(WalError::PageSizeMismatch { wal: 1024, db: 512 })
        );
        let w = wal(512, false, &[(1, 4000, 3)], (1, 2));
        assert_eq!(
            apply(&mut d, &w, 1 << 20),
            Err(WalError::TooLarge { bytes: 4000 * 512 })
        );
    }
}
