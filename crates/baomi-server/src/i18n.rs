//! The server's words in Chinese (the default) and English. The language is the reader's choice,
//! kept in the `lang` cookie; every page has the switch.

/// A reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文, the default.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// From the `lang` cookie's value.
    pub fn from_cookie(v: Option<&str>) -> Lang {
        match v {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// The `lang` attribute of the page.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The word for `key`; the key itself when the table has none (a bug, visible, not a crash).
    pub fn t(self, key: &'static str) -> &'static str {
        WORDS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map_or(key, |(_, zh, en)| match self {
                Lang::Zh => zh,
                Lang::En => en,
            })
    }
}

/// (key, 中文, English).
const WORDS: &[(&str, &str, &str)] = &[
    ("app", "保密检查管理系统", "Baomi confidentiality office"),
    ("dashboard", "总览", "Dashboard"),
    ("computers", "计算机台账", "Computers"),
    ("findings", "检查发现", "Findings"),
    ("import", "导入检查报告", "Import a report"),
    ("unmatched", "未匹配报告", "Unmatched reports"),
    ("departments", "部门", "Departments"),
    ("audit", "审计日志", "Audit log"),
    ("login", "登录", "Sign in"),
    ("logout", "退出", "Sign out"),
    ("username", "用户名", "User name"),
    ("password", "密码", "Password"),
    (
        "bad_login",
        "用户名或密码错误",
        "Wrong user name or password",
    ),
    (
        "throttled",
        "登录失败次数过多，请15分钟后再试",
        "Too many failed sign-ins: try again in 15 minutes",
    ),
    ("asset_no", "资产编号", "Asset number"),
    ("name", "名称", "Name"),
    ("model", "型号", "Model"),
    ("department", "部门", "Department"),
    ("custodian", "责任人", "Custodian"),
    ("location", "位置", "Location"),
    ("zone", "网络类别", "Zone"),
    ("level", "密级", "Level"),
    ("status", "状态", "Status"),
    ("macs", "MAC地址", "MAC addresses"),
    ("machine_id", "机器标识", "Machine id"),
    ("notes", "硬件备注", "Hardware notes"),
    ("register_computer", "登记计算机", "Register a computer"),
    ("save", "保存", "Save"),
    ("edit", "修改", "Edit"),
    ("search", "查询", "Search"),
    ("all", "全部", "All"),
    ("classified", "涉密", "Classified"),
    ("internal", "内网", "Internal"),
    ("internet", "互联网", "Internet"),
    ("top_secret", "绝密", "Top secret"),
    ("secret", "机密", "Secret"),
    ("confidential", "秘密", "Confidential"),
    ("level_internal", "内部", "Internal"),
    ("none", "非涉密", "Not classified"),
    ("in_use", "在用", "In use"),
    ("idle", "闲置", "Idle"),
    ("repair", "维修", "Repair"),
    ("scrapped", "报废", "Scrapped"),
    ("reports", "检查报告", "Reports"),
    (
        "usb_devices",
        "曾接入的USB存储设备",
        "USB storage devices seen",
    ),
    ("rule", "规则", "Rule"),
    ("severity", "严重程度", "Severity"),
    ("path", "位置/文件", "Path"),
    ("evidence", "证据", "Evidence"),
    ("excerpt", "摘录", "Excerpt"),
    ("matched", "命中内容", "Matched"),
    ("why", "判定依据", "Why"),
    ("computer", "计算机", "Computer"),
    ("seen", "发现时间", "Seen"),
    ("next_page", "下一页", "Next page"),
    ("report_file", "报告文件 (JSON)", "Report file (JSON)"),
    ("upload", "上传", "Upload"),
    ("imported", "已导入", "Imported"),
    (
        "duplicate",
        "该报告已导入过，未重复保存",
        "This report was imported before; nothing was stored again",
    ),
    (
        "held_unmatched",
        "未找到对应计算机，已列入未匹配报告",
        "No registered computer matches: held as unmatched",
    ),
    ("assign", "指定计算机", "Assign to computer"),
    ("no_rows", "暂无记录", "Nothing yet"),
    ("create_department", "新建部门", "New department"),
    ("parent", "上级部门", "Parent department"),
    ("forbidden", "无权访问", "Not allowed"),
    ("not_found", "未找到", "Not found"),
    ("bad_request", "请求有误", "Bad request"),
    ("actor", "操作人", "Actor"),
    ("action", "操作", "Action"),
    ("object", "对象", "Object"),
    ("time", "时间", "Time"),
    ("chain_ok", "哈希链完整", "Hash chain intact"),
    ("chain_broken", "哈希链被破坏", "Hash chain broken"),
    ("hostname", "主机名", "Host name"),
    ("findings_count", "发现数", "Findings"),
    ("first_seen", "首次接入", "First seen"),
    ("last_seen", "最后接入", "Last seen"),
    ("serial", "序列号", "Serial"),
    ("product", "产品", "Product"),
    ("checks", "检查项状态（最近一次）", "Checks (latest report)"),
    ("check", "检查项", "Check"),
    ("examined", "检查数量", "Examined"),
    ("message", "说明", "Message"),
    (
        "web_visits",
        "上网记录（最近一次报告）",
        "Web visits (latest report)",
    ),
    ("browser", "浏览器", "Browser"),
    ("visits", "访问次数", "Visits"),
    ("media", "涉密载体台账", "Removable media"),
    ("register_medium", "登记载体", "Register a medium"),
    ("number", "载体编号", "Number"),
    ("kind", "类型", "Kind"),
    ("brand_model", "品牌型号", "Brand and model"),
    ("state", "状态", "State"),
    ("life", "流转记录", "Life"),
    ("move_to", "变更状态", "Move to"),
    ("reason", "原因", "Reason"),
    ("approver", "审批人", "Approver"),
    ("due_date", "归还期限", "Due date"),
    ("from", "原状态", "From"),
    ("to", "新状态", "To"),
    ("registered", "登记", "Registered"),
    ("lent", "借出/外带", "Lent / taken out"),
    ("awaiting_scrap", "待报废", "Awaiting scrap"),
    ("destroyed", "已销毁", "Destroyed"),
    ("lost", "遗失", "Lost"),
    ("usb_disk", "U盘", "USB stick"),
    ("portable_disk", "移动硬盘", "Portable disk"),
    ("optical_disc", "光盘", "Optical disc"),
    ("memory_card", "存储卡", "Memory card"),
    ("other", "其他", "Other"),
    ("people", "涉密人员", "People"),
    ("register_person", "登记人员", "Register a person"),
    ("position", "职务", "Position"),
    ("secrecy_level", "涉密类别", "Secret-related category"),
    (
        "undertaking_signed",
        "保密承诺书签订日期",
        "Undertaking signed on",
    ),
    ("core", "核心", "Core"),
    ("important", "重要", "Important"),
    ("general", "一般", "General"),
    ("not_secret_related", "非涉密人员", "Not secret-related"),
    ("not_signed", "未签订", "Not signed"),
    ("places", "要害部门部位", "Key places"),
    ("register_place", "登记要害部位", "Register a key place"),
    ("devices", "技防设施", "Security devices"),
    ("confidential_room", "保密室/涉密场所", "Confidential room"),
    ("computer_room", "机房", "Computer room"),
    ("archive_room", "档案室", "Archive room"),
    ("monitoring", "视频监控", "Video monitoring"),
    ("anti_theft", "防盗设施", "Anti-theft"),
    ("alarm", "入侵报警", "Intrusion alarm"),
    ("access_control", "门禁", "Access control"),
    (
        "export_csv",
        "导出 CSV（Excel/WPS 可直接打开）",
        "Export CSV (opens in Excel/WPS)",
    ),
    ("history", "变更记录", "Change history"),
    ("detail", "内容", "Detail"),
    ("critical", "严重", "Critical"),
    ("high", "高", "High"),
    ("medium", "中", "Medium"),
    ("low", "低", "Low"),
    ("info", "提示", "Info"),
    ("person_name", "姓名", "Name"),
    ("remarks", "备注", "Notes"),
    ("vid", "VID", "VID"),
    ("pid", "PID", "PID"),
    ("export_xlsx", "导出 Excel (.xlsx)", "Export Excel (.xlsx)"),
    ("import_register", "导入台账", "Import a register"),
    (
        "import_register_help",
        "上传本单位的台账表格（Excel/WPS 的 .xlsx、.xls，或 CSV）。表头可以在前几行内，列名用下列名称或常用叫法；已登记的记录按编号（人员、部位按姓名/名称和部门）更新，文件中没有的列保持原值。任一行有误则整个文件不保存，并列出每个有误的行。",
        "Upload your own register sheet (.xlsx, .xls from Excel/WPS, or CSV). The header may sit below a title row; columns are named as below or in the usual wording. Registered records are updated by their number (people and places by name and department); columns the file lacks keep what is registered. If any row is wrong nothing is stored, and every wrong row is listed.",
    ),
    ("columns", "可识别的列", "Columns read"),
    (
        "template_hint",
        "导出的表格即可作为导入模板",
        "an export is a ready template",
    ),
    (
        "register_file",
        "台账文件 (.xlsx / .xls / .csv)",
        "Register file (.xlsx / .xls / .csv)",
    ),
    (
        "ignored_columns",
        "未识别、已忽略的列",
        "Columns not recognised, ignored",
    ),
    ("back_to_register", "返回台账", "Back to the register"),
    ("row", "行号", "Row"),
    ("problem", "问题", "Problem"),
    ("correlations", "跨机关联", "Across computers"),
    (
        "correlations_help",
        "由各计算机的检查报告与计算机、载体台账关联得出：同一U盘（按VID:PID:序列号）在涉密计算机和互联网计算机上都使用过（交叉使用），未登记或非涉密载体接入涉密计算机，涉密载体接入非涉密计算机，已销毁或遗失的载体再次出现；按台账登记的网络类别（而非检查时填报的类别）判断：非涉密计算机存储涉密文件，涉密计算机有上互联网痕迹或无线设备，改变用途（降低网络类别）的计算机仍留存原密级文件。每次导入报告或变更台账时自动重新计算；无序列号或序列号为通用值的U盘无法区分，不参与关联；标记为误报的发现不参与关联。",
        "Drawn from every computer's reports and the computer and media registers: the same USB device (by VID:PID:serial) used on a classified and on an Internet computer (cross-use), an unregistered or unclassified medium on a classified computer, a classified medium on a non-classified computer, a destroyed or lost medium that shows up again; judged by the zone in the register (not the one declared at scan time): classified files on a non-classified computer, Internet traces or wireless hardware on a classified computer, a computer moved to a lower zone that still holds files of its former one. Recomputed on every report import and register change; devices without a serial, or with one many devices share, cannot be told apart and are left out; findings marked false positive are left out.",
    ),
    ("device", "设备", "Device"),
    ("scorecards", "考核", "Scorecards"),
    ("period", "考核周期", "Period"),
    ("notice", "通报", "Notice"),
    ("score_policy", "考核权重", "Score weights"),
    (
        "score_policy_help",
        "各部门每期起始100分，按下列权重扣分（每台计算机的每类问题按其最高等级计一次）；启用一票否决时，存在任一严重问题或严重跨机关联问题的部门本期考核否决，排在最后。",
        "Every department starts a period at 100 and loses these points (each kind of problem once per computer, at its highest severity); with the veto, any critical problem or critical cross-computer problem vetoes the department for the period and ranks it last.",
    ),
    ("score", "得分", "Score"),
    ("trend", "得分趋势", "Trend"),
    ("rank", "名次", "Rank"),
    ("inspected", "已检查", "Inspected"),
    ("veto", "一票否决", "Veto"),
    ("vetoed", "否决", "Vetoed"),
    (
        "correlation_critical",
        "严重跨机关联问题",
        "Critical cross-computer problem",
    ),
    (
        "correlation_high",
        "高危跨机关联问题",
        "High cross-computer problem",
    ),
    (
        "overdue_task",
        "逾期未整改任务",
        "Overdue rectification task",
    ),
    (
        "not_inspected_pc",
        "未检查的在用计算机",
        "Computer in use not inspected",
    ),
    (
        "veto_on_critical",
        "启用一票否决",
        "Veto on any critical violation",
    ),
    ("rectifications", "整改", "Rectification"),
    ("rectification", "整改任务", "Rectification task"),
    ("rect_open", "待整改", "Open"),
    ("rect_in_progress", "整改中", "In progress"),
    ("rect_fixed", "已整改", "Fixed"),
    ("rect_verified", "已复查", "Verified"),
    ("rect_closed", "已销号", "Closed"),
    ("rect_risk_accepted", "风险接受", "Risk accepted"),
    ("false_positive", "误报", "False positive"),
    ("finding_open", "有效", "Open"),
    ("overdue", "已超期", "Overdue"),
    ("overdue_only", "只看超期", "Overdue only"),
    ("assignee", "整改责任人", "Responsible"),
    ("opened_by", "下发", "Opened by"),
    ("finding", "发现", "Finding"),
    ("comment", "说明", "Comment"),
    (
        "comment_only",
        "（仅添加说明/附件）",
        "(comment or file only)",
    ),
    ("move_task", "办理", "Move on"),
    ("evidence_file", "佐证材料", "Evidence file"),
    ("evidence_files", "佐证材料", "Evidence files"),
    ("open_task", "下发整改", "Open a task"),
    (
        "gone_proposes_verified",
        "新报告中已消失，建议复查通过",
        "Gone in a newer report: verify",
    ),
    (
        "gone_proposes_verified_long",
        "该计算机最新的检查报告中已不再有此发现（相应检查项已执行且文件已读取），建议确认“已复查”。",
        "The computer's latest report no longer has this finding (its check ran and read the file): confirm it as verified.",
    ),
    (
        "follow_up_needs_computer",
        "该报告尚未关联到登记的计算机，关联后才能下发整改或标记误报。",
        "The report is not linked to a registered computer; link it to open a task or mark a false positive.",
    ),
    (
        "marked_false_positive",
        "已标记为误报",
        "Marked false positive",
    ),
    (
        "false_positive_reason",
        "误报原因",
        "Why it is a false positive",
    ),
    ("mark_false_positive", "标记为误报", "Mark false positive"),
    ("withdraw_reason", "撤销原因", "Why withdraw"),
    ("withdraw", "撤销误报标记", "Withdraw the mark"),
    ("withdrawn_mark", "误报标记已撤销", "Mark withdrawn"),
    ("subject", "对象", "Subject"),
    ("register_says", "台账登记", "Register"),
    ("moved_from", "原为", "moved from"),
    (
        "not_inspected_since_move",
        "改变用途后未再检查",
        "Not inspected since the move",
    ),
    ("latest_report", "最近报告", "Latest report"),
    ("and_more", "另有", "and more:"),
    (
        "rule_classified_content_off_classified",
        "非涉密计算机存储涉密文件",
        "Classified files on a non-classified computer",
    ),
    (
        "rule_internet_traces_on_classified",
        "涉密计算机有上互联网痕迹",
        "Internet traces on a classified computer",
    ),
    (
        "rule_wireless_on_classified",
        "涉密计算机有无线设备",
        "Wireless hardware on a classified computer",
    ),
    (
        "rule_repurposed_computer_holds_old_content",
        "改变用途的计算机留存原密级文件",
        "Repurposed computer still holds files of its former zone",
    ),
    ("medium_registered", "台账登记", "In the media register"),
    ("not_registered", "未登记", "Not registered"),
    ("timeline", "接入时间线（北京时间）", "Timeline (UTC+8)"),
    ("rule_cross_use", "交叉使用", "Cross-use"),
    (
        "rule_unregistered_medium_on_classified",
        "未登记载体接入涉密计算机",
        "Unregistered medium on a classified computer",
    ),
    (
        "rule_unclassified_medium_on_classified",
        "非涉密载体接入涉密计算机",
        "Unclassified medium on a classified computer",
    ),
    (
        "rule_classified_medium_off_classified",
        "涉密载体接入非涉密计算机",
        "Classified medium on a non-classified computer",
    ),
    (
        "rule_medium_seen_after_destroyed_or_lost",
        "已销毁/遗失载体再次出现",
        "Destroyed or lost medium seen again",
    ),
    (
        "dir_classified_to_internet",
        "先涉密机后互联网机：可能导出",
        "Classified first, then Internet: data could have left",
    ),
    (
        "dir_internet_to_classified",
        "先互联网机后涉密机：可能导入",
        "Internet first, then classified: data could have come in",
    ),
    (
        "dir_internal_to_internet",
        "先内网机后互联网机",
        "Internal first, then Internet",
    ),
    (
        "dir_internet_to_internal",
        "先互联网机后内网机",
        "Internet first, then internal",
    ),
    ("dir_both", "往返多次：双向", "Back and forth: both ways"),
    ("coverage", "检查覆盖", "Coverage"),
    ("period_days", "检查周期（天）", "Period (days)"),
    (
        "not_inspected",
        "周期内未检查的在用计算机",
        "Computers in use not inspected in the period",
    ),
    ("last_report", "最近一次报告导入", "Latest report imported"),
    ("never", "从未检查", "Never"),
    (
        "unmatched_hint",
        "这些报告来自台账中没有的计算机",
        "these reports come from computers that are in no register",
    ),
    (
        "correlations_of_computer",
        "跨机关联（涉及本机）",
        "Across computers (involving this one)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_filled() {
        for (i, (k, zh, en)) in WORDS.iter().enumerate() {
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
            assert!(
                WORDS[i + 1..].iter().all(|(other, _, _)| other != k),
                "{k} twice"
            );
        }
    }
}
