//! OpenDocument packages (ODT, ODS, ODP: what WPS, LibreOffice and 永中 save in offices that avoid
//! Microsoft formats): pages, sheets, slides, headers, notes, annotations and tracked deletions, each as
//! its own segment, with spreadsheet repeat counts capped because `number-columns-repeated` is a bomb.

use crate::xml::{Ev, Flow, Lines, PartText, Tag, XmlReader, attr, decode, local, local_end};
use crate::zipfile::Package;
use crate::{Budget, Format, SegmentKind, Unreadable, Visitor};
use baomi_core::UnscannedReason;
use std::collections::HashSet;

/// `text:s c="…"` spaces materialised at most.
const MAX_SPACES: usize = 100;
/// Copies made of one repeated non-empty cell or row: a real sheet repeats a value a few times, a bomb
/// repeats it a billion times.
const MAX_REPEAT: usize = 100;
/// Blank rows and columns materialised per file / per row, as for OOXML sheets.
const MAX_ROW_PADDING: usize = 10_000;
const MAX_COLUMN_PADDING: usize = 256;

pub(crate) fn extract(
    format: Format,
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    // Flat OpenDocument (.fodt/.fods/.fodp, "Flat XML" in LibreOffice's save dialog): one XML file
    // that holds content, styles and meta together; each parser reads its own part of it.
    if !data.starts_with(b"PK") && data.iter().take(512).any(|&b| b == b'<') {
        let flat = decode(data).into_owned();
        return emit_document(
            format,
            &flat,
            Some(&flat),
            Some(&flat),
            inner,
            budget,
            visitor,
        );
    }
    let mut pkg = Package::open(data, budget)?;
    if let Some(manifest) = soft_read(&mut pkg, "META-INF/manifest.xml", inner, budget, visitor)?
        && decode(&manifest).contains("encryption-data")
    {
        return Err(Unreadable::new(
            UnscannedReason::Encrypted,
            "password-protected OpenDocument file",
        ));
    }
    let Some(content) = pkg.read_named("content.xml", budget)? else {
        return Err(Unreadable::corrupt("no content.xml in the package"));
    };
    // Parts keep their own buffers (as in OOXML): no copy just to become text.
    let content = PartText::new(content);
    let styles = soft_read(&mut pkg, "styles.xml", inner, budget, visitor)?.map(PartText::new);
    let meta = soft_read(&mut pkg, "meta.xml", inner, budget, visitor)?.map(PartText::new);
    emit_document(
        format,
        &content,
        styles.as_deref(),
        meta.as_deref(),
        inner,
        budget,
        visitor,
    )?;
    drop((content, styles, meta));
    embedded_objects(&mut pkg, inner, budget, visitor)
}

/// Objects embedded in the document (a spreadsheet in a report, a text in a sheet, a chart):
/// each is a sub-document in a folder of the package (`Object 1/content.xml`), read as a member named
/// by its folder. Its kind is told by its body element, as the manifest's media type says the same.
fn embedded_objects(
    pkg: &mut Package<'_>,
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let mut folders: Vec<String> = pkg
        .names()
        .iter()
        .filter_map(|n| n.strip_suffix("/content.xml"))
        .filter(|folder| !folder.is_empty())
        .map(str::to_owned)
        .collect();
    folders.sort();
    if folders.len() > usize::try_from(budget.limits.max_members).unwrap_or(usize::MAX) {
        return Err(Unreadable::limit(format!(
            "more than {} embedded objects in one document",
            budget.limits.max_members
        )));
    }
    for folder in folders {
        budget.check_time()?;
        let part = format!("{folder}/content.xml");
        crate::in_member(&folder, inner, budget, visitor, |inner, budget, visitor| {
            let Some(content) = pkg.read_named(&part, budget)? else {
                return Ok(());
            };
            let content = PartText::new(content);
            let format = if content.contains("<office:spreadsheet") {
                Format::Ods
            } else if content.contains("<office:presentation") {
                Format::Odp
            } else {
                Format::Odt
            };
            emit_document(format, &content, None, None, inner, budget, visitor)?;
            visitor.format(inner, format);
            Ok(())
        })?;
    }
    Ok(())
}

/// Parse the content, styles and meta parts and report their segments.
fn emit_document(
    format: Format,
    content: &str,
    styles: Option<&str>,
    meta: Option<&str>,
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let doc = parse_content(content, format, budget)?;
    const C: &str = "content.xml";
    if format == Format::Odt || !doc.body.is_empty() {
        for (i, page) in doc.body.pages().iter().enumerate() {
            emit(
                visitor,
                inner,
                SegmentKind::Body,
                Some(page_no(i)),
                None,
                C,
                page,
            );
        }
    }
    for s in &doc.sheets {
        emit(
            visitor,
            inner,
            SegmentKind::Sheet,
            None,
            Some(&s.name),
            C,
            &s.text,
        );
        emit(
            visitor,
            inner,
            SegmentKind::TextBox,
            None,
            Some(&s.name),
            C,
            &s.boxes,
        );
    }
    for s in &doc.slides {
        emit(
            visitor,
            inner,
            SegmentKind::Slide,
            Some(s.page),
            None,
            C,
            &s.text,
        );
        emit(
            visitor,
            inner,
            SegmentKind::SpeakerNotes,
            Some(s.page),
            None,
            C,
            &s.notes,
        );
    }
    for (page, sheet, text) in &doc.comments {
        emit(
            visitor,
            inner,
            SegmentKind::Comment,
            *page,
            sheet.as_deref(),
            C,
            text,
        );
    }
    emit(
        visitor,
        inner,
        SegmentKind::Note,
        None,
        None,
        C,
        &doc.notes.text(),
    );
    emit(
        visitor,
        inner,
        SegmentKind::Hidden,
        None,
        None,
        C,
        &doc.hidden.text(),
    );
    emit(
        visitor,
        inner,
        SegmentKind::Header,
        None,
        None,
        C,
        &doc.headers.join("\n"),
    );
    emit(
        visitor,
        inner,
        SegmentKind::Footer,
        None,
        None,
        C,
        &doc.footers.join("\n"),
    );

    const S: &str = "styles.xml";
    if let Some(styles) = styles {
        match parse_styles(styles, budget) {
            Ok((headers, footers)) => {
                emit(
                    visitor,
                    inner,
                    SegmentKind::Header,
                    None,
                    None,
                    S,
                    &headers.join("\n"),
                );
                emit(
                    visitor,
                    inner,
                    SegmentKind::Footer,
                    None,
                    None,
                    S,
                    &footers.join("\n"),
                );
            }
            Err(e) if budget.exhausted() => return Err(e),
            Err(e) => unscanned(inner, visitor, S, &e),
        }
    }
    const M: &str = "meta.xml";
    if let Some(meta) = meta {
        match parse_meta(meta, budget) {
            Ok(lines) => emit(
                visitor,
                inner,
                SegmentKind::Metadata,
                None,
                None,
                M,
                &lines.join("\n"),
            ),
            Err(e) if budget.exhausted() => return Err(e),
            Err(e) => unscanned(inner, visitor, M, &e),
        }
    }
    Ok(())
}

fn emit(
    visitor: &mut dyn Visitor,
    inner: &[String],
    kind: SegmentKind,
    page: Option<u32>,
    sheet: Option<&str>,
    part: &str,
    text: &str,
) {
    crate::emit_segment(visitor, inner, kind, page, sheet, Some(part), text);
}

fn page_no(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

fn unscanned(inner: &mut Vec<String>, visitor: &mut dyn Visitor, part: &str, e: &Unreadable) {
    inner.push(part.to_owned());
    visitor.unscanned(inner, e.reason, &e.detail);
    inner.pop();
}

/// Read an optional member; a damaged one is reported and treated as absent.
fn soft_read(
    pkg: &mut Package<'_>,
    name: &str,
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<Option<Vec<u8>>, Unreadable> {
    let r = pkg.read_named(name, budget);
    Ok(crate::soft(r, name, inner, budget, visitor)?.flatten())
}

struct Sheet {
    name: String,
    text: String,
    boxes: String,
}

struct Slide {
    page: u32,
    text: String,
    notes: String,
}

#[derive(Default)]
struct Doc {
    body: Lines,
    sheets: Vec<Sheet>,
    slides: Vec<Slide>,
    comments: Vec<(Option<u32>, Option<String>, String)>,
    notes: Lines,
    hidden: Lines,
    headers: Vec<String>,
    footers: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Target {
    Body,
    Sheet,
    Slide,
    SlideNotes,
    Comment,
    Note,
    Hidden,
    TextBox,
    Header,
    Footer,
}

fn repeat_of(e: &Tag<'_>, name: &str) -> usize {
    attr(e, name)
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .max(1)
}

fn parse_content(xml: &str, format: Format, budget: &mut Budget) -> Result<Doc, Unreadable> {
    let mut r = XmlReader::new(xml, "content.xml");
    let mut flow = Flow::new();
    let mut doc = Doc::default();
    // Open targets with the reader depth of the element that opened them.
    let mut targets: Vec<(Target, u32)> = Vec::new();
    let mut break_before: HashSet<String> = HashSet::new();
    let mut break_after: HashSet<String> = HashSet::new();
    let mut style: Option<String> = None;
    let mut para_breaks_after: Vec<bool> = Vec::new();
    // Whitespace collapsing (ODF keeps only explicit `text:s` runs of spaces).
    let mut last_ws = true;
    // Spreadsheet state.
    let mut sheet_name = String::new();
    let mut sheet_boxes = Lines::default();
    let mut row_repeat = 1usize;
    let mut cell_repeat = 1usize;
    let mut cell_value: Option<String> = None;
    let mut empty_cols = 0usize;
    let mut row_padded = 0usize;
    let mut empty_rows = 0usize;
    let mut padding_left = MAX_ROW_PADDING;
    // Presentation state.
    let mut pending_notes = String::new();
    let mut slide_count = 0u32;
    let sheet_mode = format == Format::Ods;

    loop {
        let ev = r.next(budget)?;
        match ev {
            Ev::Eof => break,
            Ev::Text(t) => {
                if !flow.in_para() {
                    continue;
                }
                let mut s = String::with_capacity(t.len());
                for c in t.chars() {
                    if matches!(c, ' ' | '\t' | '\n' | '\r') {
                        if !last_ws {
                            s.push(' ');
                            last_ws = true;
                        }
                    } else {
                        s.push(c);
                        last_ws = false;
                    }
                }
                flow.text(&s);
            }
            Ev::Start(e) => {
                let name = local(&e);
                let depth = r.depth();
                match name {
                    // Automatic styles: which paragraph and table styles start a new page.
                    "style" => {
                        style = attr(&e, "name");
                        if let Some(s) = &style
                            && attr(&e, "master-page-name").is_some_and(|m| !m.is_empty())
                        {
                            break_before.insert(s.clone());
                        }
                    }
                    "paragraph-properties" | "table-properties" => {
                        if let Some(s) = &style {
                            if attr(&e, "break-before").as_deref() == Some("page") {
                                break_before.insert(s.clone());
                            }
                            if attr(&e, "break-after").as_deref() == Some("page") {
                                break_after.insert(s.clone());
                            }
                        }
                    }
                    // `office:text`, or `office:chart` in a chart object (its title, axis titles
                    // and the table of its data are text paragraphs and cells).
                    "text" | "chart" if targets.is_empty() && format == Format::Odt => {
                        flow.push_target();
                        targets.push((Target::Body, depth));
                    }
                    "p" | "h" => {
                        let st = attr(&e, "style-name");
                        if st.as_ref().is_some_and(|s| break_before.contains(s)) {
                            flow.page_break();
                        }
                        para_breaks_after.push(st.is_some_and(|s| break_after.contains(&s)));
                        flow.open_para();
                        last_ws = true;
                    }
                    "s" => {
                        let n = attr(&e, "c")
                            .and_then(|c| c.parse::<usize>().ok())
                            .unwrap_or(1);
                        flow.text(&" ".repeat(n.clamp(1, MAX_SPACES)));
                        last_ws = false;
                    }
                    "tab" => {
                        flow.text("\t");
                        last_ws = false;
                    }
                    "line-break" => {
                        flow.text("\n");
                        last_ws = true;
                    }
                    "soft-page-break" => {
                        flow.page_break();
                    }
                    // Generated or bookkeeping content that is not the document's text.
                    "note-citation"
                    | "change-info"
                    | "table-of-content-source"
                    | "illustration-index-source"
                    | "alphabetical-index-source"
                    | "bibliography-source"
                    | "user-index-source" => {
                        r.skip_element(budget)?;
                    }
                    "note" => {
                        flow.push_target();
                        targets.push((Target::Note, depth));
                    }
                    "annotation" => {
                        flow.push_target();
                        targets.push((Target::Comment, depth));
                    }
                    "tracked-changes" => {
                        flow.push_target();
                        targets.push((Target::Hidden, depth));
                    }
                    "header-decl" | "footer-decl" if format == Format::Odp => {
                        let t = r.element_text(budget)?;
                        if name == "header-decl" {
                            doc.headers.push(t);
                        } else {
                            doc.footers.push(t);
                        }
                    }
                    "text-box" if sheet_mode => {
                        flow.push_target();
                        targets.push((Target::TextBox, depth));
                    }
                    "text-box" if format == Format::Odt => flow.push_inline(),
                    "table" if sheet_mode && !targets.iter().any(|t| t.0 == Target::Sheet) => {
                        sheet_name = attr(&e, "name").unwrap_or_default();
                        empty_rows = 0;
                        flow.push_target();
                        targets.push((Target::Sheet, depth));
                    }
                    "table"
                        if attr(&e, "style-name").is_some_and(|s| break_before.contains(&s)) =>
                    {
                        flow.page_break();
                    }
                    "table-row" => {
                        row_repeat = repeat_of(&e, "number-rows-repeated");
                        empty_cols = 0;
                        row_padded = 0;
                        flow.open_row();
                    }
                    "table-cell" | "covered-table-cell" => {
                        cell_repeat = repeat_of(&e, "number-columns-repeated");
                        cell_value = attr(&e, "string-value")
                            .or_else(|| attr(&e, "value"))
                            .or_else(|| attr(&e, "date-value"));
                        flow.open_cell();
                    }
                    "page" if format == Format::Odp => {
                        slide_count += 1;
                        flow.push_target();
                        targets.push((Target::Slide, depth));
                    }
                    "notes" if format == Format::Odp => {
                        flow.push_target();
                        targets.push((Target::SlideNotes, depth));
                    }
                    _ => {}
                }
            }
            Ev::End(e) => {
                let name = local_end(&e);
                let depth = r.depth();
                match name {
                    "style" => style = None,
                    "p" | "h" => {
                        flow.close_para();
                        if para_breaks_after.pop().unwrap_or(false) {
                            flow.page_break();
                        }
                    }
                    "text-box" if format == Format::Odt => flow.pop_inline(),
                    "table-cell" | "covered-table-cell" => {
                        let text = flow.take_cell().unwrap_or_default();
                        let text = if text.is_empty() {
                            cell_value.take().unwrap_or_default()
                        } else {
                            text
                        };
                        let text = text.replace(['\t', '\n'], " ");
                        if text.trim().is_empty() {
                            // Repeated empty cells stay virtual: a row of 16 384 blanks costs nothing.
                            empty_cols = empty_cols.saturating_add(cell_repeat);
                        } else {
                            let pad = empty_cols.min(MAX_COLUMN_PADDING.saturating_sub(row_padded));
                            row_padded += pad;
                            empty_cols = 0;
                            let n = cell_repeat.min(MAX_REPEAT);
                            budget.spend_text((text.len() * n) as u64)?;
                            flow.add_cells(
                                std::iter::repeat_n(String::new(), pad)
                                    .chain(std::iter::repeat_n(text, n)),
                            );
                        }
                        cell_repeat = 1;
                    }
                    "table-row" => {
                        let cells = flow.take_row().unwrap_or_default();
                        let mut line = cells.join("\t");
                        line.truncate(line.trim_end_matches('\t').len());
                        if sheet_mode && targets.last().is_some_and(|t| t.0 == Target::Sheet) {
                            if line.is_empty() {
                                empty_rows = empty_rows.saturating_add(row_repeat);
                            } else {
                                // Blank rows before real content keep line number == row number.
                                let pad = empty_rows.min(padding_left);
                                padding_left -= pad;
                                for _ in 0..pad {
                                    flow.emit_line("");
                                }
                                empty_rows = 0;
                                let n = row_repeat.min(MAX_REPEAT);
                                budget.spend_text((line.len() * n) as u64)?;
                                for _ in 0..n {
                                    flow.emit_line(&line);
                                }
                            }
                        } else if !line.is_empty() {
                            flow.emit_line(&line);
                        }
                        row_repeat = 1;
                    }
                    _ => {}
                }
                // Close the target this element opened, if any.
                if targets.last().is_some_and(|t| t.1 == depth + 1)
                    && let Some((kind, _)) = targets.pop()
                {
                    let lines = flow.pop_target();
                    let page = (slide_count > 0).then_some(slide_count);
                    match kind {
                        Target::Body => doc.body = lines,
                        Target::Sheet => {
                            let mut ls = lines.lines;
                            while ls.last().is_some_and(|l| l.is_empty()) {
                                ls.pop();
                            }
                            doc.sheets.push(Sheet {
                                name: std::mem::take(&mut sheet_name),
                                text: ls.join("\n"),
                                boxes: std::mem::take(&mut sheet_boxes).text(),
                            });
                        }
                        Target::Slide => doc.slides.push(Slide {
                            page: slide_count,
                            text: lines.text(),
                            notes: std::mem::take(&mut pending_notes),
                        }),
                        // Notes sit inside their draw:page, which is still open here.
                        Target::SlideNotes => pending_notes.push_str(&lines.text()),
                        Target::Comment => {
                            let sheet = sheet_mode.then(|| sheet_name.clone());
                            let page = if format == Format::Odp { page } else { None };
                            doc.comments.push((page, sheet, lines.text()));
                        }
                        Target::Note => doc.notes.append(lines),
                        Target::Hidden => doc.hidden.append(lines),
                        Target::TextBox => sheet_boxes.append(lines),
                        Target::Header | Target::Footer => {}
                    }
                }
            }
        }
    }
    // Unclosed targets (truncated XML that still parsed to the end) keep their text.
    while let Some((kind, _)) = targets.pop() {
        let lines = flow.pop_target();
        match kind {
            Target::Body => doc.body = lines,
            _ => doc.hidden.append(lines),
        }
    }
    Ok(doc)
}

/// Master-page headers and footers from styles.xml.
fn parse_styles(xml: &str, budget: &mut Budget) -> Result<(Vec<String>, Vec<String>), Unreadable> {
    let mut r = XmlReader::new(xml, "styles.xml");
    let mut flow = Flow::new();
    let mut open: Vec<(Target, u32)> = Vec::new();
    let mut headers = Vec::new();
    let mut footers = Vec::new();
    let mut last_ws = true;
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Start(e) => {
                let name = local(&e);
                match name {
                    "header" | "header-left" | "header-first" => {
                        flow.push_target();
                        open.push((Target::Header, r.depth()));
                    }
                    "footer" | "footer-left" | "footer-first" => {
                        flow.push_target();
                        open.push((Target::Footer, r.depth()));
                    }
                    "p" | "h" => {
                        flow.open_para();
                        last_ws = true;
                    }
                    "s" => {
                        let n = attr(&e, "c")
                            .and_then(|c| c.parse::<usize>().ok())
                            .unwrap_or(1);
                        flow.text(&" ".repeat(n.clamp(1, MAX_SPACES)));
                    }
                    "tab" => flow.text("\t"),
                    "line-break" => flow.text("\n"),
                    "text-box" => flow.push_inline(),
                    "table-row" => flow.open_row(),
                    "table-cell" => flow.open_cell(),
                    _ => {}
                }
            }
            Ev::Text(t) => {
                if flow.in_para() {
                    let mut s = String::new();
                    for c in t.chars() {
                        if c.is_whitespace() && c != '\u{3000}' {
                            if !last_ws {
                                s.push(' ');
                                last_ws = true;
                            }
                        } else {
                            s.push(c);
                            last_ws = false;
                        }
                    }
                    flow.text(&s);
                }
            }
            Ev::End(e) => {
                match local_end(&e) {
                    "p" | "h" => flow.close_para(),
                    "text-box" => flow.pop_inline(),
                    "table-row" => flow.close_row(),
                    "table-cell" => flow.close_cell(),
                    _ => {}
                }
                if open.last().is_some_and(|t| t.1 == r.depth() + 1)
                    && let Some((kind, _)) = open.pop()
                {
                    let text = flow.pop_target().text();
                    if !text.is_empty() {
                        if kind == Target::Header {
                            headers.push(text);
                        } else {
                            footers.push(text);
                        }
                    }
                }
            }
        }
    }
    headers.dedup();
    footers.dedup();
    Ok((headers, footers))
}

/// Title, subject, keywords, description, authors and user-defined fields from meta.xml.
fn parse_meta(xml: &str, budget: &mut Budget) -> Result<Vec<String>, Unreadable> {
    let mut r = XmlReader::new(xml, "meta.xml");
    let mut out = Vec::new();
    loop {
        match r.next(budget)? {
            Ev::Eof => return Ok(out),
            Ev::Start(e) => {
                let name = local(&e);
                let label = match name {
                    "title" | "subject" | "keyword" | "description" | "creator"
                    | "initial-creator" => None,
                    "user-defined" => Some(attr(&e, "name").unwrap_or_default()),
                    _ => continue,
                };
                let text = r.element_text(budget)?;
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                out.push(match label {
                    Some(l) => format!("{l}: {text}"),
                    None => text.to_owned(),
                });
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::testing::{Collect, fixture, ok_parser, run_parser, zip};

    fn run(format: Format, data: &[u8]) -> (Result<(), Unreadable>, Collect) {
        run_parser(extract, format, data)
    }

    fn ok(format: Format, data: &[u8]) -> Collect {
        ok_parser(extract, format, data)
    }

    const NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0""#;

    fn ods_with(body: &str) -> Vec<u8> {
        let content = format!(
            "<office:document-content {NS}><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
        );
        zip(&[("content.xml", content.as_bytes())])
    }

    #[test]
    fn odt_fixture_places() {
        let c = ok(Format::Odt, &fixture("notice.odt"));
        let body = c.of(SegmentKind::Body);
        assert_eq!(body.len(), 2, "{body:#?}");
        assert_eq!((body[0].page, body[1].page), (Some(1), Some(2)));
        let first: Vec<&str> = body[0].text.lines().take(3).collect();
        assert_eq!(first, ["000001", "机密★1年", "关于加强保密管理的通知"]);
        assert!(body[0].text.contains("密级\t机密"), "{}", body[0].text);
        assert!(body[0].text.contains("期限\t一年 自印发之日起"));
        assert!(
            body[0]
                .text
                .contains("各单位：为做好保密工作，现通知如下。正文继续。")
        );
        assert_eq!(body[1].text, "第二页内容\n第二页第二段");
        let header = c.of(SegmentKind::Header);
        assert_eq!(header.len(), 1);
        assert_eq!(header[0].text, "机密★1年");
        assert_eq!(header[0].part.as_deref(), Some("styles.xml"));
        assert_eq!(c.text_of(SegmentKind::Footer), "内部资料 注意保存");
        assert_eq!(c.text_of(SegmentKind::Note), "脚注：依据保密法");
        assert_eq!(c.text_of(SegmentKind::Comment), "批注：请核对密级");
        assert_eq!(c.text_of(SegmentKind::Hidden), "已删除的秘密文字");
        let meta = c.text_of(SegmentKind::Metadata);
        assert!(
            meta.contains("关于加强保密管理的通知") && meta.contains("保密检查"),
            "{meta}"
        );
    }

    #[test]
    fn ods_fixture_places() {
        let c = ok(Format::Ods, &fixture("book.ods"));
        let sheets = c.of(SegmentKind::Sheet);
        assert_eq!(sheets.len(), 2);
        assert_eq!(sheets[0].sheet.as_deref(), Some("名单"));
        let lines: Vec<&str> = sheets[0].text.split('\n').collect();
        assert_eq!(
            lines,
            [
                "秘密★6个月",
                "姓名\t单位\t数量",
                "张三\t\t42",
                "",
                "",
                "第六行"
            ]
        );
        assert_eq!(sheets[1].sheet.as_deref(), Some("隐藏表"));
        assert_eq!(sheets[1].text, "绝密资料");
        let comments = c.of(SegmentKind::Comment);
        assert_eq!(comments[0].text, "批注：核实数量");
        assert_eq!(comments[0].sheet.as_deref(), Some("名单"));
        assert!(c.text_of(SegmentKind::Header).contains("秘密★6个月"));
        assert!(c.text_of(SegmentKind::Metadata).contains("人员名单"));
    }

    #[test]
    fn odp_fixture_places() {
        let c = ok(Format::Odp, &fixture("slides.odp"));
        let slides = c.of(SegmentKind::Slide);
        assert_eq!(slides.len(), 2);
        assert_eq!(slides[0].page, Some(1));
        assert_eq!(slides[0].text, "机密★1年\n第一张幻灯片标题");
        assert_eq!(slides[1].text, "第二张幻灯片");
        let notes = c.of(SegmentKind::SpeakerNotes);
        assert_eq!(notes.len(), 2);
        assert_eq!(
            (notes[0].page, notes[0].text.as_str()),
            (Some(1), "备注：口头说明内容")
        );
        assert_eq!(
            (notes[1].page, notes[1].text.as_str()),
            (Some(2), "第二页备注")
        );
        assert!(!slides[0].text.contains("备注"));
    }

    #[test]
    fn encrypted_package() {
        let manifest = br#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data manifest:checksum-type="SHA1"/></manifest:file-entry></manifest:manifest>"#;
        let data = zip(&[
            ("META-INF/manifest.xml", manifest),
            ("content.xml", b"\x01\x02binary"),
        ]);
        let (r, _) = run(Format::Odt, &data);
        assert_eq!(r.expect_err("encrypted").reason, UnscannedReason::Encrypted);
    }

    #[test]
    fn missing_content_is_corrupt() {
        let (r, _) = run(Format::Odt, &zip(&[("meta.xml", b"<x/>")]));
        assert_eq!(r.expect_err("corrupt").reason, UnscannedReason::Corrupt);
        let data = fixture("notice.odt");
        let (r, _) = run(Format::Odt, &data[..data.len() / 2]);
        assert!(r.is_err());
    }

    #[test]
    fn repeat_bombs_are_capped() {
        let body = r#"<table:table table:name="炸弹"><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="1000000000"><text:p>机密</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>"#;
        let c = ok(Format::Ods, &ods_with(body));
        let s = c.of(SegmentKind::Sheet);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].sheet.as_deref(), Some("炸弹"));
        let lines: Vec<&str> = s[0].text.split('\n').collect();
        assert!(
            lines.len() <= MAX_ROW_PADDING + MAX_REPEAT,
            "{}",
            lines.len()
        );
        assert!(lines.iter().all(|l| l.len() < 10_000));
        assert!(lines.iter().any(|l| l.starts_with("机密")));
    }

    #[test]
    fn entities_and_depth() {
        let content = format!(
            r#"<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><office:document-content {NS}><office:body><office:text><text:p>&b;&#x79D8;&#23494;&amp;<text:s text:c="999999999"/>x</text:p></office:text></office:body></office:document-content>"#
        );
        let c = ok(Format::Odt, &zip(&[("content.xml", content.as_bytes())]));
        let body = c.text_of(SegmentKind::Body);
        assert!(body.starts_with("秘密& "), "{body}");
        assert_eq!(body.len(), "秘密&".len() + MAX_SPACES + 1);

        let deep = format!(
            "<office:document-content {NS}><office:body><office:text>{}{}</office:text></office:body></office:document-content>",
            "<text:span>".repeat(10_000),
            "</text:span>".repeat(10_000)
        );
        let (r, _) = run(Format::Odt, &zip(&[("content.xml", deep.as_bytes())]));
        assert_eq!(r.expect_err("deep").reason, UnscannedReason::Limit);
    }

    #[test]
    fn garbage_never_panics() {
        for (f, name) in [
            (Format::Odt, "notice.odt"),
            (Format::Ods, "book.ods"),
            (Format::Odp, "slides.odp"),
        ] {
            let base = fixture(name);
            for i in (0..base.len()).step_by(101) {
                let mut d = base.clone();
                d[i] ^= 0xA5;
                let _ = run(f, &d);
            }
            let _ = run(f, b"");
            let _ = run(
                f,
                &zip(&[(
                    "content.xml",
                    b"</a></b><text:p><text:note><table:table-row></text:p>",
                )]),
            );
        }
    }

    /// LibreOffice's "Flat XML" files carry the same document in one XML file: the same segments come
    /// out (part names aside).
    #[test]
    fn flat_odf_reads_like_the_package() {
        for (flat, packaged, format) in [
            ("notice.fodt", "notice.odt", Format::Odt),
            ("book.fods", "book.ods", Format::Ods),
            ("slides.fodp", "slides.odp", Format::Odp),
        ] {
            let key = |c: &Collect| {
                let mut v: Vec<_> = c
                    .segs
                    .iter()
                    .filter(|s| s.kind != SegmentKind::Metadata)
                    .map(|s| (s.kind, s.page, s.sheet.clone(), s.text.clone()))
                    .collect();
                v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
                v
            };
            let a = ok(format, &fixture(flat));
            let b = ok(format, &fixture(packaged));
            assert!(a.unscanned.is_empty(), "{flat}: {:?}", a.unscanned);
            assert_eq!(key(&a), key(&b), "{flat} vs {packaged}");
        }
    }
}
