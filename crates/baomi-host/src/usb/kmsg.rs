//! TODO(helper): kmsg.
