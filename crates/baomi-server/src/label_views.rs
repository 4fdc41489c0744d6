//! Printable classification labels (密级标识) for computers and removable media: "stick the level above
//! the screen". Sheets for common label stock as PDF (exact positions, for printing onto the stock) or
//! as SVG pages in one printable page; each label carries the level, the kind of asset, its number,
//! custodian, department and a QR code of the number.

use crate::authz::{Action, department_scope};
use crate::views::{level_word, page, parse_id};
use crate::{AppState, Fail, PageFail, Viewer};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use baomi_print::labels::{Label, STOCKS, Stock, labels_pdf, labels_svg, stock};
use baomi_store::{ComputerFilter, MediaFilter};
use maud::{PreEscaped, html};

type PageResult = Result<Response, PageFail>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/labels", get(form))
        .route("/labels/{file}", get(sheet))
}

/// Labels in one request: a sheet run for a whole office, not a runaway.
const MAX_LABELS: usize = 5000;

#[derive(serde::Deserialize, Default)]
struct LabelQuery {
    department: Option<String>,
    stock: Option<String>,
    /// One asset (or medium) number, for a single label.
    asset: Option<String>,
}

async fn form(State(st): State<AppState>, v: Viewer) -> PageResult {
    v.must(Action::ViewComputers)?;
    let departments = st.store.departments().await?;
    let scope = department_scope(&v.user);
    let t = |k| v.lang.t(k);
    Ok(page(
        v.lang,
        Some(&v),
        t("labels"),
        html! {
            p { (t("labels_help")) }
            @for (kind, action) in [("computers", Action::ViewComputers), ("media", Action::ViewMedia)] {
                @if crate::authz::allowed(v.user.role, action) {
                    h2 { (t(kind)) }
                    form method="get" action={"/labels/" (kind) ".pdf"} {
                        label { (t("department")) " "
                            select name="department" {
                                @if scope.is_none() { option value="" { (t("all")) } }
                                @for d in departments.iter().filter(|d| scope.is_none_or(|s| s == d.id)) {
                                    option value=(d.id) { (d.name) }
                                }
                            }
                        }
                        label { (t("label_stock")) " "
                            select name="stock" {
                                @for s in STOCKS { option value=(s.id) { (s.name) } }
                            }
                        }
                        button type="submit" { "PDF" }
                        " "
                        button type="submit" formaction={"/labels/" (kind) ".html"} { "SVG" }
                    }
                }
            }
        },
    )
    .into_response())
}

/// Refuse a run larger than [`MAX_LABELS`] instead of printing its first part without a word.
fn too_many(n: usize) -> Result<(), Fail> {
    if n > MAX_LABELS {
        return Err(Fail::Bad(format!(
            "more than {MAX_LABELS} labels at once: choose a department"
        )));
    }
    Ok(())
}

fn chosen_stock(q: &LabelQuery) -> Result<&'static Stock, Fail> {
    match q.stock.as_deref().filter(|s| !s.is_empty()) {
        None => STOCKS
            .first()
            .ok_or_else(|| Fail::Internal("no label stock".into())),
        Some(id) => stock(id).ok_or_else(|| Fail::Bad(format!("unknown label stock {id:?}"))),
    }
}

/// True for the levels printed in red: state secrets.
fn red(level: &str) -> bool {
    matches!(level, "confidential" | "secret" | "top_secret")
}

async fn labels_of(
    st: &AppState,
    v: &Viewer,
    kind: &str,
    q: &LabelQuery,
) -> Result<Vec<Label>, Fail> {
    // A department head prints their own department's labels only.
    let department = match (
        department_scope(&v.user),
        parse_id(q.department.as_deref())?,
    ) {
        (Some(own), Some(asked)) if own != asked => return Err(Fail::Forbidden),
        (Some(own), _) => Some(own),
        (None, asked) => asked,
    };
    let asset = q.asset.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let departments = st.store.departments().await?;
    let dept_name = |id: Option<i64>| {
        id.and_then(|id| departments.iter().find(|d| d.id == id))
            .map_or_else(String::new, |d| d.name.clone())
    };
    let t = |k| v.lang.t(k);
    match kind {
        "computers" => {
            v.must(Action::ViewComputers)?;
            let computers = st
                .store
                .computers(&ComputerFilter {
                    department_id: department,
                    text: asset.map(str::to_owned),
                    limit: Some(MAX_LABELS as i64 + 1),
                    ..Default::default()
                })
                .await?;
            too_many(computers.len())?;
            Ok(computers
                .into_iter()
                .filter(|c| c.fields.status != "scrapped")
                .filter(|c| asset.is_none_or(|a| c.fields.asset_no == a))
                .map(|c| Label {
                    level_word: level_word(v.lang, &c.fields.level).to_owned(),
                    title: t(match c.fields.zone.as_str() {
                        "classified" => "label_classified_pc",
                        "internal" => "label_internal_pc",
                        _ => "label_internet_pc",
                    })
                    .to_owned(),
                    asset_no: c.fields.asset_no,
                    custodian: c.fields.custodian,
                    department: dept_name(c.fields.department_id),
                    red: red(&c.fields.level),
                })
                .collect())
        }
        "media" => {
            v.must(Action::ViewMedia)?;
            let media = st
                .store
                .media(&MediaFilter {
                    department_id: department,
                    text: asset.map(str::to_owned),
                    limit: Some(MAX_LABELS as i64 + 1),
                    ..Default::default()
                })
                .await?;
            too_many(media.len())?;
            Ok(media
                .into_iter()
                .filter(|m| {
                    !matches!(
                        m.state,
                        baomi_store::MediumState::Destroyed | baomi_store::MediumState::Lost
                    )
                })
                .filter(|m| asset.is_none_or(|a| m.fields.number == a))
                .map(|m| Label {
                    level_word: level_word(v.lang, &m.fields.level).to_owned(),
                    title: crate::media_views::kind_word(v.lang, &m.fields.kind).to_owned(),
                    asset_no: m.fields.number,
                    custodian: m.fields.custodian,
                    department: dept_name(m.fields.department_id),
                    red: red(&m.fields.level),
                })
                .collect())
        }
        _ => Err(Fail::NotFound),
    }
}

async fn sheet(
    State(st): State<AppState>,
    v: Viewer,
    Path(file): Path<String>,
    Query(q): Query<LabelQuery>,
) -> PageResult {
    let Some((kind, format)) = file
        .rsplit_once('.')
        .map(|(k, f)| (k.to_owned(), f.to_owned()))
    else {
        return Err(Fail::NotFound.into());
    };
    let kind: &'static str = match kind.as_str() {
        "computers" => "computers",
        "media" => "media",
        _ => return Err(Fail::NotFound.into()),
    };
    let stock = chosen_stock(&q)?;
    let labels = labels_of(&st, &v, kind, &q).await?;
    let name = format!("{}-{}", v.lang.t("labels"), v.lang.t(kind));
    match format.as_str() {
        "pdf" => crate::scorecard_views::document_download(
            &format!("{name}.pdf"),
            "application/pdf",
            labels_pdf(stock, &labels),
        ),
        "html" => {
            // The sheets as SVG, one printed page each, with nothing around them when printed.
            let pages = labels_svg(stock, &labels);
            let body = html! {
                (maud::DOCTYPE)
                html lang=(v.lang.code()) {
                    head {
                        meta charset="utf-8";
                        title { (name) }
                        style { (PreEscaped(format!(
                            "@page{{size:{}mm {}mm;margin:0}}body{{margin:0}}.sheet{{page-break-after:always;line-height:0}}",
                            stock.page_w_mm, stock.page_h_mm
                        ))) }
                    }
                    body {
                        @if pages.is_empty() { p { (v.lang.t("no_rows")) } }
                        // Made by baomi-print with every text escaped.
                        @for p in &pages { div.sheet { (PreEscaped(p)) } }
                    }
                }
            };
            Ok(Html(body.into_string()).into_response())
        }
        _ => Err(Fail::NotFound.into()),
    }
}
