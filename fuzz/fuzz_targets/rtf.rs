#![no_main]
//! Fuzz the rtf reader: arbitrary bytes named `f.rtf`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.rtf", data));
