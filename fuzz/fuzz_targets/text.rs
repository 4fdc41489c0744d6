#![no_main]
//! Fuzz the text parser: arbitrary bytes named `f.txt`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.txt", data));
