//! Text system logs (`/var/log/syslog`, `kern.log`, `messages` and their rotations): reading them in
//! bounded chunks (plain or gzip), splitting each line into its time stamp, tag and message, and turning
//! the two time-stamp styles into instants.
//!
//! Classic BSD stamps (`Nov 25 10:01:02`) have no year and no zone: the year is inferred from the
//! file's modification time (its last line was written before it) walking back a year each time the
//! months go backwards, and the zone is the inspected system's. RFC 3339 stamps (rsyslog's default on
//! Debian 12 and later: `2026-11-25T10:01:02.123456+08:00`) carry both. Deepin/UOS logs also show
//! `2024-10-31 13:36:11` (a year, no zone: read in the system's zone).

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use std::io::{self, Read};

/// A line longer than this is not a log line anyone wrote on purpose: skipped and counted.
pub const MAX_LINE: usize = 64 * 1024;

/// Bytes read at a time.
const CHUNK: usize = 1 << 20;

/// A line's time stamp, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// `Nov 25 10:01:02`: no year, no zone.
    Classic {
        /// 1–12.
        month: i8,
        /// 1–31.
        day: i8,
        /// 0–23.
        hour: i8,
        /// 0–59.
        minute: i8,
        /// 0–60.
        second: i8,
    },
    /// RFC 3339, an instant.
    Exact(Timestamp),
    /// `2024-10-31 13:36:11`: a full date without a zone (seen in Deepin/UOS logs).
    Local(DateTime),
}

/// A syslog line split into its parts. Slices borrow from the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head<'a> {
    /// The stamp's bytes (parse with [`parse_stamp`] only when needed: most lines never are).
    pub stamp: &'a [u8],
    /// True for the classic `Mmm dd hh:mm:ss` form.
    pub classic: bool,
    /// Host name.
    pub host: &'a [u8],
    /// Program name without `[pid]` (`kernel`, `udisksd`).
    pub tag: &'a [u8],
    /// The message.
    pub msg: &'a [u8],
}

/// Split a line into stamp, host, tag and message; `None` for a line in neither format.
pub fn split(line: &[u8]) -> Option<Head<'_>> {
    let (stamp, classic, rest) = if line.get(3) == Some(&b' ')
        && line.get(6) == Some(&b' ')
        && line.first().is_some_and(u8::is_ascii_uppercase)
    {
        (line.get(..15)?, true, line.get(16..)?)
    } else if line.get(4) == Some(&b'-')
        && line.get(10) == Some(&b' ')
        && line.get(13) == Some(&b':')
        && line.get(19) == Some(&b' ')
    {
        (line.get(..19)?, false, line.get(20..)?)
    } else if line.get(4) == Some(&b'-') && line.get(10) == Some(&b'T') {
        let sp = memchr::memchr(b' ', line)?;
        (&line[..sp], false, line.get(sp + 1..)?)
    } else {
        return None;
    };
    let sp = memchr::memchr(b' ', rest)?;
    let host = &rest[..sp];
    let rest = rest.get(sp + 1..)?;
    let colon = memchr::memchr(b':', rest)?;
    let tag = &rest[..colon];
    let tag = match memchr::memchr(b'[', tag) {
        Some(b) => &tag[..b],
        None => tag,
    };
    let msg = rest.get(colon + 1..)?;
    let msg = msg.strip_prefix(b" ").unwrap_or(msg);
    Some(Head {
        stamp,
        classic,
        host,
        tag,
        msg,
    })
}

/// Month of a classic stamp, cheaply (the year inference looks at every line).
pub fn classic_month(stamp: &[u8]) -> Option<i8> {
    Some(match stamp.get(..3)? {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    })
}

/// Parse a stamp from [`split`].
pub fn parse_stamp(stamp: &[u8], classic: bool) -> Option<Stamp> {
    if classic {
        // `Nov 25 10:01:02`, day space-padded (`Nov  5`).
        let month = classic_month(stamp)?;
        let day = two(stamp.get(4..6)?, true)?;
        if stamp.get(6) != Some(&b' ')
            || stamp.get(9) != Some(&b':')
            || stamp.get(12) != Some(&b':')
        {
            return None;
        }
        let hour = two(stamp.get(7..9)?, false)?;
        let minute = two(stamp.get(10..12)?, false)?;
        let second = two(stamp.get(13..15)?, false)?;
        if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        Some(Stamp::Classic {
            month,
            day,
            hour,
            minute,
            second,
        })
    } else if stamp.get(10) == Some(&b' ') {
        let s = std::str::from_utf8(stamp).ok()?;
        s.parse::<DateTime>().ok().map(Stamp::Local)
    } else {
        let s = std::str::from_utf8(stamp).ok()?;
        s.parse::<Timestamp>().ok().map(Stamp::Exact)
    }
}

fn two(d: &[u8], space_ok: bool) -> Option<i8> {
    let (&a, &b) = (d.first()?, d.get(1)?);
    let a = if space_ok && a == b' ' { b'0' } else { a };
    if !a.is_ascii_digit() || !b.is_ascii_digit() {
        return None;
    }
    Some(((a - b'0') * 10 + (b - b'0')) as i8)
}

/// Decides the years of one file's classic stamps. Feed every line's month in file order with
/// [`Years::month`]; each stamp's position in the year sequence is [`Years::wrap`] at the time it was
/// read; when the file is done, [`Years::finish`] says which year the last line was in.
#[derive(Debug, Default, Clone)]
pub struct Years {
    prev: Option<i8>,
    wraps: u32,
    last: Option<Stamp>,
}

impl Years {
    /// A line of month `m` was read.
    pub fn month(&mut self, m: i8) {
        // A month far earlier than the last is a new year (Dec → Jan, or a gap of months); a month
        // or two back is a clock set back or lines written out of order, same year.
        if let Some(p) = self.prev
            && p - m >= 6
        {
            self.wraps += 1;
        }
        self.prev = Some(m);
    }

    /// Year changes seen so far.
    pub fn wrap(&self) -> u32 {
        self.wraps
    }

    /// The last classic stamp read (for the file's end).
    pub fn last(&mut self, s: Stamp) {
        self.last = Some(s);
    }

    /// The year of the stamps read at wrap `0`, given the file's modification time `mtime` in the
    /// system's zone: the last line cannot be after it (a day of slack for clocks).
    pub fn finish(&self, mtime: &jiff::ZonedDateTime) -> i16 {
        let mut year = mtime.year();
        if let Some(Stamp::Classic {
            month,
            day,
            hour,
            minute,
            second,
        }) = self.last
        {
            let limit = mtime
                .datetime()
                .saturating_add(jiff::SignedDuration::from_hours(24));
            if let Ok(dt) = DateTime::new(year, month, day, hour, minute, second, 0)
                && dt > limit
            {
                year -= 1;
            }
            // 29 February of a year that has none: the line is from the leap year before.
            // (At most 8 years back; the bound also ends the walk at the edge of jiff's range.)
            for _ in 0..8 {
                if !(month == 2 && day == 29) || jiff::civil::Date::new(year, 2, 29).is_ok() {
                    break;
                }
                year = year.saturating_sub(1);
            }
        }
        year.saturating_sub(i16::try_from(self.wraps).unwrap_or(i16::MAX))
    }
}

/// A stamp read at `wrap`, made an instant given the first year and the system's zone.
pub fn resolve(stamp: Stamp, wrap: u32, first_year: i16, tz: &TimeZone) -> Option<Timestamp> {
    match stamp {
        Stamp::Exact(t) => Some(t),
        Stamp::Local(dt) => tz.to_zoned_datetime(dt).ok().map(|z| z.timestamp()),
        Stamp::Classic {
            month,
            day,
            hour,
            minute,
            second,
        } => {
            let year = first_year.checked_add(i16::try_from(wrap).ok()?)?;
            let dt = DateTime::new(year, month, day, hour, minute, second.min(59), 0).ok()?;
            tz.to_zoned_datetime(dt).ok().map(|z| z.timestamp())
        }
    }
}

/// How reading a file's lines ended.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Lines {
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Lines longer than [`MAX_LINE`], skipped.
    pub too_long: u64,
    /// The read stopped at the byte cap.
    pub capped: bool,
}

/// Call `line` for every line of `reader` (without its newline), reading at most `cap` bytes, in
/// chunks: memory stays bounded whatever the file's size. A read error ends the walk with the error;
/// lines before it were visited.
pub fn for_each_line(
    mut reader: impl Read,
    cap: u64,
    mut line: impl FnMut(&[u8]),
) -> io::Result<Lines> {
    let mut out = Lines::default();
    let mut buf = vec![0u8; CHUNK];
    let mut filled = 0usize;
    // Inside a line too long to hold: skip to its end.
    let mut skipping = false;
    loop {
        if out.bytes >= cap {
            out.capped = true;
            break;
        }
        let room = (buf.len() - filled).min(usize::try_from(cap - out.bytes).unwrap_or(usize::MAX));
        let n = match reader.read(&mut buf[filled..filled + room]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.bytes += n as u64;
        let end = filled + n;
        let mut start = 0usize;
        for nl in memchr::memchr_iter(b'\n', &buf[filled..end]) {
            let at = filled + nl;
            if skipping {
                skipping = false;
            } else {
                line(&buf[start..at]);
            }
            start = at + 1;
        }
        // Keep the unfinished line for the next read, unless it cannot fit.
        let rest = end - start;
        if rest >= MAX_LINE.min(buf.len()) {
            if !skipping {
                out.too_long += 1;
            }
            skipping = true;
            filled = 0;
        } else {
            buf.copy_within(start..end, 0);
            filled = rest;
        }
    }
    if filled > 0 && !skipping {
        line(&buf[..filled]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(line: &str) -> String {
        match split(line.as_bytes()) {
            None => "-".into(),
            Some(h) => {
                let stamp = match parse_stamp(h.stamp, h.classic) {
                    None => "?".into(),
                    Some(Stamp::Exact(t)) => t.to_string(),
                    Some(Stamp::Local(d)) => format!("local {d}"),
                    Some(Stamp::Classic {
                        month,
                        day,
                        hour,
                        minute,
                        second,
                    }) => format!("{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"),
                };
                format!(
                    "{stamp} | {} | {} | {}",
                    String::from_utf8_lossy(h.host),
                    String::from_utf8_lossy(h.tag),
                    String::from_utf8_lossy(h.msg)
                )
            }
        }
    }

    #[test]
    fn line_heads() {
        let cases = [
            (
                "May  3 10:13:05 S5350Ubuntu1604 kernel: [ 6387.251489] usb 4-2: new SuperSpeed USB device number 3 using xhci_hcd",
                "05-03 10:13:05 | S5350Ubuntu1604 | kernel | [ 6387.251489] usb 4-2: new SuperSpeed USB device number 3 using xhci_hcd",
            ),
            (
                "Nov 25 10:01:02 uos-pc udisksd[812]: Mounted /dev/sdb1 at /media/zhang/KINGSTON on behalf of uid 1000",
                "11-25 10:01:02 | uos-pc | udisksd | Mounted /dev/sdb1 at /media/zhang/KINGSTON on behalf of uid 1000",
            ),
            (
                "2026-11-25T10:01:02.123456+08:00 uos-pc kernel: [  123.456789] usb 1-1: Product: Cruzer Blade",
                "2026-11-25T02:01:02.123456Z | uos-pc | kernel | [  123.456789] usb 1-1: Product: Cruzer Blade",
            ),
            (
                "2023-06-10T08:00:00+00:00 deb12 systemd[1]: Started session-1.scope.",
                "2023-06-10T08:00:00Z | deb12 | systemd | Started session-1.scope.",
            ),
            (
                "2024-10-31 13:36:11 localhost kernel: [   25.770091] usb 2-2: new SuperSpeed Gen 1 USB device number 2 using xhci_hcd",
                "local 2024-10-31T13:36:11 | localhost | kernel | [   25.770091] usb 2-2: new SuperSpeed Gen 1 USB device number 2 using xhci_hcd",
            ),
            (
                "2024-10-31 25:36:11 localhost kernel: x",
                "? | localhost | kernel | x",
            ),
            ("Feb 32 10:00:00 h kernel: x", "? | h | kernel | x"),
            ("Nov 25 25:00:00 h kernel: x", "? | h | kernel | x"),
            (
                "2026-13-25T10:01:02+08:00 h kernel: x",
                "? | h | kernel | x",
            ),
            ("Nov 25 10:01:02", "-"),
            ("Nov 25 10:01:02 host", "-"),
            ("-- Reboot --", "-"),
            ("", "-"),
            ("\u{fffd}\u{fffd} 25 10:01:02 h kernel: x", "-"),
        ];
        for (line, want) in cases {
            assert_eq!(head(line), want, "line: {line}");
        }
    }

    #[test]
    fn years_walk_back_from_the_file_time() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::UTC);
        let mtime = |s: &str| {
            s.parse::<jiff::civil::DateTime>()
                .ok()
                .and_then(|d| d.to_zoned_datetime(tz.clone()).ok())
                .ok_or(())
        };
        // Lines Dec 30 → Jan 2; the file was last written on Jan 2 2027.
        let mut y = Years::default();
        let dec = Stamp::Classic {
            month: 12,
            day: 30,
            hour: 9,
            minute: 0,
            second: 0,
        };
        let jan = Stamp::Classic {
            month: 1,
            day: 2,
            hour: 9,
            minute: 0,
            second: 0,
        };
        y.month(12);
        let w_dec = y.wrap();
        y.month(1);
        let w_jan = y.wrap();
        y.last(jan);
        let Ok(m) = mtime("2027-01-02T10:00:00") else {
            panic!("mtime")
        };
        let first = y.finish(&m);
        assert_eq!(first, 2026);
        let r = |s, w| {
            resolve(s, w, first, &tz)
                .map(|t| t.to_zoned_datetime(tz.clone()).datetime().to_string())
        };
        assert_eq!(r(dec, w_dec).as_deref(), Some("2026-12-30T09:00:00"));
        assert_eq!(r(jan, w_jan).as_deref(), Some("2027-01-02T09:00:00"));
        // The last line is in November, the file's time in March: that November was last year.
        let mut y = Years::default();
        y.month(11);
        y.last(Stamp::Classic {
            month: 11,
            day: 25,
            hour: 10,
            minute: 0,
            second: 0,
        });
        let Ok(m) = mtime("2027-03-01T00:00:00") else {
            panic!("mtime")
        };
        assert_eq!(y.finish(&m), 2026);
        // A clock set back a month is not a new year.
        let mut y = Years::default();
        y.month(5);
        y.month(4);
        assert_eq!(y.wrap(), 0);
    }

    #[test]
    fn chunked_lines() {
        let collect = |data: &[u8], cap: u64| {
            let mut lines = Vec::new();
            let r = for_each_line(data, cap, |l| {
                lines.push(String::from_utf8_lossy(l).into_owned())
            });
            (lines, r.ok())
        };
        let (l, r) = collect(b"a\nbb\n\nccc", 1 << 30);
        assert_eq!(l, ["a", "bb", "", "ccc"]);
        assert_eq!(r.map(|r| r.bytes), Some(9));
        let mut big = vec![b'x'; 3 * CHUNK];
        big.extend_from_slice(b"\nafter\n");
        let (l, r) = collect(&big, 1 << 30);
        assert_eq!(l, ["after"]);
        assert_eq!(r.map(|r| r.too_long), Some(1));
        let (l, r) = collect(b"one\ntwo\nthree\n", 6);
        assert_eq!(l, ["one", "tw"]);
        assert_eq!(r.map(|r| r.capped), Some(true));
    }
}
