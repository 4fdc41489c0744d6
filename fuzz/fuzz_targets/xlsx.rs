#![no_main]
//! Fuzz the xlsx parser: arbitrary bytes named `f.xlsx`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.xlsx", data));
