#![no_main]
//! Fuzz the zip parser: arbitrary bytes named `f.zip`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.zip", data));
