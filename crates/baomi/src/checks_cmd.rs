//! `baomi checks`: the catalogue of checks, so an inspector knows before a scan what will be read and
//! how severe each finding is on a computer of each zone.

use crate::cli::{ChecksArgs, OutputFormat};
use crate::i18n::Lang;
use anyhow::Result;
use baomi_core::Zone;
use baomi_host::catalogue::{CheckInfo, Text};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use std::io::Write;
use std::process::ExitCode;

const ZONES: [Zone; 4] = [
    Zone::Classified,
    Zone::Internal,
    Zone::Internet,
    Zone::Unknown,
];

/// Run `baomi checks`.
pub fn run(args: ChecksArgs) -> Result<ExitCode> {
    let lang = args.lang.unwrap_or_else(Lang::from_env);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Json => {
            let list: Vec<serde_json::Value> = baomi_host::catalogue()
                .iter()
                .map(|c| check_json(c))
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
        OutputFormat::Table => print_table(&mut out, lang)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn text(lang: Lang, t: &Text) -> &'static str {
    match lang {
        Lang::En => t.en,
        Lang::Zh => t.zh,
    }
}

fn check_json(c: &CheckInfo) -> serde_json::Value {
    serde_json::json!({
        "id": c.id,
        "name": {"en": c.name.en, "zh-CN": c.name.zh},
        "reads": {"en": c.reads.en, "zh-CN": c.reads.zh},
        "rules": c.rules.iter().map(|r| serde_json::json!({
            "id": r.id,
            "title": {"en": r.title.en, "zh-CN": r.title.zh},
            "severity": ZONES.iter()
                .map(|z| (z.as_str().to_owned(), serde_json::Value::from(r.severity(*z).as_str())))
                .collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
    })
}

fn print_table(out: &mut dyn Write, lang: Lang) -> std::io::Result<()> {
    for check in baomi_host::catalogue() {
        writeln!(out, "{} — {}", check.id, text(lang, &check.name))?;
        writeln!(
            out,
            "  {}: {}",
            lang.t("ui.reads"),
            text(lang, &check.reads)
        )?;
        let mut table = Table::new();
        let mut header = vec![lang.t("ui.rule"), lang.t("ui.reports")];
        header.extend(
            ZONES
                .iter()
                .map(|z| lang.t(&format!("zone.{}", z.as_str()))),
        );
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header);
        for rule in check.rules {
            let mut row = vec![rule.id.to_owned(), text(lang, &rule.title).to_owned()];
            row.extend(
                ZONES
                    .iter()
                    .map(|z| lang.t(&format!("severity.{}", rule.severity(*z)))),
            );
            table.add_row(row);
        }
        writeln!(out, "{table}")?;
        writeln!(out)?;
    }
    writeln!(out, "{}", lang.t("ui.checks_note"))
}
