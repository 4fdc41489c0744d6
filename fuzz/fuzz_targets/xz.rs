#![no_main]
//! Fuzz the xz reader: arbitrary bytes named `f.xz`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.xz", data));
