//! TODO
use crate::{Budget, Format, Unreadable, Visitor};

pub(crate) fn extract(
    _format: Format,
    _data: &[u8],
    _inner: &mut Vec<String>,
    _budget: &mut Budget,
    _visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    Err(Unreadable::corrupt("not implemented"))
}
