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
use baomi_host::{HostContext, HostReport, Root};
use baomi_scan::{FileOutcome, ScanConfig, Sink};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// Run `baomi scan`.
pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let lang = args.lang.unwrap_or_else(Lang::from_env);
    let (policy, policy_text) = load_policy(args.policy.as_ref(), lang)?;
    let detector = Detector::new(&policy).context(lang.t("err.compile_policy"))?;
    let root = match &args.root {
        Some(dir) => Root::offline(dir)
            .with_context(|| format!("{} {}", lang.t("err.bad_root"), dir.display()))?,
        None => Root::live(),
    };
    let started_at = jiff::Timestamp::now();
    let clock = Instant::now();
    let progress = make_progress(
        !args.no_progress && args.format == OutputFormat::Table,
        lang,
    );

    // Without paths Baomi inspects the computer: host checks first (they are quick, and they name
    // downloads the sweep must read), then the places users keep files.
    let host = args.paths.is_empty().then(|| {
        progress.set_message(lang.t("ui.inspecting_host"));
        let mut ctx = HostContext::new(&root, &policy, args.zone);
        ctx.probe = args.probe;
        ctx.now = started_at;
        baomi_host::run_all(&ctx)
    });
    let roots: Vec<PathBuf> = match &host {
        Some(host) => {
            let mut places = baomi_host::places::user_places(&root);
            places.extend(host.sweep.iter().cloned());
            baomi_host::places::outermost(places)
                .iter()
                .filter(|p| root.exists(p))
                .map(|p| root.host_path(p))
                .collect()
        }
        None => args
            .paths
            .iter()
            .map(|p| {
                if args.root.is_some() && p.is_absolute() && !p.starts_with(root.base()) {
                    root.host_path(&p.to_string_lossy())
                } else {
                    std::path::absolute(p).unwrap_or_else(|_| p.clone())
                }
            })
            .collect(),
    };
    if host.is_none() {
        for path in &roots {
            std::fs::symlink_metadata(path)
                .with_context(|| format!("{} {}", lang.t("err.cannot_scan"), path.display()))?;
        }
    }
    let mut config = ScanConfig::new(roots, &policy);
    config.threads = args.threads;
    config.zone = args.zone;
    if !root.is_live() {
        config.system_root = Some(root.base().to_path_buf());
        config.skip_dirs = policy
            .sweep
            .skip_dirs
            .iter()
            .map(|d| root.host_path(d))
            .collect();
    }
    // Never sweep our own outputs if they are written inside the scanned tree.
    let outputs: Vec<String> = [args.out.as_ref(), args.html.as_ref()]
        .into_iter()
        .flatten()
        .map(|p| config.shown_path(&std::path::absolute(p).unwrap_or_else(|_| p.clone())))
        .collect();

    let collector = ReportCollector {
        state: Mutex::new(State::default()),
        progress: progress.clone(),
        stream_json: args.format == OutputFormat::Json,
        outputs,
    };
    if let Some(host) = &host
        && collector.stream_json
    {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        for f in &host.findings {
            let _ = serde_json::to_writer(&mut out, &JsonLine::Finding(f));
            let _ = writeln!(out);
        }
    }
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
        host,
        &root,
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
    /// Our own report files, as the sweep names them: never read back as findings.
    outputs: Vec<String>,
}

impl Sink for ReportCollector {
    fn file_done(&self, outcome: FileOutcome) {
        if self.outputs.contains(&outcome.path) {
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

#[allow(clippy::too_many_arguments)]
fn build_report(
    mut state: State,
    host: Option<HostReport>,
    root: &Root,
    args: &ScanArgs,
    policy_name: &str,
    policy_text: &str,
    started_at: jiff::Timestamp,
    elapsed: Duration,
) -> Report {
    let content_findings = state.findings.len();
    let (mut checks, artifacts) = match host {
        Some(host) => {
            state.findings.extend(host.findings);
            (host.checks, host.artifacts)
        }
        None => (Vec::new(), Default::default()),
    };
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
    let host = host_info(root, args);
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
            content_findings,
            state.unscanned.len()
        ),
        message_zh: Some(format!(
            "遍历 {} 个文件，读取 {} 个，发现 {} 项，{} 项未能读取",
            state.stats.files,
            state.stats.files_scanned,
            content_findings,
            state.unscanned.len()
        )),
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
        checks: {
            checks.insert(0, check);
            checks
        },
        findings: state.findings,
        unscanned: state.unscanned,
        artifacts,
        stats: state.stats,
    }
}

fn read_trimmed(root: &Root, path: &str) -> Option<String> {
    root.read_text(path, 64 << 10)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn host_info(root: &Root, args: &ScanArgs) -> HostInfo {
    let os = root
        .read_text("/etc/os-release", 64 << 10)
        .or_else(|_| root.read_text("/usr/lib/os-release", 64 << 10))
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        });
    // The kernel's idea of the host name describes only the running system.
    let live_hostname = if root.is_live() {
        read_trimmed(root, "/proc/sys/kernel/hostname")
    } else {
        None
    };
    HostInfo {
        hostname: live_hostname.or_else(|| read_trimmed(root, "/etc/hostname")),
        machine_id: read_trimmed(root, "/etc/machine-id"),
        os: os.or_else(|| root.is_live().then(|| std::env::consts::OS.to_owned())),
        root: root.base().to_string_lossy().into_owned(),
        zone: args.zone,
        asset_tag: args.asset_tag.clone(),
    }
}
