#![no_main]
//! Fuzz the network configuration parsers (NetworkManager keyfiles, wpa_supplicant, ifupdown, netplan,
//! resolv.conf, proxies, udev rules) and the /proc/net parsers.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    use baomi_host::network::{config, sysfs};
    let _ = config::nm_profile(&text);
    let _ = config::nm_timestamps(&text);
    let _ = config::wpa_ssids(&text);
    let _ = config::ifupdown(&text);
    let _ = config::netplan(&text);
    let _ = config::resolv_nameservers(&text);
    let _ = config::resolved_dns(&text);
    let _ = config::env_proxies(&text);
    let _ = config::apt_proxies(&text);
    let _ = config::kde_proxies(&text);
    let _ = config::udev_net_rules(&text);
    let _ = sysfs::proc_route(&text);
    let _ = sysfs::proc_ipv6_route(&text);
    let _ = sysfs::if_inet6(&text);
    let _ = sysfs::fib_trie_local(&text);
});
