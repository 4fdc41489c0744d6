//! Zip containers: plain `.zip` archives (members scanned recursively) and the bounded member reader
//! that OOXML and ODF packages share.
//!
//! Every read goes through [`Package::read`], which enforces the per-file byte budget, the compression
//! ratio cap and the declared-size check, so no caller can forget them.

use crate::{Budget, Format, Unreadable, Visitor};
use baomi_core::UnscannedReason;
use std::io::{Cursor, Read};
use zip::ZipArchive;

/// An opened zip with member names decoded the way the writer meant them (UTF-8, else GBK — Chinese Windows tools write GBK names without saying so — else CP437).
pub(crate) struct Package<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    names: Vec<String>,
    /// The whole archive, for inflating deflated members straight from it.
    data: &'a [u8],
}

impl<'a> Package<'a> {
    /// Open a zip held in memory.
    pub(crate) fn open(data: &'a [u8], budget: &Budget) -> Result<Package<'a>, Unreadable> {
        let mut archive = ZipArchive::new(Cursor::new(data))
            .map_err(|e| Unreadable::corrupt(format!("not a readable zip: {e}")))?;
        if archive.len() > budget.limits.max_members as usize {
            return Err(Unreadable::limit(format!(
                "{} members, more than the limit of {}",
                archive.len(),
                budget.limits.max_members
            )));
        }
        let mut names = Vec::with_capacity(archive.len());
        for i in 0..archive.len() {
            let file = archive
                .by_index_raw(i)
                .map_err(|e| Unreadable::corrupt(format!("bad zip entry #{i}: {e}")))?;
            names.push(decode_member_name(file.name_raw(), || {
                file.name().map(|n| n.into_owned()).unwrap_or_default()
            }));
        }
        Ok(Package {
            archive,
            names,
            data,
        })
    }

    /// Member names, in central-directory order.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// Index of the member with exactly this name.
    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Read one member fully, within the budget.
    pub(crate) fn read(
        &mut self,
        index: usize,
        budget: &mut Budget,
    ) -> Result<Vec<u8>, Unreadable> {
        budget.check_time()?;
        let mut file = self.archive.by_index(index).map_err(|e| match e {
            zip::result::ZipError::UnsupportedArchive(m) if m.contains("assword") => {
                Unreadable::new(UnscannedReason::Encrypted, "password-protected zip member")
            }
            zip::result::ZipError::InvalidPassword => {
                Unreadable::new(UnscannedReason::Encrypted, "password-protected zip member")
            }
            other => Unreadable::corrupt(format!("cannot read zip member: {other}")),
        })?;
        if file.encrypted() {
            return Err(Unreadable::new(
                UnscannedReason::Encrypted,
                "password-protected zip member",
            ));
        }
        let declared = file.size();
        budget.check_ratio(file.compressed_size(), declared)?;
        let left = budget.uncompressed_left();
        if declared > left {
            return Err(Unreadable::limit(format!(
                "member declares {declared} bytes, more than the {left} bytes left to decompress"
            )));
        }
        let raw = match (file.compression(), file.data_start()) {
            (zip::CompressionMethod::Deflated, Some(start)) => usize::try_from(start)
                .ok()
                .and_then(|s| Some((s, usize::try_from(file.compressed_size()).ok()?)))
                .and_then(|(s, n)| self.data.get(s..s.checked_add(n)?))
                .map(|raw| (raw, file.crc32())),
            _ => None,
        };
        let out = match raw {
            Some((raw, crc)) => {
                drop(file);
                inflate_member(raw, declared, crc)?
            }
            None => {
                // The declared size may lie: read at most one byte past it so a liar is caught, not
                // obeyed.
                let cap = declared.min(left).saturating_add(1);
                let mut out = Vec::with_capacity(declared.min(64 << 20) as usize);
                (&mut file)
                    .take(cap)
                    .read_to_end(&mut out)
                    .map_err(|e| Unreadable::corrupt(format!("damaged zip member: {e}")))?;
                if out.len() as u64 > declared {
                    return Err(Unreadable::limit(
                        "member decompresses to more than it declares (zip bomb?)",
                    ));
                }
                out
            }
        };
        budget.spend_uncompressed(out.len() as u64)?;
        Ok(out)
    }

    /// Read a member by name, `Ok(None)` when absent.
    pub(crate) fn read_named(
        &mut self,
        name: &str,
        budget: &mut Budget,
    ) -> Result<Option<Vec<u8>>, Unreadable> {
        match self.index_of(name) {
            Some(i) => self.read(i, budget).map(Some),
            None => Ok(None),
        }
    }
}

/// Inflate a deflated member straight from the archive's bytes into a buffer of exactly its declared
/// size, with libdeflate: a member's size is known before it is read, so the whole-buffer decompressor
/// can be used, which inflates office parts in half the time of the streaming one (zlib-rs), and
/// inflating was a fifth of the time spent on an office file (BENCHMARKS.md). A member that would
/// outgrow its declared size is stopped at it (a liar is caught, not obeyed); one that falls short is
/// damaged; the CRC is checked as the zip reader would.
fn inflate_member(raw: &[u8], declared: u64, crc: u32) -> Result<Vec<u8>, Unreadable> {
    let size = usize::try_from(declared)
        .map_err(|_| Unreadable::limit("member too large for this machine"))?;
    let mut out = vec![0u8; size];
    let written = crate::inflate::deflate_into(raw, &mut out);
    match written {
        Ok(n) if n == size => {}
        Ok(n) => {
            return Err(Unreadable::corrupt(format!(
                "damaged zip member: {n} bytes where {declared} were declared"
            )));
        }
        Err(libdeflater::DecompressionError::InsufficientSpace) => {
            return Err(Unreadable::limit(
                "member decompresses to more than it declares (zip bomb?)",
            ));
        }
        Err(libdeflater::DecompressionError::BadData) => {
            return Err(Unreadable::corrupt(
                "damaged zip member: the compressed data is invalid or ends early",
            ));
        }
    }
    if crc32fast::hash(&out) != crc {
        return Err(Unreadable::corrupt("damaged zip member: CRC mismatch"));
    }
    Ok(out)
}

/// What an office package holds by its members, whatever its name says (see [`package_format`]);
/// `None` for a zip that is no office package, or no zip.
pub(crate) fn package_kind(data: &[u8], budget: &mut Budget) -> Option<Format> {
    let mut pkg = Package::open(data, budget).ok()?;
    package_format(&mut pkg, budget).ok().flatten()
}

/// Decode a raw zip member name.
/// (A name flagged UTF-8 is valid UTF-8, so one test covers the flag and unflagged UTF-8 writers.)
pub(crate) fn decode_member_name(raw: &[u8], cp437: impl FnOnce() -> String) -> String {
    if std::str::from_utf8(raw).is_ok() {
        return String::from_utf8_lossy(raw).into_owned();
    }
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(raw);
    if !had_errors {
        return text.into_owned();
    }
    cp437()
}

/// Extract a `.zip` archive: each member that is a file is extracted recursively.
///
/// An office package saved under another name (`report.zip`, `report.docx.bak`) is recognised by its
/// parts and read as the document it is, so renaming a file does not hide its text.
pub(crate) fn extract(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let mut package = Package::open(data, budget)?;
    if let Some(format) = package_format(&mut package, budget)? {
        return match format {
            Format::Odt | Format::Ods | Format::Odp => {
                crate::odf::extract(format, data, inner, budget, visitor)
            }
            _ => crate::ooxml::extract(format, data, inner, budget, visitor).map(|_| ()),
        };
    }
    for index in 0..package.names().len() {
        budget.check_time()?;
        let name = package.names()[index].clone();
        // Directories are entries too; they hold no bytes.
        if name.ends_with('/') || name.ends_with('\\') {
            continue;
        }
        let bytes = match package.read(index, budget) {
            Ok(bytes) => bytes,
            Err(e) if budget.exhausted() => return Err(e),
            Err(e) => {
                inner.push(name);
                visitor.unscanned(inner, e.reason, &e.detail);
                inner.pop();
                continue;
            }
        };
        crate::extract_member(&name, &bytes, inner, budget, visitor)?;
    }
    Ok(())
}

/// The office format of a zip by its parts, whatever its name: OOXML by `[Content_Types].xml` plus
/// the main part, ODF by its `mimetype` member.
pub(crate) fn package_format(
    package: &mut Package<'_>,
    budget: &mut Budget,
) -> Result<Option<Format>, Unreadable> {
    if package.index_of("[Content_Types].xml").is_some() {
        for (part, format) in [
            ("word/document.xml", Format::Docx),
            ("xl/workbook.xml", Format::Xlsx),
            ("xl/workbook.bin", Format::Xlsx),
            ("ppt/presentation.xml", Format::Pptx),
        ] {
            if package.index_of(part).is_some() {
                return Ok(Some(format));
            }
        }
    }
    if package.index_of("content.xml").is_some()
        && let Some(i) = package.index_of("mimetype")
    {
        // A mimetype member that cannot be read leaves the zip to be read as a plain archive.
        match package.read(i, budget) {
            Ok(media) => return Ok(crate::format::odf_media_type(&media)),
            Err(e) if budget.exhausted() => return Err(e),
            Err(_) => {}
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;
    use crate::text::testutil::{Collect, run, run_with};
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    /// A zip of `(name, bytes)`; names ending in '/' become directories.
    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(false);
        for (name, data) in files {
            if name.ends_with('/') {
                assert!(w.add_directory(*name, opts).is_ok());
                continue;
            }
            assert!(w.start_file(*name, opts).is_ok());
            assert!(w.write_all(data).is_ok());
        }
        match w.finish() {
            Ok(c) => c.into_inner(),
            Err(e) => panic!("zip writer: {e}"),
        }
    }

    fn replace_all(data: &mut [u8], from: &[u8], to: &[u8]) -> usize {
        assert_eq!(from.len(), to.len());
        let mut n = 0;
        let mut i = 0;
        while i + from.len() <= data.len() {
            if &data[i..i + from.len()] == from {
                data[i..i + from.len()].copy_from_slice(to);
                n += 1;
                i += from.len();
            } else {
                i += 1;
            }
        }
        n
    }

    fn segs(c: &Collect) -> Vec<(&str, &str)> {
        c.segments
            .iter()
            .map(|s| (s.0.as_str(), s.3.as_str()))
            .collect()
    }

    fn unscanned(c: &Collect) -> Vec<(&str, &str)> {
        c.unscanned
            .iter()
            .map(|u| (u.0.as_str(), u.1.as_str()))
            .collect()
    }

    #[test]
    fn members_and_directories() {
        let data = zip_of(&[
            ("docs/", b""),
            ("docs/a.txt", "绝密 a".as_bytes()),
            ("b.html", b"<p>b</p><!-- c -->"),
            ("pic.png", b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR"),
        ]);
        let (r, c) = run("x.zip", &data);
        assert_eq!(r, Ok(Format::Zip));
        assert_eq!(
            segs(&c),
            [("docs/a.txt", "绝密 a"), ("b.html", "b"), ("b.html", "c")]
        );
        assert_eq!(unscanned(&c), [("pic.png", "unsupported_format")]);
    }

    #[test]
    fn gbk_member_names() {
        let gbk_name = encoding_rs::GBK.encode("机密.txt").0.into_owned();
        assert_eq!(gbk_name.len(), 8);
        let mut data = zip_of(&[("AAAA.txt", b"inside")]);
        // Local header and central directory both carry the name.
        assert_eq!(replace_all(&mut data, b"AAAA.txt", &gbk_name), 2);
        let (r, c) = run("x.zip", &data);
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(segs(&c), [("机密.txt", "inside")]);
    }

    #[test]
    fn bombs_and_liars() {
        let zeros = vec![0u8; 8 << 20];
        let data = zip_of(&[("bomb.bin", &zeros), ("ok.txt", b"still read")]);
        let (r, c) = run("x.zip", &data);
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(segs(&c), [("ok.txt", "still read")]);
        assert_eq!(unscanned(&c), [("bomb.bin", "limit")]);
        assert!(c.unscanned[0].2.contains("ratio"), "{:?}", c.unscanned);

        // A member whose central directory understates its size is caught, not obeyed.
        let text = "机密 ".repeat(1000);
        let mut data = zip_of(&[("liar.txt", text.as_bytes())]);
        let size = (text.len() as u32).to_le_bytes();
        assert!(replace_all(&mut data, &size, &100u32.to_le_bytes()) >= 1);
        let (r, c) = run("x.zip", &data);
        assert!(r.is_ok(), "{r:?}");
        assert!(segs(&c).is_empty());
        assert_eq!(unscanned(&c).len(), 1);

        // Damaged bytes under an intact header: the CRC says so.
        let text = "机密★1年 ".repeat(200);
        let mut data = zip_of(&[("crc.txt", text.as_bytes())]);
        let crc = crc32fast::hash(text.as_bytes()).to_le_bytes();
        assert!(replace_all(&mut data, &crc, &(!u32::from_le_bytes(crc)).to_le_bytes()) >= 1);
        let (r, c) = run("x.zip", &data);
        assert!(r.is_ok(), "{r:?}");
        assert!(segs(&c).is_empty());
        assert_eq!(unscanned(&c), [("crc.txt", "corrupt")]);
        assert!(c.unscanned[0].2.contains("CRC"), "{:?}", c.unscanned);
    }

    #[test]
    fn truncated_and_garbage() {
        let data = zip_of(&[("a.txt", "x".repeat(5000).as_bytes())]);
        for cut in [data.len() / 2, 30, 4, 0] {
            let (r, _) = run("x.zip", &data[..cut]);
            assert!(r.is_err() || cut == 0, "{cut}");
        }
        let (r, _) = run("x.zip", b"PK\x03\x04 not really a zip at all");
        assert_eq!(r.map_err(|e| e.reason), Err(UnscannedReason::Corrupt));
        // Damaged member data: the archive opens, the member fails, the rest goes on.
        let mut data = zip_of(&[
            ("a.txt", "机密内容".repeat(500).as_bytes()),
            ("b.txt", b"fine"),
        ]);
        let damaged = data.iter().position(|&b| b == 0).unwrap_or(0) + 60;
        for b in &mut data[damaged..damaged + 20] {
            *b ^= 0x55;
        }
        let (r, c) = run("x.zip", &data);
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(segs(&c), [("b.txt", "fine")]);
        assert_eq!(unscanned(&c), [("a.txt", "corrupt")]);
    }

    #[test]
    fn nesting_deeper_than_max_depth() {
        let mut data = zip_of(&[("level10.txt", b"bottom")]);
        for level in (1..10).rev() {
            let text = format!("level {level}");
            data = zip_of(&[
                (&format!("z{level}.zip"), &data),
                (&format!("level{level}.txt"), text.as_bytes()),
            ]);
        }
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        let (r, c) = run_with("top.zip", &data, limits);
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(
            segs(&c),
            [
                ("z1.zip > z2.zip > level3.txt", "level 3"),
                ("z1.zip > level2.txt", "level 2"),
                ("level1.txt", "level 1"),
            ]
        );
        // Every member counts as one level (a document is a container too): z3.zip is opened at
        // depth 3, its members would be at depth 4.
        assert_eq!(
            unscanned(&c),
            [
                ("z1.zip > z2.zip > z3.zip > z4.zip", "limit"),
                ("z1.zip > z2.zip > z3.zip > level4.txt", "limit"),
            ]
        );
    }

    #[test]
    fn too_many_members() {
        let names: Vec<String> = (0..100_000).map(|i| format!("f{i}")).collect();
        let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        let big = zip_of(&files);
        let (r, _) = run("big.zip", &big);
        assert_eq!(r.map_err(|e| e.reason), Err(UnscannedReason::Limit));
        // Nested, it is one unscanned member and the rest of the outer archive is read.
        let outer = zip_of(&[("big.zip", &big), ("a.txt", b"read")]);
        let (r, c) = run("outer.zip", &outer);
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(segs(&c), [("a.txt", "read")]);
        assert_eq!(unscanned(&c), [("big.zip", "limit")]);
    }

    #[test]
    fn office_packages_recognised_by_parts() {
        let budget = Budget::new(Limits::default());
        let mut budget2 = Budget::new(Limits::default());
        for (parts, expect) in [
            (
                &["[Content_Types].xml", "word/document.xml"][..],
                Some(Format::Docx),
            ),
            (
                &["[Content_Types].xml", "xl/workbook.xml"][..],
                Some(Format::Xlsx),
            ),
            (
                &["[Content_Types].xml", "ppt/presentation.xml"][..],
                Some(Format::Pptx),
            ),
            (&["word/document.xml"][..], None),
            (&["content.xml"][..], None),
        ] {
            let files: Vec<(&str, &[u8])> = parts.iter().map(|p| (*p, &b"<x/>"[..])).collect();
            let data = zip_of(&files);
            let mut p = match Package::open(&data, &budget) {
                Ok(p) => p,
                Err(e) => panic!("{e}"),
            };
            assert_eq!(
                package_format(&mut p, &mut budget2),
                Ok(expect),
                "{parts:?}"
            );
        }
        let data = zip_of(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet",
            ),
            ("content.xml", b"<x/>"),
        ]);
        let mut p = match Package::open(&data, &budget) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(package_format(&mut p, &mut budget2), Ok(Some(Format::Ods)));
    }
}
