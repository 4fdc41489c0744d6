#![no_main]
//! Fuzz the mbox splitter: arbitrary bytes after a `From ` separator line, named `f.mbox`, so the
//! splitter and each message's mail parser are reached whatever the input.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = b"From MAILER-DAEMON Thu Nov 26 00:00:00 2026\nFrom: a@b\nSubject: s\n\n".to_vec();
    input.extend_from_slice(data);
    baomi_fuzz::extract_as("f.mbox", &input);
});
