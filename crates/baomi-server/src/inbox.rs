//! The watched folder (`baomi serve --watch DIR`): reports carried in on a stick from computers that
//! have no network path to the server are copied into DIR, and the server imports them.
//!
//! A file is taken only once it has settled (unchanged for [`SETTLE`]), so a copy still in progress
//! is not read half-written. It is moved out only after its import committed: to `imported/` when
//! stored (or stored before), to `rejected/` with a `.reason.txt` beside it when it is not a valid
//! report. When the database cannot be reached the file stays where it is and is tried again on the
//! next sweep, so a crash or an outage loses nothing (an import is idempotent by report id).

use crate::MAX_REPORT_BYTES;
use baomi_core::report::Report;
use baomi_store::{Imported, Store};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A file younger than this may still be being copied.
pub const SETTLE: Duration = Duration::from_secs(2);

/// What one sweep did with one file.
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// Stored, with its findings; `computer_id` is `None` when held as unmatched.
    Imported {
        /// The file's name.
        file: String,
        /// The computer it was linked to.
        computer_id: Option<i64>,
        /// Findings stored.
        findings: usize,
    },
    /// The same report was imported before.
    Duplicate {
        /// The file's name.
        file: String,
    },
    /// Not a report the server accepts; moved to `rejected/`.
    Rejected {
        /// The file's name.
        file: String,
        /// Why.
        reason: String,
    },
    /// Left in place to be tried again (the database failed, or the file could not be moved).
    Deferred {
        /// The file's name.
        file: String,
        /// Why.
        reason: String,
    },
}

/// Sweep `dir` every `every` until the process ends, printing what was taken.
pub async fn watch(store: Store, dir: PathBuf, every: Duration) {
    loop {
        match sweep(&store, &dir).await {
            Ok(taken) => {
                for t in taken {
                    eprintln!("baomi serve: {}: {}", dir.display(), describe(&t));
                }
            }
            Err(e) => eprintln!("baomi serve: cannot read {}: {e}", dir.display()),
        }
        tokio::time::sleep(every).await;
    }
}

fn describe(t: &Taken) -> String {
    match t {
        Taken::Imported {
            file,
            computer_id: Some(c),
            findings,
        } => format!("{file}: imported, {findings} findings, computer {c}"),
        Taken::Imported { file, findings, .. } => {
            format!("{file}: imported, {findings} findings, held as unmatched")
        }
        Taken::Duplicate { file } => format!("{file}: imported before, nothing stored"),
        Taken::Rejected { file, reason } => format!("{file}: rejected: {reason}"),
        Taken::Deferred { file, reason } => format!("{file}: will retry: {reason}"),
    }
}

/// One pass over `dir`: every settled `*.json` directly in it, in name order.
pub async fn sweep(store: &Store, dir: &Path) -> std::io::Result<Vec<Taken>> {
    let mut files = Vec::new();
    let now = SystemTime::now();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !name.to_ascii_lowercase().ends_with(".json") {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let settled = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age >= SETTLE);
        if settled {
            files.push((name, path, meta.len()));
        }
    }
    files.sort();
    let mut taken = Vec::with_capacity(files.len());
    for (name, path, len) in files {
        taken.push(take(store, dir, name, &path, len).await);
    }
    Ok(taken)
}

async fn take(store: &Store, dir: &Path, file: String, path: &Path, len: u64) -> Taken {
    let reject = |reason: String| {
        let to = dir.join("rejected");
        match move_into(path, &to, &file) {
            Ok(moved) => {
                let note = moved.with_extension("reason.txt");
                let _ = std::fs::write(note, format!("{reason}\n"));
                Taken::Rejected {
                    file: file.clone(),
                    reason,
                }
            }
            Err(e) => Taken::Deferred {
                file: file.clone(),
                reason: format!("cannot move it to {}: {e}", to.display()),
            },
        }
    };
    if len > MAX_REPORT_BYTES as u64 {
        return reject(format!(
            "{len} bytes; reports larger than {MAX_REPORT_BYTES} are refused"
        ));
    }
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => return reject("the report is not UTF-8 text".into()),
        },
        Err(e) => {
            return Taken::Deferred {
                file,
                reason: format!("cannot read it: {e}"),
            };
        }
    };
    let report: Report = match serde_json::from_str(&text) {
        Ok(r) => r,
        Err(e) => return reject(format!("not a Baomi report (baomi.report/1): {e}")),
    };
    let actor = format!("inbox:{}", dir.display());
    let outcome = match store.import_report(&actor, &report, &text).await {
        Ok(o) => o,
        Err(baomi_store::Error::Invalid(m)) => return reject(m),
        Err(e) => {
            return Taken::Deferred {
                file,
                reason: e.to_string(),
            };
        }
    };
    let done = match outcome {
        Imported::New {
            computer_id,
            findings,
            ..
        } => Taken::Imported {
            file: file.clone(),
            computer_id,
            findings,
        },
        Imported::Duplicate { .. } => Taken::Duplicate { file: file.clone() },
    };
    match move_into(path, &dir.join("imported"), &file) {
        Ok(_) => done,
        // Stored, but still in the inbox: the next sweep finds it a duplicate and moves it then.
        Err(e) => Taken::Deferred {
            file,
            reason: format!("stored, but cannot move it out: {e}"),
        },
    }
}

/// Move `path` into `to` (made when missing) under `name`, or `name` with a number when taken, so
/// that an earlier file of the same name is never overwritten. Returns where it went.
fn move_into(path: &Path, to: &Path, name: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(to)?;
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 0..10_000u32 {
        let candidate = if n == 0 {
            to.join(name)
        } else {
            to.join(format!("{stem}.{n}.{ext}"))
        };
        if !candidate.exists() {
            std::fs::rename(path, &candidate)?;
            return Ok(candidate);
        }
    }
    Err(std::io::Error::other("10,000 files of that name already"))
}
