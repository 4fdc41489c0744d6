use super::*;
use crate::test_util::{extract, pdf_page_text, pdftotext, qpdf_check};

/// Parses the cross-reference table back and checks that every in-use entry points at `N 0 obj`,
/// that `startxref` points at the table, and that the trailer's `/Size` matches. Returns the number
/// of objects.
pub(crate) fn check_xref(pdf: &[u8]) -> usize {
    assert!(pdf.starts_with(b"%PDF-1."), "header");
    assert!(pdf.ends_with(b"%%EOF\n"), "end marker");
    let text = String::from_utf8_lossy(pdf);
    let sx = text.rfind("startxref\n").expect("startxref");
    let xref: usize = text[sx + 10..]
        .lines()
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        &pdf[xref..xref + 5],
        b"xref\n",
        "startxref points at the table"
    );
    let table = std::str::from_utf8(&pdf[xref..]).unwrap();
    let mut lines = table.lines().skip(1);
    let header: Vec<usize> = lines
        .next()
        .unwrap()
        .split(' ')
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(header[0], 0);
    let size = header[1];
    // Each entry is exactly 20 bytes: 10 digits, space, 5 digits, space, n/f, space, LF.
    let entries = &pdf[xref + 5 + format!("0 {size}\n").len()..];
    for i in 0..size {
        let e = &entries[i * 20..i * 20 + 20];
        assert_eq!(e.len(), 20);
        assert_eq!(&e[18..], b" \n", "entry {i} ends with space LF");
        let line = std::str::from_utf8(e).unwrap();
        let offset: usize = line[..10].parse().unwrap();
        if i == 0 {
            assert_eq!(line, "0000000000 65535 f \n");
            continue;
        }
        assert_eq!(&line[10..17], " 00000 ", "generation 0");
        assert_eq!(&line[17..18], "n");
        let want = format!("{i} 0 obj");
        assert_eq!(
            &pdf[offset..offset + want.len()],
            want.as_bytes(),
            "object {i} at {offset}"
        );
    }
    assert!(table.contains(&format!(
        "trailer\n<< /Size {size} /Root 1 0 R /Info 7 0 R >>"
    )));
    size
}

fn sample() -> Vec<u8> {
    let mut pdf = Pdf::a4();
    pdf.set_title("保密检查报告");
    pdf.text(20.0, 30.0, 16.0, "机密★10年");
    pdf.text(20.0, 45.0, 12.0, "保密办 Confidentiality office 2026年11月");
    pdf.set_stroke_rgb(0.8, 0.0, 0.0);
    pdf.line(20.0, 50.0, 190.0, 50.0, 0.75);
    pdf.set_fill_gray(0.5);
    pdf.rect(20.0, 60.0, 30.0, 10.0, true, true);
    pdf.new_page();
    pdf.text(20.0, 30.0, 12.0, "第二页 page two");
    pdf.finish()
}

#[test]
fn output_starts_with_a_header_and_its_xref_points_at_every_object() {
    let bytes = sample();
    // 7 fixed objects, 2 per page, and the free entry 0.
    assert_eq!(check_xref(&bytes), 1 + 7 + 2 * 2);
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("/Producer (Baomi) /CreationDate (D:"));
    assert!(text.contains("/BaseFont /STSong-Light /Encoding /UniGB-UCS2-H"));
    assert!(text.contains("/Registry (Adobe) /Ordering (GB1) /Supplement 2"));
    assert!(text.contains("/DW 1000 /W [1 [207 270 342 467 462 797 710 239 374 374 "));
    assert!(text.contains(" 407 370 258 370 605]] >>"));
    assert!(text.contains("/Count 2"));
    assert!(!text.contains("FontFile"), "no font is embedded");
}

#[test]
fn chinese_and_english_lines_read_back_with_baomi_extract() {
    let segments = extract("sample.pdf", &sample());
    let page1 = pdf_page_text(&segments, 1);
    assert!(page1.contains("机密★10年"), "{page1:?}");
    assert!(
        page1.contains("保密办 Confidentiality office 2026年11月"),
        "{page1:?}"
    );
    let page2 = pdf_page_text(&segments, 2);
    assert!(page2.contains("第二页 page two"), "{page2:?}");
    assert!(
        segments.iter().any(|s| s.text.contains("保密检查报告")),
        "title in the metadata: {segments:?}"
    );
}

#[test]
fn the_predefined_cmap_alone_is_enough_for_baomi_extract() {
    // Without the ToUnicode map, extraction has to go through UniGB-UCS2-H itself.
    let bytes = sample();
    let needle = format!("/ToUnicode {TO_UNICODE} 0 R");
    let pos = bytes
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .unwrap();
    let mut stripped = bytes.clone();
    for b in &mut stripped[pos..pos + needle.len()] {
        *b = b' ';
    }
    let page1 = pdf_page_text(&extract("sample.pdf", &stripped), 1);
    assert!(page1.contains("机密★10年"), "{page1:?}");
    assert!(
        page1.contains("保密办 Confidentiality office 2026年11月"),
        "{page1:?}"
    );
}

#[test]
fn pdftotext_reads_the_chinese_and_english_lines() {
    let Some(text) = pdftotext(&sample()) else {
        return;
    };
    assert!(text.contains("机密★10年"), "{text:?}");
    assert!(
        text.contains("保密办 Confidentiality office 2026年11月"),
        "{text:?}"
    );
    assert!(text.contains("第二页 page two"), "{text:?}");
}

#[test]
fn qpdf_finds_nothing_wrong() {
    qpdf_check(&sample());
    qpdf_check(&Pdf::a4().finish());
}

#[test]
fn the_same_document_with_a_fixed_time_is_the_same_bytes() {
    let make = || {
        let mut pdf = Pdf::a4();
        pdf.set_creation_time(jiff::Timestamp::from_second(1_793_433_600).unwrap());
        pdf.text(10.0, 10.0, 10.0, "同一份");
        pdf.finish()
    };
    let a = make();
    assert_eq!(a, make());
    assert!(String::from_utf8_lossy(&a).contains("/CreationDate (D:20261031080000Z)"));
}

#[test]
fn widths_are_a_full_em_for_chinese_and_proportional_for_ascii() {
    // 10 pt: "中" is 10 pt, "A" 6.84 pt; 16.84 pt is 5.9408 mm.
    let w = Pdf::text_width_mm(10.0, "中A");
    assert!((w - 16.84 / PT_PER_MM).abs() < 1e-4, "{w}");
    // The declared widths and the measured ones are the same table.
    assert_eq!(LATIN_WIDTHS.len(), 95);
    assert_eq!(advance(' '), 207);
    assert_eq!(advance('0'), 462);
    assert_eq!(advance('M'), 896);
    assert_eq!(advance('~'), 605);
    assert_eq!(advance('\u{A5}'), 1000, "¥ maps outside CIDs 1..95");
    assert_eq!(Pdf::text_width_mm(10.0, ""), 0.0);
    assert_eq!(Pdf::text_width_mm(f32::NAN, "中"), 0.0);
    assert_eq!(Pdf::text_width_mm(-3.0, "中"), 0.0);
    // Control characters print nothing; a tab prints as a space; U+1F600 as "?".
    assert_eq!(
        Pdf::text_width_mm(10.0, "a\u{7}b"),
        Pdf::text_width_mm(10.0, "ab")
    );
    assert_eq!(
        Pdf::text_width_mm(10.0, "a\tb"),
        Pdf::text_width_mm(10.0, "a b")
    );
    assert_eq!(
        Pdf::text_width_mm(10.0, "😀"),
        Pdf::text_width_mm(10.0, "?")
    );
}

#[test]
fn characters_outside_the_bmp_print_as_question_marks() {
    let mut pdf = Pdf::a4();
    pdf.text(10.0, 10.0, 10.0, "a😀中\u{0}");
    let bytes = pdf.finish();
    let page = pdf_page_text(&extract("x.pdf", &bytes), 1);
    assert!(page.contains("a?中"), "{page:?}");
}

fn wrap_fits(size: f32, width: f32, text: &str) -> Vec<String> {
    let lines = Pdf::wrap(size, width, text);
    for line in &lines {
        let w = Pdf::text_width_mm(size, line);
        assert!(
            w <= width + 1e-3 || line.chars().count() == 1,
            "{line:?} is {w} mm, wider than {width}"
        );
        assert_eq!(line.trim(), line, "no space at either end of {line:?}");
    }
    lines
}

#[test]
fn chinese_breaks_between_characters_and_latin_at_spaces() {
    // 10 pt = 3.5278 mm per Chinese character; 5 characters fit in 18 mm.
    assert_eq!(
        wrap_fits(10.0, 18.0, "保密检查工作通报内容"),
        vec!["保密检查工", "作通报内容"]
    );
    assert_eq!(
        wrap_fits(10.0, 18.0, "the quick brown fox"),
        vec!["the quick", "brown fox"]
    );
    assert_eq!(
        wrap_fits(10.0, 30.0, "保密办 Confidentiality office"),
        vec!["保密办", "Confidentiality office"]
    );
}

#[test]
fn punctuation_stays_on_the_right_side_of_a_break() {
    // "，" would start the second line: it goes with "工" instead, which moves down with it.
    let lines = wrap_fits(10.0, 18.0, "保密检查工，作通报");
    assert_eq!(lines, vec!["保密检查", "工，作通报"]);
    // "《" would end the first line: it moves down with "保"; "》" stays with "查".
    let lines = wrap_fits(10.0, 18.0, "关于开展《保密检查》");
    assert_eq!(lines, vec!["关于开展", "《保密检", "查》"]);
    for line in wrap_fits(7.0, 20.0, "一、二。三，四；五：六？七！八）九」十…末")
    {
        assert!(!line.starts_with(no_line_start), "{line:?}");
    }
}

#[test]
fn wrap_keeps_paragraphs_and_empty_lines_and_always_ends() {
    assert_eq!(
        wrap_fits(10.0, 100.0, "第一段\n\n第三段\r\n"),
        vec!["第一段", "", "第三段"]
    );
    assert!(Pdf::wrap(10.0, 100.0, "").is_empty());
    // Narrower than one character: one character per line, never an endless loop.
    assert_eq!(Pdf::wrap(10.0, 0.1, "保密ab"), vec!["保", "密", "a", "b"]);
    assert_eq!(Pdf::wrap(10.0, f32::NAN, "ab"), vec!["a", "b"]);
    assert_eq!(Pdf::wrap(10.0, -5.0, "ab"), vec!["a", "b"]);
    // A word longer than the line is cut where it must be.
    let lines = wrap_fits(10.0, 10.0, "abcdefghijklmnop");
    assert_eq!(lines.concat(), "abcdefghijklmnop");
    assert!(lines.len() > 1);
    // Zero size: nothing has width, everything fits on one line.
    assert_eq!(Pdf::wrap(0.0, 10.0, "保密 检查"), vec!["保密 检查"]);
}

#[test]
fn every_function_is_total() {
    let mut pdf = Pdf::new(f32::NAN, f32::INFINITY);
    pdf.text(f32::NAN, f32::INFINITY, 12.0, "x");
    pdf.text(0.0, 0.0, f32::NAN, "x");
    pdf.text(0.0, 0.0, 0.0, "x");
    pdf.text(0.0, 0.0, 12.0, "");
    pdf.text(0.0, 0.0, 12.0, &"保".repeat(MAX_TEXT_CHARS * 3));
    pdf.rect(f32::NAN, -1e30, 1e30, f32::NEG_INFINITY, true, true);
    pdf.rect(0.0, 0.0, 1.0, 1.0, false, false);
    pdf.fill_rects(&[]);
    pdf.fill_rects(&[[f32::NAN; 4]]);
    pdf.line(0.0, 0.0, 1e38, -1e38, f32::NAN);
    pdf.set_fill_rgb(f32::NAN, 2.0, -1.0);
    pdf.set_title(&"标".repeat(5000));
    let bytes = pdf.finish();
    check_xref(&bytes);
    qpdf_check(&bytes);
    // The one long run is cut at MAX_TEXT_CHARS characters.
    let page = pdf_page_text(&extract("x.pdf", &bytes), 1);
    assert_eq!(page.matches('保').count(), MAX_TEXT_CHARS);
    // A page size beyond what PDF allows is clamped.
    let tiny = Pdf::new(0.0, 1e9).finish();
    assert!(String::from_utf8_lossy(&tiny).contains("/MediaBox [0 0 3.118 14400]"));
}

#[test]
fn numbers_have_no_exponent_and_no_trailing_zeros() {
    let s = |v: f32| {
        let mut out = Vec::new();
        num(&mut out, v);
        String::from_utf8(out).unwrap()
    };
    assert_eq!(s(1.0), "1");
    assert_eq!(s(0.5), "0.5");
    assert_eq!(s(-0.0001), "0");
    assert_eq!(s(595.2756), "595.276");
    assert_eq!(s(1e20), "100000002004087734272");
    assert_eq!(s(f32::NAN), "0");
}

#[test]
fn the_to_unicode_map_is_well_formed() {
    let cmap = to_unicode_cmap();
    assert_eq!(cmap.matches("beginbfrange").count(), 3);
    assert_eq!(cmap.matches("\n<").count(), 1 + 248);
    assert!(!cmap.contains("<D800>"));
}
