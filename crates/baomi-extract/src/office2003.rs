//! Office 2003's single-file XML formats: WordprocessingML 2003 ("Word 2003 XML Document", `<w:wordDocument>`)
//! and SpreadsheetML 2003 ("XML Spreadsheet 2003", `<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">`).
//!
//! Both are what office-automation and report systems export under `.doc`/`.xls`/`.xml` names (a
//! SpreadsheetML file is the usual "Excel export" of a Java or PHP web application), and what Word,
//! Excel, WPS and LibreOffice save as "2003 XML". Read as plain text they would be tags, and worse:
//! Word splits a paragraph into runs at every change of formatting or spelling mark, so a marking
//! typed as 机密 can sit in the file as `<w:t>机</w:t></w:r><w:r><w:t>密</w:t>`. Here the body is read
//! as the .docx body is (the 2003 vocabulary is the one WordprocessingML grew from: `w:p`, `w:r`,
//! `w:t`, `w:tbl`), with headers, footers, notes and comments (which 2003 keeps inline) taken out
//! as their own segments; a workbook is read sheet by sheet, row by row.

use crate::ole::Out;
use crate::ooxml::{strip_header_codes, wordml};
use crate::xml::{Ev, XmlReader, attr, local, local_end};
use crate::{Budget, Format, SegmentKind, Unreadable, Visitor};
use std::borrow::Cow;

/// Which of the two a file's first bytes say it is, if either.
pub(crate) fn sniff(head: &[u8]) -> Option<Format> {
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    if !head[start..].starts_with(b"<?xml") {
        return None;
    }
    let finder = |needle: &str| memchr::memmem::find(head, needle.as_bytes()).is_some();
    if finder("schemas.microsoft.com/office/2006/xmlPackage") {
        return Some(Format::FlatOpc);
    }
    if finder("progid=\"Word.Document\"") || finder(":wordDocument ") || finder("<wordDocument ") {
        return Some(Format::WordXml);
    }
    if finder("progid=\"Excel.Sheet\"") || finder("urn:schemas-microsoft-com:office:spreadsheet") {
        return Some(Format::ExcelXml);
    }
    None
}

pub(crate) fn extract(
    format: Format,
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let text = decode(data);
    let mut out = Out {
        inner,
        budget,
        visitor,
    };
    if format == Format::WordXml {
        word(&text, &mut out)
    } else {
        workbook(&text, &mut out)
    }
}

/// The text of the file in the encoding its XML declaration names (exports from Chinese systems
/// declare GB2312 or GBK as often as UTF-8); UTF-8 or UTF-16 by their marks otherwise.
fn decode(data: &[u8]) -> Cow<'_, str> {
    let declared = data
        .get(..200)
        .and_then(|d| {
            let at = memchr::memmem::find(d, b"encoding=")? + 9;
            let quote = *d.get(at)?;
            let rest = d.get(at + 1..)?;
            let end = memchr::memchr(quote, rest)?;
            encoding_rs::Encoding::for_label(&rest[..end])
        })
        .filter(|e| {
            *e != encoding_rs::UTF_8 && *e != encoding_rs::UTF_16LE && *e != encoding_rs::UTF_16BE
        });
    match declared {
        Some(enc) if !data.starts_with(&[0xEF, 0xBB, 0xBF]) => {
            enc.decode_without_bom_handling(data).0
        }
        _ => crate::xml::decode(data),
    }
}

/// A flat OPC file (`<pkg:package>`: Word 2007 and later's "Word XML Document", PowerPoint's "XML
/// Presentation") is a whole package written out part by part, XML parts inline and the others in
/// base64. The parts are put back into a package (stored, not compressed) and read as the .docx or
/// .pptx it is, embedded files included. What is written is bounded by the file: no part's bytes
/// are larger than their text in it.
pub(crate) fn flat_opc(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<Format, Unreadable> {
    use std::io::Write as _;
    const PART: &str = "package";
    let xml = decode(data);
    let zip_error = |e: zip::result::ZipError| Unreadable::corrupt(format!("flat OPC: {e}"));
    let io_error = |e: std::io::Error| Unreadable::corrupt(format!("flat OPC: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(xml.len() > u32::MAX as usize / 2);
    let mut r = XmlReader::new(&xml, PART);
    let mut name: Option<String> = None;
    let mut parts = 0usize;
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Start(e) => match local(&e) {
                "part" => name = attr(&e, "name").map(|n| n.trim_start_matches('/').to_owned()),
                "xmlData" | "binaryData" => {
                    let Some(part) = name.take() else {
                        r.skip_element(budget)?;
                        continue;
                    };
                    let bytes: Vec<u8> = if local(&e) == "xmlData" {
                        let Some(from) = r.position() else {
                            continue;
                        };
                        r.skip_element(budget)?;
                        let after = r.position().unwrap_or(xml.len());
                        let to = xml[..after].rfind('<').unwrap_or(after).max(from);
                        xml.get(from..to).unwrap_or_default().as_bytes().to_vec()
                    } else {
                        let text = r.element_text(budget)?;
                        let r = base64_bytes(&part, &text);
                        match crate::soft(r, &part, inner, budget, visitor)? {
                            Some(b) => b,
                            None => continue,
                        }
                    };
                    parts += 1;
                    if parts > budget.limits.max_members as usize {
                        return Err(Unreadable::limit("flat OPC file with too many parts"));
                    }
                    zip.start_file(part, stored).map_err(zip_error)?;
                    zip.write_all(&bytes).map_err(io_error)?;
                }
                _ => {}
            },
            _ => {}
        }
    }
    drop(r);
    drop(xml);
    let package = zip.finish().map_err(zip_error)?.into_inner();
    crate::ooxml::extract(Format::Docx, &package, inner, budget, visitor)
}

/// Title, subject, keywords… of `o:DocumentProperties`, one `name: value` line each, as the other
/// formats give them.
const PROPERTIES: [(&str, &str); 8] = [
    ("Title", "title"),
    ("Subject", "subject"),
    ("Keywords", "keywords"),
    ("Description", "comments"),
    ("Category", "category"),
    ("Author", "author"),
    ("Manager", "manager"),
    ("Company", "company"),
];

fn properties(r: &mut XmlReader<'_>, budget: &mut Budget) -> Result<Vec<String>, Unreadable> {
    let mut lines = Vec::new();
    let target = r.depth().saturating_sub(1);
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::End(_) if r.depth() <= target => break,
            Ev::Start(e) => {
                let name = local(&e);
                if let Some((_, label)) = PROPERTIES.iter().find(|(n, _)| *n == name) {
                    let value = r.element_text(budget)?;
                    if !value.trim().is_empty() {
                        lines.push(format!("{label}: {}", value.trim()));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(lines)
}

// ---------------------------------------------------------------------------------------------- Word

/// Where Word 2003 keeps what is not body text: inside the body, at the place it belongs to.
fn aside(name: &str, e: &crate::xml::Tag<'_>) -> Option<SegmentKind> {
    match name {
        "hdr" => Some(SegmentKind::Header),
        "ftr" => Some(SegmentKind::Footer),
        "footnote" | "endnote" => Some(SegmentKind::Note),
        // `aml:annotation` also marks insertions, deletions and a comment's start and end; only
        // `Word.Comment` holds a comment's text.
        "annotation" if attr(e, "type").as_deref() == Some("Word.Comment") => {
            Some(SegmentKind::Comment)
        }
        _ => None,
    }
}

fn word(xml: &str, out: &mut Out<'_>) -> Result<(), Unreadable> {
    const PART: &str = "wordDocument";
    // One pass to find the asides and the properties; the body is then the document without them.
    let mut asides: Vec<(SegmentKind, usize, usize)> = Vec::new();
    let mut metadata = Vec::new();
    let mut objects: Vec<(String, Vec<u8>)> = Vec::new();
    let mut r = XmlReader::new(xml, PART);
    loop {
        match r.next(out.budget)? {
            Ev::Eof => break,
            Ev::Start(e) => {
                let name = local(&e);
                if name == "DocumentProperties" {
                    metadata = properties(&mut r, out.budget)?;
                    continue;
                }
                if name == "binData" {
                    let member = attr(&e, "name").unwrap_or_else(|| "binData".into());
                    let text = r.element_text(out.budget)?;
                    if let Some(bytes) = embedded_objects(&member, &text, out)? {
                        objects.push((member, bytes));
                    }
                    continue;
                }
                let Some(kind) = aside(name, &e) else {
                    continue;
                };
                // An empty element (`<w:hdr/>`) has nothing to read.
                let Some(after_start) = r.position() else {
                    continue;
                };
                let start = xml[..after_start].rfind('<').unwrap_or(after_start);
                r.skip_element(out.budget)?;
                let end = r.position().unwrap_or(xml.len()).max(start);
                asides.push((kind, start, end));
            }
            _ => {}
        }
    }
    let mut body = String::with_capacity(xml.len());
    let mut at = 0;
    for &(_, start, end) in &asides {
        body.push_str(xml.get(at..start).unwrap_or_default());
        at = end;
    }
    body.push_str(xml.get(at..).unwrap_or_default());
    let (lines, hidden) = wordml(&body, PART, true, out.budget)?;
    drop(body);
    for (i, page) in lines.pages().iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        out.emit(SegmentKind::Body, Some(n), None, PART, page)?;
    }
    let mut hidden_all = vec![hidden];
    // Headers and footers come in order of sections; notes and comments in order of the text.
    for kind in [
        SegmentKind::Header,
        SegmentKind::Footer,
        SegmentKind::Note,
        SegmentKind::Comment,
    ] {
        let mut texts = Vec::new();
        for &(k, start, end) in &asides {
            if k != kind {
                continue;
            }
            let fragment = xml.get(start..end).unwrap_or_default();
            let (lines, hidden) = wordml(fragment, PART, false, out.budget)?;
            // Word writes a header again for each section that has it: said once.
            let text = lines.text().trim().to_owned();
            if !texts.contains(&text) {
                texts.push(text);
            }
            hidden_all.push(hidden);
        }
        out.emit(kind, None, None, PART, &texts.join("\n"))?;
    }
    let hidden: Vec<String> = hidden_all.iter().map(|h| h.text()).collect();
    out.emit(SegmentKind::Hidden, None, None, PART, &hidden.join("\n"))?;
    out.emit(
        SegmentKind::Metadata,
        None,
        None,
        PART,
        &metadata.join("\n"),
    )?;
    for (name, bytes) in objects {
        crate::extract_member(&name, &bytes, out.inner, out.budget, out.visitor)?;
    }
    Ok(())
}

/// The bytes of a part or object written in base64, line breaks and indentation included.
fn base64_bytes(name: &str, text: &str) -> Result<Vec<u8>, Unreadable> {
    use base64::Engine as _;
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .map_err(|e| Unreadable::corrupt(format!("base64 of {name}: {e}")))
}

/// The embedded objects in a `w:binData` (base64): `oledata.mso`, a compound file of the document's
/// objects, plain or in Office's "ActiveMime" wrapper (a header, then the compound file deflated).
/// Pictures, the other binData, hold no text and are passed over.
fn embedded_objects(
    name: &str,
    base64_text: &str,
    out: &mut Out<'_>,
) -> Result<Option<Vec<u8>>, Unreadable> {
    if !name.ends_with(".mso") {
        return Ok(None);
    }
    let Some(bytes) = out.soft(name, base64_bytes(name, base64_text))? else {
        return Ok(None);
    };
    if bytes.starts_with(crate::format::OLE_MAGIC) {
        return Ok(Some(bytes));
    }
    if bytes.starts_with(b"ActiveMime") {
        // oletools' reading of the format: the deflated data starts 46 bytes past the offset at 0x1E.
        let at = bytes
            .get(0x1E..0x20)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])) + 46);
        let limit = usize::try_from(out.budget.limits.max_uncompressed).unwrap_or(usize::MAX);
        if let Some(Ok(inflated)) = at
            .and_then(|at| bytes.get(at..))
            .map(|z| crate::inflate::zlib_bounded(z, limit))
            && inflated.starts_with(crate::format::OLE_MAGIC)
        {
            return Ok(Some(inflated));
        }
    }
    let r = Err(Unreadable::new(
        baomi_core::UnscannedReason::UnsupportedFormat,
        format!("{name}: embedded objects in a form not known"),
    ));
    out.soft::<()>(name, r)?;
    Ok(None)
}

// ----------------------------------------------------------------------------------------- Excel

/// One worksheet being read.
#[derive(Default)]
struct Sheet {
    name: String,
    rows: Vec<String>,
    row: Vec<String>,
    comments: Vec<String>,
    headers: Vec<String>,
    footers: Vec<String>,
}

fn workbook(xml: &str, out: &mut Out<'_>) -> Result<(), Unreadable> {
    const PART: &str = "Workbook";
    let mut r = XmlReader::new(xml, PART);
    let mut sheet: Option<Sheet> = None;
    let mut metadata = Vec::new();
    // Cells are placed by `ss:Index` (1-based) when the writer left out empty ones.
    let mut column = 0usize;
    loop {
        match r.next(out.budget)? {
            Ev::Eof => break,
            Ev::Start(e) => match local(&e) {
                "DocumentProperties" => metadata = properties(&mut r, out.budget)?,
                "Worksheet" => {
                    sheet = Some(Sheet {
                        name: attr(&e, "Name").unwrap_or_default(),
                        ..Sheet::default()
                    });
                }
                "Row" => {
                    column = 0;
                    if let Some(s) = sheet.as_mut() {
                        s.row.clear();
                    }
                }
                "Cell" => {
                    if let Some(i) = attr(&e, "Index").and_then(|v| v.parse::<usize>().ok()) {
                        // A bounded gap: an index of a million is not a million tabs.
                        column = i.saturating_sub(1).min(column + 256);
                    }
                    // A merged cell covers the columns after it: the next cell comes after them.
                    let merged = attr(&e, "MergeAcross")
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0)
                        .min(256);
                    let text = cell(&mut r, out.budget)?;
                    if let Some(s) = sheet.as_mut() {
                        if let Some(note) = text.1 {
                            s.comments.push(note);
                        }
                        if !text.0.is_empty() {
                            if s.row.len() < column {
                                s.row.resize(column, String::new());
                            }
                            s.row.push(text.0);
                            column = s.row.len() + merged;
                            continue;
                        }
                    }
                    column += 1 + merged;
                }
                // Page setup: `<Header x:Data="&amp;C机密"/>`, Excel's header codes.
                name @ ("Header" | "Footer") => {
                    let data = attr(&e, "Data").map(|d| strip_header_codes(&d));
                    if let (Some(s), Some(d)) = (sheet.as_mut(), data) {
                        if name == "Header" {
                            s.headers.push(d);
                        } else {
                            s.footers.push(d);
                        }
                    }
                }
                _ => {}
            },
            Ev::End(e) => match local_end(&e) {
                "Row" => {
                    if let Some(s) = sheet.as_mut() {
                        let line = s.row.join("\t");
                        if !line.trim().is_empty() {
                            s.rows.push(line.trim_end().to_owned());
                        }
                        s.row.clear();
                    }
                }
                "Worksheet" => {
                    if let Some(s) = sheet.take() {
                        let name = Some(s.name.as_str());
                        out.emit(SegmentKind::Sheet, None, name, PART, &s.rows.join("\n"))?;
                        out.emit(SegmentKind::Header, None, name, PART, &s.headers.join("\n"))?;
                        out.emit(SegmentKind::Footer, None, name, PART, &s.footers.join("\n"))?;
                        out.emit(
                            SegmentKind::Comment,
                            None,
                            name,
                            PART,
                            &s.comments.join("\n"),
                        )?;
                    }
                }
                _ => {}
            },
            Ev::Text(_) => {}
        }
    }
    out.emit(
        SegmentKind::Metadata,
        None,
        None,
        PART,
        &metadata.join("\n"),
    )
}

/// A cell's value (`Data`, or its rich-text form whose HTML tags carry the formatting) and its
/// comment, read to the cell's end.
fn cell(
    r: &mut XmlReader<'_>,
    budget: &mut Budget,
) -> Result<(String, Option<String>), Unreadable> {
    let target = r.depth().saturating_sub(1);
    let (mut value, mut comment) = (String::new(), None);
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::End(_) if r.depth() <= target => break,
            Ev::Start(e) => match local(&e) {
                "Data" => value.push_str(r.element_text(budget)?.trim_end_matches(['\r', '\n'])),
                "Comment" => {
                    let text = r.element_text(budget)?;
                    let text = text.trim();
                    if !text.is_empty() {
                        comment = Some(text.to_owned());
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    // A cell's own line breaks (Alt+Enter) stay inside its row.
    Ok((value.replace(['\r', '\n'], " "), comment))
}

#[cfg(test)]
mod tests;
