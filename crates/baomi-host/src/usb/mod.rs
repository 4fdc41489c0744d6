//! Removable-media history: USB mass-storage devices from kernel log lines in the classic syslog files
//! and from the binary journald journal, merged into one record per device.
//!
//! Linux keeps no USB history of its own: what the logs still hold is all there is, so the report says
//! how far back they reach. A device is storage only when a storage driver (`usb-storage`, `uas`) took
//! it; keyboards, mice, hubs, phones in MTP mode and network adapters are counted apart, never as
//! storage. The tracker follows each port from enumeration to disconnect, and the SCSI host and disk
//! the storage driver made for it, so a later udisks mount of `/dev/sdb1` is tied to the right stick.

pub mod journal;
pub mod kmsg;
pub mod syslog;

use crate::catalogue::{CheckInfo, RuleInfo, Text};
use crate::{CheckRun, HostContext, HostFinding, Root};
use baomi_core::Severity::{Info, Low, Medium};
use baomi_core::{Artifacts, Evidence, LogCoverage, LogSource, UsbDevice};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use kmsg::{Kmsg, NotStorage};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use syslog::{Stamp, Years};

/// A USB storage device was connected.
pub const STORAGE_SEEN: RuleInfo = RuleInfo {
    id: "usb.storage_seen",
    title: Text {
        en: "a USB storage device was connected",
        zh: "曾接入 USB 存储设备",
    },
    severities: [Medium, Low, Info, Low],
};

/// The logs do not reach back far: older history is unknown.
pub const HISTORY_LIMITED: RuleInfo = RuleInfo {
    id: "usb.history_limited",
    title: Text {
        en: "the logs reach back only so far: older USB history is unknown, not clean",
        zh: "日志仅覆盖有限时间：更早的 USB 使用情况未知，不能视为无记录",
    },
    severities: [Info, Info, Info, Info],
};

/// The check.
pub const INFO: CheckInfo = CheckInfo {
    id: "usb",
    name: Text {
        en: "Removable media history",
        zh: "移动存储介质使用记录",
    },
    reads: Text {
        en: "kernel USB lines in /var/log/syslog, kern.log, messages and their rotations (.1, .gz), and the binary journald files under /var/log/journal (read natively, no journalctl needed)",
        zh: "/var/log/syslog、kern.log、messages 及其轮转文件（.1、.gz）中的内核 USB 记录，以及 /var/log/journal 下的 journald 二进制日志（直接解析，无需 journalctl）",
    },
    rules: &[STORAGE_SEEN, HISTORY_LIMITED],
};

/// A plain log is read up to this many bytes (they are streamed, so this bounds time, not memory).
const MAX_PLAIN: u64 = 8 << 30;
/// A rotated `.gz` log is decompressed up to this many bytes.
const MAX_GUNZIP: u64 = 2 << 30;
/// A journal file is read whole, up to this size (journald's own default cap is 128 MiB).
const MAX_JOURNAL: u64 = 512 << 20;
/// Connections kept, at most (a log of nothing but USB lines cannot eat unbounded memory).
const MAX_CONNECTIONS: usize = 1_000_000;
/// The same connection logged twice (syslog and kern.log, or syslog and the journal) has stamps this
/// close: a classic stamp drops the fraction, and rsyslog stamps a line when it receives it.
const SAME_CONNECTION_SECS: i64 = 2;
/// The journal fields the check reads.
const JOURNAL_FIELDS: &[&str] = &[
    "MESSAGE",
    "_TRANSPORT",
    "SYSLOG_IDENTIFIER",
    "_COMM",
    "_BOOT_ID",
];

/// When a line was written, before the file's years are known.
#[derive(Debug, Clone, Copy, PartialEq)]
enum When {
    At(Timestamp),
    /// A stamp to resolve when the file's years are known (classic and local-date stamps).
    Stamped {
        stamp: Stamp,
        wrap: u32,
    },
    Unknown,
}

/// How sure the check is that a device is storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Storage {
    /// `scsi hostN: uas` named no port: tied to the device enumerated just before it.
    Inferred,
    /// A storage driver line named the device's port.
    Seen,
}

/// One connection of one device, as one log file tells it.
#[derive(Debug, Clone)]
struct Conn {
    source: usize,
    start: When,
    end: Option<When>,
    time: Option<Timestamp>,
    end_time: Option<Timestamp>,
    port: Vec<u8>,
    number: Option<u32>,
    ids: Option<(u16, u16)>,
    product: Option<String>,
    manufacturer: Option<String>,
    serial: Option<String>,
    storage: Option<Storage>,
    not_storage: Option<NotStorage>,
    mounts: Vec<String>,
    /// Sources (indices) that logged this same connection, after deduplication.
    sources: Vec<usize>,
}

/// Follows the devices on each port through one log's events; connections accumulate over all logs.
#[derive(Debug, Default)]
struct Tracker {
    conns: Vec<Conn>,
    source: usize,
    ports: HashMap<Vec<u8>, usize>,
    hosts: HashMap<u32, usize>,
    disks: HashMap<Vec<u8>, usize>,
    last_printk: Option<u64>,
    dropped: u64,
}

impl Tracker {
    /// Start reading another log: nothing carries over from the last one.
    fn begin(&mut self, source: usize) {
        self.source = source;
        self.new_boot();
    }

    /// A new boot: ports, hosts and disk names are assigned afresh.
    fn new_boot(&mut self) {
        self.ports.clear();
        self.hosts.clear();
        self.disks.clear();
        self.last_printk = None;
    }

    /// A printk time: going backwards means the machine booted again.
    fn printk(&mut self, t: u64) {
        if let Some(last) = self.last_printk
            && t.saturating_add(1_000_000) < last
        {
            self.new_boot();
        }
        self.last_printk = Some(t);
    }

    /// A kernel message (printk time still on it, if it has one), stamped `when` (computed only when
    /// the message is about USB).
    fn kernel(&mut self, msg: &[u8], when: impl FnOnce() -> When) {
        let (printk, msg) = kmsg::strip_printk(msg);
        if let Some(t) = printk {
            self.printk(t);
        }
        if let Some(ev) = kmsg::parse(msg) {
            self.event(when(), ev);
        }
    }

    fn current(&mut self, port: &[u8]) -> Option<&mut Conn> {
        let i = *self.ports.get(port)?;
        self.conns.get_mut(i)
    }

    fn open(&mut self, when: When, port: &[u8], number: Option<u32>) -> Option<usize> {
        if let Some(old) = self.ports.remove(port) {
            self.forget(old);
        }
        if self.conns.len() >= MAX_CONNECTIONS {
            self.dropped += 1;
            return None;
        }
        let i = self.conns.len();
        self.conns.push(Conn {
            source: self.source,
            start: when,
            end: None,
            time: None,
            end_time: None,
            port: port.to_vec(),
            number,
            ids: None,
            product: None,
            manufacturer: None,
            serial: None,
            storage: None,
            not_storage: None,
            mounts: Vec::new(),
            sources: vec![self.source],
        });
        self.ports.insert(port.to_vec(), i);
        Some(i)
    }

    /// The device `i` left its port: its SCSI host and disk names may be given to the next one.
    fn forget(&mut self, i: usize) {
        self.hosts.retain(|_, v| *v != i);
        self.disks.retain(|_, v| *v != i);
    }

    fn event(&mut self, when: When, ev: Kmsg<'_>) {
        match ev {
            Kmsg::NewDevice { port, number, .. } => {
                self.open(when, port, Some(number));
            }
            Kmsg::Ids { port, vid, pid } => {
                // A second descriptor line on a port means its `new … device` line was lost.
                let fresh = match self.current(port) {
                    Some(c) => c.ids.is_some(),
                    None => true,
                };
                if fresh {
                    self.open(when, port, None);
                }
                if let Some(c) = self.current(port) {
                    c.ids = Some((vid, pid));
                }
            }
            Kmsg::Product { port, value } => {
                if let Some(c) = self.current(port) {
                    c.product = text(value);
                }
            }
            Kmsg::Manufacturer { port, value } => {
                if let Some(c) = self.current(port) {
                    c.manufacturer = text(value);
                }
            }
            Kmsg::Serial { port, value } => {
                if let Some(c) = self.current(port) {
                    c.serial = text(value);
                }
            }
            Kmsg::Storage { port, host, .. } => {
                let (i, how) = match port {
                    Some(p) => match self.ports.get(p) {
                        Some(&i) => (i, Storage::Seen),
                        None => return,
                    },
                    None => match self.uas_candidate() {
                        Some(i) => (i, Storage::Inferred),
                        None => return,
                    },
                };
                if let Some(c) = self.conns.get_mut(i) {
                    c.storage = c.storage.max(Some(how));
                }
                if let Some(h) = host {
                    self.hosts.insert(h, i);
                }
            }
            Kmsg::Disk { host, name, .. } => {
                if let Some(&i) = self.hosts.get(&host) {
                    self.disks.insert(name.to_vec(), i);
                }
            }
            Kmsg::Disconnect { port, number } => {
                let matches = match (self.current(port), number) {
                    (Some(c), Some(n)) => c.number.is_none_or(|m| m == n),
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                if matches && let Some(i) = self.ports.remove(port) {
                    if let Some(c) = self.conns.get_mut(i) {
                        c.end = Some(when);
                    }
                    self.forget(i);
                }
            }
            Kmsg::NotStorage { port, kind } => {
                if let Some(c) = self.current(port)
                    && c.not_storage.is_none()
                {
                    c.not_storage = Some(kind);
                }
            }
        }
    }

    /// `scsi hostN: uas` names no port: the kernel prints it right after the device's descriptors, so
    /// it belongs to the newest device on a port that no driver has claimed yet.
    fn uas_candidate(&self) -> Option<usize> {
        self.ports
            .values()
            .copied()
            .filter(|&i| {
                self.conns
                    .get(i)
                    .is_some_and(|c| c.storage.is_none() && c.not_storage.is_none())
            })
            .max()
    }

    /// A udisks mount of `dev` at `at`.
    fn mount(&mut self, m: kmsg::Mount<'_>) {
        let disk = kmsg::disk_of(m.dev);
        if let Some(&i) = self.disks.get(disk)
            && let Some(c) = self.conns.get_mut(i)
        {
            let at = String::from_utf8_lossy(m.at).into_owned();
            if !c.mounts.contains(&at) {
                c.mounts.push(at);
            }
        }
    }
}

fn text(v: &[u8]) -> Option<String> {
    (!v.is_empty()).then(|| String::from_utf8_lossy(v).into_owned())
}

/// One storage device as the check reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    /// The record for `artifacts.usb_devices`.
    pub record: UsbDevice,
    /// 1.0 when a storage driver line named the device's port, less when it was inferred.
    pub confidence: f32,
}

/// Everything the logs said.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Storage devices, ordered by first connection.
    pub devices: Vec<Device>,
    /// USB devices that are not storage, by what they are (`None`: no driver line said).
    pub others: BTreeMap<Option<NotStorage>, u32>,
    /// Every log read, and how far back they reach.
    pub coverage: LogCoverage,
    /// Lines in neither syslog format, or too long, skipped.
    pub malformed: u64,
    /// Connections without vendor and product ids (their descriptor line was not in the logs).
    pub unidentified: u64,
}

/// Collects the USB history from any number of logs, then merges it ([`History::finish`]).
#[derive(Debug)]
pub struct History {
    tracker: Tracker,
    sources: Vec<LogSource>,
    tz: TimeZone,
    now: Timestamp,
    malformed: u64,
}

impl History {
    /// An empty history; classic syslog stamps are read in `tz`, and no file is newer than `now`.
    pub fn new(tz: TimeZone, now: Timestamp) -> History {
        History {
            tracker: Tracker::default(),
            sources: Vec::new(),
            tz,
            now,
            malformed: 0,
        }
    }

    /// A log that could not be read at all.
    pub fn unreadable(&mut self, path: &str, kind: &str, problem: String) {
        self.sources.push(LogSource {
            path: path.to_owned(),
            kind: kind.to_owned(),
            problem: Some(problem),
            ..LogSource::default()
        });
    }

    /// Read one text log (`syslog`, `kern.log`, `messages`, decompressed already) named `path`, last
    /// modified at `mtime` (infers the years of classic stamps), reading at most `cap` bytes.
    pub fn read_syslog(
        &mut self,
        path: &str,
        reader: impl Read,
        mtime: Option<Timestamp>,
        cap: u64,
    ) {
        let index = self.sources.len();
        self.tracker.begin(index);
        let first_conn = self.tracker.conns.len();
        let mut years = Years::default();
        let mut records = 0u64;
        let mut malformed = 0u64;
        let mut classic_seen = false;
        let mut first: Option<(Stamp, u32)> = None;
        let mut last = (Vec::<u8>::new(), false, 0u32);
        let tracker = &mut self.tracker;
        let walked = syslog::for_each_line(reader, cap, |line| {
            let Some(h) = syslog::split(line) else {
                if !line.trim_ascii().is_empty() {
                    malformed += 1;
                }
                return;
            };
            records += 1;
            if h.classic {
                classic_seen = true;
                if let Some(m) = syslog::classic_month(h.stamp) {
                    years.month(m);
                }
            }
            let wrap = years.wrap();
            if first.is_none() {
                first = syslog::parse_stamp(h.stamp, h.classic).map(|s| (s, wrap));
            }
            last.0.clear();
            last.0.extend_from_slice(h.stamp);
            last.1 = h.classic;
            last.2 = wrap;
            let when = || match syslog::parse_stamp(h.stamp, h.classic) {
                Some(Stamp::Exact(t)) => When::At(t),
                Some(stamp) => When::Stamped { stamp, wrap },
                None => When::Unknown,
            };
            match h.tag {
                b"kernel" => tracker.kernel(h.msg, when),
                b"udisksd" => {
                    if let Some(m) = kmsg::parse_mount(h.msg) {
                        tracker.mount(m);
                    }
                }
                _ => {}
            }
        });
        let last_stamp = syslog::parse_stamp(&last.0, last.1);
        if let Some(s @ Stamp::Classic { .. }) = last_stamp {
            years.last(s);
        }
        let mtime = mtime.unwrap_or(self.now).to_zoned_datetime(self.tz.clone());
        let first_year = years.finish(&mtime);
        let tz = self.tz.clone();
        let resolve = move |w: When| match w {
            When::At(t) => Some(t),
            When::Stamped { stamp, wrap } => syslog::resolve(stamp, wrap, first_year, &tz),
            When::Unknown => None,
        };
        for c in self.tracker.conns.iter_mut().skip(first_conn) {
            c.time = resolve(c.start);
            c.end_time = c.end.and_then(&resolve);
        }
        let mut problem = None;
        match walked {
            Ok(lines) => {
                malformed += lines.too_long;
                if lines.capped {
                    problem = Some(format!("read only the first {} bytes", lines.bytes));
                }
            }
            Err(e) => problem = Some(format!("read stopped: {e}")),
        }
        self.malformed += malformed;
        self.sources.push(LogSource {
            path: path.to_owned(),
            kind: "syslog".into(),
            earliest: first
                .and_then(|(s, w)| resolve(When::Stamped { stamp: s, wrap: w }))
                .map(|t| rfc3339(t, &self.tz)),
            latest: last_stamp
                .and_then(|s| {
                    resolve(When::Stamped {
                        stamp: s,
                        wrap: last.2,
                    })
                })
                .map(|t| rfc3339(t, &self.tz)),
            records,
            year_inferred: classic_seen,
            problem,
        });
    }

    /// Read one journal file's bytes, named `path`.
    pub fn read_journal(&mut self, path: &str, data: &[u8]) {
        let index = self.sources.len();
        self.tracker.begin(index);
        let first_conn = self.tracker.conns.len();
        let tracker = &mut self.tracker;
        let mut boot = Vec::new();
        let result = journal::read_entries(data, JOURNAL_FIELDS, &mut |e| {
            journal_entry(tracker, &mut boot, e);
        });
        for c in self.tracker.conns.iter_mut().skip(first_conn) {
            c.time = match c.start {
                When::At(t) => Some(t),
                _ => None,
            };
            c.end_time = match c.end {
                Some(When::At(t)) => Some(t),
                _ => None,
            };
        }
        let usec = |u: Option<u64>| {
            u.and_then(|u| i64::try_from(u).ok())
                .and_then(|u| Timestamp::from_microsecond(u).ok())
                .map(|t| rfc3339(t, &self.tz))
        };
        let source = match result {
            Ok(s) => LogSource {
                path: path.to_owned(),
                kind: "journal".into(),
                earliest: usec(s.first_usec),
                latest: usec(s.last_usec),
                records: s.entries,
                year_inferred: false,
                problem: s.problem,
            },
            Err(e) => LogSource {
                path: path.to_owned(),
                kind: "journal".into(),
                problem: Some(e.to_string()),
                ..LogSource::default()
            },
        };
        self.sources.push(source);
    }

    /// Merge the connections of every log into one record per device.
    pub fn finish(self) -> Outcome {
        let History {
            tracker,
            sources,
            tz,
            malformed,
            ..
        } = self;
        let mut out = Outcome {
            malformed,
            ..Outcome::default()
        };
        let (mut conns, unidentified): (Vec<Conn>, Vec<Conn>) =
            tracker.conns.into_iter().partition(|c| c.ids.is_some());
        out.unidentified = unidentified.len() as u64 + tracker.dropped;
        // Time order, unknown times last: duplicates of one connection end up next to each other.
        conns.sort_by_key(|c| (c.time.is_none(), c.time));
        let mut kept: Vec<Conn> = Vec::with_capacity(conns.len());
        for c in conns {
            let dup = c.time.and_then(|t| {
                kept.iter_mut()
                    .rev()
                    .take_while(|k| {
                        k.time.is_some_and(|kt| {
                            t.duration_since(kt).as_secs() <= SAME_CONNECTION_SECS
                        })
                    })
                    .find(|k| {
                        k.port == c.port
                            && k.ids == c.ids
                            && !k.sources.contains(&c.source)
                            && (k.number == c.number || k.number.is_none() || c.number.is_none())
                    })
            });
            match dup {
                Some(k) => absorb(k, c),
                None => kept.push(c),
            }
        }
        // One record per device.
        type Key = (u16, u16, Option<String>, Option<String>, Option<String>);
        let mut devices: BTreeMap<Key, Vec<Conn>> = BTreeMap::new();
        for c in kept {
            let (vid, pid) = c.ids.unwrap_or_default();
            let key = match &c.serial {
                Some(s) => (vid, pid, Some(s.clone()), None, None),
                None => (vid, pid, None, c.product.clone(), c.manufacturer.clone()),
            };
            devices.entry(key).or_default().push(c);
        }
        let mut year_inferred_sources: Vec<bool> =
            sources.iter().map(|s| s.year_inferred).collect();
        year_inferred_sources.push(false);
        for ((vid, pid, serial, _, _), conns) in devices {
            let storage = conns.iter().filter_map(|c| c.storage).max();
            let Some(storage) = storage else {
                let kind = conns.iter().filter_map(|c| c.not_storage).min();
                *out.others.entry(kind).or_default() += 1;
                continue;
            };
            let mut rec = UsbDevice {
                vid: format!("{vid:04x}"),
                pid: format!("{pid:04x}"),
                serial,
                connections: u32::try_from(conns.len()).unwrap_or(u32::MAX),
                ..UsbDevice::default()
            };
            let mut first: Option<Timestamp> = None;
            let mut last: Option<Timestamp> = None;
            let mut srcs: Vec<usize> = Vec::new();
            for c in &conns {
                rec.product = rec.product.take().or_else(|| c.product.clone());
                rec.manufacturer = rec.manufacturer.take().or_else(|| c.manufacturer.clone());
                for m in &c.mounts {
                    if !rec.mount_points.contains(m) {
                        rec.mount_points.push(m.clone());
                    }
                }
                srcs.extend(&c.sources);
                if let Some(t) = c.time {
                    first = Some(first.map_or(t, |f| f.min(t)));
                    last = Some(last.map_or(t, |l| l.max(t)));
                }
                if let Some(t) = c.end_time {
                    last = Some(last.map_or(t, |l| l.max(t)));
                }
            }
            srcs.sort_unstable();
            srcs.dedup();
            rec.year_inferred = srcs
                .iter()
                .any(|&s| year_inferred_sources.get(s).copied().unwrap_or(false));
            rec.sources = srcs
                .iter()
                .filter_map(|&s| sources.get(s).map(|s| s.path.clone()))
                .collect();
            rec.first_seen = first.map(|t| rfc3339(t, &tz));
            rec.last_seen = last.map(|t| rfc3339(t, &tz));
            out.devices.push(Device {
                record: rec,
                confidence: match storage {
                    Storage::Seen => 1.0,
                    Storage::Inferred => 0.9,
                },
            });
        }
        out.devices
            .sort_by(|a, b| a.record.first_seen.cmp(&b.record.first_seen));
        let stamps = |f: fn(&LogSource) -> &Option<String>| {
            sources
                .iter()
                .filter_map(move |s| f(s).as_deref())
                .filter_map(|s| s.parse::<Timestamp>().ok().map(|t| (t, s.to_owned())))
        };
        out.coverage = LogCoverage {
            earliest: stamps(|s| &s.earliest).min().map(|(_, s)| s),
            latest: stamps(|s| &s.latest).max().map(|(_, s)| s),
            sources,
        };
        out
    }
}

/// `c` is the same connection as `k`, logged by another file.
fn absorb(k: &mut Conn, c: Conn) {
    k.sources.extend(c.sources);
    k.storage = k.storage.max(c.storage);
    k.not_storage = k.not_storage.or(c.not_storage);
    k.number = k.number.or(c.number);
    k.product = k.product.take().or(c.product);
    k.manufacturer = k.manufacturer.take().or(c.manufacturer);
    k.serial = k.serial.take().or(c.serial);
    k.end_time = match (k.end_time, c.end_time) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    for m in c.mounts {
        if !k.mounts.contains(&m) {
            k.mounts.push(m);
        }
    }
}

/// RFC 3339 in the inspected system's zone (`2026-11-25T10:01:02+08:00`).
fn rfc3339(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned_datetime(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// One journal entry: kernel messages and udisks mounts, the boot id resetting the ports.
fn journal_entry(tracker: &mut Tracker, boot: &mut Vec<u8>, e: &journal::JournalEntry<'_>) {
    if let Some(b) = e.field("_BOOT_ID")
        && b != boot.as_slice()
    {
        tracker.new_boot();
        boot.clear();
        boot.extend_from_slice(b);
    }
    let Some(msg) = e.field("MESSAGE") else {
        return;
    };
    let when = || {
        i64::try_from(e.realtime_usec)
            .ok()
            .and_then(|u| Timestamp::from_microsecond(u).ok())
            .map_or(When::Unknown, When::At)
    };
    if e.field("_TRANSPORT") == Some(b"kernel") {
        tracker.kernel(msg, when);
    } else if (e.field("SYSLOG_IDENTIFIER") == Some(b"udisksd")
        || e.field("_COMM") == Some(b"udisksd"))
        && let Some(m) = kmsg::parse_mount(msg)
    {
        tracker.mount(m);
    }
}

/// The inspected system's zone: its own `/etc/localtime` (TZif), else the name in `/etc/timezone`
/// looked up in the inspector's tz database; `None` when neither works (classic stamps are then read as UTC).
pub fn system_zone(root: &Root) -> Option<(TimeZone, String)> {
    let name = root
        .read_text("/etc/timezone", 4096)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let link_name = root.resolve("/etc/localtime").ok().and_then(|p| {
        let s = p.to_string_lossy().into_owned();
        s.find("zoneinfo/").map(|i| s[i + 9..].to_owned())
    });
    let label = link_name
        .or(name.clone())
        .unwrap_or_else(|| "/etc/localtime".into());
    if let Ok(bytes) = root.read("/etc/localtime", 1 << 20)
        && let Ok(tz) = TimeZone::tzif(&label, &bytes)
    {
        return Some((tz, label));
    }
    let name = name?;
    TimeZone::get(&name).ok().map(|tz| (tz, name))
}

/// The text logs to read, oldest rotation first: `syslog`, `kern.log`, `messages` with `.N` and `.N.gz`.
fn syslog_files(root: &Root) -> Vec<String> {
    let mut found: Vec<(&str, u32, String)> = Vec::new();
    for name in root.list("/var/log").unwrap_or_default() {
        for base in ["syslog", "kern.log", "messages"] {
            let Some(rest) = name.strip_prefix(base) else {
                continue;
            };
            let rest = rest.strip_suffix(".gz").unwrap_or(rest);
            let n = if rest.is_empty() {
                Some(0)
            } else {
                rest.strip_prefix('.').and_then(|d| d.parse::<u32>().ok())
            };
            if let Some(n) = n {
                found.push((base, n, Root::child("/var/log", &name)));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(b.0).then(b.1.cmp(&a.1)));
    found
        .into_iter()
        .map(|(_, _, p)| p)
        .filter(|p| !root.is_dir(p))
        .collect()
}

/// Journal files: `/var/log/journal/<machine-id>/*.journal` (and `.journal~`, left by an unclean
/// shutdown), and the volatile `/run/log/journal` on a running system.
fn journal_files(root: &Root) -> Vec<String> {
    let mut dirs = vec!["/var/log/journal"];
    if root.is_live() {
        dirs.push("/run/log/journal");
    }
    let mut out = Vec::new();
    for dir in dirs {
        for machine in root.list(dir).unwrap_or_default() {
            let sub = Root::child(dir, &machine);
            if !root.is_dir(&sub) {
                continue;
            }
            for name in root.list(&sub).unwrap_or_default() {
                if name.ends_with(".journal") || name.ends_with(".journal~") {
                    out.push(Root::child(&sub, &name));
                }
            }
        }
    }
    out
}

/// Read one text log through the root, gunzipping a `.gz` rotation. False when it could not be opened
/// (recorded in `history` as unreadable).
pub fn read_text_log(root: &Root, history: &mut History, path: &str) -> bool {
    let file = match root.open(path) {
        Ok(f) => f,
        Err(e) => {
            history.unreadable(path, "syslog", format!("could not open: {e}"));
            return false;
        }
    };
    let mtime = file
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| Timestamp::try_from(t).ok());
    if path.ends_with(".gz") {
        history.read_syslog(
            path,
            flate2::read::MultiGzDecoder::new(file),
            mtime,
            MAX_GUNZIP,
        );
    } else {
        history.read_syslog(path, file, mtime, MAX_PLAIN);
    }
    true
}

/// Run the check.
pub fn run(ctx: &HostContext<'_>, out: &mut CheckRun, artifacts: &mut Artifacts) {
    let root = ctx.root;
    let zone = system_zone(root);
    let (tz, zone_note) = match zone {
        Some((tz, name)) => (tz, format!("classic syslog times read in {name}")),
        None => (
            TimeZone::UTC,
            "classic syslog times read as UTC (the system's time zone is unknown)".to_owned(),
        ),
    };
    let mut history = History::new(tz.clone(), ctx.now);
    let texts = syslog_files(root);
    let journals = journal_files(root);
    if texts.is_empty() && journals.is_empty() {
        out.not_applicable = true;
        out.summarize(
            "no system logs (/var/log/syslog, kern.log, messages, /var/log/journal): USB history is unknown",
            "没有系统日志（/var/log/syslog、kern.log、messages、/var/log/journal）：USB 使用情况未知",
        );
        return;
    }
    for path in &texts {
        if read_text_log(root, &mut history, path) {
            out.examined += 1;
        }
    }
    for path in &journals {
        match root.read(path, MAX_JOURNAL) {
            Ok(bytes) => {
                out.examined += 1;
                history.read_journal(path, &bytes);
            }
            Err(e) => history.unreadable(path, "journal", format!("could not read: {e}")),
        }
    }
    let outcome = history.finish();
    for s in &outcome.coverage.sources {
        if let Some(p) = &s.problem {
            out.problem(format!("{}: {p}", s.path));
        }
    }
    for d in &outcome.devices {
        let r = &d.record;
        out.add(
            ctx,
            &INFO,
            &STORAGE_SEEN,
            HostFinding {
                identity: None,
                path: match &r.serial {
                    Some(s) => format!("usb:{}:{}:{s}", r.vid, r.pid),
                    None => format!("usb:{}:{}", r.vid, r.pid),
                },
                level: None,
                confidence: d.confidence,
                title: format!("USB storage device {} was connected", name(r)),
                evidence: Evidence {
                    excerpt: excerpt(r, &tz),
                    excerpt_zh: Some(excerpt_zh(r, &tz)),
                    matched: r
                        .serial
                        .clone()
                        .unwrap_or_else(|| format!("{}:{}", r.vid, r.pid)),
                    why: if d.confidence >= 1.0 {
                        "usb_storage_driver_bound".into()
                    } else {
                        "uas_host_after_enumeration".into()
                    },
                    ..Evidence::default()
                },
            },
        );
    }
    let read: Vec<&LogSource> = outcome
        .coverage
        .sources
        .iter()
        .filter(|s| s.records > 0)
        .collect();
    let oldest = read
        .iter()
        .filter_map(|s| {
            s.earliest
                .as_deref()
                .map(|e| (e.parse::<Timestamp>().ok(), *s))
        })
        .min_by_key(|(t, _)| *t);
    let span = match (&outcome.coverage.earliest, &outcome.coverage.latest) {
        (Some(e), Some(l)) => Some((human(e, &tz), human(l, &tz))),
        _ => None,
    };
    let (reach, reach_zh) = match &span {
        Some((e, l)) => (format!("from {e} to {l}"), format!("{e} 至 {l}")),
        None => (
            "nowhere: no dated log record could be read".to_owned(),
            "无可读的带日期记录".to_owned(),
        ),
    };
    let years_inferred = read.iter().any(|s| s.year_inferred);
    let inferred = if years_inferred {
        " (years of classic syslog lines inferred from the files' times)"
    } else {
        ""
    };
    let limited_zh = format!(
        "所读日志（{} 个文件）{}{}；此前的 USB 使用情况未知，不能认定为没有使用",
        read.len(),
        match &span {
            Some(_) => format!("时间范围为 {reach_zh}"),
            None => "中无可读的带日期记录".to_owned(),
        },
        if years_inferred {
            "（传统 syslog 行的年份系根据文件时间推断）"
        } else {
            ""
        }
    );
    out.add(
        ctx,
        &INFO,
        &HISTORY_LIMITED,
        HostFinding {
            identity: None,
            path: oldest.map_or_else(|| "/var/log".to_owned(), |(_, s)| s.path.clone()),
            level: None,
            confidence: 1.0,
            title: "USB history is known only as far back as the logs reach".into(),
            evidence: Evidence {
                excerpt: format!(
                    "the logs read ({} files) reach {reach}{inferred}; USB use before that is unknown, not absent",
                    read.len()
                ),
                excerpt_zh: Some(limited_zh),
                matched: outcome.coverage.earliest.clone().unwrap_or_default(),
                why: "logs_reach_back_to".into(),
                ..Evidence::default()
            },
        },
    );
    let connections: u32 = outcome.devices.iter().map(|d| d.record.connections).sum();
    let others: u32 = outcome.others.values().sum();
    let mut summary = format!(
        "{} USB storage device(s) in {connections} connection(s) from {} log file(s) reaching {reach}",
        outcome.devices.len(),
        out.examined,
    );
    let mut summary_zh = format!(
        "{} 个日志文件（{reach_zh}）中有 {} 个 USB 存储设备、{connections} 次接入",
        out.examined,
        outcome.devices.len(),
    );
    if others > 0 {
        let kinds: Vec<String> = outcome
            .others
            .iter()
            .map(|(k, n)| match k {
                Some(k) => format!("{n} {}", k.plural()),
                None => format!("{n} without a storage driver"),
            })
            .collect();
        summary.push_str(&format!(
            "; {others} other USB device(s) not storage ({})",
            kinds.join(", ")
        ));
        summary_zh.push_str(&format!(
            "；另有 {others} 个非存储 USB 设备（键盘、鼠标、集线器等）"
        ));
    }
    if outcome.malformed > 0 {
        summary.push_str(&format!(
            "; {} malformed line(s) skipped",
            outcome.malformed
        ));
        summary_zh.push_str(&format!("；跳过 {} 行格式错误的记录", outcome.malformed));
    }
    if read.iter().any(|s| s.year_inferred) {
        summary.push_str(&format!("; {zone_note}"));
        summary_zh.push_str("；传统 syslog 时间不含年份，年份系推断");
    }
    out.summarize(summary, summary_zh);
    artifacts.usb_devices = outcome.devices.into_iter().map(|d| d.record).collect();
    artifacts.usb_history = Some(outcome.coverage);
}

/// `SanDisk Cruzer Blade (0781:5567, serial 4C53…)`.
fn name(r: &UsbDevice) -> String {
    let (words, ids) = (words(r), ids(r, ", serial ", ", no serial"));
    if words.is_empty() {
        format!("({ids})")
    } else {
        format!("{words} ({ids})")
    }
}

/// `SanDisk Cruzer Blade（0781:5567，序列号 4C53…）`.
fn name_zh(r: &UsbDevice) -> String {
    format!("{}（{}）", words(r), ids(r, "，序列号 ", "，无序列号"))
}

/// `0781:5567` followed by the serial (or its absence) in the words given.
fn ids(r: &UsbDevice, serial: &str, no_serial: &str) -> String {
    match &r.serial {
        Some(s) => format!("{}:{}{serial}{s}", r.vid, r.pid),
        None => format!("{}:{}{no_serial}", r.vid, r.pid),
    }
}

/// Manufacturer and product, once each: `SanDisk Cruzer Blade`.
fn words(r: &UsbDevice) -> String {
    let mut words: Vec<&str> = Vec::new();
    if let Some(m) = &r.manufacturer {
        words.push(m);
    }
    if let Some(p) = &r.product
        && !r.manufacturer.as_deref().is_some_and(|m| p.starts_with(m))
    {
        words.push(p);
    } else if let Some(p) = &r.product {
        words = vec![p];
    }
    words.join(" ")
}

fn excerpt(r: &UsbDevice, tz: &TimeZone) -> String {
    let times = if r.connections == 1 { "once" } else { "" };
    let mut s = if times.is_empty() {
        format!("{} connected {} times", name(r), r.connections)
    } else {
        format!("{} connected once", name(r))
    };
    match (&r.first_seen, &r.last_seen) {
        (Some(a), Some(b)) if a != b => {
            s.push_str(&format!(", {} … {}", human(a, tz), human(b, tz)))
        }
        (Some(a), _) => s.push_str(&format!(", {}", human(a, tz))),
        _ => {}
    }
    if !r.mount_points.is_empty() {
        s.push_str(&format!(", mounted at {}", r.mount_points.join(", ")));
    }
    if r.year_inferred {
        s.push_str(" (year inferred)");
    }
    s
}

/// `SanDisk Cruzer Blade（…）接入 2 次，2026-10-01 09:12 至 2026-11-24 10:03，挂载于 /media/zhang/SANDISK`.
fn excerpt_zh(r: &UsbDevice, tz: &TimeZone) -> String {
    let mut s = format!("{}接入 {} 次", name_zh(r), r.connections);
    match (&r.first_seen, &r.last_seen) {
        (Some(a), Some(b)) if human(a, tz) != human(b, tz) => {
            s.push_str(&format!("，{} 至 {}", human(a, tz), human(b, tz)))
        }
        (Some(a), _) => s.push_str(&format!("，{}", human(a, tz))),
        _ => {}
    }
    if !r.mount_points.is_empty() {
        s.push_str(&format!("，挂载于 {}", r.mount_points.join("、")));
    }
    if r.year_inferred {
        s.push_str("（年份系推断）");
    }
    s
}

/// `2026-11-20 16:40` in the system's zone.
fn human(rfc: &str, tz: &TimeZone) -> String {
    match rfc.parse::<Timestamp>() {
        Ok(t) => t
            .to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => rfc.to_owned(),
    }
}

#[cfg(test)]
mod tests;
