//! The YOLO labels of a synthetic dataset: `labels/NNNNNN.txt`, one line per threat (class
//! index, normalised centre and size), and `classes.txt`, the class names in index order.

use armscan_core::taxonomy::KNOWN_FINE_CLASSES;

use super::coco::class_index;
use crate::render::ThreatAnnotation;

/// The label file of a `w` x `h` scene with `threats`.
pub(super) fn label_text(threats: &[ThreatAnnotation], w: usize, h: usize) -> String {
    let mut label = String::new();
    for a in threats {
        let [x0, y0, x1, y1] = a.extent;
        let ci = class_index(a.fine_class).unwrap_or(0);
        let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
        label.push_str(&format!(
            "{ci} {:.6} {:.6} {:.6} {:.6}\n",
            (x0 as f32 + bw / 2.0) / w as f32,
            (y0 as f32 + bh / 2.0) / h as f32,
            bw / w as f32,
            bh / h as f32
        ));
    }
    label
}

/// `classes.txt`: one fine class a line, in YOLO index order.
pub(super) fn classes_txt() -> String {
    KNOWN_FINE_CLASSES
        .iter()
        .map(|(n, _)| format!("{n}\n"))
        .collect()
}
