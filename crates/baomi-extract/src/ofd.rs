//! OFD (GB/T 33190-2016), the Chinese national fixed-layout format: a zip of XML parts. `OFD.xml` names
//! each document's `Document.xml`, which lists the pages (`Page/@BaseLoc`), page templates, annotations
//! and attachments; a page's `Content.xml` holds `TextObject`s whose `TextCode`s carry the text and its
//! position.
//!
//! Text is placed, not flowed, so lines are rebuilt from positions (top to bottom, left to right):
//! whether a marking heads a page depends on it. A template's text (the red letterhead, sometimes the
//! marking itself) is drawn on every page that uses it and is read with that page. Annotations are
//! comments of their page; attachments are extracted recursively; `DocInfo` is metadata.

use crate::xml::{Ev, PartText, XmlReader, attr, local};
use crate::zipfile::Package;
use crate::{Budget, SegmentKind, Unreadable, Visitor};
use std::collections::HashMap;

/// Pages read at most per document: a bound on work whatever `Document.xml` claims.
const MAX_PAGES: usize = 20_000;

pub(crate) fn extract(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let mut pkg = Package::open(data, budget)?;
    let root = find_part(&pkg, "OFD.xml")
        .ok_or_else(|| Unreadable::corrupt("no OFD.xml: not an OFD package"))?;
    let entry = read_text(&mut pkg, &root, budget)?
        .ok_or_else(|| Unreadable::corrupt("OFD.xml cannot be read"))?;
    let (doc_roots, info) = parse_entry(&entry, budget)?;
    drop(entry);
    let mut cx = Cx {
        pkg: &mut pkg,
        inner,
        budget,
        visitor,
    };
    if !info.trim().is_empty() {
        cx.emit(SegmentKind::Metadata, None, "OFD.xml", &info);
    }
    if doc_roots.is_empty() {
        return Err(Unreadable::corrupt("OFD.xml names no document (DocRoot)"));
    }
    for doc_root in doc_roots {
        let doc_root = resolve("", &doc_root);
        document(&mut cx, &doc_root)?;
    }
    Ok(())
}

struct Cx<'p, 'd, 'v> {
    pkg: &'p mut Package<'d>,
    inner: &'p mut Vec<String>,
    budget: &'p mut Budget,
    visitor: &'v mut dyn Visitor,
}

impl Cx<'_, '_, '_> {
    fn emit(&mut self, kind: SegmentKind, page: Option<u32>, part: &str, text: &str) {
        crate::emit_segment(self.visitor, self.inner, kind, page, None, Some(part), text);
    }

    /// A part that is absent or unreadable is reported and skipped, unless the whole file is out of
    /// budget.
    fn part(&mut self, name: &str) -> Result<Option<PartText>, Unreadable> {
        let r = read_text(self.pkg, name, self.budget).and_then(|t| {
            t.ok_or_else(|| Unreadable::corrupt(format!("{name} is named but absent")))
        });
        self.soft(name, r)
    }

    fn soft<T>(&mut self, part: &str, r: Result<T, Unreadable>) -> Result<Option<T>, Unreadable> {
        crate::soft(r, part, self.inner, self.budget, self.visitor)
    }

    fn report(&mut self, name: &str, e: Unreadable) {
        self.inner.push(name.to_owned());
        self.visitor.unscanned(self.inner, e.reason, &e.detail);
        self.inner.pop();
    }
}

/// The member whose name is `name` in any letter case (writers disagree on `OFD.xml` / `ofd.xml`).
fn find_part(pkg: &Package<'_>, name: &str) -> Option<String> {
    pkg.names()
        .iter()
        .find(|n| n.trim_start_matches('/').eq_ignore_ascii_case(name))
        .cloned()
}

fn read_text(
    pkg: &mut Package<'_>,
    name: &str,
    budget: &mut Budget,
) -> Result<Option<PartText>, Unreadable> {
    let index = pkg.index_of(name).or_else(|| {
        // Paths in OFD are case-sensitive by the standard, not always by the writers.
        pkg.names()
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
    });
    match index {
        Some(i) => pkg.read(i, budget).map(|b| Some(PartText::new(b))),
        None => Ok(None),
    }
}

/// `OFD.xml`: the document roots, and the document information as lines.
fn parse_entry(xml: &str, budget: &mut Budget) -> Result<(Vec<String>, String), Unreadable> {
    let mut r = XmlReader::new(xml, "OFD.xml");
    let mut roots = Vec::new();
    let mut info = Vec::new();
    let mut in_info = false;
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Start(e) => match local(&e) {
                "DocRoot" => roots.push(r.element_text(budget)?.trim().to_owned()),
                "DocInfo" => in_info = true,
                "Title" | "Subject" | "Abstract" | "Keyword" | "Author" | "Creator" if in_info => {
                    let t = r.element_text(budget)?;
                    if !t.trim().is_empty() && local(&e) != "Creator" {
                        info.push(t.trim().to_owned());
                    }
                }
                _ => {}
            },
            Ev::End(e) if crate::xml::local_end(&e) == "DocInfo" => in_info = false,
            _ => {}
        }
    }
    Ok((roots, info.join("\n")))
}

/// What `Document.xml` lists.
#[derive(Default)]
struct DocumentParts {
    pages: Vec<String>,
    templates: HashMap<String, String>,
    annotations: Option<String>,
    attachments: Option<String>,
}

fn document(cx: &mut Cx<'_, '_, '_>, doc_root: &str) -> Result<(), Unreadable> {
    let Some(xml) = cx.part(doc_root)? else {
        return Ok(());
    };
    let r = parse_document(&xml, doc_root, cx.budget);
    let Some(parts) = soft(cx, doc_root, r)? else {
        return Ok(());
    };
    drop(xml);
    // Template text once per template, reused for every page drawn on it.
    let mut template_items: HashMap<String, Vec<Item>> = HashMap::new();
    for (id, loc) in &parts.templates {
        if let Some(xml) = cx.part(loc)? {
            let r = page_items(&xml, loc, cx.budget);
            if let Some(p) = soft(cx, loc, r)? {
                template_items.insert(id.clone(), p.items);
            }
        }
    }
    for (i, loc) in parts.pages.iter().enumerate() {
        cx.budget.check_time()?;
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let Some(xml) = cx.part(loc)? else { continue };
        let r = page_items(&xml, loc, cx.budget);
        let Some(mut page) = soft(cx, loc, r)? else {
            continue;
        };
        for id in &page.templates {
            if let Some(items) = template_items.get(id) {
                page.items.extend(items.iter().cloned());
            }
        }
        let text = lines(page.items);
        cx.emit(SegmentKind::Body, Some(n), loc, &text);
    }
    if let Some(loc) = &parts.annotations {
        annotations(cx, loc, &parts.pages)?;
    }
    if let Some(loc) = &parts.attachments {
        attachments(cx, loc)?;
    }
    Ok(())
}

fn soft<T>(
    cx: &mut Cx<'_, '_, '_>,
    part: &str,
    r: Result<T, Unreadable>,
) -> Result<Option<T>, Unreadable> {
    cx.soft(part, r)
}

fn parse_document(xml: &str, part: &str, budget: &mut Budget) -> Result<DocumentParts, Unreadable> {
    let mut r = XmlReader::new(xml, part);
    let mut out = DocumentParts::default();
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Start(e) => match local(&e) {
                "Page" => {
                    if let Some(loc) = attr(&e, "BaseLoc") {
                        if out.pages.len() >= MAX_PAGES {
                            return Err(Unreadable::limit(format!("more than {MAX_PAGES} pages")));
                        }
                        out.pages.push(resolve(part, &loc));
                    }
                }
                "TemplatePage" => {
                    if let (Some(id), Some(loc)) = (attr(&e, "ID"), attr(&e, "BaseLoc")) {
                        out.templates.insert(id, resolve(part, &loc));
                    }
                }
                "Annotations" => {
                    out.annotations = Some(resolve(part, r.element_text(budget)?.trim()));
                }
                "Attachments" => {
                    out.attachments = Some(resolve(part, r.element_text(budget)?.trim()));
                }
                _ => {}
            },
            _ => {}
        }
    }
    Ok(out)
}

/// A run of text at a position on the page (millimetres, y downwards as OFD draws).
#[derive(Debug, Clone)]
struct Item {
    x: f64,
    y: f64,
    size: f64,
    text: String,
}

struct PageItems {
    items: Vec<Item>,
    /// IDs of the templates the page is drawn on.
    templates: Vec<String>,
}

/// Every `TextCode` of a page or template part, placed by its `TextObject`'s boundary.
fn page_items(xml: &str, part: &str, budget: &mut Budget) -> Result<PageItems, Unreadable> {
    let mut r = XmlReader::new(xml, part);
    let mut items = Vec::new();
    let mut templates = Vec::new();
    // Origin and font size of the innermost open TextObject.
    let mut object: Option<(f64, f64, f64)> = None;
    // Current position inside the object: each TextCode may give X/Y, else continues from the last.
    let mut pos = (0.0, 0.0);
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Start(e) => match local(&e) {
                "Template" => {
                    if let Some(id) = attr(&e, "TemplateID") {
                        templates.push(id);
                    }
                }
                "TextObject" => {
                    let b = attr(&e, "Boundary")
                        .map(|b| numbers(&b))
                        .unwrap_or_default();
                    let size = attr(&e, "Size")
                        .or_else(|| attr(&e, "size"))
                        .and_then(|s| s.trim().parse::<f64>().ok())
                        .filter(|s| s.is_finite() && *s > 0.0)
                        .unwrap_or(3.5);
                    object = Some((
                        b.first().copied().unwrap_or(0.0),
                        b.get(1).copied().unwrap_or(0.0),
                        size,
                    ));
                    pos = (0.0, 0.0);
                }
                "TextCode" => {
                    let x = attr(&e, "X").and_then(|v| v.trim().parse::<f64>().ok());
                    let y = attr(&e, "Y").and_then(|v| v.trim().parse::<f64>().ok());
                    pos = (x.unwrap_or(pos.0), y.unwrap_or(pos.1));
                    let text = r.element_text(budget)?;
                    if text.is_empty() {
                        continue;
                    }
                    let (ox, oy, size) = object.unwrap_or((0.0, 0.0, 3.5));
                    items.push(Item {
                        x: ox + pos.0,
                        y: oy + pos.1,
                        size,
                        text,
                    });
                }
                _ => {}
            },
            Ev::End(e) if crate::xml::local_end(&e) == "TextObject" => object = None,
            _ => {}
        }
    }
    Ok(PageItems { items, templates })
}

/// Numbers of an OFD array attribute (`"10 20 30 40"`).
fn numbers(s: &str) -> Vec<f64> {
    s.split_ascii_whitespace()
        .filter_map(|n| n.parse::<f64>().ok())
        .filter(|n| n.is_finite())
        .collect()
}

/// Placed runs → lines, top to bottom, each left to right. Runs whose baselines are within half a
/// font size share a line; a gap wider than a third of the font size between Latin runs is a space.
fn lines(mut items: Vec<Item>) -> String {
    items.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut rows: Vec<(f64, f64, Vec<Item>)> = Vec::new();
    for item in items {
        match rows.last_mut() {
            Some((y, size, row)) if (item.y - *y).abs() <= size.max(item.size) * 0.5 => {
                *size = size.max(item.size);
                row.push(item);
            }
            _ => rows.push((item.y, item.size, vec![item])),
        }
    }
    let mut out = String::new();
    for (_, _, mut row) in rows {
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut line = String::new();
        let mut end: Option<f64> = None;
        for item in row {
            let latin_gap = end.is_some_and(|e| item.x - e > item.size / 3.0)
                && line
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                && item
                    .text
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric());
            if latin_gap {
                line.push(' ');
            }
            // Width is unknown without font metrics: a CJK character is about one font size wide, a
            // Latin one about half.
            let width: f64 = item
                .text
                .chars()
                .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
                .sum::<f64>()
                * item.size;
            end = Some(item.x + width);
            line.push_str(&item.text);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `Annotations.xml` lists, per page, the part holding that page's annotations.
fn annotations(cx: &mut Cx<'_, '_, '_>, loc: &str, pages: &[String]) -> Result<(), Unreadable> {
    let Some(xml) = cx.part(loc)? else {
        return Ok(());
    };
    let mut r = XmlReader::new(&xml, loc);
    let mut list: Vec<(Option<String>, String)> = Vec::new();
    let mut page_id: Option<String> = None;
    let result: Result<(), Unreadable> = (|| {
        loop {
            match r.next(cx.budget)? {
                Ev::Eof => return Ok(()),
                Ev::Start(e) => match local(&e) {
                    "Page" => page_id = attr(&e, "PageID"),
                    "FileLoc" => {
                        let f = r.element_text(cx.budget)?;
                        list.push((page_id.clone(), resolve(loc, f.trim())));
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    })();
    soft(cx, loc, result)?;
    drop(xml);
    for (page_id, part) in list {
        let Some(xml) = cx.part(&part)? else { continue };
        let r = page_items(&xml, &part, cx.budget);
        let Some(items) = soft(cx, &part, r)? else {
            continue;
        };
        // Page IDs are object IDs, not numbers; the page's number is its place in the list, which the
        // ID can only be matched to by the parts' names. Use the ID when it is a small number.
        let page = page_id
            .and_then(|id| id.trim().parse::<u32>().ok())
            .filter(|n| *n >= 1 && (*n as usize) <= pages.len());
        cx.emit(SegmentKind::Comment, page, &part, &lines(items.items));
    }
    Ok(())
}

/// `Attachments.xml`: each attachment's file, extracted like any container member.
fn attachments(cx: &mut Cx<'_, '_, '_>, loc: &str) -> Result<(), Unreadable> {
    let Some(xml) = cx.part(loc)? else {
        return Ok(());
    };
    let mut r = XmlReader::new(&xml, loc);
    let mut files: Vec<(String, String)> = Vec::new();
    let mut name = String::new();
    let result: Result<(), Unreadable> = (|| {
        loop {
            match r.next(cx.budget)? {
                Ev::Eof => return Ok(()),
                Ev::Start(e) => match local(&e) {
                    "Attachment" => name = attr(&e, "Name").unwrap_or_default(),
                    "FileLoc" => {
                        let f = r.element_text(cx.budget)?;
                        let path = resolve(loc, f.trim());
                        let shown = if name.trim().is_empty() {
                            path.clone()
                        } else {
                            name.clone()
                        };
                        files.push((shown, path));
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    })();
    soft(cx, loc, result)?;
    drop(xml);
    for (shown, path) in files {
        let Some(i) = cx.pkg.index_of(&path) else {
            cx.report(&path, Unreadable::corrupt("attachment named but absent"));
            continue;
        };
        let bytes = match cx.pkg.read(i, cx.budget) {
            Ok(b) => b,
            Err(e) if cx.budget.exhausted() => return Err(e),
            Err(e) => {
                cx.report(&path, e);
                continue;
            }
        };
        crate::extract_member(&shown, &bytes, cx.inner, cx.budget, cx.visitor)?;
    }
    Ok(())
}

/// A location inside the package: absolute (`/Doc_0/…`) from the root, else relative to the directory
/// of the part that names it; `.` and `..` resolved, never above the root.
fn resolve(base_part: &str, loc: &str) -> String {
    let loc = loc.replace('\\', "/");
    let mut parts: Vec<&str> = Vec::new();
    if !loc.starts_with('/')
        && let Some((dir, _)) = base_part.rsplit_once('/')
    {
        parts.extend(dir.split('/').filter(|p| !p.is_empty()));
    }
    for p in loc.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::{Item, lines, resolve};
    use crate::text::testutil::{Collect, run};
    use crate::xml::testing::zip;
    use baomi_core::UnscannedReason;

    fn fixture(name: &str) -> Vec<u8> {
        crate::xml::testing::fixture_in("ofd", name)
    }

    fn pages(c: &Collect) -> Vec<(Option<u32>, &str)> {
        c.segments
            .iter()
            .filter(|s| s.1 == "body" && s.0.is_empty())
            .map(|s| (s.2, s.3.as_str()))
            .collect()
    }

    fn line(t: &str, n: usize) -> &str {
        t.lines().nth(n).unwrap_or("")
    }

    #[test]
    fn pages_in_order_with_the_marking_where_it_stands() {
        let (r, c) = run("a.ofd", &fixture("01_份号_机密1年.ofd"));
        assert!(r.is_ok(), "{r:?}");
        let p = pages(&c);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(line(p[0].1, 0), "000123");
        assert!(line(p[0].1, 1).starts_with("机密★1"), "{}", p[0].1);
        let (_, c) = run("b.ofd", &fixture("05_page3_only.ofd"));
        let p = pages(&c);
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!(p[2].0, Some(3));
        assert!(line(p[2].1, 0).starts_with("秘密★1"), "{}", p[2].1);
        assert!(!p[0].1.contains("秘密★"), "{}", p[0].1);
        let (_, c) = run("c.ofd", &fixture("03_header_only.ofd"));
        assert!(
            line(pages(&c)[0].1, 0).starts_with("秘密★6"),
            "{:?}",
            pages(&c)
        );
    }

    #[test]
    fn damaged_packages_are_reported() {
        let (r, _) = run("t.ofd", &fixture("truncated.ofd"));
        assert_eq!(r.expect_err("truncated").reason, UnscannedReason::Corrupt);
        let no_root = zip(&[("Doc_0/Document.xml", b"<Document/>")]);
        let (r, _) = run("n.ofd", &no_root);
        assert_eq!(r.expect_err("no OFD.xml").reason, UnscannedReason::Corrupt);
    }

    /// The structure as OFD writers of the standard's namespace lay it out: a template page carrying
    /// the marking, an annotation, an attachment, absolute and relative locations.
    #[test]
    fn templates_annotations_attachments_and_doc_info() {
        let ofd = r#"<?xml version="1.0" encoding="UTF-8"?>
<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD"><ofd:DocBody>
<ofd:DocInfo><ofd:Title>关于某案的报告</ofd:Title><ofd:Creator>x</ofd:Creator></ofd:DocInfo>
<ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"#;
        let document = r#"<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData>
<ofd:TemplatePage ID="7" BaseLoc="Tpls/Tpl_0/Content.xml"/></ofd:CommonData>
<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>
<ofd:Annotations>Annots/Annotations.xml</ofd:Annotations>
<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments></ofd:Document>"#;
        let template = r#"<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer>
<ofd:TextObject ID="2" Boundary="20 10 60 6" Font="3" Size="5"><ofd:TextCode X="0" Y="5">绝密★长期</ofd:TextCode></ofd:TextObject>
</ofd:Layer></ofd:Content></ofd:Page>"#;
        let page = r#"<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Template TemplateID="7"/>
<ofd:Content><ofd:Layer>
<ofd:TextObject ID="4" Boundary="20 40 100 6" Font="3" Size="5"><ofd:TextCode X="0" Y="5">正文第一行</ofd:TextCode></ofd:TextObject>
<ofd:TextObject ID="5" Boundary="20 30 100 6" Font="3" Size="5"><ofd:TextCode X="0" Y="5">标题</ofd:TextCode></ofd:TextObject>
</ofd:Layer></ofd:Content></ofd:Page>"#;
        let annots = r#"<ofd:Annotations xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Page PageID="1"><ofd:FileLoc>Page_0/Annotation.xml</ofd:FileLoc></ofd:Page></ofd:Annotations>"#;
        let annot = r#"<ofd:PageAnnot xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Annot Type="Stamp"><ofd:Appearance Boundary="0 0 50 10">
<ofd:TextObject ID="9" Boundary="0 0 50 10" Size="4"><ofd:TextCode X="0" Y="4">请核对</ofd:TextCode></ofd:TextObject></ofd:Appearance></ofd:Annot></ofd:PageAnnot>"#;
        let attachs = r#"<ofd:Attachments xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Attachment ID="1" Name="附件一.txt"><ofd:FileLoc>a1.txt</ofd:FileLoc></ofd:Attachment></ofd:Attachments>"#;
        let data = zip(&[
            ("OFD.xml", ofd.as_bytes()),
            ("Doc_0/Document.xml", document.as_bytes()),
            ("Doc_0/Tpls/Tpl_0/Content.xml", template.as_bytes()),
            ("Doc_0/Pages/Page_0/Content.xml", page.as_bytes()),
            ("Doc_0/Annots/Annotations.xml", annots.as_bytes()),
            ("Doc_0/Annots/Page_0/Annotation.xml", annot.as_bytes()),
            ("Doc_0/Attachs/Attachments.xml", attachs.as_bytes()),
            ("Doc_0/Attachs/a1.txt", "机密★5年\n附件内容".as_bytes()),
        ]);
        let (r, c) = run("x.ofd", &data);
        assert!(r.is_ok(), "{r:?} {:?}", c.unscanned);
        assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
        let p = pages(&c);
        assert_eq!(p, [(Some(1), "绝密★长期\n标题\n正文第一行\n")]);
        let comment = c
            .segments
            .iter()
            .find(|s| s.1 == "comment")
            .expect("comment");
        assert_eq!((comment.2, comment.3.trim()), (Some(1), "请核对"));
        assert!(
            c.segments
                .iter()
                .any(|s| s.0 == "附件一.txt" && s.3.starts_with("机密★5年"))
        );
        assert!(
            c.segments
                .iter()
                .any(|s| s.1 == "metadata" && s.3.contains("关于某案的报告"))
        );
    }

    #[test]
    fn lines_from_positions() {
        let item = |x: f64, y: f64, t: &str| Item {
            x,
            y,
            size: 4.0,
            text: t.into(),
        };
        let text = lines(vec![
            item(40.0, 20.2, "World"),
            item(10.0, 20.0, "Hello"),
            item(10.0, 10.0, "机密★1年"),
        ]);
        assert_eq!(text, "机密★1年\nHello World\n");
        assert_eq!(
            resolve("Doc_0/Document.xml", "Pages/P/Content.xml"),
            "Doc_0/Pages/P/Content.xml"
        );
        assert_eq!(resolve("Doc_0/Document.xml", "/Doc_0/x.xml"), "Doc_0/x.xml");
        assert_eq!(
            resolve("Doc_0/A/Annotations.xml", "../../../x.xml"),
            "x.xml"
        );
    }
}
