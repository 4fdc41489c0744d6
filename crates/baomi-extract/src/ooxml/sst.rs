//! A workbook's shared strings (`xl/sharedStrings.xml`): the text of every string cell, looked up by
//! index from the sheets.
//!
//! Two readers give the same table. The general one walks XML events like every other part. The direct
//! one reads the shape every spreadsheet writer produces (`<si><t>…</t></si>`, rich-text runs with their
//! run properties, phonetic runs) in one pass over the bytes, and hands back to the general one on
//! anything else (comments, CDATA, namespace prefixes, a DOCTYPE, damage), before it has produced
//! anything. A workbook holds thousands of short strings; reading them as events, a `String` each, was
//! a sixth of a workbook's reading time.

use crate::xml::{Ev, XmlReader, local, local_end, next_lt, tag_end_at, unescape};
use crate::{Budget, Unreadable};

/// The strings, one after another in one buffer; entry `i` is `text[ends[i-1]..ends[i]]`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct SharedStrings {
    text: String,
    ends: Vec<usize>,
}

impl SharedStrings {
    /// Entry `i`, `None` past the end.
    pub(super) fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(prev) => self.ends[prev],
            None => 0,
        };
        self.text.get(start..end)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Append to the entry being built.
    pub(super) fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Drop what was appended since the last finished entry.
    fn restart_entry(&mut self) {
        self.text.truncate(self.ends.last().copied().unwrap_or(0));
    }

    /// Finish the entry being built (possibly empty: indices must stay right).
    pub(super) fn finish_entry(&mut self) {
        self.ends.push(self.text.len());
    }
}

#[cfg(test)]
impl<S: AsRef<str>> FromIterator<S> for SharedStrings {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut sst = SharedStrings::default();
        for s in iter {
            sst.push_str(s.as_ref());
            sst.finish_entry();
        }
        sst
    }
}

/// Read the shared strings: one entry per `si`, empty ones kept so indices stay right, phonetic runs
/// (`rPh`, the reading aid of East Asian text) skipped.
pub(super) fn read(
    xml: &str,
    part: &str,
    budget: &mut Budget,
) -> Result<SharedStrings, Unreadable> {
    read_with(xml, part, budget, true)
}

/// [`read`], with the direct reader on or off (off only in tests, to compare).
pub(super) fn read_with(
    xml: &str,
    part: &str,
    budget: &mut Budget,
    direct: bool,
) -> Result<SharedStrings, Unreadable> {
    if direct && let Some(sst) = read_direct(xml, budget)? {
        return Ok(sst);
    }
    read_general(xml, part, budget)
}

fn read_general(xml: &str, part: &str, budget: &mut Budget) -> Result<SharedStrings, Unreadable> {
    let mut r = XmlReader::new(xml, part);
    let mut out = SharedStrings::default();
    let mut in_si = false;
    let mut in_t = false;
    loop {
        match r.next(budget)? {
            Ev::Eof => break,
            Ev::Start(e) => match local(&e) {
                "si" => {
                    in_si = true;
                    out.restart_entry();
                    if let Some(t) = r.simple_text("t", budget)? {
                        out.push_str(&t);
                    }
                }
                "t" => in_t = true,
                "rPh" => r.skip_element(budget)?,
                _ => {}
            },
            Ev::End(e) => match local_end(&e) {
                "si" => {
                    in_si = false;
                    out.finish_entry();
                }
                "t" => in_t = false,
                _ => {}
            },
            Ev::Text(t) if in_si && in_t => out.push_str(&t),
            Ev::Text(_) => {}
        }
    }
    out.restart_entry();
    Ok(out)
}

/// Tags read between two checks of the file's time limit.
const TAGS_PER_TIME_CHECK: u32 = 4096;

/// The direct reader: `Ok(None)` (nothing produced) for anything but the plain shape, which the
/// general reader then reads — or refuses — as it always did. Follows the general reader's state
/// exactly (`in_si`, `in_t`, the one-step `<si><t>…</t>`, skipped `rPh`), so where both read a part
/// they give the same table.
fn read_direct(xml: &str, budget: &mut Budget) -> Result<Option<SharedStrings>, Unreadable> {
    let b = xml.as_bytes();
    let mut out = SharedStrings::default();
    let mut i = 0usize;
    let mut depth = 0u32;
    let mut root_seen = false;
    let mut in_si = false;
    let mut in_t = false;
    // Depth at which a skipped `rPh` ends (its contents change nothing).
    let mut skip_to: Option<u32> = None;
    let mut tags = 0u32;
    loop {
        let Some(lt) = next_lt(b, i) else {
            // End of the part. The general reader leaves elements open without complaint (their text
            // is in no finished entry), but refuses text after a closed root.
            let rest_blank = b.get(i..).is_some_and(|r| r.trim_ascii().is_empty());
            return Ok((root_seen && (depth > 0 || rest_blank)).then(|| {
                out.restart_entry();
                out
            }));
        };
        let text = &xml[i..i + lt];
        if depth == 0 {
            if !text.trim_ascii().is_empty() {
                return Ok(None);
            }
        } else if in_si && in_t && skip_to.is_none() && !text.is_empty() {
            let t = unescape(text);
            budget.spend_text(t.len() as u64)?;
            out.push_str(&t);
        }
        i += lt;
        tags = tags.wrapping_add(1);
        if tags.is_multiple_of(TAGS_PER_TIME_CHECK) {
            budget.check_time()?;
        }
        match b.get(i + 1) {
            Some(b'?') if !root_seen => {
                let Some(end) = memchr::memmem::find(&b[i + 2..], b"?>") else {
                    return Ok(None);
                };
                i += 2 + end + 2;
                continue;
            }
            // Comments, CDATA, declarations; a second root; an end tag with nothing open.
            Some(b'?' | b'!') | None => return Ok(None),
            _ if root_seen && depth == 0 => return Ok(None),
            Some(b'/') => {
                if depth == 0 {
                    return Ok(None);
                }
                let Some(gt) = b[i + 2..].iter().position(|&c| c == b'>') else {
                    return Ok(None);
                };
                let name = xml[i + 2..i + 2 + gt].trim_ascii_end();
                i += gt + 3;
                depth -= 1;
                if name.contains(':') {
                    return Ok(None);
                }
                if let Some(to) = skip_to {
                    if depth <= to {
                        skip_to = None;
                    }
                    continue;
                }
                match name {
                    "si" => {
                        in_si = false;
                        out.finish_entry();
                    }
                    "t" => in_t = false,
                    _ => {}
                }
                continue;
            }
            _ => {}
        }
        let Some(gt) = tag_end_at(b, i + 1) else {
            return Ok(None);
        };
        let inner = &xml[i + 1..gt];
        let (inner, empty) = match inner.strip_suffix('/') {
            Some(inner) => (inner, true),
            None => (inner, false),
        };
        let name_len = inner
            .bytes()
            .position(|c| c.is_ascii_whitespace())
            .unwrap_or(inner.len());
        let name = &inner[..name_len];
        if name.is_empty() || name.contains(':') || depth + 1 > budget.limits.max_xml_depth {
            return Ok(None);
        }
        i = gt + 1;
        root_seen = true;
        if skip_to.is_some() {
            if !empty {
                depth += 1;
            }
            continue;
        }
        match name {
            "si" => {
                in_si = true;
                out.restart_entry();
                if empty {
                    in_si = false;
                    out.finish_entry();
                    continue;
                }
                depth += 1;
                // The general reader takes `<t …>text</t>` right after `<si>` in one step, leaving
                // `in_t` as it was.
                if let Some((t, after)) = simple_t(xml, i) {
                    if depth + 1 > budget.limits.max_xml_depth {
                        return Ok(None);
                    }
                    let t = unescape(t);
                    budget.spend_text(t.len() as u64)?;
                    out.push_str(&t);
                    i = after;
                }
            }
            "t" => {
                // An empty `<t/>` opens and closes at once.
                in_t = !empty;
                if !empty {
                    depth += 1;
                }
            }
            "rPh" => {
                if !empty {
                    skip_to = Some(depth);
                    depth += 1;
                }
            }
            _ => {
                if !empty {
                    depth += 1;
                }
            }
        }
    }
}

/// `<t>text</t>` or `<t attrs>text</t>` at `at` with no markup in the text: the text and the offset
/// past `</t>`.
fn simple_t(xml: &str, at: usize) -> Option<(&str, usize)> {
    let b = xml.as_bytes();
    let after_name = b.get(at..)?.strip_prefix(b"<t")?;
    let open_end = match after_name.first()? {
        b'>' => at + 2,
        c if c.is_ascii_whitespace() => tag_end_at(b, at + 2)?,
        _ => return None,
    };
    if b[open_end - 1] == b'/' {
        return None;
    }
    let start = open_end + 1;
    let end = start + memchr::memchr(b'<', b.get(start..)?)?;
    b[end..]
        .starts_with(b"</t>")
        .then(|| (&xml[start..end], end + 4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;

    fn both(xml: &str) -> (Result<SharedStrings, String>, Result<SharedStrings, String>) {
        let read = |direct: bool| {
            let mut budget = Budget::new(Limits::default());
            read_with(xml, "xl/sharedStrings.xml", &mut budget, direct).map_err(|e| e.to_string())
        };
        (read(true), read(false))
    }

    fn direct_reads(xml: &str) -> bool {
        let mut budget = Budget::new(Limits::default());
        read_direct(xml, &mut budget).ok().flatten().is_some()
    }

    /// What Excel, LibreOffice and WPS write, read directly and the same as by the general reader.
    #[test]
    fn direct_reader_equals_the_general_reader() {
        let taken = [
            // LibreOffice: xml:space on every t.
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t xml:space="preserve">机密★1年</t></si><si><t xml:space="preserve">a &amp; b&#x2605;</t></si><si><t/></si></sst>"#,
            // Excel: rich text runs with properties, phonetic runs and properties, an empty si.
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><r><rPr><b/><sz val="11"/><color theme="1"/><rFont val="宋体"/><family val="3"/><charset val="134"/><scheme val="minor"/></rPr><t>机</t></r><r><t xml:space="preserve">密 </t></r><rPh sb="0" eb="1"><t>き</t></rPh><phoneticPr fontId="1" type="noConversion"/></si><si/><si><t>line1
line2</t><rPh sb="0" eb="2"><t>x</t></rPh></si><si><t>三</t><phoneticPr fontId="1"/></si></sst>"#,
            // Pretty-printed, white space between tags; text directly in si (not shown).
            "<sst>\n  <si>\n    <t>甲</t>\n  </si>\n  <si>stray<t>乙</t></si>\n</sst>\n",
            // An unclosed t keeps in_t set, as in the general reader.
            "<sst><si><t>a</si><si>b<t>c</t>d</si></sst>",
            "<sst/>",
            // Cut short: what was finished is kept, as the general reader keeps it.
            "<sst><si><t>a</t></si><si><t>b",
        ];
        for xml in taken {
            assert!(direct_reads(xml), "direct reader gave up on {xml}");
            let (direct, general) = both(xml);
            assert_eq!(direct, general, "{xml}");
        }
        let (direct, _) = both(taken[1]);
        let sst = direct.expect("reads");
        let all: Vec<&str> = (0..4).map(|i| sst.get(i).unwrap_or("?")).collect();
        assert_eq!(all, ["机密 ", "", "line1\nline2", "三"]);
        assert_eq!(sst.get(4), None);

        let handed_back = [
            "<x:sst xmlns:x=\"urn:x\"><x:si><x:t>甲</x:t></x:si></x:sst>",
            "<sst><si><t><![CDATA[a<b]]></t></si></sst>",
            "<sst><!-- c --><si><t>a</t></si></sst>",
            "<!DOCTYPE sst><sst><si><t>a</t></si></sst>",
            "<sst><si><t>a</t></si></sst><sst/>",
            "not xml",
            "",
        ];
        for xml in handed_back {
            assert!(!direct_reads(xml), "direct reader took {xml}");
            let (direct, general) = both(xml);
            assert_eq!(direct, general, "{xml}");
        }
    }

    /// Damaged parts: deletions, insertions and swaps never panic, and wherever the general reader
    /// reads the part the direct one gives the same table.
    #[test]
    fn direct_reader_on_damaged_parts() {
        let base = r#"<?xml version="1.0"?><sst count="3"><si><t xml:space="preserve">机密</t></si><si><r><rPr><b/><rFont val="宋体"/></rPr><t>a&lt;b</t></r><r><t>c</t></r><rPh sb="0" eb="1"><t>x</t></rPh></si><si/></sst>"#;
        let inserts: [&[u8]; 7] = [b"<", b">", b"\"", b"/", b"<t>", b"</t>", b"</si>"];
        crate::xml::testing::for_each_damaged(base, &inserts, 0x2545_f491, 3000, |xml| {
            let (direct, general) = both(xml);
            if general.is_ok() {
                assert_eq!(direct, general, "{xml}");
            }
        });
    }
}
