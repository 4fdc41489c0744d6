//! The small vocabularies every part of Baomi speaks: secrecy levels, severities and network zones.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How secret a piece of content is. Ordered: `Internal < Confidential < Secret < TopSecret`,
/// so the level of a file is the `max` of its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 工作秘密 / 检察工作秘密 / 内部: not a state secret, still protected.
    Internal,
    /// 秘密.
    Confidential,
    /// 机密.
    Secret,
    /// 绝密.
    TopSecret,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 4] = [
        Level::Internal,
        Level::Confidential,
        Level::Secret,
        Level::TopSecret,
    ];

    /// The identifier used in reports and policies (`top_secret`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Internal => "internal",
            Level::Confidential => "confidential",
            Level::Secret => "secret",
            Level::TopSecret => "top_secret",
        }
    }

    /// The Chinese name an inspector reads on a document.
    pub fn zh(self) -> &'static str {
        match self {
            Level::Internal => "内部",
            Level::Confidential => "秘密",
            Level::Secret => "机密",
            Level::TopSecret => "绝密",
        }
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        match self {
            Level::Internal => "Internal",
            Level::Confidential => "Confidential",
            Level::Secret => "Secret",
            Level::TopSecret => "Top secret",
        }
    }

    /// True for the three state-secret levels (秘密 and above).
    pub fn is_state_secret(self) -> bool {
        self >= Level::Confidential
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "internal" | "内部" | "工作秘密" => Ok(Level::Internal),
            "confidential" | "秘密" => Ok(Level::Confidential),
            "secret" | "机密" => Ok(Level::Secret),
            "top_secret" | "绝密" => Ok(Level::TopSecret),
            other => Err(format!(
                "unknown level {other:?} (expected top_secret, secret, confidential or internal)"
            )),
        }
    }
}

/// How urgently a finding needs attention. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing, not a violation.
    Info,
    /// Minor.
    Low,
    /// Should be fixed.
    Medium,
    /// A likely violation.
    High,
    /// A violation that must be dealt with now.
    Critical,
}

impl Severity {
    /// The identifier used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// One step less severe (`Info` stays `Info`).
    pub fn lower(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            Severity::Low | Severity::Info => Severity::Info,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which network a computer belongs to (涉密 / 内网 / 互联网).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// 涉密: physically isolated, may hold state secrets.
    Classified,
    /// 内网 / 工作网: not connected to the Internet.
    Internal,
    /// 互联网.
    Internet,
    /// Not stated by the inspector.
    #[default]
    Unknown,
}

impl Zone {
    /// The identifier used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Zone::Classified => "classified",
            Zone::Internal => "internal",
            Zone::Internet => "internet",
            Zone::Unknown => "unknown",
        }
    }
}

impl FromStr for Zone {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "classified" => Ok(Zone::Classified),
            "internal" => Ok(Zone::Internal),
            "internet" => Ok(Zone::Internet),
            "unknown" => Ok(Zone::Unknown),
            other => Err(format!(
                "unknown zone {other:?} (expected classified, internal, internet or unknown)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_order_like_the_law() {
        assert!(Level::TopSecret > Level::Secret);
        assert!(Level::Secret > Level::Confidential);
        assert!(Level::Confidential > Level::Internal);
        assert_eq!("机密".parse::<Level>(), Ok(Level::Secret));
        assert!(!Level::Internal.is_state_secret());
    }
}
