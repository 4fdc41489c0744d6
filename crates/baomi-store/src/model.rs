//! The office's small vocabularies — roles, computer states, a register's levels and zones — and the
//! rules on them, as plain values that the server, the store and the tests share.

use std::fmt;
use std::str::FromStr;

/// What an account may do. Decided per route in `baomi-server::authz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The confidentiality office (保密办): everything, including accounts.
    Admin,
    /// Inspects computers and imports reports; sees the whole organisation.
    Inspector,
    /// A department head: sees only their own department.
    DeptHead,
    /// Reads everything, changes nothing (pre-publication and audit review).
    Reviewer,
    /// Staff: may sign in and see their own undertakings; no registers.
    Staff,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Inspector,
        Role::DeptHead,
        Role::Reviewer,
        Role::Staff,
    ];

    /// The identifier stored and used in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Inspector => "inspector",
            Role::DeptHead => "dept_head",
            Role::Reviewer => "reviewer",
            Role::Staff => "staff",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role {s:?} (admin, inspector, dept_head, reviewer, staff)")
            })
    }
}

/// Where a registered computer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComputerStatus {
    /// 在用.
    InUse,
    /// 闲置.
    Idle,
    /// 维修.
    Repair,
    /// 报废.
    Scrapped,
}

impl ComputerStatus {
    /// Every state.
    pub const ALL: [ComputerStatus; 4] = [
        ComputerStatus::InUse,
        ComputerStatus::Idle,
        ComputerStatus::Repair,
        ComputerStatus::Scrapped,
    ];

    /// The identifier stored and used in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            ComputerStatus::InUse => "in_use",
            ComputerStatus::Idle => "idle",
            ComputerStatus::Repair => "repair",
            ComputerStatus::Scrapped => "scrapped",
        }
    }
}

impl FromStr for ComputerStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ComputerStatus::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown status {s:?} (in_use, idle, repair, scrapped)"))
    }
}

/// The zones a computer can be registered in (a register has no "unknown").
pub const REGISTER_ZONES: [&str; 3] = ["classified", "internal", "internet"];

/// The levels a computer can be registered at: the four content levels and `none` (非涉密).
pub const REGISTER_LEVELS: [&str; 5] = ["top_secret", "secret", "confidential", "internal", "none"];

/// A MAC address as the registers keep it: lower-case hex pairs joined by `:`, `None` when `raw` is
/// not six pairs (written with `:`, `-`, `.` or nothing between them).
pub fn normalize_mac(raw: &str) -> Option<String> {
    let hex: String = raw
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.' | ' '))
        .collect();
    if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let lower = hex.to_ascii_lowercase();
    let pairs: Vec<&str> = (0..6).map(|i| &lower[i * 2..i * 2 + 2]).collect();
    Some(pairs.join(":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_are_normalized() {
        assert_eq!(
            normalize_mac("00-1A-2B-3C-4D-5E").as_deref(),
            Some("00:1a:2b:3c:4d:5e")
        );
        assert_eq!(
            normalize_mac("001a.2b3c.4d5e").as_deref(),
            Some("00:1a:2b:3c:4d:5e")
        );
        assert_eq!(normalize_mac("00:1a:2b:3c:4d"), None);
        assert_eq!(normalize_mac("zz:1a:2b:3c:4d:5e"), None);
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
