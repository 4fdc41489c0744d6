//! Does a file's NAME say it is classified? Policy keywords anywhere in the name, and the level words
//! (绝密, 机密, 秘密, 工作秘密) only in the shape of a marking: bracketed (`【机密】`, `(秘密)`), in the
//! ★ form (`机密★1年`), or standing alone between separators (`绝密-方案`, `方案_机密`). A level word
//! inside other words is prose, not a marking: 商业秘密保护, 保密工作总结, 秘密花园, 机密性分析.

use baomi_core::{Level, Policy};

/// A match in a file name.
#[derive(Debug, Clone, PartialEq)]
pub struct NameMatch {
    /// The text that matched.
    pub matched: String,
    /// The level it implies.
    pub level: Level,
    /// `policy_keyword_in_name`, `marking_in_name_star`, `marking_in_name_bracketed`,
    /// `marking_in_name_separated`.
    pub why: &'static str,
    /// 0.0–1.0.
    pub confidence: f32,
    /// The keyword's policy note, for keyword matches.
    pub note: Option<String>,
}

/// Level words, longest first so 工作秘密 wins over 秘密.
const WORDS: [(&str, Level); 5] = [
    ("检察工作秘密", Level::Internal),
    ("工作秘密", Level::Internal),
    ("绝密", Level::TopSecret),
    ("机密", Level::Secret),
    ("秘密", Level::Confidential),
];

fn opening(c: char) -> bool {
    matches!(c, '【' | '[' | '(' | '（' | '〔' | '{' | '「' | '［')
}

fn closing(c: char) -> bool {
    matches!(c, '】' | ']' | ')' | '）' | '〕' | '}' | '」' | '］')
}

/// Characters that separate words in file names. `《》` is not one: `《机密文件管理办法》` is a title.
fn separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '_'
                | '—'
                | '－'
                | '·'
                | '.'
                | ','
                | '，'
                | '、'
                | ':'
                | '：'
                | '+'
                | '~'
                | '#'
                | '@'
                | '&'
        )
}

/// The file name of a path, without its extension.
pub fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

/// Marking-shaped level words in a file name (the stem, extension dropped).
pub fn markings(name: &str) -> Vec<NameMatch> {
    // The 1999-era spelling puts a space inside the word (`机 密`), and `机密 ★` a space before the star.
    let mut s: String = name.to_owned();
    for (word, _) in WORDS {
        let chars: Vec<char> = word.chars().collect();
        if let [a, b] = chars.as_slice() {
            for sp in [" ", "\u{3000}"] {
                s = s.replace(&format!("{a}{sp}{b}"), word);
            }
        }
        for sp in [" ", "\u{3000}"] {
            s = s.replace(&format!("{word}{sp}★"), &format!("{word}★"));
        }
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<NameMatch> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let mut advanced = false;
        for (word, level) in WORDS {
            let w: Vec<char> = word.chars().collect();
            if chars.get(i..i + w.len()) != Some(w.as_slice()) {
                continue;
            }
            let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let after = chars.get(i + w.len()).copied();
            let star = matches!(after, Some('★' | '☆' | '*'));
            let bracketed = before.is_some_and(opening) && after.is_some_and(closing);
            let left_ok = before.is_none_or(|c| separator(c) || opening(c));
            let right_ok = after.is_none_or(|c| separator(c) || closing(c));
            let shape = if star && left_ok {
                Some(("marking_in_name_star", 0.9))
            } else if bracketed {
                Some(("marking_in_name_bracketed", 0.9))
            } else if left_ok && right_ok {
                Some(("marking_in_name_separated", 0.7))
            } else {
                None
            };
            if let Some((why, confidence)) = shape
                && !out.iter().any(|m| m.matched == word)
            {
                out.push(NameMatch {
                    matched: word.to_owned(),
                    level,
                    why,
                    confidence,
                    note: None,
                });
            }
            // A longer word consumed here; its inner 秘密 is not looked at again.
            i += w.len();
            advanced = true;
            break;
        }
        if !advanced {
            i += 1;
        }
    }
    out
}

/// Policy keywords in a file name (ASCII case-insensitive unless the keyword says otherwise).
pub fn keywords(name: &str, policy: &Policy) -> Vec<NameMatch> {
    let lower = name.to_lowercase();
    policy
        .keywords
        .iter()
        .filter(|k| {
            let t = k.text.trim();
            !t.is_empty()
                && if k.case_sensitive {
                    name.contains(t)
                } else {
                    lower.contains(&t.to_lowercase())
                }
        })
        .map(|k| NameMatch {
            matched: k.text.trim().to_owned(),
            level: k.level,
            why: "policy_keyword_in_name",
            confidence: 0.8,
            note: k.note.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(path: &str, expect: &str) {
        let got: Vec<String> = markings(stem(path))
            .iter()
            .map(|m| format!("{} {} {}", m.matched, m.level.as_str(), m.why))
            .collect();
        assert_eq!(got.join("; "), expect, "{path}");
    }

    #[test]
    fn marking_shapes() {
        check(
            "/media/zhang/U/【机密】2024年工作方案.docx",
            "机密 secret marking_in_name_bracketed",
        );
        check(
            "机密★1年 关于印发方案的通知.docx",
            "机密 secret marking_in_name_star",
        );
        check("机密 ★ 10年-通知.wps", "机密 secret marking_in_name_star");
        check(
            "(秘密)会议纪要.doc",
            "秘密 confidential marking_in_name_bracketed",
        );
        check(
            "（秘密）会议纪要.doc",
            "秘密 confidential marking_in_name_bracketed",
        );
        check(
            "绝密-作战方案.pdf",
            "绝密 top_secret marking_in_name_separated",
        );
        check("方案_机密.docx", "机密 secret marking_in_name_separated");
        check("机 密★通知.docx", "机密 secret marking_in_name_star");
        check("机密.docx", "机密 secret marking_in_name_separated");
        check(
            "【工作秘密】内部通报.docx",
            "工作秘密 internal marking_in_name_bracketed",
        );
        check(
            "检察工作秘密-案情通报.docx",
            "检察工作秘密 internal marking_in_name_separated",
        );
    }

    #[test]
    fn prose_is_not_a_marking() {
        for path in [
            "保密工作总结.docx",
            "商业秘密保护.docx",
            "秘密花园.mp4",
            "机密性、完整性、可用性.pptx",
            "关于印发《机密文件管理办法》的通知.docx",
            "《秘密》.mp4",
            "这不是什么秘密.txt",
            "工作秘密管理规定学习.docx",
            "绝密档案第二季.mkv",
            "report.docx",
            "",
        ] {
            check(path, "");
        }
    }

    #[test]
    fn policy_keywords() {
        let policy = Policy::from_toml(
            "name = \"t\"\n[[keywords]]\ntext = \"专案\"\nlevel = \"secret\"\nnote = \"案件代号\"\n[[keywords]]\ntext = \"Project-X\"\nlevel = \"confidential\"\n[[keywords]]\ntext = \"CaseA\"\nlevel = \"internal\"\ncase_sensitive = true\n",
        )
        .expect("policy");
        let show = |name: &str| -> String {
            keywords(name, &policy)
                .iter()
                .map(|m| format!("{} {}", m.matched, m.level.as_str()))
                .collect::<Vec<_>>()
                .join("; ")
        };
        assert_eq!(show("0613专案汇报"), "专案 secret");
        assert_eq!(show("notes-project-x"), "Project-X confidential");
        assert_eq!(show("casea"), "");
        assert_eq!(show("CaseA"), "CaseA internal");
        assert_eq!(show("其他"), "");
    }
}
