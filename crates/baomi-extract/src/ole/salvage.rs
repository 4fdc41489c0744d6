//! A second, forgiving reader of compound files, for the ones `cfb` refuses.
//!
//! `cfb` checks a file's whole allocation table on open and refuses it at the first inconsistency:
//! a FAT that names sectors past the end of the file, a sector claimed by two chains, a sibling index
//! out of range, a byte-order mark or mini-sector shift other than the one value MS-CFB allows. Word,
//! LibreOffice and antiword open such files and show their text, because none of those faults touches
//! the chains of the streams that hold it. This reader does the same: it follows only the chains it
//! needs, stops a chain where it leaves the file, loops or runs out of entries, skips directory
//! entries that point nowhere, and never writes. No crate reads compound files this way (`cfb` is
//! the maintained reader, and its permissive mode still validates every chain up front), so it is
//! written here, read-only and bounded by the file's own size.

use super::ReadSeek;
use crate::Unreadable;
use std::io::SeekFrom;

const HEADER_LEN: u64 = 512;
/// Sector numbers above this are markers (free, end of chain, FAT, DIFAT), not sectors.
const MAX_REGULAR_SECTOR: u32 = 0xFFFF_FFFA;
const NO_STREAM: u32 = 0xFFFF_FFFF;
const MINI_SECTOR_LEN: u64 = 64;
/// Streams shorter than this live in the mini stream (MS-CFB fixes it at 4096).
const MINI_STREAM_CUTOFF: u64 = 4096;
const DIR_ENTRY_LEN: usize = 128;
const STORAGE: u8 = 1;
const STREAM: u8 = 2;
const ROOT: u8 = 5;

struct Entry {
    name: String,
    kind: u8,
    left: u32,
    right: u32,
    child: u32,
    start: u32,
    size: u64,
}

/// The tables of a damaged compound file, as far as they could be read.
pub(crate) struct Salvaged {
    sector_len: u64,
    file_len: u64,
    fat: Vec<u32>,
    minifat: Vec<u32>,
    entries: Vec<Entry>,
    /// Children of each entry that is a storage (or the root), by entry index, in directory order.
    children: Vec<Vec<u32>>,
    /// Sectors of the mini stream (the root entry's chain), in order.
    mini_stream: Vec<u32>,
}

impl Salvaged {
    pub(crate) fn open(reader: &mut dyn ReadSeek, file_len: u64) -> Result<Salvaged, Unreadable> {
        let bad = |what: &str| Unreadable::corrupt(format!("damaged OLE compound file: {what}"));
        let mut header = [0u8; HEADER_LEN as usize];
        read_at(reader, 0, &mut header).map_err(|_| bad("shorter than its header"))?;
        if !header.starts_with(crate::format::OLE_MAGIC) {
            return Err(bad("no compound-file signature"));
        }
        let le32 = |at: usize| {
            u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
        };
        // The sector shift decides where everything is; a damaged one is taken from the version.
        let sector_len: u64 = match (header[0x1E], header[0x1A]) {
            (9, _) => 512,
            (12, _) => 4096,
            (_, 4) => 4096,
            _ => 512,
        };
        // A sector cut short by the end of the file counts: what is left of it is read.
        let sectors_in_file = file_len.saturating_sub(sector_len).div_ceil(sector_len);
        let max_sectors = usize::try_from(sectors_in_file).unwrap_or(usize::MAX);

        // DIFAT: 109 entries in the header, then a chain of DIFAT sectors.
        let mut difat: Vec<u32> = (0..109).map(|i| le32(0x4C + 4 * i)).collect();
        let mut next = le32(0x44);
        let mut seen = vec![false; max_sectors];
        let mut buf = vec![0u8; sector_len as usize];
        while next <= MAX_REGULAR_SECTOR && (next as usize) < max_sectors && !seen[next as usize] {
            seen[next as usize] = true;
            if read_sector(reader, sector_len, next, &mut buf).is_err() {
                break;
            }
            let words = u32s(&buf);
            let (last, entries) = words.split_last().unwrap_or((&NO_STREAM, &[]));
            difat.extend_from_slice(entries);
            next = *last;
        }

        // FAT: only its sectors that lie in the file; a chain never needs a sector past the end.
        let mut fat: Vec<u32> = Vec::new();
        for &s in &difat {
            if s > MAX_REGULAR_SECTOR || s as usize >= max_sectors || fat.len() >= max_sectors {
                continue;
            }
            if read_sector(reader, sector_len, s, &mut buf).is_ok() {
                fat.extend(u32s(&buf));
            }
        }
        fat.truncate(max_sectors);
        if fat.is_empty() {
            return Err(bad("no allocation table in the file"));
        }

        // Directory: 128-byte entries along its chain.
        let mut entries = Vec::new();
        for s in chain(&fat, le32(0x30), max_sectors) {
            if read_sector(reader, sector_len, s, &mut buf).is_err() {
                break;
            }
            for raw in buf.chunks_exact(DIR_ENTRY_LEN) {
                if entries.len() >= super::MAX_ENTRIES {
                    break;
                }
                entries.push(entry(raw));
            }
        }
        if entries.first().is_none_or(|e| e.kind != ROOT) {
            return Err(bad("no root entry in its directory"));
        }
        let mut salvaged = Salvaged {
            sector_len,
            file_len,
            mini_stream: chain(&fat, entries[0].start, max_sectors),
            fat,
            minifat: Vec::new(),
            children: Vec::new(),
            entries,
        };
        salvaged.children = salvaged.tree();

        let minifat_bytes: Vec<u8> = {
            let sectors = chain(&salvaged.fat, le32(0x3C), max_sectors);
            let mut bytes = Vec::new();
            for s in sectors {
                if read_sector(reader, sector_len, s, &mut buf).is_err() {
                    break;
                }
                bytes.extend_from_slice(&buf);
            }
            bytes
        };
        salvaged.minifat = u32s(&minifat_bytes);
        Ok(salvaged)
    }

    /// Each storage's children, found through the red-black trees of the directory; an index out of
    /// range or seen before is a dead end, not an error.
    fn tree(&self) -> Vec<Vec<u32>> {
        let n = self.entries.len();
        let mut children = vec![Vec::new(); n];
        let mut placed = vec![false; n];
        placed[0] = true;
        self.hang(0, self.entries[0].child, &mut children, &mut placed);
        // Entries cut off by a damaged sibling index are hung on the root, storages first so that
        // their own children stay theirs, unless the root already has one of that name.
        for storages in [true, false] {
            for i in 1..n {
                let e = &self.entries[i];
                if placed[i]
                    || !matches!(e.kind, STORAGE | STREAM)
                    || (e.kind == STORAGE) != storages
                    || children[0]
                        .iter()
                        .any(|&k| self.entries[k as usize].name == e.name)
                {
                    continue;
                }
                self.hang(0, i as u32, &mut children, &mut placed);
            }
        }
        for c in &mut children {
            c.sort_unstable();
        }
        children
    }

    /// Put the entry `first`, its siblings and (for storages) their descendants under `storage`.
    fn hang(&self, storage: u32, first: u32, children: &mut [Vec<u32>], placed: &mut [bool]) {
        let mut storages = vec![(storage, first)];
        while let Some((storage, first)) = storages.pop() {
            let mut stack = vec![first];
            while let Some(i) = stack.pop() {
                let Some(e) = self.entries.get(i as usize) else {
                    continue;
                };
                if placed[i as usize] || !matches!(e.kind, STORAGE | STREAM) {
                    continue;
                }
                placed[i as usize] = true;
                children[storage as usize].push(i);
                if e.kind == STORAGE {
                    storages.push((i, e.child));
                }
                stack.push(e.right);
                stack.push(e.left);
            }
        }
    }

    /// The entry at a path such as `WordDocument` or `/ObjectPool/_1/\u{1}Ole`. Names compare as in
    /// MS-CFB, without regard to case.
    fn find(&self, path: &str) -> Option<u32> {
        let mut at = 0u32;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            let kids = self.children.get(at as usize)?;
            at = *kids
                .iter()
                .find(|&&k| self.entries[k as usize].name == part)
                .or_else(|| {
                    kids.iter().find(|&&k| {
                        self.entries[k as usize].name.to_uppercase() == part.to_uppercase()
                    })
                })?;
        }
        Some(at)
    }

    pub(crate) fn children(&self, storage: &str) -> Vec<(String, bool)> {
        let Some(at) = self.find(storage) else {
            return Vec::new();
        };
        self.children[at as usize]
            .iter()
            .map(|&k| {
                let e = &self.entries[k as usize];
                (e.name.clone(), e.kind == STREAM)
            })
            .collect()
    }

    pub(crate) fn is_stream(&self, path: &str) -> bool {
        self.find(path)
            .is_some_and(|i| self.entries[i as usize].kind == STREAM)
    }

    /// Every storage and stream below `path`, with absolute paths, parents before their children.
    pub(crate) fn walk(&self, path: &str) -> Vec<(String, bool)> {
        let Some(top) = self.find(path) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let mut stack = vec![(top, path.trim_end_matches('/').to_owned())];
        while let Some((at, prefix)) = stack.pop() {
            for &k in self.children[at as usize].iter().rev() {
                let e = &self.entries[k as usize];
                let p = format!("{prefix}/{}", e.name);
                found.push((p.clone(), e.kind == STREAM));
                if e.kind == STORAGE && found.len() < super::MAX_ENTRIES {
                    stack.push((k, p));
                }
            }
        }
        found
    }

    /// The bytes of a stream as far as its chain leads, at most its declared size and never more
    /// than the file holds; `false` with them when the chain ended first.
    pub(crate) fn read(&self, reader: &mut dyn ReadSeek, path: &str) -> Option<(Vec<u8>, bool)> {
        let e = &self.entries[self.find(path)? as usize];
        if e.kind != STREAM {
            return None;
        }
        let size = e.size.min(self.file_len);
        let mut out = Vec::new();
        let max_sectors = self.fat.len();
        if e.size < MINI_STREAM_CUTOFF {
            let per_sector = self.sector_len / MINI_SECTOR_LEN;
            let mut block = [0u8; MINI_SECTOR_LEN as usize];
            for m in chain(&self.minifat, e.start, self.minifat.len()) {
                let Some(&sector) = self.mini_stream.get((u64::from(m) / per_sector) as usize)
                else {
                    break;
                };
                let at = sector_offset(self.sector_len, sector)
                    + (u64::from(m) % per_sector) * MINI_SECTOR_LEN;
                if read_at(reader, at, &mut block).is_err() {
                    break;
                }
                out.extend_from_slice(&block);
                if out.len() as u64 >= size {
                    break;
                }
            }
        } else {
            let mut buf = vec![0u8; self.sector_len as usize];
            for s in chain(&self.fat, e.start, max_sectors) {
                if read_sector(reader, self.sector_len, s, &mut buf).is_err() {
                    break;
                }
                out.extend_from_slice(&buf);
                if out.len() as u64 >= size {
                    break;
                }
            }
        }
        let whole = out.len() as u64 >= e.size;
        out.truncate(usize::try_from(size).unwrap_or(usize::MAX));
        Some((out, whole))
    }
}

/// The sectors of a chain, in order, until it ends, leaves the table or comes back on itself.
fn chain(table: &[u32], start: u32, max: usize) -> Vec<u32> {
    let mut seen = vec![false; table.len()];
    let mut out = Vec::new();
    let mut at = start;
    while (at as usize) < table.len() && !seen[at as usize] && out.len() < max {
        seen[at as usize] = true;
        out.push(at);
        at = table[at as usize];
    }
    out
}

fn entry(raw: &[u8]) -> Entry {
    let le32 = |at: usize| u32::from_le_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]);
    let name_len = usize::from(u16::from_le_bytes([raw[0x40], raw[0x41]])).min(64);
    let units: Vec<u16> = raw[..name_len]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|&u| u != 0)
        .collect();
    // MS-CFB names are at most 31 units and never hold these characters; a damaged entry's name
    // is made one (it becomes a path component, and embedded storages are copied out under it).
    let name: String = char::decode_utf16(units.into_iter().take(31))
        .map(|c| match c {
            Ok('/' | '\\' | ':' | '!') | Err(_) => '_',
            Ok(c) => c,
        })
        .collect();
    Entry {
        name: if name.is_empty() { "_".into() } else { name },
        kind: raw[0x42],
        left: le32(0x44),
        right: le32(0x48),
        child: le32(0x4C),
        start: le32(0x74),
        // Version 3 files may leave garbage in the high half; no stream of theirs is that long.
        size: u64::from(le32(0x78)),
    }
}

fn sector_offset(sector_len: u64, sector: u32) -> u64 {
    (u64::from(sector) + 1) * sector_len
}

fn read_sector(
    reader: &mut dyn ReadSeek,
    sector_len: u64,
    sector: u32,
    buf: &mut [u8],
) -> std::io::Result<()> {
    read_at(reader, sector_offset(sector_len, sector), buf)
}

/// Fill `buf` from `at`; a sector cut short by the end of the file is padded with zeros, since a
/// file truncated mid-sector still holds the text before the cut.
fn read_at(reader: &mut dyn ReadSeek, at: u64, buf: &mut [u8]) -> std::io::Result<()> {
    reader.seek(SeekFrom::Start(at))?;
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    if filled == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    buf[filled..].fill(0);
    Ok(())
}

fn u32s(b: &[u8]) -> Vec<u32> {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fixture, run};
    use crate::{Format, SegmentKind};
    use baomi_core::UnscannedReason;

    /// What a reading produced, for comparing a damaged copy with the intact file.
    fn texts(data: &[u8]) -> (Format, Vec<(SegmentKind, Option<u32>, String)>) {
        let (r, c) = run(data);
        let format = r.expect("read");
        assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
        let segs = c
            .segs
            .iter()
            .map(|s| (s.kind, s.page, s.text.clone()))
            .collect();
        (format, segs)
    }

    fn le32(b: &[u8], at: usize) -> usize {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
    }

    /// Byte offset of directory entry `i` (the directory's first sector holds entries 0–3).
    fn dir_entry(b: &[u8], i: usize) -> usize {
        (le32(b, 0x30) + 1) * 512 + i * 128
    }

    fn entry_named(b: &[u8], name: &str) -> usize {
        let want: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        (0..8)
            .map(|i| dir_entry(b, i))
            .find(|&at| b[at..].starts_with(&want))
            .expect("entry")
    }

    type Damage = Box<dyn Fn(&mut Vec<u8>)>;

    /// Faults found in LibreOffice's import-test files that Word and LibreOffice read past and
    /// `cfb` refuses, each made in a LibreOffice-written .doc and .xls: the text read must be the
    /// intact file's, page by page.
    #[test]
    fn damage_cfb_refuses_is_read_past() {
        for name in ["notice.doc", "book.xls"] {
            let intact = fixture(name);
            let (format, want) = texts(&intact);
            assert!(!want.is_empty());
            let fat = (le32(&intact, 0x4C) + 1) * 512;
            let damages: [(&str, Damage); 4] = [
                // ofz7322-1.doc: "Invalid CFB byte order mark (expected 0xFFFE, found 0xFF20)"
                ("byte order mark", Box::new(|b| b[0x1C] = 0x20)),
                // ofz34898-1.doc: "Incorrect mini sector shift (expected 6, found 14)"
                ("mini sector shift", Box::new(|b| b[0x20] = 14)),
                // crash-2.doc: "Malformed FAT (FAT has 67 entries, but file has only 13 sectors)"
                (
                    "FAT past the end",
                    Box::new(move |b| b[fat + 508..fat + 512].copy_from_slice(&3u32.to_le_bytes())),
                ),
                // crash-3.doc: "left sibling index is 65530, but directory entry count is 8"
                (
                    "sibling out of range",
                    Box::new(|b| {
                        let at = entry_named(b, "\u{1}CompObj") + 0x44;
                        b[at..at + 4].copy_from_slice(&65530u32.to_le_bytes());
                    }),
                ),
            ];
            for (what, damage) in damages {
                let mut damaged = intact.clone();
                damage(&mut damaged);
                let mut cursor = std::io::Cursor::new(&damaged);
                assert!(
                    cfb::CompoundFile::open(&mut cursor).is_err(),
                    "{name}: {what}"
                );
                assert_eq!(texts(&damaged), (format, want.clone()), "{name}: {what}");
            }
        }
    }

    /// A damaged file that holds no document the salvage reader can find is reported as damaged,
    /// in `cfb`'s words, never as an unknown kind of file or an empty document.
    #[test]
    fn what_cannot_be_salvaged_is_corrupt_in_cfbs_words() {
        let intact = fixture("notice.doc");
        let mut no_word = intact.clone();
        no_word[0x1C] = 0x20;
        let at = entry_named(&no_word, "WordDocument");
        no_word[at..at + 2].copy_from_slice(&u16::from(b'X').to_le_bytes());
        let mut no_directory = intact.clone();
        no_directory[0x1C] = 0x20;
        let dir = dir_entry(&no_directory, 0);
        no_directory[dir..dir + 512].fill(0);
        for damaged in [no_word, no_directory] {
            let (r, c) = run(&damaged);
            let e = r.expect_err("damaged");
            assert_eq!(e.reason, UnscannedReason::Corrupt);
            assert!(
                e.detail
                    .starts_with("damaged OLE compound file: Invalid CFB byte order mark"),
                "{}",
                e.detail
            );
            assert!(c.segs.is_empty());
        }
    }

    /// A stream whose chain ends before its declared length is read as far as it goes, and the file
    /// is listed as damaged beside what was found in it.
    #[test]
    fn a_stream_cut_short_is_read_and_the_file_listed_damaged() {
        let (_, want) = texts(&fixture("notice.doc"));
        let mut damaged = fixture("notice.doc");
        damaged[0x1C] = 0x20;
        // WordDocument runs through sectors 9–18 and holds its text at the start: end it at 15.
        let fat = (le32(&damaged, 0x4C) + 1) * 512;
        damaged[fat + 4 * 15..fat + 4 * 16].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
        let (r, c) = run(&damaged);
        assert_eq!(r.expect("read"), Format::Doc);
        let got: Vec<_> = c
            .segs
            .iter()
            .map(|s| (s.kind, s.page, s.text.clone()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(c.unscanned.len(), 1, "{:?}", c.unscanned);
        assert_eq!(c.unscanned[0].1, UnscannedReason::Corrupt);
        assert!(
            c.unscanned[0]
                .2
                .ends_with("read as far as the damage allows (cut short: WordDocument)"),
            "{}",
            c.unscanned[0].2
        );
    }

    /// Found by the `xls` fuzzer: a damaged workbook whose embedded storage has a name no compound
    /// file may hold; copying the storage out for reading panicked in `cfb`. Names are made valid.
    #[test]
    fn damaged_names_of_embedded_storages() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/broken/fuzz_object_names.xls"
        ))
        .expect("fixture");
        let (r, c) = run(&data);
        assert_eq!(r.expect("read"), Format::Xls);
        assert!(c.segs.iter().any(|s| s.text.contains("年度工作汇总")));
        assert!(
            c.unscanned.iter().all(|u| u.1 == UnscannedReason::Corrupt),
            "{:?}",
            c.unscanned
        );
    }
}
