//! Objects embedded in a compound document (OLE 2 embedding, MS-OLEDS): a table pasted from Excel into
//! a Word report, a Word document inside a workbook or a slide, a file dropped into a document as an
//! icon (the Packager). The host document holds only a picture of the object and a field code; the
//! object's own text is in a storage of the compound file (Word: `ObjectPool/_N`, Excel: `MBD…` at the
//! root, Outlook: an attachment's object), in a compressed record (PowerPoint: `ExOleObjStg`, read in
//! [`super::ppt`]), or in an OLE wrapper of an OOXML package (`word/embeddings/oleObject1.bin`). Each is
//! read as a member of its document, so a marking inside it is reported with the path that leads to it.
//!
//! Kinds read: Word, Excel and PowerPoint documents (the storage is copied out as a compound file of its
//! own and read like a file), OOXML documents (`Package`), LibreOffice's own objects (a chart, a Calc
//! or Writer object kept as an ODF package in `package_stream`), packaged files (`\x01Ole10Native`),
//! and objects that keep a file in `CONTENTS` (Acrobat keeps a PDF there). Formulas (`Equation Native`)
//! hold no prose and are passed over; any other kind is reported unscanned with its type name, never
//! skipped in silence.

use super::{Ole, Out, usize_at};
use crate::Unreadable;
use baomi_core::UnscannedReason;

/// Streams whose presence makes a storage a document of that kind.
const DOCUMENT_STREAMS: [&str; 4] = ["WordDocument", "Workbook", "Book", "PowerPoint Document"];

/// The embedded objects stored as storages of this compound file (`ObjectPool/*` in Word and WPS
/// documents, `MBD*` in Excel and WPS workbooks), each read as a member.
pub(super) fn in_storages(ole: &mut Ole<'_>, out: &mut Out<'_>) -> Result<(), Unreadable> {
    let mut storages = Vec::new();
    for (name, is_stream) in ole.children("/") {
        if is_stream {
            continue;
        }
        if name == "ObjectPool" {
            storages.extend(
                ole.children("/ObjectPool")
                    .into_iter()
                    .filter(|(_, s)| !s)
                    .map(|(child, _)| format!("ObjectPool/{child}")),
            );
        } else if name.starts_with("MBD") {
            storages.push(name);
        }
    }
    if storages.len() > usize::try_from(out.budget.limits.max_members).unwrap_or(usize::MAX) {
        return Err(Unreadable::limit(format!(
            "more than {} embedded objects in one document",
            out.budget.limits.max_members
        )));
    }
    // The directory's order is a red-black tree's; the report's is the names'.
    storages.sort();
    for label in storages {
        out.budget.check_time()?;
        object(ole, &format!("/{label}"), Some(&label), out)?;
    }
    Ok(())
}

/// Whether this compound file is a pool of embedded objects and nothing else: Word 2003 XML keeps a
/// document's objects as `oledata.mso`, whose root holds one entry per object, named `_` and the
/// object's number as in a .doc's `ObjectPool`: a storage, or a stream holding the object's storage
/// deflated.
pub(super) fn is_object_pool(ole: &Ole<'_>) -> bool {
    let children = ole.children("/");
    !children.is_empty()
        && children.iter().all(|(name, _)| {
            name.len() > 1 && name.starts_with('_') && name[1..].bytes().all(|b| b.is_ascii_digit())
        })
}

/// Each object of a pool (see [`is_object_pool`]) read as a member.
pub(super) fn pool(ole: &mut Ole<'_>, out: &mut Out<'_>) -> Result<(), Unreadable> {
    let mut entries = ole.children("/");
    if entries.len() > usize::try_from(out.budget.limits.max_members).unwrap_or(usize::MAX) {
        return Err(Unreadable::limit(format!(
            "more than {} embedded objects in one pool",
            out.budget.limits.max_members
        )));
    }
    entries.sort();
    for (label, is_stream) in entries {
        out.budget.check_time()?;
        if !is_stream {
            object(ole, &format!("/{label}"), Some(&label), out)?;
            continue;
        }
        // A u32 length, then the object's compound file as a zlib stream.
        let r = ole.read(&label, out.budget).and_then(|stream| {
            let stream = stream.unwrap_or_default();
            let declared = super::usize_at(&stream, 0).unwrap_or(0);
            let limit = declared
                .min(usize::try_from(out.budget.limits.max_uncompressed).unwrap_or(usize::MAX));
            crate::inflate::zlib_bounded(stream.get(4..).unwrap_or_default(), limit)
                .map_err(|_| Unreadable::corrupt("embedded object: damaged compressed storage"))
        });
        if let Some(bytes) = out.soft(&label, r)? {
            crate::extract_member(&label, &bytes, out.inner, out.budget, out.visitor)?;
        }
    }
    Ok(())
}

/// Whether the root of this compound file is an OLE object of a kind [`object`] reads (the wrapper
/// OOXML packages keep as `oleObject1.bin`).
pub(super) fn is_object(ole: &Ole<'_>) -> bool {
    [
        "Package",
        PACKAGE_STREAM,
        OLE10_NATIVE,
        "CONTENTS",
        "Equation Native",
    ]
    .iter()
    .any(|n| ole.has(n))
}

const OLE10_NATIVE: &str = "\u{1}Ole10Native";
/// Where LibreOffice keeps the ODF package of an object it embeds in a binary Office file.
const PACKAGE_STREAM: &str = "package_stream";

/// Read the object kept in the storage at `path`. `label` names it as a member of its document
/// (`None` when the storage is the root of the file being read, which is already a member).
pub(super) fn object(
    ole: &mut Ole<'_>,
    path: &str,
    label: Option<&str>,
    out: &mut Out<'_>,
) -> Result<(), Unreadable> {
    let streams: Vec<String> = ole
        .children(path)
        .into_iter()
        .filter(|(_, is_stream)| *is_stream)
        .map(|(n, _)| n)
        .collect();
    let has = |name: &str| streams.iter().any(|s| s == name);
    let member = |inside: &str| match label {
        Some(l) => format!("{l}/{inside}"),
        None => inside.to_owned(),
    };
    let stream_path = |name: &str| {
        if path.ends_with('/') {
            format!("{path}{name}")
        } else {
            format!("{path}/{name}")
        }
    };
    if DOCUMENT_STREAMS.iter().any(|n| has(n)) {
        let Some(label) = label else {
            // The root of a file is a document: the dispatcher reads it as one, never as an object.
            return Ok(());
        };
        let r = ole.copy_storage(path, out.budget);
        let Some(bytes) = out.soft(label, r)? else {
            return Ok(());
        };
        return crate::extract_member(label, &bytes, out.inner, out.budget, out.visitor);
    }
    // Streams that hold a file: an OOXML document (Word 2007 and later embed their own documents so;
    // the zip sniffs as one), an ODF package, a packaged file, or a file kept whole (Acrobat's PDF).
    for stream in ["Package", PACKAGE_STREAM, OLE10_NATIVE, "CONTENTS"] {
        if !has(stream) {
            continue;
        }
        let r = ole.read(&stream_path(stream), out.budget);
        if let Some(Some(data)) = out.soft(&member(stream), r)? {
            let (name, payload) = if stream == OLE10_NATIVE {
                let (name, payload) = ole10_native(&data);
                (name.filter(|n| !n.is_empty()), payload)
            } else {
                (None, data.as_slice())
            };
            let name = member(
                name.as_deref()
                    .unwrap_or(stream.trim_start_matches('\u{1}')),
            );
            crate::extract_member(&name, payload, out.inner, out.budget, out.visitor)?;
        }
        return Ok(());
    }
    if has("Equation Native") {
        // Equation Editor and MathType: a formula, no prose.
        return Ok(());
    }
    if streams.iter().all(|s| is_bookkeeping(s)) {
        // A linked object (its data stays in the file it links to) or a static picture.
        return Ok(());
    }
    let kind = user_type(ole, &stream_path("\u{1}CompObj"), out)
        .map_or_else(String::new, |t| format!(" ({t})"));
    if let Some(l) = label {
        out.inner.push(l.to_owned());
    }
    out.visitor.unscanned(
        out.inner,
        UnscannedReason::UnsupportedFormat,
        &format!("embedded object of a kind that is not read{kind}"),
    );
    if label.is_some() {
        out.inner.pop();
    }
    Ok(())
}

/// OLE's own streams in an object's storage: its class (`\x01CompObj`), link data (`\x01Ole`),
/// cached pictures (`\x02OlePres000`), object info (`\x03ObjInfo`) and property sets (`\x05…`).
fn is_bookkeeping(name: &str) -> bool {
    name.starts_with(['\u{1}', '\u{2}', '\u{3}', '\u{5}'])
}

/// The object's type as a person reads it ("Microsoft Visio Drawing"), from `\x01CompObj`
/// (MS-OLEDS 2.3.8: a 28-byte header, then the user type as a length-prefixed ANSI string).
fn user_type(ole: &mut Ole<'_>, path: &str, out: &mut Out<'_>) -> Option<String> {
    let data = ole.read(path, out.budget).ok()??;
    let len = usize_at(&data, 28)?;
    let bytes = data.get(32..32usize.checked_add(len)?)?;
    let text: String = encoding_rs::GBK
        .decode_without_bom_handling(bytes)
        .0
        .trim_end_matches('\0')
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    (!text.trim().is_empty()).then_some(text)
}

/// A packaged file (`\x01Ole10Native`): its name and its bytes. The layout Packager writes (as Apache
/// POI and oletools read it): total size (4), flags (2), label and source path (NUL-terminated ANSI),
/// flags (4), the temporary path's length (4) and the path, the data's size (4) and the data. Other
/// writers keep the raw data after the total size; that is what is returned when the layout does not
/// fit.
pub(crate) fn ole10_native(data: &[u8]) -> (Option<String>, &[u8]) {
    let total = usize_at(data, 0).unwrap_or(0);
    let raw = data
        .get(4..4usize.saturating_add(total))
        .unwrap_or_else(|| data.get(4..).unwrap_or_default());
    parsed(data).map_or((None, raw), |(name, payload)| (Some(name), payload))
}

fn parsed(data: &[u8]) -> Option<(String, &[u8])> {
    let zstring = |at: usize| -> Option<(&[u8], usize)> {
        let rest = data.get(at..)?;
        let end = memchr::memchr(0, rest)?;
        Some((&rest[..end], at + end + 1))
    };
    let (label, at) = zstring(6)?;
    let (_source, at) = zstring(at)?;
    let at = at.checked_add(4)?;
    let temp_len = usize_at(data, at)?;
    let at = at.checked_add(4)?.checked_add(temp_len)?;
    let size = usize_at(data, at)?;
    let start = at.checked_add(4)?;
    let payload = data.get(start..start.checked_add(size)?)?;
    // The label is the file's name as the user dropped it; the path part is the sender's machine's.
    let name = encoding_rs::GBK.decode_without_bom_handling(label).0;
    let name = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    Some((name, payload))
}

#[cfg(test)]
pub(crate) mod testing {
    /// A packaged file as Packager lays it out (see [`super::ole10_native`]).
    pub(crate) fn packaged(name: &str, source: &str, data: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&2u16.to_le_bytes());
        for s in [name, source] {
            body.extend_from_slice(&encoding_rs::GBK.encode(s).0);
            body.push(0);
        }
        body.extend_from_slice(&0x0003_0000u32.to_le_bytes());
        let temp = format!("C:\\Users\\ADMINI~1\\AppData\\Local\\Temp\\{name}\0");
        let temp = encoding_rs::GBK.encode(&temp).0;
        body.extend_from_slice(&u32::try_from(temp.len()).unwrap().to_le_bytes());
        body.extend_from_slice(&temp);
        body.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
        body.extend_from_slice(data);
        let mut out = u32::try_from(body.len()).unwrap().to_le_bytes().to_vec();
        out.extend_from_slice(&body);
        out
    }

    /// `\x01CompObj` naming the object's type as Windows writes it (ANSI: GBK on a Chinese system).
    pub(crate) fn comp_obj(user_type: &str) -> Vec<u8> {
        let mut out = vec![0u8; 28];
        out[..4].copy_from_slice(&0xFFFE_0001u32.to_le_bytes());
        let name = encoding_rs::GBK.encode(user_type).0;
        out.extend_from_slice(&u32::try_from(name.len() + 1).unwrap().to_le_bytes());
        out.extend_from_slice(&name);
        out.push(0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{comp_obj, packaged};
    use super::*;
    use crate::ole::testing::{cfb_with, fixture};
    use crate::text::testutil::Collect;
    use crate::{Budget, Format, Limits};
    use std::io::Write;

    /// Extract, keeping each segment's member path (joined by " > ").
    fn run(data: &[u8]) -> (Result<Format, Unreadable>, Collect) {
        let mut c = Collect::default();
        let mut budget = Budget::new(Limits::default());
        let r = crate::ole::extract(data, &mut Vec::new(), &mut budget, &mut c);
        (r, c)
    }

    fn corpus(name: &str) -> Vec<u8> {
        crate::xml::testing::fixture_in("corpus/embedded", name)
    }

    fn has_text(c: &Collect, inner: &str, text: &str) -> bool {
        c.segments
            .iter()
            .any(|s| s.0 == inner && s.3.contains(text))
    }

    #[test]
    fn objects_in_word_excel_and_powerpoint_files_made_by_libreoffice() {
        let (r, c) = run(&corpus("报告_内嵌表格.doc"));
        assert_eq!(r.expect("doc"), Format::Doc);
        assert!(has_text(&c, "", "关于二〇二六年度工作安排的报告"));
        assert!(
            has_text(&c, "ObjectPool/_2147483647", "机密★5年"),
            "{:?}",
            c.segments
        );
        assert!(
            c.formats
                .contains(&("ObjectPool/_2147483647".to_owned(), Format::Xls))
        );

        let (r, c) = run(&corpus("汇总_内嵌说明.xls"));
        assert_eq!(r.expect("xls"), Format::Xls);
        assert!(
            has_text(&c, "MBDF9377198", "附件为涉密人员名单"),
            "{:?}",
            c.segments
        );
        assert!(c.formats.contains(&("MBDF9377198".to_owned(), Format::Doc)));

        let ppt = crate::ole::testing::zipped_fixture_in(
            "corpus/embedded",
            "汇报_内嵌表格.ppt.zip",
            "汇报_内嵌表格.ppt",
        );
        let (r, c) = run(&ppt);
        assert_eq!(r.expect("ppt"), Format::Ppt);
        assert!(
            has_text(&c, "ExOleObjStg@9470", "机密★5年"),
            "{:?}",
            c.segments
        );
        assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
        // Damaged anywhere in the object's record, the presentation is still read and nothing panics.
        for at in (9470..9470 + 1261).step_by(7) {
            let mut bad = ppt.clone();
            bad[at] ^= 0x5A;
            let (_, c) = run(&bad);
            assert!(has_text(&c, "", "年度工作汇报") || !c.unscanned.is_empty());
        }
    }

    /// A copy of a real .doc with an object pool holding one object of each other kind.
    #[test]
    fn packaged_files_packages_and_unknown_kinds() {
        let mut doc =
            cfb::CompoundFile::open(std::io::Cursor::new(fixture("notice.doc"))).expect("doc");
        let docx = crate::xml::testing::fixture_in("office", "notice.docx");
        type Streams<'a> = Vec<(&'a str, Vec<u8>)>;
        let objects: [(&str, Streams<'_>); 5] = [
            (
                "_1",
                vec![(
                    "\u{1}Ole10Native",
                    packaged(
                        "名单.txt",
                        "D:\\工作\\名单.txt",
                        "机密★5年\r\n名单".as_bytes(),
                    ),
                )],
            ),
            (
                "_2",
                vec![
                    ("\u{1}CompObj", comp_obj("Microsoft Visio 绘图")),
                    ("VisioDocument", vec![7; 600]),
                ],
            ),
            // Linked: the data stays in the source file.
            (
                "_3",
                vec![
                    ("\u{1}CompObj", comp_obj("Microsoft Excel 工作表")),
                    ("\u{1}Ole", vec![0; 20]),
                ],
            ),
            (
                "_4",
                vec![
                    ("\u{1}CompObj", comp_obj("Microsoft 公式 3.0")),
                    ("Equation Native", vec![3; 40]),
                ],
            ),
            ("_5", vec![("Package", docx)]),
        ];
        for (name, streams) in &objects {
            doc.create_storage_all(format!("/ObjectPool/{name}"))
                .expect("storage");
            for (stream, data) in streams {
                doc.create_stream(format!("/ObjectPool/{name}/{stream}"))
                    .expect("stream")
                    .write_all(data)
                    .expect("write");
            }
        }
        doc.flush().expect("flush");
        let data = doc.into_inner().into_inner();
        let (r, c) = run(&data);
        assert_eq!(r.expect("doc"), Format::Doc);
        assert!(
            has_text(&c, "ObjectPool/_1/名单.txt", "机密★5年"),
            "{:?}",
            c.segments
        );
        assert!(
            c.segments
                .iter()
                .any(|s| s.0 == "ObjectPool/_5/Package" && s.1 == "body")
        );
        assert_eq!(c.unscanned.len(), 1, "{:?}", c.unscanned);
        assert_eq!(c.unscanned[0].0, "ObjectPool/_2");
        assert_eq!(c.unscanned[0].1, UnscannedReason::UnsupportedFormat);
        assert!(
            c.unscanned[0].2.contains("Microsoft Visio 绘图"),
            "{}",
            c.unscanned[0].2
        );
    }

    /// The OLE wrapper an OOXML package keeps for a packaged file (`word/embeddings/oleObject1.bin`).
    #[test]
    fn ole_wrapper_of_a_packaged_file() {
        let bin = cfb_with(&[
            ("/\u{1}CompObj", &comp_obj("包")),
            (
                "/\u{1}Ole10Native",
                &packaged("情况说明.txt", "情况说明.txt", "秘密★1年\n说明".as_bytes()),
            ),
        ]);
        let (r, c) = run(&bin);
        assert_eq!(r.expect("object"), Format::Ole);
        assert!(has_text(&c, "情况说明.txt", "秘密★1年"), "{:?}", c.segments);
    }

    #[test]
    fn packaged_file_name_and_bytes() {
        let stream = packaged(
            "名单.txt",
            "D:\\工作\\名单.txt",
            "机密★5年\r\n名单".as_bytes(),
        );
        let (name, payload) = ole10_native(&stream);
        assert_eq!(name.as_deref(), Some("名单.txt"));
        assert_eq!(payload, "机密★5年\r\n名单".as_bytes());
    }

    #[test]
    fn packaged_file_of_another_layout_is_its_raw_bytes() {
        let mut stream = 9u32.to_le_bytes().to_vec();
        stream.extend_from_slice(b"plain text");
        let (name, payload) = ole10_native(&stream);
        assert_eq!(name, None);
        assert_eq!(payload, b"plain tex");
        // Cut anywhere, it never panics and never reads past the stream.
        let full = packaged("a.txt", "a.txt", b"hello");
        for cut in 0..full.len() {
            let _ = ole10_native(&full[..cut]);
        }
    }
}
