//! Archives other than zip: tar, gzip, bzip2, xz and 7-Zip, read recursively like zip members.
//!
//! Compressed streams are inflated in memory under the same budget as zip members: at most the bytes
//! left to decompress for this file, and never more than the ratio limit allows for the compressed size
//! (a gzip bomb stops at the limit instead of filling memory). A `.tar.gz` is a gzip whose content is a
//! tar: the content is sniffed like any member, so it needs no special case.

use crate::zipfile::decode_member_name;
use crate::{Budget, Format, Unreadable, Visitor};
use baomi_core::UnscannedReason;
use std::io::{Cursor, Read};

/// Name given to the content of a compressed stream that does not record its own.
const UNNAMED_CONTENT: &str = "(decompressed)";

/// Memory 7-Zip decoders may take for dictionaries and headers (KiB): real archives use ≤ 64 MiB
/// dictionaries; a header claiming more is hostile or exotic.
const SEVEN_ZIP_MEMORY_KIB: usize = 256 << 10;

pub(crate) fn extract(
    format: Format,
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    match format {
        Format::Gzip => gzip(data, inner, budget, visitor),
        Format::Bzip2 => {
            let read = inflate(bzip2::read::MultiBzDecoder::new(data), data.len(), budget)?;
            content(UNNAMED_CONTENT, read, inner, budget, visitor)
        }
        Format::Xz => {
            let read = inflate(lzma_rust2::XzReader::new(data, true), data.len(), budget)?;
            content(UNNAMED_CONTENT, read, inner, budget, visitor)
        }
        Format::Tar => tar(data, inner, budget, visitor),
        Format::SevenZip => seven_zip(data, inner, budget, visitor),
        _ => Err(Unreadable::new(
            UnscannedReason::UnsupportedFormat,
            "not an archive format",
        )),
    }
}

/// Read a decompressing stream to its end within the budget: the bytes left for this file and the
/// ratio limit for `compressed` input bytes, whichever is smaller. A stream that breaks off (a cut
/// download, a damaged disk) still yields what came before the break, with the error beside it, so the
/// members before the damage are read.
fn inflate(
    reader: impl Read,
    compressed: usize,
    budget: &mut Budget,
) -> Result<(Vec<u8>, Option<Unreadable>), Unreadable> {
    let by_ratio = (compressed as u64)
        .max(1)
        .saturating_mul(u64::from(budget.limits.max_ratio))
        // Small inputs compress extremely well (a page of spaces); only large outputs can be bombs.
        .max(1 << 20);
    let cap = budget.uncompressed_left().min(by_ratio);
    let mut out = Vec::new();
    let mut limited = reader.take(cap.saturating_add(1));
    // Read in steps so a slow, huge stream still answers to the time limit.
    let mut chunk = vec![0u8; 1 << 20];
    let mut broken = None;
    loop {
        budget.check_time()?;
        let n = match limited.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let e = Unreadable::corrupt(format!("damaged compressed data: {e}"));
                if out.is_empty() {
                    return Err(e);
                }
                broken = Some(e);
                break;
            }
        };
        out.extend_from_slice(&chunk[..n]);
        if out.len() as u64 > cap {
            let why = if cap == by_ratio {
                format!(
                    "compression ratio above the limit of {}:1 (bomb?)",
                    budget.limits.max_ratio
                )
            } else {
                "decompresses to more than the bytes left for this file".to_owned()
            };
            return Err(Unreadable::limit(why));
        }
    }
    budget.spend_uncompressed(out.len() as u64)?;
    Ok((out, broken))
}

/// Extract the content of a compressed stream, then report the break if it had one.
fn content(
    name: &str,
    (bytes, broken): (Vec<u8>, Option<Unreadable>),
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    crate::extract_member(name, &bytes, inner, budget, visitor)?;
    match broken {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn gzip(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let mut decoder = flate2::bufread::MultiGzDecoder::new(data);
    let read = inflate(&mut decoder, data.len(), budget)?;
    // The original file name, when the writer recorded it (gzip does by default), names the content
    // in the report and lets its extension count when the content is sniffed.
    let name = decoder
        .header()
        .and_then(|h| h.filename())
        .map(|raw| decode_member_name(raw, || String::from_utf8_lossy(raw).into_owned()))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| UNNAMED_CONTENT.to_owned());
    content(&name, read, inner, budget, visitor)
}

fn tar(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let mut archive = tar::Archive::new(Cursor::new(data));
    let entries = archive
        .entries()
        .map_err(|e| Unreadable::corrupt(format!("not a readable tar: {e}")))?;
    let mut members = 0u32;
    for entry in entries {
        budget.check_time()?;
        let mut entry = match entry {
            Ok(entry) => entry,
            // A damaged header ends the archive; what was read so far stands.
            Err(e) if members > 0 => {
                visitor.unscanned(
                    inner,
                    UnscannedReason::Corrupt,
                    &format!("tar damaged after {members} member(s): {e}"),
                );
                return Ok(());
            }
            Err(e) => return Err(Unreadable::corrupt(format!("not a readable tar: {e}"))),
        };
        members += 1;
        if members > budget.limits.max_members {
            return Err(Unreadable::limit(format!(
                "more than {} members",
                budget.limits.max_members
            )));
        }
        // Links, directories, devices and fifos hold no content of their own.
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let raw_name = entry.path_bytes().into_owned();
        let name = decode_member_name(&raw_name, || {
            String::from_utf8_lossy(&raw_name).into_owned()
        });
        let size = entry.size();
        if size > budget.uncompressed_left() {
            return Err(Unreadable::limit(format!(
                "member {name} holds {size} bytes, more than the bytes left for this file"
            )));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(64 << 20));
        if let Err(e) = (&mut entry).take(size).read_to_end(&mut bytes) {
            inner.push(name);
            visitor.unscanned(inner, UnscannedReason::Corrupt, &format!("cut short: {e}"));
            inner.pop();
            return Ok(());
        }
        budget.spend_uncompressed(bytes.len() as u64)?;
        crate::extract_member(&name, &bytes, inner, budget, visitor)?;
    }
    Ok(())
}

fn seven_zip(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let mut reader = sevenz_rust2::ArchiveReader::new_with_memory_limit(
        Cursor::new(data),
        sevenz_rust2::Password::empty(),
        SEVEN_ZIP_MEMORY_KIB,
    )
    .map_err(seven_zip_error)?;
    // The scan runs one file per core already.
    reader.set_thread_count(1);
    let files = reader
        .archive()
        .files
        .iter()
        .filter(|f| !f.is_directory())
        .count();
    if files > budget.limits.max_members as usize {
        return Err(Unreadable::limit(format!(
            "{files} members, more than the limit of {}",
            budget.limits.max_members
        )));
    }
    // Our own failure inside the callback is carried out here; the callback stops the archive.
    let mut stopped: Option<Unreadable> = None;
    let result = reader.for_each_entries(|entry, content| {
        if entry.is_directory() {
            return Ok(true);
        }
        let name = entry.name().to_owned();
        let r = (|| {
            budget.check_time()?;
            let size = entry.size();
            if size > budget.uncompressed_left() {
                return Err(Unreadable::limit(format!(
                    "member {name} holds {size} bytes, more than the bytes left for this file"
                )));
            }
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(64 << 20));
            content
                .take(size.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(|e| Unreadable::corrupt(format!("damaged 7z member {name}: {e}")))?;
            budget.spend_uncompressed(bytes.len() as u64)?;
            crate::extract_member(&name, &bytes, inner, budget, visitor)
        })();
        match r {
            Ok(()) => Ok(true),
            Err(e) => {
                stopped = Some(e);
                Ok(false)
            }
        }
    });
    if let Some(e) = stopped {
        return Err(e);
    }
    result.map_err(seven_zip_error)
}

fn seven_zip_error(e: sevenz_rust2::Error) -> Unreadable {
    let text = e.to_string();
    match e {
        sevenz_rust2::Error::PasswordRequired => {
            Unreadable::new(UnscannedReason::Encrypted, "password-protected 7z archive")
        }
        // Without a password the AES coder is not built in: the archive is encrypted all the same.
        sevenz_rust2::Error::UnsupportedCompressionMethod(m)
            if m.to_ascii_uppercase().contains("AES") =>
        {
            Unreadable::new(UnscannedReason::Encrypted, "password-protected 7z archive")
        }
        sevenz_rust2::Error::MaxMemLimited { .. } => Unreadable::limit(format!(
            "7z archive needs too much memory to decode: {text}"
        )),
        _ => Unreadable::corrupt(format!("not a readable 7z archive: {text}")),
    }
}

#[cfg(test)]
mod tests {
    use crate::Format;
    use crate::Limits;
    use crate::text::testutil::{Collect, run, run_with};
    use baomi_core::UnscannedReason;

    fn fixture(name: &str) -> Vec<u8> {
        crate::xml::testing::fixture_in("archives", name)
    }

    /// The segment whose member chain is `inner`, joined by " > ".
    fn text_at<'c>(c: &'c Collect, inner: &str) -> Option<&'c str> {
        c.segments
            .iter()
            .find(|s| s.0 == inner)
            .map(|s| s.3.as_str())
    }

    fn ok(name: &str) -> Collect {
        let (r, c) = run(name, &fixture(name));
        assert!(r.is_ok(), "{name}: {r:?} {:?}", c.unscanned);
        assert!(c.unscanned.is_empty(), "{name}: {:?}", c.unscanned);
        c
    }

    #[test]
    fn tar_family_reads_every_member_with_its_path() {
        for (name, prefix) in [
            ("案卷.tar", ""),
            ("案卷.tar.gz", "(decompressed) > "),
            ("案卷.tar.xz", "(decompressed) > "),
            ("案卷.tbz2", "(decompressed) > "),
        ] {
            let c = ok(name);
            let request = text_at(&c, &format!("{prefix}案卷/请示.txt"))
                .unwrap_or_else(|| panic!("{name}: {:?}", c.segments));
            assert!(request.starts_with("绝密★长期"), "{name}: {request:?}");
            // The docx inside is read as the document it is, GBK text decoded.
            assert!(
                c.segments
                    .iter()
                    .any(|s| s.0.starts_with(&format!("{prefix}案卷/正文/报告.docx"))
                        && s.3.contains("机密")),
                "{name}: {:?}",
                c.segments
            );
            assert!(
                c.formats.iter().any(|(_, f)| *f == Format::Docx),
                "{name}: {:?}",
                c.formats
            );
        }
    }

    #[test]
    fn gbk_member_names_are_decoded() {
        let c = ok("gbk_names.tar");
        assert!(text_at(&c, "./请示.txt").is_some(), "{:?}", c.segments);
    }

    #[test]
    fn single_compressed_files_keep_their_name_when_recorded() {
        let c = ok("请示.txt.gz");
        assert!(text_at(&c, "请示.txt").is_some_and(|t| t.starts_with("绝密★长期")));
        let c = ok("noname.gz");
        assert!(text_at(&c, "(decompressed)").is_some_and(|t| t.starts_with("绝密★长期")));
        for name in ["请示.txt.bz2", "请示.txt.xz"] {
            let c = ok(name);
            assert!(
                text_at(&c, "(decompressed)").is_some_and(|t| t.starts_with("绝密★长期")),
                "{name}: {:?}",
                c.segments
            );
        }
    }

    #[test]
    fn seven_zip_plain_and_solid() {
        let c = ok("案卷.7z");
        assert!(text_at(&c, "案卷/请示.txt").is_some_and(|t| t.starts_with("绝密★长期")));
        assert!(
            c.segments
                .iter()
                .any(|s| s.0.starts_with("案卷/正文/报告.docx"))
        );
        let c = ok("solid.7z");
        assert!(text_at(&c, "案卷/请示.txt").is_some(), "{:?}", c.segments);
        assert!(text_at(&c, "案卷/纪要.txt").is_some(), "{:?}", c.segments);
    }

    #[test]
    fn encrypted_seven_zip_is_reported_encrypted() {
        let (r, _) = run("encrypted.7z", &fixture("encrypted.7z"));
        let e = r.expect_err("encrypted");
        assert_eq!(e.reason, UnscannedReason::Encrypted, "{e:?}");
    }

    #[test]
    fn damaged_archives_are_reported_not_fatal() {
        let (r, _) = run("truncated.gz", &fixture("truncated.gz"));
        assert_eq!(r.expect_err("truncated").reason, UnscannedReason::Corrupt);
        // Half a .tar.gz: what came before the break is read (here it ends inside the first file,
        // which is reported by name), and the break itself is reported.
        let (r, c) = run("truncated.tar.gz", &fixture("truncated.tar.gz"));
        assert_eq!(r.expect_err("cut").reason, UnscannedReason::Corrupt);
        assert!(
            c.unscanned.iter().any(|u| u.0.ends_with("报告.docx")),
            "{:?}",
            c.unscanned
        );
        for garbage in [
            &b"\x1F\x8B\x08\x00garbage"[..],
            b"BZh9garbage",
            b"\xFD7zXZ\x00garbage",
            b"7z\xBC\xAF\x27\x1Cgarbage",
        ] {
            let (r, _) = run("x", garbage);
            assert!(r.is_err(), "{garbage:?}");
        }
    }

    #[test]
    fn gzip_bomb_stops_at_the_ratio_limit() {
        // 64 MiB of zeros compress to about 64 KiB: far above a 100:1 ratio.
        let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            std::io::Write::write_all(&mut w, &zeros).expect("write");
        }
        let bomb = w.finish().expect("finish");
        let limits = Limits {
            max_ratio: 100,
            ..Limits::default()
        };
        let (r, _) = run_with("bomb.gz", &bomb, limits);
        assert_eq!(r.expect_err("bomb").reason, UnscannedReason::Limit);
    }
}
