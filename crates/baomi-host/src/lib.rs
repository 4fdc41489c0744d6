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
    /// What could not be read, in plain words (each makes the check `partial`).
    pub problems: Vec<String>,
    /// One sentence on what was seen (the check's message when there were no problems).
    pub summary: String,
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
        let id = finding_id(rule.id, &f.path, &[], &f.evidence.matched);
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

    /// Note an artifact that could not be read.
    pub fn problem(&mut self, what: impl Into<String>) {
        self.problems.push(what.into());
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

type CheckFn = fn(&HostContext<'_>, &mut CheckRun, &mut Artifacts);

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
            out.problem("the check stopped on an internal error; what it saw before is kept");
            CheckStatus::Error
        } else if !out.problems.is_empty() {
            CheckStatus::Partial
        } else if out.not_applicable {
            CheckStatus::Skipped
        } else {
            CheckStatus::Ok
        };
        let mut message = out.summary.clone();
        for p in &out.problems {
            if !message.is_empty() {
                message.push_str("; ");
            }
            message.push_str(p);
        }
        report.checks.push(CheckResult {
            id: info.id.to_owned(),
            status,
            duration_ms: clock.elapsed().as_millis() as u64,
            examined: out.examined,
            message,
        });
        report.findings.append(&mut out.findings);
        report.sweep.append(&mut out.sweep);
    }
    report
}
