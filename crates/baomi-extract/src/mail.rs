//! Mail messages (`.eml`, and `.mht` pages, which are MIME too): subject, bodies and attachments.
//!
//! Mail is how documents leave a network, so attachments are opened like any container member, and
//! forwarded messages (message/rfc822) are read as nested mails. MIME parsing — transfer encodings,
//! RFC 2047 encoded words, RFC 2231 file names, legacy charsets such as GB2312/GBK/Big5 — is left to
//! `mail-parser` (with its `full_encoding` feature, without which those charsets come out as mojibake).

use crate::{Budget, Segment, SegmentKind, Unreadable, Visitor};
use mail_parser::{MessageParser, MimeHeaders, PartType};
use std::borrow::Cow;

/// Extract a mail message.
/// An mbox: messages separated by `From ` lines at the start of a line after a blank one (the writer
/// escapes `From ` inside bodies as `>From `). Each message is read as a member named by its number
/// and subject, so a finding says which mail of the folder holds it.
pub(crate) fn mbox(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let mut starts = vec![0usize];
    for at in memchr::memmem::find_iter(data, b"\nFrom ") {
        let blank_before =
            (at >= 1 && data[..at].ends_with(b"\n")) || (at >= 2 && data[..at].ends_with(b"\r\n"));
        if blank_before {
            starts.push(at + 1);
        }
    }
    if starts.len() > budget.limits.max_members as usize {
        return Err(Unreadable::limit(format!(
            "{} messages, more than the limit of {}",
            starts.len(),
            budget.limits.max_members
        )));
    }
    starts.push(data.len());
    for (n, w) in starts.windows(2).enumerate() {
        budget.check_time()?;
        let message = &data[w[0]..w[1]];
        // Past the separator line: the message proper.
        let body = memchr::memchr(b'\n', message).map_or(&message[..0], |i| &message[i + 1..]);
        let subject = MessageParser::default()
            .parse_headers(body)
            .and_then(|m| m.subject().map(|s| s.chars().take(60).collect::<String>()))
            .unwrap_or_default();
        let name = if subject.trim().is_empty() {
            format!("message {}.eml", n + 1)
        } else {
            format!("message {} ({}).eml", n + 1, subject.trim())
        };
        crate::extract_member(&name, body, inner, budget, visitor)?;
    }
    Ok(())
}

pub(crate) fn extract(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let message = MessageParser::default()
        .parse(data)
        .ok_or_else(|| Unreadable::corrupt("not a readable mail message"))?;
    // A parse that found no header at all was handed something that is not mail.
    if message.root_part().headers.is_empty() {
        return Err(Unreadable::corrupt("no mail headers found"));
    }

    if let Some(subject) = message.subject() {
        emit(SegmentKind::Subject, subject, inner, budget, visitor)?;
    }

    // `text_body` already prefers the text/plain side of a multipart/alternative and falls back to the
    // HTML part where there is no plain one, so each body is reported once.
    for &id in &message.text_body {
        budget.check_time()?;
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        match &part.body {
            PartType::Text(text) => {
                let text = redecode_unlabeled(&message, part, text);
                emit(SegmentKind::Body, &text, inner, budget, visitor)?
            }
            PartType::Html(html) => {
                let text = crate::html::html_to_text(html);
                crate::html::emit(&text, inner, budget, visitor)?;
            }
            _ => {}
        }
    }

    let mut attachment_no = 0u32;
    let mut message_no = 0u32;
    for &id in &message.attachments {
        budget.check_time()?;
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        let name: Cow<'_, str> = match (&part.body, part.attachment_name()) {
            (PartType::Message(_), Some(n)) if !n.trim().is_empty() => sanitize(n),
            (PartType::Message(_), _) => {
                message_no += 1;
                Cow::Owned(format!("message-{message_no}.eml"))
            }
            (_, Some(n)) if !n.trim().is_empty() => sanitize(n),
            _ => {
                attachment_no += 1;
                Cow::Owned(format!("attachment-{attachment_no}"))
            }
        };
        let bytes = part.contents();
        crate::extract_member(&name, bytes, inner, budget, visitor)?;
    }
    Ok(())
}

/// A text part sent without a charset label comes out of mail-parser as lossy UTF-8; old Chinese
/// clients send GBK that way. When the part was not transfer-encoded its raw bytes are at hand, so
/// detect their encoding instead. (Unlabeled base64/quoted-printable parts keep the lossy text.)
fn redecode_unlabeled<'a>(
    message: &'a mail_parser::Message<'_>,
    part: &mail_parser::MessagePart<'_>,
    text: &'a str,
) -> Cow<'a, str> {
    let labeled = part
        .content_type()
        .is_some_and(|ct| ct.attribute("charset").is_some());
    if labeled || part.encoding != mail_parser::Encoding::None || !text.contains('\u{FFFD}') {
        return Cow::Borrowed(text);
    }
    let raw = message
        .raw_message
        .get(part.offset_body as usize..part.offset_end as usize);
    match raw {
        Some(raw) => crate::text::decode_text(raw),
        None => Cow::Borrowed(text),
    }
}

/// Keep only the last path component of a file name a sender chose (`..\..\x.docx` → `x.docx`), so
/// the report's member chain shows a name, not a path.
fn sanitize(name: &str) -> Cow<'_, str> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    if base.is_empty() {
        Cow::Borrowed("attachment")
    } else {
        Cow::Borrowed(base)
    }
}

fn emit(
    kind: SegmentKind,
    text: &str,
    inner: &[String],
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    if text.trim().is_empty() {
        return Ok(());
    }
    budget.spend_text(text.len() as u64)?;
    visitor.segment(
        inner,
        &Segment {
            kind,
            page: None,
            sheet: None,
            part: None,
            text: Cow::Borrowed(text),
        },
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::Format;
    use crate::text::testutil::{Collect, run};
    use baomi_core::UnscannedReason;
    use std::io::Write;

    fn b64(data: &[u8]) -> String {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        // Mail lines are at most 76 characters.
        out.as_bytes()
            .chunks(76)
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect::<Vec<_>>()
            .join("\r\n")
    }

    fn qp(data: &[u8]) -> String {
        let mut out = String::new();
        for &b in data {
            if b.is_ascii_alphanumeric() || b == b' ' {
                out.push(b as char);
            } else {
                out.push_str(&format!("={b:02X}"));
            }
        }
        out
    }

    fn gb(s: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(s).0.into_owned()
    }

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in files {
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            assert!(w.start_file(*name, opts).is_ok());
            assert!(w.write_all(data).is_ok());
        }
        match w.finish() {
            Ok(c) => c.into_inner(),
            Err(e) => panic!("zip writer: {e}"),
        }
    }

    fn mail(subject: &str, parts: &[String]) -> Vec<u8> {
        let mut m = format!(
            "From: a@example.cn\r\nTo: b@example.cn\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"BOUND\"\r\n\r\npreamble\r\n"
        );
        for p in parts {
            m.push_str("--BOUND\r\n");
            m.push_str(p);
            m.push_str("\r\n");
        }
        m.push_str("--BOUND--\r\n");
        m.into_bytes()
    }

    fn segs(c: &Collect) -> Vec<(&str, &str, &str)> {
        c.segments
            .iter()
            .map(|s| (s.0.as_str(), s.1, s.3.trim_end()))
            .collect()
    }

    #[test]
    fn gb2312_bodies_and_gbk_attachment_name() {
        let subject = format!("=?GB2312?B?{}?=", b64(&gb("关于保密检查的通知")));
        let body_b64 = format!(
            "Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
            b64(&gb("绝密★本文件不得外传"))
        );
        let body_qp = format!(
            "Content-Type: text/plain; charset=\"GB2312\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}",
            qp(&gb("机密 第二段正文"))
        );
        let inner_zip = zip_of(&[("说明.txt", "秘密：内部资料".as_bytes())]);
        let att_name = format!("=?GBK?B?{}?=", b64(&gb("检查材料.zip")));
        let attachment = format!(
            "Content-Type: application/zip; name=\"{att_name}\"\r\n\
             Content-Disposition: attachment; filename=\"{att_name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}",
            b64(&inner_zip)
        );
        let data = mail(&subject, &[body_b64, body_qp, attachment]);
        let (r, c) = run("m.eml", &data);
        assert_eq!(r, Ok(Format::Eml));
        assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
        assert_eq!(
            segs(&c),
            [
                ("", "subject", "关于保密检查的通知"),
                ("", "body", "绝密★本文件不得外传"),
                ("", "body", "机密 第二段正文"),
                ("检查材料.zip > 说明.txt", "body", "秘密：内部资料"),
            ]
        );
    }

    #[test]
    fn rfc2231_filename_and_big5() {
        let data = "Subject: =?big5?B?vvexSw==?=\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\
            Content-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n--B\r\n\
            Content-Type: text/plain\r\n\
            Content-Disposition: attachment; filename*=UTF-8''%E6%9C%BA%E5%AF%86.txt\r\n\r\n\
            内容\r\n--B--\r\n";
        let (r, c) = run("m.eml", data.as_bytes());
        assert!(r.is_ok());
        assert_eq!(
            segs(&c),
            [
                ("", "subject", "機密"),
                ("", "body", "hello"),
                ("机密.txt", "body", "内容")
            ]
        );
    }

    #[test]
    fn alternative_reports_plain_once() {
        let data = "Subject: s\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/alternative; boundary=A\r\n\r\n--A\r\n\
            Content-Type: text/plain; charset=utf-8\r\n\r\n机密 plain\r\n--A\r\n\
            Content-Type: text/html; charset=utf-8\r\n\r\n<p>机密 <b>html</b></p>\r\n--A--\r\n";
        let (_, c) = run("m.eml", data.as_bytes());
        assert_eq!(segs(&c), [("", "subject", "s"), ("", "body", "机密 plain")]);
        // HTML only: read through the HTML stripper, comments kept apart.
        let data = "Subject: s\r\nContent-Type: text/html; charset=gbk\r\n\
            Content-Transfer-Encoding: base64\r\n\r\n";
        let html = super::tests::b64(&gb("<p>机密&nbsp;html</p><!-- 内部 -->"));
        let (_, c) = run("m.eml", format!("{data}{html}\r\n").as_bytes());
        assert_eq!(
            segs(&c),
            [
                ("", "subject", "s"),
                ("", "body", "机密 html"),
                ("", "comment", "内部")
            ]
        );
    }

    #[test]
    fn unlabeled_gbk_body() {
        let mut data = b"Subject: x\r\nContent-Type: text/plain\r\n\r\n".to_vec();
        data.extend_from_slice(&gb("绝密★关于年度保密检查工作的通知，请各单位认真执行"));
        data.extend_from_slice(b"\r\n");
        let (_, c) = run("m.eml", &data);
        assert_eq!(
            segs(&c),
            [
                ("", "subject", "x"),
                (
                    "",
                    "body",
                    "绝密★关于年度保密检查工作的通知，请各单位认真执行"
                )
            ]
        );
    }

    #[test]
    fn nested_message_and_unnamed_attachment() {
        let data = "Subject: outer\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/mixed; boundary=O\r\n\r\n--O\r\n\
            Content-Type: text/plain\r\n\r\nouter body\r\n--O\r\n\
            Content-Type: message/rfc822\r\n\r\n\
            Subject: inner\r\nContent-Type: text/plain\r\n\r\ninner body\r\n--O\r\n\
            Content-Type: application/octet-stream\r\nContent-Disposition: attachment\r\n\r\n\
            plain words\r\n--O--\r\n";
        let (r, c) = run("m.eml", data.as_bytes());
        assert!(r.is_ok());
        assert_eq!(
            segs(&c),
            [
                ("", "subject", "outer"),
                ("", "body", "outer body"),
                ("message-1.eml", "subject", "inner"),
                ("message-1.eml", "body", "inner body"),
                ("attachment-1", "body", "plain words"),
            ]
        );
    }

    #[test]
    fn bad_mail_is_a_value() {
        for data in [
            &b""[..],
            b"\x00\x01\x02",
            b"\r\n\r\n",
            b"Subject: =?gbk?B?####?=\r\n\r\n",
        ] {
            let mut budget = crate::Budget::new(crate::Limits::default());
            let mut c = Collect::default();
            let r = super::extract(data, &mut Vec::new(), &mut budget, &mut c);
            if let Err(e) = r {
                assert_eq!(e.reason, UnscannedReason::Corrupt);
            }
        }
    }
}
