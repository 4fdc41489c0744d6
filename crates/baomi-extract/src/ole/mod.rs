//! OLE compound files (Word/WPS, Excel/WPS, PowerPoint/WPS, Outlook .msg): not written yet (issue 3).

use crate::{Budget, Format, Unreadable, Visitor};
use baomi_core::UnscannedReason;

/// Extract an OLE compound file; returns the format it turned out to hold.
pub(crate) fn extract(
    _data: &[u8],
    _inner: &mut Vec<String>,
    _budget: &mut Budget,
    _visitor: &mut dyn Visitor,
) -> Result<Format, Unreadable> {
    Err(Unreadable::new(
        UnscannedReason::UnsupportedFormat,
        "OLE compound files are not read yet",
    ))
}
