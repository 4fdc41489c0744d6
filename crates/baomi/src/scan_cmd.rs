//! `baomi scan`: flags → scan configuration → sweep → report, table, JSON lines and HTML.

use crate::cli::{OutputFormat, ScanArgs, load_policy};
use crate::i18n::Lang;
use anyhow::{Context, Result};
use baomi_core::policy::policy_sha256;
use baomi_core::{
    CheckResult, CheckStatus, Finding, HostInfo, PolicyRef, REPORT_SCHEMA, Report, Severity, Stats,
    Tool, Unscanned, UnscannedReason, new_report_id,
};
use baomi_detect::Detector;
use baomi_scan::{FileOutcome, ScanConfig, Sink};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// Places users keep files, swept when `baomi scan` is given no path.
fn default_roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Some(home) = std::env::var_os("HOME") {
        roots.push(PathBuf::from(home));
    }
    for dir in ["/home", "/media", "/mnt", "/tmp", "/var/tmp"] {
        let dir = PathBuf::from(dir);
        // /home contains $HOME: sweep it once.
        if !roots
            .iter()
            .any(|r| r.starts_with(&dir) || dir.starts_with(r))
        {
            roots.push(dir);
        } else if dir == Path::new("/home") {
            roots.retain(|r| !r.starts_with("/home"));
            roots.push(dir);
        }
    }
    roots.retain(|r| r.exists());
    roots
}

/// Run `baomi scan`.
pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let lang = args.lang.unwrap_or_else(Lang::from_env);
    let (policy, policy_text) = load_policy(args.policy.as_ref(), lang)?;
    let detector = Detector::new(&policy).context(lang.t("err.compile_policy"))?;
    let roots = if args.paths.is_empty() {
        default_roots()
    } else {
        args.paths.clone()
    };
    let roots: Vec<PathBuf> = roots
        .into_iter()
        .map(|p| std::path::absolute(&p).unwrap_or(p))
        .collect();
    for root in &roots {
        std::fs::symlink_metadata(root)
            .with_context(|| format!("{} {}", lang.t("err.cannot_scan"), root.display()))?;
    }
    let mut config = ScanConfig::new(roots.clone(), &policy);
    config.threads = args.threads;
    config.zone = args.zone;
    // Never sweep our own outputs if they are written inside the scanned tree.
    let outputs: Vec<PathBuf> = [args.out.as_ref(), args.html.as_ref()]
        .into_iter()
        .flatten()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
        .collect();

    let started_at = jiff::Timestamp::now();
    let clock = Instant::now();
    let progress = make_progress(
        !args.no_progress && args.format == OutputFormat::Table,
        lang,
    );
    let collector = ReportCollector {
        state: Mutex::new(State::default()),
        progress: progress.clone(),
        stream_json: args.format == OutputFormat::Json,
        outputs,
    };
    let cancel = AtomicBool::new(false);
    baomi_scan::run(&config, &detector, &collector, &cancel)?;
    progress.finish_and_clear();

    let state = collector
        .state
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let elapsed = clock.elapsed();
    let report = build_report(
        state,
        &args,
        &policy.name,
        &policy_text,
        started_at,
        elapsed,
    );

    if let Some(out) = &args.out {
        let json = serde_json::to_vec_pretty(&report)?;
        std::fs::write(out, json)
            .with_context(|| format!("{} {}", lang.t("err.write_report"), out.display()))?;
    }
    if let Some(html_path) = &args.html {
        let page = crate::html::render(&report, lang);
        std::fs::write(html_path, page)
            .with_context(|| format!("{} {}", lang.t("err.write_report"), html_path.display()))?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Table => {
            crate::table::print(&mut out, &report, lang)?;
            if let Some(p) = &args.out {
                writeln!(out, "{} {}", lang.t("ui.report_written"), p.display())?;
            }
            if let Some(p) = &args.html {
                writeln!(out, "{} {}", lang.t("ui.html_written"), p.display())?;
            }
        }
        OutputFormat::Json => {
            serde_json::to_writer(&mut out, &JsonLine::Summary(&report.stats))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    // grep's convention: 1 when something was found. Information-only findings (low confidence,
    // declassified, inventory on a classified computer) do not count as "found".
    let found = report.findings.iter().any(|f| f.severity > Severity::Info);
    Ok(if found {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn make_progress(enabled: bool, lang: Lang) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
    let style = ProgressStyle::with_template("{spinner} {elapsed_precise} {prefix} {wide_msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.set_prefix(lang.t("ui.scanning"));
    bar.enable_steady_tick(Duration::from_millis(125));
    bar
}

/// One line of `--format json`: an object with a single key naming what it holds. (Serialised from the
/// report types directly so fields keep the contract's order.)
#[derive(serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum JsonLine<'a> {
    Finding(&'a Finding),
    Unscanned(&'a Unscanned),
    Summary(&'a Stats),
}

#[derive(Default)]
struct State {
    findings: Vec<Finding>,
    unscanned: Vec<Unscanned>,
    stats: Stats,
}

struct ReportCollector {
    state: Mutex<State>,
    progress: ProgressBar,
    stream_json: bool,
    outputs: Vec<PathBuf>,
}

impl Sink for ReportCollector {
    fn file_done(&self, outcome: FileOutcome) {
        if self
            .outputs
            .iter()
            .any(|o| o.as_os_str() == outcome.path.as_str())
        {
            return;
        }
        let mut state = match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        let stats = &mut state.stats;
        stats.files += 1;
        stats.bytes += outcome.bytes;
        if let Some(format) = outcome.format {
            stats.files_scanned += 1;
            *stats
                .by_format
                .entry(format.as_str().to_owned())
                .or_default() += 1;
        }
        for u in &outcome.unscanned {
            *stats
                .unscanned_by_reason
                .entry(u.reason.as_str().to_owned())
                .or_default() += 1;
            if u.inner.is_empty() && u.reason == UnscannedReason::UnsupportedFormat {
                let ext = if outcome.extension.is_empty() {
                    "(none)".to_owned()
                } else {
                    outcome.extension.clone()
                };
                *stats.unsupported_by_extension.entry(ext).or_default() += 1;
            }
        }
        for f in &outcome.findings {
            if let Some(level) = f.level {
                *stats
                    .findings_by_level
                    .entry(level.as_str().to_owned())
                    .or_default() += 1;
            }
        }
        if self.stream_json {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            // A closed pipe stops the stream; the report file is still written at the end.
            for f in &outcome.findings {
                let _ = serde_json::to_writer(&mut out, &JsonLine::Finding(f));
                let _ = writeln!(out);
            }
            for u in &outcome.unscanned {
                let _ = serde_json::to_writer(&mut out, &JsonLine::Unscanned(u));
                let _ = writeln!(out);
            }
        }
        let files = state.stats.files;
        let bytes = state.stats.bytes;
        let FileOutcome {
            path,
            findings,
            unscanned,
            ..
        } = outcome;
        state.findings.extend(findings);
        state.unscanned.extend(unscanned);
        let found = state.findings.len();
        drop(state);
        if !self.progress.is_hidden() {
            self.progress.set_message(format!(
                "{files} · {} · ⚑ {found} · {path}",
                human_bytes(bytes)
            ));
        }
    }
}

/// `12.3 MB`, for progress and summaries.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

fn build_report(
    mut state: State,
    args: &ScanArgs,
    policy_name: &str,
    policy_text: &str,
    started_at: jiff::Timestamp,
    elapsed: Duration,
) -> Report {
    // Most important first, then by path: the order an inspector reads in, stable across runs.
    state.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.level.cmp(&a.level))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.inner.cmp(&b.inner))
            .then_with(|| a.id.cmp(&b.id))
    });
    state
        .unscanned
        .sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.inner.cmp(&b.inner)));
    state.stats.duration_ms = elapsed.as_millis() as u64;
    let host = host_info(args);
    let partial = !state.unscanned.is_empty();
    let check = CheckResult {
        id: "content".into(),
        status: if partial {
            CheckStatus::Partial
        } else {
            CheckStatus::Ok
        },
        duration_ms: state.stats.duration_ms,
        examined: state.stats.files,
        message: format!(
            "{} files seen, {} read, {} findings, {} not read",
            state.stats.files,
            state.stats.files_scanned,
            state.findings.len(),
            state.unscanned.len()
        ),
    };
    Report {
        schema: REPORT_SCHEMA.into(),
        report_id: new_report_id(host.hostname.as_deref().unwrap_or("")),
        tool: Tool {
            name: "baomi".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        started_at: started_at.to_string(),
        finished_at: jiff::Timestamp::now().to_string(),
        host,
        policy: PolicyRef {
            name: policy_name.to_owned(),
            sha256: policy_sha256(policy_text),
        },
        checks: vec![check],
        findings: state.findings,
        unscanned: state.unscanned,
        artifacts: Default::default(),
        stats: state.stats,
    }
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn host_info(args: &ScanArgs) -> HostInfo {
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        });
    HostInfo {
        hostname: read_trimmed("/proc/sys/kernel/hostname")
            .or_else(|| read_trimmed("/etc/hostname")),
        machine_id: read_trimmed("/etc/machine-id"),
        os: os.or_else(|| Some(std::env::consts::OS.to_owned())),
        root: "/".into(),
        zone: args.zone,
        asset_tag: args.asset_tag.clone(),
    }
}
