//! Read journal files with the native reader and say how long it took: the speed measurement against
//! `journalctl --file F -o export > /dev/null`, and a check on real journals (entry counts).
//!
//! `cargo run --release -p baomi-host --example journal_read -- [--fields A,B] [--cat] FILE...`
//! `--cat` prints each MESSAGE on a line, like `journalctl -o cat`.

use baomi_host::usb::journal::read_entries;
use std::io::Write;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let mut fields = String::from("MESSAGE,_TRANSPORT");
    let mut cat = false;
    let mut files = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--fields" => fields = args.next().unwrap_or_default(),
            "--cat" => cat = true,
            _ => files.push(arg),
        }
    }
    let wanted: Vec<&str> = fields.split(',').filter(|f| !f.is_empty()).collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for file in files {
        let data = match std::fs::read(&file) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{file}: {e}");
                continue;
            }
        };
        let start = Instant::now();
        let mut bytes = 0usize;
        let result = read_entries(&data, &wanted, &mut |entry| {
            bytes += entry.fields.iter().map(|(_, v)| v.len()).sum::<usize>();
            if cat && let Some(message) = entry.field("MESSAGE") {
                let _ = out.write_all(message);
                let _ = out.write_all(b"\n");
            }
        });
        let took = start.elapsed();
        match result {
            Ok(s) => eprintln!(
                "{file}: {} MB, {} entries, {bytes} field bytes, {} skipped, problem {:?}, online {}, {:.3} s",
                data.len() >> 20,
                s.entries,
                s.skipped,
                s.problem,
                s.online,
                took.as_secs_f64()
            ),
            Err(e) => eprintln!("{file}: {e}"),
        }
    }
}
