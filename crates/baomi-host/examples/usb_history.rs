//! Run the USB-history parser over log files, or the whole `usb` check over a root, and print what it
//! found (used by bench/usb.sh against usbrip).
//!
//! ```sh
//! cargo run --release -p baomi-host --example usb_history -- [--tz Asia/Shanghai] FILE…   # one device a line
//! cargo run --release -p baomi-host --example usb_history -- --root tests/fixtures/hostroot
//! ```

use baomi_host::usb::History;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--root") {
        return root(args.get(1).map_or(".", String::as_str));
    }
    let mut tz = TimeZone::system();
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--tz" {
            match it.next().map(|n| TimeZone::get(n)) {
                Some(Ok(z)) => tz = z,
                _ => {
                    eprintln!("--tz needs a known zone name");
                    return ExitCode::from(2);
                }
            }
        } else {
            files.push(a.clone());
        }
    }
    let mut history = History::new(tz, Timestamp::now());
    // The check's own reader, through a live root: the same code path as `baomi scan`.
    let root = baomi_host::Root::live();
    for path in &files {
        let path = std::path::absolute(path)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| path.clone());
        if !baomi_host::usb::read_text_log(&root, &mut history, &path) {
            eprintln!("{path}: could not be opened");
        }
    }
    let out = history.finish();
    println!("# vid pid serial connections first_seen last_seen manufacturer | product | mounts");
    for d in &out.devices {
        let r = &d.record;
        println!(
            "{} {} {} {} {} {} {} | {} | {}",
            r.vid,
            r.pid,
            r.serial.as_deref().unwrap_or("-"),
            r.connections,
            r.first_seen.as_deref().unwrap_or("?"),
            r.last_seen.as_deref().unwrap_or("?"),
            r.manufacturer.as_deref().unwrap_or("-"),
            r.product.as_deref().unwrap_or("-"),
            r.mount_points.join(", "),
        );
    }
    let others: u32 = out.others.values().sum();
    eprintln!(
        "{} storage devices, {others} other USB devices, {} malformed lines, logs {} … {}",
        out.devices.len(),
        out.malformed,
        out.coverage.earliest.as_deref().unwrap_or("?"),
        out.coverage.latest.as_deref().unwrap_or("?"),
    );
    ExitCode::SUCCESS
}

fn root(dir: &str) -> ExitCode {
    let root = match baomi_host::Root::offline(std::path::Path::new(dir)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{dir}: {e}");
            return ExitCode::from(2);
        }
    };
    let policy = baomi_core::Policy::default_policy();
    let ctx = baomi_host::HostContext::new(&root, &policy, baomi_core::Zone::Unknown);
    let mut out = baomi_host::CheckRun::default();
    let mut art = baomi_core::Artifacts::default();
    baomi_host::usb::run(&ctx, &mut out, &mut art);
    println!("summary: {}", out.summary);
    for (p, _) in &out.problems {
        println!("problem: {p}");
    }
    for f in &out.findings {
        println!(
            "{} [{:?}] {}: {}",
            f.rule, f.severity, f.path, f.evidence.excerpt
        );
    }
    match serde_json::to_string_pretty(&art) {
        Ok(j) => println!("{j}"),
        Err(e) => eprintln!("{e}"),
    }
    ExitCode::SUCCESS
}
