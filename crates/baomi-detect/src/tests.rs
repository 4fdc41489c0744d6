//! Data-driven tests: one `check` helper and many one-line cases, positives for every form and
//! negatives for every trap named in domain.md.

use super::*;
use std::sync::OnceLock;

fn default_detector() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(|| Detector::new(&Policy::default_policy()).expect("default policy compiles"))
}

fn keyword_detector() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(|| {
        let p = Policy::from_toml(
            r#"
name = "test"
[marking]
head_lines = 6
us_markings = false
work_secret_labels = ["工作秘密"]
[[keywords]]
text = "长城计划"
level = "secret"
note = "project name"
[[keywords]]
text = "长城计划二期"
level = "top_secret"
[[keywords]]
text = "bluebird"
level = "confidential"
note = "code name"
[[keywords]]
text = "PX-9"
level = "top_secret"
case_sensitive = true
[[keywords]]
text = "ORCA"
level = "secret"
case_sensitive = true
"#,
        )
        .expect("test policy parses");
        Detector::new(&p).expect("test policy compiles")
    })
}

/// One line per match: `Rule level confidence why Lline «matched»`.
fn render(ms: &[Match]) -> String {
    ms.iter()
        .map(|m| {
            format!(
                "{:?} {} {:.2} {} L{} «{}»",
                m.rule, m.level, m.confidence, m.why, m.line, m.matched
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn run(d: &Detector, text: &str, placement: Placement) -> Vec<Match> {
    let mut out = Vec::new();
    d.detect(text, placement, &mut out);
    for m in &out {
        assert_eq!(
            &text[m.offset..m.offset + m.matched.len()],
            m.matched,
            "{m:?}"
        );
        assert!(m.excerpt.chars().count() <= 120, "{m:?}");
        assert!(m.excerpt.contains(m.matched.as_str()), "{m:?}");
    }
    out
}

#[track_caller]
fn check(text: &str, placement: Placement, expected: &str) {
    let got = render(&run(default_detector(), text, placement));
    assert_eq!(got, expected.trim(), "\ninput: {text:?} ({placement:?})");
}

#[track_caller]
fn check_kw(text: &str, placement: Placement, expected: &str) {
    let got = render(&run(keyword_detector(), text, placement));
    assert_eq!(got, expected.trim(), "\ninput: {text:?} ({placement:?})");
}

/// A trap: nothing at all, or only matches below 0.7.
#[track_caller]
fn negative(text: &str, placement: Placement) {
    let ms = run(default_detector(), text, placement);
    assert!(
        ms.iter().all(|m| m.confidence < 0.7),
        "\ninput: {text:?} ({placement:?})\n{}",
        render(&ms)
    );
}

/// A trap that must produce nothing at all.
#[track_caller]
fn none(text: &str, placement: Placement) {
    check(text, placement, "");
}

use Placement::{Aside, Document as Doc, Margin};

#[test]
#[rustfmt::skip]
fn star_forms_at_head() {
    check("机密★10年\n正文", Doc, "Marking secret 0.98 star_form_at_head L1 «机密★10年»");
    check("000123\n机密★1年\n特急\n关于X的通知", Doc, "Marking secret 0.98 star_form_at_head L2 «机密★1年»");
    check("绝密★长期", Doc, "Marking top_secret 0.98 star_form_at_head L1 «绝密★长期»");
    check("機密★1年", Doc, "Marking secret 0.98 star_form_at_head L1 «機密★1年»");
    check("絕密★長期", Doc, "Marking top_secret 0.98 star_form_at_head L1 «絕密★長期»");
    check("机密★5年,,,,,\n序号,案由", Doc, "Marking secret 0.98 star_form_at_head L1 «机密★5年»");
    check("\"机密★5年\",,,", Doc, "Marking secret 0.98 star_form_at_head L1 «机密★5年»");
    check("秘密★6个月", Doc, "Marking confidential 0.98 star_form_at_head L1 «秘密★6个月»");
    check("机密★十年", Doc, "Marking secret 0.98 star_form_at_head L1 «机密★十年»");
    check("秘密★三个月", Doc, "Marking confidential 0.98 star_form_at_head L1 «秘密★三个月»");
    check("机密★２０年", Doc, "Marking secret 0.98 star_form_at_head L1 «机密★２０年»");
    check("机密☆10年", Doc, "Marking secret 0.98 star_form_at_head L1 «机密☆10年»");
    check("机密*10年", Doc, "Marking secret 0.98 star_form_at_head L1 «机密*10年»");
    check("机密＊10年", Doc, "Marking secret 0.98 star_form_at_head L1 «机密＊10年»");
    check("机密 ★ 1年", Doc, "Marking secret 0.98 star_form_at_head L1 «机密 ★ 1年»");
    check("机 密★", Doc, "Marking secret 0.95 star_form_at_head L1 «机 密★»");
    check("机　密★10年", Doc, "Marking secret 0.98 star_form_at_head L1 «机　密★10年»");
    check("\u{3000}\u{3000}秘密★5年\u{a0}", Doc, "Marking confidential 0.98 star_form_at_head L1 «秘密★5年»");
    check("机密★", Doc, "Marking secret 0.95 star_form_at_head L1 «机密★»");
    check("机密★会议开始前", Doc, "Marking secret 0.98 star_form_at_head L1 «机密★会议开始前»");
    check("秘密★2025年12月31日", Doc, "Marking confidential 0.98 star_form_at_head L1 «秘密★2025年12月31日»");
    check("秘密★2025年12月31日前", Doc, "Marking confidential 0.98 star_form_at_head L1 «秘密★2025年12月31日前»");
    check("秘密★2025-12-31", Doc, "Marking confidential 0.98 star_form_at_head L1 «秘密★2025-12-31»");
    check("绝密★二〇三〇年", Doc, "Marking top_secret 0.98 star_form_at_head L1 «绝密★二〇三〇年»");
    check("机密★1年\r\n正文", Doc, "Marking secret 0.98 star_form_at_head L1 «机密★1年»");
}

/// A sheet or table row at the head whose first cell is a ★-form marking, the other cells holding a
/// title or names (`机密★5年⇥涉密人员名单`): a marking, a little below a line of its own. A bare level, a
/// marking in a later cell (a register's 密级 column), or below the head, is not.
#[test]
#[rustfmt::skip]
fn star_form_in_the_first_cell_of_a_head_row() {
    check("机密★5年\t人员名单 张三 李四\n序号\t姓名", Doc, "Marking secret 0.95 star_form_at_head L1 «机密★5年»");
    check("\t秘密★6个月\t关于X的报告", Doc, "Marking confidential 0.95 star_form_at_head L1 «秘密★6个月»");
    // The cell after a bare ★ is not its period.
    check("秘密★\t关于X的报告", Doc, "Marking confidential 0.90 star_form_at_head L1 «秘密★»");
    check("秘密★\t特急", Doc, "Marking confidential 0.95 star_form_at_head L1 «秘密★»");
    negative("秘密\t涉密文件登记表", Doc);
    negative("1\t关于X的通知\t机密★5年\t2024-03-01", Doc);
    negative("涉密文件登记表\n序号\t文件名\t密级\n1\t关于X\t秘密", Doc);
    negative("标题\n二\n三\n四\n五\n六\n机密★5年\t名单", Doc);
}

#[test]
fn variants_at_head() {
    check(
        "机密·10年",
        Doc,
        "Marking secret 0.95 period_form_at_head L1 «机密·10年»",
    );
    check(
        "机密(10年)",
        Doc,
        "Marking secret 0.95 period_form_at_head L1 «机密(10年)»",
    );
    check(
        "机密（10年）",
        Doc,
        "Marking secret 0.95 period_form_at_head L1 «机密（10年）»",
    );
    check(
        "机密 10年",
        Doc,
        "Marking secret 0.95 period_form_at_head L1 «机密 10年»",
    );
    check(
        "秘密　长期",
        Doc,
        "Marking confidential 0.95 period_form_at_head L1 «秘密　长期»",
    );
}

#[test]
fn bare_word_and_head_block() {
    check(
        "机密",
        Doc,
        "Marking secret 0.85 bare_level_at_head L1 «机密»",
    );
    check(
        "绝 密",
        Doc,
        "Marking top_secret 0.85 bare_level_at_head L1 «绝 密»",
    );
    check(
        "\n\n000001\n\n秘密\n",
        Doc,
        "Marking confidential 0.85 bare_level_at_head L5 «秘密»",
    );
    check(
        "000123 机密★1年 特急",
        Doc,
        "Marking secret 0.98 star_form_at_head L1 «机密★1年»",
    );
    check(
        "份号：000123\t机密",
        Doc,
        "Marking secret 0.85 bare_level_at_head L1 «机密»",
    );
    check(
        "机密★ 特急",
        Doc,
        "Marking secret 0.95 star_form_at_head L1 «机密★»",
    );
    check(
        "特 急\t绝密★20年",
        Doc,
        "Marking top_secret 0.98 star_form_at_head L1 «绝密★20年»",
    );
    check(
        "加急\n秘密",
        Doc,
        "Marking confidential 0.85 bare_level_at_head L2 «秘密»",
    );
}

#[test]
fn head_is_the_first_non_empty_lines() {
    let six = "一\n二\n三\n四\n五\n";
    check(
        &format!("{six}机密★10年"),
        Doc,
        "Marking secret 0.98 star_form_at_head L6 «机密★10年»",
    );
    check(
        &format!("\n\n{six}\n机密★10年"),
        Doc,
        "Marking secret 0.98 star_form_at_head L9 «机密★10年»",
    );
    // Seventh non-empty line: only a full ★ form alone on its line, at low confidence.
    check(
        &format!("{six}六\n机密★10年"),
        Doc,
        "Marking secret 0.60 star_form_standalone L7 «机密★10年»",
    );
    none(&format!("{six}六\n机密"), Doc);
    none(&format!("{six}六\n机密★"), Doc);
    none(&format!("{six}六\n000123 机密★10年"), Doc);
}

#[test]
fn level_fields() {
    check(
        "密级：机密",
        Doc,
        "Marking secret 0.95 level_field L1 «密级：机密»",
    );
    check(
        "密级: 秘密★5年",
        Doc,
        "Marking confidential 0.95 level_field L1 «密级: 秘密★5年»",
    );
    check(
        "密级\t机密",
        Doc,
        "Marking secret 0.95 level_field L1 «密级\t机密»",
    );
    check(
        "密 级：绝密",
        Margin,
        "Marking top_secret 0.90 level_field L1 «密 级：绝密»",
    );
    none("密级：", Doc);
    none("密级：公开", Doc);
    none("密级机密", Doc);
}

#[test]
fn margins() {
    check(
        "第 3 页\n机密★10年",
        Margin,
        "Marking secret 0.93 star_form_in_margin L2 «机密★10年»",
    );
    check(
        "机密★",
        Margin,
        "Marking secret 0.90 star_form_in_margin L1 «机密★»",
    );
    check(
        "机密",
        Margin,
        "Marking secret 0.80 bare_level_in_margin L1 «机密»",
    );
    check(
        "秘密(5年)",
        Margin,
        "Marking confidential 0.90 period_form_in_margin L1 «秘密(5年)»",
    );
    check(
        "内部资料 注意保存",
        Margin,
        "WorkSecret internal 0.85 work_secret_label L1 «内部资料 注意保存»",
    );
    none("机密文件管理办法", Margin);
    none("第 1 页 共 3 页", Margin);
    // The label and the page number on one footer line.
    for footer in [
        "内部资料 注意保存 第2页",
        "内部资料 注意保存    第 2 页 共 5 页",
        "内部资料 注意保存  - 2 -",
        "内部资料 注意保存 2/5",
        "内部资料 注意保存 Page 2 of 5",
    ] {
        let got = render(&run(default_detector(), footer, Margin));
        assert_eq!(
            got, "WorkSecret internal 0.85 work_secret_label L1 «内部资料 注意保存»",
            "{footer}"
        );
    }
    for not_a_page in [
        "内部资料 注意保存 第2条",
        "内部资料 注意保存 2号文件",
        "内部资料 注意保存 第页",
    ] {
        none(not_a_page, Margin);
    }
}

#[test]
fn aside_only_standalone_star_forms() {
    check(
        "机密★10年",
        Aside,
        "Marking secret 0.60 star_form_standalone L1 «机密★10年»",
    );
    check(
        "批注\n  秘密★5年  \n",
        Aside,
        "Marking confidential 0.60 star_form_standalone L2 «秘密★5年»",
    );
    none("机密", Aside);
    none("机密★", Aside);
    none("（机密）本段内容", Aside);
    none("SECRET//NOFORN", Aside);
}

#[test]
fn paragraph_marks() {
    check(
        "标题\n正文第一段。\n（机密）本段涉及某项目进度。",
        Doc,
        "Marking secret 0.70 paragraph_mark L3 «（机密）»",
    );
    check(
        "(秘密)本段内容",
        Doc,
        "Marking confidential 0.70 paragraph_mark L1 «(秘密)»",
    );
    let far = format!("{}（绝密）关键参数如下", "一段正文。\n".repeat(20));
    check(
        &far,
        Doc,
        "Marking top_secret 0.70 paragraph_mark L21 «（绝密）»",
    );
    none("（秘密）级文件应当由专人保管", Doc);
    none("（机密）、（秘密）两级", Doc);
    none("（机密）", Margin);
}

#[test]
fn declassified() {
    check(
        "已解密",
        Doc,
        "Declassified internal 0.80 declassified L1 «已解密»",
    );
    check(
        "解密",
        Doc,
        "Declassified internal 0.80 declassified L1 «解密»",
    );
    check(
        "机密★1年 已解密",
        Doc,
        "Declassified secret 0.90 declassified L1 «机密★1年 已解密»",
    );
    check(
        "秘密★1年已解密",
        Doc,
        "Declassified confidential 0.90 declassified L1 «秘密★1年已解密»",
    );
    check(
        "000123\n绝密 解密",
        Doc,
        "Declassified top_secret 0.90 declassified L2 «绝密 解密»",
    );
    check(
        "机密★1年 已解密",
        Margin,
        "Declassified secret 0.85 declassified L1 «机密★1年 已解密»",
    );
    none("关于解密工作的通知", Doc);
    none("解密条件和解密程序", Doc);
}

#[test]
fn work_secrets() {
    check(
        "工作秘密",
        Doc,
        "WorkSecret internal 0.90 work_secret_label L1 «工作秘密»",
    );
    check(
        "工作秘密★1年",
        Doc,
        "WorkSecret internal 0.90 work_secret_label L1 «工作秘密★1年»",
    );
    check(
        "检察工作秘密",
        Doc,
        "WorkSecret internal 0.90 work_secret_label L1 «检察工作秘密»",
    );
    check(
        "内部资料 注意保存",
        Doc,
        "WorkSecret internal 0.90 work_secret_label L1 «内部资料 注意保存»",
    );
    check(
        "内部资料，注意保存",
        Doc,
        "WorkSecret internal 0.90 work_secret_label L1 «内部资料，注意保存»",
    );
    check(
        "内部资料注意保存",
        Doc,
        "WorkSecret internal 0.90 work_secret_label L1 «内部资料注意保存»",
    );
    check(
        "内部资料　注意保存",
        Doc,
        "WorkSecret internal 0.90 work_secret_label L1 «内部资料　注意保存»",
    );
    check(
        "内部使用 不得外传\n标题",
        Doc,
        "WorkSecret internal 0.90 work_secret_label L1 «内部使用 不得外传»",
    );
    check(
        "内部资料",
        Doc,
        "WorkSecret internal 0.90 work_secret_label L1 «内部资料»",
    );
    check(
        "内 部 文 件",
        Doc,
        "WorkSecret internal 0.90 work_secret_label L1 «内 部 文 件»",
    );
    none("内部资料室开放时间", Doc);
    none("内部控制", Doc);
    none("内部资料 注意保存 严禁外传 以及其他", Doc);
    none(&format!("{}工作秘密", "正文\n".repeat(10)), Doc);
}

#[test]
#[rustfmt::skip]
fn us_banners() {
    check("TOP SECRET//SI//NOFORN\nText", Doc, "UsMarking top_secret 0.90 us_banner L1 «TOP SECRET//SI//NOFORN»");
    check("SECRET", Doc, "UsMarking secret 0.85 us_banner L1 «SECRET»");
    check("TOP SECRET", Doc, "UsMarking top_secret 0.85 us_banner L1 «TOP SECRET»");
    check("SECRET//REL TO USA, FVEY", Doc, "UsMarking secret 0.90 us_banner L1 «SECRET//REL TO USA, FVEY»");
    check("SECRET // NOFORN", Doc, "UsMarking secret 0.90 us_banner L1 «SECRET // NOFORN»");
    check("TOP SECRET//HCS-P/SI-G/TK//ORCON/NOFORN", Doc, "UsMarking top_secret 0.90 us_banner L1 «TOP SECRET//HCS-P/SI-G/TK//ORCON/NOFORN»");
    check("CONFIDENTIAL//NOFORN", Doc, "UsMarking confidential 0.90 us_banner L1 «CONFIDENTIAL//NOFORN»");
    check("CONFIDENTIAL", Doc, "UsMarking confidential 0.60 us_banner L1 «CONFIDENTIAL»");
    check("SECRET//NOCONTRACT", Margin, "UsMarking secret 0.90 us_banner L1 «SECRET//NOCONTRACT»");
    check("Page 3\nSECRET//PROPIN", Margin, "UsMarking secret 0.90 us_banner L2 «SECRET//PROPIN»");
    none("UNCLASSIFIED", Doc);
    none("UNCLASSIFIED//FOUO", Doc);
    none("CONTROLLED UNCLASSIFIED", Doc);
    none("CONTROLLED UNCLASSIFIED INFORMATION", Doc);
    none("SECRETARY", Doc);
    none("SECRET SERVICE", Doc);
    none("Secret", Doc);
    none("secret//noforn", Doc);
}

#[test]
#[rustfmt::skip]
fn us_banner_at_page_bottom() {
    let body = "Line of text.\n".repeat(30);
    check(&format!("SECRET//NOFORN\n{body}SECRET//NOFORN\n"), Doc, "UsMarking secret 0.90 us_banner L1 «SECRET//NOFORN»\nUsMarking secret 0.90 us_banner L32 «SECRET//NOFORN»");
    check(&format!("{body}TOP SECRET\n\n"), Doc, "UsMarking top_secret 0.85 us_banner L31 «TOP SECRET»");
    none(&format!("{body}SECRET\n{body}"), Doc);
}

#[test]
#[rustfmt::skip]
fn us_portion_marks() {
    check("(TS) The program began in 2019.", Doc, "UsMarking top_secret 0.70 us_portion_mark L1 «(TS)»");
    check("(S//NF) Sources report movement.", Doc, "UsMarking secret 0.70 us_portion_mark L1 «(S//NF)»");
    check("(TS//SI) Intercepts show.", Doc, "UsMarking top_secret 0.70 us_portion_mark L1 «(TS//SI)»");
    check("(S//REL TO USA, FVEY) Shared text.", Doc, "UsMarking secret 0.70 us_portion_mark L1 «(S//REL TO USA, FVEY)»");
    let body = "Body text.\n".repeat(10);
    check(&format!("{body}(TS) Later paragraph."), Doc, "UsMarking top_secret 0.70 us_portion_mark L11 «(TS)»");
    // Bare (S) and (C) only with a banner or (U) portions around.
    check("SECRET\nTitle\n(U) Background.\n(S) The plan.\n(C) The budget.", Doc, "UsMarking secret 0.85 us_banner L1 «SECRET»\nUsMarking secret 0.70 us_portion_mark_in_context L4 «(S)»\nUsMarking confidential 0.70 us_portion_mark_in_context L5 «(C)»");
    check(&format!("{body}(U) Background.\n(S) The plan."), Doc, "UsMarking secret 0.70 us_portion_mark_in_context L12 «(S)»");
    none("(S) The plan.", Doc);
    none("(C) 2024 Example Corp. All rights reserved.", Doc);
    none("(A) first\n(B) second\n(C) third", Doc);
    none("(Q) q\n(R) r\n(S) s\n(T) t\n(U) u", Doc);
    none("(TS)", Doc);
    none("(Such as this) sentence.", Doc);
}

#[test]
fn us_markings_can_be_switched_off() {
    let mut p = Policy::default_policy();
    p.marking.us_markings = false;
    let d = Detector::new(&p).expect("compiles");
    let mut out = Vec::new();
    d.detect("TOP SECRET//NOFORN\n(TS) x", Doc, &mut out);
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn keywords() {
    check_kw(
        "本项目即长城计划的一部分",
        Doc,
        "Keyword secret 0.90 keyword L1 «长城计划»",
    );
    check_kw(
        "第二行\n长城计划二期启动",
        Aside,
        "Keyword top_secret 0.90 keyword L2 «长城计划二期»",
    );
    check_kw(
        "Operation Bluebird starts",
        Doc,
        "Keyword confidential 0.90 keyword L1 «Bluebird»",
    );
    check_kw(
        "BLUEBIRD.",
        Margin,
        "Keyword confidential 0.90 keyword L1 «BLUEBIRD»",
    );
    check_kw("bluebirds sing", Doc, "");
    check_kw("the blue bird", Doc, "");
    check_kw(
        "model PX-9 ready",
        Doc,
        "Keyword top_secret 0.90 keyword L1 «PX-9»",
    );
    check_kw("model px-9 ready", Doc, "");
    check_kw("PX-90", Doc, "");
    check_kw(
        "ORCA team; orca whale",
        Doc,
        "Keyword secret 0.90 keyword L1 «ORCA»",
    );
    check_kw("中文ORCA中文", Doc, "Keyword secret 0.90 keyword L1 «ORCA»");
    check_kw("专案组", Doc, "");
    check(
        "请报送涉密人员名单",
        Doc,
        "Keyword internal 0.90 keyword L1 «涉密人员名单»",
    );
    // Public news says 成立专案组 every day: not a default keyword.
    check("公安机关成立专案组开展调查", Doc, "");
}

#[test]
fn keyword_carries_note_and_offset() {
    let ms = run(keyword_detector(), "前言\n本项目即长城计划", Doc);
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].note.as_deref(), Some("project name"));
    assert_eq!(ms[0].offset, "前言\n本项目即".len());
    assert_eq!(ms[0].excerpt, "本项目即长城计划");
}

#[test]
#[rustfmt::skip]
fn keywords_and_markings_together_in_offset_order() {
    check_kw("机密★10年\n长城计划", Doc, "Marking secret 0.98 star_form_at_head L1 «机密★10年»\nKeyword secret 0.90 keyword L2 «长城计划»");
}

#[test]
#[rustfmt::skip]
fn example_lists_are_downgraded() {
    check("密级标志示例\n绝密★30年\n机密★20年\n秘密★10年", Doc, "Marking top_secret 0.50 example_list L2 «绝密★30年»\nMarking secret 0.50 example_list L3 «机密★20年»\nMarking confidential 0.50 example_list L4 «秘密★10年»");
}

#[test]
fn hard_negatives() {
    for text in [
        "《保守国家秘密法》",
        "保守国家秘密是公民的义务",
        "标注为机密★10年的文件",
        "对标注为机密★10年的文件，应当存放在保密柜中。",
        "关于印发《机密文件管理办法》的通知",
        "机密文件管理办法",
        "机密文件",
        "商业秘密",
        "秘密武器",
        "机密性、完整性、可用性",
        "这不是什么秘密",
        "内部控制",
        "内部资料室开放时间",
        "推荐指数：★★★★★",
        "★★★",
        "☆☆☆☆",
        "the secret of success",
        "keep this confidential",
        "Secret Service",
        "This document is Confidential and intended for the recipient.",
        "Confidential",
        "序号\t文件名称\t密级\t日期\n1\t关于X的报告\t机密\t2025-01-01",
        "(A) first\n(B) second\n(C) third",
        "机密★10年的文件",
        "机密★，",
        "秘密★★★",
        "绝密级",
        "秘密载体",
        "机密 文件",
        "密码",
        "机密★10年 关于印发",
    ] {
        none(text, Doc);
        none(text, Margin);
        none(text, Aside);
    }
}

#[test]
#[rustfmt::skip]
fn realistic_negatives() {
    // Training slides about marking rules.
    negative(
        "保密知识培训\n一、国家秘密的密级\n国家秘密分为绝密、机密、秘密三级。\n\
         二、密级标志\n标志形式为“密级★保密期限”，如“机密★10年”。\n\
         绝密级国家秘密保密期限一般不超过30年。",
        Doc,
    );
    // 保密工作要点.
    negative(
        "2025年保密工作要点\n一、加强涉密人员管理\n严格执行“涉密不上网，上网不涉密”。\n\
         二、规范涉密载体管理\n对秘密、机密级载体定期清查。\n三、开展保密检查",
        Doc,
    );
    // News.
    negative(
        "新华社北京电\n近日，某单位工作人员违规将机密文件带回家中，造成泄密。\n\
         有关部门依据《中华人民共和国保守国家秘密法》对相关责任人作出处理。",
        Doc,
    );
    // Code and Markdown with stars and parentheses.
    negative("fn main() {\n    let x = *ptr;\n    /* (C) comment */\n}\n**加粗** 的 *斜体*\n(S) ok", Doc);
    // A rules document titled with a level word.
    negative("机密载体管理规定\n第一条 为了加强机密载体管理……", Doc);
    negative("秘密\n的\n花园", Aside);
    none("秘密花园", Doc);
    none("第一章 秘密", Doc);
    none("这是一个秘密★", Doc);
    none("保密期限：10年", Doc);
}

#[test]
fn excerpt_is_centred_and_bounded() {
    let long = format!("{}长城计划{}", "甲".repeat(200), "乙".repeat(200));
    let ms = run(keyword_detector(), &long, Doc);
    assert_eq!(ms.len(), 1);
    let e = &ms[0].excerpt;
    assert!(e.chars().count() <= 120, "{e}");
    assert!(e.starts_with('…') && e.ends_with('…'), "{e}");
    let i = e.find("长城计划").expect("match in excerpt");
    let before = e[..i].chars().count();
    let after = e[i + "长城计划".len()..].chars().count();
    assert!(before.abs_diff(after) <= 2, "{before} {after}");
    // Near the start of a long line the window slides right.
    let long = format!("长城计划{}", "乙".repeat(300));
    let ms = run(keyword_detector(), &long, Doc);
    assert!(ms[0].excerpt.starts_with("长城计划"), "{}", ms[0].excerpt);
    assert!(ms[0].excerpt.chars().count() <= 120);
}

#[test]
fn offsets_and_lines() {
    let text = "000123\n  机密★10年\n";
    let ms = run(default_detector(), text, Doc);
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].offset, "000123\n  ".len());
    assert_eq!(ms[0].line, 2);
    assert_eq!(ms[0].excerpt, "机密★10年");
}

#[test]
fn appends_without_touching_earlier_matches() {
    let d = default_detector();
    let mut out = Vec::new();
    d.detect("SECRET\n(S) a", Doc, &mut out);
    let n = out.len();
    d.detect("(S) alone", Doc, &mut out);
    assert_eq!(out.len(), n);
    d.detect("机密★1年", Doc, &mut out);
    assert_eq!(out.len(), n + 1);
}

#[test]
fn why_keys_are_listed() {
    let keys: Vec<&str> = WHY_KEYS.iter().map(|(k, _)| *k).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), keys.len());
    assert!(
        keys.iter()
            .all(|k| k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    );
}

#[test]
fn empty_and_odd_input() {
    for text in [
        "", "\n", "\n\n\n", " ", "\u{3000}", "★", "(", "（", "密", "机", "机 ", "密级",
    ] {
        none(text, Doc);
        none(text, Margin);
        none(text, Aside);
    }
}

/// ~20 MB of mixed Chinese text without markings: nothing may match (not a timing test).
#[test]
fn large_unmarked_text_has_no_matches() {
    let sentences = [
        "根据工作安排，各部门要进一步加强保密管理，落实保密责任。",
        "The quarterly report (see appendix) covers revenue and costs.",
        "密切关注市场变化，及时调整经营策略，密码应定期更换。",
        "会议强调，要严格执行保守国家秘密法的各项规定。",
        "(1) 第一项内容；(2) 第二项内容；(3) 第三项内容。",
        "产品评分：★★★★☆，用户反馈良好。",
        "let y = a * b; // multiply\t制表符\t分隔",
        "他说这不是什么秘密，大家都知道商业秘密的重要性。",
    ];
    let mut text = String::with_capacity(21 << 20);
    let mut i = 0usize;
    while text.len() < 20 << 20 {
        text.push_str(sentences[i % sentences.len()]);
        if i.is_multiple_of(3) {
            text.push('\n');
        }
        i = i.wrapping_mul(31).wrapping_add(7) % 1_000_003;
    }
    let mut out = Vec::new();
    default_detector().detect(&text, Doc, &mut out);
    assert!(out.is_empty(), "{}", render(&out[..out.len().min(5)]));
    keyword_detector().detect(&text, Aside, &mut out);
    assert!(out.is_empty(), "{}", render(&out[..out.len().min(5)]));
}

/// No panic on any prefix or suffix of text mixing every shape the rules look at.
#[test]
fn never_panics_on_cut_text() {
    let sample = "000123\n\u{3000}机 密★10年\n特急\n（秘密）正文\u{a0}\n密级：机密\n工作秘密★1年\n\
                  SECRET//NOFORN\n(S//NF) x\n(C) y\n已解密\n长城计划 PX-9\n★★★\r\n";
    let bounds: Vec<usize> = (0..=sample.len())
        .filter(|&i| sample.is_char_boundary(i))
        .collect();
    for &i in &bounds {
        for text in [&sample[..i], &sample[i..]] {
            for p in [Doc, Margin, Aside] {
                run(default_detector(), text, p);
                run(keyword_detector(), text, p);
            }
        }
    }
}

/// The promise of `body_needles`: every match past the head contains a needle, so a caller may skip
/// text that holds none.
#[test]
fn every_match_past_the_head_contains_a_body_needle() {
    let mut policy = Policy::default_policy();
    policy.keywords.push(baomi_core::Keyword {
        text: "Project Bluebird".into(),
        level: Level::Confidential,
        note: None,
        case_sensitive: false,
    });
    let d = Detector::new(&policy).expect("detector");
    let needles = d.body_needles();
    let head = "标题\n\n一\n二\n三\n四\n五\n六\n七\n";
    let bodies = [
        "机密★10年",
        "机 密★10年",
        "机　密★会议开始前",
        "（秘密）本段涉及案件线索。",
        "(机密)本段涉及案件线索。",
        "(TS) The source said so.",
        "(S//NF) The source said so.",
        "(U) Routine.\n(S) The source said so.",
        "SECRET//NOFORN",
        "这是涉密人员名单的材料",
        "see project bluebird notes",
        "絕密★長期",
    ];
    for body in bodies {
        let text = format!("{head}{body}\n正文。\n");
        let mut out = Vec::new();
        d.detect(&text, Placement::Document, &mut out);
        assert!(!out.is_empty(), "{body:?} should match past the head");
        for m in &out {
            let (ls, le) = crate::text::line_bounds(&text, m.offset);
            let line = text[ls..le].to_lowercase();
            assert!(
                needles
                    .iter()
                    .any(|n| line.contains(&n.text.to_lowercase())),
                "{body:?}: match {:?} on a line with no needle",
                m.matched
            );
        }
    }
}

/// A line-local needle's line, inspected alone as `Continued`, yields what the whole document yields
/// for that line.
#[test]
fn line_local_matches_are_found_on_their_line_alone() {
    let d = Detector::new(&Policy::default_policy()).expect("detector");
    let head = "标题\n\n一\n二\n三\n四\n五\n六\n七\n";
    for body in [
        "机密★10年",
        "（秘密）本段涉及案件线索。",
        "这是涉密人员名单的材料",
        "机密",
    ] {
        let text = format!("{head}{body}\n");
        let mut whole = Vec::new();
        d.detect(&text, Placement::Document, &mut whole);
        let mut alone = Vec::new();
        d.detect(body, Placement::Continued, &mut alone);
        let key = |v: &[Match]| -> Vec<(Rule, Level, String)> {
            v.iter()
                .map(|m| (m.rule, m.level, m.matched.clone()))
                .collect()
        };
        assert_eq!(key(&whole), key(&alone), "{body:?}");
    }
}

/// Running text is searched for 密 and `(` rather than read line by line: a marking that opens a body
/// line is found however many prose lines around it say 保密 or 秘密, each once, with its true line.
#[test]
fn body_markings_among_prose_that_says_secret_everywhere() {
    let head = "标题\n\n一\n二\n三\n四\n五\n六\n七\n";
    let prose = "　　全体干警要严守保密纪律，保守国家秘密和工作秘密。\n".repeat(50);
    let text = format!(
        "{head}{prose}　　机密★10年\n{prose}（秘密）本段涉及线索。保密。\n{prose}(S) The source said so.\n{prose}"
    );
    let mut out = Vec::new();
    default_detector().detect(&text, Placement::Document, &mut out);
    let got: Vec<(&str, u32)> = out
        .iter()
        .filter(|m| m.rule == Rule::Marking)
        .map(|m| (m.matched.as_str(), m.line))
        .collect();
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .and_then(|i| u32::try_from(i + 1).ok())
            .expect("present")
    };
    assert!(
        got.contains(&("机密★10年", line_of("机密★10年"))),
        "{got:?}"
    );
    assert!(got.contains(&("（秘密）", line_of("（秘密）"))), "{got:?}");
    assert_eq!(
        out.iter().filter(|m| m.matched == "（秘密）").count(),
        1,
        "each line once: {got:?}"
    );
}
