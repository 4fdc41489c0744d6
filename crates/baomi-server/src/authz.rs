//! Who may do what: decided here and nowhere else. Handlers name the [`Action`] they perform and,
//! for a record that belongs to a department, check [`may_see_department`]; the matrix test below and
//! the route-by-route test in `tests/server.rs` hold every role to this table.

use baomi_store::campaigns::Campaign;
use baomi_store::{RectState, Role, User};

/// Everything a route can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The dashboard with counts.
    ViewDashboard,
    /// Computers and their pages (a department head: own department only).
    ViewComputers,
    /// Register or change a computer.
    EditComputers,
    /// Findings and their evidence (a department head: own department only).
    ViewFindings,
    /// Upload or push a scan report.
    ImportReports,
    /// Reports no computer claimed, and assigning them.
    AssignReports,
    /// Departments: list.
    ViewDepartments,
    /// Departments: create.
    EditDepartments,
    /// Accounts and API tokens.
    ManageUsers,
    /// The audit log.
    ViewAudit,
    /// Removable media and their life (a department head: own department only).
    ViewMedia,
    /// Register media, change them, move them through their life.
    EditMedia,
    /// The register of people (a department head: own department only).
    ViewPeople,
    /// Register people, change their records.
    EditPeople,
    /// The register of key places (a department head: own department only).
    ViewPlaces,
    /// Register key places, change their records.
    EditPlaces,
    /// Open rectification tasks, confirm and close them, mark findings false positive.
    ManageRectification,
    /// Work on a task of one's department: start it, report it fixed, comment, attach evidence.
    WorkOnRectification,
    /// Accept a risk instead of fixing it (and withdraw such an acceptance).
    AcceptRisk,
    /// Department scorecards and the notice (circulated to every department: no department scope).
    ViewScorecards,
    /// The office's policy: the scorecard's weights.
    SetPolicy,
    /// Inspection campaigns (a department head: those that reach their department, never an
    /// unannounced one before it starts).
    ViewCampaigns,
    /// Plan and close campaigns.
    ManageCampaigns,
    /// Record the on-site checklist (an inspector: only in campaigns they are assigned to).
    RecordCampaignResults,
}

/// The table. Staff see nothing of the registers; reviewers read everything and change nothing;
/// inspectors import and register; the office does everything.
pub fn allowed(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => true,
        Role::Inspector => matches!(
            action,
            ViewDashboard
                | ViewComputers
                | EditComputers
                | ViewFindings
                | ImportReports
                | AssignReports
                | ViewDepartments
                | ViewMedia
                | EditMedia
                | ViewPeople
                | ViewPlaces
                | EditPlaces
                | ManageRectification
                | WorkOnRectification
                | ViewScorecards
                | ViewCampaigns
                | RecordCampaignResults
        ),
        Role::DeptHead => matches!(
            action,
            ViewDashboard
                | ViewComputers
                | ViewFindings
                | ViewDepartments
                | ViewMedia
                | ViewPeople
                | ViewPlaces
                | WorkOnRectification
                | ViewScorecards
                | ViewCampaigns
        ),
        Role::Reviewer => matches!(
            action,
            ViewDashboard
                | ViewComputers
                | ViewFindings
                | ViewDepartments
                | ViewAudit
                | ViewMedia
                | ViewPeople
                | ViewPlaces
                | ViewScorecards
                | ViewCampaigns
        ),
        Role::Staff => false,
    }
}

/// What moving a rectification task from `from` to `to` is (a comment when they are equal): the
/// department does the work and says it is fixed; the office confirms, closes and sends back; only
/// the office's administrators accept a risk or withdraw an acceptance.
pub fn rectification_move(from: RectState, to: RectState) -> Action {
    use RectState::*;
    match (from, to) {
        (_, RiskAccepted) | (RiskAccepted, _) => Action::AcceptRisk,
        (Open | InProgress, InProgress | Fixed) => Action::WorkOnRectification,
        (a, b) if a == b => Action::WorkOnRectification,
        _ => Action::ManageRectification,
    }
}

/// May `user` see campaign `c` at `now`? A department head sees the campaigns that reach their
/// department, and an unannounced one only once it has started: it is unannounced.
pub fn may_see_campaign(user: &User, c: &Campaign, now: i64) -> bool {
    if !allowed(user.role, Action::ViewCampaigns) {
        return false;
    }
    match department_scope(user) {
        None => true,
        Some(own) => {
            let reaches = c.fields.reaches(Some(own));
            let hidden = c.fields.kind == "unannounced" && c.state(now) == "planned";
            reaches && !hidden
        }
    }
}

/// May `user` record on-site results in campaign `c`? An administrator always; an inspector when
/// assigned to it.
pub fn may_record_in_campaign(user: &User, c: &Campaign) -> bool {
    allowed(user.role, Action::RecordCampaignResults)
        && (user.role == Role::Admin || c.fields.inspectors.contains(&user.username))
}

/// The department a user is limited to: `Some` for a department head, `None` (everything) for the
/// others. A department head without a department sees nothing (`Some(-1)` matches no row).
pub fn department_scope(user: &User) -> Option<i64> {
    match user.role {
        Role::DeptHead => Some(user.department_id.unwrap_or(-1)),
        _ => None,
    }
}

/// May `user` see a record of `department` (a computer, a finding)?
pub fn may_see_department(user: &User, department: Option<i64>) -> bool {
    match department_scope(user) {
        None => true,
        Some(own) => department == Some(own),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    const ALL: [Action; 24] = [
        ViewDashboard,
        ViewComputers,
        EditComputers,
        ViewFindings,
        ImportReports,
        AssignReports,
        ViewDepartments,
        EditDepartments,
        ManageUsers,
        ViewAudit,
        ViewMedia,
        EditMedia,
        ViewPeople,
        EditPeople,
        ViewPlaces,
        EditPlaces,
        ManageRectification,
        WorkOnRectification,
        AcceptRisk,
        ViewScorecards,
        SetPolicy,
        ViewCampaigns,
        ManageCampaigns,
        RecordCampaignResults,
    ];

    /// The whole matrix, written out: a change to the table must change this picture too.
    #[test]
    fn the_matrix() {
        let picture = |role| -> String {
            ALL.iter()
                .map(|&a| if allowed(role, a) { 'x' } else { '.' })
                .collect()
        };
        assert_eq!(picture(Role::Admin), "xxxxxxxxxxxxxxxxxxxxxxxx");
        assert_eq!(picture(Role::Inspector), "xxxxxxx...xxx.xxxx.x.x.x");
        assert_eq!(picture(Role::DeptHead), "xx.x..x...x.x.x..x.x.x..");
        assert_eq!(picture(Role::Reviewer), "xx.x..x..xx.x.x....x.x..");
        assert_eq!(picture(Role::Staff), "........................");
    }

    /// Who moves a task where, as a picture: rows from, columns to, in `RectState::ALL` order;
    /// w = the department's work, m = the office, a = an administrator, . = not a move.
    #[test]
    fn who_moves_a_task() {
        let picture: Vec<String> = RectState::ALL
            .iter()
            .map(|&from| {
                RectState::ALL
                    .iter()
                    .map(|&to| {
                        if from != to && !from.next().contains(&to) {
                            return '.';
                        }
                        match rectification_move(from, to) {
                            WorkOnRectification => 'w',
                            ManageRectification => 'm',
                            AcceptRisk => 'a',
                            _ => '?',
                        }
                    })
                    .collect()
            })
            .collect();
        assert_eq!(
            picture,
            ["www..a", ".ww..a", ".mwm.a", ".m.wm.", "....w.", "a....a"].map(String::from)
        );
    }

    #[test]
    fn department_heads_see_only_their_own() {
        let head = User {
            id: 1,
            username: "h".into(),
            display_name: "h".into(),
            role: Role::DeptHead,
            department_id: Some(7),
        };
        assert!(may_see_department(&head, Some(7)));
        assert!(!may_see_department(&head, Some(8)));
        assert!(!may_see_department(&head, None));
        let lost = User {
            department_id: None,
            ..head.clone()
        };
        assert!(!may_see_department(&lost, None));
        let inspector = User {
            role: Role::Inspector,
            ..head
        };
        assert!(may_see_department(&inspector, Some(8)));
    }
}
