#![no_main]
//! Fuzz the Office 2003 XML readers head-on: arbitrary bytes as Word 2003 XML and as Excel 2003 XML
//! (through `extract` only inputs whose head names one of them reach these readers).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_extract::fuzz_entry::office2003(data));
