//! Word, Excel and PowerPoint 2007+ packages: every place text can hide (body pages, headers, footers,
//! notes, comments, text boxes, hidden runs, tracked deletions, speaker notes, sheet headers, drawings,
//! properties, embedded files), each reported as its own segment because where a marking stands decides
//! whether it is one.

use crate::xml::{
    Ev, Flow, Lines, PartText, Tag, XmlReader, attr, attr_str, attr_value, attributes,
    attributes_of, local, local_end, local_name, next_lt, tag_end_at, unescape,
};
use crate::zipfile::Package;
use crate::{Budget, Format, SegmentKind, Unreadable, Visitor};
use baomi_core::UnscannedReason;
use std::borrow::Cow;
use std::collections::HashSet;

mod sst;
mod xlsb;
use sst::SharedStrings;
pub(crate) use xlsb::fuzz_part as fuzz_xlsb_part;

/// Encrypted OOXML is not a zip at all but an OLE compound file holding the encrypted package.
const OLE_MAGIC: [u8; 4] = [0xD0, 0xCF, 0x11, 0xE0];

/// Blank rows materialised per file at most, so line numbers match row numbers in ordinary sheets while
/// a sheet with a lone cell in row 1 048 576 cannot produce a million empty lines.
const MAX_ROW_PADDING: usize = 10_000;
/// Tabs inserted for empty columns in one row at most (a lone cell in column XFD is not 16 383 tabs).
const MAX_COLUMN_PADDING: usize = 256;

pub(crate) fn extract(
    format: Format,
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<Format, Unreadable> {
    if data.starts_with(&OLE_MAGIC) {
        return Err(Unreadable::new(
            UnscannedReason::Encrypted,
            "password-protected Office document",
        ));
    }
    let mut pkg = Package::open(data, budget)?;
    // A workbook saved as .docx (and so on) is read as what its parts say it is.
    let format = match crate::zipfile::package_format(&mut pkg, budget)? {
        Some(actual @ (Format::Docx | Format::Xlsx | Format::Pptx)) => actual,
        _ => format,
    };
    let mut cx = Cx {
        pkg: &mut pkg,
        inner,
        budget,
        visitor,
        charts_read: HashSet::new(),
    };
    match format {
        Format::Docx => docx(&mut cx)?,
        Format::Xlsx => xlsx(&mut cx)?,
        Format::Pptx => pptx(&mut cx)?,
        _ => {
            return Err(Unreadable::new(
                UnscannedReason::UnsupportedFormat,
                "not an OOXML format",
            ));
        }
    }
    charts(&mut cx, format)?;
    properties(&mut cx)?;
    let prefix = match format {
        Format::Docx => "word/embeddings/",
        Format::Xlsx => "xl/embeddings/",
        _ => "ppt/embeddings/",
    };
    embeddings(&mut cx, prefix)?;
    Ok(format)
}

/// What every part reader needs, bundled so helpers stay readable.
struct Cx<'p, 'd, 'v> {
    pkg: &'p mut Package<'d>,
    inner: &'p mut Vec<String>,
    budget: &'p mut Budget,
    visitor: &'v mut dyn Visitor,
    /// Chart parts already read with their slide or sheet: the final pass over all charts skips them.
    charts_read: HashSet<String>,
}

impl Cx<'_, '_, '_> {
    fn emit(
        &mut self,
        kind: SegmentKind,
        page: Option<u32>,
        sheet: Option<&str>,
        part: &str,
        text: &str,
    ) {
        crate::emit_segment(
            self.visitor,
            self.inner,
            kind,
            page,
            sheet,
            Some(part),
            text,
        );
    }

    /// A secondary part failed: report it as unscanned and go on, unless the whole file is out of budget.
    fn soft<T>(&mut self, part: &str, r: Result<T, Unreadable>) -> Result<Option<T>, Unreadable> {
        crate::soft(r, part, self.inner, self.budget, self.visitor)
    }

    /// Read a part as text; `None` when absent or unreadable (the latter reported).
    fn part(&mut self, name: &str) -> Result<Option<PartText>, Unreadable> {
        let r = self.pkg.read_named(name, self.budget);
        match self.soft(name, r)? {
            Some(Some(bytes)) => Ok(Some(PartText::new(bytes))),
            _ => Ok(None),
        }
    }

    fn rels(&mut self, part: &str) -> Result<Vec<Rel>, Unreadable> {
        let name = rels_name(part);
        let Some(xml) = self.part(&name)? else {
            return Ok(Vec::new());
        };
        let r = parse_rels(&xml, part, &name, self.budget);
        Ok(self.soft(&name, r)?.unwrap_or_default())
    }

    /// The package's main part as named in `_rels/.rels`, else the usual name.
    fn main_part(&mut self, usual: &str) -> Result<String, Unreadable> {
        if self.pkg.index_of(usual).is_some() {
            return Ok(usual.to_owned());
        }
        let rels = self.rels("")?;
        Ok(rels
            .into_iter()
            .find(|r| r.kind.ends_with("/officeDocument"))
            .map(|r| r.target)
            .unwrap_or_else(|| usual.to_owned()))
    }
}

struct Rel {
    id: String,
    kind: String,
    target: String,
}

fn rels_name(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// Resolve a relationship target against the part that holds it (targets are relative URIs).
fn resolve(base: &str, target: &str) -> String {
    let target = percent_decode(target);
    let mut parts: Vec<&str> = Vec::new();
    let rel = match target.strip_prefix('/') {
        Some(abs) => abs,
        None => {
            if let Some((dir, _)) = base.rsplit_once('/') {
                parts.extend(dir.split('/').filter(|s| !s.is_empty()));
            }
            &target
        }
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_rels(
    xml: &str,
    part: &str,
    name: &str,
    budget: &mut Budget,
) -> Result<Vec<Rel>, Unreadable> {
    let mut r = XmlReader::new(xml, name);
    let mut out = Vec::new();
    loop {
        match r.next(budget)? {
            Ev::Eof => return Ok(out),
            Ev::Start(e) if local(&e) == "Relationship" => {
                if attr(&e, "TargetMode").is_some_and(|m| m.eq_ignore_ascii_case("External")) {
                    continue;
                }
                let (Some(id), Some(kind), Some(target)) =
                    (attr(&e, "Id"), attr(&e, "Type"), attr(&e, "Target"))
                else {
                    continue;
                };
                out.push(Rel {
                    id,
                    kind,
                    target: resolve(part, &target),
                });
            }
            _ => {}
        }
    }
}

/// The `r:id` of an element: an attribute named `id` that carries a namespace prefix (PowerPoint's
/// `sldId` also has an unprefixed numeric `id`).
fn rel_id(e: &Tag<'_>) -> Option<String> {
    attributes(e)
        .find(|(key, _)| key.rsplit_once(':').is_some_and(|(_, l)| l == "id"))
        .map(|(_, raw)| attr_value(raw).into_owned())
}

fn is_true(v: Option<String>) -> bool {
    !matches!(v.as_deref(), Some("0" | "false" | "off"))
}

/// `mc:AlternateContent` holds the same content twice (new markup in `Choice`, old in `Fallback`):
/// read the first alternative present and skip the rest, or every text box would count double.
#[derive(Default)]
struct Alternates {
    taken: Vec<bool>,
}

impl Alternates {
    /// Returns true when the element must be skipped.
    fn start(&mut self, name: &str) -> bool {
        match name {
            "AlternateContent" => {
                self.taken.push(false);
                false
            }
            "Choice" | "Fallback" => match self.taken.last_mut() {
                Some(t) if *t => true,
                Some(t) => {
                    *t = true;
                    false
                }
                None => false,
            },
            _ => false,
        }
    }
    fn end(&mut self, name: &str) {
        if name == "AlternateContent" {
            self.taken.pop();
        }
    }
}

// ---------------------------------------------------------------------------------------------- Word

fn docx(cx: &mut Cx<'_, '_, '_>) -> Result<(), Unreadable> {
    let main = cx.main_part("word/document.xml")?;
    let Some(bytes) = cx.pkg.read_named(&main, cx.budget)? else {
        return Err(Unreadable::corrupt(format!("no {main} in the package")));
    };
    let xml = PartText::new(bytes);
    let (body, hidden) = wordml(&xml, &main, true, cx.budget)?;
    drop(xml);
    let pages = body.pages();
    for (i, page) in pages.iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        cx.emit(SegmentKind::Body, Some(n), None, &main, page);
    }
    let mut hidden_all = vec![(main.clone(), hidden)];

    // Headers and footers in number order, then notes and comments.
    let mut parts: Vec<(String, SegmentKind)> = Vec::new();
    for name in cx.pkg.names() {
        let Some(file) = name.strip_prefix("word/") else {
            continue;
        };
        if file.contains('/') || !file.ends_with(".xml") {
            continue;
        }
        let kind = if file.starts_with("header") {
            SegmentKind::Header
        } else if file.starts_with("footer") {
            SegmentKind::Footer
        } else if file == "footnotes.xml" || file == "endnotes.xml" {
            SegmentKind::Note
        } else if file == "comments.xml" {
            SegmentKind::Comment
        } else {
            continue;
        };
        parts.push((name.clone(), kind));
    }
    parts.sort_by_key(|a| natural_key(&a.0));
    for (name, kind) in parts {
        cx.budget.check_time()?;
        let Some(xml) = cx.part(&name)? else { continue };
        let r = wordml(&xml, &name, false, cx.budget);
        if let Some((lines, hidden)) = cx.soft(&name, r)? {
            cx.emit(kind, None, None, &name, &lines.text());
            hidden_all.push((name, hidden));
        }
    }
    for (name, hidden) in hidden_all {
        cx.emit(SegmentKind::Hidden, None, None, &name, &hidden.text());
    }

    // SmartArt text lives in its own parts.
    let diagrams: Vec<String> = cx
        .pkg
        .names()
        .iter()
        .filter(|n| n.starts_with("word/diagrams/data") && n.ends_with(".xml"))
        .cloned()
        .collect();
    for name in diagrams {
        drawing_part(cx, &name, SegmentKind::TextBox, None, None)?;
    }
    alt_chunks(cx, &main)
}

/// Content imported from another format (`w:altChunk`, ECMA-376 §17.17.2): what office-automation systems
/// write when they make a .docx from HTML or MHT (the Open XML SDK's alternative-format import). Word
/// shows that content as the document's body, but `document.xml` holds only the reference, so each
/// chunk part is read as a member in its own format (MHT, HTML, RTF, text or another .docx).
fn alt_chunks(cx: &mut Cx<'_, '_, '_>, main: &str) -> Result<(), Unreadable> {
    let chunks: Vec<String> = cx
        .rels(main)?
        .into_iter()
        .filter(|r| r.kind.ends_with("/aFChunk"))
        .map(|r| r.target)
        .collect();
    for name in chunks {
        cx.budget.check_time()?;
        let r = cx.pkg.read_named(&name, cx.budget);
        if let Some(Some(bytes)) = cx.soft(&name, r)? {
            crate::extract_member(&name, &bytes, cx.inner, cx.budget, cx.visitor)?;
        }
    }
    Ok(())
}

/// The names of the package's parts that `keep` accepts, in natural order (`slide2` before
/// `slide10`): the parts found by name when relationships do not lead to them.
fn part_names(pkg: &Package<'_>, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut names: Vec<String> = pkg.names().iter().filter(|n| keep(n)).cloned().collect();
    names.sort_by_key(|n| natural_key(n));
    names
}

/// Sort key that puts `header2.xml` before `header10.xml`.
fn natural_key(s: &str) -> (String, u64) {
    let stem = s.trim_end_matches(".xml");
    let digits = stem.len() - stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, num) = stem.split_at(stem.len() - digits);
    (head.to_owned(), num.parse().unwrap_or(0))
}

/// WordprocessingML (document, header, footer, notes, comments) → visible lines (page-split when
/// `paginate`) and hidden lines (tracked deletions, moved-from text, `w:vanish` runs).
pub(crate) fn wordml(
    xml: &str,
    part: &str,
    paginate: bool,
    budget: &mut Budget,
) -> Result<(Lines, Lines), Unreadable> {
    #[derive(PartialEq)]
    enum Mode {
        Off,
        Visible,
        Hidden,
    }
    let mut r = XmlReader::new(xml, part);
    let mut flow = Flow::new();
    flow.push_target();
    let mut hidden = Lines::default();
    let mut hidden_line = String::new();
    let mut alt = Alternates::default();
    let mut mode = Mode::Off;
    let mut in_ppr = false;
    let mut in_rpr = false;
    let mut run_hidden = false;
    let mut moved_from = 0u32;
    let mut para_sect = false;
    let mut sect_continuous = false;
    // A section that ends in a table cell (LibreOffice writes the section's properties into the
    // last cell's paragraph) ends after the table: the row's text is placed when the row closes.
    let mut rows_open = 0u32;
    let mut sect_after_table = false;
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Text(t) => match mode {
                Mode::Visible => flow.text(&t),
                Mode::Hidden => hidden_line.push_str(&t),
                Mode::Off => {}
            },
            Ev::Start(e) => {
                let name = local(&e);
                if alt.start(name) {
                    r.skip_element(budget)?;
                    continue;
                }
                match name {
                    "p" => {
                        flow.open_para();
                        para_sect = false;
                    }
                    "pPr" => in_ppr = true,
                    "rPr" => in_rpr = true,
                    "r" => run_hidden = false,
                    "t" => {
                        mode = if run_hidden || moved_from > 0 {
                            Mode::Hidden
                        } else {
                            Mode::Visible
                        };
                    }
                    "delText" => mode = Mode::Hidden,
                    "vanish" if in_rpr && !in_ppr => run_hidden = is_true(attr(&e, "val")),
                    "moveFrom" => moved_from += 1,
                    // Field codes (`PAGE`, `HYPERLINK "…"`) are instructions, not text; old formatting of
                    // tracked property changes would resurrect hidden flags that no longer apply.
                    "instrText" | "delInstrText" => r.skip_element(budget)?,
                    n if n.ends_with("PrChange") || n.ends_with("GridChange") => {
                        r.skip_element(budget)?
                    }
                    "tab" if !in_ppr => emit_char(&mut flow, &mut hidden_line, run_hidden, "\t"),
                    "cr" => emit_char(&mut flow, &mut hidden_line, run_hidden, "\n"),
                    "noBreakHyphen" => emit_char(&mut flow, &mut hidden_line, run_hidden, "-"),
                    "sym" => {
                        if let Some(c) =
                            symbol_char(attr(&e, "font").as_deref(), attr(&e, "char").as_deref())
                        {
                            emit_char(&mut flow, &mut hidden_line, run_hidden, c);
                        }
                    }
                    "br" if !in_ppr => {
                        if attr(&e, "type").as_deref() == Some("page") {
                            if paginate {
                                flow.page_break();
                            }
                        } else {
                            emit_char(&mut flow, &mut hidden_line, run_hidden, "\n");
                        }
                    }
                    "lastRenderedPageBreak" if paginate => {
                        flow.page_break();
                    }
                    "pageBreakBefore" if in_ppr && paginate && is_true(attr(&e, "val")) => {
                        flow.page_break();
                    }
                    "sectPr" => {
                        para_sect = in_ppr;
                        sect_continuous = false;
                    }
                    "type" => {
                        sect_continuous = matches!(
                            attr(&e, "val").as_deref(),
                            Some("continuous" | "nextColumn")
                        );
                    }
                    "txbxContent" => flow.push_inline(),
                    "tr" => {
                        flow.open_row();
                        rows_open += 1;
                    }
                    "tc" => flow.open_cell(),
                    _ => {}
                }
            }
            Ev::End(e) => {
                let name = local_end(&e);
                alt.end(name);
                match name {
                    "p" => {
                        flow.close_para();
                        if !hidden_line.trim().is_empty() {
                            hidden.lines.push(std::mem::take(&mut hidden_line));
                        }
                        hidden_line.clear();
                        if para_sect && paginate {
                            if rows_open > 0 {
                                sect_after_table = true;
                            } else {
                                let at = flow.page_break();
                                if let Some(l) = flow.target_mut() {
                                    l.tentative = at;
                                }
                            }
                        }
                        para_sect = false;
                    }
                    "pPr" => in_ppr = false,
                    "rPr" => in_rpr = false,
                    "t" | "delText" => mode = Mode::Off,
                    "moveFrom" => moved_from = moved_from.saturating_sub(1),
                    "sectPr" if paginate => {
                        // A sectPr closes its section and says how that section began: a continuous
                        // section cancels the break we placed at the end of the previous one.
                        if let Some(l) = flow.target_mut()
                            && let Some(at) = l.tentative.take()
                            && sect_continuous
                        {
                            l.breaks.retain(|b| *b != at);
                        }
                    }
                    "txbxContent" => flow.pop_inline(),
                    "tr" => {
                        flow.close_row();
                        rows_open = rows_open.saturating_sub(1);
                        if rows_open == 0 && std::mem::take(&mut sect_after_table) {
                            let at = flow.page_break();
                            if let Some(l) = flow.target_mut() {
                                l.tentative = at;
                            }
                        }
                    }
                    "tc" => flow.close_cell(),
                    _ => {}
                }
            }
        }
    }
    if !hidden_line.trim().is_empty() {
        hidden.lines.push(hidden_line);
    }
    Ok((flow.pop_target(), hidden))
}

fn emit_char(flow: &mut Flow, hidden: &mut String, run_hidden: bool, c: &str) {
    if run_hidden {
        hidden.push_str(c);
    } else {
        flow.text(c);
    }
}

// --------------------------------------------------------------------------------------- DrawingML

/// DrawingML text (slides, notes, sheet drawings, SmartArt): `a:p` paragraphs are lines, table rows are
/// lines of tab-separated cells.
fn drawingml(xml: &str, part: &str, budget: &mut Budget) -> Result<Lines, Unreadable> {
    drawingml_shapes(xml, part, budget, false)
}

/// [`drawingml`], leaving out placeholders (`p:sp` with a `p:ph`) when `skip_placeholders`: on a slide
/// master or layout they hold the prompts PowerPoint shows while editing ("Click to edit the title
/// text format"), never the slides' text; what else a master holds (a text box with the unit's name,
/// 内部资料) is printed on every slide that uses it.
fn drawingml_shapes(
    xml: &str,
    part: &str,
    budget: &mut Budget,
    skip_placeholders: bool,
) -> Result<Lines, Unreadable> {
    let mut r = XmlReader::new(xml, part);
    let mut flow = Flow::new();
    flow.push_target();
    let mut alt = Alternates::default();
    let mut in_t = false;
    // Depth of nested shapes, and the depth of the placeholder being passed over.
    let mut shapes = 0usize;
    let mut placeholder: Option<usize> = None;
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Text(_) if placeholder.is_some() => {}
            Ev::Text(t) if in_t => flow.text(&t),
            Ev::Text(_) => {}
            Ev::Start(e) => {
                let name = local(&e);
                if alt.start(name) {
                    r.skip_element(budget)?;
                    continue;
                }
                if skip_placeholders {
                    match name {
                        "sp" => shapes += 1,
                        "ph" if shapes > 0 && placeholder.is_none() => placeholder = Some(shapes),
                        _ => {}
                    }
                    if placeholder.is_some() {
                        continue;
                    }
                }
                match name {
                    "p" => flow.open_para(),
                    "t" => in_t = true,
                    "br" => flow.text("\n"),
                    "tr" => flow.open_row(),
                    "tc" => flow.open_cell(),
                    _ => {}
                }
            }
            Ev::End(e) => {
                let name = local_end(&e);
                alt.end(name);
                if skip_placeholders && name == "sp" {
                    if placeholder == Some(shapes) {
                        placeholder = None;
                    }
                    shapes = shapes.saturating_sub(1);
                    continue;
                }
                if placeholder.is_some() {
                    continue;
                }
                match name {
                    "p" => flow.close_para(),
                    "t" => in_t = false,
                    "tr" => flow.close_row(),
                    "tc" => flow.close_cell(),
                    _ => {}
                }
            }
        }
    }
    Ok(flow.pop_target())
}

fn drawing_part(
    cx: &mut Cx<'_, '_, '_>,
    name: &str,
    kind: SegmentKind,
    page: Option<u32>,
    sheet: Option<&str>,
) -> Result<(), Unreadable> {
    let Some(xml) = cx.part(name)? else {
        return Ok(());
    };
    let r = drawingml(&xml, name, cx.budget);
    if let Some(lines) = cx.soft(name, r)? {
        cx.emit(kind, page, sheet, name, &lines.text());
    }
    Ok(())
}

/// Every chart of the package not read yet with its slide or sheet (a .docx's charts, charts whose
/// relationships are lost), in part order.
fn charts(cx: &mut Cx<'_, '_, '_>, format: Format) -> Result<(), Unreadable> {
    let folder = match format {
        Format::Docx => "word/charts/chart",
        Format::Xlsx => "xl/charts/chart",
        _ => "ppt/charts/chart",
    };
    let names = part_names(cx.pkg, |n| {
        n.starts_with(folder) && n.ends_with(".xml") && !cx.charts_read.contains(n)
    });
    for name in names {
        chart_part(cx, &name, None, None)?;
    }
    Ok(())
}

/// A chart (DrawingML charts, ECMA-376 §21.2): its titles and labels, read once.
fn chart_part(
    cx: &mut Cx<'_, '_, '_>,
    name: &str,
    page: Option<u32>,
    sheet: Option<&str>,
) -> Result<(), Unreadable> {
    if !cx.charts_read.insert(name.to_owned()) {
        return Ok(());
    }
    let Some(xml) = cx.part(name)? else {
        return Ok(());
    };
    let r = chartml(&xml, name, cx.budget);
    if let Some(lines) = cx.soft(name, r)? {
        cx.emit(SegmentKind::TextBox, page, sheet, name, &lines.text());
    }
    Ok(())
}

/// The words of a chart: rich text (titles of the chart and its axes, data labels typed in) and the
/// string caches of its series names and categories (what the chart shows from its data, kept in the
/// chart: a chart copied from a workbook carries no workbook). Numbers are left out.
fn chartml(xml: &str, part: &str, budget: &mut Budget) -> Result<Lines, Unreadable> {
    let mut r = XmlReader::new(xml, part);
    let mut flow = Flow::new();
    flow.push_target();
    let mut alt = Alternates::default();
    // Local names of the open elements: a value is text only under a string cache or literal, or as
    // a series name given in place (`c:tx/c:v`).
    let mut open: Vec<&str> = Vec::new();
    let mut in_text = false;
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Text(t) if in_text => flow.text(&t),
            Ev::Text(_) => {}
            Ev::Start(e) => {
                let name = local(&e);
                if alt.start(name) || name == "extLst" || name == "numCache" || name == "numLit" {
                    r.skip_element(budget)?;
                    continue;
                }
                match name {
                    "p" => flow.open_para(),
                    "t" => in_text = true,
                    "pt" => flow.open_para(),
                    "v" => {
                        in_text = matches!(open.last(), Some(&"tx"))
                            || (open.last() == Some(&"pt")
                                && open.iter().any(|n| {
                                    matches!(*n, "strCache" | "multiLvlStrCache" | "strLit")
                                }));
                        if in_text && open.last() == Some(&"tx") {
                            flow.open_para();
                        }
                    }
                    _ => {}
                }
                open.push(name);
            }
            Ev::End(e) => {
                let name = local_end(&e);
                alt.end(name);
                open.pop();
                match name {
                    "p" | "pt" => flow.close_para(),
                    "t" => in_text = false,
                    "v" => {
                        if in_text && open.last() == Some(&"tx") {
                            flow.close_para();
                        }
                        in_text = false;
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(flow.pop_target())
}

/// Text of simple list-like parts (comments, properties): each `line` element is one line; text counts
/// inside the `text` elements (anywhere in a line when `text` is empty); `skip` elements are ignored.
fn simple_lines(
    xml: &str,
    part: &str,
    budget: &mut Budget,
    line: &[&str],
    text: &[&str],
    skip: &[&str],
) -> Result<Vec<String>, Unreadable> {
    let mut r = XmlReader::new(xml, part);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_line = 0u32;
    let mut in_text = 0u32;
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        let t = cur.trim();
        if !t.is_empty() {
            out.push(t.to_owned());
        }
        cur.clear();
    };
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Start(e) => {
                let name = local(&e);
                if skip.contains(&name) {
                    r.skip_element(budget)?;
                } else if line.contains(&name) {
                    flush(&mut cur, &mut out);
                    in_line += 1;
                } else if text.contains(&name) {
                    in_text += 1;
                }
            }
            Ev::End(e) => {
                let name = local_end(&e);
                if line.contains(&name) {
                    flush(&mut cur, &mut out);
                    in_line = in_line.saturating_sub(1);
                } else if text.contains(&name) {
                    in_text = in_text.saturating_sub(1);
                } else if name == "p" && in_line > 0 {
                    cur.push('\n');
                }
            }
            Ev::Text(t) => {
                if in_line > 0 && (in_text > 0 || text.is_empty()) {
                    cur.push_str(&t);
                }
            }
        }
    }
    flush(&mut cur, &mut out);
    Ok(out)
}

// ---------------------------------------------------------------------------------------- Excel

struct SheetRef {
    name: String,
    part: String,
}

fn xlsx(cx: &mut Cx<'_, '_, '_>) -> Result<(), Unreadable> {
    let wb = cx.main_part("xl/workbook.xml")?;
    if wb.ends_with(".bin") {
        return xlsb::xlsb(cx, &wb);
    }
    let Some(bytes) = cx.pkg.read_named(&wb, cx.budget)? else {
        return Err(Unreadable::corrupt(format!("no {wb} in the package")));
    };
    let xml = PartText::new(bytes);
    let rels = cx.rels(&wb)?;
    let mut sheets = Vec::new();
    {
        let mut r = XmlReader::new(&xml, &wb);
        loop {
            match r.next(cx.budget)? {
                Ev::Eof => break,
                Ev::Start(e) if local(&e) == "sheet" => {
                    let name = attr(&e, "name").unwrap_or_default();
                    let target = rel_id(&e)
                        .and_then(|id| rels.iter().find(|r| r.id == id))
                        .map(|r| r.target.clone());
                    if let Some(part) = target {
                        sheets.push(SheetRef { name, part });
                    }
                }
                _ => {}
            }
        }
    }
    if sheets.is_empty() {
        sheets = sheets_by_part_name(cx, ".xml");
    }

    let sst_part = shared_strings_part(&rels, "xl/sharedStrings.xml");
    let sst = match cx.part(&sst_part)? {
        Some(xml) => {
            let r = sst::read(&xml, &sst_part, cx.budget);
            cx.soft(&sst_part, r)?.unwrap_or_default()
        }
        None => SharedStrings::default(),
    };

    let mut padding_left = MAX_ROW_PADDING;
    let mut done: HashSet<String> = HashSet::new();
    for sheet in &sheets {
        cx.budget.check_time()?;
        let Some(xml) = cx.part(&sheet.part)? else {
            continue;
        };
        let r = worksheet(&xml, &sheet.part, &sst, &mut padding_left, cx.budget);
        let Some(ws) = cx.soft(&sheet.part, r)? else {
            continue;
        };
        drop(xml);
        let text = SheetText {
            cells: &ws.cells,
            header: &ws.header,
            footer: &ws.footer,
        };
        sheet_and_relations(cx, &sheet.name, &sheet.part, &text, &mut done)?;
    }
    unreferenced_parts(cx, &done)?;
    pivot_caches(cx)
}

/// Sheets by the usual part names (`xl/worksheets/sheetN` + `ext`), in number order, named `SheetN`:
/// what still leads to the cells when the workbook or its relationships are lost.
fn sheets_by_part_name(cx: &Cx<'_, '_, '_>, ext: &str) -> Vec<SheetRef> {
    part_names(cx.pkg, |n| {
        n.starts_with("xl/worksheets/sheet") && n.ends_with(ext)
    })
    .into_iter()
    .enumerate()
    .map(|(i, part)| SheetRef {
        name: format!("Sheet{}", i + 1),
        part,
    })
    .collect()
}

/// The shared-strings part the workbook's relationships name, else the usual one.
fn shared_strings_part(rels: &[Rel], usual: &str) -> String {
    rels.iter()
        .find(|r| r.kind.ends_with("/sharedStrings"))
        .map_or_else(|| usual.to_owned(), |r| r.target.clone())
}

/// Comments and drawings no sheet points at (damaged relationships), which still hold text: XML
/// parts, and an .xlsb's binary comments.
fn unreferenced_parts(cx: &mut Cx<'_, '_, '_>, done: &HashSet<String>) -> Result<(), Unreadable> {
    let rest: Vec<String> = cx
        .pkg
        .names()
        .iter()
        .filter(|n| !done.contains(*n))
        .filter(|n| {
            (n.ends_with(".xml")
                && (n.starts_with("xl/comments")
                    || n.starts_with("xl/threadedComments/")
                    || n.starts_with("xl/drawings/drawing")))
                || (n.ends_with(".bin") && n.starts_with("xl/comments"))
        })
        .cloned()
        .collect();
    for name in rest {
        if name.starts_with("xl/drawings/") {
            drawing_part(cx, &name, SegmentKind::TextBox, None, None)?;
        } else {
            sheet_comments(cx, &name, None)?;
        }
    }
    Ok(())
}

/// What a sheet shows: cells (a line per row), headers and footers.
struct SheetText<'t> {
    cells: &'t str,
    header: &'t str,
    footer: &'t str,
}

/// A sheet's text, then what its relationships add to it: comments, drawings and their charts (for
/// .xlsx and .xlsb alike). The parts read go into `done`.
fn sheet_and_relations(
    cx: &mut Cx<'_, '_, '_>,
    name: &str,
    part: &str,
    text: &SheetText<'_>,
    done: &mut HashSet<String>,
) -> Result<(), Unreadable> {
    cx.emit(SegmentKind::Sheet, None, Some(name), part, text.cells);
    cx.emit(SegmentKind::Header, None, Some(name), part, text.header);
    cx.emit(SegmentKind::Footer, None, Some(name), part, text.footer);
    for rel in cx.rels(part)? {
        if done.contains(&rel.target) {
            continue;
        }
        if rel.kind.ends_with("/comments") || rel.kind.ends_with("/threadedComment") {
            sheet_comments(cx, &rel.target, Some(name))?;
            done.insert(rel.target);
        } else if rel.kind.ends_with("/drawing") {
            drawing_part(cx, &rel.target, SegmentKind::TextBox, None, Some(name))?;
            for chart in cx.rels(&rel.target)? {
                if chart.kind.ends_with("/chart") {
                    chart_part(cx, &chart.target, None, Some(name))?;
                }
            }
            done.insert(rel.target);
        }
    }
    Ok(())
}

/// Pivot caches (ECMA-376 §18.10): a pivot table keeps its own copy of every row and every column of
/// its source, also the columns it does not show, and the copy stays when the source sheet is
/// deleted. It is not on any sheet, so it is reported as hidden text: a header line of field names,
/// then one tab-separated line per record (the distinct values per field when no records were saved).
fn pivot_caches(cx: &mut Cx<'_, '_, '_>) -> Result<(), Unreadable> {
    let definitions = part_names(cx.pkg, |n| {
        n.starts_with("xl/pivotCache/pivotCacheDefinition") && n.ends_with(".xml")
    });
    for name in definitions {
        cx.budget.check_time()?;
        let Some(xml) = cx.part(&name)? else {
            continue;
        };
        let r = pivot_fields(&xml, &name, cx.budget);
        drop(xml);
        let Some(fields) = cx.soft(&name, r)? else {
            continue;
        };
        let records = cx
            .rels(&name)?
            .into_iter()
            .find(|r| r.kind.ends_with("/pivotCacheRecords"))
            .map(|r| r.target);
        let mut text = fields
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join("\t");
        let mut part = name.clone();
        let rows = match records {
            Some(records) => match cx.part(&records)? {
                Some(xml) => {
                    let r = pivot_records(&xml, &records, &fields, cx.budget);
                    part = records;
                    cx.soft(&part, r)?
                }
                None => None,
            },
            None => None,
        };
        match rows {
            Some(rows) => {
                for row in rows {
                    text.push('\n');
                    text.push_str(&row);
                }
            }
            None => {
                for f in &fields {
                    text.push('\n');
                    text.push_str(&f.name);
                    text.push(':');
                    if !f.items.is_empty() {
                        text.push(' ');
                        text.push_str(&f.items.join("\t"));
                    }
                }
            }
        }
        cx.emit(SegmentKind::Hidden, None, None, &part, &text);
    }
    Ok(())
}

/// A field of a pivot cache: its name and its distinct values (`sharedItems`), which records name
/// by index.
struct PivotField {
    name: String,
    items: Vec<String>,
}

/// A value element of a pivot cache (`s`, `n`, `d`, `b`, `e`; `m` is missing) as text.
fn pivot_value(name: &str, e: &Tag<'_>) -> Option<String> {
    match name {
        "s" | "n" | "d" | "b" | "e" => Some(attr(e, "v").unwrap_or_default()),
        "m" => Some(String::new()),
        _ => None,
    }
}

fn pivot_fields(xml: &str, part: &str, budget: &mut Budget) -> Result<Vec<PivotField>, Unreadable> {
    let mut r = XmlReader::new(xml, part);
    let mut fields: Vec<PivotField> = Vec::new();
    let mut in_shared = false;
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Start(e) => {
                let name = local(&e);
                match name {
                    "cacheField" => fields.push(PivotField {
                        name: attr(&e, "name").unwrap_or_default(),
                        items: Vec::new(),
                    }),
                    "sharedItems" => in_shared = true,
                    // Grouping ranges and formulas hold no source values.
                    "fieldGroup" | "extLst" => r.skip_element(budget)?,
                    _ if in_shared => {
                        if let (Some(v), Some(f)) = (pivot_value(name, &e), fields.last_mut()) {
                            budget.spend_text(v.len() as u64)?;
                            f.items.push(v);
                        }
                    }
                    _ => {}
                }
            }
            Ev::End(e) => {
                if local_end(&e) == "sharedItems" {
                    in_shared = false;
                }
            }
            Ev::Text(_) => {}
        }
    }
    Ok(fields)
}

/// The records of a pivot cache, one tab-separated line each: an `x` names a shared item of its
/// field by index, any other value is given in place.
fn pivot_records(
    xml: &str,
    part: &str,
    fields: &[PivotField],
    budget: &mut Budget,
) -> Result<Vec<String>, Unreadable> {
    let mut r = XmlReader::new(xml, part);
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut column = 0usize;
    let mut depth_in_record = 0u32;
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Start(e) => {
                let name = local(&e);
                if name == "r" {
                    row.clear();
                    column = 0;
                    depth_in_record = 1;
                    continue;
                }
                if depth_in_record == 0 {
                    continue;
                }
                depth_in_record += 1;
                // Only the record's own children are values (not the `tpls` inside some of them).
                if depth_in_record != 2 {
                    continue;
                }
                let value = if name == "x" {
                    let i = attr(&e, "v").and_then(|v| v.parse::<usize>().ok());
                    Some(
                        i.and_then(|i| fields.get(column)?.items.get(i))
                            .cloned()
                            .unwrap_or_default(),
                    )
                } else {
                    pivot_value(name, &e)
                };
                if let Some(v) = value {
                    if column > 0 {
                        row.push('\t');
                    }
                    budget.spend_text(v.len() as u64 + 1)?;
                    row.push_str(&v);
                    column += 1;
                }
            }
            Ev::End(e) => {
                if depth_in_record == 0 {
                    continue;
                }
                depth_in_record -= 1;
                if depth_in_record == 0 && local_end(&e) == "r" {
                    rows.push(std::mem::take(&mut row));
                }
            }
            Ev::Text(_) => {}
        }
    }
    Ok(rows)
}

fn sheet_comments(
    cx: &mut Cx<'_, '_, '_>,
    name: &str,
    sheet: Option<&str>,
) -> Result<(), Unreadable> {
    if name.ends_with(".bin") {
        return xlsb::binary_comments(cx, name, sheet);
    }
    let Some(xml) = cx.part(name)? else {
        return Ok(());
    };
    let r = if name.contains("threadedComment") {
        simple_lines(&xml, name, cx.budget, &["threadedComment"], &["text"], &[])
    } else {
        simple_lines(&xml, name, cx.budget, &["comment"], &["t"], &["rPh"])
    };
    if let Some(lines) = cx.soft(name, r)? {
        cx.emit(SegmentKind::Comment, None, sheet, name, &lines.join("\n"));
    }
    Ok(())
}

struct Worksheet {
    cells: String,
    header: String,
    footer: String,
}

/// Column index (0-based) from a cell reference such as `AB12`.
fn column_of(r: &str) -> Option<usize> {
    let b = r.as_bytes();
    let letters = &b[..b
        .iter()
        .position(|c| !c.is_ascii_alphabetic())
        .unwrap_or(b.len())];
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut n = 0usize;
    for c in letters {
        n = n * 26 + usize::from(c.to_ascii_uppercase() - b'A' + 1);
    }
    Some(n - 1)
}

/// A shared-string index as a cell's value gives it (`value.trim().parse()`), with the usual all-digits
/// value read without the general parser.
fn shared_index(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    if !b.is_empty() && b.len() <= 9 && b.iter().all(u8::is_ascii_digit) {
        return Some(b.iter().fold(0usize, |n, d| n * 10 + usize::from(d - b'0')));
    }
    value.trim().parse::<usize>().ok()
}

fn worksheet(
    xml: &str,
    part: &str,
    sst: &SharedStrings,
    padding_left: &mut usize,
    budget: &mut Budget,
) -> Result<Worksheet, Unreadable> {
    worksheet_with(xml, part, sst, padding_left, budget, true)
}

/// [`worksheet`], with the direct `sheetData` reader on or off (off only in tests, to compare).
fn worksheet_with(
    xml: &str,
    part: &str,
    sst: &SharedStrings,
    padding_left: &mut usize,
    budget: &mut Budget,
    fast: bool,
) -> Result<Worksheet, Unreadable> {
    let mut r = XmlReader::new(xml, part);
    // Rows go straight into one text, line N = row N: a sheet is mostly tiny cells, and a String per
    // cell and per row was most of the time spent on spreadsheets.
    let mut cells = String::with_capacity(xml.len() / 8);
    let mut lines = 0usize;
    let mut row = RowLine::default();
    let mut row_num: Option<usize> = None;
    let mut cell_type = Cow::Borrowed("");
    let mut cell_col: Option<usize> = None;
    let mut value = String::new();
    let mut in_v = false;
    let mut in_is_t = 0u32;
    let mut in_is = false;
    let mut header = Vec::new();
    let mut footer = Vec::new();
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Start(e) => match local(&e) {
                "sheetData" if fast => {
                    let mut rows = SheetRows {
                        cells: &mut cells,
                        lines: &mut lines,
                        padding_left,
                    };
                    if let Some(from) = r.position()
                        && let Some(to) = sheet_data_fast(xml, from, sst, &mut rows, budget)?
                    {
                        r.resume_after(to);
                    }
                }
                "row" => {
                    row.clear();
                    row_num = attr_str(&e, "r").and_then(|v| v.parse::<usize>().ok());
                }
                "c" => {
                    cell_type = Cow::Borrowed("");
                    cell_col = None;
                    for (key, raw) in attributes(&e) {
                        match key {
                            "t" => cell_type = attr_value(raw),
                            "r" => cell_col = column_of(raw),
                            _ => {}
                        }
                    }
                    value.clear();
                    if let Some(v) = r.simple_text("v", budget)? {
                        value.push_str(&v);
                        // The usual whole cell, `<c …><v>…</v></c>`: finished here, no end event.
                        if r.consume_end("c") {
                            row.cell(cell_col, cell_text(&cell_type, &value, sst));
                            value.clear();
                        }
                    }
                }
                "v" => in_v = true,
                "is" => in_is = true,
                "t" if in_is => in_is_t += 1,
                "rPh" | "f" | "extLst" => r.skip_element(budget)?,
                "oddHeader" | "evenHeader" | "firstHeader" => {
                    let t = r.element_text(budget)?;
                    header.push(strip_header_codes(&t));
                }
                "oddFooter" | "evenFooter" | "firstFooter" => {
                    let t = r.element_text(budget)?;
                    footer.push(strip_header_codes(&t));
                }
                _ => {}
            },
            Ev::Text(t) => {
                if in_v || in_is_t > 0 {
                    value.push_str(&t);
                }
            }
            Ev::End(e) => match local_end(&e) {
                "v" => in_v = false,
                "is" => in_is = false,
                "t" => in_is_t = in_is_t.saturating_sub(1),
                "c" => {
                    row.cell(cell_col, cell_text(&cell_type, &value, sst));
                    value.clear();
                }
                "row" => {
                    SheetRows {
                        cells: &mut cells,
                        lines: &mut lines,
                        padding_left,
                    }
                    .push(&row, row_num);
                    row.clear();
                }
                _ => {}
            },
        }
    }
    cells.truncate(cells.trim_end_matches('\n').len());
    header.dedup();
    footer.dedup();
    Ok(Worksheet {
        cells,
        header: header.join("\n"),
        footer: footer.join("\n"),
    })
}

/// Where a sheet's rows go: one text, line N = row N (empty lines pad skipped rows, within a budget
/// shared by the whole workbook).
struct SheetRows<'w> {
    cells: &'w mut String,
    lines: &'w mut usize,
    padding_left: &'w mut usize,
}

impl SheetRows<'_> {
    fn push(&mut self, row: &RowLine, row_num: Option<usize>) {
        let target = row_num.unwrap_or(*self.lines + 1);
        while *self.lines + 1 < target && *self.padding_left > 0 {
            self.cells.push('\n');
            *self.lines += 1;
            *self.padding_left -= 1;
        }
        self.cells.push_str(&row.line);
        self.cells.push('\n');
        *self.lines += 1;
    }
}

/// Cells read between two checks of the file's time limit on the fast path.
const CELLS_PER_TIME_CHECK: u32 = 4096;

/// `sheetData` read directly, for the shape every spreadsheet writer uses: rows of
/// `<c r=… t=…><v>…</v></c>` cells, optionally with a formula `<f>…</f>` before the value. Anything else
/// (inline strings, comments, namespace prefixes, CDATA, extensions) makes it give up and return
/// `Ok(None)` with nothing written, and the general reader reads the sheet as before. The result is the
/// general reader's, event for event (tested on every sheet of the test and benchmark corpora); it
/// exists because sheets are millions of tiny cells and the general reader spends most of a workbook's
/// time on their tags. `from` is the offset just after `<sheetData>`; on success returns the offset just
/// after `</sheetData>`.
fn sheet_data_fast(
    xml: &str,
    from: usize,
    sst: &SharedStrings,
    rows: &mut SheetRows<'_>,
    budget: &mut Budget,
) -> Result<Option<usize>, Unreadable> {
    let (cells_len, lines, padding) = (rows.cells.len(), *rows.lines, *rows.padding_left);
    match sheet_data_fast_in(xml, from, sst, rows, budget)? {
        Some(end) => Ok(Some(end)),
        None => {
            rows.cells.truncate(cells_len);
            *rows.lines = lines;
            *rows.padding_left = padding;
            Ok(None)
        }
    }
}

fn sheet_data_fast_in(
    xml: &str,
    from: usize,
    sst: &SharedStrings,
    rows: &mut SheetRows<'_>,
    budget: &mut Budget,
) -> Result<Option<usize>, Unreadable> {
    fn name_ends(b: Option<&u8>) -> bool {
        matches!(b, Some(b' ' | b'>' | b'/' | b'\t' | b'\n' | b'\r'))
    }
    let b = xml.as_bytes();
    let mut i = from;
    let mut row = RowLine::default();
    let mut row_num: Option<usize> = None;
    let mut in_row = false;
    let mut value = String::new();
    let mut cells_seen = 0u32;
    loop {
        let Some(lt) = next_lt(b, i) else {
            return Ok(None);
        };
        i += lt;
        let rest = &b[i..];
        if rest.starts_with(b"</sheetData>") {
            return Ok((!in_row).then_some(i + "</sheetData>".len()));
        }
        if rest.starts_with(b"</row>") {
            if !in_row {
                return Ok(None);
            }
            rows.push(&row, row_num);
            in_row = false;
            i += "</row>".len();
            continue;
        }
        if rest.starts_with(b"<row") && name_ends(rest.get(4)) {
            // Rows never nest; a row inside a row is for the general reader to judge.
            if in_row {
                return Ok(None);
            }
            let Some(gt) = tag_end_at(b, i + 4) else {
                return Ok(None);
            };
            let raw = &xml[i + 4..gt];
            let empty = raw.ends_with('/');
            row.clear();
            // By local name, as the general reader takes a row's number.
            row_num = attributes_of(raw.trim_end_matches('/'))
                .find(|(k, _)| local_name(k) == "r")
                .and_then(|(_, v)| attr_value(v).parse::<usize>().ok());
            i = gt + 1;
            if empty {
                rows.push(&row, row_num);
            } else {
                in_row = true;
            }
            continue;
        }
        if !(rest.starts_with(b"<c") && name_ends(rest.get(2)) && in_row) {
            return Ok(None);
        }
        cells_seen = cells_seen.wrapping_add(1);
        if cells_seen.is_multiple_of(CELLS_PER_TIME_CHECK) {
            budget.check_time()?;
        }
        let Some(tag) = cell_tag(b, i + 2) else {
            return Ok(None);
        };
        i = tag.end + 1;
        let empty = tag.empty;
        let cell_type = tag
            .t
            .map_or(Cow::Borrowed(""), |(s, e)| attr_value(&xml[s..e]));
        let cell_col = tag.r.and_then(|(s, e)| column_of(&xml[s..e]));
        if empty {
            // No value: nothing to show, as with the general reader.
            continue;
        }
        // The usual cell, `<v>…</v></c>` straight after its tag: the value is used where it stands.
        if let Some((start, end)) = plain_value(b, i) {
            let v = unescape(&xml[start..end]);
            budget.spend_text(v.len() as u64)?;
            row.cell(cell_col, cell_text(&cell_type, &v, sst));
            i = end + "</v></c>".len();
            continue;
        }
        value.clear();
        loop {
            while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            let rest = b.get(i..).unwrap_or_default();
            if rest.starts_with(b"</c>") {
                i += "</c>".len();
                break;
            }
            if rest.starts_with(b"<v>") {
                let start = i + 3;
                let Some(end) = b.get(start..).and_then(|r| memchr::memchr(b'<', r)) else {
                    return Ok(None);
                };
                let end = start + end;
                if !b[end..].starts_with(b"</v>") {
                    return Ok(None);
                }
                let t = unescape(&xml[start..end]);
                budget.spend_text(t.len() as u64)?;
                value.push_str(&t);
                i = end + "</v>".len();
                continue;
            }
            if rest.starts_with(b"<f") && name_ends(rest.get(2)) {
                // A formula: its text is not shown (the general reader skips it too).
                let Some(gt) = tag_end_at(b, i + 2) else {
                    return Ok(None);
                };
                if b[gt - 1] == b'/' {
                    i = gt + 1;
                    continue;
                }
                let Some(end) = b.get(gt..).and_then(|r| memchr::memchr(b'<', r)) else {
                    return Ok(None);
                };
                let end = gt + end;
                if !b[end..].starts_with(b"</f>") {
                    return Ok(None);
                }
                i = end + "</f>".len();
                continue;
            }
            return Ok(None);
        }
        row.cell(cell_col, cell_text(&cell_type, &value, sst));
    }
}

/// Where the value of `<v>…</v></c>` at `at` starts and ends, when that is exactly what stands there.
fn plain_value(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let start = at + "<v>".len();
    if !b.get(at..)?.starts_with(b"<v>") {
        return None;
    }
    // Values are a few bytes: a plain loop, not a vector search.
    let end = start + b.get(start..)?.iter().position(|&c| c == b'<')?;
    b[end..].starts_with(b"</v></c>").then_some((start, end))
}

/// A cell's start tag, read in one pass: where its `>` is, whether it is empty (`/>`), and where the
/// values of `t` and `r` are (the last of each, as the general reader takes them). `None` for anything
/// a well-formed tag would not hold.
struct CellTag {
    end: usize,
    empty: bool,
    t: Option<(usize, usize)>,
    r: Option<(usize, usize)>,
}

fn cell_tag(b: &[u8], mut i: usize) -> Option<CellTag> {
    let mut tag = CellTag {
        end: 0,
        empty: false,
        t: None,
        r: None,
    };
    loop {
        while b.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        match *b.get(i)? {
            b'>' => {
                tag.end = i;
                return Some(tag);
            }
            b'/' => {
                (*b.get(i + 1)? == b'>').then_some(())?;
                tag.end = i + 1;
                tag.empty = true;
                return Some(tag);
            }
            _ => {}
        }
        let key_start = i;
        while !matches!(*b.get(i)?, b'=' | b'>' | b'/' | b'"' | b'\'')
            && !b[i].is_ascii_whitespace()
        {
            i += 1;
        }
        let key = &b[key_start..i];
        if key.is_empty() {
            // The general reader stops reading attributes here; let it read the whole sheet.
            return None;
        }
        while b.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        (*b.get(i)? == b'=').then_some(())?;
        i += 1;
        while b.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        let quote = *b.get(i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let start = i + 1;
        let len = b.get(start..)?.iter().position(|&c| c == quote)?;
        let value = Some((start, start + len));
        match key {
            b"t" => tag.t = value,
            b"r" => tag.r = value,
            _ => {}
        }
        i = start + len + 1;
    }
}

/// A cell's text from its type and raw value: a shared string by index, a boolean, or the value.
fn cell_text<'s>(cell_type: &str, value: &'s str, sst: &'s SharedStrings) -> &'s str {
    match cell_type {
        "s" => shared_index(value).and_then(|i| sst.get(i)).unwrap_or(""),
        "b" => match value.trim() {
            "1" => "TRUE",
            "0" => "FALSE",
            v => v,
        },
        _ => value,
    }
}

/// One spreadsheet row as a line: cells joined by tabs, empty columns kept as tabs (within a cap) so a
/// cell stays under its heading.
#[derive(Default)]
struct RowLine {
    line: String,
    cells: usize,
    next_col: usize,
    padded: usize,
}

impl RowLine {
    /// Empty again, keeping the buffer.
    fn clear(&mut self) {
        self.line.clear();
        self.cells = 0;
        self.next_col = 0;
        self.padded = 0;
    }

    /// Add a cell; `col` is its 0-based column when the file says, else the next one.
    fn cell(&mut self, col: Option<usize>, text: &str) {
        if text.is_empty() {
            return;
        }
        let col = col.unwrap_or(if self.cells == 0 { 0 } else { self.next_col });
        if self.cells > 0 {
            self.line.push('\t');
        }
        let gap = col
            .saturating_sub(self.next_col)
            .min(MAX_COLUMN_PADDING.saturating_sub(self.padded));
        for _ in 0..gap {
            self.line.push('\t');
        }
        self.padded += gap;
        if text.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\r')) {
            self.line.push_str(&text.replace(['\t', '\n', '\r'], " "));
        } else {
            self.line.push_str(text);
        }
        self.next_col = col.saturating_add(1).max(self.next_col + 1);
        self.cells += 1;
    }
}

/// Excel header/footer strings carry formatting codes (`&L`, `&C`, `&R` sections, `&P` page number,
/// `&"font,style"`, `&12` size…). Each section becomes its own line so a marking in `&L` starts a line.
pub(crate) fn strip_header_codes(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '&' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('&') => out.push('&'),
            Some('L' | 'C' | 'R') if !out.is_empty() && !out.ends_with('\n') => out.push('\n'),
            Some('L' | 'C' | 'R') => {}
            Some('"') => {
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                }
            }
            Some('K') => {
                for _ in 0..6 {
                    if chars
                        .next_if(|c| c.is_ascii_hexdigit() || *c == '+' || *c == '-')
                        .is_none()
                    {
                        break;
                    }
                }
            }
            Some(d) if d.is_ascii_digit() => {
                while chars.next_if(|c| c.is_ascii_digit()).is_some() {}
            }
            // &P &N &D &T &F &A &Z &G &B &I &U &E &S &X &Y: fields and styles, no text of their own.
            _ => {}
        }
    }
    out.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

// ----------------------------------------------------------------------------------- PowerPoint

fn pptx(cx: &mut Cx<'_, '_, '_>) -> Result<(), Unreadable> {
    let pres = cx.main_part("ppt/presentation.xml")?;
    let Some(bytes) = cx.pkg.read_named(&pres, cx.budget)? else {
        return Err(Unreadable::corrupt(format!("no {pres} in the package")));
    };
    let xml = PartText::new(bytes);
    let rels = cx.rels(&pres)?;
    let mut slides: Vec<String> = Vec::new();
    {
        let mut r = XmlReader::new(&xml, &pres);
        loop {
            match r.next(cx.budget)? {
                Ev::Eof => break,
                Ev::Start(e) if local(&e) == "sldId" => {
                    if let Some(t) = rel_id(&e).and_then(|id| rels.iter().find(|r| r.id == id)) {
                        slides.push(t.target.clone());
                    }
                }
                _ => {}
            }
        }
    }
    if slides.is_empty() {
        slides = part_names(cx.pkg, |n| {
            n.starts_with("ppt/slides/slide") && n.ends_with(".xml")
        });
    }
    let mut done: HashSet<String> = HashSet::new();
    for (i, slide) in slides.iter().enumerate() {
        cx.budget.check_time()?;
        let page = Some(u32::try_from(i + 1).unwrap_or(u32::MAX));
        drawing_part(cx, slide, SegmentKind::Slide, page, None)?;
        for rel in cx.rels(slide)? {
            if rel.kind.ends_with("/notesSlide") {
                drawing_part(cx, &rel.target, SegmentKind::SpeakerNotes, page, None)?;
            } else if rel.kind.ends_with("/chart") {
                chart_part(cx, &rel.target, page, None)?;
            } else if rel.kind.ends_with("/comments") && !done.contains(&rel.target) {
                slide_comments(cx, &rel.target, page)?;
                done.insert(rel.target);
            }
        }
    }
    let rest: Vec<String> = cx
        .pkg
        .names()
        .iter()
        .filter(|n| n.starts_with("ppt/comments/") && n.ends_with(".xml") && !done.contains(*n))
        .cloned()
        .collect();
    for name in rest {
        slide_comments(cx, &name, None)?;
    }
    masters(cx)
}

/// What slide masters and layouts print on every slide that uses them, beside the slide's own text:
/// their shapes other than placeholders, as headers (a marking there stands on each page).
fn masters(cx: &mut Cx<'_, '_, '_>) -> Result<(), Unreadable> {
    let names = part_names(cx.pkg, |n| {
        (n.starts_with("ppt/slideMasters/slideMaster")
            || n.starts_with("ppt/slideLayouts/slideLayout"))
            && n.ends_with(".xml")
    });
    for name in names {
        cx.budget.check_time()?;
        let Some(xml) = cx.part(&name)? else {
            continue;
        };
        let r = drawingml_shapes(&xml, &name, cx.budget, true);
        if let Some(lines) = cx.soft(&name, r)? {
            cx.emit(SegmentKind::Header, None, None, &name, &lines.text());
        }
    }
    Ok(())
}

fn slide_comments(
    cx: &mut Cx<'_, '_, '_>,
    name: &str,
    page: Option<u32>,
) -> Result<(), Unreadable> {
    let Some(xml) = cx.part(name)? else {
        return Ok(());
    };
    // Legacy comments keep their text in `p:text`; modern ones in DrawingML paragraphs (`a:t`).
    let r = simple_lines(&xml, name, cx.budget, &["cm", "reply"], &["text", "t"], &[]);
    if let Some(lines) = cx.soft(name, r)? {
        cx.emit(SegmentKind::Comment, page, None, name, &lines.join("\n"));
    }
    Ok(())
}

// ------------------------------------------------------------------------------- Shared parts

/// docProps: core properties (title, subject, keywords, description, author, last editor) and custom
/// properties, where labelling tools write a document's 密级.
fn properties(cx: &mut Cx<'_, '_, '_>) -> Result<(), Unreadable> {
    const CORE: &str = "docProps/core.xml";
    if let Some(xml) = cx.part(CORE)? {
        let fields = [
            "title",
            "subject",
            "keywords",
            "description",
            "creator",
            "lastModifiedBy",
            "category",
            "contentStatus",
        ];
        let r = simple_lines(&xml, CORE, cx.budget, &fields, &[], &[]);
        if let Some(lines) = cx.soft(CORE, r)? {
            cx.emit(SegmentKind::Metadata, None, None, CORE, &lines.join("\n"));
        }
    }
    const CUSTOM: &str = "docProps/custom.xml";
    if let Some(xml) = cx.part(CUSTOM)? {
        let r = custom_properties(&xml, CUSTOM, cx.budget);
        if let Some(lines) = cx.soft(CUSTOM, r)? {
            cx.emit(SegmentKind::Metadata, None, None, CUSTOM, &lines.join("\n"));
        }
    }
    Ok(())
}

fn custom_properties(
    xml: &str,
    part: &str,
    budget: &mut Budget,
) -> Result<Vec<String>, Unreadable> {
    let mut r = XmlReader::new(xml, part);
    let mut out = Vec::new();
    loop {
        match r.next(budget)? {
            Ev::Eof => return Ok(out),
            Ev::Start(e) if local(&e) == "property" => {
                let name = attr(&e, "name").unwrap_or_default();
                let value = r.element_text(budget)?;
                let value = value.trim();
                if !value.is_empty() {
                    out.push(format!("{name}: {value}"));
                }
            }
            _ => {}
        }
    }
}

/// Embedded files (OLE objects, nested workbooks, packages) are documents of their own.
fn embeddings(cx: &mut Cx<'_, '_, '_>, prefix: &str) -> Result<(), Unreadable> {
    let members: Vec<(usize, String)> = cx
        .pkg
        .names()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.starts_with(prefix) && !n.ends_with('/'))
        .map(|(i, n)| (i, n.clone()))
        .collect();
    for (i, name) in members {
        cx.budget.check_time()?;
        let r = cx.pkg.read(i, cx.budget);
        let Some(bytes) = cx.soft(&name, r)? else {
            continue;
        };
        crate::extract_member(&name, &bytes, cx.inner, cx.budget, cx.visitor)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::testing::{Collect, fixture, ok_parser, run_parser, zip};

    fn run(format: Format, data: &[u8]) -> (Result<(), Unreadable>, Collect) {
        run_parser(
            |f, d, i, b, v| extract(f, d, i, b, v).map(|_| ()),
            format,
            data,
        )
    }

    fn ok(format: Format, data: &[u8]) -> Collect {
        ok_parser(
            |f, d, i, b, v| extract(f, d, i, b, v).map(|_| ()),
            format,
            data,
        )
    }

    fn docx_with(document: &str) -> Vec<u8> {
        zip(&[("word/document.xml", document.as_bytes())])
    }

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

    /// The direct `sheetData` reader gives what the general reader gives, on every cell shape it takes
    /// and on shapes it hands back.
    #[test]
    fn sheet_data_fast_path_equals_the_general_reader() {
        let sst: SharedStrings = ["机密★1年", "名单", "a\tb"].into_iter().collect();
        let sheets = [
            // Shared strings, numbers, booleans, formulas (with and without value), empty cells,
            // gaps between rows and columns, an empty row, entities, a `>` inside an attribute value,
            // single quotes, white space between tags.
            r#"<worksheet><sheetData>
<row r="1" spans="1:3"><c r="A1" s="1" t="s"><v>0</v></c><c r="C1" t="n"><v>3.5</v></c></row>
<row r="3"><c r='B3' t='b'><v>1</v></c><c r="D3" t="str"><f>CONCAT("a","b")</f><v>ab</v></c><c r="E3"><f t="shared" si="0"/><v>7</v></c></row>
<row r="4"/>
<row r="6" x14ac:dyDescent="0.25"><c r="A6" s="2"/><c r="B6" t="s"><v> 1 </v></c><c r="C6" t="str" note="a>b"><v>x &amp; y&#x2605;</v></c><c r="D6" t="s"><v>2</v></c></row>
<row><c t="inlineStr"><v>9</v></c><c><v></v></c></row>
<row x:r="9"><c r="B9"><v>x:r</v></c></row><row r="11" r="12"><c r="A11" r="C11"><v>2r</v></c></row>
</sheetData><headerFooter><oddHeader>&amp;C机密</oddHeader></headerFooter></worksheet>"#,
            // Shapes the direct reader hands back to the general one.
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>内联</t></is></c></row></sheetData></worksheet>"#,
            r#"<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>5</x:v></x:c></x:row></x:sheetData></x:worksheet>"#,
            r#"<worksheet><sheetData><row r="1"><c r="A1"><v><![CDATA[1<2]]></v></c><!-- c --></row></sheetData></worksheet>"#,
            r#"<worksheet><sheetData><c r="A1"><v>1</v></c><row r="2"><c r="A2"><v>2</v><extLst/></c></row></sheetData></worksheet>"#,
            r#"<worksheet><sheetData/></worksheet>"#,
        ];
        for xml in sheets {
            let read = |fast: bool| {
                let mut budget = Budget::new(crate::Limits::default());
                let mut padding = 3;
                worksheet_with(
                    xml,
                    "xl/worksheets/sheet1.xml",
                    &sst,
                    &mut padding,
                    &mut budget,
                    fast,
                )
                .map(|w| (w.cells, w.header, w.footer, padding))
                .map_err(|e| e.to_string())
            };
            assert_eq!(read(true), read(false), "{xml}");
        }
        let mut budget = Budget::new(crate::Limits::default());
        let mut padding = 3;
        let ws = worksheet(sheets[0], "s", &sst, &mut padding, &mut budget).expect("reads");
        assert_eq!(
            ws.cells,
            "机密★1年\t\t3.5\n\n\tTRUE\t\tab\t7\n\n\n\t名单\tx & y★\ta b\n9\n\n\tx:r\n\t\t2r"
        );
    }

    /// Damaged sheets: byte deletions, insertions and swaps at many places never panic, and the direct
    /// reader never gives anything the general reader would not.
    #[test]
    fn sheet_data_fast_path_on_damaged_sheets() {
        let sst: SharedStrings = ["机密", "x"].into_iter().collect();
        let base = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="str"><f>A1&amp;"y"</f><v>a&lt;b</v></c></row><row r="3" spans="1:2"><c r='B3' t="b"><v>1</v></c><c r="C3"/></row></sheetData><headerFooter><oddHeader>&amp;C机密</oddHeader></headerFooter></worksheet>"#;
        let inserts: [&[u8]; 6] = [b"<", b">", b"\"", b"/", b"<v>", b"</c>"];
        crate::xml::testing::for_each_damaged(base, &inserts, 0x9e37_79b9, 3000, |xml| {
            let read = |fast: bool| {
                let mut budget = Budget::new(crate::Limits::default());
                let mut padding = 3;
                worksheet_with(xml, "s", &sst, &mut padding, &mut budget, fast)
                    .map(|w| (w.cells, w.header, w.footer, padding))
                    .map_err(|e| e.to_string())
            };
            let (fast, general) = (read(true), read(false));
            if general.is_ok() {
                assert_eq!(fast, general, "{xml}");
            }
        });
    }

    #[test]
    fn docx_fixture_places() {
        let c = ok(Format::Docx, &fixture("notice.docx"));
        let body = c.of(SegmentKind::Body);
        assert_eq!(body.len(), 2, "{body:#?}");
        assert_eq!(body[0].page, Some(1));
        assert_eq!(body[1].page, Some(2));
        let first: Vec<&str> = body[0].text.lines().take(3).collect();
        assert_eq!(first, ["000001", "机密★1年", "关于加强保密管理的通知"]);
        // The text box is read once, not once from Choice and again from Fallback.
        assert_eq!(body[0].text.matches("000001").count(), 1);
        assert!(body[0].text.contains("密级\t机密"), "{}", body[0].text);
        assert!(body[0].text.contains("期限\t一年 自印发之日起"));
        assert!(body[1].text.starts_with("第二页内容"));
        assert!(!body[0].text.contains("已删除"));
        let header = c.of(SegmentKind::Header);
        assert_eq!(header.len(), 1);
        assert_eq!(header[0].text, "机密★1年");
        assert_eq!(header[0].part.as_deref(), Some("word/header1.xml"));
        assert!(c.text_of(SegmentKind::Footer).contains("内部资料 注意保存"));
        assert!(c.text_of(SegmentKind::Note).contains("脚注：依据保密法"));
        assert!(c.text_of(SegmentKind::Comment).contains("批注：请核对密级"));
        assert!(c.text_of(SegmentKind::Hidden).contains("已删除的秘密文字"));
        assert!(
            c.text_of(SegmentKind::Metadata)
                .contains("关于加强保密管理的通知")
        );
        assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
    }

    #[test]
    fn xlsx_fixture_places() {
        let c = ok(Format::Xlsx, &fixture("book.xlsx"));
        let sheets = c.of(SegmentKind::Sheet);
        assert_eq!(sheets.len(), 2);
        assert_eq!(sheets[0].sheet.as_deref(), Some("名单"));
        let lines: Vec<&str> = sheets[0].text.split('\n').collect();
        assert_eq!(lines[0], "秘密★6个月");
        assert_eq!(lines[1], "姓名\t单位\t数量");
        assert_eq!(lines[2], "张三\t\t42");
        assert_eq!(lines[5], "第六行", "line number is row number: {lines:?}");
        // A hidden sheet is still read.
        assert_eq!(sheets[1].sheet.as_deref(), Some("隐藏表"));
        assert_eq!(sheets[1].text, "绝密资料");
        let header = c.of(SegmentKind::Header);
        assert_eq!(header[0].text, "秘密★6个月");
        assert_eq!(header[0].sheet.as_deref(), Some("名单"));
        assert_eq!(c.of(SegmentKind::Footer)[0].text, "第1页");
        let comments = c.of(SegmentKind::Comment);
        assert!(comments[0].text.contains("批注：核实数量"));
        assert_eq!(comments[0].sheet.as_deref(), Some("名单"));
        assert!(c.text_of(SegmentKind::Metadata).contains("人员名单"));
    }

    /// LibreOffice's export of a master with a text box of its own: the box is read as a header, the
    /// placeholders' prompts ("Click to edit the title text format") are not.
    #[test]
    fn pptx_master_text_box_is_a_header() {
        let c = ok(
            Format::Pptx,
            &crate::xml::testing::fixture_in("ole", "master.pptx"),
        );
        assert_eq!(c.text_of(SegmentKind::Header), "内部资料 注意保存");
        assert!(
            c.segs.iter().all(|s| !s.text.contains("Click to edit")),
            "{:#?}",
            c.segs
        );
    }

    #[test]
    fn pptx_fixture_places() {
        let c = ok(Format::Pptx, &fixture("slides.pptx"));
        let slides = c.of(SegmentKind::Slide);
        assert_eq!(slides.len(), 2);
        assert_eq!(slides[0].page, Some(1));
        assert!(
            slides[0].text.starts_with("机密★1年\n第一张幻灯片标题"),
            "{}",
            slides[0].text
        );
        assert_eq!(slides[1].page, Some(2));
        let notes = c.of(SegmentKind::SpeakerNotes);
        assert_eq!(notes.len(), 2);
        assert!(notes[0].text.contains("备注：口头说明内容"));
        assert_eq!(notes[0].page, Some(1));
        assert!(notes[1].text.contains("第二页备注"));
        assert_eq!(notes[1].page, Some(2));
        assert!(c.text_of(SegmentKind::Metadata).contains("汇报材料"));
    }

    #[test]
    fn ole_magic_is_encrypted() {
        let mut data = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        data.resize(4096, 0);
        let (r, _) = run(Format::Docx, &data);
        let e = r.expect_err("encrypted");
        assert_eq!(e.reason, UnscannedReason::Encrypted);
        assert_eq!(e.detail, "password-protected Office document");
    }

    #[test]
    fn missing_document_is_corrupt() {
        let data = zip(&[("word/styles.xml", b"<w:styles/>")]);
        let (r, _) = run(Format::Docx, &data);
        assert_eq!(r.expect_err("no body").reason, UnscannedReason::Corrupt);
        let (r, _) = run(Format::Xlsx, &data);
        assert_eq!(r.expect_err("no workbook").reason, UnscannedReason::Corrupt);
        let (r, _) = run(Format::Pptx, &data);
        assert_eq!(
            r.expect_err("no presentation").reason,
            UnscannedReason::Corrupt
        );
    }

    #[test]
    fn truncated_zip_is_corrupt() {
        let data = fixture("notice.docx");
        for cut in [10, data.len() / 2, data.len() - 30] {
            let (r, _) = run(Format::Docx, &data[..cut]);
            assert!(r.is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn billion_laughs_is_not_expanded() {
        let doc = format!(
            r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<w:document {W}><w:body><w:p><w:r><w:t>a&lol9;b &lt;&#x673A;&#23494;&gt;</w:t></w:r></w:p></w:body></w:document>"#
        );
        let c = ok(Format::Docx, &docx_with(&doc));
        assert_eq!(c.text_of(SegmentKind::Body), "ab <机密>");
    }

    #[test]
    fn deep_nesting_is_a_limit() {
        let mut doc = format!("<w:document {W}><w:body>");
        doc.push_str(&"<w:sdt>".repeat(10_000));
        doc.push_str(&"</w:sdt>".repeat(10_000));
        doc.push_str("</w:body></w:document>");
        let (r, _) = run(Format::Docx, &docx_with(&doc));
        assert_eq!(r.expect_err("too deep").reason, UnscannedReason::Limit);
    }

    #[test]
    fn alternate_content_read_once_and_field_codes_skipped() {
        let doc = format!(
            r#"<w:document {W}><w:body><w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:txbxContent><w:p><w:r><w:t>机密★1年</w:t></w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>机密★1年</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r><w:r><w:instrText>PAGE \* MERGEFORMAT</w:instrText></w:r><w:r><w:t>正文</w:t><w:tab/><w:t>x</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏文字</w:t></w:r><w:r><w:t>可见</w:t></w:r></w:p></w:body></w:document>"#
        );
        let c = ok(Format::Docx, &docx_with(&doc));
        assert_eq!(c.text_of(SegmentKind::Body), "机密★1年\n正文\tx\n可见");
        assert_eq!(c.text_of(SegmentKind::Hidden), "隐藏文字");
        assert_eq!(c.of(SegmentKind::Body)[0].page, Some(1));
    }

    #[test]
    fn sections_and_rendered_breaks() {
        let doc = format!(
            r#"<w:document {W}><w:body><w:p><w:r><w:t>一</w:t></w:r><w:r><w:br w:type="page"/></w:r></w:p><w:p><w:r><w:lastRenderedPageBreak/><w:t>二</w:t></w:r></w:p><w:p><w:pPr><w:sectPr/></w:pPr><w:r><w:t>二b</w:t></w:r></w:p><w:p><w:r><w:t>三</w:t></w:r></w:p><w:p><w:pPr><w:sectPr><w:type w:val="nextPage"/></w:sectPr></w:pPr></w:p><w:p><w:r><w:t>三b</w:t></w:r></w:p><w:sectPr><w:type w:val="continuous"/></w:sectPr></w:body></w:document>"#
        );
        let c = ok(Format::Docx, &docx_with(&doc));
        let pages: Vec<(Option<u32>, &str)> = c
            .of(SegmentKind::Body)
            .iter()
            .map(|s| (s.page, s.text.as_str()))
            .collect();
        assert_eq!(
            pages,
            [(Some(1), "一"), (Some(2), "二\n二b"), (Some(3), "三\n三b")]
        );
    }

    #[test]
    fn shared_string_out_of_range_is_skipped() {
        let wb = br#"<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/><sheet name="gone" sheetId="2" r:id="rId9"/></sheets></workbook>"#;
        let rels = br#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
        let sst = r#"<sst><si><t>甲</t></si><si><r><t>机</t></r><r><t>密</t></r><rPh><t>ji mi</t></rPh></si></sst>"#.as_bytes();
        let sheet = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>99999999999</v></c><c r="C1" t="s"><v>1</v></c><c r="D1" t="s"><v>-1</v></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>底</t></is></c></row></sheetData></worksheet>"#.as_bytes();
        let data = zip(&[
            ("xl/workbook.xml", wb),
            ("xl/_rels/workbook.xml.rels", rels),
            ("xl/sharedStrings.xml", sst),
            ("xl/worksheets/sheet1.xml", sheet),
        ]);
        let c = ok(Format::Xlsx, &data);
        let s = c.of(SegmentKind::Sheet);
        assert_eq!(s.len(), 1);
        let lines: Vec<&str> = s[0].text.split('\n').collect();
        assert_eq!(lines[0], "甲\t\t机密");
        // Padding is capped: not a million blank lines.
        assert!(lines.len() <= MAX_ROW_PADDING + 2, "{}", lines.len());
        assert!(
            lines
                .last()
                .is_some_and(|l| l.ends_with("底") && l.len() < 300)
        );
    }

    #[test]
    fn header_codes_are_stripped() {
        assert_eq!(
            strip_header_codes("&L&\"宋体,Bold\"&12机密★1年&C第&P页 共&N页&R&KFF0000A&&B"),
            "机密★1年\n第页 共页\nA&B"
        );
    }

    #[test]
    fn targets_resolve_relative_to_their_part() {
        assert_eq!(
            resolve("ppt/slides/slide1.xml", "../notesSlides/notesSlide1.xml"),
            "ppt/notesSlides/notesSlide1.xml"
        );
        assert_eq!(
            resolve("xl/workbook.xml", "/xl/worksheets/sheet%201.xml"),
            "xl/worksheets/sheet 1.xml"
        );
        assert_eq!(resolve("", "word/document.xml"), "word/document.xml");
        assert_eq!(resolve("a.xml", "../../../x"), "x");
    }

    /// A body imported from MHT (GB2312, base64) and HTML by `w:altChunk`, as office-automation systems
    /// write it (fixture by tests/fixtures/office/make_altchunk.py): each chunk is read in its format.
    #[test]
    fn alt_chunks_are_read_as_the_body() {
        let data = crate::xml::testing::fixture_in("corpus/formats", "公文处理单_altchunk.docx");
        let c = ok(Format::Docx, &data);
        let body = c.text_of(SegmentKind::Body);
        assert!(
            body.starts_with("机密★5年\n关于某案件侦查情况的报告"),
            "{body}"
        );
        assert!(body.contains("承办部门\t第一检察部"), "{body}");
        assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
    }

    #[test]
    fn drawings_comments_and_embedded_documents() {
        let wb = br#"<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
        let rels = br#"<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
        let sheet_rels = br#"<Relationships><Relationship Id="rId1" Type="x/drawing" Target="../drawings/drawing1.xml"/><Relationship Id="rId2" Type="x/threadedComment" Target="../threadedComments/threadedComment1.xml"/></Relationships>"#;
        let drawing = r#"<xdr:wsDr xmlns:xdr="x" xmlns:a="a"><xdr:sp><xdr:txBody><a:p><a:r><a:t>机密★5年</a:t></a:r></a:p></xdr:txBody></xdr:sp></xdr:wsDr>"#;
        let threaded = r#"<ThreadedComments><threadedComment ref="A1"><text>线程批注</text></threadedComment></ThreadedComments>"#;
        let inner_doc = docx_with(&format!(
            "<w:document {W}><w:body><w:p><w:r><w:t>嵌入的机密文件</w:t></w:r></w:p></w:body></w:document>"
        ));
        let data = zip(&[
            ("xl/workbook.xml", wb),
            ("xl/_rels/workbook.xml.rels", rels),
            ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData/></worksheet>"),
            ("xl/worksheets/_rels/sheet1.xml.rels", sheet_rels),
            ("xl/drawings/drawing1.xml", drawing.as_bytes()),
            ("xl/threadedComments/threadedComment1.xml", threaded.as_bytes()),
            ("xl/embeddings/Microsoft_Word_Document.docx", &inner_doc),
            ("docProps/custom.xml", r#"<Properties><property name="密级"><vt:lpwstr>机密</vt:lpwstr></property></Properties>"#.as_bytes()),
        ]);
        let c = ok(Format::Xlsx, &data);
        let tb = c.of(SegmentKind::TextBox);
        assert_eq!(tb[0].text, "机密★5年");
        assert_eq!(tb[0].sheet.as_deref(), Some("S"));
        assert_eq!(c.of(SegmentKind::Comment)[0].text, "线程批注");
        assert_eq!(c.text_of(SegmentKind::Metadata), "密级: 机密");
        assert_eq!(c.text_of(SegmentKind::Body), "嵌入的机密文件");

        let pres = br#"<p:presentation xmlns:p="p" xmlns:r="r"><p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst></p:presentation>"#;
        let prels = br#"<Relationships><Relationship Id="rId2" Type="x/slide" Target="slides/slide1.xml"/></Relationships>"#;
        let slide = r#"<p:sld xmlns:p="p" xmlns:a="a" show="0"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>隐藏幻灯片</a:t></a:r><a:br/><a:r><a:t>第二行</a:t></a:r></a:p></p:txBody></p:sp><p:graphicFrame><a:tbl><a:tr><a:tc><a:txBody><a:p><a:r><a:t>甲</a:t></a:r></a:p></a:txBody></a:tc><a:tc><a:txBody><a:p><a:r><a:t>乙</a:t></a:r></a:p></a:txBody></a:tc></a:tr></a:tbl></p:graphicFrame></p:spTree></p:cSld></p:sld>"#;
        let srels = br#"<Relationships><Relationship Id="rId1" Type="x/comments" Target="../comments/comment1.xml"/><Relationship Id="rId9" Type="x/notesSlide" Target="../notesSlides/missing.xml"/></Relationships>"#;
        let comment = r#"<p:cmLst xmlns:p="p"><p:cm authorId="0"><p:pos x="1" y="1"/><p:text>幻灯片批注</p:text></p:cm></p:cmLst>"#;
        let data = zip(&[
            ("ppt/presentation.xml", pres),
            ("ppt/_rels/presentation.xml.rels", prels),
            ("ppt/slides/slide1.xml", slide.as_bytes()),
            ("ppt/slides/_rels/slide1.xml.rels", srels),
            ("ppt/comments/comment1.xml", comment.as_bytes()),
        ]);
        let c = ok(Format::Pptx, &data);
        assert_eq!(c.text_of(SegmentKind::Slide), "隐藏幻灯片\n第二行\n甲\t乙");
        let cm = c.of(SegmentKind::Comment);
        assert_eq!((cm[0].page, cm[0].text.as_str()), (Some(1), "幻灯片批注"));
        assert!(c.of(SegmentKind::SpeakerNotes).is_empty());
    }

    #[test]
    fn garbage_never_panics() {
        let base = fixture("notice.docx");
        for f in [Format::Docx, Format::Xlsx, Format::Pptx] {
            let _ = run(f, b"");
            let _ = run(f, b"PK\x03\x04garbage");
            let _ = run(
                f,
                &zip(&[
                    ("word/document.xml", b"<w:p><w:t>\xff\xfe unclosed"),
                    ("xl/workbook.xml", b"<<<>>"),
                    ("ppt/presentation.xml", b"<p:sldIdLst><p:sldId r:id=\"x\"/>"),
                ]),
            );
        }
        // Flip bytes across the whole file.
        for i in (0..base.len()).step_by(97) {
            let mut d = base.clone();
            d[i] ^= 0x5A;
            let _ = run(Format::Docx, &d);
        }
    }

    /// A pivot cache is rebuilt as its records under the field names (indices into shared items,
    /// values in place, missing values empty), as hidden text; a cache saved without records lists
    /// each field's distinct values.
    #[test]
    fn pivot_cache_records_are_hidden_rows() {
        const S: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
        let definition = format!(
            r#"<pivotCacheDefinition {S} r:id="rId1"><cacheSource type="worksheet"><worksheetSource ref="A1:C3" sheet="明细"/></cacheSource><cacheFields count="3"><cacheField name="姓名"><sharedItems><s v="张三"/><s v="李四"/></sharedItems></cacheField><cacheField name="备注"><sharedItems/></cacheField><cacheField name="人数"><sharedItems containsNumber="1"><n v="1"/></sharedItems><fieldGroup base="2"><rangePr/><groupItems><s v="&lt;1"/></groupItems></fieldGroup></cacheField></cacheFields></pivotCacheDefinition>"#
        );
        let records = format!(
            r#"<pivotCacheRecords {S} count="2"><r><x v="1"/><s v="雷霆-2025专案组"/><n v="3"><tpls c="1"><x v="0"/></tpls></n></r><r><x v="0"/><m/><x v="0"/></r></pivotCacheRecords>"#
        );
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/pivotCacheRecords" Target="pivotCacheRecords1.xml"/></Relationships>"#;
        let book = format!(r#"<workbook {S}><sheets/></workbook>"#);
        let with_records = zip(&[
            ("xl/workbook.xml", book.as_bytes()),
            (
                "xl/pivotCache/pivotCacheDefinition1.xml",
                definition.as_bytes(),
            ),
            (
                "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels",
                rels.as_bytes(),
            ),
            ("xl/pivotCache/pivotCacheRecords1.xml", records.as_bytes()),
        ]);
        let c = ok(Format::Xlsx, &with_records);
        let hidden = c.of(SegmentKind::Hidden);
        assert_eq!(hidden.len(), 1);
        assert_eq!(
            hidden[0].part.as_deref(),
            Some("xl/pivotCache/pivotCacheRecords1.xml")
        );
        assert_eq!(
            hidden[0].text,
            "姓名\t备注\t人数\n李四\t雷霆-2025专案组\t3\n张三\t\t1"
        );
        let without = zip(&[
            ("xl/workbook.xml", book.as_bytes()),
            (
                "xl/pivotCache/pivotCacheDefinition1.xml",
                definition.as_bytes(),
            ),
        ]);
        let c = ok(Format::Xlsx, &without);
        assert_eq!(
            c.text_of(SegmentKind::Hidden),
            "姓名\t备注\t人数\n姓名: 张三\t李四\n备注:\n人数: 1"
        );
    }

    /// A chart's words: its title (rich text), a series name given in place and the cached category
    /// strings, not its numbers; the choice of an `mc:AlternateContent` once; a chart no slide or
    /// sheet points at is still read.
    #[test]
    fn chart_titles_series_and_categories() {
        let chart = r#"<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><mc:AlternateContent><mc:Choice Requires="c14"><c:style val="102"/></mc:Choice><mc:Fallback><c:style val="2"/></mc:Fallback></mc:AlternateContent><c:chart><c:title><c:tx><c:rich><a:p><a:r><a:t>雷霆-2025</a:t></a:r><a:r><a:t> 经费</a:t></a:r></a:p><a:p><a:r><a:t>第二行</a:t></a:r></a:p></c:rich></c:tx></c:title><c:plotArea><c:barChart><c:ser><c:tx><c:v>系列甲</c:v></c:tx><c:cat><c:strRef><c:f>Sheet1!$A$2:$A$3</c:f><c:strCache><c:ptCount val="2"/><c:pt idx="0"><c:v>一季度</c:v></c:pt><c:pt idx="1"><c:v>二季度</c:v></c:pt></c:strCache></c:strRef></c:cat><c:val><c:numRef><c:f>Sheet1!$B$2:$B$3</c:f><c:numCache><c:formatCode>General</c:formatCode><c:pt idx="0"><c:v>1.5</c:v></c:pt></c:numCache></c:numRef></c:val></c:ser></c:barChart><c:valAx><c:title><c:tx><c:rich><a:p><a:r><a:t>万元</a:t></a:r></a:p></c:rich></c:tx></c:title></c:valAx></c:plotArea></c:chart></c:chartSpace>"#;
        let docx = zip(&[
            (
                "word/document.xml",
                format!(r#"<w:document {W}><w:body><w:p><w:r><w:t>正文</w:t></w:r></w:p></w:body></w:document>"#).as_bytes(),
            ),
            ("word/charts/chart1.xml", chart.as_bytes()),
        ]);
        let c = ok(Format::Docx, &docx);
        let boxes = c.of(SegmentKind::TextBox);
        assert_eq!(boxes.len(), 1);
        assert_eq!(boxes[0].part.as_deref(), Some("word/charts/chart1.xml"));
        assert_eq!(
            boxes[0].text,
            "雷霆-2025 经费\n第二行\n系列甲\n一季度\n二季度\n万元"
        );
    }
}

/// Text of a `w:sym` (Insert → Symbol): the character lives in a symbol font's private code page, so
/// it is not in any `w:t`. Only the stars that separate level and period in a marking (`机密★1年`
/// typed with Wingdings' star) are mapped; other symbols (check boxes, arrows) are left out rather
/// than guessed, since a wrong guess could manufacture a marking.
fn symbol_char(font: Option<&str>, code: Option<&str>) -> Option<&'static str> {
    let code = u32::from_str_radix(code?, 16).ok()?;
    // Word stores symbol-font characters either as-is or shifted into U+F000–U+F0FF.
    let code = if (0xF000..=0xF0FF).contains(&code) {
        code - 0xF000
    } else {
        code
    };
    let font = font?.to_ascii_lowercase();
    match (font.as_str(), code) {
        ("wingdings", 0xAB) => Some("★"),
        (_, 0x2605) => Some("★"),
        (_, 0x2606) => Some("☆"),
        _ => None,
    }
}

#[cfg(test)]
mod symbol_tests {
    use super::symbol_char;

    #[test]
    fn wingdings_stars_become_stars_and_nothing_else_is_guessed() {
        assert_eq!(symbol_char(Some("Wingdings"), Some("F0AB")), Some("★"));
        assert_eq!(symbol_char(Some("Wingdings"), Some("00AB")), Some("★"));
        assert_eq!(symbol_char(Some("Wingdings"), Some("F0A8")), None);
        assert_eq!(symbol_char(Some("Symbol"), Some("F0B7")), None);
        assert_eq!(symbol_char(None, Some("zz")), None);
    }
}
