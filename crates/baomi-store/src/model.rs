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

/// Where a rectification task stands (整改).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RectState {
    /// 待整改: opened, nobody has started.
    Open,
    /// 整改中.
    InProgress,
    /// 已整改: the department says it is fixed.
    Fixed,
    /// 已复查: an inspector confirmed it (a newer report without the finding proposes this).
    Verified,
    /// 已销号: done.
    Closed,
    /// 风险接受: not fixed, with the approver's reason.
    RiskAccepted,
}

impl RectState {
    /// Every state, in the order a task goes through them.
    pub const ALL: [RectState; 6] = [
        RectState::Open,
        RectState::InProgress,
        RectState::Fixed,
        RectState::Verified,
        RectState::Closed,
        RectState::RiskAccepted,
    ];

    /// The identifier stored and used in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            RectState::Open => "open",
            RectState::InProgress => "in_progress",
            RectState::Fixed => "fixed",
            RectState::Verified => "verified",
            RectState::Closed => "closed",
            RectState::RiskAccepted => "risk_accepted",
        }
    }

    /// Where a task may go from here. A fix that does not hold goes back to work; an accepted risk
    /// can be withdrawn; a closed task stays closed (a new finding opens a new task).
    pub fn next(self) -> &'static [RectState] {
        use RectState::*;
        match self {
            Open => &[InProgress, Fixed, RiskAccepted],
            InProgress => &[Fixed, RiskAccepted],
            Fixed => &[Verified, InProgress, RiskAccepted],
            Verified => &[Closed, InProgress],
            Closed => &[],
            RiskAccepted => &[Open],
        }
    }

    /// Still waiting for the department: counts towards "overdue" once past its deadline.
    pub fn is_pending(self) -> bool {
        matches!(self, RectState::Open | RectState::InProgress)
    }
}

impl FromStr for RectState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RectState::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown rectification state {s:?} (open, in_progress, fixed, verified, closed, risk_accepted)"
                )
            })
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

/// The kinds of removable media an office registers.
pub const MEDIUM_KINDS: [&str; 5] = [
    "usb_disk",
    "portable_disk",
    "optical_disc",
    "memory_card",
    "other",
];

/// Where a removable medium stands in its life (涉密载体的生命周期).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediumState {
    /// 登记: registered, not yet issued.
    Registered,
    /// 在用: issued to its custodian.
    InUse,
    /// 借出/外带: lent or taken out, with approval and a due date.
    Lent,
    /// 维修: with a qualified repairer.
    Repair,
    /// 待报废: awaiting destruction.
    AwaitingScrap,
    /// 已销毁: destroyed by the designated unit. Final.
    Destroyed,
    /// 遗失: lost.
    Lost,
}

impl MediumState {
    /// Every state, in the order of a medium's life.
    pub const ALL: [MediumState; 7] = [
        MediumState::Registered,
        MediumState::InUse,
        MediumState::Lent,
        MediumState::Repair,
        MediumState::AwaitingScrap,
        MediumState::Destroyed,
        MediumState::Lost,
    ];

    /// The identifier stored and used in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            MediumState::Registered => "registered",
            MediumState::InUse => "in_use",
            MediumState::Lent => "lent",
            MediumState::Repair => "repair",
            MediumState::AwaitingScrap => "awaiting_scrap",
            MediumState::Destroyed => "destroyed",
            MediumState::Lost => "lost",
        }
    }

    /// The states a medium may move to from this one. A lent medium comes back (signed return) or is
    /// lost; a lost one may be found again (it is then in use, and its reappearance is on record);
    /// nothing leaves `destroyed`.
    pub fn next(self) -> &'static [MediumState] {
        use MediumState::*;
        match self {
            Registered => &[InUse, AwaitingScrap, Lost],
            InUse => &[Lent, Repair, AwaitingScrap, Lost],
            Lent => &[InUse, Lost],
            Repair => &[InUse, AwaitingScrap],
            AwaitingScrap => &[Destroyed],
            Destroyed => &[],
            Lost => &[InUse],
        }
    }
}

impl FromStr for MediumState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MediumState::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown medium state {s:?}"))
    }
}

/// Kinds of key places: confidential room (保密室/涉密场所), computer room (机房), archive room (档案室).
pub const PLACE_KINDS: [&str; 4] = [
    "confidential_room",
    "computer_room",
    "archive_room",
    "other",
];

/// Security devices a key place can have (技防设施): video monitoring, anti-theft doors or cabinets,
/// intrusion alarm, access control.
pub const PLACE_DEVICES: [&str; 4] = ["monitoring", "anti_theft", "alarm", "access_control"];

/// Secret-related personnel categories (涉密人员): core, important, general; `none` for staff who are not.
pub const SECRECY_LEVELS: [&str; 4] = ["core", "important", "general", "none"];

/// `YYYY-MM-DD` with a plausible year, month and day.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    matches!(
        (num(0..4), num(5..7), num(8..10)),
        (Some(y), Some(m), Some(d)) if y >= 1950 && (1..=12).contains(&m) && (1..=31).contains(&d)
    )
}

/// How secret a register level is, for comparison: `none` < `internal` < `confidential` < `secret`
/// < `top_secret`; `None` for a word that is not a level.
pub fn level_rank(level: &str) -> Option<u8> {
    ["none", "internal", "confidential", "secret", "top_secret"]
        .iter()
        .position(|l| *l == level)
        .and_then(|p| u8::try_from(p).ok())
}

/// A medium's level may be raised, never lowered (a medium is never used below its level).
pub fn level_change_allowed(old: &str, new: &str) -> bool {
    matches!((level_rank(old), level_rank(new)), (Some(o), Some(n)) if n >= o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_lifecycle() {
        use MediumState::*;
        // The picture of allowed moves, row = from, column = to (in `ALL` order).
        let picture: Vec<String> = MediumState::ALL
            .iter()
            .map(|from| {
                MediumState::ALL
                    .iter()
                    .map(|to| if from.next().contains(to) { 'x' } else { '.' })
                    .collect()
            })
            .collect();
        assert_eq!(
            picture,
            [
                ".x..x.x", // registered → in use, awaiting scrap, lost
                "..xxx.x", // in use → lent, repair, awaiting scrap, lost
                ".x....x", // lent → in use (signed return), lost
                ".x..x..", // repair → in use, awaiting scrap
                ".....x.", // awaiting scrap → destroyed
                ".......", // destroyed: final
                ".x.....", // lost → in use (found again)
            ]
        );
        assert!(Destroyed.next().is_empty(), "nothing leaves destroyed");
        for s in MediumState::ALL {
            assert_eq!(s.as_str().parse::<MediumState>(), Ok(s));
        }
    }

    #[test]
    fn levels_only_go_up() {
        assert!(level_change_allowed("secret", "top_secret"));
        assert!(level_change_allowed("secret", "secret"));
        assert!(!level_change_allowed("secret", "confidential"));
        assert!(!level_change_allowed("internal", "none"));
        assert!(!level_change_allowed("secret", "bogus"));
    }

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
