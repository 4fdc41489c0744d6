//! Safety limits shared by every parser, and the per-file budget that enforces them.
//!
//! One [`Budget`] lives for one top-level file: nested containers draw from the same pool of bytes and
//! time, so a zip of zips cannot multiply the limits.

use crate::Unreadable;
use baomi_core::{LimitsPolicy, UnscannedReason};
use std::time::{Duration, Instant};

/// Limits for one top-level file.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Containers nested deeper than this are not opened.
    pub max_depth: u32,
    /// Members read from one container at most.
    pub max_members: u32,
    /// Bytes decompressed from one top-level file, all members together.
    pub max_uncompressed: u64,
    /// Largest ratio of decompressed to compressed size of one member.
    pub max_ratio: u32,
    /// Deepest XML nesting.
    pub max_xml_depth: u32,
    /// Extracted text per top-level file.
    pub max_text: u64,
    /// Wall time per top-level file.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::from(&LimitsPolicy::default())
    }
}

impl From<&LimitsPolicy> for Limits {
    fn from(p: &LimitsPolicy) -> Self {
        Limits {
            max_depth: p.max_archive_depth,
            max_members: p.max_archive_members,
            max_uncompressed: p.max_uncompressed_mb.saturating_mul(1 << 20),
            max_ratio: p.max_compression_ratio,
            max_xml_depth: p.max_xml_depth,
            max_text: p.max_text_mb.saturating_mul(1 << 20),
            timeout: Duration::from_secs(p.file_timeout_secs),
        }
    }
}

/// What one top-level file may still spend.
#[derive(Debug)]
pub struct Budget {
    /// The limits in force.
    pub limits: Limits,
    deadline: Instant,
    depth: u32,
    uncompressed: u64,
    text: u64,
    exhausted: bool,
}

impl Budget {
    /// A fresh budget for one file, starting its clock now.
    pub fn new(limits: Limits) -> Budget {
        Budget {
            deadline: Instant::now() + limits.timeout,
            limits,
            depth: 0,
            uncompressed: 0,
            text: 0,
            exhausted: false,
        }
    }

    /// Fail once the file's time is up. Parsers call this in their loops.
    pub fn check_time(&mut self) -> Result<(), Unreadable> {
        if Instant::now() > self.deadline {
            self.exhausted = true;
            return Err(Unreadable::limit(format!(
                "time limit of {} s per file reached",
                self.limits.timeout.as_secs()
            )));
        }
        Ok(())
    }

    /// Enter a nested container.
    pub fn enter(&mut self) -> Result<(), Unreadable> {
        if self.depth >= self.limits.max_depth {
            return Err(Unreadable::limit(format!(
                "containers nested deeper than {}",
                self.limits.max_depth
            )));
        }
        self.depth += 1;
        Ok(())
    }

    /// Leave a nested container.
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Current nesting depth (0 for the top-level file).
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Account for `n` decompressed bytes.
    pub fn spend_uncompressed(&mut self, n: u64) -> Result<(), Unreadable> {
        self.uncompressed = self.uncompressed.saturating_add(n);
        if self.uncompressed > self.limits.max_uncompressed {
            self.exhausted = true;
            return Err(Unreadable::limit(format!(
                "more than {} MiB decompressed from one file",
                self.limits.max_uncompressed >> 20
            )));
        }
        Ok(())
    }

    /// Bytes that may still be decompressed.
    pub fn uncompressed_left(&self) -> u64 {
        self.limits
            .max_uncompressed
            .saturating_sub(self.uncompressed)
    }

    /// Account for `n` bytes of extracted text.
    pub fn spend_text(&mut self, n: u64) -> Result<(), Unreadable> {
        self.text = self.text.saturating_add(n);
        if self.text > self.limits.max_text {
            self.exhausted = true;
            return Err(Unreadable::limit(format!(
                "more than {} MiB of text extracted from one file",
                self.limits.max_text >> 20
            )));
        }
        Ok(())
    }

    /// True once a whole-file limit (time, total bytes, total text) was hit: the rest of the file is
    /// abandoned rather than each remaining member failing one by one.
    pub fn exhausted(&self) -> bool {
        self.exhausted
    }

    /// Fail if `declared` decompressed bytes from `compressed` would exceed the ratio limit.
    pub fn check_ratio(&self, compressed: u64, declared: u64) -> Result<(), Unreadable> {
        let allowed = compressed
            .max(1)
            .saturating_mul(u64::from(self.limits.max_ratio));
        // Small members compress extremely well (a page of spaces); only large ones can be bombs.
        if declared > allowed && declared > (1 << 20) {
            return Err(Unreadable::new(
                UnscannedReason::Limit,
                format!(
                    "compression ratio {}:1 above the limit of {}:1 (zip bomb?)",
                    declared / compressed.max(1),
                    self.limits.max_ratio
                ),
            ));
        }
        Ok(())
    }
}
