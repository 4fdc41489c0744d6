//! A minimal Word (.docx) writer for the notices a confidentiality office circulates (通报).
//!
//! Why .docx and not PDF: a notice is edited before it is sent (a number filled in, a sentence
//! changed, the seal placed), and every office has Word or WPS. Why this look: official documents
//! follow GB/T 9704-2012 — the title centred in 小标宋 二号 (22 pt), body text in 仿宋 三号 (16 pt)
//! on a fixed 28 pt line with a two-character first-line indent, first-level headings in 黑体, the
//! issuing office and date right-aligned four characters from the margin, A4 with 37 mm top and
//! 28 mm left margins.
//!
//! Fonts are named the way Chinese Word names them (宋体, 仿宋_GB2312, 方正小标宋简体, 黑体), and the
//! font table gives each one an alternative (`altName`) and its character set (GB2312) so that a
//! machine without 方正小标宋简体 or 仿宋_GB2312 (which Windows does not ship) falls back to 黑体 or
//! 仿宋 rather than to a Latin font.
//!
//! The package holds only what Word, WPS and LibreOffice need: content types, relationships, the
//! document, styles, font table and core properties. Zip entries carry no timestamps of their own
//! (1980-01-01), so the same blocks at the same creation time give the same bytes.

use crate::{Error, xml_escape};
use std::fmt::Write as _;
use std::io::{Cursor, Write as _};
use zip::write::SimpleFileOptions;

/// One block of a notice, in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The title, centred in large type.
    Title(String),
    /// A heading (一、…), in 黑体.
    Heading(String),
    /// A body paragraph, first line indented two characters. `\n` breaks the line within it.
    Paragraph(String),
    /// A right-aligned line: the issuing office, the date.
    Right(String),
    /// A table with a header row (repeated on every page) and data rows. Rows shorter than the
    /// widest are padded with empty cells; at most 63 columns (Word's limit) are kept.
    Table {
        /// The header cells.
        header: Vec<String>,
        /// The data rows.
        rows: Vec<Vec<String>>,
    },
    /// A bar chart: a title and one bar per item (label, value, drawn in red), scaled to `max`. The
    /// PDF draws the bars; Word gets a table whose cells hold the bar as block characters, which
    /// every font has and an editor can still change.
    Bars {
        /// What the chart shows.
        title: String,
        /// (label, value, red).
        items: Vec<(String, f64, bool)>,
        /// The value of a full-width bar.
        max: f64,
    },
}

/// A bar of `value` out of `max` as block characters, `cells` wide at full length.
pub(crate) fn text_bar(value: f64, max: f64, cells: usize) -> String {
    let share = if max > 0.0 && value.is_finite() {
        (value / max).clamp(0.0, 1.0)
    } else {
        0.0
    };
    "█".repeat((share * cells as f64).round() as usize)
}

/// A value as printed beside its bar: whole numbers without decimals.
pub(crate) fn bar_value(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Columns a Word table can have.
const MAX_COLUMNS: usize = 63;
/// Width of the text area in twentieths of a point: A4 (11 906) less 28 mm left and 26 mm right.
const TEXT_WIDTH_TWIPS: usize = 11_906 - 1_587 - 1_474;

/// The notice as a .docx file, created now.
pub fn docx(blocks: &[Block]) -> Result<Vec<u8>, Error> {
    docx_at(blocks, jiff::Timestamp::now())
}

/// The notice as a .docx file with `created` as its creation time (the same input then gives the
/// same bytes).
pub fn docx_at(blocks: &[Block], created: jiff::Timestamp) -> Result<Vec<u8>, Error> {
    let title = blocks.iter().find_map(|b| match b {
        Block::Title(t) => Some(t.as_str()),
        _ => None,
    });
    let parts: [(&str, String); 7] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", ROOT_RELS.to_owned()),
        ("word/document.xml", document(blocks)),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
        ("word/styles.xml", STYLES.to_owned()),
        ("word/fontTable.xml", FONT_TABLE.to_owned()),
        ("docProps/core.xml", core(title.unwrap_or(""), created)),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in parts {
        zip.start_file(name, options)?;
        zip.write_all(body.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" Target=\"fontTable.xml\"/>\
</Relationships>";

/// Sizes are in half-points (`w:sz`), spacing and indents in twentieths of a point (`w:line`,
/// `w:firstLine`) or hundredths of a character (`w:firstLineChars`).
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults>\
<w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"宋体\" w:cs=\"Times New Roman\"/>\
<w:kern w:val=\"2\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:jc w:val=\"both\"/></w:pPr></w:pPrDefault>\
</w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:spacing w:line=\"560\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:jc w:val=\"both\"/></w:pPr>\
<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"仿宋_GB2312\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:spacing w:before=\"0\" w:after=\"560\" w:line=\"700\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/></w:pPr>\
<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"方正小标宋简体\"/><w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:keepNext/><w:outlineLvl w:val=\"0\"/></w:pPr>\
<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"黑体\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Right\"><w:name w:val=\"Right\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\" w:rightChars=\"400\" w:right=\"1280\"/><w:jc w:val=\"right\"/></w:pPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:spacing w:line=\"240\" w:lineRule=\"auto\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/></w:pPr>\
<w:rPr><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:semiHidden/>\
<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
<w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
</w:styles>";

/// `charset 86` is GB2312: a reader that lacks the font picks a Chinese one in its place.
const FONT_TABLE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:font w:name=\"Times New Roman\"><w:charset w:val=\"00\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font>\
<w:font w:name=\"宋体\"><w:altName w:val=\"SimSun\"/><w:charset w:val=\"86\"/><w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/></w:font>\
<w:font w:name=\"仿宋_GB2312\"><w:altName w:val=\"仿宋\"/><w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>\
<w:font w:name=\"仿宋\"><w:altName w:val=\"FangSong\"/><w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>\
<w:font w:name=\"方正小标宋简体\"><w:altName w:val=\"黑体\"/><w:charset w:val=\"86\"/><w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/></w:font>\
<w:font w:name=\"黑体\"><w:altName w:val=\"SimHei\"/><w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>\
</w:fonts>";

fn core(title: &str, created: jiff::Timestamp) -> String {
    let when = created.strftime("%Y-%m-%dT%H:%M:%SZ");
    format!(
        "{XML_HEAD}<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:creator>Baomi</dc:creator>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:modified>\
         </cp:coreProperties>",
        text(title)
    )
}

/// `s` for character data: markup escaped, control characters (other than the tab and line break
/// that [`runs`] turns into elements) removed.
fn text(s: &str) -> String {
    let kept: String = s.chars().filter(|c| !c.is_control()).collect();
    xml_escape(&kept)
}

/// The runs of one paragraph: `\n` becomes a line break, `\t` a tab, other control characters are
/// removed. `rpr` is the run properties (may be empty).
fn runs(out: &mut String, s: &str, rpr: &str) {
    let _ = write!(out, "<w:r>{rpr}");
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:br/>");
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                out.push_str("<w:tab/>");
            }
            let piece = text(piece);
            if !piece.is_empty() {
                let _ = write!(out, "<w:t xml:space=\"preserve\">{piece}</w:t>");
            }
        }
    }
    out.push_str("</w:r>");
}

fn paragraph(out: &mut String, style: &str, s: &str) {
    let _ = write!(out, "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>");
    runs(out, s, "");
    out.push_str("</w:p>");
}

fn table(out: &mut String, header: &[String], rows: &[Vec<String>]) -> bool {
    let cols = std::iter::once(header.len())
        .chain(rows.iter().map(Vec::len))
        .max()
        .unwrap_or(0)
        .min(MAX_COLUMNS);
    if cols == 0 {
        return false;
    }
    let width = TEXT_WIDTH_TWIPS / cols;
    out.push_str(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:jc w:val=\"center\"/><w:tblBorders>",
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        let _ = write!(
            out,
            "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
        );
    }
    out.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>");
    for _ in 0..cols {
        let _ = write!(out, "<w:gridCol w:w=\"{width}\"/>");
    }
    out.push_str("</w:tblGrid>");
    let row = |out: &mut String, cells: &[String], head: bool| {
        out.push_str("<w:tr>");
        if head {
            out.push_str("<w:trPr><w:tblHeader/></w:trPr>");
        }
        for i in 0..cols {
            let _ = write!(
                out,
                "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>\
                 <w:p><w:pPr><w:pStyle w:val=\"TableText\"/></w:pPr>"
            );
            let cell = cells.get(i).map_or("", String::as_str);
            runs(out, cell, if head { "<w:rPr><w:b/></w:rPr>" } else { "" });
            out.push_str("</w:p></w:tc>");
        }
        out.push_str("</w:tr>");
    };
    if !header.is_empty() {
        row(out, header, true);
    }
    for r in rows {
        row(out, r, false);
    }
    out.push_str("</w:tbl>");
    true
}

fn document(blocks: &[Block]) -> String {
    let mut out = format!(
        "{XML_HEAD}<w:document xmlns:w=\"{W_NS}\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>"
    );
    // Word wants the body to end with a paragraph, not a table (nor to be empty).
    let mut ends_in_paragraph = false;
    for block in blocks {
        match block {
            Block::Title(s) => paragraph(&mut out, "Title", s),
            Block::Heading(s) => paragraph(&mut out, "Heading1", s),
            Block::Paragraph(s) => paragraph(&mut out, "Normal", s),
            Block::Right(s) => paragraph(&mut out, "Right", s),
            Block::Table { header, rows } => {
                if table(&mut out, header, rows) {
                    ends_in_paragraph = false;
                }
                continue;
            }
            Block::Bars { title, items, max } => {
                paragraph(&mut out, "Heading1", title);
                let rows: Vec<Vec<String>> = items
                    .iter()
                    .map(|(label, value, _)| {
                        vec![
                            label.clone(),
                            format!("{} {}", text_bar(*value, *max, 20), bar_value(*value)),
                        ]
                    })
                    .collect();
                if table(&mut out, &[], &rows) {
                    ends_in_paragraph = false;
                }
                continue;
            }
        }
        ends_in_paragraph = true;
    }
    if !ends_in_paragraph {
        out.push_str("<w:p/>");
    }
    // A4, margins of GB/T 9704 (37 mm top, 35 mm bottom, 28 mm left, 26 mm right), 28 pt line grid.
    out.push_str(
        "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
         <w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\" w:header=\"851\" \
         w:footer=\"992\" w:gutter=\"0\"/><w:docGrid w:type=\"lines\" w:linePitch=\"560\"/></w:sectPr>\
         </w:body></w:document>",
    );
    out
}

#[cfg(test)]
mod tests;
