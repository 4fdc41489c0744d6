//! Charts drawn on the server as SVG: pages need no script and no charting library, and the same
//! markup goes into exported documents. Two shapes cover what the office reads: horizontal bars (by
//! department, by rule) and lines over periods (trends). Labels are text nodes, so `maud` escapes them.

use maud::{Markup, html};

/// Colours: the office's red for what is wrong, a quiet blue otherwise, grey for the grid.
const RED: &str = "#b22222";
const BLUE: &str = "#3b6ea5";
const GRID: &str = "#ccc";
/// Line colours for up to eight series.
const SERIES: [&str; 8] = [
    "#3b6ea5", "#b22222", "#2e8b57", "#d2691e", "#6a5acd", "#008b8b", "#8b4513", "#708090",
];

/// One bar: its label, its value, and whether it is drawn in red.
pub(crate) struct Bar {
    pub label: String,
    pub value: f64,
    pub alarm: bool,
}

/// Horizontal bars, largest scale = the largest value (or `max` when given, e.g. 100 points).
pub(crate) fn bars(title: &str, items: &[Bar], max: Option<f64>) -> Markup {
    let row = 22.0;
    let label_w = 190.0;
    let bar_w = 380.0;
    let height = 30.0 + row * items.len() as f64;
    let top = max
        .unwrap_or_else(|| items.iter().map(|b| b.value).fold(0.0, f64::max))
        .max(1e-9);
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width=(label_w + bar_w + 70.0) height=(height)
            viewBox={"0 0 " (label_w + bar_w + 70.0) " " (height)} {
            title { (title) }
            text x="0" y="16" font-size="14" font-weight="bold" { (title) }
            @for (i, b) in items.iter().enumerate() {
                @let y = 26.0 + row * i as f64;
                @let w = (b.value.max(0.0) / top * bar_w).min(bar_w);
                text x=(label_w - 6.0) y=(y + 14.0) font-size="12" text-anchor="end" { (clip(&b.label, 16)) }
                rect x=(label_w) y=(y + 3.0) width=(format!("{w:.1}")) height=(row - 6.0)
                    fill=(if b.alarm { RED } else { BLUE }) {}
                text x=(label_w + w + 4.0) y=(y + 14.0) font-size="12" { (number(b.value)) }
            }
            line x1=(label_w) y1="24" x2=(label_w) y2=(height) stroke=(GRID) {}
        }
    }
}

/// Lines over `x_labels` (oldest first), scaled to `max` (or the largest value); a missing point
/// breaks its line.
pub(crate) fn lines(
    title: &str,
    x_labels: &[String],
    series: &[(String, Vec<Option<f64>>)],
    max: Option<f64>,
) -> Markup {
    let (w, h) = (640.0, 260.0);
    let (left, right, top, bottom) = (40.0, 160.0, 28.0, 30.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let max = max
        .unwrap_or_else(|| {
            series
                .iter()
                .flat_map(|(_, v)| v.iter().flatten())
                .fold(0.0, |a: f64, b| a.max(*b))
        })
        .max(1e-9);
    let n = x_labels.len().max(1);
    let x = move |i: usize| {
        if n == 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = move |v: f64| top + plot_h * (1.0 - v / max);
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width=(w) height=(h) viewBox={"0 0 " (w) " " (h)} {
            title { (title) }
            text x="0" y="16" font-size="14" font-weight="bold" { (title) }
            @for k in 0..=4 {
                @let v = max * f64::from(k) / 4.0;
                line x1=(left) y1=(format!("{:.1}", y(v))) x2=(left + plot_w) y2=(format!("{:.1}", y(v))) stroke=(GRID) {}
                text x=(left - 4.0) y=(format!("{:.1}", y(v) + 4.0)) font-size="10" text-anchor="end" { (number(v)) }
            }
            @for (i, label) in x_labels.iter().enumerate() {
                text x=(format!("{:.1}", x(i))) y=(h - 10.0) font-size="11" text-anchor="middle" { (label) }
            }
            @for (s, (name, values)) in series.iter().enumerate() {
                @let colour = SERIES[s % SERIES.len()];
                @for segment in segments(values) {
                    polyline fill="none" stroke=(colour) stroke-width="2"
                        points=(segment.iter().map(|&(i, v)| format!("{:.1},{:.1}", x(i), y(v))).collect::<Vec<_>>().join(" ")) {}
                }
                @for (i, v) in values.iter().enumerate() {
                    @if let Some(v) = v {
                        circle cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(*v))) r="3" fill=(colour) {}
                    }
                }
                rect x=(w - right + 12.0) y=(top + 16.0 * s as f64) width="10" height="10" fill=(colour) {}
                text x=(w - right + 26.0) y=(top + 16.0 * s as f64 + 9.0) font-size="11" { (clip(name, 10)) }
            }
        }
    }
}

/// Runs of consecutive present points.
fn segments(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut run = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => run.push((i, *v)),
            None if !run.is_empty() => out.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

fn clip(s: &str, chars: usize) -> String {
    if s.chars().count() <= chars {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(chars.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_escaped_labels() {
        let b = bars(
            "得分",
            &[
                Bar {
                    label: "<script>".into(),
                    value: 80.0,
                    alarm: false,
                },
                Bar {
                    label: "第二检察部".into(),
                    value: 40.5,
                    alarm: true,
                },
            ],
            Some(100.0),
        )
        .into_string();
        assert!(b.starts_with("<svg"));
        assert!(b.contains("&lt;script&gt;") && !b.contains("<script>"));
        assert!(
            b.contains("width=\"304.0\"") || b.contains("width=\"304\""),
            "{b}"
        );
        assert!(b.contains(RED));
        let l = lines(
            "趋势",
            &["Q1".into(), "Q2".into(), "Q3".into()],
            &[("甲".into(), vec![Some(90.0), None, Some(70.0)])],
            Some(100.0),
        )
        .into_string();
        // A gap breaks the line: two one-point segments, no polyline across the gap.
        assert_eq!(l.matches("<polyline").count(), 2);
        assert_eq!(l.matches("<circle").count(), 2);
        assert!(
            lines("空", &[], &[], None)
                .into_string()
                .starts_with("<svg")
        );
    }
}
