//! The inspected system's filesystem, seen from its own root: `/` on a live computer, or the folder an
//! offline disk is mounted at. Every host check reads through a `Root`, so the same code serves both,
//! and nothing outside the root is ever read: absolute symlinks inside an offline image (`/etc/resolv.conf
//! → /run/…`) are resolved against the image, not against the inspector's machine.
//!
//! Reads are read-only opens with `O_NOATIME` where the kernel allows it; nothing here can write.

use std::ffi::OsStr;
use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

/// Symlinks followed while resolving one path, at most (the kernel's own limit is 40).
const MAX_LINK_HOPS: u32 = 40;

/// The root of the inspected system.
#[derive(Debug, Clone)]
pub struct Root {
    base: PathBuf,
    live: bool,
}

/// A user account with a home folder on the inspected system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    /// Login name (the folder's name when /etc/passwd does not list it).
    pub user: String,
    /// Home folder, as seen on the inspected system (`/home/zhang`).
    pub path: String,
}

impl Root {
    /// The running system (`/`).
    pub fn live() -> Root {
        Root {
            base: PathBuf::from("/"),
            live: true,
        }
    }

    /// An offline system mounted at `dir`.
    pub fn offline(dir: &Path) -> io::Result<Root> {
        let base = std::fs::canonicalize(dir)?;
        if !base.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                "the root must be a folder",
            ));
        }
        let live = base == Path::new("/");
        Ok(Root { base, live })
    }

    /// True for the running system: only then do /proc, /sys and live probes describe this computer.
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// The folder the inspected system's `/` is at, on the inspector's machine.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// Where `path` (absolute, as seen on the inspected system) is on this machine, without following
    /// links. `..` cannot climb above the root.
    pub fn host_path(&self, path: &str) -> PathBuf {
        let mut out = self.base.clone();
        for c in Path::new(path).components() {
            match c {
                Component::Normal(n) => out.push(n),
                Component::ParentDir => {
                    if out != self.base {
                        out.pop();
                    }
                }
                Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
            }
        }
        out
    }

    /// Resolve `path` like the inspected system's kernel would (symlinks followed inside the root),
    /// returning where it is on this machine.
    pub fn resolve(&self, path: &str) -> io::Result<PathBuf> {
        let mut hops = 0;
        let mut pending: Vec<Vec<u8>> = components(path.as_bytes());
        pending.reverse();
        let mut done: Vec<Vec<u8>> = Vec::new();
        while let Some(part) = pending.pop() {
            if part == b".." {
                done.pop();
                continue;
            }
            done.push(part);
            let here = self.join(&done);
            let meta = match std::fs::symlink_metadata(&here) {
                Ok(m) => m,
                // A missing middle component: report it from the final open, not here.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    for rest in pending.into_iter().rev() {
                        done.push(rest);
                    }
                    return Ok(self.join(&done));
                }
                Err(e) => return Err(e),
            };
            if meta.file_type().is_symlink() {
                hops += 1;
                if hops > MAX_LINK_HOPS {
                    return Err(io::Error::other("too many levels of symbolic links"));
                }
                let target = std::fs::read_link(&here)?;
                let target = target.as_os_str().as_bytes();
                done.pop();
                if target.first() == Some(&b'/') {
                    done.clear();
                }
                let mut parts = components(target);
                parts.reverse();
                pending.extend(parts);
            }
        }
        Ok(self.join(&done))
    }

    fn join(&self, parts: &[Vec<u8>]) -> PathBuf {
        let mut p = self.base.clone();
        for part in parts {
            p.push(OsStr::from_bytes(part));
        }
        p
    }

    /// Open a file for reading (links resolved inside the root, `O_NOATIME` when allowed).
    pub fn open(&self, path: &str) -> io::Result<File> {
        open_read_only(&self.resolve(path)?)
    }

    /// Metadata of the file `path` leads to.
    pub fn metadata(&self, path: &str) -> io::Result<Metadata> {
        std::fs::metadata(self.resolve(path)?)
    }

    /// True when `path` leads to something.
    pub fn exists(&self, path: &str) -> bool {
        self.metadata(path).is_ok()
    }

    /// True when `path` leads to a folder.
    pub fn is_dir(&self, path: &str) -> bool {
        self.metadata(path).is_ok_and(|m| m.is_dir())
    }

    /// Read a whole file, refusing one larger than `max` bytes (`InvalidData`, "larger than …").
    pub fn read(&self, path: &str, max: u64) -> io::Result<Vec<u8>> {
        let file = self.open(path)?;
        let len = file.metadata()?.len();
        if len > max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("larger than {max} bytes ({len})"),
            ));
        }
        let mut buf = Vec::with_capacity(len as usize);
        // `take` guards against a file that grows while it is read (a live log).
        file.take(max).read_to_end(&mut buf)?;
        Ok(buf)
    }

    /// Read a text file (invalid UTF-8 replaced), refusing one larger than `max` bytes.
    pub fn read_text(&self, path: &str, max: u64) -> io::Result<String> {
        let bytes = self.read(path, max)?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// Names in a folder, sorted (so reports come out in the same order every run).
    pub fn list(&self, dir: &str) -> io::Result<Vec<String>> {
        let mut names: Vec<String> = std::fs::read_dir(self.resolve(dir)?)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }

    /// `dir` joined with `name`, as seen on the inspected system.
    pub fn child(dir: &str, name: &str) -> String {
        if dir.ends_with('/') {
            format!("{dir}{name}")
        } else {
            format!("{dir}/{name}")
        }
    }

    /// The path a file on this machine has on the inspected system (`/mnt/disk/home/a` → `/home/a`).
    pub fn system_path(&self, host_path: &Path) -> String {
        match host_path.strip_prefix(&self.base) {
            Ok(rest) => format!("/{}", rest.to_string_lossy()),
            Err(_) => host_path.to_string_lossy().into_owned(),
        }
    }

    /// Home folders: accounts in /etc/passwd with a home under /home or /root (system accounts have
    /// theirs elsewhere), then any other folder in /home (an account deleted, or a home copied in).
    pub fn homes(&self) -> Vec<Home> {
        let mut homes: Vec<Home> = Vec::new();
        if let Ok(passwd) = self.read_text("/etc/passwd", 4 << 20) {
            for line in passwd.lines() {
                let fields: Vec<&str> = line.split(':').collect();
                if fields.len() < 7 || line.starts_with('#') {
                    continue;
                }
                let (user, home) = (fields[0], fields[5]);
                let is_user_home = home == "/root" || home.starts_with("/home/");
                if is_user_home && self.is_dir(home) && !homes.iter().any(|h| h.path == home) {
                    homes.push(Home {
                        user: user.to_owned(),
                        path: home.to_owned(),
                    });
                }
            }
        }
        for name in self.list("/home").unwrap_or_default() {
            let path = format!("/home/{name}");
            if self.is_dir(&path) && !homes.iter().any(|h| h.path == path) {
                homes.push(Home { user: name, path });
            }
        }
        homes
    }
}

fn components(path: &[u8]) -> Vec<Vec<u8>> {
    path.split(|&b| b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .map(<[u8]>::to_vec)
        .collect()
}

/// Open read-only without updating the access time when the kernel allows it (only the file's owner
/// or root may ask for `O_NOATIME`; anyone else falls back to a plain read-only open).
pub fn open_read_only(path: &Path) -> io::Result<File> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOATIME;
        match rustix::fs::open(path, flags, Mode::empty()) {
            Ok(fd) => return Ok(File::from(fd)),
            Err(rustix::io::Errno::PERM) => {}
            Err(e) => return Err(e.into()),
        }
    }
    File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn absolute_links_stay_inside_the_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path();
        std::fs::create_dir_all(base.join("etc")).expect("mkdir");
        std::fs::create_dir_all(base.join("run/systemd/resolve")).expect("mkdir");
        std::fs::write(
            base.join("run/systemd/resolve/stub-resolv.conf"),
            "nameserver 10.0.0.53\n",
        )
        .expect("write");
        symlink(
            "/run/systemd/resolve/stub-resolv.conf",
            base.join("etc/resolv.conf"),
        )
        .expect("link");
        symlink("../../../../../../etc/shadow", base.join("etc/escape")).expect("link");
        let root = Root::offline(base).expect("root");
        assert_eq!(
            root.read_text("/etc/resolv.conf", 1024).expect("read"),
            "nameserver 10.0.0.53\n"
        );
        // `..` above the root stays at the root: the image's /etc/shadow (absent), not ours.
        assert_eq!(
            root.resolve("/etc/escape").expect("resolves"),
            root.base().join("etc/shadow")
        );
        assert!(root.read("/etc/escape", 1024).is_err());
        assert_eq!(
            root.system_path(&root.base().join("home/a/b.txt")),
            "/home/a/b.txt"
        );
    }

    #[test]
    fn homes_from_passwd_and_home() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path();
        for d in ["etc", "home/zhang", "home/olduser", "root", "var/lib/sys"] {
            std::fs::create_dir_all(base.join(d)).expect("mkdir");
        }
        std::fs::write(
            base.join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/bash\nsys:x:2:2:sys:/var/lib/sys:/usr/sbin/nologin\nzhang:x:1000:1000:张三,,,:/home/zhang:/bin/bash\n",
        )
        .expect("write");
        let root = Root::offline(base).expect("root");
        let homes: Vec<(String, String)> =
            root.homes().into_iter().map(|h| (h.user, h.path)).collect();
        assert_eq!(
            homes,
            [
                ("root".into(), "/root".into()),
                ("zhang".into(), "/home/zhang".into()),
                ("olduser".into(), "/home/olduser".into()),
            ]
        );
    }
}
