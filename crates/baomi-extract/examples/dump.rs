//! Print every segment Baomi extracts from the files named on the command line, one block per segment:
//! `== path | inner chain | kind | page | sheet | part` then the text. Used to compare extraction with
//! reference tools and to check that a parser change keeps its output.
//!
//!     cargo run --release -p baomi-extract --example dump -- FILE…

use baomi_core::UnscannedReason;
use baomi_extract::{Budget, Limits, Segment, Visitor, extract};

struct Print<'a> {
    path: &'a str,
}

impl Visitor for Print<'_> {
    fn segment(&mut self, inner: &[String], s: &Segment<'_>) {
        println!(
            "== {} | {} | {} | {:?} | {:?} | {:?}\n{}",
            self.path,
            inner.join(" > "),
            s.kind.as_str(),
            s.page,
            s.sheet,
            s.part,
            s.text
        );
    }
    fn unscanned(&mut self, inner: &[String], reason: UnscannedReason, detail: &str) {
        println!(
            "!! {} | {} | {reason:?} | {detail}",
            self.path,
            inner.join(" > ")
        );
    }
}

fn main() {
    for path in std::env::args().skip(1) {
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) => {
                println!("!! {path} | | io | {e}");
                continue;
            }
        };
        let mut budget = Budget::new(Limits::default());
        let mut v = Print { path: &path };
        if let Err(e) = extract(&path, &data, &mut budget, &mut v) {
            println!("!! {path} | | {:?} | {}", e.reason, e.detail);
        }
    }
}
