//! Removable-media history: USB mass-storage devices from kernel log lines in the classic syslog files
//! and from the binary journald journal, merged into one record per device.
//!
//! TODO(helper): implementation.

pub mod journal;
pub mod kmsg;
pub mod syslog;

use crate::catalogue::{CheckInfo, RuleInfo, Text};
use crate::{CheckRun, HostContext};
use baomi_core::Artifacts;
use baomi_core::Severity::{Info, Low, Medium};

/// A USB storage device was connected.
pub const STORAGE_SEEN: RuleInfo = RuleInfo {
    id: "usb.storage_seen",
    title: Text {
        en: "a USB storage device was connected",
        zh: "曾接入 USB 存储设备",
    },
    severities: [Medium, Low, Info, Low],
};

/// The logs do not reach back far: older history is unknown.
pub const HISTORY_LIMITED: RuleInfo = RuleInfo {
    id: "usb.history_limited",
    title: Text {
        en: "the logs reach back only so far: older USB history is unknown, not clean",
        zh: "日志仅覆盖有限时间：更早的 USB 使用情况未知，不能视为无记录",
    },
    severities: [Info, Info, Info, Info],
};

/// The check.
pub const INFO: CheckInfo = CheckInfo {
    id: "usb",
    name: Text {
        en: "Removable media history",
        zh: "移动存储介质使用记录",
    },
    reads: Text {
        en: "kernel USB lines in /var/log/syslog, kern.log, messages and their rotations (.1, .gz), and the binary journald files under /var/log/journal (read natively, no journalctl needed)",
        zh: "/var/log/syslog、kern.log、messages 及其轮转文件（.1、.gz）中的内核 USB 记录，以及 /var/log/journal 下的 journald 二进制日志（直接解析，无需 journalctl）",
    },
    rules: &[STORAGE_SEEN, HISTORY_LIMITED],
};

/// Run the check.
pub fn run(_ctx: &HostContext<'_>, out: &mut CheckRun, _artifacts: &mut Artifacts) {
    out.not_applicable = true;
    out.summary = "not implemented yet".into();
}
