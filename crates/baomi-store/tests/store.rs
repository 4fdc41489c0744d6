//! The store against both backends: every test runs once on a fresh SQLite file and once in a fresh
//! schema of the PostgreSQL at `BAOMI_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/test`,
//! what CI machines run). A PostgreSQL that cannot be reached fails the test: it is never skipped.

use baomi_core::report::Report;
use baomi_store::{
    ComputerFilter, ComputerInput, Error, FindingFilter, Imported, NewUser, Role, Store,
};
use sqlx::Executor;

const REPORT: &str = include_str!("../../../tests/fixtures/reports/hostroot-classified.json");

/// A store for one test; keeps its SQLite directory alive.
struct Fixture {
    store: Store,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    Fixture {
        store: baomi_store::testing::fresh_sqlite(dir.path()).await,
        _dir: Some(dir),
    }
}

async fn postgres(test: &str) -> Fixture {
    Fixture {
        store: baomi_store::testing::fresh_postgres(test).await,
        _dir: None,
    }
}

/// One test body, run on both backends as `NAME_sqlite` and `NAME_postgres`.
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let f = super::sqlite().await;
                ($body)(f.store.clone()).await;
            }
            #[tokio::test]
            async fn postgres() {
                let f = super::postgres(stringify!($name)).await;
                ($body)(f.store.clone()).await;
            }
        }
    };
}

fn pc(asset: &str, zone: &str, level: &str) -> ComputerInput {
    ComputerInput {
        asset_no: asset.into(),
        name: format!("PC {asset}"),
        zone: zone.into(),
        level: level.into(),
        status: "in_use".into(),
        ..Default::default()
    }
}

fn report() -> Report {
    serde_json::from_str(REPORT).expect("fixture report parses")
}

on_both!(registers_keep_their_rules, |s: Store| async move {
    let dept = s
        .create_department("admin", "第一检察部", None)
        .await
        .unwrap();
    let sub = s
        .create_department("admin", "办公室", Some(dept))
        .await
        .unwrap();
    let mut c = pc("JCY-0001", "classified", "secret");
    c.department_id = Some(sub);
    c.custodian = "张三".into();
    c.macs = "00-1A-2B-3C-4D-5E, 00:1a:2b:3c:4d:5e;AA:BB:CC:DD:EE:FF".into();
    let id = s.create_computer("admin", c).await.unwrap();
    let got = s.computer(id).await.unwrap().unwrap();
    assert_eq!(got.fields.macs, "00:1a:2b:3c:4d:5e,aa:bb:cc:dd:ee:ff");
    assert_eq!(got.department_name.as_deref(), Some("办公室"));

    // A taken asset number, a classified computer without a state-secret level, a bad MAC, a
    // department that does not exist: refused with a reason, nothing stored.
    assert!(matches!(
        s.create_computer("admin", pc("JCY-0001", "internet", "none"))
            .await,
        Err(Error::Conflict(_))
    ));
    assert!(matches!(
        s.create_computer("admin", pc("JCY-0002", "classified", "none"))
            .await,
        Err(Error::Invalid(_))
    ));
    let mut bad = pc("JCY-0003", "internet", "none");
    bad.macs = "00:11".into();
    assert!(matches!(
        s.create_computer("admin", bad).await,
        Err(Error::Invalid(_))
    ));
    let mut orphan = pc("JCY-0004", "internet", "none");
    orphan.department_id = Some(9999);
    assert!(matches!(
        s.create_computer("admin", orphan).await,
        Err(Error::Invalid(_))
    ));
    assert_eq!(
        s.computers(&ComputerFilter::default()).await.unwrap().len(),
        1
    );

    let mut changed = got.fields.clone();
    changed.status = "repair".into();
    s.update_computer("admin", id, changed).await.unwrap();
    assert_eq!(
        s.computer(id).await.unwrap().unwrap().fields.status,
        "repair"
    );

    s.create_computer("admin", pc("JCY-0100", "internet", "none"))
        .await
        .unwrap();
    let by_text = ComputerFilter {
        text: Some("张三".into()),
        ..Default::default()
    };
    assert_eq!(s.computers(&by_text).await.unwrap().len(), 1);
    let by_dept = ComputerFilter {
        department_id: Some(sub),
        ..Default::default()
    };
    assert_eq!(s.computers(&by_dept).await.unwrap()[0].id, id);
    let by_zone = ComputerFilter {
        zone: Some("internet".into()),
        ..Default::default()
    };
    assert_eq!(
        s.computers(&by_zone).await.unwrap()[0].fields.asset_no,
        "JCY-0100"
    );

    let v = s.audit_verify().await.unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    assert_eq!(v.entries, 5, "2 departments, 2 computers, 1 update");
});

on_both!(
    a_report_is_imported_once_and_linked,
    |s: Store| async move {
        let r = report();
        // Unregistered: held as unmatched.
        let first = s.import_report("inspector", &r, REPORT).await.unwrap();
        let Imported::New {
            report_row,
            computer_id: None,
            findings,
        } = first
        else {
            panic!("{first:?}")
        };
        assert_eq!(findings, r.findings.len());
        assert_eq!(
            s.import_report("inspector", &r, REPORT).await.unwrap(),
            Imported::Duplicate { report_row }
        );
        assert_eq!(
            s.reports(None, 10).await.unwrap().len(),
            1,
            "one unmatched report"
        );

        // Registered by machine id: a new report of the same computer is linked.
        let mut c = pc("JCY-0007", "classified", "secret");
        c.machine_id = r.host.machine_id.clone().unwrap();
        let id = s.create_computer("admin", c).await.unwrap();
        let mut again = r.clone();
        again.report_id = "second-run".into();
        let second = s.import_report("inspector", &again, REPORT).await.unwrap();
        assert!(matches!(second, Imported::New { computer_id: Some(c), .. } if c == id));

        // The unmatched one is assigned by hand.
        s.assign_report("admin", report_row, id).await.unwrap();
        assert!(s.reports(None, 10).await.unwrap().is_empty());
        assert_eq!(s.reports(Some(id), 10).await.unwrap().len(), 2);

        let usb = s.usb_devices_of(id).await.unwrap();
        assert_eq!(usb.len(), r.artifacts.usb_devices.len());
        let all = FindingFilter {
            computer_id: Some(id),
            limit: Some(500),
            ..Default::default()
        };
        assert_eq!(s.findings(&all).await.unwrap().len(), 2 * r.findings.len());
        let audit = s.audit_verify().await.unwrap();
        assert!(audit.problems.is_empty(), "{:?}", audit.problems);
    }
);

on_both!(a_bad_report_stores_nothing, |s: Store| async move {
    let mut r = report();
    r.schema = "something/2".into();
    assert!(matches!(
        s.import_report("x", &r, "{}").await,
        Err(Error::Invalid(_))
    ));
    let mut r = report();
    r.report_id = "  ".into();
    assert!(matches!(
        s.import_report("x", &r, "{}").await,
        Err(Error::Invalid(_))
    ));
    assert!(s.reports(None, 10).await.unwrap().is_empty());
    assert_eq!(s.audit_verify().await.unwrap().entries, 0);
});

on_both!(
    reports_link_by_mac_and_asset_number,
    |s: Store| async move {
        let mut by_mac = pc("JCY-0200", "internet", "none");
        by_mac.macs = "52:54:00:12:34:56".into();
        let mac_pc = s.create_computer("admin", by_mac).await.unwrap();
        let asset_pc = s
            .create_computer("admin", pc("JCY-0300", "internal", "internal"))
            .await
            .unwrap();

        let mut r = report();
        r.host.machine_id = None;
        r.report_id = "by-mac".into();
        r.artifacts.network.get_or_insert_default().interfaces.push(
            serde_json::from_value(serde_json::json!({
                "name": "enp1s0", "kind": "ethernet", "mac": "52-54-00-12-34-56", "physical": true,
            }))
            .unwrap(),
        );
        let got = s.import_report("i", &r, "{}").await.unwrap();
        assert!(
            matches!(got, Imported::New { computer_id: Some(c), .. } if c == mac_pc),
            "{got:?}"
        );

        let mut r = report();
        r.host.machine_id = None;
        r.host.asset_tag = Some("JCY-0300".into());
        r.report_id = "by-asset".into();
        let got = s.import_report("i", &r, "{}").await.unwrap();
        assert!(
            matches!(got, Imported::New { computer_id: Some(c), .. } if c == asset_pc),
            "{got:?}"
        );
    }
);

on_both!(findings_filter_and_page, |s: Store| async move {
    let dept = s.create_department("admin", "技术处", None).await.unwrap();
    let mut c = pc("JCY-0400", "classified", "secret");
    c.department_id = Some(dept);
    c.machine_id = report().host.machine_id.unwrap();
    s.create_computer("admin", c).await.unwrap();
    s.import_report("i", &report(), REPORT).await.unwrap();
    let n = report().findings.len();

    // Pages of 7 walk every finding exactly once.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = s
            .findings(&FindingFilter {
                before,
                limit: Some(7),
                ..Default::default()
            })
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        before = page.last().map(|f| f.id);
        seen.extend(page.into_iter().map(|f| f.id));
    }
    assert_eq!(seen.len(), n);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );

    let markings = FindingFilter {
        rule: Some("content.marking".into()),
        ..Default::default()
    };
    let m = s.findings(&markings).await.unwrap();
    assert!(
        !m.is_empty()
            && m.iter()
                .all(|f| f.rule == "content.marking" && !f.level.is_empty())
    );
    let other = FindingFilter {
        department_id: Some(dept + 1),
        ..Default::default()
    };
    assert!(
        s.findings(&other).await.unwrap().is_empty(),
        "another department sees none"
    );
    let own = FindingFilter {
        department_id: Some(dept),
        zone: Some("classified".into()),
        ..Default::default()
    };
    assert_eq!(s.findings(&own).await.unwrap().len(), n.min(50));
    let one = s.finding(m[0].id).await.unwrap().unwrap();
    assert!(one.evidence.contains("\"matched\""));
    assert_eq!(
        one.computer.as_ref().map(|c| c.0.as_str()),
        Some("JCY-0400")
    );
});

on_both!(accounts_sessions_tokens, |s: Store| async move {
    assert_eq!(s.user_count().await.unwrap(), 0);
    let dept = s
        .create_department("admin", "第二检察部", None)
        .await
        .unwrap();
    let new = NewUser {
        username: "head2",
        display_name: "李四",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        role: Role::DeptHead,
        department_id: Some(dept),
    };
    let id = s.create_user("setup", &new).await.unwrap();
    assert!(
        !format!("{new:?}").contains("argon2"),
        "Debug hides the hash"
    );
    assert!(matches!(
        s.create_user("setup", &new).await,
        Err(Error::Conflict(_))
    ));
    let no_dept = NewUser {
        username: "head3",
        department_id: None,
        ..new
    };
    assert!(matches!(
        s.create_user("setup", &no_dept).await,
        Err(Error::Invalid(_))
    ));

    let (u, hash) = s.user_for_login("head2").await.unwrap().unwrap();
    assert_eq!(
        (u.id, u.role, u.department_id),
        (id, Role::DeptHead, Some(dept))
    );
    assert!(hash.starts_with("$argon2id$"));

    s.create_session("tok-hash", id, "csrf-1", 3600)
        .await
        .unwrap();
    let sess = s.session("tok-hash").await.unwrap().unwrap();
    assert_eq!((sess.user.id, sess.csrf.as_str()), (id, "csrf-1"));
    s.create_session("old", id, "c", -1).await.unwrap();
    assert!(s.session("old").await.unwrap().is_none(), "expired");
    s.delete_session("tok-hash").await.unwrap();
    assert!(s.session("tok-hash").await.unwrap().is_none());

    s.create_api_token("admin", id, "laptop", "api-hash")
        .await
        .unwrap();
    let (tu, label) = s.api_token_user("api-hash").await.unwrap().unwrap();
    assert_eq!((tu.id, label.as_str()), (id, "laptop"));
    assert!(s.api_token_user("nope").await.unwrap().is_none());

    for _ in 0..3 {
        s.login_failed("head2").await.unwrap();
    }
    assert_eq!(s.login_failures_since("head2", 0).await.unwrap(), 3);
    s.login_succeeded("head2").await.unwrap();
    assert_eq!(s.login_failures_since("head2", 0).await.unwrap(), 0);
});

on_both!(
    audit_verify_finds_edits_and_deletions,
    |s: Store| async move {
        for i in 0..5 {
            s.create_department("admin", &format!("部门{i}"), None)
                .await
                .unwrap();
        }
        assert!(s.audit_verify().await.unwrap().problems.is_empty());
        let pool = baomi_store::testing::pool(&s);

        // An edited detail breaks entry 3's own hash.
        pool.execute("UPDATE audit_log SET detail = '{}' WHERE seq = 3")
            .await
            .unwrap();
        let v = s.audit_verify().await.unwrap();
        assert_eq!(
            v.problems.iter().map(|p| p.seq).collect::<Vec<_>>(),
            vec![3]
        );

        // A deleted middle entry: the gap and the broken link are both reported.
        pool.execute("DELETE FROM audit_log WHERE seq = 2")
            .await
            .unwrap();
        let v = s.audit_verify().await.unwrap();
        assert!(
            v.problems
                .iter()
                .any(|p| p.seq == 2 && p.what.contains("missing")),
            "{v:?}"
        );

        // A deleted last entry: the head points past the log.
        pool.execute("DELETE FROM audit_log WHERE seq = 5")
            .await
            .unwrap();
        let v = s.audit_verify().await.unwrap();
        assert!(
            v.problems
                .iter()
                .any(|p| p.seq == 5 && p.what.contains("ends at entry 4")),
            "{v:?}"
        );
    }
);

on_both!(concurrent_appends_keep_one_chain, |s: Store| async move {
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.create_department("admin", &format!("并发{i}"), None)
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let v = s.audit_verify().await.unwrap();
    assert_eq!(v.entries, 20);
    assert!(v.problems.is_empty(), "{:?}", v.problems);
});

fn stick(number: &str, level: &str) -> baomi_store::MediumInput {
    baomi_store::MediumInput {
        number: number.into(),
        kind: "usb_disk".into(),
        vid: "0781".into(),
        pid: "5567".into(),
        serial: format!("SN-{number}"),
        level: level.into(),
        ..Default::default()
    }
}

on_both!(media_live_by_their_rules, |s: Store| async move {
    use baomi_store::{MediumState, Transition};
    let id = s
        .create_medium("bmb", stick("U-001", "secret"))
        .await
        .unwrap();
    assert!(matches!(
        s.create_medium("bmb", stick("U-001", "secret")).await,
        Err(Error::Conflict(_))
    ));
    let mut bad = stick("U-002", "secret");
    bad.vid = "78".into();
    assert!(matches!(
        s.create_medium("bmb", bad).await,
        Err(Error::Invalid(_))
    ));

    let go = |to: &str, reason: &str, approver: &str, due: &str| Transition {
        to: to.into(),
        reason: reason.into(),
        approver: approver.into(),
        due_date: due.into(),
    };
    // Not allowed: straight from registered to destroyed.
    let r = s
        .transition_medium("bmb", id, &go("destroyed", "old", "王五", ""))
        .await;
    assert!(matches!(r, Err(Error::Invalid(_))), "{r:?}");
    s.transition_medium("bmb", id, &go("in_use", "发放给张三", "", ""))
        .await
        .unwrap();
    // Not allowed: a loan without approver or due date; any move without a reason.
    for t in [
        go("lent", "出差", "", "2026-12-01"),
        go("lent", "出差", "王五", ""),
        go("lent", "出差", "王五", "12/01/2026"),
        go("lost", " ", "", ""),
    ] {
        let r = s.transition_medium("bmb", id, &t).await;
        assert!(matches!(r, Err(Error::Invalid(_))), "{t:?}: {r:?}");
    }
    // The life: issued (above), lent with approval, returned, to scrap, destroyed; then nothing.
    s.transition_medium("bmb", id, &go("lent", "出差携带", "王五", "2026-12-01"))
        .await
        .unwrap();
    s.transition_medium("bmb", id, &go("in_use", "已归还，签收", "", ""))
        .await
        .unwrap();
    s.transition_medium("bmb", id, &go("awaiting_scrap", "损坏", "", ""))
        .await
        .unwrap();
    s.transition_medium("bmb", id, &go("destroyed", "统一销毁", "保密办", ""))
        .await
        .unwrap();
    assert!(
        s.transition_medium("bmb", id, &go("in_use", "?", "", ""))
            .await
            .is_err()
    );
    let m = s.medium(id).await.unwrap().unwrap();
    assert_eq!(m.state, MediumState::Destroyed);
    let life: Vec<String> = s
        .medium_events(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.to)
        .collect();
    assert_eq!(
        life,
        ["in_use", "lent", "in_use", "awaiting_scrap", "destroyed"]
    );
    let loan = &s.medium_events(id).await.unwrap()[1];
    assert_eq!(
        (loan.approver.as_str(), loan.due_date.as_str()),
        ("王五", "2026-12-01")
    );

    // The level goes up, never down.
    let mut up = m.fields.clone();
    up.level = "top_secret".into();
    s.update_medium("bmb", id, up.clone()).await.unwrap();
    let mut down = up;
    down.level = "confidential".into();
    assert!(matches!(
        s.update_medium("bmb", id, down).await,
        Err(Error::Invalid(_))
    ));
    assert_eq!(
        s.medium(id).await.unwrap().unwrap().fields.level,
        "top_secret"
    );
    assert!(s.audit_verify().await.unwrap().problems.is_empty());
});

on_both!(people_register, |s: Store| async move {
    use baomi_store::PersonInput;
    let dept = s.create_department("bmb", "办公室", None).await.unwrap();
    let who = |name: &str, level: &str, signed: &str| PersonInput {
        name: name.into(),
        department_id: Some(dept),
        position: "检察官".into(),
        secrecy_level: level.into(),
        undertaking_signed: signed.into(),
        ..Default::default()
    };
    let id = s
        .create_person("bmb", who("张三", "important", "2026-03-01"))
        .await
        .unwrap();
    assert!(matches!(
        s.create_person("bmb", who("李四", "vip", "")).await,
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        s.create_person("bmb", who("李四", "core", "3/1/2026"))
            .await,
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        s.create_person("bmb", who(" ", "core", "")).await,
        Err(Error::Invalid(_))
    ));
    let mut orphan = who("王五", "general", "");
    orphan.department_id = Some(dept + 100);
    assert!(matches!(
        s.create_person("bmb", orphan).await,
        Err(Error::Invalid(_))
    ));
    s.create_person("bmb", who("赵六", "none", ""))
        .await
        .unwrap();
    let mut p = s.person(id).await.unwrap().unwrap().fields;
    p.secrecy_level = "core".into();
    s.update_person("bmb", id, p).await.unwrap();
    assert_eq!(
        s.person(id).await.unwrap().unwrap().fields.secrecy_level,
        "core"
    );
    assert_eq!(s.people(Some(dept)).await.unwrap().len(), 2);
    assert!(s.people(Some(dept + 1)).await.unwrap().is_empty());
    let v = s.audit_verify().await.unwrap();
    assert!(v.problems.is_empty());
    assert_eq!(v.entries, 4, "department, two people, one change");
});

on_both!(key_places_register, |s: Store| async move {
    use baomi_store::PlaceInput;
    let dept = s.create_department("bmb", "办公室", None).await.unwrap();
    let room = |name: &str, kind: &str, devices: &str| PlaceInput {
        name: name.into(),
        kind: kind.into(),
        department_id: Some(dept),
        level: "secret".into(),
        devices: devices.into(),
        ..Default::default()
    };
    let id = s
        .create_place(
            "bmb",
            room("第一保密室", "confidential_room", "alarm, monitoring,alarm"),
        )
        .await
        .unwrap();
    // Devices are kept once each, in one order.
    assert_eq!(
        s.place(id).await.unwrap().unwrap().fields.devices,
        "monitoring,alarm"
    );
    assert!(matches!(
        s.create_place("bmb", room("机房", "garage", "")).await,
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        s.create_place("bmb", room("机房", "computer_room", "laser"))
            .await,
        Err(Error::Invalid(_))
    ));
    let mut p = s.place(id).await.unwrap().unwrap().fields;
    p.devices = "monitoring,anti_theft,alarm,access_control".into();
    s.update_place("bmb", id, p).await.unwrap();
    assert_eq!(
        s.places(Some(dept)).await.unwrap()[0]
            .fields
            .devices
            .split(',')
            .count(),
        4
    );
    assert!(s.places(Some(dept + 1)).await.unwrap().is_empty());
    assert!(s.audit_verify().await.unwrap().problems.is_empty());
});

/// Reports of one simulated office: a classified, an internal and an Internet computer, and the USB
/// devices their logs saw (times with different UTC offsets, as the logs of different machines give).
fn office_reports() -> Vec<(String, String)> {
    let base: serde_json::Value = serde_json::from_str(REPORT).expect("fixture");
    let device = |serial: &str, first: &str, last: &str| {
        serde_json::json!({
            "vid": "0781", "pid": "5567", "serial": serial, "manufacturer": "SanDisk",
            "product": "Cruzer Blade", "first_seen": first, "last_seen": last, "connections": 2,
            "sources": ["/var/log/syslog"], "mount_points": [], "year_inferred": false,
        })
    };
    let report = |id: &str, machine: &str, zone: &str, devices: Vec<serde_json::Value>| {
        let mut r = base.clone();
        r["report_id"] = id.into();
        r["host"]["machine_id"] = machine.into();
        r["host"]["zone"] = zone.into();
        r["artifacts"]["usb_devices"] = devices.into();
        (id.to_owned(), r.to_string())
    };
    vec![
        report(
            "r-classified-1",
            "m-classified",
            "classified",
            vec![
                // Carried from the classified computer to the Internet one: egress.
                device(
                    "AA0000CROSS0001",
                    "2026-10-01T09:00:00+08:00",
                    "2026-10-02T10:00:00+08:00",
                ),
                // Not in the register.
                device(
                    "AA0000STRAY0002",
                    "2026-10-05T09:00:00+08:00",
                    "2026-10-05T09:30:00+08:00",
                ),
                // A weak serial: never correlated.
                device(
                    "0123456789ABCDEF",
                    "2026-10-05T09:00:00+08:00",
                    "2026-10-05T09:30:00+08:00",
                ),
            ],
        ),
        report(
            "r-internet-1",
            "m-internet",
            "internet",
            vec![
                device(
                    "AA0000CROSS0001",
                    "2026-10-02T03:00:00Z",
                    "2026-10-03T03:00:00Z",
                ),
                device(
                    "0123456789ABCDEF",
                    "2026-10-06T09:00:00+08:00",
                    "2026-10-06T09:30:00+08:00",
                ),
                // Registered lost on 2026-11-01, seen after.
                device(
                    "AA0000LOST00004",
                    "2026-11-10T08:00:00+08:00",
                    "2026-11-10T08:05:00+08:00",
                ),
            ],
        ),
        report(
            "r-internal-1",
            "m-internal",
            "internal",
            // A registered secret medium on an internal computer.
            vec![device(
                "AA0000SECRET003",
                "2026-10-07T09:00:00+08:00",
                "2026-10-07T09:10:00+08:00",
            )],
        ),
        // The classified computer again, later: the same history re-read, nothing new.
        report(
            "r-classified-2",
            "m-classified",
            "classified",
            vec![device(
                "AA0000CROSS0001",
                "2026-10-01T09:00:00+08:00",
                "2026-10-02T10:00:00+08:00",
            )],
        ),
    ]
}

/// The office's registers, then its reports in `order`; what the correlations are then, with report
/// rows (which depend on the order) left out.
async fn correlate_in_order(s: &Store, order: &[usize]) -> Vec<(String, String, String, String)> {
    let mut computers = Vec::new();
    for (asset, zone, level, machine) in [
        ("C-1", "classified", "secret", "m-classified"),
        ("N-1", "internal", "internal", "m-internal"),
        ("I-1", "internet", "none", "m-internet"),
    ] {
        let id = s
            .create_computer(
                "t",
                ComputerInput {
                    machine_id: machine.into(),
                    ..pc(asset, zone, level)
                },
            )
            .await
            .expect("computer");
        computers.push(id);
    }
    let medium = |number: &str, serial: &str, level: &str| baomi_store::MediumInput {
        number: number.into(),
        kind: "usb_disk".into(),
        vid: "0781".into(),
        pid: "5567".into(),
        serial: serial.into(),
        level: level.into(),
        ..Default::default()
    };
    s.create_medium("t", medium("U-1", "AA0000CROSS0001", "secret"))
        .await
        .expect("medium");
    s.create_medium("t", medium("U-3", "AA0000SECRET003", "secret"))
        .await
        .expect("medium");
    let lost = s
        .create_medium("t", medium("U-4", "AA0000LOST00004", "confidential"))
        .await
        .expect("medium");
    s.transition_medium(
        "t",
        lost,
        &baomi_store::Transition {
            to: "lost".into(),
            reason: "reported lost".into(),
            ..Default::default()
        },
    )
    .await
    .expect("lost");
    // The loss is dated 2026-11-01 whatever day the test runs.
    sqlx::query("UPDATE media_events SET at = 1761955200 WHERE to_state = 'lost'")
        .execute(baomi_store::testing::pool(s))
        .await
        .expect("date the loss");
    s.correlate_all().await.expect("recompute");
    let reports = office_reports();
    for &i in order {
        let (_, body) = &reports[i];
        let report: Report = serde_json::from_str(body).expect("report");
        s.import_report("t", &report, body).await.expect("import");
    }
    snapshot(s).await
}

async fn snapshot(s: &Store) -> Vec<(String, String, String, String)> {
    let mut rows: Vec<(String, String, String, String)> = s
        .correlations(None, None, 1000)
        .await
        .expect("correlations")
        .into_iter()
        .map(|c| {
            let mut d: serde_json::Value = serde_json::from_str(&c.detail).expect("json");
            for e in d["timeline"].as_array_mut().into_iter().flatten() {
                e.as_object_mut().expect("entry").remove("report_row");
            }
            (c.rule, c.subject, c.severity, d.to_string())
        })
        .collect();
    rows.sort();
    rows
}

async fn reports_in_any_order_correlate_the_same(stores: Vec<Store>) {
    let orders: [&[usize]; 3] = [&[0, 1, 2, 3], &[3, 2, 1, 0], &[1, 3, 0, 2]];
    let mut seen = Vec::new();
    for (s, order) in stores.iter().zip(orders) {
        seen.push(correlate_in_order(s, order).await);
    }
    let first = &seen[0];
    let rules: Vec<(&str, &str, &str)> = first
        .iter()
        .map(|(r, s, v, _)| (r.as_str(), s.as_str(), v.as_str()))
        .collect();
    // Every report carries the findings of a real scan of a classified computer (a file marked 机密,
    // browser history, saved Wi-Fi): on the internal and the Internet computer the marked file is
    // out of place; on the classified one the history and the Wi-Fi are.
    assert_eq!(
        rules,
        vec![
            (
                "classified_content_off_classified",
                "computer:2",
                "critical"
            ),
            (
                "classified_content_off_classified",
                "computer:3",
                "critical"
            ),
            (
                "classified_medium_off_classified",
                "usb:0781:5567:AA0000CROSS0001",
                "critical"
            ),
            (
                "classified_medium_off_classified",
                "usb:0781:5567:AA0000LOST00004",
                "critical",
            ),
            (
                "classified_medium_off_classified",
                "usb:0781:5567:AA0000SECRET003",
                "high"
            ),
            ("cross_use", "usb:0781:5567:AA0000CROSS0001", "critical"),
            ("internet_traces_on_classified", "computer:1", "critical"),
            (
                "medium_seen_after_destroyed_or_lost",
                "usb:0781:5567:AA0000LOST00004",
                "critical"
            ),
            (
                "unregistered_medium_on_classified",
                "usb:0781:5567:AA0000STRAY0002",
                "high"
            ),
            ("wireless_on_classified", "computer:1", "critical"),
        ]
    );
    let cross = &first[5].3;
    assert!(
        cross.contains("\"direction\":\"classified_to_internet\""),
        "{cross}"
    );
    for other in &seen[1..] {
        assert_eq!(other, first);
    }
    // A full recompute finds exactly what the incremental imports left.
    for s in &stores {
        s.correlate_all().await.expect("recompute");
        assert_eq!(&snapshot(s).await, first);
    }
    // A department head's and a computer's view hold only what involves them.
    let s = &stores[0];
    let internal = s
        .computer_id_by_asset("N-1")
        .await
        .expect("q")
        .expect("N-1");
    let mine = s.correlations(None, Some(internal), 100).await.expect("q");
    let mut subjects: Vec<&str> = mine.iter().map(|c| c.subject.as_str()).collect();
    subjects.sort_unstable();
    assert_eq!(subjects, ["computer:2", "usb:0781:5567:AA0000SECRET003"]);
    let content: serde_json::Value = serde_json::from_str(
        &mine
            .iter()
            .find(|c| c.subject == "computer:2")
            .expect("content")
            .detail,
    )
    .expect("json");
    assert_eq!(
        content["evidence"][0]["path"],
        "/home/zhang/Documents/关于案件线索的报告.docx → word/document.xml"
    );
    assert_eq!(content["report"]["report_id"], "r-internal-1");

    // The internal computer is handed over to Internet use without a new inspection: its old files
    // are now named for what they are, and the secret stick seen on it is now on an Internet
    // computer.
    let mut n1 = s.computer(internal).await.expect("q").expect("N-1").fields;
    n1.zone = "internet".into();
    n1.level = "none".into();
    s.update_computer("t", internal, n1).await.expect("move");
    let now: Vec<(String, String, String)> = s
        .correlations(None, Some(internal), 100)
        .await
        .expect("q")
        .into_iter()
        .map(|c| (c.rule, c.subject, c.severity))
        .collect();
    let repurposed = (
        "repurposed_computer_holds_old_content".to_owned(),
        "computer:2".to_owned(),
        // The only report predates the move: nobody has looked since.
        "high".to_owned(),
    );
    let stick = (
        "classified_medium_off_classified".to_owned(),
        "usb:0781:5567:AA0000SECRET003".to_owned(),
        "critical".to_owned(),
    );
    assert!(now.contains(&repurposed), "{now:?}");
    assert!(now.contains(&stick), "{now:?}");
    assert_eq!(now.len(), 2, "{now:?}");
    // And a full recompute agrees with what the change left.
    let before = snapshot(s).await;
    s.correlate_all().await.expect("recompute");
    assert_eq!(snapshot(s).await, before);
    // The files turn out to be public documents: marked false positive, they no longer count.
    for rule in ["content.marking", "content.work_secret"] {
        let rows = s
            .findings(&baomi_store::FindingFilter {
                computer_id: Some(internal),
                rule: Some(rule.into()),
                ..Default::default()
            })
            .await
            .expect("findings");
        assert_eq!(rows.len(), 1, "{rule}");
        s.mark_false_positive("t", rows[0].id, "公开发布的文件")
            .await
            .expect("mark");
    }
    let left: Vec<String> = s
        .correlations(None, Some(internal), 100)
        .await
        .expect("q")
        .into_iter()
        .map(|c| c.rule)
        .collect();
    assert_eq!(left, ["classified_medium_off_classified"]);
    assert!(s.audit_verify().await.expect("verify").problems.is_empty());
}

#[tokio::test]
async fn reports_in_any_order_correlate_the_same_sqlite() {
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().expect("tmp")).collect();
    let mut stores = Vec::new();
    for d in &dirs {
        stores.push(baomi_store::testing::fresh_sqlite(d.path()).await);
    }
    reports_in_any_order_correlate_the_same(stores).await;
}

#[tokio::test]
async fn reports_in_any_order_correlate_the_same_postgres() {
    let mut stores = Vec::new();
    for i in 0..3 {
        stores.push(baomi_store::testing::fresh_postgres(&format!("correlate_order_{i}")).await);
    }
    reports_in_any_order_correlate_the_same(stores).await;
}
