//! Host checks: what a computer's own records say about Internet use, removable media and network
//! isolation. Every check reads through a [`Root`], so the same code inspects the running system and an
//! offline disk mounted at a folder; nothing here writes to the inspected system.
//!
//! A check never fails the run: a missing or unreadable artifact becomes its `checks[]` status and
//! message, a malformed record is skipped and counted, and a panic inside a check is contained.
#![deny(missing_docs)]

pub mod catalogue;
pub mod network;
pub mod places;
pub mod recent;
pub mod root;
#[cfg(test)]
mod testing;
pub mod usb;
pub mod web;

pub use catalogue::{CheckInfo, RuleInfo, catalogue};
pub use root::{Home, Root};

use baomi_core::net::Intranet;
use baomi_core::{
    Artifacts, CheckResult, CheckStatus, Evidence, Finding, Level, Policy, Zone, finding_id,
};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

/// What every check is given.
pub struct HostContext<'a> {
    /// The inspected system.
    pub root: &'a Root,
    /// The policy in force.
    pub policy: &'a Policy,
    /// The policy's intranet, compiled.
    pub intranet: Intranet,
    /// What the inspector says the computer is.
    pub zone: Zone,
    /// The inspector asked for the outbound probe (`--probe`); only ever done on a live root.
    pub probe: bool,
    /// When the inspection started (infers the year of classic syslog lines).
    pub now: jiff::Timestamp,
}

impl<'a> HostContext<'a> {
    /// A context for `root` under `policy`.
    pub fn new(root: &'a Root, policy: &'a Policy, zone: Zone) -> HostContext<'a> {
        HostContext {
            root,
            policy,
            intranet: Intranet::new(&policy.network),
            zone,
            probe: false,
            now: jiff::Timestamp::now(),
        }
    }
}

/// What one check is writing while it runs.
#[derive(Debug, Default)]
pub struct CheckRun {
    /// Findings so far.
    pub findings: Vec<Finding>,
    /// Items examined (profiles, log files, interfaces…).
    pub examined: u64,
    /// What could not be read, in plain words (each makes the check `partial`), in English and
    /// Chinese.
    pub problems: Vec<(String, String)>,
    /// One sentence on what was seen (the check's message when there were no problems), in English.
    pub summary: String,
    /// The same sentence in Simplified Chinese (the English one is used when this is empty).
    pub summary_zh: String,
    /// Files the content sweep should read too (downloads), as seen on the inspected system.
    pub sweep: Vec<String>,
    /// The check did not apply (nothing of its kind exists on this system).
    pub not_applicable: bool,
}

/// A host finding before its id and severity are decided.
#[derive(Debug, Clone, Default)]
pub struct HostFinding {
    /// Where the evidence is (a file on the inspected system, or a pseudo-path like `usb:0781:5567:SERIAL`).
    pub path: String,
    /// Level implied, for findings that rest on content (a keyword in a file name).
    pub level: Option<Level>,
    /// 0.0–1.0.
    pub confidence: f32,
    /// One line for people (English; renderers translate by rule).
    pub title: String,
    /// Excerpt, matched text and why.
    pub evidence: Evidence,
    /// What identifies the finding across reports when the matched text may change from one
    /// inspection to the next (a profile's most-visited site); `None`: the matched text.
    pub identity: Option<String>,
}

impl CheckRun {
    /// Record a finding of `rule`, its severity decided by the zone.
    pub fn add(
        &mut self,
        ctx: &HostContext<'_>,
        check: &CheckInfo,
        rule: &RuleInfo,
        f: HostFinding,
    ) {
        let identity = f.identity.as_deref().unwrap_or(&f.evidence.matched);
        let id = finding_id(rule.id, &f.path, &[], identity);
        self.findings.push(Finding {
            id,
            check: check.id.to_owned(),
            rule: rule.id.to_owned(),
            severity: rule.severity(ctx.zone),
            level: f.level,
            confidence: f.confidence,
            path: f.path,
            inner: Vec::new(),
            title: f.title,
            evidence: f.evidence,
        });
    }

    /// Note an artifact that could not be read (English only: prefer [`CheckRun::problem2`]).
    pub fn problem(&mut self, what: impl Into<String>) {
        let en = what.into();
        self.problems.push((en.clone(), en));
    }

    /// Note an artifact that could not be read, in English and Chinese.
    pub fn problem2(&mut self, en: impl Into<String>, zh: impl Into<String>) {
        self.problems.push((en.into(), zh.into()));
    }

    /// Say what was seen, in English and Chinese.
    pub fn summarize(&mut self, en: impl Into<String>, zh: impl Into<String>) {
        self.summary = en.into();
        self.summary_zh = zh.into();
    }
}

/// Everything the host checks found.
#[derive(Debug, Default)]
pub struct HostReport {
    /// One entry per check, in catalogue order.
    pub checks: Vec<CheckResult>,
    /// Their findings.
    pub findings: Vec<Finding>,
    /// Raw observations.
    pub artifacts: Artifacts,
    /// Files the content sweep should read besides the usual places (downloads), as seen on the system.
    pub sweep: Vec<String>,
}

pub(crate) type CheckFn = fn(&HostContext<'_>, &mut CheckRun, &mut Artifacts);

/// Run every host check.
pub fn run_all(ctx: &HostContext<'_>) -> HostReport {
    let checks: [(&CheckInfo, CheckFn); 4] = [
        (&web::INFO, web::run),
        (&usb::INFO, usb::run),
        (&network::INFO, network::run),
        (&recent::INFO, recent::run),
    ];
    let mut report = HostReport::default();
    for (info, run) in checks {
        let clock = Instant::now();
        let mut out = CheckRun::default();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            run(ctx, &mut out, &mut report.artifacts)
        }));
        let status = if outcome.is_err() {
            out.problem2(
                "the check stopped on an internal error; what it saw before is kept",
                "检查因内部错误中止，已保留中止前的结果",
            );
            CheckStatus::Error
        } else if !out.problems.is_empty() {
            CheckStatus::Partial
        } else if out.not_applicable {
            CheckStatus::Skipped
        } else {
            CheckStatus::Ok
        };
        let mut message = out.summary.clone();
        let mut message_zh = if out.summary_zh.is_empty() {
            out.summary.clone()
        } else {
            out.summary_zh.clone()
        };
        for (en, zh) in &out.problems {
            if !message.is_empty() {
                message.push_str("; ");
            }
            message.push_str(en);
            if !message_zh.is_empty() {
                message_zh.push('；');
            }
            message_zh.push_str(zh);
        }
        report.checks.push(CheckResult {
            id: info.id.to_owned(),
            status,
            duration_ms: clock.elapsed().as_millis() as u64,
            examined: out.examined,
            message,
            message_zh: Some(message_zh),
        });
        report.findings.append(&mut out.findings);
        report.sweep.append(&mut out.sweep);
    }
    report
}
