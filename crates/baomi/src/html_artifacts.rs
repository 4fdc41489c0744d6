//! The raw observations of the host checks, as tables in the HTML report: the inspector signs a paper
//! that lists which USB sticks were seen and which Internet sites were visited, not only the verdicts.

use crate::html::{escape, readable_time};
use crate::i18n::Lang;
use baomi_core::Artifacts;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Visits, first and last visit of one site in one profile.
type SiteVisits = (u64, Option<String>, Option<String>);

/// Rows of one artifact table at most (the JSON report has them all).
const MAX_ROWS: usize = 200;

fn time(t: &Option<String>) -> String {
    t.as_deref()
        .map(readable_time)
        .unwrap_or_else(|| "-".into())
}

fn opt(s: &Option<String>) -> String {
    escape(s.as_deref().unwrap_or("-"))
}

fn table_head(h: &mut String, title: &str, count: usize, headers: &[String]) {
    let _ = write!(h, "<h2>{} ({count})</h2>\n<table><tr>", escape(title));
    for head in headers {
        let _ = write!(h, "<th>{}</th>", escape(head));
    }
    let _ = writeln!(h, "</tr>");
}

fn more(h: &mut String, total: usize, lang: Lang) {
    let _ = writeln!(h, "</table>");
    if total > MAX_ROWS {
        let _ = writeln!(
            h,
            "<p><small>… {} {} (JSON)</small></p>",
            total - MAX_ROWS,
            escape(&lang.t("ui.more"))
        );
    }
}

/// Append the artifact sections (only those that hold something).
pub fn render(h: &mut String, a: &Artifacts, lang: Lang) {
    let t = |k: &str| lang.t(k);
    if !a.usb_devices.is_empty() || a.usb_history.is_some() {
        table_head(
            h,
            &t("ui.usb_devices"),
            a.usb_devices.len(),
            &[
                "VID:PID".into(),
                t("art.serial"),
                t("art.device"),
                t("art.first_seen"),
                t("art.last_seen"),
                t("art.connections"),
                t("art.mount_points"),
            ],
        );
        for d in a.usb_devices.iter().take(MAX_ROWS) {
            let _ = writeln!(
                h,
                "<tr><td>{}:{}</td><td class=\"path\">{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"path\">{}</td></tr>",
                escape(&d.vid),
                escape(&d.pid),
                opt(&d.serial),
                opt(&d.manufacturer),
                opt(&d.product),
                escape(&time(&d.first_seen)),
                escape(&time(&d.last_seen)),
                d.connections,
                escape(&d.mount_points.join(", "))
            );
        }
        more(h, a.usb_devices.len(), lang);
        if let Some(cov) = &a.usb_history {
            let _ = writeln!(
                h,
                "<p><small>{}: {} – {} ({} {})</small></p>",
                escape(&t("art.log_coverage")),
                escape(&time(&cov.earliest)),
                escape(&time(&cov.latest)),
                cov.sources.len(),
                escape(&t("art.log_files"))
            );
        }
    }

    let internet: Vec<_> = a.web_visits.iter().filter(|v| v.internet).collect();
    if !internet.is_empty() {
        // Per site, not per URL: an inspector asks "which sites", and one site has hundreds of URLs.
        let mut sites: BTreeMap<(String, String, String), SiteVisits> = BTreeMap::new();
        for v in &internet {
            let host = baomi_core::net::url_host(&v.url)
                .unwrap_or(&v.url)
                .to_owned();
            let e = sites
                .entry((v.browser.clone(), v.profile.clone(), host))
                .or_insert((0, None, None));
            e.0 += v.visits;
            if v.first_visit.is_some() && (e.1.is_none() || v.first_visit < e.1) {
                e.1 = v.first_visit.clone();
            }
            if v.last_visit > e.2 {
                e.2 = v.last_visit.clone();
            }
        }
        let mut rows: Vec<_> = sites.into_iter().collect();
        rows.sort_by(|x, y| y.1.0.cmp(&x.1.0).then_with(|| x.0.cmp(&y.0)));
        table_head(
            h,
            &t("ui.web_visits"),
            rows.len(),
            &[
                t("art.browser"),
                t("art.site"),
                t("art.visits"),
                t("art.first_seen"),
                t("art.last_seen"),
            ],
        );
        for ((browser, profile, host), (visits, first, last)) in rows.iter().take(MAX_ROWS) {
            let _ = writeln!(
                h,
                "<tr><td>{} / {}</td><td class=\"path\">{}</td><td>{visits}</td><td>{}</td><td>{}</td></tr>",
                escape(browser),
                escape(profile),
                escape(host),
                escape(&time(first)),
                escape(&time(last))
            );
        }
        more(h, rows.len(), lang);
    }

    if !a.web_downloads.is_empty() {
        table_head(
            h,
            &t("art.downloads"),
            a.web_downloads.len(),
            &[t("art.browser"), t("ui.file"), "URL".into(), t("art.time")],
        );
        for d in a.web_downloads.iter().take(MAX_ROWS) {
            let _ = writeln!(
                h,
                "<tr><td>{} / {}</td><td class=\"path\">{}</td><td class=\"path\">{}</td><td>{}</td></tr>",
                escape(&d.browser),
                escape(&d.profile),
                escape(&d.target_path),
                escape(&d.url),
                escape(&time(&d.started))
            );
        }
        more(h, a.web_downloads.len(), lang);
    }

    if let Some(net) = &a.network {
        table_head(
            h,
            &t("ui.network"),
            net.interfaces.len(),
            &[
                t("art.interface"),
                t("art.kind"),
                "MAC".into(),
                t("art.addresses"),
                t("art.state"),
            ],
        );
        for i in net.interfaces.iter().take(MAX_ROWS) {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&i.name),
                escape(&i.kind),
                opt(&i.mac),
                escape(&i.addresses.join(", ")),
                opt(&i.operstate)
            );
        }
        more(h, net.interfaces.len(), lang);
        let mut facts: Vec<(String, String)> = Vec::new();
        for w in &net.saved_wifi {
            let when = w
                .last_connected
                .as_deref()
                .map(|t| format!(", {}", readable_time(t)))
                .unwrap_or_default();
            facts.push((
                t("art.saved_wifi"),
                format!("{} ({}{when})", w.ssid, w.source),
            ));
        }
        for b in &net.bluetooth {
            facts.push((
                "Bluetooth".into(),
                format!(
                    "{} {} ({})",
                    b.name,
                    b.address.as_deref().unwrap_or(""),
                    b.source
                ),
            ));
        }
        for r in &net.default_routes {
            facts.push((
                t("art.default_route"),
                format!(
                    "{} {} ({})",
                    r.gateway.as_deref().unwrap_or("-"),
                    r.interface.as_deref().unwrap_or(""),
                    r.source
                ),
            ));
        }
        if !net.dns_servers.is_empty() {
            facts.push(("DNS".into(), net.dns_servers.join(", ")));
        }
        for p in &net.proxies {
            facts.push((
                t("art.proxy"),
                format!("{} = {} ({})", p.key, p.value, p.source),
            ));
        }
        for p in &net.probe {
            facts.push((
                t("art.probe"),
                format!(
                    "{} → {} ({} ms){}",
                    p.target,
                    if p.connected { "connected" } else { "no" },
                    p.millis,
                    p.error
                        .as_deref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                ),
            ));
        }
        if !facts.is_empty() {
            let _ = writeln!(h, "<table class=\"meta\">");
            for (k, v) in facts.iter().take(MAX_ROWS) {
                let _ = writeln!(h, "<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(v));
            }
            let _ = writeln!(h, "</table>");
        }
    }

    let notable: Vec<_> = a.recent_files.iter().filter(|r| r.removable).collect();
    if !notable.is_empty() {
        table_head(
            h,
            &t("art.recent_removable"),
            notable.len(),
            &[t("ui.file"), t("art.app"), t("art.time")],
        );
        for r in notable.iter().take(MAX_ROWS) {
            let _ = writeln!(
                h,
                "<tr><td class=\"path\">{}</td><td>{} ({})</td><td>{}</td></tr>",
                escape(&r.path),
                escape(&r.app),
                opt(&r.user),
                escape(&time(&r.used_at))
            );
        }
        more(h, notable.len(), lang);
    }
}
