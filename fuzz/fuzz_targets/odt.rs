#![no_main]
//! Fuzz the odt parser: arbitrary bytes named `f.odt`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.odt", data));
