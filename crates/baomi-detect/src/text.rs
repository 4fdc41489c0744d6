//! Line and character helpers shared by the rules: whitespace, line bounds, line numbers, excerpts.
//!
//! Everything here works on slices of the segment; nothing allocates except the final excerpt.

/// Whitespace as documents use it: ASCII, U+3000 (ideographic space), NBSP, plus the invisible
/// characters extractors leave behind (BOM, zero-width space).
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}')
}

/// `s` without leading and trailing [`is_space`] characters.
pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Byte range `[start, end)` of the line holding byte `pos` (without the `\n`).
pub(crate) fn line_bounds(text: &str, pos: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let pos = pos.min(bytes.len());
    let start = memchr::memrchr(b'\n', &bytes[..pos]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
    (start, end)
}

/// Byte range of the line after the one ending at `end` (`end` is the `\n` or the text's end).
pub(crate) fn next_line(text: &str, end: usize) -> Option<(usize, usize)> {
    if end >= text.len() {
        return None;
    }
    Some(line_bounds(text, end + 1))
}

/// Byte range of the line before the one starting at `start`.
pub(crate) fn prev_line(text: &str, start: usize) -> Option<(usize, usize)> {
    if start == 0 {
        return None;
    }
    Some(line_bounds(text, start - 1))
}

/// The nearest non-blank line before (`forward == false`) or after the line `[start, end)`.
pub(crate) fn neighbour_line(text: &str, start: usize, end: usize, forward: bool) -> Option<&str> {
    let (mut s, mut e) = (start, end);
    for _ in 0..4 {
        let (ns, ne) = if forward {
            next_line(text, e)?
        } else {
            prev_line(text, s)?
        };
        let line = trim(&text[ns..ne]);
        if !line.is_empty() {
            return Some(line);
        }
        (s, e) = (ns, ne);
    }
    None
}

/// Turns byte offsets into 1-based line numbers, counting newlines incrementally when asked for
/// increasing offsets (the usual case) and from the start otherwise.
pub(crate) struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u32,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        LineCounter {
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    pub(crate) fn line_of(&mut self, offset: usize) -> u32 {
        let offset = offset.min(self.bytes.len());
        if offset < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        let n = memchr::memchr_iter(b'\n', &self.bytes[self.pos..offset]).count();
        self.line = self
            .line
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
        self.pos = offset;
        self.line
    }
}

/// Most characters an excerpt holds.
pub(crate) const EXCERPT_CHARS: usize = 120;

/// The line around `[start, end)`, trimmed; long lines are cut on character boundaries to a window
/// of about [`EXCERPT_CHARS`] characters centred on the match, with `…` where text was cut.
pub(crate) fn excerpt(text: &str, start: usize, end: usize) -> String {
    let start = floor_char(text, start.min(text.len()));
    let end = floor_char(text, end.clamp(start, text.len()));
    let (ls, _) = line_bounds(text, start);
    let (_, le) = line_bounds(text, end.max(start));
    let raw = &text[ls..le.max(ls)];
    let line = trim(raw);
    let lead = raw.len() - raw.trim_start_matches(is_space).len();
    let (ls, le) = (ls + lead, ls + lead + line.len());
    if line.chars().count() <= EXCERPT_CHARS {
        return line.to_string();
    }
    let start = start.clamp(ls, le);
    let end = end.clamp(start, le);
    let budget = EXCERPT_CHARS - 2; // room for the two ellipses
    let m_chars = text[start..end].chars().count().min(budget);
    let mut left = (budget - m_chars) / 2;
    let mut right = budget - m_chars - left;
    // Give unused room on one side to the other.
    let before = text[ls..start].chars().count();
    let after = text[end..le].chars().count();
    if before < left {
        right += left - before;
        left = before;
    }
    if after < right {
        left += (right - after).min(before - left);
        right = after;
    }
    let ws = text[ls..start]
        .char_indices()
        .rev()
        .nth(left.saturating_sub(1))
        .map_or(start, |(i, _)| ls + i);
    let ws = if left == 0 { start } else { ws };
    let mut we = end;
    if m_chars < text[start..end].chars().count() {
        we = text[start..end]
            .char_indices()
            .nth(m_chars)
            .map_or(end, |(i, _)| start + i);
    } else if right > 0 {
        we = text[end..le]
            .char_indices()
            .nth(right)
            .map_or(le, |(i, _)| end + i);
    }
    let mut s = String::with_capacity(we - ws + 8);
    if ws > ls {
        s.push('…');
    }
    s.push_str(&text[ws..we]);
    if we < le {
        s.push('…');
    }
    s
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
