//! Internet traces: the history and downloads of every Chromium-family and Firefox profile.
//!
//! TODO(helper): implementation.

use crate::catalogue::{CheckInfo, RuleInfo, Text};
use crate::{CheckRun, HostContext};
use baomi_core::Artifacts;
use baomi_core::Severity::{Critical, High, Info, Low, Medium};

/// Visits to Internet sites.
pub const INTERNET_VISIT: RuleInfo = RuleInfo {
    id: "web.internet_visit",
    title: Text {
        en: "browser history shows Internet sites were visited",
        zh: "浏览器历史记录显示曾访问互联网",
    },
    severities: [Critical, High, Info, Medium],
};

/// Files downloaded from the Internet.
pub const INTERNET_DOWNLOAD: RuleInfo = RuleInfo {
    id: "web.internet_download",
    title: Text {
        en: "a file was downloaded from the Internet",
        zh: "曾从互联网下载文件",
    },
    severities: [Critical, High, Info, Low],
};

/// The check.
pub const INFO: CheckInfo = CheckInfo {
    id: "web",
    name: Text {
        en: "Internet traces (browsers)",
        zh: "上网痕迹（浏览器）",
    },
    reads: Text {
        en: "History and downloads of Chrome, Chromium, Edge, 360, 奇安信 (qaxbrowser), QQ, Sogou and other Chromium-family profiles (all profiles from Local State) and Firefox places.sqlite, opened read-only without touching locks or WAL",
        zh: "Chrome、Chromium、Edge、360、奇安信可信浏览器、QQ、搜狗等 Chromium 内核浏览器（按 Local State 列出的全部配置）和 Firefox places.sqlite 的历史与下载记录，只读打开，不触碰锁与 WAL",
    },
    rules: &[INTERNET_VISIT, INTERNET_DOWNLOAD],
};

/// Run the check.
pub fn run(_ctx: &HostContext<'_>, out: &mut CheckRun, _artifacts: &mut Artifacts) {
    let _ = (Medium, Low);
    out.not_applicable = true;
    out.summary = "not implemented yet".into();
}
