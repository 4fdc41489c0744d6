//! QR codes for asset numbers, drawn as vectors into our PDFs and SVGs.
//!
//! Why byte mode for non-ASCII text: the `qrcode` crate's automatic segmentation knows the QR
//! standard's Kanji mode, which is for Shift JIS. UTF-8 Chinese bytes often fall in the Shift JIS
//! ranges and would be encoded as Kanji, which a scanner then reads as Japanese or as garbage. So
//! text with any non-ASCII character is encoded as one byte-mode segment of UTF-8, which phone
//! scanners (WeChat, ZXing-based readers) and handheld scanners read as UTF-8. No ECI header is
//! added: handheld scanners in keyboard mode may type an ECI marker out as text. Pure ASCII keeps
//! the automatic segmentation, whose numeric and alphanumeric modes make asset numbers like
//! `BM-2026-0001` smaller.
//!
//! Error correction is level M (15 % of the code may be damaged): labels get scuffed, and level M
//! still keeps asset numbers at the smallest versions.

use crate::Error;
use crate::pdf::Pdf;
use qrcode::bits::Bits;
use qrcode::{Color, EcLevel, QrCode, Version};
use std::fmt::Write as _;

/// Light modules required around a QR code on every side (ISO/IEC 18004: four modules).
pub const QUIET_ZONE: usize = 4;
/// Bytes of UTF-8 one QR code holds at most at level M (version 40, byte mode).
pub const MAX_BYTES: usize = 2331;

/// The modules of one QR code, without the quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

/// Encode `text` as a QR code at error-correction level M, in the smallest version that holds it.
pub fn qr(text: &str) -> Result<QrMatrix, Error> {
    let data = text.as_bytes();
    if data.len() > MAX_BYTES {
        return Err(Error::QrTooLong {
            len: data.len(),
            max: MAX_BYTES,
        });
    }
    let code = if text.is_ascii() {
        QrCode::with_error_correction_level(data, EcLevel::M)
    } else {
        byte_mode(data)
    }
    .map_err(|e| match e {
        qrcode::types::QrError::DataTooLong => Error::QrTooLong {
            len: data.len(),
            max: MAX_BYTES,
        },
        e => Error::Qr(e.to_string()),
    })?;
    Ok(QrMatrix {
        width: code.width(),
        dark: code
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect(),
    })
}

/// `data` as a single byte-mode segment, in the first version it fits.
fn byte_mode(data: &[u8]) -> qrcode::types::QrResult<QrCode> {
    for v in 1..=40 {
        let mut bits = Bits::new(Version::Normal(v));
        if bits.push_byte_data(data).is_ok() && bits.push_terminator(EcLevel::M).is_ok() {
            return QrCode::with_bits(bits, EcLevel::M);
        }
    }
    Err(qrcode::types::QrError::DataTooLong)
}

impl QrMatrix {
    /// Modules per side (21 for version 1, up to 177), without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Modules per side with the quiet zone on both sides: what a drawing of it spans.
    pub fn width_with_quiet_zone(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Whether the module in column `x`, row `y` is dark (false outside the code).
    pub fn dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark.get(y * self.width + x) == Some(&true)
    }

    /// The dark modules row by row as horizontal runs `(x, y, length)`, in modules, without the
    /// quiet zone. Drawing runs instead of single modules makes the output several times smaller.
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if !self.dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && self.dark(x, y) {
                    x += 1;
                }
                runs.push((start, y, x - start));
            }
        }
        runs
    }

    /// SVG path data (`M…h…v…h…z`) for the dark modules of a code whose top-left corner, quiet zone
    /// included, is at (`x`, `y`) and whose modules are `module` wide, in the user units of the SVG.
    pub fn svg_path_data(&self, x: f32, y: f32, module: f32) -> String {
        let mut d = String::new();
        let q = QUIET_ZONE as f32;
        for (rx, ry, len) in self.runs() {
            let _ = write!(
                d,
                "M{},{}h{}v{}h-{}z",
                fmt(x + (rx as f32 + q) * module),
                fmt(y + (ry as f32 + q) * module),
                fmt(len as f32 * module),
                fmt(module),
                fmt(len as f32 * module),
            );
        }
        d
    }

    /// A standalone SVG document of the code, one user unit per module, quiet zone included, white
    /// background, `size` as its width and height attribute (e.g. `"30mm"`).
    pub fn to_svg(&self, size: &str) -> String {
        let n = self.width_with_quiet_zone();
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size}\" height=\"{size}\" \
             viewBox=\"0 0 {n} {n}\" shape-rendering=\"crispEdges\">\
             <rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/>\
             <path fill=\"#000\" d=\"{}\"/></svg>\n",
            self.svg_path_data(0.0, 0.0, 1.0),
            size = crate::xml_escape(size),
        )
    }

    /// Draw the code into `pdf` with its top-left corner (quiet zone included) at (`x_mm`, `y_mm`),
    /// `size_mm` wide and high with the quiet zone, in the current fill colour. The quiet zone itself
    /// is not painted: the paper is the light colour.
    pub fn draw_pdf(&self, pdf: &mut Pdf, x_mm: f32, y_mm: f32, size_mm: f32) {
        let module = size_mm / self.width_with_quiet_zone() as f32;
        let q = QUIET_ZONE as f32;
        let rects: Vec<[f32; 4]> = self
            .runs()
            .into_iter()
            .map(|(rx, ry, len)| {
                [
                    x_mm + (rx as f32 + q) * module,
                    y_mm + (ry as f32 + q) * module,
                    len as f32 * module,
                    module,
                ]
            })
            .collect();
        pdf.fill_rects(&rects);
    }
}

/// A coordinate for SVG: at most three decimals, no trailing zeros, never NaN.
pub(crate) fn fmt(v: f32) -> String {
    let v = if v.is_finite() { f64::from(v) } else { 0.0 };
    let mut s = format!("{v:.3}");
    while s.contains('.') && (s.ends_with('0') || s.ends_with('.')) {
        s.pop();
    }
    if s == "-0" { "0".to_owned() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rasterise `m` at `px` pixels per module with a white quiet zone and decode it with rqrr.
    pub(crate) fn decode(m: &QrMatrix, px: usize) -> String {
        String::from_utf8(decode_with_meta(m, px).1).unwrap()
    }

    fn decode_with_meta(m: &QrMatrix, px: usize) -> (rqrr::MetaData, Vec<u8>) {
        let n = m.width_with_quiet_zone() * px;
        let img = rqrr::PreparedImage::prepare_from_bitmap(n, n, |x, y| {
            let (mx, my) = (x / px, y / px);
            mx >= QUIET_ZONE && my >= QUIET_ZONE && m.dark(mx - QUIET_ZONE, my - QUIET_ZONE)
        });
        let mut img = img;
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one code found");
        let mut bytes = Vec::new();
        let meta = grids[0].decode_to(&mut bytes).unwrap();
        (meta, bytes)
    }

    #[test]
    fn ascii_and_chinese_asset_numbers_decode_back() {
        for text in [
            "BM-2026-0001",
            "20260001",
            "bm/2026/lower case?",
            "保密-机-2026-001",
            "涉密计算机 JM-0042",
            "",
        ] {
            let m = qr(text).unwrap();
            assert_eq!(decode(&m, 4), text);
        }
    }

    #[test]
    fn short_asset_numbers_are_small_codes() {
        assert_eq!(qr("BM-2026-0001").unwrap().width(), 21);
        // Nine Chinese bytes-mode characters still fit in version 2 at level M.
        assert!(qr("保密-机-2026-001").unwrap().width() <= 29);
    }

    /// The first `n` data bits: they sit in the two right-most columns from the bottom row up (right
    /// column first), clear of function patterns for the first 12 bits in every version, unmasked with
    /// the mask the format information names (ISO/IEC 18004 §7.7.3, §7.8.2).
    #[allow(
        clippy::manual_is_multiple_of,
        reason = "the mask conditions as ISO/IEC 18004 Table 10 writes them"
    )]
    fn first_bits(m: &QrMatrix, n: usize) -> u32 {
        let (meta, _) = decode_with_meta(m, 4);
        let mask = |i: usize, j: usize| match meta.mask {
            0 => (i + j) % 2 == 0,
            1 => i % 2 == 0,
            2 => j % 3 == 0,
            3 => (i + j) % 3 == 0,
            4 => (i / 2 + j / 3) % 2 == 0,
            5 => (i * j) % 2 + (i * j) % 3 == 0,
            6 => ((i * j) % 2 + (i * j) % 3) % 2 == 0,
            _ => ((i + j) % 2 + (i * j) % 3) % 2 == 0,
        };
        let w = m.width();
        (0..n).fold(0, |acc, k| {
            let (row, col) = (w - 1 - k / 2, w - 1 - k % 2);
            (acc << 1) | u32::from(m.dark(col, row) != mask(row, col))
        })
    }

    #[test]
    fn chinese_is_one_byte_mode_segment_never_kanji_mode() {
        // The hazard: the crate's automatic segmentation reads some UTF-8 Chinese as Shift JIS.
        let text = "涉密移动存储介质";
        let segments: Vec<_> = qrcode::optimize::Parser::new(text.as_bytes()).collect();
        let auto: Vec<_> =
            qrcode::optimize::Optimizer::new(segments.into_iter(), Version::Normal(2)).collect();
        assert!(
            auto.iter().any(|s| s.mode == qrcode::types::Mode::Kanji),
            "{auto:?}"
        );
        // Ours: mode indicator 0100 (byte) and a character count (8 bits up to version 9) of all
        // the bytes, so the whole text is that one segment.
        for text in [
            text,
            "机密",
            "保密-机-2026-001",
            "中华人民共和国",
            "机密机密机密机密",
        ] {
            let m = qr(text).unwrap();
            assert!(m.width() < 53, "version 9 or below");
            let bits = first_bits(&m, 12);
            assert_eq!(bits >> 8, 0b0100, "{text}: byte mode");
            assert_eq!(bits & 0xFF, text.len() as u32, "{text}: one segment");
            assert_eq!(decode(&m, 3), text);
        }
        // ASCII keeps the compact modes: alphanumeric (0010), numeric (0001).
        assert_eq!(first_bits(&qr("BM-2026-0001").unwrap(), 4), 0b0010);
        assert_eq!(first_bits(&qr("20260001").unwrap(), 4), 0b0001);
    }

    #[test]
    fn too_long_is_an_error_not_a_panic() {
        let long = "保".repeat(1000);
        assert!(matches!(
            qr(&long),
            Err(Error::QrTooLong {
                len: 3000,
                max: MAX_BYTES
            })
        ));
        let just = "a".repeat(MAX_BYTES + 1);
        assert!(matches!(qr(&just), Err(Error::QrTooLong { .. })));
        // The largest byte-mode code still encodes.
        let max = "\u{e9}".repeat(MAX_BYTES / 2);
        assert_eq!(qr(&max).unwrap().width(), 177);
    }

    #[test]
    fn svg_is_one_path_with_a_quiet_zone() {
        let m = qr("BM-2026-0001").unwrap();
        let svg = m.to_svg("30mm");
        assert!(svg.contains("viewBox=\"0 0 29 29\""));
        assert!(svg.contains("shape-rendering=\"crispEdges\""));
        assert_eq!(svg.matches("<path").count(), 1);
        // The top-left finder pattern starts right after the quiet zone.
        assert!(svg.contains("d=\"M4,4h7v1h-7z"), "{svg}");
        let mut reader = quick_xml::Reader::from_str(&svg);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{e}"),
            }
        }
    }

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let m = qr("保密办").unwrap();
        let mut count = 0;
        for (x, y, len) in m.runs() {
            for i in 0..len {
                assert!(m.dark(x + i, y));
            }
            assert!(!m.dark(x + len, y));
            count += len;
        }
        let dark = (0..m.width())
            .flat_map(|y| (0..m.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| m.dark(x, y))
            .count();
        assert_eq!(count, dark);
        assert!(!m.dark(m.width(), 0));
    }

    #[test]
    fn svg_numbers_are_short() {
        assert_eq!(fmt(1.0), "1");
        assert_eq!(fmt(0.25), "0.25");
        assert_eq!(fmt(-0.0001), "0");
        assert_eq!(fmt(f32::NAN), "0");
        assert_eq!(fmt(12.3456), "12.346");
    }
}
