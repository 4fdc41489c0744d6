//! One kernel log message (the text after the syslog or journal prefix) turned into a USB event. Most
//! lines of a system log are not about USB, so every parser here rejects a line on its first bytes
//! before looking further; nothing is copied (events borrow from the line).
//!
//! The forms come from real kernels from 2.6 to 6.x (see tests/fixtures/usb/README.md for where each
//! was seen): `new high-speed USB device number 5 using xhci_hcd` and the 2.6-era `new high speed USB
//! device using ehci_hcd and address 4`; `idVendor=…, idProduct=…` with and without `bcdDevice`;
//! `scsi host6: usb-storage 1-1:1.0` and the 2.6-era `scsi5 : usb-storage 1-8:1.0`; `scsi host0: uas`
//! (no port: the tracker ties it to the device just enumerated).

/// Why a device is known not to be storage: its interface was taken by a driver of another kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NotStorage {
    /// A hub (`hub 1-1:1.0: USB hub found`).
    Hub,
    /// Keyboard, mouse or other HID (`input: … as /devices/…/usb1/1-2/1-2:1.0/…`, `usbhid`).
    Input,
    /// USB network adapter or tethered phone (`cdc_ether`, `rndis_host`, `r8152`, …).
    Network,
    /// Serial adapter or modem (`cdc_acm`, `ch341`, `ftdi_sio`, …).
    Serial,
    /// Printer (`usblp`).
    Printer,
    /// Camera (`uvcvideo`).
    Camera,
}

impl NotStorage {
    /// Plural noun for summaries.
    pub fn plural(self) -> &'static str {
        match self {
            NotStorage::Hub => "hubs",
            NotStorage::Input => "keyboards/mice",
            NotStorage::Network => "network adapters",
            NotStorage::Serial => "serial adapters",
            NotStorage::Printer => "printers",
            NotStorage::Camera => "cameras",
        }
    }
}

/// The storage driver that took an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// `usb-storage` (Bulk-Only Transport).
    UsbStorage,
    /// `uas` (USB Attached SCSI).
    Uas,
}

/// What one kernel message says about USB devices. Byte slices borrow from the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kmsg<'a> {
    /// `usb 1-1: new high-speed USB device number 5 using xhci_hcd`.
    NewDevice {
        /// Bus-port path (`1-1.2`).
        port: &'a [u8],
        /// Device number (address) on its bus.
        number: u32,
        /// `high-speed`, `SuperSpeed Gen 1`, …
        speed: &'a [u8],
    },
    /// `usb 1-1: New USB device found, idVendor=0781, idProduct=5567, bcdDevice= 1.00`.
    Ids {
        /// Bus-port path.
        port: &'a [u8],
        /// idVendor.
        vid: u16,
        /// idProduct.
        pid: u16,
    },
    /// `usb 1-1: Product: Cruzer Blade`.
    Product {
        /// Bus-port path.
        port: &'a [u8],
        /// The string, as the device gave it.
        value: &'a [u8],
    },
    /// `usb 1-1: Manufacturer: SanDisk`.
    Manufacturer {
        /// Bus-port path.
        port: &'a [u8],
        /// The string.
        value: &'a [u8],
    },
    /// `usb 1-1: SerialNumber: 4C530001230815117543`.
    Serial {
        /// Bus-port path.
        port: &'a [u8],
        /// The string.
        value: &'a [u8],
    },
    /// A storage driver took an interface of the device on `port` (`usb-storage 1-1:1.0: USB Mass
    /// Storage device detected`, `scsi host6: usb-storage 1-1:1.0`, `scsi host0: uas`).
    Storage {
        /// Bus-port path; `None` for `scsi hostN: uas`, which does not name it.
        port: Option<&'a [u8]>,
        /// The SCSI host made for it, when the line names one.
        host: Option<u32>,
        /// Which driver.
        driver: Driver,
    },
    /// `sd 6:0:0:0: [sdb] Attached SCSI removable disk`.
    Disk {
        /// SCSI host number.
        host: u32,
        /// Block device name (`sdb`).
        name: &'a [u8],
        /// The device says its medium is removable.
        removable: bool,
    },
    /// `usb 1-1: USB disconnect, device number 5` (or `address 5`).
    Disconnect {
        /// Bus-port path.
        port: &'a [u8],
        /// Device number, when given.
        number: Option<u32>,
    },
    /// A driver of another kind took an interface of the device on `port`.
    NotStorage {
        /// Bus-port path.
        port: &'a [u8],
        /// What kind of device that makes it.
        kind: NotStorage,
    },
}

/// Split a printk time (`[  123.456789] `) off a kernel message: (µs since boot, the rest). Messages
/// without one (journal entries, `kernel:` lines on systems that do not print it) come back whole.
pub fn strip_printk(msg: &[u8]) -> (Option<u64>, &[u8]) {
    if msg.first() != Some(&b'[') {
        return (None, msg);
    }
    let Some(close) = msg.iter().take(32).position(|&b| b == b']') else {
        return (None, msg);
    };
    let inner = trim(msg.get(1..close).unwrap_or_default());
    let rest = msg.get(close + 1..).unwrap_or_default();
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let (secs, frac) = match inner.iter().position(|&b| b == b'.') {
        Some(dot) => (&inner[..dot], inner.get(dot + 1..).unwrap_or_default()),
        None => (inner, &b""[..]),
    };
    // A damaged time still leaves the message readable.
    let Some(secs) = parse_u64(secs) else {
        return (None, rest);
    };
    let mut micros: u64 = 0;
    let mut scale = 100_000;
    for &b in frac.iter().take(6) {
        if !b.is_ascii_digit() {
            return (None, rest);
        }
        micros += u64::from(b - b'0') * scale;
        scale /= 10;
    }
    (
        secs.checked_mul(1_000_000)
            .and_then(|s| s.checked_add(micros)),
        rest,
    )
}

/// Parse one kernel message (printk time already stripped) into a USB event, or `None` when it is
/// not one. Never panics, whatever the bytes.
pub fn parse(msg: &[u8]) -> Option<Kmsg<'_>> {
    // Partition lines are printed with a leading space (` sdb: sdb1 sdb2`); other messages are not.
    let msg = msg.strip_prefix(b" ").unwrap_or(msg);
    match *msg.first()? {
        b'u' => {
            if let Some(rest) = msg.strip_prefix(b"usb ") {
                usb_line(rest)
            } else if let Some(rest) = msg.strip_prefix(b"usb-storage ") {
                // Any line of the driver about an interface (`USB Mass Storage device detected`,
                // `Quirks match for vid …`) shows it bound; `usb-storage: device found at 5` (2.6)
                // names no port and is left to the `scsi` line.
                let (port, _) = interface(rest)?;
                Some(Kmsg::Storage {
                    port: Some(port),
                    host: None,
                    driver: Driver::UsbStorage,
                })
            } else if let Some(rest) = msg.strip_prefix(b"uas ") {
                let (port, _) = interface(rest)?;
                Some(Kmsg::Storage {
                    port: Some(port),
                    host: None,
                    driver: Driver::Uas,
                })
            } else {
                driver_line(msg)
            }
        }
        b's' => {
            if let Some(rest) = msg.strip_prefix(b"scsi") {
                scsi_host(rest)
            } else if let Some(rest) = msg.strip_prefix(b"sd ") {
                disk(rest)
            } else {
                None
            }
        }
        b'i' => input(msg),
        _ => driver_line(msg),
    }
}

/// A udisks mount: `Mounted /dev/sdb1 at /media/zhang/KINGSTON on behalf of uid 1000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mount<'a> {
    /// Block device name without `/dev/` (`sdb1`).
    pub dev: &'a [u8],
    /// Mount point (may contain spaces).
    pub at: &'a [u8],
}

/// Parse a udisksd message; `None` unless it is a mount.
pub fn parse_mount(msg: &[u8]) -> Option<Mount<'_>> {
    let rest = msg.strip_prefix(b"Mounted /dev/")?;
    let sp = memchr::memmem::find(rest, b" at ")?;
    let dev = &rest[..sp];
    let after = rest.get(sp + 4..)?;
    // The mount point may hold spaces; udisks ends the sentence with ` on behalf of uid N`
    // (2.1–2.10), older ones put nothing after it.
    let at = match memchr::memmem::rfind(after, b" on behalf of ") {
        Some(end) => &after[..end],
        None => trim(after),
    };
    if dev.is_empty() || at.first() != Some(&b'/') {
        return None;
    }
    Some(Mount { dev, at })
}

/// The whole disk a partition belongs to (`sdb1` → `sdb`); SCSI disks only.
pub fn disk_of(partition: &[u8]) -> &[u8] {
    let end = partition
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    &partition[..end]
}

/// `usb PORT: …` lines.
fn usb_line(rest: &[u8]) -> Option<Kmsg<'_>> {
    let colon = memchr::memchr(b':', rest)?;
    let port = &rest[..colon];
    // Root hubs (`usb usb1`) are the controller itself, never a device someone plugged in.
    if !is_port(port) {
        return None;
    }
    let text = rest.get(colon + 1..)?.strip_prefix(b" ")?;
    match *text.first()? {
        b'n' => new_device(port, text.strip_prefix(b"new ")?),
        b'N' => {
            let ids = text.strip_prefix(b"New USB device found, ")?;
            let vid = hex_after(ids, b"idVendor=")?;
            let pid = hex_after(ids, b"idProduct=")?;
            Some(Kmsg::Ids { port, vid, pid })
        }
        b'P' => Some(Kmsg::Product {
            port,
            value: value(text.strip_prefix(b"Product:")?),
        }),
        b'M' => Some(Kmsg::Manufacturer {
            port,
            value: value(text.strip_prefix(b"Manufacturer:")?),
        }),
        b'S' => Some(Kmsg::Serial {
            port,
            value: value(text.strip_prefix(b"SerialNumber:")?),
        }),
        b'U' => {
            let tail = text.strip_prefix(b"USB disconnect")?;
            let number = after_word(tail, b"device number ")
                .or_else(|| after_word(tail, b"address "))
                .and_then(leading_u32);
            Some(Kmsg::Disconnect { port, number })
        }
        _ => None,
    }
}

/// `high-speed USB device number 5 using xhci_hcd` or `high speed USB device using ehci_hcd and address 4`.
fn new_device<'a>(port: &'a [u8], text: &'a [u8]) -> Option<Kmsg<'a>> {
    let usb = memchr::memmem::find(text, b" USB device ")?;
    let speed = &text[..usb];
    let tail = text.get(usb + 12..)?;
    let number = after_word(tail, b"number ")
        .or_else(|| after_word(tail, b"address "))
        .and_then(leading_u32)?;
    Some(Kmsg::NewDevice {
        port,
        number,
        speed,
    })
}

/// After `scsi`: ` host6: usb-storage 1-1:1.0`, ` host0: uas`, `5 : usb-storage 1-8:1.0` (2.6).
fn scsi_host(rest: &[u8]) -> Option<Kmsg<'_>> {
    let rest = rest.strip_prefix(b" host").unwrap_or(rest);
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let host = parse_u32(rest.get(..digits)?)?;
    let rest = rest.get(digits..)?;
    let rest = rest
        .strip_prefix(b" ")
        .unwrap_or(rest)
        .strip_prefix(b": ")?;
    if let Some(iface) = rest.strip_prefix(b"usb-storage ") {
        let (port, _) = interface(iface)?;
        Some(Kmsg::Storage {
            port: Some(port),
            host: Some(host),
            driver: Driver::UsbStorage,
        })
    } else if trim(rest) == b"uas" {
        Some(Kmsg::Storage {
            port: None,
            host: Some(host),
            driver: Driver::Uas,
        })
    } else {
        None
    }
}

/// After `sd `: `6:0:0:0: [sdb] Attached SCSI removable disk`.
fn disk(rest: &[u8]) -> Option<Kmsg<'_>> {
    let colon = memchr::memchr(b':', rest)?;
    let host = parse_u32(&rest[..colon])?;
    let open = memchr::memchr(b'[', rest)?;
    let close = open + memchr::memchr(b']', rest.get(open..)?)?;
    let name = rest.get(open + 1..close)?;
    let text = rest.get(close + 1..)?;
    let removable = if text == b" Attached SCSI removable disk" {
        true
    } else if text == b" Attached SCSI disk" {
        false
    } else {
        return None;
    };
    if name.is_empty() || !name.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    Some(Kmsg::Disk {
        host,
        name,
        removable,
    })
}

/// `input: Logitech USB Optical Mouse as /devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/0003:046D:C077.0001/input/input15`:
/// the interface folder (`1-2:1.0`) after `/usbN/` names the port.
fn input(msg: &[u8]) -> Option<Kmsg<'_>> {
    let rest = msg.strip_prefix(b"input: ")?;
    let path = rest.get(memchr::memmem::rfind(rest, b" as /devices/")? + 4..)?;
    let usb = memchr::memmem::find(path, b"/usb")?;
    for part in path.get(usb + 1..)?.split(|&b| b == b'/').skip(1) {
        if let Some(colon) = memchr::memchr(b':', part) {
            let port = &part[..colon];
            return is_port(port).then_some(Kmsg::NotStorage {
                port,
                kind: NotStorage::Input,
            });
        }
    }
    None
}

/// `DRIVER PORT:IFACE: …` or `DRIVER PORT:IFACE IFNAME: …` for drivers that prove a device is not storage.
fn driver_line(msg: &[u8]) -> Option<Kmsg<'_>> {
    let sp = memchr::memchr(b' ', msg)?;
    let kind = match &msg[..sp] {
        b"hub" => NotStorage::Hub,
        b"usbhid" | b"hid-generic" => NotStorage::Input,
        b"cdc_ether" | b"rndis_host" | b"cdc_ncm" | b"cdc_mbim" | b"qmi_wwan" | b"r8152"
        | b"ax88179_178a" | b"asix" | b"ipheth" => NotStorage::Network,
        b"cdc_acm" | b"ch341" | b"ftdi_sio" | b"pl2303" | b"cp210x" | b"option" => {
            NotStorage::Serial
        }
        b"usblp" => NotStorage::Printer,
        b"uvcvideo" => NotStorage::Camera,
        _ => return None,
    };
    let (port, _) = interface(msg.get(sp + 1..)?)?;
    // `hub 1-0:1.0` is a root hub.
    if port.ends_with(b"-0") {
        return None;
    }
    Some(Kmsg::NotStorage { port, kind })
}

/// `1-1.2:1.0…` → (`1-1.2`, `1.0`).
fn interface(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = memchr::memchr(b':', text)?;
    let port = &text[..colon];
    let rest = text.get(colon + 1..)?;
    let end = rest
        .iter()
        .position(|&b| !(b.is_ascii_digit() || b == b'.'))
        .unwrap_or(rest.len());
    let iface = &rest[..end];
    (is_port(port) && !iface.is_empty()).then_some((port, iface))
}

/// A bus-port path: `1-1`, `3-10.4.2`.
fn is_port(p: &[u8]) -> bool {
    let Some(dash) = memchr::memchr(b'-', p) else {
        return false;
    };
    let (bus, tail) = (&p[..dash], &p[dash + 1..]);
    !bus.is_empty()
        && bus.iter().all(u8::is_ascii_digit)
        && !tail.is_empty()
        && tail.iter().all(|&b| b.is_ascii_digit() || b == b'.')
        && p.len() <= 32
}

fn after_word<'a>(text: &'a [u8], word: &[u8]) -> Option<&'a [u8]> {
    let at = memchr::memmem::find(text, word)?;
    text.get(at + word.len()..)
}

fn hex_after(text: &[u8], key: &[u8]) -> Option<u16> {
    let v = after_word(text, key)?;
    let digits: &[u8] = v.get(..4)?;
    let s = std::str::from_utf8(digits).ok()?;
    u16::from_str_radix(s, 16).ok()
}

fn value(text: &[u8]) -> &[u8] {
    trim(text)
}

fn trim(text: &[u8]) -> &[u8] {
    text.trim_ascii()
}

fn leading_u32(text: &[u8]) -> Option<u32> {
    let n = text.iter().take_while(|b| b.is_ascii_digit()).count();
    parse_u32(text.get(..n)?)
}

fn parse_u32(d: &[u8]) -> Option<u32> {
    parse_u64(d).and_then(|v| u32::try_from(v).ok())
}

fn parse_u64(d: &[u8]) -> Option<u64> {
    if d.is_empty() || d.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in d {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(b - b'0');
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One kernel line (as printed, printk time optional) → the event, written compactly.
    fn check(line: &str, expect: &str) {
        let (_, msg) = strip_printk(line.as_bytes());
        let got = match parse(msg) {
            None => "-".to_owned(),
            Some(ev) => show(ev),
        };
        assert_eq!(got, expect, "line: {line}");
    }

    fn s(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    fn show(ev: Kmsg<'_>) -> String {
        match ev {
            Kmsg::NewDevice {
                port,
                number,
                speed,
            } => format!("new {} #{number} {}", s(port), s(speed)),
            Kmsg::Ids { port, vid, pid } => format!("ids {} {vid:04x}:{pid:04x}", s(port)),
            Kmsg::Product { port, value } => format!("product {} {}", s(port), s(value)),
            Kmsg::Manufacturer { port, value } => format!("mfr {} {}", s(port), s(value)),
            Kmsg::Serial { port, value } => format!("serial {} {}", s(port), s(value)),
            Kmsg::Storage { port, host, driver } => format!(
                "storage {} host={} {driver:?}",
                port.map_or("?".into(), s),
                host.map_or("?".into(), |h| h.to_string())
            ),
            Kmsg::Disk {
                host,
                name,
                removable,
            } => format!("disk host={host} {} removable={removable}", s(name)),
            Kmsg::Disconnect { port, number } => format!(
                "gone {} #{}",
                s(port),
                number.map_or("?".into(), |n| n.to_string())
            ),
            Kmsg::NotStorage { port, kind } => format!("not {} {kind:?}", s(port)),
        }
    }

    #[test]
    fn kernel_lines() {
        // Enumeration, every speed and both the current and the 2.6-era wording.
        check(
            "[83335.984037] usb 1-8: new high speed USB device using ehci_hcd and address 4",
            "new 1-8 #4 high speed",
        );
        check(
            "[   42.547467] usb 1-1: new high-speed USB device number 2 using ehci-pci",
            "new 1-1 #2 high-speed",
        );
        check(
            "[   67.911864] usb 2-1: new SuperSpeed Gen 1 USB device number 3 using xhci_hcd",
            "new 2-1 #3 SuperSpeed Gen 1",
        );
        check(
            "[    8.665627] usb 4-1.1: new SuperSpeed USB device number 3 using xhci-hcd",
            "new 4-1.1 #3 SuperSpeed",
        );
        check(
            "usb 3-2: new SuperSpeed Plus Gen 2x1 USB device number 2 using xhci_hcd",
            "new 3-2 #2 SuperSpeed Plus Gen 2x1",
        );
        check(
            "usb 1-1.3: new full-speed USB device number 7 using xhci_hcd",
            "new 1-1.3 #7 full-speed",
        );
        check(
            "usb 2-1: new low-speed USB device number 3 using uhci_hcd",
            "new 2-1 #3 low-speed",
        );
        check(
            "usb 2-1: new full speed USB device using uhci_hcd and address 5",
            "new 2-1 #5 full speed",
        );
        check(
            "usb 1-1: reset high-speed USB device number 5 using xhci_hcd",
            "-",
        );
        // Descriptors.
        check(
            "[   44.351449] usb 1-1: New USB device found, idVendor=0930, idProduct=6544, bcdDevice= 1.00",
            "ids 1-1 0930:6544",
        );
        check(
            "[83336.142166] usb 1-8: New USB device found, idVendor=1687, idProduct=3255",
            "ids 1-8 1687:3255",
        );
        check(
            "usb 2-1: New USB device found, idVendor=152d, idProduct=0578, bcdDevice=32.02",
            "ids 2-1 152d:0578",
        );
        check(
            "usb 1-1: New USB device strings: Mfr=1, Product=2, SerialNumber=3",
            "-",
        );
        check(
            "usb 1-1: Product: DataTraveler 120",
            "product 1-1 DataTraveler 120",
        );
        check("usb 1-1: Manufacturer: Kingston", "mfr 1-1 Kingston");
        check(
            "usb 1-1: SerialNumber: 001E4F923A63C910A5430647",
            "serial 1-1 001E4F923A63C910A5430647",
        );
        check("usb 1-1: Product:  ", "product 1-1 ");
        check(
            "[    0.717005] usb usb2: New USB device found, idVendor=1d6b, idProduct=0003, bcdDevice= 5.10",
            "-",
        );
        check("usb usb2: SerialNumber: 0000:01:00.0", "-");
        // Storage drivers.
        check(
            "[   44.860402] usb-storage 1-1:1.0: USB Mass Storage device detected",
            "storage 1-1 host=? UsbStorage",
        );
        check(
            "usb-storage 2-1:1.0: Quirks match for vid 152d pid 0578: 1800000",
            "storage 2-1 host=? UsbStorage",
        );
        check(
            "[   44.861761] scsi host33: usb-storage 1-1:1.0",
            "storage 1-1 host=33 UsbStorage",
        );
        check(
            "[83336.142952] scsi5 : usb-storage 1-8:1.0",
            "storage 1-8 host=5 UsbStorage",
        );
        check("[    1.546928] scsi host0: uas", "storage ? host=0 Uas");
        check(
            "uas 2-1:1.0: uas_eh_device_reset_handler start",
            "storage 2-1 host=? Uas",
        );
        check("usbcore: registered new interface driver usb-storage", "-");
        check("usbcore: registered new interface driver uas", "-");
        check("scsi host2: ahci", "-");
        check("usb-storage: device found at 5", "-");
        // Disks and partitions.
        check(
            "[83337.559497] sd 5:0:0:0: [sdb] Attached SCSI removable disk",
            "disk host=5 sdb removable=true",
        );
        check(
            "[   68.965266] sd 0:0:0:0: [sda] Attached SCSI disk",
            "disk host=0 sda removable=false",
        );
        check(
            "sd 6:0:0:1: [sdc] Attached SCSI removable disk",
            "disk host=6 sdc removable=true",
        );
        check("sd 5:0:0:0: [sdb] Write Protect is off", "-");
        check("[83337.556244]  sdb: sdb1", "-");
        // Disconnects.
        check(
            "[86533.283387] usb 1-8: USB disconnect, address 4",
            "gone 1-8 #4",
        );
        check("usb 1-1: USB disconnect, device number 5", "gone 1-1 #5");
        check(
            "usb 1-1.2: USB disconnect, device number 12",
            "gone 1-1.2 #12",
        );
        // Not storage.
        check(
            "input: Logitech USB Optical Mouse as /devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/0003:046D:C077.0001/input/input15",
            "not 1-2 Input",
        );
        check(
            "input: Dell KB216 Wired Keyboard as /devices/pci0000:00/0000:00:14.0/usb1/1-4/1-4.1/1-4.1:1.1/0003:413C:2113.0002/input/input9",
            "not 1-4.1 Input",
        );
        check(
            "input: Power Button as /devices/LNXSYSTM:00/LNXPWRBN:00/input/input2",
            "-",
        );
        check(
            "input: AT Translated Set 2 keyboard as /devices/platform/i8042/serio0/input/input3",
            "-",
        );
        check("[    1.855233] hub 1-1:1.0: USB hub found", "not 1-1 Hub");
        check("[    0.717337] hub 2-0:1.0: USB hub found", "-");
        check(
            "hid-generic 0003:046D:C077.0001: input,hidraw0: USB HID v1.11 Mouse [Logitech USB Optical Mouse] on usb-0000:00:14.0-2/input0",
            "-",
        );
        check("usbhid 1-2:1.0: can't add hid device: -71", "not 1-2 Input");
        check("cdc_acm 1-1:1.0: ttyACM0: USB ACM device", "not 1-1 Serial");
        check(
            "cdc_ether 2-1:1.0 usb0: register 'cdc_ether' at usb-0000:00:14.0-1, CDC Ethernet Device, 02:0c:29:3a:4b:5c",
            "not 2-1 Network",
        );
        check(
            "rndis_host 1-3:1.0 usb0: register 'rndis_host' at usb-0000:00:14.0-3, RNDIS device, 7a:8b:9c:0d:1e:2f",
            "not 1-3 Network",
        );
        check(
            "usblp 1-1:1.0: usblp0: USB Bidirectional printer dev 2 if 0 alt 0 proto 2 vid 0x04F9 pid 0x0042",
            "not 1-1 Printer",
        );
        check(
            "uvcvideo 1-7:1.0: Found UVC 1.50 device Integrated Camera (04f2:b6cb)",
            "not 1-7 Camera",
        );
        // Not USB at all, and broken lines.
        check("[    0.000000] Linux version 6.1.0-13-amd64", "-");
        check("", "-");
        check("usb", "-");
        check("usb 1-1", "-");
        check("usb 1-1:", "-");
        check("usb 1-1: New USB device found, idVendor=07", "-");
        check(
            "usb 1-1: new high-speed USB device number using xhci_hcd",
            "-",
        );
        check(
            "usb 1-1: new high-speed USB device number 99999999999999999999 using",
            "-",
        );
        check("scsi host: usb-storage 1-1:1.0", "-");
        check("sd 5:0:0:0: [sdb Attached SCSI removable disk", "-");
        check("[   12.3", "-");
    }

    #[test]
    fn printk_times() {
        let t = |line: &str| strip_printk(line.as_bytes()).0;
        assert_eq!(t("[  123.456789] usb 1-1: x"), Some(123_456_789));
        assert_eq!(t("[    0.000000] Linux"), Some(0));
        assert_eq!(t("[5.1] x"), Some(5_100_000));
        assert_eq!(t("usb 1-1: x"), None);
        assert_eq!(t("[abc] x"), None);
        assert_eq!(t("[99999999999999999999.000000] x"), None);
    }

    #[test]
    fn mounts() {
        let m =
            |line: &str| parse_mount(line.as_bytes()).map(|m| format!("{} {}", s(m.dev), s(m.at)));
        assert_eq!(
            m("Mounted /dev/sdb1 at /media/zhang/KINGSTON on behalf of uid 1000").as_deref(),
            Some("sdb1 /media/zhang/KINGSTON")
        );
        assert_eq!(
            m("Mounted /dev/sdc1 at /media/zhang/My Disk on behalf of uid 1000").as_deref(),
            Some("sdc1 /media/zhang/My Disk")
        );
        assert_eq!(
            m("Mounted /dev/sdb at /media/zhang/CDROM").as_deref(),
            Some("sdb /media/zhang/CDROM")
        );
        assert_eq!(m("Unmounted /dev/sdb1 on behalf of uid 1000"), None);
        assert_eq!(m("Mounted /dev/sdb1 at"), None);
        assert_eq!(disk_of(b"sdb1"), b"sdb");
        assert_eq!(disk_of(b"sdb"), b"sdb");
        assert_eq!(disk_of(b"12"), b"");
    }
}
