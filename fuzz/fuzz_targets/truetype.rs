#![no_main]
//! Fuzz the reader of an embedded TrueType program's Unicode cmap head-on (a PDF's CIDFontType2
//! without ToUnicode): arbitrary bytes as the font program. Inside whole PDFs the program is a
//! compressed stream that mutations rarely reach intact; the `pdf` target covers that path.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| baomi_extract::fuzz_entry::truetype_program(data));
