#![no_main]
//! Fuzz the xls reader: arbitrary bytes named `f.xls`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.xls", data));
