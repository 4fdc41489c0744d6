#![no_main]
//! Fuzz the gz reader: arbitrary bytes named `f.gz`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.gz", data));
