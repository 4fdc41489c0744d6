#![no_main]
//! Fuzz the browser-history reader: a database image and a WAL (the first two bytes, little-endian,
//! say how many of the rest belong to the database), the WAL applied in memory, the image opened by
//! SQLite's `deserialize`, then read as a Chromium History and as a Firefox places.sqlite.
//! Seeds: `python3 tests/fixtures/browsers/fuzz_seeds.py fuzz/corpus/wal` (small WAL-mode databases
//! with both schemas, copied while their connection was open).

use baomi_host::web::{Kind, read_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((len, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let split = usize::from(u16::from_le_bytes(*len)).min(rest.len());
    let (db, wal) = rest.split_at(split);
    for kind in [Kind::Chromium, Kind::Firefox] {
        let _ = std::hint::black_box(read_bytes(db.to_vec(), Some(wal), kind, 1000));
    }
});
