#![no_main]
//! Fuzz the pdf reader: arbitrary bytes named `f.pdf`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.pdf", data));
