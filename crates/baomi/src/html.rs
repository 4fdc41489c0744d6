//! The HTML report: one self-contained page (no scripts, no external files) that a non-technical
//! inspector can read on an air-gapped machine and print for the paper file.

use crate::i18n::Lang;
use crate::scan_cmd::human_bytes;
use crate::table::{excerpt, location};
use baomi_core::{Report, Severity};
use std::fmt::Write;

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC","SimSun",sans-serif;margin:2em;color:#1a1a1a;font-size:14px}
h1{font-size:22px;border-bottom:3px solid #b00;padding-bottom:.3em}
h2{font-size:17px;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f0f0f0}
.meta td:first-child{width:11em;background:#fafafa;font-weight:bold}
.sev-critical{background:#fde0e0}.sev-high{background:#fff0d8}.sev-medium{background:#fffbd8}
.sev-info td,.sev-low td{color:#555}
.level{font-weight:bold;white-space:nowrap}
mark{background:#ffe066}
.excerpt{font-family:"Noto Sans Mono CJK SC",monospace;font-size:13px}
.path{word-break:break-all}
.foot{margin-top:3em;display:flex;gap:4em}
.foot div{border-top:1px solid #333;padding-top:.3em;min-width:14em}
@media print{body{margin:1cm}.noprint{display:none}tr{page-break-inside:avoid}}
"#;

/// Highlight `matched` inside `excerpt` (both escaped).
fn highlight(excerpt: &str, matched: &str) -> String {
    if !matched.is_empty()
        && let Some(i) = excerpt.find(matched)
    {
        let (a, rest) = excerpt.split_at(i);
        let (m, b) = rest.split_at(matched.len());
        return format!("{}<mark>{}</mark>{}", escape(a), escape(m), escape(b));
    }
    escape(excerpt)
}

/// `2026-11-25 20:10:27 UTC` from an RFC 3339 timestamp (as written, when it does not parse).
pub fn readable_time(rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// Render the report as a page in `lang`.
pub fn render(report: &Report, lang: Lang) -> String {
    let mut h = String::with_capacity(16 * 1024);
    let t = |k: &str| escape(&lang.t(k));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        lang.tag(),
        t("ui.title"),
        t("ui.title")
    );
    let host = &report.host;
    let _ = write!(h, "<table class=\"meta\">");
    let rows = [
        (
            t("ui.host"),
            escape(&format!(
                "{} {}",
                host.hostname.as_deref().unwrap_or("-"),
                host.asset_tag.as_deref().unwrap_or("")
            )),
        ),
        (t("ui.zone"), t(&format!("zone.{}", host.zone.as_str()))),
        (
            t("ui.policy"),
            escape(&format!(
                "{} (sha256 {}…)",
                report.policy.name,
                &report.policy.sha256[..12.min(report.policy.sha256.len())]
            )),
        ),
        (t("ui.started"), escape(&readable_time(&report.started_at))),
        (
            t("ui.finished"),
            escape(&readable_time(&report.finished_at)),
        ),
        (
            t("ui.files_read"),
            escape(&format!(
                "{} / {} ({})",
                report.stats.files_scanned,
                report.stats.files,
                human_bytes(report.stats.bytes)
            )),
        ),
        (t("ui.findings"), escape(&report.findings.len().to_string())),
        (
            t("ui.unscanned"),
            escape(&report.unscanned.len().to_string()),
        ),
    ];
    for (k, v) in rows {
        let _ = write!(h, "<tr><td>{k}</td><td>{v}</td></tr>");
    }
    let _ = writeln!(h, "</table>");

    if report.checks.len() > 1 {
        let _ = writeln!(
            h,
            "<h2>{}</h2>\n<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            t("ui.host_checks"),
            t("ui.check"),
            t("ui.status"),
            t("ui.examined"),
            t("ui.message")
        );
        for c in &report.checks {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&lang.check(&c.id)),
                t(&format!("status.{}", c.status.as_str())),
                c.examined,
                escape(crate::i18n::check_message(c, lang))
            );
        }
        let _ = writeln!(h, "</table>");
    }
    let _ = writeln!(
        h,
        "<h2>{} ({})</h2>",
        t("ui.findings"),
        report.findings.len()
    );
    if report.findings.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", t("ui.no_findings"));
    } else {
        let _ = writeln!(
            h,
            "<table><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            t("ui.level"),
            t("ui.file"),
            t("ui.where"),
            t("ui.excerpt"),
            t("ui.why"),
            t("ui.confidence"),
        );
        for (i, f) in report.findings.iter().enumerate() {
            let level = f.level.map(|l| lang.level(l)).unwrap_or("-");
            let occurrences = if f.evidence.occurrences > 1 {
                format!(" ×{}", f.evidence.occurrences)
            } else {
                String::new()
            };
            let note = f
                .evidence
                .note
                .as_deref()
                .map(|n| format!("<br><small>{}</small>", escape(n)))
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<tr class=\"sev-{sev}\"><td>{n}</td><td class=\"level\">{level}<br><small>{sevname}</small></td><td class=\"path\">{path}</td><td>{loc}</td><td class=\"excerpt\">{excerpt}{occ}</td><td>{rule}<br><small>{why}</small>{note}</td><td>{conf:.2}</td></tr>",
                sev = f.severity.as_str(),
                n = i + 1,
                level = escape(level),
                sevname = t(&format!("severity.{}", f.severity)),
                path = escape(&f.path),
                loc = escape(&location(f, lang)),
                excerpt = highlight(excerpt(f, lang), &f.evidence.matched),
                occ = escape(&occurrences),
                rule = escape(&lang.rule(&f.rule)),
                why = t(&format!("why.{}", f.evidence.why)),
                conf = f.confidence,
            );
        }
        let _ = writeln!(h, "</table>");
    }
    let low = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Info)
        .count();
    if low > 0 {
        let _ = writeln!(h, "<p><small>{low} × {}</small></p>", t("severity.info"));
    }

    crate::html_artifacts::render(&mut h, &report.artifacts, lang);

    if !report.unscanned.is_empty() {
        let _ = writeln!(
            h,
            "<h2>{} ({})</h2>",
            t("ui.unscanned_files"),
            report.unscanned.len()
        );
        if !report.stats.unsupported_by_extension.is_empty() {
            let list: Vec<String> = report
                .stats
                .unsupported_by_extension
                .iter()
                .map(|(e, n)| format!(".{} {n}", escape(e)))
                .collect();
            let _ = writeln!(
                h,
                "<p>{}: {}</p>",
                t("ui.unsupported_by_ext"),
                list.join(", ")
            );
        }
        let _ = writeln!(
            h,
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            t("ui.file"),
            t("ui.reason"),
            t("ui.detail")
        );
        // Files of formats not read yet are counted by extension above; listing each of them (a home
        // folder holds tens of thousands of images and caches) would bury the few damaged, encrypted or
        // oversized documents an inspector must look at. Members inside containers stay listed.
        for u in report.unscanned.iter().filter(|u| {
            u.reason != baomi_core::UnscannedReason::UnsupportedFormat || !u.inner.is_empty()
        }) {
            let inner = if u.inner.is_empty() {
                String::new()
            } else {
                format!(" › {}", u.inner.join(" › "))
            };
            let _ = writeln!(
                h,
                "<tr><td class=\"path\">{}{}</td><td>{}</td><td>{}</td></tr>",
                escape(&u.path),
                escape(&inner),
                t(&format!("reason.{}", u.reason.as_str())),
                escape(&u.detail)
            );
        }
        let _ = writeln!(h, "</table>");
    }
    let _ = write!(
        h,
        "<div class=\"foot\"><div>{}</div><div>{}</div></div>\n<p class=\"noprint\"><small>{} {} · {} · report {}</small></p>\n</body></html>\n",
        t("ui.signature"),
        t("ui.date"),
        t("ui.printed"),
        escape(&report.tool.version),
        t("ui.print_hint"),
        escape(&report.report_id)
    );
    h
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn escapes_and_highlights() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(
            highlight("密级：机密★1年<x>", "机密★1年"),
            "密级：<mark>机密★1年</mark>&lt;x&gt;"
        );
    }

    /// A report with one USB finding, its excerpt in both languages.
    pub(crate) fn host_report() -> Report {
        serde_json::from_value(serde_json::json!({
            "schema": baomi_core::REPORT_SCHEMA,
            "report_id": "r",
            "tool": {"name": "baomi", "version": "0.1.0"},
            "started_at": "2026-11-25T10:00:00Z",
            "finished_at": "2026-11-25T10:00:01Z",
            "host": {"root": "/", "zone": "internet"},
            "policy": {"name": "baomi-default", "sha256": "00"},
            "checks": [],
            "findings": [{
                "id": "0123456789abcdef01234567",
                "check": "usb",
                "rule": "usb.storage_seen",
                "severity": "high",
                "confidence": 1.0,
                "path": "usb:0781:5567:4C53",
                "title": "USB storage device SanDisk Cruzer Blade was connected",
                "evidence": {
                    "excerpt": "SanDisk Cruzer Blade (0781:5567, serial 4C53) connected 2 times, mounted at /media/zhang/SANDISK",
                    "excerpt_zh": "SanDisk Cruzer Blade（0781:5567，序列号 4C53）接入 2 次，挂载于 /media/zhang/SANDISK",
                    "matched": "4C53",
                    "why": "usb_storage_driver_bound"
                }
            }],
            "unscanned": [],
            "stats": serde_json::to_value(baomi_core::Stats::default()).expect("stats"),
        }))
        .expect("a valid report")
    }

    #[test]
    fn host_excerpts_follow_the_language() {
        let report = host_report();
        let cases = [
            (
                Lang::Zh,
                "SanDisk Cruzer Blade（0781:5567，序列号 <mark>4C53</mark>）接入 2 次，挂载于 /media/zhang/SANDISK",
            ),
            (
                Lang::En,
                "SanDisk Cruzer Blade (0781:5567, serial <mark>4C53</mark>) connected 2 times, mounted at /media/zhang/SANDISK",
            ),
        ];
        for (lang, want) in cases {
            let html = render(&report, lang);
            assert!(html.contains(want), "{lang:?}: {html}");
        }
        // Without a Chinese sentence the English one is shown.
        let mut report = host_report();
        report.findings[0].evidence.excerpt_zh = None;
        assert!(render(&report, Lang::Zh).contains("connected 2 times"));
    }
}
