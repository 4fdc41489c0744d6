//! TODO
use crate::{Budget, Unreadable, Visitor};

pub(crate) fn extract(
    _data: &[u8],
    _inner: &mut Vec<String>,
    _budget: &mut Budget,
    _visitor: &mut dyn Visitor,
) -> Result<(), Unreadable> {
    Err(Unreadable::corrupt("not implemented"))
}
