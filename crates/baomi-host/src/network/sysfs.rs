//! Network hardware from sysfs (`/sys/class/net`, `ieee80211`, `bluetooth`, `wwan`) and addresses and
//! routes from `/proc/net` (live only). sysfs is read through the Root like any file, so a copied
//! sysfs tree (a test fixture) is read the same way as the running kernel's.

use crate::Root;
use baomi_core::{BluetoothController, NetInterface, Route};
use std::net::{Ipv4Addr, Ipv6Addr};

/// sysfs attribute files are a few bytes; anything larger is not an attribute.
const ATTR_CAP: u64 = 64 << 10;
/// Interfaces (and phys, controllers) read at most: a hostile tree cannot make the check run long.
const MAX_DEVICES: usize = 4096;

/// A radio device worth a finding (Wi-Fi or WWAN), with what identifies it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Radio {
    /// `phy0`, `wwan0`.
    pub name: String,
    /// The network interface on it, when there is one.
    pub interface: Option<String>,
    /// Hardware address.
    pub mac: Option<String>,
    /// Kernel driver.
    pub driver: Option<String>,
    /// The sysfs path it was seen at.
    pub source: String,
}

/// What sysfs shows.
#[derive(Debug, Default)]
pub struct SysNet {
    /// Interfaces, loopback excluded.
    pub interfaces: Vec<NetInterface>,
    /// Wi-Fi devices, one per phy.
    pub wifi: Vec<Radio>,
    /// WWAN modems.
    pub wwan: Vec<Radio>,
    /// Bluetooth controllers.
    pub bluetooth: Vec<BluetoothController>,
    /// sysfs entries read.
    pub examined: u64,
}

fn attr(root: &Root, path: &str) -> Option<String> {
    let v = root.read_text(path, ATTR_CAP).ok()?;
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// The name a sysfs link leads to (`device/driver` → `iwlwifi`), links resolved inside the root.
fn link_name(root: &Root, path: &str) -> Option<String> {
    if !root.exists(path) {
        return None;
    }
    let p = root.resolve(path).ok()?;
    Some(p.file_name()?.to_string_lossy().into_owned())
}

fn uevent(root: &Root, path: &str, key: &str) -> Option<String> {
    let text = root.read_text(&format!("{path}/uevent"), ATTR_CAP).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .map(str::to_owned)
}

fn real_mac(mac: Option<String>) -> Option<String> {
    mac.map(|m| m.to_ascii_lowercase())
        .filter(|m| m.chars().any(|c| c != '0' && c != ':'))
}

/// Read `/sys` under `root`.
pub fn read(root: &Root) -> SysNet {
    let mut out = SysNet::default();
    // The device folder (as a system path) behind each WWAN interface, to pair it with /sys/class/wwan.
    let mut wwan_parents: Vec<String> = Vec::new();
    let names = root.list("/sys/class/net").unwrap_or_default();
    for name in names.iter().take(MAX_DEVICES) {
        let base = format!("/sys/class/net/{name}");
        out.examined += 1;
        let kind_num = attr(root, &format!("{base}/type"));
        if name == "lo" || kind_num.as_deref() == Some("772") {
            continue;
        }
        let real = root
            .resolve(&base)
            .map(|p| root.system_path(&p))
            .unwrap_or_default();
        let devtype = uevent(root, &base, "DEVTYPE");
        let has_device = root.exists(&format!("{base}/device"));
        let physical = has_device && !real.starts_with("/sys/devices/virtual/");
        let wifi = root.exists(&format!("{base}/wireless"))
            || root.exists(&format!("{base}/phy80211"))
            || devtype.as_deref() == Some("wlan");
        let wwan =
            devtype.as_deref() == Some("wwan") || root.is_dir(&format!("{base}/device/wwan"));
        let kind = if wifi {
            "wifi"
        } else if wwan {
            "wwan"
        } else if devtype.as_deref() == Some("bluetooth") {
            "bluetooth"
        } else if !physical
            || root.is_dir(&format!("{base}/bridge"))
            || root.exists(&format!("{base}/tun_flags"))
        {
            "virtual"
        } else if kind_num.as_deref() == Some("1") {
            "ethernet"
        } else {
            "other"
        };
        let mac = real_mac(attr(root, &format!("{base}/address")));
        let driver = link_name(root, &format!("{base}/device/driver"));
        let operstate = attr(root, &format!("{base}/operstate"));
        out.interfaces.push(NetInterface {
            name: name.clone(),
            kind: kind.to_owned(),
            mac: mac.clone(),
            driver: driver.clone(),
            operstate,
            addresses: Vec::new(),
            physical,
        });
        if wifi {
            out.wifi.push(Radio {
                name: link_name(root, &format!("{base}/phy80211")).unwrap_or_else(|| name.clone()),
                interface: Some(name.clone()),
                mac,
                driver,
                source: base,
            });
        } else if wwan {
            if let Ok(dev) = root.resolve(&format!("{base}/device")) {
                wwan_parents.push(root.system_path(&dev));
            }
            out.wwan.push(Radio {
                name: name.clone(),
                interface: Some(name.clone()),
                mac,
                driver,
                source: base,
            });
        }
    }
    // A phy without an interface is Wi-Fi hardware all the same (interface down or renamed away).
    for phy in root
        .list("/sys/class/ieee80211")
        .unwrap_or_default()
        .into_iter()
        .take(MAX_DEVICES)
    {
        out.examined += 1;
        if out.wifi.iter().any(|w| w.name == phy) {
            continue;
        }
        let base = format!("/sys/class/ieee80211/{phy}");
        out.wifi.push(Radio {
            mac: real_mac(attr(root, &format!("{base}/macaddress"))),
            driver: link_name(root, &format!("{base}/device/driver")),
            name: phy,
            interface: None,
            source: base,
        });
    }
    // The WWAN framework's class device (kernel ≥ 5.14) sits beside the modem's net device, under the
    // same parent: `…/2-3:1.12/wwan/wwan0` and `…/2-3:1.12/net/wwan0`.
    for dev in root
        .list("/sys/class/wwan")
        .unwrap_or_default()
        .into_iter()
        .take(MAX_DEVICES)
    {
        out.examined += 1;
        let base = format!("/sys/class/wwan/{dev}");
        let parent = root
            .resolve(&base)
            .ok()
            .and_then(|p| Some(p.parent()?.parent()?.to_path_buf()))
            .map(|p| root.system_path(&p));
        if parent.as_ref().is_some_and(|p| wwan_parents.contains(p)) {
            continue;
        }
        let driver = parent
            .as_ref()
            .and_then(|p| link_name(root, &format!("{p}/driver")));
        out.wwan.push(Radio {
            name: dev,
            interface: None,
            mac: None,
            driver,
            source: base,
        });
    }
    for hci in root
        .list("/sys/class/bluetooth")
        .unwrap_or_default()
        .into_iter()
        .take(MAX_DEVICES)
    {
        // `hci0:11` entries are connections, not controllers.
        if hci.contains(':') {
            continue;
        }
        out.examined += 1;
        let base = format!("/sys/class/bluetooth/{hci}");
        out.bluetooth.push(BluetoothController {
            address: real_mac(attr(root, &format!("{base}/address"))),
            name: hci,
            source: base,
        });
    }
    out
}

/// `/proc/net/route`: default routes, and the on-link networks (interface, network, prefix) that
/// place each local IPv4 address on its interface.
pub fn proc_route(text: &str) -> (Vec<Route>, Vec<(String, Ipv4Addr, u8)>) {
    let mut defaults = Vec::new();
    let mut links = Vec::new();
    for line in text.lines().skip(1).take(100_000) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (Some(iface), Some(dest), Some(gw), Some(mask)) =
            (f.first(), f.get(1), f.get(2), f.get(7))
        else {
            continue;
        };
        let (Some(dest), Some(gw), Some(mask)) = (hex_v4(dest), hex_v4(gw), hex_v4(mask)) else {
            continue;
        };
        if dest.is_unspecified() && mask.is_unspecified() {
            defaults.push(Route {
                interface: Some((*iface).to_owned()),
                gateway: (!gw.is_unspecified()).then(|| gw.to_string()),
                source: "/proc/net/route".into(),
            });
        } else if gw.is_unspecified() {
            links.push((
                (*iface).to_owned(),
                dest,
                u32::from(mask).count_ones() as u8,
            ));
        }
    }
    (defaults, links)
}

/// The kernel prints each address as the native-endian u32 of its network-order bytes.
fn hex_v4(h: &str) -> Option<Ipv4Addr> {
    let n = u32::from_str_radix(h, 16).ok()?;
    Some(Ipv4Addr::from(n.to_ne_bytes()))
}

fn hex_v6(h: &str) -> Option<Ipv6Addr> {
    if h.len() != 32 {
        return None;
    }
    u128::from_str_radix(h, 16).ok().map(Ipv6Addr::from)
}

/// Default routes of `/proc/net/ipv6_route` (the kernel's unreachable default on `lo` is skipped).
pub fn proc_ipv6_route(text: &str) -> Vec<Route> {
    let mut out = Vec::new();
    for line in text.lines().take(100_000) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (Some(dest), Some(plen), Some(hop), Some(iface)) =
            (f.first(), f.get(1), f.get(4), f.get(9))
        else {
            continue;
        };
        if *plen != "00" || *iface == "lo" || hex_v6(dest).is_none_or(|d| !d.is_unspecified()) {
            continue;
        }
        out.push(Route {
            interface: Some((*iface).to_owned()),
            gateway: hex_v6(hop)
                .filter(|g| !g.is_unspecified())
                .map(|g| g.to_string()),
            source: "/proc/net/ipv6_route".into(),
        });
    }
    out
}

/// (interface, `address/prefix`) of `/proc/net/if_inet6`.
pub fn if_inet6(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines().take(100_000) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (Some(addr), Some(plen), Some(iface)) = (f.first(), f.get(2), f.get(5)) else {
            continue;
        };
        let (Some(addr), Ok(plen)) = (hex_v6(addr), u8::from_str_radix(plen, 16)) else {
            continue;
        };
        out.push(((*iface).to_owned(), format!("{addr}/{plen}")));
    }
    out
}

/// The local IPv4 addresses of `/proc/net/fib_trie` (`|-- A.B.C.D` followed by `/32 host LOCAL`):
/// read instead of getifaddrs(3), which needs unsafe code or another dependency.
pub fn fib_trie_local(text: &str) -> Vec<Ipv4Addr> {
    let mut out: Vec<Ipv4Addr> = Vec::new();
    let mut last: Option<Ipv4Addr> = None;
    for line in text.lines().take(1_000_000) {
        let t = line.trim();
        if let Some(a) = t.strip_prefix("|-- ") {
            last = a.trim().parse().ok();
        } else if t.starts_with("/32 host LOCAL")
            && let Some(a) = last.filter(|a| !a.is_loopback() && !out.contains(a))
        {
            out.push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check<T: std::fmt::Debug>(got: T, expect: &str) {
        assert_eq!(format!("{got:?}"), expect);
    }

    // Captured from this build machine (Linux 6.x, x86-64) with cat.
    const ROUTE: &str = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\neth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\nbad line\n";

    #[test]
    fn proc_files() {
        if cfg!(target_endian = "little") {
            check(
                proc_route(ROUTE),
                "([Route { interface: Some(\"eth0\"), gateway: Some(\"192.0.2.1\"), source: \"/proc/net/route\" }], [(\"eth0\", 192.0.2.0, 24)])",
            );
        }
        check(
            if_inet6(
                "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n00000000000000000000000000000001 01 80 10 80       lo\nzz\n",
            ),
            "[(\"eth0\", \"fe80::fc:ff:fe00:1/64\"), (\"lo\", \"::1/128\")]",
        );
        check(
            proc_ipv6_route(
                "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eth0\n00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 lo\n",
            ),
            "[Route { interface: Some(\"eth0\"), gateway: Some(\"fe80::1\"), source: \"/proc/net/ipv6_route\" }]",
        );
        check(
            fib_trie_local(
                "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n        /0 universe UNICAST\n           |-- 127.0.0.1\n              /32 host LOCAL\n           |-- 192.0.2.2\n              /32 host LOCAL\n        |-- 192.0.2.255\n           /32 link BROADCAST\nLocal:\n           |-- 192.0.2.2\n              /32 host LOCAL\n",
            ),
            "[192.0.2.2]",
        );
    }
}
