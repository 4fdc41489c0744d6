#![no_main]
//! Fuzz the ppt reader: arbitrary bytes named `f.ppt`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.ppt", data));
