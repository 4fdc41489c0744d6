use super::*;
use crate::pdf::DESCENT;
use crate::test_util::{extract, have, pdf_page_text, qpdf_check, temp_dir};

fn label(i: usize) -> Label {
    let (level_word, red) = match i % 4 {
        0 => ("机密", true),
        1 => ("秘密", true),
        2 => ("内部", false),
        _ => ("绝密", true),
    };
    Label {
        level_word: level_word.to_owned(),
        title: if i.is_multiple_of(2) {
            "涉密计算机".to_owned()
        } else {
            String::new()
        },
        asset_no: if i.is_multiple_of(3) {
            format!("保密-机-{i:04}")
        } else {
            format!("BM-2026-{i:04}")
        },
        custodian: "张三".to_owned(),
        department: "保密办公室".to_owned(),
        red,
    }
}

fn thirty() -> Vec<Label> {
    (0..30).map(label).collect()
}

fn decode_matrix(m: &QrMatrix) -> String {
    let px = 4;
    let q = crate::qr::QUIET_ZONE;
    let n = m.width_with_quiet_zone() * px;
    let mut img = rqrr::PreparedImage::prepare_from_bitmap(n, n, |x, y| {
        let (mx, my) = (x / px, y / px);
        mx >= q && my >= q && m.dark(mx - q, my - q)
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    grids[0].decode().unwrap().1
}

/// Asserts that everything drawn for `label` on `area` stays on the label, and that no text runs
/// into the QR code. Returns the ops.
fn check_inside(label: &Label, a: Area) -> Vec<Op> {
    let ops = layout(label, a);
    let eps = 1e-3;
    let qr_left = ops
        .iter()
        .find_map(|op| match op {
            Op::Qr { x, .. } => Some(*x),
            _ => None,
        })
        .unwrap_or(a.x + a.w);
    for op in &ops {
        match op {
            Op::Text {
                x,
                y,
                size_pt,
                text,
                ..
            } => {
                let size_mm = size_pt / PT_PER_MM;
                let w = Pdf::text_width_mm(*size_pt, text);
                assert!(*x >= a.x, "{text:?} starts left of its label");
                assert!(
                    x + w <= qr_left + eps && x + w <= a.x + a.w + eps,
                    "{text:?} is {w} mm wide from {x}, past {qr_left} / {}",
                    a.x + a.w
                );
                assert!(
                    y - ASCENT * size_mm >= a.y - eps,
                    "{text:?} above its label"
                );
                assert!(
                    y + DESCENT * size_mm <= a.y + a.h + eps,
                    "{text:?} below its label"
                );
            }
            Op::Rule { x1, x2, y, .. } => {
                assert!(*x1 >= a.x && *x2 <= qr_left + eps && *y >= a.y && *y <= a.y + a.h);
            }
            Op::Qr { x, y, size, .. } => {
                assert!(*x >= a.x && x + size <= a.x + a.w + eps, "QR across");
                assert!(*y >= a.y && y + size <= a.y + a.h + eps, "QR down");
            }
        }
    }
    ops
}

#[test]
fn thirty_labels_on_the_24_up_stock_make_two_sheets() {
    let stock = stock("a4-24-70x37").unwrap();
    let labels = thirty();
    let svgs = labels_svg(stock, &labels);
    assert_eq!(svgs.len(), 2);
    assert_eq!(svgs[0].matches("<clipPath").count(), 24);
    assert_eq!(svgs[1].matches("<clipPath").count(), 6);
    for svg in &svgs {
        assert!(svg.contains("width=\"210mm\" height=\"297mm\" viewBox=\"0 0 210 297\""));
        assert!(svg.contains(SVG_FONTS));
        well_formed(svg);
    }
    let pdf = labels_pdf(stock, &labels);
    assert!(String::from_utf8_lossy(&pdf).contains("/Count 2"));
    crate::pdf::tests::check_xref(&pdf);
    qpdf_check(&pdf);
}

#[test]
fn every_asset_number_reads_back_from_the_pdf_and_every_qr_decodes() {
    let stock = stock("a4-24-70x37").unwrap();
    let labels = thirty();
    let segments = extract("labels.pdf", &labels_pdf(stock, &labels));
    let text = format!(
        "{}\n{}",
        pdf_page_text(&segments, 1),
        pdf_page_text(&segments, 2)
    );
    for (i, l) in labels.iter().enumerate() {
        assert!(text.contains(&l.asset_no), "{} missing", l.asset_no);
        let page = if i < 24 { 1 } else { 2 };
        assert!(pdf_page_text(&segments, page).contains(&l.asset_no));
    }
    assert!(text.contains("涉密计算机") && text.contains("责任人：张三"));
    for (i, l) in labels.iter().enumerate() {
        let ops = layout(l, area(stock, i % 24));
        let m = ops
            .iter()
            .find_map(|op| match op {
                Op::Qr { matrix, .. } => Some(matrix),
                _ => None,
            })
            .expect("a QR code");
        assert_eq!(decode_matrix(m), l.asset_no);
    }
}

#[test]
fn the_printed_qr_codes_scan_from_the_rendered_page() {
    if !have("pdftoppm") {
        eprintln!("note: pdftoppm is not installed (apt-get install poppler-utils); skipped");
        return;
    }
    for stock in STOCKS {
        let labels: Vec<Label> = (0..stock.per_page()).map(label).collect();
        let dir = temp_dir("raster");
        let path = dir.join("labels.pdf");
        std::fs::write(&path, labels_pdf(stock, &labels)).unwrap();
        let out = std::process::Command::new("pdftoppm")
            .args(["-r", "300", "-gray", "-f", "1", "-l", "1"])
            .arg(&path)
            .arg(dir.join("page"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pgm = std::fs::read(dir.join("page-1.pgm")).unwrap();
        let (w, h, pixels) = parse_pgm(&pgm);
        assert!(
            w.abs_diff(2480) <= 1 && h.abs_diff(3508) <= 1,
            "A4 at 300 dpi: {w}×{h}"
        );
        // Each code is looked for where the layout put it, 2 mm around it, so a code that printed
        // anywhere else is not found. The page is black on white: a fixed threshold binarises it
        // (rqrr's adaptive one needs a larger image than one code).
        let px = |mm: f32| (mm * 300.0 / 25.4).round() as usize;
        for (i, l) in labels.iter().enumerate() {
            let (x, y, size) = layout(l, area(stock, i))
                .iter()
                .find_map(|op| match op {
                    Op::Qr { x, y, size, .. } => Some((*x, *y, *size)),
                    _ => None,
                })
                .unwrap();
            let (x0, y0) = (px((x - 2.0).max(0.0)), px((y - 2.0).max(0.0)));
            let n = px(size + 4.0);
            let mut img = rqrr::PreparedImage::prepare_from_bitmap(n, n, |cx, cy| {
                pixels[(y0 + cy).min(h - 1) * w + (x0 + cx).min(w - 1)] < 128
            });
            let found: Vec<String> = img
                .detect_grids()
                .iter()
                .filter_map(|g| g.decode().ok().map(|(_, s)| s))
                .collect();
            assert_eq!(found, vec![l.asset_no.clone()], "{} label {i}", stock.id);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn parse_pgm(data: &[u8]) -> (usize, usize, &[u8]) {
    // "P5\n<w> <h>\n255\n" then one byte per pixel.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(std::str::from_utf8(&data[start..i]).unwrap().to_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, &data[i + 1..i + 1 + w * h])
}

fn well_formed(svg: &str) {
    let mut reader = quick_xml::Reader::from_str(svg);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed: {e}\n{svg}"),
        }
    }
}

/// The character data of every `<text>` in `svg`, unescaped.
fn svg_texts(svg: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut texts = Vec::new();
    let mut inside = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.name().as_ref() == "text" => {
                inside = true;
                texts.push(String::new());
            }
            Event::End(e) if e.name().as_ref() == "text" => inside = false,
            Event::Text(t) if inside => {
                let s = t.xml10_content();
                texts.last_mut().unwrap().push_str(&s);
            }
            Event::GeneralRef(r) if inside => {
                let c = match &*r {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("entity {other}"),
                };
                texts.last_mut().unwrap().push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    texts
}

#[test]
fn markup_in_a_field_is_escaped() {
    let mut l = label(0);
    l.custodian = "<script>&\"".to_owned();
    l.department = "'>&amp;".to_owned();
    let svg = &labels_svg(&STOCKS[1], &[l.clone()])[0];
    well_formed(svg);
    assert!(!svg.contains("<script>"));
    assert!(svg.contains("责任人：&lt;script&gt;&amp;&quot;"), "{svg}");
    let texts = svg_texts(svg);
    assert!(
        texts.contains(&"责任人：<script>&\"".to_owned()),
        "{texts:?}"
    );
    assert!(texts.contains(&"部门：'>&amp;".to_owned()), "{texts:?}");
    // And the PDF prints it as it is.
    let segments = extract("l.pdf", &labels_pdf(&STOCKS[1], &[l]));
    assert!(pdf_page_text(&segments, 1).contains("责任人：<script>&\""));
}

#[test]
fn a_very_long_department_stays_inside_its_label() {
    let long =
        "国家保密局驻某某省某某市某某区某某街道办事处保密技术检查科第一分队第二小组".repeat(3);
    for stock in STOCKS {
        for i in 0..stock.per_page().min(12) {
            let mut l = label(i);
            l.department = long.clone();
            l.custodian = "Alexander Maximilian Wolfeschlegelsteinhausenbergerdorff".to_owned();
            l.level_word = "机密★10年 长期 CONFIDENTIAL".to_owned();
            let ops = check_inside(&l, area(stock, i));
            let dept = ops
                .iter()
                .find_map(|op| match op {
                    Op::Text { text, .. } if text.starts_with(DEPARTMENT_PREFIX) => Some(text),
                    _ => None,
                })
                .expect("department line");
            assert!(dept.ends_with('…'), "{dept}");
        }
        // Ordinary labels fit without being cut.
        for i in 0..stock.per_page() {
            let ops = check_inside(&label(i), area(stock, i));
            for op in &ops {
                if let Op::Text { text, .. } = op {
                    assert!(!text.ends_with('…'), "{}: {text}", stock.id);
                }
            }
        }
    }
}

#[test]
fn short_text_is_not_shrunk_and_long_text_shrinks_before_it_is_cut() {
    let (text, size) = fit("保密办", 50.0, 10.0, 5.0);
    assert_eq!((text.as_str(), size), ("保密办", 10.0));
    // 10 characters at 10 pt are 35.3 mm; in 30 mm they shrink to about 8.5 pt.
    let (text, size) = fit("保密办公室技术检查", 30.0, 10.0, 5.0);
    assert_eq!(text, "保密办公室技术检查");
    assert!(size < 10.0 && size > 8.0, "{size}");
    assert!(Pdf::text_width_mm(size, &text) <= 30.0);
    // Too long even at 5 pt: cut with "…".
    let (text, size) = fit(&"保".repeat(50), 30.0, 10.0, 5.0);
    assert_eq!(size, 5.0);
    assert!(text.ends_with('…'));
    assert!(Pdf::text_width_mm(size, &text) <= 30.0);
    // Not even "…" fits: nothing.
    assert_eq!(fit("保密", 0.5, 10.0, 5.0).0, "");
}

#[test]
fn stock_positions_match_their_sources() {
    let l7163 = stock("avery-l7163").unwrap();
    assert_eq!(l7163.per_page(), 14);
    let (x, y) = l7163.origin(13);
    assert!((x - (4.67 + 99.06 + 2.54)).abs() < 1e-3);
    assert!((y - (15.15 + 6.0 * 38.1)).abs() < 1e-3);
    for s in STOCKS {
        // Every cut-out is on the sheet.
        let (x, y) = s.origin(s.per_page() - 1);
        assert!(x + s.label_w_mm <= s.page_w_mm + 0.01, "{}", s.id);
        assert!(y + s.label_h_mm <= s.page_h_mm + 0.01, "{}", s.id);
        assert!(s.left_mm >= 0.0 && s.top_mm >= 0.0);
    }
    assert!(stock("nonesuch").is_none());
}

#[test]
fn every_function_is_total() {
    // No labels: no SVG sheets, one blank PDF sheet.
    for s in STOCKS {
        assert!(labels_svg(s, &[]).is_empty());
        let pdf = labels_pdf(s, &[]);
        assert!(String::from_utf8_lossy(&pdf).contains("/Count 1"));
    }
    // Empty fields: no QR code, nothing panics.
    let empty = Label::default();
    let svg = &labels_svg(&STOCKS[0], std::slice::from_ref(&empty))[0];
    well_formed(svg);
    assert!(!svg.contains("<path"));
    labels_pdf(&STOCKS[0], &[empty]);
    // Huge fields are cut before layout; the QR code of a too-long asset number is left out.
    let huge = Label {
        level_word: "密".repeat(1_000_000),
        title: "x".repeat(1_000_000),
        asset_no: "保".repeat(1_000_000),
        custodian: "\u{0}".repeat(1000),
        department: "😀".repeat(1000),
        red: true,
    };
    check_inside(&huge, area(&STOCKS[2], 0));
    labels_pdf(&STOCKS[2], std::slice::from_ref(&huge));
    // A nonsense stock.
    let odd = Stock {
        id: "odd",
        name: "odd",
        page_w_mm: f32::NAN,
        page_h_mm: -1.0,
        cols: 0,
        rows: 0,
        label_w_mm: f32::INFINITY,
        label_h_mm: 0.0,
        left_mm: -5.0,
        top_mm: f32::NAN,
        gap_x_mm: 1e30,
        gap_y_mm: 0.0,
    };
    assert_eq!(odd.per_page(), 1);
    let svgs = labels_svg(&odd, &[label(0), huge]);
    assert_eq!(svgs.len(), 2);
    for svg in &svgs {
        well_formed(svg);
    }
    crate::pdf::tests::check_xref(&labels_pdf(&odd, &[label(0)]));
}
