//! `index.html`: one self-contained page. Inline CSS, thumbnails as `data:image/png;base64,` URIs,
//! no script, nothing fetched. Every string that comes from input is HTML-escaped.

use armscan_core::{Category, Status};
use base64::Engine as _;

use crate::draw::category_colour;
use crate::record::round_to;
use crate::writer::{Entry, ReportSummary, RunInfo};

/// How many detections a card lists before `+N more`.
const MAX_LISTED: usize = 5;

/// Escapes `&`, `<`, `>`, `"` and `'` for text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root{--alarm:#c62828;--review:#f9a825;--clear:#2e7d32;--error:#263238;--ink:#1d2330;--muted:#5f6b7a}
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#eef0f3;color:var(--ink)}
header{background:var(--ink);color:#fff;padding:16px 24px}
h1{margin:0 0 8px;font-size:22px}
h2{font-size:16px;margin:18px 0 8px}
.run{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0;font-size:13px;color:#d5dbe6}
.run dt{font-weight:600;color:#fff}.run dd{margin:0}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
main{padding:8px 24px 32px}
.counts{display:flex;flex-wrap:wrap;gap:10px}
.count{background:#fff;border-radius:8px;padding:8px 14px;min-width:110px;box-shadow:0 1px 2px rgba(0,0,0,.12);border-left:5px solid var(--c,#90a4ae)}
.count b{display:block;font-size:24px}
.count.alarm{--c:var(--alarm)}.count.review{--c:var(--review)}.count.clear{--c:var(--clear)}.count.error{--c:var(--error)}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:12px}
.card{background:#fff;border-radius:8px;overflow:hidden;box-shadow:0 1px 3px rgba(0,0,0,.15);border-top:5px solid var(--c)}
.card.alarm{--c:var(--alarm)}.card.review{--c:var(--review)}.card.clear{--c:var(--clear)}.card.error{--c:var(--error)}
.thumb{height:200px;display:flex;align-items:center;justify-content:center;background:#15181d;color:#8a94a3}
.thumb img{max-width:100%;max-height:200px;display:block}
.body{padding:8px 10px 10px}
.name{font-weight:600;word-break:break-all}
.path{color:var(--muted);font-size:11px;word-break:break-all}
.badge{display:inline-block;padding:1px 9px;border-radius:10px;color:#fff;font-weight:700;font-size:11px;letter-spacing:.05em;text-transform:uppercase;background:var(--c)}
.badge.alarm{--c:var(--alarm)}.badge.review{--c:var(--review);color:#1d2330}.badge.clear{--c:var(--clear)}.badge.error{--c:var(--error)}
.meta{color:var(--muted);font-size:12px;margin-left:6px}
ul.dets{list-style:none;margin:6px 0 0;padding:0;font-size:13px}
ul.dets li{display:flex;gap:6px;align-items:center}
.dot{width:10px;height:10px;border-radius:2px;flex:none;border:1px solid rgba(0,0,0,.3)}
.score{margin-left:auto;font-variant-numeric:tabular-nums}
.err{margin-top:6px;padding:6px 8px;background:#fdecea;color:#8e1b10;border-radius:4px;font-size:12px;word-break:break-word;white-space:pre-wrap}
.none{color:var(--muted);font-size:12px;margin-top:6px}
a{color:inherit}
"#;

fn hex(category: Category) -> String {
    let [r, g, b] = category_colour(category).0;
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Report order: alarms, reviews, failures, then clear scans.
fn status_rank(status: Status) -> u8 {
    match status {
        Status::Alarm => 0,
        Status::Review => 1,
        Status::Error => 2,
        Status::Clear => 3,
    }
}

/// The last component of a path, `/` or `\` separated.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(path)
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn run_section(out: &mut String, title: &str, run: &RunInfo) {
    let t = &run.thresholds;
    out.push_str(&format!(
        "<header><h1>{}</h1><dl class=\"run\">",
        escape(title)
    ));
    let mut row = |label: &str, value: String, mono: bool| {
        let class = if mono { " class=\"mono\"" } else { "" };
        out.push_str(&format!("<dt>{label}</dt><dd{class}>{value}</dd>"));
    };
    row("Started", escape(&run.started_at), false);
    row("armscan", escape(&run.armscan_version), false);
    row("Model", escape(&run.model_id), false);
    row("Model SHA-256", escape(&run.model_sha256), true);
    row("Backend", escape(&run.backend), false);
    row(
        "Thresholds",
        format!(
            "listed &ge; {} &middot; review &ge; {} &middot; alarm &ge; {}",
            t.min_score, t.review_score, t.alarm_score
        ),
        false,
    );
    let classes: Vec<String> = Category::ALL
        .iter()
        .filter_map(|c| {
            let names: Vec<String> = run
                .classes
                .iter()
                .filter(|ci| ci.category == *c)
                .map(|ci| escape(&ci.name))
                .collect();
            (!names.is_empty()).then(|| format!("<b>{c}</b>: {}", names.join(", ")))
        })
        .collect();
    row("Classes", classes.join("; "), false);
    out.push_str("</dl></header>\n");
}

fn counts_section(out: &mut String, summary: &ReportSummary) {
    out.push_str("<h2>Verdicts</h2><div class=\"counts\">");
    out.push_str(&format!(
        "<div class=\"count\"><b>{}</b>scans</div>",
        summary.scans
    ));
    for status in [Status::Alarm, Status::Review, Status::Error, Status::Clear] {
        let s = status.as_str();
        out.push_str(&format!(
            "<div class=\"count {s}\"><b>{}</b>{s}</div>",
            summary.count(status)
        ));
    }
    out.push_str("</div>\n<h2>Detections</h2><div class=\"counts\">");
    // The Protocol categories, then accessories (not a Protocol category), counted apart.
    for category in Category::ALL {
        let (detections, scans) = (
            summary.detections.get(category),
            summary.scans_with.get(category),
        );
        let note = if category.is_protocol() {
            ""
        } else {
            " <small>(not a Protocol category)</small>"
        };
        out.push_str(&format!(
            "<div class=\"count\" style=\"--c:{}\">\
             <b>{detections}</b>{category} {} in {scans} {}{note}</div>",
            hex(category),
            plural(detections, "detection", "detections"),
            plural(scans, "scan", "scans"),
        ));
    }
    out.push_str("</div>\n");
}

fn scan_card(out: &mut String, entry: &Entry) {
    let r = &entry.record;
    let s = r.status.as_str();
    out.push_str(&format!("<div class=\"card {s}\"><div class=\"thumb\">"));
    match &entry.thumbnail_png {
        Some(png) => out.push_str(&format!(
            "<img alt=\"{}\" src=\"data:image/png;base64,{}\">",
            escape(&r.scan),
            base64::engine::general_purpose::STANDARD.encode(png)
        )),
        None => out.push_str("no image"),
    }
    out.push_str("</div><div class=\"body\">");
    out.push_str(&format!(
        "<div class=\"name\">{}</div><div class=\"path\">{}</div>",
        escape(file_name(&r.scan)),
        escape(&r.scan)
    ));
    out.push_str(&format!("<div><span class=\"badge {s}\">{s}</span>"));
    if let (Some(w), Some(h)) = (r.width, r.height) {
        out.push_str(&format!("<span class=\"meta\">{w}&times;{h}</span>"));
    }
    out.push_str(&format!(
        "<span class=\"meta\">{} ms</span>",
        round_to(r.elapsed_ms, 1)
    ));
    if let Some(overlay) = &entry.overlay {
        out.push_str(&format!(
            "<span class=\"meta\"><a href=\"{}\">overlay</a></span>",
            escape(overlay)
        ));
    }
    out.push_str("</div>");
    if let Some(error) = &r.error {
        out.push_str(&format!("<div class=\"err\">{}</div>", escape(error)));
    }
    let mut detections: Vec<_> = r.detections.iter().collect();
    detections.sort_by(|a, b| b.score.total_cmp(&a.score));
    if !detections.is_empty() {
        out.push_str("<ul class=\"dets\">");
        for d in detections.iter().take(MAX_LISTED) {
            out.push_str(&format!(
                "<li><span class=\"dot\" style=\"background:{}\" title=\"{}\"></span>\
                 {}<span class=\"score\">{:.2}</span></li>",
                hex(d.category),
                d.category,
                escape(&d.class_name),
                d.score
            ));
        }
        if detections.len() > MAX_LISTED {
            out.push_str(&format!(
                "<li class=\"none\">+{} more</li>",
                detections.len() - MAX_LISTED
            ));
        }
        out.push_str("</ul>");
    } else if r.status != Status::Error {
        out.push_str("<div class=\"none\">no detections listed</div>");
    }
    out.push_str("</div></div>\n");
}

/// The whole page.
pub(crate) fn index_html(
    title: &str,
    run: &RunInfo,
    summary: &ReportSummary,
    entries: &[Entry],
) -> String {
    let thumbs: usize = entries
        .iter()
        .filter_map(|e| e.thumbnail_png.as_ref())
        .map(|p| p.len() * 4 / 3 + 600)
        .sum();
    let mut out = String::with_capacity(16_384 + thumbs + 1_024 * entries.len());
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
    out.push_str(&format!(
        "<title>{} &ndash; {}</title><style>{CSS}</style></head><body>\n",
        escape(title),
        escape(&run.started_at)
    ));
    run_section(&mut out, title, run);
    out.push_str("<main>");
    counts_section(&mut out, summary);
    let mut order: Vec<&Entry> = entries.iter().collect();
    // Stable: within a verdict, best score first, then the order scans were added.
    order.sort_by(|a, b| {
        let top = |e: &Entry| {
            e.record
                .top_detection()
                .map_or(f32::NEG_INFINITY, |d| d.score)
        };
        status_rank(a.record.status)
            .cmp(&status_rank(b.record.status))
            .then(top(b).total_cmp(&top(a)))
    });
    out.push_str("<h2>Scans</h2><div class=\"grid\">\n");
    for entry in order {
        scan_card(&mut out, entry);
    }
    out.push_str("</div></main></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn file_name_takes_the_last_component() {
        assert_eq!(file_name("a/b/c.png"), "c.png");
        assert_eq!(file_name(r"C:\scans\d.tif"), "d.tif");
        assert_eq!(file_name("e.png"), "e.png");
        assert_eq!(file_name("dir/"), "dir");
    }

    #[test]
    fn flagged_first() {
        let mut ranks: Vec<Status> =
            vec![Status::Clear, Status::Error, Status::Review, Status::Alarm];
        ranks.sort_by_key(|s| status_rank(*s));
        assert_eq!(
            ranks,
            vec![Status::Alarm, Status::Review, Status::Error, Status::Clear]
        );
    }
}
