#![no_main]
//! Fuzz the doc reader: arbitrary bytes named `f.doc`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.doc", data));
