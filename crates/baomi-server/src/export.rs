//! The registers as CSV, for Excel and WPS: UTF-8 with a byte-order mark (without it, Excel on a
//! Chinese Windows reads the file as GBK and garbles every name), CRLF line ends, fields quoted when
//! needed, and a cell that would start a formula (`=`, `+`, `-`, `@`, tab, CR) prefixed with `'` so
//! that opening an export never runs what someone typed into a register.

use crate::authz::{Action, department_scope};
use crate::{AppState, PageFail, Viewer};
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use baomi_store::ComputerFilter;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/computers.csv", get(computers))
        .route("/media.csv", get(media))
        .route("/people.csv", get(people))
        .route("/places.csv", get(places))
}

/// One CSV cell: neutralized if it would start a formula, quoted if it holds a separator, a quote or
/// a line break.
pub fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A whole CSV document: BOM, header, rows.
pub fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    out.push_str(&line(header.iter().map(|h| (*h).to_owned()).collect()));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&line(r));
        out.push_str("\r\n");
    }
    out
}

fn download(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

fn id(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

async fn computers(State(st): State<AppState>, v: Viewer) -> Result<Response, PageFail> {
    v.must(Action::ViewComputers)?;
    let list = st
        .store
        .computers(&ComputerFilter {
            department_id: department_scope(&v.user),
            limit: Some(1_000_000),
            ..Default::default()
        })
        .await?;
    let header = [
        "asset_no",
        "name",
        "model",
        "department_id",
        "department",
        "custodian",
        "location",
        "zone",
        "level",
        "status",
        "macs",
        "machine_id",
        "notes",
    ];
    let rows = list.into_iter().map(|c| {
        let f = c.fields;
        vec![
            f.asset_no,
            f.name,
            f.model,
            id(f.department_id),
            c.department_name.unwrap_or_default(),
            f.custodian,
            f.location,
            f.zone,
            f.level,
            f.status,
            f.macs,
            f.machine_id,
            f.notes,
        ]
    });
    Ok(download("computers.csv", csv(&header, rows)))
}

async fn media(State(st): State<AppState>, v: Viewer) -> Result<Response, PageFail> {
    v.must(Action::ViewMedia)?;
    let list = st.store.media(department_scope(&v.user)).await?;
    let header = [
        "number",
        "kind",
        "brand_model",
        "vid",
        "pid",
        "serial",
        "level",
        "department_id",
        "custodian",
        "state",
        "notes",
    ];
    let rows = list.into_iter().map(|m| {
        let f = m.fields;
        vec![
            f.number,
            f.kind,
            f.brand_model,
            f.vid,
            f.pid,
            f.serial,
            f.level,
            id(f.department_id),
            f.custodian,
            m.state.as_str().to_owned(),
            f.notes,
        ]
    });
    Ok(download("media.csv", csv(&header, rows)))
}

async fn people(State(st): State<AppState>, v: Viewer) -> Result<Response, PageFail> {
    v.must(Action::ViewPeople)?;
    let list = st.store.people(department_scope(&v.user)).await?;
    let header = [
        "name",
        "department_id",
        "position",
        "secrecy_level",
        "undertaking_signed",
        "notes",
    ];
    let rows = list.into_iter().map(|p| {
        let f = p.fields;
        vec![
            f.name,
            id(f.department_id),
            f.position,
            f.secrecy_level,
            f.undertaking_signed,
            f.notes,
        ]
    });
    Ok(download("people.csv", csv(&header, rows)))
}

async fn places(State(st): State<AppState>, v: Viewer) -> Result<Response, PageFail> {
    v.must(Action::ViewPlaces)?;
    let list = st.store.places(department_scope(&v.user)).await?;
    let header = [
        "name",
        "kind",
        "department_id",
        "location",
        "level",
        "custodian",
        "devices",
        "notes",
    ];
    let rows = list.into_iter().map(|p| {
        let f = p.fields;
        vec![
            f.name,
            f.kind,
            id(f.department_id),
            f.location,
            f.level,
            f.custodian,
            f.devices,
            f.notes,
        ]
    });
    Ok(download("places.csv", csv(&header, rows)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralized() {
        assert_eq!(cell("张三"), "张三");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        let doc = csv(
            &["a", "b"],
            vec![vec!["1".into(), "机密".into()]].into_iter(),
        );
        assert_eq!(doc, "\u{feff}a,b\r\n1,机密\r\n");
    }
}
