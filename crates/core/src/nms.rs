//! Non-maximum suppression, and the merge of detections across frame borders.

use crate::geometry::BoxInImage;
use crate::verdict::Detection;

/// Best score first (for `sort_by`).
pub(crate) fn by_score_desc(a: &Detection, b: &Detection) -> std::cmp::Ordering {
    b.score.total_cmp(&a.score)
}

/// Class-aware greedy NMS in place: keeps the best-scoring box of each group of same-class boxes
/// overlapping by IoU `>= iou_threshold`. The result is sorted by score, best first.
pub fn nms_mut(detections: &mut Vec<Detection>, iou_threshold: f32) {
    detections.sort_by(by_score_desc);
    let mut kept: Vec<Detection> = Vec::with_capacity(detections.len());
    for d in detections.drain(..) {
        let suppressed = kept.iter().any(|k| {
            k.class_name == d.class_name && k.box_in_image.iou(&d.box_in_image) >= iou_threshold
        });
        if !suppressed {
            kept.push(d);
        }
    }
    *detections = kept;
}

/// A detection from one frame, mapped to image space, with the frame cut edges its box touches.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameDetection {
    pub detection: Detection,
    /// Which of the box's sides (left, top, right, bottom) lie on a frame cut shared with a
    /// neighbour: there the object may go on into the next frame.
    pub truncated: [bool; 4],
}

/// 1-D overlap of two intervals over their union.
fn interval_iou(a1: f32, a2: f32, b1: f32, b2: f32) -> f32 {
    let inter = (a2.min(b2) - a1.max(b1)).max(0.0);
    let union = (a2.max(b2) - a1.min(b1)).max(f32::EPSILON);
    inter / union
}

/// True when `a` and `b` look like two pieces of one object cut by a frame border: they
/// intersect, each is truncated on the side facing the other, and they line up along the cut
/// (1-D IoU across the cut of at least one half).
fn pieces_of_one_object(a: &BoxInImage, ta: [bool; 4], b: &BoxInImage, tb: [bool; 4]) -> bool {
    if a.intersection(b).is_none() {
        return false;
    }
    let a_left_of_b = ta[2] && tb[0] && a.x1 < b.x1 && a.x2 < b.x2;
    let b_left_of_a = tb[2] && ta[0] && b.x1 < a.x1 && b.x2 < a.x2;
    let a_above_b = ta[3] && tb[1] && a.y1 < b.y1 && a.y2 < b.y2;
    let b_above_a = tb[3] && ta[1] && b.y1 < a.y1 && b.y2 < a.y2;
    ((a_left_of_b || b_left_of_a) && interval_iou(a.y1, a.y2, b.y1, b.y2) >= 0.5)
        || ((a_above_b || b_above_a) && interval_iou(a.x1, a.x2, b.x1, b.x2) >= 0.5)
}

/// The truncation flags of the hull of two boxes: each side keeps the flag of the box that
/// defines it (both flags, where both boxes reach it).
fn hull_truncation(a: &BoxInImage, ta: [bool; 4], b: &BoxInImage, tb: [bool; 4]) -> [bool; 4] {
    let side = |va: f32, vb: f32, fa: bool, fb: bool, smaller_wins: bool| {
        if (va - vb).abs() < 1e-3 {
            fa || fb
        } else if (va < vb) == smaller_wins {
            fa
        } else {
            fb
        }
    };
    [
        side(a.x1, b.x1, ta[0], tb[0], true),
        side(a.y1, b.y1, ta[1], tb[1], true),
        side(a.x2, b.x2, ta[2], tb[2], false),
        side(a.y2, b.y2, ta[3], tb[3], false),
    ]
}

/// Merges detections of several overlapping frames into one list in image space.
///
/// Same-class boxes that are pieces of one object cut by a frame border (each truncated on the
/// side facing the other) are joined into their hull; duplicates seen by two overlapping frames
/// (IoU `>= iou_threshold`, or a truncated piece lying inside another box) are suppressed. The
/// merged detection keeps the best score. The result is sorted by score, best first.
#[must_use]
pub fn merge_frame_detections(parts: Vec<FrameDetection>, iou_threshold: f32) -> Vec<Detection> {
    merge_frame_pieces(parts, iou_threshold)
        .into_iter()
        .map(|p| p.detection)
        .collect()
}

/// [`merge_frame_detections`], keeping on each merged box the sides that still lie on a frame
/// cut (an object that goes on past the frames, as [`join_coarse_detections`] needs to know).
#[must_use]
pub fn merge_frame_pieces(
    mut parts: Vec<FrameDetection>,
    iou_threshold: f32,
) -> Vec<FrameDetection> {
    parts.sort_by(|a, b| by_score_desc(&a.detection, &b.detection));
    // Merge pairs until nothing changes, so the result does not depend on the order in which
    // pieces of one object happen to meet.
    loop {
        let mut merged_any = false;
        let mut i = 0;
        while i < parts.len() {
            let mut j = i + 1;
            while j < parts.len() {
                if let Some(joined) = merge_pair(&parts[i], &parts[j], iou_threshold) {
                    parts[i] = joined;
                    parts.remove(j);
                    merged_any = true;
                } else {
                    j += 1;
                }
            }
            i += 1;
        }
        if !merged_any {
            break;
        }
    }
    // No same-class pair left overlaps by IoU >= `iou_threshold` (merge_pair would have joined
    // it), so a further NMS pass would change nothing; only the order is restored.
    parts.sort_by(|a, b| by_score_desc(&a.detection, &b.detection));
    parts
}

/// Whether fine box `f` is a piece of the coarse box `whole`: cut by a frame border and
/// reaching at least `min_extent` from it (else it lies wholly in the overlap of two frames and
/// the neighbouring frame saw all of it), lying inside `whole` (`overlap_of_smaller >= 0.75`)
/// and covering at least a fifth of it, as wide as `whole` across each cut (at least half its
/// extent there), and `whole` going on past every cut side.
fn is_piece_of(f: &FrameDetection, whole: &BoxInImage, min_extent: f32) -> bool {
    let b = &f.detection.box_in_image;
    let [left, top, right, bottom] = f.truncated;
    let cut_across_x = (left || right) && b.width() >= min_extent;
    let cut_across_y = (top || bottom) && b.height() >= min_extent;
    if !(cut_across_x || cut_across_y)
        || b.area() >= whole.area()
        || b.area() < 0.2 * whole.area()
        || b.overlap_of_smaller(whole) < 0.75
    {
        return false;
    }
    if (cut_across_x && b.height() < 0.5 * whole.height())
        || (cut_across_y && b.width() < 0.5 * whole.width())
    {
        return false;
    }
    let past = [
        b.x1 - whole.x1,
        b.y1 - whole.y1,
        whole.x2 - b.x2,
        whole.y2 - b.y2,
    ];
    let margin = 0.02 * whole.width().max(whole.height());
    let open = [
        left && cut_across_x,
        top && cut_across_y,
        right && cut_across_x,
        bottom && cut_across_y,
    ];
    open.iter()
        .zip(past)
        .all(|(cut, beyond)| !cut || beyond > margin)
}

/// Whether fine box `f` lies inside the larger coarse box `c` of its class
/// (`overlap_of_smaller >= 0.8`).
fn lies_inside(f: &Detection, c: &Detection) -> bool {
    f.class_name == c.class_name
        && f.box_in_image.overlap_of_smaller(&c.box_in_image) >= 0.8
        && f.box_in_image.area() < c.box_in_image.area()
}

/// Two views pool their geometry only when the weaker scores at least this share of the stronger.
const COMPARABLE_SCORE_RATIO: f32 = 0.5;

/// Joins the detections of a coarse pass (the scan framed again at a coarser scale, keeping only
/// objects too long for the fine frames) with those of the fine pass, both already merged across
/// their own frames and in image space.
///
/// A fine box cut by a frame border (its sides on a cut, from [`merge_frame_pieces`]) and
/// reaching at least `min_piece_extent` (the fine frames' overlap, image pixels) from the cut,
/// that lies inside a coarse box of its class going on past each cut, is a piece of that object:
/// it takes the coarse box (and the better score) whatever its own score, as the fine pass never
/// saw the object's ends. Otherwise, where a coarse and a fine box of one class overlap by IoU
/// `>= iou_threshold`, they are one object and the fine box, drawn at the finer scale, stays
/// (with the better score). A fine box lying inside a coarse one (`overlap_of_smaller >= 0.8`)
/// whose score is not far above it (at most twice the coarse score) is a piece of the long
/// object and is dropped. Everything else stays. The result is sorted by score, best first.
#[must_use]
pub fn join_coarse_detections(
    mut pieces: Vec<FrameDetection>,
    mut coarse: Vec<Detection>,
    iou_threshold: f32,
    min_piece_extent: f32,
) -> Vec<Detection> {
    coarse.sort_by(by_score_desc);
    let mut taken = vec![false; coarse.len()];
    for (c, taken) in coarse.iter().zip(&mut taken) {
        for f in pieces.iter_mut().filter(|f| {
            f.detection.class_name == c.class_name
                && is_piece_of(f, &c.box_in_image, min_piece_extent)
        }) {
            f.detection.box_in_image = c.box_in_image;
            f.detection.score = f.detection.score.max(c.score);
            f.truncated = [false; 4];
            *taken = true;
        }
    }
    // Pieces cut by a frame border, inside a coarse box that one of them took: they go with it.
    pieces.retain(|f| {
        !(f.truncated.iter().any(|t| *t)
            && coarse
                .iter()
                .zip(&taken)
                .any(|(c, taken)| *taken && lies_inside(&f.detection, c)))
    });
    let mut fine: Vec<Detection> = pieces.into_iter().map(|f| f.detection).collect();
    let mut joined: Vec<Detection> = Vec::with_capacity(fine.len() + coarse.len());
    for (c, taken) in coarse.into_iter().zip(taken) {
        if taken {
            // The pieces that took this box stand for the object.
            continue;
        }
        let same_object = fine
            .iter_mut()
            .filter(|f| f.class_name == c.class_name)
            .map(|f| (f.box_in_image.iou(&c.box_in_image), f))
            .filter(|(iou, _)| *iou >= iou_threshold)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, f)) = same_object {
            f.score = f.score.max(c.score);
            continue;
        }
        fine.retain(|f| !(lies_inside(f, &c) && c.score >= COMPARABLE_SCORE_RATIO * f.score));
        joined.push(c);
    }
    joined.extend(fine);
    nms_mut(&mut joined, iou_threshold);
    joined
}

/// The merge of two frame detections of one object, or `None` when they are two objects.
fn merge_pair(
    a: &FrameDetection,
    b: &FrameDetection,
    iou_threshold: f32,
) -> Option<FrameDetection> {
    if a.detection.class_name != b.detection.class_name {
        return None;
    }
    let (ab, bb) = (a.detection.box_in_image, b.detection.box_in_image);
    let score = a.detection.score.max(b.detection.score);
    let with =
        |base: &FrameDetection, box_in_image: BoxInImage, truncated: [bool; 4]| FrameDetection {
            detection: Detection {
                score,
                box_in_image,
                ..base.detection.clone()
            },
            truncated,
        };
    // Geometry is only pooled between views of comparable confidence: a faint candidate must
    // not stretch a confident box (nor lend its extent to it).
    let comparable = a.detection.score.min(b.detection.score) >= COMPARABLE_SCORE_RATIO * score;
    let best = if a.detection.score >= b.detection.score {
        a
    } else {
        b
    };
    if comparable && pieces_of_one_object(&ab, a.truncated, &bb, b.truncated) {
        return Some(with(
            a,
            ab.union_hull(&bb),
            hull_truncation(&ab, a.truncated, &bb, b.truncated),
        ));
    }
    let piece = a.truncated.iter().chain(b.truncated.iter()).any(|t| *t);
    if piece && ab.overlap_of_smaller(&bb) >= 0.8 {
        // A piece inside a fuller view of the same object: keep the fuller view when it is about
        // as confident, else the more confident one.
        let (outer, outer_box) = if ab.area() >= bb.area() {
            (a, ab)
        } else {
            (b, bb)
        };
        let keep = if comparable { outer } else { best };
        let keep_box = if comparable {
            outer_box
        } else {
            best.detection.box_in_image
        };
        return Some(with(keep, keep_box, keep.truncated));
    }
    if ab.iou(&bb) >= iou_threshold {
        return Some(with(best, best.detection.box_in_image, best.truncated));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::Category;

    fn det(class: &str, score: f32, b: [f32; 4]) -> Detection {
        Detection {
            class_name: class.into(),
            category: Category::Firearm,
            score,
            box_in_image: BoxInImage::new(b[0], b[1], b[2], b[3]),
        }
    }

    #[test]
    fn nms_keeps_best_of_overlapping_same_class() {
        let mut v = vec![
            det("handgun", 0.6, [0.0, 0.0, 100.0, 100.0]),
            det("handgun", 0.9, [5.0, 5.0, 105.0, 105.0]),
            det("handgun", 0.5, [300.0, 300.0, 350.0, 350.0]),
            det("slide", 0.4, [5.0, 5.0, 100.0, 100.0]),
        ];
        nms_mut(&mut v, 0.5);
        let scores: Vec<f32> = v.iter().map(|d| d.score).collect();
        assert_eq!(scores, vec![0.9, 0.5, 0.4]);
    }

    #[test]
    fn object_cut_by_a_vertical_border_becomes_one_box() {
        // Frame A spans x 0..320, frame B x 224..544. An object at x 100..500 is cut.
        let parts = vec![
            FrameDetection {
                detection: det("handgun", 0.8, [100.0, 50.0, 320.0, 150.0]),
                truncated: [false, false, true, false],
            },
            FrameDetection {
                detection: det("handgun", 0.7, [224.0, 52.0, 500.0, 149.0]),
                truncated: [true, false, false, false],
            },
        ];
        let merged = merge_frame_detections(parts, 0.45);
        assert_eq!(merged.len(), 1);
        assert_eq!(
            merged[0].box_in_image.to_array(),
            [100.0, 50.0, 500.0, 150.0]
        );
        assert!((merged[0].score - 0.8).abs() < 1e-6);
    }

    #[test]
    fn untruncated_neighbours_are_not_joined() {
        // Two different objects side by side, overlapping a little, none truncated.
        let parts = vec![
            FrameDetection {
                detection: det("handgun", 0.8, [0.0, 0.0, 100.0, 100.0]),
                truncated: [false; 4],
            },
            FrameDetection {
                detection: det("handgun", 0.7, [90.0, 0.0, 190.0, 100.0]),
                truncated: [false; 4],
            },
        ];
        assert_eq!(merge_frame_detections(parts, 0.45).len(), 2);
    }

    #[test]
    fn three_pieces_chain_into_one() {
        let parts = vec![
            FrameDetection {
                detection: det("rifle", 0.9, [224.0, 10.0, 544.0, 60.0]),
                truncated: [true, false, true, false],
            },
            FrameDetection {
                detection: det("rifle", 0.6, [100.0, 12.0, 320.0, 58.0]),
                truncated: [false, false, true, false],
            },
            FrameDetection {
                detection: det("rifle", 0.5, [448.0, 11.0, 700.0, 61.0]),
                truncated: [true, false, false, false],
            },
        ];
        let merged = merge_frame_detections(parts, 0.45);
        assert_eq!(merged.len(), 1);
        assert_eq!(
            merged[0].box_in_image.to_array(),
            [100.0, 10.0, 700.0, 61.0]
        );
    }

    #[test]
    fn a_truncated_box_beside_an_unrelated_one_is_not_joined() {
        // Only one side is truncated: the other box is a different object, not a piece.
        let parts = vec![
            FrameDetection {
                detection: det("handgun", 0.8, [100.0, 50.0, 320.0, 150.0]),
                truncated: [false, false, true, false],
            },
            FrameDetection {
                detection: det("handgun", 0.3, [300.0, 60.0, 400.0, 140.0]),
                truncated: [false; 4],
            },
        ];
        assert_eq!(merge_frame_detections(parts, 0.45).len(), 2);
    }

    #[test]
    fn a_piece_inside_a_whole_view_is_dropped() {
        let parts = vec![
            FrameDetection {
                detection: det("handgun", 0.9, [200.0, 50.0, 300.0, 150.0]),
                truncated: [false; 4],
            },
            FrameDetection {
                detection: det("handgun", 0.6, [224.0, 52.0, 300.0, 149.0]),
                truncated: [true, false, false, false],
            },
        ];
        let merged = merge_frame_detections(parts, 0.45);
        assert_eq!(merged.len(), 1);
        assert_eq!(
            merged[0].box_in_image.to_array(),
            [200.0, 50.0, 300.0, 150.0]
        );
    }

    #[test]
    fn a_faint_piece_does_not_stretch_a_confident_box() {
        let parts = vec![
            FrameDetection {
                detection: det("handgun", 0.9, [100.0, 50.0, 320.0, 150.0]),
                truncated: [false, false, true, false],
            },
            FrameDetection {
                detection: det("handgun", 0.1, [224.0, 52.0, 900.0, 149.0]),
                truncated: [true, false, false, false],
            },
        ];
        let merged = merge_frame_detections(parts, 0.45);
        assert_eq!(
            merged[0].box_in_image.to_array(),
            [100.0, 50.0, 320.0, 150.0]
        );
        assert!((merged[0].score - 0.9).abs() < 1e-6);
    }

    fn whole(d: Detection) -> FrameDetection {
        FrameDetection {
            detection: d,
            truncated: [false; 4],
        }
    }

    fn cut(d: Detection, truncated: [bool; 4]) -> FrameDetection {
        FrameDetection {
            detection: d,
            truncated,
        }
    }

    #[test]
    fn coarse_long_object_replaces_its_fine_pieces() {
        // A rifle seen whole by the coarse pass; the fine pass found two unjoined pieces of it
        // (each cut on the side facing the other) and a handgun elsewhere.
        let fine = vec![
            cut(
                det("firearm", 0.6, [100.0, 50.0, 400.0, 120.0]),
                [false, false, true, false],
            ),
            cut(
                det("firearm", 0.5, [500.0, 55.0, 800.0, 118.0]),
                [true, false, false, false],
            ),
            whole(det("firearm", 0.9, [100.0, 400.0, 300.0, 520.0])),
        ];
        let coarse = vec![det("firearm", 0.7, [95.0, 48.0, 810.0, 122.0])];
        let joined = join_coarse_detections(fine, coarse, 0.45, 100.0);
        let boxes: Vec<[f32; 4]> = joined.iter().map(|d| d.box_in_image.to_array()).collect();
        assert_eq!(
            boxes,
            vec![[100.0, 400.0, 300.0, 520.0], [95.0, 48.0, 810.0, 122.0]]
        );
    }

    #[test]
    fn uncut_pieces_inside_a_comparable_coarse_box_are_dropped() {
        let fine = vec![
            whole(det("firearm", 0.6, [100.0, 50.0, 400.0, 120.0])),
            whole(det("firearm", 0.5, [500.0, 55.0, 800.0, 118.0])),
        ];
        let coarse = vec![det("firearm", 0.7, [95.0, 48.0, 810.0, 122.0])];
        let joined = join_coarse_detections(fine, coarse, 0.45, 100.0);
        assert_eq!(joined.len(), 1, "{joined:?}");
        assert_eq!(
            joined[0].box_in_image.to_array(),
            [95.0, 48.0, 810.0, 122.0]
        );
    }

    #[test]
    fn a_confident_cut_piece_takes_the_faint_coarse_box() {
        // A fine frame (x 260..740) saw the middle of a rifle, cut on both sides, with a high
        // score; its IoU with the whole rifle is 0.5, above the NMS threshold. The coarse pass saw
        // it whole, faintly.
        let fine = vec![cut(
            det("firearm", 0.85, [260.0, 200.0, 740.0, 460.0]),
            [true, false, true, false],
        )];
        let coarse = vec![det("firearm", 0.3, [60.0, 220.0, 900.0, 440.0])];
        let joined = join_coarse_detections(fine, coarse, 0.45, 100.0);
        assert_eq!(joined.len(), 1, "{joined:?}");
        assert_eq!(
            joined[0].box_in_image.to_array(),
            [60.0, 220.0, 900.0, 440.0]
        );
        assert!((joined[0].score - 0.85).abs() < 1e-6);
    }

    #[test]
    fn other_pieces_go_when_one_piece_takes_the_coarse_box() {
        // The middle piece (cut on both sides) takes the coarse box; a small end piece inside it,
        // too small to be a piece of it by itself, goes with it; a whole pistol inside it stays.
        let fine = vec![
            cut(
                det("firearm", 0.8, [260.0, 200.0, 740.0, 460.0]),
                [true, false, true, false],
            ),
            cut(
                det("firearm", 0.6, [60.0, 230.0, 260.0, 300.0]),
                [false, false, true, false],
            ),
            whole(det("firearm", 0.5, [760.0, 300.0, 880.0, 420.0])),
        ];
        let coarse = vec![det("firearm", 0.7, [60.0, 220.0, 900.0, 440.0])];
        let joined = join_coarse_detections(fine, coarse, 0.45, 100.0);
        let boxes: Vec<[f32; 4]> = joined.iter().map(|d| d.box_in_image.to_array()).collect();
        assert_eq!(
            boxes,
            vec![[60.0, 220.0, 900.0, 440.0], [760.0, 300.0, 880.0, 420.0]]
        );
    }

    #[test]
    fn a_cut_piece_keeps_its_box_where_the_coarse_box_stops_at_the_cut() {
        // Cut on the right, but the coarse box ends there too: no evidence the object goes on.
        let fine = vec![cut(
            det("firearm", 0.8, [300.0, 200.0, 740.0, 420.0]),
            [false, false, true, false],
        )];
        let coarse = vec![det("firearm", 0.6, [280.0, 190.0, 742.0, 430.0])];
        let joined = join_coarse_detections(fine, coarse, 0.45, 100.0);
        assert_eq!(joined.len(), 1, "{joined:?}");
        assert_eq!(
            joined[0].box_in_image.to_array(),
            [300.0, 200.0, 740.0, 420.0]
        );
        assert!((joined[0].score - 0.8).abs() < 1e-6);
    }

    #[test]
    fn a_small_object_at_a_cut_keeps_its_box_inside_a_big_coarse_box() {
        // A pistol whose box touches a cut, inside a large coarse box: too small a share of it
        // (and far less tall) to be a piece of it.
        let fine = vec![cut(
            det("firearm", 0.9, [520.0, 487.0, 668.0, 712.0]),
            [true, false, false, false],
        )];
        let coarse = vec![det("firearm", 0.3, [69.0, 55.0, 709.0, 701.0])];
        let joined = join_coarse_detections(fine, coarse, 0.45, 100.0);
        assert!(
            joined
                .iter()
                .any(|d| d.box_in_image.to_array() == [520.0, 487.0, 668.0, 712.0]),
            "{joined:?}"
        );
    }

    #[test]
    fn a_box_narrower_than_the_overlap_is_not_a_piece() {
        // A revolver 120 px wide cut at x = 520, with frames overlapping by 144 px: it lies in the
        // overlap, so the neighbouring frame saw all of it. It keeps its box beside a coarse box
        // that would otherwise take it (same height, a third of its area).
        let fine = vec![cut(
            det("firearm", 0.9, [520.0, 330.0, 640.0, 486.0]),
            [true, false, false, false],
        )];
        let coarse = vec![det("firearm", 0.3, [390.0, 308.0, 750.0, 470.0])];
        let boxes = |min_extent| -> Vec<[f32; 4]> {
            join_coarse_detections(fine.clone(), coarse.clone(), 0.45, min_extent)
                .iter()
                .map(|d| d.box_in_image.to_array())
                .collect()
        };
        assert!(
            boxes(144.0).contains(&[520.0, 330.0, 640.0, 486.0]),
            "{:?}",
            boxes(144.0)
        );
        assert!(
            !boxes(100.0).contains(&[520.0, 330.0, 640.0, 486.0]),
            "{:?}",
            boxes(100.0)
        );
    }

    #[test]
    fn fine_box_wins_where_both_passes_see_one_object() {
        let fine = vec![whole(det("firearm", 0.6, [100.0, 50.0, 800.0, 120.0]))];
        let coarse = vec![det("firearm", 0.8, [96.0, 46.0, 806.0, 126.0])];
        let joined = join_coarse_detections(fine, coarse, 0.45, 100.0);
        assert_eq!(joined.len(), 1);
        assert_eq!(
            joined[0].box_in_image.to_array(),
            [100.0, 50.0, 800.0, 120.0]
        );
        assert!((joined[0].score - 0.8).abs() < 1e-6);
    }

    #[test]
    fn a_confident_fine_object_inside_a_faint_coarse_box_stays() {
        let fine = vec![
            whole(det("firearm", 0.9, [100.0, 50.0, 300.0, 150.0])),
            whole(det("part", 0.4, [400.0, 60.0, 500.0, 100.0])),
        ];
        let coarse = vec![det("firearm", 0.3, [90.0, 40.0, 900.0, 160.0])];
        let joined = join_coarse_detections(fine, coarse, 0.45, 100.0);
        assert_eq!(joined.len(), 3, "{joined:?}");
        assert_eq!(
            joined[0].box_in_image.to_array(),
            [100.0, 50.0, 300.0, 150.0]
        );
    }

    #[test]
    fn merged_pieces_keep_the_cut_sides_still_open() {
        // Two pieces joined across the x = 320 cut; the right piece is also cut at x = 544.
        let parts = vec![
            cut(
                det("firearm", 0.8, [100.0, 50.0, 320.0, 150.0]),
                [false, false, true, false],
            ),
            cut(
                det("firearm", 0.7, [224.0, 52.0, 544.0, 149.0]),
                [true, false, true, false],
            ),
        ];
        let merged = merge_frame_pieces(parts, 0.45);
        assert_eq!(merged.len(), 1);
        assert_eq!(
            merged[0].detection.box_in_image.to_array(),
            [100.0, 50.0, 544.0, 150.0]
        );
        assert_eq!(merged[0].truncated, [false, false, true, false]);
    }

    #[test]
    fn different_classes_are_not_merged() {
        let parts = vec![
            FrameDetection {
                detection: det("handgun", 0.8, [100.0, 50.0, 320.0, 150.0]),
                truncated: [false, false, true, false],
            },
            FrameDetection {
                detection: det("cartridge", 0.7, [224.0, 52.0, 500.0, 149.0]),
                truncated: [true, false, false, false],
            },
        ];
        assert_eq!(merge_frame_detections(parts, 0.45).len(), 2);
    }
}
