//! Policy keywords: every keyword in one leftmost-longest Aho–Corasick automaton, one pass per segment.
//!
//! The automaton is ASCII case-insensitive when any keyword is; case-sensitive keywords are then
//! checked against the exact bytes. Keywords that begin or end with an ASCII letter or digit need a
//! word boundary there, so `ABC` does not match inside `ABCD`.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use baomi_core::{Keyword, Level};

use crate::DetectError;

struct Meta {
    text: String,
    level: Level,
    note: Option<String>,
    case_sensitive: bool,
    word_start: bool,
    word_end: bool,
}

/// The compiled keyword list.
pub(crate) struct Keywords {
    ac: AhoCorasick,
    /// The same patterns as a SIMD (Teddy) searcher when they allow one (case-sensitive, few): the
    /// automaton's own prefilter chooses "rare" bytes by English statistics, which in Chinese text
    /// are the most common ones.
    packed: Option<aho_corasick::packed::Searcher>,
    any_insensitive: bool,
    meta: Vec<Meta>,
}

impl std::fmt::Debug for Keywords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keywords")
            .field("count", &self.meta.len())
            .finish()
    }
}

/// A keyword hit.
pub(crate) struct Hit<'k> {
    pub start: usize,
    pub end: usize,
    pub level: Level,
    pub note: Option<&'k str>,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Keywords {
    /// `None` when the policy has no keywords.
    pub(crate) fn new(list: &[Keyword]) -> Result<Option<Keywords>, DetectError> {
        let meta: Vec<Meta> = list
            .iter()
            .map(|k| {
                let t = k.text.trim();
                let b = t.as_bytes();
                Meta {
                    text: t.to_string(),
                    level: k.level,
                    note: k.note.clone(),
                    case_sensitive: k.case_sensitive,
                    word_start: b.first().is_some_and(|&c| c.is_ascii_alphanumeric()),
                    word_end: b.last().is_some_and(|&c| c.is_ascii_alphanumeric()),
                }
            })
            .filter(|m| !m.text.is_empty())
            .collect();
        if meta.is_empty() {
            return Ok(None);
        }
        let any_insensitive = meta
            .iter()
            .any(|m| !m.case_sensitive && m.text.bytes().any(|b| b.is_ascii_alphabetic()));
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(any_insensitive)
            .build(meta.iter().map(|m| m.text.as_str()))
            .map_err(|e| DetectError::Keywords(e.to_string()))?;
        let packed = if any_insensitive {
            None
        } else {
            aho_corasick::packed::Config::new()
                .match_kind(aho_corasick::packed::MatchKind::LeftmostLongest)
                .builder()
                .extend(meta.iter().map(|m| m.text.as_str()))
                .build()
        };
        Ok(Some(Keywords {
            ac,
            packed,
            any_insensitive,
            meta,
        }))
    }

    /// Calls `f` for every keyword occurrence in `text`, in order.
    pub(crate) fn scan<'k>(&'k self, text: &str, mut f: impl FnMut(Hit<'k>)) {
        let bytes = text.as_bytes();
        let hits: Box<dyn Iterator<Item = aho_corasick::Match>> = match &self.packed {
            Some(p) => Box::new(p.find_iter(bytes)),
            None => Box::new(self.ac.find_iter(text)),
        };
        for m in hits {
            let Some(meta) = self.meta.get(m.pattern().as_usize()) else {
                continue;
            };
            let (s, e) = (m.start(), m.end());
            if self.any_insensitive && meta.case_sensitive && &bytes[s..e] != meta.text.as_bytes() {
                continue;
            }
            if meta.word_start && s > 0 && is_word_byte(bytes[s - 1]) {
                continue;
            }
            if meta.word_end && e < bytes.len() && is_word_byte(bytes[e]) {
                continue;
            }
            f(Hit {
                start: s,
                end: e,
                level: meta.level,
                note: meta.note.as_deref(),
            });
        }
    }
}
