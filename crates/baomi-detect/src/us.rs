//! US-style markings: banner lines (`TOP SECRET//NOFORN`) and portion marks (`(S//NF)`).
//!
//! Upper case and position carry the meaning: prose that says "secret" or "Confidential" is never a
//! banner, and `(C)` is only a portion mark when the document is otherwise marked the US way.

use crate::text::{is_space, trim};
use baomi_core::Level;

/// Characters allowed in a caveat block after `//` (`NOFORN`, `REL TO USA, FVEY`, `SI-G/TK`, dates).
fn caveat_ok(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.bytes().any(|b| b.is_ascii_uppercase())
        && s.bytes().all(|b| {
            b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b' ' | b',' | b'/' | b'-')
        })
}

/// A banner line: returns the level and whether caveats follow (`//…`).
pub(crate) fn banner(line: &str) -> Option<(Level, bool)> {
    let line = trim(line);
    let (level, rest) = if let Some(r) = line.strip_prefix("TOP SECRET") {
        (Level::TopSecret, r)
    } else if let Some(r) = line.strip_prefix("SECRET") {
        (Level::Secret, r)
    } else if let Some(r) = line.strip_prefix("CONFIDENTIAL") {
        (Level::Confidential, r)
    } else {
        return None;
    };
    let rest = rest.trim_start_matches(is_space);
    if rest.is_empty() {
        return Some((level, false));
    }
    let caveats = rest.strip_prefix("//")?;
    caveat_ok(caveats).then_some((level, true))
}

/// A portion mark opening a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Portion {
    /// `None` for `(U)`.
    pub level: Option<Level>,
    /// `(TS)` or any form with `//`: counts on its own.
    pub strong: bool,
    /// The single letter of a bare `(S)`, `(C)`, `(U)`, for the enumerated-list check.
    pub letter: Option<u8>,
    /// Span of the mark within the line.
    pub start: usize,
    pub end: usize,
}

/// A portion mark at the start of `line` followed by paragraph text.
pub(crate) fn portion(line: &str) -> Option<Portion> {
    let start = line.len() - line.trim_start_matches(is_space).len();
    let rest = line[start..].strip_prefix('(')?;
    let close = rest.find(')')?;
    if close > 48 {
        return None;
    }
    let inner = &rest[..close];
    let end = start + 1 + close + 1;
    if trim(&line[end..]).is_empty() {
        return None;
    }
    let (head, caveats) = match inner.split_once("//") {
        Some((h, c)) => (h, Some(c)),
        None => (inner, None),
    };
    if let Some(c) = caveats
        && !caveat_ok(c)
    {
        return None;
    }
    let level = match head {
        "TS" => Some(Level::TopSecret),
        "S" => Some(Level::Secret),
        "C" => Some(Level::Confidential),
        "U" | "CUI" => None,
        _ => return None,
    };
    let strong = caveats.is_some() || head == "TS";
    let letter = if caveats.is_none() && head.len() == 1 {
        Some(head.as_bytes()[0])
    } else {
        None
    };
    Some(Portion {
        level,
        strong,
        letter,
        start,
        end,
    })
}

/// Whether a neighbouring line opens with the previous or next letter in parentheses, as in an
/// enumerated list `(B) … (C) … (D)`.
pub(crate) fn enumerated(letter: u8, prev: Option<&str>, next: Option<&str>) -> bool {
    let opens_with = |line: Option<&str>, l: u8| {
        line.is_some_and(|s| {
            let b = s.as_bytes();
            b.len() >= 3 && b[0] == b'(' && b[1].eq_ignore_ascii_case(&l) && b[2] == b')'
        })
    };
    let before = letter.wrapping_sub(1);
    let after = letter.wrapping_add(1);
    opens_with(prev, before) || opens_with(next, after) || opens_with(prev, after)
}
