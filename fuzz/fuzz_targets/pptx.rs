#![no_main]
//! Fuzz the pptx parser: arbitrary bytes named `f.pptx`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.pptx", data));
