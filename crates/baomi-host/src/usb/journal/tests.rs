//! The reader against journals written by systemd-journal-remote 252 and read back by journalctl
//! (tests/fixtures/journal/make.sh; the LZ4 and XZ ones recompressed from real uncompressed ones, see
//! there), and against damaged and made-up input.

use super::compress;
use super::*;
use std::io::Read;

const USB_FIELDS: &[&str] = &[
    "MESSAGE",
    "_TRANSPORT",
    "SYSLOG_IDENTIFIER",
    "_COMM",
    "_HOSTNAME",
    "_BOOT_ID",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../tests/fixtures/journal/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    if !name.ends_with(".gz") {
        return bytes;
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    out
}

/// One entry as compared: realtime, and (name, value) pairs sorted by name (stable, so the values of
/// one name keep their order). journalctl prints `_BOOT_ID` first whatever the item order, hence the
/// sort.
type Flat = (u64, Vec<(Vec<u8>, Vec<u8>)>);

/// Parse `journalctl -o export` output (docs/JOURNAL_EXPORT_FORMATS.md), keeping the `wanted` fields
/// (every non-`__` field when `wanted` is empty).
fn parse_export(mut text: &[u8], wanted: &[&str]) -> Vec<Flat> {
    let mut entries = Vec::new();
    let mut current: Option<Flat> = None;
    while !text.is_empty() {
        let line_end = memchr::memchr(b'\n', text).expect("export lines end in a newline");
        let line = &text[..line_end];
        text = &text[line_end + 1..];
        if line.is_empty() {
            entries.extend(current.take());
            continue;
        }
        let (name, value) = match memchr::memchr(b'=', line) {
            Some(eq) => (&line[..eq], line[eq + 1..].to_vec()),
            None => {
                let len = u64::from_le_bytes(text[..8].try_into().expect("8 bytes")) as usize;
                let value = text[8..8 + len].to_vec();
                text = &text[8 + len + 1..];
                (line, value)
            }
        };
        let entry = current.get_or_insert_with(|| (0, Vec::new()));
        if name == b"__REALTIME_TIMESTAMP" {
            entry.0 = std::str::from_utf8(&value)
                .expect("ascii")
                .parse()
                .expect("number");
        } else if !name.starts_with(b"__")
            && (wanted.is_empty() || wanted.iter().any(|w| w.as_bytes() == name))
        {
            entry.1.push((name.to_vec(), value));
        }
    }
    entries.extend(current);
    for entry in &mut entries {
        entry.1.sort_by(|a, b| a.0.cmp(&b.0));
    }
    entries
}

fn read(data: &[u8], wanted: &[&str]) -> (Vec<Flat>, JournalSummary) {
    let mut got = Vec::new();
    let summary = read_entries(data, wanted, &mut |e| {
        let hex: String = e.boot_id.iter().map(|b| format!("{b:02x}")).collect();
        if let Some(field) = e.field("_BOOT_ID") {
            assert_eq!(field, hex.as_bytes(), "boot id of the header vs the field");
        }
        let mut fields: Vec<_> = e
            .fields
            .iter()
            .map(|(n, v)| (n.to_vec(), v.to_vec()))
            .collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        got.push((e.realtime_usec, fields));
    })
    .expect("a journal");
    (got, summary)
}

/// Every field name the expected output has.
fn all_names(expected: &[Flat]) -> Vec<String> {
    let mut names: Vec<String> = expected
        .iter()
        .flat_map(|e| e.1.iter())
        .map(|(n, _)| String::from_utf8_lossy(n).into_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The reader gives what journalctl printed: the USB fields, then every field.
fn same_as_journalctl(variant: &str) {
    let data = fixture(&format!("{variant}.journal.gz"));
    let export = fixture(&format!("{variant}.expected"));
    let expected = parse_export(&export, USB_FIELDS);
    let (got, summary) = read(&data, USB_FIELDS);
    assert_eq!(got.len(), 45, "{variant}");
    assert_eq!(got, expected, "{variant}");
    assert_eq!(summary.entries, 45);
    assert_eq!(summary.skipped, 0, "{variant}");
    assert_eq!(summary.problem, None, "{variant}");
    assert!(!summary.online);
    assert_eq!(summary.first_usec, Some(expected[0].0));
    assert_eq!(summary.last_usec, expected.last().map(|e| e.0));

    let everything = parse_export(&export, &[]);
    let names = all_names(&everything);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let (got, summary) = read(&data, &names);
    assert_eq!(got, everything, "{variant}: all fields");
    assert_eq!(summary.skipped, 0);
}

#[test]
fn compact_zstd_keyed() {
    same_as_journalctl("compact-zstd-keyed");
}
#[test]
fn classic_zstd_plain() {
    same_as_journalctl("classic-zstd-plain");
}
#[test]
fn classic_none_keyed() {
    same_as_journalctl("classic-none-keyed");
}
#[test]
fn compact_none_plain() {
    same_as_journalctl("compact-none-plain");
}
#[test]
fn classic_none_plain() {
    same_as_journalctl("classic-none-plain");
}
#[test]
fn classic_lz4_keyed() {
    same_as_journalctl("classic-lz4-keyed");
}
#[test]
fn classic_xz_plain() {
    same_as_journalctl("classic-xz-plain");
}
#[test]
fn compact_lz4_plain() {
    same_as_journalctl("compact-lz4-plain");
}

#[test]
fn the_story_is_there() {
    let (got, _) = read(
        &fixture("compact-zstd-keyed.journal.gz"),
        &["MESSAGE", "_COMM"],
    );
    let messages: Vec<String> = got
        .iter()
        .flat_map(|e| e.1.iter())
        .filter(|(n, _)| n == b"MESSAGE")
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .collect();
    let has = |s: &str| messages.iter().any(|m| m == s);
    assert!(has(
        "usb 1-1: New USB device found, idVendor=0781, idProduct=5567, bcdDevice= 1.00"
    ));
    assert!(has(
        "Mounted /dev/sdc1 at /media/zhang/KINGSTON on behalf of uid 1000"
    ));
    assert!(has("用户 zhang 已登录桌面会话"));
    // The long crash report was compressed by journald (> 512 bytes) and holds a newline.
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("页面崩溃报告") && m.len() > 2000 && m.contains('\n'))
    );
}

/// DEBUG_BLOB is compressed (3 KB); asked alone it comes whole, in every compression.
fn compressed_field_asked_alone(variant: &str) {
    let (got, _) = read(&fixture(&format!("{variant}.journal.gz")), &["DEBUG_BLOB"]);
    let blobs: Vec<_> = got.iter().filter(|e| !e.1.is_empty()).collect();
    assert_eq!(blobs.len(), 1);
    let value = &blobs[0].1[0].1;
    assert_eq!(value.len(), 3003);
    assert!(value.ends_with(b"xxxEND"));
}

#[test]
fn compressed_field_asked_alone_zstd() {
    compressed_field_asked_alone("compact-zstd-keyed");
}
#[test]
fn compressed_field_asked_alone_lz4() {
    compressed_field_asked_alone("compact-lz4-plain");
}
#[test]
fn compressed_field_asked_alone_xz() {
    compressed_field_asked_alone("classic-xz-plain");
}

/// Damaged files: what comes before the damage is read, `problem` says why the rest is not.
fn damaged(name: &str, want_entries: std::ops::RangeInclusive<usize>, problem: &str, online: bool) {
    let data = fixture(name);
    let expected = parse_export(&fixture("compact-zstd-keyed.expected"), USB_FIELDS);
    let (got, summary) = read(&data, USB_FIELDS);
    assert!(
        want_entries.contains(&got.len()),
        "{name}: {} entries",
        got.len()
    );
    assert_eq!(
        got[..],
        expected[..got.len()],
        "{name}: a prefix of the whole"
    );
    let said = summary.problem.unwrap_or_default();
    assert!(said.contains(problem), "{name}: {said}");
    assert_eq!(summary.online, online, "{name}");
}

#[test]
fn truncated_mid_file() {
    damaged(
        "truncated.journal.gz",
        1..=44,
        "past the end of the file",
        false,
    );
}
#[test]
fn crashed_chain_past_end_recovered_by_object_walk() {
    damaged(
        "crashed.journal~.gz",
        45..=45,
        "more entries found by walking the objects",
        true,
    );
}

/// Edit a copy of the compact fixture and read it: never a panic or a hang, `problem` set.
fn edited(edit: fn(&mut Vec<u8>), problem: &str) {
    let mut data = fixture("compact-zstd-keyed.journal.gz");
    edit(&mut data);
    let (_, summary) = read(&data, USB_FIELDS);
    let said = summary.problem.unwrap_or_default();
    assert!(said.contains(problem), "{said}");
}

fn put64(data: &mut [u8], at: usize, v: u64) {
    data[at..at + 8].copy_from_slice(&v.to_le_bytes());
}
fn get64(data: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(data[at..at + 8].try_into().expect("8 bytes"))
}

#[test]
fn chain_loops_back() {
    edited(
        |d| {
            let first = get64(d, 176) as usize;
            let second = get64(d, first + 16) as usize;
            put64(d, second + 16, first as u64);
        },
        "goes back",
    );
}
#[test]
fn chain_points_into_header() {
    edited(|d| put64(d, 176, 8), "not a valid object");
}
#[test]
fn chain_points_at_wrong_type() {
    edited(
        |d| {
            let first = get64(d, 176) as usize;
            let entry = u32::from_le_bytes(d[first + 24..first + 28].try_into().expect("4")) as u64;
            put64(d, 176, entry);
        },
        "wrong type",
    );
}
#[test]
fn header_counts_more_than_linked() {
    edited(
        |d| put64(d, 152, 1000),
        "counts 1000 entries but the entry arrays link only 45",
    );
}

fn not_journal(data: &[u8]) {
    assert!(
        matches!(
            read_entries(data, USB_FIELDS, &mut |_| {}),
            Err(JournalError::NotJournal(_))
        ),
        "{data:?}"
    );
}

#[test]
fn garbage() {
    not_journal(b"");
    not_journal(b"LPKSHHR");
    not_journal(b"LPKSHHRH");
    not_journal(&[0u8; 4096]);
    not_journal(b"Nov 26 01:02:03 host kernel: usb 1-1: new high-speed USB device\n");
    let mut header = fixture("compact-zstd-keyed.journal.gz")[..264].to_vec();
    header[88] = 200; // header_size larger than the data
    header[89] = 1;
    not_journal(&header);
}

#[test]
fn header_only_reads_nothing() {
    let data = fixture("compact-zstd-keyed.journal.gz");
    let (got, summary) = read(&data[..264], USB_FIELDS);
    assert!(got.is_empty());
    assert!(summary.problem.is_some());
}

#[test]
fn unknown_incompatible_flag() {
    let mut data = fixture("compact-zstd-keyed.journal.gz");
    data[12] |= 0x40;
    assert!(matches!(
        read_entries(&data, USB_FIELDS, &mut |_| {}),
        Err(JournalError::Unsupported(_))
    ));
}

/// Every prefix of a journal: no panic, and entries only ever a prefix of the whole.
#[test]
fn every_cut() {
    let data = fixture("classic-zstd-plain.journal.gz");
    let whole = read(&data, USB_FIELDS).0;
    let header_size = get64(&data, 88) as usize;
    let tail = get64(&data, 136) as usize;
    let end = tail + get64(&data, tail + 8) as usize;
    for cut in (0..header_size + 64).chain((header_size..=end).step_by(61)) {
        if let Ok(summary) = read_entries(&data[..cut], USB_FIELDS, &mut |_| {}) {
            let got = read(&data[..cut], USB_FIELDS).0;
            assert_eq!(got[..], whole[..got.len()], "cut at {cut}");
            assert!(cut >= end || summary.problem.is_some(), "cut at {cut}");
        }
    }
}

// Field payloads made by the real xz and lz4 tools (tests/fixtures/journal/make.sh).

fn payload(kind: u8, file: &str) {
    let compressed = fixture(&format!("payloads/{file}"));
    let plain = fixture("payloads/message.txt");
    let mut out = Vec::new();
    compress::decode(kind, &compressed, MAX_FIELD + 1, &mut out).expect("decodes");
    assert_eq!(out, plain, "{file}");
    for limit in [0, 1, 7, 8, 9, 64, 100, 1000] {
        out.clear();
        compress::decode(kind, &compressed, limit, &mut out).expect("prefix decodes");
        assert_eq!(out, plain[..limit.min(plain.len())], "{file} limit {limit}");
    }
    // Cut anywhere: an error or a shorter output, never a panic or wrong bytes.
    for cut in 0..compressed.len() {
        out.clear();
        if compress::decode(kind, &compressed[..cut], MAX_FIELD + 1, &mut out).is_ok() {
            assert!(plain.starts_with(&out), "{file} cut {cut}");
        }
    }
}

#[test]
fn xz_payload() {
    payload(compress::OBJECT_COMPRESSED_XZ, "message.xz");
}
#[test]
fn lz4_payload() {
    payload(compress::OBJECT_COMPRESSED_LZ4, "message.lz4");
}
#[test]
fn several_compression_flags_are_refused() {
    let compressed = fixture("payloads/message.xz");
    assert!(compress::decode(3, &compressed, 100, &mut Vec::new()).is_err());
}

// Written natively by systemd 254 (make_other_systemd.sh): real XZ and LZ4 field compression, the 272-byte header
// and the TAIL_ENTRY_BOOT_ID compatible flag.
#[test]
fn systemd_254_compact_xz_keyed() {
    same_as_journalctl("sd254-compact-xz-keyed");
}
#[test]
fn systemd_254_compact_lz4_keyed() {
    same_as_journalctl("sd254-compact-lz4-keyed");
}
#[test]
fn systemd_254_compact_zstd_keyed() {
    same_as_journalctl("sd254-compact-zstd-keyed");
}

// Written natively by systemd 247 (Debian 11; the generation of Kylin V10 and UOS 20): classic format,
// LZ4 by default, 256-byte header.
#[test]
fn systemd_247_classic_lz4_plain() {
    same_as_journalctl("sd247-classic-lz4-plain");
}
#[test]
fn systemd_247_classic_lz4_keyed() {
    same_as_journalctl("sd247-classic-lz4-keyed");
}
