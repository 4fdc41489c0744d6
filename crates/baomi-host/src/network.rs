//! Network isolation: network hardware (Wi-Fi, Bluetooth, WWAN modems), saved Wi-Fi networks, routes,
//! DNS and proxies, and on request an outbound probe.
//!
//! TODO(helper): implementation.

use crate::catalogue::{CheckInfo, RuleInfo, Text};
use crate::{CheckRun, HostContext};
use baomi_core::Artifacts;
use baomi_core::Severity::{Critical, High, Info, Low, Medium};

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
        en: "/sys/class/net (interfaces, MAC, phy80211, wwan), /sys/class/bluetooth and /var/lib/bluetooth, NetworkManager and wpa_supplicant profiles, /etc/network/interfaces, /proc/net/route (live), resolv.conf, proxy variables and apt proxies; with --probe (live only, never by default) TCP connections to the policy's targets",
        zh: "/sys/class/net（网卡、MAC、phy80211、wwan）、/sys/class/bluetooth 与 /var/lib/bluetooth、NetworkManager 和 wpa_supplicant 配置、/etc/network/interfaces、/proc/net/route（在线）、resolv.conf、代理变量与 apt 代理；加 --probe 时（仅在线检查，默认不做）向策略中的目标发起 TCP 连接",
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

/// Run the check.
pub fn run(_ctx: &HostContext<'_>, out: &mut CheckRun, _artifacts: &mut Artifacts) {
    out.not_applicable = true;
    out.summary = "not implemented yet".into();
}
