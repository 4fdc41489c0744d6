#![no_main]
//! Fuzz the .xlsb record readers head-on: arbitrary bytes as a BIFF12 part (sheet, shared strings,
//! comments and workbook readers in turn). Whole .xlsb packages are zips whose members are
//! checksummed, so mutated bytes would mostly stop at the zip reader; the `xlsx` target covers that.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_extract::fuzz_entry::xlsb_part(data));
