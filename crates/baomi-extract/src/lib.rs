//! Bytes → text segments, for every document format an office keeps.
//!
//! This crate never touches the filesystem or the network: it is handed a name and the bytes, and it
//! reports what it reads to a [`Visitor`]. Containers (zip, mail, OOXML packages) are opened here and their
//! members extracted recursively, each segment carrying the chain of member names (`inner`) that leads to it.
//! Every parser obeys [`Limits`] (size, depth, count, ratio, time) so hostile input ends as an
//! [`Unreadable`] value, never a crash or a hang.
#![deny(missing_docs)]

mod archive;
mod budget;
mod format;
mod html;
mod inflate;
mod mail;
mod odf;
mod ofd;
mod office2003;
mod ole;
mod ooxml;
mod pdf;
mod rtf;
mod text;
mod xml;
mod zipfile;

pub use budget::{Budget, Limits};
/// Re-exported so streaming callers name the same encodings.
pub use encoding_rs;
pub use format::{Format, sniff_format};
pub use ole::ReadSeek;
pub use text::{decode_text, detect_encoding};

/// Entry points for the fuzz targets into parsers that a whole file reaches only through a checksummed
/// container (so that mutated bytes would mostly stop at the checksum). Not an API.
#[doc(hidden)]
pub mod fuzz_entry {
    /// An .xlsb part's bytes through every BIFF12 record reader (sheet, shared strings, comments,
    /// workbook).
    pub fn xlsb_part(data: &[u8]) {
        crate::ooxml::fuzz_xlsb_part(data);
    }

    /// A font program's bytes through the reader of its Unicode cmap (a PDF's embedded TrueType font
    /// without ToUnicode).
    pub fn truetype_program(data: &[u8]) {
        crate::pdf::fuzz_truetype_program(data);
    }

    /// A font program's bytes through the readers of a simple font's built-in encoding: as a Type 1
    /// program (`/FontFile`) and as a bare CFF font (`/FontFile3` of subtype `Type1C`).
    pub fn font_program(data: &[u8]) {
        crate::pdf::fuzz_font_program(data);
    }

    /// Bytes as Word 2003 XML, as Excel 2003 XML and as flat OPC, each straight into its reader:
    /// through the dispatcher only inputs whose head names the format would reach them.
    pub fn office2003(data: &[u8]) {
        for format in [crate::Format::WordXml, crate::Format::ExcelXml] {
            let mut budget = crate::Budget::new(crate::Limits::default());
            let _ = crate::office2003::extract(
                format,
                data,
                &mut Vec::new(),
                &mut budget,
                &mut Discard,
            );
        }
        let mut budget = crate::Budget::new(crate::Limits::default());
        let _ = crate::office2003::flat_opc(data, &mut Vec::new(), &mut budget, &mut Discard);
    }

    struct Discard;
    impl crate::Visitor for Discard {
        fn segment(&mut self, _: &[String], _: &crate::Segment<'_>) {}
        fn unscanned(&mut self, _: &[String], _: baomi_core::UnscannedReason, _: &str) {}
    }
}

use baomi_core::UnscannedReason;
use std::borrow::Cow;

/// What kind of place in a document a segment of text comes from. Position rules for classification
/// markings depend on it: a marking counts at the head of a body, page, sheet or slide, anywhere in a
/// header or footer, and never inside running prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SegmentKind {
    /// The main text of a document (or of a page, when `page` is set).
    Body,
    /// A page header.
    Header,
    /// A page footer.
    Footer,
    /// Footnotes or endnotes.
    Note,
    /// Reviewer comments / annotations.
    Comment,
    /// One sheet of a spreadsheet: one line per row, cells separated by tabs.
    Sheet,
    /// One slide of a presentation.
    Slide,
    /// Speaker notes of a slide.
    SpeakerNotes,
    /// Text boxes, shapes, drawing text.
    TextBox,
    /// Mail subject line.
    Subject,
    /// Document title / properties (docProps).
    Metadata,
    /// Text deleted under change tracking, or otherwise hidden: still in the file, invisible on screen.
    Hidden,
}

impl SegmentKind {
    /// Identifier used in report evidence (`part`).
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentKind::Body => "body",
            SegmentKind::Header => "header",
            SegmentKind::Footer => "footer",
            SegmentKind::Note => "note",
            SegmentKind::Comment => "comment",
            SegmentKind::Sheet => "sheet",
            SegmentKind::Slide => "slide",
            SegmentKind::SpeakerNotes => "speaker_notes",
            SegmentKind::TextBox => "text_box",
            SegmentKind::Subject => "subject",
            SegmentKind::Metadata => "metadata",
            SegmentKind::Hidden => "hidden",
        }
    }
}

/// A run of text with the position it has in its document. Lines are separated by `\n`; a line is a
/// paragraph (documents), a row (sheets, cells joined by `\t`) or a text line (plain text).
#[derive(Debug, Clone)]
pub struct Segment<'a> {
    /// Where in the document it stands.
    pub kind: SegmentKind,
    /// 1-based page or slide number, when the format has pages.
    pub page: Option<u32>,
    /// Sheet name, for spreadsheets.
    pub sheet: Option<&'a str>,
    /// Internal part name (`word/header1.xml`), for evidence.
    pub part: Option<&'a str>,
    /// The text.
    pub text: Cow<'a, str>,
}

/// Why something could not be read, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason:?}: {detail}")]
pub struct Unreadable {
    /// Category written to the report.
    pub reason: UnscannedReason,
    /// Plain-words detail ("truncated zip central directory", …).
    pub detail: String,
}

impl Unreadable {
    /// Build one.
    pub fn new(reason: UnscannedReason, detail: impl Into<String>) -> Self {
        Unreadable {
            reason,
            detail: detail.into(),
        }
    }
    pub(crate) fn corrupt(detail: impl Into<String>) -> Self {
        Unreadable::new(UnscannedReason::Corrupt, detail)
    }
    pub(crate) fn limit(detail: impl Into<String>) -> Self {
        Unreadable::new(UnscannedReason::Limit, detail)
    }
}

/// Receives what extraction reads. `inner` is the chain of member names from the top-level file down to
/// the container member the item belongs to (empty for the top-level file itself).
pub trait Visitor {
    /// A segment of text was read.
    fn segment(&mut self, inner: &[String], segment: &Segment<'_>);
    /// A member of a container could not be read. (The top-level file's failure is the `Err` of
    /// [`extract`] instead.)
    fn unscanned(&mut self, inner: &[String], reason: UnscannedReason, detail: &str);
    /// A file or member was recognised as `format` and read (for per-format statistics).
    fn format(&mut self, _inner: &[String], _format: Format) {}
}

/// Extract the text of `data`, named `name` (used for format sniffing by extension), into `visitor`.
///
/// Returns the top-level format on success. Members of containers that fail are reported through
/// [`Visitor::unscanned`] and do not fail the whole file.
pub fn extract(
    name: &str,
    data: &[u8],
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<Format, Unreadable> {
    let mut inner = Vec::new();
    let format = sniff_format(name, data);
    extract_as(format, data, &mut inner, budget, visitor)
}

/// Whether a file named `name` whose first bytes are `head` is read by [`extract_in_place`] instead of
/// whole: OLE compound files, whose text streams are a small part of them.
pub fn reads_in_place(name: &str, head: &[u8]) -> bool {
    sniff_format(name, head) == Format::Ole
}

/// Extract a file that [`reads_in_place`] accepts from `reader`, which holds `len` bytes, reading only
/// the parts of it that hold text.
pub fn extract_in_place(
    reader: &mut dyn ReadSeek,
    len: u64,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<Format, Unreadable> {
    let mut inner = Vec::new();
    let format = ole::extract_from(reader, len, &mut inner, budget, visitor)?;
    visitor.format(&inner, format);
    Ok(format)
}

/// Extract `data` known to be `format`. `inner` is the member chain so far; containers push onto it while
/// they recurse and pop before returning. Returns the format as read (an OLE file becomes the
/// document it holds).
pub(crate) fn extract_as(
    format: Format,
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<Format, Unreadable> {
    budget.check_time()?;
    if data.is_empty() {
        // An empty file holds nothing to read, whatever its name promises: not a damaged package.
        visitor.format(inner, format);
        return Ok(format);
    }
    let mut reported = format;
    match format {
        Format::Text => text::extract(data, inner, budget, visitor)?,
        Format::Html => html::extract(data, inner, budget, visitor)?,
        Format::Docx | Format::Xlsx | Format::Pptx | Format::Odt | Format::Ods | Format::Odp => {
            let read = if matches!(format, Format::Docx | Format::Xlsx | Format::Pptx) {
                ooxml::extract(format, data, inner, budget, visitor)
            } else {
                odf::extract(format, data, inner, budget, visitor).map(|()| format)
            };
            match read {
                // Renamed files: an OpenDocument text saved as .docx, a workbook called .odt. The
                // package's own members say what it is; read it as that.
                Err(e) if e.reason == UnscannedReason::Corrupt => {
                    match zipfile::package_kind(data, budget) {
                        Some(actual) if actual != format => {
                            return extract_as(actual, data, inner, budget, visitor);
                        }
                        _ => return Err(e),
                    }
                }
                read => reported = read?,
            }
        }
        Format::Eml => mail::extract(data, inner, budget, visitor)?,
        Format::Mbox => mail::mbox(data, inner, budget, visitor)?,
        Format::Zip => zipfile::extract(data, inner, budget, visitor)?,
        Format::Ole | Format::Doc | Format::Xls | Format::Ppt | Format::Msg => {
            reported = ole::extract(data, inner, budget, visitor)?;
        }
        Format::WordXml | Format::ExcelXml => {
            office2003::extract(format, data, inner, budget, visitor)?
        }
        Format::FlatOpc => reported = office2003::flat_opc(data, inner, budget, visitor)?,
        Format::Pdf => pdf::extract(data, inner, budget, visitor)?,
        Format::Rtf => rtf::extract(data, inner, budget, visitor)?,
        Format::Ofd => ofd::extract(data, inner, budget, visitor)?,
        Format::Tar | Format::Gzip | Format::Bzip2 | Format::Xz | Format::SevenZip => {
            archive::extract(format, data, inner, budget, visitor)?
        }
        Format::Unsupported => {
            return Err(Unreadable::new(
                UnscannedReason::UnsupportedFormat,
                "format not supported",
            ));
        }
    }
    visitor.format(inner, reported);
    Ok(reported)
}

/// Report `text` as a segment of the place described, unless it is blank: the one way the package
/// parsers hand text on.
pub(crate) fn emit_segment(
    visitor: &mut dyn Visitor,
    inner: &[String],
    kind: SegmentKind,
    page: Option<u32>,
    sheet: Option<&str>,
    part: Option<&str>,
    text: &str,
) {
    if text.trim().is_empty() {
        return;
    }
    let segment = Segment {
        kind,
        page,
        sheet,
        part,
        text: Cow::Borrowed(text),
    };
    visitor.segment(inner, &segment);
}

/// A part of a container failed: report it as unscanned under its name and go on (`Ok(None)`),
/// unless the whole file is out of budget, which ends the file.
pub(crate) fn soft<T>(
    r: Result<T, Unreadable>,
    part: &str,
    inner: &mut Vec<String>,
    budget: &Budget,
    visitor: &mut dyn Visitor,
) -> Result<Option<T>, Unreadable> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if budget.exhausted() => Err(e),
        Err(e) => {
            inner.push(part.to_owned());
            visitor.unscanned(inner, e.reason, &e.detail);
            inner.pop();
            Ok(None)
        }
    }
}

/// Extract a member of a container: sniff its format, recurse with the member name pushed on `inner`,
/// and turn its failure into a [`Visitor::unscanned`] entry so the container goes on.
pub(crate) fn extract_member(
    member_name: &str,
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let format = sniff_format(member_name, data);
    in_member(
        member_name,
        inner,
        budget,
        visitor,
        |inner, budget, visitor| extract_as(format, data, inner, budget, visitor).map(|_| ()),
    )
}

/// Run `read` as a member named `name`: one level deeper (within the depth limit), with the name pushed
/// on `inner`; its failure becomes a [`Visitor::unscanned`] entry so the container goes on.
pub(crate) fn in_member(
    name: &str,
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
    read: impl FnOnce(&mut Vec<String>, &mut Budget, &mut dyn Visitor) -> Result<(), Unreadable>,
) -> Result<(), Unreadable> {
    inner.push(name.to_owned());
    let result = match budget.enter() {
        Ok(()) => {
            let r = read(inner, budget, visitor);
            budget.leave();
            r
        }
        Err(e) => Err(e),
    };
    let outcome = match result {
        Ok(()) => Ok(()),
        // Running out of time or total budget ends the whole file, not only this member.
        Err(e) if budget.exhausted() => Err(e),
        Err(e) => {
            visitor.unscanned(inner, e.reason, &e.detail);
            Ok(())
        }
    };
    inner.pop();
    outcome
}
