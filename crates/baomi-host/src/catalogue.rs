//! The catalogue of checks (`baomi checks`): what each reads, what it reports, and how severe each rule is
//! in each zone. Severities live here, next to their rules, so the table users read and the severities
//! reports carry cannot drift apart.

use baomi_core::{Severity, Zone};

/// A text in both languages every user-visible string exists in.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    /// English.
    pub en: &'static str,
    /// Simplified Chinese.
    pub zh: &'static str,
}

/// One rule a check can report.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    /// Dotted id (`web.internet_visit`).
    pub id: &'static str,
    /// What a finding of this rule means.
    pub title: Text,
    /// Severity on a classified, internal, Internet and unknown-zone computer, in that order.
    pub severities: [Severity; 4],
}

impl RuleInfo {
    /// Severity of this rule on a computer of `zone`.
    pub fn severity(&self, zone: Zone) -> Severity {
        self.severities[match zone {
            Zone::Classified => 0,
            Zone::Internal => 1,
            Zone::Internet => 2,
            Zone::Unknown => 3,
        }]
    }
}

/// One check.
#[derive(Debug, Clone, Copy)]
pub struct CheckInfo {
    /// Id written in reports (`web`, `usb`, …).
    pub id: &'static str,
    /// Short name.
    pub name: Text,
    /// What it reads.
    pub reads: Text,
    /// What it can report.
    pub rules: &'static [RuleInfo],
}

use Severity::{Critical, High, Info, Medium};

/// The content sweep, described here so `baomi checks` lists it with the host checks. Its severities
/// also depend on the level found (see baomi-scan); the ones shown are for 机密/绝密.
pub const CONTENT: CheckInfo = CheckInfo {
    id: "content",
    name: Text {
        en: "Classified content",
        zh: "涉密内容",
    },
    reads: Text {
        en: "documents, mail and archives in user folders, /media, /mnt, /tmp, /var/tmp, IM received-file folders and browser downloads",
        zh: "用户目录、/media、/mnt、/tmp、/var/tmp、即时通讯接收文件目录和浏览器下载中的文档、邮件与压缩包",
    },
    rules: &[
        RuleInfo {
            id: "content.marking",
            title: Text {
                en: "classification marking (绝密/机密/秘密) at the marking position",
                zh: "标志位置上的密级标志（绝密/机密/秘密）",
            },
            severities: [Info, Critical, Critical, Critical],
        },
        RuleInfo {
            id: "content.work_secret",
            title: Text {
                en: "work-secret label (工作秘密, 内部资料 …)",
                zh: "工作秘密标识（工作秘密、内部资料等）",
            },
            severities: [Info, Info, High, Medium],
        },
        RuleInfo {
            id: "content.us_marking",
            title: Text {
                en: "US banner or portion marking",
                zh: "美式密级标志",
            },
            severities: [Info, Critical, Critical, Critical],
        },
        RuleInfo {
            id: "content.keyword",
            title: Text {
                en: "policy keyword",
                zh: "策略关键词",
            },
            severities: [Info, Critical, Critical, Critical],
        },
        RuleInfo {
            id: "content.declassified",
            title: Text {
                en: "declassified document (解密)",
                zh: "已解密文件",
            },
            severities: [Info, Info, Info, Info],
        },
    ],
};

/// Every check, in the order they run and are listed.
pub fn catalogue() -> [&'static CheckInfo; 5] {
    [
        &CONTENT,
        &crate::web::INFO,
        &crate::usb::INFO,
        &crate::network::INFO,
        &crate::recent::INFO,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_belong_to_their_check() {
        let mut seen = std::collections::HashSet::new();
        for check in catalogue() {
            for rule in check.rules {
                assert!(seen.insert(rule.id), "duplicate rule {}", rule.id);
                assert!(
                    rule.id.starts_with(&format!("{}.", check.id)),
                    "{} is not under {}",
                    rule.id,
                    check.id
                );
            }
        }
    }
}
