//! Where users keep files: the folders the content sweep reads when it inspects a whole computer.
//!
//! IM clients (WeChat, QQ, WeCom, DingTalk, Feishu) are a classic channel for classified files, and their
//! received-file folders move: users point them at a data partition, Wine prefixes hide them under
//! `drive_c`. So besides the fixed places, a shallow search by folder name finds them wherever they are.

use crate::root::Root;

/// Folders every inspection sweeps, when they exist (home folders are added per account).
const FIXED_PLACES: &[&str] = &["/media", "/mnt", "/run/media", "/tmp", "/var/tmp"];

/// Folder names that IM clients give their received-file stores (compared case-insensitively).
const IM_FOLDER_NAMES: &[&str] = &[
    "wechat files",
    "xwechat_files",
    "tencent files",
    "filerecv",
    "wxwork",
    "wxwork files",
    "dingtalk",
    "lark",
    "feishu",
];

/// Top-level folders searched for IM folders outside the usual places (system folders hold none).
const SKIP_TOP: &[&str] = &[
    "proc",
    "sys",
    "dev",
    "run",
    "usr",
    "lib",
    "lib32",
    "lib64",
    "libx32",
    "bin",
    "sbin",
    "boot",
    "etc",
    "snap",
    "var",
    "lost+found",
];

/// How deep below `/` the name search goes (`/data/users/zhang/WeChat Files` is depth 4).
const IM_SEARCH_DEPTH: usize = 5;

/// Folders searched at most while looking for IM folders: the search must stay a moment, not a walk.
const IM_SEARCH_MAX_DIRS: usize = 20_000;

/// The places to sweep on `root`, as seen on the inspected system, outermost only (a place inside
/// another is dropped: the walk would read it twice).
pub fn user_places(root: &Root) -> Vec<String> {
    let mut places: Vec<String> = root.homes().into_iter().map(|h| h.path).collect();
    if root.is_live()
        && let Some(home) = std::env::var_os("HOME")
        && let Some(home) = home.to_str()
        && home != "/"
        && root.is_dir(home)
    {
        places.push(home.to_owned());
    }
    places.extend(
        FIXED_PLACES
            .iter()
            .filter(|p| root.is_dir(p))
            .map(|p| (*p).to_owned()),
    );
    places.extend(im_folders(root));
    outermost(places)
}

/// Folders named like IM received-file stores outside the usual places.
pub fn im_folders(root: &Root) -> Vec<String> {
    let mut found = Vec::new();
    let mut budget = IM_SEARCH_MAX_DIRS;
    let mut stack: Vec<(String, usize)> = root
        .list("/")
        .unwrap_or_default()
        .into_iter()
        .filter(|n| !SKIP_TOP.contains(&n.as_str()) && n != "home" && n != "root")
        .map(|n| (format!("/{n}"), 1))
        .collect();
    while let Some((dir, depth)) = stack.pop() {
        if budget == 0 {
            break;
        }
        budget -= 1;
        // Links are not followed: a link to / would make the search go round.
        let is_real_dir = std::fs::symlink_metadata(root.host_path(&dir)).is_ok_and(|m| m.is_dir());
        if !is_real_dir {
            continue;
        }
        let name = dir.rsplit('/').next().unwrap_or("").to_lowercase();
        if IM_FOLDER_NAMES.contains(&name.as_str()) {
            found.push(dir);
            continue;
        }
        if depth < IM_SEARCH_DEPTH {
            for child in root.list(&dir).unwrap_or_default() {
                stack.push((Root::child(&dir, &child), depth + 1));
            }
        }
    }
    found.sort();
    found
}

/// Drop every path that lies inside another one of the list, and duplicates.
pub fn outermost(mut paths: Vec<String>) -> Vec<String> {
    paths.sort();
    paths.dedup();
    let mut kept: Vec<String> = Vec::new();
    for p in paths {
        let inside = kept
            .iter()
            .any(|k| k == "/" || p == *k || p.starts_with(&format!("{k}/")));
        if !inside {
            kept.push(p);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_places_are_swept_once() {
        assert_eq!(
            outermost(vec![
                "/home/zhang".into(),
                "/home".into(),
                "/home2".into(),
                "/media".into(),
                "/home/zhang/Downloads/a.docx".into(),
                "/media".into(),
            ]),
            ["/home", "/home2", "/media"]
        );
    }

    #[test]
    fn im_folders_are_found_by_name_outside_homes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path();
        for d in [
            "data/users/zhang/WeChat Files/wxid_abc/FileStorage/File",
            "data/QQ/Tencent Files/12345/FileRecv",
            "opt/app/share",
            "usr/share/wechat files",
            "home/zhang",
            "media",
        ] {
            std::fs::create_dir_all(base.join(d)).expect("mkdir");
        }
        let root = Root::offline(base).expect("root");
        assert_eq!(
            im_folders(&root),
            ["/data/QQ/Tencent Files", "/data/users/zhang/WeChat Files"]
        );
        assert_eq!(
            user_places(&root),
            [
                "/data/QQ/Tencent Files",
                "/data/users/zhang/WeChat Files",
                "/home/zhang",
                "/media"
            ]
        );
    }
}
