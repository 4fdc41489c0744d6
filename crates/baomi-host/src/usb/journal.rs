//! A native reader of systemd journal files (`/var/log/journal/*/*.journal`), so the USB history can be
//! read from an offline root where `journalctl` may not exist.
//!
//! Layout follows systemd's `docs/JOURNAL_FILE_FORMAT.md`: a header, then 8-byte aligned objects. The
//! walk starts at the header's `entry_array_offset` (the main entry-array chain, entries in the order they
//! were appended) and reads each entry's data objects, keeping only the requested fields. Classic and
//! compact (systemd ≥ 252) layouts, keyed and Jenkins hashes (hashes only matter for lookups, which a
//! sequential walk never does), and XZ / LZ4 / ZSTD compressed fields are read.
//!
//! Journals on a crashed or half-copied disk are often damaged, so nothing from the file is trusted:
//! every offset is bounds-checked, every chain must move forward (the walk always ends), decompressed
//! fields are capped at [`MAX_FIELD`], and when the entry-array chain breaks the objects after the last
//! good entry are walked one by one to recover the entries that were written but not (readably) linked.

mod compress;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

/// Largest decompressed field kept; a bigger one is skipped (counted in [`JournalSummary::skipped`]).
/// Kernel and udisks lines are short; multi-megabyte fields are core dumps and the like.
pub const MAX_FIELD: usize = 4 << 20;
/// Decompressed bytes kept for one entry, and wanted fields kept for one entry: a forged entry whose
/// items all point at one big compressed field must not multiply it.
const MAX_ENTRY_BYTES: usize = 16 << 20;
const MAX_ENTRY_FIELDS: usize = 1024;
/// Decompressed bytes per file: past it, compressed fields are skipped (a file of small compression
/// bombs would otherwise cost hours). Real journals stay far below: 60 MB of journal held 37 MB of
/// wanted text in the speed test.
const MAX_FILE_DECOMPRESSED: usize = 1 << 30;

/// One entry, with the fields that were asked for.
#[derive(Debug)]
pub struct JournalEntry<'a> {
    /// `__REALTIME_TIMESTAMP`: microseconds since 1970-01-01 UTC.
    pub realtime_usec: u64,
    /// `__MONOTONIC_TIMESTAMP`: microseconds since the boot `boot_id`.
    pub monotonic_usec: u64,
    /// The boot the entry was written in (the same bytes as its `_BOOT_ID` field, binary).
    pub boot_id: [u8; 16],
    /// Requested fields present in the entry, in the entry's item order: name (`MESSAGE`) and value,
    /// decompressed.
    pub fields: Vec<(&'a [u8], Cow<'a, [u8]>)>,
}

impl JournalEntry<'_> {
    /// The first value of field `name`.
    pub fn field(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name.as_bytes())
            .map(|(_, v)| v.as_ref())
    }
}

/// What reading one file gave.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct JournalSummary {
    /// Entries visited.
    pub entries: u64,
    /// Realtime of the oldest entry, µs since 1970.
    pub first_usec: Option<u64>,
    /// Realtime of the newest entry, µs since 1970.
    pub last_usec: Option<u64>,
    /// Objects that could not be read (corrupt, truncated, unknown compression) and were skipped.
    pub skipped: u64,
    /// Why the file could not be read to its end, if it could not (entries before that were visited).
    pub problem: Option<String>,
    /// The header says the file was still open for writing (state ONLINE): journald was killed, the disk
    /// was pulled, or the file is the active one of a live system. Its tail may be half-written.
    pub online: bool,
}

/// Why a journal file could not be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// Not a journal file (bad signature) or a header too short to trust.
    #[error("not a systemd journal file: {0}")]
    NotJournal(String),
    /// A feature flag this reader does not know.
    #[error("unsupported journal feature: {0}")]
    Unsupported(String),
}

const SIGNATURE: &[u8; 8] = b"LPKSHHRH";
/// The header fields this reader uses end with `entry_array_offset` (at 176); every header ever written
/// (systemd 187's 208 bytes onward) holds them.
const HEADER_MIN: u64 = 184;

const INCOMPAT_COMPRESSED_XZ: u32 = 1;
const INCOMPAT_COMPRESSED_LZ4: u32 = 2;
const INCOMPAT_KEYED_HASH: u32 = 4;
const INCOMPAT_COMPRESSED_ZSTD: u32 = 8;
const INCOMPAT_COMPACT: u32 = 16;
const INCOMPAT_KNOWN: u32 = INCOMPAT_COMPRESSED_XZ
    | INCOMPAT_COMPRESSED_LZ4
    | INCOMPAT_KEYED_HASH
    | INCOMPAT_COMPRESSED_ZSTD
    | INCOMPAT_COMPACT;

const OBJECT_DATA: u8 = 1;
const OBJECT_ENTRY: u8 = 3;
const OBJECT_ENTRY_ARRAY: u8 = 6;
const OBJECT_HEADER: u64 = 16;
/// Entry object: object header, seqnum, realtime, monotonic, boot_id, xor_hash, then the items.
const ENTRY_ITEMS: u64 = 64;
/// Entry-array object: object header, next_entry_array_offset, then the items.
const ARRAY_ITEMS: u64 = 24;
/// Data object payload start: after hash, next_hash, next_field, entry_offset, entry_array_offset,
/// n_entries; compact files add tail_entry_array_offset and tail_entry_array_n_entries (2 × le32).
const DATA_PAYLOAD: u64 = 64;
const DATA_PAYLOAD_COMPACT: u64 = 72;

fn le64(data: &[u8], at: u64) -> Option<u64> {
    let at = usize::try_from(at).ok()?;
    let b = data.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(b.try_into().ok()?))
}

fn le32(data: &[u8], at: u64) -> Option<u32> {
    let at = usize::try_from(at).ok()?;
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

/// Why one object could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bad {
    /// Its header or body lies (partly) past the end of the file.
    PastEnd,
    /// Misaligned, inside the header, or a size smaller than an object header.
    Malformed,
    /// A well-formed object of another type than expected.
    WrongType(u8),
}

impl Bad {
    fn describe(self) -> &'static str {
        match self {
            Bad::PastEnd => "past the end of the file",
            Bad::Malformed => "not a valid object",
            Bad::WrongType(_) => "an object of the wrong type",
        }
    }
}

struct Object<'a> {
    flags: u8,
    /// The whole object, header included; its length is the object's size.
    bytes: &'a [u8],
}

struct Journal<'a> {
    data: &'a [u8],
    header_size: u64,
    compact: bool,
}

impl<'a> Journal<'a> {
    /// The object at `offset`, whatever its type.
    fn object_any(&self, offset: u64) -> Result<Object<'a>, Bad> {
        let kind = usize::try_from(offset)
            .ok()
            .and_then(|o| self.data.get(o))
            .copied()
            .ok_or(Bad::PastEnd)?;
        self.object(offset, kind)
    }

    fn object(&self, offset: u64, want: u8) -> Result<Object<'a>, Bad> {
        if !offset.is_multiple_of(8) || offset < self.header_size {
            return Err(Bad::Malformed);
        }
        let (Some(&kind), Some(&flags), Some(size)) = (
            usize::try_from(offset).ok().and_then(|o| self.data.get(o)),
            usize::try_from(offset + 1)
                .ok()
                .and_then(|o| self.data.get(o)),
            le64(self.data, offset + 8),
        ) else {
            return Err(Bad::PastEnd);
        };
        if size < OBJECT_HEADER {
            return Err(Bad::Malformed);
        }
        if kind != want {
            return Err(Bad::WrongType(kind));
        }
        let end = offset.checked_add(size).ok_or(Bad::PastEnd)?;
        let bytes = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(end).ok())
            .and_then(|(s, e)| self.data.get(s..e))
            .ok_or(Bad::PastEnd)?;
        Ok(Object { flags, bytes })
    }
}

/// Visit every entry of the journal file `data` in order, giving only the fields named in `wanted`
/// (`MESSAGE`, `_TRANSPORT`, …). Never panics on bad input; a damaged region ends the walk with
/// `JournalSummary::problem` set.
///
/// Compressed fields are only decompressed when their name (which lies inside the compressed payload)
/// is wanted: the first `longest wanted name + 1` bytes are decoded first (LZ4 by a small prefix-only
/// block decoder, XZ and ZSTD by their streaming readers stopped early), and only a match is decoded
/// whole.
pub fn read_entries(
    data: &[u8],
    wanted: &[&str],
    visit: &mut dyn FnMut(&JournalEntry<'_>),
) -> Result<JournalSummary, JournalError> {
    if data.len() < SIGNATURE.len() || data.get(..8) != Some(&SIGNATURE[..]) {
        return Err(JournalError::NotJournal("no LPKSHHRH signature".into()));
    }
    let (Some(incompatible), Some(&state), Some(header_size)) =
        (le32(data, 12), data.get(16), le64(data, 88))
    else {
        return Err(JournalError::NotJournal("header cut short".into()));
    };
    if header_size < HEADER_MIN || header_size > data.len() as u64 {
        return Err(JournalError::NotJournal(format!(
            "header size {header_size} in a file of {} bytes",
            data.len()
        )));
    }
    if incompatible & !INCOMPAT_KNOWN != 0 {
        return Err(JournalError::Unsupported(format!(
            "incompatible flags {:#x}",
            incompatible & !INCOMPAT_KNOWN
        )));
    }
    // Both fields lie inside the header, whose size was checked against the file.
    let tail_object = le64(data, 136).unwrap_or(0);
    let n_entries = le64(data, 152).unwrap_or(0);
    let entry_array_offset = le64(data, 176).unwrap_or(0);

    let journal = Journal {
        data,
        header_size,
        compact: incompatible & INCOMPAT_COMPACT != 0,
    };
    let mut walk = Walk {
        journal: &journal,
        wanted: wanted.iter().map(|w| w.as_bytes()).collect(),
        prefix_len: wanted.iter().map(|w| w.len() + 1).max().unwrap_or(0),
        summary: JournalSummary {
            online: state == 1,
            ..JournalSummary::default()
        },
        last_entry: 0,
        entry: JournalEntry {
            realtime_usec: 0,
            monotonic_usec: 0,
            boot_id: [0; 16],
            fields: Vec::new(),
        },
        scratch: Vec::new(),
        decoder: compress::Decoder::default(),
        entry_bytes: 0,
        file_budget: MAX_FILE_DECOMPRESSED,
    };

    let broken = walk.chain(entry_array_offset, visit);
    if broken.is_some() || walk.summary.entries < n_entries {
        let from_chain = walk.summary.entries;
        let scan_end = walk.scan(visit);
        let recovered = walk.summary.entries - from_chain;
        let mut problem = match broken {
            Some(why) => why,
            None => format!(
                "the header counts {n_entries} entries but the entry arrays link only {from_chain}"
            ),
        };
        if recovered > 0 {
            problem.push_str(&format!(
                "; {recovered} more entries found by walking the objects"
            ));
        }
        if let Some(why) = scan_end {
            problem.push_str(&format!("; {why}"));
        }
        walk.summary.problem = Some(problem);
    } else if walk.file_budget == 0 {
        walk.summary.problem = Some(format!(
            "more than {} MiB of compressed fields: the later ones were skipped",
            MAX_FILE_DECOMPRESSED >> 20
        ));
    } else if tail_object != 0
        && let Err(Bad::PastEnd) = journal.object_any(tail_object)
    {
        // Every linked entry was read, but the file stops before its last object: a copy cut short
        // whose lost tail held no entry of the main chain (or held ones the header never counted).
        walk.summary.problem = Some(format!(
            "the file is cut short: its last object (offset {tail_object}) lies past the end"
        ));
    }
    Ok(walk.summary)
}

struct Walk<'j, 'a, 'w> {
    journal: &'j Journal<'a>,
    wanted: Vec<&'w [u8]>,
    /// Bytes of a compressed payload needed to tell whether its field is wanted: `NAME=`.
    prefix_len: usize,
    summary: JournalSummary,
    /// Offset of the last entry visited: entries are appended, so a later one always lies further on.
    last_entry: u64,
    /// Reused between entries so the field list is not reallocated each time.
    entry: JournalEntry<'w>,
    scratch: Vec<u8>,
    decoder: compress::Decoder,
    /// Decompressed bytes kept for the current entry, and what is left of the file's allowance.
    entry_bytes: usize,
    file_budget: usize,
}

impl<'a: 'w, 'w> Walk<'_, 'a, 'w> {
    /// Follow the main entry-array chain; `Some(why)` when it breaks before its natural end.
    fn chain(&mut self, first: u64, visit: &mut dyn FnMut(&JournalEntry<'_>)) -> Option<String> {
        let item = if self.journal.compact { 4 } else { 8 };
        let mut array = first;
        let mut previous = 0u64;
        while array != 0 {
            // Arrays are appended after one another: a chain that does not move forward is corrupt (and
            // following it could loop forever).
            if array <= previous {
                return Some(format!(
                    "the entry-array chain goes back from offset {previous} to {array}"
                ));
            }
            let object = match self.journal.object(array, OBJECT_ENTRY_ARRAY) {
                Ok(o) => o,
                Err(bad) => {
                    return Some(format!(
                        "the entry array at offset {array} is {}",
                        bad.describe()
                    ));
                }
            };
            let next = le64(object.bytes, 16).unwrap_or(0);
            let mut at = ARRAY_ITEMS;
            while at + item <= object.bytes.len() as u64 {
                let offset = if self.journal.compact {
                    le32(object.bytes, at).map(u64::from)
                } else {
                    le64(object.bytes, at)
                }
                .unwrap_or(0);
                at += item;
                // Arrays are preallocated: the unused tail of the last one is zero.
                if offset == 0 {
                    break;
                }
                if offset <= self.last_entry {
                    return Some(format!(
                        "the entry array at offset {array} goes back from entry {} to {offset}",
                        self.last_entry
                    ));
                }
                match self.journal.object(offset, OBJECT_ENTRY) {
                    Ok(entry) => self.entry(offset, &entry, visit),
                    Err(bad) => {
                        return Some(format!(
                            "the entry at offset {offset} is {}",
                            bad.describe()
                        ));
                    }
                }
            }
            previous = array;
            array = next;
        }
        None
    }

    /// Walk the objects one by one after the last visited entry, visiting the entries found; `Some(why)`
    /// when a damaged object stops the walk.
    fn scan(&mut self, visit: &mut dyn FnMut(&JournalEntry<'_>)) -> Option<String> {
        let data = self.journal.data;
        let mut at = if self.last_entry == 0 {
            self.journal.header_size.next_multiple_of(8)
        } else {
            self.last_entry
        };
        while at + OBJECT_HEADER <= data.len() as u64 {
            let kind = usize::try_from(at)
                .ok()
                .and_then(|a| data.get(a))
                .copied()
                .unwrap_or(0);
            let size = le64(data, at + 8).unwrap_or(0);
            if kind == 0 && size == 0 {
                // Preallocated space never written: the end of the objects.
                return None;
            }
            if size < OBJECT_HEADER {
                return Some(format!("the object at offset {at} is not valid"));
            }
            let Some(end) = at.checked_add(size).filter(|&e| e <= data.len() as u64) else {
                return Some(format!(
                    "the object at offset {at} runs past the end of the file"
                ));
            };
            if kind == OBJECT_ENTRY
                && at > self.last_entry
                && let Ok(entry) = self.journal.object(at, OBJECT_ENTRY)
            {
                self.entry(at, &entry, visit);
            }
            at = end.next_multiple_of(8);
        }
        None
    }

    fn entry(
        &mut self,
        offset: u64,
        object: &Object<'a>,
        visit: &mut dyn FnMut(&JournalEntry<'_>),
    ) {
        self.last_entry = offset;
        let bytes = object.bytes;
        if (bytes.len() as u64) < ENTRY_ITEMS {
            self.summary.skipped += 1;
            return;
        }
        let realtime = le64(bytes, 24).unwrap_or(0);
        self.entry.realtime_usec = realtime;
        self.entry.monotonic_usec = le64(bytes, 32).unwrap_or(0);
        self.entry.boot_id = bytes
            .get(40..56)
            .and_then(|b| b.try_into().ok())
            .unwrap_or([0; 16]);
        self.entry.fields.clear();
        self.entry_bytes = 0;
        let item = if self.journal.compact { 4 } else { 16 };
        let mut at = ENTRY_ITEMS;
        while at + item <= bytes.len() as u64 {
            let data_offset = if self.journal.compact {
                le32(bytes, at).map(u64::from)
            } else {
                le64(bytes, at)
            }
            .unwrap_or(0);
            at += item;
            if !self.wanted.is_empty() {
                self.field(data_offset);
            }
        }
        self.summary.entries += 1;
        self.summary.first_usec = Some(
            self.summary
                .first_usec
                .map_or(realtime, |f| f.min(realtime)),
        );
        self.summary.last_usec = Some(self.summary.last_usec.map_or(realtime, |l| l.max(realtime)));
        visit(&self.entry);
    }

    /// Add the data object at `offset` to the entry's fields if its name is wanted.
    fn field(&mut self, offset: u64) {
        if self.entry.fields.len() >= MAX_ENTRY_FIELDS {
            self.summary.skipped += 1;
            return;
        }
        let Ok(object) = self.journal.object(offset, OBJECT_DATA) else {
            self.summary.skipped += 1;
            return;
        };
        let start = if self.journal.compact {
            DATA_PAYLOAD_COMPACT
        } else {
            DATA_PAYLOAD
        };
        let Some(payload) = usize::try_from(start)
            .ok()
            .and_then(|s| object.bytes.get(s..))
        else {
            self.summary.skipped += 1;
            return;
        };
        let compression = object.flags & compress::OBJECT_COMPRESSED_MASK;
        if compression == 0 {
            if let Some(name) = wanted_name(&self.wanted, payload) {
                let value = payload.get(name.len() + 1..).unwrap_or_default();
                self.entry.fields.push((name, Cow::Borrowed(value)));
            }
            return;
        }
        self.scratch.clear();
        // One byte over the cap tells a field of exactly the cap from a longer one.
        let limit = (MAX_FIELD + 1)
            .min(MAX_ENTRY_BYTES.saturating_sub(self.entry_bytes))
            .min(self.file_budget);
        let wanted = &self.wanted;
        let found = self.decoder.decode_if(
            compression,
            payload,
            self.prefix_len,
            limit,
            &mut self.scratch,
            |prefix| wanted_name(wanted, prefix),
        );
        if let Ok(Some(_)) = found {
            self.entry_bytes += self.scratch.len();
            self.file_budget = self.file_budget.saturating_sub(self.scratch.len());
        }
        match found {
            Ok(None) => {}
            // A field as long as the limit may have been cut: dropped rather than given short.
            Ok(Some(name)) if self.scratch.len() < limit => {
                let value = self.scratch.get(name.len() + 1..).unwrap_or_default();
                self.entry.fields.push((name, Cow::Owned(value.to_vec())));
            }
            Ok(Some(_)) | Err(_) => self.summary.skipped += 1,
        }
    }
}

/// The wanted name that `payload` (`NAME=value`) starts with.
fn wanted_name<'w>(wanted: &[&'w [u8]], payload: &[u8]) -> Option<&'w [u8]> {
    wanted.iter().copied().find(|name| {
        payload.len() > name.len()
            && payload.get(name.len()) == Some(&b'=')
            && payload.starts_with(name)
    })
}
