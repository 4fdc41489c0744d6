//! Network isolation: network hardware (Wi-Fi, Bluetooth, WWAN modems), saved Wi-Fi networks, routes,
//! DNS and proxies, and on request an outbound probe.
//!
//! A live computer shows its hardware in sysfs; an offline disk has an empty /sys, so there the evidence
//! is configuration: BlueZ's per-controller folders, NetworkManager, wpa_supplicant, ifupdown and
//! netplan profiles, udev's persistent-net rules. Both are read whenever present.

pub mod config;
pub mod probe;
pub mod sysfs;

use crate::catalogue::{CheckInfo, RuleInfo, Text};
use crate::{CheckRun, HostContext, HostFinding, Root};
use baomi_core::Severity::{Critical, High, Info, Low, Medium};
use baomi_core::{
    Artifacts, BluetoothController, Evidence, NetInterface, NetworkInfo, ProxySetting, Route,
    SavedWifi,
};
use std::io;
use std::time::Duration;

/// Wi-Fi hardware present.
pub const WIFI_HARDWARE: RuleInfo = RuleInfo {
    id: "network.wifi_hardware",
    title: Text {
        en: "Wi-Fi hardware is present",
        zh: "存在无线网卡",
    },
    severities: [Critical, High, Info, Medium],
};

/// Bluetooth controller present.
pub const BLUETOOTH: RuleInfo = RuleInfo {
    id: "network.bluetooth",
    title: Text {
        en: "a Bluetooth controller is present",
        zh: "存在蓝牙模块",
    },
    severities: [High, Medium, Info, Low],
};

/// WWAN / 4G modem present.
pub const WWAN: RuleInfo = RuleInfo {
    id: "network.wwan_modem",
    title: Text {
        en: "a mobile broadband (4G/5G) modem is present",
        zh: "存在移动网络（4G/5G）模块",
    },
    severities: [Critical, Critical, Info, Medium],
};

/// Wi-Fi networks saved in configuration.
pub const SAVED_WIFI: RuleInfo = RuleInfo {
    id: "network.saved_wifi",
    title: Text {
        en: "a Wi-Fi network is saved in the configuration (the computer has joined it)",
        zh: "配置中保存有无线网络（曾连接）",
    },
    severities: [Critical, High, Info, Medium],
};

/// More than one active physical interface.
pub const MULTIPLE_NICS: RuleInfo = RuleInfo {
    id: "network.multiple_active_nics",
    title: Text {
        en: "more than one physical network interface is active (a bridge between networks)",
        zh: "多个物理网卡同时启用（可能跨网连接）",
    },
    severities: [High, High, Low, Medium],
};

/// DNS servers on the Internet.
pub const INTERNET_DNS: RuleInfo = RuleInfo {
    id: "network.internet_dns",
    title: Text {
        en: "a DNS server on the Internet is configured",
        zh: "配置了互联网 DNS 服务器",
    },
    severities: [High, Medium, Info, Low],
};

/// Proxy configured.
pub const PROXY: RuleInfo = RuleInfo {
    id: "network.proxy",
    title: Text {
        en: "a proxy is configured",
        zh: "配置了代理服务器",
    },
    severities: [Medium, Low, Info, Low],
};

/// The outbound probe reached the Internet.
pub const PROBE_CONNECTED: RuleInfo = RuleInfo {
    id: "network.probe_connected",
    title: Text {
        en: "an outbound connection to the Internet succeeded",
        zh: "向互联网的连接测试成功",
    },
    severities: [Critical, Critical, Info, High],
};

/// The check.
pub const INFO: CheckInfo = CheckInfo {
    id: "network",
    name: Text {
        en: "Network isolation",
        zh: "网络隔离",
    },
    reads: Text {
        en: "/sys/class/net (interfaces, MAC, driver, phy80211, wwan), /sys/class/ieee80211, /sys/class/wwan, /sys/class/bluetooth and /var/lib/bluetooth (controllers and paired devices), NetworkManager profiles and timestamps, wpa_supplicant, /etc/network/interfaces, netplan, udev persistent-net rules, /proc/net (addresses and routes, live only), resolv.conf and systemd-resolved, proxy variables in /etc/environment, profile.d and users' shell files, apt and KDE proxies (GNOME's dconf is not read); with --probe (live only, never by default) TCP connections to the policy's targets",
        zh: "/sys/class/net（网卡、MAC、驱动、phy80211、wwan）、/sys/class/ieee80211、/sys/class/wwan、/sys/class/bluetooth 与 /var/lib/bluetooth（蓝牙控制器及已配对设备）、NetworkManager 配置与连接时间、wpa_supplicant、/etc/network/interfaces、netplan、udev 网卡命名规则、/proc/net（地址与路由，仅在线检查）、resolv.conf 与 systemd-resolved、/etc/environment、profile.d 和用户 shell 文件中的代理变量、apt 与 KDE 代理（不读取 GNOME 的 dconf）；加 --probe 时（仅在线检查，默认不做）向策略中的目标发起 TCP 连接",
    },
    rules: &[
        WIFI_HARDWARE,
        BLUETOOTH,
        WWAN,
        SAVED_WIFI,
        MULTIPLE_NICS,
        INTERNET_DNS,
        PROXY,
        PROBE_CONNECTED,
    ],
};

/// Configuration files are small; one larger than this is not a configuration file.
const CONFIG_CAP: u64 = 4 << 20;
/// Files read from one configuration folder at most.
const MAX_FILES: usize = 2000;

/// A saved Wi-Fi network as seen in one file.
#[derive(Debug, Clone)]
struct Saved {
    ssid: String,
    source: String,
    via: &'static str,
    last_connected: Option<jiff::Timestamp>,
    hotspot: bool,
}

/// Everything gathered before findings are made.
#[derive(Default)]
struct Seen {
    sys: sysfs::SysNet,
    sysfs_present: bool,
    /// Bluetooth controllers from /var/lib/bluetooth: (address, paired device names).
    bluez: Vec<(String, Vec<String>)>,
    /// Interfaces known only from configuration (udev rules): (name, mac, source).
    configured_ifaces: Vec<(String, String, String)>,
    /// Mobile broadband profiles: (profile id, apn, source).
    mobile_profiles: Vec<(String, String, String)>,
    saved: Vec<Saved>,
    routes: Vec<Route>,
    /// (server, source).
    dns: Vec<(String, String)>,
    proxies: Vec<ProxySetting>,
    /// dconf databases whose proxy settings were not read.
    dconf_unread: Vec<String>,
    /// Where a dangling /etc/resolv.conf leads (systemd-resolved's file under /run, gone offline).
    resolv_dangling: Option<String>,
    addresses: Vec<(String, String)>,
}

/// Read a configuration file: `None` when it does not exist; other failures become problems.
fn read_config(root: &Root, path: &str, out: &mut CheckRun) -> Option<String> {
    match root.read_text(path, CONFIG_CAP) {
        Ok(t) => {
            out.examined += 1;
            Some(t)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) if e.kind() == io::ErrorKind::IsADirectory => None,
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            out.problem(format!(
                "{path}: permission denied (run as root to read it)"
            ));
            None
        }
        Err(e) => {
            out.problem(format!("{path}: {e}"));
            None
        }
    }
}

/// Regular files of a folder (names sorted), skipping editor backups.
fn config_files(root: &Root, dir: &str, suffix: &str) -> Vec<String> {
    root.list(dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n.ends_with(suffix) && !n.ends_with('~') && !n.starts_with('.'))
        .take(MAX_FILES)
        .map(|n| Root::child(dir, &n))
        .filter(|p| root.metadata(p).is_ok_and(|m| m.is_file()))
        .collect()
}

/// Group items by key, groups in order of first appearance (linear, for lists of any length).
pub(crate) fn group_in_order<'a, T, K: std::hash::Hash + Eq>(
    items: &'a [T],
    key: impl Fn(&'a T) -> K,
) -> Vec<Vec<&'a T>> {
    let mut index: std::collections::HashMap<K, usize> = std::collections::HashMap::new();
    let mut groups: Vec<Vec<&'a T>> = Vec::new();
    for item in items {
        let k = key(item);
        let i = *index.entry(k).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        if let Some(g) = groups.get_mut(i) {
            g.push(item);
        }
    }
    groups
}

fn rfc3339(t: jiff::Timestamp) -> String {
    t.to_string()
}

fn gather(ctx: &HostContext<'_>, out: &mut CheckRun) -> Seen {
    let root = ctx.root;
    let mut seen = Seen {
        sysfs_present: root.is_dir("/sys/class/net")
            && !root.list("/sys/class/net").unwrap_or_default().is_empty(),
        ..Seen::default()
    };
    if seen.sysfs_present
        || root.is_dir("/sys/class/ieee80211")
        || root.is_dir("/sys/class/bluetooth")
    {
        seen.sys = sysfs::read(root);
        out.examined += seen.sys.examined;
    }
    if root.is_live() {
        live_addresses_and_routes(root, &mut seen);
    }
    bluez(root, &mut seen, out);
    network_manager(root, &mut seen, out);
    for path in config_files(root, "/etc/wpa_supplicant", ".conf") {
        if let Some(text) = read_config(root, &path, out) {
            for ssid in config::wpa_ssids(&text) {
                seen.saved.push(Saved {
                    ssid,
                    source: path.clone(),
                    via: "wpa_supplicant",
                    last_connected: None,
                    hotspot: false,
                });
            }
        }
    }
    let mut ifupdown_files = vec!["/etc/network/interfaces".to_owned()];
    ifupdown_files.extend(config_files(root, "/etc/network/interfaces.d", ""));
    for path in ifupdown_files {
        if let Some(text) = read_config(root, &path, out) {
            let cfg = config::ifupdown(&text);
            for (iface, ssid) in cfg.ssids {
                let _ = iface;
                seen.saved.push(Saved {
                    ssid,
                    source: path.clone(),
                    via: "ifupdown",
                    last_connected: None,
                    hotspot: false,
                });
            }
            for (iface, gw) in cfg.gateways {
                seen.routes.push(Route {
                    interface: Some(iface),
                    gateway: Some(gw),
                    source: path.clone(),
                });
            }
            for d in cfg.dns {
                seen.dns.push((d, path.clone()));
            }
        }
    }
    for path in config_files(root, "/etc/netplan", ".yaml") {
        if let Some(text) = read_config(root, &path, out) {
            let cfg = config::netplan(&text);
            for ssid in cfg.ssids {
                seen.saved.push(Saved {
                    ssid,
                    source: path.clone(),
                    via: "netplan",
                    last_connected: None,
                    hotspot: false,
                });
            }
            for gw in cfg.gateways {
                seen.routes.push(Route {
                    interface: None,
                    gateway: Some(gw),
                    source: path.clone(),
                });
            }
            for d in cfg.dns {
                seen.dns.push((d, path.clone()));
            }
        }
    }
    for path in ["/etc/udev/rules.d/70-persistent-net.rules"] {
        if let Some(text) = read_config(root, path, out) {
            for (name, mac) in config::udev_net_rules(&text) {
                seen.configured_ifaces.push((name, mac, path.to_owned()));
            }
        }
    }
    dns(root, &mut seen, out);
    proxies(ctx, &mut seen, out);
    seen
}

fn live_addresses_and_routes(root: &Root, seen: &mut Seen) {
    let read = |p: &str| root.read_text(p, 16 << 20).unwrap_or_default();
    let (defaults, links) = sysfs::proc_route(&read("/proc/net/route"));
    seen.routes.extend(defaults);
    seen.routes
        .extend(sysfs::proc_ipv6_route(&read("/proc/net/ipv6_route")));
    for addr in sysfs::fib_trie_local(&read("/proc/net/fib_trie")) {
        let on = links.iter().find(|(_, net, plen)| {
            let mask = u32::MAX.checked_shl(32 - u32::from(*plen)).unwrap_or(0);
            u32::from(addr) & mask == u32::from(*net) & mask
        });
        if let Some((iface, _, plen)) = on {
            seen.addresses
                .push((iface.clone(), format!("{addr}/{plen}")));
        }
    }
    seen.addresses
        .extend(sysfs::if_inet6(&read("/proc/net/if_inet6")));
}

fn is_mac(s: &str) -> bool {
    s.len() == 17
        && s.split(':').count() == 6
        && s.split(':')
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// BlueZ keeps `/var/lib/bluetooth/<controller address>/` for every controller it has driven, with a
/// folder per paired device: it outlives the hardware, so an offline disk still shows it.
fn bluez(root: &Root, seen: &mut Seen, out: &mut CheckRun) {
    for ctrl in root
        .list("/var/lib/bluetooth")
        .unwrap_or_default()
        .into_iter()
        .take(MAX_FILES)
    {
        let dir = Root::child("/var/lib/bluetooth", &ctrl);
        if !is_mac(&ctrl) || !root.is_dir(&dir) {
            continue;
        }
        out.examined += 1;
        let mut paired = Vec::new();
        for dev in root
            .list(&dir)
            .unwrap_or_default()
            .into_iter()
            .take(MAX_FILES)
        {
            if !is_mac(&dev) {
                continue;
            }
            let info = root
                .read_text(&format!("{dir}/{dev}/info"), 1 << 20)
                .unwrap_or_default();
            let name = config::ini(&info)
                .into_iter()
                .find(|(g, k, _)| g == "General" && k == "Name")
                .map(|(_, _, v)| v);
            paired.push(match name {
                Some(n) => format!("{n} ({dev})"),
                None => dev,
            });
        }
        seen.bluez.push((ctrl.to_ascii_lowercase(), paired));
    }
}

fn network_manager(root: &Root, seen: &mut Seen, out: &mut CheckRun) {
    let stamps = read_config(root, "/var/lib/NetworkManager/timestamps", out)
        .map(|t| config::nm_timestamps(&t))
        .unwrap_or_default();
    let dir = "/etc/NetworkManager/system-connections";
    if root.is_dir(dir) && root.list(dir).is_err() {
        out.problem(format!("{dir}: cannot list (run as root to read it)"));
    }
    for path in config_files(root, dir, "") {
        if path.ends_with(".nmmeta") {
            continue;
        }
        let Some(text) = read_config(root, &path, out) else {
            continue;
        };
        let p = config::nm_profile(&text);
        let last = stamps
            .iter()
            .find(|(u, _)| *u == p.uuid)
            .map(|(_, t)| *t)
            .or(p.timestamp)
            .and_then(|t| jiff::Timestamp::from_second(t).ok());
        if p.is_wifi()
            && let Some(ssid) = p.ssid.clone().filter(|s| !s.is_empty())
        {
            seen.saved.push(Saved {
                ssid,
                source: path.clone(),
                via: "NetworkManager",
                last_connected: last,
                hotspot: p.mode.as_deref() == Some("ap"),
            });
        }
        if p.is_mobile() {
            seen.mobile_profiles.push((
                p.id.clone(),
                p.apn.clone().unwrap_or_default(),
                path.clone(),
            ));
        }
        if let Some(mac) = p.mac.clone() {
            let name = p.interface.clone().unwrap_or_default();
            if !name.is_empty() {
                seen.configured_ifaces.push((name, mac, path.clone()));
            }
        }
        for gw in &p.gateways {
            seen.routes.push(Route {
                interface: p.interface.clone(),
                gateway: Some(gw.clone()),
                source: path.clone(),
            });
        }
        for d in &p.dns {
            seen.dns.push((d.clone(), path.clone()));
        }
        for (k, v) in &p.proxies {
            seen.proxies.push(ProxySetting {
                key: k.clone(),
                value: v.clone(),
                source: path.clone(),
            });
        }
    }
}

fn dns(root: &Root, seen: &mut Seen, out: &mut CheckRun) {
    let resolv = "/etc/resolv.conf";
    let mut stub = false;
    if let Some(text) = read_config(root, resolv, out) {
        for ns in config::resolv_nameservers(&text) {
            stub |= ns == "127.0.0.53";
            seen.dns.push((ns, resolv.to_owned()));
        }
    } else if let Ok(target) = std::fs::read_link(root.host_path(resolv)) {
        seen.resolv_dangling = Some(target.to_string_lossy().into_owned());
    }
    // systemd-resolved's stub hides the real servers; its own file lists them (only under /run, so
    // only on a running system in practice).
    if stub {
        let upstream = "/run/systemd/resolve/resolv.conf";
        if let Some(text) = read_config(root, upstream, out) {
            for ns in config::resolv_nameservers(&text) {
                seen.dns.push((ns, upstream.to_owned()));
            }
        }
    }
    let mut resolved = vec!["/etc/systemd/resolved.conf".to_owned()];
    resolved.extend(config_files(root, "/etc/systemd/resolved.conf.d", ".conf"));
    for path in resolved {
        if let Some(text) = read_config(root, &path, out) {
            for ns in config::resolved_dns(&text) {
                seen.dns.push((ns, path.clone()));
            }
        }
    }
}

fn proxies(ctx: &HostContext<'_>, seen: &mut Seen, out: &mut CheckRun) {
    let root = ctx.root;
    let mut push = |list: Vec<(String, String)>, source: &str| {
        for (key, value) in list {
            seen.proxies.push(ProxySetting {
                key,
                value,
                source: source.to_owned(),
            });
        }
    };
    if let Some(t) = read_config(root, "/etc/environment", out) {
        push(config::env_proxies(&t), "/etc/environment");
    }
    for path in config_files(root, "/etc/profile.d", ".sh") {
        if let Some(t) = read_config(root, &path, out) {
            push(config::env_proxies(&t), &path);
        }
    }
    for path in ["/etc/profile".to_owned(), "/etc/bash.bashrc".to_owned()] {
        if let Some(t) = read_config(root, &path, out) {
            push(config::env_proxies(&t), &path);
        }
    }
    let mut apt = vec!["/etc/apt/apt.conf".to_owned()];
    apt.extend(config_files(root, "/etc/apt/apt.conf.d", ""));
    for path in apt {
        if let Some(t) = read_config(root, &path, out) {
            push(config::apt_proxies(&t), &path);
        }
    }
    for home in root.homes() {
        for rc in [".bashrc", ".profile", ".bash_profile", ".zshrc"] {
            let path = Root::child(&home.path, rc);
            if let Some(t) = read_config(root, &path, out) {
                push(config::env_proxies(&t), &path);
            }
        }
        let kde = Root::child(&home.path, ".config/kioslaverc");
        if let Some(t) = read_config(root, &kde, out) {
            push(config::kde_proxies(&t), &kde);
        }
        let dconf = Root::child(&home.path, ".config/dconf/user");
        if root.exists(&dconf) {
            seen.dconf_unread.push(dconf);
        }
    }
}

/// `Wi-Fi device phy0, interface wlp2s0, MAC …, driver iwlwifi (seen at …)`, and the same in Chinese
/// (`what_zh` names the kind of device).
fn wifi_excerpt(r: &sysfs::Radio, what: &str, what_zh: &str) -> (String, String) {
    let mut s = format!("{what} {}", r.name);
    let mut z = format!("{what_zh} {}", r.name);
    if let Some(i) = r.interface.as_ref().filter(|i| **i != r.name) {
        s.push_str(&format!(", interface {i}"));
        z.push_str(&format!("，接口 {i}"));
    }
    if let Some(m) = &r.mac {
        s.push_str(&format!(", MAC {m}"));
        z.push_str(&format!("，MAC {m}"));
    }
    if let Some(d) = &r.driver {
        s.push_str(&format!(", driver {d}"));
        z.push_str(&format!("，驱动 {d}"));
    }
    s.push_str(&format!(" (seen at {})", r.source));
    z.push_str(&format!("（见于 {}）", r.source));
    (s, z)
}

/// Run the check.
pub fn run(ctx: &HostContext<'_>, out: &mut CheckRun, artifacts: &mut Artifacts) {
    let seen = gather(ctx, out);
    let mut info = NetworkInfo {
        interfaces: seen.sys.interfaces.clone(),
        ..NetworkInfo::default()
    };
    for iface in &mut info.interfaces {
        iface.addresses = seen
            .addresses
            .iter()
            .filter(|(n, _)| *n == iface.name)
            .map(|(_, a)| a.clone())
            .collect();
    }
    // Interfaces known only from configuration: an offline disk's record of its network cards.
    for (name, mac, _source) in &seen.configured_ifaces {
        if info
            .interfaces
            .iter()
            .any(|i| i.name == *name || i.mac.as_deref() == Some(mac.as_str()))
        {
            continue;
        }
        let kind = if name.starts_with("wl") {
            "wifi"
        } else if name.starts_with("ww") {
            "wwan"
        } else {
            "ethernet"
        };
        info.interfaces.push(NetInterface {
            name: name.clone(),
            kind: kind.into(),
            mac: Some(mac.clone()),
            physical: true,
            ..NetInterface::default()
        });
    }

    // Wi-Fi hardware: sysfs radios, then Wi-Fi interfaces named in udev rules (offline evidence).
    for r in &seen.sys.wifi {
        let (excerpt, excerpt_zh) = wifi_excerpt(r, "Wi-Fi device", "无线网卡");
        out.add(
            ctx,
            &INFO,
            &WIFI_HARDWARE,
            HostFinding {
                identity: None,
                path: r.source.clone(),
                level: None,
                confidence: 0.95,
                title: format!("Wi-Fi hardware {} is present", r.name),
                evidence: Evidence {
                    excerpt,
                    excerpt_zh: Some(excerpt_zh),
                    matched: r.mac.clone().unwrap_or_else(|| r.name.clone()),
                    why: "wifi_device_in_sysfs".into(),
                    ..Default::default()
                },
            },
        );
    }
    for (name, mac, source) in &seen.configured_ifaces {
        let known = seen.sys.wifi.iter().any(|w| {
            w.mac.as_deref() == Some(mac.as_str()) || w.interface.as_deref() == Some(name.as_str())
        });
        if !name.starts_with("wl") || known || !source.contains("udev") {
            continue;
        }
        out.add(ctx, &INFO, &WIFI_HARDWARE, HostFinding {
            identity: None,
            path: source.clone(),
            level: None,
            confidence: 0.7,
            title: format!("Wi-Fi interface {name} is recorded in udev rules"),
            evidence: Evidence {
                excerpt: format!("udev names the interface with MAC {mac} \"{name}\" in {source}: a Wi-Fi card was present when the rule was written"),
                excerpt_zh: Some(format!("{source} 中的 udev 规则将 MAC 为 {mac} 的网卡命名为“{name}”：编写该规则时本机装有无线网卡")),
                matched: mac.clone(),
                why: "wifi_interface_in_udev_rules".into(),
                ..Default::default()
            },
        });
    }

    // Bluetooth: sysfs controllers, BlueZ folders (paired when only one of each).
    let pair_bluez = seen.sys.bluetooth.len() == 1 && seen.bluez.len() == 1;
    for c in &seen.sys.bluetooth {
        let mut c = c.clone();
        let mut paired: &[String] = &[];
        if pair_bluez && let Some((addr, p)) = seen.bluez.first() {
            c.address.get_or_insert_with(|| addr.clone());
            paired = p;
        }
        bluetooth_finding(ctx, out, &c, paired, 0.95);
        info.bluetooth.push(c);
    }
    if !pair_bluez {
        for (addr, paired) in &seen.bluez {
            let c = BluetoothController {
                name: addr.clone(),
                address: Some(addr.clone()),
                source: format!("/var/lib/bluetooth/{}", addr.to_ascii_uppercase()),
            };
            bluetooth_finding(ctx, out, &c, paired, 0.85);
            info.bluetooth.push(c);
        }
    }

    // WWAN modems and mobile broadband profiles.
    for r in &seen.sys.wwan {
        let (excerpt, excerpt_zh) = wifi_excerpt(r, "WWAN modem", "移动网络模块");
        out.add(
            ctx,
            &INFO,
            &WWAN,
            HostFinding {
                identity: None,
                path: r.source.clone(),
                level: None,
                confidence: 0.95,
                title: format!("mobile broadband modem {} is present", r.name),
                evidence: Evidence {
                    excerpt,
                    excerpt_zh: Some(excerpt_zh),
                    matched: r.mac.clone().unwrap_or_else(|| r.name.clone()),
                    why: "wwan_device_in_sysfs".into(),
                    ..Default::default()
                },
            },
        );
    }
    for (id, apn, source) in &seen.mobile_profiles {
        out.add(
            ctx,
            &INFO,
            &WWAN,
            HostFinding {
                identity: None,
                path: source.clone(),
                level: None,
                confidence: 0.8,
                title: format!("a mobile broadband profile \"{id}\" is saved"),
                evidence: Evidence {
                    excerpt: format!(
                        "NetworkManager mobile broadband profile \"{id}\" (APN {apn}) in {source}"
                    ),
                    excerpt_zh: Some(format!(
                        "{source} 中保存有 NetworkManager 移动宽带配置“{id}”（APN {apn}）"
                    )),
                    matched: id.clone(),
                    why: "mobile_broadband_profile".into(),
                    ..Default::default()
                },
            },
        );
    }

    // Saved Wi-Fi: one finding per SSID, naming every file that holds it.
    for s in &seen.saved {
        info.saved_wifi.push(SavedWifi {
            ssid: s.ssid.clone(),
            source: s.source.clone(),
            last_connected: s.last_connected.map(rfc3339),
        });
    }
    for all in group_in_order(&seen.saved, |s| s.ssid.as_str()) {
        let Some(first) = all.first() else { continue };
        let ssid = first.ssid.as_str();
        let last = all.iter().filter_map(|s| s.last_connected).max();
        let hotspot = all.iter().any(|s| s.hotspot);
        let places: Vec<String> = all
            .iter()
            .map(|s| format!("{} ({})", s.source, s.via))
            .collect();
        let places_zh: Vec<String> = all
            .iter()
            .map(|s| format!("{}（{}）", s.source, s.via))
            .collect();
        let mut excerpt = format!("Wi-Fi network \"{ssid}\" saved in {}", places.join(", "));
        // Each place ends with its full-width bracket: no space before 中.
        let mut excerpt_zh = format!("在 {}中保存有无线网络“{ssid}”", places_zh.join("、"));
        match last {
            Some(t) => {
                excerpt.push_str(&format!("; last connected {}", rfc3339(t)));
                excerpt_zh.push_str(&format!("，最近连接于 {}", rfc3339(t)));
            }
            None => {
                excerpt.push_str("; no record of when it was last connected");
                excerpt_zh.push_str("，无最近连接时间的记录");
            }
        }
        if hotspot {
            excerpt.push_str("; the computer served it as a hotspot (mode=ap)");
            excerpt_zh.push_str("；本机曾以热点方式提供该网络（mode=ap）");
        }
        out.add(
            ctx,
            &INFO,
            &SAVED_WIFI,
            HostFinding {
                identity: None,
                path: first.source.clone(),
                level: None,
                confidence: if last.is_some() { 0.95 } else { 0.8 },
                title: format!("Wi-Fi network \"{ssid}\" is saved"),
                evidence: Evidence {
                    excerpt,
                    excerpt_zh: Some(excerpt_zh),
                    matched: ssid.to_owned(),
                    why: if last.is_some() {
                        "saved_wifi_connected"
                    } else {
                        "saved_wifi_profile"
                    }
                    .into(),
                    ..Default::default()
                },
            },
        );
    }

    // More than one physical interface up at once.
    let active: Vec<&NetInterface> = info
        .interfaces
        .iter()
        .filter(|i| i.physical && matches!(i.kind.as_str(), "ethernet" | "wifi" | "wwan" | "other"))
        .filter(|i| i.operstate.as_deref() == Some("up"))
        .collect();
    if active.len() > 1 {
        let names: Vec<String> = active
            .iter()
            .map(|i| {
                format!(
                    "{} ({}, MAC {})",
                    i.name,
                    i.kind,
                    i.mac.as_deref().unwrap_or("unknown")
                )
            })
            .collect();
        let names_zh: Vec<String> = active
            .iter()
            .map(|i| {
                let kind = match i.kind.as_str() {
                    "ethernet" => "有线",
                    "wifi" => "无线",
                    "wwan" => "移动网络",
                    _ => "其他",
                };
                format!(
                    "{}（{kind}，MAC {}）",
                    i.name,
                    i.mac.as_deref().unwrap_or("未知")
                )
            })
            .collect();
        out.add(
            ctx,
            &INFO,
            &MULTIPLE_NICS,
            HostFinding {
                identity: None,
                path: "/sys/class/net".into(),
                level: None,
                confidence: 0.9,
                title: format!("{} physical network interfaces are up", active.len()),
                evidence: Evidence {
                    excerpt: format!(
                        "operstate up in /sys/class/net/*/operstate: {}",
                        names.join(", ")
                    ),
                    excerpt_zh: Some(format!(
                        "同时处于 up 状态（/sys/class/net/*/operstate）的网卡：{}",
                        names_zh.join("、")
                    )),
                    matched: active
                        .iter()
                        .map(|i| i.name.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    why: "several_physical_interfaces_up".into(),
                    ..Default::default()
                },
            },
        );
    }

    // Routes.
    for same in group_in_order(&seen.routes, |r| (&r.interface, &r.gateway, &r.source)) {
        if let Some(r) = same.first() {
            info.default_routes.push((*r).clone());
        }
    }

    // DNS servers: one finding per Internet server, naming where it is configured.
    let mut servers: Vec<String> = Vec::new();
    for same in group_in_order(&seen.dns, |(d, _)| d.as_str()) {
        let Some((server, _)) = same.first() else {
            continue;
        };
        servers.push(server.clone());
        let Some(addr) = config::dns_address(server) else {
            continue;
        };
        if ctx.intranet.contains_addr(addr) {
            continue;
        }
        let mut sources: Vec<&str> = same.iter().map(|(_, s)| s.as_str()).collect();
        sources.dedup();
        let path = sources.first().copied().unwrap_or_default().to_owned();
        out.add(ctx, &INFO, &INTERNET_DNS, HostFinding {
            identity: None,
            path,
            level: None,
            confidence: 0.9,
            title: format!("DNS server {server} is on the Internet"),
            evidence: Evidence {
                excerpt: format!("DNS server {server} (not in the policy's intranet ranges) configured in {}", sources.join(", ")),
                excerpt_zh: Some(format!("DNS 服务器 {server}（不在策略规定的内网地址范围内）配置于 {}", sources.join("、"))),
                matched: server.clone(),
                why: "dns_server_outside_intranet".into(),
                ..Default::default()
            },
        });
    }
    info.dns_servers = servers;

    // Proxies.
    for p in &seen.proxies {
        let host = proxy_host(&p.value);
        let internet = host
            .as_deref()
            .is_some_and(|h| !ctx.intranet.is_intranet_host(h));
        let local = host.as_deref().is_some_and(|h| {
            h == "localhost" || h.parse::<std::net::IpAddr>().is_ok_and(|a| a.is_loopback())
        });
        // A proxy on the computer itself is how tunnel clients (Shadowsocks, V2Ray, Clash) are used.
        let (place, place_zh, why, confidence) = if internet {
            ("an Internet host", "互联网主机", "proxy_internet_host", 0.9)
        } else if local {
            (
                "a program on this computer, as tunnel clients are",
                "本机上的程序，隧道客户端即是如此",
                "proxy_local_listener",
                0.8,
            )
        } else {
            ("an intranet host", "内网主机", "proxy_intranet_host", 0.6)
        };
        out.add(
            ctx,
            &INFO,
            &PROXY,
            HostFinding {
                identity: None,
                path: p.source.clone(),
                level: None,
                confidence,
                title: format!("proxy {} = {}", p.key, p.value),
                evidence: Evidence {
                    excerpt: format!(
                        "{} = {} in {} (the proxy is {place})",
                        p.key, p.value, p.source
                    ),
                    excerpt_zh: Some(format!(
                        "{} 中设置 {} = {}（代理指向{place_zh}）",
                        p.source, p.key, p.value
                    )),
                    matched: p.value.clone(),
                    why: why.into(),
                    ..Default::default()
                },
            },
        );
    }
    info.proxies = seen.proxies.clone();

    // The probe: only when asked, and only on the running system.
    let probed = ctx.probe && ctx.root.is_live();
    if probed {
        let timeout = Duration::from_millis(ctx.policy.network.probe_timeout_ms.clamp(100, 30_000));
        info.probe = probe::probe(&ctx.policy.network.probe_targets, timeout);
        for r in info.probe.iter().filter(|r| r.connected) {
            out.add(ctx, &INFO, &PROBE_CONNECTED, HostFinding {
                identity: None,
                path: format!("probe:{}", r.target),
                level: None,
                confidence: 1.0,
                title: format!("a TCP connection to {} succeeded", r.target),
                evidence: Evidence {
                    excerpt: format!("TCP connection to {} (a probe target of the policy) succeeded in {} ms", r.target, r.millis),
                    excerpt_zh: Some(format!("与 {}（策略规定的外联测试目标）的 TCP 连接成功，用时 {} 毫秒", r.target, r.millis)),
                    matched: r.target.clone(),
                    why: "probe_connected".into(),
                    ..Default::default()
                },
            });
        }
    }

    let wifi = info.interfaces.iter().filter(|i| i.kind == "wifi").count();
    let mut summary = format!(
        "{} interface(s){}, {} Wi-Fi device(s), {} WWAN modem(s), {} Bluetooth controller(s), {} saved Wi-Fi network(s), {} default route(s), {} DNS server(s), {} proxy setting(s)",
        info.interfaces.len(),
        if seen.sysfs_present {
            ""
        } else {
            " (no /sys: hardware from configuration only)"
        },
        seen.sys.wifi.len().max(wifi),
        seen.sys.wwan.len(),
        info.bluetooth.len(),
        info.saved_wifi.len(),
        info.default_routes.len(),
        info.dns_servers.len(),
        info.proxies.len(),
    );
    let mut summary_zh = format!(
        "网卡 {} 个{}，无线网卡 {} 个，移动网络模块 {} 个，蓝牙 {} 个，已保存无线网络 {} 个，默认路由 {} 条，DNS 服务器 {} 个，代理设置 {} 项",
        info.interfaces.len(),
        if seen.sysfs_present {
            ""
        } else {
            "（无 /sys：硬件信息仅来自配置文件）"
        },
        seen.sys.wifi.len().max(wifi),
        seen.sys.wwan.len(),
        info.bluetooth.len(),
        info.saved_wifi.len(),
        info.default_routes.len(),
        info.dns_servers.len(),
        info.proxies.len(),
    );
    if probed {
        let ok = info.probe.iter().filter(|r| r.connected).count();
        summary.push_str(&format!(
            "; probe: {ok} of {} target(s) reached",
            info.probe.len()
        ));
        summary_zh.push_str(&format!(
            "；外联测试：{} 个目标中 {ok} 个连通",
            info.probe.len()
        ));
    } else if ctx.probe {
        summary.push_str("; probe not run (offline root)");
        summary_zh.push_str("；离线检查不做外联测试");
    }
    if let Some(t) = &seen.resolv_dangling {
        let t = t.trim_start_matches("../");
        let t = if t.starts_with('/') {
            t.to_owned()
        } else {
            format!("/{t}")
        };
        summary.push_str(&format!(
            "; /etc/resolv.conf leads to {t}, absent on this system"
        ));
        summary_zh.push_str(&format!(
            "；/etc/resolv.conf 指向 {t}，该文件在此系统上不存在"
        ));
    }
    if !seen.dconf_unread.is_empty() {
        summary.push_str(&format!(
            "; GNOME proxy settings in dconf ({}) are not read",
            seen.dconf_unread.join(", ")
        ));
        summary_zh.push_str(&format!(
            "；未读取 dconf 中的 GNOME 代理设置（{}）",
            seen.dconf_unread.join(", ")
        ));
    }
    out.summarize(summary, summary_zh);
    artifacts.network = Some(info);
}

fn bluetooth_finding(
    ctx: &HostContext<'_>,
    out: &mut CheckRun,
    c: &BluetoothController,
    paired: &[String],
    confidence: f32,
) {
    let mut excerpt = format!("Bluetooth controller {}", c.name);
    let mut excerpt_zh = format!("蓝牙控制器 {}", c.name);
    if let Some(a) = c.address.as_ref().filter(|a| **a != c.name) {
        excerpt.push_str(&format!(", address {a}"));
        excerpt_zh.push_str(&format!("，地址 {a}"));
    }
    excerpt.push_str(&format!(" (seen at {})", c.source));
    excerpt_zh.push_str(&format!("（见于 {}）", c.source));
    if !paired.is_empty() {
        excerpt.push_str(&format!("; paired devices: {}", paired.join(", ")));
        excerpt_zh.push_str(&format!("；已配对设备：{}", paired.join("、")));
    }
    out.add(
        ctx,
        &INFO,
        &BLUETOOTH,
        HostFinding {
            identity: None,
            path: c.source.clone(),
            level: None,
            confidence,
            title: format!("Bluetooth controller {} is present", c.name),
            evidence: Evidence {
                excerpt,
                excerpt_zh: Some(excerpt_zh),
                matched: c.address.clone().unwrap_or_else(|| c.name.clone()),
                why: if c.source.starts_with("/sys/") {
                    "bluetooth_controller_in_sysfs"
                } else {
                    "bluetooth_controller_in_bluez_state"
                }
                .into(),
                ..Default::default()
            },
        },
    );
}

/// The host a proxy setting points at (`http://u:p@10.0.0.8:3128/`, `10.0.0.8:3128`,
/// KDE's `http://10.0.0.1 8080`, `socks5://h:1080`).
fn proxy_host(value: &str) -> Option<String> {
    let v = value.split_whitespace().next()?;
    let rest = v.split_once("://").map_or(v, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else if host_port.matches(':').count() > 1 {
        host_port
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_owned())
}

#[cfg(test)]
mod tests;
