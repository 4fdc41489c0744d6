#![no_main]
//! Fuzz the ofd reader: arbitrary bytes named `f.ofd`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.ofd", data));
