//! `summary.csv`: one row per scan, RFC 4180 (CRLF line ends; fields holding a comma, a double
//! quote, CR or LF are quoted, quotes doubled).

use armscan_core::Category;

use crate::record::round_to;
use crate::writer::Entry;

/// The header row.
/// `detections` counts every detection; `firearm`, `part`, `ammunition` and `accessory` count
/// them by category (accessories are not a Protocol category).
pub(crate) const CSV_HEADER: &str = "scan,status,width,height,detections,firearm,part,ammunition,\
                                      accessory,max_score,top_class,elapsed_ms,error,overlay";

/// One field, quoted when RFC 4180 requires it.
pub(crate) fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

fn opt_to_string<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The whole file, header first.
pub(crate) fn summary_csv(entries: &[Entry]) -> String {
    let mut out = String::with_capacity(64 * (entries.len() + 1));
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    for e in entries {
        let r = &e.record;
        let top = r.top_detection();
        let fields = [
            r.scan.clone(),
            r.status.as_str().to_owned(),
            opt_to_string(r.width),
            opt_to_string(r.height),
            r.detections.len().to_string(),
            r.count_of(Category::Firearm).to_string(),
            r.count_of(Category::Part).to_string(),
            r.count_of(Category::Ammunition).to_string(),
            r.count_of(Category::Accessory).to_string(),
            opt_to_string(top.map(|d| round_to(f64::from(d.score), 4))),
            opt_to_string(top.map(|d| d.class_name.as_str())),
            round_to(r.elapsed_ms, 2).to_string(),
            r.error.clone().unwrap_or_default(),
            e.overlay.clone().unwrap_or_default(),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(csv_field("plain.png"), "plain.png");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field(""), "");
    }
}
