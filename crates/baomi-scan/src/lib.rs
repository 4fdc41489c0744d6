//! The content sweep: a parallel, read-only walk of the inspected tree that extracts the text of every
//! file, runs the detector over it and streams one [`FileOutcome`] per file to a [`Sink`].
//!
//! Invariants: nothing under the scanned roots is opened for writing, access times are left alone where
//! the OS allows (`O_NOATIME`), symbolic links are never followed, pseudo-filesystems are never entered,
//! and a file that cannot be read becomes an [`Unscanned`] entry — never a silent gap, never a crash.
#![deny(missing_docs)]

mod findings;
mod fs;
mod prefilter;
mod stream;

pub use findings::{content_severity, matches_to_findings};

use baomi_core::{Finding, Policy, Unscanned, UnscannedReason, Zone};
use baomi_detect::Detector;
use baomi_extract::{Budget, Format, Limits};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// What the sweep needs to know, resolved from flags and policy.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Files or directories to sweep.
    pub roots: Vec<PathBuf>,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// The zone the inspector says this computer is in (decides severities).
    pub zone: Zone,
    /// Directories never entered (in addition to pseudo-filesystems).
    pub skip_dirs: Vec<PathBuf>,
    /// Files larger than this are listed as too large.
    pub max_file_bytes: u64,
    /// Parser limits per file.
    pub limits: Limits,
    /// Plain-text files larger than this are read in chunks instead of whole.
    pub stream_above_bytes: u64,
    /// Where the inspected system's `/` is mounted, when it is not this machine's (`--root`): report
    /// paths are shown as the inspected system sees them, with this prefix taken off.
    pub system_root: Option<PathBuf>,
}

impl ScanConfig {
    /// A configuration for `roots` with the policy's limits and skip list.
    pub fn new(roots: Vec<PathBuf>, policy: &Policy) -> ScanConfig {
        ScanConfig {
            roots,
            threads: 0,
            zone: Zone::Unknown,
            skip_dirs: policy.sweep.skip_dirs.iter().map(PathBuf::from).collect(),
            max_file_bytes: policy.limits.max_file_mb.saturating_mul(1 << 20),
            limits: Limits::from(&policy.limits),
            stream_above_bytes: stream::STREAM_ABOVE,
            system_root: None,
        }
    }

    /// A file's path as the inspected system sees it (see [`display_path`] for names that are not UTF-8).
    pub fn shown_path(&self, path: &Path) -> String {
        if let Some(rest) = self
            .system_root
            .as_deref()
            .and_then(|root| path.strip_prefix(root).ok())
        {
            return format!("/{}", display_path(rest));
        }
        display_path(path)
    }
}

/// Everything learned about one file.
#[derive(Debug, Default)]
pub struct FileOutcome {
    /// Path as seen on the inspected system.
    pub path: String,
    /// Bytes read.
    pub bytes: u64,
    /// The format it was read as (`None` when it was not read).
    pub format: Option<Format>,
    /// Lower-cased extension, for statistics of unsupported formats.
    pub extension: String,
    /// Findings, deduplicated within the file.
    pub findings: Vec<Finding>,
    /// The file itself or members inside it that could not be read.
    pub unscanned: Vec<Unscanned>,
}

/// Receives outcomes as files finish, from many threads at once.
pub trait Sink: Sync {
    /// One file is done.
    fn file_done(&self, outcome: FileOutcome);
    /// The walk is about to read this file (for progress displays). Default: nothing.
    fn file_started(&self, _path: &Path) {}
}

/// Why the sweep could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// A root does not exist or cannot be read.
    #[error("cannot scan {path}: {source}")]
    Root {
        /// The root as given.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// Sweep the configured roots, sending every file's outcome to `sink`. Returns once all files are done.
/// `cancel` may be set from another thread (Ctrl-C) to stop early.
pub fn run(
    config: &ScanConfig,
    detector: &Detector,
    sink: &dyn Sink,
    cancel: &AtomicBool,
) -> Result<(), ScanError> {
    for root in &config.roots {
        std::fs::symlink_metadata(root).map_err(|source| ScanError::Root {
            path: root.clone(),
            source,
        })?;
    }
    let Some((first, rest)) = config.roots.split_first() else {
        return Ok(());
    };
    let mut builder = ignore::WalkBuilder::new(first);
    for r in rest {
        builder.add(r);
    }
    // An inspector wants every file: no ignore files, hidden files included, links not followed.
    builder
        .standard_filters(false)
        .hidden(false)
        .follow_links(false)
        .threads(config.threads);
    let skip = fs::SkipRules::new(config);
    let prefilters = prefilter::Prefilters::new(detector);
    builder.build_parallel().run(|| {
        let skip = &skip;
        let prefilters = &prefilters;
        // One read buffer per thread, reused from file to file: a fresh allocation per file costs a
        // page fault and a page clearing for every 4 KiB read.
        let mut buffer = Vec::new();
        Box::new(move |entry| {
            if cancel.load(Ordering::Relaxed) {
                return ignore::WalkState::Quit;
            }
            match entry {
                Ok(entry) => {
                    let Some(ft) = entry.file_type() else {
                        return ignore::WalkState::Continue;
                    };
                    if ft.is_dir() {
                        if skip.skips_dir(entry.path()) {
                            return ignore::WalkState::Skip;
                        }
                    } else if ft.is_file() {
                        sink.file_started(entry.path());
                        sink.file_done(scan_file_with(
                            entry.path(),
                            config,
                            detector,
                            prefilters,
                            &mut buffer,
                        ));
                    }
                    // Symlinks, sockets, fifos and devices are not content: never opened.
                }
                Err(err) => {
                    if let Some(outcome) = walk_error_outcome(&err, config) {
                        sink.file_done(outcome);
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    Ok(())
}

fn walk_error_outcome(err: &ignore::Error, config: &ScanConfig) -> Option<FileOutcome> {
    let (path, io) = match err {
        ignore::Error::WithPath { path, err } => match err.as_ref() {
            ignore::Error::Io(io) => (path.clone(), io),
            _ => return None,
        },
        ignore::Error::WithDepth { err, .. } => return walk_error_outcome(err, config),
        _ => return None,
    };
    let reason = if io.kind() == std::io::ErrorKind::PermissionDenied {
        UnscannedReason::PermissionDenied
    } else {
        UnscannedReason::IoError
    };
    Some(FileOutcome {
        path: config.shown_path(&path),
        unscanned: vec![Unscanned {
            path: config.shown_path(&path),
            inner: Vec::new(),
            reason,
            detail: io.to_string(),
        }],
        ..FileOutcome::default()
    })
}

/// The path as a string for reports (JSON text). A name that is not UTF-8 is, on Chinese machines,
/// nearly always GBK (archives unpacked by old tools, disks written by Windows): shown decoded so the
/// inspector can find the file; other bytes are replaced.
pub fn display_path(path: &Path) -> String {
    if let Some(s) = path.to_str() {
        return s.to_owned();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        let (text, had_errors) = baomi_extract::encoding_rs::GBK.decode_without_bom_handling(bytes);
        if !had_errors {
            return text.into_owned();
        }
    }
    path.to_string_lossy().into_owned()
}

/// Read and inspect one file. Never panics: a parser panic is contained and reported as unscanned.
pub fn scan_file(path: &Path, config: &ScanConfig, detector: &Detector) -> FileOutcome {
    scan_file_with(
        path,
        config,
        detector,
        &prefilter::Prefilters::new(detector),
        &mut Vec::new(),
    )
}

/// A reused read buffer larger than this is let go after its file, so a thread that met one huge
/// file does not hold its memory for the rest of the scan.
const KEEP_BUFFER_BYTES: usize = 32 << 20;

fn scan_file_with(
    path: &Path,
    config: &ScanConfig,
    detector: &Detector,
    prefilters: &prefilter::Prefilters,
    buffer: &mut Vec<u8>,
) -> FileOutcome {
    let outcome = scan_file_in(path, config, detector, prefilters, buffer);
    if buffer.capacity() > KEEP_BUFFER_BYTES {
        *buffer = Vec::new();
    }
    outcome
}

fn scan_file_in(
    path: &Path,
    config: &ScanConfig,
    detector: &Detector,
    prefilters: &prefilter::Prefilters,
    data: &mut Vec<u8>,
) -> FileOutcome {
    let path_str = config.shown_path(path);
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut outcome = FileOutcome {
        path: path_str.clone(),
        extension,
        ..FileOutcome::default()
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unreadable = |outcome: &mut FileOutcome, e: fs::ReadError| {
        outcome.unscanned.push(Unscanned {
            path: outcome.path.clone(),
            inner: Vec::new(),
            reason: e.reason,
            detail: e.detail,
        });
    };
    let (mut file, len) = match fs::open_regular(path) {
        Ok(opened) => opened,
        Err(e) => {
            unreadable(&mut outcome, e);
            return outcome;
        }
    };
    // Plain text too large to hold in memory (logs, exports, dumps) is read in chunks, so memory stays
    // bounded whatever the file size; every other format needs its whole container.
    if len > config.stream_above_bytes {
        match stream::large_text(&mut file, &file_name, config, detector, &path_str) {
            Ok(Some(streamed)) => {
                outcome.bytes = streamed.bytes;
                outcome.format = Some(Format::Text);
                outcome.findings = streamed.findings;
                outcome.unscanned = streamed.unscanned;
                return outcome;
            }
            Ok(None) => {}
            Err(e) => {
                unreadable(&mut outcome, e);
                return outcome;
            }
        }
        if let Err(e) = std::io::Seek::rewind(&mut file) {
            unreadable(&mut outcome, e.into());
            return outcome;
        }
    }
    // Compound files are read in place: their text is a small part of them (a 480 KB presentation
    // holds 440 KB of thumbnail), and reading the rest was most of their time.
    if let Err(e) = fs::read_head(&mut file, 8, data) {
        unreadable(&mut outcome, e.into());
        return outcome;
    }
    let result = if baomi_extract::reads_in_place(&file_name, data) {
        if let Err(e) = fs::check_size(len, config.max_file_bytes) {
            unreadable(&mut outcome, e);
            return outcome;
        }
        if let Err(e) = std::io::Seek::rewind(&mut file) {
            unreadable(&mut outcome, e.into());
            return outcome;
        }
        outcome.bytes = len;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut collector = findings::Collector::new(&path_str, detector, config.zone);
            let mut budget = Budget::new(config.limits.clone());
            let mut reader = fs::WindowedFile::new(&mut file);
            let result =
                baomi_extract::extract_in_place(&mut reader, len, &mut budget, &mut collector);
            (result, collector)
        }))
    } else {
        // The head read above is the start of the file: the rest follows it, no seek back.
        if let Err(e) = fs::read_rest(file, len, config.max_file_bytes, data) {
            unreadable(&mut outcome, e);
            return outcome;
        }
        let data: &[u8] = data;
        outcome.bytes = data.len() as u64;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut collector = findings::Collector::new(&path_str, detector, config.zone);
            if prefilter::head_only(data, &file_name, prefilters, &mut collector).is_some() {
                return (Ok(Format::Text), collector);
            }
            let mut budget = Budget::new(config.limits.clone());
            let result = baomi_extract::extract(&file_name, data, &mut budget, &mut collector);
            (result, collector)
        }))
    };
    match result {
        Ok((Ok(format), collector)) => {
            outcome.format = Some(format);
            let (found, unscanned) = collector.finish();
            outcome.findings = found;
            outcome.unscanned = unscanned;
        }
        Ok((Err(unreadable), collector)) => {
            // Whatever was read before the failure still counts: a bomb's first members may be marked.
            let (found, mut unscanned) = collector.finish();
            outcome.findings = found;
            unscanned.insert(
                0,
                Unscanned {
                    path: path_str,
                    inner: Vec::new(),
                    reason: unreadable.reason,
                    detail: unreadable.detail,
                },
            );
            outcome.unscanned = unscanned;
        }
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            outcome.unscanned.push(Unscanned {
                path: path_str,
                inner: Vec::new(),
                reason: UnscannedReason::ParserPanic,
                detail: format!("parser failed unexpectedly: {message}"),
            });
        }
    }
    outcome
}
