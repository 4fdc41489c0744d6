#![no_main]
//! Fuzz the docx parser: arbitrary bytes named `f.docx`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.docx", data));
