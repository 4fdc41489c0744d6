//! CSV for Excel and WPS: UTF-8 with a byte-order mark (without it, Excel on a Chinese Windows reads
//! the file as GBK and garbles every name), CRLF line ends, fields quoted when needed, and a cell
//! that would start a formula (`=`, `+`, `-`, `@`, tab, CR) prefixed with `'` so that opening an
//! export never runs what someone typed into a register.

/// A cell of an imported CSV as it was typed: the `'` that [`cell`] put before a would-be formula
/// taken off again, so that an export imports back unchanged.
pub fn uncell(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => value,
    }
}

/// One CSV cell: neutralized if it would start a formula, quoted if it holds a separator, a quote or
/// a line break.
pub fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A whole CSV document: BOM, header, rows.
pub fn csv(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    let line = |cells: &[String]| cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    out.push_str(&line(header));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&line(r));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralized() {
        assert_eq!(cell("张三"), "张三");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        let doc = csv(
            &["a".to_owned(), "b".to_owned()],
            &[vec!["1".into(), "机密".into()]],
        );
        assert_eq!(doc, "\u{feff}a,b\r\n1,机密\r\n");
    }
}
