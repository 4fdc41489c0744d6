#![no_main]
//! Fuzz the ods parser: arbitrary bytes named `f.ods`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.ods", data));
