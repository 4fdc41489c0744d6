//! Recently opened files: the desktop's recently-used.xbel and the WPS and LibreOffice recent lists —
//! files opened from removable media, and files whose names carry a policy keyword.
//!
//! Every list is read per user; a file named in several lists gives one finding per rule, naming each
//! list. The lists are small XML/INI files written by the desktop, read with a size cap.

pub mod lists;
pub mod names;
pub mod xml;

use crate::catalogue::{CheckInfo, RuleInfo, Text};
use crate::{CheckRun, HostContext, HostFinding, Root};
use baomi_core::Severity::{High, Info, Low, Medium};
use baomi_core::{Artifacts, Evidence, RecentFile};
use std::io;

/// Recent lists are a few hundred KiB at most (GLib trims recently-used.xbel); 16 MiB leaves room for
/// a years-old list while keeping a hostile file from costing memory.
pub const LIST_CAP: u64 = 16 << 20;

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
        en: "~/.local/share/recently-used.xbel (and the older ~/.recently-used.xbel), WPS Office's ~/.config/Kingsoft/Office.conf and LibreOffice's ~/.config/libreoffice/{3,4}/user/registrymodifications.xcu of every user",
        zh: "每个用户的 ~/.local/share/recently-used.xbel（及旧版 ~/.recently-used.xbel）、WPS 的 ~/.config/Kingsoft/Office.conf 和 LibreOffice 的 ~/.config/libreoffice/{3,4}/user/registrymodifications.xcu",
    },
    rules: &[FROM_REMOVABLE, SENSITIVE_NAME],
};

/// Where a file lay when it was opened: removable media are mounted by udisks2 under `/media/USER/`
/// (Debian, UOS, Kylin) or `/run/media/USER/` (Fedora-style), and phones and cameras appear through
/// GVfs (`…/gvfs/mtp:host=…`, `gphoto2:`). `/mnt` is not counted: it is where administrators mount
/// second disks and network shares by hand, so a path there says nothing about removable media.
pub fn is_removable(path: &str) -> bool {
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.contains('/'))
    };
    under("/media/")
        || under("/run/media/")
        || path.contains("/gvfs/mtp:")
        || path.contains("/gvfs/gphoto2:")
}

/// A list's parser.
type Parser = fn(&str) -> lists::Parsed;

/// The lists of one home: (path, app id, parser).
fn lists_of(home: &str) -> Vec<(String, &'static str, Parser)> {
    vec![
        (
            Root::child(home, ".local/share/recently-used.xbel"),
            "gtk",
            lists::xbel,
        ),
        // GTK 2 and old GNOME kept it in the home folder itself.
        (Root::child(home, ".recently-used.xbel"), "gtk", lists::xbel),
        (
            Root::child(home, ".config/Kingsoft/Office.conf"),
            "wps",
            lists::wps_conf,
        ),
        (
            Root::child(home, ".config/libreoffice/4/user/registrymodifications.xcu"),
            "libreoffice",
            lists::xcu_picklist,
        ),
        (
            Root::child(home, ".config/libreoffice/3/user/registrymodifications.xcu"),
            "libreoffice",
            lists::xcu_picklist,
        ),
    ]
}

/// One entry with the application that recorded it.
struct Seen {
    file: RecentFile,
    app_name: Option<String>,
}

/// Run the check.
pub fn run(ctx: &HostContext<'_>, out: &mut CheckRun, artifacts: &mut Artifacts) {
    let mut seen: Vec<Seen> = Vec::new();
    let mut lists_read = 0u64;
    let mut skipped = 0u64;
    for home in ctx.root.homes() {
        for (path, app, parse) in lists_of(&home.path) {
            let text = match ctx.root.read(&path, LIST_CAP) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => {
                    out.problem(format!("{path}: {e}"));
                    continue;
                }
            };
            lists_read += 1;
            let parsed = parse(&text);
            if parsed.skipped > 0 {
                out.problem(format!(
                    "{path}: {} damaged record(s) skipped",
                    parsed.skipped
                ));
            }
            skipped += parsed.skipped;
            for e in parsed.entries {
                seen.push(Seen {
                    file: RecentFile {
                        source: path.clone(),
                        app: app.to_owned(),
                        user: Some(home.user.clone()),
                        removable: is_removable(&e.path),
                        used_at: e.used_at.map(|t| t.to_string()),
                        path: e.path,
                    },
                    app_name: e.app,
                });
            }
        }
    }
    out.examined = lists_read;
    if lists_read == 0 {
        out.not_applicable = true;
        out.summarize(
            "no recently-used list (GTK, WPS, LibreOffice) in any home folder",
            "各用户目录中均无最近使用文件列表（GTK、WPS、LibreOffice）",
        );
        return;
    }

    // One finding per rule and file, over every list that names it.
    let groups = crate::network::group_in_order(&seen, |s| s.file.path.as_str());
    let mut removable = 0;
    let mut sensitive = 0;
    for all in &groups {
        let Some(first) = all.first() else { continue };
        let path = &first.file.path.as_str();
        let (record, record_zh) = records(all);
        if first.file.removable {
            removable += 1;
            out.add(
                ctx,
                &INFO,
                &FROM_REMOVABLE,
                HostFinding {
                    identity: None,
                    path: (*path).to_owned(),
                    level: None,
                    confidence: 0.9,
                    title: format!("{} was opened from removable media", names::stem(path)),
                    evidence: Evidence {
                        excerpt: format!(
                            "{path} opened from removable media, recorded in {record}"
                        ),
                        excerpt_zh: Some(format!("{path} 系从移动介质打开，记录于 {record_zh}")),
                        matched: (*path).to_owned(),
                        why: "recent_file_on_removable_media".into(),
                        ..Default::default()
                    },
                },
            );
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut matches = names::keywords(name, ctx.policy);
        for m in names::markings(names::stem(path)) {
            if !matches.iter().any(|k| k.matched == m.matched) {
                matches.push(m);
            }
        }
        for m in matches {
            sensitive += 1;
            out.add(
                ctx,
                &INFO,
                &SENSITIVE_NAME,
                HostFinding {
                    identity: None,
                    path: (*path).to_owned(),
                    level: Some(m.level),
                    confidence: m.confidence,
                    title: format!("recently opened file name carries \"{}\"", m.matched),
                    evidence: Evidence {
                        excerpt: format!(
                            "file name \"{name}\" carries \"{}\" ({}); recorded in {record}",
                            m.matched,
                            m.level.as_str()
                        ),
                        excerpt_zh: Some(format!(
                            "文件名“{name}”含“{}”（级别：{}）；记录于 {record_zh}",
                            m.matched,
                            m.level.zh()
                        )),
                        matched: m.matched,
                        why: m.why.into(),
                        note: m.note,
                        ..Default::default()
                    },
                },
            );
        }
    }
    let en = format!(
        "{lists_read} recent list(s) read, {} entries naming {} file(s): {removable} on removable media, {sensitive} name match(es){}",
        seen.len(),
        groups.len(),
        if skipped > 0 {
            format!(", {skipped} damaged record(s) skipped")
        } else {
            String::new()
        }
    );
    let zh = format!(
        "读取最近使用列表 {lists_read} 个，{} 条记录涉及 {} 个文件：{removable} 个位于移动介质，{sensitive} 个文件名命中{}",
        seen.len(),
        groups.len(),
        if skipped > 0 {
            format!("，跳过 {skipped} 条损坏记录")
        } else {
            String::new()
        }
    );
    out.summarize(en, zh);
    artifacts
        .recent_files
        .extend(seen.into_iter().map(|s| s.file));
}

/// Where a file is recorded, in English and Chinese: `gtk list /home/…/recently-used.xbel (by wps,
/// last used …); …` and `gtk 列表 /home/…/recently-used.xbel（wps 打开，最近使用于 …）；…`.
fn records(all: &[&Seen]) -> (String, String) {
    let (mut en, mut zh) = (Vec::new(), Vec::new());
    for s in all {
        let t = s.file.used_at.as_deref();
        let mut r = format!("{} list {}", s.file.app, s.file.source);
        let mut z = format!("{} 列表 {}", s.file.app, s.file.source);
        match (&s.app_name, t) {
            (Some(a), Some(t)) => {
                r.push_str(&format!(" (by {a}, last used {t})"));
                z.push_str(&format!("（{a} 打开，最近使用于 {t}）"));
            }
            (Some(a), None) => {
                r.push_str(&format!(" (by {a})"));
                z.push_str(&format!("（{a} 打开）"));
            }
            (None, Some(t)) => {
                r.push_str(&format!(" (last used {t})"));
                z.push_str(&format!("（最近使用于 {t}）"));
            }
            (None, None) => {}
        }
        en.push(r);
        zh.push(z);
    }
    (en.join("; "), zh.join("；"))
}

#[cfg(test)]
mod tests;
