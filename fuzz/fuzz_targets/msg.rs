#![no_main]
//! Fuzz the msg reader: arbitrary bytes named `f.msg`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.msg", data));
