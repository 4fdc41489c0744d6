//! The check over the offline classified machine's home folder, and the removable-media rule.

use super::*;
use crate::testing::{hostroot, run_check};
use baomi_core::{Policy, Zone};

#[test]
fn removable_paths() {
    let cases = [
        ("/media/zhang/KINGSTON/a.docx", true),
        ("/run/media/zhang/SANDISK/b.jpg", true),
        (
            "/run/user/1000/gvfs/mtp:host=HUAWEI_P40/内部存储/c.docx",
            true,
        ),
        ("/media/", false),
        ("/media/cdrom", false),
        ("/mnt/backup/d.docx", false),
        ("/home/zhang/media/e.docx", false),
        ("https://example.com/media/x", false),
    ];
    for (path, want) in cases {
        assert_eq!(is_removable(path), want, "{path}");
    }
}

#[test]
fn offline_home() {
    let policy = Policy::default_policy();
    let (out, artifacts) = run_check(run, &hostroot(), &policy, Zone::Internet, false);
    let got: Vec<String> = out
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {:?} {} | {}",
                f.rule,
                f.severity,
                f.level.map(|l| l.as_str()),
                f.path,
                f.evidence.matched
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "recent.removable_media Medium None /media/zhang/KINGSTON/【机密】2024年度工作方案.docx | /media/zhang/KINGSTON/【机密】2024年度工作方案.docx",
            "recent.sensitive_name High Some(\"secret\") /media/zhang/KINGSTON/【机密】2024年度工作方案.docx | 机密",
            "recent.removable_media Medium None /media/zhang/KINGSTON/保密工作总结.docx | /media/zhang/KINGSTON/保密工作总结.docx",
            "recent.sensitive_name High Some(\"top_secret\") /home/zhang/文档/绝密-作战方案(1).pdf | 绝密",
            "recent.removable_media Medium None /run/media/zhang/SANDISK/IMG 0001.jpg | /run/media/zhang/SANDISK/IMG 0001.jpg",
            "recent.sensitive_name High Some(\"internal\") /home/zhang/文档/涉密人员名单.xlsx | 涉密人员名单",
            "recent.removable_media Medium None /media/zhang/KINGSTON/绝密-方案.odt | /media/zhang/KINGSTON/绝密-方案.odt",
            "recent.sensitive_name High Some(\"top_secret\") /media/zhang/KINGSTON/绝密-方案.odt | 绝密",
        ]
    );
    let first = &out.findings[0].evidence.excerpt;
    assert_eq!(
        first,
        "/media/zhang/KINGSTON/【机密】2024年度工作方案.docx opened from removable media, recorded in gtk list /home/zhang/.local/share/recently-used.xbel (by wps, last used 2024-06-14T08:30:12.654321Z); wps list /home/zhang/.config/Kingsoft/Office.conf (by WPS wps, last used 2024-06-14T08:30:12Z)"
    );
    let zh: Vec<&str> = out
        .findings
        .iter()
        .map(|f| f.evidence.excerpt_zh.as_deref().unwrap_or("-"))
        .collect();
    assert_eq!(
        zh,
        [
            "/media/zhang/KINGSTON/【机密】2024年度工作方案.docx 系从移动介质打开，记录于 gtk 列表 /home/zhang/.local/share/recently-used.xbel（wps 打开，最近使用于 2024-06-14T08:30:12.654321Z）；wps 列表 /home/zhang/.config/Kingsoft/Office.conf（WPS wps 打开，最近使用于 2024-06-14T08:30:12Z）",
            "文件名“【机密】2024年度工作方案.docx”含“机密”（级别：机密）；记录于 gtk 列表 /home/zhang/.local/share/recently-used.xbel（wps 打开，最近使用于 2024-06-14T08:30:12.654321Z）；wps 列表 /home/zhang/.config/Kingsoft/Office.conf（WPS wps 打开，最近使用于 2024-06-14T08:30:12Z）",
            "/media/zhang/KINGSTON/保密工作总结.docx 系从移动介质打开，记录于 gtk 列表 /home/zhang/.local/share/recently-used.xbel（wps 打开，最近使用于 2024-06-13T05:01:00.000001Z）",
            "文件名“绝密-作战方案(1).pdf”含“绝密”（级别：绝密）；记录于 gtk 列表 /home/zhang/.local/share/recently-used.xbel（Document Viewer 打开，最近使用于 2024-06-01T02:03:04.000005Z）",
            "/run/media/zhang/SANDISK/IMG 0001.jpg 系从移动介质打开，记录于 gtk 列表 /home/zhang/.local/share/recently-used.xbel（Image Viewer 打开，最近使用于 2024-06-02T02:03:04.000005Z）",
            "文件名“涉密人员名单.xlsx”含“涉密人员名单”（级别：内部）；记录于 wps 列表 /home/zhang/.config/Kingsoft/Office.conf（WPS et 打开，最近使用于 2024-06-13T05:00:00Z）",
            "/media/zhang/KINGSTON/绝密-方案.odt 系从移动介质打开，记录于 libreoffice 列表 /home/zhang/.config/libreoffice/4/user/registrymodifications.xcu（LibreOffice 打开）",
            "文件名“绝密-方案.odt”含“绝密”（级别：绝密）；记录于 libreoffice 列表 /home/zhang/.config/libreoffice/4/user/registrymodifications.xcu（LibreOffice 打开）",
        ]
    );
    assert_eq!(artifacts.recent_files.len(), 11);
    assert_eq!(
        artifacts
            .recent_files
            .iter()
            .filter(|f| f.removable)
            .count(),
        5
    );
    assert_eq!(out.examined, 3);
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(
        out.summary,
        "3 recent list(s) read, 11 entries naming 10 file(s): 4 on removable media, 4 name match(es)"
    );
}

#[test]
fn bad_lists_are_problems_not_crashes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let share = dir.path().join("home/u/.local/share");
    std::fs::create_dir_all(&share).expect("mkdir");
    std::fs::write(share.join("recently-used.xbel"), "<xbel><bookmark href=\"file:///media/u/X/%E6%9C%BA%E5%AF%86.docx\"><bookmark:applications><bookmark:appl").expect("write");
    let root = Root::offline(dir.path()).expect("root");
    let policy = Policy::default_policy();
    let ctx = HostContext::new(&root, &policy, Zone::Internal);
    let mut out = CheckRun::default();
    let mut artifacts = Artifacts::default();
    run(&ctx, &mut out, &mut artifacts);
    let problems: Vec<&str> = out.problems.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(
        problems,
        ["/home/u/.local/share/recently-used.xbel: 1 damaged record(s) skipped"]
    );
    assert_eq!(out.findings.len(), 2, "{:?}", out.findings);
    // Larger than the cap: refused, said, not read.
    let big = std::fs::File::create(share.join("recently-used.xbel")).expect("create");
    big.set_len(LIST_CAP + 1).expect("grow");
    let mut out = CheckRun::default();
    run(&ctx, &mut out, &mut Artifacts::default());
    assert_eq!(out.problems.len(), 1);
    assert!(
        out.problems[0].0.contains("larger than"),
        "{:?}",
        out.problems
    );
    assert!(out.not_applicable);
}

#[test]
fn no_lists_is_not_applicable() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("home/u")).expect("mkdir");
    let root = Root::offline(dir.path()).expect("root");
    let policy = Policy::default_policy();
    let ctx = HostContext::new(&root, &policy, Zone::Internal);
    let mut out = CheckRun::default();
    run(&ctx, &mut out, &mut Artifacts::default());
    assert!(out.not_applicable && out.findings.is_empty());
}

#[test]
fn large_list_is_read_in_full() {
    // 2 MiB of GLib-shaped bookmarks (a 15 MiB list took 0.37 s in a release build).
    let dir = tempfile::tempdir().expect("tempdir");
    let share = dir.path().join("home/u/.local/share");
    std::fs::create_dir_all(&share).expect("mkdir");
    let mut s = String::from("<xbel>\n");
    let mut n = 0;
    while s.len() < 2 << 20 {
        s.push_str(&format!("  <bookmark href=\"file:///media/u/X/%E6%9C%BA%E5%AF%86-{n}.docx\" added=\"2024-06-13T05:00:00.123456Z\" modified=\"2024-06-13T05:00:00.123456Z\" visited=\"2024-06-13T05:00:00.123456Z\">\n    <info>\n      <metadata owner=\"http://freedesktop.org\">\n        <bookmark:applications>\n          <bookmark:application name=\"wps\" exec=\"&apos;wps %U&apos;\" modified=\"2024-06-13T05:00:00.123456Z\" count=\"1\"/>\n        </bookmark:applications>\n      </metadata>\n    </info>\n  </bookmark>\n"));
        n += 1;
    }
    s.push_str("</xbel>\n");
    std::fs::write(share.join("recently-used.xbel"), &s).expect("write");
    let root = Root::offline(dir.path()).expect("root");
    let policy = Policy::default_policy();
    let ctx = HostContext::new(&root, &policy, Zone::Internal);
    let mut out = CheckRun::default();
    let mut artifacts = Artifacts::default();
    run(&ctx, &mut out, &mut artifacts);
    assert_eq!(artifacts.recent_files.len(), n);
    assert_eq!(out.findings.len(), 2 * n);
    assert!(out.problems.is_empty(), "{:?}", out.problems);
}
