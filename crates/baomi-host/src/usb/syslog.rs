//! TODO(helper): syslog.
