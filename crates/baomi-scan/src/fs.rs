//! Read-only access to the inspected filesystem: the one place that opens files, so the promise
//! "the scanner never changes what it inspects" is kept in one function.

use crate::ScanConfig;
use baomi_core::UnscannedReason;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
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

/// Refuse a file above the policy's size limit, whether it is to be read whole or in place.
pub(crate) fn check_size(len: u64, max_bytes: u64) -> Result<(), ReadError> {
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
    Ok(())
}

/// The first `n` bytes of an open file (fewer if it is shorter) into `data`, emptied first: enough to
/// tell whether the file is read in place or whole, and, if whole, the start of it.
pub(crate) fn read_head(file: &mut File, n: u64, data: &mut Vec<u8>) -> std::io::Result<()> {
    data.clear();
    file.take(n).read_to_end(data)?;
    Ok(())
}

/// Read the rest of an open regular file of `len` bytes onto `data`, which holds what was read of its
/// start (see [`read_head`]), refusing files above `max_bytes`.
pub(crate) fn read_rest(
    file: File,
    len: u64,
    max_bytes: u64,
    data: &mut Vec<u8>,
) -> Result<(), ReadError> {
    check_size(len, max_bytes)?;
    data.reserve((len as usize).saturating_sub(data.len()));
    // A file that grows while we read it is cut at the limit rather than read without end.
    let read = data.len() as u64;
    file.take(max_bytes.saturating_add(1).saturating_sub(read))
        .read_to_end(data)?;
    if data.len() as u64 > max_bytes {
        return Err(ReadError {
            reason: UnscannedReason::TooLarge,
            detail: format!("grew above the policy's limit of {} MiB", max_bytes >> 20),
        });
    }
    Ok(())
}

/// A file read in place through a window of its bytes: a compound file's reader asks for many small
/// pieces (sectors of 512 bytes, directory entries, property tables), mostly near each other, and
/// each would otherwise be a seek and a read of its own. Reads as long as the window go straight to
/// the file.
pub(crate) struct WindowedFile<'f> {
    file: &'f mut File,
    /// Where the next read starts, as the reader sees it.
    pos: u64,
    /// Where the file itself stands, to save seeks that would not move it.
    file_pos: u64,
    window: Vec<u8>,
    window_at: u64,
}

impl<'f> WindowedFile<'f> {
    const WINDOW: usize = 4 << 10;

    /// `file` must stand at its start.
    pub(crate) fn new(file: &'f mut File) -> Self {
        WindowedFile {
            file,
            pos: 0,
            file_pos: 0,
            window: Vec::new(),
            window_at: 0,
        }
    }

    fn read_file_at(&mut self, at: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.file_pos != at {
            self.file.seek(SeekFrom::Start(at))?;
            self.file_pos = at;
        }
        let n = self.file.read(buf)?;
        self.file_pos += n as u64;
        Ok(n)
    }
}

impl Read for WindowedFile<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let window_end = self.window_at + self.window.len() as u64;
        if !(self.window_at..window_end).contains(&self.pos) {
            if buf.len() >= Self::WINDOW {
                let n = self.read_file_at(self.pos, buf)?;
                self.pos += n as u64;
                return Ok(n);
            }
            let mut window = std::mem::take(&mut self.window);
            window.resize(Self::WINDOW, 0);
            let filled = self.read_file_at(self.pos, &mut window);
            let n = match filled {
                Ok(n) => n,
                Err(e) => {
                    window.clear();
                    self.window = window;
                    return Err(e);
                }
            };
            window.truncate(n);
            self.window = window;
            self.window_at = self.pos;
            if n == 0 {
                return Ok(0);
            }
        }
        // In the window now: `pos - window_at` is below the window's length.
        let from = (self.pos - self.window_at) as usize;
        let available = &self.window[from..];
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for WindowedFile<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::Current(by) => self.pos.checked_add_signed(by),
            SeekFrom::End(by) => {
                let len = self.file.metadata()?.len();
                len.checked_add_signed(by)
            }
        };
        let Some(target) = target else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "seek before the start of the file",
            ));
        };
        self.pos = target;
        Ok(target)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// The windowed reader gives exactly the file's bytes for any mix of seeks and reads of any size,
    /// across window edges and the end of the file.
    #[test]
    fn windowed_file_reads_what_the_file_holds() {
        let mut state = 0x853C_49E6_748F_EA9B_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let len = 300_000usize;
        let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let mut tmp = tempfile::tempfile().expect("tempfile");
        tmp.write_all(&data).expect("write");
        tmp.rewind().expect("rewind");
        let mut reader = WindowedFile::new(&mut tmp);
        let mut pos = 0usize;
        for _ in 0..5_000 {
            match next() % 4 {
                0 => {
                    pos = (next() % (len as u64 + 100)) as usize;
                    let at = reader.seek(SeekFrom::Start(pos as u64)).expect("seek");
                    assert_eq!(at, pos as u64);
                }
                1 => {
                    let back = (next() % 2000) as i64;
                    let at = reader.seek(SeekFrom::End(-back)).expect("seek end");
                    pos = len - back as usize;
                    assert_eq!(at, pos as u64);
                }
                2 => {
                    let by = (next() % 4000) as i64 - 2000;
                    match reader.seek(SeekFrom::Current(by)) {
                        Ok(at) => {
                            pos = (pos as i64 + by) as usize;
                            assert_eq!(at, pos as u64);
                        }
                        Err(_) => assert!((pos as i64 + by) < 0),
                    }
                }
                _ => {
                    // Mostly sector-sized pieces, sometimes reads longer than the window.
                    let n = match next() % 3 {
                        0 => 512,
                        1 => (next() % 5000) as usize,
                        _ => (next() % 100_000) as usize,
                    };
                    let mut buf = vec![0u8; n];
                    let got = reader.read(&mut buf).expect("read");
                    let want = data.get(pos..).unwrap_or_default();
                    assert!(got <= n && got <= want.len());
                    assert!(
                        got > 0 || n == 0 || want.is_empty(),
                        "read nothing at {pos}"
                    );
                    assert_eq!(&buf[..got], &want[..got], "at {pos}, {n} asked");
                    pos += got;
                }
            }
        }
        // read_exact across the window's end, as a compound file's reader does.
        reader.seek(SeekFrom::Start(16_000)).expect("seek");
        let mut buf = vec![0u8; 1_000];
        reader.read_exact(&mut buf).expect("read_exact");
        assert_eq!(buf, data[16_000..17_000]);
    }
}
