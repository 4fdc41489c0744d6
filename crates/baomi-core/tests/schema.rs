//! The published JSON Schema and the Rust report types describe the same contract.

use baomi_core::*;

fn schema() -> jsonschema::Validator {
    let text = include_str!("../../../schema/report-v1.schema.json");
    let value: serde_json::Value = serde_json::from_str(text).expect("schema is JSON");
    jsonschema::validator_for(&value).expect("schema compiles")
}

fn sample() -> Report {
    let inner = vec!["mail.eml".to_owned(), "word/header1.xml".to_owned()];
    Report {
        schema: REPORT_SCHEMA.into(),
        report_id: new_report_id("test"),
        tool: Tool {
            name: "baomi".into(),
            version: "0.1.0".into(),
        },
        started_at: "2026-11-25T10:00:00Z".into(),
        finished_at: "2026-11-25T10:00:01.5+08:00".into(),
        host: HostInfo {
            root: "/".into(),
            zone: Zone::Internet,
            ..Default::default()
        },
        policy: PolicyRef {
            name: "baomi-default".into(),
            sha256: policy::policy_sha256("x"),
        },
        checks: vec![CheckResult {
            id: "content".into(),
            status: CheckStatus::Partial,
            duration_ms: 12,
            examined: 3,
            message: "m".into(),
        }],
        findings: vec![Finding {
            id: finding_id("content.marking", "/a.eml", &inner, "机密★1年"),
            check: "content".into(),
            rule: "content.marking".into(),
            severity: Severity::Critical,
            level: Some(Level::Secret),
            confidence: 0.98,
            path: "/a.eml".into(),
            inner,
            title: "t".into(),
            evidence: Evidence {
                excerpt: "机密★1年".into(),
                matched: "机密★1年".into(),
                why: "star_form_in_margin".into(),
                part: Some("header".into()),
                page: Some(1),
                line: Some(1),
                offset: Some(0),
                occurrences: 2,
                ..Default::default()
            },
        }],
        unscanned: vec![Unscanned {
            path: "/b.pdf".into(),
            inner: vec![],
            reason: UnscannedReason::UnsupportedFormat,
            detail: "format not supported".into(),
        }],
        artifacts: Artifacts::default(),
        stats: Stats {
            files: 3,
            files_scanned: 2,
            bytes: 10,
            ..Default::default()
        },
    }
}

#[test]
fn a_full_report_validates_and_round_trips() {
    let report = sample();
    let value = serde_json::to_value(&report).expect("serialises");
    let errors: Vec<String> = schema()
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let back: Report = serde_json::from_value(value).expect("deserialises");
    assert_eq!(back, report);
}

#[test]
fn the_schema_rejects_what_the_contract_forbids() {
    let v = schema();
    let mut value = serde_json::to_value(sample()).expect("serialises");
    value["findings"][0]
        .as_object_mut()
        .expect("object")
        .remove("level");
    assert!(
        !v.is_valid(&value),
        "content finding without level must be rejected"
    );
    let mut value = serde_json::to_value(sample()).expect("serialises");
    value["unscanned"][0]["reason"] = "because".into();
    assert!(!v.is_valid(&value));
    let mut value = serde_json::to_value(sample()).expect("serialises");
    value["schema"] = "baomi.report/2".into();
    assert!(!v.is_valid(&value));
}
