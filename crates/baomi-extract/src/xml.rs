//! Shared XML helpers (quick-xml with depth and entity limits).
