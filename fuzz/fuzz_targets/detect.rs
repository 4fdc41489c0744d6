#![no_main]
//! Fuzz the detector: arbitrary text in each placement.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_fuzz::detect(data));
