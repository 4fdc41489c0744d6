#![no_main]
//! Fuzz the native systemd journal reader (baomi-host usb::journal): header, entry-array chain, the
//! object walk that recovers a broken chain, and the XZ / LZ4 / ZSTD field decoders. Seeds: the
//! fixture journals with their hash tables cut out (`tests/fixtures/journal/rewrite.py seeds`), so they are
//! small.

use libfuzzer_sys::fuzz_target;
use std::hint::black_box;

fuzz_target!(|data: &[u8]| {
    let wanted = ["MESSAGE", "_TRANSPORT", "SYSLOG_IDENTIFIER", "_BOOT_ID"];
    let _ = black_box(baomi_host::usb::journal::read_entries(
        data,
        &wanted,
        &mut |entry| {
            black_box((entry.realtime_usec, entry.fields.len()));
            for (name, value) in &entry.fields {
                black_box((name.len(), value.len()));
            }
        },
    ));
});
