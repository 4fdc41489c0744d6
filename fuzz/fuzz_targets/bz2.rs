#![no_main]
//! Fuzz the bz2 reader: arbitrary bytes named `f.bz2`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.bz2", data));
