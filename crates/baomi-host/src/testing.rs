//! What every check's tests need: the repository's fixtures, the offline test root, and one check run
//! over a root with a policy and zone.

use crate::{CheckFn, CheckRun, HostContext, Root};
use baomi_core::{Artifacts, Policy, Zone};
use std::path::PathBuf;

/// `tests/fixtures/<rel>` of the repository.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel)
}

/// The offline classified machine of `tests/fixtures/hostroot`.
pub(crate) fn hostroot() -> Root {
    Root::offline(&fixture("hostroot")).expect("the hostroot fixture")
}

/// Run one check over `root`, with the probe asked for or not.
pub(crate) fn run_check(
    check: CheckFn,
    root: &Root,
    policy: &Policy,
    zone: Zone,
    probe: bool,
) -> (CheckRun, Artifacts) {
    let mut ctx = HostContext::new(root, policy, zone);
    ctx.probe = probe;
    let mut out = CheckRun::default();
    let mut artifacts = Artifacts::default();
    check(&ctx, &mut out, &mut artifacts);
    (out, artifacts)
}
