#![no_main]
//! Fuzz the eml parser: arbitrary bytes named `f.eml`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.eml", data));
