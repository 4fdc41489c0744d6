//! A small XML tag scanner for the recent-file lists (XBEL, LibreOffice's registrymodifications.xcu).
//! These files are flat and machine-written; only start tags and their attributes matter, so a scanner
//! that never builds a tree, never expands entities beyond the predefined five and character references,
//! and always advances is all that is needed (no DTDs, no external entities, no depth to exhaust).

/// One tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag<'a> {
    /// Qualified name (`bookmark:application`).
    pub name: &'a str,
    /// Attributes, values decoded.
    pub attrs: Vec<(&'a str, String)>,
    /// `</name>`.
    pub end: bool,
    /// `<name/>`.
    pub empty: bool,
}

impl Tag<'_> {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Attributes read per tag at most.
const MAX_ATTRS: usize = 64;

/// Iterate over the tags of `text`; what cannot be a tag is skipped.
pub fn tags(text: &str) -> Tags<'_> {
    Tags { text, pos: 0 }
}

/// Iterator returned by [`tags`].
pub struct Tags<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Tags<'a> {
    type Item = Tag<'a>;

    fn next(&mut self) -> Option<Tag<'a>> {
        loop {
            let rest = self.text.get(self.pos..)?;
            let lt = rest.find('<')?;
            let start = self.pos + lt;
            let after = self.text.get(start + 1..)?;
            // Comments, processing instructions, CDATA and declarations: skip to their end.
            for (open, close) in [("!--", "-->"), ("?", "?>"), ("![CDATA[", "]]>"), ("!", ">")] {
                if after.starts_with(open) {
                    let from = start + 1 + open.len();
                    self.pos = match self.text.get(from..).and_then(|r| r.find(close)) {
                        Some(i) => from + i + close.len(),
                        None => self.text.len(),
                    };
                    break;
                }
            }
            if after.starts_with('!') || after.starts_with('?') {
                continue;
            }
            let (tag, consumed) = parse_tag(after);
            self.pos = start + 1 + consumed.max(1);
            if let Some(tag) = tag {
                return Some(tag);
            }
        }
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ':' | '_' | '-' | '.')
}

/// Parse after `<`; returns the tag (if well formed) and the bytes consumed.
fn parse_tag(s: &str) -> (Option<Tag<'_>>, usize) {
    let mut i = 0;
    let end = s.starts_with('/');
    if end {
        i = 1;
    }
    let name_len = s
        .get(i..)
        .map(|r| r.find(|c| !is_name_char(c)).unwrap_or(r.len()))
        .unwrap_or(0);
    if name_len == 0 {
        return (None, i.max(1));
    }
    let name = &s[i..i + name_len];
    i += name_len;
    let mut attrs = Vec::new();
    loop {
        let Some(rest) = s.get(i..) else {
            return (None, s.len());
        };
        let trimmed = rest.trim_start();
        i += rest.len() - trimmed.len();
        if trimmed.starts_with("/>") {
            return (
                Some(Tag {
                    name,
                    attrs,
                    end,
                    empty: true,
                }),
                i + 2,
            );
        }
        if trimmed.starts_with('>') {
            return (
                Some(Tag {
                    name,
                    attrs,
                    end,
                    empty: false,
                }),
                i + 1,
            );
        }
        let key_len = trimmed.find(|c| !is_name_char(c)).unwrap_or(trimmed.len());
        if key_len == 0 {
            return (None, i.max(1));
        }
        let key = &trimmed[..key_len];
        i += key_len;
        let Some(rest) = s.get(i..) else {
            return (None, s.len());
        };
        let t = rest.trim_start();
        let Some(t) = t.strip_prefix('=') else {
            return (None, i);
        };
        let t2 = t.trim_start();
        i += rest.len() - t2.len();
        let Some(quote) = t2.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            return (None, i);
        };
        let Some(close) = t2.get(1..).and_then(|r| r.find(quote)) else {
            return (None, s.len());
        };
        let raw = &t2[1..1 + close];
        i += close + 2;
        if attrs.len() < MAX_ATTRS {
            attrs.push((key, unescape(raw)));
        }
    }
}

/// Decode the predefined entities and character references (`&#26426;`, `&#x673a;`); anything else
/// is kept as written.
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let semi = tail.bytes().take(12).position(|b| b == b';');
        let decoded = semi.and_then(|semi| {
            let ent = &tail[1..semi];
            let c = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let num = ent.strip_prefix('#')?;
                    let n = match num.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(n)
                }
            }?;
            Some((c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: &str) {
        let got: Vec<String> = tags(text)
            .map(|t| {
                let a: Vec<String> = t.attrs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!(
                    "{}{}{} {}",
                    if t.end { "/" } else { "" },
                    t.name,
                    if t.empty { "/" } else { "" },
                    a.join(" ")
                )
            })
            .collect();
        assert_eq!(got.join(" | "), expect, "{text}");
    }

    #[test]
    fn scanner() {
        check(
            "<?xml version=\"1.0\"?><a x=\"1\" y='2'>t</a>",
            "a x=1 y=2 | /a ",
        );
        check(
            "<b:app name=\"A &amp; B\" exec=\"&apos;x %u&apos;\"/>",
            "b:app/ name=A & B exec='x %u'",
        );
        check(
            "<!-- <a> --><![CDATA[<b>]]><c v=\"&#26426;&#x5bc6;&bogus;&\"/>",
            "c/ v=机密&bogus;&",
        );
        check("<a x=\"unterminated", "");
        check("<a x=1><b>", "b ");
        check("< a><>", "");
        check("<a >", "a ");
        check("<a x=\"1>2\">", "a x=1>2");
        check("<", "");
        check("<!--", "");
    }
}
