//! Flags as the user gave them, and the dispatch to each command. Help text comes from this one list.

use crate::i18n::Lang;
use anyhow::{Context, Result};
use baomi_core::policy::DEFAULT_POLICY_TOML;
use baomi_core::{Policy, Zone};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Baomi (保密) — confidentiality inspection: finds classified content and leaks on a computer.
#[derive(Debug, Parser)]
#[command(name = "baomi", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect files for classification markings and policy keywords (检查文件中的密级标志与关键词).
    Scan(ScanArgs),
    /// List every check: what it reads, what it reports, its severity per zone (列出全部检查项).
    Checks(ChecksArgs),
    /// Show or check an inspection policy (查看或校验检查策略).
    Policy {
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// Run the confidentiality office's server (运行保密办管理服务器).
    Serve(crate::server_cmd::ServeArgs),
    /// Accounts of the server: create one, issue an API token (服务器账户管理).
    Admin {
        #[command(subcommand)]
        action: crate::server_cmd::AdminAction,
    },
    /// Send a scan report to the server (向服务器提交检查报告).
    Push(crate::server_cmd::PushArgs),
    /// The server's audit log (审计日志).
    Audit {
        #[command(subcommand)]
        action: crate::server_cmd::AuditAction,
    },
    /// Recompute every cross-computer correlation from what is stored (重新计算跨机关联).
    Correlate(crate::server_cmd::CorrelateArgs),
}

#[derive(Debug, Subcommand)]
enum PolicyAction {
    /// Print the policy in force (the embedded default, or --policy FILE).
    Show {
        /// Policy file (TOML) instead of the embedded default.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Validate a policy file and exit 0 if it is usable, 2 if not.
    Check {
        /// Policy file (TOML).
        file: PathBuf,
    },
}

/// Output format on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table for people, then a summary.
    Table,
    /// One JSON object per line: `{"finding":…}`, `{"unscanned":…}`, then `{"summary":…}`.
    Json,
}

/// Flags of `baomi checks`.
#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// Language: zh-CN or en (default: from the locale).
    #[arg(long, value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// `table` for people, `json` for machines.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// Flags of `baomi scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or folders to sweep (content only). Without any: inspect the computer — the host checks
    /// (browsers, USB history, network, recent files) and the places users keep files (home folders,
    /// /media, /mnt, /tmp, /var/tmp, IM received-file folders, browser downloads).
    pub paths: Vec<PathBuf>,
    /// Inspect an offline system whose disk is mounted at DIR (read only under DIR; paths are
    /// reported as that system sees them). PATHs, if given, are inside it.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// On a live computer, try TCP connections to the policy's Internet targets and report which
    /// succeed (never done unless asked).
    #[arg(long)]
    pub probe: bool,
    /// Write the full report (JSON, schema baomi.report/1) to this file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write a self-contained HTML report to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Inspection policy (TOML); default: the embedded policy (`baomi policy show`).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The zone of this computer: classified, internal, internet (decides severities).
    #[arg(long, value_parser = parse_zone, default_value = "unknown")]
    pub zone: Zone,
    /// Asset number of the computer, written into the report.
    #[arg(long, value_name = "TAG")]
    pub asset_tag: Option<String>,
    /// Language of messages and reports: zh-CN or en (default: from the locale).
    #[arg(long, value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Do not draw the progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

fn parse_zone(s: &str) -> Result<Zone, String> {
    s.parse()
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language {s:?} (expected zh-CN or en)"))
}

/// Load the policy from a file, or the embedded default. Returns the policy and its source text.
pub fn load_policy(path: Option<&PathBuf>, lang: Lang) -> Result<(Policy, String)> {
    match path {
        None => Ok((Policy::default_policy(), DEFAULT_POLICY_TOML.to_owned())),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{} {}", lang.t("err.read_policy"), path.display()))?;
            let policy = Policy::from_toml(&text)
                .with_context(|| format!("{} {}", lang.t("err.policy_file"), path.display()))?;
            Ok((policy, text))
        }
    }
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => crate::scan_cmd::run(args),
        Command::Checks(args) => crate::checks_cmd::run(args),
        Command::Serve(args) => crate::server_cmd::serve(args),
        Command::Admin { action } => crate::server_cmd::admin(action),
        Command::Push(args) => crate::server_cmd::push(args),
        Command::Audit { action } => crate::server_cmd::audit(action),
        Command::Correlate(args) => crate::server_cmd::correlate(args),
        Command::Policy { action } => match action {
            PolicyAction::Show { policy } => {
                let (_, text) = load_policy(policy.as_ref(), Lang::from_env())?;
                print!("{text}");
                Ok(ExitCode::SUCCESS)
            }
            PolicyAction::Check { file } => {
                let (policy, _) = load_policy(Some(&file), Lang::from_env())?;
                println!(
                    "{}: ok ({} keywords, {} work-secret labels)",
                    file.display(),
                    policy.keywords.len(),
                    policy.marking.work_secret_labels.len()
                );
                Ok(ExitCode::SUCCESS)
            }
        },
    }
}
