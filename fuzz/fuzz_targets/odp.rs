#![no_main]
//! Fuzz the odp parser: arbitrary bytes named `f.odp`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::extract_as("f.odp", data));
