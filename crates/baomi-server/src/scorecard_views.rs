//! Department scorecards and the notification document (通报): the ranking of a period with each
//! department's counts, the veto, a bar chart and the trend over the last periods; the notice as a
//! page, and as .docx and PDF for circulation; the weights, set by the office.

use crate::authz::Action;
use crate::charts::{Bar, bars, lines};
use crate::i18n::Lang;
use crate::views::page;
use crate::{AppState, Fail, PageFail, Viewer};
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use baomi_store::scorecard::{Period, ScorePolicy, Scorecard};
use maud::{Markup, html};
use serde::Deserialize;

type PageResult = Result<Response, PageFail>;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/scorecards", get(scorecards))
        .route("/scorecards/notice", get(notice_page))
        .route("/scorecards/notice.docx", get(notice_docx))
        .route("/scorecards/notice.pdf", get(notice_pdf))
        .route("/scorecards/policy", get(policy_form).post(set_policy))
}

/// Periods shown in the trend.
const TREND_PERIODS: usize = 6;
/// Departments drawn in the trend (the chart stays legible).
const TREND_DEPARTMENTS: usize = 8;

#[derive(Deserialize, Default)]
struct PeriodQuery {
    period: Option<String>,
}

fn period_of(q: &PeriodQuery) -> Result<Period, Fail> {
    match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Ok(Period::parse(p)?),
        None => Ok(Period::quarter_of(baomi_store::now())?),
    }
}

/// A rule's name for people: the check catalogue's title for a finding's rule, the correlation's
/// name for a correlation's.
pub(crate) fn rule_title(lang: Lang, rule: &str) -> String {
    for check in baomi_host::catalogue() {
        if let Some(r) = check.rules.iter().find(|r| r.id == rule) {
            return match lang {
                Lang::Zh => r.title.zh,
                Lang::En => r.title.en,
            }
            .to_owned();
        }
    }
    match crate::correlation_views::rule_word(lang, rule) {
        "" => rule.to_owned(),
        w if w == lang.t("other") => rule.to_owned(),
        w => w.to_owned(),
    }
}

async fn scorecards(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    v.must(Action::ViewScorecards)?;
    let period = period_of(&q)?;
    let card = st.store.scorecard(&period).await?;
    // The trend: the same departments over the last periods, oldest first.
    let mut periods = vec![period.clone()];
    while periods.len() < TREND_PERIODS {
        let before = periods[periods.len() - 1].previous()?;
        periods.push(before);
    }
    periods.reverse();
    let mut past = Vec::new();
    for p in &periods {
        past.push(st.store.scorecard(p).await?);
    }
    let t = |k| v.lang.t(k);
    let shown: Vec<&baomi_store::scorecard::DeptScore> =
        card.departments.iter().take(TREND_DEPARTMENTS).collect();
    let series: Vec<(String, Vec<Option<f64>>)> = shown
        .iter()
        .map(|d| {
            let values = past
                .iter()
                .map(|c| {
                    c.departments
                        .iter()
                        .find(|x| x.department_id == d.department_id)
                        .map(|x| x.score)
                })
                .collect();
            (d.name.clone(), values)
        })
        .collect();
    let labels: Vec<String> = periods.iter().map(|p| p.label.clone()).collect();
    let score_bars: Vec<Bar> = card
        .departments
        .iter()
        .map(|d| Bar {
            label: d.name.clone(),
            value: d.score,
            alarm: d.vetoed,
        })
        .collect();
    let enc = |p: &str| -> String { form_urlencoded::byte_serialize(p.as_bytes()).collect() };
    Ok(page(
        v.lang,
        Some(&v),
        &format!("{} {}", t("scorecards"), period.label),
        html! {
            form method="get" action="/scorecards" {
                label { (t("period")) " " input name="period" value=(period.label) placeholder="2026-Q4 / 2026-11 / 2026"; }
                button type="submit" { (t("search")) }
            }
            p {
                a href={"/scorecards/notice?period=" (enc(&period.label))} { (t("notice")) }
                " · " a href={"/scorecards/notice.docx?period=" (enc(&period.label))} { (t("notice")) " (.docx)" }
                " · " a href={"/scorecards/notice.pdf?period=" (enc(&period.label))} { (t("notice")) " (PDF)" }
                @if crate::authz::allowed(v.user.role, Action::SetPolicy) {
                    " · " a href="/scorecards/policy" { (t("score_policy")) }
                }
            }
            (ranking(v.lang, &card))
            (bars(t("score"), &score_bars, Some(100.0)))
            (lines(t("trend"), &labels, &series, Some(100.0)))
        },
    )
    .into_response())
}

fn ranking(lang: Lang, card: &Scorecard) -> Markup {
    let t = |k| lang.t(k);
    html! {
        @if card.departments.is_empty() { p { (t("no_rows")) } } @else {
            table #ranking {
                tr {
                    th { (t("rank")) } th { (t("department")) } th { (t("computers_in_use")) } th { (t("inspected")) }
                    th { (t("critical")) } th { (t("high")) } th { (t("medium")) } th { (t("low")) }
                    th { (t("correlations")) } th { (t("overdue")) } th { (t("score")) } th { (t("veto")) }
                }
                @for d in &card.departments {
                    tr class=[d.vetoed.then_some("overdue")] {
                        td { (d.rank) }
                        td { (d.name) }
                        td { (d.counts.computers) }
                        td { (d.counts.inspected) }
                        @for n in d.counts.problems { td { (n) } }
                        td { (d.counts.correlations[0] + d.counts.correlations[1]) }
                        td { (d.counts.overdue) }
                        td { b { (format!("{:.1}", d.score)) } }
                        td { @if d.vetoed { b { (t("vetoed")) } } }
                    }
                }
            }
        }
    }
}

/// A part of the notification document, as every output (page, .docx, PDF) lays it out.
pub(crate) use baomi_print::Block;

/// The notice of `card`: what was inspected and found, the ranking, the departments with problems
/// and what they are, and what is asked of them.
pub(crate) fn notice(lang: Lang, period: &Period, card: &Scorecard, issued: &str) -> Vec<Block> {
    let zh = lang == Lang::Zh;
    let ds = &card.departments;
    let sum =
        |f: &dyn Fn(&baomi_store::scorecard::DeptScore) -> u32| -> u32 { ds.iter().map(f).sum() };
    let computers = sum(&|d| d.counts.computers);
    let inspected = sum(&|d| d.counts.inspected);
    let problems = sum(&|d| d.counts.problems.iter().sum());
    let critical = sum(&|d| d.counts.problems[0]);
    let correlated = sum(&|d| d.counts.correlations[0] + d.counts.correlations[1]);
    let overdue = sum(&|d| d.counts.overdue);
    let coverage = if computers == 0 {
        0.0
    } else {
        f64::from(inspected) * 100.0 / f64::from(computers)
    };
    let mut out = vec![Block::Title(if zh {
        format!("关于{}保密检查情况的通报", period.zh())
    } else {
        format!("Confidentiality inspections, {}: notice", period.label)
    })];
    out.push(Block::Paragraph(if zh {
        format!(
            "{}，保密办对{}个部门的{computers}台在用计算机开展保密检查，已检查{inspected}台（覆盖率{coverage:.1}%），发现问题{problems}项，其中严重问题{critical}项；跨机关联发现问题{correlated}项；逾期未整改{overdue}项。现将有关情况通报如下。",
            period.zh(),
            ds.len()
        )
    } else {
        format!(
            "In {}, the confidentiality office inspected {inspected} of the {computers} computers in use in {} departments (coverage {coverage:.1}%) and found {problems} problems, {critical} of them critical; {correlated} problems across computers; {overdue} rectification tasks are overdue.",
            period.label,
            ds.len()
        )
    }));
    out.push(Block::Heading(
        if zh {
            "一、考核排名"
        } else {
            "1. Ranking"
        }
        .to_owned(),
    ));
    let top_rules = |d: &baomi_store::scorecard::DeptScore| -> String {
        d.top_rules
            .iter()
            .take(3)
            .map(|(r, n)| {
                if zh {
                    format!("{}（{n}）", rule_title(lang, r))
                } else {
                    format!("{} ({n})", rule_title(lang, r))
                }
            })
            .collect::<Vec<_>>()
            .join(if zh { "；" } else { "; " })
    };
    out.push(Block::Table {
        header: if zh {
            ["名次", "部门", "得分", "一票否决", "主要问题"]
        } else {
            ["Rank", "Department", "Score", "Vetoed", "Main problems"]
        }
        .map(String::from)
        .to_vec(),
        rows: ds
            .iter()
            .map(|d| {
                vec![
                    d.rank.to_string(),
                    d.name.clone(),
                    format!("{:.1}", d.score),
                    if d.vetoed {
                        if zh { "是" } else { "yes" }
                    } else {
                        ""
                    }
                    .to_owned(),
                    top_rules(d),
                ]
            })
            .collect(),
    });
    out.push(Block::Bars {
        title: if zh { "各部门得分" } else { "Scores" }.to_owned(),
        items: ds
            .iter()
            .map(|d| (d.name.clone(), d.score, d.vetoed))
            .collect(),
        max: 100.0,
    });
    out.push(Block::Heading(
        if zh {
            "二、存在问题的部门"
        } else {
            "2. Departments with problems"
        }
        .to_owned(),
    ));
    let with_problems: Vec<&baomi_store::scorecard::DeptScore> = ds
        .iter()
        .filter(|d| !d.top_rules.is_empty() || d.counts.overdue > 0 || d.vetoed)
        .collect();
    if with_problems.is_empty() {
        out.push(Block::Paragraph(
            if zh {
                "本期未发现问题。"
            } else {
                "No problems were found this period."
            }
            .to_owned(),
        ));
    }
    for d in with_problems {
        let rules: Vec<String> = d
            .top_rules
            .iter()
            .map(|(r, n)| {
                if zh {
                    format!("{}（{n}项）", rule_title(lang, r))
                } else {
                    format!("{} ({n})", rule_title(lang, r))
                }
            })
            .collect();
        let mut text = if zh {
            format!("{}：{}", d.name, rules.join("、"))
        } else {
            format!("{}: {}", d.name, rules.join(", "))
        };
        if d.counts.overdue > 0 {
            text.push_str(&if zh {
                format!("；逾期未整改{}项", d.counts.overdue)
            } else {
                format!("; {} overdue rectification tasks", d.counts.overdue)
            });
        }
        if d.vetoed {
            text.push_str(if zh {
                "。存在严重违规，本期考核一票否决。"
            } else {
                ". A critical violation vetoes the department this period."
            });
        } else {
            text.push_str(if zh { "。" } else { "." });
        }
        out.push(Block::Paragraph(text));
    }
    out.push(Block::Heading(
        if zh {
            "三、整改要求"
        } else {
            "3. What is asked"
        }
        .to_owned(),
    ));
    out.push(Block::Paragraph(if zh {
        "请各部门对照本通报认真整改，在规定期限内将整改情况报保密办；逾期未整改的，在下期考核中扣分。".to_owned()
    } else {
        "Each department fixes the problems named here and reports to the confidentiality office by the deadline of each task; overdue tasks lose points in the next period.".to_owned()
    }));
    out.push(issuer(lang));
    out.push(Block::Right(issued.to_owned()));
    out
}

fn chart(title: &str, items: &[(String, f64, bool)], max: f64) -> Markup {
    let items: Vec<Bar> = items
        .iter()
        .map(|(label, value, alarm)| Bar {
            label: label.clone(),
            value: *value,
            alarm: *alarm,
        })
        .collect();
    bars(title, &items, Some(max))
}

pub(crate) fn notice_html(blocks: &[Block]) -> Markup {
    html! {
        article.notice {
            @for b in blocks {
                @match b {
                    Block::Title(s) => h2 style="text-align:center" { (s) },
                    Block::Heading(s) => h3 { (s) },
                    Block::Paragraph(s) => p style="text-indent:2em" { (s) },
                    Block::Right(s) => p style="text-align:right" { (s) },
                    Block::Table { header, rows } => table {
                        tr { @for h in header { th { (h) } } }
                        @for r in rows { tr { @for c in r { td { (c) } } } }
                    },
                    Block::Bars { title, items, max } => (chart(title, items, *max)),
                }
            }
        }
    }
}

/// Today in China, as a notice is dated.
fn issued_on(lang: Lang) -> String {
    let today = baomi_store::rectify::today();
    match (lang, today.split('-').collect::<Vec<_>>().as_slice()) {
        (Lang::Zh, [y, m, d]) => format!(
            "{y}年{}月{}日",
            m.trim_start_matches('0'),
            d.trim_start_matches('0')
        ),
        _ => today,
    }
}

async fn notice_blocks(
    st: &AppState,
    lang: Lang,
    q: &PeriodQuery,
) -> Result<(Period, Vec<Block>), Fail> {
    let period = period_of(q)?;
    let card = st.store.scorecard(&period).await?;
    let blocks = notice(lang, &period, &card, &issued_on(lang));
    Ok((period, blocks))
}

async fn notice_page(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    v.must(Action::ViewScorecards)?;
    let (period, blocks) = notice_blocks(&st, v.lang, &q).await?;
    Ok(page(
        v.lang,
        Some(&v),
        &format!("{} {}", v.lang.t("notice"), period.label),
        notice_html(&blocks),
    )
    .into_response())
}

async fn notice_docx(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    notice_file(&st, &v, &q, "docx").await
}

async fn notice_pdf(
    State(st): State<AppState>,
    v: Viewer,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    notice_file(&st, &v, &q, "pdf").await
}

async fn notice_file(st: &AppState, v: &Viewer, q: &PeriodQuery, ext: &str) -> PageResult {
    v.must(Action::ViewScorecards)?;
    let (period, blocks) = notice_blocks(st, v.lang, q).await?;
    document_file(
        &format!("{}-{}", v.lang.t("notice"), period.label),
        ext,
        &blocks,
    )
}

/// `blocks` as a document to save: `.docx` or `.pdf`, named `stem`.
pub(crate) fn document_file(stem: &str, ext: &str, blocks: &[Block]) -> PageResult {
    match ext {
        "docx" => document_download(&format!("{stem}.docx"), DOCX, as_docx(blocks)?),
        _ => document_download(
            &format!("{stem}.pdf"),
            "application/pdf",
            baomi_print::blocks_pdf(blocks),
        ),
    }
}

/// The issuing office, as the last lines of a notice or report are signed.
pub(crate) fn issuer(lang: Lang) -> Block {
    Block::Right(lang.t("issuer").to_owned())
}

pub(crate) const DOCX: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

pub(crate) fn as_docx(blocks: &[Block]) -> Result<Vec<u8>, Fail> {
    baomi_print::docx(blocks).map_err(|e| Fail::Internal(format!("writing the .docx: {e}")))
}

/// A document to save, named `name` (Chinese names as RFC 5987 `filename*`, with an ASCII fallback);
/// never sniffed into something a browser would render.
pub(crate) fn document_download(name: &str, media_type: &str, body: Vec<u8>) -> PageResult {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, media_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (
                axum::http::header::X_CONTENT_TYPE_OPTIONS,
                "nosniff".to_owned(),
            ),
        ],
        body,
    )
        .into_response())
}

async fn policy_form(State(st): State<AppState>, v: Viewer) -> PageResult {
    v.must(Action::SetPolicy)?;
    let p = st.store.score_policy().await?;
    Ok(policy_page(&v, &p, None))
}

fn policy_page(v: &Viewer, p: &ScorePolicy, message: Option<&str>) -> Response {
    let t = |k| v.lang.t(k);
    let field = |name: &'static str, value: f64| {
        html! { label { (t(name)) " " input name=(name) type="number" step="0.5" min="0" max="100" value=(value); } }
    };
    let mut r = page(
        v.lang,
        Some(v),
        t("score_policy"),
        html! {
            @if let Some(m) = message { p.msg.err { (m) } }
            p { (t("score_policy_help")) }
            form method="post" action="/scorecards/policy" {
                input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
                (field("critical", p.critical))
                (field("high", p.high))
                (field("medium", p.medium))
                (field("low", p.low))
                (field("correlation_critical", p.correlation_critical))
                (field("correlation_high", p.correlation_high))
                (field("overdue_task", p.overdue_task))
                (field("not_inspected_pc", p.not_inspected))
                label { input type="checkbox" name="veto_on_critical" value="1" checked[p.veto_on_critical]; " " (t("veto_on_critical")) }
                button type="submit" { (t("save")) }
            }
        },
    )
    .into_response();
    if message.is_some() {
        *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    r
}

#[derive(Deserialize)]
struct PolicyForm {
    csrf: Option<String>,
    critical: f64,
    high: f64,
    medium: f64,
    low: f64,
    correlation_critical: f64,
    correlation_high: f64,
    overdue_task: f64,
    not_inspected_pc: f64,
    veto_on_critical: Option<String>,
}

async fn set_policy(
    State(st): State<AppState>,
    v: Viewer,
    Form(f): Form<PolicyForm>,
) -> PageResult {
    v.must(Action::SetPolicy)?;
    v.check_csrf(f.csrf.as_deref())?;
    let p = ScorePolicy {
        critical: f.critical,
        high: f.high,
        medium: f.medium,
        low: f.low,
        correlation_critical: f.correlation_critical,
        correlation_high: f.correlation_high,
        overdue_task: f.overdue_task,
        not_inspected: f.not_inspected_pc,
        veto_on_critical: f.veto_on_critical.is_some(),
    };
    match st.store.set_score_policy(&v.actor, &p).await {
        Ok(()) => Ok(Redirect::to("/scorecards").into_response()),
        Err(baomi_store::Error::Invalid(m)) => Ok(policy_page(&v, &p, Some(&m))),
        Err(e) => Err(e.into()),
    }
}

/// The dashboard's charts: findings per month, this quarter's problems by department and by rule,
/// and rectification tasks by state (a department head: their own department).
pub(crate) async fn dashboard_charts(
    st: &AppState,
    v: &Viewer,
    scope: Option<i64>,
) -> Result<Markup, Fail> {
    let t = |k| v.lang.t(k);
    let months = st.store.findings_by_month(scope, 12).await?;
    let labels: Vec<String> = months.iter().map(|(m, _)| m[2..].to_owned()).collect();
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let series = vec![(
        t("findings").to_owned(),
        months.iter().map(|(_, n)| Some(*n as f64)).collect(),
    )];
    let quarter = Period::quarter_of(baomi_store::now())?;
    let mut card = st.store.scorecard(&quarter).await?;
    if let Some(own) = scope {
        card.departments.retain(|d| d.department_id == own);
    }
    let by_department: Vec<Bar> = card
        .departments
        .iter()
        .map(|d| Bar {
            label: d.name.clone(),
            value: f64::from(d.counts.problems.iter().sum::<u32>()),
            alarm: d.vetoed,
        })
        .collect();
    let mut rules: std::collections::BTreeMap<&str, u32> = std::collections::BTreeMap::new();
    for d in &card.departments {
        for (r, n) in &d.top_rules {
            *rules.entry(r.as_str()).or_default() += n;
        }
    }
    let mut rules: Vec<(&str, u32)> = rules.into_iter().collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let by_rule: Vec<Bar> = rules
        .iter()
        .take(10)
        .map(|(r, n)| Bar {
            label: rule_title(v.lang, r),
            value: f64::from(*n),
            alarm: false,
        })
        .collect();
    let (tasks, _) = st.store.rectification_counts(scope).await?;
    #[allow(clippy::cast_precision_loss)]
    let by_state: Vec<Bar> = baomi_store::RectState::ALL
        .iter()
        .map(|s| Bar {
            label: crate::rectify_views::state_word(v.lang, s.as_str()).to_owned(),
            value: tasks
                .iter()
                .find(|(x, _)| x == s.as_str())
                .map_or(0.0, |(_, n)| *n as f64),
            alarm: s.is_pending(),
        })
        .collect();
    Ok(html! {
        div.charts {
            (lines(t("chart_findings_by_month"), &labels, &series, None))
            (bars(&format!("{} · {}", t("chart_by_department"), quarter.label), &by_department, None))
            (bars(&format!("{} · {}", t("chart_by_rule"), quarter.label), &by_rule, None))
            (bars(t("chart_rectification"), &by_state, None))
        }
    })
}
