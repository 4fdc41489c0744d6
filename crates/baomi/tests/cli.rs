//! End-to-end tests of the `baomi` binary: the fixture corpus made by real office suites, mail clients and
//! archivers (tests/fixtures/make_corpus.py), hostile files, the read-only promise, exit codes and the walk.
//!
//! Expectations live next to the fixtures (`tests/fixtures/corpus/expected.toml`,
//! `tests/fixtures/broken/expected.toml`); each data-driven test collects every mismatch and fails once,
//! listing them all.

use baomi_core::{Finding, Report, Severity};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

/// Confidence at and above which a finding counts (below it, a finding is a hint).
const COUNTS: f32 = 0.7;
/// Longest any scan here may take.
const TIMEOUT: Duration = Duration::from_secs(60);

// ------------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------------

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .canonicalize()
        .expect("tests/fixtures exists")
}

/// What one run of the binary did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn describe(&self) -> String {
        format!(
            "exit {:?}\n--- stdout (tail) ---\n{}\n--- stderr (tail) ---\n{}",
            self.code,
            tail(&self.stdout, 3000),
            tail(&self.stderr, 3000)
        )
    }
}

fn tail(s: &str, n: usize) -> &str {
    if s.len() <= n {
        return s;
    }
    let mut start = s.len() - n;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// Run `baomi ARGS…` in `cwd`, killing it after `timeout` (a hang is a test failure, not a stuck test).
fn baomi(args: &[OsString], cwd: &Path, timeout: Duration) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baomi"))
        .args(args)
        .current_dir(cwd)
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn baomi");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!("baomi {args:?} did not finish within {timeout:?} (hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            panic!("baomi {args:?} was killed by signal {sig} (crash)\n{stderr}");
        }
    }
    Run {
        code: status.code(),
        stdout,
        stderr,
    }
}

/// `baomi scan --no-progress --out <tmp>/report.json [extra…] PATHS…`, returning the run and its report.
fn scan(paths: &[&Path], extra: &[&str]) -> (Run, Option<Report>) {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out = out_dir.path().join("report.json");
    let mut args: Vec<OsString> = vec![
        "scan".into(),
        "--no-progress".into(),
        "--out".into(),
        out.clone().into(),
    ];
    args.extend(extra.iter().map(OsString::from));
    args.extend(paths.iter().map(|p| p.as_os_str().to_owned()));
    let run = baomi(&args, out_dir.path(), TIMEOUT);
    let report = fs::read(&out).ok().map(|bytes| {
        assert_valid_report(&bytes, &run);
        serde_json::from_slice::<Report>(&bytes).unwrap_or_else(|e| {
            panic!(
                "report.json does not deserialize as baomi_core::Report: {e}\n{}",
                run.describe()
            )
        })
    });
    (run, report)
}

/// Every report a test sees must satisfy the published JSON Schema (schema/report-v1.schema.json).
fn assert_valid_report(bytes: &[u8], run: &Run) {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../../schema/report-v1.schema.json"))
                .expect("schema is JSON");
        jsonschema::validator_for(&schema).expect("schema compiles")
    });
    let value: serde_json::Value = serde_json::from_slice(bytes).expect("report is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report violates the schema:\n{}\n{}",
        errors.join("\n"),
        run.describe()
    );
}

/// The report of a run that must have succeeded (exit 0 or 1) and written its report.
fn must_report(run: &Run, report: Option<Report>, what: &str) -> Report {
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{what}: expected exit 0 or 1\n{}",
        run.describe()
    );
    assert!(
        !run.stderr.contains("panicked"),
        "{what}: a panic message on stderr\n{}",
        run.describe()
    );
    let report = report.unwrap_or_else(|| panic!("{what}: no report written\n{}", run.describe()));
    assert_eq!(report.schema, baomi_core::REPORT_SCHEMA, "{what}: schema");
    report
}

/// `path` relative to `root`, with `/` separators (report paths are absolute).
fn rel(root: &Path, path: &str) -> Option<String> {
    Path::new(path)
        .strip_prefix(root)
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
}

/// Every regular file under `dir` (not following symlinks), relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<_> = fs::read_dir(dir).expect("read_dir").flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let ft = e.file_type().expect("file_type");
            if ft.is_dir() {
                walk(base, &e.path(), out);
            } else if ft.is_file() {
                out.push(
                    e.path()
                        .strip_prefix(base)
                        .expect("under base")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

fn show(f: &Finding) -> String {
    format!(
        "{} {:?} conf={:.2} inner={:?} part={:?} page={:?} sheet={:?} line={:?} matched={:?} why={}",
        f.rule,
        f.level.map(|l| l.as_str()),
        f.confidence,
        f.inner,
        f.evidence.part,
        f.evidence.page,
        f.evidence.sheet,
        f.evidence.line,
        f.evidence.matched,
        f.evidence.why
    )
}

fn load_toml(path: &Path) -> toml::Table {
    let text = fs::read_to_string(path).expect("read expected.toml");
    text.parse::<toml::Table>()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `[files."…"]` of an expected.toml, in order.
fn expected_files(table: &toml::Table) -> BTreeMap<String, toml::Table> {
    table["files"]
        .as_table()
        .expect("[files]")
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_table().expect("file entry is a table").clone(),
            )
        })
        .collect()
}

// ------------------------------------------------------------------------------------------------------
// Corpus expectations
// ------------------------------------------------------------------------------------------------------

/// One expected finding from corpus/expected.toml.
#[derive(Debug)]
struct Expect {
    rule: String,
    level: String,
    inner: Vec<String>,
    min: f32,
    max: f32,
    optional: bool,
    part: Option<String>,
    page: Option<u32>,
    sheet: Option<String>,
    line: Option<u32>,
}

impl Expect {
    fn parse(t: &toml::Table) -> Expect {
        let s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let f = |k: &str| {
            t.get(k)
                .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
                .map(|x| x as f32)
        };
        let u = |k: &str| t.get(k).and_then(|v| v.as_integer()).map(|i| i as u32);
        Expect {
            rule: s("rule").expect("rule"),
            level: s("level").expect("level"),
            inner: t
                .get("inner")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .map(|x| x.as_str().expect("inner string").to_owned())
                        .collect()
                })
                .unwrap_or_default(),
            min: f("min_confidence").unwrap_or(COUNTS),
            max: f("max_confidence").unwrap_or(1.0),
            optional: t.get("optional").and_then(|v| v.as_bool()).unwrap_or(false),
            part: s("part"),
            page: u("page"),
            sheet: s("sheet"),
            line: u("line"),
        }
    }

    /// Same rule, level and container chain (the expected chain is a prefix of the finding's).
    fn same_kind(&self, f: &Finding) -> bool {
        f.rule == self.rule
            && f.level.map(|l| l.as_str()) == Some(self.level.as_str())
            && f.inner.len() >= self.inner.len()
            && f.inner[..self.inner.len()] == self.inner[..]
    }

    /// Why `f` does not fit, or None if it does.
    fn misfit(&self, f: &Finding) -> Option<String> {
        let mut why = Vec::new();
        if f.confidence < self.min || f.confidence > self.max {
            why.push(format!(
                "confidence {:.2} not in [{:.2}, {:.2}]",
                f.confidence, self.min, self.max
            ));
        }
        if self.part.is_some() && f.evidence.part != self.part {
            why.push(format!("part {:?} != {:?}", f.evidence.part, self.part));
        }
        if self.page.is_some() && f.evidence.page != self.page {
            why.push(format!("page {:?} != {:?}", f.evidence.page, self.page));
        }
        if self.sheet.is_some() && f.evidence.sheet != self.sheet {
            why.push(format!("sheet {:?} != {:?}", f.evidence.sheet, self.sheet));
        }
        if self.line.is_some() && f.evidence.line != self.line {
            why.push(format!("line {:?} != {:?}", f.evidence.line, self.line));
        }
        (!why.is_empty()).then(|| why.join(", "))
    }
}

struct CorpusScan {
    root: PathBuf,
    run: Run,
    report: Report,
    expected: BTreeMap<String, toml::Table>,
}

/// The corpus is scanned once per test binary and shared by the tests that read its report.
fn corpus_scan() -> &'static CorpusScan {
    static SCAN: OnceLock<CorpusScan> = OnceLock::new();
    SCAN.get_or_init(|| {
        let root = fixtures().join("corpus");
        let policy = root.join("policy.toml");
        let (run, report) = scan(
            &[&root],
            &["--policy", policy.to_str().expect("utf-8 path")],
        );
        let report = must_report(&run, report, "corpus scan");
        let expected = expected_files(&load_toml(&root.join("expected.toml")));
        CorpusScan {
            root,
            run,
            report,
            expected,
        }
    })
}

/// Files exempt from expectations: the expectation file itself quotes markings in its comments.
const EXEMPT: &[&str] = &["expected.toml"];

#[test]
fn corpus_files_meet_their_expectations() {
    let cs = corpus_scan();
    let mut failures: Vec<String> = Vec::new();
    assert_eq!(
        cs.run.code,
        Some(1),
        "the corpus holds marked files: exit 1\n{}",
        cs.run.describe()
    );

    let mut findings: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in &cs.report.findings {
        match rel(&cs.root, &f.path) {
            Some(r) => findings.entry(r).or_default().push(f),
            None => failures.push(format!(
                "finding outside the scanned tree: {} {}",
                f.path,
                show(f)
            )),
        }
    }
    let mut unscanned: BTreeMap<String, Vec<&baomi_core::Unscanned>> = BTreeMap::new();
    for u in &cs.report.unscanned {
        match rel(&cs.root, &u.path) {
            Some(r) => unscanned.entry(r).or_default().push(u),
            None => failures.push(format!("unscanned outside the scanned tree: {}", u.path)),
        }
    }

    let on_disk: BTreeSet<String> = files_under(&cs.root).into_iter().collect();
    for f in &on_disk {
        if !cs.expected.contains_key(f) && !EXEMPT.contains(&f.as_str()) {
            failures.push(format!(
                "{f}: no entry in corpus/expected.toml (fixture without expectation)"
            ));
        }
    }
    for f in cs.expected.keys() {
        if !on_disk.contains(f) {
            failures.push(format!(
                "{f}: listed in expected.toml but missing (run tests/fixtures/make_corpus.py)"
            ));
        }
    }
    for (r, fs_) in &findings {
        if !cs.expected.contains_key(r) && !EXEMPT.contains(&r.as_str()) && !on_disk.contains(r) {
            failures.push(format!(
                "{r}: findings for a path that is not a corpus file: {}",
                fs_.len()
            ));
        }
    }

    let empty_f = Vec::new();
    let empty_u = Vec::new();
    for (file, entry) in &cs.expected {
        let got = findings.get(file).unwrap_or(&empty_f);
        let got_u = unscanned.get(file).unwrap_or(&empty_u);
        let actual = || {
            if got.is_empty() {
                "  (no findings)".to_owned()
            } else {
                got.iter()
                    .map(|f| format!("  - {}", show(f)))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        };

        if let Some(reason) = entry.get("unscanned").and_then(|v| v.as_str()) {
            if !got_u.iter().any(|u| u.reason.as_str() == reason) {
                failures.push(format!(
                    "{file}: expected unscanned `{reason}`, got {:?}",
                    got_u
                        .iter()
                        .map(|u| (u.reason.as_str(), &u.inner, &u.detail))
                        .collect::<Vec<_>>()
                ));
            }
            for f in got.iter().filter(|f| f.confidence >= COUNTS) {
                failures.push(format!(
                    "{file}: unreadable file has a finding: {}",
                    show(f)
                ));
            }
            continue;
        }
        for u in got_u {
            failures.push(format!(
                "{file}: unexpectedly unscanned: inner={:?} reason={} detail={}",
                u.inner,
                u.reason.as_str(),
                u.detail
            ));
        }

        if entry.get("none").and_then(|v| v.as_bool()) == Some(true) {
            for f in got.iter().filter(|f| f.confidence >= COUNTS) {
                failures.push(format!("{file}: hard negative has a finding: {}", show(f)));
            }
            continue;
        }

        let expects: Vec<Expect> = entry
            .get("findings")
            .and_then(|v| v.as_array())
            .unwrap_or_else(|| panic!("{file}: entry needs findings, none or unscanned"))
            .iter()
            .map(|v| Expect::parse(v.as_table().expect("finding table")))
            .collect();
        for e in &expects {
            let kind: Vec<&&Finding> = got.iter().filter(|f| e.same_kind(f)).collect();
            let fits = kind.iter().any(|f| e.misfit(f).is_none());
            if e.optional {
                for f in &kind {
                    if let Some(why) = e.misfit(f) {
                        failures.push(format!(
                            "{file}: optional {} {} present but {why}: {}",
                            e.rule,
                            e.level,
                            show(f)
                        ));
                    }
                }
            } else if !fits {
                let reasons: Vec<String> = kind.iter().filter_map(|f| e.misfit(f)).collect();
                failures.push(format!(
                    "{file}: missing {} {} inner={:?}{}\n  actual:\n{}",
                    e.rule,
                    e.level,
                    e.inner,
                    if reasons.is_empty() {
                        String::new()
                    } else {
                        format!(" (near misses: {})", reasons.join("; "))
                    },
                    actual()
                ));
            }
        }
        for f in got.iter().filter(|f| f.confidence >= COUNTS) {
            if !expects.iter().any(|e| e.same_kind(f)) {
                failures.push(format!("{file}: unexpected finding: {}", show(f)));
            }
        }
    }

    assert!(
        failures.is_empty(),
        "{} corpus mismatch(es):\n{}\n",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn hard_negatives_have_no_confident_finding() {
    let cs = corpus_scan();
    let mut negatives = Vec::new();
    for (file, entry) in &cs.expected {
        let none = entry.get("none").and_then(|v| v.as_bool()) == Some(true);
        // Entries whose every expectation is capped below COUNTS (speaker notes, HTML comments).
        let capped = entry
            .get("findings")
            .and_then(|v| v.as_array())
            .is_some_and(|a| {
                a.iter()
                    .all(|v| Expect::parse(v.as_table().expect("table")).max < COUNTS)
            });
        if none || capped {
            negatives.push(file.clone());
        }
    }
    assert!(
        negatives.len() >= 6,
        "expected.toml lost its hard negatives: {negatives:?}"
    );
    let bad: Vec<String> = cs
        .report
        .findings
        .iter()
        .filter(|f| f.confidence >= COUNTS)
        .filter_map(|f| {
            let r = rel(&cs.root, &f.path)?;
            negatives.contains(&r).then(|| format!("{r}: {}", show(f)))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "hard negatives with findings ≥ {COUNTS}:\n{}",
        bad.join("\n")
    );
}

#[test]
fn unsupported_formats_are_listed_not_skipped() {
    let cs = corpus_scan();
    let stats = &cs.report.stats;
    let mut failures = Vec::new();
    for ext in ["png", "exe"] {
        if stats
            .unsupported_by_extension
            .get(ext)
            .copied()
            .unwrap_or(0)
            == 0
        {
            failures.push(format!(
                "stats.unsupported_by_extension lacks {ext}: {:?}",
                stats.unsupported_by_extension
            ));
        }
    }
    let n = files_under(&cs.root).len() as u64;
    if stats.files < n {
        failures.push(format!(
            "stats.files = {} but the corpus holds {n} files",
            stats.files
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------------------------------------------------------------
// Hostile and broken files
// ------------------------------------------------------------------------------------------------------

/// A stored zip with `n` empty members, written by hand (a fixture this size would bloat the repo).
fn zip_with_empty_members(n: u32) -> Vec<u8> {
    let mut local = Vec::new();
    let mut central = Vec::new();
    for i in 0..n {
        let name = format!("d/{i:05}.txt");
        let offset = local.len() as u32;
        // local file header
        local.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        local.extend_from_slice(&[20, 0, 0, 0, 0, 0]); // version, flags, method = stored
        local.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
        local.extend_from_slice(&[0; 12]); // crc, sizes
        local.extend_from_slice(&(name.len() as u16).to_le_bytes());
        local.extend_from_slice(&0u16.to_le_bytes());
        local.extend_from_slice(name.as_bytes());
        // central directory header
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 3, 20, 0, 0, 0, 0, 0]); // made by, needed, flags, method
        central.extend_from_slice(&[0, 0, 0x21, 0]);
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attrs
        central.extend_from_slice(&((0o100644u32) << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = local.len() as u32;
    let cd_size = central.len() as u32;
    let mut out = local;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(n as u16).to_le_bytes());
    out.extend_from_slice(&(n as u16).to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[test]
fn broken_files_end_as_unscanned_with_their_reason() {
    let broken = fixtures().join("broken");
    let generated = tempfile::tempdir().expect("tempdir");
    let gen_root = generated.path().canonicalize().expect("canonical");
    fs::write(
        gen_root.join("many_members.zip"),
        zip_with_empty_members(30_000),
    )
    .expect("write");

    let (run, report) = scan(&[&broken, &gen_root], &[]);
    let report = must_report(&run, report, "broken scan");

    let mut expected: Vec<(String, Vec<String>, bool)> =
        expected_files(&load_toml(&broken.join("expected.toml")))
            .into_iter()
            .map(|(name, t)| {
                let reasons = t["unscanned"]
                    .as_array()
                    .expect("unscanned = [reasons]")
                    .iter()
                    .map(|v| v.as_str().expect("reason").to_owned())
                    .collect();
                let may_scan = t.get("may_scan").and_then(|v| v.as_bool()).unwrap_or(false);
                (name, reasons, may_scan)
            })
            .collect();
    expected.push(("many_members.zip".into(), vec!["limit".into()], false));

    let mut failures = Vec::new();
    for f in files_under(&broken) {
        if f != "expected.toml" && !expected.iter().any(|(n, _, _)| *n == f) {
            failures.push(format!("{f}: no entry in broken/expected.toml"));
        }
    }
    for (name, reasons, may_scan) in &expected {
        let entries: Vec<_> = report
            .unscanned
            .iter()
            .filter(|u| {
                Path::new(&u.path)
                    .file_name()
                    .is_some_and(|n| n == name.as_str())
            })
            .collect();
        if reasons.is_empty() {
            // `unscanned = []`: the file is read, never listed.
            if !entries.is_empty() {
                failures.push(format!(
                    "{name}: unscanned as {:?}, expected to be read",
                    entries
                        .iter()
                        .map(|u| (u.reason.as_str(), &u.detail))
                        .collect::<Vec<_>>()
                ));
            }
        } else if entries.is_empty() {
            if !may_scan {
                failures.push(format!(
                    "{name}: not in unscanned (expected one of {reasons:?})"
                ));
            }
        } else if !entries
            .iter()
            .any(|u| reasons.iter().any(|r| r == u.reason.as_str()))
        {
            failures.push(format!(
                "{name}: unscanned as {:?}, expected one of {reasons:?}",
                entries
                    .iter()
                    .map(|u| (u.reason.as_str(), &u.inner, &u.detail))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} broken-file mismatch(es):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn files_over_the_size_cap_are_too_large() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("tree");
    fs::create_dir(&tree).expect("mkdir");
    let mut big = "机密★1年\n".to_string().into_bytes();
    big.resize(2 * 1024 * 1024 + 17, b'x');
    fs::write(tree.join("big.txt"), big).expect("write");
    let policy = dir.path().join("small.toml");
    fs::write(&policy, "name = \"small\"\n[limits]\nmax_file_mb = 1\n").expect("write");
    let (run, report) = scan(&[&tree], &["--policy", policy.to_str().expect("utf-8")]);
    let report = must_report(&run, report, "too-large scan");
    assert!(
        report
            .unscanned
            .iter()
            .any(|u| u.path.ends_with("big.txt") && u.reason.as_str() == "too_large"),
        "big.txt should be unscanned too_large: {:?}",
        report.unscanned
    );
    assert!(
        report.findings.is_empty(),
        "a file over the cap was read: {:?}",
        report.findings
    );
}

// ------------------------------------------------------------------------------------------------------
// Read-only: the scan changes nothing it inspects
// ------------------------------------------------------------------------------------------------------

#[derive(Debug, PartialEq)]
struct Snap {
    kind: &'static str,
    size: u64,
    mode: u32,
    mtime: SystemTime,
    atime: Option<SystemTime>,
    sha256: Option<String>,
}

fn snapshot(root: &Path, with_atime: bool) -> BTreeMap<String, Snap> {
    use std::os::unix::fs::PermissionsExt;
    fn walk(root: &Path, dir: &Path, with_atime: bool, out: &mut BTreeMap<String, Snap>) {
        for e in fs::read_dir(dir).expect("read_dir").flatten() {
            let p = e.path();
            let md = fs::symlink_metadata(&p).expect("metadata");
            let r = p
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            let (kind, sha) = if md.is_dir() {
                ("dir", None)
            } else if md.is_file() {
                (
                    "file",
                    Some(hex::encode(Sha256::digest(fs::read(&p).expect("read")))),
                )
            } else {
                ("other", None)
            };
            out.insert(
                r,
                Snap {
                    kind,
                    size: md.len(),
                    mode: md.permissions().mode(),
                    mtime: md.modified().expect("mtime"),
                    atime: (with_atime && md.is_file()).then(|| md.accessed().expect("atime")),
                    sha256: sha,
                },
            );
            if md.is_dir() {
                walk(root, &p, with_atime, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, with_atime, &mut out);
    out
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read_dir").flatten() {
        let dst = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &dst);
        } else {
            fs::copy(e.path(), &dst).expect("copy");
        }
    }
}

fn set_times(p: &Path, atime: SystemTime, mtime: SystemTime) {
    let f = fs::File::open(p).expect("open");
    f.set_times(fs::FileTimes::new().set_accessed(atime).set_modified(mtime))
        .expect("set_times");
}

#[test]
fn scanning_changes_nothing_in_the_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("tree");
    copy_tree(&fixtures().join("corpus"), &tree);
    let old_m = SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800); // 2020-01-01
    let old_a = SystemTime::UNIX_EPOCH + Duration::from_secs(1_262_304_000); // 2010-01-01
    let files = files_under(&tree);
    for f in &files {
        set_times(&tree.join(f), old_a, old_m);
    }
    // Does this filesystem record reads at all (relatime updates an atime older than mtime)?
    let control = dir.path().join("control.txt");
    fs::write(&control, "x").expect("write");
    set_times(&control, old_a, old_m);
    let _ = fs::read(&control).expect("read");
    let atime_works = fs::metadata(&control)
        .expect("md")
        .accessed()
        .expect("atime")
        != old_a;
    if !atime_works {
        eprintln!(
            "note: this filesystem does not update atime on read; the atime check is vacuous here"
        );
    }

    // A snapshot records metadata before it reads a file, then reads it (which moves the atime):
    // put the atimes back afterwards.
    let before = snapshot(&tree, true);
    for f in &files {
        set_times(&tree.join(f), old_a, old_m);
    }

    let out = tempfile::tempdir().expect("tempdir");
    let html = out.path().join("report.html");
    let policy = fixtures().join("corpus/policy.toml");
    let (run, report) = scan(
        &[&tree],
        &[
            "--policy",
            policy.to_str().expect("utf-8"),
            "--html",
            html.to_str().expect("utf-8"),
        ],
    );
    let _ = must_report(&run, report, "read-only scan");

    let after = snapshot(&tree, true);
    let mut diffs = Vec::new();
    for (k, b) in &before {
        match after.get(k) {
            None => diffs.push(format!("{k}: disappeared")),
            Some(a) => {
                let mut d = Vec::new();
                if a.kind != b.kind || a.size != b.size || a.sha256 != b.sha256 {
                    d.push("content".to_owned());
                }
                if a.mode != b.mode {
                    d.push(format!("mode {:o} -> {:o}", b.mode, a.mode));
                }
                if a.mtime != b.mtime {
                    d.push("mtime".to_owned());
                }
                if atime_works && a.atime != b.atime {
                    d.push(format!("atime {:?} -> {:?}", b.atime, a.atime));
                }
                if !d.is_empty() {
                    diffs.push(format!("{k}: {}", d.join(", ")));
                }
            }
        }
    }
    for k in after.keys() {
        if !before.contains_key(k) {
            diffs.push(format!("{k}: new file appeared in the scanned tree"));
        }
    }
    assert!(
        diffs.is_empty(),
        "the scan changed {} entr(ies) of the inspected tree:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    let page = fs::read_to_string(&html).expect("--html wrote the report");
    assert!(
        page.to_ascii_lowercase().contains("<html"),
        "--html output is not HTML"
    );
}

// ------------------------------------------------------------------------------------------------------
// Exit codes and output formats
// ------------------------------------------------------------------------------------------------------

#[test]
fn exit_codes_follow_grep() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = dir.path().join("clean");
    fs::create_dir(&clean).expect("mkdir");
    fs::write(
        clean.join("通知.txt"),
        "会议通知\n明天上午九点在三楼会议室召开全院干警大会。\n",
    )
    .expect("write");
    let marked = dir.path().join("marked.txt");
    fs::write(
        &marked,
        "000001\n机密★1年\n特急\n\n关于某某案件的情况报告\n正文。\n",
    )
    .expect("write");
    let mut failures = Vec::new();

    let (run, report) = scan(&[&clean], &[]);
    if run.code != Some(0) || report.as_ref().is_none_or(|r| !r.findings.is_empty()) {
        failures.push(format!(
            "clean dir: expected exit 0 and no findings\n{}",
            run.describe()
        ));
    }
    let (run, report) = scan(&[&marked], &["--lang", "en"]);
    if run.code != Some(1) || report.as_ref().is_none_or(|r| r.findings.is_empty()) {
        failures.push(format!(
            "marked file: expected exit 1 and a finding\n{}",
            run.describe()
        ));
    }
    let (run, _) = scan(&[&marked], &["--lang", "zh-CN", "--format", "table"]);
    if run.code != Some(1) {
        failures.push(format!(
            "marked file, zh-CN table: expected exit 1\n{}",
            run.describe()
        ));
    }
    let missing = dir.path().join("no such dir");
    let (run, _) = scan(&[&missing], &[]);
    if run.code != Some(2) {
        failures.push(format!(
            "nonexistent path: expected exit 2\n{}",
            run.describe()
        ));
    }
    for (name, text) in [
        ("broken.toml", "name = \"x\"\n[[keywords]\ntext = 1\n"),
        ("unknown_field.toml", "name = \"x\"\ncolour = \"red\"\n"),
        (
            "bad_level.toml",
            "name = \"x\"\n[[keywords]]\ntext = \"a\"\nlevel = \"ultra\"\n",
        ),
    ] {
        let p = dir.path().join(name);
        fs::write(&p, text).expect("write");
        let (run, _) = scan(&[&marked], &["--policy", p.to_str().expect("utf-8")]);
        if run.code != Some(2) {
            failures.push(format!(
                "bad policy {name}: expected exit 2\n{}",
                run.describe()
            ));
        }
    }
    let (run, _) = scan(
        &[&marked],
        &[
            "--policy",
            dir.path().join("absent.toml").to_str().expect("utf-8"),
        ],
    );
    if run.code != Some(2) {
        failures.push(format!(
            "missing policy file: expected exit 2\n{}",
            run.describe()
        ));
    }

    // --format json: one JSON object per line, findings first, a summary last.
    let run = baomi(
        &[
            "scan".into(),
            "--no-progress".into(),
            "--format".into(),
            "json".into(),
            marked.clone().into(),
        ],
        dir.path(),
        TIMEOUT,
    );
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let parsed: Vec<Option<serde_json::Value>> =
        lines.iter().map(|l| serde_json::from_str(l).ok()).collect();
    if run.code != Some(1)
        || parsed.iter().any(Option::is_none)
        || !parsed.iter().flatten().any(|v| v.get("finding").is_some())
        || parsed
            .last()
            .cloned()
            .flatten()
            .is_none_or(|v| v.get("summary").is_none())
    {
        failures.push(format!(
            "--format json: expected JSON lines with a finding and a final summary\n{}",
            run.describe()
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ------------------------------------------------------------------------------------------------------
// The walk: symlinks, hidden files, ignore files
// ------------------------------------------------------------------------------------------------------

#[test]
fn walk_stays_in_tree_and_sees_hidden_and_ignored_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path().canonicalize().expect("canonical");
    let outside = base.join("outside");
    let tree = base.join("tree");
    fs::create_dir_all(&outside).expect("mkdir");
    fs::create_dir_all(tree.join(".git")).expect("mkdir");
    fs::write(outside.join("top.txt"), "绝密★长期\n\n外部文件\n").expect("write");
    std::os::unix::fs::symlink(&outside, tree.join("link_dir")).expect("symlink");
    std::os::unix::fs::symlink(outside.join("top.txt"), tree.join("link_file.txt"))
        .expect("symlink");
    fs::write(tree.join(".git/HEAD"), "ref: refs/heads/main\n").expect("write");
    fs::write(tree.join(".gitignore"), "ignored.txt\n.secret.txt\n*.txt\n").expect("write");
    fs::write(tree.join(".ignore"), "ignored.txt\n").expect("write");
    fs::write(tree.join(".secret.txt"), "000002\n机密★1年\n\n隐藏文件\n").expect("write");
    fs::write(
        tree.join("ignored.txt"),
        "000003\n秘密★1年\n\n被忽略的文件\n",
    )
    .expect("write");

    let (run, report) = scan(&[&tree], &[]);
    let report = must_report(&run, report, "walk scan");
    let mut failures = Vec::new();
    for f in &report.findings {
        if f.path.starts_with(outside.to_str().expect("utf-8")) || f.path.contains("link_") {
            failures.push(format!(
                "followed a symlink out of the tree: {} {}",
                f.path,
                show(f)
            ));
        }
        if f.level.map(|l| l.as_str()) == Some("top_secret") {
            failures.push(format!(
                "read the file outside the tree: {} {}",
                f.path,
                show(f)
            ));
        }
    }
    let has = |name: &str, level: &str| {
        report.findings.iter().any(|f| {
            Path::new(&f.path).file_name().is_some_and(|n| n == name)
                && f.rule == "content.marking"
                && f.level.map(|l| l.as_str()) == Some(level)
        })
    };
    if !has(".secret.txt", "secret") {
        failures.push("hidden file .secret.txt was not scanned".to_owned());
    }
    if !has("ignored.txt", "confidential") {
        failures.push("ignored.txt (listed in .gitignore/.ignore) was not scanned".to_owned());
    }
    assert!(
        failures.is_empty(),
        "{}\nfindings: {:#?}",
        failures.join("\n"),
        report
            .findings
            .iter()
            .map(|f| format!("{} {}", f.path, show(f)))
            .collect::<Vec<_>>()
    );
}

// ------------------------------------------------------------------------------------------------------
// What people read: the HTML page and the terminal table, in both languages
// ------------------------------------------------------------------------------------------------------

#[test]
fn html_report_is_self_contained_and_shows_the_evidence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("tree");
    fs::create_dir(&tree).expect("mkdir");
    fs::write(
        tree.join("报告<1>.txt"),
        "000001\n机密★1年\n特急\n\n关于某某案件的情况报告\n",
    )
    .expect("write");
    fs::write(tree.join("photo.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("write");
    let cases = [
        (
            "zh-CN",
            ["保密检查报告", "密级标志", "正文, 第2行", "暂不支持的格式"],
            ["机密", "正文, 第2行", "机密★1年", "暂不支持的格式"],
        ),
        (
            "en",
            [
                "Baomi inspection report",
                "Classification marking",
                "body, line 2",
                "Formats not read yet",
            ],
            ["Secret", "body, line 2", "机密★1年", "Formats not read yet"],
        ),
    ];
    for (lang, page_words, table_words) in cases {
        let html = dir.path().join(format!("report-{lang}.html"));
        let args: Vec<OsString> = vec![
            "scan".into(),
            "--no-progress".into(),
            "--lang".into(),
            lang.into(),
            "--html".into(),
            html.clone().into(),
            tree.clone().into(),
        ];
        let run = baomi(&args, dir.path(), TIMEOUT);
        assert_eq!(run.code, Some(1), "{}", run.describe());
        let page = fs::read_to_string(&html).expect("--html wrote the page");
        for w in page_words {
            assert!(
                page.contains(w),
                "{lang}: {w:?} missing from the HTML report"
            );
        }
        for w in table_words {
            assert!(
                run.stdout.contains(w),
                "{lang}: {w:?} missing from the table\n{}",
                run.stdout
            );
        }
        // Evidence is highlighted, and the file name is escaped, not injected.
        assert!(
            page.contains("<mark>机密★1年</mark>"),
            "{lang}: match not highlighted"
        );
        assert!(
            page.contains("报告&lt;1&gt;.txt"),
            "{lang}: path not escaped"
        );
        // Self-contained: it must open on an air-gapped machine, and print.
        let lower = page.to_ascii_lowercase();
        for external in [
            "<script",
            "src=\"http",
            "href=\"http",
            "<link",
            "@import",
            "url(",
        ] {
            assert!(
                !lower.contains(external),
                "{lang}: HTML refers to {external}"
            );
        }
        assert!(lower.contains("@media print"), "{lang}: no print style");
    }
}

// ------------------------------------------------------------------------------------------------------
// Host inspection of an offline root (`--root`)
// ------------------------------------------------------------------------------------------------------

/// Copy a tree keeping symlinks as symlinks (an offline root's /etc/os-release and /etc/localtime are
/// links, some pointing outside the tree: they must be resolved inside the root, never followed here).
fn copy_tree_keeping_links(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read_dir").flatten() {
        let dst = to.join(e.file_name());
        let ft = e.file_type().expect("type");
        if ft.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(e.path()).expect("readlink"), &dst)
                .expect("symlink");
        } else if ft.is_dir() {
            copy_tree_keeping_links(&e.path(), &dst);
        } else {
            fs::copy(e.path(), &dst).expect("copy");
        }
    }
}

fn host_scan(zone: &str) -> (tempfile::TempDir, PathBuf, Report) {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("disk");
    copy_tree_keeping_links(&fixtures().join("hostroot"), &tree);
    let policy = fixtures().join("host-policy.toml");
    let (run, report) = scan(
        &[],
        &[
            "--root",
            tree.to_str().expect("utf-8"),
            "--zone",
            zone,
            "--policy",
            policy.to_str().expect("utf-8"),
        ],
    );
    let report = must_report(&run, report, "offline root inspection");
    (dir, tree, report)
}

#[test]
fn offline_root_is_inspected_as_that_system_sees_itself() {
    let (_dir, tree, report) = host_scan("internet");
    assert_eq!(report.host.hostname.as_deref(), Some("jcy-bmb-pc07"));
    assert_eq!(
        report.host.machine_id.as_deref(),
        Some("5f1c2a9e8d7b4c3aa0e1f2d3c4b5a697")
    );
    // /etc/os-release is a relative link into /usr/lib: resolved inside the image.
    assert_eq!(
        report.host.os.as_deref(),
        Some("UnionTech OS Desktop 20 Pro")
    );
    assert_eq!(
        Path::new(&report.host.root),
        tree.canonicalize().expect("canonical")
    );
    let checks: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(checks, ["content", "web", "usb", "network", "recent"]);
    for c in &report.checks {
        assert_ne!(c.status, baomi_core::CheckStatus::Error, "{c:?}");
    }
    // Content findings carry the paths of the inspected system, not of this machine; the IM
    // received-file folder on a data partition is found by its name.
    let content: BTreeMap<&str, &str> = report
        .findings
        .iter()
        .filter(|f| f.check == "content")
        .map(|f| (f.path.as_str(), f.evidence.matched.as_str()))
        .collect();
    assert_eq!(
        content.get("/home/zhang/Documents/关于案件线索的报告.docx"),
        Some(&"机密★1年"),
        "{content:?}"
    );
    assert_eq!(
        content.get("/data/WeChat Files/wxid_k3j2h1/FileStorage/File/2026-11/会议纪要.docx"),
        Some(&"检察工作秘密"),
        "{content:?}"
    );
    for f in &report.findings {
        assert!(
            !f.path.starts_with(&tree.to_string_lossy().into_owned()),
            "a path of the inspector's machine leaked into the report: {}",
            f.path
        );
    }
}

#[test]
fn offline_root_host_checks_report_their_observations() {
    let (_dir, _tree, report) = host_scan("classified");
    let status = |id: &str| {
        report
            .checks
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.status)
            .unwrap_or_else(|| panic!("check {id} missing"))
    };
    assert_eq!(status("web"), baomi_core::CheckStatus::Ok);
    assert_eq!(status("usb"), baomi_core::CheckStatus::Ok);

    // USB: syslog, its .gz rotation, kern.log and the binary journal, one record per stick.
    let a = &report.artifacts;
    let serials: BTreeSet<&str> = a
        .usb_devices
        .iter()
        .filter_map(|d| d.serial.as_deref())
        .collect();
    for serial in [
        "4C530001230815117543",
        "4C530001231120115142",
        "E0D55EA573DCF450E9660B9D",
        "E0D55EA574E8F370A9550F2B",
    ] {
        assert!(serials.contains(serial), "{serial} not in {serials:?}");
    }
    let sandisk = a
        .usb_devices
        .iter()
        .find(|d| d.serial.as_deref() == Some("4C530001230815117543"))
        .expect("the SanDisk stick of the syslog story");
    assert_eq!(sandisk.connections, 2);
    assert_eq!(sandisk.mount_points, ["/media/zhang/SANDISK"]);
    let history = a.usb_history.as_ref().expect("log coverage stated");
    assert!(history.earliest.is_some() && history.sources.len() >= 4);

    // Browsers: Chromium (two profiles from Local State), qaxbrowser, Firefox (its WAL included).
    let browsers: BTreeSet<&str> = a.web_visits.iter().map(|v| v.browser.as_str()).collect();
    assert!(
        ["chromium", "firefox", "qaxbrowser"]
            .iter()
            .all(|b| browsers.contains(b)),
        "{browsers:?}"
    );
    assert!(
        a.web_visits
            .iter()
            .any(|v| v.internet && v.url.contains("www.example-news.cn")),
        "an Internet visit"
    );
    assert!(
        a.web_visits
            .iter()
            .filter(|v| v.url.contains("oa.jcy"))
            .all(|v| !v.internet),
        "the policy's .jcy names are intranet"
    );
    assert!(!a.web_downloads.is_empty());

    // Network: config evidence of an offline disk (no /sys): a Wi-Fi network joined through
    // NetworkManager, a Bluetooth controller, an Internet DNS server.
    let net = a.network.as_ref().expect("network observations");
    assert!(
        net.saved_wifi
            .iter()
            .any(|w| w.ssid == "CMCC-5G-家里" && w.last_connected.is_some()),
        "joined through NetworkManager, with its last-connected time: {:?}",
        net.saved_wifi
    );
    assert_eq!(net.bluetooth.len(), 1, "{:?}", net.bluetooth);
    assert!(net.dns_servers.iter().any(|d| d == "114.114.114.114"));
    assert_eq!(status("network"), baomi_core::CheckStatus::Ok);

    // Recent files: a 机密 document opened from a USB stick (GTK's list, names percent-decoded).
    let secret_doc = "/media/zhang/KINGSTON/【机密】2024年度工作方案.docx";
    assert!(
        a.recent_files
            .iter()
            .any(|r| r.path == secret_doc && r.removable),
        "{:?}",
        a.recent_files
    );
    let named = report
        .findings
        .iter()
        .find(|f| f.rule == "recent.sensitive_name" && f.path == secret_doc)
        .expect("the marking in the file name is a finding");
    assert_eq!(named.level, Some(baomi_core::Level::Secret));
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.rule == "recent.sensitive_name" && f.path.contains("保密工作总结")),
        "保密工作总结 is not a marking"
    );

    // On a classified computer Internet traces are critical, USB sticks medium.
    let severity_of = |rule: &str| -> Vec<Severity> {
        report
            .findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| f.severity)
            .collect()
    };
    let web = severity_of("web.internet_visit");
    assert!(
        !web.is_empty() && web.iter().all(|s| *s == Severity::Critical),
        "{web:?}"
    );
    let usb = severity_of("usb.storage_seen");
    assert_eq!(usb.len(), 4, "{usb:?}");
    assert!(usb.iter().all(|s| *s == Severity::Medium), "{usb:?}");

    // The same computer declared an Internet one: its browsing is information only.
    let (_dir, _tree, internet) = host_scan("internet");
    assert!(
        internet
            .findings
            .iter()
            .filter(|f| f.check == "web")
            .all(|f| f.severity == Severity::Info)
    );
}

#[test]
fn offline_root_inspection_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("disk");
    copy_tree_keeping_links(&fixtures().join("hostroot"), &tree);
    let old_m = SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800);
    let old_a = SystemTime::UNIX_EPOCH + Duration::from_secs(1_262_304_000);
    let files = files_under(&tree);
    for f in &files {
        set_times(&tree.join(f), old_a, old_m);
    }
    let before = snapshot(&tree, true);
    for f in &files {
        set_times(&tree.join(f), old_a, old_m);
    }
    let (run, report) = scan(
        &[],
        &[
            "--root",
            tree.to_str().expect("utf-8"),
            "--zone",
            "classified",
        ],
    );
    let _ = must_report(&run, report, "read-only host inspection");
    let after = snapshot(&tree, true);
    let changed: Vec<String> = before
        .iter()
        .filter(|(k, b)| {
            after.get(*k).is_none_or(|a| {
                a.sha256 != b.sha256 || a.mtime != b.mtime || a.mode != b.mode || a.atime != b.atime
            })
        })
        .map(|(k, _)| k.clone())
        .chain(after.keys().filter(|k| !before.contains_key(*k)).cloned())
        .collect();
    assert!(
        changed.is_empty(),
        "the inspection changed: {changed:?} (a reader that opens SQLite or logs for writing, or a \
         file whose atime moved on read)"
    );
}

#[test]
fn checks_catalogue_lists_every_check_in_both_languages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zh = baomi(
        &["checks".into(), "--lang".into(), "zh-CN".into()],
        dir.path(),
        TIMEOUT,
    );
    assert_eq!(zh.code, Some(0), "{}", zh.describe());
    for needle in [
        "上网痕迹",
        "移动存储介质",
        "网络隔离",
        "web.internet_visit",
        "usb.storage_seen",
        "network.wifi_hardware",
        "涉密计算机",
        "严重",
    ] {
        assert!(
            zh.stdout.contains(needle),
            "{needle} missing:\n{}",
            zh.stdout
        );
    }
    let json = baomi(
        &["checks".into(), "--format".into(), "json".into()],
        dir.path(),
        TIMEOUT,
    );
    let list: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let web = list
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["id"] == "web")
        .expect("web check listed");
    assert_eq!(web["rules"][0]["severity"]["classified"], "critical");
    assert_eq!(web["rules"][0]["severity"]["internet"], "info");
}

// ------------------------------------------------------------------------------------------------------
// The office's server from the command line: serve, admin, push, audit — and a server killed mid-import
// ------------------------------------------------------------------------------------------------------

/// A `baomi serve` on a free port and the SQLite file under `dir`; killed (SIGKILL) when dropped.
struct Server {
    child: std::process::Child,
    url: String,
}

impl Server {
    fn start(dir: &Path) -> Server {
        Server::start_with(dir, &[])
    }

    /// `baomi serve` with `extra` flags (`--tls-cert …`); `url` is https:// when TLS is asked for.
    fn start_with(dir: &Path, extra: &[&OsString]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new(env!("CARGO_BIN_EXE_baomi"))
            .args(["serve", "--db", "sqlite:baomi.db", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .args(extra)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn baomi serve");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "baomi serve did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let scheme = if extra.is_empty() { "http" } else { "https" };
        Server {
            child,
            url: format!("{scheme}://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

/// `baomi admin create` with the password on standard input.
fn create_admin(dir: &Path) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_baomi"))
        .args([
            "admin",
            "create",
            "--db",
            "sqlite:baomi.db",
            "--username",
            "bmb",
        ])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn baomi admin");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"correct horse battery\n")
        .expect("write password");
    let out = child.wait_with_output().expect("baomi admin create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every stored report has all its findings, and the audit chain holds.
fn assert_whole(dir: &Path) -> Vec<(String, i64)> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let url = format!("sqlite://{}", dir.join("baomi.db").display());
        let store = baomi_store::Store::open(&url)
            .await
            .expect("open the store");
        let rows: Vec<(String, i64, i64)> = sqlx_rows(&store).await;
        for (id, declared, stored) in &rows {
            assert_eq!(declared, stored, "report {id}: half stored");
        }
        let audit = store.audit_verify().await.expect("verify");
        assert!(audit.problems.is_empty(), "{:?}", audit.problems);
        store.close().await;
        rows.into_iter().map(|(id, n, _)| (id, n)).collect()
    })
}

async fn sqlx_rows(store: &baomi_store::Store) -> Vec<(String, i64, i64)> {
    use sqlx::Row;
    sqlx::query(
        "SELECT r.report_id, r.findings, (SELECT COUNT(*) FROM findings f WHERE f.report_row = r.id) FROM reports r",
    )
    .fetch_all(baomi_store::testing::pool(store))
    .await
    .expect("query")
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect()
}

#[test]
fn serve_admin_push_audit() {
    let dir = tempfile::tempdir().expect("tmp");
    let server = Server::start(dir.path());
    create_admin(dir.path());
    let token = baomi(
        &os(&[
            "admin",
            "token",
            "--db",
            "sqlite:baomi.db",
            "--username",
            "bmb",
        ]),
        dir.path(),
        TIMEOUT,
    );
    assert_eq!(token.code, Some(0), "{}", token.describe());
    let token = token.stdout.trim().to_owned();
    assert_eq!(token.len(), 64);
    let report = fixtures().join("reports/hostroot-classified.json");
    let push = |path: &Path, token: &str| {
        baomi(
            &[
                "push".into(),
                path.into(),
                "--server".into(),
                server.url.clone().into(),
                "--token".into(),
                token.into(),
            ],
            dir.path(),
            TIMEOUT,
        )
    };
    let first = push(&report, &token);
    assert_eq!(first.code, Some(0), "{}", first.describe());
    assert!(first.stdout.contains("unmatched"), "{}", first.stdout);
    let again = push(&report, &token);
    assert!(again.stdout.contains("duplicate"), "{}", again.describe());
    let bad = dir.path().join("bad.json");
    fs::write(&bad, br#"{"schema":"baomi.report/1"}"#).expect("write");
    let refused = push(&bad, &token);
    assert_eq!(refused.code, Some(2));
    assert!(refused.stderr.contains("refused"), "{}", refused.describe());
    let wrong = push(&report, "not-a-token");
    assert_eq!(wrong.code, Some(2), "{}", wrong.describe());

    let verify = baomi(
        &os(&["audit", "verify", "--db", "sqlite:baomi.db"]),
        dir.path(),
        TIMEOUT,
    );
    assert_eq!(verify.code, Some(0), "{}", verify.describe());
    assert!(verify.stdout.contains("intact"), "{}", verify.stdout);
    // The pushed report's USB sticks are correlated already; a full recompute finds the same.
    let correlate = baomi(
        &os(&["correlate", "--all", "--db", "sqlite:baomi.db"]),
        dir.path(),
        TIMEOUT,
    );
    assert_eq!(correlate.code, Some(0), "{}", correlate.describe());
    assert!(correlate.stdout.contains("devices"), "{}", correlate.stdout);
    assert_eq!(assert_whole(dir.path()).len(), 1);
}

/// A server killed (SIGKILL) while a large report is being imported: every report it acknowledged is
/// there in full, the one in flight is there in full or not at all, and the audit chain holds.
#[test]
fn a_server_killed_mid_import_leaves_no_half_report() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        // Migrate and create the account before the first kill.
        let _server = Server::start(dir.path());
        create_admin(dir.path());
    }
    let token = baomi(
        &os(&[
            "admin",
            "token",
            "--db",
            "sqlite:baomi.db",
            "--username",
            "bmb",
        ]),
        dir.path(),
        TIMEOUT,
    )
    .stdout
    .trim()
    .to_owned();
    let mut base: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(fixtures().join("reports/hostroot-classified.json")).expect("fixture"),
    )
    .expect("json");
    // A big report: 60,000 findings (the fixture's, each made distinct).
    let one = base["findings"].as_array().expect("findings").clone();
    let many: Vec<serde_json::Value> = (0..60_000)
        .map(|i| {
            let mut f = one[i % one.len()].clone();
            f["id"] = format!("big-{i}").into();
            f
        })
        .collect();
    // How long a whole import of the big report takes here: the kills land at fractions of it, so
    // some fall while the request is read and some while its transaction is being written.
    let full = {
        let server = Server::start(dir.path());
        base["report_id"] = "big-full".into();
        base["findings"] = serde_json::Value::Array(many.clone());
        let big = dir.path().join("big.json");
        fs::write(&big, base.to_string()).expect("write");
        let t = Instant::now();
        let ok = baomi(
            &[
                "push".into(),
                big.into(),
                "--server".into(),
                server.url.clone().into(),
                "--token".into(),
                token.clone().into(),
            ],
            dir.path(),
            TIMEOUT,
        );
        assert_eq!(ok.code, Some(0), "{}", ok.describe());
        t.elapsed()
    };
    let mut acknowledged = vec!["big-full".to_owned()];
    for (round, fraction) in [0.2f64, 0.5, 0.8, 0.95].into_iter().enumerate() {
        let delay_ms = (full.as_secs_f64() * 1000.0 * fraction) as u64;
        let server = Server::start(dir.path());
        // A small report, acknowledged before the kill.
        base["report_id"] = format!("small-{round}").into();
        base["findings"] = serde_json::Value::Array(one.clone());
        let small = dir.path().join("small.json");
        fs::write(&small, base.to_string()).expect("write");
        let ok = baomi(
            &[
                "push".into(),
                small.clone().into(),
                "--server".into(),
                server.url.clone().into(),
                "--token".into(),
                token.clone().into(),
            ],
            dir.path(),
            TIMEOUT,
        );
        assert_eq!(ok.code, Some(0), "{}", ok.describe());
        acknowledged.push(format!("small-{round}"));
        // The big one, killed after `delay_ms`.
        base["report_id"] = format!("big-{round}").into();
        base["findings"] = serde_json::Value::Array(many.clone());
        let big = dir.path().join("big.json");
        fs::write(&big, base.to_string()).expect("write");
        let push = Command::new(env!("CARGO_BIN_EXE_baomi"))
            .args(["push".as_ref(), big.as_os_str(), "--server".as_ref()])
            .arg(&server.url)
            .args(["--token", &token])
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn push");
        std::thread::sleep(Duration::from_millis(delay_ms));
        drop(server); // SIGKILL
        let out = push.wait_with_output().expect("push ends");
        if out.status.success() {
            acknowledged.push(format!("big-{round}"));
        }
        let stored = assert_whole(dir.path());
        eprintln!(
            "killed after {delay_ms} ms: push {}, big-{round} {}",
            if out.status.success() {
                "acknowledged"
            } else {
                "failed"
            },
            if stored.iter().any(|(s, _)| *s == format!("big-{round}")) {
                "stored whole"
            } else {
                "not stored"
            }
        );
        for id in &acknowledged {
            assert!(
                stored.iter().any(|(s, _)| s == id),
                "acknowledged {id} was lost"
            );
        }
    }
}

/// `baomi serve --tls-cert --tls-key` serves HTTPS, and `baomi push --ca` reaches it; without `--ca` the
/// self-signed certificate is not trusted and nothing is sent.
#[test]
fn https_serve_and_push() {
    let dir = tempfile::tempdir().expect("tmp");
    let tls = fixtures().join("tls");
    let (cert, key) = (tls.join("localhost.crt"), tls.join("localhost.key"));
    let flags: Vec<OsString> = vec![
        "--tls-cert".into(),
        cert.clone().into(),
        "--tls-key".into(),
        key.into(),
    ];
    let server = Server::start_with(dir.path(), &flags.iter().collect::<Vec<_>>());
    create_admin(dir.path());
    let token = baomi(
        &os(&[
            "admin",
            "token",
            "--db",
            "sqlite:baomi.db",
            "--username",
            "bmb",
        ]),
        dir.path(),
        TIMEOUT,
    )
    .stdout
    .trim()
    .to_owned();
    let report = fixtures().join("reports/hostroot-classified.json");
    let push = |extra: &[OsString]| {
        let mut args: Vec<OsString> = vec![
            "push".into(),
            report.clone().into(),
            "--server".into(),
            server.url.clone().into(),
            "--token".into(),
            token.clone().into(),
        ];
        args.extend_from_slice(extra);
        baomi(&args, dir.path(), TIMEOUT)
    };
    let untrusted = push(&[]);
    assert_eq!(untrusted.code, Some(2), "{}", untrusted.describe());
    assert!(server.url.starts_with("https://"));
    let trusted = push(&["--ca".into(), cert.into()]);
    assert_eq!(trusted.code, Some(0), "{}", trusted.describe());
    assert!(trusted.stdout.contains("unmatched"), "{}", trusted.stdout);
    assert_eq!(assert_whole(dir.path()).len(), 1, "stored once, over TLS");
}
