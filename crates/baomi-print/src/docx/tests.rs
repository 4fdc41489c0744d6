use super::*;
use crate::test_util::{extract, have, temp_dir};
use baomi_extract::SegmentKind;
use quick_xml::events::Event;
use std::io::Read as _;

fn notice() -> Vec<Block> {
    vec![
        Block::Title("关于2026年度保密检查情况的通报".to_owned()),
        Block::Paragraph(
            "各处室：\n根据年度工作安排，保密办于2026年11月对全局涉密计算机开展了检查。".to_owned(),
        ),
        Block::Heading("一、发现的问题".to_owned()),
        Block::Paragraph("检查发现 3 台计算机存在违规外联痕迹。".to_owned()),
        Block::Table {
            header: vec!["序号".to_owned(), "资产编号".to_owned(), "问题".to_owned()],
            rows: vec![
                vec![
                    "1".to_owned(),
                    "BM-2026-0001".to_owned(),
                    "违规外联".to_owned(),
                ],
                vec!["2".to_owned(), "保密-机-0002".to_owned()],
            ],
        },
        Block::Paragraph("责任人：<script>&\"\u{1}\u{7}".to_owned()),
        Block::Right("保密办公室\n2026年11月3日".to_owned()),
    ]
}

fn fixed() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_793_433_600).unwrap()
}

/// The parts of the package, name → content.
fn parts(bytes: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        out.push((f.name().unwrap().to_string(), s));
    }
    out
}

/// Parses `xml` with quick-xml (panicking if it is not well-formed) and returns the text of every
/// `<w:t>`, one string per paragraph.
fn paragraphs(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut paras = Vec::new();
    let mut in_t = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == "w:p" => paras.push(String::new()),
            Ok(Event::Start(e)) if e.name().as_ref() == "w:t" => in_t = true,
            Ok(Event::End(e)) if e.name().as_ref() == "w:t" => in_t = false,
            Ok(Event::Empty(e)) if e.name().as_ref() == "w:br" => {
                paras.last_mut().unwrap().push('\n')
            }
            Ok(Event::Text(t)) if in_t => {
                let s = t.xml10_content();
                paras.last_mut().unwrap().push_str(&s);
            }
            Ok(Event::GeneralRef(r)) if in_t => {
                let c = match &*r {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("entity {other}"),
                };
                paras.last_mut().unwrap().push(c);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    paras
}

#[test]
fn the_package_has_every_part_and_every_part_is_well_formed() {
    let bytes = docx_at(&notice(), fixed()).unwrap();
    let parts = parts(&bytes);
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "[Content_Types].xml",
            "_rels/.rels",
            "word/document.xml",
            "word/_rels/document.xml.rels",
            "word/styles.xml",
            "word/fontTable.xml",
            "docProps/core.xml"
        ]
    );
    for (_, xml) in &parts {
        paragraphs(xml);
    }
    let styles = &parts[4].1;
    assert!(styles.contains("w:eastAsia=\"仿宋_GB2312\""));
    assert!(styles.contains("w:eastAsia=\"方正小标宋简体\""));
    assert!(styles.contains("<w:sz w:val=\"32\"/>"), "三号 body");
    let core = &parts[6].1;
    assert!(core.contains("<dc:title>关于2026年度保密检查情况的通报</dc:title>"));
    assert!(core.contains(">2026-10-31T08:00:00Z</dcterms:created>"));
}

#[test]
fn document_text_is_escaped_and_free_of_control_characters() {
    let bytes = docx_at(&notice(), fixed()).unwrap();
    let parts = parts(&bytes);
    let doc = &parts[2].1;
    assert!(!doc.contains("<script>"));
    assert!(!doc.contains('\u{1}') && !doc.contains('\u{7}'));
    let paras = paragraphs(doc);
    assert_eq!(paras[0], "关于2026年度保密检查情况的通报");
    assert!(
        paras.contains(&"责任人：<script>&\"".to_owned()),
        "{paras:?}"
    );
    assert!(
        paras.contains(&"保密办公室\n2026年11月3日".to_owned()),
        "{paras:?}"
    );
    // Header and both rows, the short row padded with an empty cell.
    for cell in [
        "序号",
        "资产编号",
        "问题",
        "BM-2026-0001",
        "违规外联",
        "保密-机-0002",
    ] {
        assert!(paras.contains(&cell.to_owned()), "{cell} in {paras:?}");
    }
    assert_eq!(doc.matches("<w:tc>").count(), 9);
    assert!(doc.contains("<w:tblHeader/>"));
}

#[test]
fn baomi_extract_reads_the_notice_back() {
    let bytes = docx_at(&notice(), fixed()).unwrap();
    let segments = extract("notice.docx", &bytes);
    let body: String = segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Body)
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for want in [
        "关于2026年度保密检查情况的通报",
        "保密办于2026年11月对全局涉密计算机开展了检查",
        "一、发现的问题",
        "BM-2026-0001",
        "保密-机-0002",
        "责任人：<script>&\"",
        "2026年11月3日",
    ] {
        assert!(body.contains(want), "{want:?} not in {body:?}");
    }
}

#[test]
fn libreoffice_converts_it_to_the_same_text() {
    if !have("soffice") {
        eprintln!("note: LibreOffice (soffice) is not installed; conversion check skipped");
        return;
    }
    let dir = temp_dir("soffice");
    let path = dir.join("notice.docx");
    std::fs::write(&path, docx_at(&notice(), fixed()).unwrap()).unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    let out = std::process::Command::new("soffice")
        .arg(&profile)
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "txt:Text",
            "--outdir",
        ])
        .arg(&dir)
        .arg(&path)
        .output()
        .unwrap();
    let txt = std::fs::read(dir.join("notice.txt")).unwrap_or_else(|e| {
        panic!(
            "soffice produced no text ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let txt = String::from_utf8_lossy(&txt);
    for want in [
        "关于2026年度保密检查情况的通报",
        "一、发现的问题",
        "资产编号",
        "BM-2026-0001",
        "违规外联",
        "保密-机-0002",
        "责任人：<script>&\"",
        "2026年11月3日",
    ] {
        assert!(txt.contains(want), "{want:?} not in {txt:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_same_blocks_at_the_same_time_are_the_same_bytes() {
    assert_eq!(
        docx_at(&notice(), fixed()).unwrap(),
        docx_at(&notice(), fixed()).unwrap()
    );
    assert!(docx(&notice()).unwrap().starts_with(b"PK\x03\x04"));
}

#[test]
fn every_input_gives_a_valid_package() {
    let wide: Vec<String> = (0..100).map(|i| i.to_string()).collect();
    for blocks in [
        vec![],
        vec![Block::Table {
            header: vec![],
            rows: vec![],
        }],
        vec![Block::Table {
            header: vec![],
            rows: vec![vec![], vec!["只有数据".to_owned()]],
        }],
        vec![Block::Table {
            header: wide.clone(),
            rows: vec![wide.clone()],
        }],
        vec![
            Block::Title(String::new()),
            Block::Paragraph("\u{0}\t\n\r\u{FFFF}😀".to_owned()),
            Block::Right("x".repeat(1_000_000)),
        ],
    ] {
        let bytes = docx_at(&blocks, fixed()).unwrap();
        let parts = parts(&bytes);
        for (_, xml) in &parts {
            paragraphs(xml);
        }
        let doc = &parts[2].1;
        assert!(doc.ends_with("</w:body></w:document>"));
        assert!(
            doc.contains("</w:p><w:sectPr>") || doc.contains("<w:p/><w:sectPr>"),
            "the body ends with a paragraph"
        );
        assert!(doc.matches("<w:gridCol ").count() <= MAX_COLUMNS);
        extract("x.docx", &bytes);
    }
}
