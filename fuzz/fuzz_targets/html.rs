#![no_main]
//! Fuzz the html parser: arbitrary bytes named `f.html`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.html", data));
