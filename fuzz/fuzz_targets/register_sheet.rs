#![no_main]
//! Fuzz the register-sheet reader (`baomi serve`'s import): arbitrary bytes as an uploaded .xlsx,
//! .xls or CSV. It must return rows or a reason, never panic, hang or blow up memory.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = baomi_sheets::read(data);
});
