//! Every user-visible text in zh-CN and en. Reports keep stable English keys (`rule`, `why`, `reason`);
//! this table turns them into words for people at display time.

/// A display language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Parse `zh-CN`, `zh`, `en`, … (case-insensitive).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") || s == "c" || s == "posix" {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// From the environment (LC_ALL, LC_MESSAGES, LANG) or the OS locale; English when unknown.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
            {
                return Lang::parse(&v).unwrap_or(Lang::En);
            }
        }
        sys_locale::get_locale()
            .and_then(|l| Lang::parse(&l))
            .unwrap_or(Lang::En)
    }

    /// `zh-CN` or `en`, for HTML `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Translate a message key; unknown keys are shown as they are (never a blank).
    pub fn t(self, key: &str) -> String {
        match MESSAGES.iter().find(|(k, _, _)| *k == key) {
            Some((_, en, zh)) => match self {
                Lang::En => (*en).to_owned(),
                Lang::Zh => (*zh).to_owned(),
            },
            None => key.to_owned(),
        }
    }

    /// A message with its `{}` places filled in order.
    pub fn fill(self, key: &str, values: &[&dyn std::fmt::Display]) -> String {
        let template = self.t(key);
        let mut out = String::with_capacity(template.len());
        let mut rest = template.as_str();
        let mut values = values.iter();
        while let Some(at) = rest.find("{}") {
            out.push_str(&rest[..at]);
            if let Some(v) = values.next() {
                out.push_str(&v.to_string());
            }
            rest = &rest[at + 2..];
        }
        out.push_str(rest);
        out
    }

    /// A rule's name: the content rules from this table, host rules from the check catalogue.
    pub fn rule(self, rule_id: &str) -> String {
        let key = format!("rule.{rule_id}");
        if MESSAGES.iter().any(|(k, _, _)| *k == key) {
            return self.t(&key);
        }
        baomi_host::catalogue()
            .iter()
            .flat_map(|c| c.rules.iter())
            .find(|r| r.id == rule_id)
            .map(|r| match self {
                Lang::En => r.title.en.to_owned(),
                Lang::Zh => r.title.zh.to_owned(),
            })
            .unwrap_or(key)
    }

    /// A check's name, from the catalogue.
    pub fn check(self, check_id: &str) -> String {
        baomi_host::catalogue()
            .iter()
            .find(|c| c.id == check_id)
            .map(|c| match self {
                Lang::En => c.name.en.to_owned(),
                Lang::Zh => c.name.zh.to_owned(),
            })
            .unwrap_or_else(|| check_id.to_owned())
    }

    /// The name of a level.
    pub fn level(self, level: baomi_core::Level) -> &'static str {
        match self {
            Lang::En => level.en(),
            Lang::Zh => level.zh(),
        }
    }
}

/// A check's message in `lang` (English when the check wrote no Chinese).
pub fn check_message(c: &baomi_core::CheckResult, lang: Lang) -> &str {
    match (lang, &c.message_zh) {
        (Lang::Zh, Some(zh)) if !zh.is_empty() => zh,
        _ => &c.message,
    }
}

/// (key, English, 中文). Keys: `ui.*` interface words, `rule.*` rule names, `why.*` match reasons,
/// `reason.*` unscanned reasons, `severity.*`.
const MESSAGES: &[(&str, &str, &str)] = &[
    ("ui.title", "Baomi inspection report", "保密检查报告"),
    ("ui.reads", "Reads", "检查对象"),
    ("ui.reports", "Reports", "报告内容"),
    (
        "ui.checks_note",
        "Severity depends on the zone given with `baomi scan --zone`. Content findings also depend on the level found; the content row shows 机密/绝密.",
        "严重程度取决于 `baomi scan --zone` 指定的计算机类别；内容类发现还取决于所发现的密级，上表内容行按机密/绝密列出。",
    ),
    ("ui.host_checks", "Host checks", "主机检查"),
    ("ui.check", "Check", "检查项"),
    ("ui.status", "Status", "状态"),
    ("ui.examined", "Examined", "检查数"),
    ("ui.message", "Message", "说明"),
    ("ui.evidence", "Evidence", "证据"),
    ("ui.host_findings", "Host findings", "主机检查发现"),
    ("ui.content_findings", "Content findings", "内容检查发现"),
    (
        "ui.inspecting_host",
        "inspecting the host…",
        "正在检查主机…",
    ),
    ("ui.usb_devices", "USB storage devices", "USB 存储设备"),
    (
        "ui.web_visits",
        "Internet sites visited",
        "访问过的互联网站点",
    ),
    ("ui.network", "Network", "网络"),
    ("art.serial", "Serial", "序列号"),
    ("art.device", "Device", "设备"),
    ("art.first_seen", "First seen", "首次"),
    ("art.last_seen", "Last seen", "最近"),
    ("art.connections", "Connections", "接入次数"),
    ("art.mount_points", "Mounted at", "挂载点"),
    ("art.log_coverage", "Logs cover", "日志覆盖时段"),
    (
        "art.log_files",
        "log files; earlier history is unknown",
        "个日志文件；更早的记录未知",
    ),
    ("art.browser", "Browser / profile", "浏览器 / 配置"),
    ("art.site", "Site", "站点"),
    ("art.visits", "Visits", "访问次数"),
    ("art.downloads", "Downloads", "下载记录"),
    ("art.time", "Time", "时间"),
    ("art.interface", "Interface", "网卡"),
    ("art.kind", "Kind", "类型"),
    ("art.addresses", "Addresses", "地址"),
    ("art.state", "State", "状态"),
    ("art.saved_wifi", "Saved Wi-Fi", "已保存的无线网络"),
    ("art.default_route", "Default route", "默认路由"),
    ("art.proxy", "Proxy", "代理"),
    ("art.probe", "Outbound probe", "外联测试"),
    (
        "art.recent_removable",
        "Files opened from removable media",
        "从移动介质打开的文件",
    ),
    ("art.app", "Application", "应用"),
    ("status.ok", "ok", "完成"),
    ("status.partial", "partial", "部分完成"),
    ("status.error", "error", "出错"),
    ("status.skipped", "not applicable", "不适用"),
    ("ui.level", "Level", "密级"),
    ("ui.severity", "Severity", "严重程度"),
    ("ui.confidence", "Confidence", "置信度"),
    ("ui.file", "File", "文件"),
    ("ui.where", "Where", "位置"),
    ("ui.matched", "Matched", "匹配内容"),
    ("ui.excerpt", "Excerpt", "摘录"),
    ("ui.why", "Why", "判定依据"),
    ("ui.rule", "Rule", "规则"),
    ("ui.reason", "Reason", "原因"),
    ("ui.detail", "Detail", "说明"),
    ("ui.count", "Count", "数量"),
    ("ui.extension", "Extension", "扩展名"),
    ("ui.summary", "Summary", "汇总"),
    ("ui.host", "Computer", "计算机"),
    ("ui.zone", "Zone", "网络类型"),
    ("ui.policy", "Policy", "检查策略"),
    ("ui.started", "Started", "开始时间"),
    ("ui.finished", "Finished", "结束时间"),
    ("ui.duration", "Duration", "用时"),
    ("ui.files_read", "Files read", "已读取文件"),
    ("ui.files_seen", "Files seen", "遍历文件"),
    ("ui.bytes_read", "Bytes read", "读取字节"),
    ("ui.findings", "Findings", "发现问题"),
    ("ui.findings_by_level", "Findings by level", "按密级统计"),
    ("ui.unscanned", "Not read", "未能检查"),
    (
        "ui.unscanned_files",
        "Files and members that could not be read",
        "未能检查的文件及内部成员",
    ),
    (
        "ui.unsupported_by_ext",
        "Formats not read yet, by extension",
        "暂不支持的格式（按扩展名）",
    ),
    (
        "ui.no_findings",
        "No classification markings or policy keywords found.",
        "未发现密级标志或策略关键词。",
    ),
    ("ui.page", "page", "第{}页"),
    ("ui.slide", "slide", "第{}张幻灯片"),
    ("ui.sheet", "sheet", "工作表"),
    ("ui.line", "line", "第{}行"),
    ("ui.occurrences", "occurrences", "处"),
    ("ui.report_written", "Report written to", "报告已写入"),
    (
        "ui.html_written",
        "HTML report written to",
        "HTML报告已写入",
    ),
    ("ui.scanning", "Scanning", "正在检查"),
    (
        "ui.printed",
        "Printed by Baomi",
        "由保密检查工具 Baomi 生成",
    ),
    (
        "ui.print_hint",
        "Print this page to keep a paper record.",
        "可直接打印本页留档。",
    ),
    ("ui.signature", "Inspector's signature", "检查人签字"),
    ("ui.date", "Date", "日期"),
    (
        "ui.info_hidden",
        "low-confidence (info) findings not shown in the table; see the report",
        "条低置信度（提示）结果未在表中列出，详见报告",
    ),
    ("ui.more", "and more; see the report", "更多内容见报告"),
    (
        "ui.more_findings",
        "more findings are in the report",
        "条结果未在此列出，详见报告",
    ),
    ("rule.content.marking", "Classification marking", "密级标志"),
    (
        "rule.content.work_secret",
        "Work-secret label",
        "工作秘密标志",
    ),
    (
        "rule.content.us_marking",
        "US classification marking",
        "美式密级标志",
    ),
    (
        "rule.content.declassified",
        "Declassification mark",
        "解密标志",
    ),
    ("rule.content.keyword", "Policy keyword", "策略关键词"),
    (
        "err.read_policy",
        "cannot read policy file",
        "无法读取策略文件",
    ),
    ("err.policy_file", "in policy file", "策略文件有误："),
    (
        "err.compile_policy",
        "the policy cannot be compiled",
        "策略无法编译",
    ),
    ("err.cannot_scan", "cannot scan", "无法检查"),
    (
        "err.bad_root",
        "cannot inspect the system mounted at",
        "无法检查挂载于此处的系统：",
    ),
    ("err.write_report", "cannot write", "无法写入"),
    ("zone.classified", "classified (涉密)", "涉密计算机"),
    (
        "zone.internal",
        "internal network (内网)",
        "内网（非涉密）计算机",
    ),
    ("zone.internet", "Internet (互联网)", "互联网计算机"),
    (
        "zone.unknown",
        "not stated (use --zone)",
        "未指定（可用 --zone 指定）",
    ),
    ("severity.critical", "critical", "严重"),
    ("severity.high", "high", "高"),
    ("severity.medium", "medium", "中"),
    ("severity.low", "low", "低"),
    ("severity.info", "info", "提示"),
    ("reason.encrypted", "encrypted", "已加密"),
    (
        "reason.unsupported_format",
        "format not supported yet",
        "暂不支持的格式",
    ),
    ("reason.corrupt", "damaged or truncated", "文件损坏或不完整"),
    ("reason.too_large", "too large", "文件过大"),
    ("reason.limit", "safety limit reached", "超出安全限制"),
    (
        "reason.permission_denied",
        "permission denied",
        "无权限读取",
    ),
    (
        "reason.no_text_layer",
        "no text layer (scanned images)",
        "无文字层（扫描图像）",
    ),
    ("reason.io_error", "read error", "读取错误"),
    (
        "reason.parser_panic",
        "parser failure (contained)",
        "解析器异常（已隔离）",
    ),
    ("part.body", "body", "正文"),
    ("part.header", "header", "页眉"),
    ("part.footer", "footer", "页脚"),
    ("part.note", "footnote", "脚注"),
    ("part.comment", "comment", "批注"),
    ("part.sheet", "sheet", "工作表"),
    ("part.slide", "slide", "幻灯片"),
    ("part.speaker_notes", "speaker notes", "演讲者备注"),
    ("part.text_box", "text box", "文本框"),
    ("part.subject", "mail subject", "邮件主题"),
    ("part.metadata", "document properties", "文档属性"),
    ("part.hidden", "hidden or deleted text", "隐藏或已删除文字"),
    (
        "why.star_form_at_head",
        "★ marking at the marking position",
        "位于密级标志位置的“密级★期限”标志",
    ),
    (
        "why.bare_level_at_head",
        "level word alone at the marking position",
        "位于密级标志位置的单独密级字样",
    ),
    ("why.level_field", "密级 field", "“密级”栏填写"),
    (
        "why.star_form_in_margin",
        "★ marking in a header or footer",
        "页眉/页脚中的“密级★”标志",
    ),
    (
        "why.bare_level_in_margin",
        "level word alone in a header or footer",
        "页眉/页脚中的单独密级字样",
    ),
    (
        "why.star_form_standalone",
        "★ marking on its own line outside the marking position",
        "非标志位置单独成行的“密级★”字样",
    ),
    ("why.paragraph_mark", "paragraph marking", "段落密级标注"),
    ("why.declassified", "declassification mark", "解密标注"),
    (
        "why.work_secret_label",
        "work-secret label at the marking position",
        "位于标志位置的工作秘密标注",
    ),
    ("why.keyword", "policy keyword", "策略关键词"),
    (
        "why.period_form_at_head",
        "marking with period at the marking position",
        "位于密级标志位置的“密级·期限”标志",
    ),
    (
        "why.period_form_in_margin",
        "marking with period in a header or footer",
        "页眉/页脚中的“密级·期限”标志",
    ),
    (
        "why.example_list",
        "several levels listed together (probably an example)",
        "多个密级并列（可能是示例）",
    ),
    (
        "why.us_portion_mark_in_context",
        "portion marking beside other US markings",
        "与其他美式标注并存的段落密级标注",
    ),
    (
        "why.internet_history",
        "Internet sites in the browser history",
        "浏览器历史中有互联网站点",
    ),
    (
        "why.internet_download",
        "download from an Internet address",
        "从互联网地址下载",
    ),
    (
        "why.usb_storage_driver_bound",
        "a storage driver (usb-storage/uas) took the device",
        "存储驱动（usb-storage/uas）接管了该设备",
    ),
    (
        "why.uas_host_after_enumeration",
        "a uas storage host appeared right after the device",
        "设备接入后随即出现 uas 存储主机",
    ),
    (
        "why.logs_reach_back_to",
        "the oldest log record read",
        "所读日志的最早记录",
    ),
    (
        "why.wifi_device_in_sysfs",
        "Wi-Fi hardware in /sys",
        "/sys 中的无线网卡",
    ),
    (
        "why.wifi_interface_in_udev_rules",
        "Wi-Fi interface in udev rules",
        "udev 规则中的无线网卡",
    ),
    (
        "why.wwan_device_in_sysfs",
        "mobile broadband hardware in /sys",
        "/sys 中的移动网络模块",
    ),
    (
        "why.mobile_broadband_profile",
        "mobile broadband connection profile",
        "移动网络连接配置",
    ),
    (
        "why.bluetooth_controller_in_sysfs",
        "Bluetooth controller in /sys",
        "/sys 中的蓝牙控制器",
    ),
    (
        "why.bluetooth_controller_in_bluez_state",
        "Bluetooth controller state kept by BlueZ",
        "BlueZ 保存的蓝牙控制器信息",
    ),
    (
        "why.saved_wifi_connected",
        "saved Wi-Fi network with a last-connected time",
        "有最近连接时间的已保存无线网络",
    ),
    (
        "why.saved_wifi_profile",
        "saved Wi-Fi network profile",
        "已保存的无线网络配置",
    ),
    (
        "why.several_physical_interfaces_up",
        "several physical interfaces up",
        "多个物理网卡处于启用状态",
    ),
    (
        "why.dns_server_outside_intranet",
        "DNS server outside the policy's intranet",
        "DNS 服务器不在策略规定的内网范围",
    ),
    (
        "why.proxy_internet_host",
        "proxy on an Internet host",
        "代理位于互联网主机",
    ),
    (
        "why.proxy_intranet_host",
        "proxy on an intranet host",
        "代理位于内网主机",
    ),
    (
        "why.proxy_local_listener",
        "proxy on this computer (a tunnel client)",
        "代理位于本机（可能是翻墙/隧道客户端）",
    ),
    (
        "why.probe_connected",
        "TCP connection established",
        "TCP 连接成功",
    ),
    (
        "why.recent_file_on_removable_media",
        "recent-file list names a file on removable media",
        "最近文件列表中的文件位于移动介质",
    ),
    (
        "why.policy_keyword_in_name",
        "policy keyword in the file name",
        "文件名含策略关键词",
    ),
    (
        "why.marking_in_name_bracketed",
        "bracketed level in the file name (【机密】)",
        "文件名中带括号的密级（【机密】）",
    ),
    (
        "why.marking_in_name_star",
        "★ marking in the file name",
        "文件名中的★密级标志",
    ),
    (
        "why.marking_in_name_separated",
        "level word standing alone in the file name",
        "文件名中独立的密级词",
    ),
    ("why.us_banner", "banner line", "美式密级横幅"),
    ("why.us_portion_mark", "portion marking", "美式段落密级标注"),
    // baomi serve / admin / push / audit ({} marks where a value goes)
    (
        "srv.listening",
        "baomi serve: {} (database {})",
        "baomi serve：{}（数据库 {}）",
    ),
    (
        "srv.correlated",
        "correlated {} devices: {} findings across computers ({} s)",
        "已关联 {} 个设备：跨机发现 {} 条（{} 秒）",
    ),
    (
        "srv.correlate_all_only",
        "say --all: imports and register changes already correlate what they touch",
        "请加 --all：导入报告和变更台账时已自动关联相关设备",
    ),
    (
        "srv.watching",
        "baomi serve: importing reports copied into {}",
        "baomi serve：自动导入复制到 {} 的检查报告",
    ),
    (
        "srv.no_account",
        "baomi serve: no account yet. Create the first administrator:",
        "baomi serve：尚无账户。请创建第一个管理员：",
    ),
    (
        "srv.password_prompt",
        "Password for {} (one line on standard input):",
        "请输入 {} 的密码（标准输入一行）：",
    ),
    (
        "srv.password_short",
        "the password must have at least 10 characters",
        "密码至少需要 10 个字符",
    ),
    (
        "srv.created",
        "created account {} ({}), id {}",
        "已创建账户 {}（{}），编号 {}",
    ),
    (
        "srv.no_such_account",
        "no active account {}",
        "没有名为 {} 的有效账户",
    ),
    (
        "srv.token_once",
        "(shown once: keep it where the inspector's stick keeps secrets)",
        "（仅显示一次，请妥善保管）",
    ),
    (
        "srv.push_ok",
        "{}: {} (report {}, {} findings)",
        "{}：{}（报告 {}，发现 {} 项）",
    ),
    (
        "srv.push_refused",
        "the server refused the report ({}): {}",
        "服务器拒收该报告（{}）：{}",
    ),
    ("srv.unreachable", "cannot reach {}", "无法连接 {}"),
    (
        "srv.audit_ok",
        "audit log intact: {} entries, SM3 chain verified",
        "审计日志完整：{} 条，SM3 哈希链校验通过",
    ),
    (
        "srv.audit_broken",
        "audit log BROKEN ({} entries read):",
        "审计日志被破坏（已读取 {} 条）：",
    ),
    ("srv.audit_entry", "  entry {}: {}", "  第 {} 条：{}"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages() {
        for (k, en, zh) in MESSAGES {
            assert!(!en.is_empty() && !zh.is_empty(), "{k}");
        }
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en_US"), Some(Lang::En));
        assert_eq!(Lang::Zh.t("ui.level"), "密级");
        assert_eq!(Lang::En.t("no.such.key"), "no.such.key");
    }

    #[test]
    fn every_detector_reason_and_unscanned_reason_is_translated() {
        let has = |k: &str| MESSAGES.iter().any(|(key, _, _)| *key == k);
        for (why, _) in baomi_detect::WHY_KEYS {
            assert!(has(&format!("why.{why}")), "why.{why} has no translation");
        }
        for rule in [
            baomi_detect::Rule::Marking,
            baomi_detect::Rule::WorkSecret,
            baomi_detect::Rule::UsMarking,
            baomi_detect::Rule::Declassified,
            baomi_detect::Rule::Keyword,
        ] {
            assert!(has(&format!("rule.{}", rule.id())), "{}", rule.id());
        }
    }
}
