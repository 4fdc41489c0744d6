//! The recent-file lists: GLib's recently-used.xbel, LibreOffice's PickList in
//! registrymodifications.xcu, and WPS Office's Office.conf (a Qt QSettings INI file).

use super::xml;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// Entries read from one list at most.
pub const MAX_ENTRIES: usize = 100_000;

/// One file named in a list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Entry {
    /// Path (for `file:` URIs) or the URI as written, percent-decoded.
    pub path: String,
    /// The application that recorded it, when the list says.
    pub app: Option<String>,
    /// Last use, when the list records it.
    pub used_at: Option<jiff::Timestamp>,
}

/// What a list parser returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    /// Files named.
    pub entries: Vec<Entry>,
    /// Records that could not be understood.
    pub skipped: u64,
}

/// Percent-decode a URI to text (invalid UTF-8 replaced); a `file:` URI becomes its path.
pub fn uri_to_path(uri: &str) -> String {
    let rest = match uri.strip_prefix("file://") {
        // `file://host/path`: the path starts at the first slash after the host.
        Some(r) => r.find('/').map_or("", |i| &r[i..]),
        None => uri,
    };
    let b = rest.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = rest
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn ts(s: &str) -> Option<jiff::Timestamp> {
    jiff::Timestamp::from_str(s.trim()).ok()
}

/// GLib's XBEL (`~/.local/share/recently-used.xbel`): `<bookmark href= added= modified= visited=>`
/// with `<bookmark:application name= exec= modified= count=/>` inside (older GLib wrote
/// `timestamp=` seconds instead of `modified=`). The last use is the newest of these times.
pub fn xbel(text: &str) -> Parsed {
    let mut out = Parsed::default();
    let mut current: Option<(Entry, Option<jiff::Timestamp>)> = None;
    for tag in xml::tags(text) {
        match (tag.name, tag.end) {
            ("bookmark", false) => {
                if let Some((e, best)) = current.take() {
                    out.entries.push(Entry {
                        used_at: best.or(e.used_at),
                        ..e
                    });
                }
                let Some(href) = tag.attr("href") else {
                    out.skipped += 1;
                    continue;
                };
                let times = ["modified", "visited", "added"]
                    .iter()
                    .filter_map(|k| tag.attr(k).and_then(ts))
                    .filter(|t| t.as_second() > 0)
                    .max();
                let e = Entry {
                    path: uri_to_path(href),
                    app: None,
                    used_at: times,
                };
                if tag.empty {
                    out.entries.push(e);
                } else {
                    current = Some((e, None));
                }
                if out.entries.len() >= MAX_ENTRIES {
                    break;
                }
            }
            ("bookmark", true) => {
                if let Some((e, best)) = current.take() {
                    out.entries.push(Entry {
                        used_at: best.max(e.used_at),
                        ..e
                    });
                }
            }
            ("bookmark:application", false) => {
                let Some((e, best)) = current.as_mut() else {
                    continue;
                };
                let t = tag.attr("modified").and_then(ts).or_else(|| {
                    let secs = tag.attr("timestamp")?.trim().parse::<i64>().ok()?;
                    jiff::Timestamp::from_second(secs).ok()
                });
                // The application that used the file last names it.
                if (t >= *best || e.app.is_none())
                    && let Some(name) = tag.attr("name")
                {
                    e.app = Some(name.to_owned());
                }
                if t > *best {
                    *best = t;
                }
            }
            _ => {}
        }
    }
    if let Some((e, best)) = current.take() {
        // A file cut short: keep what was read, and count the damage.
        out.entries.push(Entry {
            used_at: best.max(e.used_at),
            ..e
        });
        out.skipped += 1;
    }
    out
}

/// LibreOffice's recent documents: `oor:path` attributes of
/// `…/org.openoffice.Office.Histories:HistoryInfo['PickList']/ItemList/org.openoffice.Office.Histories:HistoryItem['URL']`
/// items (one per property of the item, so URLs repeat). The list keeps no times.
pub fn xcu_picklist(text: &str) -> Parsed {
    // LibreOffice writes a PickList entry in one of two shapes: the one it writes itself (7.x) — an
    // `item` whose path ends at the ItemList, holding one `node` named by the document's URL — and the
    // flattened one of a registry exported or merged by tools, one `item` per property with the URL
    // inside the path (`…/ItemList/org.openoffice.Office.Histories:HistoryItem['file:///…']`).
    const LIST: &str = "HistoryInfo['PickList']/ItemList";
    const ITEM: &str =
        "HistoryInfo['PickList']/ItemList/org.openoffice.Office.Histories:HistoryItem['";
    let mut out = Parsed::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut in_list = false;
    let mut push = |out: &mut Parsed, url: String| {
        if seen.insert(url.clone()) {
            out.entries.push(Entry {
                path: uri_to_path(&url),
                app: Some("LibreOffice".into()),
                used_at: None,
            });
        }
    };
    for tag in xml::tags(text) {
        if out.entries.len() >= MAX_ENTRIES {
            break;
        }
        match (tag.name, tag.end) {
            ("item", true) => in_list = false,
            ("node", false) if in_list => {
                // Only the ItemList's own children name documents; their properties are `prop`s.
                in_list = false;
                match tag.attr("oor:name") {
                    Some(url) if !url.is_empty() => push(&mut out, url.to_owned()),
                    _ => out.skipped += 1,
                }
            }
            ("item", false) => {
                let Some(path) = tag.attr("oor:path") else {
                    continue;
                };
                if path.ends_with(LIST) {
                    in_list = !tag.empty;
                    continue;
                }
                let Some(start) = path.find(ITEM) else {
                    continue;
                };
                let rest = &path[start + ITEM.len()..];
                let Some(end) = rest.rfind("']") else {
                    out.skipped += 1;
                    continue;
                };
                // LibreOffice escapes a quote inside the name as `&apos;`, decoded once by the
                // scanner and once more here.
                push(&mut out, xml::unescape(&rest[..end]));
            }
            _ => {}
        }
    }
    out
}

/// Unescape one QSettings INI value (`"quoted, with commas"`, `\x673a` UTF-16 escapes, `\n`, `\\`),
/// split into its items when it is a list (`a, b`).
pub fn qsettings_values(raw: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut chars = raw.trim().chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                items.push(std::mem::take(&mut cur).trim().to_owned());
            }
            '\\' => match chars.next() {
                Some('x') => {
                    let mut n = 0u32;
                    let mut digits = 0;
                    while digits < 4 {
                        match chars.peek().and_then(|h| h.to_digit(16)) {
                            Some(d) => {
                                n = n * 16 + d;
                                digits += 1;
                                chars.next();
                            }
                            None => break,
                        }
                    }
                    if digits == 0 {
                        cur.push('x');
                    } else {
                        cur.push(char::from_u32(n).unwrap_or('\u{fffd}'));
                    }
                }
                Some('n') => cur.push('\n'),
                Some('t') => cur.push('\t'),
                Some('r') => cur.push('\r'),
                Some('0') => cur.push('\0'),
                Some(other) => cur.push(other),
                None => {}
            },
            _ => cur.push(c),
        }
    }
    items.push(cur.trim().to_owned());
    items
        .into_iter()
        .map(|s| {
            s.strip_prefix("@ByteArray(")
                .and_then(|x| x.strip_suffix(')'))
                .map(str::to_owned)
                .unwrap_or(s)
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// WPS Office for Linux keeps its settings in `~/.config/Kingsoft/Office.conf` (QSettings), mirroring
/// the Windows registry key `Software\Kingsoft\Office\6.0\<app>\RecentFiles`. Key names vary between
/// versions, so every key whose path mentions a recent list and whose value is an absolute path or a
/// `file:` URI is taken; the component (`wps`, `et`, `wpp`, `pdf`) is the key's first segment.
pub fn wps_conf(text: &str) -> Parsed {
    let mut out = Parsed::default();
    let mut seen: HashSet<String> = HashSet::new();
    let entries = crate::network::config::ini(text);
    // `…\files\<n>\filepath` has a sibling `…\files\<n>\lastmodify` (seconds since 1970).
    let mut times: HashMap<(&str, &str), jiff::Timestamp> = HashMap::new();
    for (g, k, v) in &entries {
        if let Some((prefix, leaf)) = k.rsplit_once('\\')
            && leaf.eq_ignore_ascii_case("lastmodify")
            && let Some(t) = v
                .trim()
                .parse()
                .ok()
                .and_then(|t| jiff::Timestamp::from_second(t).ok())
        {
            times.insert((g.as_str(), prefix), t);
        }
    }
    let time_of = |group: &str, key: &str| {
        let prefix = key.rsplit_once('\\')?.0;
        times.get(&(group, prefix)).copied()
    };
    for (group, key, value) in &entries {
        let k = key.to_ascii_lowercase();
        if !(k.contains("recentfile")
            || k.contains("recent files")
            || k.contains("recent%20files")
            || k.contains("recentdoc"))
        {
            continue;
        }
        for v in qsettings_values(value) {
            if !(v.starts_with('/') || v.starts_with("file://")) {
                continue;
            }
            let path = if v.starts_with("file://") {
                uri_to_path(&v)
            } else {
                v
            };
            if !seen.insert(path.clone()) {
                continue;
            }
            let component = key.split(['\\', '/']).next().unwrap_or("").to_owned();
            let used_at = time_of(group, key);
            out.entries.push(Entry {
                path,
                app: Some(format!("WPS {component}")),
                used_at,
            });
            if out.entries.len() >= MAX_ENTRIES {
                return out;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(p: &Parsed) -> String {
        let mut s: Vec<String> = p
            .entries
            .iter()
            .map(|e| {
                format!(
                    "{} [{}] {}",
                    e.path,
                    e.app.as_deref().unwrap_or("-"),
                    e.used_at.map(|t| t.to_string()).unwrap_or_default()
                )
            })
            .collect();
        s.push(format!("skipped={}", p.skipped));
        s.join(" | ")
    }

    #[test]
    fn uris() {
        let cases = [
            (
                "file:///media/zhang/KINGSTON/%E6%9C%BA%E5%AF%86.docx",
                "/media/zhang/KINGSTON/机密.docx",
            ),
            ("file://host/srv/a%20b.txt", "/srv/a b.txt"),
            ("file:///a%ZZ%e6%9c", "/a%ZZ\u{fffd}"),
            ("https://x/%E4%B8%AD", "https://x/中"),
            ("file://", ""),
            ("%", "%"),
        ];
        for (uri, want) in cases {
            assert_eq!(uri_to_path(uri), want, "{uri}");
        }
    }

    #[test]
    fn xbel_cases() {
        let cases = [
            (
                "<xbel><bookmark href=\"file:///media/zhang/U/%E6%9C%BA%E5%AF%86.docx\" added=\"2024-06-13T05:00:00Z\" modified=\"2024-06-13T05:00:01Z\" visited=\"2024-06-13T05:00:00Z\"><info><metadata owner=\"http://freedesktop.org\"><bookmark:applications><bookmark:application name=\"wps\" exec=\"&apos;wps %U&apos;\" modified=\"2024-06-14T08:00:00.5Z\" count=\"2\"/><bookmark:application name=\"Document Viewer\" exec=\"x\" modified=\"2024-06-13T05:00:01Z\" count=\"1\"/></bookmark:applications></metadata></info></bookmark></xbel>",
                "/media/zhang/U/机密.docx [wps] 2024-06-14T08:00:00.5Z | skipped=0",
            ),
            // GLib 2.1x wrote a `timestamp` in seconds.
            (
                "<bookmark href=\"file:///a\" added=\"2008-09-03T12:44:38Z\"><bookmark:application name=\"old\" exec=\"x\" timestamp=\"1220484811\" count=\"1\"/></bookmark>",
                "/a [old] 2008-09-03T23:33:31Z | skipped=0",
            ),
            (
                "<bookmark added=\"x\"></bookmark><bookmark href=\"file:///b\"/>",
                "/b [-]  | skipped=1",
            ),
            (
                "<bookmark href=\"file:///cut\" modified=\"garbage\"><bookmark:appli",
                "/cut [-]  | skipped=1",
            ),
            ("not xml at all", "skipped=0"),
        ];
        for (text, want) in cases {
            assert_eq!(show(&xbel(text)), want, "{text}");
        }
    }

    #[test]
    fn xcu_cases() {
        let item = |url: &str, prop: &str| {
            format!(
                "<item oor:path=\"/org.openoffice.Office.Histories/Histories/org.openoffice.Office.Histories:HistoryInfo['PickList']/ItemList/org.openoffice.Office.Histories:HistoryItem['{url}']\"><prop oor:name=\"{prop}\" oor:op=\"fuse\"><value>x</value></prop></item>\n"
            )
        };
        let text = format!(
            "<oor:items>{}{}{}<item oor:path=\"/org.openoffice.Office.Histories/Histories/org.openoffice.Office.Histories:HistoryInfo['HelpBookmarks']/ItemList/org.openoffice.Office.Histories:HistoryItem['file:///help']\"/></oor:items>",
            item(
                "file:///media/zhang/KINGSTON/%E7%BB%9D%E5%AF%86-%E6%96%B9%E6%A1%88.odt",
                "Title"
            ),
            item(
                "file:///media/zhang/KINGSTON/%E7%BB%9D%E5%AF%86-%E6%96%B9%E6%A1%88.odt",
                "Filter"
            ),
            item("file:///home/zhang/it&amp;apos;s.odt", "Title"),
        );
        assert_eq!(
            show(&xcu_picklist(&text)),
            "/media/zhang/KINGSTON/绝密-方案.odt [LibreOffice]  | /home/zhang/it's.odt [LibreOffice]  | skipped=0"
        );
    }

    #[test]
    fn wps_cases() {
        let cases = [
            ("/media/a.docx", vec!["/media/a.docx"]),
            (
                "\"/media/a, b.docx\", /c.et",
                vec!["/media/a, b.docx", "/c.et"],
            ),
            (
                "/media/zhang/U/\\x673a\\x5bc6.docx",
                vec!["/media/zhang/U/机密.docx"],
            ),
            ("@ByteArray(/x.docx)", vec!["/x.docx"]),
            ("\\", vec![]),
            ("\\xZZ", vec!["xZZ"]),
        ];
        for (raw, want) in cases {
            assert_eq!(qsettings_values(raw), want, "{raw}");
        }
        assert_eq!(
            show(&wps_conf(
                "[6.0]\nwps\\RecentFiles\\files\\0\\filepath=/media/zhang/U/\\x673a\\x5bc6.docx\nwps\\RecentFiles\\files\\0\\lastmodify=1718254800\net\\RecentFiles\\files\\0\\filepath=file:///home/zhang/%E8%A1%A8.et\ncommon\\DefaultLanguage=2052\n"
            )),
            "/media/zhang/U/机密.docx [WPS wps] 2024-06-13T05:00:00Z | /home/zhang/表.et [WPS et]  | skipped=0"
        );
    }
}

#[cfg(test)]
mod picklist_shapes {
    use super::*;

    fn paths(text: &str) -> Vec<String> {
        xcu_picklist(text)
            .entries
            .into_iter()
            .map(|e| e.path)
            .collect()
    }

    #[test]
    fn the_shape_libreoffice_writes_and_the_flattened_one() {
        // As LibreOffice 7.4 writes it (tests/fixtures/net/make_lo_picklist.sh).
        let written = r#"<item oor:path="/org.openoffice.Office.Histories/Histories/org.openoffice.Office.Histories:HistoryInfo['PickList']/ItemList"><node oor:name="file:///media/zhang/KINGSTON/%E7%BB%9D%E5%AF%86-%E6%96%B9%E6%A1%88.odt" oor:op="replace"><prop oor:name="Title" oor:op="fuse"><value>绝密-方案</value></prop></node></item>
<item oor:path="/org.openoffice.Office.Histories/Histories/org.openoffice.Office.Histories:HistoryInfo['PickList']/OrderList"><node oor:name="0" oor:op="replace"><prop oor:name="HistoryItemRef" oor:op="fuse"><value>file:///media/zhang/KINGSTON/%E7%BB%9D%E5%AF%86-%E6%96%B9%E6%A1%88.odt</value></prop></node></item>"#;
        assert_eq!(paths(written), ["/media/zhang/KINGSTON/绝密-方案.odt"]);
        let flattened = r#"<item oor:path="/org.openoffice.Office.Histories/Histories/org.openoffice.Office.Histories:HistoryInfo['PickList']/ItemList/org.openoffice.Office.Histories:HistoryItem['file:///home/a/b.odt']"><prop oor:name="Title" oor:op="fuse"><value>b</value></prop></item>"#;
        assert_eq!(paths(flattened), ["/home/a/b.odt"]);
        // An ItemList of another history (the help's) names no recent document.
        let other = r#"<item oor:path="/org.openoffice.Office.Histories/Histories/org.openoffice.Office.Histories:HistoryInfo['HelpBookmarks']/ItemList"><node oor:name="vnd.sun.star.help://x" oor:op="replace"/></item>"#;
        assert!(paths(other).is_empty());
    }
}
