//! RTF: not written yet (issue 3).

use crate::{Budget, Unreadable, Visitor};
use baomi_core::UnscannedReason;

pub(crate) fn extract(
    _data: &[u8],
    _inner: &mut Vec<String>,
    _budget: &mut Budget,
    _visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    Err(Unreadable::new(
        UnscannedReason::UnsupportedFormat,
        "RTF is not read yet",
    ))
}
