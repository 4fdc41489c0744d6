//! Plain data shared by every part of Baomi: levels, zones, severities, the policy and the report
//! contract. No I/O lives here, so the scanner and the server agree on types without knowing each other.
#![deny(missing_docs)]

mod level;
pub mod net;
pub mod policy;
pub mod report;

pub use level::{Level, Severity, Zone};
pub use policy::{
    Keyword, LimitsPolicy, MarkingPolicy, NetworkPolicy, Policy, PolicyError, SweepPolicy,
};
pub use report::*;
