//! Outlook messages (.msg, MS-OXMSG): subject, body and attachments, the latter read like any
//! container member. A message is a storage: variable-length properties are streams named
//! `__substg1.0_IIIITTTT` (property id, type), fixed-size ones sit in `__properties_version1.0`,
//! attachments are `__attach_version1.0_#N` storages, and an attached message is a nested storage of
//! the same shape.

use super::{Ole, Out, codepage, u32_at, utf16le};
use crate::{Format, SegmentKind, Unreadable};

const SUBJECT: u16 = 0x0037;
const BODY: u16 = 0x1000;
const HTML: u16 = 0x1013;
const RTF_COMPRESSED: u16 = 0x1009;
const ATTACH_DATA: u16 = 0x3701;
const ATTACH_FILENAME: u16 = 0x3704;
const ATTACH_LONG_FILENAME: u16 = 0x3707;
const DISPLAY_NAME: u16 = 0x3001;
const MESSAGE_CODEPAGE: u16 = 0x3FFD;
const INTERNET_CODEPAGE: u16 = 0x3FDE;

const PT_STRING8: u16 = 0x001E;
const PT_UNICODE: u16 = 0x001F;
const PT_BINARY: u16 = 0x0102;
const PT_OBJECT: u16 = 0x000D;
const PT_LONG: u16 = 0x0003;

pub(super) fn extract(ole: &mut Ole<'_>, out: &mut Out<'_>) -> Result<(), Unreadable> {
    message(ole, "", 32, out)
}

/// One message stored under `prefix` ("" for the file itself); `header` is the size of its
/// property stream's header (32 at the top, 24 for an attached message).
fn message(
    ole: &mut Ole<'_>,
    prefix: &str,
    header: usize,
    out: &mut Out<'_>,
) -> Result<(), Unreadable> {
    let props = ole
        .read(&format!("{prefix}/__properties_version1.0"), out.budget)?
        .unwrap_or_default();
    // 8-bit strings are in the message's code page; without one they are decoded by detection, as
    // plain text is (Chinese clients write GBK).
    let enc = fixed(&props, header, MESSAGE_CODEPAGE)
        .or_else(|| fixed(&props, header, INTERNET_CODEPAGE))
        .map(|cp| codepage(cp, encoding_rs::WINDOWS_1252));
    if let Some(subject) = string(ole, prefix, SUBJECT, enc, out)? {
        out.emit(SegmentKind::Subject, None, None, "", &subject)?;
    }
    let body = string(ole, prefix, BODY, enc, out)?;
    match &body {
        Some(text) if !text.trim().is_empty() => {
            out.emit(SegmentKind::Body, None, None, "", text)?;
        }
        // HTML and RTF are the same body again when a plain one exists; read them only when they are
        // all there is (some clients and converters keep the body only as compressed RTF).
        _ => {
            let html = ole.read(&substg(prefix, HTML, PT_BINARY), out.budget)?;
            if let Some(html) = html {
                crate::html::extract(&html, out.inner, out.budget, out.visitor)?;
            } else if let Some(packed) =
                ole.read(&substg(prefix, RTF_COMPRESSED, PT_BINARY), out.budget)?
            {
                let part = "__substg1.0_10090102";
                let rtf = decompress_rtf(&packed, out.budget);
                if let Some(rtf) = out.soft(part, rtf)? {
                    let r = crate::rtf::extract(&rtf, out.inner, out.budget, out.visitor);
                    out.soft(part, r)?;
                }
            }
        }
    }
    attachments(ole, prefix, out)
}

/// The dictionary every compressed RTF starts from (MS-OXRTFCP 2.1.3.1.1).
const RTF_PREBUF: &[u8] = b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

/// `PR_RTF_COMPRESSED` to RTF (MS-OXRTFCP): a 16-byte header (compressed size, raw size, `LZFu` or
/// `MELA`, CRC), then LZ77 runs over a 4 KiB dictionary: a control byte, then per bit (low first) a
/// literal byte or a 2-byte reference (12-bit offset, 4-bit length + 2). A reference to the write
/// position ends the data. The output is bounded by the declared raw size and the file's budget.
fn decompress_rtf(packed: &[u8], budget: &mut crate::Budget) -> Result<Vec<u8>, Unreadable> {
    const LZFU: u32 = 0x7546_5A4C;
    const MELA: u32 = 0x414C_454D;
    let (Some(raw_size), Some(kind)) = (u32_at(packed, 4), u32_at(packed, 8)) else {
        return Err(Unreadable::corrupt("compressed RTF body: header cut short"));
    };
    let body = packed.get(16..).unwrap_or_default();
    if kind == MELA {
        return Ok(body.iter().copied().take(raw_size as usize).collect());
    }
    if kind != LZFU {
        return Err(Unreadable::corrupt(
            "compressed RTF body: unknown compression",
        ));
    }
    let limit = u64::from(raw_size).min(budget.uncompressed_left());
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut dict = [0u8; 4096];
    dict[..RTF_PREBUF.len()].copy_from_slice(RTF_PREBUF);
    let mut write = RTF_PREBUF.len();
    let mut out = Vec::with_capacity(limit.min(body.len().saturating_mul(8)));
    let mut at = 0usize;
    'runs: while let Some(&control) = body.get(at) {
        at += 1;
        for bit in 0..8 {
            if control & (1 << bit) == 0 {
                let Some(&b) = body.get(at) else { break 'runs };
                at += 1;
                out.push(b);
                dict[write] = b;
                write = (write + 1) % 4096;
            } else {
                let (Some(&hi), Some(&lo)) = (body.get(at), body.get(at + 1)) else {
                    break 'runs;
                };
                at += 2;
                let reference = u16::from_be_bytes([hi, lo]);
                let offset = usize::from(reference >> 4);
                if offset == write {
                    break 'runs;
                }
                for k in 0..usize::from(reference & 0x0F) + 2 {
                    let b = dict[(offset + k) % 4096];
                    out.push(b);
                    dict[write] = b;
                    write = (write + 1) % 4096;
                }
            }
            if out.len() >= limit {
                out.truncate(limit);
                break 'runs;
            }
        }
    }
    budget.spend_uncompressed(out.len() as u64)?;
    Ok(out)
}

fn substg(prefix: &str, id: u16, kind: u16) -> String {
    format!("{prefix}/__substg1.0_{id:04X}{kind:04X}")
}

/// A fixed-size property's 32-bit value: 16-byte entries (tag, flags, value) after the header.
fn fixed(props: &[u8], header: usize, id: u16) -> Option<u32> {
    let want = (u32::from(id) << 16) | u32::from(PT_LONG);
    let entries = props.get(header..)?;
    entries
        .chunks_exact(16)
        .find(|e| u32_at(e, 0) == Some(want))
        .and_then(|e| u32_at(e, 8))
}

/// A string property, Unicode or 8-bit.
fn string(
    ole: &mut Ole<'_>,
    prefix: &str,
    id: u16,
    enc: Option<&'static encoding_rs::Encoding>,
    out: &mut Out<'_>,
) -> Result<Option<String>, Unreadable> {
    if let Some(b) = ole.read(&substg(prefix, id, PT_UNICODE), out.budget)? {
        return Ok(Some(utf16le(&b).trim_end_matches('\0').to_owned()));
    }
    if let Some(b) = ole.read(&substg(prefix, id, PT_STRING8), out.budget)? {
        let b = b.strip_suffix(b"\0").unwrap_or(&b);
        let text = match enc {
            Some(e) => e.decode_without_bom_handling(b).0.into_owned(),
            None => crate::text::decode_text(b).into_owned(),
        };
        return Ok(Some(text));
    }
    Ok(None)
}

fn attachments(ole: &mut Ole<'_>, prefix: &str, out: &mut Out<'_>) -> Result<(), Unreadable> {
    let storage = if prefix.is_empty() { "/" } else { prefix };
    let mut names: Vec<String> = ole
        .children(storage)
        .into_iter()
        .filter(|(n, is_stream)| !is_stream && n.starts_with("__attach_version1.0_#"))
        .map(|(n, _)| n)
        .collect();
    names.sort();
    if names.len() > usize::try_from(out.budget.limits.max_members).unwrap_or(usize::MAX) {
        return Err(Unreadable::limit(format!(
            "more than {} attachments in one message",
            out.budget.limits.max_members
        )));
    }
    for (i, storage) in names.iter().enumerate() {
        out.budget.check_time()?;
        let at = format!("{prefix}/{storage}");
        let name = [ATTACH_LONG_FILENAME, ATTACH_FILENAME, DISPLAY_NAME]
            .into_iter()
            .find_map(|id| string(ole, &at, id, None, out).transpose())
            .transpose()?
            .map(|n| sanitize(&n))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("attachment-{}", i + 1));
        if let Some(data) = ole.read(&substg(&at, ATTACH_DATA, PT_BINARY), out.budget)? {
            crate::extract_member(&name, &data, out.inner, out.budget, out.visitor)?;
            continue;
        }
        let object = substg(&at, ATTACH_DATA, PT_OBJECT);
        let is_message = ole
            .children(&object)
            .iter()
            .any(|(n, s)| *s && n == "__properties_version1.0");
        if is_message {
            embedded(ole, &object, &name, out)?;
        } else if ole.children(&object).is_empty() {
            // By reference or by web link: nothing of the file is in the message.
            continue;
        } else {
            // An OLE object (a document or a packaged file attached as an object): read as one.
            super::objects::object(ole, &object, Some(&name), out)?;
        }
    }
    Ok(())
}

/// An attached message: read in place, as a member named after the attachment.
fn embedded(
    ole: &mut Ole<'_>,
    storage: &str,
    name: &str,
    out: &mut Out<'_>,
) -> Result<(), Unreadable> {
    out.inner.push(name.to_owned());
    let r = match out.budget.enter() {
        Ok(()) => {
            let r = message(ole, storage, 24, out);
            out.budget.leave();
            r
        }
        Err(e) => Err(e),
    };
    let r = match r {
        Ok(()) => {
            out.visitor.format(out.inner, Format::Msg);
            Ok(())
        }
        Err(e) if out.budget.exhausted() => Err(e),
        Err(e) => {
            out.visitor.unscanned(out.inner, e.reason, &e.detail);
            Ok(())
        }
    };
    out.inner.pop();
    r
}

/// Keep only the last path component of a sender-chosen name, as the mail reader does.
fn sanitize(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .trim_matches(|c: char| c.is_whitespace() || c == '\0')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::testutil::Collect;
    use crate::{Budget, Limits};
    use baomi_core::UnscannedReason;

    /// No tool on this machine writes Outlook messages, so the fixture is built here following
    /// MS-OXMSG with the cfb writer: the layout Outlook uses (property streams, an attachment storage,
    /// the 32-byte top-level property header), with our own content.
    fn msg(streams: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let streams: Vec<(&str, &[u8])> = streams.iter().map(|(n, d)| (*n, d.as_slice())).collect();
        crate::ole::testing::cfb_with(&streams)
    }

    fn w(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn props(header: usize, entries: &[(u32, u32)]) -> Vec<u8> {
        let mut p = vec![0u8; header];
        for (tag, value) in entries {
            p.extend(tag.to_le_bytes());
            p.extend(6u32.to_le_bytes());
            p.extend(value.to_le_bytes());
            p.extend([0u8; 4]);
        }
        p
    }

    fn run(data: &[u8]) -> (Result<Format, Unreadable>, Collect) {
        let mut c = Collect::default();
        let mut budget = Budget::new(Limits::default());
        let r = super::super::extract(data, &mut Vec::new(), &mut budget, &mut c);
        (r, c)
    }

    #[test]
    fn subject_body_and_attachment() {
        let data = msg(&[
            ("/__properties_version1.0", props(32, &[(0x3FFD_0003, 936)])),
            ("/__substg1.0_0037001F", w("关于报送材料的函\0")),
            ("/__substg1.0_1000001F", w("各位：\r\n请查收附件。")),
            ("/__substg1.0_10130102", b"<p>HTML copy</p>".to_vec()),
            (
                "/__recip_version1.0_#00000000/__substg1.0_3001001F",
                w("张三"),
            ),
            (
                "/__attach_version1.0_#00000000/__properties_version1.0",
                props(8, &[]),
            ),
            (
                "/__attach_version1.0_#00000000/__substg1.0_3707001F",
                w("材料\\绝密文件.txt"),
            ),
            (
                "/__attach_version1.0_#00000000/__substg1.0_37010102",
                "绝密★长期\n附件正文".as_bytes().to_vec(),
            ),
        ]);
        let (r, c) = run(&data);
        assert_eq!(r.expect("reads"), Format::Msg);
        assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
        assert_eq!(
            c.segments,
            [
                (
                    String::new(),
                    "subject",
                    None,
                    "关于报送材料的函".to_owned()
                ),
                (
                    String::new(),
                    "body",
                    None,
                    "各位：\r\n请查收附件。".to_owned()
                ),
                (
                    "绝密文件.txt".to_owned(),
                    "body",
                    None,
                    "绝密★长期\n附件正文".to_owned()
                ),
            ]
        );
        assert_eq!(c.formats, [("绝密文件.txt".to_owned(), Format::Text)]);
    }

    #[test]
    fn eight_bit_html_only_and_embedded_message() {
        let (gbk, _, _) = encoding_rs::GBK.encode("秘密★6个月");
        let inner = "/__attach_version1.0_#00000000/__substg1.0_3701000D";
        let data = msg(&[
            ("/__properties_version1.0", props(32, &[(0x3FFD_0003, 936)])),
            ("/__substg1.0_0037001E", gbk.to_vec()),
            (
                "/__substg1.0_10130102",
                "<html><body><p>机密★1年</p><p>HTML 正文</p></body></html>"
                    .as_bytes()
                    .to_vec(),
            ),
            (
                "/__attach_version1.0_#00000000/__properties_version1.0",
                props(8, &[]),
            ),
            (
                "/__attach_version1.0_#00000000/__substg1.0_3001001F",
                w("转发的邮件"),
            ),
            (&format!("{inner}/__properties_version1.0"), props(24, &[])),
            (&format!("{inner}/__substg1.0_0037001F"), w("内层主题")),
            (&format!("{inner}/__substg1.0_1000001F"), w("内层正文")),
            (
                "/__attach_version1.0_#00000001/__properties_version1.0",
                props(8, &[]),
            ),
            (
                "/__attach_version1.0_#00000001/__substg1.0_3701000D/\u{1}Ole",
                vec![0; 20],
            ),
            // An object of a kind that is not read: listed, not skipped.
            (
                "/__attach_version1.0_#00000001/__substg1.0_3701000D/VisioDocument",
                vec![1; 20],
            ),
            // A file attached as a packaged object: read as the file it holds.
            (
                "/__attach_version1.0_#00000002/__properties_version1.0",
                props(8, &[]),
            ),
            (
                "/__attach_version1.0_#00000002/__substg1.0_3701000D/\u{1}Ole10Native",
                crate::ole::objects::testing::packaged(
                    "名单.txt",
                    "D:\\名单.txt",
                    "机密★5年\r\n名单".as_bytes(),
                ),
            ),
        ]);
        let (r, c) = run(&data);
        assert_eq!(r.expect("reads"), Format::Msg);
        assert_eq!(c.text("subject"), "秘密★6个月\n内层主题");
        let body: Vec<(&str, &str)> = c
            .segments
            .iter()
            .filter(|s| s.1 == "body")
            .map(|s| (s.0.as_str(), s.3.as_str()))
            .collect();
        assert_eq!(
            body,
            [
                ("", "机密★1年\nHTML 正文"),
                ("转发的邮件", "内层正文"),
                ("attachment-3/名单.txt", "机密★5年\r\n名单")
            ]
        );
        assert!(c.formats.contains(&("转发的邮件".to_owned(), Format::Msg)));
        assert_eq!(c.unscanned.len(), 1, "{:?}", c.unscanned);
        assert_eq!(c.unscanned[0].0, "attachment-2");
        assert_eq!(c.unscanned[0].1, UnscannedReason::UnsupportedFormat);
        let packaged = c.segments.iter().find(|s| s.0 == "attachment-3/名单.txt");
        assert!(
            packaged.is_some_and(|s| s.3.starts_with("机密★5年")),
            "{:?}",
            c.segments
        );
    }

    #[test]
    fn fixed_properties_are_bounded() {
        assert_eq!(
            fixed(&props(32, &[(0x3FFD_0003, 936)]), 32, MESSAGE_CODEPAGE),
            Some(936)
        );
        assert_eq!(fixed(&[0; 40], 32, MESSAGE_CODEPAGE), None);
        assert_eq!(fixed(&[], 32, MESSAGE_CODEPAGE), None);
        assert_eq!(sanitize("..\\..\\a/b.doc\0"), "b.doc");
    }

    /// The two examples of MS-OXRTFCP section 3.1: literals only, and a run that copies from the
    /// bytes it is writing (the dictionary reference overlaps its own output).
    #[test]
    fn compressed_rtf_specification_examples() {
        let mut budget = Budget::new(Limits::default());
        let plain = [
            0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5,
            0xc7, 0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42,
            0x32, 0x0a, 0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0,
            0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f, 0xa0,
        ];
        assert_eq!(
            decompress_rtf(&plain, &mut budget).expect("rtf"),
            b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
        );
        let repeated = [
            0x1a, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xe2, 0xd4,
            0x4b, 0x51, 0x41, 0x00, 0x04, 0x20, 0x57, 0x58, 0x59, 0x5a, 0x0d, 0x6e, 0x7d, 0x01,
            0x0e, 0xb0,
        ];
        assert_eq!(
            decompress_rtf(&repeated, &mut budget).expect("rtf"),
            b"{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}"
        );
        // Cut anywhere, it stops where the data stops; a wrong kind is damage.
        for cut in 0..plain.len() {
            let _ = decompress_rtf(&plain[..cut], &mut budget);
        }
        let mut other = plain;
        other[8] = b'X';
        assert!(decompress_rtf(&other, &mut budget).is_err());
    }

    /// A message whose only body is compressed RTF (Word-style, GBK): read as the body.
    #[test]
    fn body_only_as_compressed_rtf() {
        let rtf = "{\\rtf1\\ansi\\ansicpg936{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}\\f0 \\'bb\\'fa\\'c3\\'dc\\'a1\\'ef1\\'c4\\'ea\\par hello\\par}";
        // MELA: stored without compression, as MS-OXRTFCP allows.
        let mut stream = u32::try_from(rtf.len() + 12)
            .unwrap()
            .to_le_bytes()
            .to_vec();
        stream.extend(u32::try_from(rtf.len()).unwrap().to_le_bytes());
        stream.extend(b"MELA");
        stream.extend([0; 4]);
        stream.extend(rtf.as_bytes());
        let data = msg(&[
            ("/__properties_version1.0", props(32, &[])),
            ("/__substg1.0_0037001F", w("RTF 邮件")),
            ("/__substg1.0_10090102", stream),
        ]);
        let (r, c) = run(&data);
        assert_eq!(r.expect("reads"), Format::Msg);
        assert_eq!(c.text("body").trim(), "机密★1年\nhello");
    }
}
