//! The built-in encoding of a bare CFF font (`/FontFile3` of subtype `Type1C`, Adobe TN 5176): which
//! glyph name each one-byte code draws, read from the Top DICT's `Encoding` and `charset` entries.
//!
//! By hand rather than through `ttf-parser`'s CFF table: its INDEX reader asserts (with debug
//! assertions, as tests and fuzzing build) on offsets past 4 GiB that a damaged font holds, and only
//! the encoding is needed here, not outlines. Every read is bounded by the program's bytes.

use std::ops::Range;

/// The 391 standard strings (TN 5176 Appendix A), SIDs 0–390, space-separated.
const STANDARD_STRINGS: &str = concat!(
    ".notdef space exclam quotedbl numbersign dollar percent ampersand quoteright parenleft ",
    "parenright asterisk plus comma hyphen period slash zero one two three four five six seven ",
    "eight nine colon semicolon less equal greater question at A B C D E F G H I J K L M N O P Q ",
    "R S T U V W X Y Z bracketleft backslash bracketright asciicircum underscore quoteleft a b c ",
    "d e f g h i j k l m n o p q r s t u v w x y z braceleft bar braceright asciitilde exclamdown ",
    "cent sterling fraction yen florin section currency quotesingle quotedblleft guillemotleft ",
    "guilsinglleft guilsinglright fi fl endash dagger daggerdbl periodcentered paragraph bullet ",
    "quotesinglbase quotedblbase quotedblright guillemotright ellipsis perthousand questiondown ",
    "grave acute circumflex tilde macron breve dotaccent dieresis ring cedilla hungarumlaut ",
    "ogonek caron emdash AE ordfeminine Lslash Oslash OE ordmasculine ae dotlessi lslash oslash ",
    "oe germandbls onesuperior logicalnot mu trademark Eth onehalf plusminus Thorn onequarter ",
    "divide brokenbar degree thorn threequarters twosuperior registered minus eth multiply ",
    "threesuperior copyright Aacute Acircumflex Adieresis Agrave Aring Atilde Ccedilla Eacute ",
    "Ecircumflex Edieresis Egrave Iacute Icircumflex Idieresis Igrave Ntilde Oacute Ocircumflex ",
    "Odieresis Ograve Otilde Scaron Uacute Ucircumflex Udieresis Ugrave Yacute Ydieresis Zcaron ",
    "aacute acircumflex adieresis agrave aring atilde ccedilla eacute ecircumflex edieresis ",
    "egrave iacute icircumflex idieresis igrave ntilde oacute ocircumflex odieresis ograve otilde ",
    "scaron uacute ucircumflex udieresis ugrave yacute ydieresis zcaron exclamsmall ",
    "Hungarumlautsmall dollaroldstyle dollarsuperior ampersandsmall Acutesmall parenleftsuperior ",
    "parenrightsuperior twodotenleader onedotenleader zerooldstyle oneoldstyle twooldstyle ",
    "threeoldstyle fouroldstyle fiveoldstyle sixoldstyle sevenoldstyle eightoldstyle nineoldstyle ",
    "commasuperior threequartersemdash periodsuperior questionsmall asuperior bsuperior ",
    "centsuperior dsuperior esuperior isuperior lsuperior msuperior nsuperior osuperior rsuperior ",
    "ssuperior tsuperior ff ffi ffl parenleftinferior parenrightinferior Circumflexsmall ",
    "hyphensuperior Gravesmall Asmall Bsmall Csmall Dsmall Esmall Fsmall Gsmall Hsmall Ismall ",
    "Jsmall Ksmall Lsmall Msmall Nsmall Osmall Psmall Qsmall Rsmall Ssmall Tsmall Usmall Vsmall ",
    "Wsmall Xsmall Ysmall Zsmall colonmonetary onefitted rupiah Tildesmall exclamdownsmall ",
    "centoldstyle Lslashsmall Scaronsmall Zcaronsmall Dieresissmall Brevesmall Caronsmall ",
    "Dotaccentsmall Macronsmall figuredash hypheninferior Ogoneksmall Ringsmall Cedillasmall ",
    "questiondownsmall oneeighth threeeighths fiveeighths seveneighths onethird twothirds ",
    "zerosuperior foursuperior fivesuperior sixsuperior sevensuperior eightsuperior ninesuperior ",
    "zeroinferior oneinferior twoinferior threeinferior fourinferior fiveinferior sixinferior ",
    "seveninferior eightinferior nineinferior centinferior dollarinferior periodinferior ",
    "commainferior Agravesmall Aacutesmall Acircumflexsmall Atildesmall Adieresissmall Aringsmall ",
    "AEsmall Ccedillasmall Egravesmall Eacutesmall Ecircumflexsmall Edieresissmall Igravesmall ",
    "Iacutesmall Icircumflexsmall Idieresissmall Ethsmall Ntildesmall Ogravesmall Oacutesmall ",
    "Ocircumflexsmall Otildesmall Odieresissmall OEsmall Oslashsmall Ugravesmall Uacutesmall ",
    "Ucircumflexsmall Udieresissmall Yacutesmall Thornsmall Ydieresissmall 001.000 001.001 ",
    "001.002 001.003 Black Bold Book Light Medium Regular Roman Semibold ",
);

const N_STANDARD: usize = 391;

/// Call `pair(code, name)` for each code of the font's own encoding. Nothing for the predefined
/// Standard and Expert encodings (the Standard one is the default anyway), for CID-keyed fonts and
/// for a program that does not parse.
pub(super) fn encoding(data: &[u8], pair: &mut impl FnMut(u8, &[u8])) {
    let _ = read(data, pair);
}

fn read(data: &[u8], pair: &mut impl FnMut(u8, &[u8])) -> Option<()> {
    let header = usize::from(*data.get(2)?);
    let (_, at) = index(data, header)?;
    let (top, at) = index(data, at)?;
    let (strings, _) = index(data, at)?;
    let dict = parse_dict(data.get(top.first()?.clone())?)?;
    let offset = |v: Option<i64>| v.and_then(|v| usize::try_from(v).ok());
    let (Some(enc_at), Some(char_strings)) = (offset(dict.encoding), offset(dict.char_strings))
    else {
        return None;
    };
    if dict.ros || enc_at <= 1 {
        return None;
    }
    let glyphs = usize::from(u16_at(data, char_strings)?);
    let sids = charset(data, offset(dict.charset).unwrap_or(0), glyphs)?;
    let name = |sid: u16| -> Option<&[u8]> {
        let sid = usize::from(sid);
        if sid < N_STANDARD {
            STANDARD_STRINGS.split(' ').nth(sid).map(str::as_bytes)
        } else {
            data.get(strings.get(sid - N_STANDARD)?.clone())
        }
    };
    let format = *data.get(enc_at)?;
    let mut at = enc_at + 1;
    let mut gid = 1usize;
    let mut emit = |code: u8, gid: usize| {
        if let Some(n) = sids.get(gid).copied().and_then(name) {
            pair(code, n);
        }
    };
    match format & 0x7F {
        0 => {
            let n = usize::from(*data.get(at)?);
            for &code in data.get(at + 1..at + 1 + n)? {
                emit(code, gid);
                gid += 1;
            }
            at += 1 + n;
        }
        1 => {
            let ranges = usize::from(*data.get(at)?);
            for r in data.get(at + 1..at + 1 + 2 * ranges)?.chunks_exact(2) {
                for code in r[0]..=r[0].saturating_add(r[1]) {
                    emit(code, gid);
                    gid += 1;
                }
            }
            at += 1 + 2 * ranges;
        }
        _ => return None,
    }
    if format & 0x80 != 0 {
        // Supplements: more codes for glyphs already encoded, by their names.
        let n = usize::from(*data.get(at)?);
        for s in data.get(at + 1..at + 1 + 3 * n)?.chunks_exact(3) {
            if let Some(n) = name(u16::from_be_bytes([s[1], s[2]])) {
                pair(s[0], n);
            }
        }
    }
    Some(())
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// An INDEX at `at`: the byte ranges of its items, and where the INDEX ends.
fn index(data: &[u8], at: usize) -> Option<(Vec<Range<usize>>, usize)> {
    let count = usize::from(u16_at(data, at)?);
    if count == 0 {
        return Some((Vec::new(), at + 2));
    }
    let size = usize::from(*data.get(at + 2)?);
    if !(1..=4).contains(&size) {
        return None;
    }
    let offsets = at + 3;
    let table = data.get(offsets..offsets.checked_add((count + 1).checked_mul(size)?)?)?;
    // Offsets count from the byte before the data that follows the table.
    let base = offsets + table.len() - 1;
    let offset = |i: usize| -> Option<usize> {
        let b = table.get(i * size..(i + 1) * size)?;
        let v = b.iter().fold(0usize, |a, &x| a << 8 | usize::from(x));
        let v = base.checked_add(v)?;
        (v <= data.len()).then_some(v)
    };
    let mut items = Vec::with_capacity(count);
    let mut start = offset(0)?;
    for i in 1..=count {
        let end = offset(i)?;
        if end < start {
            return None;
        }
        items.push(start..end);
        start = end;
    }
    Some((items, start))
}

#[derive(Default)]
struct TopDict {
    charset: Option<i64>,
    encoding: Option<i64>,
    char_strings: Option<i64>,
    ros: bool,
}

/// The Top DICT entries the encoding needs (operators 15, 16, 17 and 12 30).
fn parse_dict(d: &[u8]) -> Option<TopDict> {
    let mut dict = TopDict::default();
    let mut last: Option<i64> = None;
    let mut i = 0;
    while let Some(&b) = d.get(i) {
        i += 1;
        match b {
            12 => {
                if d.get(i) == Some(&30) {
                    dict.ros = true;
                }
                i += 1;
                last = None;
            }
            0..=21 => {
                match b {
                    15 => dict.charset = last,
                    16 => dict.encoding = last,
                    17 => dict.char_strings = last,
                    _ => {}
                }
                last = None;
            }
            28 => {
                let v = d.get(i..i + 2)?;
                last = Some(i64::from(i16::from_be_bytes([v[0], v[1]])));
                i += 2;
            }
            29 => {
                let v = d.get(i..i + 4)?;
                last = Some(i64::from(i32::from_be_bytes([v[0], v[1], v[2], v[3]])));
                i += 4;
            }
            30 => {
                // A real: nibbles up to the one that ends it (0xF).
                while let Some(&n) = d.get(i) {
                    i += 1;
                    if n & 0x0F == 0x0F || n >> 4 == 0x0F {
                        break;
                    }
                }
                last = None;
            }
            32..=246 => last = Some(i64::from(b) - 139),
            247..=250 => {
                let b1 = *d.get(i)?;
                i += 1;
                last = Some((i64::from(b) - 247) * 256 + i64::from(b1) + 108);
            }
            251..=254 => {
                let b1 = *d.get(i)?;
                i += 1;
                last = Some(-(i64::from(b) - 251) * 256 - i64::from(b1) - 108);
            }
            _ => last = None,
        }
    }
    Some(dict)
}

/// The SID of each glyph id (gid 0 is `.notdef`, SID 0), from the charset at `at`; 0 is ISOAdobe
/// (SID = gid). The Expert charsets (1, 2) name no glyph of an ordinary font: none.
fn charset(data: &[u8], at: usize, glyphs: usize) -> Option<Vec<u16>> {
    if at == 0 {
        return Some((0..glyphs.min(N_STANDARD)).map(|g| g as u16).collect());
    }
    if at <= 2 {
        return None;
    }
    let mut sids = Vec::with_capacity(glyphs);
    sids.push(0u16);
    let format = *data.get(at)?;
    let mut i = at + 1;
    while sids.len() < glyphs {
        match format {
            0 => {
                sids.push(u16_at(data, i)?);
                i += 2;
            }
            1 | 2 => {
                let first = u16_at(data, i)?;
                let left = if format == 1 {
                    u16::from(*data.get(i + 2)?)
                } else {
                    u16_at(data, i + 2)?
                };
                i += if format == 1 { 3 } else { 4 };
                for k in 0..=left {
                    if sids.len() >= glyphs {
                        break;
                    }
                    sids.push(first.saturating_add(k));
                }
            }
            _ => return None,
        }
    }
    Some(sids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_strings() {
        let names: Vec<&str> = STANDARD_STRINGS.split(' ').collect();
        assert_eq!(names.len(), N_STANDARD + 1, "a trailing space");
        assert_eq!(
            (names[0], names[1], names[111], names[390]),
            (".notdef", "space", "endash", "Semibold")
        );
    }

    #[test]
    fn an_encoding_of_its_own() {
        // Header; Name INDEX ["F"]; Top DICT INDEX [charset 60, Encoding 70, CharStrings 80]; empty
        // String and Global Subr INDEXes; then the charset, the encoding and a CharStrings INDEX.
        let mut cff = vec![1, 0, 4, 1];
        cff.extend([0, 1, 1, 1, 2, b'F']);
        let top = [60 + 139, 15, 70 + 139, 16, 80 + 139, 17];
        cff.extend([0, 1, 1, 1, 1 + top.len() as u8]);
        cff.extend(top);
        cff.extend([0, 0, 0, 0]);
        cff.resize(60, 0);
        // charset format 0: gid 1 → SID 111 (endash), gid 2 → SID 66 (a).
        cff.extend([0, 0, 111, 0, 66]);
        cff.resize(70, 0);
        // encoding format 0 with a supplement: code 0x7B → gid 1, 0x61 → gid 2; code 0x0B → SID 111.
        cff.extend([0x80, 2, 0x7B, 0x61, 1, 0x0B, 0, 111]);
        cff.resize(80, 0);
        cff.extend([0, 3, 1, 1, 1, 1, 1]);
        let mut got = Vec::new();
        encoding(&cff, &mut |c, n| {
            got.push((c, String::from_utf8_lossy(n).into_owned()))
        });
        assert_eq!(
            got,
            [
                (0x7B, "endash".into()),
                (0x61, "a".into()),
                (0x0B, "endash".into())
            ]
        );
        // Cut anywhere, it gives what it can and never panics.
        for len in 0..cff.len() {
            encoding(&cff[..len], &mut |_, _| {});
        }
    }
}
