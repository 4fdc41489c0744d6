//! Parsers of the network configuration files an offline disk keeps: NetworkManager keyfiles and its
//! timestamps, wpa_supplicant, ifupdown, netplan (the simple parts, by indentation: no YAML library for
//! a handful of keys), resolv.conf and resolved.conf, proxy variables, apt and KDE proxies, udev's
//! persistent-net rules. Pure functions over text: malformed lines are skipped, never fatal.

use std::net::IpAddr;

/// Lines and entries read from one file at most (a hostile file cannot make the lists grow unbounded).
const MAX_ENTRIES: usize = 10_000;

/// `[group]` / `key=value` files (GKeyFile, KConfig, QSettings): (group, key, value) in file order,
/// value trimmed but not unescaped (each format escapes differently).
pub fn ini(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut group = String::new();
    for line in text.lines().take(MAX_ENTRIES * 10) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(g) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            group = g.to_owned();
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            out.push((group.clone(), k.trim().to_owned(), v.trim().to_owned()));
            if out.len() >= MAX_ENTRIES {
                break;
            }
        }
    }
    out
}

/// GKeyFile's escapes (`\s`, `\n`, `\t`, `\r`, `\\`), as NetworkManager writes string values.
pub fn gkeyfile_unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push(' '),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// A NetworkManager SSID value: NM writes an SSID that is not plain printable text as its bytes in
/// decimal, each followed by `;` (`67;77;…;`, what `nmcli` 1.42 does for "CMCC-5G-家里"), otherwise
/// the text itself.
pub fn nm_ssid(value: &str) -> String {
    let v = value.trim();
    if v.contains(';') {
        let parts: Vec<&str> = v.split(';').filter(|p| !p.is_empty()).collect();
        let bytes: Option<Vec<u8>> = parts.iter().map(|p| p.trim().parse::<u8>().ok()).collect();
        if let Some(bytes) = bytes.filter(|b| !b.is_empty()) {
            return String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    gkeyfile_unescape(v)
}

/// What one NetworkManager connection profile says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NmProfile {
    /// `connection.id`.
    pub id: String,
    /// `connection.uuid` (the key of /var/lib/NetworkManager/timestamps).
    pub uuid: String,
    /// `connection.type` (`wifi`, `802-11-wireless`, `ethernet`, `gsm`, …).
    pub kind: String,
    /// `connection.interface-name`.
    pub interface: Option<String>,
    /// `connection.timestamp` of older NetworkManager versions (seconds since 1970).
    pub timestamp: Option<i64>,
    /// `wifi.ssid`, decoded.
    pub ssid: Option<String>,
    /// `wifi.mode` (`infrastructure`, `ap` = the computer was a hotspot, `adhoc`).
    pub mode: Option<String>,
    /// `wifi.mac-address` or `ethernet.mac-address`.
    pub mac: Option<String>,
    /// `ipv4.dns`, `ipv6.dns`.
    pub dns: Vec<String>,
    /// Gateways from `gateway=` and the second field of `addressN=`.
    pub gateways: Vec<String>,
    /// `[proxy]` settings worth reporting (`pac-url`, `method` when not none).
    pub proxies: Vec<(String, String)>,
    /// `gsm.apn` of a mobile broadband profile.
    pub apn: Option<String>,
}

impl NmProfile {
    /// True for a Wi-Fi profile.
    pub fn is_wifi(&self) -> bool {
        matches!(self.kind.as_str(), "wifi" | "802-11-wireless")
    }

    /// True for a mobile broadband profile.
    pub fn is_mobile(&self) -> bool {
        matches!(self.kind.as_str(), "gsm" | "cdma")
    }
}

/// Parse a NetworkManager keyfile (`.nmconnection`; older ones have no extension and spell the
/// groups `802-11-wireless`, `802-3-ethernet`).
pub fn nm_profile(text: &str) -> NmProfile {
    let mut p = NmProfile::default();
    for (group, key, value) in ini(text) {
        let value_text = gkeyfile_unescape(&value);
        match (group.as_str(), key.as_str()) {
            ("connection", "id") => p.id = value_text,
            ("connection", "uuid") => p.uuid = value_text,
            ("connection", "type") => p.kind = value_text,
            ("connection", "interface-name") => p.interface = Some(value_text),
            ("connection", "timestamp") => p.timestamp = value.parse().ok(),
            ("wifi" | "802-11-wireless", "ssid") => p.ssid = Some(nm_ssid(&value)),
            ("wifi" | "802-11-wireless", "mode") => p.mode = Some(value_text),
            ("wifi" | "802-11-wireless" | "ethernet" | "802-3-ethernet", "mac-address") => {
                p.mac = Some(value_text.to_ascii_lowercase())
            }
            ("ipv4" | "ipv6", "dns") => {
                for d in value_text.split([';', ',']).map(str::trim) {
                    if !d.is_empty() && !p.dns.iter().any(|x| x == d) {
                        p.dns.push(d.to_owned());
                    }
                }
            }
            ("ipv4" | "ipv6", "gateway") => push_unique(&mut p.gateways, value_text.trim()),
            ("ipv4" | "ipv6", k) if k.starts_with("address") => {
                // `address1=ADDR/PREFIX,GATEWAY`
                if let Some((_, gw)) = value_text.split_once(',') {
                    push_unique(&mut p.gateways, gw.trim());
                }
            }
            ("proxy", "pac-url") | ("proxy", "pac-script") if !value_text.is_empty() => {
                p.proxies.push((format!("proxy.{key}"), value_text))
            }
            ("gsm" | "cdma", "apn") => p.apn = Some(value_text),
            _ => {}
        }
    }
    p
}

fn push_unique(list: &mut Vec<String>, v: &str) {
    if !v.is_empty() && !list.iter().any(|x| x == v) {
        list.push(v.to_owned());
    }
}

/// `/var/lib/NetworkManager/timestamps`: `[timestamps]` then `UUID=seconds since 1970` of the
/// connection's last activation.
pub fn nm_timestamps(text: &str) -> Vec<(String, i64)> {
    ini(text)
        .into_iter()
        .filter(|(g, _, _)| g == "timestamps")
        .filter_map(|(_, k, v)| Some((k, v.parse::<i64>().ok().filter(|t| *t > 0)?)))
        .collect()
}

/// SSIDs of the `network={…}` blocks of a wpa_supplicant configuration: `ssid="text"`, `ssid=P"text"`
/// (printf escapes) or `ssid=hex` (how wpa_supplicant saves a name it cannot print).
pub fn wpa_ssids(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in text.lines().take(MAX_ENTRIES * 10) {
        let line = line.trim();
        if line.starts_with("network=") && line.ends_with('{') {
            in_block = true;
            continue;
        }
        if line == "}" {
            in_block = false;
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(v) = line.strip_prefix("ssid=")
            && let Some(s) = wpa_string(v)
        {
            out.push(s);
        }
    }
    out
}

fn wpa_string(v: &str) -> Option<String> {
    let v = v.trim();
    if let Some(q) = v.strip_prefix('"') {
        return Some(q.strip_suffix('"').unwrap_or(q).to_owned());
    }
    if let Some(q) = v.strip_prefix("P\"") {
        let q = q.strip_suffix('"').unwrap_or(q);
        return Some(printf_unescape(q));
    }
    hex_bytes(v).map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn hex_bytes(v: &str) -> Option<Vec<u8>> {
    if v.is_empty() || !v.len().is_multiple_of(2) || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..v.len())
        .step_by(2)
        .map(|i| v.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

fn printf_unescape(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        match b.get(i) {
            Some(b'x') => {
                let hex = v
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                    }
                    None => {
                        out.push(b'x');
                        i += 1;
                    }
                }
            }
            Some(b'n') => {
                out.push(b'\n');
                i += 1;
            }
            Some(b't') => {
                out.push(b'\t');
                i += 1;
            }
            Some(&other) => {
                out.push(other);
                i += 1;
            }
            None => out.push(b'\\'),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What ifupdown's `/etc/network/interfaces` (and `interfaces.d/*`) configures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IfUpDown {
    /// (interface, SSID) from `wpa-ssid` / `wireless-essid`.
    pub ssids: Vec<(String, String)>,
    /// (interface, gateway).
    pub gateways: Vec<(String, String)>,
    /// `dns-nameservers`.
    pub dns: Vec<String>,
}

/// Parse an ifupdown interfaces file.
pub fn ifupdown(text: &str) -> IfUpDown {
    let mut out = IfUpDown::default();
    let mut iface = String::new();
    for line in text.lines().take(MAX_ENTRIES * 10) {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match word {
            "iface" => iface = rest.split_whitespace().next().unwrap_or("").to_owned(),
            "wpa-ssid" | "wireless-essid" if !rest.is_empty() => {
                let ssid = rest.trim_matches('"').to_owned();
                out.ssids.push((iface.clone(), ssid));
            }
            "gateway" if !rest.is_empty() => out.gateways.push((iface.clone(), rest.to_owned())),
            "dns-nameservers" => {
                for d in rest.split_whitespace() {
                    push_unique(&mut out.dns, d);
                }
            }
            _ => {}
        }
    }
    out
}

/// What a netplan YAML file configures (read by indentation, only the keys below).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Netplan {
    /// SSIDs under `access-points:`.
    pub ssids: Vec<String>,
    /// `gateway4:`, `gateway6:` and `via:` values.
    pub gateways: Vec<String>,
    /// Addresses under `nameservers:` → `addresses:`.
    pub dns: Vec<String>,
}

/// Parse the parts of a netplan file this check needs.
pub fn netplan(text: &str) -> Netplan {
    let mut out = Netplan::default();
    // Indentation of the open `access-points:` key, and of its first child (the SSIDs' level).
    let mut ap: Option<(usize, Option<usize>)> = None;
    let mut in_nameservers: Option<usize> = None;
    for raw in text.lines().take(MAX_ENTRIES * 10) {
        let body = raw.split(" #").next().unwrap_or(raw);
        let trimmed = body.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = body.len() - body.trim_start().len();
        if let Some((ap_indent, child)) = ap {
            if indent <= ap_indent {
                ap = None;
            } else {
                let child = child.unwrap_or(indent);
                ap = Some((ap_indent, Some(child)));
                if indent == child
                    && let Some(key) = yaml_key(trimmed)
                {
                    out.ssids.push(key);
                }
                continue;
            }
        }
        if let Some(ns) = in_nameservers {
            if indent <= ns {
                in_nameservers = None;
            } else if let Some(list) = trimmed.strip_prefix("addresses:") {
                for a in yaml_list(list) {
                    push_unique(&mut out.dns, &a);
                }
                continue;
            } else if let Some(item) = trimmed.strip_prefix("- ") {
                if item.trim().parse::<IpAddr>().is_ok() {
                    push_unique(&mut out.dns, item.trim());
                }
                continue;
            }
        }
        if trimmed == "access-points:" {
            ap = Some((indent, None));
        } else if trimmed == "nameservers:" {
            in_nameservers = Some(indent);
        } else {
            let t = trimmed.trim_start_matches("- ");
            for key in ["gateway4:", "gateway6:", "via:"] {
                if let Some(v) = t.strip_prefix(key) {
                    push_unique(&mut out.gateways, unquote(v.trim()));
                }
            }
        }
    }
    out
}

fn yaml_key(line: &str) -> Option<String> {
    let key = if let Some(q) = line.strip_prefix('"') {
        q.split_once("\":")?.0.to_owned()
    } else if let Some(q) = line.strip_prefix('\'') {
        q.split_once("':")?.0.to_owned()
    } else {
        line.split_once(':')?.0.trim().to_owned()
    };
    (!key.is_empty()).then_some(key)
}

fn yaml_list(v: &str) -> Vec<String> {
    v.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|s| unquote(s.trim()).to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    v.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(v)
}

/// `nameserver` addresses of a resolv.conf.
pub fn resolv_nameservers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines().take(MAX_ENTRIES) {
        let mut words = line.split_whitespace();
        if words.next() == Some("nameserver")
            && let Some(a) = words.next()
        {
            push_unique(&mut out, a);
        }
    }
    out
}

/// `DNS=` and `FallbackDNS=` of systemd-resolved's `[Resolve]` (`1.1.1.1#cloudflare-dns.com`,
/// `[2606:4700::1111]:53`, `9.9.9.9:853`).
pub fn resolved_dns(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (g, k, v) in ini(text) {
        if g == "Resolve" && (k == "DNS" || k == "FallbackDNS") {
            for item in v.split_whitespace() {
                if let Some(a) = dns_address(item) {
                    push_unique(&mut out, &a.to_string());
                }
            }
        }
    }
    out
}

/// The address inside a DNS server spelling: plain, with `%scope`, `#name`, `:port` or `[v6]:port`.
pub fn dns_address(item: &str) -> Option<IpAddr> {
    let item = item.split('#').next().unwrap_or(item).trim();
    let no_scope = item.split('%').next().unwrap_or(item);
    if let Ok(a) = no_scope.parse::<IpAddr>() {
        return Some(a);
    }
    if let Ok(sa) = item.parse::<std::net::SocketAddr>() {
        return Some(sa.ip());
    }
    let (host, _port) = item.rsplit_once(':')?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Proxy variables (`http_proxy`, `HTTPS_PROXY`, `all_proxy`, …) set in /etc/environment or a shell
/// file, with or without `export`; commented lines and empty values are not settings.
pub fn env_proxies(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines().take(MAX_ENTRIES * 10) {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        // A line may hold several statements (`export a=1; export b=2`).
        for stmt in line.split([';', '&']) {
            let stmt = stmt.trim();
            let stmt = stmt.strip_prefix("export ").unwrap_or(stmt).trim();
            let Some((key, value)) = stmt.split_once('=') else {
                continue;
            };
            let key = key.trim();
            let lower = key.to_ascii_lowercase();
            if !lower.ends_with("_proxy") || lower == "no_proxy" || key.contains(' ') {
                continue;
            }
            let value = unquote(value.trim());
            if !value.is_empty() {
                out.push((key.to_owned(), value.to_owned()));
            }
        }
        if out.len() >= MAX_ENTRIES {
            break;
        }
    }
    out
}

/// apt proxies: `Acquire::http::Proxy "http://…";` (per-host `DIRECT` exceptions are not proxies).
pub fn apt_proxies(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines().take(MAX_ENTRIES * 10) {
        let line = line.trim();
        if line.starts_with("//") || line.starts_with('#') {
            continue;
        }
        let Some((key, rest)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        if !key.to_ascii_lowercase().contains("::proxy") {
            continue;
        }
        let value = rest.trim().trim_end_matches(';').trim();
        let value = unquote(value);
        if value.is_empty() || value.eq_ignore_ascii_case("DIRECT") || value == "false" {
            continue;
        }
        out.push((key.to_owned(), value.to_owned()));
    }
    out
}

/// KDE's kioslaverc `[Proxy Settings]`: ProxyType 1 = manual (`httpProxy=http://host port`), 2 = a
/// PAC script, 3 = WPAD auto-detection, 4 = the environment variables (reported where they are set).
pub fn kde_proxies(text: &str) -> Vec<(String, String)> {
    let entries: Vec<(String, String)> = ini(text)
        .into_iter()
        .filter(|(g, _, _)| g == "Proxy Settings")
        .map(|(_, k, v)| (k, v))
        .collect();
    let get = |name: &str| {
        entries
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut out = Vec::new();
    match get("ProxyType") {
        Some("1") => {
            for key in ["httpProxy", "httpsProxy", "ftpProxy", "socksProxy"] {
                if let Some(v) = get(key).filter(|v| !v.trim().is_empty()) {
                    out.push((key.to_owned(), v.trim().to_owned()));
                }
            }
        }
        Some("2") => {
            if let Some(v) = get("Proxy Config Script").filter(|v| !v.trim().is_empty()) {
                out.push(("Proxy Config Script".to_owned(), v.trim().to_owned()));
            }
        }
        Some("3") => out.push(("ProxyType".to_owned(), "3 (WPAD auto-detection)".to_owned())),
        _ => {}
    }
    out
}

/// (interface name, MAC) pairs of udev's `70-persistent-net.rules`.
pub fn udev_net_rules(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines().take(MAX_ENTRIES * 10) {
        let line = line.trim();
        if line.starts_with('#') || !line.contains("SUBSYSTEM==\"net\"") {
            continue;
        }
        let mac = quoted_after(line, "ATTR{address}==\"");
        let name = quoted_after(line, "NAME=\"");
        if let (Some(mac), Some(name)) = (mac, name) {
            out.push((name.to_owned(), mac.to_ascii_lowercase()));
        }
    }
    out
}

fn quoted_after<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(key)? + key.len();
    let rest = line.get(start..)?;
    Some(&rest[..rest.find('"')?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check<T: std::fmt::Debug>(got: T, expect: &str) {
        assert_eq!(format!("{got:?}"), expect);
    }

    #[test]
    fn ssids() {
        check(
            nm_ssid("67;77;67;67;45;53;71;45;229;174;182;233;135;140;"),
            "\"CMCC-5G-家里\"",
        );
        check(nm_ssid("Office-Guest"), "\"Office-Guest\"");
        check(nm_ssid("My\\sNet"), "\"My Net\"");
        check(nm_ssid("a;b;"), "\"a;b;\"");
        check(nm_ssid("300;1;"), "\"300;1;\"");
        check(
            wpa_ssids("network={\n\tssid=\"ChinaNet-办公\"\n}\n"),
            "[\"ChinaNet-办公\"]",
        );
        check(
            wpa_ssids("network={\n\tssid=e587a4e587b0\n}\n"),
            "[\"凤凰\"]",
        );
        check(
            wpa_ssids("network={\n ssid=P\"a\\x41\\\"b\"\n}\n"),
            "[\"aA\\\"b\"]",
        );
        check(wpa_ssids("ssid=\"outside\"\nnetwork={\n}\n"), "[]");
        check(wpa_ssids("network={\n ssid=abc\n}\n"), "[]");
        check(wpa_ssids("network={\n ssid=P\"\\x4\"\n}\n"), "[\"x4\"]");
    }

    #[test]
    fn nm_profiles() {
        let p = nm_profile(
            "[connection]\nid=x\nuuid=u1\ntype=wifi\ninterface-name=wlp2s0\n[wifi]\nmode=ap\nssid=Home\nmac-address=3C:6A:A7:12:34:56\n[ipv4]\naddress1=192.168.1.23/24,192.168.1.1\ndns=114.114.114.114;8.8.8.8;\n[ipv6]\ndns=2400:3200::1;\ngateway=fe80::1\n[proxy]\nmethod=1\npac-url=http://wpad/p.pac\n",
        );
        check(
            &p,
            "NmProfile { id: \"x\", uuid: \"u1\", kind: \"wifi\", interface: Some(\"wlp2s0\"), timestamp: None, ssid: Some(\"Home\"), mode: Some(\"ap\"), mac: Some(\"3c:6a:a7:12:34:56\"), dns: [\"114.114.114.114\", \"8.8.8.8\", \"2400:3200::1\"], gateways: [\"192.168.1.1\", \"fe80::1\"], proxies: [(\"proxy.pac-url\", \"http://wpad/p.pac\")], apn: None }",
        );
        assert!(p.is_wifi());
        let old = nm_profile(
            "[connection]\nid=old\ntype=802-11-wireless\ntimestamp=1500000000\n[802-11-wireless]\nssid=79;108;100;\n",
        );
        check(
            (old.ssid, old.timestamp),
            "(Some(\"Old\"), Some(1500000000))",
        );
        let gsm = nm_profile("[connection]\ntype=gsm\n[gsm]\napn=cmnet\n");
        check((gsm.is_mobile(), gsm.apn), "(true, Some(\"cmnet\"))");
        check(
            nm_profile("garbage\n[[[\n=\n"),
            "NmProfile { id: \"\", uuid: \"\", kind: \"\", interface: None, timestamp: None, ssid: None, mode: None, mac: None, dns: [], gateways: [], proxies: [], apn: None }",
        );
        check(
            nm_timestamps("[timestamps]\nu1=1718254800\nu2=0\nu3=x\n"),
            "[(\"u1\", 1718254800)]",
        );
    }

    #[test]
    fn ifupdown_and_netplan() {
        check(
            ifupdown(
                "iface wlan0 inet dhcp\n  wpa-ssid \"Xiaomi_8A2F\"\niface eth1 inet static\n gateway 10.0.0.1\n dns-nameservers 10.0.0.53 8.8.4.4\n# wireless-essid Old\n",
            ),
            "IfUpDown { ssids: [(\"wlan0\", \"Xiaomi_8A2F\")], gateways: [(\"eth1\", \"10.0.0.1\")], dns: [\"10.0.0.53\", \"8.8.4.4\"] }",
        );
        check(
            netplan(
                "network:\n  wifis:\n    wlp2s0:\n      access-points:\n        \"HUAWEI-Mate60\":\n          password: \"x\"\n        Tenda_5G: {}\n      gateway4: 192.168.3.1\n      nameservers:\n        addresses: [223.5.5.5, \"10.0.0.53\"]\n  ethernets:\n    eth0:\n      routes:\n        - to: default\n          via: 10.1.1.1\n      nameservers:\n        addresses:\n          - 8.8.8.8\n",
            ),
            "Netplan { ssids: [\"HUAWEI-Mate60\", \"Tenda_5G\"], gateways: [\"192.168.3.1\", \"10.1.1.1\"], dns: [\"223.5.5.5\", \"10.0.0.53\", \"8.8.8.8\"] }",
        );
        check(
            netplan("access-points:\n"),
            "Netplan { ssids: [], gateways: [], dns: [] }",
        );
    }

    #[test]
    fn dns() {
        check(
            resolv_nameservers(
                "# x\nnameserver 127.0.0.53\nnameserver\nnameserver fe80::1%wlp2s0\nsearch a\n",
            ),
            "[\"127.0.0.53\", \"fe80::1%wlp2s0\"]",
        );
        check(
            resolved_dns(
                "[Resolve]\nDNS=1.1.1.1#cloudflare-dns.com 9.9.9.9:853 [2606:4700::1111]:53\n#DNS=8.8.8.8\nFallbackDNS=\n",
            ),
            "[\"1.1.1.1\", \"9.9.9.9\", \"2606:4700::1111\"]",
        );
        check(dns_address("fe80::1%eth0"), "Some(fe80::1)");
        check(dns_address("nonsense"), "None");
    }

    #[test]
    fn proxies() {
        check(
            env_proxies(
                "PATH=\"/usr/bin\"\nhttp_proxy=\"http://10.12.0.8:3128/\"\nno_proxy=localhost\n# https_proxy=x\nexport ALL_PROXY=socks5://127.0.0.1:1080\nexport ftp_proxy=\nexport a_proxy=1; export HTTPS_PROXY='http://p:8080'\n",
            ),
            "[(\"http_proxy\", \"http://10.12.0.8:3128/\"), (\"ALL_PROXY\", \"socks5://127.0.0.1:1080\"), (\"a_proxy\", \"1\"), (\"HTTPS_PROXY\", \"http://p:8080\")]",
        );
        check(
            apt_proxies(
                "Acquire::http::Proxy \"http://p:8080/\";\nAcquire::http::Proxy::deb.local \"DIRECT\";\n// Acquire::ftp::Proxy \"x\";\nAPT::Get::Assume-Yes \"true\";\n",
            ),
            "[(\"Acquire::http::Proxy\", \"http://p:8080/\")]",
        );
        check(
            kde_proxies(
                "[Proxy Settings]\nProxyType=1\nhttpProxy=http://10.0.0.1 8080\nftpProxy=\n",
            ),
            "[(\"httpProxy\", \"http://10.0.0.1 8080\")]",
        );
        check(
            kde_proxies("[Proxy Settings]\nProxyType=0\nhttpProxy=http://10.0.0.1 8080\n"),
            "[]",
        );
        check(
            kde_proxies("[Proxy Settings]\nProxyType=2\nProxy Config Script=http://w/p.pac\n"),
            "[(\"Proxy Config Script\", \"http://w/p.pac\")]",
        );
    }

    #[test]
    fn udev() {
        check(
            udev_net_rules(
                "# PCI device\nSUBSYSTEM==\"net\", ACTION==\"add\", DRIVERS==\"?*\", ATTR{address}==\"3C:6A:A7:12:34:56\", ATTR{dev_id}==\"0x0\", ATTR{type}==\"1\", KERNEL==\"wlan*\", NAME=\"wlan0\"\nSUBSYSTEM==\"net\", NAME=\"broken\n",
            ),
            "[(\"wlan0\", \"3c:6a:a7:12:34:56\")]",
        );
    }

    #[test]
    fn real_files() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/net");
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("fixture");
        let nm = |f: &str| {
            let p = nm_profile(&read(f));
            format!(
                "{} {:?} {:?} {:?} {:?} {:?}",
                p.kind, p.ssid, p.interface, p.mac, p.dns, p.proxies
            )
        };
        check(
            nm("nm/CMCC-5G-家里.nmconnection"),
            "\"wifi Some(\\\"CMCC-5G-家里\\\") None None [\\\"114.114.114.114\\\"] []\"",
        );
        check(
            nm("nm/Office-Guest.nmconnection"),
            "\"wifi Some(\\\"Office-Guest\\\") Some(\\\"wlp2s0\\\") Some(\\\"3c:6a:a7:12:34:56\\\") [] []\"",
        );
        check(
            nm("nm/有线连接 1.nmconnection"),
            "\"ethernet None None None [\\\"10.12.0.53\\\"] [(\\\"proxy.pac-url\\\", \\\"http://wpad.example.com/proxy.pac\\\")]\"",
        );
        check(
            wpa_ssids(&read("wpa/wpa_supplicant.conf")),
            "[\"ChinaNet-办公\", \"TP-LINK_5G_A1B2\", \"凤凰\"]",
        );
        check(
            resolv_nameservers(&read("resolv/stub.conf")),
            "[\"127.0.0.53\"]",
        );
        check(
            resolv_nameservers(&read("resolv/nm.conf")),
            "[\"10.12.0.53\", \"223.5.5.5\", \"fe80::1%wlp2s0\"]",
        );
    }
}
