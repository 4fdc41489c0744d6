#![no_main]
//! Fuzz the USB-history log reader: arbitrary bytes read as a syslog file (line split, both stamp
//! styles, year inference, kernel-message parser, port tracker, merge), and each line also handed to
//! the kernel-message and udisks-mount parsers bare. A malformed line must be skipped, never fatal.

use baomi_host::usb::{History, kmsg};
use libfuzzer_sys::fuzz_target;
use std::hint::black_box;

fuzz_target!(|data: &[u8]| {
    let mut h = History::new(jiff::tz::TimeZone::UTC, jiff::Timestamp::UNIX_EPOCH);
    h.read_syslog("f", data, None, 1 << 24);
    black_box(h.finish());
    for line in data.split(|&b| b == b'\n') {
        let (t, msg) = kmsg::strip_printk(line);
        black_box((t, kmsg::parse(msg), kmsg::parse_mount(msg)));
    }
});
