//! The check over real fixtures: a laptop's sysfs tree and the offline classified machine.

use super::*;
use crate::CheckRun;
use crate::testing::{fixture, run_check};
use baomi_core::{Policy, Zone};

fn run_on(root: &Root, policy: &Policy, probe: bool) -> (CheckRun, Artifacts) {
    run_check(run, root, policy, Zone::Classified, probe)
}

fn lines(out: &CheckRun) -> Vec<String> {
    out.findings
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {} | {}",
                f.rule, f.severity, f.path, f.evidence.excerpt
            )
        })
        .collect()
}

/// The Chinese excerpts, one a line.
fn lines_zh(out: &CheckRun) -> Vec<String> {
    out.findings
        .iter()
        .map(|f| {
            format!(
                "{} | {}",
                f.rule,
                f.evidence.excerpt_zh.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn laptop_sysfs() {
    let root = Root::offline(&fixture("net/sys-laptop")).expect("root");
    let (out, artifacts) = run_on(&root, &Policy::default_policy(), true);
    let net = artifacts.network.expect("network info");
    let ifaces: Vec<String> = net
        .interfaces
        .iter()
        .map(|i| {
            format!(
                "{} {} {:?} {:?} {:?} {}",
                i.name, i.kind, i.mac, i.driver, i.operstate, i.physical
            )
        })
        .collect();
    assert_eq!(
        ifaces,
        [
            "docker0 virtual Some(\"02:42:8e:1d:2c:3b\") None Some(\"up\") false",
            "enp0s31f6 ethernet Some(\"54:e1:ad:aa:bb:cc\") Some(\"e1000e\") Some(\"up\") true",
            "veth1a2b3c4 virtual Some(\"9a:0b:1c:2d:3e:4f\") None Some(\"up\") false",
            "wlp2s0 wifi Some(\"3c:6a:a7:12:34:56\") Some(\"iwlwifi\") Some(\"up\") true",
            "wwan0 wwan Some(\"0e:3f:8a:11:22:33\") Some(\"cdc_mbim\") Some(\"down\") true",
        ]
    );
    assert_eq!(
        lines(&out),
        [
            "network.wifi_hardware Critical /sys/class/net/wlp2s0 | Wi-Fi device phy0, interface wlp2s0, MAC 3c:6a:a7:12:34:56, driver iwlwifi (seen at /sys/class/net/wlp2s0)",
            "network.bluetooth High /sys/class/bluetooth/hci0 | Bluetooth controller hci0 (seen at /sys/class/bluetooth/hci0)",
            "network.wwan_modem Critical /sys/class/net/wwan0 | WWAN modem wwan0, MAC 0e:3f:8a:11:22:33, driver cdc_mbim (seen at /sys/class/net/wwan0)",
            "network.multiple_active_nics High /sys/class/net | operstate up in /sys/class/net/*/operstate: enp0s31f6 (ethernet, MAC 54:e1:ad:aa:bb:cc), wlp2s0 (wifi, MAC 3c:6a:a7:12:34:56)",
        ]
    );
    assert_eq!(
        lines_zh(&out),
        [
            "network.wifi_hardware | 无线网卡 phy0，接口 wlp2s0，MAC 3c:6a:a7:12:34:56，驱动 iwlwifi（见于 /sys/class/net/wlp2s0）",
            "network.bluetooth | 蓝牙控制器 hci0（见于 /sys/class/bluetooth/hci0）",
            "network.wwan_modem | 移动网络模块 wwan0，MAC 0e:3f:8a:11:22:33，驱动 cdc_mbim（见于 /sys/class/net/wwan0）",
            "network.multiple_active_nics | 同时处于 up 状态（/sys/class/net/*/operstate）的网卡：enp0s31f6（有线，MAC 54:e1:ad:aa:bb:cc）、wlp2s0（无线，MAC 3c:6a:a7:12:34:56）",
        ]
    );
    // An offline root is never probed, even when asked.
    assert!(net.probe.is_empty());
    assert!(out.summary.contains("probe not run"), "{}", out.summary);
    assert!(out.problems.is_empty(), "{:?}", out.problems);
}

#[test]
fn offline_classified_machine() {
    let root = Root::offline(&fixture("hostroot")).expect("root");
    let (out, artifacts) = run_on(&root, &Policy::default_policy(), false);
    let net = artifacts.network.expect("network info");
    let got = lines(&out);
    let expect = [
        "network.bluetooth High /var/lib/bluetooth/3C:6A:A7:9F:8E:7D | Bluetooth controller 3c:6a:a7:9f:8e:7d (seen at /var/lib/bluetooth/3C:6A:A7:9F:8E:7D); paired devices: HUAWEI FreeBuds 4i (F4:4E:FD:01:02:03)",
        "network.saved_wifi Critical /etc/NetworkManager/system-connections/CMCC-5G-家里.nmconnection | Wi-Fi network \"CMCC-5G-家里\" saved in /etc/NetworkManager/system-connections/CMCC-5G-家里.nmconnection (NetworkManager); last connected 2024-06-13T05:00:00Z",
        "network.saved_wifi Critical /etc/wpa_supplicant/wpa_supplicant.conf | Wi-Fi network \"ChinaNet-办公\" saved in /etc/wpa_supplicant/wpa_supplicant.conf (wpa_supplicant); no record of when it was last connected",
        "network.saved_wifi Critical /etc/wpa_supplicant/wpa_supplicant.conf | Wi-Fi network \"TP-LINK_5G_A1B2\" saved in /etc/wpa_supplicant/wpa_supplicant.conf (wpa_supplicant); no record of when it was last connected",
        "network.saved_wifi Critical /etc/wpa_supplicant/wpa_supplicant.conf | Wi-Fi network \"凤凰\" saved in /etc/wpa_supplicant/wpa_supplicant.conf (wpa_supplicant); no record of when it was last connected",
        "network.saved_wifi Critical /etc/network/interfaces | Wi-Fi network \"Xiaomi_8A2F\" saved in /etc/network/interfaces (ifupdown); no record of when it was last connected",
        "network.saved_wifi Critical /etc/netplan/01-wifi.yaml | Wi-Fi network \"HUAWEI-Mate60\" saved in /etc/netplan/01-wifi.yaml (netplan); no record of when it was last connected",
        "network.saved_wifi Critical /etc/netplan/01-wifi.yaml | Wi-Fi network \"Tenda_5G\" saved in /etc/netplan/01-wifi.yaml (netplan); no record of when it was last connected",
        "network.internet_dns High /etc/NetworkManager/system-connections/CMCC-5G-家里.nmconnection | DNS server 114.114.114.114 (not in the policy's intranet ranges) configured in /etc/NetworkManager/system-connections/CMCC-5G-家里.nmconnection",
        "network.internet_dns High /etc/network/interfaces | DNS server 8.8.4.4 (not in the policy's intranet ranges) configured in /etc/network/interfaces",
        "network.proxy Medium /etc/NetworkManager/system-connections/有线连接 1.nmconnection | proxy.pac-url = http://wpad.example.com/proxy.pac in /etc/NetworkManager/system-connections/有线连接 1.nmconnection (the proxy is an Internet host)",
        "network.proxy Medium /etc/environment | http_proxy = http://10.12.0.8:3128/ in /etc/environment (the proxy is an intranet host)",
        "network.proxy Medium /etc/environment | https_proxy = http://10.12.0.8:3128/ in /etc/environment (the proxy is an intranet host)",
        "network.proxy Medium /etc/profile.d/proxy.sh | ALL_PROXY = socks5://127.0.0.1:1080 in /etc/profile.d/proxy.sh (the proxy is a program on this computer, as tunnel clients are)",
        "network.proxy Medium /etc/apt/apt.conf.d/95proxy | Acquire::http::Proxy = http://mirrors-proxy.example.com:8080/ in /etc/apt/apt.conf.d/95proxy (the proxy is an Internet host)",
        "network.proxy Medium /home/zhang/.config/kioslaverc | httpProxy = http://203.0.113.7 8080 in /home/zhang/.config/kioslaverc (the proxy is an Internet host)",
        "network.proxy Medium /home/zhang/.config/kioslaverc | httpsProxy = http://203.0.113.7 8080 in /home/zhang/.config/kioslaverc (the proxy is an Internet host)",
    ];
    assert_eq!(got, expect);
    let zh = lines_zh(&out);
    let want_zh = [
        "network.bluetooth | 蓝牙控制器 3c:6a:a7:9f:8e:7d（见于 /var/lib/bluetooth/3C:6A:A7:9F:8E:7D）；已配对设备：HUAWEI FreeBuds 4i (F4:4E:FD:01:02:03)",
        "network.saved_wifi | 在 /etc/NetworkManager/system-connections/CMCC-5G-家里.nmconnection（NetworkManager）中保存有无线网络“CMCC-5G-家里”，最近连接于 2024-06-13T05:00:00Z",
        "network.saved_wifi | 在 /etc/wpa_supplicant/wpa_supplicant.conf（wpa_supplicant）中保存有无线网络“ChinaNet-办公”，无最近连接时间的记录",
        "network.internet_dns | DNS 服务器 114.114.114.114（不在策略规定的内网地址范围内）配置于 /etc/NetworkManager/system-connections/CMCC-5G-家里.nmconnection",
        "network.proxy | /etc/NetworkManager/system-connections/有线连接 1.nmconnection 中设置 proxy.pac-url = http://wpad.example.com/proxy.pac（代理指向互联网主机）",
        "network.proxy | /etc/environment 中设置 http_proxy = http://10.12.0.8:3128/（代理指向内网主机）",
        "network.proxy | /etc/profile.d/proxy.sh 中设置 ALL_PROXY = socks5://127.0.0.1:1080（代理指向本机上的程序，隧道客户端即是如此）",
    ];
    for want in want_zh {
        assert!(zh.iter().any(|l| l == want), "{want}\n{zh:#?}");
    }
    assert_eq!(
        zh.len(),
        expect.len(),
        "every finding has its Chinese sentence"
    );
    let routes: Vec<String> = net
        .default_routes
        .iter()
        .map(|r| format!("{:?} {:?} {}", r.interface, r.gateway, r.source))
        .collect();
    assert!(routes.contains(&"None Some(\"192.168.1.1\") /etc/NetworkManager/system-connections/CMCC-5G-家里.nmconnection".to_owned()), "{routes:?}");
    assert_eq!(
        net.dns_servers,
        ["114.114.114.114", "10.12.0.53", "8.8.4.4"]
    );
    assert!(
        out.summary
            .contains("/etc/resolv.conf leads to /run/systemd/resolve/stub-resolv.conf, absent"),
        "{}",
        out.summary
    );
    assert!(out.summary.contains("no /sys"), "{}", out.summary);
}

#[test]
fn probe_only_live_and_only_when_asked() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let target = listener.local_addr().expect("addr").to_string();
    let mut policy = Policy::default_policy();
    policy.network.probe_targets = vec![target.clone()];
    policy.network.probe_timeout_ms = 500;
    // The live root: only /sys and /proc are read, and the only connection goes to our listener.
    let live = Root::live();
    let (out, artifacts) = run_on(&live, &policy, true);
    let net = artifacts.network.expect("network info");
    assert_eq!(net.probe.len(), 1);
    assert!(net.probe.iter().all(|r| r.connected), "{:?}", net.probe);
    let probe = out
        .findings
        .iter()
        .find(|f| f.rule == "network.probe_connected" && f.path == format!("probe:{target}"));
    let zh = probe.and_then(|f| f.evidence.excerpt_zh.as_deref());
    assert!(
        zh.is_some_and(|z| z.starts_with(&format!(
            "与 {target}（策略规定的外联测试目标）的 TCP 连接成功，用时 "
        )) && z.ends_with(" 毫秒")),
        "{zh:?}"
    );
    let (out, artifacts) = run_on(&live, &policy, false);
    assert!(artifacts.network.expect("info").probe.is_empty());
    assert!(
        !out.findings
            .iter()
            .any(|f| f.rule == "network.probe_connected")
    );
}

#[test]
fn proxy_hosts() {
    let cases = [
        ("http://u:p@10.0.0.8:3128/", Some("10.0.0.8")),
        ("10.0.0.8:3128", Some("10.0.0.8")),
        ("http://10.0.0.1 8080", Some("10.0.0.1")),
        ("socks5://[2001:db8::1]:1080", Some("2001:db8::1")),
        ("", None),
    ];
    for (v, e) in cases {
        assert_eq!(proxy_host(v).as_deref(), e, "{v}");
    }
}
