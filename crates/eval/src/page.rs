//! `eval.html`: one self-contained page (inline CSS, plots as `data:image/png;base64,` URIs, no
//! script, nothing fetched). Every string from input is HTML-escaped.

use std::fmt::Write as _;

use base64::Engine as _;

use crate::report::{EvalReport, LabelMetrics};
use armscan_report::html::escape;

const CSS: &str = r"
body{margin:0;font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;background:#eef0f3;color:#1d2330}
header{background:#1d2330;color:#fff;padding:16px 24px}h1{margin:0 0 6px;font-size:22px}
main{padding:8px 24px 32px}h2{font-size:16px;margin:22px 0 8px}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.12);margin-bottom:8px}
th,td{padding:4px 10px;border-bottom:1px solid #e3e6ea;text-align:right;font-variant-numeric:tabular-nums}
th:first-child,td:first-child{text-align:left}th{background:#f6f7f9}
.run{font-size:13px;color:#d5dbe6}.mono{font-family:ui-monospace,Menlo,Consolas,monospace}
.plots{display:flex;flex-wrap:wrap;gap:12px}.plots img{max-width:100%;background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.12)}
.note{color:#5f6b7a;font-size:12px;max-width:900px}
";

fn f(v: Option<f64>) -> String {
    v.map_or_else(|| "&ndash;".to_owned(), |v| format!("{v:.3}"))
}

fn label_rows(out: &mut String, labels: &[&LabelMetrics]) {
    out.push_str(
        "<table><tr><th>label</th><th>category</th><th>GT boxes</th><th>images</th>\
         <th>detections</th><th>AP50</th><th>AP75</th><th>AP50:95</th><th>recall@0.5</th></tr>",
    );
    for m in labels {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&m.name),
            m.category.map_or("any", |c| c.as_str()),
            m.gt_boxes,
            m.gt_images,
            m.detections,
            f(m.ap50),
            f(m.ap75),
            f(m.ap50_95),
            f(m.recall50)
        );
    }
    out.push_str("</table>");
}

/// The page for `report`, with `pngs` (`(file name, bytes)`) embedded.
pub(crate) fn eval_html(report: &EvalReport, pngs: &[(String, Vec<u8>)]) -> String {
    let s = &report.source;
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>armscan eval</title><style>{CSS}</style></head><body>"
    );
    let _ = write!(
        out,
        "<header><h1>armscan eval</h1><div class=\"run\">data set <span class=\"mono\">{}</span> \
         &middot; predictions: {}{} &middot; model {} &middot; backend {} \
         &middot; armscan {} &middot; {}</div></header><main>",
        escape(&s.annotations),
        escape(&s.predictions),
        s.predictions_file
            .as_deref()
            .map_or_else(String::new, |p| format!(
                " <span class=\"mono\">{}</span>",
                escape(p)
            )),
        escape(s.model.as_deref().unwrap_or("?")),
        escape(s.backend.as_deref().unwrap_or("?")),
        escape(&s.armscan_version),
        escape(&s.created_at)
    );
    let d = &report.dataset;
    let filter: Vec<String> = s
        .filter
        .iter()
        .map(|w| format!("{}={}", w.key, w.values.join(",")))
        .collect();
    let _ = write!(
        out,
        "<p>{} images evaluated (of {} in the file{}): {} with threats, {} without; \
         {} threat boxes, {} crowd; {} annotations of non-threat classes left out.</p>",
        d.images,
        d.images_in_file,
        if filter.is_empty() {
            String::new()
        } else {
            format!(", where {}", escape(&filter.join(" and ")))
        },
        d.positive_images,
        d.negative_images,
        d.gt_boxes,
        d.crowd_boxes,
        d.not_threat_annotations
    );
    let _ = write!(
        out,
        "<h2>Summary</h2><table><tr><th></th><th>mAP50</th><th>mAP50:95</th></tr>\
         <tr><td>Protocol categories</td><td>{}</td><td>{}</td></tr>\
         <tr><td>fine classes</td><td>{}</td><td>{}</td></tr></table>",
        f(report.summary.map50_categories),
        f(report.summary.map50_95_categories),
        f(report.summary.map50_classes),
        f(report.summary.map50_95_classes)
    );
    out.push_str("<h2>Protocol categories</h2>");
    let cats: Vec<&LabelMetrics> = report
        .categories
        .iter()
        .chain(std::iter::once(&report.any_threat))
        .collect();
    label_rows(&mut out, &cats);
    out.push_str("<h2>Fine classes</h2>");
    let classes: Vec<&LabelMetrics> = report.classes.iter().collect();
    label_rows(&mut out, &classes);
    if !report.summary.fine_classes_scored {
        out.push_str(
            "<p class=\"note\">The predictions name Protocol categories only \
             (a category-level model), so a fine class has no AP of its own: \
             its recall@0.5 is the share of its GT boxes that a detection of its category matched \
             (IoU 0.5, any score).</p>",
        );
    }
    out.push_str(
        "<p class=\"note\">COCO definition: IoU thresholds 0.50:0.05:0.95, \
         101-point interpolated precision, at most 100 detections per image, area all. \
         A class only predicted (no GT) has no AP.</p>",
    );

    out.push_str(
        "<h2>Image level</h2><table><tr><th>scope</th><th>positives</th><th>negatives</th>\
         <th>AUC</th>",
    );
    for t in &report.settings.far_targets {
        let _ = write!(out, "<th>PD @ FAR {}%</th>", t * 100.0);
    }
    out.push_str("</tr>");
    for l in &report.image_level {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            escape(&l.scope),
            l.positives,
            l.negatives,
            f(l.auc)
        );
        for p in &l.pd_at_far {
            let _ = write!(out, "<td>{}</td>", f(p.pd));
        }
        out.push_str("</tr>");
    }
    out.push_str(
        "</table><p class=\"note\">An image's score is its best detection's score in the scope \
         (0 without one); positives have at least one GT box of the scope, negatives none. \
         PD at a false-alarm rate is the best PD among ROC points at or below it.</p>",
    );

    let c = &report.confusion;
    let _ = write!(
        out,
        "<h2>Confusion between categories</h2><table><tr><th>GT \\ predicted</th>"
    );
    for col in &c.cols {
        let _ = write!(out, "<th>{}</th>", escape(col));
    }
    out.push_str("</tr>");
    for (row, counts) in c.rows.iter().zip(&c.counts) {
        let _ = write!(out, "<tr><td>{}</td>", escape(row));
        for v in counts {
            let _ = write!(out, "<td>{v}</td>");
        }
        out.push_str("</tr>");
    }
    let _ = write!(
        out,
        "</table><p class=\"note\">Detections scoring at least {} paired one to one \
         with GT boxes by IoU (at least {}, highest first), whatever the category.</p>",
        c.score_threshold, c.iou
    );

    if !report.difficulty.is_empty() {
        out.push_str("<h2>By difficulty</h2>");
        for dt in &report.difficulty {
            let _ = write!(
                out,
                "<p><b>{}</b> ({}); recall at IoU 0.5, score &ge; {}; {} GT boxes untagged</p>\
                 <table><tr><th>bin</th><th>GT boxes</th><th>recall</th>",
                escape(&dt.tag),
                escape(&dt.binning),
                dt.score_threshold,
                dt.untagged
            );
            if let Some(b) = dt.bins.first() {
                for cv in &b.ap50 {
                    let _ = write!(out, "<th>AP50 {}</th>", cv.category);
                }
            }
            out.push_str("</tr>");
            for b in &dt.bins {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td>",
                    escape(&b.label),
                    b.gt_boxes,
                    f(b.recall)
                );
                for cv in &b.ap50 {
                    let _ = write!(out, "<td>{}</td>", f(cv.value));
                }
                out.push_str("</tr>");
            }
            out.push_str("</table>");
        }
        out.push_str(
            "<p class=\"note\">AP50 of a bin: category-level AP at IoU 0.5 \
             with GT outside the bin ignored (a detection on it is neither true nor false); \
             every other unmatched detection is a false positive.</p>",
        );
    }

    out.push_str("<h2>Plots</h2><div class=\"plots\">");
    for (name, bytes) in pngs {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        let _ = write!(
            out,
            "<img alt=\"{}\" src=\"data:image/png;base64,{b64}\">",
            escape(name)
        );
    }
    out.push_str("</div></main></body></html>\n");
    out
}
