//! Chinese markings (GB/T 9704): the head-line grammar for `密级★保密期限`, its variants, the
//! head-block vocabulary (份号, urgency), declassification, paragraph marks and work-secret labels.
//!
//! A line is parsed with a byte cursor over the original slice: no normalised copy is made, so
//! offsets stay those of the document and nothing is allocated.

use crate::text::is_space;
use baomi_core::Level;

/// A small cursor over one line.
struct Cur<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cur<'a> {
    fn new(s: &'a str) -> Self {
        Cur { s, i: 0 }
    }
    fn rest(&self) -> &'a str {
        &self.s[self.i..]
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += c.len_utf8();
        Some(c)
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.i += c.len_utf8();
            true
        } else {
            false
        }
    }
    fn eat_any(&mut self, set: &[char]) -> bool {
        match self.peek() {
            Some(c) if set.contains(&c) => {
                self.i += c.len_utf8();
                true
            }
            _ => false,
        }
    }
    fn eat_str(&mut self, w: &str) -> bool {
        if self.rest().starts_with(w) {
            self.i += w.len();
            true
        } else {
            false
        }
    }
    /// Skips whitespace; true when some was skipped.
    fn skip_ws(&mut self) -> bool {
        let before = self.i;
        while let Some(c) = self.peek() {
            if !is_space(c) {
                break;
            }
            self.i += c.len_utf8();
        }
        self.i > before
    }
    /// The end of a token: end of line, whitespace, or a CSV cell separator.
    fn at_boundary(&self) -> bool {
        self.peek()
            .is_none_or(|c| is_space(c) || is_cell_separator(c))
    }
    /// Skips whitespace and CSV cell separators between head-block tokens (`机密★5年,,,,` is the first
    /// row of a spreadsheet saved as CSV).
    fn skip_separators(&mut self) {
        while let Some(c) = self.peek() {
            if !is_space(c) && !is_cell_separator(c) {
                break;
            }
            self.i += c.len_utf8();
        }
    }
    /// Eats `w`, tolerating whitespace between its characters (`机 密`, `特　急`).
    fn eat_spaced(&mut self, w: &str) -> bool {
        let save = self.i;
        for (n, c) in w.chars().enumerate() {
            if n > 0 {
                self.skip_ws();
            }
            if !self.eat(c) {
                self.i = save;
                return false;
            }
        }
        true
    }
}

fn is_cell_separator(c: char) -> bool {
    matches!(c, ',' | ';' | '"')
}

/// The ★ that separates level and period, and the characters documents use for it.
pub(crate) const STAR_SEPARATORS: &[char] = &['★', '☆', '*', '＊', '﹡', '✱', '✩', '✭', '⭐'];
const DOTS: &[char] = &['·', '•', '・', '‧', '∙'];
const OPEN: &[char] = &['(', '（'];
const CLOSE: &[char] = &[')', '）'];
const COLONS: &[char] = &[':', '：'];
const URGENCY: &[&str] = &["特急", "加急", "特提", "平急", "急件"];

/// What follows the level word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MarkShape {
    /// The word alone: `机密`.
    Bare,
    /// `机密★10年` (`period`) or `机密★`.
    Star { period: bool },
    /// The ★ missing but a period given: `机密·10年`, `机密(10年)`, `机密 10年`.
    Period,
}

/// A marking found on a line; offsets are within the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    pub level: Level,
    pub shape: MarkShape,
    pub start: usize,
    pub end: usize,
}

/// A whole line of the head block, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeadLine {
    pub mark: Option<Mark>,
    /// The marking came as a form field `密级：…`; the field starts here.
    pub field_start: Option<usize>,
    /// `解密` / `已解密`, span within the line.
    pub declass: Option<(usize, usize)>,
    /// Other head-block tokens (份号, urgency) are on the line too.
    pub others: bool,
}

fn eat_level(c: &mut Cur) -> Option<Level> {
    let save = c.i;
    let level = match c.bump()? {
        // Traditional forms too: Big5 documents from Hong Kong, Macao and Taiwan counterparts.
        '绝' | '絕' => Level::TopSecret,
        '机' | '機' => Level::Secret,
        '秘' => Level::Confidential,
        _ => {
            c.i = save;
            return None;
        }
    };
    c.skip_ws();
    if c.eat('密') {
        Some(level)
    } else {
        c.i = save;
        None
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn is_cn_numeral(c: char) -> bool {
    "〇零一二三四五六七八九十两百廿".contains(c)
}

/// A number: Arabic (ASCII or full-width) or Chinese numerals. Returns how many characters.
fn eat_number(c: &mut Cur) -> usize {
    let mut n = 0;
    while let Some(ch) = c.peek() {
        if is_digit(ch) || is_cn_numeral(ch) {
            c.bump();
            n += 1;
        } else {
            break;
        }
    }
    n
}

/// Eats a period in its strict forms: `N年`, `N个月`, `长期`, a date (`2025年12月31日`,
/// `2025-12-31`, `2025.12.31`), optionally followed by `前`/`止`/`以前`/`之前`.
fn eat_period_strict(c: &mut Cur) -> bool {
    let save = c.i;
    if c.eat_str("长期") || c.eat_str("長期") {
        return true;
    }
    if eat_number(c) == 0 {
        c.i = save;
        return false;
    }
    c.skip_ws();
    if c.eat('年') {
        // A date: 2025年12月31日.
        let after_year = c.i;
        if eat_number(c) > 0 && c.eat('月') {
            let after_month = c.i;
            if !(eat_number(c) > 0 && (c.eat('日') || c.eat('号'))) {
                c.i = after_month;
            }
        } else {
            c.i = after_year;
        }
    } else if c.eat_str("个月") || c.eat_str("個月") {
    } else if c.eat_any(&['-', '.', '/', '－', '／']) {
        if eat_number(c) == 0 {
            c.i = save;
            return false;
        }
        if c.eat_any(&['-', '.', '/', '－', '／']) && eat_number(c) == 0 {
            c.i = save;
            return false;
        }
    } else {
        c.i = save;
        return false;
    }
    let _ = c.eat_str("以前") || c.eat_str("之前") || c.eat('前') || c.eat('止');
    true
}

/// A short condition after ★ (`会议开始前`): 1–20 non-space characters that do not start with a
/// digit, hold no sentence punctuation and no further stars.
fn eat_condition(c: &mut Cur) -> bool {
    let save = c.i;
    let mut n = 0;
    while let Some(ch) = c.peek() {
        if is_space(ch) {
            break;
        }
        if n == 0 && (is_digit(ch) || is_cn_numeral(ch)) {
            break;
        }
        if STAR_SEPARATORS.contains(&ch) || "，。、；;！!？?“”\"《》<>".contains(ch) {
            c.i = save;
            return false;
        }
        c.bump();
        n += 1;
        if n > 20 {
            c.i = save;
            return false;
        }
    }
    if n == 0 {
        c.i = save;
        return false;
    }
    true
}

/// `解密` or `已解密` as a token.
fn eat_declass(c: &mut Cur) -> bool {
    let save = c.i;
    if (c.eat_str("已解密") || c.eat_str("解密")) && c.at_boundary() {
        return true;
    }
    c.i = save;
    false
}

/// Six digits (the copy number 份号).
fn eat_copy_number(c: &mut Cur) -> bool {
    let save = c.i;
    let mut n = 0;
    while c.peek().is_some_and(is_digit) {
        c.bump();
        n += 1;
    }
    if n == 6 && c.at_boundary() {
        true
    } else {
        c.i = save;
        false
    }
}

/// Another head-block token: copy number, `份号` label, urgency word. Does not consume on failure.
fn eat_vocab(c: &mut Cur) -> bool {
    let save = c.i;
    if eat_copy_number(c) {
        return true;
    }
    if c.eat_spaced("份号") {
        c.skip_ws();
        if c.eat_any(COLONS) {
            c.skip_ws();
        }
        if c.at_end() || eat_copy_number(c) || c.at_boundary() {
            return true;
        }
        c.i = save;
        return false;
    }
    for w in URGENCY {
        if c.eat_spaced(w) {
            if c.at_boundary() {
                return true;
            }
            c.i = save;
        }
    }
    false
}

/// The marking at the cursor: level word and what follows it, ending on a token boundary.
fn eat_mark(c: &mut Cur) -> Option<Mark> {
    let start = c.i;
    let level = eat_level(c)?;
    let after_level = c.i;
    let ends =
        |c: &Cur| c.at_boundary() || c.rest().starts_with("已解密") || c.rest().starts_with("解密");
    let mark = |shape, end| {
        Some(Mark {
            level,
            shape,
            start,
            end,
        })
    };
    // ★ form.
    let spaced = c.skip_ws();
    if c.eat_any(STAR_SEPARATORS) {
        let after_sep = c.i;
        c.skip_ws();
        // A tab after the ★ is a cell boundary (a table or sheet row): what follows is the next
        // cell, not the marking's period.
        if c.at_end() || c.s[after_sep..c.i].contains('\t') {
            c.i = after_sep;
            return mark(MarkShape::Star { period: false }, after_sep);
        }
        let p = c.i;
        if eat_period_strict(c) && ends(c) {
            return mark(MarkShape::Star { period: true }, c.i);
        }
        c.i = p;
        if eat_vocab(c) || eat_declass(c) {
            c.i = after_sep;
            return mark(MarkShape::Star { period: false }, after_sep);
        }
        c.i = p;
        if eat_condition(c) {
            return mark(MarkShape::Star { period: true }, c.i);
        }
        c.i = start;
        return None;
    }
    // `机密·10年`.
    if c.eat_any(DOTS) {
        c.skip_ws();
        if eat_period_strict(c) && ends(c) {
            return mark(MarkShape::Period, c.i);
        }
        c.i = start;
        return None;
    }
    // `机密(10年)`.
    if c.eat_any(OPEN) {
        c.skip_ws();
        if eat_period_strict(c) {
            c.skip_ws();
            if c.eat_any(CLOSE) && ends(c) {
                return mark(MarkShape::Period, c.i);
            }
        }
        c.i = start;
        return None;
    }
    // `机密 10年`.
    if spaced {
        let p = c.i;
        if eat_period_strict(c) && ends(c) {
            return mark(MarkShape::Period, c.i);
        }
        c.i = p;
    }
    c.i = after_level;
    if ends(c) {
        return mark(MarkShape::Bare, after_level);
    }
    c.i = start;
    None
}

/// Parses a line as a line of the head block: every token must be the marking, a declassification
/// word or head-block vocabulary. `None` when anything else is on the line.
pub(crate) fn parse_head_line(line: &str) -> Option<HeadLine> {
    let mut c = Cur::new(line);
    let mut out = HeadLine {
        mark: None,
        field_start: None,
        declass: None,
        others: false,
    };
    loop {
        c.skip_separators();
        if c.at_end() {
            break;
        }
        let tok = c.i;
        if out.mark.is_none() && out.declass.is_none() {
            if c.eat_spaced("密级") {
                c.skip_ws();
                if c.eat_any(COLONS) {
                    c.skip_ws();
                }
                if c.i > tok + "密级".len()
                    && let Some(m) = eat_mark(&mut c)
                {
                    out.mark = Some(m);
                    out.field_start = Some(tok);
                    continue;
                }
                return None;
            }
            if let Some(m) = eat_mark(&mut c) {
                out.mark = Some(m);
                continue;
            }
        }
        if out.declass.is_none() && eat_declass(&mut c) {
            out.declass = Some((tok, c.i));
            continue;
        }
        if eat_vocab(&mut c) {
            out.others = true;
            continue;
        }
        return None;
    }
    if out.mark.is_none() && out.declass.is_none() {
        return None;
    }
    Some(out)
}

/// A paragraph mark `(秘密)` / `（机密）` opening a line, followed by paragraph text (or alone).
/// Returns the level and the span of the mark within the line.
pub(crate) fn paragraph_mark(line: &str) -> Option<(Level, usize, usize)> {
    let mut c = Cur::new(line);
    c.skip_ws();
    let start = c.i;
    if !c.eat_any(OPEN) {
        return None;
    }
    c.skip_ws();
    let level = eat_level(&mut c)?;
    c.skip_ws();
    if !c.eat_any(CLOSE) {
        return None;
    }
    let end = c.i;
    c.skip_ws();
    // "（秘密）级文件…", "（机密）、（秘密）…": the level is being talked about, not marked.
    if let Some(next) = c.peek()
        && "级、，,。的和与或及等文载件）)（(".contains(next)
    {
        return None;
    }
    Some((level, start, end))
}

/// Whether `line` is the work-secret `label` (compared without spaces and commas), optionally in the
/// ★ form (`工作秘密★1年`). Returns the span of the label (with its ★ part) within the line.
pub(crate) fn work_secret(line: &str, label: &str) -> Option<(usize, usize)> {
    let ignorable = |ch: char| is_space(ch) || matches!(ch, ',' | '，' | '、' | '·');
    let mut c = Cur::new(line);
    c.skip_ws();
    let start = c.i;
    let mut label_chars = label.chars().filter(|&ch| !ignorable(ch)).peekable();
    label_chars.peek()?;
    for want in label_chars {
        while c.peek().is_some_and(ignorable) {
            c.bump();
        }
        if !c.eat(want) {
            return None;
        }
    }
    let end = c.i;
    c.skip_ws();
    if c.at_end() || page_number(c.rest()) {
        return Some((start, end));
    }
    if c.eat_any(STAR_SEPARATORS) {
        c.skip_ws();
        if c.at_end() {
            return Some((start, c.i));
        }
        if eat_period_strict(&mut c) || eat_condition(&mut c) {
            let e = c.i;
            c.skip_ws();
            if c.at_end() || page_number(c.rest()) {
                return Some((start, e));
            }
        }
    }
    None
}

/// Whether `s` is a page number and nothing else: `第2页`, `第 2 页 共 5 页`, `- 2 -`, `2/5`,
/// `Page 2 of 5`. A footer often carries the work-secret label and the page number on one line.
fn page_number(s: &str) -> bool {
    let mut c = Cur::new(s);
    let digits = |c: &mut Cur<'_>| {
        c.skip_ws();
        let from = c.i;
        while c
            .peek()
            .is_some_and(|ch| ch.is_ascii_digit() || ('０'..='９').contains(&ch))
        {
            c.bump();
        }
        c.skip_ws();
        c.i > from
    };
    let ok = if c.eat('第') {
        digits(&mut c) && c.eat('页') && {
            c.skip_ws();
            c.at_end() || (c.eat('共') && digits(&mut c) && c.eat('页'))
        }
    } else if c.eat_any(&['-', '—', '–']) {
        digits(&mut c) && c.eat_any(&['-', '—', '–'])
    } else if c.eat_str("Page") || c.eat_str("page") {
        digits(&mut c) && (c.at_end() || (c.eat_str("of") && digits(&mut c)))
    } else {
        digits(&mut c) && (c.at_end() || (c.eat('/') && digits(&mut c)))
    };
    c.skip_ws();
    ok && c.at_end()
}

/// Quick test for lines in running text: could this line hold a marking at all?
pub(crate) fn may_hold_mark(line: &str) -> bool {
    matches!(
        line.chars().next(),
        Some('绝' | '机' | '絕' | '機' | '秘' | '(' | '（' | '密' | '"')
    )
}
