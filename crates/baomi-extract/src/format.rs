//! Which parser a file needs, decided from its name and its first bytes.

/// The formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Format {
    /// Plain text in any common encoding.
    Text,
    /// HTML.
    Html,
    /// Word 2007+.
    Docx,
    /// Excel 2007+.
    Xlsx,
    /// PowerPoint 2007+.
    Pptx,
    /// OpenDocument text.
    Odt,
    /// OpenDocument spreadsheet.
    Ods,
    /// OpenDocument presentation.
    Odp,
    /// RFC 5322 mail message.
    Eml,
    /// Zip archive.
    Zip,
    /// OLE compound file (Word/WPS .doc/.wps, Excel/WPS .xls/.et, PowerPoint/WPS .ppt/.dps, Outlook
    /// .msg): the parser tells which by its streams and reports the precise format.
    Ole,
    /// Word 97–2003 / WPS text.
    Doc,
    /// Excel 97–2003 / WPS spreadsheet.
    Xls,
    /// PowerPoint 97–2003 / WPS presentation.
    Ppt,
    /// Outlook message.
    Msg,
    /// Word 2003 XML (WordprocessingML 2003, one XML file).
    WordXml,
    /// Excel 2003 XML (SpreadsheetML 2003, one XML file): the usual "Excel export" of web systems.
    ExcelXml,
    /// Flat OPC: a whole .docx or .pptx package in one XML file (Word's and PowerPoint's "XML
    /// Document"/"XML Presentation"); read as the package it holds, and reported as that.
    FlatOpc,
    /// PDF.
    Pdf,
    /// Rich Text Format.
    Rtf,
    /// OFD (GB/T 33190), the Chinese fixed-layout document format.
    Ofd,
    /// tar archive.
    Tar,
    /// gzip-compressed data (a `.tar.gz` is read as the tar inside).
    Gzip,
    /// bzip2-compressed data.
    Bzip2,
    /// xz-compressed data.
    Xz,
    /// 7-Zip archive.
    SevenZip,
    /// A mailbox of many messages (mbox: Thunderbird's folders, Evolution, mutt).
    Mbox,
    /// Anything else.
    Unsupported,
}

impl Format {
    /// Identifier used in statistics.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
            Format::Pptx => "pptx",
            Format::Odt => "odt",
            Format::Ods => "ods",
            Format::Odp => "odp",
            Format::Eml => "eml",
            Format::Zip => "zip",
            Format::Ole => "ole",
            Format::Doc => "doc",
            Format::Xls => "xls",
            Format::Ppt => "ppt",
            Format::Msg => "msg",
            Format::WordXml => "word-xml",
            Format::ExcelXml => "excel-xml",
            Format::FlatOpc => "flat-opc",
            Format::Pdf => "pdf",
            Format::Rtf => "rtf",
            Format::Ofd => "ofd",
            Format::Tar => "tar",
            Format::Gzip => "gzip",
            Format::Bzip2 => "bzip2",
            Format::Xz => "xz",
            Format::SevenZip => "7z",
            Format::Mbox => "mbox",
            Format::Unsupported => "unsupported",
        }
    }
}

/// Decide the format from the file name and its first bytes (give at least the first 8 KiB).
///
/// Magic bytes win over the extension, because files are renamed (a `.txt` that is really a PDF must
/// not be read as text), except where the extension is the only way to tell formats that share one
/// magic apart (zip-based office packages, encrypted OOXML inside an OLE container).
pub fn sniff_format(name: &str, head: &[u8]) -> Format {
    let ext = extension(name);
    let ext = ext.as_str();
    if is_zip(head) {
        // An ODF package says what it is in its first, stored member, whatever the file is called
        // (an OpenDocument text saved under a .docx name is still one).
        if let Some(f) = odf_mimetype(head) {
            return f;
        }
        if let Some(f) = ooxml_ext(ext).or_else(|| odf_ext(ext)) {
            return f;
        }
        if ext == "ofd" {
            return Format::Ofd;
        }
        return Format::Zip;
    }
    if head.starts_with(OLE_MAGIC) {
        // Encrypted OOXML is an OLE compound file; the OOXML parser says "encrypted" for it. Every
        // other compound file is told apart by its streams.
        return ooxml_ext(ext).unwrap_or(Format::Ole);
    }
    if let Some(f) = container_magic(head, ext) {
        return f;
    }
    if has_binary_magic(head) {
        return Format::Unsupported;
    }
    // Office 2003 XML under any name (.xml, or the .doc/.xls a web system's export gives it).
    if let Some(f) = crate::office2003::sniff(head) {
        return f;
    }
    // A package name on bytes that are no package: its parser reports it as corrupt, which is what
    // it is (a damaged download, a truncated copy), rather than an unknown format.
    if let Some(f) = ooxml_ext(ext).or_else(|| odf_ext(ext)) {
        return f;
    }
    match ext {
        "zip" => return Format::Zip,
        // Old (v7) tar has no magic; its name is all there is.
        "tar" => return Format::Tar,
        "html" | "htm" | "xhtml" | "shtml" => return Format::Html,
        "eml" | "mht" | "mhtml" => return Format::Eml,
        "mbox" | "mbx" if is_mbox(head) => return Format::Mbox,
        _ => {}
    }
    if TEXT_EXTENSIONS.contains(&ext) {
        // Binary bytes behind a text name (a renamed executable, a corrupted file) are not text.
        return if looks_binary(head) {
            Format::Unsupported
        } else {
            Format::Text
        };
    }
    if looks_like_html(head) {
        return Format::Html;
    }
    if is_mbox(head) {
        return Format::Mbox;
    }
    if looks_like_mail(head) {
        return Format::Eml;
    }
    if looks_like_text(head) {
        return Format::Text;
    }
    Format::Unsupported
}

pub(crate) const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Extensions of formats that are plain text whatever their content looks like. (Content sniffing
/// still decides for files without one of these, so `README` or `notes.dat` holding text are read.)
const TEXT_EXTENSIONS: &[&str] = &[
    "txt",
    "text",
    "csv",
    "tsv",
    "log",
    "md",
    "markdown",
    "rst",
    "json",
    "jsonl",
    "ndjson",
    "xml",
    "yaml",
    "yml",
    "toml",
    "ini",
    "conf",
    "cfg",
    "config",
    "properties",
    "env",
    "sql",
    "srt",
    "vtt",
    "ass",
    "lrc",
    "tex",
    "bib",
    "nfo",
    "diz",
    "svg",
    "css",
    "scss",
    "less",
    "js",
    "mjs",
    "cjs",
    "ts",
    "tsx",
    "jsx",
    "vue",
    "java",
    "kt",
    "kts",
    "scala",
    "groovy",
    "gradle",
    "c",
    "h",
    "cc",
    "cpp",
    "cxx",
    "hpp",
    "hh",
    "hxx",
    "cs",
    "go",
    "rs",
    "py",
    "pyw",
    "rb",
    "php",
    "pl",
    "pm",
    "lua",
    "r",
    "m",
    "mm",
    "swift",
    "dart",
    "sh",
    "bash",
    "zsh",
    "fish",
    "ps1",
    "psm1",
    "bat",
    "cmd",
    "vbs",
    "asm",
    "s",
    "f",
    "f90",
    "pas",
    "erl",
    "ex",
    "exs",
    "hs",
    "clj",
    "lisp",
    "el",
    "vim",
    "mk",
    "cmake",
    "make",
    "dockerfile",
    "tf",
    "proto",
    "graphql",
    "gql",
    "reg",
    "inf",
    "po",
    "pot",
    "strings",
    "plist",
    "csproj",
    "sln",
    "vcxproj",
    "pom",
    "xsd",
    "xsl",
    "xslt",
    "wsdl",
    "jsp",
    "asp",
    "aspx",
    "erb",
    "tpl",
    "tmpl",
    "mustache",
    "twig",
    "diff",
    "patch",
    "adoc",
    "org",
    "wiki",
    "me",
    "1st",
    "ics",
    "vcf",
    "vcard",
    "url",
    "desktop",
    "service",
    "gitignore",
];

/// Lower-cased extension of the last path component, "" when there is none. Names are member names
/// as well as paths, so both separators count.
fn extension(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) if i + 1 < base.len() && base.len() - i <= 16 => base[i + 1..].to_ascii_lowercase(),
        _ => String::new(),
    }
}

fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
        || head.starts_with(b"PK\x05\x06")
        || head.starts_with(b"PK\x07\x08")
}

fn ooxml_ext(ext: &str) -> Option<Format> {
    match ext {
        "docx" | "docm" | "dotx" | "dotm" => Some(Format::Docx),
        // .xlsb is the same package with binary parts; the reader tells them by the workbook's name.
        "xlsx" | "xlsm" | "xltx" | "xltm" | "xlsb" => Some(Format::Xlsx),
        "pptx" | "pptm" | "ppsx" | "ppsm" | "potx" | "potm" => Some(Format::Pptx),
        _ => None,
    }
}

fn odf_ext(ext: &str) -> Option<Format> {
    match ext {
        // Flat XML variants (.fodt…) are not zips; odf::extract reads them as one XML document.
        "odt" | "ott" | "fodt" => Some(Format::Odt),
        "ods" | "ots" | "fods" => Some(Format::Ods),
        "odp" | "otp" | "fodp" => Some(Format::Odp),
        _ => None,
    }
}

/// The ODF media type of a package, from a zip whose first local header is the stored `mimetype`
/// member (as ODF requires, precisely so that it can be sniffed this way).
fn odf_mimetype(head: &[u8]) -> Option<Format> {
    let le16 = |at: usize| -> Option<usize> {
        let b = head.get(at..at + 2)?;
        Some(usize::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let name_len = le16(26)?;
    let extra_len = le16(28)?;
    if head.get(30..30 + name_len)? != b"mimetype" {
        return None;
    }
    let start = 30 + name_len + extra_len;
    let value = head.get(start..)?;
    odf_media_type(value)
}

/// Map an ODF media type (possibly followed by more bytes) to a format.
pub(crate) fn odf_media_type(value: &[u8]) -> Option<Format> {
    let rest = value.strip_prefix(b"application/vnd.oasis.opendocument.")?;
    // A chart package (LibreOffice's own embedding of a chart, `package_stream`) is read as a text
    // document: its title and data table are paragraphs and a table.
    if rest.starts_with(b"text") || rest.starts_with(b"chart") {
        Some(Format::Odt)
    } else if rest.starts_with(b"spreadsheet") {
        Some(Format::Ods)
    } else if rest.starts_with(b"presentation") {
        Some(Format::Odp)
    } else {
        None
    }
}

/// Magic numbers of binary formats we do not read: these are never text whatever they are called.
/// Formats Baomi reads that announce themselves in their first bytes.
fn container_magic(head: &[u8], ext: &str) -> Option<Format> {
    // The PDF header may follow up to 1 KiB of something else (PDF 1.7 §7.5.2; mail gateways and
    // download tools prepend headers). Believed at offset 0, after blanks alone, or in a file named
    // .pdf — not in any text that quotes it (source code and tests hold `b"%PDF-1.7…"`).
    let pdf_at = memchr::memmem::find(&head[..head.len().min(1024)], b"%PDF-");
    let is_pdf = pdf_at.is_some_and(|at| {
        ext == "pdf"
            || head[..at]
                .iter()
                .all(|b| b.is_ascii_whitespace() || *b == 0)
    });
    let f = if is_pdf {
        Format::Pdf
    } else if head.starts_with(b"{\\rtf") {
        Format::Rtf
    } else if head.starts_with(b"\x1F\x8B") {
        Format::Gzip
    } else if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        Format::Bzip2
    } else if head.starts_with(b"\xFD7zXZ\x00") {
        Format::Xz
    } else if head.starts_with(b"7z\xBC\xAF\x27\x1C") {
        Format::SevenZip
    } else if head.get(257..262) == Some(b"ustar") {
        Format::Tar
    } else {
        return None;
    };
    Some(f)
}

fn has_binary_magic(head: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[
        b"%PDF",
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"GIF87a",
        b"GIF89a",
        b"BM",
        b"\x7FELF",
        b"MZ",
        b"7z\xBC\xAF\x27\x1C",
        b"Rar!",
        b"\x1F\x8B",
        b"BZh",
        b"\xFD7zXZ\x00",
        b"SQLite format 3\x00",
        b"II*\x00",
        b"MM\x00*",
        b"OggS",
        b"fLaC",
        b"ID3",
        b"\x1A\x45\xDF\xA3",
        b"\x00\x00\x01\x00",
        b"\xCA\xFE\xBA\xBE",
        b"\xFE\xED\xFA",
        b"\xCF\xFA\xED\xFE",
        b"\xCE\xFA\xED\xFE",
        b"wOFF",
        b"wOF2",
        b"\x00\x01\x00\x00\x00",
        b"OTTO",
        b"MSCF",
        b"ITSF",
        b"\x28\xB5\x2F\xFD",
        b"\x04\x22\x4D\x18",
        b"{\\rtf",
        b"AT&TFORM",
        b"8BPS",
        b"\x00\x00\x00\x0CjP  ",
        b"FWS",
        b"CWS",
        b"ZWS",
        b"!<arch>",
        b"\xED\xAB\xEE\xDB",
        b"KDMV",
        b"conectix",
        b"vhdxfile",
        b"QFI\xFB",
        b"LZIP",
    ];
    // Magics that are all printable ASCII ("BM", "MZ", "ID3", "BZh", …) are also how some text starts
    // ("BMW sales", "MZ was here"): believe those only with a binary tell-tale (NUL or control bytes).
    const STRONG: &[&[u8]] = &[
        b"%PDF",
        b"GIF87a",
        b"GIF89a",
        b"Rar!",
        b"{\\rtf",
        b"SQLite format 3\x00",
    ];
    if let Some(p) = PREFIXES.iter().find(|p| head.starts_with(p)) {
        let printable = p.iter().all(|b| (0x20..0x7F).contains(b));
        if printable && !STRONG.contains(p) {
            return head[..head.len().min(8192)]
                .iter()
                .any(|&b| b < 0x09 || (0x0E..0x1B).contains(&b));
        }
        return true;
    }
    // RIFF containers (WAV, AVI, WebP) and ISO media (MP4, MOV, HEIC: "ftyp" at offset 4).
    head.starts_with(b"RIFF") && head.len() >= 12
        || head.get(4..8) == Some(b"ftyp")
        || head.get(257..262) == Some(b"ustar")
}

/// An HTML document announces itself in its first tag (after a BOM, whitespace and comments).
fn looks_like_html(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let rest = &head[start..head.len().min(start + 64)];
    starts_with_ci(rest, b"<!doctype html") || starts_with_ci(rest, b"<html")
}

fn starts_with_ci(hay: &[u8], prefix: &[u8]) -> bool {
    hay.len() >= prefix.len() && hay[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// A mail message saved without `.eml`: it opens with RFC 5322 header lines, the first one being a
/// field every mail carries near its top, and all lines up to the blank line are well-formed fields.
/// An mbox starts with a `From ` separator line (`From sender date`) followed by mail headers. Thunderbird
/// keeps each folder (`Inbox`, `Sent`…) as such a file, without an extension.
pub(crate) fn is_mbox(head: &[u8]) -> bool {
    let Some(rest) = head.strip_prefix(b"From ") else {
        return false;
    };
    let Some(eol) = memchr::memchr(b'\n', rest) else {
        return false;
    };
    // The separator names a sender and a date: a few words, no colon right after the first one.
    let line = &rest[..eol];
    line.len() < 200 && !line.starts_with(b" ") && looks_like_mail(&rest[eol + 1..])
}

fn looks_like_mail(head: &[u8]) -> bool {
    const FIRST: &[&[u8]] = &[
        b"received",
        b"from",
        b"return-path",
        b"mime-version",
        b"message-id",
        b"delivered-to",
        b"x-mozilla-status",
        b"x-apparently-to",
        b"date",
        b"to",
        b"subject",
    ];
    let head = &head[..head.len().min(8192)];
    let mut fields = 0u32;
    let mut lines = head.split(|&b| b == b'\n').peekable();
    let mut first = true;
    while let Some(line) = lines.next() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // The last line of the head may be cut anywhere: do not judge it.
        if lines.peek().is_none() {
            break;
        }
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if first {
                return false;
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return false;
        };
        let field = &line[..colon];
        if field.is_empty() || !field.iter().all(|&b| b.is_ascii_graphic()) {
            return false;
        }
        if first && !FIRST.iter().any(|f| field.eq_ignore_ascii_case(f)) {
            return false;
        }
        first = false;
        fields += 1;
    }
    fields >= 2
}

/// Binary by the signs grep and `file` use: NUL bytes that are not UTF-16, or control characters
/// that no text editor writes. (Lenient: used where the name already says text.)
fn looks_binary(head: &[u8]) -> bool {
    if head.is_empty() || has_bom(head) || crate::text::utf16_without_bom(head).is_some() {
        return false;
    }
    let head = &head[..head.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| matches!(b, 0x01..=0x08 | 0x0E..=0x1A | 0x1C..=0x1F | 0x7F))
        .count();
    controls * 100 > head.len()
}

fn has_bom(head: &[u8]) -> bool {
    head.starts_with(b"\xEF\xBB\xBF")
        || head.starts_with(b"\xFF\xFE")
        || head.starts_with(b"\xFE\xFF")
}

/// Text has no NUL bytes (unless it is UTF-16), few control characters, and decodes as UTF-8 or as
/// GB18030 with few errors.
fn looks_like_text(head: &[u8]) -> bool {
    if head.is_empty() || has_bom(head) || crate::text::utf16_without_bom(head).is_some() {
        return true;
    }
    if looks_binary(head) {
        return false;
    }
    let head = &head[..head.len().min(8192)];
    match std::str::from_utf8(head) {
        Ok(_) => return true,
        // Cut in the middle of a character at the end of the head.
        Err(e) if e.error_len().is_none() => return true,
        Err(_) => {}
    }
    let (text, _) = encoding_rs::GB18030.decode_without_bom_handling(head);
    let mut chars = 0usize;
    let mut bad = 0usize;
    for c in text.chars() {
        chars += 1;
        if c == '\u{FFFD}' {
            bad += 1;
        }
    }
    bad * 10 <= chars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(name: &str, head: &[u8], expect: Format) {
        assert_eq!(
            sniff_format(name, head),
            expect,
            "{name} {:?}",
            String::from_utf8_lossy(&head[..head.len().min(40)])
        );
    }

    fn stored_zip(first: &str, content: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0]); // version, flags, method stored
        out.extend_from_slice(&[0; 8]); // time, date, crc
        out.extend_from_slice(&(content.len() as u32).to_le_bytes());
        out.extend_from_slice(&(content.len() as u32).to_le_bytes());
        out.extend_from_slice(&(first.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(first.as_bytes());
        out.extend_from_slice(content);
        out
    }

    #[test]
    fn zip_family() {
        let z = stored_zip("[Content_Types].xml", b"<Types/>");
        check("a.docx", &z, Format::Docx);
        check("a.DOCM", &z, Format::Docx);
        check("a.xlsx", &z, Format::Xlsx);
        check("a.xltm", &z, Format::Xlsx);
        check("a.xlsb", &z, Format::Xlsx);
        check("a.pptx", &z, Format::Pptx);
        check("a.ppsx", &z, Format::Pptx);
        check("a.odt", &z, Format::Odt);
        check("a.ots", &z, Format::Ods);
        check("a.otp", &z, Format::Odp);
        check("a.zip", &z, Format::Zip);
        check("a.jar", &z, Format::Zip);
        check("dir/a.docx.bak", &z, Format::Zip);
        check(
            "a.zip",
            b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
            Format::Zip,
        );
        let odt = stored_zip("mimetype", b"application/vnd.oasis.opendocument.text");
        check("renamed.bin", &odt, Format::Odt);
        check(
            "x",
            &stored_zip(
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet",
            ),
            Format::Ods,
        );
        check(
            "x.zip",
            &stored_zip(
                "mimetype",
                b"application/vnd.oasis.opendocument.presentation",
            ),
            Format::Odp,
        );
        check(
            "x.zip",
            &stored_zip("mimetype", b"application/vnd.oasis.opendocument.graphics"),
            Format::Zip,
        );
        check(
            "package_stream",
            &stored_zip("mimetype", b"application/vnd.oasis.opendocument.chart"),
            Format::Odt,
        );
        check(
            "x.zip",
            &stored_zip("mimetype", b"application/epub+zip"),
            Format::Zip,
        );
        // A truncated local header must not panic.
        check("x.zip", b"PK\x03\x04\x14\x00", Format::Zip);
    }

    #[test]
    fn ole() {
        let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0";
        check("secret.docx", ole, Format::Docx);
        check("secret.xlsx", ole, Format::Xlsx);
        check("secret.pptx", ole, Format::Pptx);
        // Every other compound file is read by its streams, whatever its name.
        check("old.doc", ole, Format::Ole);
        check("old.txt", ole, Format::Ole);
        // A package name on bytes that are no package: the parser says corrupt.
        check("random.docx", b"\x13\x99garbage", Format::Docx);
        check("empty.docx", b"", Format::Docx);
        check("random.zip", b"\x13\x99garbage", Format::Zip);
        check("random.ods", b"", Format::Ods);
        check("a-pdf.docx", b"%PDF-1.4", Format::Pdf);
    }

    #[test]
    fn containers_by_magic_whatever_the_name() {
        for (head, want) in [
            (&b"%PDF-1.7\n%\xE2\xE3"[..], Format::Pdf),
            (b"\r\n\n%PDF-1.4\n", Format::Pdf),
            (b"{\\rtf1\\ansi", Format::Rtf),
            (b"\x1F\x8B\x08\0", Format::Gzip),
            (b"BZh91AY&SY\x94\x01\x00\x02", Format::Bzip2),
            (b"\xFD7zXZ\x00\x00", Format::Xz),
            (b"7z\xBC\xAF\x27\x1C\0\x04", Format::SevenZip),
        ] {
            check("notes.txt", head, want);
            check("noext", head, want);
        }
        let mbox =
            b"From MAILER-DAEMON Wed Nov 25 23:26:14 2026\nFrom: a@b\nSubject: x\n\nbody\n\n";
        check("Inbox", mbox, Format::Mbox);
        check("Sent.mbox", mbox, Format::Mbox);
        check(
            "notes.txt",
            b"From here on the text is prose.\nNo headers.\n\n",
            Format::Text,
        );
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        check("backup", &tar, Format::Tar);
        check("old.tar", b"v7 tar has no magic", Format::Tar);
        // A PDF behind a prepended header is a PDF when it is named so; text quoting the header is text.
        check(
            "download.pdf",
            b"HTTP/1.1 200 OK\r\n\r\n%PDF-1.4\n",
            Format::Pdf,
        );
        check(
            "pdf_test.rs",
            b"const HEAD: &[u8] = b\"%PDF-1.7\\n\";\n",
            Format::Text,
        );
        check(
            "notes",
            b"The file starts with %PDF-1.7, then objects.\n",
            Format::Text,
        );
    }

    #[test]
    fn binary_magic_beats_text_extension() {
        for head in [
            &b"\x89PNG\r\n\x1A\n\0\0"[..],
            b"\xFF\xD8\xFF\xE0\0\x10JFIF",
            b"GIF89a\x01\0",
            b"BM\x36\0\0\0\0\0",
            b"\x7FELF\x02\x01\x01\0",
            b"MZ\x90\0\x03\0",
            b"Rar!\x1A\x07\x01\0",
            b"SQLite format 3\x00\x10\0",
            b"\0\0\0\x20ftypisom\0\0",
            b"RIFF\x24\0\0\0WAVEfmt ",
        ] {
            check("notes.txt", head, Format::Unsupported);
            check("noext", head, Format::Unsupported);
        }
        // Text that happens to start like a weak magic.
        check("cars", b"BMW and Audi sales figures\n", Format::Text);
    }

    #[test]
    fn html_and_mail() {
        check("a.html", b"hello", Format::Html);
        check("a.HTM", b"", Format::Html);
        check("a.xhtml", b"<?xml version='1.0'?>", Format::Html);
        check("page", b"  <!DOCTYPE html><html>", Format::Html);
        check("page.dat", b"\xEF\xBB\xBF<HTML><body>", Format::Html);
        check("a.eml", b"anything", Format::Eml);
        check("a.mht", b"MIME-Version: 1.0\r\n", Format::Eml);
        let mail =
            b"Return-Path: <a@b.cn>\r\nReceived: from x\r\n\tby y\r\nSubject: hi\r\n\r\nbody\r\n";
        check("1234", mail, Format::Eml);
        check(
            "mail.msg.bak",
            b"From: a@b.cn\nTo: c@d.cn\nSubject: x\n\nhello\n",
            Format::Eml,
        );
        // Looks a bit like headers but is not a mail.
        check("notes", b"Note: one\nTodo: two\n\nbody\n", Format::Text);
        check(
            "notes",
            b"From: a\nthis line has no colon\n\n",
            Format::Text,
        );
    }

    #[test]
    fn text() {
        check("a.txt", b"", Format::Text);
        check("a.csv", b"a,b\n1,2\n", Format::Text);
        check("main.rs", b"fn main() {}\n", Format::Text);
        check("README", b"plain ascii words\n", Format::Text);
        check("x.dat", "机密文件\n".as_bytes(), Format::Text);
        let (gbk, _, _) = encoding_rs::GBK.encode("绝密★启动前\r\n本文件内容涉密");
        check("x.dat", &gbk, Format::Text);
        check("x.dat", b"\xFF\xFEh\0i\0", Format::Text);
        let utf16: Vec<u8> = "hello world, 机密\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        check("x.dat", &utf16, Format::Text);
        check(
            "x.bin",
            b"\x00\x01\x02\x03\x04\x05binary\x00\x00\x00\x10",
            Format::Unsupported,
        );
        check(
            "x.bin",
            b"\x01\x02\x03\x04\x05\x06\x07\x08garbage",
            Format::Unsupported,
        );
        // Binary behind a text name.
        check(
            "random.txt",
            b"\x8F\x13\x00\x91\x02\x00\x00\xC3binary",
            Format::Unsupported,
        );
        check("gbk.txt", &gbk, Format::Text);
        check("latin1.txt", b"caf\xE9 r\xE9sum\xE9 na\xEFve", Format::Text);
    }
}
