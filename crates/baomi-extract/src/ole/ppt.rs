//! PowerPoint 97–2003 presentations (.ppt), which Kingsoft WPS also writes for .dps (MS-PPT).
//!
//! The `PowerPoint Document` stream is a log of record trees: saving appends new versions of changed
//! slides, and the persist directory of the newest edit (found through the `Current User` stream) says
//! which version of each object is live. Slide order comes from the document's SlideListWithText; a
//! slide's text is partly there (placeholders, as PowerPoint writes them) and partly in the slide's own
//! drawing (text boxes). Reviewers' comments sit in the slide too, in its programmable tags. A file
//! whose edit chain is damaged is read in stream order instead.

use super::{Ole, Out, u16_at, u32_at, usize_at, utf16le};
use crate::{SegmentKind, Unreadable};
use std::collections::HashMap;

const PART: &str = "PowerPoint Document";

const DOCUMENT: u16 = 0x03E8;
const SLIDE: u16 = 0x03EE;
const SLIDE_ATOM: u16 = 0x03EF;
const MAIN_MASTER: u16 = 0x03F8;
/// A shape of a drawing (OfficeArtSpContainer), and the atom that makes it a placeholder.
const SHAPE: u16 = 0xF004;
const PLACEHOLDER: u16 = 0x0BC3;
const NOTES: u16 = 0x03F0;
const NOTES_ATOM: u16 = 0x03F1;
const SLIDE_PERSIST: u16 = 0x03F3;
const SLIDE_LIST: u16 = 0x0FF0;
const USER_EDIT: u16 = 0x0FF5;
const PERSIST_DIRECTORY: u16 = 0x1772;
const TEXT_CHARS: u16 = 0x0FA0;
const TEXT_BYTES: u16 = 0x0FA8;
const CSTRING: u16 = 0x0FBA;
const HEADERS_FOOTERS: u16 = 0x0FD9;
const EX_OLE_OBJ_STG: u16 = 0x1011;
/// A reviewer's comment on a slide (PowerPoint 2002 and later, LibreOffice too), kept in the slide's
/// programmable tags: its CStrings are the author (instance 0), the text (1) and the initials (2).
const COMMENT10: u16 = 0x2EE0;
/// The data of a programmable tag (`___PPT10` …): an atom by its header, records by its content.
const BINARY_TAG_DATA: u16 = 0x138B;

/// Edits followed back through `offsetLastEdit` at most: a real file has a few dozen fast saves.
const MAX_EDITS: usize = 10_000;

/// `CurrentUserAtom.headerToken` of a presentation saved with a password (MS-PPT 2.3.2): its records are
/// RC4-encrypted, and reading them as records would give no text, not an error.
const ENCRYPTED_TOKEN: u32 = 0xF3D1_C4DF;

pub(super) fn extract(ole: &mut Ole<'_>, out: &mut Out<'_>) -> Result<(), Unreadable> {
    let current = ole.read("Current User", out.budget)?.unwrap_or_default();
    if u32_at(&current, 12) == Some(ENCRYPTED_TOKEN) {
        return Err(Unreadable::new(
            baomi_core::UnscannedReason::Encrypted,
            "password-protected PowerPoint presentation",
        ));
    }
    let Some(data) = ole.read(PART, out.budget)? else {
        return Err(Unreadable::corrupt("no PowerPoint Document stream"));
    };
    let deck = match persisted(&data, &current) {
        Some(deck) if !deck.slides.is_empty() => deck,
        _ => in_stream_order(&data),
    };
    for (i, slide) in deck.slides.iter().enumerate() {
        if i % 256 == 0 {
            out.budget.check_time()?;
        }
        let page = Some(u32::try_from(i + 1).unwrap_or(u32::MAX));
        out.emit(SegmentKind::Slide, page, None, PART, &slide.text.join("\n"))?;
        out.emit(
            SegmentKind::Footer,
            page,
            None,
            PART,
            &slide.footer.join("\n"),
        )?;
        out.emit(
            SegmentKind::SpeakerNotes,
            page,
            None,
            PART,
            &slide.notes.join("\n"),
        )?;
        out.emit(
            SegmentKind::Comment,
            page,
            None,
            PART,
            &slide.comments.join("\n"),
        )?;
    }
    out.emit(
        SegmentKind::Footer,
        None,
        None,
        PART,
        &deck.footer.join("\n"),
    )?;
    out.emit(
        SegmentKind::Header,
        None,
        None,
        PART,
        &deck.masters.join("\n"),
    )?;
    let r = super::summary_information(ole, out);
    out.soft("\u{5}SummaryInformation", r)?;
    embedded_objects(&data, out)
}

/// Objects embedded in the slides (a table from Excel, a Word document): `ExOleObjStg` records at the
/// top level of the stream, each a compound file of its own, zlib-compressed after its size when the
/// record's instance is 1 (MS-PPT 2.10.34). Each is read as a member named by its record's offset.
fn embedded_objects(data: &[u8], out: &mut Out<'_>) -> Result<(), Unreadable> {
    let max = usize::try_from(out.budget.limits.max_members).unwrap_or(usize::MAX);
    let mut found = 0usize;
    let mut at = 0usize;
    while let Some(rec) = header(data, at, data.len()) {
        if rec.kind == EX_OLE_OBJ_STG {
            found += 1;
            if found > max {
                return Err(Unreadable::limit(format!(
                    "more than {max} embedded objects in one presentation"
                )));
            }
            out.budget.check_time()?;
            let label = format!("ExOleObjStg@{at}");
            let body = data.get(rec.start..rec.end).unwrap_or_default();
            let r = object_bytes(body, rec.instance, out.budget);
            if let Some(bytes) = out.soft(&label, r)? {
                crate::extract_member(&label, &bytes, out.inner, out.budget, out.visitor)?;
            }
        }
        // A header moves the walk on by at least its own 8 bytes.
        at = rec.end.max(rec.start);
    }
    Ok(())
}

/// An `ExOleObjStg` record's compound file, inflated when compressed, within what the file may still
/// decompress.
fn object_bytes<'a>(
    body: &'a [u8],
    instance: u16,
    budget: &mut crate::Budget,
) -> Result<std::borrow::Cow<'a, [u8]>, Unreadable> {
    if instance != 1 {
        return Ok(std::borrow::Cow::Borrowed(body));
    }
    let declared = u64::from(u32_at(body, 0).unwrap_or(0));
    let packed = body.get(4..).unwrap_or_default();
    budget.check_ratio(packed.len() as u64, declared)?;
    let room = usize::try_from(declared.min(budget.uncompressed_left())).unwrap_or(usize::MAX);
    let bytes = match crate::inflate::zlib_bounded(packed, room) {
        Ok(bytes) => bytes,
        // PowerPoint leaves some of these streams unterminated (a VBA project's, seen in a file it
        // saved), which the whole-buffer inflater takes for damage or for more data than there is
        // room for: such a stream is whole when it gives exactly the bytes it declares.
        Err(failure) => {
            let bytes = crate::inflate::zlib_prefix(packed, room.saturating_add(1));
            if bytes.len() as u64 != declared {
                return Err(match failure {
                    crate::inflate::ZlibFailure::TooLarge => Unreadable::limit(format!(
                        "embedded object inflates past its declared {declared} bytes or the file's budget"
                    )),
                    crate::inflate::ZlibFailure::NotClean => {
                        Unreadable::corrupt("embedded object: damaged compressed data")
                    }
                });
            }
            bytes
        }
    };
    budget.spend_uncompressed(bytes.len() as u64)?;
    Ok(std::borrow::Cow::Owned(bytes))
}

#[derive(Default, Debug)]
struct SlideText {
    text: Vec<String>,
    footer: Vec<String>,
    notes: Vec<String>,
    comments: Vec<String>,
}

#[derive(Default, Debug)]
struct Deck {
    slides: Vec<SlideText>,
    /// Footer text set for the whole presentation.
    footer: Vec<String>,
    /// Text the masters print on every slide: their shapes other than placeholders.
    masters: Vec<String>,
}

/// A record header: type, instance, whether it is a container, and the body's range in the stream
/// (clamped to the enclosing record).
#[derive(Debug, Clone, Copy)]
struct Rec {
    kind: u16,
    instance: u16,
    container: bool,
    start: usize,
    end: usize,
}

fn header(data: &[u8], at: usize, limit: usize) -> Option<Rec> {
    let ver_inst = u16_at(data, at)?;
    let kind = u16_at(data, at.checked_add(2)?)?;
    let len = usize_at(data, at.checked_add(4)?)?;
    let start = at.checked_add(8)?;
    if start > limit {
        return None;
    }
    Some(Rec {
        kind,
        instance: ver_inst >> 4,
        container: ver_inst & 0x0F == 0x0F,
        start,
        end: start.saturating_add(len).min(limit),
    })
}

/// Every record inside `outer`, depth first, in stream order. Each step moves forward by at least a
/// header, so the walk ends within `len / 8` steps whatever the lengths claim.
fn walk(data: &[u8], outer: Rec, mut visit: impl FnMut(&Rec, &[Rec])) {
    let mut stack: Vec<Rec> = vec![outer];
    let mut at = outer.start;
    loop {
        while stack.last().is_some_and(|top| at >= top.end) {
            stack.pop();
        }
        let Some(top) = stack.last() else { return };
        let Some(rec) = header(data, at, top.end) else {
            // A header cut by its container's end: skip the rest of that container.
            at = top.end;
            stack.pop();
            continue;
        };
        visit(&rec, &stack);
        if rec.container || rec.kind == BINARY_TAG_DATA {
            at = rec.start;
            stack.push(rec);
        } else {
            at = rec.end.max(rec.start);
        }
    }
}

/// Text of an atom as lines: 0x0D ends a paragraph, 0x0B a line; other controls are dropped.
fn text_lines(data: &[u8], rec: &Rec, lines: &mut Vec<String>) {
    let body = data.get(rec.start..rec.end).unwrap_or_default();
    let text = match rec.kind {
        TEXT_CHARS | CSTRING => std::borrow::Cow::Owned(utf16le(body)),
        // TextBytesAtom: the low bytes of UTF-16 characters whose high byte is zero.
        TEXT_BYTES => encoding_rs::mem::decode_latin1(body),
        _ => return,
    };
    // Breaks and controls are ASCII bytes, which never occur inside another character's UTF-8, so
    // the text is split and checked as bytes; most atoms have no control to drop at all.
    let dropped = |b: u8| b < b' ' && !matches!(b, b'\t' | b'\r' | 0x0B);
    let has_controls = text.bytes().fold(false, |any, b| any | dropped(b));
    let mut rest = text.as_ref();
    while !rest.is_empty() {
        let (line, next) = match memchr::memchr2(b'\r', 0x0B, rest.as_bytes()) {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, ""),
        };
        rest = next;
        let line = if has_controls {
            std::borrow::Cow::Owned(line.chars().filter(|c| *c >= ' ' || *c == '\t').collect())
        } else {
            std::borrow::Cow::Borrowed(line)
        };
        let line = line.trim();
        if !line.is_empty() {
            lines.push(line.to_owned());
        }
    }
}

/// All text atoms below a record, with the footer strings of its HeadersFooters container and its
/// comments' text apart.
fn record_text(data: &[u8], rec: Rec) -> SlideText {
    let mut out = SlideText::default();
    walk(data, rec, |r, stack| {
        if stack.last().is_some_and(|s| s.kind == COMMENT10) {
            if r.kind == CSTRING && r.instance == 1 {
                text_lines(data, r, &mut out.comments);
            }
        } else if stack.iter().any(|s| s.kind == HEADERS_FOOTERS) {
            // Instance 1 is a notes page header, 2 the footer; 0 is a date format, not text.
            if r.kind == CSTRING && (r.instance == 1 || r.instance == 2) {
                text_lines(data, r, &mut out.footer);
            }
        } else if r.kind == TEXT_CHARS || r.kind == TEXT_BYTES {
            text_lines(data, r, &mut out.text);
        }
    });
    out
}

/// The text of a master's shapes that are not placeholders (a placeholder's text on a master is the
/// prompt shown while editing it, never a slide's).
fn master_text(data: &[u8], rec: Rec, into: &mut Vec<String>) {
    let mut placeholders: Vec<usize> = Vec::new();
    let mut lines = Vec::new();
    walk(data, rec, |r, stack| {
        let shape = stack
            .iter()
            .rev()
            .find(|s| s.kind == SHAPE)
            .map(|s| s.start);
        match (r.kind, shape) {
            (PLACEHOLDER, Some(at)) => placeholders.push(at),
            (TEXT_CHARS | TEXT_BYTES, Some(at)) if !placeholders.contains(&at) => {
                text_lines(data, r, &mut lines);
            }
            _ => {}
        }
    });
    push_unique(into, lines);
}

fn push_unique(into: &mut Vec<String>, lines: Vec<String>) {
    for l in lines {
        if !into.contains(&l) {
            into.push(l);
        }
    }
}

/// The live objects through the persist directory: `None` when the edit chain cannot be followed.
fn persisted(data: &[u8], current_user: &[u8]) -> Option<Deck> {
    let mut edit_at = usize_at(current_user, 16)?;
    let mut persist: HashMap<u32, usize> = HashMap::new();
    let mut doc_ref: Option<u32> = None;
    let mut seen = Vec::new();
    for _ in 0..MAX_EDITS {
        if seen.contains(&edit_at) {
            break;
        }
        seen.push(edit_at);
        let edit = header(data, edit_at, data.len())?;
        if edit.kind != USER_EDIT {
            return None;
        }
        let body = data.get(edit.start..edit.end)?;
        doc_ref = doc_ref.or(u32_at(body, 16));
        let dir = header(data, usize_at(body, 12)?, data.len())?;
        if dir.kind != PERSIST_DIRECTORY {
            return None;
        }
        let entries = data.get(dir.start..dir.end)?;
        let mut pos = 0usize;
        while let Some(head) = u32_at(entries, pos) {
            let first = head & 0x000F_FFFF;
            let count = head >> 20;
            pos += 4;
            for k in 0..count {
                let Some(offset) = usize_at(entries, pos) else {
                    break;
                };
                pos += 4;
                // Newer edits come first; an older entry for the same id is dead.
                persist.entry(first.saturating_add(k)).or_insert(offset);
            }
        }
        match usize_at(body, 8) {
            Some(0) | None => break,
            Some(last) => edit_at = last,
        }
    }
    let doc_at = *persist.get(&doc_ref?)?;
    let doc = header(data, doc_at, data.len())?;
    if doc.kind != DOCUMENT {
        return None;
    }
    // SlideListWithText: instance 0 lists slides, 2 notes; each SlidePersistAtom is followed by that
    // slide's placeholder text.
    let mut slides: Vec<(u32, Vec<String>)> = Vec::new();
    let mut notes: HashMap<u32, (u32, Vec<String>)> = HashMap::new();
    let mut deck = Deck::default();
    let mut list: Option<u16> = None;
    let mut note_id: Option<u32> = None;
    walk(data, doc, |r, stack| {
        let in_list = stack.iter().rev().find(|s| s.kind == SLIDE_LIST);
        list = in_list.map(|s| s.instance);
        if stack.iter().any(|s| s.kind == HEADERS_FOOTERS) && in_list.is_none() {
            if r.kind == CSTRING && r.instance == 2 {
                text_lines(data, r, &mut deck.footer);
            }
            return;
        }
        match (list, r.kind) {
            (Some(0), SLIDE_PERSIST) => {
                let b = data.get(r.start..r.end).unwrap_or_default();
                slides.push((u32_at(b, 0).unwrap_or(0), Vec::new()));
            }
            (Some(2), SLIDE_PERSIST) => {
                let b = data.get(r.start..r.end).unwrap_or_default();
                let id = u32_at(b, 12).unwrap_or(0);
                notes.insert(id, (u32_at(b, 0).unwrap_or(0), Vec::new()));
                note_id = Some(id);
            }
            (Some(0), TEXT_CHARS | TEXT_BYTES) => {
                if let Some((_, t)) = slides.last_mut() {
                    text_lines(data, r, t);
                }
            }
            (Some(2), TEXT_CHARS | TEXT_BYTES) => {
                if let Some((_, t)) = note_id.and_then(|id| notes.get_mut(&id)) {
                    text_lines(data, r, t);
                }
            }
            _ => {}
        }
    });
    for (persist_id, placeholder) in slides {
        let mut s = SlideText {
            text: placeholder,
            ..SlideText::default()
        };
        let Some(rec) = persist
            .get(&persist_id)
            .and_then(|&at| header(data, at, data.len()))
            .filter(|r| r.kind == SLIDE)
        else {
            deck.slides.push(s);
            continue;
        };
        let own = record_text(data, rec);
        s.footer.extend(own.footer);
        s.comments.extend(own.comments);
        push_unique(&mut s.text, own.text);
        let mut notes_ref = None;
        walk(data, rec, |r, _| {
            if r.kind == SLIDE_ATOM && notes_ref.is_none() {
                notes_ref = data.get(r.start..r.end).and_then(|b| u32_at(b, 16));
            }
        });
        if let Some((persist_id, placeholder)) = notes_ref.and_then(|id| notes.remove(&id)) {
            s.notes = placeholder;
            if let Some(rec) = persist
                .get(&persist_id)
                .and_then(|&at| header(data, at, data.len()))
                .filter(|r| r.kind == NOTES)
            {
                // A notes page's own header, footer and comments are not the slide's.
                push_unique(&mut s.notes, record_text(data, rec).text);
            }
        }
        deck.slides.push(s);
    }
    let mut offsets: Vec<usize> = persist.values().copied().collect();
    offsets.sort_unstable();
    for at in offsets {
        if let Some(rec) = header(data, at, data.len()).filter(|r| r.kind == MAIN_MASTER) {
            master_text(data, rec, &mut deck.masters);
        }
    }
    Some(deck)
}

/// Fallback: slides and notes as they stand in the stream (superseded versions included, masters
/// left out). Notes pages are given to slides in order: the link between them is an id kept in the
/// slide lists, which is what this fallback cannot trust.
fn in_stream_order(data: &[u8]) -> Deck {
    let mut deck = Deck::default();
    let mut notes: Vec<Vec<String>> = Vec::new();
    let mut at = 0usize;
    while let Some(rec) = header(data, at, data.len()) {
        match rec.kind {
            MAIN_MASTER => master_text(data, rec, &mut deck.masters),
            SLIDE => deck.slides.push(record_text(data, rec)),
            NOTES => {
                // The notes master is a notes container too. Its NotesAtom names no slide: 0 or a
                // master id (0x80000000 and up, as LibreOffice writes); slide ids are 0x100 and up.
                let master = header(data, rec.start, rec.end).is_some_and(|a| {
                    a.kind == NOTES_ATOM
                        && data
                            .get(a.start..a.end)
                            .and_then(|b| u32_at(b, 0))
                            .is_some_and(|id| !(0x100..0x8000_0000).contains(&id))
                });
                if !master {
                    notes.push(record_text(data, rec).text);
                }
            }
            _ => {}
        }
        at = rec.end.max(rec.start);
    }
    let extra = notes.len().saturating_sub(deck.slides.len());
    let mut notes = notes.into_iter();
    for s in &mut deck.slides {
        s.notes = notes.next().unwrap_or_default();
    }
    // More notes pages than slides: keep their text on the last slide rather than lose it.
    if extra > 0
        && let Some(last) = deck.slides.last_mut()
    {
        for t in notes {
            push_unique(&mut last.notes, t);
        }
    }
    deck
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::Format;

    fn slides_ppt() -> Vec<u8> {
        zipped_fixture("slides.ppt.zip", "slides.ppt")
    }

    /// PowerPoint leaves some compressed objects (a VBA project's, in a file it saved) without the end
    /// of their zlib stream: whole when all the bytes they declare come out, damaged otherwise.
    #[test]
    fn compressed_object_without_its_end() {
        use std::io::Write;
        let object: Vec<u8> = (0..10_240u32).map(|i| (i % 7) as u8 * 31).collect();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&object).expect("compress");
        let full = z.finish().expect("compress");
        let body = |packed: &[u8], declared: usize| {
            let mut b = u32::try_from(declared)
                .expect("small")
                .to_le_bytes()
                .to_vec();
            b.extend_from_slice(packed);
            b
        };
        let mut budget = crate::Budget::new(crate::Limits::default());
        // As PowerPoint wrote it: the data all there, the checksum missing.
        let unterminated = body(&full[..full.len() - 4], object.len());
        let got = object_bytes(&unterminated, 1, &mut budget).expect("whole");
        assert_eq!(got.as_ref(), object.as_slice());
        // Cut short of what it declares: damaged.
        let cut = body(&full[..full.len() / 2], object.len());
        let e = object_bytes(&cut, 1, &mut budget).expect_err("damaged");
        assert_eq!(e.reason, baomi_core::UnscannedReason::Corrupt);
    }

    #[test]
    fn slides_ppt_slides_and_notes() {
        let (r, c) = run(&slides_ppt());
        assert_eq!(r.expect("reads"), Format::Ppt);
        assert!(c.unscanned.is_empty(), "{:?}", c.unscanned);
        let slides = c.of(SegmentKind::Slide);
        assert_eq!(slides.len(), 2, "{slides:#?}");
        assert_eq!(slides[0].page, Some(1));
        assert_eq!(slides[0].text, "机密★1年\n第一张幻灯片标题 First slide");
        assert_eq!(slides[1].page, Some(2));
        assert_eq!(slides[1].text, "第二张幻灯片\nSecond slide text");
        let notes = c.of(SegmentKind::SpeakerNotes);
        assert_eq!(notes.len(), 2, "{notes:#?}");
        assert_eq!(
            (notes[0].page, notes[0].text.as_str()),
            (Some(1), "备注：口头说明内容")
        );
        assert_eq!(
            (notes[1].page, notes[1].text.as_str()),
            (Some(2), "第二页备注")
        );
        assert!(c.text_of(SegmentKind::Metadata).contains("汇报材料"));
        // The reviewer's comment on slide 2: its text, not its author or initials.
        let comments = c.of(SegmentKind::Comment);
        assert_eq!(comments.len(), 1, "{comments:#?}");
        assert_eq!(
            (comments[0].page, comments[0].text.as_str()),
            (Some(2), "批注：此页涉密，绝密★长期，请删除")
        );
    }

    /// A text box on the master prints on every slide: read as a header. The master's placeholders
    /// hold LibreOffice's editing prompts, which no slide shows: left out.
    #[test]
    fn master_text_box_is_a_header_and_prompts_are_not() {
        let (r, c) = run(&zipped_fixture("master.ppt.zip", "master.ppt"));
        assert_eq!(r.expect("reads"), Format::Ppt);
        assert_eq!(c.text_of(SegmentKind::Header), "内部资料 注意保存");
        assert!(
            c.segs.iter().all(|s| !s.text.contains("Click to edit")),
            "{:#?}",
            c.segs
        );
        let stream = stream_of(&zipped_fixture("master.ppt.zip", "master.ppt"), PART);
        assert_eq!(in_stream_order(&stream).masters, ["内部资料 注意保存"]);
    }

    #[test]
    fn stream_order_fallback_matches() {
        let stream = stream_of(&slides_ppt(), PART);
        let deck = in_stream_order(&stream);
        assert_eq!(deck.slides.len(), 2);
        assert_eq!(
            deck.slides[0].text.first().map(String::as_str),
            Some("机密★1年")
        );
        assert_eq!(deck.slides[1].notes, ["第二页备注"]);
        assert_eq!(
            deck.slides[1].comments,
            ["批注：此页涉密，绝密★长期，请删除"]
        );
        // Without Current User the persist path gives up rather than guessing.
        assert!(persisted(&stream, &[]).is_none());
    }

    /// A password-protected presentation says so in its Current User stream (PowerPoint writes the
    /// token; LibreOffice here cannot save with a password, so the token is set on a real file).
    #[test]
    fn password_protected_is_encrypted() {
        use std::io::{Read, Write};
        let mut file = cfb::CompoundFile::open(std::io::Cursor::new(slides_ppt())).expect("ppt");
        let mut current = Vec::new();
        file.open_stream("Current User")
            .expect("stream")
            .read_to_end(&mut current)
            .expect("read");
        assert_eq!(u32_at(&current, 12), Some(0xE391_C05F), "the plain token");
        current[12..16].copy_from_slice(&ENCRYPTED_TOKEN.to_le_bytes());
        file.create_stream("Current User")
            .expect("stream")
            .write_all(&current)
            .expect("write");
        file.flush().expect("flush");
        let (r, _) = run(&file.into_inner().into_inner());
        assert_eq!(
            r.expect_err("encrypted").reason,
            baomi_core::UnscannedReason::Encrypted
        );
    }

    #[test]
    fn damage_is_safe() {
        let data = slides_ppt();
        for i in (0..data.len()).step_by(101) {
            let mut d = data.clone();
            d[i] ^= 0x5A;
            let _ = run(&d);
        }
        for cut in (512..data.len()).step_by(1021) {
            let _ = run(&data[..cut]);
        }
        // A container claiming more than it has, nested in itself.
        let mut s = Vec::new();
        for _ in 0..100 {
            s.extend([0x0F, 0x00, 0xEE, 0x03, 0xFF, 0xFF, 0xFF, 0x7F]);
        }
        s.extend([
            0x00, 0x00, 0xA0, 0x0F, 0x04, 0x00, 0x00, 0x00, 0x3A, 0x67, 0xC6, 0x5B,
        ]);
        let deck = in_stream_order(&s);
        assert_eq!(deck.slides.len(), 1);
        assert_eq!(deck.slides[0].text, ["机密"]);
    }
}
