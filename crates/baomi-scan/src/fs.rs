//! Read-only access to the inspected filesystem: the one place that opens files, so the promise
//! "the scanner never changes what it inspects" is kept in one function.

use crate::ScanConfig;
use baomi_core::UnscannedReason;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A file that could not be read, with the report's reason.
pub(crate) struct ReadError {
    pub(crate) reason: UnscannedReason,
    pub(crate) detail: String,
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        let reason = match e.kind() {
            std::io::ErrorKind::PermissionDenied => UnscannedReason::PermissionDenied,
            _ => UnscannedReason::IoError,
        };
        ReadError {
            reason,
            detail: e.to_string(),
        }
    }
}

/// Open for reading only, without updating the access time where the OS lets us.
pub(crate) fn open_read_only(path: &Path) -> std::io::Result<File> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NOATIME is refused (EPERM) for files we do not own unless we have CAP_FOWNER; then a plain
        // read-only open is the best the OS allows. O_NOCTTY/O_NONBLOCK keep a device node or fifo that
        // slipped through from taking over the terminal or blocking the walk.
        let flags = libc_flags::O_NOATIME | libc_flags::O_NOCTTY | libc_flags::O_NONBLOCK;
        match std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(flags)
            .open(path)
        {
            Ok(f) => return Ok(f),
            Err(e) if e.raw_os_error() == Some(libc_flags::EPERM) => {}
            Err(e) => return Err(e),
        }
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc_flags::O_NOCTTY | libc_flags::O_NONBLOCK)
            .open(path)
    }
    #[cfg(not(target_os = "linux"))]
    {
        std::fs::OpenOptions::new().read(true).open(path)
    }
}

#[cfg(target_os = "linux")]
mod libc_flags {
    use rustix::fs::OFlags;
    pub(super) const O_NOATIME: i32 = OFlags::NOATIME.bits() as i32;
    pub(super) const O_NOCTTY: i32 = OFlags::NOCTTY.bits() as i32;
    pub(super) const O_NONBLOCK: i32 = OFlags::NONBLOCK.bits() as i32;
    pub(super) const EPERM: i32 = rustix::io::Errno::PERM.raw_os_error();
}

/// Open a regular file read-only; returns it with its size.
pub(crate) fn open_regular(path: &Path) -> Result<(File, u64), ReadError> {
    let file = open_read_only(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError {
            reason: UnscannedReason::UnsupportedFormat,
            detail: "not a regular file".into(),
        });
    }
    Ok((file, meta.len()))
}

/// Read the rest of an open regular file of `len` bytes into `data` (emptied first), refusing files
/// above `max_bytes`.
pub(crate) fn read_whole(
    file: File,
    len: u64,
    max_bytes: u64,
    data: &mut Vec<u8>,
) -> Result<(), ReadError> {
    data.clear();
    if len > max_bytes {
        return Err(ReadError {
            reason: UnscannedReason::TooLarge,
            detail: format!(
                "{} MiB, above the policy's limit of {} MiB",
                len >> 20,
                max_bytes >> 20
            ),
        });
    }
    data.reserve(len as usize);
    // A file that grows while we read it is cut at the limit rather than read without end.
    file.take(max_bytes.saturating_add(1)).read_to_end(data)?;
    if data.len() as u64 > max_bytes {
        return Err(ReadError {
            reason: UnscannedReason::TooLarge,
            detail: format!("grew above the policy's limit of {} MiB", max_bytes >> 20),
        });
    }
    Ok(())
}

/// Which directories the walk never enters.
pub(crate) struct SkipRules {
    dirs: Vec<PathBuf>,
}

impl SkipRules {
    pub(crate) fn new(config: &ScanConfig) -> SkipRules {
        SkipRules {
            dirs: config.skip_dirs.clone(),
        }
    }

    /// True for the policy's skip list (unless the user named that very directory as a root's parent)
    /// and for pseudo-filesystems, whose "files" are kernel state, not content, and can block on read.
    pub(crate) fn skips_dir(&self, dir: &Path) -> bool {
        if self.dirs.iter().any(|d| d == dir) {
            return true;
        }
        is_pseudo_fs(dir)
    }
}

#[cfg(target_os = "linux")]
fn is_pseudo_fs(dir: &Path) -> bool {
    // Magic numbers from linux/magic.h. tmpfs is deliberately absent: /tmp and /dev/shm hold real files.
    const PSEUDO: &[i64] = &[
        0x9fa0,      // proc
        0x6265_6572, // sysfs
        0x1cd1,      // devpts
        0x0027_e0eb, // cgroup
        0x6367_7270, // cgroup2
        0x6462_6720, // debugfs
        0x7472_6163, // tracefs
        0x7363_6673, // securityfs
        0xcafe_4a11, // bpf
        0x6165_676c, // pstore
        0x6265_6570, // configfs
        0x6573_5543, // fusectl
        0x4249_4e4d, // binfmt_misc
        0x1980_0202, // mqueue
        0x0187,      // autofs: entering it would trigger mounts
        0x6e73_6673, // nsfs
        0x5346_414f, // openpromfs
    ];
    match rustix::fs::statfs(dir) {
        // f_type is i64 on x86_64 but u32/i32 elsewhere: the cast is needed on other targets.
        #[allow(clippy::unnecessary_cast)]
        Ok(st) => PSEUDO.contains(&(st.f_type as i64)),
        Err(_) => false,
    }
}

#[cfg(not(target_os = "linux"))]
fn is_pseudo_fs(_dir: &Path) -> bool {
    false
}
