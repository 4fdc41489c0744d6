//! The inspection policy (TOML): what to look for and the safety limits of every parser.
//!
//! Organisations differ and the standards leave gaps, so every pattern that is not fixed by
//! GB/T 9704 lives here. The default policy is embedded in the binary (`baomi policy show`).

use crate::Level;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The policy compiled into Baomi, used when the user gives none.
pub const DEFAULT_POLICY_TOML: &str = include_str!("../policy/default.toml");

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// A name shown in reports.
    pub name: String,
    /// How classification markings are recognised.
    #[serde(default)]
    pub marking: MarkingPolicy,
    /// Words and phrases that imply a level (case code names, project names…).
    #[serde(default)]
    pub keywords: Vec<Keyword>,
    /// Safety limits for parsers.
    #[serde(default)]
    pub limits: LimitsPolicy,
    /// Where the content sweep looks and what it skips.
    #[serde(default)]
    pub sweep: SweepPolicy,
    /// What counts as the intranet, and the targets of the opt-in outbound probe.
    #[serde(default)]
    pub network: NetworkPolicy,
}

/// Settings of the marking recogniser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkingPolicy {
    /// How many leading non-empty lines of a document, page, sheet, slide or mail body count as the
    /// marking position (line 1 is often the copy number 份号, line 2 the marking, line 3 urgency).
    pub head_lines: u32,
    /// Work-secret labels (level `internal`); no official format exists, so organisations add theirs.
    pub work_secret_labels: Vec<String>,
    /// Recognise US-style banner lines (TOP SECRET//NOFORN) and portion marks ((S), (TS)).
    pub us_markings: bool,
}

impl Default for MarkingPolicy {
    fn default() -> Self {
        MarkingPolicy {
            head_lines: 6,
            work_secret_labels: vec![
                "工作秘密".into(),
                "检察工作秘密".into(),
                "审判工作秘密".into(),
                "内部资料 注意保存".into(),
                "内部资料 妥善保管".into(),
                "内部使用 不得外传".into(),
                "内部文件 注意保密".into(),
                "内部资料".into(),
                "内部文件".into(),
                "内部使用".into(),
            ],
            us_markings: true,
        }
    }
}

/// A policy keyword.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keyword {
    /// The text to find (matched anywhere, not only at the marking position).
    pub text: String,
    /// The level a file containing it is taken to have.
    pub level: Level,
    /// Why it is on the list, shown with findings.
    #[serde(default)]
    pub note: Option<String>,
    /// Match ASCII letters case-sensitively (default: no).
    #[serde(default)]
    pub case_sensitive: bool,
}

/// Parser limits. Every parser of untrusted bytes honours these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsPolicy {
    /// Files larger than this are listed as `too_large`, not read.
    pub max_file_mb: u64,
    /// Containers inside containers (zip in mail in zip…) deeper than this are not opened.
    pub max_archive_depth: u32,
    /// Members read from one container at most.
    pub max_archive_members: u32,
    /// Bytes decompressed from one top-level file at most.
    pub max_uncompressed_mb: u64,
    /// Largest allowed ratio of decompressed to compressed size of a member (zip bombs).
    pub max_compression_ratio: u32,
    /// Deepest XML nesting read.
    pub max_xml_depth: u32,
    /// Extracted text kept per file at most.
    pub max_text_mb: u64,
    /// Seconds one file may take before it is abandoned as `limit`.
    pub file_timeout_secs: u64,
}

impl Default for LimitsPolicy {
    fn default() -> Self {
        LimitsPolicy {
            max_file_mb: 512,
            max_archive_depth: 6,
            max_archive_members: 20_000,
            max_uncompressed_mb: 2048,
            max_compression_ratio: 250,
            max_xml_depth: 512,
            max_text_mb: 256,
            file_timeout_secs: 120,
        }
    }
}

/// Where the sweep goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SweepPolicy {
    /// Directories never entered (absolute, as seen on the inspected system).
    pub skip_dirs: Vec<String>,
}

impl Default for SweepPolicy {
    fn default() -> Self {
        SweepPolicy {
            skip_dirs: vec!["/proc".into(), "/sys".into(), "/dev".into(), "/run".into()],
        }
    }
}

/// What counts as the intranet. A URL or address that matches none of these is on the Internet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkPolicy {
    /// Address ranges of the intranet (`10.0.0.0/8`, `fd00::/8`).
    pub intranet_cidrs: Vec<String>,
    /// Intranet host names: `oa.jcy` matches that host; `.jcy` matches every host ending in `.jcy`.
    pub intranet_domains: Vec<String>,
    /// Targets of `baomi scan --probe` (`host:port`), tried only when the inspector asks.
    pub probe_targets: Vec<String>,
    /// Milliseconds one probe connection may take.
    pub probe_timeout_ms: u64,
}

impl Default for NetworkPolicy {
    fn default() -> Self {
        NetworkPolicy {
            intranet_cidrs: [
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
                "127.0.0.0/8",
                "169.254.0.0/16",
                "::1/128",
                "fc00::/7",
                "fe80::/10",
            ]
            .map(String::from)
            .to_vec(),
            intranet_domains: [
                ".local",
                ".lan",
                ".internal",
                ".intranet",
                ".home.arpa",
                "localhost",
            ]
            .map(String::from)
            .to_vec(),
            probe_targets: [
                "223.5.5.5:53",
                "114.114.114.114:53",
                "119.29.29.29:53",
                "www.baidu.com:443",
                "www.qq.com:443",
            ]
            .map(String::from)
            .to_vec(),
            probe_timeout_ms: 3000,
        }
    }
}

/// Why a policy could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Not valid TOML, or a field of the wrong type. (The TOML error, with line and column, is the
    /// source: printing the chain shows it once.)
    #[error("the policy is not valid")]
    Parse(#[from] toml::de::Error),
    /// Valid TOML, but a value that makes no sense.
    #[error("the policy is not valid: {0}")]
    Invalid(String),
}

impl Policy {
    /// The embedded default policy.
    pub fn default_policy() -> Policy {
        // The embedded text is tested to parse; a failure here is a build defect, not input.
        Policy::from_toml(DEFAULT_POLICY_TOML).expect("embedded default policy parses")
    }

    /// Parse and validate a policy.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = toml::from_str(text)?;
        policy.validate()?;
        Ok(policy)
    }

    fn validate(&self) -> Result<(), PolicyError> {
        if self.name.trim().is_empty() {
            return Err(PolicyError::Invalid("`name` must not be empty".into()));
        }
        for (i, k) in self.keywords.iter().enumerate() {
            if k.text.trim().is_empty() {
                return Err(PolicyError::Invalid(format!(
                    "keyword #{} has empty `text`",
                    i + 1
                )));
            }
        }
        if self.marking.head_lines == 0 || self.marking.head_lines > 100 {
            return Err(PolicyError::Invalid(
                "`marking.head_lines` must be between 1 and 100".into(),
            ));
        }
        for cidr in &self.network.intranet_cidrs {
            if crate::net::Cidr::parse(cidr).is_none() {
                return Err(PolicyError::Invalid(format!(
                    "`network.intranet_cidrs`: {cidr:?} is not an address range like 10.0.0.0/8"
                )));
            }
        }
        for target in &self.network.probe_targets {
            let port_ok = target
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            if !port_ok {
                return Err(PolicyError::Invalid(format!(
                    "`network.probe_targets`: {target:?} is not host:port"
                )));
            }
        }
        if self.limits.max_archive_depth > 64 {
            return Err(PolicyError::Invalid(
                "`limits.max_archive_depth` must be at most 64".into(),
            ));
        }
        Ok(())
    }
}

/// SHA-256 of a policy's text, hex: identifies the policy a report was made with.
pub fn policy_sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_parses() {
        let p = Policy::default_policy();
        assert!(!p.name.is_empty());
    }

    #[test]
    fn bad_policy_is_a_clear_error() {
        let e = Policy::from_toml("name = 3").unwrap_err();
        assert_eq!(e.to_string(), "the policy is not valid");
        let e = format!("{}", std::error::Error::source(&e).expect("has a source"));
        assert!(e.contains("line 1"), "{e}");
        let chain = |e: PolicyError| match std::error::Error::source(&e) {
            Some(src) => format!("{e}: {src}"),
            None => e.to_string(),
        };
        let e = chain(
            Policy::from_toml("name = \"x\"\n[[keywords]]\ntext = \"a\"\nlevel = \"huge\"\n")
                .unwrap_err(),
        );
        assert!(e.contains("huge"), "{e}");
        let e = chain(Policy::from_toml("name = \"x\"\nbogus = 1\n").unwrap_err());
        assert!(e.contains("bogus"), "{e}");
    }
}
