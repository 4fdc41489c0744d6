//! tar, gzip, bzip2, xz and 7-Zip: not written yet (issue 3).

use crate::{Budget, Format, Unreadable, Visitor};
use baomi_core::UnscannedReason;

pub(crate) fn extract(
    _format: Format,
    _data: &[u8],
    _inner: &mut Vec<String>,
    _budget: &mut Budget,
    _visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    Err(Unreadable::new(
        UnscannedReason::UnsupportedFormat,
        "archive not read yet",
    ))
}
