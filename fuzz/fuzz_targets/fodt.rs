#![no_main]
//! Fuzz the XML tokenizer head-on: arbitrary bytes named `f.fodt` (flat ODF is one XML document, no zip
//! around it, so every input reaches `baomi-extract::xml`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.fodt", data));
