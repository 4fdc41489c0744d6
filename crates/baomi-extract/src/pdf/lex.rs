//! A tokenizer for PDF content streams and CMaps (ISO 32000-1 §7.2, §7.8): numbers, names, strings,
//! array and dictionary brackets, and keywords (operators). Strings are decoded into one buffer the
//! lexer keeps and reuses (a content stream shows tens of thousands of short strings: one allocation
//! each was a tenth of a PDF's time); it allocates only to grow that buffer and for names holding
//! `#xx` escapes, never from a length written in the file.

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok<'a> {
    Num(f64),
    Name(Cow<'a, [u8]>),
    /// A string's bytes, decoded, in the lexer's buffer: read with [`Lexer::string`].
    Str(StrRef),
    ArrOpen,
    ArrClose,
    DictOpen,
    DictClose,
    /// A keyword: an operator in a content stream, `begincmap`, `true`, …
    Op(&'a [u8]),
}

/// Where a decoded string lies in the lexer's buffer. Valid until [`Lexer::forget_strings`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct StrRef {
    start: u32,
    end: u32,
}

pub(super) struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
    /// The decoded bytes of the strings read since the last [`Lexer::forget_strings`].
    strings: Vec<u8>,
}

const SPACE: u8 = 1;
const DELIM: u8 = 2;

/// Each byte's class (white space, delimiter, or regular), looked up once per byte: the tokenizer
/// touches every byte of every content stream, and a table beats a chain of comparisons there.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let spaces = b" \t\r\n\x0c\0";
    let mut i = 0;
    while i < spaces.len() {
        t[spaces[i] as usize] = SPACE;
        i += 1;
    }
    let delims = b"()<>[]{}/%";
    let mut i = 0;
    while i < delims.len() {
        t[delims[i] as usize] = DELIM;
        i += 1;
    }
    t
};

fn is_space(b: u8) -> bool {
    CLASS[b as usize] == SPACE
}

/// Neither white space nor a delimiter: part of a number, keyword or name.
fn is_regular(b: u8) -> bool {
    CLASS[b as usize] == 0
}

/// Each byte's value as a hex digit, 0xFF for bytes that are not one.
const HEX: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'a'..=b'f' => c - b'a' + 10,
            c @ b'A'..=b'F' => c - b'A' + 10,
            _ => 0xFF,
        };
        b += 1;
    }
    t
};

fn hex_val(b: u8) -> Option<u8> {
    let v = HEX[b as usize];
    (v != 0xFF).then_some(v)
}

impl<'a> Lexer<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        Lexer {
            data,
            pos: 0,
            strings: Vec::new(),
        }
    }

    /// The bytes of a string token.
    pub(super) fn string(&self, s: StrRef) -> &[u8] {
        self.strings
            .get(s.start as usize..s.end as usize)
            .unwrap_or_default()
    }

    /// Drop the strings read so far (their [`StrRef`]s become stale); the buffer's room is kept.
    pub(super) fn forget_strings(&mut self) {
        self.strings.clear();
    }

    /// The string decoded since `start`, as a token. A buffer past 4 GiB cannot be addressed: the
    /// string is dropped then (a content stream is decompressed under a far smaller limit).
    fn string_from(&mut self, start: usize) -> StrRef {
        match (u32::try_from(start), u32::try_from(self.strings.len())) {
            (Ok(start), Ok(end)) => StrRef { start, end },
            _ => {
                self.strings.truncate(start);
                StrRef { start: 0, end: 0 }
            }
        }
    }

    fn skip_space_and_comments(&mut self) {
        while let Some(&b) = self.data.get(self.pos) {
            if is_space(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&c) = self.data.get(self.pos) {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next token, `None` at the end of the data.
    #[inline(always)]
    pub(super) fn next_tok(&mut self) -> Option<Tok<'a>> {
        loop {
            self.skip_space_and_comments();
            let b = *self.data.get(self.pos)?;
            match b {
                b'(' => return Some(Tok::Str(self.literal())),
                b'<' => {
                    if self.data.get(self.pos + 1) == Some(&b'<') {
                        self.pos += 2;
                        return Some(Tok::DictOpen);
                    }
                    return Some(Tok::Str(self.hex()));
                }
                b'>' => {
                    self.pos += 1;
                    if self.data.get(self.pos) == Some(&b'>') {
                        self.pos += 1;
                        return Some(Tok::DictClose);
                    }
                    // A stray `>`: skip it.
                }
                b'[' => {
                    self.pos += 1;
                    return Some(Tok::ArrOpen);
                }
                b']' => {
                    self.pos += 1;
                    return Some(Tok::ArrClose);
                }
                b'/' => {
                    self.pos += 1;
                    return Some(Tok::Name(self.name()));
                }
                // `{`, `}` (PostScript procedures in CMaps) and a stray `)` carry no text.
                b'{' | b'}' | b')' => self.pos += 1,
                _ => {
                    let start = self.pos;
                    self.pos = self.regular_end();
                    let word = &self.data[start..self.pos];
                    return Some(match parse_number(word) {
                        Some(n) => Tok::Num(n),
                        None => Tok::Op(word),
                    });
                }
            }
        }
    }

    fn literal(&mut self) -> StrRef {
        self.pos += 1; // the opening parenthesis
        let start = self.strings.len();
        let out = &mut self.strings;
        let mut depth = 1u32;
        while let Some(&b) = self.data.get(self.pos) {
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return self.string_from(start);
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(&e) = self.data.get(self.pos) else {
                        break;
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.data.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            // Octal above \377 overflows a byte; the high bit is dropped, as readers do.
                            out.push((v & 0xFF) as u8);
                        }
                        // A backslash before an end of line continues the string on the next line.
                        b'\r' => {
                            if self.data.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
        self.string_from(start)
    }

    fn hex(&mut self) -> StrRef {
        self.pos += 1; // `<`
        let start = self.strings.len();
        let out = &mut self.strings;
        let mut high: Option<u8> = None;
        while let Some(&b) = self.data.get(self.pos) {
            self.pos += 1;
            if b == b'>' {
                break;
            }
            if let Some(v) = hex_val(b) {
                match high.take() {
                    Some(h) => out.push(h << 4 | v),
                    None => high = Some(v),
                }
            }
        }
        // An odd final digit stands for its value followed by 0.
        if let Some(h) = high {
            out.push(h << 4);
        }
        self.string_from(start)
    }

    /// Where the run of regular bytes starting at the current position ends.
    fn regular_end(&self) -> usize {
        let rest = self.data.get(self.pos..).unwrap_or_default();
        self.pos
            + rest
                .iter()
                .position(|&c| !is_regular(c))
                .unwrap_or(rest.len())
    }

    fn name(&mut self) -> Cow<'a, [u8]> {
        let start = self.pos;
        self.pos = self.regular_end();
        let raw = &self.data[start..self.pos];
        if !raw.contains(&b'#') {
            return Cow::Borrowed(raw);
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'#'
                && let (Some(h), Some(l)) = (
                    raw.get(i + 1).copied().and_then(hex_val),
                    raw.get(i + 2).copied().and_then(hex_val),
                )
            {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
            out.push(raw[i]);
            i += 1;
        }
        Cow::Owned(out)
    }

    /// After an inline image's `ID`: skip its binary data up to and including `EI`.
    /// The data has no length; `EI` between whitespace (or at the end) closes it, as readers assume.
    pub(super) fn skip_inline_image(&mut self) {
        self.pos += 1; // the single whitespace after ID
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let mut from = 0;
        while let Some(i) = memchr::memmem::find(&rest[from..], b"EI") {
            let at = from + i;
            let before_ok = at == 0 || is_space(rest[at - 1]);
            let after_ok = rest.get(at + 2).is_none_or(|&c| is_space(c));
            if before_ok && after_ok {
                self.pos += at + 2;
                return;
            }
            from = at + 2;
        }
        self.pos = self.data.len();
    }
}

fn parse_number(word: &[u8]) -> Option<f64> {
    let first = *word.first()?;
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return None;
    }
    if let Some(v) = plain_decimal(word) {
        return Some(v);
    }
    let s = std::str::from_utf8(word).ok()?;
    if let Ok(v) = s.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    // Writers emit oddities such as `--5` or `5.`-like forms; take what reads as a number.
    let trimmed = s.trim_start_matches(['+', '-']);
    let neg = s.starts_with('-');
    let v = trimmed.parse::<f64>().ok().filter(|v| v.is_finite())?;
    Some(if neg { -v } else { v })
}

/// `[+-]digits[.digits]` with at most 15 digits in all, the form of nearly every number in a content
/// stream, read without the general parser: the digits as an integer, divided by a power of ten. Both
/// are exact doubles, and IEEE division rounds correctly, so the result is the double `str::parse`
/// gives. `None` for any other form.
fn plain_decimal(word: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (neg, digits) = match word.first()? {
        b'-' => (true, &word[1..]),
        b'+' => (false, &word[1..]),
        _ => (false, word),
    };
    let mut mantissa = 0u64;
    let mut count = 0usize;
    let mut fraction: Option<usize> = None;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
                if let Some(f) = fraction.as_mut() {
                    *f += 1;
                }
            }
            b'.' if fraction.is_none() => fraction = Some(0),
            _ => return None,
        }
        if count > 15 {
            return None;
        }
    }
    if count == 0 {
        return None;
    }
    let v = mantissa as f64 / POW10[fraction.unwrap_or(0)];
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct reading of plain decimals gives what the general parser gives, bit for bit.
    #[test]
    fn plain_decimals_equal_the_general_parser() {
        let mut words: Vec<String> = [
            "0",
            "-0",
            "+0",
            ".5",
            "5.",
            "-.5",
            "56.8",
            "773.989",
            "0.028",
            "595.275",
            "841.861",
            "-250",
            "0.1",
            "0.2",
            "0.3",
            "1.7976931",
            "123456789012345",
            "12345678901234.5",
            "0.00000000000001",
            "999999999999999",
            "-999999999.999999",
        ]
        .map(String::from)
        .to_vec();
        let mut rng = crate::xml::testing::XorShift(0x1234_5678_9abc_def1_u64);
        for _ in 0..20_000 {
            let seed = rng.next_u64();
            let digits = (seed % 15 + 1) as usize;
            let n = seed >> 8;
            let mut w = format!("{:0width$}", n % 10u64.pow(digits as u32), width = digits);
            let dot = (seed >> 4) as usize % (digits + 2);
            if dot <= digits {
                w.insert(dot, '.');
            }
            if seed & 1 == 1 {
                w.insert(0, '-');
            }
            words.push(w);
        }
        for w in &words {
            let general = w.parse::<f64>().expect("a plain decimal parses");
            let direct = plain_decimal(w.as_bytes()).expect("read directly");
            assert_eq!(direct.to_bits(), general.to_bits(), "{w}");
        }
        for odd in [
            "--5",
            ".",
            "-",
            "1e5",
            "1.2.3",
            "0x10",
            "1234567890123456",
            "0.000000000000001",
        ] {
            assert_eq!(plain_decimal(odd.as_bytes()), None, "{odd}");
        }
    }

    fn toks(s: &[u8]) -> Vec<Tok<'_>> {
        let mut l = Lexer::new(s);
        std::iter::from_fn(|| l.next_tok()).collect()
    }

    /// The strings of `s`, decoded.
    fn strings(s: &[u8]) -> Vec<Vec<u8>> {
        let mut l = Lexer::new(s);
        let mut out = Vec::new();
        while let Some(t) = l.next_tok() {
            if let Tok::Str(r) = t {
                out.push(l.string(r).to_vec());
            }
        }
        out
    }

    #[test]
    fn tokens() {
        let t = toks(b"BT /F#201 12 Tf (a\\(b\\)\\101\\\nc) Tj <4E2D 6> Tj [(x) -250 (y)] TJ << /K 1 >> % c\n.5 -3 ET");
        assert_eq!(t[0], Tok::Op(b"BT"));
        assert_eq!(t[1], Tok::Name(Cow::Owned(b"F 1".to_vec())));
        assert_eq!(t[2], Tok::Num(12.0));
        assert!(matches!(t[4], Tok::Str(_)) && matches!(t[6], Tok::Str(_)));
        let s = strings(b"BT /F#201 12 Tf (a\\(b\\)\\101\\\nc) Tj <4E2D 6> Tj [(x) -250 (y)] TJ");
        assert_eq!(s[0], b"a(b)Ac");
        assert_eq!(s[1], [0x4E, 0x2D, 0x60]);
        assert_eq!(s[2..], [b"x", b"y"]);
        assert_eq!(t[8], Tok::ArrOpen);
        assert_eq!(t[10], Tok::Num(-250.0));
        assert!(t.contains(&Tok::DictOpen) && t.contains(&Tok::DictClose));
        assert_eq!(t[t.len() - 3], Tok::Num(0.5));
        assert_eq!(t[t.len() - 1], Tok::Op(b"ET"));
    }

    #[test]
    fn inline_image_is_skipped() {
        let data = b"BI /W 2 /H 2 ID \x00EI\xffEIx EI\nBT ET";
        let mut l = Lexer::new(data);
        while let Some(t) = l.next_tok() {
            if t == Tok::Op(b"ID") {
                l.skip_inline_image();
                break;
            }
        }
        assert_eq!(l.next_tok(), Some(Tok::Op(b"BT")));
    }

    #[test]
    fn unterminated_things_end() {
        assert_eq!(toks(b"(abc").len(), 1);
        assert_eq!(toks(b"<41").len(), 1);
        assert_eq!(toks(b"(a\\").len(), 1);
    }
}
