//! Recently opened files: the desktop's recently-used.xbel and the WPS and LibreOffice recent lists —
//! files opened from removable media, and files whose names carry a policy keyword.
//!
//! TODO(helper): implementation.

use crate::catalogue::{CheckInfo, RuleInfo, Text};
use crate::{CheckRun, HostContext};
use baomi_core::Artifacts;
use baomi_core::Severity::{High, Info, Low, Medium};

/// A file was opened from removable media.
pub const FROM_REMOVABLE: RuleInfo = RuleInfo {
    id: "recent.removable_media",
    title: Text {
        en: "a file was opened from removable media",
        zh: "曾从移动存储介质打开文件",
    },
    severities: [Medium, Low, Medium, Low],
};

/// A recently opened file's name carries a policy keyword or a classification level.
pub const SENSITIVE_NAME: RuleInfo = RuleInfo {
    id: "recent.sensitive_name",
    title: Text {
        en: "a recently opened file's name carries a policy keyword or a classification level",
        zh: "最近打开的文件名中含有策略关键词或密级",
    },
    severities: [Info, High, High, Medium],
};

/// The check.
pub const INFO: CheckInfo = CheckInfo {
    id: "recent",
    name: Text {
        en: "Recently opened files",
        zh: "最近打开的文件",
    },
    reads: Text {
        en: "~/.local/share/recently-used.xbel, WPS Office's ~/.config/Kingsoft/Office.conf and LibreOffice's registrymodifications.xcu of every user",
        zh: "每个用户的 ~/.local/share/recently-used.xbel、WPS 的 ~/.config/Kingsoft/Office.conf 和 LibreOffice 的 registrymodifications.xcu",
    },
    rules: &[FROM_REMOVABLE, SENSITIVE_NAME],
};

/// Run the check.
pub fn run(_ctx: &HostContext<'_>, out: &mut CheckRun, _artifacts: &mut Artifacts) {
    let _ = (Info, Low);
    out.not_applicable = true;
    out.summary = "not implemented yet".into();
}
