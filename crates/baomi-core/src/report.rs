//! The report, contract `baomi.report/1`: the only thing the scanner and the server share.
//!
//! Field names and meanings are fixed by `schema/report-v1.schema.json`; a change here that is not
//! additive needs a new schema version.

use crate::{Level, Severity, Zone};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The schema identifier written into every report.
pub const REPORT_SCHEMA: &str = "baomi.report/1";

/// A complete inspection report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`REPORT_SCHEMA`].
    pub schema: String,
    /// Unique id of this run.
    pub report_id: String,
    /// The tool that wrote the report.
    pub tool: Tool,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339.
    pub finished_at: String,
    /// The inspected computer.
    pub host: HostInfo,
    /// The policy in force.
    pub policy: PolicyRef,
    /// What each check did.
    pub checks: Vec<CheckResult>,
    /// What was found.
    pub findings: Vec<Finding>,
    /// What could not be read, and why.
    pub unscanned: Vec<Unscanned>,
    /// Raw observations for the server to correlate.
    #[serde(default)]
    pub artifacts: Artifacts,
    /// Counts and durations.
    pub stats: Stats,
}

/// Name and version of the program that wrote a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// `baomi`.
    pub name: String,
    /// Crate version.
    pub version: String,
}

/// The inspected computer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HostInfo {
    /// Host name, when known.
    pub hostname: Option<String>,
    /// `/etc/machine-id` or the Windows MachineGuid, when known.
    pub machine_id: Option<String>,
    /// Operating system description, when known.
    pub os: Option<String>,
    /// The root the checks read from (`/` on a live system).
    pub root: String,
    /// What the inspector says the computer is.
    pub zone: Zone,
    /// Asset number given by the inspector.
    pub asset_tag: Option<String>,
}

/// Which policy was applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRef {
    /// The policy's `name`.
    pub name: String,
    /// SHA-256 of the policy text, hex.
    pub sha256: String,
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Ran over everything it should.
    Ok,
    /// Ran, but some inputs could not be read (see `unscanned`).
    Partial,
    /// Could not run.
    Error,
    /// Not run (not applicable, or not asked for).
    Skipped,
}

impl CheckStatus {
    /// Identifier as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Ok => "ok",
            CheckStatus::Partial => "partial",
            CheckStatus::Error => "error",
            CheckStatus::Skipped => "skipped",
        }
    }
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Check id (`content`, `web`, `usb`, …).
    pub id: String,
    /// How it ended.
    pub status: CheckStatus,
    /// Wall time.
    pub duration_ms: u64,
    /// How many items (files, profiles, log files…) it examined.
    pub examined: u64,
    /// A human sentence, in English.
    pub message: String,
    /// The same sentence in Simplified Chinese, when the check wrote one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_zh: Option<String>,
}

/// One thing worth an inspector's attention, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id: the same finding in two reports has the same id (see [`finding_id`]).
    pub id: String,
    /// The check that made it (`content`, …).
    pub check: String,
    /// Dotted rule id (`content.marking`, …).
    pub rule: String,
    /// How urgent.
    pub severity: Severity,
    /// Required on content findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// 0.0–1.0: how sure the rule is that this is what it says.
    #[serde(serialize_with = "serialize_confidence")]
    pub confidence: f32,
    /// The file's path as seen on the inspected system.
    pub path: String,
    /// Chain of members inside containers, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inner: Vec<String>,
    /// One line for people (English; renderers translate by `rule`).
    pub title: String,
    /// What the finding rests on.
    pub evidence: Evidence,
}

/// Where and why a finding matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The text around the match, one line, trimmed. Host checks write an English sentence here.
    pub excerpt: String,
    /// The same sentence in Simplified Chinese, for host findings (renderers show it when the reader
    /// chose Chinese). Content findings leave it unset: their excerpt quotes the document itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt_zh: Option<String>,
    /// The matched text itself.
    pub matched: String,
    /// Why it matched: a key such as `star_form_at_head` (renderers translate it).
    pub why: String,
    /// The part of a document it stands in (`body`, `header`, `footer`, `comment`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// 1-based page (or slide) number, where the format has pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Sheet name, for spreadsheets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// 1-based line within the part/page/sheet (a row, for spreadsheets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Byte offset of the match in the extracted text of its part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// How many times the same text matched in the same file (≥ 1).
    #[serde(default = "one")]
    pub occurrences: u32,
    /// Policy note for keyword findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Default for Evidence {
    /// Empty evidence seen once: a finding is always seen at least once (the schema's minimum, and
    /// what a report without the field means).
    fn default() -> Self {
        Evidence {
            excerpt: String::new(),
            excerpt_zh: None,
            matched: String::new(),
            why: String::new(),
            part: None,
            page: None,
            sheet: None,
            line: None,
            offset: None,
            occurrences: one(),
            note: None,
        }
    }
}

/// `0.98`, not `0.9800000190734863`: an f32 widened to f64 shows noise no reader should see.
fn serialize_confidence<S: serde::Serializer>(c: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((f64::from(*c) * 1000.0).round() / 1000.0)
}

fn one() -> u32 {
    1
}

/// Why a file (or a member of one) was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnscannedReason {
    /// Password-protected or encrypted.
    Encrypted,
    /// A format Baomi does not read yet.
    UnsupportedFormat,
    /// Damaged or truncated.
    Corrupt,
    /// Larger than the policy's size cap.
    TooLarge,
    /// A safety limit was hit (depth, ratio, count, time).
    Limit,
    /// The operating system refused to open it.
    PermissionDenied,
    /// A document with pages but no text (scanned images).
    NoTextLayer,
    /// Any other I/O error.
    IoError,
    /// The parser failed unexpectedly; the file was contained and skipped.
    ParserPanic,
}

impl UnscannedReason {
    /// Identifier as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            UnscannedReason::Encrypted => "encrypted",
            UnscannedReason::UnsupportedFormat => "unsupported_format",
            UnscannedReason::Corrupt => "corrupt",
            UnscannedReason::TooLarge => "too_large",
            UnscannedReason::Limit => "limit",
            UnscannedReason::PermissionDenied => "permission_denied",
            UnscannedReason::NoTextLayer => "no_text_layer",
            UnscannedReason::IoError => "io_error",
            UnscannedReason::ParserPanic => "parser_panic",
        }
    }
}

/// A file, or a member inside one, that was not read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unscanned {
    /// The file's path as seen on the inspected system.
    pub path: String,
    /// Chain of members inside containers, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inner: Vec<String>,
    /// Why.
    pub reason: UnscannedReason,
    /// Details in plain words.
    pub detail: String,
}

/// Raw observations that checks rest on, for the server to correlate (cross-use of media, Internet
/// traces). Every list is complete for what the check could read; findings only point at the notable part.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Artifacts {
    /// USB mass-storage devices seen in the logs, one record per device.
    #[serde(default)]
    pub usb_devices: Vec<UsbDevice>,
    /// How far back the logs behind `usb_devices` reach (older history is unknown, not clean).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usb_history: Option<LogCoverage>,
    /// Web visits, one record per browser profile and URL.
    #[serde(default)]
    pub web_visits: Vec<WebVisit>,
    /// Browser downloads.
    #[serde(default)]
    pub web_downloads: Vec<WebDownload>,
    /// Network hardware and configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkInfo>,
    /// Recently opened files from desktop and office-suite lists.
    #[serde(default)]
    pub recent_files: Vec<RecentFile>,
}

/// One USB mass-storage device, merged over every log line that mentions it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UsbDevice {
    /// Vendor id, 4 lowercase hex digits.
    pub vid: String,
    /// Product id, 4 lowercase hex digits.
    pub pid: String,
    /// iSerialNumber as the device reported it; `None` when it has none.
    pub serial: Option<String>,
    /// iManufacturer.
    pub manufacturer: Option<String>,
    /// iProduct.
    pub product: Option<String>,
    /// RFC 3339, first connection seen.
    pub first_seen: Option<String>,
    /// RFC 3339, last connection seen.
    pub last_seen: Option<String>,
    /// Connections seen.
    pub connections: u32,
    /// Log files (paths on the inspected system) the device was seen in.
    pub sources: Vec<String>,
    /// Mount points seen for its partitions (`/media/user/KINGSTON`).
    #[serde(default)]
    pub mount_points: Vec<String>,
    /// True when a timestamp came from a classic syslog line, whose year is inferred.
    #[serde(default)]
    pub year_inferred: bool,
}

/// What logs a history rests on and how far back they reach.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LogCoverage {
    /// RFC 3339 of the oldest record read, over all sources.
    pub earliest: Option<String>,
    /// RFC 3339 of the newest record read.
    pub latest: Option<String>,
    /// Each log file read.
    pub sources: Vec<LogSource>,
}

/// One log file read by a check.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LogSource {
    /// Path on the inspected system.
    pub path: String,
    /// `syslog`, `journal`.
    pub kind: String,
    /// RFC 3339 of its oldest record.
    pub earliest: Option<String>,
    /// RFC 3339 of its newest record.
    pub latest: Option<String>,
    /// Records (lines or journal entries) read.
    pub records: u64,
    /// True when its timestamps carry no year and the year was inferred.
    #[serde(default)]
    pub year_inferred: bool,
    /// Why it could not be read completely, if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Visits of one URL in one browser profile.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WebVisit {
    /// `chrome`, `chromium`, `edge`, `360`, `qaxbrowser`, `firefox`, …
    pub browser: String,
    /// Profile directory name (`Default`, `Profile 1`, `abcd.default-esr`).
    pub profile: String,
    /// The URL.
    pub url: String,
    /// Page title.
    pub title: Option<String>,
    /// RFC 3339.
    pub first_visit: Option<String>,
    /// RFC 3339.
    pub last_visit: Option<String>,
    /// Visit count.
    pub visits: u64,
    /// True when the policy does not count the host as intranet.
    pub internet: bool,
}

/// A browser download.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WebDownload {
    /// Browser id, as in [`WebVisit::browser`].
    pub browser: String,
    /// Profile directory name.
    pub profile: String,
    /// Where it came from.
    pub url: String,
    /// Where it was saved (path on the inspected system).
    pub target_path: String,
    /// RFC 3339.
    pub started: Option<String>,
    /// Bytes received.
    pub bytes: Option<u64>,
    /// True when the source is on the Internet by the policy.
    pub internet: bool,
}

/// Network hardware and configuration of the inspected computer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NetworkInfo {
    /// Network interfaces (loopback excluded).
    pub interfaces: Vec<NetInterface>,
    /// Bluetooth controllers.
    #[serde(default)]
    pub bluetooth: Vec<BluetoothController>,
    /// Wi-Fi networks saved in configuration (NetworkManager, wpa_supplicant).
    #[serde(default)]
    pub saved_wifi: Vec<SavedWifi>,
    /// Default routes (`0.0.0.0/0`, `::/0`).
    #[serde(default)]
    pub default_routes: Vec<Route>,
    /// DNS servers configured.
    #[serde(default)]
    pub dns_servers: Vec<String>,
    /// Proxy settings found.
    #[serde(default)]
    pub proxies: Vec<ProxySetting>,
    /// Results of the opt-in outbound probe (`--probe`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probe: Vec<ProbeResult>,
}

/// One network interface.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NetInterface {
    /// Kernel name (`eth0`, `wlp2s0`).
    pub name: String,
    /// `ethernet`, `wifi`, `wwan`, `bluetooth`, `virtual`, `other`.
    pub kind: String,
    /// Hardware address.
    pub mac: Option<String>,
    /// Kernel driver, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// `up`, `down`, … (live systems only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operstate: Option<String>,
    /// Addresses with prefix length (live systems only).
    #[serde(default)]
    pub addresses: Vec<String>,
    /// True when the interface is a physical device (not a bridge, tunnel, container veth).
    pub physical: bool,
}

/// A Bluetooth controller.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BluetoothController {
    /// `hci0`.
    pub name: String,
    /// Controller address, when known.
    pub address: Option<String>,
    /// Where it was seen (`/sys/class/bluetooth/hci0`, `/var/lib/bluetooth/AA:BB…`).
    pub source: String,
}

/// A saved Wi-Fi network.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SavedWifi {
    /// The network name.
    pub ssid: String,
    /// The file it is saved in (path on the inspected system).
    pub source: String,
    /// RFC 3339: when the computer last joined it, where the system recorded that
    /// (NetworkManager's timestamps file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_connected: Option<String>,
}

/// A route.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Route {
    /// Interface, when known.
    pub interface: Option<String>,
    /// Gateway address.
    pub gateway: Option<String>,
    /// Where it was seen (`/proc/net/route`, a NetworkManager profile…).
    pub source: String,
}

/// A proxy setting.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProxySetting {
    /// Variable or key (`https_proxy`, `Acquire::http::Proxy`).
    pub key: String,
    /// The proxy address.
    pub value: String,
    /// Where it was seen.
    pub source: String,
}

/// One outbound connection attempt of the opt-in probe.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProbeResult {
    /// `host:port` as in the policy.
    pub target: String,
    /// True when a TCP connection was established.
    pub connected: bool,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Milliseconds until success or failure.
    pub millis: u64,
}

/// A file named in a recently-used list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RecentFile {
    /// The list (path on the inspected system).
    pub source: String,
    /// `gtk`, `wps`, `libreoffice`.
    pub app: String,
    /// The user whose list it is.
    pub user: Option<String>,
    /// The file as recorded (path or URL decoded to a path).
    pub path: String,
    /// RFC 3339 of the last use, when recorded.
    pub used_at: Option<String>,
    /// True when the file lay on removable media (`/media/…`, `/run/media/…`).
    pub removable: bool,
}

/// Counts and durations of a run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Files visited (read or not).
    pub files: u64,
    /// Files whose content was read.
    pub files_scanned: u64,
    /// Bytes read from disk.
    pub bytes: u64,
    /// Files scanned per format (`docx`, `text`, …).
    pub by_format: BTreeMap<String, u64>,
    /// Files not read per extension, for unsupported formats.
    pub unsupported_by_extension: BTreeMap<String, u64>,
    /// Findings per level.
    pub findings_by_level: BTreeMap<String, u64>,
    /// Unscanned entries per reason.
    pub unscanned_by_reason: BTreeMap<String, u64>,
    /// Wall time of the whole run.
    pub duration_ms: u64,
}

/// The stable id of a finding: the same rule matching the same text at the same place gives the same id
/// in every report, so the server can follow it across inspections.
pub fn finding_id(rule: &str, path: &str, inner: &[String], matched: &str) -> String {
    let mut h = Sha256::new();
    for part in [rule, path]
        .into_iter()
        .chain(inner.iter().map(String::as_str))
        .chain([matched])
    {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    hex::encode(&digest[..12])
}

/// A new report id: 32 hex digits, unique per run (time, process, and a per-process counter).
pub fn new_report_id(host_hint: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    h.update(host_hint.as_bytes());
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_ids_are_stable_and_unambiguous() {
        let a = finding_id("content.marking", "/a/b.docx", &[], "机密★1年");
        assert_eq!(
            a,
            finding_id("content.marking", "/a/b.docx", &[], "机密★1年")
        );
        assert_ne!(
            finding_id("r", "ab", &[], "c"),
            finding_id("r", "a", &["b".into()], "c")
        );
        assert_eq!(a.len(), 24);
    }
}
