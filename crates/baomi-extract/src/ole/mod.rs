//! OLE compound files: Word/WPS (.doc, .wps), Excel/WPS (.xls, .et), PowerPoint/WPS (.ppt, .dps) and
//! Outlook (.msg). One container format holds all of them; which one it is shows only in the names of
//! its streams, so the dispatcher sends every compound file here and we report the precise format.

mod doc;
mod msg;
mod ppt;
mod xls;

use crate::{Budget, Format, SegmentKind, Unreadable, Visitor};
use baomi_core::UnscannedReason;
use std::io::{Cursor, Read};

type Cfb<'d> = cfb::CompoundFile<Cursor<&'d [u8]>>;

/// Streams and storages of a compound file listed at most: a real document has a handful, a .msg a
/// few hundred; a directory of millions of entries is an attack on our memory, not a document.
const MAX_ENTRIES: usize = 100_000;

/// Extract an OLE compound file; returns the format it turned out to hold.
pub(crate) fn extract(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<Format, Unreadable> {
    budget.check_time()?;
    let mut ole = Ole::open(data)?;
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
        doc::extract(&mut ole, &mut out)?;
        Ok(Format::Doc)
    } else if ole.has("Workbook") || ole.has("Book") {
        xls::extract(&mut ole, &mut out)?;
        Ok(Format::Xls)
    } else if ole.has("PowerPoint Document") {
        ppt::extract(&mut ole, &mut out)?;
        Ok(Format::Ppt)
    } else if ole.root.iter().any(|n| n.starts_with("__substg1.0_")) {
        msg::extract(&mut ole, &mut out)?;
        Ok(Format::Msg)
    } else {
        Err(Unreadable::new(
            UnscannedReason::UnsupportedFormat,
            "OLE compound file of an unknown kind (no Word, Excel, PowerPoint or Outlook stream)",
        ))
    }
}

/// An open compound file and the names of its top-level streams.
pub(crate) struct Ole<'d> {
    cfb: Cfb<'d>,
    /// Names of the root storage's children.
    root: Vec<String>,
    data_len: usize,
}

impl<'d> Ole<'d> {
    pub(crate) fn open(data: &'d [u8]) -> Result<Ole<'d>, Unreadable> {
        let cfb = cfb::CompoundFile::open(Cursor::new(data))
            .map_err(|e| Unreadable::corrupt(format!("damaged OLE compound file: {e}")))?;
        let root = cfb
            .read_root_storage()
            .take(MAX_ENTRIES)
            .map(|e| e.name().to_owned())
            .collect();
        Ok(Ole {
            cfb,
            root,
            data_len: data.len(),
        })
    }

    fn has(&self, name: &str) -> bool {
        self.root.iter().any(|n| n == name)
    }

    /// Children of a storage, as (name, is_stream).
    pub(crate) fn children(&self, storage: &str) -> Vec<(String, bool)> {
        match self.cfb.read_storage(storage) {
            Ok(entries) => entries
                .take(MAX_ENTRIES)
                .map(|e| (e.name().to_owned(), e.is_stream()))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The whole of a stream, `None` when there is no such stream. Streams are stored uncompressed, so
    /// one longer than the file itself is a lie of the directory; we never allocate past the file size.
    pub(crate) fn read(
        &mut self,
        path: &str,
        budget: &mut Budget,
    ) -> Result<Option<Vec<u8>>, Unreadable> {
        budget.check_time()?;
        if !self.cfb.is_stream(path) {
            return Ok(None);
        }
        let stream = self
            .cfb
            .open_stream(path)
            .map_err(|e| Unreadable::corrupt(format!("OLE stream {path}: {e}")))?;
        let declared = stream.len();
        let cap = u64::try_from(self.data_len).unwrap_or(u64::MAX);
        if declared > cap {
            return Err(Unreadable::corrupt(format!(
                "OLE stream {path} claims {declared} bytes in a file of {cap}"
            )));
        }
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
    char::decode_utf16(b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])))
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
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
pub(crate) fn summary_information(ole: &mut Ole<'_>, out: &mut Out<'_>) -> Result<(), Unreadable> {
    const NAME: &str = "\u{5}SummaryInformation";
    let Some(data) = ole.read(NAME, out.budget)? else {
        return Ok(());
    };
    let text = property_lines(&data).join("\n");
    out.emit(SegmentKind::Metadata, None, None, NAME, &text)
}

fn property_lines(b: &[u8]) -> Vec<String> {
    const LABELS: [(u32, &str); 5] = [
        (2, "title"),
        (3, "subject"),
        (4, "author"),
        (5, "keywords"),
        (6, "comments"),
    ];
    let mut lines = Vec::new();
    // Header (28 bytes), then the first property set's FMTID (16) and offset (4).
    let Some(set) = usize_at(b, 44) else {
        return lines;
    };
    let Some(count) = usize_at(b, set.saturating_add(4)) else {
        return lines;
    };
    let mut enc = encoding_rs::WINDOWS_1252;
    let mut props: Vec<(u32, usize)> = Vec::new();
    for i in 0..count.min(1024) {
        let at = set.saturating_add(8).saturating_add(i.saturating_mul(8));
        let (Some(id), Some(off)) = (u32_at(b, at), usize_at(b, at.saturating_add(4))) else {
            break;
        };
        let Some(pos) = set.checked_add(off) else {
            continue;
        };
        if id == 1 {
            // PIDSI_CODEPAGE: VT_I2 code page of the 8-bit strings.
            if let Some(cp) = u16_at(b, pos.saturating_add(4)) {
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

fn property_string(b: &[u8], pos: usize, enc: &'static encoding_rs::Encoding) -> Option<String> {
    const VT_LPSTR: u32 = 0x1E;
    const VT_LPWSTR: u32 = 0x1F;
    let vt = u32_at(b, pos)?;
    let len = usize_at(b, pos.checked_add(4)?)?;
    let start = pos.checked_add(8)?;
    match vt {
        VT_LPSTR => {
            let s = b.get(start..start.checked_add(len)?)?;
            Some(enc.decode_without_bom_handling(s).0.into_owned())
        }
        VT_LPWSTR => {
            let s = b.get(start..start.checked_add(len.checked_mul(2)?)?)?;
            Some(utf16le(s))
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

    pub(crate) fn fixture(name: &str) -> Vec<u8> {
        crate::xml::testing::fixture_in("ole", name)
    }

    /// A fixture stored zipped because LibreOffice's export is large and compresses 40:1.
    pub(crate) fn zipped_fixture(zip_name: &str, member: &str) -> Vec<u8> {
        use std::io::Read;
        let data = fixture(zip_name);
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
        let (r, _) = run(&cfb_with(&[("Equation Native", b"x")]));
        assert_eq!(
            r.expect_err("unknown").reason,
            UnscannedReason::UnsupportedFormat
        );
        // Streams too short to hold their headers are damage, not a crash.
        let (r, _) = run(&cfb_with(&[("WordDocument", b"\xEC\xA5")]));
        assert_eq!(r.expect_err("short").reason, UnscannedReason::Corrupt);
        let (r, _) = run(&cfb_with(&[("PowerPoint Document", b"")]));
        assert_eq!(r.expect("empty ppt"), Format::Ppt);
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
