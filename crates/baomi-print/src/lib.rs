//! Printable output for a confidentiality office: PDFs, QR codes, classification label sheets and
//! Word notices, made on a machine with no network and no font files to bundle.
//!
//! Why it is written this way:
//! - Offices open what we print in WPS, Foxit, Adobe Reader, a browser's pdf.js or poppler, and print
//!   it on whatever printer the room has. A PDF that names the standard Adobe Chinese font
//!   (STSong-Light, see [`pdf`]) needs no embedded font: every one of those readers substitutes a
//!   Chinese font it has. Shipping a CJK font instead would add megabytes and a font licence.
//! - Layout needs text widths, and without a font file we cannot ask one. The PDF declares its own
//!   widths (full width for Chinese, Adobe Song's proportional widths for ASCII) and we measure with
//!   the same numbers, so what we measure is where every reader places the glyphs.
//! - Label sheets are printed onto pre-cut stock: positions are exact millimetres, and text that does
//!   not fit is shrunk, then cut with "…", so it never runs into the neighbouring label.
//! - Nothing here parses untrusted input; every function is total (no panics on empty, huge or odd
//!   text) and long strings are bounded where the output has a fixed size (labels, one PDF text run).
#![deny(missing_docs)]

pub mod document;
pub mod docx;
pub mod labels;
pub mod pdf;
pub mod qr;
#[cfg(test)]
mod test_util;

pub use document::blocks_pdf;
pub use docx::{Block, docx};
pub use labels::{Label, STOCKS, Stock, labels_pdf, labels_svg};
pub use pdf::Pdf;
pub use qr::{QrMatrix, qr};

/// What can fail. Most of this crate cannot fail at all; these are the exceptions.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is longer than the largest QR code holds at error-correction level M.
    #[error("{len} bytes do not fit in one QR code at error-correction level M (at most {max})")]
    QrTooLong {
        /// Bytes of UTF-8 asked for.
        len: usize,
        /// Bytes that fit.
        max: usize,
    },
    /// The QR encoder refused the data for another reason.
    #[error("QR code could not be encoded: {0}")]
    Qr(String),
    /// Writing the .docx zip package failed.
    #[error("writing the .docx package failed: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// Writing into the in-memory package failed.
    #[error("writing the .docx package failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Whether XML 1.0 allows `c` in character data at all. Everything else (C0 controls other than
/// tab, line feed and carriage return, U+FFFE, U+FFFF) would make the document ill-formed, so it is
/// dropped rather than escaped.
pub(crate) fn xml_char_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` escaped for XML character data and attribute values (both quote kinds), with the
/// characters XML cannot carry left out.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if xml_char_allowed(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// The first `max` characters of `text` (all of it when shorter), cut on a character boundary.
pub(crate) fn clip_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_covers_markup_and_drops_what_xml_cannot_carry() {
        assert_eq!(
            xml_escape("<script>&\"'\u{0}\u{7}x\u{FFFF}中"),
            "&lt;script&gt;&amp;&quot;&apos;x中"
        );
        assert_eq!(xml_escape("a\tb\nc"), "a\tb\nc");
        assert_eq!(xml_escape("😀"), "😀");
    }

    #[test]
    fn clip_chars_cuts_on_characters() {
        assert_eq!(clip_chars("保密办公室", 2), "保密");
        assert_eq!(clip_chars("ab", 5), "ab");
        assert_eq!(clip_chars("", 0), "");
    }
}
