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

/// Decode bytes of unknown encoding to text (BOM, UTF-16 heuristics, UTF-8, then chardetng).
pub fn decode_text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}
