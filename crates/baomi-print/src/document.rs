//! The same notice blocks as [`crate::docx`], laid out as a PDF for circulation as is: A4 with the
//! GB/T 9704 margins (37 mm top, 28 mm left, a 156 × 225 mm text area), the title centred in 22 pt,
//! headings in 16 pt bold, body text in 16 pt with a two-character indent on a 28 pt line (22 lines a
//! page, as official documents have), tables in 10.5 pt with wrapped cells and the header repeated on
//! each page, and the page number centred at the foot (`— 1 —`).

use crate::docx::Block;
use crate::pdf::{PT_PER_MM, Pdf};

const LEFT: f32 = 28.0;
const TOP: f32 = 37.0;
const WIDTH: f32 = 156.0;
const HEIGHT: f32 = 225.0;
const BODY_PT: f32 = 16.0;
const TITLE_PT: f32 = 22.0;
const TABLE_PT: f32 = 10.5;
/// 28 pt: 22 lines in 225 mm.
const LINE: f32 = 28.0 / PT_PER_MM;
/// Cell padding.
const PAD: f32 = 1.5;
/// Rows of a table cell kept (a cell is not a document).
const MAX_CELL_LINES: usize = 12;

struct Layout {
    pdf: Pdf,
    /// Baseline of the next line, from the top of the page.
    y: f32,
    page: usize,
}

impl Layout {
    fn new(title: Option<&str>) -> Layout {
        let mut pdf = Pdf::a4();
        if let Some(t) = title {
            pdf.set_title(t);
        }
        let mut l = Layout {
            pdf,
            y: TOP,
            page: 1,
        };
        l.footer();
        l
    }

    fn footer(&mut self) {
        let text = format!("— {} —", self.page);
        let w = Pdf::text_width_mm(14.0, &text);
        self.pdf
            .text(LEFT + (WIDTH - w) / 2.0, TOP + HEIGHT + 14.0, 14.0, &text);
    }

    /// Make room for `height` mm below the current line, on a new page if this one is full.
    fn room(&mut self, height: f32) -> bool {
        if self.y + height > TOP + HEIGHT && self.y > TOP + 0.1 {
            self.pdf.new_page();
            self.page += 1;
            self.y = TOP;
            self.footer();
            return true;
        }
        false
    }

    fn line(&mut self, x: f32, size: f32, text: &str, bold: bool) {
        self.room(LINE);
        let baseline = self.y + LINE * 0.75;
        if bold {
            self.pdf.text_bold(x, baseline, size, text);
        } else {
            self.pdf.text(x, baseline, size, text);
        }
        self.y += LINE;
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let columns = header
            .len()
            .max(rows.iter().map(Vec::len).max().unwrap_or(0))
            .clamp(1, 12);
        // What each column needs to hold its widest cell on one line.
        let mut want = vec![0.0f32; columns];
        for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
            for (i, cell) in row.iter().take(columns).enumerate() {
                want[i] =
                    want[i].max(Pdf::text_width_mm(TABLE_PT, cell).min(WIDTH) + 2.0 * PAD + 0.5);
            }
        }
        let widths = share_width(&want, WIDTH);
        let line_h = TABLE_PT * 1.5 / PT_PER_MM;
        let lay = |row: &[String]| -> Vec<Vec<String>> {
            (0..columns)
                .map(|i| {
                    let text = row.get(i).map_or("", String::as_str);
                    let mut lines = Pdf::wrap(TABLE_PT, widths[i] - 2.0 * PAD, text);
                    lines.truncate(MAX_CELL_LINES);
                    lines
                })
                .collect()
        };
        let head = lay(header);
        let draw = |l: &mut Layout, cells: &[Vec<String>], bold: bool| {
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = lines as f32 * line_h + 2.0 * PAD;
            let mut x = LEFT;
            for (i, cell) in cells.iter().enumerate() {
                l.pdf.rect(x, l.y, widths[i], h, false, true);
                for (k, text) in cell.iter().enumerate() {
                    let baseline = l.y + PAD + line_h * (k as f32 + 0.75);
                    if bold {
                        l.pdf.text_bold(x + PAD, baseline, TABLE_PT, text);
                    } else {
                        l.pdf.text(x + PAD, baseline, TABLE_PT, text);
                    }
                }
                x += widths[i];
            }
            l.y += h;
        };
        let height_of = |cells: &[Vec<String>]| {
            cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * line_h + 2.0 * PAD
        };
        self.room(height_of(&head) + line_h * 2.0);
        draw(self, &head, true);
        for row in rows {
            let cells = lay(row);
            if self.room(height_of(&cells)) {
                draw(self, &head, true);
            }
            draw(self, &cells, false);
        }
        self.y += LINE / 2.0;
    }
}

impl Layout {
    /// Horizontal bars, a label column on the left and the value after each bar.
    fn bars(&mut self, items: &[(String, f64, bool)], max: f64) {
        let size = TABLE_PT;
        let row = size * 1.6 / PT_PER_MM;
        let label_w = items
            .iter()
            .map(|(l, ..)| Pdf::text_width_mm(size, l))
            .fold(0.0f32, f32::max)
            .min(WIDTH * 0.35)
            + 2.0;
        let bar_w = WIDTH - label_w - 16.0;
        for (label, value, red) in items {
            self.room(row);
            let share = if max > 0.0 && value.is_finite() {
                (*value / max).clamp(0.0, 1.0) as f32
            } else {
                0.0
            };
            let baseline = self.y + row * 0.72;
            let text = Pdf::wrap(size, label_w - 2.0, label)
                .into_iter()
                .next()
                .unwrap_or_default();
            self.pdf.set_fill_gray(0.0);
            self.pdf.text(LEFT, baseline, size, &text);
            if *red {
                self.pdf.set_fill_rgb(0.7, 0.13, 0.13);
            } else {
                self.pdf.set_fill_rgb(0.23, 0.43, 0.65);
            }
            let w = bar_w * share;
            if w > 0.0 {
                self.pdf.rect(
                    LEFT + label_w,
                    self.y + row * 0.15,
                    w,
                    row * 0.7,
                    true,
                    false,
                );
            }
            self.pdf.set_fill_gray(0.0);
            self.pdf.text(
                LEFT + label_w + w + 1.5,
                baseline,
                size,
                &crate::docx::bar_value(*value),
            );
            self.y += row;
        }
        self.y += LINE / 2.0;
    }
}

/// Column widths: a column whose content fits in its fair share gets just what it needs; what is left
/// goes to the wider ones in proportion to what they would need; leftover width is spread evenly.
fn share_width(want: &[f32], total: f32) -> Vec<f32> {
    let n = want.len();
    let mut widths = vec![0.0f32; n];
    let mut fixed = vec![false; n];
    let mut remaining = total;
    loop {
        let open: Vec<usize> = (0..n).filter(|&i| !fixed[i]).collect();
        if open.is_empty() {
            let extra = remaining.max(0.0) / n.max(1) as f32;
            for w in &mut widths {
                *w += extra;
            }
            return widths;
        }
        let share = remaining / open.len() as f32;
        let small: Vec<usize> = open.iter().copied().filter(|&i| want[i] <= share).collect();
        if small.is_empty() {
            let sum: f32 = open.iter().map(|&i| want[i]).sum::<f32>().max(f32::EPSILON);
            for &i in &open {
                widths[i] = remaining * want[i] / sum;
            }
            return widths;
        }
        for i in small {
            widths[i] = want[i];
            fixed[i] = true;
            remaining -= want[i];
        }
    }
}

/// The notice as a PDF (see the module's description of the layout).
pub fn blocks_pdf(blocks: &[Block]) -> Vec<u8> {
    let title = blocks.iter().find_map(|b| match b {
        Block::Title(t) => Some(t.as_str()),
        _ => None,
    });
    let mut l = Layout::new(title);
    let indent = Pdf::text_width_mm(BODY_PT, "　　");
    for b in blocks {
        match b {
            Block::Title(t) => {
                for line in Pdf::wrap(TITLE_PT, WIDTH, t) {
                    let w = Pdf::text_width_mm(TITLE_PT, &line);
                    l.line(LEFT + (WIDTH - w) / 2.0, TITLE_PT, &line, true);
                }
                l.y += LINE / 2.0;
            }
            Block::Heading(t) => {
                for line in Pdf::wrap(BODY_PT, WIDTH, t) {
                    l.line(LEFT, BODY_PT, &line, true);
                }
            }
            Block::Paragraph(t) => {
                // The first line is indented two characters: wrap it against the narrower width.
                let mut first = true;
                for part in t.split('\n') {
                    let lines = Pdf::wrap(BODY_PT, WIDTH - indent, part);
                    let rest: String = lines.iter().skip(1).map(String::as_str).collect();
                    if let Some(head) = lines.first() {
                        l.line(
                            LEFT + if first { indent } else { 0.0 },
                            BODY_PT,
                            head,
                            false,
                        );
                    }
                    for line in Pdf::wrap(BODY_PT, WIDTH, &rest)
                        .iter()
                        .filter(|s| !s.is_empty())
                    {
                        l.line(LEFT, BODY_PT, line, false);
                    }
                    first = false;
                }
            }
            Block::Right(t) => {
                // Four characters from the right margin, as GB/T 9704 places the signature.
                let margin = Pdf::text_width_mm(BODY_PT, "　　　　");
                for line in Pdf::wrap(BODY_PT, WIDTH - margin, t) {
                    let w = Pdf::text_width_mm(BODY_PT, &line);
                    l.line(LEFT + WIDTH - margin - w, BODY_PT, &line, false);
                }
            }
            Block::Table { header, rows } => l.table(header, rows),
            Block::Bars { title, items, max } => {
                for line in Pdf::wrap(BODY_PT, WIDTH, title) {
                    l.line(LEFT, BODY_PT, &line, true);
                }
                l.bars(items, *max);
            }
        }
    }
    l.pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::extract;

    #[test]
    fn a_notice_reads_back_page_by_page() {
        let mut blocks = vec![
            Block::Title("关于2026年第四季度保密检查情况的通报".into()),
            Block::Paragraph(
                "2026年第四季度，保密办对12个部门的340台在用计算机开展保密检查。".repeat(3),
            ),
            Block::Heading("一、考核排名".into()),
        ];
        let rows: Vec<Vec<String>> = (1..=60)
            .map(|i| {
                vec![
                    i.to_string(),
                    format!("第{i}检察部"),
                    "98.0".into(),
                    String::new(),
                    "浏览器历史记录显示曾访问互联网（3）；配置了互联网 DNS 服务器（1）".into(),
                ]
            })
            .collect();
        blocks.push(Block::Table {
            header: ["名次", "部门", "得分", "一票否决", "主要问题"]
                .map(String::from)
                .to_vec(),
            rows,
        });
        blocks.push(Block::Bars {
            title: "各部门得分".into(),
            items: vec![
                ("第一检察部".into(), 98.0, false),
                ("第二检察部".into(), 34.5, true),
            ],
            max: 100.0,
        });
        blocks.push(Block::Right("保密办".into()));
        let pdf = blocks_pdf(&blocks);
        assert!(pdf.starts_with(b"%PDF-1."));
        let text: String = extract("notice.pdf", &pdf)
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        for want in [
            "关于2026年第四季度保密检查情况的通报",
            "一、考核排名",
            "第60检察部",
            "保密办",
            "— 2 —",
        ] {
            assert!(text.contains(want), "{want} in {text}");
        }
        // The header repeats on the next page.
        assert!(text.matches("一票否决").count() >= 2, "{text}");
        assert!(blocks_pdf(&[]).starts_with(b"%PDF-1."));
    }
}
