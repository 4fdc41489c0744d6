use crate::xml::testing::{Collect, fixture_in};
use crate::{Budget, Format, Limits, SegmentKind, Unreadable, sniff_format};

fn read(name: &str, data: &[u8]) -> (Result<Format, Unreadable>, Collect) {
    let mut c = Collect::default();
    let mut budget = Budget::new(Limits::default());
    let r = crate::extract(name, data, &mut budget, &mut c);
    (r, c)
}

/// As [`read`], keeping each segment's member chain.
fn read_members(
    name: &str,
    data: &[u8],
) -> (Result<Format, Unreadable>, crate::text::testutil::Collect) {
    let mut c = crate::text::testutil::Collect::default();
    let mut budget = Budget::new(Limits::default());
    let r = crate::extract(name, data, &mut budget, &mut c);
    (r, c)
}

fn segments(c: &Collect) -> Vec<(SegmentKind, Option<u32>, Option<String>, String)> {
    c.segs
        .iter()
        .map(|s| (s.kind, s.page, s.sheet.clone(), s.text.clone()))
        .collect()
}

/// LibreOffice's Word 2003 XML of the notice reads as its .doc does, segment for segment: body by
/// page, header, footer, footnote, comment and title. The marking 机密★1年 is written in three runs
/// there (the second character is bold) and still reads as one line.
#[test]
fn word_2003_xml_reads_as_the_doc_does() {
    let xml = fixture_in("office2003", "notice_word2003.xml");
    assert!(
        String::from_utf8_lossy(&xml).contains("<w:t>机</w:t></w:r><w:r>"),
        "the fixture keeps the marking in separate runs"
    );
    let (r, c) = read("notice_word2003.xml", &xml);
    assert_eq!(r.expect("reads"), Format::WordXml);
    assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
    let (r, doc) = read("notice.doc", &fixture_in("ole", "notice.doc"));
    assert_eq!(r.expect("reads"), Format::Doc);
    assert_eq!(segments(&c), segments(&doc));
    assert_eq!(
        c.of(SegmentKind::Body)[0].text.lines().next(),
        Some("机密★1年")
    );
}

/// Web systems export these under the names users expect: the content decides, not the name.
#[test]
fn office_2003_xml_under_doc_and_xls_names() {
    let word = fixture_in("office2003", "notice_word2003.xml");
    let excel = fixture_in("office2003", "book_excel2003.xml");
    for name in ["通知.doc", "通知.xml", "通知"] {
        assert_eq!(sniff_format(name, &word), Format::WordXml, "{name}");
    }
    for name in ["导出.xls", "导出.xml", "export"] {
        assert_eq!(sniff_format(name, &excel), Format::ExcelXml, "{name}");
    }
    // Other XML stays text.
    let rss =
        b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title></channel></rss>";
    assert_eq!(sniff_format("feed.xml", rss), Format::Text);
    let (r, c) = read("导出.xls", &excel);
    assert_eq!(r.expect("reads"), Format::ExcelXml);
    assert_eq!(c.of(SegmentKind::Sheet).len(), 2);
}

/// LibreOffice's Excel 2003 XML of the workbook gives the .xls's rows, sheet by sheet.
#[test]
fn excel_2003_xml_rows_as_the_xls_gives_them() {
    let (r, c) = read(
        "book_excel2003.xml",
        &fixture_in("office2003", "book_excel2003.xml"),
    );
    assert_eq!(r.expect("reads"), Format::ExcelXml);
    let (_, xls) = read("book.xls", &fixture_in("ole", "book.xls"));
    let sheets = |c: &Collect| -> Vec<_> {
        segments(c)
            .into_iter()
            .filter(|s| s.0 == SegmentKind::Sheet)
            .collect()
    };
    assert_eq!(sheets(&c), sheets(&xls));
}

/// The parts of Excel's own output that LibreOffice's export leaves out: a declared GB2312
/// encoding, merged and skipped cells (`ss:MergeAcross`, `ss:Index`), rich text, a cell comment,
/// page headers and footers with Excel's codes, the title.
#[test]
fn excel_2003_xml_as_excel_writes_it() {
    let (r, c) = read(
        "excel2003_gb2312.xml",
        &fixture_in("office2003", "excel2003_gb2312.xml"),
    );
    assert_eq!(r.expect("reads"), Format::ExcelXml);
    let name = Some("名单".to_owned());
    assert_eq!(
        segments(&c),
        [
            (
                SegmentKind::Sheet,
                None,
                name.clone(),
                "秘密★1年\t\t\t编号\n姓名\t\t部门\n张三\t\t办公室\t42".to_owned()
            ),
            (
                SegmentKind::Header,
                None,
                name.clone(),
                "机密\n第  页".to_owned()
            ),
            (
                SegmentKind::Footer,
                None,
                name.clone(),
                "内部资料 注意保存".to_owned()
            ),
            (
                SegmentKind::Comment,
                None,
                name,
                "保密办:核对涉密等级".to_owned()
            ),
            (
                SegmentKind::Metadata,
                None,
                None,
                "title: 涉密人员名单\nauthor: 保密办".to_owned()
            ),
        ]
    );
}

/// Cut short, nested without end or full of junk: an error or what could be read, never a panic
/// or a hang.
#[test]
fn damaged_office_2003_xml_is_never_a_crash() {
    let limits = Limits {
        max_xml_depth: 64,
        ..Limits::default()
    };
    for (name, fixture) in [
        ("a.xml", "notice_word2003.xml"),
        ("b.xml", "book_excel2003.xml"),
        ("c.xml", "excel2003_gb2312.xml"),
        ("d.xml", "others/embedded-simple-2007.xml"),
    ] {
        let whole = fixture_in("office2003", fixture);
        for cut in [60, whole.len() / 3, whole.len() / 2, whole.len() - 7] {
            let (_, _) = read(name, &whole[..cut]);
        }
        let head = &whole[..whole.len().min(300)];
        let mut deep = head.to_vec();
        for _ in 0..10_000 {
            deep.extend_from_slice(b"<w:p><Row>");
        }
        let mut c = Collect::default();
        let mut budget = Budget::new(limits.clone());
        let r = crate::extract(name, &deep, &mut budget, &mut c);
        assert!(r.is_err(), "{name}: nesting past the limit is refused");
    }
}

/// Files Word and Excel wrote themselves (oletools' test data): Word 2003 XML, Excel 2003 XML and a
/// flat OPC document whose embedded file is read as a member, as in the .docx it stands for.
#[test]
fn files_word_and_excel_wrote() {
    let (r, c) = read(
        "harmless-clean-2003.xml",
        &fixture_in("office2003/others", "harmless-clean-2003.xml"),
    );
    assert_eq!(r.expect("reads"), Format::WordXml);
    let body = c.text_of(SegmentKind::Body);
    assert!(
        body.starts_with("Test\nThis is a harmless test document."),
        "{body}"
    );
    assert!(body.contains("ünicöde-ßtringß"), "{body}");

    let (r, c) = read(
        "dde-in-excel2003.xml",
        &fixture_in("office2003/others", "dde-in-excel2003.xml"),
    );
    assert_eq!(r.expect("reads"), Format::ExcelXml);
    let sheet = c.of(SegmentKind::Sheet);
    assert_eq!(sheet.len(), 1);
    assert_eq!(sheet[0].sheet.as_deref(), Some("Tabelle1"));
    assert!(
        sheet[0]
            .text
            .starts_with("This spread sheet has a dde link"),
        "{}",
        sheet[0].text
    );

    let flat = fixture_in("office2003/others", "embedded-simple-2007.xml");
    assert_eq!(
        sniff_format("embedded-simple-2007.xml", &flat),
        Format::FlatOpc
    );
    let (r, c) = read_members("embedded-simple-2007.xml", &flat);
    assert_eq!(r.expect("reads"), Format::Docx);
    assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
    let texts: Vec<(&str, &str)> = c
        .segments
        .iter()
        .map(|(inner, _, _, text)| (inner.as_str(), text.as_str()))
        .collect();
    assert!(
        texts.contains(&(
            "",
            "This document contains an embedded file:\nHave fun parsing it"
        )),
        "{texts:?}"
    );
    assert!(
        texts.contains(&(
            "word/embeddings/oleObject1.bin > simple-text-file.txt",
            "This is the contents of a simple ascii text file."
        )),
        "{texts:?}"
    );
}

/// Word 2003 XML keeps embedded objects in `w:binData` as `oledata.mso`: a compound file of
/// objects, each stream the object's own compound file deflated. The file inside is read as it is
/// in the .docx of the same document.
#[test]
fn objects_embedded_in_word_2003_xml() {
    let xml = fixture_in("office2003/others", "embedded-simple-2007-as2003.xml");
    let (r, c) = read_members("embedded-simple-2007-as2003.xml", &xml);
    assert_eq!(r.expect("reads"), Format::WordXml);
    assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
    let inner: Vec<(&str, &str)> = c
        .segments
        .iter()
        .map(|(inner, _, _, text)| (inner.as_str(), text.as_str()))
        .filter(|(inner, _)| !inner.is_empty())
        .collect();
    assert_eq!(
        inner,
        [(
            "oledata.mso > _1577691300 > simple-text-file.txt",
            "This is the contents of a simple ascii text file."
        )]
    );
}
