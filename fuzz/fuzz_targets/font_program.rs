#![no_main]
//! Fuzz the readers of a simple font's built-in encoding head-on: arbitrary bytes as a Type 1
//! program's clear text and as a bare CFF font. Inside whole PDFs the program
//! is a compressed stream that mutations rarely reach intact; the `pdf` target covers that path.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_extract::fuzz_entry::font_program(data));
