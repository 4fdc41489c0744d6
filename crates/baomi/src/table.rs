//! The terminal view of a report: a findings table and a summary, in the user's language.

use crate::i18n::Lang;
use crate::scan_cmd::human_bytes;
use baomi_core::{Finding, Report, Severity};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use std::collections::BTreeMap;
use std::io::Write;

/// Where a finding stands, for people: member chain, part, page/sheet, line.
pub fn location(f: &Finding, lang: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    let containers = if f.evidence.part.is_some() && !f.inner.is_empty() {
        // The last element is the internal part name (word/header1.xml): shown as the part kind instead.
        &f.inner[..f.inner.len() - 1]
    } else {
        &f.inner[..]
    };
    if !containers.is_empty() {
        parts.push(containers.join(" › "));
    }
    let part = f.evidence.part.as_deref();
    if let Some(sheet) = &f.evidence.sheet {
        // A sheet's own rows need no "sheet" part label; its header/comment does.
        if part != Some("sheet") {
            parts.extend(part.map(|p| lang.t(&format!("part.{p}"))));
        }
        parts.push(format!("{} {sheet}", lang.t("ui.sheet")));
    } else if let (Some("slide"), Some(page)) = (part, f.evidence.page) {
        parts.push(numbered(lang, "ui.slide", page));
    } else {
        parts.extend(part.map(|p| lang.t(&format!("part.{p}"))));
        if let Some(page) = f.evidence.page {
            let key = if part == Some("speaker_notes") {
                "ui.slide"
            } else {
                "ui.page"
            };
            parts.push(numbered(lang, key, page));
        }
    }
    if let Some(line) = f.evidence.line {
        parts.push(numbered(lang, "ui.line", line));
    }
    parts.join(", ")
}

/// A finding's excerpt in `lang`: host checks write a Chinese sentence beside the English one; content
/// excerpts quote the document and have only the one.
pub fn excerpt(f: &Finding, lang: Lang) -> &str {
    match (lang, &f.evidence.excerpt_zh) {
        (Lang::Zh, Some(zh)) if !zh.is_empty() => zh,
        _ => &f.evidence.excerpt,
    }
}

fn numbered(lang: Lang, key: &str, n: u32) -> String {
    let text = lang.t(key);
    if text.contains("{}") {
        text.replace("{}", &n.to_string())
    } else {
        format!("{text} {n}")
    }
}

/// A path relative to the working directory when it lies below it: shorter to read in a terminal.
/// (Reports keep absolute paths.)
fn display_path(path: &str, cwd: Option<&std::path::Path>) -> String {
    cwd.and_then(|c| std::path::Path::new(path).strip_prefix(c).ok())
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_owned())
}

/// Cut to at most `max` characters, marking the cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Rows in the terminal table at most: past that a terminal is no place to read them (the report has
/// them all, most severe first, so the rows shown are the ones that matter most).
const MAX_ROWS: usize = 200;

/// Print the findings tables and the summary.
pub fn print(out: &mut dyn Write, report: &Report, lang: Lang) -> std::io::Result<()> {
    let (host, shown): (Vec<&Finding>, Vec<&Finding>) = report
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .partition(|f| f.check != "content");
    if !host.is_empty() {
        print_host_findings(out, &host, lang)?;
    }
    let hidden = report.findings.len() - shown.len() - host.len();
    let cwd = std::env::current_dir().ok();
    if shown.is_empty() && host.is_empty() {
        writeln!(out, "{}", lang.t("ui.no_findings"))?;
    } else if !shown.is_empty() {
        if !host.is_empty() {
            writeln!(out, "{}", lang.t("ui.content_findings"))?;
        }
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(vec![
                lang.t("ui.level"),
                lang.t("ui.severity"),
                lang.t("ui.confidence"),
                lang.t("ui.file"),
                lang.t("ui.where"),
                lang.t("ui.matched"),
                lang.t("ui.excerpt"),
            ]);
        for f in shown.iter().take(MAX_ROWS) {
            let level = f.level.map(|l| lang.level(l)).unwrap_or("-");
            let mut matched = shorten(&f.evidence.matched, 24);
            if f.evidence.occurrences > 1 {
                matched.push_str(&format!(" (×{})", f.evidence.occurrences));
            }
            table.add_row(vec![
                level.to_owned(),
                lang.t(&format!("severity.{}", f.severity)),
                format!("{:.2}", f.confidence),
                display_path(&f.path, cwd.as_deref()),
                location(f, lang),
                matched,
                shorten(&f.evidence.excerpt.replace('\t', "  "), 40),
            ]);
        }
        writeln!(out, "{table}")?;
        if shown.len() > MAX_ROWS {
            writeln!(
                out,
                "… {} {} (--out / --html)",
                shown.len() - MAX_ROWS,
                lang.t("ui.more_findings")
            )?;
        }
    }
    if hidden > 0 {
        writeln!(out, "{hidden} {}", lang.t("ui.info_hidden"))?;
    }
    writeln!(out)?;
    print_summary(out, report, lang)
}

/// Host findings read differently from content ones: no level or position, a sentence of evidence.
fn print_host_findings(out: &mut dyn Write, host: &[&Finding], lang: Lang) -> std::io::Result<()> {
    writeln!(out, "{}", lang.t("ui.host_findings"))?;
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec![
            lang.t("ui.severity"),
            lang.t("ui.rule"),
            lang.t("ui.evidence"),
            lang.t("ui.file"),
        ]);
    for f in host.iter().take(MAX_ROWS) {
        table.add_row(vec![
            lang.t(&format!("severity.{}", f.severity)),
            lang.rule(&f.rule),
            shorten(excerpt(f, lang), 90),
            shorten(&f.path, 48),
        ]);
    }
    writeln!(out, "{table}")?;
    if host.len() > MAX_ROWS {
        writeln!(
            out,
            "… {} {} (--out / --html)",
            host.len() - MAX_ROWS,
            lang.t("ui.more_findings")
        )?;
    }
    writeln!(out)
}

fn print_summary(out: &mut dyn Write, report: &Report, lang: Lang) -> std::io::Result<()> {
    let s = &report.stats;
    writeln!(out, "{}", lang.t("ui.summary"))?;
    if report.checks.len() > 1 {
        for c in &report.checks {
            writeln!(
                out,
                "  {} [{}] {}: {}",
                lang.check(&c.id),
                lang.t(&format!("status.{}", c.status.as_str())),
                c.examined,
                shorten(crate::i18n::check_message(c, lang), 160)
            )?;
        }
    }
    writeln!(
        out,
        "  {}: {} / {}: {}  ({}: {})  {}: {:.1} s",
        lang.t("ui.files_seen"),
        s.files,
        lang.t("ui.files_read"),
        s.files_scanned,
        lang.t("ui.bytes_read"),
        human_bytes(s.bytes),
        lang.t("ui.duration"),
        s.duration_ms as f64 / 1000.0
    )?;
    let by_level: Vec<String> = ["top_secret", "secret", "confidential", "internal"]
        .iter()
        .filter_map(|k| {
            let n = s.findings_by_level.get(*k)?;
            let level: baomi_core::Level = k.parse().ok()?;
            Some(format!("{} {n}", lang.level(level)))
        })
        .collect();
    writeln!(
        out,
        "  {}: {}{}",
        lang.t("ui.findings"),
        report.findings.len(),
        if by_level.is_empty() {
            String::new()
        } else {
            format!("  ({})", by_level.join(", "))
        }
    )?;
    if !report.unscanned.is_empty() {
        let mut by_reason: BTreeMap<&str, u64> = BTreeMap::new();
        for u in &report.unscanned {
            *by_reason.entry(u.reason.as_str()).or_default() += 1;
        }
        let reasons: Vec<String> = by_reason
            .iter()
            .map(|(r, n)| format!("{} {n}", lang.t(&format!("reason.{r}"))))
            .collect();
        writeln!(
            out,
            "  {}: {}  ({})",
            lang.t("ui.unscanned"),
            report.unscanned.len(),
            reasons.join(", ")
        )?;
        if !s.unsupported_by_extension.is_empty() {
            let mut exts: Vec<(&String, &u64)> = s.unsupported_by_extension.iter().collect();
            exts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let list: Vec<String> = exts
                .iter()
                .take(12)
                .map(|(e, n)| format!(".{e} {n}"))
                .collect();
            writeln!(
                out,
                "  {}: {}{}",
                lang.t("ui.unsupported_by_ext"),
                list.join(", "),
                if exts.len() > 12 { " …" } else { "" }
            )?;
        }
        // The files that failed for a reason other than format are few and each one matters.
        let serious: Vec<_> = report
            .unscanned
            .iter()
            .filter(|u| u.reason != baomi_core::UnscannedReason::UnsupportedFormat)
            .collect();
        for u in serious.iter().take(20) {
            let inner = if u.inner.is_empty() {
                String::new()
            } else {
                format!(" › {}", u.inner.join(" › "))
            };
            writeln!(
                out,
                "    {}{}: {} ({})",
                u.path,
                inner,
                lang.t(&format!("reason.{}", u.reason.as_str())),
                u.detail
            )?;
        }
        if serious.len() > 20 {
            writeln!(out, "    … {} {}", serious.len() - 20, lang.t("ui.more"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_findings_read_in_the_chosen_language() {
        let report = crate::html::tests::host_report();
        let cases = [
            (Lang::Zh, "序列号 4C53", "serial 4C53"),
            (Lang::En, "serial 4C53", "序列号"),
        ];
        for (lang, want, not) in cases {
            let mut out = Vec::new();
            print(&mut out, &report, lang).expect("printed");
            let text = String::from_utf8(out).expect("UTF-8");
            assert!(text.contains(want), "{lang:?}: {text}");
            assert!(!text.contains(not), "{lang:?}: {text}");
        }
    }
}
