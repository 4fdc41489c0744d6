//! Classification label sheets: the level in large type above the screen or on the stick, with the
//! asset number, custodian and department, and a QR code of the asset number.
//!
//! Why sheets of pre-cut stock: an office prints labels on the A4 self-adhesive sheets it buys, so
//! every label must land exactly on a cut-out, and its text must never run into the next one. Each
//! [`Stock`] gives the cut-outs' positions, and each line of text is shrunk (to a floor) and then cut
//! with "…" until its measured width fits. In the PDF the measured width is the printed width (see
//! [`crate::pdf`]); the SVG asks the browser for the same width (`textLength`) and clips each label
//! to its cut-out, because a browser's substitute font has widths of its own.
//!
//! Both outputs are drawn from one layout, so the PDF and the SVG of a sheet agree.

use crate::pdf::{ASCENT, PT_PER_MM, Pdf};
use crate::qr::{QrMatrix, fmt, qr};
use crate::{clip_chars, xml_escape};
use std::fmt::Write as _;

/// One label's content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Label {
    /// The classification in the words the office prints (机密, 秘密, 绝密, 内部, 非密, …).
    pub level_word: String,
    /// A second line naming the kind of asset (涉密计算机, 涉密移动存储介质); empty for none.
    pub title: String,
    /// The asset number, printed and encoded in the QR code (no QR code when empty).
    pub asset_no: String,
    /// The person responsible for the asset.
    pub custodian: String,
    /// The department the asset belongs to.
    pub department: String,
    /// Print the level in red (state-secret levels are marked in red).
    pub red: bool,
}

/// A sheet of pre-cut labels: where the cut-outs are, in millimetres from the top-left corner of
/// the sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stock {
    /// Short identifier for forms and settings (`a4-24-70x37`).
    pub id: &'static str,
    /// What the office sees in a list.
    pub name: &'static str,
    /// Sheet width.
    pub page_w_mm: f32,
    /// Sheet height.
    pub page_h_mm: f32,
    /// Labels across.
    pub cols: u32,
    /// Labels down.
    pub rows: u32,
    /// Width of one label.
    pub label_w_mm: f32,
    /// Height of one label.
    pub label_h_mm: f32,
    /// Distance from the left edge of the sheet to the first column.
    pub left_mm: f32,
    /// Distance from the top edge of the sheet to the first row.
    pub top_mm: f32,
    /// Space between two columns.
    pub gap_x_mm: f32,
    /// Space between two rows.
    pub gap_y_mm: f32,
}

/// The stocks offered.
///
/// Dimensions come from LibreOffice's label database (`share/labels/labels.xml`, whose `measure`
/// gives horizontal pitch; vertical pitch; width; height; left; top; columns; rows in 1/100 mm):
/// - 24-up 70 × 37 mm: the common Chinese A4 self-adhesive sheet (A4不干胶 24格), cut edge to edge.
///   We centre 8 × 37 mm on 297 mm (0.5 mm top and bottom). LibreOffice's nearest entry, Avery
///   Zweckform 3474, is `7000;3710;7000;3710;0;0;3;8`: the same 70 mm columns with a 37.1 mm row
///   pitch from the very top, 0.2 to 0.5 mm from ours on every row.
/// - Avery L7163 (and Zweckform/Avery C2163): `10160;3810;9906;3810;467;1515;2;7`, i.e. 99.06 ×
///   38.1 mm (sold as 99.1 × 38.1), 2.54 mm between columns, 4.67 mm left, 15.15 mm top.
/// - Avery Zweckform 3657: `4850;2540;4850;2540;800;2143;4;10`, i.e. 48.5 × 25.4 mm, no gaps,
///   8 mm left, 21.43 mm top. (Avery L7654 is 45.72 × 25.4 mm on the same rows: `4826;2540;4572;
///   2540;975;2143;4;10`.)
/// - Avery L7651: `4064;2117;3810;2117;467;1090;5;13`, i.e. 38.1 × 21.17 mm, 2.54 mm between
///   columns, 4.67 mm left, 10.9 mm top: small labels for USB sticks and other removable media.
pub const STOCKS: &[Stock] = &[
    Stock {
        id: "a4-24-70x37",
        name: "A4 24 格 70×37 mm（3×8，通用不干胶）",
        page_w_mm: 210.0,
        page_h_mm: 297.0,
        cols: 3,
        rows: 8,
        label_w_mm: 70.0,
        label_h_mm: 37.0,
        left_mm: 0.0,
        top_mm: 0.5,
        gap_x_mm: 0.0,
        gap_y_mm: 0.0,
    },
    Stock {
        id: "avery-l7163",
        name: "A4 14 格 99.1×38.1 mm（2×7，Avery L7163）",
        page_w_mm: 210.0,
        page_h_mm: 297.0,
        cols: 2,
        rows: 7,
        label_w_mm: 99.06,
        label_h_mm: 38.1,
        left_mm: 4.67,
        top_mm: 15.15,
        gap_x_mm: 2.54,
        gap_y_mm: 0.0,
    },
    Stock {
        id: "a4-40-48x25",
        name: "A4 40 格 48.5×25.4 mm（4×10，Avery Zweckform 3657）",
        page_w_mm: 210.0,
        page_h_mm: 297.0,
        cols: 4,
        rows: 10,
        label_w_mm: 48.5,
        label_h_mm: 25.4,
        left_mm: 8.0,
        top_mm: 21.43,
        gap_x_mm: 0.0,
        gap_y_mm: 0.0,
    },
    Stock {
        id: "avery-l7651",
        name: "A4 65 格 38.1×21.2 mm（5×13，Avery L7651，移动介质）",
        page_w_mm: 210.0,
        page_h_mm: 297.0,
        cols: 5,
        rows: 13,
        label_w_mm: 38.1,
        label_h_mm: 21.17,
        left_mm: 4.67,
        top_mm: 10.9,
        gap_x_mm: 2.54,
        gap_y_mm: 0.0,
    },
];

/// The stock with identifier `id`.
pub fn stock(id: &str) -> Option<&'static Stock> {
    STOCKS.iter().find(|s| s.id == id)
}

impl Stock {
    /// Labels on one sheet (at least 1).
    pub fn per_page(&self) -> usize {
        (self.cols.max(1) as usize).saturating_mul(self.rows.max(1) as usize)
    }

    /// Top-left corner of the `index`-th label of a sheet (row by row, left to right), in
    /// millimetres from the top-left of the sheet.
    pub fn origin(&self, index: usize) -> (f32, f32) {
        let cols = self.cols.max(1) as usize;
        let (col, row) = (
            (index % cols) as f32,
            ((index / cols) % self.rows.max(1) as usize) as f32,
        );
        (
            mm(self.left_mm) + col * (mm(self.label_w_mm) + mm(self.gap_x_mm)),
            mm(self.top_mm) + row * (mm(self.label_h_mm) + mm(self.gap_y_mm)),
        )
    }
}

/// A field longer than this many characters is cut before layout (it would be cut with "…" anyway).
const MAX_FIELD_CHARS: usize = 200;
/// The small lines are at most this large, in points (五号 is 10.5 pt).
const MAX_SMALL_PT: f32 = 10.0;
/// Small lines shrink to fit down to this size before they are cut.
const MIN_SMALL_PT: f32 = 5.0;
/// Small lines shrink together down to this fraction of their full size; a line that needs to be
/// smaller still shrinks alone.
const SHARED_FLOOR: f32 = 0.8;
/// The level word is this many times the size of the small lines.
const LEVEL_SCALE: f32 = 2.0;
/// Line pitch of the level line and of the small lines, in multiples of their size.
const LEVEL_PITCH: f32 = 1.2;
const SMALL_PITCH: f32 = 1.3;
/// The red of the state-secret levels.
const RED: [f32; 3] = [0.8, 0.0, 0.0];
const RED_SVG: &str = "#cc0000";
/// The fonts an SVG asks for, in order: what Linux, then Windows, offices have.
const SVG_FONTS: &str =
    "'Noto Sans CJK SC','WenQuanYi Zen Hei','SimHei','Microsoft YaHei',sans-serif";
/// Field names printed before the values.
const ASSET_PREFIX: &str = "编号：";
const CUSTODIAN_PREFIX: &str = "责任人：";
const DEPARTMENT_PREFIX: &str = "部门：";

/// One thing drawn on a label, in millimetres from the top-left of the sheet.
#[derive(Debug, Clone)]
enum Op {
    /// Text with its baseline at `y`.
    Text {
        x: f32,
        y: f32,
        size_pt: f32,
        text: String,
        red: bool,
        bold: bool,
    },
    /// A horizontal rule.
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width_pt: f32,
        red: bool,
    },
    /// A QR code whose square, quiet zone included, has its top-left corner at (`x`, `y`).
    Qr {
        x: f32,
        y: f32,
        size: f32,
        matrix: QrMatrix,
    },
}

/// A finite, non-negative length (anything else is 0).
fn mm(v: f32) -> f32 {
    if v.is_finite() { v.max(0.0) } else { 0.0 }
}

/// The box one label occupies: its corner and size, and the area its text may use.
#[derive(Debug, Clone, Copy)]
struct Area {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

/// `text` at `size_pt` shrunk until it is at most `max_mm` wide, but not below `min_pt`; if it still
/// does not fit, cut with "…" (or dropped entirely when not even "…" fits).
fn fit(text: &str, max_mm: f32, size_pt: f32, min_pt: f32) -> (String, f32) {
    let width = Pdf::text_width_mm(size_pt, text);
    if width <= max_mm {
        return (text.to_owned(), size_pt);
    }
    let min_pt = min_pt.min(size_pt);
    // A hair under the exact ratio, so that rounding cannot push it over.
    let shrunk = size_pt * (max_mm / width) * 0.999;
    if shrunk >= min_pt {
        return (text.to_owned(), shrunk);
    }
    let mut out = String::new();
    let mut last_fit = String::new();
    for c in text.chars() {
        out.push(c);
        if Pdf::text_width_mm(min_pt, &format!("{out}…")) > max_mm {
            break;
        }
        last_fit.clone_from(&out);
    }
    let cut = format!("{last_fit}…");
    if Pdf::text_width_mm(min_pt, &cut) <= max_mm {
        (cut, min_pt)
    } else {
        (String::new(), min_pt)
    }
}

/// Everything drawn on one label whose cut-out is `area`.
fn layout(label: &Label, area: Area) -> Vec<Op> {
    let field = |s: &str| clip_chars(s.trim(), MAX_FIELD_CHARS).to_owned();
    let (level, title, asset) = (
        field(&label.level_word),
        field(&label.title),
        field(&label.asset_no),
    );
    let (custodian, department) = (field(&label.custodian), field(&label.department));

    let mut ops = Vec::new();
    let pad = (area.w.min(area.h) * 0.06).clamp(1.0, 3.0);
    let inner_w = (area.w - 2.0 * pad).max(0.0);
    let inner_h = (area.h - 2.0 * pad).max(0.0);

    // The QR code takes a square on the right, as high as the label allows.
    let mut text_w = inner_w;
    // The code holds the whole asset number or is left out: a cut one would scan as another asset.
    if !asset.is_empty()
        && let Ok(matrix) = qr(label.asset_no.trim())
    {
        let size = inner_h.min(area.w * 0.4);
        if size > 0.0 {
            text_w = (inner_w - size).max(0.0);
            ops.push(Op::Qr {
                x: area.x + area.w - pad - size,
                y: area.y + (area.h - size) / 2.0,
                size,
                matrix,
            });
        }
    }

    let mut small: Vec<String> = Vec::new();
    if !title.is_empty() {
        small.push(title);
    }
    small.push(format!("{ASSET_PREFIX}{asset}"));
    small.push(format!("{CUSTODIAN_PREFIX}{custodian}"));
    small.push(format!("{DEPARTMENT_PREFIX}{department}"));

    // Sizes from the height: the level line and the small lines share it.
    let units = LEVEL_SCALE * LEVEL_PITCH + SMALL_PITCH * small.len() as f32;
    let small_mm = (inner_h / units).min(MAX_SMALL_PT / PT_PER_MM);
    let level_mm = LEVEL_SCALE * small_mm;
    let small_pt = small_mm * PT_PER_MM;
    let level_pt = level_mm * PT_PER_MM;
    if small_pt <= 0.0 || text_w <= 0.0 {
        return ops;
    }
    let block = units * small_mm;
    let x = area.x + pad;
    let mut top = area.y + pad + (inner_h - block).max(0.0) / 2.0;

    // The level: its line box is LEVEL_PITCH high, the glyphs centred in it.
    let (text, size) = fit(&level, text_w, level_pt, small_pt.min(level_pt));
    let leading = (LEVEL_PITCH - 1.0) / 2.0 * level_mm;
    if !text.is_empty() {
        ops.push(Op::Text {
            x,
            y: top + leading + ASCENT * level_mm,
            size_pt: size,
            text,
            red: label.red,
            bold: true,
        });
    }
    ops.push(Op::Rule {
        x1: x,
        x2: x + text_w,
        y: top + LEVEL_PITCH * level_mm - leading / 2.0,
        width_pt: 0.6,
        red: label.red,
    });
    top += LEVEL_PITCH * level_mm;

    let leading = (SMALL_PITCH - 1.0) / 2.0 * small_mm;
    // The small lines share one size, the largest at which they all fit whole, unless that is
    // below SHARED_FLOOR of the full size: then only the long lines shrink further (and a line that
    // must be cut anyway makes no other line smaller).
    let min_pt = MIN_SMALL_PT.min(small_pt);
    let common_pt = small
        .iter()
        .map(|line| fit(line, text_w, small_pt, min_pt))
        .zip(&small)
        .filter(|((text, _), line)| text == *line)
        .map(|((_, size), _)| size)
        .fold(small_pt, f32::min)
        .max(SHARED_FLOOR * small_pt);
    for line in small {
        let (text, size) = fit(&line, text_w, common_pt, min_pt);
        if !text.is_empty() {
            ops.push(Op::Text {
                x,
                // Smaller text sits on the same baseline as full-size text would.
                y: top + leading + ASCENT * small_mm,
                size_pt: size,
                text,
                red: false,
                bold: false,
            });
        }
        top += SMALL_PITCH * small_mm;
    }
    ops
}

/// The cut-out of the `i`-th label of a sheet.
fn area(stock: &Stock, i: usize) -> Area {
    let (x, y) = stock.origin(i);
    Area {
        x,
        y,
        w: mm(stock.label_w_mm),
        h: mm(stock.label_h_mm),
    }
}

/// One SVG document per sheet, `labels` filled in row by row (none for no labels). Each is sized in
/// millimetres (`width="210mm"`, a viewBox in millimetres) so that printing it at 100 % puts every
/// label on its cut-out; text is in the common Chinese fonts and clipped to its label.
pub fn labels_svg(stock: &Stock, labels: &[Label]) -> Vec<String> {
    let per_page = stock.per_page();
    let (pw, ph) = (fmt(mm(stock.page_w_mm)), fmt(mm(stock.page_h_mm)));
    labels
        .chunks(per_page)
        .map(|sheet| {
            let mut svg = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                 <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{pw}mm\" height=\"{ph}mm\" \
                 viewBox=\"0 0 {pw} {ph}\">\n<title>保密标签</title>\n\
                 <g font-family=\"{SVG_FONTS}\">\n"
            );
            for (i, label) in sheet.iter().enumerate() {
                let a = area(stock, i);
                let _ = write!(
                    svg,
                    "<clipPath id=\"label{i}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\
                     </clipPath>\n<g clip-path=\"url(#label{i})\">\n",
                    fmt(a.x),
                    fmt(a.y),
                    fmt(a.w),
                    fmt(a.h)
                );
                for op in layout(label, a) {
                    svg_op(&mut svg, &op);
                }
                svg.push_str("</g>\n");
            }
            svg.push_str("</g>\n</svg>\n");
            svg
        })
        .collect()
}

fn svg_op(svg: &mut String, op: &Op) {
    match op {
        Op::Text {
            x,
            y,
            size_pt,
            text,
            red,
            bold,
        } => {
            let width = Pdf::text_width_mm(*size_pt, text);
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" textLength=\"{}\" \
                 lengthAdjust=\"spacingAndGlyphs\" fill=\"{}\"{}>{}</text>",
                fmt(*x),
                fmt(*y),
                fmt(size_pt / PT_PER_MM),
                fmt(width),
                if *red { RED_SVG } else { "#000" },
                if *bold { " font-weight=\"bold\"" } else { "" },
                xml_escape(text)
            );
        }
        Op::Rule {
            x1,
            x2,
            y,
            width_pt,
            red,
        } => {
            let _ = writeln!(
                svg,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>",
                fmt(*x1),
                fmt(*y),
                fmt(*x2),
                fmt(*y),
                if *red { RED_SVG } else { "#000" },
                fmt(width_pt / PT_PER_MM)
            );
        }
        Op::Qr { x, y, size, matrix } => {
            let module = size / matrix.width_with_quiet_zone() as f32;
            let _ = writeln!(
                svg,
                "<path fill=\"#000\" shape-rendering=\"crispEdges\" d=\"{}\"/>",
                matrix.svg_path_data(*x, *y, module)
            );
        }
    }
}

/// All sheets in one PDF, `labels` filled in row by row, every label at its cut-out's exact
/// position (print at 100 %, not "fit to page"). No labels give one blank sheet.
pub fn labels_pdf(stock: &Stock, labels: &[Label]) -> Vec<u8> {
    let mut pdf = Pdf::new(mm(stock.page_w_mm), mm(stock.page_h_mm));
    pdf.set_title("保密标签");
    let mut red = false;
    for (n, sheet) in labels.chunks(stock.per_page()).enumerate() {
        if n > 0 {
            pdf.new_page();
        }
        for (i, label) in sheet.iter().enumerate() {
            for op in layout(label, area(stock, i)) {
                pdf_op(&mut pdf, &op, &mut red);
            }
        }
    }
    pdf.finish()
}

fn pdf_op(pdf: &mut Pdf, op: &Op, current_red: &mut bool) {
    let mut color = |pdf: &mut Pdf, red: bool| {
        if red != *current_red {
            let [r, g, b] = if red { RED } else { [0.0; 3] };
            pdf.set_fill_rgb(r, g, b);
            pdf.set_stroke_rgb(r, g, b);
            *current_red = red;
        }
    };
    match op {
        Op::Text {
            x,
            y,
            size_pt,
            text,
            red,
            bold,
        } => {
            color(pdf, *red);
            if *bold {
                pdf.text_bold(*x, *y, *size_pt, text);
            } else {
                pdf.text(*x, *y, *size_pt, text);
            }
        }
        Op::Rule {
            x1,
            x2,
            y,
            width_pt,
            red,
        } => {
            color(pdf, *red);
            pdf.line(*x1, *y, *x2, *y, *width_pt);
        }
        Op::Qr { x, y, size, matrix } => {
            color(pdf, false);
            matrix.draw_pdf(pdf, *x, *y, *size);
        }
    }
}

#[cfg(test)]
mod tests;
