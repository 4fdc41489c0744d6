//! OLE compound files: Word/WPS (.doc, .wps), Excel/WPS (.xls, .et), PowerPoint/WPS (.ppt, .dps) and
//! Outlook (.msg). One container format holds all of them; which one it is shows only in the names of
//! its streams, so the dispatcher sends every compound file here and we report the precise format.

mod doc;
mod msg;
pub(crate) mod objects;
mod ppt;
mod salvage;
mod xls;

/// The .xls reader's number reading and writing, which the .xlsb reader shares.
pub(crate) use xls::{rk_value, write_number};

use crate::{Budget, Format, SegmentKind, Unreadable, Visitor};
use baomi_core::UnscannedReason;
use std::cell::RefCell;
use std::io::{Cursor, Read, Seek};
use std::rc::Rc;

/// Where a compound file is read from: the bytes of a member in memory, or a file on disk read in
/// place (see [`crate::extract_in_place`]).
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

type Cfb<'d> = cfb::CompoundFile<Shared<'d>>;

/// The file's reader, shared between `cfb` and us: when `cfb` refuses a file it drops its handle,
/// and the salvage reader goes on with ours.
#[derive(Clone)]
pub(crate) struct Shared<'d>(Rc<RefCell<&'d mut dyn ReadSeek>>);

impl Read for Shared<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

impl Seek for Shared<'_> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.0.borrow_mut().seek(pos)
    }
}

/// Streams and storages of a compound file listed at most: a real document has a handful, a .msg a
/// few hundred; a directory of millions of entries is an attack on our memory, not a document.
const MAX_ENTRIES: usize = 100_000;

/// Read-ahead of a stream read in small pieces (property sets): one window of the file reader.
const STREAM_BUFFER_BYTES: usize = 16 << 10;

/// Extract an OLE compound file held in memory; returns the format it turned out to hold.
pub(crate) fn extract(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<Format, Unreadable> {
    let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
    extract_from(&mut Cursor::new(data), len, inner, budget, visitor)
}

/// Extract an OLE compound file of `len` bytes read from `reader` as its streams are needed: only the
/// directory and the streams that hold text are read, never the pictures, thumbnails and embedded
/// objects that make up most of a real document.
pub(crate) fn extract_from(
    reader: &mut dyn ReadSeek,
    len: u64,
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<Format, Unreadable> {
    budget.check_time()?;
    let mut ole = Ole::open(reader, len)?;
    let Some(why) = ole.damage.take() else {
        return by_kind(&mut ole, inner, budget, visitor);
    };
    // A file `cfb` refused, read through the salvage reader: what it could not make sense of, and
    // a file of which nothing could be read, are reported as what `cfb` found wrong, never as an
    // empty document.
    let mut counted = Counted {
        visitor,
        segments: 0,
    };
    match by_kind(&mut ole, inner, budget, &mut counted) {
        Err(e)
            if matches!(
                e.reason,
                UnscannedReason::Encrypted | UnscannedReason::Limit
            ) =>
        {
            Err(e)
        }
        Err(e) => Err(Unreadable::corrupt(format!("{why}; {}", e.detail))),
        Ok(_) if counted.segments == 0 => Err(Unreadable::corrupt(format!(
            "{why}; no text could be read from what is left of it"
        ))),
        Ok(format) => {
            // Read, but not whole: the report says so beside what was found.
            if !ole.cut_short.is_empty() {
                let detail = format!(
                    "{why}; read as far as the damage allows (cut short: {})",
                    ole.cut_short.join(", ")
                );
                counted
                    .visitor
                    .unscanned(inner, UnscannedReason::Corrupt, &detail);
            }
            Ok(format)
        }
    }
}

/// Passes segments on, counting them.
struct Counted<'v> {
    visitor: &'v mut dyn Visitor,
    segments: usize,
}

impl Visitor for Counted<'_> {
    fn segment(&mut self, inner: &[String], segment: &crate::Segment<'_>) {
        self.segments += 1;
        self.visitor.segment(inner, segment);
    }
    fn unscanned(&mut self, inner: &[String], reason: UnscannedReason, detail: &str) {
        self.visitor.unscanned(inner, reason, detail);
    }
    fn format(&mut self, inner: &[String], format: Format) {
        self.visitor.format(inner, format);
    }
}

/// Read a compound file as the streams it holds say it is.
fn by_kind(
    ole: &mut Ole<'_>,
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<Format, Unreadable> {
    if ole.has("EncryptedPackage") || ole.has("EncryptionInfo") {
        return Err(Unreadable::new(
            UnscannedReason::Encrypted,
            "password-protected Office document",
        ));
    }
    let mut out = Out {
        inner,
        budget,
        visitor,
    };
    if ole.has("WordDocument") {
        doc::extract(ole, &mut out)?;
        objects::in_storages(ole, &mut out)?;
        Ok(Format::Doc)
    } else if ole.has("Workbook") || ole.has("Book") {
        xls::extract(ole, &mut out)?;
        objects::in_storages(ole, &mut out)?;
        Ok(Format::Xls)
    } else if ole.has("PowerPoint Document") {
        ppt::extract(ole, &mut out)?;
        Ok(Format::Ppt)
    } else if ole.root.iter().any(|n| n.starts_with("__substg1.0_")) {
        msg::extract(ole, &mut out)?;
        Ok(Format::Msg)
    } else if objects::is_object(ole) {
        objects::object(ole, "/", None, &mut out)?;
        Ok(Format::Ole)
    } else if objects::is_object_pool(ole) {
        objects::pool(ole, &mut out)?;
        Ok(Format::Ole)
    } else if ole.has("PROJECT") && ole.has("VBA") {
        // What PowerPoint keeps of a presentation's macros (MS-OVBA): program code, not text of the
        // document; said so, rather than "unknown".
        Err(Unreadable::new(
            UnscannedReason::UnsupportedFormat,
            "VBA macro project (program code, not document text): not read",
        ))
    } else {
        Err(Unreadable::new(
            UnscannedReason::UnsupportedFormat,
            "OLE compound file of an unknown kind (no Word, Excel, PowerPoint or Outlook stream)",
        ))
    }
}

/// An open compound file and the names of its top-level streams.
pub(crate) struct Ole<'d> {
    tables: Tables<'d>,
    /// Names of the root storage's children.
    root: Vec<String>,
    /// Size of the whole compound file: no stream can hold more.
    data_len: u64,
    /// Why `cfb` refused the file, when it is read through the salvage reader instead.
    damage: Option<String>,
    /// Streams the salvage reader found cut short: their chains end before their declared length.
    cut_short: Vec<String>,
}

/// Who reads the file's sectors: `cfb`, or, for a file it refuses, the forgiving reader that
/// follows only the chains it needs (see [`salvage`]).
enum Tables<'d> {
    Cfb(Cfb<'d>),
    Salvaged(salvage::Salvaged, Shared<'d>),
}

/// A stream read piece by piece: through `cfb`, or the bytes the salvage reader recovered.
pub(crate) enum OleStream<'d> {
    Cfb(cfb::Stream<Shared<'d>>),
    Salvaged(Cursor<Vec<u8>>),
}

impl OleStream<'_> {
    pub(crate) fn len(&self) -> u64 {
        match self {
            OleStream::Cfb(s) => s.len(),
            OleStream::Salvaged(c) => c.get_ref().len() as u64,
        }
    }
}

impl Read for OleStream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            OleStream::Cfb(s) => s.read(buf),
            OleStream::Salvaged(c) => c.read(buf),
        }
    }
}

impl Seek for OleStream<'_> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        match self {
            OleStream::Cfb(s) => s.seek(pos),
            OleStream::Salvaged(c) => c.seek(pos),
        }
    }
}

impl<'d> Ole<'d> {
    pub(crate) fn open(reader: &'d mut dyn ReadSeek, len: u64) -> Result<Ole<'d>, Unreadable> {
        // cfb fills a stream's read buffer with as much of the rest of the stream as fits, up to
        // 1 MiB by default: a few bytes of a property table would read the thumbnail behind them.
        // Whole streams are read past that buffer in any case.
        let shared = Shared(Rc::new(RefCell::new(reader)));
        let (tables, damage) = match cfb::OpenOptions::new()
            .max_buffer_size(STREAM_BUFFER_BYTES)
            .open_with(shared.clone())
        {
            Ok(cfb) => (Tables::Cfb(cfb), None),
            Err(e) => {
                let why = format!("damaged OLE compound file: {e}");
                let mut reader = shared;
                match salvage::Salvaged::open(&mut reader, len) {
                    Ok(s) => (Tables::Salvaged(s, reader), Some(why)),
                    Err(_) => return Err(Unreadable::corrupt(why)),
                }
            }
        };
        let root = match &tables {
            Tables::Cfb(cfb) => cfb
                .read_root_storage()
                .take(MAX_ENTRIES)
                .map(|e| e.name().to_owned())
                .collect(),
            Tables::Salvaged(s, _) => s.children("/").into_iter().map(|(n, _)| n).collect(),
        };
        Ok(Ole {
            tables,
            root,
            data_len: len,
            damage,
            cut_short: Vec::new(),
        })
    }

    fn has(&self, name: &str) -> bool {
        self.root.iter().any(|n| n == name)
    }

    /// Children of a storage, as (name, is_stream).
    pub(crate) fn children(&self, storage: &str) -> Vec<(String, bool)> {
        match &self.tables {
            Tables::Cfb(cfb) => match cfb.read_storage(storage) {
                Ok(entries) => entries
                    .take(MAX_ENTRIES)
                    .map(|e| (e.name().to_owned(), e.is_stream()))
                    .collect(),
                Err(_) => Vec::new(),
            },
            Tables::Salvaged(s, _) => s.children(storage),
        }
    }

    pub(crate) fn is_stream(&self, path: &str) -> bool {
        match &self.tables {
            Tables::Cfb(cfb) => cfb.is_stream(path),
            Tables::Salvaged(s, _) => s.is_stream(path),
        }
    }

    /// A stream to read piece by piece, for streams too large to hold (a workbook's cells); an error
    /// when its directory entry claims more than the whole file.
    pub(crate) fn stream(
        &mut self,
        path: &str,
        budget: &mut Budget,
    ) -> Result<OleStream<'d>, Unreadable> {
        let stream = self.raw_stream(path, budget)?;
        if stream.len() > self.data_len {
            return Err(Unreadable::corrupt(format!(
                "OLE stream {path} claims {} bytes in a file of {}",
                stream.len(),
                self.data_len
            )));
        }
        Ok(stream)
    }

    /// A stream whatever length its directory entry claims.
    fn raw_stream(&mut self, path: &str, budget: &mut Budget) -> Result<OleStream<'d>, Unreadable> {
        budget.check_time()?;
        Ok(match &mut self.tables {
            Tables::Cfb(cfb) => OleStream::Cfb(
                cfb.open_stream(path)
                    .map_err(|e| Unreadable::corrupt(format!("OLE stream {path}: {e}")))?,
            ),
            Tables::Salvaged(s, reader) => {
                let Some((bytes, whole)) = s.read(reader, path) else {
                    return Err(Unreadable::corrupt(format!("OLE stream {path}: not found")));
                };
                if !whole && !self.cut_short.iter().any(|p| p == path) {
                    self.cut_short.push(path.to_owned());
                }
                OleStream::Salvaged(Cursor::new(bytes))
            }
        })
    }

    /// The storage at `path` (absolute, `/ObjectPool/_1`) as a compound file of its own, its children
    /// at the new file's root: an embedded document is then read as any file is. What is copied is
    /// bounded by this file's size, so a directory that names one stream many times cannot inflate.
    pub(crate) fn copy_storage(
        &mut self,
        path: &str,
        budget: &mut Budget,
    ) -> Result<Vec<u8>, Unreadable> {
        let damaged = |e: std::io::Error| Unreadable::corrupt(format!("OLE storage {path}: {e}"));
        let base = std::path::Path::new(path);
        let entries: Vec<(std::path::PathBuf, bool)> = match &self.tables {
            Tables::Cfb(cfb) => cfb
                .walk_storage(base)
                .map_err(damaged)?
                .take(MAX_ENTRIES)
                .map(|e| (e.path().to_owned(), e.is_stream()))
                .collect(),
            Tables::Salvaged(s, _) => s
                .walk(path)
                .into_iter()
                .map(|(p, is_stream)| (std::path::PathBuf::from(p), is_stream))
                .collect(),
        };
        let mut copy = cfb::CompoundFile::create(Cursor::new(Vec::new())).map_err(damaged)?;
        let mut copied = 0u64;
        for (entry, is_stream) in entries {
            let Ok(relative) = entry.strip_prefix(base) else {
                continue;
            };
            if relative.as_os_str().is_empty() {
                continue;
            }
            let target = std::path::Path::new("/").join(relative);
            if !is_stream {
                copy.create_storage(&target).map_err(damaged)?;
                continue;
            }
            let Some(name) = entry.to_str() else {
                continue;
            };
            let data = self.read(name, budget)?.unwrap_or_default();
            copied = copied.saturating_add(data.len() as u64);
            if copied > self.data_len {
                return Err(Unreadable::corrupt(format!(
                    "OLE storage {path} holds more than the whole file"
                )));
            }
            std::io::Write::write_all(&mut copy.create_stream(&target).map_err(damaged)?, &data)
                .map_err(damaged)?;
        }
        copy.flush().map_err(damaged)?;
        Ok(copy.into_inner().into_inner())
    }

    /// The whole of a stream, `None` when there is no such stream. Streams are stored uncompressed, so
    /// one longer than the file itself is a lie of the directory; we never allocate past the file size.
    pub(crate) fn read(
        &mut self,
        path: &str,
        budget: &mut Budget,
    ) -> Result<Option<Vec<u8>>, Unreadable> {
        if !self.is_stream(path) {
            budget.check_time()?;
            return Ok(None);
        }
        let stream = self.stream(path, budget)?;
        let declared = stream.len();
        let mut buf = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
        stream
            .take(declared)
            .read_to_end(&mut buf)
            .map_err(|e| Unreadable::corrupt(format!("OLE stream {path}: {e}")))?;
        Ok(Some(buf))
    }
}

/// Where segments go: the member chain, the budget and the visitor, bundled.
pub(crate) struct Out<'a> {
    pub(crate) inner: &'a mut Vec<String>,
    pub(crate) budget: &'a mut Budget,
    pub(crate) visitor: &'a mut dyn Visitor,
}

impl Out<'_> {
    /// Report a segment unless it is blank; an empty `part` means none. Text is accounted against the
    /// budget here, once.
    pub(crate) fn emit(
        &mut self,
        kind: SegmentKind,
        page: Option<u32>,
        sheet: Option<&str>,
        part: &str,
        text: &str,
    ) -> Result<(), Unreadable> {
        if text.trim().is_empty() {
            return Ok(());
        }
        self.budget
            .spend_text(u64::try_from(text.len()).unwrap_or(u64::MAX))?;
        let part = (!part.is_empty()).then_some(part);
        crate::emit_segment(self.visitor, self.inner, kind, page, sheet, part, text);
        Ok(())
    }

    /// A secondary stream failed: report it and go on, unless the whole file is out of budget.
    pub(crate) fn soft<T>(
        &mut self,
        part: &str,
        r: Result<T, Unreadable>,
    ) -> Result<Option<T>, Unreadable> {
        crate::soft(r, part, self.inner, self.budget, self.visitor)
    }
}

// ----------------------------------------------------------------------------- little-endian reads

pub(crate) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

pub(crate) fn usize_at(b: &[u8], at: usize) -> Option<usize> {
    u32_at(b, at).and_then(|v| usize::try_from(v).ok())
}

/// UTF-16LE bytes to text; a stray odd byte at the end is dropped, unpaired surrogates become U+FFFD.
pub(crate) fn utf16le(b: &[u8]) -> String {
    let units = b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
    if b.len() < 128 {
        // Short strings (most PowerPoint text atoms, property values): decoded straight into the
        // result; the fixed costs of the run converter (a buffer, a UTF-8 check) outweigh it there.
        let mut text = String::with_capacity(b.len() / 2 * 3);
        for c in char::decode_utf16(units) {
            text.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
        }
        return text;
    }
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let mut text = String::new();
    push_utf16(&mut text, &units, &mut Vec::new());
    text
}

/// Append UTF-16 text to `line`, unpaired surrogates as U+FFFD. Text without surrogates (nearly all:
/// Chinese is in the Basic Multilingual Plane) is encoded here 256 units at a time through a buffer on
/// the stack, about three times as fast as the general converter, which was a third of a .doc's time and
/// a tenth of a presentation's.
pub(crate) fn push_utf16(line: &mut String, units: &[u16], scratch: &mut Vec<u8>) {
    let surrogates = units
        .iter()
        .fold(false, |any, &u| any | (0xD800..0xE000).contains(&u));
    if surrogates {
        scratch.resize(3 * units.len(), 0);
        let n = encoding_rs::mem::convert_utf16_to_utf8(units, scratch);
        // Valid by construction (errors become U+FFFD); checked rather than trusted.
        line.push_str(simdutf8::basic::from_utf8(&scratch[..n]).unwrap_or_default());
        return;
    }
    line.reserve(units.len());
    for chunk in units.chunks(256) {
        let mut buf = [0u8; 3 * 256];
        let mut n = 0;
        for &u in chunk {
            if u < 0x80 {
                buf[n] = u as u8;
                n += 1;
            } else if u < 0x800 {
                buf[n..n + 2].copy_from_slice(&[0xC0 | (u >> 6) as u8, 0x80 | (u & 0x3F) as u8]);
                n += 2;
            } else {
                buf[n..n + 3].copy_from_slice(&[
                    0xE0 | (u >> 12) as u8,
                    0x80 | ((u >> 6) & 0x3F) as u8,
                    0x80 | (u & 0x3F) as u8,
                ]);
                n += 3;
            }
        }
        // Valid by construction (no surrogates, so every unit is one scalar value); checked anyway.
        line.push_str(simdutf8::basic::from_utf8(&buf[..n]).unwrap_or_default());
    }
}

/// The encoding of a Windows code page number, as Office stores it (`CP_ACP` files from a Chinese
/// Windows say 936). Unknown pages fall back on `fallback`.
pub(crate) fn codepage(
    cp: u32,
    fallback: &'static encoding_rs::Encoding,
) -> &'static encoding_rs::Encoding {
    use encoding_rs::*;
    match cp {
        936 | 20936 => GBK,
        54936 => GB18030,
        950 => BIG5,
        932 => SHIFT_JIS,
        949 => EUC_KR,
        1200 => UTF_16LE,
        1201 => UTF_16BE,
        65001 => UTF_8,
        874 => WINDOWS_874,
        1250 => WINDOWS_1250,
        1251 => WINDOWS_1251,
        1252 => WINDOWS_1252,
        1253 => WINDOWS_1253,
        1254 => WINDOWS_1254,
        1255 => WINDOWS_1255,
        1256 => WINDOWS_1256,
        1257 => WINDOWS_1257,
        1258 => WINDOWS_1258,
        28591 | 20127 => WINDOWS_1252,
        _ => fallback,
    }
}

// ------------------------------------------------------------------------- SummaryInformation

/// Title, subject, author, keywords and comments from `\u{5}SummaryInformation` (MS-OLEPS), one
/// `name: value` line each. Office keeps a document's title there whatever the format; a marking typed
/// into File → Properties is still a marking on the document.
///
/// Only the property table and the strings are read, never the whole stream: the same stream holds
/// the thumbnail (442 KB of a 480 KB LibreOffice .ppt), and reading it was most of such a file's time.
pub(crate) fn summary_information(ole: &mut Ole<'_>, out: &mut Out<'_>) -> Result<(), Unreadable> {
    const NAME: &str = "\u{5}SummaryInformation";
    out.budget.check_time()?;
    if !ole.is_stream(NAME) {
        return Ok(());
    }
    let stream = ole.raw_stream(NAME, out.budget)?;
    let text = property_lines(&mut PropertyBytes::new(stream, ole.data_len)).join("\n");
    out.emit(SegmentKind::Metadata, None, None, NAME, &text)
}

/// A property-set stream read where it is needed: its head at once (the header and the property
/// table are there), anything further by seeking.
struct PropertyBytes<S> {
    stream: S,
    head: Vec<u8>,
    len: u64,
}

impl<S: Read + std::io::Seek> PropertyBytes<S> {
    /// Bytes read up front: a property table of a few dozen entries and the short strings after it.
    const HEAD: u64 = 4096;

    /// A stream's directory entry may claim more than the file holds; nothing past `file_len` is
    /// ever allocated for.
    fn new(mut stream: S, file_len: u64) -> Self {
        let len = stream
            .seek(std::io::SeekFrom::End(0))
            .unwrap_or(0)
            .min(file_len);
        let mut head = Vec::new();
        if stream.rewind().is_ok() {
            // A stream that cannot be read leaves the head short; every lookup then finds nothing.
            let _ = (&mut stream)
                .take(Self::HEAD.min(len))
                .read_to_end(&mut head);
        }
        PropertyBytes { stream, head, len }
    }

    /// `n` bytes at `at`, `None` past the end of the stream or when it cannot be read.
    fn bytes(&mut self, at: usize, n: usize) -> Option<std::borrow::Cow<'_, [u8]>> {
        let end = at.checked_add(n)?;
        if u64::try_from(end).ok()? > self.len {
            return None;
        }
        if end <= self.head.len() {
            return self.head.get(at..end).map(std::borrow::Cow::Borrowed);
        }
        self.stream
            .seek(std::io::SeekFrom::Start(u64::try_from(at).ok()?))
            .ok()?;
        let mut buf = vec![0; n];
        self.stream.read_exact(&mut buf).ok()?;
        Some(std::borrow::Cow::Owned(buf))
    }

    fn u16_at(&mut self, at: usize) -> Option<u16> {
        self.bytes(at, 2).and_then(|b| u16_at(&b, 0))
    }

    fn u32_at(&mut self, at: usize) -> Option<u32> {
        self.bytes(at, 4).and_then(|b| u32_at(&b, 0))
    }

    fn usize_at(&mut self, at: usize) -> Option<usize> {
        self.u32_at(at).and_then(|v| usize::try_from(v).ok())
    }
}

fn property_lines<S: Read + std::io::Seek>(b: &mut PropertyBytes<S>) -> Vec<String> {
    const LABELS: [(u32, &str); 5] = [
        (2, "title"),
        (3, "subject"),
        (4, "author"),
        (5, "keywords"),
        (6, "comments"),
    ];
    let mut lines = Vec::new();
    // Header (28 bytes), then the first property set's FMTID (16) and offset (4).
    let Some(set) = b.usize_at(44) else {
        return lines;
    };
    let Some(count) = b.usize_at(set.saturating_add(4)) else {
        return lines;
    };
    let mut enc = encoding_rs::WINDOWS_1252;
    let mut props: Vec<(u32, usize)> = Vec::new();
    for i in 0..count.min(1024) {
        let at = set.saturating_add(8).saturating_add(i.saturating_mul(8));
        let (Some(id), Some(off)) = (b.u32_at(at), b.usize_at(at.saturating_add(4))) else {
            break;
        };
        let Some(pos) = set.checked_add(off) else {
            continue;
        };
        if id == 1 {
            // PIDSI_CODEPAGE: VT_I2 code page of the 8-bit strings.
            if let Some(cp) = b.u16_at(pos.saturating_add(4)) {
                enc = codepage(u32::from(cp), enc);
            }
        }
        props.push((id, pos));
    }
    for (id, label) in LABELS {
        let Some(&(_, pos)) = props.iter().find(|p| p.0 == id) else {
            continue;
        };
        let Some(value) = property_string(b, pos, enc) else {
            continue;
        };
        let value = value.trim_end_matches('\0').trim();
        if !value.is_empty() {
            lines.push(format!("{label}: {value}"));
        }
    }
    lines
}

fn property_string<S: Read + std::io::Seek>(
    b: &mut PropertyBytes<S>,
    pos: usize,
    enc: &'static encoding_rs::Encoding,
) -> Option<String> {
    const VT_LPSTR: u32 = 0x1E;
    const VT_LPWSTR: u32 = 0x1F;
    let vt = b.u32_at(pos)?;
    let len = b.usize_at(pos.checked_add(4)?)?;
    let start = pos.checked_add(8)?;
    match vt {
        VT_LPSTR => {
            let s = b.bytes(start, len)?;
            Some(enc.decode_without_bom_handling(&s).0.into_owned())
        }
        VT_LPWSTR => {
            let s = b.bytes(start, len.checked_mul(2)?)?;
            Some(utf16le(&s))
        }
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Fixtures of this module and a runner for [`super::extract`].
    use crate::xml::testing::Collect;
    use crate::{Budget, Format, Limits, Unreadable};

    /// A compound file holding these streams, storages made as the paths need, for hand-made cases.
    pub(crate) fn cfb_with(streams: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut c = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("create");
        for (name, data) in streams {
            if let Some((dir, _)) = name.rsplit_once('/')
                && !dir.is_empty()
            {
                c.create_storage_all(dir).expect("storage");
            }
            c.create_stream(name)
                .expect("stream")
                .write_all(data)
                .expect("write");
        }
        c.flush().expect("flush");
        c.into_inner().into_inner()
    }

    /// The whole of stream `name` of the compound file `file`.
    pub(crate) fn stream_of(file: &[u8], name: &str) -> Vec<u8> {
        let mut cursor = std::io::Cursor::new(file);
        let mut ole = super::Ole::open(&mut cursor, file.len() as u64).expect("ole");
        let mut budget = Budget::new(Limits::default());
        ole.read(name, &mut budget).expect("read").expect("stream")
    }

    pub(crate) fn fixture(name: &str) -> Vec<u8> {
        crate::xml::testing::fixture_in("ole", name)
    }

    /// A fixture stored zipped because LibreOffice's export is large and compresses 40:1.
    pub(crate) fn zipped_fixture(zip_name: &str, member: &str) -> Vec<u8> {
        zipped_fixture_in("ole", zip_name, member)
    }

    /// `member` of the zip `tests/fixtures/<dir>/<zip_name>`.
    pub(crate) fn zipped_fixture_in(dir: &str, zip_name: &str, member: &str) -> Vec<u8> {
        use std::io::Read;
        let data = crate::xml::testing::fixture_in(dir, zip_name);
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(data)).expect("zip");
        let mut f = z.by_name(member).expect("member");
        let mut out = Vec::new();
        f.read_to_end(&mut out).expect("read");
        out
    }

    pub(crate) fn run(data: &[u8]) -> (Result<Format, Unreadable>, Collect) {
        let mut c = Collect::default();
        let mut budget = Budget::new(Limits::default());
        let r = super::extract(data, &mut Vec::new(), &mut budget, &mut c);
        (r, c)
    }

    /// CJK ideographs of a text, in order: what the comparison with LibreOffice counts.
    pub(crate) fn cjk(s: &str) -> Vec<char> {
        s.chars()
            .filter(|c| {
                ('\u{4E00}'..='\u{9FFF}').contains(c) || ('\u{3400}'..='\u{4DBF}').contains(c)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use crate::Format;
    use baomi_core::UnscannedReason;

    #[test]
    fn not_ole_is_corrupt() {
        let (r, _) = run(b"\xD0\xCF\x11\xE0 not really");
        assert_eq!(r.expect_err("corrupt").reason, UnscannedReason::Corrupt);
        let (r, _) = run(b"");
        assert_eq!(r.expect_err("corrupt").reason, UnscannedReason::Corrupt);
    }

    #[test]
    fn kinds_by_stream_names() {
        let (r, _) = run(&cfb_with(&[
            ("EncryptionInfo", b"x"),
            ("EncryptedPackage", b"y"),
        ]));
        assert_eq!(r.expect_err("enc").reason, UnscannedReason::Encrypted);
        let (r, _) = run(&cfb_with(&[("VisioDocument", b"x")]));
        assert_eq!(
            r.expect_err("unknown").reason,
            UnscannedReason::UnsupportedFormat
        );
        // An OLE object's wrapper (OOXML keeps them as oleObject1.bin): a formula holds no prose.
        let (r, c) = run(&cfb_with(&[("Equation Native", b"x")]));
        assert_eq!(r.expect("equation"), Format::Ole);
        assert!(c.segs.is_empty() && c.unscanned.is_empty());
        // Streams too short to hold their headers are damage, not a crash.
        let (r, _) = run(&cfb_with(&[("WordDocument", b"\xEC\xA5")]));
        assert_eq!(r.expect_err("short").reason, UnscannedReason::Corrupt);
        let (r, _) = run(&cfb_with(&[("PowerPoint Document", b"")]));
        assert_eq!(r.expect("empty ppt"), Format::Ppt);
    }

    /// The character-by-character decoding `utf16le` replaced: the standard library's, by definition.
    fn utf16le_reference(b: &[u8]) -> String {
        char::decode_utf16(b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])))
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    }

    #[test]
    fn utf16le_equals_the_standard_decoder() {
        // Units drawn mostly from the awkward places: surrogates of both halves, controls, ASCII,
        // CJK, the BOM, and odd lengths.
        const PICKS: [u16; 12] = [
            0x0041, 0x000D, 0x4E2D, 0xD83D, 0xDE00, 0xDBFF, 0xDC00, 0xFEFF, 0xFFFD, 0x0000, 0x00E9,
            0xFFFF,
        ];
        let mut rng = crate::xml::testing::XorShift(0x2545_F491_4F6C_DD1D_u64);
        let mut next = || rng.next_u64();
        for _ in 0..20_000 {
            // Both sides of the short-string path (64 units).
            let n = (next() % 160) as usize;
            let mut bytes = Vec::new();
            for _ in 0..n {
                let r = next();
                let unit = if r % 3 == 0 {
                    (r >> 8) as u16
                } else {
                    PICKS[(r >> 8) as usize % PICKS.len()]
                };
                bytes.extend_from_slice(&unit.to_le_bytes());
            }
            if next() % 4 == 0 {
                bytes.push(0x41);
            }
            assert_eq!(
                super::utf16le(&bytes),
                utf16le_reference(&bytes),
                "{bytes:02X?}"
            );
        }
    }

    /// Reading in place (a reader over the file) and from memory are the same reading.
    #[test]
    fn in_place_reads_what_memory_reads() {
        let files = [
            fixture("notice.doc"),
            fixture("05_page3_only.doc"),
            fixture("style_break.doc"),
            fixture("truncated.doc"),
            fixture("book.xls"),
            zipped_fixture("slides.ppt.zip", "slides.ppt"),
        ];
        for data in files {
            let (whole, from_memory) = run(&data);
            let mut in_place = crate::xml::testing::Collect::default();
            let mut budget = crate::Budget::new(crate::Limits::default());
            let len = data.len() as u64;
            let read = crate::extract_in_place(
                &mut std::io::Cursor::new(&data[..]),
                len,
                &mut budget,
                &mut in_place,
            );
            assert_eq!(format!("{whole:?}"), format!("{read:?}"));
            assert_eq!(
                format!("{:?}", from_memory.segs),
                format!("{:?}", in_place.segs)
            );
            assert_eq!(from_memory.unscanned, in_place.unscanned);
            assert!(!in_place.segs.is_empty() || whole.is_err());
        }
    }

    #[test]
    fn push_utf16_equals_the_standard_decoder() {
        // Every UTF-8 length, the edges of each range, surrogates, and runs across the 256-unit chunks.
        let edges: [u16; 14] = [
            0x20, 0x7F, 0x80, 0x7FF, 0x800, 0x4E2D, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000,
            0xFFFD, 0xFFFF,
        ];
        let mut rng = crate::xml::testing::XorShift(0x2545_f491_4f6c_dd1d_u64);
        let mut next = |n: usize| rng.below(n);
        let mut scratch = Vec::new();
        for round in 0..3000 {
            let len = if round % 10 == 0 {
                next(1200)
            } else {
                next(40)
            };
            let with_surrogates = round % 3 == 0;
            let units: Vec<u16> = (0..len)
                .map(|_| {
                    loop {
                        let u = if next(2) == 0 {
                            edges[next(edges.len())]
                        } else {
                            0x20 + next(0x10000 - 0x20) as u16
                        };
                        if with_surrogates || !(0xD800..0xE000).contains(&u) {
                            break u;
                        }
                    }
                })
                .collect();
            let mut line = String::from("前");
            super::push_utf16(&mut line, &units, &mut scratch);
            assert_eq!(line, format!("前{}", String::from_utf16_lossy(&units)));
        }
    }

    #[test]
    fn summary_information_of_a_real_file() {
        let (r, c) = run(&fixture("notice.doc"));
        assert_eq!(r.expect("doc"), Format::Doc);
        let meta = c.text_of(crate::SegmentKind::Metadata);
        assert!(meta.contains("title: 关于加强保密管理的通知"), "{meta}");
        assert!(meta.contains("subject: 保密检查"), "{meta}");
    }
}
