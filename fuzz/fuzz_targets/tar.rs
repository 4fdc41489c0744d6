#![no_main]
//! Fuzz the tar reader: arbitrary bytes named `f.tar`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.tar", data));
