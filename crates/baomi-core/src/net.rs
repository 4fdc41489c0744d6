//! Intranet or Internet: the policy's address ranges and domain names applied to a URL, a host or an
//! address. Shared by every check that sees addresses (browsers, recent files, DNS, proxies) so they
//! all draw the line in the same place.

use crate::policy::NetworkPolicy;
use std::net::IpAddr;

/// An address range such as `10.0.0.0/8` or `fc00::/7`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parse `ADDRESS/PREFIX` (a bare address is a single host).
    pub fn parse(text: &str) -> Option<Cidr> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let network: IpAddr = addr.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { network, prefix })
    }

    /// True when `addr` lies in the range.
    pub fn contains(&self, addr: IpAddr) -> bool {
        match (self.network, addr) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            // An IPv4-mapped IPv6 address belongs to its IPv4 range.
            (IpAddr::V4(_), IpAddr::V6(a)) => a
                .to_ipv4_mapped()
                .is_some_and(|v4| self.contains(IpAddr::V4(v4))),
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

/// Where a URL points, by the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlClass {
    /// A host on the intranet.
    Intranet,
    /// A host on the Internet.
    Internet,
    /// Not a network address at all (`file:`, `chrome:`, `about:`, `data:` …).
    Local,
}

/// The policy's idea of the intranet, compiled.
#[derive(Debug, Clone)]
pub struct Intranet {
    cidrs: Vec<Cidr>,
    exact: Vec<String>,
    suffixes: Vec<String>,
}

impl Intranet {
    /// Compile the policy's ranges and names (invalid ranges were rejected when the policy loaded).
    pub fn new(policy: &NetworkPolicy) -> Intranet {
        let mut exact = Vec::new();
        let mut suffixes = Vec::new();
        for d in &policy.intranet_domains {
            let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
            if d.is_empty() {
                continue;
            }
            if d.starts_with('.') {
                suffixes.push(d);
            } else {
                exact.push(d);
            }
        }
        Intranet {
            cidrs: policy
                .intranet_cidrs
                .iter()
                .filter_map(|c| Cidr::parse(c))
                .collect(),
            exact,
            suffixes,
        }
    }

    /// True when the address is in one of the intranet ranges.
    pub fn contains_addr(&self, addr: IpAddr) -> bool {
        self.cidrs.iter().any(|c| c.contains(addr))
    }

    /// True when the host (name or address literal, IPv6 with or without brackets) is on the intranet.
    /// A single-label name (`oa`, `intranet-portal`) only resolves through a local DNS search domain,
    /// so it is intranet too.
    pub fn is_intranet_host(&self, host: &str) -> bool {
        let host = host.trim().trim_start_matches('[').trim_end_matches(']');
        let host = host.trim_end_matches('.');
        if host.is_empty() {
            return true;
        }
        if let Ok(addr) = host.parse::<IpAddr>() {
            return self.contains_addr(addr);
        }
        let host = host.to_ascii_lowercase();
        if !host.contains('.') {
            return true;
        }
        self.exact.contains(&host)
            || self
                .suffixes
                .iter()
                .any(|s| host.ends_with(s.as_str()) || host == s[1..])
    }

    /// Classify a URL by its host.
    pub fn classify_url(&self, url: &str) -> UrlClass {
        match url_host(url) {
            None => UrlClass::Local,
            Some(host) if self.is_intranet_host(host) => UrlClass::Intranet,
            Some(_) => UrlClass::Internet,
        }
    }
}

/// The host of a network URL (`http`, `https`, `ftp`, `ws`, `wss`), without user info or port;
/// `None` for URLs that name no network host.
pub fn url_host(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https" | "ftp" | "ws" | "wss") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intranet() -> Intranet {
        let mut p = NetworkPolicy::default();
        p.intranet_domains.push(".jcy".into());
        p.intranet_domains.push("oa.example.cn".into());
        Intranet::new(&p)
    }

    #[test]
    fn urls_split_by_policy() {
        let n = intranet();
        for (url, class) in [
            ("https://www.baidu.com/s?wd=1", UrlClass::Internet),
            ("http://10.1.2.3:8080/oa", UrlClass::Intranet),
            ("http://192.168.1.1/", UrlClass::Intranet),
            ("http://172.32.0.1/", UrlClass::Internet),
            ("http://user:pw@gw.sx.jcy/login", UrlClass::Intranet),
            ("http://oa.example.cn/", UrlClass::Intranet),
            ("http://mail.example.cn/", UrlClass::Internet),
            ("http://[::1]:7878/", UrlClass::Intranet),
            ("http://[2001:db8::1]/", UrlClass::Internet),
            ("http://portal/", UrlClass::Intranet),
            ("HTTPS://WWW.GOV.CN", UrlClass::Internet),
            ("file:///home/a/b.html", UrlClass::Local),
            ("chrome://settings/", UrlClass::Local),
            ("about:blank", UrlClass::Local),
            ("http://127.0.0.1:41234/page.html", UrlClass::Intranet),
        ] {
            assert_eq!(n.classify_url(url), class, "{url}");
        }
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("172.16.0.0/12").expect("valid");
        assert!(c.contains("172.31.255.1".parse().expect("ip")));
        assert!(!c.contains("172.32.0.1".parse().expect("ip")));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .expect("valid")
                .contains("8.8.8.8".parse().expect("ip"))
        );
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("nonsense").is_none());
        let mapped: IpAddr = "::ffff:10.1.1.1".parse().expect("ip");
        assert!(Cidr::parse("10.0.0.0/8").expect("valid").contains(mapped));
    }
}
