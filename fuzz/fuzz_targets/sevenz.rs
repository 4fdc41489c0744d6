#![no_main]
//! Fuzz the 7z reader: arbitrary bytes named `f.7z`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.7z", data));
